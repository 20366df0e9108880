/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "efivar.h"
#include "partuuid.h"

int efivar_parse_uuid(const uint8_t *buf, size_t len, char out[37]) {
	char text[UUID_STRING_LEN + 1];
	uint8_t id[16];
	size_t n = 0, i = 4;

	if (len < 4 || (len - 4) % 2 != 0)
		return -EBADMSG;
	for (; i + 1 < len; i += 2) {
		uint16_t u = (uint16_t) (buf[i] | buf[i + 1] << 8);
		if (u == 0)
			break;
		if (u >= 0x80 || n == UUID_STRING_LEN)
			return -EBADMSG;
		text[n++] = (char) u;
	}
	/* One NUL may end the string; nothing may follow it. */
	if (i + 1 < len && i + 2 != len)
		return -EBADMSG;
	text[n] = '\0';
	if (uuid_parse_strict(text, id) < 0)
		return -EBADMSG;
	uuid_format(id, out);
	return 0;
}
