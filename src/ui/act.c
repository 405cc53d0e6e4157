// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's action keys: t (limits dialog), f (freeze/thaw), k (signal
 * menu and confirmation), u (undo), c (create form), d (remove), e (a shell
 * inside). Each resolves the selected row with the CLI's resolver and calls
 * the CLI's run_* function (create through an internal child, see
 * create_child); the result goes to the status line, the new values show on
 * the next refresh.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

static bool check_lim(enum limit_key k, const char *v, char *err, size_t n)
{
	struct limit_val lv;
	struct nerr e = {0};
	if (!*v)
		return true; /* empty: leave it as it is */
	if (limit_parse(k, v, &lv, &e) == 0)
		return true;
	snprintf(err, n, "%s", e.msg);
	return false;
}
static bool check_cpu(const char *v, char *err, size_t n) { return check_lim(LIM_CPU, v, err, n); }
static bool check_mem(const char *v, char *err, size_t n) { return check_lim(LIM_MEM, v, err, n); }
static bool check_high(const char *v, char *err, size_t n) { return check_lim(LIM_HIGH, v, err, n); }
static bool check_pids(const char *v, char *err, size_t n) { return check_lim(LIM_PIDS, v, err, n); }

/* The current value as the user would type it: "0.2", "64M", "max", "10". */
static void typed(enum limit_key k, const struct limit_val *v, char *out, size_t n)
{
	if (!v->set)
		snprintf(out, n, "%s", "");
	else if (v->max)
		snprintf(out, n, "max");
	else if (k == LIM_CPU)
		snprintf(out, n, "%g", (double)v->v / (double)(v->period ? v->period : 100000));
	else if (k == LIM_PIDS)
		snprintf(out, n, "%" PRIu64, v->v);
	else if (v->v % (1u << 30) == 0)
		snprintf(out, n, "%" PRIu64 "G", v->v >> 30);
	else if (v->v % (1u << 20) == 0)
		snprintf(out, n, "%" PRIu64 "M", v->v >> 20);
	else if (v->v % 1024 == 0)
		snprintf(out, n, "%" PRIu64 "K", v->v >> 10);
	else
		snprintf(out, n, "%" PRIu64, v->v);
}

static void say(char *status, size_t n, const char *what, const struct nerr *e)
{
	snprintf(status, n, "%s: %s", what, e->msg);
}

static void limits_dialog(struct sysroot *sr, struct audit *a, struct act_target *t,
			  const struct ui_sel *sel, char *status, size_t n)
{
	struct limits cur, want = {0}, old;
	act_limit_read(sr, t, &cur);
	static const enum limit_key keys[] = {LIM_CPU, LIM_MEM, LIM_HIGH, LIM_PIDS};
	struct form_field f[] = {
		{.label = "CPU", .hint = "CPUs (1.5), % of one (50%) or max", .check = check_cpu},
		{.label = "Memory", .hint = "512M, 2G, bytes or max", .check = check_mem},
		{.label = "Memory high", .hint = "v2 only: reclaim above it", .check = check_high},
		{.label = "Pids", .hint = "a count or max", .check = check_pids},
	};
	char init[4][64];
	for (int i = 0; i < 4; i++) {
		typed(keys[i], &cur.l[keys[i]], init[i], sizeof(init[i]));
		memcpy(f[i].val, init[i], sizeof(f[i].val));
	}
	char title[240];
	snprintf(title, sizeof(title), " Limits of %s ", sel->label);
	if (!dialog_form(title, NULL, f, 4, ui_redraw)) {
		snprintf(status, n, "t: cancelled, nothing changed");
		return;
	}
	bool any = false;
	struct nerr e = {0};
	for (int i = 0; i < 4; i++) {
		if (!strcmp(f[i].val, init[i]) || !f[i].val[0])
			continue;
		if (limit_parse(keys[i], f[i].val, &want.l[keys[i]], &e) < 0) {
			say(status, n, "t", &e);
			return;
		}
		any = true;
	}
	if (!any) {
		snprintf(status, n, "t: no value changed");
		return;
	}
	bool force = false;
	uint64_t use;
	const struct limit_val *m = &want.l[LIM_MEM];
	if (m->set && !m->max && act_mem_usage(sr, t, &use) == 0 && m->v < use) {
		char q[200], a1[32], b1[32];
		str_fmt_size(a1, sizeof(a1), m->v);
		str_fmt_size(b1, sizeof(b1), use);
		snprintf(q, sizeof(q), "Memory %s is below the %s in use: the kernel reclaims or OOM-kills. Apply?",
			 a1, b1);
		if (!dialog_confirm(q, ui_redraw)) {
			snprintf(status, n, "t: not applied, nothing changed");
			return;
		}
		force = true;
	}
	if (run_limit(sr, a, t, &want, force, &old, &e) < 0) {
		say(status, n, "t", &e);
		return;
	}
	size_t len = (size_t)snprintf(status, n, "limits of %s:", sel->label);
	for (int k = 0; k < LIM_N && len < n; k++) {
		if (!want.l[k].set)
			continue;
		char o1[32], n1[32];
		limit_human(k, &old.l[k], o1, sizeof(o1));
		limit_human(k, &want.l[k], n1, sizeof(n1));
		len += (size_t)snprintf(status + len, n - len, " %s %s -> %s", limit_name(k), o1, n1);
	}
}

