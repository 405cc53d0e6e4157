// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of the shown view: its columns from the column table, widths
 * from the visible rows, trees and frozen rows drawn as the view says; and
 * the sort menu over the same columns.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

/* The tree drawing in ASCII, for terminals without UTF-8. */
static void tree_ascii(struct buf *b, const char *art)
{
	for (const char *q = art; *q;) {
		if (!strncmp(q, "├─", 6) || !strncmp(q, "└─", 6)) {
			buf_adds(b, q[2] == '\x9c' ? "|-" : "`-");
			q += 6;
		} else if (!strncmp(q, "│", 3)) {
			buf_addc(b, '|');
			q += 3;
		} else {
			buf_addc(b, *q++);
		}
	}
}

/*
 * One row's cells, or the header when row is NULL: the shown columns only;
 * first is the view's first column (names, indents), tc its tree column.
 */
static void draw_line(struct ui *u, int y, int x0, int w, size_t i, const struct column *const *cols,
		      const int *width, size_t nc, const struct column *first, const struct column *tc)
{
	enum view v = u->view;
	const struct view_ops *o = u->views[v];
	struct viewstate *vs = &u->vs[v];
	int x = x0;
	bool head = i == (size_t)-1;
	for (size_t k = 0; k < nc && x < w; k++) {
		bool treecol = cols[k] == tc;
		buf_reset(&u->tmp);
		if (i == (size_t)-1) {
			bool sorted = vs->sort >= 0 && cols[k] == &o->table->cols[vs->sort];
			buf_adds(&u->tmp, cols[k]->name);
			if (sorted)
				buf_adds(&u->tmp, vs->reverse ? (u->utf8 ? "▼" : "v")
							      : (u->utf8 ? "▲" : "^"));
		} else {
			get_cell(cols[k], u->shown, u->rows[i], &u->cell);
			if (treecol && i < u->tree.n) {
				if (u->utf8)
					buf_adds(&u->tmp, u->tree.art[i]);
				else
					tree_ascii(&u->tmp, u->tree.art[i]);
				cell_text(&u->tmp, &u->cell);
			} else if (cols[k] == first && o->name_cell && vs->sort < 0) {
				o->name_cell(u->rows[i], &u->tmp);
			} else {
				cell_text(&u->tmp, &u->cell);
			}
		}
		int cw = k + 1 == nc ? w - x : width[k];
		if (cw > w - x)
			cw = w - x;
		if (head) {
			/* where each header is, for a click on it (ui.c's mouse) */
			u->hdr_x[k] = x;
			u->hdr_col[k] = (int)(cols[k] - o->table->cols);
			u->nhdr = (int)k + 1;
			u->hdr_x[k + 1] = x + cw;
		}
		put(y, x, u->tmp.p, u->tmp.len, cw, cols[k]->right && k + 1 < nc && !treecol);
		x += cw + 1;
		if (i != (size_t)-1 && x - 1 < w && k + 1 < nc)
			mvaddch(y, x - 1, ' ');
	}
}

/* a column's rank: its place in the view's priorities, the unlisted after */
static int col_rank(const struct view_ops *o, const char *name, size_t k)
{
	for (int r = 0; r < VIEW_MAXCOLS && o->prio[r]; r++)
		if (!strcmp(o->prio[r], name))
			return r;
	return VIEW_MAXCOLS + (int)k;
}

/*
 * Which columns fit in w cells. hoff 0: by rank, the most important first,
 * shown in the view's order; hoff k: the first column, then the k-th on
 * while they fit (Left/Right). Sets vs->hidden and vs->more_right.
 */
