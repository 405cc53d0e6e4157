// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard. A collector thread takes snapshots and hands the newest to
 * this thread through a pipe; views only read snapshots and draw rows with
 * the same column table as the batch listings. Only this file includes curses.
 */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <sys/resource.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../nstop.h"
#include "ui.h"

enum view { V_CONTAINERS, V_NS, V_CGROUPS, V_PROCS, V_NVIEWS };

static const char *const view_names[V_NVIEWS] = {"Containers", "Namespaces", "Cgroups",
						 "Processes"};

/* One key, one meaning, in every view: tests check that none is bound twice. */
const struct ui_key ui_keys[] = {
	{'1', "1", "containers view"},
	{'2', "2", "namespaces view"},
	{'3', "3", "cgroups view"},
	{'4', "4", "processes view"},
	{'\t', "Tab", "next view"},
	{KEY_UP, "Up", "move up"},
	{KEY_DOWN, "Down", "move down"},
	{KEY_PPAGE, "PgUp", "page up"},
	{KEY_NPAGE, "PgDn", "page down"},
	{KEY_HOME, "Home", "first row"},
	{KEY_END, "End", "last row"},
	{'\n', "Enter", "drill down: a container or namespace to its processes, a cgroup to its subtree"},
	{27, "Esc", "back (also Backspace); clears the filter"},
	{KEY_BACKSPACE, "Backspace", "back"},
	{'/', "/", "filter rows by text"},
	{'s', "s", "choose the sort column; the same column again reverses"},
	{'T', "T", "tree: processes by parent, namespaces by owning user namespace; again: a list"},
	{KEY_LEFT, "Left", "cgroups view: collapse the selected cgroup's subtree"},
	{KEY_RIGHT, "Right", "cgroups view: expand it again"},
	{'p', "p", "pause or resume refreshing"},
	{'+', "+", "refresh less often"},
	{'-', "-", "refresh more often"},
	{'?', "?", "this help"},
	{'q', "q", "quit"},
	{'w', "w", "write the view, interval, colors, columns and sorts to the config file"},
	{'c', "c", "create a container: the form"},
	{'e', "e", "enter: a shell in the selected container, back on exit"},
	{'t', "t", "throttle: the limits dialog (CPU, memory, pids)"},
	{'f', "f", "freeze or thaw the selected container or cgroup"},
	{'k', "k", "kill: the signal menu, then a confirmation"},
	{'d', "d", "remove the selected nstop container, after a confirmation"},
	{'u', "u", "undo the last limit change of the selection"},
};
const size_t ui_nkeys = ARRAY_LEN(ui_keys);

/* ---- the collector thread ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct snap *latest;    /* newest, not yet taken by the UI */
	double interval;
	bool quit, paused;
	int wake[2];            /* collector -> UI: a snapshot is ready */
	unsigned what;          /* SNAP_* the shown view needs */
	struct sysroot sr;
	struct users *users;
	struct collector *coll; /* used by the collector thread only */
} col = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* Both threads own snapshots; the last owner frees one. Under col.lock. */
static void unref_locked(struct snap *s)
{
	if (s && --s->refs == 0)
		snap_free(s);
}

/*
 * What each view reads: per-process stat only for the processes view, the
 * whole cgroup trees only for the cgroups view (the others read their
 * containers' cgroups). Namespaces and containers are derived from what the
 * collector keeps, and the header counts them everywhere.
 */
static unsigned view_what(int v)
{
	unsigned base = SNAP_NS | SNAP_CONTAINERS | SNAP_HOST;
	return v == V_PROCS ? base | SNAP_PROCS : v == V_CGROUPS ? base | SNAP_CGROUPS : base;
}

