#!/usr/bin/python3
"""The benchmark of issue 10: perouterd in the EVPN lab (tests/lab), beside the upstream method.

    sudo tests/bench/run.py [--perouterd BIN] [--perouterctl BIN] [--only P1,P3,...]
                            [--sizes 10,100,1000] [--repeat 3] [--out DIR]

Scenarios (each repeated --repeat times; min/median/max printed per figure):
  P1  perouterd start -> READY=1 with the lab's day-0 configuration (one L2VNI, passthrough), and
      perouterd's own share: READY minus the time FRR took from its start to answering on its
      vty sockets (observed by a 10 ms poller; see RESULTS.md).
  P2  perouterd start -> first ping reply from the remote host behind the leaf through VNI 110.
      Its floor (second lab, below): the router's links left in place, its FRR stopped and
      started again with the same frr.conf (FRR's own start, one boot read) -> the first ping,
      the host's neighbour entries flushed as perouterd's teardown does: what BGP and EVPN
      alone need. On both sides the host namespace retries ARP every 100 ms instead of the
      kernel's 1 s (see host_arp_retry()), so that the figure is the router's convergence and not
      which of the host's once-a-second ARP probes happened to come after it.
  P3  add one L2VNI next to N present (N = 0 and --sizes) by D-Bus AddVpn (`perouterctl vpn
      add`) and by writing a drop-in; remove it again (`perouterctl vpn remove`, unlink).
  P4  remove N L2VNIs (unlink their drop-in).
  P5  cold apply of N L2VNIs (a drop-in with N written next to the day-0 configuration).
  P6  perouterd's RSS, and its context switches per second over 20 s idle between two watchdog
      pings (and those of one ping), with 0 and the largest N bench L2VNIs (WATCHDOG_USEC=60 s
      as the shipped unit sets: a ping every 30 s).
  P7  iperf3 TCP throughput host -> remote through the L2VNI vs a plain veth between the same
      two namespaces.

"Done" for P3-P5 means: the kernel has (or no longer has) every link of the VNIs, up
(router namespace: br-pe-V, vniV, pe-e-V; host: host-e-V, br-hs-V) AND the router's FRR has them
(zebra's L2 VNI count and, for one VNI, `show evpn vni V`; unless --no-rts also bgpd's `vni V`
lines, or for one VNI its import route target in `show bgp l2vpn evpn vni V json`). Polled
every 10 ms, never slept on; the time of a sample is the end of the first check that saw it.

Anchors, measured in the same run, each on a lab of its own (prefix pbr, built fresh for the
reference and again for the floor, so that each FRR has been through the same cycles of N VNIs
created and deleted as perouterd's when it is measured) whose perouterd was started once (the
same namespaces, links, FRR instance and the node's own BGP speaker) and then stopped with
SIGTERM, which leaves the router running without it:
  reference  the upstream method: the kernel objects by `ip -n NS -batch FILE` (per namespace
             a batch creating the links, one `sysctl` process for their IPv6 settings, a batch
             bringing them up; one `link del` per link to remove) and the full FRR configuration
             (the frr.conf perouterd renders for that configuration) by `frr-reload.py --reload`.
             The objects are perouterd's: its MTUs, IPv6 on and off where it has them.
  floor      the same `ip -batch` files (removing N at once: `link set ... group` and one
             `link del group`) and ONE `vtysh -f` of just the FRR lines that change.

Outputs (in --out, default tests/bench/out): results.json (every sample), scaling.svg (gnuplot:
perouterd vs reference vs floor over N, log scale), and the table and the issue's targets
(met/missed) on standard output. Needs root, FRR, iproute2, dbus-daemon, iperf3, gnuplot.
Namespaces: pbn-* and pbr-* (removed on exit).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "lab"))
sys.path.insert(0, str(HERE))

import perlab  # noqa: E402
from benchlib import (LinkProbe, Vty, fmt_s, machine_busy, poll_until, settle,  # noqa: E402
                      summary)
from lab_bus import PrivateBus  # noqa: E402

FIRST_VNI = 1000          # the N bench L2VNIs are 1000 .. 1000+N-1
ONE_VNI = 999             # the one VNI P3 adds and removes
FLOOR_GROUP = "4299"      # link group the floor deletes at once (perouterd uses 4243 and 4244)
WATCHDOG_USEC = "60000000"  # units/perouterd.service.in: WatchdogSec=60s
TIMEOUT = 900.0           # of any one measured step
SCENARIOS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")
VTEP = perlab.ROUTER_VTEP   # the lab's router VTEP (tunnel_endpoint_cidrs host 0)


# --- what an L2VNI is: configuration, kernel links, FRR lines ---------------------------------

def l2vni_toml(vni: int, rts: bool) -> str:
    """One L2VNI as the day-0 example's l2-110: a managed host bridge br-hs-<vni>."""
    text = (f'[[l2vni]]\nname = "bench-{vni}"\nvni = {vni}\n'
            'host_master = { type = "linux-bridge", lifecycle = "managed" }\n')
    if rts:
        text += f'import_rts = ["64512:{vni}"]\nexport_rts = ["64514:{vni}"]\n'
    return text + "\n"


def vnis_of(n: int) -> list[int]:
    return list(range(FIRST_VNI, FIRST_VNI + n))


def router_links(vnis: list[int]) -> list[str]:
    return [x for v in vnis for x in (f"br-pe-{v}", f"vni{v}", f"pe-e-{v}")]


def host_links(vnis: list[int]) -> list[str]:
    return [x for v in vnis for x in (f"host-e-{v}", f"br-hs-{v}")]


def evpn_lines(vnis: list[int], rts: bool) -> list[str]:
    """The lines perouterd renders for the VNIs under `address-family l2vpn evpn` (none for an
    L2VNI without rd/route targets: zebra learns it from the kernel, advertise-all-vni)."""
    if not rts:
        return []
    return [x for v in vnis for x in (f"  vni {v}", f"   route-target import 64512:{v}",
                                      f"   route-target export 64514:{v}", "  exit-vni")]


# --- observing a router: its two namespaces and its FRR ---------------------------------------

