// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: untrusted label values (container and cgroup names) and HELP
 * text through the Prometheus text writer. Every output line must be valid
 * exposition format 0.0.4 as the strict parsers read it (client_golang's, in
 * promtool): a HELP or TYPE line or a sample, no raw newline in a value,
 * quotes balanced, only the escapes \\ \" \n (HELP: \\ \n), valid UTF-8;
 * and each decoded value must be exactly the input with its controls and
 * invalid bytes written as \xNN, checked against a decoder of its own here.
 */
#include <stdbool.h>
#include <stdio.h>

#include "fuzz.h"

/* Length of a valid UTF-8 sequence at s (RFC 3629), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const struct {
		unsigned char first_lo, first_hi, second_lo, second_hi;
		size_t len;
	} rows[] = {
		{0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3}, {0xe1, 0xec, 0x80, 0xbf, 3},
		{0xed, 0xed, 0x80, 0x9f, 3}, {0xee, 0xef, 0x80, 0xbf, 3}, {0xf0, 0xf0, 0x90, 0xbf, 4},
		{0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4},
	};
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (s[0] < rows[r].first_lo || s[0] > rows[r].first_hi)
			continue;
		size_t len = rows[r].len;
		if (n < len || s[1] < rows[r].second_lo || s[1] > rows[r].second_hi)
			return 0;
		uint32_t v = s[0] & (0x7f >> len);
		for (size_t i = 1; i < len; i++) {
			if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf))
				return 0;
			v = (v << 6) | (s[i] & 0x3f);
		}
		*cp = v;
		return len;
	}
	return 0;
}

static bool valid_utf8(const char *p, size_t n)
{
	uint32_t cp;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_len((const unsigned char *)p + i, n - i, &cp)))
			return false;
	return true;
}

/* What a value must decode to: controls and invalid bytes as \xNN text. */
static void expected(struct buf *b, const char *p, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_len((const unsigned char *)p + i, n - i, &cp);
		if (l && cp == '\n') {
			buf_addc(b, '\n');
		} else if (!l || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			for (size_t k = 0; k < (l ? l : 1); k++)
				buf_printf(b, "\\x%02x", (unsigned char)p[i + k]);
		} else {
			buf_add(b, p + i, l);
		}
		i += l ? l : 1;
	}
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p; false when there is none. */
static bool name(const char **p, const char *e)
{
	if (*p >= e || !name_char(**p, true))
		return false;
	while (*p < e && name_char(**p, false))
		(*p)++;
	return true;
}

/* Decodes an escaped text up to an unescaped quote (label) or the end
 * (HELP) into out; false on a raw quote in HELP, a bad escape, no end. */
static bool unescape(const char **p, const char *e, bool label, struct buf *out)
{
	buf_reset(out);
	while (*p < e) {
		char c = *(*p)++;
		if (c == '"' && label)
			return true;
		if (c != '\\') {
			buf_addc(out, c);
			continue;
		}
		if (*p >= e)
			return false;
		c = *(*p)++;
		if (c == 'n')
			buf_addc(out, '\n');
		else if (c == '\\' || (c == '"' && label))
			buf_addc(out, c);
		else
			return false;
	}
	return !label; /* a label value must end with its quote */
}

