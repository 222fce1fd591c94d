#!/usr/bin/python3
"""The fabric of the QEMU tier, built at boot by perouter-lab-fabric.service before perouterd starts.

The VM has two virtio NICs wired to each other on one QEMU hub. udev names them by MAC address
(10-perouter-qemu-*.link): `toswitch` is the node's underlay NIC and stays in the host namespace
for perouterd to take; `fabric0` becomes the leaf's `swp1`. In namespaces next to it (tests/lab):

    vm-leaf    the ToR: FRR AS 64512, VTEP 100.64.0.1; L2VNI 110 and 120; VRF red / L3VNI 100
               announcing 192.168.20.0/24 and a default route as type-5 routes; VRF blue / L3VNI
               200 announcing 192.168.30.0/24 and a default route
    vm-remote  the workloads behind the leaf: the "API server" 192.168.20.20 (HTTP on :6443) in
               red, 192.168.30.30 in blue, 10.110.0.20 and 10.120.0.20 on the L2VNIs

The node's NIC gets its address (192.168.11.3/24) and default route here, as provisioning would
have left them; perouterd moves both into the router namespace. The node configuration itself
(/etc/perouter/perouter.toml) is part of the image. The leaf's FRR and the API server keep running
in this unit's cgroup (Type=oneshot, RemainAfterExit=yes).

    fabric.py up        what the unit runs
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "lab"))

import lab_frr as F  # noqa: E402
import perlab  # noqa: E402

PREFIX = "vm"
LABDIR = Path("/run/perouter-lab")
ROUTER_NETNS = "perouter"
LEAF_NIC = "fabric0"
API_SERVER = perlab.RED_REMOTE_IP
API_PORT = 6443
API_DIR = LABDIR / "api"
L2_RUNTIME_VNI = 120
L2_RUNTIME_REMOTE_IP = "10.120.0.20"
L2_RUNTIME_HOST_CIDR = "10.120.0.10/24"
BLUE_TABLE = 200
BLUE_GATEWAY = "192.168.30.1/24"
BLUE_HOST_NETWORK = "192.169.30.0/24"


def lab() -> perlab.Lab:
    """The fabric as a perlab.Lab: the VM's own namespace is the node's host namespace."""
    return perlab.Lab(PREFIX, scenario="l3", labdir=LABDIR, host_netns="",
                      router_netns=ROUTER_NETNS, root=Path("/"), leaf_nic=LEAF_NIC)


def up() -> int:
    t0 = time.monotonic()
    fabric = lab()
    fabric.up(node=False, node_config=False, host_speaker=False)
    fabric.add_leaf_l3vni("blue", F.BLUE_VNI, BLUE_TABLE, BLUE_GATEWAY, perlab.BLUE_REMOTE_IP,
                          BLUE_HOST_NETWORK, F.BLUE_REMOTE_PREFIX)
    fabric.add_leaf_l2vni(L2_RUNTIME_VNI, L2_RUNTIME_REMOTE_IP)
    API_DIR.mkdir(parents=True, exist_ok=True)
    (API_DIR / "healthz").write_text("ok\n")
    log = open(LABDIR / "api-server.log", "w")
    subprocess.Popen(["ip", "netns", "exec", fabric.remote_ns, "/usr/bin/python3", "-m", "http.server",
                      "--bind", API_SERVER, "--directory", str(API_DIR), str(API_PORT)],
                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                     start_new_session=True)
    print(f"fabric up in {time.monotonic() - t0:.1f} s: namespaces {fabric.namespaces()}, "
          f"API server http://{API_SERVER}:{API_PORT}/healthz", flush=True)
    return 0


def main() -> int:
    if sys.argv[1:] == ["up"]:
        return up()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
