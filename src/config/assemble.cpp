// assemble(): a configuration built file by file, so that one bad drop-in costs only itself
// (see load.hpp for the rules; the daemon's use of it is in src/daemon/service.cpp).
#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "config/convert.hpp"
#include "config/limits.hpp"
#include "config/load.hpp"
#include "config/toml_merge.hpp"
#include "config/toml_reader.hpp"
#include "config/validate.hpp"

namespace perouter::config {

namespace {

/// Reports in the order the files were given, then by line and column, whichever rule found
/// the problem first.
void sort_diagnostics(Diagnostics& diags, const std::vector<const ConfigText*>& texts) {
    std::map<std::string, size_t> order;
    for (size_t i = 0; i < texts.size(); ++i)
        order.emplace(texts[i]->path, i);
    auto rank = [&](const SourcePos& p) {
        auto it = order.find(p.file);
        return it == order.end() ? texts.size() : it->second;
    };
    std::stable_sort(diags.begin(), diags.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        return std::make_tuple(rank(a.pos), a.pos.line, a.pos.column) <
               std::make_tuple(rank(b.pos), b.pos.line, b.pos.column);
    });
}

/// One round over the files still in: parse (toml++ drops source regions on copy, so merging
/// consumes the documents and every round parses again), merge, convert, validate. A file that
/// does not parse would make the merged view misleading (its underlay would seem missing), so
/// syntax errors are reported alone.
Result<Config, Diagnostics> build(const std::vector<const ConfigText*>& in,
                                  const RawFrrCheck& raw_check = {}, bool* replaced = nullptr) {
    Diagnostics diags;
    std::vector<toml::table> docs;
    for (const ConfigText* t : in) {
        if (auto doc = parse_toml(*t, diags))
            docs.push_back(std::move(*doc));
    }
    if (diags.empty()) {
        toml::table merged;
        bool any = false;
        for (auto& doc : docs)
            any = merge_into(merged, std::move(doc)) || any;
        if (replaced)
            *replaced = any;
        Config config = convert(merged, diags);
        std::vector<std::string> files;  // two-place errors blame the later file
        for (const ConfigText* t : in)
            files.push_back(t->path);
        validate(config, diags, files);
        // FRR's parser last: only a configuration that is valid otherwise is worth a vtysh.
        if (diags.empty() && raw_check) {
            for (const auto& raw : config.raw_frr)
                if (auto problem = raw_check(raw.config))
                    diags.push_back(
                        {raw.pos.of("config"),
                         fmt::format("FRR rejects [[raw_frr]] '{}': {}", raw.name, *problem)});
        }
        if (diags.empty())
            return config;
    }
    sort_diagnostics(diags, in);
    return fail(std::move(diags));
}

std::vector<const ConfigText*> pointers(const std::vector<ConfigText>& texts) {
    std::vector<const ConfigText*> out;
    for (const auto& t : texts)
        out.push_back(&t);
    return out;
}

}  // namespace

Result<Config, Diagnostics> parse(const std::vector<ConfigText>& texts) {
    auto r = build(pointers(texts));
    if (r)
        return r;
    Diagnostics diags = std::move(r).error();
    cap_diagnostics(diags);
    return fail(std::move(diags));
}

Result<Config, Diagnostics> parse_with(const std::vector<ConfigText>& base,
                                       const ConfigText& extra) {
    std::vector<ConfigText> all = base;
    all.push_back(extra);
    return parse(all);
}

Diagnostics Assembly::diagnostics() const {
    Diagnostics all = fatal;
    for (const auto& s : skipped)
        all.insert(all.end(), s.diagnostics.begin(), s.diagnostics.end());
    cap_diagnostics(all);
    return all;
}

Assembly assemble(const std::vector<ConfigText>& texts, const RawFrrCheck& raw_check) {
    Assembly out;
    std::vector<const ConfigText*> in = pointers(texts);
    if (in.size() > kMaxFiles) {
        out.fatal.push_back({SourcePos{texts[kMaxFiles].path, 0, 0},
                             fmt::format("more than {} configuration files", kMaxFiles)});
        return out;
    }
    // Each round either succeeds, or fails for good, or leaves out at least one drop-in.
    while (true) {
        auto r = build(in, raw_check, &out.replaced);
        if (r) {
            out.config = std::move(*r);
            for (const ConfigText* t : in)
                out.texts.push_back(*t);
            return out;
        }
        Diagnostics diags = std::move(r).error();
        std::set<std::string> blamed;
        for (const auto& d : diags)
            blamed.insert(d.pos.file);
        std::vector<const ConfigText*> kept;
        for (const ConfigText* t : in) {
            if (t->main || !blamed.count(t->path)) {
                kept.push_back(t);
                continue;
            }
            SkippedFile s{t->path, {}};
            for (const auto& d : diags)
                if (d.pos.file == t->path)
                    s.diagnostics.push_back(d);
            cap_diagnostics(s.diagnostics);
            out.skipped.push_back(std::move(s));
        }
        if (kept.size() == in.size()) {
            // Only the main file (or no file) is to blame: nothing stands.
            out.fatal = std::move(diags);
            cap_diagnostics(out.fatal);
            return out;
        }
        in = std::move(kept);
    }
}

}  // namespace perouter::config
