// Which neighbours of an L2VNI bridge the silent-workload refresh probes, and when it looks
// again (src/reconcile/neighbour_refresh.cpp), on hand-made readings of a bridge.
#include "reconcile/neighbour_refresh.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace perouter::reconcile {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
MacAddress mac(const char* s) {
    return *MacAddress::parse(s);
}

const char* kWorkloadMac = "02:00:00:00:01:10";
const char* kWorkloadIp = "10.130.0.10";

BridgeNeighbour workload(NeighbourState state, const char* addr = kWorkloadIp,
                         const char* lladdr = kWorkloadMac) {
    return BridgeNeighbour{ip(addr), mac(lladdr), state, false};
}

BridgeFdbEntry learned(Millis age, const char* lladdr = kWorkloadMac) {
    return BridgeFdbEntry{mac(lladdr), FdbOrigin::Learned, age};
}

// The default ageing time (300 s): refresh after 150 s, probe again after 30 s at the earliest.
BridgeTables bridge(std::vector<BridgeNeighbour> n, std::vector<BridgeFdbEntry> fdb,
                    Millis ageing = kDefaultAgeingTime) {
    BridgeTables t;
    t.ageing_time = ageing;
    t.neighbours = std::move(n);
    t.fdb = std::move(fdb);
    return t;
}

RefreshDecision decide(const BridgeTables& t, std::map<IpAddress, Millis> since = {}) {
    return decide_refresh(t, since);
}

TEST(RefreshTiming, FollowsTheAgeingTime) {
    auto def = refresh_timing(300s);
    EXPECT_THAT(def.refresh_after, Optional(Millis(150s)));
    EXPECT_EQ(def.reprobe_after, Millis(30s));  // capped

    auto lab = refresh_timing(10s);  // a lab lowers the ageing time
    EXPECT_THAT(lab.refresh_after, Optional(Millis(5s)));
    EXPECT_EQ(lab.reprobe_after, Millis(5s));

    auto tiny = refresh_timing(1s);  // never more often than once a second
    EXPECT_THAT(tiny.refresh_after, Optional(Millis(1s)));
    EXPECT_EQ(tiny.reprobe_after, Millis(1s));

    auto none = refresh_timing(0s);  // the bridge keeps no learned entry
    EXPECT_EQ(none.refresh_after, std::nullopt);
    EXPECT_EQ(none.reprobe_after, kMaxReprobeInterval);
}

TEST(DecideRefresh, StaleNeighbourIsProbedAtOnce) {
    auto d = decide(bridge({workload(NeighbourState::Stale)}, {learned(10s)}));
    EXPECT_THAT(d.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::Stale}));
    // Answered, its FDB entry starts again from 0 and is due after half the ageing time.
    EXPECT_THAT(d.next_check, Optional(Millis(150s)));
}

TEST(DecideRefresh, FreshWorkloadIsLookedAtWhenItsFdbEntryIsDue) {
    auto d = decide(bridge({workload(NeighbourState::Reachable)}, {learned(100s)}));
    EXPECT_THAT(d.probes, IsEmpty());
    EXPECT_THAT(d.next_check, Optional(Millis(50s)));
}

TEST(DecideRefresh, AgeingFdbEntryGetsItsNeighbourProbed) {
    auto d = decide(bridge({workload(NeighbourState::Reachable)}, {learned(150s)}));
    EXPECT_THAT(d.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::FdbAgeing}));
    EXPECT_THAT(d.next_check, Optional(Millis(150s)));

    // A lab's ageing time of 10 s: probed from 5 s on.
    auto lab = decide(bridge({workload(NeighbourState::Reachable)}, {learned(4s)}, 10s));
    EXPECT_THAT(lab.probes, IsEmpty());
    EXPECT_THAT(lab.next_check, Optional(Millis(1s)));
    lab = decide(bridge({workload(NeighbourState::Reachable)}, {learned(5s)}, 10s));
    EXPECT_THAT(lab.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::FdbAgeing}));
    EXPECT_THAT(lab.next_check, Optional(Millis(5s)));
}

TEST(DecideRefresh, MissingFdbEntryGetsItsNeighbourProbed) {
    auto d = decide(bridge({workload(NeighbourState::Reachable)}, {}));
    EXPECT_THAT(d.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::FdbMissing}));
}

