// Service, part 2: the status model (src/daemon/service.hpp): underlay sessions, the online
// verdict and its probe, ManagerStatus, Describe(), STATUS= and PropertiesChanged.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "config/names.hpp"
#include "config/online.hpp"
#include "config/to_json.hpp"
#include "config/vpn_document.hpp"
#include "daemon/logging.hpp"
#include "daemon/notify.hpp"
#include "daemon/service.hpp"
#include "daemon/underlay_sessions.hpp"
#include "dbus/server.hpp"

namespace perouter::daemon {
namespace fs = std::filesystem;
using dbus::UnderlayState;
using dbus::VpnState;

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
    // Asked without waiting: the answer arrives through the event loop (async_vty_query.hpp).
    auto q =
        AsyncVtyQuery::start(event_, router_->frr().paths().vty_socket("bgpd"),
                             "show bgp neighbors json", frr::Instance::kQueryTimeout,
                             [this](Result<std::string> r) { on_underlay_answer(std::move(r)); });
    if (!q) {
        spdlog::warn("underlay sessions: {}", q.error().message);
        return;
    }
    underlay_query_ = std::move(*q);
}

void Service::on_underlay_answer(Result<std::string> r) {
    if (!current_ || !current_->underlay) {
        query_misses_.answered();
        frr_up_ = false;
        update_peers({});
        return;
    }
    nlohmann::json j;
    if (r)
        j = nlohmann::json::parse(*r, nullptr, false);
    if (!j.is_object()) {
        std::string why = !r ? r.error().message : std::string("not a JSON object");
        if (query_misses_.missed(frr_up_) == QueryMisses::Verdict::KeepLast) {
            // peers_answered_usec_ stays: the next reader or event asks again at once.
            spdlog::info(
                "underlay sessions: FRR did not answer ({}); keeping the last answer's "
                "states until the next query",
                why);
            return;
        }
        if (frr_up_)
            spdlog::warn("underlay sessions: FRR did not answer ({}) {} times in a row", why,
                         query_misses_.misses());
        sd_event_now(event_, CLOCK_MONOTONIC, &peers_answered_usec_);
        frr_up_ = false;
        update_peers({});
        return;
    }
    query_misses_.answered();
    sd_event_now(event_, CLOCK_MONOTONIC, &peers_answered_usec_);
    frr_up_ = true;
    update_peers(underlay_session_states(current_->underlay->neighbors, j));
}

void Service::poll_srv6_sids() {
    if (!current_ || current_->l3vpns.empty() ||
        router_->frr().state() != frr::Instance::State::Running) {
        srv6_query_.reset();
        if (!srv6_sids_.empty()) {
            srv6_sids_.clear();
            publish();
        }
        return;
    }
    if (srv6_query_ && !srv6_query_->finished())
        return;
    // Text only: FRR 8.4 has no JSON form of this command (frr/srv6_sids.hpp).
    auto q = AsyncVtyQuery::start(event_, router_->frr().paths().vty_socket("bgpd"),
                                  "show bgp segment-routing srv6", frr::Instance::kQueryTimeout,
                                  [this](Result<std::string> r) { on_srv6_answer(std::move(r)); });
    if (!q) {
        spdlog::warn("SRv6 SIDs: {}", q.error().message);
        return;
    }
    srv6_query_ = std::move(*q);
}

void Service::on_srv6_answer(Result<std::string> r) {
    // No answer keeps the SIDs of the last one: they change only when the VRF's configuration
    // does, and the poll asks again while any is missing.
    if (!r) {
        spdlog::info("SRv6 SIDs: FRR did not answer ({})", r.error().message);
        return;
    }
    auto now = frr::parse_srv6_sids(*r);
    if (now == srv6_sids_)
        return;
    srv6_sids_ = std::move(now);
    publish();
    rearm_poll();
}

