"""R8: the underlay NIC goes down and up, is unplugged and plugged back in, and in the end
`perouterd --teardown` hands it back to the host with its addresses and default route.

perouterd watches link events in both namespaces; the underlay NIC is a link it cares about
(src/daemon/service.cpp relevant_link, on_netlink), so a NIC that reappears in the host
namespace must be taken into the router namespace again, with the addresses it saved before the
first move (as test_netns_deleted.py checks for a rebuilt namespace), without a restart.

Rounds: the link set down then up in the router namespace; the NIC deleted (both veth ends
vanish, as an unplugged NIC) and a new bare one plugged in the host namespace
(perlab.Lab.plug_underlay(with_host_address=False)); the NIC moved out to the host namespace (it
loses its addresses on the way). After every round: the NIC is in the router namespace with
192.168.11.3/24 and UP, the leaf's session is Established, the type-3 routes are back both ways,
the host pings the remote workload over VNI 110. Pings lost during an outage are printed, not
asserted: the cable is out.

PEROUTER_SOAK=1: 25 down/up and 10 unplug rounds instead of 5 and 4.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
import unittest
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_TESTS / "lab"))
sys.path.insert(0, str(_TESTS / "integration" / "lab"))

from labcase import F, LabTestCase, perlab  # noqa: E402
from perlab import Pinger, addresses, links, netns_exists, ping_once, routes, run  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
DOWN_UP_ROUNDS = 25 if SOAK else 5
UNPLUG_ROUNDS = 10 if SOAK else 4
NIC_ADDR = f"{F.NODE_UNDERLAY_IP}/24"


class UnderlayNicTest(LabTestCase):
    PREFIX = "rlc"

    def nic(self, side: str) -> dict | None:
        return links(self.lab.ns(side)).get("toswitch")

    def nic_ready_in_router(self) -> bool:
        n = self.nic("router")
        return bool(n and "UP" in n.get("flags", [])
                    and NIC_ADDR in addresses(self.lab.router_ns, "toswitch"))

    def vteps_back(self) -> bool:
        return (perlab.ROUTER_VTEP in self.lab.remote_vteps("leaf", 110)
                and F.LEAF_VTEP in self.lab.remote_vteps("router", 110))

    def session_down(self) -> bool:
        return self.lab.leaf_session().get("bgpState") != "Established"

    def recover(self, what: str, offset: int) -> float:
        """Wait for the router to be whole again; returns seconds taken."""
        t0 = time.monotonic()
        try:
            perlab.wait_for(self.nic_ready_in_router, 90, what=f"{what}: toswitch UP with {NIC_ADDR} "
                            f"in the router namespace")
        except TimeoutError as e:
            self.fail(f"{e}\nhost toswitch: {self.nic('host')}\nrouter toswitch: {self.nic('router')}\n"
                      f"perouterd log since the fault:\n{self.lab.node_log_text()[offset:][-4000:]}")
        self.wait(lambda: self.lab.leaf_session().get("bgpState") == "Established", 60,
                  f"{what}: leaf session Established")
        self.wait(self.vteps_back, 60, f"{what}: type-3 routes back both ways")
        self.wait_l2_ping(60)
        return time.monotonic() - t0

    def test_1_link_down_up(self):
        lab = self.lab
        self.wait_established(60)
        self.wait_l2_ping(60)
        reupped = 0
        slowest = 0.0
        with Pinger(lab.host_ns, perlab.L2_REMOTE_IP, interval=0.1) as ping:
            ping.wait_replies(10, 30)
            for i in range(DOWN_UP_ROUNDS):
                what = f"down/up {i + 1}"
                offset = len(lab.node_log_text())
                dropped = lab.session_identity().get("connectionsDropped") or 0
                run(["ip", "-n", lab.router_ns, "link", "set", "toswitch", "down"])
                # Either the leaf notices the carrier loss (its swp1 is the other end of the
                # cable) and drops the session, or perouterd, whose desired state has the NIC up,
                # brings it up again first.
                def settled():
                    if (lab.session_identity().get("connectionsDropped") or 0) > dropped:
                        return "dropped"
                    n = self.nic("router")
                    return "re-upped" if n and "UP" in n.get("flags", []) else None
                if self.wait(settled, 30, f"{what}: the leaf's session dropped or the NIC is up again") \
                        == "re-upped":
                    reupped += 1
                run(["ip", "-n", lab.router_ns, "link", "set", "toswitch", "up"])
                slowest = max(slowest, self.recover(what, offset))
            result = ping.stop()
        sys.stderr.write(f"R8 link down/up: {DOWN_UP_ROUNDS}/{DOWN_UP_ROUNDS} recovered "
                         f"(slowest {slowest:.1f} s after up; perouterd put the NIC up again "
                         f"before the session dropped: {reupped}), pings {result.transmitted} sent {result.lost} lost "
                         f"during the outages\n")
        self.assertTrue(lab.node_running(), "perouterd exited")

    def test_2_nic_unplugged_and_back(self):
        lab = self.lab
        self.wait_established(60)
        self.wait_l2_ping(60)
        kinds: dict[str, int] = {}
        slowest = 0.0
        with Pinger(lab.host_ns, perlab.L2_REMOTE_IP, interval=0.1) as ping:
            ping.wait_replies(10, 30)
            for i in range(UNPLUG_ROUNDS):
                kind = ("replugged", "moved to host")[i % 2]
                kinds[kind] = kinds.get(kind, 0) + 1
                what = f"NIC {kind} ({i + 1})"
                offset = len(lab.node_log_text())
                self.assertTrue(self.nic("router"), f"{what}: toswitch not in the router namespace")
                if kind == "replugged":
                    run(["ip", "-n", lab.router_ns, "link", "del", "toswitch"])
                    self.wait(lambda: "swp1" not in links(lab.leaf_ns), 30, f"{what}: cable gone")
                    lab.plug_underlay(with_host_address=False)
                else:
                    run(["ip", "-n", lab.router_ns, "link", "set", "toswitch", "netns", lab.host_ns])
                # (No ifindex comparison: a link moved between namespaces keeps its index when it
                # is free there, so a new veth can come back under the old number.)
                slowest = max(slowest, self.recover(what, offset))
            result = ping.stop()
        sys.stderr.write(f"R8 NIC unplugged: {UNPLUG_ROUNDS}/{UNPLUG_ROUNDS} recovered without a "
                         f"restart ({', '.join(f'{k} {v}' for k, v in kinds.items())}; slowest "
                         f"{slowest:.1f} s), pings {result.transmitted} sent {result.lost} lost during "
                         f"the outages\n")
        self.assertTrue(lab.node_running(), "perouterd exited")

    def test_3_teardown_gives_the_nic_back(self):
        # After the replugs above the NIC perouterd holds is a new, bare one: the addresses and
        # the default route come from what perouterd saved before its first move.
        lab = self.lab
        self.wait_established(60)
        self.assertEqual(lab.stop_node(signal.SIGTERM), 0)
        p = lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"--teardown exit {p.returncode}:\n{p.stdout}{p.stderr}")
        self.wait(lambda: not netns_exists(lab.router_ns), 10, "router namespace deleted")
        h = self.nic("host")
        self.assertTrue(h, "toswitch not back in the host namespace")
        self.assertIn("UP", h["flags"])
        self.assertEqual(addresses(lab.host_ns, "toswitch"), [NIC_ADDR])
        gws = [(r.get("gateway"), r.get("dev")) for r in routes(lab.host_ns, "default")]
        self.assertIn((F.LEAF_UNDERLAY_IP, "toswitch"), gws, f"default routes {gws}")
        leftovers = [n for n in links(lab.host_ns) if re.match(r"^(host-e-\d+|br-hs-\d+|pt-host)$", n)]
        self.assertEqual(leftovers, [], "perouterd objects left in the host namespace")
        self.wait(lambda: ping_once(lab.host_ns, F.LEAF_UNDERLAY_IP, count=1, timeout_s=0.5)[0], 20,
                  "host pings the leaf over the returned NIC")
        sys.stderr.write(f"R8 teardown: toswitch back in the host UP with {NIC_ADDR} and default via "
                         f"{F.LEAF_UNDERLAY_IP}\n")


if __name__ == "__main__":
    unittest.main()
