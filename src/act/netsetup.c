// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container networks through libnl-route, never by running ip(8): loopback
 * up, and a veth pair whose host side is named from the container (15-byte
 * interface names: a prefix and a hash) and whose other side is eth0 in the
 * container, with addresses from a private pool and a default route.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "act.h"

#define POOL_NET 0x0ad50000u /* 10.213.0.0/16, one /30 per container */

/* "nsv" + 8 hex digits of a hash of the name: 11 bytes, within IFNAMSIZ. */
void net_veth_name(const char *name, char out[16])
{
	snprintf(out, 16, "nsv%08x", (unsigned)(hash_bytes(name, strlen(name)) & 0xffffffffu));
}

static void fmt_ip(uint32_t ip, int prefix, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u/%d", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255,
		 prefix);
}

/*
 * The container's and the host side's addresses. want: "ADDR/PREFIX" or
 * NULL for the next free /30 of the pool (used: the addresses taken).
 */
int net_addrs(const char *want, const char *const *used, size_t nused, char *ctr, char *host,
	      size_t n, struct nerr *e)
{
	if (want && *want) {
		char ip[64];
		const char *sl = strchr(want, '/');
		struct in_addr a;
		uint64_t prefix;
		if (!sl || (size_t)(sl - want) >= sizeof(ip) || str_parse_u64(sl + 1, &prefix) < 0 ||
		    prefix < 8 || prefix > 30) {
			nerr_input(e, -EINVAL, "--net veth:ADDR/PREFIX: not an IPv4 address with a prefix from 8 to 30");
			return -EINVAL;
		}
		memcpy(ip, want, (size_t)(sl - want));
		ip[sl - want] = '\0';
		if (inet_pton(AF_INET, ip, &a) != 1) {
			nerr_input(e, -EINVAL, "--net veth:ADDR/PREFIX: not an IPv4 address");
			return -EINVAL;
		}
		uint32_t h = ntohl(a.s_addr), mask = ~0u << (32 - prefix), net = h & mask;
		uint32_t bcast = net | ~mask;
		if (h == net || h == bcast) {
			nerr_input(e, -EINVAL, "--net veth:%s: the network or broadcast address", want);
			return -EINVAL;
		}
		fmt_ip(h, (int)prefix, ctr, n);
		fmt_ip(h == net + 1 ? net + 2 : net + 1, (int)prefix, host, n);
		return 0;
	}
	for (uint32_t i = 0; i < 16384; i++) {
		uint32_t base = POOL_NET + i * 4;
		fmt_ip(base + 2, 30, ctr, n);
		bool taken = false;
		for (size_t k = 0; k < nused && !taken; k++)
			taken = used[k] && !strcmp(used[k], ctr);
		if (!taken) {
			fmt_ip(base + 1, 30, host, n);
			return 0;
		}
	}
	nerr_set(e, -ENOSPC, "the address pool 10.213.0.0/16 is used up");
	return -ENOSPC;
}

/*
 * The pool's /30s an address of this network namespace reaches (its
 * subnet), each as the container address net_addrs would give it
 * ("10.213.X.Y/30"), added to *v (NULL-terminated): a /30 another
 * registry's container holds (its host side is here), or one the host
 * routes for itself, is never handed out again.
 */
void net_pool_in_use(char ***v, size_t *n)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *c = NULL;
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0 || rtnl_addr_alloc_cache(sk, &c) < 0) {
		if (sk)
			nl_socket_free(sk);
		return;
	}
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct nl_addr *l = rtnl_addr_get_local((struct rtnl_addr *)o);
		if (!l || nl_addr_get_family(l) != AF_INET || nl_addr_get_len(l) != 4)
			continue;
		uint32_t ip;
		memcpy(&ip, nl_addr_get_binary_addr(l), 4);
		ip = ntohl(ip);
		int pl = rtnl_addr_get_prefixlen((struct rtnl_addr *)o);
		pl = pl < 0 || pl > 30 ? 30 : pl;
		uint32_t mask = pl ? ~0u << (32 - pl) : 0, lo = ip & mask, hi = ip | ~mask;
		if (hi < POOL_NET || lo > (POOL_NET | 0xffffu))
			continue;
		/* its subnet within the pool */
		if (lo < POOL_NET)
			lo = POOL_NET;
		if (hi > (POOL_NET | 0xffffu))
			hi = POOL_NET | 0xffffu;
		for (uint64_t q = lo & ~3u; q <= hi; q += 4) {
			char a[32];
			fmt_ip((uint32_t)q + 2, 30, a, sizeof(a));
			*v = xreallocarray(*v, *n + 2, sizeof(**v));
			(*v)[(*n)++] = xstrdup(a);
			(*v)[*n] = NULL;
		}
	}
	nl_cache_free(c);
	nl_socket_free(sk);
}

static struct nl_sock *sock(struct nerr *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk) {
		nerr_set(e, -ENOMEM, "netlink: no memory");
		return NULL;
	}
	int r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nerr_set(e, -EIO, "netlink: %s", nl_geterror(r));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int link_up(struct nl_sock *sk, const char *ifname, int *ifindex, struct nerr *e)
{
	struct rtnl_link *orig = NULL, *change = rtnl_link_alloc();
	int r = rtnl_link_get_kernel(sk, 0, ifname, &orig);
	if (r >= 0) {
		*ifindex = rtnl_link_get_ifindex(orig);
		rtnl_link_set_flags(change, IFF_UP);
		r = rtnl_link_change(sk, orig, change, 0);
	}
	if (r < 0)
		nerr_set(e, -EIO, "%s up: %s", ifname, nl_geterror(r));
	rtnl_link_put(change);
	if (orig)
		rtnl_link_put(orig);
	return r < 0 ? -EIO : 0;
}

