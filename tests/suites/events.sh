#!/bin/bash
# nstop events -f (root): a process the test starts in a cgroup beneath its
# own exits with code 3 and another is killed by SIGKILL: both are listed
# with the code or the signal and the cgroup; an nstop container whose
# command allocates past its 32M limit is OOM-killed: an oom_kill event with
# the container's name (and the victim's pid and name where /dev/kmsg is
# readable); a second container's start and its freeze (an action from the
# audit log) are listed with its name. Then recorded: a recorder at 0.5 s
# while a container whose command holds 20M under a 32M limit (nstop's init
# takes 7M of it in a sanitizer build), then grows until OOM-killed, is
# removed, and the second is frozen and limited; the replay lists the OOM
# kill (name, victim), the command's signal as the container's exit, the
# freeze and the limit, in order, and the container with its limit and
# memory at a sample before the kill. Everything is the test's own: a
# private registry and audit log, cgroups beneath its own, a trap removes
# it.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "events: the proc connector and the test's cgroups need root"; echo "1..$n"; exit 0
fi
T=$(mktemp -d /tmp/nstop-ev.XXXXXX)
export NSTOP_STATE_DIR=$T/state
L=$T/audit.log
EVP= PROBE= RECP=
parent=$(ctr_parent nstop-ev-$$)
cleanup() {
	[ -n "$EVP" ] && kill -TERM "$EVP" 2>/dev/null && wait "$EVP" 2>/dev/null
	[ -n "$RECP" ] && kill -TERM "$RECP" 2>/dev/null && wait "$RECP" 2>/dev/null
	[ -n "$PROBE" ] && kill -KILL "$PROBE" 2>/dev/null
	"$NSTOP" rm -f "evoom$$" "evfrz$$" "evrec$$" --audit-log "$L" >/dev/null 2>&1
	ctr_parent_rm "nstop-ev-$$"
	cg_cleanup
	rm -rf "$T"
	cleanup_tmp
}
trap cleanup EXIT
if ! cg_setup nstop-evcg-$$; then
	skip "events: $CG_WHY"; echo "1..$n"; exit 0
fi
"$NSTOP" events -f --json -d 0.5 --audit-log "$L" >"$T/ev.json" 2>"$T/ev.err" &
EVP=$!
# since OFF: the events listed after byte OFF (pids are reused: an
# earlier process's exit must not stand for a later one's)
since() { tail -c +$((OFF + 1)) "$T/ev.json"; }
# waitev JQ: until an event after OFF matches (10 s); prints it
waitev() {
	local i
	for i in $(seq 50); do
		since | jq -c "select($1)" 2>/dev/null | head -1 | grep . && return 0
		sleep 0.2
	done
	return 1
}
# until it listens: a probe's exit (code 7) is seen, or 20 s
ready=
for _ in $(seq 100); do
	OFF=$(stat -c %s "$T/ev.json")
	sh -c 'exit 7' &
	p=$!
	wait $p
	sleep 0.2
	if since | jq -c "select(.type == \"exit\" and .pid == $p and .exit_code == 7)" 2>/dev/null | grep -q .; then
		ready=1; break
	fi
done
check "events -f lists a process's exit with its code" test -n "$ready"
[ -n "$ready" ] || sed 's/^/#   /' "$T/ev.err" | head -5
OFF=$(stat -c %s "$T/ev.json")

# ---- exits in the test's cgroup: code 3, SIGKILL. The parent reaps them
# only when it ends, so a v2 cgroup is read while they are zombies; v1
# moves an exiting task to the root: they live past a snapshot (0.5 s)
bash -c 'for f; do echo $$ >"$f"; done; sh -c "sleep 1.2; exit 3" & echo $!; sh -c "sleep 1.2; kill -KILL \$\$" & echo $!; exec sleep 3' \
	_ "${CG_PROCS[@]}" >"$T/pids"
read -r P3 P9 < <(tr '\n' ' ' <"$T/pids")
cg=${CG_PATH_memory}
e3=$(waitev ".type == \"exit\" and .pid == ${P3:-0}")
check "exit with code 3: $e3" test "$(jq -r '.exit_code' <<<"$e3")" = 3
check "... in the test's cgroup $cg (memory's): $(jq -r .cgroup <<<"$e3")" test "$(jq -r '.cgroup' <<<"$e3")" = "$cg"
e9=$(waitev ".type == \"exit\" and .pid == ${P9:-0}")
check "killed by SIGKILL: $e9" test "$(jq -r '"\(.signal) \(.signal_name) \(.core_dumped) \(.exit_code)"' <<<"$e9")" = "9 KILL false null"

# ---- an nstop container's command OOM-killed beneath its 32M limit
OFF=$(stat -c %s "$T/ev.json")
"$NSTOP" create "evoom$$" --cgroup-parent "$parent" --audit-log "$L" --memory 32M \
	-- sh -c 'x=aaaaaaaa; while :; do x="$x$x"; done' >"$T/create.out" 2>&1
