/* SPDX-License-Identifier: MIT */
/* uevent_parse() over one netlink datagram, as uevent_wait() receives it. Checked: on success the
 * action is there and is the header's, and every field found is a NUL-terminated string inside the
 * datagram that starts right after its "KEY="; on failure every field is NULL. */
#include "fuzz.h"
#include "uevent.h"

static void check_field(const uint8_t *data, size_t size, const char *field, const char *key) {
	if (!field)
		return;
	const char *buf = (const char *) data;
	size_t k = strlen(key);
	FUZZ_CHECK(field >= buf + k && field < buf + size);
	FUZZ_CHECK(memcmp(field - k, key, k) == 0);
	FUZZ_CHECK(memchr(field, '\0', (size_t) (buf + size - field)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct uevent ev;
	int r = uevent_parse((const char *) data, size, &ev);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG);
		FUZZ_CHECK(!ev.action && !ev.devpath && !ev.subsystem && !ev.modalias);
		return 0;
	}
	FUZZ_CHECK(r == 0 && ev.action);
	check_field(data, size, ev.action, "ACTION=");
	check_field(data, size, ev.devpath, "DEVPATH=");
	check_field(data, size, ev.subsystem, "SUBSYSTEM=");
	check_field(data, size, ev.modalias, "MODALIAS=");
	size_t a = strlen(ev.action);
	FUZZ_CHECK(a > 0 && a < size && memcmp(data, ev.action, a) == 0 && data[a] == '@');
	return 0;
}
