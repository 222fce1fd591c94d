#include "plan/addressing.hpp"

#include <gtest/gtest.h>

#include "plan/desired.hpp"

namespace perouter::plan {
namespace {

IpPrefix P(const char* s) {
    return *IpPrefix::parse(s);
}

TEST(Addressing, RouterIdIsIndexPlusOne) {
    EXPECT_EQ(router_id(P("10.0.0.0/24"), 0)->str(), "10.0.0.1");
    EXPECT_EQ(router_id(P("10.0.0.0/24"), 5)->str(), "10.0.0.6");
    auto r = router_id(P("10.0.0.0/30"), 3);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "router_id_cidr 10.0.0.0/30 has no address for node index 3");
}

TEST(Addressing, VtepIsIndexItselfIncludingTheNetworkAddress) {
    EXPECT_EQ(vtep_address(P("100.65.0.0/24"), 0)->str(), "100.65.0.0");
    EXPECT_EQ(vtep_address(P("100.65.0.0/24"), 2)->str(), "100.65.0.2");
    EXPECT_EQ(vtep_address(P("2001:db8:ff::/64"), 1)->str(), "2001:db8:ff::1");
}

TEST(Addressing, VethAddressesSkipTheZeroNetworkAddress) {
    auto v = veth_addresses(P("192.169.10.0/24"), 0);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->router.str(), "192.169.10.1/24");
    EXPECT_EQ(v->host.str(), "192.169.10.2/24");
    EXPECT_EQ(veth_addresses(P("192.169.10.0/24"), 1)->host.str(), "192.169.10.3/24");
    auto v6 = veth_addresses(P("2001:db8:1::/64"), 0);
    EXPECT_EQ(v6->router.str(), "2001:db8:1::1/64");
    EXPECT_EQ(v6->host.str(), "2001:db8:1::2/64");
}

TEST(Addressing, VethAddressesUseTheFirstAddressWhenItDoesNotEndInZero) {
    // Upstream's rule: only a first address ending in a zero byte is skipped.
    auto v = veth_addresses(P("10.1.1.4/30"), 0);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->router.str(), "10.1.1.4/30");
    EXPECT_EQ(v->host.str(), "10.1.1.5/30");
    EXPECT_FALSE(veth_addresses(P("10.1.1.4/30"), 3));
}

TEST(Addressing, MtuSubtractsVxlanOverheadPerFamily) {
    EXPECT_EQ(vni_mtu(1500, Family::V4), 1450u);
    EXPECT_EQ(vni_mtu(1500, Family::V6), 1430u);
    EXPECT_EQ(vni_mtu(9000, Family::V4), 8950u);
    EXPECT_FALSE(vni_mtu(0, Family::V4));
    EXPECT_FALSE(vni_mtu(1330, Family::V4));  // 1280 would be left
    EXPECT_EQ(vni_mtu(1331, Family::V4), 1281u);
}

TEST(Addressing, AnycastMacEncodesVniPlusOne) {
    EXPECT_EQ(anycast_gateway_mac(110).str(), "00:f3:00:00:00:6f");
    EXPECT_EQ(anycast_gateway_mac(16777215).str(), "00:f3:01:00:00:00");
}

TEST(Addressing, VrfTablesSkipReservedAndKeepExisting) {
    std::map<std::string, uint32_t> existing{{"blue", 1}, {"green", 3}};
    VrfTableAllocator a(existing);
    EXPECT_EQ(a.table_for("blue"), 1u);
    EXPECT_EQ(a.table_for("red"), 2u);
    EXPECT_EQ(a.table_for("x"), 4u);
    EXPECT_EQ(a.table_for("red"), 2u);
    VrfTableAllocator big({});
    for (int i = 1; i <= 252; ++i)
        big.table_for("v" + std::to_string(i));
    EXPECT_EQ(big.table_for("after"), 256u);
}

}  // namespace
}  // namespace perouter::plan

// One rule for "which interface does this sysctl name" (the diff waits for that link; the
// observer reads that host link): per-interface keys only, never "all" or "default".
TEST(Sysctl, InterfaceOfAPerInterfaceKey) {
    using perouter::plan::sysctl_interface;
    EXPECT_EQ(sysctl_interface("net/ipv4/conf/pe-e-110/rp_filter"), "pe-e-110");
    EXPECT_EQ(sysctl_interface("net/ipv6/neigh/br-pe-110/base_reachable_time_ms"), "br-pe-110");
    EXPECT_EQ(sysctl_interface("net/ipv4/conf/all/forwarding"), std::nullopt);
    EXPECT_EQ(sysctl_interface("net/ipv6/conf/default/accept_untracked_na"), std::nullopt);
    EXPECT_EQ(sysctl_interface("net/ipv4/ip_forward"), std::nullopt);
    EXPECT_EQ(sysctl_interface("net/ipv4/conf/eth0"), std::nullopt);
    EXPECT_EQ(sysctl_interface("net/core/conf/eth0/x"), std::nullopt);
    EXPECT_EQ(sysctl_interface("kernel/conf/eth0/x/y"), std::nullopt);
}
