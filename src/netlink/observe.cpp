#include "netlink/observe.hpp"

#include <fmt/format.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/link/vxlan.h>

#include <map>
#include <set>

#include "netlink/observe_detail.hpp"
#include "netlink/ops.hpp"

namespace perouter::netlink {

namespace detail {

using plan::Side;
using reconcile::ObservedLink;

std::set<std::string> host_names_referenced(const plan::DesiredState& d) {
    std::set<std::string> names(d.underlay_nics.begin(), d.underlay_nics.end());
    for (const auto& e : d.external_links)
        if (e.side == Side::Host)
            names.insert(e.name);
    for (const auto& l : d.links)
        if (l.side == Side::Host)
            names.insert(l.name);
    for (const auto& a : d.addresses)
        if (a.side == Side::Host)
            names.insert(a.link);
    for (const auto& r : d.routes)
        if (r.side == Side::Host && r.dev)
            names.insert(*r.dev);
    for (const auto& s : d.sysctls)
        if (auto iface = plan::sysctl_interface(s.key); s.side == Side::Host && iface)
            names.insert(*iface);
    return names;
}

ObservedLink to_observed(rtnl_link* link, Side side, const std::map<int, std::string>& names,
                         const std::map<int, plan::BridgePortAttrs>& ports) {
    ObservedLink o;
    o.side = side;
    o.ifindex = rtnl_link_get_ifindex(link);
    o.name = rtnl_link_get_name(link);
    if (const char* kind = rtnl_link_get_type(link)) {
        o.kind = plan::from_kernel(kind);
        if (o.kind == plan::KernelKind::Other)
            o.other_kind = kind;
    }
    if (int master = rtnl_link_get_master(link); master != 0) {
        if (auto it = names.find(master); it != names.end())
            o.master = it->second;
    }
    o.mtu = rtnl_link_get_mtu(link);
    o.mac = to_mac(rtnl_link_get_addr(link));
    o.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
    o.group = rtnl_link_get_group(link);
    if (const char* alias = rtnl_link_get_ifalias(link))
        o.alias = alias;
    uint8_t mode = 0;
    o.addr_gen_mode_none =
        rtnl_link_inet6_get_addr_gen_mode(link, &mode) == 0 && mode == IN6_ADDR_GEN_MODE_NONE;
    if (rtnl_link_is_vrf(link)) {
        uint32_t table = 0;
        if (rtnl_link_vrf_get_tableid(link, &table) == 0)
            o.vrf_table = table;
    }
    if (rtnl_link_is_vxlan(link)) {
        plan::VxlanAttrs v;
        uint32_t id = 0, port = 0;
        nl_addr* local = nullptr;
        bool ok = rtnl_link_vxlan_get_id(link, &id) == 0 &&
                  rtnl_link_vxlan_get_port(link, &port) == 0 &&
                  rtnl_link_vxlan_get_local(link, &local) == 0;
        NlAddrPtr local_owner(local);
        auto local_ip = to_ip(local);
        int learning = rtnl_link_vxlan_get_learning(link);
        if (ok && local_ip && learning >= 0) {
            v.vni = id;
            v.port = static_cast<uint16_t>(port);
            v.local = *local_ip;
            v.learning = learning != 0;
            o.vxlan = v;
        }
    }
    if (auto macvlan = ops::macvlan_mode(link)) {
        o.macvlan_mode = macvlan;
        o.parent_ifindex = rtnl_link_get_link(link);
    }
    if (o.master) {
        if (auto it = ports.find(o.ifindex); it != ports.end())
            o.bridge_port = it->second;
    }
    return o;
}

PeerRef peer_ref(rtnl_link* link, Side side) {
    int32_t nsid = 0;
    return PeerRef{side, rtnl_link_get_ifindex(link), rtnl_link_get_link(link),
                   rtnl_link_get_link_netnsid(link, &nsid) == 0};
}

reconcile::ObservedRoute to_observed(const ops::KernelRoute& k, Side side,
                                     const std::map<int, std::string>& names) {
    reconcile::ObservedRoute r;
    r.side = side;
    r.table = k.table;
    r.dst = k.dst;
    r.type = k.type == RTN_UNREACHABLE ? plan::RouteType::Unreachable : plan::RouteType::Unicast;
    r.gateway = k.gateway;
    // IPv6 unreachable routes report lo as their device; only unicast routes have a real one.
    if (k.type == RTN_UNICAST && k.oif != 0) {
        if (auto it = names.find(k.oif); it != names.end())
            r.dev = it->second;
    }
    r.metric = k.metric;
    r.protocol = k.protocol;
    return r;
}

// Two veths are peers when each one's IFLA_LINK names the other and both agree on whether
// the other end is in another namespace. Checking both directions rules out an ifindex that
// merely happens to match in the wrong namespace.
void resolve_veth_peers(reconcile::Observed& out, const std::vector<PeerRef>& peers) {
    std::map<std::pair<Side, int>, const PeerRef*> by_index;
    for (const auto& p : peers)
        by_index[{p.side, p.ifindex}] = &p;
    std::map<std::pair<Side, int>, ObservedLink*> links;
    for (auto& l : out.links)
        links[{l.side, l.ifindex}] = &l;
    for (const auto& p : peers) {
        Side other = p.peer_elsewhere ? (p.side == Side::Host ? Side::Router : Side::Host) : p.side;
        auto q = by_index.find({other, p.peer_ifindex});
        if (q == by_index.end() || q->second->peer_ifindex != p.ifindex ||
            q->second->peer_elsewhere != p.peer_elsewhere)
            continue;
        auto self = links.find({p.side, p.ifindex});
        auto peer = links.find({other, p.peer_ifindex});
        if (self == links.end() || peer == links.end())
            continue;
        self->second->veth_peer = peer->second->name;
        self->second->veth_peer_side = other;
    }
}

Status read_ipv6_off(const Namespaces& ns, Side side, std::vector<ObservedLink>& links) {
    return ns.run_in(side, [&]() -> Status {
        for (auto& l : links) {
            if (l.side != side || (!l.master && side != Side::Router) || !reconcile::is_owned(l))
                continue;
            auto value = ops::read_sysctl(plan::ipv6_disable_key(l.name));
            if (!value.ok())
                return fail(std::move(value).error());
            if (*value)
                l.ipv6_off = **value != "0";
        }
        return {};
    });
}

}  // namespace detail

namespace {

using namespace detail;

Status observe_side(const Namespaces& ns, Side side, const plan::DesiredState& desired,
                    reconcile::Observed& out, std::vector<PeerRef>& peers) {
    auto sock = ns.socket(side);
    if (!sock.ok())
        return fail(std::move(sock).error());
    nl_cache* raw = nullptr;
    int err = rtnl_link_alloc_cache(sock->get(), AF_UNSPEC, &raw);
    if (err < 0)
        return fail(nl_error(err, "dump links"));
    CachePtr cache(raw);
    auto ports = ops::dump_bridge_ports(sock->get());
    if (!ports.ok())
        return fail(std::move(ports).error());

    std::map<int, std::string> names;
    for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        names[rtnl_link_get_ifindex(link)] = rtnl_link_get_name(link);
    }

