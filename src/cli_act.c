// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The action subcommands: limit, freeze, thaw, kill, undo and audit. Each
 * checks every input before it touches anything (exit 2), records what it
 * did in the audit log, and prints the old and new values. limit, freeze,
 * thaw and kill take several TARGETs: all resolved first, then each acted
 * on, recorded and reported on its own, the others tried after a failure.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "cli.h"

enum { OPT_AUDIT = 300, OPT_FORCE, OPT_CPU, OPT_MEM, OPT_HIGH, OPT_SWAP, OPT_PIDS, OPT_PID,
       OPT_TIMEOUT, OPT_SYSROOT_A };

struct actopts {
	const char *cmd;
	const char *audit_log;
	const char *sysroot;
};

static bool common_opt(struct actopts *ao, int c, const char *arg)
{
	if (c == OPT_AUDIT)
		ao->audit_log = arg;
	else if (c == OPT_SYSROOT_A)
		ao->sysroot = arg;
	else
		return false;
	return true;
}

static void bad_opt(const char *cmd, char **argv)
{
	struct buf b = {0};
	usage_error("%s: unknown option or missing value: %s (see nstop %s --help)", cmd,
		    str_esc(&b, argv[optind - 1]), cmd);
}

/* Exactly one TARGET word after the options. */
static const char *one_target(const char *cmd, int argc, char **argv, bool optional)
{
	struct buf b = {0};
	if (optind >= argc) {
		if (optional)
			return NULL;
		usage_error("%s: a TARGET is required (a cgroup path, a pid, a container name or id)",
			    cmd);
	}
	if (optind + 1 < argc)
		usage_error("%s: unexpected argument: %s", cmd, str_esc(&b, argv[optind + 1]));
	return argv[optind];
}

static void open_sr(const struct actopts *ao, const struct globalopts *g, struct sysroot *sr)
{
	struct nerr e = {0};
	const char *dir = ao->sysroot ? ao->sysroot : g->sysroot;
	struct buf b = {0};
	if (sysroot_open(sr, dir, &e) < 0)
		usage_error("--sysroot: %s", str_esc(&b, e.msg));
}

static int fail(const struct actopts *ao, const struct nerr *e)
{
	fprintf(stderr, "nstop: %s: %s\n", ao->cmd, e->msg);
	return act_exit_code(e);
}

/* Resolves and checks a target; exits 2 on bad input. */
static void target_or_exit(const struct actopts *ao, struct sysroot *sr, const char *word,
			   struct act_target *t, bool writable)
{
	struct nerr e = {0};
	if (act_resolve(sr, word, t, &e) < 0 || (writable && act_check_writable(sr, t, &e) < 0)) {
		int rc = fail(ao, &e);
		exit(rc);
	}
}

static void need_target(const char *cmd, int argc)
{
	if (optind >= argc)
		usage_error("%s: a TARGET is required (a cgroup path, a pid, a container name or id)",
			    cmd);
}

/* What a resolved target was: its cgroups' directories (dev and inode:
 * one removed and made again under the same path is another) and its
 * process's start time (a pid reused is another process). */
struct target_ident {
	uint64_t start;
	uint64_t dev[CG_MAX_MOUNTS], ino[CG_MAX_MOUNTS];
};

static void target_ident(struct sysroot *sr, const struct act_target *t, struct target_ident *id)
{
	memset(id, 0, sizeof(*id));
	if (t->pid > 0 && sysroot_pid_start(sr, t->pid, &id->start) < 0)
		id->start = 0;
	for (int i = 0; i < sr->nmounts; i++) {
		if (!t->paths[i])
			continue;
		int fd = cgx_open(sr, i, t->paths[i]);
		struct stat sb;
		if (fd >= 0 && fstat(fd, &sb) == 0) {
			id->dev[i] = (uint64_t)sb.st_dev;
			id->ino[i] = (uint64_t)sb.st_ino;
		}
		if (fd >= 0)
			close(fd);
	}
}

