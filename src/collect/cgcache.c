// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kept cgroup descriptors: a tree per mounted hierarchy mirroring the
 * cgroups a collector has read, each node holding its directory's fd and
 * the fds of the files read from it, so a refresh rereads a file with one
 * pread (a kernfs seq_file read at offset 0 is generated afresh) and lists
 * a directory with getdents, no open or close, only when its link count
 * says its subdirectories changed (see cgcache_kids). A node whose
 * directory is gone from its parent's listing, has another inode there, or
 * was not visited by a refresh is closed at once: a kept fd keeps a removed
 * cgroup's memory around. Descriptors are kept within a budget shared with
 * the process walk's kept stat fds; beyond it (and for good after EMFILE)
 * files are opened, read and closed per refresh as before.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect.h"

#define FD_NONE (-1)
#define FD_ABSENT (-2)          /* the file was not there: looked for again now and then */
#define ABSENT_RECHECK 32       /* refreshes between such looks (a v2 controller enabled later) */
#define CGC_READ_MAX (4u << 20)
#define RELIST_EVERY 8          /* refreshes between listings of an unchanged directory */
#define SEQ_PAGE 4096u          /* a seq_file's first buffer: what one read returns at most */
#define SEQ_RECORD_MAX 512u     /* longer than a line of any cgroup file read */

static const char *const cgf_names[CGF_N] = {
	[CGF_CPU_STAT] = "cpu.stat",
	[CGF_MEM_CURRENT] = "memory.current",
	[CGF_MEM_STAT] = "memory.stat",
	[CGF_SWAP_CURRENT] = "memory.swap.current",
	[CGF_IO_STAT] = "io.stat",
	[CGF_CPU_MAX] = "cpu.max",
	[CGF_MEM_MAX] = "memory.max",
	[CGF_MEM_HIGH] = "memory.high",
	[CGF_PIDS_MAX] = "pids.max",
	[CGF_PIDS_CURRENT] = "pids.current",
	[CGF_MEM_EVENTS] = "memory.events",
	[CGF_CPU_PRESSURE] = "cpu.pressure",
	[CGF_MEM_PRESSURE] = "memory.pressure",
	[CGF_IO_PRESSURE] = "io.pressure",
	[CGF_MEM_MIN] = "memory.min",
	[CGF_MEM_LOW] = "memory.low",
	[CGF_CPU_WEIGHT] = "cpu.weight",
	[CGF_CPUSET_EFF] = "cpuset.cpus.effective",
	[CGF_EVENTS] = "cgroup.events",
	[CGF_FREEZE] = "cgroup.freeze",
	[CGF_PROCS] = "cgroup.procs",
	[CGF_CPUACCT_USAGE] = "cpuacct.usage",
	[CGF_CFS_QUOTA] = "cpu.cfs_quota_us",
	[CGF_CFS_PERIOD] = "cpu.cfs_period_us",
	[CGF_V1_MEM_USAGE] = "memory.usage_in_bytes",
	[CGF_V1_MEM_LIMIT] = "memory.limit_in_bytes",
	[CGF_V1_MEMSW_USAGE] = "memory.memsw.usage_in_bytes",
	[CGF_V1_OOM_CONTROL] = "memory.oom_control",
	[CGF_V1_BLKIO_BYTES] = "blkio.throttle.io_service_bytes",
	[CGF_V1_CPUSET_EFF] = "cpuset.effective_cpus",
	[CGF_V1_FREEZER_STATE] = "freezer.state",
};

/* what getdents64 returns (struct dirent is libc's, not the kernel's) */
struct ldirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct cgnode {
	char *name;             /* as the kernel listed it (raw: never printed from here) */
	uint64_t ino;           /* 0: not known (found by path, not listed) */
	int dfd;                /* kept directory fd, FD_NONE when not kept */
	uint32_t seen;          /* refresh that last visited it */
	bool stale;             /* a kept fd read ENODEV: reopen after this refresh */
	bool fresh;             /* dfd just opened: at offset 0, no lseek before listing */
	bool listed;            /* kid[] is a listing of the directory (not only paths found) */
	bool relist;            /* a kid was gone or failed: list again next time */
	uint64_t nlink;         /* the directory's link count when listed: 2 + subdirectories */
	bool taken;
	struct cgnode **kid;
	uint32_t nkid, capkid;
	uint32_t last;           /* the kid a path lookup found last: paths come in order */
	int fd[CGF_N];
};