static const char *const sig_items[] = {"TERM", "KILL", "INT", "HUP", "STOP", "CONT", "USR1", "USR2"};

static void kill_menu(struct sysroot *sr, struct audit *a, struct act_target *t,
		      const struct ui_sel *sel, char *status, size_t n)
{
	int i = dialog_menu(" Signal ", sig_items, (int)ARRAY_LEN(sig_items), 0, ui_redraw);
	if (i < 0) {
		snprintf(status, n, "k: cancelled");
		return;
	}
	int sig = sig_parse(sig_items[i]);
	char q[300];
	struct nerr e = {0};
	if (sel->kind == SEL_PROC) {
		snprintf(q, sizeof(q), "Send SIG%s to %s?", sig_items[i], sel->label);
		if (!dialog_confirm(q, ui_redraw)) {
			snprintf(status, n, "k: not sent");
			return;
		}
		if (run_kill_pid(sr, a, sel->pid, sel->start, sig, &e) < 0)
			say(status, n, "k", &e);
		else
			snprintf(status, n, "SIG%s sent to %s", sig_items[i], sel->label);
		return;
	}
	int mi = act_primary_mount(sr, t);
	pid_t *p = NULL;
	int err = 0;
	size_t cnt = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p, &err);
	free(p);
	if (err < 0)
		snprintf(q, sizeof(q), "Send SIG%s to the processes of %s (not all could be counted)?",
			 sig_items[i], sel->label);
	else
		snprintf(q, sizeof(q), "Send SIG%s to %zu process%s of %s?", sig_items[i], cnt,
			 cnt == 1 ? "" : "es", sel->label);
	if (!dialog_confirm(q, ui_redraw)) {
		snprintf(status, n, "k: not sent");
		return;
	}
	struct kill_result kr;
	if (run_kill(sr, a, t, sig, 0, &kr, &e) < 0)
		say(status, n, "k", &e);
	else
		snprintf(status, n, "SIG%s sent to %u process%s of %s%s", sig_items[i], kr.signalled,
			 kr.signalled == 1 ? "" : "es", sel->label, kr.cgroup_kill ? " (cgroup.kill)" : "");
}

/*
 * The create key's request goes to `nstop _create` (cli_ctr.c), which
 * calls run_create as `nstop create` does and answers on a pipe in JSON.
 * Why a child at all: act_create forks and clones the container's init
 * (which sets up its namespaces and mounts, then runs as nstop without an
 * exec), and the dashboard has a collector thread: a fork of a threaded
 * process may copy a lock another thread holds (malloc's, stdio's, the
 * collector's) and leaves process-wide state (signal dispositions, the
 * terminal, curses) that the init must not inherit. A fresh exec of this
 * same binary is single-threaded and clean. Returns the reply parsed, or
 * -1 with why in msg when none came.
 */
