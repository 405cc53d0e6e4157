// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create's cgroups: PARENT/NAME made in each hierarchy a container
 * needs (on v2 each level hands the controllers down), and the v1 devices
 * allowlist. What is made is noted in struct made, for the undo.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "create.h"

static const char *const ctr_ctrls[] = {"cpu", "cpuacct", "memory", "pids", "freezer", "devices"};

/* mkdir of path (a hierarchy path) through the mount's fd; *made when new.
 * A path outside the hierarchy is the --cgroup-parent's fault. */
static int cg_mkdir(const struct sysroot *sr, int mi, const char *path, bool *made, struct nerr *e)
{
	const struct cg_mount *m = &sr->mounts[mi];
	const char *rel = cgx_rel(m, path);
	*made = false;
	if (!rel)
		return nerr_input(e, -EINVAL, "cgroup %s (%s): %s", path, cgx_mount_key(sr, mi), strerror(EINVAL));
	if (!strcmp(rel, "."))
		return 0;
	if (mkdirat(m->fd, rel, 0755) == 0) {
		*made = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return nerr_set(e, -errno, "cgroup %s (%s): %s", path, cgx_mount_key(sr, mi), strerror(errno));
}

static int enable_ctrls(const struct sysroot *sr, int mi, const char *path, struct nerr *e)
{
	int dfd = cgx_open(sr, mi, path);
	if (dfd < 0)
		return 0;
	char avail[256], sub[256];
	int r = 0;
	if (cgx_read(dfd, "cgroup.controllers", avail, sizeof(avail)) >= 0 &&
	    cgx_read(dfd, "cgroup.subtree_control", sub, sizeof(sub)) >= 0) {
		static const char *const want[] = {"cpu", "memory", "pids", "io"};
		for (size_t i = 0; i < ARRAY_LEN(want) && !r; i++) {
			char w[16];
			snprintf(w, sizeof(w), " %s ", want[i]);
			char a2[260], s2[260];
			snprintf(a2, sizeof(a2), " %s ", avail);
			snprintf(s2, sizeof(s2), " %s ", sub);
			if (!strstr(a2, w) || strstr(s2, w))
				continue;
			char add[16];
			snprintf(add, sizeof(add), "+%s", want[i]);
			r = cgx_write(dfd, "cgroup.subtree_control", add);
			if (r == -EBUSY || r == -EOPNOTSUPP)
				nerr_set(e, r, "cgroup %s holds processes, so it cannot hand the %s controller to a child (the no-internal-process rule): choose a --cgroup-parent without processes",
					 path, want[i]);
			else if (r < 0)
				nerr_set(e, r, "cgroup %s: enabling %s: %s", path, want[i], strerror(-r));
		}
	}
	close(dfd);
	return r;
}

/* Notes a directory create made, for the undo. */
static void made_dir(struct made *mk, int mi, const char *path)
{
	mk->dirs[mk->ndirs] = xstrdup(path);
	mk->dir_mi[mk->ndirs++] = mi;
}

/* Each level of the parent in one hierarchy, top down, made where missing;
 * on v2 each level hands the controllers down (its own parent first). */
static int make_parent(struct sysroot *sr, int mi, const char *base, struct buf *path,
		       struct made *mk, struct nerr *e)
{
	bool hand_down = sr->mounts[mi].version == 2 && sr->layout == CG_V2;
	int r = hand_down ? enable_ctrls(sr, mi, sr->mounts[mi].root, e) : 0;
	for (const char *p = base; !r;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		buf_addc(path, '/');
		buf_add(path, c, (size_t)(p - c));
		bool made;
		r = cg_mkdir(sr, mi, buf_str(path), &made, e);
		if (r < 0)
			return r;
		if (made)
			made_dir(mk, mi, buf_str(path));
		if (hand_down)
			r = enable_ctrls(sr, mi, buf_str(path), e);
	}
	return r;
}

/* PARENT/NAME in one hierarchy: NAME must be new. */
static int make_one(struct sysroot *sr, int mi, const struct create_opts *o, const char *self,
		    struct act_target *t, struct made *mk, struct nerr *e)
{
	struct buf base = {0}, path = {0};
	if (o->cgroup_parent[0] == '/') {
		buf_adds(&base, o->cgroup_parent);
	} else {
		buf_adds(&base, self ? self : sr->mounts[mi].root);
		buf_addc(&base, '/');
		buf_adds(&base, o->cgroup_parent);
	}
	int r = make_parent(sr, mi, buf_str(&base), &path, mk, e);
	if (!r) {
		buf_addc(&path, '/');
		buf_adds(&path, o->name);
		bool made;
		r = cg_mkdir(sr, mi, buf_str(&path), &made, e);
		if (!r && !made)
			r = nerr_set(e, -EEXIST, "cgroup %s (%s): it exists already (left over? remove it first)",
				     buf_str(&path), cgx_mount_key(sr, mi));
		if (!r) {
			made_dir(mk, mi, buf_str(&path));
			t->paths[mi] = xstrdup(buf_str(&path));
		}
	}
	buf_free(&path);
	buf_free(&base);
	return r;
}

/* Makes PARENT/NAME in each hierarchy a container needs (a relative
 * PARENT beneath nstop's own cgroup there); fills t. */
int create_make_cgroups(struct sysroot *sr, const struct create_opts *o, struct act_target *t,
			struct made *mk, struct nerr *e)
{
	struct act_target self = {0};
	act_pid_cgroups(sr, getpid(), &self);
	bool use[CG_MAX_MOUNTS] = {0};
	for (size_t i = 0; i < ARRAY_LEN(ctr_ctrls); i++) {
		int mi = cgx_mount_for(sr, ctr_ctrls[i]);
		if (mi >= 0)
			use[mi] = true;
	}
	int v2 = cgx_mount_for(sr, "");
	if (v2 >= 0)
		use[v2] = true; /* hybrid: the unified tree's cgroup.kill and cgroup.freeze */
	int r = 0;
	for (int mi = 0; mi < sr->nmounts && !r; mi++)
		if (use[mi])
			r = make_one(sr, mi, o, self.paths[mi], t, mk, e);
	act_target_free(&self);
	if (!r && create_fail_at("cgroup"))
		r = nerr_set(e, -EIO, "injected failure after making the cgroups (NSTOP_FAIL_AT=cgroup)");
	act_target_finish(sr, t);
	return r;
}

/* v1 devices: deny all, then allow the nodes /dev gets (as Docker does). */
int create_devices_allow(struct sysroot *sr, const struct act_target *t, struct nerr *e)
{
	int mi = cgx_mount_for(sr, "devices");
	if (mi < 0 || sr->mounts[mi].version != 1 || !t->paths[mi])
		return 0;
	int dfd = cgx_open(sr, mi, t->paths[mi]);
	if (dfd < 0)
		return 0;
	static const char *const allow[] = {"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
					    "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm"};
	int r = cgx_write(dfd, "devices.deny", "a");
	for (size_t i = 0; i < ARRAY_LEN(allow) && !r; i++)
		r = cgx_write(dfd, "devices.allow", allow[i]);
	if (r < 0)
		nerr_set(e, r, "v1 devices allowlist: %s", strerror(-r));
	close(dfd);
	return r;
}
