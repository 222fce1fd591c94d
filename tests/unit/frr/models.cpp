#include "models.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace perouter::frr::testing {

UnderlayNeighbor leaf_neighbor(bool evpn) {
    UnderlayNeighbor n;
    n.address = "192.168.11.2";
    n.remote_as = "64512";
    n.ipv4_unicast = true;
    n.l2vpn_evpn = evpn;
    return n;
}

Underlay underlay(bool with_vnis) {
    Underlay u;
    u.asn = 64514;
    u.router_id = "10.0.0.1";
    u.neighbors.push_back(leaf_neighbor(with_vnis));
    if (with_vnis) {
        u.networks_v4.push_back("100.65.0.0/32");
        u.advertise_all_vni = true;
    }
    return u;
}

HostNeighbor host_neighbor(const std::string& address, const std::string& remote_as) {
    HostNeighbor n;
    n.address = address;
    n.remote_as = remote_as;
    return n;
}

Vrf l3vni_v4(const std::string& name, uint32_t vni) {
    Vrf v;
    v.name = name;
    v.vni = vni;
    v.asn = 64514;
    v.router_id = "10.0.0.1";
    const std::string host = fmt::format("192.169.{}.2", vni % 250);
    v.neighbors.push_back(host_neighbor(host, "64515"));
    v.networks_v4.push_back(host + "/32");
    return v;
}

Passthrough passthrough_session_v4() {
    Passthrough p;
    HostNeighbor n = host_neighbor("192.169.20.2", "64516");
    n.connect_seconds = 5;
    p.neighbors.push_back(n);
    p.networks_v4.push_back("192.169.20.2/32");
    return p;
}

Model many_vrfs(int count) {
    Model m;
    m.underlay = underlay(true);
    for (int i = 0; i < count; ++i) {
        m.vrfs.push_back(l3vni_v4(fmt::format("vrf{:04}", i), static_cast<uint32_t>(1000 + i)));
    }
    return m;
}

