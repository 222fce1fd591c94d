"""Passthrough: the host's BGP speaker learns the fabric's routes over pt-host/pt-ns and the
fabric learns the host's address."""

import unittest

from labcase import F, LabTestCase
from perlab import addresses, ping_once, routes


class PassthroughTest(LabTestCase):
    PREFIX = "plt3"

    def test_veth_addresses(self):
        self.assertEqual(addresses(self.lab.host_ns, "pt-host"), [f"{F.PT_HOST_IP}/24"])
        self.assertEqual(addresses(self.lab.router_ns, "pt-ns"), [f"{F.PT_ROUTER_IP}/24"])

    def test_host_learns_leaf_route_and_reaches_it(self):
        self.wait(lambda: self.lab.neighbor("host", F.PT_ROUTER_IP).get("bgpState") == "Established",
                  30, "host FRR: neighbor 192.169.20.1 Established")

        def learned():
            r = routes(self.lab.host_ns, f"{F.LEAF_ROUTE}/32")
            return r and r[0].get("protocol") == "bgp" and r[0]
        r = self.wait(learned, 30, "host ns kernel: 172.16.100.1/32 proto bgp")
        self.assertEqual((r.get("gateway"), r.get("dev")), (F.PT_ROUTER_IP, "pt-host"))
        # The way back (the leaf's route to 192.169.20.2) may arrive after ours; once one ping
        # is answered, every further one must be.
        self.wait(lambda: ping_once(self.lab.host_ns, F.LEAF_ROUTE, count=1, timeout_s=0.5)[0], 30,
                  "host pings 172.16.100.1 once")
        ok, summary = ping_once(self.lab.host_ns, F.LEAF_ROUTE, count=3)
        self.assertTrue(ok, f"host -> 172.16.100.1: {summary}")

    def test_leaf_learns_host_address(self):
        def learned():
            r = routes(self.lab.leaf_ns, f"{F.PT_HOST_IP}/32")
            return r and r[0].get("protocol") == "bgp" and r[0]
        r = self.wait(learned, 30, "leaf kernel: 192.169.20.2/32 proto bgp")
        self.assertEqual(r.get("gateway"), F.NODE_UNDERLAY_IP)


if __name__ == "__main__":
    unittest.main()
