/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sysroot layer: dir fds for proc/ and the cgroup mounts ("/" or --sysroot),
 * and the cgroup directories beneath them, read-only (sysroot.c, cgdir.c). */
#ifndef NSTOP_SYSROOT_H
#define NSTOP_SYSROOT_H

#include "util/util.h"

/* ---- sysroot.c ---- */
enum cg_layout { CG_NONE, CG_V1, CG_V2, CG_HYBRID };
#define CG_MAX_MOUNTS 24
struct cg_mount {
	int version;        /* 1 or 2 */
	char *controllers;  /* v1: "cpu,cpuacct" or "name=systemd"; v2: "" */
	char *dir;          /* mount point, e.g. /sys/fs/cgroup/memory */
	char *root;         /* root of the mount inside the hierarchy ("/" normally) */
	int fd;             /* O_PATH|O_DIRECTORY of dir under the sysroot */
};
struct sysroot {
	char *dir;          /* "/" or the --sysroot DIR */
	bool live;
	int root_fd;        /* the sysroot itself */
	int proc_fd;        /* DIR/proc */
	enum cg_layout layout;
	struct cg_mount mounts[CG_MAX_MOUNTS];
	int nmounts;
};
int sysroot_open(struct sysroot *sr, const char *dir, struct nerr *e);
void sysroot_close(struct sysroot *sr);
/* cgdir.c: cgroup directories beneath the sysroot's mounts, read-only */
bool cgx_has_ctrl(const char *list, const char *ctrl);
int cgx_mount_for(const struct sysroot *sr, const char *ctrl);
const char *cgx_mount_key(const struct sysroot *sr, int mi);
int cgx_mount_by_key(const struct sysroot *sr, const char *key);
const char *cgx_rel(const struct cg_mount *m, const char *path);
int cgx_open(const struct sysroot *sr, int mi, const char *path);
int cgx_read(int dfd, const char *file, char *out, size_t n);
/* a cgroup tree deeper than this below an action's target is refused */
#define CGX_MEMBERS_DEPTH 256
size_t cgx_members(const struct sysroot *sr, int mi, const char *path, pid_t **out, int *err);
/* The start time of a live pid (-ESRCH: gone or a zombie). */
int sysroot_pid_start(struct sysroot *sr, pid_t pid, uint64_t *start);
const char *cg_layout_name(enum cg_layout l);
int read_file_at(int dirfd, const char *path, struct buf *b);
int read_small_at(int dirfd, const char *path, char *out, size_t n);

#endif
