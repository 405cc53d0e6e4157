// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's create request and its reply, as JSON on a pipe between
 * the dashboard and the internal `nstop _create` it runs (see ui/act.c for
 * why a child). Pure: no I/O, fuzzed (tests/fuzz/fuzz_ctrreq.c). Strict:
 * an object of known keys only, each once, of the right type, sizes
 * bounded, strings plain text (see plain); anything else is refused whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"

/* create's long options a request may carry, spelt as on the command line */
const char *const create_req_keys[CREQ_NOPTS] = {
	"rootfs", "hostname", "cgroup-parent", "cpu", "memory", "pids", "net", "audit-log", "image",
	"publish",
};

/* Text the JSON writer passes unchanged: valid UTF-8, no control byte
 * (which it would write as \xNN), no NUL. The form types nothing else,
 * and what is accepted reads back the same after it is written again. */
static bool plain(const struct jv *v)
{
	if (v->type != JV_STR || strlen(v->s) != v->len)
		return false;
	struct buf b = {0};
	str_escape(&b, v->s, v->len, ESC_TEXT);
	bool ok = b.len == v->len && !memcmp(b.p, v->s, v->len);
	buf_free(&b);
	return ok;
}

/* a plain string of at most CREQ_MAX_STR bytes: a copy, else NULL */
static char *req_str(const struct jv *v)
{
	if (v->type != JV_STR || v->len > CREQ_MAX_STR || !plain(v))
		return NULL;
	return xstrdup(v->s);
}

static int req_cmd(const struct jv *v, struct create_req *rq)
{
	if (v->type != JV_ARR || v->n > CREQ_MAX_ARGS)
		return -EINVAL;
	rq->cmd = xcalloc(v->n + 1, sizeof(*rq->cmd));
	for (size_t i = 0; i < v->n; i++) {
		rq->cmd[i] = req_str(&v->kids[i]);
		if (!rq->cmd[i])
			return -EINVAL;
		rq->ncmd++;
	}
	return 0;
}

/* one key of the request; -EINVAL on an unknown, repeated or ill-typed one */
static int req_key(const char *k, const struct jv *v, struct create_req *rq)
{
	if (!strcmp(k, "name")) {
		if (rq->name)
			return -EINVAL;
		rq->name = req_str(v);
		return rq->name ? 0 : -EINVAL;
	}
	if (!strcmp(k, "cmd"))
		return rq->cmd ? -EINVAL : req_cmd(v, rq);
	for (int i = 0; i < CREQ_NOPTS; i++) {
		if (strcmp(k, create_req_keys[i]))
			continue;
		if (rq->opt[i])
			return -EINVAL;
		rq->opt[i] = req_str(v);
		return rq->opt[i] ? 0 : -EINVAL;
	}
	return -EINVAL;
}

int create_req_parse(const char *s, size_t n, struct create_req *rq, struct nerr *e)
{
	memset(rq, 0, sizeof(*rq));
	struct jv v;
	if (n > CREQ_MAX || jv_parse(s, n, &v) < 0)
		return nerr_input(e, -EINVAL, "the create request is not JSON of at most %d bytes", CREQ_MAX);
	int r = v.type == JV_OBJ ? 0 : -EINVAL;
	for (size_t i = 0; !r && i < v.n; i++)
		r = req_key(v.keys[i], &v.kids[i], rq);
	if (!r && !rq->name)
		r = -EINVAL;
	if (r) {
		nerr_input(e, r, "the create request: a key unknown, repeated, ill-typed or too long, or no name");
		create_req_free(rq);
	}
	jv_free(&v);
	return r;
}

void create_req_free(struct create_req *rq)
{
	free(rq->name);
	for (int i = 0; i < CREQ_NOPTS; i++)
		free(rq->opt[i]);
	for (size_t i = 0; i < rq->ncmd; i++)
		free(rq->cmd[i]);
	free(rq->cmd);
	memset(rq, 0, sizeof(*rq));
}

