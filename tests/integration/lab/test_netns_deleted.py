"""The router namespace deleted behind perouterd's back: it notices, builds a new namespace,
restarts FRR there (FRR kept the old one alive) and takes the underlay NIC again with the
addresses it saved before the first move."""

import unittest

from labcase import F, LabTestCase, perlab
from perlab import addresses, links, netns_inode, run


class NetnsDeletedTest(LabTestCase):
    PREFIX = "plt12"

    def test_namespace_is_rebuilt(self):
        lab = self.lab
        self.wait_established()
        old_ns = netns_inode(lab.router_ns)
        old_frr = set(lab.router_frr_pids())
        offset = len(lab.node_log_text())
        run(["ip", "netns", "delete", lab.router_ns])

        self.wait(lambda: netns_inode(lab.router_ns) not in (None, old_ns), 30,
                  "a new router namespace")
        self.wait(lambda: lab.router_frr_pids() and not old_frr & set(lab.router_frr_pids()), 60,
                  "FRR running in the new namespace")
        log = lab.node_log_text()[offset:]
        self.assertIn("disappeared; rebuilding", log)
        # The new FRR starts once the passthrough veth is back with its address: started
        # before, FRR 8.4 can leave the host session in "Waiting for NHT" for minutes (a CI
        # failure). The stale veth ends are removed first, not left to the old namespace.
        pt_address = log.find(f"add address {F.PT_ROUTER_IP}/24 to pt-ns in router")
        frr_start = log.find("starting FRR instance")
        self.assertTrue(0 <= pt_address < frr_start, f"pt-ns address at {pt_address}, FRR start at {frr_start}")
        # Stopping the old FRR let the old namespace die and the veth NIC with it; plug in a
        # new, bare one, as the kernel would hand back a physical NIC.
        self.wait(lambda: "swp1" not in links(lab.leaf_ns), 30, "old underlay link gone")
        lab.plug_underlay(with_host_address=False)
        self.wait(lambda: addresses(lab.router_ns, "toswitch") == [f"{F.NODE_UNDERLAY_IP}/24"], 90,
                  "NIC moved into the new namespace with its saved address")
        self.wait_established(60)
        for name in ("br-pe-110", "vni110", "pe-e-110", "pt-ns"):
            self.assertIn(name, links(lab.router_ns))
        self.assertTrue(lab.node_running())
        # The host's own address on br-hs-110 survived: the bridge lives in the host namespace.
        self.assertEqual(addresses(lab.host_ns, "br-hs-110"), [f"{perlab.L2_HOST_IP}/24"])
        self.wait_l2_ping(60)


if __name__ == "__main__":
    unittest.main()
