// SPDX-License-Identifier: GPL-2.0-or-later
/* Strings: escaping untrusted bytes for output, and parsing/formatting numbers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "util.h"

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes are not
 * one: overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char d = s[i];
		if (i == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xbf))
			return 0;
		v = (v << 6) | (d & 0x3f);
	}
	*cp = v;
	return len;
}

/*
 * Bytes from /proc, /sys and the like are stored raw and escaped here, at
 * output: C0 and C1 controls, DEL and every byte of invalid UTF-8 become
 * \xNN. A backslash stays as it is: systemd's own escapes ("\x2d") are in
 * most unit names, and doubling them would hide what the kernel holds.
 * ESC_JSON additionally JSON-encodes the escaped text (without the quotes),
 * so a JSON value decodes to exactly what the text output shows.
 * ESC_PROM and ESC_PROM_HELP write the Prometheus text format's escapes
 * (\\, \" in label values only, \n: the only ones its parsers accept) and
 * every other control or invalid byte as \\xNN, so the value decodes to
 * valid UTF-8 that reads as the text output does (a newline being a newline).
 */
void str_escape(struct buf *out, const char *str, size_t n, enum esc_mode mode)
{
	const unsigned char *s = (const unsigned char *)str;
	bool prom = mode == ESC_PROM || mode == ESC_PROM_HELP;
	const char *bs = mode == ESC_JSON || prom ? "\\\\" : "\\";
	buf_grow(out, n);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);
		if (prom && s[i] == '\n') {
			buf_adds(out, "\\n");
			i++;
			continue;
		}
		if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			size_t cnt = len ? len : 1;
			for (size_t k = 0; k < cnt; k++)
				buf_printf(out, "%sx%02x", bs, s[i + k]);
			i += cnt;
			continue;
		}
		if (cp == '\\' && (mode == ESC_JSON || prom)) {
			buf_adds(out, "\\\\");
		} else if (cp == '"' && (mode == ESC_JSON || mode == ESC_PROM)) {
			buf_adds(out, "\\\"");
		} else {
			buf_add(out, s + i, len);
		}
		i += len;
	}
}

/* Display width of already escaped (hence valid UTF-8) text. */
size_t str_width(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);
		if (!len) {
			i++;
			w++;
			continue;
		}
		int cw = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : (size_t)cw;
		i += len;
	}
	return w;
}

/* A plain decimal u64: digits only, no sign, no overflow. */
int str_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	uint64_t v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Sizes as docker and systemd take them: a bare number is bytes, K/M/G/T
 * (optionally followed by "B" or "iB") are powers of 1024, "max" is
 * unlimited. Fractions are allowed with a unit ("1.5G").
 */
int str_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "max") || !strcmp(s, "unlimited")) {
		*out = VAL_UNLIMITED;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	const char *p = s;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	size_t numlen = (size_t)(p - s);
	if (numlen > 30)
		return -ERANGE;
	char num[32];
	memcpy(num, s, numlen);
	num[numlen] = '\0';
	int shift = 0;
	switch (toupper((unsigned char)*p)) {
	case '\0': shift = 0; break;
	case 'B': shift = 0; p--; break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return -EINVAL;
	}
	if (*p) {
		p++;
		if (!strcmp(p, "iB") || !strcmp(p, "ib"))
			p += 2;
		else if (*p == 'B' || *p == 'b')
			p++;
		if (*p)
			return -EINVAL;
	}
	if (strchr(num, '.')) {
		if (shift == 0 || strchr(num, '.') != strrchr(num, '.') || num[numlen - 1] == '.')
			return -EINVAL;
		char *end;
		errno = 0;
		double d = strtod(num, &end);
		if (*end || errno)
			return -EINVAL;
		d = ldexp(d, shift);
		if (!(d < 0x1p63))
			return -ERANGE;
		*out = (uint64_t)d;
		return 0;
	}
	uint64_t v;
	int r = str_parse_u64(num, &v);
	if (r < 0)
		return r;
	if (v > (UINT64_C(1) << 62) >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/*
 * CPU amounts: "1.5" is CPUs as in docker --cpus, "50%" is percent of one
 * CPU, "max" is unlimited (returned as 0). Zero, negatives and junk fail.
 */
int str_parse_cpu(const char *s, double *cpus)
{
	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "max")) {
		*cpus = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -EINVAL;
	if (*end == '%') {
		end++;
		v /= 100.0;
	}
	if (*end)
		return -EINVAL;
	if (!(v > 0))
		return -EINVAL;
	if (v > 65536)
		return -ERANGE;
	*cpus = v;
	return 0;
}

/* Interval in seconds: a positive decimal, at most a day. */
int str_parse_seconds(const char *s, double *out)
{
	if (!s || !*s || (!isdigit((unsigned char)*s) && *s != '.'))
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Human size with a binary unit, as htop and systemd-cgtop print it. */
void str_fmt_size(char *out, size_t n, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	if (bytes == VAL_NA) {
		snprintf(out, n, "-");
		return;
	}
	if (bytes == VAL_UNLIMITED) {
		snprintf(out, n, "max");
		return;
	}
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%lluB", (unsigned long long)bytes);
	else if (v < 10)
		snprintf(out, n, "%.1f%c", v, units[u]);
	else
		snprintf(out, n, "%.0f%c", v, units[u]);
}

void str_fmt_percent(char *out, size_t n, double pct)
{
	if (isnan(pct))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.1f", pct);
}

/* systemd escapes bytes in unit names as \xNN (e.g. "\x2d" for '-'). */
char *str_unescape_systemd(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3])) {
			char hex[3] = {s[i + 2], s[i + 3], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* A path with a "." or ".." component (which nstop never follows). */
bool str_path_has_dots(const char *p)
{
	while (*p) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - c);
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return true;
	}
	return false;
}

/* s escaped into b (reset first), for a message: returns b's text. */
const char *str_esc(struct buf *b, const char *s)
{
	buf_reset(b);
	str_escape(b, s, strlen(s), ESC_TEXT);
	return buf_str(b);
}

/* A monotonic clock in microseconds, for rates and intervals. */
uint64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
