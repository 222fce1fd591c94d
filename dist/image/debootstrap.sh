#!/bin/bash
# Build (or reuse) a Debian root filesystem with debootstrap from the machine's configured
# Debian mirror (read from the apt sources; no host name is written down anywhere).
#
#   dist/image/debootstrap.sh [--suite SUITE] DIR PACKAGE...
#
# Result: DIR/rootfs, a pristine minbase tree with PACKAGE... (callers copy or overlay it and
# never change it), and DIR/rootfs.packages, the stamp that decides reuse: the tree is rebuilt
# only when the suite or the package list differs, so changing a caller's list is all it takes
# to refresh the cache. DIR/debootstrap.log keeps the last run's output. Needs root.
#
# Shared by the image recipe (dist/image/build-image.sh) and the test tiers' root filesystem
# (tests/system/rootfs.sh).
set -euo pipefail

SUITE=bookworm
if [ "${1:-}" = --suite ]; then
    SUITE=$2
    shift 2
fi
[ $# -ge 2 ] || { echo "usage: $0 [--suite SUITE] DIR PACKAGE..." >&2; exit 2; }
W=$1
shift
PACKAGES=("$@")

log() { printf 'debootstrap.sh: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root"; exit 1; }
mkdir -p "$W"
W=$(cd "$W" && pwd)
exec 9>"$W/.rootfs.lock"
flock 9 # two runs at once would debootstrap over each other

if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    apt-get -o DPkg::Lock::Timeout=600 update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends debootstrap
fi

stamp="suite=$SUITE packages=$(printf '%s\n' "${PACKAGES[@]}" | sort | tr '\n' ' ')"
if [ -f "$W/rootfs.packages" ] && [ -x "$W/rootfs/usr/bin/apt-get" ] &&
    [ "$(cat "$W/rootfs.packages")" = "$stamp" ]; then
    log "reusing $W/rootfs"
    exit 0
fi

# The first mirror that serves SUITE: deb822 sources (the Debian 12 default), then one-line
# sources.list entries.
mirror_from_apt() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
          /^[ \t]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
          /^URIs:/   { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
          END        { if (uri != "" && ok) print uri }' "$f" | head -1
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '$1 == "deb" {
          for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == suite) print $i; break } }' "$f"
    done
}
MIRROR=$(mirror_from_apt | head -1)
[ -n "$MIRROR" ] || { log "no Debian mirror for $SUITE in the apt sources of this machine"; exit 1; }

log "debootstrap $SUITE from $MIRROR into $W/rootfs (several minutes)"
t0=$(date +%s)
rm -rf "$W/rootfs.new" "$W/rootfs.packages"
include=$(IFS=,; echo "${PACKAGES[*]}")
if ! debootstrap --variant=minbase --include="$include" "$SUITE" "$W/rootfs.new" "$MIRROR" \
    >"$W/debootstrap.log" 2>&1; then
    log "debootstrap failed; last lines of $W/debootstrap.log:"
    tail -20 "$W/debootstrap.log" >&2
    exit 1
fi
rm -f "$W"/rootfs.new/var/cache/apt/archives/*.deb "$W"/rootfs.new/boot/*.dpkg-bak
rm -rf "$W/rootfs"
mv "$W/rootfs.new" "$W/rootfs"
printf '%s' "$stamp" >"$W/rootfs.packages"
log "built $W/rootfs in $(($(date +%s) - t0)) s ($(du -sh "$W/rootfs" | cut -f1))"
