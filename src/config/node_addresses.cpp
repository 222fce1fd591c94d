#include "config/node_addresses.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace perouter::config {

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

Result<IpPrefix> srv6_locator(const Srv6& srv6, uint32_t node_index) {
    if (srv6.locator)
        return srv6.locator->network();
    if (!srv6.locator_pool)
        return fail("[underlay.srv6] has neither 'locator' nor 'locator_pool'", EINVAL);
    const IpPrefix pool = srv6.locator_pool->network();
    // The index goes into the bits between the pool's length and 64.
    const int room = 64 - pool.length();
    if (room < 0 || (room < 32 && node_index >= (uint64_t{1} << room)))
        return fail(
            fmt::format("locator_pool {} has no /64 for node index {}", pool.str(), node_index),
            ERANGE);
    std::array<uint8_t, 16> bytes{};
    std::copy(pool.address().data(), pool.address().data() + 16, bytes.begin());
    uint64_t high = 0;
    for (int i = 0; i < 8; ++i)
        high = (high << 8) | bytes[i];
    high += node_index;
    for (int i = 7; i >= 0; --i, high >>= 8)
        bytes[i] = static_cast<uint8_t>(high & 0xff);
    return IpPrefix(IpAddress::from_bytes(Family::V6, bytes.data()), 64);
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

}  // namespace perouter::config
