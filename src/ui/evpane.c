// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The events view (5): the timeline of exits, OOM kills, container starts
 * and exits, throttling and (in a recording) actions, newest last, over
 * the table. Enter jumps to the event's moment: the recording's sample at
 * or before it, or live the kept past (travel.c). Live it lists what the
 * collector's thread saw since the dashboard started (source.c); from a
 * recording, what it recorded (replay_events). Every string in an event is
 * raw (a process's comm, a container's name, the audit log's fields): it
 * is escaped here before it is drawn.
 */
#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"

struct evpane {
	struct event *ev;
	size_t n;
	size_t sel, top;
	int body;
	char err[200];
	char filter[128];       /* /: the lines holding it, "": all */
	size_t *idx;            /* the events shown: indexes into ev */
	size_t nidx;
};

static void line(struct buf *b, const struct event *e);

/* the events whose line holds the filter */
static void refilter(struct evpane *p)
{
	struct buf b = {0};
	free(p->idx);
	p->idx = xcalloc(p->n ? p->n : 1, sizeof(*p->idx));
	p->nidx = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->filter[0]) {
			buf_reset(&b);
			line(&b, &p->ev[i]);
			if (!strstr(buf_str(&b), p->filter))
				continue;
		}
		p->idx[p->nidx++] = i;
	}
	buf_free(&b);
}

bool evpane_open(const struct ui *u)
{
	return u->evpane != NULL;
}

static void load(struct ui *u)
{
	struct evpane *p = u->evpane;
	struct nerr e = {0};
	bool end = !p->nidx || p->sel + 1 >= p->nidx;
	free(p->ev);
	p->ev = NULL;
	p->n = 0;
	p->err[0] = '\0';
	if (!u->src->events) {
		snprintf(p->err, sizeof(p->err), "this source has no events");
		return;
	}
	if (u->src->events(u->src, &p->ev, &p->n, &e) < 0) {
		struct buf b = {0};
		str_escape(&b, e.msg, strlen(e.msg), ESC_TEXT);
		snprintf(p->err, sizeof(p->err), "%s", buf_str(&b));
		buf_free(&b);
	}
	refilter(p);
	/* following the newest, unless moved up */
	if (end || p->sel >= p->nidx)
		p->sel = p->nidx ? p->nidx - 1 : 0;
}

/* 5: open it (again: reloaded) */
bool on_events(struct ui *u, int ch)
{
	(void)ch;
	if (!u->evpane)
		u->evpane = xcalloc(1, sizeof(*u->evpane));
	load(u);
	return true;
}

void evpane_fini(struct ui *u)
{
	if (!u->evpane)
		return;
	free(u->evpane->ev);
	free(u->evpane->idx);
	free(u->evpane);
	u->evpane = NULL;
}

/* live: the newest events at each refresh */
void evpane_tick(struct ui *u)
{
	if (u->evpane && !u->replay)
		load(u);
}

static void when(char *out, size_t n, int64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char a[32];
	if (!localtime_r(&t, &tm) || !strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(a, sizeof(a), "?");
	snprintf(out, n, "%s.%d", a, (int)((usec % 1000000 + 1000000) % 1000000 / 100000));
}

/* one event as a line, every raw string escaped */
static void line(struct buf *b, const struct event *e)
{
	char t[48];
	when(t, sizeof(t), e->time_usec);
	buf_printf(b, "%s  %-15s ", t, ev_type_name(e->type));
	const char *who = e->ctr_name[0] ? e->ctr_name : e->ctr_id[0] ? e->ctr_id : "-";
	str_escape(b, who, strlen(who), ESC_TEXT);
	if (e->pid)
		buf_printf(b, "  pid %d", (int)e->pid);
	if (e->comm[0]) {
		buf_adds(b, " (");
		str_escape(b, e->comm, strnlen(e->comm, sizeof(e->comm)), ESC_TEXT);
		buf_adds(b, ")");
	}
	if (e->has_status && e->st.exited)
		buf_printf(b, "  exited %d", e->st.code);
	if (e->has_status && e->st.signaled) {
		const char *sn = sigabbrev_np(e->st.sig);
		buf_printf(b, "  killed by SIG%s%s", sn ? sn : "?", e->st.core ? " (core dumped)" : "");
	}
	if (e->type == EV_OOM_KILL) {
		buf_printf(b, "  %llu OOM kill%s", (unsigned long long)e->count, e->count == 1 ? "" : "s");
		if (e->victim) {
			buf_printf(b, ", victim pid %d (", (int)e->victim);
			str_escape(b, e->victim_comm, strnlen(e->victim_comm, sizeof(e->victim_comm)), ESC_TEXT);
			buf_adds(b, ")");
		}
	}
	if (e->type == EV_THROTTLE_BEGIN)
		buf_printf(b, "  throttled in %llu CPU period%s", (unsigned long long)e->count,
			   e->count == 1 ? "" : "s");
	if (e->type == EV_ACTION) {
		buf_adds(b, "  ");
		str_escape(b, e->action, strnlen(e->action, sizeof(e->action)), ESC_TEXT);
		buf_adds(b, " ");
		str_escape(b, e->result, strnlen(e->result, sizeof(e->result)), ESC_TEXT);
		if (e->detail[0]) {
			buf_adds(b, " ");
			str_escape(b, e->detail, strnlen(e->detail, sizeof(e->detail)), ESC_TEXT);
		}
	}
}

void evpane_draw(struct ui *u, int y0, int h, int w)
{
	struct evpane *p = u->evpane;
	struct buf b = {0};
	char head[160];
	struct buf f = {0};
	if (p->filter[0]) {
		buf_adds(&f, "  filter: ");
		str_escape(&f, p->filter, strlen(p->filter), ESC_TEXT);
	}
	snprintf(head, sizeof(head), "events%s: %zu%s  (Enter: to its moment, /: filter, Esc: back)",
		 u->replay ? " in the recording" : " since the dashboard started", p->nidx, f.len ? buf_str(&f) : "");
	buf_free(&f);
	attron(A_BOLD | A_UNDERLINE);
	put(y0, 0, head, strlen(head), w, false);
	attroff(A_BOLD | A_UNDERLINE);
	p->body = h - 1 > 1 ? h - 1 : 1;
	if (p->err[0] || !p->nidx) {
		const char *m = p->err[0] ? p->err : p->n ? "No event matches the filter (/ changes it, Esc clears it)." : u->replay ? "No events in the recording (a recording of format 1 has none)."
			      : "No events yet: exits, OOM kills, container starts and exits, throttling.";
		move(y0 + 2, 0);
		clrtoeol();
		put(y0 + 2, 1, m, strlen(m), w - 1, false);
		return;
	}
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)p->body)
		p->top = p->sel + 1 - (size_t)p->body;
	for (int r = 0; r < p->body; r++) {
		size_t i = p->top + (size_t)r;
		move(y0 + 1 + r, 0);
		clrtoeol();
		if (i >= p->nidx)
			continue;
		buf_reset(&b);
		line(&b, &p->ev[p->idx[i]]);
		if (i == p->sel)
			attron(A_REVERSE);
		put(y0 + 1 + r, 0, b.p, b.len, w, false);
		if (i == p->sel)
			attroff(A_REVERSE);
	}
	buf_free(&b);
}

