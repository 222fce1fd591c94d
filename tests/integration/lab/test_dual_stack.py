"""Dual-stack underlay with explicit address families: one session per family to the same leaf
(IPv4 192.168.11.2 carrying ipv4_unicast + l2vpn_evpn, IPv6 fd00:11::2 carrying ipv6_unicast),
each activated in exactly the families written; the leaf's IPv6 prefix arrives over the IPv6
session, and the IPv6 eBGP session gets disable-connected-check."""

import unittest

from labcase import F, LabTestCase, perlab

LEAF_V6 = "fd00:11::2"
NODE_V6 = "fd00:11::3"
LEAF_V6_ROUTE = "fd00:64::1/128"


class DualStackTest(LabTestCase):
    PREFIX = "plt20"

    @classmethod
    def prepare(cls, lab):
        run = perlab.run
        run(["ip", "-n", lab.leaf_ns, "addr", "add", f"{LEAF_V6}/64", "dev", "swp1", "nodad"])
        run(["ip", "-n", lab.host_ns, "addr", "add", f"{NODE_V6}/64", "dev", "toswitch", "nodad"])
        run(["ip", "-n", lab.leaf_ns, "addr", "add", LEAF_V6_ROUTE, "dev", "lo"])
        lab.leaf.apply(f"""router bgp {F.LEAF_ASN}
 neighbor {NODE_V6} remote-as {F.ROUTER_ASN}
 neighbor {NODE_V6} timers 3 9
 neighbor {NODE_V6} timers connect 1
 address-family ipv6 unicast
  network {LEAF_V6_ROUTE}
  neighbor {NODE_V6} activate
 exit-address-family
 address-family ipv4 unicast
  neighbor {F.NODE_UNDERLAY_IP} activate
 exit-address-family
exit
""")
        text = lab.config_file.read_text()
        first = f'address = "{F.LEAF_UNDERLAY_IP}"\n'
        assert first in text, "the lab configuration changed; adjust this test"
        text = text.replace(first, first + 'address_families = ["ipv4_unicast", "l2vpn_evpn"]\n')
        text += f"""
[[underlay.neighbors]]
asn = {F.LEAF_ASN}
address = "{LEAF_V6}"
address_families = ["ipv6_unicast"]
keepalive_time_seconds = 3
hold_time_seconds = 9
connect_time_seconds = 1
"""
        lab.config_file.write_text(text)

    def test_one_session_per_family(self):
        self.wait_established()
        self.wait(lambda: self.lab.neighbor("leaf", NODE_V6).get("bgpState") == "Established",
                  60, f"leaf's IPv6 session to {NODE_V6} Established")
        v4 = set(self.lab.neighbor("leaf", F.NODE_UNDERLAY_IP).get("addressFamilyInfo", {}))
        v6 = set(self.lab.neighbor("leaf", NODE_V6).get("addressFamilyInfo", {}))
        self.assertEqual(v4, {"ipv4Unicast", "l2VpnEvpn"}, "families of the IPv4 session")
        self.assertEqual(v6, {"ipv6Unicast"}, "families of the IPv6 session")

        def learned():
            j = self.lab.vtysh("router", f"show bgp ipv6 unicast {LEAF_V6_ROUTE} json",
                               as_json=True)
            return [p for p in j.get("paths", []) if p.get("peer", {}).get("peerId") == LEAF_V6]
        self.wait(learned, 30, f"router learns {LEAF_V6_ROUTE} from {LEAF_V6}")
        self.wait(lambda: LEAF_V6_ROUTE.split("/")[0] in
                  perlab.run(["ip", "-n", self.lab.router_ns, "-6", "route", "show"]).stdout, 30,
                  f"{LEAF_V6_ROUTE} in the router namespace's kernel table")
        running = self.lab.vtysh("router", "show running-config")
        self.assertIn(f" neighbor {LEAF_V6} disable-connected-check\n", running)
        self.assertNotIn(f" neighbor {F.LEAF_UNDERLAY_IP} disable-connected-check\n", running)
        # EVPN still runs over the IPv4 session.
        self.wait_l2_ping()


if __name__ == "__main__":
    unittest.main()
