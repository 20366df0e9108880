#!/bin/bash
# Host-level checks of the boot lab's disk tooling (no QEMU): qemu/usr-image.sh is
# reproducible, its verity tree and signature verify (and fail when they should), the
# signature partition has the systemd layout, qemu/disk.sh lays out the DPS partitions and
# qemu/osguard-disk.sh OS Guard's.
# usage: test/lab-disk.sh WORKDIR   (throwaway keys and images are made in WORKDIR)
# Prints one line per failed check; on success only a summary.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: lab-disk.sh WORKDIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
w=$(cd "$1" && pwd)
usr_image=$here/qemu/usr-image.sh
disk=$here/qemu/disk.sh

checks=0 failures=0
fail() { echo "lab-disk: $*"; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); } # a check that passed
check() { # DESCRIPTION COMMAND...: the command must succeed
	local what=$1
	shift
	checks=$((checks + 1))
	"$@" >/dev/null 2>&1 || fail "$what"
}
refute() { # DESCRIPTION COMMAND...: the command must fail
	local what=$1
	shift
	checks=$((checks + 1))
	! "$@" >/dev/null 2>&1 || fail "$what"
}
fatal() { fail "$*"; echo "lab-disk: stopped after $failures failure(s)"; exit 1; }

# Throwaway signers. RSA (PKCS#1 v1.5) signatures are deterministic, so usr.p7s is too.
for n in 1 2; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/key$n.pem" -out "$w/cert$n.pem" \
		-days 3650 -subj "/CN=verinit lab test $n" >/dev/null 2>&1 || fatal "openssl cannot make test key $n"
done

rm -rf "$w/a" "$w/b" "$w/sq" "$w/nc"
"$usr_image" "$w/a" "$w/key1.pem" "$w/cert1.pem" || fatal "usr-image.sh failed (first run)"
"$usr_image" "$w/b" "$w/key1.pem" "$w/cert1.pem" || fatal "usr-image.sh failed (second run)"
for f in usr.img usr-verity.img usr.roothash usr.p7s usr-verity-sig.img usr.env; do
	check "usr-image.sh is not reproducible: $f differs between two runs" cmp "$w/a/$f" "$w/b/$f"
done

a=$w/a
roothash=$(cat "$a/usr.roothash")
[[ $roothash =~ ^[0-9a-f]{64}$ ]] || fatal "usr.roothash is not 64 lowercase hex digits: '$roothash'"
check "usr.img is not a multiple of 4096 bytes" test $(($(stat -c %s "$a/usr.img") % 4096)) = 0

# dm-verity: the tree verifies, and one flipped byte of data breaks it.
check "veritysetup verify fails on the new image" \
	veritysetup verify "$a/usr.img" "$a/usr-verity.img" "$roothash"
cp "$a/usr.img" "$w/corrupt.img"
off=$(($(stat -c %s "$w/corrupt.img") / 2))
byte=$(od -An -tu1 -j "$off" -N1 "$w/corrupt.img" | tr -d ' ')
printf '%b' "\\$(printf %03o $((byte ^ 0xff)))" | dd of="$w/corrupt.img" bs=1 seek="$off" conv=notrunc status=none
refute "veritysetup verify passes an image with a flipped byte" \
	veritysetup verify "$w/corrupt.img" "$a/usr-verity.img" "$roothash"

# The signature: detached PKCS#7 over the hex string, trusted only through the given cert.
cms_verify() { # P7S CERT CONTENT
	openssl cms -verify -binary -inform DER -in "$1" -content "$3" \
		-CAfile "$2" -certfile "$2" -partial_chain -purpose any -out /dev/null
}
check "usr.p7s does not verify against cert1" cms_verify "$a/usr.p7s" "$w/cert1.pem" "$a/usr.roothash"
openssl cms -sign -binary -noattr -nosmimecap -md sha256 -outform DER -signer "$w/cert2.pem" \
	-inkey "$w/key2.pem" -in "$a/usr.roothash" -out "$w/other.p7s" || fatal "openssl cannot sign with key2"
