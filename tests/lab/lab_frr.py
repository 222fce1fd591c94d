"""The two FRR instances the lab runs itself (the leaf/ToR and the node's host speaker), their
configuration texts, and vtysh access to any FRR instance by its socket directory.

Each instance keeps every file in one directory (pid files, sockets, log) so that it can be stopped
by pid file and so that several labs can run side by side (see reference/frr-netns.md).
"""

from __future__ import annotations

import json
import os
import pwd
import grp
from pathlib import Path
from typing import Any, Optional

from lab_shell import CommandError, in_ns, pid_alive, read_pid_file, run, stop_pids, wait_for

FRR_BIN = Path("/usr/lib/frr")

# Addresses and numbers of the lab topology (the README and tests/integration/lab rely on them).
LEAF_ASN = 64512
ROUTER_ASN = 64514
HOST_ASN = 64515
LEAF_ROUTER_ID = "100.64.0.1"
LEAF_VTEP = "100.64.0.1"
LEAF_ROUTE = "172.16.100.1"
LEAF_UNDERLAY_IP = "192.168.11.2"
NODE_UNDERLAY_IP = "192.168.11.3"
PT_ROUTER_IP = "192.169.20.1"
PT_HOST_IP = "192.169.20.2"
RED_ROUTER_IP = "192.169.10.1"
RED_HOST_IP = "192.169.10.2"
RED_REMOTE_PREFIX = "192.168.20.0/24"
L2_VNI = 110
L3_VNI = 100
VRF_RED = "red"
# VRF blue (L3VNI 200): on the leaf always when the QEMU tier builds it, on the node only once a
# VPN is added at runtime (tests/system/qemu).
BLUE_VNI = 200
BLUE_REMOTE_PREFIX = "192.168.30.0/24"
BLUE_ROUTER_IP = "192.169.30.1"
BLUE_HOST_IP = "192.169.30.2"


def vtysh(sockdir: Path, command: str, as_json: bool = False, timeout: float = 20.0) -> Any:
    """Run one vtysh command against the instance whose sockets live in sockdir."""
    p = run(["vtysh", "--vty_socket", str(sockdir), "-c", command], timeout=timeout)
    if not as_json:
        return p.stdout
    text = p.stdout.strip()
    return json.loads(text) if text else {}


class FrrInstance:
    """zebra + bgpd in one network namespace, all files under `directory`."""

    DAEMONS = ("zebra", "bgpd")

    def __init__(self, name: str, netns: str, directory: Path):
        self.name = name
        self.netns = netns
        self.dir = directory

    @property
    def log(self) -> Path:
        return self.dir / "frr.log"

    def pid_files(self) -> list[Path]:
        return [self.dir / f"{d}.pid" for d in self.DAEMONS]

    def pids(self) -> list[int]:
        return [p for p in (read_pid_file(f) for f in self.pid_files()) if p and pid_alive(p)]

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        uid, gid = pwd.getpwnam("frr").pw_uid, grp.getgrnam("frr").gr_gid
        os.chown(self.dir, uid, gid)
        os.chmod(self.dir, 0o750)
        (self.dir / "empty.conf").write_text("")
        (self.dir / "vtysh.conf").write_text("service integrated-vtysh-config\n")
        for f in ("empty.conf", "vtysh.conf"):
            os.chown(self.dir / f, uid, gid)
        d = str(self.dir)
        common = ["-d", "-u", "frr", "-g", "frr", "-P", "0", "--vty_socket", d,
                  "-z", f"{d}/zserv.api", "-f", f"{d}/empty.conf", "--log", f"file:{d}/frr.log"]
        run(in_ns(self.netns, str(FRR_BIN / "zebra"), *common, "-i", f"{d}/zebra.pid",
                  "-s", "90000000"))
        wait_for(lambda: (self.dir / "zserv.api").exists(), 10, what=f"{self.name} zserv.api")
        run(in_ns(self.netns, str(FRR_BIN / "bgpd"), *common, "-i", f"{d}/bgpd.pid"))
        wait_for(lambda: self.vtysh("show version"), 15, what=f"{self.name} vtysh answers")

    def apply(self, config_text: str) -> None:
        path = self.dir / "lab.conf"
        path.write_text(config_text)
        p = run(["vtysh", "--vty_socket", str(self.dir), "-f", str(path)], check=False)
        if p.returncode != 0:
            raise CommandError(["vtysh", "-f", str(path)], p.returncode, p.stdout, p.stderr)

    def vtysh(self, command: str, as_json: bool = False) -> Any:
        return vtysh(self.dir, command, as_json)

    def running(self) -> bool:
        return len(self.pids()) == len(self.DAEMONS)

    def stop(self) -> None:
        # bgpd first so it does not log a zebra disconnect storm.
        stop_pids([p for p in (read_pid_file(f) for f in reversed(self.pid_files())) if p])
        for f in self.pid_files():
            f.unlink(missing_ok=True)


