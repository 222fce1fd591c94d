#include "cli/status_view.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace perouter::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

/// A Describe() document as perouterd sends it.
json describe() {
    return json::parse(R"({
      "state": "running", "underlay_state": "established", "last_error": "",
      "version": "0.1.0", "online": true, "netns": "perouter",
      "peers": {"192.168.11.2": "Established", "192.168.12.2": "Active"},
      "vpns": [
        {"name": "red", "kind": "l3vni", "vni": 100, "vrf": "red", "state": "configured",
         "source": "/etc/perouter/perouter.toml", "error": ""},
        {"name": "storage", "kind": "l2vni", "vni": 110, "vrf": "", "state": "failed",
         "source": "/run/perouter/perouter.d/50-storage.toml", "error": "bridge busy"}
      ],
      "last_reconcile": {"changes": 3, "errors": [], "problems": ["NIC 'eth9' is missing"]},
      "config": {
        "l3vni": [{"name": "red", "vrf": "red", "vni": 100, "vxlan_port": 4789,
                   "export_rts": [], "import_rts": [], "default_gateway": true,
                   "host_session": {"asn": 64514, "host_asn": 64515,
                                    "local_cidr": {"ipv4": "192.169.10.0/24"}},
                   "source": "/etc/perouter/perouter.toml"}],
        "l2vni": [{"name": "storage", "vni": 110, "vxlan_port": 4789, "gateway_ips": [],
                   "host_master": {"type": "linux-bridge", "lifecycle": "managed"},
                   "source": "/run/perouter/perouter.d/50-storage.toml"}]
      }
    })");
}

TEST(StatusView, VpnTable) {
    EXPECT_EQ(render_listing(vpn_table(describe()), true, "vpn", "vpns"),
              "NAME    KIND  VNI VRF STATE      SOURCE\n"
              "red     l3vni 100 red configured /etc/perouter/perouter.toml\n"
              "storage l2vni 110 -   failed     /run/perouter/perouter.d/50-storage.toml\n"
              "\n"
              "2 vpns listed.\n");
}

TEST(StatusView, VpnTableWithSrv6L3vpnsShowsTheirSids) {
    json d = describe();
    d["vpns"].push_back(json::parse(R"({"name": "green", "kind": "l3vpn", "vni": 0,
        "vrf": "green", "state": "configured", "source": "/etc/perouter/perouter.toml",
        "error": "", "sids": {"ipv4": "fd00:0:1:0:100::", "ipv6": ""}})"));
    EXPECT_EQ(render_listing(vpn_table(d), true, "vpn", "vpns"),
              "NAME    KIND  VNI VRF   STATE      SIDS               SOURCE\n"
              "red     l3vni 100 red   configured -                  /etc/perouter/perouter.toml\n"
              "storage l2vni 110 -     failed     -                  "
              "/run/perouter/perouter.d/50-storage.toml\n"
              "green   l3vpn -   green configured fd00:0:1:0:100::,- /etc/perouter/perouter.toml\n"
              "\n"
              "3 vpns listed.\n");
    auto v = find_vpn(d, "green");
    ASSERT_TRUE(v);
    std::string shown = format_vpn(*v);
    EXPECT_THAT(shown, HasSubstr("IPv4 SID: fd00:0:1:0:100::\n"));
    EXPECT_THAT(shown, HasSubstr("IPv6 SID: -\n"));
    EXPECT_THAT(shown, ::testing::Not(HasSubstr("VNI")));
}

TEST(StatusView, Names) {
    EXPECT_EQ(vpn_names(describe()), "red\nstorage\n");
    EXPECT_EQ(vpn_names(json::object()), "");
}

