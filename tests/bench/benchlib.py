"""Measuring helpers of tests/bench/run.py: cheap observers of a namespace's links and of an FRR
instance, a timer that polls a condition, and the statistics of the samples.

The observers must not dominate the 2 cores they measure on, so neither forks per poll:
  * LinkProbe keeps one helper process inside the namespace (`ip netns exec NS python3`, which
    mounts that namespace's sysfs) and asks it for the names in /sys/class/net (~1 ms per poll
    for 5000 links, against 30-60 ms for `ip -o link`), or only whether a few links exist or
    are up (~0.1 ms).
  * Vty talks to an FRR daemon's vty socket (<dir>/zebra.vty, bgpd.vty) directly with vtysh's
    wire protocol (command + NUL; the answer ends with three NULs and a status byte): 0.1 ms per
    command against ~30 ms for a `vtysh -c` process.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

POLL_S = 0.01  # interval of every poll inside a measured interval

_PROBE_CODE = r"""
import os, sys
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "L":
        out = " ".join(os.listdir("/sys/class/net"))
    elif words[0] == "E":  # "E name...": 1 per name that exists, 0 otherwise
        out = " ".join("1" if os.path.exists(f"/sys/class/net/{n}") else "0" for n in words[1:])
    else:  # "U name...": 1 per name whose IFF_UP flag is set, 0 otherwise (also when missing)
        flags = []
        for n in words[1:]:
            try:
                with open(f"/sys/class/net/{n}/flags") as f:
                    flags.append("1" if int(f.read(), 16) & 1 else "0")
            except OSError:
                flags.append("0")
        out = " ".join(flags)
    sys.stdout.write(out + "\n")
    sys.stdout.flush()
"""


class LinkProbe:
    """The link names of one namespace, from a helper process living in it."""

    def __init__(self, netns: str):
        self.netns = netns
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, "python3", "-c", _PROBE_CODE],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)

    def _ask(self, line: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def names(self) -> set[str]:
        return set(self._ask("L").split())

    def none_exist(self, names: Iterable[str]) -> bool:
        names = list(names)
        return all(f == "0" for f in self._ask("E " + " ".join(names)).split()) if names else True

    def all_up(self, names: Iterable[str]) -> bool:
        names = list(names)
        return all(f == "1" for f in self._ask("U " + " ".join(names)).split()) if names else True

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Vty:
    """One FRR daemon's vty socket (vtysh's protocol), in enable mode."""

    def __init__(self, path: Path):
        self.path = path
        self.sock: Optional[socket.socket] = None

    def _connect(self) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(self.path))
        self.sock = s
        self._send("enable")
        return s

    def _send(self, command: str) -> tuple[str, int]:
        assert self.sock
        self.sock.sendall(command.encode() + b"\0")
        buf = b""
        while not (len(buf) >= 4 and buf[-4:-1] == b"\0\0\0"):
            d = self.sock.recv(1 << 20)
            if not d:
                raise ConnectionError(f"{self.path}: closed")
            buf += d
        return buf[:-4].decode(errors="replace"), buf[-1]

    def run(self, command: str) -> str:
        """The command's output; reconnects once (the daemon may have been restarted)."""
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self._connect()
                return self._send(command)[0]
            except OSError:
                self.close()
                if attempt:
                    raise
        return ""

    def close(self) -> None:
        if self.sock:
            self.sock.close()
            self.sock = None


def poll_until(cond: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll cond every POLL_S until true; returns time.monotonic() of the first true answer.
    A probe that raises counts as "not yet"."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            if cond():
                return time.monotonic()
        except Exception as e:  # noqa: BLE001 - a failing probe means "not yet"
            last = e
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not true after {timeout:.0f} s (last error: {last!r})")
        time.sleep(POLL_S)


def cpu_jiffies(pids: Iterable[int]) -> int:
    """utime + stime of the processes (all their threads), in clock ticks."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def settle(pids: Callable[[], list[int]], max_s: float = 120.0, window: float = 0.5,
           busy_ticks: int = 2) -> float:
    """Between measurements, never inside one: wait until the processes under test (perouterd
    and the lab's FRR daemons) are idle, at most busy_ticks clock ticks (2 = 4 % of a CPU) in
    each of two consecutive windows, so that FRR's churn after a big step does not land in the
    next measurement. Judged by those processes only: other work on the machine must not stall
    the run. Returns the seconds waited."""
    t0 = time.monotonic()
    quiet = 0
    while quiet < 2 and time.monotonic() - t0 < max_s:
        ps = pids()
        c0 = cpu_jiffies(ps)
        time.sleep(window)
        quiet = quiet + 1 if cpu_jiffies(ps) - c0 <= busy_ticks else 0
    return time.monotonic() - t0


def machine_busy(seconds: float = 1.0) -> float:
    """Fraction of all CPUs busy over `seconds` (/proc/stat), to report load from elsewhere."""
    def times() -> tuple[int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - v[4], sum(v)
    b0, n0 = times()
    time.sleep(seconds)
    b1, n1 = times()
    return (b1 - b0) / max(n1 - n0, 1)


def summary(samples: list[float]) -> dict:
    if not samples:
        return {}
    return {"min": min(samples), "median": statistics.median(samples), "max": max(samples),
            "n": len(samples)}


def fmt_s(x: Optional[float]) -> str:
    """Seconds as ms below 10 s ("84 ms"), else seconds ("12.3 s")."""
    if x is None:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"
