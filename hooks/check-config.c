/* SPDX-License-Identifier: MIT */
/* verinit-check-config FILE: parses a verinit.conf with the agent's own parser (lib/config.c), so
 * an image build refuses a config that verinit would refuse at boot, and prints what the
 * initramfs builder needs: "modules=...", "certificates=...", "ipe.policy=...", "selinux.policy=...",
 * one per line. Exit 0, or 2 with one line "verinit-check-config: FILE:LINE: why". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"

/* Reads all of fd into buf, which has room for max + 1 bytes: the one more tells "too big" from
 * "exactly max", as the agent's sys_read_full() does (a host tool links only lib/'s pure half).
 * Returns the length, -E2BIG when fd holds more than max, or -errno. */
static ssize_t read_all(int fd, char *buf, size_t max) {
	size_t len = 0;
	while (len <= max) {
		ssize_t n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return (ssize_t) len;
		len += (size_t) n;
	}
	return -E2BIG;
}

int main(int argc, char **argv) {
	static char buf[CONFIG_FILE_MAX + 1];
	static struct config c;
	struct parse_error err = {};

	if (argc != 2 || argv[1][0] == '-') {
		(void) fprintf(stderr, "usage: verinit-check-config FILE (see verinit-check-config(1))\n");
		return 2;
	}
	_cleanup_close_ int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		(void) fprintf(stderr, "verinit-check-config: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	ssize_t n = read_all(fd, buf, CONFIG_FILE_MAX);
	if (n < 0) {
		(void) fprintf(stderr, "verinit-check-config: %s: %s\n", argv[1],
			       n == -E2BIG ? "larger than the 64 KiB verinit reads" : strerror((int) -n));
		return 2;
	}
	if (config_parse(buf, (size_t) n, &c, &err) < 0) {
		(void) fprintf(stderr, "verinit-check-config: %s:%u: %s\n", argv[1], err.line, err.msg);
		return 2;
	}
	(void) printf("modules=");
	for (size_t i = 0; i < c.n_modules; i++)
		(void) printf("%s%s", i ? " " : "", c.modules[i]);
	(void) printf("\ncertificates=%s\nipe.policy=%s\nselinux.policy=%s\ninit=%s\n", c.certificates, c.ipe_policy,
		      c.selinux_policy, c.init);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}
