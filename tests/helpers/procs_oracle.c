// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test oracle: every process as libproc2 (procps 4) reads it, one line each:
 * pid ppid euid nlwp nice rss_pages state cpu_ticks start_ticks comm.
 */
#include <libproc2/pids.h>
#include <stdio.h>

int main(void)
{
	enum pids_item items[] = {PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_NLWP, PIDS_NICE,
				  PIDS_RSS, PIDS_STATE, PIDS_TICS_ALL, PIDS_TICS_BEGAN, PIDS_CMD};
	struct pids_info *info = NULL;
	if (procps_pids_new(&info, items, 10) < 0)
		return 1;
	struct pids_stack *st;
	while ((st = procps_pids_get(info, PIDS_FETCH_TASKS_ONLY))) {
		printf("%d %d %u %d %d %lu %c %llu %llu %s\n", PIDS_VAL(0, s_int, st, info),
		       PIDS_VAL(1, s_int, st, info), PIDS_VAL(2, u_int, st, info),
		       PIDS_VAL(3, s_int, st, info), PIDS_VAL(4, s_int, st, info),
		       PIDS_VAL(5, ul_int, st, info), PIDS_VAL(6, s_ch, st, info),
		       PIDS_VAL(7, ull_int, st, info), PIDS_VAL(8, ull_int, st, info),
		       PIDS_VAL(9, str, st, info));
	}
	procps_pids_unref(&info);
	return 0;
}
