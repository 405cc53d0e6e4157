// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The process walk: readdir of proc/, then per process stat, the namespace
 * links (readlink, about 2.5x cheaper than stat here), cgroup and cmdline.
 * Processes that vanish mid-walk are skipped; they are never an error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../nstop.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define CMDLINE_MAX 8192      /* as much as lsns and ps show */

static const char *const ns_names[NS_NTYPES] = {
	[NS_CGROUP] = "cgroup", [NS_IPC] = "ipc", [NS_MNT] = "mnt",   [NS_NET] = "net",
	[NS_PID] = "pid",       [NS_TIME] = "time", [NS_USER] = "user", [NS_UTS] = "uts",
};

const char *ns_type_name(enum ns_type t)
{
	return (unsigned)t < NS_NTYPES ? ns_names[t] : "?";
}

int ns_type_parse(const char *s)
{
	for (int i = 0; i < NS_NTYPES; i++)
		if (!strcmp(s, ns_names[i]))
			return i;
	return -1;
}

struct cg_collect {
	struct snap *s;
	struct proc_cg tmp[32];
	int n;
	const char *v2;
};

static void on_cgroup_line(void *arg, int hid, const char *ctrl, size_t ctrl_len,
			   const char *path, size_t path_len)
{
	struct cg_collect *c = arg;
	const char *p = strtab_intern(&c->s->strs, path, path_len);
	if (hid == 0 && ctrl_len == 0) {
		c->v2 = p;
		return;
	}
	if (c->n < (int)ARRAY_LEN(c->tmp)) {
		c->tmp[c->n].hid = hid;
		c->tmp[c->n].ctrl = strtab_intern(&c->s->strs, ctrl, ctrl_len);
		c->tmp[c->n].path = p;
		c->n++;
	}
}

/* Reads one process; returns 0, or -errno when it must be skipped. */
static int read_proc(struct snap *s, int proc_fd, const char *name, struct proc *p,
		     struct buf *b)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/stat", name);
	int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* files in /proc/PID have the owner of /proc/PID itself */
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	char sbuf[2048];
	ssize_t n = read(fd, sbuf, sizeof(sbuf) - 1);
	int rerr = n < 0 ? -errno : 0;
	close(fd);
	if (n <= 0)
		return n < 0 ? rerr : -ESRCH;
	sbuf[n] = '\0';
	struct stat_fields f;
	if (parse_proc_stat(sbuf, (size_t)n, &f) < 0)
		return -EINVAL;

	memset(p, 0, sizeof(*p));
	p->pid = f.pid;
	p->ppid = f.ppid;
	p->uid = st.st_uid;
	p->state = f.state;
	p->kthread = (f.flags & PF_KTHREAD) != 0;
	p->nthreads = f.nthreads;
	p->nice = f.nice;
	p->comm = strtab_intern(&s->strs, f.comm, f.comm_len);
	p->start_ticks = f.starttime;
	p->cpu_ticks = f.utime + f.stime;
	p->rss_bytes = f.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
	p->cpu_percent = NAN;

	for (int t = 0; t < NS_NTYPES; t++) {
		char link[64];
		snprintf(path, sizeof(path), "%s/ns/%s", name, ns_names[t]);
		ssize_t l = readlinkat(proc_fd, path, link, sizeof(link) - 1);
		if (l > 0)
			parse_ns_link(link, (size_t)l, ns_names[t], &p->ns[t]);
	}

	snprintf(path, sizeof(path), "%s/cgroup", name);
	if (read_file_at(proc_fd, path, b) > 0) {
		struct cg_collect c = {.s = s};
		if (parse_proc_cgroup(b->p, b->len, on_cgroup_line, &c) >= 0) {
			p->cg2 = c.v2;
			if (c.n) {
				p->cg1 = xreallocarray(NULL, (size_t)c.n, sizeof(*p->cg1));
				memcpy(p->cg1, c.tmp, sizeof(*p->cg1) * (size_t)c.n);
				p->ncg1 = c.n;
			}
		}
	}

	if (!p->kthread) {
		snprintf(path, sizeof(path), "%s/cmdline", name);
		fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
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
				p->cmdline = xmemdup0(cbuf, got);
				p->cmdline_len = got;
			}
		}
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int proc_collect(struct snap *s, struct sysroot *sr)
{
	int dfd = openat(sr->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	size_t cap = 512;
	s->procs = xcalloc(cap, sizeof(*s->procs));
	struct buf b = {0};
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] < '1' || nm[0] > '9')
			continue;
		uint64_t pid;
		if (str_parse_u64(nm, &pid) < 0 || pid > INT32_MAX)
			continue;
		if (s->nprocs == cap) {
			cap *= 2;
			s->procs = xreallocarray(s->procs, cap, sizeof(*s->procs));
		}
		if (read_proc(s, sr->proc_fd, nm, &s->procs[s->nprocs], &b) == 0)
			s->nprocs++;
	}
	closedir(d);
	buf_free(&b);
	qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_pid);
	for (size_t i = 0; i < s->nprocs; i++)
		hmap_put(&s->pid_idx, (uint64_t)s->procs[i].pid, (uint32_t)i);
	return 0;
}

/* CPU % of each process over the interval since prev: 100 % is one CPU. */
void proc_rates(struct snap *s, const struct snap *prev)
{
	if (!prev || s->mono_usec <= prev->mono_usec)
		return;
	double dt = (double)(s->mono_usec - prev->mono_usec) / 1e6;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct proc *p = &s->procs[i];
		const struct proc *q = snap_proc(prev, p->pid);
		/* a reused pid has another start time: no rate across it */
		if (!q || q->start_ticks != p->start_ticks || p->cpu_ticks < q->cpu_ticks)
			continue;
		p->cpu_percent = (double)(p->cpu_ticks - q->cpu_ticks) / (double)s->hz / dt * 100.0;
	}
}

/*
 * The pid as seen inside its own pid namespace (status NSpid), read only for
 * processes outside the host's pid namespace: the others' is their pid.
 */
void proc_nspids(struct snap *s, struct sysroot *sr)
{
	struct buf b = {0};
	for (size_t i = 0; i < s->nprocs; i++) {
		struct proc *p = &s->procs[i];
		if (!p->ns[NS_PID] || !s->host_ns[NS_PID] || p->ns[NS_PID] == s->host_ns[NS_PID]) {
			p->nspid = p->ns[NS_PID] ? p->pid : 0;
			continue;
		}
		char path[64];
		snprintf(path, sizeof(path), "%d/status", (int)p->pid);
		pid_t in;
		if (read_file_at(sr->proc_fd, path, &b) > 0 && parse_nspid(b.p, b.len, &in) == 0)
			p->nspid = in;
	}
	buf_free(&b);
}
