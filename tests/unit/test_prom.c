// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the Prometheus text format: the escaping of untrusted label
 * values and HELP text, the writer (headers, no series twice, values), and
 * metrics_write over a hand-made snapshot (what is left out, the depth). */
#include <math.h>
#include <stdlib.h>

#include "collect/parse.h"
#include "output.h"
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
	IS_STR(ESC("web-1", ESC_PROM), "web-1", "label: plain");
	IS_STR(ESC("a\"b", ESC_PROM), "a\\\"b", "label: double quote");
	IS_STR(ESC("a\\b", ESC_PROM), "a\\\\b", "label: backslash");
	IS_STR(ESC("a\nb", ESC_PROM), "a\\nb", "label: newline as \\n");
	IS_STR(ESC("\\n", ESC_PROM), "\\\\n", "label: a backslash and n stay two characters");
	IS_STR(ESC("a\tb\rc", ESC_PROM), "a\\\\x09b\\\\x0dc", "label: tab and CR as \\\\xNN");
	IS_STR(ESC("\x1b[2J\x07", ESC_PROM), "\\\\x1b[2J\\\\x07", "label: ESC and BEL");
	IS_STR(ESC("a\x7f", ESC_PROM), "a\\\\x7f", "label: DEL");
	IS_STR(ESC("\xff\xfe", ESC_PROM), "\\\\xff\\\\xfe", "label: invalid UTF-8");
	IS_STR(ESC("\xc2\x9b", ESC_PROM), "\\\\xc2\\\\x9b", "label: C1 control as UTF-8");
	IS_STR(ESC("\xc0\xaf", ESC_PROM), "\\\\xc0\\\\xaf", "label: overlong");
	IS_STR(ESC("\xe2\x9c", ESC_PROM), "\\\\xe2\\\\x9c", "label: truncated sequence");
	IS_STR(ESC("a\0b", ESC_PROM), "a\\\\x00b", "label: NUL");
	IS_STR(ESC("caf\xc3\xa9 \xe2\x9c\x93", ESC_PROM), "caf\xc3\xa9 \xe2\x9c\x93", "label: valid UTF-8 kept");
	IS_STR(ESC("dev-disk-by\\x2duuid", ESC_PROM), "dev-disk-by\\\\x2duuid", "label: systemd escape, backslash doubled");
	IS_STR(ESC("say \"hi\"\\\n", ESC_PROM_HELP), "say \"hi\"\\\\\\n", "HELP: quotes kept, backslash and newline escaped");
	IS_STR(ESC("\x01\xff", ESC_PROM_HELP), "\\\\x01\\\\xff", "HELP: control and invalid bytes");
	IS_STR(ESC("a\nb", ESC_TEXT), "a\\x0ab", "text escaping unchanged: newline");
	IS_STR(ESC("q\"b\\s\n", ESC_JSON), "q\\\"b\\\\s\\\\x0a", "JSON escaping unchanged");
}

static void t_writer(void)
{
	struct buf b = {0};
	struct prom p;
	prom_init(&p, &b);
	prom_family(&p, "x_empty", PROM_GAUGE, "never written");
	prom_family(&p, "x_seconds_total", PROM_COUNTER, "a \"help\" \\ text\nwith a newline");
	prom_sample(&p);
	prom_labelz(&p, "name", "a\"b");
	prom_labelz(&p, "id", "1");
	prom_value_usec(&p, 1000001);
	prom_sample(&p);
	prom_labelz(&p, "name", "a\"b");
	prom_labelz(&p, "id", "1");
	prom_value_usec(&p, 5); /* the same series again */
	prom_sample(&p);
	prom_label(&p, "name", "x\xffy", 3);
	prom_value_usec(&p, 5);
	prom_family(&p, "x_ratio", PROM_GAUGE, "g");
	prom_sample(&p);
	prom_value(&p, 0.0253);
	prom_family(&p, "x_bytes", PROM_GAUGE, "g");
	prom_sample(&p);
	prom_labelz(&p, "k", "nan");
	prom_value(&p, NAN);
	prom_sample(&p);
	prom_labelz(&p, "k", "inf");
	prom_value(&p, INFINITY);
	prom_sample(&p);
	prom_labelz(&p, "k", "big");
	prom_value_u64(&p, 18446744073709551613ull);
	IS_STR(buf_str(&b),
	       "# HELP x_seconds_total a \"help\" \\\\ text\\nwith a newline\n"
	       "# TYPE x_seconds_total counter\n"
	       "x_seconds_total{name=\"a\\\"b\",id=\"1\"} 1.000001\n"
	       "x_seconds_total{name=\"x\\\\xffy\"} 0.000005\n"
	       "# HELP x_ratio g\n# TYPE x_ratio gauge\n"
	       "x_ratio 0.0253\n"
	       "# HELP x_bytes g\n# TYPE x_bytes gauge\n"
	       "x_bytes{k=\"nan\"} NaN\n"
	       "x_bytes{k=\"inf\"} +Inf\n"
	       "x_bytes{k=\"big\"} 18446744073709551613\n",
	       "writer: headers with the first sample, escapes, a repeated series dropped, values");
	IS_U64(p.dropped, 1, "writer: one sample dropped as a repeated series");
	prom_free(&p);
	buf_free(&b);
}

