// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard: the loop, the layout (header, table, detail pane, status
 * line) and the key table. Snapshots come from a source (source.c), the
 * views' differences from their view_ops (view-*.c); views only read
 * snapshots and draw rows with the same column table as the batch listings.
 * Only src/ui/ includes curses.
 */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

/* the screen's state, for the redraw hook the dialogs call */
static struct ui *screen;

static void draw_header(struct ui *u, int w)
{
	const struct snap *s = u->shown;
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
	attron(A_BOLD | (u->color ? COLOR_PAIR(1) : 0));
	put(0, 0, line, strlen(line), w, false);
	attroff(A_BOLD | (u->color ? COLOR_PAIR(1) : 0));
	if (s) {
		size_t nns = 0, nctrs = 0;
		for (size_t i = 0; i < s->nns; i++)
			nns += !s->ns[i].ghost;
		for (size_t i = 0; i < s->nctrs; i++)
			nctrs += !s->ctrs[i].dead[0]; /* the exited ones listed a while are not counted */
		/* the cgroup trees are walked for the cgroups view only */
		char ncg[32] = "";
		if (s->what & SNAP_CGROUPS)
			snprintf(ncg, sizeof(ncg), "cgroups %zu  ", s->ncgs);
		char when[128];
		travel_header(u, when, sizeof(when));
		snprintf(line, sizeof(line),
			 "%sprocs %zu  namespaces %zu  %scontainers %zu  cgroup %s  every %.1fs%s  %s", when,
			 s->nprocs, nns, ncg, nctrs, cg_layout_name(s->layout), u->interval,
			 u->paused ? " (paused)" : "",
			 u->replay ? "actions: none (a recording)" : u->readonly ? "read-only"
			 : u->root ? "actions: root" : "actions: need root");
	} else {
		snprintf(line, sizeof(line), "collecting...");
	}
	put(1, 0, line, strlen(line), w, false);
	move(2, 0);
	clrtoeol();
	int x = 0;
	for (int v = 0; v < V_NVIEWS; v++)
		u->tab_x0[v] = u->tab_x1[v] = -1;
	for (int v = 0; v < V_NVIEWS; v++) {
		snprintf(line, sizeof(line), " %d %s ", v + 1, u->views[v]->name);
		u->tab_x0[v] = x;
		u->tab_x1[v] = x + (int)strlen(line);
		if (v == (int)u->view)
			attron(A_REVERSE);
		mvaddnstr(2, x, line, w - x > 0 ? w - x : 0);
		if (v == (int)u->view)
			attroff(A_REVERSE);
		x += (int)strlen(line) + 1;
		if (x >= w)
			break;
	}
	if (x < w) { /* 5: the events view (evpane.c), over the table */
		snprintf(line, sizeof(line), " 5 Events ");
		if (evpane_open(u))
			attron(A_REVERSE);
		mvaddnstr(2, x, line, w - x);
		if (evpane_open(u))
			attroff(A_REVERSE);
		x += (int)strlen(line) + 1;
	}
	if (u->depth && x < w) {
		const struct drill *d = &u->stack[u->depth - 1];
		buf_reset(&u->tmp);
		buf_adds(&u->tmp, "> ");
		str_escape(&u->tmp, d->label, strlen(d->label), ESC_TEXT);
		put(2, x, u->tmp.p, u->tmp.len, w - x, false);
	}
}

