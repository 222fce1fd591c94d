// assemble(): each drop-in stands alone; one that fails by itself or by clashing with the files
// it joins is left out, the rest applies; a failed main file leaves nothing standing.
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/test_util.hpp"

namespace perouter::config {
namespace {

using test::kBase;

ConfigText main_file(std::string text) {
    return {"perouter.toml", std::move(text), true};
}

std::vector<std::string> skipped_paths(const Assembly& a) {
    std::vector<std::string> out;
    for (const auto& s : a.skipped)
        out.push_back(s.path);
    return out;
}

const char* kL2 = R"([[l2vni]]
name = "l2-110"
vni = 110
)";

// A stand-in for FRR's parser: rejects any block that says "bogus".
std::optional<std::string> fake_frr(const std::string& text) {
    if (text.find("bogus") != std::string::npos)
        return "line 1: % Unknown command: bogus";
    return std::nullopt;
}

TEST(Assemble, ADropInWithARawFrrBlockFrrRejectsIsLeftOut) {
    const char* good =
        "[[raw_frr]]\nname = \"good\"\nconfig = \"ip prefix-list p permit any\\n\"\n";
    const char* bad = "[[raw_frr]]\nname = \"bad\"\npriority = 3\nconfig = \"bogus\\n\"\n";
    Assembly a =
        assemble({main_file(kBase), {"d/10-good.toml", good}, {"d/20-bad.toml", bad}}, fake_frr);
    ASSERT_TRUE(a.config);
    EXPECT_EQ(skipped_paths(a), (std::vector<std::string>{"d/20-bad.toml"}));
    ASSERT_EQ(a.config->raw_frr.size(), 1u);
    EXPECT_EQ(a.config->raw_frr[0].name, "good");
    ASSERT_EQ(a.diagnostics().size(), 1u);
    EXPECT_EQ(a.diagnostics()[0].str(),
              "d/20-bad.toml:4:10: FRR rejects [[raw_frr]] 'bad': line 1: % Unknown command: "
              "bogus");
    // Without the check (perouterctl validate) the block is only checked by perouter's rules.
    EXPECT_TRUE(assemble({main_file(kBase), {"d/20-bad.toml", bad}}).clean());
}

TEST(Assemble, EveryFileStands) {
    Assembly a = assemble({main_file(kBase), {"d/10-l2.toml", kL2}});
    ASSERT_TRUE(a.config);
    EXPECT_TRUE(a.clean());
    EXPECT_EQ(a.config->l2vnis.size(), 1u);
    EXPECT_EQ(a.texts.size(), 2u);
    EXPECT_TRUE(a.diagnostics().empty());
}

TEST(Assemble, ADropInThatDoesNotParseIsLeftOutAndTheRestApplies) {
    Assembly a = assemble(
        {main_file(kBase), {"d/10-bad.toml", "[[l2vni]\nname = 1\n"}, {"d/20-l2.toml", kL2}});
    ASSERT_TRUE(a.config);
    EXPECT_FALSE(a.clean());
    EXPECT_EQ(skipped_paths(a), std::vector<std::string>{"d/10-bad.toml"});
    EXPECT_EQ(a.config->l2vnis.size(), 1u);
    ASSERT_FALSE(a.skipped[0].diagnostics.empty());
    EXPECT_EQ(a.skipped[0].diagnostics[0].pos.file, "d/10-bad.toml");
    EXPECT_EQ(a.skipped[0].diagnostics[0].pos.line, 1u);
    // The texts that stood are what "the last good configuration" saves.
    ASSERT_EQ(a.texts.size(), 2u);
    EXPECT_EQ(a.texts[1].path, "d/20-l2.toml");
}

TEST(Assemble, ALaterDropInThatClashesIsLeftOutNotTheEarlierOne) {
    Assembly a = assemble({main_file(kBase),
                           {"d/10-a.toml", kL2},
                           {"d/20-b.toml", "[[l2vni]]\nname = \"other\"\nvni = 110\n"}});
    ASSERT_TRUE(a.config);
    EXPECT_EQ(skipped_paths(a), std::vector<std::string>{"d/20-b.toml"});
    ASSERT_EQ(a.config->l2vnis.size(), 1u);
    EXPECT_EQ(a.config->l2vnis[0].name, "l2-110");
    ASSERT_FALSE(a.skipped[0].diagnostics.empty());
    EXPECT_NE(a.skipped[0].diagnostics[0].message.find("duplicate vni 110"), std::string::npos);
    EXPECT_EQ(a.skipped[0].diagnostics[0].pos.line, 3u);
}

TEST(Assemble, ADropInThatDependsOnALeftOutOneIsLeftOutToo) {
    const char* l3 = R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
bogus = 1
)";
    const char* l2 = R"([[l2vni]]
name = "l2-120"
vni = 120
routing_domain = "red"
)";
    Assembly a = assemble(
        {main_file(kBase), {"d/10-red.toml", l3}, {"d/20-l2.toml", l2}, {"d/30.toml", kL2}});
    ASSERT_TRUE(a.config);
    EXPECT_EQ(skipped_paths(a), (std::vector<std::string>{"d/10-red.toml", "d/20-l2.toml"}));
    ASSERT_EQ(a.config->l2vnis.size(), 1u);
    EXPECT_EQ(a.config->l2vnis[0].name, "l2-110");
    EXPECT_NE(a.skipped[1].diagnostics[0].message.find("routing_domain 'red'"), std::string::npos);
}

TEST(Assemble, ABadReplacementOfAnEntryLeavesTheEarlierEntryInPlace) {
    Assembly a = assemble({main_file(std::string(kBase) + kL2),
                           {"d/10-l2.toml", "[[l2vni]]\nname = \"l2-110\"\nvni = 99999999\n"}});
    ASSERT_TRUE(a.config);
    EXPECT_EQ(skipped_paths(a), std::vector<std::string>{"d/10-l2.toml"});
    ASSERT_EQ(a.config->l2vnis.size(), 1u);
    EXPECT_EQ(a.config->l2vnis[0].vni, 110u);
}

TEST(Assemble, AMainFileCompletedByADropInStands) {
    Assembly a = assemble({main_file("[node]\nindex = 0\n"),
                           {"d/00-underlay.toml", std::string(kBase).substr(18)},
                           {"d/10-l2.toml", kL2}});
    ASSERT_TRUE(a.config) << (a.fatal.empty() ? "" : a.fatal[0].str());
    EXPECT_TRUE(a.clean());
}

TEST(Assemble, AFailedMainFileLeavesNothingStanding) {
    Assembly a = assemble({main_file(std::string(kBase) + "bogus = 1\n"), {"d/10-l2.toml", kL2}});
    EXPECT_FALSE(a.config);
    ASSERT_FALSE(a.fatal.empty());
    EXPECT_EQ(a.fatal[0].pos.file, "perouter.toml");
    EXPECT_EQ(a.diagnostics(), a.fatal);
}

TEST(Assemble, DiagnosticsListEveryLeftOutFileInOrder) {
    Assembly a = assemble({main_file(kBase), {"d/10.toml", "x = 1\n"}, {"d/20.toml", "y = 2\n"}});
    ASSERT_TRUE(a.config);
    auto all = a.diagnostics();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].pos.file, "d/10.toml");
    EXPECT_EQ(all[1].pos.file, "d/20.toml");
}

}  // namespace
}  // namespace perouter::config
