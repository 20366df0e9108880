#!/bin/bash
# Build the lab's signed, verity-protected /usr image, reproducibly.
#
# usage: qemu/usr-image.sh OUTDIR SIGN_KEY.pem SIGN_CERT.pem [--fs erofs|squashfs|ext4] [--nocerts]
#                          [--init-link TARGET] [--label LABEL] [--dynamic-init PROGRAM]
#                          [--selinux-stores DIR] [--attest-tools]
# --init-link makes the test init a symlink to TARGET (a negative test: an init that resolves
# outside the verified /usr). --label is the GPT label the usr partition will have (default usr).
# --dynamic-init adds a dynamically linked init with its loader and libraries (qemu/usr-tree.sh);
# --selinux-stores a copy of DIR as usr/share/verinit-test/selinux-stores; --attest-tools Debian's
# tpm2-tools with its loader and libraries, for the test init's attestation (qemu/usr-tree.sh).
#
# Writes into OUTDIR (created if needed; nothing is written there unless every step passed):
#   usr.img             erofs (default), squashfs or ext4 (OS Guard's) of /usr, a multiple of 4096 bytes
#   usr-verity.img      its dm-verity hash tree (with superblock; sha256, 4096-byte blocks)
#   usr.roothash        the root hash, lowercase hex, no newline
#   usr.p7s             detached PKCS#7 (DER) over the ASCII hex root hash, signer cert
#                       embedded as systemd 252 does (--nocerts leaves it out, as newer systemd)
#   usr-verity-sig.img  the DPS usr-verity-sig partition: compact JSON, NUL-padded to 16 KiB
#   usr.env             ROOTHASH, USR_PARTUUID, VERITY_PARTUUID, SIG_PARTUUID, FSTYPE, CERT_FPR,
#                       and USR_LABEL (--label): the GPT label qemu/disk.sh gives the usr partition,
#                       which verinit measures into PCR 15 and verinit-measure predict reads here
#
# The image holds qemu/usr-tree.sh's tree (busybox with its applet links, the test init
# usr/lib/verinit-test/init); hooks/verinit-sign signs it. SOURCE_DATE_EPOCH (default 0) sets
# every timestamp; salt and UUIDs are derived from the content, so two runs are identical.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
usage="usage: usr-image.sh OUTDIR SIGN_KEY.pem SIGN_CERT.pem [--fs erofs|squashfs|ext4] [--nocerts] [--init-link TARGET] [--label LABEL] [--dynamic-init PROGRAM] [--selinux-stores DIR] [--attest-tools]"

[ $# -ge 3 ] || die "$usage"
outdir=$1 key=$2 cert=$3
shift 3
fstype=erofs nocerts='' init_link='' label=usr dyninit='' stores='' attest=''
while [ $# -gt 0 ]; do
	case $1 in
	--fs) [ $# -ge 2 ] || die "--fs needs a value"; fstype=$2; shift 2 ;;
	--nocerts) nocerts=1; shift ;;
	--init-link) [ $# -ge 2 ] || die "--init-link needs a target"; init_link=$2; shift 2 ;;
	--label) [ $# -ge 2 ] || die "--label needs a value"; label=$2; shift 2 ;;
	--dynamic-init) [ $# -ge 2 ] || die "--dynamic-init needs a program"; dyninit=$2; shift 2 ;;
	--selinux-stores) [ $# -ge 2 ] || die "--selinux-stores needs a directory"; stores=$2; shift 2 ;;
	--attest-tools) attest=1; shift ;;
	*) die "unknown argument '$1' ($usage)" ;;
	esac
done
case $fstype in erofs | squashfs | ext4) ;; *) die "unknown file system '$fstype' (erofs, squashfs or ext4)" ;; esac
[[ $label =~ ^[A-Za-z0-9_.-]{1,36}$ ]] || die "--label '$label' is not a GPT label of 1 to 36 of [A-Za-z0-9_.-]"
[ -r "$key" ] || die "cannot read signing key $key"
[ -r "$cert" ] || die "cannot read signing certificate $cert"
for tool in mkfs.erofs mksquashfs sha256sum; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