static void blank_cg(struct cgroup *g, const char *path, int depth)
{
	memset(g, 0, sizeof(*g));
	g->path = path;
	g->depth = depth;
	uint64_t *na[] = {&g->cpu_usage_usec, &g->mem_current, &g->mem_anon, &g->mem_file,
			  &g->swap_current, &g->io_rbytes, &g->io_wbytes, &g->cpu_quota_usec,
			  &g->cpu_period_usec, &g->mem_max, &g->mem_high, &g->pids_max,
			  &g->pids_current, &g->nr_periods, &g->nr_throttled,
			  &g->throttled_usec, &g->oom_kills, &g->mem_wset, &g->eff_mem_max,
			  &g->eff_pids_max};
	for (size_t i = 0; i < ARRAY_LEN(na); i++)
		*na[i] = VAL_NA;
	g->psi_cpu = g->psi_mem = g->psi_io = g->eff_cpu_percent = NAN;
	for (int i = 0; i < PSI_NRES; i++)
		g->psi_some[i].total = g->psi_full[i].total = VAL_NA;
}

static bool has(const char *out, const char *line)
{
	return strstr(out, line) != NULL;
}

static void t_metrics(void)
{
	struct snap s = {.what = SNAP_NS | SNAP_CGROUPS | SNAP_CONTAINERS};
	struct cgroup cgs[4];
	blank_cg(&cgs[0], "/", 0);
	cgs[0].cpu_usage_usec = 5000000;
	blank_cg(&cgs[1], "/a", 1);
	cgs[1].cpu_usage_usec = 1500000;
	cgs[1].mem_current = 4096;
	cgs[1].mem_max = VAL_UNLIMITED;
	cgs[1].psi_cpu = 2.5;
	blank_cg(&cgs[2], "/a/c\"t\n", 2);
	cgs[2].mem_current = 100;
	cgs[2].mem_max = 268435456;
	cgs[2].pids_current = 3;
	cgs[2].pids_max = VAL_UNLIMITED;
	cgs[2].mem_wset = 60;
	cgs[2].eff_cpu_percent = 150;
	cgs[2].psi_full[PSI_IO].total = 2500001;
	blank_cg(&cgs[3], "/a/c\"t\n/deep", 3);
	cgs[3].mem_current = 7;
	s.cgs = cgs;
	s.ncgs = 4;
	struct container c = {.rt = RT_K8S, .id = "abc", .name = "evil\xff\"", .pod = "ns1/pod-1",
			      .cgroup = "/a/c\"t\n", .nprocs = 2, .net_rx = VAL_NA, .net_tx = 77};
	s.ctrs = &c;
	s.nctrs = 1;
	struct nsinfo ns[3] = {{.ino = 1, .type = NS_NET, .nprocs = 5},
			       {.ino = 2, .type = NS_NET, .nprocs = 1},
			       {.ino = 3, .type = NS_USER, .nprocs = 0, .ghost = true}};
	s.ns = ns;
	s.nns = 3;
	s.nprocs = 6;
	struct buf b = {0};
	struct metrics_opts o = {.cgroup_depth = 2, .scrape_seconds = 0.25};
	metrics_write(&b, &s, &o);
	const char *out = buf_str(&b);
	/* every container series: the same six labels, image empty when unknown */
	const char *L = "{name=\"evil\\\\xff\\\"\",runtime=\"kubernetes\",id=\"abc\",image=\"\",pod=\"pod-1\",namespace=\"ns1\"}";
	char want[512];
	snprintf(want, sizeof(want), "\nnstop_container_memory_limit_bytes%s 268435456\n", L);
	OK(has(out, want), "metrics: the container's memory limit, its labels escaped, pod split");
	snprintf(want, sizeof(want), "\nnstop_container_processes%s 2\n", L);
	OK(has(out, want), "metrics: its processes");
	snprintf(want, sizeof(want), "\nnstop_container_network_transmit_bytes_total%s 77\n", L);
	OK(has(out, want), "metrics: its network bytes sent");
	OK(!has(out, "nstop_container_network_receive_bytes_total{"), "metrics: no made-up receive figure (VAL_NA)");
	OK(!has(out, "nstop_container_pids_limit{"), "metrics: an unlimited pids.max leaves its series out");
	OK(!has(out, "nstop_container_cpu_seconds_total{"), "metrics: no CPU figure, no series");
	OK(has(out, "nstop_container_info{name=\"evil\\\\xff\\\"\",runtime=\"kubernetes\",id=\"abc\",image=\"\",pod=\"pod-1\",namespace=\"ns1\",cgroup=\"/a/c\\\"t\\n\"} 1\n"),
	   "metrics: the info gauge carries the cgroup");
	snprintf(want, sizeof(want), "\nnstop_container_memory_working_set_bytes%s 60\n", L);
	OK(has(out, want), "metrics: its working set");
	snprintf(want, sizeof(want), "\nnstop_container_cpu_effective_limit_cores%s 1.5\n", L);
	OK(has(out, want), "metrics: its effective CPU limit in cores (150 percent of one CPU)");
	snprintf(want, sizeof(want), "\nnstop_container_pressure_io_full_seconds_total%s 2.500001\n", L);
	OK(has(out, want), "metrics: a PSI total in seconds, exactly");
	OK(!has(out, "nstop_container_pressure_io_some_seconds_total{") &&
	   !has(out, "nstop_container_memory_effective_limit_bytes{"), "metrics: absent PSI totals and limits: no series");
	OK(has(out, "\nnstop_cgroup_cpu_seconds_total{cgroup=\"/\"} 5.000000\n") &&
	   has(out, "\nnstop_cgroup_cpu_seconds_total{cgroup=\"/a\"} 1.500000\n"), "metrics: cgroup CPU seconds");
	OK(has(out, "\nnstop_cgroup_memory_usage_bytes{cgroup=\"/a/c\\\"t\\n\"} 100\n"), "metrics: depth 2 is in");
	OK(!has(out, "deep"), "metrics: depth 3 is out with --cgroup-depth 2");
	OK(!has(out, "nstop_cgroup_memory_limit_bytes{cgroup=\"/a\"}"), "metrics: an unlimited memory.max is left out");
	OK(has(out, "\nnstop_namespaces{type=\"net\"} 2\n") && has(out, "\nnstop_namespaces{type=\"user\"} 0\n"),
	   "metrics: namespaces per type, ghosts not counted");
	OK(has(out, "\nnstop_namespace_processes{type=\"net\"} 6\n"), "metrics: processes per namespace type");
	OK(has(out, "\nnstop_scrape_duration_seconds 0.25\n"), "metrics: the scrape duration");
	OK(has(out, "\nnstop_scrape_errors 0\n"), "metrics: no scrape error");
	/* every line: a comment with HELP or TYPE, or a sample; no family twice */
	size_t nhelp = 0, ntype = 0, bad = 0;
	for (const char *l = out; *l;) {
		const char *e = strchr(l, '\n');
		if (!e) {
			bad++;
			break;
		}
		if (!strncmp(l, "# HELP nstop_", 13))
			nhelp++;
		else if (!strncmp(l, "# TYPE nstop_", 13))
			ntype++;
		else if (strncmp(l, "nstop_", 6))
			bad++;
		l = e + 1;
	}
	OK(!bad && nhelp == ntype && nhelp > 10, "metrics: %zu families, each with HELP and TYPE", nhelp);
	buf_reset(&b);
	nerr_set(&s.cg_err, -2, "no cgroup filesystem is mounted");
	o.errors = 1;
	o.scrape_seconds = NAN;
	metrics_write(&b, &s, &o);
	OK(has(buf_str(&b), "\nnstop_scrape_errors 2\n"), "metrics: a missing cgroup tree and the caller's failure count");
	OK(!has(buf_str(&b), "nstop_scrape_duration_seconds"), "metrics: no duration when none is known");
	buf_free(&b);
}

