"""Idempotence: on a converged router `--diff` plans nothing and `--once` changes nothing."""

import signal
import unittest

from labcase import LabTestCase, perlab
from perlab import Pinger


class IdempotenceTest(LabTestCase):
    PREFIX = "plt5"

    def test_1_diff_is_empty_after_ready(self):
        self.wait_established()
        p = self.lab.node_cmd("--diff")
        self.assertEqual(p.returncode, 0, f"--diff exit {p.returncode}; planned:\n{p.stdout}{p.stderr}")

    def test_2_once_changes_nothing(self):
        self.wait_established()
        self.wait_l2_ping()
        # The running daemon exits without touching anything; --once then must adopt it all.
        self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0, "perouterd exit code on SIGTERM")
        before = self.lab.snapshot()
        with Pinger(self.lab.host_ns, perlab.L2_REMOTE_IP) as ping:
            ping.wait_replies(10)
            p = self.lab.node_cmd("--once")
            self.assertEqual(p.returncode, 0, f"--once exit {p.returncode}:\n{p.stdout}{p.stderr}")
            # Watch traffic for another ~2 s: a reset session or flapped link would show by then.
            ping.wait_replies(ping.replies() + 40)
            result = ping.stop()
        self.assertLessEqual(result.lost, 1, f"ping during --once: {result}")
        self.assertSnapshotEqual(before, self.lab.snapshot(), "after --once")
        p = self.lab.node_cmd("--diff")
        self.assertEqual(p.returncode, 0, f"--diff after --once exit {p.returncode}:\n{p.stdout}{p.stderr}")


if __name__ == "__main__":
    unittest.main()
