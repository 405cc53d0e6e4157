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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"
#include "output.h"

enum val { V_U64, V_USEC, V_U32, V_PCT }; /* V_PCT: a double in percent, NAN absent */

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
	{"nstop_container_cpu_cfs_periods_total", "nstop_cgroup_cpu_cfs_periods_total", PROM_COUNTER,
	 V_U64, F(nr_periods), false, "CFS enforcement periods elapsed (cpu.stat nr_periods)."},
	{"nstop_container_cpu_cfs_throttled_periods_total", "nstop_cgroup_cpu_cfs_throttled_periods_total",
	 PROM_COUNTER, V_U64, F(nr_throttled), false,
	 "CFS periods in which it was throttled (cpu.stat nr_throttled)."},
	{"nstop_container_cpu_cfs_throttled_seconds_total", "nstop_cgroup_cpu_cfs_throttled_seconds_total",
	 PROM_COUNTER, V_USEC, F(throttled_usec), false,
	 "Time it was throttled (cpu.stat throttled_usec, v1 throttled_time)."},
	{"nstop_container_cpu_quota_seconds", "nstop_cgroup_cpu_quota_seconds", PROM_GAUGE, V_USEC,
	 F(cpu_quota_usec), false,
	 "CPU time it may use per period (cpu.max, v1 cpu.cfs_quota_us); absent when unlimited."},
	{"nstop_container_cpu_period_seconds", "nstop_cgroup_cpu_period_seconds", PROM_GAUGE, V_USEC,
	 F(cpu_period_usec), false,
	 "The CFS period its quota applies to (cpu.max, v1 cpu.cfs_period_us)."},
	{"nstop_container_cpu_effective_limit_cores", "nstop_cgroup_cpu_effective_limit_cores", PROM_GAUGE,
	 V_PCT, F(eff_cpu_percent), false,
	 "CPUs it may use: the tightest quota / period on its path to the root; absent when none is set."},
	{"nstop_container_memory_usage_bytes", "nstop_cgroup_memory_usage_bytes", PROM_GAUGE, V_U64,
	 F(mem_current), true,
	 "Memory in use, page cache included (memory.current, v1 memory.usage_in_bytes)."},
	{"nstop_container_memory_working_set_bytes", "nstop_cgroup_memory_working_set_bytes", PROM_GAUGE,
	 V_U64, F(mem_wset), true,
	 "Memory in use less inactive page cache (memory.current - memory.stat inactive_file), "
	 "as cAdvisor and the kubelet's evictions count it."},
	{"nstop_container_memory_limit_bytes", "nstop_cgroup_memory_limit_bytes", PROM_GAUGE, V_U64,
	 F(mem_max), true, "Memory limit (memory.max, v1 memory.limit_in_bytes); absent when unlimited."},
	{"nstop_container_memory_effective_limit_bytes", "nstop_cgroup_memory_effective_limit_bytes",
	 PROM_GAUGE, V_U64, F(eff_mem_max), true,
	 "The tightest memory limit on its path to the root, its own included; absent when none is set."},
	{"nstop_container_memory_high_bytes", NULL, PROM_GAUGE, V_U64, F(mem_high), true,
	 "Memory throttling threshold (memory.high, v2 only); absent when unlimited."},
	{"nstop_container_memory_anon_bytes", NULL, PROM_GAUGE, V_U64, F(mem_anon), true,
	 "Anonymous memory (memory.stat anon, v1 rss)."},
	{"nstop_container_memory_file_bytes", NULL, PROM_GAUGE, V_U64, F(mem_file), true,
	 "Page cache (memory.stat file, v1 cache)."},
	{"nstop_container_memory_swap_bytes", NULL, PROM_GAUGE, V_U64, F(swap_current), true,
	 "Swap in use, where accounted (memory.swap.current)."},
	{"nstop_container_oom_kills_total", "nstop_cgroup_oom_kills_total", PROM_COUNTER, V_U64,
	 F(oom_kills), true,
	 "Processes killed by the OOM killer (memory.events oom_kill, v1 memory.oom_control)."},
	{"nstop_container_pids", "nstop_cgroup_pids", PROM_GAUGE, V_U64, F(pids_current), false,
	 "Tasks, threads included (pids.current)."},
	{"nstop_container_pids_limit", "nstop_cgroup_pids_limit", PROM_GAUGE, V_U64, F(pids_max), false,
	 "Task limit (pids.max); absent when unlimited."},
	{"nstop_container_pids_effective_limit", "nstop_cgroup_pids_effective_limit", PROM_GAUGE, V_U64,
	 F(eff_pids_max), false,
	 "The tightest task limit on its path to the root, its own included; absent when none is set."},
	{"nstop_container_io_read_bytes_total", "nstop_cgroup_io_read_bytes_total", PROM_COUNTER, V_U64,
	 F(io_rbytes), false,
	 "Bytes read from block devices (io.stat rbytes, v1 blkio.throttle.io_service_bytes)."},
	{"nstop_container_io_write_bytes_total", "nstop_cgroup_io_write_bytes_total", PROM_COUNTER, V_U64,
	 F(io_wbytes), false,
	 "Bytes written to block devices (io.stat wbytes, v1 blkio.throttle.io_service_bytes)."},
	{"nstop_container_pressure_cpu_some_avg10_ratio", NULL, PROM_GAUGE, V_PCT, F(psi_cpu), false,
	 "Share of the last 10 s in which some of its tasks waited for a CPU (cpu.pressure)."},
	{"nstop_container_pressure_memory_some_avg10_ratio", NULL, PROM_GAUGE, V_PCT, F(psi_mem), false,
	 "Share of the last 10 s in which some of its tasks waited for memory (memory.pressure)."},
	{"nstop_container_pressure_io_some_avg10_ratio", NULL, PROM_GAUGE, V_PCT, F(psi_io), false,
	 "Share of the last 10 s in which some of its tasks waited for I/O (io.pressure)."},
	/* PSI's stall totals; a rate of one is the share of time stalled */
	{"nstop_container_pressure_cpu_some_seconds_total", "nstop_cgroup_pressure_cpu_some_seconds_total",
	 PROM_COUNTER, V_USEC, F(psi_some[PSI_CPU].total), false,
	 "Time in which some of its tasks waited for a CPU (cpu.pressure some total)."},
	{"nstop_container_pressure_cpu_full_seconds_total", "nstop_cgroup_pressure_cpu_full_seconds_total",
	 PROM_COUNTER, V_USEC, F(psi_full[PSI_CPU].total), false,
	 "Time in which all of its non-idle tasks waited for a CPU at once (cpu.pressure full total)."},
	{"nstop_container_pressure_memory_some_seconds_total",
	 "nstop_cgroup_pressure_memory_some_seconds_total", PROM_COUNTER, V_USEC,
	 F(psi_some[PSI_MEM].total), false,
	 "Time in which some of its tasks waited for memory (memory.pressure some total)."},
	{"nstop_container_pressure_memory_full_seconds_total",
	 "nstop_cgroup_pressure_memory_full_seconds_total", PROM_COUNTER, V_USEC,
	 F(psi_full[PSI_MEM].total), false,
	 "Time in which all of its non-idle tasks waited for memory at once "
	 "(memory.pressure full total)."},
	{"nstop_container_pressure_io_some_seconds_total", "nstop_cgroup_pressure_io_some_seconds_total",
	 PROM_COUNTER, V_USEC, F(psi_some[PSI_IO].total), false,
	 "Time in which some of its tasks waited for I/O (io.pressure some total)."},
	{"nstop_container_pressure_io_full_seconds_total", "nstop_cgroup_pressure_io_full_seconds_total",
	 PROM_COUNTER, V_USEC, F(psi_full[PSI_IO].total), false,
	 "Time in which all of its non-idle tasks waited for I/O at once (io.pressure full total)."},
	{NULL, "nstop_cgroup_processes", PROM_GAUGE, V_U32, F(nprocs_rec), false,
	 "Processes in the cgroup and its descendants."},
};
#undef F

