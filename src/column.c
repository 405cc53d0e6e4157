// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One column table per listing: header, JSON key, alignment, help and a
 * getter. The same table drives text, --json, -o and --list-columns (and the
 * dashboard's views), so a column exists in all of them or in none.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collect/collect.h"
#include "output.h"

#define ROW(type) const type *r = row; (void)s

static void set_str(struct cell *c, const char *str)
{
	c->type = str ? CELL_STR : CELL_NONE;
	c->s = str;
	c->slen = str ? strlen(str) : 0;
}

static void set_u64(struct cell *c, uint64_t v)
{
	c->type = v == VAL_NA || v == VAL_UNLIMITED ? CELL_NONE : CELL_U64;
	c->u = v;
}

static void set_size(struct cell *c, uint64_t v)
{
	set_u64(c, v);
	if (c->type == CELL_U64)
		c->type = CELL_SIZE;
}

static void set_dbl(struct cell *c, double d, int prec)
{
	c->type = isfinite(d) ? CELL_DBL : CELL_NONE;
	c->d = d;
	c->prec = prec;
}

/* lsns' COMMAND: the command line with NULs as spaces, else comm. */
static void set_command(struct cell *c, const struct proc *p)
{
	if (!p) {
		c->type = CELL_NONE;
		return;
	}
	if (p->cmdline_len) {
		size_t n = p->cmdline_len;
		if (p->cmdline[n - 1] == '\0')
			n--;
		buf_reset(&c->tmp);
		buf_add(&c->tmp, p->cmdline, n);
		for (size_t i = 0; i < n; i++)
			if (c->tmp.p[i] == '\0')
				c->tmp.p[i] = ' ';
		c->type = CELL_STR;
		c->s = c->tmp.p;
		c->slen = n;
		return;
	}
	set_str(c, p->comm);
}

/* ---- namespaces ---- */

static void ns_ns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	set_u64(c, r->ino);
}
static void ns_type(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	set_str(c, ns_type_name(r->type));
}
static void ns_nprocs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	set_u64(c, r->nprocs);
}
static void ns_pid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	if (!r->ghost)
		set_u64(c, (uint64_t)r->pid);
}
static void ns_ppid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	const struct proc *p = snap_proc(s, r->pid);
	if (p)
		set_u64(c, (uint64_t)p->ppid);
}
static void ns_user(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	const struct proc *p = snap_proc(s, r->pid);
	if (r->ghost)
		set_str(c, users_name(s->users, r->owner_uid));
	else if (p)
		set_str(c, users_name(s->users, p->uid));
}
static void ns_uid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	const struct proc *p = snap_proc(s, r->pid);
	if (r->ghost)
		set_u64(c, r->owner_uid);
	else if (p)
		set_u64(c, p->uid);
}
static void ns_command(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	set_command(c, snap_proc(s, r->pid));
}
static void ns_owner(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	if (r->owner_ino)
		set_u64(c, r->owner_ino);
}
static void ns_parent(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	if (r->parent_ino)
		set_u64(c, r->parent_ino);
}
static void ns_netnsid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	if (r->type != NS_NET || r->netnsid == -2)
		return;
	buf_reset(&c->tmp);
	if (r->netnsid < 0)
		buf_adds(&c->tmp, "unassigned");
	else
		buf_printf(&c->tmp, "%d", r->netnsid);
	set_str(c, c->tmp.p);
}
static void ns_nsfs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	set_str(c, r->nsfs);
}
static void ns_host(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct nsinfo);
	c->type = CELL_BOOL;
	c->u = s->host_ns[r->type] == r->ino;
}

