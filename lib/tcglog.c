/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "tcglog.h"

#define SPEC_ID_SIGNATURE "Spec ID Event03" /* 16 bytes with the NUL */
#define STARTUP_LOCALITY "StartupLocality"  /* 16 bytes with the NUL, then the locality byte */
#define EVENT1_HEADER 32                    /* pcr, type, SHA1 digest, event size */
#define SPEC_ID_FIXED 28                    /* signature .. numberOfAlgorithms */
#define VARIABLE_DATA_HEADER 32             /* GUID, UnicodeNameLength, VariableDataLength */

static const struct {
	uint32_t type;
	const char *name;
} types[] = {
	{ 0x00000000, "EV_PREBOOT_CERT" },
	{ 0x00000001, "EV_POST_CODE" },
	{ 0x00000002, "EV_UNUSED" },
	{ 0x00000003, "EV_NO_ACTION" },
	{ 0x00000004, "EV_SEPARATOR" },
	{ 0x00000005, "EV_ACTION" },
	{ 0x00000006, "EV_EVENT_TAG" },
	{ 0x00000007, "EV_S_CRTM_CONTENTS" },
	{ 0x00000008, "EV_S_CRTM_VERSION" },
	{ 0x00000009, "EV_CPU_MICROCODE" },
	{ 0x0000000a, "EV_PLATFORM_CONFIG_FLAGS" },
	{ 0x0000000b, "EV_TABLE_OF_DEVICES" },
	{ 0x0000000c, "EV_COMPACT_HASH" },
	{ 0x0000000d, "EV_IPL" },
	{ 0x0000000e, "EV_IPL_PARTITION_DATA" },
	{ 0x0000000f, "EV_NONHOST_CODE" },
	{ 0x00000010, "EV_NONHOST_CONFIG" },
	{ 0x00000011, "EV_NONHOST_INFO" },
	{ 0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS" },
	{ 0x00000013, "EV_POST_CODE2" },
	{ 0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
	{ 0x80000002, "EV_EFI_VARIABLE_BOOT" },
	{ 0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION" },
	{ 0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER" },
	{ 0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
	{ 0x80000006, "EV_EFI_GPT_EVENT" },
	{ 0x80000007, "EV_EFI_ACTION" },
	{ 0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
	{ 0x80000009, "EV_EFI_HANDOFF_TABLES" },
	{ 0x8000000a, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
	{ 0x8000000b, "EV_EFI_HANDOFF_TABLES2" },
	{ 0x8000000c, "EV_EFI_VARIABLE_BOOT2" },
	{ 0x8000000d, "EV_EFI_GPT_EVENT2" },
	{ 0x80000010, "EV_EFI_HCRTM_EVENT" },
	{ 0x800000e0, "EV_EFI_VARIABLE_AUTHORITY" },
	{ 0x800000e1, "EV_EFI_SPDM_FIRMWARE_BLOB" },
	{ 0x800000e2, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
};

const char *tcglog_event_type_name(uint32_t type) {
	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return NULL;
}

static bool is_variable_event(uint32_t type) {
	return type == 0x80000001 || type == 0x80000002 || type == 0x8000000c || type == 0x800000e0;
}

struct alg {
	uint16_t id;
	uint16_t size;
	int bank; /* enum pcr_bank, or -1 for one pcr.h does not know */
};

/* A reader over the log that never runs past its end. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, size_t n, const uint8_t **out) {
	if (n > c->left)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool take32(struct cursor *c, uint32_t *v) {
	const uint8_t *p;
	if (!take(c, 4, &p))
		return false;
	*v = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
	return true;
}

static bool take16(struct cursor *c, uint16_t *v) {
	const uint8_t *p;
	if (!take(c, 2, &p))
		return false;
	*v = (uint16_t) (p[0] | p[1] << 8);
	return true;
}

static bool printable(unsigned c) {
	return c >= 0x20 && c < 0x7f;
}

/* ASCII (step 1) or UTF-16LE limited to ASCII (step 2), trailing NULs dropped, into out; "" when
 * d is anything else: binary event data is not worth showing as text. */
static void render_text(const uint8_t *d, size_t size, size_t step, char *out, size_t out_size) {
	out[0] = '\0';
	if (size % step != 0)
		return;
	while (size >= step && d[size - step] == 0 && (step == 1 || d[size - 1] == 0))
		size -= step;
	for (size_t i = 0; i < size; i += step)
		if (!printable(d[i]) || (step == 2 && d[i + 1] != 0))
			return;
	size_t j = 0;
	for (size_t i = 0; i < size && j + 1 < out_size; i += step)
		out[j++] = (char) d[i];
	out[j] = '\0';
}

static void describe(uint32_t type, const uint8_t *d, size_t size, char *out, size_t out_size) {
	char buf[TCGLOG_DESCRIPTION_MAX + 1];
	size_t limit = out_size < sizeof buf ? out_size : sizeof buf;

	if (is_variable_event(type)) {
		/* UEFI_VARIABLE_DATA: the variable's name says more than its contents. */
		struct cursor c = { d + 16, size >= 16 ? size - 16 : 0 };
		uint32_t name_lo = 0, name_hi = 0, data_lo = 0, data_hi = 0;
		const uint8_t *name;
		if (size >= VARIABLE_DATA_HEADER && take32(&c, &name_lo) && take32(&c, &name_hi) && take32(&c, &data_lo) &&
		    take32(&c, &data_hi) && name_hi == 0 && name_lo <= TCGLOG_DESCRIPTION_MAX &&
		    take(&c, (size_t) name_lo * 2, &name)) {
			render_text(name, (size_t) name_lo * 2, 2, out, limit);
			return;
		}
		out[0] = '\0';
		return;
	}
	render_text(d, size, 1, buf, limit);
	if (!buf[0])
		render_text(d, size, 2, buf, limit);
	(void) snprintf(out, out_size, "%s", buf);
}

static int parse_spec_id(struct cursor *c, struct alg *algs, size_t *n_algs, struct tcglog_info *info,
			 struct parse_error *err) {
	const uint8_t *hdr, *ev, *sig;
	uint32_t type, size, n;
	struct cursor e;

	if (!take(c, EVENT1_HEADER, &hdr))
		return parse_fail(err, 1, -EBADMSG, "shorter than the %d-byte header of the first event", EVENT1_HEADER);
	e = (struct cursor){ hdr + 4, 4 };
	(void) take32(&e, &type);
	e = (struct cursor){ hdr + 28, 4 };
	(void) take32(&e, &size);
	if (type != TCG_EV_NO_ACTION || !take(c, size, &ev) || size < SPEC_ID_FIXED ||
	    memcmp(ev, SPEC_ID_SIGNATURE, sizeof SPEC_ID_SIGNATURE) != 0)
		return parse_fail(err, 1, -EBADMSG, "not a crypto-agile log: the first event is not a complete "
						    "EV_NO_ACTION \"" SPEC_ID_SIGNATURE "\"");
	e = (struct cursor){ ev, size };
	(void) take(&e, 24, &sig); /* signature, platformClass, version, errata, uintnSize */
	(void) take32(&e, &n);
	if (n == 0 || n > TCGLOG_ALGS_MAX)
		return parse_fail(err, 1, -EBADMSG, "the Spec ID event lists %u algorithms, want 1 to %d", n,
				  TCGLOG_ALGS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct alg *a = &algs[i];
		if (!take16(&e, &a->id) || !take16(&e, &a->size))
			return parse_fail(err, 1, -EBADMSG, "the Spec ID event ends inside its list of algorithms");
		for (size_t j = 0; j < i; j++)
			if (algs[j].id == a->id)
				return parse_fail(err, 1, -EBADMSG, "the Spec ID event lists algorithm 0x%04x twice", a->id);
		a->bank = pcr_bank_from_tpm_alg(a->id);
		if (a->bank >= 0 && a->size != pcr_bank_size((enum pcr_bank) a->bank))
			return parse_fail(err, 1, -EBADMSG, "the Spec ID event gives %s %u-byte digests, not %zu",
					  pcr_bank_name((enum pcr_bank) a->bank), a->size,
					  pcr_bank_size((enum pcr_bank) a->bank));
		if (a->size == 0 || a->size > PCR_DIGEST_MAX)
			return parse_fail(err, 1, -EBADMSG, "the Spec ID event gives algorithm 0x%04x %u-byte digests",
					  a->id, a->size);
		if (a->bank >= 0)
			info->banks |= 1U << a->bank;
		else
			info->unknown_algs++;
	}
	const uint8_t *vendor_size, *vendor;
	if (!take(&e, 1, &vendor_size) || !take(&e, *vendor_size, &vendor))
		return parse_fail(err, 1, -EBADMSG, "the Spec ID event ends inside its vendor information");
	*n_algs = n;
	return 0;
}

static const struct alg *find_alg(const struct alg *algs, size_t n, uint16_t id) {
	for (size_t i = 0; i < n; i++)
		if (algs[i].id == id)
			return &algs[i];
	return NULL;
}

/* One TCG_PCR_EVENT2 into r; *extends false for EV_NO_ACTION. */
static int parse_event2(struct cursor *c, const struct alg *algs, size_t n_algs, unsigned ev_no,
			struct eventlog_record *r, bool *extends, struct tcglog_info *info, struct parse_error *err) {
	uint32_t pcr, type, count, size;
	const uint8_t *data;

	memset(r, 0, sizeof *r);
	if (!take32(c, &pcr) || !take32(c, &type) || !take32(c, &count))
		return parse_fail(err, ev_no, -EBADMSG, "ends inside the event header");
	if (count > n_algs)
		return parse_fail(err, ev_no, -EBADMSG, "%u digests, but the Spec ID event lists %zu algorithms", count,
				  n_algs);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t id;
		const uint8_t *d;
		if (!take16(c, &id))
			return parse_fail(err, ev_no, -EBADMSG, "ends inside digest %u", i + 1);
		const struct alg *a = find_alg(algs, n_algs, id);
		if (!a)
			return parse_fail(err, ev_no, -EBADMSG, "digest algorithm 0x%04x is not in the Spec ID event", id);
		if (!take(c, a->size, &d))
			return parse_fail(err, ev_no, -EBADMSG, "ends inside digest %u", i + 1);
		if (a->bank < 0)
			continue;
		if (r->digests.banks & (1U << a->bank))
			return parse_fail(err, ev_no, -EBADMSG, "two %s digests", pcr_bank_name((enum pcr_bank) a->bank));
		memcpy(r->digests.d[a->bank], d, a->size);
		r->digests.banks |= 1U << a->bank;
	}
	if (!take32(c, &size) || !take(c, size, &data))
		return parse_fail(err, ev_no, -EBADMSG, "event data runs past the end of the log");

	*extends = type != TCG_EV_NO_ACTION;
	if (!*extends) {
		if (pcr == 0 && size > sizeof STARTUP_LOCALITY && memcmp(data, STARTUP_LOCALITY, sizeof STARTUP_LOCALITY) == 0)
			info->startup_locality = data[sizeof STARTUP_LOCALITY];
		return 0;
	}
	if (pcr >= PCR_COUNT)
		return parse_fail(err, ev_no, -EBADMSG, "PCR %u is not 0..23", pcr);
	r->pcr = pcr;
	(void) snprintf(r->content_type, sizeof r->content_type, "tcg");
	const char *name = tcglog_event_type_name(type);
	if (name)
		(void) snprintf(r->event_type, sizeof r->event_type, "%s", name);
	else
		(void) snprintf(r->event_type, sizeof r->event_type, "0x%08x", type);
	describe(type, data, size, r->string, sizeof r->string);
	return 0;
}

int tcglog_parse(const void *buf, size_t len, struct eventlog_record *out, size_t max, size_t *n,
		 struct tcglog_info *info, struct parse_error *err) {
	struct cursor c = { buf, len };
	struct alg algs[TCGLOG_ALGS_MAX];
	size_t n_algs = 0;

	*n = 0;
	memset(info, 0, sizeof *info);
	info->startup_locality = -1;
	int r = parse_spec_id(&c, algs, &n_algs, info, err);
	if (r < 0)
		return r;
	info->events = 1;
	while (c.left > 0) {
		struct eventlog_record rec;
		bool extends = false;
		unsigned ev_no = (unsigned) info->events + 1;

		r = parse_event2(&c, algs, n_algs, ev_no, &rec, &extends, info, err);
		if (r < 0)
			return r;
		info->events++;
		if (!extends)
			continue;
		if (*n >= max)
			return parse_fail(err, ev_no, -E2BIG, "more than %zu events that extend a PCR", max);
		out[(*n)++] = rec;
	}
	return 0;
}
