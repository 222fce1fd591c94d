#!/bin/bash
# Install and erase the RPM in a throwaway root: an overlay over ROOTFS (the system tier's Debian
# 12 root, which has perouter's libraries but no RPM database), so that rpm itself runs the
# scriptlets in a chroot as it would on an RPM system. Run by check-rpm.sh in private mount and
# network namespaces. --nodeps: the root's libraries are Debian packages rpm does not know.
#
#   rpm-install-test.sh ROOTFS RPM SCRATCH
set -uo pipefail

ROOTFS=$1
RPM=$2
S=$3
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }

. "$(dirname "$0")/system-rootfs.sh"
R=$(mount_overlay_root "$ROOTFS" "$S") || { fail "rpm overlay" "no throwaway root over $ROOTFS"; exit 1; }
rpm_root() { LC_ALL=C rpm --root "$R" --nosignature "$@"; }
in_root() { LC_ALL=C chroot "$R" "$@"; }
links() { ip -o link show | awk -F': ' '{ print $2 }' | grep -v '^lo$'; }

rpm_root --initdb
# --- install: %post enables through the preset (offline, as in an image build) ---------------
if out=$(rpm_root -i --nodeps "$RPM" 2>&1); then
    pass "rpm -i ($(basename "$RPM"))"
else
    fail "rpm -i" "$(tail -5 <<<"$out" | tr '\n' ' ')"
    exit 1
fi
for u in perouterd.service perouterd-wait-online.service; do
    st=$(systemctl --root="$R" is-enabled "$u" 2>&1)
    [ "$st" = enabled ] && pass "rpm: preset enabled $u" || fail "rpm: preset enabled $u" "$st"
done
ls "$R"/etc/systemd/system/*.wants/perouterd.service >/dev/null 2>&1 ||
    fail "rpm: preset enabled perouterd.service" "no .wants link"
# %tmpfiles_create acts only on a booted system; otherwise the boot's systemd-tmpfiles-setup
# reads the installed file, as this does.
if out=$(in_root systemd-tmpfiles --create perouter.conf 2>&1) && [ -d "$R/etc/perouter/perouter.d" ] &&
    [ -d "$R/run/perouter/perouter.d" ]; then
    pass "rpm: installed tmpfiles.d/perouter.conf creates the drop-in directories"
else
    fail "rpm: installed tmpfiles.d/perouter.conf creates the drop-in directories" "$out"
fi
if out=$(rpm_root -V --nodeps perouter 2>&1) && [ -z "$out" ]; then
    pass "rpm -V"
else
    fail "rpm -V" "$(tr '\n' ' ' <<<"$out")"
fi
if out=$(in_root /usr/sbin/perouterd --check-config 2>&1); then
    pass "rpm: installed perouterd reads the installed config"
else
    fail "rpm: installed perouterd reads the installed config" "$out"
fi
[ -z "$(links)" ] && pass "rpm -i: no link created" || fail "rpm -i: no link created" "$(links | tr '\n' ' ')"

# --- erase: %preun must recognise the chroot (no teardown), the files go, an edit stays -------
# Pretend a booted systemd and a router namespace inside the root.
echo '# edited on this node' >>"$R/etc/perouter/perouter.toml"
mkdir -p "$R/run/systemd/system" "$R/run/netns"
: >"$R/run/netns/perouter"
out=$(rpm_root -e perouter 2>&1)
rc=$?
if [ $rc = 0 ] && ! grep -q -i 'teardown\|removing the router' <<<"$out"; then
    pass "rpm -e (no teardown in a chroot)"
else
    fail "rpm -e (no teardown in a chroot)" "exit $rc: $(tr '\n' ' ' <<<"$out")"
fi
rm -rf "$R/run/systemd/system" "$R/run/netns/perouter"
[ ! -e "$R/usr/sbin/perouterd" ] && [ ! -e "$R/usr/lib/systemd/system/perouterd.service" ] &&
    [ -f "$R/etc/perouter/perouter.toml.rpmsave" ] &&
    pass "rpm -e deletes files, saves the edited config as .rpmsave" ||
    fail "rpm -e deletes files, saves the edited config as .rpmsave" "$(ls -d "$R"/usr/sbin/perouterd "$R"/etc/perouter/* 2>&1 | tr '\n' ' ')"
# Not checked here: that %preun disabled the units. With the booted-systemd marker in a chroot,
# `systemctl disable --now` asks a manager that is not there and the scriptlet's `|| :` goes on
# (a real system has the manager; the offline branch is the one the install above used).
[ -z "$(links)" ] && pass "rpm -e: no link touched" || fail "rpm -e: no link touched" "$(links | tr '\n' ' ')"
exit $failed
