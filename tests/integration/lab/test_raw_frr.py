"""[[raw_frr]]: FRR configuration appended to what perouterd renders. A block in a drop-in
reaches FRR and the fabric (the leaf learns the prefix it announces); a block FRR's parser
rejects leaves its drop-in out, named with its FILE:LINE:COL and FRR's words, and changes
nothing (FRR's running configuration byte-identical, no session reset); removing the good
block takes its lines out of FRR again (the leaf withdraws the prefix)."""

import unittest

from labcase import F, LabTestCase

PREFIX = "10.250.0.0/24"
GOOD = f'''[[raw_frr]]
name = "announce"
priority = 10
config = """
router bgp {F.ROUTER_ASN}
 address-family ipv4 unicast
  network {PREFIX}
 exit-address-family
exit
"""
'''
BAD = '''[[raw_frr]]
name = "typo"
config = """
router bgp 64514
 neighbor 192.168.11.2 no-such-option
exit
"""
'''


class RawFrrTest(LabTestCase):
    PREFIX = "plt22"

    def leaf_has_prefix(self) -> bool:
        j = self.lab.vtysh("leaf", f"show bgp ipv4 unicast {PREFIX} json", as_json=True)
        return any(p.get("peer", {}).get("peerId") == F.NODE_UNDERLAY_IP
                   for p in j.get("paths", []))

    def test_raw_block_applies_bad_block_is_left_out_removal_reverts(self):
        self.wait_established()
        good = self.lab.dropin_dir / "60-raw.toml"
        self.reload_after(lambda: good.write_text(GOOD))
        self.wait(self.leaf_has_prefix, 30, f"leaf learns {PREFIX} announced by the raw block")

        running = self.lab.vtysh("router", "show running-config")
        session = self.lab.session_identity()
        offset = len(self.lab.node_log_text())
        bad = self.lab.dropin_dir / "70-typo.toml"
        where = f"{bad}:3:10:"
        self.reload_after(lambda: bad.write_text(BAD))
        log = self.lab.node_log_text()[offset:]
        self.assertIn(f"{where} FRR rejects [[raw_frr]] 'typo'", log,
                      f"no FILE:LINE:COL for the rejected block in:\n{log}")
        self.assertIn("no-such-option", log, "FRR's words about the line are missing")
        self.wait(lambda: any(where in s for s in self.lab.notify.statuses()), 30,
                  f"STATUS names {where}")
        self.assertEqual(running, self.lab.vtysh("router", "show running-config"),
                         "a rejected raw block changed FRR's running configuration")
        self.assertEqual(session, self.lab.session_identity(), "the session was reset")
        self.assertTrue(self.leaf_has_prefix(), "the good block's prefix went away")

        bad.unlink()
        self.reload_after(good.unlink)
        self.wait(lambda: not self.leaf_has_prefix(), 30,
                  f"leaf withdraws {PREFIX} once the raw block is gone")
        self.assertNotIn(f"network {PREFIX}", self.lab.vtysh("router", "show running-config"))
        self.assertEqual(session, self.lab.session_identity(),
                         "adding and removing a raw block reset the underlay session")


if __name__ == "__main__":
    unittest.main()
