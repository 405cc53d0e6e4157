// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * enter's terminal, as docker exec -it gives one: the command never holds a
 * descriptor of the operator's terminal (through which TIOCSTI would type
 * into the operator's shell, CVE-2017-5226), but the slave of a new pty
 * whose master nstop keeps; nstop relays keys and output between the two,
 * with the operator's terminal in raw mode, passes the window size on at
 * the start and on SIGWINCH, and restores the terminal on every way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "act.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

bool pty_wanted(bool on[3])
{
	bool any = false;
	for (int i = 0; i < 3; i++)
		any |= on[i] = isatty(i) == 1;
	return any;
}

static void winsize(const struct pty *p);

/* A master that is one: /dev/ptmx's device (5:2), on devpts when asked. */
static int checked_master(int fd, bool devpts)
{
	struct stat st;
	struct statfs sf;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2) ||
	    (devpts && (fstatfs(fd, &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The master comes from the target's own devpts when rootfd (its root) has
 * one at dev/pts/ptmx: the pty then belongs to the container's devpts as
 * with runc, and nothing of the host's devpts reaches it. The lookup stays
 * beneath rootfd and follows no link (the container owns every path there),
 * takes an O_PATH descriptor (which opens no device), and only what is a
 * devpts ptmx (5:2 on a devpts) is then opened, through /proc/self/fd,
 * without blocking. Otherwise (no mount namespace joined, no devpts) the host's
 * /dev/ptmx. The slave comes from the master itself (TIOCGPTPEER), never
 * from a path.
 */
int pty_open(struct pty *p, int rootfd, struct nerr *e)
{
	p->master = p->slave = -1;
	p->raw = false;
	int fd = -1;
	if (rootfd >= 0) {
		/* looked at before it is opened: a device the container put
		 * there (mknod c 1 11, a watchdog) is never opened by root */
		struct open_how how = {.flags = O_PATH | O_CLOEXEC,
				       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
						  RESOLVE_NO_MAGICLINKS};
		int pfd = checked_master((int)syscall(SYS_openat2, rootfd, "dev/pts/ptmx", &how,
						      sizeof(how)), true);
		if (pfd >= 0) {
			char q[64];
			struct stat a, b;
			snprintf(q, sizeof(q), "/proc/self/fd/%d", pfd);
			fd = open(q, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
			/* nstop's own /proc, yet the same inode or nothing */
			if (fd >= 0 && (fstat(pfd, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev ||
					a.st_ino != b.st_ino))
				close(fd), fd = -1;
			fd = checked_master(fd, true);
			close(pfd);
		}
		p->own = fd >= 0;
	}
	if (fd < 0)
		fd = checked_master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK), false);
	if (fd < 0) {
		int r = errno ? -errno : -ENODEV;
		nerr_set(e, r, "a new pty: %s", strerror(-r));
		return r;
	}
	int unlock = 0;
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0 ||
	    (p->slave = ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int r = -errno;
		nerr_set(e, r, "a new pty: %s", strerror(errno));
		close(fd);
		return r;
	}
	p->master = fd;
	/* the size before the command starts: no SIGWINCH for it to catch */
	winsize(p);
	return 0;
}

/* In enter's intermediate process: the slave on the descriptors that were
 * terminals (the command makes it its controlling terminal, TIOCSCTTY). */
int pty_child(const struct pty *p)
{
	for (int i = 0; i < 3; i++)
		if (p->on[i] && dup2(p->slave, i) < 0)
			return -errno;
	return 0;
}

static void winsize(const struct pty *p)
{
	struct winsize ws;
	for (int i = 0; i < 3; i++)
		if (p->on[i] && ioctl(i, TIOCGWINSZ, &ws) == 0) {
			ioctl(p->master, TIOCSWINSZ, &ws);
			return;
		}
}

/* The operator's keyboard in raw mode, so ^C and ^Z reach the pty's own
 * line discipline; only when fd 0 is a terminal. */
void pty_raw(struct pty *p)
{
	if (p->master < 0 || !p->on[0] || tcgetattr(0, &p->saved) < 0)
		return;
	struct termios t = p->saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSADRAIN, &t) == 0)
		p->raw = true;
	winsize(p);
}

void pty_restore(struct pty *p)
{
	if (p->raw)
		tcsetattr(0, TCSADRAIN, &p->saved);
	p->raw = false;
}

void pty_close(struct pty *p)
{
	pty_restore(p);
	if (p->master >= 0)
		close(p->master);
	if (p->slave >= 0)
		close(p->slave);
	p->master = p->slave = -1;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {fd, POLLOUT, 0};
			poll(&pf, 1, 100);
			continue;
		}
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* What the command wrote before it exited, without waiting for more. */
static void drain(struct pty *p, int out)
{
	char buf[8192];
	ssize_t k;
	while (p->master >= 0 && (k = read(p->master, buf, sizeof(buf))) > 0)
		if (out >= 0 && write_all(out, buf, (size_t)k) < 0)
			out = -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The relay's state from one poll to the next. */
struct relay {
	struct pty *p;
	pid_t child;
	int sfd;                /* the signals, -1 without a signalfd */
	int out;                /* the operator's terminal, -1 once it went away */
	bool in_open;           /* fd 0 still read */
	char inbuf[4096];       /* read from fd 0, not yet written to the master */
	size_t inlen;
};

/* Signals sent to nstop: SIGWINCH resizes the pty, the keyboard's go on to
 * the command, and so do SIGTERM and SIGHUP, which end the relay (returned;
 * 0 for none). */
static int relay_signals(struct relay *r)
{
	int gave_up = 0;
	struct signalfd_siginfo si;
	while (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGWINCH && r->p->master >= 0)
			winsize(r->p);
		else if (sig == SIGINT || sig == SIGQUIT)
			kill(r->child, sig);
		else if (sig == SIGTERM || sig == SIGHUP) {
			kill(r->child, sig);
			gave_up = sig;
		}
	}
	return gave_up;
}

/* fd 0 to the master, the master to the operator's terminal; pf[is] and
 * pf[im] are what poll said of them (is, im: -1 when not polled). */
static void relay_io(struct relay *r, const struct pollfd *pf, int is, int im)
{
	struct pty *p = r->p;
	if (is >= 0 && pf[is].revents) {
		ssize_t k = read(0, r->inbuf, sizeof(r->inbuf));
		if (k > 0)
			r->inlen = (size_t)k;
		else if (k == 0 || (errno != EINTR && errno != EAGAIN))
			r->in_open = false;
	}
	if (im >= 0 && (pf[im].revents & POLLOUT) && r->inlen) {
		ssize_t k = write(p->master, r->inbuf, r->inlen);
		if (k > 0) {
			memmove(r->inbuf, r->inbuf + k, r->inlen - (size_t)k);
			r->inlen -= (size_t)k;
		}
	}
	if (im >= 0 && (pf[im].revents & (POLLIN | POLLHUP | POLLERR))) {
		char buf[8192];
		ssize_t k = read(p->master, buf, sizeof(buf));
		if (k > 0) {
			if (r->out >= 0 && write_all(r->out, buf, (size_t)k) < 0)
				r->out = -1; /* the operator's terminal went away */
		} else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
			/* EIO: no slave left open; the child has exited or is about to */
			close(p->master);
			p->master = -1;
		}
	}
}

