#!/usr/bin/env bash
# The host tools link lib/'s pure half only (the Makefile): their link maps name none of the
# system half's libraries, libkmod, tss2, libcryptsetup or libblkid. Checks the sanitized builds and
# the valgrind builds, and prints what each needs.
# usage: test/tool-links.sh BUILD
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: tool-links.sh BUILD" >&2; exit 2; }
build=$1
failures=0
for bin in "$build"/verinit-measure "$build"/verinit-check-config "$build"/vg/verinit-measure \
	"$build"/vg/verinit-check-config; do
	if ! needed=$(readelf -dW "$bin" 2>&1); then
		echo "tool-links: FAIL $bin: $needed"
		failures=$((failures + 1))
		continue
	fi
	needed=$(printf '%s\n' "$needed" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	echo "tool-links: $bin needs: $(printf '%s\n' "$needed" | paste -sd' ')"
	bad=$(printf '%s\n' "$needed" | grep -E '^lib(kmod|tss2|cryptsetup|blkid)' | paste -sd' ')
	if [ -n "$bad" ]; then
		echo "tool-links: FAIL $bin links the system half's libraries: $bad"
		failures=$((failures + 1))
	fi
done
[ "$failures" = 0 ] && echo "tool-links: no libkmod, tss2, libcryptsetup or libblkid"
[ "$failures" = 0 ]