static int create_child(const struct create_req *rq, struct create_reply *rp, char *msg, size_t n)
{
	int req[2], rep[2];
	if (pipe2(req, O_CLOEXEC | O_NONBLOCK) < 0)
		return snprintf(msg, n, "pipe: %s", strerror(errno)), -1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		snprintf(msg, n, "pipe: %s", strerror(errno));
		close(req[0]), close(req[1]);
		return -1;
	}
	/* the whole request goes into the pipe before the child exists: no
	 * SIGPIPE if it dies early, no wait on a child that never reads */
	struct buf b = {0};
	create_req_json(&b, rq);
	fcntl(req[1], F_SETPIPE_SZ, CREQ_MAX);
	ssize_t k = b.len <= CREQ_MAX ? write(req[1], b.p, b.len) : -1;
	close(req[1]);
	if (k != (ssize_t)b.len || fcntl(req[0], F_SETFL, 0) < 0) {
		snprintf(msg, n, "the create request does not fit a pipe (%zu bytes)", b.len);
		close(req[0]), close(rep[0]), close(rep[1]);
		buf_free(&b);
		return -1;
	}
	buf_reset(&b);
	pid_t pid = fork();
	int fork_err = errno;
	if (pid == 0) {
		/* only async-signal-safe calls until the exec: fds 3 and 4 are
		 * the request and the reply, nothing it prints is read */
		int nul = open("/dev/null", O_RDWR);
		int in = fcntl(req[0], F_DUPFD_CLOEXEC, 10), out = fcntl(rep[1], F_DUPFD_CLOEXEC, 10);
		if (nul < 0 || in < 0 || out < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(nul, 2) < 0 || dup2(in, 3) < 0 || dup2(out, 4) < 0)
			_exit(127);
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		/* a process group of its own: ^C, ^\ or a hangup at the dashboard's
		 * terminal must not cut a create in half */
		setpgid(0, 0);
		fdlimit_restore();
		/* the request carries the dashboard's audit log; the config file
		 * was the dashboard's to read (it may have been told not to) */
		execl("/proc/self/exe", "nstop", "--no-config", "_create", (char *)NULL);
		_exit(127);
	}
	close(req[0]);
	close(rep[1]);
	char tmp[4096];
	while (pid > 0 && (k = read(rep[0], tmp, sizeof(tmp))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || b.len + (size_t)k > CREQ_MAX)
			break;
		buf_add(&b, tmp, (size_t)k);
	}
	close(rep[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int r = pid > 0 && create_reply_parse(b.p ? b.p : "", b.len, rp) == 0 ? 0 : -1;
	if (r < 0)
		snprintf(msg, n, "create failed (%s %d, no reply)", pid < 0 ? "fork" : WIFEXITED(st) ? "exit" : "signal",
			 pid < 0 ? fork_err : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	buf_free(&b);
	return r;
}

static bool check_name(const char *v, char *err, size_t n)
{
	struct jv st;
	if (!state_name_ok(v)) {
		snprintf(err, n, "letters, digits, _ . - (not first), at most 64, not all digits");
		return false;
	}
	if (state_load(v, &st) == 0) {
		jv_free(&st);
		snprintf(err, n, "a container of that name exists");
		return false;
	}
	return true;
}
static bool check_rootfs(const char *v, char *err, size_t n)
{
	struct stat sb;
	if (!*v)
		return true;
	if (stat(v, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, n, "not a directory");
		return false;
	}
	return true;
}
static bool check_net(const char *v, char *err, size_t n)
{
	if (!*v || !strcmp(v, "none") || !strcmp(v, "host") || !strcmp(v, "veth"))
		return true;
	if (!strncmp(v, "veth:", 5)) {
		char c[64], h[64];
		struct nerr e = {0};
		if (net_addrs(v + 5, NULL, 0, c, h, sizeof(c), &e) == 0)
			return true;
		snprintf(err, n, "%s", e.msg);
		return false;
	}
	snprintf(err, n, "none, host, veth or veth:ADDR/PREFIX");
	return false;
}
static bool check_parent(const char *v, char *err, size_t n)
{
	if (*v && !str_path_has_dots(v))
		return true;
	snprintf(err, n, "a path without .. (relative: beneath nstop's own cgroup)");
	return false;
}

/* each spec as create --publish reads it (parse_publish); create itself
 * says whether the ports are free */
static bool check_publish(const char *v, char *err, size_t n)
{
	for (size_t i = 0, len; v[i]; i += len) {
		len = strcspn(v + i, ", ");
		struct port_map pm;
		const char *why;
		if (len && parse_publish(v + i, len, &pm, &why) < 0) {
			snprintf(err, n, "%.*s: %s", (int)(len < 24 ? len : 24), v + i, why);
			return false;
		}
		len += !len;
	}
	return true;
}

static void create_form(const char *audit_log, char *status, size_t n)
{
	struct form_field f[] = {
		{.label = "Name", .hint = "the container's name and hostname", .check = check_name},
		{.label = "Command", .hint = "run by sh -c; empty: just nstop's init"},
		{.label = "Rootfs", .hint = "an image directory; empty: the host's, read-only", .check = check_rootfs},
		{.label = "CPU", .hint = "CPUs (1.5), % of one (50%) or max", .check = check_cpu},
		{.label = "Memory", .hint = "512M, 2G or max", .check = check_mem},
		{.label = "Pids", .hint = "a count or max", .check = check_pids},
		{.label = "Network", .hint = "none, host, veth or veth:ADDR/PREFIX", .check = check_net},
		{.label = "Cgroup parent", .hint = "absolute, or relative to nstop's own", .check = check_parent},
		{.label = "Image", .hint = "an imported image (nstop image ls); empty: Rootfs or the host's"},
		{.label = "Publish", .hint = "HOSTPORT:CTRPORT[/udp], comma-separated; needs veth", .check = check_publish},
	};
	snprintf(f[6].val, sizeof(f[6].val), "none");
	snprintf(f[7].val, sizeof(f[7].val), "/nstop");
	if (!dialog_form(" Create a container ", NULL, f, (int)ARRAY_LEN(f), ui_redraw)) {
		snprintf(status, n, "c: cancelled, nothing created");
		return;
	}
	if (!f[0].val[0]) {
		snprintf(status, n, "c: a name is needed");
		return;
	}
	/* the form's fields as create's options of the same names */
	static const struct {
		int field;
		const char *opt;
	} map[] = {{7, "cgroup-parent"}, {2, "rootfs"}, {3, "cpu"}, {4, "memory"}, {5, "pids"}, {6, "net"},
		   {8, "image"}, {9, "publish"}};
	struct create_req rq = {.name = f[0].val};
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		for (int k = 0; k < CREQ_NOPTS; k++)
			if (!strcmp(create_req_keys[k], map[i].opt) && f[map[i].field].val[0])
				rq.opt[k] = f[map[i].field].val;
	for (int k = 0; k < CREQ_NOPTS; k++)
		if (!strcmp(create_req_keys[k], "audit-log"))
			rq.opt[k] = (char *)audit_log;
	char *cmd[] = {"sh", "-c", f[1].val, NULL};
	if (f[1].val[0])
		rq.cmd = cmd, rq.ncmd = 3;
	struct create_reply rp;
	char msg[300];
	if (create_child(&rq, &rp, msg, sizeof(msg)) < 0) {
		snprintf(status, n, "c: %s", msg);
		return;
	}
	/* the reply holds plain text only (ctrreq.c refuses any other) */
	if (rp.code < 0) {
		snprintf(status, n, "c: %s", rp.msg);
		return;
	}
	snprintf(status, n, "created %s %s pid %d cgroup %s%s%s%s%s", f[0].val, rp.id, (int)rp.pid,
		 rp.cgroup[0] ? rp.cgroup : "-", rp.veth[0] ? " veth " : "", rp.veth,
		 rp.veth[0] ? " eth0 " : "", rp.addr);
}

/* e: the screen handed to a shell in the container, then back. nstop enter
 * gives the shell a pty of its own and the target's privileges, no more;
 * a process row is entered as PID@START, so never a reused pid. */
static void enter_shell(const struct ui_sel *sel, const char *audit_log, char *status, size_t n)
{
	def_prog_mode();
	endwin();
	printf("nstop: entering %s; exit the shell to return to the dashboard\n", sel->label);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGQUIT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		char word[64];
		char *argv[8];
		int a = 0;
		argv[a++] = "nstop";
		argv[a++] = "--no-config"; /* the audit log is the dashboard's, below */
		argv[a++] = "enter";
		if (sel->kind == SEL_PROC && sel->start) {
			snprintf(word, sizeof(word), "%d@%llu", (int)sel->pid, (unsigned long long)sel->start);
			argv[a++] = word;
		} else {
			argv[a++] = (char *)sel->word;
		}
		if (audit_log)
			argv[a++] = "--audit-log", argv[a++] = (char *)audit_log;
		argv[a] = NULL;
		fdlimit_restore();
		execv("/proc/self/exe", argv);
		_exit(125);
	}
	struct sigaction ign = {.sa_handler = SIG_IGN}, oint, oquit;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* an interactive shell made itself the terminal's foreground group:
	 * take the terminal back (SIGTTOU ignored meanwhile) */
	struct sigaction ottou;
	sigaction(SIGTTOU, &ign, &ottou);
	tcsetpgrp(STDIN_FILENO, getpgrp());
	sigaction(SIGTTOU, &ottou, NULL);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
	int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	snprintf(status, n, "back from %s (exit %d%s)", sel->label, rc,
		 rc == 125 ? ": nstop enter failed" : "");
}

static void remove_ctr(const struct ui_sel *sel, const char *audit_log, char *status, size_t n)
{
	struct jv st;
	if (sel->kind != SEL_CONTAINER || state_load(sel->name, &st) < 0) {
		snprintf(status, n, "d: only nstop's own containers can be removed here");
		return;
	}
	jv_free(&st);
	char q[300];
	snprintf(q, sizeof(q), "Remove %s? SIGTERM, 10 s, SIGKILL; its cgroups, veth and layer go", sel->label);
	if (!dialog_confirm(q, ui_redraw)) {
		snprintf(status, n, "d: not removed");
		return;
	}
	/* act_rm neither forks nor changes anything process-wide (signals go
	 * through pidfds, the rest is rmdir, unlink and a netlink socket of
	 * its own), so the dashboard calls it here, as it calls run_kill */
	struct sysroot sr;
	struct audit a = {.fd = -1};
	struct act_target t = {0};
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		say(status, n, "d", &e);
		return;
	}
	if (audit_open(&a, audit_log, &e) < 0)
		say(status, n, "d", &e);
	else if (run_rm(&sr, &a, sel->name, NULL, 10, &t, &e) < 0)
		say(status, n, "d", &e);
	else
		snprintf(status, n, "removed %s", sel->label);
	act_target_free(&t);
	audit_close(&a);
	sysroot_close(&sr);
}

