// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup walk: every mounted hierarchy (v2, v1 controllers, the unified
 * tree of hybrid hosts) is walked through dir fds, and rows are merged by path
 * as systemd-cgtop does. A file this kernel or layout lacks leaves its field
 * VAL_NA ("not available"), never zero.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "parse.h"
#include "collect.h"

#define CG_MAX_DEPTH 64
#define CG_MAX_ROWS 200000

/* cgroup.procs of every cgroup read, when no process table counts them:
 * per pid, its cgroup's interned path in each hierarchy (NULL: none).
 * A path that several hierarchies have is read in the first only (v1
 * sorts each read's pid list: five hierarchies cost five times one); the
 * others take its processes there as theirs (skipped), as runtimes and
 * systemd place a process at the same path in every hierarchy. */
struct pidcg {
	struct hmap idx;        /* pid -> slot */
	struct hmap readat;     /* interned path -> hierarchy it was read in */
	struct hmap skipped;    /* path << 6 | hierarchy: not read, its first hierarchy's stand */
	const char **paths;     /* nslots * nm */
	size_t n, cap;
	int nm, mi;             /* hierarchies; the one being read */
	const char *path;       /* the cgroup being read */
	bool filled;            /* fill_skipped done (the pids a root read adds need none) */
	bool late;              /* a root read after the walk: a pid the walk saw in a
				 * cgroup beneath (it moved) stays there, as when
				 * the root was read first */
	bool exact;             /* every root's read, none taken by elimination: a
				 * --depth walk that does not read below its rows */
	const char *root[CG_MAX_MOUNTS]; /* each hierarchy's root row, once read */
	bool direct[CG_MAX_MOUNTS];      /* its root read, none put there by elimination */
	uint64_t all;           /* exact: processes in all, every one at the root row
				 * root[allh] (a hierarchy with no cgroup beneath its root) */
	int allh;               /* -1: no such hierarchy */
};

struct walk {
	struct snap *s;
	struct hmap idx;        /* interned path -> row */
	size_t cap;
	struct buf b;
	struct cgcache *cc;
	struct cgnode *node;    /* the cgroup being read, and its dir fd */
	int dfd;
	struct pidcg *pc;       /* NULL: processes counted from the process table */
	bool rates_only;        /* SNAP_CGRATES */
	bool at_root;           /* the cgroup being read is its hierarchy's root */
	int maxdepth;           /* rows deeper than this are not walked into */
	bool lean;              /* for metrics: nothing they do not show (frozen, cpusets, weights) */
	unsigned needs;         /* CGN_* bits: the figures read (cgcache_set_needs) */
};

/* whether any of the figures in bits is asked for */
#define NEED(w, bits) (((w)->needs & (bits)) != 0)

static int rd(struct walk *w, enum cgf f, char *out, size_t n)
{
	return cgcache_read(w->cc, w->node, w->dfd, f, out, n);
}

static int rdb(struct walk *w, enum cgf f, struct buf *b)
{
	return cgcache_read_buf(w->cc, w->node, w->dfd, f, b);
}

static bool has_ctrl(const struct cg_mount *m, const char *c)
{
	return cgx_has_ctrl(m->controllers, c);
}

/* "/" 0, "/a" 1, "/a/b" 2 */
static int path_depth(const char *path)
{
	int depth = 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			depth++;
	return depth;
}

static void init_row(struct cgroup *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	uint64_t *na[] = {&c->cpu_usage_usec, &c->mem_current, &c->mem_anon, &c->mem_file,
			  &c->swap_current, &c->io_rbytes, &c->io_wbytes, &c->cpu_quota_usec,
			  &c->cpu_period_usec, &c->mem_max, &c->mem_high, &c->pids_max,
			  &c->pids_current, &c->nr_periods, &c->nr_throttled,
			  &c->throttled_usec, &c->oom_kills, &c->mem_inactive_file, &c->mem_shmem,
			  &c->mem_kernel, &c->mem_sock, &c->mem_wset, &c->eff_mem_max, &c->eff_pids_max,
			  &c->mem_headroom, &c->pids_headroom, &c->mev_low, &c->mev_high,
			  &c->mev_max, &c->mev_oom, &c->mem_min, &c->mem_low, &c->cpu_weight,
			  &c->cpuset_ncpus};
	for (size_t i = 0; i < ARRAY_LEN(na); i++)
		*na[i] = VAL_NA;
	c->psi_cpu = c->psi_mem = c->psi_io = NAN;
	c->cpu_percent = c->io_rbps = c->io_wbps = c->throttled_percent = NAN;
	c->eff_cpu_percent = c->cpu_headroom = NAN;
	for (int i = 0; i < PSI_NRES; i++) {
		struct cg_psi *q[] = {&c->psi_some[i], &c->psi_full[i]};
		for (int j = 0; j < 2; j++) {
			q[j]->avg10 = q[j]->avg60 = q[j]->avg300 = NAN;
			q[j]->total = VAL_NA;
		}
	}
	c->frozen = -1;
	c->depth = path_depth(path);
}

static struct cgroup *row_for(struct walk *w, const char *path)
{
	struct snap *s = w->s;
	const char *ip = strtab_intern(s->strs, path, strlen(path));
	uint32_t k;
	if (hmap_get(&w->idx, (uint64_t)(uintptr_t)ip, &k))
		return &s->cgs[k];
	if (s->ncgs >= CG_MAX_ROWS)
		return NULL;
	if (s->ncgs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 128;
		s->cgs = xreallocarray(s->cgs, w->cap, sizeof(*s->cgs));
	}
	k = (uint32_t)s->ncgs++;
	init_row(&s->cgs[k], ip);
	hmap_put(&w->idx, (uint64_t)(uintptr_t)ip, k);
	return &s->cgs[k];
}

/* A file holding one number (a counter); absent or junk leaves *out alone. */
static void rd_u64(struct walk *w, enum cgf name, uint64_t *out)
{
	char tmp[64];
	if (*out != VAL_NA)
		return;
	int n = rd(w, name, tmp, sizeof(tmp));
	if (n <= 0)
		return;
	while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == ' '))
		tmp[--n] = '\0';
	uint64_t v;
	if (str_parse_u64(tmp, &v) == 0)
		*out = v;
}

static void rd_limit(struct walk *w, enum cgf name, uint64_t *out)
{
	char tmp[64];
	if (*out != VAL_NA)
		return;
	int n = rd(w, name, tmp, sizeof(tmp));
	uint64_t v;
	if (n > 0 && parse_limit(tmp, (size_t)n, &v) == 0)
		*out = v;
}

