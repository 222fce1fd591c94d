// The online verdict (src/reconcile/online.cpp): every branch, on hand-made forwarding views
// shaped like what FRR leaves in the kernel for an EVPN type-5 default route.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/desired.hpp"
#include "reconcile/online.hpp"

namespace perouter::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
IpPrefix pfx(const char* s) {
    return *IpPrefix::parse(s);
}
MacAddress mac(const char* s) {
    return *MacAddress::parse(s);
}

const char* kRmac = "02:00:00:aa:bb:cc";

FibRoute fabric_default() {
    return FibRoute{pfx("0.0.0.0/0"),
                    RouteKind::Unicast,
                    kProtoBgp,
                    20,
                    {NextHop{ip("100.65.0.2"), "br-pe-100", true, std::nullopt}}};
}

FibRoute our_unreachable(const char* dst = "0.0.0.0/0") {
    return FibRoute{
        pfx(dst), RouteKind::Unreachable, plan::kRouteProtocol, plan::kVrfUnreachableMetric, {}};
}

// A VRF "red" that forwards 0.0.0.0/0 towards VTEP 100.65.0.2.
VrfForwarding red() {
    VrfForwarding v;
    v.vrf = "red";
    v.table = 1000;
    v.vxlan = "vni100";
    v.routes = {our_unreachable(), fabric_default(), our_unreachable("::/0")};
    v.neighbours = {Neighbour{ip("100.65.0.2"), mac(kRmac), NeighbourState::Noarp, "br-pe-100"}};
    v.fdb = {FdbEntry{mac(kRmac), std::nullopt, "vni100"},  // the bridge's own entry
             FdbEntry{mac(kRmac), ip("100.65.0.2"), "vni100"}};
    return v;
}

OnlineInputs inputs(const char* target = "0.0.0.0/0") {
    OnlineInputs in;
    in.targets = {config::GatewayTarget{pfx(target), "red", "red", 100}};
    in.peers = {{"192.168.11.2", "Established"}};
    in.forwarding.vrfs = {red()};
    return in;
}

TEST(OnlineVerdict, ForwardsWhenRouteNeighbourAndFdbAreThere) {
    auto v = online_verdict(inputs());
    EXPECT_TRUE(v.online);
    EXPECT_THAT(v.missing, IsEmpty());
}

TEST(OnlineVerdict, AHostTargetIsCoveredByTheDefaultRoute) {
    EXPECT_TRUE(online_verdict(inputs("192.168.20.20/32")).online);
}

TEST(OnlineVerdict, UnderlayNotEstablished) {
    auto in = inputs();
    in.peers = {{"192.168.11.2", "Active"}, {"192.168.12.2", "Connect"}};
    auto v = online_verdict(in);
    EXPECT_FALSE(v.online);
    EXPECT_THAT(v.missing, ElementsAre("underlay: no session Established (192.168.11.2 Active, "
                                       "192.168.12.2 Connect)"));
}

TEST(OnlineVerdict, OneEstablishedPeerIsEnough) {
    auto in = inputs();
    in.peers = {{"192.168.11.2", "Active"}, {"192.168.12.2", "Established"}};
    EXPECT_TRUE(online_verdict(in).online);
}

TEST(OnlineVerdict, NoPeersReported) {
    auto in = inputs();
    in.peers.clear();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("underlay: no BGP session reported by FRR"));
}

TEST(OnlineVerdict, UnderlayNotConfigured) {
    auto in = inputs();
    in.underlay_configured = false;
    EXPECT_THAT(online_verdict(in).missing, ElementsAre("underlay: not configured"));
}

TEST(OnlineVerdict, VrfNotObserved) {
    auto in = inputs();
    in.forwarding.vrfs.clear();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: not in the router namespace (l3vni 'red')"));
}

TEST(OnlineVerdict, OnlyOurUnreachableDefault) {
    auto in = inputs("192.168.20.20/32");
    in.forwarding.vrfs[0].routes = {our_unreachable()};
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: no fabric route covers 192.168.20.20 (the best match is "
                            "unreachable 0.0.0.0/0 (perouter's own))"));
}

TEST(OnlineVerdict, NoRouteAtAll) {
    auto in = inputs("192.168.20.20/32");
    in.forwarding.vrfs[0].routes.clear();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: no fabric route covers 192.168.20.20"));
}

