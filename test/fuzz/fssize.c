/* SPDX-License-Identifier: MIT */
/* fssize_span() over the start of a device: the first byte picks the type (erofs, squashfs, ext4,
 * or one verinit does not mount), the rest is the device's first bytes. Checked against the fields
 * read again here plainly (lib/fssize.h): an unknown type is -EINVAL, a known one 0 or -EBADMSG
 * with a one-line message (the agent logs it); 0 means the magic and version are the format's, and
 * the span is the block count times the block size, at most 2^63 - 1; nothing after FSSIZE_HEAD
 * bytes changes the verdict (the agent reads no more). */
#include "fssize.h"
#include "fuzz.h"
#include "macro.h"

static const char *const types[] = { "erofs", "squashfs", "ext4", "xfs" };

static uint64_t rd(const uint8_t *p, unsigned n) {
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

/* The span the fields say, or false when the format's own checks refuse them. */
static bool ref_span(unsigned type, const uint8_t *h, size_t n, uint64_t *out) {
	uint64_t blocks;
	unsigned shift;
	switch (type) {
	case 0:
		if (n < 1108 || rd(h + 1024, 4) != 0xE0F5E1E2 || h[1036] < 9 || h[1036] > 16)
			return false;
		blocks = rd(h + 1060, 4) + ((rd(h + 1104, 4) & 0x80) ? rd(h + 1038, 2) << 32 : 0);
		shift = h[1036];
		break;
	case 1:
		if (n < 48 || memcmp(h, "hsqs", 4) != 0 || rd(h + 28, 2) != 4 || rd(h + 30, 2) != 0)
			return false;
		blocks = rd(h + 40, 8);
		shift = 0;
		break;
	case 2:
		if (n < 1364 || rd(h + 1080, 2) != 0xEF53 || rd(h + 1048, 4) > 6)
			return false;
		blocks = rd(h + 1028, 4) + ((rd(h + 1120, 4) & 0x80) ? rd(h + 1360, 4) << 32 : 0);
		shift = 10 + (unsigned) rd(h + 1048, 4);
		break;
	default:
		return false;
	}
	/* Past 2^63 - 1 bytes when blocks has a bit at 63 - shift or above. */
	if (blocks >> (63 - shift))
		return false;
	*out = blocks << shift;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	unsigned type = fuzz_take_byte(&data, &size) % ELEMENTSOF(types);
	struct parse_error err = { 0, "" };
	uint64_t bytes = 0, again = 0, want = 0;

	int r = fssize_span(types[type], data, size, &bytes, &err);
	FUZZ_CHECK_STR(err.msg);
	if (type == 3)
		FUZZ_CHECK(r == -EINVAL);
	else
		FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r < 0)
		fuzz_check_error(&err, true);
	else
		FUZZ_CHECK(err.msg[0] == '\0' && bytes <= (uint64_t) INT64_MAX);
	FUZZ_CHECK((r == 0) == ref_span(type, data, size, &want));
	if (r == 0)
		FUZZ_CHECK(bytes == want);

	/* What the agent reads: FSSIZE_HEAD bytes at most, the same verdict; and err may be NULL. */
	size_t head = size < FSSIZE_HEAD ? size : FSSIZE_HEAD;
	FUZZ_CHECK(fssize_span(types[type], data, head, &again, NULL) == r);
	if (r == 0)
		FUZZ_CHECK(again == bytes);
	return 0;
}
