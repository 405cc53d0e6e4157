// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots, the model: built once by the collectors (collect/take.c),
 * then only read; freed here, looked up here. Rates are computed while
 * building, against the previous snapshot, so no reader ever mutates one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snap.h"

/* Namespace types by name, as /proc/PID/ns and lsns name them. */
static const char *const ns_names[NS_NTYPES] = {
	[NS_CGROUP] = "cgroup", [NS_IPC] = "ipc", [NS_MNT] = "mnt",   [NS_NET] = "net",
	[NS_PID] = "pid",       [NS_TIME] = "time", [NS_USER] = "user", [NS_UTS] = "uts",
};

const char *ns_type_name(enum ns_type t)
{
	return (unsigned)t < NS_NTYPES ? ns_names[t] : "?";
}

int ns_type_parse(const char *s)
{
	for (int i = 0; i < NS_NTYPES; i++)
		if (!strcmp(s, ns_names[i]))
			return i;
	return -1;
}

/* The order of a snapshot's cgroup rows, parents before children: '/' sorts before every other byte. */
int cg_path_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	for (;; x++, y++) {
		unsigned cx = *x == '/' ? 1 : *x, cy = *y == '/' ? 1 : *y;
		if (cx != cy || !cx)
			return (int)cx - (int)cy;
	}
}

void snap_free(struct snap *s)
{
	if (!s)
		return;
	free(s->procs);
	free(s->ns);
	free(s->cgs);
	free(s->ctrs);
	free(s->ifs);
	free(s->proc_ctr);
	free(s->dead_cgs);
	hmap_free(&s->ns_idx);
	pool_unref(s->pool);
	free(s);
}

/* Binary search: procs are sorted by pid (no index to build per refresh). */
const struct proc *snap_proc(const struct snap *s, pid_t pid)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t m = s->procs[mid].pid;
		if (m == pid)
			return &s->procs[mid];
		if (m < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct nsinfo *snap_ns(const struct snap *s, uint64_t ino)
{
	uint32_t k;
	if (!hmap_get(&s->ns_idx, ino, &k))
		return NULL;
	return &s->ns[k];
}

/* Binary search: rows are sorted by cg_path_cmp; the pool is not consulted
 * (the collector's thread may be adding to it while a screen reads). */
const struct cgroup *snap_cgroup(const struct snap *s, const char *path)
{
	size_t lo = 0, hi = s->ncgs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cg_path_cmp(s->cgs[mid].path, path);
		if (!r)
			return &s->cgs[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A container's cgroup row (its CPU figures), NULL when it has none. */
const struct cgroup *snap_ctr_cgroup(const struct snap *s, const struct container *c)
{
	if (c->last_cg)
		return c->last_cg;
	return c->cgroup ? snap_cgroup(s, c->cgroup) : NULL;
}

/* Its memory figures' row: a memory hierarchy may be rooted elsewhere. */
const struct cgroup *snap_ctr_cgroup_mem(const struct snap *s, const struct container *c)
{
	const struct cgroup *g = c->cg_memory && !c->last_cg ? snap_cgroup(s, c->cg_memory) : NULL;
	return g ? g : snap_ctr_cgroup(s, c);
}

/* 1 when any of its cgroups is frozen (whichever tree the freeze went
 * through), 0 when one says thawed, -1 when none says. */
int snap_ctr_frozen(const struct snap *s, const struct container *c)
{
	const struct cgroup *g = snap_ctr_cgroup(s, c), *m = snap_ctr_cgroup_mem(s, c);
	int a = g ? g->frozen : -1, b = m ? m->frozen : -1;
	return a == 1 || b == 1 ? 1 : a > b ? a : b;
}
