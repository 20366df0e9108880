# Extra checks per integration case (sourced by run.sh). Each gets the run directory, prints one
# line per failed expectation and returns non-zero on any.

# verinit's /run/verinit/report.json as the test init printed it, through a jq filter.
report_json() { # run jq-filter
	sed -n 's/^R verinit_report //p' "$1/report" | jq -r "$2" 2>&1
}

# /usr mounted read-only from the dm-verity device verinit named "usr", and the boot report says
# what was verified: the root hash and file system of USR_ENV (default the lab's /usr), the signer,
# and every stage until the hand-over.
usr_verified() { # run [usr.env]
	local run=$1 env=${2:-$LAB/usr/usr.env} ok=0 want fstype
	want=$(sed -n 's/^ROOTHASH=//p' "$env") fstype=$(sed -n 's/^FSTYPE=//p' "$env")
	grep -qE "^R mount /usr /dev/mapper/usr $fstype ro," "$run/report" || { echo "/usr is not $fstype on dm-verity, read-only"; ok=1; }
	grep -q '^R usr_dm_uuid CRYPT-VERITY-' "$run/report" || { echo "/usr is not a verity device"; ok=1; }
	grep -q '^R usr_read_ok 1$' "$run/report" || { echo "reading /usr failed"; ok=1; }
	grep -qE '\] \[  OK  \] Verified the /usr root hash signature \(signer .*CN ?= ?verinit test db' "$run/serial.log" ||
		{ echo "no status line naming the signer"; ok=1; }
	[ "$(report_json "$run" .usr.root_hash)" = "$want" ] || { echo "report.json: root hash is not $want"; ok=1; }
	report_json "$run" .usr.signer | grep -q 'verinit test db' || { echo "report.json: signer is not the db key"; ok=1; }
	[ "$(report_json "$run" '.usr.signer_sha256 | length')" = 64 ] || { echo "report.json: no signer fingerprint"; ok=1; }
	# Every stage of the agent's table, in its order; all but the hand-over itself ended ok.
	local stages
	stages=$("$MEASURE" --list-stages | paste -sd' ')
	[ "$(report_json "$run" '[.stages[].name] | join(" ")')" = "$stages" ] ||
		{ echo "report.json: stages are $(report_json "$run" '[.stages[].name] | join(" ")'), want $stages"; ok=1; }
	[ "$(report_json "$run" '[.stages[] | select(.verdict == "ok" and .end_us >= .start_us)] | length')" = $(($(wc -w <<<"$stages") - 1)) ] ||
		{ echo "report.json: not every stage before the hand-over ended ok"; ok=1; }
	return $ok
}

# ---- measured boot ------------------------------------------------------------------------------
MEASURE=$LAB/../verinit-measure
# The attest case's verifier and oracle words (attest_verdict, attest_checkquote).
ATTEST_VERIFY=("$MEASURE")
. "$(dirname "${BASH_SOURCE[0]}")/../attest-lib.sh"

# The PCRs verinit-measure predicts (its arguments after "predict") against those the guest read,
# in every bank the guest's TPM has; PCRs 11 and 15.
pcrs_predicted() { # run predict-args...
	local run=$1
	shift
	pcrs_match "$run" < <("$MEASURE" predict "$@" --format lines 2>&1 || echo "predict failed")
}
# The values hooks/verinit-uki published next to a UKI (default the lab's: uki.pcrs.json).
pcrs_published() { # run [pcrs.json]
	pcrs_match "$1" < <(published_lines "${2:-$LAB/uki.pcrs.json}")
}
# A published pcrs.json as "BANK PCR HEX" lines.
published_lines() { # pcrs.json
	jq -r 'to_entries[] | .key as $b | .value | to_entries[] | "\($b) \(.key) \(.value)"' "$1" 2>&1 ||
		echo "${1##*/} unreadable"
}
# "BANK PCR HEX" lines on stdin against the PCRs the guest read, in every bank the guest's TPM has.
pcrs_match() { # run
	local run=$1 ok=0 bank pcr want got n=0
	while read -r bank pcr want; do
		case $bank in sha1 | sha256 | sha384 | sha512) ;; *) echo "predict: $bank $pcr $want"; ok=1; continue ;; esac
		grep -q "^R pcr $bank " "$run/report" || continue
		got=$(sed -n "s/^R pcr $bank $pcr //p" "$run/report")
		n=$((n + 1))
		[ "$got" = "$want" ] || { echo "PCR $pcr $bank is ${got:-absent}, predicted $want"; ok=1; }
	done
	[ "$n" -ge 2 ] || { echo "no predicted PCR to compare (banks of the guest: $(sed -n 's/^R pcr \([a-z0-9]*\) 0 .*/\1/p' "$run/report" | xargs))"; ok=1; }
	return $ok
}

# The guest's event log (and the firmware's) replays to the PCRs it read, and shows verinit
# handing over (enter-initrd, then leave-initrd, in the replayed PCR 11).
replay_passes() { # run
	local run=$1 out
	sed -n 's/^R eventlog //p' "$run/report" | sed 's/^/\x1e/' >"$run/tpm2-measure.log"
	sed -n 's/^R fwlog //p' "$run/report" | base64 -d >"$run/fw.log" 2>/dev/null
	sed -n 's/^R pcr //p' "$run/report" >"$run/pcrs"
	out=$("$MEASURE" replay --log "$run/tpm2-measure.log" --firmware-log "$run/fw.log" --pcrs "$run/pcrs" --handed-over 2>&1) ||
		{ echo "replay: $(echo "$out" | head -n 3 | paste -sd ' ' -)"; return 1; }
}

# PCR 11 and 15 after a failure, as the runner read them from swtpm once QEMU was killed
# (qemu/tpm-read.py: neither the guest nor verinit is asked), against a prediction: "equal" (a
# failure predict --failure STAGE:REASON knows) or "differ" (a good boot's values must be gone), in
# every bank the TPM has; at least two values must have been compared. What verinit printed on
# the console must be the same values.
console_pcrs_vs() { # run equal|differ predict-args...
	local run=$1 want_equal=$2 ok=0 bank pcr want got said n=0
	shift 2
	[ -s "$run/tpm-pcrs" ] || { echo "the runner could not read the TPM: $(tail -n1 "$run/tpm-read.err" 2>/dev/null)"; return 1; }
	while read -r bank pcr want; do
		case $bank in sha1 | sha256 | sha384 | sha512) ;; *) echo "predict: $bank $pcr $want"; ok=1; continue ;; esac
		got=$(sed -n "s/^$bank $pcr //p" "$run/tpm-pcrs")
		[ -n "$got" ] || continue
		said=$(sed -n "s/.*verinit: PCR $pcr $bank \([0-9a-f]*\)\$/\1/p" "$run/serial.log" | tail -n 1)
		[ "$said" = "$got" ] || { echo "verinit printed PCR $pcr $bank ${said:-nothing}, the TPM holds $got"; ok=1; }
		n=$((n + 1))
		if [ "$want_equal" = equal ]; then
			[ "$got" = "$want" ] || { echo "PCR $pcr $bank is $got after the failure, predicted $want"; ok=1; }
		else
			[ "$got" != "$want" ] || { echo "PCR $pcr $bank equals the good boot's prediction after a failure"; ok=1; }
		fi
	done < <("$MEASURE" predict "$@" --format lines 2>&1)
	[ "$n" -ge 2 ] || { echo "no PCR 11/15 value of the TPM to compare"; ok=1; }
	return $ok
}
# A failed boot: verinit measured the failure, and PCR 11 and 15 are not a good boot's.
failure_measured() { # run predict-args...
	local run=$1 ok=0
	shift
	grep -qE 'Measured .verinit.failure stage=[a-z-]+ reason=[A-Z_]+. into PCR 15' "$run/serial.log" ||
		{ echo "the failure was not measured into PCR 15"; ok=1; }
	console_pcrs_vs "$run" differ "$@" || ok=1
	return $ok
}
# A failed boot whose PCRs are predictable (predict --failure STAGE:REASON).
failure_predicted() { # run predict-args...
	local run=$1
	shift
	console_pcrs_vs "$run" equal "$@"
}
uki_prediction() { echo --uki "$LAB/uki.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" --config qemu/verinit.conf; }

