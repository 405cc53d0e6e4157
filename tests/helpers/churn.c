// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: churn. Forks and reaps RATE short-lived processes a second
 * (every fourth in new uts and ipc namespaces, every eighth in a new pid
 * namespace), and creates and removes cgroups beneath each DIR given, until
 * killed; it dies with its parent. Prints "ready" once going.
 *   churn RATE [DIR...]
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rate = argc > 1 ? atoi(argv[1]) : 200;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct timespec gap = {0, rate > 0 ? 1000000000L / rate : 5000000L};
	printf("ready\n");
	fflush(stdout);
	for (unsigned long i = 0;; i++) {
		unsigned long flags = SIGCHLD;
		if (i % 4 == 0)
			flags |= CLONE_NEWUTS | CLONE_NEWIPC;
		if (i % 8 == 0)
			flags |= CLONE_NEWPID;
		pid_t p = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
		if (p == 0) {
			struct timespec t = {0, 3 * 1000 * 1000};
			nanosleep(&t, NULL);
			_exit(0);
		}
		if (p < 0 && errno == EINVAL) /* no namespaces here: plain forks */
			if (fork() == 0)
				_exit(0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		for (int d = 2; d < argc && i % 10 == 0; d++) {
			char c[4200];
			snprintf(c, sizeof(c), "%s/churn-%lu", argv[d], (i / 10) % 5);
			if (mkdir(c, 0755) < 0 && errno == EEXIST)
				rmdir(c);
		}
		nanosleep(&gap, NULL);
	}
}
