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

#include "../nstop.h"

#define AUDIT_DIR "/var/log/nstop"
#define AUDIT_DEFAULT AUDIT_DIR "/actions.log"

const char *audit_default_path(void)
{
	return AUDIT_DEFAULT;
}

int audit_open(struct audit *a, const char *path, struct nerr *e)
{
	a->fd = -1;
	if (!path)
		path = config_get()->audit_log;
	a->path = path ? path : AUDIT_DEFAULT;
	if (!path && mkdir(AUDIT_DIR, 0700) < 0 && errno != EEXIST) {
		int r = -errno;
		nerr_set(e, r, "audit log: %s: %s (nothing was changed)", AUDIT_DIR, strerror(errno));
		return r;
	}
	int fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		      0600);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		int r = -errno;
		struct buf b = {0};
		str_escape(&b, a->path, strlen(a->path), ESC_TEXT);
		nerr_set(e, r, "audit log: %s: %s (nothing was changed)", buf_str(&b),
			 r == -EINVAL ? "not a regular file" : r == -ELOOP ? "a symbolic link" : strerror(-r));
		buf_free(&b);
		return r;
	}
	a->fd = fd;
	return 0;
}

void audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
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
int audit_read(const char *path, struct jv **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!path)
		path = config_get()->audit_log;
	int fd = open(path ? path : AUDIT_DEFAULT, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
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
	int r = audit_read(logpath, &recs, &n);
	if (r < 0) {
		nerr_set(e, r == -ENOENT ? -EINVAL : r, "the audit log: %s",
			 r == -ENOENT ? "there is none, so nothing to undo" : strerror(-r));
		return r == -ENOENT ? -EINVAL : r;
	}
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
		const char *cg = jv_str(jv_get(v, "target"), "cgroup");
		if (want_t && (!cg || !want_t->cgroup || strcmp(cg, want_t->cgroup)))
			continue;
		hit = v;
	}
	if (!hit) {
		nerr_set(e, -EINVAL, "no limit change to undo%s in the audit log",
			 want_t ? " for this target" : "");
		audit_free(recs, n);
		return -EINVAL;
	}
	/* the target as it was recorded, hierarchy by hierarchy */
	struct act_target t = {0};
	const struct jv *tj = jv_get(hit, "target");
	const struct jv *cgs = jv_get(tj, "cgroups");
	for (size_t i = 0; cgs && cgs->type == JV_OBJ && i < cgs->n; i++) {
		int mi = cgx_mount_by_key(sr, cgs->keys[i]);
		if (mi >= 0 && cgs->kids[i].type == JV_STR)
			t.paths[mi] = xstrdup(cgs->kids[i].s);
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
	r = 0;
	for (size_t i = 0; nw && nw->type == JV_OBJ && i < nw->n && !r; i++) {
		int k = limit_key_parse(nw->keys[i]);
		const char *ov = jv_str(old, nw->keys[i]);
		if (k < 0 || !ov || limit_unfmt(k, ov, &want.l[k]) < 0) {
			r = -EINVAL;
			nerr_set(e, r, "the record %s has no usable old %s value",
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
