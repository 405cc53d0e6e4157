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
		if (!strcmp(d->oom[i].id, id) && now - d->oom[i].usec <= DEAD_OOM_USEC)
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
		if (!strcmp(d->ex[i].id, c->id) && now - d->ex[i].usec <= DEAD_OOM_USEC)
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
void dead_remember(struct deadkeep *d, const struct snap *s, const struct container *c, int64_t when)
{
	for (size_t i = 0; i < d->n; i++)
		if (same(&d->d[i].c, c))
			return;
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
		if (c->dead[0] || c->sandbox || c->rt == RT_UNNAMED || !c->id || in_snap(cur, c, cur->nctrs))
			continue;
		dead_remember(d, prev, c, now);
	}
	dead_append(d, cur, now, keep_usec);
}

/* the running container of s with c's runtime and id; NULL when none */
static const struct container *alive_in(const struct snap *s, const struct event *ev)
{
	for (size_t i = 0; s && i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		if ((int)c->rt == ev->rt && c->id && !strcmp(c->id, ev->ctr_id) && c->nprocs && !c->dead[0])
			return c;
	}
	return NULL;
}

#define DEAD_BACK_STEPS 4       /* samples looked back from an exit for the container alive */

int dead_from_recording(const char *path, struct users *u, struct snap *cur, int64_t until,
			int64_t keep_usec, struct nerr *e)
{
	struct rec_cursor *rc = rec_cursor_open(path, u, e);
	if (!rc)
		return e->code ? e->code : -EINVAL;
	struct event *ev = NULL;
	size_t n = 0;
	int r = rec_cursor_events_in(rc, until - keep_usec, until, &ev, &n, e);
	struct deadkeep *d = r < 0 ? NULL : dead_new();
	if (d)
		dead_note(d, ev, n, until);
	/* the newest exit of each container first: its last life is the one
	 * shown (dead_remember keeps the first it is given) */
	/* at most DEAD_MAX looked up (each a seek): a recording is untrusted,
	 * and 16384 exits would be 16384 seeks */
	size_t tries = 0, tried[DEAD_MAX];
	for (size_t i = n; d && i-- > 0 && tries < DEAD_MAX;) {
		if (ev[i].type != EV_CTR_EXIT || !ev[i].ctr_id[0])
			continue;
		bool later = false;
		for (size_t j = 0; j < tries && !later; j++)
			later = ev[tried[j]].rt == ev[i].rt && !strcmp(ev[tried[j]].ctr_id, ev[i].ctr_id);
		if (later)
			continue;
		tried[tries++] = i;
		struct nerr se = {0};
		if (rec_cursor_seek(rc, ev[i].time_usec, &se) < 0)
			continue;
		const struct container *c = NULL;
		for (int k = 0; k < DEAD_BACK_STEPS && !c; k++) {
			const struct snap *s = rec_cursor_snap(rc);
			if (s && rec_cursor_time(rc) <= ev[i].time_usec)
				c = alive_in(s, &ev[i]);
			if (!c && rec_cursor_step(rc, -1, &se) < 0)
				break;
		}
		if (c)
			dead_remember(d, rec_cursor_snap(rc), c, ev[i].time_usec);
	}
	if (d)
		dead_append(d, cur, until, keep_usec);
	dead_free(d);
	free(ev);
	rec_cursor_close(rc);
	return r < 0 ? r : 0;
}
