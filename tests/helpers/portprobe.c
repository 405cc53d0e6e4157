// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * portprobe: the ports suite's peers, where busybox's nc falls short (no
 * -u, no half-close) and python3 may be missing (the v2 guest). Static,
 * so it runs in a container of a bare image too.
 *   portprobe udp-echo PORT [MS]         answers each datagram with "echo:" + it,
 *                          MS milliseconds later (default 0: at once)
 *   portprobe udp-ask IP PORT TEXT [N [C]]  C clients (sockets, default 1) each
 *                          send TEXT-c, N rounds (default 1); a line per round
 *                          of the answers in client order; exit 1 when one
 *                          does not come in 3 s
 *   portprobe half IP PORT BYTES         sends BYTES bytes, shuts its side
 *                          (a FIN), prints what comes back until EOF
 *   portprobe hold IP PORT               listens on TCP, says "ready", sleeps
 *   portprobe tcp-idle IP PORT N         opens N TCP connections, says how many
 *                          it got ("ready K"), then holds them idle
 *   portprobe udp-hold IP PORT N SECS    N UDP sockets, each sending a datagram
 *                          every SECS seconds; "ready" after the first round
 *   portprobe tcp-late IP PORT SECS PATH connects, waits SECS seconds (a
 *                          keep-alive client between requests), then sends
 *                          an HTTP GET of PATH; prints the answer until EOF
 *   portprobe tcp-churn IP PORT N        N connections opened and closed, one
 *                          after another; "done K" (K: how many connected)
 *   portprobe udp-spray IP PORT N RATE   N UDP sockets (so N source ports),
 *                          one datagram from each, RATE per second; "ready"
 *                          after the first, "done" after the last; then holds
 *   portprobe bind IP PORT [udp]         binds (SO_REUSEADDR) and listens:
 *                          exit 0 if it could, 1 if not
 * IP: IPv4, or IPv6 (bound with IPV6_V6ONLY: the v6 side alone).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* an IPv4 or IPv6 address and port (static: no getaddrinfo) */
struct addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} u;
	socklen_t len;
};

static struct addr addr(const char *ip, const char *port)
{
	struct addr a;
	memset(&a, 0, sizeof(a));
	uint16_t p = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, ip, &a.u.v4.sin_addr) == 1) {
		a.u.v4.sin_family = AF_INET, a.u.v4.sin_port = p, a.len = sizeof(a.u.v4);
	} else if (inet_pton(AF_INET6, ip, &a.u.v6.sin6_addr) == 1) {
		a.u.v6.sin6_family = AF_INET6, a.u.v6.sin6_port = p, a.len = sizeof(a.u.v6);
	} else {
		fprintf(stderr, "portprobe: %s: not an IP address\n", ip);
		exit(2);
	}
	return a;
}

/* a socket of a's family; an IPv6 one for the v6 side alone */
static int sock(const struct addr *a, int type)
{
	int fd = socket(a->u.sa.sa_family, type, 0), one = 1;
	if (fd >= 0 && a->u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	return fd;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the answers due later wait in a ring (a full one drops, as a queue would) */
struct later {
	uint64_t due;
	struct sockaddr_in from;
	size_t n;
	char out[2100];
};

static int udp_echo(const char *port, int delay)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct addr a = addr("0.0.0.0", port);
	if (fd < 0 || bind(fd, &a.u.sa, a.len) < 0) {
		perror("portprobe: bind");
		return 1;
	}
	static struct later q[2048];
	size_t head = 0, tail = 0; /* q[head..tail) wait, modulo its size */
	char buf[2048];
	for (;;) {
		int wait = -1;
		if (head != tail) {
			uint64_t now = now_ms(), due = q[head % 2048].due;
			wait = due > now ? (int)(due - now) : 0;
		}
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, wait) > 0) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n >= 0 && tail - head < 2048) {
				struct later *l = &q[tail++ % 2048];
				l->due = now_ms() + (uint64_t)delay, l->from = from, l->n = (size_t)n + 5;
				memcpy(l->out, "echo:", 5);
				memcpy(l->out + 5, buf, (size_t)n);
			}
		}
		for (uint64_t now = now_ms(); head != tail && q[head % 2048].due <= now; head++) {
			struct later *l = &q[head % 2048];
			sendto(fd, l->out, l->n, 0, (struct sockaddr *)&l->from, sizeof(l->from));
		}
	}
}

