#!/usr/bin/env python3
"""delta() against a real FRR 8.4 (integration tier, root).

For every chain of configurations written by delta_cases (see delta_cases.cpp), one FRR instance
loads the first file whole and then applies each delta as perouterd sends it (frr::send_delta,
run by the frr_send_delta helper: each daemon its lines over its vty socket when
frr/daemon_route.hpp routes every line, else one `vtysh -f`); after every step its running config must equal the running config of a fresh FRR
that loaded the target file. Both routes must have been taken at least once.
The `session` chain additionally runs against a leaf FRR over a veth, and checks that the
underlay BGP session is never reset by a delta that only touches VRFs, the passthrough or BFD
profiles (and, as a control, that a real reset is detected).

Everything lives in network namespaces named frt-<pid>-* and in /tmp/frt-<pid>; both are removed
on exit, and leftovers of dead runs are removed at start.
"""

import argparse
import difflib
import glob
import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77
PREFIX = "frt-"
DAEMONS = ["zebra", "bgpd", "staticd", "bfdd"]
FRR_BIN = "/usr/lib/frr"
VTYSH = "/usr/bin/vtysh"


def log(msg):
    print(msg, flush=True)


def run(cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def pid_alive(pid):
    """True while the process runs. A zombie counts as gone: daemonised FRR processes are
    reaped by PID 1, which may take its time."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def our_pid(path, owner_dir):
    """The pid in a pid file, if that process is alive and its command line names owner_dir
    (so that a recycled pid is never signalled)."""
    pid = read_pid(path)
    if pid is None or not pid_alive(pid):
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
    except OSError:
        return None
    return pid if owner_dir in cmdline else None


def stop_pids(pids, graceful):
    """Stops daemons together. Scratch instances have nothing to save, so restarts SIGKILL
    them: a graceful FRR shutdown takes about 2 s per daemon."""
    for pid in pids:
        os.kill(pid, signal.SIGTERM if graceful else signal.SIGKILL)
    end = time.monotonic() + 5
    while time.monotonic() < end and any(pid_alive(p) for p in pids):
        time.sleep(0.02)
    for pid in pids:
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def clean_stale():
    """Removes namespaces and daemons left by runs whose process is gone (e.g. killed by a
    ctest timeout)."""
    for path in glob.glob(f"/tmp/{PREFIX}[0-9]*"):
        pid = path[len(f"/tmp/{PREFIX}"):]
        if pid.isdigit() and not pid_alive(int(pid)):
            pids = [our_pid(p, path) for p in glob.glob(f"{path}/*/*.pid")]
            stop_pids([p for p in pids if p], graceful=False)
            shutil.rmtree(path, ignore_errors=True)
    for line in run(["ip", "netns", "list"]).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        pid = name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            run(["ip", "netns", "del", name], check=False)


class Frr:
    """One FRR instance (zebra, bgpd, staticd, bfdd) with its own directory and namespace."""

    def __init__(self, base, name, netns):
        # The layout of frr::InstancePaths with root `base`, so frr_send_delta finds it.
        self.base = base
        self.dir = os.path.join(base, "run", "frr", name)
        self.netns = netns
        self.name = name

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        uid = pwd.getpwnam("frr").pw_uid
        gid = grp.getgrnam("frr").gr_gid
        os.chown(self.dir, uid, gid)
        os.chmod(self.dir, 0o750)
        for name, text in (("empty.conf", ""), ("vtysh.conf", "service integrated-vtysh-config\n")):
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text)
            os.chown(path, uid, gid)
        d = self.dir
        common = ["-d", "-u", "frr", "-g", "frr", "-P", "0", "--vty_socket", d,
                  "-z", f"{d}/zserv.api", "-f", f"{d}/empty.conf", "--log", f"file:{d}/frr.log"]
        extra = {"zebra": ["-s", "90000000"], "bfdd": ["--bfdctl", f"{d}/bfdd.sock"]}
        for daemon in DAEMONS:
            cmd = ["ip", "netns", "exec", self.netns, f"{FRR_BIN}/{daemon}", *common,
                   "-i", f"{d}/{daemon}.pid", *extra.get(daemon, [])]
            r = run(cmd, check=False)
            if r.returncode != 0:
                raise RuntimeError(f"{self.name}: {daemon} failed to start: {r.stderr}")
            if daemon == "zebra":
                wait_for(lambda: os.path.exists(f"{d}/zserv.api"), 10, "zebra socket")
        wait_for(lambda: all(os.path.exists(f"{d}/{x}.vty") for x in DAEMONS), 10,
                 f"{self.name} vty sockets")

    def stop(self, graceful=False):
        pids = [our_pid(f"{self.dir}/{d}.pid", self.dir) for d in DAEMONS]
        stop_pids([p for p in pids if p], graceful)
        for path in glob.glob(f"{self.dir}/*.vty") + glob.glob(f"{self.dir}/*.pid") + \
                [f"{self.dir}/zserv.api", f"{self.dir}/bfdd.sock"]:
            if os.path.exists(path):
                os.unlink(path)

    def restart(self):
        self.stop()
        self.start()

    def vtysh(self, *args):
        return run([VTYSH, "--vty_socket", self.dir, *args], check=False)

    def apply(self, path):
        """Applies a file with one `vtysh -f`; returns an error text or None."""
        r = self.vtysh("-f", path)
        output = (r.stdout + r.stderr).strip()
        errors = [l for l in output.splitlines() if "%" in l]
        if r.returncode != 0 or errors:
            return f"vtysh -f {path}: exit {r.returncode}\n{output}"
        return None

    def send_delta(self, path, send_bin, routes):
        """Applies a delta as perouterd does (frr_send_delta); counts the route in `routes`."""
        r = run([send_bin, self.base, self.name, path], check=False)
        if r.returncode != 0:
            return f"frr_send_delta {path}: exit {r.returncode}\n{(r.stdout + r.stderr).strip()}"
        route = r.stdout.strip()
        routes[route] = routes.get(route, 0) + 1
        return None

    def running(self):
        """`show running-config` with its top-level blocks sorted: FRR lists BGP instances and
        VRFs in creation order, which a delta cannot (and need not) reproduce. The order inside
        a block is kept."""
        r = self.vtysh("-c", "show running-config")
        blocks = []
        for line in r.stdout.splitlines():
            if not line.strip() or line.strip() == "!" or \
                    line in ("Building configuration...", "Current configuration:", "end"):
                continue
            if line[0] != " " and not line.startswith("exit") or not blocks:
                blocks.append([])
            blocks[-1].append(line)
        return "".join(sorted("\n".join(b) + "\n" for b in blocks))

    def neighbor(self, address):
        r = self.vtysh("-c", f"show bgp neighbors {address} json")
        try:
            return json.loads(r.stdout).get(address, {})
        except json.JSONDecodeError:
            return {}


def wait_for(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def unified(a, b, name_a, name_b):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), name_a, name_b))


class Reference:
    """Running configs of a fresh FRR per configuration text (restarted for each new text)."""

    def __init__(self, frr):
        self.frr = frr
        self.cache = {}

    def of(self, path):
        with open(path) as f:
            text = f.read()
        if text not in self.cache:
            self.frr.restart()
            error = self.frr.apply(path)
            if error:
                raise RuntimeError(f"fresh load failed: {error}")
            self.cache[text] = self.frr.running()
        return self.cache[text]


ROUTES = {}  # how the deltas went: frr::DeltaRoute names -> count
SEND_BIN = None


def run_chain(chain_dir, frr, ref, failures, after_step=None):
    name = os.path.basename(chain_dir)
    confs = sorted(glob.glob(f"{chain_dir}/*.conf"))
    frr.restart()
    error = frr.apply(confs[0])
    if error:
        failures.append(f"{name}/00: {error}")
        return
    for i, conf in enumerate(confs):
        label = f"{name}/{i:02}"
        if i > 0:
            delta = conf[:-len(".conf")] + ".delta"
            if os.path.getsize(delta) > 0:
                error = frr.send_delta(delta, SEND_BIN, ROUTES)
                if error:
                    failures.append(f"{label}: delta rejected: {error}")
        want = ref.of(conf)
        got = frr.running()
        if got != want:
            failures.append(f"{label}: running config differs from a fresh load of {conf}:\n"
                            + unified(want, got, "fresh", "after delta"))
        if after_step:
            after_step(label)
    log(f"ok   {name} ({len(confs)} steps)" if not any(f.startswith(name + "/") for f in failures)
        else f"FAIL {name}")


def session_test(base, pid, chain_dir, ref, failures, namespaces, instances):
    leaf_ns, pe_ns = f"{PREFIX}{pid}-leaf", f"{PREFIX}{pid}-pe"
    namespaces += [leaf_ns, pe_ns]
    for ns in (leaf_ns, pe_ns):
        run(["ip", "netns", "add", ns])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
    run(["ip", "link", "add", "to-pe", "netns", leaf_ns, "type", "veth",
         "peer", "name", "to-leaf", "netns", pe_ns])
    run(["ip", "-n", leaf_ns, "addr", "add", "192.168.11.1/24", "dev", "to-pe"])
    run(["ip", "-n", pe_ns, "addr", "add", "192.168.11.2/24", "dev", "to-leaf"])
    run(["ip", "-n", leaf_ns, "link", "set", "to-pe", "up"])
    run(["ip", "-n", pe_ns, "link", "set", "to-leaf", "up"])
    run(["ip", "-n", pe_ns, "addr", "add", "100.65.0.2/32", "dev", "lo"])

    leaf = Frr(base, "leaf", leaf_ns)
    pe = Frr(base, "pe", pe_ns)
    instances += [leaf, pe]
    leaf.start()
    leaf_conf = os.path.join(base, "leaf.conf")
    with open(leaf_conf, "w") as f:
        f.write("router bgp 64512\n bgp router-id 10.0.0.9\n no bgp ebgp-requires-policy\n"
                " no bgp default ipv4-unicast\n neighbor 192.168.11.2 remote-as 64514\n"
                " neighbor 192.168.11.2 timers 3 9\n neighbor 192.168.11.2 timers connect 1\n"
                " address-family ipv4 unicast\n  neighbor 192.168.11.2 activate\n"
                " exit-address-family\n address-family l2vpn evpn\n"
                "  neighbor 192.168.11.2 activate\n exit-address-family\nexit\n")
    error = leaf.apply(leaf_conf)
    if error:
        raise RuntimeError(f"leaf config: {error}")

    def established():
        return leaf.neighbor("192.168.11.2").get("bgpState") == "Established" and \
            pe.neighbor("192.168.11.1").get("bgpState") == "Established"

    def counters():
        n = leaf.neighbor("192.168.11.2")
        stats = n.get("messageStats", {})
        return (n.get("connectionsEstablished"), n.get("connectionsDropped"),
                stats.get("notificationsSent"), stats.get("notificationsRecv"))

    state = {}

    def settled(timeout=30.0, quiet=2.0):
        """The session's counters once they stopped moving: Established and the same counters
        for `quiet` seconds of reads. A reset the delta caused changes them at once and the
        session is back within seconds (timers connect 1), so this settles on the new value;
        None if they never settle."""
        end = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < end:
            now = counters() if established() else None
            if now is None or now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return now
            time.sleep(0.1)
        return None

    def check_session(label):
        now = settled()
        if now is None:
            failures.append(f"{label}: underlay session not Established and steady after the delta "
                            f"(counters {counters()})")
            return
        if "before" not in state:
            state["before"] = now
        elif now != state["before"]:
            failures.append(f"{label}: underlay session was reset "
                            f"(established/dropped/notifications {state['before']} -> {now})")

    def after_step(label):
        if label.endswith("/00"):
            wait_for(established, 30, "underlay BGP session Established")
        check_session(label)

    run_chain(chain_dir, pe, ref, failures, after_step)

    # Control: a real reset must be seen by the same check, or the check proves nothing.
    before = counters()
    pe.vtysh("-c", "clear bgp 192.168.11.1")
    try:
        wait_for(lambda: established() and counters()[0] != before[0], 30,
                 "session re-established after clear bgp")
        log(f"ok   session control: clear bgp seen as a reset ({before[0]} -> {counters()[0]})")
    except RuntimeError as e:
        failures.append(f"session control: a reset was not detected: {e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases-bin", required=True, help="the delta_cases executable")
    parser.add_argument("--send-bin", required=True, help="the frr_send_delta executable")
    parser.add_argument("--keep", action="store_true", help="keep /tmp/frt-<pid> for debugging")
    parser.add_argument("--only", help="run only this chain")
    args = parser.parse_args()
    global SEND_BIN
    SEND_BIN = args.send_bin

    if os.geteuid() != 0:
        log("SKIP: needs root (network namespaces, FRR daemons); run in the integration tier")
        return SKIP
    for path in [VTYSH] + [f"{FRR_BIN}/{d}" for d in DAEMONS]:
        if not os.access(path, os.X_OK):
            log(f"FAIL: {path} missing; install FRR (apt-get install frr)")
            return 1

    clean_stale()
    pid = os.getpid()
    base = f"/tmp/{PREFIX}{pid}"
    os.makedirs(base, mode=0o755)
    os.chmod(base, 0o755)
    namespaces = [f"{PREFIX}{pid}-delta", f"{PREFIX}{pid}-fresh"]
    instances = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    failures = []
    started = time.monotonic()
    try:
        cases = os.path.join(base, "cases")
        os.makedirs(cases)
        # FRR (user frr) writes the log files the `log` chain configures into this directory.
        shutil.chown(cases, "frr", "frr")
        run([args.cases_bin, cases])
        for ns in namespaces:
            run(["ip", "netns", "add", ns])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        frr = Frr(base, "delta", namespaces[0])
        fresh = Frr(base, "fresh", namespaces[1])
        instances += [frr, fresh]
        ref = Reference(fresh)
        chains = sorted(d for d in glob.glob(f"{cases}/*") if os.path.isdir(d))
        for chain in chains:
            name = os.path.basename(chain)
            if name == "session" or (args.only and name != args.only):
                continue
            run_chain(chain, frr, ref, failures)
        if not args.only or args.only == "session":
            session_test(base, pid, os.path.join(cases, "session"), ref, failures, namespaces,
                         instances)
    finally:
        for inst in instances:
            inst.stop(graceful=True)
        for ns in namespaces:
            run(["ip", "netns", "del", ns], check=False)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    log(f"deltas sent: {ROUTES}")
    if not args.only:
        for route in ("daemon-sockets", "vtysh"):
            if not ROUTES.get(route):
                failures.append(f"no delta went by {route}: that route is untested")
    log(f"{len(failures)} failure(s) in {time.monotonic() - started:.1f}s")
    for f in failures:
        log("\n" + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
