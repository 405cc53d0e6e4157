// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Containers' names, images and pods, from the runtimes' own state on disk
 * (no daemon asked): Docker's config.v2.json, Podman's containers.json (root's
 * storage, named by its conmon; a rootless user's under their home),
 * containerd's task bundles (/run/containerd/io.containerd.runtime.v2.task/
 * NS/ID/config.json) and CRI-O's (.../overlay-containers/ID/userdata/
 * config.json), whose annotations name the container, its image and its
 * pod; /var/log/pods names a pod when nothing else does.
 *
 * The files are untrusted: root's are opened through directories nobody
 * else could change (rt_open), a user's only beneath that user's home,
 * without following a link and owned by that user; all are size-capped and
 * parsed by the pure parsers of parse_rt.c and logparse.c.
 *
 * They are cached by container, a container being its runtime, its id AND
 * its cgroup (anyone who may make cgroups may name one after another's id:
 * two rows of one id never share names): a refresh stats the file a
 * container's names came from and reads it again only when it changed
 * (inode, size, mtime), or when the container is new; a container whose
 * file was not found is tried again after RETRY_USEC.
 *
 * Whose files name a container depends on where its cgroup is: root's
 * runtimes (Docker, containerd, CRI-O, root Podman, /var/log/pods) name
 * only cgroups a user could not have made (outside a user@UID.service of
 * user.slice, and owned by root); a rootless Podman container's cgroup
 * beneath user@UID.service is named only by that uid's containers.json.
 * A containers.json (up to NAMES_FILE_MAX, one for every container of its
 * user) is parsed once per version (dev, inode, size, mtime) into an index
 * by id, not once per container, and a refresh reads at most
 * READ_BUDGET bytes of files; what is left waits for the next refresh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"

#define NAMES_FILE_MAX (4u << 20)
#define RETRY_USEC 5000000
#define READ_BUDGET (32u << 20)   /* bytes of files read by one refresh, at most */
#define CTRD_TASKS "/run/containerd/io.containerd.runtime.v2.task"
#define CTRD_NS_MAX 32

struct rtname {
	uint64_t key;
	enum runtime rt;
	char *id;
	char *cgroup;           /* the container's cgroup: part of the key */
	char *path;             /* the file the names came from; NULL: none found */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t tried_usec;    /* when a missing file was last looked for */
	char *name, *image, *pod, *pod_ns, *pod_uid;
	bool sandbox;
	bool user_cgroup;       /* a root runtime's id in a cgroup a user made */
	bool seen;              /* in this refresh */
};

/* One containers.json of Podman's, parsed: its entries by id. */
struct pent {
	char *id, *name, *image;
};
struct pfile {
	uint32_t uid;           /* the user whose home it is in; 0 root's */
	char *dir;              /* root's: the storage directory conmon names; NULL rootless */
	char *path;             /* where it was read from; NULL: not (yet) */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int err;                /* of this refresh's look: <0 not read */
	bool ok;                /* parsed: ents holds it */
	uint64_t gen;           /* the refresh that last looked at it */
	struct pent *ents;
	size_t n, cap;
	struct hmap idx;        /* hash of id -> index in ents (first of an id) */
};

struct namecache {
	struct rtname *e;
	size_t n, cap;
	struct hmap idx;        /* key -> index in e */
	uint64_t reads;         /* files read and parsed */
	struct pfile *pf;
	size_t npf;
	uint64_t gen;           /* refreshes */
};

struct namecache *namecache_new(void)
{
	return xcalloc(1, sizeof(struct namecache));
}

static void pfile_clear(struct pfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->ents[i].id);
		free(f->ents[i].name);
		free(f->ents[i].image);
	}
	free(f->ents);
	f->ents = NULL;
	f->n = f->cap = 0;
	hmap_free(&f->idx);
	memset(&f->idx, 0, sizeof(f->idx));
	f->ok = false;
}