# verinit ran as PID 1 under Secure Boot, verified /usr, the kernel verified the signature too,
# and it handed over.
handed_over() { # run [usr.env]
	local run=$1 ok=0
	grep -q '^secureboot=enabled$' "$run/verdict" || { echo "Secure Boot was not enabled"; ok=1; }
	grep -q 'kernel verified the signature' "$run/serial.log" || { echo "the kernel did not verify"; ok=1; }
	[ "$(report_json "$run" .usr.kernel_verified)" = true ] || { echo "report.json: kernel_verified is not true"; ok=1; }
	usr_verified "$run" "${2:-}" || ok=1
	pid1_clean "$run" || ok=1
	return $ok
}
# The system's init got a clean start: verinit's fixed environment, umask 022, no blocked signals,
# and no ignored ones but SIGQUIT (bit 2), which the test init's busybox sh ignores itself.
pid1_clean() {
	local run=$1 ok=0
	grep -qx 'R init_environ HOME=/ TERM=linux PATH=/usr/sbin:/usr/bin ' "$run/report" ||
		{ echo "PID 1's environment: $(sed -n 's/^R init_environ //p' "$run/report")"; ok=1; }
	grep -qx 'R init_Umask 0022' "$run/report" || { echo "PID 1's umask is not 0022"; ok=1; }
	grep -qx 'R init_SigBlk 0000000000000000' "$run/report" || { echo "PID 1 started with blocked signals"; ok=1; }
	grep -qxE 'R init_SigIgn 000000000000000[04]' "$run/report" ||
		{ echo "PID 1 started with ignored signals: $(sed -n 's/^R init_SigIgn //p' "$run/report")"; ok=1; }
	return $ok
}
# The lab's UKI measured as predicted, from the ESP and through -kernel, in one bank and in four.
measured_as_predicted() {
	local run=$1 ok=0
	handed_over "$run" || ok=1
	# shellcheck disable=SC2046 # words
	pcrs_predicted "$run" $(uki_prediction) || ok=1
	pcrs_published "$run" || ok=1
	replay_passes "$run" || ok=1
	[ "$(report_json "$run" .tpm.present)" = true ] || { echo "report.json: no TPM"; ok=1; }
	return $ok
}
# The UKI that make install's tools built, run from / with only the installed bin/ on PATH
# (qemu/lab.mk): its initramfs is the lab's, byte for byte, and it hands over with the PCRs the
# installed verinit-measure published next to it and this tree's predicts.
assert_installed_tools() {
	local run=$1 ok=0
	cmp -s "$LAB/installed/initramfs.img" "$LAB/initramfs.img" ||
		{ echo "the installed tools' initramfs is not the lab's"; ok=1; }
	handed_over "$run" || ok=1
	pcrs_predicted "$run" --uki "$LAB/uki-installed.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf || ok=1
	pcrs_published "$run" "$LAB/uki-installed.pcrs.json" || ok=1
	replay_passes "$run" || ok=1
	return $ok
}
# The modules stage's summary: loaded (drivers first, for the devices found), drivers still
# waiting, modules this boot does not need (other filesystems, what only they pull in), and what
# was left out of the loads as made for CPU features QEMU's qemu64 lacks (crc32c_intel: SSE4.2);
# the report's modules.not_for_cpu says the same. Later loads for new devices are not in it.
modules_loaded() { # run loaded waiting not-needed not-for-cpu
	local line="verinit: Modules loaded: $2; drivers awaiting their devices: $3; not needed on this boot: $4"
	line+="; left out for this CPU: $5" want=${5/none/}
	grep -qF "] $line" "$1/serial.log" ||
		{ echo "modules: $(grep -o 'verinit: Modules loaded: .*' "$1/serial.log" | head -1), want: $line"; return 1; }
	[ "$(report_json "$1" '.modules.not_for_cpu | join(" ")')" = "$want" ] ||
		{ echo "report.json: modules.not_for_cpu is $(report_json "$1" ".modules.not_for_cpu | tostring"), want '$want'"; return 1; }
}
# Exactly these modules are in the kernel when the system's init starts (the test init's sorted
# /proc/modules): nothing loaded that the boot does not need.
in_kernel() { # run sorted-names
	local got
	got=$(sed -n 's/^R modules //p' "$1/report")
	[ "$got" = "$2" ] || { echo "modules in the kernel: '$got', want '$2'"; return 1; }
}
# The lab's module set on a virtio machine: its disk's driver and what every boot needs; no SCSI,
# NVMe or Hyper-V driver; and the initramfs carries no filesystem but /usr's erofs (the default)
# and efivarfs (auto discovery reads LoaderDevicePartUUID).
assert_signed_uki() {
	local ok=0
	measured_as_predicted "$1" || ok=1
	modules_loaded "$1" "virtio_blk dm-verity erofs efivarfs tpm_crb tpm_tis" \
		"virtio_scsi sd_mod hv_vmbus hv_storvsc nvme" none crc32c_intel || ok=1
	# erofs brought libcrc32c and its crc32c softdep; crc32c_intel never loaded (qemu64 lacks SSE4.2).
	in_kernel "$1" "crc32c_generic dm_bufio dm_mod dm_verity efivarfs erofs libcrc32c reed_solomon virtio_blk" || ok=1
	return $ok
}
# Booted from the disk's ESP: systemd-stub set LoaderDevicePartUUID to it, and verinit says so.
assert_signed_esp() {
	local ok=0
	measured_as_predicted "$1" || ok=1
	grep -qE 'verinit: Booted from the partition with PARTUUID [0-9a-f-]{36} \(LoaderDevicePartUUID\)' "$1/serial.log" ||
		{ echo "no line naming the loader's partition"; ok=1; }
	return $ok
}
# A second disk with another validly signed /usr (systemd-repart's): booted from the first disk's
# ESP, discovery looks only at that disk, hands over to its /usr and names the other disk's
# partitions as ignored. Without a loader (-kernel) the two disks are two complete slots.
assert_boot_disk() {
	local ok=0 p
	measured_as_predicted "$1" || ok=1
	[ "$(report_json "$1" .usr.data_device)" = /dev/vda2 ] ||
		{ echo "report.json: /usr from $(report_json "$1" .usr.data_device)"; ok=1; }
	for p in "/dev/vdb1: usr" "/dev/vdb2: usr-verity" "/dev/vdb3: usr-verity-sig"; do
		grep -q "verinit: $p, not on the boot disk: ignored" "$1/serial.log" || { echo "not named as ignored: $p"; ok=1; }
	done
	return $ok
}
assert_stray_disk_no_loader() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:DEVICE_AMBIGUOUS \
		'verinit: Two or more complete /usr slots and no usrhash= to say which' "the two slots"
}
assert_signed_all_banks() {
	local ok=0
	measured_as_predicted "$1" || ok=1
	[ "$(sed -n 's/^R pcr \([a-z0-9]*\) 11 .*/\1/p' "$1/report" | xargs)" = "sha1 sha256 sha384 sha512" ] ||
		{ echo "the guest's TPM does not have all four banks"; ok=1; }
	return $ok
}

# mount.usrflags= reaches the /usr mount, which stays read-only and nodev.
assert_usr_flags() {
	local run=$1 ok=0 opts
	handed_over "$run" || ok=1
	opts=$(sed -n 's|^R mount /usr /dev/mapper/usr erofs ||p' "$run/report")
	for o in ro nosuid nodev noatime; do
		[[ ,$opts, == *",$o,"* ]] || { echo "/usr is mounted '$opts', without $o"; ok=1; }
	done
	[ "$(report_json "$run" .usr.flags)" = nosuid,noatime ] || { echo "report.json: flags not nosuid,noatime"; ok=1; }
	return $ok
}

# usr.discovery=explicit with whole disks: /usr came from vdb and vdc, not disk.img's partitions.
assert_explicit_disks() {
	local run=$1 ok=0
	handed_over "$run" || ok=1
	[ "$(report_json "$run" '.usr.data_device + " " + .usr.hash_device')" = "/dev/vdb /dev/vdc" ] ||
		{ echo "report.json: /usr from $(report_json "$run" '.usr.data_device + " " + .usr.hash_device')"; ok=1; }
	grep -q '\[  OK  \] Found the /usr partitions (usr-verity-sig /dev/vda4, usr /dev/vdb, usr-verity /dev/vdc)' \
		"$run/serial.log" || { echo "no status line naming vda4, vdb and vdc"; ok=1; }
	return $ok
}

# A disk systemd-repart 252 wrote (qemu/repart-disk.sh): verinit found its partitions by type,
# verified repart's signature JSON, set up its 512-byte verity blocks and mounted its squashfs;
# the PCRs hold the root hash this build of the disk has (disk-repart.env).
assert_repart() {
	local run=$1 ok=0 env=$LAB/disk-repart.env
	handed_over "$run" "$env" || ok=1
	[ "$(report_json "$run" '.usr.data_device + " " + .usr.hash_device')" = "/dev/vda1 /dev/vda2" ] ||
		{ echo "report.json: /usr from $(report_json "$run" '.usr.data_device + " " + .usr.hash_device')"; ok=1; }
	pcrs_predicted "$run" --uki "$LAB/uki-conf-repart.efi" --usr-env "$env" --cert "$LAB/keys/db.crt" \
		--config "$LAB/conf/repart.conf" || ok=1
	# squashfs needs no crc32c: the default set names none, and nothing loads one.
	modules_loaded "$run" "virtio_blk dm-verity squashfs efivarfs tpm_crb tpm_tis" \
		"virtio_scsi sd_mod hv_vmbus hv_storvsc nvme" none none || ok=1
	in_kernel "$run" "dm_bufio dm_mod dm_verity efivarfs reed_solomon squashfs virtio_blk" || ok=1
	return $ok
}

