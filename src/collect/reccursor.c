// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A cursor over a recording for the replay dashboard: one sample decoded at
 * a time, with the one before it for the rates. A step forward in a file
 * decodes one delta; any other move decodes from the file's last full
 * sample before the target (recfile.c's replay_at does the same for --at).
 * The files are untrusted input: recfmt.c's reader and rec_decode check them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

size_t replay_nfiles(const struct replay *r);
int replay_load(struct replay *r, size_t i, struct buf *b, struct buf *nm, struct nerr *e);
bool replay_first_time(struct replay *r, size_t i, int64_t *t);

struct rec_cursor {
	struct replay *r;
	size_t nfiles;
	size_t fi;              /* the file loaded; nfiles: none */
	struct buf data, nm;
	struct rec_file f;
	size_t k;               /* the sample shown, in f */
	struct snap *cur, *prev;
	struct users *users;
	bool fixed;             /* the last file is not read again at each move */
	uint64_t ndecoded;      /* samples decoded so far */
};

static void drop(struct snap *s)
{
	if (s && --s->refs <= 0)
		snap_free(s);
}

static const char *esc(struct buf *b, const char *s)
{
	buf_reset(b);
	str_escape(b, s, strlen(s), ESC_TEXT);
	return buf_str(b);
}

/* File fi in memory (again: a recorder may have appended to it). */
static int load(struct rec_cursor *c, size_t fi, struct nerr *e)
{
	struct buf t = {0};
	char why[200];
	rec_file_free(&c->f);
	memset(&c->f, 0, sizeof(c->f));
	c->fi = c->nfiles;
	int rc = replay_load(c->r, fi, &c->data, &c->nm, e);
	if (rc == 0 && rec_open_mem(&c->f, (const uint8_t *)c->data.p, c->data.len, why, sizeof(why)) < 0)
		rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&c->nm)), why);
	else if (rc == 0 && !c->f.nents)
		rc = nerr_input(e, -ENODATA, "%s: no whole sample in it", esc(&t, buf_str(&c->nm)));
	if (rc == 0)
		c->fi = fi;
	buf_free(&t);
	return rc;
}

/* Sample k of the loaded file becomes the current one. */
static int decode(struct rec_cursor *c, size_t k, struct nerr *e)
{
	struct buf raw = {0}, t = {0};
	char why[200];
	int rc = 0;
	size_t j = k;
	/* the next sample: one delta on top of the current one */
	bool next = c->cur && k == c->k + 1 && c->f.ents[k].type == REC_DELTA;
	if (!next)
		while (j > 0 && c->f.ents[j].type != REC_FULL)
			j--;
	struct snap *prev = next ? c->prev : NULL, *cur = next ? c->cur : NULL;
	if (next) {
		j = k;
		cur->refs++;
		if (prev)
			prev->refs++;
	}
	for (size_t i = j; i <= k; i++) {
		if (rec_payload(&c->f, i, &raw, why, sizeof(why)) == 0) {
			bool full = c->f.ents[i].type == REC_FULL;
			if (!full && !cur) {
				snprintf(why, sizeof(why), "the file does not start with a full sample");
			} else {
				struct strpool *pool = pool_new();
				struct snap *s = rec_decode((const uint8_t *)raw.p, raw.len, full ? NULL : cur,
							    pool, why, sizeof(why));
				c->ndecoded++;
				pool_unref(pool);
				if (s) {
					s->refs = 1;
					s->users = c->users;
					drop(prev);
					prev = cur;
					cur = s;
					continue;
				}
			}
		}
		rc = nerr_input(e, -EINVAL, "%s: corrupt sample at offset %llu: %s",
				esc(&t, buf_str(&c->nm)), (unsigned long long)c->f.ents[i].off, why);
		drop(prev);
		drop(cur);
		goto done;
	}
	snap_rates(cur, prev);
	drop(c->cur);
	drop(c->prev);
	c->cur = cur;
	c->prev = prev;
	c->k = k;
done:
	buf_free(&raw);
	buf_free(&t);
	return rc;
}

/* The sample of file fi at or before want (its first when none is), 1 when
 * want was before the file's first sample. */
static int place(struct rec_cursor *c, size_t fi, int64_t want, struct nerr *e)
{
	if (c->fi != fi || (fi + 1 == c->nfiles && !c->fixed)) {
		int rc = load(c, fi, e);
		if (rc < 0)
			return rc;
		/* another file's samples are no base for a delta */
		drop(c->cur);
		drop(c->prev);
		c->cur = c->prev = NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < c->f.nents; i++)
		if (c->f.ents[i].time_usec <= want)
			k = i;
	int rc = decode(c, k, e);
	return rc < 0 ? rc : want < c->f.ents[0].time_usec;
}

struct rec_cursor *rec_cursor_open(const char *path, struct users *u, struct nerr *e)
{
	struct replay *r = replay_open(path, e);
	if (!r)
		return NULL;
	struct rec_cursor *c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->users = u;
	c->nfiles = c->fi = replay_nfiles(r);
	/* at the last sample */
	if (rec_cursor_seek(c, INT64_MAX, e) < 0) {
		rec_cursor_close(c);
		return NULL;
	}
	return c;
}

