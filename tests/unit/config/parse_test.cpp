// TOML -> model conversion: values, defaults, positions, type errors, unknown keys, syntax
// errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace perouter::config {
namespace {

using test::errors_alone;
using test::errors_with_base;
using ::testing::ElementsAre;

const char* kFull = R"([node]
index = 7

[underlay]
asn = 4200000001
interfaces = ["eth0", "eth1"]
router_id_cidr = "10.1.0.0/16"
tunnel_endpoint_cidrs = ["100.65.0.0/24", "fd00:65::/64"]

[underlay.graceful_restart]
restart_time_seconds = 60

[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
port = 1179
password = "s3cret"
hold_time_seconds = 9
keepalive_time_seconds = 3
connect_time_seconds = 5
ebgp_multihop = 4
bfd = { receive_interval_ms = 100, transmit_interval_ms = 200, detect_multiplier = 5, session_mode = "passive", minimum_ttl = 250 }

[[underlay.neighbors]]
type = "internal"
address = "fd00:11::1"
ebgp_multihop = true
bfd = {}

[[l3vni]]
name = "red"
vrf = "red"
vni = 100
vxlan_port = 4790
underlay_address_family = "ipv6"
default_gateway = true
export_rts = ["64514:100"]
import_rts = ["64514:100", "10.0.0.1:7"]
host_session = { asn = 64514, host_type = "external", local_cidr = { ipv4 = "192.169.10.0/24", ipv6 = "2001:db8::/64" } }

[[l2vni]]
name = "web"
vni = 210
routing_domain = "red"
gateway_ips = ["192.170.1.1/24", "2001:db8:170::1/64"]
host_master = { type = "linux-bridge", lifecycle = "external", name = "br-web" }

[[l2vni]]
name = "storage"
vni = 110
underlay_address_family = "ipv4"
host_master = { lifecycle = "managed" }

[passthrough]
host_session = { asn = 4200000001, host_asn = 64516, local_cidr = { ipv4 = "192.169.20.0/24" } }
)";

TEST(Parse, ConvertsEveryField) {
    Config c = test::ok({{"full.toml", kFull}});
    EXPECT_EQ(c.node.index, 7u);
    EXPECT_FALSE(c.node.index_from_interface);

    ASSERT_TRUE(c.underlay);
    const Underlay& u = *c.underlay;
    EXPECT_EQ(u.asn, 4200000001u);
    EXPECT_THAT(u.interfaces, ElementsAre("eth0", "eth1"));
    EXPECT_EQ(u.router_id_cidr.str(), "10.1.0.0/16");
    ASSERT_EQ(u.tunnel_endpoint_cidrs.size(), 2u);
    EXPECT_EQ(u.tunnel_endpoint_cidrs[1].str(), "fd00:65::/64");
    ASSERT_TRUE(u.graceful_restart);
    EXPECT_EQ(u.graceful_restart->restart_time_seconds, 60u);
    EXPECT_EQ(u.graceful_restart->stale_path_time_seconds, 360u);  // default

    ASSERT_EQ(u.neighbors.size(), 2u);
    const Neighbor& n = u.neighbors[0];
    EXPECT_EQ(n.asn, 64512u);
    EXPECT_FALSE(n.type);
    EXPECT_EQ(n.address.str(), "192.168.11.2");
    EXPECT_EQ(n.port, 1179);
    EXPECT_EQ(n.password, "s3cret");
    EXPECT_EQ(n.hold_time_seconds, 9u);
    EXPECT_EQ(n.keepalive_time_seconds, 3u);
    EXPECT_EQ(n.connect_time_seconds, 5u);
    EXPECT_EQ(n.ebgp_multihop_ttl, 4u);
    EXPECT_FALSE(n.ebgp_multihop);
    ASSERT_TRUE(n.bfd);
    EXPECT_EQ(n.bfd->receive_interval_ms, 100u);
    EXPECT_EQ(n.bfd->transmit_interval_ms, 200u);
    EXPECT_EQ(n.bfd->detect_multiplier, 5u);
    EXPECT_EQ(n.bfd->passive, true);
    EXPECT_EQ(n.bfd->minimum_ttl, 250u);
    EXPECT_TRUE(n.bfd->has_parameters());

    const Neighbor& n2 = u.neighbors[1];
    EXPECT_EQ(n2.type, PeerType::Internal);
    EXPECT_FALSE(n2.asn);
    EXPECT_TRUE(n2.address.is_v6());
    EXPECT_TRUE(n2.ebgp_multihop);
    EXPECT_FALSE(n2.ebgp_multihop_ttl);
    ASSERT_TRUE(n2.bfd);
    EXPECT_FALSE(n2.bfd->has_parameters());
    EXPECT_FALSE(n2.port);

    ASSERT_EQ(c.l3vnis.size(), 1u);
    const L3Vni& l3 = c.l3vnis[0];
    EXPECT_EQ(l3.name, "red");
    EXPECT_EQ(l3.vrf, "red");
    EXPECT_EQ(l3.vni, 100u);
    EXPECT_EQ(l3.vxlan_port, 4790);
    EXPECT_EQ(l3.underlay_address_family, Family::V6);
    EXPECT_TRUE(l3.default_gateway);
    EXPECT_THAT(l3.export_rts, ElementsAre("64514:100"));
    EXPECT_THAT(l3.import_rts, ElementsAre("64514:100", "10.0.0.1:7"));
    ASSERT_TRUE(l3.host_session);
    EXPECT_EQ(l3.host_session->asn, 64514u);
    EXPECT_EQ(l3.host_session->host_type, PeerType::External);
    EXPECT_FALSE(l3.host_session->host_asn);
    EXPECT_EQ(l3.host_session->local_cidr.ipv4->str(), "192.169.10.0/24");
    EXPECT_EQ(l3.host_session->local_cidr.ipv6->str(), "2001:db8::/64");

    ASSERT_EQ(c.l2vnis.size(), 2u);
    const L2Vni& web = c.l2vnis[0];
    EXPECT_EQ(web.name, "web");
    EXPECT_EQ(web.vni, 210u);
    EXPECT_EQ(web.vxlan_port, 4789);  // default
    EXPECT_EQ(web.routing_domain, "red");
    ASSERT_EQ(web.gateway_ips.size(), 2u);
    EXPECT_EQ(web.gateway_ips[0].str(), "192.170.1.1/24");
    ASSERT_TRUE(web.host_master);
    EXPECT_EQ(web.host_master->lifecycle, HostMasterLifecycle::External);
    EXPECT_EQ(web.host_master->name, "br-web");
    const L2Vni& storage = c.l2vnis[1];
    EXPECT_FALSE(storage.routing_domain);
    EXPECT_EQ(storage.underlay_address_family, Family::V4);
    ASSERT_TRUE(storage.host_master);
    EXPECT_EQ(storage.host_master->type, HostMasterType::LinuxBridge);  // the default
    EXPECT_EQ(storage.host_master->lifecycle, HostMasterLifecycle::Managed);
    EXPECT_FALSE(storage.host_master->name);

    ASSERT_TRUE(c.passthrough);
    EXPECT_EQ(c.passthrough->host_session.host_asn, 64516u);
    EXPECT_FALSE(c.passthrough->host_session.local_cidr.ipv6);
}

TEST(Parse, OvsHostMaster) {
    Config c = test::ok_with_base(R"([[l2vni]]
name = "kubevirt"
vni = 110
host_master = { type = "ovs-bridge", lifecycle = "managed" }
[[l2vni]]
name = "ovn"
vni = 120
host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-int" }
[[l2vni]]
name = "linux"
vni = 130
host_master = { type = "linux-bridge", lifecycle = "external", name = "br0" }
)");
    ASSERT_EQ(c.l2vnis.size(), 3u);
    ASSERT_TRUE(c.l2vnis[0].host_master);
    EXPECT_EQ(c.l2vnis[0].host_master->type, HostMasterType::OvsBridge);
    EXPECT_EQ(c.l2vnis[0].host_master->lifecycle, HostMasterLifecycle::Managed);
    EXPECT_FALSE(c.l2vnis[0].host_master->name);
    EXPECT_EQ(c.l2vnis[1].host_master->type, HostMasterType::OvsBridge);
    EXPECT_EQ(c.l2vnis[1].host_master->lifecycle, HostMasterLifecycle::External);
    EXPECT_EQ(c.l2vnis[1].host_master->name, "br-int");
    EXPECT_EQ(c.l2vnis[2].host_master->type, HostMasterType::LinuxBridge);
    EXPECT_EQ(to_string(HostMasterType::OvsBridge), "ovs-bridge");
    EXPECT_EQ(to_string(HostMasterLifecycle::External), "external");
}

TEST(Parse, Defaults) {
    Config c = test::ok({{"a.toml", test::kBase}});
    ASSERT_TRUE(c.underlay);
    EXPECT_EQ(c.underlay->router_id_cidr.str(), "10.0.0.0/24");
    EXPECT_FALSE(c.underlay->graceful_restart);
    EXPECT_FALSE(c.underlay->neighbors[0].bfd);
    EXPECT_FALSE(c.underlay->neighbors[0].ebgp_multihop);
    EXPECT_TRUE(c.l3vnis.empty());
    EXPECT_FALSE(c.passthrough);
}

TEST(Parse, EmptyConfigurationIsValid) {
    Config c = test::ok({});
    EXPECT_FALSE(c.underlay);
    c = test::ok({{"empty.toml", ""}, {"comment.toml", "# nothing here\n"}});
    EXPECT_FALSE(c.underlay);
}

TEST(Parse, RecordsPositionsOfKeysAndTables) {
    Config c = test::ok({{"full.toml", kFull}});
    const L3Vni& l3 = c.l3vnis[0];
    EXPECT_EQ(l3.pos.of("").str(), "full.toml:30:1");
    EXPECT_EQ(l3.pos.of("vni").str(), "full.toml:33:7");
    EXPECT_EQ(l3.pos.of("host_session").str(), "full.toml:39:16");
    EXPECT_EQ(l3.host_session->pos.of("local_cidr.ipv6").str(), "full.toml:39:103");
    // A key that was not written falls back to its table.
    EXPECT_EQ(l3.pos.of("no_such_key").str(), "full.toml:30:1");
    EXPECT_EQ(c.underlay->neighbors[1].pos.of("type").str(), "full.toml:25:8");
    EXPECT_EQ(c.underlay->neighbors[0].bfd->pos.of("session_mode").str(), "full.toml:22:102");
    EXPECT_EQ(c.node.pos.of("index").str(), "full.toml:2:9");
}

TEST(Parse, UnknownKeys) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vnii = 100
)"),
                ElementsAre("b.toml:1:1: missing 'vni' in [[l3vni]]",
                            "b.toml:4:1: unknown key 'vnii' in [[l3vni]]"));
    EXPECT_THAT(errors_with_base("routers = 1\n[underlay]\nasnn = 1\n[underlay.neighbors.bfd]\n"),
                ElementsAre("b.toml:1:1: unknown key 'routers' in the top-level table",
                            "b.toml:3:1: unknown key 'asnn' in [underlay]",
                            "b.toml:4:1: 'neighbors' must be an array of tables"));
}

