// The long-running mode of perouterd: one sd-event loop that reconciles at start, on SIGHUP,
// when a configuration file changes, when a D-Bus caller asks, and when FRR, the router
// namespace or our links need it. It is also the Controller the D-Bus API talks to: every
// source of change goes through the same reload().
//
// In three files: service.cpp (the loop, its timers and signals, loading and applying),
// service_status.cpp (underlay sessions, the online verdict, ManagerStatus, Describe, STATUS=),
// service_vpns.cpp (Validate, AddVpn, RemoveVpn). The configuration directories are watched by
// config_watch.hpp, FRR asked without blocking through async_vty_query.hpp.
#pragma once

#include <systemd/sd-event.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.hpp"
#include "config/model.hpp"
#include "config/vpn_document.hpp"
#include "daemon/async_vty_query.hpp"
#include "daemon/config_watch.hpp"
#include "daemon/echo_probe.hpp"
#include "daemon/health_watch.hpp"
#include "daemon/last_good.hpp"
#include "daemon/neighbour_refresher.hpp"
#include "daemon/options.hpp"
#include "daemon/raw_frr_check.hpp"
#include "daemon/router.hpp"
#include "daemon/run_state.hpp"
#include "daemon/underlay_sessions.hpp"
#include "dbus/controller.hpp"
#include "frr/srv6_sids.hpp"
#include "netlink/monitor.hpp"
#include "reconcile/online.hpp"

namespace perouter::dbus {
class BusServer;
}

namespace perouter::daemon {

// The D-Bus side's interface, which the service implements (dbus/controller.hpp).
using dbus::ControlError;
using dbus::ControlErrorKind;
using dbus::Controller;
using dbus::ControlResult;
using dbus::invalid_config;
using dbus::ManagerStatus;
using dbus::VpnInfo;

class Service : public Controller {
  public:
    explicit Service(Options opts);
    ~Service() override;
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Runs until SIGTERM/SIGINT. Returns the process exit code.
    int run();

    // Controller
    ControlResult<void> reload() override;
    Diagnostics validate(const std::string& toml) override;
    ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                bool persist) override;
    ControlResult<void> remove_vpn(const std::string& name) override;
    std::vector<VpnInfo> vpns() const override;
    std::optional<VpnInfo> vpn(std::string_view name) const override;
    ManagerStatus status() const override;
    nlohmann::json describe() const override;

