/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstop: shared types and prototypes, grouped by the file that defines them. */
#ifndef NSTOP_H
#define NSTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define NSTOP_VERSION "0.1.0"

/* A counter or limit that this kernel or layout does not provide. */
#define VAL_NA UINT64_MAX
/* A limit that is set to "max" (v2) or to v1's unlimited sentinel. */
#define VAL_UNLIMITED (UINT64_MAX - 1)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- util/xalloc.c ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t m);
char *xstrdup(const char *s);
char *xmemdup0(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- util/err.c ---- */
/* Whose fault a failure is: the input's (bad usage, a name that does not
 * exist, a value out of range: exit 2) or the system's (the kernel refused,
 * a file vanished: exit 1). The kind, not the errno, says which: a kernel
 * EINVAL is not the user's fault. */
enum nerr_kind { NERR_SYSTEM, NERR_INPUT };
struct nerr {
	int code;       /* -errno of the failure, 0 when none */
	enum nerr_kind kind;
	char msg[256];  /* human message, already safe to print */
};
/* Both return code, so a failure is set and returned in one statement. */
int nerr_set(struct nerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int nerr_input(struct nerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool err_vanished(int code);
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
extern void (*fatal_hook)(void);

/* ---- util/buf.c: growable byte buffer ---- */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_grow(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
const char *buf_str(struct buf *b);

/* ---- util/str.c: escaping, sizes, percents, number parsing ---- */
enum esc_mode { ESC_TEXT, ESC_JSON };
void str_escape(struct buf *out, const char *s, size_t n, enum esc_mode mode);
const char *str_esc(struct buf *b, const char *s);
size_t str_width(const char *s, size_t n);
int str_parse_u64(const char *s, uint64_t *out);
int str_parse_size(const char *s, uint64_t *out);
int str_parse_cpu(const char *s, double *cpus);
int str_parse_seconds(const char *s, double *out);
void str_fmt_size(char *out, size_t n, uint64_t bytes);
void str_fmt_percent(char *out, size_t n, double pct);
char *str_unescape_systemd(const char *s);
bool str_path_has_dots(const char *p);
uint64_t mono_usec(void);

/* ---- util/trust.c: files only root (or the user) could have written ---- */
int trust_open(const char *path, int flags, mode_t mode, char *why, size_t n);

/* ---- util/json.c: streaming JSON writer ---- */
struct json {
	struct buf *out;
	int depth;
	bool need_comma[32];
	bool pretty;
};
void json_init(struct json *j, struct buf *out, bool pretty);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const char *s, size_t n);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_dbl(struct json *j, const char *key, double v, int prec);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_raw(struct json *j, const char *key, const char *num);

/* ---- util/jsonr.c: a strict JSON reader for nstop's own files ---- */
enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };
struct jv {
	enum jv_type type;
	bool b;
	double num;
	char *s;                /* JV_STR decoded bytes (NUL-terminated), JV_NUM its text */
	size_t len;
	struct jv *kids;        /* JV_ARR, JV_OBJ */
	char **keys;            /* JV_OBJ */
	size_t n;
};
int jv_parse(const char *s, size_t n, struct jv *out);
void jv_free(struct jv *v);
const struct jv *jv_get(const struct jv *v, const char *key);
const char *jv_str(const struct jv *v, const char *key);
bool jv_num(const struct jv *v, const char *key, double *out);
void jv_write(struct json *j, const char *key, const struct jv *v);

/* ---- util/hash.c: open-addressing maps ---- */
/* u64 key -> u32 value; key 0 is reserved as "empty". */
struct hmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, len;
};
void hmap_put(struct hmap *h, uint64_t key, uint32_t val);
bool hmap_get(const struct hmap *h, uint64_t key, uint32_t *val);
void hmap_free(struct hmap *h);
uint64_t hash_bytes(const void *p, size_t n);

/* String interning: equal strings share one stored copy. */
struct strtab {
	struct hmap map;     /* hash -> index into strs (chained by probe on collision) */
	char **strs;
	size_t *lens;
	size_t len, cap;
};
const char *strtab_intern(struct strtab *t, const char *s, size_t n);
const char *strtab_find(const struct strtab *t, const char *s);
void strtab_free(struct strtab *t);

struct snap;

/* ---- sysroot.c ---- */
enum cg_layout { CG_NONE, CG_V1, CG_V2, CG_HYBRID };
#define CG_MAX_MOUNTS 24
struct cg_mount {
	int version;        /* 1 or 2 */
	char *controllers;  /* v1: "cpu,cpuacct" or "name=systemd"; v2: "" */
	char *dir;          /* mount point, e.g. /sys/fs/cgroup/memory */
	char *root;         /* root of the mount inside the hierarchy ("/" normally) */
	int fd;             /* O_PATH|O_DIRECTORY of dir under the sysroot */
};
struct sysroot {
	char *dir;          /* "/" or the --sysroot DIR */
	bool live;
	int root_fd;        /* the sysroot itself */
	int proc_fd;        /* DIR/proc */
	enum cg_layout layout;
	struct cg_mount mounts[CG_MAX_MOUNTS];
	int nmounts;
};
int sysroot_open(struct sysroot *sr, const char *dir, struct nerr *e);
void sysroot_close(struct sysroot *sr);
/* cgdir.c: cgroup directories beneath the sysroot's mounts, read-only */
int cgx_mount_for(const struct sysroot *sr, const char *ctrl);
const char *cgx_mount_key(const struct sysroot *sr, int mi);
int cgx_mount_by_key(const struct sysroot *sr, const char *key);
const char *cgx_rel(const struct cg_mount *m, const char *path);
int cgx_open(const struct sysroot *sr, int mi, const char *path);
int cgx_read(int dfd, const char *file, char *out, size_t n);
size_t cgx_members(const struct sysroot *sr, int mi, const char *path, pid_t **out);
/* The start time of a live pid (-ESRCH: gone or a zombie). */
int sysroot_pid_start(struct sysroot *sr, pid_t pid, uint64_t *start);
const char *cg_layout_name(enum cg_layout l);
int read_file_at(int dirfd, const char *path, struct buf *b);
int read_small_at(int dirfd, const char *path, char *out, size_t n);

/* ---- collect/parse.c: parsers of kernel text (pure, fuzzable) ---- */
struct stat_fields {
	pid_t pid, ppid, session;
	char state;
	const char *comm;   /* points into the parsed buffer */
	size_t comm_len;
	unsigned long flags;
	uint64_t utime, stime, starttime, rss_pages;
	long nice;
	int nthreads;
};
int parse_proc_stat(char *s, size_t n, struct stat_fields *f);

struct cg_line {
	int hid;            /* hierarchy id, 0 for v2 */
	char *ctrl;         /* controller list, "" for v2 */
	char *path;
};
/* Calls fn for each line of /proc/PID/cgroup; returns count or -EINVAL. */
int parse_proc_cgroup(char *s, size_t n, void (*fn)(void *arg, int hid, const char *ctrl,
			size_t ctrl_len, const char *path, size_t path_len), void *arg);

struct mountinfo_ent {
	const char *mnt_point;
	const char *root;
	const char *fstype;
	const char *super_opts;
};
/* Each line; unescapes \040 etc in place. Returns count or -EINVAL. */
int parse_mountinfo(char *s, size_t n, void (*fn)(void *arg, const struct mountinfo_ent *m),
		    void *arg);

/* "key value" files: cpu.stat, memory.stat, memory.events, v1 cpu.stat... */
int parse_keyed_u64(const char *s, size_t n, const char *key, uint64_t *out);
int parse_cpu_max(const char *s, size_t n, uint64_t *quota, uint64_t *period);
int parse_limit(const char *s, size_t n, uint64_t *out);
int parse_psi_avg10(const char *s, size_t n, const char *kind, double *out);
int parse_io_stat(const char *s, size_t n, uint64_t *rbytes, uint64_t *wbytes);
int parse_blkio_bytes(const char *s, size_t n, uint64_t *rbytes, uint64_t *wbytes);
int parse_ns_link(const char *s, size_t n, const char *type, uint64_t *ino);
int parse_nspid(const char *s, size_t n, pid_t *inner);
/* user and group id ranges: a uid_map's outside ids, /etc/subuid's */
struct id_range {
	uint64_t start, count;
};
int parse_id_map(const char *s, size_t n, struct id_range *out, size_t max);
int parse_subid(const char *s, size_t n, struct id_range *out, size_t max);
/* /proc/PID/status: a process's credentials, as enter copies them */
#define PROC_NGROUPS 256
struct proc_creds {
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb; /* cap_amb 0 before Linux 4.3 */
	uint32_t uid[4], gid[4];   /* real, effective, saved, filesystem */
	uint32_t groups[PROC_NGROUPS];
	int ngroups;
	int no_new_privs;          /* -1: the kernel does not say (before 4.10) */
	int seccomp;               /* 0, 1 strict, 2 filter; -1: not said */
};
int parse_proc_status(const char *s, size_t n, struct proc_creds *c);

/* ---- namespaces ---- */
enum ns_type { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER, NS_UTS, NS_NTYPES };
const char *ns_type_name(enum ns_type t);
int ns_type_parse(const char *s);

/* ---- collect/proc.c ---- */
struct proc_cg {
	int hid;
	const char *ctrl;   /* interned */
	const char *path;   /* interned */
};
struct proc {
	pid_t pid, ppid;
	uid_t uid;          /* owner of /proc/PID, as ps and lsns take it */
	char state;
	bool kthread;
	int nthreads;
	long nice;
	const char *comm;       /* raw bytes from stat, interned */
	const char *cmdline;    /* raw argv, NUL-separated, may be NULL (pooled) */
	size_t cmdline_len;
	uint64_t start_ticks;   /* since boot, in clock ticks */
	uint64_t cpu_ticks;     /* utime + stime */
	uint64_t rss_bytes;
	uint64_t ns[NS_NTYPES]; /* inode, 0 when unreadable */
	const char *cg2;        /* v2 (unified) path, interned; NULL when none */
	const struct proc_cg *cg1; /* pooled */
	int ncg1;
	uint64_t stat_usec;     /* CLOCK_MONOTONIC of the stat read; 0: not read for this snapshot */
	double cpu_percent;     /* from two snapshots; NAN without a previous one */
	pid_t nspid;            /* pid inside its own pid namespace; 0 when not read */
};

/* A pool of interned strings and parsed /proc/PID/cgroup texts, shared by
 * the snapshots of one collector (util/hash.c). */
struct cgset {
	const char *cg2;        /* the 0:: line's path, NULL when none */
	struct proc_cg *cg1;
	int ncg1;
	bool bad;
};
struct strpool {
	struct strtab t;
	struct hmap setidx;     /* interned text -> index into sets */
	struct cgset *sets;
	size_t nsets, setcap;
	int refs;
};
struct strpool *pool_new(void);
struct strpool *pool_ref(struct strpool *p);
void pool_unref(struct strpool *p);
const struct cgset *pool_cgset(struct strpool *p, const char *text, size_t n);

/* ---- collect/cgroup.c ---- */
struct cgroup {
	const char *path;       /* interned, "/" for the root */
	int version;            /* 2 or 1 (hybrid rows with v1 data say 1) */
	bool in_unified;        /* hybrid: the path also exists in the v2 tree */
	int depth;
	uint32_t nprocs;        /* processes directly in it, any hierarchy */
	uint32_t nprocs_rec;    /* including descendants */
	uint64_t cpu_usage_usec;
	uint64_t mem_current, mem_anon, mem_file, swap_current;
	uint64_t io_rbytes, io_wbytes;
	uint64_t cpu_quota_usec, cpu_period_usec;
	uint64_t mem_max, mem_high, pids_max, pids_current;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	uint64_t oom_kills;
	double psi_cpu, psi_mem, psi_io; /* some avg10; NAN when not available */
	int frozen;             /* 1, 0, or -1 when not available */
	/* rates from two snapshots (NAN without a previous one) */
	double cpu_percent, io_rbps, io_wbps, throttled_percent;
};

/* ---- collect/ns.c ---- */
struct nsinfo {
	uint64_t ino;
	enum ns_type type;
	uint32_t nprocs;
	pid_t pid;              /* lowest pid in it */
	uint64_t owner_ino;     /* owning user namespace, 0 when unknown */
	uint64_t parent_ino;    /* pid/user parent, 0 when unknown or none */
	bool ghost;             /* no process in it: found as an owner or parent */
	int netnsid;            /* net: id seen from our netns, -1 unassigned, -2 unknown */
	const char *nsfs;       /* nsfs bind mounts of it ("\n"-joined), interned */
	uid_t owner_uid;        /* ghosts: NS_GET_OWNER_UID of a user namespace */
};

/* ---- collect/container.c ---- */
enum runtime { RT_NONE, RT_DOCKER, RT_PODMAN, RT_CONTAINERD, RT_K8S, RT_CRIO, RT_LXC,
	       RT_NSPAWN, RT_NSTOP, RT_UNNAMED };
const char *runtime_name(enum runtime r);
/* Recognition from a cgroup path alone (pure, unit-tested). */
struct cg_match {
	enum runtime rt;
	size_t end;             /* length of the path prefix that is the container's cgroup */
	char id[72];            /* full id (64 hex) or name */
	char pod_uid[40];       /* Kubernetes pod uid, when under kubepods */
};
bool container_match(const char *path, struct cg_match *m);
struct container {
	enum runtime rt;
	const char *id;         /* interned: 64-hex id, or a name (lxc, nspawn, nstop) */
	const char *name;       /* interned, may be NULL */
	const char *pod;        /* Kubernetes "namespace/pod", interned, may be NULL */
	const char *cgroup;     /* interned cgroup path; NULL for unnamed ones */
	uint64_t pidns;         /* unnamed ones: their pid namespace */
	pid_t init_pid;         /* lowest pid among its processes, 0 when none */
	uint32_t nprocs;
	unsigned own_ns;        /* bit per enum ns_type: namespaces of its own */
	bool host_pidns, host_net;
	uint64_t netns;         /* its init's network namespace */
	uint64_t net_rx, net_tx; /* bytes over its interfaces but lo, VAL_NA unknown */
	double net_rxps, net_txps; /* per second, NAN without a previous snapshot */
	/* nstop's own, from its registry */
	bool registered, privileged, stopped;
	const char *veth;       /* interned host side, may be NULL */
	const char *cgroups_json; /* interned {"cpu":"/x",...}, may be NULL */
	const char *cg_memory;  /* interned memory hierarchy path, when it differs */
};
void container_collect(struct snap *s, struct sysroot *sr);
const struct container *proc_container(const struct snap *s, const struct proc *p);

/* ---- collect/net.c: interfaces per network namespace (libnl-route) ---- */
struct netif {
	uint64_t netns;
	int ifindex;
	const char *name;       /* interned, raw */
	const char *addrs;      /* interned "10.0.0.2/24 fe80::1/64", may be "" */
	bool up;
	uint64_t rx_bytes, tx_bytes;
};
void net_collect(struct snap *s, struct sysroot *sr);
void net_rates(struct snap *s, const struct snap *prev);

/* ---- collect/host.c ---- */
struct host {
	bool available;
	int ncpu;
	uint64_t cpu_total_ticks, cpu_busy_ticks;
	uint64_t mem_total, mem_available, swap_total, swap_free;
	double load1, load5, load15;
	double cpu_percent;     /* busy share of all CPUs x ncpu x 100, NAN w/o previous */
};
int host_collect(struct host *h);

/* ---- collect/users.c ---- */
struct users;
struct users *users_new(const struct sysroot *sr);
const char *users_name(struct users *u, uid_t uid);
void users_free(struct users *u);

/* ---- snap.c ---- */
struct snap {
	uint64_t mono_usec;     /* CLOCK_MONOTONIC when taken */
	unsigned what;          /* the SNAP_* bits it was taken with */
	long hz;
	double uptime_sec;      /* proc/uptime, 0 when unreadable */
	enum cg_layout layout;
	bool live;
	uint64_t host_ns[NS_NTYPES]; /* namespaces of pid 2 (the initial ones) */
	struct host host;
	struct proc *procs;     /* sorted by pid */
	size_t nprocs;
	struct nsinfo *ns;      /* sorted by inode */
	size_t nns;
	struct hmap ns_idx;
	struct cgroup *cgs;     /* sorted by path */
	size_t ncgs;
	struct container *ctrs;
	size_t nctrs;
	uint32_t *proc_ctr;     /* per process: container index + 1, 0 for none */
	struct netif *ifs;      /* sorted by netns, then ifindex */
	size_t nifs;
	struct strtab *strs;    /* the pool's: only the collector's thread adds to it */
	struct strpool *pool;
	struct users *users;
	struct nerr cg_err;     /* why cgroups are missing, if they are */
	int refs;               /* owners (the dashboard's collector and screen) */
};
enum snap_what { SNAP_PROCS = 1, SNAP_NS = 2, SNAP_CGROUPS = 4, SNAP_HOST = 8,
		 SNAP_CONTAINERS = 16, SNAP_ALL = 31 };
struct snap *snap_take(struct sysroot *sr, struct users *users, unsigned what,
		       const struct snap *prev);
struct collector;
struct snap *collector_take(struct collector *c, unsigned what, const struct snap *prev);
void snap_free(struct snap *s);
const struct proc *snap_proc(const struct snap *s, pid_t pid);
const struct nsinfo *snap_ns(const struct snap *s, uint64_t ino);
const struct cgroup *snap_cgroup(const struct snap *s, const char *path);
uint64_t mono_usec(void);

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
void cgroup_collect_paths(struct snap *s, struct sysroot *sr, const char *const *paths, size_t n);
int cg_path_cmp(const char *a, const char *b);
size_t container_cgroups(const struct snap *s, const char ***paths);
void proc_rates(struct snap *s, const struct snap *prev);
void cgroup_rates(struct snap *s, const struct snap *prev);

/* ---- column.c: one table per listing ---- */
/* CELL_JSON: s holds a JSON value nstop wrote itself (emitted as is in JSON) */
enum cell_type { CELL_NONE, CELL_STR, CELL_U64, CELL_I64, CELL_DBL, CELL_BOOL, CELL_SIZE, CELL_JSON };
struct cell {
	enum cell_type type;    /* CELL_NONE prints "-" and JSON null */
	const char *s;
	size_t slen;
	uint64_t u;
	int64_t i;
	double d;
	int prec;
	struct buf tmp;         /* scratch for computed strings */
};
struct column {
	const char *name;       /* header in text, also accepted by -o */
	const char *key;        /* JSON key */
	bool right;
	bool dflt;              /* shown by default in text */
	bool json_dflt;         /* emitted by default in JSON */
	const char *help;
	void (*get)(const struct snap *s, const void *row, struct cell *c);
};
struct table {
	const char *name;       /* JSON top-level key: "namespaces", "cgroups", ... */
	const struct column *cols;
	size_t ncols;
};
extern const struct table table_ns, table_cgroups, table_ps, table_containers;
const char *proc_cgroup_path(const struct proc *p, const char *ctrl);
const struct column *table_find(const struct table *t, const char *name, size_t n);

/* ---- output.c ---- */
struct outopts {
	bool json;
	bool noheadings;
	const struct column **cols;   /* chosen columns */
	size_t ncols;
};
int out_select_columns(const struct table *t, const char *list, struct outopts *o);
/* A forest over rows: parent[i] is a row index or -1; children keep row order. */
struct tree {
	size_t *order;          /* rows in depth-first order */
	char **art;             /* per row (by order position): "├─", "│ └─", ... */
	size_t n;
};
void tree_build(struct tree *t, const long *parent, size_t n);
void tree_free(struct tree *t);
void out_text(FILE *f, const struct snap *s, const struct table *t,
	      const struct outopts *o, const void *const *rows, size_t nrows,
	      const struct tree *tree, const struct column *tree_col);
void out_json_tree(struct json *j, const struct snap *s, const struct table *t,
		   const struct outopts *o, const void *const *rows, size_t nrows,
		   const long *parent);
void out_json_rows(struct json *j, const struct snap *s, const struct table *t,
		   const struct outopts *o, const void *const *rows, size_t nrows);
void out_json_fields(struct json *j, const struct snap *s, const struct outopts *o,
		     const void *row, struct cell *c);
void out_list_columns(FILE *f, const struct table *t);
void cell_text(struct buf *b, const struct cell *c);
void get_cell(const struct column *col, const struct snap *s, const void *row, struct cell *c);
void out_flush(FILE *f, struct buf *b);

/* ---- act/: the actions, shared by the CLI subcommands and the TUI keys ---- */
/* A target: a cgroup path per hierarchy (they differ on v1 and hybrid hosts). */
struct act_target {
	char *word;             /* what the user named */
	enum runtime rt;        /* containers: their runtime */
	char *name, *id;        /* containers: raw, may be NULL */
	pid_t pid;              /* a pid target, or a container's init */
	char *cgroup;           /* for display: the v2 path, else the cpu hierarchy's */
	char *paths[CG_MAX_MOUNTS]; /* per sysroot mount; NULL where it has none */
	unsigned denied_mask;   /* hierarchies dropped by act_check_writable */
	char *denied;           /* why (the first one) */
};
/* act/target.c */
int act_resolve(struct sysroot *sr, const char *word, struct act_target *t, struct nerr *e);
int act_pid_cgroups(struct sysroot *sr, pid_t pid, struct act_target *t);
void act_target_finish(const struct sysroot *sr, struct act_target *t);
void act_target_free(struct act_target *t);
const char *act_target_desc(const struct act_target *t, struct buf *b);
int act_check_writable(struct sysroot *sr, struct act_target *t, struct nerr *e);
int act_check_pid(struct sysroot *sr, pid_t pid, struct nerr *e);
void act_missing(const struct sysroot *sr, const struct act_target *t, int mi, const char *what,
		 struct nerr *e);
int act_primary_mount(struct sysroot *sr, const struct act_target *t);
int act_exit_code(const struct nerr *e);
void act_need_root(const char *cmd, int code);
/* act/cgctl.c (what reads them is cgdir.c, in the sysroot layer) */
int cgx_write(int dfd, const char *file, const char *val);
/* act/limit.c */
enum limit_key { LIM_CPU, LIM_MEM, LIM_HIGH, LIM_SWAP, LIM_PIDS, LIM_N };
struct limit_val {
	bool set, max;
	uint64_t v;             /* cpu: quota in usec; memory: bytes; pids: count */
	uint64_t period;        /* cpu only, usec */
};
struct limits {
	struct limit_val l[LIM_N];
};
const char *limit_name(enum limit_key k);
int limit_key_parse(const char *s);
int limit_parse(enum limit_key k, const char *s, struct limit_val *v, struct nerr *e);
void limit_fmt(enum limit_key k, const struct limit_val *v, char *out, size_t n);
int limit_unfmt(enum limit_key k, const char *s, struct limit_val *v);
void limit_human(enum limit_key k, const struct limit_val *v, char *out, size_t n);
void act_limit_read(struct sysroot *sr, const struct act_target *t, struct limits *cur);
int act_limit(struct sysroot *sr, const struct act_target *t, const struct limits *want,
	      bool force, struct limits *old, struct nerr *e);
bool limit_managed(const struct act_target *t, char *who, size_t n);
/* act/freeze.c */
int act_frozen(struct sysroot *sr, const struct act_target *t);
int act_freeze(struct sysroot *sr, const struct act_target *t, bool freeze, double timeout,
	       struct nerr *e);
/* act/kill.c */
struct kill_result {
	size_t before;          /* processes in the target when it began */
	unsigned signalled;
	size_t remain;          /* still there at the end */
	bool escalated;         /* --grace ran out: KILL followed */
	bool cgroup_kill;       /* cgroup.kill did it */
	char note[400];         /* signalled unfrozen: why, how many rounds */
};
int sig_parse(const char *s);
const char *sig_name(int sig);
int act_kill_pid(struct sysroot *sr, pid_t pid, uint64_t start, int sig, struct nerr *e);
int act_kill(struct sysroot *sr, const struct act_target *t, int sig, double grace,
	     struct kill_result *res, struct nerr *e);
/* act/audit.c */
struct audit {
	int fd;
	const char *path;
};
struct audit_rec {
	const char *action;
	const struct act_target *target;
	const char *old_obj, *new_obj;  /* JSON objects, or NULL */
	const char *undoes;
	const struct nerr *err;         /* NULL or code 0: ok */
};
struct undo_result {
	struct act_target target;
	struct limits before, restored;
	char undoes[64];
};
const char *audit_default_path(void);
int audit_open(struct audit *a, const char *path, struct nerr *e);
void audit_close(struct audit *a);
int audit_record(struct audit *a, const struct sysroot *sr, const struct audit_rec *rec);
void limits_json(struct buf *out, const struct limits *l, const struct limits *mask);
int audit_read(const char *path, struct jv **out, size_t *n, struct nerr *e);
void audit_free(struct jv *v, size_t n);
int act_undo(struct sysroot *sr, struct audit *a, const char *logpath,
	     const struct act_target *t, struct undo_result *res, struct nerr *e);
/* act/run.c: an action and its audit record, as the CLI and the TUI call them */
int run_limit(struct sysroot *sr, struct audit *a, const struct act_target *t,
	      const struct limits *want, bool force, struct limits *old, struct nerr *e);
int run_freeze(struct sysroot *sr, struct audit *a, const struct act_target *t, bool freeze,
	       double timeout, int *before, struct nerr *e);
int run_kill(struct sysroot *sr, struct audit *a, const struct act_target *t, int sig,
	     double grace, struct kill_result *kr, struct nerr *e);
int run_kill_pid(struct sysroot *sr, struct audit *a, pid_t pid, uint64_t start, int sig,
		 struct nerr *e);
struct create_opts;
struct create_result;
int run_create(struct sysroot *sr, struct audit *a, const struct create_opts *o,
	       struct create_result *res, struct act_target *t, struct nerr *e);
int run_rm(struct sysroot *sr, struct audit *a, const char *name, double grace,
	   struct act_target *t, struct nerr *e);
int act_mem_usage(struct sysroot *sr, const struct act_target *t, uint64_t *use);
/* act/create*.c (create.c the parent, create-env.c the input; create.h private) */
enum { NET_NONE, NET_HOST, NET_VETH };
/* --ns ...,user: one block of 65536 ids per container, within the range
 * systemd leaves to containers (docs/UIDS-GIDS.md) */
#define NSTOP_USERNS_LO 524288u
#define NSTOP_USERNS_HI 1879048191u
#define NSTOP_USERNS_SIZE 65536u
#define CREATE_MAX_BINDS 64
struct create_bind {
	const char *src, *dst;  /* absolute, without . or .. components */
	bool rw;
};
struct create_opts {
	const char *name;
	unsigned ns;            /* bit per enum ns_type: new namespaces */
	const char *rootfs;     /* the read-only image, absolute; NULL: the host's */
	const char *hostname;
	const char *cgroup_parent;
	struct limits lim;
	int net;                /* NET_* */
	const char *addr;       /* veth: ADDR/PREFIX, or NULL for the pool */
	bool privileged;
	char **cmd;             /* NULL-terminated, or NULL for init alone */
	char **env;             /* KEY=VALUE, NULL-terminated or NULL: over the clean set */
	const struct create_bind *binds; /* --bind, nbinds of them */
	size_t nbinds;
};
struct create_result {
	pid_t pid;              /* its init, as the host sees it */
	char id[40];
	char veth[16];          /* host side, "" without */
	char addr[64];          /* eth0's, "" without */
};
int act_create_check(struct sysroot *sr, const struct create_opts *o, struct nerr *e);
bool create_env_ok(const char *kv);
int create_env_file(const char *path, char ***env, size_t *n, struct nerr *e);
int create_bind_parse(char *s, struct create_bind *b, struct nerr *e);
int act_create(struct sysroot *sr, const struct create_opts *o, struct create_result *res,
	       struct act_target *t, struct nerr *e);
int act_rm(struct sysroot *sr, const char *name, double grace, struct act_target *t,
	   struct nerr *e);
int act_logs(struct sysroot *sr, const char *name, bool follow, int out, struct nerr *e);
/* act/ctrreq.c: the dashboard's create request and its reply (JSON, pure) */
#define CREQ_NOPTS 8
#define CREQ_MAX 65536          /* bytes of a request or a reply */
#define CREQ_MAX_STR 4096       /* bytes of one string */
#define CREQ_MAX_ARGS 256       /* words of the command */
extern const char *const create_req_keys[CREQ_NOPTS];
struct create_req {
	char *name;
	char *opt[CREQ_NOPTS];  /* by create_req_keys, NULL: not given */
	char **cmd;             /* NULL-terminated, or NULL */
	size_t ncmd;
};
struct create_reply {
	int code;               /* 0 or -errno */
	bool input;             /* the error is the input's fault (exit 2) */
	char msg[512];
	char id[40];
	pid_t pid;
	char cgroup[1024];
	char veth[16];
	char addr[64];
};
int create_req_parse(const char *s, size_t n, struct create_req *rq, struct nerr *e);
void create_req_free(struct create_req *rq);
void create_req_json(struct buf *b, const struct create_req *rq);
int create_reply_parse(const char *s, size_t n, struct create_reply *rp);
void create_reply_json(struct buf *b, const struct create_reply *rp);
struct enter_opts {
	unsigned ns;            /* bit per enum ns_type to join; 0: all */
	char **cmd;             /* NULL: a shell */
	bool privileged;        /* the host's full root, no filter (audited) */
	bool no_pty;            /* -T: fds 0-2 as they are, even terminals */
};
int act_enter(struct sysroot *sr, struct audit *a, const char *word, const struct enter_opts *o,
	      struct nerr *e);
/* act/pty.c: enter's own terminal */
#include <signal.h>
#include <termios.h>
struct pty {
	int master, slave;      /* -1 when none */
	bool on[3];             /* which of fds 0-2 are terminals: they get the slave */
	bool own;               /* the master is from the target's devpts */
	bool raw;               /* fd 0 is in raw mode; saved restores it */
	struct termios saved;
};
bool pty_wanted(bool on[3]);
int pty_open(struct pty *p, int rootfd, struct nerr *e);
int pty_child(const struct pty *p);
void pty_raw(struct pty *p);
void pty_restore(struct pty *p);
void pty_close(struct pty *p);
int pty_relay(struct pty *p, pid_t child, const sigset_t *sigs);
/* act/netsetup.c */
void net_veth_name(const char *name, char out[16]);
int net_addrs(const char *want, const char *const *used, size_t nused, char *ctr, char *host,
	      size_t n, struct nerr *e);
int net_veth_create(const char *host_if, pid_t pid, const char *host_cidr, struct nerr *e);
int net_veth_delete(const char *host_if);
int net_setup_inside(const char *cidr, const char *gw_cidr, struct nerr *e);
/* act/secure.c */
int secure_caps(struct nerr *e);
int secure_seccomp(struct nerr *e);
/* the filter's syscall names by class, for its tests */
enum secure_class { SECURE_ALLOWED, SECURE_REFUSED, SECURE_BY_ARGS };
const char *const *secure_syscalls(enum secure_class c, size_t *n);
/* act/state.c: the registry of nstop's containers */
const char *state_dir(void);
bool state_name_ok(const char *s);
int state_open(const char *name);
int state_load(const char *name, struct jv *out);
void state_fill_target(struct sysroot *sr, const struct jv *st, struct act_target *t);
int state_target(struct sysroot *sr, const char *name, struct act_target *t);
int state_dir_open(void);
int state_dir_make(void);
int state_save(const char *name, const char *json);
size_t state_list(char ***out);
void state_each(void (*fn)(const char *name, const struct jv *st, void *arg), void *arg);
int state_remove(const char *name);
int state_lock(void);
int rm_tree_at(int dfd, const char *name, int depth);

/* ---- config.c: settings that stick ---- */
struct config {
	char path[512];         /* the file read, "" when none */
	char view[16];          /* "" or containers, namespaces, cgroups, processes */
	double interval;        /* 0: unset */
	int color;              /* -1 unset, 0 no, 1 yes */
	char *cols[4];          /* per view (dashboard order), NULL: the default */
	char *sort[4];
	bool sort_reverse[4];
	char *cgroup_parent;
	char *audit_log;
};
void config_init(void);
int config_load(void);
const struct config *config_get(void);
int config_user_path(char *out, size_t n);
int config_save(const struct config *c, char *path_out, size_t n, struct nerr *e);
int config_view_index(const char *name);
const char *config_view_name(int v);

/* ---- ui/ui.c: the dashboard (its internals: ui/ui.h) ---- */
struct uiopts {
	const char *sysroot;
	const char *audit_log;  /* NULL: the default */
	double interval;
	bool interval_set;      /* -d given: the config file's interval loses */
	bool readonly, nocolor;
};
int ui_run(const struct uiopts *o);
int ui_bench(const struct uiopts *o, int k, const char *view);
/* The dashboard's one key table (ui/ui.c): the help screen, --help-keys, the
 * dispatch and tests/unit/test_keys.c all read it, so a key is defined once. */
struct ui;
struct ui_key {
	int key;
	const char *name;
	const char *help;
	bool (*fn)(struct ui *u, int key);  /* false: quit */
	int alias;              /* a second code with the same meaning, 0: none */
};
extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;

/* ---- cli.c: batch subcommands ---- */
struct globalopts {
	const char *sysroot;
};
int cmd_ns(int argc, char **argv, const struct globalopts *g);
int cmd_cgroups(int argc, char **argv, const struct globalopts *g);
int cmd_ps(int argc, char **argv, const struct globalopts *g);
int cmd_snapshot(int argc, char **argv, const struct globalopts *g);
int cmd_containers(int argc, char **argv, const struct globalopts *g);
/* cli_act.c */
int cmd_limit(int argc, char **argv, const struct globalopts *g);
int cmd_freeze(int argc, char **argv, const struct globalopts *g);
int cmd_thaw(int argc, char **argv, const struct globalopts *g);
int cmd_kill(int argc, char **argv, const struct globalopts *g);
int cmd_undo(int argc, char **argv, const struct globalopts *g);
int cmd_audit(int argc, char **argv, const struct globalopts *g);
void cli_audit_open(const char *cmd, const char *path, struct audit *a);
/* cli_ctr.c */
int cmd_create(int argc, char **argv, const struct globalopts *g);
int cmd_create_internal(int argc, char **argv, const struct globalopts *g);
int cmd_rm(int argc, char **argv, const struct globalopts *g);
int cmd_logs(int argc, char **argv, const struct globalopts *g);
int cmd_enter(int argc, char **argv, const struct globalopts *g);

#endif
