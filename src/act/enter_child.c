// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop enter: the child. I, forked by enter.c in the host's pid namespace,
 * joins the target's cgroups and pid and cgroup namespaces, takes the pty,
 * the target's LSM label, groups, user namespace, root and credentials
 * (what enter_grant.c read), and forks C, the command; I then waits for C
 * and ends as it ended. A failure is told to the parent through the error
 * pipe and ends I with 125 (126, 127: C's exec).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"

/* Tells the parent why (it prints and audits it), then exits with code. */
static void __attribute__((noreturn, format(printf, 3, 4)))
child_fail(const struct child *c, int code, const char *fmt, ...)
{
	char msg[600];
	int k = snprintf(msg, sizeof(msg), "%d ", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + k, sizeof(msg) - (size_t)k, fmt, ap);
	va_end(ap);
	if (write(c->errfd, msg, strlen(msg)) < 0)
		_exit(code);
	_exit(code);
}

static void apply_label(const struct child *c)
{
	const struct grant *g = c->g;
	if (g->lsm == LSM_NONE)
		return;
	char s[300];
	int n = g->lsm == LSM_APPARMOR ? snprintf(s, sizeof(s), "exec %s", g->label)
				       : snprintf(s, sizeof(s), "%s", g->label);
	/* the host's /proc: the container's could be anything */
	int fd = g->lsm == LSM_APPARMOR
			 ? openat(c->proc_fd, "thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC)
			 : -1;
	if (fd < 0)
		fd = openat(c->proc_fd, "thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, (size_t)n) != n)
		child_fail(c, 125, "applying the target's %s label %s: %s",
			   g->lsm == LSM_APPARMOR ? "AppArmor" : "SELinux", g->label, strerror(errno));
	close(fd);
}

/* The target's capabilities and ids, inside the user namespace now ours. */
static void apply_creds(const struct child *c)
{
	const struct grant *g = c->g;
	uint64_t bnd = g->same_user ? g->c.cap_bnd : 0;
	uint64_t prm = g->same_user ? g->c.cap_prm : 0;
	uint64_t eff = g->same_user ? g->c.cap_eff & prm : 0;
	/* the bounding set first: dropping needs CAP_SETPCAP, kept until capset */
	for (int cap = 0; cap <= g->last_cap; cap++)
		if (!(bnd & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			child_fail(c, 125, "dropping capability %d from the bounding set: %s", cap,
				   strerror(errno));
	if (setresgid(g->gid[0], g->gid[1], g->gid[2]) < 0)
		child_fail(c, 125, "the target's gid %u: %s", g->gid[1], strerror(errno));
	/* keep the permitted set across the change of uid; capset narrows it */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresuid(g->uid[0], g->uid[1], g->uid[2]) < 0)
		child_fail(c, 125, "the target's uid %u: %s", g->uid[1], strerror(errno));
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
		{(uint32_t)eff, (uint32_t)prm, 0},
		{(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), 0},
	};
	if (syscall(SYS_capset, &h, d) < 0)
		child_fail(c, 125, "capset: %s", strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 ||
	    (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL))
		child_fail(c, 125, "clearing ambient capabilities: %s", strerror(errno));
	/*
	 * Securebits cannot be read from another process (PR_GET_SECUREBITS is
	 * one's own, /proc does not show them), so ours stay 0 and the ceiling
	 * is kept by no_new_privs instead: an exec by uid 0 is given the whole
	 * bounding set as permitted unless SECBIT_NOROOT, and with no_new_privs
	 * it keeps no more than the permitted set it had. Set when the target
	 * has it, when a filter follows, or when such an exec would widen.
	 */
	bool root = g->uid[0] == 0 || g->uid[1] == 0;
	bool nnp = g->c.no_new_privs == 1 || g->c.seccomp == 2 || (root && (bnd & ~prm));
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(c, 125, "no_new_privs: %s", strerror(errno));
	if (g->c.seccomp == 2) {
		struct nerr se = {0};
		if (secure_seccomp(&se) < 0)
			child_fail(c, 125, "%s", se.msg);
	}
}

static void clean_env(const struct child *c, bool root)
{
	char host[256] = "", term[80] = "";
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	if (c->term)
		snprintf(term, sizeof(term), "%s", c->term); /* it points into environ */
	/* the operator's variables wiped, not only dropped: until its exec, C's
	 * memory and /proc/PID/environ are within reach of a container with
	 * CAP_SYS_PTRACE */
	for (char **v = environ; v && *v; v++)
		explicit_bzero(*v, strlen(*v));
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", root ? "/root" : "/", 1);
	if (term[0])
		setenv("TERM", term, 1);
	if (host[0])
		setenv("HOSTNAME", host, 1);
	setenv("container", "nstop", 1);
}

/* C: a session of its own with the pty as its controlling terminal (the
 * terminal's signals and SIGWINCH reach it, not I), default signals, and
 * the exec; an exec that fails is told through the error pipe. */
static void __attribute__((noreturn)) command_main(struct child *c)
{
	const struct enter_opts *o = c->o;
	/* I killed before this (the parent gives up on a setup that hangs):
	 * not left behind, running on in the container */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (setsid() < 0)
		child_fail(c, 125, "setsid: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		if (c->pty->slave >= 0 && c->pty->on[i]) {
			if (ioctl(i, TIOCSCTTY, 0) < 0)
				child_fail(c, 125, "the pty: %s", strerror(errno));
			break;
		}
	secure_signals();
	char **cmd = o->cmd;
	if (cmd && cmd[0]) {
		execvp(cmd[0], cmd);
	} else {
		const char *sh = c->shell && access(c->shell, X_OK) == 0 ? c->shell : "/bin/sh";
		execl(sh, sh, (char *)NULL);
	}
	int err = errno;
	const char *what = cmd && cmd[0] ? cmd[0] : c->shell ? c->shell : "/bin/sh";
	struct buf b = {0};
	str_escape(&b, what, strlen(what), ESC_TEXT);
	child_fail(c, err == ENOENT ? 127 : 126, "%s: %s", buf_str(&b),
		   err == ENOENT ? "not found" : strerror(err));
}

static volatile sig_atomic_t command_pid;

/* I passes on what the parent sends it (SIGINT, SIGQUIT, SIGTERM, SIGHUP) */
static void pass_on(int sig)
{
	int err = errno;
	if (command_pid > 0)
		kill((pid_t)command_pid, sig);
	errno = err;
}

/* Sent on to C by I (pass_on); blocked in I again once C has ended. */
static const int fwd[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};

/* I's signals; they stay blocked (as the parent blocked them) until C exists. */
static void child_signals(void)
{
	static const int dfl[] = {SIGPIPE, SIGCHLD, SIGWINCH};
	static const int ign[] = {SIGTSTP, SIGTTIN, SIGTTOU};
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (size_t i = 0; i < ARRAY_LEN(dfl); i++)
		sigaction(dfl[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < ARRAY_LEN(ign); i++)
		sigaction(ign[i], &sa, NULL);
	sa.sa_handler = pass_on; /* no SA_RESTART: waitpid sees EINTR */
	for (size_t i = 0; i < ARRAY_LEN(fwd); i++)
		sigaction(fwd[i], &sa, NULL);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The target's cgroups and late namespaces, out of the operator's session,
 * onto the pty: all while still the host's root. */
static void child_join(struct child *c)
{
	/* the target's cgroups, while still the host's root in the host's
	 * cgroup namespace (cgroup2 moves only within the writer's) */
	for (int i = 0; i < c->ncg; i++) {
		int k = cgx_write(c->cgfds[i], "cgroup.procs", "0");
		if (k < 0 && k != -EOPNOTSUPP && k != -EBUSY)
			child_fail(c, 125, "joining the target's cgroup: %s", strerror(-k));
	}
	if (c->late_ns && setns(c->pidfd, c->late_ns) < 0)
		child_fail(c, 125, "setns: %s", strerror(errno));
	/* out of the operator's session (C takes one of its own on the pty) */
	if (setsid() < 0)
		child_fail(c, 125, "setsid: %s", strerror(errno));
	if (c->pty->slave >= 0) {
		int r = pty_child(c->pty);
		if (r < 0)
			child_fail(c, 125, "the pty: %s", strerror(-r));
		if (!c->o->privileged && fchown(c->pty->slave, c->g->c.uid[1], (gid_t)-1) < 0) {
			/* the slave stays root's: the command uses the descriptor anyway */
		}
	}
}

/* The label, groups, user namespace, root and directory; every descriptor
 * of nstop's closed; then the target's credentials. */
static void child_confine(struct child *c)
{
	const struct enter_opts *o = c->o;
	const struct grant *g = c->g;
	/* while still the host's root, in host terms (the exec label is
	 * copied to C at the fork) */
	if (!o->privileged)
		apply_label(c);
	if (o->privileged ? setgroups(0, NULL) < 0
			  : setgroups((size_t)g->c.ngroups, (const gid_t *)g->c.groups) < 0)
		child_fail(c, 125, "the target's groups: %s", strerror(errno));
	if (g->join_user && setns(c->pidfd, CLONE_NEWUSER) < 0)
		child_fail(c, 125, "setns user: %s", strerror(errno));
	if (c->rootfd >= 0) {
		if (fchdir(c->rootfd) < 0 || chroot(".") < 0)
			child_fail(c, 125, "the target's root: %s", strerror(errno));
		if (c->cwdfd < 0 || fchdir(c->cwdfd) < 0)
			if (chdir("/") < 0)
				child_fail(c, 125, "chdir /: %s", strerror(errno));
	}
	/* nothing of nstop's but fds 0-2 and the error pipe (closed by exec) */
	if (c->errfd != 3) {
		if (dup3(c->errfd, 3, O_CLOEXEC) < 0)
			_exit(125);
		c->errfd = 3;
	}
	if (syscall(SYS_close_range, 4u, ~0u, 0u) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	if (o->privileged) {
		if (g->join_user &&
		    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
			child_fail(c, 125, "becoming root of the target's user namespace: %s",
				   strerror(errno));
	} else {
		apply_creds(c);
	}
}

/* A clean environment, C forked, and I waits for it and ends as it ended. */
static void __attribute__((noreturn)) child_run(struct child *c)
{
	clean_env(c, c->o->privileged || c->g->uid[1] == 0);
	pid_t cmd = fork();
	if (cmd < 0)
		child_fail(c, 125, "fork: %s", strerror(errno));
	if (cmd == 0)
		command_main(c);
	command_pid = cmd;
	/* the pipe is C's now: its end at C's exec tells the parent it ran */
	close(c->errfd);
	sigset_t m = *c->mask;
	for (size_t i = 0; i < ARRAY_LEN(fwd); i++)
		sigdelset(&m, fwd[i]);
	sigprocmask(SIG_SETMASK, &m, NULL);
	int st = 0;
	while (waitpid(cmd, &st, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	/* the same death for the parent to see (128 + N), no core (not dumpable) */
	int sig = WTERMSIG(st);
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigaction(sig, &sa, NULL);
	sigemptyset(&m);
	sigaddset(&m, sig);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/*
 * I: forked in the host's pid namespace, so no process of the container can
 * see it, let alone ptrace it or open its /proc/PID/fd while it holds the
 * host's descriptors and root (PR_SET_DUMPABLE does not stop a container
 * with CAP_SYS_PTRACE in the initial user namespace). It joins the target's
 * cgroups (the nstop parent never does: it would sit in the container's
 * cgroups, in reach of its memory limit and of a later enter by cgroup
 * path), then its pid and cgroup namespaces (for its children), leaves the
 * operator's session, takes the pty, the label, groups, user namespace, root, closes
 * everything of nstop's and takes the target's credentials; only then it
 * forks C, the command, the one process the container sees, which holds
 * nothing of the host's. I waits for C and ends as it ended.
 */
void enter_child_main(struct child *c)
{
	child_signals();
	child_join(c);
	child_confine(c);
	child_run(c);
}
