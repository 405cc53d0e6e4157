// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The published ports' proxy (`nstop _proxy`, started by create through
 * publish.c): in the host's network namespace, as docker-proxy is, since a
 * host without iptables or nft has no other way in. It gets its listening
 * sockets already bound (create saw any port in use; beside 127.0.0.1 and
 * 0.0.0.0 their IPv6 sides, [::1] and [::], as docker-proxy binds both
 * families) and a pidfd of the container's init, and exits when that init
 * does. Clients of either family; towards the container, IPv4.
 *
 * TCP: each accepted connection is relayed to the container's address,
 * both ways, a FIN passed on as a shutdown (half-close), a reset as a
 * reset; at most PX_MAX_CONNS at once (the rest wait in the listen
 * backlog), and none is ever closed for being idle: that let anyone reset
 * others' keep-alive connections by queueing behind them. Room comes from
 * capacity instead, as with docker-proxy: a connection costs its two
 * descriptors and, only while a peer does not take what was sent, a
 * buffer of what is left (everything is read into one scratch buffer and
 * sent at once), so thousands of idle ones cost little. One client holds
 * at most PX_SRC_CAP of them: a remote client is its address; a local one
 * (every local user is 127.0.0.1 or ::1, or the host's own address it
 * reached) is its user, asked of the kernel's sock_diag as ss asks (root
 * too; one the kernel cannot name, a socket already closed, shares one
 * "unknown" count, whose oldest UDP flow gives way when it is full). Not defended: many
 * remote hosts or users holding PX_MAX_CONNS connections fill the port,
 * as they would any server's (keepalive frees those of peers gone).
 *
 * UDP: one connected socket per client address and port (a flow), dropped
 * after PX_UDP_IDLE_MS of silence; at most PX_MAX_FLOWS, PX_SRC_CAP of
 * them per client (as above); when all are taken, a new client whose address
 * holds fewer than the address holding most takes that one's least
 * recently active flow (fair shares); else the least recently active
 * one gives way to a new client only if it has been silent PX_UDP_EVICT_MS
 * (a reply may be on its way: evicting any flow let a spray of fresh
 * source ports lose others' late answers), otherwise the new client's
 * datagram is dropped, as a full queue would.
 *
 * One thread, level-triggered epoll, no privilege: before it reads a byte
 * of the network it becomes a user and group of its own (create reserved
 * a block of ids for it, as for a user namespace: no other process on the
 * host has them, so none can signal, stop or prlimit it, and then take its
 * port).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "act.h"

#define PX_MAX_CONNS 4096
#define PX_MAX_FLOWS 4096       /* each a socket */
#define PX_SRC_CAP 256          /* connections, and flows, of one non-loopback address */
#define PX_MAX_SRCS (PX_MAX_CONNS + PX_MAX_FLOWS)
#define PX_BUF 16384
#define PX_UDP_IDLE_MS 60000
#define PX_UDP_EVICT_MS 10000
#define PX_CONNECT_MS 10000
#define PX_FD_STATUS 3
#define PX_FD_PIDFD 4
#define PX_FD_LISTEN 5
#define PX_NBUCKETS 4096

enum { K_LISTEN, K_PIDFD, K_CONN0, K_CONN1, K_FLOW, K_CTL };
enum { SRC_TCP, SRC_UDP };

/* a client's address, IPv4 or IPv6 */
union px_sa {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

struct conn {
	bool used, connecting;
	int fd[2];              /* 0: the client's, 1: to the container */
	char *buf[2];           /* bytes read from fd[i] that fd[1 - i] has not
				 * taken yet (NULL: none), off[i] of len[i] sent */
	size_t off[2], len[2];
	bool eof[2];            /* fd[i] said FIN */
	bool shut[2];           /* fd[i] was shut down for writing */
	unsigned ev[2];         /* what epoll watches on fd[i]; ~0u: not there */
	int src;                /* its client's entry in srcs; -1: loopback, not counted */
	uint64_t deadline;      /* connecting: given up at */
	uint32_t gen;           /* in its events' tags: none of a slot's last user applies */
};

/* a non-loopback client address: how many connections and flows it holds */
struct src {
	unsigned char a[16];    /* IPv6, or IPv4 mapped (::ffff:a.b.c.d) */
	int n[2];               /* SRC_TCP, SRC_UDP */
	int next;               /* in its bucket's chain, or the free list */
};

struct flow {
	bool used;
	int fd, port, next;
	int src;                /* its client's entry in srcs; -1: loopback */
	union px_sa peer;       /* the client's address and port */
	bool has_local;
	union {
		struct in_addr v4;
		struct in6_pktinfo v6; /* an interface only for a link-local address */
	} local;                /* the address it sent to, the answers' source */
	uint64_t last;          /* a datagram either way, at */
};

struct px {
	int ep, nports;
	uint32_t uid;           /* its user and group id */
	struct port_map pm[PUBLISH_MAX_FDS]; /* a listener's spec (an IPv6 side: its IPv4 one's) */
	int lfd[PUBLISH_MAX_FDS];
	bool lpaused[PUBLISH_MAX_FDS];
	uint32_t ctr_ip;        /* host order */
	struct conn conns[PX_MAX_CONNS];
	int nconns;
	int cfree[PX_MAX_CONNS]; /* the free slots, a stack */
	struct flow flows[PX_MAX_FLOWS];
	int nflows, bucket[PX_NBUCKETS];
	int ffree[PX_MAX_FLOWS];
	uint64_t evict_at;      /* no flow can have been silent PX_UDP_EVICT_MS before */
	uint64_t salt;          /* the hashes' (clients choose their ports) */
	int diag;               /* NETLINK_SOCK_DIAG: a local client's uid; -1: none */
	struct src srcs[PX_MAX_SRCS];
	int sbucket[PX_NBUCKETS], sfree;
	char scratch[PX_BUF];   /* every read of a connection, sent at once */
	char dgram[65536];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* an event's tag: the kind, a generation (24 bits), the slot */
static uint64_t tag(int kind, int idx, uint32_t gen)
{
	return (uint64_t)(gen & 0xffffff) << 40 | (uint64_t)kind << 32 | (uint32_t)idx;
}

static void ep_set(struct px *p, int fd, unsigned *cur, unsigned want, uint64_t data)
{
	if (*cur == want)
		return;
	struct epoll_event ev = {.events = want, .data.u64 = data};
	if (*cur == ~0u)
		epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev);
	else if (want == ~0u)
		epoll_ctl(p->ep, EPOLL_CTL_DEL, fd, NULL);
	else
		epoll_ctl(p->ep, EPOLL_CTL_MOD, fd, &ev);
	*cur = want;
}

static struct sockaddr_in sin_of(uint32_t ip_host, uint16_t port_host)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(ip_host);
	a.sin_port = htons(port_host);
	return a;
}

/* ---- the clients' addresses: a cap per remote one ---- */

/* a's address as 16 bytes (IPv4 mapped); true when it is a loopback one */
static bool sa_key(const union px_sa *a, unsigned char k[16])
{
	memset(k, 0, 16);
	if (a->sa.sa_family == AF_INET6)
		memcpy(k, &a->v6.sin6_addr, 16);
	else {
		k[10] = k[11] = 0xff;
		memcpy(k + 12, &a->v4.sin_addr, 4);
	}
	static const unsigned char lo6[16] = {[15] = 1}, mapped[12] = {[10] = 0xff, [11] = 0xff};
	return !memcmp(k, lo6, 16) || (!memcmp(k, mapped, 12) && k[12] == 127);
}

/* a bucket for k (and extra: a flow's port and listener) */
static unsigned key_hash(const struct px *p, const unsigned char k[16], uint64_t extra)
{
	uint64_t x, y;
	memcpy(&x, k, 8);
	memcpy(&y, k + 8, 8);
	uint64_t h = ((x ^ p->salt) * 0x9e3779b97f4a7c15ull ^ y ^ extra) * 0xc2b2ae3d27d4eb4full;
	return (unsigned)(h >> 40) % PX_NBUCKETS;
}

/*
 * The uid of the local socket at a (a loopback client of ours: our
 * address and port; proto IPPROTO_TCP or IPPROTO_UDP), asked of the
 * kernel's sock_diag as ss asks it. false when it cannot tell (the client
 * closed already). Its own uid is never the answer (that is our accepted
 * end of the same connection).
 */
static bool local_uid(const struct px *p, int proto, const union px_sa *a, const union px_sa *ours, uint32_t *uid)
{
	if (p->diag < 0 || a->sa.sa_family != ours->sa.sa_family)
		return false;
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} q = {.nh = {.nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST},
	       .r = {.sdiag_family = (uint8_t)a->sa.sa_family, .sdiag_protocol = (uint8_t)proto, .idiag_states = ~0u}};
	struct inet_diag_sockid *id = &q.r.id;
	id->idiag_cookie[0] = id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	/* TCP looks up the socket whose own end is src; UDP has them the
	 * other way round ("for historical reasons", says the kernel) */
	const union px_sa *mine = proto == IPPROTO_TCP ? a : ours, *peer = proto == IPPROTO_TCP ? ours : a;
	if (a->sa.sa_family == AF_INET) {
		id->idiag_src[0] = mine->v4.sin_addr.s_addr;
		id->idiag_sport = mine->v4.sin_port;
		id->idiag_dst[0] = peer->v4.sin_addr.s_addr;
		id->idiag_dport = peer->v4.sin_port;
	} else {
		memcpy(id->idiag_src, &mine->v6.sin6_addr, 16);
		id->idiag_sport = mine->v6.sin6_port;
		memcpy(id->idiag_dst, &peer->v6.sin6_addr, 16);
		id->idiag_dport = peer->v6.sin6_port;
	}
	if (send(p->diag, &q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q))
		return false;
	union {
		struct nlmsghdr nh;
		char b[1024];
	} rb;
	ssize_t n = recv(p->diag, rb.b, sizeof(rb.b), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(struct inet_diag_msg)) || rb.nh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return false;
	const struct inet_diag_msg *m = NLMSG_DATA(&rb.nh);
	/* a closed client's socket (orphaned, time-wait: inode 0) says uid
	 * 0 whoever it was: no answer, not root's */
	if (m->idiag_uid == p->uid || !m->idiag_inode)
		return false;
	*uid = m->idiag_uid;
	return true;
}

