// Slices of a desired state by owner (a VPN's name, "underlay", "passthrough"): what a change
// of configuration touches. The daemon diffs a new desired state against the one it last
// applied without errors and reconciles only the owners whose objects differ
// (daemon/router.cpp), so that a change costs what it changes. Pure.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "config/model.hpp"
#include "plan/desired.hpp"

namespace perouter::plan {

/// The owners whose objects (links, external links, OVS ports, addresses, routes) differ
/// between `before` and `after`, including owners present in only one of them.
std::set<std::string> changed_owners(const DesiredState& before, const DesiredState& after);

/// `owners` plus the owners of the masters their links hang off, in either state, until
/// nothing is added: an L2VNI whose bridge is in its routing domain's VRF brings that L3VNI
/// along. A slice without them would observe the VRF without desiring it, and delete it.
std::set<std::string> with_master_owners(std::set<std::string> owners, const DesiredState& a,
                                         const DesiredState& b);

/// Whether the node-wide parts match: underlay NICs, sysctls, the DHCP client, node index and
/// router id. When they differ a change is not confined to owners.
bool same_node_wide(const DesiredState& a, const DesiredState& b);

/// A change of configuration confined to [[l2vni]] entries: the names of those added, removed
/// or changed, when everything else (node, underlay, L3VNIs, passthrough, online, raw_frr) is
/// equal; nullopt otherwise. An L2VNI's objects depend only on its own entry and on what it can
/// hang off (the underlay's tunnel endpoints and MTU, its routing domain's VRF), so such a
/// change is planned from `only_l2vnis()` of both configurations: the same owners and the same
/// objects as from the whole ones (tests/unit/plan/slice_test.cpp), without planning the
/// L2VNIs that stay as they are.
std::optional<std::set<std::string>> changed_l2vnis(const config::Config& before,
                                                    const config::Config& after);

/// `cfg` with only the [[l2vni]] entries named in `names`; everything else as it is.
config::Config only_l2vnis(const config::Config& cfg, const std::set<std::string>& names);

/// Only the objects of `owners`, in their order; the node-wide parts and the FRR
/// configuration are left empty.
DesiredState slice(const DesiredState& d, const std::set<std::string>& owners);

}  // namespace perouter::plan