TEST(DecideRefresh, NextCheckIsTheEarliestAndNeverBelowASecond) {
    auto d = decide(
        bridge({workload(NeighbourState::Reachable, "10.130.0.10", "02:00:00:00:01:10"),
                workload(NeighbourState::Reachable, "10.130.0.11", "02:00:00:00:01:11")},
               {learned(20s, "02:00:00:00:01:10"), learned(149'800ms, "02:00:00:00:01:11")}));
    EXPECT_THAT(d.probes, IsEmpty());
    EXPECT_THAT(d.next_check, Optional(kMinRefreshInterval));  // 200 ms away, but not sooner
}

TEST(DecideRefresh, OnlyGlobalAddressesWithAMacAndNotExternal) {
    BridgeNeighbour no_mac{ip("10.130.0.12"), std::nullopt, NeighbourState::Stale, false};
    BridgeNeighbour external = workload(NeighbourState::Stale, "10.130.0.13");
    external.external = true;
    auto d = decide(bridge(
        {no_mac, external, workload(NeighbourState::Stale, "169.254.0.7"),
         workload(NeighbourState::Stale, "fe80::7"), workload(NeighbourState::Stale, "0.0.0.0")},
        {learned(200s)}));
    EXPECT_THAT(d.probes, IsEmpty());
    EXPECT_EQ(d.next_check, std::nullopt);

    auto v6 = decide(bridge({workload(NeighbourState::Stale, "fd00:130::10")}, {learned(1s)}));
    EXPECT_THAT(v6.probes, ElementsAre(NeighbourProbe{ip("fd00:130::10"), ProbeReason::Stale}));
}

TEST(DecideRefresh, StatesTheKernelVerifiesOrThatHoldNothingAreLeftAlone) {
    for (NeighbourState s : {NeighbourState::Delay, NeighbourState::Probe, NeighbourState::Failed,
                             NeighbourState::Incomplete, NeighbourState::None,
                             NeighbourState::Noarp, NeighbourState::Permanent}) {
        auto d = decide(bridge({workload(s)}, {learned(200s)}));
        EXPECT_THAT(d.probes, IsEmpty()) << to_string(s);
        EXPECT_EQ(d.next_check, std::nullopt) << to_string(s);
    }
}

TEST(DecideRefresh, WorkloadBehindARemoteVtepIsNotOurs) {
    BridgeFdbEntry remote{mac(kWorkloadMac), FdbOrigin::External, 0s};
    auto d = decide(bridge({workload(NeighbourState::Stale)}, {remote}));
    EXPECT_THAT(d.probes, IsEmpty());
    EXPECT_EQ(d.next_check, std::nullopt);
}

TEST(DecideRefresh, StaticFdbEntryNeverAgesButStaleStillProbes) {
    BridgeFdbEntry fixed{mac(kWorkloadMac), FdbOrigin::Static, 500s};
    auto reachable = decide(bridge({workload(NeighbourState::Reachable)}, {fixed}));
    EXPECT_THAT(reachable.probes, IsEmpty());
    EXPECT_EQ(reachable.next_check, std::nullopt);
    auto stale = decide(bridge({workload(NeighbourState::Stale)}, {fixed}));
    EXPECT_THAT(stale.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::Stale}));
}

TEST(DecideRefresh, RecentlyProbedNeighbourWaitsForTheReprobeInterval) {
    auto t = bridge({workload(NeighbourState::Stale)}, {learned(10s)});
    auto waiting = decide(t, {{ip(kWorkloadIp), 12s}});
    EXPECT_THAT(waiting.probes, IsEmpty());
    EXPECT_THAT(waiting.next_check, Optional(Millis(18s)));  // 30 s after the last probe
    auto due = decide(t, {{ip(kWorkloadIp), 30s}});
    EXPECT_THAT(due.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::Stale}));
    // A probe that changes nothing (no FDB entry comes back) is repeated at the same pace, not
    // in a loop: with a 10 s ageing time every 5 s.
    auto missing = bridge({workload(NeighbourState::Reachable)}, {}, 10s);
    auto again = decide(missing, {{ip(kWorkloadIp), 200ms}});
    EXPECT_THAT(again.probes, IsEmpty());
    EXPECT_THAT(again.next_check, Optional(Millis(4'800ms)));
}

TEST(DecideRefresh, WithoutAgeingOnlyStaleNeighboursCount) {
    auto reachable = decide(bridge({workload(NeighbourState::Reachable)}, {}, 0s));
    EXPECT_THAT(reachable.probes, IsEmpty());
    EXPECT_EQ(reachable.next_check, std::nullopt);
    auto stale = decide(bridge({workload(NeighbourState::Stale)}, {}, 0s));
    EXPECT_THAT(stale.probes, ElementsAre(NeighbourProbe{ip(kWorkloadIp), ProbeReason::Stale}));
    // Looked at again in case the probe changed nothing.
    EXPECT_THAT(stale.next_check, Optional(kMaxReprobeInterval));
}

TEST(RefreshedBridges, L2VnisWithGatewaysOnly) {
    config::Config cfg;
    config::L2Vni pure;
    pure.name = "storage";
    pure.vni = 110;
    config::L2Vni routed;
    routed.name = "web";
    routed.vni = 210;
    routed.routing_domain = "red";
    routed.gateway_ips = {*IpPrefix::parse("192.170.1.1/24")};
    config::L2Vni domain_only;  // a routing domain without a gateway address
    domain_only.name = "db";
    domain_only.vni = 220;
    domain_only.routing_domain = "red";
    cfg.l2vnis = {pure, routed, domain_only};
    EXPECT_THAT(refreshed_bridges(cfg), ElementsAre("br-pe-210"));
    EXPECT_THAT(refreshed_bridges(config::Config{}), IsEmpty());
}

}  // namespace
}  // namespace perouter::reconcile
