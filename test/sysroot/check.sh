#!/usr/bin/env bash
# The static probe runs, and every library in the sysroot is the version the lock file pins.
set -euo pipefail
probe=$1 sysroot=$2 lock=third_party/sources.lock
out=$("$probe")
fail=0
upstream() { awk -v l="$1" '$1 == l && $5 ~ /orig/ { v = $3; sub(/^[0-9]+:/, "", v); sub(/-[^-]*$/, "", v); print v; exit }' "$lock"; }
expect() { # what it reported, which lock entry
	local want; want=$(upstream "$2")
	if [ "$1" != "$want" ]; then echo "sysroot: $2 reports $1, the lock pins $want"; fail=1; fi
}
expect "$(sed -n 's/^openssl //p' <<<"$out")" openssl
expect "$(sed -n 's/^json-c //p' <<<"$out")" json-c
expect "$(sed -n 's/^util-linux //p' <<<"$out")" util-linux
export PKG_CONFIG_LIBDIR=$sysroot/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$sysroot
expect "$(pkg-config --modversion libcryptsetup)" cryptsetup
expect "$(pkg-config --modversion tss2-esys)" tpm2-tss
expect "$(pkg-config --modversion libkmod)" kmod
# libdevmapper numbers itself apart from LVM2 (1.02.x): check the pc file's, not the lock's.
dm=$(sed -n 's/^libdevmapper \([^ ]*\).*/\1/p' <<<"$out") # "1.02.185 (2022-05-18)"
[ "$dm" = "$(pkg-config --modversion devmapper)" ] || { echo "sysroot: libdevmapper reports '$dm'"; fail=1; }
echo "$out" | tr '\n' ' '; echo
exit $fail
