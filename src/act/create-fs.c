// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create, in the child: the container's filesystem. Its own mount
 * table, an overlay over an image or an allowlist of the host read-only,
 * /proc, /sys, /dev, the binds asked for, Docker's masks, then pivot_root.
 * Every step that fails reports through create_child_fail.
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

#include "create.h"

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

/* The child's one way to report: "E" and the message on its pipe, then
 * exit; the parent undoes what it made. */
void create_child_fail(const struct child *c, const char *fmt, ...)
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

static void do_mount(const struct child *c, const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		create_child_fail(c, "mount %s on %s: %s", src ? src : type ? type : "(remount)", dst,
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

/*
 * The O_PATH descriptor of NAME (one component) right beneath rootfd, made
 * when missing: a directory and never a link. An image is untrusted: a
 * /dev that is a link to / (or /proc/self/root) would carry the mounts
 * and everything made beneath them into the host's own tree before
 * pivot_root, so a link is refused rather than followed.
 */
static int top_dir(const struct child *c, int rootfd, const char *name)
{
	if (mkdirat(rootfd, name, 0755) < 0 && errno != EEXIST && errno != EROFS)
		create_child_fail(c, "mkdir %s: %s", name, strerror(errno));
	int fd = openat(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
		create_child_fail(c, "the image's /%s is not a directory (a symbolic link there is refused)", name);
	if (fd < 0)
		create_child_fail(c, "%s: %s", name, strerror(errno));
	return fd;
}

/* mount on the directory fd holds (from top_dir), whatever its name now */
static void mount_on_fd(const struct child *c, const char *src, int fd, const char *name, const char *type,
			unsigned long flags, const char *data)
{
	char p[40];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if (mount(src, p, type, flags, data) < 0)
		create_child_fail(c, "mount %s on %s: %s", src ? src : type, name, strerror(errno));
}

static void setup_dev(const struct child *c, int devfd)
{
	mount_on_fd(c, "tmpfs", devfd, "dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k");
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	for (size_t i = 0; i < ARRAY_LEN(nodes); i++) {
		char src[32], dst[32];
		snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
		snprintf(dst, sizeof(dst), "dev/%s", nodes[i]);
		int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			create_child_fail(c, "%s: %s", dst, strerror(errno));
		close(fd);
		MNT(src, dst, NULL, MS_BIND, NULL);
	}
	mkdir("dev/pts", 0755);
	MNT("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
	if (symlink("pts/ptmx", "dev/ptmx") < 0)
		create_child_fail(c, "dev/ptmx: %s", strerror(errno));
	mkdir("dev/shm", 01777);
	MNT("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
	static const char *const links[][2] = {{"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
					       {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}};
	for (size_t i = 0; i < ARRAY_LEN(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			create_child_fail(c, "%s: %s", links[i][1], strerror(errno));
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
		create_child_fail(c, "bind %s: %s", src, strerror(errno));
	int dfd = open_in_root(rootfd, dst, S_ISDIR(st.st_mode));
	if (dfd < 0)
		create_child_fail(c, "bind %s: its mount point %s: %s", src, dst, strerror(-dfd));
	int t = srcfd == AT_FDCWD
			? (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE_ | O_CLOEXEC | AT_RECURSIVE_)
			: (int)syscall(SYS_open_tree, srcfd, "", OPEN_TREE_CLONE_ | O_CLOEXEC | AT_EMPTY_PATH);
	if (t < 0)
		create_child_fail(c, "bind %s: open_tree: %s", src, strerror(errno));
	struct mount_attr_ a = {.attr_set = (rw ? 0 : MOUNT_ATTR_RDONLY_) | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_};
	if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH | AT_RECURSIVE_, &a, sizeof(a)) < 0)
		create_child_fail(c, "bind %s: mount_setattr: %s", src, strerror(errno));
	if (syscall(SYS_move_mount, t, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_) < 0)
		create_child_fail(c, "bind %s on %s: %s", src, dst, strerror(errno));
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
			create_child_fail(c, "/%s/%s: %s", dst, sl + 1, strerror(pfd < 0 ? -pfd : errno));
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
				create_child_fail(c, "%s: %s", host, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			bind_in_root(c, rootfd, host, view_top[i], false);
		}
	}
	if (mkdirat(rootfd, "etc", 0755) < 0 || mkdirat(rootfd, "root", 0700) < 0 ||
	    mkdirat(rootfd, "mnt", 0755) < 0)
		create_child_fail(c, "the container's root: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_LEN(view_etc); i++)
		view_etc_entry(c, rootfd, view_etc[i]);
	int fd = openat(rootfd, "etc/hostname", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	char h[80];
	int hn = snprintf(h, sizeof(h), "%s\n", c->o->hostname);
	if (fd < 0 || write(fd, h, (size_t)hn) != hn)
		create_child_fail(c, "etc/hostname: %s", strerror(errno));
	close(fd);
}

void create_setup_fs(const struct child *c)
{
	const struct create_opts *o = c->o;
	char root[300];
	snprintf(root, sizeof(root), "%s/root", c->statepath);
	/* nothing done here may reach the host's mount table */
	MNT(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (o->rootfs) {
		/* --image: rootfs is its layers' short links, colon-separated;
		 * the option must fit in a page */
		char opts[4096];
		if (snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", o->rootfs,
			     c->statepath, c->statepath) >= (int)sizeof(opts))
			create_child_fail(c, "the overlay's options do not fit in a page");
		MNT("overlay", root, "overlay", MS_NOSUID | MS_NODEV, opts);
	} else {
		/* an allowlist of the host, never all of it minus a denylist */
		MNT("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m,nr_inodes=4096");
	}
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		create_child_fail(c, "%s: %s", root, strerror(errno));
	if (!o->rootfs)
		build_view(c, rootfd);
	if (chdir(root) < 0)
		create_child_fail(c, "chdir %s: %s", root, strerror(errno));
	/* each a real directory of the root's (top_dir), mounted through its
	 * descriptor; what is made or masked beneath them afterwards is on
	 * the file systems mounted here, never the image's */
	int procfd = top_dir(c, rootfd, "proc"), sysfd = top_dir(c, rootfd, "sys");
	int devfd = top_dir(c, rootfd, "dev"), tmpfd = top_dir(c, rootfd, "tmp");
	int runfd = top_dir(c, rootfd, "run");
	mount_on_fd(c, "tmpfs", tmpfd, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m");
	mount_on_fd(c, "tmpfs", runfd, "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m");
	mount_on_fd(c, "proc", procfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (!o->privileged) {
		/* a sysfs of its own, read-only, in every network mode: the
		 * host's bound recursively would bring debugfs, tracefs, bpffs,
		 * efivarfs and securityfs along. Mounting one needs
		 * CAP_SYS_ADMIN over the network namespace's owner, which the
		 * host's root has over the host's too (--net host). */
		mount_on_fd(c, "sysfs", sysfd, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	} else if (o->ns & (1u << NS_NET)) {
		mount_on_fd(c, "sysfs", sysfd, "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	} else {
		/* --privileged, the host's network: its /sys, as it was */
		mount_on_fd(c, "/sys", sysfd, "sys", NULL, MS_BIND | MS_REC, NULL);
	}
	setup_dev(c, devfd);
	close(procfd), close(sysfd), close(devfd), close(tmpfd), close(runfd);
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
			create_child_fail(c, "the container's root read-only: %s", strerror(errno));
	}
	close(rootfd);
	if (create_fail_at("mount"))
		create_child_fail(c, "injected failure after the mounts (NSTOP_FAIL_AT=mount)");
	/* a read-only root has no room for put_old: stack the old root on the
	 * new one and detach it */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		create_child_fail(c, "pivot_root: %s", strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		create_child_fail(c, "detaching the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		create_child_fail(c, "chdir /: %s", strerror(errno));
}
