/* SPDX-License-Identifier: MIT */
/* The API file systems every later stage needs, and the logger's kernel sinks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#include "config.h"
#include "log.h"
#include "stages.h"
#include "sysops.h"

static const struct {
	const char *type, *where;
	unsigned long flags;
	const char *data;
} api_mounts[] = {
	{ "devtmpfs", "/dev", MS_NOSUID | MS_NOEXEC, "mode=0755" },
	{ "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=0755" },
};

/* The kernel's console log level: the first number of /proc/sys/kernel/printk ("7\t4\t1\t7").
 * Returns it, or -EBADMSG, or -errno from reading. */
static int console_loglevel(void) {
	char buf[64];
	ssize_t n = sys_read_small_file("/proc/sys/kernel/printk", buf, sizeof buf);
	if (n < 0)
		return (int) n;
	unsigned level;
	if (config_parse_uint(buf, strcspn(buf, " \t\n"), 0, 15, &level) < 0)
		return -EBADMSG;
	return (int) level;
}

/* Until now lines went to the inherited stderr; from here on to kmsg and /dev/console. */
static void log_open_kernel(void) {
	int kmsg = sys->open("/dev/kmsg", O_WRONLY | O_NOCTTY, 0);
	int console = sys->open("/dev/console", O_WRONLY | O_NOCTTY, 0);

	/* Both are for people reading logs; without them the boot is exactly as safe, so go on. */
	log_set_fds(kmsg, console >= 0 ? console : STDERR_FILENO);
	if (kmsg < 0)
		log_warning_errno(kmsg, "Cannot open /dev/kmsg, logging to the console only: %m");
	if (console < 0)
		log_warning_errno(console, "Cannot open /dev/console, logging to stderr: %m");

	/* The kernel rate-limits /dev/kmsg writers to 10 lines per 5 s by default, which would drop
	 * the lines that explain a failure. Refused (EINVAL) when printk.devkmsg= is on the command line. */
	int r = sys_write_file("/proc/sys/kernel/printk_devkmsg", "on\n");
	if (r < 0)
		log_debug("printk_devkmsg left as it is: %d", r);

	r = kmsg >= 0 ? console_loglevel() : -EBADF;
	if (r >= 0)
		log_set_console_echo(r);
	else
		log_debug("Console log level unknown (%d): every line goes to the console too", r);
}

int stage_early_mounts(struct context *ctx) {
	(void) ctx;
	for (size_t i = 0; i < ELEMENTSOF(api_mounts); i++) {
		const char *where = api_mounts[i].where;
		int r = sys->mkdir(where, 0755);
		if (r < 0 && r != -EEXIST)
			return log_error_errno(r, "Failed to create %s: %m", where);
		r = sys->mount(api_mounts[i].type, where, api_mounts[i].type, api_mounts[i].flags, api_mounts[i].data);
		if (r < 0)
			return log_error_errno(r, "Failed to mount %s on %s: %m", api_mounts[i].type, where);
	}
	log_open_kernel();
	return 0;
}