struct cgcache {
	struct cgnode *root[CG_MAX_MOUNTS];
	uint32_t gen;
	struct fdbudget *b;     /* shared with the collector's other kept fds */
	long kept;
	bool shed;              /* EMFILE seen: keep nothing from now on */
	unsigned needs;         /* CGN_* bits: what cgroup.c's walk reads */
	struct buf dents;
};

struct cgcache *cgcache_new(struct fdbudget *b)
{
	struct cgcache *c = xcalloc(1, sizeof(*c));
	c->b = b;
	c->gen = 1;
	c->needs = CGN_ALL;
	return c;
}

/* The figures the collector's cgroup walks read (enum cgneed): a listing
 * asks for its columns' and no more. Kept here, with the collector's other
 * cgroup state, so every walk of this collector reads the same. */
void cgcache_set_needs(struct cgcache *c, unsigned needs)
{
	c->needs = needs & CGN_ALL;
}

unsigned cgcache_needs(const struct cgcache *c)
{
	return c->needs;
}

long cgcache_kept(const struct cgcache *c)
{
	return c ? c->kept : 0;
}

static bool can_keep(const struct cgcache *c)
{
	return !c->shed && c->b && c->b->used < c->b->max;
}

static struct cgnode *node_new(const char *name, uint64_t ino)
{
	struct cgnode *n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->ino = ino;
	n->dfd = FD_NONE;
	for (int f = 0; f < CGF_N; f++)
		n->fd[f] = FD_NONE;
	return n;
}

static void drop_fd(struct cgcache *c, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		c->kept--;
		c->b->used--;
	}
	*fd = FD_NONE;
}

/* Its files' kept fds closed (absent ones stay known as absent). */
static void node_close_files(struct cgcache *c, struct cgnode *n)
{
	for (int f = 0; f < CGF_N; f++)
		if (n->fd[f] >= 0)
			drop_fd(c, &n->fd[f]);
}

static void node_free(struct cgcache *c, struct cgnode *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nkid; i++)
		node_free(c, n->kid[i]);
	free(n->kid);
	node_close_files(c, n);
	drop_fd(c, &n->dfd);
	free(n->name);
	free(n);
}

void cgcache_free(struct cgcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < CG_MAX_MOUNTS; i++)
		node_free(c, c->root[i]);
	buf_free(&c->dents);
	free(c);
}

static void close_files_all(struct cgcache *c, struct cgnode *n)
{
	if (!n)
		return;
	node_close_files(c, n);
	for (uint32_t i = 0; i < n->nkid; i++)
		close_files_all(c, n->kid[i]);
}

/* EMFILE: every kept file fd given back now (none is in use between
 * calls), the directories' at the end of the refresh (those are). */
static bool shed(struct cgcache *c)
{
	if (!c->kept)
		return false;
	c->shed = true;
	c->b->max = 0;
	for (int i = 0; i < CG_MAX_MOUNTS; i++)
		close_files_all(c, c->root[i]);
	return true;
}

