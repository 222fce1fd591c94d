#!/usr/bin/python3
"""perlab: an EVPN lab in network namespaces that runs perouterd against a real FRR leaf.

    <p>-host   plays the node: underlay NIC `toswitch` 192.168.11.3/24 (default route via the leaf),
               a host FRR (AS 64515) peering with the router over the passthrough / L3VNI veths
    <p>-leaf   the ToR: FRR AS 64512, VTEP 100.64.0.1, L2VNI 110 (+ L3VNI 100 in VRF red when the
               kernel has VRF), eBGP to 192.168.11.3
    <p>-remote workloads behind the leaf: 10.110.0.20 on VNI 110, 192.168.20.20 in VRF red
    <p>-pe     the router namespace perouterd creates (--netns), with its own FRR

Usage (as root):
    perlab.py up    [--prefix P] [--perouterd PATH] [--no-node] [--scenario l2|l3|auto]
    perlab.py check [--prefix P]
    perlab.py down  [--prefix P]
    perlab.py demo  [--prefix P] [--perouterd PATH] [--no-node] [--scenario ...]

The module is also the library of the integration tests (tests/integration/lab): see class Lab.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lab_frr as F  # noqa: E402
from lab_frr import FrrInstance, bgp_neighbor, vtysh  # noqa: E402
from lab_notify import NotifyListener  # noqa: E402
from lab_pinger import Pinger, PingResult, ping_once, wait_ping  # noqa: E402,F401
from lab_shell import (CommandError, addresses, bridge_json, ifindexes, ip_json, links,  # noqa: E402,F401
                       netns_add, netns_delete, netns_exists, netns_inode, netns_list, ns_exec,
                       pid_alive, pid_cmdline, pids_in_netns, read_pid_file, routes, run,
                       stop_pids, tail, wait_for)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "lab"
PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{0,5}$")  # keeps every interface name we derive <= 15 chars
MARKER = ".perlab"

UNDERLAY_MTU = 9000  # not the default, so "veth MTU = underlay MTU - 50" cannot pass by accident
L2_HOST_IP = "10.110.0.10"
L2_REMOTE_IP = "10.110.0.20"
RED_REMOTE_IP = "192.168.20.20"
BLUE_REMOTE_IP = "192.168.30.30"
ROUTER_ID = "10.0.0.1"
ROUTER_VTEP = "100.65.0.0"
FRR_DAEMONS = {"zebra", "bgpd", "staticd", "bfdd", "watchfrr", "mgmtd"}
QEMU_TIER = "the QEMU system tier (tests/system)"


class LabError(RuntimeError):
    pass


def kernel_has_vrf(netns: str, prefix: str) -> bool:
    """Probe VRF support by creating (and deleting) a VRF device in one of the lab's namespaces."""
    name = f"{prefix}vrfprobe"
    p = run(["ip", "-n", netns, "link", "add", name, "type", "vrf", "table", "77"], check=False)
    if p.returncode != 0:
        return False
    run(["ip", "-n", netns, "link", "del", name], check=False)
    return True


def kernel_supports_vrf(prefix: str) -> bool:
    """The same probe, for callers that have no lab yet (tests deciding whether to skip)."""
    ns = f"{prefix}-vrfprobe"
    netns_delete(ns)
    netns_add(ns)
    try:
        return kernel_has_vrf(ns, prefix)
    finally:
        netns_delete(ns)


