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
struct namecache;
void container_collect(struct snap *s, struct sysroot *sr, struct namecache *nc);
const struct container *proc_container(const struct snap *s, const struct proc *p);

/* ---- collect/rtnames.c: names, images, pods from the runtimes' files, cached ---- */
struct namecache *namecache_new(void);
void namecache_free(struct namecache *nc);
uint64_t namecache_reads(const struct namecache *nc);
void rtnames_collect(struct snap *s, struct sysroot *sr, struct namecache *nc);

/* ---- collect/net.c: interfaces per network namespace (libnl-route) ---- */
struct netcache;
struct fdbudget;
struct netcache *netcache_new(struct fdbudget *b);
void netcache_free(struct netcache *nc);
size_t netcache_open(const struct netcache *nc);
void net_collect(struct snap *s, struct sysroot *sr, struct netcache *nc);
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
void snap_rates(struct snap *s, const struct snap *prev);
struct collector;
struct snap *collector_take(struct collector *c, unsigned what, const struct snap *prev);

/* ---- collect/proc.c: the collector, whose state outlives snapshots ---- */
struct collector_stats {
	uint64_t full_walks, event_refreshes, new_procs, stat_reads, stat_idle, ns_reads, verified;
	uint64_t pool_rotations, fd_sheds;
	long fd_budget, kept_stat, kept_cgroup, kept_sock; /* after the last refresh */
};
struct collector *collector_new(struct sysroot *sr, struct users *users, bool keep);
void collector_free(struct collector *c);
const struct collector_stats *collector_stats(const struct collector *c);
struct strpool *collector_pool(struct collector *c);
void collector_procs(struct collector *c, struct snap *s, unsigned what);
void collector_fill(struct collector *c, struct snap *s, const pid_t *pids, size_t n);
void collector_settle(struct collector *c);
struct sysroot *collector_sysroot(struct collector *c);
void collector_set_cgroup_depth(struct collector *c, int depth);
void collector_set_list_depth(struct collector *c, int depth);
int collector_cgroup_depth(const struct collector *c);
bool collector_cgroup_lean(const struct collector *c);
struct users *collector_users(struct collector *c);
/* A warm collector that rereads every process's stat (the recorder) skips
 * the processes of cgroups that used no CPU since the refresh before
 * (cgidle.c); every one is read at least every IDLE_REREAD refreshes. */
#define IDLE_REREAD 8
void collector_skip_idle(struct collector *c, bool on);
void fdlimit_restore(void);

/* ---- collect/cnproc.c: the proc connector ---- */
struct cnproc;
struct cnproc *cnproc_open(void);
void cnproc_close(struct cnproc *c);
int cn_listen(int rcvbuf, int flags);
void cn_unlisten(int fd);
bool cnproc_take(struct cnproc *c);
void cnproc_synced(struct cnproc *c);
bool cnproc_execed(const struct cnproc *c, pid_t pid);
void cnproc_changes(struct cnproc *c, const pid_t **born, size_t *nborn, const pid_t **gone,
		    size_t *ngone);
void cnproc_recheck(struct cnproc *c, pid_t pid);

/* internal to the collectors, called by snap_take */
/* Descriptors a collector keeps open between refreshes (stat fds, cgroup
 * dirs and files, netlink sockets), all within one budget: the soft
 * RLIMIT_NOFILE raised to the hard one, less FD_RESERVE; max 0 after an
 * EMFILE (then everything is opened per refresh). */
