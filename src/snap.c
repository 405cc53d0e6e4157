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

/* the length of the leading path components of a (its first n chars) that
 * b has too ("/a/b" and "/a/c": 2) */
static size_t common_dir(const char *a, size_t n, const char *b)
{
	size_t last = 0;
	for (size_t i = 0;; i++) {
		bool aend = i == n || a[i] == '/', bend = !b[i] || b[i] == '/';
		if (aend && bend && i)
			last = i;
		if (i == n || !b[i] || a[i] != b[i])
			break;
	}
	return last;
}

/* the directory holding every path: their common components, one up when
 * that is one of them (a pod of one container); NULL when only "/" */
static char *pod_dir(const char *const *v, size_t n)
{
	if (!n || !v[0])
		return NULL;
	size_t len = strlen(v[0]);
	for (size_t i = 1; i < n; i++) {
		if (!v[i])
			return NULL;
		len = common_dir(v[0], len, v[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len) {
			while (len && v[0][len - 1] != '/')
				len--;
			if (len)
				len--;
			break;
		}
	return len > 1 ? xmemdup0(v[0], len) : NULL;
}

static bool same_pod(const struct container *a, const struct container *b)
{
	if (!a->pod || !b->pod || strcmp(a->pod, b->pod))
		return false;
	return !a->pod_uid || !b->pod_uid || !strcmp(a->pod_uid, b->pod_uid);
}

/*
 * A row per Kubernetes pod of the live containers, in the order of each
 * pod's first container in s (containers --by-pod): its figures are its
 * cgroup's, the one its containers' cgroups share (kubelet's pod cgroup,
 * whose CPU, memory and limits are the pod's own totals); its processes the
 * sum of its containers'; its traffic that of each network namespace its
 * containers hold, once (a pod's sandbox holds the pod's). pod_row set,
 * named and identified as the pod. The paths made are in *paths (NULL
 * ended): free each and it, after the rows.
 */
size_t snap_pod_rows(const struct snap *s, struct container **out, char ***paths)
{
	struct container *rows = NULL;
	char **made = xcalloc(2 * s->nctrs + 1, sizeof(*made));
	size_t n = 0, nmade = 0;
	bool *done = xcalloc(s->nctrs + 1, sizeof(*done));
	const char **cg = xcalloc(s->nctrs + 1, sizeof(*cg));
	const char **cgm = xcalloc(s->nctrs + 1, sizeof(*cgm));
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *a = &s->ctrs[i];
		if (done[i] || !a->pod || a->last_cg)
			continue;
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		struct container *r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->rt = a->rt;
		r->pod = r->name = a->pod;
		r->pod_name = a->pod_name;
		r->pod_ns = a->pod_ns;
		r->pod_uid = a->pod_uid;
		r->id = a->pod_uid ? a->pod_uid : a->pod;
		r->pod_row = true;
		r->net_rx = r->net_tx = VAL_NA;
		r->net_rxps = r->net_txps = NAN;
		const struct container *rep = NULL;
		size_t ncg = 0, ncgm = 0, nmem = 0;
		bool stopped = true;
		for (size_t j = i; j < s->nctrs; j++) {
			const struct container *b = &s->ctrs[j];
			if (done[j] || b->last_cg || !same_pod(a, b))
				continue;
			done[j] = true;
			nmem++;
			r->nprocs += b->nprocs;
			stopped = stopped && (b->stopped || !b->nprocs);
			if (b->init_pid && (!rep || (b->sandbox && !rep->sandbox) ||
					    (b->sandbox == rep->sandbox && b->init_pid < rep->init_pid)))
				rep = b;
			cg[ncg++] = b->cgroup;
			if (b->cg_memory)
				cgm[ncgm++] = b->cg_memory;
			/* each namespace once: on the row that holds it */
			if (!b->netns_holder || &s->ctrs[b->netns_holder - 1] == b) {
				if (isfinite(b->net_rxps))
					r->net_rxps = (isfinite(r->net_rxps) ? r->net_rxps : 0) + b->net_rxps;
				if (isfinite(b->net_txps))
					r->net_txps = (isfinite(r->net_txps) ? r->net_txps : 0) + b->net_txps;
				if (b->net_rx != VAL_NA)
					r->net_rx = (r->net_rx != VAL_NA ? r->net_rx : 0) + b->net_rx;
				if (b->net_tx != VAL_NA)
					r->net_tx = (r->net_tx != VAL_NA ? r->net_tx : 0) + b->net_tx;
			}
		}
		r->stopped = stopped;
		if (rep) {
			r->init_pid = rep->init_pid;
			r->host_pidns = rep->host_pidns;
			r->host_net = rep->host_net;
			r->own_ns = rep->own_ns;
			r->netns = rep->netns;
		}
		char *d = pod_dir(cg, ncg);
		if (d)
			r->cgroup = made[nmade++] = d;
		d = ncgm == nmem ? pod_dir(cgm, ncgm) : NULL;
		if (d)
			r->cg_memory = made[nmade++] = d;
	}
	free(done);
	free(cg);
	free(cgm);
	*out = rows;
	*paths = made;
	return n;
}
