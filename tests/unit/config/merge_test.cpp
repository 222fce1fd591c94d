// Merge rules across files (config/toml_merge.hpp, perouter.toml(5)) and positions surviving the
// merge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace perouter::config {
namespace {

using ::testing::ElementsAre;

const char* kVpns = R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
export_rts = ["64514:100"]

[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200

[[l2vni]]
name = "web"
vni = 210
)";

TEST(Merge, TablesMergeKeyByKey) {
    Config c = test::ok(
        {{"a.toml", "[node]\nindex = 1\n[underlay]\nasn = 64514\n"}, {"b.toml", R"([underlay]
interfaces = ["eth0"]
[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
)"}});
    ASSERT_TRUE(c.underlay);
    EXPECT_EQ(c.underlay->asn, 64514u);
    EXPECT_THAT(c.underlay->interfaces, ElementsAre("eth0"));
    EXPECT_EQ(c.underlay->pos.of("asn").str(), "a.toml:4:7");
    EXPECT_EQ(c.underlay->pos.of("interfaces").str(), "b.toml:2:14");
    EXPECT_EQ(c.node.index, 1u);
}

TEST(Merge, LaterScalarWinsAndPointsAtItsFile) {
    Config c = test::ok({{"a.toml", test::kBase},
                         {"b.toml", "[underlay]\nasn = 65000\n"},
                         {"c.toml", "[underlay]\n\nasn = 65001\n"}});
    EXPECT_EQ(c.underlay->asn, 65001u);
    EXPECT_EQ(c.underlay->pos.of("asn").str(), "c.toml:3:7");
    // Untouched keys keep the file that wrote them.
    EXPECT_EQ(c.underlay->pos.of("interfaces").file, "a.toml");
}

TEST(Merge, PlainArraysAreReplacedNotAppended) {
    Config c = test::ok({{"a.toml", test::kBase}, {"b.toml", R"([underlay]
interfaces = ["eth1", "eth2"]
[[underlay.neighbors]]
type = "external"
address = "10.1.1.1"
)"}});
    EXPECT_THAT(c.underlay->interfaces, ElementsAre("eth1", "eth2"));
    ASSERT_EQ(c.underlay->neighbors.size(), 1u);
    EXPECT_EQ(c.underlay->neighbors[0].address.str(), "10.1.1.1");
    EXPECT_EQ(c.underlay->neighbors[0].pos.of("").file, "b.toml");
}

TEST(Merge, VniEntriesAreKeyedByName) {
    Config c = test::ok({{"a.toml", test::kBase}, {"b.toml", kVpns}, {"c.toml", R"([[l3vni]]
name = "green"
vrf = "green"
vni = 300

[[l3vni]]
name = "red"
vrf = "red"
vni = 101

[[l2vni]]
name = "web"
vni = 211
)"}});
    ASSERT_EQ(c.l3vnis.size(), 3u);
    // A replaced entry keeps its place; new names are appended in file order.
    EXPECT_EQ(c.l3vnis[0].name, "red");
    EXPECT_EQ(c.l3vnis[1].name, "blue");
    EXPECT_EQ(c.l3vnis[2].name, "green");
    // The replacement is whole: export_rts of the earlier "red" is gone.
    EXPECT_EQ(c.l3vnis[0].vni, 101u);
    EXPECT_TRUE(c.l3vnis[0].export_rts.empty());
    EXPECT_EQ(c.l3vnis[0].pos.of("").str(), "c.toml:6:1");
    EXPECT_EQ(c.l3vnis[0].pos.of("vni").str(), "c.toml:9:7");
    EXPECT_EQ(c.l3vnis[1].pos.of("vni").str(), "b.toml:10:7");
    ASSERT_EQ(c.l2vnis.size(), 1u);
    EXPECT_EQ(c.l2vnis[0].vni, 211u);
    EXPECT_EQ(c.l2vnis[0].pos.of("vni").file, "c.toml");
}

TEST(Merge, ErrorsPointAtTheFileThatWroteTheValue) {
    EXPECT_THAT(
        test::errors({{"a.toml", test::kBase},
                      {"b.toml", kVpns},
                      {"c.toml", "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 100\n"}}),
        ElementsAre(
            "c.toml:4:7: duplicate vni 100: l3vni 'red' and l3vni 'blue' (also at b.toml:4:7)"));
}

TEST(Merge, DuplicateNamesInOneFileAreNotMergedAway) {
    EXPECT_THAT(test::errors({{"a.toml", test::kBase}, {"b.toml", kVpns}, {"c.toml", R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100

[[l3vni]]
name = "red"
vrf = "red2"
vni = 102
)"}}),
                ElementsAre("c.toml:7:8: duplicate name 'red': also used by l3vni at c.toml:2:8"));
}

TEST(Merge, ParseWithAddsOneDocument) {
    std::vector<ConfigText> base = {{"a.toml", test::kBase}, {"b.toml", kVpns}};
    auto r = parse_with(
        base, {"dbus:green", "[[l3vni]]\nname = \"green\"\nvrf = \"green\"\nvni = 300\n"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->l3vnis.size(), 3u);

    auto bad = parse_with(base, {"dbus:dup", "[[l2vni]]\nname = \"dup\"\nvni = 200\n"});
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(
        test::strs(bad.error()),
        ElementsAre(
            "dbus:dup:3:7: duplicate vni 200: l3vni 'blue' and l2vni 'dup' (also at b.toml:10:7)"));
}

TEST(Merge, LaterValueOfAnotherTypeWins) {
    // Shape changes are not merged: the later value wins and is then type-checked.
    EXPECT_THAT(test::errors({{"a.toml", test::kBase}, {"b.toml", "[underlay]\nasn = \"x\"\n"}}),
                ElementsAre("b.toml:2:7: 'asn' must be an integer"));
}

}  // namespace
}  // namespace perouter::config
