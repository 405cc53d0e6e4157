#!/bin/bash
# Do no harm: freeze, kill and limit must refuse a cgroup that holds (or is
# an ancestor of one that holds) PID 1, nstop itself, its parent or another
# ancestor, or the leader of the operator's session; a bare pid in no
# container is refused; an interrupted cgroup kill never leaves its target
# frozen; the audit log, undo's records and root's config file are trusted
# only when only root can have written them. Everything runs for real in
# cgroups the test makes (A and A/B in every hierarchy, with the guarded
# process in A/B), and a watchdog thaws and removes them, so a build that
# lacks a refusal fails here instead of freezing the test.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "harm: the cgroups and signals need root"; echo "1..$n"; exit 0
fi
name=nstop-harm-$$
tmp=$(mktemp -d /tmp/nstop-harm.XXXXXX)
L=$tmp/audit.log
export NSTOP_STATE_DIR=$tmp/state

# every hierarchy: its mount and this process's path there (v2: beneath
# NSTOP_TEST_CGROUP when set, as lib-cg.sh does)
MNTS=() OWNS=()
while IFS=: read -r hid ctrls path; do
	c=${ctrls%%,*}
	m=$(cg_mnt "$c")
	[ -n "$m" ] && [ -d "$m" ] || continue
	if [ "$hid" = 0 ] && [ -n "${NSTOP_TEST_CGROUP:-}" ]; then path=${NSTOP_TEST_CGROUP#"$m"}; fi
	MNTS+=("$m") OWNS+=("${path%/}")
done </proc/self/cgroup
dirs() { # dirs SUB: SUB's directory in every hierarchy
	local i
	for i in "${!MNTS[@]}"; do echo "${MNTS[$i]}${OWNS[$i]}/$name$1"; done
}
paths() { # paths SUB: SUB as nstop names it, once per distinct path
	local i
	for i in "${!MNTS[@]}"; do echo "${OWNS[$i]}/$name$1"; done | sort -u
}
ctlpath() { # ctlpath CONTROLLER SUB: the path in that controller's hierarchy
	local i m
	m=$(cg_mnt "$1"); [ -n "$m" ] || m=$(cg_mnt "")
	for i in "${!MNTS[@]}"; do [ "${MNTS[$i]}" = "$m" ] && echo "${OWNS[$i]}/$name$2"; done | head -1
}
mk() { # mk SUB: made in every hierarchy (a v1 cpuset needs its cpus and mems;
	# on v2 A hands its controllers down to what is made beneath it)
	local d c
	for d in $(dirs "$1"); do
		if [ -n "$1" ] && [ -f "$(dirname "$d")/cgroup.subtree_control" ]; then
			for c in $(cat "$(dirname "$d")/cgroup.controllers"); do
				echo "+$c" >"$(dirname "$d")/cgroup.subtree_control" 2>/dev/null
			done
		fi
		mkdir "$d" || return 1
		if [ -f "$d/cpuset.cpus" ]; then
			cat "$(dirname "$d")/cpuset.cpus" >"$d/cpuset.cpus"
			cat "$(dirname "$d")/cpuset.mems" >"$d/cpuset.mems"
		fi
	done
}
# what the test made, thawed, emptied and removed: by cleanup and by the
# watchdog, which does it on its own once the deadline passes
thaw_all() {
	local d
	for d in $(dirs "" | sort -r) $(dirs "" | sed 's|$|/B|') $(dirs -c); do
		[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
	done
}
kill_all() {
	local d p
	for d in $(dirs ""); do
		for p in $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for d in $(dirs -c); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
}
remove_all() {
	local d
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		thaw_all; kill_all
		for d in $(dirs ""); do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
		for d in $(dirs -c); do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
		[ -z "$(for d in $(dirs "") $(dirs -c); do [ -d "$d" ] && echo "$d"; done)" ] && return 0
		sleep 0.3
	done
}
watchdog=
cleanup() {
	[ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
	remove_all
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
# (its sleep goes with it: no stray process holds the suite's output open)
(
	trap 'kill "$sp" 2>/dev/null; exit 0' TERM
	sleep "${HARM_DEADLINE:-240}" &
	sp=$!
	wait "$sp"
	echo "# watchdog: deadline passed, thawing and removing" >&2
	remove_all
) &
watchdog=$!

mk "" && mk /B && mk -c || { notok "could not make the test's cgroups"; echo "1..$n"; exit 0; }
mvpid() { # mvpid SUB PID: into SUB in every hierarchy
	local d
	for d in $(dirs "$1"); do echo "$2" >"$d/cgroup.procs" || return 1; done
}
ok "made A and A/B in ${#MNTS[@]} hierarchies"

# the files a refused action must leave byte for byte as they were
snapshot() {
	local d f
	for d in $(dirs "") $(dirs /B); do
		for f in cgroup.procs cgroup.freeze freezer.state cpu.max cpu.cfs_quota_us cpu.cfs_period_us \
			memory.max memory.limit_in_bytes pids.max; do
			[ -f "$d/$f" ] && printf '%s/%s: %s\n' "$d" "$f" "$(sort -n "$d/$f" | tr '\n' ' ')"
		done
	done
}
# every destructive action, on A/B and on A, one line each
: >"$tmp/actions"
for sub in /B ""; do
	for p in $(paths "$sub"); do
		echo "freeze $p" >>"$tmp/actions"
		echo "kill $p --signal KILL" >>"$tmp/actions"
		lim=
		[ "$p" = "$(ctlpath cpu "$sub")" ] && lim="$lim --cpu 50%"
		[ "$p" = "$(ctlpath pids "$sub")" ] && lim="$lim --pids 77"
		[ "$p" = "$(ctlpath memory "$sub")" ] && lim="$lim --memory 1G"
		[ -n "$lim" ] && echo "limit $p$lim" >>"$tmp/actions"
	done
done
# runs every action (from wherever the scenario starts it), each one's exit
# status and message kept; "done" at the end
# ("ready", then waits for "go": the test takes its snapshot with every
# process of the scenario in place; after "done" it stays until "release")
# (it waits with read -t on a FIFO, a builtin: no sleep process comes and
# goes in the cgroups being compared)
mkfifo "$tmp/z"
cat >"$tmp/run.sh" <<EOF
#!/bin/bash
exec 9<>$tmp/z
touch "\$1.ready"
while [ ! -e "\$1.go" ]; do read -r -t 0.05 -u 9; done
i=0
while read -r a; do
	i=\$((i + 1))
	\$NSTOP_CMD --no-config \$a --audit-log $L >"\$1.\$i.out" 2>"\$1.\$i.err"
	echo \$? >"\$1.\$i.rc"
done <$tmp/actions
touch "\$1.done"
while [ ! -e "\$1.release" ]; do read -r -t 0.05 -u 9; done
EOF
# "moves itself into the test's C cgroup, then execs": a helper for scenarios
# (nothing runs when the move fails: no process of the test outside its cgroups)
cat >"$tmp/inc.sh" <<EOF
#!/bin/bash
for d in $(dirs -c | tr '\n' ' '); do echo \$\$ >"\$d/cgroup.procs" || exit 1; done
exec "\$@"
EOF
cat >"$tmp/inb.sh" <<EOF
#!/bin/bash
for d in $(dirs /B | tr '\n' ' '); do echo \$\$ >"\$d/cgroup.procs" || exit 1; done
exec "\$@"
EOF
chmod +x "$tmp/run.sh" "$tmp/inc.sh" "$tmp/inb.sh"
export NSTOP_CMD=$NSTOP

# scenario NAME REASON CMD...: CMD arranges the guarded process in A/B and
# runs run.sh $tmp/NAME; every action must be refused (exit 2) naming REASON,
# and nothing in A or A/B may change
scenario() {
	local nm=$1 why=$2; shift 2
	local before after i rc bad=0 total
	"$@" &
	local spid=$!
	for _ in $(seq 200); do [ -e "$tmp/$nm.ready" ] && break; sleep 0.05; done
	before=$(snapshot)
	touch "$tmp/$nm.go"
	for _ in $(seq 300); do [ -e "$tmp/$nm.done" ] && break; sleep 0.1; done
	if [ ! -e "$tmp/$nm.done" ]; then
		notok "$nm: the actions did not finish within 30 s (a refusal is missing: A/B was frozen?)"
		thaw_all
		for _ in $(seq 100); do [ -e "$tmp/$nm.done" ] && break; sleep 0.1; done
	fi
	after=$(snapshot)
	total=$(wc -l <"$tmp/actions")
	for i in $(seq "$total"); do
		rc=$(cat "$tmp/$nm.$i.rc" 2>/dev/null)
		if [ "$rc" != 2 ] || ! grep -q "$why" "$tmp/$nm.$i.err" ||
			! grep -q '^nstop: [a-z]*: .*refusing' "$tmp/$nm.$i.err"; then
			bad=1
			echo "#   $(sed -n "${i}p" "$tmp/actions"): exit ${rc:-none}: $(head -c 300 "$tmp/$nm.$i.err" 2>/dev/null)"
		fi
	done
	[ $bad = 0 ] && ok "$nm: all $total actions on A/B and A refused (exit 2), naming \"$why\"" ||
		notok "$nm: not every action refused naming \"$why\""
	if [ "$before" = "$after" ]; then ok "$nm: nothing in A or A/B changed"; else
		notok "$nm: A or A/B changed"; diff <(echo "$before") <(echo "$after") | head -10 | sed 's/^/#   /'
	fi
	# the session's processes, started by this scenario
	touch "$tmp/$nm.release"
	kill_all_b
	{ wait "$spid"; } 2>/dev/null
}
kill_all_b() {
	local d p
	thaw_all
	for d in $(dirs /B) $(dirs -c); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
}

# nstop itself in A/B (a session of its own)
scenario self "holds nstop itself" setsid "$tmp/inb.sh" "$tmp/run.sh" "$tmp/self"
# nstop's parent in A/B, nstop in C
scenario parent "nstop's parent" setsid "$tmp/inb.sh" bash -c \
	"NSTOP_CMD='$tmp/inc.sh $NSTOP' '$tmp/run.sh' '$tmp/parent'"
# a grandparent in A/B: the shell that started the script that runs nstop
scenario ancestor "an ancestor of nstop" setsid "$tmp/inb.sh" bash -c \
	"'$tmp/inc.sh' '$tmp/run.sh' '$tmp/ancestor'; true"
# only the session's leader in A/B: nstop started from inside that session,
# its parent gone (reparented), itself and the rest in C
scenario session "the leader of nstop's session" setsid "$tmp/inb.sh" bash -c \
	"( '$tmp/inc.sh' '$tmp/run.sh' '$tmp/session' & ); exec 9<>'$tmp/z'; while [ ! -e '$tmp/session.release' ]; do read -r -t 0.05 -u 9; done"
# nstop in a pid namespace of its own (PID 1 there is an init of the
# test's, in A/B; nstop in C, in a session of its own): from there the
# host's init and nstop's ancestors are out of sight, so every action is
# refused, whatever its target (the real PID 1's cgroups are never a test's
# to try)
if unshare -pf --mount-proc true 2>/dev/null; then
	scenario pid1 "pid namespace of its own" unshare -pf --mount-proc 2>/dev/null "$tmp/inb.sh" bash -c \
		"setsid '$tmp/inc.sh' '$tmp/run.sh' '$tmp/pid1'; true"
else
	skip "pid1: unshare -p is not available"
fi

# ---- a bare pid in no container: refused with the hint, nothing changed ----
setsid "$tmp/inb.sh" sleep 1000 &
slp=$!
for _ in $(seq 50); do grep -qx "$slp" "$(dirs /B | head -1)/cgroup.procs" && break; sleep 0.05; done
before=$(snapshot)
bad=0
for a in "freeze $slp" "kill $slp --signal KILL" "limit $slp --cpu 50%"; do
	# shellcheck disable=SC2086
	"$NSTOP" --no-config $a --audit-log "$L" >/dev/null 2>"$tmp/pid.err"
	rc=$?
	if [ $rc != 2 ] || ! grep -q "in no container.*cgroup path as TARGET.*kill --pid" "$tmp/pid.err"; then
		bad=1; echo "#   $a: exit $rc: $(cat "$tmp/pid.err")"
	fi
done
[ $bad = 0 ] && ok "a pid in no container is refused (exit 2) with the hint (its cgroup path, kill --pid)" ||
	notok "a pid in no container was not refused with the hint"
check "... and nothing changed" test "$before" = "$(snapshot)"
check "... and the process still runs" kill -0 "$slp"
kill -KILL "$slp" 2>/dev/null; kill_all_b; { wait "$slp"; } 2>/dev/null

# ---- an interrupted cgroup kill thaws before it dies ----
# strace slows each pidfd_send_signal down, so that SIGINT and SIGTERM land
# between the freeze and the thaw
if command -v strace >/dev/null; then
	k=$(paths /B | head -1)
	setsid "$tmp/inb.sh" bash -c 'trap "" TERM; for i in 1 2 3 4 5 6; do sleep 1000 & done; while :; do sleep 0.2 & wait $!; done' &
	fk=$!
	sleep 0.5
	frozen() { local d; for d in $(dirs /B); do
		grep -qx "frozen 1" "$d/cgroup.events" 2>/dev/null && return 0
		grep -qx FROZEN "$d/freezer.state" 2>/dev/null && return 0
	done; return 1; }
	strace -f -qq -o /dev/null -e trace=pidfd_send_signal -e inject=pidfd_send_signal:delay_enter=400000 \
		"$NSTOP" --no-config kill "$k" --grace 3 --audit-log "$L" >/dev/null 2>"$tmp/kill.err" &
	st=$!
	for _ in $(seq 400); do frozen && break; sleep 0.01; done
	if frozen; then
		ok "the kill froze its target"
		np=$(cat /proc/$st/task/*/children 2>/dev/null | awk '{print $1}')
		[ -n "$np" ] && kill -INT "$np" && kill -TERM "$np"
		wait "$st"
		rc=$?
		check "nstop died of the signal once it had thawed (status $rc)" test "$rc" -gt 128
		if frozen; then notok "the target is left frozen"; else ok "the target is not left frozen"; fi
	else
		notok "the kill never froze its target"; wait "$st"
	fi
	kill_all_b; { wait "$fk"; } 2>/dev/null
else
	skip "interrupted kill: strace is missing (make deps)"
fi

# ---- a kill whose freeze fails says so, and signals until none is new ----
# (TERM: KILL would go through cgroup.kill, which needs no freeze)
# (strace makes every write to the target's freeze file fail)
if command -v strace >/dev/null; then
	k=$(paths /B | head -1)
	ff=
	for d in $(dirs /B); do [ -f "$d/cgroup.freeze" ] && ff=$d/cgroup.freeze; done
	[ -n "$ff" ] || for d in $(dirs /B); do [ -f "$d/freezer.state" ] && ff=$d/freezer.state; done
	setsid "$tmp/inb.sh" bash -c 'for i in 1 2 3 4; do sleep 1000 & done; while :; do sleep 0.2 & wait $!; done' &
	fk=$!
	sleep 0.5
	strace -f -qq -o /dev/null -P "$ff" -e trace=write -e inject=write:error=EIO \
		"$NSTOP" --no-config kill "$k" --signal TERM --audit-log "$L" >/dev/null 2>"$tmp/kill.err"
	rc=$?
	grep -q "could not be frozen.*signalled unfrozen, in [0-9]* rounds" "$tmp/kill.err" &&
		ok "a failed freeze is said (exit $rc)" || notok "a failed freeze is not said (exit $rc): $(cat "$tmp/kill.err")"
	for _ in $(seq 50); do [ -z "$(cat $(dirs /B | sed 's|$|/cgroup.procs|') 2>/dev/null)" ] && break; sleep 0.1; done
	check "... and every member is gone all the same" test -z "$(cat $(dirs /B | sed 's|$|/cgroup.procs|') 2>/dev/null)"
	kill_all_b; { wait "$fk"; } 2>/dev/null
fi

# ---- trusted inputs: the audit log and its directory ----
e=$(paths "" | head -1)
mkdir -m 0775 "$tmp/gw"
before=$(snapshot)
expect_exit 1 "an audit log in a group-writable directory is refused" --no-config limit "$(ctlpath pids "")" --pids 55 --audit-log "$tmp/gw/a.log"
grep -q "writable by group or others" /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
check "... nothing changed, no log made" bash -c "[ ! -e '$tmp/gw/a.log' ] && [ \"\$1\" = \"\$2\" ]" _ "$before" "$(snapshot)"
mkdir -m 0700 "$tmp/own"
echo '{"time":"t","id":"n1","user":"u","uid":0,"action":"kill","target":{"cgroup":"/x"},"result":"ok"}' >"$tmp/own/a.log"
chown nobody "$tmp/own/a.log"
expect_exit 1 "an audit log owned by another user is refused for writing" --no-config limit "$(ctlpath pids "")" --pids 55 --audit-log "$tmp/own/a.log"
grep -q "owned by uid $(id -u nobody)" /tmp/nstop-err.$$ && ok "... saying whose it is" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
expect_exit 1 "... and for reading (nstop audit)" --no-config audit --audit-log "$tmp/own/a.log"
check "... nothing changed" test "$before" = "$(snapshot)"
check "... and the log is as it was" test "$(cat "$tmp/own/a.log")" = '{"time":"t","id":"n1","user":"u","uid":0,"action":"kill","target":{"cgroup":"/x"},"result":"ok"}'

# ---- undo of a record whose path climbs out with .. ----
pp=$(ctlpath pids "")
pd=$(for d in $(dirs ""); do [ -f "$d/pids.max" ] && echo "$d"; done | head -1)
if [ -n "$pd" ]; then
	echo 50 >"$pd/pids.max"
	key=$(awk -F: -v m="$(cg_mnt pids)" '$2 == "pids" || ($1 == 0 && m == "") { print ($1 == 0 ? "cgroup2" : $2); exit }' /proc/self/cgroup)
	[ -n "$key" ] || key=cgroup2
	ino=$(stat -c %i "$pd/B")
	printf '{"time":"t","id":"dots1","user":"root","uid":0,"action":"limit","target":{"word":"%s/B/..","cgroup":"%s/B/..","cgroups":{"%s":"%s/B/.."},"cgroup_ids":{"%s":"0:%s"}},"old":{"pids":"max"},"new":{"pids":"60"},"result":"ok"}\n' \
		"$pp" "$pp" "$key" "$pp" "$key" "$ino" >"$tmp/dots.log"
	before=$(snapshot)
	expect_exit 2 "undo of a record naming a path with .. is refused" --no-config undo --audit-log "$tmp/dots.log"
	grep -q '\. or \.\.' /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
	check "... A's pids.max is still 50, nothing changed" bash -c "[ \"\$(cat '$pd/pids.max')\" = 50 ] && [ \"\$1\" = \"\$2\" ]" _ "$before" "$(snapshot)"
	# the same with an empty component: "//A" is A to the kernel, but not to
	# a string compare against a guarded cgroup beneath A
	ino=$(stat -c %d:%i "$pd")
	printf '{"time":"t","id":"dbl1","user":"root","uid":0,"action":"limit","target":{"word":"/%s","cgroup":"/%s","cgroups":{"%s":"/%s"},"cgroup_ids":{"%s":"%s"}},"old":{"pids":"max"},"new":{"pids":"60"},"result":"ok"}\n' \
		"$pp" "$pp" "$key" "$pp" "$key" "$ino" >"$tmp/dbl.log"
	before=$(snapshot)
	expect_exit 2 "undo of a record naming //A is refused" --no-config undo --audit-log "$tmp/dbl.log"
	grep -q 'empty, \. or \.\.' /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
	check "... A's pids.max is still 50, nothing changed" bash -c "[ \"\$(cat '$pd/pids.max')\" = 50 ] && [ \"\$1\" = \"\$2\" ]" _ "$before" "$(snapshot)"
	# a record of A/B, then A/B removed and made again: another cgroup
	expect_exit 0 "limit A/B --pids 40 (recorded)" --no-config limit "$pp/B" --pids 40 --audit-log "$tmp/re.log"
	for d in $(dirs /B); do for _ in 1 2 3 4 5; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done; done
	mk /B
	before=$(snapshot)
	expect_exit 2 "undo after A/B was removed and made again is refused" --no-config undo --audit-log "$tmp/re.log"
	grep -q "not the one it was" /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
	check "... nothing changed" test "$before" = "$(snapshot)"
else
	skip "undo: no pids controller here"
fi

# ---- root ignores a config file that another user owns ----
mkdir -p "$tmp/xdg/nstop"
echo '{"time":"t","id":"cfg1","user":"u","uid":0,"action":"kill","target":{"cgroup":"/x"},"result":"ok"}' >"$tmp/cfg.log"
echo "audit_log = $tmp/cfg.log" >"$tmp/xdg/nstop/config"
XDG_CONFIG_HOME=$tmp/xdg "$NSTOP" audit -J >"$tmp/cfg.out" 2>"$tmp/cfg.err"
check "a root-owned config file is read (its audit_log has the record)" grep -q cfg1 "$tmp/cfg.out"
chown nobody "$tmp/xdg/nstop/config"
# /var/log in a mount namespace of its own: the host's log is never read
XDG_CONFIG_HOME=$tmp/xdg unshare -m sh -c 'mkdir -p /var/log && mount -t tmpfs none /var/log && exec "$@"' _ "$NSTOP" audit -J >"$tmp/cfg.out" 2>"$tmp/cfg.err"
check "owned by nobody, root ignores it (its audit_log is not read)" bash -c "! grep -q cfg1 '$tmp/cfg.out'"
grep -q "config: .*owned by uid $(id -u nobody), not root.*ignored" "$tmp/cfg.err" && ok "... with a warning" ||
	notok "... no warning: $(cat "$tmp/cfg.err")"
# a file only looks like root's: /proc/PID/cmdline is root-owned and
# read-only, and holds what its process's user chose (a set-uid program's
# argv[0] is the caller's)
expect_exit 1 "a log on procfs is refused (/proc/PID/cmdline)" --no-config audit --audit-log /proc/$$/cmdline
grep -q "not a regular file" /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
# root's own config file in a directory nobody owns: nobody could swap it
mkdir -p "$tmp/xdg2/nstop"
cp "$tmp/xdg/nstop/config" "$tmp/xdg2/nstop/config"
chown root "$tmp/xdg2/nstop/config"
chown nobody "$tmp/xdg2/nstop"
XDG_CONFIG_HOME=$tmp/xdg2 unshare -m sh -c 'mkdir -p /var/log && mount -t tmpfs none /var/log && exec "$@"' _ "$NSTOP" audit -J >"$tmp/cfg.out" 2>"$tmp/cfg.err"
check "root's config in a directory nobody owns is ignored ($(head -c 160 "$tmp/cfg.err"))" \
	bash -c "! grep -q cfg1 '$tmp/cfg.out' && grep -q 'directory is owned by uid $(id -u nobody).*ignored' '$tmp/cfg.err'"
# kill --pid, the one-process escape hatch, spares nstop's ancestors too
# (CONT: harmless should the refusal be missing)
expect_exit 2 "kill --pid of nstop's parent (this test's shell) is refused" --no-config kill --pid $$ -s CONT --audit-log "$tmp/kp.log"
grep -q "nstop's parent: not signalled" /tmp/nstop-err.$$ && ok "... saying why" || notok "... no reason: $(cat /tmp/nstop-err.$$)"
echo "1..$n"
