// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Namespaces grouped by inode, as lsns(8) of util-linux 2.38 defines them:
 * every namespace reachable from a process, with its process count and its
 * lowest pid. The owning user namespace and the parent come from nsfs ioctls
 * (ioctl_ns(2)), opened once per namespace on its lowest pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "collect.h"

/*
 * What the nsfs ioctls said about a namespace, kept by the collector so a
 * refresh asks only about namespaces it has not seen. An entry holds while
 * the namespace's first process is the same one (pid and start time: an
 * inode number is reused once its namespace is gone) and is dropped when a
 * refresh no longer reaches the namespace.
 */
struct nsrel {
	uint64_t ino, owner, parent;
	int type;
	int netnsid;            /* -1 unassigned (asked again), -2 unknown */
	bool has_uid;
	uid_t owner_uid;
	pid_t pid;              /* the first process it was read through, 0 ghosts */
	uint64_t start;
	uint32_t gen;           /* refresh that last reached it */
};
struct nscache {
	struct hmap idx;        /* ino -> index into v */
	struct nsrel *v;
	size_t n, cap;
	uint32_t gen;
};

struct nscache *nscache_new(void)
{
	return xcalloc(1, sizeof(struct nscache));
}

void nscache_free(struct nscache *c)
{
	if (!c)
		return;
	hmap_free(&c->idx);
	free(c->v);
	free(c);
}

static struct nsrel *rel_get(struct nscache *c, uint64_t ino)
{
	uint32_t k;
	if (!c || !hmap_get(&c->idx, ino, &k) || c->v[k].ino != ino)
		return NULL;
	c->v[k].gen = c->gen;
	return &c->v[k];
}

static struct nsrel *rel_put(struct nscache *c, uint64_t ino)
{
	if (!c || !ino)
		return NULL;
	struct nsrel *r = rel_get(c, ino);
	if (!r) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
		}
		r = &c->v[c->n];
		hmap_put(&c->idx, ino, (uint32_t)c->n++);
	}
	memset(r, 0, sizeof(*r));
	r->ino = ino;
	r->netnsid = -2;
	r->gen = c->gen;
	return r;
}

/* Drops what the last refresh did not reach. */
static void rel_prune(struct nscache *c)
{
	if (!c)
		return;
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].gen == c->gen)
			c->v[k++] = c->v[i];
	if (k == c->n)
		return;
	c->n = k;
	hmap_free(&c->idx);
	for (size_t i = 0; i < c->n; i++)
		hmap_put(&c->idx, c->v[i].ino, (uint32_t)i);
}

