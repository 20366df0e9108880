/* SPDX-License-Identifier: MIT */
/* The order of version strings that systemd uses to pick the newest of several partitions,
 * boot entries or images: the UAPI Version Format Specification, as systemd's
 * strverscmp_improved() implements it. */
#pragma once

/* Compares a and b: < 0 when a is older, 0 when they are the same version, > 0 when a is newer.
 * Characters outside [A-Za-z0-9.~^-] only separate ("1_2" is "1.2" and "_1" is "1"). At each
 * point, in this order: "~" is older than anything, even the end ("1~rc1" < "1"); the longer
 * string is newer ("1" < "1a"); "-", then "^", then "." is older than what the other string has
 * there ("1-2" < "1^2" < "1.2" < "1a"); digit runs compare as numbers of any length, leading zeros
 * dropped, a missing run counting as 0 ("abc" < "0001" < "2" < "12"); letter runs compare byte by
 * byte ("A" < "a"), the longer run newer. Pure; reads each string up to its NUL only. */
int verscmp(const char *a, const char *b);
