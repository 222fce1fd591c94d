// frr/vty.hpp against a stand-in daemon on a unix socket that answers as FRR's lib/vty.c does:
// the output, three NULs and the status byte.
#include "frr/vty.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "support/vty_stand_in.hpp"

namespace perouter::frr {
namespace {

using namespace std::chrono_literals;

using perouter::testing::VtyStandIn;
using FakeDaemon = VtyStandIn;

void reply(int fd, const std::string& text, char status) {
    std::string msg = text + std::string(3, '\0') + std::string(1, status);
    // In two pieces: the client must not take the first read for the whole answer.
    size_t half = msg.size() / 2;
    ASSERT_EQ(::write(fd, msg.data(), half), static_cast<ssize_t>(half));
    std::this_thread::sleep_for(5ms);
    ASSERT_EQ(::write(fd, msg.data() + half, msg.size() - half),
              static_cast<ssize_t>(msg.size() - half));
}

TEST(VtyQuery, ReturnsTheLastCommandsOutput) {
    std::string seen;
    FakeDaemon d([&](int fd, const std::string& command) {
        seen += command + ";";
        reply(fd, command == "enable" ? "" : "global restart running, pid 42\n", 0);
        return true;
    });
    auto out = vty_query(d.path(), {"enable", "show watchfrr"}, 2000ms);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(*out, "global restart running, pid 42\n");
    EXPECT_EQ(seen, "enable;show watchfrr;");
}

TEST(VtyQuery, AFailedCommandIsAnErrorWithItsOutput) {
    FakeDaemon d([](int fd, const std::string&) {
        reply(fd, "% Unknown command: show nothing\n", 2);  // CMD_ERR_NO_MATCH
        return true;
    });
    auto out = vty_query(d.path(), {"show nothing"}, 2000ms);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("status 2: % Unknown command: show nothing"),
              std::string::npos)
        << out.error().message;
}

TEST(VtyQuery, ADaemonThatClosesIsAnError) {
    FakeDaemon d([](int, const std::string&) { return false; });
    auto out = vty_query(d.path(), {"show version"}, 2000ms);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("closed the connection"), std::string::npos)
        << out.error().message;
}

TEST(VtyQuery, ASilentDaemonTimesOut) {
    FakeDaemon d([](int, const std::string&) { return true; });  // reads, never answers
    auto out = vty_query(d.path(), {"show version"}, 100ms);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ETIMEDOUT) << out.error().message;
}

TEST(VtyQuery, NoSocketIsAnError) {
    auto out = vty_query("/nonexistent/perouter/bgpd.vty", {"show version"}, 100ms);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ENOENT) << out.error().message;
}

// vty_configure speaks as `vtysh -f` does to one daemon: into configuration mode with the
// start marker, the script's lines (blank and "!" lines skipped), the end marker, "end".
TEST(VtyConfigure, SendsTheScriptBetweenTheMarkers) {
    std::string seen;
    {
        FakeDaemon d([&](int fd, const std::string& command) {
            seen += command + ";";
            reply(fd, "", 0);
            return true;
        });
        Status st = vty_configure(d.path(),
                                  "router bgp 64514\n address-family l2vpn evpn\n\n!\n"
                                  "  vni 999\n  exit-vni\n exit-address-family\nexit\n",
                                  2000ms);
        ASSERT_TRUE(st) << st.error().message;
    }
    EXPECT_EQ(seen,
              "enable;configure terminal;XFRR_start_configuration;router bgp 64514; address-family "
              "l2vpn evpn;  vni 999;  exit-vni; exit-address-family;exit;"
              "XFRR_end_configuration;end;");
}

// A rejected line is reported with its number; the other lines and the end marker still go,
// as with vtysh -f, so the daemon does not wait for the rest of a configuration read. A warning
// (CMD_WARNING, 1) is not a failure.
TEST(VtyConfigure, AFailedLineIsReportedAndTheEndMarkerStillSent) {
    std::string seen;
    Status st;
    {
        FakeDaemon d([&](int fd, const std::string& command) {
            seen += command + ";";
            if (command == "  bogus one" || command == "  bogus two")
                reply(fd, "% Unknown command: " + command.substr(2) + "\n", 2);
            else
                reply(fd, "", command == " neighbor x" ? 1 : 0);
            return true;
        });
        st = vty_configure(d.path(), "router bgp 1\n neighbor x\n  bogus one\n  bogus two\nexit\n",
                           2000ms);
    }
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("line 3: '  bogus one'"), std::string::npos)
        << st.error().message;
    EXPECT_NE(st.error().message.find("status 2: % Unknown command: bogus one"), std::string::npos)
        << st.error().message;
    EXPECT_NE(seen.find("  bogus two;exit;XFRR_end_configuration;end;"), std::string::npos) << seen;
}

TEST(VtyConfigure, ADaemonThatClosesIsAnError) {
    Status st;
    {
        FakeDaemon d([](int fd, const std::string& command) {
            if (command == "router bgp 1")
                return false;
            reply(fd, "", 0);
            return true;
        });
        st = vty_configure(d.path(), "router bgp 1\nexit\n", 2000ms);
    }
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("closed the connection"), std::string::npos)
        << st.error().message;
}

}  // namespace
}  // namespace perouter::frr
