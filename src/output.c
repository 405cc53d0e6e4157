// SPDX-License-Identifier: GPL-2.0-or-later
/* Text and JSON writers for the batch listings; every string is escaped here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

int out_select_columns(const struct table *t, const char *list, struct outopts *o, struct nerr *e)
{
	free(o->cols);
	o->cols = NULL;
	o->ncols = 0;
	if (!list) {
		o->cols = xcalloc(t->ncols, sizeof(*o->cols));
		for (size_t i = 0; i < t->ncols; i++)
			if (o->json ? t->cols[i].json_dflt : t->cols[i].dflt)
				o->cols[o->ncols++] = &t->cols[i];
		return 0;
	}
	bool add = list[0] == '+';
	if (add) {
		out_select_columns(t, NULL, o, e);
		list++;
	}
	size_t cap = o->ncols + t->ncols * 2;
	o->cols = xreallocarray(o->cols, cap, sizeof(*o->cols));
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const struct column *c = table_find(t, p, n);
		if (!c) {
			struct buf b = {0};
			str_escape(&b, p, n, ESC_TEXT);
			nerr_input(e, -EINVAL, "-o: unknown column: %s (see --list-columns)", buf_str(&b));
			buf_free(&b);
			return -EINVAL;
		}
		if (o->ncols < cap)
			o->cols[o->ncols++] = c;
		p = comma ? comma + 1 : p + n;
	}
	if (!o->ncols)
		return nerr_input(e, -EINVAL, "-o: no columns given");
	return 0;
}

/* Renders a cell as escaped text into b. */
void cell_text(struct buf *b, const struct cell *c)
{
	char tmp[64];
	switch (c->type) {
	case CELL_NONE:
		buf_addc(b, '-');
		break;
	case CELL_STR:
	case CELL_JSON:
		str_escape(b, c->s, c->slen, ESC_TEXT);
		break;
	case CELL_U64:
		buf_printf(b, "%llu", (unsigned long long)c->u);
		break;
	case CELL_I64:
		buf_printf(b, "%lld", (long long)c->i);
		break;
	case CELL_DBL:
		buf_printf(b, "%.*f", c->prec, c->d);
		break;
	case CELL_BOOL:
		buf_adds(b, c->u ? "yes" : "no");
		break;
	case CELL_SIZE:
		str_fmt_size(tmp, sizeof(tmp), c->u);
		buf_adds(b, tmp);
		break;
	}
}

static void cell_json(struct json *j, const char *key, const struct cell *c)
{
	if (c->json) {
		json_raw(j, key, c->json);
		return;
	}
	switch (c->type) {
	case CELL_NONE:
		json_null(j, key);
		break;
	case CELL_STR:
		json_strn(j, key, c->s, c->slen);
		break;
	case CELL_JSON:
		json_raw(j, key, c->s);
		break;
	case CELL_U64:
	case CELL_SIZE:
		json_u64(j, key, c->u);
		break;
	case CELL_I64:
		json_i64(j, key, c->i);
		break;
	case CELL_DBL:
		json_dbl(j, key, c->d, c->prec);
		break;
	case CELL_BOOL:
		json_bool(j, key, c->u != 0);
		break;
	}
}

void get_cell(const struct column *col, const struct snap *s, const void *row,
		     struct cell *c)
{
	struct buf keep = c->tmp;
	memset(c, 0, sizeof(*c));
	c->tmp = keep;
	col->get(s, row, c);
}

/*
 * Column-aligned text: widths over all rows, numbers right-aligned, the last
 * column not padded. indent (optional) gives each row a tree depth, drawn in
 * the first column.
 */
void out_text(FILE *f, const struct snap *s, const struct table *t, const struct outopts *o,
	      const void *const *rows, size_t nrows, const struct tree *tree,
	      const struct column *tree_col)
{
	(void)t;
	size_t nc = o->ncols;
	struct buf *cells = xcalloc((nrows + 1) * nc, sizeof(*cells));
	size_t *width = xcalloc(nc, sizeof(*width));
	struct cell c = {0};
	for (size_t k = 0; k < nc; k++) {
		buf_adds(&cells[k], o->cols[k]->name);
		width[k] = strlen(o->cols[k]->name);
	}
	if (tree)
		nrows = tree->n;
	for (size_t i = 0; i < nrows; i++) {
		const void *row = tree ? rows[tree->order[i]] : rows[i];
		for (size_t k = 0; k < nc; k++) {
			struct buf *b = &cells[(i + 1) * nc + k];
			if (tree && o->cols[k] == tree_col)
				buf_adds(b, tree->art[i]);
			get_cell(o->cols[k], s, row, &c);
			cell_text(b, &c);
			size_t w = str_width(b->p, b->len);
			if (w > width[k])
				width[k] = w;
		}
	}
	struct buf out = {0};
	for (size_t i = o->noheadings ? 1 : 0; i <= nrows; i++) {
		for (size_t k = 0; k < nc; k++) {
			struct buf *b = &cells[i * nc + k];
			size_t w = str_width(buf_str(b), b->len);
			size_t pad = width[k] > w ? width[k] - w : 0;
			bool last = k + 1 == nc;
			/* a tree column reads left to right, as in lsns */
			bool right = o->cols[k]->right && !(tree && o->cols[k] == tree_col);
			if (right)
				for (size_t p = 0; p < pad; p++)
					buf_addc(&out, ' ');
			buf_add(&out, b->p, b->len);
			if (!right && !last)
				for (size_t p = 0; p < pad; p++)
					buf_addc(&out, ' ');
			if (!last)
				buf_addc(&out, ' ');
		}
		buf_addc(&out, '\n');
		if (out.len > 65536)
			out_flush(f, &out);
	}
	out_flush(f, &out);
	buf_free(&out);
	for (size_t i = 0; i < (nrows + 1) * nc; i++)
		buf_free(&cells[i]);
	free(cells);
	free(width);
	buf_free(&c.tmp);
}

