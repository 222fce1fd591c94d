// Planner behaviour on configurations written as TOML, plus golden files of the whole desired
// state (kernel objects + frr.conf) for representative configurations.
#include "plan/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/load.hpp"
#include "plan/describe.hpp"

namespace perouter::plan {
namespace {

namespace fs = std::filesystem;

config::Config parse(const std::string& toml) {
    auto c = config::parse({{"test.toml", toml}});
    if (!c) {
        std::string all;
        for (const auto& d : c.error())
            all += d.str() + "\n";
        ADD_FAILURE() << all;
        return {};
    }
    return *c;
}

const char* kNode = "[node]\nindex = 0\n";

const char* kUnderlay = R"(
[underlay]
asn = 64514
interfaces = ["toswitch"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
)";

const LinkSpec* find_link(const DesiredState& d, Side side, const std::string& name) {
    for (const auto& l : d.links)
        if (l.side == side && l.name == name)
            return &l;
    return nullptr;
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line)
            return true;
    return false;
}

TEST(Planner, NoUnderlayMeansNoRouter) {
    auto d = build(config::Config{}, Facts{});
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->links.empty());
    EXPECT_TRUE(d->underlay_nics.empty());
    EXPECT_TRUE(d->sysctls.empty());
    EXPECT_FALSE(d->frr.underlay);
}

TEST(Planner, UnderlayDerivesRouterIdVtepAndEnablesEvpnFromTheStart) {
    auto d = build(parse(std::string(kNode) + kUnderlay), Facts{});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->router_id, "10.0.0.1");
    EXPECT_EQ(d->underlay_nics, std::vector<std::string>{"toswitch"});
    ASSERT_EQ(d->addresses.size(), 1u);
    EXPECT_EQ(d->addresses[0].link, "lo");
    EXPECT_EQ(d->addresses[0].prefix.str(), "100.65.0.0/32");
    ASSERT_TRUE(d->frr.underlay);
    // Activating EVPN only when the first VNI appears would reset the session then.
    EXPECT_TRUE(d->frr.underlay->neighbors.at(0).l2vpn_evpn);
    EXPECT_TRUE(d->frr.underlay->advertise_all_vni);
}

TEST(Planner, NodeIndexFromInterfaceNeedsTheFact) {
    std::string toml = std::string("[node]\nindex_from_interface = \"br0\"\n") + kUnderlay;
    auto missing = build(parse(toml), Facts{});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "node index: no usable address on interface 'br0'");
    Facts f;
    f.node_index = 3;
    auto d = build(parse(toml), f);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->router_id, "10.0.0.4");
    EXPECT_EQ(d->addresses[0].prefix.str(), "100.65.0.3/32");
}

TEST(Planner, L3VniObjectsInCreationOrderWithMtuFromTheUnderlay) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[[l3vni]]
name = "red"
vrf = "red"
vni = 100
default_gateway = true
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.10.0/24", ipv6 = "2001:db8:10::/64" }
)");
    Facts f;
    f.underlay_mtu = 9000;
    auto d = build(cfg, f);
    ASSERT_TRUE(d);
    std::vector<std::string> order;
    for (const auto& l : d->links)
        order.push_back(l.name);
    EXPECT_EQ(order,
              (std::vector<std::string>{"red", "br-pe-100", "vni100", "host-e-100", "pe-e-100"}));
    EXPECT_EQ(find_link(*d, Side::Router, "red")->vrf_table, 1u);
    EXPECT_EQ(find_link(*d, Side::Router, "pe-e-100")->master, "red");
    EXPECT_EQ(find_link(*d, Side::Host, "host-e-100")->mtu, 8950u);
    const LinkSpec* vx = find_link(*d, Side::Router, "vni100");
    ASSERT_TRUE(vx && vx->vxlan && vx->bridge_port);
    EXPECT_EQ(vx->vxlan->local.str(), "100.65.0.0");
    EXPECT_FALSE(vx->bridge_port->learning);
    EXPECT_TRUE(vx->bridge_port->neigh_suppress);
    // Default routes on the host via the router end, one per family; unreachable defaults in the
    // VRF.
    int host_defaults = 0, unreachable = 0;
    for (const auto& r : d->routes) {
        if (r.side == Side::Host && r.dst.length() == 0) {
            ++host_defaults;
            EXPECT_EQ(r.dev, "host-e-100");
            EXPECT_TRUE(r.gateway->str() == "192.169.10.1" || r.gateway->str() == "2001:db8:10::1");
        }
        if (r.type == RouteType::Unreachable) {
            ++unreachable;
            EXPECT_EQ(r.table, 1u);
            EXPECT_EQ(r.metric, kVrfUnreachableMetric);
        }
    }
    EXPECT_EQ(host_defaults, 2);
    EXPECT_EQ(unreachable, 2);
    EXPECT_TRUE(has_line(d->frr_config, "router bgp 64514 vrf red"));
    EXPECT_TRUE(has_line(d->frr_config, " vni 100"));
}

