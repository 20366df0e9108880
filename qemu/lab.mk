# The boot lab's artefacts, included by the Makefile. Each rule names every input, so an artefact
# is rebuilt when one changes and reused otherwise. Everything lands in $(LAB).

LAB := $(BUILD)/lab
comma := ,
LAB_CMDLINE ?= console=ttyS0 panic=-1
# A bring-your-own kernel (qemu/kernel.sh): KERNEL= and MODULES=, or KERNEL_DEB=.
KERNEL ?=
MODULES ?=
KERNEL_DEB ?=
export KERNEL MODULES KERNEL_DEB

# Make variables are not files: record each in one, rewritten (at parse time) only when its value
# changes, so that artefacts built from a variable depend on that file.
want = $(shell mkdir -p $(LAB) && printf '%s\n' '$(2)' | cmp -s - $(LAB)/.want-$(1) || \
	printf '%s\n' '$(2)' >$(LAB)/.want-$(1))
$(call want,kernel,$(KERNEL) $(MODULES) $(KERNEL_DEB))
$(call want,cmdline,$(LAB_CMDLINE))

$(LAB)/kernel.stamp: qemu/kernel.sh qemu/fetch.sh qemu/tools.lock third_party/apt.sh $(LAB)/.want-kernel
	qemu/kernel.sh $(LAB)/kernel
	@touch $@

$(LAB)/keys/db.crt: qemu/keys.sh
	qemu/keys.sh $(LAB)/keys

$(LAB)/OVMF_VARS.fd: $(LAB)/keys/db.crt qemu/ovmf.sh qemu/fetch.sh qemu/tools.lock
	qemu/ovmf.sh $(LAB)/keys $@

# The IPE test policies (signed by db, whose key the kernel trusts through the platform keyring;
# one by the attacker; one truncated), in every lab initramfs under /etc/verinit/ipe, with a
# symlink that leaves verified storage (to sysfs) for the "not on verified storage" case. They
# do not depend on /usr; the policy pinned to /usr's root hash is only in initramfs-ipe-strict.
IPE_NO_ROOTHASH := $(shell printf '0%.0s' $$(seq 64))
$(LAB)/ipe/default.p7s: qemu/ipe-policy.sh hooks/verinit-sign $(LAB)/keys/db.crt
	qemu/ipe-policy.sh $(LAB)/ipe $(LAB)/keys/db.key $(LAB)/keys/db.crt $(IPE_NO_ROOTHASH) \
		$(LAB)/keys/attacker.key $(LAB)/keys/attacker.crt
	rm -f $(LAB)/ipe/strict.*
$(LAB)/ipe-strict/strict.p7s: qemu/ipe-policy.sh hooks/verinit-sign $(LAB)/keys/db.crt $(LAB)/usr/usr.img
	qemu/ipe-policy.sh $(LAB)/ipe-strict $(LAB)/keys/db.key $(LAB)/keys/db.crt "$$(cat $(LAB)/usr/usr.roothash)"
# The minimal SELinux policy (qemu/selinux/minimal.cil with lock.cil), the same without the
# secure_mode_policyload boolean (nolock.cil) and a corrupt copy, also in every initramfs.
$(LAB)/selinux/policy.bin: qemu/selinux-policy.sh qemu/selinux/minimal.cil qemu/selinux/lock.cil qemu/selinux/nolock.cil
	qemu/selinux-policy.sh $(LAB)/selinux

# verinit's initramfs, built by the image builders' own tool (hooks/verinit-mkinitramfs): the
# enrolled db certificate, the module closure of the config, the test policies, a second set of
# enrolled certificates that also trusts the attacker key (which the kernel does not: /usr signed
# by it activates only without the kernel's check), and a symlink off verified storage. Each
# image also gets its manifest and SPDX SBOM next to it.
INITRAMFS_INPUTS := $(BUILD)/verinit $(BUILD)/verinit-check-config hooks/verinit-mkinitramfs hooks/sbom.py \
	third_party/sources.lock $(LAB)/kernel.stamp $(LAB)/keys/db.crt $(LAB)/ipe/default.p7s $(LAB)/selinux/policy.bin
INITRAMFS_FILES = --cert $(LAB)/keys/db.crt \
	$(foreach p,default default-attacker default-truncated default-v0 default-v2,\
		--file $(LAB)/ipe/$(p).p7s:/etc/verinit/ipe/$(p).p7s) \
	--file $(LAB)/ipe/default.pol:/etc/verinit/ipe/default.pol \
	--file $(LAB)/selinux/policy.bin:/etc/verinit/selinux/policy.bin \
	--file $(LAB)/selinux/policy-nolock.bin:/etc/verinit/selinux/policy-nolock.bin \
	--file $(LAB)/selinux/policy-corrupt.bin:/etc/verinit/selinux/policy-corrupt.bin \
	--file $(LAB)/keys/db.crt:/etc/verinit/certs-and-attacker/db.crt \
	--file $(LAB)/keys/attacker.crt:/etc/verinit/certs-and-attacker/attacker.crt \
	--symlink /etc/verinit/ipe/unverified.p7s:/sys/kernel/notes
