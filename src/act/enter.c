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
 * This file is the parent; the target's identity is read in enter_grant.c,
 * the child is enter_child.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"

static const int ns_flag[NS_NTYPES] = {
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC, [NS_MNT] = CLONE_NEWNS,
	[NS_NET] = CLONE_NEWNET,       [NS_PID] = CLONE_NEWPID, [NS_TIME] = 0x80,
	[NS_USER] = CLONE_NEWUSER,     [NS_UTS] = CLONE_NEWUTS,
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
	/* a partial list (a tree too deep to read) still names a member */
	size_t n = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p, NULL);
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

/* The parent's state from the target's resolution to the report: every
 * descriptor -1 until opened, all closed by enter_end. */
struct enter_run {
	struct act_target t;
	struct buf d;                /* the target's description, for messages */
	pid_t pid;
	uint64_t start;
	struct grant g;
	struct pty pty;
	int pidfd, pdir, rootfd, cwdfd, errp[2];
	int cgfds[CG_MAX_MOUNTS], ncg;
	int home[NS_NTYPES];         /* nstop's own namespaces, to come back to */
	unsigned want, joined;       /* bits per enum ns_type */
	int late_ns;                 /* CLONE_NEWPID, CLONE_NEWCGROUP: I joins them */
	char shell[256];
	const char *term;
	sigset_t sigs, old;          /* the relayed signals; the mask before */
	bool blocked, recorded;
	pid_t child;                 /* I */
};

/* PID@START (the dashboard's rows): that process and no other; *word is
 * then the pid alone, in pw. */
static int parse_word(const char **word, char *pw, size_t n, uint64_t *want_start, struct nerr *e)
{
	const char *w = *word, *at = strchr(w, '@');
	if (at && at != w && (size_t)(at - w) < n && strspn(w, "0123456789") == (size_t)(at - w)) {
		if (str_parse_u64(at + 1, want_start) < 0 || !*want_start)
			return nerr_input(e, -EINVAL, "PID@START: the start is a number of clock ticks");
		snprintf(pw, n, "%.*s", (int)(at - w), w);
		*word = pw;
	}
	return 0;
}

/* ---- the pidfd, then the start time: the pid cannot be another's now ---- */
static int pin_target(struct sysroot *sr, struct enter_run *x, uint64_t want_start, struct nerr *e)
{
	pid_t pid = x->pid;
	int r, err;
	if (!pid)
		return nerr_input(e, -EINVAL, "%s: no process in it to enter", act_target_desc(&x->t, &x->d));
	if (!want_start && (r = sysroot_pid_start(sr, pid, &want_start)) < 0)
		return err_vanished(r) ? nerr_input(e, r, "pid %d: it exited", (int)pid)
				       : nerr_set(e, r, "pid %d: %s", (int)pid, strerror(-r));
	x->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (x->pidfd < 0) {
		err = errno;
		return err_vanished(err) ? nerr_input(e, -err, "pid %d: %s", (int)pid, strerror(err))
					 : nerr_set(e, -err, "pid %d: %s", (int)pid, strerror(err));
	}
	r = sysroot_pid_start(sr, pid, &x->start);
	if (r == 0 && x->start != want_start)
		r = -ESRCH;
	if (r < 0 && err_vanished(r))
		return nerr_input(e, r, "pid %d exited or is now another process: nothing entered", (int)pid);
	if (r < 0)
		return nerr_set(e, r, "pid %d: %s", (int)pid, strerror(-r));
	char p[64];
	snprintf(p, sizeof(p), "%d", (int)pid);
	x->pdir = openat(sr->proc_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->pdir < 0) {
		err = errno;
		return nerr_set(e, -err, "/proc/%d: %s", (int)pid, strerror(err));
	}
	if (act_frozen(sr, &x->t) == 1)
		return nerr_input(e, -EBUSY, "%s is frozen: a command in it would hang; thaw it first",
				  act_target_desc(&x->t, &x->d));
	return 0;
}

