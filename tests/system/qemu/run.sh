#!/bin/bash
# The QEMU system tier: boot the installed project with systemd as PID 1 on the stock Debian kernel
# (which has VRF) and check day 0, the integration tests that need VRF (L3VNI, prefix filters on an
# L3VNI's host session, silent workload behind an L2VNI gateway), runtime VPNs, faults and a reboot.
#
#   tests/system/qemu/run.sh BUILD_DIR [OUT_DIR]
#
# 1. tests/system/rootfs.sh        Debian 12 root filesystem, cached in $PEROUTER_SYSTEM_DIR
#                                  (default /var/tmp/perouter-system, shared with the nspawn tier)
# 2. the project into a copy of it  with the Debian package when there is one: $PEROUTER_DEB (a
#                                  .deb built earlier), else `dist/package.sh --out
#                                  $PEROUTER_DEB_DIR` (default $PEROUTER_QEMU_DIR/deb; package.sh
#                                  reuses packages of the same source tree there); without
#                                  dist/package.sh or when it fails, `cmake --install BUILD_DIR`
#                                  (tests/system/install-into.sh either way). PEROUTER_QEMU_INSTALL=
#                                  deb|cmake forces one (deb then fails instead of falling back)
# 3. the VM's own files            day-0 /etc/perouter/perouter.toml, the fabric unit, the
#                                  stand-in kubelet.service, NIC names, the payload unit, the
#                                  netlink integration test binary from BUILD_DIR
# 4. a small initrd (cached) and an ext4 image of the tree (mkfs.ext4 -d), in $PEROUTER_QEMU_DIR
#                                  (default /var/tmp/perouter-qemu)
# 5. boot 1 and boot 2 of the same disk under QEMU/TCG (-M microvm), each wrapped in `timeout`;
#    two virtio NICs on one QEMU hub are the cable between the node's `toswitch` and the leaf.
# Each boot's payload (qemu/payload.py) writes its results as a tar archive onto a raw second
# disk. Printed here: one `PASS <check>: ...` / `FAIL <check>: ...` line per check and TIME lines.
# Exits 1 on any FAIL, if a boot does not report END, or if QEMU times out. Needs root.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SYSTEM=$(dirname "$HERE")
REPO=$(cd "$SYSTEM/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
BUILD=$(realpath "$1")
W=${PEROUTER_SYSTEM_DIR:-/var/tmp/perouter-system}
Q=${PEROUTER_QEMU_DIR:-/var/tmp/perouter-qemu}
OUT=${2:-$Q/out}
BOOT_TIMEOUT=${PEROUTER_QEMU_TIMEOUT:-1500}
SILENT_LIMIT=${PEROUTER_QEMU_SILENT_LIMIT:-420}
IMAGE=$Q/image
DISK=$Q/root.img
LABEL=perouterroot

[ "$(id -u)" = 0 ] || { echo "qemu tier: needs root" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf 'qemu tier: %s\n' "$*" >&2; }

mkdir -p "$Q"
exec 8>"$Q/.qemu.lock"
flock 8   # one run at a time: the image, the disk and the output directory are shared

t_all=$(now)
export DEBIAN_FRONTEND=noninteractive
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  log "installing host tools: ${need[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2 &&
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >&2 ||
    { echo "FAIL host-tools: apt-get install ${need[*]} failed"; exit 1; }
fi

"$SYSTEM/rootfs.sh" "$W" || { echo "FAIL rootfs: tests/system/rootfs.sh failed"; exit 1; }
t_rootfs=$(now)

# --- 2. the project ------------------------------------------------------------------------------
mode=${PEROUTER_QEMU_INSTALL:-auto}
deb=
DEB_DIR=${PEROUTER_DEB_DIR:-$Q/deb}
if [ "$mode" != cmake ] && [ -n "${PEROUTER_DEB:-}" ]; then
  [ -f "$PEROUTER_DEB" ] || { echo "FAIL package: PEROUTER_DEB=$PEROUTER_DEB does not exist"; exit 1; }
  deb=$(realpath "$PEROUTER_DEB")
elif [ "$mode" != cmake ] && [ -x "$REPO/dist/package.sh" ]; then
  # stdout: one package path per line, the .deb last; progress and errors on stderr.
  if "$REPO/dist/package.sh" --out "$DEB_DIR" >"$Q/package.out" 2>"$Q/package.log"; then
    deb=$(tail -n 1 "$Q/package.out")
    case $deb in *.deb) [ -f "$deb" ] || deb= ;; *) deb= ;; esac
  fi
  if [ -z "$deb" ]; then
    [ "$mode" = deb ] && { echo "FAIL package: dist/package.sh --out $DEB_DIR gave no .deb (see $Q/package.log)"; exit 1; }
    log "dist/package.sh did not produce a .deb (see $Q/package.log); installing with cmake --install"
  fi