# kernel_verify=optional without Secure Boot: the kernel has no key, verinit activates on its own
# check, says so, and the report records it.
assert_kernel_optional() {
	local run=$1 ok=0
	grep -q "WITHOUT the kernel's check" "$run/serial.log" || { echo "no status line saying the kernel did not check"; ok=1; }
	[ "$(report_json "$run" .usr.kernel_verified)" = false ] || { echo "report.json: kernel_verified is not false"; ok=1; }
	usr_verified "$run" || ok=1
	# No systemd-stub under SeaBIOS: PCR 11 holds the phases alone; PCR 15 says the kernel did not check.
	pcrs_predicted "$run" --no-stub --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --kernel-verified no || ok=1
	return $ok
}

# A failure never hands over: the test init must not have run.
never_handed_over() {
	! grep -q 'VERINIT-REPORT-BEGIN' "$1/serial.log" || { echo "the test init ran"; return 1; }
}
# No TPM at all: nothing was measured, and nothing handed over.
assert_no_tpm() { never_handed_over "$1"; }
# A failure with a TPM: never handed over, the failure measured, PCR 11 and 15 not those of a good
# boot of the same UKI (the lab's, or the one given), and, where the stage's place in the order
# is known (predict --failure: not inside tpm or measure), exactly the prediction for the verdict's
# stage and reason (which run.sh compared with the case's).
failed_measured() { # run [uki]
	local ok=0 stage reason
	never_handed_over "$1" || ok=1
	failure_measured "$1" --uki "${2:-$LAB/uki.efi}" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf || ok=1
	stage=$(sed -n 's/^stage=//p' "$1/verdict") reason=$(sed -n 's/^reason=//p' "$1/verdict")
	case $stage in
	tpm | measure) ;;
	*) failure_predicted "$1" --uki "${2:-$LAB/uki.efi}" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --failure "$stage:$reason" || ok=1 ;;
	esac
	return $ok
}
for c in sig_attacker_key sig_other_hash sig_foreign_fpr sig_signed_attrs sig_garbage_json sig_dup_keys \
	sig_oversize_field sig_sha1_digest sig_huge_partition no_sig_partition gpt_dup_entry no_disk sb_off_uki; do
	eval "assert_$c() { failed_measured \"\$1\"; }"
done
assert_ipe_attacker() { failed_measured "$1" "$LAB/uki-conf-ipe-attacker.efi"; }
assert_ipe_plain() {
	local ok=0
	failed_measured "$1" "$LAB/uki-conf-ipe-plain.efi" || ok=1
	grep -q 'verinit: IPE policy /etc/verinit/ipe/default.pol: ' "$1/serial.log" || { echo "no console line naming the policy"; ok=1; }
	return $ok
}
assert_selinux_unverified() {
	local ok=0
	failed_measured "$1" "$LAB/uki-selinux-unverified.efi" || ok=1
	grep -q 'verinit: Cannot read the SELinux policy /etc/verinit/ipe/unverified.p7s from verified storage (it is not on the initramfs or the dm-verity /usr)' \
		"$1/serial.log" || { echo "no console line naming the policy off verified storage"; ok=1; }
	return $ok
}
# A partition of the slot missing: the signature names it, discovery waits for it and says which.
missing_part() { # run role
	local ok=0
	failed_measured "$1" || ok=1
	grep -qE "verinit: Missing: $2 \\(.*\\) of the slot with rootHash $(sed -n 's/^ROOTHASH=//p' "$LAB/usr/usr.env")" "$1/serial.log" ||
		{ echo "the console does not name the missing $2"; ok=1; }
	return $ok
}
assert_no_usr() { missing_part "$1" usr; }
assert_no_verity() { missing_part "$1" usr-verity; }
# The superblock of the hash tree tampered with: the signed root hash no longer matches the tree's
# top as that superblock describes it, so verinit refuses before dm-verity is set up.
for c in sb_algorithm sb_salt sb_hash_block_size; do
	eval "assert_$c() { failed_measured \"\$1\"; }"
done
# data_blocks one lower keeps the root hash (the dropped block's hash shared its hash block with
# the others): dm-verity maps /usr one block short, and the file system's own size, read through
# it, says so before /usr is mounted.
assert_sb_data_blocks() {
	local ok=0 n
	n=$(stat -c %s "$LAB/usr/usr.img")
	failed_measured "$1" || ok=1
	grep -qF "verinit: /usr's erofs spans $n bytes, /dev/mapper/usr holds only $((n - 4096)) (data_blocks in the hash tree's superblock" \
		"$1/serial.log" || { echo "no console line naming the file system's and the device's sizes"; ok=1; }
	! grep -q 'EXT4-fs\|erofs: (device dm-' "$1/serial.log" || { echo "/usr was mounted"; ok=1; }
	return $ok
}
assert_ipe_truncated() { failed_measured "$1" "$LAB/uki-conf-ipe-truncated.efi"; }
assert_ipe_unverified() { failed_measured "$1" "$LAB/uki-conf-ipe-unverified.efi"; }
assert_selinux_corrupt() { failed_measured "$1" "$LAB/uki-selinux-corrupt.efi"; }
# SeaBIOS: no stub, so PCR 11 holds only what verinit extended; the TPM is SeaBIOS's swtpm.
assert_seabios_fast() {
	local ok=0
	never_handed_over "$1" || ok=1
	failure_predicted "$1" --no-stub --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" --config qemu/verinit.conf \
		--failure verity:KERNEL_UNTRUSTED || ok=1
	return $ok
}
# The init a symlink out of the verified /usr: refused at the hand-over, before leave-initrd, after
# every fact of its own /usr: predicted exactly.
assert_init_escape() {
	local ok=0
	never_handed_over "$1" || ok=1
	failure_predicted "$1" --uki "$LAB/uki.efi" --usr-env "$LAB/usr-init-escape/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --failure handover:INIT_UNVERIFIED || ok=1
	# Resolved inside the new root, its target (/run/escaped-init) is not there at all.
	grep -q 'verinit: The init /usr/lib/verinit-test/init cannot be used: No such file or directory' "$1/serial.log" ||
		{ echo "no console line naming the init"; ok=1; }
	return $ok
}
# A halt measured as predicted, with the console line that says why.
halted_as_predicted() { # run uki stage:REASON ERE what
	local ok=0
	failed_measured "$1" "$2" || ok=1
	failure_predicted "$1" --uki "$2" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --failure "$3" || ok=1
	grep -qE "$4" "$1/serial.log" || { echo "no console line naming $5"; ok=1; }
	return $ok
}
# Discovery passed over the no-auto usr and says so; the failure is the timeout's.
assert_no_auto() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:DEVICE_TIMEOUT 'verinit: /dev/vda2: usr, no-auto attribute: skipped' \
		"the skipped no-auto partition"
}
# Slot B as sysupdate's placeholders: slot A hands over, as predicted; each placeholder is named as
# passed over, and the report has the chosen partitions' labels and attributes.
assert_empty_slot() {
	local ok=0 p
	measured_as_predicted "$1" || ok=1
	for p in "/dev/vda5: usr" "/dev/vda6: usr-verity" "/dev/vda7: usr-verity-sig"; do
		grep -q "verinit: $p, _empty label: skipped" "$1/serial.log" || { echo "not named as skipped: $p"; ok=1; }
	done
	[ "$(report_json "$1" '[.partitions[] | .role + "=" + .device + ":" + .label + ":" + .attributes] | join(" ")')" = \
		"usr-verity-sig=/dev/vda4:usr-verity-sig:0x1000000000000000 usr=/dev/vda2:usr:0x1800000000000000 usr-verity=/dev/vda3:usr-verity:0x1000000000000000" ] ||
		{ echo "report.json partitions: $(report_json "$1" '.partitions')"; ok=1; }
	return $ok
}
# A second usr partition whose PARTUUID no signed root hash derives is not a candidate: /usr is the
# one the signature names, as systemd does it.
assert_two_usr() {
	local ok=0
	measured_as_predicted "$1" || ok=1
	[ "$(report_json "$1" .usr.data_device)" = /dev/vda2 ] ||
		{ echo "report.json: /usr data from $(report_json "$1" .usr.data_device), not /dev/vda2"; ok=1; }
	return $ok
}

