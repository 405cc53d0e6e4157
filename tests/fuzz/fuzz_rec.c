// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: nstop record's files, read back. An input that starts with
 * the file magic is a recording (framing, index, torn tails, checksums,
 * zstd); any other is a list of raw samples, (type, varint length, bytes),
 * which mutations reach past the checksum: each is framed and decoded as a
 * file's would be (a type byte with bit 2 set: an events record). A
 * decoded sample, and a record's events, must encode and decode to the
 * same bytes. REC_SEED_OUT=FILE writes a recording's raw samples there (run.sh
 * makes the raw seeds from the writer's files so).
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "collect/collect.h"

static void check_roundtrip(const struct snap *s, struct strpool *pool)
{
	struct buf a = {0}, b = {0};
	char why[200];
	rec_encode(&a, s, NULL);
	struct snap *d = rec_decode((const uint8_t *)a.p, a.len, NULL, pool, why, sizeof(why));
	if (!d)
		abort();
	rec_encode(&b, d, NULL);
	if (a.len != b.len || memcmp(a.p, b.p, a.len))
		abort();
	snap_free(d);
	buf_free(&a);
	buf_free(&b);
}

static void check_events(const struct rec_file *f, FILE *seed)
{
	struct buf raw = {0}, a = {0}, b = {0};
	char why[200];
	for (size_t i = 0; i < f->nevs; i++) {
		struct event *v, *w;
		size_t n, m;
		if (f->evs[i].off >= f->n || f->evs[i].type != REC_EVENTS)
			abort();
		if (rec_events(f, i, &raw, &v, &n, why, sizeof(why)) < 0)
			continue;
		if (seed) {
			struct buf h = {0};
			buf_addc(&h, 4);
			rec_vput(&h, raw.len);
			fwrite(h.p, 1, h.len, seed);
			fwrite(raw.p, 1, raw.len, seed);
			buf_free(&h);
		}
		/* what was taken encodes and decodes to itself */
		buf_reset(&a);
		buf_reset(&b);
		rec_ev_encode(&a, v, n, f->evs[i].time_usec);
		if (rec_ev_decode((const uint8_t *)a.p, a.len, f->evs[i].time_usec, &w, &m, why,
				  sizeof(why)) < 0 || m != n)
			abort();
		rec_ev_encode(&b, w, m, f->evs[i].time_usec);
		if (a.len != b.len || memcmp(a.p, b.p, a.len))
			abort();
		for (size_t k = 0; k < n; k++)
			if (strlen(v[k].comm) >= sizeof(v[k].comm) || (unsigned)v[k].type >= EV_NTYPES)
				abort();
		free(v);
		free(w);
	}
	buf_free(&raw);
	buf_free(&a);
	buf_free(&b);
}

static void read_file(const uint8_t *data, size_t size, FILE *seed)
{
	struct rec_file f;
	char why[200];
	if (rec_open_mem(&f, data, size, why, sizeof(why)) < 0) {
		if (!why[0])
			abort();
		return;
	}
	check_events(&f, seed);
	struct strpool *pool = pool_new();
	struct buf raw = {0};
	struct snap *prev = NULL;
	for (size_t i = 0; i < f.nents; i++) {
		if (f.ents[i].off >= size || (f.ents[i].type != REC_FULL && f.ents[i].type != REC_DELTA))
			abort();
		if (rec_payload(&f, i, &raw, why, sizeof(why)) < 0)
			break;
		if (seed) {
			struct buf h = {0};
			buf_addc(&h, (char)f.ents[i].type);
			rec_vput(&h, raw.len);
			fwrite(h.p, 1, h.len, seed);
			fwrite(raw.p, 1, raw.len, seed);
			buf_free(&h);
		}
		bool full = f.ents[i].type == REC_FULL;
		if (!full && !prev)
			break;
		struct snap *s = rec_decode((const uint8_t *)raw.p, raw.len, full ? NULL : prev, pool,
					    why, sizeof(why));
		if (!s)
			break;
		check_roundtrip(s, pool);
		snap_free(prev);
		prev = s;
	}
	snap_free(prev);
	pool_unref(pool);
	buf_free(&raw);
	rec_file_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 8 && !memcmp(data, REC_MAGIC, 8)) {
		const char *out = getenv("REC_SEED_OUT");
		FILE *seed = out ? fopen(out, "w") : NULL;
		read_file(data, size, seed);
		if (seed)
			fclose(seed);
		return 0;
	}
	/* raw samples, framed as the writer frames them */
	struct rec_rd r = {.p = data, .n = size};
	struct buf file = {0};
	rec_file_header(&file);
	for (int64_t t = 1; r.off < r.n && t < 64; t++) {
		const uint8_t *type = rec_take(&r, 1);
		uint64_t len = rec_vget(&r);
		const uint8_t *p = r.bad || len > r.n - r.off ? NULL : rec_take(&r, (size_t)len);
		if (!type || !p)
			break;
		rec_frame(&file, *type & 4 ? REC_EVENTS : *type & 1 ? REC_FULL : REC_DELTA, t, p,
			  (size_t)len);
	}
	read_file((const uint8_t *)file.p, file.len, NULL);
	buf_free(&file);
	return 0;
}
