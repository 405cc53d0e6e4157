/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parse layer: parsers of kernel text, pure (no I/O) and fuzzable. Below
 * everything that reads the kernel; only util beneath it (VAL_NA, VAL_UNLIMITED). */
#ifndef NSTOP_PARSE_H
#define NSTOP_PARSE_H

#include <limits.h>

#include "../util/util.h"

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
/* a decimal u64 at *p, advancing it (shared by parse.c and parse_cg.c) */
int parse_num_u64(const char **p, const char *end, uint64_t *out);

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
int parse_keyed_set(const char *s, size_t n, const char *const *keys, size_t nkeys, uint64_t *out);
uint64_t mem_working_set(uint64_t usage, uint64_t inactive_file);
int parse_cpu_max(const char *s, size_t n, uint64_t *quota, uint64_t *period);
int parse_limit(const char *s, size_t n, uint64_t *out);
int parse_cpu_list(const char *s, size_t n, uint64_t *ncpus, size_t *len);
int parse_freezer_state(const char *s, size_t n);
/* cgroup.procs: one pid a line; fn for each pid > 0, junk lines skipped; returns the count */
size_t parse_pid_lines(const char *s, size_t n, void (*fn)(void *arg, pid_t pid), void *arg);
int parse_psi_avg10(const char *s, size_t n, const char *kind, double *out);
int parse_psi_line(const char *s, size_t n, const char *kind, double avg[3], uint64_t *total);
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
/* an HTTP Accept header (network input): does it prefer OpenMetrics 1.0.0
 * to the text format 0.0.4? */
bool parse_accept_openmetrics(const char *s, size_t n);

/* ---- collect/logparse.c: runtimes' log lines and state files (pure, fuzzable) ---- */
enum log_fmt { LOG_DOCKER_JSON, LOG_CRI, LOG_PLAIN };
#define LOG_TEXT_MAX (256 * 1024)   /* a record's text beyond this is dropped */
struct log_join {
	struct buf text;        /* the record's text, pieces joined, no newline */
	int64_t time_ns;        /* its first piece's time, INT64_MIN when unknown */
	char stream[8];         /* "stdout", "stderr" (cut to 7 bytes) */
	bool open;              /* pieces kept, waiting for the last */
	bool cut;               /* longer than LOG_TEXT_MAX */
};
int log_feed(struct log_join *j, enum log_fmt fmt, const char *line, size_t n);
int log_feed_journal(struct log_join *j, int64_t t_ns, const char *prio, size_t plen, const char *msg,
		     size_t mlen, bool partial);
int journal_field(const void *data, size_t len, const char *name, const char **val, size_t *vlen);
void log_join_free(struct log_join *j);
int parse_rfc3339(const char *s, size_t n, int64_t *ns);
struct docker_cfg {
	char name[256], image[512], image_id[80], log_path[4096];
};
int parse_docker_config(const char *s, size_t n, struct docker_cfg *c);
int parse_docker_hostconfig(const char *s, size_t n, char *driver, size_t size);
int parse_docker_logdest(const char *s, size_t n, char *out, size_t size);
int parse_podman_containers(const char *s, size_t n, const char *id, char *name, size_t nsize,
			    char *image, size_t isize);
#define PODMAN_NAME_MAX 256
#define PODMAN_IMAGE_MAX 512
typedef bool (*podman_ent_fn)(void *arg, const char *id, const char *name, const char *image);
int parse_podman_each(const char *s, size_t n, podman_ent_fn fn, void *arg);
struct conmon_args {
	const char *cid, *bundle, *log, *name;
};
void parse_conmon_args(const char *argv, size_t len, struct conmon_args *a);
/* kubelet's CRI log files: /var/log/pods/NS_POD_UID/CTR/N.log, rotated to
 * N.log.YYYYMMDD-HHMMSS (.gz when compressed) */
struct cri_logname {
	unsigned restart;       /* N */
	char stamp[16];         /* "" for the live file */
	bool gz;
};
int parse_cri_logname(const char *name, struct cri_logname *o);
bool cri_name_ok(const char *s, bool uid);
struct cri_ref {
	char ns[64], pod[254], uid[64], ctr[64];
	unsigned restart;
};
int parse_cri_link(const char *name, const char *target, const char *id, struct cri_ref *r);

