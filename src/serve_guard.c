// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop serve's connection guard: deadlines for a whole request and for a
 * whole response, and a cap on the connections from one remote address.
 *
 * libmicrohttpd's own timeout counts idle time only: a client that sends one
 * byte of a header every few seconds (slowloris) is never idle and would
 * hold its connection, and its thread, for as long as it likes; 64 of them
 * and no scrape gets in. So each connection has a deadline: its request
 * (headers and body) must be complete SERVE_REQUEST_SECONDS after it was
 * accepted or after its previous response was sent, and its response sent
 * SERVE_RESPONSE_SECONDS after its request was complete. A watchdog thread
 * shuts down the socket of a connection past its deadline; libmicrohttpd
 * then reads the end of the stream and closes it as any other.
 *
 * Whatever its phases, a connection is shut down SERVE_LIFETIME_SECONDS
 * after it was accepted: each response closes its connection anyway
 * (Connection: close), so only one that pipelines requests would live
 * longer, each response's deadline starting again.
 *
 * A deadline alone does not stop an attacker who opens a new connection as
 * soon as one is closed (libmicrohttpd at its limit accepts and closes
 * at once, so whoever connects first after a close wins). So once
 * SERVE_CONNECTIONS are open, a new connection evicts the oldest instead
 * of being turned away, whatever that one is doing (a trickler waiting for
 * its request, a slow reader being answered): a scraper's connection lives
 * for one request and is never the oldest for long, an attacker's that
 * holds on always is. libmicrohttpd's own limit is SERVE_CONNECTIONS +
 * SERVE_EVICTING: room for the evicted while they close.
 *
 * The shutdown goes through our own dup of the socket, closed only when the
 * library says the connection is closed: shutdown acts on the socket, never
 * on a descriptor number the library may have closed and the kernel handed
 * to something else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;               /* our dup of the socket, -1 if dup failed */
	uint64_t deadline;    /* monotonic usec; UINT64_MAX once shut down */
	uint64_t since;       /* when it began to wait for its request */
	uint64_t born;        /* when it was accepted */
	bool responding;      /* its request is complete, its response not sent */
	bool remote;          /* not loopback: counts against SERVE_PER_PEER */
	struct sockaddr_storage peer;
};

struct serve_guard {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct guard_conn head; /* circular list of the open connections */
	pthread_t thread;
	bool running, stop;
	unsigned shut;          /* connections shut down at their deadline */
	unsigned evicted;       /* ... or to make room */
};

bool serve_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
}

/* The same peer (the port aside): the same IPv4 address, or the same IPv6
 * /64 (one host is usually given a whole /64, so one address each would be
 * no cap); a v4-mapped v6 address compares whole, and is not merged with its
 * v4 form: a dual-stack listener sees one form only. */
static bool same_peer(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (b->sa_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
		const struct in6_addr *y = &((const struct sockaddr_in6 *)b)->sin6_addr;
		bool mapped = IN6_IS_ADDR_V4MAPPED(x) || IN6_IS_ADDR_V4MAPPED(y);
		return !memcmp(x, y, mapped ? sizeof(*x) : 8);
	}
	return false;
}

