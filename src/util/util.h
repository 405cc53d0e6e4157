/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nstop's bottom layer (util): allocation, errors, buffers, escaping, JSON,
 * hash maps and the collector's string pool, the clock. System headers only. */
#ifndef NSTOP_UTIL_H
#define NSTOP_UTIL_H

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

/* ---- util/pids.c ---- */
/* Sorts v and drops the repeats; returns how many pids are left. */
size_t pids_sort_uniq(pid_t *v, size_t n);

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
int fd_write_all(int fd, const void *p, size_t n);
const char *buf_str(struct buf *b);

/* ---- util/str.c: escaping, sizes, percents, number parsing ---- */
/* ESC_PROM: a label value of the Prometheus text format (without the quotes);
 * ESC_PROM_HELP: its HELP text, where a quote stays as it is */
enum esc_mode { ESC_TEXT, ESC_JSON, ESC_PROM, ESC_PROM_HELP };
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
int trust_mkdirs(const char *path, mode_t leaf, char *why, size_t n);

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

/* One v1 line of a process's /proc/PID/cgroup, its strings interned. */
struct proc_cg {
	int hid;
	const char *ctrl;   /* interned */
	const char *path;   /* interned */
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

/* ---- util/prom.c: the Prometheus text format 0.0.4 and OpenMetrics 1.0.0 writer ---- */
/* PROM_INFO: a gauge of 1 named *_info, OpenMetrics' info type */
enum prom_type { PROM_GAUGE, PROM_COUNTER, PROM_INFO };
struct prom {
	struct buf *out;
	bool om;                /* OpenMetrics 1.0.0 rather than text 0.0.4 */
	const char *family;     /* the family samples are written to */
	const char *help;
	enum prom_type type;
	size_t mark;            /* where the open sample starts in out */
	int nlabels;            /* labels of the open sample so far */
	struct hmap seen;       /* hashes of the series written: none twice */
	bool distinct;          /* the family's series need no check (prom_distinct) */
	size_t dropped;         /* samples left out as a repeated series */
};
void prom_init(struct prom *p, struct buf *out);
void prom_free(struct prom *p);
void prom_family(struct prom *p, const char *name, enum prom_type type, const char *help);
void prom_sample(struct prom *p);
void prom_label(struct prom *p, const char *name, const char *value, size_t n);
void prom_labelz(struct prom *p, const char *name, const char *value);
void prom_label_text(struct buf *b, const char *name, const char *value, size_t n);
void prom_labels(struct prom *p, const char *text, size_t n);
void prom_distinct(struct prom *p);
void prom_value_u64(struct prom *p, uint64_t v);
void prom_value_usec(struct prom *p, uint64_t usec);
void prom_value(struct prom *p, double v);
void prom_end(struct prom *p);

#endif
