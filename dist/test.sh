#!/bin/bash
# README command 2: every test this machine can run, from a fresh clone.
#   1. installs packages and builds (dist/setup.sh),
#   2. unit tests under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. unit + integration tests (root: network namespaces, real FRR, the EVPN lab),
#   4. the system tier: the project installed into a Debian 12 root filesystem and booted with
#      systemd as PID 1 in systemd-nspawn (units, D-Bus, frr@perouter, wait-online),
#   5. the formatting check.
# Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "dist/test.sh: run as root (integration tests create network namespaces)" >&2
    exit 1
fi

dist/setup.sh
dist/setup.sh --no-install --build-dir build-asan --sanitize

echo "== unit tests (ASan + UBSan)"
ctest --test-dir build-asan -L unit --output-on-failure -j 2

echo "== unit and integration tests"
ctest --test-dir build -LE system --output-on-failure

echo "== system tier (systemd-nspawn)"
ctest --test-dir build -L system --output-on-failure

echo "== clang-format"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
echo "all tests passed"
