#include "daemon/service.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>

#include <algorithm>
#include <filesystem>

#include "common/process.hpp"
#include "config/load.hpp"
#include "config/names.hpp"
#include "config/to_json.hpp"
#include "config/vpn_document.hpp"
#include "daemon/logging.hpp"
#include "daemon/notify.hpp"
#include "dbus/server.hpp"

namespace perouter::daemon {
namespace fs = std::filesystem;

namespace {

// FRR, the namespace and the underlay sessions are checked this often. watchfrr restarts daemons
// within a second or two, so two seconds keeps the gap until the configuration is re-pushed short.
constexpr uint64_t kTickUsec = 2'000'000;
// A burst of file events (an editor's save, a package install) becomes one reload.
constexpr uint64_t kFilesSettleUsec = 300'000;
// Link events caused by someone else are collected for this long before one repair.
constexpr uint64_t kDriftSettleUsec = 1'000'000;
// Retries of a reconcile that left errors double up to this many ticks (one minute).
constexpr uint32_t kMaxBackoffTicks = 30;
// Without a bus at start (early boot before dbus), try again every this many ticks.
constexpr uint64_t kBusRetryTicks = 5;

// The watchdog wants a ping at half its timeout; the tick sends it.
uint64_t tick_interval() {
    uint64_t wd = watchdog_interval_usec();
    return wd > 0 ? std::min(kTickUsec, wd) : kTickUsec;
}

ControlError invalid_config(Diagnostics ds) {
    ControlError e{ControlErrorKind::InvalidConfig, {}, std::move(ds)};
    // One line; the D-Bus layer appends every FILE:LINE:COL diagnostic after it.
    e.message = fmt::format("invalid configuration ({} error{})", e.diagnostics.size(),
                            e.diagnostics.size() == 1 ? "" : "s");
    return e;
}

// The configuration files as they are on disk now, which AddVpn and RemoveVpn check a change
// against (the running configuration may be older than the files).
ControlResult<std::vector<config::ConfigText>> files_on_disk(const std::string& root) {
    auto files = config::discover(config::Layout{root});
    if (!files)
        return fail(ControlError{ControlErrorKind::Failed, files.error().message, {}});
    auto texts = config::read_all(*files);
    if (!texts)
        return fail(invalid_config(texts.error()));
    return std::move(texts).value();
}

// Names a link event may be about that concern us: anything we create or move.
bool relevant_link(const std::string& name, const config::Config* cfg) {
    static constexpr std::string_view kPrefixes[] = {"br-pe-",  "vni",    "pe-e-",
                                                     "host-e-", "br-hs-", "pt-"};
    for (auto p : kPrefixes)
        if (name.rfind(p, 0) == 0)
            return true;
    if (name == "*" || !cfg)
        return name == "*";
    if (cfg->underlay)
        for (const auto& nic : cfg->underlay->interfaces)
            if (nic == name)
                return true;
    for (const auto& l3 : cfg->l3vnis)
        if (l3.vrf == name)
            return true;
    for (const auto& l2 : cfg->l2vnis)
        if (l2.host_master && l2.host_master->name == name)
            return true;
    return false;
}

}  // namespace

Service::Service(Options opts) : opts_(std::move(opts)) {}

Service::~Service() {
    bus_.reset();
    for (auto* s : inotify_)
        sd_event_source_unref(s);
    for (auto* s : netlink_io_)
        sd_event_source_unref(s);
    sd_event_source_unref(drift_timer_);
    sd_event_source_unref(files_timer_);
    sd_event_source_unref(tick_);
    sd_event_unref(event_);
}

// ---- configuration and reconcile ----------------------------------------------------------

ControlResult<void> Service::load_and_apply(const char* why) {
    auto cfg = config::load(config::Layout{opts_.root});
    if (!cfg) {
        const Diagnostics& ds = cfg.error();
        for (const auto& d : ds)
            spdlog::error("{}", d.str());
        last_error_ = fmt::format("configuration rejected ({} error{}): {}", ds.size(),
                                  ds.size() == 1 ? "" : "s", ds.front().str());
        log_event(spdlog::level::err, messages::kConfigRejected,
                  fmt::format("{}; {}", last_error_,
                              current_ ? "keeping the running configuration" : "nothing applied"),
                  {{"PEROUTER_ERRORS", std::to_string(ds.size())},
                   {"CONFIG_FILE", ds.front().pos.file},
                   {"CONFIG_LINE", std::to_string(ds.front().pos.line)}});
        if (!current_)
            state_ = "failed";
        publish();
        return fail(invalid_config(ds));
    }
    std::optional<config::Config> before = std::move(current_);
    current_ = std::move(*cfg);
    apply(why);
    after_apply(before ? &*before : nullptr);
    if (!last_.errors.empty())
        return fail(
            ControlError{ControlErrorKind::Failed,
                         fmt::format("applied with {} error{}: {}", last_.errors.size(),
                                     last_.errors.size() == 1 ? "" : "s", last_.errors.front()),
                         {}});
    if (!last_error_.empty())
        return fail(ControlError{ControlErrorKind::Failed, last_error_, {}});
    return {};
}

void Service::apply(const char* why) {
    if (!current_)
        return;
    auto r = router_->reconcile(*current_);
    if (r) {
        last_ = std::move(*r);
        for (const auto& p : last_.problems)
            spdlog::warn("{}", p);
        last_error_ = last_.errors.empty() ? std::string() : last_.errors.front();
        if (last_error_.empty() && !last_.problems.empty())
            last_error_ = last_.problems.front();
        spdlog::info("reconcile ({}): {} change{}{}", why, last_.changes,
                     last_.changes == 1 ? "" : "s",
                     last_.errors.empty() ? "" : fmt::format(", {} failed", last_.errors.size()));
    } else {
        last_ = Report{};
        last_.errors.push_back(r.error().message);
        last_.failed_owners.emplace("router", r.error().message);
        last_error_ = r.error().message;
        spdlog::error("reconcile ({}) failed: {}", why, last_error_);
    }
    applied_once_ = true;
    const bool failed = !last_.errors.empty() || !last_.problems.empty();
    state_ = failed ? "degraded" : "running";
    if (!failed) {
        backoff_ticks_ = 0;
    } else {
        backoff_ticks_ = backoff_ticks_ == 0 ? 1 : std::min(backoff_ticks_ * 2, kMaxBackoffTicks);
        wait_ticks_ = backoff_ticks_;
    }
    open_monitor();  // the router namespace may be new
    poll_underlay();
    publish();
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

void Service::poll_underlay() {
    std::map<std::string, std::string> now;
    frr_up_ = false;
    if (current_ && current_->underlay && router_->frr().state() == frr::Instance::State::Running) {
        if (auto j = router_->frr().vtysh_json("show bgp neighbors json"); j) {
            frr_up_ = true;
            for (const auto& n : current_->underlay->neighbors) {
                std::string addr = n.address.str();
                std::string st = "Idle";
                if (j->contains(addr) && (*j)[addr].contains("bgpState"))
                    st = (*j)[addr]["bgpState"].get<std::string>();
                now[addr] = st;
            }
        }
    }
    for (const auto& [peer, st] : now) {
        std::string was = peers_.count(peer) ? peers_[peer] : "";
        if (st == "Established" && was != "Established")
            log_event(spdlog::level::info, messages::kUnderlayUp,
                      fmt::format("underlay session to {} established", peer),
                      {{"PEROUTER_PEER", peer}});
        if (st != "Established" && was == "Established")
            log_event(spdlog::level::warn, messages::kUnderlayDown,
                      fmt::format("underlay session to {} down ({})", peer, st),
                      {{"PEROUTER_PEER", peer}});
    }
    for (const auto& [peer, was] : peers_)
        if (!now.count(peer) && was == "Established")
            log_event(spdlog::level::warn, messages::kUnderlayDown,
                      fmt::format("underlay session to {} down", peer), {{"PEROUTER_PEER", peer}});
    bool changed = now != peers_;
    peers_ = std::move(now);
    if (changed)
        publish();
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
}

// ---- Controller ---------------------------------------------------------------------------

ControlResult<void> Service::reload() {
    notify_reloading();
    state_ = "reloading";
    publish();
    auto r = load_and_apply("reload");
    if (state_ == "reloading")
        state_ = current_ ? (last_.errors.empty() ? "running" : "degraded") : "failed";
    notify_ready(status_line());
    publish();
    return r;
}

Diagnostics Service::validate(const std::string& toml) {
    auto files = config::discover(config::Layout{opts_.root});
    if (!files)
        return {Diagnostic{{}, files.error().message}};
    auto base = config::read_all(*files);
    if (!base)
        return base.error();
    auto r = config::parse_with(*base, config::ConfigText{"<validate>", toml});
    return r ? Diagnostics{} : r.error();
}

ControlResult<void> Service::add_vpn(const std::string& name, const std::string& toml,
                                     bool persist) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    const std::string dir = opts_.root + (persist ? "/etc" : "/run") + "/perouter/perouter.d";
    const std::string target = dir + "/50-" + name + ".toml";
    auto kind = config::check_vpn_document({target, toml}, name);
    if (!kind)
        return fail(invalid_config(kind.error()));

    auto base = files_on_disk(opts_.root);
    if (!base)
        return fail(std::move(base).error());
    if (auto cfg = config::parse(*base); cfg) {
        for (const auto& v : config::vpns_of(*cfg))
            if (v.name == name)
                return fail(ControlError{
                    ControlErrorKind::VpnExists,
                    fmt::format("vpn '{}' already exists (defined in {})", name, v.source),
                    {}});
    }
    if (auto merged = config::parse_with(*base, {target, toml}); !merged)
        return fail(invalid_config(merged.error()));

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return fail(ControlError{
            ControlErrorKind::Failed, fmt::format("create {}: {}", dir, ec.message()), {}});
    if (Status st = write_file_atomic(target, toml, 0644); !st)
        return fail(ControlError{ControlErrorKind::Failed, st.error().message, {}});
    spdlog::info("vpn '{}' written to {}", name, target);
    return reload();
}

ControlResult<void> Service::remove_vpn(const std::string& name) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    auto base = files_on_disk(opts_.root);
    if (!base)
        return fail(std::move(base).error());
    auto cfg = config::parse(*base);
    if (!cfg)
        return fail(invalid_config(cfg.error()));
    std::optional<config::VpnRef> found;
    for (auto& v : config::vpns_of(*cfg))
        if (v.name == name)
            found = v;
    if (!found)
        return fail(
            ControlError{ControlErrorKind::NoSuchVpn, fmt::format("no vpn named '{}'", name), {}});

