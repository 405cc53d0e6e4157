// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attacker of tests/escape/enter-race.sh, run as pid 1 of a sandbox
 * (its own pid and mount namespaces, a root of its own) that keeps only
 * CAP_SYS_PTRACE of root's capabilities. `raceprobe watch REL SECONDS SECRET`
 * stops every new process of its pid namespace as soon as /proc shows it
 * (SIGSTOP: whatever it is doing, it waits), and while it is stopped looks
 * for the host's file REL (a path relative to the host's /, which is out
 * of the sandbox's root) through /proc/PID/root, /proc/PID/cwd and every
 * directory descriptor /proc/PID/fd/N, and for the operator's SECRET in
 * /proc/PID/environ; then lets it go on. It prints
 * "stopped N" for each process it stopped, "FOUND pid N via WHAT" for each
 * hit, "seen N" at the end. `raceprobe idle` is the command entered.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int seen_pids[4096];
static int nseen;

static int seen(int pid)
{
	for (int i = 0; i < nseen; i++)
		if (seen_pids[i] == pid)
			return 1;
	if (nseen < 4096)
		seen_pids[nseen++] = pid;
	return 0;
}

static int try(int pid, const char *via, const char *rel)
{
	char p[600];
	snprintf(p, sizeof(p), "/proc/%d/%s/%s", pid, via, rel);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	printf("FOUND pid %d via /proc/%d/%s\n", pid, pid, via);
	fflush(stdout);
	return 1;
}

/* the operator's variables, through the entered process's environ */
static void look_env(int pid, const char *secret)
{
	char p[64], b[65536];
	snprintf(p, sizeof(p), "/proc/%d/environ", pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	if (n > 0 && memmem(b, (size_t)n, secret, strlen(secret))) {
		printf("FOUND pid %d via /proc/%d/environ\n", pid, pid);
		fflush(stdout);
	}
}

static void look(int pid, const char *rel)
{
	try(pid, "root", rel);
	try(pid, "cwd", rel);
	char d[64];
	snprintf(d, sizeof(d), "/proc/%d/fd", pid);
	DIR *dir = opendir(d);
	if (!dir)
		return;
	struct dirent *de;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.') {
			char via[300];
			snprintf(via, sizeof(via), "fd/%s", de->d_name);
			try(pid, via, rel);
		}
	closedir(dir);
}

/* root's CAP_SYS_PTRACE and nothing else, in every set */
static int keep_ptrace_only(void)
{
	for (int c = 0; c < 64; c++)
		if (c != CAP_SYS_PTRACE && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && c <= CAP_LAST_CAP)
			return -1;
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct dd[2] = {
		{1u << CAP_SYS_PTRACE, 1u << CAP_SYS_PTRACE, 0}, {0, 0, 0}};
	return (int)syscall(SYS_capset, &h, dd);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "idle")) {
		usleep(200000);
		return 0;
	}
	if (argc < 5 || strcmp(argv[1], "watch")) {
		fprintf(stderr, "usage: raceprobe watch REL SECONDS SECRET | idle\n");
		return 2;
	}
	if (keep_ptrace_only() < 0) {
		perror("raceprobe: capabilities");
		return 1;
	}
	const char *rel = argv[2];
	time_t end = time(NULL) + atoi(argv[3]);
	int me = getpid(), stopped = 0;
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		DIR *dir = opendir("/proc");
		if (!dir)
			return 1;
		struct dirent *de;
		while ((de = readdir(dir))) {
			int pid = atoi(de->d_name);
			if (pid <= 0 || pid == me || seen(pid))
				continue;
			if (kill(pid, SIGSTOP) < 0)
				continue;
			stopped++;
			printf("stopped %d\n", pid);
			fflush(stdout);
			look(pid, rel);
			look_env(pid, argv[4]);
			kill(pid, SIGCONT);
		}
		closedir(dir);
		/* reap what the kernel gave to pid 1 */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	printf("seen %d\n", stopped);
	fflush(stdout);
	return 0;
}
