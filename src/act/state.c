// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of nstop's own containers, its writes: records saved and
 * removed, the lock, targets made from a record. Reading it is
 * collect/registry.c's.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../collect/collect.h"
#include "act.h"

/* Fills t from a record: its cgroups per hierarchy and, if alive, its init. */
void state_fill_target(struct sysroot *sr, const struct jv *st, struct act_target *t)
{
	t->rt = RT_NSTOP;
	const char *name = jv_str(st, "name"), *id = jv_str(st, "id");
	t->name = xstrdup(name ? name : "?");
	t->id = xstrdup(id ? id : t->name);
	double pid = 0, start = 0;
	if (jv_num(st, "pid", &pid) && jv_num(st, "start", &start) && pid > 0) {
		uint64_t now;
		if (sysroot_pid_start(sr, (pid_t)pid, &now) == 0 && now == (uint64_t)start)
			t->pid = (pid_t)pid;
	}
	const struct jv *cgs = jv_get(st, "cgroups");
	for (size_t i = 0; cgs && cgs->type == JV_OBJ && i < cgs->n; i++) {
		int mi = cgx_mount_by_key(sr, cgs->keys[i]);
		if (mi >= 0 && cgs->kids[i].type == JV_STR && !t->paths[mi])
			t->paths[mi] = xstrdup(cgs->kids[i].s);
	}
}

int state_target(struct sysroot *sr, const char *name, struct act_target *t)
{
	struct jv st;
	int r = state_load(name, &st);
	if (r < 0)
		return r == -EACCES ? -ENOENT : r;
	state_fill_target(sr, &st, t);
	jv_free(&st);
	return 0;
}

/* The registry's directory, made 0700 when missing; an fd, or -errno. */
int state_dir_make(void)
{
	if (mkdir(state_dir(), 0700) < 0 && errno != EEXIST)
		return -errno;
	return state_dir_open();
}

/* Writes NAME/state.json atomically (a temporary file renamed over it). */
int state_save(const char *name, const char *json)
{
	int dfd = state_dir_make();
	if (dfd < 0)
		return dfd;
	char tmp[128], path[128];
	snprintf(tmp, sizeof(tmp), "%s/.state.json.tmp", name);
	snprintf(path, sizeof(path), "%s/state.json", name);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = 0;
	if (fd < 0) {
		r = -errno;
	} else {
		size_t n = strlen(json);
		if (write(fd, json, n) != (ssize_t)n || fsync(fd) < 0)
			r = errno ? -errno : -EIO;
		close(fd);
		if (!r && renameat(dfd, tmp, dfd, path) < 0)
			r = -errno;
	}
	close(dfd);
	return r;
}

/*
 * Removes name below dfd, a directory tree included, never following links.
 * A container writes its own layer, as deep as it likes: a directory
 * RM_HOIST levels down is moved up beside the entry being emptied (top,
 * as ".rm-N") and removed from there on a later pass, so neither the stack
 * nor the open descriptors grow with the depth. 1: something was hoisted
 * (pass again), 0: gone, -errno.
 */
#define RM_HOIST 64
static int rm_tree(int top, int dfd, const char *name, int depth, unsigned *seq)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth >= RM_HOIST && top >= 0) {
		for (int tries = 0; tries < 1000; tries++) {
			char to[32];
			snprintf(to, sizeof(to), ".rm-%u", (*seq)++);
			if (renameat(dfd, name, top, to) == 0)
				return 1;
			if (errno != EEXIST && errno != ENOTEMPTY)
				return -errno;
		}
		return -EEXIST;
	}
	int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return -errno;
	DIR *d = fdopendir(sub);
	if (!d) {
		close(sub);
		return -errno;
	}
	int r = 0;
	bool again = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int e = rm_tree(top, sub, de->d_name, depth + 1, seq);
		if (e == 1)
			again = true;
		else if (e && !r)
			r = e;
	}
	closedir(d);
	if (r || again)
		return r ? r : 1;
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Empties the directory dfd, every entry but keep (NULL: none), passing
 * again while deep trees were hoisted into it. */
static int empty_dir(int dfd, const char *keep)
{
	unsigned seq = 0;
	for (;;) {
		int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		DIR *d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -errno;
		}
		int r = 0;
		bool again = false;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			    (keep && !strcmp(de->d_name, keep)))
				continue;
			int e = rm_tree(dfd, dfd, de->d_name, 1, &seq);
			if (e == 1)
				again = true;
			else if (e && !r)
				r = e;
		}
		closedir(d);
		if (r || !again)
			return r;
	}
}

int rm_tree_at(int dfd, const char *name, int depth)
{
	unsigned seq = 0;
	int r = rm_tree(-1, dfd, name, depth, &seq);
	return r == 1 ? -ELOOP : r;
}

/* The registry entry goes in two steps: everything in it but state.json
 * (the container's layer may be deep or stubborn), then state.json and the
 * directory; a failure in the first keeps state.json, so rm can be retried. */
int state_remove(const char *name)
{
	if (!state_name_ok(name))
		return -EINVAL;
	int dfd = state_dir_open();
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	int r = 0;
	int nd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nd < 0)
		r = errno == ENOENT ? 0 : -errno;
	else {
		r = empty_dir(nd, "state.json");
		if (!r && unlinkat(nd, "state.json", 0) < 0 && errno != ENOENT)
			r = -errno;
		close(nd);
		if (!r && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = -errno;
	}
	close(dfd);
	return r;
}

/* Whether a signal that ends nstop by default is waiting while an action
 * holds it back (run_create, kill): a wait that could last (a lock another
 * nstop holds, a child that hangs) gives up on it and undoes. */
bool act_stop_pending(void)
{
	sigset_t p;
	if (sigpending(&p) < 0)
		return false;
	static const int stop[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < ARRAY_LEN(stop); i++)
		if (sigismember(&p, stop[i]) == 1)
			return true;
	return false;
}

/* An exclusive flock on the registry's lock file, held until the fd is
 * closed: allocations that must not race (user-namespace id blocks). */
int state_lock(void)
{
	int dfd = state_dir_make();
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = fd < 0 ? -errno : 0;
	close(dfd);
	/* not a blocking flock: the create holding its signals back must
	 * still give up on ^C while another nstop (a stopped one) holds it */
	while (!r && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			r = -errno;
		else if (act_stop_pending())
			r = -EINTR;
		else
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}
