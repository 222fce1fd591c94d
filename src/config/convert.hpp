// TOML tables -> typed model, one converter per section. Each converter checks what can be
// checked inside its own object (types, ranges, formats, "exactly one of"); validate.hpp
// holds the rules that look across objects. Internal to src/config.
#pragma once

#include <toml++/toml.h>

#include "common/source_pos.hpp"
#include "config/keys.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// Node index limit: the index picks host numbers out of the router-id, VTEP and host-session
/// pools, and no pool an operator would configure is larger than a /16.
inline constexpr int64_t kMaxNodeIndex = 65535;
inline constexpr int64_t kMaxAsn = 4294967295;
inline constexpr size_t kMaxNeighbors = 128;
inline constexpr size_t kMaxRouteTargets = 100;
inline constexpr size_t kMaxPrefixFilters = 1000;

/// The merged document -> Config. Unknown top-level keys and every section's errors go to diags.
Config convert(const toml::table& root, Diagnostics& diags);

Node convert_node(const toml::table& t, Diagnostics& diags);
Underlay convert_underlay(const toml::table& t, Diagnostics& diags);
Neighbor convert_neighbor(const toml::table& t, Diagnostics& diags);
L3Vni convert_l3vni(const toml::table& t, Diagnostics& diags);
L3Vpn convert_l3vpn(const toml::table& t, Diagnostics& diags);
L2Vni convert_l2vni(const toml::table& t, Diagnostics& diags);
Passthrough convert_passthrough(const toml::table& t, Diagnostics& diags);
Online convert_online(const toml::table& t, Diagnostics& diags);
RawFrr convert_raw_frr(const toml::table& t, Diagnostics& diags);
HostSession convert_host_session(const toml::table& t, const KeyTable& keys,
                                 const KeyTable& local_cidr_keys, Diagnostics& diags);

}  // namespace perouter::config
