// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Network interfaces of each container's network namespace, read with
 * libnl-route from inside that namespace: the calling thread joins it with
 * setns(CLONE_NEWNET) (which moves only this thread), opens its netlink socket
 * there, and returns to its own namespace. Root only; live only.
 *
 * A collector keeps that socket (a netlink socket stays in the namespace it
 * was made in), one per namespace, so a refresh dumps the links without
 * joining anything; a kept socket also keeps its namespace alive, with
 * every veth in it, so it is closed on the first refresh that finds no
 * container in that namespace. Sockets count against the collector's
 * descriptor budget; beyond it a namespace is joined per refresh as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"

struct addr_ctx {
	struct buf *b;
	int ifindex;
};

static void on_addr(struct nl_object *o, void *arg)
{
	struct addr_ctx *x = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)o;
	if (rtnl_addr_get_ifindex(a) != x->ifindex)
		return;
	struct nl_addr *local = rtnl_addr_get_local(a);
	if (!local)
		return;
	char tmp[128];
	nl_addr2str(local, tmp, sizeof(tmp));
	if (x->b->len)
		buf_addc(x->b, ' ');
	buf_adds(x->b, tmp);
}

struct link_ctx {
	struct snap *s;
	size_t *cap;
	uint64_t netns;
	struct nl_cache *addrs;
};

static void on_link(struct nl_object *o, void *arg)
{
	struct link_ctx *x = arg;
	struct rtnl_link *l = (struct rtnl_link *)o;
	struct snap *s = x->s;
	if (s->nifs == *x->cap) {
		*x->cap = *x->cap ? *x->cap * 2 : 32;
		s->ifs = xreallocarray(s->ifs, *x->cap, sizeof(*s->ifs));
	}
	struct netif *f = &s->ifs[s->nifs++];
	memset(f, 0, sizeof(*f));
	f->netns = x->netns;
	f->ifindex = rtnl_link_get_ifindex(l);
	const char *name = rtnl_link_get_name(l);
	f->name = strtab_intern(s->strs, name ? name : "?", strlen(name ? name : "?"));
	f->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	f->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	f->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	struct buf b = {0};
	struct addr_ctx ax = {&b, f->ifindex};
	if (x->addrs)
		nl_cache_foreach(x->addrs, on_addr, &ax);
	f->addrs = strtab_intern(s->strs, b.p ? b.p : "", b.len);
	buf_free(&b);
}

/* A netlink route socket in the calling thread's network namespace. */
static struct nl_sock *sock_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

static void read_links(struct snap *s, size_t *cap, uint64_t netns, struct nl_sock *sk)
{
	struct nl_cache *links = NULL, *addrs = NULL;
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) == 0) {
		if (!(s->what & SNAP_NOADDRS))
			rtnl_addr_alloc_cache(sk, &addrs);
		struct link_ctx x = {s, cap, netns, addrs};
		nl_cache_foreach(links, on_link, &x);
	}
	if (addrs)
		nl_cache_free(addrs);
	if (links)
		nl_cache_free(links);
}

struct netsk {
	uint64_t ino;           /* the namespace's */
	struct nl_sock *sk;
	uint32_t seen;
};

struct netcache {
	struct netsk *v;        /* sorted by ino */
	size_t n, cap;
	uint32_t gen;
	struct fdbudget *b;
	uint64_t opened;        /* sockets made, for the tests and the bench */
};

struct netcache *netcache_new(struct fdbudget *b)
{
	struct netcache *nc = xcalloc(1, sizeof(*nc));
	nc->b = b;
	return nc;
}

void netcache_free(struct netcache *nc)
{
	if (!nc)
		return;
	for (size_t i = 0; i < nc->n; i++) {
		nl_socket_free(nc->v[i].sk);
		nc->b->used--;
	}
	free(nc->v);
	free(nc);
}

size_t netcache_open(const struct netcache *nc)
{
	return nc ? nc->n : 0;
}

