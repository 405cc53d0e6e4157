// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: a load of Prometheus-like scrapers against nstop serve on
 * 127.0.0.1, bounded in count and time:
 *   scrapers PORT THREADS SECONDS SLOW PERIOD_MS
 * THREADS threads each scrape GET /metrics over a kept-alive connection (a
 * new one after an answer with Connection: close),
 * one every PERIOD_MS (at once if the last took longer; their phases
 * spread over the period), for SECONDS; SLOW more connections each send 50 requests
 * back to back and never read a byte of the answers (opened again when the
 * server closes them). A scrape is good when its status is 200 and its body
 * has the Content-Length said; its time runs from the request's first byte
 * to the body's last. A kept-alive connection the server closed before any
 * byte of an answer is retried once on a new one (as HTTP clients do) and
 * counted as a retry, not an error, its time counted from the first try; no
 * answer within 10 s (Prometheus' default scrape timeout) is an error.
 * Prints one line:
 *   scrapes N errors N retries N max_ms N slow_opened N
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 200
#define MAX_SLOW 32

static int port;
static double until, period;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long scrapes, errors, retries, slow_opened;
static double max_ms;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";

/* One scrape on fd: 1 good, 2 good and the server closes the connection
 * (Connection: close: a new one next time, as HTTP clients do), 0 bad, -1
 * closed before any byte (retry); a timeout is bad, never a retry. */
static int scrape(int fd, char *buf, size_t cap)
{
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1))
		return -1;
	size_t len = 0;
	char *end = NULL;
	while (!end) {
		if (len == cap)
			return 0;
		ssize_t r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0)
			return len ? 0 : -1;
		len += (size_t)r;
		buf[len < cap ? len : cap - 1] = 0;
		end = strstr(buf, "\r\n\r\n");
	}
	if (strncmp(buf, "HTTP/1.1 200 ", 13))
		return 0;
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return 0;
	const char *cc = strcasestr(buf, "\r\nConnection: close\r\n");
	bool closing = cc && cc < end;
	size_t want = strtoul(cl + 17, NULL, 10), have = len - (size_t)(end + 4 - buf);
	while (have < want) {
		ssize_t r = recv(fd, buf, cap, 0);
		if (r <= 0)
			return 0;
		have += (size_t)r;
	}
	return have != want ? 0 : closing ? 2 : 1;
}

static void *scraper(void *arg)
{
	double next = now() + period * (double)(long)arg / 1000.0;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	int fd = -1;
	unsigned long n = 0, bad = 0, again = 0;
	double worst = 0;
	while (buf && now() < until) {
		double wait = next - now();
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
		next = next + period > now() ? next + period : now(); /* late: no burst to catch up */
		if (now() >= until)
			break;
		bool fresh = fd < 0;
		if (fd < 0 && (fd = dial(0)) < 0) {
			bad++;
			usleep(10000);
			continue;
		}
		double t0 = now();
		int r = scrape(fd, buf, cap);
		if (r < 0 && !fresh) {
			again++;
			close(fd);
			if ((fd = dial(0)) < 0) {
				bad++;
				continue;
			}
			r = scrape(fd, buf, cap);
		}
		double ms = (now() - t0) * 1000;
		n++;
		if (r < 1)
			bad++;
		if (r != 1) {
			close(fd);
			fd = -1;
		}
		if (r > 0 && ms > worst)
			worst = ms;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	pthread_mutex_lock(&mu);
	scrapes += n, errors += bad, retries += again;
	if (worst > max_ms)
		max_ms = worst;
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* connections that ask and never read; opened again once closed */
static void *slow(void *arg)
{
	(void)arg;
	int fd = -1;
	while (now() < until) {
		if (fd < 0) {
			if ((fd = dial(4096)) < 0) {
				usleep(100000);
				continue;
			}
			pthread_mutex_lock(&mu);
			slow_opened++;
			pthread_mutex_unlock(&mu);
			struct timeval tv = {.tv_usec = 200000};
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			for (int i = 0; i < 50; i++)
				if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
					break;
		}
		usleep(200000);
		char c;
		/* closed by the server? (peeks: never reads an answer's byte) */
		ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: scrapers PORT THREADS SECONDS SLOW PERIOD_MS\n");
		return 2;
	}
	port = atoi(argv[1]);
	int nt = atoi(argv[2]), ns = atoi(argv[4]);
	double secs = atof(argv[3]);
	period = atof(argv[5]) / 1000;
	if (port < 1 || port > 65535 || nt < 1 || nt > MAX_THREADS || ns < 0 || ns > MAX_SLOW ||
	    !(secs > 0 && secs <= 120) || !(period >= 0 && period <= 60)) {
		fprintf(stderr, "scrapers: out of bounds\n");
		return 2;
	}
	until = now() + secs;
	pthread_t t[MAX_THREADS + MAX_SLOW];
	int started = 0;
	for (int i = 0; i < ns; i++)
		if (!pthread_create(&t[started], NULL, slow, NULL))
			started++;
	for (int i = 0; i < nt; i++)
		/* phases: the i-th of nt starts i/nt of a period in (i*1000/nt thousandths) */
		if (!pthread_create(&t[started], NULL, scraper, (void *)(long)(i * 1000 / nt)))
			started++;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	if (started != nt + ns)
		errors += (unsigned long)(nt + ns - started);
	printf("scrapes %lu errors %lu retries %lu max_ms %.0f slow_opened %lu\n", scrapes, errors,
	       retries, max_ms, slow_opened);
	return 0;
}