/* ---- collect/parse_env.c: docker's -e KEY[=VALUE] and --env-file lines ---- */
#define PARSE_ENV_MAX (1u << 20)  /* bytes of an env file, or of one entry */
#define PARSE_ENV_MAX_KEY 255
/* One KEY=VALUE, or a bare KEY looked up in caller (KEY=VALUE strings):
 * appended to env (n entries, NULL-terminated); -EINVAL on a bad KEY. */
int parse_env_word(const char *s, size_t len, char *const *caller, char ***env, size_t *n);
/* Every line of an env file so; -EINVAL with *badline set, -EFBIG. */
int parse_env_file(const char *s, size_t len, char *const *caller, char ***env, size_t *n,
		   size_t *badline);

/* ---- collect/parse_rt.c: an OCI bundle's config.json annotations (pure, fuzzable) ---- */
struct oci_names {
	char name[256], image[512];     /* the container's */
	char pod[256], pod_ns[256], pod_uid[64], sandbox_id[72]; /* Kubernetes' */
	bool sandbox;                   /* the pod's pause container */
};
int parse_oci_names(const char *s, size_t n, struct oci_names *o);
size_t parse_fields(const char *line, size_t len, const char **f, size_t *fl, size_t nf);
int parse_passwd_home(const char *s, size_t n, uint32_t uid, char *home, size_t size);
int parse_lxc_conf(const char *s, size_t n, const char *key, char *out, size_t size);
/* ---- collect/recfmt.c: nstop record's file format, framing (pure) ---- */
#define REC_MAGIC "NSTOPREC"
#define REC_END_MAGIC "NSTOPEND"
#define REC_VERSION 2             /* 2: events records; 1 (samples only) is still read */
#define REC_HDR_SIZE 16         /* "NSTOPREC", u32 version, u32 flags (0) */
#define REC_RHDR_SIZE 24        /* u8 type, 3 zero bytes, u32 len, u32 rawlen, u32 crc32c, i64 time */
#define REC_TRAILER_SIZE 16     /* u64 offset of the index record, "NSTOPEND" */
#define REC_RAW_MAX (256u << 20) /* a record's payload, uncompressed */
/* record types; a reader skips types it does not know. REC_EVENTS (version
 * 2): the events taken at a sample (recev.c), after that sample's record */
enum { REC_FULL = 1, REC_DELTA = 2, REC_INDEX = 3, REC_EVENTS = 4 };
/* the recorder writes a full sample at least every this many: --at and a
 * step back decode at most this many (a file's first is always full) */
