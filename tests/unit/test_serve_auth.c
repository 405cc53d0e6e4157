// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of nstop serve's basic authentication (serve_auth.c): the
 * credential cache (renewed on a hit, expiring unused), the bcrypt queue
 * (capped per user name, configured users before unknown names), the dummy
 * hash of an unknown user (the highest cost configured), and shutdown
 * (waiting checks answered at once). Real bcrypt runs of libxcrypt. */
#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "collect/parse.h"
#include "output.h"
#include "tap.h"

static struct serve_auth *a;

static unsigned long runs(void)
{
	unsigned long r, h;
	serve_auth_counts(a, &r, &h);
	return r;
}

struct job {
	const char *user, *pass;
	unsigned delay_ms;
	enum serve_auth_result res;
	unsigned order; /* when it finished, from 1 */
	pthread_t t;
};
static unsigned finished;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg)
{
	struct job *j = arg;
	usleep(j->delay_ms * 1000);
	j->res = serve_auth_check(a, j->user, j->pass);
	pthread_mutex_lock(&mu);
	j->order = ++finished;
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void start(struct job *j, const char *user, const char *pass, unsigned delay_ms)
{
	*j = (struct job){.user = user, .pass = pass, .delay_ms = delay_ms};
	pthread_create(&j->t, NULL, run, j);
}

static unsigned count(struct job *j, size_t n, enum serve_auth_result r)
{
	unsigned c = 0;
	for (size_t i = 0; i < n; i++)
		c += j[i].res == r;
	return c;
}

static double secs(void)
{
	return (double)mono_usec() / 1e6;
}

int main(void)
{
	/* alice: cost 10, first (the old dummy); bob: cost 12 */
	char ha[WEBCFG_HASH_LEN + 1], hb[WEBCFG_HASH_LEN + 1], cfg[400], why[200] = "";
	snprintf(ha, sizeof(ha), "%s", crypt("s3cret", "$2b$10$abcdefghijklmnopqrstuu"));
	snprintf(hb, sizeof(hb), "%s", crypt("hunter2", "$2b$12$abcdefghijklmnopqrstuu"));
	snprintf(cfg, sizeof(cfg), "basic_auth_users:\n  alice: %s\n  bob: %s\n", ha, hb);
	static struct webcfg w;
	struct nerr e = {0};
	if (!OK(parse_webcfg(cfg, strlen(cfg), &w, why, sizeof(why)) == 0 && w.n == 2, "users file: %s", why) ||
	    !OK((a = serve_auth_new(&w, &e)) != NULL, "serve_auth_new: %s", e.msg)) {
		return tap_done() | 1;
	}

	/* ---- the cache ---- */
	OK(serve_auth_check(a, "alice", "s3cret") == SERVE_AUTH_OK && runs() == 1, "alice's password: ok, one run");
	OK(serve_auth_check(a, "alice", "s3cret") == SERVE_AUTH_OK && runs() == 1, "... again: ok from the cache, no run");
	OK(serve_auth_check(a, "alice", "wrong") == SERVE_AUTH_DENIED && runs() == 2, "a wrong password: denied, a run");
	OK(serve_auth_check(a, "alice", "wrong") == SERVE_AUTH_DENIED && runs() == 3, "... again: a run again (never cached)");
	serve_auth_age(a, 200 * 1000000ULL);
	OK(serve_auth_check(a, "alice", "s3cret") == SERVE_AUTH_OK && runs() == 3, "200 s later: still cached (renewed)");
	serve_auth_age(a, 200 * 1000000ULL);
	OK(serve_auth_check(a, "alice", "s3cret") == SERVE_AUTH_OK && runs() == 3,
	   "400 s after its run, 200 s after its last hit: still cached (a hit renews the entry)");
	serve_auth_age(a, (SERVE_AUTH_CACHE_SECONDS + 1) * 1000000ULL);
	OK(serve_auth_check(a, "alice", "s3cret") == SERVE_AUTH_OK && runs() == 4,
	   "unused for longer than %d s: checked again (a run)", SERVE_AUTH_CACHE_SECONDS);
	OK(serve_auth_check(a, "alice", NULL) == SERVE_AUTH_DENIED && serve_auth_check(a, NULL, "x") == SERVE_AUTH_DENIED,
	   "no user or no password: denied");

	/* ---- an unknown user: a run as long as the costliest user's ---- */
	double t0 = secs();
	OK(serve_auth_check(a, "bob", "wrong") == SERVE_AUTH_DENIED, "bob, a wrong password: denied");
	double t1 = secs();
	unsigned long r0 = runs();
	OK(serve_auth_check(a, "nobody", "hunter2") == SERVE_AUTH_DENIED && runs() == r0 + 1,
	   "an unknown user: denied, after a run");
	double t2 = secs();
	OK(t2 - t1 > (t1 - t0) * 0.5,
	   "... as long as bob's (cost 12: %.0f ms), not alice's (cost 10, the first user): %.0f ms",
	   (t1 - t0) * 1000, (t2 - t1) * 1000);

	/* ---- the queue: unknown names capped together ---- */
	struct job j[8];
	for (int i = 0; i < 6; i++)
		start(&j[i], i % 2 ? "mallory" : "eve", "guess", 0);
	for (int i = 0; i < 6; i++)
		pthread_join(j[i].t, NULL);
	OK(count(j, 6, SERVE_AUTH_BUSY) == 6 - SERVE_AUTH_UNKNOWN && count(j, 6, SERVE_AUTH_DENIED) == SERVE_AUTH_UNKNOWN,
	   "6 unknown names at once: %d checked, the rest busy (busy %u)", SERVE_AUTH_UNKNOWN, count(j, 6, SERVE_AUTH_BUSY));

	/* ---- ... and after a configured user ---- */
	serve_auth_age(a, (SERVE_AUTH_CACHE_SECONDS + 1) * 1000000ULL); /* alice's entry gone */
	finished = 0;
	start(&j[0], "eve", "guess", 0);      /* runs at once */
	start(&j[1], "mallory", "guess", 30); /* waits */
	start(&j[2], "alice", "s3cret", 80);  /* waits, arrived last */
	for (int i = 0; i < 3; i++)
		pthread_join(j[i].t, NULL);
	OK(j[2].res == SERVE_AUTH_OK && j[2].order < j[1].order,
	   "alice, arriving after 2 unknown names: checked before the waiting one (finished %u of 3)", j[2].order);

	/* ---- a configured user's own cap: a guesser of alice's password does not lock out bob ---- */
	for (int i = 0; i < 6; i++)
		start(&j[i], "alice", "guess", 0);
	start(&j[6], "bob", "hunter2", 60);
	for (int i = 0; i < 7; i++)
		pthread_join(j[i].t, NULL);
	OK(count(j, 6, SERVE_AUTH_BUSY) == 6 - SERVE_AUTH_PER_USER && j[6].res == SERVE_AUTH_OK,
	   "6 guesses of alice's password at once: %d checked, the rest busy (busy %u); bob meanwhile ok",
	   SERVE_AUTH_PER_USER, count(j, 6, SERVE_AUTH_BUSY));

	/* ---- shutdown: the waiting are not run ---- */
	for (int i = 0; i < 4; i++)
		start(&j[i], "bob", "guess", i ? 40 : 0);
	usleep(120000);
	r0 = runs();
	t0 = secs();
	serve_auth_shutdown(a);
	for (int i = 0; i < 4; i++)
		pthread_join(j[i].t, NULL);
	t1 = secs();
	OK(count(j, 4, SERVE_AUTH_BUSY) == 3 && count(j, 4, SERVE_AUTH_DENIED) == 1 && runs() <= r0 + 1,
	   "shutdown with 1 check running and 3 waiting: 3 answered busy, only the running one ran (%.0f ms)",
	   (t1 - t0) * 1000);
	OK(serve_auth_check(a, "nobody", "x") == SERVE_AUTH_BUSY, "... and any check after it: busy");
	serve_auth_free(a);
	return tap_done();
}
