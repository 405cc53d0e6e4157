// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: renames itself (comm) to argv[1] with prctl(PR_SET_NAME) and
 * sleeps until killed. Started with a hostile argv[0] (bash's exec -a), it is
 * a process whose every name a terminal must never interpret.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1)
		prctl(PR_SET_NAME, argv[1], 0, 0, 0);
	for (;;)
		pause();
}
