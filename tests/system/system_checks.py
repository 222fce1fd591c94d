"""What the system tier's payloads (nspawn/payload.py, qemu/payload.py) share: the PASS/FAIL
report and small views of systemd and the router namespace, all read from inside the booted
system (systemd as PID 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))

from lab_shell import links, run  # noqa: E402

NETNS = "perouter"


class Report:
    """One line per check, `PASS <check>: evidence (t s)` or `FAIL ...`, on the console and in
    DIRECTORY/results.txt (synced after every line: a VM or container that dies mid-run still
    leaves what it found). `console` prefixes the console copy (the QEMU tier greps its serial
    log for it); `name_prefix` prefixes every check name (a second boot's checks)."""

    def __init__(self, directory: Path, console: str = "", name_prefix: str = ""):
        directory.mkdir(parents=True, exist_ok=True)
        self.dir = directory
        self.console = console
        self.prefix = name_prefix
        self.file = open(directory / "results.txt", "w", buffering=1)
        self.passed = 0
        self.failed = 0
        self.times: dict[str, float] = {}

    def line(self, text: str) -> None:
        print(f"{self.console}{text}", flush=True)
        self.file.write(text + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def check(self, name: str, probe: Callable[[], "tuple[bool, str]"]) -> bool:
        t0 = time.monotonic()
        try:
            ok, evidence = probe()
        except Exception as e:  # noqa: BLE001 - a check that cannot even look has failed
            ok, evidence = False, f"{type(e).__name__}: {e}"
        evidence = " ".join(str(evidence).split())
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self.line(f"{'PASS' if ok else 'FAIL'} {self.prefix}{name}: {evidence} "
                  f"({time.monotonic() - t0:.1f} s)")
        return ok

    def time(self, name: str, seconds: float) -> None:
        """A TIME line: an event's CLOCK_MONOTONIC second, for the benchmarks."""
        self.times[name] = round(seconds, 3)
        self.line(f"TIME {self.prefix}{name} {seconds:.3f}")


def systemctl(*args: str, timeout: float = 180.0) -> subprocess.CompletedProcess:
    return run(["systemctl", *args], check=False, timeout=timeout)


def show(unit: str, *props: str) -> dict[str, str]:
    out = run(["systemctl", "show", unit, "-p", ",".join(props)]).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def mono(unit: str, prop: str) -> float:
    """A unit's CLOCK_MONOTONIC timestamp in seconds (the clock of time.monotonic()); 0 = never."""
    return int(show(unit, prop).get(prop, "0") or 0) / 1e6


def main_pid(unit: str) -> int:
    return int(show(unit, "MainPID").get("MainPID", "0") or 0)


def failed_units() -> list[str]:
    out = systemctl("list-units", "--state=failed", "--no-legend", "--plain").stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def router_links(netns: str = NETNS) -> dict[str, dict]:
    """The router namespace's links by name; empty while the namespace does not exist."""
    return links(netns) if Path("/run/netns", netns).exists() else {}


def pid_netns(pid: Optional[int]) -> Optional[tuple[int, int]]:
    """The network namespace of a process as (st_dev, st_ino); None if it is gone."""
    try:
        st = os.stat(f"/proc/{pid}/ns/net")
    except (OSError, TypeError):
        return None
    return (st.st_dev, st.st_ino)
