#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "temp_dir.hpp"

namespace perouter::config {
namespace {

using test::TempRoot;
using ::testing::ElementsAre;

std::vector<std::string> names(const std::vector<DiscoveredFile>& files) {
    std::vector<std::string> out;
    for (const auto& f : files)
        out.push_back(f.name);
    return out;
}

TEST(Layout, DirectoriesLowestPrecedenceFirst) {
    EXPECT_THAT(Layout{}.dirs(),
                ElementsAre("/usr/lib/perouter", "/run/perouter", "/etc/perouter"));
    EXPECT_THAT(
        Layout{"/tmp/lab/"}.dirs(),
        ElementsAre("/tmp/lab/usr/lib/perouter", "/tmp/lab/run/perouter", "/tmp/lab/etc/perouter"));
}

TEST(Discover, MissingDirectoriesAreEmpty) {
    TempRoot root;
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok()) << files.error().message;
    EXPECT_TRUE(files->empty());
}

TEST(Discover, MainFileFirstThenDropinsInOneLexicalOrder) {
    TempRoot root;
    root.write("etc/perouter/perouter.toml", "x");
    root.write("usr/lib/perouter/perouter.d/10-vendor.toml", "x");
    root.write("run/perouter/perouter.d/50-blue.toml", "x");
    root.write("etc/perouter/perouter.d/20-site.toml", "x");
    root.write("etc/perouter/perouter.d/90-last.toml", "x");
    root.write("run/perouter/perouter.d/05-early.toml", "x");
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    EXPECT_THAT(names(*files), ElementsAre("perouter.toml", "perouter.d/05-early.toml",
                                           "perouter.d/10-vendor.toml", "perouter.d/20-site.toml",
                                           "perouter.d/50-blue.toml", "perouter.d/90-last.toml"));
    EXPECT_EQ((*files)[0].path, root.at("etc/perouter/perouter.toml"));
    EXPECT_EQ((*files)[2].path, root.at("usr/lib/perouter/perouter.d/10-vendor.toml"));
    EXPECT_EQ((*files)[4].path, root.at("run/perouter/perouter.d/50-blue.toml"));
}

TEST(Discover, EtcOverridesRunOverridesUsrLib) {
    TempRoot root;
    for (const char* dir : {"usr/lib", "run", "etc"}) {
        root.write(std::string(dir) + "/perouter/perouter.d/50-a.toml", "x");
        root.write(std::string(dir) + "/perouter/perouter.toml", "x");
    }
    root.write("usr/lib/perouter/perouter.d/60-b.toml", "x");
    root.write("run/perouter/perouter.d/60-b.toml", "x");
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->size(), 3u);
    EXPECT_EQ((*files)[0].path, root.at("etc/perouter/perouter.toml"));
    EXPECT_THAT((*files)[0].overridden, ElementsAre(root.at("run/perouter/perouter.toml"),
                                                    root.at("usr/lib/perouter/perouter.toml")));
    EXPECT_EQ((*files)[1].path, root.at("etc/perouter/perouter.d/50-a.toml"));
    EXPECT_THAT((*files)[1].overridden,
                ElementsAre(root.at("run/perouter/perouter.d/50-a.toml"),
                            root.at("usr/lib/perouter/perouter.d/50-a.toml")));
    EXPECT_EQ((*files)[2].path, root.at("run/perouter/perouter.d/60-b.toml"));
    EXPECT_THAT((*files)[2].overridden,
                ElementsAre(root.at("usr/lib/perouter/perouter.d/60-b.toml")));
    for (const auto& f : *files)
        EXPECT_FALSE(f.masked);
}

