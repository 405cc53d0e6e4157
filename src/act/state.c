// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of nstop's own containers: /run/nstop/NAME/state.json (root
 * only, 0700 directories), holding the init pid and its start time, the
 * cgroup path in each hierarchy and the options used.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../nstop.h"

const char *state_dir(void)
{
	const char *d = getenv("NSTOP_STATE_DIR"); /* tests only; never set-uid (main refuses) */
	return d && *d ? d : "/run/nstop";
}

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, not all digits */
bool state_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64 || !isalnum((unsigned char)s[0]) || strspn(s, "0123456789") == n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* Reads NAME's record; -ENOENT when there is none. */
int state_load(const char *name, struct jv *out)
{
	if (!state_name_ok(name))
		return -ENOENT;
	int dfd = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	char path[128];
	snprintf(path, sizeof(path), "%s/state.json", name);
	struct buf b = {0};
	int r = read_file_at(dfd, path, &b);
	close(dfd);
	if (r >= 0)
		r = jv_parse(b.p, b.len, out) < 0 ? -EINVAL : 0;
	buf_free(&b);
	return r;
}

/* Fills t from a record: its cgroups per hierarchy and, if alive, its init. */
void state_fill_target(struct sysroot *sr, const struct jv *st, struct act_target *t)
{
	t->rt = RT_NSTOP;
	const char *name = jv_str(st, "name"), *id = jv_str(st, "id");
	t->name = xstrdup(name ? name : "?");
	t->id = xstrdup(id ? id : t->name);
	double pid = 0, start = 0;
	if (jv_num(st, "pid", &pid) && jv_num(st, "start", &start) && pid > 0) {
		uint64_t now;
		if (act_pid_start(sr, (pid_t)pid, &now) == 0 && now == (uint64_t)start)
			t->pid = (pid_t)pid;
	}
	const struct jv *cgs = jv_get(st, "cgroups");
	for (size_t i = 0; cgs && cgs->type == JV_OBJ && i < cgs->n; i++) {
		int mi = cgx_mount_by_key(sr, cgs->keys[i]);
		if (mi >= 0 && cgs->kids[i].type == JV_STR && !t->paths[mi])
			t->paths[mi] = xstrdup(cgs->kids[i].s);
	}
}

int state_target(struct sysroot *sr, const char *name, struct act_target *t)
{
	struct jv st;
	int r = state_load(name, &st);
	if (r < 0)
		return r == -EACCES ? -ENOENT : r;
	state_fill_target(sr, &st, t);
	jv_free(&st);
	return 0;
}
