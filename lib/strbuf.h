/* SPDX-License-Identifier: MIT */
/* Appending formatted text to a fixed buffer: lists built item by item ("usr /dev/vda2, ..."), where
 * each caller decides what an item that does not fit means (skip it, stop, or refuse). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Formats at buf + *used, as snprintf(buf + *used, size - *used, ...) would: what fits is written
 * and buf stays NUL-terminated, even when the text is cut. *used advances by the text's length only
 * when all of it fit, so a cut item can be written over by the next. Returns whether it all fit
 * (false too when *used leaves no room, then nothing is written, or on a formatting error). Pure. */
bool strbuf_append(char *buf, size_t size, size_t *used, const char *fmt, ...) _printf_(4, 5);
