// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The collector on the live system, as the dashboard uses it (kept fds, the
 * proc connector as root): processes that are born, exec, unshare, exit,
 * linger as zombies, all seen within the promised number of refreshes; the
 * same without the connector; a full descriptor table falls back to
 * open/read/close. Only processes this test forks are touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/parse.h"
#include "collect/collect.h"
#include "tap.h"

static struct sysroot sr;

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_n, why);
}

static uint64_t ns_of(pid_t pid, const char *type)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	uint64_t ino = 0;
	if (n > 0)
		parse_ns_link(link, (size_t)n, type, &ino);
	return ino;
}

/* A child that runs step by step: each byte on its pipe is one step. */
struct kid {
	pid_t pid;
	int go;   /* parent writes */
	int done; /* parent reads */
};

static void kid_step(struct kid *k)
{
	char c = 'x';
	if (write(k->go, &c, 1) != 1 || read(k->done, &c, 1) != 1)
		printf("# the child did not answer\n");
}

/* step 1: unshare(CLONE_NEWUTS); step 2: exec sleep; */
static struct kid kid_start(void)
{
	int a[2], b[2];
	struct kid k = {-1, -1, -1};
	if (pipe(a) < 0 || pipe(b) < 0)
		return k;
	k.pid = fork();
	if (k.pid == 0) {
		char c;
		close(a[1]);
		close(b[0]);
		if (read(a[0], &c, 1) == 1) {
			unshare(CLONE_NEWUTS);
			(void)!write(b[1], "u", 1);
		}
		if (read(a[0], &c, 1) == 1) {
			(void)!write(b[1], "e", 1);
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	k.go = a[1];
	k.done = b[0];
	return k;
}

/* Refreshes until ok(snapshot) or max refreshes; returns how many it took
 * (max + 1 when never). */
static int until(struct collector *c, unsigned what, struct snap **sp, int max,
		 bool (*ok)(const struct snap *, void *), void *arg)
{
	for (int i = 1; i <= max; i++) {
		struct snap *s = collector_take(c, what, *sp);
		snap_free(*sp);
		*sp = s;
		if (ok(s, arg))
			return i;
	}
	return max + 1;
}

/*
 * The same until a change no event reports, which only the re-verification
 * notices: a refresh re-reads 32 + n/16 of the n processes (512 at most),
 * so each within n / slice refreshes (+ 3 to spare, + extra); a namespace
 * change without an exec within two such rounds (passes: the slice reads
 * the namespace links every second one). n is the most any of these
 * refreshes saw: other programs start processes meanwhile, and a bound
 * from a count taken earlier is too short.
 */
static int until_verified(struct collector *c, unsigned what, struct snap **sp, int extra,
			  int passes, bool (*ok)(const struct snap *, void *), void *arg, int *bound)
{
	size_t most = (*sp)->nprocs;
	for (int i = 1;; i++) {
		struct snap *s = collector_take(c, what, *sp);
		snap_free(*sp);
		*sp = s;
		if (s->nprocs > most)
			most = s->nprocs;
		size_t slice = 32 + most / 16 < 512 ? 32 + most / 16 : 512;
		*bound = passes * ((int)(most / slice) + 1) + 2 + extra;
		if (ok(s, arg))
			return i;
		if (i >= *bound)
			return i + 1;
	}
}

struct want {
	pid_t pid;
	uint64_t ino;
	const char *cmd;
};

static bool has_pid(const struct snap *s, void *arg)
{
	return snap_proc(s, ((struct want *)arg)->pid) != NULL;
}

static bool no_pid(const struct snap *s, void *arg)
{
	return !has_pid(s, arg);
}

static bool uts_is(const struct snap *s, void *arg)
{
	const struct want *w = arg;
	const struct proc *p = snap_proc(s, w->pid);
	return p && p->ns[NS_UTS] == w->ino;
}

static bool cmd_is(const struct snap *s, void *arg)
{
	const struct want *w = arg;
	const struct proc *p = snap_proc(s, w->pid);
	return p && p->cmdline && p->cmdline_len >= strlen(w->cmd) &&
	       !memcmp(p->cmdline, w->cmd, strlen(w->cmd));
}

static bool zombie(const struct snap *s, void *arg)
{
	const struct proc *p = snap_proc(s, ((struct want *)arg)->pid);
	return p && p->state == 'Z';
}

/*
 * Waits until the kernel has done what the test asked of pid: with a
 * listener, until the connector reported it; else until /proc shows it.
 * kill() returns before the victim has run do_exit (on a busy machine it
 * stays runnable, R, for several ms), and do_exit sends the exit event
 * only after exit_notify has made it a zombie and woken waitid; an exec is
 * reported once the new program's command line is in place. A refresh
 * taken before then has nothing to see yet.
 */
enum { SEEN_EXEC, SEEN_EXIT };

static bool reported(struct cnproc *ev, pid_t pid, int what)
{
	const pid_t *born, *gone;
	size_t nborn, ngone;
	for (int tries = 0; tries < 5000; tries++) {
		cnproc_take(ev);
		if (what == SEEN_EXEC && cnproc_execed(ev, pid))
			return true;
		cnproc_changes(ev, &born, &nborn, &gone, &ngone);
		for (size_t i = 0; what == SEEN_EXIT && i < ngone; i++)
			if (gone[i] == pid)
				return true;
		usleep(1000);
	}
	printf("# the connector did not report pid %d's %s within 5 s\n", (int)pid,
	       what == SEEN_EXEC ? "exec" : "exit");
	return false;
}

static void wait_exec(struct cnproc *ev, pid_t pid, const char *cmd)
{
	if (ev) {
		reported(ev, pid, SEEN_EXEC);
		return;
	}
	char path[64], buf[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	for (int tries = 0; tries < 5000; tries++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		if (n >= (ssize_t)strlen(cmd) && !memcmp(buf, cmd, strlen(cmd)))
			return;
		usleep(1000);
	}
	printf("# pid %d did not exec %s within 5 s\n", (int)pid, cmd);
}

/* A zombie: exited, not reaped (WNOWAIT leaves it so). */
static void wait_zombie(struct cnproc *ev, pid_t pid)
{
	siginfo_t si;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		printf("# waitid %d: %s\n", (int)pid, strerror(errno));
	if (ev)
		reported(ev, pid, SEEN_EXIT);
}

static void lifecycle(bool connector)
{
	const char *mode = connector ? "with the proc connector" : "walking /proc";
	if (connector)
		unsetenv("NSTOP_NO_CONNECTOR");
	else
		setenv("NSTOP_NO_CONNECTOR", "1", 1);
	unsigned what = SNAP_NS | SNAP_CONTAINERS; /* the containers view: no stat */
	/* the test's own listener, bound before the collector's socket: the
	 * kernel hands each event to the socket bound last first, so what the
	 * test has seen the collector has too */
	struct cnproc *ev = connector ? cnproc_open() : NULL;
	struct collector *c = collector_new(&sr, NULL, true);
	struct snap *s = collector_take(c, what, NULL);
	OK(snap_proc(s, getpid()) != NULL, "%s: this test is in the first snapshot", mode);
	int bound;

	struct kid k = kid_start();
	struct want w = {.pid = k.pid};
	int n = until(c, what, &s, 2, has_pid, &w);
	OK(n <= 1, "%s: a new process is in the next snapshot (%d)", mode, n);
	const struct collector_stats *st = collector_stats(c);
	if (connector)
		OK(st->event_refreshes >= 1 && st->full_walks == 1,
		   "%s: refreshes come from events, /proc was walked once (%llu walks)", mode,
		   (unsigned long long)st->full_walks);
	else
		OK(st->full_walks >= 2, "%s: every refresh walks /proc", mode);

	/* past the second look a new process gets */
	struct snap *s2 = collector_take(c, what, s);
	snap_free(s);
	s = collector_take(c, what, s2);
	snap_free(s2);
	kid_step(&k); /* unshare(CLONE_NEWUTS), no exec */
	w.ino = ns_of(k.pid, "uts");
	OK(w.ino && w.ino != ns_of(getpid(), "uts"), "%s: the child has a uts namespace of its own", mode);
	n = until_verified(c, what, &s, 0, 2, uts_is, &w, &bound);
	OK(n <= bound, "%s: its unshare (no exec) is seen within %d refreshes, two passes of the slice (took %d)", mode, bound, n);

	kid_step(&k); /* exec sleep 30 */
	w.cmd = "sleep";
	wait_exec(ev, k.pid, w.cmd);
	/* the exec read from stat, its command line on the refresh after */
	n = until_verified(c, what, &s, 1, 1, cmd_is, &w, &bound);
	OK(n <= (connector ? 1 : bound), "%s: its exec shows the new command within %d (took %d)",
	   mode, connector ? 1 : bound, n);

	kill(k.pid, SIGKILL);
	wait_zombie(ev, k.pid);
	/* only an event or the re-verification reads the state of a process
	 * in a view without per-process stat */
	n = until_verified(c, what, &s, 1, 1, zombie, &w, &bound);
	OK(n <= (connector ? 1 : bound), "%s: killed and not reaped, it stays as a zombie, as ps shows it (%d)", mode, n);
	waitpid(k.pid, NULL, 0);
	n = until(c, what, &s, 2, no_pid, &w);
	OK(n <= 1, "%s: reaped, it is gone from the next snapshot (%d)", mode, n);

	/* born and exited between two refreshes: its zombie is listed, and
	 * once reaped (no event says so) it is gone at once */
	w.pid = fork();
	if (w.pid == 0)
		_exit(0);
	wait_zombie(ev, w.pid);
	n = until(c, what, &s, 2, zombie, &w);
	OK(n <= 1, "%s: born and exited since the last refresh, it is a zombie in the next snapshot (%d)",
	   mode, n);
	waitpid(w.pid, NULL, 0);
	n = until(c, what, &s, 2, no_pid, &w);
	OK(n <= 1, "%s: that zombie reaped, it is gone from the next snapshot (%d)", mode, n);
	close(k.go);
	close(k.done);
	snap_free(s);
	collector_free(c);
	cnproc_close(ev);
}

/* pid is a process now, not a zombie (whose namespace links are gone) */
static bool running(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *r = strrchr(buf, ')');
	return r && r[1] == ' ' && r[2] != 'Z' && r[2] != 'X';
}

/*
 * Relations from the cache equal those the kernel gives a fresh collector.
 * A namespace's relations are read through its lowest process; one that
 * exits while a read is under way leaves them unknown (0) in that read:
 * a difference counts only when that process still runs after both reads
 * (a relation the cache got wrong stays wrong for a process that lives on).
 */
static void ns_cache(void)
{
	unsetenv("NSTOP_NO_CONNECTOR");
	struct collector *c = collector_new(&sr, NULL, true);
	struct snap *a = collector_take(c, SNAP_NS, NULL);
	struct snap *b = collector_take(c, SNAP_NS, a);
	struct snap *f = snap_take(&sr, NULL, SNAP_NS, NULL);
	size_t same = 0, diff = 0, exited = 0;
	for (size_t i = 0; i < b->nns; i++) {
		const struct nsinfo *x = &b->ns[i], *y = snap_ns(f, x->ino);
		if (!y || y->nprocs != x->nprocs)
			continue; /* a process came or went between the two */
		if (x->owner_ino == y->owner_ino && x->parent_ino == y->parent_ino &&
		    x->ghost == y->ghost && x->owner_uid == y->owner_uid && x->type == y->type)
			same++;
		else if (!x->ghost && !running(x->pid))
			exited++; /* its process left during the reads */
		else
			diff++;
	}
	OK(same > 0 && diff == 0,
	   "namespace relations from the cache match a fresh read (%zu same, %zu differ, "
	   "%zu whose process exited meanwhile)",
	   same, diff, exited);
	snap_free(a);
	snap_free(b);
	snap_free(f);
	collector_free(c);
}

/*
 * Strings of processes long gone do not pile up: the pool starts afresh
 * once it holds mostly dead ones, and a snapshot taken before still reads
 * its own strings (ASan checks that in make check-asan).
 */
static void pool_rotation(void)
{
	setenv("NSTOP_NO_CONNECTOR", "1", 1);
	struct collector *c = collector_new(&sr, NULL, true);
	struct snap *old = collector_take(c, SNAP_PROCS, NULL);
	struct snap *s = collector_take(c, SNAP_PROCS, old);
	for (int batch = 0; batch < 24 && !collector_stats(c)->pool_rotations; batch++) {
		pid_t kids[400];
		int nk = 0;
		for (int i = 0; i < 400; i++) {
			pid_t p = fork();
			if (p == 0) {
				char name[32];
				snprintf(name, sizeof(name), "rot%d-%d", batch % 100, i % 1000);
				prctl(PR_SET_NAME, name);
				pause();
				_exit(0);
			}
			if (p > 0)
				kids[nk++] = p;
		}
		usleep(50000);
		struct snap *n = collector_take(c, SNAP_PROCS, s);
		if (s != old)
			snap_free(s);
		s = n;
		for (int i = 0; i < nk; i++)
			kill(kids[i], SIGKILL);
		for (int i = 0; i < nk; i++)
			waitpid(kids[i], NULL, 0);
	}
	struct snap *n = collector_take(c, SNAP_PROCS, s);
	OK(collector_stats(c)->pool_rotations > 0, "the string pool started afresh after %llu rotations",
	   (unsigned long long)collector_stats(c)->pool_rotations);
	size_t readable = 0;
	for (size_t i = 0; i < old->nprocs; i++)
		readable += old->procs[i].comm && strlen(old->procs[i].comm) > 0;
	OK(readable == old->nprocs, "a snapshot from before still reads its strings (%zu of %zu)", readable,
	   old->nprocs);
	const struct proc *me = snap_proc(n, getpid());
	OK(me && me->comm && !strcmp(me->comm, "test_collector"), "and the new one its own");
	snap_free(n);
	if (s != old)
		snap_free(s);
	snap_free(old);
	collector_free(c);
}

/* The pids /proc lists, ascending (readdir gives them so). */
static size_t list_proc(pid_t *v, size_t cap)
{
	size_t n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && n < cap)
			v[n++] = (pid_t)atoi(de->d_name);
	if (d)
		closedir(d);
	return n;
}

static bool listed(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/*
 * The descriptor table full: no kept fds, yet every process is there.
 * Other programs start and end processes meanwhile: those /proc lists
 * both before and after the refresh were there all along, and must be in it.
 */
static void emfile(void)
{
	fflush(stdout); /* the child writes its own line, not ours again */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {400, 400};
		setrlimit(RLIMIT_NOFILE, &rl);
		setenv("NSTOP_NO_CONNECTOR", "1", 1);
		struct collector *c = collector_new(&sr, NULL, true);
		static pid_t before[65536], after[65536];
		/* most of the table taken: kept fds run out mid-walk */
		int fd;
		while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < 380)
			;
		struct snap *s = collector_take(c, SNAP_PROCS, NULL);
		size_t nb = list_proc(before, 65536);
		struct snap *s2 = collector_take(c, SNAP_PROCS, s);
		size_t na = list_proc(after, 65536), stayed = 0, lost = 0;
		for (size_t i = 0; i < nb; i++) {
			if (!listed(after, na, before[i]))
				continue;
			stayed++;
			if (!snap_proc(s2, before[i])) {
				printf("# pid %d was listed before and after, not in the snapshot\n", (int)before[i]);
				lost++;
			}
		}
		const struct proc *me = snap_proc(s2, getpid());
		printf("# %zu processes in the snapshot, %zu listed all along, %zu lost, %llu fd sheds\n",
		       s2->nprocs, stayed, lost, (unsigned long long)collector_stats(c)->fd_sheds);
		fflush(stdout);
		_exit(stayed && !lost && me && me->stat_usec ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "out of descriptors: stat is read without kept fds and no process is lost");
}

/* This process's cgroup path in hierarchy m (from /proc/self/cgroup). */
static bool own_cgroup(const struct cg_mount *m, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[4096];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (!b)
			continue;
		*b = '\0';
		b[1 + strcspn(b + 1, "\n")] = '\0';
		if (m->version == 2 ? !strcmp(line, "0") && !a[1] : !strcmp(a + 1, m->controllers)) {
			snprintf(out, n, "%s", b + 1);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static bool has_row(const struct snap *s, const char *path)
{
	return snap_cgroup(s, path) != NULL;
}

/*
 * Kept cgroup directories are listed again only when their link count
 * changes, a kid was gone, or every few refreshes: a cgroup removed and
 * another made in one interval (the count unchanged) is seen by the second
 * refresh, a rename (count unchanged, the kid's fd still good) within
 * RELIST_EVERY (8) + 1. Cgroups made beneath this process's own, in the
 * first hierarchy, removed at the end.
 */
static void cgroup_relist(void)
{
	const struct cg_mount *m = sr.nmounts ? &sr.mounts[0] : NULL;
	char own[2048], base[4096], path[4200];
	if (!m || !own_cgroup(m, own, sizeof(own)) || !cgx_rel(m, own)) {
		skip("cgroup relisting: no cgroup hierarchy of our own");
		return;
	}
	snprintf(base, sizeof(base), "%s/%s/nstop-relist-%d", m->dir, cgx_rel(m, own), (int)getpid());
	snprintf(path, sizeof(path), "%s/nstop-relist-%d", strcmp(own, "/") ? own : "", (int)getpid());
	if (mkdir(base, 0755) < 0) {
		skip("cgroup relisting: cannot make a cgroup beneath our own");
		return;
	}
	char a[4300], b[4300], c2[4300], pa[4300], pb[4300], pc[4300];
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/b", base);
	snprintf(c2, sizeof(c2), "%s/c", base);
	snprintf(pa, sizeof(pa), "%s/a", path);
	snprintf(pb, sizeof(pb), "%s/b", path);
	snprintf(pc, sizeof(pc), "%s/c", path);
	mkdir(a, 0755);
	struct collector *c = collector_new(&sr, NULL, true);
	struct snap *s = collector_take(c, SNAP_CGROUPS, NULL), *t;
	OK(has_row(s, pa), "relisting: a new cgroup is listed (%s)", pa);
	for (int i = 0; i < 3; i++) { /* the parent's listing kept */
		t = collector_take(c, SNAP_CGROUPS, s);
		snap_free(s);
		s = t;
	}
	rmdir(a);
	mkdir(b, 0755);
	int seen = -1;
	for (int i = 0; i < 2 && seen < 0; i++) {
		t = collector_take(c, SNAP_CGROUPS, s);
		snap_free(s);
		s = t;
		if (has_row(s, pb) && !has_row(s, pa))
			seen = i + 1;
	}
	OK(seen > 0, "relisting: one cgroup removed and another made (link count unchanged): seen after %d refreshes (at most 2)", seen);
	seen = -1;
	if (rename(b, c2) == 0) {
		for (int i = 0; i < 9 && seen < 0; i++) {
			t = collector_take(c, SNAP_CGROUPS, s);
			snap_free(s);
			s = t;
			if (has_row(s, pc) && !has_row(s, pb))
				seen = i + 1;
		}
		OK(seen > 0, "relisting: a renamed cgroup is seen by its new name after %d refreshes (at most 9)", seen);
		rmdir(c2);
	} else {
		skip("relisting: this kernel does not rename cgroups");
		rmdir(b);
	}
	snap_free(s);
	collector_free(c);
	rmdir(base);
}

/* A child that moves itself into cgroup dir dirpath (beneath ours), then
 * waits; on SIGUSR1 it burns about 50 ms of CPU and writes a byte to wfd;
 * spin: it burns CPU for ever instead. */
static int burn_fd = -1;
static void burn(int sig)
{
	(void)sig;
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 50000000L);
	if (write(burn_fd, "b", 1) < 0)
		_exit(3);
}

static pid_t cg_child(const char *dirpath, bool spin, int wfd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char p[4300];
	snprintf(p, sizeof(p), "%s/cgroup.procs", dirpath);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(2);
	close(fd);
	burn_fd = wfd;
	signal(SIGUSR1, burn);
	if (write(wfd, "r", 1) != 1)
		_exit(3);
	for (;;)
		if (!spin)
			pause();
	_exit(0);
}

static const struct proc *proc_of(const struct snap *s, pid_t pid)
{
	return snap_proc(s, pid);
}

/*
 * The recorder's collector skips the stat of processes whose cgroup used
 * no CPU since the refresh before: a sleeper in a cgroup of its own is
 * skipped, and still shows the nice another process gives it within
 * IDLE_REREAD refreshes; when it runs, the very next refresh has its new
 * CPU ticks; a spinner's ticks move on every refresh. Cgroups beneath our
 * own in the CPU-accounting hierarchy, removed at the end; the children
 * killed by pid.
 */
static void idle_skip(void)
{
	int mi = cgx_mount_for(&sr, "cpuacct");
	const struct cg_mount *m = mi >= 0 ? &sr.mounts[mi] : NULL;
	char own[2048], base[4096], idle[4200], busy[4200];
	if (!m || !own_cgroup(m, own, sizeof(own)) || !cgx_rel(m, own)) {
		skip("idle skip: no CPU-accounting cgroup of our own");
		return;
	}
	snprintf(base, sizeof(base), "%s/%s/nstop-idle-%d", m->dir, cgx_rel(m, own), (int)getpid());
	snprintf(idle, sizeof(idle), "%s/idle", base);
	snprintf(busy, sizeof(busy), "%s/busy", base);
	if (mkdir(base, 0755) < 0 || mkdir(idle, 0755) < 0 || mkdir(busy, 0755) < 0) {
		skip("idle skip: cannot make cgroups beneath our own");
		rmdir(idle);
		rmdir(base);
		return;
	}
	int pfd[2];
	if (pipe(pfd) < 0)
		return;
	pid_t sl = cg_child(idle, false, pfd[1]), sp = cg_child(busy, true, pfd[1]);
	char ch;
	bool ready = read(pfd[0], &ch, 1) == 1 && read(pfd[0], &ch, 1) == 1;
	OK(ready, "idle skip: the sleeper and the spinner are in their cgroups");
	struct collector *c = collector_new(&sr, NULL, true);
	collector_skip_idle(c, true);
	struct snap *s = collector_take(c, SNAP_PROCS, NULL), *t;
	uint64_t sp_ticks = proc_of(s, sp) ? proc_of(s, sp)->cpu_ticks : 0;
	int sp_moved = 0;
	for (int i = 0; i < 4; i++) {
		usleep(100000);
		t = collector_take(c, SNAP_PROCS, s);
		snap_free(s);
		s = t;
		const struct proc *p = proc_of(s, sp);
		if (p && p->cpu_ticks > sp_ticks)
			sp_moved++;
		if (p)
			sp_ticks = p->cpu_ticks;
	}
	const struct collector_stats *st = collector_stats(c);
	OK(st->stat_idle > 0, "idle skip: stat reads skipped in idle cgroups: %llu",
	   (unsigned long long)st->stat_idle);
	OK(sp_moved == 4, "idle skip: the spinner's CPU ticks moved on each of 4 refreshes (%d)", sp_moved);
	const struct proc *p = proc_of(s, sl);
	OK(p && p->stat_usec, "idle skip: the sleeper's figures carry a time in every snapshot");
	/* it runs: the next refresh reads it */
	uint64_t before = p ? p->cpu_ticks : 0;
	kill(sl, SIGUSR1);
	ready = read(pfd[0], &ch, 1) == 1;
	t = collector_take(c, SNAP_PROCS, s);
	snap_free(s);
	s = t;
	p = proc_of(s, sl);
	OK(ready && p && p->cpu_ticks > before,
	   "idle skip: the sleeper ran 50 ms: the next refresh has its new ticks (%llu -> %llu)",
	   (unsigned long long)before, p ? (unsigned long long)p->cpu_ticks : 0ULL);
	/* nice set from outside, the sleeper not running */
	setpriority(PRIO_PROCESS, (id_t)sl, 7);
	int seen = -1;
	for (int i = 0; i < IDLE_REREAD + 1 && seen < 0; i++) {
		t = collector_take(c, SNAP_PROCS, s);
		snap_free(s);
		s = t;
		p = proc_of(s, sl);
		if (p && p->nice == 7)
			seen = i + 1;
	}
	OK(seen > 0, "idle skip: a nice set from outside shows after %d refreshes (at most %d)", seen,
	   IDLE_REREAD + 1);
	snap_free(s);
	collector_free(c);
	kill(sl, SIGKILL);
	kill(sp, SIGKILL);
	waitpid(sl, NULL, 0);
	waitpid(sp, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
	rmdir(idle);
	rmdir(busy);
	rmdir(base);
}

int main(void)
{
	struct nerr e = {0};
	if (geteuid() != 0) {
		skip("needs root (unshare, the proc connector)");
		return tap_done();
	}
	if (sysroot_open(&sr, "/", &e) < 0) {
		OK(0, "sysroot: %s", e.msg);
		return tap_done();
	}
	struct cnproc *cn = cnproc_open();
	if (cn)
		lifecycle(true);
	else
		skip("the proc connector does not work here (not the initial pid namespace?)");
	cnproc_close(cn);
	lifecycle(false);
	ns_cache();
	pool_rotation();
	emfile();
	cgroup_relist();
	idle_skip();
	sysroot_close(&sr);
	return tap_done();
}
