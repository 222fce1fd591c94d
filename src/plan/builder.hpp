// Shared state of one planning run; each object kind adds its part in its own file.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "config/model.hpp"
#include "plan/addressing.hpp"
#include "plan/desired.hpp"

namespace perouter::plan::detail {

struct Builder {
    const config::Config& cfg;
    const Facts& facts;
    DesiredState& out;
    uint32_t node_index = 0;
    IpAddress router_id;
    std::optional<IpAddress> vtep_v4;
    std::optional<IpAddress> vtep_v6;
    VrfTableAllocator tables;
    OvsDatapath ovs_datapath = OvsDatapath::System;
    const std::set<std::string>* l2vni_objects = nullptr;  // Options::l2vni_objects

    /// The VTEP a VNI uses: the requested family, else IPv4 when present, else IPv6.
    Result<IpAddress> vtep_for(const std::optional<Family>& requested) const;
    /// MTU for a VNI's veths given its VTEP.
    std::optional<uint32_t> mtu_for(const IpAddress& vtep) const {
        return vni_mtu(facts.underlay_mtu, vtep.family());
    }
};

Status plan_underlay(Builder& b);
Status plan_l3vnis(Builder& b);
Status plan_l3vpns(Builder& b);
Status plan_l2vnis(Builder& b);
Status plan_passthrough(Builder& b);

/// Shared by L3VNI host sessions and the passthrough: the FRR view of the host peer.
frr::HostNeighbor host_neighbor(const config::HostSession& hs, const IpAddress& host_addr,
                                uint32_t local_asn);

/// The route maps of a host session's prefix filters (import_prefixes: what the router accepts
/// from the host, export_prefixes: what it sends), added to the FRR model once per session and
/// set on `n`. `domain` names them: the VRF, or "default" for the passthrough.
void apply_host_filters(Builder& b, const config::HostSession& hs, const std::string& domain,
                        std::vector<frr::HostNeighbor>& neighbors);

/// How a VNI's bridge differs between L2VNIs and L3VNIs.
struct VniBridge {
    std::optional<std::string> vrf;   // the bridge's master
    std::optional<MacAddress> mac;    // an L2VNI's anycast gateway MAC
    bool addr_gen_mode_none = false;  // an L3VNI's bridge has no IPv6 link-local address
};

/// A VNI's bridge br-pe-<vni> and its VXLAN device vni<vni> as the bridge's port (no learning,
/// neighbour suppression: EVPN fills the FDB), in the router namespace, in this order.
void add_vni_bridge(Builder& b, uint32_t vni, const IpAddress& vtep, uint16_t vxlan_port,
                    const VniBridge& bridge, const std::string& owner);

/// The name of this node's locator in FRR (zebra's `locator NAME`, bgpd's `locator NAME`).
inline constexpr std::string_view kSrv6LocatorName = "perouter";

/// Which families get an unreachable default in a VRF's table (add_vrf()).
enum class VrfDefaults {
    Both,
    // SRv6: after H.Encaps the kernel looks the SID up with the VRF as input device, so in the
    // VRF's table first; an IPv6 unreachable default there would drop every encapsulated packet.
    Ipv4Only,
};

/// An L3VNI's or L3VPN's VRF device, and the unreachable defaults of its table.
void add_vrf(Builder& b, const std::string& vrf, uint32_t table, const std::string& owner,
             VrfDefaults defaults = VrfDefaults::Both);

/// A host session's veth addresses, BGP neighbours, /32 and /128 announcements and the host's
/// default route when `default_gateway`: the part L3VNI and L3VPN share.
Status add_host_session(Builder& b, const config::HostSession& hs, const std::string& host_if,
                        const std::string& router_if, bool default_gateway,
                        const std::string& owner, frr::Vrf& fv);

/// The gateway subnets of the L2VNIs whose routing_domain is `domain` (an L3VNI's or L3VPN's
/// name), announced from its VRF instance.
void add_gateway_networks(const config::Config& cfg, const std::string& domain, frr::Vrf& fv);

/// The pair of veth LinkSpecs (host end first). `router_master` enslaves the router end.
void add_veth_pair(Builder& b, const std::string& host_name, const std::string& router_name,
                   const std::optional<uint32_t>& mtu,
                   const std::optional<std::string>& host_master,
                   const std::optional<std::string>& router_master, const std::string& owner);

}  // namespace perouter::plan::detail
