// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audit log: one JSON line per action (time, user, target, what, old and
 * new values, result), appended with one write() to a 0600 file opened
 * without following links. Undo reads it back: the values recorded before
 * the last limit change that no undo has taken back yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../collect/collect.h"
#include "act.h"

#define AUDIT_DIR "/var/log/nstop"
#define AUDIT_DEFAULT AUDIT_DIR "/actions.log"

const char *audit_default_path(void)
{
	return AUDIT_DEFAULT;
}

/*
 * Opens the log so that only root could have written what is in it
 * (trust_open: no link on the way, every directory and the file root's and
 * writable by nobody else, no pseudo filesystem). Anyone else could forge
 * the records undo acts on. -ENOENT when there is no log (and flags do not
 * create it).
 */
static int trusted_open(const char *path, int flags, struct nerr *e)
{
	char why[200];
	int fd = trust_open(path, flags, 0600, why, sizeof(why));
	if (fd >= 0)
		return fd;
	if (fd == -ENOENT && !(flags & O_CREAT))
		return fd;
	struct buf b = {0};
	nerr_set(e, fd == -ENOENT ? fd : -EPERM, "audit log: %s: %s%s (nothing was changed)", str_esc(&b, path), why,
		 fd == -EPERM ? ": refusing to read or write it" : "");
	buf_free(&b);
	return fd == -ENOENT ? fd : -EPERM;
}

int audit_open(struct audit *a, const char *path, struct nerr *e)
{
	a->fd = -1;
	a->path = path ? path : AUDIT_DEFAULT;
	if (!path && mkdir(AUDIT_DIR, 0700) < 0 && errno != EEXIST) {
		int r = -errno;
		nerr_set(e, r, "audit log: %s: %s (nothing was changed)", AUDIT_DIR, strerror(errno));
		return r;
	}
	int fd = trusted_open(a->path, O_WRONLY | O_APPEND | O_CREAT, e);
	if (fd < 0)
		return fd;
	a->fd = fd;
	return 0;
}

void audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* "DEV:INO" of the opened cgroup directory: a cgroup removed and made
 * again under the same name is another one. */
static bool cg_identity(const struct sysroot *sr, int mi, const char *path, char *out, size_t n)
{
	int fd = cgx_open(sr, mi, path);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0;
	close(fd);
	if (ok)
		snprintf(out, n, "%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
	return ok;
}

/* Whether a record's target is want: the same cgroup directory (device and
 * inode) in every hierarchy both have, and at least one. */
static bool same_cgroup(const struct sysroot *sr, const struct jv *tj, const struct act_target *want)
{
	const struct jv *ids = jv_get(tj, "cgroup_ids");
	bool any = false;
	for (size_t i = 0; ids && ids->type == JV_OBJ && i < ids->n; i++) {
		int mi = cgx_mount_by_key(sr, ids->keys[i]);
		char cur[64];
		if (mi < 0 || !want->paths[mi] || !cg_identity(sr, mi, want->paths[mi], cur, sizeof(cur)))
			continue;
		if (ids->kids[i].type != JV_STR || strcmp(cur, ids->kids[i].s))
			return false;
		any = true;
	}
	return any;
}

static void target_json(struct json *j, const struct sysroot *sr, const struct act_target *t)
{
	json_obj_begin(j, "target");
	if (t->word)
		json_str(j, "word", t->word);
	if (t->name)
		json_str(j, "name", t->name);
	if (t->id)
		json_str(j, "id", t->id);
	if (t->rt != RT_NONE)
		json_str(j, "runtime", runtime_name(t->rt));
	if (t->pid)
		json_i64(j, "pid", t->pid);
	if (t->cgroup)
		json_str(j, "cgroup", t->cgroup);
	json_obj_begin(j, "cgroups");
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i])
			json_str(j, cgx_mount_key(sr, i), t->paths[i]);
	json_obj_end(j);
	/* which cgroup it was, not only its name: undo compares these */
	json_obj_begin(j, "cgroup_ids");
	for (int i = 0; i < sr->nmounts; i++) {
		char id[64];
		if (t->paths[i] && cg_identity(sr, i, t->paths[i], id, sizeof(id)))
			json_str(j, cgx_mount_key(sr, i), id);
	}
	json_obj_end(j);
	json_obj_end(j);
}

/*
 * Appends one record. old_obj and new_obj are JSON objects already written
 * by the JSON writer (or NULL). id receives the record's id (for undo).
 */
