// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop serve's HTTP server (libmicrohttpd): GET /metrics in the text format
 * 0.0.4, or OpenMetrics 1.0.0 when the Accept header prefers it; / a page
 * that links it; nothing else. Read-only: the only thing a request can do is
 * read a snapshot.
 *
 * One collector stays warm for the server's life, as the dashboard's does
 * (collector_new(keep): kept descriptors, the process-events connector), so a
 * scrape costs a dashboard refresh. A scrape wants a snapshot no older than
 * SERVE_FRESH_USEC: the first one to find the newest older collects a new
 * one (the others meanwhile render the newest there is rather than wait);
 * snapshots are immutable and refcounted, taken under the lock and rendered
 * outside it, so no scrape waits for another's rendering or sending.
 * Each connection has its own thread, their number bounded, and a
 * connection idle for SERVE_TIMEOUT seconds is closed, so a client that never
 * reads or never ends its request holds one slot for that long, no more.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/collect.h"
#include "collect/parse.h"
#include "output.h"

/* scrapes this close together share one collection (Prometheus' HA pairs,
 * a dashboard and a scraper); well under any sane scrape interval */
#define SERVE_FRESH_USEC 250000
#define SERVE_WHAT (SNAP_NS | SNAP_CGROUPS | SNAP_CONTAINERS)

struct server {
	struct serve_opts o;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct snap *latest;    /* newest snapshot, refs: ours + each renderer's */
	double latest_seconds;  /* how long collecting it took */
	bool collecting;        /* a scrape is collecting: others use latest */
	unsigned errors;        /* responses that could not be queued */
	struct sysroot sr;
	struct users *users;
	struct collector *coll; /* only the collecting scrape touches it */
};

static void unref_locked(struct snap *s)
{
	if (s && --s->refs == 0)
		snap_free(s);
}

/* A snapshot (one reference, the caller's) no older than SERVE_FRESH_USEC
 * unless another scrape is collecting one right now. */
static struct snap *snapshot(struct server *sv, double *seconds)
{
	pthread_mutex_lock(&sv->lock);
	while (!sv->latest && sv->collecting)
		pthread_cond_wait(&sv->cond, &sv->lock); /* the very first: none to share */
	struct snap *s = sv->latest;
	bool fresh = s && mono_usec() - s->mono_usec < SERVE_FRESH_USEC;
	if (fresh || sv->collecting) {
		s->refs++;
		*seconds = sv->latest_seconds;
		pthread_mutex_unlock(&sv->lock);
		return s;
	}
	sv->collecting = true;
	struct snap *prev = sv->latest;
	if (prev)
		prev->refs++; /* kept while collecting reads it for rates */
	pthread_mutex_unlock(&sv->lock);

	uint64_t t0 = mono_usec();
	s = collector_take(sv->coll, SERVE_WHAT, prev);
	double took = (double)(mono_usec() - t0) / 1e6;

	pthread_mutex_lock(&sv->lock);
	unref_locked(prev);
	unref_locked(sv->latest);
	s->refs = 2; /* the server's and this scrape's */
	sv->latest = s;
	sv->latest_seconds = *seconds = took;
	sv->collecting = false;
	pthread_cond_broadcast(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
	return s;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     struct server *sv)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	if (ret != MHD_YES) {
		pthread_mutex_lock(&sv->lock);
		sv->errors++;
		pthread_mutex_unlock(&sv->lock);
	}
	return ret;
}

