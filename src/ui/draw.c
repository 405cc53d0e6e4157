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