struct fdbudget {
	long max, used;
};
/* collect/cgcache.c: kept cgroup dir and file fds, within a descriptor budget */
enum cgf {
	CGF_CPU_STAT, CGF_MEM_CURRENT, CGF_MEM_STAT, CGF_SWAP_CURRENT, CGF_IO_STAT, CGF_CPU_MAX,
	CGF_MEM_MAX, CGF_MEM_HIGH, CGF_PIDS_MAX, CGF_PIDS_CURRENT, CGF_MEM_EVENTS, CGF_CPU_PRESSURE,
	CGF_MEM_PRESSURE, CGF_IO_PRESSURE, CGF_MEM_MIN, CGF_MEM_LOW, CGF_CPU_WEIGHT, CGF_CPUSET_EFF,
	CGF_EVENTS, CGF_FREEZE, CGF_PROCS, CGF_CPUACCT_USAGE, CGF_CFS_QUOTA, CGF_CFS_PERIOD,
	CGF_V1_MEM_USAGE, CGF_V1_MEM_LIMIT, CGF_V1_MEMSW_USAGE, CGF_V1_OOM_CONTROL,
	CGF_V1_BLKIO_BYTES, CGF_V1_CPUSET_EFF, CGF_V1_FREEZER_STATE, CGF_N
};
struct cgcache;
struct cgnode;
struct cgcache *cgcache_new(struct fdbudget *b);
void cgcache_free(struct cgcache *c);
long cgcache_kept(const struct cgcache *c);
void cgcache_begin(struct cgcache *c);
void cgcache_end(struct cgcache *c);
int cgcache_root(struct cgcache *c, const struct sysroot *sr, int mi, struct cgnode **out, bool *tmp);
size_t cgcache_kids(struct cgcache *c, struct cgnode *n, int dfd, struct cgnode ***out);
int cgcache_kid_open(struct cgcache *c, int pdfd, struct cgnode *k, bool *tmp);
const char *cgnode_name(const struct cgnode *n);
int cgcache_path(struct cgcache *c, const struct sysroot *sr, int mi, const char *rel,
		 struct cgnode **out, bool *tmp);
int cgcache_read(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, char *out, size_t size);
int cgcache_read_buf(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, struct buf *b);
int cgcache_read_fresh(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, struct buf *b);
/* What a collector's cgroup walk reads (cgcache_set_needs; all by default):
 * the files behind the figures a listing shows, so a column not shown is not
 * read. A figure not read stays VAL_NA (NAN, frozen -1, nprocs 0); every
 * hierarchy is still listed, so the rows are the same either way. */
enum cgneed {
	CGN_PROCS = 1u << 0,    /* nprocs, nprocs_rec: cgroup.procs of every hierarchy */
	CGN_CPU = 1u << 1,      /* cpu_usage_usec and CPU%: cpu.stat, cpuacct.usage */
	CGN_CPULIM = 1u << 2,   /* cpu.max, cpu.cfs_quota_us and cfs_period_us */
	CGN_THR = 1u << 3,      /* cpu.stat periods, throttled, throttled time */
	CGN_THRRATE = 1u << 4,  /* THR%: the same in the first sample too */
	CGN_MEM = 1u << 5,      /* memory.current, memory.usage_in_bytes */
	CGN_MEMLIM = 1u << 6,   /* memory.max, memory.limit_in_bytes */
	CGN_MEMHIGH = 1u << 7,  /* memory.high */
	CGN_MEMSTAT = 1u << 8,  /* memory.stat */
	CGN_SWAP = 1u << 9,     /* memory.swap.current, memory.memsw.usage_in_bytes */
	CGN_IO = 1u << 10,      /* io.stat, blkio.throttle.io_service_bytes */
	CGN_PIDS = 1u << 11,    /* pids.current */
	CGN_PIDSLIM = 1u << 12, /* pids.max */
	CGN_MEMEV = 1u << 13,   /* memory.events, memory.oom_control */
	CGN_PSI = 1u << 14,     /* cpu, memory and io.pressure */
	CGN_MINLOW = 1u << 15,  /* memory.min, memory.low */
	CGN_WEIGHT = 1u << 16,  /* cpu.weight */
	CGN_CPUSET = 1u << 17,  /* cpuset.cpus.effective, cpuset.effective_cpus */
	CGN_FROZEN = 1u << 18,  /* cgroup.events, cgroup.freeze, freezer.state */
	CGN_PROCSREC = 1u << 19, /* nprocs_rec beneath a --depth: the processes of the cgroups below */
	CGN_ALL = (1u << 20) - 1
};
void cgcache_set_needs(struct cgcache *c, unsigned needs);
unsigned cgcache_needs(const struct cgcache *c);
struct cgcache *collector_cgcache(struct collector *c);
struct netcache *collector_netcache(struct collector *c);
struct nscache;
struct nscache *nscache_new(void);
void nscache_free(struct nscache *c);
void ns_collect(struct snap *s, struct sysroot *sr, struct nscache *nc);
struct nscache *collector_nscache(struct collector *c);
struct namecache *collector_namecache(struct collector *c);
void cgroup_collect(struct snap *s, struct sysroot *sr, struct cgcache *cc);
/* collect/cgeff.c: the effective limits over the rows cgroup.c read */
const struct cgroup *cgroup_row_or_ancestor(const struct snap *s, struct buf *b, const char *path);
void cgroup_effective(struct snap *s);
const struct cgroup *cgroup_parent_row(const struct snap *s, struct buf *b, const char *path);
double cgroup_own_cpu_limit(const struct cgroup *c);
void cgroup_collect_depth(struct snap *s, struct sysroot *sr, struct cgcache *cc, int maxdepth,
			  const char *const *paths, size_t n, bool lean);
