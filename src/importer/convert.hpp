// Upstream spec -> perouter table, one function per resource kind. Each takes the fields of the
// resource's spec (static files: the list entry) after the caller took what is not part of the
// spec (name, nodeSelector), converts every field it knows, refuses the ones perouter has no
// equivalent for, and finishes the mapping, so anything left is reported as unknown. The keys
// written are perouter.toml(5)'s.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "importer/yaml_fields.hpp"

namespace perouter::importer {

/// Why upstream's SRv6 pieces (srv6, isis, VPN address families, L3VPNs) are not imported: they
/// describe a different fabric, so a translation would look right and not work.
inline constexpr std::string_view kSrv6NotImported =
    "upstream's SRv6 (locators in IS-IS, uSID format of FRR 10) does not carry over to perouter's "
    "SRv6 L3VPN (FRR 8.4: a /64 locator per node announced in BGP, the fabric routing it); "
    "write [underlay.srv6] and [[l3vpn]] by hand, see perouter.toml(5)";

/// [underlay] from an UnderlaySpec. Sets `secret` when a neighbor has a password.
toml::table convert_underlay(Fields& spec, bool& secret);
/// [underlay.macvlan] from an underlay interface's cniDevice (the macvlan CNI plugin with
/// static or DHCP IPAM); what has no equivalent is refused.
toml::table convert_cni_device(Fields& device);
/// One [[l3vni]] from an L3VNISpec and the resource's name.
toml::table convert_l3vni(Fields& spec, const std::string& name);
/// One [[l2vni]] from an L2VNISpec and the resource's name.
toml::table convert_l2vni(Fields& spec, const std::string& name);
/// [passthrough] from an L3PassthroughSpec.
toml::table convert_passthrough(Fields& spec);
/// One [[raw_frr]] from a RawFRRConfigSpec.
toml::table convert_raw_frr(Fields& spec, const std::string& name);
/// [node] from node-config.yaml (upstream's NodeConfig).
toml::table convert_node_config(Fields& doc);

/// Writes `value` under `key` when it is set.
template <class T>
void put(toml::table& t, std::string_view key, std::optional<T> value) {
    if (value)
        t.insert_or_assign(key, std::move(*value));
}

/// A TOML array of strings.
inline toml::array string_array(const std::vector<std::string>& values) {
    toml::array a;
    for (const auto& v : values)
        a.push_back(v);
    return a;
}

/// A table written inline ("bfd = {}"), as perouter.toml(5) shows these keys.
inline toml::table inline_table(toml::table t) {
    t.is_inline(true);
    return t;
}

}  // namespace perouter::importer
