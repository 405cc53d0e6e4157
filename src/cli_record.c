// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop record: samples appended to files in a history directory (format:
 * collect/recfmt.c, recsnap.c; man nstop(8), RECORDING FILES), rotated by
 * size, the oldest deleted to keep the total under --max-size. And the
 * listings' --replay PATH --at TIME, and the actions' refusal of it.
 *
 * Crash safety: each record is one write() at the file's end; a sample cut
 * short by a crash is a torn tail the reader skips, so a sample is whole or
 * absent. The file is fdatasync'd at most every REC_SYNC_SEC seconds, at
 * rotation and at the end: a power loss loses at most that much.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

#define REC_DEFAULT_MAX (256ull << 20)
#define REC_MIN_MAX (64ull << 10)
#define REC_FILES 8             /* a file rotates at an eighth of --max-size */
#define REC_SYNC_SEC 5

enum { OPT_MAX_SIZE = 256, OPT_DURATION, OPT_SYSROOT, OPT_AUDIT_LOG };

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

struct recorder {
	const char *dir;        /* for messages */
	int dfd, fd;
	char name[96];          /* the open file's */
	uint64_t size;          /* its length */
	struct rec_ent *ents;   /* its samples, for the index */
	size_t nents, cap;
	uint64_t max, filecap;
	uint64_t synced_usec;
	unsigned since_full;    /* samples written since the last full one */
};

static int fail(struct recorder *r, int rc, const char *what)
{
	struct buf b = {0};
	warnmsg("record: %s/%s: %s: %s", str_esc(&b, r->dir), r->name, what, strerror(-rc));
	buf_free(&b);
	return rc;
}

/* A new file, named by its UTC start time (names sort as time does). */
static int file_open(struct recorder *r)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (int tries = 0; tries < 100; tries++, ts.tv_nsec += 1000) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		char t[32];
		strftime(t, sizeof(t), "%Y%m%dT%H%M%S", &tm);
		snprintf(r->name, sizeof(r->name), "nstop-%s.%06ldZ%s", t,
			 (long)(ts.tv_nsec / 1000 % 1000000), REC_SUFFIX);
		r->fd = openat(r->dfd, r->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600);
		if (r->fd >= 0 || errno != EEXIST)
			break;
	}
	if (r->fd < 0)
		return fail(r, -errno, "cannot create");
	if (fchmod(r->fd, 0600) < 0)
		return fail(r, -errno, "chmod");
	struct buf h = {0};
	rec_file_header(&h);
	int rc = fd_write_all(r->fd, h.p, h.len);
	buf_free(&h);
	if (rc < 0)
		return fail(r, rc, "write");
	r->size = REC_HDR_SIZE;
	r->nents = 0;
	return 0;
}

/* The index and trailer, synced: the file is closed for good. */
static int file_close(struct recorder *r)
{
	if (r->fd < 0)
		return 0;
	struct buf b = {0};
	int rc = rec_index(&b, r->ents, r->nents, r->size);
	if (!rc)
		rc = fd_write_all(r->fd, b.p, b.len);
	buf_free(&b);
	if (!rc && fdatasync(r->fd) < 0)
		rc = -errno;
	close(r->fd);
	r->fd = -1;
	return rc < 0 ? fail(r, rc, "closing") : 0;
}

/* Oldest files deleted while the directory's recordings and `more` bytes
 * (the next record and the open file's closing index) would exceed
 * --max-size; the open file is never one of them. */
