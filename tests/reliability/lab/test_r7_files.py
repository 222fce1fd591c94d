"""R7: hostile file handling against a running perouterd.

perouterd reads a drop-in once it is complete (IN_CLOSE_WRITE or IN_MOVED_TO,
src/daemon/config_watch.cpp) and settles bursts of events into one reload.
Here: a drop-in written in two halves with a pause between (alone, and while another drop-in
arrives and makes perouterd reload), a file renamed over again and again, the drop-in directory
removed and recreated, and a burst of >= 10,000 inotify events. Throughout, a file that was
complete when written must never be reported "left out", and at the end the router converges
(`perouterd --diff` exits 0) with exactly the VPNs of the final files. perouterctl status must
answer during the burst.

PEROUTER_SOAK=1: longer loops (rename-over 5,000, directory churn 50, burst 100,000 events).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "lab"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from labcase import BusLabTestCase  # noqa: E402
from perlab import links  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
VNI_OURS = re.compile(r"^vni(\d+)$")


def l2(name: str, vni: int) -> str:
    return f'[[l2vni]]\nname = "{name}"\nvni = {vni}\n'


class FilesTest(BusLabTestCase):
    PREFIX = "rlf"

    # --- helpers ---------------------------------------------------------------------------------

    def vnis(self) -> set[int]:
        return {int(m.group(1)) for n in links(self.lab.router_ns) if (m := VNI_OURS.match(n))}

    def log_since(self, offset: int) -> str:
        return self.lab.node_log_text()[offset:]

    def left_out(self, text: str) -> list[str]:
        """Log lines where perouterd reports a drop-in of the watched directories left out."""
        return [l for l in text.splitlines() if " left out " in l or "left out (" in l]

    def converged(self, want: set[int], timeout: float = 120) -> None:
        self.wait(lambda: self.vnis() == want, timeout, f"router vxlan links are exactly {sorted(want)}")
        self.wait(lambda: self.lab.node_cmd("--diff").returncode == 0, timeout, "perouterd --diff exits 0")

    def remove_afterwards(self, *paths: Path) -> None:
        """Whatever the outcome, the next test starts from the lab's VPN 110 alone."""
        def clean():
            for p in paths:
                p.unlink(missing_ok=True)
            self.converged({110})
        self.addCleanup(clean)

    def applied_since(self, t: float) -> None:
        pid = self.lab.node_pid()
        alive = lambda: self.lab.node_running()  # noqa: E731
        why = (self.lab.notify.wait_for("RELOADING=1", t, 60, alive, pid)
               or self.lab.notify.wait_for("READY=1", t, 60, alive, pid))
        self.assertIsNone(why, f"no reload after a file change: {why}")

    # --- tests -----------------------------------------------------------------------------------

    def test_1_torn_write_alone(self):
        """The half of a file is never read when nothing else happens during the pause."""
        self.wait_established()
        d = self.lab.dropin_dir
        f = d / "60-torn.toml"
        text = l2("torn", 160)
        cut = text.index('"torn"') + 3  # inside the string: the half alone is a syntax error
        self.remove_afterwards(f)
        offset = len(self.lab.node_log_text())
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, text[:cut].encode())
        os.fsync(fd)
        time.sleep(2.0)  # the pause of the torn write (5 x the 300 ms settle time), not a check
        os.write(fd, text[cut:].encode())
        t = time.monotonic()
        os.close(fd)
        self.applied_since(t)
        self.converged({110, 160})
        log = self.log_since(offset)
        self.assertFalse([l for l in self.left_out(log) if "60-torn.toml" in l],
                         f"the half-written file was read:\n{log}")
        creates = len(re.findall(r"\bvni160\b.*(?:add|creat)|(?:add|creat)\S*\s+\S*\bvni160\b", log))
        print(f"R7 torn write alone: pause 2.0 s, half reported 0 times, vni160 create lines {creates}",
              flush=True)

    def test_2_torn_write_while_another_file_arrives(self):
        """The half of a file is not read either when another drop-in makes perouterd reload
        during the pause (the reload reads the whole directory)."""
        self.wait_established()
        d = self.lab.dropin_dir
        f, other = d / "60-torn.toml", d / "61-other.toml"
        text = l2("torn", 161)
        cut = text.index('"torn"') + 3
        self.remove_afterwards(f, other)
        offset = len(self.lab.node_log_text())
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, text[:cut].encode())
            os.fsync(fd)
            t = time.monotonic()
            other.write_text(l2("other", 162))
            self.applied_since(t)
            self.wait(lambda: 162 in self.vnis(), 60, "vni162 of the other drop-in applied")
            os.write(fd, text[cut:].encode())
            t = time.monotonic()
        finally:
            os.close(fd)
        self.applied_since(t)
        self.converged({110, 161, 162})
        log = self.log_since(offset)
        half = [l for l in self.left_out(log) if "60-torn.toml" in l]
        print(f"R7 torn write + other file: half-file reported {len(half)} times", flush=True)
        self.assertFalse(half, "the half-written 60-torn.toml was read by the reload another file "
                               "caused:\n" + "\n".join(half))

    def test_3_rename_over_loop(self):
        self.wait_established()
        d = self.lab.dropin_dir
        f = d / "62-renamed.toml"
        n = 5000 if SOAK else 300
        self.remove_afterwards(f)
        offset = len(self.lab.node_log_text())
        t0 = time.monotonic()
        for i in range(n):
            tmp = d / f".62-renamed.{i}.tmp"
            tmp.write_text(l2("renamed", 170 + i % 5))
            os.rename(tmp, f)
        final = 170 + (n - 1) % 5
        self.converged({110, final})
        log = self.log_since(offset)
        self.assertFalse(self.left_out(log), "a complete file was left out:\n" + "\n".join(self.left_out(log)))
        reloads = log.count("configuration files changed: reloading")
        print(f"R7 rename-over: {n} renames in {time.monotonic() - t0:.1f} s, {reloads} reloads, "
              f"final vni{final} applied, 0 left out", flush=True)

    def test_4_dropin_directory_removed_and_recreated(self):
        self.wait_established()
        rounds = 50 if SOAK else 5
        dirs = [self.lab.root / base / "perouter" / "perouter.d" for base in ("etc", "run")]
        self.remove_afterwards(*[d / "63-dir.toml" for d in dirs])
        self.addCleanup(lambda: [d.mkdir(parents=True, exist_ok=True) for d in dirs])
        offset = len(self.lab.node_log_text())
        for base in ("etc", "run"):
            d = self.lab.root / base / "perouter" / "perouter.d"
            for r in range(rounds):
                d.mkdir(parents=True, exist_ok=True)
                (d / "63-dir.toml").write_text(l2("dir", 180))
                self.converged({110, 180}, 60)
                shutil.rmtree(d)
                self.converged({110}, 60)
            d.mkdir(parents=True, exist_ok=True)  # the lab's layout again
        log = self.log_since(offset)
        self.assertFalse(self.left_out(log), "\n".join(self.left_out(log)))
        print(f"R7 directories: {rounds} remove/recreate rounds each of etc and run perouter.d, "
              f"vni180 followed every time", flush=True)

    def test_5_inotify_burst(self):
        self.wait_established()
        d = self.lab.dropin_dir
        files = [d / f"70-b{i:02d}.toml" for i in range(50)]
        texts = [l2(f"b{i:02d}", 200 + i) for i in range(50)]
        self.remove_afterwards(*files, *[d / f"70-b{k:02d}.tmp.toml" for k in range(50)])
        for p, t in zip(files, texts):
            p.write_text(t)
        want = {110} | set(range(200, 250))
        self.converged(want)

        target = 100_000 if SOAK else 10_000
        stop = threading.Event()
        answers: list[tuple[int, float]] = []

        def poll_status():
            while not stop.is_set():
                t = time.monotonic()
                p = self.ctl("--json", "status", timeout=60)
                answers.append((p.returncode, time.monotonic() - t))

        offset = len(self.lab.node_log_text())
        poller = threading.Thread(target=poll_status)
        poller.start()
        events = 0
        t0 = time.monotonic()
        try:
            i = 0
            while events < target:
                k = i % len(files)
                p, tmp = files[k], d / f"70-b{k:02d}.tmp.toml"
                # open for append and close: IN_CLOSE_WRITE, content unchanged (1 event)
                with open(p, "a"):
                    pass
                # out and back in under another .toml name: MOVED_FROM/TO twice (4 events)
                os.rename(p, tmp)
                os.rename(tmp, p)
                events += 5
                i += 1
        finally:
            burst = time.monotonic() - t0
        try:
            self.converged(want, 180)
            # answered after the burst too
            self.assertEqual(self.ctl("--json", "status").returncode, 0)
        finally:
            stop.set()
            poller.join(120)
        failed = [a for a in answers if a[0] != 0]
        slowest = max((a[1] for a in answers), default=0.0)
        log = self.log_since(offset)
        leftout = self.left_out(log)
        overflow = log.count("overflow")
        print(f"R7 burst: {events} inotify events in {burst:.1f} s; perouterctl status answered "
              f"{len(answers) - len(failed)}/{len(answers)}, slowest {slowest:.2f} s; "
              f"{log.count('configuration files changed: reloading')} reloads; "
              f"left-out reports {len(leftout)}; 'overflow' in log {overflow}", flush=True)
        self.assertTrue(answers, "perouterctl status never returned during the burst")
        self.assertFalse(failed, f"perouterctl status failed during the burst: {failed[:5]}")
        self.assertFalse(leftout, "a complete file was left out:\n" + "\n".join(leftout[:20]))
        s = json.loads(self.ctl("--json", "status").stdout)
        self.assertEqual(s.get("failed_files", []), [], f"failed_files after the burst: {s.get('failed_files')}")


if __name__ == "__main__":
    unittest.main()
