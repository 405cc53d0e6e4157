#!/bin/bash
# make bench [N="1000 5000 10000"] [RUNS=5]: nstop against the floor walker,
# lsns and systemd-cgtop, on N sleeping processes in N/50 containers (own
# pid, mnt with /proc, uts, ipc, net namespaces, nested cgroups beneath the
# benchmark's own cgroup). Interleaved pair by pair, medians of RUNS; CPU
# (user + system) and peak RSS of each; ratios to the floor. A table on
# stdout, JSON in tests/bench/results/. Root only; everything is torn down
# on exit. OLD=path/to/an/older/nstop adds its dashboard refreshes,
# interleaved with this build's, for before/after comparisons. Then the
# containers view at CTRS (1000) containers of 10 processes each.
set -u
cd "$(dirname "$0")/../.."
top=$PWD
B=${B:-build}
NSTOP=${NSTOP:-$top/$B/nstop}
NS_LIST=${N:-1000 5000 10000}
RUNS=${RUNS:-5}
REFRESH=${REFRESH:-20}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces and cgroups for the load)" >&2; exit 2; }
. "$top/tests/lib-cg.sh"
mkdir -p "$B/bench"
for h in cpu floor load; do
	cc -std=c11 -D_GNU_SOURCE -O2 -o "$B/bench/$h" "tests/bench/$h.c" || exit 1
done
CPU=$B/bench/cpu
name=nstop-bench-$$
loadpid=
cleanup() {
	[ -n "$loadpid" ] && { exec {LOAD[1]}>&- 2>/dev/null; wait "$loadpid" 2>/dev/null; }
	cg_cleanup
}
trap cleanup EXIT
cg_setup "$name" || { echo "bench: $CG_WHY" >&2; exit 1; }
dirs=()
for f in "${CG_PROCS[@]}"; do dirs+=("$(dirname "$f")"); done