/* O_NONBLOCK: a FIFO in a --sysroot would block the open; pread fails on it */
static int open_at(struct cgcache *c, int dfd, const char *name, int flags)
{
	int fd = openat(dfd, name, flags | O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == EMFILE && shed(c))
		fd = openat(dfd, name, flags | O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

void cgcache_begin(struct cgcache *c)
{
	c->gen++;
}

/* Nodes this refresh did not visit are closed and forgotten; stale ones
 * closed, to be opened afresh; after EMFILE no directory stays open. */
static void prune(struct cgcache *c, struct cgnode *n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->nkid; i++) {
		struct cgnode *ch = n->kid[i];
		if (ch->seen != c->gen) {
			node_free(c, ch);
			n->relist = true;
			continue;
		}
		if (ch->stale)
			n->relist = true;
		prune(c, ch);
		n->kid[k++] = ch;
	}
	n->nkid = k;
	if (n->stale || c->shed) {
		node_close_files(c, n);
		drop_fd(c, &n->dfd);
		n->stale = false;
	}
}

void cgcache_end(struct cgcache *c)
{
	for (int i = 0; i < CG_MAX_MOUNTS; i++)
		if (c->root[i])
			prune(c, c->root[i]);
}

/* The root node of hierarchy mi and its directory fd (*tmp: close it after use). */
int cgcache_root(struct cgcache *c, const struct sysroot *sr, int mi, struct cgnode **out, bool *tmp)
{
	*tmp = false;
	if (mi < 0 || mi >= sr->nmounts || mi >= CG_MAX_MOUNTS)
		return -ENOENT;
	if (!c->root[mi])
		c->root[mi] = node_new("", 0);
	struct cgnode *n = c->root[mi];
	n->seen = c->gen;
	*out = n;
	if (n->dfd >= 0)
		return n->dfd;
	int fd = open_at(c, sr->mounts[mi].fd, ".", O_DIRECTORY);
	if (fd < 0)
		return fd;
	n->fresh = true;
	if (can_keep(c)) {
		n->dfd = fd;
		c->kept++;
		c->b->used++;
	} else {
		*tmp = true;
	}
	return fd;
}

/* The kid's directory fd, opened beneath its parent's dfd when not kept. */
static int kid_open(struct cgcache *c, int pdfd, struct cgnode *k, bool *tmp)
{
	*tmp = false;
	if (k->dfd >= 0)
		return k->dfd;
	int fd = open_at(c, pdfd, k->name, O_DIRECTORY);
	if (fd < 0)
		return fd;
	k->fresh = true;
	if (can_keep(c)) {
		k->dfd = fd;
		c->kept++;
		c->b->used++;
	} else {
		*tmp = true;
	}
	return fd;
}

static int cmp_taken(struct cgnode *const *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!v[i]->taken && !strcmp(v[i]->name, name))
			return (int)i;
	return -1;
}

/*
 * n's subdirectories as listed now (dfd: n's directory), in the kernel's
 * order: known ones kept when their inode is the same, new ones added,
 * gone ones closed. Returns how many; (*out)[i] valid until the next call.
 * Every name but . and .. is a cgroup (".x" is one too).
 *
 * A listing generates every file's entry too (dozens per v1 memory
 * cgroup): it is made again only when the directory's link count (2 plus
 * its subdirectories, kernfs keeps it exact) changed, a kid was gone or
 * failed last time (a cgroup removed and another made in one interval),
 * and every RELIST_EVERY refreshes (a rename keeps the count), staggered.
 */
