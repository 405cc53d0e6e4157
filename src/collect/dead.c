// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dead stay visible: a container that was in the previous snapshot and
 * is not in this one is remembered with how it ended (events.c's exit
 * event: the proc connector's wait status of its init; an OOM kill in its
 * cgroup) and its cgroup's last figures, and listed at the end of each
 * snapshot's containers for keep_usec. A container that comes back (docker
 * restart: the same id) is alive again. Only the collector's thread calls
 * this: it interns into the snapshot's pool.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

#define DEAD_MAX 256            /* remembered at once: the oldest go first */
#define DEAD_OOM_USEC (30 * 1000000LL) /* an OOM kill this recent explains a SIGKILL */
#define DEAD_AFTER_USEC 1000000LL       /* ... or this much after (taken at the same sample) */

struct dead_one {
	struct container c;     /* strings in d->pool */
	struct cgroup g;        /* its cgroup's last figures, strings in d->pool */
	bool has_g;
	int64_t died_usec;
};

struct oom_seen {
	char id[160];
	int64_t usec;
};

/* a container's exit with its status, which may come a sample before it
 * leaves the listing */
struct exit_seen {
	char id[160];
	int64_t usec;
	struct wstatus st;
};

struct deadkeep {
	struct dead_one *d;
	size_t n;
	struct oom_seen oom[32];
	size_t noom, noom_next;
	struct exit_seen ex[64];
	size_t nex, nex_next;
	struct strpool *pool;
};

struct deadkeep *dead_new(void)
{
	struct deadkeep *d = xcalloc(1, sizeof(*d));
	d->pool = pool_new();
	d->d = xcalloc(DEAD_MAX, sizeof(*d->d));
	return d;
}

void dead_free(struct deadkeep *d)
{
	if (!d)
		return;
	free(d->d);
	pool_unref(d->pool);
	free(d);
}

static const char *in(struct strtab *t, const char *s)
{
	return s ? strtab_intern(t, s, strlen(s)) : NULL;
}

/* a row's strings into t (its pool or the snapshot's) */
static void intern_ctr(struct strtab *t, struct container *c)
{
	c->id = in(t, c->id);
	c->name = in(t, c->name);
	c->pod = in(t, c->pod);
	c->image = in(t, c->image);
	c->pod_name = in(t, c->pod_name);
	c->pod_ns = in(t, c->pod_ns);
	c->pod_uid = in(t, c->pod_uid);
	c->cgroup = in(t, c->cgroup);
	c->veth = in(t, c->veth);
	c->cgroups_json = in(t, c->cgroups_json);
	c->cg_memory = in(t, c->cg_memory);
}

static void intern_cg(struct strtab *t, struct cgroup *g)
{
	g->path = in(t, g->path);
	g->eff_mem_from = in(t, g->eff_mem_from);
	g->eff_pids_from = in(t, g->eff_pids_from);
	g->eff_cpu_from = in(t, g->eff_cpu_from);
	g->cpuset_cpus = in(t, g->cpuset_cpus);
}

/* Which containers are kept when they exit: named ones of a runtime (an
 * unnamed row, a process with a pid namespace of its own, is anyone's to
 * make), not a pod's sandbox. */
static bool keepable(const struct container *c)
{
	return !c->dead[0] && !c->sandbox && c->rt != RT_UNNAMED && c->id;
}

static bool same(const struct container *a, const struct container *b)
{
	return a->rt == b->rt && a->id && b->id && !strcmp(a->id, b->id);
}

static bool in_snap(const struct snap *s, const struct container *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same(&s->ctrs[i], c))
			return true;
	return false;
}

static bool oom_recent(const struct deadkeep *d, const char *id, int64_t now)
{
	for (size_t i = 0; i < d->noom; i++)
		if (!strcmp(d->oom[i].id, id) && now - d->oom[i].usec <= DEAD_OOM_USEC &&
		    d->oom[i].usec - now <= DEAD_AFTER_USEC)
			return true;
	return false;
}

/* How it ended, as the STATE column says it. */
static void how(const struct deadkeep *d, const struct container *c, const struct event *ev, size_t nev,
		int64_t now, char *out, size_t n)
{
	const struct wstatus *x = NULL;
	(void)ev, (void)nev;
	for (size_t i = 0; i < d->nex; i++)
		if (!strcmp(d->ex[i].id, c->id) && now - d->ex[i].usec <= DEAD_OOM_USEC &&
		    d->ex[i].usec - now <= DEAD_AFTER_USEC)
			x = &d->ex[i].st;
	bool oom = oom_recent(d, c->id, now);
	if (x && x->signaled && oom && x->sig == SIGKILL)
		snprintf(out, n, "oom-killed");
	else if (x && x->signaled)
		snprintf(out, n, "killed(%d)", x->sig);
	else if (x && x->exited)
		snprintf(out, n, "exited(%d)", x->code);
	else
		snprintf(out, n, oom ? "oom-killed" : "exited");
}

