#!/bin/bash
# The dashboard in time (issue 17), driven in tmux: --replay on a recording
# this test makes with nstop record (its header shows the sample's time, [ ]
# { } g move it, the views follow, action keys are refused with the
# reason); live, [ pauses on the kept past and Esc returns to now (after the
# filter); as root, a container that exits stays listed as exited(CODE)
# and x hides it.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
command -v tmux >/dev/null || { notok "tmux is missing (make deps)"; echo "1..$n"; exit 0; }
command -v jq >/dev/null || { notok "jq is missing (make deps)"; echo "1..$n"; exit 0; }
H=$(mktemp -d /tmp/nstop-hist.XXXXXX)
export NSTOP_STATE_DIR=$H/state
sock=nstop-hist-$$-0
socks=() pids=()
. "$TOP/tests/lib-tmux.sh"
cleanup() {
	for s_ in "${socks[@]}"; do
		tmux -L "$s_" kill-server 2>/dev/null
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s_"
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	need_root && cg_cleanup
	rm -rf "$H"
	cleanup_tmp
}
trap cleanup EXIT
start() { # start COLS ROWS ARGS...: nstop in a shell that reports its exit
	local c=$1 r=$2; shift 2
	T kill-server 2>/dev/null
	sock=nstop-hist-$$-$((${#socks[@]} + 1))
	socks+=("$sock")
	T new-session -d -s e2e -x "$c" -y "$r" \
		"env LC_ALL=C.UTF-8 TZ=UTC TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config $* 2>$H/err; echo NSTOP-EXITED-\$?; sleep 30"
	T set-option -t e2e remain-on-exit on >/dev/null 2>&1
}
# the header's form of a sample_time: 2026-12-03T21:03:05.512345Z -> 2026-12-03 21:03:05.5
hdr() { sed -E 's/^([0-9-]+)T([0-9:]+)\.([0-9]).*/\1 \2.\3/' <<<"$1"; }
at_time() { "$NSTOP" snapshot --replay "$H/h" --at "$1" -J | jq -r .sample_time; }

# ---- a recording: samples 0.5 s apart, a marked process from the middle on ----
# (samples come slower than 0.5 s on a busy host: counted as they come)
"$NSTOP" record -d 0.5 --duration 300 -o "$H/h" 2>"$H/rec.err" &
rec=$!
pids+=($rec)
newest() { "$NSTOP" snapshot --replay "$H/h" -J 2>/dev/null | jq -r .sample_time 2>/dev/null; }
seen= samples=0 mark=
for _ in $(seq 600); do
	t=$(newest)
	[ -n "$t" ] && [ "$t" != null ] && [ "$t" != "$seen" ] && seen=$t samples=$((samples + 1))
	if [ $samples -ge 2 ] && [ -z "$mark" ]; then
		bash -c "exec -a nstop-hist-mark-$$ sleep 300" &
		mark=$! pids+=($!)
		sh -c 'exit 3' # an exit the recording's events hold (as root: the proc connector)
		marked_at=$samples
	fi
	[ -n "$mark" ] && [ $samples -ge $((marked_at + 3)) ] && break
	sleep 0.2
done
kill -TERM $rec
wait $rec
check "the recording is made: $samples samples seen ($(cat "$H/rec.err"))" test $samples -ge 5
# the sample before a time: --at one microsecond earlier
before() {
	local ns
	ns=$(date -d "$1" +%s%N) || return 1
	ns=$((ns - 1000))
	at_time "$(date -u -d "@$((ns / 1000000000)).$(printf %09d $((ns % 1000000000)))" +%Y-%m-%dT%H:%M:%S.%6NZ)" 2>/dev/null
}
last=$(at_time end)
prev=$(before "$last")
first=$prev
for _ in $(seq 100); do
	p_=$(before "$first") && [ -n "$p_" ] && [ "$p_" != null ] || break
	first=$p_
done
check "the recording has samples ($first, $prev, $last)" test -n "$last" -a -n "$prev" -a "$first" != "$prev"

start 200 40 --replay "$H/h"
see "--replay: the dashboard opens on the recording, saying so" "REPLAY "
see "the header shows the last sample's time ($last)" "REPLAY $(hdr "$last") UTC"
see "actions are off in the header" "actions: none (a recording)"
keys [
see "[: one sample back ($prev)" "REPLAY $(hdr "$prev") UTC"
keys ]
see "]: one sample forward, the last again" "REPLAY $(hdr "$last") UTC"
keys ]
see "] at the end says so" "at the recording's last sample"
keys {
see "{: a minute back, at most to the first sample ($first)" "REPLAY $(hdr "$first") UTC"
keys [
see "[ at the start says so" "at the recording's first sample"
keys }
see "}: a minute forward, at most to the last sample" "REPLAY $(hdr "$last") UTC"
# the views follow the moment: the marked process only from the middle on
keys 4 / "nstop-hist-mark-$$" Enter
see "the marked process at the end" "nstop-hist-mark-$$ 300"
keys g "$first" Enter
see "g: to a time (RFC 3339)" "REPLAY $(hdr "$first") UTC"
see "the marked process is not there at the start" "Nothing matches the filter"
keys g -0s Enter
see "g -0s: the end again (the --at forms)" "REPLAY $(hdr "$last") UTC"
keys g yesterday-ish Enter
see "g: a bad time is refused, saying what it takes" "g: not a time (RFC 3339"
keys Escape
keys 1
for k in k f t d u c e l; do
	keys "$k"
	see "$k is refused in replay with the reason" "$k: refused in replay: a recording is not the running system"
done
keys 5
see "5: the events view, the recording's" "events in the recording:"
if need_root; then
	# (its comm is unknown: it lived in no sample)
	keys / "exited 3" Enter
	evrow() { screen | grep -v "filter: " | grep -qF "  exited 3"; }
	for _ in $(seq 50); do evrow && break; sleep 0.2; done
	check "/ filters the events: the exit of a process the test ran (exit 3)" evrow
fi
# the newest (filtered) event is selected: Enter alone (End's escape
# sequence can arrive split on a busy host, its Esc closing the view)
keys Enter
# a move back decodes from the file's full sample: seconds on a busy host
wait_for "at: " || wait_for "at: " || wait_for "at: "
SEE_LINES=40 see "Enter on an event jumps to its moment, saying which" "at: "
notsee "... and the events view is closed" "events in the recording:"
keys q
see "q quits the replay" "NSTOP-EXITED-0"
tmux_stop
expect_exit 2 "--replay: a missing recording is bad input" --replay "$H/none"
expect_exit 2 "--at without --replay" --at -5m
expect_exit 2 "--replay with -d: the recording's samples are what they were" --replay "$H/h" -d 1

# ---- live: [ pauses on the kept past, Esc returns to now ----
start 200 40 -d 0.5
see "live: the dashboard starts" "namespaces "
sleep 2
notsee "live: no PAST before [" "PAST "
keys [
see "[ in live mode shows the kept past" "PAST "
see "... paused there" "Esc: now"
keys k
see "an action in the past is refused with the reason" "k: refused while the past is shown: Esc returns to now"
keys / zz-no-such-row-$$ Enter
see "a filter in the past" "filter: zz-no-such-row-$$"
keys Escape
notsee "Esc clears the filter first" "filter: zz-no-such"
see "... and stays in the past" "PAST "
keys Escape
see "Esc then returns to now" "back to now"
notsee "no PAST after Esc" "PAST "
keys [ [ ]
see "[ [ ] : still in the past, one sample later" "PAST "
# a sample being taken when [ paused is kept too: ] until now
back=
for _ in 1 2 3 4 5 6; do
	keys ]
	sleep 0.5
	screen | grep -qF "back to now" && back=1 && break
done
check "] past the newest kept sample returns to now" test -n "$back"
notsee "... no PAST then" "PAST "
keys q
tmux_stop

# ---- the dead stay visible (root: a docker-shaped cgroup of the test's own) ----
if need_root && cg_setup nstop-hist-$$; then
	id=$(printf 'a17e%060d' $$)
	cg_mkdir "$CG_DIR_cpu/docker-$id.scope"
	start 200 40 -d 0.5
	see "dead: the dashboard starts" "namespaces "
	keys / "${id:0:12}" Enter
	# the shell moves itself in, so it and its sleep are the container
	sh -c 'echo $$ >"$1/cgroup.procs"; sleep 3; exit 7' _ "$CG_DIR_cpu/docker-$id.scope" &
	pids+=($!)
	see "the docker-shaped container runs" "running"
	see "it exited: still listed, with its exit code" "exited(7)"
	keys x
	see "x hides the exited ones, saying so" "exited containers hidden"
	notsee "... it is gone from the list" "exited(7)"
	keys x
	see "x again shows them" "exited(7)"
	dimmed() { T capture-pane -e -p -t e2e | grep -F "exited(7)" | grep -qE $'\e\\[([0-9;]*;)?2(;[0-9;]*)?m'; }
	check "the exited row is dimmed" dimmed
	keys 5 / "${id:0:12}" Enter
	see "5 live: the events view has the container's exit with its code" "exited 7"
	keys Escape
	keys q
	tmux_stop
else
	skip "dead containers: a cgroup of the test's own needs root (${CG_WHY:-not root})"
fi
echo "1..$n"