void cgroup_collect_paths(struct snap *s, struct sysroot *sr, struct cgcache *cc,
			  const char *const *paths, size_t n);
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
void registry_ports(struct snap *s, struct sysroot *sr, const struct jv *st, struct container *c);

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
	size_t read_max;        /* logs_tail reads this much of the end, 0: LOG_READ_MAX */
	char **older;           /* rotated files before it, oldest first (CRI) */
	size_t nolder;
	char note[800];         /* what was left out (compressed rotated files) */
	struct sd_journal *jr;  /* a journald driver's: the journal, not a file (journal.c) */
	bool jall;              /* jr is a machine's own journal: every entry, IDENT: MESSAGE */
	int *jfds;              /* jr's files, opened by logs_sys.c, closed after it */
	struct buf line;        /* IDENT: MESSAGE of jall's entry */
	bool jbroken;           /* a file of jr shrank while read (SIGBUS): not read again */
	size_t njfds;
};
typedef void (*log_rec_fn)(void *arg, const struct log_join *rec);
int rt_open(struct sysroot *sr, const char *abs, char *why, size_t n);
int fd_read_capped(int fd, struct buf *b, size_t max);
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
int logs_open_own(const char *name, struct logsrc *ls, struct nerr *e);
int logs_open_cri(struct sysroot *sr, const char *ns, const char *pod, const char *uid,
		  const char *ctr, long restart, struct logsrc *ls, struct nerr *e);
int logs_find_cri(struct sysroot *sr, const char *id, struct cri_ref *r);
/* ---- collect/journal.c: the journald log drivers' entries (sd-journal) ---- */
int logs_open_journal(struct sysroot *sr, const char *id, const char *who, struct logsrc *ls,
		      struct nerr *e);
int journal_tail(struct logsrc *ls, size_t tail, int64_t since, log_rec_fn fn, void *arg);
int journal_poll(struct logsrc *ls, int64_t since, log_rec_fn fn, void *arg);
void journal_close(struct logsrc *ls);
void jbus_begin(void);
bool jbus_end(void);
/* ---- collect/logs_sys.c: LXC's console log, systemd-nspawn's journal ---- */
int logs_open_lxc(struct sysroot *sr, const char *name, struct logsrc *ls, struct nerr *e);
int logs_open_nspawn(struct sysroot *sr, const char *name, pid_t init, struct logsrc *ls, struct nerr *e);
int logs_open_ctr(struct sysroot *sr, const struct snap *s, const struct container *k,
		  struct logsrc *ls, struct nerr *e);

/* ---- collect/recsnap.c: a snapshot as a recording's sample, and back ---- */
#define CMDLINE_MAX 8192        /* a command line as read (pent.c), as much as lsns and ps show */
#define REC_STR_MAX (1u << 20)  /* any other string of a sample */
/* what one sample may decode to (its rows and its strings): a delta row of
 * 4 bytes copies a row of ~200, so the payload's size bounds nothing. A
 * replay holds two samples; 256 MiB holds ~1M processes and their strings. */
#define REC_DECODED_MAX (256u << 20)
void rec_encode(struct buf *out, const struct snap *s, const struct snap *prev);
struct snap *rec_decode(const uint8_t *p, size_t n, const struct snap *prev, struct strpool *pool,
			char *why, size_t whyn);

/* ---- collect/recfile.c: a recording read back, a file or a history directory ---- */
#define REC_SUFFIX ".nstoprec"
struct replay;
struct replay *replay_open(const char *path, struct nerr *e);
int replay_at(struct replay *r, const char *at, struct snap **s, struct snap **prev,
	      int64_t *time_usec, struct nerr *e);
