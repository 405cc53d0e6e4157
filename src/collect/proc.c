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
 * One-shot commands use a collector once, without kept fds. Reading one
 * process's files is pent.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc.h"

#define FD_RESERVE 256        /* descriptors left for everything but kept stat fds */

struct pidino {
	pid_t pid;
	bool born;              /* the connector reported its fork: read it anew */
	bool check;             /* ... or an exit in it: read its stat to know */
	uint64_t dino;
};

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
	c->names = namecache_new();
	c->cg_depth = -1;
	/* kept fds (a stat fd per process for the dashboard, cgroup dirs and
	 * files for every collector): the soft limit up to the hard one, all
	 * but FD_RESERVE of it shared by the two */
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
		c->fdb.max = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur - FD_RESERVE;
		if (c->fdb.max < 0)
			c->fdb.max = 0;
	}
	c->cgc = cgcache_new(&c->fdb);
	c->ncs = netcache_new(&c->fdb);
	if (keep) {
		if (sr->live && geteuid() == 0)
			c->cn = cnproc_open();
	}
	return c;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		pent_drop(c, &c->e[i]);
	free(c->e);
	cnproc_close(c->cn);
	cgidle_free(c->idle);
	nscache_free(c->nsc);
	namecache_free(c->names);
	cgcache_free(c->cgc);
	netcache_free(c->ncs);
	pool_unref(c->pool);
	buf_free(&c->b);
	free(c);
}

const struct collector_stats *collector_stats(const struct collector *c)
{
	return &c->st;
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
 * A known process under a listed pid: what it needs afresh. Returns 0 when
 * it stays, -ESTALE when its pid is another process's now (to be read as
 * new), else <0 when it is gone; it is dropped unless it stays.
 */
static int refresh_known(struct collector *c, struct pent *e, const struct pidino *l,
			 unsigned want, unsigned fresh)
{
	if (l->dino)
		e->dino = l->dino;
	unsigned w = fresh | (want & ~e->have);
	uint64_t at;
	/* its cgroup ran nothing since the refresh before: neither did it
	 * (a stripe of the table is reread anyway, see cgidle.c). One thread
	 * only: another thread may sit in another cgroup (v1, v2's threaded
	 * ones), and its CPU would then come all at once at the reread */
	if ((w & PN_STAT) && c->idle && e->p.state != 'Z' && e->p.nthreads == 1 &&
	    c->gen - e->statgen < IDLE_REREAD &&
	    ((unsigned)e->p.pid + c->gen) % IDLE_REREAD && cgidle_idle(c, &e->p, &at)) {
		w &= ~(unsigned)PN_STAT;
		e->p.stat_usec = at;
		c->st.stat_idle++;
	}
	if (l->check)
		w |= PN_STAT;
	/* the second look at a process new on the refresh before */
	if (e->born + 1 == c->gen)
		w |= want & (PN_NS | PN_CG);
	if (cnproc_execed(c->cn, e->p.pid)) {
		/* another program: its command line even under the same comm */
		e->have &= ~(unsigned)PN_CMD;
		w |= PN_STAT | (want & (PN_NS | PN_CG | PN_CMD));
	}
	int r = w ? pent_read(c, e, w, false) : 0;
	if (r == 0) {
		/* a zombie leaves without an event when it is reaped: look
		 * again on the next refresh */
		if (e->p.state == 'Z')
			cnproc_recheck(c->cn, e->p.pid);
		return 0;
	}
	pent_drop(c, e);
	return r;
}

/* The listed pids (sorted) merged with the known ones into the new table. */
static void merge(struct collector *c, const struct pidino *l, size_t nl, unsigned want,
		  unsigned fresh)
{
	struct pent *ne = xreallocarray(NULL, nl ? nl : 1, sizeof(*ne));
	size_t k = 0, i = 0;
	c->ne = ne;
	c->nne = 0;
	for (size_t j = 0; j < nl; j++) {
		c->nne = k; /* reachable when descriptors run out */
		while (i < c->n && c->e[i].p.pid < l[j].pid)
			pent_drop(c, &c->e[i++]);
		struct pent *e = &ne[k];
		if (i < c->n && c->e[i].p.pid == l[j].pid && !l[j].born &&
		    (!l[j].dino || !c->e[i].dino || c->e[i].dino == l[j].dino)) {
			*e = c->e[i++];
			int r = refresh_known(c, e, &l[j], want, fresh);
			if (r == 0) {
				k++;
				continue;
			}
			if (r != -ESTALE)
				continue;
			/* the pid was reused: read the new process below */
		} else if (i < c->n && c->e[i].p.pid == l[j].pid) {
			pent_drop(c, &c->e[i++]);
		}
		if (pent_new(c, e, l[j].pid, l[j].dino, want) == 0) {
			if (e->p.state == 'Z') /* born and exited since the last refresh */
				cnproc_recheck(c->cn, e->p.pid);
			k++;
		}
	}
	while (i < c->n)
		pent_drop(c, &c->e[i++]);
	free(c->e);
	c->e = ne;
	c->n = k;
	c->ne = NULL;
	c->nne = 0;
}

