/* SPDX-License-Identifier: MIT */
/* Loads the configured kernel modules, with their dependencies and softdeps, from the initramfs's
 * /lib/modules/$(uname -r) (lib/modload.c). A module whose driver finds no hardware here is not an
 * error: one module set serves QEMU (virtio) and Hyper-V (hv_vmbus, hv_storvsc) alike, and whatever
 * this boot needs is checked when its devices are awaited. Anything else that fails stops the boot. */
#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "modload.h"
#include "stages.h"

static int load_all(struct context *ctx) {
	for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
		const char *name = ctx->cfg.modules[i];
		int r = modload->load(name);
		if (r == -ENODEV || r == -ENXIO)
			log_info("Module %s: no such hardware on this machine", name);
		else if (r == -ENOENT)
			return log_error_errno(r, "Module %s is neither in the initramfs nor built in", name);
		else if (r < 0)
			return log_error_errno(r, "Cannot load module %s: %m", name);
		else
			log_debug("Module %s loaded", name);
	}
	return 0;
}

int stage_modules(struct context *ctx) {
	int r = modload->open();
	if (r < 0)
		return log_error_errno(r, "Cannot read the module index of this kernel: %m");
	r = load_all(ctx);
	modload->close();
	if (r < 0)
		return r;
	log_info("Loaded %zu configured modules with their dependencies", ctx->cfg.n_modules);
	(void) snprintf(ctx->status, sizeof ctx->status, "%zu configured", ctx->cfg.n_modules);
	return 0;
}
