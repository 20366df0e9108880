#!/usr/bin/env bash
# build/verinit is one static PIE with the hardening the Makefile asks for, and refuses to run
# as anything but PID 1.
set -euo pipefail
bin=${1:-build/verinit}
fail() { echo "$bin: $*"; exit 1; }

file -b "$bin" | grep -q 'static-pie linked' || fail "not static-pie: $(file -b "$bin")"
ldd "$bin" 2>&1 | grep -qE 'not a dynamic executable|statically linked' || fail "ldd: $(ldd "$bin" 2>&1)"
readelf -lW "$bin" | grep -q INTERP && fail "has a program interpreter"
readelf -dW "$bin" | grep -q NEEDED && fail "needs shared libraries"
readelf -lW "$bin" | grep -q GNU_RELRO || fail "no RELRO"
readelf -dW "$bin" | grep -qE 'BIND_NOW|FLAGS.*NOW' || fail "RELRO is not full (no BIND_NOW)"
readelf -lW "$bin" | awk '$1 == "GNU_STACK" && $7 ~ /E/ { exit 1 }' || fail "executable stack"
readelf -SW "$bin" | grep -q '\.symtab' && fail "not stripped"

# Not PID 1: it must say so and exit. It runs as PID 2 of a private PID and mount namespace, so
# even a broken guard could neither mount over the host's /dev nor halt this machine.
out=$(unshare --pid --fork --mount --kill-child sh -c '"$0"; echo "rc=$?"' "$bin" 2>&1) || true
grep -q 'runs only as PID 1, not as PID 2' <<<"$out" || fail "did not refuse to run as PID 2: $out"
grep -q '^rc=1$' <<<"$out" || fail "exit status: $out"
