#include "frr/instance.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "common/process.hpp"
#include "frr/daemon_route.hpp"
#include "frr/delta.hpp"
#include "frr/syntax_check.hpp"
#include "frr/vty.hpp"

namespace perouter::frr {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kVtyshTimeout = 120s;

// `-P 0`: no TCP vty (a fresh namespace has no 127.0.0.1 until lo is up, and the unix sockets
// are all we use). `-s`: a large netlink receive buffer so zebra keeps up with thousands of
// links. watchfrr's default back-off (60 s, doubling to 600 s) suits a desktop, not a router:
// restart within a second or two, never wait more than 10 s.
constexpr const char* kDaemonsFile = R"(# Written by perouterd; changes are overwritten.
bgpd=yes
bfdd=yes
staticd=yes
vtysh_enable=yes
zebra_options="-P 0 -s 90000000"
bgpd_options="-P 0"
staticd_options="-P 0"
bfdd_options="-P 0"
watchfrr_options="--min-restart-interval 1 --max-restart-interval 10"
)";

constexpr const char* kVtyshConf = "service integrated-vtysh-config\n";

Status chown_to(const std::string& path, const char* user, const char* group) {
    struct passwd* pw = getpwnam(user);
    struct group* gr = getgrnam(group);
    if (!pw || !gr)
        return fail(
            fmt::format("user '{}' or group '{}' missing (is frr installed?)", user, group));
    if (::chown(path.c_str(), pw->pw_uid, gr->gr_gid) != 0)
        return fail(errno_error(errno, "chown '" + path + "'"));
    return {};
}

// FRR drops privileges to user frr: every directory above its files must be searchable.
Status make_dir(const std::string& path, unsigned mode) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec)
        return fail(Error{fmt::format("create '{}': {}", path, ec.message()), ec.value()});
    if (::chmod(path.c_str(), mode) != 0)
        return fail(errno_error(errno, "chmod '" + path + "'"));
    return chown_to(path, "frr", "frr");
}

Status write_owned(const std::string& path, const std::string& data, const char* group,
                   Durability durability = Durability::Synced) {
    PEROUTER_TRY(write_file_atomic(path, data, 0640, durability));
    return chown_to(path, "frr", group);
}

std::string temp_path(const InstancePaths& p, const char* what) {
    return fmt::format("{}/{}.{}", p.rundir(), what, getpid());
}

}  // namespace

const std::vector<std::string>& required_daemons() {
    static const std::vector<std::string> d{"zebra", "bgpd", "staticd", "bfdd"};
    return d;
}

Instance::Instance(InstancePaths paths, std::string netns, Launcher launcher)
    : paths_(std::move(paths)), netns_(std::move(netns)), launcher_(launcher) {}

Launcher detect_launcher(const InstancePaths& paths) {
    if (paths.root.empty() && running_as_systemd_service() && unit_file_installed("frr@.service"))
        return Launcher::Systemd;
    return Launcher::Direct;
}

std::string Instance::unit() const {
    return "frr@" + paths_.name + ".service";
}

Instance::State Instance::state() const {
    if (start_script_runs())
        return State::Running;  // being started
    int watchfrr = read_pid_file(paths_.pid_file("watchfrr"));
    if (!process_alive(watchfrr))
        return State::Stopped;
    int zebra = read_pid_file(paths_.pid_file("zebra"));
    if (!process_alive(zebra))
        return State::Running;  // watchfrr is restarting it
    // FRR in a namespace deleted and created again under the same name keeps routing in the
    // old one.
    return process_in_netns(zebra, netns_) ? State::Running : State::WrongNamespace;
}