/* v2 cpu.max, unless a v1 hierarchy gave the quota already. */
static void rd_cpu_max(struct walk *w, struct cgroup *c)
{
	char tmp[64];
	int n;
	uint64_t q, pe;
	if (c->cpu_quota_usec == VAL_NA && (n = rd(w, CGF_CPU_MAX, tmp, sizeof(tmp))) > 0 &&
	    parse_cpu_max(tmp, (size_t)n, &q, &pe) == 0) {
		c->cpu_quota_usec = q;
		c->cpu_period_usec = pe;
	}
}

static void psi_set(const char *tmp, size_t n, const char *kind, struct cg_psi *p)
{
	double a[3];
	uint64_t t;
	if (parse_psi_line(tmp, n, kind, a, &t) == 0) {
		p->avg10 = a[0];
		p->avg60 = a[1];
		p->avg300 = a[2];
		p->total = t;
	}
}

/* a PSI file: some avg10 (the column) and both lines in full */
static void rd_psi(struct walk *w, enum cgf name, double *out, struct cg_psi *some, struct cg_psi *full)
{
	char tmp[256];
	if (!isnan(*out))
		return;
	int n = rd(w, name, tmp, sizeof(tmp));
	double d;
	if (n <= 0)
		return;
	if (parse_psi_avg10(tmp, (size_t)n, "some", &d) == 0)
		*out = d;
	psi_set(tmp, (size_t)n, "some", some);
	psi_set(tmp, (size_t)n, "full", full);
}

static void rd_cpuset(struct walk *w, enum cgf name, struct cgroup *c)
{
	char tmp[512];
	if (c->cpuset_cpus)
		return;
	int n = rd(w, name, tmp, sizeof(tmp));
	uint64_t k;
	size_t len;
	if (n > 0 && parse_cpu_list(tmp, (size_t)n, &k, &len) == 0) {
		c->cpuset_ncpus = k;
		c->cpuset_cpus = strtab_intern(w->s->strs, tmp, len);
	}
}

static void keyed(const struct buf *b, const char *key, uint64_t *out, uint64_t div)
{
	uint64_t v;
	if (*out == VAL_NA && parse_keyed_u64(b->p, b->len, key, &v) == 0)
		*out = v / div;
}

static void read_v2(struct walk *w, struct cgroup *c)
{
	struct buf *b = &w->b;
	if (NEED(w, CGN_CPU | CGN_THR) && rdb(w, CGF_CPU_STAT, b) > 0) {
		keyed(b, "usage_usec", &c->cpu_usage_usec, 1);
		keyed(b, "nr_periods", &c->nr_periods, 1);
		keyed(b, "nr_throttled", &c->nr_throttled, 1);
		keyed(b, "throttled_usec", &c->throttled_usec, 1);
	}
	if (NEED(w, CGN_MEM))
		rd_u64(w, CGF_MEM_CURRENT, &c->mem_current);
	if (NEED(w, CGN_MEMSTAT) && c->mem_anon == VAL_NA && rdb(w, CGF_MEM_STAT, b) > 0) {
		static const char *const k[] = {"anon", "file", "inactive_file", "shmem", "kernel",
						"sock"};
		uint64_t *o[] = {&c->mem_anon, &c->mem_file, &c->mem_inactive_file, &c->mem_shmem,
				 &c->mem_kernel, &c->mem_sock};
		uint64_t v[ARRAY_LEN(k)];
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			v[i] = VAL_NA;
		parse_keyed_set(b->p, b->len, k, ARRAY_LEN(k), v);
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			*o[i] = v[i];
	}
	if (NEED(w, CGN_SWAP))
		rd_u64(w, CGF_SWAP_CURRENT, &c->swap_current);
	uint64_t r, wr;
	if (NEED(w, CGN_IO) && c->io_rbytes == VAL_NA && rdb(w, CGF_IO_STAT, b) >= 0 &&
	    parse_io_stat(b->p, b->len, &r, &wr) == 0) {
		c->io_rbytes = r;
		c->io_wbytes = wr;
	}
	if (NEED(w, CGN_CPULIM))
		rd_cpu_max(w, c);
	if (NEED(w, CGN_MEMLIM))
		rd_limit(w, CGF_MEM_MAX, &c->mem_max);
	if (NEED(w, CGN_MEMHIGH))
		rd_limit(w, CGF_MEM_HIGH, &c->mem_high);
	if (NEED(w, CGN_PIDSLIM))
		rd_limit(w, CGF_PIDS_MAX, &c->pids_max);
	if (NEED(w, CGN_PIDS))
		rd_u64(w, CGF_PIDS_CURRENT, &c->pids_current);
	if (NEED(w, CGN_MEMEV) && c->oom_kills == VAL_NA && rdb(w, CGF_MEM_EVENTS, b) > 0) {
		static const char *const k[] = {"oom_kill", "low", "high", "max", "oom"};
		uint64_t *o[] = {&c->oom_kills, &c->mev_low, &c->mev_high, &c->mev_max, &c->mev_oom};
		uint64_t v[ARRAY_LEN(k)];
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			v[i] = VAL_NA;
		parse_keyed_set(b->p, b->len, k, ARRAY_LEN(k), v);
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			*o[i] = v[i];
	}
	if (NEED(w, CGN_PSI)) {
		rd_psi(w, CGF_CPU_PRESSURE, &c->psi_cpu, &c->psi_some[PSI_CPU], &c->psi_full[PSI_CPU]);
		rd_psi(w, CGF_MEM_PRESSURE, &c->psi_mem, &c->psi_some[PSI_MEM], &c->psi_full[PSI_MEM]);
		rd_psi(w, CGF_IO_PRESSURE, &c->psi_io, &c->psi_some[PSI_IO], &c->psi_full[PSI_IO]);
	}
	/* the unified tree of a hybrid host has no controllers: no such files */
	if (w->lean)
		return;
	if (w->s->layout != CG_HYBRID) {
		if (NEED(w, CGN_MINLOW)) {
			rd_limit(w, CGF_MEM_MIN, &c->mem_min);
			rd_limit(w, CGF_MEM_LOW, &c->mem_low);
		}
		if (NEED(w, CGN_WEIGHT))
			rd_u64(w, CGF_CPU_WEIGHT, &c->cpu_weight);
		if (NEED(w, CGN_CPUSET))
			rd_cpuset(w, CGF_CPUSET_EFF, c);
	}
	/* frozen where either tree says so: on hybrid hosts nstop freezes
	 * through the unified tree while v1's freezer.state stays THAWED */
	if (NEED(w, CGN_FROZEN) && c->frozen != 1) {
		uint64_t fz = VAL_NA;
		if (rdb(w, CGF_EVENTS, b) > 0)
			keyed(b, "frozen", &fz, 1);
		if (fz == VAL_NA)
			rd_u64(w, CGF_FREEZE, &fz);
		if (fz != VAL_NA && (fz || c->frozen < 0))
			c->frozen = fz != 0;
	}
}

