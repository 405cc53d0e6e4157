// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events as they happen (nstop events -f): exits of processes from the
 * proc connector (its exit event carries the wait status, for every
 * runtime), container starts and exits from successive snapshots, OOM
 * kills from each cgroup's oom_kill count (v2 memory.events, v1
 * memory.oom_control) with the victim from the kernel's oom-kill line in
 * /dev/kmsg where it is readable. Actions come from the audit log, which
 * the act layer reads (cli_events.c). Root only for the connector and
 * kmsg; without them the snapshot-based events remain.
 *
 * Untrusted input: the connector's messages (bounds-checked), kmsg lines
 * (parse_kmsg_oom), /proc/PID/stat and /proc/PID/cgroup of the exited
 * process (the parse layer's parsers). Strings are kept raw: the printer
 * escapes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"

#define EV_KMSG_KEEP 64         /* oom-kill lines waiting for their count */
#define EV_EXITS_KEEP 4096      /* recent exit statuses, for a container's init */
#define EV_QUEUE_MAX 2048       /* exits held between two samples (any user can fork) */

struct evsrc {
	int cn, kmsg;
	struct event *q;        /* exits since the last take */
	size_t nq, capq;
	struct kmsg_oom kl[EV_KMSG_KEEP];
	bool kl_used[EV_KMSG_KEEP];
	int64_t kl_real[EV_KMSG_KEEP]; /* its time, realtime */
	uint64_t kl_gen[EV_KMSG_KEEP];  /* gen when read */
	size_t nkl;             /* ring position */
	uint64_t gen;           /* takes so far: a line of an older gen was read before cur */
	struct {                /* recent exits whose parent was read at the exit */
		pid_t pid, ppid;
		int status;
	} ring[EV_EXITS_KEEP];
	size_t nring;
	struct hmap exits;      /* pid -> wait status + 1 (kept EV_EXITS_KEEP) */
	struct hmap throttled;  /* cgroup path's hash -> 1: throttled in the last interval */
	size_t nexits;
	uint64_t dropped;       /* exits past EV_QUEUE_MAX, never shown */
};

int64_t ev_now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* kernel: the running kernel is the one observed (no --sysroot): its proc
 * connector and /dev/kmsg are read; else the snapshots' events alone. */
struct evsrc *evsrc_open(bool kernel)
{
	struct evsrc *s = xcalloc(1, sizeof(*s));
	s->cn = s->kmsg = -1;
	if (!kernel)
		return s;
	int fd = cn_listen(4 << 20, SOCK_NONBLOCK);
	s->cn = fd < 0 ? -1 : fd;
	/* from now on: what the ring holds already happened before we looked */
	s->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->kmsg >= 0 && lseek(s->kmsg, 0, SEEK_END) < 0) {
		close(s->kmsg);
		s->kmsg = -1;
	}
	return s;
}

void evsrc_close(struct evsrc *s)
{
	if (!s)
		return;
	cn_unlisten(s->cn);
	if (s->kmsg >= 0)
		close(s->kmsg);
	free(s->q);
	hmap_free(&s->exits);
	hmap_free(&s->throttled);
	free(s);
}

uint64_t evsrc_dropped(const struct evsrc *s)
{
	return s ? s->dropped : 0;
}

int evsrc_fd(const struct evsrc *s, int which)
{
	return which == 0 ? s->cn : s->kmsg;
}

bool evsrc_has(const struct evsrc *s, int which)
{
	return (which == 0 ? s->cn : s->kmsg) >= 0;
}

static void cg_line(void *arg, int hid, const char *ctrl, size_t ctrl_len, const char *path,
		    size_t path_len)
{
	(void)ctrl;
	struct event *e = arg;
	/* the unified path, else the memory hierarchy's (where OOM is counted) */
	bool mem = ctrl_len >= 6 && memmem(ctrl, ctrl_len, "memory", 6);
	if ((hid == 0 && !e->cgroup[0]) || mem) {
		size_t n = path_len < sizeof(e->cgroup) - 1 ? path_len : sizeof(e->cgroup) - 1;
		memcpy(e->cgroup, path, n);
		e->cgroup[n] = 0;
	}
}

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* The exited process is a zombie until reaped: its name, start and cgroup
 * are read now, where they still are (a reaped one keeps only its pid). */
