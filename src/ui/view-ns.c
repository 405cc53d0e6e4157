// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The namespaces view: one row per namespace, or (T) the tree of owning user
 * namespaces; a type name as the filter shows that type only; Enter lists
 * the namespace's processes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ui.h"

static size_t count(const struct snap *s)
{
	return s->nns;
}

static const void *row(const struct snap *s, size_t i)
{
	return &s->ns[i];
}

/* a namespace only a file or fd holds has no process to show */
static bool hidden(const struct viewstate *vs, const struct snap *s, const void *row)
{
	(void)vs, (void)s;
	return ((const struct nsinfo *)row)->ghost;
}

/* a type name filters by type, and only by type */
static int match(const void *row, const char *filter)
{
	int t = ns_type_parse(filter);
	if (t < 0)
		return -1;
	return ((const struct nsinfo *)row)->type == (enum ns_type)t;
}

static uint64_t tree_id(const void *row)
{
	return ((const struct nsinfo *)row)->ino;
}

static uint64_t tree_up(const void *row)
{
	return ((const struct nsinfo *)row)->owner_ino;
}

static bool in_ns(const struct drill *d, const struct snap *s, const void *row)
{
	(void)s;
	uint64_t ino = strtoull(d->key, NULL, 10);
	const struct proc *p = row;
	for (int t = 0; t < NS_NTYPES; t++)
		if (p->ns[t] == ino)
			return true;
	return false;
}

static int drill(const void *row, struct drill *d)
{
	const struct nsinfo *n = row;
	d->match = in_ns;
	snprintf(d->key, sizeof(d->key), "%llu", (unsigned long long)n->ino);
	snprintf(d->label, sizeof(d->label), "%s namespace %llu", ns_type_name(n->type),
		 (unsigned long long)n->ino);
	return V_PROCS;
}

static void detail(const struct snap *s, const void *row, const struct cgroup **g,
		   const struct proc **p)
{
	*g = NULL;
	*p = snap_proc(s, ((const struct nsinfo *)row)->pid);
}

/* no rows: what was not readable */
static void empty(const struct snap *s, char *msg, size_t n)
{
	(void)s;
	snprintf(msg, n, "No namespaces found: /proc/PID/ns was not readable (nstop needs root to see every process).\n"
		 "4 shows the processes it could read.");
}

const struct view_ops view_ns = {
	.name = "Namespaces",
	.table = &table_ns,
	.cols = {"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"},
	.prio = {"NS", "TYPE", "NPROCS", "PID", "COMMAND"},
	.fill = "COMMAND",
	.count = count,
	.row = row,
	.hidden = hidden,
	.match = match,
	.tree_id = tree_id,
	.tree_up = tree_up,
	.tree_on = "tree by owning user namespace",
	.tree_off = "list",
	.drill = drill,
	.detail = detail,
	.empty = empty,
};