int audit_record(struct audit *a, const struct sysroot *sr, const struct audit_rec *rec)
{
	if (a->fd < 0)
		return -EBADF;
	struct buf b = {0};
	struct json j;
	json_init(&j, &b, false);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char tbuf[96], id[64];
	snprintf(tbuf, sizeof(tbuf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	snprintf(id, sizeof(id), "%lld%09ld-%d", (long long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	json_obj_begin(&j, NULL);
	json_str(&j, "time", tbuf);
	json_str(&j, "id", id);
	uid_t uid = getuid();
	struct passwd *pw = getpwuid(uid);
	json_str(&j, "user", pw ? pw->pw_name : "?");
	json_u64(&j, "uid", uid);
	const char *sudo = getenv("SUDO_USER");
	if (sudo && *sudo)
		json_str(&j, "sudo_user", sudo);
	json_str(&j, "action", rec->action);
	if (rec->target)
		target_json(&j, sr, rec->target);
	if (rec->old_obj)
		json_raw(&j, "old", rec->old_obj);
	if (rec->new_obj)
		json_raw(&j, "new", rec->new_obj);
	if (rec->undoes)
		json_str(&j, "undoes", rec->undoes);
	json_str(&j, "result", rec->err && rec->err->code ? "failed" : "ok");
	if (rec->err && rec->err->code)
		json_str(&j, "error", rec->err->msg);
	json_obj_end(&j);
	buf_addc(&b, '\n');
	ssize_t w = write(a->fd, b.p, b.len);
	int r = w < 0 ? -errno : (size_t)w != b.len ? -EIO : 0;
	buf_free(&b);
	return r;
}

/* {"cpu":"20000 100000","memory":"max"} for the settings set in mask. */
void limits_json(struct buf *out, const struct limits *l, const struct limits *mask)
{
	struct json j;
	json_init(&j, out, false);
	json_obj_begin(&j, NULL);
	for (int k = 0; k < LIM_N; k++) {
		if (!mask->l[k].set)
			continue;
		char v[64];
		limit_fmt(k, &l->l[k], v, sizeof(v));
		if (l->l[k].set)
			json_str(&j, limit_name(k), v);
		else
			json_null(&j, limit_name(k));
	}
	json_obj_end(&j);
}

/* Every line of the log that parses; the count, or -errno. */
int audit_read(const char *path, struct jv **out, size_t *n, struct nerr *e)
{
	*out = NULL;
	*n = 0;
	int fd = trusted_open(path ? path : AUDIT_DEFAULT, O_RDONLY, e);
	if (fd < 0)
		return fd;
	struct buf b = {0};
	int r = 0;
	for (;;) {
		buf_grow(&b, 65536);
		ssize_t k = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		if (k <= 0)
			break;
		b.len += (size_t)k;
	}
	b.p[b.len] = '\0';
	close(fd);
	size_t cap = 0;
	for (char *line = b.p; r >= 0 && line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct jv v;
		if (len && jv_parse(line, len, &v) == 0) {
			if (v.type == JV_OBJ) {
				if (*n == cap) {
					cap = cap ? cap * 2 : 64;
					*out = xreallocarray(*out, cap, sizeof(**out));
				}
				(*out)[(*n)++] = v;
			} else {
				jv_free(&v);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_free(&b);
	return r < 0 ? r : (int)*n;
}

void audit_free(struct jv *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jv_free(&v[i]);
	free(v);
}

/*
 * Undo: the newest successful "limit" record (for the target's cgroup when
 * t is given) that no later undo took back; its old values are written back.
 */
int act_undo(struct sysroot *sr, struct audit *a, const char *logpath, const struct act_target *want_t,
	     struct undo_result *res, struct nerr *e)
{
	memset(res, 0, sizeof(*res));
	struct jv *recs;
	size_t n;
	int r = audit_read(logpath, &recs, &n, e);
	if (r == -ENOENT)
		return nerr_input(e, r, "the audit log: there is none, so nothing to undo");
	if (r < 0)
		return r;
	const struct jv *hit = NULL;
	for (size_t i = n; i-- > 0 && !hit;) {
		const struct jv *v = &recs[i];
		const char *act = jv_str(v, "action"), *id = jv_str(v, "id");
		const char *result = jv_str(v, "result");
		if (!act || !id || !result || strcmp(act, "limit") || strcmp(result, "ok"))
			continue;
		bool undone = false;
		for (size_t k = i + 1; k < n && !undone; k++) {
			const char *u = jv_str(&recs[k], "undoes");
			const char *ur = jv_str(&recs[k], "result");
			undone = u && ur && !strcmp(u, id) && !strcmp(ur, "ok");
		}
		if (undone)
			continue;
		if (want_t && !same_cgroup(sr, jv_get(v, "target"), want_t))
			continue;
		hit = v;
	}
	if (!hit) {
		nerr_input(e, -EINVAL, "no limit change to undo%s in the audit log",
			 want_t ? " for this target" : "");
		audit_free(recs, n);
		return -EINVAL;
	}
	/* the target as it was recorded, hierarchy by hierarchy */
	struct act_target t = {0};
	const struct jv *tj = jv_get(hit, "target");
	const struct jv *cgs = jv_get(tj, "cgroups");
	const struct jv *ids = jv_get(tj, "cgroup_ids");
	r = 0;
	for (size_t i = 0; cgs && cgs->type == JV_OBJ && i < cgs->n && !r; i++) {
		int mi = cgx_mount_by_key(sr, cgs->keys[i]);
		if (mi < 0 || cgs->kids[i].type != JV_STR)
			continue;
		const char *path = cgs->kids[i].s, *want = jv_str(ids, cgs->keys[i]);
		char cur[64];
		struct buf pb = {0};
		/* the log is root's, but a record is still only a claim: it names
		 * a plain path, and the cgroup there is still the one it was */
		if (path[0] != '/' || str_path_has_dots(path))
			r = nerr_input(e, -EINVAL, "the record %s names the cgroup %s (. or .. components): refusing to undo it",
				       jv_str(hit, "id"), str_esc(&pb, path));
		else if (!want)
			r = nerr_input(e, -EINVAL, "the record %s has no identity for the cgroup %s (an older nstop wrote it): refusing to undo it",
				       jv_str(hit, "id"), str_esc(&pb, path));
		else if (!cg_identity(sr, mi, path, cur, sizeof(cur)) || strcmp(cur, want))
			r = nerr_input(e, -EINVAL, "the record %s: the cgroup %s is gone or is not the one it was (removed and made again?): refusing to undo it",
				       jv_str(hit, "id"), str_esc(&pb, path));
		else
			t.paths[mi] = xstrdup(path);
		buf_free(&pb);
	}
	if (r) {
		act_target_free(&t);
		audit_free(recs, n);
		return r;
	}
	if (jv_str(tj, "name"))
		t.name = xstrdup(jv_str(tj, "name"));
	if (jv_str(tj, "id"))
		t.id = xstrdup(jv_str(tj, "id"));
	if (jv_str(tj, "runtime"))
		for (int k = 0; k <= RT_UNNAMED; k++)
			if (!strcmp(runtime_name(k), jv_str(tj, "runtime")))
				t.rt = k;
	t.word = xstrdup(jv_str(tj, "word") ? jv_str(tj, "word") : "");
	act_target_finish(sr, &t);
	struct limits want = {0};
	const struct jv *old = jv_get(hit, "old"), *nw = jv_get(hit, "new");
	for (size_t i = 0; nw && nw->type == JV_OBJ && i < nw->n && !r; i++) {
		int k = limit_key_parse(nw->keys[i]);
		const char *ov = jv_str(old, nw->keys[i]);
		if (k < 0 || !ov || limit_unfmt(k, ov, &want.l[k]) < 0) {
			r = nerr_input(e, -EINVAL, "the record %s has no usable old %s value",
				 jv_str(hit, "id"), nw->keys[i]);
		}
	}
	if (!r)
		r = act_check_writable(sr, &t, e);
	if (!r) {
		r = act_limit(sr, &t, &want, true, &res->before, e);
		res->restored = want;
		snprintf(res->undoes, sizeof(res->undoes), "%s", jv_str(hit, "id"));
		struct buf ob = {0}, nb = {0};
		limits_json(&ob, &res->before, &want);
		limits_json(&nb, &want, &want);
		struct audit_rec rec = {.action = "undo", .target = &t, .old_obj = buf_str(&ob),
					.new_obj = buf_str(&nb), .undoes = res->undoes,
					.err = r ? e : NULL};
		audit_record(a, sr, &rec);
		buf_free(&ob);
		buf_free(&nb);
	}
	res->target = t;
	audit_free(recs, n);
	return r;
}

/* An audit record as an event (nstop events, and the recorder's); false
 * when it has no usable time. */
bool audit_event(const struct jv *v, struct event *e)
{
	memset(e, 0, sizeof(*e));
	const char *t = jv_str(v, "time"), *a = jv_str(v, "action");
	int64_t ns;
	if (!t || !a || parse_rfc3339(t, strlen(t), &ns) < 0)
		return false;
	e->time_usec = ns / 1000;
	e->type = EV_ACTION;
	snprintf(e->action, sizeof(e->action), "%s", a);
	snprintf(e->result, sizeof(e->result), "%s", jv_str(v, "result") ? jv_str(v, "result") : "?");
	const struct jv *tj = jv_get(v, "target");
	const char *name = jv_str(tj, "name"), *id = jv_str(tj, "id"), *word = jv_str(tj, "word");
	snprintf(e->ctr_name, sizeof(e->ctr_name), "%s", name ? name : word && !id ? word : "");
	snprintf(e->ctr_id, sizeof(e->ctr_id), "%s", id ? id : "");
	double pid;
	if (jv_num(tj, "pid", &pid) && pid > 0 && pid < 1e9)
		e->pid = (pid_t)pid;
	/* the new values ("memory=64M"), then why it failed */
	struct buf d = {0};
	const struct jv *nw = jv_get(v, "new");
	for (size_t i = 0; nw && nw->type == JV_OBJ && i < nw->n; i++) {
		const struct jv *k = &nw->kids[i];
		if (k->type != JV_STR && k->type != JV_NUM && k->type != JV_BOOL && k->type != JV_NULL)
			continue;
		buf_printf(&d, "%s%s=%s", d.len ? " " : "", nw->keys[i],
			   k->type == JV_BOOL ? (k->b ? "true" : "false") : k->type == JV_NULL ? "none" : k->s);
	}
	if (jv_str(v, "error"))
		buf_printf(&d, "%s%s", d.len ? ": " : "", jv_str(v, "error"));
	snprintf(e->detail, sizeof(e->detail), "%s", d.len ? d.p : "");
	buf_free(&d);
	return true;
}
