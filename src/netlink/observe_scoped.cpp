// The scoped observer (observe.hpp observe_links): only the links a reconcile of a few owners
// touches, each fetched by name, so that its cost does not grow with the links around them.
// Bridge-port flags come from the same reply (IFLA_INFO_SLAVE_DATA), addresses from a dump the
// kernel filters by interface (NETLINK_GET_STRICT_CHK).
#include <fmt/format.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <cstring>

#include "netlink/observe.hpp"
#include "netlink/observe_detail.hpp"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace perouter::netlink {

namespace {

using plan::Side;

struct Fetched {
    LinkPtr link;
    std::optional<plan::BridgePortAttrs> port;
};

std::optional<plan::BridgePortAttrs> bridge_port_of(nlmsghdr* hdr) {
    nlattr* tb[IFLA_MAX + 1] = {};
    if (nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 ||
        tb[IFLA_LINKINFO] == nullptr)
        return std::nullopt;
    nlattr* info[IFLA_INFO_MAX + 1] = {};
    if (nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) < 0 ||
        info[IFLA_INFO_SLAVE_KIND] == nullptr || info[IFLA_INFO_SLAVE_DATA] == nullptr)
        return std::nullopt;
    if (std::strcmp(nla_get_string(info[IFLA_INFO_SLAVE_KIND]), "bridge") != 0)
        return std::nullopt;
    nlattr* port[IFLA_BRPORT_MAX + 1] = {};
    if (nla_parse_nested(port, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], nullptr) < 0)
        return std::nullopt;
    plan::BridgePortAttrs attrs;
    if (port[IFLA_BRPORT_LEARNING] != nullptr)
        attrs.learning = nla_get_u8(port[IFLA_BRPORT_LEARNING]) != 0;
    if (port[IFLA_BRPORT_NEIGH_SUPPRESS] != nullptr)
        attrs.neigh_suppress = nla_get_u8(port[IFLA_BRPORT_NEIGH_SUPPRESS]) != 0;
    return attrs;
}

void collect_link(nl_msg* msg, Fetched& f) {
    nlmsghdr* hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type != RTM_NEWLINK)
        return;
    nl_msg_parse(
        msg,
        [](nl_object* o, void* a) {
            nl_object_get(o);
            static_cast<Fetched*>(a)->link.reset(reinterpret_cast<rtnl_link*>(o));
        },
        &f);
    f.port = bridge_port_of(hdr);
}

// One RTM_GETLINK by name (or by index when `name` is empty); nullopt when there is no such link.
Result<std::optional<Fetched>> fetch_link(nl_sock* sock, const std::string& name, int ifindex) {
    std::string what = name.empty() ? fmt::format("look up link {}", ifindex)
                                    : fmt::format("look up link '{}'", name);
    MsgPtr msg(nlmsg_alloc_simple(RTM_GETLINK, 0));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (!msg || nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        (!name.empty() && nla_put_string(msg.get(), IFLA_IFNAME, name.c_str()) < 0))
        return fail(errno_error(ENOMEM, what));
    Fetched f;
    int err = send_and_receive(sock, msg.get(), [&](nl_msg* m) { collect_link(m, f); });
    if (err < 0) {
        if (nl_errno(err) == ENODEV || err == -NLE_OBJ_NOTFOUND)
            return std::optional<Fetched>();
        return fail(nl_error(err, what));
    }
    // An acknowledged request without a reply: the kernel has no such link.
    if (!f.link)
        return std::optional<Fetched>();
    // The reply is followed by the acknowledgement of the request (as in rtnl_link_get_kernel).
    err = nl_wait_for_ack(sock);
    if (err < 0)
        return fail(nl_error(err, what));
    return std::optional<Fetched>(std::move(f));
}

void collect_address(nl_msg* msg, std::vector<IpPrefix>& out) {
    nl_msg_parse(
        msg,
        [](nl_object* o, void* a) {
            auto* addr = reinterpret_cast<rtnl_addr*>(o);
            auto ip = to_ip(rtnl_addr_get_local(addr));
            if (!ip || (ip->is_v6() && ip->is_link_local()))
                return;
            static_cast<std::vector<IpPrefix>*>(a)->push_back(
                IpPrefix(*ip, rtnl_addr_get_prefixlen(addr)));
        },
        &out);
}

// The addresses of one family on one interface: a dump the kernel filters by ifa_index (strict
// checking; an AF_UNSPEC dump would also ask families that refuse the filter).
Status addresses_of(nl_sock* sock, int ifindex, int family, std::vector<IpPrefix>& out) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP));
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(family);
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    if (!msg || nlmsg_append(msg.get(), &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0)
        return fail(errno_error(ENOMEM, "dump addresses"));
    int err = send_and_receive(sock, msg.get(), [&](nl_msg* m) { collect_address(m, out); });
    if (err < 0)
        return fail(nl_error(err, fmt::format("dump addresses of link {}", ifindex)));
    return {};
}

