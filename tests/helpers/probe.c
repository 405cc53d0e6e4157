// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: tries what a container must not do and prints one line per
 * attempt, "NAME ok" or "NAME errno-name". Every attempt is harmless when
 * allowed: reboot with a bad magic number (EINVAL after the capability
 * check), init_module of nothing, a disk device node opened read-only.
 *   probe reboot | module | disk DIR | kill PID
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int report(const char *what, long r)
{
	if (r >= 0)
		printf("%s ok\n", what);
	else
		printf("%s %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return 0;
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";
	if (!strcmp(w, "reboot"))
		/* a magic the kernel refuses with EINVAL, after CAP_SYS_BOOT */
		return report("reboot", syscall(SYS_reboot, 0, 0, 0, NULL));
	if (!strcmp(w, "module"))
		return report("init_module", syscall(SYS_init_module, NULL, 0, ""));
	if (!strcmp(w, "disk") && argc > 2) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/nstop-probe-disk", argv[2]);
		unlink(p);
		long r = mknod(p, S_IFBLK | 0600, makedev(8, 0));
		report("mknod", r);
		if (r == 0) {
			int fd = open(p, O_RDONLY);
			report("open", fd);
			if (fd >= 0)
				close(fd);
			unlink(p);
		}
		return 0;
	}
	if (!strcmp(w, "kill") && argc > 2)
		return report("kill", kill(atoi(argv[2]), SIGKILL));
	fprintf(stderr, "usage: probe reboot|module|disk DIR|kill PID\n");
	return 2;
}
