#!/bin/bash
# The speed regression guard make test can afford: the syscalls of one
# snapshot, and of one dashboard refresh, counted with strace -c, at 1000
# extra processes, per process beyond a quiet host's count, against
# tests/bench/budget.txt.
. "$TOP/tests/lib.sh"
command -v strace >/dev/null || { notok "strace is missing (make deps)"; echo "1..$n"; exit 0; }
swarm=$TOP/$B/tests/swarm
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; cleanup_tmp; }
trap cleanup EXIT
calls() { # calls ARGS...: total syscalls of nstop ARGS, and the processes then
	strace -f -c -o /tmp/nstop-out.$$ "$NSTOP" --no-config "$@" >/dev/null 2>&1
	awk '$NF == "total" { print $(NF - 2) ~ /^[0-9]+$/ ? $(NF - 2) : $(NF - 1) }' /tmp/nstop-out.$$ | tail -1
}
nprocs() { ls /proc | grep -c '^[0-9]'; }
# refresh VIEW: the syscalls of 10 dashboard refreshes (11 minus 1, the
# first reading every process in full)
refresh() {
	local a b
	a=$(calls --bench-refresh 1 --bench-view "$1")
	b=$(calls --bench-refresh 11 --bench-view "$1")
	echo $(((b - a) / 10))
}
count() {
	case $1 in
	refresh-*) refresh "${1#refresh-}" ;;
	*) calls "$1" --json ;;
	esac
}
# steady WHAT: "SYSCALLS PROCESSES" of count WHAT, taken while the host's
# process count stays within 2 %; fails when it never does (other runs
# start and end thousands of processes: a count then says nothing of nstop)
steady() {
	local p q c
	for _ in 1 2 3; do
		p=$(nprocs); c=$(count "$1"); q=$(nprocs)
		echo "$c $p"
		[ $(((p > q ? p - q : q - p) * 50)) -le "$p" ] && return 0
		sleep 1
	done
	return 1
}
for what in ns ps refresh-containers refresh-processes; do
	budget=$(awk -v w="$what" '$1 == w { print $2 }' "$TOP/tests/bench/budget.txt")
	busy=
	m=$(steady $what) || busy=1
	read -r c0 p0 <<<"$(tail -1 <<<"$m")"
	coproc SW { exec "$swarm" 1000; }
	pids+=($SW_PID)
	read -r -t 60 line <&"${SW[0]}"
	m=$(steady $what) || busy=1
	read -r c1 p1 <<<"$(tail -1 <<<"$m")"
	kill -KILL "$SW_PID"; wait "$SW_PID" 2>/dev/null
	for _ in $(seq 100); do [ "$(pgrep -c -x swarm)" = 0 ] && break; sleep 0.1; done
	per=$(awk -v a="$c0" -v b="$c1" -v p="$p0" -v q="$p1" 'BEGIN { printf "%.1f", (b - a) / (q - p) }')
	label="nstop $what --json"
	[[ $what == refresh-* ]] && label="a dashboard refresh, ${what#refresh-} view,"
	# the swarm's 1000 must be most of the difference
	[ $((p1 - p0)) -lt 900 ] || [ $((p1 - p0)) -gt 1100 ] && busy=1
	if [ -n "$busy" ]; then
		skip "$label: not measured, other programs started or ended processes meanwhile ($p0 -> $p1 processes)"
		continue
	fi
	check "$label: $per syscalls per extra process (budget $budget; $c0 at $p0 processes, $c1 at $p1)" \
		awk -v x="$per" -v b="$budget" 'BEGIN { exit !(x > 0 && x <= b) }'
done
echo "1..$n"
