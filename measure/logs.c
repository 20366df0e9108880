/* SPDX-License-Identifier: MIT */
/* What replay and verify-quote compare (measure.h): the userspace JSON log, the firmware's binary
 * one and PCR value files, each parsed whole, or refused naming the record or line that is wrong. */
#include <errno.h>
#include <stdlib.h>

#include "measure.h"
#include "pcrlist.h"
#include "tcglog.h"

#define USERSPACE_LOG_MAX (16U << 20)
#define USERSPACE_RECORDS_MAX 4096

int load_userspace_log(const char *path, struct eventlog_record **recs, size_t *n) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	size_t len = 0;
	int r = read_file(path, USERSPACE_LOG_MAX, &buf, &len);
	if (r < 0)
		return r;
	*recs = calloc(USERSPACE_RECORDS_MAX, sizeof **recs);
	if (!*recs) {
		say("%s: out of memory", path);
		return -ENOMEM;
	}
	r = eventlog_parse(buf, len, *recs, USERSPACE_RECORDS_MAX, n, &err);
	if (r < 0)
		say("%s: record %u: %s", path, err.line, err.msg);
	return r;
}

int load_firmware_log(const char *path, struct eventlog_record **recs, size_t *n, int *locality) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	struct tcglog_info info;
	size_t len = 0;
	int r = read_file(path, TCGLOG_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	*recs = calloc(TCGLOG_EVENTS_MAX, sizeof **recs);
	if (!*recs) {
		say("%s: out of memory", path);
		return -ENOMEM;
	}
	r = tcglog_parse(buf, len, *recs, TCGLOG_EVENTS_MAX, n, &info, &err);
	if (r < 0)
		say("%s: event %u: %s", path, err.line, err.msg);
	*locality = info.startup_locality;
	return r;
}

int load_pcr_values(const char *path, bool json, struct pcr_list *out) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	size_t len = 0;
	int r = read_file(path, PCRLIST_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = json ? pcrjson_parse((const char *) buf, len, out, &err) : pcrlist_parse((const char *) buf, len, out, &err);
	if (r < 0 && json)
		say("%s: %s", path, err.msg);
	else if (r < 0)
		say("%s: line %u: %s", path, err.line, err.msg);
	return r;
}
