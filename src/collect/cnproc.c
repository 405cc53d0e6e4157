// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's process-events connector (netlink, CN_IDX_PROC; root only):
 * fork, exec and exit of every process as they happen, so a refresh knows
 * the pid set without listing /proc. Lost events (a full socket buffer) and
 * a periodic timer force a full /proc walk, the safety net. Opening checks
 * that the events are seen at all and carry the pids this /proc shows (in
 * a child pid namespace they would not): a forked child must be reported.
 */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"

#define RESYNC_USEC (10 * 1000000ull) /* a full walk at least this often */

struct cnproc {
	int fd;
	bool lost;              /* events were dropped: walk /proc */
	uint64_t synced_usec;   /* last full walk */
	pid_t *born, *gone;     /* since the last refresh, unsorted */
	size_t nborn, ngone, capborn, capgone;
	struct hmap execed;     /* pid -> 1 */
	struct hmap execed_next;
};

static void push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = pid;
}

static int send_op(int fd, enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) m;
	memset(&m, 0, sizeof(m));
	m.nl.nlmsg_len = sizeof(m);
	m.nl.nlmsg_type = NLMSG_DONE;
	m.nl.nlmsg_pid = 0;
	m.cn.id.idx = CN_IDX_PROC;
	m.cn.id.val = CN_VAL_PROC;
	m.cn.len = sizeof(enum proc_cn_mcast_op);
	m.op = op;
	return send(fd, &m, sizeof(m), 0) == (ssize_t)sizeof(m) ? 0 : -errno;
}

/* A proc connector socket that listens (events.c's too): rcvbuf bytes of
 * queue, flags (SOCK_NONBLOCK) on the socket; -errno when the kernel says
 * no (not root, no connector). */
int cn_listen(int rcvbuf, int flags)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | flags, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : send_op(fd, PROC_CN_MCAST_LISTEN);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

void cn_unlisten(int fd)
{
	if (fd < 0)
		return;
	send_op(fd, PROC_CN_MCAST_IGNORE);
	close(fd);
}

/* Reads what is queued. Returns -EAGAIN when drained, -ENOBUFS on loss. */
static int drain_one(struct cnproc *c, pid_t want_fork, bool *saw)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP)
			continue;
		struct cn_msg *cm = NLMSG_DATA(h);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*cm) + sizeof(struct proc_event)) ||
		    cm->id.idx != CN_IDX_PROC || cm->len < sizeof(struct proc_event))
			continue;
		/* the event sits 4 bytes off its alignment behind the headers */
		struct proc_event evbuf;
		memcpy(&evbuf, cm->data, sizeof(evbuf) < cm->len ? sizeof(evbuf) : cm->len);
		const struct proc_event *ev = &evbuf;
		switch (ev->what) {
		case PROC_EVENT_FORK:
			if (ev->event_data.fork.child_pid != ev->event_data.fork.child_tgid)
				break; /* a thread */
			push(&c->born, &c->nborn, &c->capborn, ev->event_data.fork.child_tgid);
			if (saw && ev->event_data.fork.child_tgid == want_fork)
				*saw = true;
			break;
		case PROC_EVENT_EXEC:
			hmap_put(&c->execed_next, (uint64_t)ev->event_data.exec.process_tgid, 1);
			break;
		case PROC_EVENT_EXIT:
			/* any thread's exit may end the process: checked on refresh */
			push(&c->gone, &c->ngone, &c->capgone, ev->event_data.exit.process_tgid);
			break;
		default:
			break;
		}
	}
	return 0;
}

struct cnproc *cnproc_open(void)
{
	if (getenv("NSTOP_NO_CONNECTOR"))
		return NULL;
	int fd = cn_listen(8 << 20, 0);
	if (fd < 0)
		return NULL;
	struct cnproc *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	/* the check: a child of ours must be reported under the pid fork gave */
	pid_t kid = fork();
	if (kid == 0)
		_exit(0);
	bool saw = false;
	if (kid > 0) {
		waitpid(kid, NULL, 0);
		uint64_t until = mono_usec() + 200000;
		while (!saw && mono_usec() < until) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, 50) > 0 && drain_one(c, kid, &saw) == -ENOBUFS)
				break;
		}
	}
	if (!saw) {
		cnproc_close(c);
		return NULL;
	}
	c->lost = true; /* the first refresh walks /proc */
	return c;
}

void cnproc_close(struct cnproc *c)
{
	if (!c)
		return;
	cn_unlisten(c->fd);
	free(c->born);
	free(c->gone);
	hmap_free(&c->execed);
	hmap_free(&c->execed_next);
	free(c);
}

/*
 * Takes the queued events. Returns true when they can stand in for a walk
 * of /proc: nothing was lost and the last walk is recent enough.
 */
bool cnproc_take(struct cnproc *c)
{
	if (!c)
		return false;
	for (;;) {
		int r = drain_one(c, 0, NULL);
		if (r == -ENOBUFS) {
			c->lost = true;
			continue;
		}
		if (r < 0 && r != -EINTR)
			break;
	}
	/* exec marks apply to this refresh */
	hmap_free(&c->execed);
	c->execed = c->execed_next;
	memset(&c->execed_next, 0, sizeof(c->execed_next));
	return !c->lost && mono_usec() - c->synced_usec < RESYNC_USEC;
}

/* After a full walk: what the events said is in it already. */
void cnproc_synced(struct cnproc *c)
{
	if (!c)
		return;
	c->lost = false;
	c->synced_usec = mono_usec();
	c->nborn = c->ngone = 0;
}

bool cnproc_execed(const struct cnproc *c, pid_t pid)
{
	return c && c->execed.len && hmap_get(&c->execed, (uint64_t)pid, NULL);
}

/* Pids born and gone since the last refresh (both may hold one pid: a
 * short life, or a reuse); the lists are emptied for the next refresh. */
void cnproc_changes(struct cnproc *c, const pid_t **born, size_t *nborn, const pid_t **gone,
		    size_t *ngone)
{
	*born = c->born;
	*nborn = c->nborn;
	*gone = c->gone;
	*ngone = c->ngone;
	c->nborn = c->ngone = 0;
}

/* An exited process not yet reaped: checked again on the next refresh. */
void cnproc_recheck(struct cnproc *c, pid_t pid)
{
	if (c)
		push(&c->gone, &c->ngone, &c->capgone, pid);
}
