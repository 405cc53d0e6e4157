// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Network interfaces of each container's network namespace, read with
 * libnl-route from inside that namespace: the calling thread joins it with
 * setns(CLONE_NEWNET) (which moves only this thread), opens its netlink socket
 * there, and returns to its own namespace. Root only; live only.
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

static void read_links(struct snap *s, size_t *cap, uint64_t netns)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk)
		return;
	struct nl_cache *links = NULL, *addrs = NULL;
	if (nl_connect(sk, NETLINK_ROUTE) == 0 && rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) == 0) {
		rtnl_addr_alloc_cache(sk, &addrs);
		struct link_ctx x = {s, cap, netns, addrs};
		nl_cache_foreach(links, on_link, &x);
	}
	if (addrs)
		nl_cache_free(addrs);
	if (links)
		nl_cache_free(links);
	nl_socket_free(sk);
}

static int cmp_if(const void *a, const void *b)
{
	const struct netif *x = a, *y = b;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

void net_collect(struct snap *s, struct sysroot *sr)
{
	for (size_t i = 0; i < s->nctrs; i++) {
		s->ctrs[i].net_rx = s->ctrs[i].net_tx = VAL_NA;
		s->ctrs[i].net_rxps = s->ctrs[i].net_txps = NAN;
	}
	if (!sr->live || geteuid() != 0)
		return;
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return;
	size_t cap = 0;
	struct hmap done = {0};
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		const struct proc *init = snap_proc(s, c->init_pid);
		if (!init || !init->ns[NS_NET] || hmap_get(&done, init->ns[NS_NET], NULL))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%d/ns/net", (int)init->pid);
		int fd = openat(sr->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* the pid may be reused since the walk: join only the same netns */
		struct stat st;
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == init->ns[NS_NET] &&
		    setns(fd, CLONE_NEWNET) == 0) {
			read_links(s, &cap, init->ns[NS_NET]);
			if (setns(self, CLONE_NEWNET) < 0)
				fatal("cannot return to nstop's own network namespace: %s",
				      strerror(errno));
			hmap_put(&done, init->ns[NS_NET], 1);
		}
		close(fd);
	}
	close(self);
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
		for (size_t k = 0; k < s->nifs; k++) {
			const struct netif *f = &s->ifs[k];
			if (f->netns != c->netns)
				continue;
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

/* Per-second rates against the same container in the previous snapshot. */
void net_rates(struct snap *s, const struct snap *prev)
{
	if (!prev || s->mono_usec <= prev->mono_usec)
		return;
	double dt = (double)(s->mono_usec - prev->mono_usec) / 1e6;
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		if (c->net_rx == VAL_NA)
			continue;
		for (size_t k = 0; k < prev->nctrs; k++) {
			const struct container *o = &prev->ctrs[k];
			if (o->rt != c->rt || strcmp(o->id, c->id) || o->net_rx == VAL_NA ||
			    o->netns != c->netns)
				continue;
			if (c->net_rx >= o->net_rx && c->net_tx >= o->net_tx) {
				c->net_rxps = (double)(c->net_rx - o->net_rx) / dt;
				c->net_txps = (double)(c->net_tx - o->net_tx) / dt;
			}
			break;
		}
	}
}
