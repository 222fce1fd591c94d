"""A private Open vSwitch for a lab: its own ovsdb-server and ovs-vswitchd, with their database,
socket, pid, control and log files in one directory, never the system's openvswitch-switch.

The kernels the lab runs on have no openvswitch module, so bridges use OVS's userspace datapath
(datapath_type=netdev): ovs-vswitchd opens ports with packet sockets and gives each bridge a tap
device of its name. Both run inside the lab's host namespace (`netns`), where the ports and the
tap devices live; they talk over a unix socket in `directory` that perouterd reaches with
--ovsdb=unix:<directory>/db.sock.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Optional

from lab_shell import in_ns, pid_alive, read_pid_file, run, stop_pids, tail, wait_for

SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")
PROGRAMS = ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl")


def missing() -> Optional[str]:
    """Why a private Open vSwitch cannot run here (as a skip reason), or None."""
    for p in PROGRAMS:
        if shutil.which(p) is None:
            return f"{p} not found (install openvswitch-switch)"
    if not SCHEMA.exists():
        return f"{SCHEMA} not found (install openvswitch-common)"
    return None


def _atom(v: Any) -> Any:
    """OVSDB JSON: ["uuid", U] -> U; ["set", [...]] -> list; ["map", [[k, v]...]] -> dict."""
    if isinstance(v, list) and len(v) == 2 and v[0] in ("uuid", "named-uuid"):
        return v[1]
    if isinstance(v, list) and len(v) == 2 and v[0] == "set":
        return [_atom(x) for x in v[1]]
    if isinstance(v, list) and len(v) == 2 and v[0] == "map":
        return {k: _atom(x) for k, x in v[1]}
    return v


class OvsInstance:
    def __init__(self, directory: Path, netns: str):
        self.dir = Path(directory)
        self.netns = netns
        self.db_file = self.dir / "conf.db"
        self.sock = self.dir / "db.sock"
        self.env = dict(os.environ, OVS_RUNDIR=str(self.dir), OVS_LOGDIR=str(self.dir),
                        OVS_DBDIR=str(self.dir))

    @property
    def db(self) -> str:
        """The remote perouterd and ovs-vsctl use."""
        return f"unix:{self.sock}"

    def _pid(self, name: str) -> Optional[int]:
        pid = read_pid_file(self.dir / f"{name}.pid")
        return pid if pid and pid_alive(pid) else None

    def db_running(self) -> bool:
        return self._pid("ovsdb-server") is not None

    def switch_running(self) -> bool:
        return self._pid("ovs-vswitchd") is not None

    # --- start and stop ----------------------------------------------------------------------

    def start(self) -> None:
        self.start_db()
        self.start_switch()

    def start_db(self) -> None:
        """ovsdb-server on a database that survives a stop (so a restart keeps its rows)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fresh = not self.db_file.exists()
        if fresh:
            run(["ovsdb-tool", "create", str(self.db_file), str(SCHEMA)])
        run(in_ns(self.netns, "ovsdb-server", "--detach", "--no-chdir",
                  f"--pidfile={self.dir}/ovsdb-server.pid", f"--log-file={self.dir}/ovsdb-server.log",
                  f"--unixctl={self.dir}/ovsdb-server.ctl", f"--remote=punix:{self.sock}",
                  str(self.db_file)), env=self.env)
        wait_for(self.sock.exists, 10, what=f"ovsdb-server socket {self.sock}")
        if fresh:
            self.vsctl("--no-wait", "init")

    def start_switch(self) -> None:
        run(in_ns(self.netns, "ovs-vswitchd", "--detach", "--no-chdir",
                  f"--pidfile={self.dir}/ovs-vswitchd.pid", f"--log-file={self.dir}/ovs-vswitchd.log",
                  f"--unixctl={self.dir}/ovs-vswitchd.ctl", self.db), env=self.env)
        # Ready once it applied a change (ovs-vsctl without --no-wait waits for cur_cfg).
        self.vsctl("set", "Open_vSwitch", ".", "external_ids:perlab=ready")

    def stop_switch(self) -> None:
        pid = self._pid("ovs-vswitchd")
        if pid:
            stop_pids([pid])

    def stop_db(self) -> None:
        pid = self._pid("ovsdb-server")
        if pid:
            stop_pids([pid])
        self.sock.unlink(missing_ok=True)  # left behind when it had to be killed

    def stop(self) -> None:
        self.stop_switch()
        self.stop_db()

    # --- queries -------------------------------------------------------------------------------

    def vsctl(self, *args: str, check: bool = True) -> str:
        return run(["ovs-vsctl", f"--db={self.db}", "--timeout=10", *args], check=check,
                   env=self.env).stdout

    def table(self, table: str, *columns: str) -> list[dict]:
        """Rows of `table` as dicts (uuids as strings, sets as lists, maps as dicts)."""
        cols = ["--columns=" + ",".join(columns)] if columns else []
        j = json.loads(self.vsctl("--format=json", *cols, "list", table))
        return [{h: _atom(v) for h, v in zip(j["headings"], row)} for row in j["data"]]

    def bridges(self) -> dict[str, dict]:
        """name -> {"uuid", "datapath_type", "external_ids", "ports": {port name: port row}}."""
        ports = {p["_uuid"]: p for p in self.table("Port", "_uuid", "name", "external_ids")}
        out = {}
        for b in self.table("Bridge", "_uuid", "name", "datapath_type", "external_ids", "ports"):
            uuids = b["ports"] if isinstance(b["ports"], list) else [b["ports"]]
            out[b["name"]] = {"uuid": b["_uuid"], "datapath_type": b["datapath_type"],
                              "external_ids": b["external_ids"],
                              "ports": {ports[u]["name"]: ports[u] for u in uuids if u in ports}}
        return out

    def interface_errors(self) -> dict[str, Any]:
        return {i["name"]: i["error"] for i in self.table("Interface", "name", "error")}

    def logs(self) -> str:
        return "\n".join(f"== {n}\n{tail(self.dir / f'{n}.log', 30)}"
                         for n in ("ovsdb-server", "ovs-vswitchd"))