  private:
    /// One entry of vpns(): the VPN and what the last reconcile made of it.
    VpnInfo vpn_info(const config::VpnRef& v) const;
    /// Reads the files and applies what stands: drop-ins that fail are left out and reported.
    /// When the main file fails, the running configuration stays; with none running yet (at
    /// start) the last good one saved under /var/lib/perouter is used, if any.
    /// `prepared` is what AddVpn's check assembled (check_dropin()): used instead of assembling
    /// again when the files read are its texts.
    ControlResult<void> load_and_apply(const char* why,
                                       std::optional<config::Assembly> prepared = std::nullopt);
    /// reload(), with load_and_apply()'s `prepared`.
    ControlResult<void> reload_with(std::optional<config::Assembly> prepared);
    /// reload() for AddVpn/RemoveVpn: drop-ins left out that are not `file` (the caller's own)
    /// do not make the caller's call fail; they stay reported in the status.
    ControlResult<void> reload_for(const std::string& file,
                                   std::optional<config::Assembly> prepared = std::nullopt);
    /// The files being written (a load uses the text it read before, config/load.hpp).
    config::InProgress in_progress() const;
    /// What the configuration files hold now, for the D-Bus calls that check against them
    /// (Validate, AddVpn, RemoveVpn). When they are the texts the running configuration was
    /// assembled from (every file stood), that configuration is their parse (assemble() is
    /// pure) and nothing is parsed; otherwise they are assembled as a load would.
    struct FilesNow {
        std::shared_ptr<const config::Config> config;  // null when the main file fails
        std::vector<config::ConfigText> texts;         // what `config` was assembled from
        std::vector<config::SkippedFile> skipped;
        Diagnostics diagnostics;  // config::Assembly::diagnostics()
        bool replaced = false;    // config::Assembly::replaced
    };
    FilesNow files_now();
    /// config::assemble(sources), parsing only the files that differ from the running
    /// configuration's when config::reassemble() can (a change of VPN drop-ins).
    config::Assembly assemble(const config::Sources& sources);
    /// The errors of `files` with `extra` added (Validate, AddVpn): config::parse_with, or
    /// config::reassemble when only VPN entries are added.
    static Diagnostics check_with(const FilesNow& files, const config::ConfigText& extra);
    /// AddVpn's check: what `files` with the drop-in `extra` make, `extra` where a load reads it
    /// (config::with_dropin). The assembly when config::reassemble builds it (it stands then),
    /// else the errors of config::parse_with (none when the files stand).
    struct Checked {
        Diagnostics errors;
        std::optional<config::Assembly> assembly;
    };
    static Checked check_dropin(const FilesNow& files, const config::ConfigText& extra);
    /// Logs what a load left out or rejected and records it as the configuration error.
    void report_load(const config::Assembly& loaded);
    /// The drop-ins a load left out: logged with their positions, kept for the status.
    void report_skipped(const config::Assembly& loaded);
    bool start_from_last_good();
    /// Configuration files that hold a password and can be read by group or others.
    void check_file_modes(const config::Config& cfg);
    std::string config_error() const;
    /// One reconcile of the running configuration; Scope::changes() for reloads and link events
    /// (only what differs from the last clean apply), everything for retries and repairs.
    void apply(const char* why, const Scope& scope = Scope::everything());
    /// Discards the link events our own changes caused (they are queued by the time the
    /// netlink requests returned), so that only others' changes schedule a repair.
    void drain_monitor();
    void after_apply(const config::Config* before);
    /// After work that allocates in proportion to the configuration (a load, a reconcile, a
    /// D-Bus answer listing every VPN): malloc_trim() once the loop is idle. glibc keeps the
    /// freed pages otherwise (free chunks between live ones are not returned): with 1000 VNIs
    /// a reload that changes nothing left ~2 MiB of freed heap resident. The same idle event
    /// starts the vtysh that waits for the next FRR check, when the last check used it.
    void trim_later() const;
    /// What must be looked at every 2 s: the underlay sessions while one is not Established
    /// (or FRR does not answer), the [online] probe when configured. Once all is settled only
    /// events, the watchdog and readers of the status wake the loop (refresh_if_stale()). (A
    /// missing system bus has its own timer.)
    bool needs_polling() const;
    /// kPollUsec while needs_polling(), else 0 (off).
    uint64_t poll_interval() const;
    /// Sets the poll timer to poll_interval() when that changed.
    void rearm_poll();
    void poll();
    /// Runs Router::check_health() now (a watched process exited, a pid file, vty socket or the
    /// namespace changed; or the watchdog's safety net) and repairs what it reports.
    void check_health(const char* why);
    /// Hands the health watch what to watch now (after every apply and health check).
    void watch_health();
    /// The sessions and the online verdict, after the kernel's routes or neighbours changed.
    void recheck_forwarding();
    /// Brings the retry after errors forward to within `usec` from now.
    void retry_within(uint64_t usec);
    /// Asks FRR for the underlay sessions' states without waiting (update_peers() gets them).
    void poll_underlay();
    /// A reader of the status (D-Bus, STATUS=) gets sessions at most kStatusFreshUsec old: an
    /// older answer makes the loop ask FRR again once it is idle. A hung FRR sends no event, so
    /// this (and the watchdog) is how the status stops saying "established" for a frozen FRR
    /// without a periodic poll (reliability R10).
    void refresh_if_stale() const;
    void update_peers(std::map<std::string, std::string> now);
    /// The answer (or not) to poll_underlay()'s query; a miss is judged by query_misses_.
    void on_underlay_answer(Result<std::string> r);
    /// Asks bgpd for the SIDs of the SRv6 L3VPNs' VRFs without waiting (on_srv6_answer());
    /// nothing to ask on a node without [[l3vpn]].
    void poll_srv6_sids();
    void on_srv6_answer(Result<std::string> r);
    /// An [[l3vpn]] whose VRF has no SID for a family yet: bgpd gives them once zebra handed it
    /// a chunk of the locator, some time after the configuration; polled until then.
    bool srv6_sids_missing() const;
    /// The default-gateway VPN forwards (reconcile/online.hpp): the underlay, the kernel's
    /// routes, neighbours and FDB entries in the gateway VRFs, the [online] probe.
    reconcile::OnlineVerdict online_verdict() const;
    bool online() const { return online_verdict().online; }
    /// Sends the [online] probe's next echo request (and opens or closes its socket to match
    /// the configuration). A request still unanswered at the next poll counts as lost.
    void probe_tick();
    /// Publishes STATUS= and PropertiesChanged when what "online" misses changed since the last
    /// look (after route and neighbour events, polls, the watchdog's safety net).
    void publish_online_change();
    std::string status_line() const;
    void publish();  // STATUS= and D-Bus PropertiesChanged

    /// Arms `timer` (made on first use) to fire once in `usec`, late by up to `accuracy_usec`
    /// (0: sd-event's default, 250 ms, which lets wakeups coalesce).
    void schedule(sd_event_source*& timer, uint64_t usec, sd_event_time_handler_t handler,
                  uint64_t accuracy_usec = 0);
    void open_monitor();
    /// Hands the neighbour refresh the bridges of the running configuration.
    void update_refresher();
    void try_start_bus();
    void notify_ready_when_applied();