def leaf_config(with_l3: bool) -> str:
    """The ToR: eBGP to the node, the leaf route, EVPN for every local VNI.

    Hold time 9 s (keepalive 3 s): the tests judge perouterd by "the session was not reset", and
    a busy or emulated machine can stall bgpd for a few seconds; a 3 s hold time blamed such a
    stall on perouterd. A real reset (NOTIFICATION, TCP close) shows at once whatever the hold
    time, and the router's `timers connect 1` brings the session back within seconds.

    Passive: only the router dials, as towards a ToR that accepts its nodes (a listen range).
    With both FRR 8.4 ends dialing every second, a connection collision can cycle for minutes
    through "unexpected packet received in state OpenSent" (seen in the QEMU tier after the
    router namespace was rebuilt: no session for over 120 s), the trap the host speaker's
    sessions below avoid the same way."""
    n = NODE_UNDERLAY_IP
    text = f"""router bgp {LEAF_ASN}
 bgp router-id {LEAF_ROUTER_ID}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor {n} remote-as {ROUTER_ASN}
 neighbor {n} timers 3 9
 neighbor {n} passive
 address-family ipv4 unicast
  neighbor {n} activate
  network {LEAF_VTEP}/32
  network {LEAF_ROUTE}/32
 exit-address-family
 address-family l2vpn evpn
  neighbor {n} activate
  advertise-all-vni
 exit-address-family
exit
!
"""
    if with_l3:
        # The VRF's VNI first and its BGP instance after the default one, as FRR writes them.
        text = _leaf_vrf_vni(VRF_RED, L3_VNI) + text + _leaf_vrf_bgp(VRF_RED, RED_REMOTE_PREFIX)
    return text


def leaf_peer_at(address: str) -> str:
    """vtysh text that moves the leaf's session from the node's address to `address`: a router
    with an address of its own on the cable (the macvlan underlay), as passive as the node's."""
    n = address
    return f"""router bgp {LEAF_ASN}
 no neighbor {NODE_UNDERLAY_IP}
 neighbor {n} remote-as {ROUTER_ASN}
 neighbor {n} timers 3 9
 neighbor {n} passive
 address-family ipv4 unicast
  neighbor {n} activate
 exit-address-family
 address-family l2vpn evpn
  neighbor {n} activate
 exit-address-family
exit
"""


def leaf_vrf_config(vrf: str, vni: int, prefix: str) -> str:
    """A further L3VNI on a running leaf (its default instance exists already)."""
    return _leaf_vrf_vni(vrf, vni) + _leaf_vrf_bgp(vrf, prefix)


def _leaf_vrf_vni(vrf: str, vni: int) -> str:
    return f"vrf {vrf}\n vni {vni}\nexit-vrf\n!\n"


def _leaf_vrf_bgp(vrf: str, prefix: str) -> str:
    """VRF `vrf` announces `prefix` and a default route as EVPN type-5 routes (the node's VPN
    learns both, as from a real fabric's border)."""
    return f"""router bgp {LEAF_ASN} vrf {vrf}
 bgp router-id {LEAF_ROUTER_ID}
 no bgp ebgp-requires-policy
 address-family ipv4 unicast
  network {prefix}
 exit-address-family
 address-family l2vpn evpn
  advertise ipv4 unicast
  default-originate ipv4
 exit-address-family
exit
!
"""


def host_config(with_l3: bool, peers: Optional[list[str]] = None) -> str:
    """The node's own BGP speaker: peers with the router over the passthrough veth (and the red
    L3VNI veth) and installs what it learns into the host namespace's kernel table. `peers`
    replaces that list (router ends of whatever sessions the node has)."""
    if peers is None:
        peers = [PT_ROUTER_IP] + ([RED_ROUTER_IP] if with_l3 else [])
    text = f"""router bgp {HOST_ASN}
 bgp router-id {PT_HOST_IP}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
"""
    # Passive: the router connects to the host (every 5 s). When both ends connect at once,
    # FRR 8.4's collision handling can leave the session cycling through "Receive Unexpected
    # Message in OpenSent State" for minutes (seen in this lab), so only one end dials.
    for p in peers:
        text += f" neighbor {p} remote-as {ROUTER_ASN}\n neighbor {p} passive\n"
    text += " address-family ipv4 unicast\n"
    for p in peers:
        text += f"  neighbor {p} activate\n"
    text += " exit-address-family\nexit\n!\n"
    return text


def bgp_neighbor(sockdir: Path, peer: str, vrf: Optional[str] = None) -> dict:
    """`show bgp [vrf V] neighbors PEER json` → the peer's dict ({} if unknown)."""
    cmd = f"show bgp {'vrf ' + vrf + ' ' if vrf else ''}neighbors {peer} json"
    return vtysh(sockdir, cmd, as_json=True).get(peer, {})
