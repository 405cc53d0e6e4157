// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create: a container made with nothing but the kernel. The parent
 * checks every input, makes the state directory and the cgroups (limits in
 * place), clones the child into new pid, mnt, uts, ipc and net namespaces,
 * moves it into the cgroups and gives it a veth, then lets it go. The child
 * sets up its hostname, network and filesystem, drops privileges and
 * becomes the container's init. Whatever fails undoes everything begun.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "../collect/collect.h"
#include "act.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define MOUNT_ATTR_RDONLY_ 0x00000001
#define MOUNT_ATTR_NOSUID_ 0x00000002
#define MOUNT_ATTR_NODEV_ 0x00000004
#define AT_RECURSIVE_ 0x8000
#define OPEN_TREE_CLONE_ 1
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH_ 0x00000040
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_IN_ROOT_ 0x10

struct mount_attr_ {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
struct open_how_ {
	uint64_t flags, mode, resolve;
};
struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};

/* Test hook: NSTOP_FAIL_AT=STEP makes that step fail, to prove the undo. */
static bool fail_at(const char *step)
{
	const char *f = getenv("NSTOP_FAIL_AT");
	return f && !strcmp(f, step);
}

/* ---- the cgroups ---- */

static const char *const ctr_ctrls[] = {"cpu", "cpuacct", "memory", "pids", "freezer", "devices"};

/* What create made, to undo it in reverse. */
struct made {
	char *dirs[CG_MAX_MOUNTS * 8];
	int dir_mi[CG_MAX_MOUNTS * 8];
	int ndirs;
	bool state;
	char veth[16];
	pid_t pid;
	int pidfd;
};

/* mkdir of path (a hierarchy path) through the mount's fd; *made when new. */
static int cg_mkdir(const struct sysroot *sr, int mi, const char *path, bool *made)
{
	const struct cg_mount *m = &sr->mounts[mi];
	const char *rel = cgx_rel(m, path);
	*made = false;
	if (!rel)
		return -EINVAL;
	if (!strcmp(rel, "."))
		return 0;
	if (mkdirat(m->fd, rel, 0755) == 0) {
		*made = true;
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}

static int enable_ctrls(const struct sysroot *sr, int mi, const char *path, struct nerr *e)
{
	int dfd = cgx_open(sr, mi, path);
	if (dfd < 0)
		return 0;
	char avail[256], sub[256];
	int r = 0;
	if (cgx_read(dfd, "cgroup.controllers", avail, sizeof(avail)) >= 0 &&
	    cgx_read(dfd, "cgroup.subtree_control", sub, sizeof(sub)) >= 0) {
		static const char *const want[] = {"cpu", "memory", "pids", "io"};
		for (size_t i = 0; i < ARRAY_LEN(want) && !r; i++) {
			char w[16];
			snprintf(w, sizeof(w), " %s ", want[i]);
			char a2[260], s2[260];
			snprintf(a2, sizeof(a2), " %s ", avail);
			snprintf(s2, sizeof(s2), " %s ", sub);
			if (!strstr(a2, w) || strstr(s2, w))
				continue;
			char add[16];
			snprintf(add, sizeof(add), "+%s", want[i]);
			r = cgx_write(dfd, "cgroup.subtree_control", add);
			if (r == -EBUSY || r == -EOPNOTSUPP)
				nerr_set(e, r, "cgroup %s holds processes, so it cannot hand the %s controller to a child (the no-internal-process rule): choose a --cgroup-parent without processes",
					 path, want[i]);
			else if (r < 0)
				nerr_set(e, r, "cgroup %s: enabling %s: %s", path, want[i], strerror(-r));
		}
	}
	close(dfd);
	return r;
}

/* Makes PARENT/NAME in each hierarchy a container needs; fills t. */
static int make_cgroups(struct sysroot *sr, const struct create_opts *o, struct act_target *t,
			struct made *mk, struct nerr *e)
{
	struct act_target self = {0};
	act_pid_cgroups(sr, getpid(), &self);
	bool use[CG_MAX_MOUNTS] = {0};
	for (size_t i = 0; i < ARRAY_LEN(ctr_ctrls); i++) {
		int mi = cgx_mount_for(sr, ctr_ctrls[i]);
		if (mi >= 0)
			use[mi] = true;
	}
	int v2 = cgx_mount_for(sr, "");
	if (v2 >= 0)
		use[v2] = true; /* hybrid: the unified tree's cgroup.kill and cgroup.freeze */
	int r = 0;
	for (int mi = 0; mi < sr->nmounts && !r; mi++) {
		if (!use[mi])
			continue;
		struct buf base = {0};
		if (o->cgroup_parent[0] == '/') {
			buf_adds(&base, o->cgroup_parent);
		} else {
			buf_adds(&base, self.paths[mi] ? self.paths[mi] : sr->mounts[mi].root);
			buf_addc(&base, '/');
			buf_adds(&base, o->cgroup_parent);
		}
		/* each level of the parent, top down, then NAME; on v2 each level
		 * hands the controllers down, where missing (its own parent first) */
		bool hand_down = sr->mounts[mi].version == 2 && sr->layout == CG_V2;
		if (hand_down)
			r = enable_ctrls(sr, mi, sr->mounts[mi].root, e);
		struct buf path = {0};
		for (const char *p = buf_str(&base); !r;) {
			while (*p == '/')
				p++;
			if (!*p)
				break;
			const char *c = p;
			while (*p && *p != '/')
				p++;
			buf_addc(&path, '/');
			buf_add(&path, c, (size_t)(p - c));
			bool made;
			r = cg_mkdir(sr, mi, buf_str(&path), &made);
			if (r < 0) {
				nerr_set(e, r, "cgroup %s (%s): %s", buf_str(&path), cgx_mount_key(sr, mi),
					 strerror(-r));
				break;
			}
			if (made) {
				mk->dirs[mk->ndirs] = xstrdup(buf_str(&path));
				mk->dir_mi[mk->ndirs++] = mi;
			}
			if (hand_down)
				r = enable_ctrls(sr, mi, buf_str(&path), e);
		}
		if (!r) {
			buf_addc(&path, '/');
			buf_adds(&path, o->name);
			bool made;
			r = cg_mkdir(sr, mi, buf_str(&path), &made);
			if (!r && !made)
				r = -EEXIST;
			if (r < 0) {
				nerr_set(e, r, "cgroup %s (%s): %s", buf_str(&path), cgx_mount_key(sr, mi),
					 r == -EEXIST ? "it exists already (left over? remove it first)" : strerror(-r));
			} else {
				mk->dirs[mk->ndirs] = xstrdup(buf_str(&path));
				mk->dir_mi[mk->ndirs++] = mi;
				t->paths[mi] = xstrdup(buf_str(&path));
			}
		}
		buf_free(&path);
		buf_free(&base);
	}
	act_target_free(&self);
	if (!r && fail_at("cgroup")) {
		r = -EIO;
		nerr_set(e, r, "injected failure after making the cgroups (NSTOP_FAIL_AT=cgroup)");
	}
	act_target_finish(sr, t);
	return r;
}

/* v1 devices: deny all, then allow the nodes /dev gets (as Docker does). */
static int devices_allow(struct sysroot *sr, const struct act_target *t, struct nerr *e)
{
	int mi = cgx_mount_for(sr, "devices");
	if (mi < 0 || sr->mounts[mi].version != 1 || !t->paths[mi])
		return 0;
	int dfd = cgx_open(sr, mi, t->paths[mi]);
	if (dfd < 0)
		return 0;
	static const char *const allow[] = {"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
					    "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm"};
	int r = cgx_write(dfd, "devices.deny", "a");
	for (size_t i = 0; i < ARRAY_LEN(allow) && !r; i++)
		r = cgx_write(dfd, "devices.allow", allow[i]);
	if (r < 0)
		nerr_set(e, r, "v1 devices allowlist: %s", strerror(-r));
	close(dfd);
	return r;
}

/* ---- the child ---- */

struct child {
	const struct create_opts *o;
	int p2c, c2p;           /* the child's ends */
	int logfd;
	char statepath[256];    /* /run/nstop/NAME */
	char ctr_addr[64], host_addr[64];
	char **envp;            /* the command's whole environment */
	uint32_t userns_base;   /* --ns ...,user: its block of ids */
};

/* Closes every descriptor above 2 but the three given (close_range, or
 * one by one up to the limit where the kernel has none). */
static void keep_fds(int a, int b, int c)
{
	int k[3] = {a, b, c};
	for (int i = 1; i < 3; i++)
		for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	unsigned lo = 3;
	for (int i = 0; i <= 3; i++) {
		unsigned hi = i < 3 ? (unsigned)k[i] : ~0U;
		if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
			long max = sysconf(_SC_OPEN_MAX);
			for (long fd = lo; fd < (hi == ~0U ? (max > 0 ? max : 65536) : (long)hi); fd++)
				close((int)fd);
		}
		if (i < 3 && (unsigned)k[i] + 1 > lo)
			lo = (unsigned)k[i] + 1;
	}
}

