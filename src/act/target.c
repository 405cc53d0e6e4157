// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one TARGET resolver every action shares: "/path" is a cgroup, digits a
 * pid (its cgroups), else an nstop container name, then any runtime's
 * container id or name, then a unique id prefix of at least 4 hex digits.
 * A target is a path per hierarchy: on v1 and hybrid hosts one process sits
 * in a different cgroup in each.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "../collect/collect.h"
#include "act.h"

void act_target_free(struct act_target *t)
{
	free(t->word);
	free(t->name);
	free(t->id);
	free(t->cgroup);
	free(t->denied);
	for (int i = 0; i < CG_MAX_MOUNTS; i++)
		free(t->paths[i]);
	memset(t, 0, sizeof(*t));
}

/* Picks the path shown for the target: the v2 one, else the cpu one. */
void act_target_finish(const struct sysroot *sr, struct act_target *t)
{
	free(t->cgroup);
	t->cgroup = NULL;
	int order[] = {cgx_mount_for(sr, ""), cgx_mount_for(sr, "cpu"),
		       cgx_mount_for(sr, "memory")};
	for (size_t k = 0; k < ARRAY_LEN(order) && !t->cgroup; k++)
		if (order[k] >= 0 && t->paths[order[k]])
			t->cgroup = xstrdup(t->paths[order[k]]);
	for (int i = 0; i < sr->nmounts && !t->cgroup; i++)
		if (t->paths[i])
			t->cgroup = xstrdup(t->paths[i]);
}

/* "container web (nstop, /nstop/web)", escaped, for messages. */
const char *act_target_desc(const struct act_target *t, struct buf *b)
{
	buf_reset(b);
	if (t->name || t->id) {
		const char *n = t->name ? t->name : t->id;
		buf_adds(b, "container ");
		str_escape(b, n, strlen(n), ESC_TEXT);
		buf_printf(b, " (%s", runtime_name(t->rt));
	} else if (t->pid) {
		buf_printf(b, "pid %d (cgroup", (int)t->pid);
	} else {
		buf_adds(b, "cgroup");
	}
	if (t->cgroup) {
		buf_addc(b, ' ');
		str_escape(b, t->cgroup, strlen(t->cgroup), ESC_TEXT);
	}
	if (t->name || t->id || t->pid)
		buf_addc(b, ')');
	return buf_str(b);
}

static int bad(struct nerr *e, const char *word, const char *why)
{
	struct buf b = {0};
	str_escape(&b, word, strlen(word), ESC_TEXT);
	nerr_input(e, -EINVAL, "%s: %s", buf_str(&b), why);
	buf_free(&b);
	return -EINVAL;
}

static int resolve_path(struct sysroot *sr, const char *word, struct act_target *t, struct nerr *e)
{
	if (str_path_has_dots(word))
		return bad(e, word, "a cgroup path has no . or .. components");
	struct buf norm = {0};
	for (const char *p = word; *p; p++)
		if (*p != '/' || (norm.len && norm.p[norm.len - 1] != '/') || !norm.len)
			buf_addc(&norm, *p);
	if (norm.len > 1 && norm.p[norm.len - 1] == '/')
		norm.p[--norm.len] = '\0';
	bool any = false;
	for (int i = 0; i < sr->nmounts; i++) {
		int fd = cgx_open(sr, i, buf_str(&norm));
		if (fd < 0)
			continue;
		close(fd);
		t->paths[i] = xstrdup(buf_str(&norm));
		any = true;
	}
	buf_free(&norm);
	if (!any)
		return bad(e, word, "no such cgroup in any hierarchy (see nstop cgroups)");
	return 0;
}

struct pid_cg {
	struct sysroot *sr;
	struct act_target *t;
};

static void on_pid_cg(void *arg, int hid, const char *ctrl, size_t ctrl_len, const char *path,
		      size_t path_len)
{
	struct pid_cg *c = arg;
	char key[128];
	if (ctrl_len >= sizeof(key))
		return;
	memcpy(key, ctrl, ctrl_len);
	key[ctrl_len] = '\0';
	int mi = hid == 0 && !ctrl_len ? cgx_mount_by_key(c->sr, "cgroup2")
				       : cgx_mount_by_key(c->sr, key);
	if (mi >= 0 && !c->t->paths[mi])
		c->t->paths[mi] = xmemdup0(path, path_len);
}