static size_t count(const char *out, const char *s)
{
	size_t n = 0;
	for (const char *p = out; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* Labels escaped once per scrape: two raw names that escape alike (an
 * invalid byte and a literal backslash-x) still give one series per family,
 * the first one's, as the writer's check does per sample. */
static void t_metrics_alike(void)
{
	struct snap s = {.what = SNAP_CGROUPS | SNAP_CONTAINERS, .nprocs = 5};
	struct cgroup cgs[2];
	blank_cg(&cgs[0], "/p\\xff", 1);
	cgs[0].mem_current = 5;
	blank_cg(&cgs[1], "/p\xff", 1);
	cgs[1].mem_current = 6;
	s.cgs = cgs;
	s.ncgs = 2;
	struct container c[2] = {{.rt = RT_DOCKER, .id = "i", .name = "a\xff" "b", .nprocs = 2,
				  .net_rx = VAL_NA, .net_tx = VAL_NA},
				 {.rt = RT_DOCKER, .id = "i", .name = "a\\xffb", .nprocs = 3,
				  .net_rx = VAL_NA, .net_tx = VAL_NA}};
	s.ctrs = c;
	s.nctrs = 2;
	struct buf b = {0};
	struct metrics_opts o = {.cgroup_depth = 3, .scrape_seconds = NAN};
	metrics_write(&b, &s, &o);
	const char *out = buf_str(&b);
	OK(count(out, "\nnstop_container_processes{") == 1 &&
	   has(out, "\nnstop_container_processes{name=\"a\\\\xffb\",runtime=\"docker\",id=\"i\",image=\"\",pod=\"\",namespace=\"\"} 2\n"),
	   "metrics: two containers whose labels escape alike: the first one's series only");
	OK(count(out, "\nnstop_cgroup_memory_usage_bytes{") == 1 &&
	   has(out, "\nnstop_cgroup_memory_usage_bytes{cgroup=\"/p\\\\xff\"} 5\n"),
	   "metrics: two cgroups whose paths escape alike: the first one's series only");
	buf_free(&b);
}

/* prom_distinct holds for its family only: the next one is checked again. */
static void t_distinct(void)
{
	struct buf b = {0};
	struct prom p;
	prom_init(&p, &b);
	prom_family(&p, "x_a", PROM_GAUGE, "a");
	prom_distinct(&p);
	prom_sample(&p);
	prom_value_u64(&p, 1);
	prom_family(&p, "x_b", PROM_GAUGE, "b");
	for (int i = 0; i < 2; i++) {
		prom_sample(&p);
		prom_labels(&p, "k=\"v\"", 5);
		prom_value_u64(&p, (uint64_t)i);
	}
	IS_STR(buf_str(&b), "# HELP x_a a\n# TYPE x_a gauge\nx_a 1\n# HELP x_b b\n# TYPE x_b gauge\nx_b{k=\"v\"} 0\n",
	       "writer: a family after a distinct one is checked again");
	prom_free(&p);
	buf_free(&b);
}

/* OpenMetrics 1.0.0: families named without the counter's _total and the
 * info's _info, a UNIT from the name's suffix, HELP escaping quotes too,
 * TYPE before HELP, and # EOF at the end. */
static void t_openmetrics(void)
{
	struct buf b = {0};
	struct prom p;
	prom_init(&p, &b);
	p.om = true;
	prom_family(&p, "x_seconds_total", PROM_COUNTER, "a \"help\" \\ text\nwith a newline");
	prom_sample(&p);
	prom_labelz(&p, "name", "a\"b");
	prom_value_usec(&p, 1000001);
	prom_family(&p, "x_build_info", PROM_INFO, "i");
	prom_sample(&p);
	prom_labelz(&p, "version", "1");
	prom_value_u64(&p, 1);
	prom_family(&p, "x_memory_bytes", PROM_GAUGE, "g");
	prom_sample(&p);
	prom_value_u64(&p, 4096);
	prom_family(&p, "x_processes", PROM_GAUGE, "g");
	prom_sample(&p);
	prom_value_u64(&p, 3);
	prom_end(&p);
	IS_STR(buf_str(&b),
	       "# TYPE x_seconds counter\n# UNIT x_seconds seconds\n"
	       "# HELP x_seconds a \\\"help\\\" \\\\ text\\nwith a newline\n"
	       "x_seconds_total{name=\"a\\\"b\"} 1.000001\n"
	       "# TYPE x_build info\n# HELP x_build i\n"
	       "x_build_info{version=\"1\"} 1\n"
	       "# TYPE x_memory_bytes gauge\n# UNIT x_memory_bytes bytes\n# HELP x_memory_bytes g\n"
	       "x_memory_bytes 4096\n"
	       "# TYPE x_processes gauge\n# HELP x_processes g\n"
	       "x_processes 3\n"
	       "# EOF\n",
	       "openmetrics: family names without _total/_info, UNIT, HELP escapes, # EOF");
	prom_free(&p);
	buf_reset(&b);
	prom_init(&p, &b);
	prom_family(&p, "x_info", PROM_INFO, "i");
	prom_sample(&p);
	prom_value_u64(&p, 1);
	prom_end(&p);
	IS_STR(buf_str(&b), "# HELP x_info i\n# TYPE x_info gauge\nx_info 1\n",
	       "text 0.0.4: an info family is a gauge, no # EOF");
	prom_free(&p);
	buf_free(&b);
}

/* The Accept header: network input, so malformed ranges must not choose. */
static void t_accept(void)
{
	static const struct {
		const char *h;
		bool om;
	} cases[] = {
		{"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
		 "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true},  /* Prometheus 2.42 */
		{"*/*", false},                                      /* curl */
		{"", false},
		{"application/openmetrics-text", true},
		{"Application/OpenMetrics-Text ; Version = 1.0.0", true},
		{"application/openmetrics-text;version=0.0.1", false}, /* a version we do not write */
		{"application/openmetrics-text;q=0", false},
		{"application/openmetrics-text;q=0.4, text/plain;q=0.5", false},
		{"text/plain;q=0.5, application/openmetrics-text;q=0.5", true},
		{"text/plain;version=0.0.4, application/openmetrics-text;q=0.9", false},
		{"text/plain;version=9, application/openmetrics-text;q=0.1", true},
		{"application/openmetrics-text;q=1.5", false},       /* malformed q: skipped */
		{"application/openmetrics-text;q=0.5x", false},
		{"application/openmetrics-text;q=", false},
		{"application/openmetrics-text;q", true},            /* no value: no parameter */
		{",,;;==,application/openmetrics-text,", true},
		{"text/*;q=1, application/openmetrics-text;q=0.999", false},
		{"application/openmetrics-textX", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		OK(parse_accept_openmetrics(cases[i].h, strlen(cases[i].h)) == cases[i].om,
		   "accept: %s -> %s", cases[i].h, cases[i].om ? "openmetrics" : "text");
	/* not NUL-terminated: the length bounds the read */
	char raw[] = {'*', '/', '*', 'X'};
	OK(!parse_accept_openmetrics(raw, 3), "accept: a buffer of n bytes, not a string");
}

int main(void)
{
	t_escape();
	t_writer();
	t_metrics();
	t_metrics_alike();
	t_distinct();
	t_openmetrics();
	t_accept();
	return tap_done();
}
