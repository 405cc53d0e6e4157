#!/bin/bash
# Keystrokes into the operator's shell (TIOCSTI, CVE-2017-5226; issue 14):
# from an interactive shell in a tmux pane, a static probe types
# "echo INJECTED > MARKER" into /dev/tty and fds 0-2, run (1) through nstop
# enter into a default container, (2) through nstop enter into a sandbox
# with every capability (CAP_SYS_ADMIN may type into any terminal it holds),
# and (3) as the command of a default container made by nstop create from
# that shell. Once the probe is done the shell is asked to echo a line: had
# the injection reached the operator's terminal, the injected line would
# have run before it and the marker would exist. Also: enter on a terminal
# gives the command a pty of its own (not the pane's), its own session,
# the window size (and a resize), the exit status, and the pane's terminal
# settings back afterwards; -T keeps the descriptors as they are.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape tty: making containers needs root"; echo "1..$n"; exit 0
fi
command -v tmux >/dev/null || { notok "tmux is missing (make deps)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-esctty.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
pdir=/usr/local/lib/nstop-test-$$
P=$pdir/tiocsti
sock=nstop-esctty-$$
TSESS=sh
SEE_LINES=30
. "$TOP/tests/lib-tmux.sh"
names=() made=() pids=()
parent=$(ctr_parent nstop-esctty-$$)
cleanup() {
	local nm p d m i
	tmux_stop
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cg_cleanup
	ctr_parent_rm "nstop-esctty-$$"
	rm -rf "$pdir" "$tmp"
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do rmdir "${made[i]}" 2>/dev/null; done
	cleanup_tmp
}
trap cleanup EXIT
mkd() { [ -d "$1" ] || { mkdir "$1" && made+=("$1"); }; }
# the probe where a default container's view shows it
mkd /usr/local; mkd /usr/local/lib
mkdir "$pdir" && cp "$TOP/$B/tests/tiocsti" "$P" || { notok "the probe ($B/tests/tiocsti) is missing"; echo "1..$n"; exit 0; }
chmod 755 "$pdir" "$P"

# the operator: an interactive shell in a pane, nstop's environment passed on
T new-session -d -s "$TSESS" -x 160 -y 40 \
	"env -i PATH=$PATH HOME=/root TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR PS1='op\$ ' bash --norc --noprofile -i"
see "an interactive shell in the pane" 'op$'
pane_tty=$(T display -p -t "$TSESS" '#{pane_tty}')
# settled TAG: the shell has run everything typed at it before this
# (typed split in two, so that only the output shows the tag whole)
settled() { keys "echo SET''TLED-$1" Enter; wait_for "SETTLED-$1" >/dev/null; sleep 0.5; }
# no_injection DESC MARKER: the probe ran and said so, and the marker is not there
no_injection() {
	if [ -e "$2" ]; then notok "$1: the injected line ran in the operator's shell ($(cat "$2"))"; else ok "$1"; fi
}

# ---- (1) enter into a default container ----
c=tt$$
names+=("$c")
expect_exit 0 "create $c" create "$c" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000
m1=$tmp/marker-enter-ctr
keys "$NSTOP enter $c --audit-log $L -- $P $m1; echo ENTER-RC-\$?" Enter
see "the probe ran through enter, into the container" "tiocsti done"
see "enter came back with the probe's status" "ENTER-RC-0"
settled 1
no_injection "TIOCSTI through enter into a default container: nothing reached the operator's shell" "$m1"

# ---- (2) enter into a sandbox holding every capability ----
unshare --fork --kill-child --pid --mount-proc --uts sleep 1000 &
pids+=($!)
sp=""
for _ in $(seq 50); do sp=$(pgrep -P "${pids[0]}" -x sleep) && break; sleep 0.1; done
pids+=("$sp")
m2=$tmp/marker-enter-sb
keys "$NSTOP enter $sp --ns mnt,uts --audit-log $L -- $P $m2; echo ENTER2-RC-\$?" Enter
see "the probe ran through enter, into a sandbox with every capability" "ENTER2-RC-0"
settled 2
no_injection "TIOCSTI with CAP_SYS_ADMIN through enter: nothing reached the operator's shell" "$m2"

# ---- what the command holds instead: a pty and a session of its own ----
keys "clear; $NSTOP enter $c --audit-log $L -- sh -c 'echo TTY=\$(readlink /proc/self/fd/0) DEV=\$(stat -L -c %d:%t:%T /proc/self/fd/0) SID=\$(cut -d\" \" -f6 /proc/self/stat) PID=\$\$ SIZE=\$(stty size)'" Enter
see "enter on a terminal: the command's stdin is a pty" "TTY=/dev/pts/"
line=$(screen | grep -o 'TTY=[^ ]* DEV=[0-9a-f:]* SID=[0-9]* PID=[0-9]* SIZE=[0-9]* [0-9]*' | tail -1)
pane_dev=$(stat -L -c %d:%t:%T "$pane_tty")
check "not the pane's terminal ($line; the pane is $pane_tty, $pane_dev)" bash -c '[[ "$1" == TTY=/dev/pts/* && "$1" == *" DEV="* && "$1" != *"DEV=$2 "* ]]' _ "$line" "$pane_dev"
sid=$(sed 's/.* SID=\([0-9]*\).*/\1/' <<<"$line"); pid=$(sed 's/.* PID=\([0-9]*\).*/\1/' <<<"$line")
check "its own session (sid $sid = its pid $pid)" test -n "$sid" -a "$sid" = "$pid"
check "the window size passed on (40 160: $line)" bash -c '[[ "$1" == *"SIZE=40 160" ]]' _ "$line"
keys "clear; $NSTOP enter $c --audit-log $L -- sh -c 'trap \"stty size; kill \\\$!; exit\" WINCH; echo RE\"\"ADY; sleep 20 & wait; echo NO-WINCH'" Enter
see "a command waits for a resize" "READY"
T resize-window -t "$TSESS" -x 120 -y 30 2>/dev/null || T resize-pane -t "$TSESS" -x 120 -y 30
see "SIGWINCH passes the new size on" "30 120"
notsee "... and only then (none at the start)" "40 160"
T resize-window -t "$TSESS" -x 160 -y 40 2>/dev/null
keys "$NSTOP enter $c --audit-log $L -- sh -c 'exit 3'; echo RC=\$?" Enter
see "the command's exit status comes back" "RC=3"
keys "stty -a | grep -o ' -\\?icanon \\| -\\?echo ' | tr -d '\\n'; echo" Enter
see "the pane's terminal is cooked again afterwards" " icanon  echo"
keys "$NSTOP enter $c -T --audit-log $L -- stat -L -c T-DEV=%d:%t:%T /proc/self/fd/0" Enter
see "-T: the descriptors as they are (the pane's, $pane_dev)" "T-DEV=$pane_dev"

# ---- (3) a default container's command, made by create from the shell ----
m3=$tmp/marker-create
c3=tc$$
names+=("$c3")
keys "$NSTOP create $c3 --cgroup-parent $parent --audit-log $L -- $P $m3; echo CREATE-RC-\$?" Enter
see "create from the operator's shell" "CREATE-RC-0"
for _ in $(seq 50); do "$NSTOP" logs "$c3" 2>/dev/null | grep -q "tiocsti done" && break; sleep 0.1; done
out=$("$NSTOP" logs "$c3" 2>&1 | tr '\n' ';')
check "the probe ran as the container's command ($out)" bash -c '[[ "$1" == *"tiocsti done"* ]]' _ "$out"
settled 3
no_injection "TIOCSTI from a default container made by create: nothing reached the operator's shell" "$m3"
echo "1..$n"
