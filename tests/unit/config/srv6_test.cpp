// [underlay.srv6] and [[l3vpn]]: what they parse to, and every rule with its message and place.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/node_addresses.hpp"
#include "test_util.hpp"

namespace perouter::config {
namespace {

using test::errors;
using test::ok;
using ::testing::ElementsAre;

// An underlay SRv6 can run on: an IPv6 tunnel endpoint and an IPv6 session.
const char* kV6Base = R"([node]
index = 3

[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24", "fd00:65::/64"]

[[underlay.neighbors]]
asn = 64512
address = "fd00:11::2"
)";

std::vector<std::string> errors_v6(const std::string& extra) {
    return errors({{"a.toml", kV6Base}, {"b.toml", extra}});
}

Config ok_v6(const std::string& extra) {
    return ok({{"a.toml", kV6Base}, {"b.toml", extra}});
}

const char* kPool = "[underlay.srv6]\nlocator_pool = \"fd00:0:1::/48\"\n";

TEST(Srv6, LocatorPoolGivesEachNodeItsSlash64) {
    Config c = ok_v6(kPool);
    ASSERT_TRUE(c.underlay && c.underlay->srv6);
    const Srv6& s = *c.underlay->srv6;
    EXPECT_EQ(s.locator_pool->str(), "fd00:0:1::/48");
    EXPECT_FALSE(s.locator);
    EXPECT_EQ(srv6_locator(s, 3)->str(), "fd00:0:1:3::/64");
    EXPECT_EQ(srv6_locator(s, 0)->str(), "fd00:0:1::/64");
    EXPECT_EQ(srv6_locator(s, 65535)->str(), "fd00:0:1:ffff::/64");
    EXPECT_FALSE(srv6_locator(s, 65536).ok());
}

TEST(Srv6, AnExplicitLocatorIsThisNodes) {
    Config c = ok_v6("[underlay.srv6]\nlocator = \"fd00:0:1:9::/64\"\n");
    EXPECT_EQ(srv6_locator(*c.underlay->srv6, 3)->str(), "fd00:0:1:9::/64");
}

TEST(Srv6, LocatorKeys) {
    EXPECT_THAT(errors_v6("[underlay.srv6]\n"),
                ElementsAre("b.toml:1:1: [underlay.srv6] needs 'locator' (this node's /64) or "
                            "'locator_pool' (node i takes its i-th /64)"));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator = \"fd00:0:1:9::/64\"\n"
                          "locator_pool = \"fd00:0:1::/48\"\n"),
                ElementsAre("b.toml:3:16: 'locator' and 'locator_pool' are mutually exclusive"));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator = \"fd00:0:1::/48\"\n"),
                ElementsAre("b.toml:2:11: 'locator' must be a /64 (FRR 8.4 advertises SIDs with "
                            "their function at bit 64), got fd00:0:1::/48"));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator_pool = \"fd00:0:1:2::/96\"\n"),
                ElementsAre("b.toml:2:16: 'locator_pool' must be /64 or shorter (each node takes "
                            "a /64 of it), got fd00:0:1:2::/96"));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator = \"10.0.0.0/24\"\n"),
                ElementsAre("b.toml:2:11: 'locator' must be an ipv6 cidr, got '10.0.0.0/24'"));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator_pool = \"ff00::/48\"\n"),
                ElementsAre(::testing::StartsWith("b.toml:2:16: 'locator_pool' ff00::/48 ")));
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator = \"fd00::/64\"\nfunc_bits = 16\n"),
                ElementsAre(::testing::StartsWith("b.toml:3:1: unknown key 'func_bits'")));
}

TEST(Srv6, ThisNodeMustHaveALocatorInThePool) {
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator_pool = \"fd00:0:1:4::/63\"\n"),
                ElementsAre("b.toml:2:16: 'locator_pool' fd00:0:1:4::/63 has no address for "
                            "node index 3"));
}

TEST(Srv6, NeedsAnIpv6TunnelEndpointAndAnIpv6Session) {
    const std::string v4_only = R"([node]
index = 0
[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
[underlay.srv6]
locator = "fd00:0:1:9::/64"
)";
    EXPECT_THAT(errors({{"c.toml", v4_only}}),
                ElementsAre("c.toml:10:1: [underlay.srv6] needs an ipv6 cidr in the underlay's "
                            "'tunnel_endpoint_cidrs' (the source of SRv6 packets)",
                            "c.toml:10:1: [underlay.srv6] needs an underlay neighbor over ipv6 "
                            "(an ipv6 'address' or an 'interface'): SRv6 VPN routes and the "
                            "locator are carried over ipv6 sessions"));
}

TEST(Srv6, AnUnnumberedNeighborIsAnIpv6Session) {
    const std::string unnumbered = R"([node]
index = 0
[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["fd00:65::/64"]
[[underlay.neighbors]]
type = "external"
interface = "eth0"
[underlay.srv6]
locator = "fd00:0:1:9::/64"
)";
    ok({{"c.toml", unnumbered}});
}

TEST(Srv6, LocatorMustNotOverlapTheNodesOtherPools) {
    EXPECT_THAT(errors_v6("[underlay.srv6]\nlocator_pool = \"fd00:65::/48\"\n"),
                ElementsAre("b.toml:2:16: 'locator_pool' fd00:65::/48 overlaps the tunnel "
                            "endpoint cidr fd00:65::/64 (also at a.toml:7:25)"));
    EXPECT_THAT(errors_v6(std::string(kPool) + R"([[l3vpn]]
name = "green"
vrf = "green"
rd_assigned_number = 100
import_rts = ["64512:100"]
host_session = { asn = 64514, host_asn = 64515, local_cidr = { ipv6 = "fd00:0:1:3::/80" } }
)"),
                ElementsAre("b.toml:2:16: 'locator_pool' fd00:0:1::/48 overlaps local_cidr "
                            "fd00:0:1:3::/80 of l3vpn 'green' (also at b.toml:8:71)"));
}