/* The members of one row's JSON object (the caller opens and closes it). */
void out_json_fields(struct json *j, const struct snap *s, const struct outopts *o,
		     const void *row, struct cell *c)
{
	for (size_t k = 0; k < o->ncols; k++) {
		get_cell(o->cols[k], s, row, c);
		cell_json(j, o->cols[k]->key, c);
	}
}

void out_json_rows(struct json *j, const struct snap *s, const struct table *t,
		   const struct outopts *o, const void *const *rows, size_t nrows)
{
	struct cell c = {0};
	json_arr_begin(j, t->name);
	for (size_t i = 0; i < nrows; i++) {
		json_obj_begin(j, NULL);
		out_json_fields(j, s, o, rows[i], &c);
		json_obj_end(j);
	}
	json_arr_end(j);
	buf_free(&c.tmp);
}

/* First child and next sibling of each row of a forest, in row order;
 * SIZE_MAX ends a list. The caller frees both. */
static void children_lists(const long *parent, size_t n, size_t **first_out, size_t **next_out)
{
	size_t *first = xcalloc(n + 1, sizeof(size_t)), *next = xcalloc(n + 1, sizeof(size_t));
	size_t *last = xcalloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		first[i] = next[i] = last[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (parent[i] < 0)
			continue;
		size_t p = (size_t)parent[i];
		if (first[p] == SIZE_MAX)
			first[p] = i;
		else
			next[last[p]] = i;
		last[p] = i;
	}
	free(last);
	*first_out = first;
	*next_out = next;
}

static void json_subtree(struct json *j, const struct snap *s, const struct outopts *o,
			 const void *const *rows, size_t nrows, const long *parent,
			 const size_t *first, const size_t *next, size_t i, struct cell *c, int depth)
{
	json_obj_begin(j, NULL);
	out_json_fields(j, s, o, rows[i], c);
	if (first[i] != SIZE_MAX && depth < 24) {
		json_arr_begin(j, "children");
		for (size_t k = first[i]; k != SIZE_MAX; k = next[k])
			json_subtree(j, s, o, rows, nrows, parent, first, next, k, c, depth + 1);
		json_arr_end(j);
	}
	json_obj_end(j);
}

/* Nested "children" arrays, the shape lsns -J gives its trees. */
void out_json_tree(struct json *j, const struct snap *s, const struct table *t,
		   const struct outopts *o, const void *const *rows, size_t nrows,
		   const long *parent)
{
	size_t *first, *next;
	children_lists(parent, nrows, &first, &next);
	struct cell c = {0};
	json_arr_begin(j, t->name);
	for (size_t i = 0; i < nrows; i++)
		if (parent[i] < 0)
			json_subtree(j, s, o, rows, nrows, parent, first, next, i, &c, 0);
	json_arr_end(j);
	buf_free(&c.tmp);
	free(first);
	free(next);
}

struct tree_ctx {
	struct tree *t;
	const size_t *first, *next;
	struct buf stem;
};

static void tree_walk(struct tree_ctx *x, size_t i, bool is_last, int depth)
{
	struct tree *t = x->t;
	struct buf art = {0};
	if (depth > 0) {
		buf_add(&art, x->stem.p, x->stem.len);
		buf_adds(&art, is_last ? "└─" : "├─");
	}
	t->order[t->n] = i;
	t->art[t->n++] = art.p ? art.p : xstrdup("");
	size_t save = x->stem.len;
	if (depth > 0)
		buf_adds(&x->stem, is_last ? "  " : "│ ");
	for (size_t k = x->first[i]; k != SIZE_MAX; k = x->next[k])
		tree_walk(x, k, x->next[k] == SIZE_MAX, depth + 1);
	x->stem.len = save;
	if (x->stem.p)
		x->stem.p[save] = '\0';
}

void tree_build(struct tree *t, const long *parent, size_t n)
{
	size_t *first, *next;
	children_lists(parent, n, &first, &next);
	t->order = xcalloc(n + 1, sizeof(*t->order));
	t->art = xcalloc(n + 1, sizeof(*t->art));
	t->n = 0;
	struct tree_ctx x = {t, first, next, {0}};
	for (size_t i = 0; i < n; i++)
		if (parent[i] < 0)
			tree_walk(&x, i, true, 0);
	buf_free(&x.stem);
	free(first);
	free(next);
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->art[i]);
	free(t->art);
	free(t->order);
	memset(t, 0, sizeof(*t));
}

void out_list_columns(FILE *f, const struct table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct column *c = &t->cols[i];
		fprintf(f, "%-12s %-24s %s%s\n", c->name, c->key, c->help, c->dflt ? " (default)" : "");
	}
}

void out_flush(FILE *f, struct buf *b)
{
	if (b->len)
		fwrite(b->p, 1, b->len, f);
	buf_reset(b);
}
