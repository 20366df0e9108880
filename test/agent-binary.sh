#!/usr/bin/env bash
# build/verinit is one static PIE with the hardening the Makefile asks for (full RELRO, no
# executable stack, stack protector, CET as far as musl allows), and refuses to run as anything
# but PID 1.
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
# The stack protector is in (the unstripped twin has the same code).
unstripped=${bin}.unstripped
nm "$unstripped" 2>/dev/null | grep ' __stack_chk_fail$' >/dev/null || fail "no stack protector: $unstripped has no __stack_chk_fail"

# CET (IBT, shadow stack): a linked binary carries the property only if every object in it does.
# Ours and the sysroot's do (-fcf-protection=full); Debian's musl libc.a and start files do not
# (musl has no CET support), so the agent cannot have it. Fail if ours lose it, and if musl
# gains it without the agent following.
cet() { readelf -nW "$1" 2>/dev/null | grep -c 'x86 feature: IBT, SHSTK' || true; }
members() { if [[ $1 == *.a ]]; then ar t "$1" | wc -l; else echo 1; fi; }
objs=$(find "$(dirname "$bin")/musl" -name '*.o')
[ -n "$objs" ] || fail "no objects under $(dirname "$bin")/musl"
for o in $objs; do [ "$(cet "$o")" = 1 ] || fail "$o: compiled without CET (IBT, SHSTK)"; done
sysroot=$(dirname "$bin")/sysroot/usr/lib
for a in "$sysroot"/*.a; do [ "$(cet "$a")" = "$(members "$a")" ] || fail "$a: members without CET"; done
musl=$(dirname "$bin")/musl-dev/root/usr/lib/x86_64-linux-musl
musl_cet=yes
for f in "$musl/libc.a" "$musl/rcrt1.o" "$musl/crti.o" "$musl/crtn.o"; do
	[ "$(cet "$f")" = "$(members "$f")" ] || musl_cet=no
done
if [ "$musl_cet" = yes ]; then
	[ "$(cet "$bin")" = 1 ] || fail "musl now has CET, the agent still has none"
else
	[ "$(cet "$bin")" = 0 ] || fail "the agent claims CET although musl's objects lack it"
fi

# Not PID 1: it must say so and exit. It runs as PID 2 of a private PID and mount namespace, so
# even a broken guard could neither mount over the host's /dev nor halt this machine.
out=$(unshare --pid --fork --mount --kill-child sh -c '"$0"; echo "rc=$?"' "$bin" 2>&1) || true
grep -q 'runs only as PID 1, not as PID 2' <<<"$out" || fail "did not refuse to run as PID 2: $out"
grep -q '^rc=1$' <<<"$out" || fail "exit status: $out"
