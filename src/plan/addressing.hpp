// Per-node values the planner derives: VXLAN MTU, anycast gateway MAC, VRF tables; the node's
// addresses come from src/config/node_addresses.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "config/node_addresses.hpp"

namespace perouter::plan {

// The node's own addresses: one owner, src/config/node_addresses.hpp (validation needs them too).
using config::router_id;
using config::veth_addresses;
using config::VethAddresses;
using config::vtep_address;

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
