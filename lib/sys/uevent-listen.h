/* SPDX-License-Identifier: MIT */
/* The devices the kernel knows, as module loading needs them: each one's modalias, first from sysfs
 * (coldplug: what is there already) and then from the kernel's uevents (hotplug: what a loaded
 * driver finds later: a vmbus channel, a SCSI disk behind a host adapter). No udev: the agent only
 * listens, and only to the kernel. Each datagram is parsed by lib/uevent.h's uevent_parse(). */
#pragma once

#include <stdint.h>

/* Called with a device's modalias; a negative return stops the walk and is returned. */
typedef int (*modalias_fn)(const char *modalias, void *data);

/* Subscribes to the kernel's uevents. Before uevent_coldplug(), so that a device appearing in
 * between is seen at least once. Returns 0 or -errno. */
int uevent_listen(void);

/* Calls fn with the modalias of each device in /sys/bus/ * /devices now. Returns 0, fn's negative
 * return, or -errno when sysfs cannot be read. */
int uevent_coldplug(modalias_fn fn, void *data);

/* Waits at most usec for uevents (returning as soon as some came) and calls fn with the modalias of
 * each device added. When the kernel dropped events (a full socket buffer) it walks sysfs again
 * instead. Returns 0, fn's negative return, -EBADF when not listening, or -errno. */
int uevent_wait(uint64_t usec, modalias_fn fn, void *data);

void uevent_close(void);
