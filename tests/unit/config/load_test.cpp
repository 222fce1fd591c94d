// load(): discovery + reading + parse against a scratch root.
#include "config/load.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "test_util.hpp"

namespace perouter::config {
namespace {

using test::TempRoot;
using ::testing::ElementsAre;

TEST(Load, MergesMainFileAndDropins) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", test::kBase);
    root.write("usr/lib/perouter/perouter.d/50-red.toml",
               "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    root.write("run/perouter/perouter.d/50-blue.toml",
               "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\n");
    // The /etc copy of 50-red.toml wins over /usr/lib's.
    root.write("etc/perouter/perouter.d/50-red.toml",
               "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 101\n");
    auto c = load(Layout{root.path()});
    ASSERT_TRUE(c.clean()) << test::strs(c.diagnostics()).front();
    ASSERT_EQ(c.config->l3vnis.size(), 2u);
    EXPECT_EQ(c.config->l3vnis[0].name, "blue");  // 50-blue.toml sorts before 50-red.toml
    EXPECT_EQ(c.config->l3vnis[1].vni, 101u);
    EXPECT_EQ(c.config->l3vnis[1].pos.of("vni").file,
              root.at("etc/perouter/perouter.d/50-red.toml"));
}

TEST(Load, AStandInMainFileIsUsedWithTheDropinsOnDisk) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", "[underlay\n");  // broken
    root.write("etc/perouter/perouter.d/50-red.toml",
               "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    root.write("run/perouter/perouter.d/60-bad.toml", "[[l3vni]]\nname = 7\n");
    EXPECT_FALSE(load(Layout{root.path()}).config);

    const ConfigText saved{root.at("etc/perouter/perouter.toml"), test::kBase, true};
    auto c = load(Layout{root.path()}, {}, &saved);
    ASSERT_TRUE(c.config);
    ASSERT_EQ(c.config->l3vnis.size(), 1u);
    EXPECT_EQ(c.config->l3vnis[0].name, "red");
    ASSERT_EQ(c.skipped.size(), 1u);
    EXPECT_EQ(c.skipped[0].path, root.at("run/perouter/perouter.d/60-bad.toml"));
    ASSERT_FALSE(c.texts.empty());
    EXPECT_TRUE(c.texts.front().main);
    EXPECT_EQ(c.texts.front().text, test::kBase);
}

TEST(Load, MaskedDropinContributesNothing) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", test::kBase);
    root.write("usr/lib/perouter/perouter.d/50-red.toml",
               "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    root.symlink("etc/perouter/perouter.d/50-red.toml", "/dev/null");
    auto c = load(Layout{root.path()});
    ASSERT_TRUE(c.clean());
    EXPECT_TRUE(c.config->l3vnis.empty());
}

TEST(Load, ErrorsNameTheDiscoveredFile) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", test::kBase);
    root.write("run/perouter/perouter.d/50-red.toml", "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\n");
    auto c = load(Layout{root.path()});
    ASSERT_FALSE(c.clean());
    EXPECT_THAT(test::strs(c.diagnostics()),
                ElementsAre(root.at("run/perouter/perouter.d/50-red.toml") +
                            ":1:1: missing 'vni' in [[l3vni]]"));
}

TEST(Load, UnreadableFileIsADiagnostic) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", test::kBase);
    root.symlink("etc/perouter/perouter.d/50-gone.toml", root.at("nowhere.toml"));
    auto c = load(Layout{root.path()});
    ASSERT_FALSE(c.clean());
    EXPECT_THAT(test::strs(c.diagnostics()),
                ElementsAre(root.at("etc/perouter/perouter.d/50-gone.toml") +
                            ": cannot read: No such file or directory"));
}

TEST(Load, NothingConfiguredIsAnEmptyConfig) {
    TempRoot root;
    auto c = load(Layout{root.path()});
    ASSERT_TRUE(c.clean());
    EXPECT_FALSE(c.config->underlay);
}

}  // namespace
}  // namespace perouter::config