TEST(Parse, UnknownKeysInNestedTables) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
host_session = { asn = 1, host_asn = 2, port = 3, local_cidr = { ipv4 = "10.9.0.0/24", ipv5 = "x" } }
[[l2vni]]
name = "x"
vni = 5
host_master = { bridge = "br0" }
[passthrough]
host_session = { asn = 64514, host_asn = 2, local_cidr = { ipv4 = "10.8.0.0/24" }, vrf = "a" }
)"),
                ElementsAre("b.toml:5:41: unknown key 'port' in [l3vni.host_session]",
                            "b.toml:5:88: unknown key 'ipv5' in [l3vni.host_session.local_cidr]",
                            "b.toml:9:17: unknown key 'bridge' in [l2vni.host_master]",
                            "b.toml:11:84: unknown key 'vrf' in [passthrough.host_session]"));
}

TEST(Parse, TypeErrors) {
    EXPECT_THAT(
        errors_with_base(R"([[l3vni]]
name = 5
vrf = ["red"]
vni = "100"
vxlan_port = 47.89
default_gateway = "yes"
export_rts = "64514:1"
import_rts = [1]
host_session = 3
)"),
        ElementsAre("b.toml:2:8: 'name' must be a string", "b.toml:3:7: 'vrf' must be a string",
                    "b.toml:4:7: 'vni' must be an integer",
                    "b.toml:5:14: 'vxlan_port' must be an integer",
                    "b.toml:6:19: 'default_gateway' must be a boolean",
                    "b.toml:7:14: 'export_rts' must be an array of strings",
                    "b.toml:8:15: 'import_rts' must be an array of strings",
                    "b.toml:9:16: 'host_session' must be a table"));
}

