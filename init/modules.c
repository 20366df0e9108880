/* SPDX-License-Identifier: MIT */
/* Loads what this machine needs of the configured modules (from the initramfs's
 * /lib/modules/$(uname -r), with dependencies and softdeps: lib/sys/modload.c), judged by their aliases
 * (lib/modalias.c):
 *   - a driver (a bus alias: pci:, acpi*:, virtio:, vmbus:, scsi:, ...) when a device it matches is
 *     present: in sysfs now, or announced by the kernel while the devices stage waits (the disks
 *     behind a SCSI host adapter, a vmbus channel), as udev would;
 *   - a filesystem (fs-TYPE aliases only) when it is usr.fstype, or root.fstype for a root device,
 *     or efivarfs for auto discovery (which disk the loader booted from: init/devices.c);
 *   - a module that another configured one inserts with itself (a dependency or softdep, such as
 *     crc32c_generic for erofs's libcrc32c) with that one, or not at all: a squashfs /usr needs no
 *     crc32c;
 *   - anything else (dm-verity, a name that is an alias or built in) always.
 * A module made for CPU features this machine lacks (crc32c_intel without SSE4.2, a softdep of
 * libcrc32c) is left out of every load: its init would only fail, after the kernel's signature check.
 * One module set thus serves QEMU (virtio) and Hyper-V (hv_vmbus, hv_storvsc, NVMe) and each loads
 * only its own: every module costs a signature check and relocations, on every boot.
 * A driver whose probe finds no hardware (ENODEV, ENXIO) is noted: whatever this boot needs is
 * checked when its devices are awaited. Any other failure stops the boot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "modalias.h"
#include "modload.h"
#include "stage.h"
#include "stages.h"
#include "strbuf.h"
#include "sysops.h"

_Static_assert(CONFIG_MODULES_MAX <= 64, "pulled_by is a 64-bit mask");

static bool not_for_cpu(const char *module, void *data) {
	struct modules_state *m = data;
	if (!m->cpu[0] || !modalias_cpu_lacks(&m->aliases, module, m->cpu))
		return false;
	bool named = false;
	for (size_t i = 0; i < m->n_not_for_cpu && !named; i++)
		named = modalias_same_module(m->not_for_cpu[i], module);
	if (!named && m->n_not_for_cpu < ELEMENTSOF(m->not_for_cpu))
		(void) snprintf(m->not_for_cpu[m->n_not_for_cpu++], sizeof m->not_for_cpu[0], "%s", module);
	log_debug("Module %s: made for CPU features this machine lacks, left out", module);
	return true;
}

/* Returns 0, or the load's error (logged). */
static int load_one(struct context *ctx, size_t i, const char *why) {
	struct modules_state *m = &ctx->modules;
	const char *name = ctx->cfg.modules[i];
	int r = modload->load(name, not_for_cpu, m);
	if (r == -ENODEV || r == -ENXIO) {
		m->state[i] = MODULE_NO_HARDWARE;
		log_info("Module %s (for %s): no such hardware on this machine", name, why);
		return 0;
	}
	if (r == -ENOENT)
		return log_error_errno(r, "Module %s is neither in the initramfs nor built in", name);
	if (r < 0)
		return log_error_errno(r, "Cannot load module %s (for %s): %m", name, why);
	m->state[i] = MODULE_LOADED;
	log_debug("Module %s loaded (for %s)", name, why);
	return 0;
}

static bool is_pending_driver(const struct modules_state *m, size_t i) {
	return m->class[i] == MODALIAS_DEVICE && m->state[i] == MODULE_PENDING;
}

/* A device (a modalias): loads each pending configured driver that matches it. */
static int on_device(const char *modalias, void *data) {
	struct context *ctx = data;
	struct modules_state *m = &ctx->modules;
	bool any = false;
	for (size_t i = 0; i < ctx->cfg.n_modules && !any; i++)
		any = is_pending_driver(m, i);
	if (!any) /* every driver loaded: no device is worth matching */
		return 0;
	for (long e = modalias_next_match(&m->aliases, 0, modalias); e >= 0;
	     e = modalias_next_match(&m->aliases, (size_t) e + 1, modalias))
		for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
			if (!is_pending_driver(m, i) || !modalias_same_module(ctx->cfg.modules[i], m->aliases.v[e].module))
				continue;
			int r = load_one(ctx, i, modalias);
			if (r < 0) {
				m->load_failed = true;
				return r;
			}
			if (m->announce && m->state[i] == MODULE_LOADED)
				log_info("Module %s loaded for a new device (%s)", ctx->cfg.modules[i], modalias);
		}
	return 0;
}

static bool fs_needed(const struct context *ctx, size_t i) {
	const struct modules_state *m = &ctx->modules;
	const struct config *c = &ctx->cfg;
	return modalias_provides_fs(&m->aliases, c->modules[i], c->usr_fstype) ||
	       (!c->root_tmpfs && modalias_provides_fs(&m->aliases, c->modules[i], c->root_fstype)) ||
	       (c->usr_discovery == USR_DISCOVERY_AUTO && modalias_provides_fs(&m->aliases, c->modules[i], "efivarfs"));
}

static int read_aliases(struct modules_state *m) {
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	unsigned line = 0;

	int r = modload->aliases(&text, &len);
	if (r < 0)
		return log_error_errno(r, "Cannot read the module aliases (modules.alias): %m");
	r = modalias_parse(text, len, &m->aliases, &line);
	if (r == -EBADMSG)
		return log_error_errno(r, "modules.alias, line %u: not \"alias PATTERN MODULE\"", line);
	if (r < 0)
		return log_error_errno(r, "Cannot parse modules.alias: %m");
	return 0;
}