static void *collector_main(void *arg)
{
	(void)arg;
	struct snap *prev = NULL;
	unsigned prev_what = 0;
	for (;;) {
		pthread_mutex_lock(&col.lock);
		unsigned what = col.what;
		pthread_mutex_unlock(&col.lock);
		/* reads prev while the screen may read it too: both only read */
		struct snap *s = collector_take(col.coll, what, prev);
		s->refs = 2; /* ours (the next prev) and the screen's */
		pthread_mutex_lock(&col.lock);
		unref_locked(col.latest); /* one the screen never took */
		col.latest = s;
		unref_locked(prev);
		prev = s;
		pthread_mutex_unlock(&col.lock);
		if (write(col.wake[1], "x", 1) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&col.lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double iv = col.interval;
		/* a view that just started reading per-process CPU shows it
		 * after a short interval rather than a whole one */
		if ((what & SNAP_PROCS) && !(prev_what & SNAP_PROCS) && iv > 0.5)
			iv = 0.5;
		prev_what = what;
		until.tv_sec += (time_t)iv;
		until.tv_nsec += (long)((iv - floor(iv)) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!col.quit && col.what == what) {
			int r = pthread_cond_timedwait(&col.cond, &col.lock, &until);
			if (r == ETIMEDOUT && !col.paused)
				break;
			if (r == ETIMEDOUT)
				clock_gettime(CLOCK_REALTIME, &until), until.tv_sec += 1;
		}
		bool quit = col.quit;
		pthread_mutex_unlock(&col.lock);
		if (quit)
			break;
	}
	pthread_mutex_lock(&col.lock);
	unref_locked(prev);
	pthread_mutex_unlock(&col.lock);
	return NULL;
}

/* ---- screen state ---- */

struct viewstate {
	int sort;               /* column index into the table */
	bool reverse;
	size_t sel, top;
	char filter[128];
};

struct drill {
	enum view view;
	int kind;               /* 0 none, 1 container, 2 namespace, 3 cgroup */
	char key[4200];         /* container id, ns inode, cgroup path */
	char label[160];
};

static struct {
	enum view view;
	struct viewstate vs[V_NVIEWS];
	struct snap *shown;     /* what is on screen */
	struct drill stack[8];
	int depth;
	bool utf8, color, readonly, root, live;
	const char *audit_log;
	char status[256];
	const void **rows;
	size_t nrows, cap;
	struct buf tmp;
	struct cell cell;
	double interval;
	bool ptree;             /* processes view as a tree */
	bool nstree;            /* namespaces view as the owner tree */
	struct hmap collapsed;  /* hash of a cgroup path -> 1 while collapsed */
	struct tree tree;       /* the process tree's order and drawing */
	const void **trows;
} ui;

/* The last 60 samples of CPU and memory of each container and cgroup, for
 * the detail pane's sparklines; kept by the screen, not the snapshots. */
#define HIST_LEN 60
struct hist {
	double cpu[HIST_LEN], mem[HIST_LEN];
	int n, pos;
};
static struct {
	struct hist *h;
	size_t len, cap;
	struct hmap idx;
} hist;

static struct hist *hist_get(const char *kind, const char *key, bool create)
{
	char k[4300];
	snprintf(k, sizeof(k), "%s:%s", kind, key);
	uint64_t hk = hash_bytes(k, strlen(k));
	uint32_t i;
	if (hmap_get(&hist.idx, hk, &i))
		return &hist.h[i];
	if (!create)
		return NULL;
	if (hist.len == hist.cap) {
		hist.cap = hist.cap ? hist.cap * 2 : 64;
		hist.h = xreallocarray(hist.h, hist.cap, sizeof(*hist.h));
	}
	memset(&hist.h[hist.len], 0, sizeof(hist.h[0]));
	hmap_put(&hist.idx, hk, (uint32_t)hist.len);
	return &hist.h[hist.len++];
}

static void hist_push(struct hist *h, double cpu, uint64_t mem)
{
	h->cpu[h->pos] = cpu;
	h->mem[h->pos] = mem == VAL_NA ? NAN : (double)mem;
	h->pos = (h->pos + 1) % HIST_LEN;
	if (h->n < HIST_LEN)
		h->n++;
}

static void hist_record(const struct snap *s)
{
	for (size_t i = 0; i < s->ncgs; i++)
		hist_push(hist_get("cg", s->cgs[i].path, true), s->cgs[i].cpu_percent,
			  s->cgs[i].mem_current);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

static const struct table *view_table(enum view v)
{
	switch (v) {
	case V_CONTAINERS: return &table_containers;
	case V_NS: return &table_ns;
	case V_CGROUPS: return &table_cgroups;
	default: return &table_ps;
	}
}

/* Columns each view shows, in order, by header name. */
static const char *view_cols[V_NVIEWS][24] = {
	{"NAME", "RUNTIME", "ID", "INIT", "PROCS", "CPU%", "CPU_LIMIT%", "MEM", "MEM_LIMIT", "MEM%",
	 "PIDS", "READ/s", "WRITE/s", "RX/s", "TX/s", "STATE", "OWN_NS"},
	{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"},
	{"PATH", "PROCS", "CPU%", "CPU_LIMIT%", "MEM", "MEM_LIMIT", "PIDS", "PIDS_LIMIT", "THR%",
	 "OOM", "PSI_CPU", "PSI_MEM", "FROZEN"},
	{"PID", "NSPID", "USER", "S", "CPU%", "RSS", "CONTAINER", "PIDNS", "NETNS", "CGROUP", "COMMAND"},
};

static const struct column *col_by_name(enum view v, const char *name)
{
	return table_find(view_table(v), name, strlen(name));
}

static size_t view_ncols(enum view v)
{
	size_t n = 0;
	while (n < 24 && view_cols[v][n])
		n++;
	return n;
}

/* ---- rows: what a view lists, drilled-down and filtered ---- */

static void add_row(const void *r)
{
	if (ui.nrows == ui.cap) {
		ui.cap = ui.cap ? ui.cap * 2 : 256;
		ui.rows = xreallocarray(ui.rows, ui.cap, sizeof(*ui.rows));
	}
	ui.rows[ui.nrows++] = r;
}

static bool row_matches(enum view v, const void *row, const char *filter)
{
	if (!*filter)
		return true;
	/* a bare number finds a pid: "which container owns pid X" */
	uint64_t pid;
	if (str_parse_u64(filter, &pid) == 0 && v == V_PROCS)
		return ((const struct proc *)row)->pid == (pid_t)pid;
	/* a type name filters the namespaces view by type, and only by type */
	if (v == V_NS && ns_type_parse(filter) >= 0)
		return ((const struct nsinfo *)row)->type == (enum ns_type)ns_type_parse(filter);
	size_t nc = view_ncols(v);
	for (size_t k = 0; k < nc; k++) {
		const struct column *c = col_by_name(v, view_cols[v][k]);
		if (!c)
			continue;
		get_cell(c, ui.shown, row, &ui.cell);
		buf_reset(&ui.tmp);
		cell_text(&ui.tmp, &ui.cell);
		if (strcasestr(buf_str(&ui.tmp), filter))
			return true;
	}
	return false;
}

static int cmp_cells(const struct cell *a, const struct cell *b)
{
	if (a->type == CELL_NONE || b->type == CELL_NONE)
		return (a->type == CELL_NONE) - (b->type == CELL_NONE);
	double x = 0, y = 0;
	switch (a->type) {
	case CELL_STR: {
		size_t n = a->slen < b->slen ? a->slen : b->slen;
		int r = memcmp(a->s, b->s, n);
		return r ? r : (a->slen > b->slen) - (a->slen < b->slen);
	}
	case CELL_DBL: x = a->d, y = b->d; break;
	case CELL_I64: x = (double)a->i, y = (double)b->i; break;
	default: x = (double)a->u, y = (double)b->u; break;
	}
	return (x > y) - (x < y);
}

static const struct column *sort_col;
static bool sort_rev;
static struct cell sort_a, sort_b;

static int cmp_rows(const void *pa, const void *pb)
{
	const void *a = *(const void *const *)pa, *b = *(const void *const *)pb;
	get_cell(sort_col, ui.shown, a, &sort_a);
	get_cell(sort_col, ui.shown, b, &sort_b);
	bool na = sort_a.type == CELL_NONE, nb = sort_b.type == CELL_NONE;
	if (na && nb)
		return (a > b) - (a < b);
	if (na || nb)
		return na - nb; /* not available: last, either way */
	int r = cmp_cells(&sort_a, &sort_b);
	if (!r) /* ties keep snapshot order, so equal rows never swap places */
		return (a > b) - (a < b);
	return sort_rev ? -r : r;
}

static bool in_drill(const void *row)
{
	if (!ui.depth)
		return true;
	const struct drill *d = &ui.stack[ui.depth - 1];
	const struct snap *s = ui.shown;
	if (d->kind == 1) {
		const struct container *k = proc_container(s, row);
		return k && !strcmp(k->id, d->key);
	}
	if (d->kind == 2) {
		uint64_t ino = strtoull(d->key, NULL, 10);
		const struct proc *p = row;
		for (int t = 0; t < NS_NTYPES; t++)
			if (p->ns[t] == ino)
				return true;
		return false;
	}
	if (d->kind == 3) {
		const struct cgroup *g = row;
		size_t n = strlen(d->key);
		return !strncmp(g->path, d->key, n) &&
		       (g->path[n] == '\0' || g->path[n] == '/' || !strcmp(d->key, "/"));
	}
	return true;
}

/* Whether the snapshot on screen holds what the view shows (a view switch
 * waits for the collector when it does not). */
static bool covered(void)
{
	unsigned need = view_what(ui.view);
	return ui.shown && (ui.shown->what & need) == need;
}

static void build_rows(void)
{
	const struct snap *s = ui.shown;
	enum view v = ui.view;
	struct viewstate *vs = &ui.vs[v];
	ui.nrows = 0;
	if (!s || !covered())
		return;
	size_t n = v == V_CONTAINERS ? s->nctrs : v == V_NS ? s->nns : v == V_CGROUPS ? s->ncgs : s->nprocs;
	for (size_t i = 0; i < n; i++) {
		const void *r = v == V_CONTAINERS ? (const void *)&s->ctrs[i]
				: v == V_NS     ? (const void *)&s->ns[i]
				: v == V_CGROUPS ? (const void *)&s->cgs[i]
						 : (const void *)&s->procs[i];
		if (v == V_NS && s->ns[i].ghost)
			continue;
		if (v == V_CGROUPS && ui.collapsed.len && !vs->filter[0]) {
			/* hidden when an ancestor is collapsed */
			const char *path = s->cgs[i].path;
			bool hidden = false;
			for (const char *q = strchr(path + 1, '/'); q && !hidden; q = strchr(q + 1, '/'))
				hidden = hmap_get(&ui.collapsed, hash_bytes(path, (size_t)(q - path)), NULL);
			if (hidden)
				continue;
		}
		if (!in_drill(r) || !row_matches(v, r, vs->filter))
			continue;
		add_row(r);
	}
	if ((v == V_PROCS && ui.ptree) || (v == V_NS && ui.nstree)) {
		/* parents before children: each process under its parent, each
		 * namespace under its owning user namespace */
		long *parent = xcalloc(ui.nrows + 1, sizeof(*parent));
		struct hmap pos = {0};
		for (size_t i = 0; i < ui.nrows; i++)
			hmap_put(&pos, v == V_PROCS ? (uint64_t)((const struct proc *)ui.rows[i])->pid
						    : ((const struct nsinfo *)ui.rows[i])->ino,
				 (uint32_t)i);
		for (size_t i = 0; i < ui.nrows; i++) {
			uint32_t k;
			uint64_t up = v == V_PROCS ? (uint64_t)((const struct proc *)ui.rows[i])->ppid
						   : ((const struct nsinfo *)ui.rows[i])->owner_ino;
			parent[i] = up > 0 && hmap_get(&pos, up, &k) && k != i ? (long)k : -1;
		}
		/* a loop (pid reuse mid-walk) must not hide rows: cut it */
		for (size_t i = 0; i < ui.nrows; i++) {
			long q = parent[i];
			for (size_t steps = 0; q >= 0 && steps <= ui.nrows; steps++, q = parent[q])
				if ((size_t)q == i) {
					parent[i] = -1;
					break;
				}
		}
		tree_free(&ui.tree);
		tree_build(&ui.tree, parent, ui.nrows);
		ui.trows = xreallocarray(ui.trows, ui.nrows + 1, sizeof(*ui.trows));
		for (size_t i = 0; i < ui.tree.n; i++)
			ui.trows[i] = ui.rows[ui.tree.order[i]];
		memcpy(ui.rows, ui.trows, ui.tree.n * sizeof(*ui.rows));
		hmap_free(&pos);
		free(parent);
		if (vs->sel >= ui.nrows)
			vs->sel = ui.nrows ? ui.nrows - 1 : 0;
		return;
	}
	/* the cgroups view stays a tree (path order) unless a sort is chosen */
	if (vs->sort >= 0 && ui.nrows > 1) {
		sort_col = &view_table(v)->cols[vs->sort];
		sort_rev = vs->reverse;
		qsort(ui.rows, ui.nrows, sizeof(*ui.rows), cmp_rows);
	}
	if (vs->sel >= ui.nrows)
		vs->sel = ui.nrows ? ui.nrows - 1 : 0;
}

/* ---- drawing ---- */

/* Draws already escaped text at (y, x) in at most w cells, padding to w. */
static void put(int y, int x, const char *s, size_t len, int w, bool right)
{
	if (w <= 0)
		return;
	size_t cells = str_width(s, len);
	/* cut at a character boundary within w cells */
	size_t cut = len;
	if (cells > (size_t)w) {
		size_t acc = 0;
		cut = 0;
		while (cut < len) {
			size_t l = 1;
			unsigned char c = (unsigned char)s[cut];
			if (c >= 0xf0) l = 4;
			else if (c >= 0xe0) l = 3;
			else if (c >= 0xc0) l = 2;
			if (cut + l > len)
				break;
			size_t cw = str_width(s + cut, l);
			if (acc + cw > (size_t)w)
				break;
			acc += cw;
			cut += l;
		}
		cells = acc;
	}
	int pad = w - (int)cells;
	move(y, x);
	if (right)
		for (int i = 0; i < pad; i++)
			addch(' ');
	addnstr(s, (int)cut);
	if (!right)
		for (int i = 0; i < pad; i++)
			addch(' ');
}

static void fmt_pct(char *o, size_t n, double v)
{
	if (isnan(v))
		snprintf(o, n, "-");
	else
		snprintf(o, n, "%.0f%%", v);
}

static void draw_header(int w)
{
	const struct snap *s = ui.shown;
	char line[512], a[32], b[32], c[32];
	const struct host *h = s ? &s->host : NULL;
	if (h && h->available) {
		fmt_pct(a, sizeof(a), h->cpu_percent);
		str_fmt_size(b, sizeof(b), h->mem_total - h->mem_available);
		str_fmt_size(c, sizeof(c), h->mem_total);
		snprintf(line, sizeof(line), "nstop %s  CPU %s of %d CPUs  mem %s/%s  load %.2f %.2f %.2f",
			 NSTOP_VERSION, a, h->ncpu, b, c, h->load1, h->load5, h->load15);
	} else {
		snprintf(line, sizeof(line), "nstop %s  host totals: not available%s", NSTOP_VERSION,
			 s && !s->live ? " (--sysroot)" : "");
	}
	attron(A_BOLD | (ui.color ? COLOR_PAIR(1) : 0));
	put(0, 0, line, strlen(line), w, false);
	attroff(A_BOLD | (ui.color ? COLOR_PAIR(1) : 0));
	if (s) {
		size_t nns = 0;
		for (size_t i = 0; i < s->nns; i++)
			nns += !s->ns[i].ghost;
		/* the cgroup trees are walked for the cgroups view only */
		char ncg[32] = "";
		if (s->what & SNAP_CGROUPS)
			snprintf(ncg, sizeof(ncg), "cgroups %zu  ", s->ncgs);
		snprintf(line, sizeof(line),
			 "procs %zu  namespaces %zu  %scontainers %zu  cgroup %s  every %.1fs%s  %s",
			 s->nprocs, nns, ncg, s->nctrs, cg_layout_name(s->layout), ui.interval,
			 col.paused ? " (paused)" : "",
			 ui.readonly ? "read-only" : ui.root ? "actions: root" : "actions: need root");
	} else {
		snprintf(line, sizeof(line), "collecting...");
	}
	put(1, 0, line, strlen(line), w, false);
	move(2, 0);
	clrtoeol();
	int x = 0;
	for (int v = 0; v < V_NVIEWS; v++) {
		snprintf(line, sizeof(line), " %d %s ", v + 1, view_names[v]);
		if (v == (int)ui.view)
			attron(A_REVERSE);
		mvaddnstr(2, x, line, w - x > 0 ? w - x : 0);
		if (v == (int)ui.view)
			attroff(A_REVERSE);
		x += (int)strlen(line) + 1;
		if (x >= w)
			break;
	}
	if (ui.depth && x < w) {
		const struct drill *d = &ui.stack[ui.depth - 1];
		buf_reset(&ui.tmp);
		buf_adds(&ui.tmp, "> ");
		str_escape(&ui.tmp, d->label, strlen(d->label), ESC_TEXT);
		put(2, x, ui.tmp.p, ui.tmp.len, w - x, false);
	}
}

/* A sparkline of the samples, oldest first, scaled to their maximum. */
static void sparkline(struct buf *b, const double *v, int n, int pos, int width)
{
	static const char *const u8[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					 "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = "_.-:=+*#";
	double max = 0;
	for (int i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > max)
			max = v[i];
	int start = n < HIST_LEN ? 0 : pos;
	int skip = n > width ? n - width : 0;
	for (int i = skip; i < n; i++) {
		double x = v[(start + i) % HIST_LEN];
		if (isnan(x)) {
			buf_addc(b, ' ');
			continue;
		}
		int lv = max > 0 ? (int)(x / max * 7.0 + 0.5) : 0;
		if (lv < 0)
			lv = 0;
		if (lv > 7)
			lv = 7;
		if (ui.utf8)
			buf_adds(b, u8[lv]);
		else
			buf_addc(b, ascii[lv]);
	}
}

static void draw_detail(int y0, int h, int w)
{
	const struct snap *s = ui.shown;
	struct viewstate *vs = &ui.vs[ui.view];
	for (int y = y0; y < y0 + h; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (!ui.nrows || h < 2)
		return;
	const void *row = ui.rows[vs->sel];
	const struct cgroup *g = NULL;
	const struct proc *p = NULL;
	if (ui.view == V_CONTAINERS) {
		const struct container *k = row;
		g = k->cgroup ? snap_cgroup(s, k->cgroup) : NULL;
		p = snap_proc(s, k->init_pid);
	} else if (ui.view == V_CGROUPS) {
		g = row;
	} else if (ui.view == V_PROCS) {
		p = row;
	} else {
		p = snap_proc(s, ((const struct nsinfo *)row)->pid);
	}
	attron(A_BOLD);
	mvhline(y0, 0, ui.utf8 ? ACS_HLINE : '-', w);
	mvaddstr(y0, 1, " detail ");
	attroff(A_BOLD);
	int y = y0 + 1;
	char a[32], b[32], c[32], d[32];
	if (g && y < y0 + h) {
		buf_reset(&ui.tmp);
		buf_adds(&ui.tmp, "cgroup ");
		str_escape(&ui.tmp, g->path, strlen(g->path), ESC_TEXT);
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (g && y < y0 + h) {
		str_fmt_size(a, sizeof(a), g->mem_current);
		str_fmt_size(b, sizeof(b), g->mem_max);
		str_fmt_size(c, sizeof(c), g->mem_high);
		str_fmt_size(d, sizeof(d), g->swap_current);
		buf_reset(&ui.tmp);
		buf_printf(&ui.tmp, "memory %s  max %s  high %s  swap %s  oom kills ", a, b, c, d);
		if (g->oom_kills == VAL_NA)
			buf_adds(&ui.tmp, "-");
		else
			buf_printf(&ui.tmp, "%llu", (unsigned long long)g->oom_kills);
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (g && y < y0 + h) {
		buf_reset(&ui.tmp);
		fmt_pct(a, sizeof(a), g->cpu_percent);
		buf_printf(&ui.tmp, "cpu %s  ", a);
		if (g->cpu_quota_usec == VAL_UNLIMITED)
			buf_printf(&ui.tmp, "limit max/%llu", (unsigned long long)g->cpu_period_usec);
		else if (g->cpu_quota_usec != VAL_NA)
			buf_printf(&ui.tmp, "limit %llu/%llu us", (unsigned long long)g->cpu_quota_usec,
				   (unsigned long long)g->cpu_period_usec);
		else
			buf_adds(&ui.tmp, "limit -");
		if (g->nr_throttled != VAL_NA)
			buf_printf(&ui.tmp, "  throttled %llu of %llu periods",
				   (unsigned long long)g->nr_throttled, (unsigned long long)g->nr_periods);
		buf_adds(&ui.tmp, "  pids ");
		if (g->pids_current != VAL_NA)
			buf_printf(&ui.tmp, "%llu", (unsigned long long)g->pids_current);
		else
			buf_adds(&ui.tmp, "-");
		if (g->pids_max == VAL_UNLIMITED)
			buf_adds(&ui.tmp, "/max");
		else if (g->pids_max != VAL_NA)
			buf_printf(&ui.tmp, "/%llu", (unsigned long long)g->pids_max);
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	const struct hist *hs = g ? hist_get("cg", g->path, false) : NULL;
	if (hs && hs->n && y < y0 + h) {
		buf_reset(&ui.tmp);
		buf_adds(&ui.tmp, "cpu ");
		sparkline(&ui.tmp, hs->cpu, hs->n, hs->pos, (w - 16) / 2);
		buf_adds(&ui.tmp, "  mem ");
		sparkline(&ui.tmp, hs->mem, hs->n, hs->pos, (w - 16) / 2);
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (p && p->ns[NS_NET] && y < y0 + h) {
		buf_reset(&ui.tmp);
		size_t shown = 0;
		for (size_t k = 0; k < s->nifs; k++) {
			const struct netif *f = &s->ifs[k];
			if (f->netns != p->ns[NS_NET])
				continue;
			str_fmt_size(a, sizeof(a), f->rx_bytes);
			str_fmt_size(b, sizeof(b), f->tx_bytes);
			buf_adds(&ui.tmp, shown ? "  " : "net ");
			str_escape(&ui.tmp, f->name, strlen(f->name), ESC_TEXT);
			buf_printf(&ui.tmp, "%s %s rx %s tx %s", f->up ? "" : " (down)",
				   *f->addrs ? f->addrs : "-", a, b);
			shown++;
		}
		if (shown)
			put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (p && y < y0 + h) {
		buf_reset(&ui.tmp);
		buf_printf(&ui.tmp, "pid %d  ", (int)p->pid);
		for (int t = 0; t < NS_NTYPES; t++)
			buf_printf(&ui.tmp, "%s:%llu%s ", ns_type_name((enum ns_type)t),
				   (unsigned long long)p->ns[t],
				   p->ns[t] && p->ns[t] != s->host_ns[t] ? "*" : "");
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (p && y < y0 + h) {
		buf_reset(&ui.tmp);
		buf_adds(&ui.tmp, "cmd ");
		if (p->cmdline_len) {
			size_t n = p->cmdline_len;
			struct buf raw = {0};
			buf_add(&raw, p->cmdline, n);
			for (size_t i = 0; i < n; i++)
				if (!raw.p[i])
					raw.p[i] = ' ';
			str_escape(&ui.tmp, raw.p, n, ESC_TEXT);
			buf_free(&raw);
		} else {
			str_escape(&ui.tmp, p->comm, strlen(p->comm), ESC_TEXT);
		}
		put(y++, 1, ui.tmp.p, ui.tmp.len, w - 2, false);
	}
	if (y < y0 + h && !g && !p)
		mvaddstr(y, 1, "-");
}

static void draw_table(int y0, int h, int w)
{
	enum view v = ui.view;
	struct viewstate *vs = &ui.vs[v];
	size_t nc = view_ncols(v);
	const struct column *cols[ARRAY_LEN(view_cols[0])];
	int width[ARRAY_LEN(view_cols[0])];
	for (size_t k = 0; k < nc; k++) {
		cols[k] = col_by_name(v, view_cols[v][k]);
		width[k] = (int)strlen(cols[k]->name);
	}
	if (vs->sel < vs->top)
		vs->top = vs->sel;
	if (h > 1 && vs->sel >= vs->top + (size_t)(h - 1))
		vs->top = vs->sel - (size_t)(h - 2);
	/* widths from the visible rows; the last column takes what is left */
	for (size_t i = vs->top; i < ui.nrows && i < vs->top + (size_t)(h - 1); i++) {
		for (size_t k = 0; k + 1 < nc; k++) {
			get_cell(cols[k], ui.shown, ui.rows[i], &ui.cell);
			buf_reset(&ui.tmp);
			cell_text(&ui.tmp, &ui.cell);
			int cw = (int)str_width(ui.tmp.p, ui.tmp.len);
			if (v == V_CGROUPS && k == 0)
				cw += 2 * ((const struct cgroup *)ui.rows[i])->depth + 2;
			if (v == V_NS && ui.nstree && k == 0 && i < ui.tree.n)
				cw += (int)str_width(ui.tree.art[i], strlen(ui.tree.art[i]));
			if (cw > width[k])
				width[k] = cw > 48 ? 48 : cw;
		}
	}
	int x = 0;
	attron(A_BOLD | A_UNDERLINE);
	move(y0, 0);
	clrtoeol();
	for (size_t k = 0; k < nc && x < w; k++) {
		char head[48];
		bool sorted = vs->sort >= 0 && cols[k] == &view_table(v)->cols[vs->sort];
		snprintf(head, sizeof(head), "%s%s", cols[k]->name,
			 sorted ? (vs->reverse ? (ui.utf8 ? "▼" : "v") : (ui.utf8 ? "▲" : "^")) : "");
		int cw = k + 1 == nc ? w - x : width[k];
		if (cw > w - x)
			cw = w - x;
		bool tcol = (v == V_NS && ui.nstree && k == 0) || (v == V_PROCS && ui.ptree && k + 1 == nc);
		put(y0, x, head, strlen(head), cw, cols[k]->right && k + 1 < nc && !tcol);
		x += cw + 1;
	}
	attroff(A_BOLD | A_UNDERLINE);
	for (int r = 1; r < h; r++) {
		size_t i = vs->top + (size_t)(r - 1);
		move(y0 + r, 0);
		clrtoeol();
		if (i >= ui.nrows)
			continue;
		bool sel = i == vs->sel;
		if (sel)
			attron(A_REVERSE);
		/* frozen containers and cgroups stand out (blue), when colors are on */
		bool frozen = false;
		if (ui.color && v == V_CONTAINERS) {
			const struct container *kc = ui.rows[i];
			const struct cgroup *g = kc->cgroup ? snap_cgroup(ui.shown, kc->cgroup) : NULL;
			frozen = g && g->frozen == 1;
		} else if (ui.color && v == V_CGROUPS) {
			frozen = ((const struct cgroup *)ui.rows[i])->frozen == 1;
		}
		if (frozen)
			attron(COLOR_PAIR(2));
		x = 0;
		for (size_t k = 0; k < nc && x < w; k++) {
			get_cell(cols[k], ui.shown, ui.rows[i], &ui.cell);
			buf_reset(&ui.tmp);
			bool treecol = (v == V_PROCS && ui.ptree && k + 1 == nc) ||
				       (v == V_NS && ui.nstree && k == 0);
			if (treecol && i < ui.tree.n) {
				const char *art = ui.tree.art[i];
				if (!ui.utf8) {
					/* ASCII fallback of the tree drawing */
					for (const char *q = art; *q;) {
						if (!strncmp(q, "├─", 6) || !strncmp(q, "└─", 6)) {
							buf_adds(&ui.tmp, q[2] == '\x9c' ? "|-" : "`-");
							q += 6;
						} else if (!strncmp(q, "│", 3)) {
							buf_addc(&ui.tmp, '|');
							q += 3;
						} else {
							buf_addc(&ui.tmp, *q++);
						}
					}
				} else {
					buf_adds(&ui.tmp, art);
				}
				cell_text(&ui.tmp, &ui.cell);
			} else if (v == V_CGROUPS && k == 0 && vs->sort < 0) {
				/* the cgroup tree: indentation and the last component */
				const struct cgroup *g = ui.rows[i];
				for (int d = 0; d < g->depth; d++)
					buf_adds(&ui.tmp, "  ");
				if (hmap_get(&ui.collapsed, hash_bytes(g->path, strlen(g->path)), NULL))
					buf_adds(&ui.tmp, "+ ");
				const char *last = strrchr(g->path, '/');
				const char *name = last && last[1] ? last + 1 : g->path;
				/* systemd's \x2d and friends, decoded for reading, then
				 * escaped like everything else */
				char *dec = str_unescape_systemd(name);
				str_escape(&ui.tmp, dec, strlen(dec), ESC_TEXT);
				free(dec);
			} else {
				cell_text(&ui.tmp, &ui.cell);
			}
			int cw = k + 1 == nc ? w - x : width[k];
			if (cw > w - x)
				cw = w - x;
			put(y0 + r, x, ui.tmp.p, ui.tmp.len, cw,
			    cols[k]->right && k + 1 < nc && !treecol);
			x += cw + 1;
			if (x - 1 < w && k + 1 < nc)
				mvaddch(y0 + r, x - 1, ' ');
		}
		if (frozen)
			attroff(COLOR_PAIR(2));
		if (sel)
			attroff(A_REVERSE);
	}
	/* no cgroup filesystem, or none readable: say why instead of an empty table */
	if (v == V_CGROUPS && !ui.nrows && ui.shown && ui.shown->cg_err.msg[0] && h > 2) {
		char msg[300];
		snprintf(msg, sizeof(msg), "no cgroups: %s", ui.shown->cg_err.msg);
		struct buf b = {0};
		str_escape(&b, msg, strlen(msg), ESC_TEXT);
		put(y0 + 2, 1, b.p, b.len, w - 2, false);
		buf_free(&b);
	}
}

static void draw(void);

bool ui_interrupted(void)
{
	return got_signal != 0;
}

void ui_redraw(void)
{
	draw();
}

static void draw(void)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	erase();
	if (h < 10 || w < 40) {
		const char *m = "terminal too small (40x10 at least)";
		mvaddnstr(h / 2, 0, m, w);
		refresh();
		return;
	}
	build_rows();
	draw_header(w);
	int detail = h >= 24 ? 9 : 0;
	int th = h - 4 - detail;
	draw_table(3, th, w);
	if (detail)
		draw_detail(3 + th, detail, w);
	struct viewstate *vs = &ui.vs[ui.view];
	char line[512];
	if (ui.status[0])
		snprintf(line, sizeof(line), "%s", ui.status);
	else if (ui.shown && !covered())
		snprintf(line, sizeof(line), "collecting...");
	else
		snprintf(line, sizeof(line), "%zu rows%s%s%s  ?:help  q:quit", ui.nrows,
			 vs->filter[0] ? "  filter: " : "", vs->filter, vs->filter[0] ? "" : "");
	buf_reset(&ui.tmp);
	str_escape(&ui.tmp, line, strlen(line), ESC_TEXT);
	attron(A_REVERSE);
	put(h - 1, 0, ui.tmp.p, ui.tmp.len, w, false);
	attroff(A_REVERSE);
	refresh();
}

/* ---- dialogs ---- */

/* Reads a line at the bottom; returns false on Esc. Only printable ASCII. */
static bool prompt(const char *label, char *out, size_t n)
{
	draw();
	int h, w;
	size_t len = strlen(out);
	timeout(-1);
	for (;;) {
		getmaxyx(stdscr, h, w);
		move(h - 1, 0);
		clrtoeol();
		attron(A_BOLD);
		mvaddnstr(h - 1, 0, label, w);
		attroff(A_BOLD);
		addnstr(out, w - (int)strlen(label) - 1 > 0 ? w - (int)strlen(label) - 1 : 0);
		refresh();
		int ch = getch();
		if (ch == 27) {
			timeout(0);
			return false;
		}
		if (ch == '\n' || ch == KEY_ENTER) {
			timeout(0);
			return true;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len)
			out[--len] = '\0';
		else if (ch >= 0x20 && ch < 0x7f && len + 1 < n) {
			out[len++] = (char)ch;
			out[len] = '\0';
		}
		if (got_signal) {
			timeout(0);
			return false;
		}
	}
}

static void draw(void);

static void sort_menu(void)
{
	draw();
	enum view v = ui.view;
	const struct table *t = view_table(v);
	size_t nc = view_ncols(v);
	size_t sel = 0;
	timeout(-1);
	for (size_t k = 0; k < nc; k++)
		if (ui.vs[v].sort >= 0 && col_by_name(v, view_cols[v][k]) == &t->cols[ui.vs[v].sort])
			sel = k;
	for (;;) {
		int h, w;
		getmaxyx(stdscr, h, w);
		int bw = 24, bh = (int)nc + 2;
		if (bh > h - 2)
			bh = h - 2;
		int y0 = 3, x0 = w - bw - 1 > 0 ? w - bw - 1 : 0;
		for (int y = 0; y < bh; y++) {
			move(y0 + y, x0);
			for (int x = 0; x < bw && x0 + x < w; x++)
				addch(' ');
		}
		attron(A_BOLD);
		mvaddnstr(y0, x0 + 1, "Sort by", bw - 2);
		attroff(A_BOLD);
		for (size_t k = 0; k < nc && (int)k + 1 < bh - 1; k++) {
			if (k == sel)
				attron(A_REVERSE);
			mvaddnstr(y0 + 1 + (int)k, x0 + 1, view_cols[v][k], bw - 2);
			if (k == sel)
				attroff(A_REVERSE);
		}
		refresh();
		int ch = getch();
		if (ch == KEY_UP && sel > 0)
			sel--;
		else if (ch == KEY_DOWN && sel + 1 < nc)
			sel++;
		else if (ch == 27 || ch == 'q' || got_signal) {
			timeout(0);
			return;
		}
		else if (ch == '\n' || ch == KEY_ENTER || ch == 's') {
			int idx = (int)(col_by_name(v, view_cols[v][sel]) - t->cols);
			if (ui.vs[v].sort == idx) {
				ui.vs[v].reverse = !ui.vs[v].reverse;
			} else {
				ui.vs[v].sort = idx;
				/* numbers sort biggest first, text A to Z */
				ui.vs[v].reverse = t->cols[idx].right;
			}
			timeout(0);
			return;
		}
	}
}

static void help_screen(void)
{
	timeout(-1);
	erase();
	int h, w;
	getmaxyx(stdscr, h, w);
	attron(A_BOLD);
	mvaddnstr(0, 0, "nstop keys (any key returns)", w);
	attroff(A_BOLD);
	int col2 = w / 2;
	for (size_t i = 0; i < ui_nkeys; i++) {
		int row = 2 + (int)(i % (size_t)(h - 3));
		int x = i < (size_t)(h - 3) ? 0 : col2;
		char line[160];
		snprintf(line, sizeof(line), "%-10s %s", ui_keys[i].name, ui_keys[i].help);
		mvaddnstr(row, x, line, x ? w - x : col2 - 1);
	}
	refresh();
	getch();
	timeout(0);
}

/* ---- input ---- */

static void move_sel(long delta)
{
	struct viewstate *vs = &ui.vs[ui.view];
	long n = (long)ui.nrows;
	long s = (long)vs->sel + delta;
	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	vs->sel = (size_t)s;
}

static void drill_down(void)
{
	struct viewstate *vs = &ui.vs[ui.view];
	if (!ui.nrows || ui.depth >= (int)ARRAY_LEN(ui.stack))
		return;
	const void *row = ui.rows[vs->sel];
	struct drill d = {.view = ui.view};
	enum view to = V_PROCS;
	if (ui.view == V_CONTAINERS) {
		const struct container *k = row;
		d.kind = 1;
		snprintf(d.key, sizeof(d.key), "%s", k->id);
		snprintf(d.label, sizeof(d.label), "container %.64s", k->id);
	} else if (ui.view == V_NS) {
		const struct nsinfo *n = row;
		d.kind = 2;
		snprintf(d.key, sizeof(d.key), "%llu", (unsigned long long)n->ino);
		snprintf(d.label, sizeof(d.label), "%s namespace %llu", ns_type_name(n->type),
			 (unsigned long long)n->ino);
	} else if (ui.view == V_CGROUPS) {
		const struct cgroup *g = row;
		d.kind = 3;
		snprintf(d.key, sizeof(d.key), "%s", g->path);
		snprintf(d.label, sizeof(d.label), "cgroup %.140s", g->path);
		to = V_CGROUPS;
	} else {
		return;
	}
	ui.stack[ui.depth++] = d;
	ui.view = to;
	ui.vs[to].sel = ui.vs[to].top = 0;
}

static void go_back(void)
{
	if (ui.vs[ui.view].filter[0]) {
		ui.vs[ui.view].filter[0] = '\0';
		return;
	}
	if (!ui.depth)
		return;
	ui.view = ui.stack[--ui.depth].view;
}

/* What an action key acts on: the selected row, as the resolver takes it. */
static void selection(int key, struct ui_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (!ui.nrows)
		return;
	const void *row = ui.rows[ui.vs[ui.view].sel];
	struct buf b = {0};
	if (ui.view == V_CONTAINERS) {
		const struct container *k = row;
		const char *nm = k->name ? k->name : k->id;
		str_escape(&b, nm, strlen(nm), ESC_TEXT);
		if (k->rt == RT_UNNAMED) {
			snprintf(sel->label, sizeof(sel->label), "%s", buf_str(&b));
		} else {
			sel->kind = SEL_CONTAINER;
			snprintf(sel->word, sizeof(sel->word), "%s", k->id);
			if (k->registered && k->name)
				snprintf(sel->name, sizeof(sel->name), "%s", k->name);
			snprintf(sel->label, sizeof(sel->label), "container %.180s", buf_str(&b));
		}
	} else if (ui.view == V_CGROUPS) {
		const struct cgroup *g = row;
		sel->kind = SEL_CGROUP;
		snprintf(sel->word, sizeof(sel->word), "%s", g->path);
		str_escape(&b, g->path, strlen(g->path), ESC_TEXT);
		snprintf(sel->label, sizeof(sel->label), "cgroup %.180s", buf_str(&b));
	} else if (ui.view == V_PROCS) {
		const struct proc *p = row;
		sel->kind = key == 'k' ? SEL_PROC : SEL_CGROUP;
		sel->pid = p->pid;
		sel->start = p->start_ticks;
		snprintf(sel->word, sizeof(sel->word), "%d", (int)p->pid);
		str_escape(&b, p->comm, strlen(p->comm), ESC_TEXT);
		snprintf(sel->label, sizeof(sel->label), "%spid %d (%.150s)",
			 key == 'k' ? "" : "the container of ", (int)p->pid, buf_str(&b));
	}
	buf_free(&b);
}

static void action_key(int ch)
{
	const char *what = NULL;
	for (size_t i = 0; i < ui_nkeys; i++)
		if (ui_keys[i].key == ch)
			what = ui_keys[i].help;
	/* a shell in a frozen container would hang until it is thawed */
	if (ch == 'e' && ui.view == V_CONTAINERS && ui.nrows) {
		const struct container *k = ui.rows[ui.vs[ui.view].sel];
		const struct cgroup *g = k->cgroup ? snap_cgroup(ui.shown, k->cgroup) : NULL;
		if (g && g->frozen == 1) {
			snprintf(ui.status, sizeof(ui.status),
				 "e: the container is frozen: a shell in it would hang; thaw it first (f)");
			return;
		}
	}
	if (ui.readonly) {
		snprintf(ui.status, sizeof(ui.status), "%c: read-only mode (-r): actions are disabled", ch);
	} else if (!ui.live) {
		snprintf(ui.status, sizeof(ui.status), "%c: actions work on the live system, not a --sysroot", ch);
	} else if (!ui.root) {
		snprintf(ui.status, sizeof(ui.status), "%c: %s: actions need root", ch, what);
	} else if (strchr("tfkucde", ch)) {
		struct ui_sel sel;
		selection(ch, &sel);
		ui_act(ch, &sel, ui.audit_log, ui.status, sizeof(ui.status));
		/* show the new values now rather than at the next tick */
		pthread_mutex_lock(&col.lock);
		pthread_cond_signal(&col.cond);
		pthread_mutex_unlock(&col.lock);
	} else {
		snprintf(ui.status, sizeof(ui.status), "%c: %s", ch, what);
	}
}

static void take_snapshot(void)
{
	pthread_mutex_lock(&col.lock);
	struct snap *s = col.latest;
	col.latest = NULL;
	if (s && col.paused && covered()) {
		/* paused: what is on screen stays (unless the view needs more) */
		unref_locked(s);
		s = NULL;
	}
	if (s) {
		unref_locked(ui.shown);
		ui.shown = s;
	}
	pthread_mutex_unlock(&col.lock);
	if (s)
		hist_record(s);
}

static void save_config(void);

static bool handle_key(int ch)
{
	struct viewstate *vs = &ui.vs[ui.view];
	int h, w;
	getmaxyx(stdscr, h, w);
	(void)w;
	long page = h - 12 > 1 ? h - 12 : 1;
	ui.status[0] = '\0';
	/* keys typed ahead act on the rows as the keys before them left them */
	build_rows();
	switch (ch) {
	case 'q':
		return false;
	case 'w':
		save_config();
		break;
	case '1': case '2': case '3': case '4':
		ui.view = (enum view)(ch - '1');
		ui.depth = 0;
		break;
	case '\t':
		ui.view = (enum view)((ui.view + 1) % V_NVIEWS);
		ui.depth = 0;
		break;
	case KEY_UP: move_sel(-1); break;
	case KEY_DOWN: move_sel(1); break;
	case KEY_PPAGE: move_sel(-page); break;
	case KEY_NPAGE: move_sel(page); break;
	case KEY_HOME: vs->sel = 0; break;
	case KEY_END: move_sel((long)ui.nrows); break;
	case '\n': case KEY_ENTER: drill_down(); break;
	case 27: case KEY_BACKSPACE: case 127: go_back(); break;
	case '/': {
		char f[sizeof(vs->filter)];
		snprintf(f, sizeof(f), "%s", vs->filter);
		if (prompt("filter: ", f, sizeof(f)))
			snprintf(vs->filter, sizeof(vs->filter), "%s", f);
		vs->sel = vs->top = 0;
		break;
	}
	case 's': sort_menu(); break;
	case 'p':
		pthread_mutex_lock(&col.lock);
		col.paused = !col.paused;
		pthread_cond_signal(&col.cond);
		pthread_mutex_unlock(&col.lock);
		snprintf(ui.status, sizeof(ui.status), col.paused ? "paused (p resumes)" : "resumed");
		break;
	case '+': case '-': {
		double iv = ui.interval;
		iv = ch == '+' ? (iv < 1 ? iv + 0.5 : iv + 1) : (iv <= 1 ? iv - 0.5 : iv - 1);
		if (iv < 0.5)
			iv = 0.5;
		if (iv > 60)
			iv = 60;
		ui.interval = iv;
		pthread_mutex_lock(&col.lock);
		col.interval = iv;
		pthread_cond_signal(&col.cond);
		pthread_mutex_unlock(&col.lock);
		snprintf(ui.status, sizeof(ui.status), "refresh every %.1f s", iv);
		break;
	}
	case '?': help_screen(); break;
	case 'c': case 'e': case 't': case 'f': case 'k': case 'd': case 'u':
		action_key(ch);
		break;
	case KEY_MOUSE: {
		MEVENT me;
		if (getmouse(&me) != OK)
			break;
		if (me.bstate & BUTTON4_PRESSED)
			move_sel(-3);
#ifdef BUTTON5_PRESSED
		else if (me.bstate & BUTTON5_PRESSED)
			move_sel(3);
#endif
		else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
			long row = (long)vs->top + me.y - 4;
			if (me.y >= 4 && row >= 0 && row < (long)ui.nrows)
				vs->sel = (size_t)row;
		}
		break;
	}
	case 'T':
		if (ui.view == V_PROCS) {
			ui.ptree = !ui.ptree;
			snprintf(ui.status, sizeof(ui.status), ui.ptree ? "process tree" : "sorted list");
		} else if (ui.view == V_NS) {
			ui.nstree = !ui.nstree;
			snprintf(ui.status, sizeof(ui.status),
				 ui.nstree ? "tree by owning user namespace" : "list");
		} else {
			snprintf(ui.status, sizeof(ui.status),
				 "T: trees are in the namespaces (2) and processes (4) views");
		}
		break;
	case KEY_LEFT: case KEY_RIGHT:
		if (ui.view == V_CGROUPS && ui.nrows && vs->sort < 0) {
			const struct cgroup *g = ui.rows[vs->sel];
			uint64_t ph = hash_bytes(g->path, strlen(g->path));
			if (ch == KEY_LEFT && strcmp(g->path, "/"))
				hmap_put(&ui.collapsed, ph, 1);
			else if (ch == KEY_RIGHT && hmap_get(&ui.collapsed, ph, NULL)) {
				/* hmap has no delete: rebuild it without this path */
				struct hmap keep = {0};
				for (size_t k = 0; k < ui.collapsed.cap; k++)
					if (ui.collapsed.keys[k] && ui.collapsed.keys[k] != ph)
						hmap_put(&keep, ui.collapsed.keys[k], 1);
				hmap_free(&ui.collapsed);
				ui.collapsed = keep;
			}
		}
		break;
	case KEY_RESIZE:
		break;
	default:
		break;
	}
	return true;
}

/*
 * The config file's settings, where the command line did not say otherwise
 * (it was checked when read: names here are known columns).
 */
static void apply_config(const struct uiopts *o)
{
	const struct config *c = config_get();
	int v = c->view[0] ? config_view_index(c->view) : -1;
	if (v >= 0)
		ui.view = (enum view)v;
	if (c->interval > 0 && !o->interval_set)
		col.interval = ui.interval = c->interval;
	for (v = 0; v < V_NVIEWS; v++) {
		const struct table *t = view_table((enum view)v);
		if (c->cols[v]) {
			size_t n = 0;
			for (const char *p = c->cols[v]; *p && n + 1 < ARRAY_LEN(view_cols[v]);) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				const struct column *col_ = table_find(t, p, len);
				if (col_)
					view_cols[v][n++] = col_->name;
				p += len + (e ? 1 : 0);
			}
			view_cols[v][n] = NULL;
		}
		if (c->sort[v]) {
			const struct column *col_ = table_find(t, c->sort[v], strlen(c->sort[v]));
			if (col_) {
				ui.vs[v].sort = (int)(col_ - t->cols);
				ui.vs[v].reverse = c->sort_reverse[v];
			}
		}
	}
}

/* w: what is on screen becomes the config file's settings. */
static void save_config(void)
{
	struct config c = *config_get();
	snprintf(c.view, sizeof(c.view), "%s", config_view_name(ui.view));
	c.interval = ui.interval;
	c.color = ui.color ? 1 : 0;
	struct buf lists[V_NVIEWS] = {{0}};
	for (int v = 0; v < V_NVIEWS; v++) {
		const struct table *t = view_table((enum view)v);
		for (size_t k = 0; k < view_ncols((enum view)v); k++) {
			if (k)
				buf_addc(&lists[v], ',');
			buf_adds(&lists[v], view_cols[v][k]);
		}
		c.cols[v] = lists[v].p;
		c.sort[v] = ui.vs[v].sort >= 0 ? (char *)t->cols[ui.vs[v].sort].name : NULL;
		c.sort_reverse[v] = ui.vs[v].reverse;
	}
	char path[512];
	struct nerr e = {0};
	if (config_save(&c, path, sizeof(path), &e) < 0)
		snprintf(ui.status, sizeof(ui.status), "w: %.200s", e.msg);
	else
		snprintf(ui.status, sizeof(ui.status), "settings saved to %.200s", path);
	for (int v = 0; v < V_NVIEWS; v++)
		buf_free(&lists[v]);
}

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * --bench-refresh K: the dashboard's refresh path without a terminal: K
 * snapshots, each against the one before (as the collector takes them), and
 * the view's rows built from it (filtered and sorted as on screen). Prints
 * the CPU of each refresh and their median, and the peak RSS.
 */
int ui_bench(const struct uiopts *o, int k, const char *view)
{
	struct nerr e = {0};
	if (sysroot_open(&col.sr, o->sysroot, &e) < 0) {
		warnmsg("--sysroot: %s", e.msg);
		return 2;
	}
	int v = config_view_index(view);
	if (v < 0) {
		warnmsg("--bench-view: containers, namespaces, cgroups or processes");
		return 2;
	}
	ui.view = (enum view)v;
	for (int i = 0; i < V_NVIEWS; i++)
		ui.vs[i].sort = -1;
	ui.vs[V_CONTAINERS].sort = (int)(col_by_name(V_CONTAINERS, "CPU%") - table_containers.cols);
	ui.vs[V_PROCS].sort = (int)(col_by_name(V_PROCS, "CPU%") - table_ps.cols);
	col.users = users_new(&col.sr);
	double *t = xcalloc((size_t)k, sizeof(*t));
	struct collector *coll = collector_new(&col.sr, col.users, true);
	unsigned what = view_what(v);
	struct snap *prev = collector_take(coll, what, NULL); /* warm-up */
	for (int i = 0; i < k; i++) {
		double c0 = cpu_now();
		struct snap *s = collector_take(coll, what, prev);
		ui.shown = s;
		build_rows();
		t[i] = (cpu_now() - c0) * 1000.0;
		snap_free(prev);
		prev = s;
	}
	ui.shown = NULL;
	snap_free(prev);
	const struct collector_stats *cs = collector_stats(coll);
	fprintf(stderr, "collector: %llu full walks, %llu from events, %llu new, %llu stat reads, "
		"%llu namespace reads, %llu re-verified, %llu pool rotations\n",
		(unsigned long long)cs->full_walks, (unsigned long long)cs->event_refreshes,
		(unsigned long long)cs->new_procs, (unsigned long long)cs->stat_reads,
		(unsigned long long)cs->ns_reads, (unsigned long long)cs->verified,
		(unsigned long long)cs->pool_rotations);
	collector_free(coll);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("view %s refreshes %d cpu_ms", view, k);
	for (int i = 0; i < k; i++)
		printf(" %.2f", t[i]);
	qsort(t, (size_t)k, sizeof(*t), cmp_dbl);
	printf("\nmedian_cpu_ms %.2f max_rss_kib %ld rows %zu\n", t[k / 2], ru.ru_maxrss, ui.nrows);
	free(t);
	free(ui.rows);
	users_free(col.users);
	sysroot_close(&col.sr);
	return 0;
}

int ui_run(const struct uiopts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warnmsg("the dashboard needs a terminal; for scripts use a command (see nstop --help)");
		return 2;
	}
	struct nerr e = {0};
	if (sysroot_open(&col.sr, o->sysroot, &e) < 0) {
		struct buf b = {0};
		str_escape(&b, e.msg, strlen(e.msg), ESC_TEXT);
		usage_error("--sysroot: %s", buf_str(&b));
	}
	col.users = users_new(&col.sr);
	col.interval = ui.interval = o->interval;
	ui.readonly = o->readonly;
	ui.audit_log = o->audit_log;
	ui.live = col.sr.live;
	ui.root = geteuid() == 0;
	ui.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	for (int v = 0; v < V_NVIEWS; v++)
		ui.vs[v].sort = -1;
	/* default sorts: containers and processes by CPU, busiest first */
	ui.vs[V_CONTAINERS].sort = (int)(col_by_name(V_CONTAINERS, "CPU%") - table_containers.cols);
	ui.vs[V_CONTAINERS].reverse = true;
	ui.vs[V_PROCS].sort = (int)(col_by_name(V_PROCS, "CPU%") - table_ps.cols);
	ui.vs[V_PROCS].reverse = true;
	apply_config(o);
	if (pipe2(col.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));

	/* a terminal nstop cannot drive: say so instead of drawing garbage */
	const char *term = getenv("TERM");
	int err = 0;
	if (!term || !*term || !strcmp(term, "dumb") || setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		warnmsg("the dashboard needs a capable terminal (TERM=%s)", term && *term ? "unknown or dumb" : "unset");
		return 2;
	}
	/* that was only a check: initscr sets the terminal up for itself */
	del_curterm(cur_term);
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fatal_hook = restore_terminal;
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  , NULL);
	ui.color = has_colors() && !o->nocolor && !getenv("NO_COLOR") && config_get()->color != 0;
	if (ui.color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_BLUE, -1);
	}
	timeout(0);

	pthread_t th;
	col.what = view_what(ui.view);
	col.coll = collector_new(&col.sr, col.users, true);
	if (pthread_create(&th, NULL, collector_main, NULL) != 0) {
		restore_terminal();
		fatal("cannot start the collector thread");
	}
	draw();
	bool run = true;
	while (run && !got_signal) {
		struct pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {col.wake[0], POLLIN, 0}};
		/* while a view waits for its data, only the collector wakes us */
		bool keys = covered() || !ui.shown;
		int r = poll(keys ? pf : pf + 1, keys ? 2 : 1, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN) {
			char tmp[64];
			while (read(col.wake[0], tmp, sizeof(tmp)) > 0)
				;
			take_snapshot();
		}
		if (pf[0].revents & (POLLHUP | POLLERR))
			break;
		int ch;
		/* keys after a view switch wait (in the terminal) for its data */
		while (run && (covered() || !ui.shown) && (ch = getch()) != ERR)
			run = handle_key(ch);
		/* another view may need other data: collect it now */
		pthread_mutex_lock(&col.lock);
		if (col.what != view_what(ui.view)) {
			col.what = view_what(ui.view);
			pthread_cond_signal(&col.cond);
		}
		pthread_mutex_unlock(&col.lock);
		draw();
	}
	restore_terminal();
	pthread_mutex_lock(&col.lock);
	col.quit = true;
	pthread_cond_signal(&col.cond);
	pthread_mutex_unlock(&col.lock);
	pthread_join(th, NULL);
	pthread_mutex_lock(&col.lock);
	unref_locked(col.latest);
	unref_locked(ui.shown);
	pthread_mutex_unlock(&col.lock);
	collector_free(col.coll);
	free(ui.rows);
	buf_free(&ui.tmp);
	buf_free(&ui.cell.tmp);
	buf_free(&sort_a.tmp);
	buf_free(&sort_b.tmp);
	users_free(col.users);
	sysroot_close(&col.sr);
	free(hist.h);
	hmap_free(&hist.idx);
	hmap_free(&ui.collapsed);
	tree_free(&ui.tree);
	free(ui.trows);
	return 0;
}
