// L2VNI: br-pe-<vni> (in its routing domain's VRF, if any) + vni<vni> in the router namespace,
// a veth to the host, and the host end attached to a managed br-hs-<vni> or an external bridge
// (a Linux bridge through netlink, or an Open vSwitch bridge through OVSDB).
#include <fmt/format.h>

#include "config/names.hpp"
#include "plan/builder.hpp"

namespace perouter::plan::detail {
namespace {

// The VRF of the [[l3vni]] or [[l3vpn]] named `name`.
const std::string* routing_vrf(const config::Config& cfg, const std::string& name) {
    for (const auto& l3 : cfg.l3vnis)
        if (l3.name == name)
            return &l3.vrf;
    for (const auto& l3 : cfg.l3vpns)
        if (l3.name == name)
            return &l3.vrf;
    return nullptr;
}

}  // namespace

Status plan_l2vnis(Builder& b) {
    DesiredState& out = b.out;
    for (const config::L2Vni& l2 : b.cfg.l2vnis) {
        auto vtep = b.vtep_for(l2.underlay_address_family);
        if (!vtep)
            return fail(std::move(vtep).error().context(fmt::format("l2vni '{}'", l2.name)));
        if (l2.rd || !l2.import_rts.empty() || !l2.export_rts.empty()) {
            out.frr.underlay->evpn_vnis.push_back(
                frr::EvpnVni{l2.vni, l2.rd, l2.import_rts, l2.export_rts});
        }
        if (b.l2vni_objects && !b.l2vni_objects->contains(l2.name))
            continue;
        const std::string& owner = l2.name;
        const std::string bridge = config::bridge_name(l2.vni);

        std::optional<std::string> vrf;
        if (l2.routing_domain) {
            const std::string* domain = routing_vrf(b.cfg, *l2.routing_domain);
            if (!domain)
                return fail(fmt::format(
                    "l2vni '{}': routing_domain '{}' does not name an l3vni or an l3vpn", l2.name,
                    *l2.routing_domain));
            vrf = *domain;
        }

        // L2 bridges keep IPv6 link-local addresses (upstream #351); with gateways the bridge
        // gets the anycast MAC so every node answers for the gateway with the same address.
        VniBridge vb;
        vb.vrf = vrf;
        if (!l2.gateway_ips.empty())
            vb.mac = anycast_gateway_mac(l2.vni);
        add_vni_bridge(b, l2.vni, *vtep, l2.vxlan_port, vb, owner);

        const std::string host_veth = config::host_veth_name(l2.vni);
        std::optional<std::string> host_master;
        bool ovs = l2.host_master && l2.host_master->type == config::HostMasterType::OvsBridge;
        if (l2.host_master) {
            bool managed = l2.host_master->lifecycle == config::HostMasterLifecycle::Managed;
            std::string name = managed ? config::host_bridge_name(l2.vni) : *l2.host_master->name;
            if (ovs) {
                // OVS creates the bridge's own device and attaches the port; netlink only
                // makes the veth.
                out.ovs_ports.push_back(OvsPortSpec{
                    name, managed ? OvsBridgeLifecycle::Managed : OvsBridgeLifecycle::External,
                    b.ovs_datapath, host_veth, owner});
            } else if (managed) {
                LinkSpec hb;
                hb.side = Side::Host;
                hb.name = name;
                hb.kind = LinkKind::Bridge;
                hb.owner = owner;
                out.links.push_back(hb);
                host_master = name;
            } else {
                out.external_links.push_back(ExternalLink{Side::Host, name, owner});
                host_master = name;
            }
        }
        add_veth_pair(b, host_veth, config::router_veth_name(l2.vni), b.mtu_for(*vtep), host_master,
                      bridge, owner);
        if (ovs)
            for (LinkSpec& l : out.links)
                if (l.side == Side::Host && l.name == host_veth)
                    l.ovs_port = true;

        for (const IpPrefix& gw : l2.gateway_ips)
            out.addresses.push_back(AddressSpec{Side::Router, bridge, gw, owner});
    }
    return {};
}

}  // namespace perouter::plan::detail
