// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The collector's state, shared by proc.c (the walk, the table, the
 * snapshots' process tables) and pent.c (reading one process's files) and
 * no other file. pent.c uses nothing of proc.c's.
 */
#ifndef NSTOP_COLLECT_PROC_H
#define NSTOP_COLLECT_PROC_H

#include "parse.h"
#include "collect.h"

/* what has been read of one process */
enum { PN_STAT = 1, PN_NS = 2, PN_CG = 4, PN_CMD = 8, PN_UID = 16, PN_NSPID = 32 };

struct pent {
	struct proc p;          /* strings in the collector's pool */
	uint64_t dino;          /* inode of /proc/PID when listed, 0 unknown */
	int fd;                 /* kept stat fd, -1 when none */
	unsigned have;          /* PN_* */
	uint32_t born;          /* refresh that first saw it */
	uint32_t statgen;       /* refresh that last read its stat */
};

struct collector {
	struct sysroot *sr;
	struct users *users;
	struct strpool *pool;
	size_t pool_live;       /* strings in the pool after its last rotation */
	struct pent *e;         /* sorted by pid */
	size_t n;
	struct pent *ne;        /* the table being built by a refresh */
	size_t nne;
	uint32_t gen;
	pid_t cursor;           /* the pid the next re-verification slice starts at */
	unsigned rounds;        /* the slice's passes over the whole table */
	bool keep;              /* keep stat fds open between refreshes */
	bool keep_stat;         /* ... now: only while a view rereads stat (SNAP_PROCS) */
	long nkept;             /* stat fds kept */
	struct fdbudget fdb;    /* every kept fd: ours, cgc's, the netlink sockets */
	long page;
	uint64_t host_pidns;
	struct buf b;
	struct cnproc *cn;      /* the proc connector, NULL when not in use */
	struct nscache *nsc;    /* namespace relations (ns.c) */
	struct namecache *names; /* containers' names by id (rtnames.c) */
	struct netcache *ncs;   /* kept netlink sockets (net.c), within fdb */
	struct cgcache *cgc;    /* kept cgroup fds (cgcache.c), within fdb */
	struct collector_stats st;
	int cg_depth;           /* SNAP_CGROUPS walks this deep; -1: every cgroup */
	bool cg_lean;           /* ... for metrics: none of the figures they do not export */
	struct cgidle *idle;    /* NULL, or: stat not reread in idle cgroups (cgidle.c) */
};

/* Reads what is missing of want; stat first. Returns <0 when it is gone,
 * -ESTALE when its pid is another process's now. */
int pent_read(struct collector *c, struct pent *e, unsigned want, bool first);
/* A process not known before, read in full; <0 when it is gone. */
int pent_new(struct collector *c, struct pent *e, pid_t pid, uint64_t dino, unsigned want);
/* Its kept stat fd given back. */
void pent_drop(struct collector *c, struct pent *e);
/* cgidle.c: which cgroups used no CPU since the refresh before */
struct cgidle *cgidle_new(const struct sysroot *sr);
void cgidle_free(struct cgidle *d);
void cgidle_update(struct collector *c);
void cgidle_forget(struct cgidle *d);
bool cgidle_idle(const struct collector *c, const struct proc *p, uint64_t *at);
/* Its pid inside its own pid namespace, once c->host_pidns is known. */
void pent_nspid(struct collector *c, struct pent *e);

#endif
