#!/bin/bash
# Installs everything perouter needs from Debian 12 packages and builds it.
#   dist/setup.sh [--build-dir DIR] [--sanitize] [--no-install] [--test-tools] [--fuzz]
# --test-tools also installs what the package and system tiers need (package builds, lintian,
# rpmbuild, debootstrap, systemd-nspawn, QEMU, clang with libFuzzer) and the benchmark
# tests/bench/run.py (iperf3, gnuplot); dist/test.sh passes it,
# the lab does not.
# --fuzz installs clang and libFuzzer and builds only the libFuzzer targets
# (tests/reliability/fuzz) with clang, ASan and UBSan, in their own directory (default build-fuzz).
# Idempotent: packages already present are kept, an existing build directory is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=
sanitize=OFF
fuzz=0
install=1
test_tools=0
while [ $# -gt 0 ]; do
    case "$1" in
        --build-dir) build_dir=$2; shift 2 ;;
        --sanitize) sanitize=ON; shift ;;
        --no-install) install=0; shift ;;
        --test-tools) test_tools=1; shift ;;
        --fuzz) fuzz=1; shift ;;
        *) echo "usage: $0 [--build-dir DIR] [--sanitize] [--no-install] [--test-tools] [--fuzz]" >&2; exit 2 ;;
    esac
done
if [ -z "$build_dir" ]; then
    if [ "$fuzz" = 1 ]; then build_dir=build-fuzz; else build_dir=build; fi
fi

# Build tools and libraries, then what the router and the tests run: FRR (+ frr-reload.py from
# frr-pythontools), iproute2, ping, tcpdump for debugging, clang-format for the style check,
# dhcpcd for a macvlan underlay with dhcp = true (the lab runs dnsmasq-base as the fabric's DHCP
# server), Open vSwitch for host_master type "ovs-bridge" (the lab test runs its own ovsdb-server and
# ovs-vswitchd, never the system's service).
packages=(
    cmake g++ make pkg-config
    libnl-3-dev libnl-route-3-dev libsystemd-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
    libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
    frr frr-pythontools iproute2 iputils-ping tcpdump python3 clang-format dhcpcd-base dnsmasq-base
    openvswitch-switch openvswitch-common
    dbus-daemon dbus-bin systemd groff-base man-db
)
if [ "$test_tools" = 1 ]; then
    packages+=(
        dpkg-dev debhelper lintian binutils fakeroot rpm
        debootstrap systemd-container e2fsprogs qemu-system-x86 qemu-utils
        iperf3 gnuplot-nox
    )
fi
if [ "$test_tools" = 1 ] || [ "$fuzz" = 1 ]; then
    # clang 14 and its runtime libraries (libFuzzer, ASan, UBSan).
    packages+=(clang libclang-rt-14-dev)
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

if [ "$fuzz" = 1 ]; then
    # A configure of its own: clang, no GoogleTest suites, only what the fuzz targets link.
    # -O1 -g, as libFuzzer's documentation builds its targets: fast enough to run, and the
    # instrumented build takes far less time than at -O2.
    CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
        -DPEROUTER_FUZZ=ON -DPEROUTER_BUILD_TESTS=OFF >/dev/null
    cmake --build "$build_dir" --target fuzz -j "$(nproc)"
    exit 0
fi

# The sanitizer build keeps CMake's default prefix (/usr/local), so the unit label also checks
# the standard `cmake -S . -B build` flow (units.verify renders the units for that prefix). It is
# a Debug build (-O0, assertions on): with ASan + UBSan, g++ 12 at -O2 takes about 2.8 times as
# long to compile as without them and -O0 under half of that, the largest share of a CI run.
options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr)
[ "$sanitize" = ON ] && options=(-DCMAKE_BUILD_TYPE=Debug)
cmake -S . -B "$build_dir" "${options[@]}" -DPEROUTER_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