# systemd-repart's A/B disk: the slot chosen hands over, the guest's /usr is that slot's tree, and
# PCR 15 says which slot (its label) and whether usrhash= pinned it.
ab_slot_handed_over() { # run K uki config pinned
	local run=$1 ok=0 env=$LAB/disk-repart-ab.$2.env
	handed_over "$run" "$env" || ok=1
	grep -qx "R usr_slot usr_$2" "$run/report" ||
		{ echo "the guest's /usr is slot '$(sed -n 's/^R usr_slot //p' "$run/report")', not usr_$2"; ok=1; }
	grep -q "verinit: usr: .*label 'usr_$2'" "$run/serial.log" || { echo "the console does not name usr_$2 as usr"; ok=1; }
	pcrs_predicted "$run" --uki "$3" --usr-env "$env" --cert "$LAB/keys/db.crt" --config "$4" --pinned "$5" || ok=1
	return $ok
}
assert_ab_slot_1() { ab_slot_handed_over "$1" 1 "$LAB/uki-ab-1.efi" "$LAB/conf/repart.conf" yes; }
assert_ab_slot_2() { ab_slot_handed_over "$1" 2 "$LAB/uki-ab-2.efi" "$LAB/conf/repart.conf" yes; }
assert_ab_newest() { ab_slot_handed_over "$1" 2 "$LAB/uki-conf-repart-newest.efi" "$LAB/conf/repart-newest.conf" no; }
assert_ab_unknown_hash() {
	halted_as_predicted "$1" "$LAB/uki-usrhash.efi" devices:USRHASH_NOT_FOUND \
		'verinit: No usr-verity-sig partition has the root hash usrhash=0{64} after [0-9]+ s \(2 slot' "the two slots seen"
}
assert_ab_unpinned() {
	halted_as_predicted "$1" "$LAB/uki-conf-repart.efi" devices:DEVICE_AMBIGUOUS \
		'verinit: Two or more complete /usr slots and no usrhash= to say which' "the ambiguity"
}

# The console names both partitions of the overlap (qemu/gpt-craft.py's fifth entry).
assert_gpt_overlap() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:PARTITION_OVERLAP \
		'verinit: usr(-verity)? /dev/vda[23] \(sectors [0-9]+\+[0-9]+\) overlaps /dev/vda5 \(sectors' \
		"the overlapping partitions"
}
# The kernel's partitions and the GPT as libblkid reads it disagree (qemu/gpt-craft.py, lib/geometry.c):
# the console says how, and the failure is measured as predicted.
assert_gpt_end_before_start() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:PARTITION_TABLE \
		'verinit: GPT entry 5 of /dev/vda ends before it starts \(start [0-9]+, size -999\); refusing the partition table' \
		"the entry that ends before it starts"
}
assert_gpt_below_first_usable() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:PARTITION_TABLE \
		'verinit: /dev/vda5 exists \(partition 5\) but the GPT as libblkid reads it has no such entry; refusing the partition table' \
		"the kernel's partition libblkid does not list"
}
assert_gpt_beyond_last_usable() { assert_gpt_below_first_usable "$1"; }
assert_gpt_too_many() {
	halted_as_predicted "$1" "$LAB/uki.efi" devices:PARTITION_TABLE \
		"verinit: /dev/vda has 300 GPT partitions; with the disk, more than the [0-9]+ entries left in verinit's scan; refusing the partition table" \
		"the disk with too many partitions"
}
# swtpm was killed while verinit loaded modules, after the firmware and the stub had measured: the
# TPM stage's first command failed and stopped the boot; the failure could not be measured either,
# and the console says so. (A kill after enter-initrd would race the rest of the boot, which takes
# a fifth of a second; an extend failing later is test-faults' and test-pcr-events' part.)
# swtpm dies when the kernel starts /init: the kernel's driver has used the TPM, verinit's first
# command (its TPM stage follows the modules, half a second or more later) fails.
assert_tpm_dies() {
	local ok=0
	never_handed_over "$1" || ok=1
	[ -s "$1/tpm-killed" ] || { echo "swtpm was never killed"; ok=1; }
	grep -q "verinit: Cannot use the TPM at /dev/tpmrm0" "$1/serial.log" ||
		{ echo "no failed TPM command on the console"; ok=1; }
	grep -q 'verinit: The failure is not measured: no usable TPM' "$1/serial.log" ||
		{ echo "the console does not say the failure went unmeasured"; ok=1; }
	return $ok
}
# The disk behind a SCSI host adapter: its disks appear only once the adapter's driver scanned the
# bus, so sd_mod is loaded for the kernel's event while the devices stage waits (Hyper-V's storvsc
# disks come the same way). An NVMe disk: its driver found by PCI class at the modules stage.
on_other_disk() { # run loaded waiting usr-device
	local ok=0
	handed_over "$1" || ok=1
	modules_loaded "$1" "$2 dm-verity erofs efivarfs tpm_crb tpm_tis" "$3" none crc32c_intel || ok=1
	[ "$(report_json "$1" .usr.data_device)" = "$4" ] || { echo "report.json: /usr not from $4"; ok=1; }
	return $ok
}
assert_scsi_disk() {
	local ok=0
	on_other_disk "$1" virtio_scsi "virtio_blk sd_mod hv_vmbus hv_storvsc nvme" /dev/sda2 || ok=1
	grep -q '\] verinit: Module sd_mod loaded for a new device (scsi:t-0x00)' "$1/serial.log" ||
		{ echo "sd_mod was not loaded for the SCSI disk's event"; ok=1; }
	return $ok
}
assert_nvme_disk() { on_other_disk "$1" nvme "virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc" /dev/nvme0n1p2; }
assert_module_missing() {
	local ok=0
	failed_measured "$1" "$LAB/uki-conf-module-missing.efi" || ok=1
	# Before the TPM stage, after the config: no enter-initrd, the failure where the config says.
	failure_predicted "$1" --uki "$LAB/uki-conf-module-missing.efi" --config "$LAB/conf/module-missing.conf" \
		--usr-env "$LAB/usr/usr.env" --failure modules:MODULE || ok=1
	grep -q 'verinit: Module verinit_no_such_module is neither in the initramfs nor built in' "$1/serial.log" ||
		{ echo "the console does not name the missing module"; ok=1; }
	return $ok
}
# No signature partition has the pinned root hash: named, after the device deadline, with the slot seen.
assert_usrhash_mismatch() {
	local ok=0
	halted_as_predicted "$1" "$LAB/uki-usrhash.efi" devices:USRHASH_NOT_FOUND \
		'verinit: No usr-verity-sig partition has the root hash usrhash=0{64} ' "the pinned root hash" || ok=1
	grep -q "verinit: Slot seen: /dev/vda4 (label 'usr-verity-sig') rootHash $(sed -n 's/^ROOTHASH=//p' "$LAB/usr/usr.env")" \
		"$1/serial.log" || { echo "the slot seen is not named"; ok=1; }
	return $ok
}
# A word the config stage refuses: no good boot of that UKI exists to differ from (predict refuses
# its command line too), so the failure is predicted exactly, and the console names the word.
cmdline_refused() { # run uki ERE
	local ok=0
	grep -q "Measured 'verinit.failure stage=config reason=CMDLINE_WEAKENS' into PCR 15" "$1/serial.log" ||
		{ echo "the failure was not measured into PCR 15"; ok=1; }
	failure_predicted "$1" --uki "$2" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --failure config:CMDLINE_WEAKENS || ok=1
	grep -qE "verinit: Kernel command line, word [0-9]+, refused: $3" "$1/serial.log" ||
		{ echo "no console line naming the word"; ok=1; }
	return $ok
}
assert_cmdline_weakens() {
	cmdline_refused "$1" "$LAB/uki-weaken.efi" "'verinit.kernel_verify=optional' would weaken enforcement"
}
assert_init_sh() { cmdline_refused "$1" "$LAB/uki-init-sh.efi" "'init=/bin/sh' would weaken enforcement"; }
assert_rd_break() { cmdline_refused "$1" "$LAB/uki-rd-break.efi" "'rd.break' asks for a shell"; }
assert_debug_shell_unit() {
	cmdline_refused "$1" "$LAB/uki-debug-shell-unit.efi" "'systemd.wants=debug-shell.service' is on no list"
}

# dm-verity caught the flipped bit and restarted the machine, as verity.on_corruption=restart says.
verity_restarted() { # run data|metadata
	grep -q "device-mapper: verity: .* $2 block .* is corrupted" "$1/serial.log" ||
		{ echo "dm-verity reported no corrupted $2 block"; return 1; }
	grep -q "reboot: Restarting system with command 'dm-verity device corrupted'" "$1/serial.log" ||
		{ echo "dm-verity did not restart the machine"; return 1; }
	! grep -q 'VERINIT-REPORT-END' "$1/serial.log" || { echo "the test init finished on corrupted /usr"; return 1; }
}
# The flipped bit is in the canary file, which only the test init's read of all of /usr touches:
# the machine restarts during that read (after the report, before its result). dm-verity's own
# error line does not reach the console before the restart (as before the panic of
# verity-panic), so the restart's command is what names it.
assert_usr_corrupted() {
	local ok=0
	grep -q 'VERINIT-REPORT-BEGIN' "$1/serial.log" || { echo "the test init never ran"; ok=1; }
	grep -q '^R verinit_report }' "$1/report" || { echo "the test init did not get to its read of /usr"; ok=1; }
	! grep -q '^R usr_read_ok' "$1/report" || { echo "the read of /usr finished"; ok=1; }
	grep -q "reboot: Restarting system with command 'dm-verity device corrupted'" "$1/serial.log" ||
		{ echo "dm-verity did not restart the machine"; ok=1; }
	return $ok
}
# A flipped bit below the top of the hash tree: caught at the first read, in verinit's own mount of
# /usr, before anything of /usr ran.
assert_hash_flip_leaf() { verity_restarted "$1" metadata && never_handed_over "$1"; }
# The top of the tree is not the signed root hash's: refused before dm-verity was set up, so
# nothing was activated or mounted, the console names both hashes, and the PCRs are the failure's.
verity_mismatch() { # run [uki]
	local ok=0
	halted_as_predicted "$1" "${2:-$LAB/uki.efi}" verity:VERITY_MISMATCH \
		'verinit: The hash tree on /dev/[a-z0-9]+ has root hash [0-9a-f]{64}, not the signed [0-9a-f]{64}; refusing to activate it' \
		"the tree's and the signed root hash" || ok=1
	! grep -qE 'Activated /dev/mapper/usr|device-mapper: verity' "$1/serial.log" ||
		{ echo "dm-verity was set up anyway"; ok=1; }
	return $ok
}
assert_hash_flip() { verity_mismatch "$1"; }
assert_foreign_verity() { verity_mismatch "$1"; }
assert_foreign_sig() { verity_mismatch "$1" "$LAB/uki-name-usr.efi"; }

