#!/bin/bash
# A container's cgroup state as the kernel has it, on the live kernel: an
# nstop container frozen through nstop freeze reads frozen in every listing
# and view (on hybrid hosts the freeze goes through the unified tree while
# v1's freezer.state stays THAWED), a cgroup frozen through v1's
# freezer.state alone too; the detail pane's memory figures come from the
# memory hierarchy's own path (rooted elsewhere on some hosts). Containers
# live in a private registry and beneath the test's own cgroups; a trap
# removes everything.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
. "$TOP/tests/lib-docker.sh"
if ! need_root; then
	skip "live cgroup state: making containers needs root"; echo "1..$n"; exit 0
fi
command -v tmux >/dev/null || { notok "tmux is missing (make deps)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-cgst.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
sock=nstop-cgst-$$
SEE_LINES=40
. "$TOP/tests/lib-tmux.sh"
pname=nstop-cgst-$$
parent=$(ctr_parent "$pname")
ctr=cgst$$ ctr2=cgsl$$
cleanup() {
	tmux_stop
	"$NSTOP" rm -f "$ctr" --audit-log "$L" >/dev/null 2>&1
	"$NSTOP" rm -f "$ctr2" --audit-log "$L" >/dev/null 2>&1
	docker_down
	rm -f "/dev/shm/$pname"
	ctr_parent_rm "$pname"
	ctr_parent_rm "$pname-lim"
	cg_cleanup
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
st() { "$NSTOP" containers -J | jq -r --arg n "$ctr" '.containers[] | select(.name == $n) | .state'; }
st_text() { "$NSTOP" containers -H -o NAME,STATE | awk -v n="$ctr" '$1 == n { print $2 }'; }
cgf() { # cgf PATH -> the cgroups listing's frozen
	"$NSTOP" cgroups --depth all -J | jq -r --arg p "$1" '.cgroups[] | select(.path == $p) | .frozen | tostring'
}
cgf_text() { "$NSTOP" cgroups --depth all -H -o PATH,FROZEN | awk -v p="$1" '$1 == p { print $2 }'; }

# ---- an nstop container frozen with nstop freeze ----
expect_exit 0 "create a container (memory limit 96M)" create "$ctr" --cgroup-parent "$parent" --memory 96M \
	--audit-log "$L" -- sleep 1000
cgp=$(jq -r .cgroup "$NSTOP_STATE_DIR/$ctr/state.json")
memp=$(jq -r '.cgroups.memory // .cgroup' "$NSTOP_STATE_DIR/$ctr/state.json")
check "it reads running" test "$(st)" = running
expect_exit 0 "nstop freeze it" freeze "$ctr" --audit-log "$L"
# where the freeze took effect: the unified tree (hybrid, v2) or freezer.state
how=
for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
	f=$(find "$d" -maxdepth 8 -type d -path "*$pname/$ctr" 2>/dev/null | head -1)
	[ -n "$f" ] || continue
	grep -qx "frozen 1" "$f/cgroup.events" 2>/dev/null && how="$how cgroup.events"
	grep -qx FROZEN "$f/freezer.state" 2>/dev/null && how="$how freezer.state"
	grep -qx THAWED "$f/freezer.state" 2>/dev/null && how="$how freezer.state:THAWED"
done
echo "# the kernel says:$how"
check "containers --json: state frozen" test "$(st)" = frozen
check "containers: STATE frozen" test "$(st_text)" = frozen
check "cgroups --json: its cgroup frozen" test "$(cgf "$cgp")" = true
check "cgroups: FROZEN yes" test "$(cgf_text "$cgp")" = yes
check "snapshot --json: state frozen" test "$("$NSTOP" snapshot --json |
	jq -r --arg n "$ctr" '.containers[] | select(.name == $n) | .state')" = frozen

# the dashboard: the containers view and its detail pane
T new-session -d -s e2e -x 220 -y 50 \
	"env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config -d 0.5 -r; sleep 30"
see "the dashboard starts" "namespaces "
keys 1 / "$ctr" Enter
see "the containers view says frozen" "frozen "
see "the detail pane says frozen" "frozen yes"
# the memory figures of its memory hierarchy's path, as the table has them
mem=$("$NSTOP" containers -J | jq -r --arg n "$ctr" '.containers[] | select(.name == $n) | .memory_bytes')
check "containers --json has its memory ($mem bytes)" test "$mem" -gt 0
see "the detail pane has its memory limit" "max 96M"
notsee "and not memory -" "memory -  max"
if [ "$memp" != "$cgp" ]; then
	see "and names the memory hierarchy's path" "memory $memp"
else
	echo "# its memory path is its cgroup's here: nothing more to see"
fi
expect_exit 0 "nstop thaw it" thaw "$ctr" --audit-log "$L"
see "the containers view says running again" "running "
see "the detail pane says frozen no" "frozen no"
tmux_stop
check "containers --json: running again" test "$(st)" = running
check "cgroups --json: frozen false again" test "$(cgf "$cgp")" = false

# ---- a cgroup frozen through v1's freezer.state alone ----
if cg_setup "$pname-v1" unified && [ "$CG_MODE" = v1 ]; then
	cg_start sl "$B/tests/hog" ignore-term
	echo FROZEN >"$CG_DIR_freezer/freezer.state"
	for _ in $(seq 50); do grep -qx FROZEN "$CG_DIR_freezer/freezer.state" && break; sleep 0.1; done
	check "v1 freezer.state FROZEN, unified cgroup.events frozen 0" \
		bash -c "grep -qx FROZEN '$CG_DIR_freezer/freezer.state' && grep -qx 'frozen 0' '$CG_DIR_unified/cgroup.events'"
	check "cgroups --json: frozen true" test "$(cgf "$CG_PATH_freezer")" = true
	echo THAWED >"$CG_DIR_freezer/freezer.state"
	echo 1 >"$CG_DIR_unified/cgroup.freeze"
	for _ in $(seq 50); do grep -qx "frozen 1" "$CG_DIR_unified/cgroup.events" && break; sleep 0.1; done
	check "frozen through the unified tree alone (freezer.state THAWED): frozen true" \
		test "$(cgf "$CG_PATH_freezer")" = true
	echo 0 >"$CG_DIR_unified/cgroup.freeze"
	check "thawed in both: frozen false" test "$(cgf "$CG_PATH_freezer")" = false
else
	skip "v1 freezer: ${CG_WHY:-no v1 freezer here (pure v2)}"
fi

# ---- the working set against the kernel's own files ----
near() { # near GOT WANT PERCENT: |GOT - WANT| <= PERCENT % of WANT (and both numbers)
	awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { if (g !~ /^[0-9]+$/ || w !~ /^[0-9]+$/) exit 1
		d = g - w; if (d < 0) d = -d; exit !(d <= w * p / 100) }'
}
cgj() { "$NSTOP" cgroups --depth all -J | jq -r --arg p "$1" --arg k "$2" '.cgroups[] | select(.path == $p) | .[$k] | tostring'; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1/memory.stat"; }
if cg_setup "$pname-ws"; then
	# 24 MiB written to a file on disk (page cache), 8 MiB to /dev/shm (shmem)
	cg_start ws bash -c "dd if=/dev/urandom of='$tmp/ws.dat' bs=1M count=24 2>/dev/null &&
		dd if=/dev/zero of='/dev/shm/$pname' bs=1M count=8 2>/dev/null && echo ready && exec sleep 1000"
	md=$CG_DIR_memory
	kernel() { # usage inactive_file file shmem, as the kernel has them now
		if [ "$CG_MODE" = v2 ]; then
			echo "$(cat "$md/memory.current") $(stat_of "$md" inactive_file) $(stat_of "$md" file) $(stat_of "$md" shmem)"
		else
			echo "$(cat "$md/memory.usage_in_bytes") $(stat_of "$md" total_inactive_file) $(stat_of "$md" total_cache) $(stat_of "$md" total_shmem)"
		fi
	}
	# the kernel's files read before and after nstop's: the figures move
	# (the per-CPU charge batch of 64 pages a CPU, pages going from one
	# LRU list to another), so nstop's must lie between the two, give or
	# take that batch
	read -r use1 inact1 file shm <<<"$(kernel)"
	"$NSTOP" cgroups --depth all -J | jq --arg p "$CG_PATH_memory" '.cgroups[] | select(.path == $p)' >"$tmp/ws.json"
	read -r use2 inact2 _ _ <<<"$(kernel)"
	wj() { jq -r --arg k "$1" '.[$k] | tostring' "$tmp/ws.json"; }
	slack=$((64 * 4096 * $(nproc)))
	within() { # within GOT A B: A <= GOT <= B (either order), give or take the slack
		awk -v g="$1" -v a="$2" -v b="$3" -v s="$slack" 'BEGIN { if (g !~ /^[0-9]+$/) exit 1
			lo = a < b ? a : b; hi = a < b ? b : a; exit !(g >= lo - s && g <= hi + s) }'
	}
	w1=$((use1 > inact1 ? use1 - inact1 : 0)) w2=$((use2 > inact2 ? use2 - inact2 : 0))
	echo "# the kernel: usage $use1..$use2, inactive_file $inact1..$inact2, file $file, shmem $shm"
	check "the page cache is charged to it (file $file >= 24 MiB)" test "$file" -ge $((24 << 20))
	check "WSET = usage - inactive_file ($(wj memory_working_set_bytes), the kernel's files $w1..$w2)" \
		within "$(wj memory_working_set_bytes)" "$w1" "$w2"
	check "INACTIVE_FILE is memory.stat's ($(wj memory_inactive_file_bytes), $inact1..$inact2)" \
		within "$(wj memory_inactive_file_bytes)" "$inact1" "$inact2"
	check "SHMEM is memory.stat's ($(wj memory_shmem_bytes), $shm >= 8 MiB)" \
		bash -c "[ '$(wj memory_shmem_bytes)' = '$shm' ] && [ '$shm' -ge $((8 << 20)) ]"
	if [ "$CG_MODE" = v2 ]; then
		# kernel memory moves too: within 64 KiB of a fresh read
		check "KERNEL and SOCK are memory.stat's" awk -v a="$(wj memory_kernel_bytes)" -v b="$(stat_of "$md" kernel)" \
			-v c="$(wj memory_sock_bytes)" -v d="$(stat_of "$md" sock)" \
			'BEGIN { x = a - b; if (x < 0) x = -x; exit !(a ~ /^[0-9]+$/ && x <= 65536 && c ~ /^[0-9]+$/ && c == d) }'
	else
		check "v1: no kernel or sock line, so null" test "$(wj memory_kernel_bytes) $(wj memory_sock_bytes)" = "null null"
	fi
	rm -f "/dev/shm/$pname" "$tmp/ws.dat"
	kill -KILL "$ws" 2>/dev/null
else
	skip "working set: $CG_WHY"
fi

# ---- effective limits: a container under a parent tighter than its own ----
if cg_setup "$pname-lim"; then
	if [ "$CG_MODE" = v2 ]; then
		echo "30000 100000" >"$CG_DIR_cpu/cpu.max"; echo $((64 << 20)) >"$CG_DIR_memory/memory.max"
		own_cpu=(--cpu 50%)
	else
		# v1 refuses a child quota above its parent's (EINVAL): the
		# container's own is unlimited, the parent's binds
		echo 30000 >"$CG_DIR_cpu/cpu.cfs_quota_us"; echo 100000 >"$CG_DIR_cpu/cpu.cfs_period_us"
		echo $((64 << 20)) >"$CG_DIR_memory/memory.limit_in_bytes"
		own_cpu=()
	fi
	echo 50 >"$CG_DIR_pids/pids.max"
	expect_exit 0 "create a container with --memory 128M --pids 80 ${own_cpu[*]} under a parent with 64M, 50 pids, 30 % CPU" \
		create "$ctr2" --cgroup-parent "$(ctr_parent "$pname-lim")" --memory 128M --pids 80 "${own_cpu[@]}" \
		--audit-log "$L" -- sh -c 'while :; do :; done'
	sleep 1.5
	"$NSTOP" containers -J -d 1 >"$tmp/lim.json"
	cj() { jq -r --arg n "$ctr2" --arg k "$1" '.containers[] | select(.name == $n) | .[$k] | tostring' "$tmp/lim.json"; }
	check "its own memory limit is 128M ($(cj memory_limit_bytes))" test "$(cj memory_limit_bytes)" = $((128 << 20))
	check "EFF_MEM_LIMIT is the parent's 64M ($(cj effective_memory_limit_bytes))" test "$(cj effective_memory_limit_bytes)" = $((64 << 20))
	check "set by the parent ($(cj effective_memory_limit_from))" test "$(cj effective_memory_limit_from)" = "$CG_PATH_memory"
	check "EFF_CPU_LIMIT% is the parent's 30 ($(cj effective_cpu_limit_percent))" test "$(cj effective_cpu_limit_percent)" = 30
	check "set by the parent ($(cj effective_cpu_limit_from))" test "$(cj effective_cpu_limit_from)" = "$CG_PATH_cpu"
	check "EFF_PIDS_LIMIT is the parent's 50 ($(cj effective_pids_limit))" test "$(cj effective_pids_limit)" = 50
	check "set by the parent ($(cj effective_pids_limit_from))" test "$(cj effective_pids_limit_from)" = "$CG_PATH_pids"
	pu=$(if [ "$CG_MODE" = v2 ]; then cat "$CG_DIR_memory/memory.current"; else cat "$CG_DIR_memory/memory.usage_in_bytes"; fi)
	check "memory headroom: 64M minus the parent's usage within 2 % ($(cj memory_headroom_bytes), $(((64 << 20) - pu)))" \
		near "$(cj memory_headroom_bytes)" $(((64 << 20) - pu)) 2
	check "pids headroom: 50 minus the parent's pids.current ($(cj pids_headroom))" \
		test "$(cj pids_headroom)" = $((50 - $(cat "$CG_DIR_pids/pids.current")))
	cpu=$(cj cpu_percent) hr=$(cj cpu_headroom_percent)
	# (a 1 s window not aligned with the 100 ms periods may hold one more
	# quota: a little over 30 %, and no headroom, never below 0)
	check "the spinning container is held to 30 % ($cpu), its CPU headroom is what is left ($hr)" \
		awk -v c="$cpu" -v h="$hr" 'BEGIN { e = 30 - c; if (e < 0) e = 0; d = h - e; if (d < 0) d = -d
			exit !(c ~ /^[0-9.]+$/ && c >= 5 && c <= 35 && h ~ /^[0-9.]+$/ && d <= 1.5) }'
	# throttled while the host idles: its parent's quota limits it, not the
	# machine (one snapshot: the host's idle CPU and the notes together)
	"$NSTOP" snapshot --json -d 1 >"$tmp/qb.json"
	qb=$(jq -r --arg n "$ctr2" '.containers[] | select(.name == $n) | .notes // ""' "$tmp/qb.json")
	read -r hc nc < <(jq -r '"\(.host.cpu_percent) \(.host.ncpu)"' "$tmp/qb.json")
	if awk -v h="$hc" -v n="$nc" 'BEGIN { exit !(h ~ /^[0-9.]+$/ && h <= n * 100 - 50) }'; then
		check "NOTES says cpu-quota-bound for the container spinning at its parent's 30 % on a host $hc % busy of $((nc * 100)) ($qb)" \
			grep -q cpu-quota-bound <<<"$qb" ||
			jq -c --arg n "$ctr2" '.containers[] | select(.name == $n) | {name, notes, cgroup, host_available: true}' "$tmp/qb.json" | sed 's/^/#   /'
		jq -c --arg n "$ctr2" '.containers[] | select(.name == $n) | .cgroup' "$tmp/qb.json" | while read -r cgp; do
			jq -c --argjson p "$cgp" '.cgroups[] | select(.path == $p) | {path, cpu_percent, throttled_percent, nr_periods, nr_throttled, effective_cpu_limit_percent, cpu_headroom_percent}' "$tmp/qb.json" | sed 's/^/#   /'
		done
	else
		skip "cpu-quota-bound: the host was busy ($hc % of $((nc * 100))): not the case it flags"
	fi
	# the test's other container, if still there, sleeps: never flagged
	q1=$(jq -r --arg n "$ctr" '[.containers[] | select(.name == $n) | .notes // ""] | join(",")' "$tmp/qb.json")
	check "... and not for the test's idle container ($ctr: '$q1')" test "${q1/cpu-quota-bound/}" = "$q1"
	wpct=$(cj memory_working_set_percent) wset=$(cj memory_working_set_bytes)
	check "WSET% is of the effective 64M ($wpct % of $wset bytes)" \
		awk -v p="$wpct" -v w="$wset" 'BEGIN { if (p !~ /^[0-9.]+$/ || w !~ /^[0-9]+$/) exit 1
			e = w / 67108864 * 100; d = p - e; if (d < 0) d = -d; exit !(d <= 0.11) }'
	check "the cgroups listing has the same effective memory limit" \
		test "$("$NSTOP" cgroups --depth all -H -o PATH,EFF_MEM_LIMIT | awk -v p="$(cj cgroup)" '$1 == p { print $2 }')" != ""
	# pressure in full, from the cgroup2 tree (hybrid: the unified one)
	u2=$(jq -r '.cgroups.cgroup2 // .cgroup' "$NSTOP_STATE_DIR/$ctr2/state.json")
	pf=$(cg_mnt "")$u2/cpu.pressure
	if [ -r "$pf" ]; then
		t1=$(awk '$1 == "some" { sub("total=", "", $5); print $5 }' "$pf")
		"$NSTOP" containers -J >"$tmp/psi.json"
		t2=$(awk '$1 == "some" { sub("total=", "", $5); print $5 }' "$pf")
		pj() { jq -r --arg n "$ctr2" --arg k "$1" '.containers[] | select(.name == $n) | .[$k] | tostring' "$tmp/psi.json"; }
		check "cpu.pressure some total between the kernel's reads ($t1 <= $(pj psi_cpu_some_total_usec) <= $t2)" \
			awk -v g="$(pj psi_cpu_some_total_usec)" -v a="$t1" -v b="$t2" 'BEGIN { exit !(g ~ /^[0-9]+$/ && g >= a && g <= b) }'
		check "the throttled spinner stalls: some avg60 > 0 ($(pj psi_cpu_some_avg60))" \
			awk -v g="$(pj psi_cpu_some_avg60)" 'BEGIN { exit !(g ~ /^[0-9.]+$/ && g > 0) }'
		full=$(grep -c '^full ' "$pf")
		if [ "$full" = 1 ]; then
			check "cpu.pressure full avg10 is a number" bash -c "[[ '$(pj psi_cpu_full_avg10)' =~ ^[0-9.]+\$ ]]"
		else
			check "no cpu full line here: null" test "$(pj psi_cpu_full_avg10)" = null
		fi
		if [ "$CG_MODE" = v2 ]; then
			check "memory.events max is the kernel's" test "$(pj memory_events_max)" = \
				"$(awk '$1 == "max" { print $2 }' "$CG_DIR_memory/$ctr2/memory.events")"
		else
			check "v1: no memory.events, null" test "$(pj memory_events_max)" = null
		fi
	else
		skip "no cpu.pressure at $pf (PSI off)"
	fi
	# protection, weight, cpuset
	if [ "$CG_MODE" = v2 ]; then
		cd2=$CG_DIR_cpu/$ctr2
		check "cpu.weight and memory.low are the kernel's" test "$(cj cpu_weight) $(cj memory_low_bytes)" = \
			"$(cat "$cd2/cpu.weight") $(cat "$cd2/memory.low")"
		rootset=$(cat "$(cg_mnt "")/cpuset.cpus.effective")
	else
		check "v1: no cpu.weight, memory.min or memory.low: null" test "$(cj cpu_weight) $(cj memory_min_bytes) $(cj memory_low_bytes)" = "null null null"
		rootset=$(cat "$(cg_mnt cpuset)/cpuset.effective_cpus")
	fi
	check "the root's effective cpuset is the kernel's ($rootset)" \
		test "$("$NSTOP" cgroups --depth all -J -d 0 | jq -r '.cgroups[] | select(.path == "/") | .cpuset_cpus_effective')" = "$rootset"
	T new-session -d -s e2e -x 250 -y 50 \
		"env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config -d 0.5 -r; sleep 30"
	see "the dashboard starts" "namespaces "
	keys 1 / "$ctr2" Enter
	see "the detail pane: pressure some and full" "psi avg10/avg60  some cpu "
	see "the detail pane: the effective memory limit and who sets it" "effective memory 64M from $CG_PATH_memory"
	see "the effective CPU limit and who sets it" "cpu 30.0% from $CG_PATH_cpu"
	see "the effective pids limit and who sets it" "pids 50 from $CG_PATH_pids"
	see "the working set beside the memory.stat lines" "wset "
	see "memory.min, memory.low, cpu.weight, the cpuset" "memory.min "
	tmux_stop
	"$NSTOP" rm -f "$ctr2" --audit-log "$L" >/dev/null 2>&1
