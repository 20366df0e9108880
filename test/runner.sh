# shellcheck shell=bash
# Sourced by test/run-tests.sh (and test/runner-selftest.sh, which checks it): how a runner's
# results are counted into passed and failed.
#
# A runner's output: "PLAN N", then one PASS or FAIL line per result (others pass through). The
# runner's exit status comes last, as "EXIT N". Fewer results than planned, more, or a non-zero
# exit without a FAIL line is one more failure, named after the runner.
runner() { # NAME command...
	local name=$1 plan='' got=0 bad=0 rc='' line
	shift
	while IFS= read -r line; do
		case $line in
		"PLAN "*) plan=${line#PLAN } ;;
		"EXIT "*) rc=${line#EXIT } ;;
		PASS*) passed=$((passed + 1)) got=$((got + 1)); echo "$line" ;;
		FAIL*) failed=$((failed + 1)) got=$((got + 1)) bad=$((bad + 1)); echo "$line" ;;
		*) echo "$line" ;;
		esac
	done < <("$@"; echo "EXIT $?")
	if [ -z "$plan" ] || [ "$got" != "$plan" ]; then
		failed=$((failed + 1))
		echo "FAIL  $name: it planned ${plan:-no} results and gave $got (exit status ${rc:-unknown})"
	elif [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		failed=$((failed + 1))
		echo "FAIL  $name: exit status $rc with every result a PASS"
	fi
}
