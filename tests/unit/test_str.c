// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of escaping, sizes, percents, the JSON writer and the hash maps. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "util/util.h"
#include "tap.h"

static const char *esc(const char *s, size_t n, enum esc_mode m)
{
	static struct buf b;
	buf_reset(&b);
	str_escape(&b, s, n, m);
	return buf_str(&b);
}
#define ESC(lit, m) esc(lit, sizeof(lit) - 1, m)

static void t_escape(void)
{
	IS_STR(ESC("plain text", ESC_TEXT), "plain text", "escape: plain");
	IS_STR(ESC("\x1b[2J\x07", ESC_TEXT), "\\x1b[2J\\x07", "escape: ESC and BEL");
	IS_STR(ESC("a\x7f" "b", ESC_TEXT), "a\\x7fb", "escape: DEL");
	IS_STR(ESC("\xc2\x9b" "31m", ESC_TEXT), "\\xc2\\x9b31m", "escape: C1 CSI as UTF-8");
	IS_STR(ESC("\x9b" "31m", ESC_TEXT), "\\x9b31m", "escape: lone C1 byte");
	IS_STR(ESC("caf\xc3\xa9 \xe2\x9c\x93", ESC_TEXT), "caf\xc3\xa9 \xe2\x9c\x93", "escape: valid UTF-8 kept");
	IS_STR(ESC("\xff\xfe", ESC_TEXT), "\\xff\\xfe", "escape: invalid bytes");
	IS_STR(ESC("\xc0\xaf", ESC_TEXT), "\\xc0\\xaf", "escape: overlong encoding");
	IS_STR(ESC("\xed\xa0\x80", ESC_TEXT), "\\xed\\xa0\\x80", "escape: surrogate");
	IS_STR(ESC("\xe2\x9c", ESC_TEXT), "\\xe2\\x9c", "escape: truncated sequence");
	IS_STR(ESC("a\0b", ESC_TEXT), "a\\x00b", "escape: NUL");
	IS_STR(ESC("dev-disk-by\\x2duuid", ESC_TEXT), "dev-disk-by\\x2duuid", "escape: systemd backslash kept in text");
	IS_STR(ESC("q\"b\\s\x1b", ESC_JSON), "q\\\"b\\\\s\\\\x1b", "escape: JSON quotes, backslash, control");
	IS_STR(ESC("\n\t", ESC_JSON), "\\\\x0a\\\\x09", "escape: JSON newline and tab");
	char big[5000];
	memset(big, '\x1b', sizeof(big));
	const char *e = esc(big, sizeof(big), ESC_TEXT);
	OK(strlen(e) == 4 * sizeof(big) && !strchr(e, '\x1b'), "escape: 5000 ESC bytes, none left raw");
}

static void t_width(void)
{
	OK(str_width("abc", 3) == 3, "width: ascii");
	OK(str_width("\xe2\x94\x94\xe2\x94\x80", 6) == 2, "width: box drawing");
}

static void t_sizes(void)
{
	uint64_t v;
	OK(str_parse_size("512M", &v) == 0 && v == 512ull << 20, "size: 512M");
	OK(str_parse_size("1G", &v) == 0 && v == 1ull << 30, "size: 1G");
	OK(str_parse_size("1.5G", &v) == 0 && v == 3ull << 29, "size: 1.5G");
	OK(str_parse_size("64k", &v) == 0 && v == 64 * 1024, "size: 64k");
	OK(str_parse_size("2T", &v) == 0 && v == 2ull << 40, "size: 2T");
	OK(str_parse_size("100", &v) == 0 && v == 100, "size: bytes");
	OK(str_parse_size("10MiB", &v) == 0 && v == 10ull << 20, "size: MiB");
	OK(str_parse_size("max", &v) == 0 && v == VAL_UNLIMITED, "size: max");
	OK(str_parse_size("1Q", &v) == -EINVAL, "size: 1Q fails");
	OK(str_parse_size("-1", &v) == -EINVAL, "size: -1 fails");
	OK(str_parse_size("", &v) == -EINVAL, "size: empty fails");
	OK(str_parse_size("1.5", &v) == -EINVAL, "size: fraction of bytes fails");
	OK(str_parse_size("99999999999999999999", &v) == -ERANGE, "size: overflow fails");
	OK(str_parse_size("99999999T", &v) == -ERANGE, "size: huge with unit fails");
	OK(str_parse_size("1..5G", &v) == -EINVAL, "size: two dots fail");
	char out[32];
	str_fmt_size(out, sizeof(out), 1536);
	IS_STR(out, "1.5K", "fmt size: 1.5K");
	str_fmt_size(out, sizeof(out), 268435456);
	IS_STR(out, "256M", "fmt size: 256M");
	str_fmt_size(out, sizeof(out), 0);
	IS_STR(out, "0B", "fmt size: 0B");
	str_fmt_size(out, sizeof(out), VAL_NA);
	IS_STR(out, "-", "fmt size: not available");
	str_fmt_size(out, sizeof(out), VAL_UNLIMITED);
	IS_STR(out, "max", "fmt size: unlimited");
	str_fmt_percent(out, sizeof(out), 12.345);
	IS_STR(out, "12.3", "fmt percent");
	str_fmt_percent(out, sizeof(out), NAN);
	IS_STR(out, "-", "fmt percent: not available");
}

