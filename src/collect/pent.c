// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading one process for the collector (proc.c): its stat (through a kept
 * fd when there is one, pread with no open or close), the 8 namespace
 * links, cgroup, cmdline, owner and NSpid. A known process whose start time
 * changed is another one (-ESTALE); one that exited reads ESRCH or ENOENT.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* "PID/suffix" into out (at least 48 bytes): snprintf costs more than the
 * syscall's path walk on this path. */
static const char *pid_path(char *out, pid_t pid, const char *suffix)
{
	char tmp[16];
	int n = 0;
	unsigned v = (unsigned)pid;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(tmp));
	char *o = out;
	while (n)
		*o++ = tmp[--n];
	if (suffix) {
		*o++ = '/';
		size_t l = strlen(suffix);
		memcpy(o, suffix, l);
		o += l;
	}
	*o = '\0';
	return out;
}

void pent_drop(struct collector *c, struct pent *e)
{
	if (e->fd >= 0) {
		close(e->fd);
		c->nkept--;
		c->fdb.used--;
	}
	e->fd = -1;
}

/* Opens PID/stat, giving kept fds back when the table is full. */
static int open_stat(struct collector *c, const char *path)
{
	int fd = openat(c->sr->proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 || errno != EMFILE || !c->nkept)
		return fd < 0 ? -errno : fd;
	/* out of descriptors: keep none from now on, release ours, retry */
	c->fdb.max = 0;
	for (size_t i = 0; i < c->n; i++)
		pent_drop(c, &c->e[i]);
	for (size_t i = 0; i < c->nne; i++)
		pent_drop(c, &c->ne[i]);
	c->st.fd_sheds++;
	fd = openat(c->sr->proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/*
 * Reads stat (through the kept fd when there is one). A known process
 * whose start time changed is another one: -ESTALE.
 */
static int ent_stat(struct collector *c, struct pent *e, bool first, bool uid)
{
	char sbuf[2048];
	ssize_t n;
	c->st.stat_reads++;
	if (e->fd >= 0) {
		n = pread(e->fd, sbuf, sizeof(sbuf) - 1, 0);
		if (n < 0)
			return -errno;
	} else {
		char path[48];
		int fd = open_stat(c, pid_path(path, e->p.pid, "stat"));
		if (fd < 0)
			return fd;
		if (first && uid) {
			/* files in /proc/PID have the owner of /proc/PID itself,
			 * but those of a process that made itself non-dumpable
			 * show root whoever runs it: a root owner is asked of the
			 * directory (ent_uid), which keeps the real one */
			struct stat st;
			if (fstat(fd, &st) == 0 && st.st_uid != 0) {
				e->p.uid = st.st_uid;
				e->have |= PN_UID;
			}
		}
		n = read(fd, sbuf, sizeof(sbuf) - 1);
		int rerr = n < 0 ? -errno : 0;
		if (n > 0 && c->keep_stat && c->fdb.used < c->fdb.max) {
			e->fd = fd;
			c->nkept++;
			c->fdb.used++;
		} else {
			close(fd);
		}
		if (n < 0)
			return rerr;
	}
	if (n == 0)
		return -ESRCH;
	sbuf[n] = '\0';
	struct stat_fields f;
	if (parse_proc_stat(sbuf, (size_t)n, &f) < 0 || f.pid != e->p.pid)
		return -EINVAL;
	struct proc *p = &e->p;
	if (!first && f.starttime != p->start_ticks)
		return -ESTALE;
	p->ppid = f.ppid;
	p->state = f.state;
	p->kthread = (f.flags & PF_KTHREAD) != 0;
	p->nthreads = f.nthreads;
	p->nice = f.nice;
	if (!p->comm || strlen(p->comm) != f.comm_len || memcmp(p->comm, f.comm, f.comm_len)) {
		/* an exec: its command line is another one too */
		if (p->comm)
			e->have &= ~(unsigned)PN_CMD;
		p->comm = strtab_intern(&c->pool->t, f.comm, f.comm_len);
	}
	p->start_ticks = f.starttime;
	p->cpu_ticks = f.utime + f.stime;
	p->rss_bytes = f.rss_pages * (uint64_t)c->page;
	p->stat_usec = mono_usec();
	e->statgen = c->gen;
	e->have |= PN_STAT;
	return 0;
}

/*
 * The namespace links, through one descriptor of PID/ns: each readlink then
 * looks up one name, not three (the pid's directory, ns, the link), and
 * every link is the same process's. Read again (again), the pid link is
 * left alone: a process's pid namespace is fixed at its birth (setns and
 * unshare change its children's only, pid_namespaces(7)).
 */
static int ent_ns(struct collector *c, struct pent *e, bool again)
{
	char path[48], link[64];
	c->st.ns_reads++;
	int dfd = openat(c->sr->proc_fd, pid_path(path, e->p.pid, "ns"),
			 O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	int gone = dfd < 0 && err_vanished(-errno) ? -errno : 0;
	bool any = false;
	for (int t = 0; t < NS_NTYPES; t++) {
		if (again && t == NS_PID)
			continue;
		ssize_t l = dfd >= 0 ? readlinkat(dfd, ns_type_name(t), link, sizeof(link) - 1) : -1;
		uint64_t ino = 0;
		if (l > 0)
			parse_ns_link(link, (size_t)l, ns_type_name(t), &ino);
		e->p.ns[t] = ino;
		any |= ino != 0;
	}
	/* none readable now (gone, or no longer ours to read): nor is that one */
	if (again && !any)
		e->p.ns[NS_PID] = 0;
	if (dfd >= 0)
		close(dfd);
	e->have |= PN_NS;
	return gone;
}

static int ent_cg(struct collector *c, struct pent *e)
{
	char path[48];
	const struct cgset *set = NULL;
	int r = read_file_at(c->sr->proc_fd, pid_path(path, e->p.pid, "cgroup"), &c->b);
	if (r > 0)
		set = pool_cgset(c->pool, c->b.p, c->b.len);
	else if (r < 0 && err_vanished(r))
		return r;
	e->p.cg2 = set ? set->cg2 : NULL;
	e->p.cg1 = set ? set->cg1 : NULL;
	e->p.ncg1 = set ? set->ncg1 : 0;
	e->have |= PN_CG;
	return 0;
}

static void ent_cmd(struct collector *c, struct pent *e)
{
	e->have |= PN_CMD;
	e->p.cmdline = NULL;
	e->p.cmdline_len = 0;
	if (e->p.kthread)
		return;
	char path[48];
	int fd = openat(c->sr->proc_fd, pid_path(path, e->p.pid, "cmdline"), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	char cbuf[CMDLINE_MAX];
	size_t got = 0;
	while (got < sizeof(cbuf)) {
		ssize_t r = read(fd, cbuf + got, sizeof(cbuf) - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got) {
		e->p.cmdline = strtab_intern(&c->pool->t, cbuf, got);
		e->p.cmdline_len = got;
	}
}

static void ent_uid(struct collector *c, struct pent *e)
{
	char path[48];
	struct stat st;
	if (fstatat(c->sr->proc_fd, pid_path(path, e->p.pid, NULL), &st, AT_SYMLINK_NOFOLLOW) == 0)
		e->p.uid = st.st_uid;
	e->have |= PN_UID;
}

/* The pid inside its own pid namespace (status NSpid), read once, and only
 * for processes outside the host's pid namespace: the others' is their pid. */
void pent_nspid(struct collector *c, struct pent *e)
{
	struct proc *p = &e->p;
	e->have |= PN_NSPID;
	if (!p->ns[NS_PID] || !c->host_pidns || p->ns[NS_PID] == c->host_pidns) {
		p->nspid = p->ns[NS_PID] ? p->pid : 0;
		return;
	}
	char path[48];
	pid_t in;
	if (read_file_at(c->sr->proc_fd, pid_path(path, p->pid, "status"), &c->b) > 0 && parse_nspid(c->b.p, c->b.len, &in) == 0)
		p->nspid = in;
}

int pent_read(struct collector *c, struct pent *e, unsigned want, bool first)
{
	if (first || (want & PN_STAT)) {
		int r = ent_stat(c, e, first, (want & PN_UID) != 0);
		if (r < 0)
			return r;
	}
	bool again = (e->have & PN_NS) != 0;
	want &= ~e->have | (want & (PN_NS | PN_CG)); /* these two are re-read on demand */
	/* without a stat read now, a process gone shows here (and keeps
	 * what was read of it) */
	bool nostat = !first && !(want & PN_STAT);
	if ((want & PN_NS) && ent_ns(c, e, again) < 0 && nostat)
		return -ESRCH;
	if ((want & PN_CG) && ent_cg(c, e) < 0 && nostat)
		return -ESRCH;
	if ((want & PN_CMD) && !(e->have & PN_CMD))
		ent_cmd(c, e);
	if ((want & PN_UID) && !(e->have & PN_UID))
		ent_uid(c, e);
	return 0;
}

int pent_new(struct collector *c, struct pent *e, pid_t pid, uint64_t dino, unsigned want)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	e->p.pid = pid;
	e->p.cpu_percent = NAN;
	e->dino = dino;
	/* the first walk finds an established population: no second look */
	e->born = c->gen > 1 ? c->gen : 0;
	c->st.new_procs++;
	int r = pent_read(c, e, want | PN_STAT, true);
	if (r < 0)
		pent_drop(c, e);
	return r;
}