static void retain(struct recorder *r, uint64_t more)
{
	DIR *d = fdopendir(dup(r->dfd));
	if (!d)
		return;
	rewinddir(d); /* the dup shares its offset: the last listing left it at the end */
	char **names = NULL;
	uint64_t *sizes = NULL, total = more;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), sl = strlen(REC_SUFFIX);
		struct stat st;
		if (de->d_name[0] == '.' || l <= sl || strcmp(de->d_name + l - sl, REC_SUFFIX) ||
		    fstatat(r->dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		total += (uint64_t)st.st_size;
		if (!strcmp(de->d_name, r->name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
			sizes = xreallocarray(sizes, cap, sizeof(*sizes));
		}
		names[n] = xstrdup(de->d_name);
		sizes[n++] = (uint64_t)st.st_size;
	}
	closedir(d);
	/* oldest first: a selection sort keeps the sizes beside the names */
	for (size_t i = 0; i < n; i++) {
		size_t m = i;
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(names[k], names[m]) < 0)
				m = k;
		char *tn = names[i];
		uint64_t ts = sizes[i];
		names[i] = names[m], sizes[i] = sizes[m];
		names[m] = tn, sizes[m] = ts;
		if (total > r->max && unlinkat(r->dfd, names[i], 0) == 0)
			total -= sizes[i];
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(sizes);
}

/* A framed record at the end of the open file, listed for its index. */
static int write_rec(struct recorder *r, int type, int64_t t, const struct buf *rec)
{
	/* the index and trailer this file gets when it closes count too */
	retain(r, rec->len + rec_index_bound(r->nents + 1));
	int rc = fd_write_all(r->fd, rec->p, rec->len);
	if (rc < 0) {
		/* no torn record left behind when it can be helped */
		if (ftruncate(r->fd, (off_t)r->size) < 0)
			rc = rc ? rc : -errno;
		return fail(r, rc, "write");
	}
	if (r->nents == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->ents = xreallocarray(r->ents, r->cap, sizeof(*r->ents));
	}
	r->ents[r->nents++] = (struct rec_ent){(uint8_t)type, t, r->size};
	r->size += rec->len;
	uint64_t now = mono_usec();
	if (now - r->synced_usec >= REC_SYNC_SEC * 1000000ull) {
		if (fdatasync(r->fd) < 0)
			return fail(r, -errno, "fdatasync");
		r->synced_usec = now;
	}
	return 0;
}

/* One sample at the end of the open file, rotating first when it would
 * pass the file's share of --max-size. */
static int append(struct recorder *r, const struct snap *s, const struct snap *prev,
		  int64_t t, struct buf *raw, struct buf *rec)
{
	buf_reset(raw);
	buf_reset(rec);
	/* a full one now and then: a reader going back or to --at decodes
	 * from the last full one before it, not from the file's start */
	bool full = !r->nents || r->since_full + 1 >= REC_FULL_EVERY;
	rec_encode(raw, s, full ? NULL : prev);
	int type = full ? REC_FULL : REC_DELTA;
	if (rec_frame(rec, type, t, raw->p, raw->len) < 0)
		return fail(r, -ENOMEM, "compressing");
	if (r->nents && r->size + rec->len > r->filecap) {
		int rc = file_close(r);
		if (rc < 0 || (rc = file_open(r)) < 0)
			return rc;
		return append(r, s, prev, t, raw, rec);
	}
	int rc = write_rec(r, type, t, rec);
	if (rc == 0)
		r->since_full = full ? 0 : r->since_full + 1;
	return rc;
}

/* The audit log's actions since the recorder started (it is read again
 * only when its size or time changed): appended to *v. */
struct audit_pos {
	const char *path;
	long seen;              /* records read, -1: unreadable (said once) */
	struct stat st;
};

static void audit_take(struct audit_pos *a, struct event **v, size_t *n, bool first)
{
	struct stat st;
	const char *path = a->path ? a->path : audit_default_path();
	if (a->seen < 0 || stat(path, &st) < 0)
		return;
	if (!first && st.st_size == a->st.st_size && st.st_mtim.tv_sec == a->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == a->st.st_mtim.tv_nsec && st.st_ino == a->st.st_ino)
		return;
	a->st = st;
	struct nerr e = {0};
	struct jv *recs;
	size_t nr;
	int r = audit_read(a->path, &recs, &nr, &e);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		warnmsg("record: %s (actions are not recorded)", e.msg);
		a->seen = -1;
		return;
	}
	if ((long)nr < a->seen)
		a->seen = 0; /* rotated or cut: it starts over */
	for (size_t i = first ? nr : (size_t)a->seen; i < nr; i++) {
		struct event ev;
		if (!audit_event(&recs[i], &ev))
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = ev;
	}
	a->seen = (long)nr;
	audit_free(recs, nr);
}

static int ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	return x->time_usec < y->time_usec ? -1 : x->time_usec > y->time_usec;
}

/* The events taken at sample s (since prev) and the actions logged since
 * the last, one events record after the sample's. */
static int append_events(struct recorder *r, struct evsrc *src, struct audit_pos *a,
			 const struct snap *s, const struct snap *prev, int64_t t, struct buf *raw,
			 struct buf *rec)
{
	struct event *v;
	size_t n = evsrc_take(src, prev, s, &v);
	audit_take(a, &v, &n, false);
	int rc = 0;
	for (size_t off = 0; off < n && rc == 0; off += REC_EV_MAX) {
		size_t k = n - off < REC_EV_MAX ? n - off : REC_EV_MAX;
		if (off == 0 && n > 1)
			qsort(v, n, sizeof(*v), ev_cmp);
		buf_reset(raw);
		buf_reset(rec);
		rec_ev_encode(raw, v + off, k, t);
		if (rec_frame(rec, REC_EVENTS, t, raw->p, raw->len) < 0)
			return fail(r, -ENOMEM, "compressing");
		rc = write_rec(r, REC_EVENTS, t, rec);
	}
	free(v);
	return rc;
}

