#include "reconcile/online.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "plan/desired.hpp"

namespace perouter::reconcile {

std::string_view to_string(NeighbourState s) {
    switch (s) {
        case NeighbourState::None:
            return "none";
        case NeighbourState::Incomplete:
            return "incomplete";
        case NeighbourState::Reachable:
            return "reachable";
        case NeighbourState::Stale:
            return "stale";
        case NeighbourState::Delay:
            return "delay";
        case NeighbourState::Probe:
            return "probe";
        case NeighbourState::Failed:
            return "failed";
        case NeighbourState::Noarp:
            return "noarp";
        case NeighbourState::Permanent:
            return "permanent";
    }
    return "none";
}

std::string_view to_string(RouteKind k) {
    switch (k) {
        case RouteKind::Unicast:
            return "unicast";
        case RouteKind::Unreachable:
            return "unreachable";
        case RouteKind::Blackhole:
            return "blackhole";
        case RouteKind::Prohibit:
            return "prohibit";
        case RouteKind::Other:
            return "other";
    }
    return "other";
}

bool usable(NeighbourState s) {
    switch (s) {
        case NeighbourState::Reachable:
        case NeighbourState::Stale:
        case NeighbourState::Delay:
        case NeighbourState::Probe:
        case NeighbourState::Noarp:
        case NeighbourState::Permanent:
            return true;
        case NeighbourState::None:
        case NeighbourState::Incomplete:
        case NeighbourState::Failed:
            return false;
    }
    return false;
}

bool NeighbourUsability::changes(int ifindex, std::string_view dst, NeighbourState state,
                                 bool deleted) {
    std::pair<int, std::string> key{ifindex, std::string(dst)};
    auto it = usable_.find(key);
    if (deleted) {
        if (it == usable_.end())
            return true;  // not known: it may have been usable before anything was seen
        const bool was = it->second;
        usable_.erase(it);
        return was;
    }
    const bool now = usable(state);
    if (it == usable_.end()) {
        usable_.emplace(std::move(key), now);
        return true;
    }
    if (it->second == now)
        return false;
    it->second = now;
    return true;
}

namespace {

bool is_fabric(const FibRoute& r) {
    return r.kind == RouteKind::Unicast && r.protocol != plan::kRouteProtocol &&
           (r.protocol == kProtoBgp || r.protocol == kProtoZebra);
}

// Routes that take part in the lookup: every kind that ends it (a unicast route forwards, the
// others drop).
bool covers(const FibRoute& r, const IpPrefix& target) {
    return r.dst.family() == target.family() && r.dst.length() <= target.length() &&
           r.dst.contains(target.address());
}

// What the kernel would pick for `target`: the longest prefix, then the lowest metric.
const FibRoute* longest_match(const VrfForwarding& v, const IpPrefix& target) {
    const FibRoute* best = nullptr;
    for (const FibRoute& r : v.routes) {
        if (!covers(r, target))
            continue;
        if (best == nullptr || r.dst.length() > best->dst.length() ||
            (r.dst.length() == best->dst.length() && r.metric < best->metric))
            best = &r;
    }
    return best;
}

// The remote VTEP a gateway stands for: EVPN gives IPv6 routes over an IPv4 underlay the
// IPv4-mapped form of the VTEP (::ffff:a.b.c.d).
IpAddress vtep_of(const IpAddress& gw) {
    if (!gw.is_v6())
        return gw;
    const uint8_t* b = gw.data();
    for (int i = 0; i < 10; ++i)
        if (b[i] != 0)
            return gw;
    if (b[10] != 0xff || b[11] != 0xff)
        return gw;
    return IpAddress::from_bytes(Family::V4, b + 12);
}

std::string describe(const FibRoute& r) {
    std::string s = fmt::format("{} {}", to_string(r.kind), r.dst.str());
    if (r.protocol == plan::kRouteProtocol)
        s += " (perouter's own)";
    else
        s += fmt::format(" proto {}", r.protocol);
    return s;
}

// An SRv6 next hop (an [[l3vpn]]'s H.Encaps route) forwards once the underlay neighbour it
// goes through has a link-layer address: there is no router MAC or FDB entry, the SID is
// routed by the underlay.
std::vector<std::string> check_srv6_next_hop(const VrfForwarding& v, const NextHop& nh) {
    const std::string vrf = fmt::format("vrf {}", v.vrf);
    const std::string sid = nh.srv6_sid->str();
    if (!nh.gateway)
        return {fmt::format("{}: SRv6 next hop (SID {}) has no underlay gateway", vrf, sid)};
    for (const Neighbour& n : v.neighbours)
        if (n.ip == *nh.gateway && n.dev == nh.dev && n.lladdr && usable(n.state))
            return {};
    return {fmt::format("{}: SRv6 next hop (SID {}): underlay neighbour {} on {} not resolved", vrf,
                        sid, nh.gateway->str(), nh.dev)};
}

// Empty when the next hop forwards; else what it lacks.
std::vector<std::string> check_next_hop(const VrfForwarding& v, const NextHop& nh) {
    if (nh.srv6_sid)
        return check_srv6_next_hop(v, nh);
    const std::string vrf = fmt::format("vrf {}", v.vrf);
    if (!nh.gateway)
        return {fmt::format("{}: next hop dev {} has no gateway (not a remote VTEP)", vrf,
                            nh.dev.empty() ? "?" : nh.dev)};
    const std::string gw = nh.gateway->str();
    const Neighbour* found = nullptr;
    for (const Neighbour& n : v.neighbours)
        if (n.ip == *nh.gateway && n.dev == nh.dev)
            found = &n;
    if (found == nullptr)
        return {fmt::format("{}: next hop {} has no router-MAC neighbour on {}", vrf, gw, nh.dev)};
    if (!found->lladdr)
        return {fmt::format("{}: next hop {} neighbour on {} has no link-layer address", vrf, gw,
                            nh.dev)};
    if (!usable(found->state))
        return {fmt::format("{}: next hop {} neighbour on {} is {}", vrf, gw, nh.dev,
                            to_string(found->state))};
    const IpAddress vtep = vtep_of(*nh.gateway);
    for (const FdbEntry& f : v.fdb)
        if (f.dev == v.vxlan && f.lladdr == *found->lladdr && f.dst && vtep_of(*f.dst) == vtep)
            return {};
    return {fmt::format("{}: no FDB entry on {} sends router MAC {} to VTEP {}", vrf, v.vxlan,
                        found->lladdr->str(), vtep.str())};
}

void check_target(const OnlineInputs& in, const config::GatewayTarget& t,
                  std::vector<std::string>& missing) {
    const VrfForwarding* v = in.forwarding.find(t.vrf);
    const std::string target =
        t.prefix.length() == t.prefix.address().bits() ? t.prefix.address().str() : t.prefix.str();
    if (v == nullptr) {
        missing.push_back(fmt::format("vrf {}: not in the router namespace ({} '{}')", t.vrf,
                                      t.vni != 0 ? "l3vni" : "l3vpn", t.vpn));
        return;
    }
    const FibRoute* best = longest_match(*v, t.prefix);
    if (best == nullptr) {
        missing.push_back(fmt::format("vrf {}: no fabric route covers {}", t.vrf, target));
        return;
    }
    if (!is_fabric(*best)) {
        missing.push_back(fmt::format("vrf {}: no fabric route covers {} (the best match is {})",
                                      t.vrf, target, describe(*best)));
        return;
    }
    if (best->nexthops.empty()) {
        missing.push_back(
            fmt::format("vrf {}: route {} to {} has no next hop", t.vrf, best->dst.str(), target));
        return;
    }
    std::vector<std::string> why;
    for (const NextHop& nh : best->nexthops) {
        auto lacks = check_next_hop(*v, nh);
        if (lacks.empty())
            return;  // one resolved next hop forwards
        why.insert(why.end(), lacks.begin(), lacks.end());
    }
    for (auto& w : why)
        if (std::find(missing.begin(), missing.end(), w) == missing.end())
            missing.push_back(std::move(w));
}

}  // namespace

OnlineVerdict online_verdict(const OnlineInputs& in) {
    OnlineVerdict out;
    if (!in.underlay_configured) {
        out.missing.push_back("underlay: not configured");
    } else {
        bool established = std::any_of(in.peers.begin(), in.peers.end(),
                                       [](const auto& p) { return p.second == "Established"; });
        if (in.peers.empty()) {
            out.missing.push_back("underlay: no BGP session reported by FRR");
        } else if (!established) {
            std::string states;
            for (const auto& [peer, state] : in.peers)
                states += fmt::format("{}{} {}", states.empty() ? "" : ", ", peer, state);
            out.missing.push_back(fmt::format("underlay: no session Established ({})", states));
        }
    }
    for (const auto& t : in.targets)
        check_target(in, t, out.missing);
    if (in.probe) {
        switch (in.probe_state) {
            case ProbeState::Answered:
                break;
            case ProbeState::NotConfigured:
                out.missing.push_back(fmt::format("probe {}: not sent yet", in.probe->str()));
                break;
            case ProbeState::Waiting:
                out.missing.push_back(fmt::format("probe {}: no echo reply yet", in.probe->str()));
                break;
            case ProbeState::Unanswered:
                out.missing.push_back(
                    fmt::format("probe {}: no echo reply to the last request", in.probe->str()));
                break;
        }
    }
    out.online = out.missing.empty();
    return out;
}

}  // namespace perouter::reconcile
