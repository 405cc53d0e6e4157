/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The act layer: what writes or signals, shared by the CLI subcommands and the
 * dashboard's keys; each action's audit record (act/run.c). */
#ifndef NSTOP_ACT_H
#define NSTOP_ACT_H

#include <signal.h>
#include <termios.h>

#include "../util/util.h"
#include "../sysroot.h"
#include "../snap.h"

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
bool act_stop_pending(void);
int act_need_root(const char *cmd, struct nerr *e);
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
int limit_memory_swap(const struct limit_val *mem, const char *s, struct limit_val *swap,
		      struct nerr *e);
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
struct event;
bool audit_event(const struct jv *v, struct event *e);
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
int run_rm(struct sysroot *sr, struct audit *a, const char *name, const char *expect_id,
	   double grace, struct act_target *t, struct nerr *e);
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
	const char *workdir;    /* -w: the command's directory inside, absolute; NULL: / */
	bool user_set;          /* -u UID[:GID]: the command runs as them (uid 0: root's capabilities) */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;    /* with user_set: supplementary groups (an image's User), ngroups of them */
	size_t ngroups;
	bool rm;                /* --rm: in the record (cli's supervisor removes it) */
	const char *image;      /* --image: its name; rootfs then holds its layers' lowerdir list */
	const struct port_map *ports; /* --publish, nports of them (collect/parse.h) */
	size_t nports;
};
struct create_result {
	pid_t pid;              /* its init, as the host sees it */
	pid_t proxy;            /* --publish: the ports' proxy, 0 without */
	uint32_t proxy_uid;     /* ... its user and group id */
	char id[40];
	char veth[16];          /* host side, "" without */
	char addr[64];          /* eth0's, "" without */
};
int act_create_check(struct sysroot *sr, const struct create_opts *o, struct nerr *e);
bool create_env_ok(const char *kv);
int create_env_file(const char *path, char ***env, size_t *n, struct nerr *e);
int create_bind_parse(char *s, struct create_bind *b, struct nerr *e);
int create_user_parse(const char *s, uid_t *uid, gid_t *gid, struct nerr *e);
int act_create(struct sysroot *sr, const struct create_opts *o, struct create_result *res,
	       struct act_target *t, struct nerr *e);
/* expect_id: remove only the container of that id (NULL: whichever has
 * the name); the check and the removal under state_lock, which create
 * also takes to claim a name */
int act_rm(struct sysroot *sr, const char *name, const char *expect_id, double grace,
	   struct act_target *t, struct nerr *e);
int act_logs(struct sysroot *sr, const char *name, bool follow, int out, struct nerr *e);
void act_wipe_args(bool environ_too, const char *keep);
/* act/ctrreq.c: the dashboard's create request and its reply (JSON, pure) */
#define CREQ_NOPTS 10
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
void net_pool_in_use(char ***v, size_t *n);
int net_addrs(const char *want, const char *const *used, size_t nused, char *ctr, char *host,
	      size_t n, struct nerr *e);
int net_veth_create(const char *host_if, pid_t pid, const char *host_cidr, struct nerr *e);
int net_veth_delete(const char *host_if);
int net_setup_inside(const char *cidr, const char *gw_cidr, struct nerr *e);
/* act/publish.c: create --publish, the host's side; act/proxy.c: the proxy */
struct port_map;
struct jv;
int publish_check(const struct create_opts *o, struct nerr *e);
/* a spec's sockets: IPv4, and beside one on 127.0.0.1 or 0.0.0.0 an IPv6
 * one ([::1], [::]); fds[2 * i] and fds[2 * i + 1] for spec i, -1: none */
#define PUBLISH_MAX_FDS (2 * PORT_MAX)
int publish_bind(const struct create_opts *o, int *fds, struct nerr *e);
void publish_close(int *fds, size_t n);
/* the ports' proxy, as create starts it */
struct publish_proxy {
	uint32_t uid;           /* its user and group id: a reserved block's first */
	pid_t pid;              /* create's child */
	int pidfd;
	int ctl;                /* create's end of the proxy's socket: 'C', closed at the commit */
};
int publish_start(const struct create_opts *o, const char *ctr_addr, const int *fds, int init_pidfd,
		  struct publish_proxy *px, struct nerr *e);
void publish_commit(struct publish_proxy *px);
void publish_kill_child(struct publish_proxy *px);
void publish_stop(struct sysroot *sr, const struct jv *st);
int act_proxy_main(int argc, char **argv);
/* act/secure.c */
int secure_caps(struct nerr *e);
int secure_seccomp(struct nerr *e);
void secure_signals(void);
/* the filter's syscall names by class, for its tests */
enum secure_class { SECURE_ALLOWED, SECURE_REFUSED, SECURE_BY_ARGS };
const char *const *secure_syscalls(enum secure_class c, size_t *n);
/* act/state.c: the registry of nstop's containers, written (read: collect/registry.c) */
void state_fill_target(struct sysroot *sr, const struct jv *st, struct act_target *t);
int state_target(struct sysroot *sr, const char *name, struct act_target *t);
int state_dir_make(void);
int state_save(const char *name, const char *json);
int state_remove(const char *name);
int state_lock(void);
int rm_tree_at(int dfd, const char *name, int depth);

/* act/image.c: images imported into a content store (/var/lib/nstop) */
struct img_config;
struct img_import_opts {
	const char *name;          /* NAME:TAG, NULL: the archive's own tag */
	uint64_t max_layer_bytes;  /* a layer's unpacked bytes */
	uint64_t max_entries;      /* a layer's entries */
};
struct img_import_result {
	char name[160], id[16];
	size_t nlayers;
};
struct img_info {
	char name[160], id[72];
	size_t nlayers;
	uint64_t bytes;
	int64_t imported;
};
const char *img_store_path(void);
int act_image_import(const char *path, const struct img_import_opts *io, struct img_import_result *res,
		     struct nerr *e);
int act_image_list(struct img_info **out, size_t *n, struct nerr *e);
int act_image_rm(const char *name, struct nerr *e);
/* the image NAME for create: the lowerdir option (topmost first), its
 * config, its own /etc/passwd (NULL when it has none). With hold, the
 * store's shared lock stays held on *hold (close-on-exec) on success, so
 * image rm cannot collect the layers before the container's record names
 * the image: the caller closes it once act_create has returned. */
int act_image_resolve(const char *name, char **lowerdir, struct img_config *cfg, char **passwd, size_t *npasswd,
		      char **group, size_t *ngroup, int *hold, struct nerr *e);

#endif
