#!/bin/bash
# Install, reinstall, remove and purge the package in a throwaway root: an overlay over ROOTFS,
# so ROOTFS itself is never changed. Run by check-deb.sh in private mount and network namespaces.
#
#   install-test.sh ROOTFS DEB SCRATCH
set -uo pipefail

ROOTFS=$1
DEB=$2
S=$3
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }

. "$(dirname "$0")/system-rootfs.sh"
R=$(mount_overlay_root "$ROOTFS" "$S") || { fail "overlay" "no throwaway root over $ROOTFS"; exit 1; }
cp "$DEB" "$R/tmp/perouter.deb"
in_root() { DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$R" "$@"; }

# Processes running a binary of this root; none may exist after any step.
ours() {
    local p exe
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case "$exe" in "$R"/*) echo "${p#/proc/} $exe" ;; esac
    done
}
nothing_started() {
    local procs links
    procs=$(ours)
    links=$(ip -o link show | awk -F': ' '{ print $2 }' | grep -v '^lo$')
    if [ -z "$procs" ] && [ -z "$links" ] && [ ! -e "$R/run/netns/perouter" ]; then
        pass "$1: nothing started"
    else
        fail "$1: nothing started" "processes: ${procs:-none}; links: ${links:-none}; /run/netns/perouter: $(ls "$R/run/netns/perouter" 2>&1)"
    fi
}
wants() { echo "$R/etc/systemd/system/$1.wants/$2"; }

# --- install ------------------------------------------------------------------------------
t0=$(date +%s.%N)
# apt resolves the Depends against what the root has; it has no network here, so a dependency
# the system tier's root filesystem lacks fails the install (and names the package).
if out=$(in_root apt-get install -y --no-install-recommends /tmp/perouter.deb 2>&1); then
    pass "apt-get install ./perouter.deb ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
else
    fail "apt-get install ./perouter.deb" "$(tail -5 <<<"$out" | tr '\n' ' ')"
    exit 1
fi
status=$(in_root dpkg-query -W -f '${Status}' perouter)
[ "$status" = "install ok installed" ] && pass "dpkg status" || fail "dpkg status" "$status"

link=$(readlink "$(wants multi-user.target perouterd.service)")
[ "$link" = /lib/systemd/system/perouterd.service ] &&
    pass "enabled perouterd.service" || fail "enabled perouterd.service" "multi-user.target.wants link: '${link}'"
link=$(readlink "$(wants network-online.target perouterd-wait-online.service)")
[ "$link" = /lib/systemd/system/perouterd-wait-online.service ] &&
    pass "enabled perouterd-wait-online.service" || fail "enabled perouterd-wait-online.service" "network-online.target.wants link: '${link}'"
for u in perouterd.service perouterd-wait-online.service; do
    st=$(systemctl --root="$R" is-enabled "$u" 2>&1)
    [ "$st" = enabled ] && pass "systemctl is-enabled $u" || fail "systemctl is-enabled $u" "$st"
done
nothing_started install
if out=$(in_root dpkg --verify perouter 2>&1) && [ -z "$out" ]; then
    pass "dpkg --verify"
else
    fail "dpkg --verify" "$out"
fi
# The shipped conffile configures nothing, as the installed perouterd reads it.
# --show-plan must succeed: a crash prints no plan either, so its exit status counts.
if out=$(in_root /usr/sbin/perouterd --check-config 2>&1) &&
    plan=$(in_root /usr/sbin/perouterd --show-plan 2>&1) &&
    ! grep -q -E '^(router-id|underlay-nic|link )' <<<"$plan"; then
    pass "installed conffile is valid and configures nothing"
else
    fail "installed conffile is valid and configures nothing" "$out ${plan:-}"
fi
# The D-Bus policy and polkit action are where the bus and polkit read them.
[ -f "$R/usr/share/dbus-1/system.d/org.openperouter.Router1.conf" ] &&
    [ -f "$R/usr/share/polkit-1/actions/org.openperouter.Router1.policy" ] &&
    pass "bus policy and polkit action installed" || fail "bus policy and polkit action installed" "missing"

# --- reinstall keeps a local edit of the conffile -------------------------------------------
echo '# edited on this node' >>"$R/etc/perouter/perouter.toml"
if out=$(in_root dpkg -i /tmp/perouter.deb 2>&1) &&
    tail -1 "$R/etc/perouter/perouter.toml" | grep -q '^# edited on this node$'; then
    pass "reinstall keeps the edited conffile"
else
    fail "reinstall keeps the edited conffile" "$(tail -3 <<<"$out" | tr '\n' ' ')"
fi
nothing_started reinstall

# --- remove -------------------------------------------------------------------------------
# Pretend a booted systemd and a router namespace inside the root: the prerm's teardown must
# still recognise the chroot and leave the network alone.
mkdir -p "$R/run/systemd/system" "$R/run/netns"
: >"$R/run/netns/perouter"
out=$(in_root apt-get remove -y perouter 2>&1)
rc=$?
if [ $rc = 0 ] && ! grep -q 'removing the router' <<<"$out"; then
    pass "remove (no teardown in a chroot)"
else
    fail "remove (no teardown in a chroot)" "exit $rc: $(grep -i -E 'router|error' <<<"$out" | tr '\n' ' ')"
fi
rm -rf "$R/run/systemd/system" "$R/run/netns/perouter"
[ ! -e "$R/usr/sbin/perouterd" ] && [ ! -e "$R/lib/systemd/system/perouterd.service" ] &&
    [ -f "$R/etc/perouter/perouter.toml" ] &&
    pass "remove deletes files, keeps the conffile" || fail "remove deletes files, keeps the conffile" "$(ls -d "$R"/usr/sbin/perouterd "$R"/etc/perouter/perouter.toml 2>&1 | tr '\n' ' ')"
nothing_started remove

# --- purge --------------------------------------------------------------------------------
# What perouterd would have written: a VPN persisted over D-Bus and its FRR instance files.
mkdir -p "$R/etc/perouter/perouter.d" "$R/etc/frr/perouter"
echo '[[l2vni]]' >"$R/etc/perouter/perouter.d/50-blue.toml"
echo '! perouterd' >"$R/etc/frr/perouter/frr.conf"
if out=$(in_root apt-get purge -y perouter 2>&1); then
    pass "purge"
else
    fail "purge" "$(tail -3 <<<"$out" | tr '\n' ' ')"
fi
left=()
for p in /etc/perouter /etc/frr/perouter "$(wants multi-user.target perouterd.service)" \
    "$(wants network-online.target perouterd-wait-online.service)" \
    /var/lib/systemd/deb-systemd-helper-enabled/perouterd.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/perouterd-wait-online.service.dsh-also; do
    p=${p#"$R"}
    [ -e "$R$p" ] || [ -L "$R$p" ] && left+=("$p")
done
[ -d "$R/etc/frr" ] || left+=("(/etc/frr of the frr package is gone)")
[ ${#left[@]} = 0 ] && pass "purge removes config, state and enablement" ||
    fail "purge removes config, state and enablement" "left: ${left[*]}"
status=$(in_root dpkg-query -W -f '${Status}' perouter 2>/dev/null)
if [ -z "$status" ] || [ "${status%not-installed}" != "$status" ]; then
    pass "dpkg forgot the package"
else
    fail "dpkg forgot the package" "$status"
fi
nothing_started purge

umount "$R/proc"
umount "$R"
exit $failed
