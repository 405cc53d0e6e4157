// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The log pane (l on a container): its last lines from where its runtime
 * keeps them (the same readers as nstop logs), followed while the pane is
 * open, scrolled and searched. A container writes every byte of its log,
 * so each record is escaped once, as it comes in, and only escaped text is
 * kept or drawn. The reads are bounded instead of threaded: the file is a
 * regular one opened O_NOFOLLOW|O_NONBLOCK (collect/logs.c), the first read
 * takes at most LP_READ_MAX of its end, and each tick at most what
 * logs_poll reads in one call, so a huge or hostile log never stalls the
 * dashboard; the pane keeps its last LP_LINES records.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"

#define LP_LINES 5000
#define LP_READ_MAX (1u << 20)
#define LP_TICK_MS 250

struct lp_line {
	char *s;                /* escaped */
	bool err;               /* written to stderr */
};

struct logpane {
	struct sysroot sr;
	bool have_sr;
	struct logsrc ls;
	char title[300];        /* escaped */
	char msg[600];          /* why there is no log to show, escaped */
	struct lp_line lines[LP_LINES];
	size_t head, n;         /* a ring: the oldest at head */
	size_t top;             /* first line shown while not following */
	bool follow;
	long match;             /* the line the search found, -1: none */
	char search[96];
	int body;               /* lines of text the last draw had room for */
	struct timespec last;
	struct buf tmp;
};

static struct lp_line *line_at(struct logpane *p, size_t i)
{
	return &p->lines[(p->head + i) % LP_LINES];
}

static void add_rec(void *arg, const struct log_join *j)
{
	struct logpane *p = arg;
	struct buf *b = &p->tmp;
	buf_reset(b);
	str_escape(b, j->text.p ? j->text.p : "", j->text.len, ESC_TEXT);
	if (j->cut)
		buf_printf(b, " [nstop: cut at %d KiB]", LOG_TEXT_MAX >> 10);
	struct lp_line *l;
	if (p->n == LP_LINES) {
		/* the oldest goes; what is shown stays where it was */
		l = line_at(p, 0);
		free(l->s);
		p->head = (p->head + 1) % LP_LINES;
		p->n--;
		if (p->top)
			p->top--;
		if (p->match >= 0)
			p->match--;
	}
	l = line_at(p, p->n++);
	l->s = xstrdup(buf_str(b));
	l->err = !strcmp(j->stream, "stderr");
}

static void pane_close(struct ui *u)
{
	struct logpane *p = u->logpane;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(line_at(p, i)->s);
	logs_close(&p->ls);
	if (p->have_sr)
		sysroot_close(&p->sr);
	buf_free(&p->tmp);
	free(p);
	u->logpane = NULL;
}

bool logpane_open(struct ui *u)
{
	return u->logpane != NULL;
}

/* l: the selected container's log, in a pane over the table. */
void logpane_start(struct ui *u, const struct container *k)
{
	pane_close(u);
	struct logpane *p = xcalloc(1, sizeof(*p));
	p->ls.fd = -1;
	p->follow = true;
	p->match = -1;
	const char *nm = k->name ? k->name : k->id;
	str_escape(&p->tmp, nm, strlen(nm), ESC_TEXT);
	snprintf(p->title, sizeof(p->title), "log of %s %.200s", runtime_name(k->rt), buf_str(&p->tmp));
	struct nerr e = {0};
	if (!u->live) {
		snprintf(p->msg, sizeof(p->msg), "logs are read on the live system, not a --sysroot");
	} else if (sysroot_open(&p->sr, NULL, &e) == 0) {
		p->have_sr = true;
		if (logs_open_ctr(&p->sr, u->shown, k, &p->ls, &e) == 0) {
			p->ls.read_max = LP_READ_MAX;
			logs_tail(&p->ls, LP_LINES, INT64_MIN, add_rec, p);
			if (p->ls.note[0]) {
				buf_reset(&p->tmp);
				snprintf(u->status, sizeof(u->status), "log: %s", str_esc(&p->tmp, p->ls.note));
			}
		}
	}
	if (e.msg[0]) {
		/* messages name the runtime's files: nothing raw on the screen
		 * (escaping is idempotent on what is escaped already) */
		buf_reset(&p->tmp);
		snprintf(p->msg, sizeof(p->msg), "%s", str_esc(&p->tmp, e.msg));
	}
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	u->logpane = p;
}

/* What was appended since the last look, every LP_TICK_MS while open. */
void logpane_tick(struct ui *u)
{
	struct logpane *p = u->logpane;
	if (!p || (p->ls.fd < 0 && !p->ls.jr))
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	if (ms < LP_TICK_MS)
		return;
	p->last = now;
	logs_poll(&p->ls, INT64_MIN, add_rec, p);
}

/* How long poll() may sleep with the pane open (its next tick). */
int logpane_wait_ms(const struct ui *u)
{
	return u->logpane && (u->logpane->ls.fd >= 0 || u->logpane->ls.jr) ? LP_TICK_MS : 1000;
}

static size_t last_top(const struct logpane *p)
{
	size_t body = p->body > 0 ? (size_t)p->body : 1;
	return p->n > body ? p->n - body : 0;
}

