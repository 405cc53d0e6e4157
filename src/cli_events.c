// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop events: one line per event, live. Exits, OOM kills and container
 * starts and exits come from collect/events.c as they happen (-f); the
 * actions from the audit log, which also holds the past (--since). Every
 * string is the kernel's, a runtime's or a process's own: escaped.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

enum { OPT_SINCE = 256, OPT_UNTIL, OPT_JSON, OPT_AUDIT_LOG, OPT_SYSROOT, OPT_REPLAY };

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void text_time(char *out, size_t n, int64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char a[32];
	if (!gmtime_r(&t, &tm) || !strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(a, sizeof(a), "?");
	snprintf(out, n, "%s.%03dZ", a, (int)((usec % 1000000 + 1000000) % 1000000 / 1000));
}

static const char *ev_signame(int sig)
{
	const char *s = sigabbrev_np(sig);
	return s ? s : "?";
}

static void print_json(const struct event *e)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b, false);
	json_obj_begin(&j, NULL);
	cli_json_time(&j, "time", e->time_usec);
	json_str(&j, "type", ev_type_name(e->type));
	if (e->pid)
		json_i64(&j, "pid", e->pid);
	if (e->start)
		json_u64(&j, "start_ticks", e->start);
	if (e->comm[0])
		json_str(&j, "comm", e->comm);
	if (e->cgroup[0])
		json_str(&j, "cgroup", e->cgroup);
	if (e->ctr_id[0] || e->ctr_name[0]) {
		json_obj_begin(&j, "container");
		if (e->type != EV_ACTION)
			json_str(&j, "runtime", runtime_name(e->rt));
		if (e->ctr_id[0])
			json_str(&j, "id", e->ctr_id);
		if (e->ctr_name[0])
			json_str(&j, "name", e->ctr_name);
		json_obj_end(&j);
	}
	if (e->has_status && e->st.exited)
		json_i64(&j, "exit_code", e->st.code);
	if (e->has_status && e->st.signaled) {
		json_i64(&j, "signal", e->st.sig);
		json_str(&j, "signal_name", ev_signame(e->st.sig));
		json_bool(&j, "core_dumped", e->st.core);
	}
	if (e->type == EV_OOM_KILL) {
		json_u64(&j, "oom_kills", e->count);
		if (e->victim) {
			json_i64(&j, "victim_pid", e->victim);
			json_str(&j, "victim_comm", e->victim_comm);
		}
	}
	if (e->type == EV_THROTTLE_BEGIN)
		json_u64(&j, "throttled_periods", e->count);
	if (e->type == EV_ACTION) {
		json_str(&j, "action", e->action);
		json_str(&j, "result", e->result);
		if (e->detail[0])
			json_str(&j, "detail", e->detail);
	}
	json_obj_end(&j);
	buf_addc(&b, '\n');
	fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
}

static void print_text(const struct event *e)
{
	struct buf b = {0};
	char t[48];
	text_time(t, sizeof(t), e->time_usec);
	printf("%s %-15s %s", t, ev_type_name(e->type),
	       e->ctr_name[0] ? str_esc(&b, e->ctr_name) : e->ctr_id[0] ? str_esc(&b, e->ctr_id) : "-");
	if (e->pid)
		printf(" pid %d", (int)e->pid);
	if (e->comm[0])
		printf(" (%s)", str_esc(&b, e->comm));
	if (e->has_status && e->st.exited)
		printf(" exited %d", e->st.code);
	if (e->has_status && e->st.signaled)
		printf(" killed by SIG%s%s", ev_signame(e->st.sig), e->st.core ? " (core dumped)" : "");
	if (e->type == EV_OOM_KILL) {
		printf(" %llu OOM kill%s", (unsigned long long)e->count, e->count == 1 ? "" : "s");
		if (e->victim)
			printf(", victim pid %d (%s)", (int)e->victim, str_esc(&b, e->victim_comm));
	}
	if (e->type == EV_THROTTLE_BEGIN)
		printf(" throttled in %llu CPU period%s", (unsigned long long)e->count,
		       e->count == 1 ? "" : "s");
	if (e->type == EV_ACTION) {
		printf(" %s", str_esc(&b, e->action));
		printf(" %s", str_esc(&b, e->result)); /* one buffer: one use per printf */
		if (e->detail[0])
			printf(" %s", str_esc(&b, e->detail));
	}
	if (e->cgroup[0] && e->type != EV_ACTION)
		printf(" cgroup %s", str_esc(&b, e->cgroup));
	putchar('\n');
	buf_free(&b);
}