/* A process's cgroups, per hierarchy; -ESRCH when it is gone. */
int act_pid_cgroups(struct sysroot *sr, pid_t pid, struct act_target *t)
{
	char f[64];
	snprintf(f, sizeof(f), "%d/cgroup", (int)pid);
	struct buf b = {0};
	int r = read_file_at(sr->proc_fd, f, &b);
	if (r < 0) {
		buf_free(&b);
		return err_vanished(r) ? -ESRCH : r;
	}
	struct pid_cg c = {sr, t};
	parse_proc_cgroup(b.p, b.len, on_pid_cg, &c);
	buf_free(&b);
	return 0;
}

static int resolve_pid(struct sysroot *sr, const char *word, struct act_target *t, struct nerr *e)
{
	uint64_t v;
	if (str_parse_u64(word, &v) < 0 || v == 0 || v > 4194304)
		return bad(e, word, "not a process id");
	t->pid = (pid_t)v;
	int r = act_pid_cgroups(sr, t->pid, t);
	if (err_vanished(r))
		return bad(e, word, "no such process");
	if (r < 0) {
		nerr_set(e, r, "pid %d: its cgroups: %s", (int)t->pid, strerror(-r));
		return r;
	}
	return 0;
}

static bool hex_word(const char *w)
{
	size_t n = strlen(w);
	if (n < 4 || n > 64)
		return false;
	for (; *w; w++)
		if (!isxdigit((unsigned char)*w) || isupper((unsigned char)*w))
			return false;
	return true;
}

static void from_container(struct sysroot *sr, const struct container *c, struct act_target *t)
{
	/* nstop's own: their registry knows each hierarchy's path */
	if (c->registered && c->name && state_target(sr, c->name, t) == 0)
		return;
	t->rt = c->rt;
	t->id = xstrdup(c->id);
	if (c->name)
		t->name = xstrdup(c->name);
	t->pid = c->init_pid;
	if (!c->cgroup)
		return;
	/* each hierarchy's own path: its init's there, cut at the container
	 * (a relative cgroup parent on a hybrid host, a memory hierarchy
	 * rooted elsewhere give other paths than the row's) */
	struct act_target pc = {0};
	if (c->init_pid)
		act_pid_cgroups(sr, c->init_pid, &pc);
	for (int i = 0; i < sr->nmounts; i++) {
		struct cg_match m;
		const char *p = pc.paths[i];
		if (p && container_match(p, &m) && m.rt == c->rt && !strcmp(m.id, c->id)) {
			t->paths[i] = xmalloc(m.end + 1);
			memcpy(t->paths[i], p, m.end);
			t->paths[i][m.end] = '\0';
			continue;
		}
		int fd = cgx_open(sr, i, c->cgroup);
		if (fd < 0)
			continue;
		close(fd);
		t->paths[i] = xstrdup(c->cgroup);
	}
	act_target_free(&pc);
}

static int ambiguous(struct nerr *e, const char *word, const struct snap *s, const size_t *hits,
		     size_t n)
{
	struct buf b = {0};
	str_escape(&b, word, strlen(word), ESC_TEXT);
	buf_adds(&b, ": ambiguous, it matches:");
	for (size_t i = 0; i < n; i++) {
		const struct container *c = &s->ctrs[hits[i]];
		buf_printf(&b, " %s %.12s", runtime_name(c->rt), c->id);
		if (c->name) {
			buf_adds(&b, " (");
			str_escape(&b, c->name, strlen(c->name), ESC_TEXT);
			buf_addc(&b, ')');
		}
		buf_adds(&b, i + 1 < n ? "," : "");
	}
	nerr_input(e, -EINVAL, "%s", buf_str(&b));
	buf_free(&b);
	return -EINVAL;
}

static int resolve_name(struct sysroot *sr, const char *word, struct act_target *t,
			struct nerr *e)
{
	int r = state_target(sr, word, t);
	if (r != -ENOENT) {
		if (r < 0) {
			struct buf w = {0};
			nerr_set(e, r, "%s: reading nstop's registry: %s", str_esc(&w, word),
				 strerror(-r));
			buf_free(&w);
		}
		return r;
	}
	struct snap *s = snap_take(sr, NULL, SNAP_CONTAINERS | SNAP_CGROUPS, NULL);
	size_t *hits = xcalloc(s->nctrs + 1, sizeof(*hits));
	size_t n = 0;
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		if (c->rt == RT_UNNAMED)
			continue;
		if (!strcmp(c->id, word) || (c->name && !strcmp(c->name, word)))
			hits[n++] = i;
	}
	if (!n && hex_word(word))
		for (size_t i = 0; i < s->nctrs; i++)
			if (s->ctrs[i].rt != RT_UNNAMED &&
			    !strncmp(s->ctrs[i].id, word, strlen(word)))
				hits[n++] = i;
	if (n == 1)
		from_container(sr, &s->ctrs[hits[0]], t);
	r = n == 1 ? 0
		   : n ? ambiguous(e, word, s, hits, n)
		       : bad(e, word, "no such container, cgroup or process (see nstop containers)");
	free(hits);
	snap_free(s);
	return r;
}

