// Reads what the kernel forwards with in the router namespace (reconcile/forwarding.hpp): the
// routes of one table, the neighbour entries, and the bridge FDB entries of one VXLAN device.
// The online verdict (reconcile/online.hpp) judges the result.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "netlink/namespaces.hpp"
#include "reconcile/forwarding.hpp"

namespace perouter::netlink {

/// The kernel's NUD bits of a neighbour entry as the one state they stand for.
reconcile::NeighbourState neighbour_state(int nud);

/// Table `table` (routes of every kind and protocol), the IPv4/IPv6 neighbours of every
/// device, and the FDB entries of device `vxlan` ("" for none), read in `side`. `vrf` only
/// names the result.
Result<reconcile::VrfForwarding> observe_forwarding(const Namespaces& ns, plan::Side side,
                                                    const std::string& vrf, uint32_t table,
                                                    const std::string& vxlan);

/// The routing table of VRF device `vrf` in `side`; fails when it is missing or not a VRF.
Result<uint32_t> vrf_table(const Namespaces& ns, plan::Side side, const std::string& vrf);

}  // namespace perouter::netlink
