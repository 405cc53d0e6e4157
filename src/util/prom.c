// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus text exposition format 0.0.4, what promtool, Prometheus and
 * node_exporter's textfile collector read: a family's HELP and TYPE lines,
 * then its samples, "name{label="value",...} value". With p->om set, the same
 * samples in OpenMetrics 1.0.0 (what a Prometheus scrape asks for first):
 * TYPE, UNIT and HELP name the family without the sample's type suffix
 * (_total of a counter, _info of an info), UNIT is the name's own unit
 * suffix, HELP escapes quotes too, and the exposition ends with "# EOF".
 * Label values are
 * untrusted (container and cgroup names): str_escape's ESC_PROM keeps them
 * valid UTF-8 with only the escapes the format's parsers accept. A family's
 * header is written with its first sample, so a family without any is left
 * out rather than announced empty; a series written twice (two raw names
 * that escape alike) keeps its first sample only, since a scrape with a
 * repeated series is refused.
 */
#include <math.h>
#include <string.h>

#include "util.h"

void prom_init(struct prom *p, struct buf *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
}

void prom_free(struct prom *p)
{
	hmap_free(&p->seen);
}

void prom_family(struct prom *p, const char *name, enum prom_type type, const char *help)
{
	p->family = name;
	p->help = help;
	p->type = type;
	p->nlabels = -1; /* the header waits for the family's first sample */
	p->distinct = false;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n > k && !memcmp(s + n - k, suf, k);
}

/* OpenMetrics: the family is the sample's name without its type's suffix,
 * and its unit, when it has one of ours, the family name's last word. */
static void header_om(struct prom *p)
{
	struct buf *b = p->out;
	const char *name = p->family;
	size_t n = strlen(name);
	const char *type = "gauge";
	if (p->type == PROM_COUNTER && has_suffix(name, n, "_total"))
		n -= strlen("_total"), type = "counter";
	else if (p->type == PROM_COUNTER)
		type = "unknown"; /* a counter sample must end in _total */
	else if (p->type == PROM_INFO && has_suffix(name, n, "_info"))
		n -= strlen("_info"), type = "info";
	buf_printf(b, "# TYPE %.*s %s\n", (int)n, name, type);
	static const char *const units[] = {"seconds", "bytes", "ratio"};
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		char suf[16];
		snprintf(suf, sizeof(suf), "_%s", units[i]);
		if (has_suffix(name, n, suf))
			buf_printf(b, "# UNIT %.*s %s\n", (int)n, name, units[i]);
	}
	buf_printf(b, "# HELP %.*s ", (int)n, name);
	str_escape(b, p->help, strlen(p->help), ESC_PROM); /* \\ \" \n, as a label value */
	buf_addc(b, '\n');
}

static void header(struct prom *p)
{
	struct buf *b = p->out;
	if (p->om) {
		header_om(p);
		return;
	}
	buf_printf(b, "# HELP %s ", p->family);
	str_escape(b, p->help, strlen(p->help), ESC_PROM_HELP);
	buf_printf(b, "\n# TYPE %s %s\n", p->family, p->type == PROM_COUNTER ? "counter" : "gauge");
}

void prom_sample(struct prom *p)
{
	if (p->nlabels < 0)
		header(p);
	p->mark = p->out->len;
	p->nlabels = 0;
	buf_adds(p->out, p->family);
}

/* name="value", the value escaped: a label as a sample holds it. */
void prom_label_text(struct buf *b, const char *name, const char *value, size_t n)
{
	buf_adds(b, name);
	buf_add(b, "=\"", 2);
	str_escape(b, value, n, ESC_PROM);
	buf_addc(b, '"');
}

void prom_label(struct prom *p, const char *name, const char *value, size_t n)
{
	buf_addc(p->out, p->nlabels++ ? ',' : '{');
	prom_label_text(p->out, name, value, n);
}

/* Labels prom_label_text wrote before (comma-separated when several): for
 * a caller that writes the same labels on many samples, escaped once. */
void prom_labels(struct prom *p, const char *text, size_t n)
{
	buf_addc(p->out, p->nlabels++ ? ',' : '{');
	buf_add(p->out, text, n);
}

/* The family's series are distinct, the caller knows (its label texts are):
 * until the next family, no sample is checked against those written. The
 * families' names differ, so theirs never repeat another family's. */
void prom_distinct(struct prom *p)
{
	p->distinct = true;
}

void prom_labelz(struct prom *p, const char *name, const char *value)
{
	prom_label(p, name, value, strlen(value));
}

/* Closes the labels; false (and the sample taken back) for a repeated series. */
static bool close_series(struct prom *p)
{
	struct buf *b = p->out;
	if (p->nlabels > 0)
		buf_addc(b, '}');
	if (p->distinct) {
		buf_addc(b, ' ');
		return true;
	}
	uint64_t h = hash_bytes(b->p + p->mark, b->len - p->mark);
	if (!h)
		h = 1; /* 0 is the map's empty key */
	if (hmap_get(&p->seen, h, NULL)) {
		b->len = p->mark;
		b->p[b->len] = '\0'; /* a string still, as buf keeps it */
		p->dropped++;
		return false;
	}
	hmap_put(&p->seen, h, 1);
	buf_addc(b, ' ');
	return true;
}

/* v in decimal, at least width digits (zeros first): what printf's %0*llu
 * writes, at a fraction of its cost (a scrape writes thousands). */
static void add_u64(struct buf *b, uint64_t v, int width)
{
	char t[24];
	int n = 0;
	do
		t[sizeof(t) - ++n] = (char)('0' + v % 10);
	while ((v /= 10) || n < width);
	buf_add(b, t + sizeof(t) - n, (size_t)n);
}

void prom_value_u64(struct prom *p, uint64_t v)
{
	if (!close_series(p))
		return;
	add_u64(p->out, v, 1);
	buf_addc(p->out, '\n');
}

/* Microseconds as seconds, exactly: no rounding through a double. */
void prom_value_usec(struct prom *p, uint64_t usec)
{
	if (!close_series(p))
		return;
	add_u64(p->out, usec / 1000000, 1);
	buf_addc(p->out, '.');
	add_u64(p->out, usec % 1000000, 6);
	buf_addc(p->out, '\n');
}

void prom_value(struct prom *p, double v)
{
	if (!close_series(p))
		return;
	if (isnan(v))
		buf_adds(p->out, "NaN\n");
	else if (isinf(v))
		buf_adds(p->out, v > 0 ? "+Inf\n" : "-Inf\n");
	else
		buf_printf(p->out, "%.15g\n", v);
}

/* The end of the exposition: OpenMetrics' mandatory "# EOF" line. */
void prom_end(struct prom *p)
{
	if (p->om)
		buf_adds(p->out, "# EOF\n");
}
