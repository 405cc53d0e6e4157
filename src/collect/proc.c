// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The process walk, and the collector state that outlives snapshots.
 *
 * A collector remembers every process it has read (sorted by pid). Each
 * refresh lists /proc (or takes the proc connector's events, see cnproc.c),
 * merges that list with what it knows, and reads:
 *  - a new process in full: stat, the 8 namespace links, cgroup, cmdline and
 *    owner, whichever the caller needs;
 *  - a known one only what the view needs afresh: its stat when per-process
 *    CPU is shown (pread on a kept fd, no open or close), nothing otherwise;
 *  - a bounded slice of known ones in full again (start time, namespaces,
 *    cgroup), so a process that calls setns or unshare, or is moved to
 *    another cgroup, is caught within a few refreshes; new ones get a second
 *    look on the refresh after the first (runtimes set a child up after fork).
 * A pid whose /proc entry has another inode than before is another process
 * (readdir hands out the inode at no cost), and a kept fd of an exited
 * process reads ESRCH, so a reused pid is never mistaken for the old one.
 * One-shot commands use a collector once, without kept fds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "collect.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define CMDLINE_MAX 8192      /* as much as lsns and ps show */
#define FD_RESERVE 256        /* descriptors left for everything but kept stat fds */

/* what has been read of one process */
enum { PN_STAT = 1, PN_NS = 2, PN_CG = 4, PN_CMD = 8, PN_UID = 16, PN_NSPID = 32 };

struct pent {
	struct proc p;          /* strings in the collector's pool */
	uint64_t dino;          /* inode of /proc/PID when listed, 0 unknown */
	int fd;                 /* kept stat fd, -1 when none */
	unsigned have;          /* PN_* */
	uint32_t born;          /* refresh that first saw it */
};

struct pidino {
	pid_t pid;
	bool born;              /* the connector reported its fork: read it anew */
	bool check;             /* ... or an exit in it: read its stat to know */
	uint64_t dino;
};

struct collector {
	struct sysroot *sr;
	struct users *users;
	struct strpool *pool;
	size_t pool_live;       /* strings in the pool after its last rotation */
	struct pent *e;         /* sorted by pid */
	size_t n;
	struct pent *ne;        /* the table being built by a refresh */
	size_t nne;
	uint32_t gen;
	size_t cursor;          /* where the next re-verification slice starts */
	bool keep;              /* keep stat fds open between refreshes */
	long nkept, maxkept;
	long page;
	uint64_t host_pidns;
	struct buf b;
	struct cnproc *cn;      /* the proc connector, NULL when not in use */
	struct nscache *nsc;    /* namespace relations (ns.c) */
	struct collector_stats st;
};

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

/* the soft RLIMIT_NOFILE before a collector raised it (0: untouched) */
static rlim_t nofile_orig;

/* For a child about to exec: the descriptor limit nstop was started with. */
void fdlimit_restore(void)
{
	struct rlimit rl;
	if (nofile_orig && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = nofile_orig;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int cmp_pid(const void *a, const void *b)
{
	const struct pidino *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

struct collector *collector_new(struct sysroot *sr, struct users *users, bool keep)
{
	struct collector *c = xcalloc(1, sizeof(*c));
	c->sr = sr;
	c->users = users;
	c->pool = pool_new();
	c->keep = keep;
	c->page = sysconf(_SC_PAGESIZE);
	c->nsc = nscache_new();
	if (keep) {
		/* one kept fd per process: the soft limit up to the hard one */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			if (rl.rlim_cur < rl.rlim_max) {
				rlim_t old = rl.rlim_cur;
				rl.rlim_cur = rl.rlim_max;
				if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
					rl.rlim_cur = old;
				else if (!nofile_orig)
					nofile_orig = old;
			}
			c->maxkept = rl.rlim_cur == RLIM_INFINITY ? 1L << 20
				     : (long)rl.rlim_cur - FD_RESERVE;
		}
		if (sr->live && geteuid() == 0)
			c->cn = cnproc_open();
	}
	return c;
}

static void ent_drop(struct collector *c, struct pent *e)
{
	if (e->fd >= 0) {
		close(e->fd);
		c->nkept--;
	}
	e->fd = -1;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ent_drop(c, &c->e[i]);
	free(c->e);
	cnproc_close(c->cn);
	nscache_free(c->nsc);
	pool_unref(c->pool);
	buf_free(&c->b);
	free(c);
}

const struct collector_stats *collector_stats(const struct collector *c)
{
	return &c->st;
}

/* Opens PID/stat, giving kept fds back when the table is full. */
static int open_stat(struct collector *c, const char *path)
{
	int fd = openat(c->sr->proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 || errno != EMFILE || !c->nkept)
		return fd < 0 ? -errno : fd;
	/* out of descriptors: keep none from now on, release ours, retry */
	c->maxkept = 0;
	for (size_t i = 0; i < c->n; i++)
		ent_drop(c, &c->e[i]);
	for (size_t i = 0; i < c->nne; i++)
		ent_drop(c, &c->ne[i]);
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
			/* files in /proc/PID have the owner of /proc/PID itself */
			struct stat st;
			if (fstat(fd, &st) == 0) {
				e->p.uid = st.st_uid;
				e->have |= PN_UID;
			}
		}
		n = read(fd, sbuf, sizeof(sbuf) - 1);
		int rerr = n < 0 ? -errno : 0;
		if (n > 0 && c->keep && c->nkept < c->maxkept) {
			e->fd = fd;
			c->nkept++;
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
	e->have |= PN_STAT;
	return 0;
}

static void ent_ns(struct collector *c, struct pent *e)
{
	char path[48], link[64];
	c->st.ns_reads++;
	size_t base = strlen(pid_path(path, e->p.pid, "ns/"));
	for (int t = 0; t < NS_NTYPES; t++) {
		strcpy(path + base, ns_type_name(t));
		ssize_t l = readlinkat(c->sr->proc_fd, path, link, sizeof(link) - 1);
		uint64_t ino = 0;
		if (l > 0)
			parse_ns_link(link, (size_t)l, ns_type_name(t), &ino);
		e->p.ns[t] = ino;
	}
	e->have |= PN_NS;
}

static void ent_cg(struct collector *c, struct pent *e)
{
	char path[48];
	const struct cgset *set = NULL;
	if (read_file_at(c->sr->proc_fd, pid_path(path, e->p.pid, "cgroup"), &c->b) > 0)
		set = pool_cgset(c->pool, c->b.p, c->b.len);
	e->p.cg2 = set ? set->cg2 : NULL;
	e->p.cg1 = set ? set->cg1 : NULL;
	e->p.ncg1 = set ? set->ncg1 : 0;
	e->have |= PN_CG;
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
static void ent_nspid(struct collector *c, struct pent *e)
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

/* Reads what is missing of want; stat first. Returns <0 when it is gone. */
static int ent_read(struct collector *c, struct pent *e, unsigned want, bool first)
{
	if (first || (want & PN_STAT)) {
		int r = ent_stat(c, e, first, (want & PN_UID) != 0);
		if (r < 0)
			return r;
	}
	want &= ~e->have | (want & (PN_NS | PN_CG)); /* these two are re-read on demand */
	if (want & PN_NS)
		ent_ns(c, e);
	if (want & PN_CG)
		ent_cg(c, e);
	if ((want & PN_CMD) && !(e->have & PN_CMD))
		ent_cmd(c, e);
	if ((want & PN_UID) && !(e->have & PN_UID))
		ent_uid(c, e);
	return 0;
}

static int ent_new(struct collector *c, struct pent *e, pid_t pid, uint64_t dino, unsigned want)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	e->p.pid = pid;
	e->p.cpu_percent = NAN;
	e->dino = dino;
	/* the first walk finds an established population: no second look */
	e->born = c->gen > 1 ? c->gen : 0;
	c->st.new_procs++;
	int r = ent_read(c, e, want | PN_STAT, true);
	if (r < 0)
		ent_drop(c, e);
	return r;
}

/* The pids in proc/, with the inode of each entry; sorted. */
static struct pidino *list_pids(struct collector *c, size_t *np)
{
	*np = 0;
	int dfd = openat(c->sr->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return NULL;
	}
	size_t cap = c->n + 256, n = 0;
	struct pidino *v = xreallocarray(NULL, cap, sizeof(*v));
	bool sorted = true;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] < '1' || nm[0] > '9')
			continue;
		uint64_t pid;
		if (str_parse_u64(nm, &pid) < 0 || pid > INT32_MAX)
			continue;
		if (n == cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if (n && v[n - 1].pid >= (pid_t)pid)
			sorted = false;
		v[n].pid = (pid_t)pid;
		v[n].born = v[n].check = false;
		/* a fixture's plain directories keep their inode: only a live
		 * /proc hands out a new one per process */
		v[n].dino = c->sr->live ? de->d_ino : 0;
		n++;
	}
	closedir(d);
	if (!sorted)
		qsort(v, n, sizeof(*v), cmp_pid);
	c->st.full_walks++;
	*np = n;
	return v;
}

static int cmp_int(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/*
 * The pid list from the connector's events instead of a walk: the known
 * pids, plus those forked (read anew), those with an exit checked.
 */
static struct pidino *event_pids(struct collector *c, size_t *np)
{
	const pid_t *cb, *cg;
	size_t nb, ng;
	cnproc_changes(c->cn, &cb, &nb, &cg, &ng);
	pid_t *born = xreallocarray(NULL, nb + 1, sizeof(*born));
	pid_t *gone = xreallocarray(NULL, ng + 1, sizeof(*gone));
	memcpy(born, cb, nb * sizeof(*born));
	memcpy(gone, cg, ng * sizeof(*gone));
	qsort(born, nb, sizeof(*born), cmp_int);
	qsort(gone, ng, sizeof(*gone), cmp_int);
	struct pidino *v = xreallocarray(NULL, c->n + nb + 1, sizeof(*v));
	size_t n = 0, i = 0, b = 0, g = 0;
	while (i < c->n || b < nb) {
		pid_t pid;
		bool isborn = false;
		if (b < nb && (i == c->n || born[b] <= c->e[i].p.pid)) {
			pid = born[b];
			isborn = true;
			if (i < c->n && c->e[i].p.pid == pid)
				i++;
		} else {
			pid = c->e[i++].p.pid;
		}
		while (b < nb && born[b] == pid)
			b++;
		while (g < ng && gone[g] < pid)
			g++;
		if (n && v[n - 1].pid == pid)
			continue;
		v[n].pid = pid;
		v[n].born = isborn;
		v[n].check = g < ng && gone[g] == pid;
		v[n].dino = 0;
		n++;
	}
	free(born);
	free(gone);
	c->st.event_refreshes++;
	*np = n;
	return v;
}

/*
 * Brings the process table up to date. want: what every new process needs;
 * fresh: what every known one needs afresh (PN_STAT for per-process CPU).
 */
static void update(struct collector *c, unsigned want, unsigned fresh)
{
	c->gen++;
	size_t nl;
	struct pidino *l;
	bool walked = !cnproc_take(c->cn);
	if (walked) {
		l = list_pids(c, &nl);
		cnproc_synced(c->cn);
	} else {
		l = event_pids(c, &nl);
	}
	struct pent *ne = xreallocarray(NULL, nl ? nl : 1, sizeof(*ne));
	size_t k = 0, i = 0;
	c->ne = ne;
	c->nne = 0;
	for (size_t j = 0; j < nl; j++) {
		c->nne = k; /* reachable when descriptors run out */
		while (i < c->n && c->e[i].p.pid < l[j].pid)
			ent_drop(c, &c->e[i++]);
		struct pent *e = &ne[k];
		if (i < c->n && c->e[i].p.pid == l[j].pid && !l[j].born &&
		    (!l[j].dino || !c->e[i].dino || c->e[i].dino == l[j].dino)) {
			*e = c->e[i++];
			if (l[j].dino)
				e->dino = l[j].dino;
			unsigned w = fresh | (want & ~e->have);
			if (l[j].check)
				w |= PN_STAT;
			/* the second look at a process new on the refresh before */
			if (e->born + 1 == c->gen)
				w |= want & (PN_NS | PN_CG);
			if (cnproc_execed(c->cn, e->p.pid)) {
				/* another program: its command line even under the same comm */
				e->have &= ~(unsigned)PN_CMD;
				w |= PN_STAT | (want & (PN_NS | PN_CG | PN_CMD));
			}
			int r = w ? ent_read(c, e, w, false) : 0;
			if (r == 0) {
				/* a zombie leaves without an event when it is
				 * reaped: look again on the next refresh */
				if (e->p.state == 'Z')
					cnproc_recheck(c->cn, e->p.pid);
				k++;
				continue;
			}
			ent_drop(c, e);
			if (r != -ESTALE)
				continue;
			/* the pid was reused: read the new process below */
		} else if (i < c->n && c->e[i].p.pid == l[j].pid) {
			ent_drop(c, &c->e[i++]);
		}
		if (ent_new(c, e, l[j].pid, l[j].dino, want) == 0) {
			if (e->p.state == 'Z') /* born and exited since the last refresh */
				cnproc_recheck(c->cn, e->p.pid);
			k++;
		}
	}
	while (i < c->n)
		ent_drop(c, &c->e[i++]);
	free(c->e);
	free(l);
	c->e = ne;
	c->n = k;
	c->ne = NULL;
	c->nne = 0;

	/* the re-verification slice: every process again within about 16
	 * refreshes, 20 at most on big hosts (at most 512 per refresh) */
	size_t slice = c->keep ? 32 + c->n / 16 : 0;
	if (slice > 512)
		slice = 512;
	for (size_t s = 0; s < slice && c->n; s++) {
		if (c->cursor >= c->n)
			c->cursor = 0;
		struct pent *e = &c->e[c->cursor];
		c->st.verified++;
		/* stat was read a moment ago when every process gets it afresh */
		unsigned sw = (fresh & PN_STAT) ? 0 : PN_STAT;
		if ((e->born && e->born + 1 >= c->gen) || ent_read(c, e, sw | (want & (PN_NS | PN_CG)), false) == 0) {
			c->cursor++;
			continue;
		}
		/* gone, or another process under the pid: drop it; a reused
		 * pid is read as new on the next refresh */
		ent_drop(c, e);
		memmove(e, e + 1, (c->n - c->cursor - 1) * sizeof(*e));
		c->n--;
	}
	for (size_t j = 0; j < c->n; j++)
		if (c->e[j].p.pid == 2) {
			c->host_pidns = c->e[j].p.ns[NS_PID];
			break;
		}
	/* once the host's pid namespace is known */
	for (size_t j = 0; (want & PN_NSPID) && j < c->n; j++)
		if ((c->e[j].have & (PN_NSPID | PN_NS)) == PN_NS)
			ent_nspid(c, &c->e[j]);
}

/*
 * Starts a fresh pool when the old one holds mostly strings no process
 * uses any more (pids and cgroups come and go): every process's strings
 * are interned again; snapshots still pointing into the old pool keep it.
 */
static void rotate_pool(struct collector *c)
{
	if (c->pool->t.len < 2 * c->pool_live + 4096)
		return;
	struct strpool *np = pool_new();
	for (size_t i = 0; i < c->n; i++) {
		struct proc *p = &c->e[i].p;
		if (p->comm)
			p->comm = strtab_intern(&np->t, p->comm, strlen(p->comm));
		if (p->cmdline)
			p->cmdline = strtab_intern(&np->t, p->cmdline, p->cmdline_len);
		if (c->e[i].have & PN_CG) {
			/* a process's set is rebuilt from its text on its next read */
			c->e[i].have &= ~(unsigned)PN_CG;
			p->cg2 = NULL;
			p->cg1 = NULL;
			p->ncg1 = 0;
		}
	}
	pool_unref(c->pool);
	c->pool = np;
	c->pool_live = 0;
	c->st.pool_rotations++;
}

/* After a snapshot is complete: the size of a pool fresh from rotation. */
void collector_settle(struct collector *c)
{
	if (!c->pool_live)
		c->pool_live = c->pool->t.len;
}

/*
 * Fills in cmdline and owner of the given processes (the rows a listing
 * shows when it did not read them for everyone), in the snapshot and here.
 */
void collector_fill(struct collector *c, struct snap *s, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* the snapshot's table is a copy of ours, row for row */
		struct proc *sp = (struct proc *)snap_proc(s, pids[i]);
		size_t k = sp ? (size_t)(sp - s->procs) : c->n;
		if (k >= c->n || c->e[k].p.pid != pids[i])
			continue;
		struct pent *e = &c->e[k];
		if ((e->have & (PN_CMD | PN_UID)) != (PN_CMD | PN_UID)) {
			ent_read(c, e, PN_CMD | PN_UID, false);
			sp->cmdline = e->p.cmdline;
			sp->cmdline_len = e->p.cmdline_len;
			sp->uid = e->p.uid;
		}
	}
}

/* Fills the snapshot's process table; the snapshot shares the pool. */
void collector_procs(struct collector *c, struct snap *s, unsigned what)
{
	unsigned want = PN_STAT, fresh = 0;
	if (what & (SNAP_NS | SNAP_CONTAINERS | SNAP_PROCS))
		want |= PN_NS;
	if (what & (SNAP_CGROUPS | SNAP_CONTAINERS | SNAP_PROCS))
		want |= PN_CG;
	/* the dashboard reads a new process's command and owner once; one-shot
	 * listings that show them for a few rows only read those (collector_fill) */
	if ((what & SNAP_PROCS) || c->keep)
		want |= PN_CMD | PN_UID;
	if (what & SNAP_PROCS) {
		want |= PN_NSPID;
		fresh |= PN_STAT;
	}
	if (c->keep)
		rotate_pool(c);
	update(c, want, fresh);
	s->nprocs = c->n;
	s->procs = xreallocarray(NULL, c->n ? c->n : 1, sizeof(*s->procs));
	for (size_t i = 0; i < c->n; i++) {
		s->procs[i] = c->e[i].p;
		s->procs[i].cpu_percent = NAN;
		if (!(fresh & PN_STAT))
			s->procs[i].stat_usec = 0;
	}
}

struct strpool *collector_pool(struct collector *c)
{
	return c->pool;
}

struct sysroot *collector_sysroot(struct collector *c)
{
	return c->sr;
}

struct users *collector_users(struct collector *c)
{
	return c->users;
}

struct nscache *collector_nscache(struct collector *c)
{
	return c->nsc;
}

/* CPU % of each process between its two stat reads: 100 % is one CPU. Both
 * tables are sorted by pid: one merge, no lookups. */
void proc_rates(struct snap *s, const struct snap *prev)
{
	if (!prev)
		return;
	size_t j = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct proc *p = &s->procs[i];
		while (j < prev->nprocs && prev->procs[j].pid < p->pid)
			j++;
		if (j == prev->nprocs)
			break;
		const struct proc *q = &prev->procs[j];
		/* a reused pid has another start time: no rate across it */
		if (q->pid != p->pid || !p->stat_usec || !q->stat_usec || p->stat_usec <= q->stat_usec ||
		    q->start_ticks != p->start_ticks || p->cpu_ticks < q->cpu_ticks)
			continue;
		double dt = (double)(p->stat_usec - q->stat_usec) / 1e6;
		p->cpu_percent = (double)(p->cpu_ticks - q->cpu_ticks) / (double)s->hz / dt * 100.0;
	}
}