epoch=${SOURCE_DATE_EPOCH:-0}
export SOURCE_DATE_EPOCH=$epoch
umask 022

made_outdir=
[ -d "$outdir" ] || made_outdir=1
mkdir -p "$outdir" || die "cannot create $outdir"
# Stage inside OUTDIR so the final step is a rename on the same file system.
stage=$(mktemp -d "$outdir/.usr-image.XXXXXX") || die "cannot create a temp dir in $outdir"
# On failure leave nothing behind, not even an OUTDIR we created.
trap 'rm -rf "$stage"; [ -z "$made_outdir" ] || rmdir "$outdir" 2>/dev/null || true' EXIT

tree=$stage/tree
"$here/usr-tree.sh" "$tree" ${init_link:+--init-link "$init_link"} ${dyninit:+--dynamic-init "$dyninit"} ${stores:+--selinux-stores "$stores"} \
	${attest:+--attest-tools}

# The file system UUID only has to be stable: derive it from the content.
fs_seed=$( {
	cat "$tree/usr/bin/busybox"
	if [ -n "$init_link" ]; then printf 'link:%s' "$init_link"; else cat "$tree/usr/lib/verinit-test/init"; fi
	[ -z "$dyninit" ] || cat "$tree/usr/lib/verinit-test/init-dyn"
	[ -z "$attest" ] || cat "$tree/usr/bin/tpm2"
	[ -z "$stores" ] || find "$tree/usr/share/verinit-test/selinux-stores" -type f | LC_ALL=C sort | xargs cat
} | sha256sum | cut -c1-64)
img=$stage/usr.img
case $fstype in
erofs)
	# -x-1: no xattrs from the build host.
	mkfs.erofs --quiet -x-1 --all-root -T"$epoch" -U"$(uuid_of "$fs_seed")" "$img" "$tree/usr" \
		>"$stage/mkfs.log" 2>&1 || die "mkfs.erofs failed: $(tail -n1 "$stage/mkfs.log")"
	;;
squashfs)
	# mksquashfs refuses SOURCE_DATE_EPOCH together with explicit times.
	env -u SOURCE_DATE_EPOCH mksquashfs "$tree/usr" "$img" -noappend -all-root -no-xattrs -all-time "$epoch" \
		-mkfs-time "$epoch" -quiet -no-progress \
		>"$stage/mkfs.log" 2>&1 || die "mksquashfs failed: $(tail -n1 "$stage/mkfs.log")"
	;;
ext4)
	# No journal: /usr is never written. Half again the tree's size and 4 MiB for the metadata.
	mib=$((($(du -sk --apparent-size "$tree/usr" | cut -f1) * 3 / 2 + 1023) / 1024 + 4))
	"$here/ext4-image.sh" "$img" "$mib" usr "$(uuid_of "$fs_seed")" --tree "$tree/usr" --no-journal
	;;
esac
size=$(stat -c %s "$img")
truncate -s $(((size + 4095) / 4096 * 4096)) "$img"

# The hash tree, signature and usr.env: the image builders' own tool (it checks its output).
"$here/../hooks/verinit-sign" usr --key "$key" --cert "$cert" --output "$stage" ${nocerts:+--nocerts} "$img" >/dev/null
echo "USR_LABEL=$label" >>"$stage/usr.env" || die "cannot write $stage/usr.env"

outputs=(usr.img usr-verity.img usr.roothash usr.p7s usr-verity-sig.img usr.env)
for f in "${outputs[@]}"; do
	mv -f "$stage/$f" "$outdir/$f" || {
		(cd "$outdir" && rm -f "${outputs[@]}")
		die "cannot move $f into $outdir"
	}
done
