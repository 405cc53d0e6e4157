#!/bin/bash
# Faults and environments: no cgroup filesystem (a private mount namespace
# with every cgroup mount gone), a read-only cgroupfs (the same, remounted
# read-only), a dumb or unknown terminal, a storm of SIGWINCH, and a
# container's init killed under the dashboard's feet.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
sock=nstop-faults-$$
TSESS=f SEE_LINES=6
. "$TOP/tests/lib-tmux.sh"
tmp=$(mktemp -d /tmp/nstop-faults.XXXXXX)
cleanup() {
	tmux_stop
	cg_cleanup
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

# ---- terminals ----
for term in dumb nstop-unknown-term; do
	script -qec "env TERM=$term $NSTOP --no-config" /dev/null </dev/null >/tmp/nstop-out.$$ 2>&1
	rc=$?
	check "TERM=$term: refused with a message (exit $rc)" \
		bash -c '[ "$1" = 2 ] && grep -q "needs a capable terminal" /tmp/nstop-out.$2' _ "$rc" "$$"
done
if command -v tmux >/dev/null; then
	T new-session -d -s f -x 120 -y 30 "env LC_ALL=C.UTF-8 TERM=xterm-256color $NSTOP --no-config --sysroot $FIXTURES/v2; echo NSTOP-EXITED-\$?; sleep 30"
	see "the dashboard runs" "namespaces 51"
	pid=$(pgrep -P "$(T display -p -t f '#{pane_pid}')" -x nstop | head -1)
	for i in $(seq 200); do kill -WINCH "$pid" 2>/dev/null; done
	for w in 40 200 60 120 45 160; do T resize-window -t f -x $w -y $((w / 4 + 10)) 2>/dev/null; done
	T resize-window -t f -x 120 -y 30 2>/dev/null
	see "200 SIGWINCH and six resizes later it still draws" "namespaces 51"
	check "and still runs" kill -0 "$pid"
	T send-keys -t f q
	see "and quits cleanly" "NSTOP-EXITED-0"
	T kill-server
fi

# ---- a cgroup directory replaced by a symlink (in a sysroot): not followed ----
cp -a "$FIXTURES/v2" "$tmp/sr"
cgroot=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' "$tmp/sr/proc/self/mountinfo")
mkdir -p "$tmp/outside/nstop-secret-cgroup"
ln -s "$tmp/outside" "$tmp/sr$cgroot/system.slice/evil-link"
"$NSTOP" --no-config --sysroot "$tmp/sr" cgroups -d 0 -o PATH >/tmp/nstop-out.$$ 2>&1
check "a symlinked cgroup directory is not followed" bash -c "! grep -q 'evil-link\|nstop-secret' /tmp/nstop-out.$$ && grep -q '^/system.slice$' /tmp/nstop-out.$$"

if ! need_root; then
	skip "no cgroupfs, read-only cgroupfs: mount namespaces need root"; echo "1..$n"; exit 0
fi
# ---- no cgroup filesystem ----
# a script that unmounts every cgroup mount of its (private) mount namespace
cat >"$tmp/nocg.sh" <<'NOCG'
for m in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
exec "$@"
NOCG
unshare -m bash "$tmp/nocg.sh" bash -c '"$1" --no-config ns -H -o NS | wc -l >"$2/ns"
	"$1" --no-config cgroups -d 0 2>"$2/cg-err"; echo $? >"$2/cg-rc"
	"$1" --no-config ps -H -o PID | wc -l >"$2/ps"' _ "$NSTOP" "$tmp"
check "no cgroupfs: namespaces still listed ($(cat "$tmp/ns") rows)" test "$(cat "$tmp/ns")" -gt 3
check "no cgroupfs: processes still listed ($(cat "$tmp/ps") rows)" test "$(cat "$tmp/ps")" -gt 3
check "no cgroupfs: nstop cgroups says why (exit $(cat "$tmp/cg-rc"): $(head -1 "$tmp/cg-err"))" \
	bash -c 'grep -q "no cgroup filesystem is mounted" "$1/cg-err" && [ "$(cat "$1/cg-rc")" = 1 ]' _ "$tmp"
if command -v tmux >/dev/null; then
	T new-session -d -s f -x 140 -y 30 "unshare -m bash $tmp/nocg.sh env LC_ALL=C.UTF-8 TERM=xterm-256color $NSTOP --no-config; sleep 30"
	see "no cgroupfs: the dashboard runs" "namespaces "
	T send-keys -t f 3
	see "no cgroupfs: the cgroups view says why" "no cgroup filesystem is mounted"
	T send-keys -t f q
	T kill-server
fi

# ---- a read-only cgroupfs: actions fail with the reason, nothing changes ----
if cg_setup "nstop-faults-$$"; then
	if [ $CG_MODE = v2 ]; then f=cpu.max; else f=cpu.cfs_quota_us; fi
	before=$(cat "$CG_DIR_cpu/$f")
	mnt=$(cg_mnt cpu); [ $CG_MODE = v2 ] && mnt=$(cg_mnt "")
	unshare -m bash -c "mount -o bind,remount,ro '$mnt' && '$NSTOP' --no-config limit '$CG_PATH_cpu' --cpu 50% --audit-log '$tmp/audit.log'" \
		>/dev/null 2>"$tmp/ro-err"
	rc=$?
	check "read-only cgroupfs: limit fails, exit 1 ($rc)" test $rc = 1
	check "... and says why ($(head -1 "$tmp/ro-err"))" grep -q "Read-only file system" "$tmp/ro-err"
	check "... and the file is unchanged" test "$(cat "$CG_DIR_cpu/$f")" = "$before"
	# ---- a container's init killed under the dashboard's feet ----
	if command -v tmux >/dev/null; then
		export NSTOP_STATE_DIR=$tmp/state
		if [ $CG_MODE = v2 ]; then par=${NSTOP_TEST_CGROUP#"$(cg_mnt "")"}/nstop-faults-c$$; else par=nstop-faults-c$$; fi
		"$NSTOP" --no-config create fk$$ --cgroup-parent "$par" --audit-log "$tmp/audit.log" -- sleep 300 >/dev/null
		ipid=$(jq -r .pid "$NSTOP_STATE_DIR/fk$$/state.json")
		T new-session -d -s f -x 200 -y 30 "env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config -d 0.3; echo NSTOP-EXITED-\$?; sleep 30"
		T send-keys -t f / "fk$$" Enter
		see "a container of nstop's own, running" "running"
		kill -KILL "$ipid"
		see "its init killed: shown as stopped, no error" "stopped"
		check "... and the dashboard still runs" bash -c '! tmux -L "$1" capture-pane -p -t f | grep -q "NSTOP-EXITED\|nstop:"' _ "$sock"
		T send-keys -t f q
		"$NSTOP" --no-config rm -f "fk$$" --audit-log "$tmp/audit.log" >/dev/null
		for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
			find "$d" -maxdepth 6 -depth -type d -name "nstop-faults-c$$" -exec rmdir {} + 2>/dev/null
		done
	fi
else
	skip "read-only cgroupfs: $CG_WHY"
fi
echo "1..$n"
