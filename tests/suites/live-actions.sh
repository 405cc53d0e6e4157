#!/bin/bash
# Incident actions on the live kernel (v1/hybrid here, v2 in the guest):
# limit, freeze, thaw, kill, undo and the audit log, on cgroups made beneath
# the test's own and processes the test started; all removed on exit.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "live actions: changing cgroups needs root"; echo "1..$n"; exit 0
fi
HOG=$B/tests/hog
name=nstop-act-$$
tmp=$(mktemp -d /tmp/nstop-act.XXXXXX)
L=$tmp/audit.log
actions=0
cleanup() { cg_cleanup; rm -rf "$tmp"; cleanup_tmp; }
trap cleanup EXIT
if ! cg_setup "$name"; then
	skip "live actions: $CG_WHY"; echo "1..$n"; exit 0
fi
ok "made $CG_MODE cgroups beneath the test's own"
act() { # act EXIT DESC ARGS...: an action that must be audited when it ran
	local want=$1; shift
	expect_exit "$want" "$1" "${@:2}" --audit-log "$L"
	[ "$want" = 2 ] || actions=$((actions + 1))
}
row() { jq -r --arg p "$1" --arg k "$2" '.cgroups[] | select(.path == $p) | .[$k] | tostring' "$3"; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
cpu_file() { if [ $CG_MODE = v2 ]; then cat "$CG_DIR_cpu/cpu.max"; else cat "$CG_DIR_cpu/cpu.cfs_quota_us"; fi; }
# every limit file, for "byte-for-byte unchanged"
state() {
	local d
	for d in "$CG_DIR_cpu" "$CG_DIR_memory" "$CG_DIR_pids" "$CG_DIR_freezer"; do
		for f in cpu.max cpu.cfs_quota_us cpu.cfs_period_us memory.max memory.high memory.swap.max \
			memory.limit_in_bytes memory.memsw.limit_in_bytes pids.max cgroup.freeze freezer.state; do
			[ -f "$d/$f" ] && printf '%s %s\n' "$f" "$(cat "$d/$f")"
		done
	done | sort -u
}

# ---- CPU: 20 % of one CPU, throttled, frozen, thawed ----
cg_start hog "$HOG" cpu
act 0 "limit CG --cpu 20%" limit "$CG_PATH_cpu" --cpu 20%
grep -q '0.20 CPU' /tmp/nstop-out.$$ && ok "it prints the old and the new value" ||
	notok "old/new not printed: $(cat /tmp/nstop-out.$$)"
if [ $CG_MODE = v2 ]; then want="20000 100000"; else want=20000; fi
check "the kernel holds the quota ($(cpu_file))" test "$(cpu_file)" = "$want"
sleep 1
"$NSTOP" cgroups --depth all -J -d 2 >"$tmp/c1.json"
cpu=$(row "$CG_PATH_cpu" cpu_percent "$tmp/c1.json")
check "the hog reads 20 +- 5 % in nstop cgroups (got $cpu)" between "$cpu" 15 25
thr1=$(row "$CG_PATH_cpu" nr_throttled "$tmp/c1.json")
sleep 1
"$NSTOP" cgroups --depth all -J >"$tmp/c2.json"
thr2=$(row "$CG_PATH_cpu" nr_throttled "$tmp/c2.json")
check "its throttled count grows ($thr1 -> $thr2)" test "${thr2:-0}" -gt "${thr1:-0}"

act 0 "freeze CG" freeze "$CG_PATH_freezer"
"$NSTOP" cgroups --depth all -J -d 1.5 >"$tmp/c3.json"
cpu=$(row "$CG_PATH_cpu" cpu_percent "$tmp/c3.json")
check "a frozen cgroup uses 0 % CPU (got $cpu)" between "$cpu" 0 0.5
state=$(awk '{print $3}' /proc/$hog/stat)
check "the hog is frozen, not gone (state $state)" test -n "$state"
act 0 "thaw CG" thaw "$CG_PATH_freezer"
"$NSTOP" cgroups --depth all -J -d 1.5 >"$tmp/c4.json"
cpu=$(row "$CG_PATH_cpu" cpu_percent "$tmp/c4.json")
check "thawed, it runs again (got $cpu %)" between "$cpu" 10 25

# ---- bad input: exit 2, every file unchanged ----
before=$(state)
for bad in "--cpu abc" "--cpu -5%" "--cpu 0" "--cpu 1e12" "--cpu 0.001" "--memory 1Q" "--memory -1" \
	"--memory 99999999T" "--pids -1" "--pids 0" "--pids 99999999999" "--cpu"; do
	# shellcheck disable=SC2086
	act 2 "limit $bad is refused" limit "$CG_PATH_cpu" $bad
done
act 2 "an unknown target is refused" limit no-such-container-here --cpu 1
act 2 "a missing cgroup path is refused" limit "/$name-missing" --cpu 1
act 2 "the root cgroup is refused" limit / --cpu 1
own=$(cg_own memory); [ $CG_MODE = v2 ] && own=$(cg_own "")
act 2 "nstop's own cgroup is refused" limit "$own" --cpu 1
act 2 "a dead pid is refused" limit 4194304 --cpu 1
act 2 "a target with .. is refused" limit "$CG_PATH_cpu/.." --cpu 1
if [ $CG_MODE = v1 ]; then
	act 2 "--memory-high on v1 says it has no such file" limit "$CG_PATH_memory" --memory-high 64M
	grep -q 'v1 has no memory.high' /tmp/nstop-err.$$ && ok "and says why" || notok "no reason: $(cat /tmp/nstop-err.$$)"
fi
# two docker-shaped cgroups sharing an id prefix: an ambiguous prefix
id1=abcd1$(printf '%059d' 0) id2=abcd2$(printf '%059d' 0)
dk=$(dirname "$CG_DIR_cpu")/$name-docker
cg_mkdir "$dk"; cg_mkdir "$dk/docker-$id1.scope"; cg_mkdir "$dk/docker-$id2.scope"
act 2 "an ambiguous id prefix is refused" limit abcd --cpu 1
grep -q "ambiguous" /tmp/nstop-err.$$ && grep -q "abcd1000" /tmp/nstop-err.$$ && grep -q "abcd2000" /tmp/nstop-err.$$ &&
	ok "and the candidates are listed" || notok "no candidates: $(cat /tmp/nstop-err.$$)"
expect_exit 0 "a unique id prefix resolves (no setting: shows the limits)" limit abcd2
grep -q "container $id2 (docker" /tmp/nstop-out.$$ && ok "to that container" || notok "$(cat /tmp/nstop-out.$$)"
rmdir "$dk"/docker-*.scope "$dk"
after=$(state)
check "every cgroup file is byte-for-byte unchanged" test "$before" = "$after"

# ---- undo ----
act 0 "limit --pids 50" limit "$CG_PATH_pids" --pids 50
act 0 "undo CG" undo "$CG_PATH_pids"
check "undo restored pids.max (max)" test "$(cat "$CG_DIR_pids/pids.max")" = max
act 0 "undo again restores the CPU limit before --cpu 20%" undo "$CG_PATH_cpu"
if [ $CG_MODE = v2 ]; then want="max 100000"; else want=-1; fi
check "cpu quota is back to unlimited ($(cpu_file))" test "$(cpu_file)" = "$want"
act 2 "nothing left to undo" undo "$CG_PATH_cpu"

# ---- pids: a fork loop stops at 10 tasks ----
act 0 "limit --pids 10" limit "$CG_PATH_pids" --pids 10
kill -KILL "$hog"; wait "$hog" 2>/dev/null
cg_start forker "$HOG" fork
check "the fork loop stopped at 10 tasks (it made $CG_LAST)" test "$CG_LAST" = 10
"$NSTOP" cgroups --depth all -J >"$tmp/c5.json"
check "nstop cgroups shows 10 pids" test "$(row "$CG_PATH_pids" pids "$tmp/c5.json")" = 10

# ---- kill: a whole cgroup whose processes fork continuously ----
act 0 "limit --pids max" limit "$CG_PATH_pids" --pids max
act 0 "kill CG --signal KILL (the fork loop and its children)" kill "$CG_PATH_freezer" --signal KILL
wait "$forker" 2>/dev/null
cg_start storm "$HOG" forker
sleep 0.5
act 0 "kill CG --signal KILL (a forking swarm)" kill "$CG_PATH_freezer" --signal KILL
left=$(cat "${CG_PROCS[@]}" | wc -l)
check "its cgroups are empty ($left left)" test "$left" = 0
cg_start stubborn "$HOG" ignore-term
act 0 "kill --grace 0.5 on a process ignoring TERM" kill "$CG_PATH_freezer" --grace 0.5
grep -q "then SIGKILL" /tmp/nstop-out.$$ && ok "TERM, then KILL after the grace" || notok "no escalation: $(cat /tmp/nstop-out.$$)"

# ---- kill --pid: a replaced pid is never signalled ----
sleep 300 &
sl=$!; CG_PIDS+=("$sl")
start=$(awk '{print $22}' /proc/$sl/stat)
act 1 "kill --pid PID@wrong-start" kill --pid "$sl@$((start + 1))" --signal KILL
grep -q "another process" /tmp/nstop-err.$$ && ok "says the pid is another process now" || notok "$(cat /tmp/nstop-err.$$)"
check "and the process is still alive" kill -0 "$sl"
pidstart=$("$NSTOP" ps -H -o PID,PID@START | awk -v p="$sl" '$1 == p { print $2 }')
check "nstop ps prints PID@START ($pidstart)" test "$pidstart" = "$sl@$start"
act 0 "kill --pid PID@START" kill --pid "$pidstart" --signal KILL
wait "$sl" 2>/dev/null
check "then it is gone" test ! -e /proc/$sl

# ---- memory: 64M, a hog OOM-killed, the OOM count rises ----
act 0 "limit --memory 64M" limit "$CG_PATH_memory" --memory 64M $(
	[ "$(wc -l </proc/swaps)" -gt 1 ] && { [ $CG_MODE = v2 ] || [ -f "$CG_DIR_memory/memory.memsw.limit_in_bytes" ]; } && echo --swap 0)
"$NSTOP" cgroups --depth all -J >"$tmp/m1.json"
oom1=$(row "$CG_PATH_memory" oom_kills "$tmp/m1.json")
bash -c 'kill -STOP $$; exec "$@"' _ "$HOG" mem $((256 << 20)) >/dev/null &
mh=$!; CG_PIDS+=("$mh")
while [ "$(awk '{print $3}' /proc/$mh/stat 2>/dev/null)" != T ]; do sleep 0.01; done
for f in "${CG_PROCS[@]}"; do echo "$mh" >"$f"; done
kill -CONT "$mh"
# it must die; should the limit not hold, it would sleep with its memory
outlived=1
for _ in $(seq 200); do
	ps_=$(awk '{print $3}' /proc/$mh/stat 2>/dev/null)
	[ -z "$ps_" ] || [ "$ps_" = Z ] && { outlived=0; break; }
	sleep 0.1
done
[ $outlived = 1 ] && kill -KILL "$mh"
wait "$mh"; st=$?
[ $outlived = 1 ] && st="alive after 20 s"
check "the memory hog was killed (status $st)" test "$st" = 137
"$NSTOP" cgroups --depth all -J >"$tmp/m2.json"
oom2=$(row "$CG_PATH_memory" oom_kills "$tmp/m2.json")
check "the OOM kill count nstop shows rose ($oom1 -> $oom2)" test "${oom2:-0}" -gt "${oom1:-0}"

# ---- memory below what is in use: --force, and v1's EBUSY explained ----
act 0 "limit --memory max" limit "$CG_PATH_memory" --memory max
cg_start big "$HOG" mem $((96 << 20))
for _ in $(seq 100); do [ "$CG_LAST" = allocated ] && break; read -r -t 0.2 CG_LAST <&$CG_FD; done
memfile=$CG_DIR_memory/memory.max; [ $CG_MODE = v1 ] && memfile=$CG_DIR_memory/memory.limit_in_bytes
mbefore=$(cat "$memfile")
act 2 "memory below the usage without --force is refused" limit "$CG_PATH_memory" --memory 32M
grep -q -- "--force" /tmp/nstop-err.$$ && ok "and says --force would do it" || notok "$(cat /tmp/nstop-err.$$)"
check "the limit is unchanged" test "$(cat "$memfile")" = "$mbefore"
if [ $CG_MODE = v1 ] && [ "$(wc -l </proc/swaps)" -le 1 ]; then
	act 1 "v1, no swap: --force fails as the kernel cannot reclaim" limit "$CG_PATH_memory" --memory 32M --force
	grep -q "EBUSY" /tmp/nstop-err.$$ && grep -q "v1 refuses rather than OOM-kill" /tmp/nstop-err.$$ &&
		ok "and explains v1's EBUSY" || notok "$(cat /tmp/nstop-err.$$)"
	check "the limit is put back" test "$(cat "$memfile")" = "$mbefore"
elif [ $CG_MODE = v2 ]; then
	act 0 "v2: --force sets it, the kernel reclaims or OOM-kills" limit "$CG_PATH_memory" --memory 32M --force
	for _ in $(seq 50); do kill -0 "$big" 2>/dev/null || break; sleep 0.1; done
	check "the hog over it was OOM-killed" bash -c "! kill -0 $big 2>/dev/null"
fi
kill -KILL "$big" 2>/dev/null

# ---- a systemd unit's cgroup: its manager may put limits back ----
# a sibling: on v2 a cgroup holding processes hands no controller down
cg_mkdir "$(dirname "$CG_DIR_cpu")/$name-fake.service"
act 0 "limit a .service cgroup" limit "$(dirname "$CG_PATH_cpu")/$name-fake.service" --cpu 50%
grep -q "systemd manages this cgroup and may put its own limits back" /tmp/nstop-err.$$ &&
	ok "says systemd may put its own limits back" || notok "no note: $(cat /tmp/nstop-err.$$)"

# ---- hybrid: the controller-less unified tree's cgroup.freeze and cgroup.kill ----
um=$(cg_mnt "")
if [ $CG_MODE = v1 ] && [ -n "$um" ] && [ -f "$um/cgroup.procs" ]; then
	ub=$(cg_own ""); ud=$um${ub%/}/$name-u; up=${ub%/}/$name-u
	cg_mkdir "$ud"
	saved=("${CG_PROCS[@]}"); CG_PROCS=("$ud/cgroup.procs")
	cg_start us "$HOG" forker
	act 0 "hybrid: freeze a unified-tree cgroup" freeze "$up"
	check "cgroup.events says frozen" grep -qx "frozen 1" "$ud/cgroup.events"
	act 0 "hybrid: thaw it" thaw "$up"
	check "cgroup.events says thawed" grep -qx "frozen 0" "$ud/cgroup.events"
	act 0 "hybrid: kill --signal KILL" kill "$up" --signal KILL
	grep -q "cgroup.kill" /tmp/nstop-out.$$ && ok "through cgroup.kill" || notok "not cgroup.kill: $(cat /tmp/nstop-out.$$)"
	check "and the cgroup is empty" test -z "$(cat "$ud/cgroup.procs")"
	CG_PROCS=("${saved[@]}")
fi

# ---- the audit log: one valid JSON line per action ----
lines=$(wc -l <"$L")
check "the audit log has one line per action ($lines lines, $actions actions)" test "$lines" = "$actions"
check "every line is valid JSON with the documented keys" \
	jq -e -s 'all(.[]; has("time") and has("user") and has("action") and has("target") and has("result"))' "$L"
check "the audit log is 0600" test "$(stat -c %a "$L")" = 600
expect_exit 0 "nstop audit prints it" audit --audit-log "$L"
check "one row per action plus the header" test "$(wc -l </tmp/nstop-out.$$)" = $((actions + 1))
expect_exit 0 "nstop audit --json" audit --json --audit-log "$L"
check "its JSON holds every action" test "$(jq '.actions | length' /tmp/nstop-out.$$)" = "$actions"
ln -s "$L" "$tmp/link.log"
expect_exit 1 "an audit log that is a symlink is refused" limit "$CG_PATH_cpu" --cpu 50% --audit-log "$tmp/link.log"
echo "1..$n"
