// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dialogs over the dashboard: a form with fields validated as you type, a
 * menu, a yes/no confirmation and a line prompt. Modal: they read keys
 * until done; the caller's redraw paints the dashboard underneath first.
 */
#include <curses.h>
#include <signal.h>
#include <string.h>

#include "ui.h"

static void box_at(int y0, int x0, int bh, int bw, const char *title)
{
	for (int y = 0; y < bh; y++) {
		bool edge = y == 0 || y == bh - 1;
		draw_line_piece(y0 + y, x0, 1, y == 0 ? '<' : y == bh - 1 ? '[' : '|');
		if (edge) {
			draw_line_piece(y0 + y, x0 + 1, bw - 2, 'h');
		} else {
			for (int x = 1; x < bw - 1; x++)
				addch(' ');
		}
		draw_line_piece(y0 + y, x0 + bw - 1, 1, y == 0 ? '>' : y == bh - 1 ? ']' : '|');
	}
	attron(A_BOLD);
	mvaddnstr(y0, x0 + 2, title, bw - 4);
	attroff(A_BOLD);
}

static void geometry(int want_h, int want_w, int *y0, int *x0, int *bh, int *bw)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	*bw = want_w < w - 2 ? want_w : w - 2;
	*bh = want_h < h - 2 ? want_h : h - 2;
	*y0 = (h - *bh) / 2;
	*x0 = (w - *bw) / 2;
	if (*y0 < 0)
		*y0 = 0;
	if (*x0 < 0)
		*x0 = 0;
}

/* Returns true when submitted (Enter with every field valid), false on Esc. */
bool dialog_form(const char *title, const char *note, struct form_field *f, int n,
		 void (*redraw)(void))
{
	int cur = 0;
	for (int i = 0; i < n; i++)
		f[i].err[0] = '\0';
	timeout(-1);
	bool done = false, ok = false;
	char msg[160] = "";
	while (!done) {
		redraw();
		int y0, x0, bh, bw;
		geometry(n * 2 + 6, 72, &y0, &x0, &bh, &bw);
		box_at(y0, x0, bh, bw, title);
		if (note)
			mvaddnstr(y0 + 1, x0 + 2, note, bw - 4);
		for (int i = 0; i < n && 2 + 2 * i < bh - 2; i++) {
			int y = y0 + 2 + 2 * i;
			mvaddnstr(y, x0 + 2, f[i].label, 14);
			if (i == cur)
				attron(A_REVERSE);
			char shown[64];
			snprintf(shown, sizeof(shown), "%-24.24s", f[i].val);
			mvaddnstr(y, x0 + 17, shown, bw - 19);
			if (i == cur)
				attroff(A_REVERSE);
			if (f[i].err[0]) {
				attron(A_BOLD);
				mvaddnstr(y + 1, x0 + 17, f[i].err, bw - 19);
				attroff(A_BOLD);
			} else if (f[i].hint) {
				mvaddnstr(y + 1, x0 + 17, f[i].hint, bw - 19);
			}
		}
		mvaddnstr(y0 + bh - 2, x0 + 2,
			  msg[0] ? msg : "Enter apply   Tab/Up/Down field   Esc cancel", bw - 4);
		move(y0 + 2 + 2 * cur, x0 + 17 + (int)strlen(f[cur].val));
		curs_set(1);
		refresh();
		int ch = ui_getch();
		curs_set(0);
		msg[0] = '\0';
		size_t len = strlen(f[cur].val);
		if (ch == 27 || ui_interrupted()) {
			done = true;
		} else if (ch == '\t' || ch == KEY_DOWN) {
			cur = (cur + 1) % n;
		} else if (ch == KEY_BTAB || ch == KEY_UP) {
			cur = (cur + n - 1) % n;
		} else if (ch == '\n' || ch == KEY_ENTER) {
			int bad = -1;
			for (int i = 0; i < n; i++)
				if (f[i].check && !f[i].check(f[i].val, f[i].err, sizeof(f[i].err)) && bad < 0)
					bad = i;
			if (bad < 0) {
				ok = done = true;
			} else {
				cur = bad;
				snprintf(msg, sizeof(msg), "fix the marked field first");
			}
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len) {
			f[cur].val[len - 1] = '\0';
		} else if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof(f[cur].val)) {
			f[cur].val[len] = (char)ch;
			f[cur].val[len + 1] = '\0';
		}
		/* validation as you type */
		if (!done && f[cur].check) {
			f[cur].err[0] = '\0';
			if (f[cur].val[0])
				f[cur].check(f[cur].val, f[cur].err, sizeof(f[cur].err));
		}
	}
	timeout(0);
	return ok;
}