static void fit_columns(const struct view_ops *o, struct viewstate *vs, const struct column *const *cols,
			const int *width, size_t nc, int w, bool *keep)
{
	int used = 0;
	for (size_t k = 0; k < nc; k++)
		keep[k] = false;
	if (vs->hoff > (int)nc - 1)
		vs->hoff = nc ? (int)nc - 1 : 0;
	/* the fill column is content with 20 cells: it takes what is left later */
	#define NEED(k) ((o->fill && !strcmp(cols[k]->name, o->fill) && width[k] > 20 ? 20 : width[k]) + \
			 (used ? 1 : 0))
	if (vs->hoff == 0) {
		size_t order[VIEW_MAXCOLS];
		for (size_t k = 0; k < nc; k++)
			order[k] = k;
		for (size_t a = 1; a < nc; a++)
			for (size_t b = a; b > 0 && col_rank(o, cols[order[b]]->name, order[b]) <
						      col_rank(o, cols[order[b - 1]]->name, order[b - 1]); b--) {
				size_t t = order[b];
				order[b] = order[b - 1];
				order[b - 1] = t;
			}
		for (size_t a = 0; a < nc; a++) {
			size_t k = order[a];
			/* the most important column is always shown, cut if it must */
			if (a == 0 || used + NEED(k) <= w) {
				used += NEED(k);
				keep[k] = true;
			}
		}
	} else if (nc) {
		keep[0] = true;
		used = width[0];
		for (size_t k = (size_t)vs->hoff; k < nc && used + NEED(k) <= w; k++) {
			used += NEED(k);
			keep[k] = true;
		}
	}
	#undef NEED
	vs->hidden = 0;
	vs->more_right = false;
	for (size_t k = 0; k < nc; k++) {
		vs->hidden += !keep[k];
		if (!keep[k] && k >= (size_t)vs->hoff)
			vs->more_right = true;
	}
}

/*
 * No rows: say why and what to do, wrapped at spaces over at most h lines.
 * A filter that matches nothing says so first, then a drill-down, then the
 * view's own reason. The filter and labels are the user's or the host's
 * text: escaped, line by line.
 */
static void draw_empty(struct ui *u, int y0, int h, int w)
{
	const struct view_ops *o = u->views[u->view];
	const struct viewstate *vs = &u->vs[u->view];
	char msg[600] = "";
	if (vs->filter[0])
		snprintf(msg, sizeof(msg), "Nothing matches the filter \"%s\".\nEsc clears it; / changes it.",
			 vs->filter);
	else if (u->depth)
		snprintf(msg, sizeof(msg), "Nothing in %s now (it may have just ended).\nEsc goes back.",
			 u->stack[u->depth - 1].label);
	else if (o->empty)
		o->empty(u->shown, msg, sizeof(msg));
	if (!msg[0])
		snprintf(msg, sizeof(msg), "Nothing to show in this view.\n1 2 3 4 switch views.");
	struct buf b = {0};
	int y = 0, tw = w - 2;
	for (const char *p = msg; *p && y < h;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_reset(&b);
		str_escape(&b, p, n, ESC_TEXT);
		/* wrap the escaped line at spaces */
		for (const char *q = b.p, *e = b.p + b.len; q < e && y < h;) {
			size_t len = (size_t)(e - q);
			if (len > (size_t)tw) {
				size_t cut = (size_t)tw;
				while (cut > 0 && q[cut] != ' ')
					cut--;
				if (!cut) {
					/* no space: cut at a character boundary */
					cut = (size_t)tw;
					while (cut > 1 && ((unsigned char)q[cut] & 0xc0) == 0x80)
						cut--;
				}
				len = cut;
			}
			put(y0 + y++, 1, q, len, tw, false);
			q += len;
			while (q < e && *q == ' ')
				q++;
		}
		p += n + (nl ? 1 : 0);
	}
	buf_free(&b);
}

/* a tagged row (Space): the view's selection of it matches a tag */
static bool row_tagged(struct ui *u, const void *row)
{
	struct ui_sel sel;
	memset(&sel, 0, sizeof(sel));
	u->views[u->view]->select(row, 'f', &sel);
	for (size_t t = 0; t < u->ntags; t++)
		if (ui_tag_is(&u->tags[t], &sel))
			return true;
	return false;
}

