/* SPDX-License-Identifier: MIT */
/* Kernel modules by name, with their dependencies and softdeps, from the module tree of the running
 * kernel, and the devices that say which ones this machine needs. libkmod makes the finit_module(2)
 * calls itself, so the whole load sits behind an ops table like lib/sys/sysops.h: that is where unit
 * tests make a module fail and a device appear. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "uevent-listen.h"

struct module_ops {
	/* Opens the module tree and its index. Returns 0, -ENOMEM, or -errno from reading the index. */
	int (*open)(void);
	/* Loads name (a module name or an alias) and what it needs. Returns 0 when loaded, already loaded
	 * or built in; -ENOENT when the tree knows no such module; -ENODEV or -ENXIO when its driver found
	 * no hardware on this machine; -EPERM for a modprobe.d install command (never run); or the
	 * kernel's error (-ENOEXEC, -EKEYREJECTED, -ENOMEM, ...). */
	int (*load)(const char *name);
	/* The tree's modules.alias, whole, in a malloc()ed *text. Returns 0, -E2BIG (over 16 MiB), or
	 * -errno from reading it. */
	int (*aliases)(char **text, size_t *len);
	/* The devices and their modaliases: lib/sys/uevent-listen.h's uevent_listen(),
	 * uevent_coldplug() and uevent_wait(), with the same returns. */
	int (*listen)(void);
	int (*coldplug)(modalias_fn fn, void *data);
	int (*wait)(uint64_t usec, modalias_fn fn, void *data);
	/* Closes the index and stops listening. */
	void (*close)(void);
};

extern const struct module_ops *modload;

/* Tests swap the table; NULL restores the real one (libkmod). */
void module_set_ops(const struct module_ops *ops);