TEST(Parse, TypeErrorsInUnderlay) {
    EXPECT_THAT(errors_alone(R"([node]
index = "0"
[underlay]
asn = 64514
interfaces = "eth0"
tunnel_endpoint_cidrs = [1]
graceful_restart = true
neighbors = [{ asn = 1, address = "10.9.0.1", ebgp_multihop = "yes", bfd = true, port = false }, 5]
)"),
                ElementsAre("c.toml:2:9: 'index' must be an integer",
                            "c.toml:5:14: 'interfaces' must be an array of strings",
                            "c.toml:6:26: 'tunnel_endpoint_cidrs' must be an array of strings",
                            "c.toml:7:20: 'graceful_restart' must be a table",
                            "c.toml:8:98: 'neighbors' must be an array of tables"));
    EXPECT_THAT(errors_alone(R"([node]
index = 0
[underlay]
asn = 64514
interfaces = ["eth0"]
neighbors = [{ asn = 1, address = "10.9.0.1", ebgp_multihop = "yes", bfd = true, port = false }]
)"),
                ElementsAre("c.toml:6:63: 'ebgp_multihop' must be an integer or a boolean",
                            "c.toml:6:76: 'bfd' must be a table",
                            "c.toml:6:89: 'port' must be an integer"));
}

TEST(Parse, WrongSectionShapes) {
    EXPECT_THAT(
        errors_alone("node = 1\nunderlay = []\nl3vni = {}\nl2vni = [1]\npassthrough = \"x\"\n"),
        ElementsAre("c.toml:1:8: 'node' must be a table", "c.toml:2:12: 'underlay' must be a table",
                    "c.toml:3:9: 'l3vni' must be an array of tables",
                    "c.toml:4:10: 'l2vni' must be an array of tables",
                    "c.toml:5:15: 'passthrough' must be a table"));
}

