// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Limits: CPU quota, memory max/high, swap and pids, on v2 (cpu.max,
 * memory.max, memory.high, memory.swap.max, pids.max) and v1
 * (cpu.cfs_quota_us/cfs_period_us, memory.limit_in_bytes,
 * memory.memsw.limit_in_bytes, pids.max). Every value is checked before
 * the first write, and a write that fails puts back the ones before it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act.h"

#define CPU_PERIOD_USEC 100000u   /* docker --cpus uses the kernel's default period */
#define MEM_ABSURD (UINT64_C(1) << 52)
#define PIDS_ABSURD 4194304u      /* PID_MAX_LIMIT */
#define V1_UNLIMITED_MIN (UINT64_C(1) << 62) /* v1 reads "unlimited" as ~2^63 - page */

static const char *const names[LIM_N] = {
	[LIM_CPU] = "cpu", [LIM_MEM] = "memory", [LIM_HIGH] = "memory_high",
	[LIM_SWAP] = "swap", [LIM_PIDS] = "pids",
};

const char *limit_name(enum limit_key k)
{
	return names[k];
}

int limit_key_parse(const char *s)
{
	for (int k = 0; k < LIM_N; k++)
		if (!strcmp(s, names[k]))
			return k;
	return -1;
}

/* The user's words: "50%", "1.5", "max", "512M", "10". */
int limit_parse(enum limit_key k, const char *s, struct limit_val *v, struct nerr *e)
{
	struct buf b = {0};
	str_escape(&b, s, strlen(s), ESC_TEXT);
	memset(v, 0, sizeof(*v));
	v->set = true;
	int r = 0;
	if (k == LIM_CPU) {
		double cpus;
		r = str_parse_cpu(s, &cpus);
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (r < 0)
			nerr_input(e, -EINVAL, "--cpu: not a CPU amount (1.5, 50%% or max): %s", buf_str(&b));
		else if (cpus == 0)
			v->max = true, v->period = CPU_PERIOD_USEC;
		else if (ncpu > 0 && cpus > (double)ncpu)
			r = -EINVAL, nerr_input(e, r, "--cpu: %s is more than the %ld CPUs this host has",
					        buf_str(&b), ncpu);
		else if (cpus * CPU_PERIOD_USEC < 1000)
			r = -EINVAL, nerr_input(e, r, "--cpu: %s is below the 1 ms quota the kernel accepts (1%%)",
					        buf_str(&b));
		else
			v->v = (uint64_t)llround(cpus * CPU_PERIOD_USEC), v->period = CPU_PERIOD_USEC;
	} else if (k == LIM_PIDS) {
		if (!strcmp(s, "max"))
			v->max = true;
		else if (str_parse_u64(s, &v->v) < 0 || v->v == 0 || v->v > PIDS_ABSURD)
			r = -EINVAL, nerr_input(e, r, "--pids: not a count from 1 to %u, or max: %s",
					        PIDS_ABSURD, buf_str(&b));
	} else {
		const char *opt = k == LIM_MEM ? "--memory" : k == LIM_HIGH ? "--memory-high" : "--swap";
		r = str_parse_size(s, &v->v);
		if (r < 0 || (v->v != VAL_UNLIMITED && v->v > MEM_ABSURD))
			r = -EINVAL, nerr_input(e, r, "%s: not a size (512M, 2G, bytes, or max): %s", opt,
					        buf_str(&b));
		else if (v->v == VAL_UNLIMITED)
			v->max = true, v->v = 0;
		else if (k != LIM_SWAP && v->v < 4096)
			r = -EINVAL, nerr_input(e, r, "%s: %s is less than a page", opt, buf_str(&b));
	}
	buf_free(&b);
	if (r < 0)
		v->set = false;
	return r < 0 ? -EINVAL : 0;
}

/*
 * docker's --memory-swap: memory plus swap, "-1" unlimited, never below
 * the memory. nstop's swap is the swap alone: the difference. mem is the
 * --memory already parsed, which docker's option needs.
 */