static const struct column ns_cols[] = {
	{"NS", "ns", true, true, true, "namespace identifier (inode number)", ns_ns},
	{"TYPE", "type", false, true, true, "kind of namespace", ns_type},
	{"NPROCS", "nprocs", true, true, true, "number of processes in the namespace", ns_nprocs},
	{"PID", "pid", true, true, true, "lowest PID in the namespace", ns_pid},
	{"PPID", "ppid", true, false, false, "parent PID of that PID", ns_ppid},
	{"USER", "user", false, true, true, "owner of /proc/PID of that PID", ns_user},
	{"UID", "uid", true, false, false, "UID of that owner", ns_uid},
	{"OWNER", "owner", true, false, false, "owning user namespace (inode), null when unknown", ns_owner},
	{"PARENT", "parent", true, false, false, "parent namespace of a pid or user namespace", ns_parent},
	{"HOST", "host", false, false, false, "true for the initial namespace (that of pid 2)", ns_host},
	{"NETNSID", "netnsid", true, false, false, "net: id as the network subsystem sees it from here", ns_netnsid},
	{"NSFS", "nsfs", false, false, false, "net: nsfs mount points (ip netns add)", ns_nsfs},
	{"COMMAND", "command", false, true, true, "command line of that PID", ns_command},
};
const struct table table_ns = {"namespaces", ns_cols, ARRAY_LEN(ns_cols)};

/* ---- cgroups ---- */

static void cg_path(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->path);
}
static void cg_version(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, (uint64_t)r->version);
}
static void cg_nprocs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nprocs);
}
static void cg_nprocs_rec(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nprocs_rec);
}
static void cg_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->cpu_percent, 1);
}
static void cg_cpu_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->cpu_quota_usec != VAL_NA && r->cpu_quota_usec != VAL_UNLIMITED &&
	    r->cpu_period_usec != VAL_NA && r->cpu_period_usec)
		set_dbl(c, (double)r->cpu_quota_usec / (double)r->cpu_period_usec * 100.0, 1);
}
static void cg_cpu_usage(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->cpu_usage_usec);
}
static void cg_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_current);
}
static void cg_mem_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_max);
}
static void cg_mem_high(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_high);
}
static void cg_mem_pct(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->mem_current != VAL_NA && r->mem_max != VAL_NA && r->mem_max != VAL_UNLIMITED &&
	    r->mem_max)
		set_dbl(c, (double)r->mem_current / (double)r->mem_max * 100.0, 1);
}
static void cg_anon(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_anon);
}
static void cg_file(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_file);
}
static void cg_swap(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->swap_current);
}
static void cg_pids(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->pids_current);
}
static void cg_pids_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->pids_max);
}
static void cg_io_r(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->io_rbytes);
}
static void cg_io_w(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->io_wbytes);
}
static void cg_io_rbps(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->io_rbps, 0);
}
static void cg_io_wbps(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->io_wbps, 0);
}
static void cg_periods(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nr_periods);
}
static void cg_throttled(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nr_throttled);
}
static void cg_throttled_usec(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->throttled_usec);
}
static void cg_throttled_pct(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->throttled_percent, 1);
}
static void cg_oom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->oom_kills);
}
static void cg_psi_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_cpu, 2);
}
static void cg_psi_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_mem, 2);
}
static void cg_psi_io(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_io, 2);
}
static void cg_frozen(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->frozen >= 0) {
		c->type = CELL_BOOL;
		c->u = (uint64_t)r->frozen;
	}
}
static void cg_unified(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	c->type = CELL_BOOL;
	c->u = r->in_unified || r->version == 2;
}

