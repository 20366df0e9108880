/* SPDX-License-Identifier: MIT */
/* Waits, without udev, for the partitions /usr needs: with auto discovery, the slot (signature
 * partition, usr, usr-verity) the rules choose; otherwise exactly one partition per named role. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blockscan.h"
#include "efivar.h"
#include "hexb64.h"
#include "log.h"
#include "slot.h"
#include "stage.h"
#include "stages.h"
#include "strbuf.h"
#include "sysops.h"

#define POLL_US 50000
/* More signature partitions than an A/B/C disk has is not a disk we were built for. */
#define SLOT_SIGS_MAX 8

/* What one wait looks for: roles named exactly (wants[]), and, when slots is set, a slot. */
struct await {
	const char *roles[6];
	struct part_want wants[6];
	size_t n;

	bool slots;
	bool sig_file; /* the signature is usr.signature=, its root hash usrhash= */
	struct slot_rules rules;
	uint8_t usrhash[32];
	struct slot_sig sigs[SLOT_SIGS_MAX]; /* the candidates read so far, with their root hashes */
	char sig_dev[SLOT_SIGS_MAX][64];
	size_t nsigs;
	struct slot_choice choice;
	uint8_t chosen_hash[32]; /* the chosen slot's root hash, as its JSON named it */

	/* LoaderDevicePartUUID: auto discovery looks only at that partition's disk ("" for any). */
	char boot_uuid[37];
	struct part view[BLOCKSCAN_MAX]; /* the scan with other disks' partitions typeless */

	int picked[6];       /* scan indices of wants[], then sig, usr, usr-verity of the slot */
	const char *missing; /* for the "Waiting for" line */
};

static const char *want_text(const struct part_want *w, char *buf, size_t size) {
	(void) snprintf(buf, size, "%s%s%s", w->name ? w->name : "",
			w->name && w->type ? " of type " : "", w->type ? w->type : "");
	return buf;
}

/* A role chosen again (usr by PARTUUID after the signature) replaces what it was. */
static void remember(struct context *ctx, const char *role, const struct part *p) {
	size_t i = 0;
	while (i < ctx->n_chosen && strcmp(ctx->chosen[i].role, role) != 0)
		i++;
	if (i == ELEMENTSOF(ctx->chosen))
		return;
	ctx->chosen[i] = (struct chosen_part){ role, *p };
	if (i == ctx->n_chosen)
		ctx->n_chosen++;
}

/* The partitions of a discovered type that discovery passed over, and why: an operator who finds
 * none chosen (or the other slot chosen) sees it was not for want of a partition. */
static void log_skipped(const struct part *parts, size_t np, const struct await *a, int level) {
	for (size_t i = 0; i < np; i++) {
		const char *why = part_skip_reason(&parts[i]);
		const char *role = discover_type_role(parts[i].type);
		bool wanted = a->slots && role;
		for (size_t w = 0; w < a->n && !wanted; w++)
			wanted = a->wants[w].discovering && a->wants[w].type &&
				 strcasecmp(a->wants[w].type, parts[i].type) == 0;
		if (why && wanted)
			log_internal(level, 0, "%s: %s, %s: skipped", parts[i].dev, role ? role : parts[i].type, why);
	}
}

/* Reads the root hash of each signature partition discovery may use that was not read yet. A
 * partition that is not a well-formed signature stops the boot (SIG_MALFORMED): sysupdate labels
 * a slot only once it is written, so a half-written one is still _empty. Returns 0 or an error. */