# key_latency: the dashboard in tmux on the processes view refreshing every
# 0.1 s (a refresh runs about half the time at N = 10000); 20 presses of ?
# and of a key closing the help, each timed from send-keys until tmux shows
# the answer. Prints "median max" in ms (tmux round trips included).
key_latency() {
	local sock=nstop-bench-$$ t0 t1 i lat=()
	tmux -L "$sock" new-session -d -x 200 -y 50 "$NSTOP --no-config -d 0.1" || { echo "nan nan"; return; }
	shown() { tmux -L "$sock" capture-pane -p 2>/dev/null | grep -qF -- "$1"; }
	wait_shown() { local k; for ((k = 0; k < 4000; k++)); do shown "$1" && return 0; sleep 0.002; done; return 1; }
	wait_shown "?:help" && tmux -L "$sock" send-keys 4 && wait_shown "PID NSPID" && sleep 1
	press() { # press KEY TEXT: after a random pause, KEY until TEXT is shown
		sleep 0.0$((RANDOM % 10))
		t0=$EPOCHREALTIME
		tmux -L "$sock" send-keys "$1"
		wait_shown "$2" || return 1
		t1=$EPOCHREALTIME
		lat+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
	}
	for ((i = 0; i < 20; i++)); do
		press '?' "key returns" && press ' ' "?:help" || break
	done
	tmux -L "$sock" send-keys q
	sleep 0.3
	tmux -L "$sock" kill-server 2>/dev/null
	[ ${#lat[@]} -eq 40 ] || { echo "nan nan"; return; }
	printf '%s\n' "${lat[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)], a[NR] }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "nan" }'; }
# run NAME CMD...: one measurement appended to $tmp/NAME
tmp=$(mktemp -d /tmp/nstop-bench.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT
run() {
	local nm=$1; shift
	"$CPU" "$@" >>"$tmp/$nm"
}
host="$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), cgroup $CG_MODE"
stamp=$(date +%Y%m%d-%H%M%S)
json=$top/tests/bench/results/bench-$stamp.json
# the table goes to the terminal and beside the JSON (not through an exec'd
# tee: cg_cleanup's wait would wait for it)
txt=$top/tests/bench/results/bench-$stamp.txt
: >"$txt"
say() { printf "$@" | tee -a "$txt"; }
echo "{\"host\": \"$host\", \"runs\": $RUNS, \"results\": [" >"$json"
first=1
say '%-8s %-34s %10s %8s %8s %10s\n' N tool cpu_ms vs_floor us/proc rss_kib
for n in $NS_LIST; do
	coproc LOAD { exec "$top/$B/bench/load" "$n" "${dirs[@]}"; }
	loadpid=$LOAD_PID
	read -r -t 600 ready <&"${LOAD[0]}"
	[ "$ready" = ready ] || { echo "bench: the load did not start ($ready)" >&2; exit 1; }
	rm -rf "${tmp:?}"/*
	for ((r = 0; r < RUNS; r++)); do
		run floor "$B/bench/floor"
		run nstop-ns "$NSTOP" --no-config ns --json
		run lsns lsns -J
		run nstop-cgroups "$NSTOP" --no-config cgroups --interval 0.1
		command -v systemd-cgtop >/dev/null && run cgtop systemd-cgtop -b -n 2 -d 0.1
		# both stop at depth 3 by default; the whole tree, both
		command -v systemd-cgtop >/dev/null && run cgtop-all systemd-cgtop --depth=100 -b -n 2 -d 0.1
		run nstop-cgall "$NSTOP" --no-config cgroups --depth all --interval 0.1
		# like for like: nstop with cgtop's columns
		run nstop-cg3c "$NSTOP" --no-config cgroups --interval 0.1 -o PATH,PIDS,CPU%,MEM,READ/s,WRITE/s
		[ -n "${OLD:-}" ] && run old-cgroups "$OLD" --no-config cgroups --interval 0.1
	done
	# metrics: a scrape of nstop serve's warm collector (snapshot and
	# OpenMetrics text), which issue 18 wants at 0.1x the floor or less
	for v in containers namespaces cgroups processes metrics; do
		out=$("$NSTOP" --no-config --bench-refresh "$REFRESH" --bench-view "$v" 2>"$tmp/counters-$v" | tail -1)
		echo "$out" | awk '{ print $2, $4 }' >"$tmp/refresh-$v"
	done
	# the recorder (issue 17): CPU and bytes per sample at steady state,
	# the difference of two recordings at -d 0.5 of 10 and 40 samples (the
	# first, whole sample and the start-up cancel out; 30 between them
	# hold one of the full samples written every 30); a private, empty
	# audit log (the recorder reads the actions logged from its start)
	: >"$tmp/audit.log"
	for k in 10 40; do
		mkdir -p "$tmp/rec-$k"
		"$CPU" "$NSTOP" --no-config record -d 0.5 --duration $((k / 2)) -o "$tmp/rec-$k" \
			--audit-log "$tmp/audit.log" | awk '{ print $1 }' >"$tmp/reccpu-$k"
		cat "$tmp/rec-$k"/*.nstoprec | wc -c >"$tmp/recbytes-$k"
	done
	# OLD=binary: this build's refreshes and an older build's, interleaved
	# pair by pair RUNS times (a change must not make a refresh slower)
	if [ -n "${OLD:-}" ]; then
		for ((r = 0; r < RUNS; r++)); do
			for v in containers namespaces cgroups processes metrics; do
				for who in new old; do
					bin=$NSTOP
					[ $who = old ] && bin=$OLD
					"$bin" --no-config --bench-refresh "$REFRESH" --bench-view "$v" 2>/dev/null |
						awk '/^median/ { print $2 }' >>"$tmp/pair-$who-$v"
				done
			done
		done
	fi
	if command -v tmux >/dev/null; then
		read -r kmed kmax < <(key_latency)
		echo "$kmed $kmax" >"$tmp/keys"
	fi
	floor=$(awk '{ print $1 }' "$tmp/floor" | median)
	for t in floor nstop-ns lsns nstop-cgroups cgtop cgtop-all nstop-cgall nstop-cg3c old-cgroups refresh-containers refresh-namespaces refresh-cgroups refresh-processes refresh-metrics; do
		[ -s "$tmp/$t" ] || continue
		case $t in
		refresh-*) ms=$(awk '{ print $1 }' "$tmp/$t"); rss=$(awk '{ print $2 }' "$tmp/$t") ;;
		*) ms=$(awk '{ print $1 * 1000 }' "$tmp/$t" | median); rss=$(awk '{ print $2 }' "$tmp/$t" | median) ;;
		esac
		ratio=$(awk -v a="$ms" -v b="$floor" 'BEGIN { printf "%.2f", a / (b * 1000) }')
		label=$t
		case $t in
		nstop-ns) label="nstop ns --json" ;;
		lsns) label="lsns -J" ;;
		nstop-cgroups) label="nstop cgroups --interval 0.1" ;;
		cgtop) label="systemd-cgtop -b -n 2 -d 0.1" ;;
		cgtop-all) label="systemd-cgtop --depth=100 (same)" ;;
		nstop-cgall) label="nstop cgroups --depth all (same)" ;;
		nstop-cg3c) label="... -o cgtop's columns" ;;
		refresh-metrics) label="metrics scrape, warm collector" ;;
		old-cgroups) label="OLD nstop cgroups --interval 0.1" ;;
		refresh-*) label="dashboard refresh, ${t#refresh-} view" ;;
		esac
		per=$(awk -v a="$ms" -v n="$n" 'BEGIN { printf "%.1f", a * 1000 / n }')
		say '%-8s %-34s %10.1f %8s %8s %10s\n' "$n" "$label" "$ms" "${ratio}x" "$per" "$rss"
		[ $first = 1 ] || echo "," >>"$json"
		first=0
		printf '{"n": %s, "tool": "%s", "cpu_ms": %s, "vs_floor": %s, "us_per_proc": %s, "max_rss_kib": %s}' \
			"$n" "$label" "$ms" "$ratio" "$per" "$rss" >>"$json"
	done
	if [ -s "$tmp/keys" ]; then
		read -r kmed kmax <"$tmp/keys"
		say '%-8s %-34s %10s ms median, %s ms max (40 presses)\n' "$n" "key answered, processes view -d 0.1" "$kmed" "$kmax"
		printf ',\n{"n": %s, "tool": "key latency", "median_ms": %s, "max_ms": %s}' "$n" "$kmed" "$kmax" >>"$json"
	fi
	for v in containers cgroups processes; do
		say '%-8s %-34s %s\n' "$n" "$v view" "$(grep '^kept fds' "$tmp/counters-$v")"
	done
	if [ -s "$tmp/reccpu-40" ] && [ -s "$tmp/reccpu-10" ]; then
		ms=$(awk -v a="$(cat "$tmp/reccpu-40")" -v b="$(cat "$tmp/reccpu-10")" 'BEGIN { printf "%.1f", (a - b) * 1000 / 30 }')
		by=$(awk -v a="$(cat "$tmp/recbytes-40")" -v b="$(cat "$tmp/recbytes-10")" 'BEGIN { printf "%.0f", (a - b) / 30 }')
		ratio=$(awk -v a="$ms" -v b="$floor" 'BEGIN { printf "%.2f", a / (b * 1000) }')
		say '%-8s %-34s %10.1f %8s %8s %10s\n' "$n" "recorder, CPU per sample" "$ms" "${ratio}x" "" ""
		say '%-8s %-34s %10s bytes per sample (%s bytes for 40 samples)\n' "$n" "recorder, steady state" "$by" "$(cat "$tmp/recbytes-40")"
		printf ',\n{"n": %s, "tool": "recorder, per sample", "cpu_ms": %s, "vs_floor": %s, "bytes": %s}' \
			"$n" "$ms" "$ratio" "$by" >>"$json"
	fi
	for v in containers namespaces cgroups processes metrics; do
		[ -s "$tmp/pair-new-$v" ] && [ -s "$tmp/pair-old-$v" ] || continue
		a=$(median <"$tmp/pair-new-$v")
		b=$(median <"$tmp/pair-old-$v")
		d=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%+.0f", (b > 0 ? (a - b) * 100 / b : 0) }')
		say '%-8s %-34s %10.1f ms, old %.1f ms (%s %%), medians of %s pairs\n' "$n" "refresh vs OLD, $v view" "$a" "$b" "$d" "$RUNS"
		printf ',\n{"n": %s, "tool": "refresh vs old, %s view", "cpu_ms": %s, "old_cpu_ms": %s}' "$n" "$v" "$a" "$b" >>"$json"
	done
	exec {LOAD[1]}>&-
	wait "$loadpid"
	loadpid=
done
# The containers view at CTRS containers of 10 processes each (the issue's
# 1000; CTRS=0 skips it): each its own network namespace, so a refresh reads
# 1000 namespaces' links through the sockets it keeps. Ratio to the floor
# walker over the same processes.
CTRS=${CTRS:-1000}
if [ "$CTRS" -gt 0 ]; then
	n=$((CTRS * 10))
	coproc LOAD { LOAD_PER=10 exec "$top/$B/bench/load" "$n" "${dirs[@]}"; }
	loadpid=$LOAD_PID
	read -r -t 1200 ready <&"${LOAD[0]}"
	[ "$ready" = ready ] || { echo "bench: the container load did not start ($ready)" >&2; exit 1; }
	rm -rf "${tmp:?}"/*
	for ((r = 0; r < RUNS; r++)); do
		run floor "$B/bench/floor"
	done
	floor=$(awk '{ print $1 }' "$tmp/floor" | median)
	out=$("$NSTOP" --no-config --bench-refresh "$REFRESH" --bench-view containers 2>"$tmp/kept" | tail -1)
	ms=$(echo "$out" | awk '{ print $2 }')
	rss=$(echo "$out" | awk '{ print $4 }')
	rows=$(echo "$out" | awk '{ print $6 }')
	ratio=$(awk -v a="$ms" -v b="$floor" 'BEGIN { printf "%.2f", a / (b * 1000) }')
	fl=$(awk -v b="$floor" 'BEGIN { printf "%.1f", b * 1000 }')
	say '%-8s %-34s %10.1f %8s %8s %10s\n' "$n" "floor ($CTRS containers x 10)" "$fl" "1.00x" "" ""
	say '%-8s %-34s %10.1f %8s %8s %10s\n' "$n" "refresh, containers view ($rows rows)" "$ms" "${ratio}x" "" "$rss"
	say '%-8s %s\n' "$n" "$(grep '^kept fds' "$tmp/kept")"
	printf ',\n{"n": %s, "tool": "dashboard refresh, containers view, %s containers", "cpu_ms": %s, "vs_floor": %s, "max_rss_kib": %s}' \
		"$n" "$CTRS" "$ms" "$ratio" "$rss" >>"$json"
	exec {LOAD[1]}>&-
	wait "$loadpid"
	loadpid=
fi
echo "]}" >>"$json"
say '%s\n' "host: $host; medians of $RUNS runs ($REFRESH refreshes for the dashboard); JSON: ${json#"$top"/}"
