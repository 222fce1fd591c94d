"""`perlab.py check`: every claim the lab can make about a running lab, one PASS/FAIL/SKIP line each,
with the evidence that decided it.

Claims are probed repeatedly until they hold or their time runs out, so `check` right after `up`
waits for BGP instead of failing; one shared budget bounds how long a broken lab takes to report.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import lab_frr as F
from lab_pinger import ping_once
from lab_shell import addresses, bridge_json, links, routes


@dataclass
class CheckResult:
    status: str  # PASS, FAIL or SKIP
    claim: str
    evidence: str
    seconds: float = 0.0
    headline: bool = False  # listed in the demo's "what this run proved"

    def line(self) -> str:
        t = f" ({self.seconds:.1f} s)" if self.status != "SKIP" else ""
        return f"{self.status} {self.claim}{t}: {self.evidence}"


Probe = Callable[[], "tuple[bool, str]"]


class Checker:
    def __init__(self, out, budget: float):
        self.out = out
        self.deadline = time.monotonic() + budget
        self.results: list[CheckResult] = []

    def claim(self, claim: str, probe: Probe, timeout: float = 30.0, headline: bool = False) -> bool:
        t0 = time.monotonic()
        # Each claim gets its own timeout, cut by the shared budget but never below one second.
        end = max(min(t0 + timeout, self.deadline), t0 + 1.0)
        while True:
            try:
                ok, evidence = probe()
            except Exception as e:  # noqa: BLE001 - a probe that cannot look yet is "not yet"
                ok, evidence = False, f"{type(e).__name__}: {e}"
            if ok or time.monotonic() >= end:
                break
            time.sleep(0.1)
        r = CheckResult("PASS" if ok else "FAIL", claim, evidence, time.monotonic() - t0, headline)
        self._emit(r)
        return ok

    def skip(self, claim: str, why: str) -> None:
        self._emit(CheckResult("SKIP", claim, why))

    def _emit(self, r: CheckResult) -> None:
        self.results.append(r)
        if self.out:
            self.out(r.line())


def _has(items, wanted) -> tuple[bool, str]:
    missing = [w for w in wanted if w not in items]
    return (not missing, f"have {sorted(items)}" + (f", missing {missing}" if missing else ""))


def _vxlan(link: dict) -> dict:
    return link.get("linkinfo", {}).get("info_data", {})


def _slave(link: dict) -> dict:
    return link.get("linkinfo", {}).get("info_slave_data", {})


def sysctl(netns, key: str) -> str:
    """A sysctl's value in a namespace (None: this one)."""
    argv = (["ip", "netns", "exec", netns] if netns else []) + ["sysctl", "-n", key]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def run_checks(lab, out=print, budget: float = 60.0) -> list[CheckResult]:
    c = Checker(out, budget)
    _base(lab, c)
    if lab.node:
        _node(lab, c)
    else:
        c.skip("router (perouterd) claims", "lab is up with --no-node")
    return c.results


# --- what the lab itself built ------------------------------------------------------------------

