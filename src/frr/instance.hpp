// The router's FRR instance: one FRR "pathspace" running inside the router namespace,
// supervised by FRR's own watchfrr (started through frrinit.sh, as frr@.service would).
//
// With --root the instance's files live under <root>/etc/frr/<name> and <root>/run/frr/<name>;
// FRR then runs in a private mount namespace where those directories are bind-mounted on
// /etc/frr and /run/frr, so FRR's scripts (which hard-code those paths) work unchanged and
// nothing is written to the real /etc/frr. perouterd itself reaches the daemons through their
// sockets in the run directory, which needs no mount tricks.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process.hpp"
#include "common/result.hpp"
#include "common/systemd_unit.hpp"
#include "frr/syntax_check.hpp"

namespace perouter::frr {

struct InstancePaths {
    std::string name;  // FRR pathspace; the router namespace's name
    std::string root;  // "" = the real system

    std::string confdir() const { return root + "/etc/frr/" + name; }
    std::string rundir() const { return root + "/run/frr/" + name; }
    std::string config_file() const { return confdir() + "/frr.conf"; }
    /// A daemon's pid file ("watchfrr", "zebra", ...), rewritten when the daemon restarts.
    std::string pid_file(const std::string& daemon) const {
        return rundir() + "/" + daemon + ".pid";
    }
    /// A daemon's vty socket, created once it accepts vtysh.
    std::string vty_socket(const std::string& daemon) const {
        return rundir() + "/" + daemon + ".vty";
    }
    /// perouterd's own record of the configuration it last applied, the base of every delta.
    /// Not frr.conf: FRR's tools rewrite that file in FRR's own rendering (`write`,
    /// frr-reload.py), and a delta against a foreign rendering would be wrong.
    std::string applied_record() const {
        return root + "/run/perouter/state/frr-" + name + ".conf";
    }
    /// Where FRR logs, as FRR sees the path (inside its mount namespace when root is set).
    std::string frr_log_file() const { return "/var/run/frr/" + name + "/frr.log"; }
};

/// Who starts and stops the instance (common/systemd_unit.hpp). Under systemd FRR runs as
/// frr@<name>.service (with the shipped drop-in that puts it into /run/netns/<name>); elsewhere
/// perouterd runs frrinit.sh itself.
using perouter::Launcher;

class Instance {
  public:
    Instance(InstancePaths paths, std::string netns, Launcher launcher = Launcher::Direct);

    const InstancePaths& paths() const { return paths_; }

    enum class State {
        Stopped,         // no watchfrr
        Running,         // watchfrr and zebra alive, zebra in the router namespace
        WrongNamespace,  // running, but in a namespace that is no longer the router's
    };
    State state() const;

    /// Writes the instance files (daemons, vtysh.conf), removes frr.conf (the daemons start
    /// empty, without FRR's boot read) and starts watchfrr + daemons in the router namespace.
    /// Returns once the start is under way (a systemd job, or frrinit.sh running: the caller
    /// does other work meanwhile); state() is Running from then on. Once ready(), push_whole()
    /// gives the daemons their configuration; start_failure() tells a start that failed.
    Status start();
    /// The error of the last start() once it is known to have failed (frrinit.sh exited
    /// non-zero); nothing while it runs or when it got through. Under systemd the unit's
    /// failure shows as a daemon that never answers.
    Status start_failure() const;
    /// Stops watchfrr and every daemon (by pid file); waits until they are gone.
    Status stop();
    /// Removes the instance's directories (after stop()).
    Status remove_files();
    /// Whether the start is over (a direct start's frrinit.sh exited, frr@'s start job ended:
    /// both end with a boot read of frr.conf), vtysh reaches every daemon now and watchfrr runs
    /// no start or restart job (those load frr.conf into the daemons). Then a connect() to each
    /// daemon's vty socket (no process while the daemons are still coming up), then one query
    /// of watchfrr, bounded by kQueryTimeout. The error says what answered instead.
    Status ready() const;
    /// ready(), polled every 10 ms until `timeout`. Blocks: for one-shot runs only; the
    /// daemon polls ready() from its event loop instead.
    Status wait_ready(std::chrono::milliseconds timeout) const;

