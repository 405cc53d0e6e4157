// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop enter's own parts, shared by its three files and no other: what the
 * command is granted (enter_grant.c reads it from the target), and the child
 * that takes it (enter_child.c). enter.c, the parent, uses both; neither
 * uses the other's functions, nor enter.c's.
 */
#ifndef NSTOP_ACT_ENTER_H
#define NSTOP_ACT_ENTER_H

#include <signal.h>

#include "../collect/parse.h"
#include "act.h"

enum { LSM_NONE, LSM_APPARMOR, LSM_SELINUX };

/* What the command gets, worked out before the fork. */
struct grant {
	struct proc_creds c;     /* the target's, as the host sees them */
	bool same_user;          /* the command ends in the target's user namespace */
	bool join_user;          /* ... by joining it */
	uint32_t uid[3], gid[3]; /* real, effective, saved, inside that namespace */
	int lsm;
	char label[256];
	int last_cap;
};

/* Reads /proc/PID/status (through pdir, the target's /proc directory) and
 * the rest of what the command will be given. */
int enter_grant(struct sysroot *sr, int pdir, pid_t pid, bool privileged, struct grant *g,
		struct nerr *e);

/* What I, the child in the host's pid namespace, is handed at the fork. */
struct child {
	const struct enter_opts *o;
	const struct grant *g;
	struct pty *pty;
	int pidfd, rootfd, cwdfd, proc_fd, errfd;
	const int *cgfds;
	int ncg;
	int late_ns;             /* CLONE_NEWPID, CLONE_NEWCGROUP: joined by I */
	const sigset_t *mask;
	const char *shell;
	const char *term;
};

/* I: sets the command up and runs it; never returns. */
void enter_child_main(struct child *c) __attribute__((noreturn));

#endif
