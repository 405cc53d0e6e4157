// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop metrics: one snapshot in the Prometheus text format, on stdout or
 * as DIR/nstop.prom for node_exporter's textfile collector.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

#define TEXTFILE_NAME "nstop.prom"

enum { OPT_TEXTFILE = 256, OPT_DEPTH, OPT_SYSROOT };

/*
 * DIR/nstop.prom replaced atomically: the textfile collector reads every
 * *.prom file at any moment, so it must find the old file or the new one,
 * whole. The new one is written under a hidden name it ignores (created
 * O_EXCL, never following a link), synced, renamed over the old one, and the
 * directory synced so the rename outlives a crash; a failure removes it.
 */
static int write_textfile(const char *dir, const struct buf *b, struct nerr *e)
{
	struct buf eb = {0};
	const char *d = str_esc(&eb, dir);
	int rc = 0, fd = -1;
	char tmp[64];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ENOTDIR)
			nerr_input(e, rc, "--textfile %s: %s", d, strerror(-rc));
		else
			nerr_set(e, rc, "--textfile %s: %s", d, strerror(-rc));
		goto out;
	}
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		uint64_t r = 0;
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = mono_usec() ^ ((uint64_t)tries << 56);
		snprintf(tmp, sizeof(tmp), "." TEXTFILE_NAME ".%d.%016llx", (int)getpid(),
			 (unsigned long long)r);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = nerr_set(e, -errno, "--textfile %s: cannot create a file in it: %s", d, strerror(errno));
		goto out;
	}
	rc = fd_write_all(fd, b->p, b->len);
	/* readable by the collector's user whatever our umask */
	if (!rc && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc < 0) {
		nerr_set(e, rc, "--textfile %s: writing %s: %s", d, tmp, strerror(-rc));
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	if (renameat(dfd, tmp, dfd, TEXTFILE_NAME) < 0) {
		rc = nerr_set(e, -errno, "--textfile %s: renaming %s to " TEXTFILE_NAME ": %s", d, tmp,
			      strerror(errno));
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	if (fsync(dfd) < 0)
		rc = nerr_set(e, -errno, "--textfile %s: syncing the directory: %s", d, strerror(errno));
out:
	if (dfd >= 0)
		close(dfd);
	buf_free(&eb);
	return rc;
}

int cmd_metrics(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"textfile", required_argument, NULL, OPT_TEXTFILE},
		{"cgroup-depth", required_argument, NULL, OPT_DEPTH},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{0},
	};
	struct metrics_opts mo = {.cgroup_depth = 3};
	const char *textfile = NULL, *sysroot = g->sysroot;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_TEXTFILE:
			if (!*optarg)
				usage_error("metrics: --textfile: a directory is required");
			textfile = optarg;
			break;
		case OPT_DEPTH:
			mo.cgroup_depth = cli_cgroup_depth("metrics", optarg);
			break;
		case OPT_SYSROOT:
			sysroot = optarg;
			break;
		default:
			cli_bad_option("metrics", argv, optopt);
		}
	}
	if (optind < argc)
		usage_error("metrics: unexpected argument: %s", str_esc(&b, argv[optind]));

	struct nerr e = {0};
	struct sysroot sr;
	if (sysroot_open(&sr, sysroot, &e) < 0)
		usage_error("--sysroot: %s", str_esc(&b, e.msg));
	uint64_t t0 = mono_usec();
	struct users *u = users_new(&sr);
	struct collector *coll = collector_new(&sr, u, false);
	/* the per-cgroup series stop at the depth: so does the walk */
	collector_set_cgroup_depth(coll, mo.cgroup_depth);
	struct snap *s = collector_take(coll, METRICS_WHAT, NULL);
	mo.scrape_seconds = (double)(mono_usec() - t0) / 1e6;
	if (s->cg_err.code)
		warnmsg("metrics: no cgroups: %s (nstop_scrape_errors counts it)", s->cg_err.msg);
	struct buf out = {0};
	metrics_write(&out, s, &mo);
	snap_free(s);
	collector_free(coll);
	users_free(u);
	sysroot_close(&sr);

	int rc = 0;
	if (textfile) {
		if (write_textfile(textfile, &out, &e) < 0) {
			warnmsg("metrics: %s", e.msg);
			rc = e.kind == NERR_INPUT ? 2 : 1;
		}
	} else if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) == EOF) {
		warnmsg("metrics: writing to stdout: %s", strerror(errno));
		rc = 1;
	}
	buf_free(&out);
	buf_free(&b);
	return rc;
}
