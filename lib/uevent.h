/* SPDX-License-Identifier: MIT */
/* One kernel uevent, as the netlink socket delivers it (lib/sys/uevent-listen.h listens): parsed
 * here, pure, so that it can be fuzzed. */
#pragma once

#include <stddef.h>

/* One kernel uevent: "ACTION@DEVPATH\0" then "KEY=VALUE\0" pairs. The fields point into the
 * parsed buffer; one the event does not carry is NULL. */
struct uevent {
	const char *action, *devpath, *subsystem, *modalias;
};

/* Parses one uevent datagram (buf, len). Returns 0, or -EBADMSG when the header has no '@', a
 * string is not NUL-terminated, a pair has no '=', or ACTION= disagrees with the header. */
int uevent_parse(const char *buf, size_t len, struct uevent *out);
