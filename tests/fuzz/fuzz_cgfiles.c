// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: cgroup files: cpu.stat, memory.stat, memory.events, cpu.max,
 * limits (v1 sentinels), v1 freezer.state, memory.stat in one pass, cpu lists, PSI, io.stat, blkio, namespace links, cgroup.procs. */
#include "fuzz.h"

static void pid_sink(void *arg, pid_t pid)
{
	*(uint64_t *)arg += (uint64_t)pid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	uint64_t a, b;
	double d;
	parse_keyed_u64(s, size, "usage_usec", &a);
	parse_keyed_u64(s, size, "oom_kill", &a);
	parse_keyed_u64(s, size, "anon", &a);
	parse_cpu_max(s, size, &a, &b);
	parse_limit(s, size, &a);
	parse_freezer_state(s, size);
	size_t len;
	parse_cpu_list(s, size, &a, &len);
	static const char *const keys[] = {"anon", "file", "inactive_file", "total_inactive_file",
					   "shmem", "kernel", "sock"};
	uint64_t v[7];
	parse_keyed_set(s, size, keys, 7, v);
	parse_psi_avg10(s, size, "some", &d);
	parse_psi_avg10(s, size, "full", &d);
	double av[3];
	parse_psi_line(s, size, "some", av, &a);
	parse_psi_line(s, size, "full", av, &a);
	parse_io_stat(s, size, &a, &b);
	parse_blkio_bytes(s, size, &a, &b);
	parse_ns_link(s, size, "net", &a);
	parse_pid_lines(s, size, pid_sink, &a);
	free(s);
	return 0;
}
