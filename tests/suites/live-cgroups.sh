#!/bin/bash
# The cgroup collector against the live kernel's own files on this host's
# hierarchies (v1/hybrid here; the v2 guest runs the same checks on v2):
# cgroups made beneath the test's own cgroup, with limits, a CPU hog and a
# sleeper in them, must show the kernel's figures; all removed on exit.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "live cgroups: creating cgroups needs root"; echo "1..$n"; exit 0
fi
name=nstop-test-$$
made=() pids=()
own() { # own CONTROLLER -> this process's cgroup path in that hierarchy
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3; if (c == "" && $1 == 0) print $3 }' /proc/self/cgroup | head -1
}
mnt() { # mnt CONTROLLER -> mount point of its hierarchy
	awk -v c="$1" '$0 ~ / - cgroup2? / { split($0, h, " - "); split(h[2], f, " "); n = split(f[3], o, ",");
		for (i = 1; i <= n; i++) if (o[i] == c) { split(h[1], m, " "); print m[5]; exit }
		if (c == "" && f[1] == "cgroup2") { split(h[1], m, " "); print m[5]; exit } }' /proc/self/mountinfo
}
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	sleep 0.2
	# (a cgroup whose last processes are still exiting refuses for a moment)
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do
		for ((k = 0; k < 25; k++)); do
			rmdir "${made[i]}" 2>/dev/null
			[ -d "${made[i]}" ] || break
			sleep 0.2
		done
	done
	cleanup_tmp
}
trap cleanup EXIT