#define REC_FULL_EVERY 30
struct rec_ent {
	uint8_t type;
	int64_t time_usec;      /* realtime, microseconds since the epoch */
	uint64_t off;           /* of the record's header */
};
struct rec_file {
	const uint8_t *p;
	size_t n;
	struct rec_ent *ents;   /* the samples, in file order */
	size_t nents;
	struct rec_ent *evs;    /* the events records, in file order */
	size_t nevs;
	uint32_t version;
	bool indexed;           /* closed: read through its index */
	bool torn;              /* a record cut short at the end was skipped */
	size_t torn_at;
};
struct rec_rd {
	const uint8_t *p;
	size_t n, off;
	bool bad;
};
static inline uint64_t rec_zz(uint64_t v) { return (v << 1) ^ (uint64_t)((int64_t)v >> 63); }
static inline uint64_t rec_unzz(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
void rec_vput(struct buf *b, uint64_t v);
uint64_t rec_vget(struct rec_rd *r);
const uint8_t *rec_take(struct rec_rd *r, size_t n);
void rec_file_header(struct buf *out);
int rec_frame(struct buf *out, int type, int64_t time_usec, const void *raw, size_t rawlen);
int rec_index(struct buf *out, const struct rec_ent *e, size_t n, uint64_t at);
size_t rec_index_bound(size_t n);
int rec_open_mem(struct rec_file *f, const uint8_t *p, size_t n, char *why, size_t whyn);
void rec_file_free(struct rec_file *f);
int rec_unzip(const uint8_t *z, size_t zlen, size_t rawlen, struct buf *out);
int rec_payload(const struct rec_file *f, size_t i, struct buf *out, char *why, size_t whyn);
size_t rec_rawlen(const struct rec_file *f, const struct rec_ent *e);
int rec_payload_of(const struct rec_file *f, const struct rec_ent *e, struct buf *out, char *why,
		   size_t whyn);
struct event;
int rec_events_into(const struct rec_file *f, size_t i, struct buf *raw, int64_t since,
		    int64_t until, size_t max, struct event **v, size_t *n, size_t *cap, char *why,
		    size_t whyn);
int rec_events(const struct rec_file *f, size_t i, struct buf *raw, struct event **out, size_t *n,
	       char *why, size_t whyn);
int rec_parse_at(const char *s, int64_t last_usec, int64_t *out);

/* ---- collect/parse_web.c: nstop serve's users file (exporter-toolkit's
 * basic_auth_users), pure and fuzzable ---- */
#define WEBCFG_NAME_MAX 64
#define WEBCFG_HASH_LEN 60
#define WEBCFG_USERS_MAX 64
struct webcfg_user {
	char name[WEBCFG_NAME_MAX + 1];
	char hash[WEBCFG_HASH_LEN + 1]; /* bcrypt */
};
struct webcfg {
	size_t n;
	struct webcfg_user users[WEBCFG_USERS_MAX];
};
bool parse_bcrypt_hash(const char *s, size_t n);
int parse_webcfg(const char *s, size_t n, struct webcfg *out, char *why, size_t whyn);
bool parse_host_allowed(const char *s, size_t n, const char *const *allow, size_t nallow);

/* ---- collect/parse_ev.c: events' outside input (kmsg's OOM line, a wait
 * status), pure and fuzzable ---- */
struct kmsg_oom {
	uint64_t mono_usec;     /* the record's timestamp (CLOCK_MONOTONIC) */
	char memcg[4096];       /* task_memcg, raw */
	char task[17];          /* the victim's name, raw */
	pid_t pid;              /* the victim, in the kernel's initial pid namespace */
	uint32_t uid;
};
int parse_kmsg_oom(const char *s, size_t n, struct kmsg_oom *o);
struct wstatus {
	bool exited, signaled, core;
	int code, sig;
};
void parse_wstatus(int status, struct wstatus *w);

/* ---- collect/recev.c: events, and their records in a recording (pure) ---- */
enum ev_type { EV_EXIT, EV_OOM_KILL, EV_CTR_START, EV_CTR_EXIT, EV_ACTION, EV_THROTTLE_BEGIN,
	       EV_THROTTLE_END, EV_NTYPES };
struct event {
	int64_t time_usec;      /* realtime, microseconds since the epoch */
	enum ev_type type;
	pid_t pid;              /* the process; a container's init; 0: none */
	uint64_t start;         /* its start (clock ticks after boot), 0 unknown */
	char comm[17];          /* raw */
	char cgroup[512];       /* raw */
	int rt;                 /* enum runtime (snap.h) */
	char ctr_id[160], ctr_name[256]; /* raw, "" unknown */
	bool has_status;        /* exits: how it ended */
	struct wstatus st;
	uint64_t count;         /* OOM kills counted; throttle_begin: periods throttled */
	pid_t victim;           /* OOM: from /dev/kmsg, 0 unknown */
	char victim_comm[17];
	char action[32], result[16], detail[512]; /* actions (the audit log), raw */
};
#define REC_EV_MAX 16384        /* events in one record, unknown types too */
#define REC_EV_LEN_MAX 2000     /* one event's encoded bytes: the largest of this
				 * version's is at most 1578, the rest room for fields to come */
/* the most an events record's payload can hold: the count, each event's
 * length and bytes */
#define REC_EV_RAW_MAX ((size_t)10 + (size_t)REC_EV_MAX * (3 + REC_EV_LEN_MAX))
void rec_ev_encode(struct buf *out, const struct event *v, size_t n, int64_t base_usec);
int rec_ev_decode(const uint8_t *p, size_t n, int64_t base_usec, struct event **out, size_t *nout,
		  char *why, size_t whyn);
int rec_ev_decode_into(const uint8_t *p, size_t n, int64_t base_usec, int64_t since, int64_t until,
		       size_t max, struct event **v, size_t *nv, size_t *cap, char *why, size_t whyn);
/* ---- collect/parse_img.c: container images' archives and JSON (untrusted;
 * pure, fuzzable) ---- */
#define IMG_MAX_JSON (4u << 20)        /* an index, manifest or config */
#define IMG_MAX_LAYERS 256
#define IMG_MAX_LINKBYTES (16u << 20)  /* a layer's symbolic links' names */
#define IMG_MAX_DEPTH 256               /* components of an entry's path */
enum img_kind { IMG_REG, IMG_DIR, IMG_SYMLINK, IMG_HARDLINK, IMG_CHR, IMG_BLK, IMG_FIFO, IMG_SOCK, IMG_OTHER };
struct img_entry {          /* one archive entry, as the archive says */
	const char *path;
	enum img_kind kind;
	const char *link;       /* a link's target */
	int64_t size;
};
enum img_wh { IMG_WH_NONE, IMG_WH_FILE, IMG_WH_OPAQUE };
struct img_ent {            /* what may be written */
	char path[PATH_MAX];    /* layer-relative; a whiteout's: what it hides */
	char link[PATH_MAX];    /* a hard link's target, layer-relative */
	enum img_wh wh;
	bool skip;              /* nothing to write (the root, aufs' metadata) */
};
struct img_check {          /* one layer's state across its entries */
	uint64_t max_bytes, max_entries, bytes, entries;
	char **links;
	size_t linkcap, nlinks, linkbytes;
};
void img_check_init(struct img_check *c, uint64_t max_bytes, uint64_t max_entries);
void img_check_free(struct img_check *c);
/* 0 (out filled) or -EINVAL with why: the entry is refused */
int img_entry_check(struct img_check *c, const struct img_entry *in, struct img_ent *out, char *why, size_t whyn);
int img_path_norm(const char *in, char *out, size_t outn, char *why, size_t whyn);
bool img_digest_ok(const char *s);
bool img_name_ok(const char *s);
struct img_desc {
	char digest[72];
	uint64_t size;
	char *media, *path;     /* path: docker-archive's file name */
	char os[32], arch[32], variant[32];
};
struct img_manifest {
	struct img_desc config, *layers;   /* an index's manifests in layers */
	size_t nlayers;
	char *tag;              /* docker-archive's RepoTags[0] */
};
int parse_img_index(const char *s, size_t n, struct img_manifest *m);
int img_index_pick(const struct img_manifest *idx, const char *os, const char *arch, const char *variant);
int parse_img_manifest(const char *s, size_t n, struct img_manifest *m);
int parse_docker_manifest(const char *s, size_t n, struct img_manifest *m);
void img_manifest_free(struct img_manifest *m);
struct img_config {
	char os[32], arch[32];
	char **entrypoint, **cmd, **env, **diff_ids;   /* NULL-terminated or NULL */
	size_t nentrypoint, ncmd, nenv, ndiff_ids;
	char *workdir, *user;
};
int parse_img_config(const char *s, size_t n, struct img_config *c);
void img_config_free(struct img_config *c);
#define IMG_MAX_GIDS 256 /* supplementary groups from an image's /etc/group, more refused */
struct img_user {
	uint32_t uid, gid;
	size_t ngids;
	uint32_t gids[IMG_MAX_GIDS];
	char home[256];         /* passwd's, for HOME; "/" when not listed */
};
int parse_img_user(const char *user, const char *passwd, size_t npw, const char *group, size_t ngr,
		   struct img_user *out);

/* ---- collect/parse_port.c: published ports, create's --publish and the
 * registry's "ports" (untrusted; pure, fuzzable) ---- */
enum { PORT_TCP, PORT_UDP };
#define PORT_MAX 32             /* --publish per container */
struct port_map {
	uint32_t host_ip;       /* host byte order */
	uint16_t host_port, ctr_port;
	int proto;              /* PORT_TCP, PORT_UDP */
};
int parse_ipv4(const char *s, size_t n, uint32_t *ip);
int parse_publish(const char *s, size_t n, struct port_map *pm, const char **why);
void port_fmt_ip(uint32_t ip, char out[16]);
const char *port_proto_name(int proto);
void port_fmt_spec(const struct port_map *pm, char *out, size_t n);
size_t parse_ports_jv(const struct jv *arr, struct port_map *out, size_t max);

#endif