static void read_v1(struct walk *w, const struct cg_mount *m, struct cgroup *c)
{
	struct buf *b = &w->b;
	if (has_ctrl(m, "cpuacct") && NEED(w, CGN_CPU)) {
		uint64_t ns = VAL_NA;
		rd_u64(w, CGF_CPUACCT_USAGE, &ns);
		if (ns != VAL_NA && c->cpu_usage_usec == VAL_NA)
			c->cpu_usage_usec = ns / 1000;
	}
	if (has_ctrl(m, "cpu")) {
		uint64_t q = VAL_NA, pe = VAL_NA;
		/* no quota (the most common) needs no period, but for metrics,
		 * which export it */
		if (NEED(w, CGN_CPULIM)) {
			rd_limit(w, CGF_CFS_QUOTA, &q);
			if (q != VAL_UNLIMITED || w->lean)
				rd_u64(w, CGF_CFS_PERIOD, &pe);
		}
		if (q != VAL_NA && (q == VAL_UNLIMITED || (pe != VAL_NA && pe)) &&
		    c->cpu_quota_usec == VAL_NA) {
			c->cpu_quota_usec = q;
			c->cpu_period_usec = pe;
		}
		if (NEED(w, CGN_THR) && rdb(w, CGF_CPU_STAT, b) > 0) {
			keyed(b, "nr_periods", &c->nr_periods, 1);
			keyed(b, "nr_throttled", &c->nr_throttled, 1);
			keyed(b, "throttled_time", &c->throttled_usec, 1000);
		}
	}
	if (has_ctrl(m, "memory")) {
		if (NEED(w, CGN_MEM | CGN_SWAP))
			rd_u64(w, CGF_V1_MEM_USAGE, &c->mem_current);
		if (NEED(w, CGN_MEMLIM))
			rd_limit(w, CGF_V1_MEM_LIMIT, &c->mem_max);
		if (NEED(w, CGN_MEMSTAT) && c->mem_anon == VAL_NA && rdb(w, CGF_MEM_STAT, b) > 0) {
			/* total_* include descendants, like usage_in_bytes does;
			 * v1 has no kernel or sock line (kmem is a file of its own) */
			static const char *const k[] = {"total_rss", "total_cache",
							"total_inactive_file", "total_shmem",
							"rss", "cache", "inactive_file", "shmem"};
			uint64_t *o[] = {&c->mem_anon, &c->mem_file, &c->mem_inactive_file,
					 &c->mem_shmem};
			uint64_t v[ARRAY_LEN(k)];
			for (size_t i = 0; i < ARRAY_LEN(k); i++)
				v[i] = VAL_NA;
			parse_keyed_set(b->p, b->len, k, ARRAY_LEN(k), v);
			for (size_t i = 0; i < ARRAY_LEN(o); i++)
				*o[i] = v[i] != VAL_NA ? v[i] : v[i + 4];
		}
		uint64_t memsw = VAL_NA;
		if (NEED(w, CGN_SWAP))
			rd_u64(w, CGF_V1_MEMSW_USAGE, &memsw);
		if (memsw != VAL_NA && c->mem_current != VAL_NA && c->swap_current == VAL_NA)
			c->swap_current = memsw > c->mem_current ? memsw - c->mem_current : 0;
		if (NEED(w, CGN_MEMEV) && rdb(w, CGF_V1_OOM_CONTROL, b) > 0)
			keyed(b, "oom_kill", &c->oom_kills, 1);
	}
	if (has_ctrl(m, "pids")) {
		if (NEED(w, CGN_PIDSLIM))
			rd_limit(w, CGF_PIDS_MAX, &c->pids_max);
		if (NEED(w, CGN_PIDS))
			rd_u64(w, CGF_PIDS_CURRENT, &c->pids_current);
	}
	if (has_ctrl(m, "blkio") && NEED(w, CGN_IO) && c->io_rbytes == VAL_NA &&
	    rdb(w, CGF_V1_BLKIO_BYTES, b) >= 0) {
		uint64_t r, wr;
		if (parse_blkio_bytes(b->p, b->len, &r, &wr) == 0) {
			c->io_rbytes = r;
			c->io_wbytes = wr;
		}
	}
	if (w->lean)
		return;
	if (has_ctrl(m, "cpuset") && NEED(w, CGN_CPUSET))
		rd_cpuset(w, CGF_V1_CPUSET_EFF, c);
	if (has_ctrl(m, "freezer") && NEED(w, CGN_FROZEN) && c->frozen != 1) {
		char tmp[32];
		int n = rd(w, CGF_V1_FREEZER_STATE, tmp, sizeof(tmp));
		int fz = n > 0 ? parse_freezer_state(tmp, (size_t)n) : -1;
		if (fz == 1 || (fz == 0 && c->frozen < 0))
			c->frozen = fz;
	}
}

static void pidcg_add(void *arg, pid_t pid)
{
	struct pidcg *pc = arg;
	uint32_t k;
	if (!hmap_get(&pc->idx, (uint64_t)pid, &k)) {
		if (pc->n == pc->cap) {
			pc->cap = pc->cap ? pc->cap * 2 : 1024;
			pc->paths = xreallocarray(pc->paths, pc->cap * (size_t)pc->nm, sizeof(*pc->paths));
		}
		k = (uint32_t)pc->n++;
		memset(&pc->paths[(size_t)k * (size_t)pc->nm], 0, (size_t)pc->nm * sizeof(*pc->paths));
		hmap_put(&pc->idx, (uint64_t)pid, k);
	}
	const char **t = &pc->paths[(size_t)k * (size_t)pc->nm + (size_t)pc->mi];
	if (!pc->late || !*t)
		*t = pc->path;
}

