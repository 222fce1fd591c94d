"""perouterctl against the running router (private system bus with the shipped policy):
wait-online, status, vpn add/list/remove with traffic, reload errors, diff drift, and perouterd
repairing a link someone else deleted (link events)."""

import json
import os
import signal
import sys
import time
import unittest
from pathlib import Path

from labcase import BusLabTestCase, add_leaf_l2vni
from perlab import links, ping_once, run

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

REMOTE_120 = "10.120.0.20"


class PerouterctlTest(BusLabTestCase):
    PREFIX = "plt15"

    @classmethod
    def setUpClass(cls) -> None:
        # As systemd would pass WatchdogSec=2s (without WATCHDOG_PID, any pid may ping).
        os.environ["WATCHDOG_USEC"] = "2000000"
        cls.addClassCleanup(os.environ.pop, "WATCHDOG_USEC", None)
        super().setUpClass()
        add_leaf_l2vni(cls.lab, 120, REMOTE_120)

    def test_1_wait_online_and_status(self):
        p = self.ctl("wait-online", "--timeout", "60")
        self.assertEqual(p.returncode, 0, p.stderr)
        # wait-online judges by the router's FRR; the leaf's view of the session follows.
        self.wait(lambda: self.lab.leaf_session().get("bgpState") == "Established", 30,
                  "leaf: session to the router Established")
        s = json.loads(self.ctl("--json", "status").stdout)
        self.assertTrue(s["online"])
        self.assertEqual(s["peers"], {"192.168.11.2": "Established"})
        human = self.ctl("status").stdout
        self.assertIn("192.168.11.2", human)
        self.assertIn("l2-110", human)

    def test_1b_watchdog_pings_within_the_timeout(self):
        # systemd kills the service when WATCHDOG_USEC passes without a ping; the interval the
        # daemon aims at (half of it) is not what matters, the largest gap is.
        limit = int(os.environ["WATCHDOG_USEC"]) / 1e6
        pid = self.lab.node_pid()
        t = time.monotonic()
        pings = self.wait(lambda: (lambda p: p if len(p) >= 4 else None)(
                              self.lab.notify.times("WATCHDOG=1", t, pid)),
                          30, "4 WATCHDOG=1 pings from perouterd")
        gaps = [b - a for a, b in zip([t] + pings, pings)]
        self.assertLess(max(gaps), limit,
                        f"a WATCHDOG=1 gap exceeds WATCHDOG_USEC ({limit} s): gaps {[round(g, 2) for g in gaps]}")

    def test_2_vpn_add_list_remove_with_traffic(self):
        p = self.ctl("vpn", "add", "l2-120", "--l2vni", "--vni", "120", "--host-bridge", "managed", "--persist")
        self.assertEqual(p.returncode, 0, p.stderr)
        persisted = self.lab.root / "etc" / "perouter" / "perouter.d" / "50-l2-120.toml"
        self.assertTrue(persisted.exists())
        names = self.ctl("vpn", "list", "--names").stdout.split()
        self.assertEqual(sorted(names), ["l2-110", "l2-120"])
        shown = json.loads(self.ctl("--json", "vpn", "show", "l2-120").stdout)
        self.assertEqual(shown["state"], "configured")
        run(["ip", "-n", self.lab.host_ns, "addr", "add", "10.120.0.10/24", "dev", "br-hs-120"])
        self.wait(lambda: ping_once(self.lab.host_ns, REMOTE_120, count=1, timeout_s=0.5)[0], 30,
                  "host pings 10.120.0.20 over VNI 120")
        self.wait_vni_advertised(120)

        self.assertEqual(self.ctl("vpn", "add", "l2-120", "--l2vni", "--vni", "121").returncode, 1)
        p = self.ctl("vpn", "remove", "l2-110")
        self.assertEqual(p.returncode, 1)
        self.assertIn("perouter.toml", p.stderr)  # where to edit it instead
        p = self.ctl("vpn", "remove", "l2-120")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(persisted.exists())
        self.assertNotIn("vni120", links(self.lab.router_ns))
        # Traffic to VNI 120 stops: the fabric no longer sends it to this router.
        self.wait_vni_withdrawn(120)

    def test_3_reload_and_validate_report_positions(self):
        bad = self.lab.dropin_dir / "85-bad.toml"
        bad.write_text('[[l2vni]]\nname = "x"\nvni = 0\n')
        try:
            p = self.ctl("reload")
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"{bad}:3:7:", p.stderr)
            self.assertEqual(p.stderr.count(f"{bad}:3:7:"), 1, p.stderr)
            v = self.ctl("validate", str(bad))
            self.assertEqual(v.returncode, 1)
            self.assertIn(":3:7:", v.stdout + v.stderr)
        finally:
            bad.unlink()
        self.assertEqual(self.ctl("reload").returncode, 0)
        cat = self.ctl("cat-config").stdout
        self.assertIn(f"# {self.lab.config_file}", cat)

    def test_4_diff_sees_drift_and_perouterd_repairs_it(self):
        self.assertEqual(self.ctl("diff", "--netns", self.lab.router_ns, "--host-netns", self.lab.host_ns).returncode, 0)
        # With perouterd stopped, a deleted link is drift that diff reports.
        self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0)
        run(["ip", "-n", self.lab.router_ns, "link", "del", "vni110"])
        p = self.ctl("diff", "--netns", self.lab.router_ns, "--host-netns", self.lab.host_ns)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("vni110", p.stdout)
        self.lab.start_node()
        self.assertIn("vni110", links(self.lab.router_ns))
        # While it runs, perouterd notices a link someone else deletes and puts it back.
        run(["ip", "-n", self.lab.router_ns, "link", "del", "vni110"])
        self.wait(lambda: "vni110" in links(self.lab.router_ns), 15, "perouterd recreates vni110")
        self.wait_l2_ping(30)


if __name__ == "__main__":
    unittest.main()