static int addr_add(struct nl_sock *sk, int ifindex, const char *cidr, struct nerr *e)
{
	struct nl_addr *local = NULL;
	int r = nl_addr_parse(cidr, AF_INET, &local);
	if (r >= 0) {
		struct rtnl_addr *a = rtnl_addr_alloc();
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_local(a, local);
		r = rtnl_addr_add(sk, a, 0);
		rtnl_addr_put(a);
		nl_addr_put(local);
	}
	if (r < 0)
		nerr_set(e, -EIO, "address %s: %s", cidr, nl_geterror(r));
	return r < 0 ? -EIO : 0;
}

/*
 * The host side of a container's veth before it is up: strict reverse-path
 * filtering (a datagram whose source the route back would not send through
 * this veth is dropped: a container with CAP_NET_RAW could otherwise claim
 * any source address, and fill a published UDP port's per-address flows
 * with made-up ones) and no IPv6 (the container's addresses are IPv4; a
 * link-local IPv6 side would reach [::] listeners with any source of its
 * /64, which no filter here checks).
 */
static int host_side_strict(const char *host_if, struct nerr *e)
{
	static const char *const set[][2] = {{"ipv4", "rp_filter"}, {"ipv6", "disable_ipv6"}};
	for (size_t i = 0; i < 2; i++) {
		char p[128];
		snprintf(p, sizeof(p), "/proc/sys/net/%s/conf/%s/%s", set[i][0], host_if, set[i][1]);
		int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT && i == 1)
			continue; /* a kernel without IPv6 */
		if (fd < 0 || write(fd, "1", 1) != 1) {
			int err = errno;
			if (fd >= 0)
				close(fd);
			return nerr_set(e, -err, "%s: %s", p, strerror(err));
		}
		close(fd);
	}
	return 0;
}

/* In the host's network namespace: the pair, eth0 moved into pid's. */
int net_veth_create(const char *host_if, pid_t pid, const char *host_cidr, struct nerr *e)
{
	struct nl_sock *sk = sock(e);
	if (!sk)
		return -EIO;
	struct rtnl_link *veth = rtnl_link_veth_alloc();
	struct rtnl_link *peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, host_if);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_ns_pid(peer, pid);
	int r = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(veth);
	int ifindex = 0;
	if (r < 0) {
		nerr_set(e, r == -NLE_EXIST ? -EEXIST : -EIO, "veth %s: %s", host_if, nl_geterror(r));
		r = r == -NLE_EXIST ? -EEXIST : -EIO;
	} else if ((r = host_side_strict(host_if, e)) == 0 && (r = link_up(sk, host_if, &ifindex, e)) == 0) {
		r = addr_add(sk, ifindex, host_cidr, e);
	}
	nl_socket_free(sk);
	return r;
}

/* Deleting one side of a veth pair deletes both. */
int net_veth_delete(const char *host_if)
{
	struct nerr e = {0};
	struct nl_sock *sk = sock(&e);
	if (!sk)
		return -EIO;
	struct rtnl_link *l = rtnl_link_alloc();
	rtnl_link_set_name(l, host_if);
	int r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND ? -EIO : 0;
}

/* Inside the container's network namespace: lo up; eth0 with its address
 * and a default route through the host side, when given. */
int net_setup_inside(const char *cidr, const char *gw_cidr, struct nerr *e)
{
	struct nl_sock *sk = sock(e);
	if (!sk)
		return -EIO;
	int lo, eth, r = link_up(sk, "lo", &lo, e);
	if (!r && cidr) {
		r = link_up(sk, "eth0", &eth, e);
		if (!r)
			r = addr_add(sk, eth, cidr, e);
		if (!r) {
			char gw[64];
			snprintf(gw, sizeof(gw), "%s", gw_cidr);
			char *sl = strchr(gw, '/');
			if (sl)
				*sl = '\0';
			struct nl_addr *dst = NULL, *via = NULL;
			struct rtnl_route *rt = rtnl_route_alloc();
			struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
			int k = nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
			if (k >= 0)
				k = nl_addr_parse(gw, AF_INET, &via);
			if (k >= 0) {
				rtnl_route_set_family(rt, AF_INET);
				rtnl_route_set_dst(rt, dst);
				rtnl_route_nh_set_gateway(nh, via);
				rtnl_route_nh_set_ifindex(nh, eth);
				rtnl_route_add_nexthop(rt, nh);
				nh = NULL;
				k = rtnl_route_add(sk, rt, NLM_F_CREATE);
			}
			if (k < 0) {
				nerr_set(e, -EIO, "default route via %s: %s", gw, nl_geterror(k));
				r = -EIO;
			}
			if (nh)
				rtnl_route_nh_free(nh);
			rtnl_route_put(rt);
			if (dst)
				nl_addr_put(dst);
			if (via)
				nl_addr_put(via);
		}
	}
	nl_socket_free(sk);
	return r;
}
