// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's action keys: t (limits dialog), f (freeze/thaw), k (signal
 * menu and confirmation), u (undo). Each resolves the selected row with the
 * CLI's resolver and calls the CLI's run_* function; the result goes to the
 * status line, the new values show on the next refresh.
 */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../nstop.h"
#include "ui.h"

static bool check_lim(enum limit_key k, const char *v, char *err, size_t n)
{
	struct limit_val lv;
	struct nerr e = {0};
	if (!*v)
		return true; /* empty: leave it as it is */
	if (limit_parse(k, v, &lv, &e) == 0)
		return true;
	snprintf(err, n, "%s", e.msg);
	return false;
}
static bool check_cpu(const char *v, char *err, size_t n) { return check_lim(LIM_CPU, v, err, n); }
static bool check_mem(const char *v, char *err, size_t n) { return check_lim(LIM_MEM, v, err, n); }
static bool check_high(const char *v, char *err, size_t n) { return check_lim(LIM_HIGH, v, err, n); }
static bool check_pids(const char *v, char *err, size_t n) { return check_lim(LIM_PIDS, v, err, n); }

/* The current value as the user would type it: "0.2", "64M", "max", "10". */
static void typed(enum limit_key k, const struct limit_val *v, char *out, size_t n)
{
	if (!v->set)
		snprintf(out, n, "%s", "");
	else if (v->max)
		snprintf(out, n, "max");
	else if (k == LIM_CPU)
		snprintf(out, n, "%g", (double)v->v / (double)(v->period ? v->period : 100000));
	else if (k == LIM_PIDS)
		snprintf(out, n, "%" PRIu64, v->v);
	else if (v->v % (1u << 30) == 0)
		snprintf(out, n, "%" PRIu64 "G", v->v >> 30);
	else if (v->v % (1u << 20) == 0)
		snprintf(out, n, "%" PRIu64 "M", v->v >> 20);
	else if (v->v % 1024 == 0)
		snprintf(out, n, "%" PRIu64 "K", v->v >> 10);
	else
		snprintf(out, n, "%" PRIu64, v->v);
}

static void say(char *status, size_t n, const char *what, const struct nerr *e)
{
	snprintf(status, n, "%s: %s", what, e->msg);
}

static void limits_dialog(struct sysroot *sr, struct audit *a, struct act_target *t,
			  const struct ui_sel *sel, char *status, size_t n)
{
	struct limits cur, want = {0}, old;
	act_limit_read(sr, t, &cur);
	static const enum limit_key keys[] = {LIM_CPU, LIM_MEM, LIM_HIGH, LIM_PIDS};
	struct form_field f[] = {
		{.label = "CPU", .hint = "CPUs (1.5), % of one (50%) or max", .check = check_cpu},
		{.label = "Memory", .hint = "512M, 2G, bytes or max", .check = check_mem},
		{.label = "Memory high", .hint = "v2 only: reclaim above it", .check = check_high},
		{.label = "Pids", .hint = "a count or max", .check = check_pids},
	};
	char init[4][64];
	for (int i = 0; i < 4; i++) {
		typed(keys[i], &cur.l[keys[i]], init[i], sizeof(init[i]));
		memcpy(f[i].val, init[i], sizeof(f[i].val));
	}
	char title[240];
	snprintf(title, sizeof(title), " Limits of %s ", sel->label);
	if (!dialog_form(title, NULL, f, 4, ui_redraw)) {
		snprintf(status, n, "t: cancelled, nothing changed");
		return;
	}
	bool any = false;
	struct nerr e = {0};
	for (int i = 0; i < 4; i++) {
		if (!strcmp(f[i].val, init[i]) || !f[i].val[0])
			continue;
		if (limit_parse(keys[i], f[i].val, &want.l[keys[i]], &e) < 0) {
			say(status, n, "t", &e);
			return;
		}
		any = true;
	}
	if (!any) {
		snprintf(status, n, "t: no value changed");
		return;
	}
	bool force = false;
	uint64_t use;
	const struct limit_val *m = &want.l[LIM_MEM];
	if (m->set && !m->max && act_mem_usage(sr, t, &use) == 0 && m->v < use) {
		char q[200], a1[32], b1[32];
		str_fmt_size(a1, sizeof(a1), m->v);
		str_fmt_size(b1, sizeof(b1), use);
		snprintf(q, sizeof(q), "Memory %s is below the %s in use: the kernel reclaims or OOM-kills. Apply?",
			 a1, b1);
		if (!dialog_confirm(q, ui_redraw)) {
			snprintf(status, n, "t: not applied, nothing changed");
			return;
		}
		force = true;
	}
	if (run_limit(sr, a, t, &want, force, &old, &e) < 0) {
		say(status, n, "t", &e);
		return;
	}
	size_t len = (size_t)snprintf(status, n, "limits of %s:", sel->label);
	for (int k = 0; k < LIM_N && len < n; k++) {
		if (!want.l[k].set)
			continue;
		char o1[32], n1[32];
		limit_human(k, &old.l[k], o1, sizeof(o1));
		limit_human(k, &want.l[k], n1, sizeof(n1));
		len += (size_t)snprintf(status + len, n - len, " %s %s -> %s", limit_name(k), o1, n1);
	}
}

