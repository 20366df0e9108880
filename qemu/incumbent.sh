#!/usr/bin/env bash
# The incumbent that `make bench` measures verinit against: Debian 12's dracut (059) with systemd
# 252 doing the same job (verify the signed /usr with dm-verity, mount it, switch_root into the
# lab's test init), as a UKI signed like the lab's own (REFERENCE.md section 4 has the recipe).
#
# usage: qemu/incumbent.sh LAB_DIR OUT_DIR
#   LAB_DIR  the built lab (make lab): kernel/, keys/, usr/ (usr.env, usr.p7s)
#   OUT_DIR  gets initramfs-dracut.img and uki-dracut.efi
#
# The same kernel, disk, firmware and TPM as verinit's UKI; only the initramfs and the command
# line differ. systemd finds /usr on the lab disk's vda2 and vda3 (named by PARTUUID=, its
# by-partuuid device units never started here: 90 s, then the emergency shell) and checks the same
# detached signature (root-hash-signature=) against the same kernel keyring.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/peer-cmdline.sh"
[ $# -eq 2 ] || die "usage: qemu/incumbent.sh LAB_DIR OUT_DIR"
lab=$(cd "$1" && pwd) out=$2
peer_lab_ready "$lab"
command -v dracut >/dev/null || die "dracut not found (third_party/host-packages.sh bench installs dracut-core)"
env_get() { sed -n "s/^$1=\([0-9a-z-]*\)\$/\1/p" "$lab/usr/usr.env"; }
roothash=$(env_get ROOTHASH) fstype=$(env_get FSTYPE)
[ -n "$roothash" ] && [ -n "$fstype" ] || die "$lab/usr/usr.env lacks ROOTHASH or FSTYPE"
mkdir -p "$out"

# base: without it systemd does not know it runs in an initrd and stops in the emergency shell.
# The module tree is the lab's (the test kernel's), not the build host's; given through a
# symbolic link, dracut copies the modules under their link-resolved paths and indexes none.
DRACUT_KMODDIR_OVERRIDE=1 dracut --quiet --force --no-hostonly --reproducible \
	--kver "$(cat "$lab/kernel/kver")" --kmoddir "$(readlink -f "$lab/kernel/modules")" \
	-m "base systemd systemd-initrd systemd-veritysetup systemd-pcrphase dracut-systemd" \
	--add-drivers "virtio_blk dm-verity $fstype crc32c_generic libcrc32c" \
	--include "$lab/usr/usr.p7s" /etc/verity/usr.p7s \
	"$out/initramfs-dracut.img.part" >"$out/dracut.log" 2>&1 ||
	die "dracut failed: $(tail -n 1 "$out/dracut.log")"
mv -f "$out/initramfs-dracut.img.part" "$out/initramfs-dracut.img"

cmdline=$(peer_cmdline "$lab")
"$here/../hooks/verinit-uki" --backend objcopy --output "$out/uki-dracut.efi" --key "$lab/keys/db.key" \
	--cert "$lab/keys/db.crt" --kernel "$lab/kernel/vmlinuz" --initrd "$out/initramfs-dracut.img" \
	--cmdline "$cmdline" >/dev/null
