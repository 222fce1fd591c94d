"""Macvlan underlay with DHCP ([underlay.macvlan] dhcp = true): the fabric's DHCP server
(dnsmasq on the leaf's port, a fixed lease for the router's MAC, a gateway and a DNS server on
offer) gives the router its address on the cable; perouterd runs dhcpcd in the router namespace
for it. The session comes up from the leased address, VNI 110 carries pings, nothing of the
lease's gateway or DNS reaches the router or the host, perouterctl status shows the lease, the
client survives a restart of perouterd without a session reset, a client that dies is started
again while the address stays, and --teardown stops it."""

import json
import os
import signal
import unittest
from pathlib import Path

from labcase import BusLabTestCase, F, perlab
from lab_dhcp import start_dhcp_server
from lab_netlink import AddressDeletions
from perlab import addresses, ifindexes, pid_alive, read_pid_file

LEASED_IP = "192.168.11.10"
MACVLAN = "underlay"
MACVLAN_MAC = "02:00:c0:a8:0b:1a"


class MacvlanDhcpTest(BusLabTestCase):
    PREFIX = "plt29"

    @classmethod
    def setUpClass(cls) -> None:
        cls.resolv_before = Path("/etc/resolv.conf").read_bytes()
        super().setUpClass()

    @classmethod
    def prepare(cls, lab):
        lab.leaf.apply(F.leaf_peer_at(LEASED_IP))
        # The fabric's DHCP server on the leaf's port to the node.
        cls.leases = start_dhcp_server(lab.leaf_ns, lab.labdir, {MACVLAN_MAC: LEASED_IP})
        lab.use_macvlan_underlay(f'name = "{MACVLAN}"\nmac = "{MACVLAN_MAC}"\ndhcp = true\n')

    # --- helpers ------------------------------------------------------------------------------

    def rundir(self) -> Path:
        return self.lab.root / "run" / "perouter" / "dhcp" / self.lab.router_ns

    def client_pid(self) -> int:
        return read_pid_file(self.rundir() / f"{MACVLAN}-4.pid") or 0

    def client_alive(self, pid: int) -> bool:
        return pid > 0 and pid_alive(pid)

    def leaf_session(self) -> dict:
        return self.lab.leaf_session(LEASED_IP)

    def session_identity(self) -> dict:
        return self.lab.session_identity(LEASED_IP)

    def wait_session(self, timeout: float = 60.0) -> None:
        self.wait(lambda: self.leaf_session().get("bgpState") == "Established", timeout,
                  f"leaf's session to the leased {LEASED_IP} Established")

    def router_v4(self) -> list[dict]:
        out = perlab.run(["ip", "-n", self.lab.router_ns, "-4", "-j", "addr", "show", "dev",
                          MACVLAN]).stdout
        return [a for e in json.loads(out) for a in e.get("addr_info", [])]

    def wait_leased(self, timeout: float = 60.0) -> None:
        self.wait(lambda: addresses(self.lab.router_ns, MACVLAN) == [f"{LEASED_IP}/24"], timeout,
                  f"{LEASED_IP}/24 leased on the macvlan")

    # --- tests --------------------------------------------------------------------------------

    def test_1_the_router_leases_its_address_and_peers_from_it(self):
        self.wait_leased()
        self.wait_session()
        # A lease, not a static address: a finite lifetime, and the server's lease file has it.
        [a] = self.router_v4()
        self.assertLess(a.get("valid_life_time", 0xFFFFFFFF), 0xFFFFFFFF, f"not a lease: {a}")
        self.assertIn(f"{MACVLAN_MAC} {LEASED_IP}", self.leases.read_text())
        self.assertTrue(self.client_alive(self.client_pid()), "no dhcpcd in perouter's directory")
        # The lease's gateway is not the router's default route; its DNS server changed nothing.
        defaults = perlab.run(["ip", "-n", self.lab.router_ns, "-4", "-j", "route", "show",
                               "default", "proto", "dhcp"]).stdout
        self.assertEqual(json.loads(defaults or "[]"), [], "the lease's gateway was installed")
        self.assertEqual(Path("/etc/resolv.conf").read_bytes(), self.resolv_before)
        self.wait_l2_ping()
        # The host keeps its NIC and address.
        self.assertEqual(addresses(self.lab.host_ns, "toswitch"), [f"{F.NODE_UNDERLAY_IP}/24"])
        # perouterctl status shows the lease.
        p = self.ctl("--json", "status")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout).get("dhcp"),
                         {"link": MACVLAN, "running": True, "leased": [f"{LEASED_IP}/24"]})
        self.assertIn(f"dhcp on {MACVLAN}: {LEASED_IP}/24 (client running)",
                      self.ctl("status").stdout)

    def test_2_restarting_perouterd_keeps_the_client_and_the_session(self):
        self.wait_session()
        pid = self.client_pid()
        session = self.session_identity()
        # The new perouterd's first reconcile finds the lease on a link it owns: it must leave
        # the address alone (the kernel would report a deletion even if dhcpcd re-added it).
        with AddressDeletions(self.lab.router_ns) as deletions:
            self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0)
            self.assertTrue(self.client_alive(pid), "the DHCP client stopped with perouterd")
            self.assertEqual(addresses(self.lab.router_ns, MACVLAN), [f"{LEASED_IP}/24"])
            self.lab.start_node()
            self.wait_l2_ping()
            self.assertEqual(deletions.poll(), [], "perouterd removed the leased address")
        self.assertEqual(self.client_pid(), pid, "the restarted perouterd started another client")
        self.assertEqual(self.session_identity(), session, "the session was reset by the restart")

    def test_3_a_client_that_dies_is_started_again_and_the_address_stays(self):
        self.wait_session()
        pid = self.client_pid()
        session = self.session_identity()
        with AddressDeletions(self.lab.router_ns) as deletions:
            os.kill(pid, signal.SIGKILL)
            self.wait(lambda: not self.client_alive(pid), 10, "dhcpcd killed")
            # The repair reconciles with the lease on the link, and the new client takes it over.
            self.wait(lambda: self.client_pid() != pid and self.client_alive(self.client_pid()),
                      30, "perouterd started a new DHCP client")
            self.wait_l2_ping()
            self.assertEqual(deletions.poll(), [], "the leased address went away")
        self.assertEqual(addresses(self.lab.router_ns, MACVLAN), [f"{LEASED_IP}/24"])
        self.assertEqual(self.session_identity(), session, "the session was reset")

    def test_4_a_macvlan_deleted_behind_our_back_is_leased_again(self):
        self.wait_session()
        before = ifindexes(self.lab.router_ns)[MACVLAN]
        perlab.run(["ip", "-n", self.lab.router_ns, "link", "del", MACVLAN])
        self.wait(lambda: ifindexes(self.lab.router_ns).get(MACVLAN, before) != before, 30,
                  "macvlan recreated")
        self.wait_leased()
        self.wait_session()
        self.wait_l2_ping()

    def test_5_teardown_stops_the_client_and_keeps_the_lease(self):
        self.wait_session()
        pid = self.client_pid()
        self.assertEqual(self.lab.stop_node(signal.SIGTERM), 0)
        p = self.lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"--teardown exit {p.returncode}:\n{p.stdout}{p.stderr}")
        self.assertTrue(pid > 0)
        self.assertFalse(self.client_alive(pid), "the DHCP client outlived --teardown")
        self.assertFalse(self.rundir().exists(), "the client's run directory is left")
        lease = (self.lab.root / "var" / "lib" / "perouter" / "dhcp" / self.lab.router_ns /
                 f"{MACVLAN}.lease")
        self.assertTrue(lease.exists(), "the lease for the next start is gone")
        self.assertFalse(perlab.netns_exists(self.lab.router_ns), "router namespace still there")


if __name__ == "__main__":
    unittest.main()