static void ent_clear(struct rtname *e)
{
	free(e->path);
	free(e->name);
	free(e->image);
	free(e->pod);
	free(e->pod_ns);
	free(e->pod_uid);
	e->path = e->name = e->image = e->pod = e->pod_ns = e->pod_uid = NULL;
	e->sandbox = false;
}

void namecache_free(struct namecache *nc)
{
	if (!nc)
		return;
	for (size_t i = 0; i < nc->n; i++) {
		ent_clear(&nc->e[i]);
		free(nc->e[i].id);
		free(nc->e[i].cgroup);
	}
	free(nc->e);
	for (size_t i = 0; i < nc->npf; i++) {
		pfile_clear(&nc->pf[i]);
		free(nc->pf[i].dir);
		free(nc->pf[i].path);
	}
	free(nc->pf);
	hmap_free(&nc->idx);
	free(nc);
}

uint64_t namecache_reads(const struct namecache *nc)
{
	return nc ? nc->reads : 0;
}

static uint64_t ent_key(enum runtime rt, const char *id, const char *cgroup)
{
	uint64_t k = hash_bytes(id, strlen(id)) ^ ((uint64_t)rt * 0x9e3779b97f4a7c15ull);
	if (cgroup)
		k ^= hash_bytes(cgroup, strlen(cgroup)) * 0xff51afd7ed558ccdull;
	return k ? k : 1;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static char *dup_or_null(const char *s)
{
	return s && s[0] ? xstrdup(s) : NULL;
}

/* What one refresh looked up once: Docker's data roots, containerd's namespaces. */
struct rtctx {
	struct snap *s;
	struct sysroot *sr;
	struct namecache *nc;
	char (*roots)[PATH_MAX];
	size_t nroots;
	bool roots_looked;
	char (*ns)[256];
	size_t nns;
	bool ns_looked;
	struct buf b;
	size_t budget;                  /* bytes this refresh may still read */
	const struct pfile *same;       /* read_ident: not read again when it is this */
};

/*
 * The whole of fd, at most NAMES_FILE_MAX, into x->b; its identity into e.
 * 1 without reading when it is x->same's; -EAGAIN when this refresh's
 * budget of bytes is spent.
 */
static int read_ident(struct rtctx *x, int fd, struct rtname *e)
{
	struct buf *b = &x->b;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > (off_t)NAMES_FILE_MAX)
		return -EFBIG;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	const struct pfile *f = x->same;
	if (f && f->dev == st.st_dev && f->ino == st.st_ino && f->size == st.st_size &&
	    f->mtime.tv_sec == st.st_mtim.tv_sec && f->mtime.tv_nsec == st.st_mtim.tv_nsec)
		return 1;
	if ((size_t)st.st_size + 1 > x->budget)
		return -EAGAIN;
	x->budget -= (size_t)st.st_size + 1;
	return fd_read_capped(fd, b, NAMES_FILE_MAX);
}

/* A runtime's file of root's (rt_open's rules) read whole, its identity kept. */
static int root_read(struct rtctx *x, const char *abs, struct rtname *e)
{
	char why[200];
	int fd = rt_open(x->sr, abs, why, sizeof(why));
	if (fd < 0)
		return fd;
	int r = read_ident(x, fd, e);
	close(fd);
	return r;
}

/*
 * A file beneath uid's home, rel relative to it: every directory from the
 * sysroot down opened without following a link; the home and everything
 * beneath it owned by uid (or root) and writable by nobody else; the file a
 * regular one of uid's. abs gets the path, for the cache.
 */