/*
 * The re-verification slice: every process again within about 16
 * refreshes, 20 at most on big hosts (at most 512 per refresh), for what
 * no event reports: a move to another cgroup, setns and unshare. Its stat
 * is read again only when the table came from a walk: with the proc
 * connector in step, a pid reused was an exit and a fork, seen as such,
 * and a process gone is an exit (or its files are gone). Its namespace
 * links, every second pass (half of the processes each pass): a change
 * of namespace is nearly always followed by an exec (nsenter, unshare,
 * runc's init), which the connector reports and which rereads them at
 * once; the slice is the net for the rest. A cgroup is changed from
 * outside, with no exec: every pass.
 */
static void verify_slice(struct collector *c, unsigned want, unsigned fresh, bool walked)
{
	size_t slice = c->keep ? 32 + c->n / 16 : 0;
	if (slice > 512)
		slice = 512;
	/* resumed at a pid, not an index: the table is rebuilt each refresh,
	 * and an index shifted by processes gone below it skipped some for
	 * a whole round */
	size_t i = 0;
	while (i < c->n && c->e[i].p.pid < c->cursor)
		i++;
	for (size_t s = 0; s < slice && c->n; s++) {
		if (i >= c->n) {
			i = 0;
			c->rounds++;
		}
		struct pent *e = &c->e[i];
		c->st.verified++;
		/* stat was read a moment ago when every process gets it afresh */
		unsigned sw = (fresh & PN_STAT) || !walked ? 0 : PN_STAT;
		unsigned nsw = ((unsigned)e->p.pid ^ c->rounds) & 1 ? 0 : PN_NS;
		if ((e->born && e->born + 1 >= c->gen) ||
		    pent_read(c, e, sw | (want & (nsw | PN_CG)), false) == 0) {
			i++;
			continue;
		}
		/* gone, or another process under the pid: drop it; a reused
		 * pid is read as new on the next refresh */
		pent_drop(c, e);
		memmove(e, e + 1, (c->n - i - 1) * sizeof(*e));
		c->n--;
	}
	/* a slice that ends at the table's end ends a pass too */
	if (i >= c->n && c->n) {
		i = 0;
		c->rounds++;
	}
	c->cursor = i < c->n ? c->e[i].p.pid : 0;
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
	if (fresh & PN_STAT)
		cgidle_update(c);
	merge(c, l, nl, want, fresh);
	free(l);
	verify_slice(c, want, fresh, walked);
	for (size_t j = 0; j < c->n; j++)
		if (c->e[j].p.pid == 2) {
			c->host_pidns = c->e[j].p.ns[NS_PID];
			break;
		}
	/* once the host's pid namespace is known */
	for (size_t j = 0; (want & PN_NSPID) && j < c->n; j++)
		if ((c->e[j].have & (PN_NSPID | PN_NS)) == PN_NS)
			pent_nspid(c, &c->e[j]);
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
	cgidle_forget(c->idle); /* its keys pointed into the old pool */
	c->st.pool_rotations++;
}

/* After a snapshot is complete: the size of a pool fresh from rotation. */
void collector_settle(struct collector *c)
{
	c->st.fd_budget = c->fdb.max;
	c->st.kept_stat = c->nkept;
	c->st.kept_cgroup = cgcache_kept(c->cgc);
	c->st.kept_sock = (long)netcache_open(c->ncs);
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
			pent_read(c, e, PN_CMD | PN_UID, false);
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
	/* stat fds only serve a view that rereads stat: in the others their
	 * share of the descriptor budget goes to the cgroup fds and sockets */
	c->keep_stat = c->keep && (what & SNAP_PROCS);
	if (!c->keep_stat && c->nkept)
		for (size_t i = 0; i < c->n; i++)
			pent_drop(c, &c->e[i]);
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

void collector_skip_idle(struct collector *c, bool on)
{
	if (on && !c->idle && c->keep)
		c->idle = cgidle_new(c->sr);
	else if (!on) {
		cgidle_free(c->idle);
		c->idle = NULL;
	}
}

struct strpool *collector_pool(struct collector *c)
{
	return c->pool;
}

/* Snapshots with SNAP_CGROUPS read the tree only down to depth (and, with
 * SNAP_CONTAINERS, the containers' cgroups at any depth): what metrics
 * show. -1 (the default): every cgroup. */
void collector_set_cgroup_depth(struct collector *c, int depth)
{
	c->cg_depth = depth;
	c->cg_lean = true;
}

/* The same for a listing (nstop cgroups --depth): every figure it shows,
 * the processes beneath the deepest rows counted in them. */
void collector_set_list_depth(struct collector *c, int depth)
{
	c->cg_depth = depth;
	c->cg_lean = false;
}

bool collector_cgroup_lean(const struct collector *c)
{
	return c->cg_lean;
}

int collector_cgroup_depth(const struct collector *c)
{
	return c->cg_depth;
}

struct sysroot *collector_sysroot(struct collector *c)
{
	return c->sr;
}

struct users *collector_users(struct collector *c)
{
	return c->users;
}

struct namecache *collector_namecache(struct collector *c)
{
	return c->names;
}

struct nscache *collector_nscache(struct collector *c)
{
	return c->nsc;
}

struct cgcache *collector_cgcache(struct collector *c)
{
	return c->cgc;
}

struct netcache *collector_netcache(struct collector *c)
{
	return c->ncs;
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