int limit_memory_swap(const struct limit_val *mem, const char *s, struct limit_val *swap,
		      struct nerr *e)
{
	struct buf b = {0};
	uint64_t total;
	int r = 0;
	memset(swap, 0, sizeof(*swap));
	if (!mem->set || mem->max)
		r = nerr_input(e, -EINVAL, "--memory-swap needs a --memory (-m) size: it is memory plus swap");
	else if (!strcmp(s, "-1"))
		swap->set = swap->max = true;
	else if (str_parse_size(s, &total) < 0 || total == VAL_UNLIMITED || total > MEM_ABSURD)
		r = nerr_input(e, -EINVAL, "--memory-swap: not a size (512m, 1g, bytes) or -1: %s",
			       str_esc(&b, s));
	else if (total < mem->v)
		r = nerr_input(e, -EINVAL, "--memory-swap: %s is below the --memory %" PRIu64
			       " bytes (it is memory plus swap)", str_esc(&b, s), mem->v);
	else
		swap->set = true, swap->v = total - mem->v;
	buf_free(&b);
	return r;
}

/* The v2 file form: "20000 100000", "max 100000", "max", "67108864". */
void limit_fmt(enum limit_key k, const struct limit_val *v, char *out, size_t n)
{
	if (!v->set)
		snprintf(out, n, "-");
	else if (k == LIM_CPU && v->max)
		snprintf(out, n, "max %" PRIu64, v->period);
	else if (k == LIM_CPU)
		snprintf(out, n, "%" PRIu64 " %" PRIu64, v->v, v->period);
	else if (v->max)
		snprintf(out, n, "max");
	else
		snprintf(out, n, "%" PRIu64, v->v);
}

/* Back from limit_fmt's form (the audit log's old and new values). */
int limit_unfmt(enum limit_key k, const char *s, struct limit_val *v)
{
	memset(v, 0, sizeof(*v));
	char a[32], b[32];
	int n = sscanf(s, "%31s %31s", a, b);
	if (n < 1 || (k == LIM_CPU) != (n == 2))
		return -EINVAL;
	v->set = true;
	if (k == LIM_CPU && str_parse_u64(b, &v->period) < 0)
		return -EINVAL;
	if (!strcmp(a, "max"))
		v->max = true;
	else if (str_parse_u64(a, &v->v) < 0)
		return -EINVAL;
	return 0;
}

/* For people: "0.20 CPU", "64.0M", "max". */
void limit_human(enum limit_key k, const struct limit_val *v, char *out, size_t n)
{
	if (!v->set)
		snprintf(out, n, "-");
	else if (v->max)
		snprintf(out, n, "max");
	else if (k == LIM_CPU)
		snprintf(out, n, "%.2f CPU", (double)v->v / (double)v->period);
	else if (k == LIM_PIDS)
		snprintf(out, n, "%" PRIu64, v->v);
	else
		str_fmt_size(out, n, v->v);
}

static const char *ctrl_of(enum limit_key k)
{
	return k == LIM_CPU ? "cpu" : k == LIM_PIDS ? "pids" : "memory";
}

/* The hierarchy a setting lives in, with the target's dir fd there. */
static int open_for(struct sysroot *sr, const struct act_target *t, enum limit_key k, int *mi)
{
	*mi = cgx_mount_for(sr, ctrl_of(k));
	if (*mi < 0)
		return -ENODEV;
	if (!t->paths[*mi])
		return -ENOENT;
	return cgx_open(sr, *mi, t->paths[*mi]);
}

static int read_u64_file(int dfd, const char *file, uint64_t *v, bool *max)
{
	char s[64];
	int r = cgx_read(dfd, file, s, sizeof(s));
	if (r < 0)
		return r;
	*max = false;
	if (!strcmp(s, "max") || !strcmp(s, "-1")) {
		*max = true;
		return 0;
	}
	if (str_parse_u64(s, v) < 0)
		return -EINVAL;
	if (*v >= V1_UNLIMITED_MIN)
		*max = true;
	return 0;
}

