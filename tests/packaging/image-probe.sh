#!/bin/bash
# A --customize hook for dist/image/build-image.sh (used by check-image.sh only): adds a unit
# that runs once the boot is done, prints PROBE: PASS/FAIL lines on the serial console about
# how the package came up at boot, and powers the machine off.
#
#   image-probe.sh TREE
set -euo pipefail
T=$1

cat >"$T/usr/local/sbin/perouter-image-probe" <<'PROBE'
#!/bin/bash
# Runs at the end of the boot; the image was built with a known /etc/perouter/perouter.toml.
exec >/dev/console 2>&1
chk() {
    local name=$1
    shift
    if out=$("$@" 2>&1); then echo "PROBE: PASS $name"; else echo "PROBE: FAIL $name :: $(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}
echo "PROBE: START kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
chk pid1-systemd test "$(cat /proc/1/comm)" = systemd
chk perouterd-enabled systemctl is-enabled perouterd.service
chk wait-online-enabled systemctl is-enabled perouterd-wait-online.service
chk perouterd-active systemctl is-active perouterd.service
chk config-from-build grep -q -x '# image-test: written by build-image.sh --config' /etc/perouter/perouter.toml
chk status-unconfigured sh -c 'perouterctl status | tee /dev/stderr | grep -q -i unconfigured'
chk bus-name busctl status org.openperouter.Router1
chk frr-default-instance-off sh -c '! systemctl is-active --quiet frr.service'
chk tmpfiles-dropin-dir test -d /etc/perouter/perouter.d
chk machine-id-generated test -s /etc/machine-id
chk no-failed-units sh -c 'test -z "$(systemctl --failed --no-legend --plain)" || { systemctl --failed --no-legend --plain; false; }'
# Seconds since the kernel started (the boot is not finished while this runs, so no
# systemd-analyze yet).
secs() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }
active() { secs "$(systemctl show -p ActiveEnterTimestampMonotonic --value "$1")"; }
echo "PROBE: TIMES systemd=$(secs "$(systemctl show -p UserspaceTimestampMonotonic --value)")" \
    "perouterd-active=$(active perouterd.service) multi-user=$(active multi-user.target)"
echo "PROBE: END"
PROBE
chmod 0755 "$T/usr/local/sbin/perouter-image-probe"

cat >"$T/etc/systemd/system/perouter-image-probe.service" <<'UNIT'
[Unit]
Description=perouter image probe (test only)
After=multi-user.target perouterd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/perouter-image-probe
ExecStopPost=/bin/systemctl --no-block poweroff
[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$T/etc/systemd/system/multi-user.target.wants"
ln -sf ../perouter-image-probe.service "$T/etc/systemd/system/multi-user.target.wants/perouter-image-probe.service"