static struct netsk *nc_find(struct netcache *nc, uint64_t ino)
{
	size_t lo = 0, hi = nc->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (nc->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nc->n && nc->v[lo].ino == ino ? &nc->v[lo] : NULL;
}

static void nc_add(struct netcache *nc, uint64_t ino, struct nl_sock *sk)
{
	size_t lo = 0;
	while (lo < nc->n && nc->v[lo].ino < ino)
		lo++;
	if (nc->n == nc->cap) {
		nc->cap = nc->cap ? nc->cap * 2 : 16;
		nc->v = xreallocarray(nc->v, nc->cap, sizeof(*nc->v));
	}
	memmove(&nc->v[lo + 1], &nc->v[lo], (nc->n - lo) * sizeof(*nc->v));
	nc->v[lo] = (struct netsk){ino, sk, nc->gen};
	nc->n++;
	nc->b->used++;
	nc->opened++;
}

/* Sockets of namespaces no container was found in this refresh: closed. */
static void nc_prune(struct netcache *nc)
{
	size_t k = 0;
	for (size_t i = 0; i < nc->n; i++) {
		if (nc->v[i].seen != nc->gen) {
			nl_socket_free(nc->v[i].sk);
			nc->b->used--;
			continue;
		}
		nc->v[k++] = nc->v[i];
	}
	nc->n = k;
}

static int cmp_if(const void *a, const void *b)
{
	const struct netif *x = a, *y = b;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

void net_collect(struct snap *s, struct sysroot *sr, struct netcache *nc)
{
	for (size_t i = 0; i < s->nctrs; i++) {
		s->ctrs[i].net_rx = s->ctrs[i].net_tx = VAL_NA;
		s->ctrs[i].net_rxps = s->ctrs[i].net_txps = NAN;
	}
	if (nc)
		nc->gen++;
	if (!sr->live || geteuid() != 0) {
		if (nc)
			nc_prune(nc);
		return;
	}
	int self = -1;
	size_t cap = 0;
	struct hmap done = {0};
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		const struct proc *init = snap_proc(s, c->init_pid);
		uint64_t ino = init ? init->ns[NS_NET] : 0;
		if (!ino || hmap_get(&done, ino, NULL))
			continue;
		struct netsk *k = nc ? nc_find(nc, ino) : NULL;
		if (k) {
			/* the socket holds the namespace: its inode is still this one */
			k->seen = nc->gen;
			read_links(s, &cap, ino, k->sk);
			hmap_put(&done, ino, 1);
			continue;
		}
		if (self < 0 && (self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
			break;
		char path[64];
		snprintf(path, sizeof(path), "%d/ns/net", (int)init->pid);
		int fd = openat(sr->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* the pid may be reused since the walk: join only the same netns */
		struct stat st;
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == ino && setns(fd, CLONE_NEWNET) == 0) {
			struct nl_sock *sk = sock_open();
			if (setns(self, CLONE_NEWNET) < 0)
				fatal("cannot return to nstop's own network namespace: %s",
				      strerror(errno));
			if (sk) {
				read_links(s, &cap, ino, sk);
				if (nc && nc->b && nc->b->used < nc->b->max)
					nc_add(nc, ino, sk);
				else
					nl_socket_free(sk);
			}
			hmap_put(&done, ino, 1);
		}
		close(fd);
	}
	if (self >= 0)
		close(self);
	if (nc)
		nc_prune(nc);
	hmap_free(&done);
	if (s->nifs > 1)
		qsort(s->ifs, s->nifs, sizeof(*s->ifs), cmp_if);
	/* totals per container: every interface of its netns but loopback */
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		const struct proc *init = snap_proc(s, c->init_pid);
		if (!init)
			continue;
		c->netns = init->ns[NS_NET];
		bool any = false;
		uint64_t rx = 0, tx = 0;
		size_t lo = 0, hi = s->nifs;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (s->ifs[mid].netns < c->netns)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < s->nifs && s->ifs[k].netns == c->netns; k++) {
			const struct netif *f = &s->ifs[k];
			any = true;
			if (!strcmp(f->name, "lo"))
				continue;
			rx += f->rx_bytes;
			tx += f->tx_bytes;
		}
		if (any) {
			c->net_rx = rx;
			c->net_tx = tx;
		}
	}
}

static uint64_t ctr_key(const struct container *c)
{
	uint64_t k = (c->id ? hash_bytes(c->id, strlen(c->id)) : 0) * 31 + (uint64_t)c->rt;
	return k ? k : 1;
}

static bool same_ctr(const struct container *o, const struct container *c)
{
	return o->rt == c->rt && o->id && c->id && !strcmp(o->id, c->id);
}

/* Per-second rates against the same container in the previous snapshot
 * (found by a hash of runtime and id: a thousand containers are a million
 * comparisons otherwise). */
void net_rates(struct snap *s, const struct snap *prev)
{
	uint64_t now = s->mono_usec, then = prev ? prev->mono_usec : 0;
	if (prev && s->net_mono_usec && prev->net_mono_usec) {
		now = s->net_mono_usec;
		then = prev->net_mono_usec;
	}
	if (!prev || now <= then)
		return;
	double dt = (double)(now - then) / 1e6;
	struct hmap idx = {0};
	for (size_t k = 0; k < prev->nctrs; k++)
		if (!hmap_get(&idx, ctr_key(&prev->ctrs[k]), NULL))
			hmap_put(&idx, ctr_key(&prev->ctrs[k]), (uint32_t)k);
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		if (c->net_rx == VAL_NA)
			continue;
		uint32_t k;
		const struct container *o = NULL;
		if (hmap_get(&idx, ctr_key(c), &k) && same_ctr(&prev->ctrs[k], c))
			o = &prev->ctrs[k];
		for (size_t j = 0; !o && j < prev->nctrs; j++) /* a colliding key */
			if (same_ctr(&prev->ctrs[j], c))
				o = &prev->ctrs[j];
		if (!o || o->net_rx == VAL_NA || o->netns != c->netns)
			continue;
		if (c->net_rx >= o->net_rx && c->net_tx >= o->net_tx) {
			c->net_rxps = (double)(c->net_rx - o->net_rx) / dt;
			c->net_txps = (double)(c->net_tx - o->net_tx) / dt;
		}
	}
	hmap_free(&idx);
}
