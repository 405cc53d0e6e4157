// SPDX-License-Identifier: GPL-2.0-or-later
/* Open-addressing hash maps keyed by pid, inode or string hash: nothing quadratic. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h ? h : 1;
}

static void rehash(struct hmap *h, size_t cap)
{
	uint64_t *ok = h->keys;
	uint32_t *ov = h->vals;
	size_t ocap = h->cap;
	h->keys = xcalloc(cap, sizeof(*h->keys));
	h->vals = xcalloc(cap, sizeof(*h->vals));
	h->cap = cap;
	h->len = 0;
	for (size_t i = 0; i < ocap; i++)
		if (ok[i])
			hmap_put(h, ok[i], ov[i]);
	free(ok);
	free(ov);
}

void hmap_put(struct hmap *h, uint64_t key, uint32_t val)
{
	if (!key)
		fatal("hmap: key 0 is reserved");
	if ((h->len + 1) * 4 > h->cap * 3)
		rehash(h, h->cap ? h->cap * 2 : 64);
	size_t mask = h->cap - 1;
	for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
		if (h->keys[i] == key) {
			h->vals[i] = val;
			return;
		}
		if (!h->keys[i]) {
			h->keys[i] = key;
			h->vals[i] = val;
			h->len++;
			return;
		}
	}
}

bool hmap_get(const struct hmap *h, uint64_t key, uint32_t *val)
{
	if (!h->cap || !key)
		return false;
	size_t mask = h->cap - 1;
	for (size_t i = mix(key) & mask; h->keys[i]; i = (i + 1) & mask) {
		if (h->keys[i] == key) {
			if (val)
				*val = h->vals[i];
			return true;
		}
	}
	return false;
}

void hmap_free(struct hmap *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

/*
 * Strings are found by hash; on a collision of two different strings the
 * hash is perturbed and probed again, so each stored string has its own key.
 */
static uint64_t next_key(uint64_t k)
{
	k = mix(k + 0x9e3779b97f4a7c15);
	return k ? k : 1;
}

const char *strtab_find(const struct strtab *t, const char *s)
{
	size_t n = strlen(s);
	uint32_t idx;
	for (uint64_t k = hash_bytes(s, n); hmap_get(&t->map, k, &idx); k = next_key(k))
		if (t->lens[idx] == n && !memcmp(t->strs[idx], s, n))
			return t->strs[idx];
	return NULL;
}

/* Binary-safe: a stored copy may hold NULs (a command line); it is always
 * NUL-terminated besides. */
const char *strtab_intern(struct strtab *t, const char *s, size_t n)
{
	uint32_t idx;
	uint64_t k = hash_bytes(s, n);
	for (; hmap_get(&t->map, k, &idx); k = next_key(k))
		if (t->lens[idx] == n && !memcmp(t->strs[idx], s, n))
			return t->strs[idx];
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->strs = xreallocarray(t->strs, t->cap, sizeof(*t->strs));
		t->lens = xreallocarray(t->lens, t->cap, sizeof(*t->lens));
	}
	t->strs[t->len] = xmemdup0(s, n);
	t->lens[t->len] = n;
	hmap_put(&t->map, k, (uint32_t)t->len);
	return t->strs[t->len++];
}

void strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->lens);
	hmap_free(&t->map);
	memset(t, 0, sizeof(*t));
}

/*
 * Pools: the strings and cgroup sets that snapshots point into, shared by
 * the snapshots a collector takes (one copy of each command line and cgroup
 * path, not one per refresh). Only the collector's thread adds to a pool;
 * readers of a snapshot never look a string up in it.
 */
struct strpool *pool_new(void)
{
	struct strpool *p = xcalloc(1, sizeof(*p));
	p->refs = 1;
	return p;
}

struct strpool *pool_ref(struct strpool *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

void pool_unref(struct strpool *p)
{
	if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < p->nsets; i++)
		free(p->sets[i].cg1);
	free(p->sets);
	hmap_free(&p->setidx);
	strtab_free(&p->t);
	free(p);
}
