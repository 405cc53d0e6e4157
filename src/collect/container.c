// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Containers, as the kernel sees them: a cgroup whose path a runtime shaped
 * (docker-<id>.scope, kubepods/.../pod<uid>/<id>, libpod-<id>.scope,
 * lxc.payload.<name>, machine-<name>.scope, ...), matched on path components
 * anywhere in the path; and, for processes in no such cgroup, a pid
 * namespace other than the host's ("unnamed", e.g. unshare --fork --pid).
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

const char *runtime_name(enum runtime r)
{
	static const char *const names[] = {
		[RT_NONE] = "-", [RT_DOCKER] = "docker", [RT_PODMAN] = "podman",
		[RT_CONTAINERD] = "containerd", [RT_K8S] = "kubernetes", [RT_CRIO] = "cri-o",
		[RT_LXC] = "lxc", [RT_NSPAWN] = "nspawn", [RT_NSTOP] = "nstop",
		[RT_UNNAMED] = "unnamed",
	};
	return (unsigned)r < ARRAY_LEN(names) ? names[r] : "?";
}

static bool hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "<prefix><64 hex><suffix>" exactly; copies the id. */
static bool shaped(const char *c, size_t n, const char *prefix, const char *suffix, char *id)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	if (n != pl + 64 + sl || memcmp(c, prefix, pl) || memcmp(c + pl + 64, suffix, sl) ||
	    !hex64(c + pl, 64))
		return false;
	memcpy(id, c + pl, 64);
	id[64] = '\0';
	return true;
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '/')
			return false;
	return true;
}

/*
 * Walks the components; the first (outermost) one that a runtime shaped is
 * the container, so a cgroup nested inside a container (systemd inside LXC,
 * say) stays part of it.
 */
bool container_match(const char *path, struct cg_match *m)
{
	memset(m, 0, sizeof(*m));
	const char *p = path;
	const char *prev = NULL;
	size_t prev_len = 0;
	bool kube = false;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - c);
		size_t end = (size_t)(p - path);
		char *id = m->id;
		if (n >= 8 && !memcmp(c, "kubepods", 8))
			kube = true;
		/* kubepods-burstable-pod<uid>.slice (systemd) or pod<uid> (cgroupfs) */
		if (kube) {
			const char *pod = NULL;
			size_t pl = 0;
			const char *q = c;
			/* "pod" at the start or after a '-' (not the one in "kubepods") */
			while ((q = memmem(q, (size_t)(c + n - q), "pod", 3)) && q != c && q[-1] != '-')
				q += 3;
			if (q) {
				pod = q + 3;
				pl = (size_t)(c + n - pod);
				if (pl > 6 && !memcmp(pod + pl - 6, ".slice", 6))
					pl -= 6;
				if (pl >= 32 && pl < sizeof(m->pod_uid)) {
					memcpy(m->pod_uid, pod, pl);
					m->pod_uid[pl] = '\0';
					for (char *u = m->pod_uid; *u; u++)
						if (*u == '_')
							*u = '-';
				}
			}
		}
		enum runtime rt = RT_NONE;
		if (shaped(c, n, "docker-", ".scope", id))
			rt = kube ? RT_K8S : RT_DOCKER;
		else if (shaped(c, n, "cri-containerd-", ".scope", id) || shaped(c, n, "nerdctl-", ".scope", id))
			rt = kube ? RT_K8S : RT_CONTAINERD;
		else if (shaped(c, n, "crio-", ".scope", id) || shaped(c, n, "crio-", "", id))
			rt = kube ? RT_K8S : RT_CRIO;
		else if (shaped(c, n, "libpod-", ".scope", id) || shaped(c, n, "libpod-", "", id))
			rt = RT_PODMAN;
		else if (hex64(c, n) && prev && prev_len == 6 && !memcmp(prev, "docker", 6)) {
			memcpy(id, c, 64), id[64] = '\0';
			rt = RT_DOCKER;
		} else if (hex64(c, n) && kube && m->pod_uid[0]) {
			memcpy(id, c, 64), id[64] = '\0';
			rt = RT_K8S;
		} else if (n > 12 && !memcmp(c, "lxc.payload.", 12) && name_ok(c + 12, n - 12)) {
			memcpy(id, c + 12, n - 12), id[n - 12] = '\0';
			rt = RT_LXC;
		} else if (prev && ((prev_len == 11 && !memcmp(prev, "lxc.payload", 11)) ||
				    (prev_len == 3 && !memcmp(prev, "lxc", 3))) && name_ok(c, n)) {
			memcpy(id, c, n), id[n] = '\0';
			rt = RT_LXC;
		} else if (n > 14 && !memcmp(c, "machine-", 8) && !memcmp(c + n - 6, ".scope", 6) &&
			   name_ok(c + 8, n - 14)) {
			char tmp[72];
			memcpy(tmp, c + 8, n - 14), tmp[n - 14] = '\0';
			char *d = str_unescape_systemd(tmp);
			snprintf(id, sizeof(m->id), "%s", d);
			free(d);
			rt = RT_NSPAWN;
		} else if (n == 7 && !memcmp(c, "payload", 7) && prev && prev_len > 23 &&
			   !memcmp(prev, "systemd-nspawn@", 15) && !memcmp(prev + prev_len - 8, ".service", 8) &&
			   name_ok(prev + 15, prev_len - 23)) {
			/* systemd-nspawn@NAME.service (--keep-unit): the container
			 * is its payload, nspawn itself the supervisor beside it */
			char tmp[72];
			size_t tl = prev_len - 23 < sizeof(tmp) ? prev_len - 23 : sizeof(tmp) - 1;
			memcpy(tmp, prev + 15, tl), tmp[tl] = '\0';
			char *d = str_unescape_systemd(tmp);
			snprintf(id, sizeof(m->id), "%s", d);
			free(d);
			rt = RT_NSPAWN;
		} else if (prev && prev_len == 5 && !memcmp(prev, "nstop", 5) && name_ok(c, n)) {
			memcpy(id, c, n), id[n] = '\0';
			rt = RT_NSTOP;
		}
		if (rt != RT_NONE) {
			m->rt = rt;
			m->end = end;
			return true;
		}
		prev = c;
		prev_len = n;
	}
	m->pod_uid[0] = '\0';
	return false;
}

