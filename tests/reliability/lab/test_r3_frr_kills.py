"""R3: FRR killed with SIGKILL in the router namespace, over and over, under traffic.

Rounds cycle bgpd, zebra, bgpd, zebra, all daemons (watchfrr first, then the rest, so the whole
instance is gone and perouterd must start it: src/daemon/router.cpp check_health). After every
round the test waits, with deadlines, until
  - the killed daemons run again under new pids,
  - perouterd logged that it pushed its configuration again (router.cpp: "FRR daemons restarted;
    pushing the configuration again", or "starting FRR instance" when watchfrr was killed too),
  - the leaf's underlay session to the node is Established,
  - the EVPN type-3 routes are back both ways (the leaf has the router's VTEP 100.65.0.0 as a
    remote VTEP of VNI 110, the router has the leaf's 100.64.0.1),
  - pings from the host's br-hs-110 to the remote workload over VNI 110 get answers again.
A ping every 100 ms runs across the whole test; each kill's outage must end (the pings come
back) and stay under MAX_LOST_PER_KILL.

The router runs with BGP graceful restart (`[underlay.graceful_restart]`, rendered by
src/frr/render.cpp render_underlay as `bgp graceful-restart` + `preserve-fw-state`; the leaf of
tests/lab/lab_frr.py is a helper, FRR's default), the best configuration perouter offers for this.
It is not enough with FRR 8.4 for "no ping lost" (tests/reliability/RESULTS.md, R3): the
GR capability covers IPv4 unicast only, not l2vpn evpn (the leaf's gracefulRestartInfo lists
ipv4Unicast alone), so when the session drops the leaf removes its FDB entries towards the router
at once; when bgpd dies the router's zebra removes the remote VTEP/MACs of VNI 110 too; and when
zebra dies watchfrr restarts bgpd with it, which drops the session. Every kill costs the path
for the restart plus session set-up (mostly 8-10 s, up to 20 s). The figures are printed
before the assertion, which holds each kill to a bounded outage (MAX_LOST_PER_KILL) instead of
to none: zero loss needs EVPN graceful restart, which this FRR does not have.

PEROUTER_SOAK=1: 100 rounds instead of 20.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import unittest
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_TESTS / "lab"))
sys.path.insert(0, str(_TESTS / "integration" / "lab"))

from labcase import F, LabTestCase, perlab  # noqa: E402
from perlab import Pinger, pid_alive, read_pid_file  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
ROUNDS = 100 if SOAK else 20
# The bound on one kill's outage, in 100 ms pings: watchfrr's restart (4.7-6.5 s measured) plus
# the session and EVPN routes coming back (up to ~20 s measured under load), with room to spare.
MAX_LOST_PER_KILL = 300
CYCLE = ("bgpd", "zebra", "bgpd", "zebra", "all")
PUSHED = ("FRR daemons restarted; pushing the configuration again", "starting FRR instance")


class FrrKillsTest(LabTestCase):
    PREFIX = "rla"

    def pid_of(self, daemon: str) -> int | None:
        pid = read_pid_file(self.lab.router_frr_dir / f"{daemon}.pid")
        return pid if pid and pid_alive(pid) else None

    def comm(self, pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return "?"

    def vteps_back(self) -> bool:
        return (perlab.ROUTER_VTEP in self.lab.remote_vteps("leaf", 110)
                and F.LEAF_VTEP in self.lab.remote_vteps("router", 110))

    def kill(self, kind: str) -> dict[str, int]:
        """SIGKILL the round's victims; returns daemon name -> killed pid."""
        if kind == "all":
            victims = {self.comm(p): p for p in self.lab.router_frr_pids()}
            order = ["watchfrr"] + sorted(n for n in victims if n != "watchfrr")
        else:
            pid = self.pid_of(kind)
            self.assertTrue(pid, f"no running {kind} in the router namespace")
            victims, order = {kind: pid}, [kind]
        self.assertIn("zebra" if kind == "all" else kind, victims, f"victims {victims}")
        for name in order:
            if name in victims:
                os.kill(victims[name], signal.SIGKILL)
        return victims

    def test_frr_killed_repeatedly_under_ping(self):
        lab = self.lab
        self.wait_established(60)
        (lab.dropin_dir / "40-graceful-restart.toml").write_text("[underlay.graceful_restart]\n")
        lab.reload_node()
        self.wait(lambda: "bgp graceful-restart" in lab.vtysh("router", "show running-config"), 60,
                  "graceful restart in the router's running configuration")
        # FRR 8.4 negotiates the capability at OPEN only and keeps an established session as it
        # is: reset it once from the leaf's side.
        lab.vtysh("leaf", f"clear bgp {F.NODE_UNDERLAY_IP}")
        self.wait(lambda: (lab.leaf_session().get("bgpState") == "Established"
                           and lab.leaf_session().get("gracefulRestartInfo", {}).get("remoteGrMode")
                           == "Restart"), 60,
                  "the leaf's session to the router Established with the router's GR capability")
        self.wait_established(60)
        self.wait_l2_ping(60)
        self.wait(self.vteps_back, 60, "type-3 routes both ways before the first kill")
        kinds: dict[str, int] = {}
        lost_by_kind: dict[str, int] = {}
        per_kill: list[int] = []
        sessions_back = routes_back = pushes_seen = 0
        dropped0 = lab.session_identity().get("connectionsDropped") or 0
        worst = 0.0
        with Pinger(lab.host_ns, perlab.L2_REMOTE_IP, interval=0.1) as ping:
            ping.wait_replies(10, 30)
            for i in range(ROUNDS):
                kind = CYCLE[i % len(CYCLE)]
                kinds[kind] = kinds.get(kind, 0) + 1
                lost_before = len(ping.lost_so_far())
                offset = len(lab.node_log_text())
                t0 = time.monotonic()
                victims = self.kill(kind)
                what = f"round {i + 1} ({kind}, killed {victims})"
                self.wait(lambda: not any(pid_alive(p) for p in victims.values()), 30,
                          f"{what}: the killed pids are gone")
                for name, old in victims.items():
                    self.wait(lambda: self.pid_of(name) not in (None, old), 60,
                              f"{what}: {name} runs again under a new pid")
                self.wait(lambda: any(m in lab.node_log_text()[offset:] for m in PUSHED), 60,
                          f"{what}: perouterd pushes its configuration again")
                pushes_seen += 1
                self.wait(lambda: lab.leaf_session().get("bgpState") == "Established", 60,
                          f"{what}: leaf session to {F.NODE_UNDERLAY_IP} Established")
                sessions_back += 1
                self.wait(self.vteps_back, 60, f"{what}: EVPN type-3 routes back both ways")
                routes_back += 1
                n = ping.replies()
                ping.wait_replies(n + 5, 60)
                worst = max(worst, time.monotonic() - t0)
                lost = len(ping.lost_so_far()) - lost_before
                lost_by_kind[kind] = lost_by_kind.get(kind, 0) + lost
                per_kill.append(lost)
                if lost:
                    sys.stderr.write(f"R3 {what}: {lost} pings lost\n")
            result = ping.stop()
        dropped = (lab.session_identity().get("connectionsDropped") or 0) - dropped0
        sys.stderr.write(
            f"R3 (graceful restart on): {ROUNDS} kills ({', '.join(f'{k} {v}' for k, v in kinds.items())}), "
            f"config re-pushed {pushes_seen}/{ROUNDS}, sessions back {sessions_back}/{ROUNDS} "
            f"(leaf saw {dropped} drops), routes back {routes_back}/{ROUNDS}, "
            f"slowest recovery {worst:.1f} s, pings {result.transmitted} sent {result.lost} lost "
            f"(by kill: {', '.join(f'{k} {v}' for k, v in lost_by_kind.items())})\n")
        self.assertTrue(lab.node_running(), "perouterd exited")
        worst_kill = max(per_kill) if per_kill else 0
        self.assertLessEqual(worst_kill, MAX_LOST_PER_KILL,
                             f"pings lost by one FRR kill (at 100 ms): {per_kill}")


if __name__ == "__main__":
    unittest.main()
