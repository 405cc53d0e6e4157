// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --bench-refresh K: the dashboard's refresh path without a terminal: K
 * snapshots, each against the one before (as the live source takes them),
 * and the view's rows built from each (filtered and sorted as on screen).
 * It times the collector itself, so it calls it directly rather than
 * through a snapshot source's thread. View "metrics": a server's scrape
 * instead, a snapshot of what serve collects written as OpenMetrics.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ui.h"

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Prints the CPU of each refresh and their median, and the peak RSS. */
int ui_bench(const struct uiopts *o, int k, const char *view)
{
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, o->sysroot, &e) < 0) {
		warnmsg("--sysroot: %s", e.msg);
		return 2;
	}
	bool metrics = !strcmp(view, "metrics");
	int v = metrics ? 0 : config_view_index(view);
	if (v < 0) {
		warnmsg("--bench-view: containers, namespaces, cgroups, processes or metrics");
		sysroot_close(&sr);
		return 2;
	}
	struct ui u = {0};
	ui_init(&u);
	u.view = (enum view)v;
	for (int i = 0; i < V_NVIEWS; i++)
		u.vs[i].reverse = false;
	struct users *users = users_new(&sr);
	double *t = xcalloc((size_t)k, sizeof(*t));
	struct metrics_opts mo = {.cgroup_depth = 3, .openmetrics = true, .scrape_seconds = NAN};
	struct collector *coll = collector_new(&sr, users, true);
	if (metrics)
		collector_set_cgroup_depth(coll, mo.cgroup_depth);
	unsigned what = metrics ? METRICS_WHAT : view_what(u.view);
	struct buf out = {0};
	struct snap *prev = collector_take(coll, what, NULL); /* warm-up */
	for (int i = 0; i < k; i++) {
		double c0 = cpu_now();
		struct snap *s = collector_take(coll, what, prev);
		if (metrics) {
			buf_reset(&out);
			metrics_write(&out, s, &mo);
		} else {
			u.shown = s;
			ui_build_rows(&u);
		}
		t[i] = (cpu_now() - c0) * 1000.0;
		snap_free(prev);
		prev = s;
	}
	u.shown = NULL;
	snap_free(prev);
	buf_free(&out);
	const struct collector_stats *cs = collector_stats(coll);
	fprintf(stderr, "collector: %llu full walks, %llu from events, %llu new, %llu stat reads, "
		"%llu namespace reads, %llu re-verified, %llu pool rotations\n",
		(unsigned long long)cs->full_walks, (unsigned long long)cs->event_refreshes,
		(unsigned long long)cs->new_procs, (unsigned long long)cs->stat_reads,
		(unsigned long long)cs->ns_reads, (unsigned long long)cs->verified,
		(unsigned long long)cs->pool_rotations);
	fprintf(stderr, "kept fds: %ld stat, %ld cgroup, %ld netlink (budget %ld)\n", cs->kept_stat,
		cs->kept_cgroup, cs->kept_sock, cs->fd_budget);
	collector_free(coll);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("view %s refreshes %d cpu_ms", view, k);
	for (int i = 0; i < k; i++)
		printf(" %.2f", t[i]);
	qsort(t, (size_t)k, sizeof(*t), cmp_dbl);
	printf("\nmedian_cpu_ms %.2f max_rss_kib %ld rows %zu\n", t[k / 2], ru.ru_maxrss, u.nrows);
	free(t);
	ui_fini(&u);
	users_free(users);
	sysroot_close(&sr);
	return 0;
}
