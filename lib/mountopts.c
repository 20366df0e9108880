/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "macro.h"
#include "mountopts.h"
#include "parse.h"
#include "strbuf.h"

static const struct {
	const char *name;
	unsigned long flag;
} vfs_flags[] = {
	/* clang-format off */
	{ "ro", MS_RDONLY },	     { "nodev", MS_NODEV },		{ "nosuid", MS_NOSUID },
	{ "noexec", MS_NOEXEC },     { "noatime", MS_NOATIME },		{ "nodiratime", MS_NODIRATIME },
	{ "relatime", MS_RELATIME }, { "strictatime", MS_STRICTATIME }, { "sync", MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC },   { "lazytime", MS_LAZYTIME },
	/* The defaults mount(2) has anyway: accepted, and nothing to pass on. */
	{ "rw", 0 },		     { "exec", 0 },
	/* clang-format on */
};

/* verinit mounts every file system nodev and nosuid: these could only ask to undo that. */
static const char *const weakening[] = { "dev", "suid" };

int mountopts_parse(const char *opts, unsigned long *flags, char *data, size_t data_size) {
	size_t used = 0;

	if (data_size == 0)
		return -E2BIG;
	data[0] = '\0';
	if (!opts[0])
		return 0;
	for (const char *o = opts;;) {
		size_t len = strcspn(o, ",");
		bool known = false;

		if (len == 0)
			return -EINVAL;
		for (size_t i = 0; i < ELEMENTSOF(weakening); i++)
			if (memeq_str(o, len, weakening[i]))
				return -EINVAL;
		for (size_t i = 0; i < ELEMENTSOF(vfs_flags) && !known; i++)
			if (memeq_str(o, len, vfs_flags[i].name)) {
				*flags |= vfs_flags[i].flag;
				known = true;
			}
		if (!known && !strbuf_append(data, data_size, &used, "%s%.*s", used ? "," : "", (int) len, o)) {
			data[used] = '\0'; /* the options that fit, not half of the next */
			return -E2BIG;
		}
		if (o[len] == '\0')
			return 0;
		o += len + 1;
	}
}
