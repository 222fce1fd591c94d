// The SRv6 SIDs bgpd gave each VRF, read from FRR 8.4's `show bgp segment-routing srv6` (text
// only in 8.4: no JSON form). Pure: the daemon asks bgpd (src/daemon/service_status.cpp) and
// hands the text in.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace perouter::frr {

/// The SIDs of one BGP instance: End.DT4 for its IPv4 routes, End.DT6 for its IPv6 routes
/// (FRR 8.4 gives each address family of each VRF its own SID). "" while bgpd has none.
struct VrfSids {
    std::string ipv4;
    std::string ipv6;
    friend bool operator==(const VrfSids&, const VrfSids&) = default;
};

/// BGP instance name ("default" for the default instance, else its VRF) -> its SIDs. Lines
/// it does not know are skipped, so a later FRR that adds fields still parses.
std::map<std::string, VrfSids> parse_srv6_sids(std::string_view text);

}  // namespace perouter::frr
