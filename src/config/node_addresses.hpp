// Per-node address derivation, following the upstream Open PE Router rules so that a node keeps
// the same addresses whichever implementation configured it (documented in perouter.toml(5)).
// The one owner of these rules: the planner (src/plan) builds the node's addresses with them and
// validation (src/config/validate.cpp) checks pools and neighbours against them.
#pragma once

#include <cstdint>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// BGP router id: host number index+1 of the router-id pool (node 0 -> 10.0.0.1 in 10.0.0.0/24).
Result<IpAddress> router_id(const IpPrefix& pool, uint32_t node_index);

/// VTEP address: host number index of the tunnel-endpoint pool (node 0 gets the network
/// address itself, as upstream does), used as a /32 or /128 on the router namespace's lo.
Result<IpAddress> vtep_address(const IpPrefix& pool, uint32_t node_index);

/// This node's SRv6 locator: the /64 written as `locator`, or the index-th /64 of
/// `locator_pool` (fd00:0:1::/48, node 3 -> fd00:0:1:3::/64).
Result<IpPrefix> srv6_locator(const Srv6& srv6, uint32_t node_index);

/// The two ends of a host-session veth.
struct VethAddresses {
    IpPrefix router;  // router side: the pool's first usable address, same on every node
    IpPrefix host;    // host side: unique per node
};

/// Router side = first address of the pool, or the second when the first ends in a zero byte;
/// host side = host number index+1 (index+2 when the first address was skipped). Both carry the
/// pool's prefix length. 192.169.10.0/24, node 0 -> router 192.169.10.1/24, host 192.169.10.2/24.
Result<VethAddresses> veth_addresses(const IpPrefix& pool, uint32_t node_index);

}  // namespace perouter::config
