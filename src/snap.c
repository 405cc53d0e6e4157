// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots: built once by the collectors, then only read. Rates are computed
 * while building, against the previous snapshot, so no reader ever mutates one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nstop.h"

uint64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void host_rates(struct snap *s, const struct snap *prev)
{
	if (!prev || !s->host.available || !prev->host.available)
		return;
	uint64_t dt = s->host.cpu_total_ticks - prev->host.cpu_total_ticks;
	uint64_t db = s->host.cpu_busy_ticks - prev->host.cpu_busy_ticks;
	if (s->host.cpu_total_ticks > prev->host.cpu_total_ticks && db <= dt)
		s->host.cpu_percent = (double)db / (double)dt * 100.0 * s->host.ncpu;
}

struct snap *snap_take(struct sysroot *sr, struct users *users, unsigned what,
		       const struct snap *prev)
{
	struct snap *s = xcalloc(1, sizeof(*s));
	s->hz = sysconf(_SC_CLK_TCK);
	s->layout = sr->layout;
	s->live = sr->live;
	s->users = users;
	s->host.cpu_percent = NAN;
	s->mono_usec = mono_usec();
	char up[128];
	if (read_small_at(sr->proc_fd, "uptime", up, sizeof(up)) > 0)
		s->uptime_sec = strtod(up, NULL);
	if (what & (SNAP_PROCS | SNAP_NS | SNAP_CGROUPS))
		proc_collect(s, sr);
	const struct proc *kthreadd = snap_proc(s, 2);
	if (kthreadd)
		memcpy(s->host_ns, kthreadd->ns, sizeof(s->host_ns));
	if (what & SNAP_PROCS)
		proc_nspids(s, sr);
	if (what & SNAP_NS)
		ns_collect(s, sr);
	if (what & (SNAP_CGROUPS | SNAP_CONTAINERS))
		cgroup_collect(s, sr);
	if (what & SNAP_CONTAINERS) {
		container_collect(s, sr);
		net_collect(s, sr);
	}
	if ((what & SNAP_HOST) && sr->live)
		host_collect(&s->host);
	proc_rates(s, prev);
	cgroup_rates(s, prev);
	host_rates(s, prev);
	if (what & SNAP_CONTAINERS)
		net_rates(s, prev);
	return s;
}

void snap_free(struct snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nprocs; i++) {
		free(s->procs[i].cmdline);
		free(s->procs[i].cg1);
	}
	free(s->procs);
	free(s->ns);
	free(s->cgs);
	free(s->ctrs);
	free(s->ifs);
	free(s->proc_ctr);
	hmap_free(&s->pid_idx);
	hmap_free(&s->ns_idx);
	hmap_free(&s->cg_idx);
	strtab_free(&s->strs);
	free(s);
}

const struct proc *snap_proc(const struct snap *s, pid_t pid)
{
	uint32_t k;
	if (pid <= 0 || !hmap_get(&s->pid_idx, (uint64_t)pid, &k))
		return NULL;
	return &s->procs[k];
}

const struct nsinfo *snap_ns(const struct snap *s, uint64_t ino)
{
	uint32_t k;
	if (!hmap_get(&s->ns_idx, ino, &k))
		return NULL;
	return &s->ns[k];
}

const struct cgroup *snap_cgroup(const struct snap *s, const char *path)
{
	const char *ip = strtab_find(&s->strs, path);
	uint32_t k;
	if (!ip || !hmap_get(&s->cg_idx, (uint64_t)(uintptr_t)ip, &k))
		return NULL;
	return &s->cgs[k];
}
