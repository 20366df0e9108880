/* SPDX-License-Identifier: MIT */
/* What the stages learn and hand to the ones after them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "discover.h"
#include "modalias.h"
#include "reason.h"
#include "sigjson.h"

#define STAGES_MAX 16

struct stage_timing {
	const char *name;
	uint64_t start_us, end_us;   /* CLOCK_BOOTTIME */
	uint64_t user_us, system_us; /* CPU time the stage took (system: the kernel's work for it) */
	int result;                  /* 0 or the negative errno the stage returned */
};

/* How a failed boot ends (init/failclosed.c). */
struct fail_policy {
	enum failure_action action;
	unsigned delay_s; /* time for a person at the console to read the reason */
};

struct context {
	/* A failing stage may name its failure more precisely than its default reason code. */
	enum reason reason;
	/* Zero (halt at once) until the config stage sets verinit.conf's, then the command line's. */
	struct fail_policy fail;
	/* Called by fail_closed() before the machine goes down, to extend the failure into the PCRs
	 * (init/pcr-events.c's measure_failure; init/pid1.c sets it). Cleared before it is called: a
	 * failure inside it is not measured again. It must only log its own failures. */
	void (*measure_failure)(struct context *ctx, const char *stage, enum reason reason);

	struct config cfg;
	uint64_t device_deadline_us;
	char dev_sig[64], dev_data[64], dev_hash[64], dev_root[64];
	/* The partitions chosen, as the scan saw them (label, attributes), for the boot report. */
	struct chosen_part {
		const char *role; /* a string literal: "usr", "usr-verity", ... */
		struct part part;
	} chosen[4];
	size_t n_chosen;
	/* Auto discovery chose usr and usr-verity by the rootHash the signature partition named
	 * before it was verified (init/devices.c): the verified one must be that one. */
	bool slot_chosen;
	uint8_t slot_root_hash[32];

	struct verity_sig sig; /* the root hash and signature, once verified */
	/* /dev/mapper/usr's device number, once the mounts stage has mounted it: what "on the verified
	 * /usr" means for the policies, the SELinux store and the init. */
	dev_t usr_dev;
	char signer[256];     /* subject of the enrolled certificate that signed */
	char signer_fpr[65];  /* its SHA-256 fingerprint, hex */
	bool kernel_verified; /* the kernel checked the signature too */
	/* libcryptsetup 2.6 reports a kernel that rejects the signature for want of a trusted key
	 * (ENOKEY from the table reload) as -ENODEV; its log line, which its log callback sees with
	 * this context, is the only place that says ENOKEY. */
	bool crypt_saw_nokey;

	/* The modules stage's work, which the devices stage goes on with while it waits (init/modules.c):
	 * the module index stays open and the kernel's device events are listened to until the
	 * hand-over (modules_stop). */
	struct modules_state {
		bool started; /* the module index was opened: modules_stop closes it */
		bool listening;
		bool load_failed; /* a load failed inside a device walk and was logged there */
		bool announce;    /* a driver loaded now is for a device that came after the walk */
		struct modalias_table aliases;
		enum modalias_class class[CONFIG_MODULES_MAX];
		/* Bit j: configured module j's load inserts this one (a dependency or softdep): it loads
		 * with j, or not at all. */
		uint64_t pulled_by[CONFIG_MODULES_MAX];
		char cpu[512]; /* the CPU's modalias; "" when the kernel has none */
		/* Modules left out of loads, made for features this CPU lacks; more are not named. */
		char not_for_cpu[8][CONFIG_MODULE_NAME_MAX];
		size_t n_not_for_cpu;
		enum module_state {
			MODULE_PENDING,
			MODULE_LOADED,
			MODULE_NO_HARDWARE,
			MODULE_NOT_NEEDED,
		} state[CONFIG_MODULES_MAX];
	} modules;

	/* The TPM and where the measurements go (init/pcr-events.c). A failure is measured into phase and
	 * facts: config_defaults()' PCRs (context_init) until the config stage is done, then the
	 * configuration's, so a failure that early is measured where the default verifier looks. */
	struct pcr_state {
		bool open, reopened; /* reopened: once per failure (init/pcr-events.c's extend_reopening) */
		unsigned banks;      /* active banks, a mask of enum pcr_bank */
		unsigned phase, facts;
		char boot_id[33]; /* systemd's form, for the event log; "" if unreadable */
	} pcr;
	bool tpm_present;   /* measured into a TPM (false only with tpm=optional) */
	unsigned tpm_banks; /* its active banks, a mask of enum pcr_bank */
	unsigned measured;  /* events extended and logged */

	/* The policies loaded (init/ipe-load.c, init/selinux.c): SHA-256 of the exact bytes, "" when none
	 * was loaded; *_error says why an optional one was not. */
	char ipe_sha256[65], ipe_name[64], ipe_error[128];
	char selinux_sha256[65], selinux_error[128];
	/* secure_mode_policyload was set and reads back 1: no later load, setenforce or setbool. */
	bool selinux_locked;

	/* Set by the running stage: what its status line adds in parentheses ("signer CN=..."). */
	char status[288];

	struct stage_timing timing[STAGES_MAX];
	size_t n_timing;
	/* CLOCK_BOOTTIME when verinit started: the kernel's own time to reach /init. CPU time in user
	 * and system mode since then (PID 1's own count starts with the kernel's initialisation, which
	 * runs as PID 1 before it execs /init), and the peak memory, for the report and make bench.
	 * System time includes the kernel's work for us: decompressing and initialising modules. */
	uint64_t start_us;
	struct cpu_time {
		uint64_t user_us, system_us;
	} cpu_start, cpu;
	long maxrss_kb;
};