static int udp_ask(const char *ip, const char *port, const char *text, int rounds, int clients)
{
	struct addr a = addr(ip, port);
	int fd[16];
	if (clients < 1 || clients > 16)
		return 2;
	for (int c = 0; c < clients; c++) {
		fd[c] = sock(&a, SOCK_DGRAM);
		if (fd[c] < 0 || connect(fd[c], &a.u.sa, a.len) < 0) {
			perror("portprobe: connect");
			return 2;
		}
	}
	for (int r = 0; r < rounds; r++) {
		char msg[256];
		for (int c = 0; c < clients; c++) {
			snprintf(msg, sizeof(msg), "%s-%d", text, c);
			if (send(fd[c], msg, strlen(msg), 0) < 0)
				return 1;
		}
		for (int c = 0; c < clients; c++) {
			struct pollfd p = {fd[c], POLLIN, 0};
			char buf[2100];
			ssize_t n = poll(&p, 1, 3000) > 0 ? recv(fd[c], buf, sizeof(buf) - 1, 0) : -1;
			if (n < 0)
				return 1;
			buf[n] = '\0';
			printf("%s%s", c ? " " : "", buf);
		}
		printf("\n");
	}
	return 0;
}

static int half(const char *ip, const char *port, long bytes)
{
	struct addr a = addr(ip, port);
	int fd = sock(&a, SOCK_STREAM);
	if (fd < 0 || connect(fd, &a.u.sa, a.len) < 0)
		return 1;
	static char buf[65536];
	memset(buf, 'x', sizeof(buf));
	for (long left = bytes; left > 0;) {
		ssize_t n = write(fd, buf, left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n <= 0)
			return 1;
		left -= n;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return 1;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0)
			return 1;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return 1;
		if (n == 0)
			return 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

static int hold(const char *ip, const char *port)
{
	struct addr a = addr(ip, port);
	int fd = sock(&a, SOCK_STREAM), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, &a.u.sa, a.len) < 0 || listen(fd, 1) < 0) {
		perror("portprobe: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* the attackers of the escape part: slots held as cheaply as it gets */
static int tcp_idle(const char *ip, const char *port, int n)
{
	struct addr a = addr(ip, port);
	int got = 0;
	for (int i = 0; i < n; i++) {
		int fd = sock(&a, SOCK_STREAM);
		if (fd >= 0 && connect(fd, &a.u.sa, a.len) == 0)
			got++;
	}
	printf("ready %d\n", got);
	fflush(stdout);
	while (got >= 0)
		pause();
	return 0;
}

static int udp_hold(const char *ip, const char *port, int n, int secs)
{
	struct addr a = addr(ip, port);
	static int fd[4096];
	if (n < 1 || n > 4096 || secs < 1)
		return 2;
	for (int i = 0; i < n; i++) {
		fd[i] = sock(&a, SOCK_DGRAM);
		if (fd[i] < 0 || connect(fd[i], &a.u.sa, a.len) < 0) {
			perror("portprobe: connect");
			return 2;
		}
	}
	for (int round = 0;; round++) {
		for (int i = 0; i < n; i++) {
			char b[64];
			send(fd[i], "hold", 4, MSG_DONTWAIT);
			while (recv(fd[i], b, sizeof(b), MSG_DONTWAIT) > 0)
				;
		}
		if (!round) {
			printf("ready\n");
			fflush(stdout);
		}
		sleep((unsigned)secs);
	}
}

/* a keep-alive client's next request, after a silence */
static int tcp_late(const char *ip, const char *port, int secs, const char *path)
{
	struct addr a = addr(ip, port);
	int fd = sock(&a, SOCK_STREAM);
	if (fd < 0 || connect(fd, &a.u.sa, a.len) < 0) {
		perror("portprobe: connect");
		return 1;
	}
	sleep((unsigned)secs);
	char req[512];
	int n = snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		perror("portprobe: send");
		return 1;
	}
	char buf[4096];
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0)
			return 1;
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0) {
			perror("portprobe: read");
			return 1;
		}
		if (k == 0)
			return 0;
		fwrite(buf, 1, (size_t)k, stdout);
	}
}

