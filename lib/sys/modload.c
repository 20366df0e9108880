/* SPDX-License-Identifier: MIT */
/* The real module_ops: libkmod over /lib/modules/$(uname -r) (the kernel decompresses .ko.xz). */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What loading a module inserts, in order: libkmod's dry run names each module through print_action,
 * which takes no data pointer, so the list is here, for the one walk at a time (PID 1 has one
 * thread). Inserting from the list, not through libkmod's own probe, is what lets a module made for
 * another CPU be left out of a softdep (libcrc32c's "pre: crc32c" names crc32c_intel too). */
#define PROBE_MAX 64
static struct probe {
	struct kmod_module *v[PROBE_MAX];
	size_t n;
	bool install, overflow;
} probe;

static void probe_clear(void) {
	while (probe.n > 0)
		kmod_module_unref(probe.v[--probe.n]);
	probe.install = probe.overflow = false;
}

static void probe_collect(struct kmod_module *m, bool install, const char *options) {
	(void) options;
	if (install) {
		/* modprobe.d "install" lines would run a shell command: the initramfs has none, and if one
		 * ever appears it must not run. The stage reports the -EPERM; this says which command. */
		log_warning("Refusing install command for module %s: %s", kmod_module_get_name(m),
			    kmod_module_get_install_commands(m) ?: "");
		probe.install = true;
	} else if (probe.n == PROBE_MAX)
		probe.overflow = true;
	else
		probe.v[probe.n++] = kmod_module_ref(m);
}

/* Fills probe with what inserting m would insert now. Returns 0, -EPERM, -E2BIG or libkmod's error. */
static int probe_fill(struct kmod_module *m) {
	probe_clear();
	int r = kmod_module_probe_insert_module(m, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL, probe_collect);
	if (r < 0)
		return r;
	return probe.install ? -EPERM : probe.overflow ? -E2BIG
						       : 0;
}

static bool same_module(struct kmod_module *a, struct kmod_module *b) {
	return strcmp(kmod_module_get_name(a), kmod_module_get_name(b)) == 0;
}

static bool in_list(struct kmod_list *list, struct kmod_module *m) {
	struct kmod_list *it;
	kmod_list_foreach(it, list) {
		struct kmod_module *d = kmod_module_get_module(it);
		bool same = same_module(d, m);
		kmod_module_unref(d);
		if (same)
			return true;
	}
	return false;
}

/* Inserts m and what it needs. What it cannot do without (its modules.dep dependencies) must load;
 * a softdep may fail or be skipped. */
static int insert_probed(struct kmod_module *m, const char *name, module_skip_fn skip, void *data) {
	int r = probe_fill(m);
	if (r < 0) {
		probe_clear();
		return r;
	}
	_cleanup_(kmod_list_unrefp) struct kmod_list *deps = kmod_module_get_dependencies(m);
	for (size_t i = 0; i < probe.n && r >= 0; i++) {
		struct kmod_module *p = probe.v[i];
		bool required = same_module(p, m) || in_list(deps, p);
		if (skip && skip(kmod_module_get_name(p), data)) {
			r = required ? -ENODEV : 0;
			continue;
		}
		r = kmod_module_insert_module(p, 0, kmod_module_get_options(p));
		if (r == -EEXIST)
			r = 0;
		if (r < 0) {
			log_internal(LOG_DEBUG, r, "Module %s (for %s): %m", kmod_module_get_name(p), name);
			if (!required)
				r = 0;
		}
	}
	probe_clear();
	return r;
}

/* The modules name (a module or an alias) stands for: 0, -EBADF (not open), -ENOENT, or libkmod's error. */
static int lookup(const char *name, struct kmod_list **list) {
	if (!kctx)
		return -EBADF;
	int r = kmod_module_new_from_lookup(kctx, name, list);
	if (r < 0)
		return r;
	return *list ? 0 : -ENOENT;
}

/* An alias may name several modules: each is loaded; a real error wins over "no hardware". */
static int real_load(const char *name, module_skip_fn skip, void *data) {
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *it;
	int result = 0;

	int r = lookup(name, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);
		r = insert_probed(m, name, skip, data);
		kmod_module_unref(m);
		if (r == -ENODEV || r == -ENXIO)
			result = result ? result : r;
		else if (r < 0)
			return r;
	}
	return result;
}

static int real_probe_list(const char *name, module_name_fn fn, void *data) {
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *it;

	int r = lookup(name, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);
		r = probe_fill(m);
		kmod_module_unref(m);
		for (size_t i = 0; i < probe.n && r >= 0; i++)
			r = fn(kmod_module_get_name(probe.v[i]), data);
		probe_clear();
		if (r < 0)
			return r;
	}
	return 0;
}

static int real_cpu_modalias(char *buf, size_t size) {
	ssize_t n = sys_read_small_file("/sys/devices/system/cpu/modalias", buf, size);
	if (n < 0)
		return (int) n;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
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
	.probe_list = real_probe_list,
	.cpu_modalias = real_cpu_modalias,
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
