"""A bad drop-in is rejected whole on SIGHUP (FILE:LINE:COL in the log, nothing changes); once it
is gone, reloads work again."""

import re
import unittest

from labcase import LabTestCase, perlab
from perlab import Pinger, links

BAD = """# an L2VNI with an invalid VNI (valid: 1..16777215)
[[l2vni]]
name = "bad"
vni = 0
"""
BAD_LINE = 4

GOOD = """[[l2vni]]
name = "l2-120"
vni = 120
host_master = { type = "linux-bridge", lifecycle = "managed" }
"""


class BadConfigTest(LabTestCase):
    PREFIX = "plt7"

    def test_bad_dropin_rejected_then_recovered(self):
        lab = self.lab
        self.wait_established()
        self.wait_l2_ping()
        bad = lab.dropin_dir / "90-bad.toml"
        # The file as perouterd names it: the full path under --root, or the path an operator
        # would see on a real system (/etc/perouter/...); either way the /etc drop-in.
        where = re.compile(r"(?<!\S)\S*/etc/perouter/perouter\.d/90-bad\.toml" + rf":{BAD_LINE}:\d+: \S")
        before = lab.snapshot()
        with Pinger(lab.host_ns, perlab.L2_REMOTE_IP) as ping:
            ping.wait_replies(10)
            bad.write_text(BAD)
            log_start = len(lab.node_log_text())
            lab.reload_node()
            line = self.wait(lambda: where.search(lab.node_log_text()[log_start:]), 20,
                             f"perouterd log names {bad}:{BAD_LINE}:COL")
            self.assertTrue(lab.node_running(), "perouterd exited on a bad config")
            ping.wait_replies(ping.replies() + 20)
            result = ping.stop()
        self.assertLessEqual(result.lost, 1, f"ping across the rejected reload: {result}")
        self.assertSnapshotEqual(before, lab.snapshot(), "after the rejected reload")

        p = lab.node_cmd("--check-config")
        self.assertEqual(p.returncode, 1, f"--check-config exit {p.returncode}:\n{p.stdout}{p.stderr}")
        printed = where.search(p.stdout + p.stderr)
        self.assertIsNotNone(printed, f"--check-config output lacks {bad}:{BAD_LINE}:COL:\n{p.stdout}{p.stderr}")
        self.assertEqual(printed.group(0), line.group(0), "daemon log and --check-config disagree")

        # Back to normal: without the bad file the config validates, the router matches it, and a
        # reload applies again (a new L2VNI appears, then goes when its drop-in goes).
        bad.unlink()
        lab.reload_node()
        p = lab.node_cmd("--check-config")
        self.assertEqual(p.returncode, 0, f"--check-config exit {p.returncode}:\n{p.stdout}{p.stderr}")
        self.wait(lambda: lab.node_cmd("--diff").returncode == 0, 20, "--diff exits 0 after recovery")
        self.assertTrue(lab.node_running())
        (lab.dropin_dir / "90-good.toml").write_text(GOOD)
        lab.reload_node()
        self.wait(lambda: "vni120" in links(lab.router_ns) and "host-e-120" in links(lab.host_ns),
                  20, "reload after recovery creates vni120 / host-e-120")
        (lab.dropin_dir / "90-good.toml").unlink()
        lab.reload_node()
        self.wait(lambda: "vni120" not in links(lab.router_ns) and "br-hs-120" not in links(lab.host_ns),
                  20, "reload removes vni120 / br-hs-120 again")
        self.assertSnapshotEqual(before, lab.snapshot(), "after add + remove of l2-120")
        self.wait_l2_ping()


if __name__ == "__main__":
    unittest.main()
