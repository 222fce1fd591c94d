#!/bin/bash
# Make a bootable test image from the cached root filesystem and a build of the project.
#
#   tests/system/install-into.sh [--deb FILE] ROOTFS BUILD_DIR [IMAGE]
#
# IMAGE (default: IMAGE next to ROOTFS, i.e. /var/tmp/perouter-system/image) becomes a fresh copy
# of ROOTFS with:
#   * the project installed by `cmake --install BUILD_DIR` with DESTDIR=IMAGE, exactly as a package
#     would lay it out (binaries, units, frr@perouter drop-in, tmpfiles, bus policy, ...), and the
#     units enabled the way a package's postinst does it (`systemctl --root enable`, which
#     follows [Install], Also= included);
#     or, with --deb FILE, the Debian package itself installed with dpkg in a chroot: its own
#     maintainer scripts enable the units (BUILD_DIR is then not used and may be "-");
#   * the EVPN lab (tests/lab, examples, the D-Bus policy in dist/dbus), the lab's integration
#     tests (tests/integration/lab) and
#     the system tier (tests/system) under /opt/perouter-tests, laid out like the repository so
#     the lab finds its example configs;
#   * what a headless test boot needs: host name, an empty fstab, units that only cost boot
#     time masked, and perouter-test.target, which boots the basic system plus the test payload
#     (perouter-test.service) and powers off when the payload ends.
# The same image serves the nspawn tier (tests/system/nspawn) and the QEMU tier (tests/system/qemu, via
# `mkfs.ext4 -d IMAGE`). ROOTFS itself is never modified.
set -euo pipefail

die() { printf 'install-into: %s\n' "$*" >&2; exit 1; }

DEB=
if [ "${1:-}" = --deb ]; then
  [ $# -ge 2 ] && [ -f "$2" ] || die "--deb needs a .deb file"
  DEB=$(realpath "$2")
  shift 2
fi
[ $# -ge 2 ] || die "usage: $0 [--deb FILE] ROOTFS BUILD_DIR [IMAGE]"
ROOTFS=$(realpath "$1")
BUILD=$( [ -n "$DEB" ] && [ "$2" = - ] && echo - || realpath "$2")
IMAGE=${3:-$(dirname "$ROOTFS")/image}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PAYLOAD=/opt/perouter-tests

[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$ROOTFS/usr/bin/systemctl" ] || die "$ROOTFS is not a root filesystem (run tests/system/rootfs.sh)"
case $(realpath -m "$IMAGE") in
  / | "$ROOTFS" | "$REPO" | "$REPO"/*) die "refusing to use $IMAGE as the image directory" ;;
esac

if [ -z "$DEB" ]; then
  [ -f "$BUILD/CMakeCache.txt" ] || die "$BUILD is not a CMake build directory"
  # Installed like a package: dbus-daemon reads policies only below /usr/share and /etc, and the
  # units name the binaries by the prefix the build was configured with.
  prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
  [ "$prefix" = /usr ] ||
    die "$BUILD is configured with prefix '$prefix'; the system tier installs like a package: configure it with -DCMAKE_INSTALL_PREFIX=/usr"
fi

t0=$(date +%s.%N)
NEW=$IMAGE.new
rm -rf "$NEW"
cp -a "$ROOTFS" "$NEW"
t_copy=$(date +%s.%N)

if [ -n "$DEB" ]; then
  # The package's dependencies (frr, frr-pythontools, the libraries) are in the root filesystem
  # already; dpkg checks that. No systemd runs in the chroot, so the maintainer scripts enable
  # units without starting anything.
  cp "$DEB" "$NEW/tmp/perouter.deb"
  if ! chroot "$NEW" /usr/bin/env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/perouter.deb \
       >"$NEW.install.log" 2>&1; then
    cat "$NEW.install.log" >&2
    die "dpkg -i $DEB in the image failed"
  fi
  rm -f "$NEW/tmp/perouter.deb"
  printf 'install-into: installed %s with dpkg (%s files)\n' "$(basename "$DEB")" \
    "$(chroot "$NEW" dpkg -L "$(dpkg-deb -f "$DEB" Package)" | wc -l)"
  rm -f "$NEW.install.log"
else
  if ! DESTDIR="$NEW" cmake --install "$BUILD" >"$NEW.install.log" 2>&1; then
    cat "$NEW.install.log" >&2
    die "cmake --install $BUILD failed"
  fi
  printf 'install-into: installed %s files from %s (prefix %s)\n' \
    "$(grep -c -E '^-- (Installing|Up-to-date)' "$NEW.install.log")" "$BUILD" "$prefix"
  rm -f "$NEW.install.log"
  # As dh_installsystemd's postinst would: enable by [Install] (Also= brings wait-online).
  systemctl --root="$NEW" enable perouterd.service
fi
# The frr package enables FRR's default instance in the host namespace; a perouter node runs its
# FRR as frr@perouter.service in the router namespace instead, started by perouterd.
systemctl --root="$NEW" disable frr.service >/dev/null 2>&1 || true

# The lab and the payload, in the repository's layout.
mkdir -p "$NEW$PAYLOAD/tests/integration"
cp -a "$REPO/tests/lab" "$REPO/tests/system" "$NEW$PAYLOAD/tests/"
cp -a "$REPO/tests/integration/lab" "$NEW$PAYLOAD/tests/integration/"
cp -a "$REPO/examples" "$NEW$PAYLOAD/"
# The D-Bus policy perouter ships: the lab's private buses include it (tests/lab/lab_bus.py).
mkdir -p "$NEW$PAYLOAD/dist"
cp -a "$REPO/dist/dbus" "$NEW$PAYLOAD/dist/"
find "$NEW$PAYLOAD" -name __pycache__ -prune -exec rm -rf {} +

# A headless test machine.
echo perouter-system > "$NEW/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 perouter-system\n' > "$NEW/etc/hosts"
: > "$NEW/etc/fstab"
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
         fstrim.timer man-db.timer dpkg-db-backup.timer systemd-timesyncd.service \
         getty@tty1.service serial-getty@ttyS0.service console-getty.service \
         cron.service logrotate.timer systemd-tmpfiles-clean.timer modprobe@drm.service \
         systemd-networkd-wait-online.service; do
  ln -sf /dev/null "$NEW/etc/systemd/system/$u"
done
cat > "$NEW/etc/systemd/system/perouter-test.target" <<'UNIT'
# Boot target of the system tier: the basic system and the test payload. Not multi-user.target,
# so that the payload, not the boot, decides when perouterd starts (it is enabled all the same).
[Unit]
Description=perouter system tier
Requires=basic.target perouter-test.service
After=basic.target
AllowIsolate=yes
UNIT
cat > "$NEW/etc/systemd/system/perouter-test.service" <<UNIT
[Unit]
Description=perouter system tier payload
After=basic.target dbus.socket
Wants=dbus.socket

[Service]
Type=oneshot
Environment=PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
ExecStart=/usr/bin/python3 $PAYLOAD/tests/system/nspawn/payload.py
TimeoutStartSec=900
StandardOutput=journal+console
StandardError=journal+console
# The machine exists for the payload: when it is done (or failed), power off.
ExecStopPost=/bin/systemctl --no-block poweroff
UNIT

rm -rf "$IMAGE"
mv "$NEW" "$IMAGE"
awk -v a="$t0" -v c="$t_copy" -v b="$(date +%s.%N)" -v i="$IMAGE" \
  'BEGIN { printf "install-into: %s ready in %.1f s (copy of the root filesystem %.1f s)\n", i, b - a, c - a }'