# $(call mkinitramfs,config[,extra arguments])
mkinitramfs = hooks/verinit-mkinitramfs --verinit $(BUILD)/verinit --check-config $(BUILD)/verinit-check-config \
	--config $(1) --kernel-version "$$(cat $(LAB)/kernel/kver)" --modules $(LAB)/kernel/modules \
	$(INITRAMFS_FILES) $(2) --output $@ --sbom $(@:.img=.spdx.json) >$(@:.img=.manifest)

$(LAB)/initramfs.img: $(INITRAMFS_INPUTS) qemu/verinit.conf
	$(call mkinitramfs,qemu/verinit.conf)
# Configuration variants: qemu/conf/NAME.conf's keys replace the lab config's.
$(LAB)/conf/%.conf: qemu/verinit.conf qemu/conf/%.conf qemu/merge-conf.sh
	@mkdir -p $(@D)
	qemu/merge-conf.sh qemu/verinit.conf qemu/conf/$*.conf $@
$(LAB)/initramfs-%.img: $(INITRAMFS_INPUTS) $(LAB)/conf/%.conf
	$(call mkinitramfs,$(LAB)/conf/$*.conf)
# A config naming a module the tree lacks. verinit-mkinitramfs refuses to build that, so the config
# goes after the lab's initramfs as a second, plain cpio (the kernel wants it 4-byte aligned; zeros
# between archives are skipped): the kernel unpacks both and the later file wins.
$(LAB)/initramfs-module-missing.img: $(LAB)/initramfs.img $(LAB)/conf/module-missing.conf
	rm -rf $@.d && mkdir -p $@.d/etc && cp $(LAB)/conf/module-missing.conf $@.d/etc/verinit.conf
	cd $@.d && echo etc/verinit.conf | cpio --quiet -o -H newc -R 0:0 --reproducible >../$(@F).cpio
	cp $< $@.part && truncate -s %512 $@.part && cat $@.cpio >>$@.part && rm -rf $@.d $@.cpio && mv $@.part $@
# The policy pinned to /usr's root hash only where it is used, so that no other UKI depends on /usr.
$(LAB)/initramfs-ipe-strict.img: $(INITRAMFS_INPUTS) $(LAB)/conf/ipe-strict.conf $(LAB)/ipe-strict/strict.p7s
	$(call mkinitramfs,$(LAB)/conf/ipe-strict.conf,--file $(LAB)/ipe-strict/strict.p7s:/etc/verinit/ipe/strict.p7s)

# UKIs by the image builders' own tool (hooks/verinit-uki: systemd-stub 252, sbsign).
# $(call uki,key name,initramfs[,extra command-line words[,more verinit-uki arguments]])
uki = hooks/verinit-uki --output $@ --key $(LAB)/keys/$(1).key --cert $(LAB)/keys/$(1).crt \
	--kernel $(LAB)/kernel/vmlinuz --initrd $(2) --cmdline "$(strip $(LAB_CMDLINE) $(3))" $(4) >/dev/null
UKI_DEPS := $(LAB)/kernel.stamp $(LAB)/keys/db.crt hooks/verinit-uki $(LAB)/.want-cmdline

# The lab's UKI, with the PCR values a good boot of it leaves published next to it
# (uki.pcrs.json): the hand-over cases compare them with the guest's TPM.
$(LAB)/uki.efi: $(LAB)/initramfs.img $(UKI_DEPS) $(BUILD)/verinit-measure $(LAB)/usr/usr.img
	$(call uki,db,$<,,--predict $(BUILD)/verinit-measure --usr-env $(LAB)/usr/usr.env --config qemu/verinit.conf)
$(LAB)/uki-attacker.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,attacker,$<)

# The installed tools on their own: `make install`'s files into $(LAB)/installed (its prerequisites,
# the install table's sources, are named in the Makefile after the table is complete), then that tree's
# verinit-mkinitramfs, verinit-uki and verinit-measure, run from / with only that bin/ and the
# system's on PATH, build the lab's initramfs and a UKI with its published prediction. The
# installed-tools case boots it and checks that the initramfs is the lab's, byte for byte.
ALAB := $(abspath $(LAB))
INSTALLED := $(ALAB)/installed
$(LAB)/installed/.stamp:
	rm -rf $(INSTALLED) && $(call install_files,$(INSTALLED)/usr) >/dev/null
	@touch $@
