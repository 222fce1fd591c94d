#include "daemon/underlay_sessions.hpp"

namespace perouter::daemon {
namespace {

std::string state_of(const nlohmann::json& peer) {
    if (peer.is_object() && peer.contains("bgpState") && peer["bgpState"].is_string())
        return peer["bgpState"].get<std::string>();
    return "Idle";
}

}  // namespace

std::string session_label(const config::Neighbor& n) {
    switch (n.kind) {
        case config::PeerKind::Address:
            return n.address.str();
        case config::PeerKind::Interface:
            return n.interface;
        case config::PeerKind::ListenRange:
            return "range " + (n.listen_range ? n.listen_range->str() : std::string());
    }
    return {};
}

std::map<std::string, std::string> underlay_session_states(
    const std::vector<config::Neighbor>& neighbors, const nlohmann::json& frr_neighbors) {
    std::map<std::string, std::string> out;
    if (!frr_neighbors.is_object())
        return out;
    for (const auto& n : neighbors) {
        const std::string label = session_label(n);
        if (n.kind != config::PeerKind::ListenRange) {
            // FRR keys a neighbor by the address or interface it was configured with.
            const std::string key =
                n.kind == config::PeerKind::Address ? n.address.str() : n.interface;
            out[label] = frr_neighbors.contains(key) ? state_of(frr_neighbors[key]) : "Idle";
            continue;
        }
        std::string st = "Idle";
        bool first = true;
        for (const auto& [key, peer] : frr_neighbors.items()) {
            auto a = IpAddress::parse(key);
            if (!a || !n.listen_range || !n.listen_range->contains(*a))
                continue;
            const std::string s = state_of(peer);
            if (first || s == "Established")
                st = s;
            first = false;
            if (s == "Established")
                break;
        }
        out[label] = st;
    }
    return out;
}

}  // namespace perouter::daemon
