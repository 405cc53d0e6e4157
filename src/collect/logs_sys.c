// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The system container managers' logs: LXC's console log (and LXD's and
 * Incus' console.log) and systemd-nspawn's journal.
 *
 * LXC keeps a container's console output only where its config's
 * lxc.console.logfile says; the config lives in the lxcpath (lxc.conf's
 * lxc.lxcpath, by default /var/lib/lxc), written by the host's admin. The
 * log is then read as any runtime's file (rt_open: no link followed, a
 * regular file, its owner trusted).
 *
 * An nspawn container's journal is written by its own journald, into the
 * container's /var/log/journal/MACHINE-ID (or /run/log/journal/MACHINE-ID
 * when volatile); with --link-journal=host nspawn bind-mounts the host's
 * /var/log/journal/MACHINE-ID there, so it is read the same way (never by
 * the id on the host: a container may claim another machine's). Everything beneath the container's root is the
 * container's to shape: its machine-id, directories and files are opened
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from its root, so a
 * link it planted resolves inside it, never on the host; the journal files
 * are then opened one by one without following a link, regular files only
 * (O_PATH first: a device is never opened), and handed to sd-journal as
 * descriptors (sd_journal_open_files_fd), so the library never walks a
 * path the container made. sd-journal maps the files: one the container
 * truncates while it is read raises SIGBUS, which journal.c's guard turns
 * into an error. Every entry of
 * that journal is the container's: shown as "IDENT: MESSAGE", escaped by
 * the caller like any log.
 *
 * And logs_open_ctr, which picks a container's reader by its runtime (the
 * dashboard's log pane's way in; logs.c holds the file-based readers).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "collect.h"

#define LXC_DEFAULT_PATH "/var/lib/lxc"
#define NSPAWN_JOURNAL_FILES 64 /* journal files of one machine taken, at most */

/* LXC's lxcpath: lxc.conf's lxc.lxcpath when absolute, else the default. */
static void lxc_path(struct sysroot *sr, char *out, size_t size)
{
	struct buf b = {0};
	char why[128], v[1024];
	snprintf(out, size, "%s", LXC_DEFAULT_PATH);
	if (rt_read(sr, "/etc/lxc/lxc.conf", &b, why, sizeof(why)) >= 0 &&
	    parse_lxc_conf(b.p, b.len, "lxc.lxcpath", v, sizeof(v)) == 0 && v[0] == '/' && !str_path_has_dots(v))
		snprintf(out, size, "%s", v);
	buf_free(&b);
}

/*
 * LXC's console log of NAME: its config's lxc.console.logfile; else LXD's
 * or Incus' console.log (they run their containers through liblxc, under
 * the same lxc.payload.NAME cgroups). e says where to look when LXC keeps
 * nothing.
 */
int logs_open_lxc(struct sysroot *sr, const char *name, struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	struct buf q = {0};
	const char *shown = str_esc(&q, name);
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		int r = nerr_set(e, -EINVAL, "%s: not an LXC container's name", shown);
		buf_free(&q);
		return r;
	}
	char lp[1024], cfg[2048], why[128], v[4096];
	lxc_path(sr, lp, sizeof(lp));
	snprintf(cfg, sizeof(cfg), "%s/%s/config", lp, name);
	struct buf b = {0};
	int r = rt_read(sr, cfg, &b, why, sizeof(why));
	if (r >= 0) {
		r = parse_lxc_conf(b.p, b.len, "lxc.console.logfile", v, sizeof(v));
		buf_free(&b);
		struct buf c = {0};
		if (r < 0 || !v[0])
			r = nerr_set(e, -ENODATA, "%s: LXC keeps no console log of it (no lxc.console.logfile in %s; "
				     "lxc-console -n %s attaches to its console)", shown, str_esc(&c, cfg), shown);
		else if (v[0] != '/')
			r = nerr_set(e, -EINVAL, "%s: its lxc.console.logfile is not an absolute path", shown);
		else
			r = logs_open_file(sr, v, LOG_PLAIN, ls, e);
		buf_free(&c);
		buf_free(&q);
		return r;
	}
	buf_free(&b);
	/* not LXC's own: LXD (snap or package) and Incus keep console.log */
	static const char *const mgr[] = {"/var/snap/lxd/common/lxd/logs", "/var/log/lxd", "/var/log/incus"};
	for (size_t i = 0; i < sizeof(mgr) / sizeof(*mgr); i++) {
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s/console.log", mgr[i], name);
		int fd = rt_open(sr, p, why, sizeof(why));
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;
		if (fd >= 0)
			close(fd);
		r = logs_open_file(sr, p, LOG_PLAIN, ls, e);
		buf_free(&q);
		return r;
	}
	struct buf c = {0};
	r = nerr_set(e, -ENODATA, "%s: no LXC config at %s (%s) and no LXD or Incus console.log", shown,
		     str_esc(&c, cfg), why);
	buf_free(&c);
	buf_free(&q);
	return r;
}

