#include "cli/vpn_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "config/load.hpp"
#include "config/vpn_document.hpp"
#include "scratch_root.hpp"

namespace perouter::cli {
namespace {

using ::testing::HasSubstr;

VpnSpec l2(std::string name, uint32_t vni) {
    VpnSpec s;
    s.kind = VpnKind::L2vni;
    s.name = std::move(name);
    s.vni = vni;
    return s;
}

VpnSpec l3(std::string name, uint32_t vni, std::string vrf) {
    VpnSpec s;
    s.kind = VpnKind::L3vni;
    s.name = std::move(name);
    s.vni = vni;
    s.vrf = std::move(vrf);
    return s;
}

/// The document must be what AddVpn accepts, and merge into a valid configuration.
config::Config accepted(const std::string& doc, const std::string& name,
                        const std::string& extra_base = "") {
    auto kind = config::check_vpn_document({"<doc>", doc}, name);
    EXPECT_TRUE(kind.ok()) << (kind.ok() ? "" : kind.error().front().str());
    auto cfg =
        config::parse({{"main.toml", std::string(test::kMain) + extra_base}, {"<doc>", doc}});
    EXPECT_TRUE(cfg.ok()) << (cfg.ok() ? "" : cfg.error().front().str());
    return cfg.ok() ? *cfg : config::Config{};
}

TEST(VpnBuilder, MinimalL2Vni) {
    auto doc = vpn_document(l2("storage", 110));
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc, "[[l2vni]]\nname = \"storage\"\nvni = 110\n");
    auto cfg = accepted(*doc, "storage");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    EXPECT_EQ(cfg.l2vnis[0].vni, 110u);
}

TEST(VpnBuilder, L2VniWithManagedBridge) {
    auto s = l2("storage", 110);
    s.host_bridge = "managed";
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_THAT(*doc,
                HasSubstr("host_master = { type = \"linux-bridge\", lifecycle = \"managed\" }"));
    auto cfg = accepted(*doc, "storage");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    ASSERT_TRUE(cfg.l2vnis[0].host_master);
    EXPECT_EQ(cfg.l2vnis[0].host_master->lifecycle, config::HostMasterLifecycle::Managed);
}

TEST(VpnBuilder, L2VniWithExternalBridgeRoutingDomainAndGateways) {
    auto s = l2("web", 210);
    s.host_bridge = "br-web";
    s.routing_domain = "red";
    s.gateway_ips = {"2001:db8:170::1/64", "192.170.1.1/24"};
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc,
              "[[l2vni]]\nname = \"web\"\nvni = 210\nrouting_domain = \"red\"\n"
              "gateway_ips = [\"192.170.1.1/24\", \"2001:db8:170::1/64\"]\n"
              "host_master = { type = \"linux-bridge\", lifecycle = \"external\", name = "
              "\"br-web\" }\n");
    auto cfg = accepted(*doc, "web", "\n[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    EXPECT_EQ(cfg.l2vnis[0].gateway_ips.size(), 2u);
    EXPECT_EQ(cfg.l2vnis[0].host_master->name, "br-web");
}

TEST(VpnBuilder, L2VniWithManagedOvsBridge) {
    auto s = l2("storage", 110);
    s.ovs_bridge = "managed";
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc,
              "[[l2vni]]\nname = \"storage\"\nvni = 110\n"
              "host_master = { type = \"ovs-bridge\", lifecycle = \"managed\" }\n");
    auto cfg = accepted(*doc, "storage");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    ASSERT_TRUE(cfg.l2vnis[0].host_master);
    EXPECT_EQ(cfg.l2vnis[0].host_master->type, config::HostMasterType::OvsBridge);
    EXPECT_EQ(cfg.l2vnis[0].host_master->lifecycle, config::HostMasterLifecycle::Managed);
    EXPECT_FALSE(cfg.l2vnis[0].host_master->name);
}

TEST(VpnBuilder, L2VniWithExternalOvsBridgeAndRoutingDomain) {
    auto s = l2("web", 210);
    s.ovs_bridge = "br-int";
    s.routing_domain = "red";
    s.gateway_ips = {"192.170.1.1/24"};
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc,
              "[[l2vni]]\nname = \"web\"\nvni = 210\nrouting_domain = \"red\"\n"
              "gateway_ips = [\"192.170.1.1/24\"]\n"
              "host_master = { type = \"ovs-bridge\", lifecycle = \"external\", name = "
              "\"br-int\" }\n");
    auto cfg = accepted(*doc, "web", "\n[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    ASSERT_TRUE(cfg.l2vnis[0].host_master);
    EXPECT_EQ(cfg.l2vnis[0].host_master->type, config::HostMasterType::OvsBridge);
    EXPECT_EQ(cfg.l2vnis[0].host_master->lifecycle, config::HostMasterLifecycle::External);
    EXPECT_EQ(cfg.l2vnis[0].host_master->name, "br-int");
}

