// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live snapshot source: a collector thread takes snapshots and hands the
 * newest to the screen through a pipe. The screen sees only struct
 * snap_source, so a recording or a remote feed can stand in for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui.h"

struct live {
	struct snap_source src; /* first: the screen holds a pointer to it */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct snap *latest;    /* newest, not yet taken by the screen */
	double interval;
	bool quit, paused;
	int wake[2];            /* collector -> screen: a snapshot is ready */
	unsigned what;          /* SNAP_* the shown view needs */
	struct sysroot sr;
	struct users *users;
	struct collector *coll; /* used by the collector thread only */
	pthread_t th;
	bool started;
	struct evsrc *ev;       /* exits, for the dead (collector thread only) */
	struct deadkeep *dead;
	int64_t dead_keep_usec;
	struct event *evs;      /* the newest LIVE_EVENTS, a ring (under the lock) */
	size_t nevs, evhead;
};

#define LIVE_EVENTS 512

/* Containers that exited stay listed a while, with how they ended. */
static void track_dead(struct live *l, const struct snap *prev, struct snap *s)
{
	struct event *ev = NULL;
	size_t n = evsrc_take(l->ev, prev, s, &ev);
	if (l->dead)
		dead_update(l->dead, prev, s, ev, n, ev_now_usec(), l->dead_keep_usec);
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < n; i++) {
		/* a dead one listed in prev "exits" again at each sample: not an event */
		if (ev[i].type == EV_CTR_EXIT && !ev[i].has_status && prev && ev[i].ctr_id[0]) {
			bool again = false;
			for (size_t k = 0; k < prev->nctrs && !again; k++)
				again = prev->ctrs[k].dead[0] && prev->ctrs[k].id && !strcmp(prev->ctrs[k].id, ev[i].ctr_id);
			if (again)
				continue;
		}
		l->evs[(l->evhead + l->nevs) % LIVE_EVENTS] = ev[i];
		if (l->nevs < LIVE_EVENTS)
			l->nevs++;
		else
			l->evhead = (l->evhead + 1) % LIVE_EVENTS;
	}
	pthread_mutex_unlock(&l->lock);
	free(ev);
}

static int live_events(struct snap_source *src, struct event **out, size_t *n, struct nerr *e)
{
	(void)e;
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	*n = l->nevs;
	*out = xcalloc(l->nevs ? l->nevs : 1, sizeof(**out));
	for (size_t i = 0; i < l->nevs; i++)
		(*out)[i] = l->evs[(l->evhead + i) % LIVE_EVENTS];
	pthread_mutex_unlock(&l->lock);
	return 0;
}

/* Both threads own snapshots; the last owner frees one. Under the lock. */
static void unref_locked(struct snap *s)
{
	if (s && --s->refs == 0)
		snap_free(s);
}

