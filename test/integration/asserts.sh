# Extra checks per integration case (sourced by run.sh). Each gets the run directory, prints one
# line per failed expectation and returns non-zero on any.

# verinit's /run/verinit/report.json as the test init printed it, through a jq filter.
report_json() { # run jq-filter
	sed -n 's/^R verinit_report //p' "$1/report" | jq -r "$2" 2>&1
}

# /usr mounted read-only from the dm-verity device verinit named "usr", and the boot report says
# what was verified: the lab's root hash and signer, and every stage until the hand-over.
usr_verified() {
	local run=$1 ok=0 want
	want=$(cat "$LAB/usr/usr.roothash")
	grep -qE '^R mount /usr /dev/mapper/usr erofs ro,' "$run/report" || { echo "/usr is not dm-verity, read-only"; ok=1; }
	grep -q '^R usr_dm_uuid CRYPT-VERITY-' "$run/report" || { echo "/usr is not a verity device"; ok=1; }
	grep -q '^R usr_read_ok 1$' "$run/report" || { echo "reading /usr failed"; ok=1; }
	grep -qE '\] \[  OK  \] Verified the /usr root hash signature \(signer .*CN ?= ?verinit test db' "$run/serial.log" ||
		{ echo "no status line naming the signer"; ok=1; }
	[ "$(report_json "$run" .usr.root_hash)" = "$want" ] || { echo "report.json: root hash is not $want"; ok=1; }
	report_json "$run" .usr.signer | grep -q 'verinit test db' || { echo "report.json: signer is not the db key"; ok=1; }
	[ "$(report_json "$run" '.usr.signer_sha256 | length')" = 64 ] || { echo "report.json: no signer fingerprint"; ok=1; }
	[ "$(report_json "$run" '[.stages[].name] | join(" ")')" = \
		"early-mounts config modules devices signature verity mounts handover" ] ||
		{ echo "report.json: stages are $(report_json "$run" '[.stages[].name] | join(" ")')"; ok=1; }
	[ "$(report_json "$run" '[.stages[] | select(.verdict == "ok" and .end_us >= .start_us)] | length')" = 7 ] ||
		{ echo "report.json: not every stage before the hand-over ended ok"; ok=1; }
	return $ok
}

# verinit ran as PID 1 under Secure Boot, verified /usr, the kernel verified the signature too,
# and it handed over.
handed_over() {
	local run=$1 ok=0
	grep -q '^secureboot=enabled$' "$run/verdict" || { echo "Secure Boot was not enabled"; ok=1; }
	grep -q 'kernel verified the signature' "$run/serial.log" || { echo "the kernel did not verify"; ok=1; }
	[ "$(report_json "$run" .usr.kernel_verified)" = true ] || { echo "report.json: kernel_verified is not true"; ok=1; }
	usr_verified "$run" || ok=1
	return $ok
}
assert_signed_uki() { handed_over "$1"; }
assert_signed_esp() { handed_over "$1"; }

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

# kernel_verify=optional without Secure Boot: the kernel has no key, verinit activates on its own
# check, says so, and the report records it.
assert_kernel_optional() {
	local run=$1 ok=0
	grep -q "WITHOUT the kernel's check" "$run/serial.log" || { echo "no status line saying the kernel did not check"; ok=1; }
	[ "$(report_json "$run" .usr.kernel_verified)" = false ] || { echo "report.json: kernel_verified is not false"; ok=1; }
	usr_verified "$run" || ok=1
	return $ok
}

# A failure never hands over: the test init must not have run.
never_handed_over() {
	! grep -q 'VERINIT-REPORT-BEGIN' "$1/serial.log" || { echo "the test init ran"; return 1; }
}
for c in sb_off_uki seabios_fast sig_attacker_key sig_other_hash sig_foreign_fpr sig_signed_attrs \
	sig_garbage_json no_sig_partition two_usr no_disk usrhash_mismatch cmdline_weakens init_escape; do
	eval "assert_$c() { never_handed_over \"\$1\"; }"
done

# dm-verity caught the flipped bit and restarted the machine, as verity.on_corruption=restart says.
assert_usr_corrupted() {
	grep -q 'device-mapper: verity: .* data block .* is corrupted' "$1/serial.log" ||
		{ echo "dm-verity reported no corrupted block"; return 1; }
	! grep -q 'VERINIT-REPORT-END' "$1/serial.log" || { echo "the test init finished on corrupted /usr"; return 1; }
}

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

