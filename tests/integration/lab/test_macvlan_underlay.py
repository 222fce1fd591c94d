"""Macvlan underlay ([underlay.macvlan]): a single-NIC node keeps its NIC `toswitch`, its
address 192.168.11.3 and its default route; the router peers with the leaf from a macvlan child
of toswitch with an address of its own (192.168.11.10), VNI 110 carries pings, and a restarted
perouterd adopts the macvlan, one deleted behind its back comes back, and --teardown leaves the
host's NIC exactly as it was."""

import json
import signal
import unittest

from labcase import F, LabTestCase, perlab
from perlab import addresses, ifindexes, links, ping_once, routes

ROUTER_UNDERLAY_IP = "192.168.11.10"
MACVLAN = "underlay"
MACVLAN_MAC = "02:00:c0:a8:0b:0a"
CREATED_GROUP = 4244  # plan/desired.hpp kCreatedGroup


class MacvlanUnderlayTest(LabTestCase):
    PREFIX = "plt27"

    @classmethod
    def prepare(cls, lab):
        # The leaf peers with the router's own address on the cable, not the node's.
        lab.leaf.apply(F.leaf_peer_at(ROUTER_UNDERLAY_IP))
        lab.use_macvlan_underlay(f'name = "{MACVLAN}"\nmac = "{MACVLAN_MAC}"\n'
                                 f'addresses = ["{ROUTER_UNDERLAY_IP}/24"]\n')

    def leaf_session(self) -> dict:
        return self.lab.leaf_session(ROUTER_UNDERLAY_IP)

    def session_identity(self) -> dict:
        return self.lab.session_identity(ROUTER_UNDERLAY_IP)

    def wait_session(self, timeout: float = 60.0) -> None:
        self.wait(lambda: self.leaf_session().get("bgpState") == "Established", timeout,
                  f"leaf's session to {ROUTER_UNDERLAY_IP} Established")

    def macvlan(self) -> dict:
        out = perlab.run(["ip", "-n", self.lab.router_ns, "-d", "-j", "link", "show", "dev",
                          MACVLAN]).stdout
        return json.loads(out)[0]

    def assert_host_keeps_its_nic(self) -> None:
        h = links(self.lab.host_ns)
        self.assertIn("toswitch", h, "the host lost its NIC")
        self.assertIn("UP", h["toswitch"]["flags"])
        self.assertEqual(addresses(self.lab.host_ns, "toswitch"), [f"{F.NODE_UNDERLAY_IP}/24"])
        gws = [(r.get("gateway"), r.get("dev")) for r in routes(self.lab.host_ns, "default")]
        self.assertIn((F.LEAF_UNDERLAY_IP, "toswitch"), gws, f"host default routes {gws}")
        ok, summary = ping_once(self.lab.host_ns, F.LEAF_UNDERLAY_IP, count=2)
        self.assertTrue(ok, f"the host cannot reach the leaf over its own NIC: {summary}")

    def test_1_router_peers_over_a_macvlan_and_the_host_keeps_its_nic(self):
        self.wait_session()
        self.assertNotIn("toswitch", links(self.lab.router_ns), "the NIC was moved into the router")
        m = self.macvlan()
        self.assertEqual(m.get("linkinfo", {}).get("info_kind"), "macvlan", f"{m}")
        self.assertEqual(m["linkinfo"].get("info_data", {}).get("mode"), "bridge", f"{m}")
        self.assertEqual(m.get("group"), str(CREATED_GROUP) if isinstance(m.get("group"), str)
                         else CREATED_GROUP, f"group of the macvlan: {m.get('group')}")
        self.assertEqual(m.get("address"), MACVLAN_MAC)
        self.assertIn("UP", m.get("flags", []))
        self.assertEqual(addresses(self.lab.router_ns, MACVLAN), [f"{ROUTER_UNDERLAY_IP}/24"])
        # The leaf sees the router as a second neighbour on its port, with the configured MAC.
        neigh = json.loads(perlab.run(["ip", "-n", self.lab.leaf_ns, "-j", "neigh", "show", "dev",
                                       "swp1", ROUTER_UNDERLAY_IP]).stdout)
        self.assertEqual([e.get("lladdr") for e in neigh], [MACVLAN_MAC], f"leaf's neighbours {neigh}")
        self.wait_l2_ping()
        self.assert_host_keeps_its_nic()
        self.wait(lambda: any("1/1 peers up" in st for st in self.lab.notify.statuses()), 30,
                  "perouterd's STATUS says the session is up")

    def test_2_restart_adopts_the_macvlan(self):
        self.wait_session()
        self.wait_l2_ping()
        before = ifindexes(self.lab.router_ns)[MACVLAN]
        session = self.session_identity()
        self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0)
        self.lab.start_node()
        self.wait_l2_ping()
        self.assertEqual(ifindexes(self.lab.router_ns).get(MACVLAN), before,
                         "the restarted perouterd recreated the macvlan")
        self.assertEqual(self.session_identity(), session, "the session was reset by the restart")

    def test_3_a_macvlan_deleted_behind_our_back_comes_back(self):
        self.wait_session()
        before = ifindexes(self.lab.router_ns)[MACVLAN]
        perlab.run(["ip", "-n", self.lab.router_ns, "link", "del", MACVLAN])
        # perouterd hears the link event and creates it again, with its address.
        self.wait(lambda: ifindexes(self.lab.router_ns).get(MACVLAN, before) != before
                  and addresses(self.lab.router_ns, MACVLAN) == [f"{ROUTER_UNDERLAY_IP}/24"], 30,
                  "macvlan recreated with its address")
        self.wait_session()
        self.wait_l2_ping()
        self.assert_host_keeps_its_nic()

    def test_4_teardown_leaves_the_host_nic_alone(self):
        self.wait_session()
        self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0)
        p = self.lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"--teardown exit {p.returncode}:\n{p.stdout}{p.stderr}")
        self.assertFalse(perlab.netns_exists(self.lab.router_ns), "router namespace still there")
        self.assert_host_keeps_its_nic()
        self.wait(lambda: self.leaf_session().get("bgpState") != "Established", 30,
                  "the leaf's session is gone with the router")


if __name__ == "__main__":
    unittest.main()
