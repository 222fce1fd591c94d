// delta() cases with the exact script expected. Each expectation was also applied to a real FRR
// 8.4 by the integration test (tests/integration/frr), which checks that the result equals a
// fresh load of the target configuration.
#include "frr/delta.hpp"

#include <gtest/gtest.h>

#include <string>

#include "frr/render.hpp"
#include "models.hpp"
#include "text_diff.hpp"

namespace perouter::frr::testing {
namespace {

void expect_delta(const Model& from, const Model& to, const std::string& want) {
    const std::string got = delta(render(from), render(to));
    EXPECT_EQ(want, got) << "(- expected, + got):\n" << line_diff(want, got);
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

Model two_vrfs() {
    Model m = golden_model("basic");
    m.vrfs.push_back(l3vni_v4("blue", 200));
    return m;
}

TEST(Delta, NoChangeIsEmptyForEveryGoldenModel) {
    for (const auto& nm : golden_models()) {
        const std::string text = render(nm.model);
        EXPECT_EQ(delta(text, text), "") << nm.name;
    }
}

TEST(Delta, LayoutOnlyDifferenceIsEmpty) {
    const std::string text = render(golden_model("basic"));
    std::string relaid;
    for (const auto line : split_lines(text)) {
        relaid += "  ";
        relaid += line;
        relaid += "\n!\n\n";
    }
    EXPECT_EQ(delta(text, relaid), "");
}

TEST(Delta, AddVrfEmitsOnlyItsBlocks) {
    expect_delta(golden_model("basic"), two_vrfs(),
                 "vrf blue\n"
                 " vni 200\n"
                 "exit-vrf\n"
                 "router bgp 64514 vrf blue\n"
                 " bgp router-id 10.0.0.1\n"
                 " no bgp ebgp-requires-policy\n"
                 " no bgp network import-check\n"
                 " no bgp default ipv4-unicast\n"
                 " neighbor 192.169.200.2 remote-as 64515\n"
                 " address-family ipv4 unicast\n"
                 "  network 192.169.200.2/32\n"
                 "  neighbor 192.169.200.2 activate\n"
                 "  neighbor 192.169.200.2 route-map allowall in\n"
                 "  neighbor 192.169.200.2 route-map allowall out\n"
                 " exit-address-family\n"
                 " address-family l2vpn evpn\n"
                 "  advertise ipv4 unicast\n"
                 "  advertise ipv6 unicast\n"
                 " exit-address-family\n"
                 "exit\n");
}

// The VRF releases its L3VNI first (bgpd refuses to delete a VRF instance whose L3VNI is
// configured; seen in the QEMU tier), then the BGP VRF instance goes; the VRF itself is only
// emptied, never deleted.
TEST(Delta, RemoveVrf) {
    expect_delta(two_vrfs(), golden_model("basic"),
                 "vrf blue\n"
                 " no vni 200\n"
                 "exit-vrf\n"
                 "no router bgp 64514 vrf blue\n");
}

TEST(Delta, FirstVrfAddsTheRouteMapBeforeItsUsers) {
    const std::string script =
        delta(render(golden_model("no_vnis")), render(golden_model("basic")));
    const auto route_map = script.find("route-map allowall permit 1\nexit\n");
    const auto underlay = script.find("router bgp 64514\n");
    const auto instance = script.find("router bgp 64514 vrf red\n");
    const auto vrf = script.find("vrf red\n vni 100\nexit-vrf\n");
    ASSERT_NE(route_map, std::string::npos) << script;
    ASSERT_NE(underlay, std::string::npos) << script;
    ASSERT_NE(instance, std::string::npos) << script;
    ASSERT_NE(vrf, std::string::npos) << script;
    EXPECT_LT(vrf, instance);
    EXPECT_LT(route_map, instance);
    EXPECT_LT(underlay, instance);
    // Only additions: every line of the script is a line of the target.
    const std::string target = render(golden_model("basic"));
    for (const auto line : split_lines(script)) {
        EXPECT_TRUE(contains(target, std::string(line) + "\n")) << line;
    }
}

TEST(Delta, NeighborTimerChangeIsReSetWithoutNo) {
    Model a = golden_model("neighbor_options");
    Model b = a;
    b.underlay->neighbors[0].keepalive_seconds = 3;
    b.underlay->neighbors[0].hold_seconds = 9;
    b.underlay->neighbors[0].connect_seconds = 1;
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " neighbor 192.168.11.2 timers 3 9\n"
                 " neighbor 192.168.11.2 timers connect 1\n"
                 "exit\n");
}

TEST(Delta, NeighborSettingsOverrideInPlace) {
    Model a = golden_model("neighbor_options");
    a.underlay->neighbors[0].ebgp_multihop = true;
    a.underlay->neighbors[0].ebgp_multihop_ttl = 3;
    Model b = a;
    UnderlayNeighbor& n = b.underlay->neighbors[0];
    n.remote_as = "external";
    n.port = 2179;
    n.password = "other";
    n.ebgp_multihop_ttl.reset();
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " neighbor 192.168.11.2 remote-as external\n"
                 " neighbor 192.168.11.2 port 2179\n"
                 " neighbor 192.168.11.2 password other\n"
                 " neighbor 192.168.11.2 ebgp-multihop\n"
                 "exit\n");
}

TEST(Delta, NeighborSettingRemovedIsNegated) {
    Model a = golden_model("neighbor_options");
    Model b = a;
    b.underlay->neighbors[0].password.reset();
    b.underlay->neighbors[0].keepalive_seconds.reset();
    b.underlay->neighbors[0].hold_seconds.reset();
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " no neighbor 192.168.11.2 timers 10 30\n"
                 " no neighbor 192.168.11.2 password s3cret\n"
                 "exit\n");
}