static void exit_event(struct evsrc *s, pid_t pid, int status)
{
	/* bounded: a user forking in a loop costs at most EV_QUEUE_MAX events
	 * of memory until the next sample; the rest are counted as dropped */
	if (s->nq >= EV_QUEUE_MAX) {
		s->dropped++;
		return;
	}
	if (s->nq == s->capq) {
		s->capq = s->capq ? s->capq * 2 : 64;
		s->q = xreallocarray(s->q, s->capq, sizeof(*s->q));
	}
	struct event *e = &s->q[s->nq++];
	memset(e, 0, sizeof(*e));
	e->time_usec = ev_now_usec();
	e->type = EV_EXIT;
	e->pid = pid;
	e->has_status = true;
	parse_wstatus(status, &e->st);
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ssize_t n = read_small(path, buf, sizeof(buf));
	struct stat_fields f;
	if (n > 0 && parse_proc_stat(buf, (size_t)n, &f) == 0 && f.pid == pid) {
		size_t l = f.comm_len < sizeof(e->comm) - 1 ? f.comm_len : sizeof(e->comm) - 1;
		memcpy(e->comm, f.comm, l);
		e->start = f.starttime;
		size_t k = s->nring++ % EV_EXITS_KEEP;
		s->ring[k].pid = pid;
		s->ring[k].ppid = f.ppid;
		s->ring[k].status = status;
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (n > 0)
		parse_proc_cgroup(buf, (size_t)n, cg_line, e);
	/* v1 moves an exiting task to the root (v2 keeps a zombie where it
	 * was): "/" says nothing; a snapshot may know better (evsrc_take) */
	if (!strcmp(e->cgroup, "/"))
		e->cgroup[0] = 0;
	if (s->nexits >= EV_EXITS_KEEP) {
		hmap_free(&s->exits);
		s->nexits = 0;
	}
	hmap_put(&s->exits, (uint64_t)pid, (uint32_t)status + 1);
	s->nexits++;
}

static void drain_cn(struct evsrc *s)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(s->cn, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue; /* lost events: the ones after still count */
		if (n < 0 && errno != EAGAIN) {
			/* a socket that keeps failing would keep poll awake */
			close(s->cn);
			s->cn = -1;
		}
		if (n <= 0)
			return;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP)
				continue;
			struct cn_msg *cm = NLMSG_DATA(h);
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*cm) + sizeof(struct proc_event)) ||
			    cm->id.idx != CN_IDX_PROC || cm->len < sizeof(struct proc_event))
				continue;
			struct proc_event ev;
			memcpy(&ev, cm->data, sizeof(ev));
			/* a process ends with its leader's exit; other threads' are
			 * their own (exit_code is the group's for a group exit) */
			if (ev.what == PROC_EVENT_EXIT &&
			    ev.event_data.exit.process_pid == ev.event_data.exit.process_tgid)
				exit_event(s, ev.event_data.exit.process_tgid,
					   (int)ev.event_data.exit.exit_code);
		}
	}
}

static void drain_kmsg(struct evsrc *s)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(s->kmsg, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: overwritten before we read it */
		if (n < 0 && errno != EAGAIN) {
			/* EINVAL: a record longer than buf stays unread, and
			 * poll would say it is there forever */
			close(s->kmsg);
			s->kmsg = -1;
		}
		if (n <= 0)
			return;
		struct kmsg_oom o;
		if (parse_kmsg_oom(buf, (size_t)n, &o) == 0) {
			size_t i = s->nkl++ % EV_KMSG_KEEP;
			s->kl[i] = o;
			s->kl_used[i] = false;
			s->kl_gen[i] = s->gen;
			/* the line's boot-time stamp as a realtime one; one from
			 * the future or over an hour old (a clock that jumped):
			 * now */
			uint64_t mono = mono_usec();
			int64_t now = ev_now_usec();
			s->kl_real[i] = o.mono_usec <= mono && mono - o.mono_usec < 3600000000ull ?
						now - (int64_t)(mono - o.mono_usec) : now;
		}
	}
}