    static int on_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* self);
    static int on_poll(sd_event_source* s, uint64_t usec, void* self);
    static int on_watchdog(sd_event_source* s, uint64_t usec, void* self);
    static int on_retry(sd_event_source* s, uint64_t usec, void* self);
    static int on_bus_retry(sd_event_source* s, uint64_t usec, void* self);
    static int on_health(sd_event_source* s, void* self);
    static int on_health_timer(sd_event_source* s, uint64_t usec, void* self);
    static int on_refresh(sd_event_source* s, void* self);
    static int on_forwarding(sd_event_source* s, int fd, uint32_t revents, void* self);
    static int on_forwarding_settled(sd_event_source* s, uint64_t usec, void* self);
    static int on_files_changed(sd_event_source* s, void* self);
    static int on_netlink(sd_event_source* s, int fd, uint32_t revents, void* self);
    static int on_frr_wait(sd_event_source* s, uint64_t usec, void* self);
    static int on_drift_settled(sd_event_source* s, uint64_t usec, void* self);
    static int on_probe_reply(sd_event_source* s, int fd, uint32_t revents, void* self);

    Options opts_;
    std::unique_ptr<Router> router_;
    // The running configuration; shared with the router, which keeps the one it applied.
    std::shared_ptr<const config::Config> current_;
    Report last_;
    bool applied_once_ = false;
    RunState state_ = RunState::Starting;
    // The last load: drop-ins left out, and (when the main file failed) why nothing new stood.
    std::vector<config::SkippedFile> skipped_;
    Diagnostics rejected_;
    bool on_last_good_ = false;          // current_ came from last_good_, not from the files
    std::vector<std::string> warnings_;  // e.g. a password in a world-readable file
    std::string apply_error_;            // the last reconcile's first error, "" when it converged
    LastGood last_good_;
    std::map<std::string, std::string> peers_;  // underlay neighbor -> FRR bgpState
    RawFrrChecker raw_frr_check_;               // FRR's parser on [[raw_frr]] blocks
    bool frr_up_ = false;
    QueryMisses query_misses_;  // unanswered session queries in a row
    // READY=1 (or the READY=1 ending a reload) is owed once the apply in progress completes: an
    // apply that started FRR finishes after FRR answers (on_frr_wait), and systemctl start/reload
    // must not return before the VXLAN devices and FRR's configuration are in place.
    bool ready_owed_ = false;
    // > 0: the last reconcile left errors; the retry comes after this many poll intervals.
    uint32_t backoff_steps_ = 0;

    sd_event* event_ = nullptr;
    sd_event_source* poll_timer_ = nullptr;      // every poll_interval()
    uint64_t poll_usec_ = 0;                     // the interval it runs at, 0 = off
    sd_event_source* watchdog_timer_ = nullptr;  // WATCHDOG=1 and the safety net, when asked for
    sd_event_source* retry_timer_ = nullptr;     // the retry after errors
    sd_event_source* bus_timer_ = nullptr;       // connecting to the system bus again
    sd_event_source* health_defer_ = nullptr;    // a watched process or file changed
    sd_event_source* health_timer_ = nullptr;    // FRR settling after a restart: look again
    std::unique_ptr<HealthWatch> health_;
    std::unique_ptr<netlink::ForwardingMonitor> forwarding_;
    sd_event_source* forwarding_io_ = nullptr;
    sd_event_source* forwarding_timer_ = nullptr;  // a burst of route events becomes one look
    bool forwarding_routes_ = false;  // route events among those forwarding_timer_ collects
    // Runs once the loop has nothing else pending (idle priority): the configuration files that
    // completed meanwhile, all of them, become one reload.
    sd_event_source* files_defer_ = nullptr;
    // Gives the heap's free pages back once the loop is idle (trim_later()).
    sd_event_source* trim_defer_ = nullptr;
    sd_event_source* drift_timer_ = nullptr;      // debounce of link changes made by others
    netlink::LinkNames drifted_;                  // the links those changes were about
    sd_event_source* frr_wait_timer_ = nullptr;   // polls a starting FRR (Report::frr_starting)
    std::unique_ptr<ConfigWatch> files_;          // the configuration directories
    std::string files_why_;                       // the first file changed since the last load
    std::vector<config::ConfigText> read_texts_;  // what the last load read
    bool read_replaced_ = false;                  // its config::Assembly::replaced
    std::vector<sd_event_source*> netlink_io_;
    std::unique_ptr<netlink::LinkMonitor> monitor_;
    uint64_t peers_answered_usec_ = 0;  // CLOCK_MONOTONIC of the last answer (or failure)
    mutable sd_event_source* refresh_defer_ = nullptr;  // refresh_if_stale(), once idle
    std::unique_ptr<AsyncVtyQuery> underlay_query_;     // "show bgp neighbors json" in flight
    std::unique_ptr<AsyncVtyQuery> srv6_query_;         // "show bgp segment-routing srv6" in flight
    std::map<std::string, frr::VrfSids> srv6_sids_;     // VRF -> its SIDs, from the last answer
    std::optional<EchoProbe> probe_;  // [online] probe, opened in the host namespace
    sd_event_source* probe_io_ = nullptr;
    reconcile::ProbeState probe_state_ = reconcile::ProbeState::NotConfigured;
    bool probe_pending_ = false;               // the last request sent has no reply yet
    std::vector<std::string> online_missing_;  // as last published in STATUS=
    std::unique_ptr<dbus::BusServer> bus_;
    // Silent workloads stay reachable: the neighbours of the L2VNI gateway bridges.
    std::unique_ptr<NeighbourRefresher> refresher_;
};

}  // namespace perouter::daemon
