#!/usr/bin/env bash
# test/runner.sh's accounting, against runners that keep or break their word: a runner that gives
# fewer or more results than it planned, plans nothing, or exits non-zero with only PASS lines is
# one failure more; one that fails a case says so once. Prints one line per check; exits 1 if any
# check failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
. test/runner.sh
bad=0

fake() { # lines... exit-status: a runner that prints the lines, then exits with the status
	local rc=${*: -1}
	printf '%s\n' "${@:1:$#-1}"
	return "$rc"
}
expect() { # description want-passed want-failed lines... exit-status
	local what=$1 wp=$2 wf=$3
	shift 3
	passed=0 failed=0
	runner selftest fake "$@" >/dev/null
	if [ "$passed" = "$wp" ] && [ "$failed" = "$wf" ]; then
		echo "runner-selftest: PASS $what"
	else
		echo "runner-selftest: FAIL $what: $passed passed, $failed failed; want $wp and $wf"
		bad=1
	fi
}

expect "a runner that keeps its plan" 2 0 "PLAN 2" "PASS  a" "PASS  b" 0
expect "a failed case counts once" 1 1 "PLAN 2" "PASS  a" "FAIL  b: why" 1
expect "a runner that dies half-way" 1 1 "PLAN 3" "PASS  a" 137
expect "a runner that dies before its first result" 0 1 "PLAN 2" 1
expect "a runner that never plans" 1 1 "PASS  a" 0
expect "more results than planned" 2 1 "PLAN 1" "PASS  a" "PASS  b" 0
expect "a non-zero exit with every result a PASS" 1 1 "PLAN 1" "PASS  a" 2
expect "other lines pass through uncounted" 1 0 "PLAN 1" "fuzz: libraries" "PASS  a" 0
exit "$bad"