namespace {

Model basic() {
    Model m;
    m.underlay = underlay(true);
    m.vrfs.push_back(l3vni_v4("red", 100));
    return m;
}

Model dual_stack() {
    Model m = basic();
    Vrf& v = m.vrfs[0];
    v.neighbors.push_back(host_neighbor("2001:db8:100::2", "64515"));
    v.networks_v6.push_back("2001:db8:100::2/128");
    return m;
}

Model ipv6_only() {
    Model m;
    m.underlay = underlay(true);
    Vrf v = l3vni_v4("red", 100);
    v.neighbors = {host_neighbor("2001:db8:100::2", "64515")};
    v.networks_v4.clear();
    v.networks_v6 = {"2001:db8:100::2/128"};
    m.vrfs.push_back(v);
    return m;
}

Model route_targets() {
    Model m = basic();
    m.vrfs[0].export_rts = {"64514:100"};
    m.vrfs[0].import_rts = {"64512:100", "64513:100"};
    Vrf blue = l3vni_v4("blue", 200);
    blue.export_rts = {"10.0.0.1:200"};
    blue.import_rts = {"10.0.0.2:200"};
    m.vrfs.push_back(blue);
    return m;
}

Model bfd_plain() {
    Model m = basic();
    m.underlay->neighbors[0].bfd = BfdMode::Plain;
    return m;
}

Model bfd_profile() {
    Model m = basic();
    UnderlayNeighbor& n = m.underlay->neighbors[0];
    n.bfd = BfdMode::Profile;
    n.bfd_profile = "neighbor-192.168.11.2";
    BfdProfile p;
    p.name = n.bfd_profile;
    p.receive_interval_ms = 100;
    p.transmit_interval_ms = 150;
    p.detect_multiplier = 4;
    p.minimum_ttl = 250;
    m.bfd_profiles.push_back(p);
    UnderlayNeighbor second = leaf_neighbor(true);
    second.address = "192.168.12.2";
    second.bfd = BfdMode::Profile;
    second.bfd_profile = "neighbor-192.168.12.2";
    m.underlay->neighbors.push_back(second);
    BfdProfile passive;
    passive.name = second.bfd_profile;
    passive.passive = true;
    m.bfd_profiles.push_back(passive);
    return m;
}

Model graceful_restart() {
    Model m = basic();
    m.underlay->graceful_restart = true;
    // The planner gives every underlay neighbor `timers connect 5` when GR is on (upstream).
    m.underlay->neighbors[0].connect_seconds = 5;
    return m;
}

Model graceful_restart_custom_timers() {
    Model m = graceful_restart();
    m.underlay->gr_restart_time = 90;
    m.underlay->gr_stale_path_time = 180;
    return m;
}

Model passthrough_v4() {
    Model m;
    m.underlay = underlay(false);
    m.passthrough = passthrough_session_v4();
    return m;
}

Model passthrough_dual() {
    Model m = passthrough_v4();
    m.underlay->neighbors[0].ipv6_unicast = true;
    HostNeighbor n = host_neighbor("2001:db8:20::2", "64516");
    n.connect_seconds = 5;
    m.passthrough->neighbors.push_back(n);
    m.passthrough->networks_v6.push_back("2001:db8:20::2/128");
    return m;
}

Model l2vni_with_gateway() {
    Model m = basic();
    // A dual-stack L2VNI gateway (192.170.1.1/24, 2001:db8:170::1/64) routed in red, whose
    // host session is v4 only, and a VRF without host session that only carries an L2VNI
    // gateway subnet.
    m.vrfs[0].networks_v4.push_back("192.170.1.0/24");
    m.vrfs[0].networks_v6.push_back("2001:db8:170::/64");
    Vrf blue;
    blue.name = "blue";
    blue.vni = 200;
    blue.asn = 64514;
    blue.router_id = "10.0.0.1";
    blue.networks_v4 = {"192.171.1.0/24"};
    blue.networks_v6 = {"2001:db8:171::/64"};
    m.vrfs.push_back(blue);
    return m;
}

Model l2vni_route_targets() {
    Model m = basic();
    // An L2VNI with explicit RD and route targets, one with only an import RT, and the VRF's
    // own RD.
    m.underlay->evpn_vnis.push_back(
        EvpnVni{110, "10.0.0.1:110", {"64512:9110", "64512:9111"}, {"64512:9110"}});
    m.underlay->evpn_vnis.push_back(EvpnVni{120, std::nullopt, {"65000:120"}, {}});
    m.vrfs[0].rd = "10.0.0.1:100";
    return m;
}

Model unnumbered() {
    // BGP unnumbered over the underlay NIC: IPv4 and EVPN over an IPv6 link-local session.
    Model m = basic();
    UnderlayNeighbor& n = m.underlay->neighbors[0];
    n.address = "toswitch";
    n.form = PeerForm::Interface;
    n.remote_as = "external";
    n.extended_nexthop = true;
    return m;
}

Model dual_stack_sessions() {
    // One session per family to the same ToR, each carrying only its own family (explicit
    // address families); the IPv6 eBGP session gets disable-connected-check.
    Model m = basic();
    m.underlay->neighbors[0].ipv4_unicast = true;
    m.underlay->neighbors[0].l2vpn_evpn = true;
    UnderlayNeighbor v6;
    v6.address = "fd00:11::2";
    v6.remote_as = "64512";
    v6.ipv6_unicast = true;
    v6.disable_connected_check = true;
    m.underlay->neighbors.push_back(v6);
    m.underlay->networks_v6.push_back("fd00:65::/128");
    return m;
}

Model route_reflector() {
    // A route reflector: iBGP clients accepted from a listen range, and one configured client.
    Model m = basic();
    m.underlay->cluster_id = "192.0.2.1";
    UnderlayNeighbor& range = m.underlay->neighbors[0];
    range.address = "range-192-168-11-0-24";
    range.form = PeerForm::PeerGroup;
    range.listen_range = "192.168.11.0/24";
    range.remote_as = "internal";
    range.ibgp = true;
    range.route_reflector_client = true;
    range.password = "s3cret";
    UnderlayNeighbor client = leaf_neighbor(true);
    client.address = "192.168.12.2";
    client.remote_as = "64514";
    client.ibgp = true;
    client.route_reflector_client = true;
    m.underlay->neighbors.push_back(client);
    return m;
}

Model raw_blocks() {
    // [[raw_frr]]: a prefix list and a route map of their own, lines added to the rendered
    // default instance (one of them in an address family), and a community list.
    Model m = basic();
    m.raw.push_back(RawBlock{"filters",
                             "ip prefix-list from-fabric seq 5 permit 172.16.0.0/12 le 32\n"
                             "route-map from-fabric permit 10\n"
                             " match ip address prefix-list from-fabric\n"
                             " set local-preference 200\n"
                             "exit\n"});
    m.raw.push_back(RawBlock{"tweaks",
                             "router bgp 64514\n"
                             " bgp bestpath as-path multipath-relax\n"
                             " address-family ipv4 unicast\n"
                             "  network 10.250.0.0/24\n"
                             "  neighbor 192.168.11.2 route-map from-fabric in\n"
                             " exit-address-family\n"
                             "exit\n"
                             "bgp community-list standard keep permit 64514:1\n"});
    return m;
}

Model host_filters() {
    // Prefix filters on the red host session (both directions, both families, one empty) and
    // on the passthrough (import only).
    Model m = basic();
    m.passthrough = passthrough_session_v4();
    m.policies.push_back(RoutePolicy{"host-in-red",
                                     {{"10.0.0.0/8", std::nullopt, 24}, {"192.168.1.0/24", {}, {}}},
                                     {{"2001:db8::/32", 48, 64}}});
    m.policies.push_back(RoutePolicy{"host-out-red", {}, {}});
    m.policies.push_back(RoutePolicy{"host-in-default", {{"192.169.0.0/16", 32, 32}}, {}});
    for (auto& n : m.vrfs[0].neighbors) {
        n.route_map_in = "host-in-red";
        n.route_map_out = "host-out-red";
    }
    for (auto& n : m.passthrough->neighbors)
        n.route_map_in = "host-in-default";
    return m;
}

Model no_vnis() {
    Model m;
    m.underlay = underlay(false);
    return m;
}

Model ebgp_multihop() {
    Model m = basic();
    UnderlayNeighbor& n = m.underlay->neighbors[0];
    n.ebgp_multihop = true;
    n.ebgp_multihop_ttl = 3;
    UnderlayNeighbor second = leaf_neighbor(true);
    second.address = "192.168.12.2";
    second.ebgp_multihop = true;
    m.underlay->neighbors.push_back(second);
    return m;
}

Model neighbor_options() {
    Model m = basic();
    UnderlayNeighbor& n = m.underlay->neighbors[0];
    n.port = 1179;
    n.password = "s3cret";
    n.keepalive_seconds = 10;
    n.hold_seconds = 30;
    n.connect_seconds = 5;
    return m;
}

Model ibgp() {
    Model m = basic();
    UnderlayNeighbor& n = m.underlay->neighbors[0];
    n.remote_as = "64514";
    n.ibgp = true;
    HostNeighbor& h = m.vrfs[0].neighbors[0];
    h.remote_as = "64514";
    h.ibgp = true;
    return m;
}

Model remote_as_external() {
    Model m = basic();
    m.underlay->neighbors[0].remote_as = "external";
    m.vrfs[0].neighbors[0].remote_as = "external";
    return m;
}

Model remote_as_internal() {
    Model m = basic();
    m.underlay->neighbors[0].remote_as = "internal";
    m.underlay->neighbors[0].ibgp = true;
    m.vrfs[0].neighbors[0].remote_as = "internal";
    m.vrfs[0].neighbors[0].ibgp = true;
    return m;
}

// The leaf over IPv6 (2001:db8:11::2, AS 64512): IPv4 and IPv6 unicast, IPv4 routes with IPv6
// next hops (extended-nexthop).
UnderlayNeighbor ipv6_leaf() {
    UnderlayNeighbor n;
    n.address = "2001:db8:11::2";
    n.remote_as = "64512";
    n.ipv4_unicast = true;
    n.ipv6_unicast = true;
    n.extended_nexthop = true;
    n.disable_connected_check = true;
    return n;
}

Model ipv6_underlay() {
    Model m;
    Underlay u;
    u.asn = 64514;
    u.router_id = "10.0.0.1";
    UnderlayNeighbor n = ipv6_leaf();
    n.l2vpn_evpn = true;
    u.neighbors.push_back(n);
    u.networks_v6.push_back("2001:db8:65::/128");
    u.advertise_all_vni = true;
    m.underlay = u;
    m.vrfs.push_back(l3vni_v4("red", 100));
    return m;
}

// An SRv6 L3VPN node (plan/l3vpn.cpp): IPv6 session to the leaf with VPNv4/VPNv6, the locator
// announced in ipv6 unicast, one VRF with a host session and one without.
Model srv6_l3vpn() {
    Model m;
    Underlay u;
    u.asn = 64514;
    u.router_id = "10.0.0.1";
    UnderlayNeighbor n = ipv6_leaf();
    n.ipv4_vpn = true;
    n.ipv6_vpn = true;
    u.neighbors.push_back(n);
    u.networks_v6 = {"2001:db8:65::/128", "fd00:0:1:2::/64"};
    u.srv6 = Srv6Locator{"perouter", "fd00:0:1:2::/64"};
    m.underlay = u;
    Vrf green;
    green.name = "green";
    green.transport = VrfTransport::Srv6;
    green.asn = 64514;
    green.router_id = "10.0.0.1";
    green.neighbors.push_back(host_neighbor("192.169.30.2", "64515"));
    green.networks_v4.push_back("192.169.30.2/32");
    green.networks_v6.push_back("2001:db8:30::2/128");
    green.rd = "10.0.0.1:100";
    green.import_rts = {"64512:100"};
    green.export_rts = {"64514:100"};
    green.vpn_export_nexthop_v4 = "192.169.30.1";
    green.vpn_export_nexthop_v6 = "2001:db8:30::1";
    m.vrfs.push_back(green);
    Vrf cyan;
    cyan.name = "cyan";
    cyan.transport = VrfTransport::Srv6;
    cyan.asn = 64514;
    cyan.router_id = "10.0.0.1";
    cyan.rd = "65000:7";
    cyan.import_rts = {"64512:7", "64512:8"};
    cyan.export_rts = {"64512:7", "64512:8"};
    m.vrfs.push_back(cyan);
    return m;
}

Model log_file() {
    Model m = no_vnis();
    m.log_file = "/var/log/frr/perouter.log";
    return m;
}

}  // namespace

