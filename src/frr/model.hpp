// The FRR configuration as data: everything the renderer needs, already derived (router ids,
// addresses, address families). Built by the planner, turned into frr.conf text by render().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perouter::frr {

struct BfdProfile {
    std::string name;  // "neighbor-<address>" style, unique
    std::optional<uint32_t> receive_interval_ms;
    std::optional<uint32_t> transmit_interval_ms;
    std::optional<uint32_t> detect_multiplier;
    bool passive = false;
    std::optional<uint32_t> minimum_ttl;
};

enum class BfdMode { None, Plain, Profile };

/// How an underlay neighbor is declared: `neighbor ADDR remote-as`, `neighbor IFNAME interface
/// remote-as` (BGP unnumbered) or a peer group with `bgp listen range` (dynamic neighbors).
enum class PeerForm { Address, Interface, PeerGroup };

/// An underlay (fabric) neighbor of the default BGP instance.
struct UnderlayNeighbor {
    std::string address;  // what the neighbor lines name: address, interface or peer group
    PeerForm form = PeerForm::Address;
    std::string listen_range;  // with PeerForm::PeerGroup
    std::string remote_as;     // a number, "external" or "internal"
    bool ibgp = false;         // remote-as internal, or the same ASN as ours
    std::optional<uint16_t> port;
    std::optional<std::string> password;
    std::optional<uint32_t> keepalive_seconds;  // set together with hold_seconds
    std::optional<uint32_t> hold_seconds;
    std::optional<uint32_t> connect_seconds;
    bool ebgp_multihop = false;
    std::optional<uint32_t> ebgp_multihop_ttl;
    BfdMode bfd = BfdMode::None;
    std::string bfd_profile;        // with BfdMode::Profile
    bool extended_nexthop = false;  // IPv6 neighbor carrying IPv4 unicast, or unnumbered
    bool disable_connected_check = false;
    bool route_reflector_client = false;  // in every family it is activated in
    // Address families this neighbor is activated in.
    bool ipv4_unicast = false;
    bool ipv6_unicast = false;
    bool l2vpn_evpn = false;
    bool ipv4_vpn = false;  // SRv6 L3VPNs: IPv6 neighbors only
    bool ipv6_vpn = false;
};

/// A BGP session with the host over a veth (L3VNI host session or passthrough).
struct HostNeighbor {
    std::string address;    // host side of the veth
    std::string remote_as;  // a number, "external" or "internal"
    bool ibgp = false;      // needs next-hop-self force
    std::optional<uint32_t> connect_seconds;
    std::string route_map_in = "allowall";  // a RoutePolicy's name when filtered
    std::string route_map_out = "allowall";
};

/// One prefix-list entry: `permit PREFIX [ge N] [le M]`.
struct PrefixEntry {
    std::string prefix;
    std::optional<uint8_t> ge;
    std::optional<uint8_t> le;
};

/// A route map that permits what its prefix lists (one per family, `<name>-v4`/`<name>-v6`)
/// permit and denies the rest.
struct RoutePolicy {
    std::string name;
    std::vector<PrefixEntry> v4;
    std::vector<PrefixEntry> v6;
};

/// Explicit EVPN settings of one L2VNI (`vni N` under the default instance's l2vpn evpn).
struct EvpnVni {
    uint32_t vni = 0;
    std::optional<std::string> rd;
    std::vector<std::string> import_rts;
    std::vector<std::string> export_rts;
};

/// This node's SRv6 locator: zebra's `segment-routing / srv6 / locators / locator NAME /
/// prefix P` and the default instance's `segment-routing srv6 / locator NAME`, the source of the
/// SIDs of every SRv6 VRF (FRR 8.4 takes them from the default instance's locator only).
struct Srv6Locator {
    std::string name;
    std::string prefix;  // a /64
};

struct Underlay {
    uint32_t asn = 0;
    std::string router_id;
    std::vector<UnderlayNeighbor> neighbors;
    std::vector<std::string> networks_v4;   // VTEP /32s announced in ipv4 unicast
    std::vector<std::string> networks_v6;   // VTEP /128s announced in ipv6 unicast
    bool advertise_all_vni = false;         // any VNI configured (tunnel endpoint present)
    std::vector<EvpnVni> evpn_vnis;         // L2VNIs with an explicit RD or route targets
    std::optional<std::string> cluster_id;  // this node is a route reflector
    std::optional<Srv6Locator> srv6;        // SRv6 L3VPNs exist
    bool graceful_restart = false;
    uint32_t gr_restart_time = 120;  // FRR defaults are never rendered (frr#22953)
    uint32_t gr_stale_path_time = 360;
};

/// The passthrough session lives in the default BGP instance.
struct Passthrough {
    std::vector<HostNeighbor> neighbors;   // one per family with a local CIDR
    std::vector<std::string> networks_v4;  // host-side veth address as /32
    std::vector<std::string> networks_v6;  // host-side veth address as /128
};

/// How a VRF's routes reach the fabric.
enum class VrfTransport {
    Evpn,  // L3VNI: `vrf X / vni N` for zebra, EVPN type-5 routes (`address-family l2vpn evpn`)
    Srv6,  // L3VPN: VPNv4/VPNv6 routes with SRv6 SIDs (`sid vpn export`, `import/export vpn`)
};

/// One L3VNI or L3VPN: `router bgp ASN vrf X` for bgpd (and for an L3VNI `vrf X / vni N`).
struct Vrf {
    std::string name;
    VrfTransport transport = VrfTransport::Evpn;
    uint32_t vni = 0;  // Evpn only
    uint32_t asn = 0;
    std::string router_id;
    std::vector<HostNeighbor> neighbors;   // 0..2 (one per host-session family)
    std::vector<std::string> networks_v4;  // host veth /32 and L2VNI gateway subnets
    std::vector<std::string> networks_v6;
    std::vector<std::string> export_rts;
    std::vector<std::string> import_rts;
    std::optional<std::string> rd;  // Srv6: always set (the planner derives it)
    // Srv6: an address of ours in the VRF per family, set as the next hop of the routes it
    // exports to VPN by a route map (frr/render.cpp). FRR 8.4 tracks that next hop in the
    // VRF and leaves a `network` route's (0.0.0.0, ::) unresolved, so without it the VPN routes
    // stay invalid and are never advertised. Unset when the VRF exports nothing of the family.
    std::optional<std::string> vpn_export_nexthop_v4;
    std::optional<std::string> vpn_export_nexthop_v6;
};

/// A [[raw_frr]] block, appended after everything rendered.
struct RawBlock {
    std::string name;
    std::string text;
};

struct Model {
    std::optional<Underlay> underlay;
    std::optional<Passthrough> passthrough;
    std::vector<Vrf> vrfs;  // in configuration order
    std::vector<BfdProfile> bfd_profiles;
    std::vector<RoutePolicy> policies;  // host-session prefix filters
    std::vector<RawBlock> raw;          // in priority order
    std::string log_file;               // "" = log to syslog
};

}  // namespace perouter::frr
