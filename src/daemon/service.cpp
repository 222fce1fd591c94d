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

ControlError invalid_config(Diagnostics ds) {
    ControlError e{ControlErrorKind::InvalidConfig, {}, std::move(ds)};
    // One line; the D-Bus layer appends every FILE:LINE:COL diagnostic after it.
    e.message = fmt::format("invalid configuration ({} error{})", e.diagnostics.size(),
                            e.diagnostics.size() == 1 ? "" : "s");
    return e;
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

Service::Service(Options opts)
    : opts_(std::move(opts)), last_good_(opts_.root + "/var/lib/perouter/last-good.json") {}

Service::~Service() {
    bus_.reset();
    files_.reset();
    underlay_query_.reset();
    for (auto* s : netlink_io_)
        sd_event_source_unref(s);
    sd_event_source_unref(probe_io_);
    sd_event_source_unref(drift_timer_);
    sd_event_source_unref(frr_wait_timer_);
    sd_event_source_unref(files_timer_);
    sd_event_source_unref(tick_);
    sd_event_unref(event_);
}

// ---- configuration and reconcile ----------------------------------------------------------

ControlResult<void> Service::load_and_apply(const char* why) {
    static const std::set<std::string> kNone;
    config::Assembly loaded =
        config::load(config::Layout{opts_.root},
                     config::InProgress{files_ ? files_->writing() : kNone, &read_texts_});
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
    on_last_good_ = false;
    std::optional<config::Config> before = std::move(current_);
    current_ = std::move(*loaded.config);
    check_file_modes(*current_);
    apply(why);
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
                     config::InProgress{files_ ? files_->writing() : kNone, &read_texts_}, &*main);
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

std::string Service::config_error() const {
    std::string out;
    if (!rejected_.empty())
        out = fmt::format("configuration rejected ({} error{}): {}; {}", rejected_.size(),
                          rejected_.size() == 1 ? "" : "s", rejected_.front().str(),
                          on_last_good_ ? "running the last good configuration"
                          : current_    ? "keeping the running configuration"
                                        : "nothing applied");
    for (const auto& f : skipped_) {
        if (!out.empty())
            out += "\n";
        out += fmt::format("{} left out: {}", f.path, f.diagnostics.front().str());
    }
    return out;
}

void Service::apply(const char* why) {
    if (!current_)
        return;
    auto r = router_->reconcile(*current_);
    if (r) {
        last_ = std::move(*r);
        for (const auto& p : last_.problems)
            spdlog::warn("{}", p);
        apply_error_ = last_.errors.empty() ? std::string() : last_.errors.front();
        if (apply_error_.empty() && !last_.problems.empty())
            apply_error_ = last_.problems.front();
        spdlog::info("reconcile ({}): {} change{}{}", why, last_.changes,
                     last_.changes == 1 ? "" : "s",
                     last_.errors.empty() ? "" : fmt::format(", {} failed", last_.errors.size()));
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
    poll_underlay();
    publish();
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

void Service::poll_underlay() {
    if (!current_ || !current_->underlay ||
        router_->frr().state() != frr::Instance::State::Running) {
        underlay_query_.reset();
        frr_up_ = false;
        update_peers({});
        return;
    }
    if (underlay_query_ && !underlay_query_->finished())
        return;  // the last query is still running; its answer comes first
    // Asked without waiting: the answer arrives through the event loop (async_process.hpp).
    auto q = AsyncProcess::start(event_, router_->frr().vtysh_argv("show bgp neighbors json"),
                                 frr::Instance::kQueryTimeout, [this](Result<ProcessResult> r) {
                                     std::map<std::string, std::string> now;
                                     frr_up_ = false;
                                     nlohmann::json j;
                                     if (r && !r->timed_out && r->exit_code == 0)
                                         j = nlohmann::json::parse(r->out, nullptr, false);
                                     if (j.is_object() && current_ && current_->underlay) {
                                         frr_up_ = true;
                                         for (const auto& n : current_->underlay->neighbors) {
                                             std::string addr = n.address.str();
                                             std::string st = "Idle";
                                             if (j.contains(addr) && j[addr].contains("bgpState") &&
                                                 j[addr]["bgpState"].is_string())
                                                 st = j[addr]["bgpState"].get<std::string>();
                                             now[addr] = st;
                                         }
                                     } else if (!r) {
                                         spdlog::warn("underlay sessions: {}", r.error().message);
                                     }
                                     update_peers(std::move(now));
                                 });
    if (!q) {
        spdlog::warn("underlay sessions: {}", q.error().message);
        return;
    }
    underlay_query_ = std::move(*q);
}

void Service::update_peers(std::map<std::string, std::string> now) {
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

void Service::publish_online_change() {
    if (!applied_once_)
        return;
    auto v = online_verdict();
    if (v.missing == online_missing_)
        return;
    online_missing_ = std::move(v.missing);
    publish();
}

void Service::probe_tick() {
    std::optional<IpAddress> want;
    if (current_ && current_->online)
        want = current_->online->probe;
    if (probe_ && (!want || probe_->target() != *want)) {
        probe_io_ = sd_event_source_unref(probe_io_);
        probe_.reset();
    }
    if (!want) {
        probe_state_ = reconcile::ProbeState::NotConfigured;
        return;
    }
    if (!probe_) {
        auto p =
            router_->namespaces().run_in(plan::Side::Host, [&] { return EchoProbe::open(*want); });
        if (!p) {
            spdlog::warn("online probe: {}", p.error().message);
            return;
        }
        probe_.emplace(std::move(*p));
        if (sd_event_add_io(event_, &probe_io_, probe_->fd(), EPOLLIN, on_probe_reply, this) < 0) {
            spdlog::warn("online probe: cannot watch its socket");
            probe_.reset();
            return;
        }
        probe_state_ = reconcile::ProbeState::Waiting;
        probe_pending_ = false;
    }
    if (probe_pending_ && probe_state_ == reconcile::ProbeState::Answered) {
        probe_state_ = reconcile::ProbeState::Unanswered;
        publish();
    }
    if (auto sent = probe_->send(); !sent)
        spdlog::debug("online probe: {}", sent.error().message);
    probe_pending_ = true;
}

int Service::on_probe_reply(sd_event_source*, int, uint32_t, void* self) {
    auto* svc = static_cast<Service*>(self);
    if (!svc->probe_)
        return 0;
    auto answered = svc->probe_->receive();
    if (!answered) {
        spdlog::debug("online probe: {}", answered.error().message);
        return 0;
    }
    if (*answered) {
        svc->probe_pending_ = false;
        if (svc->probe_state_ != reconcile::ProbeState::Answered) {
            svc->probe_state_ = reconcile::ProbeState::Answered;
            svc->publish();
        }
    }
    return 0;
}

// ---- Controller ---------------------------------------------------------------------------

ControlResult<void> Service::reload() {
    // Every file closed before this reload was asked for is read by it: the events already
    // queued are handled first (config_watch.hpp), then the pending file reload is dropped.
    if (files_)
        files_->drain();
    files_why_.clear();
    if (files_timer_)
        sd_event_source_set_enabled(files_timer_, SD_EVENT_OFF);
    notify_reloading();
    state_ = RunState::Reloading;
    publish();
    auto r = load_and_apply("reload");
    if (state_ == RunState::Reloading)
        state_ = !current_              ? RunState::Failed
                 : last_.errors.empty() ? RunState::Running
                                        : RunState::Degraded;
    notify_ready(status_line());
    publish();
    return r;
}

Diagnostics Service::validate(const std::string& toml) {
    // Against the files that stand now, as the loader would see them.
    config::Assembly loaded = config::load(config::Layout{opts_.root});
    if (!loaded.config)
        return loaded.diagnostics();
    auto r = config::parse_with(loaded.texts, config::ConfigText{"<validate>", toml});
    return r ? Diagnostics{} : r.error();
}

ControlResult<void> Service::reload_for(const std::string& file) {
    auto r = reload();
    if (r || r.error().kind != ControlErrorKind::InvalidConfig || !rejected_.empty())
        return r;
    // Only other drop-ins were left out (they are reported in the status and the journal): the
    // caller's change applied, and its call succeeded.
    for (const auto& f : skipped_)
        if (!file.empty() && f.path == file)
            return r;
    return {};
}

ControlResult<void> Service::add_vpn(const std::string& name, const std::string& toml,
                                     bool persist) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    const config::Layout layout{opts_.root};
    const std::string file = "50-" + name + ".toml";
    const std::string dir = opts_.root + (persist ? "/etc" : "/run") + "/perouter/perouter.d";
    const std::string target = dir + "/" + file;
    auto kind = config::check_vpn_document({target, toml}, name);
    if (!kind)
        return fail(invalid_config(kind.error()));

    // The loader's precedence rules: a file of that name in any of the three directories
    // would either hide ours (a higher one) or be hidden by it (a lower one, or the same).
    for (const auto& d : layout.dirs()) {
        std::string other = d + "/" + layout.dropin_dir_name() + "/" + file;
        struct stat st {};
        if (::lstat(other.c_str(), &st) == 0)
            return fail(ControlError{
                ControlErrorKind::VpnExists,
                fmt::format("{} already exists; a drop-in of that name would {} it", other,
                            other == target ? "replace" : "hide or be hidden by"),
                {}});
    }

    config::Assembly loaded = config::load(layout);
    if (!loaded.config)
        return fail(invalid_config(loaded.diagnostics()));
    for (const auto& v : config::vpns_of(*loaded.config))
        if (v.name == name)
            return fail(
                ControlError{ControlErrorKind::VpnExists,
                             fmt::format("vpn '{}' already exists (defined in {})", name, v.source),
                             {}});
    if (auto merged = config::parse_with(loaded.texts, {target, toml}); !merged)
        return fail(invalid_config(merged.error()));

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return fail(ControlError{
            ControlErrorKind::Failed, fmt::format("create {}: {}", dir, ec.message()), {}});
    if (Status st = write_file_atomic(target, toml, 0644); !st)
        return fail(ControlError{ControlErrorKind::Failed, st.error().message, {}});
    spdlog::info("vpn '{}' written to {}", name, target);
    return reload_for(target);
}

ControlResult<void> Service::remove_vpn(const std::string& name) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    // Only the drop-ins AddVpn writes are ours to remove; both, so that a persisted copy does
    // not reappear from under a volatile one.
    const std::string file = "/perouter/perouter.d/50-" + name + ".toml";
    const std::vector<std::string> owned{opts_.root + "/run" + file, opts_.root + "/etc" + file};
    auto same = [](const std::string& a, const std::string& b) {
        return fs::path(a).lexically_normal() == fs::path(b).lexically_normal();
    };
    auto is_owned = [&](const std::string& path) {
        return std::any_of(owned.begin(), owned.end(),
                           [&](const std::string& o) { return same(o, path); });
    };

    config::Assembly loaded = config::load(config::Layout{opts_.root});
    std::optional<config::VpnRef> found;
    if (loaded.config)
        for (auto& v : config::vpns_of(*loaded.config))
            if (v.name == name)
                found = v;
    // AddVpn's own file that the loader left out (it clashes with a file added since) is still
    // AddVpn's to remove.
    for (const auto& f : loaded.skipped)
        if (!found && is_owned(f.path))
            found = config::VpnRef{name, "", 0, "", f.path};
    if (!found)
        return fail(
            ControlError{ControlErrorKind::NoSuchVpn, fmt::format("no vpn named '{}'", name), {}});

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
    return reload_for(std::string());
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
    s.state = std::string(to_string(state_));
    s.config_error = config_error();
    s.apply_error = apply_error_;
    s.last_error = s.config_error.empty() ? s.apply_error : s.config_error;
    s.version = PEROUTER_VERSION;
    for (const auto& f : skipped_)
        s.failed_files.push_back(f.path);
    for (const auto& d : rejected_)
        if (d.pos.known() && std::find(s.failed_files.begin(), s.failed_files.end(), d.pos.file) ==
                                 s.failed_files.end())
            s.failed_files.push_back(d.pos.file);
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

reconcile::OnlineVerdict Service::online_verdict() const {
    reconcile::OnlineInputs in;
    in.underlay_configured = current_ && current_->underlay;
    in.peers = peers_;
    if (current_) {
        in.targets = config::online_targets(*current_);
        if (current_->online)
            in.probe = current_->online->probe;
    }
    in.probe_state = probe_state_;
    if (!in.targets.empty() && router_) {
        auto view = router_->observe_forwarding(*current_);
        if (view)
            in.forwarding = std::move(*view);
        else
            return {false, {"cannot read the kernel's forwarding state: " + view.error().message}};
    }
    return reconcile::online_verdict(in);
}

nlohmann::json Service::describe() const {
    ManagerStatus s = status();
    nlohmann::json j;
    j["state"] = s.state;
    j["underlay_state"] = s.underlay_state;
    j["last_error"] = s.last_error;
    j["config_error"] = s.config_error;
    j["apply_error"] = s.apply_error;
    j["version"] = s.version;
    j["last_good"] = on_last_good_;
    j["warnings"] = warnings_;
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& f : skipped_) {
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& d : f.diagnostics)
            errors.push_back(d.str());
        failed.push_back({{"path", f.path}, {"state", "left-out"}, {"errors", errors}});
    }
    if (!rejected_.empty()) {
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& d : rejected_)
            errors.push_back(d.str());
        failed.push_back(
            {{"path", rejected_.front().pos.file}, {"state", "rejected"}, {"errors", errors}});
    }
    j["failed_files"] = failed;
    reconcile::OnlineVerdict verdict = online_verdict();
    j["online"] = verdict.online;
    j["online_missing"] = verdict.missing;
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
        return "no valid configuration: " + config_error();
    const config::Config& c = *current_;
    if (!c.underlay)
        return "no [underlay]: router not configured";
    size_t up = std::count_if(peers_.begin(), peers_.end(),
                              [](const auto& p) { return p.second == "Established"; });
    std::string s = fmt::format("underlay: {}/{} peers up, {} l3vni, {} l2vni{}", up,
                                c.underlay->neighbors.size(), c.l3vnis.size(), c.l2vnis.size(),
                                c.passthrough ? ", passthrough" : "");
    if (on_last_good_)
        s += "; RUNNING THE LAST GOOD CONFIGURATION (the files are invalid)";
    if (!skipped_.empty())
        s += fmt::format("; {} file{} left out", skipped_.size(), skipped_.size() == 1 ? "" : "s");
    if (!rejected_.empty())
        s += fmt::format("; configuration rejected: {}", rejected_.front().str());
    else if (!skipped_.empty())
        s += fmt::format(": {}", skipped_.front().diagnostics.front().str());
    if (!apply_error_.empty())
        s += "; apply error: " + apply_error_;
    if (!warnings_.empty())
        s += "; warning: " + warnings_.front();
    if (applied_once_) {
        reconcile::OnlineVerdict v = online_verdict();
        if (v.online)
            s += "; online";
        else
            s += fmt::format("; not online: {}{}", v.missing.front(),
                             v.missing.size() > 1 ? fmt::format(" (+{} more)", v.missing.size() - 1)
                                                  : std::string());
    }
    return s;
}

void Service::publish() {
    if (applied_once_ || state_ == RunState::Failed)
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

int Service::on_files_settled(sd_event_source*, uint64_t, void* self) {
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
    for (const auto& name : s->monitor_->drain(fd))
        if (relevant_link(name, s->current_ ? &*s->current_ : nullptr))
            relevant = true;
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

    auto watch = ConfigWatch::open(event_, opts_.root, [this](const std::string& why) {
        if (files_why_.empty())
            files_why_ = why;
        schedule(files_timer_, kFilesSettleUsec, on_files_settled);
    });
    if (watch)
        files_ = std::move(*watch);
    else
        spdlog::warn("configuration file changes are not noticed: {}", watch.error().message);
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
