// The "online" verdict (pure): the default-gateway VPN forwards. perouterd-wait-online and
// network-online.target wait for it; Describe() lists what is still missing.
//
// Online = an underlay BGP session is Established, AND for every target of
// config::online_targets() the longest-prefix match in its VRF's table is a route learned
// from the fabric (protocol bgp or zebra; our own unreachable default, protocol
// plan::kRouteProtocol, never counts) whose next hop is resolved in the kernel: a neighbour for
// the gateway on the route's device with a link-layer address (the router MAC) in a usable
// state, and an FDB entry on the VNI's VXLAN device that sends that MAC to the gateway (the
// remote VTEP; an IPv4-mapped IPv6 gateway means its IPv4 VTEP), AND the probe, when
// configured, answered.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "config/online.hpp"
#include "reconcile/forwarding.hpp"

namespace perouter::reconcile {

enum class ProbeState { NotConfigured, Waiting, Answered, Unanswered };

struct OnlineVerdict {
    bool online = false;
    std::vector<std::string> missing;  // in words, one line per thing still missing
};

struct OnlineInputs {
    std::vector<config::GatewayTarget> targets;
    /// Underlay neighbour address -> FRR's bgpState ("Established", "Active", ...); empty when
    /// FRR did not answer.
    std::map<std::string, std::string> peers;
    bool underlay_configured = true;
    ForwardingView forwarding;
    std::optional<IpAddress> probe;
    ProbeState probe_state = ProbeState::NotConfigured;
};

OnlineVerdict online_verdict(const OnlineInputs& in);

}  // namespace perouter::reconcile
