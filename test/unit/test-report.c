/* SPDX-License-Identifier: MIT */
/* The boot report: formatted from the context, read back with json-c, written through the ops
 * table without replacing a file that is there. */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fakesys.h"
#include "pcr.h"
#include "report.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FPR "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct context ctx;

static int setup(void **state) {
	memset(&ctx, 0, sizeof ctx);
	config_defaults(&ctx.cfg);
	strcpy(ctx.sig.root_hash_hex, HASH);
	strcpy(ctx.signer, "CN=verinit \"lab\" db/2026");
	strcpy(ctx.signer_fpr, FPR);
	strcpy(ctx.dev_data, "/dev/vda2");
	strcpy(ctx.dev_hash, "/dev/vda3");
	strcpy(ctx.dev_sig, "/dev/vda4");
	strcpy(ctx.cfg.usr_flags, "nosuid");
	strcpy(ctx.cfg.init, "/usr/lib/systemd/systemd");
	ctx.kernel_verified = true;
	ctx.tpm_present = true;
	ctx.tpm_banks = (1U << PCR_BANK_SHA256) | (1U << PCR_BANK_SHA384);
	ctx.measured = 5;
	ctx.timing[0] = (struct stage_timing){ "config", 1000, 2500, 300, 200, 0 };
	ctx.timing[1] = (struct stage_timing){ "signature", 2600, 9000, 4100, 900, 0 };
	ctx.timing[2] = (struct stage_timing){ "handover", 9100, 0, 0, 0, 0 };
	ctx.n_timing = 3;
	/* A label is anyone's bytes: the report must carry it as JSON text, newline and quote escaped. */
	/* clang-format off */
	ctx.chosen[0] = (struct chosen_part){ "usr", { "/dev/vda2", GPT_USR_X86_64, "2b0b1b1e-7f5c-6d4a-3b2c-1d0e9f8a7b6c",
						       "usr_2\n\"x\"", 133120, 20480, 0, UINT64_C(0x1800000000000000) } };
	ctx.chosen[1] = (struct chosen_part){ "usr-verity", { "/dev/vda3", GPT_USR_VERITY_X86_64,
							      "5d4e3f2a-1b0c-9d8e-7f6a-5b4c3d2e1f00", "", 0, 0, 0, 0 } };
	/* clang-format on */
	ctx.n_chosen = 2;
	return fake_setup(state);
}

static json_object *get(json_object *o, const char *path) {
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof key, "%.*s", (int) n, path);
		if (!json_object_object_get_ex(o, key, &o))
			fail_msg("no key %s", key);
		path += n + (path[n] == '.');
	}
	return o;
}

static json_object *parse_report(const char *text) {
	json_object *o = json_tokener_parse(text);
	if (!o)
		fail_msg("the report is not JSON: %s", text);
	return o;
}

