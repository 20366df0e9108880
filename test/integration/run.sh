#!/usr/bin/env bash
# Runs the integration cases (test/integration/cases), two QEMU boots at a time, and prints
# "PLAN N" (the cases selected), then one "PASS  integration/<name>" or "FAIL  integration/<name>:
# why" line per case. A case passes when its verdict, reason and stage are the expected ones and its
# assert_<name> (asserts.sh, which every case must have) returns 0 and prints nothing. Two at a
# time: the CI machine has two cores and QEMU runs single-threaded TCG.
# Usage: test/integration/run.sh LAB_DIR RESULTS_DIR [PATTERN]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB=$1 RESULTS=$2
pattern=${3:-}
mkdir -p "$RESULTS"

one() { # "name | args | expect" -> one result line
	local name args expect want_verdict want_reason want_stage run got_verdict got_reason got_stage why= fn out rc
	IFS='|' read -r name args expect <<<"$1"
	expect=${expect%%#*} # the trailing "# what is attacked" is for the matrix
	name=$(echo $name) args=$(eval echo "$args") expect=$(echo $expect)
	read -r want_verdict want_reason want_stage <<<"$expect"
	run=$RESULTS/$name
	# shellcheck disable=SC2086 # the case's arguments are words
	if ! "$here/../../qemu/boot.sh" --run "$run" $args 2>"$RESULTS/$name.err"; then
		why="boot could not run: $(tail -n1 "$RESULTS/$name.err")"
	else
		got_verdict=$(sed -n 's/^verdict=//p' "$run/verdict")
		got_reason=$(sed -n 's/^reason=//p' "$run/verdict")
		got_stage=$(sed -n 's/^stage=//p' "$run/verdict")
		if [ "$got_verdict" != "$want_verdict" ]; then
			why="verdict $got_verdict${got_reason:+ ($got_reason)}, want $want_verdict"
		elif [ -n "$want_reason" ] && [ "$got_reason" != "$want_reason" ]; then
			why="reason $got_reason, want $want_reason"
		elif [ "$want_verdict" = halted ] && [ "$got_stage" != "$want_stage" ]; then
			why="stage ${got_stage:-none}, want ${want_stage:-none (the case names none)}"
		else
			. "$here/asserts.sh"
			fn=assert_${name//-/_}
			if ! declare -F "$fn" >/dev/null; then
				why="no $fn in asserts.sh: every case checks more than its verdict"
			else
				out=$("$fn" "$run" 2>&1)
				rc=$?
				out=$(paste -sd ';' - <<<"$out")
				if [ "$rc" != 0 ]; then
					why=${out:-$fn returned $rc without saying why}
				elif [ -n "$out" ]; then
					why="$fn passed but said: $out"
				fi
			fi
		fi
	fi
	# One short line per case: atomic even with two cases writing at once.
	if [ -z "$why" ]; then echo "PASS  integration/$name"; else echo "FAIL  integration/$name: $why (log: $run/serial.log)"; fi
}
export -f one
export here

selected=()
while IFS= read -r line; do
	name=$(echo "${line%%|*}")
	[ -z "$pattern" ] || [[ integration/$name == *"$pattern"* ]] || continue
	selected+=("$line")
done < <(grep -Ev '^[[:space:]]*(#|$)' "$here/cases")
echo "PLAN ${#selected[@]}"
[ ${#selected[@]} -eq 0 ] || printf '%s\0' "${selected[@]}" | xargs -0 -r -P 2 -I{} bash -c 'one "$1"' _ {}
