/* SPDX-License-Identifier: MIT */
/* efivar_parse_uuid() over any bytes: what it accepts is one lowercase UUID, which, written back
 * as the stub writes it (attributes, upper-case UTF-16LE, a NUL), parses to itself; what it refuses
 * leaves nothing half-written that the caller would read. */
#include "efivar.h"
#include "fuzz.h"
#include "partuuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char out[37], again[37];
	uint8_t id[16], buf[4 + 37 * 2];

	if (efivar_parse_uuid(data, size, out) < 0)
		return 0;
	FUZZ_CHECK_STR(out);
	FUZZ_CHECK(strlen(out) == UUID_STRING_LEN && uuid_parse_strict(out, id) == 0);
	for (size_t i = 0; i < UUID_STRING_LEN; i++)
		FUZZ_CHECK(!(out[i] >= 'A' && out[i] <= 'F'));
	memset(buf, 0, sizeof buf);
	for (size_t i = 0; i < UUID_STRING_LEN; i++)
		buf[4 + 2 * i] = (uint8_t) (out[i] >= 'a' && out[i] <= 'f' ? out[i] - 32 : out[i]);
	FUZZ_CHECK(efivar_parse_uuid(buf, sizeof buf, again) == 0 && strcmp(out, again) == 0);
	return 0;
}