class Lab:
    """One lab instance. All names derive from `prefix`; all files live under `labdir`."""

    def __init__(self, prefix: str = "prl", perouterd: Optional[str] = None,
                 scenario: str = "auto", labdir: Optional[Path] = None,
                 host_netns: Optional[str] = None, router_netns: Optional[str] = None,
                 root: Optional[Path] = None, leaf_nic: Optional[str] = None,
                 node_args: tuple[str, ...] = ()):
        """host_netns, router_netns and root default to names and paths private to the lab.
        The system tier (tests/system), where the lab runs inside a container next to the
        installed perouterd.service, passes host_netns="" (the container's own namespace is the
        node's host), router_netns="perouter" and root=Path("/").

        leaf_nic: instead of a veth pair, the cable is two existing NICs wired to each other
        outside (the QEMU tier's two virtio NICs on one QEMU hub): the node's is `toswitch` in
        the host namespace, leaf_nic (in the caller's namespace) becomes the leaf's swp1.

        node_args: further perouterd options for every run of it (e.g. --ovsdb)."""
        if not PREFIX_RE.match(prefix):
            raise LabError(f"prefix {prefix!r} must match {PREFIX_RE.pattern}")
        if scenario not in ("l2", "l3", "auto"):
            raise LabError(f"scenario {scenario!r} is not one of l2, l3, auto")
        self.prefix = prefix
        self.perouterd = str(Path(perouterd).resolve()) if perouterd else None
        self.node_args = tuple(node_args)
        self.scenario = scenario
        self.labdir = Path(labdir) if labdir else Path(f"/tmp/perlab-{prefix}")
        self.root = Path(root) if root is not None else self.labdir / "root"
        self.host_ns = f"{prefix}-host" if host_netns is None else host_netns
        self.leaf_ns = f"{prefix}-leaf"
        self.remote_ns = f"{prefix}-remote"
        self.leaf_nic = leaf_nic
        self._batch: Optional[list[tuple[str, list[str]]]] = None
        self.router_ns = f"{prefix}-pe" if router_netns is None else router_netns
        self.leaf = FrrInstance("leaf", self.leaf_ns, self.labdir / "frr" / "leaf")
        self.host = FrrInstance("host", self.host_ns, self.labdir / "frr" / "host")
        self.node_log = self.labdir / "perouterd.log"
        self.node_pid_file = self.labdir / "perouterd.pid"
        self.state_file = self.labdir / "lab.json"
        self.vrf: Optional[bool] = None
        self.node = False
        self.notify: Optional[NotifyListener] = None
        self.proc: Optional[subprocess.Popen] = None
        self.ready_seconds: Optional[float] = None

    # --- paths and names --------------------------------------------------------------------

    def use_macvlan_underlay(self, keys: str) -> None:
        """Rewrites the node configuration from the NIC moved in (toswitch) to a macvlan child
        of it: `keys` are the lines of [underlay.macvlan] besides parent. Written atomically."""
        text = self.config_file.read_text()
        nics = 'interfaces = ["toswitch"]\n'
        if nics not in text:
            raise LabError(f"{self.config_file} does not move toswitch in; cannot make it a macvlan")
        text = text.replace(nics, "") + f'\n[underlay.macvlan]\nparent = "toswitch"\n{keys}'
        tmp = self.config_file.with_name(self.config_file.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(self.config_file)

    @property
    def config_file(self) -> Path:
        return self.root / "etc" / "perouter" / "perouter.toml"

    @property
    def dropin_dir(self) -> Path:
        return self.root / "etc" / "perouter" / "perouter.d"

    @property
    def router_frr_dir(self) -> Path:
        """Where perouterd's FRR keeps its sockets (vtysh --vty_socket)."""
        return self.root / "run" / "frr" / self.router_ns

    @property
    def l3(self) -> bool:
        return self.scenario == "l3"

    def ns(self, side: str) -> str:
        return {"host": self.host_ns, "leaf": self.leaf_ns, "remote": self.remote_ns,
                "router": self.router_ns}[side]

    def namespaces(self) -> list[str]:
        """Every namespace of this lab that exists now (whoever created it)."""
        return [n for n in netns_list() if n.startswith(self.prefix + "-")]

    # --- state shared between CLI invocations -----------------------------------------------

    def save_state(self) -> None:
        self.state_file.write_text(json.dumps({
            "prefix": self.prefix, "perouterd": self.perouterd, "scenario": self.scenario,
            "vrf": self.vrf, "node": self.node, "ready_seconds": self.ready_seconds,
            "node_args": list(self.node_args)}, indent=1))

    @classmethod
    def load(cls, prefix: str = "prl", labdir: Optional[Path] = None) -> "Lab":
        """The lab a previous `up` left (or a bare one, so that `down` works after a crash)."""
        lab = cls(prefix, labdir=labdir)
        try:
            st = json.loads(lab.state_file.read_text())
        except (OSError, ValueError):
            return lab
        lab.perouterd = st.get("perouterd")
        lab.scenario = st.get("scenario", "auto")
        lab.vrf = st.get("vrf")
        lab.node = bool(st.get("node"))
        lab.ready_seconds = st.get("ready_seconds")
        lab.node_args = tuple(st.get("node_args", ()))
        return lab

    # --- generic access ------------------------------------------------------------------------

    def ns_exec(self, side: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return ns_exec(self.ns(side), *argv, check=check)

    def vtysh(self, side: str, command: str, as_json: bool = False) -> Any:
        """vtysh on 'leaf', 'host' or 'router' (perouterd's FRR); as_json parses the output."""
        d = {"leaf": self.leaf.dir, "host": self.host.dir, "router": self.router_frr_dir}[side]
        return vtysh(d, command, as_json)

    def neighbor(self, side: str, peer: str, vrf: Optional[str] = None) -> dict:
        d = {"leaf": self.leaf.dir, "host": self.host.dir, "router": self.router_frr_dir}[side]
        return bgp_neighbor(d, peer, vrf)

    def leaf_session(self, peer: str = F.NODE_UNDERLAY_IP) -> dict:
        """The leaf's view of the underlay session to the node (or to `peer`: a router with an
        address of its own on the cable)."""
        return self.neighbor("leaf", peer)

    def session_identity(self, peer: str = F.NODE_UNDERLAY_IP) -> dict:
        """What changes whenever the leaf's session to the node is reset. (Not the established
        epoch: FRR derives it from the uptime at query time, so it jitters by a second.)"""
        n = self.leaf_session(peer)
        return {k: n.get(k) for k in ("bgpState", "connectionsEstablished", "connectionsDropped")}

    def remote_vteps(self, side: str, vni: int) -> list[str]:
        """Remote VTEPs zebra has for vni (from type-3 routes)."""
        j = self.vtysh(side, f"show evpn vni {vni} json", as_json=True)
        # FRR 8.4 lists them as plain strings under "numRemoteVteps"; later releases use
        # "remoteVteps" with one object per VTEP.
        if "remoteVteps" in j:
            return [v["ip"] if isinstance(v, dict) else v for v in j["remoteVteps"]]
        n = j.get("numRemoteVteps")
        return [v["ip"] if isinstance(v, dict) else v for v in n] if isinstance(n, list) else []

    def type3_routes(self, side: str) -> dict[str, list[str]]:
        """EVPN type-3 (IMET) routes in side's BGP table: originator IP -> route targets."""
        j = self.vtysh(side, "show bgp l2vpn evpn route type multicast json", as_json=True)
        out: dict[str, list[str]] = {}
        for rd in j.values():
            if not isinstance(rd, dict):
                continue
            for prefix, route in rd.items():
                if not prefix.startswith("[3]:") or not isinstance(route, dict):
                    continue
                for group in route.get("paths", []):
                    for path in group if isinstance(group, list) else [group]:
                        ecs = path.get("extendedCommunity", {}).get("string", "").split()
                        rts = [e[3:] for e in ecs if e.startswith("RT:")]
                        out.setdefault(path.get("ip", ""), []).extend(rts)
        return out

    def router_frr_pids(self) -> list[int]:
        """FRR daemons running in the router namespace (by process name, so a helper process of
        perouterd that happens to be in the namespace does not count)."""
        out = []
        for pid in pids_in_netns(self.router_ns):
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            if comm in FRR_DAEMONS:
                out.append(pid)
        return out

    def link(self, side: str, name: str) -> Optional[dict]:
        return links(self.ns(side)).get(name)

    def passthrough_identity(self) -> dict:
        """What changes whenever the host FRR's passthrough session to the router is reset."""
        n = self.neighbor("host", F.PT_ROUTER_IP)
        return {k: n.get(k) for k in ("bgpState", "connectionsEstablished", "connectionsDropped")}

    def snapshot(self) -> dict:
        """Identity of everything a restart/reload must not recreate: link ifindexes in the
        router and host namespaces, the router namespace itself, the leaf's underlay session and
        the host's passthrough session."""
        return {"router_links": ifindexes(self.router_ns), "host_links": ifindexes(self.host_ns),
                "router_netns": netns_inode(self.router_ns), "session": self.session_identity(),
                "passthrough_session": self.passthrough_identity()}

    # --- up ----------------------------------------------------------------------------------

    def up(self, node: bool = True, ready_timeout: float = 60.0, node_config: bool = True,
           host_speaker: bool = True,
           prepare: Optional[Callable[["Lab"], None]] = None) -> None:
        """node_config=False keeps the node configuration that is already in place (the QEMU
        tier boots with /etc/perouter/perouter.toml in the image); host_speaker=False leaves the
        node's BGP speaker to the caller (on a node it belongs to the workload and starts later).
        prepare(lab) runs when the topology, the leaf and the node configuration are in place
        and perouterd has not started: a test's own variant of the fabric (see
        tests/integration/lab/test_unnumbered.py)."""
        if os.geteuid() != 0:
            raise LabError("the lab needs root (network namespaces, FRR)")
        if node and not (self.perouterd and os.access(self.perouterd, os.X_OK)):
            raise LabError(f"perouterd not executable: {self.perouterd!r} (use --no-node to run without it)")
        self.down()  # leftovers of a crashed run with the same prefix
        self.labdir.mkdir(parents=True)
        (self.labdir / MARKER).write_text(self.prefix + "\n")
        os.chmod(self.labdir, 0o755)  # FRR (user frr) must traverse it
        for n in (self.host_ns, self.leaf_ns, self.remote_ns):
            if n:
                netns_add(n)
        self.vrf = kernel_has_vrf(self.leaf_ns, self.prefix)
        if self.scenario == "auto":
            self.scenario = "l3" if self.vrf else "l2"
        elif self.scenario == "l3" and not self.vrf:
            raise LabError(f"scenario l3 needs VRF, which this kernel lacks; {QEMU_TIER} runs it")
        self.node = node
        self.save_state()
        self._build_topology()
        self.leaf.start()
        self.leaf.apply(F.leaf_config(self.l3))
        if node_config:
            self._write_node_config()
        if prepare is not None:
            prepare(self)
        self.save_state()
        if node:
            self.start_node(timeout=ready_timeout)
        # The node's BGP speaker starts after the router, as on a real node (it belongs to the
        # workload, which waits for network-online). Started before, while the underlay NIC and
        # its default route were still in the host namespace, FRR 8.4's next-hop tracking for
        # the router's address sometimes never recovered ("Waiting for NHT" for minutes).
        if host_speaker:
            self.host.start()
            self.host.apply(F.host_config(self.l3))

    def _ip(self, ns: str, *args: str) -> None:
        """`ip [-n ns] ARGS`; "" is the caller's namespace. Inside batched() only collected."""
        if self._batch is not None:
            self._batch.append((ns, list(args)))
            return
        run(["ip"] + (["-n", ns] if ns else []) + list(args))

    @contextlib.contextmanager
    def batched(self):
        """Collect the _ip() commands of the block and run them at its end, one `ip -batch` per
        run of consecutive commands in the same namespace (same order). Under QEMU/TCG every
        `ip` process costs 0.2-0.9 s; building the leaf takes about 40 commands."""
        if self._batch is not None:
            yield  # nested: the outer block runs them
            return
        self._batch = []
        try:
            yield
            todo = self._batch
        finally:
            self._batch = None
        while todo:
            ns = todo[0][0]
            n = next((i for i, (other, _) in enumerate(todo) if other != ns), len(todo))
            group, todo = todo[:n], todo[n:]
            argv = ["ip"] + (["-n", ns] if ns else []) + ["-batch", "-"]
            p = run(argv, check=False, input="".join(" ".join(a) + "\n" for _, a in group))
            if p.returncode != 0:
                raise CommandError(argv + [f"<<{[' '.join(a) for _, a in group]}"], p.returncode,
                                   p.stdout, p.stderr)

    def plug_underlay(self, with_host_address: bool) -> None:
        """The cable between the node's NIC `toswitch` (host namespace) and the leaf's `swp1`.

        Without the host address it plays a NIC handed back bare by the kernel (a deleted router
        namespace returns physical NICs without their addresses; a veth just dies)."""
        H, L = self.host_ns, self.leaf_ns
        if self.leaf_nic:
            # Renamed in the leaf namespace: a NIC must be down to be renamed, and it arrives
            # there down.
            self._ip("", "link", "set", self.leaf_nic, "netns", L)
            self._ip(L, "link", "set", self.leaf_nic, "name", "swp1")
            self._ip(L, "link", "set", "swp1", "mtu", str(UNDERLAY_MTU))
            self._ip(H, "link", "set", "toswitch", "mtu", str(UNDERLAY_MTU))
        else:
            self._ip("", "link", "add", "toswitch", *(["netns", H] if H else []),
                     "mtu", str(UNDERLAY_MTU), "type", "veth", "peer", "name", "swp1", "netns", L,
                     "mtu", str(UNDERLAY_MTU))
        if with_host_address:
            self._ip(H, "addr", "add", f"{F.NODE_UNDERLAY_IP}/24", "dev", "toswitch")
            self._ip(H, "link", "set", "toswitch", "up")
            self._ip(H, "route", "add", "default", "via", F.LEAF_UNDERLAY_IP)
        self._ip(L, "addr", "add", f"{F.LEAF_UNDERLAY_IP}/24", "dev", "swp1")
        self._ip(L, "link", "set", "swp1", "up")

    def _build_topology(self) -> None:
        with self.batched():
            self._build_topology_commands()

    def _build_topology_commands(self) -> None:
        H, L, R = self.host_ns, self.leaf_ns, self.remote_ns
        run(["ip", "netns", "exec", L, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        # The leaf stands in for a hardware switch, whose bridging knows no iptables: where
        # br_netfilter is loaded, its bridged frames skip netfilter (as perouterd's router
        # namespace does; the host namespace keeps what the host set).
        if Path("/proc/sys/net/bridge/bridge-nf-call-iptables").exists():
            run(["ip", "netns", "exec", L, "sysctl", "-qw"]
                + [f"net.bridge.bridge-nf-call-{k}=0" for k in ("iptables", "ip6tables", "arptables")])
        self.plug_underlay(with_host_address=True)
        self._ip(L, "addr", "add", f"{F.LEAF_VTEP}/32", "dev", "lo")
        self._ip(L, "addr", "add", f"{F.LEAF_ROUTE}/32", "dev", "lo")
        # L2VNI 110 on the leaf, with the remote workload behind it.
        self._ip(L, "link", "add", "br-110", "type", "bridge")
        self._ip(L, "link", "add", "vni110", "type", "vxlan", "id", "110", "local", F.LEAF_VTEP,
                 "dstport", "4789", "nolearning")
        self._ip(L, "link", "set", "vni110", "master", "br-110", "addrgenmode", "none")
        self._ip(L, "link", "set", "vni110", "type", "bridge_slave", "learning", "off",
                 "neigh_suppress", "on")
        self._ip("", "link", "add", "lf-110", "netns", L, "type", "veth", "peer", "name", "rem-110",
                 "netns", R)
        self._ip(L, "link", "set", "lf-110", "master", "br-110")
        for d in ("lf-110", "vni110", "br-110"):
            self._ip(L, "link", "set", d, "up")
        self._ip(R, "addr", "add", f"{L2_REMOTE_IP}/24", "dev", "rem-110")
        self._ip(R, "link", "set", "rem-110", "up")
        if self.l3:
            self._build_leaf_l3()

    def _build_leaf_l3(self) -> None:
        """VRF red with L3VNI 100 on the leaf, announcing 192.168.20.0/24 as a type-5 route.
        The remote routes the node's L3VNI host networks (192.169.0.0/16) back through it."""
        self._leaf_l3vni_links(F.VRF_RED, F.L3_VNI, 100, "192.168.20.1/24", RED_REMOTE_IP,
                               "192.169.0.0/16")

    def add_leaf_l3vni(self, vrf: str, vni: int, table: int, gateway: str, remote_ip: str,
                       back_to: str, prefix: str) -> None:
        """A further L3VNI on the running leaf: VRF `vrf` with VNI `vni`, the leaf's address
        `gateway` (CIDR) towards a workload `remote_ip` in the remote namespace, which routes
        `back_to` (the node's host network of this VPN) through it; announces `prefix` and a
        default route as type-5 routes."""
        with self.batched():
            self._leaf_l3vni_links(vrf, vni, table, gateway, remote_ip, back_to)
        self.leaf.apply(F.leaf_vrf_config(vrf, vni, prefix))

    def add_leaf_l2vni(self, vni: int, remote_ip: str) -> None:
        """A further L2VNI on the running leaf with a workload remote_ip/24 behind it."""
        L, R = self.leaf_ns, self.remote_ns
        with self.batched():
            self._ip(L, "link", "add", f"br-{vni}", "type", "bridge")
            self._ip(L, "link", "add", f"vni{vni}", "type", "vxlan", "id", str(vni), "local",
                     F.LEAF_VTEP, "dstport", "4789", "nolearning")
            self._ip(L, "link", "set", f"vni{vni}", "master", f"br-{vni}", "addrgenmode", "none")
            self._ip(L, "link", "set", f"vni{vni}", "type", "bridge_slave", "learning", "off",
                     "neigh_suppress", "on")
            self._ip("", "link", "add", f"lf-{vni}", "netns", L, "type", "veth", "peer", "name",
                     f"rem-{vni}", "netns", R)
            self._ip(L, "link", "set", f"lf-{vni}", "master", f"br-{vni}")
            for d in (f"lf-{vni}", f"vni{vni}", f"br-{vni}"):
                self._ip(L, "link", "set", d, "up")
            self._ip(R, "addr", "add", f"{remote_ip}/24", "dev", f"rem-{vni}")
            self._ip(R, "link", "set", f"rem-{vni}", "up")

    def _leaf_l3vni_links(self, vrf: str, vni: int, table: int, gateway: str, remote_ip: str,
                          back_to: str) -> None:
        L, R = self.leaf_ns, self.remote_ns
        br, vx, lf, rem = f"br-{vni}", f"vni{vni}", f"lf-{vrf}", f"rem-{vrf}"
        self._ip(L, "link", "add", vrf, "type", "vrf", "table", str(table))
        self._ip(L, "link", "set", vrf, "up")
        self._ip(L, "link", "add", br, "type", "bridge")
        self._ip(L, "link", "set", br, "master", vrf, "addrgenmode", "none")
        self._ip(L, "link", "add", vx, "type", "vxlan", "id", str(vni), "local", F.LEAF_VTEP,
                 "dstport", "4789", "nolearning")
        self._ip(L, "link", "set", vx, "master", br, "addrgenmode", "none")
        self._ip(L, "link", "set", vx, "type", "bridge_slave", "learning", "off")
        for d in (br, vx):
            self._ip(L, "link", "set", d, "up")
        self._ip("", "link", "add", lf, "netns", L, "type", "veth", "peer", "name", rem,
                 "netns", R)
        self._ip(L, "link", "set", lf, "master", vrf)
        self._ip(L, "addr", "add", gateway, "dev", lf)
        self._ip(L, "link", "set", lf, "up")
        self._ip(R, "addr", "add", f"{remote_ip}/24", "dev", rem)
        self._ip(R, "link", "set", rem, "up")
        self._ip(R, "route", "add", back_to, "via", gateway.split("/")[0])

    def _write_node_config(self) -> None:
        for d in ("usr/lib", "run", "etc"):
            (self.root / d / "perouter" / "perouter.d").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLES / "l2-passthrough.toml", self.config_file)
        if self.l3:
            shutil.copyfile(EXAMPLES / "l3-red.toml", self.dropin_dir / "50-l3-red.toml")

    # --- perouterd ------------------------------------------------------------------------------

    def node_argv(self, *extra: str) -> list[str]:
        if not self.perouterd:
            raise LabError("no perouterd binary given")
        host = ["--host-netns", self.host_ns] if self.host_ns else []
        return [self.perouterd, "--root", str(self.root), "--netns", self.router_ns, *host,
                *self.node_args, *extra]

    def node_pid(self) -> Optional[int]:
        """Pid of the running perouterd of this lab, if any (verified by its command line)."""
        if self.proc and self.proc.poll() is None:
            return self.proc.pid
        pid = read_pid_file(self.node_pid_file)
        if pid and pid_alive(pid) and str(self.root) in pid_cmdline(pid):
            return pid
        return None

    def node_running(self) -> bool:
        return self.node_pid() is not None

    def start_node(self, timeout: float = 60.0) -> float:
        """Start perouterd in the foreground (as a child), wait for READY=1; returns seconds taken."""
        if self.node_running():
            raise LabError("perouterd is already running")
        if self.notify is None:
            self.notify = NotifyListener(self.labdir / "notify.sock")
        env = dict(os.environ, NOTIFY_SOCKET=str(self.notify.path))
        log = open(self.node_log, "a")
        log.write(f"==== perlab: start {' '.join(self.node_argv('--log-level', 'debug'))}\n")
        log.flush()
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.node_argv("--log-level", "debug"), stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        log.close()
        self.node_pid_file.write_text(f"{self.proc.pid}\n")
        why = self.notify.wait_ready(t0, timeout, lambda: self.proc is not None and self.proc.poll() is None,
                                     pid=self.proc.pid)
        if why:
            raise LabError(f"{why}; perouterd log tail ({self.node_log}):\n{tail(self.node_log)}")
        self.ready_seconds = time.monotonic() - t0
        self.node = True
        self._after_ready()
        self.save_state()
        return self.ready_seconds

    def _after_ready(self) -> None:
        """The node's workload network sits on the managed host bridge perouterd created."""
        br = "br-hs-110"
        if self.link("host", br) is None:
            return  # the check reports the missing bridge; up itself is not the place to judge it
        if f"{L2_HOST_IP}/24" not in addresses(self.host_ns, br):
            self._ip(self.host_ns, "addr", "add", f"{L2_HOST_IP}/24", "dev", br)

    def stop_node(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> Optional[int]:
        """Signal perouterd and wait for it to exit; returns its exit code when known."""
        pid = self.node_pid()
        if pid is None:
            return None
        os.kill(pid, sig)
        if self.proc and self.proc.pid == pid:
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise LabError(f"perouterd did not exit {timeout:.0f} s after signal {sig}")
        wait_for(lambda: not pid_alive(pid), timeout, what=f"perouterd {pid} exits")
        return None

    def reload_node(self, timeout: float = 60.0) -> None:
        """SIGHUP, then wait until perouterd reports the reload done (RELOADING=1 ... READY=1),
        as `systemctl reload` of a Type=notify service would."""
        pid = self.node_pid()
        if pid is None:
            raise LabError("perouterd is not running")
        t0 = time.monotonic()
        os.kill(pid, signal.SIGHUP)
        if self.notify is None:
            return
        alive = lambda: pid_alive(pid)  # noqa: E731
        why = self.notify.wait_sequence(["RELOADING=1", "READY=1"], t0, timeout, alive, pid)
        if why:
            raise LabError(f"reload: {why}; perouterd log tail ({self.node_log}):\n{tail(self.node_log)}")

    def node_cmd(self, *extra: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """A one-shot perouterd run (--once, --diff, --check-config, --teardown)."""
        return run(self.node_argv(*extra), check=False, timeout=timeout)

    def node_log_text(self) -> str:
        try:
            return self.node_log.read_text(errors="replace")
        except OSError:
            return ""

    # --- down --------------------------------------------------------------------------------

    def down(self) -> list[str]:
        """Stop everything this lab started and delete everything it created. Idempotent; works
        after a crash or a partial up. Returns warnings (e.g. a failed --teardown)."""
        warnings: list[str] = []
        if self.labdir.exists() and not (self.labdir / MARKER).exists():
            raise LabError(f"{self.labdir} exists but is not a lab directory; refusing to touch it")
        pid = self.node_pid()
        if pid:
            try:
                self.stop_node(timeout=15)
            except (LabError, TimeoutError):
                stop_pids([pid])
                warnings.append(f"perouterd {pid} ignored SIGTERM; killed")
        if self.proc:
            self.proc = None
        # Found before teardown: once the namespace name is gone its processes cannot be found.
        router_frr = self.router_frr_pids()
        if self.perouterd and os.access(self.perouterd, os.X_OK) and netns_exists(self.router_ns):
            p = self.node_cmd("--teardown")
            if p.returncode != 0:
                warnings.append(f"perouterd --teardown exited {p.returncode}: "
                                f"{(p.stderr or p.stdout).strip()[-500:]}")
        self.host.stop()
        self.leaf.stop()
        left = [p for p in router_frr if pid_alive(p)]
        if left:
            warnings.append(f"router FRR still running after teardown: pids {left}; stopped")
            stop_pids(left)
        # Whatever still runs inside the lab's namespaces was started for the lab.
        for n in self.namespaces():
            left = pids_in_netns(n)
            if left:
                stop_pids(left)
        for n in self.namespaces():
            netns_delete(n)
        if self.notify:
            self.notify.close()
            self.notify = None
        if self.labdir.exists():
            shutil.rmtree(self.labdir)
        return warnings

    # --- checks and diagnostics ----------------------------------------------------------------

    def check(self, out=print, budget: float = 60.0) -> list:
        from lab_checks import run_checks
        return run_checks(self, out=out, budget=budget)

    def diagnostics(self) -> str:
        parts = [f"== lab {self.prefix} ({self.labdir}), scenario {self.scenario}, node {self.node}"]
        for side in ("leaf", "router", "host"):
            try:
                parts.append(f"== {side}: show bgp summary\n" + self.vtysh(side, "show bgp summary"))
                parts.append(f"== {side}: show evpn vni\n" + self.vtysh(side, "show evpn vni"))
            except Exception as e:  # noqa: BLE001 - diagnostics must never raise
                parts.append(f"== {side}: vtysh failed: {e}")
        for n in self.namespaces():
            try:
                parts.append(f"== ip -n {n} -br addr\n" + run(["ip", "-n", n, "-br", "addr"]).stdout)
                parts.append(f"== ip -n {n} route\n" + run(["ip", "-n", n, "route"]).stdout)
            except Exception as e:  # noqa: BLE001
                parts.append(f"== {n}: {e}")
        if self.notify:
            parts.append("== sd_notify: " + "; ".join(self.notify.lines()))
        parts.append(f"== perouterd log tail\n{tail(self.node_log, 60)}")
        return "\n".join(parts)


# --- CLI -----------------------------------------------------------------------------------------

def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prefix", default="prl", help="name prefix of every namespace (default prl)")
    p.add_argument("--labdir", type=Path, default=None, help="default /tmp/perlab-<prefix>")


def _up_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--perouterd", default=os.environ.get("PEROUTERD"),
                   help="perouterd binary (default $PEROUTERD)")
    p.add_argument("--no-node", action="store_true", help="leaf, host and remote only")
    p.add_argument("--scenario", choices=("l2", "l3", "auto"), default="auto",
                   help="l3 needs a kernel with VRF; auto picks l3 when available")


def _print_up(lab: Lab) -> None:
    print(f"lab {lab.prefix} up in {lab.labdir}: namespaces {', '.join(lab.namespaces())}")
    if not lab.vrf:
        print("L3VNI part skipped: this kernel lacks VRF; " + QEMU_TIER + " runs it")
    if lab.node:
        print(f"perouterd READY after {lab.ready_seconds:.1f} s (log {lab.node_log})")
        print(f"router FRR: vtysh --vty_socket {lab.router_frr_dir} -c 'show bgp summary'")
    print(f"leaf FRR:   vtysh --vty_socket {lab.leaf.dir} -c 'show bgp summary'")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="perlab.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("up", "demo"):
        p = sub.add_parser(name)
        _common(p)
        _up_args(p)
    for name in ("check", "down"):
        _common(sub.add_parser(name))
    a = ap.parse_args(argv)
    try:
        if a.cmd == "down":
            lab = Lab.load(a.prefix, a.labdir)
            for w in lab.down():
                print("warning:", w)
            print(f"lab {a.prefix} down")
            return 0
        if a.cmd == "check":
            lab = Lab.load(a.prefix, a.labdir)
            if not lab.state_file.exists():
                print(f"lab {a.prefix} is not up ({lab.state_file} missing)")
                return 1
            results = lab.check()
            return 0 if all(r.status != "FAIL" for r in results) else 1
        lab = Lab(a.prefix, perouterd=a.perouterd, scenario=a.scenario, labdir=a.labdir)
        if a.cmd == "up":
            try:
                lab.up(node=not a.no_node)
            except BaseException:
                print(f"up failed; the partial lab is left for inspection, remove it with: "
                      f"{sys.argv[0]} down --prefix {a.prefix}", file=sys.stderr)
                raise
            _print_up(lab)
            return 0
        return demo(lab, node=not a.no_node)
    except (LabError, CommandError, TimeoutError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def demo(lab: Lab, node: bool) -> int:
    t0 = time.monotonic()
    try:
        lab.up(node=node)
        _print_up(lab)
        print("---- checks")
        results = lab.check()
        failed = [r for r in results if r.status == "FAIL"]
        print("---- what this run proved")
        for r in results:
            if r.status == "PASS" and r.headline:
                print(f"  * {r.claim}: {r.evidence}")
        for r in results:
            if r.status == "SKIP":
                print(f"  - not run: {r.claim}: {r.evidence}")
        if failed:
            print(f"---- {len(failed)} claim(s) FAILED; diagnostics:")
            print(lab.diagnostics())
        return 1 if failed else 0
    except (LabError, CommandError, TimeoutError) as e:
        print(f"error: {e}", file=sys.stderr)
        try:
            print(lab.diagnostics(), file=sys.stderr)
        except Exception:  # noqa: BLE001
            pass
        return 1
    finally:
        for w in lab.down():
            print("warning:", w)
        print(f"---- lab down; demo took {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
