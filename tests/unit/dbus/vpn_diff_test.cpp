#include "dbus/vpn_diff.hpp"

#include <gtest/gtest.h>

namespace perouter::dbus {
namespace {

using dbus::ManagerStatus;
using dbus::VpnInfo;
using Names = std::vector<std::string>;

VpnInfo vpn(std::string name, uint32_t vni, VpnState state = VpnState::Configured) {
    return VpnInfo{name,  VpnKind::L2vni,
                   vni,   "",
                   state, "/run/perouter/perouter.d/50-" + name + ".toml",
                   "",    "",
                   ""};
}

TEST(VpnDiff, NothingChanged) {
    std::vector<VpnInfo> v{vpn("red", 100), vpn("blue", 200)};
    EXPECT_TRUE(diff_vpns(v, v).empty());
    EXPECT_TRUE(diff_vpns({}, {}).empty());
}

TEST(VpnDiff, OrderOfTheListDoesNotMatter) {
    EXPECT_TRUE(diff_vpns({vpn("red", 100), vpn("blue", 200)}, {vpn("blue", 200), vpn("red", 100)})
                    .empty());
}

TEST(VpnDiff, AddedAndRemovedAreSortedByName) {
    VpnDiff d = diff_vpns({vpn("red", 100), vpn("zeta", 1), vpn("alpha", 2)},
                          {vpn("red", 100), vpn("green", 3), vpn("blue", 4)});
    EXPECT_EQ(d.added, (Names{"blue", "green"}));
    EXPECT_EQ(d.removed, (Names{"alpha", "zeta"}));
    EXPECT_TRUE(d.changed.empty());
}

TEST(VpnDiff, ChangedCarriesOnlyTheChangedProperties) {
    VpnInfo failed = vpn("red", 100, VpnState::Failed);
    failed.error = "create vxlan 'vni100': File exists";
    VpnDiff d = diff_vpns({vpn("red", 100), vpn("blue", 200)}, {failed, vpn("blue", 200)});
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0], (VpnPropertyChange{"red", {"State", "Error"}}));
    EXPECT_TRUE(d.added.empty());
    EXPECT_TRUE(d.removed.empty());
}

TEST(VpnDiff, EveryPropertyIsCompared) {
    VpnInfo a = vpn("red", 100);
    VpnInfo b{"red",     VpnKind::L3vni,    101,
              "vrf-red", VpnState::Pending, "/etc/perouter/perouter.d/50-red.toml",
              "oops",    "fd00::100",       "fd00::200"};
    EXPECT_EQ(changed_vpn_properties(a, b),
              (Names{"Kind", "Vni", "Vrf", "State", "Source", "Error", "Ipv4Sid", "Ipv6Sid"}));
    EXPECT_TRUE(changed_vpn_properties(a, a).empty());
}

TEST(VpnDiff, AddAndChangeAtOnce) {
    VpnDiff d = diff_vpns({vpn("red", 100)}, {vpn("red", 110), vpn("blue", 200)});
    EXPECT_EQ(d.added, (Names{"blue"}));
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0], (VpnPropertyChange{"red", {"Vni"}}));
}

TEST(VpnDiff, LastEntryOfADuplicatedNameCounts) {
    VpnDiff d = diff_vpns({vpn("red", 100)}, {vpn("red", 1), vpn("red", 100)});
    EXPECT_TRUE(d.empty());
}

TEST(ManagerDiff, OnlyChangedPropertiesInInterfaceOrder) {
    ManagerStatus a{"running", UnderlayState::Established, "", "0.1.0", "", "", {}};
    ManagerStatus b = a;
    EXPECT_TRUE(changed_manager_properties(a, b).empty());
    b.last_error = "perouter.toml:1:1: bad";
    b.state = "degraded";
    EXPECT_EQ(changed_manager_properties(a, b), (Names{"State", "LastError"}));
    b.underlay_state = UnderlayState::Down;
    b.version = "0.2.0";
    EXPECT_EQ(changed_manager_properties(a, b),
              (Names{"State", "UnderlayState", "LastError", "Version"}));
}

TEST(ManagerDiff, ConfigurationAndApplyErrorsAreSeparateProperties) {
    ManagerStatus a{"running", UnderlayState::Established, "", "0.1.0", "", "", {}};
    ManagerStatus b = a;
    b.config_error = "d/50-x.toml left out: d/50-x.toml:3:7: bad";
    b.failed_files = {"d/50-x.toml"};
    EXPECT_EQ(changed_manager_properties(a, b), (Names{"ConfigError", "FailedFiles"}));
    ManagerStatus c = b;
    c.apply_error = "create vni110: File exists";
    EXPECT_EQ(changed_manager_properties(b, c), (Names{"ApplyError"}));
}

}  // namespace
}  // namespace perouter::dbus
