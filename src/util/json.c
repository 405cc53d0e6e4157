// SPDX-License-Identifier: GPL-2.0-or-later
/* A streaming JSON writer; strings go through str_escape so output stays valid. */
#include <math.h>
#include <string.h>

#include "util.h"

void json_init(struct json *j, struct buf *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	buf_addc(j->out, '\n');
	for (int i = 0; i < j->depth; i++)
		buf_adds(j->out, "   ");
}

/* Objects following one another in an array are joined as "},{", the way
 * libsmartcols (lsns -J) writes them, so the two outputs can be diffed. */
static void key_(struct json *j, const char *k, bool joined)
{
	bool comma = j->depth > 0 && j->need_comma[j->depth];
	if (comma)
		buf_addc(j->out, ',');
	if (j->depth > 0 && !(joined && comma))
		indent(j);
	if (j->depth < (int)ARRAY_LEN(j->need_comma))
		j->need_comma[j->depth] = true;
	if (k) {
		buf_addc(j->out, '"');
		str_escape(j->out, k, strlen(k), ESC_JSON);
		buf_adds(j->out, j->pretty ? "\": " : "\":");
	}
}

static void key(struct json *j, const char *k)
{
	key_(j, k, false);
}

static void open(struct json *j, const char *k, char c)
{
	key_(j, k, c == '{' && !k);
	buf_addc(j->out, c);
	if (j->depth + 1 < (int)ARRAY_LEN(j->need_comma))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char c)
{
	bool had = j->need_comma[j->depth];
	j->depth--;
	if (had)
		indent(j);
	buf_addc(j->out, c);
	if (j->depth == 0 && j->pretty)
		buf_addc(j->out, '\n');
}

void json_obj_begin(struct json *j, const char *k)
{
	open(j, k, '{');
}

void json_obj_end(struct json *j)
{
	close_(j, '}');
}

void json_arr_begin(struct json *j, const char *k)
{
	open(j, k, '[');
}

void json_arr_end(struct json *j)
{
	close_(j, ']');
}

void json_strn(struct json *j, const char *k, const char *s, size_t n)
{
	key(j, k);
	buf_addc(j->out, '"');
	str_escape(j->out, s, n, ESC_JSON);
	buf_addc(j->out, '"');
}

void json_str(struct json *j, const char *k, const char *s)
{
	if (!s)
		json_null(j, k);
	else
		json_strn(j, k, s, strlen(s));
}

void json_u64(struct json *j, const char *k, uint64_t v)
{
	key(j, k);
	buf_printf(j->out, "%llu", (unsigned long long)v);
}

/* A number already in JSON form (from jv_write); never untrusted text. */
void json_raw(struct json *j, const char *k, const char *num)
{
	key(j, k);
	buf_adds(j->out, num);
}

void json_i64(struct json *j, const char *k, int64_t v)
{
	key(j, k);
	buf_printf(j->out, "%lld", (long long)v);
}

void json_dbl(struct json *j, const char *k, double v, int prec)
{
	if (!isfinite(v)) {
		json_null(j, k);
		return;
	}
	key(j, k);
	buf_printf(j->out, "%.*f", prec, v);
}

void json_bool(struct json *j, const char *k, bool v)
{
	key(j, k);
	buf_adds(j->out, v ? "true" : "false");
}

void json_null(struct json *j, const char *k)
{
	key(j, k);
	buf_adds(j->out, "null");
}
