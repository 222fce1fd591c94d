"""Netlink listeners inside a namespace, for tests that must know that something did NOT
happen over a stretch of time (an FDB entry aged out and came back between two looks, an
address removed and added again): the kernel reports every deletion, so a quiet listener is
proof, however slowly the test samples.

The socket is opened by a thread that has entered the namespace (setns applies to the calling
thread only); a netlink socket stays bound to the namespace it was created in. It is subscribed
before the constructor returns, so nothing that happens afterwards can be missed."""

from __future__ import annotations

import ctypes
import os
import socket
import struct
import threading
from typing import Optional

NETLINK_ROUTE = 0
RTMGRP_LINK = 0x1  # 1 << (RTNLGRP_LINK - 1)
RTMGRP_NEIGH = 0x4  # 1 << (RTNLGRP_NEIGH - 1)
RTMGRP_IPV4_IFADDR = 0x10  # 1 << (RTNLGRP_IPV4_IFADDR - 1)
RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_DELADDR = 21
RTM_DELNEIGH = 29
IFLA_IFNAME = 3
IFA_LOCAL = 2
NDA_LLADDR = 2
AF_BRIDGE = 7
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def _socket_in(ns: str, groups: int) -> socket.socket:
    result: dict = {}

    def enter_and_open() -> None:
        try:
            fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
            try:
                if _libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns into {ns}")
            finally:
                os.close(fd)
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind((0, groups))
            s.setblocking(False)
            result["sock"] = s
        except Exception as e:  # handed to the caller's thread
            result["error"] = e

    t = threading.Thread(target=enter_and_open)
    t.start()
    t.join()
    if "error" in result:
        raise result["error"]
    return result["sock"]


class _Listener:
    """A netlink socket in a namespace, subscribed to `groups`; _poll() hands every message of
    a type in KINDS that arrived (header stripped) to _seen(). An overflowed socket raises: a
    listener that lost messages proves nothing."""

    KINDS: tuple[int, ...] = ()

    def __init__(self, ns: str, groups: int):
        self._sock: Optional[socket.socket] = _socket_in(ns, groups)
        self.deleted: list[str] = []

    def poll(self) -> list[str]:
        """Reads what arrived; returns every deletion seen so far."""
        assert self._sock is not None, "closed"
        while True:
            try:
                data = self._sock.recv(1 << 16)
            except BlockingIOError:
                return self.deleted
            off = 0
            while off + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if length < 16:
                    break
                if kind in self.KINDS:
                    found = self._seen(data[off + 16:off + length])
                    if found:
                        self.deleted.append(found)
                off += (length + 3) & ~3

    def _seen(self, body: bytes) -> Optional[str]:
        raise NotImplementedError

    @staticmethod
    def _attr(attrs: bytes, wanted: int, size: int) -> Optional[bytes]:
        off = 0
        while off + 4 <= len(attrs):
            rta_len, rta_type = struct.unpack_from("=HH", attrs, off)
            if rta_len < 4:
                return None
            if rta_type == wanted and rta_len >= 4 + size:
                return attrs[off + 4:off + 4 + size]
            off += (rta_len + 3) & ~3
        return None

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FdbDeletions(_Listener):
    """Bridge FDB entries the kernel deletes in `ns` (ageing, flushes, `bridge fdb del`), as
    lower-case MAC addresses, from the moment of construction."""

    KINDS = (RTM_DELNEIGH,)

    def __init__(self, ns: str):
        super().__init__(ns, RTMGRP_NEIGH)

    def _seen(self, body: bytes) -> Optional[str]:
        # struct ndmsg: family, pad, pad, ifindex, state, flags, type (12 bytes)
        if len(body) < 12 or body[0] != AF_BRIDGE:
            return None
        mac = self._attr(body[12:], NDA_LLADDR, 6)
        return ":".join(f"{b:02x}" for b in mac) if mac else None


class AddressDeletions(_Listener):
    """IPv4 addresses the kernel deletes in `ns`, as "A.B.C.D/LEN" strings, from the moment of
    construction."""

    KINDS = (RTM_DELADDR,)

    def __init__(self, ns: str):
        super().__init__(ns, RTMGRP_IPV4_IFADDR)

    def _seen(self, body: bytes) -> Optional[str]:
        # struct ifaddrmsg: family, prefixlen, flags, scope, index (8 bytes)
        if len(body) < 8:
            return None
        local = self._attr(body[8:], IFA_LOCAL, 4)
        return f"{socket.inet_ntoa(local)}/{body[1]}" if local else None


class LinkEvents(_Listener):
    """Names of the links the kernel reports as created, changed or deleted in `ns`
    (RTM_NEWLINK/RTM_DELLINK), from the moment of construction. poll() returns them all.

    With `requests_only`, the bridge's own port reports (family AF_BRIDGE) are left out: the
    kernel sends them without anyone asking, e.g. when a port's forward-delay timer fires 15 s
    after the port was enabled (even with STP off), so they cannot tell who changed a link.
    Every request that creates, changes or deletes a link is reported with family AF_UNSPEC."""

    KINDS = (RTM_NEWLINK, RTM_DELLINK)

    def __init__(self, ns: str, requests_only: bool = False):
        super().__init__(ns, RTMGRP_LINK)
        self.requests_only = requests_only

    def _seen(self, body: bytes) -> Optional[str]:
        # struct ifinfomsg: family, pad, type, index, flags, change (16 bytes)
        if len(body) < 16 or (self.requests_only and body[0] == AF_BRIDGE):
            return None
        off = 0
        attrs = body[16:]
        while off + 4 <= len(attrs):
            rta_len, rta_type = struct.unpack_from("=HH", attrs, off)
            if rta_len < 4:
                return None
            if rta_type == IFLA_IFNAME:
                return attrs[off + 4:off + rta_len].split(b"\0", 1)[0].decode()
            off += (rta_len + 3) & ~3
        return None
