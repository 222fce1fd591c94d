// Internal to the executor and observer: one function family per object kind, each in its own
// file (bridge.cpp, vxlan.cpp, veth.cpp, vrf.cpp, address.cpp, route.cpp, sysctl.cpp,
// underlay.cpp), plus the steps every link shares (link.cpp).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "netlink/executor.hpp"
#include "netlink/namespaces.hpp"
#include "netlink/nl.hpp"
#include "plan/desired.hpp"
#include "reconcile/action.hpp"

namespace perouter::netlink::ops {

// --- link.cpp: create, change, delete ---------------------------------------------------

/// What can be set on an existing link. Applied as: attributes (mtu, mac, alias,
/// addr_gen_mode, master) in one request, then bridge-port flags (they need the master), then
/// the up/down flag last, so that addr_gen_mode none is in place before IPv6 starts.
struct LinkSettings {
    std::optional<std::string> master;  ///< "" releases
    std::optional<uint32_t> mtu;
    std::optional<MacAddress> mac;
    std::optional<std::string> alias;
    bool addr_gen_mode_none = false;
    std::optional<plan::BridgePortAttrs> bridge_port;
    std::optional<bool> up;
};

Status configure_link(nl_sock* sock, const std::string& name, const LinkSettings& s);

// --- link.cpp: a new link, in as few requests as the kernel allows ------------------------
//
// What a create request (RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL) can carry, from
// net/core/rtnetlink.c (6.18: rtnl_create_link, rtnl_newlink_create): the kernel applies
// IFLA_MTU, IFLA_ADDRESS, IFLA_GROUP and the kind's IFLA_INFO_DATA while it builds the device,
// then ifi_flags (IFF_UP; this sends the link's first RTM_NEWLINK), then IFLA_MASTER. It
// ignores IFLA_IFALIAS, rejects IFLA_AF_SPEC (the device has no IPv6 state yet: EAFNOSUPPORT)
// and never reads IFLA_INFO_SLAVE_DATA (only a change of an existing port does). So a new link
// takes at most three requests: the create request; one change with the rest (alias,
// addrgenmode, bridge-port flags unless they are a new port's defaults, the master and up of a
// veth's peer end); and `up` last when it cannot come earlier. A change applies the bridge-port
// flags first (they need the master), then the alias, the up flag, the master and the IPv6
// settings last (do_setlink), so `up` shares that change only when addrgenmode is not in it and
// no VRF is joined by it.

/// The master a new link joins, looked up in the link's namespace.
struct MasterRef {
    int ifindex = 0;
    bool vrf = false;  ///< a VRF takes a port that is up down and up again when it joins
};
/// The master `spec` names (nullopt when none).
Result<std::optional<MasterRef>> lookup_master(nl_sock* sock, const plan::LinkSpec& spec);

/// What a create request carries for a link besides its name, group (host side), MTU and MAC.
struct InCreate {
    bool master = false;
    bool up = false;
};
/// For the device a create request is about: its master, and up unless it must not be up yet
/// (addrgenmode none, or IPv6 off, must be in place before IPv6 starts on the link; a VRF takes
/// a port that is up down and up again). A veth's peer end takes neither: IFLA_MASTER among the
/// peer's attributes is not looked at, and the kernel opens the peer before the two ends are joined
/// (veth_open: ENOTCONN).
InCreate in_create(const plan::LinkSpec& spec, const std::optional<MasterRef>& master);
void set_create_attrs(rtnl_link* link, const plan::LinkSpec& spec,
                      const std::optional<MasterRef>& master, InCreate in);
/// The requests after the create request: the alias and everything it did not carry.
Status finish_create(nl_sock* sock, const plan::LinkSpec& spec,
                     const std::optional<MasterRef>& master, InCreate in);

/// IPv6 off or on on a link (LinkSpec::ipv6) before finish_create() brings it up. The kernel
/// has no netlink attribute for it: the link's sysctl, written in its namespace.
Status set_link_ipv6(const Namespaces& ns, plan::Side side, const std::string& link, bool off);

Status create_link(const Namespaces& ns, const reconcile::CreateLink& c);
Status modify_link(const Namespaces& ns, const reconcile::ModifyLink& m);
Status delete_link(const Namespaces& ns, const reconcile::DeleteLink& d);
/// Deletes links of one side (all `ds` share it) with one request: each is checked as
/// delete_link does and marked with group plan::kDeletingGroup, then one RTM_DELLINK deletes
/// the group, so the kernel unregisters them together instead of paying a grace period per
/// link. Falls back to one delete_link per link when the group holds anything not marked here
/// or the group request fails.
DeleteLinksResult delete_links(const Namespaces& ns, const std::vector<reconcile::DeleteLink>& ds);
Status set_router_lo_up(const Namespaces& ns);

// --- per kind: the link object of a create request ---------------------------------------

LinkPtr new_bridge();
/// rtnl_link_add() for a link from new_bridge(): a bridge with forward delay 0 (bridge.cpp).
int add_bridge(nl_sock* sock, rtnl_link* link);
Result<LinkPtr> new_vxlan(const plan::VxlanAttrs& v);
LinkPtr new_vrf(uint32_t table);
/// Both ends in one request: `a` in its side, `b` moved to its side by the same request.
Status create_veth_pair(const Namespaces& ns, const plan::LinkSpec& a, const plan::LinkSpec& b);
/// A router-side macvlan of a host link, in one request from the host side (macvlan.cpp).
Status create_macvlan(const Namespaces& ns, const plan::LinkSpec& spec);
/// The mode of a macvlan link, nullopt for other kinds and modes we never create.
std::optional<config::MacvlanMode> macvlan_mode(rtnl_link* link);

// --- bridge.cpp: bridge-port flags (AF_BRIDGE, IFLA_PROTINFO) -----------------------------

Status set_bridge_port(nl_sock* sock, int ifindex, const plan::BridgePortAttrs& p);
/// ifindex -> flags of every bridge port in the socket's namespace.
Result<std::map<int, plan::BridgePortAttrs>> dump_bridge_ports(nl_sock* sock);

// --- address.cpp ---------------------------------------------------------------------------

/// An address as the kernel reports it.
struct KernelAddress {
    int ifindex = 0;
    IpPrefix prefix;
    std::optional<IpAddress> broadcast;
};
/// Every address in the socket's namespace except IPv6 link-local ones.
Result<std::vector<KernelAddress>> dump_addresses(nl_sock* sock);

struct AddressOptions {
    bool nodad = false;  ///< skip IPv6 duplicate address detection
    std::optional<IpAddress> broadcast;
};
Status add_address(nl_sock* sock, int ifindex, const IpPrefix& prefix, const AddressOptions& opt);
Status add_address(const Namespaces& ns, const reconcile::AddAddress& a);
Status delete_address(const Namespaces& ns, const reconcile::DeleteAddress& a);

// --- route.cpp -----------------------------------------------------------------------------

/// A route as the kernel reports it (first next hop only; we never create multipath routes).
struct KernelRoute {
    uint32_t table = 254;
    IpPrefix dst;
    uint8_t type = 1;  ///< RTN_UNICAST
    std::optional<IpAddress> gateway;
    int oif = 0;
    uint32_t metric = 0;
    uint8_t protocol = 0;
    uint8_t scope = 0;
};
Result<std::vector<KernelRoute>> dump_routes(nl_sock* sock);
/// Adds a route exactly as given (NLM_F_EXCL: an existing one is an error, EEXIST).
Status add_kernel_route(nl_sock* sock, const KernelRoute& r);

Status add_route(const Namespaces& ns, const plan::RouteSpec& r);
Status delete_route(const Namespaces& ns, const plan::RouteSpec& r);

// --- sysctl.cpp ----------------------------------------------------------------------------

/// Reads /proc/sys/<key> in the calling thread's namespace; nullopt when it does not exist.
Result<std::optional<std::string>> read_sysctl(const std::string& key);
Status set_sysctl(const Namespaces& ns, const reconcile::SetSysctl& s);

// --- underlay.cpp --------------------------------------------------------------------------

Status move_nic_in(const Namespaces& ns, const std::string& nic,
                   const std::filesystem::path& state_dir);
Status move_nic_out(const Namespaces& ns, const std::string& nic,
                    const std::filesystem::path& state_dir);

}  // namespace perouter::netlink::ops