/*
 * Right before a target is acted on: still what was resolved (TARGETs are
 * all resolved first, then acted on one by one, an earlier one's --grace
 * or --timeout meanwhile: a container removed and made again under a
 * later one's name and cgroup paths is not the one named). Reports the
 * failure for that target and returns false when it changed.
 */
static bool target_unchanged(const struct actopts *ao, struct sysroot *sr,
			     const struct act_target *t, const struct target_ident *was)
{
	struct target_ident now;
	target_ident(sr, t, &now);
	bool same = true;
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i] && was->ino[i] && (now.dev[i] != was->dev[i] || now.ino[i] != was->ino[i]))
			same = false; /* another directory, or none (gone) */
	/* its process: another one under the pid; a pid TARGET gone too */
	if (was->start && now.start && now.start != was->start)
		same = false;
	if (t->pid > 0 && !t->name && !t->id && !now.start)
		same = false;
	if (!same) {
		struct buf d = {0}, w = {0};
		fprintf(stderr, "nstop: %s: %s: changed since resolved (%s): left alone\n", ao->cmd,
			str_esc(&w, t->word ? t->word : "?"), act_target_desc(t, &d));
		buf_free(&d);
		buf_free(&w);
	}
	return same;
}

/*
 * TARGET... after the options, each resolved (and checked writable) before
 * any is acted on: a bad one refuses them all (exit 2, or 1 when the
 * system failed), nothing changed. *n of them, to free with free_targets;
 * *ids: what each was, for target_unchanged.
 */
static struct act_target *all_targets(const struct actopts *ao, struct sysroot *sr, int argc,
				      char **argv, bool writable, size_t *n, struct target_ident **ids)
{
	need_target(ao->cmd, argc);
	struct act_target *t = xcalloc((size_t)(argc - optind), sizeof(*t));
	*ids = xcalloc((size_t)(argc - optind), sizeof(**ids));
	*n = 0;
	for (int i = optind; i < argc; i++) {
		target_or_exit(ao, sr, argv[i], &t[*n], writable);
		if (!t[*n].word)
			t[*n].word = xstrdup(argv[i]);
		target_ident(sr, &t[*n], &(*ids)[*n]);
		(*n)++;
	}
	return t;
}

static void free_targets(struct act_target *t, size_t n, struct target_ident *ids)
{
	for (size_t i = 0; i < n; i++)
		act_target_free(&t[i]);
	free(t);
	free(ids);
}

/* Every action's audit log, opened before anything is changed. */
void cli_audit_open(const char *cmd, const char *path, struct audit *a)
{
	struct nerr e = {0};
	if (audit_open(a, path, &e) < 0) {
		fprintf(stderr, "nstop: %s: %s\n", cmd, e.msg);
		exit(1);
	}
}

/* Actions need root: says why in the usual form and exits with code (1, or
 * 125 for enter, whose own failures must not look like the command's). */
void cli_need_root(const char *cmd, int code)
{
	struct nerr e = {0};
	if (act_need_root(cmd, &e) < 0) {
		fprintf(stderr, "nstop: %s: %s\n", cmd, e.msg);
		exit(code);
	}
}

#define ACT_LONGOPTS                                              \
	{"audit-log", required_argument, NULL, OPT_AUDIT},        \
	{"sysroot", required_argument, NULL, OPT_SYSROOT_A}

/* ---- nstop limit ---- */

static void print_limits(const struct limits *old, const struct limits *nw, const struct limits *mask)
{
	for (int k = 0; k < LIM_N; k++) {
		if (!mask->l[k].set)
			continue;
		char a[64], b[64], fa[64], fb[64];
		limit_human(k, &old->l[k], a, sizeof(a));
		limit_fmt(k, &old->l[k], fa, sizeof(fa));
		if (nw) {
			limit_human(k, &nw->l[k], b, sizeof(b));
			limit_fmt(k, &nw->l[k], fb, sizeof(fb));
			printf("%-12s %s -> %s  (%s -> %s)\n", limit_name(k), a, b, fa, fb);
		} else {
			printf("%-12s %s  (%s)\n", limit_name(k), a, fa);
		}
	}
}

