// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the files of nstop create share, private to src/act/create*.c: the
 * record of what the parent made (to undo it), the child's instructions,
 * and the steps one file hands another. The parent (create.c) uses every
 * other file; the child's side is create-child.c over create-fs.c; the
 * input (create-env.c), the cgroups (create-cg.c) and the user ids
 * (create-userns.c) use none of the others, so no two call each other.
 */
#ifndef NSTOP_ACT_CREATE_H
#define NSTOP_ACT_CREATE_H
#include <stdlib.h>
#include <string.h>

#include "../collect/parse.h"
#include "../collect/collect.h"
#include "act.h"

/* Test hook: NSTOP_FAIL_AT=STEP makes that step fail, to prove the undo. */
static inline bool create_fail_at(const char *step)
{
	const char *f = getenv("NSTOP_FAIL_AT");
	return f && !strcmp(f, step);
}

/* What create made, to undo it in reverse. */
struct made {
	char *dirs[CG_MAX_MOUNTS * 8];
	int dir_mi[CG_MAX_MOUNTS * 8];
	int ndirs;
	bool state;
	char veth[16];
	pid_t pid;
	int pidfd;
	int lfds[PUBLISH_MAX_FDS]; /* --publish: the bound sockets, until the proxy has them */
	struct publish_proxy proxy; /* the ports' proxy, create's child */
};

/* What the cloned child is told: its options, its pipes, its log. */
struct child {
	const struct create_opts *o;
	int p2c, c2p;           /* the child's ends */
	int logfd;
	char statepath[256];    /* /run/nstop/NAME */
	char ctr_addr[64], host_addr[64];
	char **envp;            /* the command's whole environment */
	uint32_t userns_base;   /* --ns ...,user: its block of ids */
};

/* create-env.c: the input */
char **create_make_env(const struct create_opts *o);
void create_env_free(char **env);
/* create-cg.c: the cgroups */
int create_make_cgroups(struct sysroot *sr, const struct create_opts *o, struct act_target *t,
			struct made *mk, struct nerr *e);
int create_devices_allow(struct sysroot *sr, const struct act_target *t, struct nerr *e);
/* create-userns.c: the user namespace's ids, the proxy's */
int create_ids_alloc(const char *name, const char *file, uint32_t *base, struct nerr *e);
void create_ids_unlock(void);
int create_userns_alloc(const char *name, uint32_t *base, struct nerr *e);
int create_write_maps(pid_t pid, uint32_t base, struct nerr *e);
/* create-fs.c: the container's filesystem, and how the child reports */
void create_child_fail(const struct child *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void create_setup_fs(const struct child *c);
/* create-child.c: the cloned child, up to the container's init */
void create_keep_fds(int a, int b, int c);
void __attribute__((noreturn)) create_child_main(struct child *c);
#endif
