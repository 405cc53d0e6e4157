// SPDX-License-Identifier: GPL-2.0-or-later
/* Pid lists: what several cgroup.procs reads gave, as a set. */
#include <stdlib.h>
#include <sys/types.h>

#include "util.h"

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

size_t pids_sort_uniq(pid_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pid);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || v[u - 1] != v[i])
			v[u++] = v[i];
	return u;
}