struct evopts {
	int64_t since, until;
	bool json;
};

static void emit(const struct evopts *o, const struct event *e)
{
	if (e->time_usec < o->since || e->time_usec > o->until)
		return;
	if (o->json)
		print_json(e);
	else
		print_text(e);
}

/* The audit log's records from the skip-th on; how many it holds, or -1
 * when it cannot be read (said once). */
static long audit_events(const char *path, const struct evopts *o, long skip, bool *warned)
{
	struct nerr e = {0};
	struct jv *recs;
	size_t n;
	int r = audit_read(path, &recs, &n, &e);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (!*warned)
			warnmsg("events: %s (actions are left out)", e.msg);
		*warned = true;
		return -1;
	}
	if ((long)n < skip)
		skip = 0; /* rotated or cut: it starts over */
	for (size_t i = (size_t)skip; i < n; i++) {
		struct event ev;
		if (audit_event(&recs[i], &ev))
			emit(o, &ev);
	}
	audit_free(recs, n);
	return (long)n;
}

static int cmp_time(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	return x->time_usec < y->time_usec ? -1 : x->time_usec > y->time_usec;
}

/* --replay PATH: the recording's events; --since and --until relative to
 * its last sample. */
static int replay_list(const char *path, const char *since, const char *until, struct evopts *o)
{
	struct buf b = {0};
	struct nerr e = {0};
	struct replay *r = replay_open(path, &e);
	int64_t first, last;
	struct event *ev = NULL;
	size_t n = 0;
	if (r && replay_span(r, &first, &last, &e) == 0) {
		if (since && rec_parse_at(since, last, &o->since) < 0)
			usage_error("events: --since: not a time (RFC 3339, HH:MM[:SS] of the recording's "
				    "last day, -5m from its end): %s", str_esc(&b, since));
		if (until && rec_parse_at(until, last, &o->until) < 0)
			usage_error("events: --until: not a time (RFC 3339, HH:MM[:SS] of the recording's "
				    "last day, -5m from its end): %s", str_esc(&b, until));
		if (replay_events(r, o->since, o->until, &ev, &n, &e) == 0)
			e.msg[0] = 0;
	}
	replay_close(r);
	int rc = 0;
	if (e.msg[0]) {
		warnmsg("events: %s", e.msg);
		rc = e.kind == NERR_INPUT ? 2 : 1;
	}
	for (size_t i = 0; i < n && !ferror(stdout); i++)
		emit(o, &ev[i]);
	free(ev);
	buf_free(&b);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = rc ? rc : 1;
	return rc;
}

