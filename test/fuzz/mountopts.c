/* SPDX-License-Identifier: MIT */
/* mountopts_parse() as mount_root() and mount_usr() use it, over any string (the first byte picks
 * the size of the data buffer, which is allocated to exactly that size so that ASan sees a byte
 * written past it). Checked: data is always terminated within data_size; on success it holds only
 * the options that are not VFS flags, never "dev" or "suid", and parsing it again adds no flag and
 * gives it back unchanged (the round trip); flags only gain bits. */
#include <sys/mount.h>

#include "config.h"
#include "fuzz.h"
#include "mountopts.h"

static const char *const vfs_words[] = { "ro", "nodev", "nosuid", "noexec", "noatime", "nodiratime", "relatime",
					 "strictatime", "sync", "dirsync", "lazytime", "rw", "exec", "dev", "suid" };

static void check_data(const char *data) {
	for (const char *o = data; *o;) {
		size_t len = strcspn(o, ",");
		FUZZ_CHECK(len > 0);
		for (size_t i = 0; i < sizeof vfs_words / sizeof vfs_words[0]; i++)
			FUZZ_CHECK(!(strlen(vfs_words[i]) == len && memcmp(o, vfs_words[i], len) == 0));
		o += len;
		if (*o == ',') {
			o++;
			FUZZ_CHECK(*o != '\0');
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
	const uint8_t sel = fuzz_take_byte(&in, &size);
	/* Mostly the agent's CONFIG_FLAGS_MAX; sometimes a small buffer to reach -E2BIG at every length. */
	const size_t data_size = sel < 0x80 ? CONFIG_FLAGS_MAX : (size_t) (sel & 0x3f) + 1;
	const unsigned long start = sel & 1 ? MS_NOSUID | MS_NODEV : MS_RDONLY;
	char *opts = fuzz_strndup(in, size);
	char *data = malloc(data_size);
	unsigned long flags = start;
	FUZZ_CHECK(data);

	int r = mountopts_parse(opts, &flags, data, data_size);
	FUZZ_CHECK(memchr(data, '\0', data_size) != NULL);
	FUZZ_CHECK((flags & start) == start);
	if (r == 0) {
		check_data(data);
		/* Round trip: the file system's string is all file system options. */
		char *again = malloc(data_size);
		unsigned long f2 = 0;
		FUZZ_CHECK(again);
		FUZZ_CHECK(mountopts_parse(data, &f2, again, data_size) == 0);
		FUZZ_CHECK(f2 == 0 && strcmp(again, data) == 0);
		free(again);
	} else
		FUZZ_CHECK(r == -EINVAL || r == -E2BIG);
	free(data);
	free(opts);
	return 0;
}
