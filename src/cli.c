// SPDX-License-Identifier: GPL-2.0-or-later
/* The batch subcommands: ns, cgroups, ps and snapshot. Output is a contract. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

enum {
	OPT_LIST_COLUMNS = 256,
	OPT_SYSROOT,
	OPT_BY_POD,
	OPT_HISTORY,
	OPT_NS,
	OPT_CGROUP,
	OPT_REPLAY,
	OPT_AT,
	OPT_DEPTH,
};

/* Options every listing shares. */
struct listopts {
	const char *cmd;
	const char *sysroot;
	const char *columns;
	bool json, noheadings, list_columns;
	double interval;
	bool interval_set;
	uint64_t count;
	const char *replay, *at; /* --replay PATH --at TIME */
};

void cli_bad_option(const char *cmd, char **argv, int optopt_)
{
	struct buf b = {0};
	if (optopt_ && optopt_ < 256)
		usage_error("%s: unknown option or missing value: -%c (see nstop %s --help)", cmd,
			    optopt_, cmd);
	usage_error("%s: unknown option or missing value: %s (see nstop %s --help)", cmd,
		    str_esc(&b, argv[optind - 1]), cmd);
}

/* --cgroup-depth N of metrics and serve: 0 to 64 (the walk's own bound). */
int cli_cgroup_depth(const char *cmd, const char *arg)
{
	uint64_t v;
	if (str_parse_u64(arg, &v) < 0 || v > 64) {
		struct buf b = {0};
		usage_error("%s: --cgroup-depth: not a depth from 0 to 64: %s", cmd, str_esc(&b, arg));
	}
	return (int)v;
}

/* Handles a shared option; returns false when c is not one. */
static bool list_opt(struct listopts *lo, int c, const char *arg)
{
	struct buf b = {0};
	switch (c) {
	case 'J':
		lo->json = true;
		return true;
	case 'o':
		lo->columns = arg;
		return true;
	case 'H':
		lo->noheadings = true;
		return true;
	case OPT_LIST_COLUMNS:
		lo->list_columns = true;
		return true;
	case OPT_SYSROOT:
		lo->sysroot = arg;
		return true;
	case OPT_REPLAY:
		lo->replay = arg;
		return true;
	case OPT_AT:
		lo->at = arg;
		return true;
	case 'd':
		if (str_parse_seconds(arg, &lo->interval) < 0)
			usage_error("%s: --interval: not a number of seconds (0 to 86400): %s",
				    lo->cmd, str_esc(&b, arg));
		lo->interval_set = true;
		return true;
	case 'n':
		if (str_parse_u64(arg, &lo->count) < 0 || lo->count == 0 || lo->count > 1000000)
			usage_error("%s: --count: not a positive count: %s", lo->cmd,
				    str_esc(&b, arg));
		return true;
	}
	return false;
}

#define COMMON_LONGOPTS                                             \
	{"json", no_argument, NULL, 'J'},                           \
	{"output", required_argument, NULL, 'o'},                   \
	{"noheadings", no_argument, NULL, 'H'},                     \
	{"list-columns", no_argument, NULL, OPT_LIST_COLUMNS},      \
	{"sysroot", required_argument, NULL, OPT_SYSROOT},           \
	{"replay", required_argument, NULL, OPT_REPLAY},            \
	{"at", required_argument, NULL, OPT_AT}

static void open_root(const struct listopts *lo, const struct globalopts *g, struct sysroot *sr)
{
	struct nerr e = {0};
	const char *dir = lo->sysroot ? lo->sysroot : g->sysroot;
	if (sysroot_open(sr, dir, &e) < 0) {
		struct buf b = {0};
		usage_error("--sysroot: %s", str_esc(&b, e.msg));
	}
}

static void select_cols(const struct table *t, struct listopts *lo, struct outopts *o)
{
	o->json = lo->json;
	o->noheadings = lo->noheadings;
	struct nerr e = {0};
	if (out_select_columns(t, lo->columns, o, &e) < 0)
		usage_error("%s", e.msg);
}