elif [ "$mode" = deb ]; then
  echo "FAIL package: PEROUTER_QEMU_INSTALL=deb but dist/package.sh does not exist"; exit 1
fi
if [ -n "$deb" ]; then
  how="Debian package $(basename "$deb")"
  "$SYSTEM/install-into.sh" --deb "$deb" "$W/rootfs" - "$IMAGE" ||
    { echo "FAIL install: install-into.sh --deb $deb failed"; exit 1; }
else
  how="cmake --install $BUILD"
  "$SYSTEM/install-into.sh" "$W/rootfs" "$BUILD" "$IMAGE" ||
    { echo "FAIL install: tests/system/install-into.sh failed"; exit 1; }
fi
t_install=$(now)
[ -n "$deb" ] && t_package_note=" (package build included)" || t_package_note=

# --- 3. what this VM adds ------------------------------------------------------------------------
NETLINK_TEST=$BUILD/tests/integration/netlink/netlink_integration_test
[ -x "$NETLINK_TEST" ] || { echo "FAIL install: $NETLINK_TEST is missing (build the tests)"; exit 1; }
vm_files() {
  install -D -m 0755 "$NETLINK_TEST" "$IMAGE/opt/perouter-tests/bin/netlink_integration_test" &&
  # Day 0: the image carries the node's configuration, as an image builder would drop it.
  install -D -m 0644 "$HERE/perouter.toml" "$IMAGE/etc/perouter/perouter.toml" &&
  install -D -m 0644 -t "$IMAGE/etc/systemd/network" "$HERE"/10-perouter-qemu-*.link &&
  install -m 0644 -t "$IMAGE/etc/systemd/system" "$HERE/perouter-lab-fabric.service" \
    "$HERE/kubelet.service" "$HERE/perouter-qemu-test.service" "$HERE/perouter-qemu.target" &&
  systemctl --root="$IMAGE" enable perouter-lab-fabric.service kubelet.service 2>/dev/null || return 1
  # Fewer units between the kernel and the payload; none of them matters to a test VM.
  for u in systemd-journal-flush.service systemd-update-utmp.service \
           systemd-update-utmp-runlevel.service systemd-random-seed.service systemd-pstore.service \
           systemd-binfmt.service sys-kernel-debug.mount sys-kernel-tracing.mount \
           dev-hugepages.mount dev-mqueue.mount; do
    ln -sf /dev/null "$IMAGE/etc/systemd/system/$u" || return 1
  done
  echo perouter-qemu > "$IMAGE/etc/hostname" &&
  printf '127.0.0.1 localhost\n127.0.1.1 perouter-qemu\n' > "$IMAGE/etc/hosts"
}
vm_files || { echo "FAIL install: adding the VM's files to $IMAGE failed"; exit 1; }

