#!/bin/bash
# Package tier (label "package"): build the Debian package with dist/package.sh and check it.
#
#   tests/packaging/check-deb.sh BUILD_DIR OUT_DIR
#
# BUILD_DIR is the CMake build the test belongs to (its CMakeCache.txt holds the project
# version); OUT_DIR receives the package (rebuilt only when the source tree changed). Checks:
# the file list, the conffiles, the version, the dependencies (every shared library the
# binaries need is covered by Depends), lintian, the maintainer scripts, and an install into a
# throwaway copy of the system tier's Debian 12 root filesystem (tests/packaging/install-test.sh):
# units enabled, nothing started, local conffile edits kept, purge removes everything.
# Needs root, dpkg-dev, debhelper and lintian; exits 77 (CTest: skipped) without them.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$(realpath "$1")
OUT=$(realpath -m "$2")
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }
skip() { printf 'SKIP %s\n' "$*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (dpkg in a chroot)"
for tool in dpkg-buildpackage lintian readelf; do
    command -v "$tool" >/dev/null || skip "no $tool (apt-get install dpkg-dev debhelper lintian binutils)"
done
[ -e /usr/share/perl5/Debian/Debhelper/Buildsystem/cmake.pm ] || skip "no debhelper"

T=$(mktemp -d /var/tmp/perouter-pkg-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

t0=$(date +%s)
if ! pkgs=$("$REPO/dist/package.sh" --out "$OUT"); then
    fail "build" "dist/package.sh failed"
    exit 1
fi
deb=$(tail -n 1 <<<"$pkgs")
pass "build $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB, $(($(date +%s) - t0)) s)"

# --- contents -----------------------------------------------------------------------------
actual=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | LC_ALL=C sort)
expected=$(LC_ALL=C sort "$HERE/deb-files.txt")
if [ "$actual" = "$expected" ]; then
    pass "files ($(wc -l <<<"$actual") files)"
else
    fail "files" "$(diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | sed 's/^</missing/; s/^>/unexpected/' | tr '\n' ' ')"
fi
bad_modes=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {
    want = ($6 ~ /^\.\/usr\/s?bin\//) ? "-rwxr-xr-x" : "-rw-r--r--"
    if ($1 != want || $2 != "root/root") print $6 " " $1 " " $2 }')
[ -z "$bad_modes" ] && pass "modes-and-owners" || fail "modes-and-owners" "$bad_modes"

mkdir -p "$T/control"
dpkg-deb -e "$deb" "$T/control"
if [ "$(LC_ALL=C sort "$T/control/conffiles")" = "$(LC_ALL=C sort "$HERE/deb-conffiles.txt")" ]; then
    pass "conffiles ($(tr '\n' ' ' <"$T/control/conffiles"))"
else
    fail "conffiles" "control/conffiles is: $(tr '\n' ' ' <"$T/control/conffiles")"
fi
mkdir -p "$T/data"
dpkg-deb -x "$deb" "$T/data"
if cmp -s "$T/data/etc/perouter/perouter.toml" "$REPO/dist/packaging/perouter.toml"; then
    pass "conffile-content"
else
    fail "conffile-content" "/etc/perouter/perouter.toml is not dist/packaging/perouter.toml"
fi
# The units name the binaries where the package puts them.
if grep -q '^ExecStart=/usr/sbin/perouterd$' "$T/data/lib/systemd/system/perouterd.service" &&
    grep -q '^ExecStart=/usr/bin/perouterctl wait-online' "$T/data/lib/systemd/system/perouterd-wait-online.service"; then
    pass "unit-paths"
else
    fail "unit-paths" "ExecStart= does not name /usr/sbin/perouterd or /usr/bin/perouterctl"
fi

# --- control fields -----------------------------------------------------------------------
project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
version=$(dpkg-deb -f "$deb" Version)
[ -n "$project_version" ] && [ "$version" = "$project_version" ] &&
    pass "version $version" || fail "version" "package $version, CMake project $project_version"

depends=$(dpkg-deb -f "$deb" Depends)
missing=()
for dep in 'frr (>= 8.4~)' frr-pythontools iproute2 'default-dbus-system-bus | dbus-system-bus'; do
    grep -q -F "$dep" <<<"$depends" || missing+=("$dep")
done
[ ${#missing[@]} = 0 ] && pass "depends-runtime" || fail "depends-runtime" "missing ${missing[*]} in: $depends"
# The DHCP client of a macvlan underlay with dhcp = true (perouter-dhcp@.service runs it).
recommends=$(dpkg-deb -f "$deb" Recommends)
[[ " ${recommends//,/ } " == *" dhcpcd-base "* ]] && pass "recommends dhcpcd-base" ||
    fail "recommends" "no dhcpcd-base in: $recommends"
# Every library a binary links is in Depends, by its package name or a name it provides.
dep_names=" $(tr ',|' '\n\n' <<<"$depends" | awk '{ print $1 }' | tr '\n' ' ') "
uncovered=()
for so in $(readelf -d "$T/data/usr/sbin/perouterd" "$T/data/usr/bin/perouterctl" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
    path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|x86_64|amd64/ { print $NF; exit }')
    # dpkg knows a file by the path its package ships, which merged /usr may hide.
    pkg=
    if [ -n "$path" ]; then
        real=$(realpath "$path")
        for p in "$path" "$real" "${real#/usr}" "/usr$real"; do
            pkg=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
        done
    fi
    [ -n "$pkg" ] || { uncovered+=("$so(no package)"); continue; }
    names="$pkg $(dpkg-query -W -f '${Provides}' "$pkg" 2>/dev/null | tr ',' '\n' | awk '{ print $1 }' | tr '\n' ' ')"
    ok=0
    for n in $names; do [[ $dep_names == *" $n "* ]] && ok=1; done
    [ $ok = 1 ] || uncovered+=("$so($pkg)")
done
[ ${#uncovered[@]} = 0 ] && pass "depends-shlibs" || fail "depends-shlibs" "not in Depends: ${uncovered[*]}"

# --- lintian ------------------------------------------------------------------------------
# Errors and warnings fail; info and pedantic tags are reported. The two overridden tags are
# explained in dist/packaging/debian/perouter.lintian-overrides.
tags=$(lintian --pedantic --display-info "$deb" 2>&1 | grep -v 'running with root privileges')
if grep -q -E '^[EW]: ' <<<"$tags"; then
    fail "lintian" "$(grep -E '^[EW]: ' <<<"$tags" | tr '\n' ';')"
else
    pass "lintian (no errors or warnings${tags:+; other tags: $(tr '\n' ';' <<<"$tags")})"
fi

# --- maintainer scripts -------------------------------------------------------------------
for s in preinst postinst prerm postrm; do
    [ -f "$T/control/$s" ] || continue
    if out=$(sh -n "$T/control/$s" 2>&1); then pass "sh-n $s"; else fail "sh-n $s" "$out"; fi
done
# Started on a live system: perouterd only. wait-online would block until the underlay is up.
starts=$(grep 'deb-systemd-invoke' "$T/control/postinst" | grep -v -E '^\s*#')
if grep -q "perouterd.service" <<<"$starts" && ! grep -q "wait-online" <<<"$starts"; then
    pass "postinst-starts-only-perouterd"
else
    fail "postinst-starts-only-perouterd" "$starts"
fi
enables=$(grep -c -E "deb-systemd-helper enable '(perouterd|perouterd-wait-online)\.service'" "$T/control/postinst")
[ "$enables" = 2 ] && pass "postinst-enables-both" || fail "postinst-enables-both" "$enables enable lines"

# --- install, reinstall, remove, purge in a throwaway root filesystem -------------------------
. "$HERE/system-rootfs.sh"
ensure_system_rootfs || { fail "rootfs" "tests/system/rootfs.sh failed"; exit 1; }
in_private_namespaces "$HERE/install-test.sh" "$ROOTFS_DIR/rootfs" "$deb" "$T/overlay" || failed=1

exit $failed