/* The history directory: made 0700 when missing (parents 0755), the way
 * walked without following a link through nobody else's directory
 * (util/trust.c); an existing one must be ours and writable by no one else. */
static int open_dir(const char *dir, struct nerr *e)
{
	struct buf b = {0};
	const char *d = str_esc(&b, dir);
	char why[160];
	int fd = trust_mkdirs(dir, 0700, why, sizeof(why));
	if (fd < 0) {
		int rc = fd == -EPERM || fd == -ELOOP || fd == -ENOTDIR ? nerr_input(e, fd, "%s: %s", d, why) : nerr_set(e, fd, "%s: %s", d, why);
		buf_free(&b);
		return rc;
	}
	struct stat st;
	int rc = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		rc = nerr_input(e, -errno, "%s: %s", d, strerror(errno));
	else if (st.st_uid != geteuid() || (st.st_mode & 022))
		rc = nerr_input(e, -EPERM, "%s: owned by another user or writable by others: "
				"recordings hold command lines, choose a private directory", d);
	buf_free(&b);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

/* Waits for the next sample, reading the proc connector and kmsg as they
 * have something: an exited process is a zombie for a moment only, its
 * name and cgroup are read while it is one. */
static void sleep_until(uint64_t mono, struct evsrc *src)
{
	for (;;) {
		uint64_t now = mono_usec();
		if (now >= mono || stop_sig)
			return;
		struct pollfd p[2] = {{.fd = evsrc_fd(src, 0), .events = POLLIN},
				      {.fd = evsrc_fd(src, 1), .events = POLLIN}};
		/* a signal ends it early: stop_sig is looked at */
		if (poll(p, 2, (int)((mono - now) / 1000) + 1) > 0)
			evsrc_drain(src);
	}
}

int cmd_record(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"interval", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"max-size", required_argument, NULL, OPT_MAX_SIZE},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"audit-log", required_argument, NULL, OPT_AUDIT_LOG},
		{0},
	};
	double iv = 1, duration = 0;
	struct audit_pos ap = {0};
	const char *dir = NULL, *sysroot = g->sysroot;
	uint64_t max = REC_DEFAULT_MAX;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:o:", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (str_parse_seconds(optarg, &iv) < 0 || iv < 0.1)
				usage_error("record: --interval: not a number of seconds (0.1 to 86400): %s",
					    str_esc(&b, optarg));
			break;
		case 'o':
			/* "-o --max-size 1G" forgot the directory: never one
			 * named like an option (run forever in the wrong place) */
			if (optarg[0] == '-') {
				const char *x = str_esc(&b, optarg);
				usage_error("record: -o: a directory, not an option: %s (./%s for one so "
					    "named)", x, x);
			}
			dir = optarg;
			break;
		case OPT_MAX_SIZE:
			if (str_parse_size(optarg, &max) < 0 || max < REC_MIN_MAX)
				usage_error("record: --max-size: not a size of 64K or more: %s",
					    str_esc(&b, optarg));
			break;
		case OPT_DURATION:
			if (str_parse_seconds(optarg, &duration) < 0 || duration <= 0)
				usage_error("record: --duration: not a number of seconds (up to 86400): %s",
					    str_esc(&b, optarg));
			break;
		case OPT_SYSROOT:
			sysroot = optarg;
			break;
		case OPT_AUDIT_LOG:
			ap.path = optarg;
			break;
		default:
			/* not cli_bad_option: cli.c calls into this file */
			if (optopt && optopt < 256)
				usage_error("record: unknown option or missing value: -%c (see nstop "
					    "--help)", optopt);
			usage_error("record: unknown option or missing value: %s (see nstop --help)",
				    str_esc(&b, argv[optind - 1]));
		}
	}
	if (optind < argc)
		usage_error("record: unexpected argument: %s", str_esc(&b, argv[optind]));
	if (!dir && geteuid() != 0)
		usage_error("record: -o DIR is needed when not root (the default, %s, is root's)",
			    REC_DEFAULT_DIR);
	if (!dir)
		dir = REC_DEFAULT_DIR;
	struct nerr e = {0};
	struct recorder r = {.dir = dir, .fd = -1, .max = max, .filecap = max / REC_FILES,
			     .synced_usec = mono_usec()};
	r.dfd = open_dir(dir, &e);
	if (r.dfd < 0) {
		warnmsg("record: %s", e.msg);
		return e.kind == NERR_INPUT ? 2 : 1;
	}
	struct sysroot sr;
	if (sysroot_open(&sr, sysroot, &e) < 0)
		usage_error("--sysroot: %s", str_esc(&b, e.msg));
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct users *u = users_new(&sr);
	struct collector *coll = collector_new(&sr, u, true);
	collector_skip_idle(coll, true);
	struct buf raw = {0}, rec = {0};
	struct snap *prev = NULL;
	/* events: the running kernel's exits and OOM victims unless --sysroot
	 * names another root; the actions logged from now on */
	bool live = !sysroot || !strcmp(sysroot, "/");
	struct evsrc *src = evsrc_open(live);
	if (live && !evsrc_has(src, 0))
		warnmsg("record: the proc connector is not available (not root?): process exits are "
			"not recorded");
	audit_take(&ap, NULL, NULL, true);
	uint64_t dropped = 0;
	int rc = file_open(&r);
	uint64_t start = mono_usec(), next = start;
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e6) : UINT64_MAX;
	while (rc == 0 && !stop_sig) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t t = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		struct snap *s = collector_take(coll, SNAP_ALL, prev);
		rc = append(&r, s, prev, t, &raw, &rec);
		if (rc == 0)
			rc = append_events(&r, src, &ap, s, prev, t, &raw, &rec);
		if (evsrc_dropped(src) > dropped) {
			warnmsg("record: %llu process exits not recorded (more than %d in one interval: "
				"-d shorter)", (unsigned long long)(evsrc_dropped(src) - dropped), 2048);
			dropped = evsrc_dropped(src);
		}
		snap_free(prev);
		prev = s;
		/* on a schedule; a sample that overran skips the ticks it missed */
		next += (uint64_t)(iv * 1e6);
		uint64_t now = mono_usec();
		if (next < now)
			next = now + (uint64_t)(iv * 1e6) - (now - next) % (uint64_t)(iv * 1e6);
		if (next >= end)
			break;
		sleep_until(next, src);
	}
	int rc2 = file_close(&r);
	evsrc_close(src);
	snap_free(prev);
	collector_free(coll);
	users_free(u);
	sysroot_close(&sr);
	close(r.dfd);
	free(r.ents);
	buf_free(&raw);
	buf_free(&rec);
	buf_free(&b);
	return rc || rc2 ? 1 : 0;
}

