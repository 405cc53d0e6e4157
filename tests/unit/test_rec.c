// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop record's format: live snapshots and the fixtures' through the
 * encoder and back lose nothing (a decoded sample encodes to the same
 * bytes), a delta applies to its base, a file torn at every length reads
 * up to its last whole sample, a flipped byte is refused, the index and
 * a scan agree, malformed samples are refused with a reason, --at's forms.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/parse.h"
#include "collect/collect.h"
#include "tap.h"

static bool same_enc(const struct snap *a, const struct snap *b)
{
	struct buf x = {0}, y = {0};
	rec_encode(&x, a, NULL);
	rec_encode(&y, b, NULL);
	bool same = x.len == y.len && !memcmp(x.p, y.p, x.len);
	buf_free(&x);
	buf_free(&y);
	return same;
}

/* s0 in full, s1 as a delta, decoded: each encodes as the original */
static void roundtrip(const char *name, const struct snap *s0, const struct snap *s1)
{
	struct buf e0 = {0}, e1 = {0};
	char why[200] = "";
	rec_encode(&e0, s0, NULL);
	rec_encode(&e1, s1, s0);
	struct strpool *pool = pool_new();
	struct snap *d0 = rec_decode((const uint8_t *)e0.p, e0.len, NULL, pool, why, sizeof(why));
	OK(d0, "%s: a full sample decodes (%s)", name, why);
	struct snap *d1 = d0 ? rec_decode((const uint8_t *)e1.p, e1.len, d0, pool, why, sizeof(why))
			     : NULL;
	OK(d1, "%s: a delta decodes against it (%s)", name, why);
	if (d0 && d1) {
		OK(same_enc(s0, d0), "%s: the full sample is lossless (%zu procs, %zu cgroups)", name,
		   s0->nprocs, s0->ncgs);
		OK(same_enc(s1, d1), "%s: the delta is lossless", name);
		OK(e1.len < e0.len, "%s: the delta is smaller (%zu < %zu bytes)", name, e1.len, e0.len);
		/* every prefix of a payload is refused, never read past */
		size_t bad = 0;
		for (size_t n = 0; n < e1.len; n++) {
			struct snap *x = rec_decode((const uint8_t *)e1.p, n, d0, pool, why, sizeof(why));
			bad += x != NULL;
			snap_free(x);
		}
		OK(!bad, "%s: every cut delta refused (%zu decoded)", name, bad);
		/* a delta without its base */
		struct snap *x = rec_decode((const uint8_t *)e1.p, e1.len, NULL, pool, why, sizeof(why));
		OK(!x && s1->nprocs, "%s: a delta without its base refused: %s", name, why);
		snap_free(x);
	}
	/* the delta in a pool of its own: its rows copied from d0 keep no
	 * string of d0's pool, which goes with d0 (a replay keeps two samples) */
	struct strpool *own = pool_new();
	struct snap *d1b = d0 ? rec_decode((const uint8_t *)e1.p, e1.len, d0, own, why, sizeof(why))
			      : NULL;
	if (d1b) {
		size_t foreign = 0;
		for (size_t i = 0; i < d1b->nprocs; i++) {
			const struct proc *q = &d1b->procs[i];
			foreign += strtab_find(&own->t, q->comm) != q->comm;
			foreign += q->cmdline && strtab_intern(&own->t, q->cmdline, q->cmdline_len) != q->cmdline;
			foreign += q->cg2 && strtab_find(&own->t, q->cg2) != q->cg2;
		}
		for (size_t i = 0; i < d1b->ncgs; i++)
			foreign += strtab_find(&own->t, d1b->cgs[i].path) != d1b->cgs[i].path;
		OK(!foreign, "%s: a delta in its own pool holds none of the previous pool's strings "
		   "(%zu do)", name, foreign);
		snap_free(d0);
		d0 = NULL;
		OK(same_enc(s1, d1b), "%s: and is whole with the previous sample freed", name);
	}
	snap_free(d1b);
	pool_unref(own);
	snap_free(d0);
	snap_free(d1);
	pool_unref(pool);
	buf_free(&e0);
	buf_free(&e1);
}

