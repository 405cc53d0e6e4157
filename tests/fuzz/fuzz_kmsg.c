// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: a /dev/kmsg record, whose oom-kill line carries a process's
 * own name and a cgroup's path. A parsed line's fields end within their
 * slots, the pid is positive, and the name fits the kernel's 15 bytes.
 */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_oom o;
	int r = parse_kmsg_oom((const char *)data, size, &o);
	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0 && (o.pid <= 0 || !memchr(o.task, 0, sizeof(o.task)) || strlen(o.task) > 15 ||
		       !memchr(o.memcg, 0, sizeof(o.memcg))))
		abort();
	struct wstatus w;
	if (size >= sizeof(int)) {
		int st;
		memcpy(&st, data, sizeof(st));
		parse_wstatus(st, &w);
		if (w.exited && w.signaled)
			abort();
	}
	return 0;
}
