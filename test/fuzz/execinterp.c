/* SPDX-License-Identifier: MIT */
/* exec_interp() over any bytes, the first byte saying whether they are the whole file or a prefix
 * of a longer one: an interpreter it reports is an absolute path shorter than EXEC_INTERP_MAX that
 * stands in the input as the kernel would read it (after "#!" and blanks; or NUL-terminated where
 * PT_INTERP points); a refusal writes nothing and says why in one line. */
#include "execinterp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	bool prefix = fuzz_take_byte(&data, &size) & 1;
	char interp[EXEC_INTERP_MAX] = "untouched";
	enum exec_kind kind = EXEC_STATIC;
	struct parse_error err = { 0 };

	int r = exec_interp(data, size, prefix ? (uint64_t) size + 4096 : size, &kind, interp, &err);
	if (r < 0) {
		FUZZ_CHECK(r == -ENOEXEC || r == -EBADMSG || r == -EFBIG || r == -EINVAL || r == -ENAMETOOLONG);
		FUZZ_CHECK(strcmp(interp, "untouched") == 0 && kind == EXEC_STATIC);
		fuzz_check_error(&err, true);
		return 0;
	}
	FUZZ_CHECK_STR(interp);
	size_t n = strlen(interp);
	switch (kind) {
	case EXEC_STATIC:
		FUZZ_CHECK(n == 0 && size >= 4 && memcmp(data, "\177ELF", 4) == 0);
		break;
	case EXEC_ELF:
		FUZZ_CHECK(n > 0 && interp[0] == '/' && memcmp(data, "\177ELF", 4) == 0);
		FUZZ_CHECK(memmem(data, size, interp, n + 1) != NULL);
		break;
	case EXEC_SCRIPT: {
		FUZZ_CHECK(n > 0 && interp[0] == '/' && size >= 2 && data[0] == '#' && data[1] == '!');
		size_t i = 2;
		while (data[i] == ' ' || data[i] == '\t')
			i++;
		FUZZ_CHECK(i + n <= size && i + n <= EXEC_SCRIPT_HEAD && memcmp(data + i, interp, n) == 0);
		FUZZ_CHECK(i + n == size || memchr(" \t\n", data[i + n], 4) != NULL);
		break;
	}
	default:
		FUZZ_CHECK(!"an unknown kind");
	}
	return 0;
}