/* A file of n samples (s0 full, then deltas against the one before) */
static void file_of(struct buf *f, struct snap **ss, size_t n, bool close, struct rec_ent *ents)
{
	rec_file_header(f);
	struct buf raw = {0};
	for (size_t i = 0; i < n; i++) {
		buf_reset(&raw);
		rec_encode(&raw, ss[i], i ? ss[i - 1] : NULL);
		ents[i] = (struct rec_ent){i ? REC_DELTA : REC_FULL, 1700000000000000 + (int64_t)i,
					   f->len};
		rec_frame(f, ents[i].type, ents[i].time_usec, raw.p, raw.len);
	}
	if (close)
		rec_index(f, ents, n, f->len);
	buf_free(&raw);
}

static void framing(struct snap **ss, size_t n)
{
	struct buf f = {0};
	struct rec_ent ents[8];
	struct rec_file rf;
	char why[200] = "";
	file_of(&f, ss, n, true, ents);
	int r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == 0 && rf.indexed && rf.nents == n && !rf.torn, "a closed file is read by its index");
	bool agree = r == 0 && rf.nents == n;
	for (size_t i = 0; agree && i < n; i++)
		agree = rf.ents[i].off == ents[i].off && rf.ents[i].time_usec == ents[i].time_usec;
	OK(agree, "the index names each sample's offset and time");
	rec_file_free(&rf);
	/* no trailer: read by a scan instead, same samples, the rest torn */
	f.p[f.len - 1] ^= 1;
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == 0 && !rf.indexed && rf.nents == n && rf.torn, "without its trailer, a scan");
	rec_file_free(&rf);
	f.p[f.len - 1] ^= 1;
	/* the index itself damaged: corrupt */
	f.p[f.len - 20] ^= 1;
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == -EINVAL, "a damaged index is refused: %s", why);
	rec_file_free(&rf);
	buf_reset(&f);

	/* open: cut at every length, whole samples read, never an error */
	file_of(&f, ss, n, false, ents);
	size_t wrong = 0, errs = 0;
	for (size_t len = REC_HDR_SIZE; len <= f.len; len++) {
		r = rec_open_mem(&rf, (const uint8_t *)f.p, len, why, sizeof(why));
		size_t whole = 0;
		for (size_t i = 0; i < n; i++)
			whole += ents[i].off < len && (i + 1 < n ? ents[i + 1].off <= len : len == f.len);
		errs += r != 0;
		wrong += r == 0 && (rf.nents != whole || rf.torn != (len != f.len &&
								 (whole == n || len != ents[whole].off)));
		rec_file_free(&rf);
	}
	OK(!errs && !wrong, "a file torn at each of %zu lengths reads its whole samples (%zu errors, "
	   "%zu wrong)", f.len - REC_HDR_SIZE + 1, errs, wrong);
	/* zeros after the last sample, as a crash may leave */
	size_t l = f.len;
	buf_add(&f, (char[4096]){0}, 4096);
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == 0 && rf.torn && rf.nents == n, "zeros at the end are a torn tail");
	rec_file_free(&rf);
	f.len = l;
	/* a flipped byte inside the first sample, with more behind it */
	f.p[ents[0].off + REC_RHDR_SIZE + 3] ^= 0x40;
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == -EINVAL && strstr(why, "checksum"), "a flipped byte is refused: %s", why);
	rec_file_free(&rf);
	f.p[ents[0].off + REC_RHDR_SIZE + 3] ^= 0x40;
	memcpy(f.p, "NSTOPREX", 8);
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == -EINVAL && strstr(why, "not an nstop recording"), "a wrong magic: %s", why);
	memcpy(f.p, REC_MAGIC, 8);
	f.p[8] = 9;
	r = rec_open_mem(&rf, (const uint8_t *)f.p, f.len, why, sizeof(why));
	OK(r == -EINVAL && strstr(why, "version 9"), "another version: %s", why);
	buf_free(&f);
}

