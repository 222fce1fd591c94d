"""Prefix filters on the passthrough's host session (import_prefixes: what the host may announce
into the fabric, export_prefixes: what it learns). The host announces 10.88.1.0/24 and then
10.77.1.0/24; with import_prefixes = ["10.77.0.0/16 le 24"] the router takes the second and not
the first (the session delivers updates in order, so once the second arrived the first was
judged). With export_prefixes the host keeps the leaf's 172.16.100.1 and loses the VTEP routes.
Filters come and go without resetting the session. (The same filters on an L3VNI host session
need a VRF: test_l3vni_prefix_filters.py, which the QEMU system tier runs.)"""

import unittest

from labcase import F, LabTestCase, perlab

ALLOWED = "10.77.1.0/24"
DENIED = "10.88.1.0/24"
FILTERS = """[passthrough.host_session]
import_prefixes = ["10.77.0.0/16 le 24"]
export_prefixes = ["172.16.100.1/32", "192.169.20.0/24 ge 32"]
"""


class PrefixFilterTest(LabTestCase):
    PREFIX = "plt23"

    def announce(self, prefix: str) -> None:
        self.lab.host.apply(f"router bgp {F.HOST_ASN}\n no bgp network import-check\n"
                            f" address-family ipv4 unicast\n  network {prefix}\n"
                            f" exit-address-family\nexit\n")
        self.wait(lambda: prefix in self.lab.vtysh(
            "host", f"show bgp ipv4 unicast neighbors {F.PT_ROUTER_IP} advertised-routes json",
            as_json=True).get("advertisedRoutes", {}), 30, f"host sent {prefix} to the router")

    def has(self, side: str, prefix: str) -> bool:
        return bool(self.lab.vtysh(side, f"show bgp ipv4 unicast {prefix} json",
                                   as_json=True).get("paths"))

    def host_routes(self) -> str:
        return perlab.run(["ip", "-n", self.lab.host_ns, "route", "show"]).stdout

    def test_import_and_export_filters(self):
        self.wait_established()
        before = self.lab.passthrough_identity()
        dropin = self.lab.dropin_dir / "60-filters.toml"
        self.reload_after(lambda: dropin.write_text(FILTERS))
        self.assertIn(" neighbor 192.169.20.2 route-map host-in-default in\n",
                      self.lab.vtysh("router", "show running-config"))

        self.announce(DENIED)
        self.announce(ALLOWED)
        self.wait(lambda: self.has("leaf", ALLOWED), 30, f"leaf learns {ALLOWED} from the host")
        self.assertFalse(self.has("router", DENIED),
                         f"the router accepted {DENIED}, which import_prefixes does not allow")
        self.assertFalse(self.has("leaf", DENIED), f"{DENIED} reached the fabric")

        def exported_only():
            r = self.host_routes()
            return F.LEAF_ROUTE in r and F.LEAF_VTEP not in r and perlab.ROUTER_VTEP not in r
        self.wait(exported_only, 30,
                  f"host has {F.LEAF_ROUTE} and neither VTEP route (export_prefixes)")

        self.reload_after(dropin.unlink)
        self.wait(lambda: self.has("router", DENIED), 30,
                  f"router accepts {DENIED} once the filters are gone")
        self.wait(lambda: F.LEAF_VTEP in self.host_routes(), 30,
                  "host learns the leaf's VTEP route again")
        self.assertEqual(before, self.lab.passthrough_identity(),
                         "adding or removing filters reset the host's session")


if __name__ == "__main__":
    unittest.main()