/* PATH beneath the root ROOTFD as the container resolves it, never out. */
static int open_in_root(int rootfd, const char *path, int flags)
{
	/* (openat2 refuses O_PATH with any flag but these) */
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/*
 * A regular file, opened for reading from FD, an O_PATH descriptor of it
 * (closed): the container may plant a device or a FIFO under the name, and
 * opening a device can have effects (a serial line's modem lines, a
 * watchdog), so nothing but a regular file is ever opened for reading.
 */
static int reopen_regular(int fd)
{
	struct stat st;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EPERM;
	}
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	r = r < 0 ? -errno : r;
	close(fd);
	return r;
}

/* The container's machine id: 32 hex digits of its /etc/machine-id. */
static int machine_id(int rootfd, char id[33])
{
	int fd = reopen_regular(open_in_root(rootfd, "etc/machine-id", O_PATH));
	if (fd < 0)
		return fd;
	char b[64];
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n < 32)
		return -ENODATA;
	for (int i = 0; i < 32; i++)
		if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f')))
			return -ENODATA;
	if (n > 32 && b[32] != '\n')
		return -ENODATA;
	memcpy(id, b, 32);
	id[32] = '\0';
	return 0;
}

/* The journal files of the directory DFD (closed), opened into fds. */
static void journal_files(int dfd, int *fds, size_t *n)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *de;
	while (*n < NSPAWN_JOURNAL_FILES && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		bool j = (l > 8 && !strcmp(de->d_name + l - 8, ".journal")) ||
			 (l > 9 && !strcmp(de->d_name + l - 9, ".journal~"));
		if (!j)
			continue;
		int fd = openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		fd = reopen_regular(fd < 0 ? -errno : fd);
		if (fd >= 0)
			fds[(*n)++] = fd;
	}
	closedir(d);
}

/* Whether the directory fd is the host's own root. */
static bool host_root(int fd)
{
	struct stat rs, hs;
	return fstat(fd, &rs) < 0 || stat("/", &hs) < 0 || (rs.st_dev == hs.st_dev && rs.st_ino == hs.st_ino);
}

/*
 * The container's root: its lowest pid's, or, when that is nspawn itself
 * (the supervisor beside the payload in machine-NAME.scope, same root as
 * the host's), the root of the child it started the container with.
 * -ESRCH: the pid is gone; -ENODATA: no root other than the host's.
 */
static int nspawn_root(pid_t init)
{
	char p[96];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)init);
	int fd = init > 0 ? open(p, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0)
		return -ESRCH;
	if (!host_root(fd))
		return fd;
	close(fd);
	snprintf(p, sizeof(p), "/proc/%d/task/%d/children", (int)init, (int)init);
	char b[256];
	int cfd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = cfd >= 0 ? read(cfd, b, sizeof(b) - 1) : -1;
	if (cfd >= 0)
		close(cfd);
	b[n > 0 ? n : 0] = '\0';
	for (char *t = b, *end; *t;) {
		long c = strtol(t, &end, 10);
		if (end == t)
			break;
		t = end;
		snprintf(p, sizeof(p), "/proc/%ld/root", c);
		if (c > 0 && (fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			if (!host_root(fd))
				return fd;
			close(fd);
		}
	}
	return -ENODATA;
}

/*
 * systemd-nspawn's container NAME, whose init is pid INIT: its journal, as
 * `journalctl -M NAME` shows it.
 */
