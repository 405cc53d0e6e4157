// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recording's events record (man nstop(8), RECORDING FILES), pure: the
 * events taken at one sample, encoded and decoded. The payload is a count,
 * then per event its length and its fields (varints, strings as length and
 * bytes); a reader takes the fields it knows from an event and skips the
 * rest of its length, and skips an event of a type it does not know, so a
 * later version can add fields and types. The payload comes
 * from a file anyone with the recording may have edited: every count,
 * length and value is checked against what is there and what the field
 * holds, and a string keeps no NUL (the printers see C strings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

enum { F_STATUS = 1, F_EXITED = 2, F_SIGNALED = 4, F_CORE = 8 };

static void put_str(struct buf *b, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);
	rec_vput(b, n);
	buf_add(b, s, n);
}

void rec_ev_encode(struct buf *out, const struct event *v, size_t n, int64_t base_usec)
{
	struct buf e = {0};
	rec_vput(out, n);
	for (size_t i = 0; i < n; i++) {
		const struct event *x = &v[i];
		buf_reset(&e);
		rec_vput(&e, (uint64_t)x->type);
		rec_vput(&e, rec_zz((uint64_t)x->time_usec - (uint64_t)base_usec));
		rec_vput(&e, (uint64_t)(uint32_t)x->pid);
		rec_vput(&e, x->start);
		rec_vput(&e, (uint64_t)(unsigned)x->rt);
		rec_vput(&e, (x->has_status ? F_STATUS : 0) | (x->st.exited ? F_EXITED : 0) |
			      (x->st.signaled ? F_SIGNALED : 0) | (x->st.core ? F_CORE : 0));
		rec_vput(&e, (uint64_t)(unsigned)x->st.code);
		rec_vput(&e, (uint64_t)(unsigned)x->st.sig);
		rec_vput(&e, x->count);
		rec_vput(&e, (uint64_t)(uint32_t)x->victim);
		put_str(&e, x->comm, sizeof(x->comm));
		put_str(&e, x->cgroup, sizeof(x->cgroup));
		put_str(&e, x->ctr_id, sizeof(x->ctr_id));
		put_str(&e, x->ctr_name, sizeof(x->ctr_name));
		put_str(&e, x->victim_comm, sizeof(x->victim_comm));
		put_str(&e, x->action, sizeof(x->action));
		put_str(&e, x->result, sizeof(x->result));
		put_str(&e, x->detail, sizeof(x->detail));
		rec_vput(out, e.len);
		buf_add(out, e.p, e.len);
	}
	buf_free(&e);
}

/* Events record i's events with since <= time <= until appended to *v (n
 * of them, room for cap; the caller frees it), at most max in all; raw
 * holds the payload meanwhile. 0, or -EINVAL (corrupt) or -E2BIG (more
 * than max) with why. */
int rec_events_into(const struct rec_file *f, size_t i, struct buf *raw, int64_t since,
		    int64_t until, size_t max, struct event **v, size_t *n, size_t *cap, char *why,
		    size_t whyn)
{
	/* no events record of this version holds more: refused before its
	 * payload is decompressed */
	if (rec_rawlen(f, &f->evs[i]) > REC_EV_RAW_MAX) {
		snprintf(why, whyn, "events record: %zu bytes, more than %d events can take",
			 rec_rawlen(f, &f->evs[i]), REC_EV_MAX);
		return -EINVAL;
	}
	int r = rec_payload_of(f, &f->evs[i], raw, why, whyn);
	if (r < 0)
		return r;
	return rec_ev_decode_into((const uint8_t *)raw->p, raw->len, f->evs[i].time_usec, since,
				  until, max, v, n, cap, why, whyn);
}

/* Events record i's events (*out, n of them, the caller frees it). */
int rec_events(const struct rec_file *f, size_t i, struct buf *raw, struct event **out, size_t *n,
	       char *why, size_t whyn)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int r = rec_events_into(f, i, raw, INT64_MIN, INT64_MAX, REC_EV_MAX, out, n, &cap, why, whyn);
	if (r < 0 || !*n) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* A varint no greater than max; the reader goes bad otherwise. */
static uint64_t get_max(struct rec_rd *r, uint64_t max)
{
	uint64_t v = rec_vget(r);
	if (v > max)
		r->bad = true;
	return r->bad ? 0 : v;
}

static void get_str(struct rec_rd *r, char *dst, size_t cap)
{
	uint64_t n = get_max(r, cap - 1);
	const uint8_t *p = r->bad ? NULL : rec_take(r, (size_t)n);
	if (!p || memchr(p, 0, (size_t)n)) {
		r->bad = true;
		dst[0] = 0;
		return;
	}
	memcpy(dst, p, (size_t)n);
	dst[n] = 0;
}

