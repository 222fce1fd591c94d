"""L3VNI 100 in VRF red with default_gateway: the host reaches the leaf's VRF network through its
default route over VNI 100 (EVPN type-5). Needs kernel VRF support."""

import unittest

from labcase import F, LabTestCase, perlab
from perlab import addresses, ip_json, links, ping_once, routes


class L3VniTest(LabTestCase):
    PREFIX = "plt4"
    SCENARIO = "l3"

    def test_router_objects(self):
        r = links(self.lab.router_ns)
        self.assertEqual(r["red"]["linkinfo"]["info_kind"], "vrf")
        self.assertEqual(r["br-pe-100"].get("master"), "red")
        self.assertEqual(r["vni100"].get("master"), "br-pe-100")
        d = r["vni100"]["linkinfo"]["info_data"]
        self.assertEqual((d.get("id"), d.get("local"), d.get("port")), (100, perlab.ROUTER_VTEP, 4789))
        self.assertEqual(r["pe-e-100"].get("master"), "red")
        self.assertEqual(addresses(self.lab.router_ns, "pe-e-100"), [f"{F.RED_ROUTER_IP}/24"])
        self.assertEqual(addresses(self.lab.host_ns, "host-e-100"), [f"{F.RED_HOST_IP}/24"])
        underlay = r["toswitch"]["mtu"]
        self.assertEqual(r["pe-e-100"]["mtu"], underlay - 50)
        self.assertEqual(links(self.lab.host_ns)["host-e-100"]["mtu"], underlay - 50)

    def test_host_session_and_type5(self):
        self.wait(lambda: self.lab.neighbor("host", F.RED_ROUTER_IP).get("bgpState") == "Established",
                  30, "host FRR: neighbor 192.169.10.1 (VRF red) Established")

        def host_learned():
            r = routes(self.lab.host_ns, F.RED_REMOTE_PREFIX)
            return r and r[0].get("protocol") == "bgp" and r[0]
        self.wait(host_learned, 30, "host kernel: 192.168.20.0/24 learned over the red session")

        def leaf_learned():
            r = routes(self.lab.leaf_ns, "vrf", "red", f"{F.RED_HOST_IP}/32")
            return r and r[0].get("protocol") == "bgp"
        self.wait(leaf_learned, 30, "leaf VRF red: 192.169.10.2/32 as a type-5 route from the router")

    def test_host_reaches_remote_through_default_route(self):
        def default_via_red():
            d = routes(self.lab.host_ns, "default")
            return [x for x in d if x.get("gateway") == F.RED_ROUTER_IP]
        d = self.wait(default_via_red, 30, "host default route via 192.169.10.1")
        self.assertEqual(d[0].get("dev"), "host-e-100")
        self.wait(lambda: ping_once(self.lab.host_ns, perlab.RED_REMOTE_IP, count=1)[0], 30,
                  "host pings 192.168.20.20 through VNI 100")
        ok, summary = ping_once(self.lab.host_ns, perlab.RED_REMOTE_IP, count=5)
        self.assertTrue(ok, summary)
        got = ip_json(self.lab.host_ns, "route", "get", perlab.RED_REMOTE_IP)
        self.assertEqual(got[0].get("dev"), "host-e-100", f"route get: {got}")


if __name__ == "__main__":
    unittest.main()
