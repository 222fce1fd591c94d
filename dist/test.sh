#!/bin/bash
# README command 2: every test this machine can run, from a fresh clone.
#   1. installs packages (with the package and system tiers' tools) and builds (dist/setup.sh),
#   2. unit tests under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. unit + integration tests (root: network namespaces, real FRR, the EVPN lab),
#   3b. the reliability suite: a clang build with libFuzzer (build-fuzz) runs each fuzz target
#      for PEROUTER_FUZZ_SECONDS (45 s) and replays its committed regressions, then every test
#      labelled "reliability" in the main build,
#   4. the package tier: the Debian package and the RPM built from this tree and checked, and
#      the image recipe (dist/image) built with that package and booted once under QEMU,
#   5. the system tier: systemd-nspawn (units, D-Bus, frr@perouter, wait-online), then the QEMU
#      VM with the stock Debian kernel (VRF): day 0 with a stand-in kubelet, the L3VNI tests,
#      runtime VPNs, faults, a reboot — one PASS/FAIL line per check,
#   6. the formatting check.
# The package and system stages run verbose: their output is the per-check PASS/FAIL list.
# Exits non-zero if anything fails. The package and system tiers must not skip here: a skipped
# test there means a missing tool, which is a failure of this script, not of the tier.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "dist/test.sh: run as root (integration tests create network namespaces)" >&2
    exit 1
fi

# Each stage's start, with the minutes since this script began (the whole run should stay under
# 60 minutes on a 2-core machine).
started=$SECONDS
stage() { printf '== %s (at %d:%02d)\n' "$1" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }

stage "setup: packages and the main build"
dist/setup.sh --test-tools
stage "setup: the sanitizer build"
dist/setup.sh --no-install --build-dir build-asan --sanitize

# ctest with its output kept, failing if any test of the stage was skipped.
no_skips() {
    local log rc=0
    log=$(mktemp)
    ctest "$@" 2>&1 | tee "$log" || rc=1
    if grep -q '[*][*][*]Skipped' "$log"; then
        echo "dist/test.sh: a test of this stage was skipped (see above); every tool it needs is installed by dist/setup.sh --test-tools" >&2
        rc=1
    fi
    rm -f "$log"
    return "$rc"
}

stage "unit tests (ASan + UBSan)"
ctest --test-dir build-asan -L unit --output-on-failure -j 2

stage "unit and integration tests"
# Two at a time: each lab test runs its own lab under its own namespace prefix; the tests that
# share fixed names are RUN_SERIAL (tests/integration/netlink).
ctest --test-dir build -L 'unit|integration' --output-on-failure -j 2

stage "reliability (libFuzzer targets, then the reliability label)"
dist/setup.sh --fuzz --no-install
# Two at a time: each fuzz target runs for a fixed time on one core.
ctest --test-dir build-fuzz -L fuzz --output-on-failure -j 2
# Verbose: every test prints its figures (pings lost, rounds, execs). Three at a time: the lab
# tests mostly wait on FRR and each runs its own lab under its own namespace prefix.
ctest --test-dir build -L reliability --verbose -j 3

stage "package tier (Debian package, RPM, image recipe booted under QEMU)"
no_skips --test-dir build -L package --verbose

stage "system tier (systemd-nspawn, then the QEMU VM)"
no_skips --test-dir build -L system --verbose

stage "clang-format"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
stage "all tests passed"
