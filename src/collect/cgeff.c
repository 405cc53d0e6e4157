// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Effective limits: for memory, CPU and pids the tightest limit on the path
 * from a cgroup to the root, the cgroup that sets it and the headroom, over
 * the rows cgroup.c read (split from it; it calls in, never the reverse).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

/* The row of path or of its nearest ancestor that has one, NULL when none. */
const struct cgroup *cgroup_row_or_ancestor(const struct snap *s, struct buf *b, const char *path)
{
	buf_reset(b);
	buf_adds(b, path);
	for (;;) {
		const struct cgroup *g = snap_cgroup(s, b->p);
		if (g)
			return g;
		char *sl = strrchr(b->p, '/');
		if (!sl || !strcmp(b->p, "/"))
			return NULL;
		sl[sl == b->p] = '\0';
		b->len = strlen(b->p);
	}
}

/* The parent's row: the nearest ancestor that has one, NULL for the root. */
const struct cgroup *cgroup_parent_row(const struct snap *s, struct buf *b, const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl || !strcmp(path, "/"))
		return NULL;
	char up[4096];
	size_t n = sl == path ? 1 : (size_t)(sl - path);
	if (n >= sizeof(up))
		return NULL;
	memcpy(up, path, n);
	up[n] = '\0';
	return cgroup_row_or_ancestor(s, b, up);
}

static bool limited(uint64_t v)
{
	return v != VAL_NA && v != VAL_UNLIMITED;
}

/* one resource's effective limit: the parent's or its own, the tighter */
static void eff_limit(uint64_t own, uint64_t use, const struct cgroup *c, const struct cgroup *up,
		      size_t off_max, size_t off_from, size_t off_head, struct cgroup *out)
{
	uint64_t *max = (uint64_t *)((char *)out + off_max);
	const char **from = (const char **)((char *)out + off_from);
	uint64_t *head = (uint64_t *)((char *)out + off_head);
	if (up) {
		*max = *(const uint64_t *)((const char *)up + off_max);
		*from = *(const char *const *)((const char *)up + off_from);
		*head = *(const uint64_t *)((const char *)up + off_head);
	}
	if (!limited(own))
		return;
	if (*max == VAL_NA || own < *max) {
		*max = own;
		*from = c->path;
	}
	if (use != VAL_NA) {
		uint64_t h = own > use ? own - use : 0;
		if (*head == VAL_NA || h < *head)
			*head = h;
	}
}

double cgroup_own_cpu_limit(const struct cgroup *c)
{
	if (!limited(c->cpu_quota_usec) || c->cpu_period_usec == VAL_NA || !c->cpu_period_usec)
		return NAN;
	return (double)c->cpu_quota_usec / (double)c->cpu_period_usec * 100.0;
}

/*
 * Effective limits: the rows are sorted parents first, so each takes its
 * parent's (the nearest ancestor that has a row) and tightens it with its own.
 */
void cgroup_effective(struct snap *s)
{
	struct buf b = {0};
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cgroup *c = &s->cgs[i];
		const struct cgroup *up = cgroup_parent_row(s, &b, c->path);
		c->mem_wset = mem_working_set(c->mem_current, c->mem_inactive_file);
		eff_limit(c->mem_max, c->mem_current, c, up, offsetof(struct cgroup, eff_mem_max),
			  offsetof(struct cgroup, eff_mem_from), offsetof(struct cgroup, mem_headroom), c);
		eff_limit(c->pids_max, c->pids_current, c, up, offsetof(struct cgroup, eff_pids_max),
			  offsetof(struct cgroup, eff_pids_from), offsetof(struct cgroup, pids_headroom), c);
		double own = cgroup_own_cpu_limit(c);
		if (up) {
			c->eff_cpu_percent = up->eff_cpu_percent;
			c->eff_cpu_from = up->eff_cpu_from;
		}
		if (!isnan(own) && (isnan(c->eff_cpu_percent) || own < c->eff_cpu_percent)) {
			c->eff_cpu_percent = own;
			c->eff_cpu_from = c->path;
		}
	}
	buf_free(&b);
}