def _base(lab, c: Checker) -> None:
    want = [n for n in (lab.host_ns, lab.leaf_ns, lab.remote_ns) if n] + \
        ([lab.router_ns] if lab.node else [])
    c.claim("lab namespaces exist", lambda: _has(lab.namespaces(), want), timeout=1)

    for inst in (lab.leaf, lab.host):
        def frr_up(inst=inst):
            pids = inst.pids()
            ver = inst.vtysh("show version").splitlines()[0]
            return inst.running(), f"pids {pids}, vtysh: {ver}"
        c.claim(f"{inst.name} FRR (zebra+bgpd) running in {inst.netns}", frr_up, timeout=5)

    def leaf_addrs():
        have = addresses(lab.leaf_ns, "swp1") + addresses(lab.leaf_ns, "lo")
        return _has(have, [f"{F.LEAF_UNDERLAY_IP}/24", f"{F.LEAF_VTEP}/32", f"{F.LEAF_ROUTE}/32"])
    c.claim("leaf underlay addresses (swp1, VTEP and leaf route on lo)", leaf_addrs, timeout=1)

    def leaf_vni():
        ls = links(lab.leaf_ns)
        v = ls["vni110"]
        d, s = _vxlan(v), _slave(v)
        ok = (d.get("id") == 110 and d.get("local") == F.LEAF_VTEP and d.get("port") == 4789
              and d.get("learning") is False and v.get("master") == "br-110"
              and ls["lf-110"].get("master") == "br-110" and s.get("neigh_suppress") is True
              and s.get("learning") is False)
        zebra = lab.vtysh("leaf", "show evpn vni 110 json", as_json=True)
        ok = ok and zebra.get("vni") == 110
        return ok, (f"vni110 id {d.get('id')} local {d.get('local')} port {d.get('port')} "
                    f"learning {d.get('learning')} master {v.get('master')} neigh_suppress "
                    f"{s.get('neigh_suppress')}; zebra knows VNI {zebra.get('vni')} ({zebra.get('type')})")
    c.claim("leaf L2VNI 110 (br-110, vni110, lf-110)", leaf_vni, timeout=5)

    def remote():
        return _has(addresses(lab.remote_ns, "rem-110"), ["10.110.0.20/24"])
    c.claim("remote workload 10.110.0.20/24 on rem-110", remote, timeout=1)

    if lab.node:
        def underlay_moved():
            in_host = "toswitch" in links(lab.host_ns)
            addrs = addresses(lab.router_ns, "toswitch")
            return (not in_host and f"{F.NODE_UNDERLAY_IP}/24" in addrs,
                    f"toswitch in host ns: {in_host}; in router ns with {addrs}")
        c.claim("underlay NIC toswitch moved into the router namespace", underlay_moved, timeout=5)
    else:
        def underlay_host():
            addrs = addresses(lab.host_ns, "toswitch")
            dflt = routes(lab.host_ns, "default")
            gw = dflt[0].get("gateway") if dflt else None
            ok, summary = ping_once(lab.host_ns, F.LEAF_UNDERLAY_IP, count=2)
            return (f"{F.NODE_UNDERLAY_IP}/24" in addrs and gw == F.LEAF_UNDERLAY_IP and ok,
                    f"toswitch {addrs}, default via {gw}, ping leaf: {summary}")
        c.claim("host underlay toswitch 192.168.11.3/24, default via the leaf, leaf answers ping",
                underlay_host, timeout=10)

        def leaf_waits():
            n = lab.leaf_session()
            return (n.get("remoteAs") == F.ROUTER_ASN,
                    f"neighbor {F.NODE_UNDERLAY_IP} remote-as {n.get('remoteAs')} state {n.get('bgpState')}")
        c.claim("leaf BGP neighbor 192.168.11.3 configured (no node to answer)", leaf_waits, timeout=5)

    if lab.l3:
        def leaf_l3():
            ls = links(lab.leaf_ns)
            v = ls["vni100"]
            zebra = lab.vtysh("leaf", "show evpn vni 100 json", as_json=True)
            ok = (ls["br-100"].get("master") == "red" and v.get("master") == "br-100"
                  and _vxlan(v).get("id") == 100 and ls["lf-red"].get("master") == "red"
                  and zebra.get("type") == "L3")
            return ok, f"br-100 master {ls['br-100'].get('master')}, zebra VNI 100 type {zebra.get('type')}"
        c.claim("leaf VRF red with L3VNI 100 (br-100, vni100, lf-red)", leaf_l3, timeout=5)
    else:
        why = ("kernel lacks VRF; " if not lab.vrf else "scenario l2; ") + \
            "the QEMU system tier (tests/system) runs it"
        c.skip("L3VNI 100 / VRF red", why)


# --- what perouterd built -----------------------------------------------------------------------