/* The counters rates come from: CPU time, throttling, io bytes. */
static void read_rates(struct walk *w, const struct cg_mount *m, struct cgroup *c)
{
	struct buf *b = &w->b;
	if (m->version == 2) {
		if (NEED(w, CGN_CPU | CGN_THRRATE) && rdb(w, CGF_CPU_STAT, b) > 0) {
			keyed(b, "usage_usec", &c->cpu_usage_usec, 1);
			keyed(b, "nr_periods", &c->nr_periods, 1);
			keyed(b, "nr_throttled", &c->nr_throttled, 1);
		}
		uint64_t r, wr;
		if (NEED(w, CGN_IO) && c->io_rbytes == VAL_NA && rdb(w, CGF_IO_STAT, b) >= 0 &&
		    parse_io_stat(b->p, b->len, &r, &wr) == 0) {
			c->io_rbytes = r;
			c->io_wbytes = wr;
		}
		return;
	}
	if (has_ctrl(m, "cpuacct") && NEED(w, CGN_CPU)) {
		uint64_t ns = VAL_NA;
		rd_u64(w, CGF_CPUACCT_USAGE, &ns);
		if (ns != VAL_NA && c->cpu_usage_usec == VAL_NA)
			c->cpu_usage_usec = ns / 1000;
	}
	if (has_ctrl(m, "cpu") && NEED(w, CGN_THRRATE) && rdb(w, CGF_CPU_STAT, b) > 0) {
		keyed(b, "nr_periods", &c->nr_periods, 1);
		keyed(b, "nr_throttled", &c->nr_throttled, 1);
	}
	uint64_t r, wr;
	if (has_ctrl(m, "blkio") && NEED(w, CGN_IO) && c->io_rbytes == VAL_NA &&
	    rdb(w, CGF_V1_BLKIO_BYTES, b) >= 0 && parse_blkio_bytes(b->p, b->len, &r, &wr) == 0) {
		c->io_rbytes = r;
		c->io_wbytes = wr;
	}
}

/*
 * Whether hierarchy m is walked: those nstop has figures from (cpu,
 * cpuacct, memory, pids, blkio, cpuset, freezer: whatever the columns, so
 * the rows do not change with them), the cgroup2 tree, and name=systemd
 * where no cgroup2 tree is mounted (pure v1: the process tree). The others
 * (devices, net_cls, net_prio, perf_event, hugetlb, rdma, misc) hold the
 * same paths as the rest, for nothing but their directories' reads; as
 * systemd-cgtop, which walks fewer still. Metrics (lean) take no cpusets,
 * frozen states or name=systemd.
 */
static bool walked(const struct walk *w, const struct cg_mount *m, enum cg_layout layout)
{
	if (m->version == 2)
		return true;
	if (has_ctrl(m, "cpu") || has_ctrl(m, "cpuacct") || has_ctrl(m, "memory") ||
	    has_ctrl(m, "pids") || has_ctrl(m, "blkio"))
		return true;
	if (w->lean)
		return false;
	return has_ctrl(m, "cpuset") || has_ctrl(m, "freezer") ||
	       (layout == CG_V1 && !strncmp(m->controllers, "name=", 5));
}

/* Whether hierarchy m has any counter a rate asked for is taken from. */
static bool has_rates(const struct walk *w, const struct cg_mount *m)
{
	return (m->version == 2 && NEED(w, CGN_CPU | CGN_THRRATE | CGN_IO)) ||
	       (has_ctrl(m, "cpuacct") && NEED(w, CGN_CPU)) ||
	       (has_ctrl(m, "cpu") && NEED(w, CGN_THRRATE)) || (has_ctrl(m, "blkio") && NEED(w, CGN_IO));
}

/* The pids of the cgroup being read (w->node, w->dfd) into w->pc, at path.
 * v1 keeps an open file's pid list for a second after a read and hands it
 * out again to a read on the same file: opened afresh each time. */
static int procs_read(struct walk *w, const struct cg_mount *m)
{
	return m->version == 1 ? cgcache_read_fresh(w->cc, w->node, w->dfd, CGF_PROCS, &w->b)
			       : rdb(w, CGF_PROCS, &w->b);
}

static void procs_file(struct walk *w, const struct cg_mount *m, const char *path)
{
	if (procs_read(w, m) > 0) {
		w->pc->path = path;
		parse_pid_lines(w->b.p, w->b.len, pidcg_add, w->pc);
	}
}

/* The processes of the cgroup being read (path: interned; a row's, or a
 * cgroup's beneath the deepest rows, whose processes count in its nearest
 * row). A root's is read after the walk, in one hierarchy only
 * (read_root_procs), but for a --depth walk's exact counts. */
static void read_procs(struct walk *w, const struct cg_mount *m, const char *path)
{
	if (w->at_root)
		w->pc->root[w->pc->mi] = path;
	uint32_t first;
	if (!w->at_root && hmap_get(&w->pc->readat, (uint64_t)(uintptr_t)path, &first) &&
	    first != (uint32_t)w->pc->mi) {
		hmap_put(&w->pc->skipped, ((uint64_t)(uintptr_t)path << 6) | (uint64_t)w->pc->mi, 1);
		return;
	}
	if (!w->at_root)
		hmap_put(&w->pc->readat, (uint64_t)(uintptr_t)path, (uint32_t)w->pc->mi);
	if (!w->at_root)
		procs_file(w, m, path);
	/* exact: read after the walk (read_exact_roots) */
}

static struct cgroup *read_dir(struct walk *w, const struct cg_mount *m, const char *path)
{
	struct cgroup *c = row_for(w, path);
	if (!c)
		return NULL;
	if (w->rates_only) {
		read_rates(w, m, c);
		return c;
	}
	if (m->version == 1) {
		c->version = 1;
		read_v1(w, m, c);
	} else {
		if (c->version == 0)
			c->version = 2;
		if (w->s->layout == CG_HYBRID)
			c->in_unified = true;
		read_v2(w, c);
	}
	if (w->pc)
		read_procs(w, m, c->path);
	return c;
}

/* An ancestor's row in the containers' paths mode: what its limits and
 * their headroom need, no more. */
static void read_limits(struct walk *w, const struct cg_mount *m, const char *path)
{
	struct cgroup *c = row_for(w, path);
	if (!c)
		return;
	uint64_t q, pe;
	if (m->version == 1) {
		c->version = 1;
		if (has_ctrl(m, "cpuacct")) {
			uint64_t ns = VAL_NA;
			rd_u64(w, CGF_CPUACCT_USAGE, &ns);
			if (ns != VAL_NA && c->cpu_usage_usec == VAL_NA)
				c->cpu_usage_usec = ns / 1000;
		}
		if (has_ctrl(m, "cpu")) {
			q = pe = VAL_NA;
			rd_limit(w, CGF_CFS_QUOTA, &q);
			rd_u64(w, CGF_CFS_PERIOD, &pe);
			if (q != VAL_NA && pe != VAL_NA && pe && c->cpu_quota_usec == VAL_NA) {
				c->cpu_quota_usec = q;
				c->cpu_period_usec = pe;
			}
		}
		if (has_ctrl(m, "memory")) {
			rd_u64(w, CGF_V1_MEM_USAGE, &c->mem_current);
			rd_limit(w, CGF_V1_MEM_LIMIT, &c->mem_max);
		}
		if (has_ctrl(m, "pids")) {
			rd_limit(w, CGF_PIDS_MAX, &c->pids_max);
			rd_u64(w, CGF_PIDS_CURRENT, &c->pids_current);
		}
		return;
	}
	if (c->version == 0)
		c->version = 2;
	if (w->s->layout == CG_HYBRID)
		c->in_unified = true;
	if (c->cpu_usage_usec == VAL_NA && rdb(w, CGF_CPU_STAT, &w->b) > 0)
		keyed(&w->b, "usage_usec", &c->cpu_usage_usec, 1);
	rd_cpu_max(w, c);
	rd_u64(w, CGF_MEM_CURRENT, &c->mem_current);
	rd_limit(w, CGF_MEM_MAX, &c->mem_max);
	rd_limit(w, CGF_PIDS_MAX, &c->pids_max);
	rd_u64(w, CGF_PIDS_CURRENT, &c->pids_current);
}

