// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Freeze and thaw: v2 cgroup.freeze (on hybrid hosts in the unified tree,
 * where the cgroup exists there), else v1 freezer.state. Both are
 * asynchronous: the call returns once the kernel reports the new state
 * (cgroup.events "frozen", freezer.state FROZEN), or fails after a timeout
 * and puts the old state back.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "act.h"

static bool has_ctrl_mount(const struct sysroot *sr, int mi, const char *ctrl)
{
	return cgx_mount_for(sr, ctrl) == mi;
}

static bool has_file(const struct sysroot *sr, int mi, const char *path, const char *file)
{
	int dfd = cgx_open(sr, mi, path);
	if (dfd < 0)
		return false;
	bool ok = faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return ok;
}

/*
 * The hierarchy that defines the target's members for freeze and kill: the
 * v2 tree where the cgroup can be frozen there, else the v1 freezer, else
 * cpu, memory or pids. Only one: on hybrid hosts another hierarchy may put
 * the same process in a much larger cgroup (a login session's, say).
 */
int act_primary_mount(struct sysroot *sr, const struct act_target *t)
{
	int mi = cgx_mount_for(sr, "");
	if (mi >= 0 && t->paths[mi] && has_file(sr, mi, t->paths[mi], "cgroup.freeze"))
		return mi;
	static const char *const ctrls[] = {"freezer", "cpu", "memory", "pids"};
	for (size_t k = 0; k < ARRAY_LEN(ctrls); k++) {
		mi = cgx_mount_for(sr, ctrls[k]);
		if (mi >= 0 && t->paths[mi])
			return mi;
	}
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i])
			return i;
	return -1;
}

/* Where freezing happens for this target: a dir fd, and whether it is v2. */
static int freezer_dir(struct sysroot *sr, const struct act_target *t, bool *v2)
{
	int mi = act_primary_mount(sr, t);
	if (mi < 0)
		return -ENODEV;
	*v2 = sr->mounts[mi].version == 2;
	if (*v2 ? !has_file(sr, mi, t->paths[mi], "cgroup.freeze")
		: !has_ctrl_mount(sr, mi, "freezer"))
		return -ENODEV;
	return cgx_open(sr, mi, t->paths[mi]);
}

static int state_of(int dfd, bool v2)
{
	char s[512];
	if (v2) {
		struct buf b = {0};
		int r = read_file_at(dfd, "cgroup.events", &b);
		uint64_t v = 0;
		if (r >= 0)
			r = parse_keyed_u64(b.p, b.len, "frozen", &v);
		buf_free(&b);
		return r < 0 ? r : (int)v;
	}
	int r = cgx_read(dfd, "freezer.state", s, sizeof(s));
	if (r < 0)
		return r;
	return !strcmp(s, "FROZEN") ? 1 : !strcmp(s, "THAWED") ? 0 : 2; /* 2: FREEZING */
}

/* 1 frozen, 0 not, -errno when the target cannot be frozen at all. */
int act_frozen(struct sysroot *sr, const struct act_target *t)
{
	bool v2;
	int dfd = freezer_dir(sr, t, &v2);
	if (dfd < 0)
		return dfd;
	int r = state_of(dfd, v2);
	close(dfd);
	return r == 2 ? 0 : r;
}

static int set_state(int dfd, bool v2, bool freeze)
{
	return v2 ? cgx_write(dfd, "cgroup.freeze", freeze ? "1" : "0")
		  : cgx_write(dfd, "freezer.state", freeze ? "FROZEN" : "THAWED");
}

int act_freeze(struct sysroot *sr, const struct act_target *t, bool freeze, double timeout,
	       struct nerr *e)
{
	struct buf d = {0};
	act_target_desc(t, &d);
	bool v2;
	int dfd = freezer_dir(sr, t, &v2);
	if (dfd < 0) {
		if (t->denied)
			nerr_input(e, -EINVAL, "%s", t->denied);
		else
			nerr_input(e, -EINVAL, "%s: no freezer here (neither cgroup.freeze nor a v1 freezer cgroup)",
				 buf_str(&d));
		buf_free(&d);
		return -EINVAL;
	}
	int before = state_of(dfd, v2);
	int r = set_state(dfd, v2, freeze);
	if (r < 0) {
		nerr_set(e, r, "%s: %s: %s", buf_str(&d), v2 ? "cgroup.freeze" : "freezer.state",
			 strerror(-r));
	} else {
		uint64_t deadline = mono_usec() + (uint64_t)(timeout * 1e6);
		int st;
		while ((st = state_of(dfd, v2)) != (freeze ? 1 : 0)) {
			if (st < 0 || mono_usec() > deadline) {
				r = st < 0 ? st : -ETIMEDOUT;
				nerr_set(e, r, "%s: the kernel did not report it %s within %.1f s%s",
					 buf_str(&d), freeze ? "frozen" : "thawed", timeout,
					 freeze ? " (a task in uninterruptible sleep can hold it); left as it was" : "");
				/* a thaw that is slow to show is never turned back
				 * into a freeze */
				if (before >= 0 && freeze)
					set_state(dfd, v2, before == 1);
				break;
			}
			/* v1 retries a FREEZING cgroup only when asked again */
			if (!v2 && freeze)
				set_state(dfd, v2, true);
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	close(dfd);
	buf_free(&d);
	return r;
}