else
	skip "effective limits: $CG_WHY"
fi

# ---- the working set against docker stats (which subtracts inactive file) ----
if docker_up; then
	dk_run dkid "$DOCKER_IMAGE" \
		sh -c 'dd if=/dev/urandom of=/cache.dat bs=1M count=32 2>/dev/null; sleep 1000' ||
		notok "docker run failed"
	sleep 3
	# docker stats: "12.5MiB / 1.9GiB"
	dstat() { dk stats --no-stream --format '{{.MemUsage}}' "$dkid" | awk '{ v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
		m = u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : u == "kB" ? 1000 : u == "MB" ? 1e6 : u == "GB" ? 1e9 : 1
		printf "%d\n", v * m }'; }
	# the page lists move (aging turns inactive file pages active and back),
	# so nstop's is read between two of docker's: within 5 % of the nearer
	# one, in one of up to five tries
	agree=1
	for try in 1 2 3 4 5; do
		du1=$(dstat)
		nw=$("$NSTOP" containers -J | jq -r --arg i "$dkid" '.containers[] | select(.id == $i) | .memory_working_set_bytes')
		du2=$(dstat)
		echo "# try $try: docker stats $du1 then $du2 bytes; nstop WSET $nw between"
		if near "$nw" "$du1" 5 || near "$nw" "$du2" 5; then agree=0; break; fi
		sleep 1
	done
	check "WSET agrees with docker stats' usage within 5 % ($nw, $du1..$du2)" test $agree = 0
	dk rm -f "$dkid" >/dev/null 2>&1
	docker_down
else
	skip "working set vs docker stats: $DOCKER_WHY"
fi
echo "1..$n"
