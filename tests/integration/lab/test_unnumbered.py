"""BGP unnumbered underlay ([[underlay.neighbors]] interface = "toswitch"): the cable between
the node and the leaf carries no IPv4 address at all; the leaf peers over swp1 by IPv6
link-local address (`neighbor swp1 interface`), the VTEP routes travel as IPv4 routes with IPv6
next hops (RFC 5549), and VNI 110 carries pings."""

import json
import unittest

from labcase import F, LabTestCase, perlab


class UnnumberedTest(LabTestCase):
    PREFIX = "plt19"

    @classmethod
    def prepare(cls, lab):
        # The leaf: its numbered neighbor gone, one over swp1 instead.
        lab.leaf.apply(f"""router bgp {F.LEAF_ASN}
 no neighbor {F.NODE_UNDERLAY_IP}
 neighbor swp1 interface remote-as {F.ROUTER_ASN}
 neighbor swp1 timers 3 9
 neighbor swp1 timers connect 1
 address-family ipv4 unicast
  neighbor swp1 activate
 exit-address-family
 address-family l2vpn evpn
  neighbor swp1 activate
 exit-address-family
exit
""")
        # No IPv4 on the link: only link-local addresses remain.
        perlab.run(["ip", "-n", lab.leaf_ns, "addr", "del", f"{F.LEAF_UNDERLAY_IP}/24", "dev",
                    "swp1"])
        perlab.run(["ip", "-n", lab.host_ns, "addr", "del", f"{F.NODE_UNDERLAY_IP}/24", "dev",
                    "toswitch"])
        text = lab.config_file.read_text()
        numbered = f'address = "{F.LEAF_UNDERLAY_IP}"'
        assert numbered in text, "the lab configuration changed; adjust this test"
        lab.config_file.write_text(text.replace(numbered, 'interface = "toswitch"'))

    def test_unnumbered_session_carries_evpn(self):
        self.wait(lambda: self.lab.neighbor("leaf", "swp1").get("bgpState") == "Established", 60,
                  "leaf's unnumbered session over swp1 Established")
        n = self.lab.neighbor("leaf", "swp1")
        self.assertTrue(n.get("bgpNeighborAddr", "").startswith("fe80:"),
                        f"the session is not over an IPv6 link-local address: {n.get('bgpNeighborAddr')}")
        families = set(n.get("addressFamilyInfo", {}))
        self.assertTrue({"ipv4Unicast", "l2VpnEvpn"} <= families, f"families {families}")
        for side, ns in (("router", self.lab.router_ns), ("leaf", self.lab.leaf_ns)):
            addrs = perlab.run(["ip", "-n", ns, "-4", "-j", "addr", "show", "dev",
                                "toswitch" if side == "router" else "swp1"]).stdout
            self.assertEqual([a for i in json.loads(addrs) for a in i.get("addr_info", [])], [],
                             f"{side}: the link has IPv4 addresses")

        # The leaf's VTEP: an IPv4 route whose next hop is the leaf's IPv6 link-local address.
        def vtep_route():
            out = perlab.run(["ip", "-n", self.lab.router_ns, "-j", "route", "show",
                              f"{F.LEAF_VTEP}/32"]).stdout
            routes = json.loads(out) if out.strip() else []
            return [r for r in routes if r.get("via", {}).get("family") == "inet6"]
        route = self.wait(vtep_route, 30, f"router: route to {F.LEAF_VTEP} via an IPv6 next hop")
        self.assertTrue(route[0]["via"]["host"].startswith("fe80:"), f"route {route[0]}")

        self.wait_l2_ping()
        self.assertIn(" neighbor toswitch interface remote-as 64512\n",
                      self.lab.vtysh("router", "show running-config"))
        # perouterd reads the unnumbered session's state from FRR by the interface's name.
        self.wait(lambda: any("1/1 peers up" in st for st in self.lab.notify.statuses()), 30,
                  "perouterd's STATUS says the unnumbered session is up")


if __name__ == "__main__":
    unittest.main()