/* hand-made samples the decoder must refuse: each breaks one rule */
static void refusals(const struct snap *s)
{
	struct buf e = {0};
	char why[200];
	struct snap bad = *s;
	struct proc *p2 = (struct proc *)xmemdup0((const char *)s->procs, s->nprocs * sizeof(*p2));
	bad.procs = p2;
	if (s->nprocs >= 2) {
		pid_t t = p2[0].pid;
		p2[0].pid = p2[1].pid;
		p2[1].pid = t;
	}
	rec_encode(&e, &bad, NULL);
	struct strpool *pool = pool_new();
	struct snap *x = rec_decode((const uint8_t *)e.p, e.len, NULL, pool, why, sizeof(why));
	OK(!x && strstr(why, "order"), "processes out of order refused: %s", x ? "decoded" : why);
	snap_free(x);
	buf_free(&e);
	free(p2);
	bad = *s;
	/* a host without containers has none to copy (ctrs NULL) */
	struct container *c2 = xcalloc(s->nctrs + 1, sizeof(*c2));
	if (s->nctrs)
		memcpy(c2, s->ctrs, s->nctrs * sizeof(*c2));
	bad.ctrs = c2;
	if (s->nctrs)
		c2[0].rt = (enum runtime)77;
	rec_encode(&e, &bad, NULL);
	x = rec_decode((const uint8_t *)e.p, e.len, NULL, pool, why, sizeof(why));
	OK(!x == !!s->nctrs, "a container of runtime 77 refused: %s", x ? "decoded" : why);
	snap_free(x);
	free(c2);
	buf_free(&e);
	pool_unref(pool);
}

static void ev_sample(struct event *v, size_t n)
{
	memset(v, 0, n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].time_usec = 1700000000000000 - 5 + (int64_t)i * 3;
		v[i].type = (enum ev_type)(i % EV_NTYPES);
		v[i].pid = (pid_t)(100 + i);
		v[i].start = 1234567 + i;
		v[i].rt = (int)i % 9;
		v[i].has_status = i % 2;
		v[i].st.signaled = i % 2;
		v[i].st.sig = 9;
		v[i].st.code = 137;
		v[i].count = i;
		v[i].victim = (pid_t)(i * 7);
		snprintf(v[i].comm, sizeof(v[i].comm), "0123456789abcde");
		memset(v[i].cgroup, 'c', sizeof(v[i].cgroup) - 1);
		snprintf(v[i].ctr_name, sizeof(v[i].ctr_name), "n\x1b[31m\xff%zu", i);
		snprintf(v[i].detail, sizeof(v[i].detail), "memory=32M");
	}
}

/* events records: written after samples, listed apart from them, decoded
 * to what was written; malformed payloads refused */
