// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop enter: the target's identity as the command will be given it, read
 * before the fork through the target's /proc directory: its credentials
 * (ids, groups, capability sets, no_new_privs, seccomp mode from
 * /proc/PID/status), its ids as its own user namespace sees them, and its
 * LSM label; the child (enter_child.c) applies them. Securebits cannot be
 * read from another process: see apply_creds there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enter.h"

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
		nerr_input(e, r, "the target's LSM label is not one nstop can apply");
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

int enter_grant(struct sysroot *sr, int pdir, pid_t pid, bool privileged, struct grant *g,
		struct nerr *e)
{
	struct buf b = {0};
	int n = read_file_at(pdir, "status", &b);
	int r = n < 0 ? n : parse_proc_status(b.p, (size_t)n, &g->c);
	buf_free(&b);
	if (r < 0 && err_vanished(r)) {
		nerr_input(e, -ESRCH, "pid %d: its credentials (/proc/%d/status): it exited", (int)pid,
			   (int)pid);
		return r;
	}
	if (r < 0) {
		nerr_set(e, r, "pid %d: its credentials (/proc/%d/status): %s", (int)pid, (int)pid,
			 strerror(-r));
		return r;
	}
	if (!privileged && g->c.seccomp == 1)
		return nerr_input(e, -EPERM, "pid %d runs in seccomp's strict mode: no command can have as little "
					     "(--privileged to enter anyway)", (int)pid);
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
		if (!ok && !privileged)
			return nerr_input(e, -EINVAL, "pid %d: its ids are not mapped in its own user namespace",
					  (int)pid);
	}
	g->last_cap = last_cap(sr);
	return privileged ? 0 : read_label(sr, pdir, g, e);
}
