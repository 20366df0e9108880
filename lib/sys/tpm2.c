/* SPDX-License-Identifier: MIT */
/* tpm2-tss ESAPI over the device TCTI, initialised directly: a static binary has no tctildr to
 * dlopen. tpm2-tss has no log callback, so its own logging is turned off and every failure is
 * logged here, once, with Tss2_RC_Decode's text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tcti_device.h>

#include "log.h"
#include "macro.h"
#include "sysops.h"
#include "tpm2.h"

#define TRIES 20
#define RETRY_US 50000

static ESYS_CONTEXT *esys;
static TSS2_TCTI_CONTEXT *tcti;

/* The TPM was busy, not wrong: worth asking again. */
static bool transient(TSS2_RC rc) {
	TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;
	return base == TPM2_RC_RETRY || base == TPM2_RC_YIELDED || base == TPM2_RC_TESTING;
}

static void esys_close(void) {
	if (esys)
		Esys_Finalize(&esys);
	if (tcti) {
		Tss2_Tcti_Finalize(tcti);
		free(tcti);
		tcti = NULL;
	}
}

static int esys_open(const char *device) {
	size_t size = 0;
	TSS2_RC rc;

	if (esys)
		return 0;
	if (access(device, F_OK) < 0)
		return negative_errno();
	/* "all+none": tpm2-tss would print its own lines to stderr; ours say the same once. */
	(void) setenv("TSS2_LOG", "all+none", 1);
	rc = Tss2_Tcti_Device_Init(NULL, &size, device);
	if (rc != TSS2_RC_SUCCESS)
		return log_error_errno(-EIO, "tpm2-tss: cannot size the device TCTI: %s", Tss2_RC_Decode(rc));
	tcti = calloc(1, size);
	if (!tcti)
		return log_error_errno(-ENOMEM, "tpm2-tss: no memory for the device TCTI");
	rc = Tss2_Tcti_Device_Init(tcti, &size, device);
	if (rc != TSS2_RC_SUCCESS) {
		free(tcti);
		tcti = NULL;
		return log_error_errno(-EIO, "tpm2-tss: cannot open %s: %s", device, Tss2_RC_Decode(rc));
	}
	rc = Esys_Initialize(&esys, tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		esys_close();
		return log_error_errno(-EIO, "tpm2-tss: cannot start ESAPI on %s: %s", device, Tss2_RC_Decode(rc));
	}
	return 0;
}

static int esys_banks(unsigned *banks, unsigned *unknown) {
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	TSS2_RC rc;

	for (int i = 0;; i++) {
		rc = Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_PCRS, 0, 1, &more, &cap);
		if (rc == TSS2_RC_SUCCESS || !transient(rc) || i + 1 >= TRIES)
			break;
		sys->sleep_us(RETRY_US);
	}
	if (rc != TSS2_RC_SUCCESS)
		return log_error_errno(-EIO, "TPM2_GetCapability(PCRS): %s", Tss2_RC_Decode(rc));
	*banks = *unknown = 0;
	const TPML_PCR_SELECTION *sel = &cap->data.assignedPCR;
	for (uint32_t i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		bool active = false;
		for (unsigned j = 0; j < s->sizeofSelect && j < sizeof s->pcrSelect; j++)
			active = active || s->pcrSelect[j] != 0;
		if (!active)
			continue;
		int b = pcr_bank_from_tpm_alg(s->hash);
		if (b < 0)
			(*unknown)++;
		else
			*banks |= 1U << b;
	}
	Esys_Free(cap);
	return 0;
}

static int esys_extend(unsigned pcr, const struct pcr_digests *d) {
	TPML_DIGEST_VALUES v = { .count = 0 };
	TSS2_RC rc;

	if (pcr >= PCR_COUNT)
		return -EINVAL;
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		if (!(d->banks & (1U << b)))
			continue;
		TPMT_HA *h = &v.digests[v.count++];
		h->hashAlg = pcr_bank_tpm_alg((enum pcr_bank) b);
		memcpy(&h->digest, d->d[b], pcr_bank_size((enum pcr_bank) b));
	}
	for (int i = 0;; i++) {
		rc = Esys_PCR_Extend(esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
		if (rc == TSS2_RC_SUCCESS || !transient(rc) || i + 1 >= TRIES)
			break;
		sys->sleep_us(RETRY_US);
	}
	if (rc != TSS2_RC_SUCCESS)
		return log_error_errno(-EIO, "TPM2_PCR_Extend(PCR %u): %s", pcr, Tss2_RC_Decode(rc));
	return 0;
}

static int esys_read(unsigned pcr, enum pcr_bank b, uint8_t out[static PCR_DIGEST_MAX]) {
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPML_DIGEST *values = NULL;
	TSS2_RC rc;

	if (pcr >= PCR_COUNT)
		return -EINVAL;
	sel.pcrSelections[0].hash = pcr_bank_tpm_alg(b);
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t) (1U << (pcr % 8));
	for (int i = 0;; i++) {
		rc = Esys_PCR_Read(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, NULL, NULL, &values);
		if (rc == TSS2_RC_SUCCESS || !transient(rc) || i + 1 >= TRIES)
			break;
		sys->sleep_us(RETRY_US);
	}
	if (rc != TSS2_RC_SUCCESS)
		return log_error_errno(-EIO, "TPM2_PCR_Read(PCR %u, %s): %s", pcr, pcr_bank_name(b), Tss2_RC_Decode(rc));
	int r = 0;
	if (values->count != 1 || values->digests[0].size != pcr_bank_size(b))
		r = log_error_errno(-EIO, "TPM2_PCR_Read(PCR %u, %s) returned no value of the bank's size", pcr,
				    pcr_bank_name(b));
	else
		memcpy(out, values->digests[0].buffer, values->digests[0].size);
	Esys_Free(values);
	return r;
}

static const struct tpm_ops esys_ops = {
	.open = esys_open,
	.banks = esys_banks,
	.extend = esys_extend,
	.read = esys_read,
	.close = esys_close,
};

const struct tpm_ops *tpm = &esys_ops;

void tpm_set_ops(const struct tpm_ops *ops) {
	tpm = ops ? ops : &esys_ops;
}