int act_resolve(struct sysroot *sr, const char *word, struct act_target *t, struct nerr *e)
{
	memset(t, 0, sizeof(*t));
	if (!word || !*word)
		return bad(e, "\"\"", "an empty target");
	if (!sr->live)
		return bad(e, word, "actions work on the live system, not a --sysroot");
	t->word = xstrdup(word);
	int r;
	if (word[0] == '/')
		r = resolve_path(sr, word, t, e);
	else if (isdigit((unsigned char)word[0]) && strspn(word, "0123456789") == strlen(word))
		r = resolve_pid(sr, word, t, e);
	else
		r = resolve_name(sr, word, t, e);
	if (r == 0) {
		act_target_finish(sr, t);
		bool any = false;
		for (int i = 0; i < sr->nmounts; i++)
			any |= t->paths[i] != NULL;
		if (!any)
			r = bad(e, word, "it has no cgroup of its own here");
	}
	if (r < 0)
		act_target_free(t);
	return r;
}

/*
 * The processes an action must never reach: PID 1, nstop itself, every
 * ancestor of nstop (its parent, the shell, sudo, sshd or tmux: the path
 * from the operator's keyboard to nstop) and the leader of nstop's session
 * (the operator's shell, even when nstop was reparented). Processes inherit
 * their cgroups at fork, so the rest of the session sits in the leader's
 * cgroup or below it unless something moved it on purpose (a runtime, a
 * test's workload, systemd-run): protecting the leader's cgroup and its
 * ancestors protects the session without listing /proc. Each with its
 * cgroup per hierarchy, read from the sysroot's /proc.
 */
struct guard {
	pid_t pid;
	char who[160];
	struct act_target cg;
};

static bool guard_has(const struct guard *g, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (g[i].pid == pid)
			return true;
	return false;
}

/* "pid 42 (bash)" with the comm escaped; the ppid, or -1 when unreadable. */
static pid_t proc_who(struct sysroot *sr, pid_t pid, char *who, size_t n)
{
	char f[64], s[2048];
	snprintf(f, sizeof(f), "%d/stat", (int)pid);
	int k = read_small_at(sr->proc_fd, f, s, sizeof(s));
	struct stat_fields sf;
	if (k < 0 || parse_proc_stat(s, (size_t)k, &sf) < 0) {
		snprintf(who, n, "pid %d", (int)pid);
		return -1;
	}
	struct buf b = {0};
	str_escape(&b, sf.comm, sf.comm_len, ESC_TEXT);
	snprintf(who, n, "pid %d (%.60s)", (int)pid, buf_str(&b));
	buf_free(&b);
	return sf.ppid;
}

static size_t guard_add(struct sysroot *sr, struct guard *g, size_t n, pid_t pid, const char *fmt)
{
	if (pid <= 0 || guard_has(g, n, pid))
		return n;
	struct guard *x = &g[n];
	memset(x, 0, sizeof(*x));
	char who[100];
	proc_who(sr, pid, who, sizeof(who));
	snprintf(x->who, sizeof(x->who), fmt, who);
	x->pid = pid;
	if (act_pid_cgroups(sr, pid, &x->cg) < 0)
		return n; /* gone: nothing left to protect */
	return n + 1;
}

#define GUARD_MAX 72

/* The host's pid namespace has this inode (include/linux/proc_ns.h) */
#define PID_NS_INIT_INO 0xEFFFFFFCu

/*
 * nstop as the sysroot's /proc numbers it: its pid, parent and session.
 * getpid() and friends count in nstop's own pid namespace, which need not
 * be /proc's; and from a pid namespace of its own nstop cannot see the
 * host's init nor its own ancestors, so it refuses to act at all.
 */
static int self_ids(struct sysroot *sr, pid_t *self, pid_t *pp, pid_t *sid, struct nerr *e)
{
	struct stat st;
	char l[32], s[2048];
	ssize_t k = readlinkat(sr->proc_fd, "self", l, sizeof(l) - 1);
	int n = read_small_at(sr->proc_fd, "self/stat", s, sizeof(s));
	struct stat_fields sf;
	if (fstatat(sr->proc_fd, "self/ns/pid", &st, 0) < 0 || st.st_ino != PID_NS_INIT_INO || k <= 0 ||
	    n < 0 || parse_proc_stat(s, (size_t)n, &sf) < 0) {
		/* a do-no-harm refusal, as the guards below */
		return nerr_input(e, -EINVAL, "nstop runs in a pid namespace of its own (or /proc is not the host's): the host's init and nstop's own ancestors are out of its sight, so it cannot keep them safe; refusing (run it from the host's)");
	}
	l[k] = '\0';
	*self = (pid_t)atoi(l);
	*pp = sf.ppid;
	*sid = sf.session;
	return 0;
}

