/* SPDX-License-Identifier: MIT */
/* The extend arithmetic against known values in all four banks (computed independently with
 * Python's hashlib: H(zero || H("enter-initrd")), then "leave-initrd" on top). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "hexb64.h"
#include "macro.h"
#include "pcr.h"

static const struct {
	enum pcr_bank bank;
	const char *abc; /* H("abc"), FIPS 180 */
	const char *enter, *leave;
} vectors[] = {
	{ PCR_BANK_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d", "af811c3fa62257b3fa8688cbc27b6288a83dec00",
	  "8b6e984fa1cb41ec2555a8e61dfa9f8ec8d13352" },
	{ PCR_BANK_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "d15b0e8e244e65c40f024e95773f2347ce4ef3ffe6b597c9a14b50bbab6df319",
	  "75df9c8b17d8a6465f2862028b892ea13a3d7c37685a945e5ff34fb44956c207" },
	{ PCR_BANK_SHA384,
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
	  "3e72b3242327ec625b5c3fec3ae2c26a85cb400f62145a2751f40dbb740929d14104d3a87c0ec59deac6f732b7933b3d",
	  "60bd474a57618d37a245b84b0244514ea9c29f95eebacda668fab63ca0112dc45585324be9e889d575fff6a14af3c581" },
	{ PCR_BANK_SHA512,
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	  "454d4423643ce80e2a9ac94fa54ca49f",
	  "4791b04bdcd48d878b8b189f93f75daf3451a0b24a2b0464afcacc7eddb44eb5add261abfa8660f21f6c419b6829897d"
	  "fcda216095671c46ba4a5b6f55a54463",
	  "0b434d7c6f51382a73920bdec9b1ed899f44fcfa27395c375ecad35259cc663541fe0ab9f6583e8622d20f1ca1874fc8"
	  "770686daa41dcd927d74a429c9411587" },
};

static void assert_hex(const uint8_t *v, size_t len, const char *want) {
	char hex[2 * PCR_DIGEST_MAX + 1];
	assert_int_equal(hex_encode(v, len, hex, sizeof hex), 0);
	assert_string_equal(hex, want);
}

static void test_vectors(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
		enum pcr_bank b = vectors[i].bank;
		uint8_t d[PCR_DIGEST_MAX], pcr[PCR_DIGEST_MAX] = { 0 };
		assert_int_equal(pcr_hash(b, "abc", 3, d), 0);
		assert_hex(d, pcr_bank_size(b), vectors[i].abc);
		assert_int_equal(pcr_hash(b, "enter-initrd", 12, d), 0);
		assert_int_equal(pcr_extend(b, pcr, d), 0);
		assert_hex(pcr, pcr_bank_size(b), vectors[i].enter);
		assert_int_equal(pcr_hash(b, "leave-initrd", 12, d), 0);
		assert_int_equal(pcr_extend(b, pcr, d), 0);
		assert_hex(pcr, pcr_bank_size(b), vectors[i].leave);
	}
}

static void test_digests_of_mask(void **state) {
	struct pcr_digests d;
	(void) state;
	assert_int_equal(pcr_digests_of((1U << PCR_BANK_SHA256) | (1U << PCR_BANK_SHA512) | (1U << 9), "abc", 3, &d), 0);
	assert_int_equal(d.banks, (1U << PCR_BANK_SHA256) | (1U << PCR_BANK_SHA512)); /* unknown bits dropped */
	assert_hex(d.d[PCR_BANK_SHA256], 32, vectors[1].abc);
	assert_hex(d.d[PCR_BANK_SHA512], 64, vectors[3].abc);
	static const uint8_t zero[PCR_DIGEST_MAX];
	assert_memory_equal(d.d[PCR_BANK_SHA1], zero, PCR_DIGEST_MAX);
}

static void test_names_and_algs(void **state) {
	(void) state;
	assert_int_equal(pcr_bank_from_name("sha384", 6), PCR_BANK_SHA384);
	assert_int_equal(pcr_bank_from_name("sha38", 5), -EINVAL);
	assert_int_equal(pcr_bank_from_name("SHA256", 6), -EINVAL);
	assert_int_equal(pcr_bank_from_name("sha256x", 6), PCR_BANK_SHA256); /* length counts, not NUL */
	assert_int_equal(pcr_bank_from_tpm_alg(0x000B), PCR_BANK_SHA256);
	assert_int_equal(pcr_bank_from_tpm_alg(0x0012), -EINVAL); /* SM3 */
	assert_int_equal(pcr_bank_tpm_alg(PCR_BANK_SHA1), 0x0004);
	assert_string_equal(pcr_bank_name((enum pcr_bank) 7), "unknown");
	assert_int_equal(pcr_bank_size((enum pcr_bank) 7), 0);
	uint8_t d[PCR_DIGEST_MAX] = { 0 };
	assert_int_equal(pcr_extend((enum pcr_bank) 7, d, d), -EIO);
}

/* After a reset every PCR is zero but PCR 0 when the firmware started at a locality above 0. */
static void test_reset_value(void **state) {
	uint8_t v[PCR_DIGEST_MAX], zero[PCR_DIGEST_MAX] = { 0 };
	(void) state;
	memset(v, 0xaa, sizeof v);
	pcr_reset_value(PCR_BANK_SHA256, 0, 3, v);
	assert_int_equal(v[31], 3);
	assert_memory_equal(v, zero, 31);
	assert_memory_equal(v + 32, zero, PCR_DIGEST_MAX - 32);
	pcr_reset_value(PCR_BANK_SHA1, 0, 4, v);
	assert_int_equal(v[19], 4);
	for (int locality = -1; locality <= 0; locality++) {
		pcr_reset_value(PCR_BANK_SHA256, 0, locality, v);
		assert_memory_equal(v, zero, PCR_DIGEST_MAX);
	}
	pcr_reset_value(PCR_BANK_SHA256, 7, 3, v);
	assert_memory_equal(v, zero, PCR_DIGEST_MAX);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_digests_of_mask),
		cmocka_unit_test(test_names_and_algs),
		cmocka_unit_test(test_reset_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