static void sleep_sec(double sec)
{
	struct timespec ts = {(time_t)sec, (long)((sec - floor(sec)) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * After the options: no stray argument, --list-columns answered (returns
 * true: the command is done), the columns chosen.
 */
static bool after_options(struct listopts *lo, const struct table *t, int argc, char **argv,
			  struct outopts *o)
{
	struct buf b = {0};
	if (optind < argc)
		usage_error("%s: unexpected argument: %s", lo->cmd, str_esc(&b, argv[optind]));
	cli_replay_opts(lo->cmd, lo->replay, lo->at, lo->interval_set, lo->count);
	if (lo->list_columns) {
		out_list_columns(stdout, t);
		return true;
	}
	select_cols(t, lo, o);
	return false;
}

/* A flat listing: one JSON document or one text table. */
static void emit_rows(const struct listopts *lo, const struct snap *s, const struct table *t,
		      const struct outopts *o, const void *const *rows, size_t n)
{
	if (lo->json) {
		struct buf out = {0};
		struct json j;
		json_init(&j, &out, true);
		json_obj_begin(&j, NULL);
		out_json_rows(&j, s, t, o, rows, n);
		json_obj_end(&j);
		out_flush(stdout, &out);
		buf_free(&out);
	} else {
		out_text(stdout, s, t, o, rows, n, NULL, NULL);
	}
}

/* ---- nstop ns ---- */

enum { TREE_NONE, TREE_PROCESS, TREE_OWNER, TREE_PARENT };

/*
 * Trees as lsns draws them. TREE_PROCESS (its default): rows in inode order,
 * each under the latest earlier row whose process is its process's parent.
 * TREE_OWNER and TREE_PARENT: before a row, its owner (or its parent; for a
 * namespace with no parent, its owner) is emitted first, so rows are
 * reordered; a row hangs under its owner (or parent) when that is listed.
 * On return sel is in emission order and parent[] indexes into it.
 */
struct nsorder {
	const struct nsinfo **in, **out;
	long *parent;
	size_t n, nout;
	struct hmap pos, emitted; /* ino -> index in in[], ino -> index in out[] + 1 */
	int mode;
};

static void ns_emit(struct nsorder *x, size_t i, int depth)
{
	const struct nsinfo *r = x->in[i];
	if (hmap_get(&x->emitted, r->ino, NULL) || depth > 64)
		return;
	uint64_t up = x->mode == TREE_OWNER ? r->owner_ino : r->parent_ino;
	uint64_t first = up ? up : (x->mode == TREE_PARENT ? r->owner_ino : 0);
	uint32_t k;
	if (first && first != r->ino && hmap_get(&x->pos, first, &k))
		ns_emit(x, k, depth + 1);
	if (hmap_get(&x->emitted, r->ino, NULL))
		return; /* emitted meanwhile through a loop: never twice */
	long par = -1;
	uint32_t e;
	if (up && up != r->ino && hmap_get(&x->emitted, up, &e))
		par = (long)e - 1;
	x->out[x->nout] = r;
	x->parent[x->nout] = par;
	x->nout++;
	hmap_put(&x->emitted, r->ino, (uint32_t)x->nout);
}

static long *ns_tree_order(const struct snap *s, const struct nsinfo **sel, size_t n, int mode)
{
	long *parent = xcalloc(n + 1, sizeof(*parent));
	if (mode == TREE_PROCESS) {
		struct hmap last = {0};
		for (size_t i = 0; i < n; i++) {
			uint32_t k;
			const struct proc *p = snap_proc(s, sel[i]->pid);
			parent[i] = -1;
			if (p && p->ppid > 0 && hmap_get(&last, (uint64_t)p->ppid, &k))
				parent[i] = (long)k;
			if (!sel[i]->ghost)
				hmap_put(&last, (uint64_t)sel[i]->pid, (uint32_t)i);
		}
		hmap_free(&last);
		return parent;
	}
	struct nsorder x = {.in = sel, .n = n, .parent = parent, .mode = mode};
	x.out = xcalloc(n + 1, sizeof(*x.out));
	for (size_t i = 0; i < n; i++)
		hmap_put(&x.pos, sel[i]->ino, (uint32_t)i);
	for (size_t i = 0; i < n; i++)
		ns_emit(&x, i, 0);
	memcpy(sel, x.out, n * sizeof(*sel));
	free(x.out);
	hmap_free(&x.pos);
	hmap_free(&x.emitted);
	return parent;
}

int cmd_ns(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		COMMON_LONGOPTS,
		{"type", required_argument, NULL, 't'},
		{"tree", required_argument, NULL, 'T'},
		{"list", no_argument, NULL, 'l'},
		{0},
	};
	struct listopts lo = {.cmd = "ns"};
	bool types[NS_NTYPES] = {0}, anytype = false;
	int tree = TREE_PROCESS;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Jo:Ht:T:l", lopts, NULL)) != -1) {
		if (list_opt(&lo, c, optarg))
			continue;
		if (c == 't') {
			int t = ns_type_parse(optarg);
			if (t < 0)
				usage_error("ns: unknown namespace type: %s (cgroup, ipc, mnt, net, "
					    "pid, time, user, uts)", str_esc(&b, optarg));
			types[t] = anytype = true;
		} else if (c == 'T') {
			if (!strcmp(optarg, "owner"))
				tree = TREE_OWNER;
			else if (!strcmp(optarg, "parent"))
				tree = TREE_PARENT;
			else if (!strcmp(optarg, "process"))
				tree = TREE_PROCESS;
			else
				usage_error("ns: --tree: expected owner, parent or process, not %s",
					    str_esc(&b, optarg));
		} else if (c == 'l') {
			tree = TREE_NONE;
		} else {
			cli_bad_option("ns", argv, optopt);
		}
	}
	struct outopts o = {0};
	if (after_options(&lo, &table_ns, argc, argv, &o))
		return 0;
	/* lsns shows a net namespace's id and nsfs mounts by default with -t net */
	if (!lo.columns && types[NS_NET]) {
		const struct column *cmd = o.cols[o.ncols - 1];
		o.cols = xreallocarray(o.cols, o.ncols + 2, sizeof(*o.cols));
		o.cols[o.ncols - 1] = table_find(&table_ns, "NETNSID", 7);
		o.cols[o.ncols++] = table_find(&table_ns, "NSFS", 4);
		o.cols[o.ncols++] = cmd;
	}
	struct sysroot sr;
	open_root(&lo, g, &sr);
	struct users *u = users_new(&sr);
	struct snap *rprev = NULL;
	struct snap *s = lo.replay ? cli_replay("ns", lo.replay, lo.at, u, &rprev, NULL)
				   : snap_take(&sr, u, SNAP_NS, NULL);

	/* ghosts (namespaces without processes) appear only in owner/parent trees */
	bool ghosts = tree == TREE_OWNER || tree == TREE_PARENT;
	const struct nsinfo **sel = xcalloc(s->nns + 1, sizeof(*sel));
	size_t nsel = 0;
	for (size_t i = 0; i < s->nns; i++)
		if ((!anytype || types[s->ns[i].type]) && (ghosts || !s->ns[i].ghost))
			sel[nsel++] = &s->ns[i];

	long *parent = tree != TREE_NONE ? ns_tree_order(s, sel, nsel, tree) : NULL;
	if (lo.json) {
		struct buf out = {0};
		struct json j;
		json_init(&j, &out, true);
		json_obj_begin(&j, NULL);
		if (parent)
			out_json_tree(&j, s, &table_ns, &o, (const void *const *)sel, nsel, parent);
		else
			out_json_rows(&j, s, &table_ns, &o, (const void *const *)sel, nsel);
		json_obj_end(&j);
		out_flush(stdout, &out);
		buf_free(&out);
	} else if (parent) {
		/* lsns draws the process tree in COMMAND, the others in NS */
		struct tree t = {0};
		tree_build(&t, parent, nsel);
		const struct column *tc = table_find(&table_ns, tree == TREE_PROCESS ? "COMMAND" : "NS",
						     tree == TREE_PROCESS ? 7 : 2);
		bool shown = false;
		for (size_t k = 0; k < o.ncols; k++)
			shown |= o.cols[k] == tc;
		if (!shown && o.ncols)
			tc = o.cols[o.ncols - 1];
		out_text(stdout, s, &table_ns, &o, (const void *const *)sel, nsel, &t, tc);
		tree_free(&t);
	} else {
		out_text(stdout, s, &table_ns, &o, (const void *const *)sel, nsel, NULL, NULL);
	}
	free(parent);
	free(sel);
	free(o.cols);
	snap_free(s);
	snap_free(rprev);
	users_free(u);
	sysroot_close(&sr);
	buf_free(&b);
	return 0;
}

/* ---- nstop cgroups ---- */

int cmd_cgroups(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		COMMON_LONGOPTS,
		{"interval", required_argument, NULL, 'd'},
		{"count", required_argument, NULL, 'n'},
		{"depth", required_argument, NULL, OPT_DEPTH},
		{0},
	};
	struct listopts lo = {.cmd = "cgroups", .interval = 1, .count = 1};
	struct buf b = {0};
	/* systemd-cgtop's default depth, and metrics': the CPU and memory of
	 * what is deeper is in its ancestors' figures (--depth all: the tree) */
	int c, depth = 3;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Jo:Hd:n:", lopts, NULL)) != -1)
		if (c == OPT_DEPTH) {
			uint64_t v;
			if (!strcmp(optarg, "all"))
				depth = -1;
			else if (str_parse_u64(optarg, &v) < 0 || v > 64)
				usage_error("cgroups: --depth: not a depth from 0 to 64, or all: %s",
					    str_esc(&b, optarg));
			else
				depth = (int)v;
		} else if (!list_opt(&lo, c, optarg)) {
			cli_bad_option("cgroups", argv, optopt);
		}
	struct outopts o = {0};
	if (after_options(&lo, &table_cgroups, argc, argv, &o))
		return 0;
	struct sysroot sr;
	open_root(&lo, g, &sr);
	if (sr.layout == CG_NONE && !lo.replay) {
		warnmsg("cgroups: no cgroup filesystem is mounted under %s",
			str_esc(&b, sr.live ? "/sys/fs/cgroup" : sr.dir));
		sysroot_close(&sr);
		buf_free(&b);
		free(o.cols);
		return 1;
	}
	struct users *u = users_new(&sr);
	/* one collector for every snapshot: later ones read only what changed */
	struct collector *coll = lo.replay ? NULL : collector_new(&sr, u, false);
	/* only the files behind the columns shown (-o, JSON: all of them) */
	if (coll)
		cgcache_set_needs(collector_cgcache(coll), cg_columns_needs(o.cols, o.ncols));
	/* --depth: rows down to it (as systemd-cgtop's), the processes of
	 * the cgroups beneath counted in the deepest */
	if (coll && depth >= 0)
		collector_set_list_depth(coll, depth);
	unsigned what = SNAP_CGROUPS;
	/* the first sample only for the rates: what else it has is not shown */
	struct snap *prev = lo.replay ? NULL : collector_take(coll, what | SNAP_CGRATES, NULL);
	for (uint64_t i = 0; i < lo.count; i++) {
		struct snap *s;
		if (lo.replay) {
			s = cli_replay("cgroups", lo.replay, lo.at, u, &prev, NULL);
		} else {
			sleep_sec(lo.interval);
			s = collector_take(coll, what, prev);
		}
		const void **rows = xcalloc(s->ncgs + 1, sizeof(*rows));
		size_t nrows = 0;
		for (size_t k = 0; k < s->ncgs; k++)
			if (depth < 0 || s->cgs[k].depth <= depth) /* (a recording has them all) */
				rows[nrows++] = &s->cgs[k];
		if (i && !lo.json)
			fputc('\n', stdout);
		emit_rows(&lo, s, &table_cgroups, &o, (const void *const *)rows, nrows);
		fflush(stdout);
		free(rows);
		snap_free(prev);
		prev = s;
	}
	snap_free(prev);
	if (coll)
		collector_free(coll);
	users_free(u);
	free(o.cols);
	sysroot_close(&sr);
	buf_free(&b);
	return 0;
}