struct pull {
	struct context *ctx;
	size_t by;
};

/* A module that configured module pull->by inserts with itself: a configured one of no class of
 * its own (a driver or a filesystem keeps its own rule) loads with it. */
static int note_pulled(const char *module, void *data) {
	const struct pull *p = data;
	struct modules_state *m = &p->ctx->modules;
	for (size_t i = 0; i < p->ctx->cfg.n_modules; i++)
		if (i != p->by && m->class[i] == MODALIAS_OTHER && modalias_same_module(module, p->ctx->cfg.modules[i]))
			m->pulled_by[i] |= UINT64_C(1) << p->by;
	return 0;
}

static int find_dependencies(struct context *ctx) {
	for (size_t j = 0; j < ctx->cfg.n_modules; j++) {
		struct pull p = { ctx, j };
		int r = modload->probe_list(ctx->cfg.modules[j], note_pulled, &p);
		/* A missing module is the load's to report, naming it (load_one). */
		if (r < 0 && r != -ENOENT)
			return log_error_errno(r, "Cannot list what module %s loads with it: %m", ctx->cfg.modules[j]);
	}
	return 0;
}

/* A module loaded with another is loaded again on its own (nothing to do when it is in, its own
 * error when it failed as a softdep); one that nothing loaded pulled in is not needed. */
static int load_dependencies(struct context *ctx) {
	struct modules_state *m = &ctx->modules;
	for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
		bool wanted = false;
		if (!m->pulled_by[i])
			continue;
		for (size_t j = 0; j < ctx->cfg.n_modules && !wanted; j++)
			wanted = (m->pulled_by[i] >> j & 1) && m->state[j] == MODULE_LOADED;
		if (!wanted)
			m->state[i] = MODULE_NOT_NEEDED;
		else {
			int r = load_one(ctx, i, "a module that needs it");
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* "name name ..." of the modules in state s, into buf. */
static const char *names_in(const struct context *ctx, enum module_state s, char *buf, size_t size) {
	const struct modules_state *m = &ctx->modules;
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
		if (m->state[i] != s)
			continue;
		if (!strbuf_append(buf, size, &used, "%s%s", used ? " " : "", ctx->cfg.modules[i]))
			break; /* a long list is cut in the log line only */
	}
	return buf[0] ? buf : "none";
}

void modules_stop(struct context *ctx) {
	struct modules_state *m = &ctx->modules;
	if (m->started)
		modload->close();
	modalias_table_free(&m->aliases);
	*m = (struct modules_state){};
}

int stage_modules(struct context *ctx) {
	struct modules_state *m = &ctx->modules;
	size_t loaded = 0;
	int r;

	modules_stop(ctx);
	m->started = true;
	r = modload->open();
	if (r < 0)
		return log_error_errno(r, "Cannot read the module index of this kernel: %m");
	r = read_aliases(&ctx->modules);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ctx->cfg.n_modules; i++)
		m->class[i] = modalias_class_of(&m->aliases, ctx->cfg.modules[i]);
	r = modload->cpu_modalias(m->cpu, sizeof m->cpu);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "Cannot read the CPU's modalias: %m");
	r = find_dependencies(ctx);
	if (r < 0)
		return r;

	/* Drivers first: their probes (a SCSI scan, a vmbus offer) run on while the rest loads. The
	 * listening starts before the walk so that no device falls between the two. */
	r = modload->listen();
	if (r < 0)
		return log_error_errno(r, "Cannot listen for the kernel's device events: %m");
	m->listening = true;
	r = modload->coldplug(on_device, ctx);
	if (r < 0)
		return m->load_failed ? r : log_error_errno(r, "Cannot list this machine's devices in /sys/bus: %m");

	for (size_t i = 0; i < ctx->cfg.n_modules; i++) {
		if (m->class[i] == MODALIAS_FS && !fs_needed(ctx, i))
			m->state[i] = MODULE_NOT_NEEDED;
		else if (m->class[i] != MODALIAS_DEVICE && !m->pulled_by[i] &&
			 (r = load_one(ctx, i, m->class[i] == MODALIAS_FS ? "the filesystem" : "every boot")) < 0)
			return r;
	}
	r = load_dependencies(ctx);
	if (r < 0)
		return r;

	char have[512], wait[512], skip[512], cpu[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < ctx->cfg.n_modules; i++)
		loaded += m->state[i] == MODULE_LOADED;
	for (size_t i = 0; i < m->n_not_for_cpu; i++)
		(void) strbuf_append(cpu, sizeof cpu, &used, "%s%s", used ? " " : "", m->not_for_cpu[i]);
	log_info("Modules loaded: %s; drivers awaiting their devices: %s; not needed on this boot: %s; "
		 "left out for this CPU: %s",
		 names_in(ctx, MODULE_LOADED, have, sizeof have), names_in(ctx, MODULE_PENDING, wait, sizeof wait),
		 names_in(ctx, MODULE_NOT_NEEDED, skip, sizeof skip), cpu[0] ? cpu : "none");
	stage_status(ctx, "%zu of %zu configured", loaded, ctx->cfg.n_modules);
	return 0;
}

int modules_hotplug(struct context *ctx, uint64_t usec) {
	struct modules_state *m = &ctx->modules;
	if (!m->listening) {
		sys->sleep_us(usec);
		return 0;
	}
	m->announce = true; /* after the walk: each load is news */
	int r = modload->wait(usec, on_device, ctx);
	if (r < 0)
		return m->load_failed ? stage_failed(ctx, REASON_MODULE, r)
				      : stage_fail(ctx, REASON_MODULE, r, "Cannot read the kernel's device events: %m");
	return 0;
}
