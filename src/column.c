// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One column table per listing: header, JSON key, alignment, help and a
 * getter. The same table drives text, --json, -o and --list-columns (and the
 * dashboard's views), so a column exists in all of them or in none. Here the
 * namespaces and processes tables; the cgroups and containers tables are in
 * column_cg.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "column_cell.h"

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

/* A container's label: the runtime's name, the pod's, else its init's command. */
void column_ctr_name(const struct snap *s, const struct container *r, struct cell *c)
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
	column_ctr_name(s, k, c);
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
