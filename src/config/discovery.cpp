// Finding the configuration files: systemd's conf-files rules applied to perouter's three
// directories (src/README.md; the files and their precedence are in perouter.toml(5)).
#include "config/discovery.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace perouter::config {

namespace {

enum class Kind { Missing, Usable, Masked, Ignored };

/// An empty file or a symlink to /dev/null masks (same test as systemd's null_or_empty()).
/// Only regular files and symlinks are configuration files; a dangling symlink is kept so that
/// reading it reports the broken link instead of silently unmasking a lower file.
Kind classify(const std::string& path) {
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0)
        return Kind::Missing;
    if (!S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode))
        return Kind::Ignored;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Kind::Usable;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
        return Kind::Masked;
    if (S_ISREG(st.st_mode))
        return st.st_size == 0 ? Kind::Masked : Kind::Usable;
    return Kind::Ignored;
}

bool is_dropin_name(const std::string& name) {
    constexpr std::string_view ext = ".toml";
    // Hidden files are editors' and atomic writers' temporaries, never configuration.
    return name.size() > ext.size() && name[0] != '.' &&
           name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
}

Diagnostic cannot_read(const std::string& dir, int err) {
    return {SourcePos{dir, 0, 0}, fmt::format("cannot read: {}", std::strerror(err))};
}

/// Names of the candidate drop-ins in `dir`; a missing directory has none.
Result<std::vector<std::string>, Diagnostic> list_dir(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return names;
        return fail(cannot_read(dir, errno));
    }
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (is_dropin_name(name))
            names.push_back(std::move(name));
    }
    int err = errno;
    ::closedir(d);
    if (err != 0)
        return fail(cannot_read(dir, err));
    return names;
}

/// Applies precedence to one name given its candidate paths, lowest precedence first.
std::optional<DiscoveredFile> resolve(const std::string& name,
                                      const std::vector<std::string>& candidates) {
    std::optional<DiscoveredFile> winner;
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
        Kind kind = classify(*it);
        if (kind == Kind::Missing || kind == Kind::Ignored)
            continue;
        if (!winner) {
            winner = DiscoveredFile{name, *it, {}, kind == Kind::Masked};
        } else {
            winner->overridden.push_back(*it);
        }
    }
    return winner;
}

}  // namespace

std::vector<std::string> Layout::dirs() const {
    std::string r = root;
    while (!r.empty() && r.back() == '/')
        r.pop_back();
    return {r + "/usr/lib/perouter", r + "/run/perouter", r + "/etc/perouter"};
}

Result<std::vector<DiscoveredFile>, Diagnostic> discover_files(const Layout& layout) {
    std::vector<DiscoveredFile> files;
    const auto dirs = layout.dirs();

    std::vector<std::string> main_candidates;
    for (const auto& dir : dirs)
        main_candidates.push_back(dir + "/" + layout.main_file_name());
    if (auto main = resolve(layout.main_file_name(), main_candidates))
        files.push_back(*main);

    std::map<std::string, std::vector<std::string>, DropinOrder> dropins;
    for (const auto& dir : dirs) {
        std::string ddir = dir + "/" + layout.dropin_dir_name();
        auto names = list_dir(ddir);
        if (!names)
            return fail(names.error());
        for (const auto& name : *names)
            dropins[name].push_back(ddir + "/" + name);
    }
    for (const auto& [name, candidates] : dropins) {
        if (auto f = resolve(layout.dropin_dir_name() + "/" + name, candidates))
            files.push_back(std::move(*f));
    }
    return files;
}

Result<std::vector<DiscoveredFile>> discover(const Layout& layout) {
    auto files = discover_files(layout);
    if (!files)
        return fail(Error{files.error().str(), 0});
    return std::move(files).value();
}

}  // namespace perouter::config