/* ---- nstop ps ---- */

static bool proc_in_cgroup(const struct proc *p, const char *path)
{
	if (p->cg2 && !strcmp(p->cg2, path))
		return true;
	for (int k = 0; k < p->ncg1; k++)
		if (!strcmp(p->cg1[k].path, path))
			return true;
	return false;
}

int cmd_ps(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		COMMON_LONGOPTS,
		{"interval", required_argument, NULL, 'd'},
		{"ns", required_argument, NULL, OPT_NS},
		{"cgroup", required_argument, NULL, OPT_CGROUP},
		{0},
	};
	struct listopts lo = {.cmd = "ps"};
	struct buf b = {0};
	uint64_t ns_filter = 0;
	const char *cg_filter = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Jo:Hd:", lopts, NULL)) != -1) {
		if (list_opt(&lo, c, optarg))
			continue;
		if (c == OPT_NS) {
			if (str_parse_u64(optarg, &ns_filter) < 0 || !ns_filter)
				usage_error("ps: --ns: not a namespace inode: %s",
					    str_esc(&b, optarg));
		} else if (c == OPT_CGROUP) {
			if (optarg[0] != '/')
				usage_error("ps: --cgroup: not an absolute cgroup path: %s",
					    str_esc(&b, optarg));
			cg_filter = optarg;
		} else {
			cli_bad_option("ps", argv, optopt);
		}
	}
	struct outopts o = {0};
	if (after_options(&lo, &table_ps, argc, argv, &o))
		return 0;
	struct sysroot sr;
	open_root(&lo, g, &sr);
	struct users *u = users_new(&sr);
	struct collector *coll = lo.replay ? NULL : collector_new(&sr, u, false);
	struct snap *prev = NULL, *s;
	if (lo.replay) {
		s = cli_replay("ps", lo.replay, lo.at, u, &prev, NULL);
	} else {
		if (lo.interval_set) {
			prev = collector_take(coll, SNAP_PROCS, NULL);
			sleep_sec(lo.interval);
		}
		s = collector_take(coll, SNAP_PROCS, prev);
	}
	const void **rows = xcalloc(s->nprocs + 1, sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (cg_filter && !proc_in_cgroup(p, cg_filter))
			continue;
		if (ns_filter) {
			bool in = false;
			for (int t = 0; t < NS_NTYPES && !in; t++)
				in = p->ns[t] == ns_filter;
			if (!in)
				continue;
		}
		rows[n++] = p;
	}
	emit_rows(&lo, s, &table_ps, &o, (const void *const *)rows, n);
	free(rows);
	snap_free(prev);
	snap_free(s);
	if (coll)
		collector_free(coll);
	users_free(u);
	free(o.cols);
	sysroot_close(&sr);
	buf_free(&b);
	return 0;
}