static void test_format_round_trip(void **state) {
	static char text[REPORT_SIZE_MAX];
	(void) state;
	ctx.start_us = 3180123;
	ctx.cpu.user_us = 41999;
	ctx.cpu.system_us = 7;
	ctx.maxrss_kb = 2304;
	ctx.cfg.n_modules = 4;
	strcpy(ctx.cfg.modules[0], "virtio_blk");
	strcpy(ctx.cfg.modules[1], "nvme");
	strcpy(ctx.cfg.modules[2], "squashfs");
	strcpy(ctx.cfg.modules[3], "erofs");
	ctx.modules.state[0] = MODULE_LOADED;
	ctx.modules.state[1] = MODULE_PENDING;
	ctx.modules.state[2] = MODULE_LOADED;
	ctx.modules.state[3] = MODULE_NOT_NEEDED;
	strcpy(ctx.modules.not_for_cpu[0], "crc32c_intel");
	strcpy(ctx.modules.not_for_cpu[1], "aesni_intel");
	ctx.modules.n_not_for_cpu = 2;
	assert_true(report_format(&ctx, text, sizeof text) > 0);
	json_object *o = parse_report(text);
	assert_int_equal(json_object_get_int(get(o, "version")), REPORT_VERSION);
	assert_string_equal(json_object_get_string(get(o, "usr.root_hash")), HASH);
	assert_string_equal(json_object_get_string(get(o, "usr.signer")), "CN=verinit \"lab\" db/2026");
	assert_string_equal(json_object_get_string(get(o, "usr.signer_sha256")), FPR);
	assert_true(json_object_get_boolean(get(o, "usr.kernel_verified")));
	assert_false(json_object_get_boolean(get(o, "usr.pinned")));
	assert_string_equal(json_object_get_string(get(o, "usr.data_device")), "/dev/vda2");
	assert_string_equal(json_object_get_string(get(o, "usr.hash_device")), "/dev/vda3");
	assert_string_equal(json_object_get_string(get(o, "usr.signature")), "/dev/vda4");
	assert_string_equal(json_object_get_string(get(o, "usr.flags")), "nosuid");
	assert_string_equal(json_object_get_string(get(o, "usr.verity_on_corruption")), "restart");
	assert_string_equal(json_object_get_string(get(o, "root")), "tmpfs");
	assert_string_equal(json_object_get_string(get(o, "init")), "/usr/lib/systemd/systemd");
	assert_int_equal(json_object_get_int64(get(o, "kernel_us")), 3180123);
	assert_int_equal(json_object_get_int64(get(o, "cpu_user_us")), 41999);
	assert_int_equal(json_object_get_int64(get(o, "cpu_system_us")), 7);
	assert_int_equal(json_object_get_int64(get(o, "maxrss_kb")), 2304);
	assert_true(json_object_get_boolean(get(o, "tpm.present")));
	assert_int_equal(json_object_array_length(get(o, "tpm.banks")), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(get(o, "tpm.banks"), 1)), "sha384");
	assert_int_equal(json_object_get_int(get(o, "tpm.pcr_phase")), 11);
	assert_int_equal(json_object_get_int(get(o, "tpm.pcr_facts")), 15);
	assert_int_equal(json_object_get_int(get(o, "tpm.events")), 5);
	json_object *mods = get(o, "modules");
	static const struct {
		const char *key, *names;
	} lists[] = { { "loaded", "virtio_blk squashfs" },
		      { "awaiting", "nvme" },
		      { "no_hardware", "" },
		      { "not_needed", "erofs" },
		      { "not_for_cpu", "crc32c_intel aesni_intel" } };
	for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
		char names[128] = "";
		json_object *a = get(mods, lists[l].key);
		for (size_t i = 0; i < json_object_array_length(a); i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? " " : "",
				 json_object_get_string(json_object_array_get_idx(a, i)));
		if (strcmp(names, lists[l].names) != 0)
			fail_msg("modules.%s: '%s', want '%s'", lists[l].key, names, lists[l].names);
	}
	/* No policy configured: null, not an empty object that could read as "loaded nothing". */
	assert_true(json_object_object_get_ex(o, "ipe", NULL));
	assert_null(get(o, "ipe"));
	assert_null(get(o, "selinux"));

	json_object *parts = get(o, "partitions");
	assert_int_equal(json_object_array_length(parts), 2);
	json_object *p0 = json_object_array_get_idx(parts, 0), *p1 = json_object_array_get_idx(parts, 1);
	assert_string_equal(json_object_get_string(get(p0, "role")), "usr");
	assert_string_equal(json_object_get_string(get(p0, "device")), "/dev/vda2");
	assert_string_equal(json_object_get_string(get(p0, "partuuid")), "2b0b1b1e-7f5c-6d4a-3b2c-1d0e9f8a7b6c");
	assert_string_equal(json_object_get_string(get(p0, "label")), "usr_2\n\"x\"");
	assert_string_equal(json_object_get_string(get(p0, "attributes")), "0x1800000000000000");
	assert_string_equal(json_object_get_string(get(p1, "role")), "usr-verity");
	assert_string_equal(json_object_get_string(get(p1, "label")), "");
	assert_string_equal(json_object_get_string(get(p1, "attributes")), "0x0000000000000000");

	json_object *stages = get(o, "stages");
	assert_int_equal(json_object_array_length(stages), 3);
	json_object *s1 = json_object_array_get_idx(stages, 1);
	assert_string_equal(json_object_get_string(get(s1, "name")), "signature");
	assert_int_equal(json_object_get_uint64(get(s1, "start_us")), 2600);
	assert_int_equal(json_object_get_uint64(get(s1, "end_us")), 9000);
	assert_string_equal(json_object_get_string(get(s1, "verdict")), "ok");
	assert_int_equal(json_object_get_uint64(get(s1, "cpu_user_us")), 4100);
	assert_int_equal(json_object_get_uint64(get(s1, "cpu_system_us")), 900);
	json_object *s2 = json_object_array_get_idx(stages, 2);
	assert_string_equal(json_object_get_string(get(s2, "verdict")), "running");
	assert_false(json_object_object_get_ex(s2, "end_us", NULL));
	json_object_put(o);
}

/* Without the kernel's check the report says so; a signature file is named as the source. */
static void test_format_unverified_kernel_and_file(void **state) {
	static char text[REPORT_SIZE_MAX];
	(void) state;
	ctx.kernel_verified = false;
	strcpy(ctx.cfg.usr_signature, "/etc/verinit/usr.p7s");
	strcpy(ctx.cfg.usrhash, HASH); /* a signature file needs usrhash= */
	ctx.cfg.root_tmpfs = false;
	strcpy(ctx.dev_root, "/dev/sda3");
	assert_true(report_format(&ctx, text, sizeof text) > 0);
	json_object *o = parse_report(text);
	assert_false(json_object_get_boolean(get(o, "usr.kernel_verified")));
	assert_true(json_object_get_boolean(get(o, "usr.pinned")));
	assert_string_equal(json_object_get_string(get(o, "usr.signature")), "/etc/verinit/usr.p7s");
	assert_string_equal(json_object_get_string(get(o, "root")), "/dev/sda3");
	json_object_put(o);
}

