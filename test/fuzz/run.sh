#!/usr/bin/env bash
# Runs the libFuzzer harnesses (test/fuzz/<name>.c, built by fuzz.mk into BIN_DIR) one after the
# other and prints one line per harness, as test/integration/run.sh does per QEMU case:
#   PASS  fuzz/<name> (10 s, 52110 runs, 5211 exec/s, cov 812)
#   FAIL  fuzz/<name>: <why> (log: ..., input: ...)
# Usage: test/fuzz/run.sh [--time S] [--fresh] [--regressions] BIN_DIR CORPUS_DIR WORK_DIR [NAME...]
#   --time S       fuzz each harness for S seconds (default 10); 0: no fuzzing
#   --fresh        start CORPUS_DIR/<name> from the seeds alone (else the seeds are added to what
#                  earlier runs left there)
#   --regressions  first run each file of test/fuzz/regressions/<name>/ once; a failure there fails
#                  the harness without fuzzing it
#   NAME...        only these harnesses (default: every one)
# Seeds: test/fuzz/corpus/<name>/; dictionary: test/fuzz/dict/<name>.dict. Logs and crashing inputs:
# WORK_DIR/logs/<name>.log, WORK_DIR/artifacts/<name>/. Exit status 1 when any harness failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
time=10 fresh='' regressions=''
while [ $# -gt 0 ]; do
	case $1 in
	--time) time=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	--regressions) regressions=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 3 ] || { sed -n '6p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2; }
bin_dir=$1 corpus_dir=$2 work=$3
shift 3
only=" $* "
mkdir -p "$work/logs" "$work/artifacts" "$corpus_dir"

# Sanitizers: stop at the first error with a stack; leaks are errors (libFuzzer checks each input).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Inputs longer than the format's own limit only reach its size check.
max_len() {
	case $1 in
	cmdline) echo 4200 ;;
	config | envfile | pcrlist) echo 8192 ;;
	sigjson) echo 20000 ;;
	sigverify | certs | ipe) echo 16500 ;;
	eventlog | tcglog | pe) echo 65536 ;;
	*) echo 4096 ;;
	esac
}

# The line that best says why a run failed: the harness's own message, then the sanitizers'.
why() {
	local log=$1 line='' re
	for re in 'invariant failed|^error message with|^harness' 'runtime error:' '^SUMMARY: [A-Za-z]+Sanitizer' \
		'ERROR: LeakSanitizer|==ERROR: ' 'ERROR: libFuzzer: '; do
		line=$(grep -a -m1 -E "$re" "$log") && break
	done
	line=${line#*==ERROR: }
	echo "${line:-exit status $2, no sanitizer report}"
}

failed=0
for src in "$here"/*.c; do
	name=$(basename "$src" .c)
	[ "$only" = "  " ] || [[ $only == *" $name "* ]] || continue
	bin=$bin_dir/$name log=$work/logs/$name.log art=$work/artifacts/$name/
	if [ ! -x "$bin" ]; then
		echo "FAIL  fuzz/$name: $bin is not built (make fuzz-build)"
		failed=1
		continue
	fi
	mkdir -p "$art"
	: >"$log"

	# Regression inputs first: each must now pass.
	if [ -n "$regressions" ] && [ -d "$here/regressions/$name" ]; then
		bad=''
		for f in "$here/regressions/$name"/*; do
			[ -f "$f" ] || continue
			if ! "$bin" -runs=1 "$f" >>"$log" 2>&1; then
				bad=$f
				break
			fi
		done
		if [ -n "$bad" ]; then
			echo "FAIL  fuzz/$name: regression ${bad#"$here"/}: $(why "$log" 1) (log: $log)"
			failed=1
			continue
		fi
	fi
	[ "$time" -gt 0 ] || { echo "PASS  fuzz/$name (regressions only)"; continue; }

	corpus=$corpus_dir/$name
	[ -z "$fresh" ] || rm -rf "$corpus"
	mkdir -p "$corpus"
	if [ -d "$here/corpus/$name" ]; then
		cp -n "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
	fi
	opts=(-max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$name")"
		-print_final_stats=1 -artifact_prefix="$art")
	[ ! -f "$here/dict/$name.dict" ] || opts+=(-dict="$here/dict/$name.dict")
	"$bin" "${opts[@]}" "$corpus" >>"$log" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
		echo "FAIL  fuzz/$name: $(why "$log" "$rc") (log: $log${input:+, input: $input})"
		failed=1
		continue
	fi
	done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE ' "$log" | tail -n1)
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
	execs=$(sed -n 's/.* exec\/s: \([0-9]*\) .*/\1/p' <<<"$done_line")
	echo "PASS  fuzz/$name (${secs:-?} s, ${runs:-?} runs, ${execs:-?} exec/s, cov ${cov:-?})"
done
exit "$failed"
