// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create --publish: the host's side. The sockets are bound by create
 * itself, as root and before anything else is made, so a port in use
 * fails the create at once with the reason; beside 127.0.0.1 and 0.0.0.0
 * their IPv6 sides too, [::1] and [::] (IPV6_V6ONLY), as docker-proxy
 * binds both families: else any user could bind them and answer the
 * clients that try ::1 first for localhost. The proxy (proxy.c, a re-exec
 * of this binary as `nstop _proxy`) gets them with a pidfd of the
 * container's init and is told ready before create goes on, and it stays
 * only if create tells it its record is in place (publish_commit). rm stops it
 * (publish_stop) through a pidfd opened and then checked against the
 * start time in the record, never a pid alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "act.h"

/* --publish's checks that need no system: the count, twice the same */
int publish_check(const struct create_opts *o, struct nerr *e)
{
	if (!o->nports)
		return 0;
	if (o->nports > PORT_MAX)
		return nerr_input(e, -EINVAL, "--publish: at most %d", PORT_MAX);
	if (o->net != NET_VETH)
		return nerr_input(e, -EINVAL, "--publish needs --net veth (the proxy forwards to the container's veth address; with --net host its ports are the host's already)");
	for (size_t i = 0; i < o->nports; i++)
		for (size_t j = 0; j < i; j++) {
			const struct port_map *a = &o->ports[i], *b = &o->ports[j];
			if (a->host_port == b->host_port && a->proto == b->proto &&
			    (a->host_ip == b->host_ip || !a->host_ip || !b->host_ip)) {
				char s[64];
				port_fmt_spec(a, s, sizeof(s));
				return nerr_input(e, -EINVAL, "--publish %s: that host port is published twice", s);
			}
		}
	return 0;
}