/* below: beneath the deepest rows (a listing's --depth), where only the
 * processes are read, counted in their nearest row */
static void walk_dir(struct walk *w, const struct cg_mount *m, struct cgnode *n, int dfd,
		     struct buf *path, int depth, bool below)
{
	w->node = n;
	w->dfd = dfd;
	w->at_root = depth == 0;
	const char *p = path->len ? path->p : "/";
	if (below) {
		read_procs(w, m, strtab_intern(w->s->strs, p, strlen(p)));
	} else {
		const struct cgroup *c = read_dir(w, m, p);
		if (!c)
			return;
		below = w->maxdepth < CG_MAX_DEPTH && c->depth >= w->maxdepth;
	}
	if (depth >= CG_MAX_DEPTH || (below && (!w->pc || !NEED(w, CGN_PROCSREC))))
		return;
	struct cgnode **kids;
	size_t nk = cgcache_kids(w->cc, n, dfd, &kids);
	/* the list is n's own: a walk beneath a kid changes only the kid's */
	for (size_t i = 0; i < nk; i++) {
		bool tmp;
		/* a cgroup removed mid-walk is simply gone */
		int cfd = cgcache_kid_open(w->cc, dfd, kids[i], &tmp);
		if (cfd < 0)
			continue;
		size_t save = path->len;
		if (!path->len || path->p[path->len - 1] != '/')
			buf_addc(path, '/');
		buf_adds(path, cgnode_name(kids[i]));
		walk_dir(w, m, kids[i], cfd, path, depth + 1, below);
		path->len = save;
		path->p[save] = '\0';
		if (tmp)
			close(cfd);
	}
}

static int cmp_row(const void *a, const void *b)
{
	return cg_path_cmp(((const struct cgroup *)a)->path, ((const struct cgroup *)b)->path);
}

/*
 * The rows as the process counts need them, made once per snapshot: a
 * row by its interned path (a hierarchy's cgroup path is one), else by a
 * search for the path or its nearest ancestor with a row, remembered per
 * path; each row's parent row; marks so a group of processes counts once
 * per row however many hierarchies place it there.
 */
struct rowindex {
	struct hmap rowof;      /* interned row path -> row */
	struct hmap memo;       /* another path -> (row + 1) * 2 + exact, 0: none */
	long *parent;           /* nearest ancestor row, -1: none */
	uint32_t *dmark, *rmark, stamp;
	struct buf b;
};

static void rowindex_init(struct rowindex *ri, const struct snap *s)
{
	memset(ri, 0, sizeof(*ri));
	for (size_t i = 0; i < s->ncgs; i++)
		hmap_put(&ri->rowof, (uint64_t)(uintptr_t)s->cgs[i].path, (uint32_t)i);
	ri->parent = xreallocarray(NULL, s->ncgs + 1, sizeof(*ri->parent));
	ri->dmark = xcalloc(s->ncgs + 1, sizeof(*ri->dmark));
	ri->rmark = xcalloc(s->ncgs + 1, sizeof(*ri->rmark));
	for (size_t i = 0; i < s->ncgs; i++) {
		const struct cgroup *up = cgroup_parent_row(s, &ri->b, s->cgs[i].path);
		ri->parent[i] = up ? (long)(up - s->cgs) : -1;
	}
}

static void rowindex_free(struct rowindex *ri)
{
	hmap_free(&ri->rowof);
	hmap_free(&ri->memo);
	free(ri->parent);
	free(ri->dmark);
	free(ri->rmark);
	buf_free(&ri->b);
}

/* path's row, or its nearest ancestor's (*exact false); -1 when none */
static long rowindex_find(struct rowindex *ri, const struct snap *s, const char *path, bool *exact)
{
	uint32_t v;
	*exact = true;
	if (hmap_get(&ri->rowof, (uint64_t)(uintptr_t)path, &v))
		return (long)v;
	if (!hmap_get(&ri->memo, (uint64_t)(uintptr_t)path, &v)) {
		const struct cgroup *g = cgroup_row_or_ancestor(s, &ri->b, path);
		v = g ? (uint32_t)(g - s->cgs + 1) * 2 + !strcmp(g->path, path) : 0;
		hmap_put(&ri->memo, (uint64_t)(uintptr_t)path, v);
	}
	*exact = v & 1;
	return v ? (long)(v / 2) - 1 : -1;
}

/* n processes, each in the cgroups at paths (one per hierarchy, NULL for
 * none): counted directly in those, recursively in them and every ancestor
 * that has a row, once per cgroup however many hierarchies place them there. */
static void count_set(struct rowindex *ri, struct snap *s, const char *const *paths, size_t np,
		      uint32_t n)
{
	uint32_t stamp = ++ri->stamp;
	for (size_t j = 0; j < np; j++) {
		bool exact;
		long r = paths[j] ? rowindex_find(ri, s, paths[j], &exact) : -1;
		if (r < 0)
			continue;
		if (exact && ri->dmark[r] != stamp) {
			ri->dmark[r] = stamp;
			s->cgs[r].nprocs += n;
		}
		/* this row and every ancestor row; a marked one's are marked */
		for (long g = r; g >= 0 && ri->rmark[g] != stamp; g = ri->parent[g]) {
			ri->rmark[g] = stamp;
			s->cgs[g].nprocs_rec += n;
		}
	}
}

/*
 * Processes per cgroup, directly and with descendants, in any hierarchy.
 * Counted per distinct /proc/PID/cgroup text (thousands of processes share
 * a few hundred), each process once per cgroup however many hierarchies
 * place it there.
 */
