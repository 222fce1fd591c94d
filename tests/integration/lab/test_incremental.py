"""A change costs what it changes: next to many L2VNIs, adding, removing or repairing one VPN
touches only that VPN's links. Netlink listeners in both namespaces see every link a request
created, changed or deleted meanwhile; nothing else may show up there. (The bridge's own port
reports are left out: 15 s after a port was enabled its forward-delay timer reports it without
any request, which a slow run's window can include. Changes of bridge-port flags, which only
such reports would show, are counted by perouterd's log line instead: "N changes".)"""

import unittest

from labcase import LabTestCase, perlab
from lab_netlink import LinkEvents
from lab_shell import run

FIRST = 1000
COUNT = 30


def l2vnis(count: int) -> str:
    return "".join(f'[[l2vni]]\nname = "inc-{v}"\nvni = {v}\n\n' for v in range(FIRST, FIRST + count))


def links_of(vni: int) -> set[str]:
    return {f"br-pe-{vni}", f"vni{vni}", f"pe-e-{vni}", f"host-e-{vni}", f"br-hs-{vni}"}


class IncrementalTest(LabTestCase):
    PREFIX = "plt30"

    def setUp(self):
        self.wait_established()
        self.dropin = self.lab.dropin_dir / "70-incremental.toml"
        self.dropin.write_text(l2vnis(COUNT))
        self.lab.reload_node()
        self.assertIn(f"vni{FIRST + COUNT - 1}", perlab.links(self.lab.router_ns))

    def tearDown(self):
        self.dropin.unlink(missing_ok=True)
        self.lab.reload_node()

    def touched(self, change) -> set[str]:
        """The links the kernel reported on while `change` ran (it returns once perouterd is
        READY again, which is after the reconcile)."""
        with LinkEvents(self.lab.router_ns, requests_only=True) as router, \
                LinkEvents(self.lab.host_ns, requests_only=True) as host:
            change()
            return set(router.poll()) | set(host.poll())

    def test_1_adding_and_removing_one_vpn_touches_only_it(self):
        new = FIRST + COUNT
        log = self.lab.node_log
        start = log.stat().st_size

        def add():
            self.dropin.write_text(l2vnis(COUNT + 1))
            self.lab.reload_node()

        seen = self.touched(add)
        self.assertIn(f"vni{new}", perlab.links(self.lab.router_ns))
        self.assertIn(f"vni{new}", seen)
        self.assertLessEqual(seen, links_of(new), f"adding vni {new} touched other links")
        text = log.read_text(errors="replace")[start:]
        # Only the new VPN was observed and diffed, not the 30 next to it: its bridge, VXLAN
        # device and veth pair, created down, then the bridge and its two ports set up.
        self.assertIn("reconcile (reload): 6 changes; looked at 1 owner", text, text)

        def remove():
            self.dropin.write_text(l2vnis(COUNT))
            self.lab.reload_node()

        seen = self.touched(remove)
        self.assertNotIn(f"vni{new}", perlab.links(self.lab.router_ns))
        self.assertIn(f"vni{new}", seen)
        self.assertLessEqual(seen, links_of(new), f"removing vni {new} touched other links")

    def test_2_a_deleted_link_is_repaired_alone(self):
        victim = FIRST + 5
        log = self.lab.node_log
        start = log.stat().st_size
        with LinkEvents(self.lab.router_ns, requests_only=True) as router, \
                LinkEvents(self.lab.host_ns, requests_only=True) as host:
            run(["ip", "-n", self.lab.router_ns, "link", "del", f"vni{victim}"])
            self.wait(lambda: f"vni{victim}" in perlab.links(self.lab.router_ns), 15,
                      f"perouterd recreates vni{victim}")
            self.wait(lambda: "reconcile (link change): " in log.read_text(errors="replace")[start:],
                      15, "the repair is logged")
            seen = set(router.poll()) | set(host.poll())
        self.assertLessEqual(seen, links_of(victim), f"repairing vni{victim} touched other links")
        # A link event is repaired by a reconcile of the owners it names, not of everything. The
        # kernel reports some link changes of the setup's reload late (carrier, operstate); their
        # owners may join the same batch, so the count of owners is not pinned, only the scope.
        text = log.read_text(errors="replace")[start:]
        self.assertRegex(text, r"reconcile \(link change\): 1 change; looked at \d+ owners?\n", text)
        self.assertNotIn("looked at everything", text)


if __name__ == "__main__":
    unittest.main()