class Observer:
    """Cheap checks of "the router has these VNIs" / "has none of them"."""

    def __init__(self, router_ns: str, host_ns: str, frr_dir: Path, rts: bool):
        self.router = LinkProbe(router_ns)
        self.host = LinkProbe(host_ns)
        self.zebra = Vty(frr_dir / "zebra.vty")
        self.bgpd = Vty(frr_dir / "bgpd.vty")
        self.rts = rts

    def close(self) -> None:
        for p in (self.router, self.host):
            p.close()
        for v in (self.zebra, self.bgpd):
            v.close()

    def zebra_l2_count(self) -> int:
        m = re.search(r"L2 VNIs: (\d+)", self.zebra.run("show evpn"))
        return int(m.group(1)) if m else -1

    def bgpd_vni_lines(self) -> set[int]:
        conf = self.bgpd.run("show running-config")
        return {int(v) for v in re.findall(r"^  vni (\d+)$", conf, re.M)}

    # A few VNIs (P3's one) are looked up by name, so a check costs ~0.3 ms with 1000 VNIs
    # present instead of ~4.5 ms for the link lists and bgpd's running configuration, which at
    # a 10 ms poll added ~11 ms on average to when "done" was seen, on both sides of P3.
    FEW = 3

    def kernel_has(self, vnis: list[int]) -> bool:
        r, h = router_links(vnis), host_links(vnis)
        if len(vnis) > self.FEW and not (set(r) <= self.router.names()
                                         and set(h) <= self.host.names()):
            return False
        return self.router.all_up(r) and self.host.all_up(h)  # a missing link is not up

    def kernel_has_none(self, vnis: list[int]) -> bool:
        r, h = router_links(vnis), host_links(vnis)
        if len(vnis) <= self.FEW:
            return self.router.none_exist(r) and self.host.none_exist(h)
        return not set(r) & self.router.names() and not set(h) & self.host.names()

    def bgpd_imports(self, vni: int) -> bool:
        """bgpd has the VNI's configured import route target (evpn_lines: 64512:V; the one
        bgpd would derive is 64514:V), i.e. its `vni V` lines."""
        return f'"64512:{vni}"' in self.bgpd.run(f"show bgp l2vpn evpn vni {vni} json")

    def frr_has(self, vnis: list[int], l2_total: int) -> bool:
        if self.zebra_l2_count() != l2_total:
            return False
        if len(vnis) <= self.FEW:
            if any(self.zebra.run(f"show evpn vni {v} json").strip() in ("", "{}") for v in vnis):
                return False
            return not self.rts or all(self.bgpd_imports(v) for v in vnis)
        return not self.rts or set(vnis) <= self.bgpd_vni_lines()

    def frr_has_none(self, vnis: list[int], l2_total: int) -> bool:
        if self.zebra_l2_count() != l2_total:
            return False
        if len(vnis) <= self.FEW:
            return not self.rts or not any(self.bgpd_imports(v) for v in vnis)
        return not self.rts or not set(vnis) & self.bgpd_vni_lines()

    def has(self, vnis: list[int], l2_total: int) -> bool:
        return self.kernel_has(vnis) and self.frr_has(vnis, l2_total)

    def has_none(self, vnis: list[int], l2_total: int) -> bool:
        return self.kernel_has_none(vnis) and self.frr_has_none(vnis, l2_total)


def lab_pids(lab: perlab.Lab) -> list[int]:
    """perouterd (if running) and every process in the lab's namespaces (the FRR daemons)."""
    pids = [p for n in lab.namespaces() for p in perlab.pids_in_netns(n)]
    node = lab.node_pid()
    return pids + ([node] if node else [])


def timed(action: Callable[[], Optional[subprocess.Popen]], done: Callable[[], bool],
          what: str, t0_after_action: bool = False) -> dict:
    """Run action (it may return a Popen still running: its exit is recorded too) and poll done
    every 10 ms. Returns {"s": seconds until done, "return_s": seconds until the command
    returned}. t0 is taken before the action, or after it (a drop-in's close)."""
    t0 = time.monotonic()
    proc = action()
    if t0_after_action:
        t0 = time.monotonic()
    returned: dict = {}
    if isinstance(proc, subprocess.Popen):
        def reap() -> None:
            out, err = proc.communicate()
            returned.update(t=time.monotonic(), rc=proc.returncode, err=err)
        th = threading.Thread(target=reap, daemon=True)
        th.start()
    t = poll_until(done, TIMEOUT, what)
    sample = {"s": t - t0}
    if isinstance(proc, subprocess.Popen):
        th.join(TIMEOUT)
        if returned.get("rc"):
            raise RuntimeError(f"{what}: command exited {returned['rc']}: {returned.get('err')}")
        sample["return_s"] = returned["t"] - t0
    return sample


# --- the perouterd side: lab pbn with a private system bus -----------------------------------

class PerouterdBench:
    """The lab (prefix pbn) with perouterd serving, its D-Bus API on a private bus."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.bus = PrivateBus(workdir / "bus")
        self.lab = perlab.Lab(prefix="pbn", perouterd=args.perouterd, scenario="l2")
        self.obs: Optional[Observer] = None

    def up(self) -> None:
        self.bus.start()
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus.address
        os.environ["WATCHDOG_USEC"] = WATCHDOG_USEC
        self.lab.up()
        self.observe()

    def observe(self) -> None:
        if self.obs:
            self.obs.close()
        self.obs = Observer(self.lab.router_ns, self.lab.host_ns, self.lab.router_frr_dir,
                            self.args.rts)

    def down(self) -> None:
        if self.obs:
            self.obs.close()
            self.obs = None
        try:
            for w in self.lab.down():
                print("warning:", w)
        finally:
            self.bus.stop()

    @property
    def bulk_dropin(self) -> Path:
        return self.lab.dropin_dir / "90-bench.toml"

    @property
    def one_dropin(self) -> Path:
        return self.lab.dropin_dir / "60-bench-one.toml"

    def ctl(self, *argv: str) -> subprocess.Popen:
        return subprocess.Popen([self.args.perouterctl, "--root", str(self.lab.root), *argv],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    # Each method returns a sample dict (see timed()).
    def apply_many(self, n: int) -> dict:
        text = "".join(l2vni_toml(v, self.args.rts) for v in vnis_of(n))
        return timed(lambda: self.bulk_dropin.write_text(text),
                     lambda: self.obs.has(vnis_of(n), n + 1), f"perouterd: apply {n}", True)

    def remove_many(self, n: int) -> dict:
        return timed(lambda: self.bulk_dropin.unlink(),
                     lambda: self.obs.has_none(vnis_of(n), 1), f"perouterd: remove {n}", True)

    def add_one_dbus(self, n: int) -> dict:
        doc = self.lab.labdir / "one.toml"
        doc.write_text(l2vni_toml(ONE_VNI, self.args.rts))
        return timed(lambda: self.ctl("vpn", "add", f"bench-{ONE_VNI}", str(doc)),
                     lambda: self.obs.has([ONE_VNI], n + 2), "perouterd: AddVpn")

    def remove_one_dbus(self, n: int) -> dict:
        return timed(lambda: self.ctl("vpn", "remove", f"bench-{ONE_VNI}"),
                     lambda: self.obs.has_none([ONE_VNI], n + 1), "perouterd: RemoveVpn")

    def add_one_dropin(self, n: int) -> dict:
        text = l2vni_toml(ONE_VNI, self.args.rts)
        return timed(lambda: self.one_dropin.write_text(text),
                     lambda: self.obs.has([ONE_VNI], n + 2), "perouterd: drop-in add", True)

    def remove_one_dropin(self, n: int) -> dict:
        return timed(lambda: self.one_dropin.unlink(),
                     lambda: self.obs.has_none([ONE_VNI], n + 1), "perouterd: drop-in unlink", True)

    def settle(self) -> None:
        """Between measurements (never inside one): perouterd and the lab's FRR go idle."""
        settle(lambda: lab_pids(self.lab))