# --- 4. initrd and disk --------------------------------------------------------------------------
KVER=$(ls "$IMAGE/lib/modules" | sort -V | tail -n 1)
mkdir -p "$Q/boot"
stamp="$KVER $(cat "$W/rootfs.packages")"
if [ ! -f "$Q/boot/initrd.img" ] || [ "$(cat "$Q/boot/stamp" 2>/dev/null)" != "$stamp" ]; then
  # Only what finds the root disk (virtio-mmio block, ext4); the rest loads from the disk.
  rm -rf "$IMAGE/tmp/ird-conf"
  cp -a "$IMAGE/etc/initramfs-tools" "$IMAGE/tmp/ird-conf"
  sed -i -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' "$IMAGE/tmp/ird-conf/initramfs.conf"
  printf '%s\n' virtio_mmio virtio_blk ext4 crc32c_generic > "$IMAGE/tmp/ird-conf/modules"
  if ! chroot "$IMAGE" mkinitramfs -d /tmp/ird-conf -o /tmp/initrd.img "$KVER" >"$Q/initrd.log" 2>&1; then
    cat "$Q/initrd.log" >&2; echo "FAIL initrd: mkinitramfs failed"; exit 1
  fi
  mv "$IMAGE/tmp/initrd.img" "$Q/boot/initrd.img"
  cp "$IMAGE/boot/vmlinuz-$KVER" "$Q/boot/vmlinuz"
  printf '%s' "$stamp" > "$Q/boot/stamp"
fi
rm -rf "$IMAGE/tmp/ird-conf" "$IMAGE/tmp/initrd.img"
rm -f "$DISK"
mkfs.ext4 -q -F -L "$LABEL" -d "$IMAGE" "$DISK" 2560M ||
  { echo "FAIL image: mkfs.ext4 -d $IMAGE failed"; exit 1; }
t_image=$(now)

# --- 5. two boots of the same disk ---------------------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT"
fail=0
boot() {  # boot N: writes $OUT/bootN/{console.log,results.txt,...}; returns QEMU's exit status
  local n=$1 dir=$OUT/boot$1 rc
  mkdir -p "$dir"
  truncate -s 64M "$dir/results.img"
  timeout --kill-after=10 "$BOOT_TIMEOUT" qemu-system-x86_64 \
    -M microvm,x-option-roms=off,rtc=on,isa-serial=on -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
    -nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot \
    -kernel "$Q/boot/vmlinuz" -initrd "$Q/boot/initrd.img" \
    -append "console=ttyS0 root=LABEL=$LABEL rw rootfstype=ext4 panic=-1 quiet loglevel=3 mitigations=off $TSC systemd.unit=perouter-qemu.target systemd.show_status=false perouter.boot=$n$EXTRA" \
    -drive id=root,file="$DISK",if=none,format=raw -device virtio-blk-device,drive=root \
    -drive id=res,file="$dir/results.img",if=none,format=raw -device virtio-blk-device,drive=res \
    -netdev hubport,id=toswitch,hubid=0 -device virtio-net-device,netdev=toswitch,mac=52:54:00:00:11:03 \
    -netdev hubport,id=fabric0,hubid=0 -device virtio-net-device,netdev=fabric0,mac=52:54:00:00:11:02 \
    </dev/null >"$dir/console.log" 2>&1 &
  local qemu=$! last_size=-1 quiet=0 size
  # A guest whose console says nothing for SILENT_LIMIT s is wedged as a whole: the payload
  # prints a STALL line every 150 s while a check runs (system_checks.py). Stopped then rather
  # than at the boot timeout.
  while kill -0 "$qemu" 2>/dev/null; do
    sleep 5
    size=$(stat -c %s "$dir/console.log" 2>/dev/null || echo 0)
    if [ "$size" -ne "$last_size" ]; then last_size=$size; quiet=0; else quiet=$((quiet + 5)); fi
    if [ "$quiet" -ge "$SILENT_LIMIT" ]; then
      echo "SILENT boot$n: the guest's console said nothing for $quiet s; QEMU stopped" >>"$dir/silent.txt"
      pkill -TERM -P "$qemu" 2>/dev/null
      kill -TERM "$qemu" 2>/dev/null
      break
    fi
  done
  wait "$qemu"
  rc=$?
  [ -f "$dir/silent.txt" ] && rc=124
  tar -C "$dir" -xf "$dir/results.img" 2>/dev/null
  return $rc
}
# microvm has no HPET or ACPI PM timer: the kernel calibrates the TSC against the PIT, which fails
# under TCG on a busy host, and then hangs right after "Marking TSC unstable" (seen here at load 5).
# Under TCG the guest's TSC is the host's, so its frequency is known: tell the kernel, and that the
# TSC is reliable (otherwise it falls back to the jiffies clocksource, 4 ms resolution).
TSC=
khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
[ -n "$khz" ] && [ "$khz" -gt 0 ] && TSC="tsc_early_khz=$khz tsc=reliable"
# PEROUTER_QEMU_BLUE_ROUNDS=N: a stress run, not the tier: boot 1 only adds and removes the L3VNI
# blue N times (payload.py blue_rounds), and there is no boot 2 or 3.
EXTRA= BOOTS="1 2 3"
if [ -n "${PEROUTER_QEMU_BLUE_ROUNDS:-}" ]; then
  EXTRA=" perouter.blue_rounds=$PEROUTER_QEMU_BLUE_ROUNDS" BOOTS=1
