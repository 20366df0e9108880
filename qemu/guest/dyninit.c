/* SPDX-License-Identifier: MIT */
/* A dynamically linked init for the boot lab, as a distribution's systemd is: the kernel maps its
 * loader (PT_INTERP, /lib64/ld-linux-x86-64.so.2) from the new root, and the loader reads the
 * root's /etc/ld.so.preload and finds libc. It only executes the test init (qemu/guest/init), so a
 * case with it reports as every other. Built with the host's compiler against the host's glibc;
 * qemu/usr-tree.sh --dynamic-init copies it, its loader and its libraries into /usr. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
	(void) argc;
	execv("/usr/lib/verinit-test/init", argv);
	perror("dyninit: execv /usr/lib/verinit-test/init");
	return 127;
}
