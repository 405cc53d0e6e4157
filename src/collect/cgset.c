// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsed /proc/PID/cgroup texts in the string pool the snapshots share:
 * each distinct text is parsed once (thousands of processes share a few
 * hundred), its paths interned in the pool.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "collect.h"

struct set_parse {
	struct strpool *p;
	struct cgset *set;
	struct proc_cg tmp[32];
};

static void on_set_line(void *arg, int hid, const char *ctrl, size_t ctrl_len, const char *path,
			size_t path_len)
{
	struct set_parse *x = arg;
	const char *ip = strtab_intern(&x->p->t, path, path_len);
	if (hid == 0 && ctrl_len == 0) {
		x->set->cg2 = ip;
		return;
	}
	if (x->set->ncg1 < (int)ARRAY_LEN(x->tmp)) {
		struct proc_cg *c = &x->tmp[x->set->ncg1++];
		c->hid = hid;
		c->ctrl = strtab_intern(&x->p->t, ctrl, ctrl_len);
		c->path = ip;
	}
}

/* The parsed form of one /proc/PID/cgroup text, made once per distinct
 * text: thousands of processes share a few hundred. NULL when malformed. */
const struct cgset *pool_cgset(struct strpool *p, const char *text, size_t n)
{
	const char *key = strtab_intern(&p->t, text, n);
	uint32_t k;
	if (hmap_get(&p->setidx, (uint64_t)(uintptr_t)key, &k))
		return p->sets[k].bad ? NULL : &p->sets[k];
	if (p->nsets == p->setcap) {
		p->setcap = p->setcap ? p->setcap * 2 : 64;
		p->sets = xreallocarray(p->sets, p->setcap, sizeof(*p->sets));
	}
	struct cgset *set = &p->sets[p->nsets];
	memset(set, 0, sizeof(*set));
	struct set_parse x = {.p = p, .set = set};
	/* the parser only reads (its char * is for the fuzzers' sake) */
	set->bad = parse_proc_cgroup((char *)key, n, on_set_line, &x) < 0;
	if (set->ncg1) {
		set->cg1 = xreallocarray(NULL, (size_t)set->ncg1, sizeof(*set->cg1));
		memcpy(set->cg1, x.tmp, sizeof(*set->cg1) * (size_t)set->ncg1);
	}
	hmap_put(&p->setidx, (uint64_t)(uintptr_t)key, (uint32_t)p->nsets);
	p->nsets++;
	return set->bad ? NULL : set;
}