static uint32_t ctr_walk_up(struct snap *s, struct hmap *byp, const char *path);

static uint32_t ctr_for_path(struct snap *s, struct hmap *byp, struct hmap *memo, const char *path)
{
	/* paths are interned: each distinct one is walked once */
	uint32_t got;
	if (hmap_get(memo, (uint64_t)(uintptr_t)path, &got))
		return got - 1;
	got = ctr_walk_up(s, byp, path);
	hmap_put(memo, (uint64_t)(uintptr_t)path, got + 1);
	return got;
}

static uint32_t ctr_walk_up(struct snap *s, struct hmap *byp, const char *path)
{
	/* walk up the path: the nearest container cgroup holds it */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (;;) {
		const char *ip = strtab_find(s->strs, tmp);
		uint32_t k;
		if (ip && hmap_get(byp, (uint64_t)(uintptr_t)ip, &k))
			return k + 1;
		char *sl = strrchr(tmp, '/');
		if (!sl || sl == tmp)
			return 0;
		*sl = '\0';
	}
}

/*
 * A second path of a container already listed: the row's cgroup is the one
 * with CPU figures (the controller-less unified tree of a hybrid host has
 * none), and the memory figures come from the path that has them.
 */
static void ctr_merge_path(struct snap *s, struct container *c, const struct cgroup *g)
{
	const struct cgroup *cur = snap_cgroup(s, c->cgroup);
	if (g->cpu_usage_usec != VAL_NA && (!cur || cur->cpu_usage_usec == VAL_NA)) {
		if (cur && cur->mem_current != VAL_NA && g->mem_current == VAL_NA && !c->cg_memory)
			c->cg_memory = c->cgroup;
		c->cgroup = g->path;
		cur = g;
	}
	if (g != cur && g->mem_current != VAL_NA && (!cur || cur->mem_current == VAL_NA))
		c->cg_memory = g->path;
}

static struct container *ctr_add(struct snap *s, size_t *cap)
{
	if (s->nctrs == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		s->ctrs = xreallocarray(s->ctrs, *cap, sizeof(*s->ctrs));
	}
	struct container *c = &s->ctrs[s->nctrs++];
	memset(c, 0, sizeof(*c));
	return c;
}

/*
 * nstop's own containers, from its registry: named, flagged, and matched to
 * processes through their cgroup in every hierarchy (with a relative
 * --cgroup-parent these differ on v1 and hybrid hosts). One whose init died
 * or whose pid was reused is stopped.
 */