static const struct column cg_cols[] = {
	{"PATH", "path", false, true, true, "cgroup path from the hierarchy's root", cg_path},
	{"VER", "version", true, false, true, "1 for v1 (hybrid: a v1 controller has it), 2 for v2", cg_version},
	{"PROCS", "nprocs", true, true, true, "processes directly in the cgroup", cg_nprocs},
	{"PROCS_ALL", "nprocs_recursive", true, false, true, "processes in it and its descendants", cg_nprocs_rec},
	{"CPU%", "cpu_percent", true, true, true, "CPU over the interval, 100 = one CPU", cg_cpu},
	{"CPU_LIMIT%", "cpu_limit_percent", true, true, true, "cpu.max or cfs_quota_us/cfs_period_us, in percent of one CPU", cg_cpu_limit},
	{"CPU_USEC", "cpu_usage_usec", true, false, true, "total CPU time in microseconds", cg_cpu_usage},
	{"MEM", "memory_bytes", true, true, true, "memory.current or memory.usage_in_bytes", cg_mem},
	{"MEM_LIMIT", "memory_limit_bytes", true, true, true, "memory.max or memory.limit_in_bytes", cg_mem_limit},
	{"MEM_HIGH", "memory_high_bytes", true, false, true, "memory.high (v2 only)", cg_mem_high},
	{"MEM%", "memory_percent", true, false, true, "memory in percent of its own limit", cg_mem_pct},
	{"ANON", "memory_anon_bytes", true, false, true, "anonymous memory (memory.stat anon, v1 rss)", cg_anon},
	{"FILE", "memory_file_bytes", true, false, true, "page cache (memory.stat file, v1 cache)", cg_file},
	{"SWAP", "swap_bytes", true, false, true, "swap in use, where accounted", cg_swap},
	{"PIDS", "pids", true, true, true, "pids.current", cg_pids},
	{"PIDS_LIMIT", "pids_limit", true, false, true, "pids.max", cg_pids_limit},
	{"READ", "io_read_bytes", true, false, true, "bytes read (io.stat, blkio.throttle.io_service_bytes)", cg_io_r},
	{"WRITE", "io_write_bytes", true, false, true, "bytes written", cg_io_w},
	{"READ/s", "io_read_bps", true, true, true, "bytes read per second over the interval", cg_io_rbps},
	{"WRITE/s", "io_write_bps", true, true, true, "bytes written per second over the interval", cg_io_wbps},
	{"PERIODS", "nr_periods", true, false, true, "CFS enforcement periods", cg_periods},
	{"THROTTLED", "nr_throttled", true, true, true, "periods in which it was throttled", cg_throttled},
	{"THR_USEC", "throttled_usec", true, false, true, "time throttled, microseconds", cg_throttled_usec},
	{"THR%", "throttled_percent", true, false, true, "share of periods throttled over the interval", cg_throttled_pct},
	{"OOM", "oom_kills", true, true, true, "OOM kills (memory.events oom_kill, v1 memory.oom_control)", cg_oom},
	{"PSI_CPU", "psi_cpu_some_avg10", true, false, true, "cpu.pressure some avg10", cg_psi_cpu},
	{"PSI_MEM", "psi_memory_some_avg10", true, false, true, "memory.pressure some avg10", cg_psi_mem},
	{"PSI_IO", "psi_io_some_avg10", true, false, true, "io.pressure some avg10", cg_psi_io},
	{"FROZEN", "frozen", false, false, true, "cgroup.events frozen, v1 freezer.state FROZEN", cg_frozen},
	{"UNIFIED", "unified", false, false, true, "the path exists in a cgroup2 tree", cg_unified},
};
const struct table table_cgroups = {"cgroups", cg_cols, ARRAY_LEN(cg_cols)};

/* A container's label: the runtime's name, the pod's, else its init's command. */
static void ct_name_of(const struct snap *s, const struct container *r, struct cell *c)
{
	if (r->name)
		set_str(c, r->name);
	else if (r->pod)
		set_str(c, r->pod);
	else if (r->rt == RT_NSTOP || r->rt == RT_LXC || r->rt == RT_NSPAWN)
		set_str(c, r->id); /* their cgroup is named after the container */
	else {
		const struct proc *p = snap_proc(s, r->init_pid);
		set_str(c, p ? p->comm : r->id);
	}
}

/* ---- processes ---- */

