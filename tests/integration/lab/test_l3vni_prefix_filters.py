"""Prefix filters on an L3VNI's host session (perouter.toml(5), import_prefixes / export_prefixes
under [l3vni.host_session]): VRF red with L3VNI 100, the host's BGP speaker peering with the router
over host-e-100, the leaf's VRF red behind VNI 100 (EVPN type-5).

A drop-in replaces the red entry of 50-l3-red.toml (same name, so the entry is replaced whole) by
the same VPN with import_prefixes = ["10.77.0.0/16 le 24"] and export_prefixes =
["192.168.20.0/24"]:
  * import: the host announces 10.88.1.0/24 and then 10.77.1.0/24. Once the second has reached the
    leaf's VRF red (router VRF -> type-5 -> leaf kernel), the first has been judged too (the
    session delivers updates in order, the router exports to EVPN in order): it must be in neither
    the router's VRF red, nor the leaf's EVPN table, VRF red table or kernel.
  * export: of what the router has in VRF red (the remote's 192.168.20.0/24 and the leaf's default
    route, both type-5 routes from the leaf, and the router's own 192.169.10.2/32) the host learns
    only 192.168.20.0/24.
Removing the drop-in (reload) brings back both directions; the host's session to the router is
never reset. Needs kernel VRF support: skips here, naming the QEMU system tier, which runs it
(tests/system/qemu/payload.py). The same filters on the passthrough: test_prefix_filters.py."""

import os
import unittest

from labcase import F, LabTestCase, perlab
from perlab import routes

ALLOWED = "10.77.1.0/24"
DENIED = "10.88.1.0/24"
DEFAULT = "0.0.0.0/0"
VRF = F.VRF_RED
# The entry of examples/lab/l3-red.toml with the two filters added.
FILTERS = f"""[[l3vni]]
name = "red"
vrf = "{VRF}"
vni = {F.L3_VNI}
default_gateway = true

[l3vni.host_session]
asn = {F.ROUTER_ASN}
host_asn = {F.HOST_ASN}
local_cidr = {{ ipv4 = "192.169.10.0/24" }}
import_prefixes = ["10.77.0.0/16 le 24"]
export_prefixes = ["{F.RED_REMOTE_PREFIX}"]
"""
TIMEOUT = 60.0  # the QEMU tier runs this under TCG


