// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of events' parsers: the kernel's oom-kill line in /dev/kmsg
 * (names and paths with the separators in them) and a wait status. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>

#include "collect/parse.h"
#include "tap.h"

static struct kmsg_oom o;

static int kp(const char *s)
{
	return parse_kmsg_oom(s, strlen(s), &o);
}

static void t_kmsg(void)
{
	OK(kp("6,1234,98765432,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
	      "mems_allowed=0,oom_memcg=/nstop/web,task_memcg=/nstop/web,task=hog,pid=4242,uid=0\n") == 0,
	   "a v2 memcg OOM kill");
	IS_STR(o.memcg, "/nstop/web", "... its task_memcg");
	IS_STR(o.task, "hog", "... the victim's name");
	OK(o.pid == 4242 && o.uid == 0 && o.mono_usec == 98765432, "... pid, uid, time");
	OK(kp("3,5,7,c;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
	      "global_oom,task_memcg=/a,b,task=x/c,task=,pid=9,uid=1,task=a,b,pid=77,uid=1000\n"
	      " SUBSYSTEM=x\n") == 0, "separators inside the path and the name");
	IS_STR(o.task, "a,b", "... the name is taken from before the last pid=");
	OK(o.pid == 77 && o.uid == 1000, "... the last pid and uid");
	OK(kp("6,1,2,-;oom-kill:oom_memcg=/o,task_memcg=/p,task=,task=xx,pid=5,uid=0") == 0,
	   "a name holding ,task=");
	IS_STR(o.task, ",task=xx", "... kept whole (the earliest within 15 bytes)");
	IS_STR(o.memcg, "/p", "... the path before it");
	OK(kp("6,1,2,-;Memory cgroup out of memory: Killed process 5 (x)") == -EINVAL, "another line");
	OK(kp("6,1,2,-;oom-kill:task_memcg=/p,task=x,pid=0,uid=0") == -EINVAL, "pid 0");
	OK(kp("6,1,2,-;oom-kill:task_memcg=/p,task=x,pid=99999999999,uid=0") == -EINVAL, "a pid too big");
	OK(kp("6,1,2,-;oom-kill:task_memcg=/p,task=0123456789abcdefg,pid=3,uid=0") == -EINVAL,
	   "a name longer than the kernel's 15 bytes");
	OK(kp("6,1,x,-;oom-kill:task_memcg=/p,task=x,pid=3,uid=0") == -EINVAL, "a bad timestamp");
	OK(kp("oom-kill:task_memcg=/p,task=x,pid=3,uid=0") == -EINVAL, "no prefix");
	OK(kp("6,1,2,-;oom-kill:task=x,pid=3,uid=0") == -EINVAL, "no task_memcg");
	OK(kp("") == -EINVAL && kp(";") == -EINVAL, "empty");
}

static void t_wstatus(void)
{
	struct wstatus w;
	parse_wstatus(3 << 8, &w);
	OK(w.exited && w.code == 3 && !w.signaled, "exit code 3");
	parse_wstatus(SIGKILL, &w);
	OK(w.signaled && w.sig == SIGKILL && !w.core && !w.exited, "killed by SIGKILL");
	parse_wstatus(SIGSEGV | 0x80, &w);
	OK(w.signaled && w.sig == SIGSEGV && w.core, "SIGSEGV, core dumped");
}

int main(void)
{
	t_kmsg();
	t_wstatus();
	return tap_done();
}