static void draw(struct ui *u)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	erase();
	u->table_h = 0;
	u->nhdr = 0;
	for (int v = 0; v < V_NVIEWS; v++)
		u->tab_x0[v] = -1;
	if (h < 10 || w < 40) {
		const char *m = "terminal too small (40x10 at least)";
		mvaddnstr(h / 2, 0, m, w);
		refresh();
		return;
	}
	ui_build_rows(u);
	draw_header(u, w);
	int detail = h >= 40 ? 13 : h >= 24 ? 9 : 0;
	int th = h - 4 - detail;
	if (logpane_open(u)) {
		u->table_h = 0;
		logpane_draw(u, 3, h - 4, w);
	} else if (evpane_open(u)) {
		evpane_draw(u, 3, h - 4, w);
	} else {
		ui_draw_table(u, 3, th, w);
		if (detail)
			ui_draw_detail(u, 3 + th, detail, w);
	}
	struct viewstate *vs = &u->vs[u->view];
	char line[512];
	if (u->status[0])
		snprintf(line, sizeof(line), "%s", u->status);
	else if (logpane_open(u))
		snprintf(line, sizeof(line), "log: %s", logpane_hint);
	else if (u->shown && !ui_covered(u))
		snprintf(line, sizeof(line), "collecting...");
	else {
		/* columns left out: Right shows them, Left goes back */
		char more[64] = "";
		if (vs->hidden)
			snprintf(more, sizeof(more), "  +%d column%s, %s", vs->hidden, vs->hidden == 1 ? "" : "s",
				 vs->hoff && vs->more_right ? "<- ->" : vs->hoff ? "<-" : "->");
		else if (vs->hoff)
			snprintf(more, sizeof(more), "  <-");
		char tagged[32] = "";
		if (u->ntags)
			snprintf(tagged, sizeof(tagged), "  %zu tagged", u->ntags);
		snprintf(line, sizeof(line), "%zu row%s%s%s%s%s  ?:help  q:quit", u->nrows, u->nrows == 1 ? "" : "s",
			 tagged, more, vs->filter[0] ? "  filter: " : "", vs->filter);
	}
	buf_reset(&u->tmp);
	str_escape(&u->tmp, line, strlen(line), ESC_TEXT);
	attron(A_REVERSE);
	put(h - 1, 0, u->tmp.p, u->tmp.len, w, false);
	attroff(A_REVERSE);
	refresh();
}

static void redraw_screen(void)
{
	draw(screen);
}

/* ---- the shared keys ---- */

static void move_sel(struct ui *u, long delta)
{
	struct viewstate *vs = &u->vs[u->view];
	long n = (long)u->nrows;
	long s = (long)vs->sel + delta;
	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	vs->sel = (size_t)s;
}

static long page_rows(void)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	(void)w;
	return h - 12 > 1 ? h - 12 : 1;
}

static bool on_quit(struct ui *u, int ch)
{
	(void)u, (void)ch;
	return false;
}

static bool on_view_n(struct ui *u, int ch)
{
	u->view = ch == '\t' ? (enum view)((u->view + 1) % V_NVIEWS) : (enum view)(ch - '1');
	u->depth = 0;
	return true;
}

static bool on_move(struct ui *u, int ch)
{
	struct viewstate *vs = &u->vs[u->view];
	switch (ch) {
	case KEY_UP: move_sel(u, -1); break;
	case KEY_DOWN: move_sel(u, 1); break;
	case KEY_PPAGE: move_sel(u, -page_rows()); break;
	case KEY_NPAGE: move_sel(u, page_rows()); break;
	case KEY_HOME: vs->sel = 0; break;
	case KEY_END: move_sel(u, (long)u->nrows); break;
	}
	return true;
}

static bool on_drill(struct ui *u, int ch)
{
	(void)ch;
	struct viewstate *vs = &u->vs[u->view];
	if (!u->nrows || u->depth >= (int)ARRAY_LEN(u->stack) || !u->views[u->view]->drill)
		return true;
	struct drill d = {.back = u->view};
	int to = u->views[u->view]->drill(u->rows[vs->sel], &d);
	if (to < 0)
		return true;
	u->stack[u->depth++] = d;
	u->view = (enum view)to;
	u->vs[to].sel = u->vs[to].top = 0;
	return true;
}

static bool on_back(struct ui *u, int ch)
{
	(void)ch;
	if (u->vs[u->view].filter[0])
		u->vs[u->view].filter[0] = '\0';
	else if (u->depth)
		u->view = u->stack[--u->depth].back;
	else if (ch == 27)
		travel_now(u);
	return true;
}