static int user_read(struct rtctx *x, uint32_t uid, const char *rel, struct rtname *e, char *abs,
		     size_t asize)
{
	char home[PATH_MAX];
	if (x->sr->live) {
		struct passwd pw, *res = NULL;
		char tmp[4096];
		if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) != 0 || !res || !res->pw_dir ||
		    res->pw_dir[0] != '/' || strlen(res->pw_dir) >= sizeof(home) ||
		    str_path_has_dots(res->pw_dir))
			return -ENOENT;
		snprintf(home, sizeof(home), "%s", res->pw_dir);
	} else {
		struct buf pb = {0};
		int r = read_file_at(x->sr->root_fd, "etc/passwd", &pb) > 0
				? parse_passwd_home(pb.p, pb.len, uid, home, sizeof(home))
				: -ENOENT;
		buf_free(&pb);
		if (r < 0)
			return r;
	}
	if ((size_t)snprintf(abs, asize, "%s/%s", strcmp(home, "/") ? home : "", rel) >= asize)
		return -ENAMETOOLONG;
	char path[2 * PATH_MAX];
	snprintf(path, sizeof(path), "%s", abs);
	int dfd = dup(x->sr->root_fd);
	if (dfd < 0)
		return -errno;
	size_t hl = strlen(home);
	char *p = path;
	int r = 0;
	for (;;) {
		while (*p == '/')
			p++;
		char *sl = strchr(p, '/');
		bool last = !sl;
		if (sl)
			*sl = '\0';
		int fd = openat(dfd, p, last ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
					     : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (fd < 0)
			return -errno;
		struct stat st;
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		/* from the home down: uid's own (or root's), writable by no one else */
		bool beneath = (size_t)(p - path) + strlen(p) >= hl;
		if (beneath && ((st.st_uid != uid && st.st_uid != 0) || (st.st_mode & 022) ||
				(last && (!S_ISREG(st.st_mode) || st.st_uid != uid)))) {
			close(fd);
			return -EPERM;
		}
		if (last) {
			r = read_ident(x, fd, e);
			close(fd);
			return r;
		}
		dfd = fd;
		p = sl + 1;
	}
}

static void set_from_oci(struct rtname *e, const struct oci_names *o)
{
	e->name = dup_or_null(o->name);
	e->image = dup_or_null(o->image);
	e->pod = dup_or_null(o->pod);
	e->pod_ns = dup_or_null(o->pod_ns);
	e->pod_uid = dup_or_null(o->pod_uid);
	e->sandbox = o->sandbox;
}

static int from_bundle(struct rtctx *x, const char *abs, struct rtname *e)
{
	int r = root_read(x, abs, e);
	if (r < 0)
		return r;
	x->nc->reads++;
	struct oci_names *o = xmalloc(sizeof(*o));
	r = parse_oci_names(x->b.p, x->b.len, o);
	if (r == 0) {
		set_from_oci(e, o);
		e->path = xstrdup(abs);
	}
	free(o);
	return r;
}

/* containerd keeps a task's bundle under its namespace (k8s.io, default, moby...). */
static int from_containerd(struct rtctx *x, const char *id, struct rtname *e)
{
	if (!x->ns_looked) {
		x->ns_looked = true;
		x->ns = xcalloc(CTRD_NS_MAX, sizeof(*x->ns));
		int fd = openat(x->sr->root_fd, CTRD_TASKS + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d && fd >= 0)
			close(fd);
		struct dirent *de;
		while (d && (de = readdir(d)) && x->nns < CTRD_NS_MAX)
			if (de->d_name[0] != '.' && strlen(de->d_name) < 256)
				snprintf(x->ns[x->nns++], 256, "%s", de->d_name);
		if (d)
			closedir(d);
	}
	int r = -ENOENT;
	for (size_t i = 0; i < x->nns && r == -ENOENT; i++) {
		char abs[PATH_MAX];
		snprintf(abs, sizeof(abs), CTRD_TASKS "/%s/%s/config.json", x->ns[i], id);
		r = from_bundle(x, abs, e);
	}
	return r;
}

/* CRI-O's bundle: the userdata of the container in its storage's run root
 * (the graph root keeps a copy). */
