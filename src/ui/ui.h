/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dashboard's internal interface: its state, the view table, the snapshot source. */
#ifndef NSTOP_UI_H
#define NSTOP_UI_H

#include "../collect/collect.h"
#include "../act/act.h"
#include "../output.h"
#include "dashboard.h"

/*
 * Who calls whom inside src/ui/ (calls go down, never back; checked with nm):
 *   ui.c (loop, layout, key table) -> act.c, table.c, detail.c, rows.c, source.c, logpane.c
 *   logpane.c -> dialog.c, draw.c
 *   act.c -> dialog.c -> draw.c;  table.c, bench.c -> rows.c -> view-*.c
 *   table.c, detail.c -> draw.c;  source.c: only the collector below src/ui/.
 *   ui.c -> evpane.c -> travel.c -> replay.c;  ui.c -> view-containers.c (x)
 * draw.c is the bottom: safe text, the signal flag, the redraw hook.
 */

/* ---- draw.c: safe text on the screen, the signal flag, the redraw hook ---- */
void put(int y, int x, const char *s, size_t len, int w, bool right);
void fmt_pct(char *o, size_t n, double v);
void ui_set_utf8(bool on);
void draw_line_piece(int y, int x, int w, char piece);
bool ui_interrupted(void);
void ui_signals(void);
void ui_restore_terminal(void);
void ui_set_redraw(void (*fn)(void));
void ui_redraw(void);
int ui_readkey(void);
int ui_getch(void);

/* ---- dialog.c ---- */
struct form_field {
	const char *label;
	char val[64];
	const char *hint;       /* shown under the field while it is valid */
	bool (*check)(const char *v, char *err, size_t n);
	char err[128];
};
bool dialog_form(const char *title, const char *note, struct form_field *f, int n,
		 void (*redraw)(void));
int dialog_menu(const char *title, const char *const *items, int n, int sel, void (*redraw)(void));
bool dialog_confirm(const char *question, void (*redraw)(void));
void dialog_message(const char *title, const char *text, void (*redraw)(void));
bool dialog_prompt(const char *label, char *out, size_t n, void (*redraw)(void));

/* ---- act.c: the action keys ---- */
enum sel_kind { SEL_NONE, SEL_CONTAINER, SEL_CGROUP, SEL_PROC };
struct ui_sel {
	enum sel_kind kind;
	char word[4200];        /* what the resolver gets: an id or name, a path, a pid */
	char label[200];        /* for messages, already escaped */
	pid_t pid;              /* SEL_PROC */
	uint64_t start;         /* SEL_PROC: its start time as shown */
	char name[72];          /* SEL_CONTAINER of nstop's own: its name */
};
void ui_act(int key, const struct ui_sel *sel, const char *audit_log, char *status, size_t n);
/* a tag: the row's identity, never its name or position (ui.c's Space) */
struct ui_tag {
	struct ui_sel sel;      /* as selected for f at tag time (label, word) */
	pid_t pid;              /* a process row: pid@start */
	uint64_t start;
	uint64_t dev, ino;      /* a container or cgroup row: its cgroup directory */
};
int ui_sel_ident(const struct ui_sel *sel, uint64_t *dev, uint64_t *ino);
bool ui_tag_alive(const struct ui_tag *t, const struct snap *s);
bool ui_tag_is(const struct ui_tag *t, const struct ui_sel *row);
void ui_act_tagged(int key, struct ui_tag *tags, size_t ntags, const char *audit_log, char *status, size_t n);

/* ---- source.c: where snapshots come from ---- */
/*
 * The screen takes snapshots from a source and never knows which: the live
 * collector (a thread) now; a recording's replay or an exporter's feed plug
 * in here. Snapshots are refcounted across threads: the screen drops its
 * references through release(), never with snap_free().
 */
