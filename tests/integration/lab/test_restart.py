"""Restart: perouterd exits on SIGTERM/SIGINT without tearing anything down, and a new perouterd
adopts the running router without losing traffic, recreating links or resetting sessions."""

import signal
import unittest

from labcase import LabTestCase, perlab
from perlab import Pinger, links, netns_exists


class RestartTest(LabTestCase):
    PREFIX = "plt6"

    def restart_under_ping(self, sig: int) -> None:
        self.wait_established()
        self.wait_l2_ping()
        before = self.lab.snapshot()
        frr = self.lab.router_frr_pids()
        with Pinger(self.lab.host_ns, perlab.L2_REMOTE_IP, interval=0.05) as ping:
            ping.wait_replies(20)
            self.assertEqual(self.lab.stop_node(sig), 0, f"perouterd exit code on signal {sig}")
            # Nothing was torn down while no daemon runs.
            self.assertTrue(netns_exists(self.lab.router_ns), "router namespace deleted on exit")
            self.assertIn("toswitch", links(self.lab.router_ns), "underlay NIC moved back on exit")
            self.assertTrue(frr and all(p in self.lab.router_frr_pids() for p in frr),
                            f"router FRR stopped on exit (pids before {frr})")
            n = ping.replies()
            self.lab.start_node()
            ping.wait_replies(n + 20)
            result = ping.stop()
        self.assertLessEqual(result.lost, 1, f"ping across the restart: {result}")
        self.assertSnapshotEqual(before, self.lab.snapshot(), "after restart")

    def test_sigterm_restart(self):
        self.restart_under_ping(signal.SIGTERM)

    def test_sigint_restart(self):
        self.restart_under_ping(signal.SIGINT)


if __name__ == "__main__":
    unittest.main()
