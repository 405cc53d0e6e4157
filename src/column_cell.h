// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The column tables' own helpers, shared by column.c (namespaces,
 * processes) and column_cg.c (cgroups, containers) and no other file: the
 * cell setters every getter ends in, and a container's name, which the
 * processes' CONTAINER column shows too.
 */
#ifndef NSTOP_COLUMN_CELL_H
#define NSTOP_COLUMN_CELL_H

#include <math.h>
#include <string.h>

#include "collect/collect.h"
#include "output.h"

/* a getter's row as its type; s is not used by every getter */
#define ROW(type) const type *r = row; (void)s

static inline void set_str(struct cell *c, const char *str)
{
	c->type = str ? CELL_STR : CELL_NONE;
	c->s = str;
	c->slen = str ? strlen(str) : 0;
}

static inline void set_u64(struct cell *c, uint64_t v)
{
	c->type = v == VAL_NA || v == VAL_UNLIMITED ? CELL_NONE : CELL_U64;
	c->u = v;
}

static inline void set_size(struct cell *c, uint64_t v)
{
	set_u64(c, v);
	if (c->type == CELL_U64)
		c->type = CELL_SIZE;
}

static inline void set_dbl(struct cell *c, double d, int prec)
{
	c->type = isfinite(d) ? CELL_DBL : CELL_NONE;
	c->d = d;
	c->prec = prec;
}

/* A container's label: the runtime's name, the pod's, else its init's
 * command (column.c). */
void column_ctr_name(const struct snap *s, const struct container *r, struct cell *c);

#endif
