// Service, part 1 (src/daemon/service.hpp): the event loop, its timers and signals, loading the
// configuration and applying it.
#include "daemon/service.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/process.hpp"
#include "config/load.hpp"
#include "config/names.hpp"
#include "config/online.hpp"
#include "config/to_json.hpp"
#include "config/vpn_document.hpp"
#include "daemon/logging.hpp"
#include "daemon/notify.hpp"
#include "dbus/server.hpp"
#include "reconcile/neighbour_refresh.hpp"

namespace perouter::daemon {
namespace fs = std::filesystem;

namespace {

// FRR, the namespace and the underlay sessions are checked this often. watchfrr restarts daemons
// within a second or two, so two seconds keeps the gap until the configuration is re-pushed short.
constexpr uint64_t kTickUsec = 2'000'000;
// Link events caused by someone else are collected for this long before one repair.
constexpr uint64_t kDriftSettleUsec = 1'000'000;
// How often a starting FRR instance is asked whether it answers (one vtysh each).
constexpr uint64_t kFrrPollUsec = 50'000;
// Retries of a reconcile that left errors double up to this many ticks (one minute).
constexpr uint32_t kMaxBackoffTicks = 30;
// Without a bus at start (early boot before dbus), try again every this many ticks.
constexpr uint64_t kBusRetryTicks = 5;

// The watchdog wants a ping at half its timeout; the tick sends it.
uint64_t tick_interval() {
    uint64_t wd = watchdog_interval_usec();
    return wd > 0 ? std::min(kTickUsec, wd) : kTickUsec;
}

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
    sd_event_source_unref(probe_io_);
    sd_event_source_unref(drift_timer_);
    sd_event_source_unref(frr_wait_timer_);
    sd_event_source_unref(files_defer_);
    sd_event_source_unref(tick_);
    sd_event_unref(event_);
}

// ---- configuration and reconcile ----------------------------------------------------------

ControlResult<void> Service::load_and_apply(const char* why) {
    static const std::set<std::string> kNone;
    config::Assembly loaded =
        config::load(config::Layout{opts_.root},
                     config::InProgress{files_ ? files_->writing() : kNone, &read_texts_}, nullptr,
                     raw_frr_check_.callback());
    // The texts the running configuration was built from, before this load replaces them.
    const bool same_texts = loaded.config && current_ && loaded.texts == read_texts_;
    if (loaded.config)
        read_texts_ = loaded.texts;
    report_load(loaded);
    if (!loaded.config) {
        if (!current_ && start_from_last_good()) {
            publish();
            return fail(invalid_config(loaded.diagnostics()));
        }
        if (!current_)
            state_ = RunState::Failed;
        publish();
        return fail(invalid_config(loaded.diagnostics()));
    }
    // A reload whose files are the ones the running configuration came from has nothing to
    // apply: the router has it. Drift is repaired by the link events and the health tick, not by
    // reloads. After an apply with errors, or on the last good file, it applies (a retry).
    if (same_texts && !on_last_good_ && apply_error_.empty() && last_.errors.empty()) {
        spdlog::info("configuration files unchanged ({}): nothing to apply", why);
        publish();
        if (!loaded.skipped.empty())
            return fail(invalid_config(loaded.diagnostics()));
        return {};
    }
    on_last_good_ = false;
    std::optional<config::Config> before = std::move(current_);
    current_ = std::move(*loaded.config);
    check_file_modes(*current_);
    apply(why, Scope::changes());
    after_apply(before ? &*before : nullptr);
    if (last_.errors.empty() && last_.problems.empty()) {
        // Only the main file: the drop-ins stand alone and are read as they are at start.
        std::vector<config::ConfigText> main;
        for (const auto& t : loaded.texts)
            if (t.main)
                main.push_back(t);
        if (Status st = last_good_.save(main); !st)
            spdlog::warn("cannot save the last good configuration: {}", st.error().message);
    }
    if (!loaded.skipped.empty())
        return fail(invalid_config(loaded.diagnostics()));
    if (!apply_error_.empty())
        return fail(
            ControlError{ControlErrorKind::Failed, "applied with errors: " + apply_error_, {}});
    return {};
}

void Service::report_skipped(const config::Assembly& loaded) {
    skipped_ = loaded.skipped;
    for (const auto& f : loaded.skipped) {
        for (const auto& d : f.diagnostics)
            spdlog::error("{}", d.str());
        const Diagnostic& first = f.diagnostics.front();
        log_event(
            spdlog::level::err, messages::kConfigRejected,
            fmt::format("{} left out ({} error{}): {}; the other files apply", f.path,
                        f.diagnostics.size(), f.diagnostics.size() == 1 ? "" : "s", first.str()),
            {{"PEROUTER_ERRORS", std::to_string(f.diagnostics.size())},
             {"CONFIG_FILE", first.pos.file},
             {"CONFIG_LINE", std::to_string(first.pos.line)}});
    }
}

void Service::report_load(const config::Assembly& loaded) {
    rejected_ = loaded.fatal;
    report_skipped(loaded);
    if (loaded.fatal.empty())
        return;
    for (const auto& d : loaded.fatal)
        spdlog::error("{}", d.str());
    const Diagnostic& first = loaded.fatal.front();
    log_event(spdlog::level::err, messages::kConfigRejected,
              fmt::format("configuration rejected ({} error{}): {}; {}", loaded.fatal.size(),
                          loaded.fatal.size() == 1 ? "" : "s", first.str(),
                          current_ ? "keeping the running configuration" : "nothing applied"),
              {{"PEROUTER_ERRORS", std::to_string(loaded.fatal.size())},
               {"CONFIG_FILE", first.pos.file},
               {"CONFIG_LINE", std::to_string(first.pos.line)}});
}

bool Service::start_from_last_good() {
    auto texts = last_good_.load();
    if (!texts) {
        spdlog::error("no last good configuration to fall back on: {}", texts.error().message);
        return false;
    }
    // Only the main file failed (a drop-in that fails is left out, never fatal): its last good
    // text stands in for it, and the drop-ins count as they are now. A VPN added or removed
    // since, or a volatile /run drop-in gone with a reboot, is as the files say.
    auto main = std::find_if(texts->begin(), texts->end(),
                             [](const config::ConfigText& t) { return t.main; });
    if (main == texts->end()) {
        spdlog::error("{} holds no main file", last_good_.path());
        return false;
    }
    static const std::set<std::string> kNone;
    config::Assembly saved =
        config::load(config::Layout{opts_.root},
                     config::InProgress{files_ ? files_->writing() : kNone, &read_texts_}, &*main,
                     raw_frr_check_.callback());
    if (!saved.config) {
        // Saved by an older or newer perouterd whose rules differ, or no longer loadable.
        for (const auto& d : saved.diagnostics())
            spdlog::error("{} (last good main file from {})", d.str(), last_good_.path());
        return false;
    }
    report_skipped(saved);
    log_event(spdlog::level::critical, messages::kConfigRejected,
              fmt::format("the main configuration file is invalid: running its last good text "
                          "(saved in {}) with the drop-ins as they are",
                          last_good_.path()),
              {{"PEROUTER_LAST_GOOD", last_good_.path()}});
    on_last_good_ = true;
    current_ = std::move(*saved.config);
    apply("start (last good configuration)");
    after_apply(nullptr);
    return true;
}

void Service::check_file_modes(const config::Config& cfg) {
    std::set<std::string> files;
    if (cfg.underlay)
        for (const auto& n : cfg.underlay->neighbors)
            if (n.password)
                files.insert(n.pos.of("password").file);
    std::vector<std::string> warnings;
    for (const auto& f : files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0)
            continue;
        warnings.push_back(
            fmt::format("{} holds a BGP password and is readable by {} (mode "
                        "{:04o}); make it 0600",
                        f, (st.st_mode & S_IROTH) ? "everyone" : "its group", st.st_mode & 07777));
    }
    if (warnings != warnings_)
        for (const auto& w : warnings)
            spdlog::warn("{}", w);
    warnings_ = std::move(warnings);
}