static int from_crio(struct rtctx *x, const char *id, struct rtname *e)
{
	static const char *const roots[] = {"/run/containers/storage", "/var/lib/containers/storage"};
	int r = -ENOENT;
	for (size_t i = 0; i < ARRAY_LEN(roots) && r == -ENOENT; i++) {
		char abs[PATH_MAX];
		snprintf(abs, sizeof(abs), "%s/overlay-containers/%s/userdata/config.json", roots[i], id);
		r = from_bundle(x, abs, e);
	}
	return r;
}

static int from_docker(struct rtctx *x, const char *id, struct rtname *e)
{
	if (!x->roots_looked) {
		x->roots_looked = true;
		x->roots = xcalloc(DOCKER_ROOTS_MAX, PATH_MAX);
		x->nroots = docker_roots(x->sr, x->s, x->roots, DOCKER_ROOTS_MAX);
	}
	int r = -ENOENT;
	for (size_t i = 0; i < x->nroots && r == -ENOENT; i++) {
		char abs[PATH_MAX + 128];
		snprintf(abs, sizeof(abs), "%s/containers/%s/config.v2.json", x->roots[i], id);
		r = root_read(x, abs, e);
		if (r < 0)
			continue;
		x->nc->reads++;
		struct docker_cfg *cfg = xmalloc(sizeof(*cfg));
		r = parse_docker_config(x->b.p, x->b.len, cfg);
		if (r == 0) {
			e->name = dup_or_null(cfg->name);
			/* what was run (repository:tag), else the image's digest */
			e->image = dup_or_null(cfg->image[0] ? cfg->image : cfg->image_id);
			e->path = xstrdup(abs);
		}
		free(cfg);
	}
	return r;
}

/*
 * The uid of a rootless runtime's user: the cgroup lies in systemd's
 * /user.slice/user-UID.slice/user@UID.service/ (a user's delegated subtree
 * may hold any name below it, so only that prefix counts).
 */
static bool cgroup_user(const char *path, uint32_t *uid)
{
	static const char pre[] = "/user.slice/user-";
	if (!path || strncmp(path, pre, sizeof(pre) - 1))
		return false;
	const char *p = path + sizeof(pre) - 1, *q = p;
	uint64_t u = 0;
	while (*q >= '0' && *q <= '9' && q - p < 10)
		u = u * 10 + (uint64_t)(*q++ - '0');
	if (q == p || u >= UINT32_MAX)
		return false;
	char want[64];
	snprintf(want, sizeof(want), ".slice/user@%llu.service/", (unsigned long long)u);
	if (strncmp(q, want, strlen(want)))
		return false;
	*uid = (uint32_t)u;
	return true;
}

/*
 * Whether c's cgroup is one only root could have made, so root's runtimes
 * may name it: not in a user's systemd instance (user.slice/.../user@UID.
 * service, delegated to the user), and its directory, where it can be
 * opened, owned by root (a subtree delegated elsewhere is chowned).
 */
static bool root_cgroup(struct rtctx *x, const struct container *c)
{
	if (!c->cgroup)
		return true;
	uint32_t uid;
	/* user@0.service is root's own */
	if (!strncmp(c->cgroup, "/user.slice/", 12) && strstr(c->cgroup, "/user@") &&
	    !(cgroup_user(c->cgroup, &uid) && uid == 0))
		return false;
	int fd = cgx_open(x->sr, cgx_mount_for(x->sr, ""), c->cgroup);
	if (fd < 0)
		return true;
	struct stat st;
	bool root = fstat(fd, &st) == 0 && st.st_uid == 0;
	close(fd);
	return root;
}

static bool pfile_add(void *arg, const char *id, const char *name, const char *image)
{
	struct pfile *f = arg;
	uint64_t k = hash_bytes(id, strlen(id));
	if (hmap_get(&f->idx, k, NULL))
		return true; /* the first of an id (or of a hash) counts */
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->ents = xreallocarray(f->ents, f->cap, sizeof(*f->ents));
	}
	struct pent *p = &f->ents[f->n];
	p->id = xstrdup(id);
	p->name = dup_or_null(name);
	p->image = dup_or_null(image);
	hmap_put(&f->idx, k, (uint32_t)f->n++);
	return true;
}

