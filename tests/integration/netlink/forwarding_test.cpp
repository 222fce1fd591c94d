// netlink::observe_forwarding() against the real kernel: the shape an EVPN type-5 default route
// leaves in the router namespace, built by hand without a VRF (this kernel may have none) in a
// plain table of a scratch namespace nlf-<pid>: an onlink route via the remote VTEP on the
// L3VNI bridge, a NOARP neighbour with the router MAC, and an FDB entry on the VXLAN device
// that sends that MAC to the VTEP. Then the online verdict judges what was read.
#include "netlink/forwarding.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "daemon/echo_probe.hpp"
#include "netlink/namespaces.hpp"
#include "plan/desired.hpp"
#include "reconcile/online.hpp"

namespace perouter::netlink {
namespace {

using reconcile::NeighbourState;
using reconcile::RouteKind;
using ::testing::ElementsAre;

constexpr uint32_t kTable = 1000;
const char* kRmac = "02:00:00:aa:bb:cc";

int sh(const std::string& cmd) {
    int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    EXPECT_EQ(rc, 0) << cmd;
    return rc;
}

class Forwarding : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root";
        std::system(("ip netns del " + ns_ + " >/dev/null 2>&1").c_str());
        sh("ip netns add " + ns_);
        in("ip link set lo up");
        in("ip addr add 100.65.0.1/32 dev lo");
        in("ip link add br-pe-100 type bridge");
        in("ip link set br-pe-100 addrgenmode none");
        in("ip link set br-pe-100 up");
        in("ip link add vni100 type vxlan id 100 local 100.65.0.1 dstport 4789 nolearning");
        in("ip link set vni100 master br-pe-100 addrgenmode none");
        in("ip link set vni100 up");
        // Ours (plan/l3vni.cpp) and the fabric's default route, side by side in the table.
        in(fmt::format("ip route add unreachable 0.0.0.0/0 table {} proto {} metric {}", kTable,
                       plan::kRouteProtocol, plan::kVrfUnreachableMetric));
        in(
            fmt::format("ip route add 0.0.0.0/0 via 100.65.0.2 dev br-pe-100 onlink table {} "
                        "proto bgp metric 20",
                        kTable));
        // A route in another table is not part of the view.
        in("ip route add 10.9.0.0/16 via 100.65.0.2 dev br-pe-100 onlink table 1001 proto bgp");
        in(fmt::format("ip neigh add 100.65.0.2 lladdr {} dev br-pe-100 nud noarp", kRmac));
        in(fmt::format("bridge fdb add {} dev vni100 dst 100.65.0.2 self permanent", kRmac));
        auto opened = Namespaces::open(ns_);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        nss_.emplace(std::move(*opened));
    }
    void TearDown() override {
        nss_.reset();
        std::system(("ip netns del " + ns_ + " >/dev/null 2>&1").c_str());
    }
    void in(const std::string& cmd) { sh("ip netns exec " + ns_ + " " + cmd); }

    reconcile::VrfForwarding observe() {
        auto v = observe_forwarding(*nss_, plan::Side::Router, "red", kTable, "vni100");
        EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
        return v.ok() ? *v : reconcile::VrfForwarding{};
    }

    reconcile::OnlineVerdict verdict(const reconcile::VrfForwarding& v) {
        reconcile::OnlineInputs inputs;
        inputs.targets = {
            config::GatewayTarget{*IpPrefix::parse("192.168.20.20/32"), "red", "red", 100}};
        inputs.peers = {{"192.168.11.2", "Established"}};
        inputs.forwarding.vrfs = {v};
        return reconcile::online_verdict(inputs);
    }

    std::string ns_ = fmt::format("nlf-{}", getpid());
    std::optional<Namespaces> nss_;
};

