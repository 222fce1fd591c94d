"""host_master type "ovs-bridge": the host end of an L2VNI as a port of an Open vSwitch bridge.

The lab's host namespace runs a private Open vSwitch (tests/lab/lab_ovs.py: its own ovsdb-server
and ovs-vswitchd, files under the lab directory, userspace datapath because this kernel has no
openvswitch module); perouterd reaches it with --ovsdb=unix:<lab>/ovs/db.sock --ovs-datapath=netdev.
  - managed: perouterd creates br-hs-110 (external_ids:created-by=perouter) with the port
    host-e-110; the workload address on the bridge's own device pings 10.110.0.20 behind the leaf;
  - a restart adopts bridge, port and veth (same OVSDB rows, same ifindexes, no lost pings);
  - external: a bridge the test made, with a "VM" port on it, and the VPN's drop-in as
    `perouterctl vpn add --ovs-bridge br-ext --print` builds it; perouterd adds and removes only
    host-e-120, the VM behind the bridge pings 10.120.0.20, the bridge survives the VPN's removal;
  - Open vSwitch stopped: an apply error of the OVS VPN in the status, the underlay and the
    passthrough sessions stay up; OVS back: the error clears and traffic flows again;
  - back to a Linux bridge: our OVS bridge is deleted, the Linux br-hs-110 is made instead;
  - --teardown deletes our OVS bridge and leaves the operator's.
"""

import os
import shutil
import subprocess
import sys
import unittest

from labcase import F, LabTestCase, perlab  # puts tests/lab on sys.path
from perlab import Lab, Pinger, addresses, links, ping_once

import lab_ovs  # noqa: E402

SKIP = lab_ovs.missing()
OURS = {"created-by": "perouter"}
EXT_REMOTE_IP = "10.120.0.20"
EXT_VM_IP = "10.120.0.10"


