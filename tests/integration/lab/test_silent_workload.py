"""Silent workloads stay reachable (perouterd(8), "Silent workloads"): L2VNI 130 with the anycast
gateway 10.130.0.1/24 in VRF red, and behind it on the node a workload (10.130.0.10, its own
namespace) that announces itself with one ping and then sends nothing. The router's bridge
br-pe-130 ages its FDB entries after 10 s here (`ip link set br-pe-130 type bridge ageing_time`),
not 300 s, so that what would take minutes takes seconds: without the refresh the workload's FDB
entry would be gone after 10 s and zebra would withdraw its EVPN type-2 routes. With it, for
several ageing times, the leaf keeps the workload's MAC/IP route from the router, the router's
FDB entry never gets as old as the ageing time, and the remote behind the leaf reaches it.

Needs kernel VRF support (gateway_ips need a routing domain): skips here, naming the QEMU system
tier, which runs it (tests/system/qemu/payload.py)."""

import json
import time
import unittest

from labcase import LabTestCase, perlab
from lab_netlink import FdbDeletions
from perlab import bridge_json, ip_json, links, ping_once, run

VNI = 130
GATEWAY = "10.130.0.1"
WORKLOAD_IP = "10.130.0.10"
REMOTE_IP = "10.130.0.20"
AGEING_S = 10
BRIDGE = f"br-pe-{VNI}"
DROPIN = f"""[[l2vni]]
name = "silent"
vni = {VNI}
routing_domain = "red"
gateway_ips = ["{GATEWAY}/24"]
host_master = {{ type = "linux-bridge", lifecycle = "managed" }}
"""