Result<std::vector<IpPrefix>> addresses_of(nl_sock* sock, int ifindex) {
    std::vector<IpPrefix> out;
    for (int family : {AF_INET, AF_INET6})
        PEROUTER_TRY(addresses_of(sock, ifindex, family, out));
    return out;
}

bool of_interest(const reconcile::ObservedRoute& r, const std::vector<plan::RouteSpec>& routes,
                 const LinkNames& names) {
    if (r.dev && names.contains({r.side, *r.dev}))
        return true;
    for (const auto& w : routes)
        if (w.side == r.side && w.table == r.table && w.dst == r.dst && w.type == r.type)
            return true;
    return false;
}

Status observe_named_side(const Namespaces& ns, Side side, const LinkNames& names,
                          const std::vector<plan::RouteSpec>& routes, reconcile::Observed& out,
                          std::vector<detail::PeerRef>& peers) {
    auto sock = ns.socket(side);
    if (!sock.ok())
        return fail(std::move(sock).error());
    int strict = 1;
    if (::setsockopt(nl_socket_get_fd(sock->get()), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &strict,
                     sizeof(strict)) != 0)
        return fail(errno_error(errno, "netlink strict checking"));

    std::map<int, Fetched> fetched;
    std::map<int, std::string> index_names;
    for (const auto& [s, name] : names) {
        if (s != side)
            continue;
        auto f = fetch_link(sock->get(), name, 0);
        if (!f.ok())
            return fail(std::move(f).error());
        if (!*f)
            continue;
        int ifindex = rtnl_link_get_ifindex((*f)->link.get());
        index_names[ifindex] = name;
        fetched.emplace(ifindex, std::move(**f));
    }
    // Masters outside the named set (a foreign bridge, say) are looked up for their names.
    for (const auto& [ifindex, f] : fetched) {
        int master = rtnl_link_get_master(f.link.get());
        if (master == 0 || index_names.contains(master))
            continue;
        auto m = fetch_link(sock->get(), "", master);
        if (!m.ok())
            return fail(std::move(m).error());
        if (*m)
            index_names[master] = rtnl_link_get_name((*m)->link.get());
    }
    std::map<int, plan::BridgePortAttrs> ports;
    for (const auto& [ifindex, f] : fetched)
        if (f.port)
            ports[ifindex] = *f.port;
    for (const auto& [ifindex, f] : fetched) {
        reconcile::ObservedLink obs = detail::to_observed(f.link.get(), side, index_names, ports);
        if (obs.kind == plan::KernelKind::Veth)
            peers.push_back(detail::peer_ref(f.link.get(), side));
        auto addrs = addresses_of(sock->get(), ifindex);
        if (!addrs.ok())
            return fail(std::move(addrs).error());
        for (const auto& a : *addrs)
            out.addresses.push_back(reconcile::ObservedAddress{side, obs.name, a});
        out.links.push_back(std::move(obs));
    }
    PEROUTER_TRY(detail::read_ipv6_off(ns, side, out.links));
    if (routes.empty())
        return {};
    // Routes the slice (or the state it replaces) lists: one dump, kept when they matter here.
    auto kernel = ops::dump_routes(sock->get());
    if (!kernel.ok())
        return fail(std::move(kernel).error());
    for (const auto& k : *kernel) {
        if (k.protocol != plan::kRouteProtocol ||
            (k.type != RTN_UNICAST && k.type != RTN_UNREACHABLE))
            continue;
        auto r = detail::to_observed(k, side, index_names);
        if (of_interest(r, routes, names))
            out.routes.push_back(std::move(r));
    }
    return {};
}

}  // namespace

Result<reconcile::Observed> observe_links(Namespaces& ns, const LinkNames& names,
                                          const std::vector<plan::RouteSpec>& routes) {
    reconcile::Observed out;
    out.router_ns_exists = ns.router_exists();
    std::vector<detail::PeerRef> peers;
    if (Status st = observe_named_side(ns, Side::Host, names, routes, out, peers); !st)
        return fail(std::move(st).error().context("observe host namespace"));
    if (out.router_ns_exists) {
        if (Status st = observe_named_side(ns, Side::Router, names, routes, out, peers); !st)
            return fail(std::move(st).error().context("observe router namespace"));
    }
    detail::resolve_veth_peers(out, peers);
    return out;
}

}  // namespace perouter::netlink