# --- the anchors: lab pbr, perouterd stopped, ip -batch + frr-reload.py / vtysh -f -----------

class AnchorBench:
    """The same router (namespaces, links, FRR instance as perouterd built them in lab pbr) with
    perouterd stopped; VNIs applied by `ip -batch` and FRR by frr-reload.py or vtysh -f."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.lab = perlab.Lab(prefix="pbr", perouterd=args.perouterd, scenario="l2")
        self.obs: Optional[Observer] = None
        self.base_conf = ""
        self.mtu = 0

    def up(self) -> None:
        # The same lab as perouterd's, the node's BGP speaker included: its zebra reacts to
        # every host-side link (br-hs-V, host-e-V) as much for an anchor as for perouterd.
        self.lab.up()
        self.lab.stop_node()  # SIGTERM: the router keeps running without perouterd
        self.base_conf = self.frr_conf_path.read_text()
        first = self.reference_conf([])
        if first.read_text() != self.base_conf:
            print(f"warning: --show-plan's frr.conf differs from {self.frr_conf_path}", file=sys.stderr)
        self.frr_reload(first)  # once untimed: it also drops FRR's "hostname"
        self.mtu = int(perlab.links(self.lab.router_ns)["pe-e-110"]["mtu"])
        self.obs = Observer(self.lab.router_ns, self.lab.host_ns, self.lab.router_frr_dir,
                            self.args.rts)

    def down(self) -> None:
        if self.obs:
            self.obs.close()
            self.obs = None
        for w in self.lab.down():
            print("warning:", w)

    @property
    def frr_conf_path(self) -> Path:
        return self.lab.root / "etc" / "frr" / self.lab.router_ns / "frr.conf"

    # kernel: one ip -batch per namespace (and one sysctl process where IPv6 differs from the
    # namespace's default)
    def add_batches(self, vnis: list[int]) -> list[tuple[str, str, str]]:
        """(namespace, "batch"|"sysctl", text) steps creating the VNIs' links as perouterd does
        (--show-plan): the VNI MTU on the bridge, the VXLAN device and the veth; IPv6 on the
        router's bridges only (that namespace's default is off: perouterd set it), off on the
        host end of the veth; everything up once it is complete."""
        mtu = self.mtu
        r, r_up, h, h_up = [], [], [], []
        for v in vnis:
            r += [f"link add br-pe-{v} mtu {mtu} type bridge",
                  f"link add vni{v} mtu {mtu} type vxlan id {v} local {VTEP} dstport 4789 "
                  "nolearning",
                  f"link set vni{v} master br-pe-{v} addrgenmode none",
                  f"link set vni{v} type bridge_slave learning off neigh_suppress on",
                  f"link add pe-e-{v} mtu {mtu} type veth peer name host-e-{v} "
                  f"netns {self.lab.host_ns} mtu {mtu}",
                  f"link set pe-e-{v} master br-pe-{v}"]
            r_up += [f"link set br-pe-{v} up", f"link set vni{v} up", f"link set pe-e-{v} up"]
            h += [f"link add br-hs-{v} type bridge", f"link set host-e-{v} master br-hs-{v}"]
            h_up += [f"link set br-hs-{v} up", f"link set host-e-{v} up"]
        rns, hns = self.lab.router_ns, self.lab.host_ns
        return [(rns, "batch", "\n".join(r) + "\n"),
                (rns, "sysctl", " ".join(f"net.ipv6.conf.br-pe-{v}.disable_ipv6=0" for v in vnis)),
                (rns, "batch", "\n".join(r_up) + "\n"),
                (hns, "batch", "\n".join(h) + "\n"),
                (hns, "sysctl", " ".join(f"net.ipv6.conf.host-e-{v}.disable_ipv6=1" for v in vnis)),
                (hns, "batch", "\n".join(h_up) + "\n")]

    def del_batches(self, vnis: list[int], group: bool) -> list[tuple[str, str, str]]:
        """One `link del` per link (deleting pe-e-V takes host-e-V with it), or with group: mark
        them and delete the group in one request (what the floor and perouterd do)."""
        if group:
            g = FLOOR_GROUP
            r = [f"link set {x} group {g}" for x in router_links(vnis)] + [f"link del group {g}"]
            h = [f"link set br-hs-{v} group {g}" for v in vnis] + [f"link del group {g}"]
        else:
            r = [f"link del {x}" for v in vnis for x in (f"pe-e-{v}", f"vni{v}", f"br-pe-{v}")]
            h = [f"link del br-hs-{v}" for v in vnis]
        return [(self.lab.router_ns, "batch", "\n".join(r) + "\n"),
                (self.lab.host_ns, "batch", "\n".join(h) + "\n")]

    def run_batches(self, batches: list[tuple[str, str, str]]) -> None:
        for ns, kind, text in batches:
            if kind == "sysctl":
                perlab.run(["ip", "netns", "exec", ns, "sysctl", "-qw", *text.split()],
                           timeout=TIMEOUT)
                continue
            with tempfile.NamedTemporaryFile("w", suffix=".batch") as f:
                f.write(text)
                f.flush()
                perlab.run(["ip", "-n", ns, "-batch", f.name], timeout=TIMEOUT)

    # FRR: the full configuration (frr-reload.py) or the delta (vtysh -f)
    def full_conf(self, vnis: list[int]) -> str:
        """The frr.conf perouterd renders for the day-0 configuration plus these L2VNIs: the
        `--show-plan` of a scratch root holding the lab's configuration and their drop-in."""
        root = self.lab.labdir / "plan-root"
        if not root.exists():
            shutil.copytree(self.lab.root / "etc" / "perouter", root / "etc" / "perouter")
        (root / "etc" / "perouter" / "perouter.d" / "90-bench.toml").write_text(
            "".join(l2vni_toml(v, self.args.rts) for v in vnis))
        p = perlab.run([self.args.perouterd, "--root", str(root), "--netns", self.lab.router_ns,
                        "--host-netns", self.lab.host_ns, "--show-plan"], timeout=TIMEOUT)
        conf = p.stdout.split("--- frr.conf\n", 1)[1]
        # The plan's paths are those of the scratch root; the instance is the lab's.
        return conf.replace(str(root), str(self.lab.root))

    def frr_reload(self, conf: Path) -> None:
        d = self.lab.router_frr_dir
        perlab.run(["/usr/lib/frr/frr-reload.py", "--reload", "--vty_socket", str(d),
                    "--confdir", str(self.frr_conf_path.parent), "--rundir", str(d),
                    "--bindir", "/usr/bin", "--stdout", str(conf)], timeout=TIMEOUT)

    def reference_conf(self, vnis: list[int]) -> Path:
        """Written before the timed step (rendering is perouterd's work, not the applier's)."""
        path = self.lab.labdir / f"reference-{len(vnis)}.conf"
        path.write_text(self.full_conf(vnis))
        return path

    # P2's floor: FRR alone, on links that are in place
    FRR_DAEMONS = ("watchfrr", "bfdd", "staticd", "bgpd", "zebra")  # watchfrr first

    def stop_frr(self) -> None:
        d = self.lab.router_frr_dir
        pids = [perlab.read_pid_file(d / f"{n}.pid") for n in self.FRR_DAEMONS]
        perlab.stop_pids([x for x in pids if x], timeout=20)

    def start_frr(self) -> subprocess.Popen:
        """FRR's own start in the router namespace (frrinit.sh, its boot read of frr.conf), as
        perouterd's direct launcher runs it with a --root (src/frr/instance.cpp start_direct)."""
        root = self.lab.root
        return subprocess.Popen(
            ["ip", "netns", "exec", self.lab.router_ns, "unshare", "--mount", "--propagation",
             "slave", "sh", "-ec", 'mount --bind "$1" /etc/frr && mount --bind "$2" /run/frr && '
             'exec /usr/lib/frr/frrinit.sh start "$3"', "frr-start", str(root / "etc" / "frr"),
             str(root / "run" / "frr"), self.lab.router_ns],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def frr_start_to_ping(self) -> dict:
        """P2's floor: FRR stopped (the leaf withdraws, zebra removes what it installed), then
        started again; from its spawn to the host's first echo reply through VNI 110."""
        self.stop_frr()
        # perouterd's P2 starts after --teardown, whose deleted host links took the host's
        # neighbour entries with them: the host resolves the remote's MAC again (ARP retries
        # every second), so the floor's host must as well.
        perlab.run(["ip", "-n", self.lab.host_ns, "neigh", "flush", "all"], check=False)
        time.sleep(2.0)  # as P2: let the leaf notice the session is gone
        host_arp_retry(self.lab.host_ns)
        t0 = time.monotonic()
        p = self.start_frr()
        try:
            t = first_ping(self.lab.host_ns, perlab.L2_REMOTE_IP)
        finally:
            p.wait(timeout=120)
        return {"s": t - t0}

    def vtysh_delta(self, vnis: list[int], remove: bool) -> None:
        if not self.args.rts:
            return  # no FRR line changes for an L2VNI without route targets
        asn = re.search(r"^router bgp (\d+)$", self.base_conf, re.M).group(1)
        body = ([f" no vni {v}" for v in vnis] if remove
                else [x[1:] for x in evpn_lines(vnis, True)])
        text = "\n".join([f"router bgp {asn}", " address-family l2vpn evpn", *body,
                          " exit-address-family", "exit", ""])
        path = self.lab.labdir / "delta.conf"
        path.write_text(text)
        perlab.run(["vtysh", "--vty_socket", str(self.lab.router_frr_dir), "-f", str(path)],
                   timeout=TIMEOUT)

    def apply(self, method: str, vnis: list[int], present: list[int], l2_total: int) -> dict:
        """Add vnis next to present (already applied) with method reference|floor; timed."""
        conf = self.reference_conf(present + vnis) if method == "reference" else None
        batches = self.add_batches(vnis)

        def act() -> None:
            self.run_batches(batches)
            if conf:
                self.frr_reload(conf)
            else:
                self.vtysh_delta(vnis, remove=False)
        return timed(act, lambda: self.obs.has(vnis, l2_total), f"{method}: add {len(vnis)}")

    def remove(self, method: str, vnis: list[int], present: list[int], l2_total: int) -> dict:
        conf = self.reference_conf(present) if method == "reference" else None
        batches = self.del_batches(vnis, group=method == "floor" and len(vnis) > 1)

        def act() -> None:
            self.run_batches(batches)
            if conf:
                self.frr_reload(conf)
            else:
                self.vtysh_delta(vnis, remove=True)
        return timed(act, lambda: self.obs.has_none(vnis, l2_total), f"{method}: remove {len(vnis)}")


# --- results ------------------------------------------------------------------------------------

class Results:
    """Every sample, keyed by (scenario, operation, method, n)."""

    def __init__(self, meta: dict):
        self.meta = meta
        self.rows: dict[tuple, dict] = {}

    def add(self, scenario: str, op: str, method: str, n: int, sample: dict) -> None:
        key = (scenario, op, method, n)
        row = self.rows.setdefault(key, {"scenario": scenario, "op": op, "method": method,
                                         "n": n, "samples": []})
        row["samples"].append(sample)
        print(f"  {scenario} {op:34s} {method:10s} N={n:<5d} {fmt_value(op, sample['s'])}"
              + (f" (command returned {fmt_s(sample['return_s'])})" if "return_s" in sample else ""),
              flush=True)

    def values(self, scenario: str, op: str, method: str, n: int, field: str = "s") -> list[float]:
        row = self.rows.get((scenario, op, method, n))
        return [s[field] for s in row["samples"] if field in s] if row else []

    def median(self, *key, field: str = "s") -> Optional[float]:
        return summary(self.values(*key, field=field)).get("median")

    def to_json(self) -> dict:
        rows = []
        for row in self.rows.values():
            r = dict(row)
            r["summary"] = summary([s["s"] for s in row["samples"]])
            rows.append(r)
        return {"meta": self.meta, "rows": rows}


# --- P1, P2: start --------------------------------------------------------------------------------

class FrrStartWatch:
    """A 10 ms poller (own thread) of the router FRR's vty sockets: when every daemon perouterd
    runs (zebra, bgpd, staticd, bfdd; frrinit.sh starts them one after the other) first answers
    `show version`. FRR's start is perouterd's log line "starting FRR instance"."""

    def __init__(self, frr_dir: Path):
        self.frr_dir = frr_dir
        self.answered: Optional[float] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        vtys = [Vty(self.frr_dir / f"{d}.vty") for d in ("zebra", "bgpd", "staticd", "bfdd")]
        while not self._stop.is_set():
            try:
                if all("FRRouting" in v.run("show version") for v in vtys):
                    self.answered = time.monotonic()
                    break
            except OSError:
                for v in vtys:
                    v.close()
            time.sleep(0.01)
        for v in vtys:
            v.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def log_time(log: Path, since_wall: float, pattern: str) -> Optional[float]:
    """Wall time of the first perouterd log line matching pattern at or after since_wall."""
    for line in log.read_text(errors="replace").splitlines():
        m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ", line)
        if not m or pattern not in line:
            continue
        t = time.mktime(time.strptime(m.group(1)[:19], "%Y-%m-%d %H:%M:%S")) + float(m.group(1)[19:])
        if t >= since_wall - 0.002:
            return t
    return None


# P2's ping is only answered once the router and the leaf have each other's EVPN routes; until
# then the host's ARP request for the remote goes nowhere and the kernel retries it every
# retrans_time_ms (1 s by default). With that default every P2 sample, perouterd's and the floor's,
# was rounded up to the host's next probe: P2 moved in steps of one second and the comparison
# with the floor depended on where each side's probes fell (tests/bench/RESULTS.md, fifteenth
# session). Both sides get the same 100 ms retry on the host's links before their first ping.
HOST_ARP_RETRY_MS = 100


def host_arp_retry(netns: str, ms: int = HOST_ARP_RETRY_MS) -> None:
    """Set the IPv4 neighbour retry of every link in `netns` now (a link created later copies
    the initial namespace's default, not this namespace's: perouterd's side calls this after
    READY=1, when its br-hs-110 exists, and before its first ping)."""
    script = ("for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do "
              f"echo {ms} > \"$f\"; done")
    perlab.run(["ip", "netns", "exec", netns, "sh", "-c", script])


def first_ping(netns: str, dst: str, timeout: float = 60.0) -> float:
    """monotonic time of the first echo reply of `ping -i 0.01` (started now)."""
    p = subprocess.Popen(["ip", "netns", "exec", netns, "ping", "-n", "-i", "0.01", dst],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        for line in p.stdout:  # type: ignore[union-attr]
            if "bytes from" in line:
                return time.monotonic()
        raise TimeoutError(f"no ping reply from {dst} within {timeout:.0f} s")
    finally:
        killer.cancel()
        p.kill()
        p.wait()


def run_start(pb: PerouterdBench, res: Results, repeat: int, ping: bool) -> None:
    """P1 and P2: perouterd --teardown, then start it and time READY=1 and the first ping."""
    lab = pb.lab
    for _ in range(repeat):
        lab.stop_node()
        p = lab.node_cmd("--teardown")
        if p.returncode != 0:
            raise RuntimeError(f"--teardown: {p.stderr}")
        time.sleep(2.0)  # between measurements: let the leaf notice the session is gone
        t0, wall0 = time.monotonic(), time.time()
        watch = FrrStartWatch(lab.router_frr_dir)
        lab.start_node(timeout=120)
        ready = lab.notify.times("READY=1", t0, lab.node_pid())[0]
        watch.stop()
        sample = {"s": ready - t0}
        started = log_time(lab.node_log, wall0, "starting FRR instance")
        if watch.answered and started:
            frr = watch.answered - (t0 + started - wall0)
            sample.update(frr_s=frr, own_s=sample["s"] - frr)
        res.add("P1", "start -> READY=1", "perouterd", 1, sample)
        if "own_s" in sample:
            res.add("P1", "perouterd's own share", "perouterd", 1, {"s": sample["own_s"]})
        if ping:
            host_arp_retry(lab.host_ns)  # br-hs-110 is perouterd's, new since --teardown
            t = first_ping(lab.host_ns, perlab.L2_REMOTE_IP)
            res.add("P2", "start -> first ping via VNI 110", "perouterd", 1, {"s": t - t0})
    pb.observe()  # the namespaces are new


# --- P3, P4, P5: VNIs at scale --------------------------------------------------------------------

def run_perouterd_scale(pb: PerouterdBench, res: Results, sizes: list[int], repeat: int,
                        only: set[str], idle: Callable[[int], None]) -> None:
    """Per size N and repetition: P5 apply N, P3 one VPN next to them, P4 remove N."""
    for n in sizes:
        for r in range(repeat):
            if n:
                s = pb.apply_many(n)
                if "P5" in only:
                    res.add("P5", "apply N (drop-in)", "perouterd", n, s)
                pb.settle()
            if r == 0:
                idle(n)
            if "P3" in only:
                for op, fn in (("add one (AddVpn)", pb.add_one_dbus),
                               ("remove one (RemoveVpn)", pb.remove_one_dbus),
                               ("add one (drop-in)", pb.add_one_dropin),
                               ("remove one (unlink drop-in)", pb.remove_one_dropin)):
                    res.add("P3", op, "perouterd", n, fn(n))
                    pb.settle()
            if n:
                s = pb.remove_many(n)
                if "P4" in only:
                    res.add("P4", "remove N (unlink drop-in)", "perouterd", n, s)
                pb.settle()


def run_anchor_scale(ab: AnchorBench, method: str, res: Results, sizes: list[int], repeat: int,
                     only: set[str]) -> None:
    """The same sequence as run_perouterd_scale with the reference applier or the floor."""
    one, base = [ONE_VNI], 1  # zebra always has the day-0 VNI 110
    for n in sizes:
        vnis = vnis_of(n)
        for _ in range(repeat):
            if n:
                s = ab.apply(method, vnis, [], base + n)
                if "P5" in only:
                    res.add("P5", "apply N (drop-in)", method, n, s)
                settle(lambda: lab_pids(ab.lab))
            if "P3" in only:
                res.add("P3", "add one", method, n, ab.apply(method, one, vnis, base + n + 1))
                settle(lambda: lab_pids(ab.lab))
                res.add("P3", "remove one", method, n, ab.remove(method, one, vnis, base + n))
                settle(lambda: lab_pids(ab.lab))
            if n:
                s = ab.remove(method, vnis, [], base)
                if "P4" in only:
                    res.add("P4", "remove N (unlink drop-in)", method, n, s)
                settle(lambda: lab_pids(ab.lab))


def run_p2_floor(ab: AnchorBench, res: Results, repeat: int) -> None:
    for _ in range(repeat):
        res.add("P2", "start -> first ping via VNI 110", "floor", 1, ab.frr_start_to_ping())


# --- P6: idle cost ----------------------------------------------------------------------------

def ctx_switches(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def vm_rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_by_mapping(pid: int) -> dict[str, int]:
    """Resident KiB per mapped file (basename) of /proc/PID/smaps, anonymous memory (heap,
    stacks, anonymous mappings) under "[anon]"."""
    out: dict[str, int] = {}
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if not head:
            continue
        if not head[0].endswith(":"):  # a mapping's header: range perms offset dev inode [path]
            path = line.split(None, 5)[5].strip() if len(head) >= 6 else ""
            name = Path(path).name if path.startswith("/") else "[anon]"
        elif head[0] == "Rss:":
            out[name] = out.get(name, 0) + int(head[1])
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def run_idle(pb: PerouterdBench, res: Results, n: int, window: float = 20.0) -> None:
    """P6: RSS and context switches of every perouterd thread over `window` idle seconds between
    two watchdog pings, once perouterd reports every underlay session up (until then it asks FRR
    every 2 s by design); and the switches of one ping."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        st = pb.lab.notify.statuses()
        if st and re.search(r"underlay: (\d+)/\1 peers up", st[-1]):
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("P6: the underlay sessions did not come up within 120 s")
    pb.settle()  # not a timed interval: let the last reconcile and FRR's churn finish
    pid = pb.lab.node_pid()
    # The window starts right after a watchdog ping (one per 30 s) and ends before the next: what
    # it counts is every other wakeup. The ping itself (with the FRR health check it carries) is
    # counted apart, over a window around one ping.
    interval = int(WATCHDOG_USEC) / 2e6

    def next_ping(after: float) -> float:
        return poll_until(lambda: bool(pb.lab.notify.times("WATCHDOG=1", after, pid)),
                          interval + 5, "a watchdog ping")
    ping = next_ping(time.monotonic())
    time.sleep(1.0)  # the ping's own health check ends
    t, c = time.monotonic(), ctx_switches(pid)
    time.sleep(window)
    end, c_end = time.monotonic(), ctx_switches(pid)
    rate = (c_end - c) / (end - t)
    pings = len(pb.lab.notify.times("WATCHDOG=1", t, pid))
    # The next ping, from the end of the quiet window to 1 s after it.
    next_ping(end)
    time.sleep(1.0)
    per_ping = ctx_switches(pid) - c_end
    res.add("P6", "RSS (MiB)", "perouterd", n, {"s": vm_rss_kib(pid) / 1024})
    # Where it goes: the heap and stacks (anonymous) vs the pages of the binary and libraries.
    res.add("P6", "RSS anonymous (MiB)", "perouterd", n, {"s": vm_rss_kib(pid, "RssAnon") / 1024})
    by_file = rss_by_mapping(pid)
    print("  P6 resident KiB by mapping: " + ", ".join(f"{k} {v}" for k, v in by_file.items() if v),
          flush=True)
    res.add("P6", "RSS file-backed (MiB)", "perouterd", n,
            {"s": vm_rss_kib(pid, "RssFile") / 1024, "kib_by_mapping": by_file})
    res.add("P6", "context switches / s idle", "perouterd", n,
            {"s": rate, "watchdog_pings": pings, "window_s": window, "switches_per_ping": per_ping,
             "quiet_window_after_ping_s": t - ping})


# --- P7: throughput ------------------------------------------------------------------------------

PLAIN_HOST_IP, PLAIN_REMOTE_IP = "10.251.0.1", "10.251.0.2"


def iperf(host_ns: str, remote_ns: str, server_ip: str, seconds: int) -> float:
    """iperf3 TCP host -> remote for `seconds`; received bits per second."""
    srv = subprocess.Popen(["ip", "netns", "exec", remote_ns, "iperf3", "-s", "-1", "-B", server_ip],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out = None
        for _ in range(100):  # the server needs a moment to listen
            p = perlab.run(["ip", "netns", "exec", host_ns, "iperf3", "-J", "-c", server_ip,
                            "-t", str(seconds)], check=False, timeout=seconds + 30)
            try:  # iperf3 3.12 exits 0 on errors with -J; the JSON says "error"
                out = json.loads(p.stdout)
            except ValueError:
                out = {"error": p.stderr}
            if p.returncode == 0 and "error" not in out:
                break
            out = None
            time.sleep(0.05)
        if out is None:
            raise RuntimeError(f"iperf3 to {server_ip}: {p.stdout[-300:]} {p.stderr[-300:]}")
        return float(out["end"]["sum_received"]["bits_per_second"])
    finally:
        srv.kill()
        srv.wait()


def run_throughput(pb: PerouterdBench, res: Results, repeat: int, seconds: int = 5) -> None:
    """P7: through VNI 110 (host br-hs-110 -> router -> VXLAN -> leaf -> remote) and through a
    plain veth between the host and remote namespaces, MTU 1500 (the remote end's MTU on the
    VNI path is 1500 too, so both carry 1460-byte segments)."""
    lab = pb.lab
    first_ping(lab.host_ns, perlab.L2_REMOTE_IP)
    perlab.run(["ip", "link", "add", "bp-h", "netns", lab.host_ns, "mtu", "1500", "type", "veth",
                "peer", "name", "bp-r", "netns", lab.remote_ns, "mtu", "1500"])
    try:
        perlab.run(["ip", "-n", lab.host_ns, "addr", "add", f"{PLAIN_HOST_IP}/30", "dev", "bp-h"])
        perlab.run(["ip", "-n", lab.remote_ns, "addr", "add", f"{PLAIN_REMOTE_IP}/30", "dev", "bp-r"])
        perlab.run(["ip", "-n", lab.host_ns, "link", "set", "bp-h", "up"])
        perlab.run(["ip", "-n", lab.remote_ns, "link", "set", "bp-r", "up"])
        for _ in range(repeat):
            res.add("P7", "TCP throughput (Gbit/s)", "perouterd", 1,
                    {"s": iperf(lab.host_ns, lab.remote_ns, perlab.L2_REMOTE_IP, seconds) / 1e9})
            res.add("P7", "TCP throughput (Gbit/s)", "plain veth", 1,
                    {"s": iperf(lab.host_ns, lab.remote_ns, PLAIN_REMOTE_IP, seconds) / 1e9})
    finally:
        perlab.run(["ip", "-n", lab.host_ns, "link", "del", "bp-h"], check=False)


# --- report: table, targets, SVG ------------------------------------------------------------------

def fmt_value(op: str, x: float) -> str:
    """Seconds unless the operation names its unit: "RSS (MiB)", "... / s", "(Gbit/s)"."""
    return f"{x:.2f}" if ("MiB" in op or "Gbit" in op or "/ s" in op) else fmt_s(x)


def cell(res: Results, key: tuple) -> str:
    """median (min-max) of a row's samples."""
    s = summary(res.values(*key))
    if not s:
        return "-"
    f = lambda x: fmt_value(key[1], x)  # noqa: E731
    return f"{f(s['median'])} ({f(s['min'])}-{f(s['max'])})" if s["n"] > 1 else f(s["median"])


ANCHOR_OP = {"add one (AddVpn)": "add one", "add one (drop-in)": "add one",
             "remove one (RemoveVpn)": "remove one", "remove one (unlink drop-in)": "remove one"}


def table(res: Results) -> str:
    """Markdown table: one row per (scenario, operation, N), perouterd beside the anchors;
    cells are median (min-max)."""
    lines = ["| scenario | operation | N | perouterd | reference | floor | ref / perouterd | perouterd / floor |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (sc, op, method, n) in sorted(res.rows, key=lambda k: (k[0], k[3], k[1])):
        if method != "perouterd":
            continue
        aop = ANCHOR_OP.get(op, op)
        pe = res.median(sc, op, method, n)
        ref, flo = res.median(sc, aop, "reference", n), res.median(sc, aop, "floor", n)
        other = "plain veth" if sc == "P7" else None
        refcell = cell(res, (sc, op, other, n)) if other else cell(res, (sc, aop, "reference", n))
        lines.append(f"| {sc} | {op} | {n} | {cell(res, (sc, op, method, n))} | {refcell} | "
                     f"{cell(res, (sc, aop, 'floor', n))} | "
                     f"{f'{ref / pe:.1f}x' if ref and pe else '-'} | "
                     f"{f'{pe / flo:.2f}x' if flo and pe else '-'} |")
    return "\n".join(lines)


def targets(res: Results, sizes: list[int]) -> list[tuple[str, Optional[bool], str]]:
    """The issue's targets: (target, met? (None = not measured), the figures judged)."""
    out: list[tuple[str, Optional[bool], str]] = []
    big = max(sizes) if sizes else 0
    m = res.median

    def check(name: str, value: Optional[float], ok: Callable[[float], bool], shown: str) -> None:
        out.append((name, None if value is None else ok(value), shown if value is not None else "not measured"))

    v = m("P3", "add one (AddVpn)", "perouterd", big)
    check(f"P3 AddVpn <= 100 ms with {big} present", v, lambda x: x <= 0.100, fmt_s(v))
    ref = m("P3", "add one", "reference", big)
    ratio = ref / v if ref and v else None
    check(f"P3 AddVpn >= 30x faster than the reference ({big} present)", ratio, lambda x: x >= 30,
          f"{ratio:.1f}x" if ratio else "")
    v = m("P3", "add one (drop-in)", "perouterd", big)
    check(f"P3 drop-in <= 150 ms from its close ({big} present)", v, lambda x: x <= 0.150, fmt_s(v))
    for sc, op in (("P4", "remove N (unlink drop-in)"), ("P5", "apply N (drop-in)")):
        for n in sizes:
            pe, fl = m(sc, op, "perouterd", n), m(sc, op, "floor", n)
            r = pe / fl if pe and fl else None
            check(f"{sc} {op} <= 1.2x floor (N={n})", r, lambda x: x <= 1.2,
                  f"{r:.2f}x ({fmt_s(pe)} vs {fmt_s(fl)})" if r else "")
    pe, fl = m("P2", "start -> first ping via VNI 110", "perouterd", 1), \
        m("P2", "start -> first ping via VNI 110", "floor", 1)
    d = pe - fl if pe and fl else None
    check("P2 first ping <= floor + 0.5 s", d, lambda x: x <= 0.5,
          f"{fmt_s(pe)} vs floor {fmt_s(fl)} (+{d * 1000:.0f} ms)" if d is not None else "")
    v = m("P1", "perouterd's own share", "perouterd", 1)
    check("P1 perouterd's own share <= 100 ms", v, lambda x: x <= 0.100, fmt_s(v))
    for n in (0, big):
        v = m("P6", "RSS (MiB)", "perouterd", n)
        check(f"P6 RSS <= 10 MiB ({n} bench VNIs)", v, lambda x: x <= 10, f"{v:.1f} MiB" if v else "")
        v = m("P6", "context switches / s idle", "perouterd", n)
        pings = res.values("P6", "context switches / s idle", "perouterd", n, "watchdog_pings")
        per_ping = res.values("P6", "context switches / s idle", "perouterd", n,
                              "switches_per_ping")
        # Between two watchdog pings (WatchdogSec=60s: one per 30 s) nothing may wake it: the
        # 20 s window must see no switch at all, and no ping.
        check(f"P6 no periodic wakeups besides the watchdog ({n} bench VNIs)", v,
              lambda x: x == 0 and bool(pings) and pings[0] == 0,
              f"{v:.2f} context switches/s in 20 s between two watchdog pings (pings inside: "
              f"{pings[0] if pings else '?'}); one ping and its FRR health check: "
              f"{per_ping[0] if per_ping else '?'} switches" if v is not None else "")
    pe, veth = m("P7", "TCP throughput (Gbit/s)", "perouterd", 1), m("P7", "TCP throughput (Gbit/s)", "plain veth", 1)
    r = pe / veth if pe and veth else None
    check("P7 throughput >= 0.8x plain veth", r, lambda x: x >= 0.8,
          f"{r:.2f}x ({pe:.2f} vs {veth:.2f} Gbit/s)" if r else "")
    return out


GNUPLOT = """set terminal svg size 1200,420 dynamic noenhanced font "sans,11"
set output '{out}'
set logscale xy
set xlabel 'L2VNIs (N)'
set ylabel 'seconds'
set key top left
set grid
set multiplot layout 1,3
{plots}
unset multiplot
"""


def svg(res: Results, outdir: Path) -> Optional[Path]:
    """scaling.svg: P5 apply N, P4 remove N, P3 add one next to N; perouterd vs anchors."""
    panels = [("P5: apply N", "P5", {"perouterd": "apply N (drop-in)", "reference": "apply N (drop-in)",
                                     "floor": "apply N (drop-in)"}),
              ("P4: remove N", "P4", {"perouterd": "remove N (unlink drop-in)",
                                      "reference": "remove N (unlink drop-in)",
                                      "floor": "remove N (unlink drop-in)"}),
              ("P3: add one next to N", "P3", {"perouterd AddVpn": "add one (AddVpn)",
                                               "perouterd drop-in": "add one (drop-in)",
                                               "reference": "add one", "floor": "add one"})]
    plots = []
    for title, sc, series in panels:
        curves = []
        for label, op in series.items():
            method = "perouterd" if label.startswith("perouterd") else label
            pts = sorted((n, res.median(sc, op, method, n)) for (s, o, mth, n) in res.rows
                         if s == sc and o == op and mth == method and n > 0)
            if not pts:
                continue
            dat = outdir / f"{sc}-{label.replace(' ', '_')}.dat"
            dat.write_text("".join(f"{n} {v}\n" for n, v in pts))
            curves.append(f"'{dat}' using 1:2 with linespoints title '{label}'")
        if curves:
            plots.append(f"set title '{title}'\nplot " + ", ".join(curves))
    if not plots:
        return None
    out = outdir / "scaling.svg"
    p = subprocess.run(["gnuplot"], input=GNUPLOT.format(out=out, plots="\n".join(plots)),
                       text=True, capture_output=True)
    if p.returncode != 0:
        print(f"gnuplot failed: {p.stderr}", file=sys.stderr)
        return None
    return out


# --- main ---------------------------------------------------------------------------------------

def binary_info(path: str) -> dict:
    st = os.stat(path)
    sha = subprocess.run(["sha256sum", path], capture_output=True, text=True).stdout.split()[0]
    return {"path": path, "mtime": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime)),
            "sha256": sha[:16]}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perouterd", default=str(REPO / "build" / "src" / "daemon" / "perouterd"))
    ap.add_argument("--perouterctl", default=str(REPO / "build" / "src" / "cli" / "perouterctl"))
    ap.add_argument("--only", default=",".join(SCENARIOS), help="scenarios, e.g. P3,P5")
    ap.add_argument("--sizes", default="10,100,1000", help="N for P3/P4/P5 (P3 also runs at 0)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--no-anchors", action="store_true", help="perouterd only")
    ap.add_argument("--rts", action=argparse.BooleanOptionalAction, default=True,
                    help="give every bench L2VNI route targets, so FRR gets a `vni N` block per "
                    "VNI (the default: as an L3VNI's VRF always has; without them an L2VNI has no "
                    "FRR line and the reference's frr-reload.py compares two equal texts)")
    a = ap.parse_args()
    a.only = {s.strip().upper() for s in a.only.split(",") if s.strip()}
    a.sizes = sorted({int(x) for x in a.sizes.split(",") if x.strip()})
    bad = a.only - set(SCENARIOS)
    if bad:
        ap.error(f"unknown scenarios {sorted(bad)}")
    for b in (a.perouterd, a.perouterctl):
        if not os.access(b, os.X_OK):
            ap.error(f"not executable: {b}")
    return a


def main() -> int:
    args = parse_args()
    if os.geteuid() != 0:
        print("run.py needs root (network namespaces, FRR)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    # SIGTERM unwinds like ^C, so that the labs' finally blocks remove their namespaces.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    busy = machine_busy()
    if busy > 0.10:
        print(f"warning: the machine is {busy:.0%} busy before the run (other work); the figures "
              "will carry it", file=sys.stderr)
    scale = args.only & {"P3", "P4", "P5"}
    res = Results({"started": time.strftime("%Y-%m-%d %H:%M:%S"), "perouterd": binary_info(args.perouterd),
                   "perouterctl": binary_info(args.perouterctl), "sizes": args.sizes,
                   "repeat": args.repeat, "only": sorted(args.only), "rts": args.rts,
                   "nproc": os.cpu_count(), "kernel": os.uname().release,
                   "machine_busy_before": round(busy, 3),
                   "frr": subprocess.run(["dpkg-query", "-W", "-f=${Version}", "frr"],
                                         capture_output=True, text=True).stdout})
    p3_sizes = ([0] if "P3" in args.only else []) + args.sizes
    with tempfile.TemporaryDirectory(prefix="perouter-bench-") as tmp:
        pb = PerouterdBench(args, Path(tmp))
        try:
            print("== perouterd (lab pbn)", flush=True)
            pb.up()
            if args.only & {"P1", "P2"}:
                run_start(pb, res, args.repeat, ping="P2" in args.only)
            if "P7" in args.only:
                run_throughput(pb, res, args.repeat)
            idle_at = {0, max(args.sizes)} if "P6" in args.only and args.sizes else set()
            idle = lambda n: run_idle(pb, res, n) if n in idle_at else None  # noqa: E731
            cycle = sorted(set(p3_sizes if scale else []) | idle_at)
            if cycle:
                run_perouterd_scale(pb, res, cycle, args.repeat, args.only, idle)
        finally:
            pb.down()
    # Each anchor runs in a lab of its own, built fresh, so that its FRR has been through the same
    # cycles as perouterd's when it is measured: FRR 8.4's zebra takes longer to take 1000 VNIs
    # with every cycle of creating and deleting them (in one lab, five cycles in a row: 2.3, 3.0,
    # 3.6, 4.4, 5.6 s for perouterd's; 3.6 ... 6.0 s for the floor's), so a sample compares only
    # with the same cycle of another lab.
    anchors = [m for m, wanted in (("reference", scale), ("floor", scale or "P2" in args.only))
               if wanted] if not args.no_anchors else []
    for method in anchors:
        ab = AnchorBench(args)
        try:
            print(f"== {method} (lab pbr, perouterd stopped)", flush=True)
            ab.up()
            if method == "floor" and "P2" in args.only:
                run_p2_floor(ab, res, args.repeat)
            if scale:
                run_anchor_scale(ab, method, res, p3_sizes, args.repeat, args.only)
        finally:
            ab.down()
    res.meta["machine_busy_after"] = round(machine_busy(), 3)
    out = res.to_json()
    out["targets"] = [{"target": t, "met": ok, "value": v} for t, ok, v in targets(res, args.sizes)]
    (args.out / "results.json").write_text(json.dumps(out, indent=1))
    print("\n" + table(res) + "\n")
    for t, ok, v in targets(res, args.sizes):
        print(f"{'met   ' if ok else 'MISSED' if ok is False else 'n/a   '} {t}: {v}")
    plot = svg(res, args.out)
    print(f"\nsamples: {args.out / 'results.json'}" + (f"; plot: {plot}" if plot else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