rc=$?
check "create evoom$$ (exit $rc)" test $rc = 0
sed 's/^/#   /' "$T/create.out" | head -3
eo=$(waitev ".type == \"oom_kill\" and .container.name == \"evoom$$\"")
check "an oom_kill event with the container's name: $eo" test -n "$eo"
[ -n "$eo" ] || jq -c 'select(.type != "exit")' "$T/ev.json" | sed 's/^/#   /' | head -10
if head -c0 /dev/kmsg 2>/dev/null && [ "$(cat /proc/sys/kernel/dmesg_restrict)" != 2 ]; then
	check "... with the victim from /dev/kmsg (sh, a pid)" \
		test "$(jq -r '"\(.victim_comm) \(.victim_pid > 1)"' <<<"$eo")" = "sh true"
else
	skip "events: /dev/kmsg is not readable: no victim"
fi

# ---- a second container: its start, its freeze from the audit log
"$NSTOP" create "evfrz$$" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000 >"$T/create2.out" 2>&1
es=$(waitev ".type == \"container_start\" and .container.name == \"evfrz$$\" and .container.runtime == \"nstop\"")
check "container_start of evfrz$$: $es" test -n "$es"
"$NSTOP" freeze "evfrz$$" --audit-log "$L" >/dev/null 2>&1
ef=$(waitev ".type == \"action\" and .action == \"freeze\" and .container.name == \"evfrz$$\"")
check "the freeze as an action event: $ef" test "$(jq -r .result <<<"$ef")" = ok
"$NSTOP" thaw "evfrz$$" --audit-log "$L" >/dev/null 2>&1
kill -TERM "$EVP"
wait "$EVP"
rc=$?
EVP=
check "events -f ends on SIGTERM with exit 0 (exit $rc)" test $rc = 0
check "... and wrote nothing on stderr (no warning, no sanitizer report)" test ! -s "$T/ev.err"
sed 's/^/#   /' "$T/ev.err" | head -5

# ---- recorded: the same kinds of events in a recording, replayed after
"$NSTOP" record -d 0.5 -o "$T/h" --audit-log "$L" 2>"$T/rec.err" &
RECP=$!
for _ in $(seq 100); do
	"$NSTOP" snapshot --replay "$T/h" --json >/dev/null 2>&1 && break
	sleep 0.2
done
hog=$(cd "$B/tests" && pwd)/hog
"$NSTOP" create "evrec$$" --cgroup-parent "$parent" --audit-log "$L" --memory 32M \
	--bind "$hog:/opt/hog" -- /opt/hog oom $((20 << 20)) 3000 >"$T/create3.out" 2>&1
rc=$?
check "create evrec$$: 20M held 3 s under 32M, then more (exit $rc)" test $rc = 0
sed 's/^/#   /' "$T/create3.out" | head -3
# the kill, as the recording has it so far (a recording is read while
# it is written, up to its last whole record)
for _ in $(seq 75); do
	"$NSTOP" events --replay "$T/h" --json 2>/dev/null | grep -q "\"oom_kill\".*evrec$$" && break
	sleep 0.2
done
sleep 1 # a sample after the kill: the container's exit
"$NSTOP" rm -f "evrec$$" --audit-log "$L" >/dev/null 2>&1
"$NSTOP" freeze "evfrz$$" --audit-log "$L" >/dev/null 2>&1
"$NSTOP" limit "evfrz$$" --memory 48M --audit-log "$L" >/dev/null 2>&1
sleep 1.2 # two samples: the actions logged are recorded
kill -TERM "$RECP"
wait "$RECP"
rc=$?
RECP=
# under another's fork storm the recorder says it left exits out (more
# than 2048 in an interval): that alone may be on stderr
dropped=$(grep -c "process exits not recorded" "$T/rec.err")
check "the recorder ends on SIGTERM (exit $rc), nothing else on stderr" \
	test $rc = 0 -a -z "$(grep -v "process exits not recorded" "$T/rec.err")"
sed 's/^/#   /' "$T/rec.err" | head -5
"$NSTOP" events --replay "$T/h" --json >"$T/rev.json" 2>"$T/rev.err"
rc=$?
check "events --replay lists the recording's events (exit $rc)" test $rc = 0 -a ! -s "$T/rev.err"
# the first event that matches
at() { jq -c "$1" "$T/rev.json" 2>/dev/null | head -1; }
ro=$(at "select(.type == \"oom_kill\" and .container.name == \"evrec$$\")")
check "the OOM kill with the container's name: $ro" test -n "$ro"
if head -c0 /dev/kmsg 2>/dev/null && [ "$(cat /proc/sys/kernel/dmesg_restrict)" != 2 ]; then
	check "... and the victim's command (hog) and pid" \
		test "$(jq -r '"\(.victim_comm) \(.victim_pid > 1)"' <<<"$ro")" = "hog true"
else
	skip "events: /dev/kmsg is not readable: no victim"
fi
rx=$(at "select(.type == \"container_exit\" and .container.name == \"evrec$$\")")
check "the container's exit: its command's SIGKILL, not its init's 137: $rx" \
	test "$(jq -r '"\(.signal_name) \(.exit_code)"' <<<"$rx")" = "KILL null"
