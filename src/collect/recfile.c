// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recording read back: one file, or a history directory of rotated files
 * (names sort by time). The sample at a time is decoded from its file's
 * last full sample forward; the one before it gives the rates.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"

#define REC_FILE_MAX (1ull << 30) /* a file read into memory */

struct replay {
	char *path;             /* as given, for messages */
	int dirfd;              /* a history directory, else -1 */
	char **names;           /* its files, oldest first; or the file alone */
	size_t nnames;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool rec_name(const char *n)
{
	size_t l = strlen(n), sl = strlen(REC_SUFFIX);
	return n[0] != '.' && l > sl && !strcmp(n + l - sl, REC_SUFFIX);
}

static const char *esc(struct buf *b, const char *s)
{
	buf_reset(b);
	str_escape(b, s, strlen(s), ESC_TEXT);
	return buf_str(b);
}

/* Recordings hold what root's nstop shows as the node's state: read only
 * those of root's or the caller's that nobody else may write. A FIFO or a
 * device is refused without blocking (opened O_NONBLOCK), a symbolic link
 * not followed. NULL: why says why not. */
static const char *untrusted(const struct stat *st, bool dir)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return dir ? "not a directory" : "not a regular file";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user";
	if (st->st_mode & 022)
		return "writable by group or others";
	return NULL;
}

/* File i opened for reading, or -errno with why set. */
static int rec_openat(struct replay *r, size_t i, const char **why)
{
	int fl = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	int fd = r->dirfd >= 0 ? openat(r->dirfd, r->names[i], fl) : open(r->names[i], fl);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int err = errno;
		*why = err == ELOOP ? "a symbolic link" : strerror(err);
		if (fd >= 0)
			close(fd);
		return -err;
	}
	if ((*why = untrusted(&st, false))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

struct replay *replay_open(const char *path, struct nerr *e)
{
	struct buf b = {0};
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		nerr_input(e, -errno, "%s: %s", esc(&b, path),
			   errno == ELOOP ? "a symbolic link" : strerror(errno));
		if (fd >= 0)
			close(fd);
		buf_free(&b);
		return NULL;
	}
	const char *why = untrusted(&st, S_ISDIR(st.st_mode));
	if (why) {
		nerr_input(e, -EPERM, "%s: %s: replay reads only root's or your own recordings "
			   "that nobody else may write", esc(&b, path), why);
		close(fd);
		buf_free(&b);
		return NULL;
	}
	struct replay *r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(path);
	r->dirfd = -1;
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		r->names = xcalloc(1, sizeof(*r->names));
		r->names[r->nnames++] = xstrdup(path);
		buf_free(&b);
		return r;
	}
	r->dirfd = fd;
	DIR *d = fdopendir(dup(r->dirfd));
	if (!d) {
		nerr_input(e, -errno, "%s: %s", esc(&b, path), strerror(errno));
		buf_free(&b);
		replay_close(r);
		return NULL;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!rec_name(de->d_name))
			continue;
		if (r->nnames == cap) {
			cap = cap ? cap * 2 : 16;
			r->names = xreallocarray(r->names, cap, sizeof(*r->names));
		}
		r->names[r->nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (!r->nnames) {
		nerr_input(e, -ENOENT, "%s: no recording in it (no *%s file)", esc(&b, path),
			   REC_SUFFIX);
		buf_free(&b);
		replay_close(r);
		return NULL;
	}
	qsort(r->names, r->nnames, sizeof(*r->names), name_cmp);
	buf_free(&b);
	return r;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->path);
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r);
}