static bool on_filter(struct ui *u, int ch)
{
	(void)ch;
	struct viewstate *vs = &u->vs[u->view];
	char f[sizeof(vs->filter)];
	snprintf(f, sizeof(f), "%s", vs->filter);
	if (dialog_prompt("filter: ", f, sizeof(f), redraw_screen))
		snprintf(vs->filter, sizeof(vs->filter), "%s", f);
	vs->sel = vs->top = 0;
	return true;
}

static bool on_sort(struct ui *u, int ch)
{
	(void)ch;
	ui_sort_menu(u);
	return true;
}

static bool on_tree(struct ui *u, int ch)
{
	(void)ch;
	const struct view_ops *o = u->views[u->view];
	struct viewstate *vs = &u->vs[u->view];
	if (!o->tree_id) {
		snprintf(u->status, sizeof(u->status),
			 "T: trees are in the containers (1, by pod), namespaces (2) and processes (4) views");
		return true;
	}
	vs->tree = !vs->tree;
	snprintf(u->status, sizeof(u->status), "%s", vs->tree ? o->tree_on : o->tree_off);
	return true;
}

/* Left, Right: the columns sideways, in every view (table.c fits them) */
static bool on_hscroll(struct ui *u, int ch)
{
	struct viewstate *vs = &u->vs[u->view];
	if (ch == KEY_LEFT && vs->hoff > 0)
		vs->hoff--;
	else if (ch == KEY_RIGHT && vs->more_right)
		vs->hoff++;
	return true;
}

/* a key only some views have (z in the cgroups view) */
static bool on_of_view(struct ui *u, int ch)
{
	if (u->views[u->view]->key)
		u->views[u->view]->key(u, ch);
	return true;
}

static bool on_pause(struct ui *u, int ch)
{
	(void)ch;
	if (u->replay) { /* paused, a step would not be shown */
		snprintf(u->status, sizeof(u->status), "p: a recording does not refresh: [ ] { } g move in it");
		return true;
	}
	u->paused = !u->paused;
	u->src->pause(u->src, u->paused);
	snprintf(u->status, sizeof(u->status), u->paused ? "paused (p resumes)" : "resumed");
	return true;
}

static bool on_interval(struct ui *u, int ch)
{
	double iv = u->interval;
	iv = ch == '+' ? (iv < 1 ? iv + 0.5 : iv + 1) : (iv <= 1 ? iv - 0.5 : iv - 1);
	if (iv < 0.5)
		iv = 0.5;
	if (iv > 60)
		iv = 60;
	u->interval = iv;
	u->src->set_interval(u->src, iv);
	snprintf(u->status, sizeof(u->status), "refresh every %.1f s", iv);
	return true;
}

/*
 * ?: the key table (the man page's text, checked by the cli suite) over the
 * terminal's width, each help wrapped at spaces; Up/Down/PgUp/PgDn scroll,
 * any other key returns.
 */
static bool on_help(struct ui *u, int ch)
{
	(void)u, (void)ch;
	struct helpl {
		const char *name, *p;
		int len;
	} hl[512];
	timeout(-1);
	int top = 0;
	for (;;) {
		int h, w;
		getmaxyx(stdscr, h, w);
		int tw = w - 12 > 10 ? w - 12 : 10;
		int n = 0;
		for (size_t i = 0; i < ui_nkeys && n < (int)ARRAY_LEN(hl); i++) {
			const char *p = ui_keys[i].help;
			bool firstl = true;
			while (*p && n < (int)ARRAY_LEN(hl)) {
				int len = (int)strlen(p);
				if (len > tw) {
					int cut = tw;
					while (cut > 0 && p[cut] != ' ')
						cut--;
					len = cut > 0 ? cut : tw;
				}
				hl[n++] = (struct helpl){firstl ? ui_keys[i].name : "", p, len};
				firstl = false;
				p += len;
				while (*p == ' ')
					p++;
			}
		}
		int rows = h - 3 > 1 ? h - 3 : 1;
		if (top > n - rows)
			top = n - rows;
		if (top < 0)
			top = 0;
		erase();
		attron(A_BOLD);
		mvaddnstr(0, 0, "nstop keys", w);
		attroff(A_BOLD);
		for (int r = 0; r < rows && top + r < n; r++) {
			const struct helpl *l = &hl[top + r];
			char line[600];
			snprintf(line, sizeof(line), "%-10s %.*s", l->name, l->len, l->p);
			mvaddnstr(2 + r, 0, line, w);
		}
		char foot[160];
		snprintf(foot, sizeof(foot), "lines %d-%d of %d  Up/Down/PgUp/PgDn/Home/End scroll, any other key returns",
			 n ? top + 1 : 0, top + rows < n ? top + rows : n, n);
		attron(A_REVERSE);
		put(h - 1, 0, foot, strlen(foot), w, false);
		attroff(A_REVERSE);
		refresh();
		int k = ui_getch();
		if (k == KEY_UP)
			top--;
		else if (k == KEY_DOWN)
			top++;
		else if (k == KEY_PPAGE)
			top -= rows;
		else if (k == KEY_NPAGE)
			top += rows;
		else if (k == KEY_HOME)
			top = 0;
		else if (k == KEY_END)
			top = n;
		else if (k != KEY_RESIZE)
			break;
	}
	timeout(0);
	return true;
}

