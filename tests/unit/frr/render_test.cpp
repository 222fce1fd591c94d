// Properties of render() that hold for every model, beyond the golden files.
#include "frr/render.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frr/config_tree.hpp"
#include "models.hpp"
#include "text_diff.hpp"

namespace perouter::frr::testing {
namespace {

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

TEST(Render, EmptyModelIsJustTheHeader) {
    EXPECT_EQ(render(Model{}),
              "frr defaults traditional\n"
              "log syslog informational\n"
              "ip nht resolve-via-default\n"
              "ipv6 nht resolve-via-default\n"
              "bgp route-map delay-timer 1\n");
}

TEST(Render, LogFileReplacesSyslog) {
    Model m;
    m.log_file = "/var/log/frr/perouter.log";
    const std::string text = render(m);
    EXPECT_TRUE(contains(text, "\nlog file /var/log/frr/perouter.log informational\n"));
    EXPECT_FALSE(contains(text, "log syslog"));
}

TEST(Render, IsDeterministic) {
    for (const auto& nm : golden_models()) {
        EXPECT_EQ(render(nm.model), render(Model(nm.model))) << nm.name;
    }
}

// vtysh -f must never be left inside a context: every opened block is closed by its own exit
// keyword, at the indentation it was opened at.
TEST(Render, EveryContextIsClosed) {
    for (const auto& nm : golden_models()) {
        std::vector<std::string> open;
        const std::string text = render(nm.model);
        for (const auto line : split_lines(text)) {
            const auto body = line.substr(line.find_first_not_of(' '));
            const size_t depth = line.size() - body.size();
            if (body == "exit" || body == "exit-vrf" || body == "exit-address-family" ||
                body == "exit-vni") {
                ASSERT_FALSE(open.empty()) << nm.name << ": stray " << body;
                EXPECT_EQ(exit_keyword(open.back()), body) << nm.name;
                EXPECT_EQ(depth, open.size() - 1) << nm.name << ": " << line;
                open.pop_back();
                continue;
            }
            if (body == "!") {
                EXPECT_TRUE(open.empty()) << nm.name << ": separator inside " << open.back();
                continue;
            }
            EXPECT_EQ(depth, open.size()) << nm.name << ": " << line;
            // `route-map vpn export X` inside an address family is a setting, not a context.
            if (body.starts_with("vrf ") || body == "bfd" ||
                (body.starts_with("route-map ") && open.empty()) || body.starts_with("router ") ||
                body.starts_with("address-family ") || body.starts_with("profile ") ||
                body == "segment-routing" || body == "srv6" || body == "locators" ||
                (body.starts_with("locator ") && !open.empty() && open.back() == "locators") ||
                (body == "segment-routing srv6" && !open.empty()) ||
                (body.starts_with("vni ") && !open.empty() &&
                 open.back() == "address-family l2vpn evpn")) {
                open.emplace_back(body);
            }
        }
        EXPECT_TRUE(open.empty()) << nm.name << ": unclosed " << open.back();
    }
}

// With the default still on, the first `neighbor X remote-as` would activate X in ipv4 unicast.
TEST(Render, DefaultIpv4UnicastIsOffBeforeAnyNeighbor) {
    for (const auto& nm : golden_models()) {
        for (const auto& block : parse_config(render(nm.model)).blocks) {
            if (!block.header.starts_with("router bgp"))
                continue;
            bool off = false;
            for (const auto& l : block.lines) {
                if (l == "no bgp default ipv4-unicast")
                    off = true;
                if (l.starts_with("neighbor ")) {
                    EXPECT_TRUE(off) << nm.name << ": " << block.header << ": " << l;
                }
            }
            EXPECT_TRUE(off) << nm.name << ": " << block.header;
        }
    }
}

TEST(Render, GracefulRestartDefaultsAreNotRendered) {
    const std::string defaults = render(golden_model("graceful_restart"));
    EXPECT_TRUE(contains(defaults, "\n bgp graceful-restart\n"));
    EXPECT_TRUE(contains(defaults, "\n bgp graceful-restart preserve-fw-state\n"));
    EXPECT_FALSE(contains(defaults, "restart-time"));
    EXPECT_FALSE(contains(defaults, "stalepath-time"));

    Model m = golden_model("graceful_restart");
    m.underlay->gr_restart_time = 121;
    const std::string custom = render(m);
    EXPECT_TRUE(contains(custom, "\n bgp graceful-restart restart-time 121\n"));
    EXPECT_FALSE(contains(custom, "stalepath-time"));

    m.underlay->graceful_restart = false;
    EXPECT_FALSE(contains(render(m), "graceful-restart"));
}

TEST(Render, TimersNeedBothKeepaliveAndHold) {
    Model m = golden_model("no_vnis");
    m.underlay->neighbors[0].keepalive_seconds = 10;
    EXPECT_FALSE(contains(render(m), "timers"));
    m.underlay->neighbors[0].hold_seconds = 30;
    EXPECT_TRUE(contains(render(m), "\n neighbor 192.168.11.2 timers 10 30\n"));
}

TEST(Render, AddressFamiliesOnlyWithContent) {
    const std::string text = render(golden_model("no_vnis"));
    EXPECT_TRUE(contains(text, "address-family ipv4 unicast"));
    EXPECT_FALSE(contains(text, "address-family ipv6 unicast"));
    EXPECT_FALSE(contains(text, "address-family l2vpn evpn"));
    EXPECT_FALSE(contains(text, "advertise-all-vni"));
    // No route map and no neighbor using one (the header's delay-timer line is global).
    EXPECT_FALSE(contains(text, "\nroute-map "));
    EXPECT_FALSE(contains(text, "route-map allowall"));
}

TEST(Render, OneVrfBlockPerL3vniEvenWhenDualStack) {
    const ConfigTree tree = parse_config(render(golden_model("dual_stack")));
    int vrf_blocks = 0;
    int vrf_instances = 0;
    for (const auto& b : tree.blocks) {
        if (b.header == "vrf red")
            ++vrf_blocks;
        if (b.header == "router bgp 64514 vrf red")
            ++vrf_instances;
    }
    EXPECT_EQ(vrf_blocks, 1);
    EXPECT_EQ(vrf_instances, 1);
}

// A host session of one family still gets the VRF's prefixes of the other family (e.g. a v6
// L2VNI gateway subnet), but a dual-stack host is not sent every prefix on both sessions.
TEST(Render, HostNeighborCrossFamilyActivation) {
    const std::string gw = render(golden_model("l2vni_with_gateway"));
    EXPECT_TRUE(contains(gw,
                         " address-family ipv6 unicast\n"
                         "  network 2001:db8:170::/64\n"
                         "  neighbor 192.169.100.2 activate\n"));
    const std::string dual = render(golden_model("dual_stack"));
    const auto v6 = dual.find(" address-family ipv6 unicast\n", dual.find("vrf red\n"));
    ASSERT_NE(v6, std::string::npos);
    EXPECT_FALSE(contains(dual.substr(v6), "neighbor 192.169.100.2 activate"));
    EXPECT_FALSE(contains(dual.substr(0, v6), "neighbor 2001:db8:100::2 activate"));
}

TEST(Render, PassthroughNeedsTheUnderlayInstance) {
    Model m = golden_model("passthrough_v4");
    m.underlay.reset();
    EXPECT_EQ(render(m), render(Model{}));
}

TEST(Render, IbgpNeighborsGetNextHopSelfNotAllowasIn) {
    const std::string text = render(golden_model("ibgp"));
    EXPECT_TRUE(contains(text, "  neighbor 192.168.11.2 next-hop-self force\n"));
    EXPECT_TRUE(contains(text, "  neighbor 192.169.100.2 next-hop-self force\n"));
    EXPECT_FALSE(contains(text, "allowas-in"));
}

TEST(Render, BfdBlockOnlyWithProfiles) {
    EXPECT_FALSE(contains(render(golden_model("bfd_plain")), "\nbfd\n"));
    EXPECT_TRUE(contains(render(golden_model("bfd_plain")), " neighbor 192.168.11.2 bfd\n"));
    EXPECT_TRUE(contains(render(golden_model("bfd_profile")), "\nbfd\n"));
}

}  // namespace
}  // namespace perouter::frr::testing
