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

#include "parse.h"
#include "collect.h"

#define CG_MAX_DEPTH 64
#define CG_MAX_ROWS 200000

struct walk {
	struct snap *s;
	struct hmap idx;        /* interned path -> row */
	size_t cap;
	struct buf b;
};

static bool has_ctrl(const struct cg_mount *m, const char *c)
{
	size_t n = strlen(c);
	for (const char *p = m->controllers; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !memcmp(p, c, n))
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
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
	int depth = 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			depth++;
	c->depth = depth;
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
static void rd_u64(int dfd, const char *name, uint64_t *out)
{
	char tmp[64];
	if (*out != VAL_NA)
		return;
	int n = read_small_at(dfd, name, tmp, sizeof(tmp));
	if (n <= 0)
		return;
	while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == ' '))
		tmp[--n] = '\0';
	uint64_t v;
	if (str_parse_u64(tmp, &v) == 0)
		*out = v;
}

static void rd_limit(int dfd, const char *name, uint64_t *out)
{
	char tmp[64];
	if (*out != VAL_NA)
		return;
	int n = read_small_at(dfd, name, tmp, sizeof(tmp));
	uint64_t v;
	if (n > 0 && parse_limit(tmp, (size_t)n, &v) == 0)
		*out = v;
}

/* v2 cpu.max, unless a v1 hierarchy gave the quota already. */
static void rd_cpu_max(int dfd, struct cgroup *c)
{
	char tmp[64];
	int n;
	uint64_t q, pe;
	if (c->cpu_quota_usec == VAL_NA && (n = read_small_at(dfd, "cpu.max", tmp, sizeof(tmp))) > 0 &&
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
static void rd_psi(int dfd, const char *name, double *out, struct cg_psi *some, struct cg_psi *full)
{
	char tmp[256];
	if (!isnan(*out))
		return;
	int n = read_small_at(dfd, name, tmp, sizeof(tmp));
	double d;
	if (n <= 0)
		return;
	if (parse_psi_avg10(tmp, (size_t)n, "some", &d) == 0)
		*out = d;
	psi_set(tmp, (size_t)n, "some", some);
	psi_set(tmp, (size_t)n, "full", full);
}

static void rd_cpuset(struct walk *w, int dfd, const char *name, struct cgroup *c)
{
	char tmp[512];
	if (c->cpuset_cpus)
		return;
	int n = read_small_at(dfd, name, tmp, sizeof(tmp));
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

static void read_v2(struct walk *w, int dfd, struct cgroup *c)
{
	struct buf *b = &w->b;
	if (read_file_at(dfd, "cpu.stat", b) > 0) {
		keyed(b, "usage_usec", &c->cpu_usage_usec, 1);
		keyed(b, "nr_periods", &c->nr_periods, 1);
		keyed(b, "nr_throttled", &c->nr_throttled, 1);
		keyed(b, "throttled_usec", &c->throttled_usec, 1);
	}
	rd_u64(dfd, "memory.current", &c->mem_current);
	if (c->mem_anon == VAL_NA && read_file_at(dfd, "memory.stat", b) > 0) {
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
	rd_u64(dfd, "memory.swap.current", &c->swap_current);
	uint64_t r, wr;
	if (c->io_rbytes == VAL_NA && read_file_at(dfd, "io.stat", b) >= 0 &&
	    parse_io_stat(b->p, b->len, &r, &wr) == 0) {
		c->io_rbytes = r;
		c->io_wbytes = wr;
	}
	rd_cpu_max(dfd, c);
	rd_limit(dfd, "memory.max", &c->mem_max);
	rd_limit(dfd, "memory.high", &c->mem_high);
	rd_limit(dfd, "pids.max", &c->pids_max);
	rd_u64(dfd, "pids.current", &c->pids_current);
	if (c->oom_kills == VAL_NA && read_file_at(dfd, "memory.events", b) > 0) {
		static const char *const k[] = {"oom_kill", "low", "high", "max", "oom"};
		uint64_t *o[] = {&c->oom_kills, &c->mev_low, &c->mev_high, &c->mev_max, &c->mev_oom};
		uint64_t v[ARRAY_LEN(k)];
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			v[i] = VAL_NA;
		parse_keyed_set(b->p, b->len, k, ARRAY_LEN(k), v);
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			*o[i] = v[i];
	}
	rd_psi(dfd, "cpu.pressure", &c->psi_cpu, &c->psi_some[PSI_CPU], &c->psi_full[PSI_CPU]);
	rd_psi(dfd, "memory.pressure", &c->psi_mem, &c->psi_some[PSI_MEM], &c->psi_full[PSI_MEM]);
	rd_psi(dfd, "io.pressure", &c->psi_io, &c->psi_some[PSI_IO], &c->psi_full[PSI_IO]);
	/* the unified tree of a hybrid host has no controllers: no such files */
	if (w->s->layout != CG_HYBRID) {
		rd_limit(dfd, "memory.min", &c->mem_min);
		rd_limit(dfd, "memory.low", &c->mem_low);
		rd_u64(dfd, "cpu.weight", &c->cpu_weight);
		rd_cpuset(w, dfd, "cpuset.cpus.effective", c);
	}
	/* frozen where either tree says so: on hybrid hosts nstop freezes
	 * through the unified tree while v1's freezer.state stays THAWED */
	if (c->frozen != 1) {
		uint64_t fz = VAL_NA;
		if (read_file_at(dfd, "cgroup.events", b) > 0)
			keyed(b, "frozen", &fz, 1);
		if (fz == VAL_NA)
			rd_u64(dfd, "cgroup.freeze", &fz);
		if (fz != VAL_NA && (fz || c->frozen < 0))
			c->frozen = fz != 0;
	}
}

static void read_v1(struct walk *w, const struct cg_mount *m, int dfd, struct cgroup *c)
{
	struct buf *b = &w->b;
	if (has_ctrl(m, "cpuacct")) {
		uint64_t ns = VAL_NA;
		rd_u64(dfd, "cpuacct.usage", &ns);
		if (ns != VAL_NA && c->cpu_usage_usec == VAL_NA)
			c->cpu_usage_usec = ns / 1000;
	}
	if (has_ctrl(m, "cpu")) {
		uint64_t q = VAL_NA, pe = VAL_NA;
		rd_limit(dfd, "cpu.cfs_quota_us", &q);
		rd_u64(dfd, "cpu.cfs_period_us", &pe);
		if (q != VAL_NA && pe != VAL_NA && pe && c->cpu_quota_usec == VAL_NA) {
			c->cpu_quota_usec = q;
			c->cpu_period_usec = pe;
		}
		if (read_file_at(dfd, "cpu.stat", b) > 0) {
			keyed(b, "nr_periods", &c->nr_periods, 1);
			keyed(b, "nr_throttled", &c->nr_throttled, 1);
			keyed(b, "throttled_time", &c->throttled_usec, 1000);
		}
	}
	if (has_ctrl(m, "memory")) {
		rd_u64(dfd, "memory.usage_in_bytes", &c->mem_current);
		rd_limit(dfd, "memory.limit_in_bytes", &c->mem_max);
		if (c->mem_anon == VAL_NA && read_file_at(dfd, "memory.stat", b) > 0) {
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
		rd_u64(dfd, "memory.memsw.usage_in_bytes", &memsw);
		if (memsw != VAL_NA && c->mem_current != VAL_NA && c->swap_current == VAL_NA)
			c->swap_current = memsw > c->mem_current ? memsw - c->mem_current : 0;
		if (read_file_at(dfd, "memory.oom_control", b) > 0)
			keyed(b, "oom_kill", &c->oom_kills, 1);
	}
	if (has_ctrl(m, "pids")) {
		rd_limit(dfd, "pids.max", &c->pids_max);
		rd_u64(dfd, "pids.current", &c->pids_current);
	}
	if (has_ctrl(m, "blkio") && c->io_rbytes == VAL_NA &&
	    read_file_at(dfd, "blkio.throttle.io_service_bytes", b) >= 0) {
		uint64_t r, wr;
		if (parse_blkio_bytes(b->p, b->len, &r, &wr) == 0) {
			c->io_rbytes = r;
			c->io_wbytes = wr;
		}
	}
	if (has_ctrl(m, "cpuset"))
		rd_cpuset(w, dfd, "cpuset.effective_cpus", c);
	if (has_ctrl(m, "freezer") && c->frozen != 1) {
		char tmp[32];
		int n = read_small_at(dfd, "freezer.state", tmp, sizeof(tmp));
		int fz = n > 0 ? parse_freezer_state(tmp, (size_t)n) : -1;
		if (fz == 1 || (fz == 0 && c->frozen < 0))
			c->frozen = fz;
	}
}

static struct cgroup *read_dir(struct walk *w, const struct cg_mount *m, int dfd, const char *path)
{
	struct cgroup *c = row_for(w, path);
	if (!c)
		return NULL;
	if (m->version == 1) {
		c->version = 1;
		read_v1(w, m, dfd, c);
	} else {
		if (c->version == 0)
			c->version = 2;
		if (w->s->layout == CG_HYBRID)
			c->in_unified = true;
		read_v2(w, dfd, c);
	}
	return c;
}

/* An ancestor's row in the containers' paths mode: what its limits and
 * their headroom need, no more. */
static void read_limits(struct walk *w, const struct cg_mount *m, int dfd, const char *path)
{
	struct cgroup *c = row_for(w, path);
	if (!c)
		return;
	uint64_t q, pe;
	if (m->version == 1) {
		c->version = 1;
		if (has_ctrl(m, "cpuacct")) {
			uint64_t ns = VAL_NA;
			rd_u64(dfd, "cpuacct.usage", &ns);
			if (ns != VAL_NA && c->cpu_usage_usec == VAL_NA)
				c->cpu_usage_usec = ns / 1000;
		}
		if (has_ctrl(m, "cpu")) {
			q = pe = VAL_NA;
			rd_limit(dfd, "cpu.cfs_quota_us", &q);
			rd_u64(dfd, "cpu.cfs_period_us", &pe);
			if (q != VAL_NA && pe != VAL_NA && pe && c->cpu_quota_usec == VAL_NA) {
				c->cpu_quota_usec = q;
				c->cpu_period_usec = pe;
			}
		}
		if (has_ctrl(m, "memory")) {
			rd_u64(dfd, "memory.usage_in_bytes", &c->mem_current);
			rd_limit(dfd, "memory.limit_in_bytes", &c->mem_max);
		}
		if (has_ctrl(m, "pids")) {
			rd_limit(dfd, "pids.max", &c->pids_max);
			rd_u64(dfd, "pids.current", &c->pids_current);
		}
		return;
	}
	if (c->version == 0)
		c->version = 2;
	if (w->s->layout == CG_HYBRID)
		c->in_unified = true;
	if (c->cpu_usage_usec == VAL_NA && read_file_at(dfd, "cpu.stat", &w->b) > 0)
		keyed(&w->b, "usage_usec", &c->cpu_usage_usec, 1);
	rd_cpu_max(dfd, c);
	rd_u64(dfd, "memory.current", &c->mem_current);
	rd_limit(dfd, "memory.max", &c->mem_max);
	rd_limit(dfd, "pids.max", &c->pids_max);
	rd_u64(dfd, "pids.current", &c->pids_current);
}

static void walk_dir(struct walk *w, const struct cg_mount *m, int dfd, struct buf *path,
		     int depth)
{
	if (!read_dir(w, m, dfd, path->len ? path->p : "/"))
		return;
	if (depth >= CG_MAX_DEPTH)
		return;
	int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0)
		return;
	DIR *d = fdopendir(lfd);
	if (!d) {
		close(lfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		/* ".x" is a cgroup like any other: hiding it would hide its processes */
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* a cgroup removed mid-walk is simply gone */
		int cfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		size_t save = path->len;
		if (!path->len || path->p[path->len - 1] != '/')
			buf_addc(path, '/');
		buf_adds(path, de->d_name);
		walk_dir(w, m, cfd, path, depth + 1);
		path->len = save;
		path->p[save] = '\0';
		close(cfd);
	}
	closedir(d);
}

static int cmp_row(const void *a, const void *b)
{
	return cg_path_cmp(((const struct cgroup *)a)->path, ((const struct cgroup *)b)->path);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
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
	struct buf b = {0}, up = {0};
	for (size_t k = 0; k < nsets; k++) {
		const struct proc *p = sets[k].p;
		uint32_t direct[40], rec[40 * 8];
		size_t nd = 0, nr = 0;
		for (int j = -1; j < p->ncg1 && nd < ARRAY_LEN(direct); j++) {
			const char *path = j < 0 ? (v2 ? p->cg2 : NULL) : p->cg1[j].path;
			if (!path)
				continue;
			const struct cgroup *g = cgroup_row_or_ancestor(s, &b, path);
			if (!g)
				continue;
			if (!strcmp(g->path, path))
				direct[nd++] = (uint32_t)(g - s->cgs);
			/* this row and every ancestor that has one */
			while (g && nr < ARRAY_LEN(rec)) {
				rec[nr++] = (uint32_t)(g - s->cgs);
				if (!strcmp(g->path, "/"))
					break;
				const char *sl = strrchr(g->path, '/');
				buf_reset(&up);
				buf_add(&up, g->path, sl == g->path ? 1 : (size_t)(sl - g->path));
				g = cgroup_row_or_ancestor(s, &b, buf_str(&up));
			}
		}
		qsort(direct, nd, sizeof(*direct), cmp_u32);
		qsort(rec, nr, sizeof(*rec), cmp_u32);
		for (size_t j = 0; j < nd; j++)
			if (!j || direct[j] != direct[j - 1])
				s->cgs[direct[j]].nprocs += sets[k].n;
		for (size_t j = 0; j < nr; j++)
			if (!j || rec[j] != rec[j - 1])
				s->cgs[rec[j]].nprocs_rec += sets[k].n;
	}
	buf_free(&b);
	buf_free(&up);
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

/* The whole trees (paths NULL), or just the cgroups named in paths (and
 * their ancestors, whose limits bind them too). */
static void collect(struct snap *s, struct sysroot *sr, const char *const *paths0, size_t np0)
{
	struct walk w = {.s = s};
	size_t np = 0, nfull = 0;
	const char **paths = paths0 ? with_ancestors(s, paths0, np0, &np, &nfull) : NULL;
	if (sr->layout == CG_NONE) {
		nerr_set(&s->cg_err, -ENOENT, "no cgroup filesystem is mounted");
		free(paths);
		return;
	}
	/* v1 hierarchies first: on hybrid hosts their figures win over the
	 * controller-less unified tree's */
	for (int pass = 1; pass <= 2; pass++) {
		for (int i = 0; i < sr->nmounts; i++) {
			const struct cg_mount *m = &sr->mounts[i];
			if (m->version != pass)
				continue;
			/* just the paths asked for, each read where it exists */
			for (size_t k = 0; paths && k < np; k++) {
				int dfd = cgx_open(sr, i, paths[k]);
				if (dfd < 0)
					continue;
				if (k < nfull)
					read_dir(&w, m, dfd, paths[k]);
				else
					read_limits(&w, m, dfd, paths[k]);
				close(dfd);
			}
			if (paths)
				continue;
			int dfd = openat(m->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				continue;
			struct buf path = {0};
			if (strcmp(m->root, "/"))
				buf_adds(&path, m->root);
			walk_dir(&w, m, dfd, &path, 0);
			buf_free(&path);
			close(dfd);
		}
	}
	hmap_free(&w.idx);
	buf_free(&w.b);
	free(paths);
	if (s->ncgs > 1)
		qsort(s->cgs, s->ncgs, sizeof(*s->cgs), cmp_row);
	count_procs(s);
	cgroup_effective(s);
}

void cgroup_collect(struct snap *s, struct sysroot *sr)
{
	collect(s, sr, NULL, 0);
}

void cgroup_collect_paths(struct snap *s, struct sysroot *sr, const char *const *paths, size_t n)
{
	/* never NULL here: no paths reads no cgroup, not every one */
	static const char *const none[1];
	collect(s, sr, paths ? paths : none, n);
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
	if (!prev || s->mono_usec <= prev->mono_usec)
		return;
	double dt = (double)(s->mono_usec - prev->mono_usec);
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cgroup *c = &s->cgs[i];
		const struct cgroup *o = snap_cgroup(prev, c->path);
		if (!o)
			continue;
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
