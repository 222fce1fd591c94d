"""L2VNI 110: host <-> remote over VXLAN, EVPN type-2 in the fdb, the kernel objects perouterd owns."""

import unittest

from labcase import F, LabTestCase, perlab
from perlab import bridge_json, links, ping_once


def vxlan(link):
    return link.get("linkinfo", {}).get("info_data", {})


def slave(link):
    return link.get("linkinfo", {}).get("info_slave_data", {})


HOST_V6 = "fd10:110::10"
REMOTE_V6 = "fd10:110::20"


def disable_ipv6(netns, link):
    return perlab.run(["ip", "netns", "exec", netns, "cat",
                       f"/proc/sys/net/ipv6/conf/{link}/disable_ipv6"]).stdout.strip()


class L2VniTest(LabTestCase):
    PREFIX = "plt2"

    def test_host_pings_remote_over_vxlan(self):
        self.wait_established()
        self.wait_l2_ping()
        ok, summary = ping_once(self.lab.host_ns, perlab.L2_REMOTE_IP, count=5)
        self.assertTrue(ok, summary)

    def test_host_pings_remote_over_ipv6_with_ipv6_off_on_the_ports(self):
        """IPv6 crosses the VNI although the bridge ports have none of their own: perouterd
        turns IPv6 off on them (a port hands every frame to its bridge); the bridges keep it."""
        self.wait_established()
        self.wait_l2_ping()
        perlab.run(["ip", "-n", self.lab.host_ns, "addr", "replace", f"{HOST_V6}/64", "dev",
                    "br-hs-110", "nodad"])
        perlab.run(["ip", "-n", self.lab.remote_ns, "addr", "replace", f"{REMOTE_V6}/64", "dev",
                    "rem-110", "nodad"])
        self.wait(lambda: ping_once(self.lab.host_ns, REMOTE_V6, count=1, timeout_s=0.5)[0], 30,
                  f"host pings {REMOTE_V6} over VNI 110")
        ok, summary = ping_once(self.lab.host_ns, REMOTE_V6, count=5)
        self.assertTrue(ok, summary)
        off = {(ns, name): disable_ipv6(ns, name)
               for ns, name in ((self.lab.router_ns, "vni110"), (self.lab.router_ns, "pe-e-110"),
                                (self.lab.host_ns, "host-e-110"), (self.lab.router_ns, "br-pe-110"),
                                (self.lab.host_ns, "br-hs-110"))}
        self.assertEqual(list(off.values()), ["1", "1", "1", "0", "0"], off)

    def test_remote_mac_in_router_fdb_and_host_mac_on_leaf(self):
        self.wait_established()
        self.wait_l2_ping()
        remote_mac = links(self.lab.remote_ns)["rem-110"]["address"]

        def router_entry():
            return [e for e in bridge_json(self.lab.router_ns, "fdb", "show", "dev", "vni110")
                    if e.get("mac") == remote_mac and e.get("dst") == F.LEAF_VTEP]
        entry = self.wait(router_entry, 15, f"router fdb: {remote_mac} dst 100.64.0.1 on vni110")
        self.assertIn("extern_learn", entry[0].get("flags", []), f"entry {entry[0]} not from EVPN")

        host_mac = links(self.lab.host_ns)["br-hs-110"]["address"]

        def leaf_entry():
            return [e for e in bridge_json(self.lab.leaf_ns, "fdb", "show", "dev", "vni110")
                    if e.get("mac") == host_mac and e.get("dst") == perlab.ROUTER_VTEP]
        entry = self.wait(leaf_entry, 15, f"leaf fdb: host MAC {host_mac} dst 100.65.0.0 (type-2 from the router)")
        self.assertIn("extern_learn", entry[0].get("flags", []))

    def test_router_objects(self):
        r = links(self.lab.router_ns)
        v = r["vni110"]
        d = vxlan(v)
        self.assertEqual(v["linkinfo"]["info_kind"], "vxlan")
        self.assertEqual((d.get("id"), d.get("local"), d.get("port"), d.get("learning")),
                         (110, perlab.ROUTER_VTEP, 4789, False), f"vni110 {d}")
        self.assertEqual(v.get("master"), "br-pe-110")
        self.assertEqual((slave(v).get("learning"), slave(v).get("neigh_suppress")), (False, True),
                         f"vni110 bridge port {slave(v)}")
        self.assertEqual(r["br-pe-110"]["linkinfo"]["info_kind"], "bridge")
        self.assertEqual(r["pe-e-110"]["linkinfo"]["info_kind"], "veth")
        self.assertEqual(r["pe-e-110"].get("master"), "br-pe-110")
        for name in ("vni110", "br-pe-110", "pe-e-110"):
            self.assertIn("UP", r[name]["flags"], f"{name} is down")

    def test_host_objects_and_mtu(self):
        r, h = links(self.lab.router_ns), links(self.lab.host_ns)
        self.assertEqual(h["br-hs-110"]["linkinfo"]["info_kind"], "bridge")
        self.assertEqual(h["host-e-110"]["linkinfo"]["info_kind"], "veth")
        self.assertEqual(h["host-e-110"].get("master"), "br-hs-110")
        for name in ("br-hs-110", "host-e-110"):
            self.assertIn("UP", h[name]["flags"], f"{name} is down")
        underlay = r["toswitch"]["mtu"]
        self.assertEqual(underlay, perlab.UNDERLAY_MTU)
        self.assertEqual(r["pe-e-110"]["mtu"], underlay - 50, "router leg MTU = underlay - 50")
        self.assertEqual(h["host-e-110"]["mtu"], underlay - 50, "host leg MTU = underlay - 50")


if __name__ == "__main__":
    unittest.main()
