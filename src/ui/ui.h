/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dashboard's internal interface between the screen, dialogs and action keys. */
#ifndef NSTOP_UI_H
#define NSTOP_UI_H

#include "../nstop.h"

/* ---- dialog.c ---- */
struct form_field {
	const char *label;
	char val[64];
	const char *hint;       /* shown under the field while it is valid */
	bool (*check)(const char *v, char *err, size_t n);
	char err[128];
};
bool dialog_form(const char *title, const char *note, struct form_field *f, int n,
		 void (*redraw)(void));
int dialog_menu(const char *title, const char *const *items, int n, int sel, void (*redraw)(void));
bool dialog_confirm(const char *question, void (*redraw)(void));

/* ---- ui.c ---- */
bool ui_interrupted(void);
void ui_redraw(void);

/* ---- act.c: the action keys ---- */
enum sel_kind { SEL_NONE, SEL_CONTAINER, SEL_CGROUP, SEL_PROC };
struct ui_sel {
	enum sel_kind kind;
	char word[4200];        /* what the resolver gets: an id or name, a path, a pid */
	char label[200];        /* for messages, already escaped */
	pid_t pid;              /* SEL_PROC */
	uint64_t start;         /* SEL_PROC: its start time as shown */
	char name[72];          /* SEL_CONTAINER of nstop's own: its name */
};
void ui_act(int key, const struct ui_sel *sel, const char *audit_log, char *status, size_t n);

#endif