static void ev_records(struct snap **ss)
{
	struct event v[5], *d = NULL;
	size_t nd = 0;
	char why[200] = "";
	ev_sample(v, 5);
	struct buf f = {0}, raw = {0}, p = {0};
	struct rec_ent ents[8];
	rec_file_header(&f);
	size_t ne = 0;
	for (size_t i = 0; i < 3; i++) {
		buf_reset(&raw);
		rec_encode(&raw, ss[i], i ? ss[i - 1] : NULL);
		ents[ne] = (struct rec_ent){i ? REC_DELTA : REC_FULL, 1700000000000000 + (int64_t)i, f.len};
		rec_frame(&f, ents[ne].type, ents[ne].time_usec, raw.p, raw.len);
		ne++;
		buf_reset(&raw);
		rec_ev_encode(&raw, v + i, i + 1 < 3 ? 1 : 3, ents[ne - 1].time_usec);
		ents[ne] = (struct rec_ent){REC_EVENTS, ents[ne - 1].time_usec, f.len};
		rec_frame(&f, REC_EVENTS, ents[ne].time_usec, raw.p, raw.len);
		ne++;
	}
	size_t open_len = f.len;
	rec_index(&f, ents, ne, f.len);
	struct rec_file rf;
	for (int closed = 1; closed >= 0; closed--) {
		int r = rec_open_mem(&rf, (const uint8_t *)f.p, closed ? f.len : open_len, why, sizeof(why));
		OK(r == 0 && rf.indexed == closed && rf.nents == 3 && rf.nevs == 3,
		   "%s file: 3 samples and 3 events records listed apart", closed ? "a closed" : "an open");
		size_t got = 0, same = 0;
		for (size_t i = 0; r == 0 && i < rf.nevs; i++) {
			if (rec_events(&rf, i, &p, &d, &nd, why, sizeof(why)) < 0)
				break;
			for (size_t k = 0; k < nd; k++, got++)
				same += !memcmp(&d[k], &v[got], sizeof(*d));
			free(d);
		}
		OK(got == 5 && same == 5, "... its 5 events decoded as written (%zu, %zu alike)", got, same);
		rec_file_free(&rf);
	}
	/* version 1: an events record is a type it does not have, skipped */
	f.p[8] = 1;
	int r = rec_open_mem(&rf, (const uint8_t *)f.p, open_len, why, sizeof(why));
	OK(r == 0 && rf.nents == 3 && rf.nevs == 0, "a version 1 file: samples only");
	rec_file_free(&rf);
	f.p[8] = REC_VERSION;
	/* cut in the last events record: the samples and the whole ones */
	r = rec_open_mem(&rf, (const uint8_t *)f.p, ents[5].off + 30, why, sizeof(why));
	OK(r == 0 && rf.torn && rf.nents == 3 && rf.nevs == 2, "torn in an events record: the 2 before it");
	rec_file_free(&rf);

	/* the payload alone: each broken rule refused */
	buf_reset(&raw);
	rec_ev_encode(&raw, v, 2, 0);
	OK(rec_ev_decode((const uint8_t *)raw.p, raw.len, 0, &d, &nd, why, sizeof(why)) == 0 && nd == 2,
	   "two events decode");
	free(d);
	size_t bad = 0;
	for (size_t len = 0; len < raw.len; len++)
		bad += rec_ev_decode((const uint8_t *)raw.p, len, 0, &d, &nd, why, sizeof(why)) == -EINVAL && !d;
	OK(bad == raw.len, "cut at each of %zu lengths: refused (%zu)", raw.len, bad);
	buf_addc(&raw, 0);
	OK(rec_ev_decode((const uint8_t *)raw.p, raw.len, 0, &d, &nd, why, sizeof(why)) == -EINVAL,
	   "a byte after the last event: %s", why);
	/* hand-made: count, type, a string too long, a NUL in one */
	struct buf h = {0};
	rec_vput(&h, 1u << 20);
	OK(rec_ev_decode((const uint8_t *)h.p, h.len, 0, &d, &nd, why, sizeof(why)) == -EINVAL,
	   "a count of 2^20 in %zu bytes: %s", h.len, why);
	const struct {
		const char *what;
		uint64_t type, comm_len;
		char fill;
	} cases[] = {{"a type beyond 255", 256, 1, 'a'}, {"a name longer than 16", 0, 17, 'a'},
		     {"a NUL in a name", 0, 3, 0}};
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		struct buf b = {0};
		buf_reset(&h);
		rec_vput(&b, cases[c].type);
		for (int k = 0; k < 9; k++)
			rec_vput(&b, 1);
		rec_vput(&b, cases[c].comm_len);
		for (uint64_t k = 0; k < cases[c].comm_len; k++)
			buf_addc(&b, cases[c].fill);
		for (int k = 0; k < 7; k++)
			rec_vput(&b, 0);
		rec_vput(&h, 1);
		rec_vput(&h, b.len);
		buf_add(&h, b.p, b.len);
		r = rec_ev_decode((const uint8_t *)h.p, h.len, 0, &d, &nd, why, sizeof(why));
		OK(r == -EINVAL, "%s refused: %s", cases[c].what, why);
		if (!r)
			free(d);
		buf_free(&b);
	}
	/* and the same event whole is taken (the cases differ in one field) */
	buf_reset(&h);
	struct buf b = {0};
	rec_vput(&b, 1);
	for (int k = 0; k < 9; k++)
		rec_vput(&b, 1);
	for (int k = 0; k < 8; k++)
		rec_vput(&b, 0);
	buf_adds(&b, "later field");
	rec_vput(&h, 1);
	rec_vput(&h, b.len);
	buf_add(&h, b.p, b.len);
	r = rec_ev_decode((const uint8_t *)h.p, h.len, 0, &d, &nd, why, sizeof(why));
	OK(r == 0 && nd == 1 && d[0].type == EV_OOM_KILL, "an event with bytes of a later version after its fields: taken");
	if (!r)
		free(d);
	/* an event of a type this version does not know: skipped, the rest taken */
	struct buf h2 = {0};
	h.p[2] = EV_NTYPES; /* count, length, then the type's one byte */
	rec_vput(&h2, 2);
	buf_add(&h2, h.p + 1, h.len - 1);
	h.p[2] = 1;
	buf_add(&h2, h.p + 1, h.len - 1);
	r = rec_ev_decode((const uint8_t *)h2.p, h2.len, 0, &d, &nd, why, sizeof(why));
	OK(r == 0 && nd == 1 && d[0].type == EV_OOM_KILL, "an event of an unknown type skipped, the next taken");
	if (!r)
		free(d);
	/* one event padded past REC_EV_LEN_MAX: refused, even of an unknown
	 * type; the same event within it taken */
	for (int pad = 0; pad < 2; pad++) {
		size_t want = pad ? REC_EV_LEN_MAX + 1 : REC_EV_LEN_MAX;
		buf_reset(&h2);
		struct buf e1 = {0};
		buf_add(&e1, b.p, b.len);
		while (e1.len < want)
			buf_addc(&e1, 0);
		for (int ty = 0; ty < 2; ty++) {
			buf_reset(&h2);
			e1.p[0] = ty ? EV_NTYPES : 1;
			rec_vput(&h2, 1);
			rec_vput(&h2, e1.len);
			buf_add(&h2, e1.p, e1.len);
			r = rec_ev_decode((const uint8_t *)h2.p, h2.len, 0, &d, &nd, why, sizeof(why));
			OK(pad ? r == -EINVAL : r == 0 && nd == (size_t)!ty,
			   "an event of %zu bytes (%s type): %s", e1.len, ty ? "an unknown" : "a known",
			   r ? why : "decoded");
			if (!r)
				free(d);
		}
		buf_free(&e1);
	}
	/* REC_EV_MAX + 1 events of an unknown type: they count too */
	for (int extra = 0; extra < 2; extra++) {
		buf_reset(&h2);
		rec_vput(&h2, (uint64_t)REC_EV_MAX + (uint64_t)extra);
		h.p[2] = EV_NTYPES;
		for (size_t k = 0; k < (size_t)REC_EV_MAX + (size_t)extra; k++)
			buf_add(&h2, h.p + 1, h.len - 1);
		h.p[2] = 1;
		r = rec_ev_decode((const uint8_t *)h2.p, h2.len, 0, &d, &nd, why, sizeof(why));
		OK(extra ? r == -EINVAL : r == 0 && nd == 0, "%d events of an unknown type: %s",
		   REC_EV_MAX + extra, r ? why : "skipped, none kept");
		if (!r)
			free(d);
	}
	/* decode_into: the range kept, appended; over max: -E2BIG, n as it was */
	{
		struct event ev3[3] = {{.type = EV_EXIT, .time_usec = 10, .pid = 1},
				       {.type = EV_EXIT, .time_usec = 20, .pid = 2},
				       {.type = EV_EXIT, .time_usec = 30, .pid = 3}};
		buf_reset(&h2);
		rec_ev_encode(&h2, ev3, 3, 0);
		struct event *acc = NULL;
		size_t na = 0, ca = 0;
		r = rec_ev_decode_into((const uint8_t *)h2.p, h2.len, 0, 15, 30, 4, &acc, &na, &ca,
				       why, sizeof(why));
		OK(r == 0 && na == 2 && acc[0].pid == 2 && acc[1].pid == 3,
		   "decode_into 15..30: pids 2, 3 (%zu)", na);
		r = rec_ev_decode_into((const uint8_t *)h2.p, h2.len, 0, 0, 20, 4, &acc, &na, &ca,
				       why, sizeof(why));
		OK(r == 0 && na == 4 && acc[2].pid == 1 && acc[3].pid == 2 && ca <= 4,
		   "decode_into 0..20 appended: 4 in room for %zu", ca);
		r = rec_ev_decode_into((const uint8_t *)h2.p, h2.len, 0, 30, 30, 4, &acc, &na, &ca,
				       why, sizeof(why));
		OK(r == -E2BIG && na == 4, "a fifth past max 4: %s (%zu kept)", why, na);
		free(acc);
	}
	/* rec_rawlen: what an events record would cost, from its header */
	buf_reset(&h2);
	uint8_t big[64] = {0};
	rec_frame(&h2, REC_EVENTS, 0, big, sizeof(big));
	struct rec_file one = {.p = (const uint8_t *)h2.p, .n = h2.len};
	struct rec_ent oe = {.type = REC_EVENTS, .off = 0};
	OK(rec_rawlen(&one, &oe) == sizeof(big), "rec_rawlen: %zu", rec_rawlen(&one, &oe));
	buf_free(&h2);
	buf_free(&b);
	buf_free(&h);
	buf_free(&raw);
	buf_free(&p);
	buf_free(&f);
}