TEST(Delta, RemoveNeighborIsOneNoNeighbor) {
    Model a = golden_model("ebgp_multihop");
    Model b = a;
    b.underlay->neighbors.pop_back();
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " no neighbor 192.168.12.2\n"
                 "exit\n");
}

TEST(Delta, RemoveHostNeighborKeepsTheVrfNetworks) {
    Model a = golden_model("dual_stack");
    Model b = a;
    b.vrfs[0].neighbors.pop_back();
    b.vrfs[0].networks_v6.clear();
    expect_delta(a, b,
                 "router bgp 64514 vrf red\n"
                 " address-family ipv6 unicast\n"
                 "  no network 2001:db8:100::2/128\n"
                 " exit-address-family\n"
                 " no neighbor 2001:db8:100::2\n"
                 "exit\n");
}

TEST(Delta, RouterIdChange) {
    Model a = golden_model("basic");
    Model b = a;
    b.underlay->router_id = "10.0.0.2";
    b.vrfs[0].router_id = "10.0.0.2";
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " bgp router-id 10.0.0.2\n"
                 "exit\n"
                 "router bgp 64514 vrf red\n"
                 " bgp router-id 10.0.0.2\n"
                 "exit\n");
}

TEST(Delta, GracefulRestartOn) {
    expect_delta(golden_model("basic"), golden_model("graceful_restart"),
                 "router bgp 64514\n"
                 " bgp graceful-restart\n"
                 " bgp graceful-restart preserve-fw-state\n"
                 " neighbor 192.168.11.2 timers connect 5\n"
                 "exit\n");
}

TEST(Delta, GracefulRestartOff) {
    expect_delta(golden_model("graceful_restart_custom_timers"), golden_model("basic"),
                 "router bgp 64514\n"
                 " no neighbor 192.168.11.2 timers connect 5\n"
                 " no bgp graceful-restart stalepath-time 180\n"
                 " no bgp graceful-restart restart-time 90\n"
                 " no bgp graceful-restart preserve-fw-state\n"
                 " no bgp graceful-restart\n"
                 "exit\n");
}

