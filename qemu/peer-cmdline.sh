# shellcheck shell=bash
# Sourced by qemu/incumbent.sh and qemu/script-peer.sh: what both of make bench's peers take from
# the lab, and the kernel command line they boot with, so that they find the same devices, root hash, signature and init.
# systemd reads these words; the script peer (qemu/guest/script-init) reads the same ones.

# peer_cmdline LAB_DIR: the command line on stdout; dies (qemu/lib.sh) without the lab's usr.env.
peer_cmdline() {
	local env=$1/usr/usr.env roothash fstype
	roothash=$(sed -n 's/^ROOTHASH=\([0-9a-f]*\)$/\1/p' "$env")
	fstype=$(sed -n 's/^FSTYPE=\([0-9a-z-]*\)$/\1/p' "$env")
	[ -n "$roothash" ] && [ -n "$fstype" ] || die "$env lacks ROOTHASH or FSTYPE"
	echo "console=ttyS0 panic=-1 root=tmpfs usrhash=$roothash" \
		"systemd.verity_usr_data=/dev/vda2 systemd.verity_usr_hash=/dev/vda3" \
		"systemd.verity_usr_options=root-hash-signature=/etc/verity/usr.p7s" \
		"mount.usr=/dev/mapper/usr mount.usrfstype=$fstype mount.usrflags=ro" \
		"init=/usr/lib/verinit-test/init dm_verity.require_signatures=1"
}

# peer_lab_ready LAB_DIR: dies unless the lab holds what a peer's UKI is built from.
peer_lab_ready() {
	local f
	for f in kernel/vmlinuz kernel/kver kernel/modules/modules.dep keys/db.key keys/db.crt usr/usr.env usr/usr.p7s; do
		[ -e "$1/$f" ] || die "$1/$f missing (run make lab)"
	done
}
