#include "config/convert.hpp"

#include <fmt/format.h>

#include "config/limits.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

Config convert(const toml::table& root, Diagnostics& diags) {
    Config c;
    Positions unused;  // the top level has no model object of its own
    TableReader r(root, keys::kRoot, unused, diags);
    if (const toml::table* t = r.table("node"))
        c.node = convert_node(*t, diags);
    if (const toml::table* t = r.table("underlay"))
        c.underlay = convert_underlay(*t, diags);
    // Past kMaxVpns one error at the first entry too many; the rest is not converted.
    size_t vpns = 0;
    bool too_many = false;
    auto admit = [&](const toml::table& t) {
        if (++vpns <= kMaxVpns)
            return true;
        if (!too_many)
            diags.push_back(
                {to_pos(t.source()),
                 fmt::format("too many [[l3vni]] and [[l2vni]] entries (at most {})", kMaxVpns)});
        too_many = true;
        return false;
    };
    if (auto ts = r.tables("l3vni"))
        for (const toml::table* t : *ts)
            if (admit(*t))
                c.l3vnis.push_back(convert_l3vni(*t, diags));
    if (auto ts = r.tables("l2vni"))
        for (const toml::table* t : *ts)
            if (admit(*t))
                c.l2vnis.push_back(convert_l2vni(*t, diags));
    if (auto ts = r.tables("l3vpn"))
        for (const toml::table* t : *ts)
            if (admit(*t))
                c.l3vpns.push_back(convert_l3vpn(*t, diags));
    if (const toml::table* t = r.table("passthrough"))
        c.passthrough = convert_passthrough(*t, diags);
    if (const toml::table* t = r.table("online"))
        c.online = convert_online(*t, diags);
    if (auto ts = r.tables("raw_frr")) {
        if (ts->size() > kMaxRawFrrBlocks)
            r.error("raw_frr", fmt::format("too many [[raw_frr]] blocks: {} (at most {})",
                                           ts->size(), kMaxRawFrrBlocks));
        for (size_t i = 0; i < ts->size() && i < kMaxRawFrrBlocks; ++i)
            c.raw_frr.push_back(convert_raw_frr(*(*ts)[i], diags));
    }
    return c;
}

}  // namespace perouter::config
