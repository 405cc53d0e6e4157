// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The view table and the rows a view lists: drilled-down, filtered, then
 * sorted or ordered as a tree. Everything a view does differently comes
 * from its struct view_ops (view-*.c); nothing here branches on the view.
 */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

const struct view_ops *const ui_views[V_NVIEWS] = {
	[V_CONTAINERS] = &view_containers,
	[V_NS] = &view_ns,
	[V_CGROUPS] = &view_cgroups,
	[V_PROCS] = &view_procs,
};

/*
 * What each view reads: per-process stat only for the processes view, the
 * whole cgroup trees only for the cgroups view (the others read their
 * containers' cgroups). Namespaces and containers are derived from what the
 * collector keeps, and the header counts them everywhere.
 */
unsigned view_what(enum view v)
{
	return SNAP_NS | SNAP_CONTAINERS | SNAP_HOST | ui_views[v]->what;
}

/* Views start with their default columns and sorts, biggest first for numbers. */
void ui_init(struct ui *u)
{
	u->views = ui_views;
	for (int v = 0; v < V_NVIEWS; v++) {
		const struct view_ops *o = ui_views[v];
		struct viewstate *vs = &u->vs[v];
		memcpy(vs->cols, o->cols, sizeof(vs->cols));
		vs->sort = -1;
		const struct column *c = o->sort ? view_col(u, (enum view)v, o->sort) : NULL;
		if (c) {
			vs->sort = (int)(c - o->table->cols);
			vs->reverse = c->right;
		}
	}
}

void ui_fini(struct ui *u)
{
	for (int v = 0; v < V_NVIEWS; v++)
		if (ui_views[v]->fini)
			ui_views[v]->fini();
	free(u->rows);
	buf_free(&u->tmp);
	buf_free(&u->cell.tmp);
	buf_free(&u->sort_a.tmp);
	buf_free(&u->sort_b.tmp);
	tree_free(&u->tree);
	free(u->trows);
}

const struct column *view_col(const struct ui *u, enum view v, const char *name)
{
	(void)u;
	return table_find(ui_views[v]->table, name, strlen(name));
}

size_t view_ncols(const struct ui *u, enum view v)
{
	size_t n = 0;
	while (n < VIEW_MAXCOLS && u->vs[v].cols[n])
		n++;
	return n;
}

/* Whether the snapshot on screen holds what the view shows (a view switch
 * waits for the collector when it does not). */
bool ui_covered(const struct ui *u)
{
	unsigned need = view_what(u->view);
	/* a sample of the past has what it had: nothing more will come */
	return u->shown && ((u->shown->what & need) == need || u->replay || u->now);
}

static void add_row(struct ui *u, const void *r)
{
	if (u->nrows == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 256;
		u->rows = xreallocarray(u->rows, u->cap, sizeof(*u->rows));
	}
	u->rows[u->nrows++] = r;
}

static bool row_matches(struct ui *u, enum view v, const void *row, const char *filter)
{
	if (!*filter)
		return true;
	int m = ui_views[v]->match ? ui_views[v]->match(row, filter) : -1;
	if (m >= 0)
		return m;
	size_t nc = view_ncols(u, v);
	for (size_t k = 0; k < nc; k++) {
		const struct column *c = view_col(u, v, u->vs[v].cols[k]);
		if (!c)
			continue;
		get_cell(c, u->shown, row, &u->cell);
		buf_reset(&u->tmp);
		cell_text(&u->tmp, &u->cell);
		if (strcasestr(buf_str(&u->tmp), filter))
			return true;
	}
	return false;
}

static int cmp_cells(const struct cell *a, const struct cell *b)
{
	if (a->type == CELL_NONE || b->type == CELL_NONE)
		return (a->type == CELL_NONE) - (b->type == CELL_NONE);
	double x = 0, y = 0;
	switch (a->type) {
	case CELL_STR: {
		size_t n = a->slen < b->slen ? a->slen : b->slen;
		int r = memcmp(a->s, b->s, n);
		return r ? r : (a->slen > b->slen) - (a->slen < b->slen);
	}
	case CELL_DBL: x = a->d, y = b->d; break;
	case CELL_I64: x = (double)a->i, y = (double)b->i; break;
	default: x = (double)a->u, y = (double)b->u; break;
	}
	return (x > y) - (x < y);
}