const std::vector<NamedModel>& golden_models() {
    static const std::vector<NamedModel> all = {
        {"basic", basic()},
        {"dual_stack", dual_stack()},
        {"ipv6_only", ipv6_only()},
        {"route_targets", route_targets()},
        {"bfd_plain", bfd_plain()},
        {"bfd_profile", bfd_profile()},
        {"graceful_restart", graceful_restart()},
        {"graceful_restart_custom_timers", graceful_restart_custom_timers()},
        {"passthrough_v4", passthrough_v4()},
        {"passthrough_dual", passthrough_dual()},
        {"l2vni_with_gateway", l2vni_with_gateway()},
        {"l2vni_route_targets", l2vni_route_targets()},
        {"unnumbered", unnumbered()},
        {"raw_blocks", raw_blocks()},
        {"host_filters", host_filters()},
        {"dual_stack_sessions", dual_stack_sessions()},
        {"route_reflector", route_reflector()},
        {"no_vnis", no_vnis()},
        {"empty", Model{}},
        {"ebgp_multihop", ebgp_multihop()},
        {"neighbor_options", neighbor_options()},
        {"ibgp", ibgp()},
        {"remote_as_external", remote_as_external()},
        {"remote_as_internal", remote_as_internal()},
        {"ipv6_underlay", ipv6_underlay()},
        {"log_file", log_file()},
        {"srv6_l3vpn", srv6_l3vpn()},
    };
    return all;
}

const Model& golden_model(const std::string& name) {
    for (const auto& nm : golden_models()) {
        if (nm.name == name)
            return nm.model;
    }
    std::fprintf(stderr, "no golden model named '%s'\n", name.c_str());
    std::abort();
}

}  // namespace perouter::frr::testing
