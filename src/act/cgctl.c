// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cgroup writes for the actions: a file of a directory fd that cgdir.c
 * opened beneath its mount, written whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "act.h"

int cgx_write(int dfd, const char *file, const char *val)
{
	int fd = openat(dfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t n = strlen(val);
	ssize_t w;
	do
		w = write(fd, val, n);
	while (w < 0 && errno == EINTR);
	int e = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
	if (close(fd) < 0 && !e)
		e = -errno;
	return e;
}