/* want_freeze: 1 freeze, 0 thaw, -1 the other of what it is now (f on one row) */
static void act_one(int key, const struct ui_sel *sel, const char *audit_log, char *status, size_t n,
		    int want_freeze)
{
	if (key == 'c') {
		create_form(audit_log, status, n);
		return;
	}
	if (key == 'e' && sel->kind != SEL_NONE) {
		enter_shell(sel, audit_log, status, n);
		return;
	}
	if (key == 'd') {
		remove_ctr(sel, audit_log, status, n);
		return;
	}
	if (sel->kind == SEL_NONE) {
		snprintf(status, n, "%c: select a container, cgroup or process first", key);
		return;
	}
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		say(status, n, "action", &e);
		return;
	}
	struct act_target t = {0};
	struct audit a = {.fd = -1};
	bool need_target = !(key == 'k' && sel->kind == SEL_PROC);
	if (need_target && act_resolve(&sr, sel->word, &t, &e) < 0) {
		snprintf(status, n, "%c: %s", key, e.msg);
		sysroot_close(&sr);
		return;
	}
	if (need_target && act_check_writable(&sr, &t, &e) < 0) {
		/* refused (a pid in no container, a guarded cgroup) */
		snprintf(status, n, "%c: %s", key, e.msg);
		act_target_free(&t);
		sysroot_close(&sr);
		return;
	}
	if (audit_open(&a, audit_log, &e) < 0) {
		snprintf(status, n, "%c: %s", key, e.msg);
	} else if (key == 't') {
		limits_dialog(&sr, &a, &t, sel, status, n);
	} else if (key == 'f') {
		bool freeze = want_freeze >= 0 ? want_freeze == 1 : act_frozen(&sr, &t) != 1;
		int before;
		if (run_freeze(&sr, &a, &t, freeze, 5, &before, &e) < 0)
			say(status, n, "f", &e);
		else
			snprintf(status, n, "%s %s", freeze ? "froze" : "thawed", sel->label);
	} else if (key == 'k') {
		kill_menu(&sr, &a, &t, sel, status, n);
	} else if (key == 'u') {
		struct undo_result res;
		if (act_undo(&sr, &a, audit_log, &t, &res, &e) < 0) {
			say(status, n, "u", &e);
		} else {
			size_t len = (size_t)snprintf(status, n, "undone on %s:", sel->label);
			for (int k = 0; k < LIM_N && len < n; k++) {
				if (!res.restored.l[k].set)
					continue;
				char o1[32], n1[32];
				limit_human(k, &res.before.l[k], o1, sizeof(o1));
				limit_human(k, &res.restored.l[k], n1, sizeof(n1));
				len += (size_t)snprintf(status + len, n - len, " %s %s -> %s",
							limit_name(k), o1, n1);
			}
		}
		act_target_free(&res.target);
	}
	audit_close(&a);
	if (need_target)
		act_target_free(&t);
	sysroot_close(&sr);
}