int cmd_events(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"follow", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, OPT_JSON},
		{"audit-log", required_argument, NULL, OPT_AUDIT_LOG},
		{"interval", required_argument, NULL, 'd'},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{0},
	};
	const char *since = NULL, *until = NULL, *audit = NULL, *sysroot = g->sysroot, *replay = NULL;
	bool iv_set = false;
	bool follow = false;
	double iv = 1;
	struct evopts o = {.since = INT64_MIN, .until = INT64_MAX};
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fd:", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case 'f':
			follow = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_AUDIT_LOG:
			audit = optarg;
			break;
		case 'd':
			if (str_parse_seconds(optarg, &iv) < 0 || iv < 0.1)
				usage_error("events: --interval: not a number of seconds (0.1 to 86400): %s",
					    str_esc(&b, optarg));
			iv_set = true;
			break;
		case OPT_REPLAY:
			replay = optarg;
			break;
		case OPT_SYSROOT:
			sysroot = optarg;
			break;
		default:
			cli_bad_option("events", argv, optopt);
		}
	}
	if (optind < argc)
		usage_error("events: unexpected argument: %s", str_esc(&b, argv[optind]));
	if (replay) {
		/* a recording holds its own actions and ends: nothing to follow */
		if (follow || iv_set || audit || sysroot != g->sysroot)
			usage_error("events: --replay: not with %s (a recording holds its events, "
				    "actions included)", follow ? "-f" : iv_set ? "--interval" : audit ?
				    "--audit-log" : "--sysroot");
		buf_free(&b);
		return replay_list(replay, since, until, &o);
	}
	int64_t now = ev_now_usec();
	if (since && rec_parse_at(since, now, &o.since) < 0)
		usage_error("events: --since: not a time (RFC 3339, HH:MM[:SS] of today, -5m): %s",
			    str_esc(&b, since));
	if (until && rec_parse_at(until, now, &o.until) < 0)
		usage_error("events: --until: not a time (RFC 3339, HH:MM[:SS] of today, -5m): %s",
			    str_esc(&b, until));
	if (follow && !since)
		o.since = now; /* -f alone: from now on */
	setvbuf(stdout, NULL, _IOLBF, 0);
	bool warned = false;
	long seen = audit_events(audit, &o, 0, &warned);
	if (!follow || o.until <= now) {
		buf_free(&b);
		return 0;
	}
	struct nerr e = {0};
	struct sysroot sr;
	if (sysroot_open(&sr, sysroot, &e) < 0)
		usage_error("--sysroot: %s", str_esc(&b, e.msg));
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct evsrc *src = evsrc_open(!sysroot || !strcmp(sysroot, "/"));
	if (!evsrc_has(src, 0))
		warnmsg("events: the proc connector is not available (not root?): process exits are left out");
	struct users *u = users_new(&sr);
	struct collector *coll = collector_new(&sr, u, true);
	struct snap *prev = collector_take(coll, SNAP_ALL, NULL);
	uint64_t next = mono_usec() + (uint64_t)(iv * 1e6), dropped = 0;
	while (!stop_sig && !ferror(stdout)) {
		struct pollfd p[2] = {{.fd = evsrc_fd(src, 0), .events = POLLIN},
				      {.fd = evsrc_fd(src, 1), .events = POLLIN}};
		uint64_t t = mono_usec();
		int wait = t >= next ? 0 : (int)((next - t) / 1000) + 1;
		if (poll(p, 2, wait) > 0)
			evsrc_drain(src);
		if (mono_usec() < next)
			continue;
		struct snap *cur = collector_take(coll, SNAP_ALL, prev);
		struct event *ev;
		size_t n = evsrc_take(src, prev, cur, &ev);
		if (n > 1) /* ev is NULL when there are none: qsort must not see it */
			qsort(ev, n, sizeof(*ev), cmp_time);
		for (size_t i = 0; i < n; i++)
			emit(&o, &ev[i]);
		free(ev);
		if (evsrc_dropped(src) > dropped) {
			warnmsg("events: %llu process exits left out (more than %d in one interval: -d shorter)",
				(unsigned long long)(evsrc_dropped(src) - dropped), 2048);
			dropped = evsrc_dropped(src);
		}
		snap_free(prev);
		prev = cur;
		if (seen >= 0)
			seen = audit_events(audit, &o, seen, &warned);
		next += (uint64_t)(iv * 1e6);
		if (next < mono_usec())
			next = mono_usec();
		if (ev_now_usec() > o.until)
			break;
	}
	snap_free(prev);
	collector_free(coll);
	evsrc_close(src);
	users_free(u);
	sysroot_close(&sr);
	buf_free(&b);
	return ferror(stdout) ? 1 : 0;
}