void ui_draw_table(struct ui *u, int y0, int h, int w)
{
	enum view v = u->view;
	const struct view_ops *o = u->views[v];
	struct viewstate *vs = &u->vs[v];
	/* while rows are tagged, a gutter of two cells marks them */
	int gut = u->ntags && o->select && w > 20 ? 2 : 0;
	u->table_y0 = y0;
	u->table_h = h;
	u->nhdr = 0;
	w -= gut;
	size_t nc = view_ncols(u, v);
	const struct column *cols[VIEW_MAXCOLS];
	int width[VIEW_MAXCOLS];
	for (size_t k = 0; k < nc; k++) {
		cols[k] = view_col(u, v, vs->cols[k]);
		width[k] = (int)strlen(cols[k]->name);
	}
	if (vs->sel < vs->top)
		vs->top = vs->sel;
	if (h > 1 && vs->sel >= vs->top + (size_t)(h - 1))
		vs->top = vs->sel - (size_t)(h - 2);
	bool tree_first = o->tree_id && vs->tree && !o->tree_last;
	/* widths from the visible rows, up to 48 cells each */
	for (size_t i = vs->top; i < u->nrows && i < vs->top + (size_t)(h - 1); i++) {
		for (size_t k = 0; k < nc; k++) {
			get_cell(cols[k], u->shown, u->rows[i], &u->cell);
			buf_reset(&u->tmp);
			cell_text(&u->tmp, &u->cell);
			int cw = (int)str_width(u->tmp.p, u->tmp.len);
			if (k == 0 && o->indent)
				cw += o->indent(u->rows[i]);
			if (k == 0 && tree_first && i < u->tree.n)
				cw += (int)str_width(u->tree.art[i], strlen(u->tree.art[i]));
			if (cw > width[k])
				width[k] = cw > 48 ? 48 : cw;
		}
	}
	/* the columns that fit; the last shown one takes what is left */
	bool keep[VIEW_MAXCOLS];
	fit_columns(o, vs, cols, width, nc, w, keep);
	const struct column *scols[VIEW_MAXCOLS];
	int swidth[VIEW_MAXCOLS];
	size_t sn = 0;
	for (size_t k = 0; k < nc; k++)
		if (keep[k]) {
			scols[sn] = cols[k];
			swidth[sn++] = width[k];
		}
	const struct column *first = nc ? cols[0] : NULL;
	const struct column *tc = o->tree_id && vs->tree && nc ? cols[o->tree_last ? nc - 1 : 0] : NULL;
	attron(A_BOLD | A_UNDERLINE);
	move(y0, 0);
	clrtoeol();
	draw_line(u, y0, gut, w + gut, (size_t)-1, scols, swidth, sn, first, tc);
	attroff(A_BOLD | A_UNDERLINE);
	for (int r = 1; r < h; r++) {
		size_t i = vs->top + (size_t)(r - 1);
		move(y0 + r, 0);
		clrtoeol();
		if (i >= u->nrows)
			continue;
		bool sel = i == vs->sel;
		if (sel)
			attron(A_REVERSE);
		/* frozen containers and cgroups stand out (blue), when colors are on */
		bool frozen = u->color && o->frozen && o->frozen(u->shown, u->rows[i]);
		if (frozen)
			attron(COLOR_PAIR(2));
		if (gut)
			mvaddstr(y0 + r, 0, !row_tagged(u, u->rows[i]) ? "  " : u->utf8 ? "✓ " : "* ");
		/* an exited container, listed a while: dimmed */
		bool dim = o->dead && o->dead(u->rows[i]);
		if (dim)
			attron(A_DIM);
		draw_line(u, y0 + r, gut, w + gut, i, scols, swidth, sn, first, tc);
		if (dim)
			attroff(A_DIM);
		if (frozen)
			attroff(COLOR_PAIR(2));
		if (sel)
			attroff(A_REVERSE);
	}
	if (!u->nrows && u->shown && h > 3)
		draw_empty(u, y0 + 2, h - 2, w);
}

/* s: the columns of the view; the sorted one again reverses it. */
void ui_sort_menu(struct ui *u)
{
	ui_redraw();
	enum view v = u->view;
	struct viewstate *vs = &u->vs[v];
	const struct table *t = u->views[v]->table;
	size_t nc = view_ncols(u, v);
	size_t sel = 0;
	timeout(-1);
	for (size_t k = 0; k < nc; k++)
		if (vs->sort >= 0 && view_col(u, v, vs->cols[k]) == &t->cols[vs->sort])
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
			mvaddnstr(y0 + 1 + (int)k, x0 + 1, vs->cols[k], bw - 2);
			if (k == sel)
				attroff(A_REVERSE);
		}
		refresh();
		int ch = ui_getch();
		if (ch == KEY_UP && sel > 0) {
			sel--;
		} else if (ch == KEY_DOWN && sel + 1 < nc) {
			sel++;
		} else if (ch == 27 || ch == 'q' || ui_interrupted()) {
			timeout(0);
			return;
		} else if (ch == '\n' || ch == KEY_ENTER || ch == 's') {
			int idx = (int)(view_col(u, v, vs->cols[sel]) - t->cols);
			if (vs->sort == idx) {
				vs->reverse = !vs->reverse;
			} else {
				vs->sort = idx;
				/* numbers sort biggest first, text A to Z */
				vs->reverse = t->cols[idx].right;
			}
			timeout(0);
			return;
		}
	}
}
