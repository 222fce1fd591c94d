// Service, part 1 (src/daemon/service.hpp): the event loop, its timers and signals, and applying
// the running configuration (loading it: service_config.cpp).
#include "daemon/service.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <algorithm>
#include <utility>

#include "config/names.hpp"
#include "config/online.hpp"
#include "daemon/logging.hpp"
#include "daemon/notify.hpp"
#include "dbus/server.hpp"
#include "reconcile/neighbour_refresh.hpp"

namespace perouter::daemon {

namespace {

// What is not settled yet (sessions not Established, the [online] probe) is looked at this
// often (Service::needs_polling()).
constexpr uint64_t kPollUsec = 2'000'000;
// Link events caused by someone else are collected for this long before one repair.
constexpr uint64_t kDriftSettleUsec = 1'000'000;
// A burst of route or neighbour events becomes one look at the sessions and the online verdict.
constexpr uint64_t kForwardingSettleUsec = 250'000;
// FRR daemons mid-restart or not answering yet are looked at again after this long (their new
// pid files and vty sockets usually announce them earlier; see health_watch.hpp).
constexpr uint64_t kHealthSettleUsec = 500'000;
// How often a starting FRR instance is asked whether it is ready (a connect() per daemon, one
// vtysh once they all answer).
constexpr uint64_t kFrrPollUsec = 10'000;
// ... and on time: with sd-event's default accuracy (250 ms) the poll that finds FRR ready came
// up to a quarter of a second after it was (perouterd's start, tests/bench P1).
constexpr uint64_t kFrrPollAccuracyUsec = 1'000;
// Retries of a reconcile that left errors wait one poll interval, doubling up to this many
// (one minute).
constexpr uint32_t kMaxBackoffSteps = 30;
// Without a bus at start (early boot before dbus), try again this often.
constexpr uint64_t kBusRetryUsec = 10'000'000;

// Names a link event may be about that concern us: anything we create or move.
bool relevant_link(const std::string& name, const config::Config* cfg) {
    if (config::is_router_link_name(name) || config::is_host_link_name(name))
        return true;
    if (name == "*" || !cfg)
        return name == "*";
    if (cfg->underlay) {
        for (const auto& link : cfg->underlay->fabric_links())
            if (link == name)
                return true;
        if (cfg->underlay->macvlan && cfg->underlay->macvlan->parent == name)
            return true;
    }
    for (const auto& l3 : cfg->l3vnis)
        if (l3.vrf == name)
            return true;
    for (const auto& l3 : cfg->l3vpns)
        if (l3.vrf == name)
            return true;
    for (const auto& l2 : cfg->l2vnis)
        if (l2.host_master && l2.host_master->name == name)
            return true;
    return false;
}

}  // namespace

Service::Service(Options opts)
    : opts_(std::move(opts)), last_good_(opts_.root + "/var/lib/perouter/last-good.json") {}

Service::~Service() {
    bus_.reset();
    files_.reset();
    refresher_.reset();
    underlay_query_.reset();
    for (auto* s : netlink_io_)
        sd_event_source_unref(s);
    health_.reset();
    sd_event_source_unref(probe_io_);
    sd_event_source_unref(forwarding_io_);
    sd_event_source_unref(forwarding_timer_);
    sd_event_source_unref(drift_timer_);
    sd_event_source_unref(frr_wait_timer_);
    sd_event_source_unref(files_defer_);
    sd_event_source_unref(trim_defer_);
    sd_event_source_unref(poll_timer_);
    sd_event_source_unref(watchdog_timer_);
    sd_event_source_unref(retry_timer_);
    sd_event_source_unref(bus_timer_);
    sd_event_source_unref(health_defer_);
    sd_event_source_unref(health_timer_);
    sd_event_source_unref(refresh_defer_);
    sd_event_unref(event_);
}

// ---- reconcile ----------------------------------------------------------------------------

void Service::apply(const char* why, const Scope& scope) {
    if (!current_)
        return;
    auto r = router_->reconcile(current_, scope);
    if (r) {
        last_ = std::move(*r);
        for (const auto& p : last_.problems)
            spdlog::warn("{}", p);
        apply_error_ = last_.errors.empty() ? std::string() : last_.errors.front();
        if (apply_error_.empty() && !last_.problems.empty())
            apply_error_ = last_.problems.front();
        spdlog::info("reconcile ({}): {} change{}{}; looked at {}", why, last_.changes,
                     last_.changes == 1 ? "" : "s",
                     last_.errors.empty() ? "" : fmt::format(", {} failed", last_.errors.size()),
                     !last_.owners_looked_at ? std::string("everything")
                     : *last_.owners_looked_at == 1
                         ? std::string("1 owner")
                         : fmt::format("{} owners", *last_.owners_looked_at));
    } else {
        last_ = Report{};
        last_.errors.push_back(r.error().message);
        last_.failed_owners.emplace("router", r.error().message);
        apply_error_ = r.error().message;
        spdlog::error("reconcile ({}) failed: {}", why, apply_error_);
    }
    applied_once_ = true;
    const bool failed = !last_.errors.empty() || !last_.problems.empty();
    state_ = failed ? RunState::Degraded : RunState::Running;
    if (!failed) {
        backoff_steps_ = 0;
        if (retry_timer_)
            sd_event_source_set_enabled(retry_timer_, SD_EVENT_OFF);
    } else {
        backoff_steps_ = backoff_steps_ == 0 ? 1 : std::min(backoff_steps_ * 2, kMaxBackoffSteps);
        schedule(retry_timer_, backoff_steps_ * kPollUsec, on_retry);
    }
    if (last_.frr_starting) {
        // FRR was started and does not answer yet; the loop stays free meanwhile.
        spdlog::info("waiting for FRR to answer before the VXLAN devices and its configuration");
        schedule(frr_wait_timer_, kFrrPollUsec, on_frr_wait, kFrrPollAccuracyUsec);
    }
    if (last_.frr_settling)
        schedule(health_timer_, kHealthSettleUsec, on_health_timer);
    open_monitor();  // the router namespace may be new
    drain_monitor();
    update_refresher();
    watch_health();
    poll_underlay();
    poll_srv6_sids();
    publish();
    rearm_poll();
    notify_ready_when_applied();
    trim_later();  // the reconcile's observations and plans are freed by now
}

void Service::trim_later() const {
    if (trim_defer_)
        sd_event_source_set_enabled(trim_defer_, SD_EVENT_ONESHOT);
}

void Service::notify_ready_when_applied() {
    if (!ready_owed_ || (current_ && last_.frr_starting))
        return;
    ready_owed_ = false;
    notify_ready(status_line());
    spdlog::info("ready: {}", status_line());
}

void Service::drain_monitor() {
    if (!monitor_)
        return;
    for (int fd : monitor_->fds())
        (void)monitor_->drain(fd);
    if (forwarding_)
        (void)forwarding_->drain();
}

bool Service::needs_polling() const {
    if (current_ && current_->online && current_->online->probe)
        return true;
    if (!current_ || !current_->underlay)
        return false;
    if (!frr_up_ || peers_.empty() || srv6_sids_missing())
        return true;
    return std::any_of(peers_.begin(), peers_.end(),
                       [](const auto& p) { return p.second != "Established"; });
}

uint64_t Service::poll_interval() const {
    return needs_polling() ? kPollUsec : 0;
}

void Service::rearm_poll() {
    if (!event_)
        return;
    const uint64_t want = poll_interval();
    if (want == poll_usec_)
        return;
    poll_usec_ = want;
    if (want == 0) {
        sd_event_source_set_enabled(poll_timer_, SD_EVENT_OFF);
        return;
    }
    schedule(poll_timer_, want, on_poll);
}

void Service::poll() {
    poll_underlay();
    poll_srv6_sids();
    probe_tick();
    publish_online_change();
}

void Service::check_health(const char* why) {
    // Retrying after errors: only the retry schedule reconciles, so a persistent failure does
    // not turn into a busy loop of repairs and log lines. A starting FRR is on_frr_wait's.
    if (!current_ || !current_->underlay || backoff_steps_ > 0 || last_.frr_starting)
        return;
    auto h = router_->check_health();
    if (!h) {
        spdlog::error("health check ({}): {}", why, h.error().message);
    } else if (*h == Router::Health::Repair) {
        log_event(spdlog::level::warn, messages::kFrrRestarted, "repairing the router",
                  {{"PEROUTER_FRR_INSTANCE", router_->frr().paths().name}});
        apply("repair");
        return;
    } else if (*h == Router::Health::Settling) {
        schedule(health_timer_, kHealthSettleUsec, on_health_timer);
    }
    watch_health();
}

void Service::watch_health() {
    if (health_)
        health_->watch(current_ && current_->underlay ? router_->watched() : Watched{});
}

void Service::recheck_forwarding() {
    poll_underlay();
    publish_online_change();
}

void Service::retry_within(uint64_t usec) {
    int enabled = SD_EVENT_OFF;
    if (!retry_timer_ || sd_event_source_get_enabled(retry_timer_, &enabled) < 0 ||
        enabled == SD_EVENT_OFF)
        return;
    uint64_t now = 0;
    uint64_t due = 0;
    sd_event_now(event_, CLOCK_MONOTONIC, &now);
    sd_event_source_get_time(retry_timer_, &due);
    if (due > now + usec)
        sd_event_source_set_time(retry_timer_, now + usec);
}

void Service::schedule(sd_event_source*& timer, uint64_t usec, sd_event_time_handler_t handler,
                       uint64_t accuracy_usec) {
    if (timer) {
        sd_event_source_set_time_relative(timer, usec);
        sd_event_source_set_time_accuracy(timer, accuracy_usec);
        sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
        return;
    }
    sd_event_add_time_relative(event_, &timer, CLOCK_MONOTONIC, usec, accuracy_usec, handler, this);
}

void Service::open_monitor() {
    // Neighbours matter to the online verdict only (config::online_targets()): without
    // targets, their comings and goings do not wake the loop.
    const bool neighbours = current_ && !config::online_targets(*current_).empty();
    const bool router_ns = router_->namespaces().fd(plan::Side::Router) >= 0;
    if (!forwarding_ || forwarding_->neighbours() != neighbours ||
        (router_ns && forwarding_->fd() < 0) ||
        (monitor_ && !monitor_->watches_router(router_->namespaces()))) {
        forwarding_io_ = sd_event_source_disable_unref(forwarding_io_);
        forwarding_.reset();
        auto f = netlink::ForwardingMonitor::open(router_->namespaces(), neighbours);
        if (!f) {
            spdlog::warn("route events unavailable: {}", f.error().message);
        } else {
            forwarding_ = std::move(*f);
            if (forwarding_->fd() >= 0)
                sd_event_add_io(event_, &forwarding_io_, forwarding_->fd(), EPOLLIN, on_forwarding,
                                this);
        }
    }
    if (monitor_ && monitor_->watches_router(router_->namespaces()))
        return;
    for (auto* s : netlink_io_)
        sd_event_source_unref(s);
    netlink_io_.clear();
    monitor_.reset();
    auto m = netlink::LinkMonitor::open(router_->namespaces());
    if (!m) {
        spdlog::warn("link events unavailable: {}", m.error().message);
        return;
    }
    monitor_ = std::move(*m);
    for (int fd : monitor_->fds()) {
        sd_event_source* src = nullptr;
        if (sd_event_add_io(event_, &src, fd, EPOLLIN, on_netlink, this) >= 0)
            netlink_io_.push_back(src);
    }
}

void Service::update_refresher() {
    if (refresher_)
        refresher_->watch(current_ ? reconcile::refreshed_bridges(*current_)
                                   : std::vector<std::string>{});
}

void Service::try_start_bus() {
    dbus::BusOptions o;
    o.log = [](std::string_view line) { spdlog::warn("D-Bus: {}", line); };
    auto b = dbus::BusServer::start(event_, *this, o);
    if (!b) {
        if (!bus_timer_)
            spdlog::info("D-Bus API not available yet: {}", b.error().message);
        schedule(bus_timer_, kBusRetryUsec, on_bus_retry);
        return;
    }
    bus_ = std::move(*b);
    spdlog::info("D-Bus API available as org.openperouter.Router1");
}

int Service::on_signal(sd_event_source*, const struct signalfd_siginfo* si, void* self) {
    auto* s = static_cast<Service*>(self);
    if (si->ssi_signo == SIGHUP) {
        spdlog::info("SIGHUP: reloading the configuration");
        (void)s->reload();
        return 0;
    }
    spdlog::info("{}: exiting; the router keeps running",
                 strsignal(static_cast<int>(si->ssi_signo)));
    s->state_ = RunState::Stopping;
    notify_stopping();
    s->changed();
    sd_event_exit(s->event_, 0);
    return 0;
}

int Service::on_poll(sd_event_source* src, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    s->poll();
    s->poll_usec_ = s->poll_interval();
    if (s->poll_usec_ > 0) {
        sd_event_source_set_time_relative(src, s->poll_usec_);
        sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
    }
    return 0;
}

int Service::on_watchdog(sd_event_source* src, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    notify_watchdog();
    // The safety net for what sends no event: a session that carried no routes going down, an
    // FRR that hangs without exiting.
    s->check_health("watchdog");
    s->recheck_forwarding();
    sd_event_source_set_time_relative(src, watchdog_interval_usec());
    return 0;
}

int Service::on_bus_retry(sd_event_source*, uint64_t, void* self) {
    static_cast<Service*>(self)->try_start_bus();
    return 0;
}

int Service::on_retry(sd_event_source*, uint64_t, void* self) {
    static_cast<Service*>(self)->apply("retry");
    return 0;
}

int Service::on_health(sd_event_source*, void* self) {
    static_cast<Service*>(self)->check_health("event");
    return 0;
}

int Service::on_health_timer(sd_event_source*, uint64_t, void* self) {
    static_cast<Service*>(self)->check_health("settling");
    return 0;
}

int Service::on_forwarding(sd_event_source*, int, uint32_t, void* self) {
    auto* s = static_cast<Service*>(self);
    if (!s->forwarding_)
        return 0;
    const auto changes = s->forwarding_->drain();
    s->forwarding_routes_ = s->forwarding_routes_ || changes.routes;
    if (changes.any()) {
        int enabled = SD_EVENT_OFF;
        if (!s->forwarding_timer_ ||
            (sd_event_source_get_enabled(s->forwarding_timer_, &enabled) >= 0 &&
             enabled == SD_EVENT_OFF))
            s->schedule(s->forwarding_timer_, kForwardingSettleUsec, on_forwarding_settled);
    }
    return 0;
}

int Service::on_forwarding_settled(sd_event_source*, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    // Routes came or went: a session may have gone down or up, ask FRR. Only neighbour entries
    // changed: the sessions did not, the online verdict alone is looked at again.
    if (std::exchange(s->forwarding_routes_, false))
        s->recheck_forwarding();
    else
        s->publish_online_change();
    return 0;
}

int Service::on_frr_wait(sd_event_source* src, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    if (!s->current_ || !s->last_.frr_starting)
        return 0;
    if (!s->router_->frr_start_settled()) {
        sd_event_source_set_time_relative(src, kFrrPollUsec);
        sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        return 0;
    }
    s->apply("FRR started");
    return 0;
}

int Service::on_files_changed(sd_event_source*, void* self) {
    auto* s = static_cast<Service*>(self);
    spdlog::info("configuration files changed: reloading (first: {})", s->files_why_);
    (void)s->reload();
    return 0;
}

int Service::on_netlink(sd_event_source*, int fd, uint32_t, void* self) {
    auto* s = static_cast<Service*>(self);
    if (!s->monitor_)
        return 0;
    bool relevant = false;
    for (const auto& name : s->monitor_->drain(fd)) {
        if (!relevant_link(name, s->current_.get()))
            continue;
        relevant = true;
        // Which namespace the event came from does not matter: both are looked at by name.
        s->drifted_.insert({plan::Side::Host, name});
        s->drifted_.insert({plan::Side::Router, name});
    }
    if (!relevant || !s->current_ || !s->current_->underlay)
        return 0;
    if (s->backoff_steps_ == 0) {
        s->schedule(s->drift_timer_, kDriftSettleUsec, on_drift_settled);
    } else {
        // Retrying after errors: someone else changed a link we care about (a NIC plugged
        // back in, say), which may be what the retry waits for, so retry within one poll
        // interval instead of at the end of the back-off. Our own changes never get here
        // (drain_monitor), so a failing retry cannot feed itself.
        s->retry_within(kPollUsec);
    }
    return 0;
}

int Service::on_drift_settled(sd_event_source*, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    // Our own changes cause link events too (the kernel reports some deletions late); a
    // reconcile of the named links that finds nothing to do is cheap and causes none, so this
    // settles after one round. An overrun ("*") names no link: everything is looked at.
    netlink::LinkNames names = std::move(s->drifted_);
    s->drifted_.clear();
    const bool overrun = names.contains({plan::Side::Host, "*"});
    s->apply("link change", overrun ? Scope::everything() : Scope::changes(std::move(names)));
    return 0;
}

int Service::run() {
    auto router = Router::open(opts_);
    if (!router) {
        spdlog::critical("{}", router.error().message);
        return 1;
    }
    router_ = std::move(*router);
    // The first check (the day-0 configuration) comes after the sources are read and planned:
    // the vtysh that makes it builds its command tables meanwhile, on the other core.
    router_->frr().keep_checker_warm();

    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        sigaddset(&mask, sig);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    if (int r = sd_event_default(&event_); r < 0) {
        spdlog::critical("sd_event_default: {}", strerror(-r));
        return 1;
    }
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        sd_event_add_signal(event_, nullptr, sig, on_signal, this);
    refresher_ = std::make_unique<NeighbourRefresher>(event_, router_->namespaces());
    if (uint64_t wd = watchdog_interval_usec(); wd > 0) {
        // Our own timer rather than sd_event_set_watchdog(): the same wakeup runs the safety
        // net. 50 ms accuracy: the default (250 ms) would stretch pings past half the timeout.
        sd_event_add_time_relative(event_, &watchdog_timer_, CLOCK_MONOTONIC, wd, 50'000,
                                   on_watchdog, this);
        sd_event_source_set_enabled(watchdog_timer_, SD_EVENT_ON);
    }
    // A watched process or file changed: one health check once the loop is idle (the exits
    // and file events of one FRR restart arrive together).
    sd_event_add_defer(event_, &health_defer_, on_health, this);
    sd_event_source_set_priority(health_defer_, SD_EVENT_PRIORITY_IDLE);
    sd_event_source_set_enabled(health_defer_, SD_EVENT_OFF);
    health_ = std::make_unique<HealthWatch>(event_, [this](const std::string& what) {
        spdlog::debug("health: {} changed", what);
        sd_event_source_set_enabled(health_defer_, SD_EVENT_ONESHOT);
    });

    // A completed file is applied as soon as the loop has nothing else to do: the other files
    // of a burst (an editor's save, a package install) that completed meanwhile join it.
    // After the other idle work (a file burst's reload, a health check): what the last change
    // retired is freed (Router::retire()), one trim for all, and
    // the vtysh that waits for the next check is started (frr/syntax_check.hpp: not during the
    // change it would follow).
    sd_event_add_defer(
        event_, &trim_defer_,
        [](sd_event_source*, void* self) {
            auto* service = static_cast<Service*>(self);
            service->router_->release_retired();
            malloc_trim(0);
            service->router_->frr().keep_checker_warm();
            return 0;
        },
        this);
    sd_event_source_set_priority(trim_defer_, SD_EVENT_PRIORITY_IDLE + 10);
    sd_event_source_set_enabled(trim_defer_, SD_EVENT_OFF);
    sd_event_add_defer(event_, &files_defer_, on_files_changed, this);
    sd_event_source_set_priority(files_defer_, SD_EVENT_PRIORITY_IDLE);
    sd_event_source_set_enabled(files_defer_, SD_EVENT_OFF);
    auto watch = ConfigWatch::open(event_, opts_.root, [this](const std::string& why) {
        if (files_why_.empty())
            files_why_ = why;
        sd_event_source_set_enabled(files_defer_, SD_EVENT_ONESHOT);
    });
    if (watch)
        files_ = std::move(*watch);
    else
        spdlog::warn("configuration file changes are not noticed: {}", watch.error().message);
    try_start_bus();
    (void)load_and_apply("start");
    // READY even with a rejected configuration: the service is up and reports why in STATUS;
    // perouterd-wait-online is what holds back network-online.target.
    ready_owed_ = true;
    notify_ready_when_applied();
    int r = sd_event_loop(event_);
    return r < 0 ? 1 : 0;
}

}  // namespace perouter::daemon