static bool on_save(struct ui *u, int ch);

/* l: the selected container's log in a pane (logpane.c) */
static bool on_logs(struct ui *u, int ch)
{
	if (travel_refuse(u, ch, u->status, sizeof(u->status)))
		return true;
	if (u->view != V_CONTAINERS || !u->nrows || !u->shown) {
		snprintf(u->status, sizeof(u->status),
			 "l: logs are a container's: select one in the containers view (1)");
		return true;
	}
	const struct container *k = u->rows[u->vs[u->view].sel];
	if (k->rt == RT_UNNAMED) {
		snprintf(u->status, sizeof(u->status), "l: an unnamed container has no runtime that keeps its log");
		return true;
	}
	logpane_start(u, k);
	return true;
}

/* Space: tag or untag the selected row by its identity (act.c), then down */
static bool on_tag(struct ui *u, int ch)
{
	(void)ch;
	const struct view_ops *o = u->views[u->view];
	if (!u->nrows || !o->select)
		return true;
	const void *row = u->rows[u->vs[u->view].sel];
	struct ui_tag t;
	memset(&t, 0, sizeof(t));
	o->select(row, 'f', &t.sel);
	if (u->view == V_PROCS) {
		struct ui_sel ps;
		memset(&ps, 0, sizeof(ps));
		o->select(row, 'k', &ps);
		t.pid = ps.pid, t.start = ps.start;
	} else if (t.sel.kind == SEL_NONE || ui_sel_ident(&t.sel, &t.dev, &t.ino) < 0) {
		snprintf(u->status, sizeof(u->status), "Space: %s has no cgroup to tag", t.sel.label);
		return true;
	}
	for (size_t i = 0; i < u->ntags; i++) {
		const struct ui_tag *x = &u->tags[i];
		if (t.pid ? x->pid == t.pid && x->start == t.start : !x->pid && x->dev == t.dev && x->ino == t.ino) {
			u->tags[i] = u->tags[--u->ntags];
			move_sel(u, 1);
			return true;
		}
	}
	u->tags = xrealloc(u->tags, (u->ntags + 1) * sizeof(*u->tags));
	u->tags[u->ntags++] = t;
	move_sel(u, 1);
	return true;
}

static bool on_untag_all(struct ui *u, int ch)
{
	(void)ch;
	u->ntags = 0;
	snprintf(u->status, sizeof(u->status), "tags cleared");
	return true;
}

/* a tag whose row is gone (another cgroup, another process) is dropped */
static void drop_gone_tags(struct ui *u)
{
	for (size_t i = 0; i < u->ntags;)
		if (!ui_tag_alive(&u->tags[i], u->shown))
			u->tags[i] = u->tags[--u->ntags];
		else
			i++;
}

