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
		size_t nns = 0;
		for (size_t i = 0; i < s->nns; i++)
			nns += !s->ns[i].ghost;
		/* the cgroup trees are walked for the cgroups view only */
		char ncg[32] = "";
		if (s->what & SNAP_CGROUPS)
			snprintf(ncg, sizeof(ncg), "cgroups %zu  ", s->ncgs);
		snprintf(line, sizeof(line),
			 "procs %zu  namespaces %zu  %scontainers %zu  cgroup %s  every %.1fs%s  %s",
			 s->nprocs, nns, ncg, s->nctrs, cg_layout_name(s->layout), u->interval,
			 u->paused ? " (paused)" : "",
			 u->readonly ? "read-only" : u->root ? "actions: root" : "actions: need root");
	} else {
		snprintf(line, sizeof(line), "collecting...");
	}
	put(1, 0, line, strlen(line), w, false);
	move(2, 0);
	clrtoeol();
	int x = 0;
	for (int v = 0; v < V_NVIEWS; v++) {
		snprintf(line, sizeof(line), " %d %s ", v + 1, u->views[v]->name);
		if (v == (int)u->view)
			attron(A_REVERSE);
		mvaddnstr(2, x, line, w - x > 0 ? w - x : 0);
		if (v == (int)u->view)
			attroff(A_REVERSE);
		x += (int)strlen(line) + 1;
		if (x >= w)
			break;
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
	ui_draw_table(u, 3, th, w);
	if (detail)
		ui_draw_detail(u, 3 + th, detail, w);
	struct viewstate *vs = &u->vs[u->view];
	char line[512];
	if (u->status[0])
		snprintf(line, sizeof(line), "%s", u->status);
	else if (u->shown && !ui_covered(u))
		snprintf(line, sizeof(line), "collecting...");
	else
		snprintf(line, sizeof(line), "%zu rows%s%s%s  ?:help  q:quit", u->nrows,
			 vs->filter[0] ? "  filter: " : "", vs->filter, vs->filter[0] ? "" : "");
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
			 "T: trees are in the namespaces (2) and processes (4) views");
		return true;
	}
	vs->tree = !vs->tree;
	snprintf(u->status, sizeof(u->status), "%s", vs->tree ? o->tree_on : o->tree_off);
	return true;
}

/* a key only some views have (Left, Right in the cgroups view) */
static bool on_of_view(struct ui *u, int ch)
{
	if (u->views[u->view]->key)
		u->views[u->view]->key(u, ch);
	return true;
}

