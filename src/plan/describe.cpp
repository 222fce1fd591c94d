#include "plan/describe.hpp"

#include <fmt/format.h>

namespace perouter::plan {

std::string describe(const LinkSpec& l) {
    std::string s = fmt::format("link {} {} {}", to_string(l.side), to_string(l.kind), l.name);
    if (l.vrf_table)
        s += fmt::format(" table {}", *l.vrf_table);
    if (l.vxlan)
        s += fmt::format(" id {} local {} dstport {}{}", l.vxlan->vni, l.vxlan->local.str(),
                         l.vxlan->port, l.vxlan->learning ? "" : " nolearning");
    if (l.macvlan)
        s += fmt::format(" parent host:{} mode {}", l.macvlan->parent,
                         config::to_string(l.macvlan->mode));
    if (l.veth_peer)
        s += fmt::format(" peer {}:{}", to_string(*l.veth_peer_side), *l.veth_peer);
    if (l.master)
        s += fmt::format(" master {}", *l.master);
    if (l.bridge_port)
        s += fmt::format(" port-learning {} neigh-suppress {}",
                         l.bridge_port->learning ? "on" : "off",
                         l.bridge_port->neigh_suppress ? "on" : "off");
    if (l.mtu)
        s += fmt::format(" mtu {}", *l.mtu);
    if (l.mac)
        s += fmt::format(" address {}", l.mac->str());
    if (l.addr_gen_mode_none)
        s += " addrgenmode none";
    if (l.ipv6 != Ipv6::AsCreated)
        s += l.ipv6 == Ipv6::Off ? " ipv6 off" : " ipv6 on";
    if (l.ovs_port)
        s += " ovs-port";
    s += l.up ? " up" : " down";
    return s + fmt::format(" ({})", l.owner);
}

std::string describe(const AddressSpec& a) {
    return fmt::format("address {} {} {} ({})", to_string(a.side), a.link, a.prefix.str(), a.owner);
}

std::string describe(const RouteSpec& r) {
    std::string s = fmt::format("route {} table {} ", to_string(r.side), r.table);
    if (r.type == RouteType::Unreachable)
        s += "unreachable ";
    s += r.dst.str();
    if (r.gateway)
        s += " via " + r.gateway->str();
    if (r.dev)
        s += " dev " + *r.dev;
    return s + fmt::format(" metric {} ({})", r.metric, r.owner);
}

std::string describe(const DesiredState& d) {
    std::string s;
    auto line = [&](const std::string& l) { s += l + "\n"; };
    line(fmt::format("node-index {}", d.node_index));
    if (!d.router_id.empty())
        line("router-id " + d.router_id);
    for (const auto& n : d.underlay_nics)
        line("underlay-nic " + n);
    for (const auto& c : d.sysctls)
        line(fmt::format("sysctl {} {}={}{}", to_string(c.side), c.key, c.value,
                         c.optional ? " (optional)" : ""));
    for (const auto& l : d.links)
        line(describe(l));
    for (const auto& e : d.external_links)
        line(fmt::format("external-link {} {} ({})", to_string(e.side), e.name, e.owner));
    if (d.dhcp)
        line(fmt::format("dhcp-client router:{} ipv4", d.dhcp->link));
    for (const auto& p : d.ovs_ports)
        line(fmt::format("ovs-port {} on {} bridge {}{} ({})", p.port,
                         p.lifecycle == OvsBridgeLifecycle::Managed ? "managed" : "external",
                         p.bridge,
                         p.lifecycle == OvsBridgeLifecycle::Managed
                             ? fmt::format(" datapath {}", to_string(p.datapath))
                             : "",
                         p.owner));
    for (const auto& a : d.addresses)
        line(describe(a));
    for (const auto& r : d.routes)
        line(describe(r));
    line("--- frr.conf");
    s += d.frr_config;
    return s;
}

}  // namespace perouter::plan