/* The OOM kills and containers' exits among ev, each at its own time
 * (now when it has none): how a container that leaves ended. */
void dead_note(struct deadkeep *d, const struct event *ev, size_t nev, int64_t now)
{
	for (size_t i = 0; i < nev; i++) {
		int64_t t = ev[i].time_usec ? ev[i].time_usec : now;
		if (ev[i].type == EV_OOM_KILL && ev[i].ctr_id[0]) {
			struct oom_seen *o = &d->oom[d->noom_next++ % ARRAY_LEN(d->oom)];
			if (d->noom < ARRAY_LEN(d->oom))
				d->noom++;
			snprintf(o->id, sizeof(o->id), "%s", ev[i].ctr_id);
			o->usec = t;
		} else if (ev[i].type == EV_CTR_EXIT && ev[i].has_status && ev[i].ctr_id[0]) {
			struct exit_seen *x = &d->ex[d->nex_next++ % ARRAY_LEN(d->ex)];
			if (d->nex < ARRAY_LEN(d->ex))
				d->nex++;
			snprintf(x->id, sizeof(x->id), "%s", ev[i].ctr_id);
			x->usec = t;
			x->st = ev[i].st;
		}
	}
}

/* Container c of snapshot s (which had it alive) remembered as ended at
 * `when`, with its cgroup's last figures from s; the oldest remembered
 * gives way when DEAD_MAX are. Once: a container remembered already is
 * left as it is. */
static void remember(struct deadkeep *d, const struct snap *s, const struct container *c, int64_t when,
		     bool replace)
{
	for (size_t i = 0; i < d->n; i++)
		if (same(&d->d[i].c, c)) {
			if (!replace)
				return;
			d->d[i] = d->d[--d->n]; /* its strings stay in d->pool */
			break;
		}
	if (d->n == DEAD_MAX) {
		size_t old = 0;
		for (size_t k = 1; k < d->n; k++)
			if (d->d[k].died_usec < d->d[old].died_usec)
				old = k;
		d->d[old] = d->d[--d->n];
	}
	struct dead_one *o = &d->d[d->n++];
	memset(o, 0, sizeof(*o));
	o->c = *c;
	o->died_usec = when;
	/* an unnamed runtime's row is labelled by its init, gone now */
	const struct proc *ip = c->name ? NULL : snap_proc(s, c->init_pid);
	if (ip && ip->comm)
		o->c.name = ip->comm;
	const struct cgroup *g = snap_ctr_cgroup_mem(s, c);
	if (g) {
		o->g = *g;
		o->has_g = true;
		o->g.cpu_percent = o->g.io_rbps = o->g.io_wbps = o->g.throttled_percent = 0;
		intern_cg(&d->pool->t, &o->g);
	}
	intern_ctr(&d->pool->t, &o->c);
	how(d, c, NULL, 0, when, o->c.dead, sizeof(o->c.dead));
	o->c.init_pid = 0;
	o->c.nprocs = 0;
	o->c.net_rxps = o->c.net_txps = 0;
	o->c.netns_holder = o->c.netns_peers = 0;
}

void dead_remember(struct deadkeep *d, const struct snap *s, const struct container *c, int64_t when)
{
	remember(d, s, c, when, false);
}

/* The remembered ones of the last keep_usec (before now) appended to cur's
 * containers, dimmed by the dashboard; those back in cur (docker restart:
 * the same id) and those older forgotten. */
void dead_append(struct deadkeep *d, struct snap *cur, int64_t now, int64_t keep_usec)
{
	size_t live = cur->nctrs;
	for (size_t i = 0; i < d->n;)
		if (in_snap(cur, &d->d[i].c, live) || now - d->d[i].died_usec > keep_usec)
			d->d[i] = d->d[--d->n];
		else
			i++;
	if (!d->n || !cur->strs)
		return;
	cur->ctrs = xreallocarray(cur->ctrs, live + d->n, sizeof(*cur->ctrs));
	cur->dead_cgs = xcalloc(d->n, sizeof(*cur->dead_cgs));
	for (size_t i = 0; i < d->n; i++) {
		struct container *c = &cur->ctrs[live + i];
		*c = d->d[i].c;
		intern_ctr(cur->strs, c);
		if (d->d[i].has_g) {
			cur->dead_cgs[i] = d->d[i].g;
			intern_cg(cur->strs, &cur->dead_cgs[i]);
			c->last_cg = &cur->dead_cgs[i];
		}
	}
	cur->nctrs = live + d->n;
}

/*
 * cur has been taken after prev (which may list dead ones already) and ev
 * are the events between them (evsrc_take). The containers of prev that
 * are gone are remembered; the remembered ones of the last keep_usec are
 * appended to cur's containers.
 */
void dead_update(struct deadkeep *d, const struct snap *prev, struct snap *cur, const struct event *ev,
		 size_t nev, int64_t now, int64_t keep_usec)
{
	dead_note(d, ev, nev, now);
	for (size_t i = 0; prev && i < prev->nctrs; i++) {
		const struct container *c = &prev->ctrs[i];
		if (!keepable(c) || in_snap(cur, c, cur->nctrs))
			continue;
		dead_remember(d, prev, c, now);
	}
	dead_append(d, cur, now, keep_usec);
}