size_t cgcache_kids(struct cgcache *c, struct cgnode *n, int dfd, struct cgnode ***out)
{
	struct buf *d = &c->dents;
	buf_reset(d);
	struct stat st;
	if (fstat(dfd, &st) < 0)
		st.st_nlink = 0;
	/* (a file system whose directories count 1, as btrfs does, is listed every time) */
	if (n->listed && !n->relist && st.st_nlink >= 2 && (uint64_t)st.st_nlink == n->nlink &&
	    (c->gen + n->ino) % RELIST_EVERY) {
		*out = n->kid;
		return n->nkid;
	}
	n->nlink = (uint64_t)st.st_nlink;
	n->relist = false;
	n->listed = true;
	/* 2 links: no subdirectory (most cgroups are leaves), nothing to list */
	if (st.st_nlink == 2) {
		for (uint32_t i = 0; i < n->nkid; i++)
			node_free(c, n->kid[i]);
		n->nkid = 0;
		*out = n->kid;
		return 0;
	}
	if (!n->fresh && lseek(dfd, 0, SEEK_SET) < 0) {
		n->listed = false;
		*out = n->kid;
		return 0;
	}
	n->fresh = false;
	for (;;) {
		buf_grow(d, 32768);
		size_t room = d->cap - d->len - 1;
		long r = syscall(SYS_getdents64, dfd, d->p + d->len, room);
		if (r <= 0)
			break;
		d->len += (size_t)r;
		/* a directory read fills what it is given until its end: with
		 * room left for another entry of the longest name, that was it */
		if (d->len > CGC_READ_MAX || (size_t)r + sizeof(struct ldirent64) + 256 + 8 < room)
			break;
	}
	struct cgnode **nk = NULL;
	uint32_t nn = 0, cap = 0, hint = 0;
	for (size_t off = 0; off + offsetof(struct ldirent64, d_name) < d->len;) {
		struct ldirent64 *de = (struct ldirent64 *)(d->p + off);
		if (de->d_reclen == 0 || off + de->d_reclen > d->len)
			break;
		off += de->d_reclen;
		const char *nm = de->d_name;
		if (de->d_type != DT_DIR || !strcmp(nm, ".") || !strcmp(nm, ".."))
			continue;
		int at = -1;
		if (hint < n->nkid && !n->kid[hint]->taken && !strcmp(n->kid[hint]->name, nm))
			at = (int)hint;
		else
			at = cmp_taken(n->kid, n->nkid, nm);
		struct cgnode *k;
		if (at >= 0 && n->kid[at]->ino && n->kid[at]->ino != (uint64_t)de->d_ino)
			at = -1; /* removed and made again: another cgroup */
		if (at >= 0) {
			k = n->kid[at];
			k->ino = (uint64_t)de->d_ino;
			hint = (uint32_t)at + 1;
		} else {
			k = node_new(nm, (uint64_t)de->d_ino);
		}
		k->taken = true;
		if (nn == cap) {
			cap = cap ? cap * 2 : 8;
			nk = xreallocarray(nk, cap, sizeof(*nk));
		}
		nk[nn++] = k;
	}
	for (uint32_t i = 0; i < n->nkid; i++)
		if (!n->kid[i]->taken)
			node_free(c, n->kid[i]);
	for (uint32_t i = 0; i < nn; i++)
		nk[i]->taken = false;
	free(n->kid);
	n->kid = nk;
	n->nkid = nn;
	n->capkid = cap;
	*out = nk;
	return nn;
}

/* The directory fd of a listed kid (see cgcache_kids); marks it visited. */
int cgcache_kid_open(struct cgcache *c, int pdfd, struct cgnode *k, bool *tmp)
{
	k->seen = c->gen;
	int fd = kid_open(c, pdfd, k, tmp);
	if (fd < 0)
		k->stale = true; /* gone (or no fd): its parent is listed again */
	return fd;
}

const char *cgnode_name(const struct cgnode *n)
{
	return n->name;
}

/*
 * The node of rel (a path relative to hierarchy mi's mount, "." or "" for
 * its root), found or added one component at a time, each opened beneath
 * its parent (no "." or "..", no links, no slashes in a component: it
 * cannot leave the mount). Returns its dfd (*tmp: close it after use).
 */
