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

void prom_label(struct prom *p, const char *name, const char *value, size_t n)
{
	buf_addc(p->out, p->nlabels++ ? ',' : '{');
	buf_adds(p->out, name);
	buf_adds(p->out, "=\"");
	str_escape(p->out, value, n, ESC_PROM);
	buf_addc(p->out, '"');
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
	uint64_t h = hash_bytes(b->p + p->mark, b->len - p->mark);
	if (!h)
		h = 1; /* 0 is the map's empty key */
	if (hmap_get(&p->seen, h, NULL)) {
		b->len = p->mark;
		p->dropped++;
		return false;
	}
	hmap_put(&p->seen, h, 1);
	buf_addc(b, ' ');
	return true;
}

void prom_value_u64(struct prom *p, uint64_t v)
{
	if (close_series(p))
		buf_printf(p->out, "%llu\n", (unsigned long long)v);
}

/* Microseconds as seconds, exactly: no rounding through a double. */
void prom_value_usec(struct prom *p, uint64_t usec)
{
	if (close_series(p))
		buf_printf(p->out, "%llu.%06llu\n", (unsigned long long)(usec / 1000000),
			   (unsigned long long)(usec % 1000000));
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
