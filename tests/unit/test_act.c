// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the actions' pure parts: limit parsing and its round trip
 * through the audit log's form, signal names, and the JSON reader. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "act/act.h"
#include "tap.h"

static int lp(enum limit_key k, const char *s, struct limit_val *v)
{
	struct nerr e = {0};
	return limit_parse(k, s, v, &e);
}

static void t_limits(void)
{
	struct limit_val v;
	OK(lp(LIM_CPU, "1", &v) == 0 && v.v == 100000 && v.period == 100000, "cpu 1 = 100000/100000");
	OK(lp(LIM_CPU, "50%", &v) == 0 && v.v == 50000, "cpu 50%% = 50000");
	OK(lp(LIM_CPU, "0.2", &v) == 0 && v.v == 20000, "cpu 0.2 = 20000");
	OK(lp(LIM_CPU, "max", &v) == 0 && v.max, "cpu max");
	OK(lp(LIM_CPU, "1%", &v) == 0 && v.v == 1000, "cpu 1%% is the 1 ms minimum");
	const char *bad_cpu[] = {"abc", "-5%", "0", "0%", "0.5%", "1e12", "", "1.5.5", "50%%", "nan", "inf"};
	for (size_t i = 0; i < ARRAY_LEN(bad_cpu); i++)
		OK(lp(LIM_CPU, bad_cpu[i], &v) == -EINVAL && !v.set, "cpu '%s' refused", bad_cpu[i]);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char more[32];
	snprintf(more, sizeof(more), "%ld", ncpu + 1);
	OK(lp(LIM_CPU, more, &v) == -EINVAL, "cpu above the host's CPUs refused");
	OK(lp(LIM_MEM, "512M", &v) == 0 && v.v == 512ull << 20, "memory 512M");
	OK(lp(LIM_MEM, "max", &v) == 0 && v.max, "memory max");
	const char *bad_mem[] = {"1Q", "-1", "99999999T", "", "12", "1.5"};
	for (size_t i = 0; i < ARRAY_LEN(bad_mem); i++)
		OK(lp(LIM_MEM, bad_mem[i], &v) == -EINVAL, "memory '%s' refused", bad_mem[i]);
	OK(lp(LIM_SWAP, "0", &v) == 0 && v.v == 0 && !v.max, "swap 0 is allowed");
	OK(lp(LIM_PIDS, "10", &v) == 0 && v.v == 10, "pids 10");
	OK(lp(LIM_PIDS, "max", &v) == 0 && v.max, "pids max");
	const char *bad_pids[] = {"-1", "0", "99999999999", "ten", "1.5"};
	for (size_t i = 0; i < ARRAY_LEN(bad_pids); i++)
		OK(lp(LIM_PIDS, bad_pids[i], &v) == -EINVAL, "pids '%s' refused", bad_pids[i]);
	/* the audit log's form reads back to the same value */
	const char *forms[][2] = {{"cpu", "20000 100000"}, {"cpu", "max 100000"}, {"memory", "67108864"},
				  {"memory", "max"}, {"pids", "10"}, {"swap", "0"}};
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		int k = limit_key_parse(forms[i][0]);
		char out[64];
		OK(k >= 0 && limit_unfmt(k, forms[i][1], &v) == 0, "unfmt %s '%s'", forms[i][0], forms[i][1]);
		limit_fmt(k, &v, out, sizeof(out));
		IS_STR(out, forms[i][1], "fmt round trip");
	}
	OK(limit_unfmt(LIM_CPU, "20000", &v) < 0, "cpu needs a period");
	OK(limit_unfmt(LIM_MEM, "1 2", &v) < 0, "memory has one field");
}

static void t_signals(void)
{
	OK(sig_parse("TERM") == SIGTERM && sig_parse("sigkill") == SIGKILL && sig_parse("9") == SIGKILL,
	   "signal names, SIG prefix, numbers");
	OK(sig_parse("FROB") < 0 && sig_parse("0") < 0 && sig_parse("999") < 0, "bad signals refused");
	IS_STR(sig_name(SIGUSR1), "USR1", "signal name");
}

static void t_jsonr(void)
{
	struct jv v;
	const char *doc = "{\"a\":\"x\\u00e9\\n\",\"n\":-12.5e1,\"b\":[true,false,null],\"o\":{\"k\":\"v\"}}";
	OK(jv_parse(doc, strlen(doc), &v) == 0, "parses a document");
	IS_STR(jv_str(&v, "a"), "x\xc3\xa9\n", "\\u escapes decode to UTF-8");
	double d;
	OK(jv_num(&v, "n", &d) && d == -125, "numbers");
	const struct jv *b = jv_get(&v, "b");
	OK(b && b->type == JV_ARR && b->n == 3 && b->kids[0].b && !b->kids[1].b &&
	   b->kids[2].type == JV_NULL, "arrays, booleans, null");
	IS_STR(jv_str(jv_get(&v, "o"), "k"), "v", "nested objects");
	struct buf out = {0};
	struct json j;
	json_init(&j, &out, false);
	jv_write(&j, NULL, &v);
	IS_STR(buf_str(&out), "{\"a\":\"x\xc3\xa9\\\\x0a\",\"n\":-12.5e1,\"b\":[true,false,null],\"o\":{\"k\":\"v\"}}",
	       "written back (a control byte as escaped text, like every output)");
	buf_free(&out);
	jv_free(&v);
	const char *bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":\"\x01\"}", "tru", "{} x",
			     "\"\\q\"", "-", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		OK(jv_parse(bad[i], strlen(bad[i]), &v) < 0, "refuses '%s'", bad[i]);
}

int main(void)
{
	t_limits();
	t_signals();
	t_jsonr();
	return tap_done();
}
