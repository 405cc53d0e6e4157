// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The yardstick: the least work for one full snapshot of what nstop shows.
 * readdir /proc; per process its stat, the 8 namespace links (readlink) and
 * its cgroup file; then every cgroup's CPU and memory files (v2: cpu.stat,
 * memory.current; v1: cpuacct.usage, memory.usage_in_bytes). Prints counts.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long nfiles;

static void slurp(int dfd, const char *name)
{
	char buf[4096];
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	nfiles++;
}

static long walk_cgroups(int dfd, int depth)
{
	long n = 1;
	slurp(dfd, "cpu.stat");
	slurp(dfd, "memory.current");
	slurp(dfd, "cpuacct.usage");
	slurp(dfd, "memory.usage_in_bytes");
	if (depth > 64)
		return n;
	int it = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(it);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		n += walk_cgroups(sub, depth + 1);
		close(sub);
	}
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	static const char *const ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(dup(proc));
	struct dirent *de;
	long nproc = 0;
	char path[300], link[64];
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/stat", de->d_name);
		slurp(proc, path);
		for (int i = 0; i < 8; i++) {
			snprintf(path, sizeof(path), "%s/ns/%s", de->d_name, ns[i]);
			(void)!readlinkat(proc, path, link, sizeof(link));
		}
		snprintf(path, sizeof(path), "%s/cgroup", de->d_name);
		slurp(proc, path);
		nproc++;
	}
	closedir(d);
	long ncg = 0;
	/* every cgroup mount: read from /proc/self/mountinfo */
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	while (mi && fgets(line, sizeof(line), mi)) {
		char *sep = strstr(line, " - ");
		if (!sep || (strncmp(sep + 3, "cgroup ", 7) && strncmp(sep + 3, "cgroup2 ", 8)))
			continue;
		char mnt[1024];
		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1)
			continue;
		int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			ncg += walk_cgroups(fd, 0);
			close(fd);
		}
	}
	if (mi)
		fclose(mi);
	printf("%ld processes, %ld cgroups, %ld files\n", nproc, ncg, nfiles);
	return 0;
}