void rec_cursor_close(struct rec_cursor *c)
{
	if (!c)
		return;
	drop(c->cur);
	drop(c->prev);
	rec_file_free(&c->f);
	buf_free(&c->data);
	buf_free(&c->nm);
	replay_close(c->r);
	free(c);
}

/* The sample at or before want; the first when want is before it (1), the
 * last when after it. */
int rec_cursor_seek(struct rec_cursor *c, int64_t want, struct nerr *e)
{
	size_t fi = c->nfiles;
	int64_t ft;
	while (fi-- > 1)
		if (replay_first_time(c->r, fi, &ft) && ft <= want)
			break;
	if (fi == (size_t)-1)
		fi = 0;
	int rc = place(c, fi, want, e);
	/* the last file may hold no whole sample yet (a recorder just rotated) */
	while (rc == -ENODATA && fi > 0)
		rc = place(c, --fi, INT64_MAX, e);
	return rc;
}

/* One sample forward (n > 0) or back; -ERANGE (e says so) past an end. */
int rec_cursor_step(struct rec_cursor *c, int n, struct nerr *e)
{
	int rc;
	if (c->fi >= c->nfiles) /* a file went bad at the last move */
		return rec_cursor_seek(c, INT64_MAX, e);
	size_t fi = c->fi, k = c->k;
	if (n > 0 && k + 1 < c->f.nents) {
		rc = decode(c, k + 1, e);
	} else if (n > 0 && fi + 1 < c->nfiles) {
		rc = place(c, fi + 1, INT64_MIN, e);
	} else if (n > 0) {
		/* the end, unless a recorder has appended since */
		rc = load(c, fi, e);
		if (rc == 0 && k + 1 < c->f.nents)
			rc = decode(c, k + 1, e);
		else if (rc == 0)
			rc = nerr_input(e, -ERANGE, "at the recording's last sample");
	} else if (k > 0) {
		rc = decode(c, k - 1, e);
	} else if (fi > 0) {
		rc = place(c, fi - 1, INT64_MAX, e);
	} else {
		rc = nerr_input(e, -ERANGE, "at the recording's first sample");
	}
	return rc < 0 ? rc : 0;
}

/* The last sample's time, without moving. */
static int last_time(struct rec_cursor *c, int64_t *last, struct nerr *e)
{
	struct buf data = {0}, nm = {0}, t = {0};
	struct rec_file f = {0};
	char why[200];
	int rc = -ENODATA;
	for (size_t fi = c->nfiles; fi-- > 0 && rc == -ENODATA;) {
		rc = replay_load(c->r, fi, &data, &nm, e);
		if (rc == 0 && rec_open_mem(&f, (const uint8_t *)data.p, data.len, why, sizeof(why)) < 0)
			rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&nm)), why);
		else if (rc == 0 && !f.nents)
			rc = -ENODATA;
		else if (rc == 0)
			*last = f.ents[f.nents - 1].time_usec;
		rec_file_free(&f);
		memset(&f, 0, sizeof(f));
	}
	if (rc == -ENODATA)
		nerr_input(e, rc, "no whole sample in the recording");
	buf_free(&data);
	buf_free(&nm);
	buf_free(&t);
	return rc;
}

/* TIME as --at takes it (RFC 3339, HH:MM[:SS] of the last day, -5m). */
int rec_cursor_goto(struct rec_cursor *c, const char *at, struct nerr *e)
{
	int64_t last = 0, want;
	int rc = last_time(c, &last, e);
	if (rc < 0)
		return rc;
	if (rec_parse_at(at, last, &want) < 0) {
		struct buf t = {0};
		rc = nerr_input(e, -EINVAL, "not a time (RFC 3339, HH:MM[:SS] or -DURATION such as -5m): %s",
				esc(&t, at));
		buf_free(&t);
		return rc;
	}
	return rec_cursor_seek(c, want, e);
}

/* the recording's events, every file's, in time order (recfile.c) */
int rec_cursor_events(struct rec_cursor *c, struct event **out, size_t *n, struct nerr *e)
{
	return replay_events(c->r, INT64_MIN, INT64_MAX, out, n, e);
}

/* ... with since <= time <= until */
int rec_cursor_events_in(struct rec_cursor *c, int64_t since, int64_t until, struct event **out,
			 size_t *n, struct nerr *e)
{
	return replay_events(c->r, since, until, out, n, e);
}

/* A one-shot reader's cursor: the files as they were when it opened (a
 * recorder's last file is not read again at every move). */
void rec_cursor_fix(struct rec_cursor *c)
{
	c->fixed = true;
}

uint64_t rec_cursor_decoded(const struct rec_cursor *c)
{
	return c->ndecoded;
}

struct snap *rec_cursor_snap(const struct rec_cursor *c)
{
	return c->cur;
}

int64_t rec_cursor_time(const struct rec_cursor *c)
{
	return c->cur && c->fi < c->nfiles ? c->f.ents[c->k].time_usec : 0;
}
