// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A snapshot as Prometheus metrics (text format 0.0.4, or OpenMetrics 1.0.0
 * for a server's scrape that asks for it): per container, per
 * cgroup down to a depth, per namespace type, and nstop's own. Only what the
 * snapshot holds; a figure this kernel or layout lacks (VAL_NA, NAN) and a
 * limit that is "max" leave their series out rather than write a made-up 0.
 * Names follow Prometheus' conventions: nstop_ prefix, base units (seconds,
 * bytes, ratios), _total on counters, _info gauges of 1 that carry labels.
 * The writer takes a snapshot and a buffer, so a one-shot `nstop metrics` and
 * a server's scrape of a kept-warm collector write the same thing.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "collect/collect.h"
#include "output.h"

enum val { V_U64, V_USEC, V_U32, V_PSI };

/* A figure of a cgroup, for containers (their cgroup) and per cgroup. */
struct cgfam {
	const char *ctr;        /* the per-container family */
	const char *cg;         /* the per-cgroup family, NULL when none */
	enum prom_type type;
	enum val val;
	size_t off;             /* in struct cgroup */
	bool mem;               /* containers: read from their memory controller's cgroup */
	const char *help;
};

#define F(field) offsetof(struct cgroup, field)
static const struct cgfam cgfams[] = {
	{"nstop_container_cpu_seconds_total", "nstop_cgroup_cpu_seconds_total", PROM_COUNTER, V_USEC,
	 F(cpu_usage_usec), false, "CPU time used (cpu.stat usage_usec, v1 cpuacct.usage)."},
	{"nstop_container_cpu_cfs_periods_total", NULL, PROM_COUNTER, V_U64, F(nr_periods), false,
	 "CFS enforcement periods elapsed (cpu.stat nr_periods)."},
	{"nstop_container_cpu_cfs_throttled_periods_total", NULL, PROM_COUNTER, V_U64,
	 F(nr_throttled), false, "CFS periods in which it was throttled (cpu.stat nr_throttled)."},
	{"nstop_container_cpu_cfs_throttled_seconds_total", NULL, PROM_COUNTER, V_USEC,
	 F(throttled_usec), false, "Time it was throttled (cpu.stat throttled_usec, v1 throttled_time)."},
	{"nstop_container_cpu_quota_seconds", NULL, PROM_GAUGE, V_USEC, F(cpu_quota_usec), false,
	 "CPU time it may use per period (cpu.max, v1 cpu.cfs_quota_us); absent when unlimited."},
	{"nstop_container_cpu_period_seconds", NULL, PROM_GAUGE, V_USEC, F(cpu_period_usec), false,
	 "The CFS period its quota applies to (cpu.max, v1 cpu.cfs_period_us)."},
	{"nstop_container_memory_usage_bytes", "nstop_cgroup_memory_usage_bytes", PROM_GAUGE, V_U64,
	 F(mem_current), true, "Memory in use, page cache included (memory.current, v1 memory.usage_in_bytes)."},
	{"nstop_container_memory_limit_bytes", "nstop_cgroup_memory_limit_bytes", PROM_GAUGE, V_U64,
	 F(mem_max), true, "Memory limit (memory.max, v1 memory.limit_in_bytes); absent when unlimited."},
	{"nstop_container_memory_high_bytes", NULL, PROM_GAUGE, V_U64, F(mem_high), true,
	 "Memory throttling threshold (memory.high, v2 only); absent when unlimited."},
	{"nstop_container_memory_anon_bytes", NULL, PROM_GAUGE, V_U64, F(mem_anon), true,
	 "Anonymous memory (memory.stat anon, v1 rss)."},
	{"nstop_container_memory_file_bytes", NULL, PROM_GAUGE, V_U64, F(mem_file), true,
	 "Page cache (memory.stat file, v1 cache)."},
	{"nstop_container_memory_swap_bytes", NULL, PROM_GAUGE, V_U64, F(swap_current), true,
	 "Swap in use, where accounted (memory.swap.current)."},
	{"nstop_container_oom_kills_total", NULL, PROM_COUNTER, V_U64, F(oom_kills), true,
	 "Processes killed by the OOM killer (memory.events oom_kill, v1 memory.oom_control)."},
	{"nstop_container_pids", "nstop_cgroup_pids", PROM_GAUGE, V_U64, F(pids_current), false,
	 "Tasks, threads included (pids.current)."},
	{"nstop_container_pids_limit", "nstop_cgroup_pids_limit", PROM_GAUGE, V_U64, F(pids_max), false,
	 "Task limit (pids.max); absent when unlimited."},
	{"nstop_container_io_read_bytes_total", NULL, PROM_COUNTER, V_U64, F(io_rbytes), false,
	 "Bytes read from block devices (io.stat rbytes, v1 blkio.throttle.io_service_bytes)."},
	{"nstop_container_io_write_bytes_total", NULL, PROM_COUNTER, V_U64, F(io_wbytes), false,
	 "Bytes written to block devices (io.stat wbytes, v1 blkio.throttle.io_service_bytes)."},
	{"nstop_container_pressure_cpu_some_avg10_ratio", NULL, PROM_GAUGE, V_PSI, F(psi_cpu), false,
	 "Share of the last 10 s in which some of its tasks waited for a CPU (cpu.pressure)."},
	{"nstop_container_pressure_memory_some_avg10_ratio", NULL, PROM_GAUGE, V_PSI, F(psi_mem), false,
	 "Share of the last 10 s in which some of its tasks waited for memory (memory.pressure)."},
	{"nstop_container_pressure_io_some_avg10_ratio", NULL, PROM_GAUGE, V_PSI, F(psi_io), false,
	 "Share of the last 10 s in which some of its tasks waited for I/O (io.pressure)."},
	{NULL, "nstop_cgroup_processes", PROM_GAUGE, V_U32, F(nprocs_rec), false,
	 "Processes in the cgroup and its descendants."},
};
#undef F

