// `perouterctl vpn add NAME --l2vni|--l3vni|--l3vpn ...`: the flags that describe a simple VPN,
// turned into the same TOML document a file would hold. Only the shape is checked here (which flags
// belong to which kind and go together, addresses that parse); the daemon validates the values
// against the whole configuration, as it does for a file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/vpn_kind.hpp"

namespace perouter::cli {

struct VpnSpec {
    std::optional<VpnKind> kind;  // --l3vni, --l2vni or --l3vpn; absent when none was given
    std::string name;
    std::optional<uint32_t> vni;  // l3vni, l2vni

    // l3vni and l3vpn (the routed VPNs)
    std::string vrf;
    bool default_gateway = false;
    std::optional<uint32_t> asn;           // host session, router side
    std::optional<uint32_t> host_asn;      // host session, host side
    std::vector<std::string> local_cidrs;  // host session pools, at most one per family

    // l3vpn
    std::optional<uint32_t> rd_assigned_number;
    std::vector<std::string> import_rts;

    // l2vni
    std::string routing_domain;
    std::vector<std::string> gateway_ips;  // ADDR/LEN, at most one per family
    // The bridge the host end of the veth joins, at most one of the two: "managed" (perouterd
    // creates br-hs-<vni>) or the name of an existing bridge.
    std::optional<std::string> host_bridge;  // a Linux bridge
    std::optional<std::string> ovs_bridge;   // an Open vSwitch bridge
};

/// Quotes `s` as a TOML basic string.
std::string toml_string(std::string_view s);

/// The TOML document for `spec`, or a usage error naming the offending flag.
Result<std::string> vpn_document(const VpnSpec& spec);

}  // namespace perouter::cli