static void ps_pid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_u64(c, (uint64_t)r->pid);
}
static void ps_nspid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	if (r->nspid)
		set_u64(c, (uint64_t)r->nspid);
}
static void ps_ppid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_u64(c, (uint64_t)r->ppid);
}
static void ps_pidstart(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	buf_reset(&c->tmp);
	buf_printf(&c->tmp, "%d@%llu", (int)r->pid, (unsigned long long)r->start_ticks);
	set_str(c, c->tmp.p);
}
static void ps_user(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_str(c, users_name(s->users, r->uid));
}
static void ps_uid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_u64(c, r->uid);
}
static void ps_state(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	c->type = CELL_STR;
	c->s = &r->state;
	c->slen = 1;
}
static void ps_threads(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_u64(c, (uint64_t)r->nthreads);
}
static void ps_nice(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	c->type = CELL_I64;
	c->i = r->nice;
}
static void ps_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	double pct = r->cpu_percent;
	/* like ps(1): without an interval, the average over the process's life */
	double age = s->uptime_sec - (double)r->start_ticks / (double)s->hz;
	if (isnan(pct) && s->uptime_sec > 0 && age > 0)
		pct = (double)r->cpu_ticks / (double)s->hz / age * 100.0;
	set_dbl(c, pct, 1);
}
static void ps_time(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_dbl(c, (double)r->cpu_ticks / (double)s->hz, 2);
}
static void ps_rss(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_size(c, r->rss_bytes);
}
static void ps_start(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_u64(c, r->start_ticks);
}
static void ps_kthread(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	c->type = CELL_BOOL;
	c->u = r->kthread;
}
/* The cgroup shown for a process: v2's, else the cpu hierarchy's (v1). */
const char *proc_cgroup_path(const struct proc *p, const char *ctrl)
{
	for (int k = 0; k < p->ncg1; k++) {
		const char *cl = p->cg1[k].ctrl;
		size_t n = strlen(ctrl);
		for (const char *q = cl; q && *q;) {
			const char *e = strchr(q, ',');
			size_t l = e ? (size_t)(e - q) : strlen(q);
			if (l == n && !memcmp(q, ctrl, n))
				return p->cg1[k].path;
			q = e ? e + 1 : q + l;
		}
	}
	return NULL;
}
static void ps_cgroup(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	const char *path = s->layout == CG_V2 ? r->cg2 : proc_cgroup_path(r, "cpu");
	set_str(c, path ? path : r->cg2);
}
static void ps_cgroup_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_str(c, s->layout == CG_V2 ? r->cg2 : proc_cgroup_path(r, "memory"));
}
static void ps_container(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	const struct container *k = proc_container(s, r);
	if (!k)
		return;
	ct_name_of(s, k, c);
}
static void ps_comm(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_str(c, r->comm);
}
static void ps_command(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct proc);
	set_command(c, r);
}
#define NSCOL(t, fn)                                                              \
	static void fn(const struct snap *s, const void *row, struct cell *c)     \
	{                                                                         \
		ROW(struct proc);                                                 \
		if (r->ns[t])                                                     \
			set_u64(c, r->ns[t]);                                     \
	}
NSCOL(NS_CGROUP, ps_ns_cgroup)
NSCOL(NS_IPC, ps_ns_ipc)
NSCOL(NS_MNT, ps_ns_mnt)
NSCOL(NS_NET, ps_ns_net)
NSCOL(NS_PID, ps_ns_pid)
NSCOL(NS_TIME, ps_ns_time)
NSCOL(NS_USER, ps_ns_user)
NSCOL(NS_UTS, ps_ns_uts)

static const struct column ps_cols[] = {
	{"PID", "pid", true, true, true, "process id", ps_pid},
	{"PPID", "ppid", true, true, true, "parent process id", ps_ppid},
	{"NSPID", "pid_in_ns", true, false, true, "pid inside its own pid namespace (status NSpid)", ps_nspid},
	{"PID@START", "pid_start", false, false, true, "pid and start time in ticks, for kill --pid", ps_pidstart},
	{"USER", "user", false, true, true, "owner of /proc/PID", ps_user},
	{"UID", "uid", true, false, true, "owner's uid", ps_uid},
	{"S", "state", false, true, true, "state letter (R, S, D, Z, T, ...)", ps_state},
	{"NLWP", "threads", true, false, true, "number of threads", ps_threads},
	{"NI", "nice", true, false, true, "nice value", ps_nice},
	{"CPU%", "cpu_percent", true, true, true, "CPU over the interval (lifetime average without one), 100 = one CPU", ps_cpu},
	{"TIME", "cpu_seconds", true, false, true, "CPU time used, seconds", ps_time},
	{"RSS", "rss_bytes", true, true, true, "resident memory", ps_rss},
	{"START", "start_ticks", true, false, true, "start time after boot, clock ticks", ps_start},
	{"KTHREAD", "kthread", false, false, true, "a kernel thread", ps_kthread},
	{"CGROUPNS", "cgroup_ns", true, false, true, "cgroup namespace inode", ps_ns_cgroup},
	{"IPCNS", "ipc_ns", true, false, true, "ipc namespace inode", ps_ns_ipc},
	{"MNTNS", "mnt_ns", true, true, true, "mount namespace inode", ps_ns_mnt},
	{"NETNS", "net_ns", true, true, true, "network namespace inode", ps_ns_net},
	{"PIDNS", "pid_ns", true, true, true, "pid namespace inode", ps_ns_pid},
	{"TIMENS", "time_ns", true, false, true, "time namespace inode", ps_ns_time},
	{"USERNS", "user_ns", true, false, true, "user namespace inode", ps_ns_user},
	{"UTSNS", "uts_ns", true, false, true, "uts namespace inode", ps_ns_uts},
	{"CGROUP", "cgroup", false, true, true, "cgroup (v2; on v1 the cpu hierarchy's)", ps_cgroup},
	{"CGROUP_MEM", "cgroup_memory", false, false, true, "cgroup of the memory controller", ps_cgroup_mem},
	{"CONTAINER", "container", false, false, false, "the container it belongs to (dashboard, snapshot)", ps_container},
	{"COMM", "comm", false, false, true, "command name (stat comm)", ps_comm},
	{"COMMAND", "command", false, true, true, "command line, else comm", ps_command},
};
const struct table table_ps = {"processes", ps_cols, ARRAY_LEN(ps_cols)};