static int read_candidates(struct context *ctx, const struct part *parts, size_t np, struct await *a) {
	static struct verity_sig sig;
	for (size_t i = 0; i < np; i++) {
		if (strcasecmp(parts[i].type, GPT_USR_VERITY_SIG_X86_64) != 0 || part_skip_reason(&parts[i]))
			continue;
		size_t k = 0;
		while (k < a->nsigs && strcmp(a->sig_dev[k], parts[i].dev) != 0)
			k++;
		if (k < a->nsigs) {
			a->sigs[k].part = (int) i; /* a new scan: the same partition, maybe another index */
			continue;
		}
		if (a->nsigs == SLOT_SIGS_MAX)
			return stage_fail(ctx, REASON_DEVICE_AMBIGUOUS, -E2BIG,
					  "More than %d usr-verity-sig partitions (%s is one more); refusing "
					  "to choose among them",
					  SLOT_SIGS_MAX, parts[i].dev);
		int r = signature_read_partition(ctx, parts[i].dev, &sig);
		if (r < 0)
			return r;
		char label[80];
		label_escape(parts[i].name, label, sizeof label);
		log_info("usr-verity-sig %s (label '%s'): rootHash %s", parts[i].dev, label, sig.root_hash_hex);
		a->sigs[a->nsigs].part = (int) i;
		memcpy(a->sigs[a->nsigs].root_hash, sig.root_hash, 32);
		(void) snprintf(a->sig_dev[a->nsigs], sizeof a->sig_dev[0], "%.63s", parts[i].dev);
		a->nsigs++;
	}
	/* A candidate gone from this scan (a disk removed) is no candidate. */
	for (size_t k = 0; k < a->nsigs; k++)
		if ((size_t) a->sigs[k].part >= np || strcmp(parts[a->sigs[k].part].dev, a->sig_dev[k]) != 0)
			a->sigs[k].part = -2;
	return 0;
}

/* The slots seen, for a failure that must say what the disk held instead. */
static void log_slots(const struct part *parts, const struct await *a, int level) {
	char hex[65], label[80];
	for (size_t k = 0; k < a->nsigs; k++) {
		if (a->sigs[k].part < 0)
			continue;
		(void) hex_encode(a->sigs[k].root_hash, 32, hex, sizeof hex);
		label_escape(parts[a->sigs[k].part].name, label, sizeof label);
		log_internal(level, 0, "Slot seen: %s (label '%s') rootHash %s", a->sig_dev[k], label, hex);
	}
}

/* The candidates of this scan, the file's root hash standing for a partition when there is one. */
static size_t live_sigs(const struct await *a, struct slot_sig *out) {
	size_t m = 0;
	if (a->sig_file) {
		out[m].part = -1;
		memcpy(out[m++].root_hash, a->usrhash, 32);
	}
	for (size_t k = 0; k < a->nsigs; k++)
		if (a->sigs[k].part >= 0)
			out[m++] = a->sigs[k];
	return m;
}

/* Says which of the ways a disk can fail to say which /usr it is applies, and refuses it. */
static int refuse_ambiguous(struct context *ctx, const struct part *parts, size_t np, const struct await *a,
			    const struct slot_sig *live, size_t m) {
	char buf[160], hex[65];
	ctx->reason = REASON_DEVICE_AMBIGUOUS;
	log_slots(parts, a, LOG_ERR);
	for (size_t k = 0; k < m; k++) {
		struct part_want w[2];
		char db[48], hb[48];
		if (a->rules.usrhash && memcmp(live[k].root_hash, a->rules.usrhash, 32) != 0)
			continue;
		slot_wants(live[k].root_hash, &a->rules, &w[0], &w[1], db, hb);
		for (size_t i = 0; i < 2; i++)
			if (discover_pick(parts, np, &w[i]) == -ENOTUNIQ) {
				(void) hex_encode(live[k].root_hash, 32, hex, sizeof hex);
				return log_error_errno(-ENOTUNIQ, "Two or more partitions match %s (%s) of the slot with "
								  "rootHash %s; refusing to guess",
						       i ? "usr-verity" : "usr",
						       want_text(&w[i], buf, sizeof buf), hex);
			}
	}
	if (a->rules.usrhash)
		return log_error_errno(-ENOTUNIQ, "Two or more usr-verity-sig partitions have the root hash usrhash= "
						  "pins (listed above); refusing to guess");
	if (a->rules.newest)
		return log_error_errno(-ENOTUNIQ, "Two or more complete /usr slots of the same newest version "
						  "(listed above); refusing to guess");
	return log_error_errno(-ENOTUNIQ, "Two or more complete /usr slots and no usrhash= to say which (listed "
					  "above); refusing to guess (usr.slots=newest takes the newest label, which the disk's "
					  "writer chooses)");
}

