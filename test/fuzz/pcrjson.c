/* SPDX-License-Identifier: MIT */
/* pcrjson_parse() as `verinit-measure verify-quote --reference` reads an image's published PCR
 * values. Checked: a refusal says why; the values accepted, written back as JSON, parse to the same
 * list (the round trip), and nothing outside the listed bits is set. */
#include <stdio.h>

#include "fuzz.h"
#include "hexb64.h"
#include "pcrlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct pcr_list list, again;
	static char text[PCRLIST_FILE_MAX];
	struct parse_error err = {};

	int r = pcrjson_parse((const char *) data, size, &list, &err);
	fuzz_trace("pcrjson_parse: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG || r == -ENOMEM);
		if (r != -ENOMEM)
			fuzz_check_error(&err, false);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	size_t n = 0;
	uint32_t any = 0;
	n += (size_t) snprintf(text + n, sizeof text - n, "{");
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		FUZZ_CHECK((list.listed[b] >> PCR_COUNT) == 0);
		any |= list.listed[b];
		if (!list.listed[b])
			continue;
		n += (size_t) snprintf(text + n, sizeof text - n, "%s\"%s\":{", n > 1 ? "," : "", pcr_bank_name((enum pcr_bank) b));
		const char *sep = "";
		for (unsigned p = 0; p < PCR_COUNT; p++) {
			if (!(list.listed[b] & (1U << p))) {
				static const uint8_t zero[PCR_DIGEST_MAX];
				FUZZ_CHECK(memcmp(list.v[p][b], zero, PCR_DIGEST_MAX) == 0);
				continue;
			}
			char hex[2 * PCR_DIGEST_MAX + 1];
			FUZZ_CHECK(hex_encode(list.v[p][b], pcr_bank_size((enum pcr_bank) b), hex, sizeof hex) == 0);
			n += (size_t) snprintf(text + n, sizeof text - n, "%s\"%u\":\"%s\"", sep, p, hex);
			sep = ",";
		}
		n += (size_t) snprintf(text + n, sizeof text - n, "}");
	}
	n += (size_t) snprintf(text + n, sizeof text - n, "}\n");
	FUZZ_CHECK(any != 0 && n < sizeof text);
	FUZZ_CHECK(pcrjson_parse(text, n, &again, &err) == 0);
	FUZZ_CHECK(memcmp(&list, &again, sizeof list) == 0);
	return 0;
}
