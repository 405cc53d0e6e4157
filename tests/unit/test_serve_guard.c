// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of nstop serve's connection guard (serve_guard.c): the
 * per-peer cap (IPv4 per address, IPv6 per /64, loopback not capped) and
 * eviction of the oldest connection at the limit, whatever its phase. The
 * connections have no socket (fd -1): only the bookkeeping is tested. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output.h"
#include "tap.h"

static struct sockaddr_storage addr(const char *a)
{
	struct sockaddr_storage ss = {0};
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, a, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, a, &s4->sin_addr);
	}
	return ss;
}

/* admit then open, as libmicrohttpd calls them; NULL when refused */
static void *connect_from(struct serve_guard *g, const char *a)
{
	struct sockaddr_storage ss = addr(a);
	if (!serve_guard_admit(g, (struct sockaddr *)&ss))
		return NULL;
	return serve_guard_open(g, -1, (struct sockaddr *)&ss,
				ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
}

int main(void)
{
	struct serve_guard *g = serve_guard_new();
	if (!OK(g != NULL, "serve_guard_new"))
		return tap_done();
	char a[64];
	unsigned n = 0;
	for (int i = 1; i <= SERVE_PER_PEER; i++) {
		snprintf(a, sizeof(a), "2001:db8:1:2::%x", i * 0x1111);
		n += connect_from(g, a) != NULL;
	}
	OK(n == SERVE_PER_PEER, "%d connections from %d addresses of one IPv6 /64: admitted (%u)", SERVE_PER_PEER,
	   SERVE_PER_PEER, n);
	OK(!connect_from(g, "2001:db8:1:2:ffff:ffff:ffff:ffff"), "... one more from another address of that /64: refused");
	OK(connect_from(g, "2001:db8:1:3::1") != NULL, "... one from the next /64: admitted");
	for (int i = 0; i < SERVE_PER_PEER; i++)
		connect_from(g, "192.0.2.7");
	OK(!connect_from(g, "192.0.2.7"), "IPv4: the %dth from one address refused", SERVE_PER_PEER + 1);
	OK(connect_from(g, "192.0.2.8") != NULL, "... the next address admitted");
	for (int i = 0; i < SERVE_PER_PEER; i++)
		connect_from(g, "::ffff:198.51.100.1");
	OK(connect_from(g, "::ffff:198.51.100.2") != NULL,
	   "v4-mapped addresses: compared whole (all share one /64): another address admitted");
	serve_guard_free(g);

	/* the limit, on connections with a socket (one end of a socketpair:
	 * an evicted one's other end reads end-of-file) */
	g = serve_guard_new();
	int sp[SERVE_CONNECTIONS][2];
	void *c[SERVE_CONNECTIONS];
	struct sockaddr_storage lo = addr("127.0.0.1");
	for (int i = 0; i < SERVE_CONNECTIONS; i++) {
		socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]);
		serve_guard_admit(g, (struct sockaddr *)&lo);
		c[i] = serve_guard_open(g, sp[i][0], (struct sockaddr *)&lo, sizeof(struct sockaddr_in));
		/* all being answered (slow readers) but one waiting for its request */
		serve_guard_phase(g, c[i], i != 5);
		usleep(100); /* each one younger */
	}
	unsigned shut, evicted;
	serve_guard_counts(g, &shut, &evicted);
	OK(evicted == 0, "%d connections from loopback: none evicted", SERVE_CONNECTIONS);
	OK(serve_guard_admit(g, (struct sockaddr *)&lo), "... a new one at the limit: admitted");
	void *n1 = serve_guard_open(g, -1, (struct sockaddr *)&lo, sizeof(struct sockaddr_in));
	char ch;
	OK(recv(sp[0][1], &ch, 1, MSG_DONTWAIT) == 0 && recv(sp[5][1], &ch, 1, MSG_DONTWAIT) < 0,
	   "... evicting the oldest, though being answered (not the one waiting for its request)");
	OK(serve_guard_admit(g, (struct sockaddr *)&lo) && recv(sp[1][1], &ch, 1, MSG_DONTWAIT) == 0,
	   "... another new one evicts the next oldest");
	void *n2 = serve_guard_open(g, -1, (struct sockaddr *)&lo, sizeof(struct sockaddr_in));
	serve_guard_counts(g, &shut, &evicted);
	OK(evicted == 2, "... 2 evicted (%u)", evicted);
	serve_guard_close(g, n1);
	serve_guard_close(g, n2);
	for (int i = 0; i < SERVE_CONNECTIONS; i++) {
		serve_guard_close(g, c[i]);
		close(sp[i][0]);
		close(sp[i][1]);
	}
	serve_guard_free(g);
	return tap_done();
}
