"""Process, namespace and polling helpers shared by the EVPN lab and its tests.

Everything here shells out to iproute2 rather than talking netlink itself: the lab must observe the
system the same way an operator would, independently of the daemon under test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

NETNS_DIR = Path("/run/netns")


class CommandError(RuntimeError):
    """A command exited non-zero; carries its output so failures explain themselves."""

    def __init__(self, argv: Sequence[str], rc: int, stdout: str, stderr: str):
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"{' '.join(argv)} exited {rc}: {stderr.strip() or stdout.strip()}")


def run(argv: Sequence[str], check: bool = True, timeout: float = 60.0,
        env: Optional[dict] = None, input: Optional[str] = None) -> subprocess.CompletedProcess:
    """Run argv, capture text output. Raises CommandError when check and rc != 0."""
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, env=env,
                       input=input)
    if check and p.returncode != 0:
        raise CommandError(argv, p.returncode, p.stdout, p.stderr)
    return p


def in_ns(ns: str, *argv: str) -> list[str]:
    """argv wrapped to run inside network namespace ns; "" means the caller's own namespace (the
    system tier runs the lab in a container whose own namespace plays the node's host)."""
    return ["ip", "netns", "exec", ns, *argv] if ns else list(argv)


def ns_exec(ns: str, *argv: str, check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run argv inside network namespace ns (ip netns exec); "" = the caller's namespace."""
    return run(in_ns(ns, *argv), check=check, timeout=timeout)


def ip_json(ns: Optional[str], *args: str) -> Any:
    """`ip -j ARGS` in ns (None = caller's namespace), parsed. Empty output parses as []."""
    argv = ["ip"] + (["-n", ns] if ns else []) + ["-j", *args]
    out = run(argv).stdout.strip()
    return json.loads(out) if out else []


def bridge_json(ns: str, *args: str) -> Any:
    out = ns_exec(ns, "bridge", "-j", *args).stdout.strip()
    return json.loads(out) if out else []


def wait_for(cond: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05,
             what: str = "condition") -> Any:
    """Poll cond() until it returns something truthy; return that value.

    Exceptions raised by cond count as "not yet" (the last one is reported on timeout), so a
    probe may simply index into JSON that is not there yet.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            value = cond()
            if value:
                return value
            last = value
        except Exception as e:  # noqa: BLE001 - any failure of a probe means "not yet"
            last = e
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not true after {timeout:.1f} s (last: {last!r})")
        time.sleep(interval)


# --- network namespaces -----------------------------------------------------------------------

def netns_list() -> list[str]:
    try:
        return sorted(p.name for p in NETNS_DIR.iterdir())
    except FileNotFoundError:
        return []


def netns_exists(ns: str) -> bool:
    return (NETNS_DIR / ns).exists()


def netns_inode(ns: str) -> Optional[tuple[int, int]]:
    """(dev, ino) identity of a named namespace; changes if the namespace is recreated."""
    try:
        st = os.stat(NETNS_DIR / ns)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def pids_in_netns(ns: str) -> list[int]:
    """Pids of every process whose network namespace is ns."""
    ident = netns_inode(ns)
    if ident is None:
        return []
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            st = os.stat(d / "ns" / "net")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == ident:
            pids.append(int(d.name))
    return sorted(pids)


def netns_add(ns: str) -> None:
    run(["ip", "netns", "add", ns])
    run(["ip", "-n", ns, "link", "set", "lo", "up"])


def netns_delete(ns: str) -> None:
    run(["ip", "netns", "del", ns], check=False)


# --- processes ----------------------------------------------------------------------------

def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat it as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def pid_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def read_pid_file(path: Path) -> Optional[int]:
    try:
        text = path.read_text().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def stop_pids(pids: Iterable[int], timeout: float = 5.0) -> None:
    """SIGTERM each pid, wait, SIGKILL what is left. Only ever called with pids the lab owns."""
    pids = [p for p in pids if pid_alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)
    for p in pids:
        if pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)


# --- link observation -----------------------------------------------------------------------

def links(ns: str) -> dict[str, dict]:
    """name -> `ip -d -j link show` entry for every link in ns."""
    return {l["ifname"]: l for l in ip_json(ns, "-d", "link", "show")}


def ifindexes(ns: str) -> dict[str, int]:
    return {name: l["ifindex"] for name, l in links(ns).items()}


def addresses(ns: str, dev: str) -> list[str]:
    """CIDR strings of the IPv4 addresses on dev."""
    out = []
    for entry in ip_json(ns, "-4", "addr", "show", "dev", dev):
        for a in entry.get("addr_info", []):
            out.append(f"{a['local']}/{a['prefixlen']}")
    return out


def routes(ns: str, *selector: str) -> list[dict]:
    return ip_json(ns, "-4", "route", "show", *selector)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not readable)"
