#!/bin/bash
# Package tier (label "package"): build the RPM with dist/package.sh --rpm and check it.
#
#   tests/packaging/check-rpm.sh BUILD_DIR OUT_DIR
#
# Same content as the Debian package (paths of an RPM distribution: units and presets in
# /usr/lib/systemd), the version of the CMake project, the dependencies, the config files, and
# scriptlets in which every systemd macro was expanded; then installed and erased by rpm in a
# copy of the system tier's Debian root (rpm-install-test.sh). Exits 77 (CTest: skipped) without
# rpmbuild (Debian package rpm).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$(realpath "$1")
OUT=$(realpath -m "$2")
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }

command -v rpmbuild >/dev/null || { echo "SKIP no rpmbuild (apt-get install rpm)"; exit 77; }

t0=$(date +%s)
if ! pkgs=$("$REPO/dist/package.sh" --rpm --no-deb --out "$OUT"); then
    fail "build" "dist/package.sh --rpm failed"
    exit 1
fi
rpm=$(tail -n 1 <<<"$pkgs")
pass "build $(basename "$rpm") ($(du -k "$rpm" | cut -f1) KiB, $(($(date +%s) - t0)) s)"
q() { rpm -qp --nosignature "$@" "$rpm" 2>/dev/null; }

project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
version=$(q --qf '%{VERSION}')
[ -n "$project_version" ] && [ "$version" = "$project_version" ] &&
    pass "version $version" || fail "version" "package $version, CMake project $project_version"

# Files (no directories), as the Debian list says them, moved to RPM paths.
# (/usr/lib/.build-id links are rpmbuild's, made on RPM distributions and by Debian's rpm.)
actual=$(q --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' |
    awk '$1 !~ /^d/ && $2 !~ /^\/usr\/lib\/\.build-id\// { print $2 }' | LC_ALL=C sort)
expected=$(sed -e 's|^\./|/|' -e 's|^/lib/systemd/|/usr/lib/systemd/|' \
    -e '\|^/usr/share/doc/perouter/|d' -e '\|^/usr/share/lintian/|d' "$HERE/deb-files.txt"
    printf '%s\n' /usr/lib/systemd/system-preset/80-perouter.preset \
        /usr/share/doc/perouter-"$version"/{README.md,perouter.toml,l2-only.toml,ipv6-underlay.toml})
# Man pages: compressed when the build host's rpm compresses them (Fedora), as they are otherwise.
actual=$(sed 's/\.gz$//' <<<"$actual" | LC_ALL=C sort)
expected=$(sed 's/\.gz$//' <<<"$expected" | LC_ALL=C sort)
if [ "$actual" = "$expected" ]; then
    pass "files ($(wc -l <<<"$actual") files)"
else
    fail "files" "$(diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | sed 's/^</missing/; s/^>/unexpected/' | tr '\n' ' ')"
fi

config=$(q -c | LC_ALL=C sort | tr '\n' ' ')
[ "$config" = "/etc/iproute2/rt_protos.d/perouter.conf /etc/perouter/perouter.toml " ] &&
    pass "config files: $config" || fail "config files" "$config"
flags=$(q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' | awk '$2 == "/etc/perouter/perouter.toml" { print $1 }')
[ "$flags" = cn ] && pass "perouter.toml is %config(noreplace)" || fail "perouter.toml is %config(noreplace)" "flags '$flags'"

requires=$(q --requires)
missing=()
for want in 'frr >= 8.4' iproute dbus 'libnl-3.so.200()(64bit)' 'libnl-route-3.so.200()(64bit)' \
    'libsystemd.so.0()(64bit)' 'libtomlplusplus.so.3()(64bit)' 'libyaml-cpp.so.0.7()(64bit)'; do
    grep -q -x -F "$want" <<<"$requires" || missing+=("$want")
done
[ ${#missing[@]} = 0 ] && pass "requires" || fail "requires" "missing: ${missing[*]}"

scripts=$(q --scripts)
missing=()
for want in 'systemctl --no-reload preset perouterd.service perouterd-wait-online.service' \
    'systemctl --no-reload disable --now perouterd.service perouterd-wait-online.service' \
    'systemctl try-restart perouterd.service' 'systemd-tmpfiles --create perouter.conf' \
    '/usr/sbin/perouterd --teardown'; do
    grep -q -F -- "$want" <<<"$scripts" || missing+=("$want")
done
[ ${#missing[@]} = 0 ] && pass "scriptlets" || fail "scriptlets" "missing: ${missing[*]}"
if grep -q -E '%[{a-z_]' <<<"$scripts"; then
    fail "scriptlets expanded" "$(grep -E '%[{a-z_]' <<<"$scripts" | tr '\n' ';')"
else
    pass "scriptlets expanded"
fi
# Each scriptlet parses.
bad=()
for s in postinstall preuninstall postuninstall; do
    body=$(q --qf "%{${s^^}}")
    [ "$body" = "(none)" ] && continue
    sh -n <<<"$body" 2>/dev/null || bad+=("$s")
done
[ ${#bad[@]} = 0 ] && pass "sh-n scriptlets" || fail "sh-n scriptlets" "${bad[*]}"

# --- install and erase with rpm itself, in a throwaway copy of a Debian root -----------------
. "$HERE/system-rootfs.sh"
ensure_system_rootfs || { fail "rootfs" "tests/system/rootfs.sh failed"; exit 1; }
T=$(mktemp -d /var/tmp/perouter-rpm-test.XXXXXX)
in_private_namespaces "$HERE/rpm-install-test.sh" "$ROOTFS_DIR/rootfs" "$rpm" "$T" || failed=1
rm -rf "$T"

exit $failed
