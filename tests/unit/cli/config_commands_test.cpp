// validate, cat-config and show-config run in-process against a scratch --root.
#include "cli/config_commands.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "scratch_root.hpp"

namespace perouter::cli {
namespace {

using test::kMain;
using test::ScratchRoot;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Run {
    int rc = -1;
    std::string out;
    std::string err;
};

template <class F>
Run run(F&& f, const std::string& input = "") {
    std::ostringstream out, err;
    std::istringstream in(input);
    Run r;
    r.rc = f(Streams{out, err, in});
    r.out = out.str();
    r.err = err.str();
    return r;
}

NamedText named(std::string name, std::string path) {
    return {std::move(name), {std::move(path), ""}};
}

std::vector<std::string> paths(const std::vector<config::ConfigText>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts)
        out.push_back(t.path);
    return out;
}

TEST(InstallName, MainFileOrDropin) {
    EXPECT_EQ(install_name("/tmp/new/perouter.toml"), "perouter.toml");
    EXPECT_EQ(install_name("perouter.toml"), "perouter.toml");
    EXPECT_EQ(install_name("../x/50-blue.toml"), "perouter.d/50-blue.toml");
    EXPECT_GT(install_name("-"), install_name("zzzz.toml"));
}

TEST(ValidationSet, ExtraFilesTakeTheirPlaceInTheMerge) {
    std::vector<NamedText> installed{
        named("perouter.toml", "/etc/perouter/perouter.toml"),
        named("perouter.d/10-a.toml", "/usr/lib/perouter/perouter.d/10-a.toml"),
        named("perouter.d/50-c.toml", "/run/perouter/perouter.d/50-c.toml"),
    };
    auto set = validation_set(installed, {named("perouter.d/20-b.toml", "new/20-b.toml"),
                                          named("perouter.d/50-c.toml", "edit/50-c.toml"),
                                          named("perouter.d/90-z.toml", "90-z.toml"),
                                          named(install_name("-"), "<stdin>")});
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_THAT(paths(*set),
                ElementsAre("/etc/perouter/perouter.toml", "/usr/lib/perouter/perouter.d/10-a.toml",
                            "new/20-b.toml", "edit/50-c.toml", "90-z.toml", "<stdin>"));
}

TEST(ValidationSet, AMainFileReplacesOrLeads) {
    auto replaced = validation_set({named("perouter.toml", "/etc/perouter/perouter.toml"),
                                    named("perouter.d/10-a.toml", "/a")},
                                   {named("perouter.toml", "new/perouter.toml")});
    ASSERT_TRUE(replaced.ok());
    EXPECT_THAT(paths(*replaced), ElementsAre("new/perouter.toml", "/a"));
    auto added = validation_set({named("perouter.d/10-a.toml", "/a")},
                                {named("perouter.toml", "new/perouter.toml")});
    ASSERT_TRUE(added.ok());
    EXPECT_THAT(paths(*added), ElementsAre("new/perouter.toml", "/a"));
}

TEST(ValidationSet, TwoExtraFilesWithOneNameAreAnError) {
    auto set = validation_set(
        {}, {named("perouter.d/x.toml", "a/x.toml"), named("perouter.d/x.toml", "b/x.toml")});
    ASSERT_FALSE(set.ok());
    EXPECT_THAT(set.error().message, HasSubstr("perouter.d/x.toml"));
}

TEST(Validate, AddsFilesToTheInstalledConfiguration) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", kMain);
    root.write("new/50-blue.toml", "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\n");
    auto r = run([&](Streams io) {
        return run_validate({root.path(), ""}, {root.at("new/50-blue.toml")}, false, io);
    });
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
}

TEST(Validate, PrintsEveryErrorWithItsPosition) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", kMain);
    std::string bad = root.at("bad.toml");
    root.write("bad.toml",
               "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 0\n\n"
               "[[l2vni]]\nname = \"x\"\nvni = 99999999\n");
    auto r = run([&](Streams io) { return run_validate({root.path(), ""}, {bad}, false, io); });
    EXPECT_EQ(r.rc, kExitFailure);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr(bad + ":4:7: "));
    EXPECT_THAT(r.err, HasSubstr(bad + ":8:7: "));
}

TEST(Validate, AFileThatDependsOnTheInstalledOnesNeedsThem) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", std::string(kMain) +
                                                 "\n[[l3vni]]\nname = \"red\"\nvrf = \"red\"\n"
                                                 "vni = 100\n");
    root.write("web.toml", "[[l2vni]]\nname = \"web\"\nvni = 210\nrouting_domain = \"red\"\n");
    auto with = run([&](Streams io) {
        return run_validate({root.path(), ""}, {root.at("web.toml")}, false, io);
    });
    EXPECT_EQ(with.rc, kExitOk) << with.err;
    // Standalone, the routing domain does not exist (and neither does an underlay).
    auto alone = run([&](Streams io) {
        return run_validate({root.path(), ""}, {root.at("web.toml")}, true, io);
    });
    EXPECT_EQ(alone.rc, kExitFailure);
    EXPECT_THAT(alone.err, HasSubstr(root.at("web.toml") + ":4:"));
}

