#!/usr/bin/python3
"""The stand-in kubelet of the QEMU tier (kubelet.service, ordered After=network-online.target).

When it starts it tries the API server exactly once, as a kubelet's first request would: one
ping and one HTTP GET of http://192.168.20.20:6443/healthz, each with a short timeout, and records
what it saw (with the route the kernel picked and its own CLOCK_MONOTONIC start time) as JSON in
the file given. It never retries; the payload judges the record.

    kubelet.py OUT.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

API = "192.168.20.20"
URL = f"http://{API}:6443/healthz"


def main() -> int:
    started = time.monotonic()
    rec: dict = {"monotonic": started}
    p = subprocess.run(["ip", "-j", "route", "get", API], capture_output=True, text=True)
    try:
        rec["route"] = json.loads(p.stdout)[0]
    except (ValueError, IndexError):
        rec["route"] = {"error": (p.stderr or p.stdout).strip()}
    t = time.monotonic()
    p = subprocess.run(["ping", "-n", "-c", "1", "-W", "3", API], capture_output=True, text=True)
    rec["ping"] = {"ok": p.returncode == 0, "seconds": round(time.monotonic() - t, 3),
                   "output": " ".join(p.stdout.split())[-200:]}
    t = time.monotonic()
    try:
        with urllib.request.urlopen(URL, timeout=5) as r:
            rec["http"] = {"ok": r.status == 200, "status": r.status, "body": r.read(64).decode().strip()}
    except Exception as e:  # noqa: BLE001 - recorded, judged by the payload
        rec["http"] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    rec["http"]["seconds"] = round(time.monotonic() - t, 3)
    with open(sys.argv[1], "w") as f:
        json.dump(rec, f)
    print(f"kubelet stand-in: ping {'answered' if rec['ping']['ok'] else 'FAILED'}, "
          f"GET {URL} {'answered' if rec['http']['ok'] else 'FAILED'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
