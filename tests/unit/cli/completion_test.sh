#!/bin/bash
# Sources the bash completion for perouterctl and checks what it offers for a few command
# lines. COMP_WORDS is split the way readline does it (whitespace, and "=" / ":" as words of
# their own, per the default COMP_WORDBREAKS). A shell function stands in for perouterctl so
# VPN names come without a daemon.
#   completion_test.sh PATH/TO/dist/completion/perouterctl
set -u
completion=${1:?usage: $0 COMPLETION_FILE}
# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The completion runs it in a command substitution (a subshell): record calls in a file.
calls=$scratch/calls
perouterctl() {
    printf '%s\n' "$*" >>"$calls"
    printf '%s\n' red red-web storage
}
# Stands in for Open vSwitch's client: the bridges of its database.
ovs-vsctl() {
    [[ $* == '--timeout=1 list-br' ]] && printf '%s\n' br-ext br-int
}
mkdir -p "$scratch/files/confdir"
touch "$scratch/files/50-blue.toml" "$scratch/files/60-green.toml"
mkdir "$scratch/files/sub" && touch "$scratch/files/sub/my site.toml"

# Sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT for LINE with the cursor at its end.
comp_split() {
    local line=$1 word='' c i
    COMP_WORDS=()
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        case $c in
            ' ')
                [[ -n $word ]] && COMP_WORDS+=("$word")
                word=''
                ;;
            '=' | ':')
                if [[ -n $word && $word != [=:]* ]]; then
                    COMP_WORDS+=("$word")
                    word=''
                fi
                word+=$c
                ;;
            *)
                if [[ $word == [=:]* ]]; then
                    COMP_WORDS+=("$word")
                    word=''
                fi
                word+=$c
                ;;
        esac
    done
    COMP_WORDS+=("$word")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
}

failures=0
# expect LINE WORDS: the sorted completions of LINE must be exactly WORDS.
expect() {
    local line=$1 want=$2 got
    comp_split "$line"
    COMPREPLY=()
    _perouterctl
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ')
    got=${got% }
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$line'"
        echo "  want: $want"
        echo "  got:  $got"
        failures=$((failures + 1))
    else
        echo "ok: '$line' -> $got"
    fi
}

# expect_has LINE WORD...: each WORD must be among the completions.
expect_has() {
    local line=$1 w
    shift
    comp_split "$line"
    COMPREPLY=()
    _perouterctl
    for w in "$@"; do
        if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w"; then
            echo "FAIL: '$line' does not offer $w (got: ${COMPREPLY[*]})"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok: '$line' offers $*"
}

[[ $(complete -p perouterctl) == *"-F _perouterctl perouterctl"* ]] ||
    { echo "FAIL: completion not registered"; failures=$((failures + 1)); }

expect 'perouterctl ' 'cat-config diff import reload show-config status validate vpn wait-online'
expect 'perouterctl s' 'show-config status'
expect 'perouterctl --no-legend st' 'status'
expect 'perouterctl --root /tmp/r c' 'cat-config'
expect 'perouterctl vpn ' 'add list remove show'
expect 'perouterctl vpn r' 'remove'
expect 'perouterctl --j' '--json'
expect 'perouterctl --json=' 'pretty short'
expect 'perouterctl --json=s' 'short'
expect 'perouterctl status --no' '--no-ask-password --no-legend'
expect 'perouterctl vpn list --na' '--names'
expect 'perouterctl diff --n' '--netns --no-ask-password --no-legend'
expect 'perouterctl wait-online --t' '--timeout'
expect 'perouterctl validate --st' '--standalone'
expect 'perouterctl import --o' '--output'
expect 'perouterctl vpn add blue --l' '--l2vni --l3vni --l3vpn --local-cidr'
expect_has 'perouterctl vpn add blue --' --persist --print --vni --vrf --gateway-ip \
    --host-bridge --ovs-bridge --routing-domain --default-gateway --asn --host-asn --json --bus-address
expect 'perouterctl vpn add blue --l2vni --host-bridge m' 'managed'
expect 'perouterctl vpn add blue --l2vni --ovs-bridge ' 'br-ext br-int managed'
expect 'perouterctl vpn add blue --l2vni --ovs-bridge br-i' 'br-int'
expect 'perouterctl vpn add blue --l2vni --vni ' ''
expect 'perouterctl status --json=short --no' '--no-ask-password --no-legend'

# VPN names from the daemon, for show and remove (once), not for add's new NAME.
: >"$calls"
expect 'perouterctl vpn show ' 'red red-web storage'
expect 'perouterctl vpn remove red' 'red red-web'
expect 'perouterctl vpn remove red ' ''
expect 'perouterctl vpn add ' ''
[[ $(cat "$calls") == $'--no-ask-password vpn list --names\n--no-ask-password vpn list --names' ]] ||
    { echo "FAIL: unexpected calls: $(cat "$calls")"; failures=$((failures + 1)); }

# --bus-address is passed along, even though bash splits its value at ":" and "=".
: >"$calls"
expect 'perouterctl --bus-address unix:path=/run/x/bus vpn show s' 'storage'
[[ $(cat "$calls") == '--no-ask-password --bus-address unix:path=/run/x/bus vpn list --names' ]] ||
    { echo "FAIL: bus address not passed: $(cat "$calls")"; failures=$((failures + 1)); }
expect 'perouterctl --bus-address=unix:path=/run/x/bus vpn ' 'add list remove show'

# Files and directories.
cd "$scratch/files" || exit 1
expect 'perouterctl validate ' '50-blue.toml 60-green.toml confdir sub'
expect 'perouterctl validate 50-blue.toml 6' '60-green.toml'
expect 'perouterctl validate sub/m' 'sub/my site.toml'
expect 'perouterctl vpn add blue 5' '50-blue.toml'
expect 'perouterctl import 6' '60-green.toml'
expect 'perouterctl import -o 5' '50-blue.toml'
expect 'perouterctl import --output 60-green.toml 5' '50-blue.toml'
expect 'perouterctl --root c' 'confdir'
expect 'perouterctl --root ' 'confdir sub'

if ((failures > 0)); then
    echo "$failures completion check(s) failed"
    exit 1
fi
echo "all completion checks passed"
