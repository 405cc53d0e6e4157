// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small JSON reader for nstop's own files (the audit log, the container
 * registry). Strict: no trailing commas, no comments, nesting bounded, and
 * strings keep their decoded bytes (\u escapes become UTF-8).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JV_MAX_DEPTH 32

struct jp {
	const char *s, *end;
	int depth;
};

static void ws(struct jp *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static int string(struct jp *p, struct buf *b)
{
	if (p->s >= p->end || *p->s != '"')
		return -EINVAL;
	p->s++;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			buf_addc(b, (char)c);
			p->s++;
			continue;
		}
		if (p->end - p->s < 2)
			return -EINVAL;
		char e = p->s[1];
		p->s += 2;
		switch (e) {
		case '"': buf_addc(b, '"'); break;
		case '\\': buf_addc(b, '\\'); break;
		case '/': buf_addc(b, '/'); break;
		case 'b': buf_addc(b, '\b'); break;
		case 'f': buf_addc(b, '\f'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'u': {
			unsigned cp;
			if (p->end - p->s < 4 || hex4(p->s, &cp) < 0)
				return -EINVAL;
			p->s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->end - p->s >= 6 && p->s[0] == '\\' &&
			    p->s[1] == 'u') {
				unsigned lo;
				if (hex4(p->s + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p->s += 6;
				}
			}
			put_utf8(b, cp);
			break;
		}
		default:
			return -EINVAL;
		}
	}
	if (p->s >= p->end)
		return -EINVAL;
	p->s++;
	return 0;
}

static int value(struct jp *p, struct jv *v);

static int container(struct jp *p, struct jv *v, bool obj)
{
	char close = obj ? '}' : ']';
	p->s++;
	if (++p->depth > JV_MAX_DEPTH)
		return -EINVAL;
	v->type = obj ? JV_OBJ : JV_ARR;
	ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		p->depth--;
		return 0;
	}
	for (;;) {
		ws(p);
		struct buf k = {0};
		if (obj) {
			if (string(p, &k) < 0) {
				buf_free(&k);
				return -EINVAL;
			}
			ws(p);
			if (p->s >= p->end || *p->s != ':') {
				buf_free(&k);
				return -EINVAL;
			}
			p->s++;
		}
		v->kids = xreallocarray(v->kids, v->n + 1, sizeof(*v->kids));
		v->keys = xreallocarray(v->keys, v->n + 1, sizeof(*v->keys));
		struct jv *kid = &v->kids[v->n];
		memset(kid, 0, sizeof(*kid));
		v->keys[v->n] = obj ? xstrdup(buf_str(&k)) : NULL;
		buf_free(&k);
		v->n++;
		if (value(p, kid) < 0)
			return -EINVAL;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			p->depth--;
			return 0;
		}
		return -EINVAL;
	}
}

static bool word(struct jp *p, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n))
		return false;
	p->s += n;
	return true;
}

static int value(struct jp *p, struct jv *v)
{
	ws(p);
	if (p->s >= p->end)
		return -EINVAL;
	char c = *p->s;
	if (c == '{' || c == '[')
		return container(p, v, c == '{');
	if (c == '"') {
		struct buf b = {0};
		int r = string(p, &b);
		v->type = JV_STR;
		v->s = xmemdup0(b.p ? b.p : "", b.len);
		v->len = b.len;
		buf_free(&b);
		return r;
	}
	if (word(p, "true")) {
		v->type = JV_BOOL;
		v->b = true;
		return 0;
	}
	if (word(p, "false")) {
		v->type = JV_BOOL;
		return 0;
	}
	if (word(p, "null")) {
		v->type = JV_NULL;
		return 0;
	}
	const char *start = p->s;
	if (p->s < p->end && *p->s == '-')
		p->s++;
	while (p->s < p->end && strchr("0123456789.eE+-", *p->s))
		p->s++;
	if (p->s == start || (p->s - start == 1 && *start == '-'))
		return -EINVAL;
	v->type = JV_NUM;
	v->s = xmemdup0(start, (size_t)(p->s - start));
	v->len = (size_t)(p->s - start);
	char *end;
	v->num = strtod(v->s, &end);
	return *end ? -EINVAL : 0;
}

int jv_parse(const char *s, size_t n, struct jv *out)
{
	struct jp p = {s, s + n, 0};
	memset(out, 0, sizeof(*out));
	int r = value(&p, out);
	ws(&p);
	if (r == 0 && p.s != p.end)
		r = -EINVAL;
	if (r < 0) {
		jv_free(out);
		memset(out, 0, sizeof(*out));
	}
	return r;
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct jv *jv_get(const struct jv *v, const char *key)
{
	if (!v || v->type != JV_OBJ)
		return NULL;
	for (size_t i = v->n; i-- > 0;)
		if (!strcmp(v->keys[i], key))
			return &v->kids[i];
	return NULL;
}

const char *jv_str(const struct jv *v, const char *key)
{
	const struct jv *k = jv_get(v, key);
	return k && k->type == JV_STR ? k->s : NULL;
}

bool jv_num(const struct jv *v, const char *key, double *out)
{
	const struct jv *k = jv_get(v, key);
	if (!k || k->type != JV_NUM)
		return false;
	*out = k->num;
	return true;
}

/* Writes v back through the JSON writer (strings re-escaped). */
void jv_write(struct json *j, const char *key, const struct jv *v)
{
	switch (v->type) {
	case JV_NULL: json_null(j, key); break;
	case JV_BOOL: json_bool(j, key, v->b); break;
	case JV_NUM: json_raw(j, key, v->s); break;
	case JV_STR: json_strn(j, key, v->s, v->len); break;
	case JV_ARR:
	case JV_OBJ:
		if (v->type == JV_OBJ)
			json_obj_begin(j, key);
		else
			json_arr_begin(j, key);
		for (size_t i = 0; i < v->n; i++)
			jv_write(j, v->type == JV_OBJ ? v->keys[i] : NULL, &v->kids[i]);
		if (v->type == JV_OBJ)
			json_obj_end(j);
		else
			json_arr_end(j);
		break;
	}
}
