#!/bin/bash
# Static checks of the shipped units, run by CTest (label "unit"), no root needed.
#
#   check-units.sh verify   BUILD_DIR   systemd-analyze verify of the installed tree
#   check-units.sh security BUILD_DIR   systemd-analyze security --offline with an exposure limit
#
# BUILD_DIR is the top-level build directory. The project is installed into a scratch DESTDIR
# and checked there with --root, so the units are checked exactly as installed, ExecStart= and
# ExecReload= must name binaries that the install really put there, and the frr@perouter
# drop-in is checked on top of the build host's own frr@.service (FRR is a build dependency).
set -euo pipefail

mode=$1 build=$2
# Exposure limits on systemd-analyze's 0-100 scale (it prints them divided by ten), set to what
# systemd 252 measures today, so that losing any hardening line fails. perouterd's 4.2 is
# mostly CAP_SYS_ADMIN/CAP_NET_ADMIN and the host's mount and network namespaces, which are
# what the daemon is for (see the unit). A deliberate change of the units updates these.
declare -A LIMIT=([perouterd.service]=42 [perouterd-wait-online.service]=7 [perouter-dhcp@.service]=49)

root=$(mktemp -d "${TMPDIR:-/tmp}/perouter-units.XXXXXX")
trap 'rm -rf "$root"' EXIT

DESTDIR="$root" cmake --install "$build" >"$root.install.log" 2>&1 || {
  cat "$root.install.log"; rm -f "$root.install.log"; echo "FAIL: cmake --install into $root"; exit 1; }
rm -f "$root.install.log"

# Wherever the build put them (the unit directory follows the prefix).
unitdir=$(find "$root" -name perouterd.service -printf '%h\n' | head -1)
unitdir=${unitdir#"$root"}
[ -n "$unitdir" ] || { echo "FAIL: the install put no perouterd.service anywhere"; exit 1; }
units=(perouterd.service perouterd-wait-online.service perouter-dhcp@.service)
for u in "${units[@]}" "frr@perouter.service.d/10-perouter.conf"; do
  [ -f "$root$unitdir/$u" ] || { echo "FAIL: $u not installed in $unitdir"; exit 1; }
done

case $mode in
verify)
  # The units are checked in the context they are installed into: the build host's own
  # systemd and FRR units (frr@perouter extends Debian's frr@.service) and the scripts FRR's
  # unit runs, and dhcpcd for perouter-dhcp@. Copied without overwriting what the install put there.
  # (A /usr/local build installs nothing under /usr/lib/systemd/system: make the directory.)
  mkdir -p "$root/usr/lib/systemd/system"
  for d in /usr/lib/systemd/system /lib/systemd/system; do
    [ -d "$d" ] && cp -rn "$d/." "$root/usr/lib/systemd/system/"
  done
  [ -f "$root/usr/lib/systemd/system/frr@.service" ] ||
    { echo "FAIL: frr@.service not found on this host (install frr)"; exit 1; }
  for f in /usr/lib/frr/frrinit.sh /usr/lib/frr/frr-reload.py /usr/sbin/dhcpcd; do
    install -D -m 0755 "$f" "$root$f"
  done
  # Man pages are checked where they are built; everything else that verify reports counts,
  # warnings included (an unknown or misspelled key is only a warning with exit status 0).
  set +e
  out=$(systemd-analyze verify --man=no --root="$root" perouterd.service \
          perouterd-wait-online.service perouter-dhcp@perouter.service frr@perouter.service 2>&1)
  rc=$?
  set -e
  [ -n "$out" ] && printf '%s\n' "$out"
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify (exit $rc)"; exit 1
  fi
  echo "PASS: systemd-analyze verify ${units[*]} (as perouter-dhcp@perouter) frr@perouter.service"
  ;;
security)
  fail=0
  for u in "${units[@]}"; do
    set +e
    out=$(systemd-analyze security --offline=yes --no-pager --threshold="${LIMIT[$u]}" \
          "$root$unitdir/$u" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out" | grep -E '✗|Overall' || true
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    limit=$(awk -v l="${LIMIT[$u]}" 'BEGIN { printf "%.1f", l / 10 }')
    if [ $rc -ne 0 ] || [ -z "$level" ]; then
      echo "FAIL: $u exposure ${level:-unknown} above the limit $limit (exit $rc)"; fail=1
    else
      echo "PASS: $u exposure $level <= $limit"
    fi
  done
  exit $fail
  ;;
*)
  echo "usage: $0 verify|security BUILD_DIR" >&2; exit 2 ;;
esac
