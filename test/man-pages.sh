#!/usr/bin/env bash
# The man pages (docs/man/*.scd): each renders with scdoc, groff finds nothing to warn about
# (-ww) and no line is wider than an 80-column terminal; each tool's --help names its page; and the
# pages state what the code does (test/tools/man-pages.py: the config keys with their values and
# defaults, the stages, reason codes, boot report fields, command-line words and options, read from
# the source), which its --selftest shows can fail.
# Usage: test/man-pages.sh BUILD   (needs BUILD/verinit-measure and BUILD/verinit-check-config)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: test/man-pages.sh BUILD}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "man-pages: FAIL $*"; }
for t in scdoc groff; do
	command -v "$t" >/dev/null || { echo "man-pages: $t not found (third_party/host-packages.sh installs it)"; exit 1; }
done

for src in "$here"/docs/man/*.scd; do
	page=$(basename "$src" .scd) # name.N
	name=${page%.*} sec=${page##*.}
	if ! scdoc <"$src" >"$w/$page" 2>"$w/err"; then
		fail "$page: scdoc: $(cat "$w/err")"
		continue
	fi
	pass
	warnings=$(groff -t -man -Tutf8 -ww -z "$w/$page" 2>&1)
	[ -z "$warnings" ] && pass || fail "$page: groff -ww: $warnings"
	# What man shows in 80 columns (man-db's line length there: 78n).
	wide=$(groff -t -man -Tascii -rLL=78n -P-bou "$w/$page" 2>/dev/null | awk 'length > 80' | head -n 3)
	[ -z "$wide" ] && pass || fail "$page: lines wider than 80 columns: $wide"

	# Every tool's --help names its page.
	[ "$sec" = 1 ] || [ "$sec" = 8 ] || continue
	[ "$name" != verinit ] || continue # the agent runs only as PID 1, and has no --help
	tool=$here/hooks/$name
	[ -x "$tool" ] || tool=$build/$name
	if [ ! -x "$tool" ]; then
		fail "$page: no tool $name in hooks/ or $build/ (make $build/$name)"
		continue
	fi
	out=$("$tool" --help 2>&1)
	[[ $out == *"$name($sec)"* ]] && pass || fail "$page: $name --help does not name $name($sec): $(tail -n 1 <<<"$out")"
done

if python3 "$here/test/tools/man-pages.py" "$here" >"$w/out" 2>&1; then
	pass
	cat "$w/out"
	# It can fail: each kind of list, one item taken out of a copy of the pages, is found.
	python3 "$here/test/tools/man-pages.py" --selftest "$here" >"$w/self" 2>&1 && pass ||
		fail "the consistency check's selftest: $(grep -v '^PASS' "$w/self")"
else
	fail "the pages and the code differ:"
	cat "$w/out"
fi
echo "man-pages: $checks checks, $failures failed"
[ "$failures" = 0 ]