void create_req_json(struct buf *b, const struct create_req *rq)
{
	struct json j;
	json_init(&j, b, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", rq->name);
	for (int i = 0; i < CREQ_NOPTS; i++)
		if (rq->opt[i])
			json_str(&j, create_req_keys[i], rq->opt[i]);
	if (rq->cmd) {
		json_arr_begin(&j, "cmd");
		for (size_t i = 0; i < rq->ncmd; i++)
			json_str(&j, NULL, rq->cmd[i]);
		json_arr_end(&j);
	}
	json_obj_end(&j);
}

void create_reply_json(struct buf *b, const struct create_reply *rp)
{
	struct json j;
	json_init(&j, b, false);
	json_obj_begin(&j, NULL);
	json_i64(&j, "code", rp->code);
	json_str(&j, "kind", rp->input ? "input" : "system");
	json_str(&j, "message", rp->msg);
	json_str(&j, "id", rp->id);
	json_i64(&j, "pid", rp->pid);
	json_str(&j, "cgroup", rp->cgroup);
	json_str(&j, "veth", rp->veth);
	json_str(&j, "addr", rp->addr);
	json_obj_end(&j);
}

/* a string key into a fixed field: present, a string, fits */
static int reply_str(const struct jv *v, const char *key, char *out, size_t n)
{
	const struct jv *k = jv_get(v, key);
	if (!k || k->type != JV_STR || k->len >= n || !plain(k))
		return -EINVAL;
	memcpy(out, k->s, k->len + 1);
	return 0;
}

static int reply_int(const struct jv *v, const char *key, long lo, long hi, long *out)
{
	double d;
	if (!jv_num(v, key, &d) || d < (double)lo || d > (double)hi || d != (double)(long)d)
		return -EINVAL;
	*out = (long)d;
	return 0;
}

int create_reply_parse(const char *s, size_t n, struct create_reply *rp)
{
	static const char *const keys[] = {"code", "kind", "message", "id", "pid", "cgroup", "veth", "addr"};
	memset(rp, 0, sizeof(*rp));
	struct jv v;
	if (n > CREQ_MAX || jv_parse(s, n, &v) < 0)
		return -EINVAL;
	int r = v.type == JV_OBJ && v.n == ARRAY_LEN(keys) ? 0 : -EINVAL;
	/* exactly the known keys, each once */
	for (size_t i = 0; !r && i < v.n; i++) {
		size_t k, seen = 0;
		for (k = 0; k < ARRAY_LEN(keys) && strcmp(v.keys[i], keys[k]); k++)
			;
		for (size_t m = 0; m < v.n; m++)
			seen += !strcmp(v.keys[m], v.keys[i]);
		if (k == ARRAY_LEN(keys) || seen != 1)
			r = -EINVAL;
	}
	char kind[16];
	long code = 0, pid = 0;
	if (!r)
		r = reply_int(&v, "code", -4095, 0, &code) || reply_int(&v, "pid", 0, 1L << 30, &pid) ||
		    reply_str(&v, "kind", kind, sizeof(kind)) ||
		    reply_str(&v, "message", rp->msg, sizeof(rp->msg)) ||
		    reply_str(&v, "id", rp->id, sizeof(rp->id)) ||
		    reply_str(&v, "cgroup", rp->cgroup, sizeof(rp->cgroup)) ||
		    reply_str(&v, "veth", rp->veth, sizeof(rp->veth)) ||
		    reply_str(&v, "addr", rp->addr, sizeof(rp->addr)) ? -EINVAL : 0;
	if (!r && strcmp(kind, "input") && strcmp(kind, "system"))
		r = -EINVAL;
	if (!r) {
		rp->code = (int)code;
		rp->pid = (pid_t)pid;
		rp->input = !strcmp(kind, "input");
	} else {
		memset(rp, 0, sizeof(*rp));
	}
	jv_free(&v);
	return r;
}