TEST(Delta, GracefulRestartTimers) {
    Model c = golden_model("graceful_restart_custom_timers");
    Model d = c;
    d.underlay->gr_restart_time = 100;
    expect_delta(c, d,
                 "router bgp 64514\n"
                 " bgp graceful-restart restart-time 100\n"
                 "exit\n");
    expect_delta(golden_model("graceful_restart"), c,
                 "router bgp 64514\n"
                 " bgp graceful-restart restart-time 90\n"
                 " bgp graceful-restart stalepath-time 180\n"
                 "exit\n");
    expect_delta(c, golden_model("graceful_restart"),
                 "router bgp 64514\n"
                 " no bgp graceful-restart stalepath-time 180\n"
                 " no bgp graceful-restart restart-time 90\n"
                 "exit\n");
}

TEST(Delta, AddPassthrough) {
    expect_delta(golden_model("no_vnis"), golden_model("passthrough_v4"),
                 "route-map allowall permit 1\n"
                 "exit\n"
                 "router bgp 64514\n"
                 " neighbor 192.169.20.2 remote-as 64516\n"
                 " neighbor 192.169.20.2 timers connect 5\n"
                 " address-family ipv4 unicast\n"
                 "  network 192.169.20.2/32\n"
                 "  neighbor 192.169.20.2 activate\n"
                 "  neighbor 192.169.20.2 route-map allowall in\n"
                 "  neighbor 192.169.20.2 route-map allowall out\n"
                 " exit-address-family\n"
                 "exit\n");
}

TEST(Delta, RemovePassthrough) {
    expect_delta(golden_model("passthrough_dual"), golden_model("no_vnis"),
                 "router bgp 64514\n"
                 " address-family ipv6 unicast\n"
                 "  no neighbor 192.168.11.2 allowas-in\n"
                 "  no neighbor 192.168.11.2 activate\n"
                 "  no network 2001:db8:20::2/128\n"
                 " exit-address-family\n"
                 " address-family ipv4 unicast\n"
                 "  no network 192.169.20.2/32\n"
                 " exit-address-family\n"
                 " no neighbor 2001:db8:20::2\n"
                 " no neighbor 192.169.20.2\n"
                 "exit\n"
                 "no route-map allowall permit 1\n");
}

TEST(Delta, RemoveEverything) {
    Model all = golden_model("bfd_profile");
    all.vrfs.push_back(l3vni_v4("blue", 200));
    all.passthrough = passthrough_session_v4();
    expect_delta(all, Model{},
                 "vrf blue\n"
                 " no vni 200\n"
                 "exit-vrf\n"
                 "vrf red\n"
                 " no vni 100\n"
                 "exit-vrf\n"
                 "no router bgp 64514 vrf blue\n"
                 "no router bgp 64514 vrf red\n"
                 "no router bgp 64514\n"
                 "no route-map allowall permit 1\n"
                 "no bfd\n");
}

// From nothing, the script is the rendered text itself, minus the `!` separators.
TEST(Delta, FromNothingIsTheWholeConfiguration) {
    const std::string text = render(golden_model("bfd_profile"));
    std::string want;
    for (const auto line : split_lines(text)) {
        if (line != "!")
            want.append(line).push_back('\n');
    }
    EXPECT_EQ(delta("", text), want);
}

TEST(Delta, BfdProfileChange) {
    Model a = golden_model("bfd_profile");
    Model b = a;
    BfdProfile& p = b.bfd_profiles[0];
    p.receive_interval_ms = 200;        // changed: re-set
    p.transmit_interval_ms.reset();     // unset: back to FRR's default, no `no` form in 8.4
    p.detect_multiplier.reset();        // likewise
    p.minimum_ttl.reset();              // unset: has a `no` form
    p.passive = true;                   // added
    b.bfd_profiles[1].passive = false;  // removed
    expect_delta(a, b,
                 "bfd\n"
                 " profile neighbor-192.168.12.2\n"
                 "  no passive-mode\n"
                 " exit\n"
                 " profile neighbor-192.168.11.2\n"
                 "  no minimum-ttl 250\n"
                 "  detect-multiplier 3\n"
                 "  transmit-interval 300\n"
                 " exit\n"
                 "exit\n"
                 "bfd\n"
                 " profile neighbor-192.168.11.2\n"
                 "  receive-interval 200\n"
                 "  passive-mode\n"
                 " exit\n"
                 "exit\n");
}

