// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: /proc/PID/stat, and /proc/PID/status's NSpid line and credentials. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	struct stat_fields f;
	if (parse_proc_stat(s, size, &f) == 0 && f.comm && f.comm + f.comm_len > s + size)
		abort(); /* comm must lie inside the input */
	free(s);
	s = fuzz_copy(data, size);
	pid_t inner;
	parse_nspid(s, size, &inner);
	free(s);
	s = fuzz_copy(data, size);
	struct proc_creds c;
	if (parse_proc_status(s, size, &c) == 0 && (c.ngroups < 0 || c.ngroups > PROC_NGROUPS))
		abort();
	free(s);
	return 0;
}