v2root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$v2root" ] && [ -f "$v2root/cgroup.controllers" ] && grep -q cpu "$v2root/cgroup.controllers"; then
	mode=v2
	# The no-internal-process rule: a cgroup holding processes cannot
	# hand controllers to children. The test's own cgroup holds it, so
	# it needs a parent prepared for it (NSTOP_TEST_CGROUP, as the v2
	# guest sets up) or one whose controllers are already delegated.
	base=$(own "")
	parent=${NSTOP_TEST_CGROUP:-$v2root${base%/}}
	for c in cpu memory pids; do
		grep -qw $c "$parent/cgroup.subtree_control" ||
			echo "+$c" >"$parent/cgroup.subtree_control" 2>/dev/null
	done
	if ! grep -qw cpu "$parent/cgroup.subtree_control" || ! grep -qw memory "$parent/cgroup.subtree_control" ||
		! grep -qw pids "$parent/cgroup.subtree_control"; then
		skip "v2: $parent cannot delegate cpu, memory and pids (it holds processes); set NSTOP_TEST_CGROUP to a prepared cgroup"
		echo "1..$n"; exit 0
	fi
	dir=$parent/$name
	mkdir "$dir" && made+=("$dir")
	path=${dir#"$v2root"}
	echo "20000 100000" >"$dir/cpu.max"
	echo $((64 << 20)) >"$dir/memory.max"
	echo 10 >"$dir/pids.max"
	check "v2: cpu.max holds exactly what was written" test "$(cat "$dir/cpu.max")" = "20000 100000"
	procs_files=("$dir/cgroup.procs")
	hogdir=$dir
else
	mode=v1
	cpu=$(mnt cpu) acct=$(mnt cpuacct) mem=$(mnt memory) pidsm=$(mnt pids)
	[ -n "$cpu" ] && [ -n "$acct" ] && [ -n "$mem" ] && [ -n "$pidsm" ] ||
		{ skip "no cpu, cpuacct, memory and pids hierarchies"; echo "1..$n"; exit 0; }
	# the test's own cgroup differs per hierarchy; cgroups nstop merges by
	# path, so one path under each hierarchy's own: use the cpu one's
	cbase=$(own cpu) abase=$(own cpuacct) mbase=$(own memory) pbase=$(own pids)
	cdir=$cpu${cbase%/}/$name mdir=$mem${mbase%/}/$name pdir=$pidsm${pbase%/}/$name
	adir=$acct${abase%/}/$name
	for d in "$cdir" "$adir" "$mdir" "$pdir"; do
		[ -d "$d" ] || { mkdir "$d" && made+=("$d"); }
	done
	path=${cbase%/}/$name
	mpath=${mbase%/}/$name
	echo 100000 >"$cdir/cpu.cfs_period_us"
	echo 20000 >"$cdir/cpu.cfs_quota_us"
	echo $((64 << 20)) >"$mdir/memory.limit_in_bytes"
	echo 10 >"$pdir/pids.max"
	procs_files=("$cdir/cgroup.procs" "$adir/cgroup.procs" "$mdir/cgroup.procs" "$pdir/cgroup.procs")
fi
ok "made $mode cgroups beneath the test's own"

# a CPU hog and a sleeper, started here and moved in (never anything else)
bash -c 'while :; do :; done' &
hog=$!; pids+=($hog)
sleep 300 &
sl=$!; pids+=($sl)
for f in "${procs_files[@]}"; do echo $hog >"$f"; echo $sl >"$f"; done
sleep 2

"$NSTOP" cgroups --depth all -J -d 2 >/tmp/nstop-out.$$
row() { jq -r --arg p "$1" --arg k "$2" '.cgroups[] | select(.path == $p) | .[$k] | tostring' /tmp/nstop-out.$$; }
is() { if [ "$2" = "$3" ]; then ok "$1 = $3"; else notok "$1: got '$2', want '$3'"; fi; }
is "cpu limit read back" "$(row "$path" cpu_limit_percent)" 20
is "pids limit read back" "$(row "$path" pids_limit)" 10
is "processes directly in it" "$(row "$path" nprocs)" 2
if [ $mode = v1 ]; then
	is "memory limit read back (memory hierarchy path)" "$(row "$mpath" memory_limit_bytes)" $((64 << 20))
	kmem=$(cat "$mdir/memory.usage_in_bytes")
	nmem=$(row "$mpath" memory_bytes)
	kpids=$(cat "$pdir/pids.current")
else
	is "memory limit read back" "$(row "$path" memory_limit_bytes)" $((64 << 20))
	kmem=$(cat "$hogdir/memory.current")
	nmem=$(row "$path" memory_bytes)
	kpids=$(cat "$hogdir/pids.current")
fi
is "pids.current equals the kernel's" "$(row "$path" pids)" "$kpids"
check "memory equals the kernel's within 1 MiB (nstop $nmem, kernel $kmem)" \
	test $((nmem > kmem ? nmem - kmem : kmem - nmem)) -le $((1 << 20))
cpu=$(row "$path" cpu_percent)
check "the hog reads 20 +- 5 % of one CPU (got $cpu)" awk -v c="$cpu" 'BEGIN { exit !(c >= 15 && c <= 25) }'
thr=$(row "$path" nr_throttled)
check "it is being throttled (nr_throttled $thr)" test "${thr:-0}" -gt 0
usage=$(row "$path" cpu_usage_usec)
check "cpu usage is counted (usec $usage)" test "${usage:-0}" -gt 100000

# Column-driven reads (issue 16): a listing of a few columns shows the same
# figures, and opens no file of a column it does not show.
"$NSTOP" cgroups --depth all -J -d 1 -o PATH,PROCS,CPU%,CPU_LIMIT%,PIDS_LIMIT >/tmp/nstop-out.$$
is "-o PATH,PROCS,CPU%,CPU_LIMIT%,PIDS_LIMIT: processes directly in it" "$(row "$path" nprocs)" 2
is "-o ...: cpu limit" "$(row "$path" cpu_limit_percent)" 20
is "-o ...: pids limit" "$(row "$path" pids_limit)" 10
cpu=$(row "$path" cpu_percent)
check "-o ...: the hog reads 20 +- 5 % (got $cpu)" awk -v c="$cpu" 'BEGIN { exit !(c >= 15 && c <= 25) }'
if command -v strace >/dev/null; then
	strace -f -qq -e trace=openat -o /tmp/nstop-st.$$ "$NSTOP" cgroups --depth all -o PATH,CPU% -d 0.1 >/dev/null
	unread=$(grep -cE '"[^"]*(memory\.[a-z_.]+|pids\.(max|current)|cgroup\.procs|freezer\.state|cpu\.cfs_[a-z_]+|cpu\.max|io\.stat|blkio\.[a-z_.]+|cgroup\.events)"' /tmp/nstop-st.$$)
	read=$(grep -cE '"[^"]*(cpuacct\.usage|cpu\.stat)"' /tmp/nstop-st.$$)
	check "-o PATH,CPU%: no memory, pids, procs, freezer, limit or io file opened ($unread opened)" test "$unread" = 0
	check "-o PATH,CPU%: the CPU counters are read ($read opens)" test "$read" -gt 0
	rm -f /tmp/nstop-st.$$
else
	skip "column-driven reads: strace is missing (make deps)"
fi

# Which hierarchies are walked (those nstop has figures from, whatever the
# columns): a cgroup only the devices hierarchy has is no row; one only the
# freezer has is, with any columns.
if [ $mode = v1 ] && devm=$(mnt devices) && [ -n "$devm" ] && frzm=$(mnt freezer) && [ -n "$frzm" ]; then
	dbase=$(own devices) fbase=$(own freezer)
	ddir=$devm${dbase%/}/$name-devonly fdir=$frzm${fbase%/}/$name-frzonly
	mkdir "$ddir" && made+=("$ddir")
	mkdir "$fdir" && made+=("$fdir")
	"$NSTOP" cgroups --depth all -J -d 0.1 >/tmp/nstop-out.$$
	is "a devices-only cgroup is no row" "$(jq --arg p "${dbase%/}/$name-devonly" '[.cgroups[] | select(.path == $p)] | length' /tmp/nstop-out.$$)" 0
	is "a freezer-only cgroup is a row" "$(row "${fbase%/}/$name-frzonly" frozen)" false
	check "-o PATH,CPU% lists the freezer-only cgroup too" sh -c '"$1" cgroups --depth all -o PATH,CPU% -d 0.1 | grep -qF -- "$2"' _ "$NSTOP" "$name-frzonly"
	check "-o PATH,CPU% does not list the devices-only one" sh -c '! "$1" cgroups --depth all -o PATH,CPU% -d 0.1 | grep -qF -- "$2"' _ "$NSTOP" "$name-devonly"
else
	skip "walked hierarchies: v1 devices and freezer hierarchies only ($mode)"
fi

# Under a low descriptor limit nstop keeps fewer fds (300: some of its
# cgroup fds; 64: none, everything reopened per sample) and its figures
# must not change: the same rows as the directories every hierarchy has
# (merged by path, counted before and after), the same values for ours.
cgdirs() {
	awk '{ split($0, h, " - "); split(h[2], f, " "); if (f[1] == "cgroup" || f[1] == "cgroup2") { split(h[1], m, " "); print m[4], m[5] } }' /proc/self/mountinfo |
		while read -r root mp; do
			# not walked: no figure of theirs is shown (name=systemd: hybrid has the unified tree)
			case ",$(awk -v m="$mp" '$2 == m { print $4 }' /proc/self/mounts)," in
			*,devices,* | *,net_cls,* | *,net_prio,* | *,perf_event,* | *,hugetlb,* | *,rdma,* | *,misc,* | *,name=systemd,*)
				continue ;;
			esac
			(cd "$mp" && find . -type d) | sed "s|^\.|${root%/}|; s|^$|/|"
		done | sort -u | wc -l
}
for lim in 300 64; do
	a=$(cgdirs)
	(ulimit -n $lim && exec "$NSTOP" cgroups --depth all -J -d 1) >/tmp/nstop-out.$$
	b=$(cgdirs)
	rows=$(jq '.cgroups | length' /tmp/nstop-out.$$)
	check "ulimit -n $lim: a row per cgroup directory ($rows rows, $a then $b directories)" \
		test "$rows" -ge $((a < b ? a : b)) -a "$rows" -le $((a > b ? a : b))
	is "ulimit -n $lim: cpu limit" "$(row "$path" cpu_limit_percent)" 20
	is "ulimit -n $lim: pids limit" "$(row "$path" pids_limit)" 10
	is "ulimit -n $lim: processes directly in it" "$(row "$path" nprocs)" 2
	cpu=$(row "$path" cpu_percent)
	check "ulimit -n $lim: the hog reads 20 +- 5 % (got $cpu)" awk -v c="$cpu" 'BEGIN { exit !(c >= 15 && c <= 25) }'
	rows=$( (ulimit -n $lim && exec "$NSTOP" --no-config --bench-refresh 3 --bench-view cgroups) 2>/dev/null | awk '/^median/ { print $NF }')
	b=$(cgdirs)
	check "ulimit -n $lim: dashboard refreshes of the cgroups view, a row per directory ($rows rows, $b directories)" \
		test "${rows:-0}" -ge $((b - 5)) -a "${rows:-0}" -le $((b + 5))