static void *watchdog(void *arg)
{
	struct serve_guard *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		uint64_t now = mono_usec();
		for (struct guard_conn *c = g->head.next; c != &g->head; c = c->next) {
			if (c->deadline > now)
				continue;
			if (c->fd >= 0)
				shutdown(c->fd, SHUT_RDWR);
			c->deadline = UINT64_MAX;
			g->shut++;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250000000; /* a deadline is kept to within a quarter second */
		if (ts.tv_nsec >= 1000000000)
			ts.tv_sec++, ts.tv_nsec -= 1000000000;
		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* NULL (errno set) when the watchdog thread cannot start. */
struct serve_guard *serve_guard_new(void)
{
	struct serve_guard *g = xcalloc(1, sizeof(*g));
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&g->lock, NULL);
	g->head.next = g->head.prev = &g->head;
	int err = pthread_create(&g->thread, NULL, watchdog, g);
	if (err) {
		serve_guard_free(g);
		errno = err;
		return NULL;
	}
	g->running = true;
	return g;
}

/* After the HTTP daemon stopped: every connection closed, none left. */
void serve_guard_free(struct serve_guard *g)
{
	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	while (g->head.next != &g->head)
		serve_guard_close(g, g->head.next);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}

/* May a connection from this address be accepted? A remote address (an
 * IPv6 /64) may hold SERVE_PER_PEER at once (those closing included);
 * loopback peers are not capped, since every local client shares 127.0.0.1
 * (a cap would let any local user lock out the local Prometheus). At
 * SERVE_CONNECTIONS the oldest connection is evicted to make room, whatever
 * it is doing: one being answered (a slow reader) as much as one waiting
 * for its request (a trickler). Every response closes its connection, so a
 * scraper's is never old; it is evicted only after every connection
 * accepted before it. */
bool serve_guard_admit(struct serve_guard *g, const struct sockaddr *peer)
{
	bool remote = !serve_loopback(peer), ok = true;
	unsigned same = 0, live = 0;
	struct guard_conn *oldest = NULL;
	pthread_mutex_lock(&g->lock);
	for (struct guard_conn *c = g->head.next; c != &g->head; c = c->next) {
		same += remote && c->remote && same_peer(&c->peer, peer);
		if (c->deadline == UINT64_MAX)
			continue; /* shut down, closing */
		live++;
		if (!oldest || c->born < oldest->born)
			oldest = c;
	}
	if (same >= SERVE_PER_PEER) {
		ok = false;
	} else if (live >= SERVE_CONNECTIONS) {
		ok = oldest != NULL;
		if (oldest) {
			if (oldest->fd >= 0)
				shutdown(oldest->fd, SHUT_RDWR);
			oldest->deadline = UINT64_MAX;
			g->evicted++;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

/* A connection accepted on socket fd: its request deadline starts now. */
void *serve_guard_open(struct serve_guard *g, int fd, const struct sockaddr *peer, socklen_t len)
{
	struct guard_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (peer && len <= sizeof(c->peer)) {
		memcpy(&c->peer, peer, len);
		c->remote = !serve_loopback(peer);
	}
	c->born = c->since = mono_usec();
	c->deadline = c->since + SERVE_REQUEST_SECONDS * 1000000ULL;
	pthread_mutex_lock(&g->lock);
	c->prev = g->head.prev;
	c->next = &g->head;
	g->head.prev->next = c;
	g->head.prev = c;
	pthread_mutex_unlock(&g->lock);
	return c;
}

/* The request is complete (responding true: its response's deadline
 * starts) or its response was sent (false: the next request's). */
void serve_guard_phase(struct serve_guard *g, void *conn, bool responding)
{
	struct guard_conn *c = conn;
	if (!c)
		return;
	uint64_t now = mono_usec();
	uint64_t d = now + (responding ? SERVE_RESPONSE_SECONDS : SERVE_REQUEST_SECONDS) * 1000000ULL;
	pthread_mutex_lock(&g->lock);
	if (d > c->born + SERVE_LIFETIME_SECONDS * 1000000ULL) /* however many requests */
		d = c->born + SERVE_LIFETIME_SECONDS * 1000000ULL;
	if (c->deadline != UINT64_MAX) { /* once shut down, it stays so */
		c->deadline = d;
		c->since = now;
		c->responding = responding;
	}
	pthread_mutex_unlock(&g->lock);
}

void serve_guard_close(struct serve_guard *g, void *conn)
{
	struct guard_conn *c = conn;
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_unlock(&g->lock);
	free(c);
}

/* Connections shut down so far at their deadline, and evicted. */
void serve_guard_counts(struct serve_guard *g, unsigned *shut, unsigned *evicted)
{
	pthread_mutex_lock(&g->lock);
	*shut = g->shut;
	*evicted = g->evicted;
	pthread_mutex_unlock(&g->lock);
}