TEST(Delta, BfdProfileRemovedAfterItsUser) {
    Model a = golden_model("bfd_profile");
    Model b = a;
    b.bfd_profiles.pop_back();
    b.underlay->neighbors[1].bfd = BfdMode::Plain;
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " no neighbor 192.168.12.2 bfd profile neighbor-192.168.12.2\n"
                 "exit\n"
                 "bfd\n"
                 " no profile neighbor-192.168.12.2\n"
                 "exit\n"
                 "router bgp 64514\n"
                 " neighbor 192.168.12.2 bfd\n"
                 "exit\n");
}

// `neighbor X bfd profile P` switches BFD on too: no `no neighbor X bfd` that would drop it.
TEST(Delta, BfdPlainToProfileDoesNotNegateBfd) {
    Model a = golden_model("bfd_plain");
    Model b = a;
    b.underlay->neighbors[0].bfd = BfdMode::Profile;
    b.underlay->neighbors[0].bfd_profile = "fast";
    BfdProfile p;
    p.name = "fast";
    p.receive_interval_ms = 100;
    b.bfd_profiles.push_back(p);
    expect_delta(a, b,
                 "bfd\n"
                 " profile fast\n"
                 "  receive-interval 100\n"
                 " exit\n"
                 "exit\n"
                 "router bgp 64514\n"
                 " neighbor 192.168.11.2 bfd profile fast\n"
                 "exit\n");
}

// `no neighbor X bfd profile P` would leave plain BFD on.
TEST(Delta, BfdProfileOff) {
    Model a = golden_model("bfd_profile");
    Model b = a;
    b.underlay->neighbors[0].bfd = BfdMode::None;
    b.bfd_profiles.erase(b.bfd_profiles.begin());
    expect_delta(a, b,
                 "router bgp 64514\n"
                 " no neighbor 192.168.11.2 bfd\n"
                 "exit\n"
                 "bfd\n"
                 " no profile neighbor-192.168.11.2\n"
                 "exit\n");
}

TEST(Delta, BfdOff) {
    expect_delta(golden_model("bfd_plain"), golden_model("basic"),
                 "router bgp 64514\n"
                 " no neighbor 192.168.11.2 bfd\n"
                 "exit\n");
}

// zebra refuses a second VNI on a VRF, so the old one goes first.
TEST(Delta, VniChange) {
    Model a = golden_model("basic");
    Model b = a;
    b.vrfs[0].vni = 101;
    expect_delta(a, b,
                 "vrf red\n"
                 " no vni 100\n"
                 "exit-vrf\n"
                 "vrf red\n"
                 " vni 101\n"
                 "exit-vrf\n");
}

// A VNI moving from one VRF to another is released before it is taken.
TEST(Delta, VniMovesBetweenVrfs) {
    Model a = two_vrfs();
    Model b = a;
    b.vrfs[0].vni = 200;
    b.vrfs[1].vni = 201;
    const std::string script = delta(render(a), render(b));
    const auto release = script.find(" no vni 200\n");
    const auto take = script.find("vrf red\n vni 200\n");
    ASSERT_NE(release, std::string::npos) << script;
    ASSERT_NE(take, std::string::npos) << script;
    EXPECT_LT(release, take) << script;
}

