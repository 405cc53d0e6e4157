#!/bin/bash
# The dashboard driven for real in tmux on a private socket: views, keys,
# filter, sort, drill-down and back, help, resize, read-only, hostile names,
# quitting and signals with the terminal restored.
. "$TOP/tests/lib.sh"
command -v tmux >/dev/null || { notok "tmux is missing (make deps)"; echo "1..$n"; exit 0; }
# one tmux server per start, never reused: a new session on a server that is
# still going away fails ("server exited unexpectedly")
sock=nstop-e2e-$$-0
socks=()
. "$TOP/tests/lib-tmux.sh"
pids=() made=()
cleanup() {
	for s_ in "${socks[@]}"; do
		tmux -L "$s_" kill-server 2>/dev/null
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s_"
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do rmdir "${made[i]}" 2>/dev/null; done
	cleanup_tmp
}
trap cleanup EXIT
start() { # start COLS ROWS ARGS...: nstop in a shell that reports its exit
	local c=$1 r=$2; shift 2
	T kill-server 2>/dev/null
	sock=nstop-e2e-$$-$((${#socks[@]} + 1))
	socks+=("$sock")
	T new-session -d -s e2e -x "$c" -y "$r" \
		"env LC_ALL=C.UTF-8 TERM=xterm-256color $NSTOP --no-config $* ; echo NSTOP-EXITED-\$?; sleep 30"
	T set-option -t e2e remain-on-exit on >/dev/null 2>&1
}

fx=$FIXTURES/v2
start 160 40 --sysroot "$fx"
see "the containers view opens by default" " 1 Containers "
see "the first snapshot is in" "namespaces 51"
see "a docker container from the fixture" "86d597eb6f0a"
see "the frozen one says so" "frozen"
see "the header counts containers and says the layout" "containers 9  cgroup v2"
see "the detail pane" "detail"
keys 2; see "2: namespaces view" "NS TYPE"
see "the docker pid namespace is listed" "4026532139"
keys / pid Enter; see "a type name filters namespaces by type" "9 rows"
notsee "only that type" " mnt "
keys Escape
keys T; see "T: namespaces as the owner tree (fixture: owners unknown, a flat tree)" "tree by owning user namespace"
keys T
keys 3; see "3: cgroups view, a tree" "    kubepods-burstable.slice"
keys 4; see "4: processes view" "PID USER S"
keys Tab; see "Tab wraps to containers" "RUNTIME"
keys / docker Enter; see "/ filters" "1 rows"
notsee "the filter hides the others" "podman"
keys Escape; see "Esc clears the filter" "9 rows"
keys / 86d597 Enter Enter
see "Enter drills a container down to its processes" "> container 86d597eb6f0a"
see "its init is listed" "sh /entrypoint.sh"
see "and its other process, with its pid inside (NSpid 5)" "368     5 root"
notsee "and nothing else" "kthreadd"
keys Escape Escape; see "Esc goes back to the containers" "RUNTIME"
keys 2 / 4026532139 Enter Enter
see "a namespace drills down to its members" "> pid namespace 4026532139"
see "its members" "343     1 root"
keys Escape 4 / 368 Enter
see "a pid in the filter answers which container owns it" "d597eb6f0a47dbd9186dcfd3"
keys Escape T; see "T: the process tree" "│ └─sh ./capture.sh"
see "a container's processes under its runtime's parent" "│   └─sleep 100000"
keys T; notsee "T again: the sorted list" "└─sh ./capture.sh"
keys 3 Down Down Left; see "Left collapses a cgroup" "+ kubepods.slice"
notsee "its subtree is hidden" "kubepods-besteffort.slice"
keys Right; see "Right expands it again" "kubepods-besteffort.slice"
keys 1
keys s; see "s opens the sort menu" "Sort by"
keys Down Down Down Down Down Enter; see "a sort column is marked" "CPU%"
keys '?'; see "? shows the help" "nstop keys"
see "the help lists the action keys" "throttle"
keys x; see "any key leaves the help" "RUNTIME"
keys k; see "k in a --sysroot dashboard: actions need the live system" "actions work on the live system"
keys / db Enter e; see "e on a frozen container refuses and says why" "frozen: a shell in it would hang"
keys Escape
keys p; see "p pauses" "(paused)"
keys p; notsee "p resumes" "(paused)"
keys +; see "+ slows the refresh" "every 2.0s"
keys - - -; see "- speeds it up" "every 0.5s"
T resize-window -t e2e -x 40 -y 10 2>/dev/null || T resize-pane -t e2e -x 40 -y 10
see "40x10 still draws the dashboard" "1 Containers"
T resize-window -t e2e -x 30 -y 8 2>/dev/null
see "below 40x10 a notice" "terminal too small"
T resize-window -t e2e -x 200 -y 60 2>/dev/null
see "200x60 draws again" "86d597eb6f0a"
notsee "no leftover of the notice" "terminal too small"
keys q; see "q quits and the terminal is back" "NSTOP-EXITED-0"
notsee "no dashboard left on the screen" "1 Containers"

start 120 30 --sysroot "$fx"
see "colors: started" "namespaces 51"
check "colors: the header is drawn in color" bash -c "tmux -L $sock capture-pane -e -p -t e2e | head -1 | grep -q \$'\\e\\[[0-9;]*36m'"
keys q
start 120 30 --no-color --sysroot "$fx"
see "--no-color: started" "namespaces 51"
check "--no-color: no colors" bash -c "! tmux -L $sock capture-pane -e -p -t e2e | grep -q \$'\\e\\[[0-9;]*3[0-7]m'"
keys q
T kill-server
sock=nstop-e2e-$$-nocolor; socks+=("$sock")
T new-session -d -s e2e -x 120 -y 30 "env NO_COLOR=1 LC_ALL=C.UTF-8 TERM=xterm-256color $NSTOP --no-config --sysroot $fx; sleep 30"
see "NO_COLOR: started" "namespaces 51"
check "NO_COLOR: no colors" bash -c "! tmux -L $sock capture-pane -e -p -t e2e | grep -q \$'\\e\\[[0-9;]*3[0-7]m'"
T send-keys -t e2e q
T kill-server
sock=nstop-e2e-$$-clocale; socks+=("$sock")
T new-session -d -s e2e -x 200 -y 30 "env LANG=C LC_ALL=C TERM=xterm-256color $NSTOP --no-config --sysroot $fx; sleep 30"
see "a C locale: the dashboard runs" "namespaces 51"
keys 4 T
see "a C locale: the tree is drawn in ASCII" '| `-sh ./capture.sh'
keys q

start 120 30 -r --sysroot "$fx"
see "read-only mode starts" "read-only"
see "snapshot in" "namespaces 51"
keys f; see "-r: action keys are disabled" "read-only mode (-r)"
T send-keys -t e2e C-c; see "Ctrl-C (SIGINT) restores the terminal" "NSTOP-EXITED-0"

start 120 30 --sysroot "$fx"
see "started again" "RUNTIME"
pid=$(pgrep -P "$(T display -p -t e2e '#{pane_pid}')" -x nstop | head -1)
[ -n "$pid" ] && kill -TERM "$pid"
see "SIGTERM restores the terminal" "NSTOP-EXITED-0"

start 120 30 --sysroot "$fx"
see "started once more" "RUNTIME"
pid=$(pgrep -P "$(T display -p -t e2e '#{pane_pid}')" -x nstop | head -1)
[ -n "$pid" ] && kill -HUP "$pid"
see "SIGHUP restores the terminal" "NSTOP-EXITED-0"

# hostile names on the live host: escaped, the pane title untouched
helper=$TOP/$B/tests/hostile
bash -c 'exec -a "$1" "$2" "$3"' _ $'\e]2;pwned\a\e[2Jevil' "$helper" $'\e]2;pwned2\a' &
hp=$!; pids+=($hp)
sleep 0.3
start 160 40
see "live: the dashboard starts on this host" "RUNTIME"
see "live: its first snapshot is in" "namespaces "
keys 4 / $hp Enter
see "a hostile command line is drawn escaped" '\x1b]2;pwned\x07\x1b[2Jevil'
title=$(T display -p -t e2e '#{pane_title}')
check "the hostile name did not set the terminal title ($title)" bash -c '[[ "$1" != *pwned* ]]' _ "$title"
keys q

# keys stay responsive while refreshes walk thousands of processes
swarm=$TOP/$B/tests/swarm
coproc SWARM { exec "$swarm" 3000; }
pids+=($SWARM_PID)
read -r -t 60 line <&"${SWARM[0]}"
check "3000 extra processes are running ($line)" test "$line" = ready
start 160 40 -d 0.5
# at least 3000: other runs may add thousands of their own
shown=0
for _ in $(seq 100); do
	shown=$(screen | sed -n 's/^ *procs \([0-9]*\) .*/\1/p' | head -1)
	[ "${shown:-0}" -ge 3000 ] && break
	sleep 0.1
done
check "busy host: the dashboard shows them (procs $shown)" test "${shown:-0}" -ge 3000
slow=0
for v in 2 3 4 1 2 4; do
	t0=$(date +%s%N)
	keys "$v"
	case $v in 1) want=RUNTIME ;; 2) want="NS TYPE" ;; 3) want="PATH" ;; 4) want="PID NSPID" ;; esac
	wait_for "$want" || slow=$((slow + 1))
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	# includes tmux's own round trips and the 0.3 s pause after each key
	[ $ms -gt 1500 ] && slow=$((slow + 1))