void Service::apply(const char* why, const Scope& scope) {
    if (!current_)
        return;
    auto r = router_->reconcile(*current_, scope);
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
        backoff_ticks_ = 0;
    } else {
        backoff_ticks_ = backoff_ticks_ == 0 ? 1 : std::min(backoff_ticks_ * 2, kMaxBackoffTicks);
        wait_ticks_ = backoff_ticks_;
    }
    if (last_.frr_starting) {
        // FRR was started and does not answer yet; the loop stays free meanwhile.
        spdlog::info("waiting for FRR to answer before the VXLAN devices and its configuration");
        schedule(frr_wait_timer_, kFrrPollUsec, on_frr_wait);
    }
    open_monitor();  // the router namespace may be new
    drain_monitor();
    update_refresher();
    poll_underlay();
    publish();
    notify_ready_when_applied();
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
}

void Service::after_apply(const config::Config* before) {
    std::map<std::string, config::VpnRef> old;
    if (before)
        for (auto& v : config::vpns_of(*before))
            old.emplace(v.name, v);
    for (const auto& v : config::vpns_of(*current_)) {
        std::vector<Field> f{{"PEROUTER_VPN", v.name}, {"PEROUTER_VNI", std::to_string(v.vni)}};
        if (auto it = last_.failed_owners.find(v.name); it != last_.failed_owners.end()) {
            f.emplace_back("PEROUTER_ERROR", it->second);
            log_event(spdlog::level::err, messages::kVpnFailed,
                      fmt::format("vpn '{}' (vni {}) failed: {}", v.name, v.vni, it->second), f);
        } else if (!old.count(v.name)) {
            log_event(
                spdlog::level::info, messages::kVpnAdded,
                fmt::format("vpn '{}' ({} {}) added from {}", v.name, v.kind, v.vni, v.source), f);
        }
        old.erase(v.name);
    }
    for (const auto& [name, v] : old)
        log_event(spdlog::level::info, messages::kVpnRemoved,
                  fmt::format("vpn '{}' ({} {}) removed", name, v.kind, v.vni),
                  {{"PEROUTER_VPN", name}, {"PEROUTER_VNI", std::to_string(v.vni)}});
    if (last_.errors.empty())
        log_event(spdlog::level::info, messages::kConfigLoaded,
                  fmt::format("configuration applied: {}", status_line()),
                  {{"PEROUTER_CHANGES", std::to_string(last_.changes)}});
}