/* Reads what the connector and kmsg hold; called when their fds are ready. */
void evsrc_drain(struct evsrc *s)
{
	if (s->cn >= 0)
		drain_cn(s);
	if (s->kmsg >= 0)
		drain_kmsg(s);
}

static bool beneath(const char *path, const char *top)
{
	size_t n = strlen(top);
	if (!strcmp(top, "/"))
		return true;
	return !strncmp(path, top, n) && (path[n] == '/' || !path[n]);
}

/* The container whose cgroup holds path (the deepest), in cur else prev. */
static const struct container *ctr_of_cgroup(const struct snap *cur, const struct snap *prev,
					     const char *path)
{
	const struct container *best = NULL;
	size_t bestn = 0;
	for (int k = 0; k < 2; k++) {
		const struct snap *s = k ? prev : cur;
		for (size_t i = 0; s && i < s->nctrs; i++) {
			const struct container *c = &s->ctrs[i];
			const char *cg[2] = {c->cgroup, c->cg_memory};
			for (int j = 0; j < 2; j++)
				if (cg[j] && strcmp(cg[j], "/") && beneath(path, cg[j]) &&
				    strlen(cg[j]) > bestn) {
					best = c;
					bestn = strlen(cg[j]);
				}
		}
		if (best)
			return best;
	}
	return NULL;
}

static void set_ctr(struct event *e, const struct container *c)
{
	if (!c)
		return;
	e->rt = c->rt;
	snprintf(e->ctr_id, sizeof(e->ctr_id), "%s", c->id ? c->id : "");
	snprintf(e->ctr_name, sizeof(e->ctr_name), "%s", c->name ? c->name : "");
}