static void count_procs(struct snap *s)
{
	/* the 0:: line names the default hierarchy even where no cgroup2 is
	 * mounted (pure v1): count it only where it is there to see */
	bool v2 = s->layout == CG_V2 || s->layout == CG_HYBRID;
	struct hmap byset = {0};
	struct { const struct proc *p; uint32_t n; } *sets = NULL;
	size_t nsets = 0, cap = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		uint64_t key = hash_bytes(&p->cg1, sizeof(p->cg1)) ^ (uintptr_t)p->cg2;
		uint32_t k;
		/* the key may collide: look on until the same set or a free slot */
		for (;; key = key * 31 + 7) {
			if (!key)
				key = 1;
			if (!hmap_get(&byset, key, &k) ||
			    (sets[k].p->cg1 == p->cg1 && sets[k].p->cg2 == p->cg2))
				break;
		}
		if (hmap_get(&byset, key, &k)) {
			sets[k].n++;
			continue;
		}
		if (nsets == cap) {
			cap = cap ? cap * 2 : 64;
			sets = xreallocarray(sets, cap, sizeof(*sets));
		}
		sets[nsets].p = p;
		sets[nsets].n = 1;
		hmap_put(&byset, key, (uint32_t)nsets++);
	}
	hmap_free(&byset);
	struct rowindex ri;
	rowindex_init(&ri, s);
	for (size_t k = 0; k < nsets; k++) {
		const struct proc *p = sets[k].p;
		const char *paths[40];
		size_t np = 0;
		for (int j = -1; j < p->ncg1 && np < ARRAY_LEN(paths); j++) {
			const char *path = j < 0 ? (v2 ? p->cg2 : NULL) : p->cg1[j].path;
			if (path)
				paths[np++] = path;
		}
		count_set(&ri, s, paths, np, sets[k].n);
	}
	rowindex_free(&ri);
	free(sets);
}

/*
 * The paths asked for, then their ancestors (limits bind from above), each
 * once; *nfull says how many of them were asked for. The roots are left out:
 * a root cgroup has no limits (v2 has no files for them, v1 refuses them),
 * and v1's root memory.stat is summed over every cgroup on each read.
 */
static const char **with_ancestors(struct snap *s, const char *const *paths, size_t np,
				   size_t *nout, size_t *nfull)
{
	struct hmap seen = {0};
	/* never NULL: no paths reads no cgroup, not every one */
	size_t n = 0, cap = 32;
	const char **v = xreallocarray(NULL, cap, sizeof(*v));
	struct buf b = {0};
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < np; k++) {
			buf_reset(&b);
			buf_adds(&b, paths[k]);
			for (int up = 0;; up++) {
				if (up >= pass) {
					const char *ip = strtab_intern(s->strs, b.p, b.len);
					if (hmap_get(&seen, (uint64_t)(uintptr_t)ip, NULL) && pass)
						break;
					if (!hmap_get(&seen, (uint64_t)(uintptr_t)ip, NULL)) {
						hmap_put(&seen, (uint64_t)(uintptr_t)ip, 1);
						if (n == cap) {
							cap = cap ? cap * 2 : 32;
							v = xreallocarray(v, cap, sizeof(*v));
						}
						v[n++] = ip;
					}
				}
				if (!pass)
					break;
				char *sl = strrchr(b.p, '/');
				if (!sl || sl == b.p)
					break; /* the next one up is the root */
				*sl = '\0';
				b.len = strlen(b.p);
			}
		}
		if (!pass)
			*nfull = n;
	}
	buf_free(&b);
	hmap_free(&seen);
	*nout = n;
	return v;
}

/* Processes per cgroup from the cgroup.procs read: the pids grouped by
 * where they are in every hierarchy, each group counted as count_procs
 * counts a set (the paths recorded are the rows' own: found by pointer). */
/* where a pid's path was not read, the hierarchy that read it stands */
static void fill_skipped(struct pidcg *pc)
{
	size_t nm = (size_t)pc->nm;
	if (pc->filled)
		return;
	pc->filled = true;
	for (size_t i = 0; i < pc->n; i++) {
		const char **t = &pc->paths[i * nm];
		for (size_t h = 0; h < nm; h++)
			for (size_t o = 0; !t[h] && o < nm; o++)
				if (t[o] && hmap_get(&pc->skipped, ((uint64_t)(uintptr_t)t[o] << 6) | h, &(uint32_t){0}))
					t[h] = t[o];
	}
}

/* Root mi's dir fd into w (node, dfd) for procs_file; *tmp: close it. */
static int at_root(struct walk *w, struct sysroot *sr, struct pidcg *pc, int mi, bool *tmp)
{
	struct cgnode *root;
	int dfd = cgcache_root(w->cc, sr, mi, &root, tmp);
	if (dfd >= 0) {
		w->node = root;
		w->dfd = dfd;
		pc->mi = mi;
	}
	return dfd;
}

/* Root mi's processes into pc, at its row's path. */
static void read_root(struct walk *w, struct sysroot *sr, struct pidcg *pc, int mi)
{
	bool tmp;
	int dfd = at_root(w, sr, pc, mi, &tmp);
	if (dfd < 0)
		return;
	procs_file(w, &sr->mounts[mi], pc->root[mi]);
	if (tmp)
		close(dfd);
}

/*
 * One root's processes, after the walk: the processes in no cgroup beneath
 * a root in any hierarchy are seen nowhere else. The root read is that of
 * the hierarchy whose cgroups beneath hold the most processes, so the
 * fewest are at its root (a hybrid host's controller-less cgroup2 tree can
 * hold every process at its root: ten thousand pids, 8 ms, where a v1 root
 * held 270); in the others, whoever is in none of their cgroups is at
 * their root. Each process is in one cgroup of a hierarchy: after it,
 * every process is seen. A hierarchy mounted from a cgroup beneath the
 * root (/X) has its root read as well, and nothing put there by
 * elimination: the processes outside /X are in no cgroup of it.
 */
static void read_root_procs(struct walk *w, struct sysroot *sr, struct pidcg *pc)
{
	size_t nm = (size_t)pc->nm;
	fill_skipped(pc);
	long best = -1;
	size_t most = 0;
	for (size_t h = 0; h < nm && h < CG_MAX_MOUNTS; h++) {
		if (!pc->root[h])
			continue; /* not walked */
		/* mounted from /X: the processes outside /X are in none of its
		 * cgroups but not in its root either; its root is read */
		if (strcmp(sr->mounts[h].root, "/")) {
			pc->direct[h] = true;
			continue;
		}
		size_t seen = 0;
		for (size_t i = 0; i < pc->n; i++)
			seen += pc->paths[i * nm + h] != NULL;
		if (best < 0 || seen > most) {
			best = (long)h;
			most = seen;
		}
	}
	pc->late = true;
	if (best >= 0)
		read_root(w, sr, pc, (int)best);
	for (size_t h = 0; h < nm && h < CG_MAX_MOUNTS; h++)
		if (pc->direct[h])
			read_root(w, sr, pc, (int)h);
	pc->late = false;
}

