// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live dashboard's last minutes, kept in memory the way nstop record
 * keeps them on disk (recsnap.c's encoding, recfmt.c's zstd frames): a full
 * sample every RING_FULL_EVERY, deltas between. The oldest group (a full
 * sample and its deltas) goes when the ring passes its bytes or its time,
 * so at short intervals it holds fewer minutes. Only this process writes
 * the frames, but they are decoded with the same checks as a file's.
 */
#include <stdlib.h>
#include <string.h>

#include "collect.h"

/* a step back decodes at most this many samples */
#define RING_FULL_EVERY 30

struct ring_ent {
	int64_t time_usec;
	bool full;
	uint32_t rawlen;
	uint8_t *z;             /* the zstd frame, without recfmt's header */
	size_t zlen;
};

struct rec_ring {
	struct ring_ent *e;
	size_t n, cap;
	size_t bytes, max_bytes;
	int64_t keep_usec;
	size_t since_full;
	struct buf raw, rec;
};

struct rec_ring *rec_ring_new(size_t max_bytes, int64_t keep_usec)
{
	struct rec_ring *r = xcalloc(1, sizeof(*r));
	r->max_bytes = max_bytes;
	r->keep_usec = keep_usec;
	return r;
}

void rec_ring_free(struct rec_ring *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->e[i].z);
	free(r->e);
	buf_free(&r->raw);
	buf_free(&r->rec);
	free(r);
}

/* The oldest group, unless it is the newest (a sample is never dropped for
 * the one after it). */
static bool drop_group(struct rec_ring *r)
{
	size_t g = 1;
	while (g < r->n && !r->e[g].full)
		g++;
	if (g >= r->n)
		return false;
	for (size_t i = 0; i < g; i++) {
		r->bytes -= r->e[i].zlen + sizeof(r->e[i]);
		free(r->e[i].z);
	}
	memmove(r->e, r->e + g, (r->n - g) * sizeof(*r->e));
	r->n -= g;
	return true;
}

/* s after prev, which must be the sample added last (NULL: none, s is
 * encoded whole). A sample that cannot be compressed is left out. */
void rec_ring_add(struct rec_ring *r, const struct snap *s, const struct snap *prev, int64_t time_usec)
{
	bool full = !prev || !r->n || r->since_full + 1 >= RING_FULL_EVERY;
	buf_reset(&r->raw);
	buf_reset(&r->rec);
	rec_encode(&r->raw, s, full ? NULL : prev);
	if (rec_frame(&r->rec, full ? REC_FULL : REC_DELTA, time_usec, r->raw.p, r->raw.len) < 0) {
		/* the next one must not be a delta against this one */
		r->since_full = RING_FULL_EVERY;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->e = xreallocarray(r->e, r->cap, sizeof(*r->e));
	}
	struct ring_ent *e = &r->e[r->n++];
	e->time_usec = time_usec;
	e->full = full;
	e->rawlen = (uint32_t)r->raw.len;
	e->zlen = r->rec.len - REC_RHDR_SIZE;
	e->z = xmalloc(e->zlen ? e->zlen : 1);
	memcpy(e->z, r->rec.p + REC_RHDR_SIZE, e->zlen);
	r->bytes += e->zlen + sizeof(*e);
	r->since_full = full ? 0 : r->since_full + 1;
	while ((r->bytes > r->max_bytes || time_usec - r->e[0].time_usec > r->keep_usec) && drop_group(r))
		;
}

size_t rec_ring_count(const struct rec_ring *r)
{
	return r->n;
}

int64_t rec_ring_time(const struct rec_ring *r, size_t i)
{
	return r->e[i].time_usec;
}

size_t rec_ring_bytes(const struct rec_ring *r)
{
	return r->bytes;
}

/* The last sample at or before want (the first when none is). */
size_t rec_ring_find(const struct rec_ring *r, int64_t want)
{
	size_t k = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->e[i].time_usec <= want)
			k = i;
	return k;
}

/* Sample i decoded from its group's full sample, with rates against the
 * one before it (refs 1: the caller's); NULL with why when it cannot be. */
struct snap *rec_ring_get(const struct rec_ring *r, size_t i, struct users *u, char *why, size_t n)
{
	if (i >= r->n) {
		snprintf(why, n, "no such sample");
		return NULL;
	}
	/* from the sample before it too: the rates need it */
	size_t j = i ? i - 1 : 0;
	while (j > 0 && !r->e[j].full)
		j--;
	struct buf raw = {0};
	struct snap *prev = NULL, *cur = NULL;
	for (size_t k = j; k <= i; k++) {
		const struct ring_ent *e = &r->e[k];
		struct snap *s = NULL;
		if (!e->full && !cur)
			snprintf(why, n, "a delta without its full sample");
		else if (rec_unzip(e->z, e->zlen, e->rawlen, &raw) < 0)
			snprintf(why, n, "a sample that does not decompress");
		else {
			struct strpool *pool = pool_new();
			s = rec_decode((const uint8_t *)raw.p, raw.len, e->full ? NULL : cur, pool, why, n);
			pool_unref(pool);
		}
		if (!s) {
			snap_free(prev);
			snap_free(cur);
			buf_free(&raw);
			return NULL;
		}
		s->users = u;
		snap_free(prev);
		prev = cur;
		cur = s;
	}
	snap_rates(cur, prev);
	snap_free(prev);
	buf_free(&raw);
	cur->refs = 1;
	return cur;
}