def _node(lab, c: Checker) -> None:
    P = F.NODE_UNDERLAY_IP

    def daemon():
        pid = lab.node_pid()
        return pid is not None, f"pid {pid}, READY=1 after {lab.ready_seconds or 0:.1f} s"
    c.claim("perouterd running and READY", daemon, timeout=1, headline=True)

    def router_frr():
        s = lab.vtysh("router", "show bgp summary json", as_json=True)
        rid = s.get("ipv4Unicast", {}).get("routerId")
        return rid == "10.0.0.1", f"vtysh --vty_socket {lab.router_frr_dir}: router-id {rid}, AS " \
                                  f"{s.get('ipv4Unicast', {}).get('as')}"
    c.claim("router FRR answers, router-id 10.0.0.1", router_frr, timeout=15)

    c.claim("VTEP 100.65.0.0/32 on the router namespace lo",
            lambda: _has(addresses(lab.router_ns, "lo"), ["100.65.0.0/32"]), timeout=5)

    def leaf_established():
        n = lab.leaf_session()
        return n.get("bgpState") == "Established", \
            f"state {n.get('bgpState')}, connections established {n.get('connectionsEstablished')}"
    c.claim(f"underlay session {P} Established on the leaf", leaf_established, headline=True)

    def router_established():
        n = lab.neighbor("router", F.LEAF_UNDERLAY_IP)
        return n.get("bgpState") == "Established", f"state {n.get('bgpState')}"
    c.claim(f"underlay session {F.LEAF_UNDERLAY_IP} Established on the router", router_established)

    def vtep_routes():
        r = routes(lab.router_ns, "100.64.0.1/32")
        l = routes(lab.leaf_ns, "100.65.0.0/32")
        rp = r[0].get("protocol") if r else None
        lp = l[0].get("protocol") if l else None
        return rp == "bgp" and lp == "bgp", \
            f"router: 100.64.0.1/32 proto {rp} via {r[0].get('gateway') if r else None}; " \
            f"leaf: 100.65.0.0/32 proto {lp} via {l[0].get('gateway') if l else None}"
    c.claim("VTEP routes exchanged (kernel, proto bgp)", vtep_routes, headline=True)

    def leaf_type3():
        rts = lab.type3_routes("leaf").get("100.65.0.0", [])
        vteps = lab.remote_vteps("leaf", 110)
        ok = any(rt.endswith(":110") for rt in rts) and "100.65.0.0" in vteps
        return ok, f"leaf BGP type-3 from 100.65.0.0 with RT {rts}; zebra VNI 110 remote VTEPs {vteps}"
    c.claim("leaf imported the router's EVPN type-3 (VNI 110, VTEP 100.65.0.0)", leaf_type3,
            headline=True)

    def router_type3():
        fdb = bridge_json(lab.router_ns, "fdb", "show", "dev", "vni110")
        her = [e.get("dst") for e in fdb if e.get("mac") == "00:00:00:00:00:00"]
        return "100.64.0.1" in her, f"router vni110 flood entries dst {her}"
    c.claim("router imported the leaf's type-3 (HER flood to 100.64.0.1 on vni110)", router_type3)

    def l2_objects():
        r, h = links(lab.router_ns), links(lab.host_ns)
        v = r["vni110"]
        d = _vxlan(v)
        mtu = r["toswitch"]["mtu"] - 50
        facts = {
            "vni110 id/local/port/nolearning": (d.get("id"), d.get("local"), d.get("port"), d.get("learning"))
            == (110, "100.65.0.0", 4789, False),
            "vni110 in br-pe-110": v.get("master") == "br-pe-110",
            "pe-e-110 in br-pe-110": r["pe-e-110"].get("master") == "br-pe-110",
            "host-e-110 in br-hs-110": h["host-e-110"].get("master") == "br-hs-110",
            f"veth MTU {mtu}": r["pe-e-110"]["mtu"] == mtu and h["host-e-110"]["mtu"] == mtu,
        }
        bad = [k for k, v in facts.items() if not v]
        return not bad, "ok: " + ", ".join(facts) if not bad else f"wrong: {bad}"
    c.claim("L2VNI 110 objects (vni110, br-pe-110, pe-e-110, host-e-110 in br-hs-110, MTU)",
            l2_objects, timeout=5)

    def bridge_netfilter():
        # Where br_netfilter is loaded: the router namespace's bridges skip netfilter; the host
        # namespace keeps what a new namespace starts with (1: nobody sets it there).
        keys = ("iptables", "ip6tables", "arptables")
        have = {k: (sysctl(lab.router_ns, f"net.bridge.bridge-nf-call-{k}"),
                    sysctl(lab.host_ns, f"net.bridge.bridge-nf-call-{k}")) for k in keys}
        return all(v == ("0", "1") for v in have.values()), f"(router, host): {have}"
    if Path("/proc/sys/net/bridge/bridge-nf-call-iptables").exists():
        c.claim("router bridges skip netfilter (bridge-nf-call-* 0), host namespace untouched",
                bridge_netfilter, timeout=5)
    else:
        # The QEMU guest does not load br_netfilter; this machine kind (and CI) does.
        c.skip("router bridges skip netfilter", "br_netfilter is not loaded on this machine")

    def l2_ping():
        ok, s = ping_once(lab.host_ns, "10.110.0.20", count=3)
        return ok, f"host 10.110.0.10 -> remote 10.110.0.20 over VXLAN: {s}"
    c.claim("L2VNI 110 ping host -> remote", l2_ping, headline=True)

    def remote_mac():
        mac = links(lab.remote_ns)["rem-110"]["address"]
        fdb = bridge_json(lab.router_ns, "fdb", "show", "dev", "vni110")
        hit = [e for e in fdb if e.get("mac") == mac and e.get("dst") == "100.64.0.1"
               and "extern_learn" in e.get("flags", [])]
        return bool(hit), f"remote MAC {mac}: " + (f"dst {hit[0]['dst']} extern_learn" if hit else "not in vni110 fdb")
    c.claim("EVPN type-2: remote MAC in the router's vni110 fdb", remote_mac, headline=True)

    def pt_session():
        n = lab.neighbor("host", F.PT_ROUTER_IP)
        return n.get("bgpState") == "Established", f"host FRR -> {F.PT_ROUTER_IP}: {n.get('bgpState')}"
    c.claim("passthrough session Established on the host FRR", pt_session, headline=True)

    def host_learns():
        r = routes(lab.host_ns, f"{F.LEAF_ROUTE}/32")
        proto = r[0].get("protocol") if r else None
        return proto == "bgp", f"host kernel {F.LEAF_ROUTE}/32 proto {proto} via {r[0].get('gateway') if r else None}"
    c.claim("host learned the leaf route 172.16.100.1/32 via passthrough", host_learns, headline=True)

    def host_pings_leaf():
        ok, s = ping_once(lab.host_ns, F.LEAF_ROUTE, count=3)
        return ok, s
    c.claim("host pings the leaf route 172.16.100.1", host_pings_leaf, headline=True)

    def leaf_learns_host():
        r = routes(lab.leaf_ns, f"{F.PT_HOST_IP}/32")
        proto = r[0].get("protocol") if r else None
        return proto == "bgp", f"leaf kernel {F.PT_HOST_IP}/32 proto {proto}"
    c.claim("leaf learned the host's passthrough address 192.169.20.2/32", leaf_learns_host)

    if lab.l3:
        def red_session():
            n = lab.neighbor("host", F.RED_ROUTER_IP)
            return n.get("bgpState") == "Established", f"host FRR -> {F.RED_ROUTER_IP}: {n.get('bgpState')}"
        c.claim("L3VNI red host session Established", red_session, headline=True)

        def default_gw():
            d = routes(lab.host_ns, "default")
            gws = [(x.get("gateway"), x.get("dev")) for x in d]
            return any(g == F.RED_ROUTER_IP for g, _ in gws), f"host default routes {gws}"
        c.claim("host default route via the L3VNI veth (192.169.10.1)", default_gw)

        def red_ping():
            ok, s = ping_once(lab.host_ns, "192.168.20.20", count=3)
            return ok, f"host -> 192.168.20.20 through VNI 100: {s}"
        c.claim("L3VNI 100 ping host -> remote 192.168.20.20", red_ping, headline=True)