void Service::tick() {
    ++ticks_;
    if (!bus_ && ticks_ % kBusRetryTicks == 0)
        try_start_bus();
    if (!current_ || !current_->underlay)
        return;
    if (backoff_ticks_ > 0) {
        // The last reconcile left errors: only the retry schedule runs it again, so a
        // persistent failure does not turn into a busy loop of repairs and log lines.
        if (--wait_ticks_ == 0)
            apply("retry");
        poll_underlay();
        probe_tick();
        publish_online_change();
        return;
    }
    auto h = router_->check_health();
    if (!h) {
        spdlog::error("health check: {}", h.error().message);
    } else if (*h) {
        log_event(spdlog::level::warn, messages::kFrrRestarted, "repairing the router",
                  {{"PEROUTER_FRR_INSTANCE", router_->frr().paths().name}});
        apply("repair");
        return;
    }
    poll_underlay();
    probe_tick();
    publish_online_change();
}

ControlResult<void> Service::reload() {
    // Every file closed before this reload was asked for is read by it: the events already
    // queued are handled first (config_watch.hpp), then the pending file reload is dropped.
    if (files_)
        files_->drain();
    files_why_.clear();
    if (files_defer_)
        sd_event_source_set_enabled(files_defer_, SD_EVENT_OFF);
    notify_reloading();
    state_ = RunState::Reloading;
    publish();
    auto r = load_and_apply("reload");
    if (state_ == RunState::Reloading)
        state_ = !current_              ? RunState::Failed
                 : last_.errors.empty() ? RunState::Running
                                        : RunState::Degraded;
    ready_owed_ = true;
    notify_ready_when_applied();
    publish();
    return r;
}

void Service::schedule(sd_event_source*& timer, uint64_t usec, sd_event_time_handler_t handler) {
    if (timer) {
        sd_event_source_set_time_relative(timer, usec);
        sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
        return;
    }
    sd_event_add_time_relative(event_, &timer, CLOCK_MONOTONIC, usec, 0, handler, this);
}

void Service::open_monitor() {
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
        if (ticks_ == 0)
            spdlog::info("D-Bus API not available yet: {}", b.error().message);
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

int Service::on_tick(sd_event_source* src, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    s->tick();
    if (watchdog_interval_usec() > 0)
        notify_watchdog();
    sd_event_source_set_time_relative(src, tick_interval());
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
        if (!relevant_link(name, s->current_ ? &*s->current_ : nullptr))
            continue;
        relevant = true;
        // Which namespace the event came from does not matter: both are looked at by name.
        s->drifted_.insert({plan::Side::Host, name});
        s->drifted_.insert({plan::Side::Router, name});
    }
    if (!relevant || !s->current_ || !s->current_->underlay)
        return 0;
    if (s->backoff_ticks_ == 0) {
        s->schedule(s->drift_timer_, kDriftSettleUsec, on_drift_settled);
    } else {
        // Retrying after errors: someone else changed a link we care about (a NIC plugged
        // back in, say), which may be what the retry waits for, so retry at the next tick
        // instead of at the end of the back-off. Our own changes never get here
        // (drain_monitor), so a failing retry cannot feed itself.
        s->wait_ticks_ = std::min<uint32_t>(s->wait_ticks_, 1);
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
    // 50 ms accuracy: the default (250 ms) would stretch watchdog pings past half the timeout.
    sd_event_add_time_relative(event_, &tick_, CLOCK_MONOTONIC, tick_interval(), 50'000, on_tick,
                               this);
    sd_event_source_set_enabled(tick_, SD_EVENT_ON);

    // A completed file is applied as soon as the loop has nothing else to do: the other files
    // of a burst (an editor's save, a package install) that completed meanwhile join it.
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
