// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: /proc/PID/cgroup and /proc/PID/mountinfo. */
#include "fuzz.h"

static size_t seen;

static void on_line(void *arg, int hid, const char *ctrl, size_t ctrl_len, const char *path,
		    size_t path_len)
{
	(void)arg;
	(void)hid;
	/* touch every byte handed out: ASan checks they are in bounds */
	for (size_t i = 0; i < ctrl_len; i++)
		seen += (unsigned char)ctrl[i];
	for (size_t i = 0; i < path_len; i++)
		seen += (unsigned char)path[i];
}

static void on_mount(void *arg, const struct mountinfo_ent *m)
{
	(void)arg;
	seen += strlen(m->mnt_point) + strlen(m->root) + strlen(m->fstype) + strlen(m->super_opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	parse_proc_cgroup(s, size, on_line, NULL);
	free(s);
	s = fuzz_copy(data, size);
	parse_mountinfo(s, size, on_mount, NULL);
	free(s);
	return 0;
}