static bool on_pause(struct ui *u, int ch)
{
	(void)ch;
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

static bool on_help(struct ui *u, int ch)
{
	(void)u, (void)ch;
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
	return true;
}

static bool on_save(struct ui *u, int ch);

/* An action on the selected row: the view names it, act.c runs it. */
static bool on_action(struct ui *u, int ch)
{
	const char *what = NULL;
	for (size_t i = 0; i < ui_nkeys; i++)
		if (ui_keys[i].key == ch)
			what = ui_keys[i].help;
	const struct view_ops *o = u->views[u->view];
	const void *row = u->nrows ? u->rows[u->vs[u->view].sel] : NULL;
	if (row && o->refuse && o->refuse(u->shown, row, ch, u->status, sizeof(u->status)))
		return true;
	if (u->readonly) {
		snprintf(u->status, sizeof(u->status), "%c: read-only mode (-r): actions are disabled", ch);
	} else if (!u->live) {
		snprintf(u->status, sizeof(u->status), "%c: actions work on the live system, not a --sysroot", ch);
	} else if (!u->root) {
		snprintf(u->status, sizeof(u->status), "%c: %s: actions need root", ch, what);
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
	{'\t', "Tab", "next view", on_view_n, 0},
	{KEY_UP, "Up", "move up", on_move, 0},
	{KEY_DOWN, "Down", "move down", on_move, 0},
	{KEY_PPAGE, "PgUp", "page up", on_move, 0},
	{KEY_NPAGE, "PgDn", "page down", on_move, 0},
	{KEY_HOME, "Home", "first row", on_move, 0},
	{KEY_END, "End", "last row", on_move, 0},
	{'\n', "Enter", "drill down: a container or namespace to its processes, a cgroup to its subtree",
	 on_drill, KEY_ENTER},
	{27, "Esc", "back (also Backspace); clears the filter", on_back, 0},
	{KEY_BACKSPACE, "Backspace", "back", on_back, 127},
	{'/', "/", "filter rows by text", on_filter, 0},
	{'s', "s", "choose the sort column; the same column again reverses", on_sort, 0},
	{'T', "T", "tree: processes by parent, namespaces by owning user namespace; again: a list",
	 on_tree, 0},
	{KEY_LEFT, "Left", "cgroups view: collapse the selected cgroup's subtree", on_of_view, 0},
	{KEY_RIGHT, "Right", "cgroups view: expand it again", on_of_view, 0},
	{'p', "p", "pause or resume refreshing", on_pause, 0},
	{'+', "+", "refresh less often", on_interval, 0},
	{'-', "-", "refresh more often", on_interval, 0},
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
};
const size_t ui_nkeys = ARRAY_LEN(ui_keys);

/* The mouse: the wheel scrolls, a click selects. Not a key of the table. */
static void mouse(struct ui *u)
{
	struct viewstate *vs = &u->vs[u->view];
	MEVENT me;
	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON4_PRESSED)
		move_sel(u, -3);
#ifdef BUTTON5_PRESSED
	else if (me.bstate & BUTTON5_PRESSED)
		move_sel(u, 3);
#endif
	else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
		long row = (long)vs->top + me.y - 4;
		if (me.y >= 4 && row >= 0 && row < (long)u->nrows)
			vs->sel = (size_t)row;
	}
}

static bool handle_key(struct ui *u, int ch)
{
	u->status[0] = '\0';
	/* keys typed ahead act on the rows as the keys before them left them */
	ui_build_rows(u);
	if (ch == KEY_MOUSE) {
		mouse(u);
		return true;
	}
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
	if (s && u->paused && ui_covered(u)) {
		/* paused: what is on screen stays (unless the view needs more) */
		u->src->release(u->src, s);
		return;
	}
	if (!s)
		return;
	if (u->shown)
		u->src->release(u->src, u->shown);
	u->shown = s;
	hist_record(u, s);
}

static void loop(struct ui *u)
{
	draw(u);
	bool run = true;
	while (run && !ui_interrupted()) {
		struct pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {u->src->fd(u->src), POLLIN, 0}};
		/* while a view waits for its data, only the collector wakes us */
		bool keys = ui_covered(u) || !u->shown;
		int r = poll(keys ? pf : pf + 1, keys ? 2 : 1, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN)
			take_snapshot(u);
		if (pf[0].revents & (POLLHUP | POLLERR))
			break;
		int ch;
		/* keys after a view switch wait (in the terminal) for its data */
		while (run && (ui_covered(u) || !u->shown) && (ch = getch()) != ERR)
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
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  , NULL);
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
	struct snap_source *src = source_live(o->sysroot, &e);
	if (!src) {
		struct buf b = {0};
		str_escape(&b, e.msg, strlen(e.msg), ESC_TEXT);
		usage_error("--sysroot: %s", buf_str(&b));
	}
	struct ui *u = xcalloc(1, sizeof(*u));
	ui_init(u);
	u->src = src;
	u->interval = o->interval;
	u->readonly = o->readonly;
	/* the act layer knows its default, not the config file */
	u->audit_log = o->audit_log ? o->audit_log : config_get()->audit_log;
	u->live = src->live;
	u->root = geteuid() == 0;
	u->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
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
	ui_restore_terminal();
	if (u->shown)
		src->release(src, u->shown);
	src->close(src);
	hist_free(u);
	ui_fini(u);
	ui_set_redraw(NULL);
	screen = NULL;
	free(u);
	return 0;
}
