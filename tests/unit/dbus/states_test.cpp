// The names of the states and kinds the D-Bus API reports: the wire strings, and what a client
// makes of a name it does not know (another version of perouterd).
#include "dbus/states.hpp"

#include <gtest/gtest.h>

namespace perouter::dbus {
namespace {

TEST(States, WireNames) {
    EXPECT_EQ(to_string(VpnKind::L3vni), "l3vni");
    EXPECT_EQ(to_string(VpnKind::L2vni), "l2vni");
    EXPECT_EQ(to_string(VpnState::Pending), "pending");
    EXPECT_EQ(to_string(VpnState::Configured), "configured");
    EXPECT_EQ(to_string(VpnState::Failed), "failed");
    EXPECT_EQ(to_string(UnderlayState::Unconfigured), "unconfigured");
    EXPECT_EQ(to_string(UnderlayState::Down), "down");
    EXPECT_EQ(to_string(UnderlayState::Connecting), "connecting");
    EXPECT_EQ(to_string(UnderlayState::Established), "established");
}

TEST(States, ParseIsTheInverseOfToString) {
    for (VpnKind k : {VpnKind::L3vni, VpnKind::L2vni, VpnKind::Unknown})
        EXPECT_EQ(parse_vpn_kind(to_string(k)), k);
    for (VpnState s :
         {VpnState::Pending, VpnState::Configured, VpnState::Failed, VpnState::Unknown})
        EXPECT_EQ(parse_vpn_state(to_string(s)), s);
    for (UnderlayState s :
         {UnderlayState::Unconfigured, UnderlayState::Down, UnderlayState::Connecting,
          UnderlayState::Established, UnderlayState::Unknown})
        EXPECT_EQ(parse_underlay_state(to_string(s)), s);
}

TEST(States, NamesFromAnotherVersionAreUnknown) {
    EXPECT_EQ(parse_vpn_kind("evpn-vpws"), VpnKind::Unknown);
    EXPECT_EQ(parse_vpn_kind("l3vpn"), VpnKind::L3vpn);
    EXPECT_EQ(parse_vpn_state("degraded"), VpnState::Unknown);
    EXPECT_EQ(parse_underlay_state(""), UnderlayState::Unknown);
    EXPECT_EQ(parse_underlay_state("Established"), UnderlayState::Unknown);
}

}  // namespace
}  // namespace perouter::dbus