    std::set<std::string> referenced;
    if (side == Side::Host)
        referenced = host_names_referenced(desired);
    std::map<int, std::string> kept;
    for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        ObservedLink obs = to_observed(link, side, names, *ports);
        if (side == Side::Host && !reconcile::is_owned(obs) && !referenced.contains(obs.name))
            continue;
        if (obs.kind == plan::KernelKind::Veth)
            peers.push_back(peer_ref(link, side));
        kept[obs.ifindex] = obs.name;
        out.links.push_back(std::move(obs));
    }

    PEROUTER_TRY(read_ipv6_off(ns, side, out.links));

    auto addrs = ops::dump_addresses(sock->get());
    if (!addrs.ok())
        return fail(std::move(addrs).error());
    for (const auto& a : *addrs) {
        if (auto it = kept.find(a.ifindex); it != kept.end())
            out.addresses.push_back(reconcile::ObservedAddress{side, it->second, a.prefix});
    }

    auto routes = ops::dump_routes(sock->get());
    if (!routes.ok())
        return fail(std::move(routes).error());
    for (const auto& k : *routes) {
        if (k.protocol != plan::kRouteProtocol)
            continue;
        if (k.type != RTN_UNICAST && k.type != RTN_UNREACHABLE)
            continue;
        out.routes.push_back(to_observed(k, side, names));
    }
    return {};
}

}  // namespace

Result<reconcile::Observed> observe(Namespaces& ns, const plan::DesiredState& desired) {
    reconcile::Observed out;
    out.router_ns_exists = ns.router_exists();
    std::vector<PeerRef> peers;
    auto host = observe_side(ns, Side::Host, desired, out, peers);
    if (!host.ok())
        return fail(std::move(host).error().context("observe host namespace"));
    if (out.router_ns_exists) {
        auto router = observe_side(ns, Side::Router, desired, out, peers);
        if (!router.ok())
            return fail(std::move(router).error().context("observe router namespace"));
    }
    resolve_veth_peers(out, peers);

    for (const auto& s : desired.sysctls) {
        if (s.side == Side::Router && !out.router_ns_exists)
            continue;
        auto value = ns.run_in(s.side, [&] { return ops::read_sysctl(s.key); });
        if (!value.ok())
            return fail(std::move(value).error().context(
                fmt::format("observe {} namespace", plan::to_string(s.side))));
        if (*value)
            out.sysctls[{s.side, s.key}] = **value;
    }
    return out;
}

Result<std::vector<IpPrefix>> link_addresses(const Namespaces& ns, Side side,
                                             const std::string& link) {
    std::string subject = fmt::format("addresses of '{}' in {}", link, plan::to_string(side));
    auto sock = ns.socket(side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto l = get_link(sock->get(), link);
    if (!l.ok())
        return fail(std::move(l).error().context(subject));
    auto addrs = ops::dump_addresses(sock->get());
    if (!addrs.ok())
        return fail(std::move(addrs).error().context(subject));
    std::vector<IpPrefix> out;
    for (const auto& a : *addrs)
        if (a.ifindex == rtnl_link_get_ifindex(l->get()))
            out.push_back(a.prefix);
    return out;
}

}  // namespace perouter::netlink