    /// Validates a configuration with FRR's own parser (`vtysh -C`), without daemons. The text
    /// that passed last is remembered: checking it again costs nothing.
    Status check(const std::string& config) const;
    /// Keeps a vtysh for the next check() started ahead (frr/syntax_check.hpp): for the daemon,
    /// whose every change is checked before anything is touched.
    void keep_checker_warm() { checker_.warm_up(); }
    /// Checks only what apply(config) would send, the delta from applied(), with FRR's parser:
    /// a change costs what it changes, not a parse of the whole configuration.
    Status check_change(const std::string& config) const;
    /// Makes the delta check_change(config) and apply(config) use, on the caller's thread (the
    /// daemon hands the check itself to another one: src/daemon/router.cpp).
    void prepare_change(const std::string& config) const { (void)delta_to(config); }
    /// Whether the lines apply(config) would send may depend on links created for the same
    /// change (frr/delta.hpp, waits_for_links).
    bool change_waits_for_links(const std::string& config) const;
    /// The configuration applied last (frr.conf on disk; FRR reloads it when a daemon restarts).
    /// Read from disk once, then kept in memory.
    std::string applied() const;
    /// Nothing when `config` is applied() already. Otherwise applies the delta from applied()
    /// with one `vtysh -f` (checked first, unless check(config) passed), then stores `config`
    /// as frr.conf. Returns the number of delta lines sent (0 = nothing changed).
    Result<size_t> apply(const std::string& config);
    /// apply() in two steps, for a caller that sends on another thread: send_change() checks and
    /// sends the delta and keeps nothing; finish_change() then records `config` as applied when
    /// it was sent, on the caller's own thread, so that what is kept at idle is not in a helper
    /// thread's malloc arena (whose free top malloc_trim() does not give back).
    Result<size_t> send_change(const std::string& config);
    Result<size_t> finish_change(Result<size_t> sent, const std::string& config);
    /// Sends `config` whole (one `vtysh -f`, checked first unless check() passed it), then
    /// stores it as applied() and frr.conf: after start(), and after daemons restarted.
    Status push_whole(const std::string& config);
    /// push_whole(applied()): after FRR's daemons restarted. Idempotent.
    Status push_full();

    /// Pids of the routing daemons, to notice restarts.
    std::vector<int> daemon_pids() const;

    /// How long a read-only query may take before it counts as failed. The event loop runs
    /// queries on every tick; a hung FRR must not stall it for longer than this.
    static constexpr std::chrono::seconds kQueryTimeout{5};

  private:
    Status write_support_files() const;
    /// Records `config` as applied (perouterd's record and frr.conf).
    Status store_applied(const std::string& config);

    Status start_direct();
    /// Whether the frrinit.sh of a direct start still runs; reaps it (and keeps its failure)
    /// once it is over.
    bool start_script_runs() const;
    /// frr@<name>.service. start() refuses it when systemd would not put it into the router
    /// namespace (the shipped drop-in is linked for "perouter" only).
    std::string unit() const;

    InstancePaths paths_;
    std::string netns_;
    Launcher launcher_;
    // applied(), once read or written; and the last text check() passed: a whole configuration
    // or the delta that check_change() checked. Once a change is applied, checked_ is applied_
    // when that is the text it holds, else dropped (a delta from the old text is of no further
    // use): no second copy at idle (~90 KB at 1000 VNIs with route targets).
    using Text = std::shared_ptr<const std::string>;
    mutable Text applied_;
    mutable Text checked_;
    /// The delta from applied() to a configuration, computed once for check_change() and the
    /// apply() that follows (at 1000 VNIs a delta parses two texts of ~0.5 MB); dropped when
    /// applied() changes.
    struct Delta {
        std::string to;
        std::string script;
    };
    mutable std::optional<Delta> delta_;
    const std::string& delta_to(const std::string& config) const;
    mutable SyntaxChecker checker_;
    // A direct start's frrinit.sh while it runs (start_direct() does not wait for it), and
    // what it said when it failed; reaped by the first state(), ready() or stop() that finds
    // its output closed.
    mutable std::optional<Spawned> start_script_;
    mutable std::string start_failure_;
};

/// How send_delta() sent a script.
enum class DeltaRoute { Nothing, DaemonSockets, Vtysh };

/// Sends a configuration script (a delta, frr/delta.hpp, or a whole configuration for daemons
/// that started empty) to the running instance: each daemon its lines over its vty socket when
/// every line is in frr/daemon_route.hpp's table (what render() emits), otherwise by one
/// `vtysh -f`, which routes each line itself (raw_frr blocks). An empty script sends nothing.
Result<DeltaRoute> send_delta(const InstancePaths& paths, const std::string& script);

/// Systemd when perouterd itself runs as a systemd service on the real system and the frr@
/// template unit is installed; Direct otherwise.
Launcher detect_launcher(const InstancePaths& paths);

/// The daemons perouterd needs in its instance (watchfrr supervises them).
const std::vector<std::string>& required_daemons();

}  // namespace perouter::frr
