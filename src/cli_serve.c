// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop serve: the metrics over HTTP for a Prometheus server until SIGTERM or
 * SIGINT. Loopback by default; any other address needs both HTTPS
 * (--tls-cert, --tls-key) and basic authentication (--web-config), or the
 * user's --insecure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/parse.h"
#include "output.h"
#include "cli.h"

#define SERVE_DEFAULT "127.0.0.1:9847"

enum { OPT_LISTEN = 256, OPT_INSECURE, OPT_DEPTH, OPT_SYSROOT, OPT_CERT, OPT_KEY, OPT_WEB, OPT_HOST };

/* size caps: a certificate chain, a private key */
#define SERVE_CERT_MAX (256 * 1024)
#define SERVE_KEY_MAX (64 * 1024)
#define SERVE_WEBCFG_MAX (64 * 1024)

/*
 * A whole small file, NUL-terminated: a regular file (a FIFO would hang the
 * start: opened non-blocking, then checked), at most cap bytes, no NUL byte
 * (PEM and YAML are text). deny: mode bits that refuse it (a private key
 * readable by group or others is refused as ssh refuses one). NULL and the
 * message in err when not: the input's fault, exit 2 once the caller freed
 * what it holds.
 */
static char *read_small(const char *opt, const char *path, size_t cap, mode_t deny, struct buf *err)
{
	struct buf b = {0};
	char *p = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		buf_printf(err, "serve: %s %s: %s", opt, str_esc(&b, path), strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_printf(err, "serve: %s %s: not a regular file", opt, str_esc(&b, path));
		goto out;
	}
	if (st.st_mode & deny) {
		buf_printf(err, "serve: %s %s: mode %04o: it must not be %s by group or others (chmod %s)",
			   opt, str_esc(&b, path), (unsigned)(st.st_mode & 07777),
			   deny & 044 ? "readable" : "writable", deny & 044 ? "600" : "go-w");
		goto out;
	}
	/* the mode bits alone would take a file another user owns, and can
	 * rewrite (or chmod) at will: root's or the invoking user's only */
	if (deny && st.st_uid != 0 && st.st_uid != geteuid()) {
		buf_printf(err, "serve: %s %s: owned by uid %u: it must be root's or yours (chown)",
			   opt, str_esc(&b, path), (unsigned)st.st_uid);
		goto out;
	}
	p = xmalloc(cap + 1);
	size_t len = 0;
	ssize_t r;
	while (len <= cap && (r = read(fd, p + len, cap + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			buf_printf(err, "serve: %s %s: %s", opt, str_esc(&b, path), strerror(errno));
			break;
		}
		len += (size_t)r;
	}
	if (!err->len && len > cap)
		buf_printf(err, "serve: %s %s: larger than %zu bytes", opt, str_esc(&b, path), cap);
	else if (!err->len && memchr(p, 0, len))
		buf_printf(err, "serve: %s %s: a NUL byte: not a text file", opt, str_esc(&b, path));
	if (err->len) {
		explicit_bzero(p, len < cap ? len : cap);
		free(p);
		p = NULL;
	} else {
		p[len] = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return p;
}

/* ADDR:PORT, [V6ADDR]:PORT; numeric only: no name lookup. */
static void parse_listen(const char *arg, struct serve_opts *o, struct buf *b)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(arg, ':');
	const char *hb = arg, *he = colon;
	if (colon && arg[0] == '[' && colon > arg && colon[-1] == ']')
		hb++, he--;
	uint64_t port = 0;
	if (!colon || he <= hb || (size_t)(he - hb) >= sizeof(host) ||
	    str_parse_u64(colon + 1, &port) < 0 || port < 1 || port > 65535)
		usage_error("serve: --listen: not ADDR:PORT (a numeric address, a port from 1 to 65535): %s",
			    str_esc(b, arg));
	memcpy(host, hb, (size_t)(he - hb));
	host[he - hb] = 0;
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM}, *ai = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &ai) || !ai ||
	    ai->ai_addrlen > sizeof(o->addr)) {
		if (ai)
			freeaddrinfo(ai);
		usage_error("serve: --listen: not a numeric IPv4 or IPv6 address: %s", str_esc(b, arg));
	}
	memset(&o->addr, 0, sizeof(o->addr));
	memcpy(&o->addr, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	snprintf(o->addr_text, sizeof(o->addr_text), "%s", arg);
}