/* ---- nstop snapshot ---- */

static void json_host(struct json *j, const struct snap *s)
{
	if (!s->host.available) {
		json_null(j, "host");
		return;
	}
	const struct host *h = &s->host;
	json_obj_begin(j, "host");
	json_i64(j, "ncpu", h->ncpu);
	json_dbl(j, "cpu_percent", h->cpu_percent, 1);
	json_u64(j, "cpu_total_ticks", h->cpu_total_ticks);
	json_u64(j, "cpu_busy_ticks", h->cpu_busy_ticks);
	json_u64(j, "memory_total_bytes", h->mem_total);
	json_u64(j, "memory_available_bytes", h->mem_available);
	json_u64(j, "swap_total_bytes", h->swap_total);
	json_u64(j, "swap_free_bytes", h->swap_free);
	json_dbl(j, "load1", h->load1, 2);
	json_dbl(j, "load5", h->load5, 2);
	json_dbl(j, "load15", h->load15, 2);
	json_obj_end(j);
}

int cmd_snapshot(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"interval", required_argument, NULL, 'd'},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"at", required_argument, NULL, OPT_AT},
		{0},
	};
	struct listopts lo = {.cmd = "snapshot"};
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Jd:", lopts, NULL)) != -1)
		if (!list_opt(&lo, c, optarg))
			cli_bad_option("snapshot", argv, optopt);
	if (optind < argc)
		usage_error("snapshot: unexpected argument: %s", str_esc(&b, argv[optind]));
	if (!lo.json)
		usage_error("snapshot: only --json output exists (the listings print text)");
	cli_replay_opts(lo.cmd, lo.replay, lo.at, lo.interval_set, lo.count);
	struct sysroot sr;
	open_root(&lo, g, &sr);
	struct users *u = users_new(&sr);
	struct collector *coll = lo.replay ? NULL : collector_new(&sr, u, false);
	struct snap *prev = NULL, *s;
	int64_t when = INT64_MIN;
	if (lo.replay) {
		s = cli_replay("snapshot", lo.replay, lo.at, u, &prev, &when);
	} else {
		if (lo.interval_set) {
			prev = collector_take(coll, SNAP_ALL, NULL);
			sleep_sec(lo.interval);
		}
		s = collector_take(coll, SNAP_ALL, prev);
	}

	struct outopts ons = {.json = true}, ocg = {.json = true}, ops = {.json = true};
	struct outopts oct = {.json = true};
	out_select_columns(&table_containers, NULL, &oct, NULL);
	out_select_columns(&table_ps, "+CONTAINER", &ops, NULL);
	out_select_columns(&table_ns, NULL, &ons, NULL);
	out_select_columns(&table_cgroups, NULL, &ocg, NULL);
	/* everything: every column of every table */
	ons.ncols = 0;
	for (size_t i = 0; i < table_ns.ncols; i++)
		ons.cols[ons.ncols++] = &table_ns.cols[i];

	struct buf out = {0};
	struct json j;
	json_init(&j, &out, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "nstop_version", NSTOP_VERSION);
	json_str(&j, "sysroot", sr.dir);
	json_str(&j, "cgroup_layout", cg_layout_name(s->layout));
	cli_json_time(&j, "sample_time", when); /* replays only */
	json_obj_begin(&j, "host_namespaces");
	for (int t = 0; t < NS_NTYPES; t++) {
		if (s->host_ns[t])
			json_u64(&j, ns_type_name((enum ns_type)t), s->host_ns[t]);
		else
			json_null(&j, ns_type_name((enum ns_type)t));
	}
	json_obj_end(&j);
	json_host(&j, s);

	const void **rows = xcalloc(s->nns + s->ncgs + s->nprocs + s->nctrs + 1, sizeof(*rows));
	for (size_t i = 0; i < s->nns; i++)
		rows[i] = &s->ns[i];
	out_json_rows(&j, s, &table_ns, &ons, (const void *const *)rows, s->nns);
	for (size_t i = 0; i < s->ncgs; i++)
		rows[i] = &s->cgs[i];
	out_json_rows(&j, s, &table_cgroups, &ocg, (const void *const *)rows, s->ncgs);
	for (size_t i = 0; i < s->nctrs; i++)
		rows[i] = &s->ctrs[i];
	out_json_rows(&j, s, &table_containers, &oct, (const void *const *)rows, s->nctrs);

	/* interfaces of the containers' network namespaces (root, live) */
	json_arr_begin(&j, "interfaces");
	for (size_t i = 0; i < s->nifs; i++) {
		const struct netif *f = &s->ifs[i];
		json_obj_begin(&j, NULL);
		json_u64(&j, "net_ns", f->netns);
		json_i64(&j, "ifindex", f->ifindex);
		json_str(&j, "name", f->name);
		json_bool(&j, "up", f->up);
		json_str(&j, "addresses", f->addrs);
		json_u64(&j, "rx_bytes", f->rx_bytes);
		json_u64(&j, "tx_bytes", f->tx_bytes);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	struct cell cl = {0};
	json_arr_begin(&j, table_ps.name);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		json_obj_begin(&j, NULL);
		out_json_fields(&j, s, &ops, p, &cl);
		/* every hierarchy's line of /proc/PID/cgroup, keyed by controllers */
		json_obj_begin(&j, "cgroups");
		if (p->cg2)
			json_str(&j, "unified", p->cg2);
		for (int k = 0; k < p->ncg1; k++)
			json_str(&j, p->cg1[k].ctrl, p->cg1[k].path);
		json_obj_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	out_flush(stdout, &out);

	buf_free(&cl.tmp);
	buf_free(&out);
	free(rows);
	free(ons.cols);
	free(ocg.cols);
	free(ops.cols);
	free(oct.cols);
	snap_free(prev);
	snap_free(s);
	if (coll)
		collector_free(coll);
	users_free(u);
	sysroot_close(&sr);
	buf_free(&b);
	return 0;
}