    // Only the drop-ins AddVpn writes are ours to remove; both, so that a persisted copy does
    // not reappear from under a volatile one.
    const std::string file = "/perouter/perouter.d/50-" + name + ".toml";
    const std::vector<std::string> owned{opts_.root + "/run" + file, opts_.root + "/etc" + file};
    auto same = [](const std::string& a, const std::string& b) {
        return fs::path(a).lexically_normal() == fs::path(b).lexically_normal();
    };
    if (std::none_of(owned.begin(), owned.end(),
                     [&](const std::string& o) { return same(o, found->source); }))
        return fail(ControlError{
            ControlErrorKind::ReadOnly,
            fmt::format("vpn '{}' is defined in {}, not by AddVpn; edit that file instead", name,
                        found->source),
            {}});
    for (const auto& o : owned) {
        std::error_code ec;
        if (fs::remove(o, ec))
            spdlog::info("vpn '{}': removed {}", name, o);
        if (ec)
            return fail(ControlError{
                ControlErrorKind::Failed, fmt::format("remove {}: {}", o, ec.message()), {}});
    }
    return reload();
}

std::vector<VpnInfo> Service::vpns() const {
    std::vector<VpnInfo> out;
    if (!current_)
        return out;
    for (const auto& v : config::vpns_of(*current_)) {
        VpnInfo i{v.name, v.kind, v.vni, v.vrf, "pending", v.source, ""};
        if (applied_once_) {
            auto it = last_.failed_owners.find(v.name);
            if (it == last_.failed_owners.end())
                it = last_.failed_owners.find("frr");
            if (it == last_.failed_owners.end())
                it = last_.failed_owners.find("router");
            if (it != last_.failed_owners.end()) {
                i.state = "failed";
                i.error = it->second;
            } else {
                i.state = "configured";
            }
        }
        out.push_back(std::move(i));
    }
    return out;
}

