// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop enter: a command inside a container. Every namespace fd, the
 * target's root and directory and its cgroup directories are opened first;
 * the cgroups are joined while nstop is still the host's root (inside a
 * user namespace the host's cgroup files are out of reach); then the
 * namespaces, the user namespace last (as nsenter does: the host's root may
 * join any other namespace first, not so from inside the container's user
 * namespace); a fork, since the pid namespace applies to children; the
 * target's root and directory; the container's privileges for nstop's own
 * containers; and the command or a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../nstop.h"

static const int ns_flag[NS_NTYPES] = {
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC, [NS_MNT] = CLONE_NEWNS,
	[NS_NET] = CLONE_NEWNET,       [NS_PID] = CLONE_NEWPID, [NS_TIME] = 0x80,
	[NS_USER] = CLONE_NEWUSER,     [NS_UTS] = CLONE_NEWUTS,
};

/* The first process of a cgroup target. */
static pid_t first_pid(struct sysroot *sr, const struct act_target *t)
{
	int mi = act_primary_mount(sr, t);
	pid_t *p = NULL;
	size_t n = mi < 0 ? 0 : cgx_members(sr, mi, t->paths[mi], &p);
	pid_t r = n ? p[0] : 0;
	free(p);
	return r;
}

static bool privileged_ctr(const struct act_target *t)
{
	struct jv st;
	if (t->rt != RT_NSTOP || !t->name || state_load(t->name, &st) < 0)
		return false;
	const struct jv *p = jv_get(&st, "privileged");
	bool r = p && p->type == JV_BOOL && p->b;
	jv_free(&st);
	return r;
}

static int shell_exec(char **cmd, const char *shell)
{
	if (cmd && cmd[0]) {
		execvp(cmd[0], cmd);
	} else {
		const char *sh = shell && access(shell, X_OK) == 0 ? shell : "/bin/sh";
		execl(sh, sh, (char *)NULL);
	}
	int err = errno;
	const char *what = cmd && cmd[0] ? cmd[0] : shell ? shell : "/bin/sh";
	struct buf b = {0};
	str_escape(&b, what, strlen(what), ESC_TEXT);
	fprintf(stderr, "nstop: enter: %s: %s\n", buf_str(&b),
		err == ENOENT ? "not found" : strerror(err));
	buf_free(&b);
	return err == ENOENT ? 127 : 126;
}

/*
 * Returns CMD's exit status (128 + signal when killed), or -errno with e
 * filled when nstop itself failed (the CLI then exits 125).
 */