rp=$(at "select(.type == \"exit\" and .comm == \"hog\" and .container.name == \"evrec$$\")")
if [ -z "$rp" ] && [ "$dropped" != 0 ]; then
	skip "events: the recorder left exits out under load: the command's may be one"
else
	check "the command's own exit, killed by SIGKILL: $rp" test "$(jq -r .signal <<<"$rp")" = 9
fi
rf=$(at "select(.type == \"action\" and .action == \"freeze\" and .container.name == \"evfrz$$\")")
rl=$(at "select(.type == \"action\" and .action == \"limit\" and .container.name == \"evfrz$$\")")
check "the freeze and the limit of evfrz$$: $rf $rl" \
	test "$(jq -r .result <<<"$rf") $(jq -r .detail <<<"$rl")" = "ok memory=$((48 << 20))"
order=$(jq -r --arg a "evrec$$" --arg b "evfrz$$" 'select(((.type == "oom_kill" or .type == "container_exit")
	and .container.name == $a) or (.type == "action" and (.action == "freeze" or .action == "limit")
	and .container.name == $b)) | .type + (.action // "")' "$T/rev.json" 2>/dev/null | tr '\n' ' ')
check "in order: oom_kill, container_exit, freeze, limit ($order)" \
	test "$order" = "oom_kill container_exit actionfreeze actionlimit "
sorted=$(jq -r .time "$T/rev.json" | sort -c 2>&1 && echo sorted)
check "the listing is in time order" test "$sorted" = sorted
# a moment before the kill: the container with its limit, its memory near it
t_oom=$(jq -r .time <<<"$ro")
t_before=$(python3 -c 'import sys, datetime as d; f = "%Y-%m-%dT%H:%M:%S.%fZ"; print((d.datetime.strptime(sys.argv[1], f) - d.timedelta(seconds=1.2)).strftime(f))' "$t_oom" 2>/dev/null)
"$NSTOP" containers --replay "$T/h" --at "$t_before" --json >"$T/ctr.json" 2>"$T/ctr.err"
row=$(jq -c ".containers[] | select(.name == \"evrec$$\")" "$T/ctr.json" 2>/dev/null)
check "at $t_before, 1.2 s before the kill: evrec$$ with its 32M limit" \
	test "$(jq -r .memory_limit_bytes <<<"$row")" = $((32 << 20))
mem=$(jq -r .memory_bytes <<<"$row")
check "... and its memory near it, the 20M held: $mem bytes" \
	awk -v m="$mem" 'BEGIN { exit !(m >= 20 * 1048576 && m <= 32 * 1048576) }'
[ -n "$row" ] || sed 's/^/#   /' "$T/ctr.err" | head -3
# ---- containers --all: the exited ones, from the recording
"$NSTOP" containers --replay "$T/h" --json >"$T/end.json" 2>/dev/null
check "at the recording's end, without --all: evrec$$ (removed) is not listed" \
	test -z "$(jq -c ".containers[] | select(.name == \"evrec$$\")" "$T/end.json" 2>/dev/null)"
"$NSTOP" containers --replay "$T/h" --all --json >"$T/all.json" 2>"$T/all.err"
rc=$?
row=$(jq -c ".containers[] | select(.name == \"evrec$$\")" "$T/all.json" 2>/dev/null)
check "containers --replay --all (exit $rc): evrec$$ listed as oom-killed: $(jq -r .state <<<"$row")" \
	test $rc = 0 -a "$(jq -r .state <<<"$row")" = oom-killed -a ! -s "$T/all.err"
check "... with its last figures: the 32M limit, memory $(jq -r .memory_bytes <<<"$row")" \
	test "$(jq -r .memory_limit_bytes <<<"$row")" = $((32 << 20))
check "... and evfrz$$ alive, frozen: $(jq -r ".containers[] | select(.name == \"evfrz$$\") | .state" "$T/all.json")" \
	test "$(jq -r ".containers[] | select(.name == \"evfrz$$\") | .state" "$T/all.json")" = frozen
# live, from the recorder's directory
"$NSTOP" containers --all --history "$T/h" --json -d 0.2 >"$T/live.json" 2>"$T/live.err"
rc=$?
check "containers --all --history DIR, live (exit $rc): evrec$$ oom-killed, evfrz$$ listed once" \
	test $rc = 0 -a "$(jq -r ".containers[] | select(.name == \"evrec$$\" or .name == \"evfrz$$\") | .state" "$T/live.json" | sort | tr '\n' ' ')" = "frozen oom-killed "
sed 's/^/#   /' "$T/live.err" | head -3
"$NSTOP" containers --all --history "$T/none" -d 0.2 >/dev/null 2>"$T/none.err"
rc=$?
check "containers --all without a recording: the live ones (exit $rc) and a word why" \
	test "$rc" = 0 -a -n "$(grep "exited containers are not listed" "$T/none.err")"
"$NSTOP" containers --history "$T/h" >/dev/null 2>"$T/bad.err"
check "containers --history without --all: exit 2" test $? = 2
echo "1..$n"