/* ---- which namespaces: the ones that are not ours already ---- */
static void which_ns(struct sysroot *sr, struct enter_run *x)
{
	x->g.same_user = true;
	for (int i = 0; i < NS_NTYPES; i++) {
		char q[64];
		struct stat sa, sb;
		snprintf(q, sizeof(q), "ns/%s", ns_type_name(i));
		if (fstatat(x->pdir, q, &sa, 0) < 0)
			continue; /* a kernel without it */
		snprintf(q, sizeof(q), "self/ns/%s", ns_type_name(i));
		if (fstatat(sr->proc_fd, q, &sb, 0) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev)
			continue; /* already there (joining one's own user namespace fails) */
		if (x->want & (1u << i))
			x->joined |= 1u << i;
		else if (i == NS_USER)
			x->g.same_user = false; /* its capabilities count in a namespace not joined */
	}
	x->g.join_user = x->joined & (1u << NS_USER);
}

/* The operator's shell, and TERM for the pty if it is a plain terminal name. */
static void shell_and_term(struct enter_run *x)
{
	struct passwd *pwd = getpwuid(getuid());
	if (pwd && pwd->pw_shell)
		snprintf(x->shell, sizeof(x->shell), "%s", pwd->pw_shell);
	const char *term = getenv("TERM");
	if (x->pty.master < 0)
		term = NULL;
	else if (!term || !*term || strlen(term) > 64 ||
		 strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_") !=
			 strlen(term))
		term = "xterm";
	x->term = term;
}

/* What the child is handed: the grant, the target's root and directory,
 * its cgroups, a pty; the pidfd alive after all of it. */
