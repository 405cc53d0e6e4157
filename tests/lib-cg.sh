# Cgroups for the action suites, made only beneath the test's own cgroup in
# each hierarchy (v2: beneath NSTOP_TEST_CGROUP, or the own one when it can
# delegate), and removed by cg_cleanup with every process the test started.
# shellcheck shell=bash
CG_DIRS=() CG_PROCS=() CG_PIDS=()
cg_own() { # cg_own CONTROLLER ("" for v2) -> this process's path there
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3; if (c == "" && $1 == 0) print $3 }' /proc/self/cgroup | head -1
}
cg_mnt() { # cg_mnt CONTROLLER ("" for the cgroup2 mount)
	awk -v c="$1" '$0 ~ / - cgroup2? / { split($0, h, " - "); split(h[2], f, " "); n = split(f[3], o, ",");
		for (i = 1; i <= n; i++) if (o[i] == c) { split(h[1], m, " "); print m[5]; exit }
		if (c == "" && f[1] == "cgroup2") { split(h[1], m, " "); print m[5]; exit } }' /proc/self/mountinfo
}
cg_mkdir() { [ -d "$1" ] || { mkdir "$1" && CG_DIRS+=("$1"); }; }

# cg_setup NAME [unified]: sets CG_MODE (v1 or v2), CG_DIR_<ctrl> variables,
# CG_PATH_<ctrl> (paths as nstop shows them) and CG_PROCS (cgroup.procs
# files to move a process into). Returns 1 (with CG_WHY) when it cannot.
cg_setup() {
	local name=$1 v2root c base
	v2root=$(cg_mnt "")
	if [ -n "$v2root" ] && grep -qw cpu "$v2root/cgroup.controllers" 2>/dev/null; then
		CG_MODE=v2
		base=$(cg_own "")
		local parent=${NSTOP_TEST_CGROUP:-$v2root${base%/}}
		for c in cpu memory pids; do
			grep -qw $c "$parent/cgroup.subtree_control" ||
				echo "+$c" >"$parent/cgroup.subtree_control" 2>/dev/null
			grep -qw $c "$parent/cgroup.subtree_control" ||
				{ CG_WHY="v2: $parent cannot delegate $c (it holds processes); set NSTOP_TEST_CGROUP"; return 1; }
		done
		cg_mkdir "$parent/$name" || return 1
		for c in cpu memory pids freezer unified; do
			printf -v "CG_DIR_$c" %s "$parent/$name"
			printf -v "CG_PATH_$c" %s "${parent#"$v2root"}/$name"
		done
		CG_PROCS=("$parent/$name/cgroup.procs")
		return 0
	fi
	CG_MODE=v1
	CG_PROCS=()
	for c in cpu cpuacct memory pids freezer; do
		local m; m=$(cg_mnt $c)
		[ -n "$m" ] || { CG_WHY="no v1 $c hierarchy"; return 1; }
		base=$(cg_own $c)
		cg_mkdir "$m${base%/}/$name" || return 1
		printf -v "CG_DIR_$c" %s "$m${base%/}/$name"
		printf -v "CG_PATH_$c" %s "${base%/}/$name"
		CG_PROCS+=("$m${base%/}/$name/cgroup.procs")
	done
	# hybrid: the controller-less unified tree too, when asked for
	if [ "${2:-}" = unified ] && [ -n "$v2root" ]; then
		base=$(cg_own "")
		cg_mkdir "$v2root${base%/}/$name" || return 1
		CG_DIR_unified=$v2root${base%/}/$name
		CG_PATH_unified=${base%/}/$name
		CG_PROCS+=("$CG_DIR_unified/cgroup.procs")
	fi
	return 0
}

# cg_start VAR CMD...: starts CMD, moves it into the cgroups, waits for its
# "ready" line; VAR gets its pid. Output past "ready" goes to $CG_OUT.$pid.
cg_start() {
	local var=$1; shift
	local fifo f
	fifo=$(mktemp -u /tmp/nstop-cg.XXXXXX)
	mkfifo "$fifo"
	exec {CG_FD}<>"$fifo"
	# stopped until it is moved in, so everything it forks is inside
	bash -c 'kill -STOP $$; exec "$@"' _ "$@" >"$fifo" &
	local pid=$!
	CG_PIDS+=("$pid")
	while [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != T ]; do sleep 0.01; done
	for f in "${CG_PROCS[@]}"; do echo "$pid" >"$f"; done
	kill -CONT "$pid"
	rm -f "$fifo"
	local line
	while read -r -t 20 line <&$CG_FD; do
		[ "$line" = ready ] && break
		CG_LAST=$line
	done
	printf -v "$var" %s "$pid"
}

cg_cleanup() {
	local p f d
	for p in "${CG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# whatever still sits in our cgroups was started by this test
	for d in "${CG_DIRS[@]}"; do
		[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
		for f in $(find "$d" -name cgroup.procs 2>/dev/null); do
			for p in $(cat "$f" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		done
	done
	wait 2>/dev/null
	for d in "${CG_DIRS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[ -d "$d" ] || break
			find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
			rmdir "$d" 2>/dev/null && break
			sleep 0.2
		done
	done
}

# ctr_parent NAME: a relative --cgroup-parent for nstop create, beneath the
# test's own cgroups (v2: beneath NSTOP_TEST_CGROUP when set, or the own one)
ctr_parent() {
	local v2root own2 par
	v2root=$(cg_mnt "")
	if [ -n "$v2root" ] && grep -qw cpu "$v2root/cgroup.controllers" 2>/dev/null; then
		own2=$(cg_own "")
		par=${NSTOP_TEST_CGROUP:-$v2root${own2%/}}
		echo "${par#"$v2root"}/$1"
	else
		echo "$1"
	fi
}
# ctr_parent_rm NAME: what nstop made beneath NAME in every hierarchy, the
# deepest first (a trap's last word after nstop rm)
ctr_parent_rm() {
	local d m
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$d" -maxdepth 6 -type d -name "$1" 2>/dev/null
	done | sort -r | while read -r m; do
		find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}
