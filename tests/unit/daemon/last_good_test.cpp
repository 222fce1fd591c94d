// The last good configuration: saved whole, private, atomically; read back as it was saved.
#include "daemon/last_good.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "config/load.hpp"
#include "support/scratch_dir.hpp"

namespace perouter::daemon {
namespace {

TEST(LastGood, SavesPrivatelyAndReadsBackWhatWasSaved) {
    test::ScratchDir dir;
    LastGood lg(dir.at("var/lib/perouter/last-good.json"));
    std::vector<config::ConfigText> texts{
        {"/etc/perouter/perouter.toml", test::kMinimalConfig, true},
        {"/etc/perouter/perouter.d/50-x.toml", "[[l2vni]]\nname = \"x\"\nvni = 110\n", false}};
    ASSERT_TRUE(lg.save(texts).ok());
    struct stat st {};
    ASSERT_EQ(::stat(lg.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << "the texts may hold BGP passwords";
    // No temporary file is left beside it.
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.at("var/lib/perouter"))) {
        (void)e;
        ++n;
    }
    EXPECT_EQ(n, 1u);

    auto back = LastGood(lg.path()).load();
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].path, texts[0].path);
    EXPECT_EQ((*back)[0].text, texts[0].text);
    EXPECT_TRUE((*back)[0].main);
    EXPECT_EQ((*back)[1].text, texts[1].text);
    EXPECT_FALSE((*back)[1].main);
    // What was saved assembles into the same configuration.
    auto a = config::assemble(*back);
    ASSERT_TRUE(a.config);
    EXPECT_EQ(a.config->l2vnis.size(), 1u);
}

TEST(LastGood, AMissingOrDamagedFileIsAnError) {
    test::ScratchDir dir;
    EXPECT_FALSE(LastGood(dir.at("none.json")).load().ok());
    dir.write("bad.json", "{\"files\": [{\"path\": 1}]}");
    EXPECT_FALSE(LastGood(dir.at("bad.json")).load().ok());
    dir.write("torn.json", "{\"files\": [");
    EXPECT_FALSE(LastGood(dir.at("torn.json")).load().ok());
}

}  // namespace
}  // namespace perouter::daemon