TEST(OnlineVerdict, AFabricRouteThatDoesNotCoverTheTargetDoesNotCount) {
    auto in = inputs("192.168.20.20/32");
    FibRoute narrow = fabric_default();
    narrow.dst = pfx("10.0.0.0/8");
    in.forwarding.vrfs[0].routes = {our_unreachable(), narrow};
    EXPECT_FALSE(online_verdict(in).online);
}

TEST(OnlineVerdict, TheLongestMatchDecides) {
    // A more specific fabric route with an unresolved next hop wins over the resolved default.
    auto in = inputs("192.168.20.20/32");
    FibRoute specific{pfx("192.168.20.0/24"),
                      RouteKind::Unicast,
                      kProtoBgp,
                      20,
                      {NextHop{ip("100.65.0.3"), "br-pe-100", true, std::nullopt}}};
    in.forwarding.vrfs[0].routes.push_back(specific);
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: next hop 100.65.0.3 has no router-MAC neighbour on "
                            "br-pe-100"));
    // A longer blackhole route wins too, and is not a fabric route.
    in = inputs("192.168.20.20/32");
    in.forwarding.vrfs[0].routes.push_back(
        FibRoute{pfx("192.168.20.0/24"), RouteKind::Blackhole, 3, 0, {}});
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: no fabric route covers 192.168.20.20 (the best match is "
                            "blackhole 192.168.20.0/24 proto 3)"));
}

TEST(OnlineVerdict, LowerMetricWinsAtTheSameLength) {
    auto in = inputs();
    auto& routes = in.forwarding.vrfs[0].routes;
    routes = {fabric_default(), our_unreachable()};
    routes[1].metric = 1;  // our default beats the fabric's only if its metric were lower
    EXPECT_FALSE(online_verdict(in).online);
}

TEST(OnlineVerdict, ZebraRoutesCountOtherProtocolsDoNot) {
    auto in = inputs();
    in.forwarding.vrfs[0].routes[1].protocol = kProtoZebra;
    EXPECT_TRUE(online_verdict(in).online);
    in.forwarding.vrfs[0].routes[1].protocol = 4;  // static
    EXPECT_FALSE(online_verdict(in).online);
    in.forwarding.vrfs[0].routes[1].protocol = plan::kRouteProtocol;
    EXPECT_FALSE(online_verdict(in).online);
}

TEST(OnlineVerdict, RouteWithoutNextHop) {
    auto in = inputs();
    in.forwarding.vrfs[0].routes[1].nexthops.clear();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: route 0.0.0.0/0 to 0.0.0.0/0 has no next hop"));
}

TEST(OnlineVerdict, NextHopWithoutGateway) {
    auto in = inputs();
    in.forwarding.vrfs[0].routes[1].nexthops = {
        NextHop{std::nullopt, "br-pe-100", false, std::nullopt}};
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: next hop dev br-pe-100 has no gateway (not a remote VTEP)"));
}

TEST(OnlineVerdict, NeighbourMissingOrOnAnotherDevice) {
    auto in = inputs();
    in.forwarding.vrfs[0].neighbours[0].dev = "toswitch";
    EXPECT_THAT(
        online_verdict(in).missing,
        ElementsAre("vrf red: next hop 100.65.0.2 has no router-MAC neighbour on br-pe-100"));
}

TEST(OnlineVerdict, NeighbourWithoutLladdr) {
    auto in = inputs();
    in.forwarding.vrfs[0].neighbours[0].lladdr.reset();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: next hop 100.65.0.2 neighbour on br-pe-100 has no "
                            "link-layer address"));
}

TEST(OnlineVerdict, NeighbourInAnUnusableState) {
    auto in = inputs();
    for (auto s : {NeighbourState::Incomplete, NeighbourState::Failed, NeighbourState::None}) {
        in.forwarding.vrfs[0].neighbours[0].state = s;
        EXPECT_THAT(online_verdict(in).missing,
                    ElementsAre(std::string("vrf red: next hop 100.65.0.2 neighbour on br-pe-100 "
                                            "is ") +
                                std::string(to_string(s))));
    }
    for (auto s : {NeighbourState::Reachable, NeighbourState::Stale, NeighbourState::Delay,
                   NeighbourState::Probe, NeighbourState::Permanent, NeighbourState::Noarp}) {
        in.forwarding.vrfs[0].neighbours[0].state = s;
        EXPECT_TRUE(online_verdict(in).online) << to_string(s);
    }
}

