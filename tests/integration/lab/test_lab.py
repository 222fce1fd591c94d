"""The lab itself, without perouterd: it comes up from clean, its own claims hold, and `down`
leaves nothing behind (namespaces, processes, files), also after a crash or a partial up."""

import os
import signal
import subprocess
import sys
import unittest
from pathlib import Path

from labcase import perlab
from perlab import Lab, netns_list, pid_alive, pid_cmdline, pids_in_netns, wait_for

PREFIX = "plt9"
PERLAB = Path(perlab.__file__)


def lab_processes(lab: Lab) -> list[int]:
    """Processes that mention the lab directory on their command line (FRR, perouterd, ping...)."""
    mine = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid() and str(lab.labdir) + "/" in pid_cmdline(int(d.name)):
            mine.append(int(d.name))
    return mine


class LabWithoutNodeTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            raise RuntimeError("the lab integration tests need root (network namespaces, FRR)")
        self.lab = Lab(PREFIX, scenario="auto")
        self.addCleanup(self.lab.down)

    def assertClean(self, lab: Lab) -> None:
        self.assertEqual([n for n in netns_list() if n.startswith(PREFIX + "-")], [], "namespaces left")
        self.assertEqual(lab_processes(lab), [], "processes left")
        self.assertFalse(lab.labdir.exists(), f"{lab.labdir} left")

    def test_up_check_down_three_times_from_clean(self):
        for i in range(3):
            with self.subTest(round=i):
                self.lab.up(node=False)
                self.assertEqual(sorted(self.lab.namespaces()),
                                 [f"{PREFIX}-host", f"{PREFIX}-leaf", f"{PREFIX}-remote"])
                self.assertTrue(self.lab.leaf.running() and self.lab.host.running())
                results = self.lab.check(out=None, budget=20)
                failed = [r.line() for r in results if r.status == "FAIL"]
                self.assertEqual(failed, [], "\n".join(failed))
                if not self.lab.vrf:
                    skipped = [r.evidence for r in results if r.status == "SKIP"]
                    self.assertTrue(any("kernel lacks VRF" in s and "QEMU" in s for s in skipped), skipped)
                pids = self.lab.leaf.pids() + self.lab.host.pids()
                self.assertEqual(self.lab.down(), [])
                self.assertFalse(any(pid_alive(p) for p in pids), "FRR survived down")
                self.assertClean(self.lab)
        self.assertEqual(self.lab.down(), [], "down on a clean system")

    def test_down_after_crash(self):
        self.lab.up(node=False)
        # A crashed lab: pid files gone, FRR still running, a stray ping in the host namespace.
        survivors = self.lab.leaf.pids() + self.lab.host.pids()
        for f in self.lab.leaf.pid_files() + self.lab.host.pid_files():
            f.unlink()
        stray = subprocess.Popen(["ip", "netns", "exec", self.lab.host_ns, "ping", "-q", "-i", "0.2",
                                  "192.168.11.2"], stdout=subprocess.DEVNULL)
        self.addCleanup(lambda: stray.poll() is None and stray.send_signal(signal.SIGKILL))
        # `ip netns exec` enters the namespace just before exec'ing ping; wait until it did.
        wait_for(lambda: stray.pid in pids_in_netns(self.lab.host_ns), 5, what="stray ping in the host ns")
        fresh = Lab(PREFIX)  # a new process knows only the prefix
        self.assertEqual(fresh.down(), [])
        self.assertFalse(any(pid_alive(p) for p in survivors), f"FRR {survivors} survived down")
        self.assertIsNotNone(stray.wait(timeout=5), "stray ping survived down")
        self.assertClean(fresh)

    def test_down_after_partial_up(self):
        lab = self.lab
        lab.labdir.mkdir(parents=True)
        (lab.labdir / perlab.MARKER).write_text(PREFIX)
        perlab.netns_add(lab.host_ns)
        perlab.netns_add(lab.leaf_ns)
        self.assertEqual(Lab.load(PREFIX).down(), [])
        self.assertClean(lab)

    def test_refuses_foreign_directory(self):
        lab = Lab(PREFIX, labdir=Path(f"/tmp/perlab-{PREFIX}-foreign"))
        lab.labdir.mkdir(exist_ok=True)
        self.addCleanup(lab.labdir.rmdir)
        with self.assertRaises(perlab.LabError):
            lab.down()
        self.assertTrue(lab.labdir.exists())

    def test_cli(self):
        py = sys.executable
        up = subprocess.run([py, str(PERLAB), "up", "--no-node", "--prefix", PREFIX],
                            capture_output=True, text=True, timeout=120)
        self.assertEqual(up.returncode, 0, up.stdout + up.stderr)
        check = subprocess.run([py, str(PERLAB), "check", "--prefix", PREFIX],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        lines = check.stdout.splitlines()
        self.assertTrue(lines and all(l.split()[0] in ("PASS", "SKIP") for l in lines), check.stdout)
        self.assertIn("PASS leaf L2VNI 110", check.stdout)
        for _ in range(2):  # idempotent
            down = subprocess.run([py, str(PERLAB), "down", "--prefix", PREFIX],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(down.returncode, 0, down.stdout + down.stderr)
        self.assertClean(self.lab)
        nonode = subprocess.run([py, str(PERLAB), "up", "--prefix", PREFIX, "--perouterd", "/nonexistent"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(nonode.returncode, 1)
        self.assertIn("perouterd not executable", nonode.stderr)


if __name__ == "__main__":
    unittest.main()
