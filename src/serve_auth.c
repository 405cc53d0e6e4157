// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop serve's basic authentication: the users and bcrypt hashes of a
 * --web-config file (parse_webcfg), checked with libxcrypt.
 *
 * A bcrypt run costs tens to hundreds of milliseconds by design; 50
 * scrapers a second must not cost 50 of them. So a verified credential is
 * remembered for SERVE_AUTH_CACHE_SECONDS: not the password but a SHA-256
 * of a random per-process salt, the user and the password, in a table of
 * SERVE_AUTH_CACHE entries (the oldest replaced), compared in constant
 * time; a hit renews its entry, so a scraper that keeps scraping never
 * needs a run again. A failed check is never cached, so a wrong password
 * always costs a bcrypt run. The runs are one at a time, and the checks
 * that run or wait are capped per user name: SERVE_AUTH_PER_USER for each
 * configured user, SERVE_AUTH_UNKNOWN for all unknown names together, the
 * others are answered 503 at once. A waiting check of a configured user
 * runs before any of an unknown name: a client guessing names and
 * passwords costs one core at most, cannot fill every connection with
 * waiters, and delays a real user's first check by one run at most (unless
 * it guesses that very user's password); a scraper whose credential is
 * cached never waits at all. An unknown user costs a bcrypt run too,
 * against a fixed dummy hash of the highest cost configured, so the time
 * taken does not tell which users exist. Once stopping, waiting checks are
 * answered 503 at once rather than run.
 */
#include <crypt.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "collect/parse.h"
#include "output.h"

#define KEYLEN 32

struct auth_entry {
	unsigned char key[KEYLEN];
	uint64_t at; /* monotonic usec it was verified; 0: empty */
};

struct serve_auth {
	struct webcfg w;
	char dummy[WEBCFG_HASH_LEN + 1]; /* for unknown users */
	unsigned char salt[32];
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t turn;  /* a run ended, or stopping */
	struct auth_entry cache[SERVE_AUTH_CACHE];
	unsigned queued[WEBCFG_USERS_MAX + 1]; /* per user (the last: unknown), running included */
	unsigned known_waiting; /* checks of configured users waiting for their turn */
	bool running, stopping;
	unsigned long runs, hits;
	struct crypt_data *cd; /* the running check's; 32 KiB */
};

static bool ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* NULL (e says why) when a hash is one this libxcrypt cannot check. */
struct serve_auth *serve_auth_new(const struct webcfg *w, struct nerr *e)
{
	for (size_t i = 0; i < w->n; i++)
		if (crypt_checksalt(w->users[i].hash) != CRYPT_SALT_OK) {
			nerr_input(e, -EINVAL, "the hash of user %s: not one this libxcrypt checks",
				   w->users[i].name);
			return NULL;
		}
	struct serve_auth *a = xcalloc(1, sizeof(*a));
	if (getrandom(a->salt, sizeof(a->salt), 0) != (ssize_t)sizeof(a->salt)) {
		nerr_set(e, -errno, "getrandom: %s", strerror(errno));
		free(a);
		return NULL;
	}
	a->w = *w;
	/* a well-formed setting of the highest cost: crypt runs it in full; its
	 * checksum part is never matched (an unknown user is denied anyway) */
	int cost = 4;
	for (size_t i = 0; i < w->n; i++) {
		const char *h = w->users[i].hash; /* $2?$NN$: parse_bcrypt_hash checked */
		int c = (h[4] - '0') * 10 + (h[5] - '0');
		cost = c > cost ? c : cost;
	}
	cost = cost < 31 ? cost : 31;
	snprintf(a->dummy, sizeof(a->dummy), "$2b$%02u$%s", (unsigned)cost % 100u,
		 "abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
	a->cd = xcalloc(1, sizeof(*a->cd));
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->turn, NULL);
	return a;
}

void serve_auth_free(struct serve_auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->turn);
	explicit_bzero(a->cd, sizeof(*a->cd));
	free(a->cd);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* SHA-256(salt, user, NUL, password): the cache's key, never the password */
static int cache_key(const struct serve_auth *a, const char *user, const char *pass,
		     unsigned char key[KEYLEN])
{
	size_t ul = strlen(user), pl = strlen(pass);
	size_t n = sizeof(a->salt) + ul + 1 + pl;
	unsigned char *m = xmalloc(n);
	memcpy(m, a->salt, sizeof(a->salt));
	memcpy(m + sizeof(a->salt), user, ul + 1);
	memcpy(m + sizeof(a->salt) + ul + 1, pass, pl);
	int r = gnutls_hash_fast(GNUTLS_DIG_SHA256, m, n, key);
	explicit_bzero(m, n);
	free(m);
	return r;
}

