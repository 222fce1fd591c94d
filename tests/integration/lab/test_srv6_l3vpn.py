"""SRv6 L3VPN: perouterd's router and the leaf as the remote PE exchange VPNv4/VPNv6 routes with
SIDs over an IPv6 session, the node's host reaches workloads behind the remote PE through SRv6
(the SRH seen on the cable, both ways), perouterctl and D-Bus show the SIDs the kernel serves,
and a second L3VPN added and removed at runtime (perouterctl vpn add --l3vpn, AddVpn over a
private system bus) carries traffic, then none, while the first keeps working.

Needs VRF (End.DT4/End.DT6 decapsulate into a VRF): skips on kernels without it and runs in the
QEMU system tier (tests/system/qemu/payload.py).

    leaf (remote PE): locator fd00:0:2::/64, VRF sred (table 500) with 192.168.40.0/24 and
        fd00:40::/64 towards the remote namespace (192.168.40.40, fd00:40::40); VRF sblue
        (table 501) with 192.168.41.0/24 (192.168.41.41)
    node: locator fd00:0:1::/64, IPv6 session fd00:11::3 -> fd00:11::2 beside the lab's IPv4
        one; [[l3vpn]] sred (rd_assigned_number 5, the host's default gateway); at runtime
        [[l3vpn]] sblue (6) whose routes reach the host through its host session
"""

import ipaddress
import json
import unittest

from labcase import BusLabTestCase, F, perlab

import lab_capture  # noqa: E402 - tests/lab is on the path once labcase is imported

LEAF_V6 = "fd00:11::2"
NODE_V6 = "fd00:11::3"
LEAF_LOCATOR = "fd00:0:2::/64"
NODE_LOCATOR = "fd00:0:1::/64"
RED = {"vrf": "sred", "n": 5, "table": 500, "leaf": "192.168.40.1/24", "leaf6": "fd00:40::1/64",
       "remote": "192.168.40.40", "remote6": "fd00:40::40", "hostnet": "192.169.50.0/24",
       "hostnet6": "fd00:50::/64"}
BLUE = {"vrf": "sblue", "n": 6, "table": 501, "leaf": "192.168.41.1/24", "remote": "192.168.41.41",
        "hostnet": "192.169.60.0/24", "router": "192.169.60.1"}


def leaf_vrf(v: dict) -> str:
    """The remote PE's VRF instance: its connected networks as VPN routes with SIDs from its
    locator, RT 64512:n out, the node's default RT <node asn>:n in."""
    text = f"router bgp {F.LEAF_ASN} vrf {v['vrf']}\n bgp router-id {F.LEAF_ROUTER_ID}\n"
    for af, net in (("ipv4", v["leaf"]), ("ipv6", v.get("leaf6"))):
        if net is None:
            continue
        prefix = ipaddress.ip_interface(net).network
        text += f""" address-family {af} unicast
  redistribute connected
  sid vpn export auto
  rd vpn export {F.LEAF_ROUTER_ID}:{v['n']}
  rt vpn import {F.ROUTER_ASN}:{v['n']}
  rt vpn export {F.LEAF_ASN}:{v['n']}
  export vpn
  import vpn
 exit-address-family
"""
    return text + "exit\n"


def leaf_srv6() -> str:
    """The leaf's locator and its IPv6 session to the node carrying VPNv4/VPNv6 (IPv4 VPN routes
    with IPv6 next hops: extended-nexthop) and the locators in IPv6 unicast."""
    n = NODE_V6
    return f"""segment-routing
 srv6
  locators
   locator leaf
    prefix {LEAF_LOCATOR}
   exit
  exit
 exit
exit
router bgp {F.LEAF_ASN}
 no bgp network import-check
 neighbor {n} remote-as {F.ROUTER_ASN}
 neighbor {n} timers 3 9
 neighbor {n} passive
 neighbor {n} capability extended-nexthop
 address-family ipv6 unicast
  network {LEAF_LOCATOR}
  neighbor {n} activate
 exit-address-family
 address-family ipv4 vpn
  neighbor {n} activate
 exit-address-family
 address-family ipv6 vpn
  neighbor {n} activate
 exit-address-family
 segment-routing srv6
  locator leaf
 exit
exit
""" + leaf_vrf(RED) + leaf_vrf(BLUE)


