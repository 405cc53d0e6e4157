// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: what users and files type in: sizes, CPU amounts, seconds,
 * the escaping of untrusted strings (no control byte may come out, and
 * JSON output must read back), and nstop's JSON reader. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	uint64_t v;
	double d;
	str_parse_size(s, &v);
	str_parse_cpu(s, &d);
	str_parse_seconds(s, &d);
	str_parse_u64(s, &v);
	struct buf b = {0};
	str_escape(&b, s, size, ESC_TEXT);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];
		if (c < 0x20 || c == 0x7f)
			abort(); /* a control byte would reach a terminal */
	}
	buf_reset(&b);
	buf_addc(&b, '"');
	str_escape(&b, s, size, ESC_JSON);
	buf_addc(&b, '"');
	struct jv j;
	if (jv_parse(b.p, b.len, &j) < 0)
		abort(); /* the JSON writer wrote invalid JSON */
	jv_free(&j);
	buf_free(&b);
	if (jv_parse(s, size, &j) == 0) {
		struct buf out = {0};
		struct json w;
		json_init(&w, &out, false);
		jv_write(&w, NULL, &j);
		buf_free(&out);
		jv_free(&j);
	}
	free(s);
	return 0;
}
