// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The processes view: one row per process, or (T) the process tree; a bare
 * number as the filter finds that pid ("which container owns pid X").
 */
#include <stdio.h>
#include <string.h>

#include "ui.h"

static size_t count(const struct snap *s)
{
	return s->nprocs;
}

static const void *row(const struct snap *s, size_t i)
{
	return &s->procs[i];
}

static int match(const void *row, const char *filter)
{
	uint64_t pid;
	if (str_parse_u64(filter, &pid) != 0)
		return -1;
	return ((const struct proc *)row)->pid == (pid_t)pid;
}

static uint64_t tree_id(const void *row)
{
	return (uint64_t)((const struct proc *)row)->pid;
}

static uint64_t tree_up(const void *row)
{
	return (uint64_t)((const struct proc *)row)->ppid;
}

static void detail(const struct snap *s, const void *row, const struct cgroup **g,
		   const struct proc **p)
{
	(void)s;
	*g = NULL;
	*p = row;
}

/* kill signals the process; the other actions work on its cgroup */
static void select_row(const void *row, int key, struct ui_sel *sel)
{
	const struct proc *p = row;
	struct buf b = {0};
	sel->kind = key == 'k' ? SEL_PROC : SEL_CGROUP;
	sel->pid = p->pid;
	sel->start = p->start_ticks;
	snprintf(sel->word, sizeof(sel->word), "%d", (int)p->pid);
	str_escape(&b, p->comm, strlen(p->comm), ESC_TEXT);
	snprintf(sel->label, sizeof(sel->label), "%spid %d (%.150s)",
		 key == 'k' ? "" : "the container of ", (int)p->pid, buf_str(&b));
	buf_free(&b);
}

/* no rows: what was not readable */
static void empty(const struct snap *s, char *msg, size_t n)
{
	(void)s;
	snprintf(msg, n, "No processes found: /proc was not readable (a --sysroot needs its proc/ directory).\n"
		 "1 2 3 switch views.");
}

const struct view_ops view_procs = {
	.name = "Processes",
	.table = &table_ps,
	.cols = {"PID", "NSPID", "USER", "S", "CPU%", "RSS", "CONTAINER", "PIDNS", "NETNS",
		 "CGROUP", "COMMAND"},
	.prio = {"PID", "COMMAND", "CPU%", "USER", "RSS", "S", "CONTAINER", "NSPID"},
	.fill = "COMMAND",
	.sort = "CPU%",
	.what = SNAP_PROCS,
	.count = count,
	.row = row,
	.match = match,
	.tree_id = tree_id,
	.tree_up = tree_up,
	.tree_last = true,
	.tree_on = "process tree",
	.tree_off = "sorted list",
	.detail = detail,
	.select = select_row,
	.empty = empty,
};