class SilentWorkloadTest(LabTestCase):
    PREFIX = "plt16"
    SCENARIO = "l3"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lab = cls.lab
        lab.add_leaf_l2vni(VNI, REMOTE_IP)
        # The VPN arrives as a drop-in; perouterd notices the file and applies it.
        t0 = time.monotonic()
        lab.dropin_dir.mkdir(parents=True, exist_ok=True)
        (lab.dropin_dir / "60-silent.toml").write_text(DROPIN)
        pid = lab.node_pid()
        why = lab.notify.wait_sequence(["RELOADING=1", "READY=1"], t0, 120, lab.node_running, pid)
        if why:
            raise AssertionError(f"the drop-in was not applied: {why}\n{lab.diagnostics()}")
        perlab.wait_for(lambda: BRIDGE in links(lab.router_ns) and f"br-hs-{VNI}" in links(lab.host_ns),
                        60, what=f"{BRIDGE} in the router, br-hs-{VNI} on the host")
        run(["ip", "-n", lab.router_ns, "link", "set", BRIDGE, "type", "bridge",
             "ageing_time", str(AGEING_S * 100)])
        # The workload: a namespace of its own behind the managed host bridge, without IPv6
        # (no router solicitations, no MLD): it sends nothing unless asked.
        cls.wl_ns = f"{cls.PREFIX}-wl"
        perlab.netns_add(cls.wl_ns)
        run(["ip", "netns", "exec", cls.wl_ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
             "net.ipv6.conf.default.disable_ipv6=1"])
        run(["ip", "link", "add", "wl0", "netns", cls.wl_ns, "type", "veth", "peer", "name",
             f"wl-{VNI}", "netns", lab.host_ns])
        run(["ip", "-n", lab.host_ns, "link", "set", f"wl-{VNI}", "master", f"br-hs-{VNI}", "up"])
        run(["ip", "-n", cls.wl_ns, "addr", "add", f"{WORKLOAD_IP}/24", "dev", "wl0"])
        run(["ip", "-n", cls.wl_ns, "link", "set", "wl0", "up"])
        cls.wl_mac = links(cls.wl_ns)["wl0"]["address"]

    # --- what is observed --------------------------------------------------------------------

    def leaf_macip_route(self) -> list:
        """The leaf's EVPN type-2 MAC/IP routes for the workload that name the router's VTEP."""
        j = self.lab.vtysh("leaf", "show bgp l2vpn evpn route type macip json", as_json=True)
        found = []
        for rd in j.values():
            if not isinstance(rd, dict):
                continue
            for prefix, route in rd.items():
                if (prefix.startswith("[2]:") and f"[{WORKLOAD_IP}]" in prefix
                        and self.wl_mac in prefix.lower() and perlab.ROUTER_VTEP in json.dumps(route)):
                    found.append(prefix)
        return found

    def router_fdb_age(self):
        """Seconds since the router's bridge last saw a frame from the workload; None without
        an FDB entry."""
        for e in bridge_json(self.lab.router_ns, "-s", "fdb", "show", "br", BRIDGE):
            if e.get("mac") == self.wl_mac and e.get("master") == BRIDGE:
                return e.get("updated")
        return None

    def router_neighbour(self) -> str:
        n = ip_json(self.lab.router_ns, "neigh", "show", WORKLOAD_IP, "dev", BRIDGE)
        return n[0]["state"][0] if n and n[0].get("state") else "absent"

    # --- the tests, in order -----------------------------------------------------------------

    def test_1_workload_announces_itself(self):
        self.wait_established(60)
        self.wait(lambda: ping_once(self.wl_ns, GATEWAY, count=1, timeout_s=2)[0], 60,
                  f"the workload pings its gateway {GATEWAY} once")
        self.wait(self.leaf_macip_route, 60,
                  f"leaf: type-2 MAC/IP route {self.wl_mac} {WORKLOAD_IP} from {perlab.ROUTER_VTEP}")

    def test_2_stays_on_the_leaf_beyond_the_ageing_time(self):
        self.wait(self.leaf_macip_route, 60, "leaf: the workload's type-2 MAC/IP route")
        # The kernel reports every FDB deletion in the router namespace: a quiet listener over
        # 4 ageing times proves the entry never aged out, however seldom the loop below gets
        # to look (a loaded QEMU guest samples every few seconds). The samples check the rest.
        with FdbDeletions(self.lab.router_ns) as deletions:
            t0 = time.monotonic()
            samples = []
            while time.monotonic() - t0 < 4 * AGEING_S:
                age, route, neigh = self.router_fdb_age(), self.leaf_macip_route(), self.router_neighbour()
                samples.append((round(time.monotonic() - t0, 1), age, neigh, bool(route)))
                self.assertIsNotNone(age, f"router: the workload's FDB entry aged out; samples {samples}")
                self.assertLess(age, AGEING_S, f"router: FDB entry as old as the ageing time; {samples}")
                self.assertTrue(route, f"leaf: type-2 MAC/IP route withdrawn; samples {samples}")
                self.assertIn(neigh, ("REACHABLE", "STALE", "DELAY", "PROBE"), f"samples {samples}")
                self.assertNotIn(self.wl_mac, deletions.poll(),
                                 f"router: the workload's FDB entry was deleted; samples {samples}")
                time.sleep(1)  # the sampling interval; the listener watches in between
            self.assertNotIn(self.wl_mac, deletions.poll(),
                             f"router: the workload's FDB entry was deleted; samples {samples}")
            # The listener would have seen an ageing: a deletion by hand shows up in it. (The
            # refresh and test_3 bring the entry back.)
            run(["bridge", "-n", self.lab.router_ns, "fdb", "del", self.wl_mac, "dev",
                 f"pe-e-{VNI}", "master"])
            self.wait(lambda: self.wl_mac in deletions.poll(), 10,
                      "the listener reports the FDB entry deleted by hand")
        # It was perouterd that kept it: its log names the probes.
        probes = [ln for ln in self.lab.node_log_text().splitlines()
                  if f"{BRIDGE}: probing neighbour {WORKLOAD_IP}" in ln]
        self.assertGreaterEqual(len(probes), 2, "perouterd logged no probes of the workload")

    def test_3_remote_reaches_the_silent_workload(self):
        self.wait(lambda: ping_once(self.lab.remote_ns, WORKLOAD_IP, count=1, timeout_s=1)[0], 30,
                  f"remote {REMOTE_IP} pings the workload {WORKLOAD_IP} over VNI {VNI}")
        ok, summary = ping_once(self.lab.remote_ns, WORKLOAD_IP, count=3)
        self.assertTrue(ok, summary)


if __name__ == "__main__":
    unittest.main()
