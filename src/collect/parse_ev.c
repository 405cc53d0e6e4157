// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events' outside input, pure and fuzzable: the kernel's OOM-kill line in
 * /dev/kmsg (which any process's name and any cgroup's path flow into, so
 * untrusted), and a wait status as the proc connector's exit event gives it.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "parse.h"

static bool dec(const char *p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (p >= end)
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (max - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

static const char *find(const char *s, const char *end, const char *pat)
{
	size_t k = strlen(pat);
	for (const char *p = s; p && (size_t)(end - p) >= k; p++)
		if (!memcmp(p, pat, k))
			return p;
	return NULL;
}

static const char *rfind(const char *s, const char *end, const char *pat)
{
	size_t k = strlen(pat);
	if ((size_t)(end - s) < k)
		return NULL;
	for (const char *p = end - k;; p--) {
		if (!memcmp(p, pat, k))
			return p;
		if (p == s)
			return NULL;
	}
}

/*
 * One /dev/kmsg record: "PRI,SEQ,USEC,FLAGS[,...];MESSAGE\n" with
 * " KEY=VALUE" continuation lines. The kernel's line (mm/oom_kill.c,
 * dump_oom_summary) is "oom-kill:constraint=...,oom_memcg=PATH,
 * task_memcg=PATH,task=COMM,pid=N,uid=N". A path may hold ",task=" and a
 * name ",pid=" or ",task=": the pid and uid are taken from the end, the
 * name is the longest that fits TASK_COMM_LEN (15 bytes) before them (a
 * process names itself; its cgroup's path is root's or a delegate's), the
 * path what follows the one "task_memcg=" (two: ambiguous, refused). Returns 0, or -EINVAL
 * when it is not such a line.
 */
int parse_kmsg_oom(const char *s, size_t n, struct kmsg_oom *o)
{
	memset(o, 0, sizeof(*o));
	const char *end = s + n, *semi = memchr(s, ';', n);
	if (!semi)
		return -EINVAL;
	/* the prefix: the timestamp is the third field, monotonic microseconds */
	const char *c1 = memchr(s, ',', (size_t)(semi - s));
	const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(semi - c1 - 1)) : NULL;
	const char *c3 = c2 ? memchr(c2 + 1, ',', (size_t)(semi - c2 - 1)) : NULL;
	if (!c2 || !dec(c2 + 1, c3 ? c3 : semi, UINT64_MAX, &o->mono_usec))
		return -EINVAL;
	const char *m = semi + 1, *nl = memchr(m, '\n', (size_t)(end - m));
	const char *me = nl ? nl : end;
	static const char tag[] = "oom-kill:";
	if ((size_t)(me - m) < sizeof(tag) - 1 || memcmp(m, tag, sizeof(tag) - 1))
		return -EINVAL;
	const char *u = rfind(m, me, ",uid=");
	const char *p = u ? rfind(m, u, ",pid=") : NULL;
	uint64_t pid, uid;
	if (!p || !dec(u + 5, me, 0xffffffffu, &uid) || !dec(p + 5, u, 0x7fffffff, &pid) || !pid)
		return -EINVAL;
	const char *t = NULL;
	for (const char *q = p - 6; q >= m && p - q <= 6 + 15; q--)
		if (!memcmp(q, ",task=", 6))
			t = q;
	if (!t)
		return -EINVAL;
	/* the kernel writes one "task_memcg="; a second is a cgroup named
	 * with it (a delegate names its cgroups), and which path is the
	 * task's is then anyone's guess: no victim rather than another
	 * container's (the OOM count still comes from memory.events) */
	const char *mc = find(m, t, "task_memcg=");
	if (!mc || find(mc + 1, t, "task_memcg="))
		return -EINVAL;
	mc += strlen("task_memcg=");
	size_t tl = (size_t)(p - t - 6), ml = (size_t)(t - mc);
	if (ml >= sizeof(o->memcg) || tl >= sizeof(o->task))
		return -EINVAL;
	memcpy(o->memcg, mc, ml);
	memcpy(o->task, t + 6, tl);
	o->pid = (pid_t)pid;
	o->uid = (uint32_t)uid;
	return 0;
}

/* A wait status: exited with a code, or killed by a signal (core dumped). */
void parse_wstatus(int status, struct wstatus *w)
{
	memset(w, 0, sizeof(*w));
	if (WIFEXITED(status)) {
		w->exited = true;
		w->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		w->signaled = true;
		w->sig = WTERMSIG(status);
		w->core = WCOREDUMP(status) != 0;
	}
}