class L3VniPrefixFilterTest(LabTestCase):
    PREFIX = "plt25"
    SCENARIO = "l3"

    # --- what is observed --------------------------------------------------------------------

    def router_applies(self, *lines: str) -> None:
        self.wait(lambda: all(line in self.lab.vtysh("router", "show running-config") for line in lines),
                  TIMEOUT, f"router FRR's running config has {lines}")

    def session(self) -> dict:
        """What changes whenever the host's session over VPN red is reset."""
        n = self.lab.neighbor("host", F.RED_ROUTER_IP)
        return {k: n.get(k) for k in ("bgpState", "connectionsEstablished", "connectionsDropped")}

    def announce(self, prefix: str) -> None:
        self.lab.host.apply(f"router bgp {F.HOST_ASN}\n no bgp network import-check\n"
                            f" address-family ipv4 unicast\n  network {prefix}\n"
                            f" exit-address-family\nexit\n")
        self.wait(lambda: prefix in self.lab.vtysh(
            "host", f"show bgp ipv4 unicast neighbors {F.RED_ROUTER_IP} advertised-routes json",
            as_json=True).get("advertisedRoutes", {}), TIMEOUT, f"host sent {prefix} to the router (VRF red)")

    def in_vrf(self, side: str, prefix: str) -> bool:
        """side's BGP table of VRF red has a path to prefix."""
        return bool(self.lab.vtysh(side, f"show bgp vrf {VRF} ipv4 unicast {prefix} json",
                                   as_json=True).get("paths"))

    def leaf_type5(self, prefix: str) -> list[str]:
        """The leaf's EVPN type-5 routes for prefix, under any RD (FRR 8.4 writes them
        [5]:[tag]:[len]:[address]; older releases [5]:[tag][address/len]/224)."""
        address, length = prefix.split("/")
        forms = (f":[{length}]:[{address}]", f"[{address}/{length}]")
        j = self.lab.vtysh("leaf", "show bgp l2vpn evpn route type prefix json", as_json=True)
        return [k for rd in j.values() if isinstance(rd, dict) for k in rd
                if k.startswith("[5]:") and any(f in k for f in forms)]

    def leaf_kernel(self, prefix: str) -> bool:
        """The leaf's kernel routes prefix in VRF red (what the remote's traffic follows)."""
        r = routes(self.lab.leaf_ns, "vrf", VRF, prefix)
        return bool(r) and r[0].get("protocol") == "bgp"

    def leaf_side(self, prefix: str) -> dict:
        return {"type-5": self.leaf_type5(prefix), "leaf BGP VRF red": self.in_vrf("leaf", prefix),
                "leaf kernel VRF red": self.leaf_kernel(prefix)}

    def host_learned(self) -> set[str]:
        """Prefixes the host's BGP speaker has from the router over VPN red."""
        j = self.lab.vtysh("host", f"show bgp ipv4 unicast neighbors {F.RED_ROUTER_IP} routes json",
                           as_json=True)
        return set(j.get("routes", {}))

    # --- the test ----------------------------------------------------------------------------

    def test_import_and_export_filters(self):
        self.wait(lambda: self.lab.leaf_session().get("bgpState") == "Established", TIMEOUT,
                  "leaf session to 192.168.11.3 Established")
        self.wait(lambda: self.session().get("bgpState") == "Established", TIMEOUT,
                  f"host session to {F.RED_ROUTER_IP} (VRF red) Established")
        # Unfiltered, the host learns the remote's prefix and the leaf's default route from VPN
        # red: what export_prefixes must then hold back is really there.
        self.wait(lambda: {F.RED_REMOTE_PREFIX, DEFAULT} <= self.host_learned(), TIMEOUT,
                  f"host learns {F.RED_REMOTE_PREFIX} and {DEFAULT} over VPN red (no filters yet)")
        before = self.session()
        dropin = self.lab.dropin_dir / "60-red-filters.toml"
        tmp = self.lab.dropin_dir / ".60-red-filters.tmp"

        def write():  # whole, as a package or an operator's tool would (no reload on a half file)
            tmp.write_text(FILTERS)
            os.rename(tmp, dropin)
        self.reload_after(write, timeout=120)
        self.router_applies(f" neighbor {F.RED_HOST_IP} route-map host-in-{VRF} in\n",
                            f" neighbor {F.RED_HOST_IP} route-map host-out-{VRF} out\n")

        # (1) import_prefixes: the denied prefix first, then the allowed one.
        self.announce(DENIED)
        self.announce(ALLOWED)
        self.wait(lambda: self.in_vrf("router", ALLOWED), TIMEOUT, f"router VRF red accepts {ALLOWED}")
        self.wait(lambda: self.leaf_kernel(ALLOWED), TIMEOUT,
                  f"leaf kernel VRF red routes {ALLOWED} (type-5 from the router)")
        self.assertTrue(self.leaf_type5(ALLOWED), f"no type-5 route for {ALLOWED} at the leaf")
        self.assertFalse(self.in_vrf("router", DENIED),
                         f"router VRF red accepted {DENIED}, which import_prefixes does not allow")
        self.assertEqual(self.leaf_side(DENIED),
                         {"type-5": [], "leaf BGP VRF red": False, "leaf kernel VRF red": False},
                         f"{DENIED} reached the fabric's VRF red")

        # (2) export_prefixes: the remote's prefix and nothing else.
        last: list = []

        def exported_only():
            last[:] = [sorted(self.host_learned())]
            return last[0] == [F.RED_REMOTE_PREFIX]
        try:
            perlab.wait_for(exported_only, TIMEOUT,
                            what=f"host learns only {F.RED_REMOTE_PREFIX} over VPN red")
        except TimeoutError as e:
            self.fail(f"{e}; the host has {last}")

        # (3) The filters go: both directions come back.
        self.reload_after(dropin.unlink, timeout=120)
        self.router_applies(f" neighbor {F.RED_HOST_IP} route-map allowall in\n",
                            f" neighbor {F.RED_HOST_IP} route-map allowall out\n")
        self.wait(lambda: self.in_vrf("router", DENIED), TIMEOUT,
                  f"router VRF red accepts {DENIED} once the filters are gone")
        self.wait(lambda: self.leaf_kernel(DENIED) and self.leaf_type5(DENIED), TIMEOUT,
                  f"leaf learns {DENIED} as a type-5 route into VRF red")
        self.wait(lambda: {F.RED_REMOTE_PREFIX, DEFAULT} <= self.host_learned(), TIMEOUT,
                  f"host learns {DEFAULT} over VPN red again")
        self.assertEqual(before, self.session(),
                         "adding or removing the filters reset the host's session over VPN red")


if __name__ == "__main__":
    unittest.main()
