#include "plan/addressing.hpp"

#include <fmt/format.h>

namespace perouter::plan {

Result<IpAddress> router_id(const IpPrefix& pool, uint32_t node_index) {
    auto a = pool.host(uint64_t{node_index} + 1);
    if (!a)
        return fail(fmt::format("router_id_cidr {} has no address for node index {}", pool.str(),
                                node_index));
    return *a;
}

Result<IpAddress> vtep_address(const IpPrefix& pool, uint32_t node_index) {
    auto a = pool.host(node_index);
    if (!a)
        return fail(fmt::format("tunnel endpoint cidr {} has no address for node index {}",
                                pool.str(), node_index));
    return *a;
}

Result<VethAddresses> veth_addresses(const IpPrefix& pool, uint32_t node_index) {
    IpPrefix net = pool.network();
    uint64_t first = 0;
    // The network address of an IPv4 pool ends in a zero byte and cannot be used; the same rule
    // is applied to IPv6 for symmetry with upstream ("::" is skipped, "::1" taken).
    const IpAddress& base = net.address();
    if (base.data()[base.size() - 1] == 0)
        first = 1;
    auto router = net.host(first);
    auto host = net.host(first + 1 + node_index);
    if (!router || !host)
        return fail(fmt::format("local_cidr {} has no host address for node index {}", pool.str(),
                                node_index));
    return VethAddresses{IpPrefix(*router, pool.length()), IpPrefix(*host, pool.length())};
}

uint32_t vxlan_overhead(Family vtep_family) {
    return vtep_family == Family::V4 ? 50 : 70;
}

std::optional<uint32_t> vni_mtu(uint32_t underlay_mtu, Family vtep_family) {
    uint32_t overhead = vxlan_overhead(vtep_family);
    if (underlay_mtu <= overhead + 1280)
        return std::nullopt;
    return underlay_mtu - overhead;
}

MacAddress anycast_gateway_mac(uint32_t vni) {
    uint32_t v = vni + 1;
    return MacAddress{{0x00, 0xf3, static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                       static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}};
}

VrfTableAllocator::VrfTableAllocator(const std::map<std::string, uint32_t>& existing)
    : assigned_(existing) {
    for (const auto& [name, table] : existing)
        used_.insert(table);
}

uint32_t VrfTableAllocator::table_for(const std::string& vrf) {
    if (auto it = assigned_.find(vrf); it != assigned_.end())
        return it->second;
    uint32_t t = 1;
    while (used_.count(t) != 0 || (t >= 253 && t <= 255))
        ++t;
    used_.insert(t);
    assigned_[vrf] = t;
    return t;
}

}  // namespace perouter::plan
