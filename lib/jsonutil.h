/* SPDX-License-Identifier: MIT */
/* The json-c pieces every reader and writer of ours needs: cleanup functions, and an adder whose
 * only failure (allocation) is collected in one flag, so a builder checks once at the end. */
#pragma once

#include <stdbool.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "macro.h"

DEFINE_CLEANUP_FUNC_NAMED(json_putp, json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_tokener *, json_tokener_free);

/* Adds v under key, taking ownership; a NULL v (an allocation that failed) or a failed add sets
 * *oom. For a JSON null, use json_object_object_add() directly. */
static inline void json_add(json_object *o, const char *key, json_object *v, bool *oom) {
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		*oom = true;
	}
}