Status Instance::write_support_files() const {
    if (!paths_.root.empty()) {
        // Let user frr traverse the prefix (mkdtemp makes 0700 directories).
        for (fs::path p = paths_.root; !p.empty() && p != p.root_path(); p = p.parent_path()) {
            struct stat st {};
            if (::stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
                ::chmod(p.c_str(), (st.st_mode & 07777) | S_IXOTH);
        }
        PEROUTER_TRY(make_dir(paths_.root + "/etc/frr", 0755));
        PEROUTER_TRY(make_dir(paths_.root + "/run/frr", 0755));
    }
    PEROUTER_TRY(make_dir(paths_.confdir(), 0750));
    PEROUTER_TRY(make_dir(paths_.rundir(), 0750));
    PEROUTER_TRY(write_owned(paths_.confdir() + "/daemons", kDaemonsFile, "frr"));
    PEROUTER_TRY(write_owned(paths_.confdir() + "/vtysh.conf", kVtyshConf, "frrvty"));
    return {};
}

Status Instance::start() {
    start_failure_.clear();
    PEROUTER_TRY(write_support_files());
    // Without frr.conf, frrinit.sh starts the daemons and skips its boot read (`vtysh -b`,
    // tools/frrcommon.sh vtysh_b): the daemons come up empty and push_whole() gives them the
    // configuration once they all answer (under load the boot read could leave a daemon
    // without its part anyway, reliability R3/R8), then writes frr.conf again for the
    // restarts watchfrr makes. One read of the configuration instead of two: ~50 ms of a start.
    std::error_code ec;
    fs::remove(paths_.config_file(), ec);
    if (ec)
        return fail(fmt::format("remove {}: {}", paths_.config_file(), ec.message()));
    // The job finishes asynchronously; wait_ready() tells when the daemons answer.
    if (launcher_ == Launcher::Systemd) {
        PEROUTER_TRY(check_unit_namespace(
            unit(), netns_,
            fmt::format("link the drop-in frr@perouter.service.d/10-perouter.conf into "
                        "/etc/systemd/system/{}.d/",
                        unit())));
        return start_unit(unit());
    }
    return start_direct();
}

Status Instance::start_direct() {
    std::vector<std::string> argv{"ip", "netns", "exec", netns_};
    if (paths_.root.empty()) {
        argv.insert(argv.end(), {"/usr/lib/frr/frrinit.sh", "start", paths_.name});
    } else {
        // The mount namespace is a slave of the host's: FRR sees our two bind mounts, nothing
        // propagates back. Paths go as positional parameters, never into the script text.
        std::error_code ec;
        fs::create_directories("/run/frr", ec);
        argv.insert(argv.end(),
                    {"unshare", "--mount", "--propagation", "slave", "sh", "-ec",
                     "mount --bind \"$1\" /etc/frr && mount --bind \"$2\" /run/frr && "
                     "exec /usr/lib/frr/frrinit.sh start \"$3\"",
                     "frr-start", paths_.root + "/etc/frr", paths_.root + "/run/frr", paths_.name});
    }
    // Not waited for: frrinit.sh starts watchfrr and the daemons one after the other (~0.4 s),
    // while the caller creates the links (src/daemon/router.cpp); ready() waits for its end.
    auto sp = spawn_process(argv);
    if (!sp)
        return fail(std::move(sp).error().context("start FRR"));
    start_script_ = *sp;
    return {};
}

bool Instance::start_script_runs() const {
    if (!start_script_)
        return false;
    if (!output_closed(*start_script_))
        return true;
    ProcessResult r = communicate(*start_script_, {}, 60s);
    start_script_.reset();
    if (r.exit_code != 0)
        start_failure_ = fmt::format("start FRR in namespace '{}' failed (exit {}): {}", netns_,
                                     r.exit_code, r.err.empty() ? r.out : r.err);
    return false;
}

Status Instance::start_failure() const {
    (void)start_script_runs();
    if (start_failure_.empty())
        return {};
    return fail(start_failure_);
}

Status Instance::stop() {
    if (start_script_) {
        // What it starts is stopped below: let it finish first (kill it and watchfrr could be
        // left half started).
        (void)communicate(*start_script_, {}, 60s);
        start_script_.reset();
    }
    // Under systemd the unit stops its processes; the pid-file sweep below then only waits for
    // them (and cleans up anything a failed unit left behind).
    if (launcher_ == Launcher::Systemd) {
        // The stop job runs frrinit.sh stop, which needs the instance files: stop_unit() lets
        // it finish before anything here signals the daemons or (teardown) removes the files.
        if (Status st = stop_unit(unit()); !st)
            return st;
    }
    std::vector<std::pair<std::string, int>> procs;
    for (const std::string& d :
         {std::string("watchfrr"), std::string("bfdd"), std::string("staticd"), std::string("bgpd"),
          std::string("zebra")}) {
        int pid = read_pid_file(paths_.pid_file(d));
        if (process_alive(pid))
            procs.emplace_back(d, pid);
    }
    // watchfrr first, or it would restart what we stop.
    for (const auto& [name, pid] : procs)
        ::kill(pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    for (const auto& [name, pid] : procs) {
        while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        if (process_alive(pid))
            ::kill(pid, SIGKILL);
    }
    for (const auto& [name, pid] : procs) {
        for (int i = 0; i < 100 && process_alive(pid); ++i)
            std::this_thread::sleep_for(20ms);
        if (process_alive(pid))
            return fail(fmt::format("FRR {} (pid {}) does not exit", name, pid));
    }
    return {};
}

Status Instance::remove_files() {
    std::error_code ec;
    fs::remove_all(paths_.confdir(), ec);
    fs::remove_all(paths_.rundir(), ec);
    fs::remove(paths_.applied_record(), ec);
    applied_.reset();
    delta_.reset();
    if (ec)
        return fail(Error{fmt::format("remove FRR instance files: {}", ec.message()), ec.value()});
    return {};
}

Status Instance::ready() const {
    // A direct start's frrinit.sh ends with its own boot read (`vtysh -b` when frr.conf is
    // readable, frrcommon.sh all_start), after watchfrr's job: push_whole() writes frr.conf,
    // and a boot read that found it re-read the whole configuration into the daemons while
    // they took ours (a session that never started, seen in reliability R2 with this wait
    // left out). Under systemd the unit's start job is that same script.
    if (start_script_runs())
        return fail("frrinit.sh is still starting the daemons");
    if (launcher_ == Launcher::Systemd && unit_starting(unit()))
        return fail(fmt::format("{} is still starting", unit()));
    if (!start_failure_.empty())
        return fail(start_failure_);
    // First what vtysh itself goes by (`show daemons` lists the daemons whose vty socket it
    // could connect to), without a vtysh process: a connect() per daemon costs microseconds, a
    // vtysh 30 ms or more of CPU, which a starting FRR competes with.
    for (const auto& d : required_daemons())
        if (Status st = vty_accepts(paths_.vty_socket(d)); !st)
            return fail(fmt::format("{} does not answer ({})", d, st.error().message));
    // Then watchfrr itself, on its vty socket (frr/vty.hpp): `show watchfrr` names the jobs it
    // runs. Its start and restart jobs load frr.conf into the daemons they start (`vtysh -b`,
    // /usr/lib/frr/frrcommon.sh all_start and daemon_start): until they are over, a daemon may
    // answer without its configuration.
    auto out = vty_query(paths_.vty_socket("watchfrr"), {"enable", "show watchfrr"},
                         std::chrono::duration_cast<std::chrono::milliseconds>(kQueryTimeout));
    if (!out)
        return fail(std::move(out).error().context("ask watchfrr"));
    // "global restart running, pid N" (all daemons) or "restart running, pid N" (one).
    if (out->find("restart running") != std::string::npos)
        return fail("watchfrr is still starting daemons and loading frr.conf into them");
    return {};
}

Status Instance::wait_ready(std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        Status st = ready();
        if (st || std::chrono::steady_clock::now() >= deadline)
            return st ? st
                      : fail(fmt::format("FRR in namespace '{}' not ready after {} ms: {}", netns_,
                                         timeout.count(), st.error().message));
        std::this_thread::sleep_for(10ms);
    }
}

Status Instance::check(const std::string& config) const {
    if (checked_ && config == *checked_)
        return {};
    // Checked before the instance (and its run directory) exists.
    if (Status st = checker_.check(config); !st)
        return fail(fmt::format("FRR rejects the generated configuration: {}", st.error().message));
    checked_ =
        applied_ && *applied_ == config ? applied_ : std::make_shared<const std::string>(config);
    return {};
}

const std::string& Instance::delta_to(const std::string& config) const {
    if (!delta_ || delta_->to != config)
        delta_ = Delta{config, delta(applied(), config)};
    return delta_->script;
}

Status Instance::check_change(const std::string& config) const {
    if (checked_ && config == *checked_)
        return {};
    const std::string& script = delta_to(config);
    return script.empty() ? Status{} : check(script);
}

bool Instance::change_waits_for_links(const std::string& config) const {
    return waits_for_links(delta_to(config));
}

std::string Instance::applied() const {
    if (applied_)
        return *applied_;
    if (auto text = read_file(paths_.applied_record()))
        return *(applied_ = std::make_shared<const std::string>(std::move(*text)));
    // No record yet (state from an older perouterd): frr.conf is what we wrote then.
    auto text = read_file(paths_.config_file());
    return text ? *text : std::string();
}

namespace {

// One `vtysh -f` of `script`, through a private file in the run directory.
Status run_vtysh_script(const InstancePaths& paths, const char* name, const std::string& script) {
    std::string tmp = temp_path(paths, name);
    PEROUTER_TRY(write_file_atomic(tmp, script, 0600));
    auto r = run_process({"vtysh", "--vty_socket", paths.rundir(), "-f", tmp}, kVtyshTimeout);
    ::unlink(tmp.c_str());
    if (!r)
        return fail(std::move(r).error());
    if (r->exit_code != 0)
        return fail(fmt::format("vtysh -f failed (exit {}): {}", r->exit_code,
                                r->err.empty() ? r->out : r->err));
    return {};
}

}  // namespace

Result<DeltaRoute> send_delta(const InstancePaths& paths, const std::string& script) {
    if (script.empty())
        return DeltaRoute::Nothing;
    if (auto parts = split_by_daemon(script)) {
        // Each daemon its lines over its vty socket: no vtysh, which spends ~35 ms building its
        // command tables before it sends a line. Zebra first (frr/daemon_route.hpp).
        for (const DaemonScript& part : *parts)
            PEROUTER_TRY(vty_configure(paths.vty_socket(std::string(to_string(part.daemon))),
                                       part.script, kVtyshTimeout));
        return DeltaRoute::DaemonSockets;
    }
    PEROUTER_TRY(run_vtysh_script(paths, "delta.conf", script));
    return DeltaRoute::Vtysh;
}

Result<size_t> Instance::apply(const std::string& config) {
    return finish_change(send_change(config), config);
}

Result<size_t> Instance::finish_change(Result<size_t> sent, const std::string& config) {
    if (sent && (!applied_ || *applied_ != config))
        PEROUTER_TRY(store_applied(config));
    return sent;
}

Result<size_t> Instance::send_change(const std::string& config) {
    if (applied_ && config == *applied_)
        return size_t{0};
    const std::string script = delta_to(config);
    delta_.reset();  // also when the send fails: applied() is then what FRR has, unknown
    // What is sent is what FRR's parser checks, unless the whole text passed already.
    if (!script.empty() && !(checked_ && config == *checked_))
        PEROUTER_TRY(check(script));
    size_t lines = 0;
    for (char c : script)
        if (c == '\n')
            ++lines;
    if (auto sent = send_delta(paths_, script); !sent)
        return fail(std::move(sent).error());
    return lines;
}

Status Instance::store_applied(const std::string& config) {
    // Stored only after FRR took it: the next delta starts from what FRR really has. frr.conf
    // gets it too, so a restarted daemon loads the same configuration. Neither is synced: the
    // record is under /run, and frr.conf is removed before FRR starts (start()) and written by
    // the push that follows, so no boot reads what a power loss left of either.
    std::error_code ec;
    fs::create_directories(fs::path(paths_.applied_record()).parent_path(), ec);
    PEROUTER_TRY(write_file_atomic(paths_.applied_record(), config, 0600, Durability::ThisBoot));
    applied_ = std::make_shared<const std::string>(config);
    checked_ = checked_ && *checked_ == config ? applied_ : nullptr;
    delta_.reset();
    return write_owned(paths_.config_file(), config, "frr", Durability::ThisBoot);
}

Status Instance::push_whole(const std::string& config) {
    PEROUTER_TRY(check(config));  // nothing to do when it passed before the start
    // As a delta from nothing: the daemons started empty.
    if (auto sent = send_delta(paths_, config); !sent)
        return fail(std::move(sent).error());
    return store_applied(config);
}

Status Instance::push_full() {
    return push_whole(applied());
}

std::vector<int> Instance::daemon_pids() const {
    std::vector<int> pids;
    for (const auto& d : required_daemons())
        pids.push_back(read_pid_file(paths_.pid_file(d)));
    return pids;
}

}  // namespace perouter::frr