struct pidvec {
	pid_t *v;
	size_t n, cap;
};

static void pidvec_add(void *arg, pid_t pid)
{
	struct pidvec *pv = arg;
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 1024;
		pv->v = xreallocarray(pv->v, pv->cap, sizeof(*pv->v));
	}
	pv->v[pv->n++] = pid;
}

/* The distinct pids of a cgroup.procs text: v2 lists a process that moved
 * away and back during the read twice. */
static uint64_t count_distinct(const char *text, size_t len)
{
	struct pidvec pv = {0};
	parse_pid_lines(text, len, pidvec_add, &pv);
	uint64_t k = pids_sort_uniq(pv.v, pv.n);
	free(pv.v);
	return k;
}

/*
 * A --depth walk's exact counts: each root's processes, read after the
 * walk. A hierarchy with no cgroup beneath its root holds every process
 * there (a hybrid host's unused blkio or cpuset, its controller-less
 * cgroup2 tree): then every process is in that root row, counted from that
 * one read without a lookup per pid (the cgroup2 one where it is such: v1
 * sorts its list), and no other root at that path is read (ten thousand
 * processes: three reads of 3 to 7 ms each, and their lookups, saved).
 * Only a hierarchy mounted from the root cgroup: one mounted from /X has
 * /X's processes, and another hierarchy's /X may have more.
 */
static void read_exact_roots(struct walk *w, struct sysroot *sr, struct pidcg *pc)
{
	int nm = pc->nm < CG_MAX_MOUNTS ? pc->nm : CG_MAX_MOUNTS;
	bool tmp;
	/* as read_root_procs: the paths not read take the first read's pids
	 * first, so a root read after it leaves them there */
	fill_skipped(pc);
	pc->allh = -1;
	for (int h = 0; h < nm; h++) {
		int dfd;
		struct stat st;
		/* a hierarchy mounted from a cgroup beneath the root (/X) holds
		 * only that one's processes: others walk into /X with more */
		if (!pc->root[h] || strcmp(sr->mounts[h].root, "/") ||
		    (pc->allh >= 0 && sr->mounts[pc->allh].version == 2))
			continue;
		if ((dfd = at_root(w, sr, pc, h, &tmp)) < 0)
			continue;
		/* 2: no subdirectory (some filesystems say 1 for any directory) */
		if (fstat(dfd, &st) == 0 && st.st_nlink == 2)
			pc->allh = h;
		if (tmp)
			close(dfd);
	}
	if (pc->allh >= 0) {
		int dfd = at_root(w, sr, pc, pc->allh, &tmp);
		const struct cg_mount *m = &sr->mounts[pc->allh];
		if (dfd >= 0 && procs_read(w, m) > 0)
			pc->all = count_distinct(w->b.p, w->b.len);
		if (!pc->all)
			pc->allh = -1; /* no list (or none in it): each root is read */
		if (dfd >= 0 && tmp)
			close(dfd);
	}
	pc->late = true;
	for (int h = 0; h < nm; h++)
		if (pc->root[h] && (pc->allh < 0 || pc->root[h] != pc->root[pc->allh]))
			read_root(w, sr, pc, h);
	pc->late = false;
}

/* After count_pidcg: the root row that holds every process (read_exact_roots). */
static void count_all(struct snap *s, const struct pidcg *pc)
{
	if (pc->allh < 0)
		return;
	for (size_t i = 0; i < s->ncgs; i++)
		if (s->cgs[i].path == pc->root[pc->allh]) {
			s->cgs[i].nprocs = s->cgs[i].nprocs_rec = pc->all > UINT32_MAX ? UINT32_MAX : (uint32_t)pc->all;
			break;
		}
}

static void count_pidcg(struct snap *s, struct pidcg *pc)
{
	struct hmap byset = {0};
	struct { size_t first; uint32_t n; } *sets = NULL;
	size_t nsets = 0, cap = 0, nm = (size_t)pc->nm;
	fill_skipped(pc);
	for (size_t i = 0; i < pc->n; i++) {
		const char **t = &pc->paths[i * nm];
		for (size_t h = 0; h < nm; h++)
			if (!t[h] && !pc->exact && !pc->direct[h])
				t[h] = pc->root[h];
		uint64_t key = hash_bytes(t, nm * sizeof(*t));
		uint32_t k;
		for (;; key = key * 31 + 7) {
			if (!key)
				key = 1;
			if (!hmap_get(&byset, key, &k) ||
			    !memcmp(&pc->paths[sets[k].first * nm], t, nm * sizeof(*t)))
				break;
		}
		if (hmap_get(&byset, key, &k)) {
			sets[k].n++;
			continue;
		}
		if (nsets == cap) {
			cap = cap ? cap * 2 : 64;
			sets = xreallocarray(sets, cap, sizeof(*sets));
		}
		sets[nsets].first = i;
		sets[nsets].n = 1;
		hmap_put(&byset, key, (uint32_t)nsets++);
	}
	hmap_free(&byset);
	struct rowindex ri;
	rowindex_init(&ri, s);
	for (size_t k = 0; k < nsets; k++)
		count_set(&ri, s, &pc->paths[sets[k].first * nm], nm, sets[k].n);
	rowindex_free(&ri);
	free(sets);
}

/* The whole trees down to maxdepth (walk), and/or just the cgroups named in
 * paths0 (and their ancestors, whose limits bind them too): paths alone for
 * cgroup_collect_paths, both for cgroup_collect_depth. Without a process
 * table in s, the processes are counted from cgroup.procs. */
