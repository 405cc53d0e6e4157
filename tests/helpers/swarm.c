// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: forks N sleeping children that die with it (PR_SET_PDEATHSIG),
 * so a test can load the host with thousands of processes and remove them
 * all by killing this one pid. Prints "ready" when all exist.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	pid_t parent = getpid();
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return 1;
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