ManagerStatus Service::status() const {
    ManagerStatus s;
    s.state = state_;
    s.last_error = last_error_;
    s.version = PEROUTER_VERSION;
    if (!current_ || !current_->underlay) {
        s.underlay_state = "unconfigured";
    } else if (!frr_up_) {
        s.underlay_state = "down";
    } else {
        bool any = std::any_of(peers_.begin(), peers_.end(),
                               [](const auto& p) { return p.second == "Established"; });
        s.underlay_state = any ? "established" : "connecting";
    }
    return s;
}

bool Service::online() const {
    if (status().underlay_state != "established")
        return false;
    // The VNIs that carry the host's default route must be in place too.
    for (const auto& v : vpns()) {
        bool gw = false;
        for (const auto& l3 : current_->l3vnis)
            if (l3.name == v.name)
                gw = l3.default_gateway;
        if (gw && v.state != "configured")
            return false;
    }
    return true;
}

nlohmann::json Service::describe() const {
    ManagerStatus s = status();
    nlohmann::json j;
    j["state"] = s.state;
    j["underlay_state"] = s.underlay_state;
    j["last_error"] = s.last_error;
    j["version"] = s.version;
    j["online"] = online();
    j["netns"] = opts_.netns;
    j["peers"] = peers_;
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : vpns())
        vs.push_back({{"name", v.name},
                      {"kind", v.kind},
                      {"vni", v.vni},
                      {"vrf", v.vrf},
                      {"state", v.state},
                      {"source", v.source},
                      {"error", v.error}});
    j["vpns"] = vs;
    j["last_reconcile"] = {
        {"changes", last_.changes}, {"errors", last_.errors}, {"problems", last_.problems}};
    j["config"] = current_ ? config::to_json(*current_) : nlohmann::json(nullptr);
    return j;
}