done
check "busy host: every view switch answered within 1.5 s ($slow slow)" test $slow = 0
keys q
kill -KILL "$SWARM_PID" 2>/dev/null
# let the 3000 go before timing anything else
for _ in $(seq 100); do [ "$(pgrep -c -x swarm)" = 0 ] && break; sleep 0.1; done

if need_root; then
	# a container made the way a sandbox is made (unshare), and a
	# docker-shaped cgroup with a CPU limit beneath the test's own cgroup
	unshare -p -f --kill-child --mount-proc sleep 300 &
	usp=$!
	pids+=($usp)
	cpu=$(awk '$0 ~ / - cgroup / && $0 ~ /[ ,]cpu([ ,]|$)/ { print $5; exit }' /proc/self/mountinfo)
	v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	id=$(printf 'e2e%061d' $$)
	if [ -n "$cpu" ]; then
		base=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' /proc/self/cgroup)
		d=$cpu${base%/}/nstop-e2e-$$
		mkdir "$d" && made+=("$d")
		mkdir "$d/docker-$id.scope" && made+=("$d/docker-$id.scope")
		echo 100000 >"$d/docker-$id.scope/cpu.cfs_period_us"
		echo 25000 >"$d/docker-$id.scope/cpu.cfs_quota_us"
		sleep 300 &
		pids+=($!)
		echo $! >"$d/docker-$id.scope/cgroup.procs"
		# and a Kubernetes-shaped one (cgroupfs driver)
		kp=$d/kubepods/burstable/pod0e2e0000-0000-4000-8000-00000000e2e0
		mkdir -p "$kp/$id" && made+=("$d/kubepods" "$d/kubepods/burstable" "$kp" "$kp/$id")
		sleep 300 &
		pids+=($!)
		echo $! >"$kp/$id/cgroup.procs"
	elif [ -n "$v2" ]; then
		base=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
		# a cgroup that may hand controllers down (see live-cgroups)
		d=${NSTOP_TEST_CGROUP:-$v2${base%/}}/nstop-e2e-$$
		mkdir "$d" && made+=("$d")
		echo +cpu >"$d/cgroup.subtree_control"
		mkdir "$d/docker-$id.scope" && made+=("$d/docker-$id.scope")
		echo "25000 100000" >"$d/docker-$id.scope/cpu.max"
		sleep 300 &
		pids+=($!)
		echo $! >"$d/docker-$id.scope/cgroup.procs"
	fi
	start 200 50
	see "live: first snapshot" "namespaces "
	# other runs may have unnamed sandboxes too: the filter picks this one's
	# row by its id, its pid namespace
	for _ in $(seq 100); do sbx=$(pgrep -P "$usp" -x sleep | head -1) && break; sleep 0.1; done
	sbxns=$(readlink "/proc/$sbx/ns/pid" | tr -dc 0-9)
	keys / "pidns:$sbxns" Enter
	see "live: an unshare sandbox shows up as an unnamed container" "unnamed"
	see "labelled by its init" "sleep"
	see "with its own pid namespace ($sbxns) in the detail pane" "pid:$sbxns*"
	keys Escape / e2e000 Enter
	see "live: a docker-shaped cgroup is a docker container" "docker"
	see "with its cgroup's CPU limit" "25.0"
	keys q
	if [ -n "$cpu" ]; then
		"$NSTOP" containers -d 0.2 -J >/tmp/nstop-out.$$
		check "nstop containers: the docker-shaped cgroup, with its limit" \
			test "$(jq -r --arg i "$id" '.containers[] | select(.id == $i and .runtime == "docker") | .cpu_limit_percent' /tmp/nstop-out.$$)" = 25
		check "nstop containers: the kubepods-shaped one is kubernetes" \
			test "$(jq -r --arg i "$id" '[.containers[] | select(.id == $i and .runtime == "kubernetes")] | length' /tmp/nstop-out.$$)" = 1
		check "nstop containers: the unshare sandbox is unnamed, keyed by its pid namespace" \
			test "$(jq -r --arg i "pidns:$sbxns" '.containers[] | select(.id == $i) | .runtime' /tmp/nstop-out.$$)" = unnamed
	fi
else
	skip "live containers in the dashboard: making cgroups and pid namespaces needs root"
fi
echo "1..$n"