static uint64_t fd_ino(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* ioctl returning a new namespace fd: its inode, and the fd when wanted. */
static uint64_t ioctl_ino(int fd, unsigned long req, int *keep)
{
	int nfd = ioctl(fd, req);
	if (nfd < 0)
		return 0;
	uint64_t ino = fd_ino(nfd);
	if (keep)
		*keep = nfd;
	else
		close(nfd);
	return ino;
}

static int clone_flag_type(int flag)
{
	switch (flag) {
	case CLONE_NEWCGROUP: return NS_CGROUP;
	case CLONE_NEWIPC: return NS_IPC;
	case CLONE_NEWNS: return NS_MNT;
	case CLONE_NEWNET: return NS_NET;
	case CLONE_NEWPID: return NS_PID;
	case CLONE_NEWUSER: return NS_USER;
	case CLONE_NEWUTS: return NS_UTS;
#ifdef CLONE_NEWTIME
	case CLONE_NEWTIME: return NS_TIME;
#endif
	default: return -1;
	}
}

static struct nsinfo *ns_add(struct snap *s, size_t *cap, struct hmap *idx, uint64_t ino)
{
	if (s->nns == *cap) {
		*cap *= 2;
		s->ns = xreallocarray(s->ns, *cap, sizeof(*s->ns));
	}
	struct nsinfo *n = &s->ns[s->nns];
	memset(n, 0, sizeof(*n));
	n->ino = ino;
	hmap_put(idx, ino, (uint32_t)s->nns++);
	return n;
}

/* Fills owner and parent of the namespace behind fd; returns their fds. */
static void relations(struct nsinfo *n, int fd, int *owner_fd, int *parent_fd)
{
	n->owner_ino = ioctl_ino(fd, NS_GET_USERNS, owner_fd);
	if (n->type == NS_PID || n->type == NS_USER)
		n->parent_ino = ioctl_ino(fd, NS_GET_PARENT, parent_fd);
}

/*
 * A namespace with no process in it (an intermediate user namespace, say) is
 * still reachable as the owner or parent of one that has: lsns shows such
 * "ghosts" in its trees, and so do we. Depth is bounded by the kernel (32).
 */
static void add_ghost(struct snap *s, size_t *cap, struct hmap *idx, struct nscache *nc, int fd,
		      int depth)
{
	uint64_t ino = fd_ino(fd);
	if (!ino || hmap_get(idx, ino, NULL) || depth > 40)
		return;
	int t = clone_flag_type(ioctl(fd, NS_GET_NSTYPE));
	if (t < 0)
		return;
	struct nsinfo *n = ns_add(s, cap, idx, ino);
	n->type = (enum ns_type)t;
	n->ghost = true;
	n->netnsid = -2;
	struct nsrel *r = rel_put(nc, ino);
	if (t == NS_USER) {
		uid_t uid;
		if (ioctl(fd, NS_GET_OWNER_UID, &uid) == 0) {
			n->owner_uid = uid;
			if (r) {
				r->has_uid = true;
				r->owner_uid = uid;
			}
		}
	}
	int ofd = -1, pfd = -1;
	relations(n, fd, &ofd, &pfd);
	if (r) {
		r->type = t;
		r->owner = n->owner_ino;
		r->parent = n->parent_ino;
	}
	if (ofd >= 0) {
		add_ghost(s, cap, idx, nc, ofd, depth + 1);
		close(ofd);
	}
	if (pfd >= 0) {
		add_ghost(s, cap, idx, nc, pfd, depth + 1);
		close(pfd);
	}
}

/*
 * The ghost behind ino from the cache alone; false when some namespace on
 * the way is not in it (the caller then asks the kernel).
 */
static bool ghost_cached(struct snap *s, size_t *cap, struct hmap *idx, struct nscache *nc,
			 uint64_t ino, int depth)
{
	if (!ino || hmap_get(idx, ino, NULL) || depth > 40)
		return true;
	struct nsrel *r = rel_get(nc, ino);
	if (!r || (r->type == NS_USER && !r->has_uid))
		return false;
	struct nsinfo *n = ns_add(s, cap, idx, ino);
	n->type = (enum ns_type)r->type;
	n->ghost = true;
	n->netnsid = -2;
	n->owner_uid = r->owner_uid;
	n->owner_ino = r->owner;
	n->parent_ino = r->parent;
	uint64_t o = r->owner, p = r->parent; /* r may move as ghosts are added */
	return ghost_cached(s, cap, idx, nc, o, depth + 1) &&
	       ghost_cached(s, cap, idx, nc, p, depth + 1);
}

/*
 * The id the network subsystem gives a netns, as seen from ours (lsns'
 * NETNSID): RTM_GETNSID with the namespace's fd, see rtnetlink(7).
 */
static int get_netnsid(int nlfd, int nsfd)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];
		struct rtattr rta;
		int32_t fd;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETNSID;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.rtgen_family = AF_UNSPEC;
	req.rta.rta_type = NETNSA_FD;
	req.rta.rta_len = RTA_LENGTH(sizeof(int32_t));
	req.fd = nsfd;
	if (send(nlfd, &req, sizeof(req), 0) < 0)
		return -2;
	char resp[512];
	ssize_t n = recv(nlfd, resp, sizeof(resp), 0);
	if (n < (ssize_t)NLMSG_HDRLEN)
		return -2;
	struct nlmsghdr *nh = (struct nlmsghdr *)resp;
	if (!NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type != RTM_NEWNSID)
		return -2;
	int len = (int)NLMSG_PAYLOAD(nh, sizeof(struct rtgenmsg));
	struct rtattr *rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NETNSA_NSID && RTA_PAYLOAD(rta) >= sizeof(int32_t)) {
			int32_t id;
			memcpy(&id, RTA_DATA(rta), sizeof(id));
			return id < 0 ? -1 : id;
		}
	}
	return -2;
}

struct nsfs_ctx {
	struct snap *s;
	struct hmap *idx;
};

/* nsfs bind mounts (ip netns add) name a namespace by its root "net:[ino]". */
static void on_nsfs_mount(void *arg, const struct mountinfo_ent *m)
{
	struct nsfs_ctx *x = arg;
	if (strcmp(m->fstype, "nsfs"))
		return;
	const char *br = strchr(m->root, '[');
	uint64_t ino;
	if (!br || parse_ns_link(m->root, strlen(m->root), "net", &ino) < 0)
		return;
	uint32_t k;
	if (!hmap_get(x->idx, ino, &k))
		return;
	struct nsinfo *n = &x->s->ns[k];
	struct buf b = {0};
	if (n->nsfs) {
		/* lsns lists each mount point once */
		size_t ml = strlen(m->mnt_point);
		for (const char *p = n->nsfs; p;) {
			const char *e = strchr(p, '\n');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l == ml && !memcmp(p, m->mnt_point, l))
				return;
			p = e ? e + 1 : NULL;
		}
		buf_adds(&b, n->nsfs);
		buf_addc(&b, '\n');
	}
	buf_adds(&b, m->mnt_point);
	n->nsfs = strtab_intern(x->s->strs, b.p, b.len);
	buf_free(&b);
}

