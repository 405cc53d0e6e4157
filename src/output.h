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

/* ---- serve.c: the metrics over HTTP (nstop serve) ---- */
#define SERVE_CONNECTIONS 64    /* connections at once, each its own thread */
#define SERVE_PER_IP 64         /* from one address: a whole HA pair's scrapers fit */
#define SERVE_TIMEOUT 10        /* seconds a connection may sit idle */
struct serve_opts {
	const char *sysroot;
	struct sockaddr_storage addr;
	char addr_text[64];     /* ADDR:PORT, for messages */
	int cgroup_depth;
};
struct server;
struct server *serve_start(const struct serve_opts *o, struct nerr *e);
unsigned serve_connections(struct server *sv);
void serve_quiesce(struct server *sv, uint64_t grace_usec);
void serve_stop(struct server *sv);

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
int config_load(struct buf *warn);
const struct config *config_get(void);
int config_user_path(char *out, size_t n);
int config_save(const struct config *c, char *path_out, size_t n, struct nerr *e);
int config_view_index(const char *name);
const char *config_view_name(int v);

#endif