/* Ends the open sample with g's figure (cg_has said it has one). */
static void cg_value(struct prom *p, const struct cgroup *g, const struct cgfam *f)
{
	const char *at = (const char *)g + f->off;
	if (f->val == V_PCT) {
		double d;
		memcpy(&d, at, sizeof(d));
		prom_value(p, d / 100.0); /* PSI's avg10, a CPU limit: percentages */
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
	if (f->val == V_PCT) {
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

/*
 * Label texts, escaped once per scrape rather than once per sample: each
 * container's (and its rows, looked up once) and each cgroup row's down to
 * the depth. The text between at[i] and at[i + 1] is row i's; distinct says
 * no two of them are alike (two raw names may escape alike: then every
 * sample is checked against those before, as prom's writer does).
 */
struct labels {
	struct buf text;
	size_t *at;
	bool distinct;
};

struct ctx {
	struct prom p;
	const struct snap *s;
	struct labels ctr, cg;
	const struct cgroup **ctr_g;  /* per container: its cgroup's row, its memory one */
};

static void labels_end(struct labels *l, size_t n)
{
	struct hmap seen = {0};
	l->distinct = true;
	for (size_t i = 0; i < n && l->distinct; i++) {
		/* equal hashes are taken for equal texts: at worst checked needlessly */
		uint64_t h = hash_bytes(l->text.p + l->at[i], l->at[i + 1] - l->at[i]);
		if (hmap_get(&seen, h, NULL))
			l->distinct = false;
		hmap_put(&seen, h, 1);
	}
	hmap_free(&seen);
}

static void labels_free(struct labels *l)
{
	buf_free(&l->text);
	free(l->at);
}

/* Writes container i's labels on the open sample. */
static void ctr_labels(struct ctx *x, size_t i)
{
	prom_labels(&x->p, x->ctr.text.p + x->ctr.at[i], x->ctr.at[i + 1] - x->ctr.at[i]);
}

/* name, runtime, id, image, Kubernetes' pod and namespace: every one on
 * every container's series, "" where unknown (Prometheus reads an empty
 * label as absent), so each family has one label set. */
static void ctr_prepare(struct ctx *x)
{
	const struct snap *s = x->s;
	const struct column *name_col = table_find(&table_containers, "NAME", 4);
	struct cell cell = {0};
	struct buf *b = &x->ctr.text;
	x->ctr.at = xreallocarray(NULL, s->nctrs + 1, sizeof(*x->ctr.at));
	x->ctr_g = xreallocarray(NULL, 2 * s->nctrs + 1, sizeof(*x->ctr_g));
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		x->ctr.at[i] = b->len;
		get_cell(name_col, s, c, &cell);
		if (cell.type == CELL_STR)
			prom_label_text(b, "name", cell.s, cell.slen);
		else
			prom_label_text(b, "name", "", 0);
		buf_addc(b, ',');
		prom_label_text(b, "runtime", runtime_name(c->rt), strlen(runtime_name(c->rt)));
		buf_addc(b, ',');
		prom_label_text(b, "id", c->id, strlen(c->id));
		buf_addc(b, ',');
		const char *img = c->image ? c->image : "";
		prom_label_text(b, "image", img, strlen(img));
		/* the collector's "namespace/pod" */
		const char *pod = c->pod ? c->pod : "";
		const char *sl = strchr(pod, '/');
		const char *pn = sl ? sl + 1 : pod;
		buf_addc(b, ',');
		prom_label_text(b, "pod", pn, strlen(pn));
		buf_addc(b, ',');
		prom_label_text(b, "namespace", pod, sl ? (size_t)(sl - pod) : 0);
		x->ctr_g[2 * i] = ctr_cg(s, c, false);
		x->ctr_g[2 * i + 1] = ctr_cg(s, c, true);
	}
	x->ctr.at[s->nctrs] = b->len;
	labels_end(&x->ctr, s->nctrs);
	buf_free(&cell.tmp);
}

/* A family of per-container samples: every sample's labels are one
 * container's, so they are distinct when the containers' are. */
static void ctr_family(struct ctx *x, const char *name, enum prom_type type, const char *help)
{
	prom_family(&x->p, name, type, help);
	if (x->ctr.distinct)
		prom_distinct(&x->p);
}

static void containers(struct ctx *x)
{
	const struct snap *s = x->s;
	struct prom *p = &x->p;
	ctr_prepare(x);
	ctr_family(x, "nstop_container_info", PROM_INFO,
		   "A container of any runtime, 1; its labels name it (cgroup: its cgroup's path).");
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		prom_sample(p);
		ctr_labels(x, i);
		prom_labelz(p, "cgroup", c->cgroup ? c->cgroup : ""); /* unnamed ones: none */
		prom_value_u64(p, 1);
	}
	ctr_family(x, "nstop_container_processes", PROM_GAUGE, "Processes in the container.");
	for (size_t i = 0; i < s->nctrs; i++) {
		prom_sample(p);
		ctr_labels(x, i);
		prom_value_u64(p, s->ctrs[i].nprocs);
	}
	for (size_t k = 0; k < ARRAY_LEN(cgfams); k++) {
		const struct cgfam *f = &cgfams[k];
		if (!f->ctr)
			continue;
		ctr_family(x, f->ctr, f->type, f->help);
		for (size_t i = 0; i < s->nctrs; i++) {
			const struct cgroup *g = x->ctr_g[2 * i + f->mem];
			if (!g || !cg_has(g, f))
				continue;
			prom_sample(p);
			ctr_labels(x, i);
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
		ctr_family(x, net[k].name, PROM_COUNTER, net[k].help);
		for (size_t i = 0; i < s->nctrs; i++) {
			const struct container *c = &s->ctrs[i];
			uint64_t v = net[k].tx ? c->net_tx : c->net_rx;
			if (v == VAL_NA)
				continue;
			prom_sample(p);
			ctr_labels(x, i);
			prom_value_u64(p, v);
		}
	}
}

/* Every interface of the network namespaces the containers' inits are in
 * (what the collector joined: root only), lo included, keyed by the
 * namespace's inode as lsns shows it; interface names are untrusted. */
static void netifs(struct ctx *x)
{
	const struct snap *s = x->s;
	static const struct {
		const char *name, *help;
		bool tx;
	} net[] = {
		{"nstop_netns_network_receive_bytes_total",
		 "Bytes received by the interface of the network namespace (root only).", false},
		{"nstop_netns_network_transmit_bytes_total",
		 "Bytes sent by the interface of the network namespace (root only).", true},
	};
	char ino[24];
	for (size_t k = 0; k < ARRAY_LEN(net); k++) {
		prom_family(&x->p, net[k].name, PROM_COUNTER, net[k].help);
		for (size_t i = 0; i < s->nifs; i++) {
			const struct netif *f = &s->ifs[i];
			uint64_t v = net[k].tx ? f->tx_bytes : f->rx_bytes;
			if (v == VAL_NA)
				continue;
			prom_sample(&x->p);
			snprintf(ino, sizeof(ino), "%llu", (unsigned long long)f->netns);
			prom_labelz(&x->p, "netns", ino);
			prom_labelz(&x->p, "interface", f->name ? f->name : "");
			prom_value_u64(&x->p, v);
		}
	}
}

static void cgroups(struct ctx *x, int depth)
{
	const struct snap *s = x->s;
	struct buf *b = &x->cg.text;
	x->cg.at = xreallocarray(NULL, s->ncgs + 1, sizeof(*x->cg.at));
	/* the rows shown, their labels each after the one before */
	const struct cgroup **rows = xreallocarray(NULL, s->ncgs + 1, sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < s->ncgs; i++) {
		if (s->cgs[i].depth > depth)
			continue;
		rows[n] = &s->cgs[i];
		x->cg.at[n++] = b->len;
		prom_label_text(b, "cgroup", s->cgs[i].path, strlen(s->cgs[i].path));
	}
	x->cg.at[n] = b->len;
	labels_end(&x->cg, n);
	for (size_t k = 0; k < ARRAY_LEN(cgfams); k++) {
		const struct cgfam *f = &cgfams[k];
		if (!f->cg)
			continue;
		prom_family(&x->p, f->cg, f->type, f->help);
		if (x->cg.distinct)
			prom_distinct(&x->p);
		for (size_t i = 0; i < n; i++) {
			const struct cgroup *g = rows[i];
			if (!cg_has(g, f))
				continue;
			prom_sample(&x->p);
			prom_labels(&x->p, b->p + x->cg.at[i], x->cg.at[i + 1] - x->cg.at[i]);
			cg_value(&x->p, g, f);
		}
	}
	free(rows);
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
	struct ctx x = {.s = s};
	prom_init(&x.p, out);
	x.p.om = o->openmetrics;
	if (s->what & SNAP_CONTAINERS) {
		containers(&x);
		netifs(&x);
	}
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
	labels_free(&x.ctr);
	labels_free(&x.cg);
	free(x.ctr_g);
	prom_free(&x.p);
}
