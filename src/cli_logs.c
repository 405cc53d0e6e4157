// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop logs TARGET [-f] [--tail N] [--since TIME] [--timestamps]: a
 * container's output. nstop's own containers' logs as act_logs copies them;
 * Docker's json-file and Podman's k8s-file logs through collect/logs.c, each record's text
 * escaped (a container chooses every byte of it), stdout's records to
 * stdout and stderr's to stderr as docker logs does.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "cli.h"

enum { O_SYSROOT = 500, O_TAIL, O_SINCE };

struct logs_out {
	bool timestamps;
	struct buf b;
};

static void put_rec(void *arg, const struct log_join *j)
{
	struct logs_out *o = arg;
	struct buf *b = &o->b;
	buf_reset(b);
	if (o->timestamps) {
		if (j->time_ns == INT64_MIN) {
			buf_adds(b, "- ");
		} else {
			time_t t = (time_t)(j->time_ns / 1000000000);
			long ns = (long)(j->time_ns % 1000000000);
			if (ns < 0)
				ns += 1000000000, t--;
			struct tm tm;
			char ts[40];
			gmtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			buf_printf(b, "%s.%09ldZ ", ts, ns);
		}
	}
	/* tabs stay (harmless, and columns keep their shape); every other
	 * control byte, invalid UTF-8 and escape sequence as \xNN */
	const char *p = j->text.p ? j->text.p : "";
	size_t n = j->text.len, s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '\t') {
			str_escape(b, p + s, i - s, ESC_TEXT);
			if (i < n)
				buf_addc(b, '\t');
			s = i + 1;
		}
	}
	if (j->cut)
		buf_printf(b, " [nstop: cut at %d KiB]", LOG_TEXT_MAX >> 10);
	buf_addc(b, '\n');
	FILE *f = !strcmp(j->stream, "stderr") ? stderr : stdout;
	fwrite(b->p, 1, b->len, f);
}

/* --since: a duration before now (30s, 5m, 2h, 1d), seconds since the
 * epoch, or an RFC 3339 time; -1 when it is none of them. */
static int since_parse(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end != s && !errno && isfinite(v) && v >= 0 && v < 1e12) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		double mul = 0;
		if (!*end)
			mul = -1;
		else if (!strcmp(end, "s"))
			mul = 1;
		else if (!strcmp(end, "m"))
			mul = 60;
		else if (!strcmp(end, "h"))
			mul = 3600;
		else if (!strcmp(end, "d"))
			mul = 86400;
		/* nanoseconds in an int64 reach the year 2262: past it the
		 * cast would be undefined (and read as "everything") */
		double ns = v * (mul < 0 ? 1 : mul) * 1e9;
		if (mul != 0 && !(ns < 9.2e18))
			return -1;
		if (mul < 0) {
			*out = (int64_t)ns;
			return 0;
		}
		if (mul > 0) {
			*out = now_ns - (int64_t)ns;
			return 0;
		}
	}
	return parse_rfc3339(s, strlen(s), out) < 0 ? -1 : 0;
}

static bool alive(struct sysroot *sr, pid_t pid, uint64_t start)
{
	uint64_t now;
	return pid > 0 && sysroot_pid_start(sr, pid, &now) == 0 && now == start;
}

/*
 * Kubernetes' containers (containerd's and CRI-O's): kubelet's files, found
 * through its /var/log/containers link; outside Kubernetes containerd and
 * CRI-O keep no log file of their own.
 */
static int open_cri(struct sysroot *sr, const struct act_target *t, struct logsrc *ls, struct nerr *e)
{
	struct cri_ref ref;
	if (logs_find_cri(sr, t->id, &ref) < 0) {
		memset(ls, 0, sizeof(*ls));
		ls->fd = -1;
		return nerr_set(e, -ENODATA, "%s container %.12s: no kubelet link to its log in "
				"/var/log/containers (outside Kubernetes %s keeps no log file)",
				runtime_name(t->rt), t->id, t->rt == RT_CRIO ? "CRI-O" : "containerd");
	}
	return logs_open_cri(sr, ref.ns, ref.pod, ref.uid, ref.ctr, (long)ref.restart, ls, e);
}

