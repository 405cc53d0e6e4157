// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper for the filesystem and environment attacks (tests/escape/fs.sh):
 * one line per attempt, "WHAT ok ..." or "WHAT ERRNO-NAME". Static, so it
 * runs in any container view.
 *   fsprobe read PATH      reads PATH: "read ok FIRST-LINE" or the errno
 *   fsprobe connect PATH   connects to a unix socket: "connect ok" or the errno
 *   fsprobe listen PATH    (host side) listens on PATH, accepts until killed
 *   fsprobe env            the environment, one per line
 *   fsprobe fds            "self FD..." and "init FD..." (/proc/self/fd, /proc/1/fd)
 *   fsprobe sid            "sid N" (its session) and "tty ok" or "tty ENXIO"
 *   fsprobe mounts         the filesystem types mounted, one per line
 *   fsprobe count DIR      "count N": entries of DIR but . and .., or the errno
 *   fsprobe has FILE TEXT  "has yes" or "has no" (TEXT in FILE's first MiB), or the errno
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static const char *en(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "?";
}

static void fds(const char *label, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("%s %s\n", label, en(errno));
		return;
	}
	int self = dirfd(d);
	printf("%s", label);
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && !(strcmp(dir, "/proc/self/fd") == 0 && atoi(de->d_name) == self))
			printf(" %s", de->d_name);
	printf("\n");
	closedir(d);
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";
	if (!strcmp(w, "read") && argc > 2) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("read %s\n", en(errno));
			return 0;
		}
		char b[256];
		ssize_t n = read(fd, b, sizeof(b) - 1);
		if (n < 0) {
			printf("read %s\n", en(errno));
			return 0;
		}
		b[n] = '\0';
		b[strcspn(b, "\n")] = '\0';
		printf("read ok %s\n", b);
		return 0;
	}
	if ((!strcmp(w, "connect") || !strcmp(w, "listen")) && argc > 2) {
		struct sockaddr_un a;
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || unix_addr(argv[2], &a) < 0) {
			printf("%s %s\n", w, en(errno));
			return 1;
		}
		if (!strcmp(w, "connect")) {
			if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
				printf("connect %s\n", en(errno));
			else
				printf("connect ok\n");
			return 0;
		}
		unlink(argv[2]);
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0) {
			printf("listen %s\n", en(errno));
			return 1;
		}
		printf("listen ok\n");
		fflush(stdout);
		for (;;) {
			int c = accept(s, NULL, NULL);
			if (c >= 0) {
				if (write(c, "hello\n", 6) < 0)
					perror("write");
				close(c);
			}
		}
	}
	if (!strcmp(w, "env")) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	if (!strcmp(w, "fds")) {
		fds("self", "/proc/self/fd");
		fds("init", "/proc/1/fd");
		return 0;
	}
	if (!strcmp(w, "sid")) {
		printf("sid %d\n", (int)getsid(0));
		int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		printf("tty %s\n", fd >= 0 ? "ok" : en(errno));
		return 0;
	}
	if (!strcmp(w, "mounts")) {
		FILE *f = fopen("/proc/self/mounts", "re");
		char dev[512], dir[512], type[64];
		while (f && fscanf(f, "%511s %511s %63s %*[^\n]", dev, dir, type) == 3)
			printf("%s %s\n", type, dir);
		if (f)
			fclose(f);
		return 0;
	}
	if (!strcmp(w, "count") && argc > 2) {
		DIR *d = opendir(argv[2]);
		if (!d) {
			printf("count %s\n", en(errno));
			return 0;
		}
		int k = 0;
		struct dirent *de;
		while ((de = readdir(d)))
			k += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
		closedir(d);
		printf("count %d\n", k);
		return 0;
	}
	if (!strcmp(w, "has") && argc > 3) {
		static char b[1 << 20];
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		ssize_t n = 0, k;
		while (fd >= 0 && n < (ssize_t)sizeof(b) && (k = read(fd, b + n, sizeof(b) - (size_t)n)) > 0)
			n += k;
		if (fd < 0) {
			printf("has %s\n", en(errno));
			return 0;
		}
		close(fd);
		printf("has %s\n", memmem(b, (size_t)n, argv[3], strlen(argv[3])) ? "yes" : "no");
		return 0;
	}
	fprintf(stderr, "usage: fsprobe read PATH|connect PATH|listen PATH|env|fds|sid|mounts|count DIR|has FILE TEXT\n");
	return 2;
}
