/* SPDX-License-Identifier: MIT */
/* One kernel uevent datagram, parsed: pure, over the buffer; lib/sys/uevent-listen.c receives
 * them. */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "uevent.h"

int uevent_parse(const char *buf, size_t len, struct uevent *out) {
	struct uevent ev = { 0 };
	*out = ev;
	if (len == 0 || buf[len - 1] != '\0')
		return -EBADMSG;
	size_t header_len = strlen(buf);
	const char *at = memchr(buf, '@', header_len);
	if (!at || at == buf || at[1] == '\0')
		return -EBADMSG;
	for (const char *p = buf + header_len + 1; p < buf + len; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');
		if (!eq || eq == p)
			return -EBADMSG;
		size_t k = (size_t) (eq - p);
		if (memeq_str(p, k, "ACTION"))
			ev.action = eq + 1;
		else if (memeq_str(p, k, "DEVPATH"))
			ev.devpath = eq + 1;
		else if (memeq_str(p, k, "SUBSYSTEM"))
			ev.subsystem = eq + 1;
		else if (memeq_str(p, k, "MODALIAS"))
			ev.modalias = eq + 1;
	}
	/* The header repeats ACTION: a message where they differ was not written by the kernel. */
	size_t action_len = (size_t) (at - buf);
	if (!ev.action || strlen(ev.action) != action_len || memcmp(ev.action, buf, action_len) != 0)
		return -EBADMSG;
	*out = ev;
	return 0;
}
