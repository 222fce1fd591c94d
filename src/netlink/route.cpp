// Routes. Ours carry protocol kRouteProtocol; that mark is how they are found again.
#include <fmt/format.h>
#include <linux/rtnetlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include "netlink/ops.hpp"
#include "netlink/route_dump.hpp"

namespace perouter::netlink::ops {

namespace {

std::string route_subject(std::string_view verb, const plan::RouteSpec& r) {
    std::string s =
        fmt::format("{} route {}{}", verb,
                    r.type == plan::RouteType::Unreachable ? "unreachable " : "", r.dst.str());
    if (r.gateway)
        s += fmt::format(" via {}", r.gateway->str());
    if (r.dev)
        s += fmt::format(" dev {}", *r.dev);
    if (r.table != RT_TABLE_MAIN)
        s += fmt::format(" table {}", r.table);
    if (r.metric != 0)
        s += fmt::format(" metric {}", r.metric);
    return s;
}

// The kernel form of a RouteSpec; the device is resolved by name in the socket's namespace.
Result<KernelRoute> to_kernel(nl_sock* sock, const plan::RouteSpec& r) {
    KernelRoute k;
    k.table = r.table;
    k.dst = r.dst.network();
    k.type = r.type == plan::RouteType::Unreachable ? RTN_UNREACHABLE : RTN_UNICAST;
    k.gateway = r.gateway;
    k.metric = plan::kernel_metric(r);
    k.protocol = plan::kRouteProtocol;
    k.scope =
        (r.type == plan::RouteType::Unicast && !r.gateway) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    if (r.dev) {
        auto link = get_link(sock, *r.dev);
        if (!link.ok())
            return fail(std::move(link).error());
        k.oif = rtnl_link_get_ifindex(link->get());
    }
    return k;
}

Result<RoutePtr> to_rtnl(const KernelRoute& k) {
    RoutePtr route(rtnl_route_alloc());
    NlAddrPtr dst = to_nl_addr(k.dst);
    rtnl_route_set_family(route.get(), static_cast<uint8_t>(k.dst.is_v4() ? AF_INET : AF_INET6));
    int err = rtnl_route_set_dst(route.get(), dst.get());
    if (err < 0)
        return fail(nl_error(err, ""));
    rtnl_route_set_table(route.get(), k.table);
    rtnl_route_set_type(route.get(), k.type);
    rtnl_route_set_protocol(route.get(), k.protocol);
    rtnl_route_set_priority(route.get(), k.metric);
    rtnl_route_set_scope(route.get(), k.scope);
    if (k.gateway || k.oif != 0) {
        rtnl_nexthop* nh = rtnl_route_nh_alloc();
        if (k.gateway) {
            NlAddrPtr gw = to_nl_addr(*k.gateway);
            rtnl_route_nh_set_gateway(nh, gw.get());
        }
        if (k.oif != 0)
            rtnl_route_nh_set_ifindex(nh, k.oif);
        rtnl_route_add_nexthop(route.get(), nh);  // the route owns nh now
    }
    return route;
}

bool same(const KernelRoute& a, const KernelRoute& b) {
    return a.table == b.table && a.dst == b.dst && a.type == b.type && a.gateway == b.gateway &&
           (a.type != RTN_UNICAST || a.oif == b.oif) && a.metric == b.metric &&
           a.protocol == b.protocol;
}

}  // namespace

Result<std::vector<KernelRoute>> dump_routes(nl_sock* sock) {
    std::vector<KernelRoute> out;
    auto dumped = for_each_route(sock, [&](rtnl_route* route, const RouteEncaps&) {
        int family = rtnl_route_get_family(route);
        KernelRoute k;
        k.table = rtnl_route_get_table(route);
        k.type = rtnl_route_get_type(route);
        k.metric = rtnl_route_get_priority(route);
        k.protocol = rtnl_route_get_protocol(route);
        k.scope = rtnl_route_get_scope(route);
        // A default route has no RTA_DST: libnl reports an empty address.
        auto dst = to_ip(rtnl_route_get_dst(route));
        int len = rtnl_route_get_dst(route) ? nl_addr_get_prefixlen(rtnl_route_get_dst(route)) : 0;
        if (!dst) {
            uint8_t zero[16] = {};
            dst = IpAddress::from_bytes(family == AF_INET ? Family::V4 : Family::V6, zero);
            len = 0;
        }
        k.dst = IpPrefix(*dst, len);
        if (rtnl_route_get_nnexthops(route) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(route, 0);
            k.gateway = to_ip(rtnl_route_nh_get_gateway(nh));
            k.oif = rtnl_route_nh_get_ifindex(nh);
        }
        out.push_back(k);
    });
    if (!dumped)
        return fail(std::move(dumped).error());
    return out;
}

Status add_kernel_route(nl_sock* sock, const KernelRoute& k) {
    auto route = to_rtnl(k);
    if (!route.ok())
        return fail(std::move(route).error());
    int err = rtnl_route_add(sock, route->get(), NLM_F_EXCL);
    if (err < 0)
        return fail(nl_error(err, ""));
    return {};
}

Status add_route(const Namespaces& ns, const plan::RouteSpec& r) {
    std::string subject = route_subject("add", r);
    auto sock = ns.socket(r.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto k = to_kernel(sock->get(), r);
    if (!k.ok())
        return fail(std::move(k).error().context(subject));
    auto added = add_kernel_route(sock->get(), *k);
    if (added.ok())
        return {};
    if (added.error().code != EEXIST)
        return fail(std::move(added).error().context(subject));
    // EEXIST is success only when the route in the way is exactly ours; a foreign route with
    // the same destination, table and metric is left alone and reported.
    auto routes = dump_routes(sock->get());
    if (!routes.ok())
        return fail(std::move(routes).error().context(subject));
    for (const auto& have : *routes)
        if (same(have, *k))
            return {};
    return fail(fmt::format("{}: a route perouter does not own is in the way", subject), EEXIST);
}

Status delete_route(const Namespaces& ns, const plan::RouteSpec& r) {
    std::string subject = route_subject("delete", r);
    auto sock = ns.socket(r.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto k = to_kernel(sock->get(), r);
    if (!k.ok()) {
        // The device is gone, and its routes with it.
        if (k.error().code == ENODEV || k.error().code == ENOENT)
            return {};
        return fail(std::move(k).error().context(subject));
    }
    auto route = to_rtnl(*k);
    if (!route.ok())
        return fail(std::move(route).error().context(subject));
    int err = rtnl_route_delete(sock->get(), route->get(), 0);
    int code = nl_errno(err);
    if (err < 0 && code != ENOENT && code != ESRCH)
        return fail(nl_error(err, subject));
    return {};
}

}  // namespace perouter::netlink::ops