int cmd_limit(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"cpu", required_argument, NULL, OPT_CPU},
		{"memory", required_argument, NULL, OPT_MEM},
		{"memory-high", required_argument, NULL, OPT_HIGH},
		{"swap", required_argument, NULL, OPT_SWAP},
		{"pids", required_argument, NULL, OPT_PIDS},
		{"force", no_argument, NULL, OPT_FORCE},
		/* docker's spellings: docker update --cpus, -m/--memory, --pids-limit */
		{"cpus", required_argument, NULL, OPT_CPU},
		{"pids-limit", required_argument, NULL, OPT_PIDS},
		ACT_LONGOPTS,
		{0},
	};
	struct actopts ao = {.cmd = "limit", .audit_log = config_get()->audit_log};
	struct limits want = {0};
	bool force = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:", lopts, NULL)) != -1) {
		struct nerr e = {0};
		int k = c == OPT_CPU ? LIM_CPU : c == OPT_MEM || c == 'm' ? LIM_MEM : c == OPT_HIGH ? LIM_HIGH
		      : c == OPT_SWAP ? LIM_SWAP : c == OPT_PIDS ? LIM_PIDS : -1;
		if (k >= 0) {
			if (limit_parse(k, optarg, &want.l[k], &e) < 0)
				usage_error("limit: %s", e.msg);
		} else if (c == OPT_FORCE) {
			force = true;
		} else if (!common_opt(&ao, c, optarg)) {
			bad_opt("limit", argv);
		}
	}
	need_target("limit", argc);
	bool any = false;
	for (int k = 0; k < LIM_N; k++)
		any |= want.l[k].set;
	if (any)
		cli_need_root("limit", 1);
	struct sysroot sr;
	open_sr(&ao, g, &sr);
	size_t nt;
	struct target_ident *ids;
	struct act_target *t = all_targets(&ao, &sr, argc, argv, any, &nt, &ids);
	struct buf d = {0};
	if (!any) {
		/* no setting: show the current ones */
		for (size_t i = 0; i < nt; i++) {
			struct limits cur, all;
			act_limit_read(&sr, &t[i], &cur);
			for (int k = 0; k < LIM_N; k++)
				all.l[k].set = cur.l[k].set;
			printf("%s\n", act_target_desc(&t[i], &d));
			print_limits(&cur, NULL, &all);
		}
		buf_free(&d);
		free_targets(t, nt, ids);
		sysroot_close(&sr);
		return 0;
	}
	struct audit a;
	cli_audit_open(ao.cmd, ao.audit_log, &a);
	int rc = 0;
	/* each TARGET on its own: its own audit record, a failure reported
	 * and the others still tried */
	for (size_t i = 0; i < nt; i++) {
		struct nerr e = {0};
		struct limits old;
		if (!target_unchanged(&ao, &sr, &t[i], &ids[i])) {
			rc = 1;
			continue;
		}
		if (run_limit(&sr, &a, &t[i], &want, force, &old, &e) < 0) {
			int k = fail(&ao, &e);
			rc = rc ? rc : nt > 1 ? 1 : k; /* several: 1, as for any failed action */
			continue;
		}
		printf("%s\n", act_target_desc(&t[i], &d));
		print_limits(&old, &want, &want);
		char who[64];
		if (limit_managed(&t[i], who, sizeof(who)))
			fprintf(stderr, "nstop: limit: note: %s manages this cgroup and may put its own limits back\n",
				who);
	}
	buf_free(&d);
	audit_close(&a);
	free_targets(t, nt, ids);
	sysroot_close(&sr);
	return rc;
}

/* ---- nstop freeze / thaw ---- */

