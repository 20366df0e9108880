/* SPDX-License-Identifier: MIT */
/* Stable reason codes for a failed boot. They appear on the console, in the boot report and in
 * the PCR failure event, so operators and tests match on them: never rename one, only add. */
#pragma once

enum reason {
	REASON_NONE = 0,
	REASON_INTERNAL,            /* a bug or an impossible state in verinit itself */
	REASON_EARLY_MOUNT,         /* /dev, /proc, /sys or /run could not be mounted */
	REASON_NO_HANDOVER,         /* every stage ran but none handed over to the system */
	REASON_CONFIG,              /* /etc/verinit.conf is missing or invalid */
	REASON_CMDLINE,             /* the kernel command line cannot be parsed */
	REASON_CMDLINE_WEAKENS,     /* a command-line word would weaken enforcement */
	REASON_MODULE,              /* a configured kernel module is missing or failed to load */
	REASON_DEVICE_TIMEOUT,      /* a partition /usr needs did not appear by the deadline */
	REASON_DEVICE_AMBIGUOUS,    /* two or more partitions fit one role */
	REASON_SIG_MISSING,         /* no signature to read */
	REASON_SIG_MALFORMED,       /* the signature JSON or PKCS#7 is not what it must be */
	REASON_SIG_UNTRUSTED,       /* no enrolled certificate signed it */
	REASON_SIG_INVALID,         /* the signature does not verify over the root hash */
	REASON_CERTS,               /* the enrolled certificates cannot be read */
	REASON_USRHASH_MISMATCH,    /* usrhash= differs from the signed root hash */
	REASON_VERITY,              /* dm-verity could not be set up */
	REASON_KERNEL_UNTRUSTED,    /* the kernel does not trust the signer and kernel_verify=required */
	REASON_MOUNT,               /* the new root or /usr could not be mounted */
	REASON_INIT_UNVERIFIED,     /* the init is not a file on the verified /usr, or cannot run */
	REASON_SWITCH_ROOT,         /* moving into the new root failed */
	REASON_TPM_MISSING,         /* no TPM by the deadline and tpm=required */
	REASON_MEASURE,             /* the TPM refused an extend, or the event log cannot be written */
	REASON_POLICY_UNVERIFIED,   /* a policy file is not on verified storage (initramfs or /usr) */
	REASON_IPE_UNAVAILABLE,     /* the kernel has no IPE */
	REASON_IPE_UNTRUSTED,       /* the kernel does not trust the IPE policy's signer */
	REASON_IPE_MALFORMED,       /* the IPE policy is not a signed policy the kernel can parse */
	REASON_IPE_DOWNGRADE,       /* an older version of a policy already loaded */
	REASON_IPE,                 /* activating the IPE policy or setting its mode failed */
	REASON_SELINUX_UNAVAILABLE, /* SELinux is not active in the kernel (lsm=) */
	REASON_SELINUX_LOAD,        /* the kernel refused the SELinux policy or its mode */
	REASON_PARTITION_OVERLAP,   /* a partition /usr needs shares sectors with another one */
	REASON_VERITY_MISMATCH,     /* the hash tree's top is not the signed root hash's */
	REASON_USRHASH_NOT_FOUND,   /* no usr-verity-sig partition has the root hash usrhash= pins */
	REASON_PARTITION_TABLE,     /* the kernel's partitions and the GPT disagree, or a disk has more
				   * partitions than verinit holds */
	_REASON_MAX,
};

/* "EARLY_MOUNT" etc.; "INTERNAL" for a value out of range. */
const char *reason_to_string(enum reason r);
