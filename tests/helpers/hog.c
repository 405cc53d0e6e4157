// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: a misbehaving workload that dies with its parent.
 *   hog cpu            spin
 *   hog mem BYTES      touch BYTES of memory, 1 MiB at a time, then sleep
 *   hog oom BYTES MS   the same, then after MS milliseconds go on touching
 *                      1 MiB at a time until killed (an OOM kill at a limit)
 *   hog fork           fork sleeping children until fork fails; print the
 *                      number of tasks (itself included), then sleep
 *   hog forker         fork short-lived children that fork again, forever
 *   hog ignore-term    ignore SIGTERM and sleep
 * It prints "ready" once started (after the memory or forks for mem/fork).
 * Memory is mapped, not malloc'd: what the cgroup is charged is what
 * is asked for, whatever the allocator keeps beside it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void ready(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

/* 1 MiB touched, or 0 when the mapping fails */
static int grab(int fill)
{
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	memset(p, fill, 1 << 20);
	return 1;
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
	if ((!strcmp(mode, "mem") && argc > 2) || (!strcmp(mode, "oom") && argc > 3)) {
		size_t want = strtoull(argv[2], NULL, 10), got = 0;
		ready("ready");
		while (got < want) {
			if (!grab(0xa5))
				return 3;
			got += 1 << 20;
		}
		ready("allocated");
		if (!strcmp(mode, "oom")) {
			nap(strtol(argv[3], NULL, 10));
			for (;;)
				if (!grab(0x5a))
					return 3;
		}
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
	fprintf(stderr, "usage: hog cpu|mem BYTES|oom BYTES MS|fork|forker|ignore-term\n");
	return 2;
}
