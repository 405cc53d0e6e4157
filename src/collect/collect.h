/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The collect layer: the collectors that fill a snapshot from /proc, the cgroup
 * trees, netlink and nstop's registry; the collector whose state outlives them. */
#ifndef NSTOP_COLLECT_H
#define NSTOP_COLLECT_H

#include "../util/util.h"
#include "../sysroot.h"
#include "../snap.h"
#include "parse.h"

/* ---- collect/cgset.c: parsed /proc/PID/cgroup texts, pooled ---- */
const struct cgset *pool_cgset(struct strpool *p, const char *text, size_t n);

/* ---- collect/container.c ---- */
const char *runtime_name(enum runtime r);
/* Recognition from a cgroup path alone (pure, unit-tested). */
struct cg_match {
	enum runtime rt;
	size_t end;             /* length of the path prefix that is the container's cgroup */
	char id[72];            /* full id (64 hex) or name */
	char pod_uid[40];       /* Kubernetes pod uid, when under kubepods */
};
bool container_match(const char *path, struct cg_match *m);
void container_collect(struct snap *s, struct sysroot *sr);
const struct container *proc_container(const struct snap *s, const struct proc *p);

/* ---- collect/net.c: interfaces per network namespace (libnl-route) ---- */
void net_collect(struct snap *s, struct sysroot *sr);
void net_rates(struct snap *s, const struct snap *prev);

/* ---- collect/host.c ---- */
int host_collect(struct host *h);

/* ---- collect/users.c ---- */
struct users;
struct users *users_new(const struct sysroot *sr);
const char *users_name(struct users *u, uid_t uid);
void users_free(struct users *u);

/* ---- collect/take.c: one snapshot from the collectors ---- */
struct snap *snap_take(struct sysroot *sr, struct users *users, unsigned what,
		       const struct snap *prev);
struct collector;
struct snap *collector_take(struct collector *c, unsigned what, const struct snap *prev);

/* ---- collect/proc.c: the collector, whose state outlives snapshots ---- */
struct collector_stats {
	uint64_t full_walks, event_refreshes, new_procs, stat_reads, ns_reads, verified;
	uint64_t pool_rotations, fd_sheds;
};
struct collector *collector_new(struct sysroot *sr, struct users *users, bool keep);
void collector_free(struct collector *c);
const struct collector_stats *collector_stats(const struct collector *c);
struct strpool *collector_pool(struct collector *c);
void collector_procs(struct collector *c, struct snap *s, unsigned what);
void collector_fill(struct collector *c, struct snap *s, const pid_t *pids, size_t n);
void collector_settle(struct collector *c);
struct sysroot *collector_sysroot(struct collector *c);
struct users *collector_users(struct collector *c);
void fdlimit_restore(void);

/* ---- collect/cnproc.c: the proc connector ---- */
struct cnproc;
struct cnproc *cnproc_open(void);
void cnproc_close(struct cnproc *c);
bool cnproc_take(struct cnproc *c);
void cnproc_synced(struct cnproc *c);
bool cnproc_execed(const struct cnproc *c, pid_t pid);
void cnproc_changes(struct cnproc *c, const pid_t **born, size_t *nborn, const pid_t **gone,
		    size_t *ngone);
void cnproc_recheck(struct cnproc *c, pid_t pid);

/* internal to the collectors, called by snap_take */
struct nscache;
struct nscache *nscache_new(void);
void nscache_free(struct nscache *c);
void ns_collect(struct snap *s, struct sysroot *sr, struct nscache *nc);
struct nscache *collector_nscache(struct collector *c);
void cgroup_collect(struct snap *s, struct sysroot *sr);
/* collect/cgeff.c: the effective limits over the rows cgroup.c read */
const struct cgroup *cgroup_row_or_ancestor(const struct snap *s, struct buf *b, const char *path);
void cgroup_effective(struct snap *s);
const struct cgroup *cgroup_parent_row(const struct snap *s, struct buf *b, const char *path);
double cgroup_own_cpu_limit(const struct cgroup *c);
void cgroup_collect_paths(struct snap *s, struct sysroot *sr, const char *const *paths, size_t n);
size_t container_cgroups(const struct snap *s, const char ***paths);
void proc_rates(struct snap *s, const struct snap *prev);
void cgroup_rates(struct snap *s, const struct snap *prev);

/* ---- collect/registry.c: the registry of nstop's containers, read ---- */
const char *state_dir(void);
bool state_name_ok(const char *s);
int state_open(const char *name);
int state_load(const char *name, struct jv *out);
int state_dir_open(void);
size_t state_list(char ***out);
void state_each(void (*fn)(const char *name, const struct jv *st, void *arg), void *arg);

/* ---- collect/logs.c: runtimes' log files and state files, read ---- */
#define LOG_READ_MAX (16 << 20)   /* of a log, from its end */
struct logsrc {
	struct sysroot *sr;
	int fd;
	enum log_fmt fmt;
	char path[4096];        /* as the runtime names it */
	dev_t dev;
	ino_t ino;
	off_t pos;              /* read up to here */
	struct buf part;        /* a line begun, not yet ended */
	struct log_join j;      /* a record's pieces */
};
typedef void (*log_rec_fn)(void *arg, const struct log_join *rec);
int rt_open(struct sysroot *sr, const char *abs, char *why, size_t n);
int rt_read(struct sysroot *sr, const char *abs, struct buf *b, char *why, size_t n);
size_t docker_roots(struct sysroot *sr, const struct snap *s, char (*roots)[4096], size_t max);
#define DOCKER_ROOTS_MAX 8
int docker_config(struct sysroot *sr, char (*roots)[4096], size_t nr, const char *id,
		  struct docker_cfg *c, char *root, char *why, size_t n);
int logs_open_file(struct sysroot *sr, const char *abs, enum log_fmt fmt, struct logsrc *ls,
		   struct nerr *e);
int logs_open_docker(struct sysroot *sr, const struct snap *s, const char *id, struct logsrc *ls,
		     struct nerr *e);
int podman_conmon(struct sysroot *sr, const struct snap *s, const char *id, pid_t init,
		  struct buf *argv, struct conmon_args *a, char *dir, size_t dsize, char *why, size_t n);
int podman_names(struct sysroot *sr, const struct snap *s, const char *id, pid_t init, char *name,
		 size_t nsize, char *image, size_t isize);
int logs_open_podman(struct sysroot *sr, const struct snap *s, const char *id, pid_t init,
		     struct logsrc *ls, struct nerr *e);
int logs_tail(struct logsrc *ls, size_t tail, int64_t since, log_rec_fn fn, void *arg);
int logs_poll(struct logsrc *ls, int64_t since, log_rec_fn fn, void *arg);
void logs_close(struct logsrc *ls);

#endif
