#!/usr/bin/env bash
# Prints the tamper and fault matrix: every case of test/integration/cases that must NOT hand
# over and runs verinit (what is attacked, from the case's trailing comment; the case; the verdict;
# verinit's reason code and the stage that failed) as a Markdown table; the attacker-* cases (the
# firmware refuses them) and the probe-* ones (no verinit) are not in it. docs/lab.md carries this
# table between its matrix markers; `--check docs/lab.md` fails when the two differ, or when the
# page's count of integration cases ("(N cases:") is not the cases file's, so the page stays true.
set -euo pipefail
cases=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cases
trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$1"; }

table() {
	local line name expect what verdict reason stage
	echo '| what is attacked | case | verdict | reason | stage |'
	echo '|---|---|---|---|---|'
	grep -Ev '^[[:space:]]*(#|$)' "$cases" | while IFS= read -r line; do
		name=$(trim "${line%%|*}")
		expect=${line##*|}
		what=''
		[[ $expect != *'#'* ]] || what=$(trim "${expect#*#}")
		read -r verdict reason stage <<<"${expect%%#*}"
		[ "$verdict" != handed-over ] || continue
		[[ $name != attacker-* && $name != probe-* ]] || continue
		[ -n "$what" ] || { echo "matrix: case $name does not say what is attacked (# ...)" >&2; exit 1; }
		case $verdict in
		halted) reason="\`$reason\`" ;;
		rebooted) reason='dm-verity restarts the machine' ;;
		refused) reason='the firmware refuses the image' ;;
		crashed) reason='the kernel panics' ;;
		esac
		echo "| $what | \`$name\` | $verdict | $reason | ${stage:+\`$stage\`} |"
	done
}

if [ "${1:-}" = --check ]; then
	readme=${2:?usage: matrix.sh [--check docs/lab.md]}
	want=$(table) || exit 1
	got=$(sed -n '/<!-- matrix:begin -->/,/<!-- matrix:end -->/p' "$readme" | sed '1d;$d')
	[ "$want" = "$got" ] ||
		{ echo "matrix: the table in $readme differs from test/integration/cases: paste test/integration/matrix.sh's output"; exit 1; }
	total=$(grep -cEv '^[[:space:]]*(#|$)' "$cases")
	said=$(grep -oE '\(([0-9]+) cases:' "$readme" | grep -oE '[0-9]+' | head -n1)
	[ "$said" = "$total" ] ||
		{ echo "matrix: $readme says ${said:-nothing about} (N cases: ...), test/integration/cases has $total"; exit 1; }
	echo "matrix: $readme lists all $(($(wc -l <<<"$want") - 2)) cases of the matrix, and the $total cases run"
else
	table
fi
