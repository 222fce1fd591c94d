"""R5: kill -9 of perouterd in the middle of applying 300 L2VNIs, then start it again.

One drop-in with 300 [[l2vni]] tables is renamed into place while perouterd runs; it reloads on
its own (src/daemon/service.cpp, IN_MOVED_TO) and creates the links one after the other. When
about half of the vxlan links exist in the router namespace it gets SIGKILL. Started again it
must converge (`perouterd --diff` exits 0), leave no link of ours that the configuration does
not name (names as src/reconcile/observed.cpp counts them ours: vniN, br-pe-N, pe-e-N in the
router namespace; host-e-N, br-hs-N in the host namespace), keep the underlay NIC's saved host
state (<root>/run/perouter/state/) byte for byte, and `--teardown` at the end gives the NIC its
address back in the host namespace.

PEROUTER_SOAK=1: five rounds, killing at 10 %, 30 %, 50 %, 70 % and 90 %.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "lab"))

from labcase import LabTestCase  # noqa: E402
from perlab import addresses, links, netns_exists, wait_for  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
COUNT = 300
FIRST_VNI = 1000
ROUTER_OURS = re.compile(r"^(?:vni|br-pe-|pe-e-)(\d+)$")
HOST_OURS = re.compile(r"^(?:host-e-|br-hs-)(\d+)$")
PER_VPN = 5
NIC = "toswitch"
NIC_ADDR = "192.168.11.3/24"


def many(first: int, count: int) -> str:
    return "".join(f'[[l2vni]]\nname = "k{v}"\nvni = {v}\n'
                   f'host_master = {{ type = "linux-bridge", lifecycle = "managed" }}\n\n'
                   for v in range(first, first + count))


def state_files(root: Path) -> dict[str, bytes]:
    d = root / "run" / "perouter" / "state"
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


class KillMidApplyTest(LabTestCase):
    PREFIX = "rle"

    def ours(self) -> dict[str, set[int]]:
        """VNI numbers in the names of our links, per namespace."""
        out = {"router": set(), "host": set()}
        for side, rx in (("router", ROUTER_OURS), ("host", HOST_OURS)):
            if not netns_exists(self.lab.ns(side)):
                continue  # --teardown deletes the router namespace
            for name in links(self.lab.ns(side)):
                m = rx.match(name)
                if m:
                    out[side].add(int(m.group(1)))
        return out

    def progress(self) -> int:
        """Links of ours for the 300 VPNs, both namespaces (5 per VPN: vxlan, bridge and veth
        end in the router namespace, veth end and bridge in the host namespace). perouterd
        creates them kind by kind (all bridges, then ...), so the vxlan count alone is no
        measure of progress."""
        n = 0
        for side, rx in (("router", ROUTER_OURS), ("host", HOST_OURS)):
            for name in links(self.lab.ns(side)):
                m = rx.match(name)
                if m and FIRST_VNI <= int(m.group(1)) < FIRST_VNI + COUNT:
                    n += 1
        return n

    def round(self, fraction: float, n: int) -> dict:
        lab = self.lab
        dropin = lab.dropin_dir / "50-many.toml"
        tmp = lab.dropin_dir / ".50-many.toml.tmp"
        saved = state_files(lab.root)
        self.assertTrue(saved, f"no saved host state under {lab.root}/run/perouter/state")

        # Round n alternates between adding the 300 (odd rounds remove them again, killed
        # half-way through the removal) so both directions are interrupted.
        # Removing 1,500 links is too quick to catch half-way with `ip link` polls (run 3 saw
        # all gone at the kill), so removals are interrupted in the soak only; otherwise the
        # 300 go away without a kill before the next round adds them again.
        adding = n % 2 == 0 or not SOAK
        if adding and dropin.exists():
            dropin.unlink()
            self.wait(lambda: lab.node_cmd("--diff").returncode == 0 and self.progress() == 0, 300,
                      "the 300 removed before the next round")
        if adding:
            tmp.write_text(many(FIRST_VNI, COUNT))
            os.rename(tmp, dropin)
        else:
            dropin.unlink()
        total = PER_VPN * COUNT
        target = int(total * fraction)
        pid = lab.node_pid()
        t0 = time.monotonic()

        def progressed():
            c = self.progress()
            return (c >= target) if adding else (c <= total - target)
        self.wait(progressed, 300, f"{target} of {total} links {'created' if adding else 'removed'}")
        os.kill(pid, signal.SIGKILL)
        lab.proc.wait(timeout=30)
        at_kill = self.progress()
        secs = time.monotonic() - t0
        self.assertTrue(0 < at_kill < total,
                        f"perouterd was not killed mid-apply: {at_kill}/{total} links at the kill")
        self.assertEqual(state_files(lab.root), saved, "the saved host state changed across kill -9")

        t1 = time.monotonic()
        lab.start_node(timeout=300)
        last = []

        def diff_clean():
            p = lab.node_cmd("--diff")
            last[:] = [p.stdout + p.stderr]
            return p.returncode == 0
        try:
            wait_for(diff_clean, 300, what="perouterd --diff exits 0 after the restart")
        except TimeoutError as e:
            self.fail(f"{e}; at_kill {at_kill}/{total}; last --diff output:\n{last[0][-2000:]}")
        converge = time.monotonic() - t1
        want = {110} | (set(range(FIRST_VNI, FIRST_VNI + COUNT)) if adding else set())
        got = self.ours()
        for side in ("router", "host"):
            self.assertFalse(got[side] - want, f"{side}: orphan links for VNIs {sorted(got[side] - want)[:20]}")
            self.assertFalse(want - got[side], f"{side}: missing links for VNIs {sorted(want - got[side])[:20]}")
        self.assertEqual(state_files(lab.root), saved, "the saved host state changed across the restart")
        return {"adding": adding, "at_kill": f"{at_kill}/{total}", "kill_after": secs, "converge": converge}

    def test_kill_mid_apply_then_restart(self):
        self.wait_established()
        fractions = (0.1, 0.3, 0.5, 0.7, 0.9) if SOAK else (0.5, 0.3)
        figures = []
        for n, f in enumerate(fractions):
            r = self.round(f, n)
            figures.append(f"{'add' if r['adding'] else 'remove'}: killed at {r['at_kill']} "
                           f"links after {r['kill_after']:.1f} s, converged {r['converge']:.1f} s after restart")
        self.wait_established(60)
        self.wait_l2_ping(60)

        # --teardown restores the NIC's host state: back in the host namespace, with its address.
        lab = self.lab
        lab.stop_node()
        p = lab.node_cmd("--teardown", timeout=600)
        self.assertEqual(p.returncode, 0, f"--teardown exit {p.returncode}: {p.stdout}{p.stderr}")
        nic = wait_for(lambda: lab.link("host", NIC), 30, what=f"{NIC} back in the host namespace")
        self.assertIn(NIC_ADDR, addresses(lab.host_ns, NIC), f"{NIC} lacks {NIC_ADDR} after --teardown: {nic}")
        left = self.ours()
        self.assertFalse(left["router"] | left["host"], f"links of ours left after --teardown: {left}")
        print(f"R5 figures: {len(figures)} rounds of {COUNT} L2VNIs; " + "; ".join(figures)
              + f"; teardown restored {NIC} {NIC_ADDR}", flush=True)


if __name__ == "__main__":
    unittest.main()