void ui_act(int key, const struct ui_sel *sel, const char *audit_log, char *status, size_t n)
{
	act_one(key, sel, audit_log, status, n, -1);
}

/* A resolved target's identity: its primary hierarchy's cgroup directory,
 * device and inode, as open now. */
static int target_ident(struct sysroot *sr, const struct act_target *t, uint64_t *dev, uint64_t *ino)
{
	int mi = act_primary_mount(sr, t);
	int fd = mi < 0 || !t->paths[mi] ? -1 : cgx_open(sr, mi, t->paths[mi]);
	struct stat sb;
	int r = fd >= 0 && fstat(fd, &sb) == 0 ? 0 : -1;
	if (r == 0) {
		*dev = (uint64_t)sb.st_dev;
		*ino = (uint64_t)sb.st_ino;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* The identity of a container or cgroup row: its cgroup directory's device
 * and inode (the primary mount's), as the act layer resolves it now. */
int ui_sel_ident(const struct ui_sel *sel, uint64_t *dev, uint64_t *ino)
{
	struct sysroot sr;
	struct act_target t = {0};
	struct nerr e = {0};
	int r = -1;
	if (sel->kind == SEL_NONE || sysroot_open(&sr, NULL, &e) < 0)
		return -1;
	if (act_resolve(&sr, sel->word, &t, &e) == 0)
		r = target_ident(&sr, &t, dev, ino);
	act_target_free(&t);
	sysroot_close(&sr);
	return r;
}

/* still the row that was tagged: the same pid@start, the same cgroup directory */
bool ui_tag_alive(const struct ui_tag *t, const struct snap *s)
{
	if (t->pid) {
		const struct proc *p = s ? snap_proc(s, t->pid) : NULL;
		return p && p->start_ticks == t->start;
	}
	uint64_t dev, ino;
	return ui_sel_ident(&t->sel, &dev, &ino) == 0 && dev == t->dev && ino == t->ino;
}

/* the row a tag stands for is this one (drawing: by what the view selects) */
bool ui_tag_is(const struct ui_tag *t, const struct ui_sel *row)
{
	if (t->pid)
		return row->pid == t->pid && row->start == t->start;
	return !row->pid && row->kind == t->sel.kind && !strcmp(row->word, t->sel.word);
}

/*
 * Every cgroup directory an action on a resolved row may write, one per
 * hierarchy (cgroup2's, each v1 controller's), as open now: device and
 * inode, or absent. Taken when the confirmation is shown and compared
 * right before the action: a directory removed and made again, one that
 * appeared meanwhile, or a process now in another container is another
 * row than the one confirmed.
 */
struct tag_ident {
	bool have;
	unsigned set, present;  /* per mount: a path; a directory there */
	uint64_t dev[CG_MAX_MOUNTS], ino[CG_MAX_MOUNTS];
};

static void tag_ident_take(struct sysroot *sr, const struct act_target *t, struct tag_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->have = true;
	for (int i = 0; i < sr->nmounts && i < CG_MAX_MOUNTS; i++) {
		if (!t->paths[i])
			continue;
		id->set |= 1u << i;
		int fd = cgx_open(sr, i, t->paths[i]);
		struct stat sb;
		if (fd >= 0 && fstat(fd, &sb) == 0) {
			id->present |= 1u << i;
			id->dev[i] = (uint64_t)sb.st_dev;
			id->ino[i] = (uint64_t)sb.st_ino;
		}
		if (fd >= 0)
			close(fd);
	}
}

static bool tag_ident_same(const struct tag_ident *a, const struct tag_ident *b)
{
	if (a->set != b->set || a->present != b->present)
		return false;
	for (int i = 0; i < CG_MAX_MOUNTS; i++)
		if ((a->present & (1u << i)) && (a->dev[i] != b->dev[i] || a->ino[i] != b->ino[i]))
			return false;
	return true;
}

/*
 * A tagged row as it is now, resolved once for the action that follows, or
 * why it is left alone. A container or cgroup row must resolve to the very
 * directory tagged (device and inode: one removed and made again under the
 * same name or path is another). A process row must be the process tagged
 * (pid@start), pinned by a pidfd while its container is looked up, so that
 * a pid reused meanwhile is never taken for it. Then the writable check
 * every action makes (guarded cgroups dropped or refused).
 */
static int tag_target_now(struct sysroot *sr, const struct ui_tag *tg, struct act_target *t, char *why, size_t n);

/* tag_target_now, then: at the confirmation (take), every directory the
 * action may write is taken into id; at the action, each must still be the
 * one confirmed (a row not resolved then is left alone now too) */
static int tag_target(struct sysroot *sr, const struct ui_tag *tg, struct tag_ident *id, bool take,
		      struct act_target *t, char *why, size_t n)
{
	if (!take && !id->have) {
		memset(t, 0, sizeof(*t));
		snprintf(why, n, "not resolved when confirmed; left alone");
		return -1;
	}
	if (tag_target_now(sr, tg, t, why, n) < 0)
		return -1;
	if (take) {
		tag_ident_take(sr, t, id);
		return 0;
	}
	struct tag_ident now;
	tag_ident_take(sr, t, &now);
	if (!tag_ident_same(id, &now)) {
		struct buf b = {0};
		act_target_desc(t, &b);
		snprintf(why, n, "now %s: not the cgroups confirmed (moved, removed, made again or new); left alone",
			 buf_str(&b));
		buf_free(&b);
		act_target_free(t);
		return -1;
	}
	return 0;
}

static int tag_target_now(struct sysroot *sr, const struct ui_tag *tg, struct act_target *t, char *why, size_t n)
{
	struct nerr e = {0};
	memset(t, 0, sizeof(*t));
	if (tg->sel.kind == SEL_NONE) {
		snprintf(why, n, "no container or cgroup to act on");
		return -1;
	}
	if (tg->pid) {
		int fd = (int)syscall(SYS_pidfd_open, tg->pid, 0);
		uint64_t now = 0;
		if (fd < 0 || sysroot_pid_start(sr, tg->pid, &now) < 0 || now != tg->start) {
			snprintf(why, n, "pid %d is gone or another process now; left alone", (int)tg->pid);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		int r = act_resolve(sr, tg->sel.word, t, &e);
		if (r == 0 && (r = act_check_writable(sr, t, &e)) < 0)
			act_target_free(t);
		/* signal 0: still the process pinned, so what was read was its */
		bool alive = syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0;
		close(fd);
		if (r < 0) {
			snprintf(why, n, "%s", e.msg);
			return -1;
		}
		if (!alive) {
			act_target_free(t);
			snprintf(why, n, "pid %d ended while its container was looked up; left alone", (int)tg->pid);
			return -1;
		}
		return 0;
	}
	if (act_resolve(sr, tg->sel.word, t, &e) < 0) {
		snprintf(why, n, "gone (%s); left alone", e.msg);
		return -1;
	}
	uint64_t dev, ino;
	if (target_ident(sr, t, &dev, &ino) < 0 || dev != tg->dev || ino != tg->ino) {
		act_target_free(t);
		snprintf(why, n, "not the cgroup tagged any more (removed or made again); left alone");
		return -1;
	}
	if (act_check_writable(sr, t, &e) < 0) {
		act_target_free(t);
		snprintf(why, n, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* a process row's label without "the container of " (k signals the process) */
static const char *proc_label(const struct ui_tag *tg)
{
	const char *l = tg->sel.label;
	return tg->pid && !strncmp(l, "the container of ", 17) ? l + 17 : l;
}

/* what t does to the tagged rows: the form once, its fields empty (empty:
 * as it is on each row); false when nothing is to be done */
static bool tagged_limits_form(size_t ntags, struct limits *want, char *status, size_t n)
{
	static const enum limit_key keys[] = {LIM_CPU, LIM_MEM, LIM_HIGH, LIM_PIDS};
	struct form_field f[] = {
		{.label = "CPU", .hint = "CPUs (1.5), % of one (50%) or max", .check = check_cpu},
		{.label = "Memory", .hint = "512M, 2G, bytes or max", .check = check_mem},
		{.label = "Memory high", .hint = "v2 only: reclaim above it", .check = check_high},
		{.label = "Pids", .hint = "a count or max", .check = check_pids},
	};
	char title[80];
	snprintf(title, sizeof(title), " Limits of %zu tagged row%s ", ntags, ntags == 1 ? "" : "s");
	if (!dialog_form(title, "empty: left as it is on each row", f, 4, ui_redraw)) {
		snprintf(status, n, "t: cancelled, nothing changed");
		return false;
	}
	memset(want, 0, sizeof(*want));
	bool any = false;
	for (int i = 0; i < 4; i++) {
		struct nerr e = {0};
		if (!f[i].val[0])
			continue;
		if (limit_parse(keys[i], f[i].val, &want->l[keys[i]], &e) < 0) {
			say(status, n, "t", &e);
			return false;
		}
		any = true;
	}
	if (!any)
		snprintf(status, n, "t: no value given, nothing changed");
	return any;
}

/* "cpu 0.5 memory 64M" of what is set */
static void limits_said(struct buf *b, const struct limits *want)
{
	for (int k = 0; k < LIM_N; k++) {
		if (!want->l[k].set)
			continue;
		char v[32];
		limit_human(k, &want->l[k], v, sizeof(v));
		buf_printf(b, " %s %s", limit_name(k), v);
	}
}

/* one tagged row: resolved and checked again (tag_target), then the action
 * as on one row, with its own audit record; its result in one */
static void act_tagged_row(struct sysroot *sr, struct audit *a, int key, const struct ui_tag *tg,
			   struct tag_ident *id, int sig, bool freeze, const struct limits *want, bool force, char *one, size_t n)
{
	struct nerr e = {0};
	struct act_target t;
	if (key == 'k' && tg->pid) {
		/* a process: its pidfd, then its start time, then the signal */
		if (run_kill_pid(sr, a, tg->pid, tg->start, sig, &e) < 0)
			snprintf(one, n, "%s: %s", proc_label(tg), e.msg);
		else
			snprintf(one, n, "SIG%s sent to %s", sig_name(sig), proc_label(tg));
		return;
	}
	if (key == 'd' && (tg->pid || tg->sel.kind != SEL_CONTAINER || !tg->sel.name[0])) {
		snprintf(one, n, "%s: not one of nstop's own containers; left alone", tg->sel.label);
		return;
	}
	char why[400];
	if (tag_target(sr, tg, id, false, &t, why, sizeof(why)) < 0) {
		snprintf(one, n, "%s: %s", tg->sel.label, why);
		return;
	}
	if (key == 'f') {
		int before;
		if (run_freeze(sr, a, &t, freeze, 5, &before, &e) < 0)
			snprintf(one, n, "%s: %s", tg->sel.label, e.msg);
		else
			snprintf(one, n, "%s %s", freeze ? "froze" : "thawed", tg->sel.label);
	} else if (key == 'k') {
		struct kill_result kr;
		if (run_kill(sr, a, &t, sig, 0, &kr, &e) < 0)
			snprintf(one, n, "%s: %s", tg->sel.label, e.msg);
		else
			snprintf(one, n, "SIG%s sent to %u process%s of %s", sig_name(sig), kr.signalled,
				 kr.signalled == 1 ? "" : "es", tg->sel.label);
	} else if (key == 't') {
		struct limits old;
		if (run_limit(sr, a, &t, want, force, &old, &e) < 0) {
			snprintf(one, n, "%s: %s", tg->sel.label, e.msg);
		} else {
			size_t len = (size_t)snprintf(one, n, "limits of %s:", tg->sel.label);
			for (int k = 0; k < LIM_N && len < n; k++) {
				if (!want->l[k].set)
					continue;
				char o1[32], n1[32];
				limit_human(k, &old.l[k], o1, sizeof(o1));
				limit_human(k, &want->l[k], n1, sizeof(n1));
				len += (size_t)snprintf(one + len, n - len, " %s %s -> %s", limit_name(k), o1, n1);
			}
		}
	} else if (key == 'd') {
		/* the registry's entry of that name must still be the id tagged
		 * (checked under the registry's lock, which create takes too) */
		struct act_target rt;
		if (run_rm(sr, a, tg->sel.name, tg->sel.word, 10, &rt, &e) < 0)
			snprintf(one, n, "%s: %s", tg->sel.label, e.msg);
		else
			snprintf(one, n, "removed %s", tg->sel.label);
		act_target_free(&rt);
	}
	act_target_free(&t);
}

/*
 * f, k, t, d on the tagged rows: what to do asked once (k's signal, t's
 * limits), then one confirmation that lists every row (with what each
 * holds now, or that it will be left alone), then each row resolved and
 * checked again and acted on as on one row, one audit record each. f
 * freezes them all, or thaws them all when all already are. The result:
 * a box with one line per row, and the status line.
 */
void ui_act_tagged(int key, struct ui_tag *tags, size_t ntags, const char *audit_log, char *status, size_t n)
{
	if (key != 'f' && key != 'k' && key != 't' && key != 'd') {
		snprintf(status, n, "%c: acts on one row; f, k, t and d act on the tagged rows (U clears the tags)",
			 key);
		return;
	}
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		say(status, n, "action", &e);
		return;
	}
	int sig = 0;
	struct limits want = {0};
	if (key == 'k') {
		int i = dialog_menu(" Signal ", sig_items, (int)ARRAY_LEN(sig_items), 0, ui_redraw);
		if (i < 0) {
			snprintf(status, n, "k: cancelled");
			sysroot_close(&sr);
			return;
		}
		sig = sig_parse(sig_items[i]);
	} else if (key == 't' && !tagged_limits_form(ntags, &want, status, n)) {
		sysroot_close(&sr);
		return;
	}
	/* each row as it is now, for the confirmation (checked again after it) */
	bool *force = xcalloc(ntags, sizeof(*force));
	struct tag_ident *ids = xcalloc(ntags, sizeof(*ids));
	struct buf rows = {0};
	int all_frozen = 1;
	for (size_t i = 0; i < ntags; i++) {
		const struct ui_tag *tg = &tags[i];
		struct act_target t;
		char why[400];
		if (key == 'k' && tg->pid) {
			uint64_t now = 0;
			bool same = sysroot_pid_start(&sr, tg->pid, &now) == 0 && now == tg->start;
			buf_printf(&rows, "\n%s%s", proc_label(tg), same ? "" : ": gone or another process now, left alone");
			continue;
		}
		if (key == 'd' && (tg->pid || tg->sel.kind != SEL_CONTAINER || !tg->sel.name[0])) {
			buf_printf(&rows, "\n%s: not nstop's own, left alone", tg->sel.label);
			continue;
		}
		if (tag_target(&sr, tg, &ids[i], true, &t, why, sizeof(why)) < 0) {
			buf_printf(&rows, "\n%s: %s", tg->sel.label, why);
			all_frozen = 0;
			continue;
		}
		buf_printf(&rows, "\n%s", tg->sel.label);
		if (tg->pid) {
			/* the container it is in now: what the action acts on */
			struct buf d = {0};
			buf_printf(&rows, ": %s", act_target_desc(&t, &d));
			buf_free(&d);
		}
		if (act_frozen(&sr, &t) != 1)
			all_frozen = 0;
		int mi = act_primary_mount(&sr, &t);
		if (key == 'k' && mi >= 0) {
			pid_t *p = NULL;
			int err = 0;
			size_t cnt = cgx_members(&sr, mi, t.paths[mi], &p, &err);
			free(p);
			if (err < 0)
				buf_printf(&rows, " (not all processes could be counted)");
			else
				buf_printf(&rows, " (%zu process%s)", cnt, cnt == 1 ? "" : "es");
		}
		const struct limit_val *m = &want.l[LIM_MEM];
		uint64_t use;
		if (key == 't' && m->set && !m->max && act_mem_usage(&sr, &t, &use) == 0 && m->v < use) {
			char u1[32];
			str_fmt_size(u1, sizeof(u1), use);
			buf_printf(&rows, ": %s in use, above the memory asked (reclaim or OOM kills)", u1);
			force[i] = true;
		}
		act_target_free(&t);
	}
	struct buf q = {0};
	const char *s_ = ntags == 1 ? "" : "s";
	if (key == 'f')
		buf_printf(&q, "%s %zu tagged row%s?", all_frozen ? "Thaw" : "Freeze", ntags, s_);
	else if (key == 'k')
		buf_printf(&q, "Send SIG%s to %zu tagged row%s?", sig_name(sig), ntags, s_);
	else if (key == 'd')
		buf_printf(&q, "Remove %zu tagged container%s (SIGTERM, 10 s, SIGKILL; cgroups, veth, layer)?",
			   ntags, s_);
	else {
		buf_printf(&q, "Set");
		limits_said(&q, &want);
		buf_printf(&q, " on %zu tagged row%s?", ntags, s_);
	}
	buf_add(&q, rows.p, rows.len);
	buf_free(&rows);
	bool yes = dialog_confirm(buf_str(&q), ui_redraw);
	buf_free(&q);
	struct audit a = {.fd = -1};
	if (!yes) {
		snprintf(status, n, "%c: nothing changed", key);
	} else if (audit_open(&a, audit_log, &e) < 0) {
		say(status, n, "action", &e);
	} else {
		struct buf res = {0};
		size_t len = 0;
		status[0] = '\0';
		for (size_t i = 0; i < ntags; i++) {
			char one[600];
			act_tagged_row(&sr, &a, key, &tags[i], &ids[i], sig, !all_frozen, &want, force[i], one, sizeof(one));
			buf_printf(&res, "%s%s", i ? "\n" : "", one);
			if (len < n)
				len += (size_t)snprintf(status + len, n - len, "%s%s", i ? "; " : "", one);
		}
		dialog_message(" Done, row by row ", buf_str(&res), ui_redraw);
		buf_free(&res);
	}
	audit_close(&a);
	free(force);
	free(ids);
	sysroot_close(&sr);
}
