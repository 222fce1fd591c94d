"""R2, daemon side: the invalid-configuration corpus (tests/reliability/corpus) against a running
router.

Each tests/reliability/corpus/invalid/NAME.toml starts with `# expect: LINE:COL: TEXT` (how
corpus_test.cpp reads it, after base.toml). Here the lab's own configuration
(examples/lab/l2-passthrough.toml) is the main file instead of base.toml, so a case whose error
is a clash with something only base.toml has (its l3vni 'red', VNI 100, ...) is out of scope: a
`perouterd --check-config` of the lab's main file plus the case must print the case's expected
position, else the case is counted as "context-dependent" and not dropped in. At least 100 cases
must be in scope.

1. every in-scope case at once as a drop-in, one reload: each is left out and reported at its own
   position (log, D-Bus LastError, Describe() failed_files), and links, addresses, routes (router
   and host namespaces) and the router FRR's running-config are byte-identical before/after; then
   a good drop-in next to them applies (isolation: the rest applies).
2. a sample of 10 cases as the MAIN file (case text first, then the lab's configuration, so the
   case keeps its line numbers), one reload each: rejected at that position, state identical.
3. start-up with an invalid main file after --teardown: the last good main file
   (<root>/var/lib/perouter/last-good.json) stands in for it, with the drop-ins as they are now
   (a good one added meanwhile comes up, a malformed one is left out), traffic flows,
   Describe() says last_good.
4. start-up with a bad drop-in after --teardown: everything else comes up.

PEROUTER_SOAK=1: every in-scope case as the main file, not 10.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "lab"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from labcase import BusLabTestCase  # noqa: E402
from perlab import EXAMPLES, links, netns_list, run  # noqa: E402

SOAK = os.environ.get("PEROUTER_SOAK") == "1"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DEST = "org.openperouter.Router1"
PATH = "/org/openperouter/Router1"
MANAGER = "org.openperouter.Router1.Manager"
LAB_MAIN = (EXAMPLES / "l2-passthrough.toml").read_text()
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$")
TIMER = re.compile(r"\b\w+_timer\s+[\d.]+")  # bridge timers in `ip -d link` count down
GOOD = '[[l2vni]]\nname = "l2-120"\nvni = 120\nhost_master = { type = "linux-bridge", lifecycle = "managed" }\n'


class Case:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.stem
        self.text = path.read_text(errors="surrogateescape")
        m = EXPECT.match(self.text.split("\n", 1)[0])
        if not m:
            raise ValueError(f"{path}: first line is not '# expect: LINE:COL: TEXT'")
        self.line, self.col, self.want = int(m.group(1)), int(m.group(2)), m.group(3)

    def where(self, file: Path) -> re.Pattern:
        """FILE:LINE:COL: ... TEXT as perouterd prints a diagnostic."""
        return re.compile(re.escape(f"{file}:{self.line}:{self.col}: ") + r".*" + re.escape(self.want))

    def as_main(self) -> str:
        return self.text.rstrip("\n") + "\n\n" + LAB_MAIN


def check_config(perouterd: str, main: str, dropin: str | None) -> str:
    """--check-config output for a root holding main (and dropin as 50-case.toml)."""
    with tempfile.TemporaryDirectory(prefix="r2-") as root:
        etc = Path(root) / "etc" / "perouter"
        (etc / "perouter.d").mkdir(parents=True)
        (etc / "perouter.toml").write_text(main, errors="surrogateescape")
        if dropin is not None:
            (etc / "perouter.d" / "50-case.toml").write_text(dropin, errors="surrogateescape")
        p = subprocess.run([perouterd, "--root", root, "--check-config"], capture_output=True,
                           text=True, errors="replace", timeout=60)
        return "" if p.returncode == 0 else (p.stdout + p.stderr).replace(root, "ROOT")


def full_state(lab) -> dict[str, str]:
    out = {}
    for side in ("router", "host"):
        ns = lab.ns(side)
        out[f"{side}: ip -d link"] = TIMER.sub("", run(["ip", "-n", ns, "-d", "link", "show"]).stdout)
        out[f"{side}: ip addr"] = run(["ip", "-n", ns, "addr", "show"]).stdout
        out[f"{side}: ip -4 route"] = run(["ip", "-n", ns, "-4", "route", "show", "table", "all"]).stdout
        out[f"{side}: ip -6 route"] = run(["ip", "-n", ns, "-6", "route", "show", "table", "all"]).stdout
    out["router: FRR running-config"] = lab.vtysh("router", "show running-config")
    return out


class BadFilesTest(BusLabTestCase):
    PREFIX = "rld"

    @classmethod
    def setUpClass(cls) -> None:
        perouterd = os.environ.get("PEROUTERD")
        if not perouterd:
            raise RuntimeError("set PEROUTERD to the perouterd binary (CTest does)")
        cases = [Case(p) for p in sorted((CORPUS / "invalid").glob("*.toml"))]
        cls.dropin_cases, cls.main_cases, cls.context = [], [], []
        for c in cases:
            if c.where(Path("ROOT/etc/perouter/perouter.d/50-case.toml")).search(
                    check_config(perouterd, LAB_MAIN, c.text)):
                cls.dropin_cases.append(c)
            else:
                cls.context.append(c.name)
            if c.where(Path("ROOT/etc/perouter/perouter.toml")).search(
                    check_config(perouterd, c.as_main(), None)):
                cls.main_cases.append(c)
        cls.total = len(cases)
        super().setUpClass()

    # --- helpers ---------------------------------------------------------------------------------

    def last_error(self) -> str:
        p = self.bus.busctl("--json=short", "get-property", DEST, PATH, MANAGER, "LastError")
        return json.loads(p.stdout)["data"]

    def describe(self) -> dict:
        p = self.bus.busctl("--json=short", "call", DEST, PATH, MANAGER, "Describe")
        return json.loads(json.loads(p.stdout)["data"][0])

    def assertStateEqual(self, before: dict, after: dict, when: str) -> None:
        for k in before:
            if before[k] != after[k]:
                diff = "\n".join(difflib.unified_diff(before[k].splitlines(), after[k].splitlines(),
                                                      "before", "after", lineterm="", n=1))
                self.fail(f"{when}: {k} changed:\n{diff}")

    def restore_main(self) -> None:
        self.lab.config_file.write_text(LAB_MAIN)

    def clear_dropins(self) -> None:
        for p in self.lab.dropin_dir.iterdir():
            p.unlink()

    def converge(self, timeout: float = 60) -> None:
        self.wait(lambda: self.lab.node_cmd("--diff").returncode == 0, timeout, "perouterd --diff exits 0")

    # --- tests -----------------------------------------------------------------------------------

    def test_1_every_case_as_a_dropin_at_once(self):
        lab = self.lab
        self.assertGreaterEqual(len(self.dropin_cases), 100,
                                f"only {len(self.dropin_cases)} of {self.total} corpus cases fail at their "
                                f"expected position next to the lab's main file; context-dependent: {self.context}")
        self.wait_established()
        self.wait_l2_ping()
        self.wait_host_learned()
        before = full_state(lab)
        self.addCleanup(self.clear_dropins)
        files = {}
        for i, c in enumerate(self.dropin_cases):
            f = lab.dropin_dir / f"{500 + i}-{c.name}.toml"
            files[c.name] = f
        # Written while perouterd runs: every write also schedules a reload of its own; the
        # explicit reload below is the one waited for.
        offset = len(lab.node_log_text())
        for c in self.dropin_cases:
            files[c.name].write_text(c.text, errors="surrogateescape")
        t0 = time.monotonic()
        lab.reload_node(timeout=120)

        def reported():
            log = lab.node_log_text()[offset:]
            return all(c.where(files[c.name]).search(log) for c in self.dropin_cases)
        try:
            self.wait(reported, 60, "every drop-in's position in the log")
        except AssertionError:
            pass  # the per-file assertions below name which
        secs = time.monotonic() - t0
        log = lab.node_log_text()[offset:]
        last_error = self.last_error()
        doc = self.describe()
        failed = {f["path"]: f for f in doc.get("failed_files", [])}
        failed_prop = set(json.loads(self.bus.busctl("--json=short", "get-property", DEST, PATH, MANAGER,
                                                     "FailedFiles").stdout)["data"])
        missing_log, missing_left_out, missing_last, missing_describe = [], [], [], []
        for c in self.dropin_cases:
            f = files[c.name]
            if not c.where(f).search(log):
                missing_log.append(c.name)
            if not re.search(re.escape(f"{f} left out ("), log):
                missing_left_out.append(c.name)
            # LastError is bounded (src/dbus/reply_limits.cpp): every file must be in the
            # FailedFiles property instead; LastError must name the first one (checked below).
            if str(f) not in failed_prop:
                missing_last.append(c.name)
            entry = failed.get(str(f))
            if not (entry and entry.get("state") == "left-out"
                    and any(c.where(f).search(e) for e in entry.get("errors", []))):
                missing_describe.append(c.name)
        self.assertFalse(missing_log, f"log lacks FILE:LINE:COL: TEXT for {missing_log}")
        self.assertFalse(missing_left_out, f"log lacks 'FILE left out (' for {missing_left_out}")
        self.assertFalse(missing_last, f"the FailedFiles property lacks {missing_last}")
        first = files[self.dropin_cases[0].name]
        self.assertIn(f"{first} left out: ", last_error, "LastError does not name the first file left out")
        self.assertFalse(missing_describe, f"Describe() failed_files lacks the position for {missing_describe}")
        # LastError crosses the bus bounded (src/dbus/reply_limits.cpp); Describe() carries the
        # configuration error whole. They agree on what the bound keeps.
        self.assertEqual(doc.get("config_error", "").splitlines()[0], last_error.splitlines()[0],
                         "Describe() config_error and LastError disagree")
        self.assertTrue(lab.node_running(), "perouterd exited")
        self.assertStateEqual(before, full_state(lab), f"after {len(files)} bad drop-ins")
        self.wait_l2_ping()

        # Isolation: a good drop-in next to all of them applies.
        (lab.dropin_dir / "990-good.toml").write_text(GOOD)
        lab.reload_node(timeout=120)
        self.wait(lambda: "vni120" in links(lab.router_ns) and "br-hs-120" in links(lab.host_ns), 60,
                  "the good drop-in 990-good.toml applied next to the bad ones")
        self.assertEqual(len([f for f in self.describe()["failed_files"] if f["state"] == "left-out"]),
                         len(files), "the bad drop-ins are not all still reported")
        print(f"R2 drop-ins: {len(files)}/{self.total} corpus cases in scope "
              f"({len(self.context)} need base.toml's context), dropped in at once: "
              f"{len(files)} left out and reported at their position (log, FailedFiles, Describe; LastError names the first) "
              f"within {secs:.1f} s of the reload; state byte-identical; good drop-in applied next to them",
              flush=True)
        self.clear_dropins()
        lab.reload_node(timeout=120)
        self.converge()
        self.assertEqual(self.describe()["failed_files"], [])

    def test_2_sample_as_the_main_file(self):
        lab = self.lab
        cases = self.main_cases
        self.assertGreaterEqual(len(cases), 10, f"only {len(cases)} corpus cases are rejected as a main file")
        if not SOAK:
            step = len(cases) / 10
            cases = [cases[int(i * step)] for i in range(10)]
        self.wait_established()
        self.wait_host_learned()
        before = full_state(lab)
        try:
            for c in cases:
                offset = len(lab.node_log_text())
                lab.config_file.write_text(c.as_main(), errors="surrogateescape")
                lab.reload_node(timeout=120)
                where = c.where(lab.config_file)
                self.wait(lambda: where.search(lab.node_log_text()[offset:]), 30,
                          f"{c.name} as main: log names {lab.config_file}:{c.line}:{c.col}")
                self.assertIn("keeping the running configuration", lab.node_log_text()[offset:])
                self.assertIn(f"{lab.config_file}:{c.line}:{c.col}: ", self.last_error(), c.name)
                rejected = [f for f in self.describe()["failed_files"] if f["state"] == "rejected"]
                self.assertEqual([f["path"] for f in rejected], [str(lab.config_file)], c.name)
                self.assertStateEqual(before, full_state(lab), f"{c.name} as the main file")
        finally:
            self.restore_main()
        lab.reload_node(timeout=120)
        self.converge()
        self.assertStateEqual(before, full_state(lab), "after the main file is good again")
        print(f"R2 main file: {len(cases)} of {len(self.main_cases)} cases rejected at reload with "
              f"their position; running state byte-identical after each", flush=True)

    def restart_after_teardown(self) -> float:
        lab = self.lab
        lab.stop_node()
        p = lab.node_cmd("--teardown", timeout=300)
        self.assertEqual(p.returncode, 0, f"--teardown: {p.stdout}{p.stderr}")
        gone = lab.router_ns not in netns_list() or "vni110" not in links(lab.router_ns)
        self.assertTrue(gone, "--teardown left vni110 in the router namespace")
        return lab.start_node(timeout=120)

    def test_3_start_with_invalid_main_uses_last_good(self):
        lab = self.lab
        self.wait_established()
        self.converge()
        saved = lab.root / "var" / "lib" / "perouter" / "last-good.json"
        self.wait(saved.exists, 30, f"{saved} written")
        c = self.main_cases[len(self.main_cases) // 2]
        bad = self.dropin_cases[len(self.dropin_cases) // 3]
        self.clear_dropins()
        bad_file = lab.dropin_dir / f"50-{bad.name}.toml"
        try:
            lab.config_file.write_text(c.as_main(), errors="surrogateescape")
            # Written after the last good save: only the files on disk know them.
            (lab.dropin_dir / "60-good.toml").write_text(GOOD)
            bad_file.write_text(bad.text, errors="surrogateescape")
            offset = len(lab.node_log_text())
            ready = self.restart_after_teardown()
            log = lab.node_log_text()[offset:]
            self.assertRegex(log, c.where(lab.config_file))
            self.assertRegex(log, bad.where(bad_file))
            self.assertIn("running its last good text", log)
            doc = self.describe()
            self.assertTrue(doc["last_good"], doc)
            states = sorted((f["path"], f["state"]) for f in doc["failed_files"])
            self.assertEqual(states, sorted([(str(lab.config_file), "rejected"), (str(bad_file), "left-out")]))
            self.assertIn(f"{lab.config_file}:{c.line}:{c.col}: ", self.last_error())
            self.wait(lambda: {"vni110", "vni120"} <= set(links(lab.router_ns))
                      and {"br-hs-110", "br-hs-120"} <= set(links(lab.host_ns)), 60,
                      "VNI 110 (last good main file) and VNI 120 (drop-in on disk) come up")
            self.wait_established(60)
            self.wait_l2_ping(60)
        finally:
            self.restore_main()
            self.clear_dropins()
        lab.reload_node(timeout=120)
        self.wait(lambda: not self.describe()["last_good"], 30, "last_good false once the files are good")
        self.converge()
        print(f"R2 start-up, invalid main ({c.name}) and a malformed drop-in ({bad.name}): READY after "
              f"{ready:.1f} s on the main file of {saved.name} plus the good drop-in, VNI 110 and 120 up, "
              f"VNI 110 pinging", flush=True)

    def test_4_start_with_bad_dropin_brings_up_the_rest(self):
        lab = self.lab
        c = self.dropin_cases[len(self.dropin_cases) // 3]
        bad = lab.dropin_dir / f"50-{c.name}.toml"
        self.clear_dropins()  # whatever an earlier failed test left
        bad.write_text(c.text, errors="surrogateescape")
        (lab.dropin_dir / "60-good.toml").write_text(GOOD)
        try:
            offset = len(lab.node_log_text())
            ready = self.restart_after_teardown()
            self.assertRegex(lab.node_log_text()[offset:], c.where(bad))
            self.wait(lambda: {"vni110", "vni120"} <= set(links(lab.router_ns))
                      and {"br-hs-110", "br-hs-120"} <= set(links(lab.host_ns)), 60,
                      "VNI 110 (main) and 120 (good drop-in) come up")
            doc = self.describe()
            self.assertEqual([(f["path"], f["state"]) for f in doc["failed_files"]], [(str(bad), "left-out")])
            self.assertFalse(doc["last_good"])
            # The underlay and the L2VNI are what this claim is about. The lab host's own BGP
            # speaker is not waited for: after the teardown its session to the recreated pt-ns
            # stayed "Waiting for NHT" in one run (tests/reliability/RESULTS.md, R2).
            self.wait(lambda: lab.leaf_session().get("bgpState") == "Established", 60,
                      "leaf session to the router Established")
            self.wait_l2_ping(60)
        finally:
            self.clear_dropins()
        lab.reload_node(timeout=120)
        self.converge()
        print(f"R2 start-up, bad drop-in ({c.name}): READY after {ready:.1f} s, the rest up "
              f"(VNI 110, 120), the bad one left out", flush=True)


if __name__ == "__main__":
    unittest.main()