struct snap_source {
	bool live;              /* the running system: actions apply to what it shows */
	void (*start)(struct snap_source *src, double seconds, unsigned what);
	int (*fd)(struct snap_source *src);     /* readable when next() has one */
	struct snap *(*next)(struct snap_source *src); /* the newest, NULL: none new */
	void (*release)(struct snap_source *src, struct snap *s);
	void (*want)(struct snap_source *src, unsigned what);  /* SNAP_* the screen needs */
	void (*set_interval)(struct snap_source *src, double seconds);
	void (*pause)(struct snap_source *src, bool paused);
	void (*poke)(struct snap_source *src);  /* a fresh one now (after an action) */
	void (*close)(struct snap_source *src);
	bool replay;            /* a recording (replay.c): it moves with the time keys */
	/* the events view's (evpane.c): a copy, the caller frees *out; NULL: none */
	int (*events)(struct snap_source *src, struct event **out, size_t *n, struct nerr *e);
};
struct snap_source *source_live(const char *sysroot, struct nerr *e);

/* ---- replay.c: a recording as the source (nstop --replay PATH) ---- */
struct snap_source *source_replay(const char *path, const char *at, struct nerr *e);
int source_replay_move(struct snap_source *src, int n, int64_t want, const char *at, struct nerr *e);
int64_t source_replay_time(struct snap_source *src);

/* ---- the view table (rows.c) and one view-*.c per view ---- */
enum view { V_CONTAINERS, V_NS, V_CGROUPS, V_PROCS, V_NVIEWS };
#define VIEW_MAXCOLS 24

struct viewstate {
	int sort;               /* column index into the table, -1: none */
	bool reverse;
	bool tree;              /* shown as a tree (views that have one) */
	size_t sel, top;
	char filter[128];
	const char *cols[VIEW_MAXCOLS]; /* shown, in order, by header name; NULL-ended */
	int hoff;               /* Left/Right: 0 the columns by priority, k: from the k-th on */
	int hidden;             /* columns left out at the last draw (for the footer) */
	bool more_right;        /* Right shows more */
	bool hide_dead;         /* x: exited containers left out */
};

/* A drill-down: the rows of another view that belong to the selected row. */
struct drill {
	enum view back;         /* the view Esc returns to */
	bool (*match)(const struct drill *d, const struct snap *s, const void *row);
	char key[4200];         /* container id, ns inode, cgroup path */
	char label[160];
};

/* The dashboard's state: one, made by ui_run (or ui_bench), passed around. */
struct ui {
	const struct view_ops *const *views;
	enum view view;
	struct viewstate vs[V_NVIEWS];
	struct snap *shown;     /* what is on screen */
	struct snap_source *src;
	struct drill stack[8];
	int depth;
	bool utf8, color, readonly, root, live, paused;
	const char *audit_log;
	char status[256];
	const void **rows;
	size_t nrows, cap;
	struct buf tmp;
	struct cell cell, sort_a, sort_b;
	double interval;
	struct tree tree;       /* the shown view's tree order and drawing */
	const void **trows;
	struct hist_ring *hist; /* detail.c */
	struct logpane *logpane; /* logpane.c: open while not NULL */
	struct ui_tag *tags;    /* Space: tagged rows; f, k, t, d act on them all */
	size_t ntags;
	/* where the last draw put things, for the mouse (ui.c): the view tabs
	 * (x0 -1: not drawn), the table's header line and rows, each shown
	 * column's header cells and its index in the view's table */
	bool mouse;
	int tab_x0[V_NVIEWS], tab_x1[V_NVIEWS];
	int table_y0, table_h;  /* h 0: no table on screen */
	int hdr_x[VIEW_MAXCOLS + 1], hdr_col[VIEW_MAXCOLS], nhdr;
	/* time (travel.c): a recording's sample, or the live past in the ring */
	bool replay;            /* the source is a recording: actions refused */
	struct rec_ring *ring;  /* live: the last minutes, encoded */
	struct snap *now;       /* live, in the past: the newest live sample (held) */
	int64_t shown_usec;     /* the shown sample's time (realtime), 0: unknown */
	int64_t now_usec;
	struct evpane *evpane;  /* evpane.c: the events view (5), open while not NULL */
};

