// One router: the namespaces, the FRR instance and the last applied configuration, and the
// reconcile that walks sources -> plan -> observe -> diff -> apply. The event loop and the
// one-shot modes of main.cpp drive it; it logs what it changes (it is the edge).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/health_watch.hpp"
#include "daemon/options.hpp"
#include "dhcp/client.hpp"
#include "frr/instance.hpp"
#include "netlink/namespaces.hpp"
#include "netlink/observe.hpp"
#include "ovs/vsctl.hpp"
#include "plan/desired.hpp"
#include "reconcile/diff.hpp"
#include "reconcile/forwarding.hpp"

namespace perouter::daemon {

struct Report {
    size_t changes = 0;                 // kernel actions executed + FRR delta lines sent
    std::vector<std::string> errors;    // actions that failed (the rest still ran)
    std::vector<std::string> problems;  // from the diff: missing NICs, taken names
    /// VPN name, "underlay", "passthrough" or "frr" -> the first error of that owner.
    std::map<std::string, std::string> failed_owners;
    /// FRR was started and is not ready yet (frr::Instance::ready(): every daemon answers and
    /// has loaded frr.conf): the VXLAN devices and the FRR configuration wait for it. Reconcile
    /// again once Router::frr_start_settled() (the daemon polls it from its event loop; nothing
    /// here blocks on FRR).
    bool frr_starting = false;
    /// FRR daemons were mid-restart or did not answer yet: Router::check_health() should look
    /// again shortly (it pushes the whole configuration once they answer).
    bool frr_settling = false;
    /// A reconcile of changes (Scope::changes()): how many owners it observed and diffed
    /// (links named by link events alone count as none). Absent when it looked at everything.
    std::optional<size_t> owners_looked_at;
};

/// What a reconcile looks at.
struct Scope {
    /// Everything: at start, on a repair or retry, once FRR answers, and in the one-shot modes.
    /// Otherwise only the owners whose desired objects differ from the state last applied
    /// without errors, plus `links` (links someone else changed), when that state exists and
    /// nothing node-wide changed; else everything.
    bool full = true;
    netlink::LinkNames links;

    static Scope everything() { return Scope{}; }
    static Scope changes(netlink::LinkNames links = {}) { return Scope{false, std::move(links)}; }
};

class Router {
  public:
    /// How long a started FRR instance may take to answer before reconcile reports it.
    static constexpr std::chrono::seconds kFrrStartTimeout{30};

    static Result<std::unique_ptr<Router>> open(const Options& opts);

    /// Makes the system match `cfg`. Kernel actions that fail are reported and the others
    /// still run; the FRR configuration is validated before anything is touched. With
    /// Scope::changes() a change costs what it changes: unchanged owners are neither observed
    /// nor diffed, FRR gets the delta only when its configuration text differs.
    /// The configuration is shared, not copied: the router keeps the one it last applied
    /// (the base of the next Scope::changes()) and re-plans it when a change needs it.
    Result<Report> reconcile(std::shared_ptr<const config::Config> cfg,
                             const Scope& scope = Scope::everything());

    /// What reconcile(cfg) would do, one line per change; changes nothing.
    Result<std::vector<std::string>> plan_changes(const config::Config& cfg);

    /// The desired state for `cfg` on this node (facts read from the live system).
    Result<plan::DesiredState> desired(const config::Config& cfg);

    /// Stops FRR, deletes every object we own, moves the underlay NICs back, deletes the
    /// router namespace.
    Result<Report> teardown();

    enum class Health {
        Fine,
        Repair,    // FRR or the DHCP client gone or in a stale namespace, namespace deleted:
                   // reconcile everything
        Settling,  // FRR daemons mid-restart or not answering yet: look again shortly
    };
    /// Called when watched() reports a change (and as a safety net with the watchdog's ping).
    /// Re-pushes the FRR configuration itself when only daemons restarted and answer again.
    Result<Health> check_health();
    /// What check_health() looks at, for daemon/health_watch.hpp: the pids of watchfrr, FRR's
    /// daemons and the DHCP client, their pid files, FRR's vty sockets and the namespace file.
    Watched watched() const;

    /// What the kernel forwards with in the VRF of each VPN that carries an online target
    /// (config::online_targets()), for reconcile::online_verdict(). A VRF that does not exist
    /// (yet) is left out of the view; the verdict reports it missing.
    Result<reconcile::ForwardingView> observe_forwarding(const config::Config& cfg);

    /// True once the FRR instance this router started is ready (frr::Instance::ready()), or has
    /// had kFrrStartTimeout to be (the next reconcile then reports it as an error). A connect()
    /// per daemon until all answer, then one vtysh.
    bool frr_start_settled() const;