bool Service::srv6_sids_missing() const {
    if (!current_)
        return false;
    return std::any_of(current_->l3vpns.begin(), current_->l3vpns.end(), [&](const auto& l3) {
        auto it = srv6_sids_.find(l3.vrf);
        return it == srv6_sids_.end() || it->second.ipv4.empty() || it->second.ipv6.empty();
    });
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

VpnInfo Service::vpn_info(const config::VpnRef& v) const {
    VpnInfo i{v.name, v.kind, v.vni, v.vrf, VpnState::Pending, v.source, "", "", ""};
    if (applied_once_) {
        auto it = last_.failed_owners.find(v.name);
        if (it == last_.failed_owners.end())
            it = last_.failed_owners.find("frr");
        if (it == last_.failed_owners.end())
            it = last_.failed_owners.find("router");
        if (it != last_.failed_owners.end()) {
            i.state = VpnState::Failed;
            i.error = it->second;
        } else {
            i.state = VpnState::Configured;
        }
    }
    if (v.kind == VpnKind::L3vpn)
        if (auto it = srv6_sids_.find(v.vrf); it != srv6_sids_.end()) {
            i.ipv4_sid = it->second.ipv4;
            i.ipv6_sid = it->second.ipv6;
        }
    return i;
}

std::vector<VpnInfo> Service::vpns() const {
    trim_later();  // the answer holds every VPN
    std::vector<VpnInfo> out;
    if (!current_)
        return out;
    for (const auto& v : config::vpns_of(*current_))
        out.push_back(vpn_info(v));
    return out;
}

std::optional<VpnInfo> Service::vpn(std::string_view name) const {
    if (!current_)
        return std::nullopt;
    if (auto v = config::find_vpn(*current_, name))
        return vpn_info(*v);
    return std::nullopt;
}

namespace {
// How old an answer about the underlay sessions a status reader may get (refresh_if_stale()).
constexpr uint64_t kStatusFreshUsec = 5'000'000;
}  // namespace

void Service::refresh_if_stale() const {
    // The SIDs are asked for with the sessions (on_refresh).
    if (!event_ || refresh_defer_ || !current_ || !current_->underlay || needs_polling() ||
        (underlay_query_ && !underlay_query_->finished()))
        return;
    uint64_t now = 0;
    sd_event_now(event_, CLOCK_MONOTONIC, &now);
    if (now < peers_answered_usec_ + kStatusFreshUsec)
        return;
    // Asked once the loop is idle: status() may be called while the bus builds a reply.
    if (sd_event_add_defer(event_, &refresh_defer_, on_refresh, const_cast<Service*>(this)) < 0)
        refresh_defer_ = nullptr;
}

int Service::on_refresh(sd_event_source* src, void* self) {
    auto* s = static_cast<Service*>(self);
    s->refresh_defer_ = sd_event_source_unref(src);
    s->poll_underlay();
    s->poll_srv6_sids();
    return 0;
}

ManagerStatus Service::status() const {
    refresh_if_stale();
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
        s.underlay_state = UnderlayState::Unconfigured;
    } else if (!frr_up_) {
        s.underlay_state = UnderlayState::Down;
    } else {
        bool any = std::any_of(peers_.begin(), peers_.end(),
                               [](const auto& p) { return p.second == "Established"; });
        s.underlay_state = any ? UnderlayState::Established : UnderlayState::Connecting;
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
    trim_later();  // the answer holds every VPN
    ManagerStatus s = status();
    nlohmann::json j;
    j["state"] = s.state;
    j["underlay_state"] = to_string(s.underlay_state);
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
    if (auto dhcp = router_ && current_ ? router_->dhcp_status(*current_) : std::nullopt) {
        nlohmann::json leased = nlohmann::json::array();
        for (const IpPrefix& a : dhcp->leased)
            leased.push_back(a.str());
        j["dhcp"] = {{"link", dhcp->link}, {"running", dhcp->running}, {"leased", leased}};
    }
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : vpns()) {
        nlohmann::json e = {
            {"name", v.name},  {"kind", to_string(v.kind)},   {"vni", v.vni},
            {"vrf", v.vrf},    {"state", to_string(v.state)}, {"source", v.source.str()},
            {"error", v.error}};
        if (v.kind == VpnKind::L3vpn)
            e["sids"] = {{"ipv4", v.ipv4_sid}, {"ipv6", v.ipv6_sid}};
        vs.push_back(std::move(e));
    }
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
    // "N l3vpn" only on nodes with SRv6 VPNs: every other status line reads as it always did.
    std::string s = fmt::format("underlay: {}/{} peers up, {} l3vni, {} l2vni{}{}", up,
                                c.underlay->neighbors.size(), c.l3vnis.size(), c.l2vnis.size(),
                                c.l3vpns.empty() ? "" : fmt::format(", {} l3vpn", c.l3vpns.size()),
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

}  // namespace perouter::daemon