static size_t guards(struct sysroot *sr, struct guard *g, pid_t self, pid_t pp, pid_t sid)
{
	size_t n = 0;
	n = guard_add(sr, g, n, 1, "PID 1 (the host's init)");
	n = guard_add(sr, g, n, self, "nstop itself");
	n = guard_add(sr, g, n, pp, "%s, nstop's parent");
	char who[100];
	/* ppid is 0 past the root of nstop's pid namespace */
	for (pid_t a = pp > 1 ? proc_who(sr, pp, who, sizeof(who)) : 0;
	     a > 1 && n < GUARD_MAX - 1; a = proc_who(sr, a, who, sizeof(who)))
		n = guard_add(sr, g, n, a, "%s, an ancestor of nstop");
	n = guard_add(sr, g, n, sid, "%s, the leader of nstop's session (the operator's)");
	return n;
}

/*
 * Whether kill --pid may signal pid: never PID 1, nstop itself, an ancestor
 * of nstop or its session's leader (the operator's shell, sudo, sshd,
 * tmux); -EINVAL with the reason when it is one of them.
 */
int act_check_pid(struct sysroot *sr, pid_t pid, struct nerr *e)
{
	pid_t self, pp, sid;
	int r = self_ids(sr, &self, &pp, &sid, e);
	if (r < 0)
		return r;
	struct guard *g = xcalloc(GUARD_MAX, sizeof(*g));
	size_t ng = guards(sr, g, self, pp, sid);
	for (size_t k = 0; k < ng; k++) {
		if (g[k].pid == pid && !r) {
			r = nerr_input(e, -EINVAL, "%s: not signalled", g[k].who);
		}
		act_target_free(&g[k].cg);
	}
	free(g);
	return r;
}

/* path is q or one of its ancestors, component by component (/a/b is not
 * an ancestor of /a/bc) */
static bool cg_within(const char *path, const char *q)
{
	size_t pl = strlen(path);
	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	if (pl == 1 && path[0] == '/')
		return true;
	return !strncmp(q, path, pl) && (q[pl] == '\0' || q[pl] == '/');
}

/* An absolute cgroup path as nstop writes them: no empty, . or ..
 * component and no trailing slash ("//C" is "/C" to the kernel, but would
 * pass a string compare with a guarded "/C/a") */
static bool plain_path(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (const char *c = p; *c; c++)
		if (c[0] == '/' && (c[1] == '/' || c[1] == '\0'))
			return false;
	return !str_path_has_dots(p);
}

static bool all_digits(const char *w)
{
	return w && *w && strspn(w, "0123456789") == strlen(w);
}

/*
 * A bare PID given to a destructive action means the container that holds
 * it: the cgroups of a plain process are often a whole service's or a login
 * session's, far more than the operator pointed at.
 */
static int pid_to_container(struct sysroot *sr, struct act_target *t, struct nerr *e)
{
	pid_t pid = t->pid;
	struct snap *s = snap_take(sr, NULL, SNAP_CONTAINERS | SNAP_CGROUPS, NULL);
	const struct proc *p = snap_proc(s, pid);
	const struct container *c = p ? proc_container(s, p) : NULL;
	int r = 0;
	if (!c || c->rt == RT_UNNAMED || (!c->cgroup && !c->registered)) {
		r = nerr_input(e, -EINVAL, "pid %d: %s: name its cgroup path as TARGET (nstop ps -o PID,CGROUP), or use kill --pid for the one process",
			 (int)pid, p ? "it is in no container" : "no such process");
	} else {
		char *word = t->word;
		t->word = NULL;
		act_target_free(t);
		t->word = word;
		from_container(sr, c, t);
		act_target_finish(sr, t);
		bool any = false;
		for (int i = 0; i < sr->nmounts; i++)
			any |= t->paths[i] != NULL;
		if (!any) {
			r = nerr_input(e, -EINVAL, "pid %d: its container has no cgroup here", (int)pid);
		}
	}
	snap_free(s);
	return r;
}

