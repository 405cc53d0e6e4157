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

/* whether the path component c (n chars) names the pod of uid: kubelet's
 * pod<uid> (cgroupfs) or ...-pod<uid, '-' as '_'>.slice (systemd) */
static bool pod_component(const char *c, size_t n, const char *uid)
{
	size_t u = strlen(uid);
	if (n >= 6 && !memcmp(c + n - 6, ".slice", 6))
		n -= 6;
	if (!u || n < u + 3 || memcmp(c + n - u - 3, "pod", 3))
		return false;
	const char *v = c + n - u;
	for (size_t i = 0; i < u; i++)
		if (v[i] != uid[i] && !(uid[i] == '-' && v[i] == '_'))
			return false;
	return n == u + 3 || c[n - u - 4] == '-';
}

/* the length of path's leading components through the one naming the pod
 * of uid (the pod's cgroup); 0 when none does */
static size_t pod_dir_len(const char *path, const char *uid)
{
	if (!path || !uid)
		return 0;
	for (const char *c = path; *c;) {
		if (*c == '/') {
			c++;
			continue;
		}
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (pod_component(c, n, uid))
			return (size_t)(c + n - path);
		c += n;
	}
	return 0;
}

/*
 * A row per Kubernetes pod of the live containers, in the order of each
 * pod's first container in s (containers --by-pod): its figures are its
 * pod cgroup's (kubelet's pod<uid> directory, whose CPU, memory and limits
 * are the pod's own totals); its processes are those of the containers
 * whose cgroup is beneath that directory (a pod's name and uid come from a
 * runtime's annotations: the kernel's placement decides); its traffic that
 * of each network namespace those containers are in, once. A pod without
 * a uid, or none of whose containers is beneath its directory, has none.
 * pod_row set, named and identified as the pod. The paths made are in
 * *paths (NULL ended): free each and it, after the rows.
 */
size_t snap_pod_rows(const struct snap *s, struct container **out, char ***paths)
{
	struct container *rows = NULL;
	char **made = xcalloc(s->nctrs + 1, sizeof(*made));
	size_t n = 0;
	bool *done = xcalloc(s->nctrs + 1, sizeof(*done));
	uint64_t *nets = xcalloc(s->nctrs + 1, sizeof(*nets));
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *a = &s->ctrs[i];
		size_t dl = a->last_cg ? 0 : pod_dir_len(a->cgroup, a->pod_uid);
		if (done[i] || !a->pod || !dl)
			continue;
		struct container r = {0};
		r.rt = a->rt;
		r.pod = r.name = a->pod;
		r.pod_name = a->pod_name;
		r.pod_ns = a->pod_ns;
		r.pod_uid = r.id = a->pod_uid;
		r.pod_row = true;
		r.net_rx = r.net_tx = VAL_NA;
		r.net_rxps = r.net_txps = NAN;
		r.cgroup = made[n] = xmemdup0(a->cgroup, dl);
		const struct container *rep = NULL;
		size_t nnets = 0;
		bool stopped = true;
		for (size_t j = i; j < s->nctrs; j++) {
			const struct container *b = &s->ctrs[j];
			if (done[j] || b->last_cg || !b->pod || !b->pod_uid || strcmp(a->pod, b->pod) ||
			    strcmp(a->pod_uid, b->pod_uid) || pod_dir_len(b->cgroup, b->pod_uid) != dl ||
			    strncmp(a->cgroup, b->cgroup, dl))
				continue;
			done[j] = true;
			r.nprocs += b->nprocs;
			stopped = stopped && (b->stopped || !b->nprocs);
			if (b->init_pid && (!rep || (b->sandbox && !rep->sandbox) ||
					    (b->sandbox == rep->sandbox && b->init_pid < rep->init_pid)))
				rep = b;
			/* each network namespace once (a pod's, or the host's) */
			size_t k = 0;
			while (k < nnets && nets[k] != b->netns)
				k++;
			if (!b->netns || k < nnets)
				continue;
			nets[nnets++] = b->netns;
			if (isfinite(b->net_rxps))
				r.net_rxps = (isfinite(r.net_rxps) ? r.net_rxps : 0) + b->net_rxps;
			if (isfinite(b->net_txps))
				r.net_txps = (isfinite(r.net_txps) ? r.net_txps : 0) + b->net_txps;
			if (b->net_rx != VAL_NA)
				r.net_rx = (r.net_rx != VAL_NA ? r.net_rx : 0) + b->net_rx;
			if (b->net_tx != VAL_NA)
				r.net_tx = (r.net_tx != VAL_NA ? r.net_tx : 0) + b->net_tx;
		}
		r.stopped = stopped;
		if (rep) {
			r.init_pid = rep->init_pid;
			r.host_pidns = rep->host_pidns;
			r.host_net = rep->host_net;
			r.own_ns = rep->own_ns;
			r.netns = rep->netns;
		}
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		rows[n++] = r;
	}
	free(done);
	free(nets);
	*out = rows;
	*paths = made;
	return n;
}