static bool ev_move(struct ui *u, int ch)
{
	struct evpane *p = u->evpane;
	long n = (long)p->nidx, s = (long)p->sel;
	long page = p->body > 1 ? p->body - 1 : 1;
	s += ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1 : ch == KEY_PPAGE ? -page : ch == KEY_NPAGE ? page
	     : ch == KEY_HOME ? -n : n;
	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	p->sel = (size_t)s;
	return true;
}

/* Esc: the filter first, then back to the view */
static bool ev_close(struct ui *u, int ch)
{
	(void)ch;
	if (u->evpane->filter[0]) {
		u->evpane->filter[0] = '\0';
		refilter(u->evpane);
		u->evpane->sel = u->evpane->nidx ? u->evpane->nidx - 1 : 0;
		return true;
	}
	evpane_fini(u);
	return true;
}

/* /: only the events whose line holds the text (as drawn, escaped) */
static bool ev_filter(struct ui *u, int ch)
{
	(void)ch;
	char f[128];
	snprintf(f, sizeof(f), "%s", u->evpane->filter);
	if (dialog_prompt("filter events: ", f, sizeof(f), ui_redraw)) {
		snprintf(u->evpane->filter, sizeof(u->evpane->filter), "%s", f);
		refilter(u->evpane);
		u->evpane->sel = u->evpane->nidx ? u->evpane->nidx - 1 : 0;
	}
	return true;
}

/* Enter: the moment of the selected event, in the view shown before 5 */
static bool ev_jump(struct ui *u, int ch)
{
	(void)ch;
	struct evpane *p = u->evpane;
	if (!p->nidx)
		return true;
	struct event e = p->ev[p->idx[p->sel]];
	struct buf b = {0};
	line(&b, &e);
	evpane_fini(u);
	travel_to(u, e.time_usec, '\n');
	if (!u->status[0])
		snprintf(u->status, sizeof(u->status), "at: %s", buf_str(&b));
	buf_free(&b);
	return true;
}

static bool ev_view(struct ui *u, int ch)
{
	evpane_fini(u);
	u->view = (enum view)(ch - '1');
	u->depth = 0;
	return true;
}

static bool ev_quit(struct ui *u, int ch)
{
	(void)u, (void)ch;
	return false;
}

/* the pane takes every key while open; the time keys move as outside it */
const struct ui_key evpane_keys[] = {
	{KEY_UP, "Up", "events: move up", ev_move, 0},
	{KEY_DOWN, "Down", "events: move down", ev_move, 0},
	{KEY_PPAGE, "PgUp", "events: page up", ev_move, 0},
	{KEY_NPAGE, "PgDn", "events: page down", ev_move, 0},
	{KEY_HOME, "Home", "events: the oldest", ev_move, 0},
	{KEY_END, "End", "events: the newest", ev_move, 0},
	{'\n', "Enter", "events: to the selected event's moment (the sample at or before it)", ev_jump, KEY_ENTER},
	{27, "Esc", "events: clear the filter, else back to the view before", ev_close, 0},
	{'/', "/", "events: only those whose line holds a text", ev_filter, 0},
	{'1', "1", "events: the containers view", ev_view, 0},
	{'2', "2", "events: the namespaces view", ev_view, 0},
	{'3', "3", "events: the cgroups view", ev_view, 0},
	{'4', "4", "events: the processes view", ev_view, 0},
	{'5', "5", "events: reload", on_events, 0},
	{'[', "[", "events: one sample back, as outside", on_time_step, 0},
	{']', "]", "events: one sample forward", on_time_step, 0},
	{'q', "q", "events: quit nstop", ev_quit, 0},
};
const size_t evpane_nkeys = ARRAY_LEN(evpane_keys);

/* false: quit */
bool evpane_key(struct ui *u, int ch)
{
	for (size_t i = 0; i < evpane_nkeys; i++)
		if (evpane_keys[i].key == ch || (evpane_keys[i].alias && evpane_keys[i].alias == ch))
			return evpane_keys[i].fn(u, ch);
	return true;
}