TEST(OnlineVerdict, FdbEntryMissingWrongMacWrongVtepOrWrongDevice) {
    const char* want =
        "vrf red: no FDB entry on vni100 sends router MAC 02:00:00:aa:bb:cc to "
        "VTEP 100.65.0.2";
    auto in = inputs();
    in.forwarding.vrfs[0].fdb.pop_back();
    EXPECT_THAT(online_verdict(in).missing, ElementsAre(want));
    in = inputs();
    in.forwarding.vrfs[0].fdb.back().lladdr = mac("02:00:00:aa:bb:cd");
    EXPECT_THAT(online_verdict(in).missing, ElementsAre(want));
    in = inputs();
    in.forwarding.vrfs[0].fdb.back().dst = ip("100.65.0.9");
    EXPECT_THAT(online_verdict(in).missing, ElementsAre(want));
    in = inputs();
    in.forwarding.vrfs[0].fdb.back().dev = "vni200";
    EXPECT_THAT(online_verdict(in).missing, ElementsAre(want));
}

TEST(OnlineVerdict, Ipv6RouteOverIpv4VtepUsesTheMappedGateway) {
    auto in = inputs("::/0");
    auto& v = in.forwarding.vrfs[0];
    v.routes.push_back(
        FibRoute{pfx("::/0"),
                 RouteKind::Unicast,
                 kProtoBgp,
                 20,
                 {NextHop{ip("::ffff:100.65.0.2"), "br-pe-100", true, std::nullopt}}});
    v.neighbours.push_back(
        Neighbour{ip("::ffff:100.65.0.2"), mac(kRmac), NeighbourState::Noarp, "br-pe-100"});
    EXPECT_TRUE(online_verdict(in).online);
}

TEST(OnlineVerdict, OneResolvedNextHopOfSeveralIsEnough) {
    auto in = inputs();
    in.forwarding.vrfs[0].routes[1].nexthops.insert(
        in.forwarding.vrfs[0].routes[1].nexthops.begin(),
        NextHop{ip("100.65.0.7"), "br-pe-100", true, std::nullopt});
    EXPECT_TRUE(online_verdict(in).online);
    in.forwarding.vrfs[0].neighbours.clear();
    EXPECT_THAT(
        online_verdict(in).missing,
        ElementsAre("vrf red: next hop 100.65.0.7 has no router-MAC neighbour on br-pe-100",
                    "vrf red: next hop 100.65.0.2 has no router-MAC neighbour on br-pe-100"));
}

TEST(OnlineVerdict, EveryTargetIsChecked) {
    auto in = inputs();
    in.targets.push_back(config::GatewayTarget{pfx("::/0"), "red", "red", 100});
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf red: no fabric route covers ::/0 (the best match is unreachable "
                            "::/0 (perouter's own))"));
}

TEST(OnlineVerdict, NoTargetsMeansUnderlayOnly) {
    auto in = inputs();
    in.targets.clear();
    in.forwarding.vrfs.clear();
    EXPECT_TRUE(online_verdict(in).online);
}

TEST(OnlineVerdict, Probe) {
    auto in = inputs();
    in.probe = ip("192.168.20.20");
    in.probe_state = ProbeState::Answered;
    EXPECT_TRUE(online_verdict(in).online);
    in.probe_state = ProbeState::Waiting;
    EXPECT_THAT(online_verdict(in).missing, ElementsAre("probe 192.168.20.20: no echo reply yet"));
    in.probe_state = ProbeState::Unanswered;
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("probe 192.168.20.20: no echo reply to the last request"));
    in.probe_state = ProbeState::NotConfigured;
    EXPECT_THAT(online_verdict(in).missing, ElementsAre("probe 192.168.20.20: not sent yet"));
}

TEST(OnlineVerdict, EverythingMissingIsListedTogether) {
    auto in = inputs();
    in.peers = {{"192.168.11.2", "Idle"}};
    in.forwarding.vrfs[0].routes = {our_unreachable()};
    in.probe = ip("192.168.20.20");
    in.probe_state = ProbeState::Waiting;
    auto v = online_verdict(in);
    EXPECT_FALSE(v.online);
    EXPECT_EQ(v.missing.size(), 3u);
}