def l3vpn_toml(v: dict, default_gateway: bool) -> str:
    local = f'ipv4 = "{v["hostnet"]}"' + (f', ipv6 = "{v["hostnet6"]}"' if "hostnet6" in v else "")
    return f"""
[[l3vpn]]
name = "{v['vrf']}"
vrf = "{v['vrf']}"
rd_assigned_number = {v['n']}
import_rts = ["{F.LEAF_ASN}:{v['n']}"]
default_gateway = {str(default_gateway).lower()}
host_session = {{ asn = {F.ROUTER_ASN}, host_asn = {F.HOST_ASN}, local_cidr = {{ {local} }} }}
"""


class Srv6L3vpnTest(BusLabTestCase):
    PREFIX = "plt31"
    NEEDS_VRF = True

    def sids(self, vpn: str) -> dict:
        """The SIDs `perouterctl --json vpn list` shows for `vpn` ({} until it has both)."""
        p = self.ctl("--json", "vpn", "list")
        for v in json.loads(p.stdout or "[]") if p.returncode == 0 else []:
            if v.get("name") == vpn:
                s = v.get("sids", {})
                return s if s.get("ipv4") and s.get("ipv6") else {}
        return {}

    @classmethod
    def prepare(cls, lab):
        run = perlab.run
        L, H, R = lab.leaf_ns, lab.host_ns, lab.remote_ns
        ip = lambda ns, *a: run(["ip", "-n", ns, *a])  # noqa: E731
        ip(L, "addr", "add", f"{LEAF_V6}/64", "dev", "swp1", "nodad")
        ip(H, "addr", "add", f"{NODE_V6}/64", "dev", "toswitch", "nodad")
        # The remote PE decapsulates into its VRFs (End.DT4 needs the strict mode).
        run(["ip", "netns", "exec", L, "sysctl", "-qw", "net.vrf.strict_mode=1",
             "net.ipv6.conf.all.forwarding=1"])
        for v in (RED, BLUE):
            vrf, leaf_if, rem_if = v["vrf"], f"lf-s{v['n']}", f"rem-s{v['n']}"
            ip(L, "link", "add", vrf, "type", "vrf", "table", str(v["table"]))
            run(["ip", "link", "add", leaf_if, "netns", L, "type", "veth", "peer", "name", rem_if,
                 "netns", R])
            ip(L, "link", "set", leaf_if, "master", vrf)
            ip(L, "addr", "add", v["leaf"], "dev", leaf_if)
            ip(R, "addr", "add", f"{v['remote']}/24", "dev", rem_if)
            if "leaf6" in v:
                ip(L, "addr", "add", v["leaf6"], "dev", leaf_if, "nodad")
                ip(R, "addr", "add", f"{v['remote6']}/64", "dev", rem_if, "nodad")
            for ns, dev in ((L, vrf), (L, leaf_if), (R, rem_if)):
                ip(ns, "link", "set", dev, "up")
            # The remote routes the node's host networks of this VPN back through the leaf.
            ip(R, "route", "add", v["hostnet"], "via", v["leaf"].split("/")[0])
            if "leaf6" in v:
                ip(R, "route", "add", v["hostnet6"], "via", v["leaf6"].split("/")[0])
        lab.leaf.apply(leaf_srv6())

        text = lab.config_file.read_text()
        endpoints = 'tunnel_endpoint_cidrs = ["100.65.0.0/24"]\n'
        assert endpoints in text, "the lab configuration changed; adjust this test"
        text = text.replace(endpoints,
                            'tunnel_endpoint_cidrs = ["100.65.0.0/24", "fd00:65::/64"]\n')
        text += f"""
[[underlay.neighbors]]
asn = {F.LEAF_ASN}
address = "{LEAF_V6}"
keepalive_time_seconds = 3
hold_time_seconds = 9
connect_time_seconds = 1

[underlay.srv6]
locator = "{NODE_LOCATOR}"

# Online once sred forwards to both remote workloads: H.Encaps routes whose underlay
# neighbour is resolved (reconcile/online.cpp).
[online]
targets = ["{RED['remote']}", "{RED['remote6']}"]
""" + l3vpn_toml(RED, default_gateway=True)
        lab.config_file.write_text(text)

    # --- views ---------------------------------------------------------------------------------

    def srv6_state(self) -> str:
        """What to look at when a step fails: both PEs' VPN tables, SIDs and kernel routes."""
        out = []
        for side in ("router", "leaf"):
            for cmd in ("show bgp ipv4 vpn", "show bgp ipv6 vpn", "show segment-routing srv6 locator",
                        "show bgp segment-routing srv6"):
                try:
                    out.append(f"== {side}: {cmd}\n{self.lab.vtysh(side, cmd)}")
                except Exception as e:  # noqa: BLE001 - diagnostics only
                    out.append(f"== {side}: {cmd}: {e}")
            ns = self.lab.ns(side)
            for args in (["-6", "route", "show", "table", "all"], ["route", "show", "table", "all"]):
                p = perlab.run(["ip", "-n", ns, "-d", *args], check=False)
                out.append(f"== ip -n {ns} {' '.join(args)}\n{p.stdout}{p.stderr}")
        return "\n".join(out)

    def wait_state(self, cond, timeout: float, what: str):
        try:
            return perlab.wait_for(cond, timeout, what=what)
        except TimeoutError as e:
            self.fail(f"{e}\n{self.srv6_state()}")

    def router_vrf_routes(self, vrf: str, family: str = "-4") -> str:
        return perlab.run(["ip", "-n", self.lab.router_ns, family, "-d", "route", "show", "vrf",
                           vrf], check=False).stdout

    def seg6local(self) -> str:
        return perlab.run(["ip", "-n", self.lab.router_ns, "-6", "-d", "route", "show"],
                          check=False).stdout

    def pings(self, dst: str) -> bool:
        return perlab.ping_once(self.lab.host_ns, dst, count=1, timeout_s=1.0)[0]

    def leaf_vpn_rds(self) -> set[str]:
        """RDs of the VPNv4 routes the leaf has (bgpd keeps an RD's table, empty, after its
        last route was withdrawn: only RDs with routes count)."""
        j = self.lab.vtysh("leaf", "show bgp ipv4 vpn json", as_json=True)
        rds = j.get("routes", {}).get("routeDistinguishers", {})
        return {rd for rd, prefixes in rds.items() if prefixes}

    # --- the test ------------------------------------------------------------------------------

    def test_srv6_l3vpn(self):
        self.wait_established(60)
        self.wait_state(lambda: self.lab.neighbor("leaf", NODE_V6).get("bgpState") == "Established",
                        60, f"leaf's IPv6 session to {NODE_V6} Established")
        families = set(self.lab.neighbor("leaf", NODE_V6).get("addressFamilyInfo", {}))
        self.assertTrue({"ipv4Vpn", "ipv6Vpn", "ipv6Unicast"} <= families,
                        f"families of the IPv6 session: {families}")

        # The router decapsulates into sred (End.DT4, End.DT6 SIDs from its locator) and
        # encapsulates towards the leaf's SIDs (H.Encaps routes in the VRF).
        node_loc = ipaddress.ip_network(NODE_LOCATOR)
        self.wait_state(lambda: "End.DT4" in self.seg6local() and "End.DT6" in self.seg6local(),
                        90, "End.DT4 and End.DT6 SIDs in the router's IPv6 table")
        self.wait_state(lambda: "encap seg6" in self.router_vrf_routes("sred")
                        and "encap seg6" in self.router_vrf_routes("sred", "-6"),
                        90, "H.Encaps routes to the remote PE's networks in VRF sred")
        red_net = ipaddress.ip_interface(RED["leaf"]).network
        self.assertIn(str(red_net), self.router_vrf_routes("sred"))

        # The host (default gateway: the sred veth) reaches both remote workloads.
        self.wait_state(lambda: self.pings(RED["remote"]), 60, f"host pings {RED['remote']}")
        self.wait_state(lambda: self.pings(RED["remote6"]), 60, f"host pings {RED['remote6']}")

        # On the cable: IPv6 + SRH both ways, to the leaf's SIDs and back to the node's.
        cap = lab_capture.SrhCapture(self.lab.leaf_ns, "swp1", seconds=4).start()
        ok = perlab.ping_once(self.lab.host_ns, RED["remote"], count=3, timeout_s=1.0)[0]
        ok6 = perlab.ping_once(self.lab.host_ns, RED["remote6"], count=3, timeout_s=1.0)[0]
        seen = cap.wait()
        self.assertTrue(ok and ok6, "pings during the capture")
        leaf_loc = ipaddress.ip_network(LEAF_LOCATOR)
        to_leaf = [p for p in seen if ipaddress.ip_address(p["dst"]) in leaf_loc]
        to_node = [p for p in seen if ipaddress.ip_address(p["dst"]) in node_loc]
        self.assertEqual({p["inner"] for p in to_leaf}, {4, 41},
                         f"IPv4 and IPv6 inside SRv6 towards the leaf's SIDs: {seen}")
        self.assertEqual({p["inner"] for p in to_node}, {4, 41},
                         f"IPv4 and IPv6 inside SRv6 back to the node's SIDs: {seen}")

        # perouterd's own verdict agrees: the targets' SRv6 routes forward.
        p = self.ctl("wait-online", "--timeout", "60")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        # The SIDs perouterctl (D-Bus) shows are the ones the kernel decapsulates with: End.DT4
        # and End.DT6 routes into VRF sred's table, inside this node's locator.
        sids = self.wait_state(lambda: self.sids("sred"), 60, "perouterctl shows sred's SIDs")
        for family, action in (("ipv4", "End.DT4"), ("ipv6", "End.DT6")):
            sid = str(ipaddress.ip_address(sids[family]))
            self.assertIn(ipaddress.ip_address(sid), node_loc, f"{family} SID {sid}")
            line = next((ln for ln in self.seg6local().splitlines() if f" {sid} " in ln), "")
            self.assertIn(f"action {action}", line, f"{family} SID {sid} in the kernel")
            self.assertIn("dev sred", line)
        shown = self.ctl("vpn", "show", "sred").stdout
        self.assertIn(f"IPv4 SID: {sids['ipv4']}", shown)
        self.assertIn(f"IPv6 SID: {sids['ipv6']}", shown)
        prop = self.bus.busctl("get-property", "org.openperouter.Router1",
                               "/org/openperouter/Router1/vpn/sred",
                               "org.openperouter.Router1.Vpn", "Ipv4Sid").stdout.strip()
        self.assertEqual(prop, f's "{sids["ipv4"]}"')

        # Runtime: a second L3VPN added by perouterctl (AddVpn); its routes reach the host
        # through its host session (the host speaker peers with its router end).
        self.lab.host.apply(F.host_config(False, peers=[F.PT_ROUTER_IP, BLUE["router"]]))
        p = self.ctl("vpn", "add", "sblue", "--l3vpn", "--vrf", BLUE["vrf"],
                     "--rd-assigned-number", str(BLUE["n"]), "--import-rt",
                     f"{F.LEAF_ASN}:{BLUE['n']}", "--asn", str(F.ROUTER_ASN), "--host-asn",
                     str(F.HOST_ASN), "--local-cidr", BLUE["hostnet"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.wait_state(lambda: self.pings(BLUE["remote"]), 90,
                        f"host pings {BLUE['remote']} through the runtime L3VPN sblue")
        self.assertIn(f"{perlab.ROUTER_ID}:{BLUE['n']}", self.leaf_vpn_rds(),
                      "the leaf has sblue's VPN routes (default RD <router-id>:<n>)")
        self.wait_state(lambda: self.sids("sblue"), 60, "perouterctl shows sblue's SIDs")

        p = self.ctl("vpn", "remove", "sblue")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.wait_state(lambda: not self.pings(BLUE["remote"]), 60,
                        f"{BLUE['remote']} unreachable once sblue is removed")
        self.wait_state(lambda: f"{perlab.ROUTER_ID}:{BLUE['n']}" not in self.leaf_vpn_rds(), 60,
                        "the leaf withdrew sblue's VPN routes")
        self.assertNotIn("sblue", perlab.links(self.lab.router_ns), "VRF sblue deleted")
        self.assertNotIn(f"host-s-{BLUE['n']}", perlab.links(self.lab.host_ns),
                         "sblue's host veth deleted")
        self.assertTrue(self.pings(RED["remote"]), "sred still carries traffic")


if __name__ == "__main__":
    unittest.main()