    /// The DHCP client of a macvlan underlay with `dhcp = true`, for the status.
    struct DhcpStatus {
        std::string link;
        bool running = false;
        std::vector<IpPrefix> leased;  // the IPv4 addresses on the link now
    };
    std::optional<DhcpStatus> dhcp_status(const config::Config& cfg) const;

    frr::Instance& frr() { return frr_; }
    const netlink::Namespaces& namespaces() const { return ns_; }

    /// Keeps `x` (a plan, a parsed configuration of every VPN) until release_retired(): freeing
    /// it is work in proportion to what exists (~1 ms at 1000 VNIs) that the change it served
    /// need not wait for. The daemon releases once its loop is idle (Service::trim_later()).
    template <class T>
    void retire(T&& x) {
        retired_.push_back(std::make_shared<std::decay_t<T>>(std::forward<T>(x)));
    }
    void release_retired() { retired_.clear(); }

  private:
    Router(Options opts, netlink::Namespaces ns);
    Result<plan::Facts> gather_facts(const config::Config& cfg);
    /// plan::build with this router's options; `l2vni_objects` as plan::Options has it.
    Result<plan::DesiredState> plan_with(const config::Config& cfg, const plan::Facts& facts,
                                         const std::set<std::string>* l2vni_objects = nullptr);
    Result<Report> reconcile_everything(const std::shared_ptr<const config::Config>& cfg);
    /// The reconcile of Scope::changes(); nullopt when the change is not confined to owners
    /// (node-wide parts, a link to recreate, OVS ports): the caller reconciles everything.
    Result<std::optional<Report>> reconcile_changes(
        const std::shared_ptr<const config::Config>& cfg, const netlink::LinkNames& drifted);
    enum class VxlanCreates { Included, Excluded, Only };
    /// Runs the actions of `diff` that are in `phase`, with or without (or only) the VXLAN
    /// creations. Consecutive link deletions on one side go in one request.
    void execute(const reconcile::DiffResult& diff, reconcile::Phase phase, Report& report,
                 VxlanCreates vxlans = VxlanCreates::Included);
    /// Starts FRR (empty) and notes when; ensure_frr() then waits for it to answer.
    Status start_frr(Report& report);
    /// Starts FRR when it is not running (its configuration checked first); once it answers
    /// after a start, gives it the configuration whole; else applies the delta.
    Status ensure_frr(const plan::DesiredState& d, Report& report);
    /// What follows FRR's apply: counting its lines, and a daemon that watchfrr restarted
    /// meanwhile gets the whole configuration.
    Status frr_applied(Result<size_t> sent, Report& report);
    Status stop_stale_frr();
    /// Starts the underlay's DHCP client when d.dhcp asks for one and none serves that link in
    /// the router namespace; stops one that is not wanted (or serves another link or an old
    /// namespace). Never waits for the lease.
    Status ensure_dhcp(const plan::DesiredState& d, Report& report);
    /// Observes, diffs and executes the actions of one phase. With `vxlans` false, VXLAN
    /// devices are not created yet (they must wait for FRR's EVPN configuration).
    void run_phase(const plan::DesiredState& d, reconcile::Phase phase, Report& report,
                   bool vxlans = true);
    enum class OvsPass { Removals, All };
    /// Observes OVSDB, diffs it with d.ovs_ports and runs the OVS actions: the removals before
    /// the netlink phases (a managed OVS bridge's device frees the name br-hs-<vni> for a Linux
    /// bridge), everything after them (the veths exist, a Linux bridge of the same name is
    /// gone). Open vSwitch not running is an error of the VPNs that want an OVS port, reported
    /// by the last pass, and of nobody else.
    void apply_ovs(const plan::DesiredState& d, Report& report, OvsPass pass = OvsPass::All);

    Options opts_;
    netlink::Namespaces ns_;
    frr::Instance frr_;
    dhcp::Client dhcp_;
    bool dhcp_wanted_ = false;  // the last reconcile's plan had a DHCP client
    ovs::Vsctl vsctl_;
    std::vector<int> frr_pids_;
    std::vector<std::shared_ptr<void>> retired_;
    // Set when this router started FRR, until it answered and got the whole configuration.
    std::optional<std::chrono::steady_clock::time_point> frr_started_;
    std::optional<uint32_t> node_index_;  // read once, like upstream (the NIC may move later)
    // What the last reconcile that left no errors and no problems applied: its configuration
    // and the facts it was planned with, the base of Scope::changes(); reset by anything else.
    // Its desired state is planned again when a change needs it (plan::build is pure), not
    // kept: at 1000 VNIs that state is 1.4 MiB, the shared configuration nothing extra.
    struct Applied {
        std::shared_ptr<const config::Config> cfg;
        plan::Facts facts;
    };
    std::optional<Applied> applied_;
};

}  // namespace perouter::daemon