# The firmware refused: the kernel never started, so nothing of ours ran.
never_started() {
	! grep -qE 'Linux version|verinit' "$1/serial.log" || { echo "the kernel started"; return 1; }
}
assert_attacker_uki() { never_started "$1"; }
assert_attacker_esp() {
	never_started "$1" || return 1
	grep -q 'Access Denied' "$1/serial.log" || { echo "no 'Access Denied' from the firmware"; return 1; }
}

# PCR values printed inside the guest reach the runner, one bank per active TPM bank; what the
# firmware and the stub measure (PCR 4, 7, 9, 11) is not zero, what nothing measures (PCR 13) is.
pcrs_reported() { # run banks...
	local run=$1 ok=0 bank n
	shift
	for bank in "$@"; do
		n=$(grep -c "^R pcr $bank " "$run/report" || true)
		[ "$n" = 24 ] || { echo "bank $bank: $n PCRs reported, want 24"; ok=1; }
		for pcr in 4 7 9 11; do
			grep -qE "^R pcr $bank $pcr [0-9a-f]*[1-9a-f]" "$run/report" || { echo "bank $bank: PCR $pcr is zero or missing"; ok=1; }
		done
		grep -qE "^R pcr $bank 13 0+$" "$run/report" || { echo "bank $bank: PCR 13 is not zero"; ok=1; }
	done
	return $ok
}
assert_probe_sha256() {
	pcrs_reported "$1" sha256 || return 1
	! grep -q '^R pcr sha1 ' "$1/report" || { echo "a sha1 bank on a sha256-only TPM"; return 1; }
}
assert_probe_all_banks() { pcrs_reported "$1" sha1 sha256 sha384 sha512; }


