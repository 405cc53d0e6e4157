// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create: blocks of user and group ids that overlap nothing in use on
 * the host, reserved in the registry: --ns ...,user's for the container's
 * root (and its maps written for the child), --publish's for the ports'
 * proxy (its uid and gid are the block's first id, no one else's).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "create.h"

/* Adds the ranges of one text (a uid_map or a subuid file) to *v, every
 * one of them: a host may have hundreds of subuid users, and a cap here
 * handed the 65th user's ids to a container's root. */
static int ranges_add(struct id_range **v, size_t *n, const char *s, size_t len, bool map)
{
	int k = map ? parse_id_map(s, len, NULL, 0) : parse_subid(s, len, NULL, 0);
	if (k <= 0)
		return k;
	*v = xreallocarray(*v, *n + (size_t)k, sizeof(**v));
	int got = map ? parse_id_map(s, len, *v + *n, (size_t)k) : parse_subid(s, len, *v + *n, (size_t)k);
	if (got != k)
		return -EINVAL;
	*n += (size_t)k;
	return k;
}

static int cmp_range(const void *a, const void *b)
{
	const struct id_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* sorted, overlapping and adjacent ranges merged: every process of a
 * container has the same few ids */
static void ranges_merge(struct id_range *v, size_t *n)
{
	if (!*n)
		return;
	qsort(v, *n, sizeof(*v), cmp_range);
	size_t k = 0;
	for (size_t i = 1; i < *n; i++) {
		if (v[i].start <= v[k].start + v[k].count) {
			uint64_t end = v[i].start + v[i].count;
			if (end > v[k].start + v[k].count)
				v[k].count = end - v[k].start;
		} else {
			v[++k] = v[i];
		}
	}
	*n = k + 1;
}

/*
 * The ids in use: every process's real, effective, saved and filesystem
 * uid and gid within nstop's range (/proc/PID/status: a proxy of another
 * registry's runs in the host's user namespace, where no map shows its
 * block), the outside ranges of every user namespace but ours
 * (/proc/PID/uid_map and gid_map, one process per namespace), the local
 * users' /etc/subuid and /etc/subgid, and the blocks of nstop's own
 * containers (NAME/userns in the registry, running or not: the files of
 * their writable layers keep those ids; NAME/proxyids, their proxies').
 */
static void used_ids(struct id_range **v, size_t *n)
{
	struct buf b = {0};
	char self[64] = "";
	ssize_t sl = readlink("/proc/self/ns/user", self, sizeof(self) - 1);
	self[sl > 0 ? sl : 0] = '\0';
	uint64_t *seen = NULL;
	size_t nseen = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char p[300], l[64];
		struct proc_creds cr;
		snprintf(p, sizeof(p), "/proc/%s/status", de->d_name);
		if (read_file_at(AT_FDCWD, p, &b) > 0 && parse_proc_status(b.p, b.len, &cr) == 0)
			for (int k = 0; k < 8; k++) {
				uint32_t id = k < 4 ? cr.uid[k] : cr.gid[k - 4];
				if (id < NSTOP_USERNS_LO || id > NSTOP_USERNS_HI)
					continue;
				*v = xreallocarray(*v, *n + 1, sizeof(**v));
				(*v)[(*n)++] = (struct id_range){id, 1};
			}
		snprintf(p, sizeof(p), "/proc/%s/ns/user", de->d_name);
		ssize_t ll = readlink(p, l, sizeof(l) - 1);
		uint64_t ino;
		if (ll <= 0 || parse_ns_link(l, (size_t)ll, "user", &ino) < 0)
			continue;
		l[ll] = '\0';
		if (!strcmp(l, self))
			continue;
		size_t i;
		for (i = 0; i < nseen && seen[i] != ino; i++)
			;
		if (i < nseen)
			continue;
		seen = xreallocarray(seen, nseen + 1, sizeof(*seen));
		seen[nseen++] = ino;
		static const char *const files[] = {"uid_map", "gid_map"};
		for (size_t f = 0; f < 2; f++) {
			snprintf(p, sizeof(p), "/proc/%s/%s", de->d_name, files[f]);
			if (read_file_at(AT_FDCWD, p, &b) > 0)
				ranges_add(v, n, b.p, b.len, true);
		}
	}
	if (d)
		closedir(d);
	free(seen);
	static const char *const sub[] = {"/etc/subuid", "/etc/subgid"};
	for (size_t f = 0; f < 2; f++)
		if (read_file_at(AT_FDCWD, sub[f], &b) > 0)
			ranges_add(v, n, b.p, b.len, false);
	char **names;
	size_t nn = state_list(&names);
	int dfd = state_dir_open();
	static const char *const reg[] = {"userns", "proxyids"};
	for (size_t i = 0; i < nn; i++) {
		for (size_t f = 0; f < ARRAY_LEN(reg); f++) {
			char p[300];
			snprintf(p, sizeof(p), "%s/%s", names[i], reg[f]);
			if (dfd >= 0 && read_file_at(dfd, p, &b) > 0)
				ranges_add(v, n, b.p, b.len, true);
		}
		free(names[i]);
	}
	free(names);
	if (dfd >= 0)
		close(dfd);
	buf_free(&b);
	ranges_merge(*v, n);
}

