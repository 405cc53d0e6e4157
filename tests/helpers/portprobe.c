// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * portprobe: the ports suite's peers, where busybox's nc falls short (no
 * -u, no half-close) and python3 may be missing (the v2 guest). Static,
 * so it runs in a container of a bare image too.
 *   portprobe udp-echo PORT              answers each datagram with "echo:" + it
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
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "portprobe: %s: not an IPv4 address\n", ip);
		exit(2);
	}
	return a;
}

static int udp_echo(const char *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = addr("0.0.0.0", port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("portprobe: bind");
		return 1;
	}
	char buf[2048], out[2100];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		memcpy(out, "echo:", 5);
		memcpy(out + 5, buf, (size_t)n);
		sendto(fd, out, (size_t)n + 5, 0, (struct sockaddr *)&from, fl);
	}
}

static int udp_ask(const char *ip, const char *port, const char *text, int rounds, int clients)
{
	struct sockaddr_in a = addr(ip, port);
	int fd[16];
	if (clients < 1 || clients > 16)
		return 2;
	for (int c = 0; c < clients; c++) {
		fd[c] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[c] < 0 || connect(fd[c], (struct sockaddr *)&a, sizeof(a)) < 0) {
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
	struct sockaddr_in a = addr(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
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
	struct sockaddr_in a = addr(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
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
	struct sockaddr_in a = addr(ip, port);
	int got = 0;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
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
	struct sockaddr_in a = addr(ip, port);
	static int fd[4096];
	if (n < 1 || n > 4096 || secs < 1)
		return 2;
	for (int i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[i] < 0 || connect(fd[i], (struct sockaddr *)&a, sizeof(a)) < 0) {
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

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (argc == 3 && !strcmp(m, "udp-echo"))
		return udp_echo(argv[2]);
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
	fprintf(stderr, "usage: portprobe udp-echo PORT | udp-ask IP PORT TEXT [N [C]] | half IP PORT BYTES | hold IP PORT |\n"
		"       tcp-idle IP PORT N | udp-hold IP PORT N SECS\n");
	return 2;
}
