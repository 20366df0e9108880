/* SPDX-License-Identifier: MIT */
/* The boot stages, one file each; init/main.c lists them in order. */
#pragma once

#include "context.h"

int stage_early_mounts(struct context *ctx);
