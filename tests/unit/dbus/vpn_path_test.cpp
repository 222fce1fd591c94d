#include "dbus/vpn_path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace perouter::dbus {
namespace {

TEST(VpnPath, PlainNamesStayReadable) {
    EXPECT_EQ(vpn_object_path("red"), "/org/openperouter/Router1/vpn/red");
    EXPECT_EQ(vpn_object_path("Blue42"), "/org/openperouter/Router1/vpn/Blue42");
}

TEST(VpnPath, OtherCharactersAreEscaped) {
    EXPECT_EQ(vpn_object_path("red-1"), "/org/openperouter/Router1/vpn/red_2d1");
    EXPECT_EQ(vpn_object_path("a.b"), "/org/openperouter/Router1/vpn/a_2eb");
    EXPECT_EQ(vpn_object_path("x_y"), "/org/openperouter/Router1/vpn/x_5fy");
    EXPECT_EQ(vpn_object_path(""), "/org/openperouter/Router1/vpn/_");
}

TEST(VpnPath, RoundTrips) {
    for (std::string name : {"red", "red-1", "a.b", "x_y", "_", "vpn/with/slash", "ünï", " ", ""}) {
        auto back = vpn_name_from_path(vpn_object_path(name));
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(*back, name);
    }
}

TEST(VpnPath, RejectsPathsThatAreNotVpnObjects) {
    EXPECT_FALSE(vpn_name_from_path("/org/openperouter/Router1"));
    EXPECT_FALSE(vpn_name_from_path("/org/openperouter/Router1/vpn"));
    EXPECT_FALSE(vpn_name_from_path("/org/openperouter/Router1/vpnx"));
    EXPECT_FALSE(vpn_name_from_path("/org/openperouter/Router1/vpn/red/deeper"));
    EXPECT_FALSE(vpn_name_from_path("/org/other/vpn/red"));
    // A non-canonical escape would alias a canonical path; only the canonical one is the object.
    EXPECT_FALSE(vpn_name_from_path("/org/openperouter/Router1/vpn/_72ed"));
}

}  // namespace
}  // namespace perouter::dbus