/* The whole file i into b; its name for messages in nm. */
static int load(struct replay *r, size_t i, struct buf *b, struct buf *nm, struct nerr *e)
{
	struct buf t = {0};
	buf_reset(nm);
	if (r->dirfd >= 0)
		buf_printf(nm, "%s/%s", r->path, r->names[i]);
	else
		buf_adds(nm, r->path);
	const char *why;
	int fd = rec_openat(r, i, &why);
	struct stat st;
	int rc = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = nerr_input(e, fd < 0 ? fd : -errno, "%s: %s", esc(&t, buf_str(nm)),
				fd < 0 ? why : strerror(errno));
	} else if ((uint64_t)st.st_size > REC_FILE_MAX) {
		rc = nerr_input(e, -EFBIG, "%s: larger than %llu bytes", esc(&t, buf_str(nm)),
				REC_FILE_MAX);
	} else {
		/* up to the size it had: a recorder may be appending */
		buf_reset(b);
		buf_grow(b, (size_t)st.st_size + 1);
		while (b->len < (size_t)st.st_size) {
			ssize_t n = pread(fd, b->p + b->len, (size_t)st.st_size - b->len, (off_t)b->len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = n < 0 ? -errno : 0;
				break;
			}
			b->len += (size_t)n;
		}
		if (rc < 0)
			nerr_set(e, rc, "%s: %s", esc(&t, buf_str(nm)), strerror(-rc));
	}
	if (fd >= 0)
		close(fd);
	buf_free(&t);
	return rc;
}

/* The first sample's time of file i from its first record's header (a hint
 * for choosing the file; the file is checked when read). */
bool replay_first_time(struct replay *r, size_t i, int64_t *t);
static bool first_time(struct replay *r, size_t i, int64_t *t)
{
	const char *why;
	int fd = rec_openat(r, i, &why);
	uint8_t h[REC_HDR_SIZE + REC_RHDR_SIZE];
	bool ok = fd >= 0 && pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		  !memcmp(h, REC_MAGIC, 8);
	if (fd >= 0)
		close(fd);
	if (!ok)
		return false;
	uint64_t v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | h[REC_HDR_SIZE + 16 + k];
	*t = (int64_t)v;
	return true;
}

/* For a cursor over the recording (reccursor.c): its files, one loaded. */
size_t replay_nfiles(const struct replay *r)
{
	return r->nnames;
}

int replay_load(struct replay *r, size_t i, struct buf *b, struct buf *nm, struct nerr *e)
{
	return load(r, i, b, nm, e);
}

bool replay_first_time(struct replay *r, size_t i, int64_t *t)
{
	return first_time(r, i, t);
}

static void fmt_time(char *out, size_t n, int64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "%lld", (long long)usec);
}

/*
 * The sample at or before `at` (NULL: the last), decoded with the one
 * before it (*prev, NULL at a file's start) and rates between the two.
 * Each has its own string pool (a sample decoded before them is freed with
 * its strings); the caller frees both with snap_free.
 */