/* ---- containers ---- */

static const struct cgroup *ctr_cg(const struct snap *s, const struct container *c)
{
	return c->cgroup ? snap_cgroup(s, c->cgroup) : NULL;
}
/* memory figures: nstop's containers on v1 may have their memory cgroup elsewhere */
static const struct cgroup *ctr_cg_mem(const struct snap *s, const struct container *c)
{
	const struct cgroup *g = c->cg_memory ? snap_cgroup(s, c->cg_memory) : NULL;
	return g ? g : ctr_cg(s, c);
}
static void ct_name(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	ct_name_of(s, r, c);
}
static void ct_runtime(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, runtime_name(r->rt));
}
static void ct_id(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->id);
	if (strlen(r->id) >= 32)
		c->slen = 12;
}
static void ct_fullid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->id);
}
static void ct_pod(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->pod);
}
static void ct_init(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->init_pid)
		set_u64(c, (uint64_t)r->init_pid);
}
static void ct_nprocs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_u64(c, r->nprocs);
}
#define CTCG(fn, cgfn)                                                          \
	static void fn(const struct snap *s, const void *row, struct cell *c)   \
	{                                                                       \
		ROW(struct container);                                          \
		const struct cgroup *g = ctr_cg(s, r);                          \
		if (g)                                                          \
			cgfn(s, g, c);                                          \
	}
CTCG(ct_cpu, cg_cpu)
CTCG(ct_cpu_limit, cg_cpu_limit)
#define CTCGM(fn, cgfn)                                                         \
	static void fn(const struct snap *s, const void *row, struct cell *c)   \
	{                                                                       \
		ROW(struct container);                                          \
		const struct cgroup *g = ctr_cg_mem(s, r);                      \
		if (g)                                                          \
			cgfn(s, g, c);                                          \
	}
CTCGM(ct_mem, cg_mem)
CTCGM(ct_mem_limit, cg_mem_limit)
CTCGM(ct_mem_pct, cg_mem_pct)
CTCG(ct_pids, cg_pids)
CTCG(ct_pids_limit, cg_pids_limit)
CTCG(ct_rbps, cg_io_rbps)
CTCG(ct_wbps, cg_io_wbps)
CTCG(ct_throttled, cg_throttled)
CTCGM(ct_oom, cg_oom)
static void ct_rx(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_dbl(c, r->net_rxps, 0);
}
static void ct_tx(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_dbl(c, r->net_txps, 0);
}
static void ct_state(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	const struct cgroup *g = ctr_cg(s, r);
	if (!r->nprocs || r->stopped)
		set_str(c, "stopped");
	else
		set_str(c, g && g->frozen == 1 ? "frozen" : "running");
}
static void ct_ns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	buf_reset(&c->tmp);
	for (int t = 0; t < NS_NTYPES; t++) {
		if (!(r->own_ns & (1u << t)))
			continue;
		if (c->tmp.len)
			buf_addc(&c->tmp, ',');
		buf_adds(&c->tmp, ns_type_name((enum ns_type)t));
	}
	if (r->init_pid)
		set_str(c, c->tmp.len ? c->tmp.p : "");
}
static void ct_notes(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	buf_reset(&c->tmp);
	if (r->init_pid && r->host_pidns && r->rt != RT_UNNAMED)
		buf_adds(&c->tmp, "host-pid");
	if (r->init_pid && r->host_net)
		buf_adds(&c->tmp, c->tmp.len ? ",host-net" : "host-net");
	if (r->privileged)
		buf_adds(&c->tmp, c->tmp.len ? ",privileged" : "privileged");
	set_str(c, c->tmp.len ? c->tmp.p : "");
}
static void ct_veth(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->veth);
}
static void ct_cgroups(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->cgroups_json) {
		c->type = CELL_JSON;
		c->s = r->cgroups_json;
		c->slen = strlen(r->cgroups_json);
	}
}
static void ct_cgroup(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->cgroup);
}
static void ct_pidns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	const struct proc *p = snap_proc(s, r->init_pid);
	if (p && p->ns[NS_PID])
		set_u64(c, p->ns[NS_PID]);
}