TEST(Validate, StandardInputAndJson) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", kMain);
    auto r = run(
        [&](Streams io) {
            return run_validate({root.path(), "short"}, {"-"}, false, io);
        },
        "[[l2vni]]\nname = \"s\"\nvni = \"x\"\n");
    EXPECT_EQ(r.rc, kExitFailure);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["valid"], false);
    EXPECT_EQ(j["files"], nlohmann::json({root.at("etc/perouter/perouter.toml"), "<stdin>"}));
    ASSERT_EQ(j["errors"].size(), 1u);
    EXPECT_THAT(j["errors"][0].get<std::string>(), HasSubstr("<stdin>:3:7: "));
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);  // short = one line
}

TEST(Validate, AnUnreadableFileFails) {
    ScratchRoot root;
    auto r = run([&](Streams io) {
        return run_validate({root.path(), ""}, {root.at("missing.toml")}, false, io);
    });
    EXPECT_EQ(r.rc, kExitFailure);
    EXPECT_THAT(r.err, HasSubstr("missing.toml: cannot read: No such file or directory"));
}

TEST(CatConfigCommand, ShowsTheFilesDiscoveryFinds) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", "# main\n");
    root.write("usr/lib/perouter/perouter.d/10-vendor.toml", "# vendor\n");
    root.symlink("etc/perouter/perouter.d/10-vendor.toml", "/dev/null");
    root.write("usr/lib/perouter/perouter.d/20-empty.toml", "# lower\n");
    root.write("run/perouter/perouter.d/20-empty.toml", "");
    root.write("usr/lib/perouter/perouter.d/50-blue.toml", "# lower blue\n");
    root.write("run/perouter/perouter.d/50-blue.toml", "# blue\n");
    auto r = run([&](Streams io) { return run_cat_config({root.path(), ""}, io); });
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_EQ(r.out, "# " + root.at("etc/perouter/perouter.toml") +
                         "\n# main\n\n"
                         "# " +
                         root.at("etc/perouter/perouter.d/10-vendor.toml") + "\n# overrides " +
                         root.at("usr/lib/perouter/perouter.d/10-vendor.toml") +
                         "\n# masked (symlink to /dev/null)\n\n"
                         "# " +
                         root.at("run/perouter/perouter.d/20-empty.toml") + "\n# overrides " +
                         root.at("usr/lib/perouter/perouter.d/20-empty.toml") +
                         "\n# masked (empty file)\n\n"
                         "# " +
                         root.at("run/perouter/perouter.d/50-blue.toml") + "\n# overrides " +
                         root.at("usr/lib/perouter/perouter.d/50-blue.toml") + "\n# blue\n");

    auto j = run([&](Streams io) { return run_cat_config({root.path(), "pretty"}, io); });
    EXPECT_EQ(j.rc, kExitOk);
    EXPECT_EQ(nlohmann::json::parse(j.out).size(), 4u);
}

TEST(CatConfigCommand, NoFilesIsSaidOnStderr) {
    ScratchRoot root;
    auto r = run([&](Streams io) { return run_cat_config({root.path(), ""}, io); });
    EXPECT_EQ(r.rc, kExitOk);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr("No configuration files in " + root.path() + "/usr/lib/perouter"));
}

TEST(ShowConfig, PrintsTheMergedModel) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", kMain);
    root.write("run/perouter/perouter.d/50-blue.toml",
               "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 200\n");
    auto r = run([&](Streams io) { return run_show_config({root.path(), ""}, io); });
    ASSERT_EQ(r.rc, kExitOk) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["underlay"]["asn"], 64514);
    ASSERT_EQ(j["l3vni"].size(), 1u);
    EXPECT_EQ(j["l3vni"][0]["vxlan_port"], 4789);  // defaults are shown
    EXPECT_EQ(j["l3vni"][0]["source"], root.at("run/perouter/perouter.d/50-blue.toml"));
}

TEST(ShowConfig, AnInvalidConfigurationPrintsItsErrors) {
    ScratchRoot root;
    root.write("etc/perouter/perouter.toml", "[underlay]\nasn = \"x\"\n");
    auto r = run([&](Streams io) { return run_show_config({root.path(), ""}, io); });
    EXPECT_EQ(r.rc, kExitFailure);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr(root.at("etc/perouter/perouter.toml") + ":2:7: "));
}

}  // namespace
}  // namespace perouter::cli