/* The containers.json of uid (rootless) or of root's storage dir, looked
 * at once per refresh and parsed once per version. */
static struct pfile *podman_file(struct rtctx *x, uint32_t uid, const char *dir, struct rtname *e)
{
	struct namecache *nc = x->nc;
	struct pfile *f = NULL;
	for (size_t i = 0; i < nc->npf && !f; i++)
		if (nc->pf[i].uid == uid && same_str(nc->pf[i].dir, dir))
			f = &nc->pf[i];
	if (!f) {
		nc->pf = xreallocarray(nc->pf, nc->npf + 1, sizeof(*nc->pf));
		f = &nc->pf[nc->npf++];
		memset(f, 0, sizeof(*f));
		f->uid = uid;
		f->dir = dir ? xstrdup(dir) : NULL;
	}
	if (f->gen == nc->gen)
		return f;
	f->gen = nc->gen;
	char abs[2 * PATH_MAX];
	/* read before (parsed or not): not again while unchanged */
	x->same = f->path ? f : NULL;
	int r;
	if (dir) {
		snprintf(abs, sizeof(abs), "%s/containers.json", dir);
		r = root_read(x, abs, e);
	} else {
		/* rootless: the user's storage under their home (storage.conf's
		 * default graphroot) */
		r = user_read(x, uid, ".local/share/containers/storage/overlay-containers/containers.json", e,
			      abs, sizeof(abs));
	}
	x->same = NULL;
	f->err = r < 0 ? r : 0;
	if (r < 0) {
		pfile_clear(f);
		free(f->path);
		f->path = NULL;
		return f;
	}
	if (r == 1)
		return f; /* unchanged */
	pfile_clear(f);
	nc->reads++;
	f->dev = e->dev;
	f->ino = e->ino;
	f->size = e->size;
	f->mtime = e->mtime;
	free(f->path);
	f->path = xstrdup(abs);
	f->ok = parse_podman_each(x->b.p, x->b.len, pfile_add, f) == 0;
	return f;
}

/*
 * A rootless container (its cgroup beneath user@UID.service) is named by
 * that uid's containers.json only; root's by the one in the storage its
 * conmon names, and only where root made its cgroup. An id not in the file
 * is kept as found nowhere until the file changes.
 */
static int from_podman(struct rtctx *x, const struct container *c, struct rtname *e)
{
	uint32_t uid;
	struct pfile *f;
	if (cgroup_user(c->cgroup, &uid) && uid != 0) {
		f = podman_file(x, uid, NULL, e);
	} else {
		if (!root_cgroup(x, c)) {
			e->user_cgroup = true;
			return -EPERM;
		}
		struct buf argv = {0};
		struct conmon_args a;
		char dir[PATH_MAX], why[200];
		int r = podman_conmon(x->sr, x->s, c->id, c->init_pid, &argv, &a, dir, sizeof(dir), why,
				      sizeof(why));
		buf_free(&argv);
		if (r < 0)
			return r;
		f = podman_file(x, 0, dir, e);
	}
	if (f->err < 0)
		return f->err;
	if (!f->ok)
		return -EINVAL;
	e->dev = f->dev;
	e->ino = f->ino;
	e->size = f->size;
	e->mtime = f->mtime;
	e->path = xstrdup(f->path);
	uint32_t k;
	if (hmap_get(&f->idx, hash_bytes(c->id, strlen(c->id)), &k) && !strcmp(f->ents[k].id, c->id)) {
		e->name = dup_or_null(f->ents[k].name);
		e->image = dup_or_null(f->ents[k].image);
	}
	return 0;
}