struct reg_ctx {
	struct snap *s;
	struct sysroot *sr;
	struct hmap *byp;
	size_t *cap;
};

static void registry_one(const char *name, const struct jv *st, void *arg)
{
	struct reg_ctx *x = arg;
	struct snap *s = x->s;
	const char *cg = jv_str(st, "cgroup");
	const char *icg = cg ? strtab_find(s->strs, cg) : NULL;
	uint32_t k;
	if (!icg || !hmap_get(x->byp, (uint64_t)(uintptr_t)icg, &k)) {
		ctr_add(s, x->cap);
		k = (uint32_t)(s->nctrs - 1);
		if (cg) {
			s->ctrs[k].cgroup = strtab_intern(s->strs, cg, strlen(cg));
			hmap_put(x->byp, (uint64_t)(uintptr_t)s->ctrs[k].cgroup, k);
		}
	}
	struct container *c = &s->ctrs[k];
	c->rt = RT_NSTOP;
	c->registered = true;
	const char *id = jv_str(st, "id");
	c->id = strtab_intern(s->strs, id ? id : name, strlen(id ? id : name));
	c->name = strtab_intern(s->strs, name, strlen(name));
	const struct jv *pv = jv_get(st, "privileged");
	c->privileged = pv && pv->type == JV_BOOL && pv->b;
	const char *veth = jv_str(st, "veth");
	if (veth)
		c->veth = strtab_intern(s->strs, veth, strlen(veth));
	double pid = 0, start = 0;
	uint64_t now;
	c->stopped = !jv_num(st, "pid", &pid) || !jv_num(st, "start", &start) ||
		     sysroot_pid_start(x->sr, (pid_t)pid, &now) < 0 || now != (uint64_t)start;
	registry_ports(s, x->sr, st, c);
	const struct jv *cgs = jv_get(st, "cgroups");
	struct buf b = {0};
	struct json j;
	json_init(&j, &b, false);
	json_obj_begin(&j, NULL);
	for (size_t m = 0; cgs && cgs->type == JV_OBJ && m < cgs->n; m++) {
		const struct jv *p = &cgs->kids[m];
		if (p->type != JV_STR)
			continue;
		json_str(&j, cgs->keys[m], p->s);
		const char *ip = strtab_intern(s->strs, p->s, strlen(p->s));
		if (!strcmp(cgs->keys[m], "memory"))
			c->cg_memory = ip;
		if (!hmap_get(x->byp, (uint64_t)(uintptr_t)ip, NULL))
			hmap_put(x->byp, (uint64_t)(uintptr_t)ip, k);
	}
	json_obj_end(&j);
	c->cgroups_json = strtab_intern(s->strs, b.p, b.len);
	buf_free(&b);
}

static void registry(struct snap *s, struct sysroot *sr, struct hmap *byp, size_t *cap)
{
	struct reg_ctx x = {s, sr, byp, cap};
	state_each(registry_one, &x);
}

/*
 * Which runtime-shaped paths are one container: those a single process's
 * cgroup set holds together (its path in one hierarchy and in another), a
 * union-find over interned paths. The same id is not enough: anyone who may
 * make cgroups (a delegated subtree) can make a docker-<id>.scope of a real
 * container's id elsewhere, and an action on their process would then
 * reach the real one.
 */
struct spans {
	struct hmap idx;        /* interned path -> index */
	const char **path;
	uint32_t *up;
	size_t n, cap;
};

static uint32_t span_id(struct spans *u, const char *p)
{
	uint32_t k;
	if (hmap_get(&u->idx, (uint64_t)(uintptr_t)p, &k))
		return k;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->path = xreallocarray(u->path, u->cap, sizeof(*u->path));
		u->up = xreallocarray(u->up, u->cap, sizeof(*u->up));
	}
	u->path[u->n] = p;
	u->up[u->n] = (uint32_t)u->n;
	hmap_put(&u->idx, (uint64_t)(uintptr_t)p, (uint32_t)u->n);
	return (uint32_t)u->n++;
}

static uint32_t span_root(struct spans *u, uint32_t k)
{
	while (u->up[k] != k)
		k = u->up[k] = u->up[u->up[k]];
	return k;
}

/* Processes come in runs that share one cgroup set (interned): true for the
 * first process of each run, kernel threads skipped. */
struct cgrun {
	const struct proc_cg *cg1;
	const char *cg2;
	bool any;
};

