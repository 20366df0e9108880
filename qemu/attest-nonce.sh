#!/bin/bash
# The lab's attestation nonce for one integration case, and the small disk that carries it.
#
# usage: qemu/attest-nonce.sh NAME [IMG]
#
# Prints the nonce for case NAME: the lowercase hex SHA-256 of "verinit-lab-attest-nonce:NAME".
# A fixed seed and the case's name, not randomness: a rerun expects and gets the same quote
# input, and the runner asks this script what to expect (one definition for both sides).
# With IMG it also writes a 4096-byte raw disk whose first line is "verinit-attest-nonce <hex>"
# and whose rest is zeros; the test init (qemu/guest/init) attests only on a boot with such a disk.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: attest-nonce.sh NAME [IMG]"
[[ $# -ge 1 && $# -le 2 ]] || die "$usage"
name=$1 img=${2:-}
# The name goes into a hash and a file name: keep it to what case names are made of.
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || die "case name '$name' is not of [A-Za-z0-9_.-]"

nonce=$(printf 'verinit-lab-attest-nonce:%s' "$name" | sha256sum | cut -c1-64)
[[ $nonce =~ ^[0-9a-f]{64}$ ]] || die "sha256sum failed"
if [ -n "$img" ]; then
	if ! { printf 'verinit-attest-nonce %s\n' "$nonce" >"$img.part" && truncate -s 4096 "$img.part" && mv -f "$img.part" "$img"; }; then
		rm -f "$img.part"
		die "cannot write $img"
	fi
fi
echo "$nonce"