static int prepare(struct sysroot *sr, const struct enter_opts *o, struct enter_run *x,
		   struct nerr *e)
{
	int r;
	if ((r = enter_grant(sr, x->pdir, x->pid, o->privileged, &x->g, e)) < 0)
		return r;
	if (x->want & (1u << NS_MNT)) {
		x->rootfd = openat(x->pdir, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		x->cwdfd = openat(x->pdir, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (x->rootfd < 0) {
			int err = errno;
			return nerr_set(e, -err, "pid %d's root: %s", (int)x->pid, strerror(err));
		}
	}
	if (x->want & ((1u << NS_PID) | (1u << NS_CGROUP))) {
		struct act_target pc = {0};
		act_pid_cgroups(sr, x->pid, &pc);
		for (int i = 0; i < sr->nmounts; i++) {
			if (!pc.paths[i])
				continue;
			int fd = cgx_open(sr, i, pc.paths[i]);
			if (fd >= 0)
				x->cgfds[x->ncg++] = fd;
		}
		act_target_free(&pc);
	}
	if (!o->no_pty && pty_wanted(x->pty.on) && (r = pty_open(&x->pty, x->rootfd, e)) < 0)
		return r;
	/* still the process whose start time was checked: every read was its */
	if (syscall(SYS_pidfd_send_signal, x->pidfd, 0, NULL, 0) < 0)
		return nerr_input(e, -ESRCH, "pid %d exited", (int)x->pid);
	shell_and_term(x);
	return 0;
}

/* ---- every namespace but the user, pid and cgroup ones (I's), through
 * the pidfd; nstop's own kept to come back to after the fork ---- */
static int join_ns(struct sysroot *sr, struct enter_run *x, struct nerr *e)
{
	unsigned flags = 0;
	int r = 0;
	for (int i = 0; i < NS_NTYPES && !r; i++) {
		if (!(x->joined & (1u << i)) || i == NS_USER)
			continue;
		if (i == NS_PID || i == NS_CGROUP) {
			x->late_ns |= ns_flag[i];
			continue;
		}
		flags |= (unsigned)ns_flag[i];
		char q[64];
		snprintf(q, sizeof(q), "thread-self/ns/%s", ns_type_name(i));
		if ((x->home[i] = openat(sr->proc_fd, q, O_RDONLY | O_CLOEXEC)) < 0) {
			r = -errno;
			nerr_set(e, r, "%s: %s", q, strerror(errno));
		}
	}
	if (!r && flags && setns(x->pidfd, (int)flags) < 0) {
		r = -errno;
		nerr_set(e, r, "setns: %s", strerror(errno));
	}
	return r;
}

/* I, in the host's pid namespace, with the error pipe; the signals the
 * parent relays are blocked from before the fork. */
static int start_child(struct sysroot *sr, const struct enter_opts *o, struct enter_run *x,
		       struct nerr *e)
{
	/* the error pipe above fd 2 whatever nstop was started with */
	if (pipe2(x->errp, O_CLOEXEC) < 0) {
		int err = errno;
		return nerr_set(e, -err, "pipe: %s", strerror(err));
	}
	sigemptyset(&x->sigs);
	static const int relayed[] = {SIGCHLD, SIGWINCH, SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < ARRAY_LEN(relayed); i++)
		sigaddset(&x->sigs, relayed[i]);
	sigprocmask(SIG_BLOCK, &x->sigs, &x->old);
	x->blocked = true;
	fflush(NULL);
	/* not dumpable from the fork's first instruction (the flag lives in the
	 * mm, which the child copies): I holds the host's descriptors until
	 * close_range; it is out of the container's pid namespace, and this
	 * keeps whatever else shares its mount or user namespace out too */
	int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pid_t child = fork();
	if (child != 0 && dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (child < 0) {
		int err = errno;
		return nerr_set(e, -err, "fork: %s", strerror(err));
	}
	if (child == 0) {
		close(x->errp[0]);
		struct child c = {.o = o, .g = &x->g, .pty = &x->pty, .pidfd = x->pidfd,
				  .rootfd = x->rootfd, .cwdfd = x->cwdfd, .proc_fd = sr->proc_fd,
				  .errfd = x->errp[1], .cgfds = x->cgfds, .ncg = x->ncg,
				  .late_ns = x->late_ns, .mask = &x->old,
				  .shell = x->shell[0] ? x->shell : NULL, .term = x->term};
		enter_child_main(&c);
	}
	x->child = child;
	close(x->errp[1]);
	x->errp[1] = -1;
	return 0;
}

/* The child's word: nothing once it has exec'd, else why not (its length,
 * 0 or less for nothing); SIGINT, SIGQUIT, SIGTERM or SIGHUP meanwhile (a
 * setup that hangs) kill it. */
static ssize_t child_word(struct enter_run *x, char *msg, size_t n)
{
	ssize_t k = -1;
	int sfd = signalfd(-1, &x->sigs, SFD_CLOEXEC | SFD_NONBLOCK), stopped = 0;
	while (k < 0) {
		struct pollfd pf[2] = {{x->errp[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(pf, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents && (k = read(x->errp[0], msg, n - 1)) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		while (sfd >= 0 && (pf[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && !stopped) {
				stopped = (int)si.ssi_signo;
				kill(x->child, SIGKILL);
			}
	}
	if (sfd >= 0)
		close(sfd);
	if (stopped && k <= 0)
		k = snprintf(msg, n, "125 stopped by signal %d before the command ran", stopped);
	return k;
}

/* Back home, the child's word, the audit record, then the relay: the
 * command's status, or 125-127 when the child could not run it. */
static int report(struct sysroot *sr, struct audit *a, const struct enter_opts *o,
		  struct enter_run *x, struct nerr *e)
{
	/*
	 * Back to nstop's own namespaces: what the parent does from here on
	 * (the audit record looks the user up through NSS, which would read
	 * the container's nsswitch.conf and load its libraries as the host's
	 * root) happens on the host, out of the container's reach.
	 */
	int r = go_home(x->home, e);
	if (r < 0) {
		kill(x->child, SIGKILL);
		while (waitpid(x->child, NULL, 0) < 0 && errno == EINTR)
			;
		return r;
	}
	if (x->pty.slave >= 0)
		close(x->pty.slave);
	x->pty.slave = -1;
	char msg[600];
	ssize_t k = child_word(x, msg, sizeof(msg));
	if (k > 0) {
		msg[k] = '\0';
		char *sp = strchr(msg, ' ');
		int code = atoi(msg);
		nerr_set(e, -ECHILD, "%s", sp ? sp + 1 : msg);
		while (waitpid(x->child, NULL, 0) < 0 && errno == EINTR)
			;
		audit_enter(a, sr, &x->t, x->pid, x->start, x->joined, o, x->pty.master >= 0, -1, e);
		x->recorded = true;
		return code >= 125 && code <= 127 ? code : 125;
	}
	audit_enter(a, sr, &x->t, x->pid, x->start, x->joined, o, x->pty.master >= 0, 0, e);
	x->recorded = true;
	pty_raw(&x->pty);
	return pty_relay(&x->pty, x->child, &x->sigs);
}

/* A failure leaves the container's namespaces and is recorded; every
 * descriptor is closed, the signal mask put back. */
static int enter_end(struct sysroot *sr, struct audit *a, const struct enter_opts *o,
		     struct enter_run *x, int r, struct nerr *e)
{
	struct nerr he = {0};
	if (r < 0 && go_home(x->home, &he) < 0) {
		/* nothing more is done in the container's namespaces: the CLI exits */
		x->recorded = true;
	}
	/* a refusal of bad input is not an action (as for the others) */
	if (r < 0 && !x->recorded && e->kind != NERR_INPUT)
		audit_enter(a, sr, &x->t, x->pid, x->start, x->joined, o, false, r, e);
	pty_close(&x->pty);
	if (x->blocked)
		sigprocmask(SIG_SETMASK, &x->old, NULL);
	for (int i = 0; i < 2; i++)
		if (x->errp[i] >= 0)
			close(x->errp[i]);
	for (int i = 0; i < x->ncg; i++)
		close(x->cgfds[i]);
	for (int i = 0; i < NS_NTYPES; i++)
		if (x->home[i] >= 0)
			close(x->home[i]);
	int fds[] = {x->rootfd, x->cwdfd, x->pdir, x->pidfd};
	for (size_t i = 0; i < ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	buf_free(&x->d);
	act_target_free(&x->t);
	return r;
}

/*
 * Returns CMD's exit status (128 + signal when killed), 125/126/127 when
 * the child could not set up or exec it (e filled, code -ECHILD), or -errno
 * with e filled when nstop itself failed before (the CLI then exits 125).
 */
int act_enter(struct sysroot *sr, struct audit *a, const char *word, const struct enter_opts *o,
	      struct nerr *e)
{
	char pw[32];
	uint64_t want_start = 0;
	int r = parse_word(&word, pw, sizeof(pw), &want_start, e);
	struct enter_run x = {.pty = {.master = -1, .slave = -1}, .pidfd = -1, .pdir = -1,
			      .rootfd = -1, .cwdfd = -1, .errp = {-1, -1}};
	if (r < 0 || (r = act_resolve(sr, word, &x.t, e)) < 0)
		return r;
	for (int i = 0; i < NS_NTYPES; i++)
		x.home[i] = -1;
	x.want = o->ns ? o->ns : (1u << NS_NTYPES) - 1;
	x.pid = x.t.pid ? x.t.pid : first_pid(sr, &x.t);
	r = pin_target(sr, &x, want_start, e);
	if (!r) {
		which_ns(sr, &x);
		r = prepare(sr, o, &x, e);
	}
	if (!r)
		r = join_ns(sr, &x, e);
	if (!r)
		r = start_child(sr, o, &x, e);
	if (!r)
		r = report(sr, a, o, &x, e);
	return enter_end(sr, a, o, &x, r, e);
}