void replay_close(struct replay *r);
/* A recording's events (struct event, parse.h) with since <= time <= until
 * (INT64_MIN, INT64_MAX: all), every file's, in time order (the same time:
 * as recorded); *out is the caller's to free(). 0, or -errno with e set:
 * NERR_INPUT for a corrupt record, more than REPLAY_EV_MAX in the range, or
 * more than REPLAY_EV_RAW_MAX bytes of events records to decode.
 * A recording of format version 1 has none: 0 events. */
#define REPLAY_EV_MAX 16384
#define REPLAY_EV_RAW_MAX (64u << 20) /* events records' decoded bytes in one call */
int replay_span(struct replay *r, int64_t *first, int64_t *last, struct nerr *e);
int replay_events(struct replay *r, int64_t since, int64_t until, struct event **out, size_t *n,
		  struct nerr *e);

/* ---- collect/reccursor.c: a recording's samples one at a time (the replay
 * dashboard); the snapshot is the cursor's (refs: its owners) ---- */
struct rec_cursor;
struct rec_cursor *rec_cursor_open(const char *path, struct users *u, struct nerr *e);
int rec_cursor_seek(struct rec_cursor *c, int64_t want, struct nerr *e);
int rec_cursor_step(struct rec_cursor *c, int n, struct nerr *e);
int rec_cursor_goto(struct rec_cursor *c, const char *at, struct nerr *e);
struct snap *rec_cursor_snap(const struct rec_cursor *c);
void rec_cursor_fix(struct rec_cursor *c);
uint64_t rec_cursor_decoded(const struct rec_cursor *c);
int64_t rec_cursor_time(const struct rec_cursor *c);
int rec_cursor_events(struct rec_cursor *c, struct event **out, size_t *n, struct nerr *e);
int rec_cursor_events_in(struct rec_cursor *c, int64_t since, int64_t until, struct event **out,
			 size_t *n, struct nerr *e);
void rec_cursor_close(struct rec_cursor *c);

/* ---- collect/recring.c: the last minutes in memory in the recording's
 * encoding (live time travel), capped in bytes and in time ---- */
struct rec_ring;
struct rec_ring *rec_ring_new(size_t max_bytes, int64_t keep_usec);
void rec_ring_add(struct rec_ring *r, const struct snap *s, const struct snap *prev, int64_t time_usec);
size_t rec_ring_count(const struct rec_ring *r);
int64_t rec_ring_time(const struct rec_ring *r, size_t i);
size_t rec_ring_bytes(const struct rec_ring *r);
size_t rec_ring_find(const struct rec_ring *r, int64_t want);
struct snap *rec_ring_get(const struct rec_ring *r, size_t i, struct users *u, char *why, size_t n);
void rec_ring_free(struct rec_ring *r);

/* ---- collect/events.c: events as they happen (exits, OOM kills, containers) ---- */
/* enum ev_type and struct event: parse.h (a recording's events are decoded there) */
struct evsrc;
int64_t ev_now_usec(void);
struct evsrc *evsrc_open(bool kernel);
void evsrc_close(struct evsrc *s);
int evsrc_fd(const struct evsrc *s, int which);
uint64_t evsrc_dropped(const struct evsrc *s);
bool evsrc_has(const struct evsrc *s, int which);
void evsrc_drain(struct evsrc *s);
size_t evsrc_take(struct evsrc *s, const struct snap *prev, const struct snap *cur,
		  struct event **out);
const char *ev_type_name(enum ev_type t);

/* ---- collect/dead.c: exited containers listed for a while (the dashboard) ---- */
struct deadkeep;
struct deadkeep *dead_new(void);
void dead_free(struct deadkeep *d);
void dead_update(struct deadkeep *d, const struct snap *prev, struct snap *cur, const struct event *ev,
		 size_t nev, int64_t now, int64_t keep_usec);
void dead_note(struct deadkeep *d, const struct event *ev, size_t nev, int64_t now);
void dead_remember(struct deadkeep *d, const struct snap *s, const struct container *c, int64_t when);
void dead_append(struct deadkeep *d, struct snap *cur, int64_t now, int64_t keep_usec);
/* The containers that exited in the keep_usec before `until` (realtime
 * usec), as recording path has them (their exit events, their last
 * figures from the sample before), appended to cur (`containers --all`):
 * 0, or -errno with e set. *left: exits not looked up (past a bound on
 * the work a recording, untrusted, can ask for). */
int dead_from_recording(const char *path, struct users *u, struct snap *cur, int64_t until,
			int64_t keep_usec, size_t *left, struct nerr *e);

#endif