int act_enter(struct sysroot *sr, const char *word, unsigned ns, char **cmd, struct nerr *e)
{
	struct act_target t;
	int r = act_resolve(sr, word, &t, e);
	if (r < 0)
		return r;
	pid_t pid = t.pid ? t.pid : first_pid(sr, &t);
	struct buf d = {0};
	if (!pid) {
		nerr_set(e, -EINVAL, "%s: no process in it to enter", act_target_desc(&t, &d));
		r = -EINVAL;
		goto out;
	}
	if (act_frozen(sr, &t) == 1) {
		nerr_set(e, -EBUSY, "%s is frozen: a command in it would hang; thaw it first",
			 act_target_desc(&t, &d));
		r = -EBUSY;
		goto out;
	}
	bool priv = t.rt != RT_NSTOP || privileged_ctr(&t);
	if (!ns)
		ns = (1u << NS_NTYPES) - 1;
	/* ---- everything opened first ---- */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int fds[NS_NTYPES];
	for (int i = 0; i < NS_NTYPES; i++)
		fds[i] = -1;
	int rootfd = -1, cwdfd = -1;
	int cgfds[CG_MAX_MOUNTS];
	int ncg = 0;
	if (pidfd < 0) {
		r = -errno;
		nerr_set(e, r, "pid %d: %s", (int)pid, strerror(errno));
		goto out;
	}
	for (int i = 0; i < NS_NTYPES && !r; i++) {
		if (!(ns & (1u << i)))
			continue;
		char p[64], q[64];
		struct stat a, b;
		snprintf(p, sizeof(p), "%d/ns/%s", (int)pid, ns_type_name(i));
		snprintf(q, sizeof(q), "self/ns/%s", ns_type_name(i));
		if (fstatat(sr->proc_fd, p, &a, 0) < 0)
			continue; /* a kernel without it */
		if (fstatat(sr->proc_fd, q, &b, 0) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue; /* already there: setns to one's own user namespace fails */
		fds[i] = openat(sr->proc_fd, p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = -errno;
			nerr_set(e, r, "%s: %s", p, strerror(errno));
		}
	}
	if (!r && (ns & (1u << NS_MNT))) {
		char p[64];
		snprintf(p, sizeof(p), "%d/root", (int)pid);
		rootfd = openat(sr->proc_fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		snprintf(p, sizeof(p), "%d/cwd", (int)pid);
		cwdfd = openat(sr->proc_fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			r = -errno;
			nerr_set(e, r, "pid %d's root: %s", (int)pid, strerror(errno));
		}
	}
	if (!r && (ns & ((1u << NS_PID) | (1u << NS_CGROUP)))) {
		struct act_target pc = {0};
		act_pid_cgroups(sr, pid, &pc);
		for (int i = 0; i < sr->nmounts; i++) {
			if (!pc.paths[i])
				continue;
			int fd = cgx_open(sr, i, pc.paths[i]);
			if (fd >= 0)
				cgfds[ncg++] = fd;
		}
		act_target_free(&pc);
	}
	/* the process must still be the one resolved: checked through the pidfd */
	if (!r && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		r = -ESRCH;
		nerr_set(e, r, "pid %d exited", (int)pid);
	}
	const char *shell = NULL;
	struct passwd *pw = getpwuid(getuid());
	char shellbuf[256] = "";
	if (pw && pw->pw_shell)
		snprintf(shellbuf, sizeof(shellbuf), "%s", pw->pw_shell);
	shell = shellbuf[0] ? shellbuf : NULL;
	/* ---- cgroups, while still the host's root ---- */
	for (int i = 0; i < ncg && !r; i++) {
		int k = cgx_write(cgfds[i], "cgroup.procs", "0");
		if (k < 0 && k != -EOPNOTSUPP && k != -EBUSY) {
			r = k;
			nerr_set(e, r, "joining the target's cgroup: %s", strerror(-k));
		}
	}
	/* ---- namespaces: all but user, then user, then what failed ---- */
	bool pending[NS_NTYPES] = {0};
	for (int i = 0; i < NS_NTYPES && !r; i++) {
		if (fds[i] < 0 || i == NS_USER)
			continue;
		if (setns(fds[i], ns_flag[i]) < 0)
			pending[i] = true;
	}
	if (!r && fds[NS_USER] >= 0) {
		if (setns(fds[NS_USER], CLONE_NEWUSER) < 0) {
			r = -errno;
			nerr_set(e, r, "setns user: %s", strerror(errno));
		} else if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) {
			r = -errno;
			nerr_set(e, r, "becoming root of the target's user namespace: %s", strerror(errno));
		}
	}
	for (int i = 0; i < NS_NTYPES && !r; i++) {
		if (pending[i] && setns(fds[i], ns_flag[i]) < 0) {
			r = -errno;
			nerr_set(e, r, "setns %s: %s", ns_type_name(i), strerror(errno));
		}
	}
	for (int i = 0; i < NS_NTYPES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < ncg; i++)
		close(cgfds[i]);
	close(pidfd);
	if (r)
		goto out_fds;
	fflush(NULL);
	/* the pid namespace applies to children */
	pid_t child = fork();
	if (child < 0) {
		r = -errno;
		nerr_set(e, r, "fork: %s", strerror(errno));
		goto out_fds;
	}
	if (child == 0) {
		if (rootfd >= 0) {
			if (fchdir(rootfd) < 0 || chroot(".") < 0) {
				fprintf(stderr, "nstop: enter: the target's root: %s\n", strerror(errno));
				_exit(125);
			}
			if (cwdfd < 0 || fchdir(cwdfd) < 0)
				if (chdir("/") < 0)
					_exit(125);
		}
		if (!priv) {
			struct nerr se = {0};
			if (secure_caps(&se) < 0 || secure_seccomp(&se) < 0) {
				fprintf(stderr, "nstop: enter: %s\n", se.msg);
				_exit(125);
			}
		}
		_exit(shell_exec(cmd, shell));
	}
	/* like a shell: the keyboard's signals are for the command */
	struct sigaction ign = {.sa_handler = SIG_IGN}, oint, oquit;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	int st;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	r = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
out_fds:
	if (rootfd >= 0)
		close(rootfd);
	if (cwdfd >= 0)
		close(cwdfd);
out:
	buf_free(&d);
	act_target_free(&t);
	return r;
}
