"""Base class of the lab integration tests: one lab per test file (own namespace prefix), built in
setUpClass, always torn down (class cleanup runs even when setUpClass fails), diagnostics printed
for every failing test.

Environment: PEROUTERD = path of the perouterd binary (CTest passes $<TARGET_FILE:perouterd>).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import unittest
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

import perlab  # noqa: E402
from lab_bus import PrivateBus  # noqa: E402
from perlab import F, Lab, Pinger, ping_once, wait_for  # noqa: E402,F401

VRF_SKIP = "kernel lacks VRF; runs in the QEMU system tier (tests/system)"


def add_leaf_l2vni(lab: Lab, vni: int, remote_ip: str) -> None:
    """A further L2VNI on the leaf with a workload behind it (remote_ip/24 in the remote
    namespace), for VPNs the node adds at runtime."""
    L, R = lab.leaf_ns, lab.remote_ns
    ip = lambda ns, *a: perlab.run(["ip", "-n", ns, *a])  # noqa: E731
    ip(L, "link", "add", f"br-{vni}", "type", "bridge")
    ip(L, "link", "add", f"vni{vni}", "type", "vxlan", "id", str(vni), "local", F.LEAF_VTEP,
       "dstport", "4789", "nolearning")
    ip(L, "link", "set", f"vni{vni}", "master", f"br-{vni}", "addrgenmode", "none")
    ip(L, "link", "set", f"vni{vni}", "type", "bridge_slave", "learning", "off", "neigh_suppress", "on")
    perlab.run(["ip", "link", "add", f"lf-{vni}", "netns", L, "type", "veth", "peer", "name", f"rem-{vni}",
                "netns", R])
    ip(L, "link", "set", f"lf-{vni}", "master", f"br-{vni}")
    for d in (f"lf-{vni}", f"vni{vni}", f"br-{vni}"):
        ip(L, "link", "set", d, "up")
    ip(R, "addr", "add", f"{remote_ip}/24", "dev", f"rem-{vni}")
    ip(R, "link", "set", f"rem-{vni}", "up")


class LabTestCase(unittest.TestCase):
    PREFIX = ""         # unique per test file: plt1, plt2, ...
    SCENARIO = "l2"     # l2 runs on every kernel; l3 needs VRF
    NEEDS_VRF = False   # True: the test's own fabric needs VRF in any scenario
    NODE = True         # False: leaf/host/remote only, no perouterd
    lab: Lab

    @classmethod
    def prepare(cls, lab: Lab) -> None:
        """The test's own variant of the fabric or of the node configuration, made before
        perouterd starts (Lab.up's prepare). The standard lab needs none."""

    @classmethod
    def skip_unless_supported(cls) -> None:
        """Scenario l3 (and NEEDS_VRF) needs VRF: on kernels without it the test skips, naming
        the tier that runs it (the QEMU system tier, tests/system/qemu/payload.py)."""
        if (cls.SCENARIO == "l3" or cls.NEEDS_VRF) and not perlab.kernel_supports_vrf(cls.PREFIX):
            raise unittest.SkipTest(VRF_SKIP)

    @classmethod
    def setUpClass(cls) -> None:
        cls.skip_unless_supported()
        if os.geteuid() != 0:
            raise RuntimeError("the lab integration tests need root (network namespaces, FRR)")
        perouterd = os.environ.get("PEROUTERD")
        if cls.NODE and not perouterd:
            raise RuntimeError("set PEROUTERD to the perouterd binary (CTest does)")
        cls.lab = Lab(cls.PREFIX, perouterd=perouterd, scenario=cls.SCENARIO)
        cls.addClassCleanup(cls._down)
        try:
            cls.lab.up(node=cls.NODE, prepare=cls.prepare)
        except BaseException:
            sys.stderr.write(cls.lab.diagnostics() + "\n")
            raise

    @classmethod
    def _down(cls) -> None:
        for w in cls.lab.down():
            sys.stderr.write(f"lab {cls.PREFIX} down: warning: {w}\n")

    def run(self, result=None):
        # Print the lab's state right after a failing test, while it still exists.
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before and getattr(self, "lab", None):
            sys.stderr.write(f"\n---- diagnostics after {self.id()}\n{self.lab.diagnostics()}\n")
        return out

    # --- assertion helpers ------------------------------------------------------------------

    def reload_after(self, write: Callable[[], Any], timeout: float = 30.0) -> float:
        """Runs write() (a change to the configuration files) and waits until perouterd has
        reloaded and applied it (RELOADING=1 then READY=1); returns when write() started."""
        t = time.monotonic()
        write()
        why = self.lab.notify.wait_sequence(["RELOADING=1", "READY=1"], t, timeout,
                                            self.lab.node_running, self.lab.node_pid())
        self.assertIsNone(why, f"no reload after a file change: {why}")
        return t

    def wait(self, cond: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
        try:
            return wait_for(cond, timeout, what=what)
        except TimeoutError as e:
            self.fail(str(e))

    def wait_established(self, timeout: float = 30.0) -> dict:
        """Steady state: the leaf's underlay session and the host's passthrough session are up."""
        self.wait(lambda: self.lab.leaf_session().get("bgpState") == "Established", timeout,
                  "leaf session to 192.168.11.3 Established")
        try:
            wait_for(lambda: self.lab.neighbor("host", F.PT_ROUTER_IP).get("bgpState") == "Established",
                     timeout, what="host passthrough session to 192.169.20.1 Established")
        except TimeoutError as e:
            # Both ends' own account (state machine, last reset, NHT) says why.
            detail = "\n".join(self.lab.vtysh(side, f"show bgp neighbors {peer}")
                               for side, peer in (("host", F.PT_ROUTER_IP), ("router", F.PT_HOST_IP)))
            self.fail(f"{e}\n{detail}")
        return self.lab.leaf_session()

    def wait_host_learned(self, timeout: float = 30.0) -> None:
        """Steady state of the host's routes: its speaker accepted every prefix the router sends
        it over the passthrough session and the host kernel has them (bgpd sends its first
        updates about a second after a session is up: a snapshot right after Established misses
        them)."""
        def learned() -> bool:
            sent = self.lab.neighbor("router", F.PT_HOST_IP).get("addressFamilyInfo", {}) \
                .get("ipv4Unicast", {}).get("sentPrefixCounter")
            got = self.lab.neighbor("host", F.PT_ROUTER_IP).get("addressFamilyInfo", {}) \
                .get("ipv4Unicast", {}).get("acceptedPrefixCounter")
            kernel = [r for r in perlab.routes(self.lab.host_ns) if r.get("protocol") == "bgp"]
            return bool(sent) and sent == got and len(kernel) >= got
        self.wait(learned, timeout, "host learned every prefix the router sends over passthrough")

    def wait_l2_ping(self, timeout: float = 30.0) -> None:
        self.wait(lambda: ping_once(self.lab.host_ns, perlab.L2_REMOTE_IP, count=1, timeout_s=0.5)[0],
                  timeout, "host pings 10.110.0.20 over VNI 110")

    def leaf_routes_from_router(self, vni: int) -> dict:
        """What the leaf has from this router for `vni`: zebra's remote VTEP, the type-3 route's
        RT and the leaf's FDB entries pointing at the router's VTEP (MACs from type-2 routes)."""
        vtep = perlab.ROUTER_VTEP
        have = {}
        if vtep in self.lab.remote_vteps("leaf", vni):
            have["remote VTEP"] = vtep
        rts = [rt for rt in self.lab.type3_routes("leaf").get(vtep, []) if rt.endswith(f":{vni}")]
        if rts:
            have["type-3 RT"] = rts
        macs = [e.get("mac") for e in perlab.bridge_json(self.lab.leaf_ns, "fdb", "show", "dev", f"vni{vni}")
                if e.get("dst") == vtep and e.get("mac") != "00:00:00:00:00:00"]
        if macs:
            have["FDB to the router"] = macs
        return have

    def wait_vni_advertised(self, vni: int, timeout: float = 30.0) -> None:
        """The leaf has the router as a remote VTEP of `vni` (its type-3 route arrived)."""
        self.wait(lambda: perlab.ROUTER_VTEP in self.lab.remote_vteps("leaf", vni), timeout,
                  f"leaf zebra: {perlab.ROUTER_VTEP} is a remote VTEP of VNI {vni}")

    def wait_vni_withdrawn(self, vni: int, timeout: float = 30.0) -> None:
        """The router withdrew `vni` from the fabric: the leaf no longer lists our VTEP for it,
        holds no type-3 route of ours with its RT and no FDB entry towards us on vni<vni>. (A
        ping from the host cannot show this: the host bridge is gone, so it always fails.)"""
        last: dict = {}

        def gone() -> bool:
            last.clear()
            last.update(self.leaf_routes_from_router(vni))
            return not last
        try:
            wait_for(gone, timeout, what=f"leaf withdraws VNI {vni} of {perlab.ROUTER_VTEP}")
        except TimeoutError as e:
            self.fail(f"{e}; the leaf still has {last}")

    def assertSnapshotEqual(self, before: dict, after: dict, when: str) -> None:
        """Same links (by ifindex), same router namespace, no session reset."""
        for key in ("router_links", "host_links"):
            b, a = before[key], after[key]
            changed = {n: (b[n], a.get(n)) for n in b if a.get(n) != b[n]}
            added = sorted(set(a) - set(b))
            self.assertFalse(changed or added,
                             f"{when}: {key} changed (name: (ifindex before, after)) {changed}, new {added}")
        self.assertEqual(before["router_netns"], after["router_netns"],
                         f"{when}: the router namespace was recreated")
        self.assertEqual(before["session"], after["session"], f"{when}: the leaf's session was reset")
        self.assertEqual(before["passthrough_session"], after["passthrough_session"],
                         f"{when}: the host's passthrough session was reset")


class BusLabTestCase(LabTestCase):
    """A lab whose perouterd serves its D-Bus API on a private system bus configured with the
    policy perouter ships (lab_bus.PrivateBus), and perouterctl against it. PEROUTERCTL names
    the perouterctl binary (CTest and the QEMU tier's payload set it)."""

    bus: PrivateBus
    ctl_bin: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.skip_unless_supported()
        cls.ctl_bin = os.environ.get("PEROUTERCTL", "")
        if not cls.ctl_bin:
            raise RuntimeError("set PEROUTERCTL to the perouterctl binary (CTest does)")
        cls.bus = PrivateBus(Path(f"/tmp/perlab-{cls.PREFIX}-bus")).start()
        cls.addClassCleanup(cls.bus.stop)
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = cls.bus.address
        cls.addClassCleanup(os.environ.pop, "DBUS_SYSTEM_BUS_ADDRESS", None)
        super().setUpClass()

    def ctl(self, *args: str, stdin: str | None = None,
            timeout: float = 150) -> "subprocess.CompletedProcess[str]":
        """perouterctl --root <the lab's root> ARGS."""
        return subprocess.run([self.ctl_bin, "--root", str(self.lab.root), *args], input=stdin,
                              capture_output=True, text=True, timeout=timeout)
