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

/* One row's cells, or the header when row is NULL. */
static void draw_line(struct ui *u, int y, int w, size_t i, const struct column *const *cols,
		      const int *width, size_t nc)
{
	enum view v = u->view;
	const struct view_ops *o = u->views[v];
	struct viewstate *vs = &u->vs[v];
	size_t tcol = o->tree_id && vs->tree ? (o->tree_last ? nc - 1 : 0) : (size_t)-1;
	int x = 0;
	for (size_t k = 0; k < nc && x < w; k++) {
		bool treecol = k == tcol;
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
			} else if (k == 0 && o->name_cell && vs->sort < 0) {
				o->name_cell(u->rows[i], &u->tmp);
			} else {
				cell_text(&u->tmp, &u->cell);
			}
		}
		int cw = k + 1 == nc ? w - x : width[k];
		if (cw > w - x)
			cw = w - x;
		put(y, x, u->tmp.p, u->tmp.len, cw, cols[k]->right && k + 1 < nc && !treecol);
		x += cw + 1;
		if (i != (size_t)-1 && x - 1 < w && k + 1 < nc)
			mvaddch(y, x - 1, ' ');
	}
}

void ui_draw_table(struct ui *u, int y0, int h, int w)
{
	enum view v = u->view;
	const struct view_ops *o = u->views[v];
	struct viewstate *vs = &u->vs[v];
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
	/* widths from the visible rows; the last column takes what is left */
	for (size_t i = vs->top; i < u->nrows && i < vs->top + (size_t)(h - 1); i++) {
		for (size_t k = 0; k + 1 < nc; k++) {
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
	attron(A_BOLD | A_UNDERLINE);
	move(y0, 0);
	clrtoeol();
	draw_line(u, y0, w, (size_t)-1, cols, width, nc);
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
		draw_line(u, y0 + r, w, i, cols, width, nc);
		if (frozen)
			attroff(COLOR_PAIR(2));
		if (sel)
			attroff(A_REVERSE);
	}
	char msg[300] = "";
	if (!u->nrows && u->shown && o->empty && h > 2)
		o->empty(u->shown, msg, sizeof(msg));
	if (msg[0]) {
		struct buf b = {0};
		str_escape(&b, msg, strlen(msg), ESC_TEXT);
		put(y0 + 2, 1, b.p, b.len, w - 2, false);
		buf_free(&b);
	}
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
		int ch = getch();
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
