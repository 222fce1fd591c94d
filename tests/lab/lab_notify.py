"""The receiving end of sd_notify: what systemd would do for a Type=notify unit.

The lab binds a datagram socket, passes its path as $NOTIFY_SOCKET to perouterd and waits for
READY=1. Messages keep being collected in the background so tests can look at STATUS= lines.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Callable, Optional


class NotifyListener:
    def __init__(self, path: Path):
        self.path = path
        # (monotonic time, sender pid, "KEY=value"). The sender's pid comes from SO_PASSCRED, as
        # systemd's NotifyAccess=main uses it: children of perouterd (FRR's watchfrr sends its
        # own READY=1) must not be mistaken for perouterd.
        self.messages: list[tuple[float, int, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        path.unlink(missing_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._sock.bind(str(path))
        # perouterd may drop privileges or run helpers as another user; let anyone notify.
        os.chmod(path, 0o666)
        self._thread = threading.Thread(target=self._loop, name=f"notify {path}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            r, _, _ = select.select([self._sock], [], [], 0.1)
            if not r:
                continue
            try:
                data, anc, _, _ = self._sock.recvmsg(65536, socket.CMSG_SPACE(12))
            except OSError:
                return
            now = time.monotonic()
            pid = 0
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", payload[:12])[0]
            with self._lock:
                for line in data.decode(errors="replace").splitlines():
                    if line:
                        self.messages.append((now, pid, line))

    def lines(self, since: float = 0.0, pid: Optional[int] = None) -> list[str]:
        """Messages received at or after `since`, only those sent by `pid` when given."""
        with self._lock:
            return [m for t, p, m in self.messages if t >= since and (pid is None or p == pid)]

    def wait_for(self, line: str, since: float, timeout: float, alive: Callable[[], bool],
                 pid: Optional[int] = None) -> Optional[str]:
        """Wait for `line` (e.g. READY=1) from `pid`, received at or after `since`.

        Returns None once it arrived, otherwise why not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if line in self.lines(since, pid):
                return None
            if not alive():
                # One last look: the datagram may have arrived just before the exit.
                time.sleep(0.1)
                return None if line in self.lines(since, pid) else f"perouterd exited before {line}"
            time.sleep(0.02)
        return f"no {line} from pid {pid} within {timeout:.0f} s"

    def times(self, line: str, since: float = 0.0, pid: Optional[int] = None) -> list[float]:
        """Arrival times of every `line` at or after `since` (from `pid` when given)."""
        with self._lock:
            return [t for t, p, m in self.messages
                    if m == line and t >= since and (pid is None or p == pid)]

    def wait_sequence(self, lines: list[str], since: float, timeout: float,
                      alive: Callable[[], bool], pid: Optional[int] = None) -> Optional[str]:
        """Wait for `lines` in this order, each received after the one before it (the first at
        or after `since`): a READY=1 that came before the RELOADING=1 belongs to an earlier
        reload and does not count. Returns None once all arrived, otherwise why not."""
        deadline = time.monotonic() + timeout

        def arrived() -> Optional[int]:
            """None when all arrived in order, else the index of the first one missing."""
            n = 0
            for m in self.lines(since, pid):  # in arrival order
                if m == lines[n]:
                    n += 1
                    if n == len(lines):
                        return None
            return n
        while time.monotonic() < deadline:
            missing = arrived()
            if missing is None:
                return None
            if not alive():
                time.sleep(0.1)
                missing = arrived()
                return None if missing is None else f"perouterd exited before {lines[missing]}"
            time.sleep(0.02)
        missing = arrived()
        if missing is None:
            return None
        return (f"no {lines[missing]} from pid {pid} within {timeout:.0f} s"
                + (f" after {lines[missing - 1]}" if missing else ""))

    def wait_ready(self, since: float, timeout: float, alive: Callable[[], bool],
                   pid: Optional[int] = None) -> Optional[str]:
        return self.wait_for("READY=1", since, timeout, alive, pid)

    def statuses(self) -> list[str]:
        return [m[len("STATUS="):] for m in self.lines() if m.startswith("STATUS=")]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        self._sock.close()
        self.path.unlink(missing_ok=True)