struct view_ops {
	const char *name;       /* on the view bar */
	const struct table *table;
	const char *cols[VIEW_MAXCOLS]; /* default columns */
	const char *sort;       /* default sort column, NULL: none */
	/* the columns by importance, most first: on a narrow terminal the
	 * others are left out first (in reverse order), then these from the end */
	const char *prio[VIEW_MAXCOLS];
	const char *fill;       /* the column that takes what is left (wants 20 cells) */
	unsigned what;          /* SNAP_* it reads beyond the header's */
	size_t (*count)(const struct snap *s);
	const void *(*row)(const struct snap *s, size_t i);
	/* optional, NULL: none */
	bool (*hidden)(const struct viewstate *vs, const struct snap *s, const void *row);
	int (*match)(const void *row, const char *filter); /* 1/0, -1: by the cells' text */
	uint64_t (*tree_id)(const void *row);    /* the tree: a row's id and its parent's */
	uint64_t (*tree_up)(const void *row);
	bool tree_last;         /* the tree is drawn in the last column, not the first */
	const char *tree_on, *tree_off;          /* T's messages */
	int (*drill)(const void *row, struct drill *d); /* the view it opens, -1: none */
	void (*detail)(const struct snap *s, const void *row, const struct cgroup **g,
		       const struct proc **p);
	bool (*frozen)(const struct snap *s, const void *row);
	/* the detail's memory figures, where not the detail's cgroup (a memory
	 * hierarchy rooted elsewhere); NULL: that cgroup */
	const struct cgroup *(*detail_mem)(const struct snap *s, const void *row);
	/* a line of the row's own for the detail pane ("ports ..."), NULL: none */
	const char *(*detail_line)(const void *row, struct buf *b);
	int (*indent)(const void *row);          /* first column: extra width */
	void (*name_cell)(const void *row, struct buf *b); /* first column while unsorted */
	void (*empty)(const struct snap *s, char *msg, size_t n); /* why no rows */
	void (*select)(const void *row, int key, struct ui_sel *sel);
	bool (*refuse)(const struct snap *s, const void *row, int key, char *msg, size_t n);
	bool (*key)(struct ui *u, int key);      /* its own keys; false: not its key */
	void (*fini)(void);
	bool (*dead)(const void *row);           /* drawn dimmed: gone, listed a while */
};
extern const struct view_ops view_containers, view_ns, view_cgroups, view_procs;
bool on_dead_toggle(struct ui *u, int ch);

/* rows.c */
extern const struct view_ops *const ui_views[V_NVIEWS];
void ui_init(struct ui *u);
void ui_fini(struct ui *u);
unsigned view_what(enum view v);
const struct column *view_col(const struct ui *u, enum view v, const char *name);
size_t view_ncols(const struct ui *u, enum view v);
bool ui_covered(const struct ui *u);
void ui_build_rows(struct ui *u);

/* table.c */
void ui_draw_table(struct ui *u, int y0, int h, int w);
void ui_sort_menu(struct ui *u);

/* detail.c: the detail pane and the history behind its sparklines */
void hist_record(struct ui *u, const struct snap *s);
void hist_free(struct ui *u);
void ui_draw_detail(struct ui *u, int y0, int h, int w);

/* travel.c: moving in time, the replay's and the live past's keys */
bool travel_past(const struct ui *u);
void travel_taken(struct ui *u, struct snap *s, const struct snap *before);
bool travel_take_live(struct ui *u, struct snap *s);
bool travel_now(struct ui *u);
void travel_fini(struct ui *u);
void travel_header(const struct ui *u, char *out, size_t n);
bool travel_refuse(const struct ui *u, int ch, char *status, size_t n);
bool on_time_step(struct ui *u, int ch);
bool on_time_goto(struct ui *u, int ch);
void travel_to(struct ui *u, int64_t want, int key);

/* evpane.c: the events view (5) over the table */
bool evpane_open(const struct ui *u);
bool on_events(struct ui *u, int ch);
void evpane_tick(struct ui *u);
void evpane_draw(struct ui *u, int y0, int h, int w);
bool evpane_key(struct ui *u, int ch);
void evpane_fini(struct ui *u);

/* logpane.c: l on a container, its log over the table */
void logpane_start(struct ui *u, const struct container *k);
bool logpane_open(struct ui *u);
void logpane_tick(struct ui *u);
int logpane_wait_ms(const struct ui *u);
void logpane_draw(struct ui *u, int y0, int h, int w);
void logpane_key(struct ui *u, int ch, void (*redraw)(void));
void logpane_fini(struct ui *u);
extern const char logpane_hint[];

#endif
