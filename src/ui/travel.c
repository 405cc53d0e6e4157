// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Moving in time. On a recording (nstop --replay) the keys move the
 * replay source's cursor; live, the dashboard keeps its last minutes in a
 * ring in the recording's encoding (collect/recring.c) and [ pauses on the
 * sample before the shown one. What was on screen then is shown again:
 * the views neither know nor care. Nothing is acted on in the past.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"

#define RING_KEEP_USEC (600 * 1000000LL) /* 10 minutes, fewer when the bytes run out */
#define RING_MAX_BYTES (64u << 20)

static int64_t realtime_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool travel_past(const struct ui *u)
{
	return u->now != NULL;
}

/*
 * s became the shown sample (before: the one shown until now, the sample
 * the ring got last). Live, the ring keeps it; on a recording, its time is
 * the cursor's.
 */
void travel_taken(struct ui *u, struct snap *s, const struct snap *before)
{
	if (u->replay) {
		u->shown_usec = source_replay_time(u->src);
		return;
	}
	u->shown_usec = u->now_usec = realtime_usec();
	if (!u->ring) {
		const struct config *c = config_get();
		u->ring = rec_ring_new(c->history_max ? (size_t)c->history_max : RING_MAX_BYTES, RING_KEEP_USEC);
	}
	rec_ring_add(u->ring, s, before, u->now_usec);
}

/* A live sample that came while the past is shown (another view wanted
 * more): the ring keeps it, it becomes "now"; true: taken. */
bool travel_take_live(struct ui *u, struct snap *s)
{
	if (!travel_past(u))
		return false;
	u->now_usec = realtime_usec();
	rec_ring_add(u->ring, s, u->now, u->now_usec);
	u->src->release(u->src, u->now);
	u->now = s;
	return true;
}

/* Esc in the past: back to the newest live sample, refreshing again. */
bool travel_now(struct ui *u)
{
	if (!travel_past(u))
		return false;
	u->src->release(u->src, u->shown);
	u->shown = u->now;
	u->now = NULL;
	u->shown_usec = u->now_usec;
	if (!u->paused)
		u->src->pause(u->src, false);
	snprintf(u->status, sizeof(u->status), "back to now");
	return true;
}

void travel_fini(struct ui *u)
{
	if (u->now)
		u->src->release(u->src, u->now);
	u->now = NULL;
	rec_ring_free(u->ring);
	u->ring = NULL;
}

static void fmt_when(char *out, size_t n, int64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char d[32], z[16];
	/* tenths: samples may come faster than a second */
	if (!localtime_r(&t, &tm) || !strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm) ||
	    !strftime(z, sizeof(z), "%Z", &tm))
		snprintf(out, n, "?");
	else
		snprintf(out, n, "%s.%d %s", d, (int)((usec % 1000000 + 1000000) % 1000000 / 100000), z);
}

/* the header's first words: which moment is shown, when not now */
void travel_header(const struct ui *u, char *out, size_t n)
{
	char when[64];
	out[0] = '\0';
	if (u->replay && u->shown_usec) {
		fmt_when(when, sizeof(when), u->shown_usec);
		snprintf(out, n, "REPLAY %s  ", when);
	} else if (travel_past(u)) {
		fmt_when(when, sizeof(when), u->shown_usec);
		long ago = (long)((u->now_usec - u->shown_usec) / 1000000);
		snprintf(out, n, "PAST %s (%ldm%02lds ago, Esc: now)  ", when, ago / 60, ago % 60);
	}
}

/* Actions act on the running system as it is now: not on a recording, not
 * on the past. true: refused, status says why. */
bool travel_refuse(const struct ui *u, int ch, char *status, size_t n)
{
	if (u->replay)
		snprintf(status, n, "%c: refused in replay: a recording is not the running system", ch);
	else if (travel_past(u))
		snprintf(status, n, "%c: refused while the past is shown: Esc returns to now", ch);
	else
		return false;
	return true;
}

/* Sample i of the ring on screen (the live sample is held as "now"). */
static void show_ring(struct ui *u, size_t i)
{
	char why[160];
	struct snap *s = rec_ring_get(u->ring, i, u->shown ? u->shown->users : NULL, why, sizeof(why));
	if (!s) {
		snprintf(u->status, sizeof(u->status), "the kept sample cannot be read: %s", why);
		return;
	}
	if (!travel_past(u)) {
		u->now = u->shown;
		u->src->pause(u->src, true);
	} else {
		u->src->release(u->src, u->shown);
	}
	u->shown = s;
	u->shown_usec = rec_ring_time(u->ring, i);
}