/* the running container of s with ev's runtime and id; NULL when none */
static const struct container *alive_in(const struct snap *s, const struct event *ev)
{
	for (size_t i = 0; s && i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		if ((int)c->rt == ev->rt && keepable(c) && !strcmp(c->id, ev->ctr_id) && c->nprocs)
			return c;
	}
	return NULL;
}

#define DEAD_DECODES 3000       /* samples decoded at most (a recording is untrusted) */
#define DEAD_WALK 32            /* steps forward before a seek is cheaper (a full sample every 30) */

struct dead_tgt {
	const struct event *ev;
	bool done;
};

static int cmp_tgt(const void *a, const void *b)
{
	const struct dead_tgt *x = a, *y = b;
	return (x->ev->time_usec > y->ev->time_usec) - (x->ev->time_usec < y->ev->time_usec);
}

/* the sample the cursor is at, for every target not yet done whose exit
 * is not before it: alive there, it is the last figures so far */
static void look(struct deadkeep *d, struct rec_cursor *rc, struct dead_tgt *t, size_t nt)
{
	const struct snap *s = rec_cursor_snap(rc);
	int64_t ts = rec_cursor_time(rc);
	for (size_t i = 0; s && i < nt; i++) {
		if (t[i].done || t[i].ev->time_usec < ts)
			continue;
		const struct container *c = alive_in(s, t[i].ev);
		if (c)
			remember(d, s, c, t[i].ev->time_usec, true);
	}
}

/*
 * The containers of ev's exits, each the newest of its id (at most
 * DEAD_MAX), with their figures from the last sample before the exit that
 * had them alive. The samples are read in time order: stepping forward
 * (one delta each) while the next exit is near, a seek (from the last
 * full sample before it) when it is far; DEAD_DECODES in all. Returns the
 * exits left out.
 */
static size_t lookup(struct deadkeep *d, struct rec_cursor *rc, const struct event *ev, size_t n)
{
	struct dead_tgt *t = xcalloc(DEAD_MAX, sizeof(*t));
	size_t nt = 0, left = 0;
	for (size_t i = n; i-- > 0;) {
		if (ev[i].type != EV_CTR_EXIT || !ev[i].ctr_id[0] || ev[i].rt == RT_UNNAMED)
			continue;
		bool later = false;
		for (size_t j = 0; j < nt && !later; j++)
			later = t[j].ev->rt == ev[i].rt && !strcmp(t[j].ev->ctr_id, ev[i].ctr_id);
		if (later)
			continue;
		if (nt == DEAD_MAX)
			left++;
		else
			t[nt++].ev = &ev[i];
	}
	qsort(t, nt, sizeof(*t), cmp_tgt);
	uint64_t base = rec_cursor_decoded(rc);
	size_t k = 0;           /* the first target not done */
	bool placed = false;
	int walked = 0;
	struct nerr se = {0};
	while (k < nt && rec_cursor_decoded(rc) - base <= DEAD_DECODES) {
		if (!placed || walked > DEAD_WALK) {
			/* the sample at or before the exit is the one without it:
			 * the one before that too */
			if (rec_cursor_seek(rc, t[k].ev->time_usec, &se) < 0)
				break;
			rec_cursor_step(rc, -1, &se);
			placed = true;
			walked = 0;
			look(d, rc, t, nt);
		}
		if (rec_cursor_step(rc, 1, &se) < 0)
			break; /* the end: no later sample, what was seen stands */
		walked++;
		int64_t ts = rec_cursor_time(rc);
		while (k < nt && t[k].ev->time_usec < ts) {
			t[k++].done = true;
			walked = 0;
		}
		look(d, rc, t, nt);
	}
	/* not reached within the bound */
	for (; k < nt; k++)
		if (rec_cursor_decoded(rc) - base > DEAD_DECODES)
			left++;
	free(t);
	return left;
}

int dead_from_recording(const char *path, struct users *u, struct snap *cur, int64_t until,
			int64_t keep_usec, size_t *left, struct nerr *e)
{
	*left = 0;
	struct rec_cursor *rc = rec_cursor_open(path, u, e);
	if (!rc)
		return e->code ? e->code : -EINVAL;
	rec_cursor_fix(rc);
	struct event *ev = NULL;
	size_t n = 0;
	int64_t since = until > INT64_MIN + keep_usec ? until - keep_usec : INT64_MIN;
	int r = rec_cursor_events_in(rc, since, until, &ev, &n, e);
	if (r == 0) {
		struct deadkeep *d = dead_new();
		dead_note(d, ev, n, until);
		*left = lookup(d, rc, ev, n);
		dead_append(d, cur, until, keep_usec);
		dead_free(d);
	}
	free(ev);
	rec_cursor_close(rc);
	return r < 0 ? r : 0;
}