/* The monotonic clock a day ahead: an entry's age is now - at, and a
 * machine booted less than the cache's lifetime ago (a fresh guest) must
 * still be able to hold an entry older than that (serve_auth_age). */
static uint64_t auth_clock(void)
{
	return mono_usec() + 86400ULL * 1000000ULL;
}

/* under a->lock; a hit renews its entry */
static bool cache_hit(struct serve_auth *a, const unsigned char key[KEYLEN])
{
	uint64_t now = auth_clock();
	bool hit = false;
	for (size_t i = 0; i < SERVE_AUTH_CACHE; i++) {
		struct auth_entry *c = &a->cache[i];
		bool h = c->at && now - c->at < SERVE_AUTH_CACHE_SECONDS * 1000000ULL &&
			 ct_equal(c->key, key, KEYLEN);
		if (h)
			c->at = now;
		hit |= h;
	}
	a->hits += hit;
	return hit;
}

enum serve_auth_result serve_auth_check(struct serve_auth *a, const char *user, const char *pass)
{
	/* bcrypt reads 72 bytes at most: a longer password would pass with
	 * any tail, so it is refused (as Go's bcrypt, exporter-toolkit's, does) */
	if (!user || !pass || strlen(user) > WEBCFG_NAME_MAX || strlen(pass) > 72)
		return SERVE_AUTH_DENIED;
	unsigned char key[KEYLEN];
	if (cache_key(a, user, pass, key) < 0)
		return SERVE_AUTH_DENIED;
	size_t idx = a->w.n; /* unknown */
	for (size_t i = 0; i < a->w.n; i++)
		if (strlen(a->w.users[i].name) == strlen(user) &&
		    ct_equal(a->w.users[i].name, user, strlen(user)))
			idx = i;
	bool known = idx < a->w.n;
	enum serve_auth_result res = SERVE_AUTH_BUSY;

	pthread_mutex_lock(&a->lock);
	if (cache_hit(a, key)) {
		res = SERVE_AUTH_OK;
		goto out;
	}
	if (a->stopping || a->queued[idx] >= (known ? SERVE_AUTH_PER_USER : SERVE_AUTH_UNKNOWN))
		goto out;
	a->queued[idx]++;
	a->known_waiting += known;
	while (!a->stopping && (a->running || (!known && a->known_waiting)))
		pthread_cond_wait(&a->turn, &a->lock);
	a->known_waiting -= known;
	/* the same credential may have been verified while this one waited */
	if (a->stopping || cache_hit(a, key)) {
		res = a->stopping ? SERVE_AUTH_BUSY : SERVE_AUTH_OK;
		a->queued[idx]--;
		pthread_cond_broadcast(&a->turn); /* an unknown one may go now */
		goto out;
	}
	a->running = true;
	pthread_mutex_unlock(&a->lock);

	const char *hash = known ? a->w.users[idx].hash : a->dummy;
	const char *o = crypt_rn(pass, hash, a->cd, (int)sizeof(*a->cd));
	bool ok = known && o && strlen(o) == WEBCFG_HASH_LEN && ct_equal(o, hash, WEBCFG_HASH_LEN);
	explicit_bzero(a->cd->output, sizeof(a->cd->output));

	pthread_mutex_lock(&a->lock);
	a->running = false;
	a->queued[idx]--;
	a->runs++;
	if (ok) {
		struct auth_entry *slot = &a->cache[0];
		for (size_t i = 1; i < SERVE_AUTH_CACHE && slot->at; i++)
			if (!a->cache[i].at || a->cache[i].at < slot->at)
				slot = &a->cache[i];
		memcpy(slot->key, key, KEYLEN);
		slot->at = auth_clock();
	}
	pthread_cond_broadcast(&a->turn);
	res = ok ? SERVE_AUTH_OK : SERVE_AUTH_DENIED;
out:
	pthread_mutex_unlock(&a->lock);
	explicit_bzero(key, sizeof(key));
	return res;
}

/* Checks waiting are answered SERVE_AUTH_BUSY from now on, at once. */
void serve_auth_shutdown(struct serve_auth *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	pthread_cond_broadcast(&a->turn);
	pthread_mutex_unlock(&a->lock);
}

/* For the unit tests: every cached entry as if usec more had passed. */
void serve_auth_age(struct serve_auth *a, uint64_t usec)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < SERVE_AUTH_CACHE; i++)
		if (a->cache[i].at)
			a->cache[i].at = a->cache[i].at > usec ? a->cache[i].at - usec : 1;
	pthread_mutex_unlock(&a->lock);
}

/* bcrypt runs and cache hits so far */
void serve_auth_counts(struct serve_auth *a, unsigned long *runs, unsigned long *hits)
{
	pthread_mutex_lock(&a->lock);
	*runs = a->runs;
	*hits = a->hits;
	pthread_mutex_unlock(&a->lock);
}
