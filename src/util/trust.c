// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Files nstop trusts (the audit log undo acts on, root's config file): opened
 * only when nobody but root (or, for a normal user's own files, that user)
 * could have put there what nstop reads. Every directory from / down is
 * walked without following a link, each owned so and writable by nobody
 * else (a sticky directory of root's, as /tmp, excepted: there nobody can
 * rename or remove root's entries); the file itself is a regular one, owned
 * so, writable by nobody else, and not on a pseudo filesystem whose files
 * only look like root's (/proc/PID/cmdline holds what a user chose; a
 * sysctl written to is a change to the kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

static bool owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static bool pseudo_fs(long type)
{
	static const long types[] = {
		0x9fa0,     /* proc */      0x62656572, /* sysfs */     0x27e0eb,   /* cgroup */
		0x63677270, /* cgroup2 */   0x64626720, /* debugfs */   0x74726163, /* tracefs */
		0x73636673, /* securityfs */ 0xcafe4a11, /* bpf */      0x1cd1,     /* devpts */
		0x42494e4d, /* binfmt_misc */ 0x6e736673, /* nsfs */    0x50495045, /* pipefs */
	};
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (type == types[i])
			return true;
	return false;
}

int trust_open(const char *path, int flags, mode_t mode, char *why, size_t n)
{
	char abs[2 * PATH_MAX + 2], cwd[PATH_MAX] = "";
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return snprintf(why, n, "the working directory: %s", strerror(errno)), -errno;
	int len = snprintf(abs, sizeof(abs), "%s%s%s", cwd, cwd[0] ? "/" : "", path);
	if (len < 0 || (size_t)len >= sizeof(abs))
		return snprintf(why, n, "too long a path"), -ENAMETOOLONG;
	int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return snprintf(why, n, "/: %s", strerror(errno)), -errno;
	char *p = abs;
	for (;;) {
		struct stat st;
		if (fstat(dfd, &st) < 0) {
			int r = -errno;
			close(dfd);
			return snprintf(why, n, "%s", strerror(-r)), r;
		}
		if (!owner_ok(st.st_uid) || ((st.st_mode & 022) && !(st.st_uid == 0 && (st.st_mode & S_ISVTX)))) {
			close(dfd);
			if (!owner_ok(st.st_uid))
				snprintf(why, n, "its directory is owned by uid %u, not root", (unsigned)st.st_uid);
			else
				snprintf(why, n, "its directory is writable by group or others (mode %04o)",
					 (unsigned)(st.st_mode & 07777));
			return -EPERM;
		}
		while (*p == '/')
			p++;
		char *sl = strchr(p, '/');
		if (!sl)
			break;
		*sl = '\0';
		if (!strcmp(p, ".") || !strcmp(p, "..")) {
			close(dfd);
			return snprintf(why, n, "a . or .. component"), -EPERM;
		}
		int next = openat(dfd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		*sl = '/';
		close(dfd);
		if (next < 0)
			return snprintf(why, n, "%s", err == ENOTDIR || err == ELOOP ? "a symbolic link on the way" : strerror(err)), -err;
		dfd = next;
		p = sl + 1;
	}
	if (!*p || !strcmp(p, ".") || !strcmp(p, "..")) {
		close(dfd);
		return snprintf(why, n, "not a file"), -EISDIR;
	}
	int fd = openat(dfd, p, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);
	int err = errno;
	close(dfd);
	if (fd < 0)
		return snprintf(why, n, "%s", err == ELOOP ? "a symbolic link" : strerror(err)), -err;
	struct stat st;
	struct statfs sf;
	const char *bad = NULL;
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
		bad = "cannot be examined";
	else if (!S_ISREG(st.st_mode) || pseudo_fs((long)sf.f_type))
		bad = "not a regular file";
	else if (!owner_ok(st.st_uid))
		snprintf(why, n, "the file is owned by uid %u, not root", (unsigned)st.st_uid);
	else if (st.st_mode & 022)
		snprintf(why, n, "the file is writable by group or others (mode %04o)",
			 (unsigned)(st.st_mode & 07777));
	else {
		/* blocking again: the non-blocking open only kept a FIFO from hanging us */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		return fd;
	}
	if (bad)
		snprintf(why, n, "%s", bad);
	close(fd);
	return -EPERM;
}

/*
 * The directory path, made where missing (mode 0755, the last mode leaf),
 * walked from / without following a link: every existing directory on the
 * way passes the check above (root's or ours, writable by nobody else but
 * for root's sticky ones, as /tmp), so nobody else's directory or link can
 * send the mkdir elsewhere (/tmp/theirs/link -> /etc). An O_RDONLY
 * descriptor of the last one, or -errno with why set.
 */
int trust_mkdirs(const char *path, mode_t leaf, char *why, size_t n)
{
	char abs[2 * PATH_MAX + 2], cwd[PATH_MAX] = "";
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return snprintf(why, n, "the working directory: %s", strerror(errno)), -errno;
	int len = snprintf(abs, sizeof(abs), "%s%s%s", cwd, cwd[0] ? "/" : "", path);
	if (len < 0 || (size_t)len >= sizeof(abs))
		return snprintf(why, n, "too long a path"), -ENAMETOOLONG;
	int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return snprintf(why, n, "/: %s", strerror(errno)), -errno;
	char *p = abs;
	for (;;) {
		struct stat st;
		if (fstat(dfd, &st) < 0) {
			int r = -errno;
			close(dfd);
			return snprintf(why, n, "%s", strerror(-r)), r;
		}
		while (*p == '/')
			p++;
		if (!*p)
			return dfd;     /* the last one: its caller checks it as it needs */
		if (!owner_ok(st.st_uid) || ((st.st_mode & 022) && !(st.st_uid == 0 && (st.st_mode & S_ISVTX)))) {
			close(dfd);
			if (!owner_ok(st.st_uid))
				snprintf(why, n, "a directory on the way is owned by uid %u", (unsigned)st.st_uid);
			else
				snprintf(why, n, "a directory on the way is writable by group or others (mode %04o)",
					 (unsigned)(st.st_mode & 07777));
			return -EPERM;
		}
		char *sl = strchr(p, '/');
		if (sl)
			*sl = '\0';
		if (!strcmp(p, ".") || !strcmp(p, "..")) {
			close(dfd);
			return snprintf(why, n, "a . or .. component"), -EPERM;
		}
		bool last = !sl || !sl[strspn(sl + 1, "/") + 1];
		if (mkdirat(dfd, p, last ? leaf : 0755) < 0 && errno != EEXIST) {
			int err = errno;
			close(dfd);
			return snprintf(why, n, "%s", strerror(err)), -err;
		}
		int next = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(dfd);
		if (next < 0)
			return snprintf(why, n, "%s", err == ENOTDIR || err == ELOOP ? "a symbolic link on the way" : strerror(err)), -err;
		dfd = next;
		if (!sl)
			p += strlen(p);
		else
			*sl = '/', p = sl + 1;
	}
}
