"""The receiving end of sd_notify: what systemd would do for a Type=notify unit.

The lab binds a datagram socket, passes its path as $NOTIFY_SOCKET to perouterd and waits for
READY=1. Messages keep being collected in the background so tests can look at STATUS= lines.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from pathlib import Path
from typing import Callable, Optional


class NotifyListener:
    def __init__(self, path: Path):
        self.path = path
        self.messages: list[tuple[float, str]] = []  # (monotonic time, "KEY=value")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        path.unlink(missing_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
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
                data = self._sock.recv(65536)
            except OSError:
                return
            now = time.monotonic()
            with self._lock:
                for line in data.decode(errors="replace").splitlines():
                    if line:
                        self.messages.append((now, line))

    def lines(self, since: float = 0.0) -> list[str]:
        with self._lock:
            return [m for t, m in self.messages if t >= since]

    def wait_ready(self, since: float, timeout: float,
                   alive: Callable[[], bool]) -> Optional[str]:
        """Wait for READY=1 received at or after `since`. Returns None when ready, otherwise why not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "READY=1" in self.lines(since):
                return None
            if not alive():
                # One last look: the datagram may have arrived just before the exit.
                time.sleep(0.1)
                return None if "READY=1" in self.lines(since) else "perouterd exited before READY=1"
            time.sleep(0.02)
        return f"no READY=1 within {timeout:.0f} s"

    def statuses(self) -> list[str]:
        return [m[len("STATUS="):] for m in self.lines() if m.startswith("STATUS=")]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        self._sock.close()
        self.path.unlink(missing_ok=True)
