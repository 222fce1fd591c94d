"""Explicit EVPN route targets and route distinguisher on an L2VNI ([[l2vni]] import_rts,
export_rts, rd), against a leaf that assigns its own route target to VNI 110 (64512:9110), as
fabrics with explicit RTs do. With the automatic ones (<asn>:110) neither side imports the
other's routes; with the leaf's RT configured on the node, VNI 110 carries pings, and the
router's routes carry the configured RT and RD. Going back to the automatic values restores
them, and none of it resets the underlay session."""

import time
import unittest

from labcase import F, LabTestCase, perlab

FABRIC_RT = "64512:9110"
NODE_RD = "10.0.0.1:110"
LEAF_EXPLICIT_RTS = f"""router bgp {F.LEAF_ASN}
 address-family l2vpn evpn
  vni 110
   route-target import {FABRIC_RT}
   route-target export {FABRIC_RT}
  exit-vni
 exit-address-family
exit
"""


class RouteTargetTest(LabTestCase):
    PREFIX = "plt18"

    def write_override(self, text: str) -> None:
        """A drop-in whose [[l2vni]] "l2-110" replaces the lab's entry of that name (an entry
        replaces the earlier one whole, so it repeats the rest); waits for the reload."""
        d = self.lab.dropin_dir
        t = time.monotonic()
        (d / "60-rts.toml").write_text(text)
        pid = self.lab.node_pid()
        why = self.lab.notify.wait_sequence(["RELOADING=1", "READY=1"], t, 30,
                                            self.lab.node_running, pid)
        self.assertIsNone(why, f"no reload after writing the drop-in: {why}")

    def router_routes(self, side: str, originator: str) -> dict:
        """side's type-3 route(s) originated by `originator`: RD -> route targets."""
        j = self.lab.vtysh(side, "show bgp l2vpn evpn route type multicast json", as_json=True)
        out: dict = {}
        for rd, routes in j.items():
            if not isinstance(routes, dict):
                continue
            for prefix, route in routes.items():
                if not prefix.startswith("[3]:") or not isinstance(route, dict):
                    continue
                for group in route.get("paths", []):
                    for path in group if isinstance(group, list) else [group]:
                        if path.get("ip") != originator and originator not in prefix:
                            continue
                        ecs = path.get("extendedCommunity", {}).get("string", "").split()
                        out.setdefault(rd, set()).update(e[3:] for e in ecs if e.startswith("RT:"))
        return out

    def imported_into_vni(self, side: str, vni: int, originator: str) -> bool:
        """bgpd imported originator's type-3 route into its VNI table (the import decision is
        made when the route arrives, so with the route in the global table this is final)."""
        j = self.lab.vtysh(side, f"show bgp l2vpn evpn route vni {vni} type multicast json",
                           as_json=True)
        return any(originator in prefix for prefix in j if prefix.startswith("[3]:"))

    def test_explicit_route_targets(self):
        self.wait_established()
        self.wait_l2_ping()
        before = self.lab.session_identity()

        # The fabric switches VNI 110 to its own RT: the leaf's route now carries 64512:9110,
        # which the node's automatic import RT (*:110) does not match.
        self.lab.leaf.apply(LEAF_EXPLICIT_RTS)
        self.wait(lambda: any(FABRIC_RT in rts for rts in
                              self.router_routes("router", F.LEAF_VTEP).values()),
                  30, f"router receives the leaf's type-3 route with RT {FABRIC_RT}")
        self.assertFalse(self.imported_into_vni("router", 110, F.LEAF_VTEP),
                         "control: the router imported a route whose RT it does not import")
        self.assertFalse(self.imported_into_vni("leaf", 110, perlab.ROUTER_VTEP),
                         "control: the leaf imported the router's route with its automatic RT")

        self.write_override(f'[[l2vni]]\nname = "l2-110"\nvni = 110\n'
                            f'import_rts = ["{FABRIC_RT}"]\nexport_rts = ["{FABRIC_RT}"]\n'
                            f'rd = "{NODE_RD}"\n'
                            'host_master = { type = "linux-bridge", lifecycle = "managed" }\n')
        self.wait(lambda: self.router_routes("leaf", perlab.ROUTER_VTEP).get(NODE_RD) ==
                  {FABRIC_RT}, 30, f"leaf has the router's type-3 route with RD {NODE_RD} and "
                  f"only RT {FABRIC_RT}")
        self.wait(lambda: self.imported_into_vni("leaf", 110, perlab.ROUTER_VTEP), 30,
                  "leaf imports the router's route into VNI 110")
        self.wait(lambda: self.imported_into_vni("router", 110, F.LEAF_VTEP), 30,
                  "router imports the leaf's route into VNI 110")
        self.wait_l2_ping()
        running = self.lab.vtysh("router", "show running-config")
        self.assertIn(f"  vni 110\n   rd {NODE_RD}\n   route-target import {FABRIC_RT}\n"
                      f"   route-target export {FABRIC_RT}\n  exit-vni\n", running)

        # Back to the automatic values: the vni block goes, the RD is FRR's own again.
        (self.lab.dropin_dir / "60-rts.toml").unlink()
        self.wait(lambda: NODE_RD not in self.router_routes("leaf", perlab.ROUTER_VTEP), 30,
                  f"leaf no longer has a route with RD {NODE_RD} from the router")
        self.assertNotIn("  vni 110\n", self.lab.vtysh("router", "show running-config"))
        self.assertEqual(before, self.lab.session_identity(),
                         "changing a VNI's route targets reset the underlay session")


if __name__ == "__main__":
    unittest.main()