/* Returns the chosen index, or -1 on Esc. */
int dialog_menu(const char *title, const char *const *items, int n, int sel, void (*redraw)(void))
{
	timeout(-1);
	int r = -2;
	while (r == -2) {
		redraw();
		int y0, x0, bh, bw;
		geometry(n + 3, 40, &y0, &x0, &bh, &bw);
		box_at(y0, x0, bh, bw, title);
		for (int i = 0; i < n && i + 1 < bh - 1; i++) {
			if (i == sel)
				attron(A_REVERSE);
			mvaddnstr(y0 + 1 + i, x0 + 2, items[i], bw - 4);
			if (i == sel)
				attroff(A_REVERSE);
		}
		refresh();
		int ch = ui_getch();
		if (ch == KEY_UP && sel > 0)
			sel--;
		else if (ch == KEY_DOWN && sel + 1 < n)
			sel++;
		else if (ch == '\n' || ch == KEY_ENTER)
			r = sel;
		else if (ch == 27 || ch == 'q' || ui_interrupted())
			r = -1;
	}
	timeout(0);
	return r;
}

/*
 * A box of lines ('\n' between them, each escaped and cut to the box),
 * its last line bold (what the keys do), then one key. Lines beyond the
 * screen's height end in "... and N more". Returns the key.
 */
static int text_box(const char *title, const char *text, const char *keys, void (*redraw)(void))
{
	timeout(-1);
	redraw();
	int nl = 0, widest = (int)strlen(keys);
	for (const char *p = text; p;) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		if (len > widest)
			widest = len;
		nl++;
		p = e ? e + 1 : NULL;
	}
	int y0, x0, bh, bw;
	geometry(nl + 4, widest + 6 > 40 ? widest + 6 : 40, &y0, &x0, &bh, &bw);
	box_at(y0, x0, bh, bw, title);
	int room = bh - 4 > 0 ? bh - 4 : 0;
	struct buf b = {0};
	int i = 0;
	for (const char *p = text; p && i < room; i++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		buf_reset(&b);
		if (i == room - 1 && nl > room)
			buf_printf(&b, "... and %d more", nl - i);
		else
			str_escape(&b, p, len, ESC_TEXT);
		put(y0 + 1 + i, x0 + 2, b.p, b.len, bw - 4, false);
		p = e ? e + 1 : NULL;
	}
	buf_free(&b);
	attron(A_BOLD);
	mvaddnstr(y0 + bh - 2, x0 + 2, keys, bw - 4);
	attroff(A_BOLD);
	refresh();
	int ch = ui_getch();
	timeout(0);
	return ch;
}

/* y confirms; any other key declines (a click is no answer). The question
 * may have several lines: the first asks, the others list what it acts on. */
bool dialog_confirm(const char *question, void (*redraw)(void))
{
	int ch = text_box("Confirm", question, "y: yes   any other key: no", redraw);
	return ch == 'y' || ch == 'Y';
}

/* Lines to read (an action's result per row); any key closes. */
void dialog_message(const char *title, const char *text, void (*redraw)(void))
{
	text_box(title, text, "any key closes", redraw);
}

/* Reads a line at the bottom; returns false on Esc. Only printable ASCII. */
bool dialog_prompt(const char *label, char *out, size_t n, void (*redraw)(void))
{
	redraw();
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
		int ch = ui_getch();
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
		if (ui_interrupted()) {
			timeout(0);
			return false;
		}
	}
}
