#include "cli/bus_errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/exit_codes.hpp"
#include "dbus/names.hpp"

namespace perouter::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

dbus::BusError err(std::string name, std::string message, int code = 0) {
    return {std::move(name), std::move(message), code};
}

TEST(BusErrors, InvalidConfigPrintsEveryPositionLineAsItCame) {
    auto r = report_bus_error(
        err(dbus::kErrorInvalidConfig,
            "configuration rejected\n/run/perouter/perouter.d/50-x.toml:3:7: 'vni' 0 is out of "
            "range\n<validate>:1:1: missing 'name'\n",
            EINVAL),
        "add VPN 'x'");
    EXPECT_EQ(r.exit_code, kExitFailure);
    EXPECT_THAT(r.lines, ElementsAre("configuration rejected",
                                     "/run/perouter/perouter.d/50-x.toml:3:7: 'vni' 0 is out of "
                                     "range",
                                     "<validate>:1:1: missing 'name'"));
}

TEST(BusErrors, AccessDeniedExplainsWhatAuthorizes) {
    auto r = report_bus_error(err("org.freedesktop.DBus.Error.AccessDenied", "not authorized"),
                              "reload");
    EXPECT_EQ(r.exit_code, kExitFailure);
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[0], "Failed to reload: access denied.");
    EXPECT_THAT(r.lines[1], HasSubstr("needs root (or polkit authorization"));
    EXPECT_THAT(r.lines[2], HasSubstr("not authorized"));
}

TEST(BusErrors, InteractiveAuthorizationRequiredIsAccessDeniedToo) {
    auto r = report_bus_error(
        err("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", ""), "reload");
    EXPECT_EQ(r.exit_code, kExitFailure);
    EXPECT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[0], "Failed to reload: access denied.");
}

TEST(BusErrors, NobodyOnTheBusIsNotRunning) {
    for (const char* name :
         {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
          "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Disconnected"}) {
        auto r = report_bus_error(err(name, "The name is not activatable"), "get status");
        EXPECT_EQ(r.exit_code, kExitNotRunning) << name;
        ASSERT_EQ(r.lines.size(), 1u);
        EXPECT_THAT(r.lines[0], HasSubstr("perouterd is not running")) << name;
    }
}

TEST(BusErrors, RouterErrorsThatReuseSocketErrnosAreNotNotRunning) {
    // NoSuchVpn maps to ENOENT, which for a generic error would mean "no bus socket".
    auto r =
        report_bus_error(err(dbus::kErrorNoSuchVpn, "No VPN named 'x'", ENOENT), "remove VPN 'x'");
    EXPECT_EQ(r.exit_code, kExitFailure);
    EXPECT_THAT(r.lines, ElementsAre("Failed to remove VPN 'x': No VPN named 'x'"));
    auto generic = err("org.freedesktop.DBus.Error.Failed", "connect", ECONNREFUSED);
    EXPECT_TRUE(is_not_running(generic));
    EXPECT_FALSE(is_not_running(err(dbus::kErrorFailed, "x", ENOENT)));
}

TEST(BusErrors, OtherRouterErrorsCarryTheDaemonsMessage) {
    for (const char* name : {dbus::kErrorVpnExists, dbus::kErrorReadOnly, dbus::kErrorFailed,
                             "org.freedesktop.DBus.Error.InvalidArgs"}) {
        auto r = report_bus_error(err(name, "why"), "add VPN 'x'");
        EXPECT_EQ(r.exit_code, kExitFailure) << name;
        EXPECT_THAT(r.lines, ElementsAre("Failed to add VPN 'x': why")) << name;
    }
}

TEST(BusErrors, AnErrorWithoutMessageShowsItsName) {
    auto r = report_bus_error(err(dbus::kErrorFailed, ""), "reload");
    EXPECT_THAT(r.lines, ElementsAre(std::string("Failed to reload: ") + dbus::kErrorFailed));
}

TEST(BusErrors, TimeoutIsAFailure) {
    auto r = report_bus_error(err("org.freedesktop.DBus.Error.Timeout", "Connection timed out"),
                              "reload");
    EXPECT_EQ(r.exit_code, kExitFailure);
    EXPECT_THAT(r.lines[0], HasSubstr("did not answer in time"));
}

TEST(BusErrors, DiagnosticsAreFileLineColumnLines) {
    Diagnostics ds{{{"/etc/perouter/perouter.toml", 4, 9}, "bad"},
                   {{"x.toml", 0, 0}, "cannot read"}};
    auto r = report_diagnostics(ds);
    EXPECT_EQ(r.exit_code, kExitFailure);
    EXPECT_THAT(r.lines,
                ElementsAre("/etc/perouter/perouter.toml:4:9: bad", "x.toml: cannot read"));
}

}  // namespace
}  // namespace perouter::cli
