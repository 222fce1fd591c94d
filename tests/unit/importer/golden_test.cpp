// Golden cases: tests/unit/importer/cases/<case>/ holds upstream YAML files (written for these
// tests, after the shapes upstream documents), merged in file-name order, and either
// expected.toml (the import's output) or expected-errors.txt (its diagnostics, one per line).
// PEROUTER_UPDATE_GOLDEN=1 rewrites the expected files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/load.hpp"
#include "importer/importer.hpp"

namespace perouter::importer {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The case's YAML files in merge order, named by their base names (so goldens do not depend
/// on where the tree is).
std::vector<YamlText> inputs(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".yaml")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<YamlText> out;
    for (const auto& f : files)
        out.push_back({f.filename().string(), read(f)});
    return out;
}

std::vector<fs::path> cases() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(PEROUTER_IMPORT_CASES_DIR))
        if (e.is_directory())
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string joined(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags)
        out += d.str() + "\n";
    return out;
}

TEST(ImportGolden, MatchesGoldenFiles) {
    const bool update = std::getenv("PEROUTER_UPDATE_GOLDEN") != nullptr;
    int converted = 0;
    int refused = 0;
    for (const fs::path& dir : cases()) {
        SCOPED_TRACE(dir.filename().string());
        auto files = inputs(dir);
        ASSERT_FALSE(files.empty());
        auto r = import_files(files);
        const fs::path toml = dir / "expected.toml";
        const fs::path errors = dir / "expected-errors.txt";
        if (update) {
            std::ofstream(r ? toml : errors) << (r ? r->toml : joined(r.error()));
            continue;
        }
        if (fs::exists(errors)) {
            ++refused;
            ASSERT_FALSE(r.ok()) << r->toml;
            EXPECT_EQ(joined(r.error()), read(errors));
        } else {
            ++converted;
            ASSERT_TRUE(r.ok()) << joined(r.error());
            ASSERT_TRUE(fs::exists(toml)) << "run with PEROUTER_UPDATE_GOLDEN=1";
            EXPECT_EQ(r->toml, read(toml));
        }
    }
    if (!update) {
        EXPECT_GE(converted, 8);
        EXPECT_GE(refused, 3);
    }
}

// The round trip: what the import writes is a configuration perouter loads as it stands (the
// cases include a node file, so the output is a complete main file). Among them, CNI macvlans
// as [underlay.macvlan] (static and DHCP), with an unnumbered neighbor on upstream's default
// interface name.
TEST(ImportGolden, OutputLoadsWithPerouterLoader) {
    int loaded = 0;
    int macvlans = 0;
    int dhcp = 0;
    for (const fs::path& dir : cases()) {
        std::string name = dir.filename().string();
        if (fs::exists(dir / "expected-errors.txt"))
            continue;
        SCOPED_TRACE(name);
        auto r = import_files(inputs(dir));
        ASSERT_TRUE(r.ok()) << joined(r.error());
        auto cfg = config::parse({config::ConfigText{"imported.toml", r->toml, true}});
        EXPECT_TRUE(cfg.ok()) << (cfg ? "" : joined(cfg.error())) << r->toml;
        if (cfg && cfg->underlay && cfg->underlay->macvlan) {
            ++macvlans;
            if (cfg->underlay->macvlan->dhcp)
                ++dhcp;
        }
        ++loaded;
    }
    EXPECT_GE(loaded, 7);
    EXPECT_GE(macvlans, 3);
    EXPECT_GE(dhcp, 1);
}

}  // namespace
}  // namespace perouter::importer
