/* SPDX-License-Identifier: MIT */
/* The real module_ops: libkmod over /lib/modules/$(uname -r) (the kernel decompresses .ko.xz). */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "modload.h"
#include "sysops.h"

static struct kmod_ctx *kctx;

_printf_(6, 0) static void kmod_to_log(void *data, int priority, const char *file, int line, const char *fn,
				       const char *format, va_list args) {
	char msg[512];
	(void) data, (void) file, (void) line, (void) fn;
	(void) vsnprintf(msg, sizeof msg, format, args); /* a long line is cut */
	/* libkmod's own errors are reported again, with context, by the stage: keep them below. */
	log_internal(priority <= LOG_ERR ? LOG_WARNING : LOG_DEBUG, 0, "libkmod: %s", msg);
}

/* modprobe.d "install" lines would run a shell command: the initramfs has none, and if one ever
 * appears it must not run. The stage reports the -EPERM; this says which command it was. */
static int refuse_install(struct kmod_module *m, const char *cmdline, void *data) {
	(void) data;
	log_warning("Refusing install command for module %s: %s", kmod_module_get_name(m), cmdline);
	return -EPERM;
}

DEFINE_CLEANUP_FUNC_NAMED(kmod_list_unrefp, struct kmod_list *, kmod_module_unref_list);

static void real_close(void) {
	if (kctx)
		kctx = kmod_unref(kctx);
	uevent_close();
}

static int real_open(void) {
	real_close();
	kctx = kmod_new(NULL, NULL);
	if (!kctx)
		return -ENOMEM;
	kmod_set_log_fn(kctx, kmod_to_log, NULL);
	int r = kmod_load_resources(kctx);
	if (r < 0)
		real_close();
	return r;
}

/* An alias may name several modules: each is loaded; a real error wins over "no hardware". */
static int real_load(const char *name) {
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *it;
	int result = 0;

	if (!kctx)
		return -EBADF;
	int r = kmod_module_new_from_lookup(kctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);
		/* Flags 0: already loaded or built in counts as done; softdeps are honoured. */
		r = kmod_module_probe_insert_module(m, 0, NULL, refuse_install, NULL, NULL);
		if (r < 0)
			log_internal(LOG_DEBUG, r, "Module %s (for %s): %m", kmod_module_get_name(m), name);
		kmod_module_unref(m);
		if (r == -ENODEV || r == -ENXIO)
			result = result ? result : r;
		else if (r < 0)
			return r;
	}
	return result;
}

#define ALIASES_MAX (16U << 20)

static int real_aliases(char **text, size_t *len) {
	char path[4096];
	struct stat st;

	if (!kctx)
		return -EBADF;
	(void) snprintf(path, sizeof path, "%s/modules.alias", kmod_get_dirname(kctx));
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	if (st.st_size > (off_t) ALIASES_MAX)
		return -E2BIG;
	_cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	ssize_t n = sys_read_full(fd, buf, (size_t) st.st_size);
	if (n < 0)
		return (int) n;
	*len = (size_t) n;
	*text = TAKE_PTR(buf);
	return 0;
}

static const struct module_ops real_ops = {
	.open = real_open,
	.load = real_load,
	.aliases = real_aliases,
	.listen = uevent_listen,
	.coldplug = uevent_coldplug,
	.wait = uevent_wait,
	.close = real_close,
};

const struct module_ops *modload = &real_ops;

void module_set_ops(const struct module_ops *ops) {
	modload = ops ? ops : &real_ops;
}
