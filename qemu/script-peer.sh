#!/usr/bin/env bash
# make bench's second peer: a shell script doing verinit's job with stock tools (qemu/guest/
# script-init), in an initramfs of static busybox, veritysetup and blkid with their libraries, and
# the modules verinit loads on the lab's machine; signed as a UKI like the incumbent's.
#
# usage: qemu/script-peer.sh LAB_DIR OUT_DIR
#   LAB_DIR  the built lab (make lab): kernel/, keys/, usr/ (usr.env, usr.p7s)
#   OUT_DIR  gets initramfs-script.img and uki-script.efi
#
# The command line is the incumbent's (qemu/peer-cmdline.sh): the same devices, root hash, signature
# and init=. The libraries are the build host's (Debian 12's), found with ldd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/peer-cmdline.sh"
for t in /bin/busybox /usr/sbin/veritysetup /usr/sbin/blkid; do [ -x "$t" ] || die "$t missing"; done
[ $# -eq 2 ] || die "usage: qemu/script-peer.sh LAB_DIR OUT_DIR"
lab=$(cd "$1" && pwd) out=$2
peer_lab_ready "$lab"
fstype=$(sed -n 's/^FSTYPE=\([0-9a-z-]*\)$/\1/p' "$lab/usr/usr.env")
[ -n "$fstype" ] || die "$lab/usr/usr.env lacks FSTYPE"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/tree
mkdir -p "$tree"/{bin,usr/sbin,lib/modules,etc/verity}

install -m 0755 /bin/busybox "$tree/bin/busybox"
for a in sh mount mkdir cat cut printf sha256sum xxd dd insmod usleep switch_root; do
	ln -s busybox "$tree/bin/$a"
done
# Each library under the name the loader asks for (its soname), the loader where the binaries'
# PT_INTERP points.
for t in /usr/sbin/veritysetup /usr/sbin/blkid; do
	install -m 0755 "$t" "$tree$t"
	ldd "$t" | while read -r name arrow path _; do
		if [ "$arrow" = "=>" ] && [ -f "$path" ]; then
			mkdir -p "$tree$(dirname "$path")"
			install -m 0755 "$(readlink -f "$path")" "$tree$(dirname "$path")/$name"
		elif [[ $name == /* ]]; then
			mkdir -p "$tree$(dirname "$name")"
			install -m 0755 "$(readlink -f "$name")" "$tree$name"
		fi
	done
done
install -m 0644 "$lab/usr/usr.p7s" "$tree/etc/verity/usr.p7s"

# The modules of the lab's verinit boot ("Modules loaded: ..."; its TPM drivers are built into this
# kernel), each after what it needs, in modprobe's order, uncompressed as verinit's initramfs keeps
# them. A soft dependency is marked "?": its load may fail, as modprobe lets it. crc32c-intel
# (libcrc32c's softdep) is left out, as verinit leaves it out on QEMU's CPU, which lacks SSE4.2: a
# script written for this machine would not load a module that can only fail on it.
kver=$(cat "$lab/kernel/kver") moddir=$(readlink -f "$lab/kernel/modules")
mroot=${moddir%/lib/modules/"$kver"}
[ "$mroot" != "$moddir" ] || die "$moddir: not a lib/modules/$kver directory"
: >"$tree/etc/modules.order"
wanted=(virtio_blk dm-verity "$fstype" efivarfs crc32c_generic) hard=" " order=()
for m in "${wanted[@]}"; do
	deps=$(modprobe -d "$mroot" -S "$kver" --show-depends "$m") || die "module $m: not in $moddir"
	self=$(sed -n '$s/^insmod \([^ ]*\).*/\1/p' <<<"$deps")
	hard+="${self#"$moddir"/} $(sed -n "s|^${self#"$moddir"/}:||p" "$moddir/modules.dep") "
	mapfile -t -O ${#order[@]} order < <(sed -n 's/^insmod \([^ ]*\).*/\1/p' <<<"$deps")
done
for path in "${order[@]}"; do
	ko=$(basename "${path%.xz}") mark=
	[ "$ko" != crc32c-intel.ko ] || continue
	[[ $hard == *" ${path#"$moddir"/} "* ]] || mark="?"
	grep -qx "?*$ko" "$tree/etc/modules.order" && continue
	case $path in *.xz) xz -dc "$path" >"$tree/lib/modules/$ko" ;; *) cp "$path" "$tree/lib/modules/$ko" ;; esac
	echo "$mark$ko" >>"$tree/etc/modules.order"
done

"$here/initramfs.sh" "$out/initramfs-script.img" "$here/guest/script-init" "$tree"

cmdline=$(peer_cmdline "$lab")
"$here/../hooks/verinit-uki" --backend objcopy --output "$out/uki-script.efi" --key "$lab/keys/db.key" \
	--cert "$lab/keys/db.crt" --kernel "$lab/kernel/vmlinuz" --initrd "$out/initramfs-script.img" \
	--cmdline "$cmdline" >/dev/null
