/* SPDX-License-Identifier: MIT */
/* pcrlist_parse() as `verinit-measure replay --pcrs` reads "BANK PCR HEX" lines. Checked: a refusal
 * says why with its line; the values listed, written back as lines, parse to the same list (the
 * round trip), and nothing outside the listed bits is set. */
#include "fuzz.h"
#include "hexb64.h"
#include "pcrlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct pcr_list list, again;
	static char text[PCRLIST_FILE_MAX];
	struct parse_error err = {};

	int r = pcrlist_parse((const char *) data, size, &list, &err);
	fuzz_trace("pcrlist_parse: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG);
		fuzz_check_error(&err, false);
		if (r == -EBADMSG)
			FUZZ_CHECK(err.line >= 1);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	size_t n = 0;
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		FUZZ_CHECK((list.listed[b] >> PCR_COUNT) == 0);
		for (unsigned p = 0; p < PCR_COUNT; p++) {
			if (!(list.listed[b] & (1U << p))) {
				static const uint8_t zero[PCR_DIGEST_MAX];
				FUZZ_CHECK(memcmp(list.v[p][b], zero, PCR_DIGEST_MAX) == 0);
				continue;
			}
			char hex[2 * PCR_DIGEST_MAX + 1];
			FUZZ_CHECK(hex_encode(list.v[p][b], pcr_bank_size((enum pcr_bank) b), hex, sizeof hex) == 0);
			int w = snprintf(text + n, sizeof text - n, "%s %u %s\n", pcr_bank_name((enum pcr_bank) b), p, hex);
			FUZZ_CHECK(w > 0 && (size_t) w < sizeof text - n);
			n += (size_t) w;
		}
	}
	FUZZ_CHECK(pcrlist_parse(text, n, &again, &err) == 0);
	FUZZ_CHECK(memcmp(&list, &again, sizeof list) == 0);
	return 0;
}