static int tcp_churn(const char *ip, const char *port, int n)
{
	struct addr a = addr(ip, port);
	int got = 0;
	for (int i = 0; i < n; i++) {
		int fd = sock(&a, SOCK_STREAM);
		if (fd >= 0 && connect(fd, &a.u.sa, a.len) == 0)
			got++;
		if (fd >= 0)
			close(fd);
	}
	printf("done %d\n", got);
	return 0;
}

/* many clients (source ports) at a given rate, each a new flow */
static int udp_spray(const char *ip, const char *port, int n, int rate)
{
	struct addr a = addr(ip, port);
	static int fd[4096];
	if (n < 1 || n > 4096 || rate < 1 || rate > 100000)
		return 2;
	struct timespec gap = {0, 1000000000L / rate};
	for (int i = 0; i < n; i++) {
		fd[i] = sock(&a, SOCK_DGRAM);
		if (fd[i] < 0 || connect(fd[i], &a.u.sa, a.len) < 0) {
			perror("portprobe: connect");
			return 2;
		}
		send(fd[i], "spray", 5, MSG_DONTWAIT);
		if (!i) {
			printf("ready\n");
			fflush(stdout);
		}
		nanosleep(&gap, NULL);
	}
	printf("done\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int try_bind(const char *ip, const char *port, bool udp)
{
	struct addr a = addr(ip, port);
	int fd = sock(&a, udp ? SOCK_DGRAM : SOCK_STREAM), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, &a.u.sa, a.len) < 0 || (!udp && listen(fd, 1) < 0)) {
		fprintf(stderr, "portprobe: bind %s %s: %s\n", ip, port, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if ((argc == 3 || argc == 4) && !strcmp(m, "udp-echo"))
		return udp_echo(argv[2], argc == 4 ? atoi(argv[3]) : 0);
	if (argc >= 5 && argc <= 7 && !strcmp(m, "udp-ask"))
		return udp_ask(argv[2], argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 1, argc > 6 ? atoi(argv[6]) : 1);
	if (argc == 5 && !strcmp(m, "half"))
		return half(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(m, "hold"))
		return hold(argv[2], argv[3]);
	if (argc == 5 && !strcmp(m, "tcp-idle"))
		return tcp_idle(argv[2], argv[3], atoi(argv[4]));
	if (argc == 6 && !strcmp(m, "udp-hold"))
		return udp_hold(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 6 && !strcmp(m, "tcp-late"))
		return tcp_late(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc == 5 && !strcmp(m, "tcp-churn"))
		return tcp_churn(argv[2], argv[3], atoi(argv[4]));
	if (argc == 6 && !strcmp(m, "udp-spray"))
		return udp_spray(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "udp"))) && !strcmp(m, "bind"))
		return try_bind(argv[2], argv[3], argc == 5);
	fprintf(stderr, "usage: portprobe udp-echo PORT [MS] | udp-ask IP PORT TEXT [N [C]] | half IP PORT BYTES |\n"
		"       hold IP PORT | tcp-idle IP PORT N | udp-hold IP PORT N SECS | tcp-late IP PORT SECS PATH |\n"
		"       tcp-churn IP PORT N | udp-spray IP PORT N RATE | bind IP PORT [udp]\n");
	return 2;
}
