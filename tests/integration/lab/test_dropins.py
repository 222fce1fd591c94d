"""Drop-in directories: perouterd watches perouter.d under /usr/lib, /run and /etc (below --root)
and applies a file dropped in, changed or removed without being told; precedence and masking
(/etc over /run over /usr/lib, a symlink to /dev/null masks); a bad file is left out, named with
its position in the log and STATUS, while the other files still apply."""

import os
import time
import unittest
from pathlib import Path

from labcase import LabTestCase
from perlab import links


def l2(name: str, vni: int, port: int = 4789) -> str:
    return f'[[l2vni]]\nname = "{name}"\nvni = {vni}\nvxlan_port = {port}\n'


class DropinTest(LabTestCase):
    PREFIX = "plt13"

    def dropin(self, base: str) -> Path:
        d = self.lab.root / base / "perouter" / "perouter.d"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def applied(self, since: float) -> None:
        """perouterd reloaded on its own (RELOADING=1 then READY=1 after `since`)."""
        pid = self.lab.node_pid()
        alive = lambda: self.lab.node_running()  # noqa: E731
        why = self.lab.notify.wait_sequence(["RELOADING=1", "READY=1"], since, 30, alive, pid)
        self.assertIsNone(why, f"no reload after a file change: {why}")

    def vxlan(self, vni: int):
        link = self.lab.link("router", f"vni{vni}")
        return link and link["linkinfo"]["info_data"]

    def test_1_each_directory_add_change_remove(self):
        self.wait_established()
        for i, base in enumerate(("usr/lib", "run", "etc")):
            vni = 130 + i
            f = self.dropin(base) / f"60-d{vni}.toml"
            t = time.monotonic()
            f.write_text(l2(f"d{vni}", vni))
            self.applied(t)
            self.assertEqual(self.vxlan(vni)["port"], 4789, f"{base}: vni{vni} not created")

            t = time.monotonic()
            f.write_text(l2(f"d{vni}", vni, port=4790))
            self.applied(t)
            self.assertEqual(self.vxlan(vni)["port"], 4790, f"{base}: change not applied")

            t = time.monotonic()
            f.unlink()
            self.applied(t)
            self.assertNotIn(f"vni{vni}", links(self.lab.router_ns), f"{base}: removal not applied")

    def test_2_etc_overrides_run_and_dev_null_masks(self):
        run_f = self.dropin("run") / "70-same.toml"
        etc_f = self.dropin("etc") / "70-same.toml"
        t = time.monotonic()
        run_f.write_text(l2("same", 140))
        self.applied(t)
        self.assertIn("vni140", links(self.lab.router_ns))

        t = time.monotonic()
        etc_f.write_text(l2("same", 141))  # same file name: /etc wins
        self.applied(t)
        r = links(self.lab.router_ns)
        self.assertIn("vni141", r)
        self.assertNotIn("vni140", r)

        t = time.monotonic()
        etc_f.unlink()
        os.symlink("/dev/null", etc_f)  # masks the /run file too
        self.applied(t)
        r = links(self.lab.router_ns)
        self.assertNotIn("vni140", r)
        self.assertNotIn("vni141", r)

        t = time.monotonic()
        etc_f.unlink()
        self.applied(t)
        self.assertIn("vni140", links(self.lab.router_ns))
        t = time.monotonic()
        run_f.unlink()
        self.applied(t)
        self.assertNotIn("vni140", links(self.lab.router_ns))

    def statuses_since(self, since: float) -> list[str]:
        return [m[len("STATUS="):] for m in self.lab.notify.lines(since, self.lab.node_pid())
                if m.startswith("STATUS=")]

    def test_3_bad_dropin_is_left_out_with_its_position(self):
        self.wait_established()
        before = self.lab.snapshot()
        offset = len(self.lab.node_log_text())
        bad = self.dropin("run") / "80-bad.toml"
        where = f"{bad}:3:7:"
        t = time.monotonic()
        bad.write_text('[[l2vni]]\nname = "bad"\nvni = 99999999\n')
        self.applied(t)
        log = self.lab.node_log_text()[offset:]
        self.assertIn(where, log, f"no FILE:LINE:COL for the bad drop-in in:\n{log}")
        self.wait(lambda: any(where in s for s in self.statuses_since(t)), 30,
                  f"STATUS names {where}")
        self.assertSnapshotEqual(before, self.lab.snapshot(), "after a bad drop-in was left out")
        self.wait_l2_ping()

        # The other files still apply, and the error stays reported through that reconcile
        # (a reconcile used to overwrite it).
        good = self.dropin("run") / "60-d150.toml"
        t = time.monotonic()
        good.write_text(l2("d150", 150))
        self.applied(t)
        self.wait(lambda: self.vxlan(150), 30, "vni150 from a good drop-in next to the bad one")
        self.wait(lambda: self.statuses_since(t), 30, "a STATUS after the reconcile")
        later = self.statuses_since(t)
        self.assertTrue(all(where in s for s in later),
                        f"a STATUS after the reconcile forgot {where}: {later}")

        t = time.monotonic()
        bad.unlink()
        self.applied(t)
        self.wait(lambda: (lambda s: s and where not in s[-1])(self.statuses_since(t)), 30,
                  f"STATUS no longer names {where} once the file is gone")
        t = time.monotonic()
        good.unlink()
        self.applied(t)
        self.assertNotIn("vni150", links(self.lab.router_ns))

if __name__ == "__main__":
    unittest.main()
