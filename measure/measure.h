/* SPDX-License-Identifier: MIT */
/* verinit-measure's pieces: the commands, systemd-stub's part of PCR 11, and small helpers.
 * Every function that fails has already said why, in one line on stderr naming the file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "eventlog.h"
#include "macro.h"

#define UKI_MAX ((size_t) 1 << 30) /* 1 GiB */

#define PROG "verinit-measure"

enum {
	EXIT_PASS = 0,
	EXIT_MISMATCH = 1, /* replay: the TPM's values are not what the logs say */
	EXIT_USAGE = 2,    /* a bad option, an unreadable or malformed input, or the tool itself failed */
};

/* The commands, given argv from the command's name on. They return an exit status, or a
 * negative errno after saying what is wrong. */
int predict_main(int argc, char **argv);
int replay_main(int argc, char **argv);
int verify_quote_main(int argc, char **argv);

/* The synopsis and options of both commands. */
void usage(FILE *f);

/* "verinit-measure: <message>" on stderr. */
void say(const char *fmt, ...) _printf_(1, 2);

/* Reads the whole file (also one whose size stat() does not know, as in securityfs) into a new
 * buffer with a NUL after the data. Returns 0, -EFBIG (over max bytes) or -errno; says which. */
int read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* "sha256,sha1" into a mask of enum pcr_bank bits. Returns 0 or -EINVAL (says which name). */
int parse_banks(const char *s, unsigned *mask);

/* Writes 2*len lowercase hex digits. */
void print_hex(FILE *f, const uint8_t *d, size_t len);

/* Flushes stdout; a failed write (a full disk, a closed pipe) is an error, not a result. */
int finish_stdout(void);

/* The logs (logs.c): the userspace log (tpm2-measure.log) and the firmware's binary log
 * (binary_bios_measurements; *locality its StartupLocality, or -1), parsed whole into a new array.
 * They return 0 or a negative errno, having said why; *recs is the caller's to free either way. */
int load_userspace_log(const char *path, struct eventlog_record **recs, size_t *n);
int load_firmware_log(const char *path, struct eventlog_record **recs, size_t *n, int *locality);
/* PCR values: "BANK PCR HEX" lines, or with json the *.pcrs.json form (pcrlist.h). */
struct pcr_list;
int load_pcr_values(const char *path, bool json, struct pcr_list *out);

/* predict's inputs (inputs.c). load_usr_env fills
 * roothash and signer (65 bytes each) from ROOTHASH= and CERT_FPR= where they are still "", and
 * label from USR_LABEL= unless *has_label (then sets it);
 * load_cert sets signer to the SHA-256 of the certificate's DER; load_config fills c as the agent
 * would: the file at path (NULL: the defaults), then the command line the UKI at uki carries (NULL:
 * none). They return 0 or a negative errno, having said why. */
int load_usr_env(const char *path, char roothash[65], char signer[65], char label[73], bool *has_label);
int load_cert(const char *path, char signer[65]);
int load_config(const char *path, const char *uki, struct config *c);
/* hex gets the SHA-256 of the whole file at path (a policy, as the agent measures it). */
#define POLICY_FILE_MAX (16U << 20) /* the agent's POLICY_MAX (init/policy.h) */
int file_sha256(const char *path, char hex[65]);

/* systemd-stub 252 (stub.c): the UKI sections it measures into PCR 11, in its order; for each
 * present one, two extends: the section name with its NUL, then the section's bytes. */
#define STUB_PCR 11
#define STUB_SECTIONS 7
extern const char *const stub_section_names[STUB_SECTIONS]; /* ".linux", ... ".pcrpkey" */
#define STUB_RECORDS_MAX (2 * STUB_SECTIONS)

/* The records the stub extends for the image at path: its .linux must be there. Returns the
 * number of records or a negative errno. */
int stub_records_from_uki(const char *path, unsigned banks, struct eventlog_record *out);
/* The same from one file per section (files[i] for stub_section_names[i], NULL when absent), as
 * systemd-measure calculate takes them: each file is hashed as it is. */
int stub_records_from_files(const char *const files[STUB_SECTIONS], unsigned banks, struct eventlog_record *out);
