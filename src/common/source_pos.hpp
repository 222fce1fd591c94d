// Where a configuration value was written, and the diagnostics that point there.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace perouter {

/// The name of a configuration file. Every position in one file shares the one string its
/// parser made (toml++'s source_region::path), so that a configuration of thousands of values
/// holds each path once, not once per value. Reads like a const std::string.
class SourceFile {
  public:
    SourceFile() = default;
    SourceFile(std::shared_ptr<const std::string> path) : path_(std::move(path)) {}
    SourceFile(std::string path)
        : path_(path.empty() ? nullptr : std::make_shared<const std::string>(std::move(path))) {}
    SourceFile(const char* path) : SourceFile(std::string(path)) {}
    SourceFile(std::string_view path) : SourceFile(std::string(path)) {}
    // Out of line: GCC 12 warns (maybe-uninitialized) about the inlined shared_ptr destructor
    // in the cleanup of brace-initialized temporaries.
    ~SourceFile();
    SourceFile(const SourceFile&) = default;
    SourceFile(SourceFile&&) noexcept = default;
    SourceFile& operator=(const SourceFile&) = default;
    SourceFile& operator=(SourceFile&&) noexcept = default;

    const std::string& str() const { return path_ ? *path_ : empty_string(); }
    operator const std::string&() const { return str(); }
    bool empty() const { return str().empty(); }

    friend bool operator==(const SourceFile& a, const SourceFile& b) {
        return a.path_ == b.path_ || a.str() == b.str();
    }
    friend bool operator==(const SourceFile& a, const std::string& b) { return a.str() == b; }
    friend bool operator==(const SourceFile& a, std::string_view b) { return a.str() == b; }
    friend bool operator==(const SourceFile& a, const char* b) { return a.str() == b; }

  private:
    static const std::string& empty_string() {
        static const std::string empty;
        return empty;
    }
    std::shared_ptr<const std::string> path_;
};

struct SourcePos {
    SourceFile file;
    uint32_t line = 0;
    uint32_t column = 0;

    bool known() const { return !file.empty(); }
    /// "FILE:LINE:COL" (or just "FILE" when the position inside it is unknown).
    std::string str() const {
        if (line == 0)
            return file.empty() ? std::string("<config>") : file.str();
        return fmt::format("{}:{}:{}", file.str(), line, column);
    }
    friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

/// One configuration error. Rendered as "FILE:LINE:COL: message", the format editors jump to.
struct Diagnostic {
    SourcePos pos;
    std::string message;

    std::string str() const { return fmt::format("{}: {}", pos.str(), message); }
    friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace perouter

template <>
struct fmt::formatter<perouter::SourceFile> : fmt::formatter<std::string_view> {
    template <class Context>
    auto format(const perouter::SourceFile& f, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(f.str(), ctx);
    }
};