/* a socket bound to a (TCP: listening); -errno */
static int bind_one(const struct sockaddr *a, socklen_t al, bool tcp)
{
	int fd = socket(a->sa_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* TCP only: a restarted proxy rebinds over TIME_WAIT; for UDP
	 * it would let two containers share a port */
	if (tcp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* the v6 side alone: the v4 one is its own socket */
	if ((a->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, a, al) < 0 || (tcp && listen(fd, 128) < 0)) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Binds every --publish socket (TCP ones listening) into fds (see
 * PUBLISH_MAX_FDS); a port in use (either family's) or an address not the
 * host's fails with the spec named. The IPv6 side is left out only where
 * the host has no IPv6 (no such family, or no ::1). */
int publish_bind(const struct create_opts *o, int *fds, struct nerr *e)
{
	for (size_t i = 0; i < PUBLISH_MAX_FDS; i++)
		fds[i] = -1;
	for (size_t i = 0; i < o->nports; i++) {
		const struct port_map *pm = &o->ports[i];
		bool tcp = pm->proto == PORT_TCP;
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(pm->host_port)};
		a.sin_addr.s_addr = htonl(pm->host_ip);
		int fd = bind_one((struct sockaddr *)&a, sizeof(a), tcp);
		const char *side = "";
		if (fd >= 0) {
			fds[2 * i] = fd;
			if (pm->host_ip != INADDR_LOOPBACK && pm->host_ip != INADDR_ANY)
				continue;
			struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(pm->host_port),
						  .sin6_addr = pm->host_ip ? in6addr_loopback : in6addr_any};
			fd = bind_one((struct sockaddr *)&a6, sizeof(a6), tcp);
			if (fd == -EAFNOSUPPORT || (fd == -EADDRNOTAVAIL && pm->host_ip))
				continue; /* no IPv6 here */
			fds[2 * i + 1] = fd;
			side = pm->host_ip ? " (its IPv6 side, [::1])" : " (its IPv6 side, [::])";
		}
		if (fd < 0) {
			int err = -fd;
			char s[64];
			port_fmt_spec(pm, s, sizeof(s));
			publish_close(fds, PUBLISH_MAX_FDS);
			return nerr_set(e, fd, "--publish %s%s: %s%s", s, side, strerror(err),
					err == EADDRINUSE ? " (another process, or container, has that port)"
					: err == EADDRNOTAVAIL ? " (not an address of the host's)" : "");
		}
	}
	return 0;
}

void publish_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* the proxy's side of the fork: its descriptors in place, then the exec */
static void __attribute__((noreturn)) proxy_exec(const struct create_opts *o, const char *ctr_ip,
						 uint32_t uid, const int *fds, int init_pidfd, int status)
{
	setsid();
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* every one moved above the range first, so no dup2 overwrites
	 * another it still needs */
	int base = 64 + PUBLISH_MAX_FDS, st = fcntl(status, F_DUPFD_CLOEXEC, base);
	int pf = fcntl(init_pidfd, F_DUPFD_CLOEXEC, base);
	int moved[PUBLISH_MAX_FDS], spec[PUBLISH_MAX_FDS], n = 0;
	bool ok = nul >= 0 && st >= 0 && pf >= 0;
	/* each socket at 5.., its spec's text in its place in argv */
	for (size_t i = 0; ok && i < 2 * o->nports; i++)
		if (fds[i] >= 0) {
			spec[n] = (int)i / 2;
			ok = (moved[n++] = fcntl(fds[i], F_DUPFD_CLOEXEC, base)) >= 0;
		}
	ok = ok && dup2(nul, 0) == 0 && dup2(nul, 1) == 1 && dup2(nul, 2) == 2 && dup2(st, 3) == 3 &&
	     dup2(pf, 4) == 4;
	for (int i = 0; ok && i < n; i++)
		ok = dup2(moved[i], 5 + i) == 5 + i;
	if (!ok)
		_exit(127);
	char *argv[PUBLISH_MAX_FDS + 8], specs[PUBLISH_MAX_FDS][64], id[16];
	int a = 0;
	snprintf(id, sizeof(id), "%u", uid);
	argv[a++] = "nstop";
	argv[a++] = "--no-config";
	argv[a++] = "_proxy";
	argv[a++] = (char *)o->name;
	argv[a++] = (char *)ctr_ip;
	argv[a++] = id;
	for (int i = 0; i < n; i++) {
		port_fmt_spec(&o->ports[spec[i]], specs[i], sizeof(specs[i]));
		argv[a++] = specs[i];
	}
	argv[a] = NULL;
	/* none of the caller's environment but a sanitizer's options (its
	 * reports then reach a file: the proxy's stderr is /dev/null) */
	char *envp[8];
	int ne = 0;
	envp[ne++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	static const char *const keep[] = {"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS="};
	for (char **v = environ; *v && ne < 7; v++)
		for (size_t k = 0; k < ARRAY_LEN(keep); k++)
			if (!strncmp(*v, keep[k], strlen(keep[k])))
				envp[ne++] = *v;
	envp[ne] = NULL;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve("/proc/self/exe", argv, envp);
	_exit(127);
}

/*
 * Starts the proxy for the container whose init init_pidfd is, forwarding
 * to ctr_addr (ADDR/PREFIX), as px->uid (and that gid); returns once it
 * said it is ready, with its pid and a pidfd of it in px (create's child,
 * so the pid cannot be reused before create ends). The caller closes its
 * copies of the sockets.
 */
int publish_start(const struct create_opts *o, const char *ctr_addr, const int *fds, int init_pidfd,
		  struct publish_proxy *px, struct nerr *e)
{
	char ip[20];
	snprintf(ip, sizeof(ip), "%.*s", (int)strcspn(ctr_addr, "/"), ctr_addr);
	int sp[2];
	px->pid = -1;
	px->pidfd = -1;
	px->ctl = -1;
	/* both ways: the proxy's 'R', then create's 'C' (publish_commit) */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return nerr_set(e, -errno, "--publish: socketpair: %s", strerror(errno));
	fflush(NULL);
	pid_t p = fork();
	if (p == 0)
		proxy_exec(o, ip, px->uid, fds, init_pidfd, sp[1]);
	int err = errno;
	close(sp[1]);
	if (p < 0) {
		close(sp[0]);
		return nerr_set(e, -err, "--publish: fork: %s", strerror(err));
	}
	px->pid = p;
	px->pidfd = (int)syscall(SYS_pidfd_open, p, 0);
	char ch = 0;
	struct pollfd pf = {sp[0], POLLIN, 0};
	for (int waited = 0; waited < 10000; waited += 100) {
		int pr = poll(&pf, 1, 100);
		if (pr > 0) {
			if (read(sp[0], &ch, 1) != 1)
				ch = 0;
			break;
		}
		if (act_stop_pending())
			break;
	}
	px->ctl = sp[0]; /* kept until the record is in place; CLOEXEC */
	if (ch != 'R')
		return nerr_set(e, -EIO, "--publish: the port proxy did not start");
	return 0;
}

/* The container's record is in place: the proxy is told so ('C') and
 * stays. Until then, create's end closed in any way (create killed, its
 * undo) ends the proxy, with its sockets: no listener outlives a create
 * that left no record for rm to find. */
void publish_commit(struct publish_proxy *px)
{
	if (px->ctl < 0)
		return;
	send(px->ctl, "C", 1, MSG_NOSIGNAL); /* a proxy gone meanwhile: PORTS says so */
	close(px->ctl);
	px->ctl = -1;
}

/* Stops create's own proxy (its child): on an undo. */
void publish_kill_child(struct publish_proxy *px)
{
	if (px->ctl >= 0)
		close(px->ctl);
	px->ctl = -1;
	if (px->pid <= 0)
		return;
	if (px->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, px->pidfd, SIGKILL, NULL, 0);
		close(px->pidfd);
	} else {
		kill(px->pid, SIGKILL);
	}
	waitpid(px->pid, NULL, 0);
	px->pid = 0;
	px->pidfd = -1;
}

/* Whether pid is a proxy running as uid: /proc/PID/status' Name and all
 * four of its uids and gids. */
static bool is_proxy(pid_t pid, uint32_t uid)
{
	char p[64], b[4096];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	b[n] = '\0';
	char want[96];
	snprintf(want, sizeof(want), "\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid);
	const char *u = strstr(b, "\nUid:"), *g = strstr(b, "\nGid:");
	return !strncmp(b, "Name:\tnstop-proxy\n", 18) && u && g && !strncmp(u + 5, want, strlen(want)) &&
	       !strncmp(g + 5, want, strlen(want));
}

/* Stops a recorded proxy ("proxy": {"pid", "start", "uid"}) if it is still
 * there, and waits for it to be gone, its sockets with it. */
void publish_stop(struct sysroot *sr, const struct jv *st)
{
	const struct jv *px = jv_get(st, "proxy");
	double pid = 0, start = 0;
	if (!px || px->type != JV_OBJ || !jv_num(px, "pid", &pid) || !jv_num(px, "start", &start) ||
	    !(pid > 1 && pid < 1 << 30))
		return;
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0)
		return;
	uint64_t now = 0;
	double uid = 0;
	/* the pidfd pins the process: its start time checked after it is
	 * open, and that it is a proxy: its uids all the recorded one, of
	 * nstop's range, its name nstop-proxy (a forged record names another
	 * process) */
	if (jv_num(px, "uid", &uid) && uid >= NSTOP_USERNS_LO && uid <= NSTOP_USERNS_HI &&
	    sysroot_pid_start(sr, (pid_t)pid, &now) == 0 && now == (uint64_t)start &&
	    is_proxy((pid_t)pid, (uint32_t)uid)) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		struct pollfd p = {fd, POLLIN, 0};
		poll(&p, 1, 5000);
	}
	close(fd);
}
