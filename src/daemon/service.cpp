#include "daemon/service.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>

#include <algorithm>

#include "config/load.hpp"
#include "daemon/notify.hpp"

namespace perouter::daemon {
namespace {

// How often FRR and the namespace are checked. watchfrr restarts daemons within a second or
// two, so two seconds keeps the gap until the configuration is re-pushed short.
constexpr uint64_t kTickUsec = 2'000'000;
// A reconcile that left errors (a kernel without VRF, a NIC that has not appeared yet) is
// retried with a doubling delay, up to this many ticks (one minute).
constexpr uint32_t kMaxBackoffTicks = 30;

}  // namespace

Service::~Service() {
    sd_event_source_unref(timer_);
    sd_event_unref(event_);
}

std::string Service::status_line() const {
    if (!current_)
        return "no valid configuration: " + last_error_;
    const config::Config& c = *current_;
    std::string s = fmt::format("{} l3vni, {} l2vni{}", c.l3vnis.size(), c.l2vnis.size(),
                                c.passthrough ? ", passthrough" : "");
    if (!c.underlay)
        s = "no [underlay]: router not configured";
    if (!last_error_.empty())
        s += "; last error: " + last_error_;
    return s;
}

void Service::apply_current(const char* why) {
    if (!current_)
        return;
    auto r = router_->reconcile(*current_);
    if (r) {
        last_ = std::move(*r);
        for (const auto& p : last_.problems)
            spdlog::warn("{}", p);
        last_error_ = last_.errors.empty() ? std::string() : last_.errors.front();
        spdlog::info("reconcile ({}): {} change{}{}", why, last_.changes,
                     last_.changes == 1 ? "" : "s",
                     last_.errors.empty() ? "" : fmt::format(", {} failed", last_.errors.size()));
    } else {
        last_error_ = r.error().message;
        spdlog::error("reconcile ({}) failed: {}", why, last_error_);
    }
    const bool failed = !r || !last_.errors.empty() || !last_.problems.empty();
    if (!failed) {
        backoff_ticks_ = 0;
    } else {
        backoff_ticks_ = backoff_ticks_ == 0 ? 1 : std::min(backoff_ticks_ * 2, kMaxBackoffTicks);
        wait_ticks_ = backoff_ticks_;
    }
}

void Service::reload(const char* why) {
    auto cfg = config::load(config::Layout{opts_.root});
    if (!cfg) {
        for (const auto& d : cfg.error())
            spdlog::error("{}", d.str());
        last_error_ = fmt::format("configuration rejected ({} error{}): {}", cfg.error().size(),
                                  cfg.error().size() == 1 ? "" : "s", cfg.error().front().str());
        spdlog::error("{}; {}", last_error_,
                      current_ ? "keeping the running configuration" : "nothing applied");
        return;
    }
    current_ = std::move(*cfg);
    apply_current(why);
}

void Service::tick() {
    if (!current_ || !current_->underlay)
        return;
    if (backoff_ticks_ > 0) {
        // The last reconcile left errors: only the retry schedule runs it again, so a
        // persistent failure does not turn into a busy loop of repairs and log lines.
        if (--wait_ticks_ > 0)
            return;
        apply_current("retry");
        notify_status(status_line());
        return;
    }
    auto h = router_->check_health();
    if (!h) {
        spdlog::error("health check: {}", h.error().message);
    } else if (*h) {
        apply_current("repair");
        notify_status(status_line());
    }
}

int Service::on_signal(sd_event_source*, const struct signalfd_siginfo* si, void* self) {
    auto* s = static_cast<Service*>(self);
    if (si->ssi_signo == SIGHUP) {
        spdlog::info("SIGHUP: reloading the configuration");
        notify_reloading();
        s->reload("reload");
        notify_ready(s->status_line());
        return 0;
    }
    spdlog::info("{}: exiting; the router keeps running",
                 strsignal(static_cast<int>(si->ssi_signo)));
    notify_stopping();
    sd_event_exit(s->event_, 0);
    return 0;
}

int Service::on_timer(sd_event_source* src, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    s->tick();
    if (uint64_t wd = watchdog_interval_usec(); wd > 0)
        notify_watchdog();
    sd_event_source_set_time_relative(src, kTickUsec);
    return 0;
}

int Service::run() {
    auto router = Router::open(opts_);
    if (!router) {
        spdlog::critical("{}", router.error().message);
        return 1;
    }
    router_ = std::move(*router);

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
    uint64_t tick = kTickUsec;
    if (uint64_t wd = watchdog_interval_usec(); wd > 0 && wd < tick)
        tick = wd;
    sd_event_add_time_relative(event_, &timer_, CLOCK_MONOTONIC, tick, 0, on_timer, this);
    sd_event_source_set_enabled(timer_, SD_EVENT_ON);

    reload("start");
    // READY even with a rejected configuration: the service is up and reports why in STATUS;
    // perouterd-wait-online is what holds back network-online.target.
    notify_ready(status_line());
    spdlog::info("ready: {}", status_line());
    int r = sd_event_loop(event_);
    return r < 0 ? 1 : 0;
}

}  // namespace perouter::daemon
