// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroups view: the cgroup trees in path order (a tree drawn by
 * indentation) unless a sort is chosen; Left collapses a subtree, Right
 * expands it; Enter narrows the view to the selected subtree.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* hash of a cgroup path -> 1 while collapsed; the view's own state */
static struct hmap collapsed;

static size_t count(const struct snap *s)
{
	return s->ncgs;
}

static const void *row(const struct snap *s, size_t i)
{
	return &s->cgs[i];
}

/* hidden when an ancestor is collapsed (a filter shows everything) */
static bool hidden(const struct viewstate *vs, const struct snap *s, const void *row)
{
	(void)s;
	if (!collapsed.len || vs->filter[0])
		return false;
	const char *path = ((const struct cgroup *)row)->path;
	for (const char *q = strchr(path + 1, '/'); q; q = strchr(q + 1, '/'))
		if (hmap_get(&collapsed, hash_bytes(path, (size_t)(q - path)), NULL))
			return true;
	return false;
}

static bool in_subtree(const struct drill *d, const struct snap *s, const void *row)
{
	(void)s;
	const struct cgroup *g = row;
	size_t n = strlen(d->key);
	return !strncmp(g->path, d->key, n) &&
	       (g->path[n] == '\0' || g->path[n] == '/' || !strcmp(d->key, "/"));
}

static int drill(const void *row, struct drill *d)
{
	const struct cgroup *g = row;
	d->match = in_subtree;
	snprintf(d->key, sizeof(d->key), "%s", g->path);
	snprintf(d->label, sizeof(d->label), "cgroup %.140s", g->path);
	return V_CGROUPS;
}

static void detail(const struct snap *s, const void *row, const struct cgroup **g,
		   const struct proc **p)
{
	(void)s;
	*g = row;
	*p = NULL;
}

static bool frozen(const struct snap *s, const void *row)
{
	(void)s;
	return ((const struct cgroup *)row)->frozen == 1;
}

static int indent(const void *row)
{
	return 2 * ((const struct cgroup *)row)->depth + 2;
}

/* the tree: indentation and the last component */
static void name_cell(const void *row, struct buf *b)
{
	const struct cgroup *g = row;
	for (int d = 0; d < g->depth; d++)
		buf_adds(b, "  ");
	if (hmap_get(&collapsed, hash_bytes(g->path, strlen(g->path)), NULL))
		buf_adds(b, "+ ");
	const char *last = strrchr(g->path, '/');
	const char *name = last && last[1] ? last + 1 : g->path;
	/* systemd's \x2d and friends, decoded for reading, then escaped like
	 * everything else */
	char *dec = str_unescape_systemd(name);
	str_escape(b, dec, strlen(dec), ESC_TEXT);
	free(dec);
}

/* no cgroup filesystem, or none readable: say why instead of an empty table */
static void empty(const struct snap *s, char *msg, size_t n)
{
	if (s->cg_err.msg[0])
		snprintf(msg, n, "No cgroups: %s", s->cg_err.msg);
	else
		snprintf(msg, n, "No cgroups found: no cgroup filesystem is mounted (or none was read yet).\n"
			 "4 shows every process.");
}

static void select_row(const void *row, int key, struct ui_sel *sel)
{
	(void)key;
	const struct cgroup *g = row;
	struct buf b = {0};
	sel->kind = SEL_CGROUP;
	snprintf(sel->word, sizeof(sel->word), "%s", g->path);
	str_escape(&b, g->path, strlen(g->path), ESC_TEXT);
	snprintf(sel->label, sizeof(sel->label), "cgroup %.180s", buf_str(&b));
	buf_free(&b);
}

/* z: collapse the selected subtree, or expand it again (path order only) */
static bool key(struct ui *u, int ch)
{
	if (ch != 'z')
		return false;
	struct viewstate *vs = &u->vs[u->view];
	if (!u->nrows || vs->sort >= 0)
		return true;
	const struct cgroup *g = u->rows[vs->sel];
	uint64_t ph = hash_bytes(g->path, strlen(g->path));
	if (!hmap_get(&collapsed, ph, NULL)) {
		if (strcmp(g->path, "/"))
			hmap_put(&collapsed, ph, 1);
	} else {
		/* hmap has no delete: rebuild it without this path */
		struct hmap keep = {0};
		for (size_t k = 0; k < collapsed.cap; k++)
			if (collapsed.keys[k] && collapsed.keys[k] != ph)
				hmap_put(&keep, collapsed.keys[k], 1);
		hmap_free(&collapsed);
		collapsed = keep;
	}
	return true;
}

static void fini(void)
{
	hmap_free(&collapsed);
}

const struct view_ops view_cgroups = {
	.name = "Cgroups",
	.table = &table_cgroups,
	.cols = {"PATH", "PROCS", "CPU%", "CPU_LIMIT%", "MEM", "MEM_LIMIT", "WSET", "WSET%", "PIDS", "PIDS_LIMIT",
		 "THR%", "OOM", "PSI_CPU", "PSI_MEM", "FROZEN"},
	.prio = {"PATH", "CPU%", "MEM", "MEM_LIMIT", "PROCS", "CPU_LIMIT%", "PIDS", "PIDS_LIMIT", "FROZEN"},
	.what = SNAP_CGROUPS,
	.count = count,
	.row = row,
	.hidden = hidden,
	.drill = drill,
	.detail = detail,
	.frozen = frozen,
	.indent = indent,
	.name_cell = name_cell,
	.empty = empty,
	.select = select_row,
	.key = key,
	.fini = fini,
};
