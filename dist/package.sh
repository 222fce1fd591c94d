#!/bin/bash
# Build the perouter packages from this source tree.
#
#   dist/package.sh [--out DIR] [--rpm] [--no-deb] [--check] [--force] [--jobs N]
#
#   --out DIR   where the packages go (default: build-packages in the repository, git-ignored)
#   --rpm       also build the RPM (dist/packaging/rpm/perouter.spec) with rpmbuild
#   --no-deb    skip the Debian package (with --rpm: only the RPM)
#   --check     run the unit tests (ctest -L unit) inside the package build
#   --force     rebuild even if DIR already holds packages of exactly this source tree
#   --jobs N    parallel compile jobs (default 2)
#
# The source tree is what git tracks plus untracked files git does not ignore, so a clean
# checkout builds exactly its commit, and a working tree builds with its local changes. It is
# copied to a scratch directory ($PEROUTER_PKG_WORK, default /var/tmp/perouter-pkg/work) where
# dist/packaging/debian becomes debian/; the version is the project VERSION of CMakeLists.txt.
#
# Output (stdout): one package path per line, the .deb last, so that
#   deb=$(dist/package.sh --out DIR | tail -n 1)
# works for CI and the QEMU tier. Progress and errors go to stderr; build logs to the work dir.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
out=$REPO/build-packages
rpm=0
deb=1
check=0
force=0
jobs=2
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --rpm) rpm=1; shift ;;
        --no-deb) deb=0; shift ;;
        --check) check=1; shift ;;
        --force) force=1; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--out DIR] [--rpm] [--no-deb] [--check] [--force] [--jobs N]" >&2; exit 2 ;;
    esac
done
[ $deb = 1 ] || [ $rpm = 1 ] || { echo "package.sh: nothing to build (--no-deb without --rpm)" >&2; exit 2; }

