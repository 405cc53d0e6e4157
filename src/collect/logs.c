// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Runtimes' log files, read: where a container's runtime keeps its log
 * (Docker's json-file at the LogPath of its config.v2.json), the last
 * records of it and, when followed, what is appended, across a rotation.
 * The files are untrusted twice over: a container writes their content, and
 * whoever may write where they lie could plant one. So a file is opened only
 * through a chain of directories nobody but root could change (trust_open:
 * no symbolic link followed on the way, O_NOFOLLOW|O_NONBLOCK, a regular
 * file), at most LOG_READ_MAX of it is read, from its end, and the records
 * are handed out raw for the caller to escape.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "parse.h"

#define CFG_MAX (4u << 20)      /* a runtime's state file */

/*
 * A runtime's file at an absolute path: live, only through directories and
 * a file nobody but root could have changed; under --sysroot, beneath it
 * without following a final link. A regular file either way.
 */
int rt_open(struct sysroot *sr, const char *abs, char *why, size_t n)
{
	if (abs[0] != '/')
		return snprintf(why, n, "not an absolute path"), -EINVAL;
	if (sr->live)
		return trust_open(abs, O_RDONLY, 0, why, n);
	int fd = openat(sr->root_fd, abs + 1, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return snprintf(why, n, "%s", strerror(errno)), -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return snprintf(why, n, "not a regular file"), -EPERM;
	}
	return fd;
}

/* The whole of a small file, at most max bytes (-EFBIG beyond); rtnames.c
 * reads the runtimes' state files with it too. */
int fd_read_capped(int fd, struct buf *b, size_t max)
{
	buf_reset(b);
	for (;;) {
		buf_grow(b, 65536);
		ssize_t r = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		b->len += (size_t)r;
		if (b->len > max)
			return -EFBIG;
	}
	b->p[b->len] = '\0';
	return 0;
}

int rt_read(struct sysroot *sr, const char *abs, struct buf *b, char *why, size_t n)
{
	int fd = rt_open(sr, abs, why, n);
	if (fd < 0)
		return fd;
	int r = fd_read_capped(fd, b, CFG_MAX);
	close(fd);
	if (r == -EFBIG)
		snprintf(why, n, "larger than %u MiB", CFG_MAX >> 20);
	else if (r < 0)
		snprintf(why, n, "%s", strerror(-r));
	return r;
}

/* One --data-root DIR (or --data-root=DIR, -g DIR) from a dockerd's argv. */
static const char *data_root_arg(const char *argv, size_t len)
{
	const char *want = NULL;
	for (const char *a = argv; a < argv + len; a += strlen(a) + 1) {
		if (want)
			return a;
		if (!strcmp(a, "--data-root") || !strcmp(a, "-g") || !strcmp(a, "--graph"))
			want = a;
		else if (!strncmp(a, "--data-root=", 12))
			return a + 12;
		else if (!strncmp(a, "--graph=", 8))
			return a + 8;
	}
	return NULL;
}

/*
 * Whether pid is a daemon of the host's root: real, effective, saved and
 * file uid 0 read from its status (a process that made itself non-dumpable
 * shows root-owned files under /proc/PID whoever runs it, so the owner of
 * /proc/PID/stat proves nothing), and on the live system in nstop's own pid
 * and mount namespaces (root inside a container is uid 0 too, and may name
 * itself dockerd or conmon).
 */
static bool host_root_daemon(struct sysroot *sr, pid_t pid)
{
	char path[48];
	struct buf b = {0};
	snprintf(path, sizeof(path), "%d/status", (int)pid);
	bool ok = read_file_at(sr->proc_fd, path, &b) > 0;
	const char *u = ok ? strstr(b.p, "\nUid:") : NULL;
	unsigned long v[4];
	ok = u && sscanf(u + 5, "%lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3]) == 4 &&
	     !v[0] && !v[1] && !v[2] && !v[3];
	buf_free(&b);
	if (!ok || !sr->live)
		return ok;
	static const char *const ns[] = {"pid", "mnt"};
	for (size_t i = 0; i < 2; i++) {
		struct stat mine, theirs;
		char q[48];
		snprintf(path, sizeof(path), "self/ns/%s", ns[i]);
		snprintf(q, sizeof(q), "%d/ns/%s", (int)pid, ns[i]);
		if (fstatat(sr->proc_fd, path, &mine, 0) < 0 || fstatat(sr->proc_fd, q, &theirs, 0) < 0 ||
		    mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev)
			return false;
	}
	return true;
}

/*
 * Docker's data roots: /var/lib/docker and the --data-root of every
 * dockerd running as root (a dockerd of anyone else, or a process only
 * named so, could name a tree of its own making). Docker itself keeps
 * nothing that maps a container to its daemon's root but the root: with
 * the container's id the right one is the one holding containers/ID. A
 * data-root set in daemon.json alone is not seen (the flag is how a second
 * daemon is usually run). Returns how many, at most max.
 */
size_t docker_roots(struct sysroot *sr, const struct snap *s, char (*roots)[PATH_MAX], size_t max)
{
	size_t n = 0;
	snprintf(roots[n++], PATH_MAX, "/var/lib/docker");
	struct buf b = {0};
	for (size_t i = 0; s && i < s->nprocs && n < max; i++) {
		const struct proc *p = &s->procs[i];
		if (p->uid != 0 || !p->comm || strcmp(p->comm, "dockerd") ||
		    !host_root_daemon(sr, p->pid))
			continue;
		char path[32];
		snprintf(path, sizeof(path), "%d/cmdline", (int)p->pid);
		if (read_file_at(sr->proc_fd, path, &b) <= 0)
			continue;
		const char *r = data_root_arg(b.p, b.len);
		if (!r || r[0] != '/' || strlen(r) >= PATH_MAX - 100)
			continue;
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !strcmp(roots[k], r);
		if (!dup)
			snprintf(roots[n++], PATH_MAX, "%s", r);
	}
	buf_free(&b);
	return n;
}

/* The container's config.v2.json, found in one of the data roots. */
int docker_config(struct sysroot *sr, char (*roots)[PATH_MAX], size_t nr, const char *id,
		  struct docker_cfg *c, char *root, char *why, size_t n)
{
	struct buf b = {0};
	int r = -ENOENT;
	snprintf(why, n, "no config.v2.json in %zu data root%s", nr, nr == 1 ? "" : "s");
	for (size_t i = 0; i < nr; i++) {
		char path[PATH_MAX + 128];
		snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json", roots[i], id);
		char w[200];
		int k = rt_read(sr, path, &b, w, sizeof(w));
		if (k == -ENOENT)
			continue;
		if (k < 0) {
			snprintf(why, n, "%s: %s", path, w);
			r = k;
			continue;
		}
		if (parse_docker_config(b.p, b.len, c) < 0) {
			snprintf(why, n, "%s: not a JSON object", path);
			r = -EINVAL;
			continue;
		}
		if (root)
			snprintf(root, PATH_MAX, "%s", roots[i]);
		r = 0;
		break;
	}
	buf_free(&b);
	return r;
}

void logs_close(struct logsrc *ls)
{
	journal_close(ls);
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
	buf_free(&ls->part);
	buf_free(&ls->line);
	log_join_free(&ls->j);
	for (size_t i = 0; i < ls->nolder; i++)
		free(ls->older[i]);
	free(ls->older);
	ls->older = NULL;
	ls->nolder = 0;
}

int logs_open_file(struct sysroot *sr, const char *abs, enum log_fmt fmt, struct logsrc *ls,
		   struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	ls->sr = sr;
	ls->fmt = fmt;
	snprintf(ls->path, sizeof(ls->path), "%s", abs);
	char why[200];
	int fd = rt_open(sr, abs, why, sizeof(why));
	if (fd < 0) {
		struct buf b = {0};
		nerr_set(e, fd, "its log %s: %s", str_esc(&b, abs), why);
		buf_free(&b);
		return fd;
	}
	struct stat st;
	fstat(fd, &st);
	ls->fd = fd;
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	return 0;
}

/*
 * Docker: json-file at the LogPath of its config.v2.json, which must lie in
 * the container's own directory (ROOT/containers/ID/); any other driver
 * keeps nothing nstop could read, and e says where its log goes instead.
 */
int logs_open_docker(struct sysroot *sr, const struct snap *s, const char *id, struct logsrc *ls,
		     struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	struct docker_cfg *c = xcalloc(1, sizeof(*c));
	char root[PATH_MAX], why[PATH_MAX + 200];
	char (*roots)[PATH_MAX] = xcalloc(DOCKER_ROOTS_MAX, PATH_MAX);
	size_t nr = docker_roots(sr, s, roots, DOCKER_ROOTS_MAX);
	int r = docker_config(sr, roots, nr, id, c, root, why, sizeof(why));
	free(roots);
	if (r < 0) {
		struct buf b = {0};
		nerr_set(e, r, "docker container %.12s: %s", id, str_esc(&b, why));
		buf_free(&b);
		free(c);
		return r;
	}
	char path[PATH_MAX + 128], driver[64] = "", dest[300] = "";
	struct buf b = {0};
	snprintf(path, sizeof(path), "%s/containers/%s/hostconfig.json", root, id);
	if (rt_read(sr, path, &b, why, sizeof(why)) == 0) {
		parse_docker_hostconfig(b.p, b.len, driver, sizeof(driver));
		parse_docker_logdest(b.p, b.len, dest, sizeof(dest));
	}
	buf_reset(&b);
	const char *name = c->name[0] ? str_esc(&b, c->name) : id;
	char shown[300];
	snprintf(shown, sizeof(shown), "%s", name);
	buf_free(&b);
	if (driver[0] && strcmp(driver, "json-file")) {
		struct buf d = {0};
		str_esc(&d, driver);
		if (!strcmp(driver, "none"))
			r = nerr_set(e, -ENODATA, "%s: its log driver is none: Docker keeps no log of it", shown);
		else if (!strcmp(driver, "journald"))
			r = logs_open_journal(sr, id, shown, ls, e);
		else if (!strcmp(driver, "local")) {
			struct buf q = {0};
			r = nerr_set(e, -ENODATA, "%s: its log driver is local: Docker keeps its output in a "
				     "format of its own under %s/containers/%.12s.../local-logs (docker logs reads it)",
				     shown, str_esc(&q, root), id);
			buf_free(&q);
		}
		else {
			struct buf q = {0};
			r = nerr_set(e, -ENODATA, "%s: its log driver is %s: Docker sends its output to %s "
				     "and keeps no file of it", shown, buf_str(&d),
				     dest[0] ? str_esc(&q, dest) : "the driver's default destination");
			buf_free(&q);
		}
		buf_free(&d);
		free(c);
		return r;
	}
	char dir[PATH_MAX + 128];
	int dl = snprintf(dir, sizeof(dir), "%s/containers/%s/", root, id);
	const char *lp = c->log_path;
	if (!lp[0]) {
		struct buf q = {0};
		r = nerr_set(e, -ENODATA, "%s: its config.v2.json names no LogPath (log driver %s)", shown,
			     driver[0] ? str_esc(&q, driver) : "unknown");
		buf_free(&q);
	} else if (strncmp(lp, dir, (size_t)dl) || strchr(lp + dl, '/') || !strcmp(lp + dl, ".") ||
		   !strcmp(lp + dl, "..") || !lp[dl]) {
		struct buf p = {0}, q = {0};
		r = nerr_set(e, -EPERM, "%s: its LogPath %s is not in the container's directory %s",
			     shown, str_esc(&p, lp), str_esc(&q, dir));
		buf_free(&p);
		buf_free(&q);
	} else {
		r = logs_open_file(sr, lp, LOG_DOCKER_JSON, ls, e);
	}
	free(c);
	return r;
}

/* Splits buf into lines and feeds them; the unterminated rest is returned. */
static size_t feed_lines(struct logsrc *ls, const char *p, size_t n, int64_t since, size_t skip,
			 size_t *count, log_rec_fn fn, void *arg)
{
	size_t s = 0;
	for (;;) {
		const char *nl = memchr(p + s, '\n', n - s);
		if (!nl)
			return s;
		size_t len = (size_t)(nl - (p + s));
		if (log_feed(&ls->j, ls->fmt, p + s, len) == 1 &&
		    (ls->j.time_ns == INT64_MIN || ls->j.time_ns >= since)) {
			if (*count >= skip && fn)
				fn(arg, &ls->j);
			(*count)++;
		}
		s += len + 1;
	}
}

/* The last at most max bytes of fd into b (appended); how many; *cut when
 * the file holds more. */
static size_t read_end(int fd, size_t max, struct buf *b, off_t *start, bool *cut)
{
	struct stat st;
	*cut = false;
	*start = 0;
	if (fstat(fd, &st) < 0 || st.st_size <= 0)
		return 0;
	if ((uint64_t)st.st_size > max) {
		*start = st.st_size - (off_t)max;
		*cut = true;
	}
	size_t want = (size_t)(st.st_size - *start), got = 0;
	buf_grow(b, want + 1);
	while (got < want) {
		ssize_t r = pread(fd, b->p + b->len + got, want - got, *start + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	b->len += got;
	return got;
}

/*
 * The records of the last read_max bytes (a first line cut there skipped),
 * the rotated files' (older) first when the live one holds less, those at
 * or after since, the last tail of them (SIZE_MAX: all). Leaves the live
 * file positioned after its last whole line, for logs_poll.
 */
int logs_tail(struct logsrc *ls, size_t tail, int64_t since, log_rec_fn fn, void *arg)
{
	if (ls->jr)
		return journal_tail(ls, tail, since, fn, arg);
	size_t max = ls->read_max ? ls->read_max : LOG_READ_MAX;
	struct buf cur = {0};
	off_t cur_start;
	bool cut;
	size_t budget = max - read_end(ls->fd, max, &cur, &cur_start, &cut);
	/* rotated files, newest first, while the budget lasts; then in order */
	struct buf *old = xcalloc(ls->nolder + 1, sizeof(*old));
	size_t first = ls->nolder;
	for (size_t i = ls->nolder; i-- > 0 && !cut && budget;) {
		char why[200];
		int fd = rt_open(ls->sr, ls->older[i], why, sizeof(why));
		if (fd < 0)
			continue; /* gone since it was listed: rotated away */
		off_t st0;
		budget -= read_end(fd, budget, &old[i], &st0, &cut);
		close(fd);
		if (old[i].len && old[i].p[old[i].len - 1] != '\n')
			buf_addc(&old[i], '\n'); /* a file cut short: its last line ends here */
		first = i;
	}
	struct buf all = {0};
	for (size_t i = first; i < ls->nolder; i++)
		buf_add(&all, old[i].p ? old[i].p : "", old[i].len);
	size_t cur_off = all.len;
	buf_add(&all, cur.p ? cur.p : "", cur.len);
	buf_add(&all, "", 0);
	for (size_t i = 0; i < ls->nolder; i++)
		buf_free(&old[i]);
	free(old);
	buf_free(&cur);
	const char *p = all.p;
	size_t got = all.len, s = 0;
	if (cut) {
		/* the read began inside a line */
		const char *nl = memchr(p, '\n', got);
		s = nl ? (size_t)(nl - p) + 1 : got;
	}
	size_t count = 0, skip = 0;
	if (tail != SIZE_MAX) {
		/* count first, on a copy of the joining state, then show the last */
		struct log_join j0 = ls->j;
		memset(&ls->j, 0, sizeof(ls->j));
		feed_lines(ls, p + s, got - s, since, SIZE_MAX, &count, NULL, NULL);
		log_join_free(&ls->j);
		ls->j = j0;
		skip = count > tail ? count - tail : 0;
		count = 0;
	}
	size_t used = feed_lines(ls, p + s, got - s, since, skip, &count, fn, arg);
	/* older files end in a newline: what is left unused is the live one's */
	size_t end = s + used;
	ls->pos = cur_start + (off_t)(end > cur_off ? end - cur_off : 0);
	buf_free(&all);
	return 0;
}

/* The path's file now, when it is another than the one open (rotated). */
static int reopened(struct logsrc *ls)
{
	char why[200];
	if (!ls->sr)
		return -1; /* nstop's own: never rotated, opened beneath the registry */
	int fd = rt_open(ls->sr, ls->path, why, sizeof(why));
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || (st.st_dev == ls->dev && st.st_ino == ls->ino)) {
		close(fd);
		return -1;
	}
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	return fd;
}

/*
 * What was appended since the last call, whole lines only. A file cut
 * shorter (copytruncate) is read again from its start; one renamed away
 * (Docker's rotation to ID-json.log.1, CRI's to N.log.DATE) is read to its
 * end, then the new file at the path from its start. Returns the records
 * given to fn.
 */
int logs_poll(struct logsrc *ls, int64_t since, log_rec_fn fn, void *arg)
{
	if (ls->jr)
		return journal_poll(ls, since, fn, arg);
	size_t count = 0;
	for (int round = 0; round < 64; round++) {
		struct stat st;
		if (fstat(ls->fd, &st) < 0)
			return -errno;
		if (st.st_size < ls->pos) {
			ls->pos = 0;
			buf_reset(&ls->part);
		}
		if (st.st_size == ls->pos) {
			dev_t dev = ls->dev;
			ino_t ino = ls->ino;
			int fd = reopened(ls);
			if (fd < 0)
				break;
			/* a line written between the fstat above and the
			 * rotation is the old file's last: read it first */
			if (fstat(ls->fd, &st) == 0 && st.st_size > ls->pos) {
				close(fd);
				ls->dev = dev;
				ls->ino = ino;
				continue;
			}
			close(ls->fd);
			ls->fd = fd;
			ls->pos = 0;
			buf_reset(&ls->part);
			continue;
		}
		char chunk[65536];
		size_t want = (size_t)(st.st_size - ls->pos);
		ssize_t r = pread(ls->fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk), ls->pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ls->pos += r;
		buf_add(&ls->part, chunk, (size_t)r);
		size_t used = feed_lines(ls, ls->part.p, ls->part.len, since, 0, &count, fn, arg);
		memmove(ls->part.p, ls->part.p + used, ls->part.len - used);
		ls->part.len -= used;
		if (ls->part.len > LOG_TEXT_MAX + 4096) /* a line without end: dropped */
			ls->part.len = 0;
	}
	return (int)count;
}

/*
 * Podman keeps no file naming its storage beside the container's cgroup;
 * its conmon does, on its command line: the container's init's parent,
 * running as root, named conmon, whose -c is the container's id, has -b
 * ROOT/DRIVER-containers/ID/userdata and -l the log. dir gets
 * ROOT/DRIVER-containers (where containers.json lies); argv keeps the
 * command line a points into.
 */
int podman_conmon(struct sysroot *sr, const struct snap *s, const char *id, pid_t init,
		  struct buf *argv, struct conmon_args *a, char *dir, size_t dsize, char *why, size_t n)
{
	const struct proc *p = snap_proc(s, init);
	const struct proc *cm = p ? snap_proc(s, p->ppid) : NULL;
	if (!cm || cm->uid != 0 || !cm->comm || strcmp(cm->comm, "conmon") ||
	    !host_root_daemon(sr, cm->pid))
		return snprintf(why, n, "its init's parent is no conmon of root's (the host's)"), -ENOENT;
	char path[32];
	snprintf(path, sizeof(path), "%d/cmdline", (int)cm->pid);
	if (read_file_at(sr->proc_fd, path, argv) <= 0)
		return snprintf(why, n, "its conmon's command line is gone"), -ENOENT;
	parse_conmon_args(argv->p, argv->len, a);
	if (!a->cid || strcmp(a->cid, id) || !a->bundle)
		return snprintf(why, n, "its conmon (pid %d) names another container", (int)cm->pid), -ENOENT;
	/* ROOT/DRIVER-containers/ID/userdata, DRIVER a word */
	size_t bl = strlen(a->bundle), il = strlen(id);
	const char *tail = a->bundle + bl - il - 10;
	if (bl < il + 10 + 13 || a->bundle[0] != '/' || strcmp(tail + il + 1, "/userdata") ||
	    tail[0] != '/' || memcmp(tail + 1, id, il) || tail - a->bundle < 12 ||
	    memcmp(tail - 11, "-containers", 11) || bl >= dsize)
		return snprintf(why, n, "its conmon's bundle is not ROOT/DRIVER-containers/ID/userdata"), -EINVAL;
	const char *d = tail - 11;
	while (d > a->bundle && d[-1] != '/') {
		d--;
		if (!((*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9')))
			return snprintf(why, n, "its conmon's bundle has an odd storage driver"), -EINVAL;
	}
	memcpy(dir, a->bundle, (size_t)(tail - a->bundle));
	dir[tail - a->bundle] = '\0';
	return 0;
}

/* Podman's name and image for a container, from its storage's containers.json. */
int podman_names(struct sysroot *sr, const struct snap *s, const char *id, pid_t init, char *name,
		 size_t nsize, char *image, size_t isize)
{
	struct buf argv = {0}, b = {0};
	struct conmon_args a;
	char dir[4096], why[200];
	int r = podman_conmon(sr, s, id, init, &argv, &a, dir, sizeof(dir), why, sizeof(why));
	if (r == 0) {
		char path[4096 + 32];
		snprintf(path, sizeof(path), "%s/containers.json", dir);
		r = rt_read(sr, path, &b, why, sizeof(why));
	}
	if (r == 0)
		r = parse_podman_containers(b.p, b.len, id, name, nsize, image, isize);
	buf_free(&argv);
	buf_free(&b);
	return r;
}

/* Podman: the k8s-file log conmon writes (CRI lines), in the container's userdata. */
int logs_open_podman(struct sysroot *sr, const struct snap *s, const char *id, pid_t init,
		     struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	struct buf argv = {0}, p = {0};
	struct conmon_args a;
	char dir[4096], why[200];
	int r = podman_conmon(sr, s, id, init, &argv, &a, dir, sizeof(dir), why, sizeof(why));
	if (r < 0) {
		struct buf w = {0};
		nerr_set(e, r, "podman container %.12s: %s", id, str_esc(&w, why));
		buf_free(&w);
		goto out;
	}
	const char *name = a.name ? str_esc(&p, a.name) : id;
	const char *lg = a.log ? a.log : "";
	size_t bl = strlen(a.bundle);
	if (!strncmp(lg, "k8s-file:", 9)) {
		const char *f = lg + 9;
		if (strncmp(f, a.bundle, bl) || f[bl] != '/' || strchr(f + bl + 1, '/') || !f[bl + 1] ||
		    !strcmp(f + bl + 1, "..") || !strcmp(f + bl + 1, ".")) {
			struct buf q = {0}, w = {0};
			r = nerr_set(e, -EPERM, "%s: its log %s is not in the container's directory %s",
				     name, str_esc(&q, f), str_esc(&w, a.bundle));
			buf_free(&q);
			buf_free(&w);
		} else {
			r = logs_open_file(sr, f, LOG_CRI, ls, e);
		}
	} else if (!strncmp(lg, "journald", 8)) {
		r = logs_open_journal(sr, id, name, ls, e);
	} else {
		struct buf q = {0};
		r = nerr_set(e, -ENODATA, "%s: its log driver is %s: Podman keeps no file of its output",
			     name, lg[0] ? str_esc(&q, lg) : "none");
		buf_free(&q);
	}
out:
	buf_free(&argv);
	buf_free(&p);
	return r;
}

/*
 * nstop's own: the output its init wrote to the registry's NAME/log, plain
 * lines. Opened beneath the registry's directory without following a link,
 * a regular file only (a FIFO planted there would block a read).
 */
int logs_open_own(const char *name, struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	ls->fmt = LOG_PLAIN;
	struct buf b = {0};
	str_esc(&b, name);
	snprintf(ls->path, sizeof(ls->path), "%s/%s/log", state_dir(), name);
	int dfd = state_open(name);
	int fd = dfd < 0 ? dfd : openat(dfd, "log", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int r = fd < 0 ? (dfd < 0 ? dfd : -errno) : 0;
	if (dfd >= 0)
		close(dfd);
	struct stat st;
	if (!r && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
		r = -EPERM;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		nerr_set(e, r, "%s: its log: %s", buf_str(&b), r == -EPERM ? "not a regular file" : strerror(-r));
		buf_free(&b);
		return r;
	}
	buf_free(&b);
	ls->fd = fd;
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory of a runtime's, beneath --sysroot or as it is, no final link. */
static int rt_opendir(struct sysroot *sr, const char *abs)
{
	int fd = sr->live ? open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			  : openat(sr->root_fd, abs + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Kubernetes (containerd's CRI plugin and CRI-O alike): kubelet's
 * /var/log/pods/NS_POD_UID/CTR/N.log, N the container's restart count
 * (restart -1: the highest there, the live instance), and the files it was
 * rotated to before (N.log.YYYYMMDD-HHMMSS), read first, in order. The
 * directory is only listed: every file is then opened as any runtime's
 * (rt_open), and only names parse_cri_logname takes are looked at.
 * Compressed rotations are left out, with a note saying how many.
 */
int logs_open_cri(struct sysroot *sr, const char *ns, const char *pod, const char *uid,
		  const char *ctr, long restart, struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	if (!cri_name_ok(ns, false) || !cri_name_ok(pod, false) || !cri_name_ok(uid, true) ||
	    !cri_name_ok(ctr, false))
		return nerr_set(e, -EINVAL, "a pod's namespace, name, uid or container name kubelet would not write");
	char dir[600];
	snprintf(dir, sizeof(dir), "/var/log/pods/%s_%s_%s/%s", ns, pod, uid, ctr);
	int fd = rt_opendir(sr, dir);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		return nerr_set(e, r, "its log directory %s: %s", dir, strerror(-r));
	}
	long top = -1;
	size_t nrot = 0, cap = 0, ngz = 0;
	struct cri_logname *rot = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct cri_logname ln;
		if (parse_cri_logname(de->d_name, &ln) < 0)
			continue;
		if (!ln.stamp[0]) {
			if ((long)ln.restart > top)
				top = (long)ln.restart;
			continue;
		}
		if (nrot == cap)
			rot = xrealloc(rot, (cap = cap ? cap * 2 : 8) * sizeof(*rot));
		rot[nrot++] = ln;
	}
	closedir(d);
	long want = restart >= 0 ? restart : top;
	int r;
	if (want < 0) {
		r = nerr_set(e, -ENOENT, "no N.log in its log directory %s", dir);
	} else {
		char path[700];
		snprintf(path, sizeof(path), "%s/%ld.log", dir, want);
		r = logs_open_file(sr, path, LOG_CRI, ls, e);
	}
	for (size_t i = 0; r == 0 && i < nrot; i++) {
		if ((long)rot[i].restart != want)
			continue;
		if (rot[i].gz) {
			ngz++;
			continue;
		}
		char path[700];
		snprintf(path, sizeof(path), "%s/%ld.log.%s", dir, want, rot[i].stamp);
		ls->older = xrealloc(ls->older, (ls->nolder + 1) * sizeof(*ls->older));
		ls->older[ls->nolder++] = xstrdup(path);
	}
	/* YYYYMMDD-HHMMSS: by name is by time */
	if (ls->nolder > 1)
		qsort(ls->older, ls->nolder, sizeof(*ls->older), cmp_str);
	if (ngz)
		snprintf(ls->note, sizeof(ls->note), "%zu compressed rotated file%s left out (zcat %s/%ld.log.*.gz)",
			 ngz, ngz == 1 ? "" : "s", dir, want);
	free(rot);
	return r;
}

/*
 * A Kubernetes container's (namespace, pod, uid, container, restart) by its
 * id, from kubelet's link /var/log/containers/POD_NS_CTR-ID.log: its name
 * and target (read as text, never followed) must agree (parse_cri_link).
 */
int logs_find_cri(struct sysroot *sr, const char *id, struct cri_ref *r)
{
	int fd = rt_opendir(sr, "/var/log/containers");
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	char tail[128];
	int tl = snprintf(tail, sizeof(tail), "-%s.log", id);
	int res = -ENOENT;
	struct dirent *de;
	while (res < 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (tl <= 0 || n <= (size_t)tl || strcmp(de->d_name + n - (size_t)tl, tail))
			continue;
		char target[1024];
		ssize_t k = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		if (parse_cri_link(de->d_name, target, id, r) == 0)
			res = 0;
	}
	closedir(d);
	return res;
}
