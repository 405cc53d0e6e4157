// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark load: N sleeping processes in N/50 containers. Each container
 * has its own pid, mnt (with its own /proc), uts, ipc and net namespaces and
 * three nested cgroups in each hierarchy directory given (all beneath the
 * benchmark's own cgroup). Prints "ready" when all exist; on EOF of stdin
 * (or SIGTERM) it kills every container and removes the cgroups it made.
 * Everything dies with it (PR_SET_PDEATHSIG) should it be killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* processes per container: 50, or LOAD_PER */
static int PER = 50;

static void join(const char *dir)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "0", 1);
		close(fd);
	}
}

static void container(int k, int ndirs, char **dirs, int ready)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	char host[32];
	snprintf(host, sizeof(host), "load-%d", k);
	sethostname(host, strlen(host));
	char sub[3][4200];
	for (int d = 0; d < ndirs; d++) {
		snprintf(sub[0], sizeof(sub[0]), "%s/c%d", dirs[d], k);
		snprintf(sub[1], sizeof(sub[1]), "%s/c%d/a", dirs[d], k);
		snprintf(sub[2], sizeof(sub[2]), "%s/c%d/a/b", dirs[d], k);
		for (int i = 0; i < 3; i++)
			mkdir(sub[i], 0755);
	}
	for (int i = 0; i < PER; i++) {
		pid_t p = fork();
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (int d = 0; d < ndirs; d++) {
				char leaf[4200];
				snprintf(leaf, sizeof(leaf), "%s/c%d%s", dirs[d], k,
					 i % 3 == 0 ? "" : i % 3 == 1 ? "/a" : "/a/b");
				join(leaf);
			}
			for (;;)
				pause();
		}
	}
	(void)!write(ready, "r", 1);
	close(ready);
	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
}

static void rm_cgroups(int ncont, int ndirs, char **dirs)
{
	char p[4200];
	for (int d = 0; d < ndirs; d++)
		for (int k = 0; k < ncont; k++)
			for (int lvl = 2; lvl >= 0; lvl--) {
				snprintf(p, sizeof(p), "%s/c%d%s", dirs[d], k,
					 lvl == 2 ? "/a/b" : lvl == 1 ? "/a" : "");
				for (int t = 0; t < 100 && rmdir(p) < 0 && errno == EBUSY; t++) {
					struct timespec ts = {0, 20 * 1000 * 1000};
					nanosleep(&ts, NULL);
				}
			}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: load N [CGROUP-DIR...]\n");
		return 2;
	}
	const char *per = getenv("LOAD_PER");
	if (per && atoi(per) > 0)
		PER = atoi(per);
	int n = atoi(argv[1]), ncont = (n + PER - 1) / PER;
	int ndirs = argc - 2;
	char **dirs = argv + 2;
	pid_t *inits = calloc((size_t)ncont, sizeof(*inits));
	signal(SIGTERM, SIG_IGN); /* torn down on stdin's EOF instead */
	int made = 0;
	for (int k = 0; k < ncont; k++) {
		int pp[2];
		if (pipe(pp) < 0)
			break;
		pid_t p = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
						      CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD,
					 NULL, NULL, NULL, NULL);
		if (p == 0) {
			close(pp[0]);
			container(k, ndirs, dirs, pp[1]);
			_exit(0);
		}
		close(pp[1]);
		if (p < 0) {
			perror("clone");
			close(pp[0]);
			break;
		}
		inits[made++] = p;
		char c;
		(void)!read(pp[0], &c, 1);
		close(pp[0]);
	}
	printf(made == ncont ? "ready\n" : "partial\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof(buf)) > 0)
		;
	/* a pid namespace's init takes its namespace with it */
	for (int k = 0; k < made; k++)
		kill(inits[k], SIGKILL);
	for (int k = 0; k < made; k++)
		waitpid(inits[k], NULL, 0);
	rm_cgroups(made, ndirs, dirs);
	free(inits);
	return 0;
}
