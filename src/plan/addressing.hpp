// Per-node address derivation, following the upstream Open PE Router rules so that a node keeps
// the same addresses whichever implementation configured it (documented in perouter.toml(5)).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/ip.hpp"
#include "common/result.hpp"

namespace perouter::plan {

/// BGP router id: host number index+1 of the router-id pool (node 0 -> 10.0.0.1 in 10.0.0.0/24).
Result<IpAddress> router_id(const IpPrefix& pool, uint32_t node_index);

/// VTEP address: host number index of the tunnel-endpoint pool (node 0 gets the network
/// address itself, as upstream does), used as a /32 or /128 on the router namespace's lo.
Result<IpAddress> vtep_address(const IpPrefix& pool, uint32_t node_index);

/// The two ends of a host-session veth.
struct VethAddresses {
    IpPrefix router;  // router side: the pool's first usable address, same on every node
    IpPrefix host;    // host side: unique per node
};

/// Router side = first address of the pool, or the second when the first ends in a zero byte;
/// host side = host number index+1 (index+2 when the first address was skipped). Both carry the
/// pool's prefix length. 192.169.10.0/24, node 0 -> router 192.169.10.1/24, host 192.169.10.2/24.
Result<VethAddresses> veth_addresses(const IpPrefix& pool, uint32_t node_index);

/// VXLAN overhead: 50 bytes over an IPv4 underlay, 70 over IPv6.
uint32_t vxlan_overhead(Family vtep_family);

/// MTU for the veths of a VNI, or nullopt when it would be unusable (unknown underlay MTU, or a
/// result at or below IPv6's minimum of 1280, where upstream leaves the MTU alone too).
std::optional<uint32_t> vni_mtu(uint32_t underlay_mtu, Family vtep_family);

/// Distributed anycast gateway MAC of an L2VNI: 00:f3 followed by vni+1 as a big-endian 32-bit
/// number. Identical on every node, so workloads keep their gateway's MAC when they move.
MacAddress anycast_gateway_mac(uint32_t vni);

/// Assigns routing tables to VRFs. VRFs that exist keep their table (recreating a VRF would
/// flap its traffic); new ones get the lowest free table >= 1, skipping the kernel's reserved
/// 253 (default), 254 (main) and 255 (local).
class VrfTableAllocator {
  public:
    explicit VrfTableAllocator(const std::map<std::string, uint32_t>& existing);
    uint32_t table_for(const std::string& vrf);

  private:
    std::map<std::string, uint32_t> assigned_;
    std::set<uint32_t> used_;
};

}  // namespace perouter::plan
