#!/bin/bash
# Attacks on issue 15's restructure that worked (tests/escape/refactor.sh):
# 1. kill walks a target's cgroup tree only 65 levels down and skips every
#    cgroup whose name starts with a dot (cgdir.c's collect_procs): a
#    member of a cgroup nested deeper, or of TARGET/.x (anyone with a
#    delegated subtree, a container with a writable cgroupfs, can make
#    one) is never signalled, and the kill reports success with nothing
#    remaining: SIGKILL where there is no cgroup.kill, and a TERM with
#    --grace that never escalates to the survivor even where there is one.
# 2. A signal that reaches the internal `nstop _create` mid-way (the
#    dashboard runs it in the dashboard's process group on the terminal: ^C, ^\ or
#    a hangup reach it with their default action) leaves a half-made
#    container behind: its registry directory and cgroups, no audit record,
#    and a name that neither nstop rm nor nstop create can clear; killed
#    late, a running container's init that no registry entry names.
# 3. A container with --rootfs makes a directory tree 140 deep in its
#    writable layer: nstop rm (the CLI's and now the dashboard's, in
#    process) removes state.json in the same pass that then fails on the
#    tree (rm_tree_at stops at 128 levels), so the registry entry is gone
#    while the layer stays: rm says "no such container", create says
#    "exists": the name is stuck, the layer left on disk.
# 4. A container's command inherited the signals nstop's launcher ignored
#    (SIGPIPE, SIGQUIT, ...) and the mask nstop ran with.
# Fixed: every name but . and .. is a cgroup, a tree deeper than nstop reads
# fails the kill; run_create holds the ending signals until the create is
# whole or undone and recorded, the dashboard's _create has its own process
# group; state.json goes last, deep layers are hoisted and removed; the
# command starts with default signals and an empty mask.
# Everything is made beneath the test's own cgroups and removed by the trap.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape refactor: cgroups and containers need root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-refac.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
name=nstop-refac-$$
pids=()
dirs=()
made=()
cleanup() {
	local p d nm
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for nm in "${made[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for d in "${dirs[@]}"; do
		[ -d "$d" ] || continue
		find "$d" -name freezer.state -exec sh -c 'echo THAWED >"$1"' _ {} \; 2>/dev/null
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -KILL "$p" 2>/dev/null; done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] || break
			sleep 0.2
		done
	done
	# an interrupted _create may leave a running init no registry names
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$d" -maxdepth 7 -path "*$name-p/*" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -u | while read -r p; do kill -KILL "$p" 2>/dev/null; done
	sleep 0.3
	ctr_parent_rm "$name-p"
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

# ---- 1. a member out of the kill's walk: too deep, or dot-named ----
deep70="" deep300=""
for _ in $(seq 70); do deep70+="/d"; done
# deeper than nstop walks (CGX_MEMBERS_DEPTH, 256): the kill may fail, but
# must never say it succeeded while the member lives
for _ in $(seq 300); do deep300+="/d"; done
# deep_setup TAG HIERARCHY...: TAG/top holds a plain sleep, TAG$deep (70
# levels down, or a dot-named cgroup) a sleep that ignores SIGTERM; sets
# SHALLOW, DEEP and TPATH
deep_setup() {
	local tag=$1 h m own; shift
	TPATH=""
	for h in "$@"; do
		m=$(cg_mnt "$h")
		[ -n "$m" ] || return 1
		own=$(cg_own "$h")
		[ -z "$TPATH" ] || [ "$TPATH" = "${own%/}/$tag" ] || return 1
		TPATH=${own%/}/$tag
		mkdir -p "$m$TPATH/top" "$m$TPATH$deep" || return 1
		dirs+=("$m$TPATH")
	done
	sleep 1000 &
	SHALLOW=$!
	(trap '' TERM; exec sleep 1000) &
	DEEP=$!
	pids+=("$SHALLOW" "$DEEP")
	for h in "$@"; do
		m=$(cg_mnt "$h")
		echo "$SHALLOW" >"$m$TPATH/top/cgroup.procs" && echo "$DEEP" >"$m$TPATH$deep/cgroup.procs" || return 1
	done
}
alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

for deep in "$deep70" /.x "$deep300"; do
what="a member 70 cgroups down"
[ "$deep" = /.x ] && what="a member of the cgroup .x"
[ "$deep" = "$deep300" ] && what="a member 300 cgroups down"
# SIGKILL without a unified path (no cgroup.kill): the signal_pass walk
if deep_setup "$name-k${#deep}" freezer pids; then
	"$NSTOP" kill "$TPATH" -s KILL --audit-log "$L" >"$tmp/k.out" 2>&1
	rc=$?
	sleep 0.3
	if alive "$DEEP"; then
		check "kill -s KILL of $TPATH: $what survives, so the kill must not succeed (exit $rc: $(head -c 200 "$tmp/k.out"); audit: $(tail -1 "$L" | jq -c .new 2>/dev/null))" test "$rc" -ne 0
	else
		ok "kill -s KILL of $TPATH reached $what"
	fi
else
	skip "refactor: no v1 freezer and pids hierarchies beneath one own path"
fi

# SIGTERM --grace where cgroup.kill exists: the survivor must be escalated to
if [ -n "$(cg_mnt "")" ] && deep_setup "$name-t${#deep}" freezer pids ""; then
	"$NSTOP" kill "$TPATH" -s TERM --grace 1 --audit-log "$L" >"$tmp/t.out" 2>&1
	rc=$?
	sleep 0.3
	if alive "$DEEP" && [ "$deep" = "$deep300" ]; then
		check "kill -s TERM --grace 1 of $TPATH: $what lives on, so the kill must not succeed (exit $rc: $(head -c 200 "$tmp/t.out"))" test "$rc" -ne 0
	elif alive "$DEEP"; then
		notok "kill -s TERM --grace 1 of $TPATH: $what ignores SIGTERM and lives on, never escalated (exit $rc: $(head -c 200 "$tmp/t.out"); audit: $(tail -1 "$L" | jq -c .new 2>/dev/null))"
	else
		ok "kill -s TERM --grace 1 of $TPATH ended $what (exit $rc)"
	fi
else
	skip "refactor: no unified tree beside the v1 freezer and pids"
fi
done

# ---- 2. _create interrupted: nothing may be left half-made ----
parent=$(ctr_parent "$name-p")
leftover() { # leftover NAME: a trace of NAME that is not a registered container
	local d
	"$NSTOP" containers -J 2>/dev/null | jq -e --arg n "$1" '.containers[] | select(.name == $n)' >/dev/null && return 1
	[ -e "$NSTOP_STATE_DIR/$1" ] && return 0
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		[ -n "$(find "$d" -maxdepth 6 -type d -path "*$name-p/$1" 2>/dev/null | head -1)" ] && return 0
	done
	return 1
}
interrupted=0 left=()
# (fewer in the v2 guest, where a try under TCG costs ten times as much)
rounds=30 tries=10
[ -n "${NSTOP_IN_VM:-}" ] && rounds=10 tries=4
for i in $(seq 1 "$rounds"); do
	nm=rf$$-$i
	made+=("$nm")
	printf '{"name":"%s","audit-log":"%s","cgroup-parent":"%s"}' "$nm" "$L" "$parent" >"$tmp/req"
	"$NSTOP" _create 3<"$tmp/req" 4>"$tmp/rep.$i" &
	p=$!
	sleep "0.0$(printf '%02d' $(((i % 15) * 3 + 1)))"
	kill -TERM "$p" 2>/dev/null
	wait "$p"
	rc=$?
	[ "$rc" -ge 128 ] || continue
	interrupted=$((interrupted + 1))
	leftover "$nm" && left+=("$nm")
done
running=$(for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
	for nm in "${left[@]}"; do
		find "$d" -maxdepth 7 -path "*$name-p/$nm" -name "$nm" -type d -exec cat {}/cgroup.procs \; 2>/dev/null
	done
done | sort -u | wc -l)
if [ "$interrupted" = 0 ]; then
	skip "refactor: no _create was interrupted mid-way in $rounds tries"
else
	"$NSTOP" rm -f "${left[0]:-none}" --audit-log "$L" >"$tmp/rm.out" 2>&1
	check "$interrupted of $rounds _create interrupted by SIGTERM (as ^C reaches the dashboard's): none leaves a half-made container (left: ${left[*]:-none}, $running running process(es) in them; nstop rm of the first: $(head -c 120 "$tmp/rm.out"))" test ${#left[@]} = 0
fi
# what the rounds left: the registry directories rm cannot remove
for nm in "${left[@]}"; do rm -rf "${NSTOP_STATE_DIR:?}/$nm"; done

# ---- 3. a deep tree in the writable layer against nstop rm ----
if command -v busybox >/dev/null; then
	R=$tmp/rootfs
	mkdir -p "$R/bin"
	cp "$(command -v busybox)" "$R/bin/busybox"
	for a in sh mkdir sleep seq; do ln -s busybox "$R/bin/$a"; done
	nm=rfd$$
	made+=("$nm")
	"$NSTOP" create "$nm" --rootfs "$R" --cgroup-parent "$parent" --audit-log "$L" -- \
		sh -c 'cd /; for i in $(seq 140); do mkdir d; cd d; done; echo made; sleep 1000' >/dev/null 2>&1
	for _ in $(seq 50); do grep -q made "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null && break; sleep 0.1; done
	"$NSTOP" rm -f "$nm" --audit-log "$L" >"$tmp/rm1.out" 2>&1
	rc=$?
	if [ $rc = 0 ] && [ ! -e "$NSTOP_STATE_DIR/$nm" ]; then
		ok "nstop rm removed a container with a 140-deep tree in its layer"
	else
		"$NSTOP" rm -f "$nm" --audit-log "$L" >"$tmp/rm2.out" 2>&1
		rc2=$?
		check "nstop rm of a container with a 140-deep tree in its layer failed (exit $rc: $(head -c 150 "$tmp/rm1.out")), so it must be retryable (second rm exit $rc2: $(head -c 150 "$tmp/rm2.out"))" test $rc2 = 0
	fi
	rm -rf "${NSTOP_STATE_DIR:?}/$nm"
else
	skip "refactor: no busybox for a rootfs"
fi
# ---- 4. what the launcher ignored or blocked is not the container's ----
nm=rfs$$
made+=("$nm")
(trap '' PIPE QUIT USR1 HUP; exec "$NSTOP" create "$nm" --cgroup-parent "$parent" --audit-log "$L" -- \
	sh -c 'grep -E "^Sig(Ign|Blk)" /proc/self/status; sleep 1000') >/dev/null 2>&1
for _ in $(seq 50); do grep -q SigBlk "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null && break; sleep 0.1; done
sigs=$(tr '\n\t' '  ' <"$NSTOP_STATE_DIR/$nm/log" 2>/dev/null)
check "a container started by a launcher ignoring PIPE, QUIT, USR1 and HUP gets every signal at its default, none blocked ($sigs)" \
	eval 'grep -q "^SigIgn:[[:space:]]*0*$" "$NSTOP_STATE_DIR/$nm/log" && grep -q "^SigBlk:[[:space:]]*0*$" "$NSTOP_STATE_DIR/$nm/log"'
"$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1
# ---- 5. a member that moves between two of its own sub-cgroups ----
# (attacker review atk15b) Every count of kill's members is one walk of the
# tree: a member that owns TARGET/a and TARGET/b (a delegated subtree) and
# moves itself between them in a loop is missed by a walk now and then. The
# thaw after SIGTERM leaves it running, and wait_empty takes the first count
# of none for "all gone": --grace never escalates, the kill says done. (And
# where the target has no freezer, one missed pass ends SIGKILL's rounds.)
mover() { # mover DIR: a TERM-immune member (uid nobody when setpriv exists) moving itself between DIR/a and DIR/b
	local d=$1
	# (v2 moves need the common parent's cgroup.procs too: a delegated TP)
	chown nobody "$d" "$d/cgroup.procs" "$d/a" "$d/b" "$d/a/cgroup.procs" "$d/b/cgroup.procs" 2>/dev/null
	if command -v setpriv >/dev/null; then
		bash -c 'echo $$ >"$1/a/cgroup.procs"; trap "" TERM; exec setpriv --reuid nobody --regid nogroup --clear-groups bash -c "trap \"\" TERM; while :; do echo \$\$ >$1/b/cgroup.procs; echo \$\$ >$1/a/cgroup.procs; done"' _ "$d" &
	else
		bash -c 'echo $$ >"$1/a/cgroup.procs"; trap "" TERM; while :; do echo $$ >"$1/b/cgroup.procs"; echo $$ >"$1/a/cgroup.procs"; done' _ "$d" &
	fi
	MOVER=$!
	pids+=("$MOVER")
}
for how in "TERM --grace 1:freezer" "KILL:pids" "TERM --grace 1:"; do
	sig=${how%%:*} h=${how#*:}
	m=$(cg_mnt "$h")
	if [ -z "$m" ]; then
		skip "refactor: no ${h:-cgroup2} hierarchy for the moving member"
		continue
	fi
	own=$(cg_own "$h")
	TP=${own%/}/$name-mv${h:-v2}
	mkdir -p "$m$TP/a" "$m$TP/b" && dirs+=("$m$TP")
	got=""
	for try in $(seq "$tries"); do
		mover "$m$TP"
		# killed only once inside TP (under TCG its bash may take longer
		# than a fixed wait to get there: an empty target is rightly
		# killed with none signalled, then the mover moves in and lives)
		for _ in $(seq 100); do
			grep -q ":$TP/[ab]\$" "/proc/$MOVER/cgroup" 2>/dev/null && break
			sleep 0.05
		done
		sleep 0.2
		# shellcheck disable=SC2086
		"$NSTOP" kill "$TP" -s $sig --audit-log "$L" >"$tmp/mv.out" 2>&1
		rc=$?
		sleep 0.3
		if alive "$MOVER" && [ "$rc" = 0 ]; then
			got="try $try: exit 0 ($(tr '\n' ' ' <"$tmp/mv.out" | head -c 200)) with pid $MOVER alive"
		fi
		kill -KILL "$MOVER" 2>/dev/null
		wait "$MOVER" 2>/dev/null
		[ -n "$got" ] && break
	done
	check "kill -s $sig of $TP (${h:-cgroup2} only): a member moving itself between TP/a and TP/b must never be left alive by a kill that succeeds (${got:-$tries tries, none})" test -z "$got"
done

# ---- 6. a create held up by the registry's lock ignores ^C and TERM ----
# (attacker review atk15b) run_create blocks every ending signal for the
# whole create, the blocking flock on NSTOP_STATE_DIR/.lock (a user namespace's
# id block) included: while another holder keeps the lock (a create stopped
# or frozen mid-allocation), INT, TERM, HUP, QUIT and TSTP do nothing, and
# only SIGKILL ends the create, leaving the registry directory it had made:
# a name neither rm nor create can clear (what part 2 was fixed for).
if command -v flock >/dev/null; then
	nm=rfl$$
	made+=("$nm")
	mkdir -p "$NSTOP_STATE_DIR"
	flock "$NSTOP_STATE_DIR/.lock" sleep 30 &
	holder=$!
	pids+=("$holder")
	sleep 0.3
	"$NSTOP" create "$nm" --ns user,pid,mnt,uts,ipc --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000 >"$tmp/fl.out" 2>&1 &
	cp=$!
	pids+=("$cp")
	sleep 1
	kill -TERM "$cp" 2>/dev/null
	ended=no
	for _ in $(seq 30); do alive "$cp" || { ended=yes; break; }; sleep 0.1; done
	wchan=$(cat "/proc/$cp/wchan" 2>/dev/null)
	kill -KILL "$cp" 2>/dev/null
	wait "$cp" 2>/dev/null
	kill -KILL "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	stuck=""
	if ! "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1 && [ -e "$NSTOP_STATE_DIR/$nm" ]; then
		stuck=" (then SIGKILL, the only way out, left $NSTOP_STATE_DIR/$nm: $(ls -A "$NSTOP_STATE_DIR/$nm" | tr '\n' ' ')that nstop rm cannot clear)"
	fi
	check "a create waiting on the registry's lock ends on SIGTERM within 3 s (ended: $ended, waiting in ${wchan:-?})$stuck" test "$ended" = yes
	rm -rf "${NSTOP_STATE_DIR:?}/$nm"
else
	skip "refactor: no flock(1) to hold the registry's lock"
fi
# ---- 7. the container's init keeps create's mask and the launcher's ignores ----
# (attacker review atk15b, low) secure_signals runs for the command only: the
# init (nstop without an exec, pid 1 of the container, forked while
# run_create blocks every ending signal) keeps that whole mask and whatever
# the launcher ignored. A USR1, QUIT or ALRM sent to it from the host (nstop
# kill CTR -s USR1 signals it too), whose default would end it and the
# container, stays pending forever; the container reads the launcher's
# dispositions in /proc/1/status. The init needs only TERM, INT, HUP and
# CHLD blocked (its sigwaitinfo set), nothing ignored.
nm=rfi$$
made+=("$nm")
(trap '' PIPE QUIT USR1 HUP; exec "$NSTOP" create "$nm" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000) >/dev/null 2>&1
ipid=$(jq -r .pid "$NSTOP_STATE_DIR/$nm/state.json" 2>/dev/null)
blk=$(awk '/^SigBlk/ { print $2 }' "/proc/$ipid/status" 2>/dev/null)
ign=$(awk '/^SigIgn/ { print $2 }' "/proc/$ipid/status" 2>/dev/null)
if [ -n "$blk" ]; then
	# (in its sigwaitinfo the kernel shows those four unblocked: a subset)
	check "the container's init (pid $ipid) blocks nothing but TERM, INT, HUP and CHLD and ignores nothing (SigBlk $blk, SigIgn $ign; want within 0000000000014003, and 0)" \
		eval '[ "$((16#$blk & ~16#14003))" = 0 ] && [ "$((16#$ign))" = 0 ]'
else
	skip "refactor: no init to read for the mask check ($(head -c 100 "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null))"
fi
"$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1
echo "1..$n"
