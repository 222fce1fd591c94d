#!/usr/bin/python3
"""The QEMU tier's checks, run inside the VM (stock Debian kernel, with VRF; systemd as PID 1).

perouter-qemu-test.service runs this after a normal multi-user boot in which the fabric
(perouter-lab-fabric.service, fabric.py), perouterd.service with /etc/perouter/perouter.toml
(underlay + VRF red / L3VNI 100 carrying the default route) and the stand-in kubelet.service have
started on their own. The harness (run.sh) boots the same disk three times; the kernel command line
says which boot this is (perouter.boot=1|2|3):

    boot 1  day 0 (the kubelet reached the API server through the VNI on its first try, unit
            timestamps), the router torn down and rebuilt REBUILD_ROUNDS times (each time the
            kubelet's first try right after wait-online reaches the API server), the
            integration tests that skip on VRF-less kernels (L3VNI, prefix filters on an L3VNI's
            host session, silent workload behind an L2VNI gateway), runtime VPNs
            (AddVpn/RemoveVpn over D-Bus, a drop-in file), faults (FRR killed, perouterd
            restarted, the router namespace deleted), then VPNs set up for the reboot and a
            malformed persisted drop-in
    boot 2  day 0 again despite the malformed drop-in (left out, reported); persisted VPNs are
            back, volatile ones are not; then the main file is made invalid
    boot 3  day 0 again on the last good main file (/var/lib/perouter/last-good.json) with the
            drop-ins on disk; the persisted VPNs are back

Every check prints one line, `PASS <check>: evidence` or `FAIL <check>: evidence`, to the console
(prefixed `PEROUTER: `) and to /run/perouter-results/results.txt, framed by START and END; `TIME`
lines carry unit timestamps (seconds of CLOCK_MONOTONIC, i.e. since the kernel started). At the
end the results directory goes as a tar archive onto the raw results disk (the virtio disk that is
not the root file system) and the unit powers the machine off.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # /opt/perouter-tests, laid out like the repository
sys.path.insert(0, str(REPO / "tests" / "lab"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import fabric  # noqa: E402
import lab_frr as F  # noqa: E402
import perlab  # noqa: E402
from lab_pinger import Pinger, ping_once  # noqa: E402
from lab_shell import addresses, ifindexes, links, netns_inode, read_pid_file, routes, run, wait_for  # noqa: E402
from system_checks import (Report, failed_units, mono, pid_netns, router_links, show,  # noqa: E402
                           systemctl)

RESULTS = Path("/run/perouter-results")
NETNS = "perouter"
UNIT = "perouterd.service"
WAIT_UNIT = "perouterd-wait-online.service"
FRR_UNIT = f"frr@{NETNS}.service"
FABRIC_UNIT = "perouter-lab-fabric.service"
KUBELET_UNIT = "kubelet.service"
KUBELET_OUT = Path("/run/perouter-kubelet.json")
MAIN_FILE = Path("/etc/perouter/perouter.toml")
ETC_DROPINS = Path("/etc/perouter/perouter.d")
# R9: what boots 2 and 3 start with. A value of the wrong type at line 3, column 7.
BROKEN_DROPIN = ETC_DROPINS / "70-broken.toml"
BROKEN_DROPIN_TEXT = '[[l2vni]]\nname = "broken"\nvni = "one hundred and fifty"\n'
# An unterminated table header appended to the main file.
BROKEN_MAIN_TAIL = "\n[underlay.broken\n"
RUN_DROPINS = Path("/run/perouter/perouter.d")
NETLINK_TEST = REPO / "bin" / "netlink_integration_test"
KUBELET_PY = HERE / "kubelet.py"
REBUILD_ROUNDS = 10
LAB_TESTS = REPO / "tests" / "integration" / "lab"

DEST = "org.openperouter.Router1"
OBJ = "/org/openperouter/Router1"
MANAGER = "org.openperouter.Router1.Manager"

API = perlab.RED_REMOTE_IP
BLUE_REMOTE = perlab.BLUE_REMOTE_IP
L2_REMOTE = fabric.L2_RUNTIME_REMOTE_IP
BLUE_TOML = """[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200
host_session = { asn = 64514, host_asn = 64515, local_cidr = { ipv4 = "192.169.30.0/24" } }
"""


def l2_toml(name: str, vni: int) -> str:
    return (f'[[l2vni]]\nname = "{name}"\nvni = {vni}\n'
            'host_master = { type = "linux-bridge", lifecycle = "managed" }\n')


# --- helpers -------------------------------------------------------------------------------------

def busctl(*args: str, timeout: float = 200.0) -> subprocess.CompletedProcess:
    return run(["busctl", "--timeout=180", *args], check=False, timeout=timeout)


def describe() -> dict:
    p = busctl("--json=short", "call", DEST, OBJ, MANAGER, "Describe")
    return json.loads(json.loads(p.stdout)["data"][0]) if p.returncode == 0 else {}


def unit_pids(unit: str) -> list[int]:
    cg = show(unit, "ControlGroup").get("ControlGroup", "")
    try:
        return sorted(int(x) for x in Path(f"/sys/fs/cgroup{cg}/cgroup.procs").read_text().split())
    except (OSError, ValueError):
        return []


def zebra_pid() -> Optional[int]:
    return read_pid_file(Path("/run/frr") / NETNS / "zebra.pid")


def vrf_route(ns: str, vrf: str, prefix: str) -> Optional[dict]:
    r = routes(ns, "vrf", vrf, prefix) if ns else routes("", prefix)
    return r[0] if r else None


def answers(dst: str, count: int = 1, wait: float = 1.0) -> bool:
    return ping_once("", dst, count=count, timeout_s=wait)[0]


def wait_answers(dst: str, timeout: float) -> float:
    t0 = time.monotonic()
    wait_for(lambda: answers(dst), timeout, interval=0.2, what=f"ping {dst}")
    return time.monotonic() - t0


def data_plane() -> dict[str, Optional[int]]:
    """ifindexes of the kernel objects of VPN red (and the NIC) in both namespaces."""
    r, h = ifindexes(NETNS), ifindexes("")
    out: dict[str, Optional[int]] = {f"router/{n}": r.get(n)
                                     for n in ("red", "br-pe-100", "vni100", "pe-e-100", "toswitch")}
    out["host/host-e-100"] = h.get("host-e-100")
    return out


SESSION_FIELDS = ("bgpState", "lastResetDueTo", "lastErrorCodeSubcode", "connectionsEstablished",
                  "connectionsDropped", "bgpTimerConnectRetry", "bgpTimerUpString")


def session_story(lab: perlab.Lab, vrf: str, router_end: str, host_end: str) -> str:
    """Both ends of a host session as FRR sees them, and the router's nexthop for the host: what a
    failed wait for the session needs to say which end is stuck and why."""
    def one(side: str, peer: str, in_vrf: Optional[str]) -> str:
        try:
            n = lab.neighbor(side, peer, in_vrf)
        except Exception as e:  # noqa: BLE001 - a story, never a second failure
            return f"{side}: {type(e).__name__}: {e}"
        return f"{side} {peer}: " + ", ".join(f"{k}={n[k]}" for k in SESSION_FIELDS if k in n)
    def show(command: str) -> str:
        try:
            return lab.vtysh("router", command).strip().replace("\n", " | ")
        except Exception as e:  # noqa: BLE001
            return f"{type(e).__name__}: {e}"
    # bgpd's nexthop cache beside zebra's answer for the same address, and zebra's view of the
    # VRF's connected networks: which daemon holds the stale state when bgpd waits for NHT.
    return (f"{one('router', host_end, vrf)}; {one('host', router_end, None)}; router nexthops: "
            f"{show(f'show bgp vrf {vrf} nexthop')}; zebra nht: {show(f'show ip nht vrf {vrf}')}; "
            f"zebra connected: {show(f'show ip route vrf {vrf} connected')}")


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


def leaf_has(vrf: str, prefix: str) -> bool:
    r = vrf_route(fabric.PREFIX + "-leaf", vrf, prefix)
    return bool(r and r.get("protocol") == "bgp")


# --- the checks ----------------------------------------------------------------------------------

class Tier:
    def __init__(self, report: Report, boot: int):
        self.r = report
        self.boot = boot
        self.lab = fabric.lab()  # the running fabric (names, vtysh sockets); built by the unit
        self.started = time.monotonic()

    # the machine

    def machine(self) -> None:
        def vm():
            comm = Path("/proc/1/comm").read_text().strip()
            virt = run(["systemd-detect-virt"], check=False).stdout.strip()
            vrf = perlab.kernel_supports_vrf("qv")
            return (comm == "systemd" and virt != "none" and vrf,
                    f"pid 1 {comm}, virtualization {virt}, kernel {os.uname().release}, "
                    f"VRF {'supported' if vrf else 'MISSING'}")
        self.r.check("vm-systemd-kernel-with-vrf", vm)

    # day 0

    def day0(self) -> None:
        def fabric_first():
            f = show(FABRIC_UNIT, "ActiveEnterTimestampMonotonic", "Result", "ActiveState")
            fa = int(f.get("ActiveEnterTimestampMonotonic", "0")) / 1e6
            ps = mono(UNIT, "ExecMainStartTimestampMonotonic")
            ok = f.get("Result") == "success" and f.get("ActiveState") == "active" and 0 < fa <= ps
            return ok, (f"{FABRIC_UNIT} {f.get('ActiveState')}/{f.get('Result')} active at {fa:.2f} s, "
                        f"perouterd main process started at {ps:.2f} s")
        self.r.check("day0-fabric-up-before-perouterd", fabric_first)

        def from_unit():
            s = show(UNIT, "ActiveState", "SubState", "ExecMainStartTimestampMonotonic",
                     "ActiveEnterTimestampMonotonic", "NRestarts", "StatusText", "UnitFileState")
            start = int(s.get("ExecMainStartTimestampMonotonic", "0")) / 1e6
            active = int(s.get("ActiveEnterTimestampMonotonic", "0")) / 1e6
            conf = Path("/etc/perouter/perouter.toml").read_text()
            # "reloading": perouterd re-reads its files a moment after READY (it notices its own
            # /run/perouter/state appear); a reload with nothing to change, not a failure.
            ok = (s.get("ActiveState") in ("active", "reloading") and s.get("UnitFileState") == "enabled"
                  and 0 < start <= active < self.started and 'vrf = "red"' in conf
                  and "default_gateway = true" in conf)
            return ok, (f"{UNIT} {s.get('ActiveState')}/{s.get('SubState')} ({s.get('UnitFileState')}), "
                        f"main process at {start:.2f} s, READY at {active:.2f} s (payload started at "
                        f"{self.started:.2f} s), restarts {s.get('NRestarts')}, STATUS={s.get('StatusText')!r}")
        self.r.check("day0-perouterd-started-by-boot", from_unit)

        def gated():
            pa = mono(UNIT, "ActiveEnterTimestampMonotonic")
            w = show(WAIT_UNIT, "ActiveEnterTimestampMonotonic", "Result")
            wa = int(w.get("ActiveEnterTimestampMonotonic", "0")) / 1e6
            na = mono("network-online.target", "ActiveEnterTimestampMonotonic")
            ks = mono(KUBELET_UNIT, "ExecMainStartTimestampMonotonic")
            ok = w.get("Result") == "success" and 0 < pa <= wa <= na <= ks
            return ok, (f"perouterd READY {pa:.2f} s <= {WAIT_UNIT} done {wa:.2f} s ({w.get('Result')}) "
                        f"<= network-online.target {na:.2f} s <= kubelet started {ks:.2f} s")
        self.r.check("day0-kubelet-ordered-after-wait-online", gated)

        def kubelet():
            rec = json.loads(KUBELET_OUT.read_text())
            route = rec.get("route", {})
            ok = (rec.get("ping", {}).get("ok") is True and rec.get("http", {}).get("ok") is True
                  and route.get("dev") == "host-e-100" and route.get("gateway") == F.RED_ROUTER_IP)
            return ok, (f"kubelet's one try at {rec.get('monotonic', 0):.2f} s: route to {API} "
                        f"{route.get('gateway')} dev {route.get('dev')}; ping {rec.get('ping')}; "
                        f"GET :6443/healthz {rec.get('http')}")
        self.r.check("day0-kubelet-reaches-api-server-first-try", kubelet)

        def data():
            r = router_links()
            red_route = vrf_route(NETNS, "red", F.RED_REMOTE_PREFIX)
            red_default = vrf_route(NETNS, "red", "default")
            default = [x for x in routes("", "default") if x.get("dev") == "host-e-100"]
            vx = r.get("vni100", {}).get("linkinfo", {}).get("info_data", {})
            ok = (r.get("red", {}).get("linkinfo", {}).get("info_kind") == "vrf"
                  and r.get("br-pe-100", {}).get("master") == "red"
                  and r.get("pe-e-100", {}).get("master") == "red"
                  and vx.get("id") == 100 and vx.get("local") == perlab.ROUTER_VTEP
                  and bool(red_route) and red_route.get("protocol") == "bgp" and bool(default)
                  and bool(red_default) and red_default.get("protocol") == "bgp"
                  and leaf_has("red", f"{F.RED_HOST_IP}/32"))
            return ok, (f"router: VRF red {bool(r.get('red'))}, br-pe-100 master "
                        f"{r.get('br-pe-100', {}).get('master')}, vni100 id {vx.get('id')} local "
                        f"{vx.get('local')}; VRF red route to {F.RED_REMOTE_PREFIX}: {red_route}, "
                        f"default (type-5 from the leaf): {red_default}; host "
                        f"default {default}; leaf VRF red has {F.RED_HOST_IP}/32 from the router: "
                        f"{leaf_has('red', f'{F.RED_HOST_IP}/32')}")
        self.r.check("day0-vpn-red-kernel-and-routes", data)
        self.timestamps()

    def timestamps(self) -> None:
        """Unit timestamps for the benchmarks (tests/bench/RESULTS.md)."""
        mgr = run(["systemctl", "show", "-p", "UserspaceTimestampMonotonic,InitRDTimestampMonotonic"],
                  check=False).stdout
        vals = dict(line.split("=", 1) for line in mgr.splitlines() if "=" in line)
        self.r.time("systemd-started", int(vals.get("UserspaceTimestampMonotonic", "0") or 0) / 1e6)
        for unit, props in ((FABRIC_UNIT, ("ExecMainStart", "ActiveEnter")),
                            (UNIT, ("ExecMainStart", "ActiveEnter")),
                            (FRR_UNIT, ("ActiveEnter",)),
                            (WAIT_UNIT, ("ExecMainStart", "ActiveEnter")),
                            ("network-online.target", ("ActiveEnter",)),
                            (KUBELET_UNIT, ("ExecMainStart", "ActiveEnter")),
                            ("multi-user.target", ("ActiveEnter",))):
            for p in props:
                self.r.time(f"{unit}.{p}", mono(unit, f"{p}TimestampMonotonic"))
        try:
            rec = json.loads(KUBELET_OUT.read_text())
            self.r.time("kubelet.api-server-answered",
                        rec["monotonic"] + rec["ping"]["seconds"] + rec["http"]["seconds"])
        except (OSError, ValueError, KeyError):
            pass
        chain = run(["systemd-analyze", "critical-chain", KUBELET_UNIT], check=False)
        (self.r.dir / "critical-chain.txt").write_text(chain.stdout + chain.stderr)

    # "online" means the gateway VPN forwards, every time

    def rebuilds(self, rounds: int) -> None:
        """Tear the router down (perouterd --teardown: namespace, FRR, links, host default route
        gone) and start perouterd again, `rounds` times. Each time the stand-in kubelet runs once,
        right after `perouterctl wait-online` returns.

        Every round must come online (wait-online succeeds) and the kubelet's first ping and
        GET right after it must succeed. A round that fails says what Describe still misses.
        (Rounds used to fail here when systemd refused the fourth start of frr@perouter within
        FRR's own 3-minute start limit; units/frr@perouter.service.d/10-perouter.conf.)
        """
        online = first_try = 0
        for i in range(1, rounds + 1):
            def one(i: int = i) -> "tuple[bool, str]":
                nonlocal online, first_try
                out = RESULTS / f"kubelet-round{i}.json"
                out.unlink(missing_ok=True)
                t0 = time.monotonic()
                stop = systemctl("stop", UNIT, timeout=200)
                td = run([perouterd_binary(), "--teardown"], check=False, timeout=300)
                host_default = [x for x in routes("", "default") if x.get("dev") == "host-e-100"]
                down = (stop.returncode == 0 and td.returncode == 0 and netns_inode(NETNS) is None
                        and not host_default)
                t_down = time.monotonic()
                start = systemctl("start", UNIT, timeout=300)
                w = run(["perouterctl", "wait-online", "--timeout", "120"], check=False, timeout=150)
                t_online = time.monotonic()
                k = run([sys.executable, str(KUBELET_PY), str(out)], check=False, timeout=60)
                t_answered = time.monotonic()
                rec = json.loads(out.read_text()) if out.exists() else {}
                route = rec.get("route", {})
                reached = (k.returncode == 0 and rec.get("ping", {}).get("ok") is True
                           and rec.get("http", {}).get("ok") is True
                           and route.get("dev") == "host-e-100")
                missing = describe().get("online_missing") if w.returncode != 0 else []
                online += w.returncode == 0
                first_try += w.returncode == 0 and reached
                self.r.time(f"rebuild-round{i}.torn-down", t_down - t0)
                self.r.time(f"rebuild-round{i}.online-after-start", t_online - t_down)
                self.r.time(f"rebuild-round{i}.api-answered-after-start", t_answered - t_down)
                evidence = (f"round {i}: stop exit {stop.returncode}, --teardown exit {td.returncode} "
                            f"(namespace gone and host default gone: {down}); start exit "
                            f"{start.returncode}; wait-online exit {w.returncode} after "
                            f"{t_online - t_down:.1f} s {w.stderr.strip()[-200:]}; kubelet's one try: route "
                            f"{route.get('gateway')} dev {route.get('dev')}, ping {rec.get('ping')}, GET "
                            f"{rec.get('http')}; Describe online_missing {missing}")
                return down and start.returncode == 0 and w.returncode == 0 and reached, evidence
            self.r.check(f"rebuild-round{i}-online-and-kubelet-first-try", one)
        self.r.line(f"REBUILDS {online}/{rounds} rounds came online; the kubelet's first try "
                    f"right after wait-online reached {API} in {first_try}/{rounds}")

    # the integration tests that skip without VRF

    def lab_test(self, module: str, min_passed: int, timeout: float):
        """A check that runs one file of tests/integration/lab in the VM (where it has VRF)."""
        def check():
            env = dict(os.environ, PEROUTERD=perouterd_binary(),
                       PEROUTERCTL=shutil.which("perouterctl") or "/usr/bin/perouterctl",
                       PYTHONDONTWRITEBYTECODE="1")
            p = subprocess.run([sys.executable, "-m", "unittest", "-v", module], cwd=LAB_TESTS,
                               env=env, capture_output=True, text=True, timeout=timeout)
            out = p.stdout + p.stderr
            (self.r.dir / f"{module}.log").write_text(out)
            passed = re.findall(r"^(test_\w+) .* \.\.\. ok$", out, re.M)
            ok = p.returncode == 0 and "skipped" not in out and len(passed) >= min_passed
            return ok, (f"exit {p.returncode}; ok: {passed}; "
                        f"{'skipped!' if 'skipped' in out else 'nothing skipped'}; "
                        f"{out.strip()[-600:] if not ok else out.strip().splitlines()[-3]}")
        return check

    def integration(self) -> None:
        def netlink_vrf():
            p = run([str(NETLINK_TEST), "--gtest_filter=*Vrf*"], check=False, timeout=300)
            out = p.stdout + p.stderr
            ran = re.search(r"\[  PASSED  \] (\d+) test", out)
            ok = p.returncode == 0 and ran is not None and int(ran.group(1)) >= 1 and "SKIPPED" not in out
            tests = re.findall(r"\[       OK \] (\S+)", out)
            return ok, (f"exit {p.returncode}; passed {tests}; "
                        f"{'skipped!' if 'SKIPPED' in out else 'nothing skipped'}; {out.strip()[-300:] if not ok else ''}")
        self.r.check("integration-netlink-vrf", netlink_vrf)

        self.r.check("integration-lab-l3vni", self.lab_test("test_l3vni", 3, 480))
        # import_prefixes / export_prefixes on VPN red's host session, added and removed at runtime.
        self.r.check("integration-lab-l3vni-prefix-filters", self.lab_test("test_l3vni_prefix_filters", 1, 480))
        # Silent workloads stay reachable: an L2VNI with a gateway in VRF red.
        self.r.check("integration-lab-silent-workload", self.lab_test("test_silent_workload", 3, 600))
        # SRv6 L3VPN: VPNv4/VPNv6 with SIDs to the leaf as remote PE, the SRH on the cable, an
        # L3VPN added and removed at runtime.
        self.r.check("integration-lab-srv6-l3vpn", self.lab_test("test_srv6_l3vpn", 1, 900))

    # runtime VPNs

    def runtime(self) -> None:
        lab = self.lab

        def speaker():
            lab.host.start()
            lab.host.apply(F.host_config(False, peers=[F.RED_ROUTER_IP, F.BLUE_ROUTER_IP]))
            n = wait_for(lambda: (lambda x: x if x.get("bgpState") == "Established" else None)(
                lab.neighbor("host", F.RED_ROUTER_IP)), 120, what="host session over VPN red")
            r = wait_for(lambda: vrf_route("", "", F.RED_REMOTE_PREFIX), 60,
                         what=f"host kernel learns {F.RED_REMOTE_PREFIX}")
            return True, (f"node's BGP speaker (AS {F.HOST_ASN}) session to {F.RED_ROUTER_IP} over "
                          f"VPN red {n.get('bgpState')}; host learned {F.RED_REMOTE_PREFIX} via "
                          f"{r.get('gateway')} proto {r.get('protocol')}")
        self.r.check("runtime-host-speaker-session-red", speaker)

        def add_blue():
            t0 = time.monotonic()
            p = busctl("call", DEST, OBJ, MANAGER, "AddVpn", "ssb", "blue", BLUE_TOML, "false")
            took = time.monotonic() - t0
            if p.returncode != 0:
                return False, f"AddVpn exit {p.returncode}: {p.stderr.strip()}"
            r, h = router_links(), links("")
            have = {n: n in r for n in ("blue", "br-pe-200", "vni200", "pe-e-200")}
            have["host-e-200"] = "host-e-200" in h
            have["run drop-in"] = (RUN_DROPINS / "50-blue.toml").exists()
            if not all(have.values()):
                return False, f"AddVpn returned after {took:.1f} s {p.stdout.strip()}; right after: {have}"
            try:
                n = wait_for(lambda: (lambda x: x if x.get("bgpState") == "Established" else None)(
                    lab.neighbor("host", F.BLUE_ROUTER_IP)), 120, what="host session over VPN blue")
            except TimeoutError as e:
                return False, f"{e}; {session_story(lab, 'blue', F.BLUE_ROUTER_IP, F.BLUE_HOST_IP)}"
            route = wait_for(lambda: vrf_route("", "", F.BLUE_REMOTE_PREFIX), 60,
                             what=f"host kernel learns {F.BLUE_REMOTE_PREFIX}")
            took_ping = wait_answers(BLUE_REMOTE, 60)
            ok, summary = ping_once("", BLUE_REMOTE, count=3)
            return ok, (f"AddVpn {p.stdout.strip()} returned after {took:.1f} s with {have}; host "
                        f"session {n.get('bgpState')}; host route {F.BLUE_REMOTE_PREFIX} via "
                        f"{route.get('gateway')} dev {route.get('dev')}; {BLUE_REMOTE} answered after "
                        f"{took_ping:.1f} s more; {summary}")
        # bgpd's neighbour events on both ends of the host sessions, into the kept logs: a session
        # that does not come up (once seen for blue, not reproduced since) says why.
        for side, d in (("router", lab.router_frr_dir), ("host", lab.host.dir)):
            run(["vtysh", "--vty_socket", str(d), "-c", "debug bgp neighbor-events", "-c",
                 "configure terminal", "-c", f"log file {d / 'frr.log'} debugging"], check=False)
        rounds = blue_rounds()
        if rounds:
            # Stress mode (run.sh PEROUTER_QEMU_BLUE_ROUNDS): the L3VNI add and removal, again
            # and again, and nothing else (remove_blue is defined below).
            self.r.check("runtime-addvpn-l3vni-blue-traffic-1", add_blue)
        else:
            self.r.check("runtime-addvpn-l3vni-blue-traffic", add_blue)

        def remove_blue():
            t0 = time.monotonic()
            p = busctl("call", DEST, OBJ, MANAGER, "RemoveVpn", "s", "blue")
            took = time.monotonic() - t0
            r, h = router_links(), links("")
            left = [n for n in ("blue", "br-pe-200", "vni200", "pe-e-200") if n in r]
            left += [n for n in ("host-e-200",) if n in h]
            dropin = (RUN_DROPINS / "50-blue.toml").exists()
            # Traffic stops because the fabric forgets the node's host route in VRF blue (a ping
            # after the host link is gone would fail whatever happened in the fabric).
            try:
                wait_for(lambda: not leaf_has("blue", f"{F.BLUE_HOST_IP}/32"), 60, interval=0.5,
                         what=f"leaf VRF blue withdraws {F.BLUE_HOST_IP}/32")
                withdrawn = time.monotonic() - t0
            except TimeoutError:
                withdrawn = None
            vpns = [v.get("name") for v in describe().get("vpns", [])]
            ok = (p.returncode == 0 and not left and not dropin and withdrawn is not None
                  and "blue" not in vpns)
            return ok, (f"RemoveVpn exit {p.returncode} after {took:.1f} s {p.stderr.strip()}; left "
                        f"behind: {left or 'nothing'}; drop-in still there: {dropin}; leaf VRF blue "
                        f"withdrew {F.BLUE_HOST_IP}/32: "
                        f"{f'after {withdrawn:.1f} s' if withdrawn is not None else 'NO (60 s)'}; "
                        f"VPNs now {vpns}")
        if rounds:
            self.r.check("runtime-removevpn-l3vni-blue-gone-1", remove_blue)
            for i in range(2, rounds + 1):
                self.r.check(f"runtime-addvpn-l3vni-blue-traffic-{i}", add_blue)
                self.r.check(f"runtime-removevpn-l3vni-blue-gone-{i}", remove_blue)
            return
        self.r.check("runtime-removevpn-l3vni-blue-gone", remove_blue)

        dropin = ETC_DROPINS / "60-l2-120.toml"

        def add_l2():
            t0 = time.monotonic()
            write_atomic(dropin, l2_toml("l2-120", 120))
            wait_for(lambda: "vni120" in router_links() and "br-hs-120" in links(""), 90,
                     what="vni120 and br-hs-120 from the drop-in")
            took = time.monotonic() - t0
            run(["ip", "addr", "add", fabric.L2_RUNTIME_HOST_CIDR, "dev", "br-hs-120"])
            took_ping = wait_answers(L2_REMOTE, 60)
            ok, summary = ping_once("", L2_REMOTE, count=3)
            return ok, (f"{dropin} written: vni120 and br-hs-120 after {took:.1f} s (inotify); "
                        f"{L2_REMOTE} over VNI 120 answered after {took_ping:.1f} s more; {summary}")
        self.r.check("runtime-dropin-l2vni-traffic", add_l2)

        def remove_l2():
            t0 = time.monotonic()
            dropin.unlink(missing_ok=True)
            try:
                wait_for(lambda: not ({"vni120", "br-pe-120"} & set(router_links()))
                         and "br-hs-120" not in links("") and "host-e-120" not in links(""), 90,
                         what="VNI 120 objects removed")
            except TimeoutError as e:
                return False, str(e)
            took = time.monotonic() - t0
            # The router's VTEP must leave the leaf's flood list for VNI 120 (its type-3 route
            # withdrawn); a ping after br-hs-120 is gone would fail whatever the fabric did.
            try:
                wait_for(lambda: perlab.ROUTER_VTEP not in lab.remote_vteps("leaf", 120), 60,
                         interval=0.5, what="leaf drops the router's VTEP from VNI 120")
                left_vtep = time.monotonic() - t0
            except TimeoutError:
                left_vtep = None
            vteps = lab.remote_vteps("leaf", 120)
            vpns = [v.get("name") for v in describe().get("vpns", [])]
            return (left_vtep is not None and "l2-120" not in vpns,
                    f"{dropin} removed: br-pe-120, vni120, host-e-120, br-hs-120 gone after {took:.1f} s; "
                    f"router VTEP {perlab.ROUTER_VTEP} left the leaf's VNI 120 remote VTEPs "
                    f"{f'after {left_vtep:.1f} s' if left_vtep is not None else 'NO (60 s)'} "
                    f"(now {vteps}); VPNs now {vpns}")
        self.r.check("runtime-dropin-l2vni-removed", remove_l2)

    # faults

    def wait_api(self, timeout: float) -> float:
        return wait_answers(API, timeout)

    def faults(self) -> None:
        lab = self.lab

        def frr_kill():
            self.wait_api(60)
            before = data_plane()
            pids = unit_pids(FRR_UNIT)
            zebra0 = zebra_pid()
            samples: list[dict] = []
            sample_errors: list[str] = []
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    try:
                        samples.append(data_plane())
                    except Exception as e:  # noqa: BLE001 - counted: a blind window must fail
                        sample_errors.append(f"{type(e).__name__}: {e}")
                    stop.wait(0.5)
            watcher = threading.Thread(target=sample, daemon=True)
            pinger = Pinger("", API, interval=0.2).start()
            pinger.wait_replies(3, 30)
            watcher.start()
            t0 = time.monotonic()
            p = systemctl("kill", "--signal=SIGKILL", FRR_UNIT)
            wait_for(lambda: not any(Path(f"/proc/{x}").exists() for x in pids), 30,
                     what="every FRR process of the unit killed")
            t_dead = time.monotonic() - t0

            def back():
                z = zebra_pid()
                return (z and z != zebra0 and Path(f"/proc/{z}").exists()
                        and pid_netns(z) == netns_inode(NETNS)
                        and (vrf_route(NETNS, "red", F.RED_REMOTE_PREFIX) or {}).get("protocol") == "bgp"
                        and lab.leaf_session().get("bgpState") == "Established")
            try:
                wait_for(back, 180, interval=0.5, what="FRR back with the VRF red route and the underlay")
                t_routes = time.monotonic() - t0
                self.wait_api(60)
                t_traffic = time.monotonic() - t0
            finally:
                stop.set()
                watcher.join(5)
                res = pinger.stop()
            changed = [s for s in samples if s != before]
            after = data_plane()
            # The window must have been watched: samples taken, and no look that failed.
            ok = (p.returncode == 0 and not changed and after == before and all(before.values())
                  and len(samples) >= 3 and not sample_errors)
            return ok, (f"killed {len(pids)} processes of {FRR_UNIT} (pids {pids}); all dead after "
                        f"{t_dead:.1f} s; FRR back (new zebra {zebra_pid()}) with the VRF red route and the "
                        f"underlay after {t_routes:.1f} s, {API} answering after {t_traffic:.1f} s; ping "
                        f"meanwhile: {res}; data plane {before} sampled {len(samples)} times, changed in "
                        f"{len(changed)} samples{': ' + str(changed[:2]) if changed else ''}, failed reads "
                        f"{len(sample_errors)}{': ' + str(sample_errors[:2]) if sample_errors else ''}; "
                        f"after {after}")
        self.r.check("fault-frr-kill9-recovers-data-plane-untouched", frr_kill)

        def restart():
            self.wait_api(60)
            wait_for(lambda: lab.leaf_session().get("bgpState") == "Established", 60, what="underlay up")
            before, session0, pid0 = data_plane(), lab.session_identity(), int(show(UNIT, "MainPID")["MainPID"])
            pinger = Pinger("", API, interval=0.1).start()
            try:
                pinger.wait_replies(10, 30)
                t0 = time.monotonic()
                p = systemctl("restart", UNIT, timeout=200)
                took = time.monotonic() - t0
                time.sleep(5)
            finally:
                res = pinger.stop()
            pid1 = int(show(UNIT, "MainPID")["MainPID"])
            after, session1 = data_plane(), lab.session_identity()
            ok = (p.returncode == 0 and pid1 not in (0, pid0) and res.lost <= 1 and res.received > 20
                  and before == after and session0 == session1)
            return ok, (f"systemctl restart exit {p.returncode} after {took:.1f} s, pid {pid0} -> {pid1}; "
                        f"ping every 0.1 s to {API}: {res}; data plane unchanged {before == after}; leaf "
                        f"session {session0} -> {session1}")
        self.r.check("fault-perouterd-restart-no-lost-pings", restart)

        def netns_deleted():
            self.wait_api(60)
            old = netns_inode(NETNS)
            zebra0 = zebra_pid()
            seen_in_host: list[float] = []
            t0 = time.monotonic()
            p = run(["ip", "netns", "delete", NETNS], check=False)
            stop = threading.Event()

            def watch_nic():  # the physical NIC comes back to the host namespace when the old one dies
                while not stop.is_set():
                    try:
                        if "toswitch" in links(""):
                            seen_in_host.append(time.monotonic() - t0)
                            return
                    except Exception:  # noqa: BLE001
                        pass
                    stop.wait(0.3)
            watcher = threading.Thread(target=watch_nic, daemon=True)
            watcher.start()
            try:
                wait_for(lambda: netns_inode(NETNS) not in (None, old), 90, interval=0.3,
                         what="a new router namespace")
                t_ns = time.monotonic() - t0
                wait_for(lambda: addresses(NETNS, "toswitch") == [f"{F.NODE_UNDERLAY_IP}/24"], 180,
                         interval=0.5, what="toswitch in the new namespace with its saved address")
                t_nic = time.monotonic() - t0
                wait_for(lambda: (lambda z: z and z != zebra0 and pid_netns(z) == netns_inode(NETNS))(
                    zebra_pid()), 120, interval=0.5, what="FRR running in the new namespace")
                wait_for(lambda: lab.leaf_session().get("bgpState") == "Established", 120, interval=0.5,
                         what="underlay Established again")
                t_bgp = time.monotonic() - t0
                self.wait_api(120)
            finally:
                stop.set()
                watcher.join(2)
            r = router_links()
            have = {n: n in r for n in ("red", "br-pe-100", "vni100", "pe-e-100")}
            default = [x for x in routes("", "default") if x.get("dev") == "host-e-100"]
            ok = p.returncode == 0 and all(have.values()) and bool(default)
            return ok, (f"ip netns delete exit {p.returncode}; new namespace after {t_ns:.1f} s; NIC back in "
                        f"the host namespace {f'after {seen_in_host[0]:.1f} s' if seen_in_host else 'not seen'}, in "
                        f"the new namespace with 192.168.11.3/24 after {t_nic:.1f} s; underlay Established "
                        f"after {t_bgp:.1f} s; {API} answering at {time.monotonic() - t0:.1f} s; VPN red "
                        f"objects {have}; host default {[(x.get('gateway'), x.get('dev')) for x in default]}")
        self.r.check("fault-router-netns-deleted-rebuilt", netns_deleted)

    # reboot

    def prepare_reboot(self) -> None:
        def prepare():
            p1 = busctl("call", DEST, OBJ, MANAGER, "AddVpn", "ssb", "blue", BLUE_TOML, "true")
            write_atomic(ETC_DROPINS / "60-l2-120.toml", l2_toml("l2-120", 120))
            p2 = busctl("call", DEST, OBJ, MANAGER, "AddVpn", "ssb", "l2-130", l2_toml("l2-130", 130), "false")
            write_atomic(RUN_DROPINS / "61-l2-140.toml", l2_toml("l2-140", 140))
            wait_for(lambda: {"vni200", "vni120", "vni130", "vni140"} <= set(router_links()), 120,
                     what="all four VPNs applied")
            files = {str(f): f.exists() for f in (ETC_DROPINS / "50-blue.toml", ETC_DROPINS / "60-l2-120.toml",
                                                  RUN_DROPINS / "50-l2-130.toml", RUN_DROPINS / "61-l2-140.toml")}
            # R9: boot 2 starts with this malformed persisted drop-in.
            write_atomic(BROKEN_DROPIN, BROKEN_DROPIN_TEXT)
            run(["sync"])
            ok = p1.returncode == 0 and p2.returncode == 0 and all(files.values())
            return ok, (f"AddVpn blue persist=true exit {p1.returncode}, AddVpn l2-130 persist=false exit "
                        f"{p2.returncode} {p1.stderr.strip()} {p2.stderr.strip()}; drop-ins {files}; "
                        f"vni200, vni120, vni130, vni140 all in the router")
        self.r.check("reboot-prepare-persistent-and-volatile-vpns", prepare)

    def after_reboot(self) -> None:
        def persisted():
            r, h = router_links(), links("")
            have = {n: n in r for n in ("blue", "vni200", "pe-e-200", "vni120", "br-pe-120")}
            have.update({n: n in h for n in ("host-e-200", "br-hs-120")})
            files = {f.name: f.exists() for f in (ETC_DROPINS / "50-blue.toml", ETC_DROPINS / "60-l2-120.toml")}
            vpns = {v.get("name"): v.get("state") for v in describe().get("vpns", [])}
            if not (all(have.values()) and all(files.values())):
                return False, f"objects {have}; drop-ins {files}; VPNs {vpns}"
            run(["ip", "addr", "add", fabric.L2_RUNTIME_HOST_CIDR, "dev", "br-hs-120"])
            took = wait_answers(L2_REMOTE, 60)
            wait_for(lambda: leaf_has("blue", f"{F.BLUE_HOST_IP}/32"), 60,
                     what=f"leaf VRF blue learns {F.BLUE_HOST_IP}/32")
            ok = vpns.get("blue") == "configured" and vpns.get("l2-120") == "configured"
            return ok, (f"after the reboot: objects {have}; drop-ins {files}; VPNs {vpns}; {L2_REMOTE} over "
                        f"VNI 120 answered after {took:.1f} s; leaf VRF blue has {F.BLUE_HOST_IP}/32 from "
                        f"the router")
        self.r.check("reboot-persisted-vpns-back", persisted)

        def volatile():
            r, h = router_links(), links("")
            present = [n for n in ("vni130", "br-pe-130", "vni140", "br-pe-140") if n in r]
            present += [n for n in ("br-hs-130", "host-e-130", "br-hs-140", "host-e-140") if n in h]
            files = sorted(str(f) for f in RUN_DROPINS.glob("*.toml"))
            vpns = [v.get("name") for v in describe().get("vpns", [])]
            ok = not present and not files and "l2-130" not in vpns and "l2-140" not in vpns and bool(vpns)
            return ok, (f"objects of l2-130/l2-140 present: {present or 'none'}; drop-ins in {RUN_DROPINS}: "
                        f"{files or 'none'}; VPNs {vpns}")
        self.r.check("reboot-volatile-vpns-gone", volatile)

    # R9: bad files at boot

    def failed_files(self) -> dict[str, str]:
        return {f.get("path"): f.get("state") for f in describe().get("failed_files", [])}

    def bad_dropin_at_boot(self) -> None:
        def left_out():
            d = describe()
            failed = {f.get("path"): f.get("state") for f in d.get("failed_files", [])}
            journal = run(["journalctl", "-b", "-u", UNIT, "--no-pager", "-o", "cat"], check=False).stdout
            where = f"{BROKEN_DROPIN}:3:7:"
            ok = (failed == {str(BROKEN_DROPIN): "left-out"} and not d.get("last_good")
                  and where in journal and d.get("online") is True)
            return ok, (f"booted with {BROKEN_DROPIN} malformed: failed files {failed}; last_good "
                        f"{d.get('last_good')}; journal names {where} {where in journal}; online "
                        f"{d.get('online')} (day 0 checks above ran on this boot)")
        self.r.check("r9-malformed-dropin-at-boot-left-out", left_out)

    def prepare_bad_main(self) -> None:
        def prepare():
            saved = Path("/var/lib/perouter/last-good.json")
            text = MAIN_FILE.read_text()
            write_atomic(MAIN_FILE, text + BROKEN_MAIN_TAIL)
            run(["sync"])
            ok = saved.exists() and "[underlay.broken" in MAIN_FILE.read_text()
            return ok, f"{MAIN_FILE} made invalid for boot 3; {saved} exists {saved.exists()}"
        self.r.check("r9-prepare-invalid-main-file", prepare)

    def bad_main_at_boot(self) -> None:
        def last_good():
            d = describe()
            failed = {f.get("path"): f.get("state") for f in d.get("failed_files", [])}
            journal = run(["journalctl", "-b", "-u", UNIT, "--no-pager", "-o", "cat"], check=False).stdout
            line = len(MAIN_FILE.read_text().splitlines())
            where = f"{MAIN_FILE}:{line}:"
            ok = (d.get("last_good") is True and failed.get(str(MAIN_FILE)) == "rejected"
                  and failed.get(str(BROKEN_DROPIN)) == "left-out" and where in journal
                  and "running its last good text" in journal and d.get("online") is True)
            return ok, (f"booted with {MAIN_FILE} invalid: last_good {d.get('last_good')}; failed files "
                        f"{failed}; journal names {where} {where in journal}; online {d.get('online')} "
                        f"(day 0 checks above ran on this boot)")
        self.r.check("r9-invalid-main-file-at-boot-runs-last-good", last_good)

    def end(self) -> None:
        def no_failed():
            f = failed_units()
            return not f, f"failed units: {f or 'none'}"
        self.r.check("no-failed-units", no_failed)


def perouterd_binary() -> str:
    exec_start = show(UNIT, "ExecStart").get("ExecStart", "")
    m = re.search(r"path=(\S+)", exec_start)
    return m.group(1) if m else "/usr/sbin/perouterd"


def diagnostics(directory: Path) -> None:
    def save(name: str, argv: list[str]) -> None:
        p = run(argv, check=False, timeout=120)
        (directory / name).write_text(p.stdout + p.stderr)
    save("journal.txt", ["journalctl", "-b", "--no-pager", "-o", "short-monotonic"])
    save("units.txt", ["systemctl", "status", "--no-pager", "-l", "-n", "20", UNIT, WAIT_UNIT, FRR_UNIT,
                       FABRIC_UNIT, KUBELET_UNIT])
    save("perouterd.log", ["journalctl", "-b", "--no-pager", "-o", "short-monotonic", "-u", UNIT])
    save("systemd-analyze.txt", ["systemd-analyze", "time"])
    save("blame.txt", ["systemd-analyze", "blame", "--no-pager"])
    for f, name in ((KUBELET_OUT, KUBELET_OUT.name),
                    (fabric.LABDIR / "frr" / "leaf" / "frr.log", "leaf-frr.log"),
                    (fabric.LABDIR / "frr" / "host" / "frr.log", "host-frr.log"),
                    (Path(f"/var/run/frr/{NETNS}/frr.log"), "router-frr.log")):
        if f.exists():
            (directory / name).write_text(f.read_text(errors="replace"))


def results_disk() -> Optional[str]:
    """The virtio disk that is not the root file system."""
    root = run(["findmnt", "-no", "SOURCE", "/"], check=False).stdout.strip()
    for d in sorted(Path("/dev").glob("vd?")):
        if str(d) != root and not root.startswith(str(d)):
            return str(d)
    return None


def blue_rounds() -> int:
    """perouter.blue_rounds=N on the kernel command line (run.sh PEROUTER_QEMU_BLUE_ROUNDS): boot 1
    only adds and removes the L3VNI blue N times, for hunting a rare failure of that path."""
    m = re.search(r"perouter\.blue_rounds=(\d+)", Path("/proc/cmdline").read_text())
    return int(m.group(1)) if m else 0


def lab_only() -> Optional[str]:
    """perouter.lab=MODULE on the kernel command line (run.sh PEROUTER_QEMU_LAB): boot 1 runs that
    one lab test file after day 0, for working on it; not the tier."""
    m = re.search(r"perouter\.lab=(test_\w+)", Path("/proc/cmdline").read_text())
    return m.group(1) if m else None


def main() -> int:
    m = re.search(r"perouter\.boot=(\d+)", Path("/proc/cmdline").read_text())
    boot = int(m.group(1)) if m else 1
    report = Report(RESULTS, console="PEROUTER: ", name_prefix="" if boot == 1 else f"boot{boot}-")
    uptime = Path("/proc/uptime").read_text().split()[0]
    report.line(f"START boot={boot} uptime={uptime} kernel={os.uname().release}")
    tier = Tier(report, boot)
    try:
        tier.machine()
        tier.day0()
        if boot == 1 and lab_only():
            module = lab_only()
            tier.r.check(f"integration-lab-only-{module}", tier.lab_test(module, 1, 1200))
        elif boot == 1 and blue_rounds():
            tier.runtime()
        elif boot == 1:
            tier.rebuilds(REBUILD_ROUNDS)
            tier.integration()
            tier.runtime()
            tier.faults()
            tier.prepare_reboot()
        elif boot == 2:
            tier.bad_dropin_at_boot()
            tier.after_reboot()
            tier.prepare_bad_main()
        else:
            tier.bad_main_at_boot()
            tier.after_reboot()
        tier.end()
    except Exception as e:  # noqa: BLE001 - reported as a failure, never a silent stop
        report.failed += 1
        report.line(f"FAIL {report.prefix}payload: {type(e).__name__}: {e}")
    finally:
        (RESULTS / "timings.json").write_text(json.dumps(report.times, indent=1))
        report.line(f"END boot={boot} pass={report.passed} fail={report.failed} "
                    f"uptime={Path('/proc/uptime').read_text().split()[0]}")
        try:
            diagnostics(RESULTS)
        except Exception as e:  # noqa: BLE001
            print(f"diagnostics: {e}", flush=True)
        disk = results_disk()
        if disk:
            p = run(["tar", "-C", str(RESULTS), "-cf", disk, "."], check=False)
            run(["sync"], check=False)
            print(f"PEROUTER: results written to {disk} (tar exit {p.returncode})", flush=True)
        else:
            print("PEROUTER: no results disk found", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
