"""R4: perouterd restarted over and over under traffic (SIGTERM, start again, READY=1).

perouterd exits on SIGTERM without tearing the router down and a new one adopts what exists
(src/daemon/service.cpp on_signal; README "Using it"). Across every restart:
  - a ping every 100 ms from the host's br-hs-110 to the remote workload over VNI 110 loses
    nothing,
  - the leaf's underlay session and the host's passthrough session are never reset (their
    established/dropped counters, perlab.Lab.session_identity / passthrough_identity), no link in
    the router or host namespace is recreated (ifindexes) and the namespace is the same one,
  - the adopted state needs no change: `perouterd --diff` exits 0 right after READY=1.
Failures are counted over all rounds and asserted at the end, after the figures are printed.

PEROUTER_SOAK=1: 100 restarts instead of 20.
"""

from __future__ import annotations

import os
import signal
import sys
import unittest
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_TESTS / "lab"))
sys.path.insert(0, str(_TESTS / "integration" / "lab"))

from labcase import LabTestCase, perlab  # noqa: E402
from perlab import Pinger  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
ROUNDS = 100 if SOAK else 20


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two Lab.snapshot()s (the identities a restart must keep)."""
    out = []
    for key in ("router_links", "host_links"):
        b, a = before[key], after[key]
        changed = {n: (b[n], a.get(n)) for n in b if a.get(n) != b[n]}
        added = sorted(set(a) - set(b))
        if changed or added:
            out.append(f"{key}: changed {changed} new {added}")
    for key in ("router_netns", "session", "passthrough_session"):
        if before[key] != after[key]:
            out.append(f"{key}: {before[key]} -> {after[key]}")
    return out


class RestartsTest(LabTestCase):
    PREFIX = "rlb"

    def test_restarted_repeatedly_under_ping(self):
        lab = self.lab
        self.wait_established(60)
        self.wait_l2_ping(60)
        before = lab.snapshot()
        self.assertEqual(before["session"].get("bgpState"), "Established")
        exit_codes: list = []
        diffs_clean = 0
        diff_failures: list[str] = []
        snapshot_failures: list[str] = []
        ready: list[float] = []
        with Pinger(lab.host_ns, perlab.L2_REMOTE_IP, interval=0.1) as ping:
            ping.wait_replies(10, 30)
            for i in range(ROUNDS):
                exit_codes.append(lab.stop_node(signal.SIGTERM))
                ready.append(lab.start_node())
                p = lab.node_cmd("--diff")
                if p.returncode == 0:
                    diffs_clean += 1
                else:
                    diff_failures.append(f"restart {i + 1}: --diff exit {p.returncode}:\n{p.stdout}{p.stderr}")
                n = ping.replies()
                ping.wait_replies(n + 5, 60)
                diff = changes(before, lab.snapshot())
                if diff:
                    snapshot_failures.append(f"restart {i + 1}: {'; '.join(diff)}")
            result = ping.stop()
        after = lab.snapshot()
        resets = ((after["session"].get("connectionsDropped") or 0)
                  - (before["session"].get("connectionsDropped") or 0))
        pt_resets = ((after["passthrough_session"].get("connectionsDropped") or 0)
                     - (before["passthrough_session"].get("connectionsDropped") or 0))
        sys.stderr.write(
            f"R4: {ROUNDS} restarts (exit codes {sorted(set(map(str, exit_codes)))}), "
            f"READY after {min(ready):.1f}-{max(ready):.1f} s, --diff clean {diffs_clean}/{ROUNDS}, "
            f"leaf session resets {resets}, passthrough session resets {pt_resets}, "
            f"rounds with changed identities {len(snapshot_failures)}, "
            f"pings {result.transmitted} sent {result.lost} lost\n")
        self.assertEqual(exit_codes, [0] * ROUNDS, "perouterd exit codes on SIGTERM")
        self.assertEqual(diff_failures, [], "\n".join(diff_failures[:3]))
        self.assertEqual(snapshot_failures, [], "\n".join(snapshot_failures[:5]))
        self.assertEqual(result.lost, 0, f"pings across {ROUNDS} restarts: {result}")


if __name__ == "__main__":
    unittest.main()