static void opts_free(struct serve_opts *o)
{
	if (o->tls_key)
		explicit_bzero(o->tls_key, strlen(o->tls_key));
	free(o->tls_key);
	free(o->tls_cert);
}

int cmd_serve(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"insecure", no_argument, NULL, OPT_INSECURE},
		{"cgroup-depth", required_argument, NULL, OPT_DEPTH},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"tls-cert", required_argument, NULL, OPT_CERT},
		{"tls-key", required_argument, NULL, OPT_KEY},
		{"web-config", required_argument, NULL, OPT_WEB},
		{"allow-host", required_argument, NULL, OPT_HOST},
		{0},
	};
	struct serve_opts o = {.sysroot = g->sysroot, .cgroup_depth = 3};
	const char *listen = SERVE_DEFAULT, *cert = NULL, *key = NULL, *web = NULL;
	bool insecure = false;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_INSECURE:
			insecure = true;
			break;
		case OPT_DEPTH:
			o.cgroup_depth = cli_cgroup_depth("serve", optarg);
			break;
		case OPT_SYSROOT:
			o.sysroot = optarg;
			break;
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_WEB:
			web = optarg;
			break;
		case OPT_HOST:
			if (o.nallow_host == SERVE_ALLOW_HOSTS)
				usage_error("serve: --allow-host: at most %d names", SERVE_ALLOW_HOSTS);
			if (!*optarg || strlen(optarg) > 253 || strpbrk(optarg, ":/[] \t"))
				usage_error("serve: --allow-host: not a host name (no port): %s", str_esc(&b, optarg));
			o.allow_host[o.nallow_host++] = optarg;
			break;
		default:
			cli_bad_option("serve", argv, optopt);
		}
	}
	if (optind < argc)
		usage_error("serve: unexpected argument: %s", str_esc(&b, argv[optind]));
	parse_listen(listen, &o, &b);
	if (!cert != !key)
		usage_error("serve: --tls-cert and --tls-key go together");
	if (!serve_loopback((const struct sockaddr *)&o.addr) && !insecure && !(cert && web))
		usage_error("serve: --listen %s: not a loopback address: serving the network needs "
			    "HTTPS (--tls-cert, --tls-key) and users (--web-config), or --insecure",
			    str_esc(&b, listen));
	struct buf err = {0};
	struct webcfg *users = NULL;
	if (cert && (!(o.tls_cert = read_small("--tls-cert", cert, SERVE_CERT_MAX, 0, &err)) ||
		     !(o.tls_key = read_small("--tls-key", key, SERVE_KEY_MAX, 077, &err))))
		goto bad;
	if (web) {
		/* hashes, not passwords, but whoever may change them may log in */
		char *text = read_small("--web-config", web, SERVE_WEBCFG_MAX, 022, &err), why[200];
		if (!text)
			goto bad;
		users = xmalloc(sizeof(*users));
		int r = parse_webcfg(text, strlen(text), users, why, sizeof(why));
		free(text);
		o.users = users;
		if (r < 0) {
			buf_printf(&err, "serve: --web-config %s: %s", str_esc(&b, web), why);
			goto bad;
		}
	}

	/* A thread per connection: glibc would give them up to 8 arenas a core,
	 * each keeping its own peak of freed memory; under 50 scrapers at 2000
	 * processes the RSS wandered between 37 and 70 MB, with 2 arenas it
	 * stays flat (the serve suite's load test). Before any thread starts. */
	mallopt(M_ARENA_MAX, 2);

	/* blocked before any thread starts, so every thread inherits the mask and
	 * only sigwait below takes them */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct nerr e = {0};
	struct server *sv = serve_start(&o, &e);
	if (!sv) {
		warnmsg("serve: %s", e.msg);
		opts_free(&o);
		free(users);
		buf_free(&b);
		return e.kind == NERR_INPUT ? 2 : 1;
	}
	warnmsg("serve: metrics at %s://%s/metrics (SIGTERM or SIGINT stops)", o.tls_key ? "https" : "http",
		str_esc(&b, listen));
	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	/* no new connection; the scrapes under way get up to 2 s to finish */
	serve_quiesce(sv, 2000000);
	serve_stop(sv);
	opts_free(&o);
	free(users);
	buf_free(&b);
	return 0;
bad:	/* everything freed first: nothing held at exit (ASan's leak check) */
	opts_free(&o);
	free(users);
	buf_free(&b);
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", buf_str(&err));
	buf_free(&err);
	usage_error("%s", msg);
}
