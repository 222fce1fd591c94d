// [online]: conversion, validation with positions, and the targets "online" waits for.
#include "config/online.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_util.hpp"

namespace perouter::config {
namespace {

using test::errors_with_base;
using test::ok_with_base;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// An IPv4-only default-gateway VPN "red" and an L3VNI "blue" without the gateway.
const char* kVpns = R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
default_gateway = true
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.10.0/24" }

[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.11.0/24", ipv6 = "2001:db8:11::/64" }
)";

std::string with_vpns(const std::string& online) {
    return std::string(kVpns) + "\n" + online;
}

IpPrefix pfx(const char* s) {
    return *IpPrefix::parse(s);
}

TEST(Online, AbsentTableDefaultsToTheGatewayFamiliesDefaultRoute) {
    Config c = ok_with_base(kVpns);
    EXPECT_FALSE(c.online);
    EXPECT_THAT(online_targets(c), ElementsAre(GatewayTarget{pfx("0.0.0.0/0"), "red", "red", 100}));
}

TEST(Online, NoGatewayVpnMeansNoTargets) {
    Config c = ok_with_base("");
    EXPECT_THAT(online_targets(c), IsEmpty());
}

TEST(Online, AddressesBecomeHostRoutesAndPrefixesStay) {
    Config c = ok_with_base(with_vpns(R"([online]
targets = ["192.168.20.20", "10.1.0.0/16"]
probe = "192.168.20.20"
)"));
    ASSERT_TRUE(c.online);
    ASSERT_EQ(c.online->targets.size(), 2u);
    EXPECT_EQ(c.online->targets[0].prefix, pfx("192.168.20.20/32"));
    EXPECT_EQ(c.online->targets[0].pos.str(), "b.toml:21:12");
    EXPECT_EQ(c.online->probe, IpAddress::parse("192.168.20.20"));
    EXPECT_THAT(online_targets(c),
                ElementsAre(GatewayTarget{pfx("192.168.20.20/32"), "red", "red", 100},
                            GatewayTarget{pfx("10.1.0.0/16"), "red", "red", 100}));
}

TEST(Online, EmptyTargetsMeanTheDefault) {
    Config c = ok_with_base(with_vpns("[online]\ntargets = []\n"));
    EXPECT_THAT(online_targets(c), ElementsAre(GatewayTarget{pfx("0.0.0.0/0"), "red", "red", 100}));
}

TEST(Online, TargetOfAFamilyWithoutGatewayIsRejectedAtItsPosition) {
    EXPECT_THAT(
        errors_with_base(with_vpns("[online]\ntargets = [\"10.0.0.1\", \"2001:db8::1\"]\n")),
        ElementsAre("b.toml:21:24: online target '2001:db8::1/128' needs a "
                    "default_gateway l3vni or l3vpn with an ipv6 local_cidr"));
}

TEST(Online, TargetsWithoutAnyGatewayVpnAreRejected) {
    EXPECT_THAT(errors_with_base("[online]\ntargets = [\"10.0.0.1\"]\n"),
                ElementsAre("b.toml:2:12: online target '10.0.0.1/32' needs a default_gateway "
                            "l3vni or l3vpn with an ipv4 local_cidr"));
}

TEST(Online, ProbeNeedsAGatewayOfItsFamily) {
    EXPECT_THAT(errors_with_base(with_vpns("[online]\nprobe = \"2001:db8::1\"\n")),
                ElementsAre("b.toml:21:9: online probe '2001:db8::1' needs a default_gateway "
                            "l3vni or l3vpn with an ipv6 local_cidr"));
}

TEST(Online, MalformedEntriesAreReportedEach) {
    EXPECT_THAT(
        errors_with_base(with_vpns(
            "[online]\ntargets = [\"nope\", \"10.0.0.1/8\", \"10.0.0.0/8\", \"10.0.0.0/8\"]\n")),
        ElementsAre("b.toml:21:12: 'targets' entry must be an address or a cidr without host "
                    "bits (ADDR or ADDR/LEN), got 'nope'",
                    "b.toml:21:20: 'targets' entry must be an address or a cidr without host "
                    "bits (ADDR or ADDR/LEN), got '10.0.0.1/8'",
                    "b.toml:21:48: duplicate online target '10.0.0.0/8'"));
}

TEST(Online, UnknownKeysAndWrongTypesAreRejected) {
    auto errs = errors_with_base(with_vpns("[online]\ntarget = [\"10.0.0.1\"]\nprobe = 5\n"));
    ASSERT_EQ(errs.size(), 2u);
    EXPECT_THAT(errs[0], ::testing::StartsWith("b.toml:21:1: "));
    EXPECT_THAT(errs[0], ::testing::HasSubstr("target"));
    EXPECT_THAT(errs[1], ::testing::StartsWith("b.toml:22:9: "));
}

TEST(Online, UnspecifiedProbeIsRejected) {
    EXPECT_THAT(errors_with_base(with_vpns("[online]\nprobe = \"0.0.0.0\"\n")),
                ElementsAre("b.toml:21:9: 'probe' must be a unicast address, got 0.0.0.0"));
}

}  // namespace
}  // namespace perouter::config
