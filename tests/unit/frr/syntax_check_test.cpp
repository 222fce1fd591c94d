// frr::SyntaxChecker: FRR's own parser (`vtysh -C`, FRR installed, no daemons) with one vtysh
// kept waiting ahead of each check.
#include "frr/syntax_check.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace perouter::frr {
namespace {

namespace fs = std::filesystem;

const char* kGood =
    "router bgp 64514\n address-family l2vpn evpn\n  vni 999\n   route-target import 64512:999\n"
    "  exit-vni\n exit-address-family\nexit\n";
const char* kBad = "router bgp 64514\n no such command\nexit\n";

// Whether `pid` runs /usr/bin/vtysh, waited for up to 10 s (its start is not ours to time).
bool runs_vtysh(int pid) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const fs::path want = fs::canonical("/usr/bin/vtysh");
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        if (fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec) == want)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

class SyntaxCheckerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/vtysh", X_OK) != 0)
            GTEST_SKIP() << "needs FRR's vtysh (dist/setup.sh installs it)";
    }
};

TEST_F(SyntaxCheckerTest, OneShotCheckGivesFrrsVerdict) {
    EXPECT_TRUE(syntax_check(kGood));
    Status st = syntax_check(kBad);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("no such command"), std::string::npos) << st.error().message;
}

// Each check is made by the vtysh that waited; the next one waits once warm_up() is called
// again (the daemon does when its loop is idle), not before.
TEST_F(SyntaxCheckerTest, AWarmCheckerUsesTheWaitingVtyshAndWarmsUpTheNextWhenAsked) {
    SyntaxChecker c;
    EXPECT_EQ(c.standby_pid(), -1);
    c.warm_up();
    const int first = c.standby_pid();
    ASSERT_GT(first, 0);
    EXPECT_EQ(::kill(first, 0), 0);
    c.warm_up();  // one waits already
    EXPECT_EQ(c.standby_pid(), first);
    EXPECT_TRUE(c.check(kGood));
    EXPECT_EQ(c.standby_pid(), -1);
    c.warm_up();
    const int second = c.standby_pid();
    ASSERT_GT(second, 0);
    EXPECT_NE(second, first);
    Status st = c.check(kBad);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("no such command"), std::string::npos) << st.error().message;
    EXPECT_EQ(c.standby_pid(), -1);
    // The lines the waiting vtysh read ahead are not counted: the message names the checked
    // text's own line.
    EXPECT_EQ(st.error().message.rfind("line 2: ", 0), 0u) << st.error().message;
    // Without a waiting one, a check runs its own vtysh.
    EXPECT_TRUE(c.check(kGood));
}

// What the waiting vtysh read ahead (a `router bgp`, a `vrf`, a `route-map`) changes no verdict:
// the same texts get the one-shot verdicts, with the lines numbered as the one-shot's.
TEST_F(SyntaxCheckerTest, AWarmCheckGivesTheOneShotVerdictAndLineNumbers) {
    const std::vector<std::string> texts{
        kGood,
        kBad,
        "vrf red\n vni 100\nexit-vrf\nrouter bgp 64514 vrf red\n bgp router-id 10.0.0.1\nexit\n",
        "route-map host-in-red permit 10\nexit\nbogus first\nrouter bgp 64514\n also bogus\nexit\n",
        "no router bgp 64514 vrf red\nno vrf red\n",
        "router bgp 64514\n neighbor 192.0.2.1 remote-as\nexit\n",
    };
    for (const auto& text : texts) {
        SyntaxChecker c;
        c.warm_up();
        ASSERT_GT(c.standby_pid(), 0);
        Status warm = c.check(text);
        Status cold = syntax_check(text);
        EXPECT_EQ(bool(warm), bool(cold)) << text;
        if (!warm && !cold) {
            EXPECT_EQ(warm.error().message, cold.error().message) << text;
        }
    }
}

// A waiting vtysh that was killed is no verdict: the check runs a fresh one.
TEST_F(SyntaxCheckerTest, AKilledStandbyIsReplaced) {
    SyntaxChecker c;
    c.warm_up();
    ASSERT_GT(c.standby_pid(), 0);
    ASSERT_EQ(::kill(c.standby_pid(), SIGKILL), 0);
    EXPECT_TRUE(c.check(kGood));
    c.warm_up();
    ASSERT_GT(c.standby_pid(), 0);
    ASSERT_EQ(::kill(c.standby_pid(), SIGKILL), 0);
    Status st = c.check(kBad);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("no such command"), std::string::npos) << st.error().message;
}

// After an FRR upgrade (the vtysh in PATH is another file) the old parser does not judge: the
// stand-in "vtysh" here is a script; once it is replaced by one that rejects everything, the
// next check must be that one's verdict, not the waiting old one's.
TEST_F(SyntaxCheckerTest, AReplacedProgramIsNotJudgedByTheWaitingOldOne) {
    const fs::path dir = fs::temp_directory_path() / ("perouter-vtysh-" + std::to_string(getpid()));
    fs::create_directories(dir);
    auto write_program = [&](const std::string& body) {
        const fs::path tmp = dir / "vtysh.new";
        std::ofstream(tmp) << "#!/bin/sh\n" << body;
        fs::permissions(tmp, fs::perms::owner_all);
        fs::rename(tmp, dir / "vtysh");  // a new file, as a package upgrade makes
    };
    write_program("exec /usr/bin/vtysh \"$@\"\n");
    const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
    {
        SyntaxChecker c;
        c.warm_up();
        EXPECT_TRUE(c.check(kGood));  // by the wrapped vtysh
        c.warm_up();
        // The next one waits: once it runs vtysh itself (sh has read the old script and exec'd),
        // replacing the script no longer changes what it is.
        ASSERT_TRUE(runs_vtysh(c.standby_pid()));
        write_program("cat >/dev/null; echo 'line 1: % rejected by the new program' >&2; exit 2\n");
        Status st = c.check(kGood);
        ASSERT_FALSE(st);
        EXPECT_NE(st.error().message.find("rejected by the new program"), std::string::npos)
            << st.error().message;
    }
    ::setenv("PATH", old_path.c_str(), 1);
    fs::remove_all(dir);
}

// An FRR whose parser rejects what the waiting vtysh reads ahead must not fail every check: the
// stand-in "vtysh" here rejects a text that starts with `router bgp 1` and takes anything else;
// the check falls back on a vtysh of its own, which only reads the checked text.
TEST_F(SyntaxCheckerTest, AVtyshThatRejectsWhatItReadAheadIsNotTheVerdict) {
    const fs::path dir =
        fs::temp_directory_path() / ("perouter-vtysh-ahead-" + std::to_string(getpid()));
    fs::create_directories(dir);
    {
        std::ofstream(dir / "vtysh") << "#!/bin/sh\n"
                                        "read -r first\n"
                                        "cat >/dev/null\n"
                                        "if [ \"$first\" = 'router bgp 1' ]; then\n"
                                        "  echo 'line 1: % Unknown command: router bgp 1' >&2\n"
                                        "  exit 2\n"
                                        "fi\n";
    }
    fs::permissions(dir / "vtysh", fs::perms::owner_all);
    const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
    {
        SyntaxChecker c;
        c.warm_up();
        ASSERT_GT(c.standby_pid(), 0);
        Status st = c.check(kGood);
        EXPECT_TRUE(st) << st.error().message;
    }
    ::setenv("PATH", old_path.c_str(), 1);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace perouter::frr
