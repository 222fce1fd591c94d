#include "frr/config_tree.hpp"

#include <gtest/gtest.h>

#include "frr/render.hpp"
#include "models.hpp"

namespace perouter::frr::testing {
namespace {

TEST(ConfigTree, SplitsGlobalsContextsAndSubContexts) {
    const ConfigTree t = parse_config(render(golden_model("bfd_profile")));
    EXPECT_EQ(t.globals, (std::vector<std::string>{
                             "frr defaults traditional", "log syslog informational",
                             "ip nht resolve-via-default", "ipv6 nht resolve-via-default",
                             "bgp route-map delay-timer 1"}));
    ASSERT_EQ(t.blocks.size(), 5u);
    EXPECT_EQ(t.blocks[0].header, "vrf red");
    EXPECT_EQ(t.blocks[0].lines, std::vector<std::string>{"vni 100"});
    EXPECT_EQ(t.blocks[1].header, "bfd");
    ASSERT_EQ(t.blocks[1].children.size(), 2u);
    EXPECT_EQ(t.blocks[1].children[1].header, "profile neighbor-192.168.12.2");
    EXPECT_EQ(t.blocks[1].children[1].lines, std::vector<std::string>{"passive-mode"});
    EXPECT_EQ(t.blocks[2].header, "route-map allowall permit 1");
    EXPECT_TRUE(t.blocks[2].lines.empty());
    EXPECT_EQ(t.blocks[3].header, "router bgp 64514");
    ASSERT_EQ(t.blocks[3].children.size(), 2u);
    EXPECT_EQ(t.blocks[3].children[0].header, "address-family ipv4 unicast");
    EXPECT_EQ(t.blocks[3].children[1].header, "address-family l2vpn evpn");
    EXPECT_EQ(t.blocks[3].children[1].lines.back(), "advertise-all-vni");
    EXPECT_EQ(t.blocks[4].header, "router bgp 64514 vrf red");
}

TEST(ConfigTree, IgnoresLayout) {
    const ConfigTree a = parse_config(
        "frr defaults traditional\n!\nrouter bgp 1\n bgp router-id 1.1.1.1\n"
        " address-family ipv4 unicast\n  network 1.1.1.1/32\n exit-address-family\nexit\n");
    const ConfigTree b = parse_config(
        "\nfrr defaults traditional  \r\nrouter bgp 1\n\tbgp router-id 1.1.1.1\n!\n"
        "   address-family ipv4 unicast\n\tnetwork 1.1.1.1/32\n exit-address-family\n "
        "!\nexit\nend");
    ASSERT_EQ(a.blocks.size(), 1u);
    ASSERT_EQ(b.blocks.size(), 1u);
    EXPECT_EQ(a.globals, b.globals);
    EXPECT_EQ(a.blocks[0].lines, b.blocks[0].lines);
    ASSERT_EQ(b.blocks[0].children.size(), 1u);
    EXPECT_EQ(a.blocks[0].children[0].lines, b.blocks[0].children[0].lines);
}

TEST(ConfigTree, AnUnindentedLineClosesEveryContext) {
    // As vtysh reads a file: `ip prefix-list` is not a route-map command, so it leaves the
    // route-map; a raw block written without `exit` must not put it inside.
    const ConfigTree t = parse_config(
        "route-map in permit 10\n match ip address prefix-list p\n"
        "ip prefix-list p seq 5 permit 10.0.0.0/8\nrouter bgp 1\n address-family l2vpn evpn\n"
        "  vni 110\n   rd 1.1.1.1:110\n  exit-vni\n  advertise-all-vni\n"
        " exit-address-family\nexit\n");
    EXPECT_EQ(t.globals, (std::vector<std::string>{"ip prefix-list p seq 5 permit 10.0.0.0/8"}));
    ASSERT_EQ(t.blocks.size(), 2u);
    EXPECT_EQ(t.blocks[0].lines, (std::vector<std::string>{"match ip address prefix-list p"}));
    const ConfigBlock& evpn = t.blocks[1].children.at(0);
    EXPECT_EQ(evpn.lines, (std::vector<std::string>{"advertise-all-vni"}));
    ASSERT_EQ(evpn.children.size(), 1u);
    EXPECT_EQ(evpn.children[0].header, "vni 110");
    EXPECT_EQ(evpn.children[0].lines, (std::vector<std::string>{"rd 1.1.1.1:110"}));
}

TEST(ConfigTree, AContextOpenedTwiceIsOneBlock) {
    const ConfigTree t = parse_config(
        "router bgp 1\n neighbor a remote-as 2\n address-family ipv4 unicast\n  network n\n"
        " exit-address-family\nexit\nroute-map x permit 1\nexit\nrouter bgp 1\n"
        " neighbor a description fabric\n address-family ipv4 unicast\n"
        "  neighbor a route-map x in\n exit-address-family\nexit\n");
    ASSERT_EQ(t.blocks.size(), 2u);
    EXPECT_EQ(t.blocks[0].lines, (std::vector<std::string>{"neighbor a remote-as 2",
                                                           "neighbor a description fabric"}));
    ASSERT_EQ(t.blocks[0].children.size(), 1u);
    EXPECT_EQ(t.blocks[0].children[0].lines,
              (std::vector<std::string>{"network n", "neighbor a route-map x in"}));
}

TEST(ConfigTree, ExitKeywords) {
    EXPECT_EQ(exit_keyword("vni 110"), "exit-vni");
    EXPECT_EQ(exit_keyword("vrf red"), "exit-vrf");
    EXPECT_EQ(exit_keyword("address-family l2vpn evpn"), "exit-address-family");
    EXPECT_EQ(exit_keyword("router bgp 64514 vrf red"), "exit");
    EXPECT_EQ(exit_keyword("profile p"), "exit");
}

}  // namespace
}  // namespace perouter::frr::testing