/*
 * A block of NSTOP_USERNS_SIZE ids for NAME, the first within
 * NSTOP_USERNS_LO..HI that overlaps nothing in use, reserved in NAME/FILE
 * (uid_map's format; "userns" or "proxyids") under the registry's lock
 * and the machine's (IDS_LOCK, kept until create_ids_unlock), so that two
 * creates at once, of one registry or two, never get the same. rm takes the registry
 * directory, and the reservation with it.
 */
/*
 * Machine-wide: every registry's creates choose their blocks one at a time
 * under IDS_LOCK, and hold it until what they chose shows in /proc (a user
 * namespace's uid_map written, a proxy become its uid): another registry
 * (another NSTOP_STATE_DIR) cannot see this one's reservation files, only
 * /proc, and choosing in the gap between gave two the same block. A
 * process-associated fcntl lock: a child forked meanwhile (the container's
 * init, the proxy) does not hold it.
 */
#define IDS_LOCK "/run/nstop-ids.lock"
static int ids_lock = -1;

static int ids_lock_take(struct nerr *e)
{
	if (ids_lock >= 0)
		return 0;
	int fd = open(IDS_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		int r = fd < 0 ? -errno : -EPERM;
		if (fd >= 0)
			close(fd);
		return nerr_set(e, r, "%s: %s", IDS_LOCK, r == -EPERM ? "not a file of root's only" : strerror(-r));
	}
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno == EINTR && !act_stop_pending())
			continue;
		int r = -errno;
		close(fd);
		return nerr_set(e, r, "%s: %s", IDS_LOCK, strerror(-r));
	}
	ids_lock = fd;
	return 0;
}

/* What create chose shows in /proc now, or nothing was made: let go. */
void create_ids_unlock(void)
{
	if (ids_lock >= 0)
		close(ids_lock);
	ids_lock = -1;
}

int create_ids_alloc(const char *name, const char *file, uint32_t *base, struct nerr *e)
{
	int ir = ids_lock_take(e);
	if (ir < 0)
		return ir;
	int lk = state_lock();
	if (lk < 0) {
		nerr_set(e, lk, "%s/.lock: %s", state_dir(),
			 lk == -EINTR ? "interrupted while another nstop held it" : strerror(-lk));
		return lk;
	}
	struct id_range *used = NULL;
	size_t nused = 0;
	used_ids(&used, &nused);
	int r = -ENOSPC;
	for (uint64_t bl = NSTOP_USERNS_LO; bl + NSTOP_USERNS_SIZE - 1 <= NSTOP_USERNS_HI && r;
	     bl += NSTOP_USERNS_SIZE) {
		size_t i;
		for (i = 0; i < nused; i++)
			if (used[i].count && used[i].start < bl + NSTOP_USERNS_SIZE && bl < used[i].start + used[i].count)
				break;
		if (i == nused) {
			*base = (uint32_t)bl;
			r = 0;
		}
	}
	free(used);
	if (r < 0) {
		nerr_set(e, r, "no free block of %u user ids in %u-%u", NSTOP_USERNS_SIZE, NSTOP_USERNS_LO,
			 NSTOP_USERNS_HI);
	} else {
		int dfd = state_dir_open();
		char p[300], m[64];
		snprintf(p, sizeof(p), "%s/%s", name, file);
		int fd = dfd < 0 ? -1 : openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		int len = snprintf(m, sizeof(m), "0 %u %u\n", *base, NSTOP_USERNS_SIZE);
		if (fd < 0 || write(fd, m, (size_t)len) != len) {
			r = -errno;
			nerr_set(e, r, "%s/%s: %s", state_dir(), p, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
		if (dfd >= 0)
			close(dfd);
	}
	close(lk);
	return r;
}

/* a block for NAME's user namespace (NAME/userns) */
int create_userns_alloc(const char *name, uint32_t *base, struct nerr *e)
{
	return create_ids_alloc(name, "userns", base, e);
}

int create_write_maps(pid_t pid, uint32_t base, struct nerr *e)
{
	static const char *const files[] = {"uid_map", "gid_map"};
	for (size_t i = 0; i < 2; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, files[i]);
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		char m[64];
		snprintf(m, sizeof(m), "0 %u %u\n", base, NSTOP_USERNS_SIZE);
		if (fd < 0 || write(fd, m, strlen(m)) < 0) {
			nerr_set(e, -errno, "%s: %s", p, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}
