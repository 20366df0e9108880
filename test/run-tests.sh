#!/usr/bin/env bash
# Runs every check of `make check` (which builds what they need first) and ends with the lines
# "build checks: N passed, N failed" (checks of the build and the lab, not of verinit) and
# "N passed, N failed" (the tests). Unit tests count one per case, the fuzz and QEMU runners one
# per harness and case: each runner first says how many it owes ("PLAN N"), and a runner that
# owes more than it gave, or exits non-zero, is a failure of its own. Usage: test/run-tests.sh [PATTERN]
# (SKIP_QEMU=1 leaves out the QEMU boots, for a quick run while editing).
# runs only the checks whose name contains PATTERN. Logs: $BUILD/test-logs/<check>.log.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
SYSROOT=${SYSROOT:-$(third_party/deps.sh sysroot-path)}
pattern=${1:-}
logs=$BUILD/test-logs
mkdir -p "$logs"
passed=0 failed=0 bpassed=0 bfailed=0
. test/runner.sh

selected() { [ -z "$pattern" ] || [[ $1 == *"$pattern"* ]]; }

show_failure() {
	echo "FAIL  $1  (log: $2)"
	tail -n 30 "$2" | sed 's/^/      /'
}

# One check: a command that passes by exiting 0. "build" checks (of the build and the lab rather
# than of verinit) are counted apart.
check_into() { # tests|build NAME command...
	local kind=$1 name=$2 label=$2 log=$logs/$2.log
	shift 2
	selected "$name" || return 0
	[ "$kind" = tests ] || label=build/$name
	if "$@" >"$log" 2>&1; then
		if [ "$kind" = tests ]; then passed=$((passed + 1)); else bpassed=$((bpassed + 1)); fi
		echo "PASS  $label"
	else
		if [ "$kind" = tests ]; then failed=$((failed + 1)); else bfailed=$((bfailed + 1)); fi
		show_failure "$label" "$log"
	fi
}
check() { check_into tests "$@"; }
build_check() { check_into build "$@"; }

# A cmocka binary: its cases count one by one; a crash (ASan, UBSan) counts as a failure too.
cmocka() {
	local bin=$1 name log p f rc
	name=unit/$(basename "$bin")
	log=$logs/$(basename "$bin").log
	selected "$name" || return 0
	"$bin" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' "$log" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:$/\1/p' "$log" | tail -n1)
	p=${p:-0} f=${f:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" = 0 ]; then echo "PASS  $name ($p cases)"; else show_failure "$name" "$log"; fi
}

for t in "$BUILD"/host/test/test-*; do
	[[ $t == *.d ]] || cmocka "$t"
done
check agent-binary test/agent-binary.sh "$BUILD/verinit"
check size-budget test/size-budget.sh "$BUILD/verinit" "$BUILD/lab/initramfs.img"
check footprint-tool test/footprint-tool.sh "$BUILD/verinit.unstripped"
build_check sysroot-versions test/sysroot/check.sh "$BUILD/sysroot-probe" "$SYSROOT"
build_check deps-lock test/deps-lock.sh
build_check static-analysis make -s do-analyze
build_check lab-disk test/lab-disk.sh "$BUILD/test-logs/lab-disk.work"
build_check lab-rebuild test/lab-rebuild.sh "$BUILD"
build_check readme-matrix test/integration/matrix.sh --check docs/lab.md
build_check man-pages test/man-pages.sh "$BUILD"
check runner-selftest test/runner-selftest.sh
check measure-cli test/measure-cli.sh "$BUILD"
check attest-swtpm test/attest-swtpm.sh "$BUILD"
check tool-links test/tool-links.sh "$BUILD"
build_check lab-repart-disk make -s --no-print-directory BUILD="$BUILD" lab-repart
check hooks-mkinitramfs test/hooks-mkinitramfs.sh "$BUILD"
check sbom-spdx test/sbom-spdx.sh "$BUILD"
check hooks-sign test/hooks-sign.sh "$BUILD"
check hooks-uki test/hooks-uki.sh "$BUILD"
check hooks-kernel-install test/hooks-kernel-install.sh "$BUILD"
check install test/install.sh "$BUILD"
check deb-package test/deb-package.sh "$BUILD"
check valgrind-tools test/valgrind-tools.sh "$BUILD"

# libFuzzer smoke: each harness's regression inputs, then a fixed number of inputs mutated from its
# seeds with a fixed seed (FUZZ_RUNS, default each harness's own count; FUZZ_SEED, default 1), so
# the verdict is the same on every run; one line per harness. make fuzz searches open-ended.
harnesses=()
for h in test/fuzz/*.c; do
	h=$(basename "$h" .c)
	! selected "fuzz/$h" || harnesses+=("$h")
done
if [ ${#harnesses[@]} -gt 0 ]; then
	runner fuzz test/fuzz/run.sh --runs "${FUZZ_RUNS:-default}" --seed "${FUZZ_SEED:-1}" --fresh --regressions \
		"$BUILD/fuzz/bin" "$BUILD/fuzz/smoke/corpus" "$BUILD/fuzz/smoke" "${harnesses[@]}"
fi

# QEMU boots: each case counts once; run.sh runs them two at a time.
if [ -z "${SKIP_QEMU:-}" ]; then
	runner integration test/integration/run.sh "$BUILD/lab" "$BUILD/test-logs/integration" "$pattern"
	# The assertions on one of those boots, given a wrong prediction or a changed TPM value.
	check asserts-selftest test/integration/asserts-selftest.sh "$BUILD/lab" "$BUILD/test-logs/integration"
fi

echo
echo "build checks: $bpassed passed, $bfailed failed"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$bfailed" = 0 ]
