/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The output layer: the column table, the text and JSON writers, the config file
 * (column.c, output.c, config.c), the Prometheus metrics (metrics.c). */
#ifndef NSTOP_OUTPUT_H
#define NSTOP_OUTPUT_H

#include "util/util.h"
#include "snap.h"
#include <sys/socket.h>

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
	const char *json;       /* non-NULL: JSON output writes this (nstop's own JSON) instead */
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
/* The cgroup figures (enum cgneed) the cgroups table's columns cols show. */
unsigned cg_columns_needs(const struct column *const *cols, size_t n);
const char *proc_cgroup_path(const struct proc *p, const char *ctrl);
const struct column *table_find(const struct table *t, const char *name, size_t n);

/* ---- output.c ---- */
struct outopts {
	bool json;
	bool noheadings;
	const struct column **cols;   /* chosen columns */
	size_t ncols;
};
int out_select_columns(const struct table *t, const char *list, struct outopts *o,
		       struct nerr *e);
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

/* ---- metrics.c: a snapshot in the Prometheus text format 0.0.4 ---- */
struct metrics_opts {
	int cgroup_depth;       /* per-cgroup series down to this depth (0: the root only) */
	double scrape_seconds;  /* how long collecting took; NAN leaves it out */
	unsigned errors;        /* the caller's failures, added to the snapshot's */
	bool openmetrics;       /* OpenMetrics 1.0.0 rather than text 0.0.4 */
};
void metrics_write(struct buf *out, const struct snap *s, const struct metrics_opts *o);
/* what a snapshot for metrics_write is taken with (no per-process CPU, no
 * host, no interface addresses) */
#define METRICS_WHAT (SNAP_NS | SNAP_CGROUPS | SNAP_CONTAINERS | SNAP_NOADDRS)

/* ---- serve.c: the metrics over HTTP (nstop serve) ---- */
#define SERVE_CONNECTIONS 64    /* connections at once, each its own thread */
#define SERVE_EVICTING 16       /* more, while the evicted close (serve_guard.c) */
#define SERVE_TIMEOUT 10        /* seconds a connection may sit idle */
#define SERVE_PER_PEER 8        /* connections from one remote (not loopback) address */
#define SERVE_REQUEST_SECONDS 5 /* a whole request, from accept or the previous response */
#define SERVE_RESPONSE_SECONDS 30 /* a whole response, from its request complete */
#define SERVE_LIFETIME_SECONDS 40 /* a whole connection, from accept, whatever it does */
#define SERVE_ALLOW_HOSTS 16    /* --allow-host names */
struct serve_opts {
	const char *sysroot;
	struct sockaddr_storage addr;
	char addr_text[64];     /* ADDR:PORT, for messages */
	int cgroup_depth;
	char *tls_cert, *tls_key; /* PEM text, both or neither: HTTPS */
	const struct webcfg *users; /* basic authentication; NULL: none */
	const char *allow_host[SERVE_ALLOW_HOSTS]; /* Host names answered without users */
	size_t nallow_host;
};
struct server;
struct server *serve_start(const struct serve_opts *o, struct nerr *e);
unsigned serve_connections(struct server *sv);
void serve_quiesce(struct server *sv, uint64_t grace_usec);
void serve_stop(struct server *sv);
/* serve_guard.c: request and response deadlines, the per-peer cap */
struct serve_guard;
bool serve_loopback(const struct sockaddr *sa);
struct serve_guard *serve_guard_new(void);
void serve_guard_free(struct serve_guard *g);
bool serve_guard_admit(struct serve_guard *g, const struct sockaddr *peer);
void *serve_guard_open(struct serve_guard *g, int fd, const struct sockaddr *peer, socklen_t len);
void serve_guard_phase(struct serve_guard *g, void *conn, bool responding);
void serve_guard_close(struct serve_guard *g, void *conn);
void serve_guard_counts(struct serve_guard *g, unsigned *shut, unsigned *evicted);
/* serve_auth.c: basic authentication, bcrypt hashes (libxcrypt), a cache */
#define SERVE_AUTH_CACHE 16           /* verified credentials remembered */
#define SERVE_AUTH_CACHE_SECONDS 300  /* for this long */
#define SERVE_AUTH_PER_USER 4         /* bcrypt checks of one user running or waiting; more: 503 */
#define SERVE_AUTH_UNKNOWN 2          /* ... of all unknown user names together */
enum serve_auth_result { SERVE_AUTH_OK, SERVE_AUTH_DENIED, SERVE_AUTH_BUSY };
struct webcfg;
struct serve_auth;
struct serve_auth *serve_auth_new(const struct webcfg *w, struct nerr *e);
void serve_auth_free(struct serve_auth *a);
enum serve_auth_result serve_auth_check(struct serve_auth *a, const char *user, const char *pass);
void serve_auth_counts(struct serve_auth *a, unsigned long *runs, unsigned long *hits);
void serve_auth_shutdown(struct serve_auth *a);
void serve_auth_age(struct serve_auth *a, uint64_t usec);

/* ---- config.c: settings that stick ---- */
struct config {
	char path[512];         /* the file read, "" when none */
	char view[16];          /* "" or containers, namespaces, cgroups, processes */
	double interval;        /* 0: unset */
	int color;              /* -1 unset, 0 no, 1 yes */
	int mouse;              /* -1 unset, 0 no, 1 yes */
	char *cols[4];          /* per view (dashboard order), NULL: the default */
	char *sort[4];
	bool sort_reverse[4];
	char *cgroup_parent;
	char *audit_log;
	uint64_t history_max;   /* the live past kept in memory, bytes; 0: the default */
	double dead_keep;       /* seconds an exited container stays listed; <0: unset */
};
void config_init(void);
int config_load(struct buf *warn);
const struct config *config_get(void);
int config_user_path(char *out, size_t n);
int config_save(const struct config *c, char *path_out, size_t n, struct nerr *e);
int config_view_index(const char *name);
const char *config_view_name(int v);

#endif
