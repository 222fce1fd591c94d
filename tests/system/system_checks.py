"""What the system tier's payloads (nspawn/payload.py, qemu/payload.py) share: the PASS/FAIL
report and small views of systemd and the router namespace, all read from inside the booted
system (systemd as PID 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
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

    # A check still running after this long prints a STALL line (what runs and where each
    # process waits), and again every as long: a VM killed at its boot timeout then still says
    # which step hung and whether the guest was alive at all.
    STALL_AFTER = 150.0

    def check(self, name: str, probe: Callable[[], "tuple[bool, str]"]) -> bool:
        t0 = time.monotonic()
        done = threading.Event()
        reporter = threading.Thread(target=self._stall_reporter, args=(name, t0, done), daemon=True)
        reporter.start()
        try:
            ok, evidence = probe()
        except Exception as e:  # noqa: BLE001 - a check that cannot even look has failed
            ok, evidence = False, f"{type(e).__name__}: {e}"
        finally:
            done.set()
        evidence = " ".join(str(evidence).split())
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self.line(f"{'PASS' if ok else 'FAIL'} {self.prefix}{name}: {evidence} "
                  f"({time.monotonic() - t0:.1f} s)")
        return ok

    def _stall_reporter(self, name: str, t0: float, done: threading.Event) -> None:
        while not done.wait(self.STALL_AFTER):
            self.line(f"STALL {self.prefix}{name}: running for {time.monotonic() - t0:.0f} s; "
                      f"{stall_snapshot(t0)}")

    def time(self, name: str, seconds: float) -> None:
        """A TIME line: an event's CLOCK_MONOTONIC second, for the benchmarks."""
        self.times[name] = round(seconds, 3)
        self.line(f"TIME {self.prefix}{name} {seconds:.3f}")


def stall_snapshot(since: float) -> str:
    """The processes started after CLOCK_MONOTONIC second `since` (what the stalled check runs)
    and every process in uninterruptible sleep, each with its state, kernel wait channel and
    (state D) kernel stack: where a hung step waits."""
    hz = os.sysconf("SC_CLK_TCK")
    boot_offset = time.monotonic() - float(Path("/proc/uptime").read_text().split()[0])
    lines = []
    for d in sorted(Path("/proc").glob("[0-9]*"), key=lambda p: int(p.name)):
        try:
            cmd = " ".join((d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split())
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            state, started = fields[0], int(fields[19]) / hz + boot_offset
            if not cmd or (started < since and state != "D"):
                continue
            wchan = (d / "wchan").read_text().strip() or "-"
            entry = f"[{d.name} {state} {wchan} {time.monotonic() - started:.0f}s] {cmd[:100]}"
            if state == "D":
                try:
                    stack = [x.split()[-1] for x in (d / "stack").read_text().splitlines()[:6]]
                    entry += " stack " + "<".join(stack)
                except OSError:
                    pass
            lines.append(entry)
        except (OSError, IndexError, ValueError):
            continue
    return "started since and D-state processes: " + (" | ".join(lines) or "none")


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
