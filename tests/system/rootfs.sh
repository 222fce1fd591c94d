#!/bin/bash
# Build (or reuse) the Debian 12 root filesystem the system tier boots (nspawn and QEMU) and the
# package tier installs into.
#
#   tests/system/rootfs.sh [DIR]        DIR defaults to $PEROUTER_SYSTEM_DIR or /var/tmp/perouter-system
#
# Result: DIR/rootfs, a pristine debootstrap tree (never booted or modified afterwards: the
# harness copies or overlays it), and DIR/rootfs.packages, the stamp that decides reuse. The
# debootstrap itself is the image recipe's (dist/image/debootstrap.sh: the machine's configured
# Debian mirror, rebuilt only when the package list below changes). Unlike the recipe's base,
# this tree carries the package's runtime dependencies already, so a build of the project can
# be copied in without apt. Needs root.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
W=${1:-${PEROUTER_SYSTEM_DIR:-/var/tmp/perouter-system}}
# systemd and the bus for the unit tests; FRR for the router and the lab's leaf; the kernel
# and initramfs-tools for the QEMU tier; the rest are the runtime libraries of perouterd and
# perouterctl (check with: ldd build/src/daemon/perouterd build/src/cli/perouterctl).
PACKAGES=(
  systemd systemd-sysv dbus udev kmod procps
  iproute2 iputils-ping
  frr frr-pythontools python3 dhcpcd-base dnsmasq-base
  linux-image-amd64 initramfs-tools
  libnl-3-200 libnl-route-3-200 libsystemd0 libfmt9 libspdlog1.10 libtomlplusplus3 libyaml-cpp0.7
)

if ! command -v systemd-nspawn >/dev/null; then
  printf 'rootfs: installing systemd-container\n' >&2
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends systemd-container
fi
exec "$HERE/../../dist/image/debootstrap.sh" "$W" "${PACKAGES[@]}"
