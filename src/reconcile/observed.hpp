// What netlink and /proc/sys report about the two namespaces, as plain values. Filled by
// netlink::observe(), compared with the DesiredState by reconcile::diff(). Hand-made in tests.
//
// Ownership: perouter modifies or deletes only objects it owns, and these rules are the only
// place that decides what that means.
//   Router namespace (everything in it is observed, only these are ours):
//     - links named `br-pe-<n>`, `vni<n>`, `pe-e-<n>` (n = decimal VNI) and `pt-ns`;
//     - every VRF device (nobody else creates VRFs in the router namespace);
//     - links in group kUnderlayGroup: underlay NICs we moved in. They are moved back to the
//       host, never deleted, and their addresses are not managed by the diff;
//     - addresses on `lo` other than 127.0.0.1/8 and ::1/128 (the VTEPs).
//   Host namespace (observed: our links plus the links the desired state references):
//     - links named `host-e-<n>`, `br-hs-<n>` and `pt-host`, but only when their ifalias is
//       kLinkAlias or their group is kCreatedGroup; the executor puts the group in the create
//       request itself and sets the alias right after. A same-named link with neither belongs
//       to someone else.
//   Both namespaces:
//     - addresses on owned links (never IPv6 link-local ones, which the kernel manages, and
//       never those on a managed host bridge `br-hs-<n>`, which belong to the host);
//     - routes with protocol kRouteProtocol (only those are observed).
// Nothing else is ever modified or deleted; a desired link whose name is taken by a foreign
// link is reported as a problem and left alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ip.hpp"
#include "plan/desired.hpp"
#include "plan/kernel_kind.hpp"

namespace perouter::reconcile {

using plan::Side;

struct ObservedLink {
    Side side = Side::Router;
    int ifindex = 0;
    std::string name;
    plan::KernelKind kind = plan::KernelKind::None;  ///< IFLA_INFO_KIND; None for NICs and lo
    std::string other_kind;  ///< kind Other: the IFLA_INFO_KIND, for messages; "" otherwise
    std::optional<std::string> master;  ///< master's name, in the same namespace
    uint32_t mtu = 0;
    std::optional<MacAddress> mac;
    bool up = false;  ///< IFF_UP (administrative state)
    uint32_t group = 0;
    std::string alias;  ///< IFLA_IFALIAS, "" when unset
    bool addr_gen_mode_none = false;
    /// net.ipv6.conf.<name>.disable_ipv6, read for our links with a master (the only ones the
    /// plan turns IPv6 off on); absent when not read or when the link has no IPv6 state at all.
    std::optional<bool> ipv6_off;
    std::optional<uint32_t> vrf_table;                ///< kind Vrf
    std::optional<plan::VxlanAttrs> vxlan;            ///< kind Vxlan
    std::optional<config::MacvlanMode> macvlan_mode;  ///< kind Macvlan
    /// kind Macvlan: IFLA_LINK, the parent's ifindex in the namespace the parent lives in
    /// (the host's, for the macvlan underlay); 0 when unknown.
    int parent_ifindex = 0;
    std::optional<plan::BridgePortAttrs> bridge_port;  ///< when enslaved to a bridge
    /// kind Veth: the other end, when it was observed and both ends name each other.
    /// Absent when the peer is in a namespace we do not look at.
    std::optional<std::string> veth_peer;
    std::optional<Side> veth_peer_side;
};

struct ObservedAddress {
    Side side = Side::Router;
    std::string link;
    IpPrefix prefix;
};

struct ObservedRoute {
    Side side = Side::Router;
    uint32_t table = 254;
    IpPrefix dst;
    plan::RouteType type = plan::RouteType::Unicast;
    std::optional<IpAddress> gateway;
    std::optional<std::string> dev;  ///< absent for unreachable routes
    uint32_t metric = 0;
    uint8_t protocol = plan::kRouteProtocol;
};

struct Observed {
    bool router_ns_exists = false;
    std::vector<ObservedLink> links;
    std::vector<ObservedAddress> addresses;  ///< IPv6 link-local addresses are left out
    std::vector<ObservedRoute> routes;       ///< protocol kRouteProtocol only
    /// (side, key under /proc/sys) -> value with whitespace normalised; a key that does not
    /// exist on this kernel is absent.
    std::map<std::pair<Side, std::string>, std::string> sysctls;

    const ObservedLink* link(Side side, std::string_view name) const;
};

/// The ownership rules above, for one link.
bool is_owned(const ObservedLink& link);
/// An underlay NIC we moved into the router namespace.
bool is_underlay_nic(const ObservedLink& link);
/// Whether an address on `link` (owned or not) may be deleted when it is not desired.
bool is_owned_address(const ObservedAddress& addr, const Observed& observed);

/// Trims and collapses whitespace the way /proc/sys prints multi-value entries ("4096\t87380").
std::string normalize_sysctl(std::string_view value);

}  // namespace perouter::reconcile