/* Ends the open sample with g's figure (cg_has said it has one). */
static void cg_value(struct prom *p, const struct cgroup *g, const struct cgfam *f)
{
	const char *at = (const char *)g + f->off;
	if (f->val == V_PSI) {
		double d;
		memcpy(&d, at, sizeof(d));
		prom_value(p, d / 100.0); /* avg10 is a percentage */
		return;
	}
	uint64_t v;
	if (f->val == V_U32) {
		uint32_t u;
		memcpy(&u, at, sizeof(u));
		v = u;
	} else {
		memcpy(&v, at, sizeof(v));
	}
	if (f->val == V_USEC)
		prom_value_usec(p, v);
	else
		prom_value_u64(p, v);
}

/* A figure present? Checked before a sample is begun, so none is left open. */
static bool cg_has(const struct cgroup *g, const struct cgfam *f)
{
	const char *at = (const char *)g + f->off;
	if (f->val == V_PSI) {
		double d;
		memcpy(&d, at, sizeof(d));
		return isfinite(d);
	}
	if (f->val == V_U32)
		return true;
	uint64_t v;
	memcpy(&v, at, sizeof(v));
	return v != VAL_NA && v != VAL_UNLIMITED;
}

static const struct cgroup *ctr_cg(const struct snap *s, const struct container *c, bool mem)
{
	const struct cgroup *g = mem && c->cg_memory ? snap_cgroup(s, c->cg_memory) : NULL;
	if (!g && c->cgroup)
		g = snap_cgroup(s, c->cgroup);
	return g;
}

struct ctx {
	struct prom p;
	const struct snap *s;
	const struct column *name_col;
	struct cell cell;
};

/* name, runtime, id, and where known Kubernetes' namespace and pod. */
static void ctr_labels(struct ctx *x, const struct container *c)
{
	get_cell(x->name_col, x->s, c, &x->cell);
	if (x->cell.type == CELL_STR)
		prom_label(&x->p, "name", x->cell.s, x->cell.slen);
	else
		prom_labelz(&x->p, "name", "");
	prom_labelz(&x->p, "runtime", runtime_name(c->rt));
	prom_labelz(&x->p, "id", c->id);
	if (c->pod) {
		/* the collector's "namespace/pod" */
		const char *sl = strchr(c->pod, '/');
		if (sl) {
			prom_label(&x->p, "namespace", c->pod, (size_t)(sl - c->pod));
			prom_labelz(&x->p, "pod", sl + 1);
		} else {
			prom_labelz(&x->p, "pod", c->pod);
		}
	}
}

static void containers(struct ctx *x)
{
	const struct snap *s = x->s;
	struct prom *p = &x->p;
	prom_family(p, "nstop_container_info", PROM_INFO,
		    "A container of any runtime, 1; its labels name it (cgroup: its cgroup's path).");
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		prom_sample(p);
		ctr_labels(x, c);
		if (c->cgroup)
			prom_labelz(p, "cgroup", c->cgroup);
		prom_value_u64(p, 1);
	}
	prom_family(p, "nstop_container_processes", PROM_GAUGE, "Processes in the container.");
	for (size_t i = 0; i < s->nctrs; i++) {
		prom_sample(p);
		ctr_labels(x, &s->ctrs[i]);
		prom_value_u64(p, s->ctrs[i].nprocs);
	}
	for (size_t k = 0; k < ARRAY_LEN(cgfams); k++) {
		const struct cgfam *f = &cgfams[k];
		if (!f->ctr)
			continue;
		prom_family(p, f->ctr, f->type, f->help);
		for (size_t i = 0; i < s->nctrs; i++) {
			const struct cgroup *g = ctr_cg(s, &s->ctrs[i], f->mem);
			if (!g || !cg_has(g, f))
				continue;
			prom_sample(p);
			ctr_labels(x, &s->ctrs[i]);
			cg_value(p, g, f);
		}
	}
	static const struct {
		const char *name, *help;
		bool tx;
	} net[] = {
		{"nstop_container_network_receive_bytes_total",
		 "Bytes received over its network namespace's interfaces but lo (root only).", false},
		{"nstop_container_network_transmit_bytes_total",
		 "Bytes sent over its network namespace's interfaces but lo (root only).", true},
	};
	for (size_t k = 0; k < ARRAY_LEN(net); k++) {
		prom_family(p, net[k].name, PROM_COUNTER, net[k].help);
		for (size_t i = 0; i < s->nctrs; i++) {
			const struct container *c = &s->ctrs[i];
			uint64_t v = net[k].tx ? c->net_tx : c->net_rx;
			if (v == VAL_NA)
				continue;
			prom_sample(p);
			ctr_labels(x, c);
			prom_value_u64(p, v);
		}
	}
}