TEST(Planner, ExistingVrfKeepsItsTable) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[[l3vni]]
name = "a"
vrf = "a"
vni = 100
[[l3vni]]
name = "b"
vrf = "b"
vni = 200
)");
    Facts f;
    f.vrf_tables = {{"b", 1}};
    auto d = build(cfg, f);
    ASSERT_TRUE(d);
    EXPECT_EQ(find_link(*d, Side::Router, "a")->vrf_table, 2u);
    EXPECT_EQ(find_link(*d, Side::Router, "b")->vrf_table, 1u);
}

TEST(Planner, L2VniWithGatewayGetsAnycastMacAndIsAnnouncedFromItsVrf) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[[l3vni]]
name = "red"
vrf = "red"
vni = 100
[[l2vni]]
name = "web"
vni = 210
routing_domain = "red"
gateway_ips = ["192.170.1.1/24"]
host_master = { type = "linux-bridge", lifecycle = "managed" }
)");
    Facts f;
    f.underlay_mtu = 1500;
    auto d = build(cfg, f);
    ASSERT_TRUE(d);
    const LinkSpec* br = find_link(*d, Side::Router, "br-pe-210");
    ASSERT_TRUE(br);
    EXPECT_EQ(br->master, "red");
    EXPECT_EQ(br->mac->str(), "00:f3:00:00:00:d3");
    EXPECT_FALSE(br->addr_gen_mode_none);  // L2 bridges keep link-local addresses
    // Bridge ports carry no IPv6; every other router-side link gets it back (the namespace's
    // default is off); host-side links that are not ports are left alone.
    EXPECT_EQ(br->ipv6, Ipv6::On);
    EXPECT_EQ(find_link(*d, Side::Router, "vni210")->ipv6, Ipv6::Off);
    EXPECT_EQ(find_link(*d, Side::Router, "pe-e-210")->ipv6, Ipv6::Off);
    EXPECT_EQ(find_link(*d, Side::Host, "host-e-210")->ipv6, Ipv6::Off);
    EXPECT_EQ(find_link(*d, Side::Host, "br-hs-210")->ipv6, Ipv6::AsCreated);
    EXPECT_EQ(find_link(*d, Side::Router, "br-pe-100")->ipv6, Ipv6::On);
    EXPECT_EQ(find_link(*d, Side::Router, "red")->ipv6, Ipv6::On);
    EXPECT_EQ(find_link(*d, Side::Router, "vni100")->ipv6, Ipv6::Off);
    const auto has_sysctl = [&](const std::string& key, const std::string& value) {
        return std::any_of(d->sysctls.begin(), d->sysctls.end(), [&](const SysctlSpec& s) {
            return s.side == Side::Router && s.key == key && s.value == value;
        });
    };
    EXPECT_TRUE(has_sysctl("net/ipv6/conf/default/disable_ipv6", "1"));
    EXPECT_TRUE(has_sysctl("net/ipv6/conf/toswitch/disable_ipv6", "0"));  // the NIC
    // The router's bridges bypass iptables where br_netfilter is loaded (optional: absent
    // without it); the host namespace's own settings are left alone.
    for (const char* key :
         {"net/bridge/bridge-nf-call-iptables", "net/bridge/bridge-nf-call-ip6tables",
          "net/bridge/bridge-nf-call-arptables"}) {
        EXPECT_TRUE(has_sysctl(key, "0")) << key;
        EXPECT_TRUE(std::any_of(d->sysctls.begin(), d->sysctls.end(), [&](const SysctlSpec& s) {
            return s.key == key && s.optional;
        })) << key;
    }
    EXPECT_TRUE(std::none_of(d->sysctls.begin(), d->sysctls.end(),
                             [](const SysctlSpec& s) { return s.side == Side::Host; }));
    EXPECT_TRUE(find_link(*d, Side::Host, "br-hs-210"));
    EXPECT_EQ(find_link(*d, Side::Host, "host-e-210")->master, "br-hs-210");
    EXPECT_EQ(find_link(*d, Side::Router, "pe-e-210")->master, "br-pe-210");
    EXPECT_EQ(find_link(*d, Side::Router, "pe-e-210")->mtu, 1450u);
    bool gw = std::any_of(d->addresses.begin(), d->addresses.end(), [](const AddressSpec& a) {
        return a.link == "br-pe-210" && a.prefix.str() == "192.170.1.1/24";
    });
    EXPECT_TRUE(gw);
    EXPECT_TRUE(has_line(d->frr_config, "  network 192.170.1.0/24"));
}