static const struct column ct_cols[] = {
	{"NAME", "name", false, true, true, "name: the runtime's, the pod's, else the init process's command", ct_name},
	{"RUNTIME", "runtime", false, true, true, "docker, podman, containerd, kubernetes, cri-o, lxc, nspawn, nstop or unnamed", ct_runtime},
	{"ID", "short_id", false, true, true, "id, 12 digits of a long hex one", ct_id},
	{"FULL_ID", "id", false, false, true, "full id or name", ct_fullid},
	{"POD", "pod", false, false, true, "Kubernetes namespace/pod, where known", ct_pod},
	{"INIT", "pid", true, true, true, "lowest pid among its processes", ct_init},
	{"PROCS", "nprocs", true, true, true, "processes in it", ct_nprocs},
	{"CPU%", "cpu_percent", true, true, true, "CPU over the interval, 100 = one CPU", ct_cpu},
	{"CPU_LIMIT%", "cpu_limit_percent", true, true, true, "its cgroup's CPU limit, percent of one CPU", ct_cpu_limit},
	{"MEM", "memory_bytes", true, true, true, "its cgroup's memory", ct_mem},
	{"MEM_LIMIT", "memory_limit_bytes", true, true, true, "its cgroup's memory limit", ct_mem_limit},
	{"MEM%", "memory_percent", true, true, true, "memory in percent of the limit", ct_mem_pct},
	{"PIDS", "pids", true, true, true, "tasks (pids.current)", ct_pids},
	{"PIDS_LIMIT", "pids_limit", true, false, true, "pids.max", ct_pids_limit},
	{"READ/s", "io_read_bps", true, true, true, "disk bytes read per second", ct_rbps},
	{"WRITE/s", "io_write_bps", true, true, true, "disk bytes written per second", ct_wbps},
	{"RX/s", "net_rx_bps", true, true, true, "network bytes received per second, all interfaces but lo (root)", ct_rx},
	{"TX/s", "net_tx_bps", true, true, true, "network bytes sent per second (root)", ct_tx},
	{"THROTTLED", "nr_throttled", true, false, true, "CFS periods throttled", ct_throttled},
	{"OOM", "oom_kills", true, false, true, "OOM kills in its cgroup", ct_oom},
	{"STATE", "state", false, true, true, "running, frozen or stopped", ct_state},
	{"OWN_NS", "own_namespaces", false, true, true, "namespaces of its own (not the host's)", ct_ns},
	{"NOTES", "notes", false, true, true, "host-pid, host-net (sharing the host's), privileged (nstop --privileged)", ct_notes},
	{"VETH", "veth", false, false, true, "nstop containers: the host side of their veth", ct_veth},
	{"CGROUPS", "cgroups", false, false, true, "nstop containers: each hierarchy's cgroup path, by controllers (JSON: an object)", ct_cgroups},
	{"PIDNS", "pid_ns", true, false, true, "pid namespace of its init", ct_pidns},
	{"CGROUP", "cgroup", false, false, true, "its cgroup (v2; on v1 as found in any hierarchy)", ct_cgroup},
};
const struct table table_containers = {"containers", ct_cols, ARRAY_LEN(ct_cols)};

const struct column *table_find(const struct table *t, const char *name, size_t n)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct column *c = &t->cols[i];
		if ((strlen(c->name) == n && !strncasecmp(c->name, name, n)) ||
		    (strlen(c->key) == n && !strncasecmp(c->key, name, n)))
			return c;
	}
	return NULL;
}
