// Keys the VPN entries ([[l3vni]], [[l3vpn]], [[l2vni]]) share, read the same way. Internal to
// src/config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "config/model.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

/// Longest VPN name: names become file names (50-<name>.toml) and D-Bus object paths.
inline constexpr size_t kMaxVpnName = 63;

/// `name`: required; letters, digits, '.', '_', '-', not starting with '.' or '-'.
std::optional<std::string> read_vpn_name(TableReader& r);
/// `vni`: required, 1..16777215.
std::optional<uint32_t> read_vni(TableReader& r);
/// `underlay_address_family`: "ipv4" or "ipv6".
std::optional<Family> read_family(TableReader& r);

/// `export_rts` / `import_rts`: at most kMaxRouteTargets route targets (route_target.hpp).
std::vector<std::string> read_route_targets(TableReader& r, std::string_view key);
/// `rd`: a route distinguisher, written like a route target ("ASN:NN" or "A.B.C.D:NN").
std::optional<std::string> read_route_distinguisher(TableReader& r);

/// `vrf` of a routed VPN ([[l3vni]], [[l3vpn]]): required, an interface name a VRF may have.
std::optional<std::string> read_vrf(TableReader& r);
/// `host_session` of a routed VPN (keys: its table's and its local_cidr's key tables), with the
/// rule that the host's AS differs from the VRF's.
std::optional<HostSession> read_routed_host_session(TableReader& r, const KeyTable& keys,
                                                    const KeyTable& local_cidr_keys,
                                                    Diagnostics& diags);

}  // namespace perouter::config
