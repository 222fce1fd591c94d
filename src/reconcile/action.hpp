// Actions: the small, ordered steps that turn the observed state into the desired one. Each is
// a plain value so that `perouterctl diff` can print them and tests can compare them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/ip.hpp"
#include "plan/desired.hpp"
#include "plan/kernel_kind.hpp"

namespace perouter::reconcile {

using plan::Side;

/// Actions run phase by phase, in this order. The daemon observes and diffs again before each
/// phase, because executing one phase changes what the next one sees (a recreated master
/// releases its ports; enslaving a link to a VRF drops its IPv6 addresses).
enum class Phase {
    Underlay,   ///< sysctls, router lo up, underlay NIC moves, VTEP addresses on lo
    Remove,     ///< routes, addresses, then links that are no longer desired (ports first)
    Links,      ///< link creations and changes, masters before their ports
    Addresses,  ///< addresses and routes, once their links are there
};
inline constexpr Phase kPhases[] = {Phase::Underlay, Phase::Remove, Phase::Links, Phase::Addresses};

std::string_view to_string(Phase p);

/// Creates one link, or both ends of a veth pair in one request (`peer` set), with what the
/// kernel takes in the create request (master, up, group, MTU, MAC); the rest (alias,
/// addr_gen_mode, bridge-port flags) follows in one change, and `up` after addr_gen_mode none
/// (netlink/ops.hpp). A new bridge and its new ports are created down and set up by
/// ModifyLinks once the ports have joined it, the bridge first (reconcile/diff.cpp).
struct CreateLink {
    plan::LinkSpec spec;
    std::optional<plan::LinkSpec> peer;  ///< kind Veth: the other end
};

/// Changes only the attributes that differ; every field left empty is left alone.
struct ModifyLink {
    Side side = Side::Router;
    std::string name;
    /// For messages. Only a link of the desired kind is changed in place (diff.cpp), so this
    /// is both the observed and the desired kind.
    plan::LinkKind kind = plan::LinkKind::Bridge;
    std::optional<std::string> master;  ///< new master; "" releases the link from its master
    std::optional<uint32_t> mtu;
    std::optional<MacAddress> mac;
    std::optional<bool> up;
    std::optional<plan::BridgePortAttrs> bridge_port;
    bool addr_gen_mode_none = false;  ///< switch to addr_gen_mode none
    std::optional<bool> ipv6_off;     ///< net.ipv6.conf.<name>.disable_ipv6, before `up`
    std::optional<std::string> alias;
};

struct DeleteLink {
    Side side = Side::Router;
    std::string name;
    plan::KernelKind kind = plan::KernelKind::None;  ///< as observed: orders the deletions
    std::string other_kind;  ///< kind Other: the IFLA_INFO_KIND, for messages
    std::string reason;      ///< why, for messages: "not desired", "recreate: dstport 4789 -> 4790"
};

/// For messages: what is deleted, e.g. "veth", "dummy", or "link" for a link without a kind.
std::string_view link_noun(const DeleteLink& d);

struct AddAddress {
    Side side = Side::Router;
    std::string link;
    IpPrefix prefix;
};

struct DeleteAddress {
    Side side = Side::Router;
    std::string link;
    IpPrefix prefix;
};

struct AddRoute {
    plan::RouteSpec route;
};

struct DeleteRoute {
    plan::RouteSpec route;
};

struct SetSysctl {
    Side side = Side::Router;
    std::string key;  ///< path under /proc/sys
    std::string value;
    std::optional<std::string> old_value;  ///< for messages
};

/// Saves the NIC's addresses, MTU, up state and routes to the state directory, moves it into
/// the router namespace, sets group kUnderlayGroup, re-adds its addresses and sets it up. Also
/// finishes an interrupted move (NIC already in the router namespace).
struct MoveNicIn {
    std::string nic;
};

/// Moves a NIC of group kUnderlayGroup back to the host and restores the saved state.
struct MoveNicOut {
    std::string nic;
};

struct SetRouterLoUp {};

using Operation =
    std::variant<CreateLink, ModifyLink, DeleteLink, AddAddress, DeleteAddress, AddRoute,
                 DeleteRoute, SetSysctl, MoveNicIn, MoveNicOut, SetRouterLoUp>;

struct Action {
    Phase phase = Phase::Links;
    std::string owner;  ///< VPN name, "underlay", "passthrough", or "" for leftovers
    Operation op;
};

/// One readable line, e.g.
/// "create vxlan vni110 in router: id 110 local 100.65.0.0 dstport 4789 nolearning".
std::string describe(const Action& action);

}  // namespace perouter::reconcile
