// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cgroup directories beneath a sysroot's mounts, read-only: which mount
 * holds a controller, a directory fd per hierarchy opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) from the mount's fd (never
 * a path string built from untrusted names), small files read through it,
 * the members of a subtree. The collectors read through it and the actions
 * write through the same fds (act/cgctl.c); a pid's start time, the
 * identity every signal is checked against, is read here too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect/parse.h"
#include "sysroot.h"

/* Whether the comma-separated controller list names ctrl. */
bool cgx_has_ctrl(const char *list, const char *ctrl)
{
	size_t n = strlen(ctrl);
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !memcmp(p, ctrl, n))
			return true;
		p += l + (c ? 1 : 0);
	}
	return false;
}

/* The mount holding controller ctrl ("" for the v2 tree); -1 when none. */
int cgx_mount_for(const struct sysroot *sr, const char *ctrl)
{
	for (int i = 0; i < sr->nmounts; i++) {
		const struct cg_mount *m = &sr->mounts[i];
		if (*ctrl && m->version == 1 && cgx_has_ctrl(m->controllers, ctrl))
			return i;
	}
	for (int i = 0; i < sr->nmounts; i++) {
		const struct cg_mount *m = &sr->mounts[i];
		/* on hybrid hosts the unified tree has core files only */
		if (m->version == 2 && (!*ctrl || sr->layout == CG_V2))
			return i;
	}
	return -1;
}

/* The name a hierarchy has in the audit log and the registry. */
const char *cgx_mount_key(const struct sysroot *sr, int mi)
{
	const struct cg_mount *m = &sr->mounts[mi];
	return m->version == 2 ? "cgroup2" : m->controllers;
}

int cgx_mount_by_key(const struct sysroot *sr, const char *key)
{
	for (int i = 0; i < sr->nmounts; i++)
		if (!strcmp(cgx_mount_key(sr, i), key))
			return i;
	return -1;
}

/* path (as /proc/PID/cgroup shows it) relative to the mount ("." for its
 * root); NULL when outside it */
const char *cgx_rel(const struct cg_mount *m, const char *path)
{
	size_t rl = strcmp(m->root, "/") ? strlen(m->root) : 0;
	if (rl && (strncmp(path, m->root, rl) || (path[rl] && path[rl] != '/')))
		return NULL;
	path += rl;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* A directory fd of path in hierarchy mi, or -errno. */
int cgx_open(const struct sysroot *sr, int mi, const char *path)
{
	if (mi < 0 || mi >= sr->nmounts || !path)
		return -ENOENT;
	const char *rel = cgx_rel(&sr->mounts[mi], path);
	if (!rel)
		return -ENOENT;
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, sr->mounts[mi].fd, rel, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd < 0 ? -errno : fd;
	/* before 5.6 (or under valgrind): one component at a time, none a
	 * link, none "." or ".." */
	int cur = openat(sr->mounts[mi].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (const char *p = rel; cur >= 0 && *p && strcmp(p, ".");) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);
		char comp[256];
		if (n == 0 || n >= sizeof(comp) || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(cur);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(cur);
		if (next < 0)
			return -err;
		cur = next;
		p += n;
		while (*p == '/')
			p++;
	}
	return cur < 0 ? -errno : cur;
}

int cgx_read(int dfd, const char *file, char *out, size_t n)
{
	int r = read_small_at(dfd, file, out, n);
	if (r < 0)
		return r;
	while (r > 0 && (out[r - 1] == '\n' || out[r - 1] == ' '))
		out[--r] = '\0';
	return r;
}

/* Appends the pids of dfd's cgroup.procs and of every descendant's.
 * Walks the tree beneath dfd; 0, or -errno when some of it could not be
 * read (deeper than CGX_MEMBERS_DEPTH, a directory that would not open for
 * another reason than its removal): an action must not take a partial list
 * for the whole. Every name but . and .. is a cgroup (".x" is one too). */
static int collect_procs(int dfd, pid_t **pids, size_t *n, size_t *cap, int depth)
{
	struct buf b = {0};
	int r = 0;
	int k = read_file_at(dfd, "cgroup.procs", &b);
	if (k < 0 && !err_vanished(k) && k != -ENODEV) /* ENODEV: removed while open */
		r = k;
	else if (k >= 0 && b.len) {
		char *save = NULL;
		for (char *t = strtok_r(b.p, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
			char *end;
			long v = strtol(t, &end, 10);
			if (*end || v <= 0)
				continue;
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*pids = xreallocarray(*pids, *cap, sizeof(**pids));
			}
			(*pids)[(*n)++] = (pid_t)v;
		}
	}
	buf_free(&b);
	int it = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (it < 0)
		return err_vanished(errno) ? r : -errno;
	DIR *d = fdopendir(it);
	if (!d) {
		close(it);
		return -errno;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (depth >= CGX_MEMBERS_DEPTH) {
			r = -ELOOP;
			break;
		}
		int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0) {
			if (!err_vanished(errno) && !r)
				r = -errno;
			continue;
		}
		int kr = collect_procs(sub, pids, n, cap, depth + 1);
		if (kr < 0 && !r)
			r = kr;
		close(sub);
	}
	closedir(d);
	return r;
}

/* Every process in the cgroup at path in hierarchy mi and its descendants,
 * sorted and unique; returns the count. *err (when err is not NULL) gets 0,
 * or -errno when part of the tree could not be read: the list is then only
 * what was found, which an action must not take for the whole. */
size_t cgx_members(const struct sysroot *sr, int mi, const char *path, pid_t **out, int *err)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	int r = 0;
	int dfd = cgx_open(sr, mi, path);
	if (dfd >= 0) {
		r = collect_procs(dfd, &pids, &n, &cap, 0);
		close(dfd);
	} else if (!err_vanished(dfd)) {
		r = dfd; /* out of descriptors is not "no members" */
	}
	size_t u = pids_sort_uniq(pids, n);
	*out = pids;
	if (err)
		*err = r;
	return u;
}

/* A pid's start time (clock ticks since boot); -ESRCH once it has exited,
 * a zombie included: nothing to signal, no container to run. */
int sysroot_pid_start(struct sysroot *sr, pid_t pid, uint64_t *start)
{
	char f[64], s[2048];
	snprintf(f, sizeof(f), "%d/stat", (int)pid);
	int n = read_small_at(sr->proc_fd, f, s, sizeof(s));
	if (n < 0)
		return err_vanished(n) ? -ESRCH : n;
	struct stat_fields sf;
	if (parse_proc_stat(s, (size_t)n, &sf) < 0)
		return -EINVAL;
	*start = sf.starttime;
	return sf.state == 'Z' || sf.state == 'X' ? -ESRCH : 0;
}
