#include "netlink/forwarding.hpp"

#include <fmt/format.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <sys/socket.h>

#include <map>

#include "netlink/route_dump.hpp"

namespace perouter::netlink {

namespace {

using reconcile::NeighbourState;
using reconcile::RouteKind;
using NeighPtr = std::unique_ptr<rtnl_neigh, Deleter<rtnl_neigh_put>>;

RouteKind route_kind(uint8_t type) {
    switch (type) {
        case RTN_UNICAST:
            return RouteKind::Unicast;
        case RTN_UNREACHABLE:
            return RouteKind::Unreachable;
        case RTN_BLACKHOLE:
            return RouteKind::Blackhole;
        case RTN_PROHIBIT:
            return RouteKind::Prohibit;
        default:
            return RouteKind::Other;
    }
}

std::string name_of(const std::map<int, std::string>& names, int ifindex) {
    auto it = names.find(ifindex);
    return it != names.end() ? it->second : std::string();
}

Result<std::map<int, std::string>> link_names(nl_sock* sock) {
    nl_cache* raw = nullptr;
    int err = rtnl_link_alloc_cache(sock, AF_UNSPEC, &raw);
    if (err < 0)
        return fail(nl_error(err, "dump links"));
    CachePtr cache(raw);
    std::map<int, std::string> names;
    for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        names[rtnl_link_get_ifindex(link)] = rtnl_link_get_name(link);
    }
    return names;
}

Status read_routes(nl_sock* sock, uint32_t table, const std::map<int, std::string>& names,
                   reconcile::VrfForwarding& out) {
    return for_each_route(sock, [&](rtnl_route* route, const RouteEncaps& encaps) {
        int family = rtnl_route_get_family(route);
        if (rtnl_route_get_table(route) != table)
            return;
        reconcile::FibRoute r;
        r.kind = route_kind(rtnl_route_get_type(route));
        r.protocol = rtnl_route_get_protocol(route);
        r.metric = rtnl_route_get_priority(route);
        // A default route has no RTA_DST: libnl reports an empty address.
        nl_addr* dst = rtnl_route_get_dst(route);
        auto addr = to_ip(dst);
        int len = dst != nullptr ? static_cast<int>(nl_addr_get_prefixlen(dst)) : 0;
        if (!addr) {
            uint8_t zero[16] = {};
            addr = IpAddress::from_bytes(family == AF_INET ? Family::V4 : Family::V6, zero);
            len = 0;
        }
        r.dst = IpPrefix(*addr, len);
        for (int i = 0; i < rtnl_route_get_nnexthops(route); ++i) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(route, i);
            reconcile::NextHop hop;
            hop.gateway = to_ip(rtnl_route_nh_get_gateway(nh));
            // An IPv4 route through an IPv6 next hop (RTA_VIA): SRv6 VPN routes over an IPv6
            // underlay.
            if (!hop.gateway)
                hop.gateway = to_ip(rtnl_route_nh_get_via(nh));
            hop.dev = name_of(names, rtnl_route_nh_get_ifindex(nh));
            hop.onlink = (rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK) != 0;
            if (static_cast<size_t>(i) < encaps.srv6_sids.size())
                hop.srv6_sid = encaps.srv6_sids[static_cast<size_t>(i)];
            r.nexthops.push_back(std::move(hop));
        }
        out.routes.push_back(std::move(r));
    });
}

