// Where a configuration value was written, and the diagnostics that point there.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

namespace perouter {

struct SourcePos {
    std::string file;
    uint32_t line = 0;
    uint32_t column = 0;

    bool known() const { return !file.empty(); }
    /// "FILE:LINE:COL" (or just "FILE" when the position inside it is unknown).
    std::string str() const {
        if (line == 0)
            return file.empty() ? std::string("<config>") : file;
        return fmt::format("{}:{}:{}", file, line, column);
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
