"""A background ping that counts lost replies, to prove that an operation does not disturb traffic."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

from lab_shell import in_ns, wait_for

_REPLY = re.compile(r"bytes from .*icmp_seq=(\d+)")
_SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) received")


@dataclass
class PingResult:
    transmitted: int
    received: int
    lost_seqs: list[int] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return len(self.lost_seqs)

    def __str__(self) -> str:
        s = f"{self.transmitted} sent, {self.received} replies, {self.lost} lost"
        return s + (f" (icmp_seq {self.lost_seqs[:20]})" if self.lost_seqs else "")


class Pinger:
    """`ping -i INTERVAL DST` inside a namespace, running until stop().

    A reply counts per icmp_seq; the last request (possibly still in flight when ping is stopped)
    is not counted as lost.
    """

    def __init__(self, netns: str, dst: str, interval: float = 0.05):
        self.netns, self.dst, self.interval = netns, dst, interval
        self._replied: set[int] = set()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._output: list[str] = []

    def start(self) -> "Pinger":
        self._proc = subprocess.Popen(
            in_ns(self.netns, "ping", "-n", "-O", "-i", str(self.interval), self.dst),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self._proc and self._proc.stdout
        for line in self._proc.stdout:
            m = _REPLY.search(line)
            with self._lock:
                self._output.append(line.rstrip("\n"))
                if m:
                    self._replied.add(int(m.group(1)))

    def replies(self) -> int:
        with self._lock:
            return len(self._replied)

    def lost_so_far(self) -> list[int]:
        """icmp_seq numbers below the newest reply that have none yet: lost unless a reply comes
        out of order. For attributing loss to the rounds of a long run; stop() has the final count."""
        with self._lock:
            replied = set(self._replied)
        return [s for s in range(1, max(replied, default=0)) if s not in replied]

    def wait_replies(self, n: int, timeout: float = 10.0) -> None:
        wait_for(lambda: self.replies() >= n, timeout,
                 what=f"{n} ping replies from {self.dst} in {self.netns}")

    def stop(self) -> PingResult:
        assert self._proc
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._reader:
            self._reader.join(timeout=2)
        if self._proc.stdout:
            self._proc.stdout.close()
        with self._lock:
            text = "\n".join(self._output)
            replied = set(self._replied)
        m = _SUMMARY.search(text)
        transmitted = int(m.group(1)) if m else (max(replied) if replied else 0)
        lost = [s for s in range(1, transmitted) if s not in replied]
        return PingResult(transmitted, len(replied), lost)

    def __enter__(self) -> "Pinger":
        return self.start()

    def __exit__(self, *exc) -> None:
        if self._proc and self._proc.poll() is None:
            self.stop()


def ping_once(netns: str, dst: str, count: int = 3, timeout_s: float = 1.0) -> tuple[bool, str]:
    """A short ping burst; (all answered?, summary line)."""
    p = subprocess.run(in_ns(netns, "ping", "-n", "-c", str(count), "-i", "0.2", "-W", str(timeout_s),
                             dst), capture_output=True, text=True, timeout=30)
    m = _SUMMARY.search(p.stdout)
    summary = m.group(0) if m else (p.stderr.strip() or p.stdout.strip()[-200:])
    ok = p.returncode == 0 and m is not None and m.group(1) == m.group(2)
    return ok, summary


def wait_ping(netns: str, dst: str, timeout: float = 20.0) -> float:
    """Wait until dst answers from netns; returns the time it took."""
    t0 = time.monotonic()
    wait_for(lambda: ping_once(netns, dst, count=1, timeout_s=0.5)[0], timeout,
             interval=0.1, what=f"ping {dst} from {netns}")
    return time.monotonic() - t0