static void at_forms(void)
{
	int64_t last = 1764780000000000, t; /* 2025-12-03T16:40:00Z */
	OK(rec_parse_at("end", last, &t) == 0 && t == last, "--at end");
	OK(rec_parse_at("-5m", last, &t) == 0 && t == last - 300000000, "--at -5m");
	OK(rec_parse_at("-90", last, &t) == 0 && t == last - 90000000, "--at -90 (seconds)");
	OK(rec_parse_at("-1.5h", last, &t) == 0 && t == last - 5400000000, "--at -1.5h");
	OK(rec_parse_at("2025-12-03T16:39:30Z", last, &t) == 0 && t == last - 30000000,
	   "--at RFC 3339");
	setenv("TZ", "UTC", 1);
	tzset();
	OK(rec_parse_at("16:35", last, &t) == 0 && t == last - 300000000, "--at HH:MM (TZ=UTC)");
	OK(rec_parse_at("16:35:10", last, &t) == 0 && t == last - 290000000, "--at HH:MM:SS");
	const char *bad[] = {"", "-", "-x", "-5y", "-inf", "25:00", "1:05", "16:35:", "12:60",
			     "yesterday", " 16:35", "-5m ", "2025-13-03T16:39:30Z"};
	size_t taken = 0;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		taken += rec_parse_at(bad[i], last, &t) == 0;
	OK(!taken, "%zu malformed --at refused (%zu taken)", ARRAY_LEN(bad), taken);
}

