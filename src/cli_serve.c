// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop serve: the metrics over HTTP for a Prometheus server until SIGTERM or
 * SIGINT. Loopback by default; any other address is refused unless the user
 * says --insecure, since nstop has no TLS nor authentication yet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "cli.h"

#define SERVE_DEFAULT "127.0.0.1:9847"

enum { OPT_LISTEN = 256, OPT_INSECURE, OPT_DEPTH, OPT_SYSROOT };

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
	if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
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

int cmd_serve(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"insecure", no_argument, NULL, OPT_INSECURE},
		{"cgroup-depth", required_argument, NULL, OPT_DEPTH},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{0},
	};
	struct serve_opts o = {.sysroot = g->sysroot, .cgroup_depth = 3};
	const char *listen = SERVE_DEFAULT;
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
		default:
			cli_bad_option("serve", argv, optopt);
		}
	}
	if (optind < argc)
		usage_error("serve: unexpected argument: %s", str_esc(&b, argv[optind]));
	parse_listen(listen, &o, &b);
	if (!loopback(&o.addr) && !insecure)
		usage_error("serve: --listen %s: not a loopback address; nstop has no TLS nor "
			    "authentication, so serving the network needs --insecure",
			    str_esc(&b, listen));

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
		buf_free(&b);
		return e.kind == NERR_INPUT ? 2 : 1;
	}
	warnmsg("serve: metrics at http://%s/metrics (SIGTERM or SIGINT stops)", str_esc(&b, listen));
	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	/* no new connection; the scrapes under way get up to 2 s to finish */
	serve_quiesce(sv, 2000000);
	serve_stop(sv);
	buf_free(&b);
	return 0;
}
