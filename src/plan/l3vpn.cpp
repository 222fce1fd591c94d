// L3VPN (SRv6): the VRF and an optional host-session veth host-s-<n> / pe-s-<n>, as for an L3VNI
// but without bridge or VXLAN device; the VRF's routes reach the fabric as VPNv4/VPNv6 routes
// with SIDs from this node's locator (plan/underlay.cpp), and zebra installs End.DT4/End.DT6
// for them, which needs the VRF strict mode.
#include <fmt/format.h>

#include "config/names.hpp"
#include "plan/builder.hpp"

namespace perouter::plan::detail {

namespace {

/// IPv6 header + SRH with one segment: what H.Encaps adds to each packet.
constexpr uint32_t kSrv6Overhead = 40 + 8 + 16;

std::optional<uint32_t> srv6_mtu(uint32_t underlay_mtu) {
    if (underlay_mtu <= kSrv6Overhead + 1280)
        return std::nullopt;
    return underlay_mtu - kSrv6Overhead;
}

/// The VPN export next hop of each family the VRF announces (frr::Vrf::vpn_export_nexthop_v4):
/// the router end of the host session, else the gateway address of an L2VNI routed here.
Status set_vpn_export_nexthops(const Builder& b, const config::L3Vpn& l3, frr::Vrf& fv) {
    std::optional<IpAddress> v4, v6;
    auto offer = [&](const IpAddress& a) {
        std::optional<IpAddress>& slot = a.is_v4() ? v4 : v6;
        if (!slot)
            slot = a;
    };
    if (l3.host_session)
        for (const auto& pool :
             {l3.host_session->local_cidr.ipv4, l3.host_session->local_cidr.ipv6})
            if (pool) {
                auto ends = veth_addresses(*pool, b.node_index);
                if (!ends)
                    return fail(std::move(ends).error());
                offer(ends->router.address());
            }
    for (const config::L2Vni& l2 : b.cfg.l2vnis)
        if (l2.routing_domain == l3.name)
            for (const IpPrefix& gw : l2.gateway_ips)
                offer(gw.address());
    if (v4 && !fv.networks_v4.empty())
        fv.vpn_export_nexthop_v4 = v4->str();
    if (v6 && !fv.networks_v6.empty())
        fv.vpn_export_nexthop_v6 = v6->str();
    return {};
}

}  // namespace

Status plan_l3vpns(Builder& b) {
    if (b.cfg.l3vpns.empty())
        return {};
    DesiredState& out = b.out;
    // End.DT4 looks the decapsulated packet up in the VRF's table, which the kernel allows only
    // when every VRF has a table of its own (ours do: plan/addressing.hpp).
    out.sysctls.push_back(SysctlSpec{Side::Router, "net/vrf/strict_mode", "1", false});
    for (const config::L3Vpn& l3 : b.cfg.l3vpns) {
        const std::string& owner = l3.name;
        const uint32_t table = b.tables.table_for(l3.vrf);
        add_vrf(b, l3.vrf, table, owner, VrfDefaults::Ipv4Only);
        // End.DT4 hands the decapsulated packet to the VRF device, whose reverse-path filter
        // then checks its source in the VRF's table; a strict filter drops asymmetric VPN paths,
        // so it is off on the VRF itself (the kernel applies the larger of it and `all`).
        out.sysctls.push_back(SysctlSpec{
            Side::Router, fmt::format("net/ipv4/conf/{}/rp_filter", l3.vrf), "0", false});

        frr::Vrf fv;
        fv.name = l3.vrf;
        fv.transport = frr::VrfTransport::Srv6;
        fv.asn = l3.host_session ? l3.host_session->asn : b.cfg.underlay->asn;
        fv.router_id = b.router_id.str();
        const uint32_t n = l3.rd_assigned_number;
        fv.rd = l3.rd ? *l3.rd : fmt::format("{}:{}", b.router_id.str(), n);
        fv.import_rts = l3.import_rts;
        fv.export_rts = l3.export_rts.empty()
                            ? std::vector<std::string>{fmt::format("{}:{}", b.cfg.underlay->asn, n)}
                            : l3.export_rts;

        if (l3.host_session) {
            const std::string host_if = config::l3vpn_host_veth_name(n);
            const std::string router_if = config::l3vpn_router_veth_name(n);
            add_veth_pair(b, host_if, router_if, srv6_mtu(b.facts.underlay_mtu), std::nullopt,
                          l3.vrf, owner);
            if (Status st = add_host_session(b, *l3.host_session, host_if, router_if,
                                             l3.default_gateway, owner, fv);
                !st)
                return fail(std::move(st).error().context(fmt::format("l3vpn '{}'", l3.name)));
        }
        add_gateway_networks(b.cfg, l3.name, fv);
        if (Status st = set_vpn_export_nexthops(b, l3, fv); !st)
            return fail(std::move(st).error().context(fmt::format("l3vpn '{}'", l3.name)));
        out.frr.vrfs.push_back(std::move(fv));
    }
    return {};
}

}  // namespace perouter::plan::detail