TEST(Parse, SyntaxErrorsNameFileLineAndColumn) {
    auto errs = test::errors({{"a.toml", test::kBase},
                              {"b.toml", "[[l3vni]]\nname = \"red\"\nvni = \n"},
                              {"c.toml", "x = 1\nx = 2\n"}});
    ASSERT_EQ(errs.size(), 2u);
    EXPECT_EQ(errs[0], "b.toml:3:7: error while parsing key-value pair: expected value, saw '\\n'");
    EXPECT_EQ(
        errs[1],
        "c.toml:2:5: error while parsing key-value pair: cannot redefine existing integer 'x'");
}

TEST(Parse, SyntaxErrorSuppressesSemanticErrors) {
    // The l3vni in b.toml needs the underlay of a.toml; with a.toml unparsable only its syntax
    // error is reported, not a cascade of "needs an [underlay]".
    auto errs = test::errors({{"a.toml", "[underlay\n"},
                              {"b.toml", "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 1\n"}});
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_THAT(errs[0], ::testing::StartsWith("a.toml:1:"));
}

TEST(Parse, RangeErrorsNameKeyAndValue) {
    EXPECT_THAT(errors_alone(R"([node]
index = 65536
[underlay]
asn = 4294967296
interfaces = ["eth0"]
[[underlay.neighbors]]
asn = 0
address = "10.0.0.1"
port = 16385
)"),
                ElementsAre("c.toml:2:9: 'index' must be 0..65535, got 65536",
                            "c.toml:4:7: 'asn' must be 1..4294967295, got 4294967296",
                            "c.toml:7:7: 'asn' must be 1..4294967295, got 0",
                            "c.toml:9:8: 'port' must be 0..16384, got 16385"));
}

}  // namespace
}  // namespace perouter::config
