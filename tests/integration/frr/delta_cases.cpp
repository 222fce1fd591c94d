// Writes the configurations and deltas the FRR integration test applies to a real FRR:
//   OUTDIR/<chain>/NN.conf   render() of the chain's NN-th model
//   OUTDIR/<chain>/NN.delta  delta(NN-1.conf, NN.conf), for NN >= 1
// A chain is applied in order on one FRR instance (the first file whole, then the deltas), and
// after every step the running config must equal a fresh FRR loaded with NN.conf.
// The `session` chain is also run against a leaf FRR peering with the PE at 192.168.11.1.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frr/delta.hpp"
#include "frr/render.hpp"
#include "models.hpp"

namespace fs = std::filesystem;
using namespace perouter::frr;
using namespace perouter::frr::testing;

namespace {

struct Chain {
    std::string name;
    std::vector<Model> steps;
};

Model two_vrfs() {
    Model m = golden_model("basic");
    m.vrfs.push_back(l3vni_v4("blue", 200));
    return m;
}

Model everything() {
    Model m = golden_model("bfd_profile");
    m.vrfs.push_back(l3vni_v4("blue", 200));
    m.vrfs[0].export_rts = {"64514:100"};
    m.passthrough = passthrough_session_v4();
    m.underlay->graceful_restart = true;
    return m;
}

std::vector<Model> neighbor_settings() {
    Model a = golden_model("neighbor_options");
    a.underlay->neighbors[0].ebgp_multihop = true;
    a.underlay->neighbors[0].ebgp_multihop_ttl = 3;
    Model timers = a;
    timers.underlay->neighbors[0].keepalive_seconds = 3;
    timers.underlay->neighbors[0].hold_seconds = 9;
    timers.underlay->neighbors[0].connect_seconds = 1;
    Model overridden = timers;
    UnderlayNeighbor& n = overridden.underlay->neighbors[0];
    n.remote_as = "external";
    n.port = 2179;
    n.password = "other";
    n.ebgp_multihop_ttl.reset();
    Model removed = overridden;
    UnderlayNeighbor& r = removed.underlay->neighbors[0];
    r.password.reset();
    r.port.reset();
    r.keepalive_seconds.reset();
    r.hold_seconds.reset();
    r.ebgp_multihop = false;
    return {a, timers, overridden, removed, a};
}

std::vector<Model> bfd_steps() {
    Model plain = golden_model("bfd_plain");
    Model profile = plain;
    profile.underlay->neighbors[0].bfd = BfdMode::Profile;
    profile.underlay->neighbors[0].bfd_profile = "fast";
    BfdProfile p;
    p.name = "fast";
    p.receive_interval_ms = 100;
    profile.bfd_profiles.push_back(p);
    Model full = golden_model("bfd_profile");
    Model changed = full;
    BfdProfile& c = changed.bfd_profiles[0];
    c.receive_interval_ms = 200;
    c.transmit_interval_ms.reset();
    c.detect_multiplier.reset();
    c.minimum_ttl.reset();
    c.passive = true;
    changed.bfd_profiles[1].passive = false;
    Model dropped = changed;
    dropped.bfd_profiles.pop_back();
    dropped.underlay->neighbors[1].bfd = BfdMode::Plain;
    return {plain, profile, full, changed, dropped, golden_model("basic")};
}

std::vector<Model> graceful_restart_steps() {
    Model custom = golden_model("graceful_restart_custom_timers");
    Model changed = custom;
    changed.underlay->gr_restart_time = 100;
    return {golden_model("basic"),
            golden_model("graceful_restart"),
            custom,
            changed,
            golden_model("graceful_restart"),
            golden_model("basic"),
            custom,
            golden_model("basic")};
}

std::vector<Model> log_steps(const std::string& dir) {
    Model file = golden_model("no_vnis");
    file.log_file = dir + "/frr-a.log";
    Model other = file;
    other.log_file = dir + "/frr-b.log";
    return {golden_model("no_vnis"), file, other, golden_model("no_vnis")};
}

Model with(Model m, auto&& change) {
    change(m);
    return m;
}

// The PE side of the session test: peers with the leaf at 192.168.11.1 (AS 64512).
Model session_base(int vrfs) {
    Model m;
    Underlay u;
    u.asn = 64514;
    u.router_id = "10.0.0.2";
    UnderlayNeighbor n;
    n.address = "192.168.11.1";
    n.remote_as = "64512";
    n.keepalive_seconds = 3;
    n.hold_seconds = 9;
    n.connect_seconds = 1;
    n.ipv4_unicast = true;
    n.l2vpn_evpn = true;
    u.neighbors.push_back(n);
    u.networks_v4 = {"100.65.0.2/32"};
    u.advertise_all_vni = true;
    m.underlay = u;
    for (int i = 0; i < vrfs; ++i) {
        Vrf v = l3vni_v4(fmt::format("vrf{:02}", i), static_cast<uint32_t>(100 + i));
        v.router_id = "10.0.0.2";
        v.export_rts = {fmt::format("64514:{}", 100 + i)};
        m.vrfs.push_back(v);
    }
    return m;
}

std::vector<Model> session_steps() {
    const Model base = session_base(20);
    const Model one_changed = with(base, [](Model& m) {
        m.vrfs[7].export_rts = {"64514:9999"};
        m.vrfs[7].import_rts = {"64512:107"};
        m.vrfs[7].neighbors[0].connect_seconds = 7;
        m.vrfs[7].networks_v4.push_back("192.170.7.0/24");
    });
    const Model added = with(one_changed, [](Model& m) {
        m.vrfs.push_back(l3vni_v4("vrf20", 120));
        m.vrfs.back().router_id = "10.0.0.2";
    });
    const Model removed = with(added, [](Model& m) { m.vrfs.erase(m.vrfs.begin() + 3); });
    const Model passthrough = with(removed, [](Model& m) {
        m.passthrough = passthrough_session_v4();
        m.underlay->neighbors[0].ipv4_unicast = true;
    });
    const Model bfd_added = with(passthrough, [](Model& m) {
        m.bfd_profiles.push_back(BfdProfile{"unused", 200, 200, 5, false, std::nullopt});
    });
    return {base, one_changed, added, removed, passthrough, bfd_added, removed, base};
}

bool write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];

    std::vector<Model> tour{Model{}};
    for (const auto& nm : golden_models()) {
        tour.push_back(nm.model);
        // Keep FRR's log inside the test directory, not in the system's /var/log/frr.
        if (!tour.back().log_file.empty())
            tour.back().log_file = (out / "frr-tour.log").string();
    }
    tour.push_back(Model{});

    const Model asn_changed = with(two_vrfs(), [](Model& m) { m.underlay->asn = 64600; });
    const Model vni_changed = with(golden_model("basic"), [](Model& m) { m.vrfs[0].vni = 101; });
    const Model vni_moved = with(two_vrfs(), [](Model& m) {
        m.vrfs[0].vni = 200;
        m.vrfs[1].vni = 201;
    });
    const Model rt_changed = with(golden_model("route_targets"), [](Model& m) {
        m.vrfs[0].import_rts = {"64513:100", "64599:100"};
        m.vrfs[1].export_rts.clear();
    });
    const Model evpn_vni_changed = with(golden_model("l2vni_route_targets"), [](Model& m) {
        EvpnVni& v = m.underlay->evpn_vnis[0];
        v.rd = "10.0.0.1:111";
        v.import_rts = {"64512:9111"};
        v.export_rts.clear();
        m.underlay->evpn_vnis.pop_back();
        m.underlay->evpn_vnis.push_back(EvpnVni{130, "10.0.0.1:130", {}, {"64514:130"}});
        m.vrfs[0].rd = "10.0.0.1:99";
    });
    const Model host_v6_gone = with(golden_model("dual_stack"), [](Model& m) {
        m.vrfs[0].neighbors.pop_back();
        m.vrfs[0].networks_v6.clear();
    });
    const Model neighbor_gone =
        with(golden_model("ebgp_multihop"), [](Model& m) { m.underlay->neighbors.pop_back(); });
    const Model router_id = with(golden_model("basic"), [](Model& m) {
        m.underlay->router_id = "10.0.0.2";
        m.vrfs[0].router_id = "10.0.0.2";
    });

    const std::vector<Chain> chains = {
        {"vrf_add_remove", {golden_model("basic"), two_vrfs(), golden_model("basic")}},
        {"everything", {Model{}, everything(), Model{}, everything()}},
        {"neighbor_settings", neighbor_settings()},
        {"neighbor_removed", {golden_model("ebgp_multihop"), neighbor_gone}},
        {"host_neighbor", {golden_model("dual_stack"), host_v6_gone, golden_model("dual_stack")}},
        {"router_id", {golden_model("basic"), router_id}},
        {"graceful_restart", graceful_restart_steps()},
        {"passthrough",
         {golden_model("no_vnis"), golden_model("passthrough_v4"), golden_model("passthrough_dual"),
          golden_model("no_vnis"), golden_model("passthrough_dual"), golden_model("basic")}},
        {"bfd", bfd_steps()},
        {"vni", {golden_model("basic"), vni_changed, two_vrfs(), vni_moved, golden_model("basic")}},
        {"asn", {two_vrfs(), asn_changed, two_vrfs()}},
        {"route_targets",
         {golden_model("basic"), golden_model("route_targets"), rt_changed, golden_model("basic")}},
        {"evpn_vnis",
         {golden_model("basic"), golden_model("l2vni_route_targets"), evpn_vni_changed,
          golden_model("l2vni_route_targets"), golden_model("basic")}},
        {"neighbor_forms",
         {golden_model("basic"), golden_model("unnumbered"), golden_model("route_reflector"),
          with(golden_model("route_reflector"),
               [](Model& m) {
                   m.underlay->cluster_id = "192.0.2.9";
                   m.underlay->neighbors[0].remote_as = "64514";
                   m.underlay->neighbors.pop_back();
               }),
          golden_model("dual_stack_sessions"), golden_model("unnumbered"),
          with(golden_model("unnumbered"),
               [](Model& m) { m.underlay->neighbors[0].remote_as = "64512"; }),
          golden_model("basic")}},
        {"host_filters",
         {golden_model("basic"), golden_model("host_filters"),
          with(golden_model("host_filters"),
               [](Model& m) {
                   m.policies[0].v4.pop_back();
                   m.policies[0].v4[0].le = 16;
                   m.policies[1].v6.push_back(PrefixEntry{"2001:db8:1::/48", {}, {}});
                   m.policies.pop_back();
                   m.passthrough->neighbors[0].route_map_in = "allowall";
               }),
          golden_model("host_filters"), golden_model("basic")}},
        {"raw_frr",
         {golden_model("basic"), golden_model("raw_blocks"),
          with(golden_model("raw_blocks"),
               [](Model& m) {
                   m.raw[0].text =
                       "ip prefix-list from-fabric seq 5 permit 172.16.0.0/12 le 24\n"
                       "route-map from-fabric permit 10\n"
                       " match ip address prefix-list from-fabric\n"
                       "exit\n";
                   m.raw.pop_back();
               }),
          golden_model("raw_blocks"), golden_model("basic")}},
        {"log", log_steps(out.string())},
        {"remote_as",
         {golden_model("basic"), golden_model("ibgp"), golden_model("remote_as_external"),
          golden_model("remote_as_internal"), golden_model("basic")}},
        {"families",
         {golden_model("ipv6_only"), golden_model("dual_stack"), golden_model("basic"),
          golden_model("ipv6_underlay"), golden_model("l2vni_with_gateway"),
          golden_model("basic")}},
        {"srv6",
         [] {
             const Model full = golden_model("srv6_l3vpn");
             // The underlay alone, then its locator, then the VRFs one by one; a VRF's RD and
             // route targets changed; one VRF gone; the locator moved; SRv6 gone.
             Model bare = full;
             bare.vrfs.clear();
             bare.underlay->srv6.reset();
             bare.underlay->networks_v6.pop_back();
             bare.underlay->neighbors[0].ipv4_vpn = bare.underlay->neighbors[0].ipv6_vpn = false;
             Model locator = full;
             locator.vrfs.clear();
             Model one = full;
             one.vrfs.pop_back();
             Model changed = full;
             changed.vrfs[1].rd = "65000:77";
             changed.vrfs[1].export_rts = {"64512:77"};
             Model moved = one;
             moved.underlay->srv6->prefix = "fd00:0:1:3::/64";
             moved.underlay->networks_v6.back() = "fd00:0:1:3::/64";
             return std::vector<Model>{bare, locator, one, full, changed, one, moved, bare};
         }()},
        {"golden_tour", tour},
        {"session", session_steps()},
    };

    for (const auto& chain : chains) {
        const fs::path dir = out / chain.name;
        fs::create_directories(dir);
        std::string previous;
        for (size_t i = 0; i < chain.steps.size(); ++i) {
            const std::string text = render(chain.steps[i]);
            bool ok = write_file(dir / fmt::format("{:02}.conf", i), text);
            if (i > 0)
                ok = ok && write_file(dir / fmt::format("{:02}.delta", i), delta(previous, text));
            if (!ok) {
                std::fprintf(stderr, "cannot write into %s\n", dir.c_str());
                return 1;
            }
            previous = text;
        }
    }
    return 0;
}
