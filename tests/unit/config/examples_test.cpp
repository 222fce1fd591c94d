// Every shipped example (examples/**/*.toml, including other modules' lab files) must load.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/load.hpp"
#include "test_util.hpp"

namespace perouter::config {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> example_files() {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(PEROUTER_EXAMPLES_DIR)) {
        if (e.is_regular_file() && e.path().extension() == ".toml")
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// A main file defines the [underlay]; anything else is a drop-in that only makes sense on top
/// of one. A file that does not parse counts as a main file so that its error is reported.
bool is_main_file(const fs::path& path) {
    try {
        return toml::parse(read(path), std::string_view(path.string())).contains("underlay");
    } catch (const toml::parse_error&) {
        return true;
    }
}

/// The main files a drop-in is loaded after: the perouter.toml next to its perouter.d
/// directory (discovery's layout), else the main files of its own directory.
std::vector<fs::path> bases_of(const fs::path& dropin) {
    auto dir = dropin.parent_path();
    if (dir.filename() == "perouter.d" && fs::exists(dir.parent_path() / "perouter.toml"))
        return {dir.parent_path() / "perouter.toml"};
    std::vector<fs::path> bases;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().extension() == ".toml" && is_main_file(e.path()))
            bases.push_back(e.path());
    }
    std::sort(bases.begin(), bases.end());
    return bases;
}

TEST(Examples, EveryExampleLoads) {
    auto files = example_files();
    ASSERT_FALSE(files.empty()) << "no examples under " << PEROUTER_EXAMPLES_DIR;
    for (const auto& path : files) {
        SCOPED_TRACE(path.string());
        if (is_main_file(path)) {
            test::ok({{path.string(), read(path)}});
            continue;
        }
        auto bases = bases_of(path);
        if (bases.empty()) {
            // A standalone drop-in without any underlay must still be a valid document.
            test::ok({{path.string(), read(path)}});
            continue;
        }
        for (const auto& base : bases) {
            SCOPED_TRACE("after " + base.string());
            test::ok({{base.string(), read(base)}, {path.string(), read(path)}});
        }
    }
}

TEST(Examples, ReferenceConfigurationHasEverySection) {
    Config c =
        test::ok({{"perouter.toml", read(std::string(PEROUTER_EXAMPLES_DIR) + "/perouter.toml")}});
    ASSERT_TRUE(c.underlay);
    ASSERT_EQ(c.underlay->neighbors.size(), 1u);
    EXPECT_TRUE(c.underlay->neighbors[0].bfd);
    EXPECT_FALSE(c.underlay->tunnel_endpoint_cidrs.empty());
    ASSERT_EQ(c.l3vnis.size(), 1u);
    EXPECT_EQ(c.l3vnis[0].name, "red");
    EXPECT_EQ(c.l3vnis[0].vni, 100u);
    EXPECT_TRUE(c.l3vnis[0].default_gateway);
    ASSERT_TRUE(c.l3vnis[0].host_session);
    EXPECT_TRUE(c.l3vnis[0].host_session->local_cidr.ipv4);
    EXPECT_TRUE(c.l3vnis[0].host_session->local_cidr.ipv6);
    ASSERT_EQ(c.l2vnis.size(), 2u);
    EXPECT_EQ(c.l2vnis[0].vni, 210u);
    EXPECT_EQ(c.l2vnis[0].routing_domain, "red");
    EXPECT_FALSE(c.l2vnis[0].gateway_ips.empty());
    EXPECT_EQ(c.l2vnis[1].vni, 110u);
    ASSERT_TRUE(c.l2vnis[1].host_master);
    EXPECT_EQ(c.l2vnis[1].host_master->lifecycle, HostMasterLifecycle::Managed);
    EXPECT_TRUE(c.passthrough);
}

}  // namespace
}  // namespace perouter::config