/* After the loop: the command's status, waited for (at most 2 s after
 * SIGTERM or SIGHUP, with the pty hung up), and what it wrote last. */
static int relay_end(struct relay *r, int status, int gave_up)
{
	struct pty *p = r->p;
	int st = 0;
	if (gave_up) {
		pty_restore(p);
		if (p->master >= 0)
			close(p->master); /* a hangup for the command's session */
		p->master = -1;
		for (int i = 0; i < 20 && waitpid(r->child, &st, WNOHANG) == 0; i++)
			sleep_ms(100);
		status = 128 + gave_up;
	} else if (status < 0) {
		while (waitpid(r->child, &st, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	drain(p, r->out);
	pty_restore(p);
	if (r->sfd >= 0)
		close(r->sfd);
	return status;
}

/*
 * The parent's side, until the child exits; sigs are the signals the caller
 * blocked before the fork (SIGCHLD, SIGWINCH, SIGINT, SIGQUIT, SIGTERM,
 * SIGHUP). Keyboard signals and SIGTERM/SIGHUP sent to nstop go on to the
 * command (which has its own session); after SIGTERM or SIGHUP the pty is
 * hung up too and nstop waits at most 2 s. Returns the command's status
 * (128 + signal when killed, 128 + nstop's signal when it gave up waiting).
 */
int pty_relay(struct pty *p, pid_t child, const sigset_t *sigs)
{
	struct relay r = {.p = p, .child = child,
			  .sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK),
			  .out = p->on[1] ? 1 : p->on[2] ? 2 : 0,
			  .in_open = p->master >= 0 && p->on[0]};
	int st = 0, status = -1, gave_up = 0;
	if (p->master >= 0)
		winsize(p);
	while (status < 0) {
		pid_t w = waitpid(child, &st, WNOHANG);
		if (w == child) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		struct pollfd pf[3];
		int n = 0, is = -1, im = -1;
		if (r.sfd >= 0)
			pf[n++] = (struct pollfd){r.sfd, POLLIN, 0};
		if (r.in_open && !r.inlen)
			is = n, pf[n++] = (struct pollfd){0, POLLIN, 0};
		if (p->master >= 0)
			im = n, pf[n++] = (struct pollfd){p->master, (short)(POLLIN | (r.inlen ? POLLOUT : 0)), 0};
		/* without a signalfd, SIGCHLD is looked for every 100 ms */
		if (poll(pf, (nfds_t)n, r.sfd >= 0 ? 1000 : 100) < 0 && errno != EINTR)
			break;
		if (r.sfd >= 0 && pf[0].revents && (gave_up = relay_signals(&r)))
			break;
		relay_io(&r, pf, is, im);
	}
	return relay_end(&r, status, gave_up);
}