// ---- status publishing --------------------------------------------------------------------

std::string Service::status_line() const {
    if (!current_)
        return "no valid configuration: " + last_error_;
    const config::Config& c = *current_;
    if (!c.underlay)
        return "no [underlay]: router not configured";
    size_t up = std::count_if(peers_.begin(), peers_.end(),
                              [](const auto& p) { return p.second == "Established"; });
    std::string s = fmt::format("underlay: {}/{} peers up, {} l3vni, {} l2vni{}", up,
                                c.underlay->neighbors.size(), c.l3vnis.size(), c.l2vnis.size(),
                                c.passthrough ? ", passthrough" : "");
    if (!last_error_.empty())
        s += "; last error: " + last_error_;
    return s;
}

void Service::publish() {
    if (applied_once_ || state_ == "failed")
        notify_status(status_line());
    changed();
}

// ---- event sources ------------------------------------------------------------------------

void Service::schedule(sd_event_source*& timer, uint64_t usec, sd_event_time_handler_t handler) {
    if (timer) {
        sd_event_source_set_time_relative(timer, usec);
        sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
        return;
    }
    sd_event_add_time_relative(event_, &timer, CLOCK_MONOTONIC, usec, 0, handler, this);
}

void Service::watch_config_dirs() {
    for (auto* src : inotify_)
        sd_event_source_unref(src);
    inotify_.clear();
    // /etc and /run are where drop-ins arrive at runtime: make sure they can be watched.
    for (const char* base : {"/etc/perouter/perouter.d", "/run/perouter/perouter.d"}) {
        std::error_code ec;
        fs::create_directories(opts_.root + base, ec);
    }
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                          IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    std::set<std::string> watched;
    for (const auto& dir : config::Layout{opts_.root}.dirs()) {
        for (const std::string& want : {dir, dir + "/perouter.d"}) {
            // A directory that does not exist yet (a vendor directory before the package that
            // fills it) is noticed through its nearest existing parent.
            fs::path d = want;
            while (!fs::is_directory(d) && d.has_parent_path() && d != d.parent_path())
                d = d.parent_path();
            if (!watched.insert(d.string()).second)
                continue;
            sd_event_source* src = nullptr;
            if (int r = sd_event_add_inotify(event_, &src, d.c_str(), mask, on_inotify, this);
                r < 0) {
                spdlog::warn("cannot watch {}: {}", d.string(), strerror(-r));
                continue;
            }
            inotify_.push_back(src);
        }
    }
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
    s->state_ = "stopping";
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

int Service::on_inotify(sd_event_source*, const struct inotify_event* ev, void* self) {
    auto* s = static_cast<Service*>(self);
    const bool dir_changed = (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) ||
                             ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)));
    if (dir_changed) {
        // A watched directory went, or one we wait for may have appeared: watch the set again.
        // Sources are released after this callback returns, so swapping them here is safe.
        s->watch_config_dirs();
    } else {
        // Only TOML files matter; editors' swap files and our own temporary files do not.
        std::string_view name = ev->len ? std::string_view(ev->name) : std::string_view();
        bool toml = name.size() > 5 && name.substr(name.size() - 5) == ".toml" && name[0] != '.';
        if (!toml)
            return 0;
    }
    s->schedule(s->files_timer_, kFilesSettleUsec, on_files_settled);
    return 0;
}

