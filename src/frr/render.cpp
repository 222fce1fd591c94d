#include "frr/render.hpp"

#include <fmt/format.h>

#include <string_view>

namespace perouter::frr {
namespace {

// Accumulates the text; one space of indentation per level, as FRR's `show running-config`.
class Writer {
  public:
    void line(int depth, std::string_view text) {
        out_.append(static_cast<size_t>(depth), ' ');
        out_.append(text);
        out_.push_back('\n');
    }
    template <class... Args>
    void linef(int depth, fmt::format_string<Args...> f, Args&&... args) {
        line(depth, fmt::format(f, std::forward<Args>(args)...));
    }
    void append(std::string_view text) { out_.append(text); }
    // `!` goes between top-level blocks only, never after the last one.
    void separator() { out_.append("!\n"); }
    bool empty() const { return out_.empty(); }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

bool is_v6(std::string_view address) {
    return address.find(':') != std::string_view::npos;
}

// A host neighbor is always activated in the family of its own address. It is activated in the
// other family too only when that family has prefixes to announce and no host neighbor of that
// family exists: a v4-only host session then still learns the VRF's v6 gateway subnets, while a
// dual-stack host (one session per family) does not receive every prefix twice.
bool host_active_in(const HostNeighbor& n, bool v6_family, const std::vector<HostNeighbor>& all,
                    bool family_has_networks) {
    if (is_v6(n.address) == v6_family)
        return true;
    if (!family_has_networks)
        return false;
    for (const auto& other : all) {
        if (is_v6(other.address) == v6_family)
            return false;
    }
    return true;
}

void render_header(Writer& w, const Model& m) {
    w.line(0, "frr defaults traditional");
    if (m.log_file.empty()) {
        w.line(0, "log syslog informational");
    } else {
        w.linef(0, "log file {} informational", m.log_file);
    }
    w.line(0, "ip nht resolve-via-default");
    w.line(0, "ipv6 nht resolve-via-default");
    // bgpd holds every peer it creates while it reads configuration through vtysh (`vtysh -b` at
    // FRR's start, each `vtysh -f` of ours) until a timer armed when the read ends fires: the
    // whole seconds left on the route-map update timer, or 1 s when that timer is idle (FRR 8.4
    // bgpd/bgp_vty.c bgp_config_end, bgpd.c peer_unshut_after_cfg). Defining a route map arms
    // that timer with this delay, 5 s by default: each session started 4 s after FRR read its
    // configuration. With 1 s, less than a whole second is left when the read ends, and the
    // sessions start at once; route-map changes take effect after 1 s instead of 5.
    w.line(0, "bgp route-map delay-timer 1");
}

void render_vrf_vnis(Writer& w, const Model& m) {
    for (const auto& vrf : m.vrfs) {
        if (vrf.transport != VrfTransport::Evpn)
            continue;
        w.separator();
        w.linef(0, "vrf {}", vrf.name);
        w.linef(1, "vni {}", vrf.vni);
        w.line(0, "exit-vrf");
    }
}

// zebra's locator (FRR 8.4: `prefix` is its only setting; without func-bits a SID's function
// takes the 16 bits after the /64, where bgpd advertises it).
void render_srv6_locator(Writer& w, const Model& m) {
    if (!m.underlay || !m.underlay->srv6)
        return;
    const Srv6Locator& l = *m.underlay->srv6;
    w.separator();
    w.line(0, "segment-routing");
    w.line(1, "srv6");
    w.line(2, "locators");
    w.linef(3, "locator {}", l.name);
    w.linef(4, "prefix {}", l.prefix);
    w.line(3, "exit");
    w.line(2, "exit");
    w.line(1, "exit");
    w.line(0, "exit");
}

void render_bfd(Writer& w, const Model& m) {
    if (m.bfd_profiles.empty())
        return;
    w.separator();
    w.line(0, "bfd");
    for (const auto& p : m.bfd_profiles) {
        w.linef(1, "profile {}", p.name);
        if (p.receive_interval_ms)
            w.linef(2, "receive-interval {}", *p.receive_interval_ms);
        if (p.transmit_interval_ms)
            w.linef(2, "transmit-interval {}", *p.transmit_interval_ms);
        if (p.detect_multiplier)
            w.linef(2, "detect-multiplier {}", *p.detect_multiplier);
        if (p.passive)
            w.line(2, "passive-mode");
        if (p.minimum_ttl)
            w.linef(2, "minimum-ttl {}", *p.minimum_ttl);
        w.line(1, "exit");
    }
    w.line(0, "exit");
}

// The passthrough session lives in the default instance, so it exists only with an underlay.
bool has_host_neighbors(const Model& m) {
    if (m.underlay && m.passthrough && !m.passthrough->neighbors.empty())
        return true;
    for (const auto& vrf : m.vrfs) {
        if (!vrf.neighbors.empty())
            return true;
    }
    return false;
}

void render_route_map(Writer& w, const Model& m) {
    if (!has_host_neighbors(m))
        return;
    w.separator();
    w.line(0, "route-map allowall permit 1");
    w.line(0, "exit");
}

void render_prefix_entries(Writer& w, std::string_view keyword, const std::string& list,
                           const std::vector<PrefixEntry>& entries) {
    int seq = 5;
    for (const auto& e : entries) {
        std::string line =
            fmt::format("{} prefix-list {} seq {} permit {}", keyword, list, seq, e.prefix);
        if (e.ge)
            line += fmt::format(" ge {}", *e.ge);
        if (e.le)
            line += fmt::format(" le {}", *e.le);
        w.line(0, line);
        seq += 5;
    }
}

// Prefix lists first (a route map names them), then the route map: entry 10 matches IPv4
// routes, 20 IPv6 routes, 30 denies the rest (and makes an empty filter exist).
void render_policies(Writer& w, const Model& m) {
    for (const auto& p : m.policies) {
        w.separator();
        render_prefix_entries(w, "ip", p.name + "-v4", p.v4);
        render_prefix_entries(w, "ipv6", p.name + "-v6", p.v6);
        if (!p.v4.empty()) {
            w.linef(0, "route-map {} permit 10", p.name);
            w.linef(1, "match ip address prefix-list {}-v4", p.name);
            w.line(0, "exit");
        }
        if (!p.v6.empty()) {
            w.linef(0, "route-map {} permit 20", p.name);
            w.linef(1, "match ipv6 address prefix-list {}-v6", p.name);
            w.line(0, "exit");
        }
        w.linef(0, "route-map {} deny 30", p.name);
        w.line(0, "exit");
    }
}

// The route map of an SRv6 VRF's VPN export next hop in one family (Vrf::vpn_export_nexthop_*).
std::string vpn_export_route_map(const Vrf& vrf, bool v6) {
    return fmt::format("vpn-export-{}-{}", v6 ? "v6" : "v4", vrf.name);
}

const std::optional<std::string>& vpn_export_nexthop(const Vrf& vrf, bool v6) {
    return v6 ? vrf.vpn_export_nexthop_v6 : vrf.vpn_export_nexthop_v4;
}

void render_vpn_export_maps(Writer& w, const Model& m) {
    for (const auto& vrf : m.vrfs) {
        for (const bool v6 : {false, true}) {
            const auto& nh = vpn_export_nexthop(vrf, v6);
            if (vrf.transport != VrfTransport::Srv6 || !nh)
                continue;
            w.separator();
            w.linef(0, "route-map {} permit 1", vpn_export_route_map(vrf, v6));
            if (v6)
                w.linef(1, "set ipv6 next-hop global {}", *nh);
            else
                w.linef(1, "set ip next-hop {}", *nh);
            w.line(0, "exit");
        }
    }
}

void render_instance_basics(Writer& w, const std::string& router_id) {
    if (!router_id.empty())
        w.linef(1, "bgp router-id {}", router_id);
    w.line(1, "no bgp ebgp-requires-policy");
    w.line(1, "no bgp network import-check");
    // Before any neighbor line, so that no neighbor is ever auto-activated in ipv4 unicast.
    w.line(1, "no bgp default ipv4-unicast");
}

void render_underlay_neighbor(Writer& w, const UnderlayNeighbor& n) {
    const auto& a = n.address;
    switch (n.form) {
        case PeerForm::Address:
            w.linef(1, "neighbor {} remote-as {}", a, n.remote_as);
            break;
        case PeerForm::Interface:
            w.linef(1, "neighbor {} interface remote-as {}", a, n.remote_as);
            break;
        case PeerForm::PeerGroup:
            w.linef(1, "neighbor {} peer-group", a);
            w.linef(1, "neighbor {} remote-as {}", a, n.remote_as);
            w.linef(1, "bgp listen range {} peer-group {}", n.listen_range, a);
            break;
    }
    if (n.port)
        w.linef(1, "neighbor {} port {}", a, *n.port);
    if (n.password)
        w.linef(1, "neighbor {} password {}", a, *n.password);
    if (n.keepalive_seconds && n.hold_seconds) {
        w.linef(1, "neighbor {} timers {} {}", a, *n.keepalive_seconds, *n.hold_seconds);
    }
    if (n.connect_seconds)
        w.linef(1, "neighbor {} timers connect {}", a, *n.connect_seconds);
    if (n.ebgp_multihop) {
        if (n.ebgp_multihop_ttl) {
            w.linef(1, "neighbor {} ebgp-multihop {}", a, *n.ebgp_multihop_ttl);
        } else {
            w.linef(1, "neighbor {} ebgp-multihop", a);
        }
    }
    switch (n.bfd) {
        case BfdMode::None:
            break;
        case BfdMode::Plain:
            w.linef(1, "neighbor {} bfd", a);
            break;
        case BfdMode::Profile:
            w.linef(1, "neighbor {} bfd profile {}", a, n.bfd_profile);
            break;
    }
    if (n.disable_connected_check)
        w.linef(1, "neighbor {} disable-connected-check", a);
    if (n.extended_nexthop)
        w.linef(1, "neighbor {} capability extended-nexthop", a);
}

// Activation of an underlay neighbor in a family: eBGP accepts its own AS back (every node of
// the fabric may share one), iBGP rewrites the next hop, a route reflector reflects.
void render_underlay_activation(Writer& f, const UnderlayNeighbor& n, bool evpn) {
    f.linef(2, "neighbor {} activate", n.address);
    if (!n.ibgp) {
        f.linef(2, "neighbor {} allowas-in", n.address);
        return;
    }
    if (n.route_reflector_client)
        f.linef(2, "neighbor {} route-reflector-client", n.address);
    if (!evpn)
        f.linef(2, "neighbor {} next-hop-self force", n.address);
}

void render_host_neighbor(Writer& w, const HostNeighbor& n) {
    w.linef(1, "neighbor {} remote-as {}", n.address, n.remote_as);
    if (n.connect_seconds)
        w.linef(1, "neighbor {} timers connect {}", n.address, *n.connect_seconds);
}

void render_host_activation(Writer& w, const HostNeighbor& n) {
    w.linef(2, "neighbor {} activate", n.address);
    w.linef(2, "neighbor {} route-map {} in", n.address, n.route_map_in);
    w.linef(2, "neighbor {} route-map {} out", n.address, n.route_map_out);
    if (n.ibgp)
        w.linef(2, "neighbor {} next-hop-self force", n.address);
}

// Renders `address-family <name>` around `body` only when the body wrote something.
template <class Body>
void render_family(Writer& w, std::string_view name, Body&& body) {
    Writer inner;
    body(inner);
    if (inner.empty())
        return;
    w.linef(1, "address-family {}", name);
    w.append(inner.take());
    w.line(1, "exit-address-family");
}

void render_unicast_family(Writer& w, const Underlay& u, const Passthrough* pt, bool v6) {
    const auto& underlay_networks = v6 ? u.networks_v6 : u.networks_v4;
    const std::vector<std::string> no_networks;
    const auto& pt_networks =
        pt != nullptr ? (v6 ? pt->networks_v6 : pt->networks_v4) : no_networks;
    render_family(w, v6 ? "ipv6 unicast" : "ipv4 unicast", [&](Writer& f) {
        for (const auto& net : underlay_networks)
            f.linef(2, "network {}", net);
        for (const auto& net : pt_networks)
            f.linef(2, "network {}", net);
        for (const auto& n : u.neighbors) {
            if (v6 ? n.ipv6_unicast : n.ipv4_unicast)
                render_underlay_activation(f, n, false);
        }
        if (pt == nullptr)
            return;
        for (const auto& n : pt->neighbors) {
            if (host_active_in(n, v6, pt->neighbors, !pt_networks.empty())) {
                render_host_activation(f, n);
            }
        }
    });
}

void render_underlay(Writer& w, const Model& m) {
    const Underlay& u = *m.underlay;
    const Passthrough* pt = m.passthrough ? &*m.passthrough : nullptr;
    w.separator();
    w.linef(0, "router bgp {}", u.asn);
    render_instance_basics(w, u.router_id);
    if (u.graceful_restart) {
        w.line(1, "bgp graceful-restart");
        w.line(1, "bgp graceful-restart preserve-fw-state");
        // FRR hides its defaults in `show running-config`; rendering them would make every
        // reload look like a change and reset all sessions (FRRouting/frr#22953).
        if (u.gr_restart_time != 120) {
            w.linef(1, "bgp graceful-restart restart-time {}", u.gr_restart_time);
        }
        if (u.gr_stale_path_time != 360) {
            w.linef(1, "bgp graceful-restart stalepath-time {}", u.gr_stale_path_time);
        }
    }
    if (u.cluster_id)
        w.linef(1, "bgp cluster-id {}", *u.cluster_id);
    for (const auto& n : u.neighbors)
        render_underlay_neighbor(w, n);
    if (pt != nullptr) {
        for (const auto& n : pt->neighbors)
            render_host_neighbor(w, n);
    }
    render_unicast_family(w, u, pt, false);
    render_unicast_family(w, u, pt, true);
    for (const bool v6 : {false, true}) {
        render_family(w, v6 ? "ipv6 vpn" : "ipv4 vpn", [&](Writer& f) {
            for (const auto& n : u.neighbors) {
                if (v6 ? n.ipv6_vpn : n.ipv4_vpn)
                    render_underlay_activation(f, n, false);
            }
        });
    }
    render_family(w, "l2vpn evpn", [&](Writer& f) {
        for (const auto& n : u.neighbors) {
            if (n.l2vpn_evpn)
                render_underlay_activation(f, n, true);
        }
        if (u.advertise_all_vni)
            f.line(2, "advertise-all-vni");
        for (const auto& v : u.evpn_vnis) {
            f.linef(2, "vni {}", v.vni);
            if (v.rd)
                f.linef(3, "rd {}", *v.rd);
            for (const auto& rt : v.import_rts)
                f.linef(3, "route-target import {}", rt);
            for (const auto& rt : v.export_rts)
                f.linef(3, "route-target export {}", rt);
            f.line(2, "exit-vni");
        }
    });
    if (u.srv6) {
        w.line(1, "segment-routing srv6");
        w.linef(2, "locator {}", u.srv6->name);
        w.line(1, "exit");
    }
    w.line(0, "exit");
}

// An SRv6 VRF's VPN settings in one unicast family, in the order bgpd writes them back. `rt vpn
// both` when the two lists are equal, as bgpd shows them.
void render_vpn_settings(Writer& f, const Vrf& vrf, bool v6) {
    f.line(2, "sid vpn export auto");
    if (vrf.rd)
        f.linef(2, "rd vpn export {}", *vrf.rd);
    const auto joined = [](const std::vector<std::string>& rts) { return fmt::join(rts, " "); };
    if (!vrf.import_rts.empty() && vrf.import_rts == vrf.export_rts) {
        f.linef(2, "rt vpn both {}", joined(vrf.import_rts));
    } else {
        if (!vrf.import_rts.empty())
            f.linef(2, "rt vpn import {}", joined(vrf.import_rts));
        if (!vrf.export_rts.empty())
            f.linef(2, "rt vpn export {}", joined(vrf.export_rts));
    }
    if (vpn_export_nexthop(vrf, v6))
        f.linef(2, "route-map vpn export {}", vpn_export_route_map(vrf, v6));
    f.line(2, "export vpn");
    f.line(2, "import vpn");
}

void render_vrf_instance(Writer& w, const Vrf& vrf) {
    w.separator();
    w.linef(0, "router bgp {} vrf {}", vrf.asn, vrf.name);
    render_instance_basics(w, vrf.router_id);
    for (const auto& n : vrf.neighbors)
        render_host_neighbor(w, n);
    for (const bool v6 : {false, true}) {
        const auto& networks = v6 ? vrf.networks_v6 : vrf.networks_v4;
        render_family(w, v6 ? "ipv6 unicast" : "ipv4 unicast", [&](Writer& f) {
            for (const auto& net : networks)
                f.linef(2, "network {}", net);
            for (const auto& n : vrf.neighbors) {
                if (host_active_in(n, v6, vrf.neighbors, !networks.empty())) {
                    render_host_activation(f, n);
                }
            }
            if (vrf.transport == VrfTransport::Srv6)
                render_vpn_settings(f, vrf, v6);
        });
    }
    if (vrf.transport == VrfTransport::Srv6) {
        w.line(0, "exit");
        return;
    }
    render_family(w, "l2vpn evpn", [&](Writer& f) {
        if (vrf.rd)
            f.linef(2, "rd {}", *vrf.rd);
        f.line(2, "advertise ipv4 unicast");
        f.line(2, "advertise ipv6 unicast");
        for (const auto& rt : vrf.export_rts)
            f.linef(2, "route-target export {}", rt);
        for (const auto& rt : vrf.import_rts)
            f.linef(2, "route-target import {}", rt);
    });
    w.line(0, "exit");
}

}  // namespace

std::string render(const Model& model) {
    Writer w;
    render_header(w, model);
    render_srv6_locator(w, model);
    render_vrf_vnis(w, model);
    render_bfd(w, model);
    render_route_map(w, model);
    render_policies(w, model);
    render_vpn_export_maps(w, model);
    if (model.underlay)
        render_underlay(w, model);
    for (const auto& vrf : model.vrfs)
        render_vrf_instance(w, vrf);
    for (const auto& raw : model.raw) {
        w.separator();
        w.linef(0, "! raw_frr {}", raw.name);
        w.append(raw.text);
        if (!raw.text.empty() && raw.text.back() != '\n')
            w.append("\n");
    }
    return w.take();
}

}  // namespace perouter::frr
