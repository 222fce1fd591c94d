#include "daemon/neighbour_refresher.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <set>

#include "daemon/logging.hpp"

namespace perouter::daemon {

namespace {

// A burst of notifications about one bridge (a probe alone causes two or three) becomes one
// reading this much later.
constexpr uint64_t kSettleUsec = 200'000;
// After a reading failed for another reason than a missing bridge (a link notification brings
// that one back), the next attempt.
constexpr uint64_t kRetryUsec = 10'000'000;
// Timers may fire this much late, so that sd-event can coalesce wake-ups.
constexpr uint64_t kAccuracyUsec = 100'000;

uint64_t usec_of(reconcile::Millis m) {
    return static_cast<uint64_t>(m.count()) * 1000;
}

std::string seconds(reconcile::Millis m) {
    return fmt::format("{:g} s", static_cast<double>(m.count()) / 1000.0);
}

}  // namespace

NeighbourRefresher::NeighbourRefresher(sd_event* event, const netlink::Namespaces& ns)
    : event_(event), ns_(ns) {}

NeighbourRefresher::~NeighbourRefresher() {
    for (auto& [name, b] : bridges_)
        sd_event_source_unref(b->timer);
    close_events();
}

void NeighbourRefresher::watch(const std::vector<std::string>& bridges) {
    std::set<std::string> want(bridges.begin(), bridges.end());
    for (auto it = bridges_.begin(); it != bridges_.end();) {
        if (want.count(it->first)) {
            ++it;
            continue;
        }
        spdlog::info("{}: no longer refreshing its neighbours", it->first);
        sd_event_source_unref(it->second->timer);
        it = bridges_.erase(it);
    }
    if (want.empty()) {
        close_events();
        return;
    }
    // Notifications may have been missed while the socket was closed or in an old namespace.
    const bool reopened = open_events();
    for (const auto& name : want) {
        auto [it, added] = bridges_.try_emplace(name);
        if (added) {
            it->second = std::make_unique<Bridge>();
            it->second->owner = this;
            it->second->name = name;
            spdlog::info("{}: refreshing the neighbours of silent workloads", name);
        }
        if (added || reopened)
            schedule(*it->second, 0);
    }
}

bool NeighbourRefresher::open_events() {
    if (watch_ && watch_->watches_router(ns_))
        return false;
    close_events();
    auto w = netlink::NeighbourWatch::open(ns_);
    if (!w) {
        spdlog::warn("neighbour refresh unavailable: {}", w.error().message);
        return false;
    }
    watch_ = std::move(*w);
    if (int r = sd_event_add_io(event_, &io_, watch_->fd(), EPOLLIN, on_events, this); r < 0) {
        spdlog::warn("neighbour refresh: cannot watch neighbour events: {}", strerror(-r));
        io_ = nullptr;
    }
    return true;
}

void NeighbourRefresher::close_events() {
    io_ = sd_event_source_unref(io_);
    watch_.reset();
}

void NeighbourRefresher::report(Bridge& b, const std::string& error) {
    if (error == b.error)
        return;
    if (error.empty())
        spdlog::info("{}: neighbour refresh works again", b.name);
    else
        spdlog::warn("{}: neighbour refresh: {}", b.name, error);
    b.error = error;
}

void NeighbourRefresher::check(Bridge& b) {
    if (!watch_)
        return;  // the next watch() (after the next apply) opens it
    auto reading = watch_->read_bridge(b.name);
    if (!reading) {
        int code = reading.error().code;
        if (code == ENOENT || code == ENODEV) {
            // Not there (yet): the notification of its creation brings it back.
            spdlog::debug("neighbour refresh: {}", reading.error().message);
            b.ifindex = 0;
            return;
        }
        report(b, reading.error().message);
        schedule(b, kRetryUsec);
        return;
    }
    b.ifindex = reading->ifindex;
    const reconcile::BridgeTables& tables = reading->tables;
    if (b.ageing_time != tables.ageing_time) {
        auto t = reconcile::refresh_timing(tables.ageing_time);
        spdlog::info("{}: FDB ageing time {}: stale neighbours are probed{}", b.name,
                     seconds(tables.ageing_time),
                     t.refresh_after ? fmt::format(", and workloads whose FDB entry is {} old",
                                                   seconds(*t.refresh_after))
                                     : std::string());
        b.ageing_time = tables.ageing_time;
    }

    uint64_t now = 0;
    sd_event_now(event_, CLOCK_MONOTONIC, &now);
    std::map<IpAddress, reconcile::Millis> since;
    std::map<IpAddress, uint64_t> still;
    for (const auto& n : tables.neighbours) {
        auto it = b.probed.find(n.ip);
        if (it == b.probed.end())
            continue;
        since.emplace(n.ip, reconcile::Millis((now - it->second) / 1000));
        still.emplace(*it);
    }
    b.probed = std::move(still);  // forget neighbours that are gone

    reconcile::RefreshDecision d = reconcile::decide_refresh(tables, since);
    std::string failed;
    for (const auto& p : d.probes) {
        Status st = watch_->probe(b.ifindex, p.ip);
        b.probed[p.ip] = now;  // answered or not, not again before the reprobe interval
        if (st) {
            spdlog::debug("{}: probing neighbour {} ({})", b.name, p.ip.str(), to_string(p.reason));
        } else if (st.error().code == ENOENT) {
            spdlog::debug("{}: neighbour {} went away before its probe", b.name, p.ip.str());
        } else if (failed.empty()) {
            failed = st.error().message;
        }
    }
    report(b, failed);
    if (d.next_check)
        schedule(b, usec_of(*d.next_check));
    else if (b.timer)
        sd_event_source_set_enabled(b.timer, SD_EVENT_OFF);
}

void NeighbourRefresher::schedule(Bridge& b, uint64_t usec) {
    if (b.timer) {
        sd_event_source_set_time_relative(b.timer, usec);
        sd_event_source_set_enabled(b.timer, SD_EVENT_ONESHOT);
        return;
    }
    if (int r = sd_event_add_time_relative(event_, &b.timer, CLOCK_MONOTONIC, usec, kAccuracyUsec,
                                           on_timer, &b);
        r < 0) {
        spdlog::warn("{}: neighbour refresh: cannot add a timer: {}", b.name, strerror(-r));
        b.timer = nullptr;
    }
}

void NeighbourRefresher::schedule_soon(Bridge& b) {
    if (b.timer) {
        int enabled = SD_EVENT_OFF;
        uint64_t at = 0, now = 0;
        sd_event_now(event_, CLOCK_MONOTONIC, &now);
        if (sd_event_source_get_enabled(b.timer, &enabled) >= 0 && enabled != SD_EVENT_OFF &&
            sd_event_source_get_time(b.timer, &at) >= 0 && at <= now + kSettleUsec)
            return;
    }
    schedule(b, kSettleUsec);
}

int NeighbourRefresher::on_timer(sd_event_source*, uint64_t, void* bridge) {
    auto* b = static_cast<Bridge*>(bridge);
    b->owner->check(*b);
    return 0;
}

int NeighbourRefresher::on_events(sd_event_source*, int, uint32_t, void* self) {
    auto* r = static_cast<NeighbourRefresher*>(self);
    if (!r->watch_)
        return 0;
    netlink::NeighbourEvents ev = r->watch_->drain();
    for (auto& [name, b] : r->bridges_)
        if (ev.overrun || ev.links.count(name) ||
            (b->ifindex != 0 && ev.ifindexes.count(b->ifindex)))
            r->schedule_soon(*b);
    return 0;
}

}  // namespace perouter::daemon
