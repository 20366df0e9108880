/* SPDX-License-Identifier: MIT */
/* Waits, without udev, for the partitions /usr needs and picks exactly one per role. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "blockscan.h"
#include "partuuid.h"
#include "log.h"
#include "stages.h"
#include "sysops.h"

#define POLL_US 50000

static const char *want_text(const struct part_want *w, char *buf, size_t size) {
	(void) snprintf(buf, size, "%s%s%s", w->name ? w->name : "",
			w->name && w->type ? " of type " : "", w->type ? w->type : "");
	return buf;
}

/* Each chosen partition must own its sectors: a hostile table could otherwise lay another
 * partition (a writable one, say) over /usr or its hash tree. Returns 0 or -EBADMSG. */
static int refuse_overlaps(struct context *ctx, const char *const *roles, const struct part *parts, size_t np,
			   const int *picked, size_t n) {
	for (size_t i = 0; i < n; i++) {
		int j = discover_overlap(parts, np, (size_t) picked[i]);
		if (j < 0)
			continue;
		const struct part *a = &parts[picked[i]], *b = &parts[j];
		ctx->reason = REASON_PARTITION_OVERLAP;
		return log_error_errno(-EBADMSG,
				       "%s %s (sectors %" PRIu64 "+%" PRIu64 ") overlaps %s (sectors %" PRIu64 "+%" PRIu64
				       "); refusing the partition table",
				       roles[i], a->dev, a->start, a->size, b->dev, b->start, b->size);
	}
	return 0;
}

int devices_await(struct context *ctx, const char *const *roles, const struct part_want *wants, size_t n,
		  struct part *out) {
	struct part parts[BLOCKSCAN_MAX];
	char seen[256] = "", buf[160];
	int picked[4];
	uint64_t next_note = 0;

	if (n > ELEMENTSOF(picked))
		return log_error_errno(-EINVAL, "Asked for %zu partitions; at most %zu", n, ELEMENTSOF(picked));

	for (;;) {
		int np = blockscan("/sys/class/block", parts, seen, sizeof seen);
		if (np < 0)
			return log_error_errno(np, "Cannot list block devices in /sys/class/block: %m");

		size_t found = 0;
		const char *missing = NULL;
		int r;
		for (size_t i = 0; i < n; i++) {
			r = discover_pick(parts, (size_t) np, &wants[i]);
			if (r == -ENOTUNIQ) {
				ctx->reason = REASON_DEVICE_AMBIGUOUS;
				return log_error_errno(r, "Two or more partitions match %s (%s); refusing to guess",
						       roles[i], want_text(&wants[i], buf, sizeof buf));
			}
			if (r < 0) {
				missing = missing ? missing : roles[i];
				continue;
			}
			out[i] = parts[r];
			picked[i] = r;
			found++;
		}
		if (found == n) {
			r = refuse_overlaps(ctx, roles, parts, (size_t) np, picked, n);
			if (r < 0)
				return r;
			for (size_t i = 0; i < n; i++)
				log_info("%s: %s (%s%s)", roles[i], out[i].dev, out[i].uuid[0] ? "PARTUUID " : "whole disk",
					 out[i].uuid);
			return 0;
		}

		uint64_t now = sys->now_us();
		if (now >= ctx->device_deadline_us) {
			ctx->reason = REASON_DEVICE_TIMEOUT;
			for (size_t i = 0; i < n; i++)
				if (discover_pick(parts, (size_t) np, &wants[i]) < 0)
					log_error("Missing: %s (%s)", roles[i], want_text(&wants[i], buf, sizeof buf));
			for (int i = 0; i < np; i++)
				if (parts[i].type[0])
					log_error("Seen: %s type %s PARTUUID %s", parts[i].dev, parts[i].type, parts[i].uuid);
				else
					log_error("Seen: %s (whole disk)", parts[i].dev);
			return log_error_errno(-ETIMEDOUT, "No %s after %u s; disks seen: %s", missing,
					       ctx->cfg.device_timeout, seen[0] ? seen : "none");
		}
		if (now >= next_note) {
			log_info("Waiting for %s (%s)", missing, seen[0] ? seen : "no disks yet");
			next_note = now + 5000000;
		}
		/* Not a plain sleep: a driver's devices (a SCSI host's disks) may need drivers of their own. */
		r = modules_hotplug(ctx, POLL_US);
		if (r < 0)
			return r;
	}
}

/* Which partitions to await, and where each one's device name goes. auto: usr and usr-verity by
 * type GUID (narrowed by command-line hints); explicit: the configured devices; partuuid: named by
 * the signed root hash, so awaited after the signature (stage_verity). The signature partition by
 * type GUID, unless the signature is a file; the root when it is a partition. */
int stage_devices(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	const char *roles[4];
	struct part_want wants[4];
	char *dest[4];
	struct part found[4];
	size_t n = 0;

#define WANT(role, type, name, d) (roles[n] = (role), wants[n] = (struct part_want){ (type), (name) }, dest[n++] = (d))
	if (c->usr_signature[0] != '/')
		WANT("usr-verity-sig", GPT_USR_VERITY_SIG_X86_64, NULL, ctx->dev_sig);
	if (c->usr_discovery == USR_DISCOVERY_AUTO) {
		WANT("usr", GPT_USR_X86_64, c->usr_data_hint[0] ? c->usr_data_hint : NULL, ctx->dev_data);
		WANT("usr-verity", GPT_USR_VERITY_X86_64, c->usr_hash_hint[0] ? c->usr_hash_hint : NULL, ctx->dev_hash);
	} else if (c->usr_discovery == USR_DISCOVERY_EXPLICIT) {
		WANT("usr", NULL, c->usr_data, ctx->dev_data);
		WANT("usr-verity", NULL, c->usr_hash, ctx->dev_hash);
	}
	if (!c->root_tmpfs)
		WANT("root", NULL, c->root_device, ctx->dev_root);
#undef WANT

	ctx->device_deadline_us = sys->now_us() + (uint64_t) c->device_timeout * 1000000;
	if (n == 0)
		return 0;
	int r = devices_await(ctx, roles, wants, n, found);
	if (r < 0)
		return r;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		(void) snprintf(dest[i], sizeof ctx->dev_sig, "%s", found[i].dev);
		int w = snprintf(ctx->status + used, sizeof ctx->status - used, "%s%s %s", i ? ", " : "", roles[i],
				 found[i].dev);
		if (w > 0 && (size_t) w < sizeof ctx->status - used)
			used += (size_t) w;
	}
	return 0;
}

int devices_await_by_roothash(struct context *ctx) {
	static const char *const roles[] = { "usr", "usr-verity" };
	char data_uuid[37], hash_uuid[37], want_data[48], want_hash[48];
	struct part found[2];

	partuuid_from_roothash(ctx->sig.root_hash, data_uuid, hash_uuid);
	(void) snprintf(want_data, sizeof want_data, "PARTUUID=%s", data_uuid);
	(void) snprintf(want_hash, sizeof want_hash, "PARTUUID=%s", hash_uuid);
	const struct part_want wants[2] = { { GPT_USR_X86_64, want_data }, { GPT_USR_VERITY_X86_64, want_hash } };
	int r = devices_await(ctx, roles, wants, 2, found);
	if (r < 0)
		return r;
	(void) snprintf(ctx->dev_data, sizeof ctx->dev_data, "%s", found[0].dev);
	(void) snprintf(ctx->dev_hash, sizeof ctx->dev_hash, "%s", found[1].dev);
	return 0;
}