struct sort_ctx {
	struct ui *u;
	const struct column *col;
	bool rev;
};

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	struct sort_ctx *c = arg;
	const void *a = *(const void *const *)pa, *b = *(const void *const *)pb;
	get_cell(c->col, c->u->shown, a, &c->u->sort_a);
	get_cell(c->col, c->u->shown, b, &c->u->sort_b);
	bool na = c->u->sort_a.type == CELL_NONE, nb = c->u->sort_b.type == CELL_NONE;
	if (na && nb)
		return (a > b) - (a < b);
	if (na || nb)
		return na - nb; /* not available: last, either way */
	int r = cmp_cells(&c->u->sort_a, &c->u->sort_b);
	if (!r) /* ties keep snapshot order, so equal rows never swap places */
		return (a > b) - (a < b);
	return c->rev ? -r : r;
}

/* Parents before children, each row under its parent (a process under its
 * parent, a namespace under its owning user namespace). */
static void order_tree(struct ui *u, const struct view_ops *o)
{
	long *parent = xcalloc(u->nrows + 1, sizeof(*parent));
	struct hmap pos = {0};
	for (size_t i = 0; i < u->nrows; i++)
		hmap_put(&pos, o->tree_id(u->rows[i]), (uint32_t)i);
	for (size_t i = 0; i < u->nrows; i++) {
		uint32_t k;
		uint64_t up = o->tree_up(u->rows[i]);
		parent[i] = up > 0 && hmap_get(&pos, up, &k) && k != i ? (long)k : -1;
	}
	/* a loop (pid reuse mid-walk) must not hide rows: cut it */
	for (size_t i = 0; i < u->nrows; i++) {
		long q = parent[i];
		for (size_t steps = 0; q >= 0 && steps <= u->nrows; steps++, q = parent[q])
			if ((size_t)q == i) {
				parent[i] = -1;
				break;
			}
	}
	tree_free(&u->tree);
	tree_build(&u->tree, parent, u->nrows);
	u->trows = xreallocarray(u->trows, u->nrows + 1, sizeof(*u->trows));
	for (size_t i = 0; i < u->tree.n; i++)
		u->trows[i] = u->rows[u->tree.order[i]];
	memcpy(u->rows, u->trows, u->tree.n * sizeof(*u->rows));
	hmap_free(&pos);
	free(parent);
}

void ui_build_rows(struct ui *u)
{
	const struct snap *s = u->shown;
	enum view v = u->view;
	const struct view_ops *o = ui_views[v];
	struct viewstate *vs = &u->vs[v];
	const struct drill *d = u->depth ? &u->stack[u->depth - 1] : NULL;
	u->nrows = 0;
	if (!s || !ui_covered(u))
		return;
	size_t n = o->count(s);
	for (size_t i = 0; i < n; i++) {
		const void *r = o->row(s, i);
		if (o->hidden && o->hidden(vs, s, r))
			continue;
		if ((d && !d->match(d, s, r)) || !row_matches(u, v, r, vs->filter))
			continue;
		add_row(u, r);
	}
	if (vs->tree && o->tree_id) {
		order_tree(u, o);
	} else if (vs->sort >= 0 && u->nrows > 1) {
		/* the cgroups view stays a tree (path order) unless a sort is chosen */
		struct sort_ctx c = {u, &o->table->cols[vs->sort], vs->reverse};
		qsort_r(u->rows, u->nrows, sizeof(*u->rows), cmp_rows, &c);
	}
	if (vs->sel >= u->nrows)
		vs->sel = u->nrows ? u->nrows - 1 : 0;
}