int replay_at(struct replay *r, const char *at, struct snap **out, struct snap **prevp,
	      int64_t *time_usec, struct nerr *e)
{
	struct buf data = {0}, nm = {0}, raw = {0}, t = {0};
	struct rec_file f = {0};
	char why[200];
	int rc = 0;
	*out = *prevp = NULL;
	/* the end: the last file with a sample */
	size_t fi = r->nnames;
	int64_t last = 0;
	while (fi-- > 0) {
		if ((rc = load(r, fi, &data, &nm, e)) < 0)
			goto done;
		if (rec_open_mem(&f, (const uint8_t *)data.p, data.len, why, sizeof(why)) < 0) {
			rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&nm)), why);
			goto done;
		}
		if (f.nents) {
			last = f.ents[f.nents - 1].time_usec;
			break;
		}
		rec_file_free(&f);
		if (!fi) {
			rc = nerr_input(e, -ENODATA, "%s: no whole sample in the recording",
					esc(&t, r->path));
			goto done;
		}
	}
	int64_t want = last;
	if (at && rec_parse_at(at, last, &want) < 0) {
		rc = nerr_input(e, -EINVAL, "--at: not a time (RFC 3339, HH:MM[:SS] or -DURATION "
			   "such as -5m): %s", esc(&t, at));
		goto done;
	}
	/* the file holding it: the last one that starts at or before it */
	size_t want_fi = fi;
	int64_t ft;
	if (want < f.ents[0].time_usec) {
		for (want_fi = fi; want_fi-- > 0;)
			if (first_time(r, want_fi, &ft) && ft <= want)
				break;
		if (want_fi == (size_t)-1) {
			char a[40], b[40];
			fmt_time(a, sizeof(a), want);
			fmt_time(b, sizeof(b), r->nnames > 1 && first_time(r, 0, &ft) ? ft
						: f.ents[0].time_usec);
			rc = nerr_input(e, -ERANGE, "--at %s: before the recording's first sample (%s)",
					a, b);
			goto done;
		}
		rec_file_free(&f);
		if ((rc = load(r, want_fi, &data, &nm, e)) < 0)
			goto done;
		if (rec_open_mem(&f, (const uint8_t *)data.p, data.len, why, sizeof(why)) < 0) {
			rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&nm)), why);
			goto done;
		}
	}
	size_t k = f.nents;
	for (size_t i = 0; i < f.nents; i++)
		if (f.ents[i].time_usec <= want)
			k = i;
	if (k == f.nents) {
		char a[40];
		fmt_time(a, sizeof(a), want);
		rc = nerr_input(e, -ERANGE, "--at %s: no sample at or before it in %s", a,
				esc(&t, buf_str(&nm)));
		goto done;
	}
	size_t j = k;
	while (j > 0 && f.ents[j].type != REC_FULL)
		j--;
	struct snap *prev = NULL, *cur = NULL;
	for (size_t i = j; i <= k; i++) {
		if (rec_payload(&f, i, &raw, why, sizeof(why)) == 0) {
			bool full = f.ents[i].type == REC_FULL;
			if (!full && !cur)
				snprintf(why, sizeof(why), "the file does not start with a full sample");
			else {
				struct strpool *pool = pool_new();
				struct snap *s = rec_decode((const uint8_t *)raw.p, raw.len,
							    full ? NULL : cur, pool, why, sizeof(why));
				pool_unref(pool);
				snap_free(prev);
				prev = cur;
				cur = s;
				if (s)
					continue;
			}
		}
		snap_free(prev);
		snap_free(cur);
		rc = nerr_input(e, -EINVAL, "%s: corrupt sample at offset %llu: %s", esc(&t, buf_str(&nm)),
				(unsigned long long)f.ents[i].off, why);
		goto done;
	}
	snap_rates(cur, prev);
	*out = cur;
	*prevp = prev;
	if (time_usec)
		*time_usec = f.ents[k].time_usec;
done:
	rec_file_free(&f);
	buf_free(&data);
	buf_free(&nm);
	buf_free(&raw);
	buf_free(&t);
	return rc;
}

/* The recording's first and last samples' times (its last file's index or
 * scan; the first file's first record's header). 0, or -errno with e set. */
int replay_span(struct replay *r, int64_t *first, int64_t *last, struct nerr *e)
{
	struct buf data = {0}, nm = {0}, t = {0};
	char why[200];
	int rc = -ENODATA;
	for (size_t fi = r->nnames; fi-- > 0 && rc == -ENODATA;) {
		struct rec_file f;
		if ((rc = load(r, fi, &data, &nm, e)) < 0)
			break;
		if (rec_open_mem(&f, (const uint8_t *)data.p, data.len, why, sizeof(why)) < 0) {
			rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&nm)), why);
			break;
		}
		rc = -ENODATA;
		if (f.nents) {
			*last = f.ents[f.nents - 1].time_usec;
			if (!first_time(r, 0, first) || *first > *last)
				*first = *last;
			rc = 0;
		}
		rec_file_free(&f);
	}
	if (rc == -ENODATA)
		nerr_input(e, rc, "%s: no whole sample in the recording", esc(&t, r->path));
	buf_free(&data);
	buf_free(&nm);
	buf_free(&t);
	return rc;
}

