/* SPDX-License-Identifier: MIT */
/* Kernel modules by name, with their dependencies and softdeps, from the module tree of the running
 * kernel, and the devices that say which ones this machine needs. libkmod makes the finit_module(2)
 * calls itself, so the whole load sits behind an ops table like lib/sys/sysops.h: that is where unit
 * tests make a module fail and a device appear. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "uevent-listen.h"

#include <stdbool.h>

/* A module that a load would insert (its name); a negative return stops the walk with it. */
typedef int (*module_name_fn)(const char *module, void *data);
/* Whether a load leaves module out (a module made for CPU features this machine lacks). */
typedef bool (*module_skip_fn)(const char *module, void *data);

struct module_ops {
	/* Opens the module tree and its index. Returns 0, -ENOMEM, or -errno from reading the index. */
	int (*open)(void);
	/* Loads name (a module name or an alias) and what it needs, as modprobe would, except what skip
	 * (NULL: nothing) refuses: a refused softdep is left out, a refused dependency or module is not
	 * for this machine (-ENODEV). A softdep that fails is ignored, as modprobe ignores it. Returns 0
	 * when loaded, already loaded or built in; -ENOENT when the tree knows no such module; -ENODEV or
	 * -ENXIO when its driver found no hardware on this machine; -EPERM for a modprobe.d install
	 * command (never run); -E2BIG for more than 64 modules in one load; or the kernel's error
	 * (-ENOEXEC, -EKEYREJECTED, -ENOMEM, ...). */
	int (*load)(const char *name, module_skip_fn skip, void *data);
	/* Calls fn with each module that loading name would insert now, in load order: softdeps,
	 * dependencies, then the module itself; none when it is loaded or built in. Returns 0, -ENOENT
	 * (no such module), -EPERM, -E2BIG as load does, fn's negative return, or -errno. */
	int (*probe_list)(const char *name, module_name_fn fn, void *data);
	/* The CPU's modalias (/sys/devices/system/cpu/modalias: "cpu:type:x86,ven...:feature:,..."),
	 * into buf. Returns 0; -ENOENT when the kernel publishes none; -E2BIG when it does not fit; or
	 * -errno. */
	int (*cpu_modalias)(char *buf, size_t size);
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
