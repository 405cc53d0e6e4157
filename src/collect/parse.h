/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parse layer: parsers of kernel text, pure (no I/O) and fuzzable. Below
 * everything that reads the kernel; only util beneath it (VAL_NA, VAL_UNLIMITED). */
#ifndef NSTOP_PARSE_H
#define NSTOP_PARSE_H

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
enum log_fmt { LOG_DOCKER_JSON, LOG_CRI };
#define LOG_TEXT_MAX (256 * 1024)   /* a record's text beyond this is dropped */
struct log_join {
	struct buf text;        /* the record's text, pieces joined, no newline */
	int64_t time_ns;        /* its first piece's time, INT64_MIN when unknown */
	char stream[8];         /* "stdout", "stderr" (cut to 7 bytes) */
	bool open;              /* pieces kept, waiting for the last */
	bool cut;               /* longer than LOG_TEXT_MAX */
};
int log_feed(struct log_join *j, enum log_fmt fmt, const char *line, size_t n);
void log_join_free(struct log_join *j);
int parse_rfc3339(const char *s, size_t n, int64_t *ns);
struct docker_cfg {
	char name[256], image[512], image_id[80], log_path[4096];
};
int parse_docker_config(const char *s, size_t n, struct docker_cfg *c);
int parse_docker_hostconfig(const char *s, size_t n, char *driver, size_t size);
int parse_podman_containers(const char *s, size_t n, const char *id, char *name, size_t nsize,
			    char *image, size_t isize);
struct conmon_args {
	const char *cid, *bundle, *log, *name;
};
void parse_conmon_args(const char *argv, size_t len, struct conmon_args *a);

#endif
