#!/usr/bin/env bash
# Makes a tampered copy of a signed /usr directory (qemu/usr-image.sh's output) for negative tests:
# only the signature partition changes; the image and hash tree stay valid.
# Usage: qemu/tamper-usr.sh VARIANT SRC_DIR OUT_DIR KEYDIR
#   attacker-key  signed by the unenrolled attacker key (its certificate embedded, fingerprint its own)
#   other-hash    signed by db, but over another root hash than the one the JSON names
#   foreign-fpr   signed by db, but certificateFingerprint names the attacker's certificate
#   signed-attrs  signed by db with signed attributes (outside the profile systemd and the kernel use)
#   garbage-json  the partition holds no JSON at all
#   dup-keys      a second rootHash key (json-c keeps the last; a reader could take the first)
#   oversize-field  certificateFingerprint of 8000 hex digits
#   sha1-digest   signed by db with SHA-1 as the digest (the profile is SHA-256 only)
#   huge-partition  the right JSON, NUL-padded to 2 MiB (more than any sane signature partition)
# and, the signature left valid:
#   hash-flip     one bit flipped in the first hash block of the hash tree (its top)
#   hash-flip-leaf  one bit flipped in the first block of the tree's lowest level (the hashes of
#                 the first data blocks, which the mount reads): the top still matches
#   foreign-verity  the hash tree of another validly signed image (OTHER_DIR)
#   foreign-sig   the signature partition of another validly signed image (OTHER_DIR): a valid
#                 signature over its root hash, next to this image's data and hash tree
#   sb-algorithm  the hash tree's superblock names sha1 instead of sha256 (the tree is sha256's)
#   sb-data-blocks  the superblock's data_blocks one lower: the tree then covers one block less
#   sb-salt       the superblock's salt with one bit flipped
#   sb-hash-block-size  the superblock's hash_block_size 1024 instead of 4096
# Usage: qemu/tamper-usr.sh VARIANT SRC_DIR OUT_DIR KEYDIR [OTHER_DIR]
set -euo pipefail
variant=${1:?usage} src=${2:?usage} out=${3:?usage} keys=${4:?usage} other=${5:-}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
roothash=$(cat "$src/usr.roothash")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fpr() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
sign() { # key cert content [extra cms flags]
	printf %s "$3" >"$tmp/content"
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER -inkey "$1" -signer "$2" \
		-in "$tmp/content" -out "$tmp/p7" ${4:-} || die "signing failed"
}
json() { # roothash fingerprint p7 -> usr-verity-sig.img, padded as systemd-repart does
	printf '{"rootHash":"%s","certificateFingerprint":"%s","signature":"%s"}' "$1" "$2" \
		"$(base64 -w0 "$3")" >"$tmp/sig.img"
	truncate -s 16384 "$tmp/sig.img"
}

case $variant in
attacker-key) sign "$keys/attacker.key" "$keys/attacker.crt" "$roothash" -noattr
	json "$roothash" "$(fpr "$keys/attacker.crt")" "$tmp/p7" ;;
other-hash) sign "$keys/db.key" "$keys/db.crt" "$(printf %s "$roothash" | sha256sum | cut -c1-64)" -noattr
	json "$roothash" "$(fpr "$keys/db.crt")" "$tmp/p7" ;;
foreign-fpr) sign "$keys/db.key" "$keys/db.crt" "$roothash" -noattr
	json "$roothash" "$(fpr "$keys/attacker.crt")" "$tmp/p7" ;;
signed-attrs) sign "$keys/db.key" "$keys/db.crt" "$roothash"
	json "$roothash" "$(fpr "$keys/db.crt")" "$tmp/p7" ;;
garbage-json) printf 'this is not the JSON you are looking for' >"$tmp/sig.img"
	truncate -s 16384 "$tmp/sig.img" ;;
dup-keys) sign "$keys/db.key" "$keys/db.crt" "$roothash" -noattr
	printf '{"rootHash":"%s","rootHash":"%s","certificateFingerprint":"%s","signature":"%s"}' \
		"$(printf %s "$roothash" | sha256sum | cut -c1-64)" "$roothash" "$(fpr "$keys/db.crt")" \
		"$(base64 -w0 "$tmp/p7")" >"$tmp/sig.img"
	truncate -s 16384 "$tmp/sig.img" ;;
