#!/bin/bash
# Build a bootable Debian 12 image with the perouter package installed, the way an OS image
# builder does it: debootstrap a base, `apt-get install ./perouter.deb` in a chroot (which pulls
# FRR and the libraries from the mirror, as the package's Depends say), set the node's
# configuration, then make a raw ext4 disk image, the kernel and a small initrd. See README.md.
#
#   dist/image/build-image.sh --out DIR [--deb FILE] [--config FILE] [--hostname NAME]
#                             [--size SIZE] [--cache DIR] [--customize SCRIPT]...
#
#   --out DIR          results: DIR/perouter.img (raw ext4, label perouter-root), DIR/vmlinuz,
#                      DIR/initrd.img, DIR/cmdline (kernel arguments), DIR/packages (versions)
#   --deb FILE         the package (default: build one with dist/package.sh)
#   --config FILE      becomes /etc/perouter/perouter.toml; checked with the image's perouterd
#                      (default: the package's commented example, which configures nothing)
#   --hostname NAME    default perouter
#   --size SIZE        ext4 size for mkfs.ext4 (default: the tree plus 512 MiB, at least 1536M)
#   --cache DIR        where the debootstrap base is kept and reused (default
#                      /var/tmp/perouter-image); about 5 minutes to build the first time
#   --customize SCRIPT run as `SCRIPT TREE` after the package is installed and before the image
#                      is made (repeatable): users, SSH keys, network settings, test payloads
#
# Needs root, debootstrap, e2fsprogs and the machine's configured Debian mirror.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
out=
deb=
config=
hostname=perouter
size=
cache=/var/tmp/perouter-image
customize=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --deb) deb=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --hostname) hostname=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --customize) customize+=("$(realpath "$2")"); shift 2 ;;
        -h | --help) sed -n '2,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "build-image.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf 'build-image.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
stamp() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[ -n "$out" ] || die "--out DIR is required"
[ "$(id -u)" = 0 ] || die "needs root"
[ -z "$config" ] || [ -f "$config" ] || die "no configuration file '$config'"
command -v mkfs.ext4 >/dev/null || die "needs mkfs.ext4 (e2fsprogs)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out" in / | "$REPO") die "refusing to write the image into '$out'" ;; esac
t_all=$(date +%s.%N)

if [ -z "$deb" ]; then
    deb=$("$REPO/dist/package.sh" --out "$out/packages.d" | tail -n 1)
fi
deb=$(realpath "$deb")
[ "$(dpkg-deb -f "$deb" Package 2>/dev/null)" = perouter ] || die "'$deb' is not the perouter package"

# The base: what every node boots, without perouter and without what its Depends pull in.
# python3 is frr-reload.py's interpreter; frr-pythontools pulls it in too, but the base has it
# so that the package's own dependencies are what apt resolves below.
base_packages=(systemd systemd-sysv dbus udev kmod procps linux-image-amd64 initramfs-tools)
"$REPO/dist/image/debootstrap.sh" "$cache" "${base_packages[@]}"

tree=$out/tree
t0=$(date +%s.%N)
rm -rf "$tree"
cp -a "$cache/rootfs" "$tree"
log "copied the base in $(stamp "$t0") s"

# The machine's own apt sources (its mirror, updates and security), so the image gets the
# same packages the build host would install.
rm -f "$tree/etc/apt/sources.list" "$tree"/etc/apt/sources.list.d/*
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ]; then cp "$f" "$tree/$f"; fi
done
cp /etc/resolv.conf "$tree/etc/resolv.conf"
# Nothing starts inside the chroot (deb-systemd-invoke already refuses without a running
# systemd; policy-rc.d is the image builders' convention on top).
printf '#!/bin/sh\nexit 101\n' >"$tree/usr/sbin/policy-rc.d"
chmod 0755 "$tree/usr/sbin/policy-rc.d"
cp "$deb" "$tree/tmp/perouter.deb"

t0=$(date +%s.%N)
log "updating the base and installing $(basename "$deb") with its dependencies from the mirror"
unshare --mount --propagation private sh -ec '
    tree=$1
    mount -t proc proc "$tree/proc"
    export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
    chroot "$tree" apt-get -q update
    chroot "$tree" apt-get -q upgrade -y
    chroot "$tree" apt-get -q install -y --no-install-recommends /tmp/perouter.deb
    chroot "$tree" apt-get clean
' sh "$tree" >"$out/apt.log" 2>&1 || { tail -20 "$out/apt.log" >&2; die "installing the package failed (log: $out/apt.log)"; }
rm -f "$tree/tmp/perouter.deb" "$tree/usr/sbin/policy-rc.d"
rm -rf "$tree"/var/lib/apt/lists/*
log "installed in $(stamp "$t0") s"

# The node's configuration, checked by the perouterd that will read it. --check-config changes
# nothing; it runs without a network namespace of the host all the same.
if [ -n "$config" ]; then
    install -m 0644 "$config" "$tree/etc/perouter/perouter.toml"
fi
if ! msg=$(unshare --net chroot "$tree" /usr/sbin/perouterd --check-config 2>&1); then
    printf '%s\n' "$msg" >&2
    die "the configuration does not pass perouterd --check-config"
fi

# FRR's default instance (frr.service, enabled by the frr package) would run zebra and friends
# in the host namespace; a perouter node runs its FRR as frr@perouter.service in the router
# namespace, started by perouterd.
systemctl --root="$tree" disable frr.service >/dev/null 2>&1 || true
# What the package enabled, stated here so a broken package shows up as a failed image build.
for u in perouterd.service perouterd-wait-online.service; do
    systemctl --root="$tree" is-enabled --quiet "$u" || die "$u is not enabled in the image"
done

# Host identity: a name, and no machine ID, so every machine booted from the image makes its
# own on first boot. No resolver of the build host.
echo "$hostname" >"$tree/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost ip6-loopback\n' "$hostname" >"$tree/etc/hosts"
: >"$tree/etc/machine-id"
rm -f "$tree/var/lib/dbus/machine-id"
: >"$tree/etc/resolv.conf"
printf 'LABEL=perouter-root / ext4 errors=remount-ro 0 1\n' >"$tree/etc/fstab"

for script in "${customize[@]}"; do
    log "customize: $script"
    "$script" "$tree"
done

t0=$(date +%s.%N)
cp "$(ls "$tree"/boot/vmlinuz-* | sort -V | tail -1)" "$out/vmlinuz"
"$REPO/dist/image/small-initrd.sh" "$tree" "$out/initrd.img" >"$out/initrd.log" 2>&1 ||
    { tail -20 "$out/initrd.log" >&2; die "making the initrd failed"; }
log "kernel and initrd in $(stamp "$t0") s"

chroot "$tree" dpkg-query -W -f '${Package} ${Version}\n' >"$out/packages"
if [ -z "$size" ]; then
    mib=$(($(du -sm "$tree" | cut -f1) + 512))
    [ $mib -ge 1536 ] || mib=1536
    size=${mib}M
fi
t0=$(date +%s.%N)
rm -f "$out/perouter.img"
mkfs.ext4 -q -F -L perouter-root -d "$tree" "$out/perouter.img" "$size" >&2
echo "console=ttyS0 root=LABEL=perouter-root rw rootfstype=ext4 quiet loglevel=3" >"$out/cmdline"
rm -rf "$tree"
log "image $out/perouter.img ($size, $(du -sm "$out/perouter.img" | cut -f1) MiB allocated) in $(stamp "$t0") s"
log "done in $(stamp "$t_all") s: $(cd "$out" && echo perouter.img vmlinuz initrd.img cmdline)"
echo "$out/perouter.img"
