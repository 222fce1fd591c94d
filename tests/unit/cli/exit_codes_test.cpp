// The built perouterctl's exit codes for what needs no daemon: usage errors, --print, and a
// bus nobody answers on (perouterctl(8) documents these).
#include "cli/exit_codes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace perouter::cli {
namespace {

using ::testing::HasSubstr;

struct Ran {
    int rc = -1;
    std::string output;  // stdout and stderr
};

Ran perouterctl(const std::string& args) {
    std::string cmd = std::string(PEROUTERCTL) + " " + args + " 2>&1 </dev/null";
    Ran r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        ADD_FAILURE() << "popen failed";
        return r;
    }
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.output.append(buf.data(), n);
    int status = ::pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// An address where no bus listens: connecting fails at once.
const std::string kNoBus = "--bus-address unix:path=/nonexistent/perouterctl-test-bus";

TEST(ExitCodes, HelpAndVersionSucceed) {
    auto h = perouterctl("--help");
    EXPECT_EQ(h.rc, kExitOk);
    EXPECT_THAT(h.output, HasSubstr("wait-online"));
    EXPECT_THAT(h.output, HasSubstr("--json[=MODE]"));
    EXPECT_EQ(perouterctl("--version").rc, kExitOk);
    EXPECT_EQ(perouterctl("vpn add --help").rc, kExitOk);
}

TEST(ExitCodes, UsageErrorsAreTwo) {
    EXPECT_EQ(perouterctl("").rc, kExitUsage);
    EXPECT_EQ(perouterctl("frobnicate").rc, kExitUsage);
    EXPECT_EQ(perouterctl("vpn show").rc, kExitUsage);
    EXPECT_EQ(perouterctl("--json=yaml status").rc, kExitUsage);
    // Checked after parsing, still usage errors.
    auto neither = perouterctl("vpn add x --print");
    EXPECT_EQ(neither.rc, kExitUsage);
    EXPECT_THAT(neither.output, HasSubstr("--l2vni, --l3vni or --l3vpn"));
    auto both = perouterctl("vpn add x x.toml --l2vni --vni 5");
    EXPECT_EQ(both.rc, kExitUsage);
    EXPECT_THAT(both.output, HasSubstr("either FILE or --l2vni/--l3vni/--l3vpn"));
    auto two_bridges =
        perouterctl("vpn add x --l2vni --vni 5 --host-bridge managed --ovs-bridge br-int --print");
    EXPECT_EQ(two_bridges.rc, kExitUsage);
    EXPECT_THAT(two_bridges.output, HasSubstr("--host-bridge (a Linux bridge) or --ovs-bridge"));
}

TEST(ExitCodes, PrintShowsTheBuiltDocumentWithoutADaemon) {
    auto r =
        perouterctl(kNoBus + " vpn add storage --l2vni --vni 110 --host-bridge managed --print");
    EXPECT_EQ(r.rc, kExitOk) << r.output;
    EXPECT_EQ(r.output,
              "[[l2vni]]\nname = \"storage\"\nvni = 110\n"
              "host_master = { type = \"linux-bridge\", lifecycle = \"managed\" }\n");
}

TEST(ExitCodes, PrintShowsAnOvsHostMaster) {
    auto r = perouterctl(kNoBus + " vpn add web --l2vni --vni 210 --ovs-bridge br-int --print");
    EXPECT_EQ(r.rc, kExitOk) << r.output;
    EXPECT_EQ(r.output,
              "[[l2vni]]\nname = \"web\"\nvni = 210\n"
              "host_master = { type = \"ovs-bridge\", lifecycle = \"external\", name = "
              "\"br-int\" }\n");
}

TEST(ExitCodes, NoBusIsNotRunning) {
    for (const char* cmd : {"status", "vpn list", "vpn show red", "reload", "vpn remove red",
                            "vpn add x --l2vni --vni 5"}) {
        auto r = perouterctl(kNoBus + " " + cmd);
        EXPECT_EQ(r.rc, kExitNotRunning) << cmd << ": " << r.output;
        EXPECT_THAT(r.output, HasSubstr("cannot connect to the bus")) << cmd;
    }
}

TEST(ExitCodes, WaitOnlineTimesOutWithOne) {
    auto r = perouterctl(kNoBus + " wait-online --timeout 1");
    EXPECT_EQ(r.rc, kExitFailure);
    EXPECT_THAT(r.output, HasSubstr("Timed out after 1 s"));
    EXPECT_THAT(r.output, HasSubstr("cannot connect to the bus"));
}

}  // namespace
}  // namespace perouter::cli
