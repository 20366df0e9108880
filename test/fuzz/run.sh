#!/usr/bin/env bash
# Runs the libFuzzer harnesses (test/fuzz/<name>.c, built by fuzz.mk into BIN_DIR) one after the
# other and prints "PLAN N" (the harnesses selected), then one line per harness, as
# test/integration/run.sh does per QEMU case:
#   PASS  fuzz/<name> (300000 runs, seed 1, cov 812, 4 s)
#   FAIL  fuzz/<name>: <why> (log: ..., input: ...)
# Usage: test/fuzz/run.sh [--time S | --runs N|default] [--seed S] [--fresh] [--regressions]
#                         BIN_DIR CORPUS_DIR WORK_DIR [NAME...]
#   --time S       fuzz each harness for S seconds (default 10), from a random seed: an open-ended
#                  search whose verdict may differ between runs; 0: no fuzzing
#   --runs N       instead, N inputs per harness (the corpus's included) from --seed (default 1):
#                  the same tree, libraries and seed give the same inputs, so the same verdict,
#                  wherever the tree lies and whatever the environment.
#                  "default": each harness's own count (smoke_runs below, about 5 s each)
#   --fresh        start CORPUS_DIR/<name> from the seeds alone (else the seeds are added to what
#                  earlier runs left there)
#   --regressions  first run each file of test/fuzz/regressions/<name>/ once; a failure there fails
#                  the harness without fuzzing it
#   NAME...        only these harnesses (default: every one)
# Seeds: test/fuzz/corpus/<name>/; dictionary: test/fuzz/dict/<name>.dict. Logs and crashing inputs:
# WORK_DIR/logs/<name>.log, WORK_DIR/artifacts/<name>/. Each log starts with the libcrypto and
# json-c the harness loads (what a leak inside them depends on), and the first line of output says
# the same. Exit status 1 when any harness failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
time=10 runs='' seed=1 fresh='' regressions=''
while [ $# -gt 0 ]; do
	case $1 in
	--time) time=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	--regressions) regressions=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 3 ] || { sed -n '6,7p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2; }
[[ $runs =~ ^([0-9]+|default)?$ && $seed =~ ^[1-9][0-9]*$ ]] ||
	{ echo "run.sh: --runs takes a number or 'default', --seed a number above 0" >&2; exit 2; }
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
	config | envfile | pcrlist | pcrjson) echo 8192 ;;
	sigjson) echo 20000 ;;
	sigverify | certs | ipe) echo 16500 ;;
	veritytop) echo 521 ;; # a flag, an offset and a superblock, exactly
	geometry) echo 16384 ;; # a disk with more GPT entries than the kernel's 255 partitions
	eventlog | tcglog | pe) echo 65536 ;;
	*) echo 4096 ;;
	esac
}

# About 5 s of mutation each on 2 cores (exec/s differ 150-fold between harnesses): the inputs
# make check's smoke runs, fixed so that its verdict is the same on every run.
smoke_runs() {
	case $1 in
	certs) echo 10000 ;;
	geometry) echo 20000 ;; # the too-many seed alone is 300 entries against 255 partitions
	sigverify) echo 40000 ;;
	ipe) echo 50000 ;;
	discover) echo 80000 ;;
	sigjson | cmdline | eventlog | mountopts) echo 150000 ;;
	*) echo 300000 ;;
	esac
}

# The shared library a harness loads for NAME (libcrypto, libjson-c), with the version it carries.
loaded() {
	local path version
	path=$(ldd "$1" 2>/dev/null | awk -v n="$2" '$1 ~ "^" n "\\." { print $3; exit }')
	[ -n "$path" ] || { echo "$2: not linked"; return; }
	version=$(strings -a "$path" | grep -E "$3" | head -n1)
	[ -n "$version" ] || version='version unknown'
	echo "$version ($(readlink -f "$path"))"
}
libraries() {
	echo "libcrypto: $(loaded "$1" libcrypto '^OpenSSL [0-9]+\.[0-9]+\.[0-9]+')," \
		"json-c: $(loaded "$1" libjson-c '^[0-9]+\.[0-9]+(\.[0-9]+)?$')"
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

# With --runs, no address randomisation either: a JSON input's coverage still differed between
# runs under ASLR (sigjson: 272 or 281 edges after 150,000 runs, the same seed and inputs).
fixed=()
if [ -n "$runs" ]; then
	if setarch "$(uname -m)" -R true 2>/dev/null; then
		fixed=(setarch "$(uname -m)" -R)
	else
		echo "fuzz: setarch -R is refused here: with address randomisation a run may differ from the last"
	fi
fi

# How many results this run owes: one line per harness selected.
planned=0
for src in "$here"/*.c; do
	name=$(basename "$src" .c)
	[ "$only" = "  " ] || [[ $only == *" $name "* ]] || continue
	planned=$((planned + 1))
done
echo "PLAN $planned"
failed=0
first=1
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
	libs=$(libraries "$bin")
	echo "fuzz/$name loads $libs" >"$log"
	[ -z "$first" ] || echo "fuzz: the harnesses load $libs"
	first=''

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
	n=$runs
	[ "$n" != default ] || n=$(smoke_runs "$name")
	if [ -z "$n" ] && [ "$time" -eq 0 ] || [ "$n" = 0 ]; then
		echo "PASS  fuzz/$name (regressions only)"
		continue
	fi

	corpus=$corpus_dir/$name
	[ -z "$fresh" ] || rm -rf "$corpus"
	mkdir -p "$corpus"
	if [ -d "$here/corpus/$name" ]; then
		cp -n "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
	fi
	opts=(-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$name")" -print_final_stats=1
		-artifact_prefix="$art")
	# Fixed inputs: a fixed seed and count, no re-reading of the corpus directory on a timer, and no
	# mutating with the operands of the comparisons the code made (-use_cmp, -use_memmem): pointers
	# are among them, and addresses differ with the environment, the paths and ASLR.
	if [ -n "$n" ]; then
		opts+=(-runs="$n" -seed="$seed" -reload=0 -use_cmp=0 -use_memmem=0)
	else
		opts+=(-max_total_time="$time")
	fi
	[ ! -f "$here/dict/$name.dict" ] || opts+=(-dict="$here/dict/$name.dict")
	"${fixed[@]}" "$bin" "${opts[@]}" "$corpus" >>"$log" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
		echo "FAIL  fuzz/$name: $(why "$log" "$rc") (log: $log${input:+, input: $input})"
		failed=1
		continue
	fi
	done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE ' "$log" | tail -n1)
	done_runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
	execs=$(sed -n 's/.* exec\/s: \([0-9]*\) .*/\1/p' <<<"$done_line")
	if [ -n "$n" ]; then
		echo "PASS  fuzz/$name (${done_runs:-?} runs, seed $seed, cov ${cov:-?}, ${secs:-?} s)"
	else
		echo "PASS  fuzz/$name (${secs:-?} s, ${done_runs:-?} runs, ${execs:-?} exec/s, cov ${cov:-?})"
	fi
done
exit "$failed"
