// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop enter: a command inside a container, never with more than the
 * process it enters has. The target's pidfd is opened first and its start
 * time checked (a reused pid is never entered); then, through its /proc
 * directory, its credentials (/proc/PID/status), LSM label, id maps, root,
 * directory and cgroups are read or opened, and a new pty when a terminal
 * is on fds 0-2; the pidfd must still be alive after all of that, so every
 * read was of that process. nstop joins every namespace but the user, pid
 * and cgroup ones through the pidfd (as nsenter does for root: the host's
 * root may join any) and forks I, still in the host's pid namespace, out
 * of the container's sight. I joins the target's cgroups while still the
 * host's root, then its pid and cgroup namespaces, leaves the operator's
 * session, puts the pty on fds 0-2, takes the target's LSM label for its exec and its
 * supplementary groups, joins the target's user namespace, its root and
 * directory, closes every other descriptor, and takes the target's
 * bounding set, ids, effective and permitted capabilities, no_new_privs
 * and, when the target has a seccomp filter, nstop's; then a clean
 * environment, and forks C, the command, the only process the container
 * can see, holding nothing of the host's, in a session of its own on the
 * pty; I passes signals on to it and ends as it ended. The parent relays
 * the pty and records the enter in the audit log, back in nstop's own
 * namespaces (nothing of the container's is read or loaded there).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "act.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const int ns_flag[NS_NTYPES] = {
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC, [NS_MNT] = CLONE_NEWNS,
	[NS_NET] = CLONE_NEWNET,       [NS_PID] = CLONE_NEWPID, [NS_TIME] = 0x80,
	[NS_USER] = CLONE_NEWUSER,     [NS_UTS] = CLONE_NEWUTS,
};

enum { LSM_NONE, LSM_APPARMOR, LSM_SELINUX };

/* What the command gets, worked out before the fork. */
struct grant {
	struct proc_creds c;     /* the target's, as the host sees them */
	bool same_user;          /* the command ends in the target's user namespace */
	bool join_user;          /* ... by joining it */
	uint32_t uid[3], gid[3]; /* real, effective, saved, inside that namespace */
	int lsm;
	char label[256];
	int last_cap;
};

/* The host's pid namespace has this inode (include/linux/proc_ns.h) */
#define PID_NS_INIT_INO 0xEFFFFFFCu

/* A pid's parent as the sysroot's /proc says, -1 when unreadable. */
static pid_t ppid_of(struct sysroot *sr, pid_t pid)
{
	char f[64], s[2048];
	struct stat_fields sf;
	snprintf(f, sizeof(f), "%d/stat", (int)pid);
	int k = read_small_at(sr->proc_fd, f, s, sizeof(s));
	return k < 0 || parse_proc_stat(s, (size_t)k, &sf) < 0 ? -1 : sf.ppid;
}

/*
 * The process a cgroup target is entered through: its init as the
 * containers view picks it, the lowest pid in a pid namespace other than
 * the host's (a runtime's shim, an unshare parent or an operator's nstop
 * may sit beside it in cgroup.procs), else the lowest pid; never nstop
 * itself nor one of its ancestors (entering those is the host's root).
 */
static pid_t first_pid(struct sysroot *sr, const struct act_target *t)
{
	int mi = act_primary_mount(sr, t);
	pid_t *p = NULL;
	size_t n = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p);
	pid_t mine[64];
	size_t nmine = 0;
	char l[32];
	ssize_t k = readlinkat(sr->proc_fd, "self", l, sizeof(l) - 1);
	if (k > 0) {
		l[k] = '\0';
		for (pid_t a = (pid_t)atoi(l); a > 0 && nmine < ARRAY_LEN(mine); a = ppid_of(sr, a))
			mine[nmine++] = a;
	}
	pid_t r = 0;
	bool r_own = false;
	for (size_t i = 0; i < n; i++) {
		bool skip = p[i] <= 0;
		for (size_t j = 0; j < nmine && !skip; j++)
			skip = p[i] == mine[j];
		if (skip)
			continue;
		char q[64];
		struct stat st;
		snprintf(q, sizeof(q), "%d/ns/pid", (int)p[i]);
		bool own = fstatat(sr->proc_fd, q, &st, 0) == 0 && st.st_ino != PID_NS_INIT_INO;
		if (!r || (own && !r_own) || (own == r_own && p[i] < r))
			r = p[i], r_own = own;
	}
	free(p);
	return r;
}