// ---- [[l3vpn]] ---------------------------------------------------------------------------------

const char* kGreen = R"([[l3vpn]]
name = "green"
vrf = "green"
rd_assigned_number = 100
import_rts = ["64512:100"]
)";

TEST(L3Vpn, Parses) {
    Config c = ok_v6(std::string(kPool) + R"([[l3vpn]]
name = "green"
vrf = "green"
rd_assigned_number = 100
import_rts = ["64512:100", "64512:101"]
export_rts = ["64514:100"]
rd = "10.0.0.4:100"
default_gateway = true
host_session = { asn = 64514, host_asn = 64515, local_cidr = { ipv4 = "192.169.30.0/24" } }
)");
    ASSERT_EQ(c.l3vpns.size(), 1u);
    const L3Vpn& v = c.l3vpns[0];
    EXPECT_EQ(v.name, "green");
    EXPECT_EQ(v.vrf, "green");
    EXPECT_EQ(v.rd_assigned_number, 100u);
    EXPECT_THAT(v.import_rts, ElementsAre("64512:100", "64512:101"));
    EXPECT_THAT(v.export_rts, ElementsAre("64514:100"));
    EXPECT_EQ(v.rd, "10.0.0.4:100");
    EXPECT_TRUE(v.default_gateway);
    ASSERT_TRUE(v.host_session);
    EXPECT_EQ(v.host_session->local_cidr.ipv4->str(), "192.169.30.0/24");
    EXPECT_EQ(v.pos.of("vrf").str(), "b.toml:5:7");
}

TEST(L3Vpn, RequiredKeysAndRanges) {
    EXPECT_THAT(errors_v6(std::string(kPool) + "[[l3vpn]]\n"),
                ElementsAre("b.toml:3:1: missing 'name' in [[l3vpn]]",
                            "b.toml:3:1: missing 'vrf' in [[l3vpn]]",
                            "b.toml:3:1: missing 'rd_assigned_number' in [[l3vpn]]",
                            "b.toml:3:1: missing 'import_rts' in [[l3vpn]]"));
    EXPECT_THAT(errors_v6(std::string(kPool) + R"([[l3vpn]]
name = "green"
vrf = "green"
rd_assigned_number = 65536
import_rts = []
)"),
                ElementsAre("b.toml:6:22: 'rd_assigned_number' must be 1..65535, got 65536",
                            "b.toml:7:14: 'import_rts' must name at least one route target"));
}

TEST(L3Vpn, NeedsSrv6AndNoL3Vni) {
    EXPECT_THAT(errors_v6(kGreen),
                ElementsAre("b.toml:1:1: [[l3vpn]] needs [underlay.srv6] (the locator its SIDs "
                            "are taken from)"));
    EXPECT_THAT(errors_v6(std::string(kPool) + kGreen +
                          "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n"),
                ElementsAre("b.toml:3:1: [[l3vpn]] and [[l3vni]] cannot be on one node (the "
                            "[[l3vni]] 'red' is at b.toml:8:1)"));
}

TEST(L3Vpn, NamesVrfsAndNumbersAreUnique) {
    EXPECT_THAT(
        errors_v6(std::string(kPool) + kGreen + R"([[l3vpn]]
name = "blue"
vrf = "green"
rd_assigned_number = 100
import_rts = ["64512:100"]
rd = "1.1.1.1:1"
[[l3vpn]]
name = "cyan"
vrf = "cyan"
rd_assigned_number = 7
import_rts = ["64512:7"]
rd = "1.1.1.1:1"
[[l2vni]]
name = "cyan"
vni = 7
)"),
        ElementsAre("b.toml:10:7: more than one l3vpn in vrf 'green': 'green' and 'blue' "
                    "(also at b.toml:5:7)",
                    "b.toml:11:22: duplicate rd_assigned_number 100: l3vpn 'green' and "
                    "l3vpn 'blue' (also at b.toml:6:22)",
                    "b.toml:19:6: duplicate rd 1.1.1.1:1: l3vpn 'blue' and l3vpn 'cyan' "
                    "(also at b.toml:13:6)",
                    "b.toml:21:8: duplicate name 'cyan': also used by l3vpn at b.toml:15:8"));
}

TEST(L3Vpn, IsARoutingDomainForAnL2Vni) {
    Config c = ok_v6(std::string(kPool) + kGreen + R"([[l2vni]]
name = "green-l2"
vni = 200
routing_domain = "green"
gateway_ips = ["192.170.1.1/24"]
)");
    EXPECT_EQ(c.l2vnis.at(0).routing_domain, "green");
}

TEST(L3Vpn, ALaterFileReplacesAnEntryOfTheSameName) {
    Config c = ok({{"a.toml", kV6Base},
                   {"b.toml", std::string(kPool) + kGreen},
                   {"c.toml",
                    "[[l3vpn]]\nname = \"green\"\nvrf = \"green2\"\n"
                    "rd_assigned_number = 5\nimport_rts = [\"64512:5\"]\n"}});
    ASSERT_EQ(c.l3vpns.size(), 1u);
    EXPECT_EQ(c.l3vpns[0].vrf, "green2");
    EXPECT_EQ(c.l3vpns[0].pos.of("vrf").file, "c.toml");
}

}  // namespace
}  // namespace perouter::config