static int read_one(int dfd, bool v2, enum limit_key k, struct limit_val *v)
{
	int r;
	memset(v, 0, sizeof(*v));
	switch (k) {
	case LIM_CPU:
		if (v2) {
			char s[64];
			r = cgx_read(dfd, "cpu.max", s, sizeof(s));
			if (r >= 0)
				r = limit_unfmt(k, s, v);
		} else {
			r = read_u64_file(dfd, "cpu.cfs_period_us", &v->period, &v->max);
			if (r >= 0)
				r = read_u64_file(dfd, "cpu.cfs_quota_us", &v->v, &v->max);
		}
		break;
	case LIM_MEM:
		r = read_u64_file(dfd, v2 ? "memory.max" : "memory.limit_in_bytes", &v->v, &v->max);
		break;
	case LIM_HIGH:
		r = v2 ? read_u64_file(dfd, "memory.high", &v->v, &v->max) : -ENOTSUP;
		break;
	case LIM_SWAP:
		if (v2) {
			r = read_u64_file(dfd, "memory.swap.max", &v->v, &v->max);
		} else {
			/* v1 limits memory+swap together */
			uint64_t mem, memsw;
			bool mmax, swmax;
			r = read_u64_file(dfd, "memory.memsw.limit_in_bytes", &memsw, &swmax);
			if (r >= 0)
				r = read_u64_file(dfd, "memory.limit_in_bytes", &mem, &mmax);
			if (r >= 0) {
				v->max = swmax;
				v->v = swmax || mmax || memsw < mem ? 0 : memsw - mem;
			}
		}
		break;
	case LIM_PIDS:
		r = read_u64_file(dfd, "pids.max", &v->v, &v->max);
		break;
	default:
		r = -EINVAL;
	}
	if (r >= 0)
		v->set = true;
	return r < 0 ? r : 0;
}

/* Reads every setting the target's hierarchies have; absent ones stay unset. */
void act_limit_read(struct sysroot *sr, const struct act_target *t, struct limits *cur)
{
	memset(cur, 0, sizeof(*cur));
	for (int k = 0; k < LIM_N; k++) {
		int mi;
		int dfd = open_for(sr, t, k, &mi);
		if (dfd < 0)
			continue;
		read_one(dfd, sr->mounts[mi].version == 2, k, &cur->l[k]);
		close(dfd);
	}
}

/* Memory in use now: memory.current (v2) or memory.usage_in_bytes (v1). */
int act_mem_usage(struct sysroot *sr, const struct act_target *t, uint64_t *use)
{
	int mi;
	int dfd = open_for(sr, t, LIM_MEM, &mi);
	if (dfd < 0)
		return dfd;
	bool max;
	int r = read_u64_file(dfd, sr->mounts[mi].version == 2 ? "memory.current"
							       : "memory.usage_in_bytes",
			      use, &max);
	close(dfd);
	return r;
}

/* One file write of a plan; old is what to put back if a later one fails. */
struct wr {
	int mi;
	const char *file;
	char val[64], old[64];
	bool done;
};

static void v1_num(char *out, size_t n, const struct limit_val *v, uint64_t x)
{
	if (v->max)
		snprintf(out, n, "-1");
	else
		snprintf(out, n, "%" PRIu64, x);
}

static int plan_add(struct wr *p, int *np, int mi, const char *file, const char *val)
{
	p[*np].mi = mi;
	p[*np].file = file;
	snprintf(p[*np].val, sizeof(p[*np].val), "%s", val);
	p[*np].done = false;
	(*np)++;
	return 0;
}

static const char *errname(int code, struct buf *b)
{
	buf_reset(b);
	buf_adds(b, strerror(-code));
	return buf_str(b);
}

/* v1's memory and memory+swap: memory <= memory+swap at every moment. */
static int plan_v1_mem(struct wr *plan, int *np, int mi, const struct limits *want,
		       const struct limits *old, const char *desc, struct nerr *e)
{
	const struct limit_val *mem = want->l[LIM_MEM].set ? &want->l[LIM_MEM] : &old->l[LIM_MEM];
	const struct limit_val *sw = want->l[LIM_SWAP].set ? &want->l[LIM_SWAP] : NULL;
	char mv[64], sv[64];
	v1_num(mv, sizeof(mv), mem, mem->v);
	if (!sw)
		return plan_add(plan, np, mi, "memory.limit_in_bytes", mv);
	if (!old->l[LIM_SWAP].set)
		return nerr_input(e, -EINVAL, "%s: --swap: this kernel does not account swap in v1 (no memory.memsw.limit_in_bytes)",
				  desc);
	struct limit_val msw = {.set = true, .max = mem->max || sw->max, .v = mem->v + sw->v};
	v1_num(sv, sizeof(sv), &msw, msw.v);
	/* memory+swap first when it stays above the current memory limit,
	 * else memory first */
	const struct limit_val *om = &old->l[LIM_MEM];
	if (msw.max || (!om->max && msw.v >= om->v)) {
		plan_add(plan, np, mi, "memory.memsw.limit_in_bytes", sv);
		plan_add(plan, np, mi, "memory.limit_in_bytes", mv);
	} else {
		plan_add(plan, np, mi, "memory.limit_in_bytes", mv);
		plan_add(plan, np, mi, "memory.memsw.limit_in_bytes", sv);
	}
	return 0;
}

