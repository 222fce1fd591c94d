"""The D-Bus API against the real router: a private system bus with the shipped policy, perouterd
on it, runtime L2VNIs added and removed with busctl (traffic to the leaf's VNI 120 flows, then
stops), typed errors, an unprivileged caller denied, and the signals a client can follow."""

import json
import signal
import subprocess
import sys
import threading
import unittest
from pathlib import Path

from labcase import BusLabTestCase, add_leaf_l2vni
from perlab import addresses, links, ping_once, run, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

DEST = "org.openperouter.Router1"
PATH = "/org/openperouter/Router1"
MANAGER = "org.openperouter.Router1.Manager"
VPN_IFACE = "org.openperouter.Router1.Vpn"
L2_120 = '[[l2vni]]\nname = "l2-120"\nvni = 120\nhost_master = { type = "linux-bridge", lifecycle = "managed" }\n'
REMOTE_120 = "10.120.0.20"


class BusMonitor:
    """`busctl monitor --json=short NAME` as a child, its messages collected by a thread while
    the test runs. busctl drops messages until its BecomeMonitor call completed, so
    subscribe() sends pings to NAME until the monitor shows one: from then on it sees all."""

    def __init__(self, address: str, name: str):
        self.name = name
        self.address = address
        # stdbuf: busctl's stdout is a pipe here, which stdio would buffer until exit.
        self.proc = subprocess.Popen(["stdbuf", "-oL", "busctl", f"--address={address}", "--json=short",
                                      "monitor", name],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.startswith("{"):
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                with self._lock:
                    self.messages.append(m)

    def members(self) -> list[str]:
        with self._lock:
            return [m.get("member") for m in self.messages]

    def subscribe(self, timeout: float = 30.0) -> None:
        def seen_ping() -> bool:
            subprocess.run(["busctl", f"--address={self.address}", "call", self.name, "/",
                            "org.freedesktop.DBus.Peer", "Ping"], capture_output=True, timeout=30)
            return wait_ping_seen()

        def wait_ping_seen() -> bool:
            try:
                wait_for(lambda: "Ping" in self.members(), 0.5, what="monitor shows a Ping")
                return True
            except TimeoutError:
                return False
        wait_for(seen_ping, timeout, interval=0, what=f"busctl monitor of {self.name} sees our Ping")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._thread.join(timeout=10)


class DbusTest(BusLabTestCase):
    PREFIX = "plt14"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        add_leaf_l2vni(cls.lab, 120, REMOTE_120)

    # --- helpers -------------------------------------------------------------------------

    def busctl(self, *args, **kw):
        return self.bus.busctl(*args, **kw)

    def prop(self, path: str, iface: str, name: str):
        p = self.busctl("--json=short", "get-property", DEST, path, iface, name)
        return json.loads(p.stdout)["data"]

    def call_error(self, method: str, *args: str) -> str:
        """The D-Bus error name and message of a failing Manager call (dbus-send prints both)."""
        p = subprocess.run(["dbus-send", f"--bus={self.bus.address}", "--print-reply", "--reply-timeout=120000",
                            f"--dest={DEST}", PATH, f"{MANAGER}.{method}", *args],
                           capture_output=True, text=True, timeout=150)
        self.assertNotEqual(p.returncode, 0, f"{method} unexpectedly succeeded: {p.stdout}")
        return p.stderr.strip()

    def run_file(self, name: str) -> Path:
        return self.lab.root / "run" / "perouter" / "perouter.d" / name

    # --- tests ---------------------------------------------------------------------------

    def test_1_manager_properties(self):
        self.wait(lambda: self.prop(PATH, MANAGER, "UnderlayState") == "established", 60,
                  "UnderlayState established")
        self.assertEqual(self.prop(PATH, MANAGER, "State"), "running")
        self.assertEqual(self.prop(PATH, MANAGER, "LastError"), "")
        self.assertTrue(self.prop(PATH, MANAGER, "Version"))
        d = json.loads(json.loads(self.busctl("--json=short", "call", DEST, PATH, MANAGER, "Describe").stdout)
                       ["data"][0])
        self.assertTrue(d["online"])
        self.assertEqual([v["name"] for v in d["vpns"]], ["l2-110"])

    def test_2_add_and_remove_l2vni_with_busctl(self):
        self.wait_established()
        monitor = BusMonitor(self.bus.address, DEST)
        self.addCleanup(monitor.close)
        monitor.subscribe()

        p = self.busctl("call", DEST, PATH, MANAGER, "AddVpn", "ssb", "l2-120", L2_120, "false")
        vpn_path = p.stdout.split('"')[1]
        # AddVpn returns once applied: the objects exist now, not eventually.
        self.assertIn("vni120", links(self.lab.router_ns))
        self.assertIn("br-hs-120", links(self.lab.host_ns))
        self.assertTrue(self.run_file("50-l2-120.toml").exists())
        self.assertEqual(self.prop(vpn_path, VPN_IFACE, "State"), "configured")
        self.assertEqual(self.prop(vpn_path, VPN_IFACE, "Vni"), 120)
        self.assertEqual(self.prop(vpn_path, VPN_IFACE, "Source"), str(self.run_file("50-l2-120.toml")))

        run(["ip", "-n", self.lab.host_ns, "addr", "add", "10.120.0.10/24", "dev", "br-hs-120"])
        self.wait(lambda: ping_once(self.lab.host_ns, REMOTE_120, count=1, timeout_s=0.5)[0], 30,
                  "host pings 10.120.0.20 over the runtime VNI 120")
        self.wait_vni_advertised(120)

        self.busctl("call", DEST, PATH, MANAGER, "RemoveVpn", "s", "l2-120")
        self.assertNotIn("vni120", links(self.lab.router_ns))
        self.assertNotIn("br-hs-120", links(self.lab.host_ns))
        self.assertFalse(self.run_file("50-l2-120.toml").exists())
        # Traffic to VNI 120 stops: the fabric no longer sends it to this router.
        self.wait_vni_withdrawn(120)

        want = ["InterfacesAdded", "InterfacesRemoved", "PropertiesChanged"]
        try:
            wait_for(lambda: all(m in monitor.members() for m in want), 30, what=f"monitor shows {want}")
        except TimeoutError as e:
            self.fail(f"{e}; it saw {monitor.members()}")

    def test_3_typed_errors(self):
        err = self.call_error("AddVpn", "string:bad", 'string:[[l2vni]]\nname = "bad"\nvni = 0\n', "boolean:false")
        self.assertIn("org.openperouter.Router1.Error.InvalidConfig", err)
        self.assertIn("50-bad.toml:3:7:", err)
        self.assertFalse(self.run_file("50-bad.toml").exists(), "a rejected VPN was written")
        self.assertIn("org.openperouter.Router1.Error.VpnExists",
                      self.call_error("AddVpn", "string:l2-110", 'string:[[l2vni]]\nname = "l2-110"\nvni = 111\n',
                                      "boolean:false"))
        self.assertIn("org.openperouter.Router1.Error.ReadOnly", self.call_error("RemoveVpn", "string:l2-110"))
        self.assertIn("org.openperouter.Router1.Error.NoSuchVpn", self.call_error("RemoveVpn", "string:nope"))
        errors = json.loads(self.busctl("--json=short", "call", DEST, PATH, MANAGER, "Validate", "s",
                                        '[[l2vni]]\nname = "x"\nvni = 110\n').stdout)["data"][0]
        self.assertTrue(any("duplicate vni 110" in e for e in errors), errors)

    def test_4_unprivileged_caller(self):
        p = self.busctl("call", DEST, PATH, MANAGER, "AddVpn", "ssb", "l2-120", L2_120, "false",
                        user="nobody", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Access denied", p.stderr)
        self.assertNotIn("vni120", links(self.lab.router_ns))
        p = self.busctl("call", DEST, PATH, MANAGER, "Reload", user="nobody", check=False)
        self.assertIn("Access denied", p.stderr)
        # Reading is open to everyone.
        p = self.busctl("get-property", DEST, PATH, MANAGER, "State", user="nobody")
        self.assertIn("running", p.stdout)

    def test_5_reload_rejects_a_bad_file_and_keeps_the_router(self):
        self.wait_established()
        before = self.lab.snapshot()
        bad = self.lab.dropin_dir / "85-bad.toml"
        bad.write_text('[[l2vni]]\nname = "x"\nvni = 99999999\n')
        try:
            err = self.call_error("Reload")
            self.assertIn("org.openperouter.Router1.Error.InvalidConfig", err)
            self.assertIn(f"{bad}:3:7:", err)
            self.assertIn(f"{bad}:3:7", self.prop(PATH, MANAGER, "LastError"))
            self.assertSnapshotEqual(before, self.lab.snapshot(), "after a rejected Reload")
        finally:
            bad.unlink()
        self.busctl("call", DEST, PATH, MANAGER, "Reload")
        self.assertEqual(self.prop(PATH, MANAGER, "State"), "running")


if __name__ == "__main__":
    unittest.main()