static void cgroups(struct ctx *x, int depth)
{
	const struct snap *s = x->s;
	for (size_t k = 0; k < ARRAY_LEN(cgfams); k++) {
		const struct cgfam *f = &cgfams[k];
		if (!f->cg)
			continue;
		prom_family(&x->p, f->cg, f->type, f->help);
		for (size_t i = 0; i < s->ncgs; i++) {
			const struct cgroup *g = &s->cgs[i];
			if (g->depth > depth || !cg_has(g, f))
				continue;
			prom_sample(&x->p);
			prom_labelz(&x->p, "cgroup", g->path);
			cg_value(&x->p, g, f);
		}
	}
}

/* Per namespace type: how many there are and the processes in them. */
static void namespaces(struct ctx *x)
{
	const struct snap *s = x->s;
	uint64_t nns[NS_NTYPES] = {0}, nprocs[NS_NTYPES] = {0};
	for (size_t i = 0; i < s->nns; i++) {
		const struct nsinfo *n = &s->ns[i];
		if (n->ghost || n->type >= NS_NTYPES)
			continue; /* ghosts: known only as an owner or parent, no process */
		nns[n->type]++;
		nprocs[n->type] += n->nprocs;
	}
	prom_family(&x->p, "nstop_namespaces", PROM_GAUGE,
		    "Namespaces of the type that hold processes, as lsns lists them.");
	for (int t = 0; t < NS_NTYPES; t++) {
		prom_sample(&x->p);
		prom_labelz(&x->p, "type", ns_type_name((enum ns_type)t));
		prom_value_u64(&x->p, nns[t]);
	}
	prom_family(&x->p, "nstop_namespace_processes", PROM_GAUGE,
		    "Processes in namespaces of the type (each process once per type).");
	for (int t = 0; t < NS_NTYPES; t++) {
		prom_sample(&x->p);
		prom_labelz(&x->p, "type", ns_type_name((enum ns_type)t));
		prom_value_u64(&x->p, nprocs[t]);
	}
}

/* Parts of the state the snapshot could not read. */
static unsigned snap_errors(const struct snap *s)
{
	unsigned n = 0;
	if ((s->what & (SNAP_CGROUPS | SNAP_CONTAINERS)) && s->cg_err.code)
		n++;
	if ((s->what & (SNAP_PROCS | SNAP_NS | SNAP_CGROUPS | SNAP_CONTAINERS)) && !s->nprocs)
		n++;
	return n;
}

void metrics_write(struct buf *out, const struct snap *s, const struct metrics_opts *o)
{
	struct ctx x = {.s = s, .name_col = table_find(&table_containers, "NAME", 4)};
	prom_init(&x.p, out);
	x.p.om = o->openmetrics;
	if (s->what & SNAP_CONTAINERS)
		containers(&x);
	if (s->what & SNAP_CGROUPS)
		cgroups(&x, o->cgroup_depth);
	if (s->what & SNAP_NS)
		namespaces(&x);
	prom_family(&x.p, "nstop_build_info", PROM_INFO, "The nstop that wrote these metrics, 1.");
	prom_sample(&x.p);
	prom_labelz(&x.p, "version", NSTOP_VERSION);
	prom_value_u64(&x.p, 1);
	if (isfinite(o->scrape_seconds)) {
		prom_family(&x.p, "nstop_scrape_duration_seconds", PROM_GAUGE,
			    "Time taken to collect the state these metrics show.");
		prom_sample(&x.p);
		prom_value(&x.p, o->scrape_seconds);
	}
	prom_family(&x.p, "nstop_scrape_errors", PROM_GAUGE,
		    "Parts of the state that could not be collected for these metrics "
		    "(the cgroup trees, the process table), plus the caller's failures.");
	prom_sample(&x.p);
	prom_value_u64(&x.p, snap_errors(s) + o->errors);
	prom_end(&x.p);
	buf_free(&x.cell.tmp);
	prom_free(&x.p);
}
