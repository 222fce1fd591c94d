"""Teardown: `perouterd --teardown` removes everything it owns and gives the underlay NIC back to
the host with its addresses and routes."""

import re
import signal
import unittest

from labcase import F, LabTestCase
from perlab import addresses, links, netns_exists, pid_alive, ping_once, routes


class TeardownTest(LabTestCase):
    PREFIX = "plt8"

    def test_1_teardown_restores_host(self):
        lab = self.lab
        self.wait_established()
        frr = lab.router_frr_pids()
        self.assertTrue(frr, "no router FRR processes found before teardown")
        self.assertEqual(lab.stop_node(signal.SIGTERM), 0)
        p = lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"--teardown exit {p.returncode}:\n{p.stdout}{p.stderr}")

        self.wait(lambda: not netns_exists(lab.router_ns), 10, "router namespace deleted")
        self.wait(lambda: not any(pid_alive(pid) for pid in frr), 10, f"router FRR processes {frr} gone")
        h = links(lab.host_ns)
        self.assertIn("toswitch", h, "underlay NIC not back in the host namespace")
        self.assertIn("UP", h["toswitch"]["flags"])
        self.assertEqual(addresses(lab.host_ns, "toswitch"), [f"{F.NODE_UNDERLAY_IP}/24"])
        gws = [(r.get("gateway"), r.get("dev")) for r in routes(lab.host_ns, "default")]
        self.assertIn((F.LEAF_UNDERLAY_IP, "toswitch"), gws, f"default routes {gws}")
        leftovers = [n for n in h if re.match(r"^(host-e-\d+|br-hs-\d+|pt-host)$", n)]
        self.assertEqual(leftovers, [], "perouterd objects left in the host namespace")
        ok, summary = ping_once(lab.host_ns, F.LEAF_UNDERLAY_IP, count=2)
        self.assertTrue(ok, f"underlay does not work after teardown: {summary}")

    def test_2_teardown_again_is_harmless(self):
        p = self.lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"second --teardown exit {p.returncode}:\n{p.stdout}{p.stderr}")
        self.assertIn("toswitch", links(self.lab.host_ns))
        self.assertEqual(addresses(self.lab.host_ns, "toswitch"), [f"{F.NODE_UNDERLAY_IP}/24"])


if __name__ == "__main__":
    unittest.main()
