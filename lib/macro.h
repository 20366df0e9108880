/* SPDX-License-Identifier: MIT */
/* Small language helpers shared by the agent, measure/ and the tests (after systemd and kmod). */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(fmt, args) __attribute__((format(printf, fmt, args)))
#define _unused_ __attribute__((unused))
#define _warn_unused_result_ __attribute__((warn_unused_result))

/* Whether x is an array: &*x has x's own type only where x is a pointer (an array decays). */
#define IS_ARRAY_(x) (!__builtin_types_compatible_p(__typeof__(x), __typeof__(&*(x))))
/* The number of elements of an array. A pointer does not compile, whatever the warning flags
 * (sizeof would give the pointer's size); the struct that holds the assertion adds 0 * its size. */
#define ELEMENTSOF(x)                                                                      \
	(sizeof(x) / sizeof((x)[0]) +                                                      \
	 0 * sizeof(struct {                                                               \
		 _Static_assert(IS_ARRAY_(x), "ELEMENTSOF needs an array, not a pointer"); \
		 char c_;                                                                  \
	 }))

static inline void freep(void *p) {
	free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* table[i], or fallback where i is past the table's end or names nothing there. */
static inline const char *string_table_lookup(const char *const *table, size_t n, size_t i,
					      const char *fallback) {
	return i < n && table[i] ? table[i] : fallback;
}
/* Defines `const char *name(type v)`: the name of v in table, a `static const char *const []`
 * indexed by the enum (a negative v is past its end too), or fallback. */
#define DEFINE_STRING_TABLE_TO_STRING(name, type, table, fallback)                          \
	const char *name(type v) {                                                          \
		return string_table_lookup(table, ELEMENTSOF(table), (size_t) v, fallback); \
	}

/* name(type *p), a cleanup for _cleanup_(name): func(*p) unless *p is NULL. */
#define DEFINE_CLEANUP_FUNC_NAMED(name, type, func) \
	static inline void name(type *p) {          \
		if (*p)                             \
			(void) func(*p);            \
	}
/* funcp, the cleanup that calls func: DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free) defines
 * X509_freep. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) DEFINE_CLEANUP_FUNC_NAMED(func##p, type, func)

/* close() must not clobber the errno a failing path is about to report. */
static inline void closep(const int *fd) {
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership on: yields the value and leaves the cleanup variable with nothing to free. */
#define TAKE_FD(fd)              \
	({                       \
		int _fd_ = (fd); \
		(fd) = -EBADF;   \
		_fd_;            \
	})
#define TAKE_PTR(p)                      \
	({                               \
		__typeof__(p) _p_ = (p); \
		(p) = NULL;              \
		_p_;                     \
	})

/* errno as a negative return value, never 0 even if a libc call forgot to set it. */
static inline int negative_errno(void) {
	return errno > 0 ? -errno : -EIO;
}