static struct event *add(struct event **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

static bool same_ctr(const struct container *a, const struct container *b)
{
	if (a->rt != b->rt)
		return false;
	if (a->id || b->id)
		return a->id && b->id && !strcmp(a->id, b->id);
	return a->pidns == b->pidns;
}

static const struct container *find_ctr(const struct snap *s, const struct container *c)
{
	for (size_t i = 0; i < s->nctrs; i++)
		if (same_ctr(&s->ctrs[i], c))
			return &s->ctrs[i];
	return NULL;
}

/* The status of the init's child killed by sig: a child at the last sample
 * (the snapshot's parent), else one whose parent was read at its exit (it
 * lived less than a sample); the newest. *status unchanged when none. */
static void cmd_status(const struct evsrc *src, const struct snap *prev, pid_t init, int sig,
		       int *status)
{
	for (size_t i = 0; i < prev->nprocs; i++) {
		const struct proc *p = &prev->procs[i];
		uint32_t st;
		if (p->ppid == init && p->pid != init && hmap_get(&src->exits, (uint64_t)p->pid, &st) &&
		    st && WIFSIGNALED((int)(st - 1)) && WTERMSIG((int)(st - 1)) == sig) {
			*status = (int)(st - 1);
			return;
		}
	}
	for (size_t k = 0; k < EV_EXITS_KEEP && k < src->nring; k++) {
		size_t j = (src->nring - 1 - k) % EV_EXITS_KEEP;
		int st = src->ring[j].status;
		if (src->ring[j].ppid == init && src->ring[j].pid != init && WIFSIGNALED(st) &&
		    WTERMSIG(st) == sig) {
			*status = st;
			return;
		}
	}
}

/* Running: it has processes. nstop's own stay listed, stopped, until
 * removed: a container starts and exits when it runs and stops. */
static bool running(const struct container *c)
{
	return c && c->nprocs && !c->stopped;
}

static void ctr_events(struct evsrc *src, const struct snap *prev, const struct snap *cur,
		       struct event **v, size_t *n, size_t *cap)
{
	int64_t now = ev_now_usec();
	for (size_t i = 0; i < cur->nctrs; i++) {
		const struct container *c = &cur->ctrs[i];
		if (c->sandbox || !running(c) || running(find_ctr(prev, c)))
			continue;
		struct event *e = add(v, n, cap);
		e->time_usec = now;
		e->type = EV_CTR_START;
		e->pid = c->init_pid;
		const struct proc *p = snap_proc(cur, c->init_pid);
		if (p) {
			e->start = p->start_ticks;
			snprintf(e->comm, sizeof(e->comm), "%s", p->comm ? p->comm : "");
		}
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", c->cgroup ? c->cgroup : "");
		set_ctr(e, c);
	}
	for (size_t i = 0; i < prev->nctrs; i++) {
		const struct container *c = &prev->ctrs[i];
		if (c->sandbox || !running(c) || running(find_ctr(cur, c)))
			continue;
		struct event *e = add(v, n, cap);
		e->time_usec = now;
		e->type = EV_CTR_EXIT;
		e->pid = c->init_pid;
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", c->cgroup ? c->cgroup : "");
		set_ctr(e, c);
		uint32_t st;
		if (c->init_pid && hmap_get(&src->exits, (uint64_t)c->init_pid, &st) && st) {
			int status = (int)(st - 1);
			/* nstop's init exits 128+N for a command killed by
			 * signal N (act/create-child.c): the command's own */
			if (c->rt == RT_NSTOP && WIFEXITED(status) && WEXITSTATUS(status) > 128)
				cmd_status(src, prev, c->init_pid, WEXITSTATUS(status) - 128, &status);
			e->has_status = true;
			parse_wstatus(status, &e->st);
		}
	}
}

static void oom_events(struct evsrc *src, const struct snap *prev, const struct snap *cur,
		       struct event **v, size_t *n, size_t *cap)
{
	size_t first = *n;
	int64_t now = ev_now_usec();
	for (size_t i = 0; i < cur->ncgs; i++) {
		const struct cgroup *c = &cur->cgs[i];
		if (c->oom_kills == VAL_NA || !c->oom_kills)
			continue;
		const struct cgroup *p = snap_cgroup(prev, c->path);
		uint64_t before = p ? p->oom_kills : 0;
		if (before == VAL_NA || c->oom_kills <= before)
			continue;
		struct event *e = add(v, n, cap);
		e->time_usec = now;
		e->type = EV_OOM_KILL;
		e->count = c->oom_kills - before;
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", c->path);
	}
	/* v2 counts a kill in every ancestor too: the deepest cgroup says it */
	size_t w = first;
	for (size_t i = first; i < *n; i++) {
		bool anc = false;
		for (size_t k = first; k < *n && !anc; k++)
			anc = k != i && strcmp((*v)[k].cgroup, (*v)[i].cgroup) &&
			      beneath((*v)[k].cgroup, (*v)[i].cgroup);
		if (!anc)
			(*v)[w++] = (*v)[i];
	}
	*n = w;
	for (size_t i = first; i < *n; i++) {
		struct event *e = &(*v)[i];
		set_ctr(e, ctr_of_cgroup(cur, prev, e->cgroup));
		/* the newest unclaimed kmsg line in this cgroup or beneath it */
		for (size_t k = 0; k < EV_KMSG_KEEP && k < src->nkl; k++) {
			size_t j = (src->nkl - 1 - k) % EV_KMSG_KEEP;
			if (!src->kl_used[j] && beneath(src->kl[j].memcg, e->cgroup)) {
				src->kl_used[j] = true;
				e->victim = src->kl[j].pid;
				snprintf(e->victim_comm, sizeof(e->victim_comm), "%s", src->kl[j].task);
				e->time_usec = src->kl_real[j]; /* the kill's time, not the sample's */
				break;
			}
		}
	}
	/* a cgroup removed before a sample could count its kill (v1 counts in
	 * the cgroup alone; a container removed at once): the kernel's line
	 * says it. Only lines read before cur was taken, whose cgroup cur
	 * does not have: one that appears later counts its kill itself. */
	for (size_t k = 0; k < EV_KMSG_KEEP && k < src->nkl; k++) {
		size_t j = (src->nkl - 1 - k) % EV_KMSG_KEEP;
		if (src->kl_used[j] || src->kl_gen[j] >= src->gen)
			continue;
		bool known = false;
		for (size_t i = 0; i < cur->ncgs && !known; i++)
			known = !strcmp(cur->cgs[i].path, src->kl[j].memcg);
		if (known)
			continue;
		src->kl_used[j] = true;
		struct event *e = add(v, n, cap);
		e->time_usec = src->kl_real[j];
		e->type = EV_OOM_KILL;
		e->count = 1;
		e->victim = src->kl[j].pid;
		snprintf(e->victim_comm, sizeof(e->victim_comm), "%s", src->kl[j].task);
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", src->kl[j].memcg);
		set_ctr(e, ctr_of_cgroup(cur, prev, e->cgroup));
	}
}

static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h | 1; /* never 0 */
}

