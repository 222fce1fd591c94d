#include "config/load.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "config/convert.hpp"
#include "config/discovery.hpp"
#include "config/toml_merge.hpp"
#include "config/toml_reader.hpp"
#include "config/validate.hpp"

namespace perouter::config {

namespace {

/// Reports in the order the files were given, then by line and column, whichever rule found
/// the problem first.
void sort_diagnostics(Diagnostics& diags, const std::vector<ConfigText>& texts) {
    std::map<std::string, size_t> order;
    for (size_t i = 0; i < texts.size(); ++i)
        order.emplace(texts[i].path, i);
    auto rank = [&](const SourcePos& p) {
        auto it = order.find(p.file);
        return it == order.end() ? texts.size() : it->second;
    };
    std::stable_sort(diags.begin(), diags.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        return std::make_tuple(rank(a.pos), a.pos.line, a.pos.column) <
               std::make_tuple(rank(b.pos), b.pos.line, b.pos.column);
    });
}

}  // namespace

Result<Config, Diagnostics> parse(const std::vector<ConfigText>& texts) {
    Diagnostics diags;
    std::vector<toml::table> docs;
    for (const auto& t : texts) {
        if (auto doc = parse_toml(t, diags))
            docs.push_back(std::move(*doc));
    }
    // A file that does not parse would make the merged view misleading (its underlay would seem
    // missing); report the syntax errors alone.
    if (!diags.empty()) {
        sort_diagnostics(diags, texts);
        return fail(std::move(diags));
    }
    toml::table merged;
    for (auto& doc : docs)
        merge_into(merged, std::move(doc));

    Config config = convert(merged, diags);
    validate(config, diags);
    if (!diags.empty()) {
        sort_diagnostics(diags, texts);
        return fail(std::move(diags));
    }
    return config;
}

Result<Config, Diagnostics> parse_with(const std::vector<ConfigText>& base,
                                       const ConfigText& extra) {
    std::vector<ConfigText> all = base;
    all.push_back(extra);
    return parse(all);
}

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
        texts.push_back({f.path, std::move(text).str()});
    }
    if (!diags.empty())
        return fail(std::move(diags));
    return texts;
}

Result<Config, Diagnostics> load(const Layout& layout) {
    auto files = discover_files(layout);
    if (!files)
        return fail(Diagnostics{files.error()});
    auto texts = read_all(*files);
    if (!texts)
        return fail(std::move(texts).error());
    return parse(*texts);
}

}  // namespace perouter::config
