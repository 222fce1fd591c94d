// The typed configuration model: what the TOML files say, after merge and validation.
// Field names and meanings follow dist/man/perouter.toml.5 (snake_case TOML keys) and the upstream
// Open PE Router API. Every struct remembers where its fields were written (`pos`) so that
// checks running after parsing can still point at file:line:col.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/source_pos.hpp"

namespace perouter::config {

/// Field name (the TOML key, e.g. "vni") -> where it was written. The key "" is the table itself.
/// Compact, because a configuration of thousands of VPNs has thousands of tables, each with a
/// handful of keys: 16 bytes a key, sorted by key number. Key names are interned once per process
/// (a number each, config/model.cpp); the files are held once per table (nearly always one: a
/// table's keys come from several files only when files merge it key by key).
class Positions {
  public:
    /// Position of `key`, or of the table when the key was not written (defaults).
    SourcePos of(std::string_view key = "") const;
    /// Position of `key` when it was written.
    std::optional<SourcePos> find(std::string_view key) const;
    bool has(std::string_view key) const;
    bool empty() const { return fields_.empty(); }
    size_t size() const { return fields_.size(); }
    void set(std::string_view key, const SourcePos& p);
    /// Gives back the spare capacity once a table is read.
    void shrink() {
        fields_.shrink_to_fit();
        files_.shrink_to_fit();
    }

    friend bool operator==(const Positions& a, const Positions& b);

  private:
    struct Field {
        uint32_t key;  // interned name
        uint32_t line;
        uint32_t column;
        uint32_t file;  // index in files_
    };
    std::vector<Field>::const_iterator lower_bound(uint32_t key) const;
    SourcePos at(const Field& f) const;
    std::vector<Field> fields_;
    std::vector<SourceFile> files_;
};

/// `remote-as external|internal` instead of a number.
enum class PeerType { External, Internal };

/// BFD for one neighbor. All fields empty means plain `neighbor X bfd`; any field set
/// means a BFD profile for that neighbor.
struct Bfd {
    std::optional<uint32_t> receive_interval_ms;   // 10..60000
    std::optional<uint32_t> transmit_interval_ms;  // 10..60000
    std::optional<uint32_t> detect_multiplier;     // 2..255
    std::optional<bool> passive;                   // session_mode = "passive"
    std::optional<uint32_t> minimum_ttl;           // 1..254
    Positions pos;

    bool has_parameters() const {
        return receive_interval_ms || transmit_interval_ms || detect_multiplier || passive ||
               minimum_ttl;
    }

    bool operator==(const Bfd&) const = default;
};

/// A BGP address family a neighbor is activated in (`address_families`).
enum class AddressFamily { Ipv4Unicast, Ipv6Unicast, L2vpnEvpn };

/// The TOML spelling: "ipv4_unicast", "ipv6_unicast", "l2vpn_evpn".
constexpr std::string_view to_string(AddressFamily f) {
    switch (f) {
        case AddressFamily::Ipv4Unicast:
            return "ipv4_unicast";
        case AddressFamily::Ipv6Unicast:
            return "ipv6_unicast";
        case AddressFamily::L2vpnEvpn:
            return "l2vpn_evpn";
    }
    return "";
}

/// How the neighbor is found: exactly one of `address`, `interface` and `listen_range`.
enum class PeerKind { Address, Interface, ListenRange };

struct Neighbor {
    std::optional<uint32_t> asn;  // exactly one of asn / type
    std::optional<PeerType> type;
    PeerKind kind = PeerKind::Address;
    IpAddress address;                            // PeerKind::Address
    std::string interface;                        // PeerKind::Interface: BGP unnumbered (RFC 5549)
    std::optional<IpPrefix> listen_range;         // PeerKind::ListenRange: dynamic neighbors
    std::vector<AddressFamily> address_families;  // empty: the defaults (plan/underlay.cpp)
    bool route_reflector_client = false;          // iBGP only
    std::optional<uint16_t> port;                 // 0..16384; absent = 179
    std::optional<std::string> password;
    std::optional<uint32_t> hold_time_seconds;       // both or none; hold 0 or >= 3
    std::optional<uint32_t> keepalive_time_seconds;  // keepalive <= hold
    std::optional<uint32_t> connect_time_seconds;    // 1..65535
    std::optional<uint32_t> ebgp_multihop_ttl;       // 1..255; set = ebgp-multihop enabled
    bool ebgp_multihop = false;                      // `ebgp_multihop = true` (no TTL)
    std::optional<Bfd> bfd;
    Positions pos;

    bool operator==(const Neighbor&) const = default;
};

/// Presence enables graceful restart. Defaults are FRR's and are never rendered.
struct GracefulRestart {
    uint32_t restart_time_seconds = 120;     // 1..4095
    uint32_t stale_path_time_seconds = 360;  // 1..4095
    Positions pos;

