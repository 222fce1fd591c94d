"""The fabric's DHCP server for the lab: dnsmasq (Debian's dnsmasq-base) on the leaf's port to
the node, serving the router's macvlan underlay. It runs in the leaf's namespace, daemonized;
the lab stops whatever runs in its namespaces when it goes down."""

from __future__ import annotations

from pathlib import Path

import lab_frr as F
from lab_shell import run

POOL = ("192.168.11.100", "192.168.11.150")  # what a MAC without a fixed lease gets


def start_dhcp_server(leaf_ns: str, directory: Path, fixed: dict[str, str]) -> Path:
    """dnsmasq on swp1 with a pool, fixed leases (MAC -> address), and the leaf as the
    gateway and DNS server on offer (which perouter must not take). Returns the lease file."""
    leases = directory / "dnsmasq.leases"
    argv = ["ip", "netns", "exec", leaf_ns, "dnsmasq", "--port=0", "--no-resolv", "--no-hosts",
            "--interface=swp1", "--bind-interfaces", "--log-dhcp",
            f"--dhcp-range={POOL[0]},{POOL[1]},255.255.255.0,1h",
            f"--dhcp-option=option:router,{F.LEAF_UNDERLAY_IP}",
            f"--dhcp-option=option:dns-server,{F.LEAF_UNDERLAY_IP}",
            f"--dhcp-leasefile={leases}", f"--pid-file={directory / 'dnsmasq.pid'}",
            f"--log-facility={directory / 'dnsmasq.log'}"]
    argv += [f"--dhcp-host={mac},{ip}" for mac, ip in fixed.items()]
    run(argv)
    return leases