static bool new_cgset(const struct proc *p, struct cgrun *r)
{
	if (p->kthread || (r->any && p->cg1 == r->cg1 && p->cg2 == r->cg2))
		return false;
	*r = (struct cgrun){p->cg1, p->cg2, true};
	return true;
}

/* container_match once per interned path of a refresh: thousands of
 * processes share a few hundred paths, and matching is string work */
struct match_memo {
	struct hmap idx;        /* interned path -> index in m, or NO_MATCH */
	struct cg_match *m;
	uint32_t *span;         /* the span of the match's container prefix */
	size_t n, cap;
};
#define NO_MATCH UINT32_MAX

static const struct cg_match *memo_match(struct match_memo *mm, struct spans *u, struct snap *s,
					 const char *path, uint32_t *span)
{
	uint32_t k;
	if (!hmap_get(&mm->idx, (uint64_t)(uintptr_t)path, &k)) {
		struct cg_match m;
		k = NO_MATCH;
		if (container_match(path, &m)) {
			if (mm->n == mm->cap) {
				mm->cap = mm->cap ? mm->cap * 2 : 64;
				mm->m = xreallocarray(mm->m, mm->cap, sizeof(*mm->m));
				mm->span = xreallocarray(mm->span, mm->cap, sizeof(*mm->span));
			}
			mm->m[mm->n] = m;
			mm->span[mm->n] = span_id(u, strtab_intern(s->strs, path, m.end));
			k = (uint32_t)mm->n++;
		}
		hmap_put(&mm->idx, (uint64_t)(uintptr_t)path, k);
	}
	if (k == NO_MATCH)
		return NULL;
	*span = mm->span[k];
	return &mm->m[k];
}

static void spans_build(struct spans *u, struct snap *s)
{
	struct cgrun run = {0};
	struct match_memo mm = {0};
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (!new_cgset(p, &run))
			continue;
		uint32_t first = 0;
		const struct cg_match *fm = NULL;
		for (int j = -1; j < p->ncg1; j++) {
			const char *path = j < 0 ? p->cg2 : p->cg1[j].path;
			uint32_t k;
			const struct cg_match *m = path ? memo_match(&mm, u, s, path, &k) : NULL;
			if (!m)
				continue;
			if (!fm) {
				first = k, fm = m;
			} else if (m->rt == fm->rt && !strcmp(m->id, fm->id)) {
				uint32_t a = span_root(u, first), b = span_root(u, k);
				u->up[a > b ? a : b] = a > b ? b : a;
			}
		}
	}
	hmap_free(&mm.idx);
	free(mm.m);
	free(mm.span);
}

static void spans_free(struct spans *u)
{
	hmap_free(&u->idx);
	free(u->path);
	free(u->up);
}

/*
 * Containers that share a network namespace (a Kubernetes pod's, a
 * --network container:X): the interfaces, and so the traffic, are the
 * namespace's, so one row counts them: the pod's sandbox, which holds the
 * namespace, else the container with the lowest init pid. The host's
 * namespace is nobody's to count.
 */
static uint64_t ctr_netns(const struct snap *s, const struct container *c)
{
	const struct proc *init = snap_proc(s, c->init_pid);
	return init && !c->host_net ? init->ns[NS_NET] : 0;
}

static void netns_share(struct snap *s)
{
	struct hmap by = {0};       /* netns -> holder's index */
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct container *c = &s->ctrs[i];
		uint64_t ns = ctr_netns(s, c);
		uint32_t k;
		if (!ns)
			continue;
		if (!hmap_get(&by, ns, &k)) {
			hmap_put(&by, ns, (uint32_t)i);
			continue;
		}
		const struct container *h = &s->ctrs[k];
		if ((c->sandbox && !h->sandbox) || (c->sandbox == h->sandbox && c->init_pid < h->init_pid))
			hmap_put(&by, ns, (uint32_t)i);
	}
	uint32_t *peers = xcalloc(s->nctrs + 1, sizeof(*peers));
	for (size_t i = 0; i < s->nctrs; i++) {
		uint32_t k;
		uint64_t ns = ctr_netns(s, &s->ctrs[i]);
		if (ns && hmap_get(&by, ns, &k)) {
			s->ctrs[i].netns_holder = k + 1;
			peers[k]++;
		}
	}
	for (size_t i = 0; i < s->nctrs; i++)
		if (s->ctrs[i].netns_holder)
			s->ctrs[i].netns_peers = peers[s->ctrs[i].netns_holder - 1];
	free(peers);
	hmap_free(&by);
}