void read_neighbours(nl_cache* cache, const std::map<int, std::string>& names,
                     reconcile::VrfForwarding& out) {
    for (nl_object* o = nl_cache_get_first(cache); o != nullptr; o = nl_cache_get_next(o)) {
        auto* n = reinterpret_cast<rtnl_neigh*>(o);
        int family = rtnl_neigh_get_family(n);
        std::string dev = name_of(names, rtnl_neigh_get_ifindex(n));
        if (family == AF_BRIDGE) {
            if (out.vxlan.empty() || dev != out.vxlan)
                continue;
            auto mac = to_mac(rtnl_neigh_get_lladdr(n));
            if (!mac)
                continue;
            out.fdb.push_back(reconcile::FdbEntry{*mac, to_ip(rtnl_neigh_get_dst(n)), dev});
            continue;
        }
        if (family != AF_INET && family != AF_INET6)
            continue;
        auto ip = to_ip(rtnl_neigh_get_dst(n));
        if (!ip)
            continue;
        out.neighbours.push_back(reconcile::Neighbour{
            *ip, to_mac(rtnl_neigh_get_lladdr(n)), neighbour_state(rtnl_neigh_get_state(n)), dev});
    }
}

// A neighbour dump of `family`: AF_UNSPEC gives the IPv4/IPv6 neighbour tables, AF_BRIDGE the
// bridge FDB (the kernel answers the two in separate dumps).
Result<CachePtr> dump_neighbours(nl_sock* sock, int family) {
    nl_cache* raw = nullptr;
    int err = nl_cache_alloc_name("route/neigh", &raw);
    if (err < 0)
        return fail(nl_error(err, "dump neighbours"));
    CachePtr cache(raw);
    nl_cache_set_arg1(cache.get(), family);
    err = nl_cache_refill(sock, cache.get());
    if (err < 0)
        return fail(nl_error(err, family == AF_BRIDGE ? "dump fdb" : "dump neighbours"));
    return cache;
}

Status read_neighbours(nl_sock* sock, const std::map<int, std::string>& names,
                       reconcile::VrfForwarding& out) {
    for (int family : {AF_UNSPEC, AF_BRIDGE}) {
        auto cache = dump_neighbours(sock, family);
        if (!cache.ok())
            return fail(std::move(cache).error());
        read_neighbours(cache->get(), names, out);
    }
    return {};
}

}  // namespace

NeighbourState neighbour_state(int nud) {
    if (nud & NUD_PERMANENT)
        return NeighbourState::Permanent;
    if (nud & NUD_NOARP)
        return NeighbourState::Noarp;
    if (nud & NUD_REACHABLE)
        return NeighbourState::Reachable;
    if (nud & NUD_STALE)
        return NeighbourState::Stale;
    if (nud & NUD_DELAY)
        return NeighbourState::Delay;
    if (nud & NUD_PROBE)
        return NeighbourState::Probe;
    if (nud & NUD_FAILED)
        return NeighbourState::Failed;
    if (nud & NUD_INCOMPLETE)
        return NeighbourState::Incomplete;
    return NeighbourState::None;
}

Result<reconcile::VrfForwarding> observe_forwarding(const Namespaces& ns, plan::Side side,
                                                    const std::string& vrf, uint32_t table,
                                                    const std::string& vxlan) {
    std::string subject = fmt::format("forwarding of vrf {} (table {})", vrf, table);
    auto sock = ns.socket(side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto names = link_names(sock->get());
    if (!names.ok())
        return fail(std::move(names).error().context(subject));
    reconcile::VrfForwarding out;
    out.vrf = vrf;
    out.table = table;
    out.vxlan = vxlan;
    if (auto s = read_routes(sock->get(), table, *names, out); !s.ok())
        return fail(std::move(s).error().context(subject));
    if (auto s = read_neighbours(sock->get(), *names, out); !s.ok())
        return fail(std::move(s).error().context(subject));
    return out;
}

Result<uint32_t> vrf_table(const Namespaces& ns, plan::Side side, const std::string& vrf) {
    std::string subject = fmt::format("table of vrf {}", vrf);
    auto sock = ns.socket(side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto link = get_link(sock->get(), vrf);
    if (!link.ok())
        return fail(std::move(link).error().context(subject));
    uint32_t table = 0;
    if (!rtnl_link_is_vrf(link->get()) || rtnl_link_vrf_get_tableid(link->get(), &table) != 0)
        return fail(fmt::format("{}: '{}' is not a VRF", subject, vrf), EINVAL);
    return table;
}

}  // namespace perouter::netlink