// The neighbour events the daemon's route monitor passes on (netlink/monitor.cpp): a change of
// usability, never a move between usable states.
TEST(NeighbourUsability, OnlyChangesOfUsabilityCount) {
    NeighbourUsability u;
    const std::string leaf = "\x64\x40\x00\x01";
    EXPECT_TRUE(u.changes(7, leaf, NeighbourState::Incomplete, false));  // first seen
    EXPECT_FALSE(u.changes(7, leaf, NeighbourState::Incomplete, false));
    EXPECT_TRUE(u.changes(7, leaf, NeighbourState::Reachable, false));  // resolved
    EXPECT_FALSE(u.changes(7, leaf, NeighbourState::Stale, false));     // the kernel's timers
    EXPECT_FALSE(u.changes(7, leaf, NeighbourState::Delay, false));
    EXPECT_FALSE(u.changes(7, leaf, NeighbourState::Probe, false));
    EXPECT_FALSE(u.changes(7, leaf, NeighbourState::Reachable, false));
    EXPECT_TRUE(u.changes(7, leaf, NeighbourState::Failed, false));  // gone unusable
    EXPECT_TRUE(u.changes(7, leaf, NeighbourState::Reachable, false));
    EXPECT_TRUE(u.changes(7, leaf, NeighbourState::None, true));  // deleted while usable
    // The same address on another link is another entry.
    EXPECT_TRUE(u.changes(8, leaf, NeighbourState::Noarp, false));
    EXPECT_FALSE(u.changes(8, leaf, NeighbourState::Noarp, false));
}

// An SRv6 L3VPN's default route, as FRR 8.4 installs it: H.Encaps to the remote PE's SID
// through the underlay neighbour (an IPv4 route via an IPv6 next hop); no VTEP, no FDB.
OnlineInputs srv6_inputs() {
    OnlineInputs in;
    in.targets = {config::GatewayTarget{pfx("0.0.0.0/0"), "green", "green", 0}};
    in.peers = {{"fd00:11::2", "Established"}};
    VrfForwarding v;
    v.vrf = "green";
    v.table = 1;
    v.routes = {our_unreachable(),
                FibRoute{pfx("0.0.0.0/0"),
                         RouteKind::Unicast,
                         kProtoBgp,
                         20,
                         {NextHop{ip("fd00:11::2"), "toswitch", false, ip("fd00:0:2:0:100::")}}}};
    v.neighbours = {Neighbour{ip("fd00:11::2"), mac(kRmac), NeighbourState::Reachable, "toswitch"}};
    in.forwarding.vrfs = {v};
    return in;
}

TEST(OnlineVerdict, Srv6NextHopForwardsThroughItsUnderlayNeighbour) {
    EXPECT_TRUE(online_verdict(srv6_inputs()).online);
}

TEST(OnlineVerdict, Srv6NextHopWithoutAResolvedUnderlayNeighbourIsNotOnline) {
    auto in = srv6_inputs();
    in.forwarding.vrfs[0].neighbours[0].state = NeighbourState::Failed;
    auto v = online_verdict(in);
    EXPECT_FALSE(v.online);
    EXPECT_THAT(v.missing, ElementsAre("vrf green: SRv6 next hop (SID fd00:0:2:0:100::): "
                                       "underlay neighbour fd00:11::2 on toswitch not resolved"));
    in.forwarding.vrfs[0].neighbours.clear();
    EXPECT_FALSE(online_verdict(in).online);
}

TEST(OnlineVerdict, AMissingL3vpnVrfIsNamedAsSuch) {
    auto in = srv6_inputs();
    in.forwarding.vrfs.clear();
    EXPECT_THAT(online_verdict(in).missing,
                ElementsAre("vrf green: not in the router namespace (l3vpn 'green')"));
}

TEST(NeighbourUsability, UnknownEntriesCountOnce) {
    NeighbourUsability u;
    // Entries that existed before the monitor started: their first event counts, whatever it
    // says, and so does the deletion of one never seen.
    EXPECT_TRUE(u.changes(3, "a", NeighbourState::Stale, false));
    EXPECT_TRUE(u.changes(3, "b", NeighbourState::Failed, false));
    EXPECT_TRUE(u.changes(3, "c", NeighbourState::None, true));
    // Deleting an entry that was never usable changes nothing.
    EXPECT_FALSE(u.changes(3, "b", NeighbourState::None, true));
}

}  // namespace
}  // namespace perouter::reconcile
