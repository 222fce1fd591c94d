#include "config/node_addresses.hpp"

#include <fmt/format.h>

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