/* One scan: 0 when everything was found (a->picked), -EAGAIN to wait, or a logged error. */
static int try_scan(struct context *ctx, const struct part *parts, size_t np, struct await *a) {
	char buf[160];
	a->missing = NULL;
	for (size_t i = 0; i < a->n; i++) {
		int r = discover_pick(parts, np, &a->wants[i]);
		if (r == -ENOTUNIQ)
			return stage_fail(ctx, REASON_DEVICE_AMBIGUOUS, r,
					  "Two or more partitions match %s (%s); refusing to guess", a->roles[i],
					  want_text(&a->wants[i], buf, sizeof buf));
		if (r < 0 && !a->missing)
			a->missing = a->roles[i];
		a->picked[i] = r;
	}
	if (!a->slots)
		return a->missing ? -EAGAIN : 0;

	if (!a->sig_file) {
		int r = read_candidates(ctx, parts, np, a);
		if (r < 0)
			return r;
	}
	struct slot_sig live[SLOT_SIGS_MAX + 1];
	size_t m = live_sigs(a, live);
	int r = slot_choose(parts, np, live, m, &a->rules, &a->choice);
	if (r == -ENOTUNIQ)
		return refuse_ambiguous(ctx, parts, np, a, live, m);
	if (r < 0) {
		a->missing = a->missing ? a->missing
			     : m == 0   ? "usr-verity-sig"
					: "a complete /usr slot";
		return -EAGAIN;
	}
	if (a->missing)
		return -EAGAIN;
	memcpy(a->chosen_hash, live[a->choice.sig_index].root_hash, 32);
	a->picked[a->n] = a->choice.sig;
	a->picked[a->n + 1] = a->choice.data;
	a->picked[a->n + 2] = a->choice.hash;
	return 0;
}

/* By the deadline: what was missing, what was there, and the failure's name. */
static int timed_out(struct context *ctx, const struct part *parts, size_t np, const struct await *a,
		     const char *seen) {
	char buf[160];
	ctx->reason = REASON_DEVICE_TIMEOUT;
	for (size_t i = 0; i < a->n; i++)
		if (a->picked[i] < 0)
			log_error("Missing: %s (%s)", a->roles[i], want_text(&a->wants[i], buf, sizeof buf));
	for (size_t i = 0; i < np; i++)
		if (parts[i].type[0]) {
			label_escape(parts[i].name, buf, sizeof buf);
			log_error("Seen: %s type %s PARTUUID %s label '%s'", parts[i].dev, parts[i].type, parts[i].uuid,
				  buf);
		} else
			log_error("Seen: %s (whole disk)", parts[i].dev);
	log_skipped(parts, np, a, LOG_ERR);
	if (a->slots) {
		struct slot_sig live[SLOT_SIGS_MAX + 1];
		struct slot_choice c;
		size_t m = live_sigs(a, live);
		log_slots(parts, a, LOG_ERR);
		if (slot_choose(parts, np, live, m, &a->rules, &c) == -ESRCH) {
			char hex[65];
			(void) hex_encode(a->usrhash, 32, hex, sizeof hex);
			return stage_fail(ctx, REASON_USRHASH_NOT_FOUND, -ESRCH,
					  "No usr-verity-sig partition has the root hash usrhash=%s after %u s "
					  "(%zu slot(s) seen, listed above)",
					  hex, ctx->cfg.device_timeout, m);
		}
		/* Each candidate's partitions, and which of them never came. */
		for (size_t k = 0; k < m; k++) {
			struct part_want d, h;
			char db[48], hb[48], hex[65];
			if (a->rules.usrhash && memcmp(live[k].root_hash, a->rules.usrhash, 32) != 0)
				continue;
			slot_wants(live[k].root_hash, &a->rules, &d, &h, db, hb);
			(void) hex_encode(live[k].root_hash, 32, hex, sizeof hex);
			if (discover_pick(parts, np, &d) < 0)
				log_error("Missing: usr (%s) of the slot with rootHash %s", want_text(&d, buf, sizeof buf), hex);
			if (discover_pick(parts, np, &h) < 0)
				log_error("Missing: usr-verity (%s) of the slot with rootHash %s",
					  want_text(&h, buf, sizeof buf), hex);
		}
	}
	return log_error_errno(-ETIMEDOUT, "No %s after %u s; disks seen: %s", a->missing ? a->missing : "partition",
			       ctx->cfg.device_timeout, seen[0] ? seen : "none");
}