/* One setting's writes, in the target's hierarchy mi. */
static int plan_one(struct wr *plan, int *np, int mi, bool v2, enum limit_key k,
		    const struct limits *want, const struct limits *old, const char *desc,
		    struct nerr *e)
{
	const struct limit_val *v = &want->l[k];
	char val[64];
	switch (k) {
	case LIM_CPU:
		if (v2) {
			limit_fmt(k, v, val, sizeof(val));
			return plan_add(plan, np, mi, "cpu.max", val);
		}
		snprintf(val, sizeof(val), "%" PRIu64, v->period);
		plan_add(plan, np, mi, "cpu.cfs_period_us", val);
		v1_num(val, sizeof(val), v, v->v);
		return plan_add(plan, np, mi, "cpu.cfs_quota_us", val);
	case LIM_HIGH:
		if (!v2)
			return nerr_input(e, -EINVAL, "%s: --memory-high: cgroup v1 has no memory.high (only v2 does)",
					  desc);
		limit_fmt(k, v, val, sizeof(val));
		return plan_add(plan, np, mi, "memory.high", val);
	case LIM_PIDS:
		limit_fmt(k, v, val, sizeof(val));
		return plan_add(plan, np, mi, "pids.max", val);
	case LIM_MEM:
	case LIM_SWAP:
		if (k == LIM_SWAP && want->l[LIM_MEM].set && !v2)
			return 0; /* planned with memory */
		if (v2) {
			limit_fmt(k, v, val, sizeof(val));
			return plan_add(plan, np, mi, k == LIM_MEM ? "memory.max" : "memory.swap.max", val);
		}
		return plan_v1_mem(plan, np, mi, want, old, desc, e);
	default:
		return 0;
	}
}

