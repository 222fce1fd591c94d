// parse_srv6_sids() over text in the shape FRR 8.4's `show bgp segment-routing srv6` prints
// (bgpd/bgp_vty.c show_bgp_srv6 at frr-8.4.4).
#include "frr/srv6_sids.hpp"

#include <gtest/gtest.h>

namespace perouter::frr {
namespace {

constexpr const char* kShow = R"(locator_name: perouter
locator_chunks:
- fd00:0:1::/64
functions:
- sid: fd00:0:1:0:100::
  locator: perouter
- sid: fd00:0:1:0:200::
  locator: perouter
- sid: fd00:0:1:0:300::
  locator: perouter
bgps:
- name: default
  vpn_policy[AFI_IP].tovpn_sid: none
  vpn_policy[AFI_IP6].tovpn_sid: none
- name: sred
  vpn_policy[AFI_IP].tovpn_sid: fd00:0:1:0:100::
  vpn_policy[AFI_IP6].tovpn_sid: fd00:0:1:0:200::
- name: sblue
  vpn_policy[AFI_IP].tovpn_sid: fd00:0:1:0:300::
  vpn_policy[AFI_IP6].tovpn_sid: none
)";

TEST(Srv6Sids, EachInstanceWithItsSidsPerFamily) {
    auto sids = parse_srv6_sids(kShow);
    ASSERT_EQ(sids.size(), 3u);
    EXPECT_EQ(sids.at("default"), (VrfSids{}));
    EXPECT_EQ(sids.at("sred"), (VrfSids{"fd00:0:1:0:100::", "fd00:0:1:0:200::"}));
    EXPECT_EQ(sids.at("sblue"), (VrfSids{"fd00:0:1:0:300::", ""}));
}

TEST(Srv6Sids, FunctionsAboveBgpsAreNotInstances) {
    // "- sid:" items and the locator's "locator:" lines come before "bgps:": never a VRF.
    auto sids = parse_srv6_sids(kShow);
    EXPECT_FALSE(sids.contains("perouter"));
}

TEST(Srv6Sids, NoSrv6OrNoAnswerIsEmpty) {
    EXPECT_TRUE(parse_srv6_sids("").empty());
    // bgpd without a default instance prints nothing; a vtysh error is not the listing either.
    EXPECT_TRUE(parse_srv6_sids("% Unknown command: show bgp segment-routing srv6\n").empty());
}

TEST(Srv6Sids, CarriageReturnsAndUnknownLinesAreSkipped) {
    auto sids = parse_srv6_sids(
        "bgps:\r\n- name: sred\r\n  some_future_field: 1\r\n"
        "  vpn_policy[AFI_IP].tovpn_sid: fd00::100\r\n");
    EXPECT_EQ(sids.at("sred"), (VrfSids{"fd00::100", ""}));
}

}  // namespace
}  // namespace perouter::frr
