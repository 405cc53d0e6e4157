// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which processes' cgroups used no CPU since the last refresh, for a
 * collector that rereads every process's stat (the recorder): a cgroup's
 * CPU usage (v2 cpu.stat usage_usec, v1 cpuacct.usage) is the sum of what
 * its processes ran, so when it has not moved, none of them ran, and their
 * CPU ticks, state, memory and command are what the last read said. Their
 * stat is then not read again; what can change without the process running
 * (its parent, after the old one exits; nice set by another; memory
 * reclaimed) is caught by a reread of
 * every process at least every IDLE_REREAD refreshes, spread over them.
 * Single-threaded processes only: a thread of a process may sit in another
 * cgroup than its leader (v1; v2's threaded cgroups), which the leader's
 * /proc/PID/cgroup does not show.
 *
 * One usage read per distinct cgroup of the known processes (a pread on a
 * kept fd, cgcache.c) replaces a stat read per process: on a host of mostly
 * sleeping processes the sample costs a fraction of a full one. Any read
 * that fails, a cgroup not seen on the refresh before, and the root (whose
 * usage is everything's) count as busy.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

struct idle_ent {
	const char *key;        /* the interned path; NULL: an empty slot */
	uint64_t usage;
	bool valid;             /* usage was read */
	bool idle;
};

struct cgidle {
	int mi;                 /* the hierarchy read; -1: none (feature off) */
	bool v2;
	struct idle_ent *t;     /* the last refresh's, open addressing */
	size_t cap;
	uint64_t at;            /* CLOCK_MONOTONIC of this refresh's reads */
};

static size_t slot(const struct idle_ent *t, size_t cap, const char *key)
{
	size_t h = ((uintptr_t)key >> 3) * 0x9e3779b97f4a7c15ull;
	size_t i = h & (cap - 1);
	while (t[i].key && t[i].key != key)
		i = (i + 1) & (cap - 1);
	return i;
}

struct cgidle *cgidle_new(const struct sysroot *sr)
{
	struct cgidle *d = xcalloc(1, sizeof(*d));
	d->mi = sr->live ? cgx_mount_for(sr, "cpuacct") : -1;
	d->v2 = d->mi >= 0 && sr->mounts[d->mi].version == 2;
	return d;
}

void cgidle_free(struct cgidle *d)
{
	if (d)
		free(d->t);
	free(d);
}

/* The path of p in the hierarchy read (interned), NULL when none. */
static const char *key_of(const struct cgidle *d, const struct sysroot *sr, const struct proc *p)
{
	if (d->v2)
		return p->cg2;
	for (int i = 0; i < p->ncg1; i++)
		if (p->cg1[i].ctrl && cgx_has_ctrl(p->cg1[i].ctrl, "cpuacct"))
			return p->cg1[i].path;
	(void)sr;
	return NULL;
}

/* The usage of cgroup path, in the file's unit; false when unreadable. */
static bool usage_of(struct collector *c, const struct cgidle *d, const char *path, uint64_t *out)
{
	const char *rel = cgx_rel(&c->sr->mounts[d->mi], path);
	if (!rel || !strcmp(rel, "."))
		return false; /* the root: everything's usage, never idle */
	struct cgnode *n;
	bool tmp;
	int dfd = cgcache_path(c->cgc, c->sr, d->mi, rel, &n, &tmp);
	if (dfd < 0)
		return false;
	char buf[256];
	int r = cgcache_read(c->cgc, n, dfd, d->v2 ? CGF_CPU_STAT : CGF_CPUACCT_USAGE, buf, sizeof(buf));
	if (tmp)
		close(dfd);
	if (r <= 0)
		return false;
	if (d->v2)
		return parse_keyed_u64(buf, (size_t)r, "usage_usec", out) == 0;
	char *end;
	*out = strtoull(buf, &end, 10);
	return end != buf && (*end == '\n' || !*end);
}

/*
 * Reads the usage of every distinct cgroup of the known processes and
 * marks those that have not moved since the refresh before. Called at
 * the start of a refresh, before the processes are read.
 */
void cgidle_update(struct collector *c)
{
	struct cgidle *d = c->idle;
	if (!d || d->mi < 0)
		return;
	size_t cap = 64;
	while (cap < 2 * c->n + 2)
		cap *= 2;
	struct idle_ent *t = xcalloc(cap, sizeof(*t));
	d->at = mono_usec();
	for (size_t i = 0; i < c->n; i++) {
		const char *key = key_of(d, c->sr, &c->e[i].p);
		if (!key)
			continue;
		size_t k = slot(t, cap, key);
		if (t[k].key)
			continue;
		t[k].key = key;
		uint64_t u;
		if (!usage_of(c, d, key, &u))
			continue; /* busy, and nothing to compare with next time */
		t[k].valid = true;
		t[k].usage = u;
		if (d->t) {
			size_t o = slot(d->t, d->cap, key);
			t[k].idle = d->t[o].valid && d->t[o].key == key && d->t[o].usage == u;
		}
	}
	free(d->t);
	d->t = t;
	d->cap = cap;
}

/* The cgroup table forgotten (its keys point into a pool being rotated):
 * every cgroup counts as busy on the next refresh. */
void cgidle_forget(struct cgidle *d)
{
	if (!d)
		return;
	free(d->t);
	d->t = NULL;
	d->cap = 0;
}

/* Whether p's cgroup used no CPU since the refresh before; *at: when that
 * was read (the moment its last figures hold for). */
bool cgidle_idle(const struct collector *c, const struct proc *p, uint64_t *at)
{
	const struct cgidle *d = c->idle;
	if (!d || !d->t)
		return false;
	const char *key = key_of(d, c->sr, p);
	if (!key)
		return false;
	size_t k = slot(d->t, d->cap, key);
	if (!d->t[k].key || !d->t[k].idle)
		return false;
	*at = d->at;
	return true;
}
