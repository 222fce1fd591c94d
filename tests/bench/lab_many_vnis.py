#!/usr/bin/python3
"""perouterd in the EVPN lab with many L2VNIs: how long it takes from writing a drop-in until
the router's VXLAN devices match it (inotify, 300 ms debounce, reload), when one VPN changes
next to N others and when all N come or go; and a SIGHUP reload with nothing to change.

    sudo tests/bench/lab_many_vnis.py [--perouterd build/src/daemon/perouterd] [-n 300] [--repeat 3]

Prints one line per step with the median of the repetitions (results go to RESULTS.md by hand).
Needs root; runs in namespaces of its own (lab prefix plb), like the integration tests.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "lab"))

import perlab  # noqa: E402
from lab_shell import links  # noqa: E402


def l2vnis(first: int, count: int) -> str:
    return "".join(f'[[l2vni]]\nname = "bench-{v}"\nvni = {v}\n\n' for v in range(first, first + count))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--perouterd", default=str(REPO / "build" / "src" / "daemon" / "perouterd"))
    ap.add_argument("-n", type=int, default=300, help="L2VNIs next to each other (default 300)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    lab = perlab.Lab(prefix="plb", perouterd=args.perouterd, scenario="l2")
    lab.up()
    dropin = lab.dropin_dir / "90-bench.toml"
    first = 1000
    steps: dict[str, list[float]] = {}

    def ours(names) -> int:
        return sum(1 for n in names if (m := re.search(r"(\d+)$", n)) and int(m.group(1)) >= first)

    def bench_links() -> int:
        """br-pe-N, vniN, pe-e-N in the router and host-e-N in the host, for the bench's VNIs."""
        return ours(links(lab.router_ns)) + ours(links(lab.host_ns))

    def timed(step: str, text: str | None, expect: int) -> None:
        """Write (or remove) the drop-in and time until the node has the links of `expect` VNIs:
        the inotify watch, its 300 ms debounce and the reload. Then let the daemon go idle."""
        t0 = time.monotonic()
        if text is None:
            dropin.unlink(missing_ok=True)
        else:
            dropin.write_text(text)
        perlab.wait_for(lambda: bench_links() == 4 * expect, 600, interval=0.02, what=step)
        steps.setdefault(step, []).append(time.monotonic() - t0)
        time.sleep(2.0)

    def sighup(step: str) -> None:
        """A reload with nothing to change: SIGHUP to READY=1."""
        t0 = time.monotonic()
        lab.reload_node(timeout=600)
        steps.setdefault(step, []).append(time.monotonic() - t0)
        time.sleep(1.0)

    try:
        for _ in range(args.repeat):
            timed(f"add {args.n} L2VNIs", l2vnis(first, args.n), args.n)
            timed("add 1 more next to them", l2vnis(first, args.n + 1), args.n + 1)
            timed("remove that 1", l2vnis(first, args.n), args.n)
            sighup("reload with no change")
            timed(f"remove all {args.n}", None, 0)
    finally:
        lab.down()
    print(f"perouterd {args.perouterd}, {args.n} L2VNIs (4 links each), median of {args.repeat}:")
    for step, times in steps.items():
        print(f"  {step:28s} {statistics.median(times):7.2f} s   (runs: "
              f"{', '.join(f'{t:.2f}' for t in times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
