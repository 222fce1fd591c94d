"""FRR restarts: when watchfrr restarts a daemon perouterd pushes the configuration again, and
when the whole instance is gone perouterd starts it again. Kernel objects are never touched."""

import os
import signal
import time
import unittest

from labcase import LabTestCase
from perlab import ifindexes, pid_alive, read_pid_file


class FrrRestartTest(LabTestCase):
    PREFIX = "plt10"

    def frr_pid(self, daemon: str) -> int:
        pid = read_pid_file(self.lab.router_frr_dir / f"{daemon}.pid")
        self.assertTrue(pid, f"no pid file for the router's {daemon}")
        return pid

    def log_since(self, offset: int) -> str:
        return self.lab.node_log_text()[offset:]

    def test_0_started_instance_reads_its_configuration_once(self):
        # perouterd starts FRR without frr.conf (frrinit.sh then skips its boot read) and sends
        # the whole configuration once every daemon answers; frr.conf is written after that,
        # for the restarts watchfrr makes. Each daemon logs the end of every configuration
        # read it gets (lib/lib_vty.c, "Configuration Read in Took").
        self.wait_established()
        log = (self.lab.router_frr_dir / "frr.log").read_text()
        for daemon in ("ZEBRA", "BGP", "STATIC", "BFD"):
            reads = [l for l in log.splitlines() if f" {daemon}: " in l and "Configuration Read in" in l]
            self.assertEqual(len(reads), 1, f"{daemon} configuration reads: {reads}")
        conf = self.lab.root / "etc" / "frr" / self.lab.router_ns / "frr.conf"
        record = self.lab.root / "run" / "perouter" / "state" / f"frr-{self.lab.router_ns}.conf"
        self.assertEqual(conf.read_text(), record.read_text())
        self.assertIn("router bgp 64514", conf.read_text())

    def test_1_killed_bgpd_is_restarted_and_reconfigured(self):
        self.wait_established()
        self.wait_l2_ping()
        links = ifindexes(self.lab.router_ns)
        offset = len(self.lab.node_log_text())
        old = self.frr_pid("bgpd")
        os.kill(old, signal.SIGKILL)
        self.wait(lambda: read_pid_file(self.lab.router_frr_dir / "bgpd.pid") not in (None, 0, old),
                  30, "watchfrr restarts bgpd")
        self.wait(lambda: "pushing the configuration again" in self.log_since(offset), 30,
                  "perouterd notices the restart and re-pushes the FRR configuration")
        # The new bgpd runs the whole configuration: the session to the leaf and EVPN are back.
        self.wait_established(60)
        self.wait_l2_ping(60)
        self.assertIn("router bgp 64514", self.lab.vtysh("router", "show running-config"))
        self.assertEqual(links, ifindexes(self.lab.router_ns), "kernel links recreated")
        self.assertTrue(self.lab.node_running())

    def test_2_whole_instance_killed_is_started_again(self):
        self.wait_established()
        links = ifindexes(self.lab.router_ns)
        offset = len(self.lab.node_log_text())
        # watchfrr first, or it would restart the others.
        watchfrr = self.frr_pid("watchfrr")
        os.kill(watchfrr, signal.SIGKILL)
        killed = [watchfrr] + [p for p in self.lab.router_frr_pids() if p != watchfrr]
        for pid in killed[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # a daemon that exited on its own when watchfrr went
        # The killed ones, not "no FRR at all": perouterd may already be starting a new one.
        self.wait(lambda: not any(pid_alive(p) for p in killed), 10, f"killed router FRR {killed} gone")
        self.wait(lambda: "starting FRR instance" in self.log_since(offset), 30,
                  "perouterd starts FRR again")
        self.wait_established(60)
        self.wait_l2_ping(60)
        self.assertNotEqual(self.frr_pid("watchfrr"), watchfrr)
        self.assertEqual(links, ifindexes(self.lab.router_ns), "kernel links recreated")


if __name__ == "__main__":
    unittest.main()