static void child_fail(const struct child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void child_fail(const struct child *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	msg[0] = 'E';
	vsnprintf(msg + 1, sizeof(msg) - 2, fmt, ap);
	va_end(ap);
	size_t n = strlen(msg);
	msg[n] = '\n';
	if (write(c->c2p, msg, n + 1) < 0)
		_exit(1);
	_exit(1);
}

static void wait_go(const struct child *c)
{
	char g;
	if (read(c->p2c, &g, 1) != 1 || g != 'G')
		_exit(1); /* the parent gave up: nothing to report to */
}

static void do_mount(const struct child *c, const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		child_fail(c, "mount %s on %s: %s", src ? src : type ? type : "(remount)", dst,
			   strerror(errno));
}
#define MNT(src, dst, type, flags, data) do_mount(c, src, dst, type, flags, data)

/* A bind that cannot be opened: a device node on a nodev, read-only mount. */
static void mask_file(const struct child *c, const char *path)
{
	if (access(path, F_OK) < 0)
		return;
	MNT("/dev/null", path, NULL, MS_BIND, NULL);
	MNT(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL);
}

static void mask_dir(const struct child *c, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	MNT("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=755");
}

static void ro_bind(const struct child *c, const char *path)
{
	if (access(path, F_OK) < 0)
		return;
	MNT(path, path, NULL, MS_BIND | MS_REC, NULL);
	MNT(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static void setup_dev(const struct child *c)
{
	MNT("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k");
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	for (size_t i = 0; i < ARRAY_LEN(nodes); i++) {
		char src[32], dst[32];
		snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
		snprintf(dst, sizeof(dst), "dev/%s", nodes[i]);
		int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			child_fail(c, "%s: %s", dst, strerror(errno));
		close(fd);
		MNT(src, dst, NULL, MS_BIND, NULL);
	}
	mkdir("dev/pts", 0755);
	MNT("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
	if (symlink("pts/ptmx", "dev/ptmx") < 0)
		child_fail(c, "dev/ptmx: %s", strerror(errno));
	mkdir("dev/shm", 01777);
	MNT("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
	static const char *const links[][2] = {{"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
					       {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}};
	for (size_t i = 0; i < ARRAY_LEN(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			child_fail(c, "%s: %s", links[i][1], strerror(errno));
}

/*
 * Opens REL (relative, no . or .. components) beneath rootfd as an O_PATH
 * descriptor, resolved as if rootfd were / (a symbolic link in an image
 * never leads out to the host's files), making what is missing: the
 * directories on the way, the last as a directory or an empty file.
 */
static int open_in_root(int rootfd, const char *rel, bool dir)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", rel) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	struct open_how_ how = {.flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT_ | RESOLVE_NO_MAGICLINKS_};
	for (char *s = p;;) {
		while (*s == '/')
			s++;
		char *slash = strchr(s, '/');
		bool last = !slash;
		if (slash)
			*slash = '\0';
		int fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
		if (fd < 0 && errno == ENOENT) {
			char *ls = strrchr(p, '/');
			const char *name = ls ? ls + 1 : p;
			int pfd;
			if (ls) {
				*ls = '\0';
				pfd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
				*ls = '/';
			} else {
				pfd = dup(rootfd);
			}
			if (pfd < 0)
				return -errno;
			int r = 0;
			if (!last || dir) {
				if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)
					r = -errno;
			} else {
				int f = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f < 0 && errno != EEXIST)
					r = -errno;
				if (f >= 0)
					close(f);
			}
			close(pfd);
			if (r < 0)
				return r;
			fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
		}
		if (fd < 0)
			return -errno;
		if (last)
			return fd;
		close(fd);
		*slash = '/';
		s = slash + 1;
	}
}

/*
 * A recursive bind of the host's SRC onto DST beneath rootfd, read-only
 * unless rw, always nosuid and nodev. The copy of the tree gets its
 * attributes before it is attached (open_tree, mount_setattr, move_mount),
 * so it is never writable for an instant, and DST is reached through
 * open_in_root.
 */
static void bind_at_in_root(const struct child *c, int rootfd, int srcfd, const char *src,
			    const char *dst, bool rw)
{
	struct stat st;
	if (fstatat(srcfd, srcfd == AT_FDCWD ? src : "", &st, srcfd == AT_FDCWD ? 0 : AT_EMPTY_PATH) < 0)
		child_fail(c, "bind %s: %s", src, strerror(errno));
	int dfd = open_in_root(rootfd, dst, S_ISDIR(st.st_mode));
	if (dfd < 0)
		child_fail(c, "bind %s: its mount point %s: %s", src, dst, strerror(-dfd));
	int t = srcfd == AT_FDCWD
			? (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE_ | O_CLOEXEC | AT_RECURSIVE_)
			: (int)syscall(SYS_open_tree, srcfd, "", OPEN_TREE_CLONE_ | O_CLOEXEC | AT_EMPTY_PATH);
	if (t < 0)
		child_fail(c, "bind %s: open_tree: %s", src, strerror(errno));
	struct mount_attr_ a = {.attr_set = (rw ? 0 : MOUNT_ATTR_RDONLY_) | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_};
	if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH | AT_RECURSIVE_, &a, sizeof(a)) < 0)
		child_fail(c, "bind %s: mount_setattr: %s", src, strerror(errno));
	if (syscall(SYS_move_mount, t, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_) < 0)
		child_fail(c, "bind %s on %s: %s", src, dst, strerror(errno));
	close(t);
	close(dfd);
}

static void bind_in_root(const struct child *c, int rootfd, const char *src, const char *dst, bool rw)
{
	bind_at_in_root(c, rootfd, AT_FDCWD, src, dst, rw);
}

/*
 * An O_PATH descriptor of PATH (absolute; no component may be a link, ..
 * goes to the real parent) when
 * only the system could have put the file there: every directory on the
 * way belongs to root or a system account (below 1000, login.defs'
 * SYS_UID_MAX: systemd-resolved owns /run/systemd/resolve) and is writable
 * by nobody else, and the file is a regular one of such an owner. Opened
 * a component at a time without following links, so what is checked is
 * what gets bound; -1 otherwise. A user who owns a directory under /run
 * (nobody, a login user) could otherwise point an /etc link at a secret of
 * root's, or swap one in between the check and the bind.
 */
static int open_trusted(const char *path)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = path;
	while (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) < 0 || st.st_uid >= 1000)
			break;
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n || n >= NAME_MAX + 1) {
			if (!n && S_ISREG(st.st_mode))
				return fd;
			break;
		}
		/* others may not write it, but for a sticky directory of root's
		 * (a tmpfs root, /tmp): there they cannot rename or remove root's
		 * entries */
		if (!S_ISDIR(st.st_mode) || ((st.st_mode & 022) && !(st.st_uid == 0 && (st.st_mode & S_ISVTX))))
			break;
		char comp[NAME_MAX + 1];
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next = openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p += n;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The host's top directories a default container sees, read-only. */
static const char *const view_top[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};

/*
 * The host's /etc a default container sees: what resolving names, loading
 * libraries, TLS and a shell need, nothing else (no shadow, ssl/private,
 * ssh, kubernetes, wireguard, NetworkManager...). hostname is written.
 */
static const char *const view_etc[] = {
	"passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "protocols",
	"services", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
	"os-release", "ssl/certs", "ssl/openssl.cnf", "alternatives", "bash.bashrc", "profile",
	"inputrc", "terminfo",
};

/*
 * One /etc entry of the allowlist. A symbolic link is made again as it is
 * (it resolves inside the container, so it shows only what the container
 * sees) when its target is under /usr; one that leads elsewhere (resolv.conf
 * into /run) is followed one hop, to a regular file under /run or /etc
 * that only the system could have put there (open_trusted), which is bound
 * read-only in its place; any other is left out.
 */
static void view_etc_entry(const struct child *c, int rootfd, const char *name)
{
	char host[PATH_MAX], dst[PATH_MAX];
	snprintf(host, sizeof(host), "/etc/%s", name);
	snprintf(dst, sizeof(dst), "etc/%s", name);
	struct stat st;
	if (lstat(host, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
		bind_in_root(c, rootfd, host, dst, false);
		return;
	}
	if (!S_ISLNK(st.st_mode))
		return;
	char real[PATH_MAX], link[PATH_MAX], path[2 * PATH_MAX];
	ssize_t n = readlink(host, link, sizeof(link) - 1);
	if (n <= 0 || !realpath(host, real))
		return;
	link[n] = '\0';
	if (!strncmp(real, "/usr/", 5)) {
		char *sl = strrchr(dst, '/');
		*sl = '\0';
		int pfd = open_in_root(rootfd, dst, true);
		if (pfd < 0 || symlinkat(link, pfd, sl + 1) < 0)
			child_fail(c, "/%s/%s: %s", dst, sl + 1, strerror(pfd < 0 ? -pfd : errno));
		close(pfd);
	} else if (!strncmp(real, "/run/", 5) || !strncmp(real, "/etc/", 5)) {
		/* one hop: the link's own text, walked without following any
		 * further link, so no link of someone else's is on the way */
		if (link[0] == '/') {
			snprintf(path, sizeof(path), "%s", link);
		} else {
			snprintf(path, sizeof(path), "%s", host);
			snprintf(strrchr(path, '/') + 1, sizeof(path) - (size_t)(strrchr(path, '/') + 1 - path), "%s", link);
		}
		int fd = open_trusted(path);
		if (fd >= 0) {
			bind_at_in_root(c, rootfd, fd, real, dst, false);
			close(fd);
		}
	}
}

/*
 * The default view: a small tmpfs holding read-only binds of the host's
 * /usr, /bin, /sbin and /lib* (links where /usr is merged), the /etc
 * allowlist, the container's hostname, empty /root and /mnt. Made read-only
 * once everything is in place (setup_fs).
 */
static void build_view(const struct child *c, int rootfd)
{
	for (size_t i = 0; i < ARRAY_LEN(view_top); i++) {
		char host[32], link[PATH_MAX];
		snprintf(host, sizeof(host), "/%s", view_top[i]);
		struct stat st;
		if (lstat(host, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(host, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (symlinkat(link, rootfd, view_top[i]) < 0)
				child_fail(c, "%s: %s", host, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			bind_in_root(c, rootfd, host, view_top[i], false);
		}
	}
	if (mkdirat(rootfd, "etc", 0755) < 0 || mkdirat(rootfd, "root", 0700) < 0 ||
	    mkdirat(rootfd, "mnt", 0755) < 0)
		child_fail(c, "the container's root: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_LEN(view_etc); i++)
		view_etc_entry(c, rootfd, view_etc[i]);
	int fd = openat(rootfd, "etc/hostname", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	char h[80];
	int hn = snprintf(h, sizeof(h), "%s\n", c->o->hostname);
	if (fd < 0 || write(fd, h, (size_t)hn) != hn)
		child_fail(c, "etc/hostname: %s", strerror(errno));
	close(fd);
}

static void setup_fs(const struct child *c)
{
	const struct create_opts *o = c->o;
	char root[300];
	snprintf(root, sizeof(root), "%s/root", c->statepath);
	/* nothing done here may reach the host's mount table */
	MNT(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (o->rootfs) {
		char opts[1024];
		snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", o->rootfs,
			 c->statepath, c->statepath);
		MNT("overlay", root, "overlay", MS_NOSUID | MS_NODEV, opts);
	} else {
		/* an allowlist of the host, never all of it minus a denylist */
		MNT("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m,nr_inodes=4096");
	}
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		child_fail(c, "%s: %s", root, strerror(errno));
	if (!o->rootfs)
		build_view(c, rootfd);
	if (chdir(root) < 0)
		child_fail(c, "chdir %s: %s", root, strerror(errno));
	static const char *const dirs[] = {"proc", "sys", "dev", "tmp", "run"};
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST && errno != EROFS)
			child_fail(c, "mkdir %s: %s", dirs[i], strerror(errno));
	MNT("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m");
	MNT("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m");
	MNT("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (!o->privileged) {
		/* a sysfs of its own, read-only, in every network mode: the
		 * host's bound recursively would bring debugfs, tracefs, bpffs,
		 * efivarfs and securityfs along. Mounting one needs
		 * CAP_SYS_ADMIN over the network namespace's owner, which the
		 * host's root has over the host's too (--net host). */
		MNT("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	} else if (o->ns & (1u << NS_NET)) {
		MNT("sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	} else {
		/* --privileged, the host's network: its /sys, as it was */
		MNT("/sys", "sys", NULL, MS_BIND | MS_REC, NULL);
	}
	setup_dev(c);
	for (size_t i = 0; i < o->nbinds; i++)
		bind_in_root(c, rootfd, o->binds[i].src, o->binds[i].dst + 1, o->binds[i].rw);
	if (!o->privileged) {
		/* what Docker masks and keeps read-only (moby's oci/defaults.go) */
		static const char *const pm[] = {"proc/kcore", "proc/keys", "proc/timer_list", "proc/timer_stats",
						 "proc/sched_debug", "proc/latency_stats", "proc/kallsyms"};
		for (size_t i = 0; i < ARRAY_LEN(pm); i++)
			mask_file(c, pm[i]);
		static const char *const pro[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq",
						  "proc/bus", "proc/fs"};
		for (size_t i = 0; i < ARRAY_LEN(pro); i++)
			ro_bind(c, pro[i]);
		static const char *const md[] = {"proc/acpi", "proc/scsi", "proc/asound", "sys/firmware",
						 "sys/class/powercap", "sys/devices/virtual/powercap"};
		for (size_t i = 0; i < ARRAY_LEN(md); i++)
			mask_dir(c, md[i]);
	}
	if (!o->rootfs) {
		/* the view's own tmpfs read-only, now that it holds everything */
		struct mount_attr_ ra = {.attr_set = MOUNT_ATTR_RDONLY_};
		if (syscall(SYS_mount_setattr, rootfd, "", AT_EMPTY_PATH, &ra, sizeof(ra)) < 0)
			child_fail(c, "the container's root read-only: %s", strerror(errno));
	}
	close(rootfd);
	if (fail_at("mount"))
		child_fail(c, "injected failure after the mounts (NSTOP_FAIL_AT=mount)");
	/* a read-only root has no room for put_old: stack the old root on the
	 * new one and detach it */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_fail(c, "pivot_root: %s", strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		child_fail(c, "detaching the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		child_fail(c, "chdir /: %s", strerror(errno));
}

static volatile sig_atomic_t init_sig;
static void on_init_signal(int sig)
{
	init_sig = sig;
}

/*
 * pid 1 of the container: reaps every zombie, forwards SIGTERM, SIGINT and
 * SIGHUP to CMD, exits with CMD's status (or on SIGTERM without CMD). A pid
 * namespace's init ignores signals it has no handler for, hence handlers.
 */
static void __attribute__((noreturn)) container_init(char **cmd)
{
	prctl(PR_SET_NAME, "nstop-init", 0, 0, 0);
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
	sigset_t set;
	sigemptyset(&set);
	struct sigaction sa = {.sa_handler = on_init_signal};
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t child = 0;
	if (cmd && cmd[0]) {
		child = fork();
		if (child == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			struct sigaction dfl = {.sa_handler = SIG_DFL};
			for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
				sigaction(sigs[i], &dfl, NULL);
			execvp(cmd[0], cmd);
			int err = errno;
			fprintf(stderr, "nstop-init: %s: %s\n", cmd[0], strerror(err));
			_exit(err == ENOENT ? 127 : 126);
		}
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig == SIGCHLD) {
			int st;
			pid_t p;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				if (p == child)
					_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		} else if (sig > 0) {
			if (child > 0)
				kill(child, sig);
			else
				_exit(0);
		}
	}
}

/*
 * The init is nstop without an exec: its /proc/1/environ and cmdline would
 * show nstop's own environment and command line (tokens, SSH_AUTH_SOCK) to
 * the container. Zeroes both areas (their bounds: /proc/self/stat fields
 * 48 to 51) and leaves "nstop-init" as the command line.
 */
static void wipe_args(void)
{
	char st[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof(st) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	st[n] = '\0';
	char *p = strrchr(st, ')');
	unsigned long v[4] = {0};
	for (int field = 2; p && field < 51;) {
		p = strchr(p + 1, ' ');
		if (!p)
			return;
		field++;
		if (field >= 48)
			v[field - 48] = strtoul(p + 1, NULL, 10);
	}
	for (int i = 0; i < 4; i += 2)
		if (v[i] && v[i + 1] > v[i] && v[i + 1] - v[i] < (1ul << 24))
			memset((void *)v[i], 0, v[i + 1] - v[i]);
	if (v[0] && v[1] - v[0] > sizeof("nstop-init"))
		memcpy((void *)v[0], "nstop-init", sizeof("nstop-init"));
}

static void __attribute__((noreturn)) child_main(struct child *c)
{
	const struct create_opts *o = c->o;
	struct nerr e = {0};
	wait_go(c);
	/* a session of its own: the operator's terminal is never its
	 * controlling one (/dev/tty gives ENXIO, no TIOCSTI into the shell) */
	if (setsid() < 0)
		child_fail(c, "setsid: %s", strerror(errno));
	if ((o->ns & (1u << NS_CGROUP)) && unshare(CLONE_NEWCGROUP) < 0)
		child_fail(c, "cgroup namespace: %s", strerror(errno));
	if ((o->ns & (1u << NS_UTS)) && sethostname(o->hostname, strlen(o->hostname)) < 0)
		child_fail(c, "sethostname: %s", strerror(errno));
	if ((o->ns & (1u << NS_TIME)) && unshare(CLONE_NEWTIME) < 0)
		child_fail(c, "time namespace: %s", strerror(errno));
	if ((o->ns & (1u << NS_NET)) &&
	    net_setup_inside(o->net == NET_VETH ? c->ctr_addr : NULL, c->host_addr, &e) < 0)
		child_fail(c, "network: %s", e.msg);
	if (o->ns & (1u << NS_MNT))
		setup_fs(c);
	if (o->ns & (1u << NS_USER)) {
		/* after the mounts, which need the host's root; the parent writes
		 * the maps of the new user namespace */
		if (unshare(CLONE_NEWUSER) < 0)
			child_fail(c, "user namespace: %s", strerror(errno));
		if (write(c->c2p, "U", 1) != 1)
			_exit(1);
		wait_go(c);
		if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
			child_fail(c, "becoming root of the user namespace: %s", strerror(errno));
	}
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(c->logfd, 1) < 0 || dup2(c->logfd, 2) < 0)
		child_fail(c, "stdio: %s", strerror(errno));
	close(devnull);
	close(c->logfd);
	if (!o->privileged) {
		if (secure_caps(&e) < 0 || secure_seccomp(&e) < 0)
			child_fail(c, "%s", e.msg);
	}
	if (write(c->c2p, "R", 1) != 1)
		_exit(1);
	close(c->c2p);
	close(c->p2c);
	/* nothing of nstop's environment: the clean set and -e, --env-file */
	environ = c->envp;
	char **cmd = NULL;
	size_t nc = 0;
	for (char **a = o->cmd; a && *a; a++) {
		cmd = xreallocarray(cmd, nc + 2, sizeof(*cmd));
		cmd[nc++] = xstrdup(*a);
		cmd[nc] = NULL;
	}
	wipe_args();
	container_init(cmd);
}

/* ---- the parent ---- */

static void undo(struct sysroot *sr, struct made *mk, const char *name)
{
	if (mk->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, mk->pidfd, SIGKILL, NULL, 0);
		close(mk->pidfd);
		mk->pidfd = -1;
	}
	if (mk->pid > 0)
		waitpid(mk->pid, NULL, 0);
	if (mk->veth[0])
		net_veth_delete(mk->veth);
	/* a pid namespace empties as its init dies; give the cgroups a moment */
	for (int i = mk->ndirs; i-- > 0;) {
		const struct cg_mount *m = &sr->mounts[mk->dir_mi[i]];
		const char *rel = cgx_rel(m, mk->dirs[i]);
		for (int k = 0; rel && strcmp(rel, ".") && k < 150; k++) {
			if (unlinkat(m->fd, rel, AT_REMOVEDIR) == 0 || errno != EBUSY)
				break;
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		free(mk->dirs[i]);
	}
	mk->ndirs = 0;
	if (mk->state)
		state_remove(name);
}

static bool hostname_ok(const char *h)
{
	size_t n = strlen(h);
	if (!n || n > 64)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.'))
			return false;
	return true;
}

static int bad(struct nerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct nerr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char m[sizeof(e->msg)];
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	return nerr_input(e, -EINVAL, "%s", m);
}

/* Everything checked before anything is made: exit 2 material. */
int act_create_check(struct sysroot *sr, const struct create_opts *o, struct nerr *e)
{
	struct buf b = {0};
	int r = 0;
	if (!sr->live)
		r = bad(e, "containers are made on the live system, not a --sysroot");
	else if (!state_name_ok(o->name))
		r = bad(e, "%s: not a container name ([A-Za-z0-9][A-Za-z0-9_.-]{0,63}, not all digits)",
			(str_escape(&b, o->name, strlen(o->name), ESC_TEXT), buf_str(&b)));
	if (r)
		goto out;
	struct jv st;
	int k = state_load(o->name, &st);
	if (k == 0) {
		jv_free(&st);
		r = bad(e, "%s: a container of that name exists (nstop rm %s first)", o->name, o->name);
		goto out;
	}
	if (o->rootfs) {
		struct stat sb;
		if (stat(o->rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			str_escape(&b, o->rootfs, strlen(o->rootfs), ESC_TEXT);
			r = bad(e, "--rootfs %s: %s", buf_str(&b), errno == 0 || !S_ISDIR(sb.st_mode) ? "not a directory" : strerror(errno));
		} else if (o->rootfs[0] != '/' || strpbrk(o->rootfs, ",:\\") || str_path_has_dots(o->rootfs)) {
			r = bad(e, "--rootfs: an absolute path without , : or \\ (overlayfs option separators)");
		} else if (!(o->ns & (1u << NS_MNT))) {
			r = bad(e, "--rootfs needs a mount namespace (mnt in --ns)");
		}
	}
	/* without a mount namespace of its own, root inside would see and
	 * write the host's whole filesystem, /proc and /dev included */
	if (!r && !(o->ns & (1u << NS_MNT)) && !o->privileged)
		r = bad(e, "--ns without mnt would leave the host's whole filesystem writable inside: add mnt, or --privileged");
	if (!r && (!o->cgroup_parent[0] || str_path_has_dots(o->cgroup_parent)))
		r = bad(e, "--cgroup-parent: a path without . or .. components");
	if (!r && (o->ns & (1u << NS_UTS)) && !hostname_ok(o->hostname))
		r = bad(e, "--hostname: letters, digits, - and . only, at most 64");
	if (!r && o->net != NET_HOST && !(o->ns & (1u << NS_NET)))
		r = bad(e, "--net none or veth needs a network namespace (net in --ns); --net host shares the host's");
	if (!r && o->net == NET_VETH && o->addr) {
		char a1[64], a2[64];
		r = net_addrs(o->addr, NULL, 0, a1, a2, sizeof(a1), e);
	}
	for (char **v = o->env; !r && v && *v; v++)
		if (!create_env_ok(*v))
			r = bad(e, "--env %s: not KEY=VALUE (KEY: letters, digits and _, not first a digit)",
				(str_escape(&b, *v, strlen(*v), ESC_TEXT), buf_str(&b)));
	if (!r && o->nbinds > CREATE_MAX_BINDS)
		r = bad(e, "--bind: at most %d", CREATE_MAX_BINDS);
	if (!r && o->nbinds && !(o->ns & (1u << NS_MNT)))
		r = bad(e, "--bind needs a mount namespace (mnt in --ns)");
	for (size_t i = 0; !r && i < o->nbinds; i++) {
		const struct create_bind *bd = &o->binds[i];
		struct stat sb;
		if (bd->src[0] != '/' || str_path_has_dots(bd->src) || bd->dst[0] != '/' ||
		    str_path_has_dots(bd->dst) || !bd->dst[1] || !strcmp(bd->dst, "/proc") ||
		    !strncmp(bd->dst, "/proc/", 6))
			r = bad(e, "--bind %s: SRC and DST absolute paths without . or .. components, DST not / or in /proc",
				(str_escape(&b, bd->src, strlen(bd->src), ESC_TEXT), buf_str(&b)));
		else if (stat(bd->src, &sb) < 0)
			r = bad(e, "--bind %s: %s", (str_escape(&b, bd->src, strlen(bd->src), ESC_TEXT), buf_str(&b)),
				strerror(errno));
	}
out:
	buf_free(&b);
	return r;
}

/* KEY=VALUE, KEY of letters, digits and _, not first a digit. */
bool create_env_ok(const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (*kv >= '0' && *kv <= '9'))
		return false;
	for (const char *p = kv; p < eq; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/*
 * --env-file: KEY=VALUE lines added to *env (n of them, NULL-terminated);
 * blank lines and lines starting with # are skipped, anything else is
 * refused with FILE:LINE.
 */
int create_env_file(const char *path, char ***env, size_t *n, struct nerr *e)
{
	struct buf b = {0}, pb = {0};
	int r = read_file_at(AT_FDCWD, path, &b);
	str_escape(&pb, path, strlen(path), ESC_TEXT);
	if (r < 0) {
		nerr_set(e, r, "--env-file %s: %s", buf_str(&pb), strerror(-r));
		r = -EINVAL;
	} else if (b.len > (1u << 20)) {
		nerr_set(e, -EFBIG, "--env-file %s: too large", buf_str(&pb));
		r = -EINVAL;
	} else {
		r = 0;
	}
	size_t line = 0;
	for (char *p = b.p; !r && p && p < b.p + b.len;) {
		char *nl = memchr(p, '\n', (size_t)(b.p + b.len - p));
		if (nl)
			*nl = '\0';
		line++;
		const char *q = p + strspn(p, " \t");
		if (*q && *q != '#') {
			if (strlen(p) != (size_t)((nl ? nl : b.p + b.len) - p) || !create_env_ok(p)) {
				nerr_set(e, -EINVAL, "--env-file %s:%zu: not KEY=VALUE", buf_str(&pb), line);
				r = -EINVAL;
				break;
			}
			*env = xreallocarray(*env, *n + 2, sizeof(**env));
			(*env)[(*n)++] = xstrdup(p);
			(*env)[*n] = NULL;
		}
		p = nl ? nl + 1 : NULL;
	}
	buf_free(&b);
	buf_free(&pb);
	return r;
}

/* --bind SRC[:DST][:ro|rw], in place: DST is SRC when not given, ro by default. */
int create_bind_parse(char *s, struct create_bind *b, struct nerr *e)
{
	*b = (struct create_bind){.src = s, .dst = s};
	char *c1 = strchr(s, ':');
	if (c1) {
		*c1++ = '\0';
		char *c2 = strchr(c1, ':');
		if (c2)
			*c2++ = '\0';
		const char *mode = c2;
		if (!c2 && (!strcmp(c1, "ro") || !strcmp(c1, "rw")))
			mode = c1;
		else
			b->dst = c1;
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
			nerr_set(e, -EINVAL, "--bind: SRC[:DST][:ro|rw]: the mode is ro or rw");
			return -EINVAL;
		}
		b->rw = mode && !strcmp(mode, "rw");
	}
	if (!*b->src || !*b->dst) {
		nerr_set(e, -EINVAL, "--bind: SRC[:DST][:ro|rw]: an empty path");
		return -EINVAL;
	}
	return 0;
}

/*
 * The command's environment: PATH, HOME, TERM (the caller's when it is a
 * plain name), HOSTNAME and container=nstop, then the -e and --env-file
 * entries over them; nothing else of nstop's own.
 */
static char **make_env(const struct create_opts *o)
{
	const char *term = getenv("TERM");
	if (!term || !*term || strlen(term) > 64 || strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_") != strlen(term))
		term = "dumb";
	size_t n = 0, cap = 6;
	for (char **v = o->env; v && *v; v++)
		cap++;
	char **env = xcalloc(cap, sizeof(*env));
	struct buf b = {0};
	env[n++] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env[n++] = xstrdup("HOME=/root");
	buf_printf(&b, "TERM=%s", term);
	env[n++] = xstrdup(buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "HOSTNAME=%s", o->hostname);
	env[n++] = xstrdup(buf_str(&b));
	buf_free(&b);
	env[n++] = xstrdup("container=nstop");
	for (char **v = o->env; v && *v; v++) {
		size_t kl = (size_t)(strchr(*v, '=') - *v) + 1, i;
		for (i = 0; i < n && strncmp(env[i], *v, kl); i++)
			;
		if (i < n)
			free(env[i]);
		else
			n++;
		env[i] = xstrdup(*v);
	}
	env[n] = NULL;
	return env;
}

static void env_free(char **env)
{
	for (char **v = env; v && *v; v++)
		free(*v);
	free(env);
}

/* Adds the ranges of one text (a uid_map or a subuid file) to *v, every
 * one of them: a host may have hundreds of subuid users, and a cap here
 * handed the 65th user's ids to a container's root. */
static int ranges_add(struct id_range **v, size_t *n, const char *s, size_t len, bool map)
{
	int k = map ? parse_id_map(s, len, NULL, 0) : parse_subid(s, len, NULL, 0);
	if (k <= 0)
		return k;
	*v = xreallocarray(*v, *n + (size_t)k, sizeof(**v));
	int got = map ? parse_id_map(s, len, *v + *n, (size_t)k) : parse_subid(s, len, *v + *n, (size_t)k);
	if (got != k)
		return -EINVAL;
	*n += (size_t)k;
	return k;
}

/*
 * The ids in use: the outside ranges of every user namespace but ours
 * (/proc/PID/uid_map and gid_map, one process per namespace), the local
 * users' /etc/subuid and /etc/subgid, and the blocks of nstop's own
 * containers (NAME/userns in the registry, running or not: the files of
 * their writable layers keep those ids).
 */
static void used_ids(struct id_range **v, size_t *n)
{
	struct buf b = {0};
	char self[64] = "";
	ssize_t sl = readlink("/proc/self/ns/user", self, sizeof(self) - 1);
	self[sl > 0 ? sl : 0] = '\0';
	uint64_t *seen = NULL;
	size_t nseen = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char p[300], l[64];
		snprintf(p, sizeof(p), "/proc/%s/ns/user", de->d_name);
		ssize_t ll = readlink(p, l, sizeof(l) - 1);
		uint64_t ino;
		if (ll <= 0 || parse_ns_link(l, (size_t)ll, "user", &ino) < 0)
			continue;
		l[ll] = '\0';
		if (!strcmp(l, self))
			continue;
		size_t i;
		for (i = 0; i < nseen && seen[i] != ino; i++)
			;
		if (i < nseen)
			continue;
		seen = xreallocarray(seen, nseen + 1, sizeof(*seen));
		seen[nseen++] = ino;
		static const char *const files[] = {"uid_map", "gid_map"};
		for (size_t f = 0; f < 2; f++) {
			snprintf(p, sizeof(p), "/proc/%s/%s", de->d_name, files[f]);
			if (read_file_at(AT_FDCWD, p, &b) > 0)
				ranges_add(v, n, b.p, b.len, true);
		}
	}
	if (d)
		closedir(d);
	free(seen);
	static const char *const sub[] = {"/etc/subuid", "/etc/subgid"};
	for (size_t f = 0; f < 2; f++)
		if (read_file_at(AT_FDCWD, sub[f], &b) > 0)
			ranges_add(v, n, b.p, b.len, false);
	char **names;
	size_t nn = state_list(&names);
	int dfd = state_dir_open();
	for (size_t i = 0; i < nn; i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/userns", names[i]);
		if (dfd >= 0 && read_file_at(dfd, p, &b) > 0)
			ranges_add(v, n, b.p, b.len, true);
		free(names[i]);
	}
	free(names);
	if (dfd >= 0)
		close(dfd);
	buf_free(&b);
}

/*
 * A block of NSTOP_USERNS_SIZE ids for NAME's user namespace, the first
 * within NSTOP_USERNS_LO..HI that overlaps nothing in use, reserved in
 * NAME/userns (uid_map's format) under the registry's lock, so that two
 * creates at once never get the same.
 */
static int userns_alloc(const char *name, uint32_t *base, struct nerr *e)
{
	int lk = state_lock();
	if (lk < 0) {
		nerr_set(e, lk, "%s/.lock: %s", state_dir(), strerror(-lk));
		return lk;
	}
	struct id_range *used = NULL;
	size_t nused = 0;
	used_ids(&used, &nused);
	int r = -ENOSPC;
	for (uint64_t bl = NSTOP_USERNS_LO; bl + NSTOP_USERNS_SIZE - 1 <= NSTOP_USERNS_HI && r;
	     bl += NSTOP_USERNS_SIZE) {
		size_t i;
		for (i = 0; i < nused; i++)
			if (used[i].count && used[i].start < bl + NSTOP_USERNS_SIZE && bl < used[i].start + used[i].count)
				break;
		if (i == nused) {
			*base = (uint32_t)bl;
			r = 0;
		}
	}
	free(used);
	if (r < 0) {
		nerr_set(e, r, "no free block of %u user ids in %u-%u", NSTOP_USERNS_SIZE, NSTOP_USERNS_LO,
			 NSTOP_USERNS_HI);
	} else {
		int dfd = state_dir_open();
		char p[300], m[64];
		snprintf(p, sizeof(p), "%s/userns", name);
		int fd = dfd < 0 ? -1 : openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		int len = snprintf(m, sizeof(m), "0 %u %u\n", *base, NSTOP_USERNS_SIZE);
		if (fd < 0 || write(fd, m, (size_t)len) != len) {
			r = -errno;
			nerr_set(e, r, "%s/%s: %s", state_dir(), p, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
		if (dfd >= 0)
			close(dfd);
	}
	close(lk);
	return r;
}

static int write_maps(pid_t pid, uint32_t base, struct nerr *e)
{
	static const char *const files[] = {"uid_map", "gid_map"};
	for (size_t i = 0; i < 2; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, files[i]);
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		char m[64];
		snprintf(m, sizeof(m), "0 %u %u\n", base, NSTOP_USERNS_SIZE);
		if (fd < 0 || write(fd, m, strlen(m)) < 0) {
			nerr_set(e, -errno, "%s: %s", p, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* Waits for the child's 'R'; answers its 'U'. */
static int child_wait(int c2p, int p2c, pid_t pid, uint32_t base, struct nerr *e)
{
	for (;;) {
		char ch;
		ssize_t n = read(c2p, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			nerr_set(e, -EIO, "the container's setup died before it was ready");
			return -EIO;
		}
		if (ch == 'R')
			return 0;
		if (ch == 'U') {
			if (write_maps(pid, base, e) < 0)
				return -EIO;
			if (write(p2c, "G", 1) != 1)
				return -EIO;
			continue;
		}
		if (ch == 'E') {
			char msg[400];
			size_t len = 0;
			while (len + 1 < sizeof(msg) && read(c2p, &ch, 1) == 1 && ch != '\n')
				msg[len++] = ch;
			msg[len] = '\0';
			nerr_set(e, -EIO, "container setup: %s", msg);
			return -EIO;
		}
	}
}

struct addrs {
	char **v;               /* NULL-terminated */
	size_t n;
};

static void add_addr(const char *name, const struct jv *st, void *arg)
{
	(void)name;
	struct addrs *a = arg;
	const char *s = jv_str(st, "address");
	if (!s)
		return;
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void used_addrs(char ***addrs, size_t *n)
{
	struct addrs a = {xcalloc(1, sizeof(char *)), 0};
	state_each(add_addr, &a);
	*addrs = a.v;
	*n = a.n;
}

static void state_json(struct buf *b, const struct sysroot *sr, const struct create_opts *o,
		       const struct act_target *t, const struct create_result *res, uint64_t start,
		       const struct child *c)
{
	struct json j;
	json_init(&j, b, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", o->name);
	json_str(&j, "id", res->id);
	json_i64(&j, "pid", res->pid);
	json_u64(&j, "start", start);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[64];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_str(&j, "created", ts);
	json_str(&j, "cgroup", t->cgroup ? t->cgroup : "");
	json_obj_begin(&j, "cgroups");
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i])
			json_str(&j, cgx_mount_key(sr, i), t->paths[i]);
	json_obj_end(&j);
	json_arr_begin(&j, "namespaces");
	for (int k = 0; k < NS_NTYPES; k++)
		if (o->ns & (1u << k))
			json_str(&j, NULL, ns_type_name(k));
	json_arr_end(&j);
	json_str(&j, "hostname", o->hostname);
	if (o->rootfs)
		json_str(&j, "rootfs", o->rootfs);
	else
		json_null(&j, "rootfs");
	json_str(&j, "net", o->net == NET_HOST ? "host" : o->net == NET_VETH ? "veth" : "none");
	if (o->net == NET_VETH) {
		json_str(&j, "veth", res->veth);
		json_str(&j, "address", c->ctr_addr);
		json_str(&j, "host_address", c->host_addr);
	}
	json_bool(&j, "privileged", o->privileged);
	json_arr_begin(&j, "binds");
	for (size_t i = 0; i < o->nbinds; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "src", o->binds[i].src);
		json_str(&j, "dst", o->binds[i].dst);
		json_bool(&j, "rw", o->binds[i].rw);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	/* the names only: values given with -e are often secrets */
	json_arr_begin(&j, "env_keys");
	for (char **v = o->env; v && *v; v++) {
		char k[256];
		snprintf(k, sizeof(k), "%.*s", (int)(strchr(*v, '=') - *v), *v);
		json_str(&j, NULL, k);
	}
	json_arr_end(&j);
	if (o->ns & (1u << NS_USER)) {
		json_obj_begin(&j, "userns");
		json_u64(&j, "base", c->userns_base);
		json_u64(&j, "size", NSTOP_USERNS_SIZE);
		json_obj_end(&j);
	}
	json_bool(&j, "host_pidns", !(o->ns & (1u << NS_PID)));
	json_bool(&j, "host_net", o->net == NET_HOST);
	json_arr_begin(&j, "cmd");
	for (char **a = o->cmd; a && *a; a++)
		json_str(&j, NULL, *a);
	json_arr_end(&j);
	struct buf lb = {0};
	limits_json(&lb, &o->lim, &o->lim);
	json_raw(&j, "limits", buf_str(&lb));
	buf_free(&lb);
	json_obj_end(&j);
	buf_addc(b, '\n');
}

int act_create(struct sysroot *sr, const struct create_opts *o, struct create_result *res,
	       struct act_target *t, struct nerr *e)
{
	memset(res, 0, sizeof(*res));
	memset(t, 0, sizeof(*t));
	int r = act_create_check(sr, o, e);
	if (r < 0)
		return r;
	if (geteuid() != 0) {
		nerr_set(e, -EPERM, "making a container needs root");
		return -EPERM;
	}
	struct made mk = {.pidfd = -1};
	struct child c = {.o = o, .logfd = -1};
	snprintf(c.statepath, sizeof(c.statepath), "%s/%s", state_dir(), o->name);
	int p2c[2] = {-1, -1}, c2p[2] = {-1, -1};
	/* the address first: bad input is refused before anything is made */
	if (o->net == NET_VETH) {
		char **used;
		size_t nused;
		used_addrs(&used, &nused);
		r = net_addrs(o->addr, (const char *const *)used, nused, c.ctr_addr, c.host_addr,
			      sizeof(c.ctr_addr), e);
		for (size_t i = 0; i < nused; i++)
			free(used[i]);
		free(used);
		if (r < 0)
			return r;
		net_veth_name(o->name, res->veth);
	}
	int dfd = state_dir_make();
	if (dfd < 0) {
		nerr_set(e, dfd, "%s: %s", state_dir(), strerror(-dfd));
		return dfd;
	}
	if (mkdirat(dfd, o->name, 0700) < 0) {
		r = errno == EEXIST ? bad(e, "%s: a container of that name exists (nstop rm %s first)", o->name, o->name)
				    : -errno;
		if (r != -EINVAL)
			nerr_set(e, r, "%s: %s", c.statepath, strerror(-r));
		close(dfd);
		return r;
	}
	mk.state = true;
	char sub[300];
	static const char *const dirs[] = {"root", "upper", "work"};
	for (size_t i = 0; i < (o->rootfs ? 3 : 1) && !r; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", o->name, dirs[i]);
		if (mkdirat(dfd, sub, 0755) < 0) {
			r = -errno;
			nerr_set(e, r, "%s/%s: %s", c.statepath, dirs[i], strerror(errno));
		}
	}
	if (!r) {
		snprintf(sub, sizeof(sub), "%s/log", o->name);
		c.logfd = openat(dfd, sub, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (c.logfd < 0) {
			r = -errno;
			nerr_set(e, r, "%s/log: %s", c.statepath, strerror(errno));
		}
	}
	close(dfd);
	if (!r && (o->ns & (1u << NS_USER)))
		r = userns_alloc(o->name, &c.userns_base, e);
	if (!r)
		r = make_cgroups(sr, o, t, &mk, e);
	bool anylim = false;
	for (int k = 0; k < LIM_N; k++)
		anylim |= o->lim.l[k].set;
	if (!r && anylim) {
		struct limits old;
		r = act_limit(sr, t, &o->lim, true, &old, e);
	}
	if (!r && (pipe2(p2c, O_CLOEXEC) < 0 || pipe2(c2p, O_CLOEXEC) < 0)) {
		r = -errno;
		nerr_set(e, r, "pipe: %s", strerror(errno));
	}
	if (!r) {
		struct clone_args_ ca = {.exit_signal = SIGCHLD, .flags = CLONE_PIDFD};
		int pidfd = -1;
		ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
		static const struct {
			int ns;
			uint64_t flag;
		} m[] = {{NS_PID, CLONE_NEWPID}, {NS_MNT, CLONE_NEWNS}, {NS_UTS, CLONE_NEWUTS},
			 {NS_IPC, CLONE_NEWIPC}, {NS_NET, CLONE_NEWNET}};
		for (size_t i = 0; i < ARRAY_LEN(m); i++)
			if (o->ns & (1u << m[i].ns))
				ca.flags |= m[i].flag;
		c.envp = make_env(o);
		fflush(NULL);
		pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid < 0 && errno == ENOSYS) {
			/* before 5.3, or under valgrind: clone as fork, then a pidfd */
			pid = (pid_t)syscall(SYS_clone, (ca.flags & ~(uint64_t)CLONE_PIDFD) | SIGCHLD,
					     NULL, NULL, NULL, NULL);
			if (pid > 0)
				pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		}
		if (pid == 0) {
			c.p2c = p2c[0];
			c.c2p = c2p[1];
			/* the container gets no descriptor of the host's: only its
			 * pipes and the log (the host's /proc above all), and
			 * those are closed before its init runs */
			keep_fds(c.p2c, c.c2p, c.logfd);
			child_main(&c);
		}
		if (pid < 0) {
			r = -errno;
			nerr_set(e, r, "clone3: %s", strerror(errno));
		} else {
			mk.pid = pid;
			mk.pidfd = pidfd;
			res->pid = pid;
		}
	}
	if (p2c[0] >= 0)
		close(p2c[0]);
	if (c2p[1] >= 0)
		close(c2p[1]);
	/* into the cgroups before it runs anything */
	for (int mi = 0; mi < sr->nmounts && !r; mi++) {
		if (!t->paths[mi])
			continue;
		int cfd = cgx_open(sr, mi, t->paths[mi]);
		char pid[24];
		snprintf(pid, sizeof(pid), "%d", (int)res->pid);
		r = cfd < 0 ? cfd : cgx_write(cfd, "cgroup.procs", pid);
		if (cfd >= 0)
			close(cfd);
		if (r < 0)
			nerr_set(e, r, "joining cgroup %s (%s): %s", t->paths[mi], cgx_mount_key(sr, mi),
				 strerror(-r));
	}
	if (!r && !o->privileged)
		r = devices_allow(sr, t, e);
	if (!r && o->net == NET_VETH) {
		snprintf(mk.veth, sizeof(mk.veth), "%s", res->veth);
		r = net_veth_create(res->veth, res->pid, c.host_addr, e);
		if (r == -EEXIST)
			mk.veth[0] = '\0'; /* not ours */
		if (!r && fail_at("veth")) {
			r = -EIO;
			nerr_set(e, r, "injected failure after the veth (NSTOP_FAIL_AT=veth)");
		}
	}
	if (!r && write(p2c[1], "G", 1) != 1) {
		r = -EIO;
		nerr_set(e, r, "the container's setup died");
	}
	if (!r)
		r = child_wait(c2p[0], p2c[1], res->pid, c.userns_base, e);
	uint64_t start = 0;
	if (!r && sysroot_pid_start(sr, res->pid, &start) < 0) {
		r = -ESRCH;
		nerr_set(e, r, "the container's init exited at once (see nstop logs %s)", o->name);
	}
	if (!r) {
		unsigned char rnd[16];
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		for (size_t i = 0; i < sizeof(rnd); i++)
			snprintf(res->id + 2 * i, 3, "%02x", rnd[i]);
		struct buf js = {0};
		state_json(&js, sr, o, t, res, start, &c);
		r = fail_at("state") ? -EIO : state_save(o->name, buf_str(&js));
		if (r < 0)
			nerr_set(e, r, "saving the registry entry: %s%s", strerror(-r),
				 fail_at("state") ? " (NSTOP_FAIL_AT=state)" : "");
		buf_free(&js);
		snprintf(res->addr, sizeof(res->addr), "%s", c.ctr_addr);
	}
	if (p2c[1] >= 0)
		close(p2c[1]);
	if (c2p[0] >= 0)
		close(c2p[0]);
	if (c.logfd >= 0)
		close(c.logfd);
	env_free(c.envp);
	if (r < 0) {
		undo(sr, &mk, o->name);
		act_target_free(t);
		return r;
	}
	close(mk.pidfd);
	for (int i = 0; i < mk.ndirs; i++)
		free(mk.dirs[i]);
	t->rt = RT_NSTOP;
	t->name = xstrdup(o->name);
	t->id = xstrdup(res->id);
	t->pid = res->pid;
	return 0;
}
