// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signals. A whole cgroup: cgroup.kill (v2, or the unified tree on hybrid
 * hosts) for SIGKILL; otherwise freeze, signal every member through a pidfd,
 * thaw, so that no member escapes by forking. A single process: open its
 * pidfd first, then check that its start time still matches, then signal
 * through the pidfd, so a reused pid is never hit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "act.h"

static const struct {
	const char *name;
	int sig;
} sigs[] = {
	{"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},   {"HUP", SIGHUP},
	{"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	{"QUIT", SIGQUIT},
};

int sig_parse(const char *s)
{
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		if (!strcasecmp(s, sigs[i].name))
			return sigs[i].sig;
	uint64_t v;
	if (str_parse_u64(s, &v) == 0 && v >= 1 && v < (uint64_t)SIGRTMIN)
		return (int)v;
	return -1;
}

const char *sig_name(int sig)
{
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		if (sigs[i].sig == sig)
			return sigs[i].name;
	static char num[16];
	snprintf(num, sizeof(num), "%d", sig);
	return num;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int act_kill_pid(struct sysroot *sr, pid_t pid, uint64_t start, int sig, struct nerr *e)
{
	if (pid == 1 || pid == getpid()) {
		return nerr_input(e, -EINVAL, "pid %d is %s: not signalled", (int)pid,
				  pid == 1 ? "the host's init" : "nstop itself");
	}
	int g = act_check_pid(sr, pid, e);
	if (g < 0)
		return g;
	int fd = pidfd_open_(pid);
	if (fd < 0) {
		int r = -errno;
		/* the pid the user named is not there: the input's fault */
		if (err_vanished(r))
			return nerr_input(e, r, "pid %d: no such process", (int)pid);
		return nerr_set(e, r, "pid %d: %s", (int)pid, strerror(-r));
	}
	/* the pidfd pins the process: what we check now is what we signal */
	uint64_t now;
	int r = sysroot_pid_start(sr, pid, &now);
	if (r == 0 && start && now != start) {
		r = -ESRCH;
		nerr_set(e, r, "pid %d is now another process (started at %llu, not %llu): nothing signalled",
			 (int)pid, (unsigned long long)now, (unsigned long long)start);
	} else if (r < 0) {
		nerr_set(e, r, "pid %d: %s", (int)pid, err_vanished(r) ? "it exited" : strerror(-r));
	} else if (pidfd_signal(fd, sig) < 0) {
		r = -errno;
		nerr_set(e, r, "pid %d: SIG%s: %s", (int)pid, sig_name(sig), strerror(-r));
	}
	close(fd);
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmp_pid_(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* How many processes the target's cgroup holds now (with nested ones);
 * -errno when its tree could not be read in full (see cgx_members). */
static ssize_t count_members(struct sysroot *sr, const struct act_target *t)
{
	pid_t *p = NULL;
	int mi = act_primary_mount(sr, t);
	int err = 0;
	size_t n = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p, &err);
	free(p);
	return err < 0 ? err : (ssize_t)n;
}

/* cgroup2's own answer for the whole subtree: 1 populated, 0 empty, -errno
 * when the members are not counted in a cgroup2 tree (on a hybrid host the
 * v1 tree counted may hold other processes than the unified one) or the
 * file says nothing. */
static int populated(struct sysroot *sr, const struct act_target *t)
{
	int mi = cgx_mount_for(sr, "");
	if (mi < 0 || !t->paths[mi] || mi != act_primary_mount(sr, t))
		return -ENOENT;
	int dfd = cgx_open(sr, mi, t->paths[mi]);
	if (dfd < 0)
		return dfd;
	char ev[256];
	int r = cgx_read(dfd, "cgroup.events", ev, sizeof(ev));
	close(dfd);
	if (r < 0)
		return r;
	const char *p = strstr(ev, "populated ");
	if (!p || (p != ev && p[-1] != '\n') || (p[10] != '0' && p[10] != '1'))
		return -EINVAL;
	return p[10] == '1';
}

static void block_ending(sigset_t *old);

/*
 * Whether some process is, by its own /proc/PID/cgroup, beneath the target
 * in the hierarchy its members are counted in: each process's line is read
 * whole, so one that moves between the target's sub-cgroups is always seen
 * (a walk of the tree may read a, then b, as it goes from b to a). A /proc
 * walk, paid only to confirm none. 1, 0, or -errno.
 */
static int member_by_proc(struct sysroot *sr, const struct act_target *t)
{
	int mi = act_primary_mount(sr, t);
	if (mi < 0 || !t->paths[mi])
		return 0;
	const char *root = t->paths[mi];
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	int fd = openat(sr->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int found = 0;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		struct act_target pt = {0};
		if (act_pid_cgroups(sr, (pid_t)pid, &pt) == 0 && pt.paths[mi]) {
			const char *p = pt.paths[mi];
			found = !strncmp(p, root, rl) && (p[rl] == '\0' || p[rl] == '/' || rl == 1);
		}
		act_target_free(&pt);
	}
	closedir(d);
	return found;
}

/*
 * Whether a count of none is the truth. A walk of the tree misses now and
 * then a member that moves itself between the target's sub-cgroups as it
 * goes; so none is confirmed by cgroup2's populated flag, else by a count
 * taken frozen (a frozen process moves nothing), else by every process's own
 * /proc/PID/cgroup.
 */
static bool confirmed_empty(struct sysroot *sr, const struct act_target *t)
{
	int pop = populated(sr, t);
	if (pop >= 0)
		return pop == 0;
	if (act_frozen(sr, t) == 0) {
		sigset_t old;
		block_ending(&old);
		struct nerr fe = {0};
		bool froze = act_freeze(sr, t, true, 5, &fe) == 0;
		ssize_t n = count_members(sr, t);
		if (froze) {
			for (int i = 0; i < 3 && act_freeze(sr, t, false, 5, &fe) < 0; i++)
				;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (froze)
			return n == 0;
	}
	return member_by_proc(sr, t) == 0;
}

/* Waits up to sec for the cgroups to hold no process; returns how many
 * remain (at least 1 while none is not confirmed), or -errno when they could
 * not be counted. */
static ssize_t wait_empty(struct sysroot *sr, const struct act_target *t, double sec)
{
	uint64_t deadline = mono_usec() + (uint64_t)(sec * 1e6);
	for (;;) {
		ssize_t n = count_members(sr, t);
		if (!n && !confirmed_empty(sr, t))
			n = 1;
		if (!n || n < 0 || mono_usec() >= deadline)
			return n;
		sleep_ms(20);
	}
}

static int uncounted(const struct act_target *t, int r, struct nerr *e)
{
	struct buf d = {0};
	char why[64];
	if (r == -ELOOP)
		snprintf(why, sizeof(why), "deeper than %d levels", CGX_MEMBERS_DEPTH);
	else
		snprintf(why, sizeof(why), "%s", strerror(-r));
	nerr_set(e, r, "%s: its cgroup tree could not be read in full (%s): not every member can be signalled or counted",
		 act_target_desc(t, &d), why);
	buf_free(&d);
	return r;
}

/* cgroup.kill in the unified tree; -ENOENT when there is none to use. */
static int kill_file(struct sysroot *sr, const struct act_target *t)
{
	int mi = cgx_mount_for(sr, "");
	if (mi < 0 || !t->paths[mi])
		return -ENOENT;
	int dfd = cgx_open(sr, mi, t->paths[mi]);
	if (dfd < 0)
		return dfd;
	int r = faccessat(dfd, "cgroup.kill", F_OK, AT_SYMLINK_NOFOLLOW) == 0
			? cgx_write(dfd, "cgroup.kill", "1")
			: -ENOENT;
	close(dfd);
	return r;
}

static bool in_sorted(const pid_t *v, size_t n, pid_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == x)
			return true;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * One pass of sig at every member not in done (sorted); the pids signalled
 * are added to done. Returns how many were new, or -errno.
 */
static int signal_pass(struct sysroot *sr, const struct act_target *t, int sig, pid_t **done,
		       size_t *ndone, unsigned *hit, struct nerr *e)
{
	pid_t *p = NULL;
	int mi = act_primary_mount(sr, t);
	int err = 0;
	size_t n = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p, &err);
	if (err < 0) {
		/* a member that cannot be listed cannot be signalled: fail, not "done" */
		free(p);
		return uncounted(t, err, e);
	}
	int r = 0, fresh = 0;
	pid_t self = getpid();
	size_t old = *ndone;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == self || p[i] == 1 || in_sorted(*done, old, p[i]))
			continue;
		*done = xreallocarray(*done, *ndone + 1, sizeof(**done));
		(*done)[(*ndone)++] = p[i];
		fresh++;
		int fd = pidfd_open_(p[i]);
		if (fd < 0) {
			/* exited meanwhile is normal; out of descriptors is not: a
			 * member left unsignalled must fail the kill */
			if (!err_vanished(errno) && !r) {
				r = -errno;
				nerr_set(e, r, "pid %d: pidfd_open: %s", (int)p[i], strerror(errno));
			}
			continue;
		}
		if (pidfd_signal(fd, sig) == 0)
			(*hit)++;
		else if (!err_vanished(errno) && !r) {
			r = -errno;
			nerr_set(e, r, "pid %d: SIG%s: %s", (int)p[i], sig_name(sig), strerror(errno));
		}
		close(fd);
	}
	free(p);
	if (*ndone > 1)
		qsort(*done, *ndone, sizeof(**done), cmp_pid_);
	return r < 0 ? r : fresh;
}

/* every signal that would end or stop nstop by default (SIGUSR1 and Ctrl-Z
 * left targets frozen too), but those a fault raises */
static void block_ending(sigset_t *old)
{
	sigset_t block;
	sigfillset(&block);
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
	for (size_t i = 0; i < ARRAY_LEN(faults); i++)
		sigdelset(&block, faults[i]);
	sigprocmask(SIG_BLOCK, &block, old);
}

#define UNFROZEN_ROUNDS 100

/*
 * sig at every member, frozen where a freezer exists so that no member
 * escapes by forking. SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked from
 * the freeze to the thaw (and every other signal that ends or stops a
 * process by default): an interrupted kill thaws first, then dies of the
 * signal. A freeze that fails is tried once more; then the members are
 * signalled in rounds until a round finds none it had not signalled (a
 * process with SIGKILL pending cannot fork), and the result says so. A
 * target that keeps forking past that is an error, never "done".
 */
static int signal_all(struct sysroot *sr, const struct act_target *t, int sig, unsigned *hit,
		      struct kill_result *res, struct nerr *e)
{
	sigset_t old;
	block_ending(&old);
	int was = act_frozen(sr, t);
	bool froze = false;
	struct nerr fe = {0};
	for (int i = 0; was == 0 && i < 2 && !froze; i++) {
		memset(&fe, 0, sizeof(fe));
		froze = act_freeze(sr, t, true, 5, &fe) == 0;
	}
	pid_t *done = NULL;
	size_t ndone = 0;
	int r = signal_pass(sr, t, sig, &done, &ndone, hit, e);
	if (r >= 0 && was != 1 && !froze) {
		/* unfrozen: members may fork while we signal */
		int rounds = 1;
		while (r > 0 && rounds < UNFROZEN_ROUNDS) {
			sleep_ms(10);
			r = signal_pass(sr, t, sig, &done, &ndone, hit, e);
			rounds++;
		}
		if (was == 0)
			snprintf(res->note, sizeof(res->note),
				 "it could not be frozen (%s); signalled unfrozen, in %d rounds", fe.msg,
				 rounds);
		else
			snprintf(res->note, sizeof(res->note),
				 "it has no freezer; signalled unfrozen, in %d rounds", rounds);
		if (r > 0) {
			struct buf d = {0};
			r = -EAGAIN;
			nerr_set(e, r, "%s: new members kept appearing after %d rounds of SIG%s (%s): not every one was signalled",
				 act_target_desc(t, &d), rounds, sig_name(sig), res->note);
			buf_free(&d);
		}
	}
	free(done);
	if (r > 0)
		r = 0;
	if (froze) {
		struct nerr te = {0};
		int tr = -1;
		for (int i = 0; i < 3 && tr < 0; i++) {
			memset(&te, 0, sizeof(te));
			tr = act_freeze(sr, t, false, 5, &te);
		}
		if (tr < 0) {
			struct buf d = {0};
			r = tr;
			nerr_set(e, r, "%s: LEFT FROZEN after SIG%s: %s (nstop thaw it)",
				 act_target_desc(t, &d), sig_name(sig), te.msg);
			buf_free(&d);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int kill_phase(struct sysroot *sr, const struct act_target *t, int sig, unsigned *hit,
		      bool *used_file, struct kill_result *res, struct nerr *e)
{
	int mi = act_primary_mount(sr, t);
	if (sig == SIGKILL && mi >= 0 && sr->mounts[mi].version == 2) {
		/* cgroup.kill reports no count: the members just before it (the
		 * kernel's kill is whole even where the count is not) */
		ssize_t n = count_members(sr, t);
		if (kill_file(sr, t) == 0) {
			*used_file = true;
			*hit += n > 0 ? (unsigned)n : 0;
			return 0;
		}
	}
	return signal_all(sr, t, sig, hit, res, e);
}

/*
 * Signals the whole target. With grace > 0: TERM, wait up to grace seconds
 * for the cgroups to empty, then KILL what is left. remain receives how
 * many processes are still there (after KILL, once they are reaped).
 */
int act_kill(struct sysroot *sr, const struct act_target *t, int sig, double grace,
	     struct kill_result *res, struct nerr *e)
{
	memset(res, 0, sizeof(*res));
	if (act_primary_mount(sr, t) < 0) {
		act_missing(sr, t, -1, "any", e);
		return -EINVAL;
	}
	ssize_t n = count_members(sr, t);
	res->before = n > 0 ? (size_t)n : 0;
	int r = kill_phase(sr, t, grace > 0 ? SIGTERM : sig, &res->signalled, &res->cgroup_kill, res, e);
	if (r == 0 && grace > 0) {
		n = wait_empty(sr, t, grace);
		if (n != 0) {
			res->escalated = true;
			r = kill_phase(sr, t, SIGKILL, &res->signalled, &res->cgroup_kill, res, e);
		}
	}
	n = 0;
	if (r == 0 && (sig == SIGKILL || res->escalated)) {
		/* a member that moved while a pass walked is missed by it: pass
		 * again while the target is not confirmed empty */
		n = wait_empty(sr, t, 1);
		for (int i = 0; r == 0 && n > 0 && i < 4; i++) {
			r = kill_phase(sr, t, SIGKILL, &res->signalled, &res->cgroup_kill, res, e);
			n = r ? 0 : wait_empty(sr, t, 1);
		}
	}
	else if (r == 0 && sig != SIGSTOP && sig != SIGCONT)
		n = wait_empty(sr, t, 0.2);
	if (n < 0)
		return uncounted(t, (int)n, e);
	res->remain = (size_t)n;
	return r;
}