/* ---- nstop containers ---- */

/* --by-pod: each pod's rows together, its sandbox first; containers of no
 * pod after them; otherwise the snapshot's order */
static int cmp_by_pod(const void *pa, const void *pb)
{
	const struct container *a = *(const struct container *const *)pa;
	const struct container *b = *(const struct container *const *)pb;
	if (!a->pod != !b->pod)
		return a->pod ? -1 : 1;
	int r = a->pod ? strcmp(a->pod, b->pod) : 0;
	if (!r && a->pod && a->pod_uid && b->pod_uid)
		r = strcmp(a->pod_uid, b->pod_uid);
	if (!r)
		r = (int)b->sandbox - (int)a->sandbox;
	return r ? r : (a > b) - (a < b);
}

/* --all: the containers that exited in the last dead_keep seconds (the
 * dashboard's), from a recording: the replayed one, or the recorder's
 * history directory. Without one, the live ones alone, and a word why. */
static void with_exited(struct snap *s, const char *path, struct users *u, int64_t at)
{
	double keep = config_get()->dead_keep;
	int64_t keep_usec = (int64_t)((keep >= 0 ? keep : 600) * 1e6);
	struct nerr e = {0};
	size_t left = 0;
	if (keep_usec > 0 && dead_from_recording(path, u, s, at, keep_usec, &left, &e) < 0)
		warnmsg("containers --all: %s: exited containers are not listed (nstop record keeps them, "
			"in %s by default)", e.msg, REC_DEFAULT_DIR);
	else if (left)
		warnmsg("containers --all: %zu more exited containers in the recording are not listed (more "
			"than nstop looks up at once)", left);
}

