// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop rm: SIGTERM to the container's init (which forwards it), a grace
 * period, SIGKILL (which takes the whole pid namespace), then its ports'
 * proxy and whatever else is in its cgroups; then the veth, the cgroups
 * (with any the container made inside its cgroup namespace), the writable
 * layer and the registry entry. And nstop logs: the container's output,
 * escaped on a terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../collect/collect.h"
#include "act.h"

/* Waits up to sec for the process behind pidfd to exit. */
static bool wait_exit(int pidfd, double sec)
{
	struct pollfd p = {pidfd, POLLIN, 0};
	int ms = (int)(sec * 1000);
	return poll(&p, 1, ms) > 0;
}

static int rmdir_tree(const struct sysroot *sr, int mi, const char *path)
{
	const struct cg_mount *m = &sr->mounts[mi];
	const char *rel = cgx_rel(m, path);
	if (!rel || !strcmp(rel, "."))
		return -EINVAL;
	int r = 0;
	/* nested cgroups first (a container may make its own) */
	int dfd = cgx_open(sr, mi, path);
	if (dfd >= 0) {
		DIR *d = fdopendir(dfd);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			struct buf sub = {0};
			buf_printf(&sub, "%s/%s", path, de->d_name);
			int e = rmdir_tree(sr, mi, buf_str(&sub));
			if (e && !r)
				r = e;
			buf_free(&sub);
		}
		if (d)
			closedir(d);
		else
			close(dfd);
	}
	for (int k = 0; k < 150; k++) {
		if (unlinkat(m->fd, rel, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return r;
		if (errno != EBUSY)
			break;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return r ? r : -errno;
}

/*
 * The whole removal holds the registry's lock (state_lock), which create
 * takes to claim a name: the container checked (its id, with expect_id)
 * is the one removed, never one made meanwhile under the same name and
 * cgroup paths by another nstop (rm -f, then create). Creates wait for
 * the removal, grace included.
 */
int act_rm(struct sysroot *sr, const char *name, const char *expect_id, double grace,
	   struct act_target *t, struct nerr *e)
{
	memset(t, 0, sizeof(*t));
	struct buf b = {0};
	str_escape(&b, name, strlen(name), ESC_TEXT);
	int lk = state_lock();
	if (lk < 0) {
		nerr_set(e, lk, "%s: %s/.lock: %s", buf_str(&b), state_dir(),
			 lk == -EINTR ? "interrupted while another nstop held it" : strerror(-lk));
		buf_free(&b);
		return lk;
	}
	struct jv st;
	int r = state_load(name, &st);
	if (r < 0) {
		nerr_input(e, -EINVAL, "%s: no such nstop container (see nstop containers)", buf_str(&b));
		buf_free(&b);
		close(lk);
		return -EINVAL;
	}
	const char *id = jv_str(&st, "id");
	if (expect_id && (!id || strcmp(id, expect_id))) {
		nerr_set(e, -ESTALE, "%s: now another container's name (not id %.12s): left alone",
			 buf_str(&b), expect_id);
		jv_free(&st);
		buf_free(&b);
		close(lk);
		return -ESTALE;
	}
	buf_free(&b);
	state_fill_target(sr, &st, t);
	act_target_finish(sr, t);
	t->word = xstrdup(name);
	if (t->pid > 0) {
		int fd = (int)syscall(SYS_pidfd_open, t->pid, 0);
		uint64_t now = 0;
		double start = 0;
		jv_num(&st, "start", &start);
		/* the pidfd pins the process: checked after it is open */
		if (fd >= 0 && sysroot_pid_start(sr, t->pid, &now) == 0 && now == (uint64_t)start) {
			if (grace > 0) {
				syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
				if (!wait_exit(fd, grace))
					syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
			} else {
				syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
			}
			wait_exit(fd, 5);
		}
		if (fd >= 0)
			close(fd);
	}
	/* the ports' proxy ends with the init; gone, with its sockets, before rm
	 * returns (a port published again at once must be free) */
	publish_stop(sr, &st);
	/* what is left in its cgroups (entered shells outside its pid namespace) */
	int mi = act_primary_mount(sr, t);
	pid_t *p = NULL;
	int err = 0;
	if (mi >= 0 && (cgx_members(sr, mi, t->paths[mi], &p, &err) > 0 || err < 0)) {
		struct kill_result kr;
		struct nerr ke = {0};
		act_kill(sr, t, SIGKILL, 0, &kr, &ke);
	}
	free(p);
	const char *veth = jv_str(&st, "veth");
	if (veth && net_veth_delete(veth) < 0 && !r) {
		r = -EIO;
		nerr_set(e, r, "%s: deleting veth %s failed", name, veth);
	}
	for (int i = 0; i < sr->nmounts; i++) {
		if (!t->paths[i])
			continue;
		int k = rmdir_tree(sr, i, t->paths[i]);
		if (k < 0 && !r) {
			r = k;
			nerr_set(e, r, "%s: removing cgroup %s (%s): %s", name, t->paths[i],
				 cgx_mount_key(sr, i), strerror(-k));
		}
	}
	/* the registry entry goes last, so a failed rm can be retried */
	if (!r) {
		int k = state_remove(name);
		if (k < 0) {
			r = k;
			nerr_set(e, r, "%s: removing its state: %s", name, strerror(-k));
		}
	}
	jv_free(&st);
	close(lk);
	return r;
}

/* Copies the container's log to out (escaped when out is a terminal);
 * with follow, keeps going until the container's init is gone. */
int act_logs(struct sysroot *sr, const char *name, bool follow, int out, struct nerr *e)
{
	struct jv st;
	if (state_load(name, &st) < 0) {
		struct buf b = {0};
		str_escape(&b, name, strlen(name), ESC_TEXT);
		nerr_input(e, -EINVAL, "%s: no such nstop container (see nstop containers)", buf_str(&b));
		buf_free(&b);
		return -EINVAL;
	}
	int dfd = state_open(name);
	int fd = dfd < 0 ? -1 : openat(dfd, "log", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		close(dfd);
	if (fd < 0) {
		int r = -errno;
		nerr_set(e, r, "%s: its log: %s", name, strerror(errno));
		jv_free(&st);
		return r;
	}
	bool tty = isatty(out);
	char buf[65536];
	struct buf esc = {0};
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			const char *w = buf;
			size_t len = (size_t)n;
			if (tty) {
				/* the container's bytes are untrusted: no escape
				 * sequence reaches the terminal */
				buf_reset(&esc);
				size_t s = 0;
				for (size_t i = 0; i <= len; i++) {
					if (i == len || buf[i] == '\n' || buf[i] == '\t') {
						str_escape(&esc, buf + s, i - s, ESC_TEXT);
						if (i < len)
							buf_addc(&esc, buf[i]);
						s = i + 1;
					}
				}
				w = esc.p;
				len = esc.len;
			}
			while (len) {
				ssize_t k = write(out, w, len);
				if (k <= 0)
					break;
				w += k;
				len -= (size_t)k;
			}
			continue;
		}
		if (!follow)
			break;
		struct act_target t = {0};
		state_fill_target(sr, &st, &t);
		bool alive = t.pid > 0;
		act_target_free(&t);
		if (!alive) {
			/* what it wrote while dying */
			struct stat sb;
			if (fstat(fd, &sb) < 0 || lseek(fd, 0, SEEK_CUR) >= sb.st_size)
				break;
			continue;
		}
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	buf_free(&esc);
	close(fd);
	jv_free(&st);
	return 0;
}
