// What "online" waits for, read from a Config: the [online] targets (or, without any, the
// default route of each family a default_gateway l3vni or l3vpn carries), each with the VPN
// whose VRF must route it. The one owner of that mapping; the verdict (reconcile/online.hpp) and
// the [online] validation (config/online.cpp) both use it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// [online] against the VPNs (a cross-object rule run by validate()): every target and the
/// probe need a default_gateway l3vni or l3vpn of their family.
void check_online(const Config& c, Diagnostics& diags);

/// One target with the VPN that must forward it.
struct GatewayTarget {
    IpPrefix prefix;
    std::string vpn;  // the l3vni's or l3vpn's name
    std::string vrf;
    uint32_t vni = 0;  // an l3vni's; 0 for an l3vpn
    friend bool operator==(const GatewayTarget&, const GatewayTarget&) = default;
};

/// The targets "online" waits for. Targets without a gateway l3vni of their family (rejected
/// by validation) are left out.
std::vector<GatewayTarget> online_targets(const Config& c);

}  // namespace perouter::config
