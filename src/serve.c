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
 * Each connection has its own thread, their number bounded; a connection
 * idle for SERVE_TIMEOUT seconds is closed, and serve_guard.c closes one
 * whose request or response takes longer than its deadline however busy it
 * keeps the socket, and caps the connections from one remote address.
 */
#include <errno.h>
#include <netinet/in.h>
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
#define SERVE_TLS_PRIORITY                                                                     \
	"SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-AES-128-CBC:-AES-256-CBC:" \
	"-CAMELLIA-128-CBC:-CAMELLIA-256-CBC:-3DES-CBC:-SHA1"

/* the exposition of the newest snapshot, rendered once per format */
struct rendered {
	unsigned long gen; /* the snapshot's; 0: none */
	char *p;
	size_t len;
};

struct server {
	struct serve_opts o;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct snap *latest;    /* newest snapshot, refs: ours + each renderer's */
	unsigned long gen;      /* latest's number, from 1 */
	struct rendered out[2]; /* latest rendered: text 0.0.4, OpenMetrics */
	double latest_seconds;  /* how long collecting it took */
	bool collecting;        /* a scrape is collecting: others use latest */
	unsigned errors;        /* responses that could not be queued */
	struct sysroot sr;
	struct users *users;
	struct collector *coll; /* only the collecting scrape touches it */
	struct serve_guard *guard;
	struct serve_auth *auth; /* NULL: no authentication */
};

static void unref_locked(struct snap *s)
{
	if (s && --s->refs == 0)
		snap_free(s);
}

/* A snapshot (one reference, the caller's) no older than SERVE_FRESH_USEC
 * unless another scrape is collecting one right now. */
static struct snap *snapshot(struct server *sv, double *seconds, unsigned long *gen)
{
	pthread_mutex_lock(&sv->lock);
	while (!sv->latest && sv->collecting)
		pthread_cond_wait(&sv->cond, &sv->lock); /* the very first: none to share */
	struct snap *s = sv->latest;
	bool fresh = s && mono_usec() - s->mono_usec < SERVE_FRESH_USEC;
	if (fresh || sv->collecting) {
		s->refs++;
		*seconds = sv->latest_seconds;
		*gen = sv->gen;
		pthread_mutex_unlock(&sv->lock);
		return s;
	}
	sv->collecting = true;
	struct snap *prev = sv->latest;
	if (prev)
		prev->refs++; /* kept while collecting reads it for rates */
	pthread_mutex_unlock(&sv->lock);

	uint64_t t0 = mono_usec();
	s = collector_take(sv->coll, METRICS_WHAT, prev);
	double took = (double)(mono_usec() - t0) / 1e6;

	pthread_mutex_lock(&sv->lock);
	unref_locked(prev);
	unref_locked(sv->latest);
	s->refs = 2; /* the server's and this scrape's */
	sv->latest = s;
	*gen = ++sv->gen;
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
	/* one request per connection: libmicrohttpd closes it once this is
	 * sent, so pipelined requests cannot keep a slow reader's connection
	 * (and its thread) busy for ever; Prometheus does not need keep-alive */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	/* 401: with WWW-Authenticate: Basic realm="nstop" */
	enum MHD_Result ret = status == MHD_HTTP_UNAUTHORIZED
				      ? MHD_queue_basic_auth_fail_response(c, "nstop", r)
				      : MHD_queue_response(c, status, r);
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

/*
 * 50 scrapers of one snapshot render it once: the first renders, the
 * others copy its text (a copy costs far less than a rendering). The
 * errors counter in it is the one of that rendering: up to
 * SERVE_FRESH_USEC old.
 */
static enum MHD_Result metrics(struct server *sv, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	/* MHD bounds the header (its memory pool); a longer list is no client's */
	bool om = accept && parse_accept_openmetrics(accept, strnlen(accept, 4096));
	double took;
	unsigned long gen;
	struct snap *s = snapshot(sv, &took, &gen);
	struct rendered *r = &sv->out[om];
	char *body = NULL;
	size_t len = 0;
	pthread_mutex_lock(&sv->lock);
	unsigned errors = sv->errors;
	if (r->gen == gen) {
		len = r->len;
		body = xmalloc(len + 1);
		memcpy(body, r->p, len);
	}
	pthread_mutex_unlock(&sv->lock);
	if (!body) {
		struct metrics_opts mo = {.cgroup_depth = sv->o.cgroup_depth, .scrape_seconds = took,
					  .errors = errors, .openmetrics = om};
		struct buf b = {0};
		metrics_write(&b, s, &mo);
		len = b.len;
		body = b.p ? b.p : xcalloc(1, 1);
		pthread_mutex_lock(&sv->lock);
		if (gen > r->gen) { /* the newest rendered so far */
			free(r->p);
			r->p = xmalloc(len + 1);
			memcpy(r->p, body, len);
			r->len = len;
			r->gen = gen;
		}
		pthread_mutex_unlock(&sv->lock);
	}
	pthread_mutex_lock(&sv->lock);
	unref_locked(s);
	pthread_mutex_unlock(&sv->lock);
	/* the buffer goes to MHD, which frees it with free() */
	return reply(c, MHD_HTTP_OK,
		     om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			: "text/plain; version=0.0.4; charset=utf-8",
		     body, len, MHD_RESPMEM_MUST_FREE, sv);
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
	/* the request is complete: the response's deadline starts */
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	serve_guard_phase(sv->guard, ci ? ci->socket_context : NULL, true);
	/* without users, a browser led here by DNS rebinding (a name of its
	 * page's owner pointed at us) gets nothing: parse_host_allowed */
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!sv->auth && !parse_host_allowed(host, host ? strnlen(host, 4096) : 0, sv->o.allow_host,
					     sv->o.nallow_host))
		return reply(c, MHD_HTTP_MISDIRECTED_REQUEST, TEXT_PLAIN,
			     "Host not served: an IP address, localhost or a name given with --allow-host\n",
			     strlen("Host not served: an IP address, localhost or a name given with --allow-host\n"),
			     MHD_RESPMEM_PERSISTENT, sv);
	/* with users, nothing (not even a 404) without a valid one */
	if (sv->auth) {
		char *pass = NULL, *user = MHD_basic_auth_get_username_password(c, &pass);
		enum serve_auth_result r = serve_auth_check(sv->auth, user, pass);
		if (pass) {
			explicit_bzero(pass, strlen(pass));
			MHD_free(pass);
		}
		MHD_free(user);
		if (r == SERVE_AUTH_BUSY)
			return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT_PLAIN, "Busy checking passwords\n",
				     strlen("Busy checking passwords\n"), MHD_RESPMEM_PERSISTENT, sv);
		if (r != SERVE_AUTH_OK)
			return reply(c, MHD_HTTP_UNAUTHORIZED, TEXT_PLAIN, "Unauthorized\n",
				     strlen("Unauthorized\n"), MHD_RESPMEM_PERSISTENT, sv);
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

static enum MHD_Result admit(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct server *sv = cls;
	(void)len;
	return serve_guard_admit(sv->guard, addr) ? MHD_YES : MHD_NO;
}

static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	struct server *sv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		serve_guard_close(sv->guard, *socket_context);
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *pa = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = pa ? pa->client_addr : NULL;
	socklen_t len = !peer ? 0 : peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							   : sizeof(struct sockaddr_in);
	*socket_context = serve_guard_open(sv->guard, fd ? fd->connect_fd : -1, peer, len);
}