/* A loaded IPE policy and an optional SELinux policy that failed. */
static void test_format_policies(void **state) {
	static char text[REPORT_SIZE_MAX];
	(void) state;
	strcpy(ctx.cfg.ipe_policy, "/etc/verinit/ipe/default.p7s");
	ctx.cfg.ipe_mode = IPE_AUDIT;
	strcpy(ctx.ipe_sha256, HASH);
	strcpy(ctx.ipe_name, "verinit_default");
	strcpy(ctx.cfg.selinux_policy, "/usr/share/selinux/policy.33");
	strcpy(ctx.selinux_error, "SELINUX_LOAD: Invalid argument");
	assert_true(report_format(&ctx, text, sizeof text) > 0);
	json_object *o = parse_report(text);
	assert_true(json_object_get_boolean(get(o, "ipe.loaded")));
	assert_string_equal(json_object_get_string(get(o, "ipe.mode")), "audit");
	assert_string_equal(json_object_get_string(get(o, "ipe.sha256")), HASH);
	assert_string_equal(json_object_get_string(get(o, "ipe.name")), "verinit_default");
	assert_false(json_object_object_get_ex(get(o, "ipe"), "error", NULL));
	assert_false(json_object_get_boolean(get(o, "selinux.loaded")));
	assert_string_equal(json_object_get_string(get(o, "selinux.mode")), "enforcing");
	assert_string_equal(json_object_get_string(get(o, "selinux.error")), "SELINUX_LOAD: Invalid argument");
	assert_false(json_object_object_get_ex(get(o, "selinux"), "sha256", NULL));
	json_object_put(o);
}

static void test_write(void **state) {
	static char text[REPORT_SIZE_MAX];
	(void) state;
	fake.capture_path = REPORT_PATH;
	assert_int_equal(report_write(&ctx), 0);
	assert_int_equal(fake.capture_opens, 1);
	assert_true(fake.capture_flags & O_EXCL);
	assert_true(fake.capture_flags & O_NOFOLLOW);
	assert_true(report_format(&ctx, text, sizeof text) > 0);
	const char *written = fake_read(fake.capture);
	assert_int_equal(strlen(written), strlen(text) + 1);
	assert_memory_equal(written, text, strlen(text));
	assert_int_equal(written[strlen(text)], '\n');
}

/* The largest context there can be still fits: every string full, every stage slot used. */
static void test_format_fits_the_largest(void **state) {
	static char text[REPORT_SIZE_MAX];
	(void) state;
	memset(ctx.signer, '"', sizeof ctx.signer - 1); /* escaped: each becomes two bytes */
	memset(ctx.dev_data, 'x', sizeof ctx.dev_data - 1);
	memset(ctx.dev_hash, 'x', sizeof ctx.dev_hash - 1);
	memset(ctx.dev_sig, 'x', sizeof ctx.dev_sig - 1);
	memset(ctx.cfg.usr_flags, 'x', sizeof ctx.cfg.usr_flags - 1);
	memset(ctx.cfg.init, 'x', sizeof ctx.cfg.init - 1);
	memset(ctx.cfg.ipe_policy, '"', sizeof ctx.cfg.ipe_policy - 1);
	memset(ctx.cfg.selinux_policy, '"', sizeof ctx.cfg.selinux_policy - 1);
	memset(ctx.ipe_name, '"', sizeof ctx.ipe_name - 1);
	memset(ctx.ipe_error, '"', sizeof ctx.ipe_error - 1);
	memset(ctx.selinux_error, '"', sizeof ctx.selinux_error - 1);
	memset(ctx.ipe_sha256, 'f', sizeof ctx.ipe_sha256 - 1);
	memset(ctx.selinux_sha256, 'f', sizeof ctx.selinux_sha256 - 1);
	for (size_t i = 0; i < STAGES_MAX; i++)
		ctx.timing[i] = (struct stage_timing){ "early-mounts-xxxxx", UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, 0 };
	ctx.n_timing = STAGES_MAX;
	ctx.cfg.n_modules = CONFIG_MODULES_MAX;
	for (size_t i = 0; i < CONFIG_MODULES_MAX; i++)
		memset(ctx.cfg.modules[i], 'm', sizeof ctx.cfg.modules[i] - 1);
	for (size_t i = 0; i < ELEMENTSOF(ctx.modules.not_for_cpu); i++)
		memset(ctx.modules.not_for_cpu[i], 'c', sizeof ctx.modules.not_for_cpu[i] - 1);
	ctx.modules.n_not_for_cpu = ELEMENTSOF(ctx.modules.not_for_cpu);
	assert_true(report_format(&ctx, text, sizeof text) > 0);
	assert_int_equal(report_format(&ctx, text, 64), -ENOBUFS);
}

static void test_write_error_returned(void **state) {
	(void) state;
	fake.fail_open_path = REPORT_PATH;
	fake.fail_errno = EEXIST;
	assert_int_equal(report_write(&ctx), -EEXIST);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format_round_trip, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_format_unverified_kernel_and_file, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_format_policies, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_format_fits_the_largest, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_write_error_returned, setup, fake_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
