#!/bin/bash
# Tier 1 checks of the packaging and image files that need no package build and no root:
#   static_test.sh SOURCE_DIR PEROUTERD
# The conffile example configures nothing and is a valid configuration once uncommented; the
# maintainer scripts and shell scripts parse; the Debian and RPM metadata say what the package
# must (dependencies, version source, conffile); the Butane snippet has Butane's structure and
# its configuration passes perouterd --check-config.
set -uo pipefail

SRC=$1
PEROUTERD=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=1; }

# A --root with only DIR/etc/perouter/perouter.toml.
config_root() {
    mkdir -p "$T/$1/etc/perouter"
    cat >"$T/$1/etc/perouter/perouter.toml"
    echo "$T/$1"
}

# --- the conffile -------------------------------------------------------------------------
conffile=$SRC/dist/packaging/perouter.toml
root=$(config_root shipped <"$conffile")
if out=$("$PEROUTERD" --root "$root" --check-config 2>&1); then
    pass "conffile-valid"
else
    fail "conffile-valid" "$out"
fi
if ! plan=$("$PEROUTERD" --root "$root" --show-plan 2>&1); then
    fail "conffile-configures-nothing" "perouterd --show-plan failed: $plan"
elif grep -q -E '^(router-id|underlay-nic|link |address |route )' <<<"$plan"; then
    fail "conffile-configures-nothing" "the plan of the shipped file has: $(grep -m3 -E '^(router-id|underlay-nic|link |address |route )' <<<"$plan" | tr '\n' ';')"
else
    pass "conffile-configures-nothing"
fi
# "#key" lines are settings, "# text" lines are prose: uncommenting the settings must give the
# configuration the comments describe, so the example cannot rot.
root=$(sed 's/^#\([^ #]\)/\1/' "$conffile" | config_root uncommented)
if out=$("$PEROUTERD" --root "$root" --check-config 2>&1); then
    plan=$("$PEROUTERD" --root "$root" --show-plan 2>&1)
    if grep -q '^router-id ' <<<"$plan" && grep -q '^link router vrf red' <<<"$plan" &&
        grep -q '^link host bridge br-hs-110' <<<"$plan"; then
        pass "conffile-uncommented-valid"
    else
        fail "conffile-uncommented-valid" "the plan lacks the underlay, VRF red or br-hs-110: $plan"
    fi
else
    fail "conffile-uncommented-valid" "$out"
fi

# --- scripts parse ------------------------------------------------------------------------
for f in "$SRC"/dist/packaging/debian/perouter.prerm "$SRC"/dist/packaging/debian/perouter.postrm; do
    if out=$(sh -n "$f" 2>&1); then pass "sh-n $(basename "$f")"; else fail "sh-n $(basename "$f")" "$out"; fi
done
for f in "$SRC"/dist/package.sh "$SRC"/dist/image/*.sh "$SRC"/tests/packaging/*.sh; do
    if out=$(bash -n "$f" 2>&1); then pass "bash-n ${f#"$SRC"/}"; else fail "bash-n ${f#"$SRC"/}" "$out"; fi
done

# --- Debian metadata ----------------------------------------------------------------------
control=$SRC/dist/packaging/debian/control
depends=$(awk '/^Package: perouter$/ { p = 1 } p && /^Depends:/ { d = 1 }
               d { print } d && !/,$/ && !/^Depends:/ { exit }' "$control" | tr -d '\n')
missing=()
for dep in 'frr (>= 8.4~)' frr-pythontools iproute2 'default-dbus-system-bus | dbus-system-bus' \
    '${shlibs:Depends}' '${misc:Depends}'; do
    grep -q -F "$dep" <<<"$depends" || missing+=("$dep")
done
if [ ${#missing[@]} = 0 ]; then pass "control-depends"; else fail "control-depends" "missing: ${missing[*]}"; fi
# Open vSwitch serves only host_master type "ovs-bridge": suggested, never required.
suggests=$(awk '/^Package: perouter$/ { p = 1 } p && /^Suggests:/ { s = 1 }
                s { print } s && !/,$/ { exit }' "$control" | tr -d '\n')
if grep -q openvswitch <<<"$depends"; then
    fail "control-ovs-optional" "openvswitch is in Depends"
elif grep -q -F openvswitch-switch <<<"$suggests"; then
    pass "control-ovs-optional"
else
    fail "control-ovs-optional" "openvswitch-switch not in Suggests: $suggests"
fi
[ -x "$SRC/dist/packaging/debian/rules" ] && pass "rules-executable" || fail "rules-executable" "debian/rules is not executable"
if [ -e "$SRC/dist/packaging/debian/changelog" ]; then
    fail "version-from-cmake" "a committed debian/changelog would fix the version; dist/package.sh writes it"
else
    pass "version-from-cmake"
fi

# --- RPM metadata -------------------------------------------------------------------------
spec=$SRC/dist/packaging/rpm/perouter.spec
missing=()
for want in '^Version: *%{perouter_version}$' '^Requires: *frr >= 8.4$' '^Requires: *iproute$' \
    '^%systemd_post perouterd.service perouterd-wait-online.service$' '^%systemd_preun ' \
    '^%systemd_postun_with_restart perouterd.service$' \
    '^%config\(noreplace\) %{_sysconfdir}/perouter/perouter.toml$'; do
    grep -q -E "$want" "$spec" || missing+=("$want")
done
if [ ${#missing[@]} = 0 ]; then pass "spec-content"; else fail "spec-content" "no line matching: ${missing[*]}"; fi
if grep -q -E '^Requires:.*openvswitch' "$spec"; then
    fail "spec-ovs-optional" "openvswitch is required"
elif grep -q -E '^Suggests: *openvswitch$' "$spec"; then
    pass "spec-ovs-optional"
else
    fail "spec-ovs-optional" "no Suggests: openvswitch"
fi

# --- Butane -------------------------------------------------------------------------------
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    echo "SKIP butane: no /usr/bin/python3 with yaml (Debian package python3-yaml)"
else
    if out=$(/usr/bin/python3 - "$SRC/dist/image/perouter.bu" "$T/butane.toml" <<'PY' 2>&1
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc.get("variant") == "fcos" and str(doc.get("version", "")).startswith("1."), "variant/version"
files = {f["path"]: f for f in doc["storage"]["files"]}
f = files["/etc/perouter/perouter.toml"]
assert f.get("mode") == 0o644, f"mode {f.get('mode')!r} is not 0644"
inline = f["contents"]["inline"]
units = {u["name"]: u for u in doc["systemd"]["units"]}
for name in ("perouterd.service", "perouterd-wait-online.service"):
    assert units.get(name, {}).get("enabled") is True, f"{name} not enabled"
    assert "contents" not in units[name], f"{name} must come from the package, not Ignition"
open(sys.argv[2], "w").write(inline)
PY
    ); then
        pass "butane-structure"
        root=$(config_root butane <"$T/butane.toml")
        if out=$("$PEROUTERD" --root "$root" --check-config 2>&1); then
            pass "butane-config-valid"
        else
            fail "butane-config-valid" "$out"
        fi
    else
        fail "butane-structure" "$(tail -1 <<<"$out")"
    fi
fi

exit $failed
