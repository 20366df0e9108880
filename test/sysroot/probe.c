/* SPDX-License-Identifier: MIT */
/* Calls into every library of the sysroot, so that linking this proves they link statically
 * together, and prints the versions they report for test/sysroot/check.sh to compare. */
#include <blkid/blkid.h>
#include <json-c/json.h>
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <libkmod.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <tss2/tss2_tcti_device.h>

int main(void) {
	const char *blkid_version = NULL;
	char dm_version[64] = "";
	struct crypt_device *cd = NULL;
	size_t tcti_size = 0;
	int fails = 0;

	printf("openssl %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("json-c %s\n", json_c_version());
	blkid_get_library_version(&blkid_version, NULL);
	printf("util-linux %s\n", blkid_version);
	if (!dm_get_library_version(dm_version, sizeof dm_version))
		fails++;
	printf("libdevmapper %s\n", dm_version);

	if (crypt_init(&cd, NULL) < 0)
		fails++;
	crypt_free(cd);
	if (Tss2_Tcti_Device_Init(NULL, &tcti_size, NULL) != 0 || tcti_size == 0)
		fails++;
	struct kmod_ctx *kctx = kmod_new("/nonexistent", NULL);
	if (!kctx)
		fails++;
	kmod_unref(kctx);
	return fails ? 1 : 0;
}