/*
 * Do no harm: an action may not change the root cgroup, nor, per
 * hierarchy, a cgroup that holds (itself or below it) one of the guarded
 * processes: freezing, throttling or killing them would take the host or
 * the operator's hands away. Such hierarchies are dropped from the target
 * (a container in a docker cgroup for cpu but in the root for another
 * hierarchy can still be throttled); when none is left, the target is
 * refused (-EINVAL: exit 2, nothing changed). A bare pid becomes its
 * container first.
 */
int act_check_writable(struct sysroot *sr, struct act_target *t, struct nerr *e)
{
	if (t->pid && !t->name && !t->id && all_digits(t->word)) {
		int r = pid_to_container(sr, t, e);
		if (r < 0)
			return r;
	}
	struct buf b = {0}, why = {0};
	act_target_desc(t, &b);
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i] && !plain_path(t->paths[i])) {
			struct buf pb = {0};
			nerr_input(e, -EINVAL, "%s: its %s cgroup %s is not a plain absolute path (empty, . or .. components); refusing",
				 buf_str(&b), cgx_mount_key(sr, i), str_esc(&pb, t->paths[i]));
			buf_free(&pb);
			buf_free(&b);
			return -EINVAL;
		}
	pid_t self, pp, sid;
	int sr_ok = self_ids(sr, &self, &pp, &sid, e);
	if (sr_ok < 0) {
		buf_free(&b);
		return sr_ok;
	}
	struct guard *g = xcalloc(GUARD_MAX, sizeof(*g));
	size_t ng = guards(sr, g, self, pp, sid);
	bool left = false;
	for (int i = 0; i < sr->nmounts; i++) {
		const char *p = t->paths[i];
		if (!p)
			continue;
		const struct cg_mount *m = &sr->mounts[i];
		buf_reset(&why);
		if (!strcmp(p, "/") || !strcmp(p, m->root))
			buf_printf(&why, "%s: its %s cgroup is the root one, not nstop's to change",
				   buf_str(&b), cgx_mount_key(sr, i));
		for (size_t k = 0; k < ng && !why.len; k++) {
			const char *q = g[k].cg.paths[i];
			if (!q || !cg_within(p, q))
				continue;
			if (!strcmp(p, q)) {
				buf_printf(&why, "%s: its %s cgroup holds %s; refusing", buf_str(&b),
					   cgx_mount_key(sr, i), g[k].who);
			} else {
				struct buf qb = {0};
				buf_printf(&why, "%s: its %s cgroup holds %s (in %s); refusing",
					   buf_str(&b), cgx_mount_key(sr, i), g[k].who, str_esc(&qb, q));
				buf_free(&qb);
			}
		}
		if (!why.len) {
			left = true;
			continue;
		}
		if (!t->denied)
			t->denied = xstrdup(buf_str(&why));
		free(t->paths[i]);
		t->paths[i] = NULL;
		t->denied_mask |= 1u << i;
	}
	int r = 0;
	if (!left) {
		r = nerr_input(e, -EINVAL, "%s", t->denied ? t->denied : "no cgroup to act on");
	}
	act_target_finish(sr, t);
	buf_free(&b);
	buf_free(&why);
	for (size_t k = 0; k < ng; k++)
		act_target_free(&g[k].cg);
	free(g);
	return r;
}

/* Why a hierarchy the action needs is not there: refused, or absent. */
void act_missing(const struct sysroot *sr, const struct act_target *t, int mi, const char *what,
		 struct nerr *e)
{
	struct buf b = {0};
	if (mi >= 0 && (t->denied_mask & (1u << mi)))
		nerr_input(e, -EINVAL, "%s", t->denied);
	else
		nerr_input(e, -EINVAL, "%s: no %s cgroup here", act_target_desc(t, &b),
			 mi >= 0 ? cgx_mount_key(sr, mi) : what);
	buf_free(&b);
}

/* Exit status for a failed action: 2 when the input was at fault. */
int act_exit_code(const struct nerr *e)
{
	return e->kind == NERR_INPUT ? 2 : 1;
}

/* Actions write root's cgroup files, signal other users' processes, make
 * and join namespaces: a normal user is told so before anything is tried.
 * Returns 0 as root, else -EPERM with the reason in e (a system refusal:
 * nothing the user typed is wrong, the CLI exits 1, or 125 for enter). */
int act_need_root(const char *cmd, struct nerr *e)
{
	if (geteuid() == 0)
		return 0;
	return nerr_set(e, -EPERM, "needs root (it writes cgroup files, signals other users' processes%s)",
			!strcmp(cmd, "create") || !strcmp(cmd, "enter") || !strcmp(cmd, "rm")
				? " and makes or joins namespaces: CAP_SYS_ADMIN"
				: ": CAP_KILL");
}