log() { printf 'package.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }

need=()
if [ $deb = 1 ]; then
    command -v dpkg-buildpackage >/dev/null || need+=(dpkg-dev)
    [ -e /usr/share/perl5/Debian/Debhelper/Buildsystem/cmake.pm ] || need+=(debhelper)
fi
[ $rpm = 0 ] || command -v rpmbuild >/dev/null || need+=(rpm)
[ ${#need[@]} = 0 ] || die "missing build tools; install them with: apt-get install ${need[*]}"

version=$(sed -n 's/^project(perouter VERSION \([0-9][0-9.]*\).*/\1/p' "$REPO/CMakeLists.txt")
[ -n "$version" ] || die "no 'project(perouter VERSION x.y.z' line in $REPO/CMakeLists.txt"
maintainer=$(sed -n 's/^Maintainer: //p' "$REPO/dist/packaging/debian/control")

WORK=${PEROUTER_PKG_WORK:-/var/tmp/perouter-pkg/work}
mkdir -p "$WORK" "$out"
out=$(cd "$out" && pwd)
exec 9>"$WORK/.lock"
flock 9 # the work directory is shared by every build on this machine

# The source tree, as a list of files.
src=$WORK/src/perouter-$version
rm -rf "$WORK/src"
mkdir -p "$src"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git -C "$REPO" rev-parse --short=12 HEAD)
    date_epoch=$(git -C "$REPO" log -1 --format=%ct HEAD)
    git -C "$REPO" ls-files -z --cached --others --exclude-standard |
        (cd "$REPO" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
        tar -C "$REPO" --null -T - -cf - | tar -C "$src" -xf -
    dirty=$(git -C "$REPO" status --porcelain --untracked-files=normal | head -c1)
else
    commit=unknown
    date_epoch=$(date +%s)
    tar -C "$REPO" --exclude='./build*' --exclude=.git -cf - . | tar -C "$src" -xf -
    dirty=x
fi
origin="git $commit${dirty:+ with local changes}"

# Same sources, same options, packages already there: nothing to do (the QEMU tier calls this
# before every run, and a build takes minutes on two cores). The tests are part of the build
# only with --check; the image recipe never is.
skip_in_key=(-path ./dist/image)
[ $check = 1 ] || skip_in_key+=(-o -path ./tests)
key=$( (cd "$src" && find . \( "${skip_in_key[@]}" \) -prune -o -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum
        echo "deb=$deb rpm=$rpm check=$check") | sha256sum | cut -c1-16)
debfile=$out/perouter_${version}_$(dpkg --print-architecture 2>/dev/null || echo amd64).deb
if [ $force = 0 ] && [ -f "$out/.source-key" ] && [ "$(cat "$out/.source-key")" = "$key" ]; then
    ok=1
    while read -r f; do [ -f "$f" ] || ok=0; done < "$out/.packages"
    if [ $ok = 1 ]; then
        log "packages of this source tree ($origin) are up to date in $out"
        cat "$out/.packages"
        exit 0
    fi
fi
rm -f "$out/.source-key" "$out/.packages"
packages=()

if [ $rpm = 1 ]; then
    t0=$(date +%s.%N)
    top=$WORK/rpm
    rm -rf "$top"
    mkdir -p "$top/SOURCES"
    tar -C "$WORK/src" --sort=name --mtime="@$date_epoch" --owner=0 --group=0 --numeric-owner \
        -czf "$top/SOURCES/perouter-$version.tar.gz" "perouter-$version"
    args=(--define "_topdir $top" --define "perouter_version $version" --define "_smp_mflags -j$jobs")
    # A Debian host: no systemd RPM macros and no RPM database with the build dependencies
    # (they are installed as .debs), and no debugedit for -debuginfo packages.
    if [ -z "$(rpm --eval '%{?systemd_post:1}')" ]; then
        args+=(--load "$REPO/dist/packaging/rpm/macros.systemd-fallback")
    fi
    if ! rpm -q rpm >/dev/null 2>&1; then
        args+=(--nodeps --define "debug_package %{nil}")
    fi
    log "rpmbuild perouter $version ($origin); log: $WORK/rpmbuild.log"
    if ! rpmbuild -bb "${args[@]}" "$REPO/dist/packaging/rpm/perouter.spec" >"$WORK/rpmbuild.log" 2>&1; then
        tail -30 "$WORK/rpmbuild.log" >&2
        die "rpmbuild failed (log: $WORK/rpmbuild.log)"
    fi
    for f in "$top"/RPMS/*/perouter-"$version"-*.rpm; do
        cp "$f" "$out/"
        packages+=("$out/$(basename "$f")")
    done
    log "built ${packages[*]} in $(elapsed "$t0") s"
fi

if [ $deb = 1 ]; then
    t0=$(date +%s.%N)
    cp -a "$src/dist/packaging/debian" "$src/debian"
    # RFC 5322 date of the source's last commit: debhelper derives SOURCE_DATE_EPOCH from it.
    {
        printf 'perouter (%s) unstable; urgency=medium\n\n' "$version"
        printf '  * Built from %s.\n\n' "$origin"
        printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -R -u -d "@$date_epoch")"
    } >"$src/debian/changelog"
    opts="parallel=$jobs"
    [ $check = 1 ] || opts="$opts nocheck"
    log "dpkg-buildpackage perouter $version ($origin, DEB_BUILD_OPTIONS='$opts'); log: $WORK/dpkg-buildpackage.log"
    rm -f "$WORK"/src/perouter*_"$version"_*
    if ! (cd "$src" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -b -us -uc) \
        >"$WORK/dpkg-buildpackage.log" 2>&1; then
        tail -30 "$WORK/dpkg-buildpackage.log" >&2
        die "dpkg-buildpackage failed (log: $WORK/dpkg-buildpackage.log)"
    fi
    for f in "$WORK"/src/perouter-dbgsym_"$version"_*.deb "$WORK"/src/perouter_"$version"_*.deb; do
        [ -f "$f" ] || continue
        cp "$f" "$out/"
        packages+=("$out/$(basename "$f")")
    done
    [ -f "$debfile" ] || die "dpkg-buildpackage made no $debfile"
    log "built $debfile ($(du -k "$debfile" | cut -f1) KiB) in $(elapsed "$t0") s"
fi

printf '%s\n' "${packages[@]}" >"$out/.packages"
printf '%s' "$key" >"$out/.source-key"
printf '%s\n' "${packages[@]}"
