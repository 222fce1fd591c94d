#!/bin/bash
# Installs everything perouter needs from Debian 12 packages and builds it.
#   dist/setup.sh [--build-dir DIR] [--sanitize] [--no-install] [--test-tools]
# --test-tools also installs what the package and system tiers need (package builds, lintian,
# rpmbuild, debootstrap, systemd-nspawn, QEMU); dist/test.sh passes it, the lab does not.
# Idempotent: packages already present are kept, an existing build directory is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
sanitize=OFF
install=1
test_tools=0
while [ $# -gt 0 ]; do
    case "$1" in
        --build-dir) build_dir=$2; shift 2 ;;
        --sanitize) sanitize=ON; shift ;;
        --no-install) install=0; shift ;;
        --test-tools) test_tools=1; shift ;;
        *) echo "usage: $0 [--build-dir DIR] [--sanitize] [--no-install] [--test-tools]" >&2; exit 2 ;;
    esac
done

# Build tools and libraries, then what the router and the tests run: FRR (+ frr-reload.py from
# frr-pythontools), iproute2, ping, tcpdump for debugging, clang-format for the style check.
packages=(
    cmake g++ make pkg-config
    libnl-3-dev libnl-route-3-dev libsystemd-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
    libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
    frr frr-pythontools iproute2 iputils-ping tcpdump python3 clang-format
    dbus-daemon dbus-bin systemd groff-base man-db
)
if [ "$test_tools" = 1 ]; then
    packages+=(
        dpkg-dev debhelper lintian binutils fakeroot rpm
        debootstrap systemd-container e2fsprogs qemu-system-x86 qemu-utils
    )
fi

if [ "$install" = 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "dist/setup.sh: run as root (it installs packages with apt-get)" >&2
        exit 1
    fi
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "dist/setup.sh: installing ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
fi

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr -DPEROUTER_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
