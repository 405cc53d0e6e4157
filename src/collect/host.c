// SPDX-License-Identifier: GPL-2.0-or-later
/* Host totals through libproc2: CPU time, memory and load. Live only. */
#include <libproc2/meminfo.h>
#include <libproc2/misc.h>
#include <libproc2/stat.h>
#include <math.h>
#include <string.h>

#include "collect.h"

int host_collect(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->cpu_percent = NAN;
	struct stat_info *st = NULL;
	struct meminfo_info *mi = NULL;
	if (procps_stat_new(&st) < 0)
		return -1;
	enum stat_item items[] = {STAT_TIC_SUM_TOTAL, STAT_TIC_SUM_BUSY};
	struct stat_stack *ss = procps_stat_select(st, items, 2);
	if (ss) {
		h->cpu_total_ticks = STAT_VAL(0, ull_int, ss, st);
		h->cpu_busy_ticks = STAT_VAL(1, ull_int, ss, st);
	}
	procps_stat_unref(&st);
	if (!ss)
		return -1;
	if (procps_meminfo_new(&mi) < 0)
		return -1;
	/* libproc2 reports memory in KiB */
	h->mem_total = (uint64_t)MEMINFO_GET(mi, MEMINFO_MEM_TOTAL, ul_int) * 1024;
	h->mem_available = (uint64_t)MEMINFO_GET(mi, MEMINFO_MEM_AVAILABLE, ul_int) * 1024;
	h->swap_total = (uint64_t)MEMINFO_GET(mi, MEMINFO_SWAP_TOTAL, ul_int) * 1024;
	h->swap_free = (uint64_t)MEMINFO_GET(mi, MEMINFO_SWAP_FREE, ul_int) * 1024;
	procps_meminfo_unref(&mi);
	if (procps_loadavg(&h->load1, &h->load5, &h->load15) < 0)
		h->load1 = h->load5 = h->load15 = NAN;
	h->ncpu = (int)procps_cpu_count();
	h->available = true;
	return 0;
}