/* An action on the selected row: the view names it, act.c runs it. */
static bool on_action(struct ui *u, int ch)
{
	const char *what = NULL;
	for (size_t i = 0; i < ui_nkeys; i++)
		if (ui_keys[i].key == ch)
			what = ui_keys[i].help;
	const struct view_ops *o = u->views[u->view];
	const void *row = u->nrows ? u->rows[u->vs[u->view].sel] : NULL;
	/* a recording or the past first: no row of them is the running system's */
	if (travel_refuse(u, ch, u->status, sizeof(u->status)))
		return true;
	if (row && o->refuse && o->refuse(u->shown, row, ch, u->status, sizeof(u->status)))
		return true;
	if (u->readonly) {
		snprintf(u->status, sizeof(u->status), "%c: read-only mode (-r): actions are disabled", ch);
	} else if (!u->live) {
		snprintf(u->status, sizeof(u->status), "%c: actions work on the live system, not a --sysroot", ch);
	} else if (!u->root) {
		snprintf(u->status, sizeof(u->status), "%c: %s: actions need root", ch, what);
	} else if (u->ntags && ch != 'c' && ch != 'e') {
		ui_act_tagged(ch, u->tags, u->ntags, u->audit_log, u->status, sizeof(u->status));
		u->src->poke(u->src);
	} else {
		struct ui_sel sel;
		memset(&sel, 0, sizeof(sel));
		if (row && o->select)
			o->select(row, ch, &sel);
		ui_act(ch, &sel, u->audit_log, u->status, sizeof(u->status));
		/* show the new values now rather than at the next tick */
		u->src->poke(u->src);
	}
	return true;
}

/* One key, one meaning, in every view: tests check that none is bound twice. */
const struct ui_key ui_keys[] = {
	{'1', "1", "containers view", on_view_n, 0},
	{'2', "2", "namespaces view", on_view_n, 0},
	{'3', "3", "cgroups view", on_view_n, 0},
	{'4', "4", "processes view", on_view_n, 0},
	{'5', "5", "events view: exits, OOM kills, containers, throttling (and a recording's actions); Enter jumps to "
	 "an event's moment", on_events, 0},
	{'\t', "Tab", "next view", on_view_n, 0},
	{KEY_UP, "Up", "move up", on_move, 0},
	{KEY_DOWN, "Down", "move down", on_move, 0},
	{KEY_PPAGE, "PgUp", "page up", on_move, 0},
	{KEY_NPAGE, "PgDn", "page down", on_move, 0},
	{KEY_HOME, "Home", "first row", on_move, 0},
	{KEY_END, "End", "last row", on_move, 0},
	{'\n', "Enter", "drill down: a container or namespace to its processes, a cgroup to its subtree",
	 on_drill, KEY_ENTER},
	{27, "Esc", "back (also Backspace); clears the filter, leaves the drill-down, then returns from the past to now",
	 on_back, 0},
	{KEY_BACKSPACE, "Backspace", "back", on_back, 127},
	{'/', "/", "filter rows by text", on_filter, 0},
	{'s', "s", "choose the sort column; the same column again reverses", on_sort, 0},
	{'T', "T", "tree: containers by pod, processes by parent, namespaces by owning user namespace; again: a list",
	 on_tree, 0},
	{KEY_LEFT, "Left", "scroll the columns left (back to the most important ones)", on_hscroll, 0},
	{KEY_RIGHT, "Right", "scroll the columns right: the ones left out on a narrow terminal", on_hscroll, 0},
	{'z', "z", "cgroups view: collapse the selected cgroup's subtree, or expand it again", on_of_view, 0},
	{' ', "Space", "tag or untag the selected row and move down; f, k, t and d then act on every tagged row", on_tag, 0},
	{'U', "U", "clear all tags", on_untag_all, 0},
	{'p', "p", "pause or resume refreshing", on_pause, 0},
	{'+', "+", "refresh less often", on_interval, 0},
	{'-', "-", "refresh more often", on_interval, 0},
	{'[', "[", "one sample back: live, pauses on the kept past (Esc returns to now); in a replay, the sample before",
	 on_time_step, 0},
	{']', "]", "one sample forward (live: back to now after the newest kept)", on_time_step, 0},
	{'{', "{", "one minute back", on_time_step, 0},
	{'}', "}", "one minute forward", on_time_step, 0},
	{'g', "g", "go to a time: RFC 3339, HH:MM[:SS] of the last day, or -5m before the end", on_time_goto, 0},
	{'x', "x", "show or hide exited containers (listed dimmed with how they ended, 10 minutes)", on_dead_toggle, 0},
	{'?', "?", "this help", on_help, 0},
	{'q', "q", "quit", on_quit, 0},
	{'w', "w", "write the view, interval, colors, columns and sorts to the config file", on_save, 0},
	{'c', "c", "create a container: the form", on_action, 0},
	{'e', "e", "enter: a shell in the selected container, back on exit", on_action, 0},
	{'t', "t", "throttle: the limits dialog (CPU, memory, pids)", on_action, 0},
	{'f', "f", "freeze or thaw the selected container or cgroup", on_action, 0},
	{'k', "k", "kill: the signal menu, then a confirmation", on_action, 0},
	{'d', "d", "remove the selected nstop container, after a confirmation", on_action, 0},
	{'u', "u", "undo the last limit change of the selection", on_action, 0},
	{'l', "l", "logs: the selected container's log in a pane, followed (/ searches, Esc closes)",
	 on_logs, 0},
};
const size_t ui_nkeys = ARRAY_LEN(ui_keys);

