/* SPDX-License-Identifier: MIT */
/* The aliases of the initramfs's modules (depmod's modules.alias: "alias PATTERN MODULE" lines), and
 * what they say about each module: a device driver (a bus alias such as pci:, acpi*:, virtio:,
 * vmbus:, scsi:), a filesystem (fs-TYPE), or neither. The agent loads a driver only when a device
 * it matches is present, as udev and modprobe would, and a filesystem only when it is the one to
 * mount. Pure: reading the file and the devices is lib/sys/modload.c's and
 * lib/sys/uevent-listen.c's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* More lines than a whole distribution kernel's modules.alias (about 30,000): not depmod's. */
#define MODALIAS_ENTRIES_MAX 65536

struct modalias_entry {
	const char *pattern; /* fnmatch(3) pattern, as modprobe matches it */
	const char *module;  /* '-' written as '_', as the kernel names modules */
	bool device;         /* a bus alias ("BUS:..."), not devname:, fs-, crypto-, char-major-... */
};

struct modalias_table {
	char *text; /* the parsed copy the entries point into */
	struct modalias_entry *v;
	size_t n;
};

enum modalias_class {
	MODALIAS_OTHER,  /* no device or fs- alias: dm-verity, a crypto module, an alias, a built-in */
	MODALIAS_DEVICE, /* a driver: loaded for a device that matches it */
	MODALIAS_FS,     /* a filesystem and no driver: loaded for the filesystem it provides */
};

/* Parses the text of modules.alias (buf, len: no NUL needed). Blank lines and '#' comments are
 * skipped. Returns 0 with *t filled (free it with modalias_table_free()); -EBADMSG for a line that
 * is not "alias PATTERN MODULE" or a NUL byte, with its number (1-based) in *bad_line; -E2BIG for
 * more than MODALIAS_ENTRIES_MAX entries; -ENOMEM. */
int modalias_parse(const char *buf, size_t len, struct modalias_table *t, unsigned *bad_line);

void modalias_table_free(struct modalias_table *t);

/* Whether two module names are the same module: '-' and '_' are one character to the kernel. */
bool modalias_same_module(const char *a, const char *b);

/* The class of module name (a module's name, '-' or '_'): a name with no line of its own, such as
 * an alias or a built-in module, is MODALIAS_OTHER. */
enum modalias_class modalias_class_of(const struct modalias_table *t, const char *name);

/* Whether module name has the alias fs-FSTYPE. */
bool modalias_provides_fs(const struct modalias_table *t, const char *name, const char *fstype);

/* The index of the first device entry at or after from whose pattern matches a device's modalias,
 * or -1. Callers step through every match: one device may match several modules. */
long modalias_next_match(const struct modalias_table *t, size_t from, const char *modalias);

/* Whether module name is made for CPU features this one lacks: it has cpu: aliases (x86cpu, as
 * crc32c_intel's feature SSE4.2) and none matches cpu, the CPU's modalias. Its init would fail with
 * -ENODEV, after the kernel checked its signature and relocated it. No cpu: alias: false. */
bool modalias_cpu_lacks(const struct modalias_table *t, const char *name, const char *cpu);