done
# A cgroup2 cgroup.procs longer than a page (a seq_file read returns one
# page at most): every process counted, not the first ~800.
if [ -n "$v2root" ]; then
	# (v2: beside the test's cgroup, not beneath its pids.max of 10)
	if [ $mode = v2 ]; then many=$(dirname "$dir")/$name-many; else many=$v2root$(own ""); many=${many%/}/$name-many; fi
	mkdir "$many" && made+=("$many")
	( echo "$BASHPID" >"$many/cgroup.procs" && for ((i = 0; i < 1200; i++)); do sleep 300 & echo $!; done >"/tmp/nstop-many.$$" && exec sleep 300 ) &
	mp=($!)
	for ((i = 0; i < 600 && $(cat "/tmp/nstop-many.$$" 2>/dev/null | wc -l) < 1200; i++)); do sleep 0.1; done
	for ((i = 0; i < 100 && $(wc -l <"$many/cgroup.procs") < 1201; i++)); do sleep 0.1; done
	while read -r p; do mp+=("$p"); done <"/tmp/nstop-many.$$"
	pids+=("${mp[@]}")
	rm -f "/tmp/nstop-many.$$"
	"$NSTOP" cgroups --depth all -J -d 0.1 -o PATH,PROCS >/tmp/nstop-out.$$
	is "a cgroup2 cgroup.procs of $(wc -c <"$many/cgroup.procs") bytes: every process counted" "$(row "${many#"$v2root"}" nprocs)" 1201
	for p in "${mp[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait "${mp[0]}" 2>/dev/null
	# (the sleepers were the subshell's: PID 1 reaps them, late here)
	for ((i = 0; i < 100 && $(wc -l <"$many/cgroup.procs") > 0; i++)); do sleep 0.1; done
else
	skip "cgroup.procs longer than a page: no cgroup2 tree here"
fi

# --depth N (as systemd-cgtop's): no row deeper, and the processes of the
# cgroups beneath count in the deepest row's PROCS_ALL. The sleeper moves
# to a cgroup beneath the test's own.
deep=()
for f in "${procs_files[@]}"; do
	d=$(dirname "$f")/deep
	[ -d "$d" ] || { mkdir "$d" && made+=("$d"); }
	deep+=("$d/cgroup.procs")
done
for f in "${deep[@]}"; do echo "$sl" >"$f"; done
dep=$(awk -F/ '{ print NF - 1 }' <<<"$path")
"$NSTOP" cgroups -J -d 0.1 --depth "$dep" -o PATH,PROCS,PROCS_ALL,CPU% >/tmp/nstop-out.$$
is "--depth $dep: no row deeper" "$(jq --argjson d "$dep" '[.cgroups[] | select((.path | split("/") | map(select(. != "")) | length) > $d)] | length' /tmp/nstop-out.$$)" 0
is "--depth $dep: the test's cgroup has the hog directly" "$(row "$path" nprocs)" 1
is "--depth $dep: ... and the sleeper beneath in PROCS_ALL" "$(row "$path" nprocs_recursive)" 2
"$NSTOP" cgroups --depth all -J -d 0.1 -o PATH,PROCS,PROCS_ALL >/tmp/nstop-out.$$
is "with --depth all the cgroup beneath is a row, with the sleeper" "$(row "$path/deep" nprocs)" 1
r1=$(row / nprocs)
# By default the rows go down to depth 3, as systemd-cgtop's; the root's
# processes are read directly there (and counted from one read where a
# hierarchy has no cgroup beneath its root, as this hybrid host's cgroup2
# tree), by elimination over the whole tree: the same count.
"$NSTOP" cgroups -J -d 0.1 -o PATH,PROCS >/tmp/nstop-out.$$
is "by default: no row deeper than 3" "$(jq '[.cgroups[] | select((.path | split("/") | map(select(. != "")) | length) > 3)] | length' /tmp/nstop-out.$$)" 0
r0=$(row / nprocs)
check "by default the root row's PROCS ($r0) is the whole tree's ($r1), within 5 % (the machine's own come and go)" \
	awk -v a="$r0" -v b="$r1" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= b * 0.05 + 2) }'
expect_exit 2 "--depth 65 is refused" cgroups --depth 65
expect_exit 2 "--depth alls is refused" cgroups --depth alls
echo "1..$n"
