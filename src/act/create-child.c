// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create, in the cloned child: waits for the parent's go, sets up its
 * session, hostname, network, filesystem (create-fs.c) and user namespace,
 * drops privileges, and becomes the container's init (reaps, forwards
 * signals, exits with the command's status).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "create.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Closes every descriptor above 2 but the three given (close_range, or
 * one by one up to the limit where the kernel has none). */
void create_keep_fds(int a, int b, int c)
{
	int k[3] = {a, b, c};
	for (int i = 1; i < 3; i++)
		for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	unsigned lo = 3;
	for (int i = 0; i <= 3; i++) {
		unsigned hi = i < 3 ? (unsigned)k[i] : ~0U;
		if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
			long max = sysconf(_SC_OPEN_MAX);
			for (long fd = lo; fd < (hi == ~0U ? (max > 0 ? max : 65536) : (long)hi); fd++)
				close((int)fd);
		}
		if (i < 3 && (unsigned)k[i] + 1 > lo)
			lo = (unsigned)k[i] + 1;
	}
}

static void wait_go(const struct child *c)
{
	char g;
	if (read(c->p2c, &g, 1) != 1 || g != 'G')
		_exit(1); /* the parent gave up: nothing to report to */
}

static volatile sig_atomic_t init_sig;
static void on_init_signal(int sig)
{
	init_sig = sig;
}

/*
 * pid 1 of the container: reaps every zombie, forwards SIGTERM, SIGINT and
 * SIGHUP to CMD, exits with CMD's status (or on SIGTERM without CMD). A pid
 * namespace's init ignores signals it has no handler for, hence handlers.
 */
static void __attribute__((noreturn)) container_init(const struct create_opts *o, char **cmd)
{
	prctl(PR_SET_NAME, "nstop-init", 0, 0, 0);
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
	sigset_t set;
	sigemptyset(&set);
	struct sigaction sa = {.sa_handler = on_init_signal};
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t child = 0;
	if (cmd && cmd[0]) {
		child = fork();
		if (child == 0) {
			secure_signals();
			/* -u: the command alone drops to the ids (the init stays
			 * the container's root to reap and forward signals); from
			 * root to another uid the kernel clears every capability */
			if (o->user_set && (setgroups(o->ngroups, o->groups) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 ||
					    setresuid(o->uid, o->uid, o->uid) < 0)) {
				fprintf(stderr, "nstop-init: --user %u:%u: %s\n", (unsigned)o->uid,
					(unsigned)o->gid, strerror(errno));
				_exit(126);
			}
			execvp(cmd[0], cmd);
			int err = errno;
			fprintf(stderr, "nstop-init: %s: %s\n", cmd[0], strerror(err));
			_exit(err == ENOENT ? 127 : 126);
		}
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig == SIGCHLD) {
			int st;
			pid_t p;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				if (p == child)
					_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		} else if (sig > 0) {
			if (child > 0)
				kill(child, sig);
			else
				_exit(0);
		}
	}
}

/*
 * The init is nstop without an exec: its /proc/1/environ and cmdline would
 * show nstop's own environment and command line (tokens, SSH_AUTH_SOCK) to
 * the container. Zeroes both areas (their bounds: /proc/self/stat fields
 * 48 to 51) and leaves keep as the command line. --rm's supervisor wipes
 * its command line alone (create's -e values; /proc/PID/cmdline is
 * readable by every user): what it still uses of argv copied first, and
 * its environment (NSTOP_STATE_DIR; readable by root alone) kept.
 */
void act_wipe_args(bool environ_too, const char *keep)
{
	char st[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof(st) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	st[n] = '\0';
	char *p = strrchr(st, ')');
	unsigned long v[4] = {0};
	for (int field = 2; p && field < 51;) {
		p = strchr(p + 1, ' ');
		if (!p)
			return;
		field++;
		if (field >= 48)
			v[field - 48] = strtoul(p + 1, NULL, 10);
	}
	for (int i = 0; i < (environ_too ? 4 : 2); i += 2)
		if (v[i] && v[i + 1] > v[i] && v[i + 1] - v[i] < (1ul << 24))
			memset((void *)v[i], 0, v[i + 1] - v[i]);
	if (v[0] && v[1] - v[0] > strlen(keep) + 1)
		memcpy((void *)v[0], keep, strlen(keep) + 1);
}

void __attribute__((noreturn)) create_child_main(struct child *c)
{
	const struct create_opts *o = c->o;
	struct nerr e = {0};
	/* the init starts as a fresh process would: no handler, mask or
	 * ignored signal of run_create's or of nstop's launcher */
	secure_signals();
	wait_go(c);
	/* a session of its own: the operator's terminal is never its
	 * controlling one (/dev/tty gives ENXIO, no TIOCSTI into the shell) */
	if (setsid() < 0)
		create_child_fail(c, "setsid: %s", strerror(errno));
	if ((o->ns & (1u << NS_CGROUP)) && unshare(CLONE_NEWCGROUP) < 0)
		create_child_fail(c, "cgroup namespace: %s", strerror(errno));
	if ((o->ns & (1u << NS_UTS)) && sethostname(o->hostname, strlen(o->hostname)) < 0)
		create_child_fail(c, "sethostname: %s", strerror(errno));
	if ((o->ns & (1u << NS_TIME)) && unshare(CLONE_NEWTIME) < 0)
		create_child_fail(c, "time namespace: %s", strerror(errno));
	if ((o->ns & (1u << NS_NET)) &&
	    net_setup_inside(o->net == NET_VETH ? c->ctr_addr : NULL, c->host_addr, &e) < 0)
		create_child_fail(c, "network: %s", e.msg);
	if (o->ns & (1u << NS_MNT))
		create_setup_fs(c);
	if (o->ns & (1u << NS_USER)) {
		/* after the mounts, which need the host's root; the parent writes
		 * the maps of the new user namespace */
		if (unshare(CLONE_NEWUSER) < 0)
			create_child_fail(c, "user namespace: %s", strerror(errno));
		if (write(c->c2p, "U", 1) != 1)
			_exit(1);
		wait_go(c);
		if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
			create_child_fail(c, "becoming root of the user namespace: %s", strerror(errno));
	}
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(c->logfd, 1) < 0 || dup2(c->logfd, 2) < 0)
		create_child_fail(c, "stdio: %s", strerror(errno));
	close(devnull);
	close(c->logfd);
	if (!o->privileged) {
		if (secure_caps(&e) < 0 || secure_seccomp(&e) < 0)
			create_child_fail(c, "%s", e.msg);
	}
	/* -w: inside the container's root (after the mounts); a directory
	 * that is not there fails create itself */
	if (o->workdir && chdir(o->workdir) < 0)
		create_child_fail(c, "--workdir: %s", strerror(errno));
	if (write(c->c2p, "R", 1) != 1)
		_exit(1);
	close(c->c2p);
	close(c->p2c);
	/* nothing of nstop's environment: the clean set and -e, --env-file */
	environ = c->envp;
	char **cmd = NULL;
	size_t nc = 0;
	for (char **a = o->cmd; a && *a; a++) {
		cmd = xreallocarray(cmd, nc + 2, sizeof(*cmd));
		cmd[nc++] = xstrdup(*a);
		cmd[nc] = NULL;
	}
	act_wipe_args(true, "nstop-init");
	container_init(o, cmd);
}
