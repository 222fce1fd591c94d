// Kernel object names derived from configuration. Kept here so that the planner, the netlink
// observer and the CLI agree on them (they match the upstream Open PE Router's names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace perouter::config {

/// IFNAMSIZ - 1: the longest name the kernel accepts for a link.
inline constexpr size_t kMaxInterfaceName = 15;
/// The largest VNI (24 bits).
inline constexpr uint32_t kMaxVni = 16777215;

/// Passthrough veth: host end and router-namespace end.
inline constexpr std::string_view kPassthroughHostVeth = "pt-host";  // both start with "pt-"
inline constexpr std::string_view kPassthroughRouterVeth = "pt-ns";
/// The macvlan underlay link in the router namespace when `[underlay.macvlan] name` is not set.
inline constexpr std::string_view kDefaultMacvlanName = "underlay";

/// The prefixes of the numbered names below, "<prefix><vni>". Each pattern is written here
/// only: the namers, reserved_name_problem(), the ownership rules (reconcile/observed.cpp,
/// reconcile/ovs_observed.cpp) and the daemon's filter of link events use these.
inline constexpr std::string_view kRouterBridgePrefix = "br-pe-";
inline constexpr std::string_view kVxlanPrefix = "vni";
inline constexpr std::string_view kRouterVethPrefix = "pe-e-";
inline constexpr std::string_view kHostVethPrefix = "host-e-";
inline constexpr std::string_view kHostBridgePrefix = "br-hs-";
/// An [[l3vpn]]'s veth, "<prefix><rd_assigned_number>" (upstream's SRv6 L3VPN names).
inline constexpr std::string_view kL3VpnRouterVethPrefix = "pe-s-";
inline constexpr std::string_view kL3VpnHostVethPrefix = "host-s-";

std::string bridge_name(uint32_t vni);           ///< "br-pe-<vni>", in the router namespace
std::string vxlan_name(uint32_t vni);            ///< "vni<vni>", in the router namespace
std::string host_veth_name(uint32_t vni);        ///< "host-e-<vni>", host end of the VNI veth
std::string router_veth_name(uint32_t vni);      ///< "pe-e-<vni>", router end of the VNI veth
std::string host_bridge_name(uint32_t vni);      ///< "br-hs-<vni>", managed host bridge of an L2VNI
std::string l3vpn_host_veth_name(uint32_t n);    ///< "host-s-<n>", host end of an L3VPN veth
std::string l3vpn_router_veth_name(uint32_t n);  ///< "pe-s-<n>", router end of an L3VPN veth

/// `<prefix><n>` with n a non-empty run of decimal digits.
bool has_numbered_name(std::string_view name, std::string_view prefix);
/// A name perouter gives its links in the router namespace: `br-pe-<n>`, `vni<n>`,
/// `pe-e-<n>`, `pe-s-<n>`, `pt-ns`.
bool is_router_link_name(std::string_view name);
/// A name perouter gives its links in the host: `host-e-<n>`, `host-s-<n>`, `br-hs-<n>`,
/// `pt-host`.
bool is_host_link_name(std::string_view name);

/// Why `name` cannot be a Linux interface name ("longer than 15 characters"), or nullopt when
/// it can. The rule is upstream's: `^[a-zA-Z][a-zA-Z0-9._-]*$`, at most 15 characters.
std::optional<std::string> interface_name_problem(std::string_view name);

/// Why `name` must not be used for a link the operator names (a VRF, an external host bridge):
/// "lo" and the name patterns of the links perouter creates, which its cleanup removes when
/// they are not configured. nullopt when the name is free.
std::optional<std::string> reserved_name_problem(std::string_view name);

/// Why `name` must not name a VRF: reserved_name_problem(), or a name FRR or the kernel's
/// routing tables give a meaning of their own ("default" is FRR's default VRF; "main",
/// "local", "default" and "unspec" are the names of iproute2's reserved tables). nullopt when
/// the name is free.
std::optional<std::string> vrf_name_problem(std::string_view name);

}  // namespace perouter::config
