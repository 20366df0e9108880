/* SPDX-License-Identifier: MIT */
/* Loads the configured kernel modules with their dependencies and softdeps through libkmod, from
 * the initramfs's /lib/modules/$(uname -r). The kernel decompresses .ko.xz itself. */
#include <errno.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "stages.h"

static void kmod_to_log(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args) {
	char msg[512];
	(void) data, (void) file, (void) line, (void) fn;
	(void) vsnprintf(msg, sizeof msg, format, args); /* a long line is cut */
	/* libkmod's own errors are reported again, with context, by the caller: keep them below. */
	log_internal(priority <= LOG_ERR ? LOG_WARNING : LOG_DEBUG, 0, "libkmod: %s", msg);
}

/* modprobe.d "install" lines would run a shell command: the initramfs has none, and if one ever
 * appears it must not run. */
static int refuse_install(struct kmod_module *m, const char *cmdline, void *data) {
	(void) data;
	log_error("Refusing install command for module %s: %s", kmod_module_get_name(m), cmdline);
	return -EPERM;
}

static void kmod_ctx_unrefp(struct kmod_ctx **c) {
	if (*c)
		kmod_unref(*c);
}
static void kmod_list_unrefp(struct kmod_list **l) {
	if (*l)
		kmod_module_unref_list(*l);
}

/* Returns 0, -ENOENT for a module the tree does not know, or the load error. */
static int load_one(struct kmod_ctx *ctx, const char *name) {
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *it;
	int r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return log_error_errno(r, "Cannot look up module %s: %m", name);
	if (!list)
		return log_error_errno(-ENOENT, "Module %s is neither in the initramfs nor built in", name);

	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);
		/* Flags 0: already loaded or built in counts as done; softdeps are honoured. */
		r = kmod_module_probe_insert_module(m, 0, NULL, refuse_install, NULL, NULL);
		if (r == -ENODEV || r == -ENXIO)
			/* The driver found no such hardware here (hv_vmbus outside Hyper-V, say). Whatever
			 * this boot needs from it is checked when its devices are awaited. */
			log_info("Module %s: no such hardware on this machine", kmod_module_get_name(m));
		else if (r < 0)
			r = log_error_errno(r, "Cannot load module %s: %m", kmod_module_get_name(m));
		else
			log_debug("Module %s loaded", kmod_module_get_name(m));
		kmod_module_unref(m);
		if (r < 0 && r != -ENODEV && r != -ENXIO)
			return r;
	}
	return 0;
}

int stage_modules(struct context *ctx) {
	_cleanup_(kmod_ctx_unrefp) struct kmod_ctx *kctx = kmod_new(NULL, NULL);
	if (!kctx)
		return log_error_errno(-ENOMEM, "Cannot set up libkmod");
	kmod_set_log_fn(kctx, kmod_to_log, NULL);
	int r = kmod_load_resources(kctx);
	if (r < 0)
		return log_error_errno(r, "Cannot read the module index of this kernel: %m");

	for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
		r = load_one(kctx, ctx->cfg.modules[i]);
		if (r < 0) {
			ctx->reason = REASON_MODULE;
			return r;
		}
	}
	log_info("Loaded %zu configured modules with their dependencies", ctx->cfg.n_modules);
	(void) snprintf(ctx->status, sizeof ctx->status, "%zu configured", ctx->cfg.n_modules);
	return 0;
}
