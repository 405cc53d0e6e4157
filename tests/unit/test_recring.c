// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live dashboard's past (collect/recring.c): every kept sample decodes
 * to what was added (it encodes to the same bytes), the time and the bytes
 * caps drop whole groups from the front and never the newest, find gives
 * the sample at or before a time.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/parse.h"
#include "collect/collect.h"
#include "tap.h"

#define N 70

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

/* kept samples decode to the ones added at their times (t = 1 s * index) */
static size_t bad_samples(const struct rec_ring *r, struct snap **ss, struct users *u)
{
	size_t bad = 0;
	char why[200];
	for (size_t i = 0; i < rec_ring_count(r); i++) {
		int64_t t = rec_ring_time(r, i);
		size_t k = (size_t)(t / 1000000);
		struct snap *d = rec_ring_get(r, i, u, why, sizeof(why));
		if (!d || k >= N || !same_enc(d, ss[k])) {
			printf("# sample %zu (t %lld): %s\n", i, (long long)t, d ? "differs" : why);
			bad++;
		}
		snap_free(d);
	}
	return bad;
}

int main(void)
{
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		printf("ok 1 # SKIP /: %s\n1..1\n", e.msg);
		return 0;
	}
	struct users *u = users_new(&sr);
	struct collector *c = collector_new(&sr, u, true);
	struct snap *ss[N];
	/* what the dashboard's containers view collects: it changes under us
	 * (other tests' processes), so the deltas are real */
	unsigned what = SNAP_NS | SNAP_CONTAINERS | SNAP_HOST | SNAP_PROCS;
	ss[0] = collector_take(c, what, NULL);
	for (int k = 1; k < N; k++)
		ss[k] = collector_take(c, what, ss[k - 1]);

	struct rec_ring *r = rec_ring_new(1u << 30, 3600 * 1000000LL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (int k = 0; k < N; k++)
		rec_ring_add(r, ss[k], k ? ss[k - 1] : NULL, (int64_t)k * 1000000);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	/* what the dashboard's screen pays per refresh to keep its past */
	printf("# the ring: %.2f ms of CPU and %zu bytes a sample at %zu processes\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / N,
	       rec_ring_bytes(r) / N, ss[N - 1]->nprocs);
	OK(rec_ring_count(r) == N, "uncapped: every sample kept (%zu)", rec_ring_count(r));
	OK(!bad_samples(r, ss, u), "every kept sample decodes to the one added");
	OK(rec_ring_find(r, 41500000) == 41 && rec_ring_find(r, -5) == 0 && rec_ring_find(r, INT64_MAX) == N - 1,
	   "find: the sample at or before a time, the first before all");
	char why[200];
	struct snap *d = rec_ring_get(r, 45, u, why, sizeof(why));
	OK(d && d->refs == 1, "a decoded sample is the caller's (refs 1)");
	snap_free(d);
	rec_ring_free(r);

	/* 20 s kept: whole groups of 30 go from the front */
	r = rec_ring_new(1u << 30, 20 * 1000000LL);
	for (int k = 0; k < N; k++)
		rec_ring_add(r, ss[k], k ? ss[k - 1] : NULL, (int64_t)k * 1000000);
	size_t n = rec_ring_count(r);
	OK(n < N && rec_ring_time(r, n - 1) == (N - 1) * 1000000LL, "the time cap drops the oldest (%zu kept), "
	   "never the newest", n);
	OK(rec_ring_time(r, 0) >= (N - 1 - 20 - 30) * 1000000LL, "... and keeps at most a group more than 20 s "
	   "(the oldest at %lld s)", (long long)(rec_ring_time(r, 0) / 1000000));
	OK(!bad_samples(r, ss, u), "what is kept after dropping still decodes (its group's full sample kept)");
	rec_ring_free(r);

	/* a byte cap below one sample: the newest group alone */
	r = rec_ring_new(1, 3600 * 1000000LL);
	for (int k = 0; k < N; k++)
		rec_ring_add(r, ss[k], k ? ss[k - 1] : NULL, (int64_t)k * 1000000);
	n = rec_ring_count(r);
	OK(n >= 1 && n <= 30 && rec_ring_time(r, n - 1) == (N - 1) * 1000000LL,
	   "the byte cap keeps only the newest group (%zu samples, %zu bytes)", n, rec_ring_bytes(r));
	OK(!bad_samples(r, ss, u), "and it decodes");
	rec_ring_free(r);

	for (int k = 0; k < N; k++)
		snap_free(ss[k]);
	collector_free(c);
	users_free(u);
	sysroot_close(&sr);
	return tap_done();
}