/*
 * An events record's payload, times relative to base_usec (the record's):
 * the events of a known type with since <= time <= until appended to *v
 * (*n of them, room for *cap, grown here; the caller frees it), at most
 * max in all (-E2BIG beyond). -EINVAL with why: a short or overlong field,
 * a value out of its range, a string longer than its field or holding a
 * NUL, more than REC_EV_MAX events (of any type, known or not), an event
 * longer than REC_EV_LEN_MAX, bytes after the last event. On an error *n
 * is as it was.
 */
int rec_ev_decode_into(const uint8_t *p, size_t n, int64_t base_usec, int64_t since, int64_t until,
		       size_t max, struct event **v, size_t *nv, size_t *cap, char *why, size_t whyn)
{
	struct rec_rd r = {.p = p, .n = n};
	size_t n0 = *nv;
	/* each event takes at least its length byte and 18 fields' bytes: a
	 * count beyond what the payload can hold is refused first */
	uint64_t cnt = rec_vget(&r);
	if (r.bad || cnt > REC_EV_MAX || cnt > (n - r.off) / 19) {
		snprintf(why, whyn, "events record: a bad count");
		return -EINVAL;
	}
	struct event ev, *x = &ev;
	size_t i;
	for (i = 0; i < cnt; i++) {
		uint64_t len = rec_vget(&r);
		const uint8_t *body = r.bad || len > REC_EV_LEN_MAX || len > r.n - r.off
					      ? NULL : rec_take(&r, (size_t)len);
		if (!body)
			break;
		struct rec_rd b = {.p = body, .n = (size_t)len};
		memset(x, 0, sizeof(*x));
		uint64_t type = get_max(&b, 255);
		x->type = (enum ev_type)(type < EV_NTYPES ? type : 0);
		x->time_usec = (int64_t)((uint64_t)base_usec + rec_unzz(rec_vget(&b)));
		x->pid = (pid_t)get_max(&b, INT32_MAX);
		x->start = rec_vget(&b);
		x->rt = (int)get_max(&b, 255);
		uint64_t fl = get_max(&b, 15);
		x->has_status = fl & F_STATUS;
		x->st.exited = fl & F_EXITED;
		x->st.signaled = fl & F_SIGNALED;
		x->st.core = fl & F_CORE;
		x->st.code = (int)get_max(&b, 255);
		x->st.sig = (int)get_max(&b, 127);
		x->count = rec_vget(&b);
		x->victim = (pid_t)get_max(&b, INT32_MAX);
		get_str(&b, x->comm, sizeof(x->comm));
		get_str(&b, x->cgroup, sizeof(x->cgroup));
		get_str(&b, x->ctr_id, sizeof(x->ctr_id));
		get_str(&b, x->ctr_name, sizeof(x->ctr_name));
		get_str(&b, x->victim_comm, sizeof(x->victim_comm));
		get_str(&b, x->action, sizeof(x->action));
		get_str(&b, x->result, sizeof(x->result));
		get_str(&b, x->detail, sizeof(x->detail));
		/* the rest of the event's length: fields of a later version */
		if (b.bad)
			break;
		if (type >= EV_NTYPES || x->time_usec < since || x->time_usec > until)
			continue;
		if (*nv >= max) {
			*nv = n0;
			snprintf(why, whyn, "more than %zu events", max);
			return -E2BIG;
		}
		if (*nv == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			*cap = c > max ? max : c;
			*v = xreallocarray(*v, *cap, sizeof(**v));
		}
		(*v)[(*nv)++] = *x;
	}
	if (i < cnt || r.bad || r.off != r.n) {
		*nv = n0;
		if (i < cnt)
			snprintf(why, whyn, "events record: event %zu of %llu is malformed", i + 1,
				 (unsigned long long)cnt);
		else
			snprintf(why, whyn, "events record: bytes after its last event");
		return -EINVAL;
	}
	return 0;
}

/* An events record's payload into *out (n events, the caller frees it),
 * all of them: rec_ev_decode_into's rules. */
int rec_ev_decode(const uint8_t *p, size_t n, int64_t base_usec, struct event **out, size_t *nout,
		  char *why, size_t whyn)
{
	size_t cap = 0;
	*out = NULL;
	*nout = 0;
	int r = rec_ev_decode_into(p, n, base_usec, INT64_MIN, INT64_MAX, REC_EV_MAX, out, nout,
				   &cap, why, whyn);
	if (r < 0 || !*nout) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return r;
}
