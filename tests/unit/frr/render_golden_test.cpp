// Every golden model renders exactly its golden file. PEROUTER_UPDATE_GOLDEN=1 rewrites the
// files instead (review the git diff afterwards); the vtysh_check test then parses them with
// FRR's own `vtysh -C`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "frr/render.hpp"
#include "models.hpp"
#include "text_diff.hpp"

namespace perouter::frr::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = PEROUTER_FRR_GOLDEN_DIR;

bool updating() {
    const char* v = std::getenv("PEROUTER_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

class GoldenTest : public ::testing::TestWithParam<NamedModel> {};

TEST_P(GoldenTest, RendersGoldenFile) {
    const NamedModel& nm = GetParam();
    const fs::path path = kGoldenDir / (nm.name + ".conf");
    const std::string got = render(nm.model);
    if (updating()) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << got;
        GTEST_SKIP() << "rewrote " << path;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "missing golden file " << path
                    << " (run with PEROUTER_UPDATE_GOLDEN=1 to create it)";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(want.str(), got) << "render(" << nm.name << ") differs from " << path
                               << " (- golden, + rendered):\n"
                               << line_diff(want.str(), got);
}

std::string test_name(const ::testing::TestParamInfo<NamedModel>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Frr, GoldenTest, ::testing::ValuesIn(golden_models()), test_name);

TEST(GoldenFiles, EveryFileHasAModel) {
    std::set<std::string> names;
    for (const auto& nm : golden_models())
        names.insert(nm.name + ".conf");
    for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
        EXPECT_TRUE(names.contains(entry.path().filename().string()))
            << "stale golden file without a model: " << entry.path();
    }
}

}  // namespace
}  // namespace perouter::frr::testing