/* Checks one line (without its newline); the label values decoded, in order. */
static bool check_line(const char *l, const char *e, struct buf *vals, size_t *nvals)
{
	struct buf v = {0};
	bool ok = false;
	*nvals = 0;
	if (!valid_utf8(l, (size_t)(e - l)))
		goto out;
	if (e - l >= 7 && !memcmp(l, "# HELP ", 7)) {
		const char *p = l + 7;
		if (!name(&p, e) || p >= e || *p++ != ' ' || !unescape(&p, e, false, &v))
			goto out;
		buf_reset(&vals[0]);
		buf_add(&vals[0], v.p, v.len);
		*nvals = 1;
		ok = true;
		goto out;
	}
	if (e - l >= 7 && !memcmp(l, "# TYPE ", 7)) {
		const char *p = l + 7;
		ok = name(&p, e) && p < e && *p++ == ' ' &&
		     ((e - p == 5 && !memcmp(p, "gauge", 5)) || (e - p == 7 && !memcmp(p, "counter", 7)));
		goto out;
	}
	const char *p = l;
	if (!name(&p, e))
		goto out;
	if (p < e && *p == '{') {
		p++;
		for (;;) {
			if (!name(&p, e) || p + 1 >= e || p[0] != '=' || p[1] != '"')
				goto out;
			p += 2;
			if (!unescape(&p, e, true, &v) || *nvals >= 8)
				goto out;
			buf_reset(&vals[*nvals]);
			buf_add(&vals[*nvals], v.p, v.len);
			(*nvals)++;
			if (p < e && *p == ',') {
				p++;
				continue;
			}
			if (p < e && *p == '}') {
				p++;
				break;
			}
			goto out;
		}
	}
	if (p >= e || *p++ != ' ' || p >= e)
		goto out;
	char num[64];
	if ((size_t)(e - p) >= sizeof(num))
		goto out;
	memcpy(num, p, (size_t)(e - p));
	num[e - p] = '\0';
	char *end;
	strtod(num, &end);
	ok = *end == '\0' || !strcmp(num, "NaN") || !strcmp(num, "+Inf") || !strcmp(num, "-Inf");
out:
	buf_free(&v);
	return ok;
}

static bool same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* the first byte: how many label values the rest is cut into */
	size_t k = data[0] % 4 + 1, rest = size - 1;
	const char *in = (const char *)data + 1;
	const char *part[4];
	size_t plen[4];
	for (size_t i = 0; i < k; i++) {
		part[i] = in + rest * i / k;
		plen[i] = rest * (i + 1) / k - rest * i / k;
	}
	static const char *const lnames[] = {"name", "runtime", "id", "cgroup"};
	struct buf out = {0};
	struct prom p;
	prom_init(&p, &out);
	char *help = fuzz_copy((const uint8_t *)in, rest); /* HELP is a C string */
	prom_family(&p, "nstop_fuzz_total", PROM_COUNTER, help);
	for (int rep = 0; rep < 2; rep++) { /* the same series twice: written once */
		prom_sample(&p);
		for (size_t i = 0; i < k; i++)
			prom_label(&p, lnames[i], part[i], plen[i]);
		prom_value_u64(&p, 1);
	}
	prom_family(&p, "nstop_fuzz_bytes", PROM_GAUGE, "A gauge.");
	prom_sample(&p);
	prom_label(&p, "cgroup", in, rest);
	prom_value_usec(&p, (uint64_t)size * 999999);
	if (p.dropped != 1)
		abort(); /* the repeated series was written twice */

	struct buf vals[8] = {{0}}, want = {0};
	size_t nlines = 0, nvals;
	const char *l = out.p, *end = out.p + out.len;
	if (!out.len || end[-1] != '\n')
		abort(); /* every line ends with a newline */
	while (l < end) {
		const char *e = memchr(l, '\n', (size_t)(end - l));
		if (!check_line(l, e, vals, &nvals))
			abort(); /* not a valid exposition line */
		nlines++;
		size_t hlen = strlen(help);
		if (nlines == 1) { /* HELP: the help text as written */
			expected(&want, help, hlen);
			if (nvals != 1 || !same(&vals[0], &want))
				abort();
		} else if (nlines == 3 || nlines == 6) { /* the samples */
			size_t n = nlines == 3 ? k : 1;
			if (nvals != n)
				abort();
			for (size_t i = 0; i < n; i++) {
				expected(&want, nlines == 3 ? part[i] : in, nlines == 3 ? plen[i] : rest);
				if (!same(&vals[i], &want))
					abort(); /* decodes to something else than the input */
			}
		}
		l = e + 1;
	}
	if (nlines != 6)
		abort(); /* HELP, TYPE, one sample; HELP, TYPE, one sample */
	for (size_t i = 0; i < 8; i++)
		buf_free(&vals[i]);
	buf_free(&want);
	buf_free(&out);
	prom_free(&p);
	free(help);
	return 0;
}
