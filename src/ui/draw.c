// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bottom of the dashboard: text put on the screen within its cells, the
 * signal that ends it, and the redraw hook the dialogs and action keys call
 * (set by ui.c, so nothing here or above it calls back into the loop).
 */
#include <curses.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

/* Draws already escaped text at (y, x) in at most w cells, padding to w. */
void put(int y, int x, const char *s, size_t len, int w, bool right)
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

/* UTF-8 line drawing when the locale is UTF-8, ASCII when not (set once) */
static bool utf8_lines;

void ui_set_utf8(bool on)
{
	utf8_lines = on;
}

/*
 * A line of w cells at (y, x): 'h' horizontal, or one of a box's pieces
 * ('<' '>' top corners, '[' ']' bottom corners, '|' vertical). Written as
 * text, not the terminal's alternate charset, so one look everywhere.
 */
void draw_line_piece(int y, int x, int w, char piece)
{
	const char *u = "─", *a = "-";
	switch (piece) {
	case '<': u = "┌", a = "+"; break;
	case '>': u = "┐", a = "+"; break;
	case '[': u = "└", a = "+"; break;
	case ']': u = "┘", a = "+"; break;
	case '|': u = "│", a = "|"; break;
	}
	move(y, x);
	for (int i = 0; i < w; i++)
		addstr(utf8_lines ? u : a);
}

void fmt_pct(char *o, size_t n, double v)
{
	if (isnan(v))
		snprintf(o, n, "-");
	else
		snprintf(o, n, "%.0f%%", v);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

bool ui_interrupted(void)
{
	return got_signal != 0;
}

void ui_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void ui_restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

static void (*redraw_fn)(void);

void ui_set_redraw(void (*fn)(void))
{
	redraw_fn = fn;
}

void ui_redraw(void)
{
	if (redraw_fn)
		redraw_fn();
}

/*
 * A key for a modal screen (dialogs, menus, the help): the mouse never
 * reaches what lies beneath it. Its events are taken off ncurses' queue
 * here; the wheel reads as Up/Down, a click or any other button is
 * dropped and the wait goes on. ERR (a signal, a timeout) is returned.
 */
/*
 * A key as the terminal sent it, with every CSI sequence ncurses did not
 * turn into a key read and dropped whole: ESC followed at once by '[' is a
 * control sequence (a terminal's X10 mouse report ESC [ M Cb Cx Cy when
 * terminfo said SGR, a key ncurses does not know), never Esc then keys. Its
 * parameters and intermediates (0x20-0x3F) up to its final byte (0x40-0x7E);
 * for ESC [ M with no parameters, also X10's three bytes. A plain cursor
 * or editing key terminfo did not name (csi_key) is that key. The bytes after
 * ESC are waited for briefly (a lone Esc stays Esc); the caller's delay
 * mode is kept. Untrusted input: the terminal's bytes, bounded here.
 */
/* a plain (unmodified) cursor or editing key in the VT220 or xterm form
 * that terminfo did not name (tmux's End is ESC [ 4 ~), or ERR */
static int csi_key(int final, int param)
{
	static const struct { int final, param, key; } k[] = {
		{'A', 0, KEY_UP}, {'B', 0, KEY_DOWN}, {'C', 0, KEY_RIGHT}, {'D', 0, KEY_LEFT},
		{'H', 0, KEY_HOME}, {'F', 0, KEY_END}, {'~', 1, KEY_HOME}, {'~', 7, KEY_HOME},
		{'~', 4, KEY_END}, {'~', 8, KEY_END}, {'~', 5, KEY_PPAGE}, {'~', 6, KEY_NPAGE},
		{'~', 2, KEY_IC}, {'~', 3, KEY_DC},
	};
	for (size_t i = 0; i < ARRAY_LEN(k); i++)
		if (k[i].final == final && k[i].param == param)
			return k[i].key;
	return ERR;
}

int ui_readkey(void)
{
	for (;;) {
		int ch = getch();
		if (ch != 27)
			return ch;
		int delay = wgetdelay(stdscr);
		timeout(30);
		int c = getch();
		if (c != '[') {
			if (c != ERR)
				ungetch(c);
			timeout(delay);
			return 27;
		}
		int first = 1, param = 0, plain = 1, key = ERR;
		for (int i = 0; i < 64; i++) {
			c = getch();
			if (c == ERR || c < 0x20 || c > 0x7e)
				break; /* cut short: what came is dropped, the rest is new */
			if (c >= 0x40) {
				if (c == 'M' && first)
					for (int k = 0; k < 3 && getch() != ERR; k++)
						;
				else if (plain)
					key = csi_key(c, param);
				break;
			}
			first = 0;
			if (c >= '0' && c <= '9' && param < 100)
				param = param * 10 + (c - '0');
			else
				plain = 0;
		}
		timeout(delay);
		if (key != ERR)
			return key;
	}
}

int ui_getch(void)
{
	for (;;) {
		int ch = ui_readkey();
		if (ch != KEY_MOUSE)
			return ch;
		MEVENT me;
		if (getmouse(&me) != OK)
			continue;
		if (me.bstate & BUTTON4_PRESSED)
			return KEY_UP;
#ifdef BUTTON5_PRESSED
		if (me.bstate & BUTTON5_PRESSED)
			return KEY_DOWN;
#endif
		if (ui_interrupted())
			return ERR;
	}
}
