#!/usr/bin/python3
"""SRv6 packets seen on one link, for tests that must show the encapsulation on the wire (no
tcpdump needed: an AF_PACKET socket, so it runs in the QEMU tier's image as is).

As a library: `SrhCapture(ns, ifname).start()`, traffic, then `.stop()` -> the packets seen, each
{"src", "dst", "segments", "segments_left", "inner"} (inner: 4 = IPv4, 41 = IPv6 payload).
As a script (what the library runs inside the namespace):
    lab_capture.py IFNAME SECONDS     prints "bound" once it listens, then after SECONDS one
                                      JSON list of those packets
"""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

ETH_P_ALL = 0x0003
ETH_P_IPV6 = 0x86DD
IPPROTO_ROUTING = 43
SRH_TYPE = 4


def parse_srh(frame: bytes) -> Optional[dict]:
    """The outer IPv6 header and segment routing header of an Ethernet frame, or None when the
    frame is not IPv6 with an SRH right after the fixed header."""
    if len(frame) < 14 + 40 + 8 or int.from_bytes(frame[12:14], "big") != ETH_P_IPV6:
        return None
    ip6 = frame[14:]
    if ip6[6] != IPPROTO_ROUTING:
        return None
    srh = ip6[40:]
    if srh[2] != SRH_TYPE:
        return None
    # Hdr Ext Len counts 8-octet units after the first 8 octets: 2 per 16-byte segment.
    count = srh[1] // 2
    segments = [str(ipaddress.IPv6Address(bytes(srh[8 + 16 * i:24 + 16 * i]))) for i in range(count)
                if len(srh) >= 24 + 16 * i]
    return {"src": str(ipaddress.IPv6Address(bytes(ip6[8:24]))),
            "dst": str(ipaddress.IPv6Address(bytes(ip6[24:40]))),
            "segments": segments, "segments_left": srh[3], "inner": srh[0]}


def capture(ifname: str, seconds: float) -> list[dict]:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    print("bound", flush=True)
    seen: list[dict] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        s.settimeout(left)
        try:
            frame = s.recv(65535)
        except socket.timeout:
            break
        p = parse_srh(frame)
        if p is not None:
            seen.append(p)
    return seen


class SrhCapture:
    """The script above, run in namespace `ns` in the background for at most `seconds`."""

    def __init__(self, ns: str, ifname: str, seconds: float = 8.0):
        self.argv = ["ip", "netns", "exec", ns, sys.executable, str(Path(__file__).resolve()),
                     ifname, str(seconds)]
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "SrhCapture":
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        # Traffic may start once the socket listens: the child says so.
        line = self.proc.stdout.readline().strip()
        if line != "bound":
            self.proc.kill()
            _, err = self.proc.communicate()
            raise RuntimeError(f"{' '.join(self.argv)}: {line or err.strip()}")
        return self

    def wait(self) -> list[dict]:
        """The packets seen, once the capture's time is up."""
        assert self.proc is not None
        out, err = self.proc.communicate(timeout=120)
        if self.proc.returncode != 0:
            raise RuntimeError(f"{' '.join(self.argv)}: exit {self.proc.returncode}: {err.strip()}")
        return json.loads(out)


if __name__ == "__main__":
    print(json.dumps(capture(sys.argv[1], float(sys.argv[2]))), flush=True)
