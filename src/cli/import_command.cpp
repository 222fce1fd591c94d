#include "cli/import_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "common/process.hpp"
#include "importer/importer.hpp"

namespace perouter::cli {
namespace {

constexpr std::string_view kStdinPath = "<stdin>";

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& text, unsigned mode) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    // A dot file without the .toml suffix: configuration discovery ignores it.
    std::string tmp = fmt::format("{}/.{}.XXXXXX", dir, base);
    int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        return fail(errno_error(errno, fmt::format("create a temporary file in {}/", dir)));
    auto give_up = [&](std::string_view what) {
        int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return fail(errno_error(e, fmt::format("{} {}", what, tmp)));
    };
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0)
        return give_up("chmod");
    for (size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return give_up("write");
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0)
        return give_up("fsync");
    if (::close(fd) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail(errno_error(e, fmt::format("close {}", tmp)));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail(errno_error(e, fmt::format("rename to {}", path)));
    }
    return {};
}

int run_import(const std::vector<std::string>& files, const std::string& output, Streams io) {
    std::vector<importer::YamlText> texts;
    for (const auto& f : files) {
        if (f == "-") {
            std::ostringstream text;
            text << io.in.rdbuf();
            texts.push_back({std::string(kStdinPath), std::move(text).str()});
            continue;
        }
        auto text = read_file(f);
        if (!text) {
            io.err << fmt::format("{}: cannot read: {}\n", f, std::strerror(text.error().code));
            return kExitFailure;
        }
        texts.push_back({f, std::move(*text)});
    }

    auto imported = importer::import_files(texts);
    if (!imported) {
        for (const auto& d : imported.error())
            io.err << d.str() << '\n';
        return kExitFailure;
    }
    for (const auto& n : imported->notes)
        io.err << fmt::format("{}: note: {}\n", n.pos.str(), n.message);
    if (output.empty()) {
        io.out << imported->toml;
        return kExitOk;
    }
    if (auto w = write_file_atomically(output, imported->toml, imported->secret ? 0600 : 0644);
        !w) {
        io.err << w.error().message << '\n';
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace perouter::cli
