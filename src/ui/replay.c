// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recording as the dashboard's snapshot source (nstop --replay PATH): the
 * views take its samples as they take the live collector's. Nothing is
 * collected; the keys that move in time (travel.c) move the cursor and the
 * sample it lands on is the next one handed out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

struct rsrc {
	struct snap_source src; /* first: the screen holds a pointer to it */
	struct rec_cursor *c;
	bool pending;           /* the cursor moved: next() hands out its sample */
	int wake[2];
	struct sysroot sr;      /* the host's user names, as the listings' --replay */
	struct users *users;
};

static void wake(struct rsrc *r)
{
	r->pending = true;
	if (write(r->wake[1], "x", 1) < 0 && errno != EAGAIN)
		return; /* the pipe is full: a wake-up is on its way */
}

static void r_start(struct snap_source *src, double seconds, unsigned what)
{
	(void)seconds, (void)what;
	wake((struct rsrc *)src);
}

static int r_fd(struct snap_source *src)
{
	return ((struct rsrc *)src)->wake[0];
}

static struct snap *r_next(struct snap_source *src)
{
	struct rsrc *r = (struct rsrc *)src;
	char tmp[64];
	while (read(r->wake[0], tmp, sizeof(tmp)) > 0)
		;
	if (!r->pending)
		return NULL;
	r->pending = false;
	struct snap *s = rec_cursor_snap(r->c);
	if (!s)
		return NULL;
	s->refs++; /* the screen's; the cursor keeps its own */
	return s;
}

static void r_release(struct snap_source *src, struct snap *s)
{
	(void)src;
	if (s && --s->refs <= 0)
		snap_free(s);
}

/* a recording neither refreshes nor collects */
static void r_want(struct snap_source *src, unsigned what)
{
	(void)src, (void)what;
}

static void r_set_interval(struct snap_source *src, double seconds)
{
	(void)src, (void)seconds;
}

static void r_pause(struct snap_source *src, bool paused)
{
	(void)src, (void)paused;
}

static void r_poke(struct snap_source *src)
{
	(void)src;
}

static void r_close(struct snap_source *src)
{
	struct rsrc *r = (struct rsrc *)src;
	rec_cursor_close(r->c);
	close(r->wake[0]);
	close(r->wake[1]);
	users_free(r->users);
	sysroot_close(&r->sr);
	free(r);
}

static int r_events(struct snap_source *src, struct event **out, size_t *n, struct nerr *e)
{
	return rec_cursor_events(((struct rsrc *)src)->c, out, n, e);
}

/* The recording at PATH (a file or a history directory), at `at` (--at's
 * forms) or its last sample; NULL (e says why) when it cannot be read. */
struct snap_source *source_replay(const char *path, const char *at, struct nerr *e)
{
	struct rsrc *r = xcalloc(1, sizeof(*r));
	if (sysroot_open(&r->sr, NULL, e) < 0) {
		free(r);
		return NULL;
	}
	r->users = users_new(&r->sr);
	r->c = rec_cursor_open(path, r->users, e);
	if (r->c && at && rec_cursor_goto(r->c, at, e) < 0) {
		rec_cursor_close(r->c);
		r->c = NULL;
	}
	if (!r->c) {
		users_free(r->users);
		sysroot_close(&r->sr);
		free(r);
		return NULL;
	}
	r->src = (struct snap_source){
		.live = false, .replay = true, .start = r_start,
		.fd = r_fd, .next = r_next, .release = r_release, .want = r_want,
		.set_interval = r_set_interval, .pause = r_pause, .poke = r_poke,
		.close = r_close, .events = r_events,
	};
	if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	return &r->src;
}

/*
 * Move in the recording: n samples (+1/-1), or to want (usec), or to `at`
 * (--at's forms); the sample landed on is the next one handed out. -errno
 * with e saying why (past an end, a bad time, a corrupt file).
 */
int source_replay_move(struct snap_source *src, int n, int64_t want, const char *at, struct nerr *e)
{
	struct rsrc *r = (struct rsrc *)src;
	int rc = at ? rec_cursor_goto(r->c, at, e) : n ? rec_cursor_step(r->c, n, e)
		   : rec_cursor_seek(r->c, want, e);
	if (rc >= 0)
		wake(r);
	return rc;
}

int64_t source_replay_time(struct snap_source *src)
{
	return rec_cursor_time(((struct rsrc *)src)->c);
}
