#include "config/vpn_document.hpp"

#include <gtest/gtest.h>

#include "config/to_json.hpp"
#include "test_util.hpp"

namespace perouter::config {
namespace {

using test::kBase;
using test::strs;

std::vector<std::string> doc_errors(const std::string& text, const std::string& name) {
    auto r = check_vpn_document({"new.toml", text}, name);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::vector<std::string>{} : strs(r.error());
}

TEST(VpnDocument, OneNamedVpnIsAccepted) {
    auto r = check_vpn_document({"new.toml", "[[l2vni]]\nname = \"web\"\nvni = 210\n"}, "web");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "l2vni");
    auto l3 = check_vpn_document(
        {"n.toml", "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\n"}, "blue");
    ASSERT_TRUE(l3.ok());
    EXPECT_EQ(*l3, "l3vni");
}

TEST(VpnDocument, AnythingElseIsRejectedWithPositions) {
    EXPECT_EQ(
        doc_errors("[[l2vni]]\nname = \"web\"\nvni = 210\n", "blue"),
        std::vector<std::string>{"new.toml:2:8: the l2vni is named 'web', the request 'blue'"});
    EXPECT_EQ(doc_errors("[underlay]\nasn = 1\n[[l2vni]]\nname = \"web\"\nvni = 1\n", "web"),
              std::vector<std::string>{"new.toml:1:1: a VPN document may only contain one "
                                       "[[l3vni]], [[l2vni]] or [[l3vpn]], not "
                                       "'underlay'"});
    EXPECT_EQ(
        doc_errors("[[l2vni]]\nname = \"a\"\nvni = 1\n[[l2vni]]\nname = \"a\"\nvni = 2\n", "a"),
        std::vector<std::string>{"new.toml:1:1: a VPN document must contain exactly one [[l3vni]], "
                                 "[[l2vni]] or [[l3vpn]]"});
    EXPECT_EQ(doc_errors("", "a"),
              std::vector<std::string>{"new.toml:1:1: a VPN document must contain exactly one "
                                       "[[l3vni]], [[l2vni]] or [[l3vpn]]"});
    EXPECT_EQ(doc_errors("[[l2vni]]\nvni = 1\n", "a").size(), 1u);
    auto syntax = doc_errors("[[l2vni]\n", "a");
    ASSERT_EQ(syntax.size(), 1u);
    EXPECT_EQ(syntax[0].rfind("new.toml:1:", 0), 0u) << syntax[0];
}

TEST(VpnDocument, NameRules) {
    EXPECT_EQ(vpn_name_problem("web-1.a_b"), "");
    EXPECT_EQ(vpn_name_problem(""), "must not be empty");
    EXPECT_EQ(vpn_name_problem("-x"), "must start with a letter or digit");
    EXPECT_EQ(vpn_name_problem("a/b"), "may only contain letters, digits, '.', '_' and '-'");
    EXPECT_EQ(vpn_name_problem(std::string(64, 'a')), "longer than 63 characters");
}

TEST(VpnDocument, VpnsOfListsKindVniVrfAndSource) {
    auto cfg = parse({{"a.toml", kBase},
                      {"b.toml",
                       "[[l3vni]]\nname = \"red\"\nvrf = \"vred\"\nvni = 100\n"
                       "[[l2vni]]\nname = \"web\"\nvni = 210\nrouting_domain = \"red\"\n"
                       "[[l2vni]]\nname = \"lan\"\nvni = 110\n"}});
    ASSERT_TRUE(cfg.ok());
    auto v = vpns_of(*cfg);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].name, "red");
    EXPECT_EQ(v[0].kind, VpnKind::L3vni);
    EXPECT_EQ(v[0].vrf, "vred");
    EXPECT_EQ(v[0].source, "b.toml");
    EXPECT_EQ(v[1].vrf, "vred");  // routed in red's VRF
    EXPECT_EQ(v[2].vrf, "");
    EXPECT_EQ(v[2].vni, 110u);

    // One VPN by name or by position is the same entry as in the list.
    const std::vector<std::string_view> names = vpn_names(*cfg);
    ASSERT_EQ(names.size(), v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        EXPECT_EQ(names[i], v[i].name);
        for (const VpnRef& r : {vpn_at(*cfg, i), *find_vpn(*cfg, v[i].name)}) {
            EXPECT_EQ(r.name, v[i].name);
            EXPECT_EQ(r.kind, v[i].kind);
            EXPECT_EQ(r.vni, v[i].vni);
            EXPECT_EQ(r.vrf, v[i].vrf);
            EXPECT_EQ(r.source, v[i].source);
        }
    }
    EXPECT_FALSE(find_vpn(*cfg, "blue"));
}

TEST(ToJson, UsesTomlKeysDefaultsAndHidesPasswords) {
    auto cfg =
        parse({{"a.toml", std::string(kBase) +
                              "password = \"s3cret\"\n[[l2vni]]\nname = \"lan\"\nvni = 110\n"}});
    ASSERT_TRUE(cfg.ok()) << strs(cfg.error())[0];
    auto j = to_json(*cfg);
    EXPECT_EQ(j["underlay"]["asn"], 64514);
    EXPECT_EQ(j["underlay"]["router_id_cidr"], "10.0.0.0/24");  // the default
    EXPECT_EQ(j["underlay"]["neighbors"][0]["address"], "192.168.11.2");
    EXPECT_EQ(j["underlay"]["neighbors"][0]["password"], "(set)");
    EXPECT_EQ(j["l2vni"][0]["vxlan_port"], 4789);
    EXPECT_EQ(j["l2vni"][0]["source"], "a.toml");
    EXPECT_EQ(j["node"]["index"], 0);
}

}  // namespace
}  // namespace perouter::config