int cmd_containers(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		COMMON_LONGOPTS,
		{"interval", required_argument, NULL, 'd'},
		{"by-pod", no_argument, NULL, OPT_BY_POD},
		{"all", no_argument, NULL, 'a'},
		{"history", required_argument, NULL, OPT_HISTORY},
		{0},
	};
	bool by_pod = false, all = false;
	const char *history = NULL;
	struct listopts lo = {.cmd = "containers", .interval = 1};
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Jo:Hd:a", lopts, NULL)) != -1)
		if (c == OPT_BY_POD)
			by_pod = true;
		else if (c == 'a')
			all = true;
		else if (c == OPT_HISTORY)
			history = optarg;
		else if (!list_opt(&lo, c, optarg))
			cli_bad_option("containers", argv, optopt);
	if (history && !all)
		usage_error("containers: --history DIR goes with --all");
	if (history && lo.replay)
		usage_error("containers: --history and --replay: --all takes the exited ones from the replayed "
			    "recording");
	struct outopts o = {0};
	if (by_pod && !lo.columns && !lo.json) {
		/* the pod's columns first */
		lo.columns = "NAMESPACE,POD,NAME,RUNTIME,ID,IMAGE,PROCS,CPU%,MEM,EFF_MEM_LIMIT,RX/s,TX/s,STATE,NOTES";
	}
	if (after_options(&lo, &table_containers, argc, argv, &o))
		return 0;
	struct sysroot sr;
	open_root(&lo, g, &sr);
	struct users *u = users_new(&sr);
	/* the containers' own cgroups, not the whole trees */
	struct collector *coll = lo.replay ? NULL : collector_new(&sr, u, false);
	unsigned what = SNAP_CONTAINERS | SNAP_HOST; /* the host's idle CPU: NOTES cpu-quota-bound */
	struct snap *prev = NULL, *s;
	int64_t at = 0;
	if (lo.replay) {
		s = cli_replay("containers", lo.replay, lo.at, u, &prev, &at);
	} else {
		prev = collector_take(coll, what, NULL);
		sleep_sec(lo.interval);
		s = collector_take(coll, what, prev);
		at = ev_now_usec();
	}
	if (all)
		with_exited(s, lo.replay ? lo.replay : history ? history : REC_DEFAULT_DIR, u, at);
	const void **rows = xcalloc(s->nctrs + 1, sizeof(*rows));
	for (size_t k = 0; k < s->nctrs; k++)
		rows[k] = &s->ctrs[k];
	size_t nrows = s->nctrs, npods = 0;
	struct container *pods = NULL;
	char **podpaths = NULL;
	if (by_pod) {
		qsort(rows, s->nctrs, sizeof(*rows), cmp_by_pod);
		/* each pod's totals on a row of its own, before its containers */
		npods = snap_pod_rows(s, &pods, &podpaths);
		const void **v = xcalloc(s->nctrs + npods + 1, sizeof(*v));
		bool *placed = xcalloc(npods + 1, sizeof(*placed));
		nrows = 0;
		for (size_t k = 0; k < s->nctrs; k++) {
			const struct container *ct = rows[k];
			for (size_t p = 0; ct->pod && p < npods; p++)
				if (!placed[p] && ct->pod_uid && !strcmp(pods[p].pod, ct->pod) &&
				    !strcmp(pods[p].pod_uid, ct->pod_uid)) {
					placed[p] = true;
					v[nrows++] = &pods[p];
				}
			v[nrows++] = ct;
		}
		free(placed);
		free(rows);
		rows = v;
	}
	emit_rows(&lo, s, &table_containers, &o, (const void *const *)rows, nrows);
	free(rows);
	free(pods);
	for (size_t p = 0; podpaths && podpaths[p]; p++)
		free(podpaths[p]);
	free(podpaths);
	snap_free(prev);
	snap_free(s);
	if (coll)
		collector_free(coll);
	users_free(u);
	free(o.cols);
	sysroot_close(&sr);
	buf_free(&b);
	return 0;
}
