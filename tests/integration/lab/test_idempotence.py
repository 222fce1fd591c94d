"""Idempotence: on a converged router `--diff` plans nothing, `--once` changes nothing, and a
reload whose files did not change applies nothing (no reconcile at all); one whose files did
applies them."""

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

    def test_3_a_reload_of_unchanged_files_applies_nothing(self):
        self.wait_established()
        if not self.lab.node_running():
            self.lab.start_node()
        log = self.lab.node_log
        start = log.stat().st_size
        self.lab.reload_node()
        text = log.read_text(errors="replace")[start:]
        self.assertIn("configuration files unchanged (reload): nothing to apply", text)
        self.assertNotIn("reconcile (reload)", text, f"the unchanged reload reconciled:\n{text}")
        # A changed file is applied by the next reload as before.
        dropin = self.lab.dropin_dir / "60-idem.toml"
        dropin.write_text("[[l2vni]]\nname = \"idem-130\"\nvni = 130\n")
        try:
            start = log.stat().st_size
            self.lab.reload_node()
            text = log.read_text(errors="replace")[start:]
            self.assertIn("reconcile (reload)", text)
            self.assertIn("vni130", perlab.links(self.lab.router_ns))
        finally:
            dropin.unlink()
            self.lab.reload_node()
        self.assertNotIn("vni130", perlab.links(self.lab.router_ns))


if __name__ == "__main__":
    unittest.main()
