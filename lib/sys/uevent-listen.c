/* SPDX-License-Identifier: MIT */
/* The kernel's uevents and sysfs's devices, read: the netlink socket and the walk of /sys/bus
 * (lib/uevent.c parses each datagram). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "sysops.h"
#include "uevent-listen.h"
#include "uevent.h"

static int nl = -EBADF;

void uevent_close(void) {
	if (nl >= 0)
		(void) close(nl);
	nl = -EBADF;
}

/* Returns 0 or -errno. */
static int subscribe(int fd) {
	/* Room for a burst (a SCSI scan, many NVMe namespaces); an overflow costs a walk of sysfs.
	 * SO_RCVBUFFORCE needs CAP_NET_ADMIN, which PID 1 has; SO_RCVBUF is capped by rmem_max. */
	int size = 1 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
		return negative_errno();
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 }; /* the kernel's group */
	if (bind(fd, (const struct sockaddr *) &sa, sizeof sa) < 0)
		return negative_errno();
	return 0;
}

int uevent_listen(void) {
	uevent_close();
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return negative_errno();
	int r = subscribe(fd);
	if (r < 0) {
		(void) close(fd);
		return r;
	}
	nl = fd;
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* The modalias of one device directory entry, or "" when it has none (or vanished meanwhile). */
static int read_modalias(int dir, const char *name, char *out, size_t size) {
	char rel[NAME_MAX + 16];
	out[0] = '\0';
	(void) snprintf(rel, sizeof rel, "%s/modalias", name);
	_cleanup_close_ int fd = openat(dir, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	ssize_t n = sys_read_full(fd, out, size - 1);
	if (n < 0)
		return n == -ENODEV ? 0 : (int) n; /* a device going away */
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
	return 0;
}

struct walk {
	modalias_fn fn;
	void *data;
};

/* Calls visit for each entry of path but the dot files. A missing directory is empty when
 * missing_ok. Returns 0, visit's negative return, or -errno. */
static int each_entry(const char *path, bool missing_ok, int (*visit)(int dir, const char *name, struct walk *w),
		      struct walk *w) {
	_cleanup_(closedirp) DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT && missing_ok ? 0 : negative_errno();
	for (;;) {
		errno = 0;
		const struct dirent *e = readdir(d);
		if (!e)
			return errno ? negative_errno() : 0;
		if (e->d_name[0] == '.')
			continue;
		int r = visit(dirfd(d), e->d_name, w);
		if (r < 0)
			return r;
	}
}

static int visit_device(int dir, const char *name, struct walk *w) {
	char alias[4096 + 1]; /* a sysfs attribute is at most a page, and a NUL */
	int r = read_modalias(dir, name, alias, sizeof alias);
	if (r < 0)
		return r;
	return alias[0] ? w->fn(alias, w->data) : 0;
}

static int visit_bus(int dir, const char *name, struct walk *w) {
	char path[NAME_MAX + 24];
	(void) dir;
	(void) snprintf(path, sizeof path, "/sys/bus/%s/devices", name);
	return each_entry(path, true, visit_device, w);
}

int uevent_coldplug(modalias_fn fn, void *data) {
	struct walk w = { fn, data };
	return each_entry("/sys/bus", false, visit_bus, &w);
}

int uevent_wait(uint64_t usec, modalias_fn fn, void *data) {
	if (nl < 0)
		return -EBADF;
	struct pollfd p = { .fd = nl, .events = POLLIN };
	const struct timespec ts = { (time_t) (usec / 1000000), (long) (usec % 1000000) * 1000 };
	if (ppoll(&p, 1, &ts, NULL) < 0 && errno != EINTR)
		return negative_errno();
	for (;;) {
		char buf[8192]; /* the kernel's uevents are at most 2 KiB of variables */
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(nl, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) /* events were dropped: what they said is in sysfs */
				return uevent_coldplug(fn, data);
			return negative_errno();
		}
		struct uevent ev;
		/* Only the kernel's (port 0): a process may send to the group too, and none should. */
		if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC) || uevent_parse(buf, (size_t) n, &ev) < 0)
			continue;
		if (ev.modalias && strcmp(ev.action, "add") == 0) {
			int r = fn(ev.modalias, data);
			if (r < 0)
				return r;
		}
	}
}