# ---- policies -------------------------------------------------------------------------------------
# IPE's default policy is active in the mode asked for; a program on the writable root is denied
# (126) in enforce mode and runs in audit mode, the kernel logging the denial either way; PCR 15
# carries the policy's digest and mode.
ipe_as_configured() { # run variant mode(enforce|audit) enforce-value exec-rc policy-name
	local run=$1 variant=$2 ok=0
	shift
	handed_over "$run" || ok=1
	grep -q "^R ipe_policy $5 active=1 version=1.0.0\$" "$run/report" ||
		{ echo "$5 1.0.0 is not the active IPE policy"; ok=1; }
	[ "$(report_json "$run" '.ipe.name + " " + .ipe.mode + " " + (.ipe.loaded | tostring)')" = "$5 $2 true" ] ||
		{ echo "report.json: ipe is $(report_json "$run" -c .ipe)"; ok=1; }
	grep -q "^R ipe_enforce $3\$" "$run/report" || { echo "IPE enforce is not $3"; ok=1; }
	grep -q "^R ipe_exec_root $4\$" "$run/report" ||
		{ echo "a program on the writable root: $(sed -n 's/^R ipe_exec_root //p' "$run/report"), want $4"; ok=1; }
	grep -q "^R ipe_audit .*ipe_op=EXECUTE .*enforcing=$3 .*rule=\"DEFAULT op=EXECUTE action=DENY\"" "$run/report" ||
		{ echo "no IPE audit record of the denial"; ok=1; }
	pcrs_predicted "$run" --uki "$LAB/uki-conf-$variant.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config qemu/verinit.conf --ipe-policy "$LAB/$([ "$5" = verinit_strict ] && echo ipe-strict || echo ipe)/${5#verinit_}.p7s" \
		--ipe-mode "$2" || ok=1
	return $ok
}
assert_ipe_enforce() { ipe_as_configured "$1" ipe-enforce enforce 1 126 verinit_default; }
assert_ipe_audit() { ipe_as_configured "$1" ipe-audit audit 0 0 verinit_default; }
assert_ipe_strict() { ipe_as_configured "$1" ipe-strict enforce 1 126 verinit_strict; }

# The test init's replay of systemd's policy reload (qemu/guest/init), against what it must read:
# the store over /etc/selinux (SELINUX=enforcing, SELINUXTYPE=$5: verinit's own store, or lab in the
# lab's selinux.store), so no setenforce; the load's exit status ($2: 1 while locked, 0 without the
# lock), enforce still 1, then root's setenforce 0 ($3) and what enforce reads after it ($4).
selinux_reloaded() { # run load-status setenforce0-status final-enforce type
	local run=$1 ok=0 want
	for want in 'R selinux_config SELINUX=enforcing' "R selinux_config SELINUXTYPE=$5" \
		"R selinux_reload_load /etc/selinux/$5/policy/policy.33 $2" 'R selinux_enforce_reloaded 1' \
		"R selinux_setenforce0 $3" "R selinux_enforce_final $4"; do
		grep -qxF "$want" "$run/report" || { echo "the report lacks '$want': $(grep '^R selinux' "$run/report" | tr '\n' ';')"; ok=1; }
	done
	! grep -q '^R selinux_reload_setenforce' "$run/report" || { echo "the reload changed the mode"; ok=1; }
	return $ok
}
# SELinux enforcing with the lab's policy after the hand-over, locked: the reload systemd would do
# reads verinit's store and is denied (secure_mode_policyload), and so is root's setenforce 0. Its
# digest, mode and lock in PCR 15.
assert_selinux_enforcing() {
	local run=$1 ok=0
	handed_over "$run" || ok=1
	grep -q '^R selinux_enforce 1$' "$run/report" || { echo "SELinux enforce is not 1 after the hand-over"; ok=1; }
	grep -q 'SELinux policy /etc/verinit/selinux/policy.bin loaded, enforcing, locked' "$run/serial.log" ||
		{ echo "verinit did not say it loaded and locked the policy"; ok=1; }
	selinux_reloaded "$run" 1 1 1 verinit || ok=1
	pcrs_predicted "$run" --uki "$LAB/uki-selinux.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config "$LAB/conf/selinux-enforcing.conf" --selinux-policy "$LAB/selinux/policy.bin" || ok=1
	return $ok
}
# OS Guard's writable root with an /etc/selinux of its own that says permissive, a policy without
# the lock, and selinux.store= on its /usr: the store hides the disk's, so the reload loads the
# same bytes and stays enforcing. Unlocked, root's setenforce 0 then succeeds, as docs/threat-model.md says.
assert_osguard_selinux() {
	local run=$1 ok=0
	handed_over "$run" "$LAB/usr-osguard/usr.env" || ok=1
	grep -q '^R mount / /dev/vda5 ext4 ' "$run/report" || { echo "/ is not root-a: $(grep '^R mount / ' "$run/report")"; ok=1; }
	grep -q '^R selinux_enforce 1$' "$run/report" || { echo "SELinux enforce is not 1 after the hand-over"; ok=1; }
	grep -q 'SELinux policy /etc/verinit/selinux/policy-nolock.bin loaded, enforcing (SHA-256' "$run/serial.log" ||
		{ echo "verinit did not say it loaded the policy unlocked"; ok=1; }
	grep -q "verinit: /sysroot/etc/selinux is selinux.store=/usr/share/verinit-test/selinux-stores/good (SELINUX=enforcing, SELINUXTYPE=lab" \
		"$run/serial.log" || { echo "verinit did not say it bound the store"; ok=1; }
	selinux_reloaded "$run" 0 0 0 lab || ok=1
	pcrs_predicted "$run" --uki "$LAB/uki-osguard-selinux.efi" --usr-env "$LAB/usr-osguard/usr.env" \
		--config "$LAB/conf/osguard-selinux.conf" --ipe-policy "$LAB/ipe/default.p7s" \
		--selinux-policy "$LAB/selinux/policy-nolock.bin" || ok=1
	return $ok
}
# A store whose policy is not the one loaded: a reload would load other bytes. Refused at the
# selinux stage, as predicted, the console naming both digests.
assert_osguard_selinux_other_store() {
	local ok=0
	never_handed_over "$1" || ok=1
	grep -q "Measured 'verinit.failure stage=selinux reason=SELINUX_LOAD' into PCR 15" "$1/serial.log" ||
		{ echo "the failure was not measured into PCR 15"; ok=1; }
	failure_predicted "$1" --uki "$LAB/uki-osguard-selinux-other.efi" --usr-env "$LAB/usr-osguard/usr.env" \
		--config "$LAB/conf/osguard-selinux-other.conf" --failure selinux:SELINUX_LOAD || ok=1
	grep -qE 'verinit: /usr/share/verinit-test/selinux-stores/other/lab/policy/policy.33 \(SHA-256 [0-9a-f]{64}\) is what a reload would load, not the policy verinit loaded' \
		"$1/serial.log" || { echo "no console line naming the store's policy"; ok=1; }
	return $ok
}
# Without selinux in lsm= the message names the missing word.
assert_selinux_no_lsm() {
	local ok=0
	never_handed_over "$1" || ok=1
	grep -q 'SELinux is not active in this kernel (/sys/kernel/security/lsm does not list it): its command line needs an lsm= word that includes selinux' \
		"$1/serial.log" || { echo "the failure does not name lsm="; ok=1; }
	return $ok
}

# The init on an unsigned dm-verity /usr: verinit verified it and said the kernel did not, then
# IPE denied executing it, with its audit record naming the device and the rule.
assert_ipe_unsigned_verity() {
	local run=$1 ok=0
	never_handed_over "$run" || ok=1
	grep -q "WITHOUT the kernel's check" "$run/serial.log" || { echo "/usr was not activated unsigned"; ok=1; }
	grep -q 'Cannot execute /usr/lib/verinit-test/init: Permission denied' "$run/serial.log" ||
		{ echo "verinit did not fail on executing the init"; ok=1; }
	grep -qE 'ipe_op=EXECUTE .*enforcing=1 .*path="/usr/lib/verinit-test/init" dev="dm-[0-9]+".*rule="DEFAULT op=EXECUTE action=DENY"' \
		"$run/serial.log" || { echo "no IPE audit record denying the init on the dm-verity device"; ok=1; }
	return $ok
}

# ---- OS Guard's disk (qemu/osguard-disk.sh) --------------------------------------------------
# Booted from its own ESP with OS Guard's command line as its builder writes it: /usr is the ext4 of
# usr-a, a partition of the generic type that only the command line names, verified against the
# signature file in the initramfs; / is root-a, ext4, read-write, nodev and nosuid; the empty B slot
# was no candidate; IPE's default policy in audit mode (ipe.enforce=0), logging what enforce would
# deny on root-a; PCRs as published next to its UKI, the label usr-a measured as pinned.
assert_osguard() {
	local run=$1 ok=0 opts o
	handed_over "$run" "$LAB/usr-osguard/usr.env" || ok=1
	opts=$(sed -n 's|^R mount / /dev/vda5 ext4 ||p' "$run/report")
	for o in rw nosuid nodev; do
		[[ ,$opts, == *",$o,"* ]] || { echo "/ is not root-a (/dev/vda5) ext4 with $o: $(grep '^R mount / ' "$run/report")"; ok=1; }
	done
	[ "$(report_json "$run" '[.partitions[] | .role + "=" + .device + ":" + .label] | join(" ")')" = \
		"root=/dev/vda5:root-a usr=/dev/vda3:usr-a usr-verity=/dev/vda4:usr-hash-a" ] ||
		{ echo "report.json partitions: $(report_json "$run" -c '.partitions')"; ok=1; }
	grep -q "verinit: Read the /usr signature from /etc/verinit/usr.p7s" "$run/serial.log" ||
		{ echo "the console does not say the signature came from the initramfs"; ok=1; }
	grep -q "^R ipe_enforce 0\$" "$run/report" || { echo "IPE is not in audit mode"; ok=1; }
	grep -q '^R ipe_audit .*ipe_op=EXECUTE .*enforcing=0 .*dev="vda5" .*action=DENY' "$run/report" ||
		{ echo "no IPE audit record of a program on root-a that enforce mode would deny"; ok=1; }
	pcrs_published "$run" "$LAB/uki-osguard.pcrs.json" || ok=1
	return $ok
}
# The same disk and command line, its signature file by the attacker: refused at the signature,
# before anything was activated, the failure measured as predicted.
assert_osguard_attacker_key() {
	local run=$1 ok=0
	never_handed_over "$run" || ok=1
	console_pcrs_vs "$run" equal --uki "$LAB/uki-osguard-attacker.efi" --usr-env "$LAB/usr-osguard/usr.env" \
		--cert "$LAB/keys/db.crt" --config "$LAB/conf/osguard.conf" --failure signature:SIG_UNTRUSTED || ok=1
	grep -qE 'verinit: The /usr root hash [0-9a-f]{64} is not validly signed' "$run/serial.log" ||
		{ echo "no console line saying the signature is not trusted"; ok=1; }
	! grep -q 'device-mapper: verity' "$run/serial.log" || { echo "a verity device was set up"; ok=1; }
	return $ok
}

# A dynamically linked init on OS Guard's /usr (qemu/guest/dyninit.c): on a merged-/usr root its
# loader resolves through /lib64 -> usr/lib64 onto /usr, and it hands over, as predicted.
assert_osguard_root_merged() {
	local run=$1 ok=0
	handed_over "$run" "$LAB/usr-osguard-dyn/usr.env" || ok=1
	grep -q "verinit: Handing over to /usr/lib/verinit-test/init-dyn" "$run/serial.log" ||
		{ echo "the init was not the dynamically linked one"; ok=1; }
	pcrs_published "$run" "$LAB/uki-osguard-dyn.pcrs.json" || ok=1
	return $ok
}
# The same init and /usr, a root that would run its own code in PID 1: refused, the console naming
# what. Refused at the mounts, the failure is measured as predicted; at the hand-over (after the
# facts, which predict --failure does not model), measured and unlike a good boot's PCRs.
osguard_root_refused() { # run stage:REASON ERE what
	local run=$1 ok=0 args
	args=(--uki "$LAB/uki-osguard-dyn.efi" --usr-env "$LAB/usr-osguard-dyn/usr.env" --cert "$LAB/keys/db.crt"
		--config "$LAB/conf/osguard-dyn.conf" --ipe-policy "$LAB/ipe/default.p7s" --ipe-mode audit)
	never_handed_over "$run" || ok=1
	console_pcrs_vs "$run" equal "${args[@]}" --failure "$2" || ok=1
	grep -qE "$3" "$run/serial.log" || { echo "no console line naming $4"; ok=1; }
	return $ok
}
assert_osguard_root_hijack() {
	osguard_root_refused "$1" handover:INIT_UNVERIFIED \
		'verinit: /lib64/ld-linux-x86-64.so.2, which executing the init /usr/lib/verinit-test/init-dyn loads, is not on the verified /usr' \
		"the root's loader"
}
assert_osguard_root_preload() {
	osguard_root_refused "$1" handover:INIT_UNVERIFIED 'verinit: /etc/ld.so.preload exists on the new root' "ld.so.preload"
}
assert_osguard_root_usr_symlink() {
	osguard_root_refused "$1" mounts:MOUNT 'verinit: /usr on the new root is not a directory \(a symlink\?\)' "the /usr symlink"
}

# ---- issue 22's remaining cases ----------------------------------------------------------------
# Booted by SeaBIOS with no stub: PCR 11 holds verinit's phases alone.
no_stub_prediction() { echo --no-stub --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" --kernel-verified no; }
# A SeaBIOS boot that failed in STAGE:REASON: measured, and exactly as predicted.
no_stub_failed() { # run stage:REASON
	local ok=0
	never_handed_over "$1" || ok=1
	# shellcheck disable=SC2046 # words
	failure_measured "$1" $(no_stub_prediction) --config qemu/verinit.conf || ok=1
	# shellcheck disable=SC2046 # words
	failure_predicted "$1" $(no_stub_prediction) --config qemu/verinit.conf --failure "$2" || ok=1
	return $ok
}

# The TPM fails the third PCR 15 extend (qemu/tpm-proxy.py) and answers again afterwards: verinit
# stops in measure, and the TPM holds exactly enter-initrd, the first two facts and the failure.
assert_tpm_fails_facts() {
	local ok=0
	grep -qx 'failed TPM2_PCR_Extend #3 of PCR 15' "$1/tpm-proxy.log" ||
		{ echo "the proxy did not fail the third extend of PCR 15: $(head -c 200 "$1/tpm-proxy.log")"; ok=1; }
	grep -q "verinit: Cannot extend PCR 15 with 'verinit\." "$1/serial.log" || { echo "no console line naming the failed extend"; ok=1; }
	failure_measured "$1" $(uki_prediction) || ok=1
	# shellcheck disable=SC2046 # words
	failure_predicted "$1" $(uki_prediction) --failure measure:MEASURE --facts-extended 2 || ok=1
	never_handed_over "$1" || ok=1
	return $ok
}
# tpm=optional without a TPM: /usr verified and handed over, unmeasured, and both the console and
# the boot report say so.
assert_tpm_optional_none() {
	local ok=0
	usr_verified "$1" || ok=1
	grep -q 'verinit: No TPM (/dev/tpmrm0) after 5 s; booting unmeasured (tpm=optional)' "$1/serial.log" ||
		{ echo "no console line saying the boot is unmeasured"; ok=1; }
	[ "$(report_json "$1" .tpm.present)" = false ] || { echo "report.json: tpm.present is not false"; ok=1; }
	! grep -q '^R pcr ' "$1/report" || { echo "the guest read PCRs without a TPM"; ok=1; }
	return $ok
}
# tpm=optional with a TPM: measured as a tpm=required boot is.
assert_tpm_optional_present() {
	local ok=0
	usr_verified "$1" || ok=1
	[ "$(report_json "$1" .tpm.present)" = true ] || { echo "report.json: tpm.present is not true"; ok=1; }
	# shellcheck disable=SC2046 # words
	pcrs_predicted "$1" $(no_stub_prediction) --config "$LAB/conf/tpm-optional.conf" || ok=1
	return $ok
}
# The failure actions: after the halted verdict's lines the machine restarts (after failure_delay)
# or powers off, not halts; measured as any failure.
failure_action() { # run uki verb kernel-line
	local ok=0 fail_at
	failed_measured "$1" "$2" || ok=1
	fail_at=$(grep -n -m1 'verinit: FAIL reason=' "$1/serial.log" | cut -d: -f1)
	sed -n "${fail_at:-1},\$p" "$1/serial.log" | grep -q "verinit: $3\$" || { echo "no '$3' after the FAIL line"; ok=1; }
	sed -n "${fail_at:-1},\$p" "$1/serial.log" | grep -q "reboot: $4" || { echo "the kernel did not say '$4' after the failure"; ok=1; }
	! grep -q 'reboot: System halted' "$1/serial.log" || { echo "the machine halted instead"; ok=1; }
	return $ok
}
assert_failure_reboot() {
	local ok=0
	failure_action "$1" "$LAB/uki-conf-failure-reboot.efi" rebooting 'Restarting system' || ok=1
	grep -q 'verinit: rebooting in 1 s' "$1/serial.log" || { echo "no failure_delay line"; ok=1; }
	return $ok
}
assert_failure_poweroff() { failure_action "$1" "$LAB/uki-conf-failure-poweroff.efi" 'powering off' 'Power down'; }
# verity.on_corruption=eio: the boot hands over (nothing verinit reads is corrupted), and the read
# of the corrupted block fails with EIO while every other file of /usr reads.
assert_verity_eio() {
	local ok=0
	grep -q '^R usr_read_ok 0$' "$1/report" || { echo "reading all of /usr did not fail"; ok=1; }
	[ "$(sed -n 's/^R usr_read_failed //p' "$1/report" | paste -sd ' ')" = /usr/share/verinit-test/canary ] ||
		{ echo "files that failed to read: $(sed -n 's/^R usr_read_failed //p' "$1/report" | paste -sd ' ')"; ok=1; }
	grep -q "device-mapper: verity: .* data block .* is corrupted" "$1/serial.log" || { echo "dm-verity reported no corrupted block"; ok=1; }
	! grep -q 'reboot: Restarting system' "$1/serial.log" || { echo "the machine restarted"; ok=1; }
	grep -qE '^R mount /usr /dev/mapper/usr erofs ro,' "$1/report" || { echo "/usr is not the verity device"; ok=1; }
	# shellcheck disable=SC2046 # words
	pcrs_predicted "$1" --uki "$LAB/uki-conf-verity-eio.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" \
		--config "$LAB/conf/verity-eio.conf" || ok=1
	return $ok
}
# verity.on_corruption=panic: the kernel panics at the corrupted block, after the hand-over (the
# panic comes before dm-verity's own rate-limited line reaches the console: the backtrace names
# its error handler).
assert_verity_panic() {
	local ok=0
	grep -q 'VERINIT-REPORT-BEGIN' "$1/serial.log" || { echo "the test init never ran"; ok=1; }
	grep -q 'Kernel panic - not syncing: dm-verity device corrupted' "$1/serial.log" || { echo "no dm-verity panic"; ok=1; }
	grep -q 'verity_handle_err' "$1/serial.log" || { echo "the panic's backtrace does not name dm-verity's error handler"; ok=1; }
	! grep -q 'VERINIT-REPORT-END' "$1/serial.log" || { echo "the test init finished on corrupted /usr"; ok=1; }
	return $ok
}
# A disk that arrives while the devices stage waits (hot-added through QEMU's monitor after the
# "Waiting for" line): its SCSI disk's driver is loaded for the event, and the boot hands over.
assert_late_disk() {
	local ok=0
	[ -s "$1/hotplugged" ] || { echo "the disk was never added: $(cat "$1/monitor.log" 2>/dev/null | tail -n 2)"; ok=1; }
	! grep -qi 'error' "$1/monitor.log" 2>/dev/null || { echo "the monitor said: $(grep -i error "$1/monitor.log")"; ok=1; }
	measured_as_predicted "$1" || ok=1
	[ "$(report_json "$1" .usr.data_device)" = /dev/sda2 ] || { echo "report.json: /usr not from /dev/sda2"; ok=1; }
	grep -q '\] verinit: Module sd_mod loaded for a new device (scsi:t-0x00)' "$1/serial.log" ||
		{ echo "sd_mod was not loaded for the late disk's event"; ok=1; }
	return $ok
}
# Damaged partition tables (SeaBIOS: nothing repairs them before the kernel reads them).
gpt_fallback_refused() { # run
	local ok=0
	no_stub_failed "$1" devices:PARTITION_TABLE || ok=1
	grep -qE 'verinit: /dev/vda: libblkid reads a GPT with 4 partitions from its backup header \(LBA [0-9]+\), the kernel made none: the primary table is damaged; refusing the partition table' "$1/serial.log" ||
		{ echo "no console line naming the disk the kernel did not partition"; ok=1; }
	return $ok
}
assert_gpt_primary_crc() { gpt_fallback_refused "$1"; }
assert_gpt_primary_crc_uefi() { assert_signed_esp "$1"; }
assert_gpt_entries_crc() { gpt_fallback_refused "$1"; }
# Both tables valid and different, or the backup header not at the disk's end: both readers take
# the primary, and the boot is the lab's.
no_stub_handed_over() {
	local ok=0
	usr_verified "$1" || ok=1
	# shellcheck disable=SC2046 # words
	pcrs_predicted "$1" $(no_stub_prediction) --config qemu/verinit.conf || ok=1
	return $ok
}
assert_gpt_backup_differs() { no_stub_handed_over "$1"; }
assert_gpt_grown() { no_stub_handed_over "$1"; }

# ---- remote attestation, the node's side (issue 26) ----------------------------------------------
# The test init's attest_* files (base64 lines, qemu/guest/init), decoded into RUN/attest/KEY
# (rsa_ak, rsa_quote, rsa_sig, rsa_pcrs, ecc_...: the report's key without "attest_"), and the
# nonce it read as RUN/attest/nonce, so that later checks (the verifier's) reuse them. Each must
# decode and be non-empty.
attest_files() { # run
	local run=$1 ok=0 key
	mkdir -p "$run/attest" || return 1
	sed -n 's/^R attest_nonce //p' "$run/report" >"$run/attest/nonce"
	for key in rsa_ak rsa_quote rsa_sig rsa_pcrs ecc_ak ecc_quote ecc_sig ecc_pcrs; do
		sed -n "s/^R attest_$key //p" "$run/report" | base64 -d >"$run/attest/$key" 2>/dev/null ||
			{ echo "attest_$key does not decode as base64"; ok=1; continue; }
		[ -s "$run/attest/$key" ] || { echo "attest_$key is absent or empty"; ok=1; }
	done
	return $ok
}
# "BANK PCR HEX" lines of a good boot's prediction on stdin, as they read once the phase "sysinit"
# was extended into PCR 11 after the hand-over (as systemd-pcrphase does, and the test init
# before it attests): PCR 11 is H(predicted || H("sysinit")) in its bank, computed here, not taken
# from the guest; every other line as it is.
after_sysinit() {
	local bank pcr want
	while read -r bank pcr want; do
		if [ "$pcr" = 11 ] && command -v "${bank}sum" >/dev/null; then
			want=$(printf '%s%s' "$want" "$(printf sysinit | "${bank}sum" | cut -d' ' -f1)" | tr a-f A-F | basenc --base16 -d | "${bank}sum" | cut -d' ' -f1)
		fi
		echo "$bank $pcr $want"
	done
}
# stdin as lowercase hex on one line.
hex() { od -An -v -tx1 | tr -d ' \n'; }
# One AK's quote: its signature by the AK over the quote, with the case's nonce (tpm2_checkquote;
# without -f: tpm2-tools 5.4 cannot hash a "values" PCR file of 8 or more PCRs, tpm2-tools issue
# 3542), the quote's PCR digest equal to the SHA-256 of the PCR values sent with it, PCRs 0-15 of
# each bank the guest printed quoted, and those values the ones it printed.
quote_verified() { # run rsa|ecc nonce
	local run=$1 ok=0 out bank want='' sel
	local a=$run/attest/$2
	out=$(tpm2_checkquote -u "$a"_ak -m "$a"_quote -s "$a"_sig -g sha256 -q "$3" 2>&1 >/dev/null) ||
		{ echo "$2: tpm2_checkquote failed: $(tail -n1 <<<"$out")"; ok=1; }
	[ "$(tail -c 34 "$a"_quote | hex)" = "0020$(sha256sum <"$a"_pcrs | cut -c1-64)" ] ||
		{ echo "$2: the quote's PCR digest is not the SHA-256 of the PCR values sent with it"; ok=1; }
	while read -r bank; do
		want+=$(sed -n "s/^R pcr $bank \([0-9]*\) //p" "$run/report" | head -n 16 | tr -d '\n')
	done < <(sed -n 's/^R pcr \([a-z0-9]*\) 0 .*/\1/p' "$run/report")
	[ "$(hex <"$a"_pcrs)" = "$want" ] || { echo "$2: the quoted PCR values are not the ones the guest printed"; ok=1; }
	sel=$(tpm2_print -t TPMS_ATTEST "$a"_quote 2>&1 | sed -n 's/^ *pcrSelect: //p' | sort -u)
	[ "$sel" = ffff00 ] || { echo "$2: the quote selects PCRs $sel, not 0-15 in every bank"; ok=1; }
	return $ok
}
# The verifier on the attest case's quotes: both pass against the image's published values with
# IPE enforcing and the root hash required, with and without the firmware log; one good quote then
# serves every tamper, each failing with its own reason, and where tpm2_checkquote can see the
# tamper (nonce, signature) it fails too, where it cannot (the log, the image) it passes.
attest_verdicts() { # run nonce
	local run=$1 nonce=$2 ok=0 a=$1/attest key got want cq roothash other
	local log=$run/tpm2-measure.log fw=$run/fw.log ref=$LAB/uki-attest.pcrs.json
	roothash=$(sed -n 's/^ROOTHASH=//p' "$LAB/usr-attest/usr.env")
	expect_verdict() { # description want want-checkquote|- verify_quote-args...
		local what=$1 want=$2 want_cq=$3 cq=-
		shift 3
		got=$(attest_verdict "$a" "$@")
		[ "$want_cq" = - ] || cq=$(attest_checkquote "$a" "$1" "$2" "$3" "$5")
		[ "$got" = "$want" ] && [ "$cq" = "$want_cq" ] ||
			{ echo "verify-quote, $what: $got (want $want), tpm2_checkquote $cq (want $want_cq): $(head -c 400 "$run/attest/verdict.json" "$run/attest/verdict.err" | tr '\n' ' ')"; ok=1; }
	}
	for key in rsa ecc; do
		expect_verdict "$key quote" PASS PASS "$a/${key}_ak" "$a/${key}_quote" "$a/${key}_sig" "$a/${key}_pcrs" "$nonce" \
			"$log" "$fw" "$ref" --require 'verinit.ipe.policy.sha256=* mode=enforce' --require "verinit.usr.roothash=$roothash"
		[ "$(jq -r '[.after_handover[].string] | join(" ")' "$a/verdict.json" 2>/dev/null)" = sysinit ] ||
			{ echo "verify-quote, $key: after_handover is not [sysinit]: $(tr -d '\n' <"$a/verdict.json")"; ok=1; }
	done
	set -- "$a/rsa_ak" "$a/rsa_quote" "$a/rsa_sig" "$a/rsa_pcrs"
	expect_verdict "no firmware log" PASS - "$@" "$nonce" "$log" "" "$ref"
	other=$(printf 'another verifier' | sha256sum | cut -c1-64)
	expect_verdict "another nonce" NONCE FAIL "$@" "$other" "$log" "$fw" "$ref"
	# The root hash fact's record with one hex digit of its digest changed (its string left as it was).
	python3 - "$log" "$a/edited.log" "verinit.usr.roothash=$roothash" <<'EOF_PY' || { echo "cannot edit the log"; ok=1; }
import sys
recs = open(sys.argv[1], "rb").read().split(b"\x1e")
i = next(i for i, r in enumerate(recs) if sys.argv[3].encode() in r)
d = recs[i].index(b'"digest":"') + 10
recs[i] = recs[i][:d] + (b"1" if recs[i][d:d + 1] == b"0" else b"0") + recs[i][d + 1:]
open(sys.argv[2], "wb").write(b"\x1e".join(recs))
EOF_PY
	expect_verdict "a log event changed" LOG PASS "$@" "$nonce" "$a/edited.log" "$fw" "$ref"
	attest_flip "$a/rsa_pcrs" 400 "$a/flipped_pcrs" || { echo "cannot flip a bit of rsa_pcrs"; ok=1; }
	expect_verdict "a quoted PCR value changed" PCR_DIGEST - "$1" "$2" "$3" "$a/flipped_pcrs" "$nonce" "$log" "$fw" "$ref"
	[ "$(tail -c 32 "$a/rsa_quote" | hex)" != "$(sha256sum <"$a/flipped_pcrs" | cut -c1-64)" ] ||
		{ echo "the changed PCR values still hash to the quote's digest"; ok=1; }
	expect_verdict "another image's reference" REFERENCE PASS "$@" "$nonce" "$log" "$fw" "$LAB/uki.pcrs.json"
	expect_verdict "signed by another AK" SIGNATURE FAIL "$a/ecc_ak" "$2" "$3" "$4" "$nonce" "$log" "$fw" "$ref"
	expect_verdict "a fact the boot does not have" REQUIRE - "$@" "$nonce" "$log" "$fw" "$ref" --require 'verinit.root=device *'
	return $ok
}
# The attest case: the lab's hand-over from the attest /usr (tpm2-tools on it, IPE enforcing); PCR
# 11 and 15 as predicted and published, PCR 11 once extended by sysinit (after_sysinit; checking the
# quoted values against the prediction is the verifier's, verinit-measure verify-quote); the event
# log, sysinit record included, replays; the nonce is the case's (qemu/attest-nonce.sh); every step passed and every
# file came back whole; the sysinit digests are H("sysinit") in every bank; both quotes verify, with
# tpm2_checkquote and with verinit-measure verify-quote, which also fails each tamper (attest_verdicts).
assert_attest() {
	local run=$1 ok=0 nonce key bank hex
	handed_over "$run" "$LAB/usr-attest/usr.env" || ok=1
	grep -qx 'R ipe_enforce 1' "$run/report" || { echo "IPE is not enforcing"; ok=1; }
	pcrs_match "$run" < <("$MEASURE" predict --uki "$LAB/uki-attest.efi" --usr-env "$LAB/usr-attest/usr.env" \
		--cert "$LAB/keys/db.crt" --config "$LAB/conf/ipe-enforce.conf" --ipe-policy "$LAB/ipe/default.p7s" \
		--ipe-mode enforce --format lines 2>&1 | after_sysinit || echo "predict failed") || ok=1
	pcrs_match "$run" < <(published_lines "$LAB/uki-attest.pcrs.json" | after_sysinit) || ok=1
	replay_passes "$run" || ok=1
	! grep '^R attest_error' "$run/report" || ok=1
	nonce=$(qemu/attest-nonce.sh attest) || { echo "qemu/attest-nonce.sh failed"; return 1; }
	grep -qx "R attest_nonce $nonce" "$run/report" ||
		{ echo "attest_nonce is $(sed -n 's/^R attest_nonce //p' "$run/report"), want $nonce"; ok=1; }
	attest_files "$run" || ok=1
	for key in $(sed -n 's/^R attest_sysinit //p' "$run/report" | tr ' ' '\n'); do
		bank=${key%%=*} hex=${key#*=}
		[ "$hex" = "$(printf sysinit | "${bank}sum" 2>/dev/null | cut -d' ' -f1)" ] || { echo "attest_sysinit: $bank is $hex, not H(sysinit)"; ok=1; }
	done
	[ "$(sed -n 's/^R attest_sysinit //p' "$run/report" | wc -w)" = "$(sed -n 's/^R pcr \([a-z0-9]*\) 0 .*/\1/p' "$run/report" | wc -l)" ] ||
		{ echo "attest_sysinit: not one digest per bank: $(sed -n 's/^R attest_sysinit //p' "$run/report")"; ok=1; }
	for key in rsa ecc; do
		[ -s "$run/attest/${key}_quote" ] || continue
		quote_verified "$run" "$key" "$nonce" || ok=1
	done
	attest_verdicts "$run" "$nonce" || ok=1
	return $ok
}
