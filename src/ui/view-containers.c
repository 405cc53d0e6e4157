// SPDX-License-Identifier: GPL-2.0-or-later
/* The containers view: one row per container; Enter lists its processes. */
#include <stdio.h>
#include <string.h>

#include "ui.h"

static size_t count(const struct snap *s)
{
	return s->nctrs;
}

static const void *row(const struct snap *s, size_t i)
{
	return &s->ctrs[i];
}

static const struct cgroup *ctr_cgroup(const struct snap *s, const struct container *k)
{
	return snap_ctr_cgroup(s, k);
}

static bool in_container(const struct drill *d, const struct snap *s, const void *row)
{
	const struct container *k = proc_container(s, row);
	return k && !strcmp(k->id, d->key);
}

/* T: grouped by pod, each pod's containers under its sandbox (the pause
 * container that holds the pod's namespaces); interned strings and the rows
 * themselves are distinct addresses, so the ids never collide */
static uint64_t tree_id(const void *row)
{
	const struct container *k = row;
	return k->sandbox && k->pod_uid ? (uint64_t)(uintptr_t)k->pod_uid : (uint64_t)(uintptr_t)k;
}

static uint64_t tree_up(const void *row)
{
	const struct container *k = row;
	return !k->sandbox && k->pod_uid ? (uint64_t)(uintptr_t)k->pod_uid : 0;
}

static int drill(const void *row, struct drill *d)
{
	const struct container *k = row;
	d->match = in_container;
	snprintf(d->key, sizeof(d->key), "%s", k->id);
	snprintf(d->label, sizeof(d->label), "container %.64s", k->id);
	return V_PROCS;
}

static void detail(const struct snap *s, const void *row, const struct cgroup **g,
		   const struct proc **p)
{
	const struct container *k = row;
	*g = ctr_cgroup(s, k);
	*p = snap_proc(s, k->init_pid);
}

static const struct cgroup *detail_mem(const struct snap *s, const void *row)
{
	return snap_ctr_cgroup_mem(s, row);
}

/* nstop's own: the ports it publishes */
static const char *detail_line(const void *row, struct buf *b)
{
	const struct container *k = row;
	if (!k->ports)
		return NULL;
	buf_reset(b);
	buf_adds(b, "ports ");
	str_escape(b, k->ports, strlen(k->ports), ESC_TEXT);
	return buf_str(b);
}

static bool frozen(const struct snap *s, const void *row)
{
	return snap_ctr_frozen(s, row) == 1;
}

static void select_row(const void *row, int key, struct ui_sel *sel)
{
	(void)key;
	const struct container *k = row;
	const char *nm = k->name ? k->name : k->id;
	struct buf b = {0};
	str_escape(&b, nm, strlen(nm), ESC_TEXT);
	if (k->rt == RT_UNNAMED) {
		snprintf(sel->label, sizeof(sel->label), "%s", buf_str(&b));
	} else {
		sel->kind = SEL_CONTAINER;
		snprintf(sel->word, sizeof(sel->word), "%s", k->id);
		if (k->registered && k->name)
			snprintf(sel->name, sizeof(sel->name), "%s", k->name);
		snprintf(sel->label, sizeof(sel->label), "container %.180s", buf_str(&b));
	}
	buf_free(&b);
}

/* a shell in a frozen container would hang until it is thawed */
static bool refuse(const struct snap *s, const void *row, int key, char *msg, size_t n)
{
	const struct container *k = row;
	if (k->dead[0] && key != 'c') {
		snprintf(msg, n, "%c: the container has ended (%s): it is listed for a while only (x hides it)", key,
			 k->dead);
		return true;
	}
	if (key != 'e' || !frozen(s, row))
		return false;
	snprintf(msg, n, "e: the container is frozen: a shell in it would hang; thaw it first (f)");
	return true;
}

/* no container on the host: what nstop looks for, and where to go instead */
static void empty(const struct snap *s, char *msg, size_t n)
{
	(void)s;
	snprintf(msg, n, "No containers found.\n"
		 "nstop recognises Docker, Podman, containerd, Kubernetes, CRI-O, LXC and systemd-nspawn "
		 "containers by their cgroups, its own (nstop create), and unnamed sandboxes "
		 "(a process with a pid namespace of its own).\n"
		 "c creates one; 3 shows every cgroup, 4 every process.");
}

/* x, in any view: the containers view's exited containers shown or not */
bool on_dead_toggle(struct ui *u, int ch)
{
	(void)ch;
	struct viewstate *vs = &u->vs[V_CONTAINERS];
	vs->hide_dead = !vs->hide_dead;
	snprintf(u->status, sizeof(u->status), vs->hide_dead ? "exited containers hidden (x shows them)"
			 : "exited containers shown, dimmed (x hides them)");
	return true;
}

/* x: exited containers shown or not */
static bool hidden(const struct viewstate *vs, const struct snap *s, const void *row)
{
	(void)s;
	const struct container *k = row;
	return vs->hide_dead && k->dead[0];
}

static bool dead(const void *row)
{
	return ((const struct container *)row)->dead[0] != '\0';
}

const struct view_ops view_containers = {
	.name = "Containers",
	.table = &table_containers,
	.cols = {"NAME", "RUNTIME", "ID", "IMAGE", "INIT", "PROCS", "CPU%", "CPU_LIMIT%", "MEM", "MEM_LIMIT",
		 "MEM%", "WSET", "WSET%", "PIDS", "READ/s", "WRITE/s", "RX/s", "TX/s", "STATE", "OWN_NS"},
	.prio = {"NAME", "CPU%", "MEM", "MEM_LIMIT", "RUNTIME", "CPU_LIMIT%", "PROCS", "STATE", "MEM%", "PIDS",
		 "ID", "IMAGE"},
	.sort = "CPU%",
	.count = count,
	.row = row,
	.tree_id = tree_id,
	.tree_up = tree_up,
	.tree_on = "grouped by pod: each pod's containers under its sandbox",
	.tree_off = "list",
	.drill = drill,
	.detail = detail,
	.frozen = frozen,
	.detail_mem = detail_mem,
	.detail_line = detail_line,
	.select = select_row,
	.refuse = refuse,
	.empty = empty,
	.hidden = hidden,
	.dead = dead,
};