installed = cd / && env -i HOME=/ PATH=$(INSTALLED)/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin
$(LAB)/installed/initramfs.img: $(LAB)/installed/.stamp $(INITRAMFS_INPUTS) qemu/verinit.conf
	$(installed) verinit-mkinitramfs --verinit $(INSTALLED)/usr/lib/verinit/verinit --config $(abspath qemu/verinit.conf) \
		--kernel-version "$$(cat $(ALAB)/kernel/kver)" --modules $(ALAB)/kernel/modules \
		$(patsubst $(LAB)/%,$(ALAB)/%,$(INITRAMFS_FILES)) --output $(abspath $@) \
		--sbom $(abspath $(@:.img=.spdx.json)) >$(abspath $(@:.img=.manifest))
$(LAB)/uki-installed.efi: $(LAB)/installed/initramfs.img $(UKI_DEPS) $(LAB)/usr/usr.img
	$(installed) verinit-uki --output $(abspath $@) --key $(ALAB)/keys/db.key --cert $(ALAB)/keys/db.crt \
		--kernel $(ALAB)/kernel/vmlinuz --initrd $(abspath $<) --cmdline "$(strip $(LAB_CMDLINE))" \
		--predict verinit-measure --usr-env $(ALAB)/usr/usr.env --config $(abspath qemu/verinit.conf) >/dev/null

# The probe: the guest's report program as /init with busybox, to show the lab's firmware, TPM
# and report plumbing on their own, independent of what verinit can do yet.
$(LAB)/probe-initramfs.img: qemu/guest/init qemu/initramfs.sh
	rm -rf $(LAB)/probe-tree && mkdir -p $(LAB)/probe-tree/usr/bin
	cp /bin/busybox $(LAB)/probe-tree/usr/bin/busybox
	qemu/initramfs.sh $@ qemu/guest/init $(LAB)/probe-tree
$(LAB)/uki-probe.efi: $(LAB)/probe-initramfs.img $(UKI_DEPS)
	$(call uki,db,$<)

# The verified /usr: file system, dm-verity hash tree, signature partition; signed with db.
$(LAB)/usr/usr.img: qemu/usr-image.sh qemu/lib.sh qemu/usr-tree.sh hooks/verinit-sign qemu/guest/init $(LAB)/keys/db.crt
	qemu/usr-image.sh $(LAB)/usr $(LAB)/keys/db.key $(LAB)/keys/db.crt

# GPT disks: the ESP carries the UKI as the removable-media boot path.
$(LAB)/esp/EFI/BOOT/BOOTX64.EFI: $(LAB)/uki.efi
	mkdir -p $(@D) && cp $< $@
$(LAB)/disk.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr
$(LAB)/disk-attacker.img: $(LAB)/uki-attacker.efi $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	rm -rf $(LAB)/esp-attacker && mkdir -p $(LAB)/esp-attacker/EFI/BOOT
	cp $< $(LAB)/esp-attacker/EFI/BOOT/BOOTX64.EFI
	qemu/disk.sh $@ $(LAB)/esp-attacker $(LAB)/usr

# The lab's /usr tree in a disk written by systemd-repart 252 (squashfs, 512-byte verity blocks,
# its own signature JSON), booted with verinit unmodified; only usr.fstype=squashfs is configured
# (qemu/conf/repart.conf). Not reproducible: repart picks a random salt, so disk-repart.env says
# what this build holds. It needs root and a loop device, so it is not in LAB_IMAGES: `make check`
# builds it as a check of its own (lab-repart-disk), and a machine without loop devices fails that
# check and the repart case, not the whole lab.
$(LAB)/disk-repart.img: qemu/repart-disk.sh qemu/lib.sh qemu/usr-tree.sh qemu/guest/init $(LAB)/keys/db.crt
	qemu/repart-disk.sh $@ $(LAB)/keys/db.key $(LAB)/keys/db.crt
# An A/B disk in one run of systemd-repart: slots usr_1 and usr_2, each signed, each tree marked
# with its name (disk-repart-ab.K.env: slot K). Booted with the usrhash= of each slot, as the UKI
# of each slot pins its own; the same disk without usrhash= is ambiguous unless usr.slots=newest.
# Built with disk-repart.img by the lab-repart-disk check, and for the same reasons not in LAB_IMAGES.
$(LAB)/disk-repart-ab.img: qemu/repart-disk.sh qemu/lib.sh qemu/usr-tree.sh qemu/guest/init $(LAB)/keys/db.crt
	qemu/repart-disk.sh --slots 2 $@ $(LAB)/keys/db.key $(LAB)/keys/db.crt
