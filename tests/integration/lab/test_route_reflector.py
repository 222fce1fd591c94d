"""Route reflection with dynamic neighbors: the node is the route reflector of an iBGP fabric
(AS 64514 everywhere) whose ToR does not reflect. Its two iBGP clients are not configured one by
one but accepted from listen ranges ([[underlay.neighbors]] listen_range, type "internal",
route_reflector_client; [underlay.route_reflector] cluster_id): the leaf on 192.168.11.0/24 and
a second client FRR behind a second NIC on 192.168.12.0/24. A prefix of the second client reaches
the leaf only by reflection (iBGP never passes routes between iBGP peers otherwise), carrying our
cluster id; EVPN over the iBGP session still carries VNI 110."""

import unittest

from labcase import F, LabTestCase, perlab
from lab_frr import FrrInstance

CLUSTER_ID = "192.0.2.1"
CLIENT_ROUTER_ID = "100.64.0.9"
CLIENT_IP = "192.168.12.2"
NODE_CLIENT_SIDE = "192.168.12.3"
CLIENT_PREFIX = "10.99.0.0/24"


class RouteReflectorTest(LabTestCase):
    PREFIX = "plt21"

    @classmethod
    def prepare(cls, lab):
        run = perlab.run
        # The leaf joins the node's AS: its eBGP instance goes, an iBGP one comes.
        lab.leaf.apply(f"no router bgp {F.LEAF_ASN}\n")
        lab.leaf.apply(f"""router bgp {F.ROUTER_ASN}
 bgp router-id {F.LEAF_ROUTER_ID}
 no bgp default ipv4-unicast
 neighbor {F.NODE_UNDERLAY_IP} remote-as internal
 neighbor {F.NODE_UNDERLAY_IP} timers 3 9
 neighbor {F.NODE_UNDERLAY_IP} timers connect 1
 address-family ipv4 unicast
  network {F.LEAF_VTEP}/32
  neighbor {F.NODE_UNDERLAY_IP} activate
 exit-address-family
 address-family l2vpn evpn
  neighbor {F.NODE_UNDERLAY_IP} activate
  advertise-all-vni
 exit-address-family
exit
""")
        # A second client behind a second NIC of the node.
        client_ns = f"{lab.prefix}-rrc"
        perlab.netns_add(client_ns)
        run(["ip", "link", "add", "toclient", "netns", lab.host_ns, "type", "veth", "peer",
             "name", "c-eth", "netns", client_ns])
        run(["ip", "-n", lab.host_ns, "addr", "add", f"{NODE_CLIENT_SIDE}/24", "dev", "toclient"])
        run(["ip", "-n", lab.host_ns, "link", "set", "toclient", "up"])
        run(["ip", "-n", client_ns, "addr", "add", f"{CLIENT_IP}/24", "dev", "c-eth"])
        run(["ip", "-n", client_ns, "link", "set", "c-eth", "up"])
        client = FrrInstance("client", client_ns, lab.labdir / "frr" / "client")
        client.start()
        client.apply(f"""router bgp {F.ROUTER_ASN}
 bgp router-id {CLIENT_ROUTER_ID}
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor {NODE_CLIENT_SIDE} remote-as internal
 neighbor {NODE_CLIENT_SIDE} timers 3 9
 neighbor {NODE_CLIENT_SIDE} timers connect 1
 address-family ipv4 unicast
  network {CLIENT_PREFIX}
  neighbor {NODE_CLIENT_SIDE} activate
 exit-address-family
exit
""")
        cls.client = client
        lab.config_file.write_text(f"""[node]
index = 0

[underlay]
asn = {F.ROUTER_ASN}
interfaces = ["toswitch", "toclient"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
route_reflector = {{ cluster_id = "{CLUSTER_ID}" }}

[[underlay.neighbors]]
type = "internal"
listen_range = "192.168.11.0/24"
route_reflector_client = true
keepalive_time_seconds = 3
hold_time_seconds = 9

[[underlay.neighbors]]
type = "internal"
listen_range = "192.168.12.0/24"
route_reflector_client = true
address_families = ["ipv4_unicast"]
keepalive_time_seconds = 3
hold_time_seconds = 9

[[l2vni]]
name = "l2-110"
vni = 110
host_master = {{ type = "linux-bridge", lifecycle = "managed" }}
""")

    def test_reflects_between_dynamic_clients(self):
        for peer, what in ((F.NODE_UNDERLAY_IP, "leaf"), (NODE_CLIENT_SIDE, "client")):
            d = self.lab.leaf.dir if what == "leaf" else self.client.dir
            self.wait(lambda: perlab.bgp_neighbor(d, peer).get("bgpState") == "Established", 60,
                      f"{what}'s iBGP session to the node ({peer}) Established")

        def reflected():
            j = self.lab.vtysh("leaf", f"show bgp ipv4 unicast {CLIENT_PREFIX} json", as_json=True)
            return j.get("paths", [])
        paths = self.wait(reflected, 30, f"leaf learns the client's {CLIENT_PREFIX}")
        p = paths[0]
        self.assertEqual(p.get("originatorId"), CLIENT_ROUTER_ID, f"path {p}")
        self.assertIn(CLUSTER_ID, p.get("clusterList", {}).get("list", []), f"path {p}")

        # The node lists its dynamic neighbors; perouterd counts a range as up when one is.
        self.wait(lambda: any("2/2 peers up" in st for st in self.lab.notify.statuses()), 30,
                  "perouterd's STATUS says both listen ranges have a session up")
        self.lab.host.stop()  # the standard host speaker has no session in this fabric
        self.wait_l2_ping()


if __name__ == "__main__":
    unittest.main()
