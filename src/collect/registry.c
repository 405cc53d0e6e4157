// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of nstop's own containers, read: /run/nstop/NAME/state.json
 * (root only, 0700 directories) holds the init pid and its start time, the
 * cgroup path in each hierarchy and the options used. The containers
 * collector names nstop's containers from it; act/state.c writes it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

const char *state_dir(void)
{
	const char *d = getenv("NSTOP_STATE_DIR"); /* tests only; never set-uid (main refuses) */
	return d && *d ? d : "/run/nstop";
}

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, not all digits */
bool state_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64 || !isalnum((unsigned char)s[0]) || strspn(s, "0123456789") == n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* Reads NAME's record; -ENOENT when there is none. */
/* NAME's directory in the registry, never through a symbolic link. */
int state_open(const char *name)
{
	if (!state_name_ok(name))
		return -ENOENT;
	int dfd = state_dir_open();
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 ? (errno == ELOOP || errno == ENOTDIR ? -ENOENT : -errno) : fd;
	close(dfd);
	return r;
}

int state_load(const char *name, struct jv *out)
{
	int dfd = state_open(name);
	if (dfd < 0)
		return dfd;
	struct buf b = {0};
	int r = read_file_at(dfd, "state.json", &b);
	close(dfd);
	if (r >= 0)
		r = jv_parse(b.p, b.len, out) < 0 ? -EINVAL : 0;
	buf_free(&b);
	return r;
}

/* The registry's directory, never through a link; an fd, or -errno. */
int state_dir_open(void)
{
	int fd = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}


/* Every registered name, sorted; the count. */
size_t state_list(char ***out)
{
	*out = NULL;
	int dfd = state_dir_open();
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!state_name_ok(de->d_name) || de->d_type != DT_DIR)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp((*out)[j - 1], (*out)[j]) > 0; j--) {
			char *t = (*out)[j];
			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = t;
		}
	return n;
}

/* Calls fn with every registry entry that loads, in name order. */
void state_each(void (*fn)(const char *name, const struct jv *st, void *arg), void *arg)
{
	char **names;
	size_t n = state_list(&names);
	for (size_t i = 0; i < n; i++) {
		struct jv st;
		if (state_load(names[i], &st) == 0) {
			fn(names[i], &st, arg);
			jv_free(&st);
		}
		free(names[i]);
	}
	free(names);
}