TEST(VpnBuilder, LinuxBridgeIsTheTypeOfHostBridge) {
    auto s = l2("storage", 110);
    s.host_bridge = "br0";
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    auto cfg = accepted(*doc, "storage");
    ASSERT_EQ(cfg.l2vnis.size(), 1u);
    ASSERT_TRUE(cfg.l2vnis[0].host_master);
    EXPECT_EQ(cfg.l2vnis[0].host_master->type, config::HostMasterType::LinuxBridge);
    EXPECT_EQ(cfg.l2vnis[0].host_master->lifecycle, config::HostMasterLifecycle::External);
}

TEST(VpnBuilder, L3VniWithHostSession) {
    auto s = l3("blue", 200, "blue");
    s.default_gateway = true;
    s.asn = 64514;
    s.host_asn = 64515;
    s.local_cidrs = {"192.169.11.0/24", "2001:db8:11::/64"};
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc,
              "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\ndefault_gateway = true\n\n"
              "[l3vni.host_session]\nasn = 64514\nhost_asn = 64515\n"
              "local_cidr = { ipv4 = \"192.169.11.0/24\", ipv6 = \"2001:db8:11::/64\" }\n");
    auto cfg = accepted(*doc, "blue");
    ASSERT_EQ(cfg.l3vnis.size(), 1u);
    ASSERT_TRUE(cfg.l3vnis[0].host_session);
    EXPECT_EQ(cfg.l3vnis[0].host_session->host_asn, 64515u);
    EXPECT_TRUE(cfg.l3vnis[0].default_gateway);
}

TEST(VpnBuilder, L3VniWithoutHostSession) {
    auto doc = vpn_document(l3("blue", 200, "blue"));
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc, "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\n");
    accepted(*doc, "blue");
}

VpnSpec l3vpn(std::string name) {
    VpnSpec s;
    s.kind = VpnKind::L3vpn;
    s.name = name;
    s.vrf = std::move(name);
    s.rd_assigned_number = 100;
    s.import_rts = {"64512:100", "64512:101"};
    return s;
}

TEST(VpnBuilder, L3VpnWithHostSession) {
    auto s = l3vpn("green");
    s.default_gateway = true;
    s.asn = 64514;
    s.host_asn = 64515;
    s.local_cidrs = {"192.169.30.0/24"};
    auto doc = vpn_document(s);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(*doc,
              "[[l3vpn]]\nname = \"green\"\nvrf = \"green\"\nrd_assigned_number = 100\n"
              "import_rts = [\"64512:100\", \"64512:101\"]\ndefault_gateway = true\n\n"
              "[l3vpn.host_session]\nasn = 64514\nhost_asn = 64515\n"
              "local_cidr = { ipv4 = \"192.169.30.0/24\" }\n");
    // What AddVpn accepts, on a node with SRv6 (the minimal test node has none).
    auto kind = config::check_vpn_document({"<doc>", *doc}, "green");
    ASSERT_TRUE(kind.ok()) << kind.error().front().str();
    EXPECT_EQ(*kind, "l3vpn");
    const std::string srv6_main =
        "[node]\nindex = 0\n\n[underlay]\nasn = 64514\ninterfaces = [\"eth0\"]\n"
        "tunnel_endpoint_cidrs = [\"fd00:65::/64\"]\n\n[[underlay.neighbors]]\nasn = 64512\n"
        "address = \"fd00:11::2\"\n\n[underlay.srv6]\nlocator = \"fd00:0:1::/64\"\n";
    auto cfg = config::parse({{"main.toml", srv6_main}, {"<doc>", *doc}});
    ASSERT_TRUE(cfg.ok()) << cfg.error().front().str();
    ASSERT_EQ(cfg->l3vpns.size(), 1u);
    EXPECT_EQ(cfg->l3vpns[0].rd_assigned_number, 100u);
    EXPECT_TRUE(cfg->l3vpns[0].default_gateway);
}