oversize-field) sign "$keys/db.key" "$keys/db.crt" "$roothash" -noattr
	json "$roothash" "$(printf 'ab%.0s' $(seq 4000))" "$tmp/p7" ;;
sha1-digest) sign "$keys/db.key" "$keys/db.crt" "$roothash" "-noattr -md sha1"
	json "$roothash" "$(fpr "$keys/db.crt")" "$tmp/p7" ;;
huge-partition) cp "$src/usr-verity-sig.img" "$tmp/sig.img"
	truncate -s $((2 * 1024 * 1024)) "$tmp/sig.img" ;;
sb-*) cp "$src/usr-verity-sig.img" "$tmp/sig.img"
	cp "$src/usr-verity.img" "$tmp/verity.img"
	# veritysetup's superblock (struct verity_sb): "verity\0\0", version, hash_type, uuid, then
	# algorithm[32] at 32, data_block_size at 64, hash_block_size at 68, data_blocks (le64) at 72,
	# salt_size at 80, salt at 88.
	put() { printf "$2" | dd of="$tmp/verity.img" bs=1 seek="$1" conv=notrunc status=none; }
	case $variant in
	sb-algorithm) put 32 'sha1\0\0\0' ;;
	sb-data-blocks)
		n=$(od -An -tu8 -j72 -N8 "$tmp/verity.img" | tr -d ' ')
		printf %016x $((n - 1)) | sed 's/\(..\)/\1 /g' | awk '{ for (i = NF; i >= 1; i--) printf "\\x%s", $i }' >"$tmp/le"
		put 72 "$(cat "$tmp/le")" ;;
	sb-salt)
		byte=$(od -An -tu1 -j88 -N1 "$tmp/verity.img" | tr -d ' ')
		put 88 "\\$(printf %03o $((byte ^ 1)))" ;;
	sb-hash-block-size) put 68 '\x00\x04\x00\x00' ;;
	*) die "unknown variant $variant" ;;
	esac ;;
hash-flip) cp "$src/usr-verity-sig.img" "$tmp/sig.img"
	cp "$src/usr-verity.img" "$tmp/verity.img"
	# The superblock is the first 4 KiB block; the hash blocks follow.
	byte=$(dd if="$tmp/verity.img" bs=1 skip=4096 count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %03o $((byte ^ 1)))" | dd of="$tmp/verity.img" bs=1 seek=4096 conv=notrunc status=none ;;
hash-flip-leaf) cp "$src/usr-verity-sig.img" "$tmp/sig.img"
	cp "$src/usr-verity.img" "$tmp/verity.img"
	# The levels from the top: the superblock's block, then each level, the top first; level 0 (the
	# hashes of the data blocks) last. 4 KiB blocks of 128 SHA-256 hashes, as usr-image.sh formats.
	blocks=$(veritysetup dump "$tmp/verity.img" | sed -n 's/^Data blocks:[[:space:]]*\([0-9]*\).*/\1/p')
	[ -n "$blocks" ] || die "veritysetup dump printed no data blocks"
	above=0 n=$(((blocks + 127) / 128))
	while [ "$n" -gt 1 ]; do n=$(((n + 127) / 128)); above=$((above + n)); done
	[ "$above" -gt 0 ] || die "the tree has one level: its top is its lowest level"
	off=$(((1 + above) * 4096))
	byte=$(dd if="$tmp/verity.img" bs=1 skip="$off" count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %03o $((byte ^ 1)))" | dd of="$tmp/verity.img" bs=1 seek="$off" conv=notrunc status=none ;;
foreign-sig) [ -r "$other/usr-verity-sig.img" ] || die "foreign-sig needs OTHER_DIR with usr-verity-sig.img"
	cp "$other/usr-verity-sig.img" "$tmp/sig.img" ;;
foreign-verity) [ -r "$other/usr-verity.img" ] || die "foreign-verity needs OTHER_DIR with usr-verity.img"
	cp "$src/usr-verity-sig.img" "$tmp/sig.img"
	cp "$other/usr-verity.img" "$tmp/verity.img" ;;
*) die "unknown variant '$variant'" ;;
esac
rm -rf "$out"
cp -a "$src" "$out"
cp "$tmp/sig.img" "$out/usr-verity-sig.img"
[ ! -e "$tmp/verity.img" ] || cp "$tmp/verity.img" "$out/usr-verity.img"
# cp -a kept the source's times; make must see this variant as newer than all it was built from.
touch "$out/usr.img"
