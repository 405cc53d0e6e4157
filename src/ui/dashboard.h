/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ui layer's public entry: what main and the unit tests call. The dashboard's
 * internals are ui/ui.h. */
#ifndef NSTOP_DASHBOARD_H
#define NSTOP_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* ---- ui/ui.c: the dashboard (its internals: ui/ui.h) ---- */
struct uiopts {
	const char *sysroot;
	const char *audit_log;  /* NULL: the default */
	double interval;
	bool interval_set;      /* -d given: the config file's interval loses */
	bool readonly, nocolor;
	bool nomouse;           /* --no-mouse */
	const char *replay, *at;  /* --replay PATH [--at TIME]: a recording, not live */
};
int ui_run(const struct uiopts *o);
int ui_bench(const struct uiopts *o, int k, const char *view);
/* The dashboard's one key table (ui/ui.c): the help screen, --help-keys, the
 * dispatch and tests/unit/test_keys.c all read it, so a key is defined once. */
struct ui;
struct ui_key {
	int key;
	const char *name;
	const char *help;
	bool (*fn)(struct ui *u, int key);  /* false: quit */
	int alias;              /* a second code with the same meaning, 0: none */
};
extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;
/* the log pane's own keys (ui/logpane.c): it takes every key while open */
extern const struct ui_key logpane_keys[];
extern const size_t logpane_nkeys;
/* the events view's (ui/evpane.c): it takes every key while open */
extern const struct ui_key evpane_keys[];
extern const size_t evpane_nkeys;

#endif
