/* SPDX-License-Identifier: MIT */
/* The kernel side of loading an IPE policy (init/ipe-load.c), through the ops table only, so that the
 * update and downgrade rules can be tested against a fake securityfs. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "ipe.h"

/* Writes blob (the policy called name, at version) to new_policy; if that name is loaded
 * already (EEXIST): nothing more when the kernel holds the same bytes, an update when ours is
 * not older, IPE_DOWNGRADE when it is. Then activates it and sets enforce to the configured
 * mode. Returns 0 or -errno with ctx->reason set and the cause logged. */
int ipe_install(struct context *ctx, const char *name, const struct ipe_version *version, const uint8_t *blob,
		size_t len);