TEST(StatusView, Status) {
    EXPECT_EQ(format_status(describe(), true),
              "     State: running\n"
              "    Online: yes\n"
              "  Underlay: established\n"
              "            peer 192.168.11.2: Established\n"
              "            peer 192.168.12.2: Active\n"
              " Namespace: perouter\n"
              "   Version: 0.1.0\n"
              "Last error: -\n"
              "Last apply: 3 changes\n"
              "  Problems: NIC 'eth9' is missing\n"
              "\n"
              "NAME    KIND  VNI VRF STATE      SOURCE\n"
              "red     l3vni 100 red configured /etc/perouter/perouter.toml\n"
              "storage l2vni 110 -   failed     /run/perouter/perouter.d/50-storage.toml\n"
              "\n"
              "2 vpns listed.\n");
}

TEST(StatusView, StatusShowsEveryLineOfARejectedConfiguration) {
    json d = describe();
    d["state"] = "degraded";
    d["online"] = false;
    d["last_error"] = "configuration rejected\n/etc/perouter/perouter.toml:3:7: bad vni";
    d["last_reconcile"]["errors"] = {"create vni100: File exists", "x"};
    std::string s = format_status(d, false);
    EXPECT_THAT(s, HasSubstr("    Online: no\n"));
    EXPECT_THAT(s, HasSubstr("Last error: configuration rejected\n"
                             "            /etc/perouter/perouter.toml:3:7: bad vni\n"));
    EXPECT_THAT(s, HasSubstr("    Errors: create vni100: File exists\n"
                             "            x\n"));
    EXPECT_THAT(s, ::testing::Not(HasSubstr("NAME")));
    EXPECT_THAT(s, ::testing::Not(HasSubstr("listed")));
}

TEST(StatusView, MissingFieldsAreDashesNotGuesses) {
    std::string s = format_status(json::parse(R"({"state": "starting"})"), true);
    EXPECT_THAT(s, HasSubstr("     State: starting\n"));
    EXPECT_THAT(s, HasSubstr("    Online: -\n"));
    EXPECT_THAT(s, HasSubstr("  Underlay: -\n"));
    EXPECT_THAT(s, HasSubstr("0 vpns listed."));
}

TEST(StatusView, Online) {
    EXPECT_TRUE(is_online(describe()));
    EXPECT_FALSE(is_online(json::parse(R"({"online": false})")));
    EXPECT_FALSE(is_online(json::parse(R"({"state": "running"})")));
    EXPECT_FALSE(is_online(json::parse(R"({"online": "yes"})")));
    EXPECT_FALSE(is_online(json()));
}

TEST(StatusView, FindVpnAddsItsConfiguration) {
    auto v = find_vpn(describe(), "storage");
    ASSERT_TRUE(v);
    EXPECT_EQ((*v)["state"], "failed");
    EXPECT_EQ((*v)["config"]["host_master"]["lifecycle"], "managed");
    EXPECT_FALSE(find_vpn(describe(), "nope"));
    EXPECT_FALSE(find_vpn(json::object(), "red"));
}

TEST(StatusView, ShowVpn) {
    auto v = find_vpn(describe(), "red");
    ASSERT_TRUE(v);
    EXPECT_EQ(format_vpn(*v),
              "  Name: red\n"
              "  Kind: l3vni\n"
              "   VNI: 100\n"
              "   VRF: red\n"
              " State: configured\n"
              "Source: /etc/perouter/perouter.toml\n"
              "\n"
              "Configuration:\n"
              "  default_gateway = true\n"
              "  export_rts = []\n"
              "  host_session.asn = 64514\n"
              "  host_session.host_asn = 64515\n"
              "  host_session.local_cidr.ipv4 = \"192.169.10.0/24\"\n"
              "  import_rts = []\n"
              "  vni = 100\n"
              "  vrf = \"red\"\n"
              "  vxlan_port = 4789\n");
}

TEST(StatusView, ShowVpnIncludesItsError) {
    auto v = find_vpn(describe(), "storage");
    ASSERT_TRUE(v);
    EXPECT_THAT(format_vpn(*v), HasSubstr(" Error: bridge busy\n"));
}

}  // namespace
}  // namespace perouter::cli
