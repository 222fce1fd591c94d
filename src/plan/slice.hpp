// Slices of a desired state by owner (a VPN's name, "underlay", "passthrough"): what a change
// of configuration touches. The daemon diffs a new desired state against the one it last
// applied without errors and reconciles only the owners whose objects differ
// (daemon/router.cpp), so that a change costs what it changes. Pure.
#pragma once

#include <set>
#include <string>

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

/// Only the objects of `owners`, in their order; the node-wide parts and the FRR
/// configuration are left empty.
DesiredState slice(const DesiredState& d, const std::set<std::string>& owners);

}  // namespace perouter::plan