    bool operator==(const GracefulRestart&) const = default;
};

/// `[underlay.route_reflector]`: presence makes this node a route reflector.
struct RouteReflector {
    IpAddress cluster_id = *IpAddress::parse("192.0.2.1");  // outside router_id_cidr
    Positions pos;

    bool operator==(const RouteReflector&) const = default;
};

/// How a macvlan underlay link forwards between its siblings on the same parent (the kernel's
/// macvlan modes; "passthru" is left out: it takes the parent over, and the host keeps it).
enum class MacvlanMode { Bridge, Vepa, Private };

/// The TOML spelling, also the kernel's name of the mode.
constexpr std::string_view to_string(MacvlanMode m) {
    switch (m) {
        case MacvlanMode::Bridge:
            return "bridge";
        case MacvlanMode::Vepa:
            return "vepa";
        case MacvlanMode::Private:
            return "private";
    }
    return "";
}

/// `[underlay.macvlan]`: for nodes with one NIC. The host keeps `parent` and its addresses; the
/// router namespace gets a macvlan child of it named `name`, with its own MAC and addresses.
struct MacvlanUnderlay {
    std::string parent;  // a host NIC; it stays in the host
    std::string name;    // the child's name in the router namespace
    MacvlanMode mode = MacvlanMode::Bridge;
    std::optional<MacAddress> mac;    // absent = the kernel picks one
    std::vector<IpPrefix> addresses;  // static, at most one per family
    /// The IPv4 address comes from DHCP (a client in the router namespace: dhcp/client.hpp);
    /// `addresses` then holds no IPv4 address.
    bool dhcp = false;
    Positions pos;

    bool operator==(const MacvlanUnderlay&) const = default;
};

/// `[underlay.srv6]`: this node's SRv6 locator, the /64 its L3VPN SIDs are taken from (FRR 8.4
/// places a SID's function right after a /64 and advertises it at bit 64, so a locator is
/// exactly a /64). Exactly one of `locator` (written for this node) and `locator_pool` (node i
/// gets the i-th /64 of it, as the tunnel endpoint pools give addresses).
struct Srv6 {
    std::optional<IpPrefix> locator;
    std::optional<IpPrefix> locator_pool;
    Positions pos;

    bool operator==(const Srv6&) const = default;
};

struct Underlay {
    uint32_t asn = 0;
    std::vector<std::string> interfaces;     // host NICs moved into the router namespace
    std::optional<MacvlanUnderlay> macvlan;  // exactly one of interfaces / macvlan
    IpPrefix router_id_cidr = *IpPrefix::parse("10.0.0.0/24");
    std::vector<IpPrefix> tunnel_endpoint_cidrs;  // at most one per family
    std::vector<Neighbor> neighbors;
    std::optional<GracefulRestart> graceful_restart;
    std::optional<RouteReflector> route_reflector;
    std::optional<Srv6> srv6;  // presence enables SRv6 L3VPNs ([[l3vpn]])
    Positions pos;

    /// The links facing the fabric in the router namespace: the NICs moved in, or the macvlan.
    std::vector<std::string> fabric_links() const {
        if (macvlan)
            return {macvlan->name};
        return interfaces;
    }
    /// Where fabric_links() were written.
    SourcePos fabric_links_pos() const {
        return macvlan ? macvlan->pos.of("name") : pos.of("interfaces");
    }

    bool operator==(const Underlay&) const = default;
};

struct LocalCidr {
    std::optional<IpPrefix> ipv4;
    std::optional<IpPrefix> ipv6;

    bool operator==(const LocalCidr&) const = default;
};

/// One entry of `import_prefixes` / `export_prefixes`: "PREFIX [ge N] [le M]", as an FRR
/// prefix-list entry (a route matches when it is inside PREFIX and its length is PREFIX's, or
/// within ge..le when either is given).
struct PrefixFilter {
    IpPrefix prefix;
    std::optional<uint8_t> ge;
    std::optional<uint8_t> le;
    SourcePos pos;

    bool operator==(const PrefixFilter&) const = default;
};

/// The BGP session between the router and the host over a veth.
struct HostSession {
    uint32_t asn = 0;                  // ASN of the router side (`router bgp ASN vrf X`)
    std::optional<uint32_t> host_asn;  // exactly one of host_asn / host_type
    std::optional<PeerType> host_type;
    LocalCidr local_cidr;
    // What the host may announce into the VPN / what it learns from it. Absent: everything.
    std::optional<std::vector<PrefixFilter>> import_prefixes;
    std::optional<std::vector<PrefixFilter>> export_prefixes;
    Positions pos;

