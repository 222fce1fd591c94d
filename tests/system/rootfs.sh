#!/bin/bash
# Build (or reuse) the Debian 12 root filesystem the system tier boots: nspawn now, QEMU later.
#
#   tests/system/rootfs.sh [DIR]        DIR defaults to $PEROUTER_SYSTEM_DIR or /var/tmp/perouter-system
#
# Result: DIR/rootfs, a pristine debootstrap tree (never booted or modified afterwards: the
# harness copies or overlays it), and DIR/rootfs.packages, the stamp that decides reuse.
# The tree is rebuilt only when the stamp differs from the package list below, so editing the
# list is all it takes to refresh the cache. Needs root and the machine's configured Debian mirror.
set -euo pipefail

W=${1:-${PEROUTER_SYSTEM_DIR:-/var/tmp/perouter-system}}
SUITE=bookworm
# systemd and the bus for the unit tests; FRR for the router and the lab's leaf; the kernel
# and initramfs-tools for the QEMU tier; the rest are the runtime libraries of perouterd and
# perouterctl (check with: ldd build/src/daemon/perouterd).
PACKAGES=(
  systemd systemd-sysv dbus udev kmod procps
  iproute2 iputils-ping
  frr frr-pythontools python3
  linux-image-amd64 initramfs-tools
  libnl-3-200 libnl-route-3-200 libsystemd0 libfmt9 libspdlog1.10 libtomlplusplus3
)

log() { printf 'rootfs: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root"; exit 1; }
mkdir -p "$W"
exec 9>"$W/.rootfs.lock"
flock 9   # two runs at once would debootstrap over each other

export DEBIAN_FRONTEND=noninteractive
need=()
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  log "installing host tools: ${need[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}"
fi

stamp="suite=$SUITE packages=$(printf '%s\n' "${PACKAGES[@]}" | sort | tr '\n' ' ')"
if [ -f "$W/rootfs.packages" ] && [ -x "$W/rootfs/usr/bin/systemctl" ] &&
   [ "$(cat "$W/rootfs.packages")" = "$stamp" ]; then
  log "reusing $W/rootfs"
  exit 0
fi

# The machine's own Debian mirror: deb822 sources first (Debian 12 default), then sources.list.
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
    awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == suite) print $i; break } }' "$f"
  done
}
MIRROR=$(mirror_from_apt | head -1)
[ -n "$MIRROR" ] || { log "no Debian mirror for $SUITE in /etc/apt sources"; exit 1; }

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
printf '%s' "$stamp" > "$W/rootfs.packages"
log "built $W/rootfs in $(( $(date +%s) - t0 )) s ($(du -sh "$W/rootfs" | cut -f1))"