/* Whether a and b are the same address (not port). */
static bool same_addr(const union px_sa *a, const union px_sa *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	return a->sa.sa_family == AF_INET ? a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr
					  : !memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, 16);
}

/* the key of a local client whose user the kernel could not name */
#define PX_UNKNOWN UINT32_MAX

/*
 * One more connection or flow (kind) of a's client: its entry, counted;
 * -2 when that client already holds PX_SRC_CAP (*full: its entry). A
 * remote client is its address; a local one (from loopback, or from one
 * of the host's own addresses: the address it reached, ours) is its user,
 * asked of sock_diag, root's too, or one shared "unknown" when the kernel
 * cannot tell: one local user cannot fill the port for the others.
 */
static int src_take(struct px *p, const union px_sa *a, const union px_sa *ours, int kind, int *full)
{
	unsigned char k[16];
	if (sa_key(a, k) || same_addr(a, ours)) {
		uint32_t uid = PX_UNKNOWN;
		if (!local_uid(p, kind == SRC_TCP ? IPPROTO_TCP : IPPROTO_UDP, a, ours, &uid))
			uid = PX_UNKNOWN;
		/* 0100::/64 is the discard-only prefix: no client has it */
		memset(k, 0, 16);
		k[0] = 0x01;
		memcpy(k + 12, &uid, 4);
	}
	unsigned h = key_hash(p, k, 0);
	int i = p->sbucket[h];
	while (i >= 0 && memcmp(p->srcs[i].a, k, 16))
		i = p->srcs[i].next;
	if (i < 0) {
		/* never empty: an entry per connection and flow at most */
		i = p->sfree;
		p->sfree = p->srcs[i].next;
		p->srcs[i] = (struct src){.next = p->sbucket[h]};
		memcpy(p->srcs[i].a, k, 16);
		p->sbucket[h] = i;
	}
	if (p->srcs[i].n[kind] >= PX_SRC_CAP) {
		if (full)
			*full = i;
		return -2; /* (never an entry just made: it counts none yet) */
	}
	p->srcs[i].n[kind]++;
	return i;
}

