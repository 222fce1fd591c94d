#include "cli/cat_config.hpp"

#include <gtest/gtest.h>

namespace perouter::cli {
namespace {

config::DiscoveredFile file(std::string name, std::string path,
                            std::vector<std::string> overridden = {}, bool masked = false) {
    return {std::move(name), std::move(path), std::move(overridden), masked};
}

TEST(CatConfig, FilesInOrderWithOverridesAndMasksMarked) {
    std::vector<CatFile> files{
        {file("perouter.toml", "/etc/perouter/perouter.toml"), "[node]\nindex = 0\n", "", {}},
        {file("perouter.d/10-vendor.toml", "/etc/perouter/perouter.d/10-vendor.toml",
              {"/usr/lib/perouter/perouter.d/10-vendor.toml"}, true),
         "",
         "symlink to /dev/null",
         {}},
        {file("perouter.d/50-blue.toml", "/etc/perouter/perouter.d/50-blue.toml",
              {"/run/perouter/perouter.d/50-blue.toml",
               "/usr/lib/perouter/perouter.d/50-blue.toml"}),
         "[[l3vni]]\nname = \"blue\"",
         "",
         {}},
        {file("perouter.d/60-x.toml", "/run/perouter/perouter.d/60-x.toml"), "", "",
         std::string("Permission denied")},
    };
    EXPECT_EQ(render_cat_config(files),
              "# /etc/perouter/perouter.toml\n"
              "[node]\n"
              "index = 0\n"
              "\n"
              "# /etc/perouter/perouter.d/10-vendor.toml\n"
              "# overrides /usr/lib/perouter/perouter.d/10-vendor.toml\n"
              "# masked (symlink to /dev/null)\n"
              "\n"
              "# /etc/perouter/perouter.d/50-blue.toml\n"
              "# overrides /run/perouter/perouter.d/50-blue.toml\n"
              "# overrides /usr/lib/perouter/perouter.d/50-blue.toml\n"
              "[[l3vni]]\n"
              "name = \"blue\"\n"
              "\n"
              "# /run/perouter/perouter.d/60-x.toml\n"
              "# cannot read: Permission denied\n");

    auto j = cat_config_json(files);
    ASSERT_EQ(j.size(), 4u);
    EXPECT_EQ(j[0]["text"], "[node]\nindex = 0\n");
    EXPECT_EQ(j[1]["masked"], true);
    EXPECT_EQ(j[1]["mask_reason"], "symlink to /dev/null");
    EXPECT_FALSE(j[1].contains("text"));
    EXPECT_EQ(j[2]["overrides"].size(), 2u);
    EXPECT_EQ(j[2]["name"], "perouter.d/50-blue.toml");
    EXPECT_EQ(j[3]["error"], "Permission denied");
}

TEST(CatConfig, NoFilesNoOutput) {
    EXPECT_EQ(render_cat_config({}), "");
    EXPECT_TRUE(cat_config_json({}).empty());
}

}  // namespace
}  // namespace perouter::cli