void logpane_draw(struct ui *u, int y0, int h, int w)
{
	struct logpane *p = u->logpane;
	p->body = h - 1;
	if (p->follow)
		p->top = last_top(p);
	char head[512];
	size_t shown = p->n < (size_t)p->body ? p->n : (size_t)p->body;
	if (p->msg[0])
		snprintf(head, sizeof(head), "%s", p->title);
	else if (!p->n)
		snprintf(head, sizeof(head), "%s  (no lines yet)%s", p->title, p->follow ? "  following" : "");
	else
		snprintf(head, sizeof(head), "%s  lines %zu-%zu of %zu%s%s%s", p->title, p->top + 1,
			 p->top + shown, p->n, p->follow ? "  following" : "",
			 p->search[0] ? "  search: " : "", p->search);
	attron(A_REVERSE | A_BOLD);
	put(y0, 0, head, strlen(head), w, false);
	attroff(A_REVERSE | A_BOLD);
	if (p->msg[0]) {
		put(y0 + 2, 2, p->msg, strlen(p->msg), w - 2, false);
		return;
	}
	for (int i = 0; i < p->body; i++) {
		size_t k = p->top + (size_t)i;
		if (k >= p->n)
			break;
		const struct lp_line *l = line_at(p, k);
		attr_t a = (long)k == p->match ? A_REVERSE : l->err && u->color ? COLOR_PAIR(2) : 0;
		attron(a);
		put(y0 + 1 + i, 0, l->s, strlen(l->s), w, false);
		attroff(a);
	}
}

/* The next line from `from` on (dir 1) or back (-1) holding the search. */
static long find(struct logpane *p, long from, int dir)
{
	for (long k = from; k >= 0 && k < (long)p->n; k += dir)
		if (strstr(line_at(p, (size_t)k)->s, p->search))
			return k;
	return -1;
}

static void show_match(struct ui *u, long from, int dir)
{
	struct logpane *p = u->logpane;
	if (!p->search[0]) {
		snprintf(u->status, sizeof(u->status), "log: no search yet (/ searches)");
		return;
	}
	long k = find(p, from, dir);
	if (k < 0) {
		buf_reset(&p->tmp);
		snprintf(u->status, sizeof(u->status), "log: %.150s: not found %s",
			 str_esc(&p->tmp, p->search), dir > 0 ? "below" : "above");
		return;
	}
	p->match = k;
	p->follow = false;
	size_t body = p->body > 0 ? (size_t)p->body : 1;
	if ((size_t)k < p->top || (size_t)k >= p->top + body)
		p->top = (size_t)k > body / 2 ? (size_t)k - body / 2 : 0;
	if (p->top > last_top(p))
		p->top = last_top(p);
}

static void lp_scroll(struct logpane *p, long d)
{
	long t = (long)p->top + d, last = (long)last_top(p);
	if (t < 0)
		t = 0;
	if (t >= last) {
		t = last;
		p->follow = d > 0;
	} else {
		p->follow = false;
	}
	p->top = (size_t)t;
}

/* The pane's own keys, while it is open: it takes every key. */
const struct ui_key logpane_keys[] = {
	{KEY_UP, "Up", "log: scroll up a line", NULL, 0},
	{KEY_DOWN, "Down", "log: scroll down a line", NULL, 0},
	{KEY_PPAGE, "PgUp", "log: a page up", NULL, 0},
	{KEY_NPAGE, "PgDn", "log: a page down", NULL, 0},
	{KEY_HOME, "Home", "log: the first line kept", NULL, 0},
	{KEY_END, "End", "log: the last line, following again", NULL, 0},
	{'/', "/", "log: search for text (as shown, escaped)", NULL, 0},
	{'n', "n", "log: the next match below", NULL, 0},
	{'N', "N", "log: the previous match above", NULL, 0},
	{27, "Esc", "log: close the pane (also q)", NULL, 'q'},
};
const size_t logpane_nkeys = ARRAY_LEN(logpane_keys);
const char logpane_hint[] = "Up/Down/PgUp/PgDn scroll  End follows  / search  n/N next/previous  Esc or q closes";

void logpane_key(struct ui *u, int ch, void (*redraw)(void))
{
	struct logpane *p = u->logpane;
	long page = p->body > 1 ? p->body - 1 : 1;
	switch (ch) {
	case KEY_UP: lp_scroll(p, -1); break;
	case KEY_DOWN: lp_scroll(p, 1); break;
	case KEY_PPAGE: lp_scroll(p, -page); break;
	case KEY_NPAGE: lp_scroll(p, page); break;
	case KEY_HOME: p->top = 0; p->follow = false; break;
	case KEY_END: p->follow = true; break;
	case '/': {
		/* the newest match first, upwards from the last line shown, as
		 * a log is read; then n goes down and N up from it */
		char f[sizeof(p->search)] = "";
		if (dialog_prompt("search log: ", f, sizeof(f), redraw) && f[0]) {
			snprintf(p->search, sizeof(p->search), "%s", f);
			p->match = -1;
			size_t body = p->body > 0 ? (size_t)p->body : 1;
			show_match(u, (long)(p->follow ? p->n : p->top + body) - 1, -1);
		}
		break;
	}
	case 'n':
		show_match(u, p->match >= 0 ? p->match + 1 : (long)p->top, 1);
		break;
	case 'N':
		show_match(u, p->match >= 0 ? p->match - 1 : (long)p->top + p->body - 1, -1);
		break;
	case 27:
	case 'q':
		pane_close(u);
		break;
	default:
		snprintf(u->status, sizeof(u->status), "log: %s", logpane_hint);
	}
}

void logpane_fini(struct ui *u)
{
	pane_close(u);
}