/* Live: to the kept sample at or before want; at or after now: to now. */
static void live_seek(struct ui *u, int64_t want, int key)
{
	size_t n = u->ring ? rec_ring_count(u->ring) : 0;
	if (n < 2) {
		snprintf(u->status, sizeof(u->status), "%c: no earlier sample kept yet", key);
		return;
	}
	if (want >= rec_ring_time(u->ring, n - 1)) {
		if (!travel_now(u))
			snprintf(u->status, sizeof(u->status), "%c: this is now", key);
		return;
	}
	size_t i = rec_ring_find(u->ring, want);
	if (want < rec_ring_time(u->ring, 0))
		snprintf(u->status, sizeof(u->status), "%c: the oldest sample kept (%zu kept, %zu KiB)", key, n,
			 rec_ring_bytes(u->ring) >> 10);
	show_ring(u, i);
}

static void replay_move(struct ui *u, int n, int64_t want, const char *at, int key)
{
	struct nerr e = {0};
	if (source_replay_move(u->src, n, want, at, &e) < 0) {
		struct buf b = {0};
		str_escape(&b, e.msg, strlen(e.msg), ESC_TEXT);
		snprintf(u->status, sizeof(u->status), "%s: %s", key == '\n' ? "Enter" : (char[]){(char)key, 0},
			 buf_str(&b));
		buf_free(&b);
	}
}

/* [ and ]: a sample back or forward; { and }: a minute. */
bool on_time_step(struct ui *u, int ch)
{
	int64_t minute = 60 * 1000000LL;
	if (u->replay) {
		if (ch == '[' || ch == ']')
			replay_move(u, ch == '[' ? -1 : 1, 0, NULL, ch);
		else
			replay_move(u, 0, u->shown_usec + (ch == '{' ? -minute : minute), NULL, ch);
		return true;
	}
	if (!u->shown)
		return true;
	size_t n = u->ring ? rec_ring_count(u->ring) : 0;
	size_t i = n ? rec_ring_find(u->ring, u->shown_usec) : 0;
	if (ch == '[' && n && i == 0 && rec_ring_time(u->ring, 0) <= u->shown_usec && travel_past(u))
		snprintf(u->status, sizeof(u->status), "[: the oldest sample kept (%zu kept, %zu KiB)", n,
			 rec_ring_bytes(u->ring) >> 10);
	else if (ch == '[')
		live_seek(u, i ? rec_ring_time(u->ring, i - 1) : INT64_MIN, ch);
	else if (ch == ']')
		live_seek(u, i + 1 < n ? rec_ring_time(u->ring, i + 1) : INT64_MAX, ch);
	else
		live_seek(u, u->shown_usec + (ch == '{' ? -minute : minute), ch);
	return true;
}

/* to the sample at or before want (the events view's Enter) */
void travel_to(struct ui *u, int64_t want, int key)
{
	if (u->replay)
		replay_move(u, 0, want, NULL, key);
	else
		live_seek(u, want, key);
}

/* g: to a time, in --at's forms (RFC 3339, HH:MM[:SS], -5m from the end) */
bool on_time_goto(struct ui *u, int ch)
{
	char at[64] = "";
	if (!dialog_prompt("go to (RFC 3339, HH:MM[:SS] or -5m): ", at, sizeof(at), ui_redraw) || !at[0])
		return true;
	if (u->replay) {
		replay_move(u, 0, 0, at, ch);
		return true;
	}
	int64_t want;
	size_t n = u->ring ? rec_ring_count(u->ring) : 0;
	if (!n || rec_parse_at(at, travel_past(u) ? u->now_usec : u->shown_usec, &want) < 0) {
		struct buf b = {0};
		str_escape(&b, at, strlen(at), ESC_TEXT);
		snprintf(u->status, sizeof(u->status), n ? "g: not a time: %s" : "g: no sample kept yet",
			 buf_str(&b));
		buf_free(&b);
		return true;
	}
	live_seek(u, want, ch);
	return true;
}