    bool operator==(const HostSession&) const = default;
};

struct L3Vni {
    std::string name;
    std::string vrf;
    uint32_t vni = 0;
    uint16_t vxlan_port = 4789;
    std::optional<Family> underlay_address_family;  // which VTEP to use; default IPv4 if present
    std::optional<HostSession> host_session;
    std::vector<std::string> export_rts;
    std::vector<std::string> import_rts;
    std::optional<std::string> rd;  // route distinguisher; absent = FRR's <router-id>:<n>
    bool default_gateway = false;   // the host's default route goes through this VNI's veth
    Positions pos;

    bool operator==(const L3Vni&) const = default;
};

/// `[[l3vpn]]`: a VRF whose routes travel as BGP VPNv4/VPNv6 with SRv6 SIDs instead of EVPN
/// over VXLAN. The host sees what an L3VNI gives it: one veth and, with a host session, one BGP
/// peer.
struct L3Vpn {
    std::string name;
    std::string vrf;
    /// 1..65535: names the veth (host-s-N / pe-s-N) and is the assigned number of the derived
    /// route distinguisher (<router-id>:N) and export route target (<underlay asn>:N).
    uint32_t rd_assigned_number = 0;
    std::optional<HostSession> host_session;
    std::vector<std::string> export_rts;  // empty: <underlay asn>:<rd_assigned_number>
    std::vector<std::string> import_rts;  // at least one
    std::optional<std::string> rd;        // absent: <router-id>:<rd_assigned_number>
    bool default_gateway = false;
    Positions pos;

    bool operator==(const L3Vpn&) const = default;
};

/// What the host end of an L2VNI's veth is plugged into: a Linux bridge (enslaved by netlink)
/// or an Open vSwitch bridge (a port added through OVSDB).
enum class HostMasterType { LinuxBridge, OvsBridge };

enum class HostMasterLifecycle { Managed, External };

/// The TOML spellings ("linux-bridge", "ovs-bridge"; "managed", "external").
std::string_view to_string(HostMasterType t);
std::string_view to_string(HostMasterLifecycle l);

struct HostMaster {
    HostMasterType type = HostMasterType::LinuxBridge;
    HostMasterLifecycle lifecycle = HostMasterLifecycle::Managed;
    std::optional<std::string> name;  // required for external, forbidden for managed
    // Its positions are its L2Vni's, under "host_master." (one table of positions per VNI).

    bool operator==(const HostMaster&) const = default;
};

struct L2Vni {
    std::string name;
    uint32_t vni = 0;
    uint16_t vxlan_port = 4789;
    std::optional<Family> underlay_address_family;
    std::optional<std::string> routing_domain;  // name of an [[l3vni]] or [[l3vpn]]; absent = L2
    std::vector<IpPrefix> gateway_ips;          // at most one per family, needs routing_domain
    std::optional<HostMaster> host_master;
    // EVPN route targets and distinguisher of the VNI; empty/absent = FRR's automatic values
    // (<asn>:<vni>, <router-id>:<n>). An import list replaces the automatic import RT.
    std::vector<std::string> export_rts;
    std::vector<std::string> import_rts;
    std::optional<std::string> rd;
    Positions pos;

    bool operator==(const L2Vni&) const = default;
};

struct Passthrough {
    HostSession host_session;
    Positions pos;

    bool operator==(const Passthrough&) const = default;
};

struct Node {
    std::optional<uint32_t> index;                    // exactly one of index /
    std::optional<std::string> index_from_interface;  // index_from_interface
    std::optional<IpPrefix> index_cidr;               // only with index_from_interface
    Positions pos;

    bool operator==(const Node&) const = default;
};

/// One thing `[online]` waits for: a route in the default-gateway VRF of its family that
/// covers it, with the next hop resolved (see reconcile/online.hpp).
struct OnlineTarget {
    IpPrefix prefix;  // an address is written as a host route
    SourcePos pos;

    bool operator==(const OnlineTarget&) const = default;
};

/// `[online]`: what "online" (perouterd-wait-online) waits for beyond an Established underlay.
struct Online {
    std::vector<OnlineTarget> targets;  // empty: the default route of each gateway family
    std::optional<IpAddress> probe;     // must answer ICMP echo through the host's default route
    Positions pos;

    bool operator==(const Online&) const = default;
};

/// `[[raw_frr]]`: FRR configuration appended to what perouterd renders, the escape hatch for
/// what the TOML keys do not cover. Blocks are appended in priority order (lower first, then
/// file order) and must be complete: every context they enter is opened in the block.
struct RawFrr {
    std::string name;
    uint32_t priority = 0;
    std::string config;
    Positions pos;

    bool operator==(const RawFrr&) const = default;
};

struct Config {
    Node node;
    std::optional<Underlay> underlay;
    std::vector<L3Vni> l3vnis;
    std::vector<L2Vni> l2vnis;
    std::vector<L3Vpn> l3vpns;
    std::optional<Passthrough> passthrough;
    std::optional<Online> online;
    std::vector<RawFrr> raw_frr;

    bool operator==(const Config&) const = default;
};

}  // namespace perouter::config
