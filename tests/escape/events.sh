#!/bin/bash
# Attack part (root): nstop events.
# 1. Exits are queued in memory between two snapshots, one struct event
#    (~1.7 KB) each, without a bound: with -d 3600 any local user's fork
#    loop (nobody's, no pids limit needed: each child is reaped at once)
#    grows root's `nstop events -f` by ~1.8 MB per thousand exits, without
#    end until the interval ends (an hour: gigabytes; -d 86400: the OOM
#    killer). Checked: 20000 exits of nobody's add less than 16 MB.
# 2. parse_kmsg_oom takes the victim's cgroup as what follows the LAST
#    "task_memcg=" before ",task=": a cgroup path is a delegate's to choose
#    (mkdir "x,task_memcg=/system.slice/docker-V.scope"), so the oom-kill
#    line of an OOM in the attacker's cgroup is read as one in docker-V's
#    memcg and is claimed by that container's next OOM event (victim pid
#    and name the attacker's). Checked on the parser (a small harness
#    linked with the build's libnstop.a): the memcg is the real task_memcg.
# 3. The text line of an action prints the action and the result with two
#    str_esc() calls on the same buffer in one printf: the result shown is
#    the action again ("stop stop" for a stop that was denied), and the
#    first pointer dangles once the second call grows the buffer.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "escape events: the connector and nobody's processes need root"; echo "1..$n"; exit 0
fi
PY=/usr/bin/python3
tmp=$(mktemp -d /tmp/nstop-escevents.XXXXXX)
chmod 755 "$tmp"
export NSTOP_STATE_DIR=$tmp/state
epid=
# shellcheck disable=SC2317
cleanup() {
	[ -z "$epid" ] || { kill "$epid" 2>/dev/null; wait "$epid" 2>/dev/null; }
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# 1. unbounded queue of exits
if [ -x "$PY" ] && command -v setpriv >/dev/null; then
	"$NSTOP" events -f -d 3600 --audit-log "$tmp/audit" >/dev/null 2>"$tmp/err" &
	epid=$!
	sleep 1.5
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$epid/status")
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" -c '
import os
for _ in range(20000):
    p = os.fork()
    if p == 0:
        os._exit(0)
    os.waitpid(p, 0)
'
	sleep 0.5
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$epid/status")
	check "events -f -d 3600: 20000 exits of nobody's grow it by less than 16 MB (${rss0} kB -> ${rss1} kB)" \
		test "$((rss1 - rss0))" -lt 16384
	kill "$epid"; wait "$epid" 2>/dev/null; epid=
else
	skip "escape events: needs $PY and setpriv"
fi

# 2. a cgroup path holding "task_memcg=" moves the oom-kill line elsewhere
# (the library of the build under test: a sanitizer build's needs its runtime)
lib=$TOP/${B:-build}/libnstop.a san=
nm "$lib" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
if command -v cc >/dev/null && [ -f "$lib" ]; then
	cat >"$tmp/k.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include "collect/parse.h"
int main(int argc, char **argv)
{
	struct kmsg_oom o;
	(void)argc;
	if (parse_kmsg_oom(argv[1], strlen(argv[1]), &o) < 0)
		return puts("-"), 0;
	printf("%s\n", o.memcg);
	return 0;
}
EOC
	# shellcheck disable=SC2086
	if cc -D_GNU_SOURCE $san -I"$TOP/src" -o "$tmp/k" "$tmp/k.c" "$lib" 2>"$tmp/cc.err"; then
		me='/me/x,task_memcg=/system.slice/docker-V.scope'
		line="6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=$me,task_memcg=$me,task=evil,pid=4242,uid=65534"
		got=$("$tmp/k" "$line")
		check "kmsg: a cgroup named ...,task_memcg=OTHER stays the victim's own (got: $got)" \
			test "$got" = "$me" -o "$got" = "-"
	else
		notok "escape events: the parser harness does not build: $(head -c 300 "$tmp/cc.err")"
	fi
else
	skip "escape events: needs cc and $lib"
fi
# 3. an action's result
printf '{"time":"2026-12-03T19:00:00Z","action":"stop","result":"denied","target":{"name":"c"}}\n' >"$tmp/audit3"
"$NSTOP" events --audit-log "$tmp/audit3" >"$tmp/out3" 2>&1
check "events: an action's text line shows its result (got: $(head -c 200 "$tmp/out3"))" \
	grep -q ' stop denied' "$tmp/out3"
echo "1..$n"