struct ev_ord {
	int64_t t;
	size_t i;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ev_ord *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The recording's events with since <= time <= until, every file's, in
 * time order (events of the same time as recorded). A file that ends
 * before since is not read (its events were taken at its samples, all
 * before the next file's first one). A torn tail is skipped as for the
 * samples; a corrupt events record, or more than REPLAY_EV_MAX events in
 * the range, is an error (NERR_INPUT). *out is the caller's to free().
 */
int replay_events(struct replay *r, int64_t since, int64_t until, struct event **out, size_t *nout,
		  struct nerr *e)
{
	struct buf data = {0}, nm = {0}, raw = {0}, t = {0};
	struct event *all = NULL;
	size_t n = 0, cap = 0, rawsum = 0;
	char why[200];
	int rc = 0;
	*out = NULL;
	*nout = 0;
	for (size_t fi = 0; fi < r->nnames && rc == 0; fi++) {
		int64_t next;
		if (fi + 1 < r->nnames && first_time(r, fi + 1, &next) && next < since)
			continue;
		struct rec_file f;
		if ((rc = load(r, fi, &data, &nm, e)) < 0)
			break;
		if (rec_open_mem(&f, (const uint8_t *)data.p, data.len, why, sizeof(why)) < 0) {
			rc = nerr_input(e, -EINVAL, "%s: %s", esc(&t, buf_str(&nm)), why);
			break;
		}
		for (size_t i = 0; i < f.nevs; i++) {
			/* what decoding costs is known from the headers: the total
			 * is bounded before anything is decompressed */
			size_t rl = rec_rawlen(&f, &f.evs[i]);
			if (rl > REPLAY_EV_RAW_MAX - rawsum) {
				rc = nerr_input(e, -E2BIG, "%s: more than %u MiB of events records "
						"to decode (--since, --until narrow it)",
						esc(&t, r->path), REPLAY_EV_RAW_MAX >> 20);
				break;
			}
			rawsum += rl;
			/* the ones in the range decoded straight into all, the
			 * payload dropped before the next: one copy of each */
			int er = rec_events_into(&f, i, &raw, since, until, REPLAY_EV_MAX, &all, &n,
						 &cap, why, sizeof(why));
			buf_free(&raw);
			if (er == -E2BIG) {
				rc = nerr_input(e, -E2BIG, "%s: more than %d events in the range "
						"(--since, --until narrow it)", esc(&t, r->path),
						REPLAY_EV_MAX);
				break;
			}
			if (er < 0) {
				rc = nerr_input(e, -EINVAL, "%s: corrupt events record at offset %llu: %s",
						esc(&t, buf_str(&nm)), (unsigned long long)f.evs[i].off, why);
				break;
			}
		}
		rec_file_free(&f);
	}
	if (rc == 0 && n > 1) {
		/* sorted in place: the order by (time, as recorded), then each
		 * cycle of that permutation walked with one event aside */
		struct ev_ord *o = xreallocarray(NULL, n, sizeof(*o));
		for (size_t i = 0; i < n; i++)
			o[i] = (struct ev_ord){all[i].time_usec, i};
		qsort(o, n, sizeof(*o), ord_cmp);
		struct event *tmp = xcalloc(1, sizeof(*tmp));
		for (size_t i = 0; i < n; i++) {
			if (o[i].i == i || o[i].i == SIZE_MAX)
				continue;
			/* position j takes the event at o[j].i */
			*tmp = all[i];
			size_t j = i;
			while (o[j].i != i) {
				size_t from = o[j].i;
				all[j] = all[from];
				o[j].i = SIZE_MAX;
				j = from;
			}
			all[j] = *tmp;
			o[j].i = SIZE_MAX;
		}
		free(tmp);
		free(o);
	}
	if (rc < 0) {
		free(all);
		all = NULL;
		n = 0;
	}
	*out = all;
	*nout = n;
	buf_free(&data);
	buf_free(&nm);
	buf_free(&raw);
	buf_free(&t);
	return rc;
}