/* A host id through a /proc/PID/[ug]id_map as the host reads it. */
static int map_id(const char *map, uint32_t host, uint32_t *inside)
{
	for (const char *p = map; p && *p;) {
		unsigned long long in, out, cnt;
		if (sscanf(p, "%llu %llu %llu", &in, &out, &cnt) == 3 && host >= out &&
		    host - out < cnt) {
			*inside = (uint32_t)(in + (host - out));
			return 0;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

/* The target's AppArmor profile or SELinux label, when it has one that is
 * not ours; a label with anything but printable ASCII is refused. */
static int read_label(struct sysroot *sr, int pdir, struct grant *g, struct nerr *e)
{
	struct buf b = {0}, self = {0};
	int kind = LSM_APPARMOR;
	int n = read_file_at(pdir, "attr/apparmor/current", &b);
	if (n < 0) {
		n = read_file_at(pdir, "attr/current", &b);
		kind = faccessat(AT_FDCWD, "/sys/module/apparmor", F_OK, 0) == 0 ? LSM_APPARMOR
										  : LSM_SELINUX;
	}
	int r = 0;
	while (n > 0 && (b.p[n - 1] == '\n' || b.p[n - 1] == '\0'))
		b.p[--n] = '\0';
	if (n <= 0)
		goto out; /* no LSM (EINVAL), or nothing said */
	if (kind == LSM_APPARMOR) {
		/* "docker-default (enforce)": the profile without its mode */
		char *sp = strrchr(b.p, ' ');
		if (sp && sp[1] == '(' && b.p[n - 1] == ')')
			*sp = '\0', n = (int)(sp - b.p);
		if (!strcmp(b.p, "unconfined"))
			goto out;
	}
	for (int i = 0; i < n; i++)
		if (b.p[i] < 0x21 || b.p[i] > 0x7e || (size_t)n >= sizeof(g->label))
			r = -EINVAL;
	if (r < 0) {
		nerr_set(e, r, "the target's LSM label is not one nstop can apply");
		goto out;
	}
	int k = read_file_at(sr->proc_fd, kind == LSM_APPARMOR ? "self/attr/apparmor/current"
							       : "self/attr/current", &self);
	while (k > 0 && (self.p[k - 1] == '\n' || self.p[k - 1] == '\0'))
		self.p[--k] = '\0';
	if (k > 0 && !strncmp(self.p, b.p, (size_t)n) &&
	    (self.p[n] == '\0' || self.p[n] == ' '))
		goto out; /* nstop's own: nothing to change */
	g->lsm = kind;
	snprintf(g->label, sizeof(g->label), "%s", b.p);
out:
	buf_free(&b);
	buf_free(&self);
	return r;
}

static int last_cap(struct sysroot *sr)
{
	char s[16];
	int n = read_small_at(sr->proc_fd, "sys/kernel/cap_last_cap", s, sizeof(s));
	int last = n > 0 ? atoi(s) : 40;
	return last > 0 && last < 64 ? last : 40;
}

/* ---- the child: I, the intermediate in the host's pid namespace, then C ---- */

struct child {
	const struct enter_opts *o;
	const struct grant *g;
	struct pty *pty;
	int pidfd, rootfd, cwdfd, proc_fd, errfd;
	const int *cgfds;
	int ncg;
	int late_ns;             /* CLONE_NEWPID, CLONE_NEWCGROUP: joined by I */
	const sigset_t *mask;
	const char *shell;
	const char *term;
};

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
	static const int dfl[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGWINCH,
				  SIGTSTP, SIGTTIN, SIGTTOU};
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (size_t i = 0; i < ARRAY_LEN(dfl); i++)
		sigaction(dfl[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, c->mask, NULL);
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
static void __attribute__((noreturn)) child_main(struct child *c)
{
	const struct enter_opts *o = c->o;
	const struct grant *g = c->g;
	/* signals stay blocked (as the parent blocked them) until C exists */
	static const int dfl[] = {SIGPIPE, SIGCHLD, SIGWINCH};
	static const int ign[] = {SIGTSTP, SIGTTIN, SIGTTOU};
	static const int fwd[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
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
		if (!o->privileged && fchown(c->pty->slave, g->c.uid[1], (gid_t)-1) < 0) {
			/* the slave stays root's: the command uses the descriptor anyway */
		}
	}
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
	clean_env(c, o->privileged || g->uid[1] == 0);
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
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&m);
	sigaddset(&m, sig);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/* ---- the parent ---- */

/* Reads /proc/PID/status and the rest of what the command will be given. */
static int work_out_grant(struct sysroot *sr, int pdir, pid_t pid, bool privileged,
			  struct grant *g, struct nerr *e)
{
	struct buf b = {0};
	int n = read_file_at(pdir, "status", &b);
	int r = n < 0 ? n : parse_proc_status(b.p, (size_t)n, &g->c);
	buf_free(&b);
	if (r < 0) {
		nerr_set(e, r == -ENOENT ? -ESRCH : r, "pid %d: its credentials (/proc/%d/status): %s",
			 (int)pid, (int)pid, r == -ENOENT ? "it exited" : strerror(-r));
		return r;
	}
	if (!privileged && g->c.seccomp == 1) {
		nerr_set(e, -EPERM, "pid %d runs in seccomp's strict mode: no command can have as little "
				    "(--privileged to enter anyway)", (int)pid);
		return -EPERM;
	}
	for (int i = 0; i < 3; i++)
		g->uid[i] = g->c.uid[i], g->gid[i] = g->c.gid[i];
	if (g->join_user) {
		struct buf um = {0}, gm = {0};
		bool ok = read_file_at(pdir, "uid_map", &um) >= 0 && read_file_at(pdir, "gid_map", &gm) >= 0;
		for (int i = 0; i < 3 && ok; i++)
			ok = map_id(um.p, g->c.uid[i], &g->uid[i]) == 0 &&
			     map_id(gm.p, g->c.gid[i], &g->gid[i]) == 0;
		buf_free(&um);
		buf_free(&gm);
		if (!ok && !privileged) {
			nerr_set(e, -EINVAL, "pid %d: its ids are not mapped in its own user namespace",
				 (int)pid);
			return -EINVAL;
		}
	}
	g->last_cap = last_cap(sr);
	return privileged ? 0 : read_label(sr, pdir, g, e);
}

/* Back to the namespaces nstop left (home: their fds, -1 for those not left). */
static int go_home(const int *home, struct nerr *e)
{
	for (int i = 0; i < NS_NTYPES; i++) {
		if (home[i] >= 0 && setns(home[i], 0) < 0) {
			int r = -errno;
			nerr_set(e, r, "back to nstop's %s namespace: %s", ns_type_name(i), strerror(errno));
			return r;
		}
	}
	return 0;
}

static void audit_enter(struct audit *a, struct sysroot *sr, const struct act_target *t, pid_t pid,
			uint64_t start, unsigned joined, const struct enter_opts *o, bool pty, int r,
			const struct nerr *e)
{
	if (!a || a->fd < 0)
		return;
	struct buf nb = {0}, ns = {0};
	struct json j;
	json_init(&j, &nb, false);
	json_obj_begin(&j, NULL);
	json_i64(&j, "pid", pid);
	json_u64(&j, "start", start);
	json_bool(&j, "privileged", o->privileged);
	for (int i = 0; i < NS_NTYPES; i++)
		if (joined & (1u << i))
			buf_printf(&ns, "%s%s", ns.len ? "," : "", ns_type_name(i));
	json_str(&j, "ns", buf_str(&ns));
	json_arr_begin(&j, "command");
	for (char **c = o->cmd; c && *c; c++)
		json_str(&j, NULL, *c);
	json_arr_end(&j);
	json_bool(&j, "pty", pty);
	json_obj_end(&j);
	struct audit_rec rec = {.action = "enter", .target = t, .new_obj = buf_str(&nb),
				.err = r < 0 ? e : NULL};
	audit_record(a, sr, &rec);
	buf_free(&nb);
	buf_free(&ns);
}

/*
 * Returns CMD's exit status (128 + signal when killed), 125/126/127 when
 * the child could not set up or exec it (said on stderr), or -errno with e
 * filled when nstop itself failed before (the CLI then exits 125).
 */
int act_enter(struct sysroot *sr, struct audit *a, const char *word, const struct enter_opts *o,
	      struct nerr *e)
{
	/* PID@START (the dashboard's rows): that process and no other */
	char pw[32];
	uint64_t want_start = 0;
	const char *at = strchr(word, '@');
	if (at && at != word && (size_t)(at - word) < sizeof(pw) &&
	    strspn(word, "0123456789") == (size_t)(at - word)) {
		if (str_parse_u64(at + 1, &want_start) < 0 || !want_start) {
			nerr_set(e, -EINVAL, "PID@START: the start is a number of clock ticks");
			return -EINVAL;
		}
		snprintf(pw, sizeof(pw), "%.*s", (int)(at - word), word);
		word = pw;
	}
	struct act_target t;
	int r = act_resolve(sr, word, &t, e);
	if (r < 0)
		return r;
	pid_t pid = t.pid ? t.pid : first_pid(sr, &t);
	struct buf d = {0};
	struct grant g = {0};
	struct pty pty = {.master = -1, .slave = -1};
	int pidfd = -1, pdir = -1, rootfd = -1, cwdfd = -1, errp[2] = {-1, -1};
	int cgfds[CG_MAX_MOUNTS], home[NS_NTYPES];
	int ncg = 0;
	for (int i = 0; i < NS_NTYPES; i++)
		home[i] = -1;
	unsigned want = o->ns ? o->ns : (1u << NS_NTYPES) - 1, joined = 0;
	uint64_t start = 0;
	bool blocked = false, recorded = false;
	struct nerr he = {0};
	sigset_t sigs, old;
	if (!pid) {
		nerr_set(e, -EINVAL, "%s: no process in it to enter", act_target_desc(&t, &d));
		r = -EINVAL;
		goto out;
	}
	if (!want_start && (r = sysroot_pid_start(sr, pid, &want_start)) < 0) {
		nerr_set(e, r, "pid %d: %s", (int)pid, r == -ESRCH ? "it exited" : strerror(-r));
		goto out;
	}
	/* ---- the pidfd, then the start time: the pid cannot be another's now ---- */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = -errno;
		nerr_set(e, r, "pid %d: %s", (int)pid, strerror(errno));
		goto out;
	}
	r = sysroot_pid_start(sr, pid, &start);
	if (r == 0 && start != want_start)
		r = -ESRCH;
	if (r < 0) {
		nerr_set(e, r, r == -ESRCH ? "pid %d exited or is now another process: nothing entered"
					   : "pid %d: %s", (int)pid, strerror(-r));
		goto out;
	}
	char p[64];
	snprintf(p, sizeof(p), "%d", (int)pid);
	pdir = openat(sr->proc_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pdir < 0) {
		r = -errno;
		nerr_set(e, r, "/proc/%d: %s", (int)pid, strerror(errno));
		goto out;
	}
	if (act_frozen(sr, &t) == 1) {
		nerr_set(e, -EBUSY, "%s is frozen: a command in it would hang; thaw it first",
			 act_target_desc(&t, &d));
		r = -EBUSY;
		goto out;
	}
	/* ---- which namespaces: the ones that are not ours already ---- */
	g.same_user = true;
	for (int i = 0; i < NS_NTYPES; i++) {
		char q[64];
		struct stat sa, sb;
		snprintf(q, sizeof(q), "ns/%s", ns_type_name(i));
		if (fstatat(pdir, q, &sa, 0) < 0)
			continue; /* a kernel without it */
		snprintf(q, sizeof(q), "self/ns/%s", ns_type_name(i));
		if (fstatat(sr->proc_fd, q, &sb, 0) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev)
			continue; /* already there (joining one's own user namespace fails) */
		if (want & (1u << i))
			joined |= 1u << i;
		else if (i == NS_USER)
			g.same_user = false; /* its capabilities count in a namespace not joined */
	}
	g.join_user = joined & (1u << NS_USER);
	if ((r = work_out_grant(sr, pdir, pid, o->privileged, &g, e)) < 0)
		goto out;
	if (want & (1u << NS_MNT)) {
		rootfd = openat(pdir, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		cwdfd = openat(pdir, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			r = -errno;
			nerr_set(e, r, "pid %d's root: %s", (int)pid, strerror(errno));
			goto out;
		}
	}
	if (want & ((1u << NS_PID) | (1u << NS_CGROUP))) {
		struct act_target pc = {0};
		act_pid_cgroups(sr, pid, &pc);
		for (int i = 0; i < sr->nmounts; i++) {
			if (!pc.paths[i])
				continue;
			int fd = cgx_open(sr, i, pc.paths[i]);
			if (fd >= 0)
				cgfds[ncg++] = fd;
		}
		act_target_free(&pc);
	}
	if (!o->no_pty && pty_wanted(pty.on) && (r = pty_open(&pty, rootfd, e)) < 0)
		goto out;
	/* still the process whose start time was checked: every read was its */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		r = -ESRCH;
		nerr_set(e, r, "pid %d exited", (int)pid);
		goto out;
	}
	const char *shell = NULL;
	struct passwd *pwd = getpwuid(getuid());
	char shellbuf[256] = "";
	if (pwd && pwd->pw_shell)
		snprintf(shellbuf, sizeof(shellbuf), "%s", pwd->pw_shell);
	shell = shellbuf[0] ? shellbuf : NULL;
	/* TERM for the pty, if it is a plain terminal name */
	const char *term = getenv("TERM");
	if (pty.master < 0)
		term = NULL;
	else if (!term || !*term || strlen(term) > 64 ||
		 strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_") !=
			 strlen(term))
		term = "xterm";
	/* ---- every namespace but the user, pid and cgroup ones (I's), through
	 * the pidfd; nstop's own kept to come back to after the fork ---- */
	unsigned flags = 0;
	int late_ns = 0;
	for (int i = 0; i < NS_NTYPES && !r; i++) {
		if (!(joined & (1u << i)) || i == NS_USER)
			continue;
		if (i == NS_PID || i == NS_CGROUP) {
			late_ns |= ns_flag[i];
			continue;
		}
		flags |= (unsigned)ns_flag[i];
		char q[64];
		snprintf(q, sizeof(q), "thread-self/ns/%s", ns_type_name(i));
		if ((home[i] = openat(sr->proc_fd, q, O_RDONLY | O_CLOEXEC)) < 0) {
			r = -errno;
			nerr_set(e, r, "%s: %s", q, strerror(errno));
		}
	}
	if (!r && flags && setns(pidfd, (int)flags) < 0) {
		r = -errno;
		nerr_set(e, r, "setns: %s", strerror(errno));
	}
	if (r)
		goto out;
	/* the error pipe above fd 2 whatever nstop was started with */
	if (pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		nerr_set(e, r, "pipe: %s", strerror(errno));
		goto out;
	}
	sigemptyset(&sigs);
	static const int relayed[] = {SIGCHLD, SIGWINCH, SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < ARRAY_LEN(relayed); i++)
		sigaddset(&sigs, relayed[i]);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	blocked = true;
	fflush(NULL);
	/* not dumpable from the fork's first instruction (the flag lives in the
	 * mm, which the child copies): I holds the host's descriptors until
	 * close_range; it is out of the container's pid namespace, and this
	 * keeps whatever else shares its mount or user namespace out too */
	int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* I, in the host's pid namespace */
	pid_t child = fork();
	if (child != 0 && dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (child < 0) {
		r = -errno;
		nerr_set(e, r, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0) {
		close(errp[0]);
		struct child c = {.o = o, .g = &g, .pty = &pty, .pidfd = pidfd, .rootfd = rootfd,
				  .cwdfd = cwdfd, .proc_fd = sr->proc_fd, .errfd = errp[1],
				  .cgfds = cgfds, .ncg = ncg, .late_ns = late_ns, .mask = &old,
				  .shell = shell, .term = term};
		child_main(&c);
	}
	close(errp[1]);
	errp[1] = -1;
	/*
	 * Back to nstop's own namespaces: what the parent does from here on
	 * (the audit record looks the user up through NSS, which would read
	 * the container's nsswitch.conf and load its libraries as the host's
	 * root) happens on the host, out of the container's reach.
	 */
	if ((r = go_home(home, e)) < 0) {
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	if (pty.slave >= 0)
		close(pty.slave);
	pty.slave = -1;
	/* the child's word: nothing once it has exec'd, else why not; SIGINT,
	 * SIGQUIT, SIGTERM or SIGHUP meanwhile (a setup that hangs) kill it */
	char msg[600];
	ssize_t k = -1;
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK), stopped = 0;
	while (k < 0) {
		struct pollfd pf[2] = {{errp[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(pf, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents && (k = read(errp[0], msg, sizeof(msg) - 1)) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		while (sfd >= 0 && (pf[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && !stopped) {
				stopped = (int)si.ssi_signo;
				kill(child, SIGKILL);
			}
	}
	if (sfd >= 0)
		close(sfd);
	if (stopped && k <= 0) {
		k = snprintf(msg, sizeof(msg), "125 stopped by signal %d before the command ran", stopped);
	}
	if (k > 0) {
		msg[k] = '\0';
		char *sp = strchr(msg, ' ');
		int code = atoi(msg);
		nerr_set(e, -ECHILD, "%s", sp ? sp + 1 : msg);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		audit_enter(a, sr, &t, pid, start, joined, o, pty.master >= 0, -1, e);
		recorded = true;
		fprintf(stderr, "nstop: enter: %s\n", e->msg);
		r = code >= 125 && code <= 127 ? code : 125;
		goto out;
	}
	audit_enter(a, sr, &t, pid, start, joined, o, pty.master >= 0, 0, e);
	recorded = true;
	pty_raw(&pty);
	r = pty_relay(&pty, child, &sigs);
out:
	if (r < 0 && go_home(home, &he) < 0) {
		/* nothing more is done in the container's namespaces: the CLI exits */
		recorded = true;
	}
	/* a refusal of bad input is not an action (as for the others) */
	if (r < 0 && !recorded && e->code != -EINVAL)
		audit_enter(a, sr, &t, pid, start, joined, o, false, r, e);
	pty_close(&pty);
	if (blocked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < 2; i++)
		if (errp[i] >= 0)
			close(errp[i]);
	for (int i = 0; i < ncg; i++)
		close(cgfds[i]);
	for (int i = 0; i < NS_NTYPES; i++)
		if (home[i] >= 0)
			close(home[i]);
	if (rootfd >= 0)
		close(rootfd);
	if (cwdfd >= 0)
		close(cwdfd);
	if (pdir >= 0)
		close(pdir);
	if (pidfd >= 0)
		close(pidfd);
	buf_free(&d);
	act_target_free(&t);
	return r;
}