static void collect(struct snap *s, struct sysroot *sr, struct cgcache *cc0,
		    const char *const *paths0, size_t np0, int maxdepth, bool walk, bool lean)
{
	struct cgcache *cc = cc0 ? cc0 : cgcache_new(NULL);
	struct walk w = {.s = s, .cc = cc, .maxdepth = maxdepth, .lean = lean,
			 .needs = cgcache_needs(cc)};
	struct pidcg pc = {.nm = sr->nmounts, .allh = -1};
	w.rates_only = (s->what & SNAP_CGRATES) && !np0; /* (no paths: none[] of a depth walk) */
	/* rows to a depth and no PROCS_ALL: each row's own processes, the
	 * roots' too, nothing read beneath the deepest */
	pc.exact = walk && maxdepth < CG_MAX_DEPTH && !NEED(&w, CGN_PROCSREC);
	if (!(s->what & (SNAP_PROCS | SNAP_NS | SNAP_CONTAINERS)) && !w.rates_only &&
	    NEED(&w, CGN_PROCS))
		w.pc = &pc;
	size_t np = 0, nfull = 0;
	const char **paths = paths0 ? with_ancestors(s, paths0, np0, &np, &nfull) : NULL;
	if (sr->layout == CG_NONE) {
		nerr_set(&s->cg_err, -ENOENT, "no cgroup filesystem is mounted");
		free(paths);
		if (!cc0)
			cgcache_free(cc);
		return;
	}
	cgcache_begin(cc);
	/* v1 hierarchies first: on hybrid hosts their figures win over the
	 * controller-less unified tree's */
	for (int pass = 1; pass <= 2; pass++) {
		for (int i = 0; i < sr->nmounts; i++) {
			const struct cg_mount *m = &sr->mounts[i];
			if (m->version != pass || (w.rates_only && !has_rates(&w, m)))
				continue;
			if (!walked(&w, m, sr->layout))
				continue;
			pc.mi = i;
			bool tmp;
			/* just the paths asked for, each read where it exists
			 * (what a walk reads already, it does not read twice) */
			for (size_t k = 0; paths && k < np; k++) {
				if (walk && path_depth(paths[k]) <= maxdepth)
					continue;
				const char *rel = cgx_rel(m, paths[k]);
				if (!rel)
					continue;
				w.dfd = cgcache_path(cc, sr, i, rel, &w.node, &tmp);
				if (w.dfd < 0)
					continue;
				if (k < nfull)
					read_dir(&w, m, paths[k]);
				else
					read_limits(&w, m, paths[k]);
				if (tmp)
					close(w.dfd);
			}
			if (paths && !walk)
				continue;
			struct cgnode *root;
			int dfd = cgcache_root(cc, sr, i, &root, &tmp);
			if (dfd < 0)
				continue;
			struct buf path = {0};
			if (strcmp(m->root, "/"))
				buf_adds(&path, m->root);
			walk_dir(&w, m, root, dfd, &path, 0, false);
			buf_free(&path);
			if (tmp)
				close(dfd);
		}
	}
	if (w.pc && !pc.exact)
		read_root_procs(&w, sr, &pc);
	else if (w.pc)
		read_exact_roots(&w, sr, &pc);
	cgcache_end(cc);
	if (!cc0)
		cgcache_free(cc);
	hmap_free(&w.idx);
	buf_free(&w.b);
	free(paths);
	if (s->ncgs > 1)
		qsort(s->cgs, s->ncgs, sizeof(*s->cgs), cmp_row);
	if (w.pc) {
		count_pidcg(s, &pc);
		count_all(s, &pc);
	} else if (!w.rates_only && NEED(&w, CGN_PROCS))
		count_procs(s);
	hmap_free(&pc.idx);
	hmap_free(&pc.readat);
	hmap_free(&pc.skipped);
	free(pc.paths);
	if (!w.rates_only)
		cgroup_effective(s);
}

void cgroup_collect(struct snap *s, struct sysroot *sr, struct cgcache *cc)
{
	collect(s, sr, cc, NULL, 0, CG_MAX_DEPTH, true, false);
}

/* Every cgroup down to maxdepth, and the given ones (containers') at any
 * depth with their ancestors' limits: what metrics show, without reading
 * the whole tree (a cgroup of the walk counts the processes of its
 * descendants as cgroup_collect's does; count_procs takes the nearest row). */
void cgroup_collect_depth(struct snap *s, struct sysroot *sr, struct cgcache *cc, int maxdepth,
			  const char *const *paths, size_t n, bool lean)
{
	static const char *const none[1];
	collect(s, sr, cc, paths ? paths : none, n, maxdepth, true, lean);
}

void cgroup_collect_paths(struct snap *s, struct sysroot *sr, struct cgcache *cc,
			  const char *const *paths, size_t n)
{
	/* never NULL here: no paths reads no cgroup, not every one */
	static const char *const none[1];
	collect(s, sr, cc, paths ? paths : none, n, CG_MAX_DEPTH, false, false);
}

static double rate(uint64_t cur, uint64_t old, double dt, double scale)
{
	if (cur == VAL_NA || old == VAL_NA || cur < old)
		return NAN;
	return (double)(cur - old) / dt * scale;
}

/* Rates over the interval since prev; a cgroup new since then has none. */
void cgroup_rates(struct snap *s, const struct snap *prev)
{
	uint64_t now = s->mono_usec, then = prev ? prev->mono_usec : 0;
	if (prev && s->cg_mono_usec && prev->cg_mono_usec) {
		now = s->cg_mono_usec;
		then = prev->cg_mono_usec;
	}
	if (!prev || now <= then)
		return;
	double dt = (double)(now - then);
	/* both sorted by path: one merge, no searches */
	size_t j = 0;
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cgroup *c = &s->cgs[i];
		int r = 1;
		while (j < prev->ncgs && (r = cg_path_cmp(prev->cgs[j].path, c->path)) < 0)
			j++;
		if (j == prev->ncgs || r)
			continue;
		const struct cgroup *o = &prev->cgs[j];
		c->cpu_percent = rate(c->cpu_usage_usec, o->cpu_usage_usec, dt, 100.0);
		c->io_rbps = rate(c->io_rbytes, o->io_rbytes, dt, 1e6);
		c->io_wbps = rate(c->io_wbytes, o->io_wbytes, dt, 1e6);
		if (c->nr_periods != VAL_NA && o->nr_periods != VAL_NA &&
		    c->nr_periods > o->nr_periods && c->nr_throttled >= o->nr_throttled)
			c->throttled_percent = (double)(c->nr_throttled - o->nr_throttled) /
					       (double)(c->nr_periods - o->nr_periods) * 100.0;
		else if (c->nr_periods != VAL_NA && o->nr_periods != VAL_NA)
			c->throttled_percent = 0;
	}
	/* CPU headroom: the least limit minus use on the path, parents first */
	struct buf b = {0};
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cgroup *c = &s->cgs[i];
		const struct cgroup *up = cgroup_parent_row(s, &b, c->path);
		double own = cgroup_own_cpu_limit(c), h = up ? up->cpu_headroom : NAN;
		if (!isnan(own) && !isnan(c->cpu_percent)) {
			double m = own > c->cpu_percent ? own - c->cpu_percent : 0;
			if (isnan(h) || m < h)
				h = m;
		}
		c->cpu_headroom = h;
	}
	buf_free(&b);
}