TEST(Planner, ExternalHostBridgeIsReferencedNotOwned) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[[l2vni]]
name = "lan"
vni = 110
host_master = { type = "linux-bridge", lifecycle = "external", name = "br0" }
)");
    auto d = build(cfg, Facts{});
    ASSERT_TRUE(d);
    EXPECT_FALSE(find_link(*d, Side::Host, "br0"));
    ASSERT_EQ(d->external_links.size(), 1u);
    EXPECT_EQ(d->external_links[0].name, "br0");
    EXPECT_EQ(find_link(*d, Side::Host, "host-e-110")->master, "br0");
    EXPECT_FALSE(find_link(*d, Side::Host, "host-e-110")->mtu);  // underlay MTU unknown
}

// host_master type "ovs-bridge": the veth is still ours (netlink), the bridge and the port are
// OVSDB's; no Linux bridge, no external link, no master for netlink to set.
TEST(Planner, OvsHostMasterBecomesAnOvsPort) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[[l2vni]]
name = "vms"
vni = 110
host_master = { type = "ovs-bridge", lifecycle = "managed" }
[[l2vni]]
name = "ovn"
vni = 120
host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-int" }
)");
    Options opts;
    opts.ovs_datapath = OvsDatapath::Netdev;
    auto d = build(cfg, Facts{}, opts);
    ASSERT_TRUE(d);
    EXPECT_FALSE(find_link(*d, Side::Host, "br-hs-110"));
    EXPECT_FALSE(find_link(*d, Side::Host, "br-int"));
    EXPECT_TRUE(d->external_links.empty());
    for (const char* veth : {"host-e-110", "host-e-120"}) {
        const LinkSpec* l = find_link(*d, Side::Host, veth);
        ASSERT_TRUE(l) << veth;
        EXPECT_TRUE(l->ovs_port) << veth;
        EXPECT_FALSE(l->master) << veth;
        EXPECT_EQ(l->veth_peer, std::string("pe-e-") + (veth + 7));
    }
    EXPECT_FALSE(find_link(*d, Side::Router, "pe-e-110")->ovs_port);
    EXPECT_EQ(find_link(*d, Side::Router, "pe-e-110")->master, "br-pe-110");
    ASSERT_EQ(d->ovs_ports.size(), 2u);
    EXPECT_EQ(d->ovs_ports[0], (OvsPortSpec{"br-hs-110", OvsBridgeLifecycle::Managed,
                                            OvsDatapath::Netdev, "host-e-110", "vms"}));
    EXPECT_EQ(d->ovs_ports[1], (OvsPortSpec{"br-int", OvsBridgeLifecycle::External,
                                            OvsDatapath::Netdev, "host-e-120", "ovn"}));
    // The default datapath is OVS's own (the kernel module).
    auto system = build(cfg, Facts{});
    ASSERT_TRUE(system);
    EXPECT_EQ(system->ovs_ports[0].datapath, OvsDatapath::System);
}

TEST(Planner, PassthroughVethAndSessionInTheDefaultInstance) {
    auto cfg = parse(std::string(kNode) + kUnderlay + R"(
[passthrough.host_session]
asn = 64514
host_asn = 64516
local_cidr = { ipv4 = "192.169.20.0/24" }
)");
    auto d = build(cfg, Facts{});
    ASSERT_TRUE(d);
    EXPECT_TRUE(find_link(*d, Side::Host, "pt-host"));
    EXPECT_TRUE(find_link(*d, Side::Router, "pt-ns"));
    ASSERT_TRUE(d->frr.passthrough);
    EXPECT_EQ(d->frr.passthrough->neighbors.at(0).address, "192.169.20.2");
    EXPECT_EQ(d->frr.passthrough->networks_v4.at(0), "192.169.20.2/32");
}

// Golden files: tests/unit/plan/golden/<name>.toml -> <name>.txt (describe() of the plan with
// underlay MTU 1500). PEROUTER_UPDATE_GOLDEN=1 rewrites the .txt files.
TEST(PlannerGolden, MatchesGoldenFiles) {
    const fs::path dir = PEROUTER_PLAN_GOLDEN_DIR;
    const bool update = std::getenv("PEROUTER_UPDATE_GOLDEN") != nullptr;
    int count = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".toml")
            continue;
        ++count;
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        Facts f;
        f.underlay_mtu = 1500;
        auto d = build(parse(ss.str()), f);
        ASSERT_TRUE(d) << e.path() << ": " << d.error().message;
        std::string got = describe(*d);
        fs::path golden = e.path();
        golden.replace_extension(".txt");
        if (update) {
            std::ofstream(golden) << got;
            continue;
        }
        std::ifstream g(golden);
        ASSERT_TRUE(g) << "missing golden file " << golden
                       << " (run with PEROUTER_UPDATE_GOLDEN=1)";
        std::stringstream want;
        want << g.rdbuf();
        EXPECT_EQ(got, want.str()) << "golden mismatch for " << e.path();
    }
    EXPECT_GE(count, 3);
}

}  // namespace
}  // namespace perouter::plan