static void src_drop(struct px *p, int i, int kind)
{
	if (i < 0)
		return;
	struct src *s = &p->srcs[i];
	if (--s->n[kind] > 0 || s->n[!kind] > 0)
		return;
	int *pp = &p->sbucket[key_hash(p, s->a, 0)];
	while (*pp != i)
		pp = &p->srcs[*pp].next;
	*pp = s->next;
	s->next = p->sfree;
	p->sfree = i;
}

/* ---- TCP ---- */

static void listen_pause(struct px *p, bool pause)
{
	for (int i = 0; i < p->nports; i++) {
		if (p->pm[i].proto != PORT_TCP || p->lpaused[i] == pause)
			continue;
		struct epoll_event ev = {.events = pause ? 0 : EPOLLIN, .data.u64 = tag(K_LISTEN, i, 0)};
		epoll_ctl(p->ep, EPOLL_CTL_MOD, p->lfd[i], &ev);
		p->lpaused[i] = pause;
	}
}

/* reset: a peer's RST passed on as one (SO_LINGER 0 makes close send it) */
static void conn_close(struct px *p, int k, bool reset)
{
	struct conn *c = &p->conns[k];
	for (int i = 0; i < 2; i++) {
		if (c->fd[i] < 0)
			continue;
		if (reset) {
			struct linger lg = {1, 0};
			setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(c->fd[i]); /* leaves epoll with it */
		free(c->buf[i]);
	}
	src_drop(p, c->src, SRC_TCP);
	uint32_t gen = c->gen;
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	p->cfree[PX_MAX_CONNS - p->nconns--] = k;
	listen_pause(p, false);
}

/* Moves what can move, both ways, a bounded number of rounds (a fast pair
 * must not starve the others: epoll, level-triggered, comes back); -1
 * when the connection is over. What a peer does not take at once waits in
 * a buffer of the connection's, made then and freed once sent, and nothing
 * more is read that way meanwhile. */
static int conn_pump(struct px *p, struct conn *c)
{
	bool moved = true;
	for (int round = 0; moved && round < 16; round++) {
		moved = false;
		for (int d = 0; d < 2; d++) {
			int in = c->fd[d], out = c->fd[1 - d];
			while (c->buf[d] && c->off[d] < c->len[d]) {
				ssize_t n = send(out, c->buf[d] + c->off[d], c->len[d] - c->off[d], MSG_NOSIGNAL);
				if (n < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				if (n < 0)
					return -1;
				c->off[d] += (size_t)n, moved = true;
			}
			if (c->buf[d] && c->off[d] == c->len[d]) {
				free(c->buf[d]);
				c->buf[d] = NULL;
				c->off[d] = c->len[d] = 0;
			}
			if (!c->buf[d] && !c->eof[d]) {
				ssize_t n = read(in, p->scratch, sizeof(p->scratch));
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					return -1;
				if (n == 0)
					c->eof[d] = moved = true;
				if (n > 0) {
					moved = true;
					ssize_t sent = send(out, p->scratch, (size_t)n, MSG_NOSIGNAL);
					if (sent < 0 && errno != EAGAIN && errno != EINTR)
						return -1;
					if (sent < 0)
						sent = 0;
					if (sent < n) {
						/* out of memory: this connection is reset, not the proxy */
						c->buf[d] = malloc((size_t)(n - sent));
						if (!c->buf[d])
							return -1;
						memcpy(c->buf[d], p->scratch + sent, (size_t)(n - sent));
						c->off[d] = 0, c->len[d] = (size_t)(n - sent);
					}
				}
			}
			if (c->eof[d] && !c->buf[d] && !c->shut[1 - d]) {
				shutdown(out, SHUT_WR); /* the half-close passed on */
				c->shut[1 - d] = moved = true;
			}
		}
	}
	return c->shut[0] && c->shut[1] ? -1 : 0;
}

/* what epoll watches on each side: reads while its buffer is empty,
 * writes while the other side's bytes wait */
static void conn_watch(struct px *p, int k)
{
	struct conn *c = &p->conns[k];
	for (int i = 0; i < 2; i++) {
		unsigned want = 0;
		if (c->connecting)
			want = i == 1 ? EPOLLOUT : 0;
		else {
			if (!c->eof[i] && c->off[i] == c->len[i])
				want |= EPOLLIN;
			if (c->off[1 - i] < c->len[1 - i])
				want |= EPOLLOUT;
			/* shut both ways it reports EPOLLHUP whatever it is asked:
			 * out of epoll until its bytes can be taken again */
			if (c->shut[i] && !(want & EPOLLIN))
				want = ~0u;
		}
		ep_set(p, c->fd[i], &c->ev[i], want, tag(i ? K_CONN1 : K_CONN0, k, c->gen));
	}
}

static void conn_event(struct px *p, int k, uint32_t gen, int side, unsigned events)
{
	struct conn *c = &p->conns[k];
	if (!c->used || (c->gen & 0xffffff) != gen)
		return;
	if (c->connecting && side == 0 && (events & (EPOLLERR | EPOLLHUP))) {
		/* only an error or a hangup comes from the client meanwhile */
		conn_close(p, k, true);
		return;
	}
	if (c->connecting) {
		int err = 0;
		socklen_t l = sizeof(err);
		if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			conn_close(p, k, true);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		c->connecting = false;
	} else if (events & EPOLLERR) {
		conn_close(p, k, true);
		return;
	}
	if (conn_pump(p, c) < 0) {
		bool clean = c->shut[0] && c->shut[1];
		conn_close(p, k, !clean);
		return;
	}
	conn_watch(p, k);
}

static void close_reset(int fd)
{
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Accepts while it may. Every slot taken, or out of descriptors or memory,
 * the listeners pause (level-triggered, they would wake it at once again)
 * until a connection ends or the next sweep: the rest wait in the backlog.
 * A remote address over its cap is reset. */
static void tcp_accept(struct px *p, int li)
{
	for (;;) {
		if (p->nconns == PX_MAX_CONNS) {
			listen_pause(p, true);
			return;
		}
		union px_sa from;
		socklen_t fl = sizeof(from);
		int cfd = accept4(p->lfd[li], &from.sa, &fl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				listen_pause(p, true);
			return;
		}
		union px_sa ours;
		socklen_t ol = sizeof(ours);
		if (getsockname(cfd, &ours.sa, &ol) < 0)
			memset(&ours, 0, sizeof(ours));
		int src = src_take(p, &from, &ours, SRC_TCP, NULL);
		if (src == -2) {
			close_reset(cfd);
			continue;
		}
		int sfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (sfd < 0) {
			close(cfd);
			src_drop(p, src, SRC_TCP);
			listen_pause(p, true);
			return;
		}
		struct sockaddr_in to = sin_of(p->ctr_ip, p->pm[li].ctr_port);
		if (connect(sfd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) {
			close_reset(cfd);
			close(sfd);
			src_drop(p, src, SRC_TCP);
			continue;
		}
		int k = p->cfree[PX_MAX_CONNS - 1 - p->nconns];
		struct conn *c = &p->conns[k];
		uint64_t now = now_ms();
		*c = (struct conn){.used = true, .connecting = true, .fd = {cfd, sfd}, .ev = {~0u, ~0u},
				   .src = src, .deadline = now + PX_CONNECT_MS, .gen = c->gen + 1};
		int one = 1, idle = 60, intvl = 10, cnt = 6;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* a client gone without a word (a host down, a cable out) frees
		 * its slot within about two minutes, not the kernel's two hours */
		setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		setsockopt(cfd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
		setsockopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		p->nconns++;
		conn_watch(p, k);
	}
}

/* ---- UDP ---- */

static unsigned flow_hash(const struct px *p, int li, const union px_sa *a)
{
	unsigned char k[16];
	sa_key(a, k);
	uint16_t port = a->sa.sa_family == AF_INET6 ? a->v6.sin6_port : a->v4.sin_port;
	return key_hash(p, k, (uint64_t)port << 8 | (unsigned)li);
}

static bool sa_same(const union px_sa *a, const union px_sa *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->v4.sin_port == b->v4.sin_port && a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
	return a->v6.sin6_port == b->v6.sin6_port && a->v6.sin6_scope_id == b->v6.sin6_scope_id &&
	       !memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, sizeof(a->v6.sin6_addr));
}

static void flow_close(struct px *p, int k)
{
	struct flow *f = &p->flows[k];
	int *pp = &p->bucket[flow_hash(p, f->port, &f->peer)];
	while (*pp != k)
		pp = &p->flows[*pp].next;
	*pp = f->next;
	close(f->fd);
	src_drop(p, f->src, SRC_UDP);
	memset(f, 0, sizeof(*f));
	p->ffree[PX_MAX_FLOWS - p->nflows--] = k;
}

/* Every flow taken: the least recently active one gives way if it has
 * been silent PX_UDP_EVICT_MS; else false (a reply may still be on its
 * way to it). Silence only grows older, so until evict_at none can have
 * been long enough: a spray of new clients costs no scan each. */
static bool flow_make_room(struct px *p, int src)
{
	uint64_t now = now_ms();
	/* fair shares first: a newcomer whose address holds fewer flows than
	 * the address holding most takes that one's least recently active
	 * (a spray of fresh source ports from one address, or many spoofed
	 * ones, evicts its own flows, never a lone client's) */
	int big = -1;
	for (int i = 0; i < PX_MAX_FLOWS; i++) {
		const struct flow *f = &p->flows[i];
		if (f->src < 0)
			continue;
		if (big < 0 || p->srcs[f->src].n[SRC_UDP] > p->srcs[p->flows[big].src].n[SRC_UDP] ||
		    (f->src == p->flows[big].src && f->last < p->flows[big].last))
			big = i;
	}
	int mine = src >= 0 ? p->srcs[src].n[SRC_UDP] - 1 : 0; /* (src_take counted the newcomer) */
	if (big >= 0 && p->srcs[p->flows[big].src].n[SRC_UDP] > mine + 1) {
		flow_close(p, big);
		return true;
	}
	if (now < p->evict_at)
		return false;
	int old = 0;
	for (int i = 1; i < PX_MAX_FLOWS; i++)
		if (p->flows[i].last < p->flows[old].last)
			old = i;
	if (now - p->flows[old].last < PX_UDP_EVICT_MS) {
		p->evict_at = p->flows[old].last + PX_UDP_EVICT_MS;
		return false;
	}
	flow_close(p, old);
	return true;
}

/* the flow of a client's datagram, made if new; -1: dropped (its address
 * over its cap, no room, no socket) */
static int flow_get(struct px *p, int li, const union px_sa *from, const union px_sa *ours)
{
	unsigned h = flow_hash(p, li, from);
	for (int k = p->bucket[h]; k >= 0; k = p->flows[k].next)
		if (p->flows[k].port == li && sa_same(&p->flows[k].peer, from))
			return k;
	int full = -1;
	int src = src_take(p, from, ours, SRC_UDP, &full);
	if (src == -2 && full >= 0 && p->srcs[full].a[0] == 0x01 &&
	    !memcmp(p->srcs[full].a + 12, &(uint32_t){PX_UNKNOWN}, 4)) {
		/* the local clients the kernel could not name (a socket closed
		 * right after it sent) share one count: its least recently
		 * active flow gives way, so filling it drops no one for long */
		int old = -1;
		for (int i = 0; i < PX_MAX_FLOWS; i++)
			if (p->flows[i].used && p->flows[i].src == full && (old < 0 || p->flows[i].last < p->flows[old].last))
				old = i;
		if (old >= 0)
			flow_close(p, old);
		src = src_take(p, from, ours, SRC_UDP, NULL);
	}
	if (src == -2)
		return -1;
	if (p->nflows == PX_MAX_FLOWS && !flow_make_room(p, src)) {
		src_drop(p, src, SRC_UDP);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = sin_of(p->ctr_ip, p->pm[li].ctr_port);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (fd >= 0)
			close(fd);
		src_drop(p, src, SRC_UDP);
		return -1;
	}
	int k = p->ffree[PX_MAX_FLOWS - 1 - p->nflows];
	p->flows[k] = (struct flow){.used = true, .fd = fd, .port = li, .src = src, .peer = *from,
				    .next = p->bucket[h], .last = now_ms()};
	p->bucket[h] = k;
	p->nflows++;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(K_FLOW, k, 0)};
	epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev);
	return k;
}

/* what a datagram says of the address it was sent to */
static void flow_local(struct flow *f, struct msghdr *mh)
{
	f->has_local = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			f->local.v4 = pi.ipi_addr;
			f->has_local = true;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			f->local.v6 = pi;
			/* a global address's answers go where the route says */
			if (!IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				f->local.v6.ipi6_ifindex = 0;
			f->has_local = true;
		}
}

union px_cm {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/* a client's datagrams, to the container (a bounded batch: fairness);
 * with the address each was sent to (IP_PKTINFO, IPV6_PKTINFO), which the
 * answers then come from: on 0.0.0.0 the route's choice may be another,
 * and a client that connected its socket would drop them */
static void udp_in(struct px *p, int li)
{
	for (int i = 0; i < 64; i++) {
		union px_sa from;
		union px_cm cm;
		struct iovec iov = {p->dgram, sizeof(p->dgram)};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
		ssize_t n = recvmsg(p->lfd[li], &mh, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (!(from.sa.sa_family == AF_INET && mh.msg_namelen == sizeof(from.v4)) &&
		    !(from.sa.sa_family == AF_INET6 && mh.msg_namelen == sizeof(from.v6)))
			continue;
		/* the address it was sent to: the listener's, a wildcard one
		 * as loopback (a local client's lookup needs it; a remote's not) */
		union px_sa ours;
		socklen_t ol = sizeof(ours);
		if (getsockname(p->lfd[li], &ours.sa, &ol) < 0)
			memset(&ours, 0, sizeof(ours));
		/* the address it was sent to, from IP_PKTINFO (a wildcard
		 * listener's own says nothing) */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && ours.sa.sa_family == AF_INET) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ours.v4.sin_addr = pi.ipi_addr;
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
				   ours.sa.sa_family == AF_INET6) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ours.v6.sin6_addr = pi.ipi6_addr;
			}
		int k = flow_get(p, li, &from, &ours);
		if (k < 0)
			continue; /* dropped, as a full queue would */
		flow_local(&p->flows[k], &mh);
		p->flows[k].last = now_ms();
		send(p->flows[k].fd, p->dgram, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* the container's answers, to the client of that flow */
static void udp_out(struct px *p, int k)
{
	struct flow *f = &p->flows[k];
	if (!f->used)
		return;
	bool v6 = f->peer.sa.sa_family == AF_INET6;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(f->fd, p->dgram, sizeof(p->dgram), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == ECONNREFUSED))
			continue; /* an ICMP port unreachable: the client may retry */
		if (n < 0)
			return;
		f->last = now_ms();
		union px_cm cm;
		memset(&cm, 0, sizeof(cm));
		struct iovec iov = {p->dgram, (size_t)n};
		struct msghdr mh = {.msg_name = &f->peer, .msg_namelen = v6 ? sizeof(f->peer.v6) : sizeof(f->peer.v4),
				    .msg_iov = &iov, .msg_iovlen = 1};
		if (f->has_local) {
			mh.msg_control = cm.buf;
			mh.msg_controllen = v6 ? CMSG_SPACE(sizeof(struct in6_pktinfo)) : CMSG_SPACE(sizeof(struct in_pktinfo));
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			if (v6) {
				c->cmsg_level = IPPROTO_IPV6;
				c->cmsg_type = IPV6_PKTINFO;
				c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
				memcpy(CMSG_DATA(c), &f->local.v6, sizeof(f->local.v6));
			} else {
				c->cmsg_level = IPPROTO_IP;
				c->cmsg_type = IP_PKTINFO;
				c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
				struct in_pktinfo pi = {.ipi_spec_dst = f->local.v4};
				memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			}
		}
		sendmsg(p->lfd[f->port], &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* idle flows and connects that take too long; the listeners resumed
 * (they paused for want of a slot, a descriptor or memory) */
static void sweep(struct px *p)
{
	uint64_t now = now_ms();
	for (int k = 0; k < PX_MAX_FLOWS; k++)
		if (p->flows[k].used && now - p->flows[k].last >= PX_UDP_IDLE_MS)
			flow_close(p, k);
	for (int k = 0; k < PX_MAX_CONNS; k++)
		if (p->conns[k].used && p->conns[k].connecting && now >= p->conns[k].deadline)
			conn_close(p, k, true);
	if (p->nconns < PX_MAX_CONNS)
		listen_pause(p, false);
}

/* ---- setup ---- */

/* argv: _proxy NAME CTRIP UID SPEC...; fds 5.. the sockets, of the specs'
 * kinds: IPv4, or the IPv6 side (V6ONLY) of a spec on 127.0.0.1 or
 * 0.0.0.0. UID: within the range create reserves blocks in, never below
 * (root, a system user, nobody: ids others share) */
static int px_args(struct px *p, int argc, char **argv)
{
	if (argc < 5 || argc - 4 > PUBLISH_MAX_FDS || parse_ipv4(argv[2], strlen(argv[2]), &p->ctr_ip) < 0)
		return -1;
	char *end;
	errno = 0;
	unsigned long uid = strtoul(argv[3], &end, 10);
	if (errno || end == argv[3] || *end || argv[3][0] < '1' || argv[3][0] > '9' ||
	    uid < NSTOP_USERNS_LO || uid > NSTOP_USERNS_HI)
		return -1;
	p->uid = (uint32_t)uid;
	p->nports = argc - 4;
	for (int i = 0; i < p->nports; i++) {
		const char *why;
		if (parse_publish(argv[4 + i], strlen(argv[4 + i]), &p->pm[i], &why) < 0)
			return -1;
		p->lfd[i] = PX_FD_LISTEN + i;
		int type = 0, dom = 0, v6only = 0;
		socklen_t l = sizeof(int);
		if (getsockopt(p->lfd[i], SOL_SOCKET, SO_TYPE, &type, &l) < 0 ||
		    getsockopt(p->lfd[i], SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0 ||
		    type != (p->pm[i].proto == PORT_TCP ? SOCK_STREAM : SOCK_DGRAM))
			return -1;
		bool anylo = p->pm[i].host_ip == INADDR_LOOPBACK || p->pm[i].host_ip == INADDR_ANY;
		if (dom != AF_INET && !(dom == AF_INET6 && anylo &&
					getsockopt(p->lfd[i], IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l) == 0 && v6only))
			return -1;
		int one = 1;
		if (p->pm[i].proto == PORT_UDP &&
		    (dom == AF_INET ? setsockopt(p->lfd[i], IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))
				    : setsockopt(p->lfd[i], IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))) < 0)
			return -1;
		int fl = fcntl(p->lfd[i], F_GETFL);
		if (fl < 0 || fcntl(p->lfd[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(p->lfd[i], F_SETFD, FD_CLOEXEC) < 0)
			return -1;
	}
	return 0;
}

/* every descriptor it does not need closed; enough allowed for its
 * bounds (the soft limit raised, up to the hard one: below that, accept's
 * EMFILE pauses the listeners); then its own uid and gid (no supplementary group), no
 * capability (the bounding set emptied too), no new privileges, not
 * dumpable */
static int px_confine(const struct px *p)
{
	if (syscall(SYS_close_range, PX_FD_LISTEN + p->nports, ~0U, 0) < 0)
		for (int fd = PX_FD_LISTEN + p->nports; fd < 65536; fd++)
			close(fd);
	struct rlimit rl;
	rlim_t need = PX_FD_LISTEN + PUBLISH_MAX_FDS + 2 * PX_MAX_CONNS + PX_MAX_FLOWS + 16;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* no capability can come back, even through an exec */
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -1;
	if (p->uid < NSTOP_USERNS_LO)
		return -1;
	if (chdir("/") < 0 || setgroups(0, NULL) < 0 || setresgid(p->uid, p->uid, p->uid) < 0 ||
	    setresuid(p->uid, p->uid, p->uid) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return 0;
}

static int px_setup(struct px *p)
{
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	if (p->ep < 0)
		return -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(K_PIDFD, 0, 0)};
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, PX_FD_PIDFD, &ev) < 0)
		return -1;
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = tag(K_CTL, 0, 0)};
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, PX_FD_STATUS, &ev) < 0)
		return -1;
	for (int i = 0; i < p->nports; i++) {
		ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = tag(K_LISTEN, i, 0)};
		if (epoll_ctl(p->ep, EPOLL_CTL_ADD, p->lfd[i], &ev) < 0)
			return -1;
	}
	for (int i = 0; i < PX_NBUCKETS; i++)
		p->bucket[i] = p->sbucket[i] = -1;
	for (int i = 0; i < PX_MAX_SRCS; i++)
		p->srcs[i].next = i + 1 < PX_MAX_SRCS ? i + 1 : -1;
	p->sfree = 0;
	/* the free slots: the lowest on top */
	for (int i = 0; i < PX_MAX_CONNS; i++)
		p->cfree[i] = PX_MAX_CONNS - 1 - i;
	for (int i = 0; i < PX_MAX_FLOWS; i++)
		p->ffree[i] = PX_MAX_FLOWS - 1 - i;
	p->diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct timeval tv = {0, 100000}; /* the kernel answers at once; never wait on it long */
	if (p->diag >= 0)
		setsockopt(p->diag, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (getrandom(&p->salt, sizeof(p->salt), GRND_NONBLOCK) != sizeof(p->salt))
		p->salt = now_ms() ^ (uint64_t)getpid() << 32;
	return 0;
}

/* create's word on fd 3: 'C' once the container's record is in place (fd
 * 3 then closed: 0); EOF without it (create died, or undid itself: -1),
 * the proxy ends, or it would be a listener no rm can reach */
static int px_committed(void)
{
	char ch;
	ssize_t n = read(PX_FD_STATUS, &ch, 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != 1 || ch != 'C')
		return -1;
	close(PX_FD_STATUS); /* leaves epoll with it */
	return 0;
}

static void px_loop(struct px *p)
{
	struct epoll_event evs[64];
	uint64_t next_sweep = now_ms() + 1000;
	for (;;) {
		bool paused = false;
		for (int i = 0; i < p->nports; i++)
			paused |= p->lpaused[i];
		bool timed = p->nflows || p->nconns || paused;
		int n = epoll_wait(p->ep, evs, 64, timed ? 1000 : -1);
		if (n < 0 && errno != EINTR)
			return;
		for (int i = 0; i < n; i++) {
			uint64_t t = evs[i].data.u64;
			int kind = (int)(t >> 32 & 0xff), idx = (int)(uint32_t)t;
			if (kind == K_PIDFD)
				return; /* the container's init ended: so does its proxy */
			if (kind == K_CTL && px_committed() < 0)
				return; /* create ended without its record: undone */
			if (kind == K_CTL)
				continue;
			if (kind == K_LISTEN && p->pm[idx].proto == PORT_TCP)
				tcp_accept(p, idx);
			else if (kind == K_LISTEN)
				udp_in(p, idx);
			else if (kind == K_FLOW)
				udp_out(p, idx);
			else
				conn_event(p, idx, (uint32_t)(t >> 40), kind == K_CONN1, evs[i].events);
		}
		if (timed && now_ms() >= next_sweep) {
			sweep(p);
			next_sweep = now_ms() + 1000;
		}
	}
}

/*
 * nstop _proxy NAME CTRIP UID SPEC...: fd 3 a socket to create (the proxy
 * says 'R' once it is ready; create says 'C' once the container's record
 * is in place, and the proxy then closes it; EOF before 'C' ends it), fd 4 the pidfd of the container's init, fds 5.. the
 * bound sockets in the order of the specs. Returns its exit code.
 */
int act_proxy_main(int argc, char **argv)
{
	static struct px p;
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "nstop-proxy", 0, 0, 0);
	if (px_args(&p, argc, argv) < 0 || fcntl(PX_FD_PIDFD, F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(PX_FD_STATUS, F_SETFD, FD_CLOEXEC) < 0)
		return 2;
	if (px_confine(&p) < 0 || px_setup(&p) < 0)
		return 1;
	if (write(PX_FD_STATUS, "R", 1) != 1)
		return 1;
	px_loop(&p);
	return 0;
}
