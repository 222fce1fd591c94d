#include "config/load.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/discovery.hpp"
#include "config/limits.hpp"

namespace perouter::config {

Result<std::vector<ConfigText>, Diagnostics> read_all(const std::vector<DiscoveredFile>& files) {
    std::vector<ConfigText> texts;
    Diagnostics diags;
    for (const auto& f : files) {
        if (f.masked)
            continue;
        errno = 0;
        std::ifstream in(f.path, std::ios::binary);
        std::ostringstream text;
        if (in)
            text << in.rdbuf();
        if (!in || in.bad()) {
            int err = errno != 0 ? errno : EIO;
            diags.push_back(
                {SourcePos{f.path, 0, 0}, fmt::format("cannot read: {}", std::strerror(err))});
            continue;
        }
        texts.push_back({f.path, std::move(text).str(), f.name == Layout{}.main_file_name()});
    }
    if (!diags.empty())
        return fail(std::move(diags));
    return texts;
}

Assembly load(const Layout& layout, const InProgress& in_progress, const ConfigText* main_instead,
              const RawFrrCheck& raw_check) {
    auto files = discover_files(layout);
    if (!files) {
        Assembly out;
        out.fatal.push_back(files.error());
        return out;
    }
    // Read one at a time: a drop-in that cannot be read is left out like one that fails.
    std::vector<ConfigText> texts;
    std::vector<SkippedFile> unreadable;
    if (main_instead)
        texts.push_back(*main_instead);
    for (const auto& f : *files) {
        if (main_instead && f.name == layout.main_file_name())
            continue;
        if (!f.masked && in_progress.paths.count(f.path)) {
            if (in_progress.previous)
                for (const auto& p : *in_progress.previous)
                    if (p.path == f.path)
                        texts.push_back(p);
            continue;
        }
        auto t = read_all({f});
        if (t) {
            texts.insert(texts.end(), t->begin(), t->end());
        } else if (f.name == layout.main_file_name()) {
            Assembly out;
            out.fatal = std::move(t).error();
            return out;
        } else {
            unreadable.push_back({f.path, std::move(t).error()});
        }
    }
    Assembly out = assemble(texts, raw_check);
    out.skipped.insert(out.skipped.begin(), unreadable.begin(), unreadable.end());
    return out;
}

}  // namespace perouter::config
