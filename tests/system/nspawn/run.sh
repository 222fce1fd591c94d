#!/bin/bash
# The nspawn system tier: boot the installed project with systemd as PID 1 and run the payload.
#
#   tests/system/nspawn/run.sh BUILD_DIR [OUT_DIR]
#
# 1. tests/system/rootfs.sh       Debian 12 root filesystem, cached in $PEROUTER_SYSTEM_DIR
#                                 (default /var/tmp/perouter-system)
# 2. tests/system/install-into.sh a copy of it with BUILD_DIR installed and enabled
# 3. systemd-nspawn -b            boots it (host kernel, private network, writes to a tmpfs
#                                 overlay); perouter-test.target runs nspawn/payload.py and
#                                 powers off
# Results come back through a bind mount (OUT_DIR, default $PEROUTER_SYSTEM_DIR/nspawn-out): one
# `PASS <check>: ...` / `FAIL <check>: ...` line per check, printed here. Exits 1 on any FAIL,
# if the payload never reported END, or if the boot timed out. Needs root.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SYSTEM=$(dirname "$HERE")
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
BUILD=$(realpath "$1")
W=${PEROUTER_SYSTEM_DIR:-/var/tmp/perouter-system}
OUT=${2:-$W/nspawn-out}
MACHINE=perouter-system
BOOT_TIMEOUT=${PEROUTER_NSPAWN_TIMEOUT:-900}

[ "$(id -u)" = 0 ] || { echo "nspawn tier: needs root" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$W"
# One run at a time: the image directory and the machine name are shared.
exec 8>"$W/.nspawn.lock"
flock 8

t_all=$(now)
"$SYSTEM/rootfs.sh" "$W" || { echo "FAIL rootfs: tests/system/rootfs.sh failed"; exit 1; }
t_rootfs=$(now)
"$SYSTEM/install-into.sh" "$W/rootfs" "$BUILD" "$W/image" ||
  { echo "FAIL install: tests/system/install-into.sh failed"; exit 1; }
t_install=$(now)

rm -rf "$OUT"
mkdir -p "$OUT"
# Both clocks are the host's CLOCK_BOOTTIME: the payload's START line carries its /proc/uptime.
boot_uptime=$(cut -d' ' -f1 /proc/uptime)
t_boot=$(now)
timeout --kill-after=10 "$BOOT_TIMEOUT" systemd-nspawn --quiet --register=no --keep-unit \
  --console=read-only --volatile=overlay --private-network --machine="$MACHINE" \
  --bind="$OUT":/perouter-results -D "$W/image" -b -- systemd.unit=perouter-test.target \
  </dev/null >"$OUT/console.log" 2>&1
rc=$?
t_end=$(now)
# nspawn cannot remove this itself when the host's /run is not a tmpfs.
rm -rf "/run/systemd/nspawn/propagate/$MACHINE"

results=$OUT/results.txt
[ -f "$results" ] && grep -E '^(START|PASS|FAIL|END)' "$results"

fail=0
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "FAIL nspawn: no poweroff within $BOOT_TIMEOUT s (killed); console: $OUT/console.log"
  fail=1
fi
if ! grep -q '^END ' "$results" 2>/dev/null; then
  echo "FAIL payload: the container never reported END (nspawn exit $rc); last console lines:"
  tail -20 "$OUT/console.log" | sed 's/^/    /'
  fail=1
fi
grep -q '^FAIL ' "$results" 2>/dev/null && fail=1

start_uptime=$(sed -n 's/^START uptime=\([0-9.]*\).*/\1/p' "$results" 2>/dev/null)
echo "---- timings: rootfs $(secs "$t_all" "$t_rootfs") s (cached unless rebuilt), install" \
     "$(secs "$t_rootfs" "$t_install") s, boot to payload" \
     "$( [ -n "$start_uptime" ] && secs "$boot_uptime" "$start_uptime" || echo '?') s, boot to" \
     "poweroff $(secs "$t_boot" "$t_end") s, total $(secs "$t_all" "$t_end") s"
echo "---- results, journal and unit status in $OUT"
if [ $fail -ne 0 ]; then
  echo "nspawn system tier: FAILED"
  exit 1
fi
echo "nspawn system tier: all checks passed"
