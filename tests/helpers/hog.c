// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: a misbehaving workload that dies with its parent.
 *   hog cpu            spin
 *   hog mem BYTES      touch BYTES of memory, 1 MiB at a time, then sleep
 *   hog fork           fork sleeping children until fork fails; print the
 *                      number of tasks (itself included), then sleep
 *   hog forker         fork short-lived children that fork again, forever
 *   hog ignore-term    ignore SIGTERM and sleep
 * It prints "ready" once started (after the memory or forks for mem/fork).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void ready(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!strcmp(mode, "cpu")) {
		ready("ready");
		for (volatile unsigned long i = 0;; i++)
			;
	}
	if (!strcmp(mode, "mem") && argc > 2) {
		size_t want = strtoull(argv[2], NULL, 10), got = 0;
		ready("ready");
		while (got < want) {
			char *p = malloc(1 << 20);
			if (!p)
				return 3;
			memset(p, 0xa5, 1 << 20);
			got += 1 << 20;
		}
		ready("allocated");
		for (;;)
			pause();
	}
	if (!strcmp(mode, "fork")) {
		int tasks = 1;
		for (;;) {
			pid_t p = fork();
			if (p < 0)
				break;
			if (p == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			tasks++;
		}
		printf("%d\n", tasks);
		ready("ready");
		for (;;)
			pause();
	}
	if (!strcmp(mode, "forker")) {
		ready("ready");
		for (;;) {
			pid_t p = fork();
			if (p == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (fork() == 0) {
					nap(30);
					_exit(0);
				}
				nap(30);
				_exit(0);
			}
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			nap(5);
		}
	}
	if (!strcmp(mode, "ignore-term")) {
		signal(SIGTERM, SIG_IGN);
		ready("ready");
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: hog cpu|mem BYTES|fork|forker|ignore-term\n");
	return 2;
}