/* a response sent (or the request given up): the next request's deadline */
static void request_done(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *sv = cls;
	(void)state;
	(void)toe;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	serve_guard_phase(sv->guard, ci ? ci->socket_context : NULL, false);
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
	/* what nstop metrics collects: no deeper than the families reach */
	collector_set_cgroup_depth(sv->coll, o->cgroup_depth);
	sv->guard = serve_guard_new();
	if (!sv->guard) {
		nerr_set(e, -errno, "cannot start a thread: %s", strerror(errno));
		serve_stop(sv);
		return NULL;
	}
	if (o->users && !(sv->auth = serve_auth_new(o->users, e))) {
		serve_stop(sv);
		return NULL;
	}
	/* poll, not select: the warm collector keeps a descriptor per process,
	 * so a socket's number is past FD_SETSIZE on any busy host */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (o->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* TLS 1.2 and 1.3 only (GnuTLS' NORMAL still offers 1.0 and 1.1), and in 1.2 only
	 * ECDHE/DHE key exchange with AEAD ciphers: forward secrecy, no CBC, no SHA-1
	 * MACs (NORMAL negotiates AES128-SHA with an RSA key) */
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, o->tls_cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, o->tls_key},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)SERVE_TLS_PRIORITY},
		{MHD_OPTION_END, 0, NULL},
	};
	if (o->tls_key)
		flags |= MHD_USE_TLS;
	sv->d = MHD_start_daemon(flags, 0, admit, sv, handle, sv,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL, /* first: all its messages */
				 MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&o->addr,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)(SERVE_CONNECTIONS + SERVE_EVICTING),
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_TIMEOUT,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				 MHD_OPTION_NOTIFY_CONNECTION, conn_notify, (void *)sv,
				 MHD_OPTION_NOTIFY_COMPLETED, request_done, (void *)sv,
				 MHD_OPTION_ARRAY, o->tls_key ? tls : tls + 3,
				 MHD_OPTION_END);
	if (!sv->d) {
		int err = errno ? errno : EADDRNOTAVAIL;
		if (o->tls_key && err != EADDRINUSE && err != EADDRNOTAVAIL && err != EACCES)
			nerr_input(e, -EINVAL, "cannot serve HTTPS on %s: the TLS certificate or key is not "
				   "usable (libmicrohttpd's message above says why)", o->addr_text);
		else
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
	serve_auth_shutdown(sv->auth); /* no bcrypt run waited for: 503 */
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
	serve_auth_shutdown(sv->auth);
	if (sv->d)
		MHD_stop_daemon(sv->d);
	serve_guard_free(sv->guard); /* after the daemon: no connection is left */
	serve_auth_free(sv->auth);
	if (sv->latest)
		snap_free(sv->latest); /* no renderer is left: only ours */
	free(sv->out[0].p);
	free(sv->out[1].p);
	collector_free(sv->coll);
	users_free(sv->users);
	pthread_mutex_destroy(&sv->lock);
	pthread_cond_destroy(&sv->cond);
	sysroot_close(&sv->sr);
	free(sv);
}