TEST(VpnBuilder, L3VpnUsageErrors) {
    auto message = [](const VpnSpec& s) {
        auto d = vpn_document(s);
        EXPECT_FALSE(d.ok());
        return d.ok() ? std::string() : d.error().message;
    };
    auto with_vni = l3vpn("green");
    with_vni.vni = 5;
    EXPECT_EQ(message(with_vni), "--vni does not apply to --l3vpn");
    for (auto drop :
         {+[](VpnSpec& s) { s.vrf.clear(); }, +[](VpnSpec& s) { s.rd_assigned_number.reset(); },
          +[](VpnSpec& s) { s.import_rts.clear(); }}) {
        auto s = l3vpn("green");
        drop(s);
        EXPECT_EQ(message(s), "--l3vpn needs --vrf, --rd-assigned-number and --import-rt");
    }
    auto half_session = l3vpn("green");
    half_session.asn = 64514;
    EXPECT_EQ(message(half_session),
              "a host session needs --asn, --host-asn and --local-cidr together");
    auto rd_on_l3vni = l3("x", 1, "v");
    rd_on_l3vni.rd_assigned_number = 3;
    EXPECT_EQ(message(rd_on_l3vni), "--rd-assigned-number does not apply to --l3vni");
    auto rt_on_l2vni = l2("x", 1);
    rt_on_l2vni.import_rts = {"1:1"};
    EXPECT_EQ(message(rt_on_l2vni), "--import-rt does not apply to --l2vni");
}

TEST(VpnBuilder, UsageErrors) {
    auto message = [](const VpnSpec& s) {
        auto d = vpn_document(s);
        EXPECT_FALSE(d.ok());
        return d.ok() ? std::string() : d.error().message;
    };
    VpnSpec none;
    none.name = "x";
    EXPECT_THAT(message(none), HasSubstr("--l2vni, --l3vni or --l3vpn"));
    auto novni = l2("x", 1);
    novni.vni.reset();
    EXPECT_EQ(message(novni), "--l2vni needs --vni");
    EXPECT_EQ(message(l3("x", 1, "")), "--l3vni needs --vrf");

    auto wrong_kind = l3("x", 1, "v");
    wrong_kind.host_bridge = "managed";
    EXPECT_EQ(message(wrong_kind), "--host-bridge does not apply to --l3vni");
    auto ovs_on_l3 = l3("x", 1, "v");
    ovs_on_l3.ovs_bridge = "br-int";
    EXPECT_EQ(message(ovs_on_l3), "--ovs-bridge does not apply to --l3vni");
    auto two_bridges = l2("x", 1);
    two_bridges.host_bridge = "managed";
    two_bridges.ovs_bridge = "managed";
    EXPECT_EQ(message(two_bridges),
              "give --host-bridge (a Linux bridge) or --ovs-bridge (an Open vSwitch bridge), "
              "not both");
    auto empty_ovs = l2("x", 1);
    empty_ovs.ovs_bridge = "";
    EXPECT_EQ(message(empty_ovs), "--ovs-bridge needs 'managed' or the name of an existing bridge");
    auto empty_linux = l2("x", 1);
    empty_linux.host_bridge = "";
    EXPECT_EQ(message(empty_linux),
              "--host-bridge needs 'managed' or the name of an existing bridge");
    auto wrong_kind2 = l2("x", 1);
    wrong_kind2.vrf = "v";
    EXPECT_EQ(message(wrong_kind2), "--vrf does not apply to --l2vni");

    auto half_session = l3("x", 1, "v");
    half_session.asn = 1;
    EXPECT_THAT(message(half_session), HasSubstr("--asn, --host-asn and --local-cidr together"));

    auto bad_cidr = l3("x", 1, "v");
    bad_cidr.asn = 1;
    bad_cidr.host_asn = 2;
    bad_cidr.local_cidrs = {"192.169.11.0"};
    EXPECT_EQ(message(bad_cidr), "--local-cidr '192.169.11.0': expected ADDRESS/LENGTH");
    auto two_v4 = l2("x", 1);
    two_v4.gateway_ips = {"10.0.0.1/24", "10.0.1.1/24"};
    EXPECT_EQ(message(two_v4), "--gateway-ip: at most one IPv4 and one IPv6 value");
}

TEST(VpnBuilder, StringsAreEscapedSoTheDocumentParsesBack) {
    std::string nasty = "a\"b\\c\nd\te\x01";
    std::string doc = "v = " + toml_string(nasty) + "\n";
    auto t = toml::parse(doc);
    EXPECT_EQ(t["v"].value<std::string>(), nasty);
    EXPECT_EQ(toml_string("red"), "\"red\"");
}

}  // namespace
}  // namespace perouter::cli