int main(void)
{
	const char *fx = getenv("FIXTURES") ? getenv("FIXTURES") : "build/fixtures";
	const char *roots[] = {"/", "v2", "v1", "hybrid"};
	for (size_t i = 0; i < ARRAY_LEN(roots); i++) {
		char dir[512];
		snprintf(dir, sizeof(dir), "%s%s%s", i ? fx : "", i ? "/" : "", roots[i]);
		struct sysroot sr;
		struct nerr e = {0};
		if (sysroot_open(&sr, i ? dir : NULL, &e) < 0) {
			printf("ok %d # SKIP %s: %s\n", ++tap_n, dir, e.msg);
			continue;
		}
		struct users *u = users_new(&sr);
		struct collector *c = collector_new(&sr, u, true);
		struct snap *ss[4];
		ss[0] = collector_take(c, SNAP_ALL, NULL);
		for (int k = 1; k < 4; k++)
			ss[k] = collector_take(c, SNAP_ALL, ss[k - 1]);
		roundtrip(dir, ss[0], ss[1]);
		if (!i) {
			framing(ss, 4);
			refusals(ss[0]);
			ev_records(ss);
		}
		for (int k = 0; k < 4; k++)
			snap_free(ss[k]);
		collector_free(c);
		users_free(u);
		sysroot_close(&sr);
	}
	at_forms();
	return tap_done();
}