#define TEXT_PLAIN "text/plain; charset=utf-8"
static const char page[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>nstop</title></head>\n"
	"<body><h1>nstop</h1>\n<p><a href=\"/metrics\">Metrics</a> of this host's containers, "
	"cgroups and namespaces.</p>\n</body></html>\n";

static enum MHD_Result metrics(struct server *sv, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	/* MHD bounds the header (its memory pool); a longer list is no client's */
	bool om = accept && parse_accept_openmetrics(accept, strnlen(accept, 4096));
	double took;
	struct snap *s = snapshot(sv, &took);
	pthread_mutex_lock(&sv->lock);
	unsigned errors = sv->errors;
	pthread_mutex_unlock(&sv->lock);
	struct metrics_opts mo = {.cgroup_depth = sv->o.cgroup_depth, .scrape_seconds = took,
				  .errors = errors, .openmetrics = om};
	struct buf b = {0};
	metrics_write(&b, s, &mo);
	pthread_mutex_lock(&sv->lock);
	unref_locked(s);
	pthread_mutex_unlock(&sv->lock);
	/* the buffer goes to MHD, which frees it with free() */
	return reply(c, MHD_HTTP_OK,
		     om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			: "text/plain; version=0.0.4; charset=utf-8",
		     b.p ? b.p : strdup(""), b.len, MHD_RESPMEM_MUST_FREE, sv);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct server *sv = cls;
	(void)version;
	(void)upload;
	/* the first call has the headers only; answer on the second, once the
	 * request (a body too, which is read and dropped) is complete */
	if (!*state) {
		*state = sv;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool known = !strcmp(url, "/metrics") || !strcmp(url, "/");
	if (!known)
		return reply(c, MHD_HTTP_NOT_FOUND, TEXT_PLAIN, "Not found: see /metrics\n",
			     strlen("Not found: see /metrics\n"), MHD_RESPMEM_PERSISTENT, sv);
	if (!get)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_PLAIN, "Only GET and HEAD\n",
			     strlen("Only GET and HEAD\n"), MHD_RESPMEM_PERSISTENT, sv);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)page,
			     sizeof(page) - 1, MHD_RESPMEM_PERSISTENT, sv);
	return metrics(sv, c);
}

/*
 * libmicrohttpd's messages, which quote what a client sent (a %-decoded
 * URL): escaped, and at most 5 lines a second, the rest counted, so that a
 * client can neither write terminal escapes or forged lines to the
 * operator's stderr or journal nor flood them.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t window;
	static unsigned lines, dropped;
	char raw[512];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	size_t n = strlen(raw);
	while (n && raw[n - 1] == '\n')
		raw[--n] = '\0';
	pthread_mutex_lock(&mu);
	uint64_t now = mono_usec() / 1000000;
	if (now != window) {
		if (dropped)
			fprintf(stderr, "nstop: serve: %u more libmicrohttpd messages left out\n", dropped);
		window = now, lines = 0, dropped = 0;
	}
	if (lines++ < 5) {
		struct buf b = {0};
		str_escape(&b, raw, n, ESC_TEXT);
		fprintf(stderr, "nstop: serve: %s\n", buf_str(&b));
		buf_free(&b);
	} else {
		dropped++;
	}
	pthread_mutex_unlock(&mu);
}

/* Starts serving on o->addr; NULL (e says why) when it cannot. */
struct server *serve_start(const struct serve_opts *o, struct nerr *e)
{
	struct server *sv = xcalloc(1, sizeof(*sv));
	sv->o = *o;
	if (sysroot_open(&sv->sr, o->sysroot, e) < 0) {
		free(sv);
		return NULL;
	}
	pthread_mutex_init(&sv->lock, NULL);
	pthread_cond_init(&sv->cond, NULL);
	sv->users = users_new(&sv->sr);
	sv->coll = collector_new(&sv->sr, sv->users, true);
	/* poll, not select: the warm collector keeps a descriptor per process,
	 * so a socket's number is past FD_SETSIZE on any busy host */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (o->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	sv->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv,
				 MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&o->addr,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_PER_IP,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_TIMEOUT,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL,
				 MHD_OPTION_END);
	if (!sv->d) {
		int err = errno ? errno : EADDRNOTAVAIL;
		nerr_set(e, -err, "cannot listen on %s: %s", o->addr_text, strerror(err));
		serve_stop(sv);
		return NULL;
	}
	return sv;
}

/* Connections still open (0 when the library cannot say). */
unsigned serve_connections(struct server *sv)
{
	const union MHD_DaemonInfo *i =
		sv->d ? MHD_get_daemon_info(sv->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
	return i ? i->num_connections : 0;
}

/* Stops accepting; the connections open may finish (up to grace_usec). */
void serve_quiesce(struct server *sv, uint64_t grace_usec)
{
	if (!sv->d)
		return;
	MHD_socket fd = MHD_quiesce_daemon(sv->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	uint64_t until = mono_usec() + grace_usec;
	while (serve_connections(sv) && mono_usec() < until)
		usleep(20000);
}

/* Closes every connection, frees everything. */
void serve_stop(struct server *sv)
{
	if (!sv)
		return;
	if (sv->d)
		MHD_stop_daemon(sv->d);
	if (sv->latest)
		snap_free(sv->latest); /* no renderer is left: only ours */
	collector_free(sv->coll);
	users_free(sv->users);
	pthread_mutex_destroy(&sv->lock);
	pthread_cond_destroy(&sv->cond);
	sysroot_close(&sv->sr);
	free(sv);
}