/* Each chosen partition must own its sectors: a hostile table could otherwise lay another
 * partition (a writable one, say) over /usr or its hash tree. Returns 0 or -EBADMSG. */
static int refuse_overlaps(struct context *ctx, const char *const *roles, const struct part *parts, size_t np,
			   const int *picked, size_t n) {
	for (size_t i = 0; i < n; i++) {
		int j = picked[i] < 0 ? -ENOENT : discover_overlap(parts, np, (size_t) picked[i]);
		if (j < 0)
			continue;
		const struct part *p = &parts[picked[i]], *q = &parts[j];
		return stage_fail(ctx, REASON_PARTITION_OVERLAP, -EBADMSG,
				  "%s %s (sectors %" PRIu64 "+%" PRIu64 ") overlaps %s (sectors %" PRIu64 "+%" PRIu64
				  "); refusing the partition table",
				  roles[i], p->dev, p->start, p->size, q->dev, q->start, q->size);
	}
	return 0;
}

#define EFIVARFS "/sys/firmware/efi/efivars"

/* The PARTUUID the boot loader or systemd-stub was read from (LoaderDevicePartUUID), into uuid;
 * "" when this is no UEFI boot, efivarfs cannot be mounted, or nothing set the variable (a kernel
 * started by the firmware with -kernel, no loader). Never an error: the variable is not
 * authenticated (a value persisted in NVRAM wins over the stub's), so it only narrows where
 * discovery looks, against stray disks; it never makes a partition trusted. */
static void boot_partuuid(char uuid[37]) {
	uint8_t buf[256];
	uuid[0] = '\0';
	_cleanup_close_ int efi = sys->open("/sys/firmware/efi", O_RDONLY | O_DIRECTORY | O_NOCTTY, 0);
	if (efi < 0)
		return; /* not booted by UEFI */
	int r = sys->mount("efivarfs", EFIVARFS, "efivarfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0 && r != -EBUSY) {
		log_warning_errno(r, "Cannot mount efivarfs on " EFIVARFS " (%m): auto discovery looks at every disk");
		return;
	}
	_cleanup_close_ int fd = sys->open(EFIVARFS "/" EFIVAR_LOADER_DEVICE_PART_UUID, O_RDONLY | O_NOCTTY, 0);
	ssize_t n = fd < 0 ? fd : sys_read_full(fd, buf, sizeof buf);
	/* Left as the system expects to find it: systemd mounts it read-write itself. */
	if (r == 0)
		(void) sys->umount(EFIVARFS);
	if (n == -ENOENT) {
		log_info("No LoaderDevicePartUUID: auto discovery looks at every disk");
		return;
	}
	if (n < 0 || efivar_parse_uuid(buf, (size_t) n, uuid) < 0) {
		uuid[0] = '\0';
		log_warning("LoaderDevicePartUUID is not readable as one UUID (%s): auto discovery looks at every disk",
			    n < 0 ? strerror((int) -n) : "malformed");
		return;
	}
	log_info("Booted from the partition with PARTUUID %s (LoaderDevicePartUUID): auto discovery looks only "
		 "at its disk",
		 uuid);
}

/* The scan as auto discovery sees it on a boot disk: partitions of other disks keep their names,
 * so that a device named on the command line is still taken as named, but lose their type, so that
 * no discovery picks them. Returns the view, or NULL with *r -EAGAIN (the loader's partition not
 * seen yet) or -ENOTUNIQ (on two disks: a cloned disk, and which one booted is not known). */
static const struct part *boot_disk_view(const struct part *parts, size_t np, struct await *a, int *r) {
	size_t esp = np;
	for (size_t i = 0; i < np; i++)
		if (parts[i].type[0] && strcasecmp(parts[i].uuid, a->boot_uuid) == 0) {
			if (esp < np) {
				*r = -ENOTUNIQ;
				return NULL;
			}
			esp = i;
		}
	if (esp == np) {
		*r = -EAGAIN;
		return NULL;
	}
	memcpy(a->view, parts, np * sizeof *parts);
	for (size_t i = 0; i < np; i++)
		if (a->view[i].disk != parts[esp].disk)
			a->view[i].type[0] = '\0';
	*r = 0;
	return a->view;
}

