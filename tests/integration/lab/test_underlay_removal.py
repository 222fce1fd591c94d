"""Removing [underlay] from the configuration and reloading takes the router down the same way
--teardown does (NIC back with its saved addresses and routes); putting it back rebuilds it."""

import re
import unittest

from labcase import F, LabTestCase
from perlab import addresses, links, netns_exists, pid_alive, routes


class UnderlayRemovalTest(LabTestCase):
    PREFIX = "plt11"

    def test_remove_and_restore_underlay_by_reload(self):
        lab = self.lab
        self.wait_established()
        frr = lab.router_frr_pids()
        original = lab.config_file.read_text()
        lab.config_file.write_text("[node]\nindex = 0\n")
        lab.reload_node()

        self.assertFalse(netns_exists(lab.router_ns), "router namespace still there")
        # By the saved pids: with the namespace name gone, router_frr_pids() finds nothing anyway.
        self.assertTrue(frr, "no router FRR found before the reload")
        self.wait(lambda: not any(pid_alive(p) for p in frr), 30, f"router FRR {frr} stopped")
        h = links(lab.host_ns)
        self.assertIn("toswitch", h)
        self.assertEqual(addresses(lab.host_ns, "toswitch"), [f"{F.NODE_UNDERLAY_IP}/24"])
        gws = [(r.get("gateway"), r.get("dev")) for r in routes(lab.host_ns, "default")]
        self.assertIn((F.LEAF_UNDERLAY_IP, "toswitch"), gws, f"default routes {gws}")
        leftovers = [n for n in h if re.match(r"^(host-e-\d+|br-hs-\d+|pt-host)$", n)]
        self.assertEqual(leftovers, [], "perouterd objects left in the host namespace")
        self.assertTrue(lab.node_running(), "perouterd exited")

        lab.config_file.write_text(original)
        lab.reload_node()
        self.assertTrue(netns_exists(lab.router_ns))
        self.assertIn("toswitch", links(lab.router_ns), "underlay NIC not moved in again")
        self.wait_established(60)


if __name__ == "__main__":
    unittest.main()
