#include "plan/planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "config/names.hpp"
#include "frr/render.hpp"
#include "plan/builder.hpp"

namespace perouter::plan {

namespace {

Result<uint32_t> resolve_node_index(const config::Node& node, const Facts& facts) {
    if (node.index)
        return *node.index;
    if (node.index_from_interface) {
        if (!facts.node_index)
            return fail(fmt::format("node index: no usable address on interface '{}'",
                                    *node.index_from_interface));
        return *facts.node_index;
    }
    return uint32_t{0};
}

// Sysctls of the router namespace (nothing is set in the host namespace). Forwarding makes it
// a router; arp_accept and accept_untracked_na let the EVPN bridges learn neighbours from
// gratuitous ARP/unsolicited NA so type-2 MAC+IP routes are advertised promptly; new links come
// without IPv6 (plan_ipv6 below); the bridges' frames do not go through iptables.
void plan_sysctls(DesiredState& out) {
    auto add = [&](std::string key, bool optional, const char* value = "1") {
        out.sysctls.push_back(SysctlSpec{Side::Router, std::move(key), value, optional});
    };
    // Absent when the kernel has no IPv6.
    add("net/ipv6/conf/default/disable_ipv6", true);
    add("net/ipv4/conf/all/forwarding", false);
    add("net/ipv6/conf/all/forwarding", false);
    add("net/ipv4/conf/all/arp_accept", false);
    add("net/ipv4/conf/default/arp_accept", false);
    // accept_untracked_na appeared in Linux 5.18.
    add("net/ipv6/conf/all/accept_untracked_na", true);
    add("net/ipv6/conf/default/accept_untracked_na", true);
    // With br_netfilter loaded (a Kubernetes node has it) every namespace starts with these at
    // 1, and each frame through an EVPN bridge would be handed to iptables, ip6tables and
    // arptables, where the router namespace has no rules: off, for throughput. Absent without
    // br_netfilter. The host namespace keeps its own (Kubernetes needs them there).
    add("net/bridge/bridge-nf-call-iptables", true, "0");
    add("net/bridge/bridge-nf-call-ip6tables", true, "0");
    add("net/bridge/bridge-nf-call-arptables", true, "0");
}

// IPv6 only where it is used. A port of a bridge (ours or the operator's, Linux or Open
// vSwitch) hands every frame to its bridge before IPv6 would see it, so IPv6 on it only costs:
// each such link would add a link-local, a local and a multicast route, and the kernel walks
// the namespace's whole IPv6 routing table whenever a link comes up, goes or changes its MTU
// (tests/bench/RESULTS.md, "P5 profiled"). The router namespace gives every new link IPv6 off
// (plan_sysctls), so that the ports never had it (turning it off walks the table too); the
// other links there get it back before they come up: VRFs and their ports route, the VNI
// bridges learn neighbours and carry gateways, the underlay NICs and the macvlan carry the
// fabric's sessions (a NIC moved in takes the namespace's default). Host-side links that are
// not ports are left as the host's defaults make them.
void plan_ipv6(DesiredState& out) {
    std::set<std::pair<Side, std::string>> vrfs;
    for (const auto& l : out.links)
        if (l.kind == LinkKind::Vrf)
            vrfs.insert({l.side, l.name});
    for (auto& l : out.links) {
        if (l.ovs_port || (l.master && !vrfs.contains({l.side, *l.master})))
            l.ipv6 = Ipv6::Off;
        else if (l.side == Side::Router)
            l.ipv6 = Ipv6::On;
    }
    for (const auto& nic : out.underlay_nics)
        out.sysctls.push_back(SysctlSpec{Side::Router, ipv6_disable_key(nic), "0", true});
}

}  // namespace

Result<DesiredState> build(const config::Config& cfg, const Facts& facts, const Options& opts) {
    DesiredState out;
    out.frr.log_file = opts.frr_log_file;
    if (!cfg.underlay) {
        out.frr_config = frr::render(out.frr);
        return out;
    }
    auto index = resolve_node_index(cfg.node, facts);
    if (!index)
        return fail(std::move(index).error());

    // A VNI makes at most five links (VRF or host bridge, bridge, VXLAN device, veth pair): room
    // for them up front, so that a plan of 1000 VNIs does not move its links again and again.
    out.links.reserve(5 * (cfg.l3vnis.size() + cfg.l2vnis.size()) + 3 * cfg.l3vpns.size() + 8);
    detail::Builder b{cfg, facts, out, *index, {}, {}, {}, VrfTableAllocator(facts.vrf_tables)};
    b.ovs_datapath = opts.ovs_datapath;
    b.l2vni_objects = opts.l2vni_objects;
    out.node_index = *index;
    plan_sysctls(out);
    PEROUTER_TRY(detail::plan_underlay(b));
    PEROUTER_TRY(detail::plan_l3vnis(b));
    PEROUTER_TRY(detail::plan_l3vpns(b));
    PEROUTER_TRY(detail::plan_l2vnis(b));
    PEROUTER_TRY(detail::plan_passthrough(b));
    // [[raw_frr]] last, lower priority first; equal priorities keep the order of the files.
    std::vector<const config::RawFrr*> raw;
    for (const auto& r : cfg.raw_frr)
        raw.push_back(&r);
    std::stable_sort(raw.begin(), raw.end(),
                     [](const auto* x, const auto* y) { return x->priority < y->priority; });
    for (const auto* r : raw)
        out.frr.raw.push_back(frr::RawBlock{r->name, r->config});
    plan_ipv6(out);
    out.frr_config = frr::render(out.frr);
    return out;
}

namespace detail {

Result<IpAddress> Builder::vtep_for(const std::optional<Family>& requested) const {
    if (requested == Family::V6 || (!requested && !vtep_v4)) {
        if (vtep_v6)
            return *vtep_v6;
    } else if (vtep_v4) {
        return *vtep_v4;
    }
    return fail(std::string("no tunnel endpoint of the requested address family"));
}

frr::HostNeighbor host_neighbor(const config::HostSession& hs, const IpAddress& host_addr,
                                uint32_t local_asn) {
    frr::HostNeighbor n;
    n.address = host_addr.str();
    // The host's BGP speaker usually starts after the router (at boot it is part of the
    // workload); retry every 5 s instead of FRR's 120 s so the session follows it quickly.
    n.connect_seconds = 5;
    if (hs.host_asn) {
        n.remote_as = std::to_string(*hs.host_asn);
        n.ibgp = *hs.host_asn == local_asn;
    } else {
        bool internal = hs.host_type == config::PeerType::Internal;
        n.remote_as = internal ? "internal" : "external";
        n.ibgp = internal;
    }
    return n;
}

namespace {

frr::RoutePolicy policy(const std::string& name, const std::vector<config::PrefixFilter>& f) {
    frr::RoutePolicy p;
    p.name = name;
    for (const auto& e : f)
        (e.prefix.is_v4() ? p.v4 : p.v6).push_back(frr::PrefixEntry{e.prefix.str(), e.ge, e.le});
    return p;
}

}  // namespace

void apply_host_filters(Builder& b, const config::HostSession& hs, const std::string& domain,
                        std::vector<frr::HostNeighbor>& neighbors) {
    std::string in = "allowall";
    std::string out = "allowall";
    if (hs.import_prefixes) {
        in = "host-in-" + domain;
        b.out.frr.policies.push_back(policy(in, *hs.import_prefixes));
    }
    if (hs.export_prefixes) {
        out = "host-out-" + domain;
        b.out.frr.policies.push_back(policy(out, *hs.export_prefixes));
    }
    for (auto& n : neighbors) {
        n.route_map_in = in;
        n.route_map_out = out;
    }
}

void add_vni_bridge(Builder& b, uint32_t vni, const IpAddress& vtep, uint16_t vxlan_port,
                    const VniBridge& bridge, const std::string& owner) {
    // The VNI's MTU on the bridge and the VXLAN device too, not only on the veth: the kernel
    // gives a VXLAN device without a lower device 1500, more than a 1500-byte underlay carries
    // and less than a jumbo one does, and a bridge follows its smallest port, so that each port
    // joining would change its MTU (each change walks the namespace's whole IPv6 routing table).
    const std::optional<uint32_t> mtu = b.mtu_for(vtep);
    LinkSpec br;
    br.side = Side::Router;
    br.name = config::bridge_name(vni);
    br.kind = LinkKind::Bridge;
    br.mtu = mtu;
    br.master = bridge.vrf;
    br.mac = bridge.mac;
    br.addr_gen_mode_none = bridge.addr_gen_mode_none;
    br.owner = owner;
    const std::string bridge_name = br.name;
    b.out.links.push_back(std::move(br));

    LinkSpec vx;
    vx.side = Side::Router;
    vx.name = config::vxlan_name(vni);
    vx.kind = LinkKind::Vxlan;
    vx.mtu = mtu;
    vx.master = bridge_name;
    vx.addr_gen_mode_none = true;
    vx.vxlan = VxlanAttrs{vni, vtep, vxlan_port, false};
    vx.bridge_port = BridgePortAttrs{false, true};
    vx.owner = owner;
    b.out.links.push_back(std::move(vx));
}

void add_veth_pair(Builder& b, const std::string& host_name, const std::string& router_name,
                   const std::optional<uint32_t>& mtu,
                   const std::optional<std::string>& host_master,
                   const std::optional<std::string>& router_master, const std::string& owner) {
    LinkSpec host;
    host.side = Side::Host;
    host.name = host_name;
    host.kind = LinkKind::Veth;
    host.veth_peer = router_name;
    host.veth_peer_side = Side::Router;
    host.mtu = mtu;
    host.master = host_master;
    host.owner = owner;

    LinkSpec router = host;
    router.side = Side::Router;
    router.name = router_name;
    router.veth_peer = host_name;
    router.veth_peer_side = Side::Host;
    router.master = router_master;

    b.out.links.push_back(std::move(host));
    b.out.links.push_back(std::move(router));
}

}  // namespace detail
}  // namespace perouter::plan
