#!/bin/bash
# Make a small initrd for booting ROOTFS's Debian kernel directly (QEMU -kernel/-initrd): only
# what finds and mounts an ext4 root on a virtio disk, PCI (-M pc, q35) or MMIO (-M microvm).
#
#   dist/image/small-initrd.sh ROOTFS OUT
#
# Debian builds virtio_blk, virtio_pci, virtio_mmio and ext4 as modules, so the kernel cannot
# boot such a disk without an initrd; the stock MODULES=most initrd is about 35 MiB, this one
# about 7 MiB and a few seconds faster to boot under TCG (reference/vm-systemd.md). ROOTFS must
# have initramfs-tools and a kernel in /lib/modules; it is left as it was.
set -euo pipefail

[ $# = 2 ] || { echo "usage: $0 ROOTFS OUT" >&2; exit 2; }
R=$(realpath "$1")
OUT=$(realpath -m "$2")
[ -x "$R/usr/sbin/mkinitramfs" ] || { echo "small-initrd.sh: no mkinitramfs in $R" >&2; exit 1; }
kver=$(ls "$R/lib/modules" | sort -V | tail -1)
[ -n "$kver" ] || { echo "small-initrd.sh: no kernel modules in $R/lib/modules" >&2; exit 1; }

conf=$(mktemp -d "$R/tmp/small-initrd.XXXXXX")
trap 'rm -rf "$conf"' EXIT
cp -a "$R/etc/initramfs-tools/." "$conf/"
# gzip: zstd is not in a minbase root filesystem.
sed -i -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' "$conf/initramfs.conf"
printf '%s\n' virtio_pci virtio_mmio virtio_blk ext4 crc32c_generic >"$conf/modules"
chroot "$R" mkinitramfs -d "/tmp/$(basename "$conf")" -o "/tmp/$(basename "$conf")/initrd.img" "$kver"
mkdir -p "$(dirname "$OUT")"
mv "$conf/initrd.img" "$OUT"
