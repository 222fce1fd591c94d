"""A private D-Bus system bus for the lab, configured like Debian's system bus and including the
policy file perouter ships (dist/dbus/org.openperouter.Router1.conf), so that policy is what the
tests exercise. perouterd finds it through DBUS_SYSTEM_BUS_ADDRESS, clients through the same
variable or `busctl --address`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_POLICY = REPO_ROOT / "dist" / "dbus" / "org.openperouter.Router1.conf"

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow user="nobody"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


class PrivateBus:
    def __init__(self, directory: Path):
        self.dir = directory
        self.socket = directory / "system_bus_socket"
        self.address = f"unix:path={self.socket}"
        self.proc: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 10.0) -> "PrivateBus":
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o711)  # unprivileged test callers must reach the socket
        self.socket.unlink(missing_ok=True)  # a stale socket would look like a started bus
        conf = self.dir / "bus.conf"
        conf.write_text(CONFIG.format(socket=self.socket, policy=SHIPPED_POLICY))
        # --nofork: the bus is our child and cannot outlive a crashed test run.
        self.log = open(self.dir / "bus.log", "w")
        self.proc = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--nopidfile"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                err = (self.dir / "bus.log").read_text(errors="replace")
                raise RuntimeError(f"private dbus-daemon did not start: {err}")
            time.sleep(0.02)
        os.chmod(self.socket, 0o666)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def busctl(self, *args: str, user: Optional[str] = None, check: bool = True,
               timeout: float = 120.0) -> subprocess.CompletedProcess:
        argv = ["busctl", f"--address={self.address}", *args]
        if user:
            argv = ["setpriv", "--reuid", user, "--regid", "nogroup", "--clear-groups", *argv]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.strip()}")
        return p