/* The partitions discovery would have considered on disks other than the boot disk. */
static void log_other_disks(const struct part *parts, size_t np, const struct await *a, int level) {
	if (!a->slots || !a->boot_uuid[0])
		return;
	for (size_t i = 0; i < np; i++) {
		const char *role = discover_type_role(parts[i].type);
		if (role && !a->view[i].type[0])
			log_internal(level, 0, "%s: %s, not on the boot disk: ignored", parts[i].dev, role);
	}
}

/* Polls the block devices until a is satisfied or the device deadline passes. On success
 * out[0..n) are the named roles, and with slots out[n..n+3) the slot's sig (unset for a file),
 * usr and usr-verity, each remembered for the boot report and named on the console. */
static int await_devices(struct context *ctx, struct await *a, struct part *out) {
	static struct part parts[BLOCKSCAN_MAX]; /* 62 KiB: off the stack, one wait at a time */
	char seen[256] = "", buf[160];
	uint64_t next_note = 0;

	for (;;) {
		struct parse_error err = {};
		/* The last scan: what the kernel has not partitioned by now, it never will. */
		const bool final = sys->now_us() >= ctx->device_deadline_us;
		int np = blockscan("/sys/class/block", final, parts, seen, sizeof seen, &err);
		if (np == -EBADMSG || np == -E2BIG)
			return stage_fail(ctx, REASON_PARTITION_TABLE, np, "%s; refusing the partition table", err.msg);
		if (np < 0)
			return log_error_errno(np, "Cannot list block devices in /sys/class/block: %m");
		const struct part *scan = parts;
		int r = 0;
		if (a->slots && a->boot_uuid[0])
			scan = boot_disk_view(parts, (size_t) np, a, &r);
		if (r == -ENOTUNIQ)
			return stage_fail(ctx, REASON_DEVICE_AMBIGUOUS, r,
					  "Two partitions have the loader's PARTUUID %s: which disk booted is not "
					  "known; refusing to guess",
					  a->boot_uuid);
		if (r == 0)
			r = try_scan(ctx, scan, (size_t) np, a);
		else
			a->missing = "the boot disk (the partition LoaderDevicePartUUID names)";
		if (r == 0) {
			const size_t total = a->n + (a->slots ? 3 : 0);
			r = refuse_overlaps(ctx, a->roles, parts, (size_t) np, a->picked, total);
			if (r < 0)
				return r;
			log_skipped(parts, (size_t) np, a, LOG_INFO);
			log_other_disks(parts, (size_t) np, a, LOG_INFO);
			for (size_t i = 0; i < total; i++) {
				if (a->picked[i] < 0)
					continue; /* the signature is a file */
				out[i] = parts[a->picked[i]];
				remember(ctx, a->roles[i], &out[i]);
				label_escape(out[i].name, buf, sizeof buf);
				if (out[i].uuid[0])
					log_info("%s: %s (PARTUUID %s, label '%s', attributes 0x%016" PRIx64 ")", a->roles[i],
						 out[i].dev, out[i].uuid, buf, out[i].flags);
				else
					log_info("%s: %s (whole disk)", a->roles[i], out[i].dev);
			}
			return 0;
		}
		if (r != -EAGAIN)
			return r;

		uint64_t now = sys->now_us();
		if (final) {
			log_other_disks(parts, (size_t) np, a, LOG_ERR);
			return timed_out(ctx, scan ? scan : parts, (size_t) np, a, seen);
		}
		if (now >= next_note) {
			log_info("Waiting for %s (%s)", a->missing, seen[0] ? seen : "no disks yet");
			next_note = now + 5000000;
		}
		/* Not a plain sleep: a driver's devices (a SCSI host's disks) may need drivers of their own. */
		r = modules_hotplug(ctx, POLL_US);
		if (r < 0)
			return r;
	}
}

static void set_dev(char *dest, const struct part *p) {
	(void) snprintf(dest, sizeof((struct context *) NULL)->dev_sig, "%s", p->dev);
}

/* Command-line device names are taken as named, whatever their type, as systemd takes them; the
 * signature must still verify and the tree must still belong to it. */