static void t_cpu(void)
{
	double c;
	OK(str_parse_cpu("1.5", &c) == 0 && fabs(c - 1.5) < 1e-9, "cpu: 1.5 CPUs");
	OK(str_parse_cpu("50%", &c) == 0 && fabs(c - 0.5) < 1e-9, "cpu: 50%% of one CPU");
	OK(str_parse_cpu("max", &c) == 0 && c == 0, "cpu: max");
	OK(str_parse_cpu("abc", &c) == -EINVAL, "cpu: abc fails");
	OK(str_parse_cpu("-5%", &c) == -EINVAL, "cpu: -5%% fails");
	OK(str_parse_cpu("0", &c) == -EINVAL, "cpu: 0 fails");
	OK(str_parse_cpu("1e999", &c) == -EINVAL, "cpu: inf fails");
	OK(str_parse_cpu("100000", &c) == -ERANGE, "cpu: absurd fails");
	OK(str_parse_cpu("5%%", &c) == -EINVAL, "cpu: junk after %% fails");
	double s;
	OK(str_parse_seconds("0.5", &s) == 0 && s == 0.5, "seconds: 0.5");
	OK(str_parse_seconds("-1", &s) == -EINVAL, "seconds: negative fails");
	OK(str_parse_seconds("1x", &s) == -EINVAL, "seconds: junk fails");
	uint64_t u;
	OK(str_parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "u64: max");
	OK(str_parse_u64("18446744073709551616", &u) == -ERANGE, "u64: overflow");
	OK(str_parse_u64("+1", &u) == -EINVAL, "u64: sign fails");
	char *d = str_unescape_systemd("dev-disk-by\\x2duuid\\x2");
	IS_STR(d, "dev-disk-by-uuid\\x2", "systemd unescape");
	free(d);
}

static void t_json(void)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\x1b");
	json_u64(&j, "u", 18446744073709551615ull);
	json_i64(&j, "i", -5);
	json_dbl(&j, "d", 12.5, 1);
	json_dbl(&j, "nan", NAN, 1);
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_arr_begin(&j, "a");
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_obj_begin(&j, NULL);
	json_u64(&j, "x", 1);
	json_obj_end(&j);
	json_arr_end(&j);
	json_arr_begin(&j, "empty");
	json_arr_end(&j);
	json_obj_end(&j);
	IS_STR(buf_str(&b),
	       "{\"s\":\"a\\\"b\\\\x1b\",\"u\":18446744073709551615,\"i\":-5,\"d\":12.5,\"nan\":null,"
	       "\"t\":true,\"n\":null,\"a\":[{},{\"x\":1}],\"empty\":[]}",
	       "json: compact document");
	buf_free(&b);
	json_init(&j, &b, true);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "namespaces");
	json_obj_begin(&j, NULL);
	json_u64(&j, "ns", 1);
	json_obj_end(&j);
	json_obj_begin(&j, NULL);
	json_u64(&j, "ns", 2);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	IS_STR(buf_str(&b),
	       "{\n   \"namespaces\": [\n      {\n         \"ns\": 1\n      },{\n         \"ns\": 2\n      }\n   ]\n}\n",
	       "json: pretty output in lsns' layout");
	buf_free(&b);
}

static void t_hash(void)
{
	struct hmap h = {0};
	for (uint64_t k = 1; k <= 100000; k++)
		hmap_put(&h, k * 7919, (uint32_t)k);
	uint32_t v;
	int bad = 0;
	for (uint64_t k = 1; k <= 100000; k++)
		bad += !hmap_get(&h, k * 7919, &v) || v != k;
	OK(!bad && h.len == 100000, "hmap: 100000 keys found");
	OK(!hmap_get(&h, 3, &v), "hmap: absent key");
	hmap_put(&h, 7919, 42);
	OK(hmap_get(&h, 7919, &v) && v == 42 && h.len == 100000, "hmap: overwrite");
	hmap_free(&h);
	struct strtab t = {0};
	const char *a = strtab_intern(&t, "/system.slice", 13);
	const char *b = strtab_intern(&t, "/system.slice/x", 13);
	OK(a == b, "strtab: equal strings share storage");
	char name[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "/cg/%d", i);
		strtab_intern(&t, name, strlen(name));
	}
	snprintf(name, sizeof(name), "/cg/%d", 12345);
	const char *f = strtab_find(&t, name);
	OK(f && !strcmp(f, name), "strtab: find among 20000");
	OK(!strtab_find(&t, "/cg/x"), "strtab: absent");
	strtab_free(&t);
}

static void t_dots(void)
{
	OK(str_path_has_dots("/a/../b") && str_path_has_dots("..") && str_path_has_dots("a/.") &&
	   str_path_has_dots("./a") && str_path_has_dots("/x/.."), "paths with . or .. components");
	OK(!str_path_has_dots("/a/b") && !str_path_has_dots("a..b/.c/..d") && !str_path_has_dots("/") &&
	   !str_path_has_dots("a//b/"), "names merely containing dots are fine");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	t_escape();
	t_width();
	t_sizes();
	t_cpu();
	t_json();
	t_hash();
	t_dots();
	return tap_done();
}
