// L3VNI: VRF + br-pe-<vni> + vni<vni> in the router namespace, an optional host-session veth,
// the VRF's FRR instance, and the host default route when this VNI carries the gateway. The VRF
// and host-session parts are shared with the L3VPN (plan/l3vpn.cpp).
#include <fmt/format.h>

#include "config/names.hpp"
#include "plan/builder.hpp"

namespace perouter::plan::detail {

void add_gateway_networks(const config::Config& cfg, const std::string& domain, frr::Vrf& fv) {
    for (const config::L2Vni& l2 : cfg.l2vnis) {
        if (l2.routing_domain != domain)
            continue;
        for (const IpPrefix& gw : l2.gateway_ips)
            (gw.is_v4() ? fv.networks_v4 : fv.networks_v6).push_back(gw.network().str());
    }
}

void add_vrf(Builder& b, const std::string& name, uint32_t table, const std::string& owner,
             VrfDefaults defaults) {
    LinkSpec vrf;
    vrf.side = Side::Router;
    vrf.name = name;
    vrf.kind = LinkKind::Vrf;
    vrf.vrf_table = table;
    vrf.owner = owner;
    b.out.links.push_back(vrf);
    // Without these, a lookup that misses in the VRF falls through to the namespace's main
    // table and traffic leaks between VPNs and the underlay (upstream issues #227, #516).
    for (const char* dst : {"0.0.0.0/0", "::/0"}) {
        if (defaults == VrfDefaults::Ipv4Only && std::string_view(dst) == "::/0")
            continue;
        RouteSpec r;
        r.side = Side::Router;
        r.table = table;
        r.dst = *IpPrefix::parse(dst);
        r.type = RouteType::Unreachable;
        r.metric = kVrfUnreachableMetric;
        r.owner = owner;
        b.out.routes.push_back(r);
    }
}

Status add_host_session(Builder& b, const config::HostSession& hs, const std::string& host_if,
                        const std::string& router_if, bool default_gateway,
                        const std::string& owner, frr::Vrf& fv) {
    DesiredState& out = b.out;
    for (const auto& pool : {hs.local_cidr.ipv4, hs.local_cidr.ipv6}) {
        if (!pool)
            continue;
        auto ends = veth_addresses(*pool, b.node_index);
        if (!ends)
            return fail(std::move(ends).error());
        out.addresses.push_back(AddressSpec{Side::Router, router_if, ends->router, owner});
        out.addresses.push_back(AddressSpec{Side::Host, host_if, ends->host, owner});
        fv.neighbors.push_back(host_neighbor(hs, ends->host.address(), fv.asn));
        (pool->is_v4() ? fv.networks_v4 : fv.networks_v6)
            .push_back(IpPrefix::host_route(ends->host.address()).str());
        if (default_gateway) {
            RouteSpec r;
            r.side = Side::Host;
            r.dst = *IpPrefix::parse(pool->is_v4() ? "0.0.0.0/0" : "::/0");
            r.gateway = ends->router.address();
            r.dev = host_if;
            r.owner = owner;
            out.routes.push_back(r);
        }
    }
    apply_host_filters(b, hs, fv.name, fv.neighbors);
    return {};
}

Status plan_l3vnis(Builder& b) {
    DesiredState& out = b.out;
    for (const config::L3Vni& l3 : b.cfg.l3vnis) {
        auto vtep = b.vtep_for(l3.underlay_address_family);
        if (!vtep)
            return fail(std::move(vtep).error().context(fmt::format("l3vni '{}'", l3.name)));
        const std::string& owner = l3.name;
        const uint32_t table = b.tables.table_for(l3.vrf);

        add_vrf(b, l3.vrf, table, owner);

        add_vni_bridge(b, l3.vni, *vtep, l3.vxlan_port, VniBridge{l3.vrf, std::nullopt, true},
                       owner);

        frr::Vrf fv;
        fv.name = l3.vrf;
        fv.vni = l3.vni;
        fv.asn = l3.host_session ? l3.host_session->asn : b.cfg.underlay->asn;
        fv.router_id = b.router_id.str();
        fv.export_rts = l3.export_rts;
        fv.import_rts = l3.import_rts;
        fv.rd = l3.rd;

        if (l3.host_session) {
            const std::string host_if = config::host_veth_name(l3.vni);
            const std::string router_if = config::router_veth_name(l3.vni);
            add_veth_pair(b, host_if, router_if, b.mtu_for(*vtep), std::nullopt, l3.vrf, owner);
            if (Status st = add_host_session(b, *l3.host_session, host_if, router_if,
                                             l3.default_gateway, owner, fv);
                !st)
                return fail(std::move(st).error().context(fmt::format("l3vni '{}'", l3.name)));
        }
        add_gateway_networks(b.cfg, l3.name, fv);
        out.frr.vrfs.push_back(std::move(fv));
    }
    return {};
}

}  // namespace perouter::plan::detail
