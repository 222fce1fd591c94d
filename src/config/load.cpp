#include "config/load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/discovery.hpp"
#include "config/limits.hpp"

namespace perouter::config {

namespace {

// One file's text, or the errno of the failed read.
Result<ConfigText, int> read_one(const DiscoveredFile& f) {
    errno = 0;
    std::ifstream in(f.path, std::ios::binary);
    std::ostringstream text;
    if (in)
        text << in.rdbuf();
    if (!in || in.bad())
        return fail(errno != 0 ? errno : EIO);
    return ConfigText{f.path, std::move(text).str(), f.name == Layout{}.main_file_name()};
}

Diagnostic unreadable(const DiscoveredFile& f, int err) {
    return {SourcePos{f.path, 0, 0}, fmt::format("cannot read: {}", std::strerror(err))};
}

}  // namespace

Result<std::vector<ConfigText>, Diagnostics> read_all(const std::vector<DiscoveredFile>& files) {
    std::vector<ConfigText> texts;
    Diagnostics diags;
    for (const auto& f : files) {
        if (f.masked)
            continue;
        auto t = read_one(f);
        if (t)
            texts.push_back(std::move(*t));
        else
            diags.push_back(unreadable(f, t.error()));
    }
    if (!diags.empty())
        return fail(std::move(diags));
    return texts;
}

Sources read_sources(const Layout& layout, const InProgress& in_progress,
                     const ConfigText* main_instead) {
    Sources out;
    auto files = discover_files(layout);
    if (!files) {
        out.fatal.push_back(files.error());
        return out;
    }
    // Read one at a time: a drop-in that cannot be read is left out like one that fails.
    if (main_instead)
        out.texts.push_back(*main_instead);
    for (const auto& f : *files) {
        if (main_instead && f.name == layout.main_file_name())
            continue;
        if (!f.masked && in_progress.paths.count(f.path)) {
            if (in_progress.previous)
                for (const auto& p : *in_progress.previous)
                    if (p.path == f.path)
                        out.texts.push_back(p);
            continue;
        }
        if (f.masked)
            continue;
        auto t = read_one(f);
        if (t) {
            out.texts.push_back(std::move(*t));
        } else if (f.name == layout.main_file_name()) {
            out.fatal.push_back(unreadable(f, t.error()));
            return out;
        } else if (std::error_code ec;
                   t.error() == ENOENT &&
                   !std::filesystem::is_symlink(std::filesystem::symlink_status(f.path, ec))) {
            // Renamed or removed between the directory listing and the read: it was not there
            // (its removal, or its new name, brings another reload). A symlink to nothing is
            // reported below.
            continue;
        } else {
            out.unreadable.push_back({f.path, {unreadable(f, t.error())}});
        }
    }
    return out;
}

std::vector<ConfigText> with_dropin(std::vector<ConfigText> texts, ConfigText extra) {
    namespace fs = std::filesystem;
    const std::string name = fs::path(extra.path).filename().string();
    auto at = std::find_if(texts.begin(), texts.end(), [&](const ConfigText& t) {
        return !t.main && DropinOrder{}(name, fs::path(t.path).filename().string());
    });
    texts.insert(at, std::move(extra));
    return texts;
}

Assembly assemble(const Sources& sources, const RawFrrCheck& raw_check) {
    if (!sources.fatal.empty()) {
        Assembly out;
        out.fatal = sources.fatal;
        return out;
    }
    Assembly out = assemble(sources.texts, raw_check);
    out.skipped.insert(out.skipped.begin(), sources.unreadable.begin(), sources.unreadable.end());
    return out;
}

Assembly load(const Layout& layout, const InProgress& in_progress, const ConfigText* main_instead,
              const RawFrrCheck& raw_check) {
    return assemble(read_sources(layout, in_progress, main_instead), raw_check);
}

}  // namespace perouter::config