refute "a signature by key2 verifies against cert1" cms_verify "$w/other.p7s" "$w/cert1.pem" "$a/usr.roothash"
printf '%s\n' "$roothash" >"$w/roothash-nl"
refute "usr.p7s verifies over the root hash with a newline" \
	cms_verify "$a/usr.p7s" "$w/cert1.pem" "$w/roothash-nl"
check "usr.p7s does not embed the signer certificate" \
	sh -c 'openssl pkcs7 -inform DER -in "$1" -print_certs | grep -q "verinit lab test 1"' - "$a/usr.p7s"

# The usr-verity-sig partition: compact JSON, then NULs to exactly 16 KiB.
sig=$a/usr-verity-sig.img
check "usr-verity-sig.img is not 16384 bytes" test "$(stat -c %s "$sig")" = 16384
json=$(tr -d '\0' <"$sig")
len=${#json}
check "usr-verity-sig.img has bytes other than NUL after the JSON" \
	test "$(tail -c +$((len + 1)) "$sig" | tr -d '\0' | wc -c)" = 0
check "usr-verity-sig.img's JSON is not compact" test "$json" = "$(jq -c . <<<"$json")"
fpr=$(openssl x509 -in "$w/cert1.pem" -outform DER | sha256sum | cut -c1-64)
check "JSON rootHash is not the root hash" test "$(jq -r .rootHash <<<"$json")" = "$roothash"
check "JSON certificateFingerprint is not the cert's DER sha256" \
	test "$(jq -r .certificateFingerprint <<<"$json")" = "$fpr"
jq -r .signature <<<"$json" | base64 -d >"$w/json.p7s" 2>/dev/null || true
check "JSON signature is not usr.p7s in base64" cmp "$w/json.p7s" "$a/usr.p7s"
check "JSON keys are not exactly rootHash, certificateFingerprint, signature" \
	test "$(jq -c keys_unsorted <<<"$json")" = '["rootHash","certificateFingerprint","signature"]'

# usr.env: the repart derivation of the PARTUUIDs.
uuid_of() { local h=$1; echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }
env_get() { sed -n "s/^$1=//p" "$2/usr.env"; }
usr_uuid=$(uuid_of "${roothash:0:32}") verity_uuid=$(uuid_of "${roothash:32:32}")
check "usr.env ROOTHASH is wrong" test "$(env_get ROOTHASH "$a")" = "$roothash"
check "usr.env USR_PARTUUID is not the first half of the root hash" \
	test "$(env_get USR_PARTUUID "$a")" = "$usr_uuid"
check "usr.env VERITY_PARTUUID is not the second half of the root hash" \
	test "$(env_get VERITY_PARTUUID "$a")" = "$verity_uuid"
sig_uuid=$(env_get SIG_PARTUUID "$a")
check "usr.env SIG_PARTUUID is not a UUID distinct from the other two" sh -c \
	'echo "$1" | grep -qE "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$" && [ "$1" != "$2" ] && [ "$1" != "$3" ]' \
	- "$sig_uuid" "$usr_uuid" "$verity_uuid"
check "usr.env FSTYPE is not erofs" test "$(env_get FSTYPE "$a")" = erofs
check "usr.env CERT_FPR is not the cert's fingerprint" test "$(env_get CERT_FPR "$a")" = "$fpr"

# The other variants: squashfs, and a signature without the embedded certificate.
if "$usr_image" "$w/sq" "$w/key1.pem" "$w/cert1.pem" --fs squashfs; then
	ok
	check "squashfs image: veritysetup verify fails" \
		veritysetup verify "$w/sq/usr.img" "$w/sq/usr-verity.img" "$(cat "$w/sq/usr.roothash")"
	check "squashfs image: usr.env FSTYPE is not squashfs" test "$(env_get FSTYPE "$w/sq")" = squashfs
else
	fail "usr-image.sh --fs squashfs failed"
fi
if "$usr_image" "$w/nc" "$w/key1.pem" "$w/cert1.pem" --nocerts; then
	ok
	refute "--nocerts: usr.p7s still embeds a certificate" \
		sh -c 'openssl pkcs7 -inform DER -in "$1" -print_certs | grep -q subject' - "$w/nc/usr.p7s"
	check "--nocerts: usr.p7s does not verify with cert1 given" \
		cms_verify "$w/nc/usr.p7s" "$w/cert1.pem" "$w/nc/usr.roothash"
else
	fail "usr-image.sh --nocerts failed"
fi
# ext4 (OS Guard's /usr), with its own GPT label: reproducible too, and mountable as it is.
rm -rf "$w/e4" "$w/e4b"
if "$usr_image" "$w/e4" "$w/key1.pem" "$w/cert1.pem" --fs ext4 --label usr-a &&
	"$usr_image" "$w/e4b" "$w/key1.pem" "$w/cert1.pem" --fs ext4 --label usr-a; then
	ok
	check "ext4 image: not reproducible" cmp "$w/e4/usr.img" "$w/e4b/usr.img"
	check "ext4 image: veritysetup verify fails" \
		veritysetup verify "$w/e4/usr.img" "$w/e4/usr-verity.img" "$(cat "$w/e4/usr.roothash")"
	check "ext4 image: usr.env FSTYPE is not ext4" test "$(env_get FSTYPE "$w/e4")" = ext4
	check "--label: usr.env USR_LABEL is not usr-a" test "$(env_get USR_LABEL "$w/e4")" = usr-a
	check "ext4 image: fsck finds errors or a journal" sh -c \
		'e2fsck -fn "$1" && ! dumpe2fs -h "$1" 2>/dev/null | grep -q has_journal' - "$w/e4/usr.img"
	check "ext4 image: the test init is not at lib/verinit-test/init" sh -c \
		'debugfs -R "stat /lib/verinit-test/init" "$1" 2>/dev/null | grep -q "Type: regular"' - "$w/e4/usr.img"
else
	fail "usr-image.sh --fs ext4 --label usr-a failed"
fi
refute "usr-image.sh takes a label that is no GPT label" "$usr_image" "$w/badlabel" "$w/key1.pem" "$w/cert1.pem" --label 'usr a'
check "usr-image.sh accepts a key that does not match the certificate" \
	sh -c '! "$1" "$2/mismatch" "$2/key2.pem" "$2/cert1.pem" 2>/dev/null && [ ! -e "$2/mismatch" ]' \
	- "$usr_image" "$w"

# The disk.
esp_type=c12a7328-f81f-11d2-ba4b-00a0c93ec93b usr_type=8484680c-9521-48c6-9c11-b0720656f69e
verity_type=77ff5f63-e7b6-4633-acf4-1565b864c0e6 sig_type=e7bb33fb-06cf-4e81-8273-e543b413e2e2
mkdir -p "$w/esp/EFI/BOOT"
echo "dummy UKI" >"$w/esp/EFI/BOOT/BOOTX64.EFI"
parts() { # DISK: "type uuid" per partition, lowercase
	sfdisk --json "$1" | jq -r '.partitiontable.partitions[] | "\(.type) \(.uuid)" | ascii_downcase'
}
count_type() { parts "$1" | grep -c "^$2 " || true; }

rm -f "$w/disk.img" "$w/disk2.img" "$w/two.img" "$w/nosig.img"
"$disk" "$w/disk.img" "$w/esp" "$a" || fatal "disk.sh failed"
"$disk" "$w/disk2.img" "$w/esp" "$a" || fatal "disk.sh failed (second run)"
check "disk.sh is not reproducible" cmp "$w/disk.img" "$w/disk2.img"
expected="$esp_type
$usr_type $usr_uuid
$verity_type $verity_uuid
$sig_type $sig_uuid"
got=$(parts "$w/disk.img" | sed "1s/ .*//")
check "disk partitions are '${got//$'\n'/; }', expected '${expected//$'\n'/; }'" test "$got" = "$expected"
check "the ESP does not hold EFI/BOOT/BOOTX64.EFI" sh -c \
	'MTOOLS_SKIP_CHECK=1 mtype -i "$1@@1M" ::/EFI/BOOT/BOOTX64.EFI | cmp -s - "$2"' \
	- "$w/disk.img" "$w/esp/EFI/BOOT/BOOTX64.EFI"

if "$disk" "$w/two.img" "$w/esp" "$a" --two-usr; then
	ok
	check "--two-usr does not give two usr partitions" test "$(count_type "$w/two.img" "$usr_type")" = 2
	check "--two-usr: the usr PARTUUIDs are not distinct" \
		test "$(parts "$w/two.img" | grep "^$usr_type " | sort -u | wc -l)" = 2
else
	fail "disk.sh --two-usr failed"
fi
if "$disk" "$w/nosig.img" "$w/esp" "$a" --no-sig; then
	ok
	check "--no-sig still has a usr-verity-sig partition" test "$(count_type "$w/nosig.img" "$sig_type")" = 0
	check "--no-sig lost the usr or usr-verity partition" \
		test "$(count_type "$w/nosig.img" "$usr_type")$(count_type "$w/nosig.img" "$verity_type")" = 11
else
	fail "disk.sh --no-sig failed"
fi

# OS Guard's disk: the definitions' A slot with their PARTUUIDs, the B slot systemd-repart adds,
# reproducibly; /usr sits on a generic-type partition; an erofs /usr is refused.
osguard=$here/qemu/osguard-disk.sh
generic_type=0fc63daf-8483-4772-8e79-3d69d8477de4 root_type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709
defs_uuid() { sed -n 's/^UUID=//p' "$here/qemu/osguard/repart.d/$1.conf"; }
if [ -d "$w/e4" ] && "$osguard" "$w/og.img" "$w/esp" "$w/e4" && "$osguard" "$w/og2.img" "$w/esp" "$w/e4"; then
	ok
	check "osguard-disk.sh is not reproducible" cmp "$w/og.img" "$w/og2.img"
	og_labels() { sfdisk --json "$1" | jq -r '.partitiontable.partitions[] | "\(.name):\(.type | ascii_downcase)"' | paste -sd ' ' -; }
	want="esp:$esp_type boot-a:$generic_type usr-a:$generic_type usr-hash-a:$verity_type root-a:$root_type"
	want+=" boot-b:$generic_type usr-b:$usr_type usr-hash-b:$verity_type root-b:$root_type"
	check "OS Guard partitions are '$(og_labels "$w/og.img")', expected '$want'" test "$(og_labels "$w/og.img")" = "$want"
	check "usr-a, usr-hash-a and root-a do not have the definitions' PARTUUIDs" test \
		"$(parts "$w/og.img" | sed -n '3p;4p;5p' | cut -d' ' -f2 | paste -sd ' ' -)" = \
		"$(defs_uuid 12-usr-a) $(defs_uuid 13-usr-hash-a) $(defs_uuid 14-root-a)"
	check "usr-a does not hold the ext4 /usr" bash -c \
		'cmp -s -n "$(stat -c %s "$2")" "$2" <(tail -c +$(($(sfdisk --json "$1" | jq ".partitiontable.partitions[2].start") * 512 + 1)) "$1")' \
		- "$w/og.img" "$w/e4/usr.img"
else
	fail "osguard-disk.sh failed"
fi
refute "osguard-disk.sh takes an erofs /usr" "$osguard" "$w/og-erofs.img" "$w/esp" "$a"
check "a refused osguard-disk.sh left its image behind" test ! -e "$w/og-erofs.img"

if [ "$failures" -gt 0 ]; then
	echo "lab-disk: $failures of $checks checks failed"
	exit 1
fi
echo "lab-disk: all $checks checks passed"
