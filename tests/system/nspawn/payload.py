#!/usr/bin/python3
"""The nspawn tier's checks (the units under systemd), run inside the booted container.

perouter-test.service runs this once the basic system is up, with systemd as PID 1 and the project
installed and enabled as a package would do it. The EVPN lab (tests/lab) plays the fabric inside
the container: a leaf FRR and a remote workload in namespaces, the node's underlay NIC `toswitch` in
the container's own namespace, which is the node's host namespace here. perouterd is then driven
only through systemctl, as an operator or the boot would.

Every check prints one line, `PASS <check>: evidence` or `FAIL <check>: evidence`, to the console
and to $PEROUTER_RESULTS/results.txt (default /perouter-results, a bind mount of the harness's
output directory), framed by START and END lines. Diagnostics (journal, unit status) go next to it.

    payload.py                          run every check (what perouter-test.service does)
    payload.py --standin OUT SOCKDIR    the stand-in kubelet: record the time and the leaf's view
                                        of the underlay session (FRR vty sockets in SOCKDIR) in OUT
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "lab"))
sys.path.insert(0, str(HERE.parent))

import lab_frr as F  # noqa: E402
from lab_dhcp import start_dhcp_server  # noqa: E402
import perlab  # noqa: E402
from lab_shell import ifindexes, links, netns_inode, read_pid_file, run, wait_for  # noqa: E402
from lab_pinger import wait_ping  # noqa: E402
from system_checks import (Report, failed_units, main_pid, mono, pid_netns, router_links, show,  # noqa: E402
                           systemctl)

RESULTS = Path(os.environ.get("PEROUTER_RESULTS", "/perouter-results"))
NETNS = "perouter"
NETNS_PATH = Path("/run/netns") / NETNS
UNIT = "perouterd.service"
WAIT_UNIT = "perouterd-wait-online.service"
FRR_UNIT = f"frr@{NETNS}.service"
STANDIN = "perouter-standin.service"
STANDIN_OUT = Path("/run/perouter-standin.json")
PROBE = "perouter-sandbox-probe.service"
LABDIR = Path("/tmp/perlab-sys")
DROPINS = Path("/etc/perouter/perouter.d")
FRR_CONF = Path("/etc/frr") / NETNS / "frr.conf"
NSFS_MAGIC = 0x6E736673
DHCP_UNIT = f"perouter-dhcp@{NETNS}.service"
DHCP_LEASED_IP = "192.168.11.10"  # the fixed lease for DHCP_MAC (the lab's dnsmasq on the leaf)
DHCP_MAC = "02:00:c0:a8:0b:1a"
MACVLAN = "underlay"
HOLD_TIME = 9.0  # the lab's BGP hold time (tests/lab/lab_frr.py): a session reset shows within this


# --- helpers -------------------------------------------------------------------------------------

def fs_type(path: Path) -> int:
    p = run(["stat", "-f", "-c", "%t", str(path)], check=False)
    return int(p.stdout.strip() or "0", 16) if p.returncode == 0 else 0


def changes(before: dict, after: dict) -> list[str]:
    """Differences between two identity() snapshots. Links are compared one by one: every link
    that existed before must still have its ifindex (not deleted and re-created). Links that
    appear are not a change of what existed (a restart applies drop-ins written meanwhile)."""
    out = []
    for k, v in before.items():
        if k.endswith("_links"):
            redone = sorted(n for n, i in v.items() if after.get(k, {}).get(n) != i)
            if redone:
                out.append(f"{k} re-created or removed: {redone}")
        elif after.get(k) != v:
            out.append(f"{k}: {v} -> {after.get(k)}")
    return out


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


def journal_cursor() -> str:
    out = run(["journalctl", "-n", "0", "--show-cursor", "--no-pager"], check=False).stdout
    m = re.search(r"-- cursor: (\S+)", out)
    return m.group(1) if m else ""


def journal_since(cursor: str) -> str:
    # journald writes asynchronously: what was logged before this call is in the files after --sync.
    run(["journalctl", "--sync"], check=False)
    argv = ["journalctl", "--no-pager", "-o", "cat"] + ([f"--after-cursor={cursor}"] if cursor else [])
    return run(argv, check=False).stdout


# --- the stand-in kubelet ------------------------------------------------------------------------

def standin(out: Path, sockdir: Path) -> int:
    """Runs as perouter-standin.service, ordered After=network-online.target."""
    started = time.monotonic()
    try:
        n = F.bgp_neighbor(sockdir, F.NODE_UNDERLAY_IP)
        state = n.get("bgpState", "unknown")
    except Exception as e:  # noqa: BLE001 - recorded, judged by the payload
        state = f"error: {e}"
    out.write_text(json.dumps({"monotonic": started, "leaf_session": state}))
    return 0


STANDIN_UNIT = f"""[Unit]
Description=Stand-in for kubelet: starts after network-online.target and records the fabric
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/python3 {Path(__file__).resolve()} --standin {STANDIN_OUT} {LABDIR}/frr/leaf
"""


# --- the checks ----------------------------------------------------------------------------------

class Tier:
    def __init__(self, report: Report):
        self.r = report
        self.lab: perlab.Lab | None = None

    # checks that need nothing but the installed image

    def installed(self) -> None:
        def pid1():
            comm = Path("/proc/1/comm").read_text().strip()
            virt = run(["systemd-detect-virt"], check=False).stdout.strip()
            return comm == "systemd", f"pid 1 is {comm}, virtualization {virt}"
        self.r.check("pid1-is-systemd", pid1)

        def units():
            facts, ok = [], True
            for u in (UNIT, WAIT_UNIT):
                s = show(u, "LoadState", "FragmentPath")
                ok &= s.get("LoadState") == "loaded"
                facts.append(f"{u} {s.get('LoadState')} from {s.get('FragmentPath')}")
            s = show(FRR_UNIT, "LoadState", "DropInPaths", "NetworkNamespacePath")
            ok &= s.get("LoadState") == "loaded" and "10-perouter.conf" in s.get("DropInPaths", "")
            ok &= s.get("NetworkNamespacePath") == str(NETNS_PATH)
            facts.append(f"{FRR_UNIT} {s.get('LoadState')} drop-ins {s.get('DropInPaths')} "
                         f"NetworkNamespacePath={s.get('NetworkNamespacePath')}")
            return ok, "; ".join(facts)
        self.r.check("units-installed", units)

        def enabled():
            p = systemctl("is-enabled", UNIT, WAIT_UNIT)
            states = p.stdout.split()
            wanted = {u: show(u, "WantedBy").get("WantedBy", "") for u in (UNIT, WAIT_UNIT)}
            ok = (states == ["enabled", "enabled"] and "multi-user.target" in wanted[UNIT]
                  and "network-online.target" in wanted[WAIT_UNIT])
            return ok, f"is-enabled {states}; WantedBy {wanted}"
        self.r.check("units-enabled", enabled)

        def tmpfiles():
            dirs = [Path("/etc/perouter/perouter.d"), Path("/run/perouter/perouter.d"), Path("/run/netns")]
            missing = [str(d) for d in dirs if not d.is_dir()]
            return not missing, f"missing {missing}" if missing else f"present: {[str(d) for d in dirs]}"
        self.r.check("tmpfiles-directories", tmpfiles)

        def protocol():
            p = run(["ip", "route", "show", "proto", "perouter"], check=False)
            return p.returncode == 0, f"`ip route show proto perouter` exit {p.returncode} {p.stderr.strip()}"
        self.r.check("route-protocol-name", protocol)

        def policy():
            found = [str(d) for d in (Path("/usr/share/dbus-1/system.d"), Path("/etc/dbus-1/system.d"))
                     if (d / "org.openperouter.Router1.conf").is_file()]
            return bool(found), f"org.openperouter.Router1.conf in {found or 'no directory dbus-daemon reads'}"
        self.r.check("dbus-policy-installed", policy)

        self.r.check("wait-online-sandbox-reaches-bus", self.sandbox_probe)

    def sandbox_probe(self) -> tuple[bool, str]:
        """perouterd-wait-online's own [Service] sandbox, running busctl instead of perouterctl:
        proves the hardening leaves the system bus reachable, independently of perouterctl."""
        text = Path(show(WAIT_UNIT, "FragmentPath")["FragmentPath"]).read_text()
        service = text.split("[Service]", 1)[1].split("[Install]", 1)[0]
        kept = [l for l in service.splitlines() if not l.startswith(("ExecStart=", "RemainAfterExit="))]
        Path("/run/systemd/system").mkdir(parents=True, exist_ok=True)
        Path(f"/run/systemd/system/{PROBE}").write_text(
            "[Service]\n" + "\n".join(kept) + "\nExecStart=/usr/bin/busctl --system call "
            "org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId\n")
        systemctl("daemon-reload")
        p = systemctl("start", PROBE, timeout=60)
        s = show(PROBE, "Result", "ExecMainStatus")
        return (p.returncode == 0 and s.get("Result") == "success",
                f"probe with {WAIT_UNIT}'s sandbox: start exit {p.returncode}, {s} {p.stderr.strip()}")

    # the fabric

    def lab_up(self) -> bool:
        def up():
            self.lab = perlab.Lab("sys", scenario="l2", labdir=LABDIR, host_netns="",
                                  router_netns=NETNS, root=Path("/"))
            self.lab.up(node=False)
            # Hold the leaf's side of the underlay session down until the wait-online check
            # lets it up, so that the session cannot be Established early by chance.
            self.lab.leaf.apply(f"router bgp {F.LEAF_ASN}\n neighbor {F.NODE_UNDERLAY_IP} shutdown\n")
            return True, (f"leaf, remote and toswitch up; /etc/perouter/perouter.toml from "
                          f"l2-passthrough.toml; namespaces {self.lab.namespaces()}")
        return self.r.check("lab-up", up)

    # perouterd through systemd

    def start(self) -> None:
        # "t": end of the first poll that saw the state in place; "missing": start of the last
        # poll that saw it missing (so it was missing at some moment after that start).
        seen: dict[str, float] = {}
        stop = threading.Event()

        def state_in_place() -> bool:
            return (fs_type(NETNS_PATH) == NSFS_MAGIC and FRR_CONF.exists()
                    and run(["ip", "-n", NETNS, "link", "show", "dev", "toswitch"], check=False).returncode == 0)

        def watch():
            while not stop.is_set():
                began = time.monotonic()
                if state_in_place():
                    seen["t"] = time.monotonic()
                    return
                seen["missing"] = began
                time.sleep(0.01)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        t0 = time.monotonic()
        p = systemctl("start", UNIT, timeout=150)
        t1 = time.monotonic()
        # Straight after `systemctl start` returns, before anything else runs.
        rl = router_links()
        host = links("")
        at_return = {"netns": fs_type(NETNS_PATH) == NSFS_MAGIC, "frr.conf": FRR_CONF.exists(),
                     **{n: n in rl for n in ("toswitch", "br-pe-110", "vni110", "pt-ns")},
                     **{n: n in host for n in ("host-e-110", "br-hs-110", "pt-host")}}
        stop.set()
        watcher.join(1)
        # The watcher may be between two polls when start returns (it polls every 10 ms and the
        # state can complete in the last of them): then what was checked at the return is the
        # first sighting.
        if "t" not in seen and all(at_return.values()):
            seen["t"] = t1
        s = show(UNIT, "ActiveState", "SubState", "ExecMainStartTimestampMonotonic",
                 "ActiveEnterTimestampMonotonic", "StatusText", "Type")

        def started():
            e = int(s.get("ExecMainStartTimestampMonotonic", 0)) / 1e6
            a = int(s.get("ActiveEnterTimestampMonotonic", 0)) / 1e6
            w, m = seen.get("t"), seen.get("missing")
            missing = [k for k, v in at_return.items() if not v]
            # The state must be in place when the unit turns active: a poll that began after
            # that and still found it missing disproves it, however slow the polls are.
            ok = (p.returncode == 0 and s.get("ActiveState") == "active" and not missing
                  and t0 - 0.01 <= e <= a <= t1 + 0.01 and w is not None and (m is None or m <= a))
            rel = lambda t: f"+{t - t0:.3f} s" if t else "never"  # noqa: E731
            return ok, (f"systemctl start exit {p.returncode} after {t1 - t0:.2f} s; main process "
                        f"{rel(e)}, active {rel(a)}, namespace+toswitch+frr.conf first seen "
                        f"{rel(w)} (last seen missing by a poll begun {rel(m)}); missing right after return: {missing or 'nothing'}; "
                        f"{s.get('ActiveState')}/{s.get('SubState')}, Type={s.get('Type')}, "
                        f"STATUS={s.get('StatusText')!r} {p.stderr.strip()}")
        self.r.check("start-returns-after-ready", started)

        def visible():
            listed = run(["ip", "netns", "list"]).stdout
            ex = run(["ip", "netns", "exec", NETNS, "true"], check=False)
            ok = (re.search(rf"^{NETNS}\b", listed, re.M) is not None
                  and fs_type(NETNS_PATH) == NSFS_MAGIC and ex.returncode == 0)
            return ok, (f"ip netns list: {' | '.join(listed.split(chr(10)))}; {NETNS_PATH} "
                        f"fs type {fs_type(NETNS_PATH):#x} (nsfs {NSFS_MAGIC:#x}); "
                        f"ip netns exec exit {ex.returncode} {ex.stderr.strip()}")
        self.r.check("router-namespace-visible-to-host", visible)

        def frr_unit():
            def ready():
                u = show(FRR_UNIT, "ActiveState", "MainPID")
                z = read_pid_file(Path("/run/frr") / NETNS / "zebra.pid")
                return u if u.get("ActiveState") == "active" and z else None
            try:
                u = wait_for(ready, 30, what=f"{FRR_UNIT} active with zebra")
            except TimeoutError as e:
                return False, f"{e}; {show(FRR_UNIT, 'ActiveState', 'Result')}"
            want = netns_inode(NETNS)
            mp = int(u["MainPID"])
            zebra = read_pid_file(Path("/run/frr") / NETNS / "zebra.pid") or 0
            cg = Path(f"/proc/{zebra}/cgroup").read_text() if zebra else ""
            ok = pid_netns(mp) == want and pid_netns(zebra) == want and f"{FRR_UNIT}" in cg
            return ok, (f"{FRR_UNIT} active, MainPID {mp} netns {pid_netns(mp)}, zebra {zebra} "
                        f"netns {pid_netns(zebra)}, router netns {want}, zebra cgroup "
                        f"{cg.strip().splitlines()[-1] if cg else '?'}")
        self.r.check("frr-runs-as-unit-in-router-namespace", frr_unit)

    def wait_online(self) -> None:
        assert self.lab
        lab = self.lab

        def gated():
            Path(f"/run/systemd/system/{STANDIN}").write_text(STANDIN_UNIT)
            STANDIN_OUT.unlink(missing_ok=True)
            systemctl("daemon-reload")
            p = systemctl("start", "--no-block", STANDIN)
            if p.returncode != 0:
                return False, f"systemctl start --no-block {STANDIN}: {p.stderr.strip()}"
            # The underlay is held down: nothing after network-online.target may start.
            time.sleep(5)
            held_standin = mono(STANDIN, "ExecMainStartTimestampMonotonic") == 0
            wo_state = show(WAIT_UNIT, "ActiveState")["ActiveState"]
            t_up = time.monotonic()
            lab.leaf.apply(f"router bgp {F.LEAF_ASN}\n no neighbor {F.NODE_UNDERLAY_IP} shutdown\n")
            try:
                wait_for(lambda: show(STANDIN, "ActiveState")["ActiveState"] in ("active", "failed"),
                         150, what=f"{STANDIN} started")
            except TimeoutError as e:
                return False, f"{e}; {WAIT_UNIT} {show(WAIT_UNIT, 'ActiveState', 'Result')}"
            rec = json.loads(STANDIN_OUT.read_text()) if STANDIN_OUT.exists() else {}
            w = mono(WAIT_UNIT, "ActiveEnterTimestampMonotonic")
            n = mono("network-online.target", "ActiveEnterTimestampMonotonic")
            s = mono(STANDIN, "ExecMainStartTimestampMonotonic")
            wr = show(WAIT_UNIT, "Result", "ExecMainStatus")
            ok = (held_standin and wo_state == "activating" and wr.get("Result") == "success"
                  and rec.get("leaf_session") == "Established" and t_up <= w <= n <= s)
            rel = lambda t: f"+{t - t_up:.2f} s" if t else "never"  # noqa: E731
            return ok, (f"with the underlay held down for 5 s: stand-in held back {held_standin}, "
                        f"{WAIT_UNIT} {wo_state}; after releasing it: {WAIT_UNIT} active {rel(w)} "
                        f"({wr}), network-online.target {rel(n)}, stand-in started {rel(s)} and saw "
                        f"the leaf's session {rec.get('leaf_session', 'not recorded')}")
        try:
            self.r.check("wait-online-gates-network-online", gated)
        finally:
            # Whatever happened, the remaining checks need the session.
            lab.leaf.apply(f"router bgp {F.LEAF_ASN}\n no neighbor {F.NODE_UNDERLAY_IP} shutdown\n")

        def established():
            n = wait_for(lambda: (lambda x: x if x.get("bgpState") == "Established" else None)(
                lab.leaf_session()), 60, what="underlay session Established")
            return True, f"leaf sees {F.NODE_UNDERLAY_IP} {n.get('bgpState')}"
        self.r.check("underlay-session-established", established)

        def traffic():
            lab._after_ready()  # the workload address on br-hs-110, as the lab does after READY
            took = wait_ping("", perlab.L2_REMOTE_IP, timeout=30)
            return True, f"ping {perlab.L2_REMOTE_IP} over L2VNI 110 answered after {took:.1f} s"
        self.r.check("l2vni-traffic", traffic)

    def reload(self) -> None:
        good = DROPINS / "60-l2-120.toml"
        bad = DROPINS / "61-broken.toml"

        def active_again() -> dict:
            """The unit's state once it is active/running again (or the last seen after 60 s)."""
            last: dict = {}

            def settled() -> bool:
                last.clear()
                last.update(show(UNIT, "ActiveState", "SubState", "StatusText"))
                return last.get("ActiveState") == "active" and last.get("SubState") == "running"
            try:
                wait_for(settled, 60, interval=0.1, what=f"{UNIT} active/running")
            except TimeoutError:
                pass  # reported through the state returned
            return dict(last)

        def applies():
            write_atomic(good, '[[l2vni]]\nname = "l2-120"\nvni = 120\n'
                               'host_master = { type = "linux-bridge", lifecycle = "managed" }\n')
            t0 = time.monotonic()
            p = systemctl("reload", UNIT, timeout=150)
            took = time.monotonic() - t0
            rl, host = router_links(), links("")
            have = {n: n in rl for n in ("br-pe-120", "vni120")}
            have.update({n: n in host for n in ("host-e-120", "br-hs-120")})
            # Writing the file also schedules a reload of perouterd's own (inotify) shortly
            # after; the unit passes through "reloading" and must come back to "active".
            s = active_again()
            ok = p.returncode == 0 and all(have.values()) and s["ActiveState"] == "active"
            return ok, (f"systemctl reload exit {p.returncode} after {took:.2f} s "
                        f"{p.stderr.strip()}; right after: {have}; {s}")
        self.r.check("reload-applies-dropin", applies)

        def journal_fields():
            # The events worth querying carry a MESSAGE_ID and perouter's own fields.
            vpn_added = "0c051e70646e42219e8db27e3f32a370"
            up = "58f52693c0924cedab44eae5c6b05543"
            added = run(["journalctl", "--no-pager", "-o", "json", f"MESSAGE_ID={vpn_added}",
                         "PEROUTER_VPN=l2-120"], check=False).stdout.splitlines()
            session = run(["journalctl", "--no-pager", "-o", "json", f"MESSAGE_ID={up}"],
                          check=False).stdout.splitlines()
            entry = json.loads(added[-1]) if added else {}
            ok = (entry.get("PEROUTER_VNI") == "120" and entry.get("SYSLOG_IDENTIFIER") == "perouterd"
                  and len(session) >= 1 and json.loads(session[-1]).get("PEROUTER_PEER") == "192.168.11.2")
            return ok, (f"vpn-added entries for l2-120: {len(added)} (VNI {entry.get('PEROUTER_VNI')!r}, "
                        f"message {entry.get('MESSAGE')!r}); underlay-up entries: {len(session)}")
        self.r.check("journal-message-ids-and-fields", journal_fields)

        def rejects():
            before = {"router": ifindexes(NETNS), "host": ifindexes(""), "pid": main_pid(UNIT)}
            write_atomic(bad, '[[l2vni]\nname = "broken"\n')
            p = systemctl("reload", UNIT, timeout=150)
            s = active_again()
            after = {"router": ifindexes(NETNS), "host": ifindexes(""), "pid": main_pid(UNIT)}
            bad.unlink()
            p2 = systemctl("reload", UNIT, timeout=150)
            ok = (p.returncode != 0 and s["ActiveState"] == "active" and s["SubState"] == "running"
                  and before == after and p2.returncode == 0)
            return ok, (f"reload with the broken drop-in exit {p.returncode} "
                        f"({p.stderr.strip()[-200:]}); unit {s['ActiveState']}/{s['SubState']}, "
                        f"STATUS={s.get('StatusText')!r}; links and pid unchanged: "
                        f"{before == after}; reload after removing it exit {p2.returncode}")
        self.r.check("reload-rejects-bad-dropin", rejects)

    def identity(self) -> dict:
        """What a restart or stop of perouterd must leave untouched."""
        assert self.lab
        return {"session": self.lab.session_identity(), "netns": netns_inode(NETNS),
                "router_links": ifindexes(NETNS), "host_links": ifindexes(""),
                "frr": main_pid(FRR_UNIT),
                "zebra": read_pid_file(Path("/run/frr") / NETNS / "zebra.pid")}

    def wait_established(self) -> None:
        assert self.lab
        wait_for(lambda: self.lab.leaf_session().get("bgpState") == "Established", 60,
                 what="underlay session Established")

    def frr_reload(self) -> None:
        def reload():
            """The drop-in's ExecReload: FRR 8.4's own one takes the instance down."""
            self.wait_established()
            before = self.identity()
            conf0 = FRR_CONF.read_text()
            p = systemctl("reload", FRR_UNIT, timeout=120)
            time.sleep(HOLD_TIME + 2)
            after = self.identity()
            changed = changes(before, after)
            s = show(FRR_UNIT, "ActiveState", "SubState")
            # frr.conf is perouterd's record of what FRR has; the reload must not rewrite it.
            rewritten = FRR_CONF.read_text() != conf0
            ok = p.returncode == 0 and s["ActiveState"] == "active" and not changed and not rewritten
            return ok, (f"systemctl reload {FRR_UNIT} exit {p.returncode} {p.stderr.strip()}; "
                        f"{s['ActiveState']}/{s['SubState']}; changed: {changed or 'nothing'}; "
                        f"{FRR_CONF} rewritten: {rewritten}")
        self.r.check("frr-unit-reload-keeps-instance", reload)

    def restart_and_stop(self) -> None:
        def restart():
            self.wait_established()
            before, pid0 = self.identity(), main_pid(UNIT)
            t0 = time.monotonic()
            p = systemctl("restart", UNIT, timeout=150)
            took = time.monotonic() - t0
            time.sleep(HOLD_TIME + 2)
            after, pid1 = self.identity(), main_pid(UNIT)
            changed = changes(before, after)
            status = show(UNIT, "StatusText")["StatusText"]
            ok = p.returncode == 0 and pid1 not in (0, pid0) and not changed and "error" not in status
            return ok, (f"systemctl restart exit {p.returncode} after {took:.2f} s, perouterd pid "
                        f"{pid0} -> {pid1}; changed: {changed or 'nothing'} "
                        f"(session {after['session']}); STATUS={status!r}")
        self.r.check("restart-keeps-bgp-session", restart)

        state: dict = {}

        def stop():
            self.wait_established()
            state["before"] = self.identity()
            pid = main_pid(UNIT)
            run(["systemd-analyze", "log-level", "debug"], check=False)
            cursor = journal_cursor()
            pattern = re.compile(rf"notification message from PID {pid} \([^)]*STOPPING=1")
            try:
                p = systemctl("stop", UNIT, timeout=60)
                # journald stores asynchronously; give the line a deadline, not one read.
                try:
                    journal = wait_for(lambda: (lambda j: j if pattern.search(j) else None)(
                        journal_since(cursor)), 30, interval=0.5, what="STOPPING=1 in the journal")
                except TimeoutError:
                    journal = journal_since(cursor)
            finally:
                run(["systemd-analyze", "log-level", "info"], check=False)
            s = show(UNIT, "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
            stopping = pattern.search(journal)
            failed = failed_units()
            ok = (p.returncode == 0 and s["ActiveState"] == "inactive" and s["Result"] == "success"
                  and s["ExecMainStatus"] == "0" and stopping is not None and UNIT not in failed)
            return ok, (f"systemctl stop exit {p.returncode}; {s}; STOPPING=1 from pid {pid} "
                        f"{'seen' if stopping else 'not seen'} in the journal; failed units: "
                        f"{failed or 'none'}")
        self.r.check("stop-is-clean", stop)

        def stays():
            time.sleep(HOLD_TIME + 2)
            before, after = state.get("before", {}), self.identity()
            changed = changes(before, after)
            frr = show(FRR_UNIT, "ActiveState")["ActiveState"]
            ok = (bool(before) and not changed and frr == "active" and NETNS_PATH.exists()
                  and after["session"]["bgpState"] == "Established" and "toswitch" in router_links())
            return ok, (f"after stop: {FRR_UNIT} {frr}, namespace {after['netns']}, toswitch in it "
                        f"{'toswitch' in router_links()}, leaf session {after['session']}; "
                        f"changed since before stop: {changed or 'nothing'}")
        self.r.check("stop-leaves-router-running", stays)

        def adopts():
            before = self.identity()
            p = systemctl("start", UNIT, timeout=150)
            time.sleep(HOLD_TIME + 2)
            after = self.identity()
            changed = changes(before, after)
            s = show(UNIT, "ActiveState", "StatusText")
            ok = (p.returncode == 0 and not changed and s["ActiveState"] == "active"
                  and "error" not in s["StatusText"])
            return ok, (f"systemctl start exit {p.returncode}; changed while adopting: "
                        f"{changed or 'nothing'}; STATUS={s['StatusText']!r}")
        self.r.check("start-adopts-running-router", adopts)

        def no_failed():
            f = failed_units()
            return not f, f"failed units: {f or 'none'}"
        self.r.check("no-failed-units", no_failed)


    # the macvlan underlay with DHCP, under systemd

    def dhcp_underlay(self) -> None:
        """The router rebuilt on a macvlan of toswitch whose address the leaf's DHCP server
        leases: perouterd (no inet sockets in its sandbox) starts perouter-dhcp@perouter.service,
        which systemd runs in the router namespace; a restart of perouterd keeps the client, and
        --teardown stops it."""
        assert self.lab
        lab = self.lab
        perouterd = "/usr/sbin/perouterd"

        def prepare():
            stop = systemctl("stop", UNIT, timeout=60)
            td = run([perouterd, "--teardown"], check=False, timeout=300)
            lab.leaf.apply(F.leaf_peer_at(DHCP_LEASED_IP))
            start_dhcp_server(lab.leaf_ns, LABDIR, {DHCP_MAC: DHCP_LEASED_IP})
            lab.use_macvlan_underlay(f'mac = "{DHCP_MAC}"\ndhcp = true\n')
            ok = stop.returncode == 0 and td.returncode == 0
            return ok, (f"systemctl stop exit {stop.returncode}, --teardown exit {td.returncode}; "
                        f"dnsmasq on the leaf; {lab.config_file} has [underlay.macvlan] dhcp = true")
        if not self.r.check("dhcp-underlay-prepared", prepare):
            return

        def leased():
            p = systemctl("start", UNIT, timeout=150)

            def up():
                v4 = run(["ip", "-n", NETNS, "-4", "-o", "addr", "show", "dev", MACVLAN],
                         check=False).stdout
                session = lab.neighbor("leaf", DHCP_LEASED_IP).get("bgpState")
                return (f"{DHCP_LEASED_IP}/24" in v4 and session == "Established") or None
            try:
                wait_for(up, 90, what=f"{DHCP_LEASED_IP} leased and the leaf's session Established")
            except TimeoutError as e:
                return False, f"systemctl start exit {p.returncode}; {e}; {show(DHCP_UNIT, 'ActiveState', 'Result')}"
            u = show(DHCP_UNIT, "ActiveState", "MainPID", "NetworkNamespacePath")
            mp = int(u.get("MainPID", "0") or 0)
            want = netns_inode(NETNS)
            ok = (p.returncode == 0 and u.get("ActiveState") == "active" and mp > 0
                  and pid_netns(mp) == want and u.get("NetworkNamespacePath") == str(NETNS_PATH))
            return ok, (f"systemctl start exit {p.returncode}; {DHCP_UNIT} {u.get('ActiveState')}, "
                        f"MainPID {mp} netns {pid_netns(mp)}, router netns {want}; {MACVLAN} has "
                        f"{DHCP_LEASED_IP}/24 and the leaf's session to it is Established")
        if not self.r.check("dhcp-client-runs-as-unit-in-router-namespace", leased):
            return

        def restart():
            pid0 = main_pid(DHCP_UNIT)
            s0 = lab.session_identity(DHCP_LEASED_IP)
            p = systemctl("restart", UNIT, timeout=150)
            time.sleep(HOLD_TIME + 2)  # a reset would show within the hold time
            pid1 = main_pid(DHCP_UNIT)
            s1 = lab.session_identity(DHCP_LEASED_IP)
            same = s0 == s1
            ok = p.returncode == 0 and pid0 > 0 and pid1 == pid0 and same
            return ok, (f"systemctl restart {UNIT} exit {p.returncode}; {DHCP_UNIT} MainPID "
                        f"{pid0} -> {pid1}; leaf session {'unchanged' if same else f'{s0} -> {s1}'}")
        self.r.check("dhcp-client-survives-perouterd-restart", restart)

        def teardown():
            stop = systemctl("stop", UNIT, timeout=60)
            td = run([perouterd, "--teardown"], check=False, timeout=300)
            u = show(DHCP_UNIT, "ActiveState")
            lease = Path("/var/lib/perouter/dhcp") / NETNS / f"{MACVLAN}.lease"
            ok = (stop.returncode == 0 and td.returncode == 0 and u.get("ActiveState") == "inactive"
                  and not NETNS_PATH.exists() and lease.exists())
            return ok, (f"systemctl stop exit {stop.returncode}, --teardown exit {td.returncode} "
                        f"{td.stderr.strip()[-300:]}; {DHCP_UNIT} {u.get('ActiveState')}; "
                        f"namespace {'left' if NETNS_PATH.exists() else 'gone'}; lease {lease} "
                        f"{'kept' if lease.exists() else 'missing'}")
        self.r.check("dhcp-client-stopped-by-teardown", teardown)


def diagnostics(directory: Path) -> None:
    def save(name: str, argv: list[str]) -> None:
        p = run(argv, check=False, timeout=60)
        (directory / name).write_text(p.stdout + p.stderr)
    save("journal.txt", ["journalctl", "-b", "--no-pager", "-o", "short-monotonic"])
    save("units.txt", ["systemctl", "status", "--no-pager", "-l", "-n", "30", UNIT, WAIT_UNIT,
                       FRR_UNIT, STANDIN, DHCP_UNIT])
    save("perouterd.log", ["journalctl", "-b", "--no-pager", "-u", UNIT])


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--standin":
        return standin(Path(sys.argv[2]), Path(sys.argv[3]))
    report = Report(RESULTS)
    uptime = Path("/proc/uptime").read_text().split()[0]
    report.line(f"START uptime={uptime} kernel={os.uname().release}")
    tier = Tier(report)
    try:
        tier.installed()
        if tier.lab_up():
            tier.start()
            tier.wait_online()
            tier.reload()
            tier.frr_reload()
            tier.restart_and_stop()
            tier.dhcp_underlay()
    except Exception as e:  # noqa: BLE001 - reported as a failure, never a silent stop
        report.failed += 1
        report.line(f"FAIL payload: {type(e).__name__}: {e}")
    finally:
        report.line(f"END pass={report.passed} fail={report.failed} "
                    f"uptime={Path('/proc/uptime').read_text().split()[0]}")
        try:
            diagnostics(RESULTS)
        except Exception as e:  # noqa: BLE001
            print(f"diagnostics: {e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
