#!/bin/bash
# Package tier (label "package"): build the image of dist/image/build-image.sh with the Debian
# package and a node configuration, boot it once under QEMU (TCG, -M microvm) and check from
# inside (tests/packaging/image-probe.sh) that the package came up at boot as installed:
# perouterd active from its unit with the configuration given to the recipe, wait-online
# enabled, FRR's default instance off, no failed unit.
#
#   tests/packaging/check-image.sh OUT_DIR
#
# OUT_DIR/deb holds the package (shared with check-deb.sh), OUT_DIR/image the image. The
# debootstrap base is cached in /var/tmp/perouter-image (about 5 minutes the first time).
# Needs root, the Debian mirror and qemu-system-x86_64; exits 77 (skipped) without them.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$(realpath -m "$1")
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" = 0 ] || { echo "SKIP needs root (debootstrap, chroot)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP no qemu-system-x86_64 (apt-get install qemu-system-x86)"; exit 77; }

t0=$(date +%s.%N)
deb=$("$REPO/dist/package.sh" --out "$OUT/deb" | tail -n 1) || { fail "package" "dist/package.sh failed"; exit 1; }
pass "package $(basename "$deb") ($(since "$t0") s)"

mkdir -p "$OUT/image"
config=$OUT/image-test.toml
{ cat "$REPO/dist/packaging/perouter.toml"; echo '# image-test: written by build-image.sh --config'; } >"$config"
t0=$(date +%s.%N)
if ! "$REPO/dist/image/build-image.sh" --out "$OUT/image" --deb "$deb" --config "$config" \
    --customize "$HERE/image-probe.sh" >"$OUT/build-image.log" 2>&1; then
    tail -20 "$OUT/build-image.log"
    fail "build-image" "dist/image/build-image.sh failed (log: $OUT/build-image.log)"
    exit 1
fi
pass "build-image ($(since "$t0") s; image $(du -m --apparent-size "$OUT/image/perouter.img" | cut -f1) MiB, $(du -m "$OUT/image/perouter.img" | cut -f1) MiB allocated; initrd $(du -k "$OUT/image/initrd.img" | cut -f1) KiB)"

# A rejected configuration fails the build, before any image is made.
bad=$OUT/bad.toml
printf '[underlay]\nasn = "not a number"\n' >"$bad"
if "$REPO/dist/image/build-image.sh" --out "$OUT/image-bad" --deb "$deb" --config "$bad" >"$OUT/build-image-bad.log" 2>&1; then
    fail "build-image rejects a bad --config" "it succeeded"
elif grep -q 'perouterd --check-config' "$OUT/build-image-bad.log" && [ ! -e "$OUT/image-bad/perouter.img" ]; then
    pass "build-image rejects a bad --config"
else
    fail "build-image rejects a bad --config" "$(tail -3 "$OUT/build-image-bad.log" | tr '\n' ' ')"
fi
rm -rf "$OUT/image-bad"

# Boot once. snapshot=on keeps the image pristine; -no-reboot ends QEMU at the probe's poweroff.
# microvm has no HPET or ACPI PM timer, and calibrating the TSC against the PIT fails under TCG on
# a busy host (the kernel then hangs after "Marking TSC unstable"); under TCG the guest's TSC
# runs at the host's frequency, so say it (the QEMU tier, tests/system/qemu/run.sh, does the same).
tsc=
khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
[ -n "$khz" ] && [ "$khz" -gt 0 ] && tsc="tsc_early_khz=$khz tsc=reliable"
t0=$(date +%s.%N)
timeout "${PEROUTER_QEMU_TIMEOUT:-600}" qemu-system-x86_64 \
    -M microvm,x-option-roms=off,rtc=on,isa-serial=on -accel tcg,thread=multi -cpu max -smp 2 -m 1536 \
    -nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot -nic none \
    -kernel "$OUT/image/vmlinuz" -initrd "$OUT/image/initrd.img" \
    -append "$(cat "$OUT/image/cmdline") panic=-1 $tsc" \
    -drive id=root,file="$OUT/image/perouter.img",if=none,format=raw,snapshot=on \
    -device virtio-blk-device,drive=root </dev/null >"$OUT/console.log" 2>&1
rc=$?
boot=$(since "$t0")
if ! grep -q 'PROBE: END' "$OUT/console.log"; then
    tail -30 "$OUT/console.log"
    fail "boot" "no PROBE: END on the console (qemu exit $rc after $boot s; log: $OUT/console.log)"
    exit 1
fi
pass "boot (QEMU TCG microvm, boot to poweroff $boot s)"
grep -a 'PROBE: ' "$OUT/console.log" | sed 's/\r$//' | while IFS= read -r line; do echo "  $line"; done
grep -a -q 'PROBE: FAIL' "$OUT/console.log" && fail "probe" "$(grep -a -c 'PROBE: FAIL' "$OUT/console.log") probe checks failed"
[ "$(grep -a -c 'PROBE: PASS' "$OUT/console.log")" -ge 11 ] && pass "probe checks" || fail "probe checks" "fewer than 11 PASS lines"
exit $failed