static void set_rules(struct context *ctx, struct await *a) {
	const struct config *c = &ctx->cfg;
	a->rules.data_name = c->usr_data_hint[0] ? c->usr_data_hint : NULL;
	a->rules.hash_name = c->usr_hash_hint[0] ? c->usr_hash_hint : NULL;
	a->rules.newest = c->usr_slots == USR_SLOTS_NEWEST;
	size_t len = 0;
	if (c->usrhash[0] && hex_decode(c->usrhash, strlen(c->usrhash), a->usrhash, 32, &len) >= 0 && len == 32)
		a->rules.usrhash = a->usrhash;
}

/* auto: the slot (lib/slot.c); explicit: the configured devices and the signature partition by
 * type; partuuid: the signature partition by type, usr and usr-verity named by the verified root
 * hash after the signature (stage_verity). The root in every mode, when it is a partition. */
int stage_devices(struct context *ctx) {
	static struct await a; /* the candidates' cache is large: off the stack */
	const struct config *c = &ctx->cfg;
	struct part found[9];

	a = (struct await){};
	set_rules(ctx, &a);
	const bool sig_partition = c->usr_signature[0] != '/';
	if (c->usr_discovery == USR_DISCOVERY_AUTO) {
		a.slots = true;
		boot_partuuid(a.boot_uuid);
		a.sig_file = !sig_partition;
		if (a.sig_file && !a.rules.usrhash)
			return stage_fail(ctx, REASON_SIG_MISSING, -ENOKEY,
					  "usr.signature=%s needs usrhash= on the kernel command line", c->usr_signature);
	} else if (sig_partition) {
		a.roles[a.n] = "usr-verity-sig";
		a.wants[a.n++] = (struct part_want){ GPT_USR_VERITY_SIG_X86_64, NULL, true };
	}
	if (c->usr_discovery == USR_DISCOVERY_EXPLICIT) {
		a.roles[a.n] = "usr";
		a.wants[a.n++] = (struct part_want){ NULL, c->usr_data, false };
		a.roles[a.n] = "usr-verity";
		a.wants[a.n++] = (struct part_want){ NULL, c->usr_hash, false };
	}
	if (!c->root_tmpfs) {
		a.roles[a.n] = "root";
		a.wants[a.n++] = (struct part_want){ NULL, c->root_device, false };
	}

	if (a.slots) { /* after the named roles, as await_devices() fills picked[] */
		a.roles[a.n] = "usr-verity-sig";
		a.roles[a.n + 1] = "usr";
		a.roles[a.n + 2] = "usr-verity";
	}

	ctx->device_deadline_us = sys->now_us() + (uint64_t) c->device_timeout * 1000000;
	if (a.n == 0 && !a.slots)
		return 0;
	int r = await_devices(ctx, &a, found);
	if (r < 0)
		return r;

	size_t used = 0;
	const size_t total = a.n + (a.slots ? 3 : 0);
	for (size_t i = 0; i < total; i++) {
		if (a.picked[i] < 0)
			continue;
		const char *role = a.roles[i];
		set_dev(strcmp(role, "usr-verity-sig") == 0 ? ctx->dev_sig
			: strcmp(role, "usr") == 0          ? ctx->dev_data
			: strcmp(role, "usr-verity") == 0   ? ctx->dev_hash
							    : ctx->dev_root,
			&found[i]);
		/* A role that does not fit is left out of the status line, not the boot. */
		(void) strbuf_append(ctx->status, sizeof ctx->status, &used, "%s%s %s", used ? ", " : "", role,
				     found[i].dev);
	}
	/* The signature stage reads the partition again: it must be the root hash chosen here. */
	ctx->slot_chosen = a.slots && !a.sig_file;
	memcpy(ctx->slot_root_hash, a.chosen_hash, 32);
	return 0;
}

int devices_await_by_roothash(struct context *ctx) {
	static struct await a;
	struct part found[4];
	char data_buf[48], hash_buf[48];

	a = (struct await){};
	set_rules(ctx, &a);
	a.roles[0] = "usr";
	a.roles[1] = "usr-verity";
	slot_wants(ctx->sig.root_hash, &a.rules, &a.wants[0], &a.wants[1], data_buf, hash_buf);
	a.n = 2;
	int r = await_devices(ctx, &a, found);
	if (r < 0)
		return r;
	set_dev(ctx->dev_data, &found[0]);
	set_dev(ctx->dev_hash, &found[1]);
	return 0;
}