int cgcache_path(struct cgcache *c, const struct sysroot *sr, int mi, const char *rel,
		 struct cgnode **out, bool *tmp)
{
	struct cgnode *n;
	int dfd = cgcache_root(c, sr, mi, &n, tmp);
	if (dfd < 0)
		return dfd;
	for (const char *p = rel; *p && strcmp(p, ".");) {
		const char *sl = strchr(p, '/');
		size_t len = sl ? (size_t)(sl - p) : strlen(p);
		char comp[256];
		if (len == 0 || len >= sizeof(comp) || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			if (*tmp)
				close(dfd);
			return -EINVAL;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		struct cgnode *k = NULL;
		for (uint32_t j = 0; j < n->nkid && !k; j++) {
			uint32_t i = (n->last + 1 + j) % n->nkid;
			if (!strcmp(n->kid[i]->name, comp)) {
				k = n->kid[i];
				n->last = i;
			}
		}
		if (!k) {
			k = node_new(comp, 0);
			if (n->nkid == n->capkid) {
				n->capkid = n->capkid ? n->capkid * 2 : 8;
				n->kid = xreallocarray(n->kid, n->capkid, sizeof(*n->kid));
			}
			n->kid[n->nkid++] = k;
		}
		k->seen = c->gen;
		bool ktmp;
		int kfd = kid_open(c, dfd, k, &ktmp);
		if (*tmp)
			close(dfd);
		if (kfd < 0)
			return kfd;
		n = k;
		dfd = kfd;
		*tmp = ktmp;
		p = sl ? sl + 1 : p + len;
	}
	*out = n;
	return dfd;
}

/* f's fd for a read: kept, or opened now (*tmp: close after). */
static int file_fd(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, bool *tmp)
{
	*tmp = false;
	int fd = n->fd[f];
	if (fd >= 0)
		return fd;
	if (fd == FD_ABSENT && c->gen % ABSENT_RECHECK)
		return -ENOENT;
	fd = open_at(c, dfd, cgf_names[f], 0);
	if (fd < 0) {
		n->fd[f] = fd == -ENOENT ? FD_ABSENT : FD_NONE;
		return fd;
	}
	n->fd[f] = FD_NONE;
	if (can_keep(c)) {
		n->fd[f] = fd;
		c->kept++;
		c->b->used++;
	} else {
		*tmp = true;
	}
	return fd;
}

static void read_failed(struct cgnode *n, enum cgf f, bool tmp, int fd, int err)
{
	if (tmp)
		close(fd);
	else if (err == -ENODEV || err == -ESTALE)
		n->stale = true; /* removed while kept open */
	(void)f;
}

/* Up to size-1 bytes of n's file f, NUL-terminated: the length or -errno. */
int cgcache_read(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, char *out, size_t size)
{
	bool tmp;
	int fd = file_fd(c, n, dfd, f, &tmp);
	if (fd < 0)
		return fd;
	ssize_t r;
	do
		r = pread(fd, out, size - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = -errno;
		read_failed(n, f, tmp, fd, e);
		return e;
	}
	if (tmp)
		close(fd);
	out[r] = '\0';
	return (int)r;
}

static int read_buf(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, struct buf *b,
		    bool fresh)
{
	buf_reset(b);
	bool tmp = true;
	int fd = fresh ? open_at(c, dfd, cgf_names[f], 0) : file_fd(c, n, dfd, f, &tmp);
	/* every cgroup has the files read fresh (cgroup.procs): the directory is gone */
	if (fresh && (fd == -ENOENT || fd == -ENODEV))
		n->stale = true;
	if (fd < 0)
		return fd;
	for (;;) {
		buf_grow(b, 4096);
		ssize_t r = pread(fd, b->p + b->len, b->cap - b->len - 1, (off_t)b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			read_failed(n, f, tmp, fd, e);
			b->len = 0;
			b->p[0] = '\0';
			return e;
		}
		if (r == 0)
			break;
		size_t want = b->cap - b->len - 1;
		b->len += (size_t)r;
		/* a seq_file read stops at the end, or where its own buffer (a
		 * page, more once a record did not fit) is full: a short read
		 * well below a page was the end, no second call to learn that
		 * (it would generate the file again); one near a page or more
		 * may not be (a cgroup.procs of more than ~800 processes) */
		if (((size_t)r < want && (size_t)r < SEQ_PAGE - SEQ_RECORD_MAX) || b->len > CGC_READ_MAX)
			break;
	}
	b->p[b->len] = '\0';
	if (tmp)
		close(fd);
	return (int)b->len;
}

/* n's whole file f (up to 4 MiB) into b: the length or -errno. */
int cgcache_read_buf(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, struct buf *b)
{
	return read_buf(c, n, dfd, f, b, false);
}

/* The same from a descriptor opened for this read alone. */
int cgcache_read_fresh(struct cgcache *c, struct cgnode *n, int dfd, enum cgf f, struct buf *b)
{
	return read_buf(c, n, dfd, f, b, true);
}
