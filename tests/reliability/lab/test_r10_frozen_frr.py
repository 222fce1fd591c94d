"""R10: FRR hangs (every daemon of the router's instance stopped with SIGSTOP, watchfrr too, so
nobody restarts them) while perouterd runs. perouterd's event loop must stay free: every
`perouterctl status` during the freeze answers (it asks over D-Bus, which the loop serves), and
the status stops claiming an established underlay once FRR's answer is overdue (the underlay
query runs as a child process with a 5 s timeout, src/daemon/async_process.hpp; two unanswered
queries keep the last answer's states, since a busy bgpd answers late, and the third in a row
counts as down: QueryMisses in src/daemon/underlay_sessions.hpp). After SIGCONT the sessions
come back and the status says so.

Before the fix, the tick's `vtysh -c 'show bgp neighbors json'` blocked the loop for up to its
120 s timeout and D-Bus callers timed out.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "lab"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from labcase import BusLabTestCase  # noqa: E402

# Long enough for a status read to find the last session answer stale (over 5 s old: perouterd
# asks FRR again, Service::refresh_if_stale(); nothing polls a settled underlay in the lab, which
# has no watchdog) and for three such queries' 5 s timeouts to pass: ~20 s.
FROZEN_SECONDS = 30
# A status call that takes longer than this failed: an idle loop answers in milliseconds, a
# loop blocked in vtysh would not answer for as long as FRR stays frozen.
CALL_TIMEOUT = 10


class FrozenFrrTest(BusLabTestCase):
    PREFIX = "rlg"

    def status(self) -> dict:
        p = self.ctl("--json", "status", timeout=CALL_TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return json.loads(p.stdout)

    def test_status_answers_while_frr_is_frozen(self):
        lab = self.lab
        self.wait_established()
        self.wait(lambda: self.status().get("underlay_state") == "established", 30,
                  "status: underlay established")
        pids = lab.router_frr_pids()
        self.assertTrue(pids, "no FRR daemons in the router namespace")
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)

        def thaw() -> None:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
        self.addCleanup(thaw)
        calls, slowest, states = 0, 0.0, set()
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < FROZEN_SECONDS:
                t = time.monotonic()
                s = self.status()  # raises on a timeout: the loop was blocked
                slowest = max(slowest, time.monotonic() - t)
                calls += 1
                states.add(s.get("underlay_state"))
                time.sleep(0.5)
        finally:
            thaw()
        self.assertTrue(states - {"established"},
                        f"status kept saying {states} although FRR did not answer for {FROZEN_SECONDS} s")
        self.wait_established(60)
        self.wait(lambda: self.status().get("underlay_state") == "established", 60,
                  "status: underlay established again after SIGCONT")
        print(f"R10 frozen FRR: {len(pids)} daemons stopped for {FROZEN_SECONDS} s; {calls} status calls "
              f"all answered, slowest {slowest:.2f} s; underlay states seen {sorted(states)}; "
              f"established again after SIGCONT", flush=True)


if __name__ == "__main__":
    unittest.main()
