#include "reconcile/neighbour_refresh.hpp"

#include <algorithm>

#include "config/names.hpp"

namespace perouter::reconcile {

RefreshTiming refresh_timing(Millis ageing_time) {
    RefreshTiming t;
    if (ageing_time <= Millis::zero())
        return t;
    Millis half = std::max(ageing_time / 2, kMinRefreshInterval);
    t.refresh_after = half;
    t.reprobe_after = std::min(half, kMaxReprobeInterval);
    return t;
}

std::string_view to_string(ProbeReason r) {
    switch (r) {
        case ProbeReason::Stale:
            return "stale";
        case ProbeReason::FdbAgeing:
            return "FDB entry ageing";
        case ProbeReason::FdbMissing:
            return "no FDB entry";
    }
    return "?";
}

namespace {

const BridgeFdbEntry* find_fdb(const BridgeTables& t, const MacAddress& mac) {
    for (const auto& e : t.fdb)
        if (e.lladdr == mac)
            return &e;
    return nullptr;
}

bool candidate(const BridgeNeighbour& n) {
    return n.lladdr && !n.external && !n.ip.is_link_local() && !n.ip.is_unspecified() &&
           (n.state == NeighbourState::Reachable || n.state == NeighbourState::Stale);
}

}  // namespace

RefreshDecision decide_refresh(const BridgeTables& tables,
                               const std::map<IpAddress, Millis>& since_probe) {
    const RefreshTiming timing = refresh_timing(tables.ageing_time);
    RefreshDecision out;
    auto wake_in = [&](Millis d) {
        d = std::max(d, kMinRefreshInterval);
        out.next_check = out.next_check ? std::min(*out.next_check, d) : d;
    };
    for (const BridgeNeighbour& n : tables.neighbours) {
        if (!candidate(n))
            continue;
        const BridgeFdbEntry* fdb = find_fdb(tables, *n.lladdr);
        if (fdb && fdb->origin == FdbOrigin::External)
            continue;  // behind a remote VTEP: not ours to refresh
        // Only a learned entry ages; only a bridge with an ageing time ages it.
        const bool ages = fdb && fdb->origin == FdbOrigin::Learned && timing.refresh_after;
        std::optional<ProbeReason> reason;
        if (n.state == NeighbourState::Stale)
            reason = ProbeReason::Stale;
        else if (!fdb && timing.refresh_after)
            reason = ProbeReason::FdbMissing;
        else if (ages && fdb->age >= *timing.refresh_after)
            reason = ProbeReason::FdbAgeing;

        if (!reason) {
            if (ages)
                wake_in(*timing.refresh_after - fdb->age);
            continue;
        }
        auto probed = since_probe.find(n.ip);
        if (probed != since_probe.end() && probed->second < timing.reprobe_after) {
            wake_in(timing.reprobe_after - probed->second);
            continue;
        }
        out.probes.push_back(NeighbourProbe{n.ip, *reason});
        // Answered, the probe renews the FDB entry: it ages towards the next refresh. Not
        // answered, the neighbour fails; if neither, the next look finds out.
        wake_in(timing.refresh_after.value_or(timing.reprobe_after));
    }
    return out;
}

std::vector<std::string> refreshed_bridges(const config::Config& cfg) {
    std::vector<std::string> out;
    for (const config::L2Vni& l2 : cfg.l2vnis)
        if (!l2.gateway_ips.empty())
            out.push_back(config::bridge_name(l2.vni));
    return out;
}

}  // namespace perouter::reconcile
