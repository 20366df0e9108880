#!/bin/bash
# The host tools under valgrind memcheck: verinit-measure through every case of
# test/measure-cli.sh and test/attest-swtpm.sh, verinit-check-config on a good and a bad configuration. The builds in
# BUILD/vg/ are the tools without sanitizers (valgrind and ASan exclude each other). Any memcheck
# error or definite/indirect leak makes the tool exit 99, which no expected status matches.
# usage: test/valgrind-tools.sh BUILD
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: valgrind-tools.sh BUILD" >&2; exit 2; }
build=$(cd "$1" && pwd)
vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect"
vg+=" --errors-for-leak-kinds=definite,indirect --track-origins=yes"
w=$build/test-logs/valgrind-tools.work
rm -rf "$w"
mkdir -p "$w"
failures=0

VERINIT_MEASURE=$build/vg/verinit-measure MEASURE_WRAP=$vg MEASURE_CLI_WORK=valgrind-tools.work/measure \
	test/measure-cli.sh "$build" || failures=$((failures + 1))
VERINIT_MEASURE=$build/vg/verinit-measure MEASURE_WRAP=$vg ATTEST_SWTPM_WORK=valgrind-tools.work/attest \
	test/attest-swtpm.sh "$build" || failures=$((failures + 1))

cc=$build/vg/verinit-check-config
# shellcheck disable=SC2086 # $vg is words
$vg "$cc" qemu/verinit.conf >"$w/good.out" 2>&1 && echo "valgrind-tools: PASS check-config on qemu/verinit.conf" || {
	echo "valgrind-tools: FAIL check-config on qemu/verinit.conf:"
	cat "$w/good.out"
	failures=$((failures + 1))
}
printf 'usr.discovery=auto\ntpm=sometimes\n' >"$w/bad.conf"
# shellcheck disable=SC2086
$vg "$cc" "$w/bad.conf" >"$w/bad.out" 2>&1
rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 99 ] && grep -q 'bad.conf:2' "$w/bad.out"; then
	echo "valgrind-tools: PASS check-config refuses a bad configuration cleanly"
else
	echo "valgrind-tools: FAIL check-config on a bad configuration (exit $rc):"
	cat "$w/bad.out"
	failures=$((failures + 1))
fi
[ "$failures" = 0 ] && echo "valgrind-tools: memcheck found nothing"
[ "$failures" = 0 ]
