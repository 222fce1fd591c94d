#!/bin/sh
# Parses every golden frr.conf with FRR's own parser (`vtysh -C`: dry run, no daemons needed).
# FRR is a hard dependency of the project and CI installs it, so a missing vtysh is a failure.
#   vtysh_check.sh DIR [EXT]   checks DIR/*.EXT (default conf); in a file that has a line
#                              "--- frr.conf" (planner goldens), only what follows it.
set -u
dir=$1
ext=${2:-conf}
vtysh=${VTYSH:-/usr/bin/vtysh}
if [ ! -x "$vtysh" ]; then
    echo "FAIL: $vtysh not found; install FRR (apt-get install frr) to check the golden files"
    exit 1
fi
# The check must be able to fail: a command FRR does not know has to be rejected.
bad=$(mktemp)
conf=$(mktemp)
trap 'rm -f "$bad" "$conf"' EXIT
printf 'router bgp 64514\n neighbor 192.0.2.1 no-such-command\nexit\n' > "$bad"
if "$vtysh" -C -f "$bad" >/dev/null 2>&1; then
    echo "FAIL: vtysh -C accepted an unknown command; it cannot validate anything"
    exit 1
fi
count=0
failed=0
for f in "$dir"/*."$ext"; do
    [ -e "$f" ] || continue
    count=$((count + 1))
    if grep -qx -- '--- frr.conf' "$f"; then
        sed '1,/^--- frr.conf$/d' "$f" > "$conf"
    else
        cp "$f" "$conf"
    fi
    if ! out=$("$vtysh" -C -f "$conf" 2>&1); then
        echo "FAIL: vtysh -C -f $f"
        echo "$out"
        failed=1
    fi
done
if [ "$count" -eq 0 ]; then
    echo "FAIL: no golden files in $dir"
    exit 1
fi
echo "$count golden files checked with vtysh -C"
exit $failed
