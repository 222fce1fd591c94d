#!/bin/sh
# README command 1: build perouter and run the EVPN lab demo (up, check, down) against a real FRR
# leaf in network namespaces. Needs root. Extra arguments go to `perlab.py demo`
# (e.g. --prefix P, --scenario l2|l3|auto).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "lab.sh: run as root (it creates network namespaces and runs FRR)" >&2
    exit 1
fi
if [ -x dist/setup.sh ]; then ./dist/setup.sh; else bash dist/setup.sh; fi
exec python3 tests/lab/perlab.py demo --perouterd build/src/daemon/perouterd "$@"
