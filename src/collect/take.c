// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One snapshot from the collectors: the process table, then what derives
 * from it, the cgroups, the containers and the network; rates against the
 * previous snapshot while building, so the result is never mutated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

static void host_rates(struct snap *s, const struct snap *prev)
{
	if (!prev || !s->host.available || !prev->host.available)
		return;
	uint64_t dt = s->host.cpu_total_ticks - prev->host.cpu_total_ticks;
	uint64_t db = s->host.cpu_busy_ticks - prev->host.cpu_busy_ticks;
	if (s->host.cpu_total_ticks > prev->host.cpu_total_ticks && db <= dt)
		s->host.cpu_percent = (double)db / (double)dt * 100.0 * s->host.ncpu;
}

/*
 * One snapshot from a collector: the process table first (the collector
 * reads only what is new or asked afresh), then what is derived from it and
 * the cgroup files. what: SNAP_* bits; SNAP_PROCS asks for every process's
 * stat afresh (per-process CPU), the others for their tables. Containers
 * without SNAP_CGROUPS read only the containers' own cgroups;
 * collector_set_cgroup_depth limits SNAP_CGROUPS to a depth.
 */
struct snap *collector_take(struct collector *c, unsigned what, const struct snap *prev)
{
	struct sysroot *sr = collector_sysroot(c);
	struct snap *s = xcalloc(1, sizeof(*s));
	s->hz = sysconf(_SC_CLK_TCK);
	s->layout = sr->layout;
	s->live = sr->live;
	s->users = collector_users(c);
	s->host.cpu_percent = NAN;
	s->mono_usec = mono_usec();
	s->what = what;
	char up[128];
	if (read_small_at(sr->proc_fd, "uptime", up, sizeof(up)) > 0)
		s->uptime_sec = strtod(up, NULL);
	/* the cgroups alone need no process walk: cgroup.procs counts them */
	if (what & (SNAP_PROCS | SNAP_NS | SNAP_CONTAINERS))
		collector_procs(c, s, what);
	/* after collector_procs, which may have started a fresh pool */
	s->pool = pool_ref(collector_pool(c));
	s->strs = &s->pool->t;
	const struct proc *kthreadd = snap_proc(s, 2);
	if (kthreadd)
		memcpy(s->host_ns, kthreadd->ns, sizeof(s->host_ns));
	if (what & SNAP_NS) {
		ns_collect(s, sr, collector_nscache(c));
		/* the command and owner of each namespace's first process */
		pid_t *reps = xreallocarray(NULL, s->nns + 1, sizeof(*reps));
		for (size_t i = 0; i < s->nns; i++)
			reps[i] = s->ns[i].pid;
		collector_fill(c, s, reps, s->nns);
		free(reps);
	}
	uint64_t t0 = mono_usec();
	int depth = collector_cgroup_depth(c);
	if ((what & SNAP_CGROUPS) && depth >= 0) {
		const char **paths = NULL;
		size_t n = (what & SNAP_CONTAINERS) ? container_cgroups(s, &paths) : 0;
		cgroup_collect_depth(s, sr, collector_cgcache(c), depth, paths, n, collector_cgroup_lean(c));
		free(paths);
	} else if (what & SNAP_CGROUPS) {
		cgroup_collect(s, sr, collector_cgcache(c));
	}
	if (what & SNAP_CGROUPS)
		s->cg_mono_usec = t0 + (mono_usec() - t0) / 2;
	if (what & SNAP_CONTAINERS) {
		t0 = mono_usec();
		if (!(what & SNAP_CGROUPS)) {
			const char **paths;
			size_t n = container_cgroups(s, &paths);
			cgroup_collect_paths(s, sr, collector_cgcache(c), paths, n);
			free(paths);
			s->cg_mono_usec = t0 + (mono_usec() - t0) / 2;
		}
		container_collect(s, sr, collector_namecache(c));
		pid_t *inits = xreallocarray(NULL, s->nctrs + 1, sizeof(*inits));
		for (size_t i = 0; i < s->nctrs; i++)
			inits[i] = s->ctrs[i].init_pid;
		collector_fill(c, s, inits, s->nctrs);
		free(inits);
		t0 = mono_usec();
		net_collect(s, sr, collector_netcache(c));
		s->net_mono_usec = t0 + (mono_usec() - t0) / 2;
	}
	if ((what & SNAP_HOST) && sr->live)
		host_collect(&s->host);
	proc_rates(s, prev);
	cgroup_rates(s, prev);
	host_rates(s, prev);
	if (what & SNAP_CONTAINERS)
		net_rates(s, prev);
	collector_settle(c);
	return s;
}

/* The rates of s against prev, as collector_take computes them: for a
 * snapshot made elsewhere (a recording's sample). */
void snap_rates(struct snap *s, const struct snap *prev)
{
	proc_rates(s, prev);
	cgroup_rates(s, prev);
	host_rates(s, prev);
	net_rates(s, prev);
}

/* A one-shot snapshot: a collector used once. */
struct snap *snap_take(struct sysroot *sr, struct users *users, unsigned what,
		       const struct snap *prev)
{
	struct collector *c = collector_new(sr, users, false);
	struct snap *s = collector_take(c, what, prev);
	collector_free(c);
	return s;
}