int logs_open_nspawn(struct sysroot *sr, const char *name, pid_t init, struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	ls->sr = sr;
	ls->jall = true;
	if (!sr->live)
		return nerr_input(e, -EINVAL, "an nspawn container's journal is read on the live system, not a --sysroot");
	struct buf q = {0};
	const char *shown = str_esc(&q, name);
	int rootfd = nspawn_root(init);
	int r = 0;
	if (rootfd == -ESRCH)
		r = nerr_set(e, -ESRCH, "%s: its init (pid %d) is gone", shown, (int)init);
	else if (rootfd < 0)
		r = nerr_set(e, -ENODATA, "%s: none of its processes has a root of its own: no journal to read", shown);
	char mid[33];
	if (!r && machine_id(rootfd, mid) < 0)
		r = nerr_set(e, -ENODATA, "%s: no machine id in its /etc/machine-id, so no journal of its own", shown);
	int fds[NSPAWN_JOURNAL_FILES];
	size_t nfd = 0;
	if (!r) {
		char d[128];
		/* --link-journal=host keeps the files in the host's
		 * /var/log/journal/ID and bind-mounts that into the container's
		 * /var/log/journal/ID: read there, through the container's root,
		 * never by the id alone on the host (any container may claim
		 * another machine's id); try-guest's host link points into it */
		int dfd;
		static const char *const in[] = {"var/log/journal", "run/log/journal"};
		for (size_t i = 0; i < 2; i++) {
			snprintf(d, sizeof(d), "%s/%s", in[i], mid);
			dfd = open_in_root(rootfd, d, O_RDONLY | O_DIRECTORY);
			if (dfd >= 0)
				journal_files(dfd, fds, &nfd);
		}
		if (!nfd)
			r = nerr_set(e, -ENODATA, "%s: no journal files in its /var/log/journal/%s or /run/log/journal/%s "
				     "(no journald runs in it, or --link-journal put them elsewhere)", shown, mid, mid);
	}
	if (rootfd >= 0)
		close(rootfd);
	sd_journal *j = NULL;
	if (!r) {
		jbus_begin();
		r = sd_journal_open_files_fd(&j, fds, (unsigned)nfd, 0);
		if (jbus_end() && r >= 0) {
			sd_journal_close(j);
			r = -EIO;
		}
		if (r < 0)
			r = nerr_set(e, r, "%s: its journal: %s", shown, strerror(-r));
	}
	if (r < 0) {
		for (size_t i = 0; i < nfd; i++)
			close(fds[i]);
		buf_free(&q);
		return r;
	}
	sd_journal_set_data_threshold(j, LOG_TEXT_MAX);
	ls->jr = j;
	ls->jfds = xcalloc(nfd, sizeof(int));
	memcpy(ls->jfds, fds, nfd * sizeof(int));
	ls->njfds = nfd;
	snprintf(ls->path, sizeof(ls->path), "its journal (machine id %s, %zu files)", mid, nfd);
	buf_free(&q);
	return 0;
}

/* A container's log as its runtime keeps it, opened; e says why not. */
int logs_open_ctr(struct sysroot *sr, const struct snap *s, const struct container *k,
		  struct logsrc *ls, struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	if (!sr->live)
		return nerr_input(e, -EINVAL, "logs are read on the live system, not a --sysroot");
	switch (k->rt) {
	case RT_DOCKER:
		return logs_open_docker(sr, s, k->id, ls, e);
	case RT_PODMAN:
		return logs_open_podman(sr, s, k->id, k->init_pid, ls, e);
	case RT_NSTOP:
		return logs_open_own(k->name ? k->name : k->id, ls, e);
	case RT_LXC:
		return logs_open_lxc(sr, k->id, ls, e);
	case RT_NSPAWN:
		return logs_open_nspawn(sr, k->id, k->init_pid, ls, e);
	case RT_K8S:
	case RT_CONTAINERD:
	case RT_CRIO: {
		struct cri_ref ref;
		if (logs_find_cri(sr, k->id, &ref) < 0)
			return nerr_set(e, -ENODATA, "no kubelet link to its log in /var/log/containers "
					"(outside Kubernetes containerd and CRI-O keep no log file)");
		return logs_open_cri(sr, ref.ns, ref.pod, ref.uid, ref.ctr, (long)ref.restart, ls, e);
	}
	default:
		/* (runtime_name is container.c's, which calls in here) */
		return nerr_input(e, -EINVAL, "logs of this runtime's containers are not read "
				  "(Docker's, Podman's, Kubernetes', LXC's, nspawn's and nstop's own are)");
	}
}
