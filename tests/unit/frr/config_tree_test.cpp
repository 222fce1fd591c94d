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
                             "ip nht resolve-via-default", "ipv6 nht resolve-via-default"}));
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
        "\n  frr defaults traditional  \r\nrouter bgp 1\nbgp router-id 1.1.1.1\n!\n"
        "address-family ipv4 unicast\n\tnetwork 1.1.1.1/32\nexit-address-family\n !\nexit\nend");
    ASSERT_EQ(a.blocks.size(), 1u);
    ASSERT_EQ(b.blocks.size(), 1u);
    EXPECT_EQ(a.globals, b.globals);
    EXPECT_EQ(a.blocks[0].lines, b.blocks[0].lines);
    ASSERT_EQ(b.blocks[0].children.size(), 1u);
    EXPECT_EQ(a.blocks[0].children[0].lines, b.blocks[0].children[0].lines);
}

TEST(ConfigTree, ExitKeywords) {
    EXPECT_EQ(exit_keyword("vrf red"), "exit-vrf");
    EXPECT_EQ(exit_keyword("address-family l2vpn evpn"), "exit-address-family");
    EXPECT_EQ(exit_keyword("router bgp 64514 vrf red"), "exit");
    EXPECT_EQ(exit_keyword("profile p"), "exit");
}

}  // namespace
}  // namespace perouter::frr::testing
