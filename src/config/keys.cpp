#include "config/keys.hpp"

#include <algorithm>

namespace perouter::config {

bool KeyTable::accepts(std::string_view key) const {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

namespace keys {

namespace {
// The host session has the same shape under [[l3vni]] and [passthrough].
const std::vector<std::string_view> kHostSessionKeys = {
    "asn", "host_asn", "host_type", "local_cidr", "import_prefixes", "export_prefixes"};
const std::vector<std::string_view> kLocalCidrKeys = {"ipv4", "ipv6"};
}  // namespace

const KeyTable kRoot{
    "",
    "the top-level table",
    {"node", "underlay", "l3vni", "l2vni", "l3vpn", "passthrough", "online", "raw_frr"}};
const KeyTable kNode{"node", "[node]", {"index", "index_from_interface", "index_cidr"}};
const KeyTable kUnderlay{"underlay",
                         "[underlay]",
                         {"asn", "interfaces", "router_id_cidr", "tunnel_endpoint_cidrs",
                          "neighbors", "graceful_restart", "route_reflector", "macvlan", "srv6"}};
const KeyTable kNeighbor{"underlay.neighbors[]",
                         "[[underlay.neighbors]]",
                         {"asn", "type", "address", "interface", "listen_range", "port", "password",
                          "hold_time_seconds", "keepalive_time_seconds", "connect_time_seconds",
                          "ebgp_multihop", "bfd", "address_families", "route_reflector_client"}};
const KeyTable kBfd{"underlay.neighbors[].bfd",
                    "[underlay.neighbors.bfd]",
                    {"receive_interval_ms", "transmit_interval_ms", "detect_multiplier",
                     "session_mode", "minimum_ttl"}};
const KeyTable kGracefulRestart{"underlay.graceful_restart",
                                "[underlay.graceful_restart]",
                                {"restart_time_seconds", "stale_path_time_seconds"}};
const KeyTable kRouteReflector{
    "underlay.route_reflector", "[underlay.route_reflector]", {"cluster_id"}};
const KeyTable kMacvlan{"underlay.macvlan",
                        "[underlay.macvlan]",
                        {"parent", "name", "mode", "mac", "addresses", "dhcp"}};
const KeyTable kL3Vni{"l3vni[]",
                      "[[l3vni]]",
                      {"name", "vrf", "vni", "vxlan_port", "underlay_address_family",
                       "default_gateway", "export_rts", "import_rts", "rd", "host_session"}};
const KeyTable kL3VniHostSession{"l3vni[].host_session", "[l3vni.host_session]", kHostSessionKeys};
const KeyTable kL3VniLocalCidr{"l3vni[].host_session.local_cidr", "[l3vni.host_session.local_cidr]",
                               kLocalCidrKeys};
const KeyTable kSrv6{"underlay.srv6", "[underlay.srv6]", {"locator", "locator_pool"}};
const KeyTable kL3Vpn{"l3vpn[]",
                      "[[l3vpn]]",
                      {"name", "vrf", "rd_assigned_number", "default_gateway", "export_rts",
                       "import_rts", "rd", "host_session"}};
const KeyTable kL3VpnHostSession{"l3vpn[].host_session", "[l3vpn.host_session]", kHostSessionKeys};
const KeyTable kL3VpnLocalCidr{"l3vpn[].host_session.local_cidr", "[l3vpn.host_session.local_cidr]",
                               kLocalCidrKeys};
const KeyTable kL2Vni{"l2vni[]",
                      "[[l2vni]]",
                      {"name", "vni", "vxlan_port", "underlay_address_family", "routing_domain",
                       "gateway_ips", "host_master", "export_rts", "import_rts", "rd"}};
const KeyTable kHostMaster{
    "l2vni[].host_master", "[l2vni.host_master]", {"type", "lifecycle", "name"}};
const KeyTable kPassthrough{"passthrough", "[passthrough]", {"host_session"}};
const KeyTable kPassthroughHostSession{"passthrough.host_session", "[passthrough.host_session]",
                                       kHostSessionKeys};
const KeyTable kPassthroughLocalCidr{"passthrough.host_session.local_cidr",
                                     "[passthrough.host_session.local_cidr]", kLocalCidrKeys};
const KeyTable kOnline{"online", "[online]", {"targets", "probe"}};
const KeyTable kRawFrr{"raw_frr[]", "[[raw_frr]]", {"name", "priority", "config"}};

}  // namespace keys

const std::vector<const KeyTable*>& key_tables() {
    static const std::vector<const KeyTable*> all = {
        &keys::kRoot,
        &keys::kNode,
        &keys::kUnderlay,
        &keys::kNeighbor,
        &keys::kBfd,
        &keys::kGracefulRestart,
        &keys::kRouteReflector,
        &keys::kMacvlan,
        &keys::kSrv6,
        &keys::kL3Vni,
        &keys::kL3VniHostSession,
        &keys::kL3VniLocalCidr,
        &keys::kL2Vni,
        &keys::kHostMaster,
        &keys::kL3Vpn,
        &keys::kL3VpnHostSession,
        &keys::kL3VpnLocalCidr,
        &keys::kPassthrough,
        &keys::kPassthroughHostSession,
        &keys::kPassthroughLocalCidr,
        &keys::kOnline,
        &keys::kRawFrr,
    };
    return all;
}

}  // namespace perouter::config