static void *collector_main(void *arg)
{
	struct live *l = arg;
	struct snap *prev = NULL;
	unsigned prev_what = 0;
	for (;;) {
		pthread_mutex_lock(&l->lock);
		unsigned what = l->what;
		pthread_mutex_unlock(&l->lock);
		/* reads prev while the screen may read it too: both only read */
		struct snap *s = collector_take(l->coll, what, prev);
		if (l->ev)
			track_dead(l, prev, s);
		s->refs = 2; /* ours (the next prev) and the screen's */
		pthread_mutex_lock(&l->lock);
		unref_locked(l->latest); /* one the screen never took */
		l->latest = s;
		unref_locked(prev);
		prev = s;
		pthread_mutex_unlock(&l->lock);
		if (write(l->wake[1], "x", 1) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&l->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double iv = l->interval;
		/* a view that just started reading per-process CPU shows it
		 * after a short interval rather than a whole one */
		if ((what & SNAP_PROCS) && !(prev_what & SNAP_PROCS) && iv > 0.5)
			iv = 0.5;
		prev_what = what;
		until.tv_sec += (time_t)iv;
		until.tv_nsec += (long)((iv - floor(iv)) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!l->quit && l->what == what) {
			int r = pthread_cond_timedwait(&l->cond, &l->lock, &until);
			if (r == ETIMEDOUT && !l->paused)
				break;
			if (r == ETIMEDOUT)
				clock_gettime(CLOCK_REALTIME, &until), until.tv_sec += 1;
		}
		bool quit = l->quit;
		pthread_mutex_unlock(&l->lock);
		if (quit)
			break;
	}
	pthread_mutex_lock(&l->lock);
	unref_locked(prev);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static int live_fd(struct snap_source *src)
{
	return ((struct live *)src)->wake[0];
}

static struct snap *live_next(struct snap_source *src)
{
	struct live *l = (struct live *)src;
	char tmp[64];
	while (read(l->wake[0], tmp, sizeof(tmp)) > 0)
		;
	pthread_mutex_lock(&l->lock);
	struct snap *s = l->latest;
	l->latest = NULL;
	pthread_mutex_unlock(&l->lock);
	return s;
}

static void live_release(struct snap_source *src, struct snap *s)
{
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	unref_locked(s);
	pthread_mutex_unlock(&l->lock);
}

static void live_want(struct snap_source *src, unsigned what)
{
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	if (l->what != what) {
		l->what = what;
		pthread_cond_signal(&l->cond);
	}
	pthread_mutex_unlock(&l->lock);
}

static void live_set_interval(struct snap_source *src, double seconds)
{
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	l->interval = seconds;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static void live_pause(struct snap_source *src, bool paused)
{
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	l->paused = paused;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static void live_poke(struct snap_source *src)
{
	struct live *l = (struct live *)src;
	pthread_mutex_lock(&l->lock);
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static void live_close(struct snap_source *src)
{
	struct live *l = (struct live *)src;
	if (l->started) {
		pthread_mutex_lock(&l->lock);
		l->quit = true;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->th, NULL);
		pthread_mutex_lock(&l->lock);
		unref_locked(l->latest);
		pthread_mutex_unlock(&l->lock);
		collector_free(l->coll);
		dead_free(l->dead);
		evsrc_close(l->ev);
		free(l->evs);
	}
	close(l->wake[0]);
	close(l->wake[1]);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	users_free(l->users);
	sysroot_close(&l->sr);
	free(l);
}

/* The collector thread, collecting `what` first. */
static void live_start(struct snap_source *src, double seconds, unsigned what)
{
	struct live *l = (struct live *)src;
	l->interval = seconds;
	l->what = what;
	l->coll = collector_new(&l->sr, l->users, true);
	double keep = config_get()->dead_keep;
	l->dead_keep_usec = (int64_t)((keep >= 0 ? keep : 600) * 1e6);
	if (l->sr.live) {
		l->ev = evsrc_open(true);
		l->evs = xcalloc(LIVE_EVENTS, sizeof(*l->evs));
		if (l->dead_keep_usec > 0)
			l->dead = dead_new();
	}
	if (pthread_create(&l->th, NULL, collector_main, l) != 0)
		fatal("cannot start the collector thread");
	l->started = true;
}

/* The running system, or the one beneath --sysroot; NULL (e says why) when
 * it cannot be opened. Nothing is collected before start(). */
struct snap_source *source_live(const char *sysroot, struct nerr *e)
{
	struct live *l = xcalloc(1, sizeof(*l));
	if (sysroot_open(&l->sr, sysroot, e) < 0) {
		free(l);
		return NULL;
	}
	l->src = (struct snap_source){
		.live = l->sr.live, .start = live_start,
		.fd = live_fd, .next = live_next, .release = live_release, .want = live_want,
		.set_interval = live_set_interval, .pause = live_pause, .poke = live_poke,
		.close = live_close, .events = live_events,
	};
	l->users = users_new(&l->sr);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	return &l->src;
}
