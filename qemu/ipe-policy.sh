#!/usr/bin/env bash
# Writes the lab's signed IPE test policies (Documentation/admin-guide/LSM/ipe.rst, kernel 6.12).
# Usage: qemu/ipe-policy.sh OUT_DIR KEY CERT ROOTHASH [ATTACKER_KEY ATTACKER_CERT]
#
# OUT_DIR/default.pol, default.p7s   verinit_default 1.0.0: what Azure Linux OS Guard enforces
#                                    (execute only from the initramfs or a signed dm-verity volume)
# OUT_DIR/strict.pol, strict.p7s     verinit_strict 1.0.0: execute only from the initramfs or the
#                                    dm-verity volume with root hash ROOTHASH (sha256, hex)
# OUT_DIR/default-v2.p7s, -v0.p7s    verinit_default 2.0.0 and 0.9.0 (update, downgrade), with
#                                    their texts default-v2.pol, default-v0.pol
# OUT_DIR/default-truncated.p7s      default.p7s cut to half its length
# OUT_DIR/default-attacker.p7s       default.pol signed by ATTACKER_KEY/CERT (when given)
#
# The kernel takes the policy as DER PKCS#7 with the content attached, written to securityfs in
# one write(). It refuses OpenSSL's default signed attributes (their SMIMECapabilities: "S/MIME
# Caps only allowed with Authenticode", EKEYREJECTED); -noattr leaves none, so no signing time
# either, and with RSA PKCS#1 v1.5 the same inputs give the same bytes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
[ $# -eq 4 ] || [ $# -eq 6 ] ||
	die "usage: qemu/ipe-policy.sh OUT_DIR KEY CERT ROOTHASH [ATTACKER_KEY ATTACKER_CERT]"
out=$1 key=$2 cert=$3 roothash=$4 akey=${5:-} acert=${6:-}
[[ $roothash =~ ^[0-9a-fA-F]{64}$ ]] || die "ROOTHASH '$roothash' is not 64 hex digits (sha256)"
roothash=${roothash,,}
for f in "$key" "$cert" ${akey:+"$akey"} ${acert:+"$acert"}; do
	[ -r "$f" ] || die "cannot read $f"
done
mkdir -p "$out" || die "cannot create $out"

sign=$here/../hooks/verinit-sign
# policy NAME VERSION OUT [ipe-pin arguments]: OS Guard's rules, written by the builders' tool.
policy() { "$sign" ipe-pin --name "$1" --version "$2" --output "$out/$3.pol" "${@:4}"; }
policy verinit_default 1.0.0 default --any-signed-verity
policy verinit_default 2.0.0 default-v2 --any-signed-verity
policy verinit_default 0.9.0 default-v0 --any-signed-verity
policy verinit_strict 1.0.0 strict --roothash "$roothash"
# sign IN OUT KEY CERT
sign() { "$sign" ipe-policy --key "$3" --cert "$4" --output "$2" "$1"; }

for p in default default-v2 default-v0 strict; do sign "$out/$p.pol" "$out/$p.p7s" "$key" "$cert"; done
size=$(stat -c %s "$out/default.p7s")
head -c $((size / 2)) "$out/default.p7s" >"$out/default-truncated.p7s"
if [ -n "$akey" ]; then
	sign "$out/default.pol" "$out/default-attacker.p7s" "$akey" "$acert"
else
	rm -f "$out/default-attacker.p7s"
fi