/* CPU throttling that begins (a cgroup's nr_throttled grew in this interval
 * and not in the one before) and ends (it did, and not now). A cgroup that
 * went away ends without an event. */
static void throttle_events(struct evsrc *src, const struct snap *prev, const struct snap *cur,
			    struct event **v, size_t *n, size_t *cap)
{
	struct hmap now = {0};
	int64_t t = ev_now_usec();
	for (size_t i = 0; i < cur->ncgs; i++) {
		const struct cgroup *c = &cur->cgs[i];
		const struct cgroup *p = snap_cgroup(prev, c->path);
		if (!p || c->nr_throttled == VAL_NA || p->nr_throttled == VAL_NA)
			continue;
		uint64_t h = path_hash(c->path);
		uint32_t was;
		bool before = hmap_get(&src->throttled, h, &was) && was;
		bool during = c->nr_throttled > p->nr_throttled;
		if (during)
			hmap_put(&now, h, 1);
		if (during == before)
			continue;
		struct event *e = add(v, n, cap);
		e->time_usec = t;
		e->type = during ? EV_THROTTLE_BEGIN : EV_THROTTLE_END;
		e->count = during ? c->nr_throttled - p->nr_throttled : 0;
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", c->path);
		set_ctr(e, ctr_of_cgroup(cur, prev, c->path));
	}
	hmap_free(&src->throttled);
	src->throttled = now;
}

/* A process's cgroup as a snapshot saw it: v2's, else the memory one's. */
static void proc_cgroup(struct event *e, const struct proc *p)
{
	const char *path = p->cg2;
	for (int i = 0; i < p->ncg1; i++)
		if (p->cg1[i].ctrl && strstr(p->cg1[i].ctrl, "memory"))
			path = p->cg1[i].path;
	/* v1 moves an exiting task to the root: a snapshot taken after the
	 * exit says "/", the one before it knows better (evsrc_take asks both) */
	if (path && strcmp(path, "/"))
		snprintf(e->cgroup, sizeof(e->cgroup), "%s", path);
}

/*
 * The events between two snapshots: the exits queued since the last call
 * (with their containers), containers that came and went, OOM kills.
 * Returns how many; *out is the caller's to free.
 */
size_t evsrc_take(struct evsrc *s, const struct snap *prev, const struct snap *cur,
		  struct event **out)
{
	s->gen++; /* what is read from here on was read after cur was taken */
	evsrc_drain(s);
	struct event *v = s->q;
	size_t n = s->nq, cap = s->capq;
	s->q = NULL;
	s->nq = s->capq = 0;
	for (size_t i = 0; i < n; i++) {
		const struct container *c = NULL;
		for (int k = 0; k < 2 && !c; k++) {
			const struct snap *sn = k ? prev : cur;
			const struct proc *p = sn ? snap_proc(sn, v[i].pid) : NULL;
			if (p && v[i].start && p->start_ticks != v[i].start)
				p = NULL; /* another process under a reused pid */
			if (p)
				c = proc_container(sn, p);
			if (p && !v[i].cgroup[0])
				proc_cgroup(&v[i], p);
			/* reaped before its stat was read: the snapshot's name */
			if (p && !v[i].comm[0] && p->comm)
				snprintf(v[i].comm, sizeof(v[i].comm), "%s", p->comm);
			if (p && !v[i].start)
				v[i].start = p->start_ticks;
		}
		if (!c && v[i].cgroup[0])
			c = ctr_of_cgroup(cur, prev, v[i].cgroup);
		set_ctr(&v[i], c);
	}
	if (prev && cur) {
		ctr_events(s, prev, cur, &v, &n, &cap);
		oom_events(s, prev, cur, &v, &n, &cap);
		throttle_events(s, prev, cur, &v, &n, &cap);
	}
	*out = v;
	return n;
}

const char *ev_type_name(enum ev_type t)
{
	static const char *const names[] = {"exit", "oom_kill", "container_start", "container_exit",
					    "action", "throttle_begin", "throttle_end"};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