/* The file writes for want, in order; every value checked, nothing written. */
static int plan_limits(struct sysroot *sr, const struct act_target *t, const struct limits *want,
		       const struct limits *old, struct wr *plan, int *np, const char *desc,
		       struct nerr *e)
{
	for (int k = 0; k < LIM_N; k++) {
		if (!want->l[k].set)
			continue;
		int mi = cgx_mount_for(sr, ctrl_of(k));
		if (mi < 0 || !t->paths[mi]) {
			act_missing(sr, t, mi, ctrl_of(k), e);
			return -EINVAL;
		}
		int r = plan_one(plan, np, mi, sr->mounts[mi].version == 2, k, want, old, desc, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A memory limit below what is in use only with force. */
static int check_mem_use(struct sysroot *sr, const struct act_target *t, const struct limits *want,
			 bool force, const char *desc, struct nerr *e)
{
	const struct limit_val *mv = &want->l[LIM_MEM];
	uint64_t use;
	if (!mv->set || mv->max || force || act_mem_usage(sr, t, &use) < 0 || mv->v >= use)
		return 0;
	char a[32], b[32];
	str_fmt_size(a, sizeof(a), mv->v);
	str_fmt_size(b, sizeof(b), use);
	return nerr_input(e, -EINVAL, "%s: --memory %s is below the %s in use: the kernel would reclaim or OOM-kill (v2) or refuse (v1); pass --force to do it",
			  desc, a, b);
}

/* The values to put back if a later write fails. */
static int plan_read_old(struct sysroot *sr, const struct act_target *t, struct wr *plan, int np,
			 const char *desc, struct buf *eb, struct nerr *e)
{
	int r = 0;
	for (int i = 0; i < np && !r; i++) {
		int dfd = cgx_open(sr, plan[i].mi, t->paths[plan[i].mi]);
		if (dfd < 0 || cgx_read(dfd, plan[i].file, plan[i].old, sizeof(plan[i].old)) < 0) {
			r = dfd < 0 ? dfd : -ENOENT;
			if (r == -ENOENT && sr->mounts[plan[i].mi].version == 2)
				nerr_set(e, r, "%s: no %s: its controller is not enabled in the parent's cgroup.subtree_control",
					 desc, plan[i].file);
			else
				nerr_set(e, r, "%s: %s: cannot read it: %s", desc, plan[i].file,
					 errname(r, eb));
		}
		if (dfd >= 0)
			close(dfd);
		/* v1 reads back what it cannot be written as */
		if (!r && sr->mounts[plan[i].mi].version == 1) {
			uint64_t x;
			if (str_parse_u64(plan[i].old, &x) == 0 && x >= V1_UNLIMITED_MIN)
				snprintf(plan[i].old, sizeof(plan[i].old), "-1");
		}
		/* cpu.max reads "max 100000", which it also accepts */
	}
	return r;
}

/* The writes, in order, until one fails. */
static int plan_write(struct sysroot *sr, const struct act_target *t, struct wr *plan, int np,
		      const char *desc, struct buf *eb, struct nerr *e)
{
	int r = 0;
	for (int i = 0; i < np && !r; i++) {
		int dfd = cgx_open(sr, plan[i].mi, t->paths[plan[i].mi]);
		r = dfd < 0 ? dfd : cgx_write(dfd, plan[i].file, plan[i].val);
		if (dfd >= 0)
			close(dfd);
		if (r == 0) {
			plan[i].done = true;
			continue;
		}
		if (r == -EBUSY && !strcmp(plan[i].file, "memory.limit_in_bytes"))
			nerr_set(e, r, "%s: memory.limit_in_bytes %s: the kernel could not reclaim down to it (EBUSY): v1 refuses rather than OOM-kill; stop processes or choose a higher limit",
				 desc, plan[i].val);
		else
			nerr_set(e, r, "%s: writing %s to %s: %s", desc, plan[i].val, plan[i].file,
				 errname(r, eb));
	}
	return r;
}

/* What was written put back, the last first. */
static void plan_undo(struct sysroot *sr, const struct act_target *t, const struct wr *plan, int np)
{
	for (int i = np; i-- > 0;) {
		if (!plan[i].done)
			continue;
		int dfd = cgx_open(sr, plan[i].mi, t->paths[plan[i].mi]);
		if (dfd >= 0) {
			cgx_write(dfd, plan[i].file, plan[i].old);
			close(dfd);
		}
	}
}

/*
 * Applies want to the target. old receives the values before (every setting
 * that was read). Returns 0 or -errno with e filled: input faults (said as
 * such) before the kernel is asked anything.
 */
int act_limit(struct sysroot *sr, const struct act_target *t, const struct limits *want,
	      bool force, struct limits *old, struct nerr *e)
{
	struct buf d = {0}, eb = {0};
	const char *desc = act_target_desc(t, &d);
	act_limit_read(sr, t, old);
	struct wr plan[12];
	int np = 0;
	int r = plan_limits(sr, t, want, old, plan, &np, desc, e);
	if (!r)
		r = check_mem_use(sr, t, want, force, desc, e);
	if (!r)
		r = plan_read_old(sr, t, plan, np, desc, &eb, e);
	if (!r && (r = plan_write(sr, t, plan, np, desc, &eb, e)))
		plan_undo(sr, t, plan, np);
	buf_free(&d);
	buf_free(&eb);
	return r;
}

/*
 * Whether a manager owns the cgroup and may put its own limits back:
 * systemd (a .service, .scope or .slice component) or Kubernetes (kubepods).
 */
bool limit_managed(const struct act_target *t, char *who, size_t n)
{
	const char *p = t->cgroup ? t->cgroup : "";
	if (strstr(p, "/kubepods")) {
		snprintf(who, n, "Kubernetes (the kubelet)");
		return true;
	}
	for (const char *c = p; (c = strchr(c, '/'));) {
		c++;
		const char *end = strchr(c, '/');
		size_t l = end ? (size_t)(end - c) : strlen(c);
		if ((l > 8 && !memcmp(c + l - 8, ".service", 8)) ||
		    (l > 6 && !memcmp(c + l - 6, ".scope", 6)) ||
		    (l > 6 && !memcmp(c + l - 6, ".slice", 6))) {
			snprintf(who, n, "systemd");
			return true;
		}
	}
	return false;
}
