#!/bin/bash
# Churn: while a helper forks and reaps 200 short-lived processes a second
# (some in new uts, ipc and pid namespaces) and makes and removes cgroups
# beneath the test's own, 100 consecutive snapshots and a 30 s dashboard
# session finish with no crash and no error; afterwards the counts match a
# quiet host's.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
CHURN=$TOP/$B/tests/churn
sock=nstop-churn-$$
TSESS=c
. "$TOP/tests/lib-tmux.sh"
churn=
cleanup() {
	[ -n "$churn" ] && kill -KILL "$churn" 2>/dev/null && wait "$churn" 2>/dev/null
	tmux_stop
	cg_cleanup
	cleanup_tmp
}
trap cleanup EXIT
dirs=()
if need_root && cg_setup "nstop-churn-$$"; then
	for f in "${CG_PROCS[@]}"; do dirs+=("$(dirname "$f")"); done
fi
coproc CH { exec "$CHURN" 200 "${dirs[@]}"; }
churn=$CH_PID
read -r -t 10 line <&"${CH[0]}"
check "the churn runs ($line; cgroups churned in ${#dirs[@]} hierarchies)" test "$line" = ready
sleep 0.5
bad=0 invalid=0
for i in $(seq 100); do
	if ! "$NSTOP" --no-config snapshot --json >/tmp/nstop-out.$$ 2>/tmp/nstop-err.$$; then
		bad=$((bad + 1)); head -2 /tmp/nstop-err.$$ | sed 's/^/#   /'
	elif ! jq -e '.processes | length > 0' /tmp/nstop-out.$$ >/dev/null; then
		invalid=$((invalid + 1))
	elif [ -s /tmp/nstop-err.$$ ]; then
		bad=$((bad + 1)); head -2 /tmp/nstop-err.$$ | sed 's/^/#   /'
	fi
done
check "100 snapshots under churn: every one exits 0 with nothing on stderr ($bad did not)" test $bad = 0
check "... and is valid JSON ($invalid were not)" test $invalid = 0
if command -v tmux >/dev/null; then
	T new-session -d -s c -x 160 -y 40 "env LC_ALL=C.UTF-8 TERM=xterm-256color $NSTOP --no-config -d 0.2; echo NSTOP-EXITED-\$?; sleep 60"
	views=(1 2 3 4)
	for s in $(seq 30); do
		T send-keys -t c "${views[$((s % 4))]}"
		sleep 1
	done
	scr=$(T capture-pane -p -t c)
	check "a 30 s dashboard session under churn is still running" bash -c '! grep -q NSTOP-EXITED <<<"$1" && grep -q "namespaces " <<<"$1"' _ "$scr"
	check "... with no error on screen" bash -c '! grep -q "nstop:" <<<"$1"' _ "$scr"
	T send-keys -t c q
	for _ in $(seq 50); do T capture-pane -p -t c | grep -q NSTOP-EXITED && break; sleep 0.1; done
	check "... and it quits cleanly" bash -c 'tmux -L "$1" capture-pane -p -t c | grep -q NSTOP-EXITED-0' _ "$sock"
else
	skip "dashboard under churn: tmux is missing (make deps)"
fi
kill -KILL "$churn"; wait "$churn" 2>/dev/null; churn=
sleep 0.5
# quiet again: nstop's processes against /proc's, listed around it. Other
# programs may still start and end processes (other test runs): every pid
# /proc lists before and after must be in nstop's list, and at most 2 it
# has that /proc listed neither time, nstop itself one of them (counts
# alone do not hold then); no pipe runs alongside nstop
pids() { ls /proc | grep '^[0-9]' | sort; }
for _ in 1 2 3; do
	a=$(pids)
	"$NSTOP" --no-config ps -J >/tmp/nstop-out.$$
	b=$(pids)
	got=$(jq '.processes[].pid' /tmp/nstop-out.$$ | sort)
	missing=$(comm -12 <(echo "$a") <(echo "$b") | comm -23 - <(echo "$got") | grep -c .)
	extra=$(sort -u <(echo "$a") <(echo "$b") | comm -13 - <(echo "$got") | grep -c .)
	[ "$missing" = 0 ] && [ "$extra" -le 2 ] && break
done
check "after the churn, nstop lists what /proc holds ($(grep -c . <<<"$got") listed, /proc $(grep -c . <<<"$a")..$(grep -c . <<<"$b"); $missing /proc held throughout missing, $extra never in /proc)" \
	test "$missing" = 0 -a "$extra" -le 2
if [ ${#dirs[@]} -gt 0 ]; then
	n_cg=$("$NSTOP" --no-config cgroups --depth all -d 0 -J | jq --arg p "$CG_PATH_cpu/churn-" '[.cgroups[] | select(.path | startswith($p))] | length')
	on_disk=$(find "$CG_DIR_cpu" -mindepth 1 -maxdepth 1 -type d -name 'churn-*' | wc -l)
	check "and lists the churned cgroups that are left ($n_cg listed, $on_disk on disk)" test "$n_cg" = "$on_disk"
fi
echo "1..$n"