TEST(Discover, EmptyFileAndDevNullSymlinkMask) {
    TempRoot root;
    root.write("usr/lib/perouter/perouter.d/10-vendor.toml", "x");
    root.write("etc/perouter/perouter.d/10-vendor.toml", "");
    root.write("usr/lib/perouter/perouter.d/20-other.toml", "x");
    root.symlink("run/perouter/perouter.d/20-other.toml", "/dev/null");
    root.write("usr/lib/perouter/perouter.toml", "x");
    root.symlink("etc/perouter/perouter.toml", "/dev/null");
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->size(), 3u);
    for (const auto& f : *files)
        EXPECT_TRUE(f.masked) << f.name;
    EXPECT_THAT((*files)[1].overridden,
                ElementsAre(root.at("usr/lib/perouter/perouter.d/10-vendor.toml")));
    EXPECT_EQ((*files)[2].path, root.at("run/perouter/perouter.d/20-other.toml"));

    // Masked files contribute no text.
    auto texts = read_all(*files);
    ASSERT_TRUE(texts.ok());
    EXPECT_TRUE(texts->empty());
}

TEST(Discover, OnlyTomlFilesAndSymlinksCount) {
    TempRoot root;
    root.write("etc/perouter/perouter.d/10-a.toml", "x");
    root.write("etc/perouter/perouter.d/20-b.conf", "x");
    root.write("etc/perouter/perouter.d/30-c.toml.bak", "x");
    root.write("etc/perouter/perouter.d/.40-d.toml", "x");  // hidden: an atomic writer's temp
    root.write("etc/perouter/perouter.d/.toml", "x");
    root.mkdir("etc/perouter/perouter.d/50-dir.toml");
    root.write("elsewhere/real.toml", "x");
    root.symlink("etc/perouter/perouter.d/60-link.toml", root.at("elsewhere/real.toml"));
    root.symlink("etc/perouter/perouter.d/70-dirlink.toml", root.at("elsewhere"));
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    EXPECT_THAT(names(*files), ElementsAre("perouter.d/10-a.toml", "perouter.d/60-link.toml"));
}

TEST(Discover, DirectoryInAHigherLayerDoesNotHideAFile) {
    TempRoot root;
    root.write("usr/lib/perouter/perouter.d/10-a.toml", "x");
    root.mkdir("etc/perouter/perouter.d/10-a.toml");
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->size(), 1u);
    EXPECT_EQ((*files)[0].path, root.at("usr/lib/perouter/perouter.d/10-a.toml"));
}

TEST(Discover, OrderIsBytewiseAndDeterministic) {
    TempRoot root;
    for (const char* n : {"b.toml", "A.toml", "a.toml", "10.toml", "9.toml", "_x.toml"})
        root.write(std::string("run/perouter/perouter.d/") + n, "x");
    auto files = discover(Layout{root.path()});
    ASSERT_TRUE(files.ok());
    EXPECT_THAT(names(*files),
                ElementsAre("perouter.d/10.toml", "perouter.d/9.toml", "perouter.d/A.toml",
                            "perouter.d/_x.toml", "perouter.d/a.toml", "perouter.d/b.toml"));
}

// AddVpn checks its drop-in where a load will read it (the reload then reuses that assembly):
// with_dropin() must agree with what read_sources() gives once the file is written.
TEST(WithDropin, StandsWhereALoadOfTheWrittenFileReadsIt) {
    for (const char* added :
         {"00-first.toml", "50-blue.toml", "55-x.toml", "99-last.toml", "A.toml", "_x.toml"}) {
        TempRoot root;
        root.write("etc/perouter/perouter.toml", "main");
        root.write("usr/lib/perouter/perouter.d/10-vendor.toml", "vendor");
        root.write("etc/perouter/perouter.d/20-site.toml", "site");
        root.write("run/perouter/perouter.d/60-more.toml", "more");
        root.write("etc/perouter/perouter.d/90-last.toml", "last");
        const Layout layout{root.path()};
        Sources before = read_sources(layout);
        const std::string path = root.at(std::string("run/perouter/perouter.d/") + added);
        std::vector<ConfigText> expected = with_dropin(before.texts, ConfigText{path, "new"});
        root.write(std::string("run/perouter/perouter.d/") + added, "new");
        EXPECT_EQ(read_sources(layout).texts, expected) << added;
    }
}

}  // namespace
}  // namespace perouter::config