fi
# PEROUTER_QEMU_LAB=test_NAME: not the tier either: boot 1 runs day 0, then only that file of
# tests/integration/lab (payload.py lab_only), for working on a test that needs VRF.
if [ -n "${PEROUTER_QEMU_LAB:-}" ]; then
  EXTRA=" perouter.lab=$PEROUTER_QEMU_LAB" BOOTS=1
fi
declare -A t_boot
for n in $BOOTS; do
  t0=$(now)
  boot $n
  rc=$?
  t_boot[$n]=$(secs "$t0" "$(now)")
  results=$OUT/boot$n/results.txt
  if [ ! -f "$results" ]; then
    # No results disk: what the payload printed on the console is all there is.
    sed -n 's/^.*PEROUTER: \(\(START\|PASS\|FAIL\|TIME\|END\|REBUILDS\|STALL\) .*\)$/\1/p' "$OUT/boot$n/console.log" > "$results"
  fi
  grep -E '^(START|PASS|FAIL|END|REBUILDS)' "$results"
  if ! grep -q '^END ' "$results"; then
    { echo "boot$n: last console lines:"
      tail -n 15 "$OUT/boot$n/console.log" | cut -c1-400 | sed 's/^/    /'; } >>"$OUT/why.txt"
  fi
  grep -E '^(FAIL|STALL) ' "$results" | cut -c1-1500 >>"$OUT/why.txt"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    why="no poweroff within $BOOT_TIMEOUT s (killed)"
    [ -f "$OUT/boot$n/silent.txt" ] && why=$(cat "$OUT/boot$n/silent.txt")
    echo "FAIL boot$n-qemu: $why; console: $OUT/boot$n/console.log" | tee -a "$OUT/why.txt"
    fail=1
  fi
  if ! grep -q '^END ' "$results"; then
    echo "FAIL boot$n-payload: boot $n never reported END (QEMU exit $rc)" | tee -a "$OUT/why.txt"
    fail=1
    break
  fi
  grep -q '^FAIL ' "$results" && fail=1
done
grep -h '^TIME ' "$OUT"/boot*/results.txt 2>/dev/null > "$OUT/timings.txt"
t_end=$(now)

echo "---- unit timestamps (seconds since the kernel started; also in $OUT/timings.txt)"
sed 's/^TIME /    /' "$OUT/timings.txt"
echo "---- installed with: $how"
echo "---- timings: rootfs $(secs "$t_all" "$t_rootfs") s (cached unless rebuilt), install" \
     "$(secs "$t_rootfs" "$t_install") s${t_package_note}, VM files + initrd + image $(secs "$t_install" "$t_image") s," \
     "boot 1 ${t_boot[1]:-?} s, boot 2 ${t_boot[2]:-?} s, boot 3 ${t_boot[3]:-?} s, total $(secs "$t_all" "$t_end") s"
echo "---- results, consoles, journals and unit status in $OUT/boot1, boot2 and boot3"
if [ $fail -ne 0 ]; then
  # Last, so that the tail of a CI log shows it: what failed, where a check stalled, and the
  # console's last lines when a boot never ended.
  echo "---- why it failed (also in $OUT/why.txt)"
  cat "$OUT/why.txt" 2>/dev/null
  echo "qemu system tier: FAILED"
  exit 1
fi
echo "qemu system tier: all checks passed"