TEST_F(Forwarding, ReadsTheTypeFiveShape) {
    auto v = observe();
    EXPECT_EQ(v.vrf, "red");
    EXPECT_EQ(v.table, kTable);

    ASSERT_EQ(v.routes.size(), 2u);
    auto fabric = std::find_if(v.routes.begin(), v.routes.end(),
                               [](const auto& r) { return r.kind == RouteKind::Unicast; });
    ASSERT_NE(fabric, v.routes.end());
    EXPECT_EQ(fabric->dst, *IpPrefix::parse("0.0.0.0/0"));
    EXPECT_EQ(fabric->protocol, reconcile::kProtoBgp);
    EXPECT_EQ(fabric->metric, 20u);
    EXPECT_THAT(fabric->nexthops, ElementsAre(reconcile::NextHop{*IpAddress::parse("100.65.0.2"),
                                                                 "br-pe-100", true, std::nullopt}));
    auto ours = std::find_if(v.routes.begin(), v.routes.end(),
                             [](const auto& r) { return r.kind == RouteKind::Unreachable; });
    ASSERT_NE(ours, v.routes.end());
    EXPECT_EQ(ours->protocol, plan::kRouteProtocol);

    // The bridge may also hold entries the kernel adds itself (224.0.0.22 once it sent an IGMP
    // report): look for the router MAC's entry by its address.
    auto n = std::find_if(v.neighbours.begin(), v.neighbours.end(), [](const auto& e) {
        return e.dev == "br-pe-100" && e.ip == *IpAddress::parse("100.65.0.2");
    });
    ASSERT_NE(n, v.neighbours.end());
    EXPECT_EQ(n->lladdr, MacAddress::parse(kRmac));
    EXPECT_EQ(n->state, NeighbourState::Noarp);

    auto f = std::find_if(v.fdb.begin(), v.fdb.end(), [](const auto& e) { return e.dst; });
    ASSERT_NE(f, v.fdb.end());
    EXPECT_EQ(f->dev, "vni100");
    EXPECT_EQ(f->lladdr, *MacAddress::parse(kRmac));
    EXPECT_EQ(f->dst, IpAddress::parse("100.65.0.2"));
    for (const auto& e : v.fdb)
        EXPECT_EQ(e.dev, "vni100");

    auto ok = verdict(v);
    EXPECT_TRUE(ok.online) << ::testing::PrintToString(ok.missing);
}

TEST_F(Forwarding, VerdictFollowsTheKernel) {
    ASSERT_TRUE(verdict(observe()).online);
    in(fmt::format("bridge fdb del {} dev vni100 dst 100.65.0.2 self", kRmac));
    EXPECT_THAT(verdict(observe()).missing,
                ElementsAre("vrf red: no FDB entry on vni100 sends router MAC "
                            "02:00:00:aa:bb:cc to VTEP 100.65.0.2"));
    in("ip neigh del 100.65.0.2 dev br-pe-100");
    EXPECT_THAT(
        verdict(observe()).missing,
        ElementsAre("vrf red: next hop 100.65.0.2 has no router-MAC neighbour on br-pe-100"));
    in(fmt::format("ip route del 0.0.0.0/0 table {} proto bgp", kTable));
    EXPECT_THAT(verdict(observe()).missing,
                ElementsAre("vrf red: no fabric route covers 192.168.20.20 (the best match is "
                            "unreachable 0.0.0.0/0 (perouter's own))"));
}

TEST_F(Forwarding, MissingVrfDeviceIsAnError) {
    auto t = vrf_table(*nss_, plan::Side::Router, "br-pe-100");
    ASSERT_FALSE(t.ok());
    EXPECT_THAT(t.error().message, ::testing::HasSubstr("is not a VRF"));
    EXPECT_FALSE(vrf_table(*nss_, plan::Side::Router, "red").ok());
}

// The [online] probe (src/daemon/echo_probe.cpp), opened inside the scratch namespace, gets an
// echo reply from its loopback; the fd becomes readable, as the event loop would see it.
TEST_F(Forwarding, EchoProbeGetsItsReply) {
    auto probe = nss_->run_in(
        plan::Side::Router, [] { return daemon::EchoProbe::open(*IpAddress::parse("127.0.0.1")); });
    ASSERT_TRUE(probe.ok()) << probe.error().message;
    ASSERT_TRUE(probe->send().ok());
    bool answered = false;
    for (int round = 0; round < 50 && !answered; ++round) {
        pollfd p{probe->fd(), POLLIN, 0};
        ASSERT_GE(poll(&p, 1, 5000), 0);
        auto r = probe->receive();
        ASSERT_TRUE(r.ok()) << r.error().message;
        answered = *r;
    }
    EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace perouter::netlink