int Service::on_files_settled(sd_event_source*, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    spdlog::info("configuration files changed: reloading");
    (void)s->reload();
    return 0;
}

int Service::on_netlink(sd_event_source*, int fd, uint32_t, void* self) {
    auto* s = static_cast<Service*>(self);
    if (!s->monitor_)
        return 0;
    bool relevant = false;
    for (const auto& name : s->monitor_->drain(fd))
        if (relevant_link(name, s->current_ ? &*s->current_ : nullptr))
            relevant = true;
    if (relevant && s->current_ && s->current_->underlay && s->backoff_ticks_ == 0)
        s->schedule(s->drift_timer_, kDriftSettleUsec, on_drift_settled);
    return 0;
}

int Service::on_drift_settled(sd_event_source*, uint64_t, void* self) {
    auto* s = static_cast<Service*>(self);
    // Our own changes cause link events too; a reconcile that finds nothing to do is cheap and
    // causes none, so this settles after one round.
    s->apply("link change");
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
    // 50 ms accuracy: the default (250 ms) would stretch watchdog pings past half the timeout.
    sd_event_add_time_relative(event_, &tick_, CLOCK_MONOTONIC, tick_interval(), 50'000, on_tick,
                               this);
    sd_event_source_set_enabled(tick_, SD_EVENT_ON);

    watch_config_dirs();
    try_start_bus();
    (void)load_and_apply("start");
    // READY even with a rejected configuration: the service is up and reports why in STATUS;
    // perouterd-wait-online is what holds back network-online.target.
    notify_ready(status_line());
    spdlog::info("ready: {}", status_line());
    int r = sd_event_loop(event_);
    return r < 0 ? 1 : 0;
}

}  // namespace perouter::daemon