/* Kubernetes keeps /var/log/pods/<namespace>_<pod>_<uid>. */
static int from_log_pods(struct rtctx *x, const char *uid, struct rtname *e)
{
	int fd = openat(x->sr->root_fd, "var/log/pods", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	DIR *d = fstat(fd, &st) == 0 ? fdopendir(fd) : NULL;
	if (!d) {
		close(fd);
		return -ENOENT;
	}
	x->nc->reads++;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	e->path = xstrdup("/var/log/pods");
	size_t ul = strlen(uid);
	struct dirent *de;
	while ((de = readdir(d)) && !e->pod) {
		size_t n = strlen(de->d_name);
		if (n <= ul + 2 || strcmp(de->d_name + n - ul, uid) || de->d_name[n - ul - 1] != '_')
			continue;
		const char *us = memchr(de->d_name, '_', n - ul - 1);
		if (!us || us == de->d_name)
			continue;
		e->pod_ns = xmemdup0(de->d_name, (size_t)(us - de->d_name));
		e->pod = xmemdup0(us + 1, (size_t)(n - ul - 1 - (size_t)(us + 1 - de->d_name)));
		e->pod_uid = xstrdup(uid);
	}
	closedir(d);
	return 0;
}

/* Looks a container's names up afresh into e; <0 when none were found
 * (-EAGAIN: this refresh's budget of reads is spent). */
static int lookup(struct rtctx *x, const struct container *c, struct rtname *e)
{
	ent_clear(e);
	e->user_cgroup = false;
	int r = -ENOENT;
	/* root's runtimes name only the cgroups root made (Podman sorts its
	 * own out); the entry's key holds the cgroup */
	if (c->rt != RT_PODMAN && !root_cgroup(x, c)) {
		e->user_cgroup = true;
		return -EPERM;
	}
	switch (c->rt) {
	case RT_DOCKER:
		r = from_docker(x, c->id, e);
		break;
	case RT_PODMAN:
		r = from_podman(x, c, e);
		break;
	case RT_CONTAINERD:
		r = from_containerd(x, c->id, e);
		break;
	case RT_CRIO:
		r = from_crio(x, c->id, e);
		break;
	case RT_K8S:
		r = from_containerd(x, c->id, e);
		if (r < 0)
			r = from_crio(x, c->id, e);
		/* a bundle that names no pod (or none at all): the kubelet's log directories */
		if ((r < 0 || !e->pod) && c->pod_uid) {
			ent_clear(e);
			r = from_log_pods(x, c->pod_uid, e);
		}
		break;
	default:
		break;
	}
	if (r < 0)
		ent_clear(e);
	return r;
}

/* Whether the file e's names came from is the one read then. */
static bool unchanged(struct rtctx *x, const struct rtname *e)
{
	struct stat st;
	return e->path && fstatat(x->sr->root_fd, e->path + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       st.st_dev == e->dev && st.st_ino == e->ino && st.st_size == e->size &&
	       st.st_mtim.tv_sec == e->mtime.tv_sec && st.st_mtim.tv_nsec == e->mtime.tv_nsec;
}

static const char *intern(struct snap *s, const char *v)
{
	return v ? strtab_intern(s->strs, v, strlen(v)) : NULL;
}

static void apply(struct snap *s, struct container *c, const struct rtname *e)
{
	/* a sandbox's own name (CRI-O's "POD") says less than its pod's */
	if (e->name && !e->sandbox)
		c->name = intern(s, e->name);
	if (e->image)
		c->image = intern(s, e->image);
	if (e->pod)
		c->pod_name = intern(s, e->pod);
	if (e->pod_ns)
		c->pod_ns = intern(s, e->pod_ns);
	if (e->pod_uid)
		c->pod_uid = intern(s, e->pod_uid);
	c->sandbox = e->sandbox;
	c->user_cgroup = e->user_cgroup;
	if (e->pod) {
		/* "namespace/pod", the pod's one label (metrics, grouping) */
		struct buf b = {0};
		buf_printf(&b, "%s/%s", e->pod_ns ? e->pod_ns : "", e->pod);
		c->pod = strtab_intern(s->strs, b.p, b.len);
		buf_free(&b);
	}
}

static bool wants_names(const struct container *c)
{
	return c->id && (c->rt == RT_DOCKER || c->rt == RT_PODMAN || c->rt == RT_CONTAINERD ||
			 c->rt == RT_CRIO || c->rt == RT_K8S);
}

/*
 * Names, images and pods of every container of s that a runtime keeps on
 * disk, from the cache where the file is unchanged. Entries of containers
 * gone since the last refresh are dropped.
 */
void rtnames_collect(struct snap *s, struct sysroot *sr, struct namecache *nc)
{
	struct rtctx x = {.s = s, .sr = sr, .nc = nc, .budget = READ_BUDGET};
	uint64_t now = mono_usec();
	nc->gen++;
	for (size_t i = 0; i < nc->n; i++)
		nc->e[i].seen = false;
	for (size_t i = 0; i < s->nctrs; i++) {
		struct container *c = &s->ctrs[i];
		if (!wants_names(c))
			continue;
		uint64_t key = ent_key(c->rt, c->id, c->cgroup);
		uint32_t k;
		struct rtname *e = NULL;
		if (hmap_get(&nc->idx, key, &k) && nc->e[k].rt == c->rt && !strcmp(nc->e[k].id, c->id) &&
		    same_str(nc->e[k].cgroup, c->cgroup)) {
			e = &nc->e[k];
			bool fresh = e->path ? unchanged(&x, e) : now - e->tried_usec < RETRY_USEC;
			if (!fresh)
				e->tried_usec = lookup(&x, c, e) == -EAGAIN ? 0 : now;
		} else if (!hmap_get(&nc->idx, key, NULL)) {
			if (nc->n == nc->cap) {
				nc->cap = nc->cap ? nc->cap * 2 : 32;
				nc->e = xreallocarray(nc->e, nc->cap, sizeof(*nc->e));
			}
			e = &nc->e[nc->n];
			memset(e, 0, sizeof(*e));
			e->key = key;
			e->rt = c->rt;
			e->id = xstrdup(c->id);
			e->cgroup = c->cgroup ? xstrdup(c->cgroup) : NULL;
			hmap_put(&nc->idx, key, (uint32_t)nc->n++);
			e->tried_usec = lookup(&x, c, e) == -EAGAIN ? 0 : now;
		} else {
			/* another container's key (a hash collision): read, not kept */
			struct rtname tmp = {0};
			lookup(&x, c, &tmp);
			apply(s, c, &tmp);
			ent_clear(&tmp);
			continue;
		}
		e->seen = true;
		apply(s, c, e);
	}
	/* drop the entries of containers gone */
	size_t w = 0;
	for (size_t i = 0; i < nc->n; i++) {
		if (nc->e[i].seen) {
			nc->e[w++] = nc->e[i];
		} else {
			ent_clear(&nc->e[i]);
			free(nc->e[i].id);
			free(nc->e[i].cgroup);
		}
	}
	if (w != nc->n) {
		nc->n = w;
		hmap_free(&nc->idx);
		memset(&nc->idx, 0, sizeof(nc->idx));
		for (size_t i = 0; i < nc->n; i++)
			hmap_put(&nc->idx, nc->e[i].key, (uint32_t)i);
	}
	/* and the containers.json files no container looked at */
	w = 0;
	for (size_t i = 0; i < nc->npf; i++) {
		if (nc->pf[i].gen == nc->gen) {
			nc->pf[w++] = nc->pf[i];
		} else {
			pfile_clear(&nc->pf[i]);
			free(nc->pf[i].dir);
			free(nc->pf[i].path);
		}
	}
	nc->npf = w;
	free(x.roots);
	free(x.ns);
	buf_free(&x.b);
}