$(LAB)/uki-ab-%.efi: $(LAB)/initramfs-repart.img $(UKI_DEPS) $(LAB)/disk-repart-ab.img
	$(call uki,db,$<,usrhash=$$(sed -n 's/^ROOTHASH=//p' $(LAB)/disk-repart-ab.$*.env))
REPART_IMAGES := $(LAB)/disk-repart.img $(LAB)/disk-repart-ab.img $(LAB)/uki-ab-1.efi $(LAB)/uki-ab-2.efi
.PHONY: lab-repart
lab-repart: $(REPART_IMAGES)

# An Azure Linux OS Guard-shaped disk (qemu/osguard-disk.sh from qemu/osguard/repart.d): ext4 /usr
# on a generic-type partition, no signature partition (the signature file is in the initramfs), a
# writable ext4 root, the empty B slot systemd-repart adds at first boot. Booted from its own ESP
# with OS Guard's command line, unedited: its devices by PARTUUID (the definitions' UUID=).
OSGUARD_DEFS := $(wildcard qemu/osguard/repart.d/*.conf)
osguard_uuid = $$(sed -n 's/^UUID=//p' qemu/osguard/repart.d/$(1).conf)
OSGUARD_CMDLINE = usrhash=$$(cat $(LAB)/usr-osguard/usr.roothash) \
	systemd.verity_usr_data=PARTUUID=$(call osguard_uuid,12-usr-a) \
	systemd.verity_usr_hash=PARTUUID=$(call osguard_uuid,13-usr-hash-a) \
	root=PARTUUID=$(call osguard_uuid,14-root-a) rootfstype=ext4 rootflags=nodev$(comma)nosuid \
	mount.usrfstype=ext4 rd.luks=0 rd.hostonly=0 net.ifnames=1 ipe.enforce=0
$(LAB)/usr-osguard/usr.img: qemu/usr-image.sh qemu/lib.sh qemu/usr-tree.sh qemu/ext4-image.sh hooks/verinit-sign qemu/guest/init $(LAB)/keys/db.crt \
		$(LAB)/selinux/policy.bin
	qemu/usr-image.sh $(LAB)/usr-osguard $(LAB)/keys/db.key $(LAB)/keys/db.crt --fs ext4 --label usr-a \
		--selinux-stores $(LAB)/selinux/stores
# The same root hash, signed by the unenrolled attacker key (the tree's salt derives from the image).
$(LAB)/usr-osguard-attacker/usr.p7s: $(LAB)/usr-osguard/usr.img hooks/verinit-sign $(LAB)/keys/db.crt
	hooks/verinit-sign usr --key $(LAB)/keys/attacker.key --cert $(LAB)/keys/attacker.crt --output $(@D) $< >/dev/null
$(LAB)/conf/osguard.conf: qemu/verinit.conf qemu/conf/osguard.conf qemu/merge-conf.sh qemu/osguard/repart.d/14-root-a.conf
	@mkdir -p $(@D)
	qemu/merge-conf.sh qemu/verinit.conf qemu/conf/osguard.conf $@.part
	echo "root=PARTUUID=$(call osguard_uuid,14-root-a)" >>$@.part && mv $@.part $@
$(LAB)/initramfs-osguard.img: $(INITRAMFS_INPUTS) $(LAB)/conf/osguard.conf $(LAB)/usr-osguard/usr.img
	$(call mkinitramfs,$(LAB)/conf/osguard.conf,--file $(LAB)/usr-osguard/usr.p7s:/etc/verinit/usr.p7s)
$(LAB)/initramfs-osguard-attacker.img: $(INITRAMFS_INPUTS) $(LAB)/conf/osguard.conf $(LAB)/usr-osguard-attacker/usr.p7s
	$(call mkinitramfs,$(LAB)/conf/osguard.conf,--file $(LAB)/usr-osguard-attacker/usr.p7s:/etc/verinit/usr.p7s)
$(LAB)/uki-osguard.efi: $(LAB)/initramfs-osguard.img $(UKI_DEPS) $(BUILD)/verinit-measure $(OSGUARD_DEFS)
	$(call uki,db,$<,$(OSGUARD_CMDLINE),--predict $(BUILD)/verinit-measure --usr-env $(LAB)/usr-osguard/usr.env \
		--config $(LAB)/conf/osguard.conf --ipe-policy $(LAB)/ipe/default.p7s --ipe-mode audit)
$(LAB)/uki-osguard-attacker.efi: $(LAB)/initramfs-osguard-attacker.img $(UKI_DEPS) $(OSGUARD_DEFS)
	$(call uki,db,$<,$(OSGUARD_CMDLINE))
# $(call osguard_disk,uki,usr dir[,more osguard-disk.sh arguments]): the disk with that UKI on its ESP.
osguard_disk = rm -rf $@.esp && mkdir -p $@.esp/EFI/BOOT && cp $(1) $@.esp/EFI/BOOT/BOOTX64.EFI && \
	qemu/osguard-disk.sh $@ $@.esp $(2) $(3) && rm -rf $@.esp
OSGUARD_DISK_DEPS := qemu/osguard-disk.sh qemu/ext4-image.sh $(OSGUARD_DEFS) $(LAB)/usr-osguard/usr.img
$(LAB)/disk-osguard.img: $(LAB)/uki-osguard.efi $(OSGUARD_DISK_DEPS)
	$(call osguard_disk,$<,$(LAB)/usr-osguard)
$(LAB)/disk-osguard-attacker.img: $(LAB)/uki-osguard-attacker.efi $(OSGUARD_DISK_DEPS)
	$(call osguard_disk,$<,$(LAB)/usr-osguard)

# A dynamically linked init (qemu/guest/dyninit.c, built against the host's glibc) on OS Guard's
# /usr with its loader and libc, and what the writable root may do about it (qemu/root-tree.sh):
# a merged-/usr root hands over; a root with a loader of its own at /lib64, or an ld.so.preload,
# or /usr a symlink, must not. One /usr image, initramfs and UKI; a disk per root.
$(LAB)/dyninit: qemu/guest/dyninit.c
	$(HOST_CC) -O2 -o $@ $<
$(LAB)/usr-osguard-dyn/usr.img: qemu/usr-image.sh qemu/lib.sh qemu/usr-tree.sh qemu/ext4-image.sh hooks/verinit-sign qemu/guest/init \
		$(LAB)/keys/db.crt $(LAB)/dyninit
	qemu/usr-image.sh $(@D) $(LAB)/keys/db.key $(LAB)/keys/db.crt --fs ext4 --label usr-a --dynamic-init $(LAB)/dyninit
$(LAB)/conf/osguard-dyn.conf: $(LAB)/conf/osguard.conf qemu/merge-conf.sh
	printf '%s\n' init=/usr/lib/verinit-test/init-dyn >$@.variant
	qemu/merge-conf.sh $< $@.variant $@ && rm -f $@.variant
$(LAB)/initramfs-osguard-dyn.img: $(INITRAMFS_INPUTS) $(LAB)/conf/osguard-dyn.conf $(LAB)/usr-osguard-dyn/usr.img
	$(call mkinitramfs,$(LAB)/conf/osguard-dyn.conf,--file $(LAB)/usr-osguard-dyn/usr.p7s:/etc/verinit/usr.p7s)
$(LAB)/uki-osguard-dyn.efi: $(LAB)/initramfs-osguard-dyn.img $(UKI_DEPS) $(BUILD)/verinit-measure $(OSGUARD_DEFS)
	$(call uki,db,$<,$(subst usr-osguard/,usr-osguard-dyn/,$(OSGUARD_CMDLINE)),--predict $(BUILD)/verinit-measure \
		--usr-env $(LAB)/usr-osguard-dyn/usr.env --config $(LAB)/conf/osguard-dyn.conf --ipe-policy $(LAB)/ipe/default.p7s \
		--ipe-mode audit)
OSGUARD_ROOTS := merged hijack preload usr-symlink
$(LAB)/root-%/.stamp: qemu/root-tree.sh
	rm -rf $(@D) && qemu/root-tree.sh $(@D) $* && touch $@
.SECONDARY: $(patsubst %,$(LAB)/root-%/.stamp,$(OSGUARD_ROOTS) selinux-permissive)
$(LAB)/disk-osguard-root-%.img: $(LAB)/uki-osguard-dyn.efi $(LAB)/root-%/.stamp qemu/osguard-disk.sh qemu/ext4-image.sh \
		$(OSGUARD_DEFS) $(LAB)/usr-osguard-dyn/usr.img
	$(call osguard_disk,$<,$(LAB)/usr-osguard-dyn,--root-tree $(LAB)/root-$*)

# SELinux on OS Guard's writable root: the lab policy without the lock (so that only the store
# over /etc/selinux keeps the reload enforcing), enforcing, with the policy store on its /usr
# (selinux.store=), and a root whose own /etc/selinux says permissive. The static test init, OS
# Guard's /usr. The other store's policy is not the one loaded: refused.
SELINUX_STORES := /usr/share/verinit-test/selinux-stores
$(LAB)/conf/osguard-selinux.conf: $(LAB)/conf/osguard.conf qemu/merge-conf.sh
	printf '%s\n' selinux.policy=/etc/verinit/selinux/policy-nolock.bin selinux.mode=enforcing selinux.lock=no \
		selinux.store=$(SELINUX_STORES)/good >$@.variant
	qemu/merge-conf.sh $< $@.variant $@ && rm -f $@.variant
$(LAB)/conf/osguard-selinux-other.conf: $(LAB)/conf/osguard-selinux.conf qemu/merge-conf.sh
	printf '%s\n' selinux.store=$(SELINUX_STORES)/other >$@.variant
	qemu/merge-conf.sh $< $@.variant $@ && rm -f $@.variant
$(LAB)/initramfs-osguard-selinux-other.img: $(INITRAMFS_INPUTS) $(LAB)/conf/osguard-selinux-other.conf $(LAB)/usr-osguard/usr.img
	$(call mkinitramfs,$(LAB)/conf/osguard-selinux-other.conf,--file $(LAB)/usr-osguard/usr.p7s:/etc/verinit/usr.p7s)
$(LAB)/uki-osguard-selinux-other.efi: $(LAB)/initramfs-osguard-selinux-other.img $(UKI_DEPS) $(OSGUARD_DEFS)
	$(call uki,db,$<,$(OSGUARD_CMDLINE) $(LSM_SELINUX))
$(LAB)/initramfs-osguard-selinux.img: $(INITRAMFS_INPUTS) $(LAB)/conf/osguard-selinux.conf $(LAB)/usr-osguard/usr.img
	$(call mkinitramfs,$(LAB)/conf/osguard-selinux.conf,--file $(LAB)/usr-osguard/usr.p7s:/etc/verinit/usr.p7s)
$(LAB)/uki-osguard-selinux.efi: $(LAB)/initramfs-osguard-selinux.img $(UKI_DEPS) $(OSGUARD_DEFS)
	$(call uki,db,$<,$(OSGUARD_CMDLINE) $(LSM_SELINUX))
$(LAB)/disk-osguard-selinux.img: $(LAB)/uki-osguard-selinux.efi $(LAB)/root-selinux-permissive/.stamp $(OSGUARD_DISK_DEPS)
	$(call osguard_disk,$<,$(LAB)/usr-osguard,--root-tree $(LAB)/root-selinux-permissive)

# Remote attestation, the node's side (issue 26): a /usr that also carries Debian's tpm2-tools
# (qemu/usr-tree.sh --attest-tools), its own image so that every other case keeps the small /usr;
# the ipe-enforce initramfs (the tools run only because they are on the signed /usr) in a UKI whose
# PCR prediction, IPE policy and mode included, is published next to it; and the case's nonce on a
# disk of its own (qemu/attest-nonce.sh), whose presence is what makes the test init attest.
$(LAB)/usr-attest/usr.img: qemu/usr-image.sh qemu/lib.sh qemu/usr-tree.sh hooks/verinit-sign qemu/guest/init $(LAB)/keys/db.crt
	qemu/usr-image.sh $(@D) $(LAB)/keys/db.key $(LAB)/keys/db.crt --attest-tools
$(LAB)/uki-attest.efi: $(LAB)/initramfs-ipe-enforce.img $(UKI_DEPS) $(BUILD)/verinit-measure $(LAB)/usr-attest/usr.img
	$(call uki,db,$<,,--predict $(BUILD)/verinit-measure --usr-env $(LAB)/usr-attest/usr.env \
		--config $(LAB)/conf/ipe-enforce.conf --ipe-policy $(LAB)/ipe/default.p7s --ipe-mode enforce)
$(LAB)/disk-attest.img: $(LAB)/uki-attest.efi $(LAB)/usr-attest/usr.img qemu/disk.sh qemu/lib.sh
	rm -rf $@.esp && mkdir -p $@.esp/EFI/BOOT && cp $< $@.esp/EFI/BOOT/BOOTX64.EFI
	qemu/disk.sh $@ $@.esp $(LAB)/usr-attest && rm -rf $@.esp
$(LAB)/attest-nonce-%.img: qemu/attest-nonce.sh qemu/lib.sh
	qemu/attest-nonce.sh $* $@ >/dev/null

# ---- negative variants: each must end in verinit's fail-closed exit ----------------------------
# Signature partitions tampered with (qemu/tamper-usr.sh names them); the image stays valid.
SIG_TAMPER := attacker-key other-hash foreign-fpr signed-attrs garbage-json dup-keys oversize-field \
	sha1-digest huge-partition hash-flip hash-flip-leaf foreign-verity foreign-sig \
	sb-algorithm sb-data-blocks sb-salt sb-hash-block-size
$(LAB)/usr-%/usr.img: $(LAB)/usr/usr.img qemu/tamper-usr.sh
	qemu/tamper-usr.sh $* $(LAB)/usr $(LAB)/usr-$* $(LAB)/keys
# Kept: as intermediates of the disk rule make would delete them after each run and rebuild them.
.SECONDARY: $(foreach v,$(SIG_TAMPER),$(LAB)/usr-$(v)/usr.img)
# The hash tree of another validly signed image (the init-escape one).
$(LAB)/usr-foreign-verity/usr.img: $(LAB)/usr/usr.img $(LAB)/usr-init-escape/usr.img qemu/tamper-usr.sh
	qemu/tamper-usr.sh foreign-verity $(LAB)/usr $(LAB)/usr-foreign-verity $(LAB)/keys $(LAB)/usr-init-escape
# The signature partition of that image: valid, over its own root hash.
$(LAB)/usr-foreign-sig/usr.img: $(LAB)/usr/usr.img $(LAB)/usr-init-escape/usr.img qemu/tamper-usr.sh
	qemu/tamper-usr.sh foreign-sig $(LAB)/usr $(LAB)/usr-foreign-sig $(LAB)/keys $(LAB)/usr-init-escape
$(LAB)/disk-sig-%.img: $(LAB)/usr-%/usr.img $(LAB)/esp/EFI/BOOT/BOOTX64.EFI qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr-$*
# Partition tables: no signature partition; two usr partitions.
$(LAB)/disk-no-sig.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --no-sig
$(LAB)/disk-no-usr.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --no-usr
$(LAB)/disk-no-verity.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --no-verity
$(LAB)/disk-two-usr.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --two-usr
# The usr partition marked no-auto; slot B as sysupdate's _empty placeholders.
$(LAB)/disk-no-auto.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --no-auto
$(LAB)/disk-empty-slot.img: $(LAB)/esp/EFI/BOOT/BOOTX64.EFI $(LAB)/usr/usr.img qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr --empty-slot
# Hostile GPTs no partitioning tool writes: an entry sharing sectors with usr and usr-verity; the
# usr entry twice; and tables the kernel and libblkid read differently (an entry ending before it
# starts, one below the first or beyond the last usable LBA, 300 entries in use).
$(LAB)/disk-gpt-%.img: $(LAB)/disk.img qemu/gpt-craft.py
	qemu/gpt-craft.py $* $< $@
# A validly signed /usr whose init is a symlink out of it.
$(LAB)/usr-init-escape/usr.img: qemu/usr-image.sh qemu/lib.sh qemu/usr-tree.sh hooks/verinit-sign $(LAB)/keys/db.crt
	qemu/usr-image.sh $(LAB)/usr-init-escape $(LAB)/keys/db.key $(LAB)/keys/db.crt --init-link /run/escaped-init
$(LAB)/disk-init-escape.img: $(LAB)/usr-init-escape/usr.img $(LAB)/esp/EFI/BOOT/BOOTX64.EFI qemu/disk.sh qemu/lib.sh
	qemu/disk.sh $@ $(LAB)/esp $(LAB)/usr-init-escape
# One flipped bit in a /usr data block.
$(LAB)/disk-corrupt.img: $(LAB)/disk.img qemu/corrupt.sh
	qemu/corrupt.sh $< $@ $(LAB)/usr
# Command lines: one that tries to weaken enforcement, one that pins another root hash.
$(LAB)/uki-weaken.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,verinit.kernel_verify=optional)
$(LAB)/uki-usrhash.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,usrhash=$(shell printf '0%.0s' $$(seq 64)))
# The lab's usr and usr-verity named on the command line by PARTUUID, as OS Guard's command line
# names its devices: nothing binds them to the signed root hash but the tree's own top.
NAME_USR_CMDLINE = systemd.verity_usr_data=PARTUUID=$$(sed -n 's/^USR_PARTUUID=//p' $(LAB)/usr/usr.env) systemd.verity_usr_hash=PARTUUID=$$(sed -n 's/^VERITY_PARTUUID=//p' $(LAB)/usr/usr.env)
$(LAB)/uki-name-usr.efi: $(LAB)/initramfs.img $(UKI_DEPS) $(LAB)/usr/usr.img
	$(call uki,db,$<,$(NAME_USR_CMDLINE))
# Asking for a shell instead of the verified init, and for a break into the initramfs.
$(LAB)/uki-init-sh.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,init=/bin/sh)
$(LAB)/uki-rd-break.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,rd.break)
# A word systemd would act on after the hand-over (a root shell on tty9), on no list verinit has.
$(LAB)/uki-debug-shell-unit.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,systemd.wants=debug-shell.service)

# ---- positive variants -----------------------------------------------------------------------
# The command line narrows the /usr mount.
$(LAB)/uki-usrflags.efi: $(LAB)/initramfs.img $(UKI_DEPS)
	$(call uki,db,$<,mount.usrflags=nosuid$(comma)noatime)
# A configuration variant (qemu/conf/NAME.conf) as a signed UKI: uki-conf-NAME.efi.
$(LAB)/uki-conf-%.efi: $(LAB)/initramfs-%.img $(UKI_DEPS)
	$(call uki,db,$<)

# SELinux starts only with selinux in lsm= (the Debian kernel's default list has none).
LSM_SELINUX := lsm=lockdown$(comma)capability$(comma)landlock$(comma)yama$(comma)selinux$(comma)ipe
$(LAB)/uki-selinux.efi: $(LAB)/initramfs-selinux-enforcing.img $(UKI_DEPS)
	$(call uki,db,$<,$(LSM_SELINUX))
$(LAB)/uki-selinux-corrupt.efi: $(LAB)/initramfs-selinux-corrupt.img $(UKI_DEPS)
	$(call uki,db,$<,$(LSM_SELINUX))
$(LAB)/uki-selinux-no-lsm.efi: $(LAB)/initramfs-selinux-enforcing.img $(UKI_DEPS)
	$(call uki,db,$<)
$(LAB)/uki-selinux-unverified.efi: $(LAB)/initramfs-selinux-unverified.img $(UKI_DEPS)
	$(call uki,db,$<,$(LSM_SELINUX))

# qemu/gpt-craft.py's tables that the kernel and libblkid read differently (PARTITION_TABLE), and
# damaged or inconsistent ones (a primary header or entry array whose CRC is wrong, a backup table
# that differs from the primary, a disk grown after it was partitioned).
GPT_GEOMETRY := end-before-start below-first-usable beyond-last-usable too-many
GPT_DAMAGE := primary-header-crc primary-entries-crc backup-differs grown
# The configuration variants booted as UKIs.
CONF_UKIS := explicit repart repart-newest module-missing ipe-enforce ipe-audit ipe-strict ipe-attacker ipe-truncated ipe-unverified ipe-unsigned-verity ipe-plain \
	failure-reboot failure-poweroff verity-eio verity-panic
LAB_IMAGES := $(LAB)/OVMF_VARS.fd $(LAB)/uki.efi $(LAB)/uki-attacker.efi $(LAB)/uki-probe.efi $(LAB)/uki-installed.efi \
	$(LAB)/disk.img $(LAB)/disk-attacker.img $(patsubst %,$(LAB)/disk-sig-%.img,$(SIG_TAMPER)) \
	$(LAB)/disk-no-sig.img $(LAB)/disk-no-usr.img $(LAB)/disk-no-verity.img $(LAB)/disk-two-usr.img $(LAB)/disk-no-auto.img $(LAB)/disk-empty-slot.img \
	$(LAB)/disk-gpt-overlap.img $(LAB)/disk-gpt-dup-entry.img $(patsubst %,$(LAB)/disk-gpt-%.img,$(GPT_GEOMETRY) $(GPT_DAMAGE)) \
	$(LAB)/disk-init-escape.img $(LAB)/disk-corrupt.img $(LAB)/disk-osguard.img $(LAB)/disk-osguard-attacker.img \
	$(patsubst %,$(LAB)/disk-osguard-root-%.img,$(OSGUARD_ROOTS)) $(LAB)/disk-osguard-selinux.img \
	$(LAB)/uki-osguard-selinux-other.efi $(LAB)/conf/osguard-selinux.conf \
	$(LAB)/uki-weaken.efi $(LAB)/uki-usrhash.efi $(LAB)/uki-name-usr.efi $(LAB)/uki-usrflags.efi $(LAB)/uki-init-sh.efi $(LAB)/uki-rd-break.efi $(LAB)/uki-debug-shell-unit.efi \
	$(LAB)/initramfs-kernel-optional.img $(LAB)/initramfs-tpm-optional.img $(LAB)/conf/tpm-optional.conf $(patsubst %,$(LAB)/uki-conf-%.efi,$(CONF_UKIS)) \
	$(patsubst %,$(LAB)/conf/%.conf,$(CONF_UKIS)) \
	$(LAB)/uki-selinux.efi $(LAB)/uki-selinux-corrupt.efi $(LAB)/uki-selinux-no-lsm.efi $(LAB)/uki-selinux-unverified.efi $(LAB)/conf/selinux-enforcing.conf \
	$(LAB)/uki-attest.efi $(LAB)/disk-attest.img $(LAB)/attest-nonce-attest.img
