"""Underlay: eBGP session node <-> leaf, VTEP routes, EVPN type-3 for the L2VNI."""

import unittest

from labcase import F, LabTestCase, perlab
from perlab import addresses, links, routes


class UnderlayTest(LabTestCase):
    PREFIX = "plt1"

    def test_session_established_on_both_sides(self):
        self.wait(lambda: self.lab.leaf_session().get("bgpState") == "Established", 30,
                  "leaf: neighbor 192.168.11.3 Established")
        n = self.lab.leaf_session()
        self.assertEqual(n["remoteAs"], F.ROUTER_ASN)
        self.assertEqual(n["remoteRouterId"], perlab.ROUTER_ID, "router-id derived from 10.0.0.0/24, index 0")
        self.wait(lambda: self.lab.neighbor("router", F.LEAF_UNDERLAY_IP).get("bgpState") == "Established",
                  30, "router: neighbor 192.168.11.2 Established")
        r = self.lab.neighbor("router", F.LEAF_UNDERLAY_IP)
        self.assertEqual(r["remoteAs"], F.LEAF_ASN)
        self.assertEqual(r["bgpTimerConfiguredHoldTimeMsecs"], 9000, "hold_time_seconds = 9")
        self.assertEqual(r["bgpTimerConfiguredKeepAliveIntervalMsecs"], 3000, "keepalive_time_seconds = 3")

    def test_underlay_nic_and_vtep_in_router_namespace(self):
        self.assertNotIn("toswitch", links(self.lab.host_ns), "toswitch left in the host namespace")
        self.assertIn(f"{F.NODE_UNDERLAY_IP}/24", addresses(self.lab.router_ns, "toswitch"))
        self.assertIn(f"{perlab.ROUTER_VTEP}/32", addresses(self.lab.router_ns, "lo"))

    def test_vtep_routes_exchanged(self):
        def router_has_leaf_vtep():
            r = routes(self.lab.router_ns, f"{F.LEAF_VTEP}/32")
            return r and r[0].get("protocol") == "bgp" and r[0]
        r = self.wait(router_has_leaf_vtep, 30, "router ns kernel: 100.64.0.1/32 proto bgp")
        self.assertEqual((r.get("gateway"), r.get("dev")), (F.LEAF_UNDERLAY_IP, "toswitch"))

        def leaf_has_router_vtep():
            r = routes(self.lab.leaf_ns, f"{perlab.ROUTER_VTEP}/32")
            return r and r[0].get("protocol") == "bgp" and r[0]
        r = self.wait(leaf_has_router_vtep, 30, "leaf kernel: 100.65.0.0/32 proto bgp")
        self.assertEqual((r.get("gateway"), r.get("dev")), (F.NODE_UNDERLAY_IP, "swp1"))

    def test_leaf_sees_type3_for_vni_110(self):
        rts = self.wait(lambda: self.lab.type3_routes("leaf").get(perlab.ROUTER_VTEP), 30,
                        "leaf BGP: type-3 route originated by 100.65.0.0")
        self.assertTrue(any(rt.endswith(":110") for rt in rts), f"type-3 RTs {rts} name no VNI 110")
        self.wait(lambda: perlab.ROUTER_VTEP in self.lab.remote_vteps("leaf", 110), 30,
                  "leaf zebra: 100.65.0.0 is a remote VTEP of VNI 110")

    def test_lab_check_with_the_node(self):
        # `perlab.py check` claims about what perouterd built (tests/lab/lab_checks.py, _node);
        # test_lab runs the lab without a node, so only here do those claims meet a router.
        results = self.lab.check(out=None, budget=120)
        failed = [r.line() for r in results if r.status == "FAIL"]
        self.assertEqual(failed, [], "\n".join(failed))
        claims = [r.claim for r in results if r.status == "PASS"]
        for want in ("perouterd running and READY", "leaf imported the router's EVPN type-3",
                     "EVPN type-2: remote MAC in the router's vni110 fdb",
                     "host learned the leaf route 172.16.100.1/32 via passthrough"):
            self.assertTrue(any(c.startswith(want) for c in claims), f"claim {want!r} not run: {claims}")


if __name__ == "__main__":
    unittest.main()
