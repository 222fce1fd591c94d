// The desired state: every kernel object, sysctl and the FRR configuration the router should
// have, as plain values with stable keys. A pure function of the Config plus a few observed
// facts (plan/planner.hpp); the diff compares it with what netlink observes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "config/model.hpp"
#include "frr/model.hpp"

namespace perouter::plan {

/// Which namespace an object lives in. "Host" is the node's own namespace (the one perouterd
/// runs in, or --host-netns in the lab); "Router" is the router namespace (--netns).
enum class Side { Host, Router };

constexpr std::string_view to_string(Side s) {
    return s == Side::Host ? "host" : "router";
}

/// Objects we own carry these marks, so that nothing else is ever touched.
inline constexpr uint32_t kUnderlayGroup = 4242;  // underlay NICs moved in (upstream's value)
// Links of ours marked for one batched delete (netlink/link.cpp); held only for that moment.
inline constexpr uint32_t kDeletingGroup = 4243;
// Host-side links we create carry this group from the create request itself, so a link is ours
// from its first moment; its alias (kLinkAlias) follows in a second request, and a perouterd
// killed between the two would otherwise leave a link that looks foreign forever.
inline constexpr uint32_t kCreatedGroup = 4244;
inline constexpr uint8_t kRouteProtocol = 210;  // routes we add ("perouter" in rt_protos.d)
inline constexpr std::string_view kLinkAlias = "perouter";  // IFLA_IFALIAS of host-side links
/// Metric of the unreachable default route in each VRF: high, so that a default route learned
/// from the fabric (metric 20) wins and the VRF never falls through to the main table.
inline constexpr uint32_t kVrfUnreachableMetric = 4278198272;

enum class LinkKind { Bridge, Vxlan, Veth, Vrf, Macvlan };

/// The kernel's IFLA_INFO_KIND for the kind.
constexpr std::string_view to_string(LinkKind k) {
    switch (k) {
        case LinkKind::Bridge:
            return "bridge";
        case LinkKind::Vxlan:
            return "vxlan";
        case LinkKind::Veth:
            return "veth";
        case LinkKind::Vrf:
            return "vrf";
        case LinkKind::Macvlan:
            return "macvlan";
    }
    return "";
}

struct VxlanAttrs {
    uint32_t vni = 0;
    IpAddress local;
    uint16_t port = 4789;
    bool learning = false;
    friend bool operator==(const VxlanAttrs&, const VxlanAttrs&) = default;
};

/// A macvlan in the router namespace whose parent is a link of the host namespace (the
/// underlay of a single-NIC node): created from the host side straight into the router.
struct MacvlanAttrs {
    std::string parent;  // in the host namespace
    config::MacvlanMode mode = config::MacvlanMode::Bridge;
    friend bool operator==(const MacvlanAttrs&, const MacvlanAttrs&) = default;
};

/// Bridge port settings of a link enslaved to a bridge.
struct BridgePortAttrs {
    bool learning = true;
    bool neigh_suppress = false;
    friend bool operator==(const BridgePortAttrs&, const BridgePortAttrs&) = default;
};

/// A link we create and own. A veth pair is one LinkSpec (kind Veth, the end named `name` in
/// `side`) plus a second LinkSpec of kind Veth for the peer end that names the first as its
/// peer; the executor creates both ends at once.
/// IPv6 on a link we create. The router namespace gives new links IPv6 off (its
/// net.ipv6.conf.default.disable_ipv6 = 1, plan/planner.cpp): a bridge port hands every frame to
/// its bridge, and IPv6 on a link adds routes the kernel walks whole whenever any link comes up,
/// goes or changes its MTU, so only the links that route or learn get it.
enum class Ipv6 {
    AsCreated,  ///< left as the kernel made it (host-side links that are not bridge ports)
    Off,        ///< disable_ipv6 = 1 before the link comes up
    On,         ///< disable_ipv6 = 0 before the link comes up
};

struct LinkSpec {
    Side side = Side::Router;
    std::string name;
    LinkKind kind = LinkKind::Bridge;
    std::optional<std::string> master;  // by name, in the same namespace
    std::optional<uint32_t> mtu;        // absent = leave the kernel default
    std::optional<MacAddress> mac;      // absent = leave the kernel's choice
    bool up = true;
    bool addr_gen_mode_none = false;  // no IPv6 link-local address
    /// net.ipv6.conf.<name>.disable_ipv6 (plan/planner.cpp, `plan_ipv6`).
    Ipv6 ipv6 = Ipv6::AsCreated;
    std::optional<uint32_t> vrf_table;           // kind Vrf
    std::optional<VxlanAttrs> vxlan;             // kind Vxlan
    std::optional<MacvlanAttrs> macvlan;         // kind Macvlan
    std::optional<std::string> veth_peer;        // kind Veth: the other end's name
    std::optional<Side> veth_peer_side;          // kind Veth
    std::optional<BridgePortAttrs> bridge_port;  // when master is a bridge
    /// A port of an Open vSwitch bridge (DesiredState::ovs_ports): OVS, not netlink, decides
    /// its kernel master (ovs-system with the kernel datapath, none with the userspace one),
    /// so the diff leaves the master alone. `master` is then empty.
    bool ovs_port = false;
    std::string owner;  // VPN name, "underlay" or "passthrough": for logs and status
    friend bool operator==(const LinkSpec&, const LinkSpec&) = default;
};

/// A link that must exist and that we do not own (an external host bridge, an underlay NIC):
/// we only attach to it or move it, never create or delete it.
struct ExternalLink {
    Side side = Side::Host;
    std::string name;
    std::string owner;
    friend bool operator==(const ExternalLink&, const ExternalLink&) = default;
};

/// Open vSwitch datapath of a bridge perouter creates: the kernel module ("system", OVS's
/// default) or the userspace datapath ("netdev", for OVS-DPDK hosts and hosts without the
/// openvswitch module).
enum class OvsDatapath { System, Netdev };

constexpr std::string_view to_string(OvsDatapath d) {
    return d == OvsDatapath::System ? "system" : "netdev";
}

/// Who owns the OVS bridge a port goes on: perouter (created and deleted with the L2VNI, named
/// br-hs-<vni>) or the operator (must exist; only our port is added and removed).
enum class OvsBridgeLifecycle { Managed, External };

/// Objects perouter creates in OVSDB carry external_ids:created-by=perouter; only bridges and
/// ports with this mark (and our name patterns) are ever changed or deleted
/// (reconcile/ovs_observed.hpp). Upstream marks its bridges created-by=openperouter.
inline constexpr std::string_view kOvsCreatedByKey = "created-by";
inline constexpr std::string_view kOvsCreatedBy = "perouter";

/// The host end of an L2VNI's veth as a port of an OVS bridge (host_master type "ovs-bridge").
/// The port has one interface of the same name, the veth itself.
struct OvsPortSpec {
    std::string bridge;  // br-hs-<vni> (managed) or the configured name (external)
    OvsBridgeLifecycle lifecycle = OvsBridgeLifecycle::Managed;
    OvsDatapath datapath = OvsDatapath::System;  // of a managed bridge
    std::string port;                            // host-e-<vni>
    std::string owner;
    friend bool operator==(const OvsPortSpec&, const OvsPortSpec&) = default;
};

struct AddressSpec {
    Side side = Side::Router;
    std::string link;
    IpPrefix prefix;  // address with its prefix length, e.g. 192.169.10.1/24
    std::string owner;
    friend bool operator==(const AddressSpec&, const AddressSpec&) = default;
};

enum class RouteType { Unicast, Unreachable };

struct RouteSpec {
    Side side = Side::Router;
    uint32_t table = 254;  // RT_TABLE_MAIN
    IpPrefix dst;
    RouteType type = RouteType::Unicast;
    std::optional<IpAddress> gateway;
    std::optional<std::string> dev;
    uint32_t metric = 0;
    std::string owner;
    friend bool operator==(const RouteSpec&, const RouteSpec&) = default;
};

/// The metric the kernel keeps for `r`: it stores an IPv6 route added with metric 0 as 1024
/// (IP6_RT_PRIO_USER), so that is what an observed route of ours carries.
inline uint32_t kernel_metric(const RouteSpec& r) {
    return r.metric == 0 && !r.dst.is_v4() ? 1024 : r.metric;
}

struct SysctlSpec {
    Side side = Side::Router;
    std::string key;  // path under /proc/sys, e.g. "net/ipv4/conf/all/forwarding"
    std::string value;
    bool optional = false;  // the kernel may lack it (older kernel, module not loaded): skipped
    friend bool operator==(const SysctlSpec&, const SysctlSpec&) = default;
};

/// The interface a per-interface sysctl key names ("net/ipv4/conf/<if>/rp_filter",
/// "net/ipv6/neigh/<if>/..."); nullopt for other keys and for "all" and "default".
std::optional<std::string> sysctl_interface(std::string_view key);

/// The per-interface sysctl that turns IPv6 off or on on `link` (LinkSpec::ipv6).
std::string ipv6_disable_key(std::string_view link);

/// A DHCP client (dhcp/client.hpp) leasing the IPv4 address of a router-side link. The diff
/// leaves that link's IPv4 addresses to it.
struct DhcpClientSpec {
    std::string link;
    friend bool operator==(const DhcpClientSpec&, const DhcpClientSpec&) = default;
};

struct DesiredState {
    /// Host NICs moved into the router namespace (group kUnderlayGroup, up, addresses kept).
    std::vector<std::string> underlay_nics;
    /// Addresses on the router namespace's `lo` (VTEPs), also listed in `addresses`.
    std::vector<LinkSpec> links;  // in creation order (masters before their ports)
    std::vector<ExternalLink> external_links;
    std::vector<OvsPortSpec> ovs_ports;  // applied through OVSDB (ovs/), not netlink
    std::vector<AddressSpec> addresses;
    std::vector<RouteSpec> routes;
    std::vector<SysctlSpec> sysctls;
    std::optional<DhcpClientSpec> dhcp;  // the macvlan underlay's `dhcp = true`
    frr::Model frr;
    std::string frr_config;  // frr::render(frr)

    uint32_t node_index = 0;
    std::string router_id;
};

/// Facts about the live system the plan depends on; gathered by the edge before planning so
/// that planning itself stays pure.
struct Facts {
    /// Smallest MTU of the underlay NICs; 0 when unknown (veth MTUs are then left alone).
    uint32_t underlay_mtu = 0;
    /// VRF name -> routing table of VRFs that already exist, so they keep their table.
    std::map<std::string, uint32_t> vrf_tables;
    /// Node index read from `[node] index_from_interface`, when configured.
    std::optional<uint32_t> node_index;
};

}  // namespace perouter::plan