void container_collect(struct snap *s, struct sysroot *sr, struct namecache *nc)
{
	size_t cap = 0;
	struct hmap byp = {0};
	struct hmap byspan = {0};
	struct spans spans = {0};
	spans_build(&spans, s);
	/* cgroup-shaped containers */
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cg_match m;
		const char *path = s->cgs[i].path;
		if (!container_match(path, &m) || m.end != strlen(path))
			continue;
		const char *id = strtab_intern(s->strs, m.id, strlen(m.id));
		uint32_t k, sk = 0;
		bool spanned = hmap_get(&spans.idx, (uint64_t)(uintptr_t)path, &sk);
		if (spanned)
			sk = span_root(&spans, sk);
		if (spanned && hmap_get(&byspan, (uint64_t)sk + 1, &k) && s->ctrs[k].rt == m.rt && s->ctrs[k].id == id) {
			/* one container, other paths in other hierarchies (a
			 * relative cgroup parent on a hybrid host, a memory
			 * hierarchy rooted elsewhere): one row */
			ctr_merge_path(s, &s->ctrs[k], &s->cgs[i]);
			hmap_put(&byp, (uint64_t)(uintptr_t)path, k);
			continue;
		}
		if (spanned)
			hmap_put(&byspan, (uint64_t)sk + 1, (uint32_t)s->nctrs);
		struct container *c = ctr_add(s, &cap);
		c->rt = m.rt;
		c->cgroup = path;
		c->id = id;
		if (m.pod_uid[0])
			c->pod_uid = strtab_intern(s->strs, m.pod_uid, strlen(m.pod_uid));
		hmap_put(&byp, (uint64_t)(uintptr_t)path, (uint32_t)(s->nctrs - 1));
	}
	if (sr->live)
		registry(s, sr, &byp, &cap);
	s->proc_ctr = xcalloc(s->nprocs + 1, sizeof(*s->proc_ctr));
	struct hmap bypidns = {0}, memo = {0};
	/* processes come in runs that share one cgroup set: match it once;
	 * and one pid namespace, looked up once */
	const struct proc_cg *last_cg1 = NULL;
	const char *last_cg2 = NULL;
	uint32_t last_k = 0, last_nsk = 0;
	uint64_t last_pidns = 0;
	bool have_last = false;
	/* per container: its init's row so far (pids change rows, not the
	 * other way round: no search per process) */
	const struct proc **inits = NULL;
	size_t ninits = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (p->kthread)
			continue;
		uint32_t k = 0;
		if (have_last && p->cg1 == last_cg1 && p->cg2 == last_cg2) {
			k = last_k;
		} else {
			if (p->cg2 && (s->layout == CG_V2 || s->layout == CG_HYBRID))
				k = ctr_for_path(s, &byp, &memo, p->cg2);
			for (int j = 0; !k && j < p->ncg1; j++)
				k = ctr_for_path(s, &byp, &memo, p->cg1[j].path);
			last_cg1 = p->cg1;
			last_cg2 = p->cg2;
			last_k = k;
			have_last = true;
		}
		if (!k && p->ns[NS_PID] && s->host_ns[NS_PID] && p->ns[NS_PID] != s->host_ns[NS_PID]) {
			/* a pid namespace of its own and no runtime's cgroup */
			if (p->ns[NS_PID] == last_pidns)
				k = last_nsk;
			else if (!hmap_get(&bypidns, p->ns[NS_PID], &k)) {
				struct container *c = ctr_add(s, &cap);
				c->rt = RT_UNNAMED;
				c->pidns = p->ns[NS_PID];
				char id[24];
				snprintf(id, sizeof(id), "pidns:%llu", (unsigned long long)c->pidns);
				c->id = strtab_intern(s->strs, id, strlen(id));
				k = (uint32_t)s->nctrs;
				hmap_put(&bypidns, p->ns[NS_PID], k);
			}
			last_pidns = p->ns[NS_PID];
			last_nsk = k;
		}
		s->proc_ctr[i] = k;
		if (!k)
			continue;
		struct container *c = &s->ctrs[k - 1];
		c->nprocs++;
		if (ninits < s->nctrs) {
			inits = xreallocarray(inits, s->nctrs, sizeof(*inits));
			for (; ninits < s->nctrs; ninits++)
				inits[ninits] = snap_proc(s, s->ctrs[ninits].init_pid);
		}
		/* its init: the first started in a pid namespace other than
		 * the host's (a runtime's shim or unshare parent may sit beside
		 * it); not the lowest pid: pids wrap (at 32768 by default), and
		 * a child started after the wrap then passed for the init */
		bool own = p->ns[NS_PID] && p->ns[NS_PID] != s->host_ns[NS_PID];
		const struct proc *cur = inits[k - 1];
		bool cur_own = cur && cur->ns[NS_PID] && cur->ns[NS_PID] != s->host_ns[NS_PID];
		bool first = cur && (p->start_ticks < cur->start_ticks ||
				     (p->start_ticks == cur->start_ticks && p->pid < cur->pid));
		if (!cur || (own && !cur_own) || (own == cur_own && first)) {
			c->init_pid = p->pid;
			inits[k - 1] = p;
		}
	}
	free(inits);
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		const struct proc *init = snap_proc(s, c->init_pid);
		if (!init)
			continue;
		for (int t = 0; t < NS_NTYPES; t++)
			if (init->ns[t] && s->host_ns[t] && init->ns[t] != s->host_ns[t])
				c->own_ns |= 1u << t;
		c->host_pidns = !(c->own_ns & (1u << NS_PID));
		c->host_net = !(c->own_ns & (1u << NS_NET));
	}
	/* names, images, pods: from the runtimes' files (rtnames.c) */
	struct namecache *own = nc ? NULL : namecache_new();
	rtnames_collect(s, sr, nc ? nc : own);
	namecache_free(own);
	netns_share(s);
	hmap_free(&byp);
	hmap_free(&byspan);
	spans_free(&spans);
	hmap_free(&bypidns);
	hmap_free(&memo);
}