@unittest.skipIf(SKIP, SKIP or "")
class OvsTest(LabTestCase):
    PREFIX = "plt24"

    @classmethod
    def setUpClass(cls) -> None:
        # LabTestCase.setUpClass, with Open vSwitch started between the lab and perouterd (the
        # lab's up() starts from a clean directory, which is where OVS keeps its files).
        if os.geteuid() != 0:
            raise RuntimeError("the lab integration tests need root (network namespaces, FRR)")
        perouterd = os.environ.get("PEROUTERD")
        if not perouterd:
            raise RuntimeError("set PEROUTERD to the perouterd binary (CTest does)")
        cls.ctl_bin = os.environ.get("PEROUTERCTL")
        if not cls.ctl_bin:
            raise RuntimeError("set PEROUTERCTL to the perouterctl binary (CTest does)")
        cls.lab = Lab(cls.PREFIX, perouterd=perouterd, scenario="l2")
        cls.ovs = lab_ovs.OvsInstance(cls.lab.labdir / "ovs", cls.lab.host_ns)
        cls.lab.node_args = ("--ovsdb", cls.ovs.db, "--ovs-datapath", "netdev")
        cls.addClassCleanup(cls._down)
        try:
            cls.lab.up(node=False, host_speaker=False)
            cls.addClassCleanup(cls.ovs.stop)  # runs before _down: the lab directory goes last
            cls.ovs.start()
            shutil.copyfile(perlab.EXAMPLES / "l2-ovs.toml", cls.lab.dropin_dir / "50-l2-ovs.toml")
            cls.lab.start_node()
            cls.lab.host.start()
            cls.lab.host.apply(F.host_config(False))
        except BaseException:
            sys.stderr.write(cls.lab.diagnostics() + "\n" + cls.ovs.logs() + "\n")
            raise

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            try:
                sys.stderr.write(f"---- OVS\n{self.ovs.vsctl('show', check=False)}\n{self.ovs.logs()}\n")
            except Exception as e:  # noqa: BLE001 - diagnostics must never raise
                sys.stderr.write(f"---- OVS: {e}\n")
        return out

    # --- helpers -------------------------------------------------------------------------------

    def plug_workload(self, dev: str, address: str) -> None:
        """The workload address on an OVS device of the host namespace (a bridge's own device or
        an internal port), once ovs-vswitchd made it; it makes it again after a restart."""
        ns = self.lab.host_ns
        self.wait(lambda: dev in links(ns), 20, f"ovs-vswitchd creates {dev} in the host namespace")
        if f"{address}/24" not in addresses(ns, dev):
            perlab.run(["ip", "-n", ns, "addr", "add", f"{address}/24", "dev", dev])
        perlab.run(["ip", "-n", ns, "link", "set", dev, "up"])

    def wait_ovs(self, cond, what: str, timeout: float = 20.0):
        return self.wait(lambda: cond(self.ovs.bridges()), timeout, what)

    def status(self) -> str:
        s = self.lab.notify.statuses()
        return s[-1] if s else ""

    def managed_ready(self) -> dict:
        """Our managed bridge with our port in OVSDB, and the workload address on its device."""
        def ours(bs: dict):
            b = bs.get("br-hs-110")
            return b if b and "host-e-110" in b["ports"] else None
        b = self.wait_ovs(ours, "OVS bridge br-hs-110 with port host-e-110")
        self.plug_workload("br-hs-110", perlab.L2_HOST_IP)
        return b

    # --- tests (they run in name order and share the lab) -----------------------------------------

    def test_1_managed_bridge_carries_traffic(self):
        b = self.managed_ready()
        self.assertEqual(b["external_ids"], OURS, "our bridge carries the mark")
        self.assertEqual(b["datapath_type"], "netdev", "--ovs-datapath=netdev")
        self.assertEqual(b["ports"]["host-e-110"]["external_ids"], OURS, "our port carries the mark")
        self.assertEqual(set(b["ports"]), {"br-hs-110", "host-e-110"})
        h = links(self.lab.host_ns)
        self.assertEqual(h["host-e-110"]["linkinfo"]["info_kind"], "veth")
        self.assertNotIn("master", h["host-e-110"], "the userspace datapath has no kernel master")
        self.assertIn("UP", h["host-e-110"]["flags"])
        self.assertEqual(h["host-e-110"]["mtu"], perlab.UNDERLAY_MTU - 50)
        self.assertNotEqual(h["br-hs-110"].get("linkinfo", {}).get("info_kind"), "bridge",
                            "br-hs-110 is OVS's device, not a Linux bridge")
        self.wait(lambda: not self.ovs.interface_errors().get("host-e-110"), 10,
                  "ovs-vswitchd opened host-e-110")
        self.wait_established()
        self.wait_l2_ping()
        ok, summary = ping_once(self.lab.host_ns, perlab.L2_REMOTE_IP, count=5)
        self.assertTrue(ok, summary)
        self.assertEqual(self.lab.node_cmd("--diff").returncode, 0, "--diff after apply is empty")

    def test_2_restart_adopts_without_flapping(self):
        self.managed_ready()
        self.wait_established()
        self.wait_l2_ping()
        before, rows = self.lab.snapshot(), self.ovs.bridges()
        log_start = len(self.lab.node_log_text())
        with Pinger(self.lab.host_ns, perlab.L2_REMOTE_IP, interval=0.05) as ping:
            ping.wait_replies(20)
            self.assertEqual(self.lab.stop_node(), 0)
            n = ping.replies()
            self.lab.start_node()
            ping.wait_replies(n + 20)
            result = ping.stop()
        self.assertLessEqual(result.lost, 1, f"ping across the restart: {result}")
        self.assertSnapshotEqual(before, self.lab.snapshot(), "after restart")
        after = self.ovs.bridges()
        self.assertEqual(after["br-hs-110"]["uuid"], rows["br-hs-110"]["uuid"], "bridge recreated")
        self.assertEqual(after["br-hs-110"]["ports"]["host-e-110"]["_uuid"],
                         rows["br-hs-110"]["ports"]["host-e-110"]["_uuid"], "port recreated")
        changes = [l for l in self.lab.node_log_text()[log_start:].splitlines() if "ovs: " in l]
        self.assertEqual(changes, [], "the restarted perouterd changed OVS")

    def test_3_external_bridge_only_our_port(self):
        lab, ovs = self.lab, self.ovs
        self.wait_established()
        lab.add_leaf_l2vni(120, EXT_REMOTE_IP)
        # The operator's bridge, with a VM's port (an internal port plays the VM's interface).
        ovs.vsctl("add-br", "br-ext", "--", "set", "Bridge", "br-ext", "datapath_type=netdev",
                  "--", "add-port", "br-ext", "vm-120", "--", "set", "Interface", "vm-120", "type=internal")
        ext = ovs.bridges()["br-ext"]
        # The drop-in as perouterctl builds it from flags (--print contacts no daemon).
        p = subprocess.run([self.ctl_bin, "vpn", "add", "l2-120", "--l2vni", "--vni", "120",
                            "--ovs-bridge", "br-ext", "--print"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, '[[l2vni]]\nname = "l2-120"\nvni = 120\n'
                         'host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-ext" }\n')
        dropin = lab.dropin_dir / "60-l2-120.toml"
        dropin.write_text(p.stdout)
        lab.reload_node()
        b = self.wait_ovs(lambda bs: bs["br-ext"] if "host-e-120" in bs["br-ext"]["ports"] else None,
                          "port host-e-120 on br-ext")
        self.assertEqual(b["uuid"], ext["uuid"])
        self.assertEqual(b["external_ids"], {}, "the operator's bridge is not marked")
        self.assertEqual(b["ports"]["host-e-120"]["external_ids"], OURS)
        self.assertNotIn("br-hs-120", ovs.bridges(), "no managed bridge for an external master")
        self.plug_workload("vm-120", EXT_VM_IP)
        self.wait(lambda: ping_once(lab.host_ns, EXT_REMOTE_IP, count=1, timeout_s=0.5)[0], 30,
                  f"the VM behind br-ext pings {EXT_REMOTE_IP} over VNI 120")

        dropin.unlink()
        lab.reload_node()
        self.wait_ovs(lambda bs: "host-e-120" not in bs["br-ext"]["ports"], "port host-e-120 removed")
        self.wait(lambda: "host-e-120" not in links(lab.host_ns), 20, "veth host-e-120 removed")
        after = ovs.bridges()
        self.assertEqual(after["br-ext"]["uuid"], ext["uuid"], "br-ext survives the VPN's removal")
        self.assertEqual(set(after["br-ext"]["ports"]), {"br-ext", "vm-120"}, "the VM's port stays")
        self.assertIn("host-e-110", after["br-hs-110"]["ports"], "the other VPN is untouched")
        self.wait_vni_withdrawn(120)

    def test_4_ovs_down_is_an_apply_error_of_its_vpn_only(self):
        lab = self.lab
        self.managed_ready()
        self.wait_established()
        sessions = (lab.session_identity(), lab.passthrough_identity())
        self.ovs.stop()
        lab.reload_node()
        self.wait(lambda: "l2-110: Open vSwitch is not running" in self.status(), 20,
                  "STATUS= names the VPN and says Open vSwitch is not running")
        self.assertIn("apply error", self.status())
        self.assertTrue(lab.node_running(), "perouterd exited without Open vSwitch")
        self.assertEqual((lab.session_identity(), lab.passthrough_identity()), sessions,
                         "a session was reset")
        self.assertIn("host-e-110", links(lab.host_ns), "the veth stays")

        self.ovs.start()  # same database: our bridge and port are still in it
        lab.reload_node()
        self.wait(lambda: "apply error" not in self.status(), 30, "the apply error clears")
        self.managed_ready()
        self.wait_l2_ping()
        self.assertEqual((lab.session_identity(), lab.passthrough_identity()), sessions)

    def test_5_back_to_a_linux_bridge_deletes_our_ovs_bridge(self):
        lab = self.lab
        self.managed_ready()
        (lab.dropin_dir / "50-l2-ovs.toml").unlink()  # l2-110 of l2-passthrough.toml: Linux bridge
        lab.reload_node()
        self.wait_ovs(lambda bs: "br-hs-110" not in bs, "OVS bridge br-hs-110 deleted")
        self.wait(lambda: links(lab.host_ns).get("br-hs-110", {}).get("linkinfo", {}).get("info_kind")
                  == "bridge" and links(lab.host_ns)["host-e-110"].get("master") == "br-hs-110", 30,
                  "Linux bridge br-hs-110 with host-e-110")
        self.assertIn("br-ext", self.ovs.bridges(), "the operator's bridge is never deleted")
        self.wait(lambda: "apply error" not in self.status(), 30, "no apply error after the switch")
        if f"{perlab.L2_HOST_IP}/24" not in addresses(lab.host_ns, "br-hs-110"):
            perlab.run(["ip", "-n", lab.host_ns, "addr", "add", f"{perlab.L2_HOST_IP}/24", "dev",
                        "br-hs-110"])
        self.wait_l2_ping()

    def test_6_teardown_removes_our_bridge_only(self):
        lab = self.lab
        shutil.copyfile(perlab.EXAMPLES / "l2-ovs.toml", lab.dropin_dir / "50-l2-ovs.toml")
        lab.reload_node()
        self.managed_ready()
        self.assertEqual(lab.stop_node(), 0)
        self.assertIn("br-hs-110", self.ovs.bridges(), "perouterd's exit tore the bridge down")
        p = lab.node_cmd("--teardown")
        self.assertEqual(p.returncode, 0, f"--teardown: {p.stdout}{p.stderr}")
        bridges = self.ovs.bridges()
        self.assertNotIn("br-hs-110", bridges, "teardown leaves our OVS bridge")
        self.assertEqual(set(bridges), {"br-ext"}, "teardown touched the operator's bridge")
        self.assertEqual(set(bridges["br-ext"]["ports"]), {"br-ext", "vm-120"})


if __name__ == "__main__":
    unittest.main()