static int freeze_cmd(int argc, char **argv, const struct globalopts *g, bool freeze)
{
	static const struct option lopts[] = {
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		ACT_LONGOPTS,
		{0},
	};
	struct actopts ao = {.cmd = freeze ? "freeze" : "thaw", .audit_log = config_get()->audit_log};
	double timeout = 5;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		struct buf b = {0};
		if (c == OPT_TIMEOUT) {
			if (str_parse_seconds(optarg, &timeout) < 0 || timeout <= 0)
				usage_error("%s: --timeout: not a number of seconds: %s", ao.cmd,
					    str_esc(&b, optarg));
		} else if (!common_opt(&ao, c, optarg)) {
			bad_opt(ao.cmd, argv);
		}
	}
	need_target(ao.cmd, argc);
	cli_need_root(ao.cmd, 1);
	struct sysroot sr;
	open_sr(&ao, g, &sr);
	size_t nt;
	struct target_ident *ids;
	struct act_target *t = all_targets(&ao, &sr, argc, argv, true, &nt, &ids);
	struct audit a;
	cli_audit_open(ao.cmd, ao.audit_log, &a);
	struct buf d = {0};
	int rc = 0;
	for (size_t i = 0; i < nt; i++) {
		struct nerr e = {0};
		int before;
		if (!target_unchanged(&ao, &sr, &t[i], &ids[i])) {
			rc = 1;
			continue;
		}
		if (run_freeze(&sr, &a, &t[i], freeze, timeout, &before, &e) < 0) {
			int k = fail(&ao, &e);
			rc = rc ? rc : nt > 1 ? 1 : k; /* several: 1, as for any failed action */
			continue;
		}
		printf("%s %s%s\n", freeze ? "frozen:" : "thawed:", act_target_desc(&t[i], &d),
		       before == (freeze ? 1 : 0) ? " (it already was)" : "");
	}
	buf_free(&d);
	audit_close(&a);
	free_targets(t, nt, ids);
	sysroot_close(&sr);
	return rc;
}

int cmd_freeze(int argc, char **argv, const struct globalopts *g)
{
	return freeze_cmd(argc, argv, g, true);
}

int cmd_thaw(int argc, char **argv, const struct globalopts *g)
{
	return freeze_cmd(argc, argv, g, false);
}

/* ---- nstop kill ---- */

/* One whole TARGET signalled and reported; 0 or the exit code. */
static int kill_one(const struct actopts *ao, struct sysroot *sr, struct audit *a,
		    const struct act_target *t, int sig, double grace)
{
	struct kill_result kr;
	struct nerr e = {0};
	struct buf d = {0};
	int rc = 0;
	if (run_kill(sr, a, t, sig, grace, &kr, &e) < 0) {
		rc = fail(ao, &e);
		if (kr.note[0])
			fprintf(stderr, "nstop: kill: note: %s\n", kr.note);
		return rc;
	}
	printf("SIG%s%s to %s: %zu process%s%s", grace > 0 ? "TERM" : sig_name(sig),
	       kr.escalated ? ", then SIGKILL" : "", act_target_desc(t, &d), kr.before,
	       kr.before == 1 ? "" : "es", kr.cgroup_kill ? " (cgroup.kill)" : "");
	if (kr.remain)
		printf(", %zu still there", kr.remain);
	printf("\n");
	if (kr.note[0])
		fprintf(stderr, "nstop: kill: note: %s: %s\n", act_target_desc(t, &d), kr.note);
	if ((sig == SIGKILL || kr.escalated) && kr.remain) {
		fprintf(stderr, "nstop: kill: %zu process%s still in %s after SIGKILL\n", kr.remain,
			kr.remain == 1 ? "" : "es", act_target_desc(t, &d));
		rc = 1;
	}
	buf_free(&d);
	return rc;
}