static int cmp_ino(const void *a, const void *b)
{
	const struct nsinfo *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

void ns_collect(struct snap *s, struct sysroot *sr, struct nscache *nc)
{
	struct hmap idx = {0};
	size_t cap = 64;
	s->ns = xcalloc(cap, sizeof(*s->ns));
	/* a process is mostly in the namespaces of the one before (a
	 * container's processes have neighbouring pids): those need no lookup */
	uint64_t last_ino[NS_NTYPES] = {0};
	uint32_t last_k[NS_NTYPES] = {0};
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		for (int t = 0; t < NS_NTYPES; t++) {
			uint64_t ino = p->ns[t];
			if (!ino)
				continue;
			uint32_t k;
			struct nsinfo *n;
			if (ino == last_ino[t]) {
				n = &s->ns[last_k[t]];
			} else if (hmap_get(&idx, ino, &k)) {
				n = &s->ns[k];
			} else {
				n = ns_add(s, &cap, &idx, ino);
				n->type = (enum ns_type)t;
				n->pid = p->pid;
			}
			last_ino[t] = ino;
			last_k[t] = (uint32_t)(n - s->ns);
			n->nprocs++;
			if (p->pid < n->pid)
				n->pid = p->pid;
		}
	}

	for (size_t i = 0; i < s->nns; i++)
		s->ns[i].netnsid = -2;
	if (nc)
		nc->gen++;
	/* Fixture trees hold plain symlinks, not nsfs files: relations are live only. */
	size_t nreal = s->nns;
	int nlfd = -1;
	for (size_t i = 0; sr->live && i < nreal; i++) {
		struct nsinfo *n = &s->ns[i];
		const struct proc *rep = snap_proc(s, n->pid);
		struct nsrel *r = rel_get(nc, n->ino);
		if (r && (r->type != (int)n->type || !rep || r->pid != rep->pid ||
			  r->start != rep->start_ticks))
			r = NULL; /* another namespace under a reused number, or another first process */
		/* an unassigned netns id is asked for again every 8th refresh */
		if (r && (n->type != NS_NET || r->netnsid >= 0 || nc->gen % 8)) {
			n->owner_ino = r->owner;
			n->parent_ino = r->parent;
			n->netnsid = r->netnsid;
			uint64_t o = r->owner, p = r->parent;
			if (ghost_cached(s, &cap, &idx, nc, o, 0) && ghost_cached(s, &cap, &idx, nc, p, 0))
				continue;
		}
		char path[64];
		snprintf(path, sizeof(path), "%d/ns/%s", (int)n->pid, ns_type_name(n->type));
		int fd = openat(sr->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* the pid may have been reused since the walk: same inode or nothing */
		if (fd_ino(fd) == s->ns[i].ino) {
			int ofd = -1, pfd = -1;
			if (s->ns[i].type == NS_NET) {
				if (nlfd < 0)
					nlfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
				if (nlfd >= 0)
					s->ns[i].netnsid = get_netnsid(nlfd, fd);
			}
			relations(&s->ns[i], fd, &ofd, &pfd);
			uint64_t oino = s->ns[i].owner_ino, pino = s->ns[i].parent_ino;
			r = rel_put(nc, s->ns[i].ino);
			if (r) {
				r->type = (int)s->ns[i].type;
				r->owner = oino;
				r->parent = pino;
				r->netnsid = s->ns[i].netnsid;
				r->pid = rep ? rep->pid : 0;
				r->start = rep ? rep->start_ticks : 0;
				if (s->ns[i].type == NS_USER) {
					uid_t uid;
					r->has_uid = ioctl(fd, NS_GET_OWNER_UID, &uid) == 0;
					r->owner_uid = r->has_uid ? uid : 0;
				}
			}
			if (ofd >= 0) {
				if (!hmap_get(&idx, oino, NULL))
					add_ghost(s, &cap, &idx, nc, ofd, 0);
				close(ofd);
			}
			if (pfd >= 0) {
				if (!hmap_get(&idx, pino, NULL))
					add_ghost(s, &cap, &idx, nc, pfd, 0);
				close(pfd);
			}
		}
		close(fd);
	}
	rel_prune(nc);
	if (nlfd >= 0)
		close(nlfd);
	hmap_free(&idx);
	qsort(s->ns, s->nns, sizeof(*s->ns), cmp_ino);
	for (size_t i = 0; i < s->nns; i++)
		hmap_put(&s->ns_idx, s->ns[i].ino, (uint32_t)i);
	if (sr->live) {
		struct buf b = {0};
		struct nsfs_ctx x = {s, &s->ns_idx};
		if (read_file_at(sr->proc_fd, "self/mountinfo", &b) > 0)
			parse_mountinfo(b.p, b.len, on_nsfs_mount, &x);
		buf_free(&b);
	}
}