static int runtime_logs(struct sysroot *sr, const struct act_target *t, bool follow, size_t tail,
			int64_t since, bool timestamps, struct nerr *e)
{
	struct snap *s = snap_take(sr, NULL, SNAP_PROCS, NULL);
	struct logsrc ls;
	int r = t->rt == RT_PODMAN ? logs_open_podman(sr, s, t->id, t->pid, &ls, e)
		: t->rt == RT_DOCKER ? logs_open_docker(sr, s, t->id, &ls, e)
		: t->rt == RT_LXC ? logs_open_lxc(sr, t->id, &ls, e)
		: t->rt == RT_NSPAWN ? logs_open_nspawn(sr, t->id, t->pid, &ls, e)
				     : open_cri(sr, t, &ls, e);
	snap_free(s);
	if (r < 0)
		return r;
	if (ls.note[0])
		fprintf(stderr, "nstop: logs: note: %s\n", ls.note);
	struct logs_out o = {timestamps, {0}};
	uint64_t start = 0;
	if (follow && (t->pid <= 0 || sysroot_pid_start(sr, t->pid, &start) < 0))
		follow = false;
	r = logs_tail(&ls, tail, since, put_rec, &o);
	fflush(stdout);
	fflush(stderr);
	/* until its init is gone, then what it wrote while dying */
	while (r >= 0 && follow) {
		bool up = alive(sr, t->pid, start);
		r = logs_poll(&ls, since, put_rec, &o);
		fflush(stdout);
		fflush(stderr);
		if (!up || ferror(stdout))
			break;
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (r < 0 && ls.jbroken)
		nerr_set(e, r, "reading %s: a file of it shrank while read (truncated, or rotated away): given up", ls.path);
	else if (r < 0)
		nerr_set(e, r, "reading its log %s: %s", ls.path, strerror(-r));
	buf_free(&o.b);
	logs_close(&ls);
	return r < 0 ? r : 0;
}

/*
 * Under --sysroot: the container of a snapshot of it whose id is word or
 * starts with it (unique), or whose name is word. Docker, Podman and
 * Kubernetes ones (their files are what is read).
 */
static int sysroot_target(struct sysroot *sr, const char *word, struct act_target *t, struct nerr *e)
{
	struct snap *s = snap_take(sr, NULL, SNAP_PROCS | SNAP_CONTAINERS, NULL);
	const struct container *hit = NULL;
	int n = 0;
	size_t wl = strlen(word);
	for (size_t i = 0; s && i < s->nctrs; i++) {
		const struct container *k = &s->ctrs[i];
		if (!k->id || (strncmp(k->id, word, wl) && (!k->name || strcmp(k->name, word))))
			continue;
		if (!strcmp(k->id, word)) {
			hit = k, n = 1;
			break;
		}
		hit = k, n++;
	}
	struct buf b = {0};
	int r = 0;
	if (!n || !wl)
		r = nerr_input(e, -EINVAL, "%s: no such container in the --sysroot", str_esc(&b, word));
	else if (n > 1)
		r = nerr_input(e, -EINVAL, "%s: %d containers match in the --sysroot: give more of the id",
			       str_esc(&b, word), n);
	else if (hit->rt != RT_DOCKER && hit->rt != RT_PODMAN && hit->rt != RT_K8S &&
		 hit->rt != RT_CONTAINERD && hit->rt != RT_CRIO)
		r = nerr_input(e, -EINVAL, "%s: a --sysroot's logs are read for Docker, Podman and "
			       "Kubernetes containers", str_esc(&b, word));
	if (r == 0) {
		t->rt = hit->rt;
		t->id = xstrdup(hit->id);
		t->pid = hit->init_pid;
	}
	buf_free(&b);
	snap_free(s);
	return r;
}

int cmd_logs(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"tail", required_argument, NULL, O_TAIL},
		{"since", required_argument, NULL, O_SINCE},
		{"timestamps", no_argument, NULL, 't'},
		{"sysroot", required_argument, NULL, O_SYSROOT},
		{0},
	};
	bool follow = false, timestamps = false, records_opt = false;
	size_t tail = SIZE_MAX;
	int64_t since = INT64_MIN;
	const char *sysroot = g->sysroot;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ft", lopts, NULL)) != -1) {
		if (c == 'f') {
			follow = true;
		} else if (c == 't') {
			timestamps = records_opt = true;
		} else if (c == O_TAIL) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (!strcmp(optarg, "all"))
				tail = SIZE_MAX;
			else if (!*optarg || *end || errno || optarg[0] == '-' || v >= SIZE_MAX)
				usage_error("logs: --tail: a number of lines or \"all\": %s", str_esc(&b, optarg));
			else
				tail = (size_t)v;
			records_opt = true;
		} else if (c == O_SINCE) {
			if (since_parse(optarg, &since) < 0)
				usage_error("logs: --since: a duration (30s, 5m, 2h, 1d), seconds since the "
					    "epoch or an RFC 3339 time: %s", str_esc(&b, optarg));
			records_opt = true;
		} else if (c == O_SYSROOT) {
			sysroot = optarg;
		} else {
			usage_error("logs: unknown option or missing value: %s (see nstop logs --help)",
				    str_esc(&b, argv[optind - 1]));
		}
	}
	if (optind + 1 != argc)
		usage_error("logs: one TARGET is required");
	const char *word = argv[optind];
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, sysroot, &e) < 0) {
		fprintf(stderr, "nstop: logs: %s\n", str_esc(&b, e.msg));
		exit(2);
	}
	int r;
	struct jv st;
	if (!sr.live) {
		/* a captured node: its runtimes' files as they were, nothing grows */
		if (follow)
			usage_error("logs: -f: a --sysroot does not grow");
		struct act_target t = {0};
		r = sysroot_target(&sr, word, &t, &e);
		if (r == 0)
			r = runtime_logs(&sr, &t, false, tail, since, timestamps, &e);
		free(t.id);
	} else if (state_load(word, &st) == 0) {
		/* nstop's own: a plain copy of what it wrote, no records */
		jv_free(&st);
		if (records_opt)
			usage_error("logs: --tail, --since and --timestamps: for Docker and Podman containers; "
				    "nstop's own log is a plain copy of the output, without times");
		r = act_logs(&sr, word, follow, STDOUT_FILENO, &e);
	} else {
		struct act_target t = {0};
		r = act_resolve(&sr, word, &t, &e);
		if (r == 0 && t.rt == RT_NSTOP)
			r = act_logs(&sr, t.name ? t.name : word, follow, STDOUT_FILENO, &e);
		else if (r == 0 && (t.rt == RT_DOCKER || t.rt == RT_PODMAN || t.rt == RT_K8S ||
				    t.rt == RT_CONTAINERD || t.rt == RT_CRIO || t.rt == RT_LXC ||
				    t.rt == RT_NSPAWN) && t.id)
			r = runtime_logs(&sr, &t, follow, tail, since, timestamps, &e);
		else if (r == 0)
			r = nerr_input(&e, -EINVAL, "%s: %s", str_esc(&b, word),
				       t.rt == RT_NONE ? "not a container (logs are a container's)"
						       : "logs of this runtime's containers are not read "
							 "(Docker's, Podman's, Kubernetes', LXC's, nspawn's "
							 "and nstop's own are)");
		act_target_free(&t);
	}
	if (r < 0)
		fprintf(stderr, "nstop: logs: %s\n", e.msg);
	sysroot_close(&sr);
	buf_free(&b);
	return r < 0 ? act_exit_code(&e) : 0;
}