int cmd_kill(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"signal", required_argument, NULL, 's'},
		{"grace", required_argument, NULL, 'g'},
		{"pid", required_argument, NULL, OPT_PID},
		ACT_LONGOPTS,
		{0},
	};
	struct actopts ao = {.cmd = "kill", .audit_log = config_get()->audit_log};
	int sig = SIGTERM;
	double grace = 0;
	const char *pidarg = NULL;
	int c;
	opterr = 0;
	struct buf b = {0};
	while ((c = getopt_long(argc, argv, "s:", lopts, NULL)) != -1) {
		if (c == 's') {
			if ((sig = sig_parse(optarg)) < 0)
				usage_error("kill: --signal: not a signal (TERM, KILL, INT, HUP, STOP, CONT, USR1, USR2 or a number): %s",
					    str_esc(&b, optarg));
		} else if (c == 'g') {
			if (str_parse_seconds(optarg, &grace) < 0)
				usage_error("kill: --grace: not a number of seconds: %s", str_esc(&b, optarg));
		} else if (c == OPT_PID) {
			pidarg = optarg;
		} else if (!common_opt(&ao, c, optarg)) {
			bad_opt("kill", argv);
		}
	}
	cli_need_root("kill", 1);
	struct sysroot sr;
	struct audit a;
	struct nerr e = {0};
	int rc = 0;
	if (pidarg) {
		if (optind < argc)
			usage_error("kill: --pid takes no TARGET: %s", str_esc(&b, argv[optind]));
		if (grace > 0)
			usage_error("kill: --grace is for a whole TARGET, not --pid");
		char *at = strchr(pidarg, '@');
		uint64_t pid, start = 0;
		char pidpart[32];
		snprintf(pidpart, sizeof(pidpart), "%.*s", at ? (int)(at - pidarg) : 31, pidarg);
		if (str_parse_u64(pidpart, &pid) < 0 || pid == 0 || pid > 4194304 ||
		    (at && (str_parse_u64(at + 1, &start) < 0 || start == 0)))
			usage_error("kill: --pid: not PID or PID@STARTTIME (as nstop ps -o PID@START prints): %s",
				    str_esc(&b, pidarg));
		open_sr(&ao, g, &sr);
		if (!sr.live)
			usage_error("kill: actions work on the live system, not a --sysroot");
		cli_audit_open(ao.cmd, ao.audit_log, &a);
		int r = run_kill_pid(&sr, &a, (pid_t)pid, start, sig, &e);
		if (r < 0)
			rc = fail(&ao, &e);
		else
			printf("SIG%s sent to pid %d\n", sig_name(sig), (int)pid);
	} else {
		need_target("kill", argc);
		open_sr(&ao, g, &sr);
		size_t nt;
		struct target_ident *ids;
		struct act_target *t = all_targets(&ao, &sr, argc, argv, true, &nt, &ids);
		cli_audit_open(ao.cmd, ao.audit_log, &a);
		for (size_t i = 0; i < nt; i++) {
			int k = target_unchanged(&ao, &sr, &t[i], &ids[i])
					? kill_one(&ao, &sr, &a, &t[i], sig, grace) : 1;
			if (k) /* several: 1, as for any failed action */
				rc = rc ? rc : nt > 1 ? 1 : k;
		}
		free_targets(t, nt, ids);
	}
	buf_free(&b);
	audit_close(&a);
	sysroot_close(&sr);
	return rc;
}

/* ---- nstop undo ---- */

int cmd_undo(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {ACT_LONGOPTS, {0}};
	struct actopts ao = {.cmd = "undo", .audit_log = config_get()->audit_log};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1)
		if (!common_opt(&ao, c, optarg))
			bad_opt("undo", argv);
	const char *word = one_target("undo", argc, argv, true);
	cli_need_root("undo", 1);
	struct sysroot sr;
	open_sr(&ao, g, &sr);
	struct act_target t = {0};
	if (word)
		target_or_exit(&ao, &sr, word, &t, true);
	else if (!sr.live)
		usage_error("undo: actions work on the live system, not a --sysroot");
	struct audit a;
	cli_audit_open(ao.cmd, ao.audit_log, &a);
	struct nerr e = {0};
	struct undo_result res;
	int r = act_undo(&sr, &a, ao.audit_log, word ? &t : NULL, &res, &e);
	int rc = 0;
	struct buf d = {0};
	if (r < 0) {
		rc = fail(&ao, &e);
	} else {
		printf("%s (undoing %s)\n", act_target_desc(&res.target, &d), res.undoes);
		print_limits(&res.before, &res.restored, &res.restored);
	}
	buf_free(&d);
	act_target_free(&res.target);
	act_target_free(&t);
	audit_close(&a);
	sysroot_close(&sr);
	return rc;
}