/* ---- --replay PATH --at TIME of the listings ---- */

/* The sample at `at` (NULL: the last) and the one before it (for rates);
 * a reason and exit 2 when the recording cannot give it. */
struct snap *cli_replay(const char *cmd, const char *path, const char *at, struct users *u,
			struct snap **prev, int64_t *time_usec)
{
	struct nerr e = {0};
	struct snap *s = NULL;
	struct replay *r = replay_open(path, &e);
	if (r && replay_at(r, at, &s, prev, time_usec, &e) == 0) {
		s->users = u;
		if (*prev)
			(*prev)->users = u;
	}
	replay_close(r);
	if (!s) {
		warnmsg("%s: %s", cmd, e.msg);
		exit(e.kind == NERR_INPUT ? 2 : 1);
	}
	return s;
}

/* A sample's time, RFC 3339 in UTC to the microsecond; none for INT64_MIN. */
void cli_json_time(struct json *j, const char *key, int64_t usec)
{
	if (usec == INT64_MIN)
		return;
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char a[32], b[48];
	if (!gmtime_r(&t, &tm) || !strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%S", &tm)) {
		json_null(j, key);
		return;
	}
	snprintf(b, sizeof(b), "%s.%06lldZ", a, (long long)(usec % 1000000 + 1000000) % 1000000);
	json_str(j, key, b);
}

/* --at needs --replay; a recording's rates come from its own samples. */
void cli_replay_opts(const char *cmd, const char *replay, const char *at, bool interval_set,
		     uint64_t count)
{
	if (at && !replay)
		usage_error("%s: --at: only with --replay PATH", cmd);
	if (replay && interval_set)
		usage_error("%s: --interval: not with --replay (rates come from the recording's "
			    "samples)", cmd);
	if (replay && count > 1)
		usage_error("%s: --count: not with --replay (one sample, at --at)", cmd);
}

/* Actions act on the running system: --replay is refused, saying so. */
void cli_no_replay(const char *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--replay") || !strncmp(argv[i], "--replay=", 9) ||
		    !strcmp(argv[i], "--at"))
			usage_error("%s: %s: a recording is replayed by the listings only; %s acts "
				    "on the running system", cmd, argv[i][2] == 'r' ? "--replay" : "--at",
				    cmd);
}