// bgpd keeps the default instance while VRF instances exist: a new underlay ASN rebuilds them,
// and each VRF instance only goes once its L3VNI is released.
TEST(Delta, UnderlayAsnChangeRebuildsVrfInstances) {
    Model a = golden_model("basic");
    Model b = a;
    b.underlay->asn = 64600;
    const std::string script = delta(render(a), render(b));
    const auto release = script.find("vrf red\n no vni 100\nexit-vrf\n");
    const auto retake = script.find("vrf red\n vni 100\nexit-vrf\n");
    ASSERT_NE(release, std::string::npos) << script;
    ASSERT_NE(retake, std::string::npos) << script;
    const auto drop_vrf = script.find("no router bgp 64514 vrf red\n");
    const auto drop_default = script.find("no router bgp 64514\n");
    const auto add_default = script.find("router bgp 64600\n");
    const auto add_vrf = script.find("\nrouter bgp 64514 vrf red\n");
    ASSERT_NE(drop_vrf, std::string::npos) << script;
    ASSERT_NE(drop_default, std::string::npos) << script;
    ASSERT_NE(add_default, std::string::npos) << script;
    ASSERT_NE(add_vrf, std::string::npos) << script;
    EXPECT_LT(release, drop_vrf);
    EXPECT_LT(drop_vrf, drop_default);
    EXPECT_LT(drop_default, add_default);
    EXPECT_LT(retake, add_vrf);
    EXPECT_LT(add_default, add_vrf);
}

TEST(Delta, RouteTargets) {
    Model a = golden_model("route_targets");
    Model b = a;
    b.vrfs[0].import_rts = {"64513:100", "64599:100"};
    expect_delta(a, b,
                 "router bgp 64514 vrf red\n"
                 " address-family l2vpn evpn\n"
                 "  no route-target import 64512:100\n"
                 " exit-address-family\n"
                 "exit\n"
                 "router bgp 64514 vrf red\n"
                 " address-family l2vpn evpn\n"
                 "  route-target import 64599:100\n"
                 " exit-address-family\n"
                 "exit\n");
}

TEST(Delta, LogTarget) {
    Model a = golden_model("no_vnis");
    Model b = golden_model("log_file");
    // Syslog and a file are two targets that FRR keeps side by side.
    expect_delta(a, b,
                 "no log syslog informational\n"
                 "log file /var/log/frr/perouter.log informational\n");
    Model c = b;
    c.log_file = "/var/log/frr/other.log";
    expect_delta(b, c, "log file /var/log/frr/other.log informational\n");
    expect_delta(b, a,
                 "no log file /var/log/frr/perouter.log informational\n"
                 "log syslog informational\n");
}

TEST(Delta, NegatedDefaultsAreRestoredByDroppingTheNo) {
    const std::string a = render(golden_model("no_vnis"));
    std::string b = a;
    const std::string line = " no bgp default ipv4-unicast\n";
    b.erase(b.find(line), line.size());
    EXPECT_EQ(delta(a, b), "router bgp 64514\n bgp default ipv4-unicast\nexit\n");
}

// What a change sends while the links are created (daemon/router.cpp) and what waits for them.
TEST(WaitsForLinks, AnL2VnisRouteTargetsDoNot) {
    Model a = golden_model("basic");
    Model b = a;
    ASSERT_TRUE(b.underlay);
    b.underlay->evpn_vnis.push_back({999, std::nullopt, {"64512:999"}, {"64514:999"}});
    const std::string script = delta(render(a), render(b));
    ASSERT_TRUE(contains(script, "  vni 999\n")) << script;
    EXPECT_FALSE(waits_for_links(script)) << script;
    EXPECT_FALSE(waits_for_links(delta(render(b), render(a))));
    EXPECT_FALSE(waits_for_links(""));
}

TEST(WaitsForLinks, AnL3VniOrAHostSessionDoes) {
    const Model a = golden_model("basic");
    EXPECT_TRUE(waits_for_links(delta(render(a), render(two_vrfs()))));
    EXPECT_TRUE(waits_for_links(delta(render(two_vrfs()), render(a))));
    EXPECT_TRUE(
        waits_for_links("router bgp 64514\n neighbor 192.168.11.9 remote-as 64512\nexit\n"));
    EXPECT_TRUE(waits_for_links("router bgp 64514 vrf red\n address-family ipv4 unicast\n"));
    EXPECT_TRUE(waits_for_links("vrf red\n vni 100\nexit-vrf\n"));
    EXPECT_FALSE(waits_for_links("router bgp 64514\n address-family l2vpn evpn\n  vni 5\n"));
}

}  // namespace
}  // namespace perouter::frr::testing