static const char *const sig_items[] = {"TERM", "KILL", "INT", "HUP", "STOP", "CONT", "USR1", "USR2"};

static void kill_menu(struct sysroot *sr, struct audit *a, struct act_target *t,
		      const struct ui_sel *sel, char *status, size_t n)
{
	int i = dialog_menu(" Signal ", sig_items, (int)ARRAY_LEN(sig_items), 0, ui_redraw);
	if (i < 0) {
		snprintf(status, n, "k: cancelled");
		return;
	}
	int sig = sig_parse(sig_items[i]);
	char q[300];
	struct nerr e = {0};
	if (sel->kind == SEL_PROC) {
		snprintf(q, sizeof(q), "Send SIG%s to %s?", sig_items[i], sel->label);
		if (!dialog_confirm(q, ui_redraw)) {
			snprintf(status, n, "k: not sent");
			return;
		}
		if (run_kill_pid(sr, a, sel->pid, sel->start, sig, &e) < 0)
			say(status, n, "k", &e);
		else
			snprintf(status, n, "SIG%s sent to %s", sig_items[i], sel->label);
		return;
	}
	int mi = act_primary_mount(sr, t);
	pid_t *p = NULL;
	size_t cnt = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p);
	free(p);
	snprintf(q, sizeof(q), "Send SIG%s to %zu process%s of %s?", sig_items[i], cnt,
		 cnt == 1 ? "" : "es", sel->label);
	if (!dialog_confirm(q, ui_redraw)) {
		snprintf(status, n, "k: not sent");
		return;
	}
	struct kill_result kr;
	if (run_kill(sr, a, t, sig, 0, &kr, &e) < 0)
		say(status, n, "k", &e);
	else
		snprintf(status, n, "SIG%s sent to %u process%s of %s%s", sig_items[i], kr.signalled,
			 kr.signalled == 1 ? "" : "es", sel->label, kr.cgroup_kill ? " (cgroup.kill)" : "");
}

void ui_act(int key, const struct ui_sel *sel, const char *audit_log, char *status, size_t n)
{
	if (sel->kind == SEL_NONE) {
		snprintf(status, n, "%c: select a container, cgroup or process first", key);
		return;
	}
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		say(status, n, "action", &e);
		return;
	}
	struct act_target t;
	struct audit a = {.fd = -1};
	bool need_target = !(key == 'k' && sel->kind == SEL_PROC);
	if (need_target && (act_resolve(&sr, sel->word, &t, &e) < 0 ||
			    act_check_writable(&sr, &t, &e) < 0)) {
		snprintf(status, n, "%c: %s", key, e.msg);
		sysroot_close(&sr);
		return;
	}
	if (audit_open(&a, audit_log, &e) < 0) {
		snprintf(status, n, "%c: %s", key, e.msg);
	} else if (key == 't') {
		limits_dialog(&sr, &a, &t, sel, status, n);
	} else if (key == 'f') {
		bool freeze = act_frozen(&sr, &t) != 1;
		int before;
		if (run_freeze(&sr, &a, &t, freeze, 5, &before, &e) < 0)
			say(status, n, "f", &e);
		else
			snprintf(status, n, "%s %s", freeze ? "froze" : "thawed", sel->label);
	} else if (key == 'k') {
		kill_menu(&sr, &a, &t, sel, status, n);
	} else if (key == 'u') {
		struct undo_result res;
		if (act_undo(&sr, &a, audit_log, &t, &res, &e) < 0) {
			say(status, n, "u", &e);
		} else {
			size_t len = (size_t)snprintf(status, n, "undone on %s:", sel->label);
			for (int k = 0; k < LIM_N && len < n; k++) {
				if (!res.restored.l[k].set)
					continue;
				char o1[32], n1[32];
				limit_human(k, &res.before.l[k], o1, sizeof(o1));
				limit_human(k, &res.restored.l[k], n1, sizeof(n1));
				len += (size_t)snprintf(status + len, n - len, " %s %s -> %s",
							limit_name(k), o1, n1);
			}
		}
		act_target_free(&res.target);
	}
	audit_close(&a);
	if (need_target)
		act_target_free(&t);
	sysroot_close(&sr);
}
