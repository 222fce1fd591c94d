#include "config/names.hpp"

#include <gtest/gtest.h>

#include "config/route_target.hpp"

namespace perouter::config {
namespace {

TEST(Names, KernelObjectNames) {
    EXPECT_EQ(bridge_name(100), "br-pe-100");
    EXPECT_EQ(vxlan_name(100), "vni100");
    EXPECT_EQ(host_veth_name(100), "host-e-100");
    EXPECT_EQ(router_veth_name(100), "pe-e-100");
    EXPECT_EQ(host_bridge_name(110), "br-hs-110");
    EXPECT_EQ(kPassthroughHostVeth, "pt-host");
    EXPECT_EQ(kPassthroughRouterVeth, "pt-ns");
}

TEST(Names, LargestVniFitsIfnamsiz) {
    for (const auto& n : {bridge_name(kMaxVni), vxlan_name(kMaxVni), host_veth_name(kMaxVni),
                          router_veth_name(kMaxVni), host_bridge_name(kMaxVni)}) {
        EXPECT_LE(n.size(), kMaxInterfaceName) << n;
        EXPECT_FALSE(interface_name_problem(n)) << n;
    }
    EXPECT_EQ(host_veth_name(kMaxVni), "host-e-16777215");
}

TEST(Names, InterfaceNameRules) {
    EXPECT_FALSE(interface_name_problem("eth0"));
    EXPECT_FALSE(interface_name_problem("a.b_c-d"));
    EXPECT_FALSE(interface_name_problem("abcdefghijklmno"));  // 15
    EXPECT_EQ(interface_name_problem("abcdefghijklmnop"), "longer than 15 characters");
    EXPECT_EQ(interface_name_problem(""), "must not be empty");
    EXPECT_EQ(interface_name_problem("_x"), "must start with a letter");
    EXPECT_EQ(interface_name_problem("a/b"), "may only contain letters, digits, '.', '_' and '-'");
}

TEST(Names, ReservedNames) {
    EXPECT_FALSE(reserved_name_problem("red"));
    EXPECT_FALSE(reserved_name_problem("vni"));
    EXPECT_FALSE(reserved_name_problem("vnired"));
    EXPECT_FALSE(reserved_name_problem("br-storage"));
    for (const char* n :
         {"lo", "br-pe-1", "br-hs-1", "host-e-1", "pe-e-1", "pt-ns", "pt-host", "vni42"})
        EXPECT_TRUE(reserved_name_problem(n)) << n;
}

TEST(RouteTarget, Formats) {
    EXPECT_FALSE(route_target_problem("64514:100"));
    EXPECT_FALSE(route_target_problem("65535:4294967295"));  // 2-byte ASN, 4-byte MN
    EXPECT_FALSE(route_target_problem("4294967295:65535"));  // 4-byte ASN, 2-byte MN
    EXPECT_FALSE(route_target_problem("192.0.2.1:65535"));   // IPv4, 2-byte MN
    EXPECT_TRUE(route_target_problem("65536:65536"));
    EXPECT_TRUE(route_target_problem("192.0.2.1:65536"));
    EXPECT_TRUE(route_target_problem("65535:4294967296"));
    EXPECT_TRUE(route_target_problem("fd00::1:5"));
    EXPECT_TRUE(route_target_problem(":5"));
    EXPECT_TRUE(route_target_problem("5:"));
    EXPECT_TRUE(route_target_problem("a:5"));
    EXPECT_TRUE(route_target_problem("1:-5"));
    EXPECT_EQ(route_target_problem("4294967295:4294967295"),
              "the number after a 4-byte asn must be at most 65535");
    EXPECT_EQ(route_target_problem("192.168.100.100:65535"), std::nullopt);  // 21 characters
    EXPECT_EQ(route_target_problem("192.168.100.100:655350"), "longer than 21 characters");
}

}  // namespace
}  // namespace perouter::config
