// reassemble(): an assembly that parses only the files that changed (load.hpp has the contract).
//
// Why it is equal to assemble(texts): a file that holds nothing but [[l3vni]]/[[l2vni]] entries
// adds to the merged document only entries of those two keyed arrays (config/toml_merge.hpp);
// when no entry replaces another file's, each array is the files' entries in merge order, and
// convert() turns each entry by itself (convert_l3vni/convert_l2vni). So the configuration of
// the new texts is the base's with the entries of the files that changed taken out and the
// entries of their new texts put in their files' places; everything else is the base's, because
// every file that holds anything else is the same text. Validation runs on the whole result as
// assemble() would run it.
#include <map>
#include <set>
#include <string_view>

#include "config/convert.hpp"
#include "config/limits.hpp"
#include "config/load.hpp"
#include "config/toml_reader.hpp"
#include "config/validate.hpp"

namespace perouter::config {

namespace {

struct VpnEntries {
    std::vector<L3Vni> l3;
    std::vector<L2Vni> l2;
};

// The entries of a text that holds nothing but [[l3vni]]/[[l2vni]] entries, converted; nullopt
// when it holds anything else or anything in it is wrong (assemble() reports that).
std::optional<VpnEntries> vpn_entries(const ConfigText& text) {
    if (text.main)
        return std::nullopt;
    Diagnostics diags;
    auto doc = parse_toml(text, diags);
    if (!doc)
        return std::nullopt;
    VpnEntries out;
    for (const auto& [key, node] : *doc) {
        const bool l3 = key.str() == "l3vni";
        const toml::array* entries = node.as_array();
        if ((!l3 && key.str() != "l2vni") || entries == nullptr)
            return std::nullopt;
        for (const toml::node& entry : *entries) {
            const toml::table* t = entry.as_table();
            if (t == nullptr)
                return std::nullopt;
            if (l3)
                out.l3.push_back(convert_l3vni(*t, diags));
            else
                out.l2.push_back(convert_l2vni(*t, diags));
        }
    }
    if (!diags.empty())
        return std::nullopt;
    return out;
}

template <typename Vpn>
bool names_unique(const std::vector<Vpn>& vpns) {
    std::set<std::string_view> names;
    for (const Vpn& v : vpns)
        if (!names.insert(v.name).second)
            return false;
    return true;
}

// The base's entries grouped by the file that wrote them; false when an entry names a file the
// base was not assembled from (then the base is not what it claims).
template <typename Vpn>
bool group_by_file(const std::vector<Vpn>& vpns, const std::map<std::string_view, bool>& files,
                   std::map<std::string_view, std::vector<const Vpn*>>& out) {
    for (const Vpn& v : vpns) {
        auto file = files.find(v.pos.of().file.str());
        if (file == files.end())
            return false;
        out[file->first].push_back(&v);  // the key of `files` outlives this map
    }
    return true;
}

}  // namespace

std::optional<Assembly> reassemble(const AssemblyBase& base, const std::vector<ConfigText>& texts) {
    if (base.replaced || texts.size() > kMaxFiles)
        return std::nullopt;
    std::map<std::string_view, const ConfigText*> before;
    std::map<std::string_view, const ConfigText*> after;
    for (const auto& t : base.texts)
        before.emplace(t.path, &t);
    for (const auto& t : texts)
        after.emplace(t.path, &t);
    if (before.size() != base.texts.size() || after.size() != texts.size())
        return std::nullopt;

    // A file that is not the same text on both sides must hold only VPN entries on both sides:
    // its old entries go, its new ones come.
    std::map<std::string_view, bool> unchanged;  // every base file -> whether it is the same now
    for (const auto& [path, t] : before) {
        auto it = after.find(path);
        const bool same = it != after.end() && *it->second == *t;
        if (!same && !vpn_entries(*t))
            return std::nullopt;
        unchanged.emplace(path, same);
    }
    std::map<std::string_view, VpnEntries> fresh;
    for (const auto& [path, t] : after) {
        if (auto it = unchanged.find(path); it != unchanged.end() && it->second)
            continue;
        auto entries = vpn_entries(*t);
        if (!entries)
            return std::nullopt;
        fresh.emplace(path, std::move(*entries));
    }
    if (fresh.empty() && before.size() == after.size())
        return Assembly{base.config, texts, {}, {}, false};

    std::map<std::string_view, std::vector<const L3Vni*>> old_l3;
    std::map<std::string_view, std::vector<const L2Vni*>> old_l2;
    if (!group_by_file(base.config.l3vnis, unchanged, old_l3) ||
        !group_by_file(base.config.l2vnis, unchanged, old_l2))
        return std::nullopt;

    Config config;
    config.node = base.config.node;
    config.underlay = base.config.underlay;
    config.passthrough = base.config.passthrough;
    config.online = base.config.online;
    config.raw_frr = base.config.raw_frr;
    // Sized once: the running configuration keeps these vectors (no spare capacity at idle).
    size_t l3 = 0, l2 = 0;
    for (const auto& t : texts) {
        if (auto it = fresh.find(t.path); it != fresh.end()) {
            l3 += it->second.l3.size();
            l2 += it->second.l2.size();
            continue;
        }
        if (auto it = old_l3.find(t.path); it != old_l3.end())
            l3 += it->second.size();
        if (auto it = old_l2.find(t.path); it != old_l2.end())
            l2 += it->second.size();
    }
    config.l3vnis.reserve(l3);
    config.l2vnis.reserve(l2);
    std::vector<std::string> files;  // for validate(): two-place errors blame the later file
    for (const auto& t : texts) {
        files.push_back(t.path);
        if (auto it = fresh.find(t.path); it != fresh.end()) {
            for (auto& v : it->second.l3)
                config.l3vnis.push_back(std::move(v));
            for (auto& v : it->second.l2)
                config.l2vnis.push_back(std::move(v));
            continue;
        }
        if (auto it = old_l3.find(t.path); it != old_l3.end())
            for (const L3Vni* v : it->second)
                config.l3vnis.push_back(*v);
        if (auto it = old_l2.find(t.path); it != old_l2.end())
            for (const L2Vni* v : it->second)
                config.l2vnis.push_back(*v);
    }
    // A name twice is an entry replacing another (or a duplicate inside one file), and too many
    // entries is an error at a place assemble() determines: both are left to it.
    if (config.l3vnis.size() + config.l2vnis.size() > kMaxVpns || !names_unique(config.l3vnis) ||
        !names_unique(config.l2vnis))
        return std::nullopt;
    Diagnostics diags;
    validate(config, diags, files);
    if (!diags.empty())
        return std::nullopt;
    return Assembly{std::move(config), texts, {}, {}, false};
}

}  // namespace perouter::config
