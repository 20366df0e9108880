/* SPDX-License-Identifier: MIT */
/* geometry_check(), geometry_fits() and geometry_reads_equal() over one disk as blockscan() reads
 * it. The input is text, one line per item:
 *   E|PARTNO|START|SIZE       a GPT entry as libblkid reports it (signed decimal, as blkid_loff_t)
 *   K|PARTNO|START|SIZE|NAME  a kernel partition from sysfs, first read (unsigned decimal; the name
 *                             cut to 31 bytes, its control characters made '?': the kernel's own)
 *   A|PARTNO|START|SIZE|NAME  the same, the read after the probe
 * Checked against the rules written out plainly (lib/geometry.h): the result is one of 0, -EAGAIN
 * and -EBADMSG; a refusal has a one-line, terminated, non-empty message, the others none; 0 means
 * every entry is valid and has a kernel partition of its number with its sectors and every
 * partition has its entry; -EAGAIN means valid entries and no kernel partitions; any invalid entry
 * is refused. The reads compare as sets, symmetrically; the fit is entries < room. */
#include <inttypes.h>

#include "fuzz.h"
#include "geometry.h"

#define ITEMS_MAX 300

static struct gpt_entry ents[ITEMS_MAX];
static struct kernel_part kp[ITEMS_MAX], after[ITEMS_MAX];

static int64_t field_i64(const char *line, size_t len, unsigned i) {
	char text[24];
	fuzz_field(line, len, i, "", text, sizeof text);
	return strtoll(text, NULL, 10);
}

static uint64_t field_u64(const char *line, size_t len, unsigned i) {
	char text[24];
	fuzz_field(line, len, i, "", text, sizeof text);
	return strtoull(text, NULL, 10);
}

static void read_kernel(const char *line, size_t len, struct kernel_part *k) {
	memset(k, 0, sizeof *k);
	k->partno = (unsigned) field_u64(line, len, 1);
	k->start = field_u64(line, len, 2);
	k->size = field_u64(line, len, 3);
	fuzz_field(line, len, 4, "", k->name, sizeof k->name);
	for (char *c = k->name; *c; c++)
		if ((unsigned char) *c < 0x20 || *c == 0x7f)
			*c = '?';
}

static bool ref_entry_valid(const struct gpt_entry *e, size_t i) {
	if (e->partno < 1 || e->start < 0 || e->size <= 0)
		return false;
	for (size_t j = 0; j < i; j++)
		if (ents[j].partno == e->partno)
			return false;
	return true;
}

static bool ref_consistent(size_t ne, size_t nk) {
	for (size_t i = 0; i < nk; i++) {
		size_t same = 0;
		for (size_t j = 0; j < nk; j++)
			same += kp[j].partno == kp[i].partno;
		const struct gpt_entry *e = NULL;
		for (size_t j = 0; j < ne && !e; j++)
			if (ents[j].partno > 0 && (unsigned) ents[j].partno == kp[i].partno)
				e = &ents[j];
		if (same != 1 || !e || (uint64_t) e->start != kp[i].start || (uint64_t) e->size != kp[i].size)
			return false;
	}
	for (size_t i = 0; i < ne; i++)
		if (!geometry_find(kp, nk, ents[i].partno))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	size_t ne = 0, nk = 0, na = 0;
	const char *p = (const char *) data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t len = (size_t) ((nl ? nl : end) - p);
		if (len > 0 && p[0] == 'E' && ne < ITEMS_MAX) {
			ents[ne++] = (struct gpt_entry){ (int) field_i64(p, len, 1), field_i64(p, len, 2), field_i64(p, len, 3) };
		} else if (len > 0 && p[0] == 'K' && nk < ITEMS_MAX)
			read_kernel(p, len, &kp[nk++]);
		else if (len > 0 && p[0] == 'A' && na < ITEMS_MAX)
			read_kernel(p, len, &after[na++]);
		p += len + (nl ? 1 : 0);
	}

	struct parse_error err = { 0, "" };
	int r = geometry_check("vda", ents, ne, kp, nk, &err);
	FUZZ_CHECK(r == 0 || r == -EAGAIN || r == -EBADMSG);
	FUZZ_CHECK_STR(err.msg);
	if (r == -EBADMSG)
		fuzz_check_error(&err, true);
	else
		FUZZ_CHECK(err.msg[0] == '\0');
	FUZZ_CHECK(geometry_check("vda", ents, ne, kp, nk, NULL) == r);

	bool valid = true;
	for (size_t i = 0; i < ne; i++)
		valid = valid && ref_entry_valid(&ents[i], i);
	if (!valid)
		FUZZ_CHECK(r == -EBADMSG);
	else if (nk == 0 && ne > 0)
		FUZZ_CHECK(r == -EAGAIN);
	else
		FUZZ_CHECK((r == 0) == ref_consistent(ne, nk) && r != -EAGAIN);

	/* The two reads. */
	int eq = geometry_reads_equal(kp, nk, after, na);
	FUZZ_CHECK(eq == geometry_reads_equal(after, na, kp, nk));
	if (eq)
		FUZZ_CHECK(nk == na);
	/* A read equals itself when each number appears once in it. */
	bool unique = true;
	for (size_t i = 0; i < nk; i++)
		for (size_t j = 0; j < i; j++)
			unique = unique && kp[i].partno != kp[j].partno;
	if (unique)
		FUZZ_CHECK(geometry_reads_equal(kp, nk, kp, nk));

	/* The fit. */
	struct parse_error ferr = { 0, "" };
	size_t room = size ? data[0] : 0;
	int f = geometry_fits("vda", ne, room, &ferr);
	FUZZ_CHECK(f == (ne < room ? 0 : -E2BIG));
	if (f < 0)
		fuzz_check_error(&ferr, true);
	return 0;
}
