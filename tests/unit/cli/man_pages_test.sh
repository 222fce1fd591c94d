#!/bin/bash
# Renders every man page in DIR with groff (all warnings on) and, when man-db is installed,
# with `man --warnings -l`; any diagnostic fails, and so does a line wider than 80 columns.
# Also checks that each page's .TH names the page and section its file name says.
# Needs groff-base (and optionally man-db).
#   man_pages_test.sh PATH/TO/dist/man
set -u
dir=${1:?usage: $0 MAN_DIR}
pages=(perouterd.8 perouterctl.8 perouter.toml.5 perouter-dbus.7)

if ! command -v groff >/dev/null; then
    echo "FAIL: groff is not installed (Debian package groff-base)"
    exit 1
fi

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

for page in "${pages[@]}"; do
    file=$dir/$page
    if [[ ! -f $file ]]; then
        fail "$page: missing"
        continue
    fi
    name=${page%.*}
    section=${page##*.}
    th=$(grep -m1 '^\.TH ' "$file")
    upper=$(tr '[:lower:]' '[:upper:]' <<<"$name")
    [[ $th == ".TH \"$upper\" \"$section\""* ]] || fail "$page: .TH is '$th'"

    out=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 -K utf-8 "$file" 2>&1)
    [[ -z $out ]] || fail "$page: groff says:"$'\n'"$out"

    if command -v man >/dev/null; then
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$file" 2>&1 >/dev/null)
        [[ -z $out ]] || fail "$page: man --warnings says:"$'\n'"$out"
    fi
    # Lines longer than the terminal mean an unbreakable word or an example that overflows.
    long=$(LC_ALL=C.UTF-8 groff -man -Tascii -rLL=80n "$file" 2>/dev/null |
        sed 's/.\x08//g' | awk 'length($0) > 80')
    [[ -z $long ]] || fail "$page: lines wider than 80 columns:"$'\n'"$long"
    [[ $failures -eq 0 ]] && echo "ok: $page"
done

if ((failures > 0)); then
    echo "$failures man page check(s) failed"
    exit 1
fi
echo "all man pages render cleanly"
