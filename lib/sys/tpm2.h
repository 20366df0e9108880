/* SPDX-License-Identifier: MIT */
/* The TPM, as verinit uses it: read which PCR banks are active, extend one PCR in all of them at
 * once, read a PCR back. Nothing else: no sessions, no keys, no NV, no other TPM state.
 * Behind an ops table like lib/sys/sysops.h so the stage code can be tested without a TPM. */
#pragma once

#include <stdint.h>

#include "pcr.h"

#define TPM_DEVICE "/dev/tpmrm0" /* the kernel's resource manager: no other user is disturbed */

struct tpm_ops {
	/* Opens the TPM at device. Returns 0, -ENOENT while the device does not exist, or -errno. */
	int (*open)(const char *device);
	/* The active banks, as a mask of enum pcr_bank (banks the TPM has that we do not know, SM3
	 * say, are left out: *unknown counts them). Returns 0 or -EIO. */
	int (*banks)(unsigned *banks, unsigned *unknown);
	/* One TPM2_PCR_Extend with a digest for every bank in d->banks. Returns 0 or -EIO. */
	int (*extend)(unsigned pcr, const struct pcr_digests *d);
	/* Reads PCR pcr of bank b. Returns 0 or -EIO. */
	int (*read)(unsigned pcr, enum pcr_bank b, uint8_t out[static PCR_DIGEST_MAX]);
	void (*close)(void);
};

extern const struct tpm_ops *tpm;

/* Tests swap the table; NULL restores the real one (tpm2-tss ESAPI over the device TCTI). */
void tpm_set_ops(const struct tpm_ops *ops);
