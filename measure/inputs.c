/* SPDX-License-Identifier: MIT */
/* predict's inputs: the root hash and signer from usr.env or a certificate, the PCRs from
 * verinit.conf. Each says what is wrong with the file it names. */
#include <errno.h>
#include <string.h>

#include "certs.h"
#include "cmdline.h"
#include "config.h"
#include "envfile.h"
#include "hexb64.h"
#include "measure.h"
#include "pcr.h"
#include "pe.h"

/* ROOTHASH and CERT_FPR from the lab's usr.env, unless the options gave them; USR_LABEL (the usr
 * partition's GPT label, written by a disk builder that reads it back) when there is one. */
int load_usr_env(const char *path, char roothash[65], char signer[65], char label[73], bool *has_label) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	size_t len = 0;
	int r = read_file(path, ENVFILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	const char *keys[2] = { "ROOTHASH", "CERT_FPR" };
	char *outs[2] = { roothash, signer };
	for (size_t i = 0; i < 2; i++) {
		if (outs[i][0])
			continue;
		r = envfile_get((const char *) buf, len, keys[i], outs[i], 65, &err);
		if (r == -ENOENT && i == 1)
			continue;
		if (r == -ENOENT) {
			say("%s: no %s=", path, keys[i]);
			return r;
		}
		if (r < 0 && err.line) {
			say("%s: line %u: %s", path, err.line, err.msg);
			return r;
		}
		if (r < 0 || !hex_is_sha256(outs[i])) {
			say("%s: %s is not 64 lowercase hex digits", path, keys[i]);
			return -EINVAL;
		}
	}
	if (*has_label)
		return 0;
	r = envfile_get((const char *) buf, len, "USR_LABEL", label, 73, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		say("%s: USR_LABEL: %s", path, err.msg[0] ? err.msg : "not a GPT label of at most 72 bytes");
		return r;
	}
	*has_label = true;
	return 0;
}

/* The signer's fingerprint: SHA-256 of its DER, as the agent compares it. */
int load_cert(const char *path, char signer[65]) {
	_cleanup_(certs_free) struct cert_set s = {};
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	size_t len = 0;
	int r = read_file(path, CERTS_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = len > 0 && buf[0] == 0x30 ? certs_add_der(&s, buf, len, &err) : certs_add_pem(&s, buf, len, &err);
	if (r < 0) {
		say("%s: %s", path, err.msg[0] ? err.msg : "not a certificate");
		return r;
	}
	if (s.n != 1) {
		say("%s: holds %zu different certificates; give the signer's alone", path, s.n);
		return -EINVAL;
	}
	(void) hex_encode(s.fpr[0], sizeof s.fpr[0], signer, 65);
	return 0;
}

/* The kernel command line a UKI carries (its .cmdline section, up to a NUL), applied to c as the
 * agent applies /proc/cmdline. Returns 0 (also for a UKI without one) or -errno, said. */
static int apply_uki_cmdline(const char *uki, struct config *c) {
	static struct cmdline cl; /* large */
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	struct pe_image pe;
	size_t len = 0;

	int r = read_file(uki, UKI_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = pe_parse(buf, len, &pe, &err);
	if (r < 0) {
		say("%s: %s", uki, err.msg);
		return r;
	}
	const struct pe_section *s = pe_find_section(&pe, ".cmdline");
	if (!s || s->raw_size == 0)
		return 0;
	const char *text = (const char *) buf + s->raw_offset;
	size_t n = s->virtual_size < s->raw_size ? s->virtual_size : s->raw_size;
	const char *nul = memchr(text, '\0', n);
	n = nul ? (size_t) (nul - text) : n;
	r = cmdline_parse(text, n, &cl, &err);
	if (r >= 0)
		r = cmdline_apply(&cl, c, &err);
	if (r < 0)
		say("%s: the command line, word %u: %s", uki, err.line, err.msg);
	return r;
}

int load_config(const char *path, const char *uki, struct config *c) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct parse_error err = {};
	size_t len = 0;

	config_defaults(c);
	if (path) {
		int r = read_file(path, CONFIG_FILE_MAX, &buf, &len);
		if (r < 0)
			return r;
		r = config_parse((const char *) buf, len, c, &err);
		if (r < 0) {
			say("%s: line %u: %s", path, err.line, err.msg);
			return r;
		}
	}
	return uki ? apply_uki_cmdline(uki, c) : 0;
}

int file_sha256(const char *path, char hex[65]) {
	_cleanup_free_ uint8_t *buf = NULL;
	uint8_t d[PCR_DIGEST_MAX];
	size_t len = 0;
	int r = read_file(path, POLICY_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	if (pcr_hash(PCR_BANK_SHA256, buf, len, d) < 0) {
		say("%s: hashing failed (OpenSSL)", path);
		return -EIO;
	}
	(void) hex_encode(d, 32, hex, 65);
	return 0;
}