/* ---- nstop audit ---- */

static void field(struct buf *b, const char *s)
{
	str_escape(b, s ? s : "-", strlen(s ? s : "-"), ESC_TEXT);
}

/* {"cpu":"a","memory":"b"} as "cpu=a memory=b" */
static void obj_text(struct buf *b, const struct jv *o)
{
	for (size_t i = 0; o && o->type == JV_OBJ && i < o->n; i++) {
		const struct jv *v = &o->kids[i];
		if (i)
			buf_addc(b, ' ');
		field(b, o->keys[i]);
		buf_addc(b, '=');
		if (v->type == JV_STR || v->type == JV_NUM)
			field(b, v->s);
		else
			buf_adds(b, v->type == JV_BOOL ? (v->b ? "true" : "false") : "null");
	}
}

int cmd_audit(int argc, char **argv, const struct globalopts *g)
{
	(void)g;
	static const struct option lopts[] = {
		{"json", no_argument, NULL, 'J'},
		ACT_LONGOPTS,
		{0},
	};
	struct actopts ao = {.cmd = "audit", .audit_log = config_get()->audit_log};
	bool json = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "J", lopts, NULL)) != -1) {
		if (c == 'J')
			json = true;
		else if (!common_opt(&ao, c, optarg))
			bad_opt("audit", argv);
	}
	one_target("audit", argc, argv, true);
	if (optind < argc) {
		struct buf b = {0};
		usage_error("audit: unexpected argument: %s", str_esc(&b, argv[optind]));
	}
	struct jv *recs;
	size_t n;
	struct nerr e = {0};
	int r = audit_read(ao.audit_log, &recs, &n, &e);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "nstop: audit: %s\n", e.msg);
		return 1;
	}
	struct buf out = {0};
	if (json) {
		struct json j;
		json_init(&j, &out, true);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "actions");
		for (size_t i = 0; i < n; i++)
			jv_write(&j, NULL, &recs[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		buf_addc(&out, '\n');
	} else {
		buf_printf(&out, "%-24s %-8s %-7s %-6s %-40s %s\n", "TIME", "USER", "ACTION", "RESULT",
			   "TARGET", "CHANGE");
		for (size_t i = 0; i < n; i++) {
			const struct jv *v = &recs[i], *t = jv_get(v, "target");
			struct buf tb = {0}, cb = {0};
			const char *tn = jv_str(t, "name");
			if (tn)
				field(&tb, tn), buf_adds(&tb, " ");
			field(&tb, jv_str(t, "cgroup") ? jv_str(t, "cgroup") : jv_str(t, "word"));
			const struct jv *o = jv_get(v, "old"), *nw = jv_get(v, "new");
			if (o) {
				obj_text(&cb, o);
				buf_adds(&cb, " -> ");
			}
			obj_text(&cb, nw);
			if (jv_str(v, "error")) {
				buf_adds(&cb, "  error: ");
				field(&cb, jv_str(v, "error"));
			}
			struct buf tm = {0}, u = {0}, ac = {0}, rs = {0};
			field(&tm, jv_str(v, "time"));
			field(&u, jv_str(v, "user"));
			field(&ac, jv_str(v, "action"));
			field(&rs, jv_str(v, "result"));
			buf_printf(&out, "%-24s %-8s %-7s %-6s %-40s %s\n", buf_str(&tm), buf_str(&u),
				   buf_str(&ac), buf_str(&rs), buf_str(&tb), buf_str(&cb));
			buf_free(&tm);
			buf_free(&u);
			buf_free(&ac);
			buf_free(&rs);
			buf_free(&tb);
			buf_free(&cb);
		}
	}
	out_flush(stdout, &out);
	buf_free(&out);
	audit_free(recs, n);
	return 0;
}
