#include "config/address_rules.hpp"

#include <fmt/format.h>

#include <string_view>

namespace perouter::config {

namespace {

struct SpecialRange {
    std::string_view cidr;
    std::string_view range;    // for pools: "overlaps the loopback range 127.0.0.0/8"
    std::string_view address;  // for neighbours: "is a loopback address"; empty = allowed
};

// RFC 6890's ranges that can never hold a node's own unicast addresses.
constexpr SpecialRange kSpecialRanges[] = {
    {"0.0.0.0/8", "the 'this network' range", "in the 'this network' range 0.0.0.0/8"},
    {"127.0.0.0/8", "the loopback range", "a loopback address"},
    {"169.254.0.0/16", "the link-local range", ""},
    {"224.0.0.0/4", "the multicast range", "a multicast address"},
    {"240.0.0.0/4", "the reserved range", ""},
    {"::/128", "the unspecified address", "the unspecified address"},
    {"::1/128", "the loopback address", "a loopback address"},
    {"::ffff:0:0/96", "the IPv4-mapped range", ""},
    {"fe80::/10", "the link-local range",
     "an IPv6 link-local address (a neighbour has no interface to reach it through)"},
    {"ff00::/8", "the multicast range", "a multicast address"},
};

IpPrefix range(const SpecialRange& r) {
    return *IpPrefix::parse(r.cidr);
}

}  // namespace

IpAddress unmapped(const IpAddress& a) {
    static const IpPrefix kMapped = *IpPrefix::parse("::ffff:0:0/96");
    if (!kMapped.contains(a))
        return a;
    return IpAddress::from_bytes(Family::V4, a.data() + 12);
}

std::optional<std::string> neighbor_address_problem(const IpAddress& addr) {
    const IpAddress a = unmapped(addr);
    if (a == *IpAddress::parse("255.255.255.255"))
        return "is the broadcast address";
    for (const auto& r : kSpecialRanges)
        if (!r.address.empty() && range(r).contains(a))
            return fmt::format("is {}", r.address);
    return std::nullopt;
}

std::optional<std::string> pool_problem(const IpPrefix& p) {
    for (const auto& r : kSpecialRanges)
        if (range(r).overlaps(p))
            return fmt::format("overlaps {} {}", r.range, r.cidr);
    return std::nullopt;
}

std::optional<std::string> macvlan_address_problem(const IpPrefix& p) {
    if (p.address().is_v6() && p.address().is_link_local())
        return "is link-local: the kernel gives the macvlan one by itself";
    if (auto problem = neighbor_address_problem(unmapped(p.address())))
        return problem;
    if (!p.has_host_bits() && p.length() < p.address().bits() - 1)
        return "is the network address of its prefix, not an address on it";
    return std::nullopt;
}

std::optional<std::string> unicast_mac_problem(const MacAddress& m) {
    if (m.bytes[0] & 0x01)
        return "is a multicast address";
    if (m == MacAddress{})
        return "is all zeros";
    return std::nullopt;
}

}  // namespace perouter::config
