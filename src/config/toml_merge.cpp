#include "config/toml_merge.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace perouter::config {

namespace {

std::optional<std::string> entry_name(const toml::node& n) {
    const toml::table* t = n.as_table();
    if (!t)
        return std::nullopt;
    const toml::node* name = t->get("name");
    if (!name || !name->is_string())
        return std::nullopt;
    return name->as_string()->get();
}

bool merge_keyed(toml::array& dst, toml::array&& src) {
    // Only entries of earlier documents are replaced; names this document already wrote are
    // appended again, so a duplicate inside one document stays visible to validation. One
    // index of the earlier names keeps a merge of n entries into m at O((n + m) log m).
    const size_t earlier = dst.size();
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < earlier; ++i)
        if (auto name = entry_name(dst[i]))
            index.emplace(std::move(*name), i);  // the first of equal names is the one replaced
    std::set<std::string> written;
    bool any = false;
    for (toml::node& entry : src) {
        auto name = entry_name(entry);
        bool replaced = false;
        if (name && !written.count(*name)) {
            if (auto it = index.find(*name); it != index.end()) {
                dst.replace(dst.cbegin() + static_cast<ptrdiff_t>(it->second), std::move(entry));
                replaced = any = true;
            }
        }
        if (name)
            written.insert(*name);
        if (!replaced)
            dst.push_back(std::move(entry));
    }
    return any;
}

bool merge_tables(toml::table& dst, toml::table&& src, bool top_level) {
    bool replaced = false;
    for (auto&& [key, value] : src) {
        toml::node* existing = dst.get(key.str());
        if (existing && existing->is_table() && value.is_table()) {
            merge_tables(*existing->as_table(), std::move(*value.as_table()), false);
            continue;
        }
        bool keyed = top_level && (key.str() == "l3vni" || key.str() == "l2vni" ||
                                   key.str() == "l3vpn" || key.str() == "raw_frr");
        if (existing && keyed && existing->is_array() && value.is_array()) {
            replaced = merge_keyed(*existing->as_array(), std::move(*value.as_array())) || replaced;
            continue;
        }
        // Erase first so that the key, too, points at the file that wrote the winning value.
        if (existing)
            dst.erase(key.str());
        dst.insert(key, std::move(value));
    }
    return replaced;
}

}  // namespace

bool merge_into(toml::table& dst, toml::table&& src) {
    return merge_tables(dst, std::move(src), true);
}

}  // namespace perouter::config
