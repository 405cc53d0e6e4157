// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The filesystem nstop reads: "/" on a live host, or --sysroot DIR holding a
 * proc/ and sys/fs/cgroup/ tree (fixtures). Every later open is relative to
 * the dir fds opened here, so a sysroot can never leak into the live host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/parse.h"
#include "sysroot.h"

#define READ_MAX (4u << 20)

/* Reads a whole (small) file below dirfd, without following a final symlink
 * (nor waiting for a writer: a FIFO in a --sysroot would block the open). */
int read_file_at(int dirfd, const char *path, struct buf *b)
{
	buf_reset(b);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		buf_grow(b, 4096);
		ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > READ_MAX)
			break;
	}
	b->p[b->len] = '\0';
	close(fd);
	return (int)b->len;
}

/* Reads at most n-1 bytes into out, NUL-terminated; returns the length. */
int read_small_at(int dirfd, const char *path, char *out, size_t n)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ssize_t r;
	do
		r = read(fd, out, n - 1);
	while (r < 0 && errno == EINTR);
	int e = r < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return e;
	out[r] = '\0';
	return (int)r;
}

const char *cg_layout_name(enum cg_layout l)
{
	switch (l) {
	case CG_V1: return "v1";
	case CG_V2: return "v2";
	case CG_HYBRID: return "hybrid";
	default: return "none";
	}
}

static const char *const v1_controllers[] = {
	"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
	"perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc",
};

/* The controller list of a v1 mount, from its super options ("rw,cpu,cpuacct"). */
static char *v1_ctrl_list(const char *opts)
{
	struct buf b = {0};
	char *dup = xstrdup(opts), *save = NULL;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool known = !strncmp(t, "name=", 5);
		for (size_t i = 0; i < ARRAY_LEN(v1_controllers) && !known; i++)
			known = !strcmp(t, v1_controllers[i]);
		if (!known)
			continue;
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, t);
	}
	free(dup);
	buf_str(&b);
	return b.p;
}

struct mi_ctx {
	struct sysroot *sr;
};

static void on_mount(void *arg, const struct mountinfo_ent *m)
{
	struct sysroot *sr = ((struct mi_ctx *)arg)->sr;
	int version;
	if (!strcmp(m->fstype, "cgroup2"))
		version = 2;
	else if (!strcmp(m->fstype, "cgroup"))
		version = 1;
	else
		return;
	char *ctrl = version == 1 ? v1_ctrl_list(m->super_opts) : xstrdup("");
	/* a hierarchy mounted twice (bind mounts, containers) is walked once */
	for (int i = 0; i < sr->nmounts; i++) {
		if (sr->mounts[i].version == version && !strcmp(sr->mounts[i].controllers, ctrl)) {
			free(ctrl);
			return;
		}
	}
	if (sr->nmounts == CG_MAX_MOUNTS || (version == 1 && !*ctrl)) {
		free(ctrl);
		return;
	}
	const char *rel = m->mnt_point;
	while (*rel == '/')
		rel++;
	int fd = openat(sr->root_fd, *rel ? rel : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		free(ctrl);
		return;
	}
	struct cg_mount *cm = &sr->mounts[sr->nmounts++];
	cm->version = version;
	cm->controllers = ctrl;
	cm->dir = xstrdup(m->mnt_point);
	cm->root = xstrdup(m->root);
	cm->fd = fd;
}

int sysroot_open(struct sysroot *sr, const char *dir, struct nerr *e)
{
	memset(sr, 0, sizeof(*sr));
	sr->root_fd = sr->proc_fd = -1;
	sr->live = !dir || !strcmp(dir, "/");
	sr->dir = xstrdup(dir ? dir : "/");
	sr->root_fd = open(sr->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sr->root_fd < 0) {
		int err = -errno;
		/* a --sysroot DIR that is not there is the input's fault; / is the system's */
		if (!sr->live)
			return nerr_input(e, err, "%s: %s", sr->dir, strerror(-err));
		return nerr_set(e, err, "%s: %s", sr->dir, strerror(-err));
	}
	sr->proc_fd = openat(sr->root_fd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sr->proc_fd < 0) {
		int err = -errno;
		if (!sr->live)
			return nerr_input(e, err, "%s/proc: %s", sr->dir, strerror(-err));
		return nerr_set(e, err, "/proc: %s", strerror(-err));
	}
	struct buf b = {0};
	int r = read_file_at(sr->proc_fd, "self/mountinfo", &b);
	if (r >= 0) {
		struct mi_ctx ctx = {sr};
		parse_mountinfo(b.p, b.len, on_mount, &ctx);
	}
	buf_free(&b);
	bool v1 = false, v2 = false;
	for (int i = 0; i < sr->nmounts; i++) {
		if (sr->mounts[i].version == 1)
			v1 = true;
		else
			v2 = true;
	}
	sr->layout = v1 && v2 ? CG_HYBRID : v1 ? CG_V1 : v2 ? CG_V2 : CG_NONE;
	return 0;
}

void sysroot_close(struct sysroot *sr)
{
	for (int i = 0; i < sr->nmounts; i++) {
		close(sr->mounts[i].fd);
		free(sr->mounts[i].controllers);
		free(sr->mounts[i].dir);
		free(sr->mounts[i].root);
	}
	if (sr->proc_fd >= 0)
		close(sr->proc_fd);
	if (sr->root_fd >= 0)
		close(sr->root_fd);
	free(sr->dir);
	memset(sr, 0, sizeof(*sr));
	sr->root_fd = sr->proc_fd = -1;
}