/* a click on a column's header: sort by it, as s does (again: reversed) */
static void sort_by(struct ui *u, int idx)
{
	struct viewstate *vs = &u->vs[u->view];
	const struct table *t = u->views[u->view]->table;
	if (vs->sort == idx) {
		vs->reverse = !vs->reverse;
	} else {
		vs->sort = idx;
		/* numbers sort biggest first, text A to Z */
		vs->reverse = t->cols[idx].right;
	}
	snprintf(u->status, sizeof(u->status), "sorted by %s, %s (a click again: %s)", t->cols[idx].name,
		 vs->reverse ? "descending" : "ascending", vs->reverse ? "ascending" : "descending");
}

/*
 * The mouse (not a key of the table; --no-mouse or mouse = no in the
 * config turn it off): the wheel scrolls, a click on a view's tab switches
 * to it, on a row selects it, on a column's header sorts by it. Where
 * things are is what the last draw recorded (the columns shown after the
 * sideways scroll and those left out, the tag gutter), so a click lands on
 * what the user sees. The dialogs and the help take their events
 * themselves (ui_getch): none reaches the table beneath them.
 */
static void mouse(struct ui *u)
{
	struct viewstate *vs = &u->vs[u->view];
	MEVENT me;
	if (getmouse(&me) != OK || !u->mouse || logpane_open(u))
		return;
	if (me.bstate & BUTTON4_PRESSED) {
		move_sel(u, -3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (me.bstate & BUTTON5_PRESSED) {
		move_sel(u, 3);
		return;
	}
#endif
	if (!(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (me.y == 2) {
		for (int v = 0; v < V_NVIEWS; v++)
			if (u->tab_x0[v] >= 0 && me.x >= u->tab_x0[v] && me.x < u->tab_x1[v])
				on_view_n(u, '1' + v);
		return;
	}
	if (!u->table_h)
		return;
	if (me.y == u->table_y0) {
		for (int k = 0; k < u->nhdr; k++)
			if (me.x >= u->hdr_x[k] && me.x < u->hdr_x[k + 1])
				sort_by(u, u->hdr_col[k]);
		return;
	}
	long row = (long)vs->top + (me.y - u->table_y0 - 1);
	if (me.y > u->table_y0 && me.y < u->table_y0 + u->table_h && row < (long)u->nrows)
		vs->sel = (size_t)row;
}

/*
 * The mouse off: ncurses does not read a report it did not ask for, so the
 * key for its prefix (ESC [ <, xterm's SGR form) comes alone and the rest
 * (digits, ';', then M or m) would be keys: '1' to '4' switch views. The
 * terminal sends none unless something else turned reporting on; if one
 * comes all the same, its rest is read here and dropped.
 */
static void mouse_drop_report(void)
{
	timeout(50);
	for (int i = 0; i < 32; i++) {
		int c = getch();
		if (c == 'M' || c == 'm' || c == ERR)
			break;
		if (!(c >= '0' && c <= '9') && c != ';') {
			ungetch(c);
			break;
		}
	}
	timeout(0);
}

static bool handle_key(struct ui *u, int ch)
{
	u->status[0] = '\0';
	/* keys typed ahead act on the rows as the keys before them left them */
	ui_build_rows(u);
	if (ch == KEY_MOUSE) {
		if (u->mouse)
			mouse(u);
		else
			mouse_drop_report();
		return true;
	}
	if (logpane_open(u)) {
		logpane_key(u, ch, redraw_screen);
		return true;
	}
	if (evpane_open(u))
		return evpane_key(u, ch);
	for (size_t i = 0; i < ui_nkeys; i++)
		if (ui_keys[i].key == ch || (ui_keys[i].alias && ui_keys[i].alias == ch))
			return ui_keys[i].fn(u, ch);
	return true;
}

/* ---- settings ---- */

/*
 * The config file's settings, where the command line did not say otherwise
 * (it was checked when read: names here are known columns).
 */
static void apply_config(struct ui *u, const struct uiopts *o)
{
	const struct config *c = config_get();
	int v = c->view[0] ? config_view_index(c->view) : -1;
	if (v >= 0)
		u->view = (enum view)v;
	if (c->interval > 0 && !o->interval_set)
		u->interval = c->interval;
	for (v = 0; v < V_NVIEWS; v++) {
		const struct table *t = u->views[v]->table;
		struct viewstate *vs = &u->vs[v];
		if (c->cols[v]) {
			size_t n = 0;
			for (const char *p = c->cols[v]; *p && n + 1 < VIEW_MAXCOLS;) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				const struct column *col_ = table_find(t, p, len);
				if (col_)
					vs->cols[n++] = col_->name;
				p += len + (e ? 1 : 0);
			}
			vs->cols[n] = NULL;
		}
		if (c->sort[v]) {
			const struct column *col_ = table_find(t, c->sort[v], strlen(c->sort[v]));
			if (col_) {
				vs->sort = (int)(col_ - t->cols);
				vs->reverse = c->sort_reverse[v];
			}
		}
	}
}

/* w: what is on screen becomes the config file's settings. */
static bool on_save(struct ui *u, int ch)
{
	(void)ch;
	struct config c = *config_get();
	snprintf(c.view, sizeof(c.view), "%s", config_view_name(u->view));
	c.interval = u->interval;
	c.color = u->color ? 1 : 0;
	struct buf lists[V_NVIEWS] = {{0}};
	for (int v = 0; v < V_NVIEWS; v++) {
		const struct table *t = u->views[v]->table;
		for (size_t k = 0; k < view_ncols(u, (enum view)v); k++) {
			if (k)
				buf_addc(&lists[v], ',');
			buf_adds(&lists[v], u->vs[v].cols[k]);
		}
		c.cols[v] = lists[v].p;
		c.sort[v] = u->vs[v].sort >= 0 ? (char *)t->cols[u->vs[v].sort].name : NULL;
		c.sort_reverse[v] = u->vs[v].reverse;
	}
	char path[512];
	struct nerr e = {0};
	if (config_save(&c, path, sizeof(path), &e) < 0)
		snprintf(u->status, sizeof(u->status), "w: %.200s", e.msg);
	else
		snprintf(u->status, sizeof(u->status), "settings saved to %.200s", path);
	for (int v = 0; v < V_NVIEWS; v++)
		buf_free(&lists[v]);
	return true;
}

/* ---- the loop ---- */

static void take_snapshot(struct ui *u)
{
	struct snap *s = u->src->next(u->src);
	if (s && travel_take_live(u, s))
		return;
	if (s && u->paused && ui_covered(u)) {
		/* paused: what is on screen stays (unless the view needs more) */
		u->src->release(u->src, s);
		return;
	}
	if (!s)
		return;
	travel_taken(u, s, u->shown);
	if (u->shown)
		u->src->release(u->src, u->shown);
	u->shown = s;
	hist_record(u, s);
	drop_gone_tags(u);
	evpane_tick(u);
}

static void loop(struct ui *u)
{
	draw(u);
	bool run = true;
	while (run && !ui_interrupted()) {
		struct pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {u->src->fd(u->src), POLLIN, 0}};
		/* while a view waits for its data, only the collector wakes us */
		bool keys = ui_covered(u) || !u->shown;
		int r = poll(keys ? pf : pf + 1, keys ? 2 : 1, logpane_wait_ms(u));
		if (r < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN)
			take_snapshot(u);
		logpane_tick(u);
		if (pf[0].revents & (POLLHUP | POLLERR))
			break;
		int ch;
		/* keys after a view switch wait (in the terminal) for its data */
		while (run && (ui_covered(u) || !u->shown) && (ch = ui_readkey()) != ERR)
			run = handle_key(u, ch);
		/* another view may need other data: collect it now */
		u->src->want(u->src, view_what(u->view));
		draw(u);
	}
}

/* curses on; false (said why) when the terminal cannot be driven */
static bool screen_on(struct ui *u, const struct uiopts *o)
{
	/* a terminal nstop cannot drive: say so instead of drawing garbage */
	const char *term = getenv("TERM");
	int err = 0;
	if (!term || !*term || !strcmp(term, "dumb") || setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		warnmsg("the dashboard needs a capable terminal (TERM=%s)", term && *term ? "unknown or dumb" : "unset");
		return false;
	}
	/* that was only a check: initscr sets the terminal up for itself */
	del_curterm(cur_term);
	ui_signals();
	fatal_hook = ui_restore_terminal;
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	/* the press itself (no wait to tell a click from a double click); off:
	 * no mask, so the terminal keeps its own selection, and a report
	 * that comes all the same is read whole and dropped */
	u->mouse = !o->nomouse && config_get()->mouse != 0;
	mousemask(u->mouse ? BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
				 | BUTTON5_PRESSED
#endif
			   : 0, NULL);
	mouseinterval(0);
	u->color = has_colors() && !o->nocolor && !getenv("NO_COLOR") && config_get()->color != 0;
	if (u->color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_BLUE, -1);
	}
	timeout(0);
	return true;
}

int ui_run(const struct uiopts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warnmsg("the dashboard needs a terminal; for scripts use a command (see nstop --help)");
		return 2;
	}
	struct nerr e = {0};
	struct snap_source *src = o->replay ? source_replay(o->replay, o->at, &e) : source_live(o->sysroot, &e);
	if (!src) {
		struct buf b = {0};
		str_escape(&b, e.msg, strlen(e.msg), ESC_TEXT);
		if (o->replay && e.kind != NERR_INPUT)
			fatal("--replay: %s", buf_str(&b));
		usage_error("%s: %s", o->replay ? "--replay" : "--sysroot", buf_str(&b));
	}
	struct ui *u = xcalloc(1, sizeof(*u));
	ui_init(u);
	u->src = src;
	u->interval = o->interval;
	u->readonly = o->readonly;
	/* the act layer knows its default, not the config file */
	u->audit_log = o->audit_log ? o->audit_log : config_get()->audit_log;
	u->live = src->live;
	u->replay = src->replay;
	u->root = geteuid() == 0;
	u->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	ui_set_utf8(u->utf8);
	apply_config(u, o);
	if (!screen_on(u, o)) {
		src->close(src);
		ui_fini(u);
		free(u);
		return 2;
	}
	screen = u;
	ui_set_redraw(redraw_screen);
	src->start(src, u->interval, view_what(u->view));
	loop(u);
	logpane_fini(u);
	evpane_fini(u);
	ui_restore_terminal();
	travel_fini(u);
	if (u->shown)
		src->release(src, u->shown);
	src->close(src);
	hist_free(u);
	free(u->tags);
	ui_fini(u);
	ui_set_redraw(NULL);
	screen = NULL;
	free(u);
	return 0;
}