static void add_path(const struct snap *s, struct hmap *added, const char ***v, size_t *n,
		     size_t *cap, const char *path, size_t len)
{
	const char *ip = strtab_intern(s->strs, path, len);
	if (hmap_get(added, (uint64_t)(uintptr_t)ip, NULL))
		return;
	hmap_put(added, (uint64_t)(uintptr_t)ip, 1);
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = ip;
}

struct paths_ctx {
	const struct snap *s;
	struct hmap *added;
	const char ***v;
	size_t *n, *cap;
};

/* Every cgroup a registry entry names: its own and one per hierarchy. */
static void registry_paths(const char *name, const struct jv *st, void *arg)
{
	(void)name;
	struct paths_ctx *x = arg;
	const char *cg = jv_str(st, "cgroup");
	if (cg)
		add_path(x->s, x->added, x->v, x->n, x->cap, cg, strlen(cg));
	const struct jv *cgs = jv_get(st, "cgroups");
	for (size_t m = 0; cgs && cgs->type == JV_OBJ && m < cgs->n; m++)
		if (cgs->kids[m].type == JV_STR)
			add_path(x->s, x->added, x->v, x->n, x->cap, cgs->kids[m].s, strlen(cgs->kids[m].s));
}

/*
 * The cgroups the containers view needs, found without walking the cgroup
 * trees: every runtime-shaped cgroup holding a process, and every cgroup of
 * nstop's registry. Each process's paths are looked at once per distinct set.
 */
size_t container_cgroups(const struct snap *s, const char ***out)
{
	struct hmap seen = {0}, added = {0};
	const char **v = NULL;
	size_t n = 0, cap = 0;
	struct cgrun run = {0};
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (!new_cgset(p, &run))
			continue;
		for (int j = -1; j < p->ncg1; j++) {
			const char *path = j < 0 ? p->cg2 : p->cg1[j].path;
			if (!path || hmap_get(&seen, (uint64_t)(uintptr_t)path, NULL))
				continue;
			hmap_put(&seen, (uint64_t)(uintptr_t)path, 1);
			struct cg_match m;
			if (container_match(path, &m))
				add_path(s, &added, &v, &n, &cap, path, m.end);
		}
	}
	if (s->live) {
		struct paths_ctx x = {s, &added, &v, &n, &cap};
		state_each(registry_paths, &x);
	}
	hmap_free(&seen);
	hmap_free(&added);
	*out = v;
	return n;
}

const struct container *proc_container(const struct snap *s, const struct proc *p)
{
	if (!s->proc_ctr)
		return NULL;
	size_t i = (size_t)(p - s->procs);
	if (i >= s->nprocs || !s->proc_ctr[i])
		return NULL;
	return &s->ctrs[s->proc_ctr[i] - 1];
}
