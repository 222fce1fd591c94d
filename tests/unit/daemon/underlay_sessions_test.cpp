#include "daemon/underlay_sessions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace perouter::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

config::Neighbor at(const char* a) {
    config::Neighbor n;
    n.address = *IpAddress::parse(a);
    return n;
}

TEST(UnderlaySessions, EachKindOfNeighborIsFoundUnderItsOwnKey) {
    config::Neighbor unnumbered;
    unnumbered.kind = config::PeerKind::Interface;
    unnumbered.interface = "toswitch";
    config::Neighbor range;
    range.kind = config::PeerKind::ListenRange;
    range.listen_range = IpPrefix::parse("192.168.11.0/24");
    config::Neighbor empty_range = range;
    empty_range.listen_range = IpPrefix::parse("10.9.0.0/16");
    // What FRR 8.4 lists: configured peers by address or interface, dynamic ones by address.
    const auto frr = nlohmann::json::parse(R"({
        "192.168.12.2": {"bgpState": "Active"},
        "toswitch": {"bgpState": "Established"},
        "192.168.11.4": {"bgpState": "OpenSent"},
        "192.168.11.7": {"bgpState": "Established"}})");
    EXPECT_THAT(
        underlay_session_states(
            {at("192.168.12.2"), at("192.168.13.2"), unnumbered, range, empty_range}, frr),
        ElementsAre(Pair("192.168.12.2", "Active"), Pair("192.168.13.2", "Idle"),
                    Pair("range 10.9.0.0/16", "Idle"), Pair("range 192.168.11.0/24", "Established"),
                    Pair("toswitch", "Established")));
}

TEST(UnderlaySessions, NoAnswerMeansNoStates) {
    EXPECT_TRUE(underlay_session_states({at("10.0.0.1")}, nlohmann::json()).empty());
}

TEST(QueryMisses, TwoMissesKeepTheLastAnswerAndTheThirdInARowIsDown) {
    using V = QueryMisses::Verdict;
    QueryMisses q;
    EXPECT_EQ(q.missed(true), V::KeepLast);  // busy
    EXPECT_EQ(q.missed(true), V::KeepLast);
    EXPECT_EQ(q.missed(true), V::Down);  // not answering
    EXPECT_EQ(q.missed(false), V::Down);
    q.answered();
    EXPECT_EQ(q.misses(), 0);
    EXPECT_EQ(q.missed(true), V::KeepLast);  // a new streak
    q.answered();
    EXPECT_EQ(q.missed(false), V::Down);  // nothing known to keep
}

}  // namespace
}  // namespace perouter::daemon
