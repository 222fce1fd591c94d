#include "dbus/control_error.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "dbus/bus.hpp"
#include "dbus/error_map.hpp"
#include "dbus/names.hpp"

namespace perouter::dbus {
namespace {

using dbus::ControlError;
using dbus::ControlErrorKind;

TEST(ControlError, EachKindHasItsName) {
    EXPECT_STREQ(error_name(ControlErrorKind::InvalidConfig),
                 "org.openperouter.Router1.Error.InvalidConfig");
    EXPECT_STREQ(error_name(ControlErrorKind::NoSuchVpn),
                 "org.openperouter.Router1.Error.NoSuchVpn");
    EXPECT_STREQ(error_name(ControlErrorKind::VpnExists),
                 "org.openperouter.Router1.Error.VpnExists");
    EXPECT_STREQ(error_name(ControlErrorKind::ReadOnly), "org.openperouter.Router1.Error.ReadOnly");
    EXPECT_STREQ(error_name(ControlErrorKind::Failed), "org.openperouter.Router1.Error.Failed");
    EXPECT_STREQ(error_name(ControlErrorKind::InvalidArgs),
                 "org.freedesktop.DBus.Error.InvalidArgs");
}

TEST(ControlError, InvalidConfigListsEveryPosition) {
    ControlError e{ControlErrorKind::InvalidConfig,
                   "The configuration is invalid",
                   {{{"/etc/perouter/perouter.toml", 3, 7}, "unknown key 'asnn'"},
                    {{"<validate>", 2, 1}, "vni 100 is used twice"}}};
    BusErrorReply r = to_bus_error(e);
    EXPECT_EQ(r.name, kErrorInvalidConfig);
    EXPECT_EQ(r.message,
              "The configuration is invalid\n"
              "/etc/perouter/perouter.toml:3:7: unknown key 'asnn'\n"
              "<validate>:2:1: vni 100 is used twice");
}

TEST(ControlError, DiagnosticsAloneNeedNoHeadline) {
    ControlError e{ControlErrorKind::InvalidConfig, "", {{{"a.toml", 1, 2}, "bad"}}};
    EXPECT_EQ(to_bus_error(e).message, "a.toml:1:2: bad");
}

TEST(ControlError, EmptyMessageStillSaysSomething) {
    EXPECT_EQ(to_bus_error(ControlError{ControlErrorKind::Failed, "", {}}).message,
              "The request failed");
    EXPECT_EQ(to_bus_error(ControlError{ControlErrorKind::InvalidConfig, "", {}}).message,
              "The configuration is invalid");
}

TEST(ControlError, PlainKindsKeepTheirMessage) {
    ControlError e{ControlErrorKind::ReadOnly,
                   "VPN 'red' is defined in /etc/perouter/perouter.toml, not by the API",
                   {}};
    EXPECT_EQ(to_bus_error(e), (BusErrorReply{kErrorReadOnly, e.message}));
}

// With the map registered, an error name received over the bus turns into the errno a C
// caller (or sd-bus's own error paths) expects, and back.
TEST(ErrorMap, NamesMapToErrno) {
    ASSERT_EQ(register_error_map(), 0);
    ASSERT_EQ(register_error_map(), 0);  // idempotent
    struct Case {
        const char* name;
        int code;
    };
    for (auto [name, code] :
         {Case{kErrorInvalidConfig, EINVAL}, Case{kErrorNoSuchVpn, ENOENT},
          Case{kErrorVpnExists, EEXIST}, Case{kErrorReadOnly, EROFS}, Case{kErrorFailed, EIO}}) {
        SdBusError e;
        EXPECT_EQ(sd_bus_error_set(e.get(), name, "x"), -code) << name;
        EXPECT_EQ(sd_bus_error_get_errno(e.get()), code) << name;
    }
}

}  // namespace
}  // namespace perouter::dbus
