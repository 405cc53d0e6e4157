#!/bin/bash
# Golden outputs of the listings over fixture sysroots (pure v2 captured from
# a real kernel, hand-built v1 and hybrid trees), plus assertions on the
# figures that matter, so a parser change cannot slip through a golden update.
# UPDATE_GOLDEN=1 rewrites tests/expected/.
. "$TOP/tests/lib.sh"
exp=$TOP/tests/expected
mkdir -p "$exp"

golden() { # golden NAME LAYOUT ARGS...
	local name=$1 layout=$2; shift 2
	local got
	# the fixtures' location is the checkout's: not part of the golden
	got=$("$NSTOP" --sysroot "$FIXTURES/$layout" "$@" 2>&1 | sed "s#$FIXTURES#@FIXTURES@#g")
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		printf '%s\n' "$got" >"$exp/$layout-$name"
	fi
	if [ ! -f "$exp/$layout-$name" ]; then
		notok "$layout $name: no golden file"
	elif diff -u "$exp/$layout-$name" <(printf '%s\n' "$got") >/tmp/nstop-diff.$$; then
		ok "$layout $name matches its golden output"
	else
		notok "$layout $name differs from its golden output"
		head -20 /tmp/nstop-diff.$$ | sed 's/^/#   /'
	fi
	rm -f /tmp/nstop-diff.$$
}

if ! need_root; then
	skip "fixture goldens: restoring /proc/PID owners in the fixtures needs root"
	exit 0
fi

for l in v2 v1 hybrid; do
	golden ns.txt $l ns
	golden ns.json $l ns -J
	golden ns-list.txt $l ns -l -o NS,TYPE,NPROCS,PID,PPID,UID,USER,HOST,COMMAND
	golden cgroups.txt $l cgroups -d 0
	golden cgroups.json $l cgroups -d 0 -J
	golden ps.txt $l ps -o PID,PPID,USER,S,NLWP,TIME,RSS,PIDNS,NETNS,CGROUP,CGROUP_MEM,COMM,COMMAND
	golden ps.json $l ps -J
	golden snapshot.json $l snapshot --json
	golden containers.txt $l containers -d 0 -o +POD,CGROUP
	golden containers.json $l containers -d 0 -J
done

# Every JSON document parses.
for l in v2 v1 hybrid; do
	for args in "ns -J" "ns -J --tree owner" "ns -J --tree parent" "ns -J -l" "cgroups -J -d 0" "ps -J" "snapshot --json"; do
		# shellcheck disable=SC2086
		check "$l $args is valid JSON" bash -c "\"$NSTOP\" --sysroot \"$FIXTURES/$l\" $args | jq -e . >/dev/null"
	done
done

cg() { # cg LAYOUT PATH KEY -> value
	"$NSTOP" --sysroot "$FIXTURES/$1" cgroups -d 0 -J |
		jq -r --arg p "$2" --arg k "$3" '.cgroups[] | select(.path == $p) | .[$k] | tostring'
}
is() { # is DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else notok "$1: got '$2', want '$3'"; fi
}

D=/system.slice/docker-86d597eb6f0a47dbd9186dcfd319749b18415e90cde4810c6fc4126d077ac37b.scope
A=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod72faa904_853e_45a0_a71b_21c398836711.slice/cri-containerd-688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d.scope
is "v2 layout" "$("$NSTOP" --sysroot "$FIXTURES/v2" snapshot --json | jq -r .cgroup_layout)" v2
is "v2 docker cpu.max 50000 100000 -> cpu_limit_percent" "$(cg v2 $D cpu_limit_percent)" 50
is "v2 docker nr_throttled" "$(cg v2 $D nr_throttled)" 362
is "v2 docker nr_periods" "$(cg v2 $D nr_periods)" 366
is "v2 docker io.stat rbytes" "$(cg v2 $D io_read_bytes)" 9437184
is "v2 docker io.stat wbytes" "$(cg v2 $D io_write_bytes)" 2097152
is "v2 docker nprocs" "$(cg v2 $D nprocs)" 2
is "v2 docker memory_limit_bytes (max)" "$(cg v2 $D memory_limit_bytes)" null
is "v2 k8s app memory.max 64M" "$(cg v2 $A memory_limit_bytes)" 67108864
is "v2 k8s app cpu.max 200000 100000" "$(cg v2 $A cpu_limit_percent)" 200
is "v2 kubepods.slice memory.max" "$(cg v2 /kubepods.slice memory_limit_bytes)" 805306368
is "v2 /nstop/db frozen" "$(cg v2 /nstop/db frozen)" true
is "v2 /nstop/web frozen" "$(cg v2 /nstop/web frozen)" false
is "v2 /nstop/batch oom_kills" "$(cg v2 /nstop/batch oom_kills)" 1
is "v2 /nstop/web pids_limit" "$(cg v2 /nstop/web pids_limit)" 20
is "v2 /nstop/web memory_anon_bytes" "$(cg v2 /nstop/web memory_anon_bytes)" 204800
is "v2 root has no memory.current: null, not 0" "$(cg v2 / memory_bytes)" null
is "v2 root has no cgroup.freeze: frozen null" "$(cg v2 / frozen)" null
is "v2 root nprocs (kernel threads)" "$(cg v2 / nprocs)" 52
is "v2 /nstop nprocs_recursive" "$(cg v2 /nstop nprocs_recursive)" 7
is "v2 cgroup count (root + 32)" "$("$NSTOP" --sysroot "$FIXTURES/v2" cgroups -d 0 -J | jq '.cgroups | length')" 33
is "v2 psi of the docker scope" "$(cg v2 $D psi_cpu_some_avg10 | grep -c '^[0-9.]*$')" 1
is "v2 version" "$(cg v2 $D version)" 2
P=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod72faa904_853e_45a0_a71b_21c398836711.slice
is "v2 WSET: memory.current - inactive_file (0 in the capture)" "$(cg v2 $D memory_working_set_bytes)" "$(cg v2 $D memory_bytes)"
is "v2 kernel memory from memory.stat" "$(cg v2 $D memory_kernel_bytes)" "$(awk '$1 == "kernel" { print $2 }' "$FIXTURES/v2/sys/fs/cgroup$D/memory.stat")"
is "v2 sock from memory.stat" "$(cg v2 $D memory_sock_bytes)" "$(awk '$1 == "sock" { print $2 }' "$FIXTURES/v2/sys/fs/cgroup$D/memory.stat")"
is "v2 a pod's container without a limit: effective memory limit kubepods.slice's" "$(cg v2 $P/cri-containerd-e8e63bc00833502988ea232186eda5d2b5d67242c07127013688a3d24bfd92a8.scope effective_memory_limit_bytes)" 805306368
is "v2 set by kubepods.slice" "$(cg v2 $P/cri-containerd-e8e63bc00833502988ea232186eda5d2b5d67242c07127013688a3d24bfd92a8.scope effective_memory_limit_from)" /kubepods.slice
is "v2 one with its own tighter limit: its own" "$(cg v2 $A effective_memory_limit_from)" $A
is "v2 its headroom: the least limit minus usage on the path" "$(cg v2 $A memory_headroom_bytes)" $((67108864 - $(cat "$FIXTURES/v2/sys/fs/cgroup$A/memory.current")))
is "v2 effective CPU limit" "$(cg v2 $A effective_cpu_limit_percent)" 200
is "v2 cpu.pressure full avg10" "$(cg v2 $D psi_cpu_full_avg10)" 25.09
is "v2 cpu.pressure full total" "$(cg v2 $D psi_cpu_full_total_usec)" 10683217
is "v2 cpu.pressure some avg60" "$(cg v2 $D psi_cpu_some_avg60)" 12.47
is "v2 io.pressure some total" "$(cg v2 $D psi_io_some_total_usec)" 116847
is "v2 memory.events max" "$(cg v2 /nstop/batch memory_events_max)" 36
is "v2 memory.events oom" "$(cg v2 /nstop/batch memory_events_oom)" 1
is "v2 cpu.weight" "$(cg v2 $D cpu_weight)" 100
is "v2 memory.min" "$(cg v2 $D memory_min_bytes)" 0
is "v2 the root's cpuset.cpus.effective" "$(cg v2 / cpuset_cpus_effective)" "$(cat "$FIXTURES/v2/sys/fs/cgroup/cpuset.cpus.effective")"
is "v2 no cpuset controller below the root: null" "$(cg v2 $D cpuset_cpus_effective)" null

V1D=/docker/3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081
V1F=/system.slice/docker-9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9.scope
is "v1 layout" "$("$NSTOP" --sysroot "$FIXTURES/v1" snapshot --json | jq -r .cgroup_layout)" v1
is "v1 cfs_quota_us/cfs_period_us -> cpu_limit_percent" "$(cg v1 $V1D cpu_limit_percent)" 50
is "v1 cfs_quota_us -1 -> null" "$(cg v1 /system.slice cpu_limit_percent)" null
is "v1 limit_in_bytes" "$(cg v1 $V1D memory_limit_bytes)" 268435456
is "v1 unlimited sentinel -> null" "$(cg v1 /system.slice memory_limit_bytes)" null
is "v1 cpuacct.usage ns -> usec" "$(cg v1 $V1D cpu_usage_usec)" 25400000
is "v1 throttled_time ns -> usec" "$(cg v1 $V1D throttled_usec)" 95000000
is "v1 nr_throttled" "$(cg v1 $V1D nr_throttled)" 800
is "v1 rss -> anon" "$(cg v1 $V1D memory_anon_bytes)" 50000000
is "v1 memsw - usage -> swap" "$(cg v1 $V1D swap_bytes)" 2000000
is "v1 blkio read" "$(cg v1 $V1D io_read_bytes)" 9437184
is "v1 freezer FROZEN" "$(cg v1 $V1F frozen)" true
is "v1 freezer THAWED" "$(cg v1 $V1D frozen)" false
is "v1 oom_control oom_kill" "$(cg v1 /kubepods/burstable/pod5f3c1d2e-8a7b-4c6d-9e0f-1a2b3c4d5e6f/0b1c2d3e4f5a69788796a5b4c3d2e1f00b1c2d3e4f5a69788796a5b4c3d2e1f0 oom_kills)" 3
is "v1 pids.max" "$(cg v1 $V1D pids_limit)" 100
is "v1 pids.max max -> null" "$(cg v1 /system.slice/docker.service pids_limit)" null
is "v1 no PSI -> null" "$(cg v1 $V1D psi_cpu_some_avg10)" null
is "v1 no memory.high -> null" "$(cg v1 $V1D memory_high_bytes)" null
is "v1 root nprocs: 0:: line not counted on pure v1" "$(cg v1 / nprocs)" 4
is "v1 version" "$(cg v1 $V1D version)" 1
is "v1 WSET: usage_in_bytes - total_inactive_file" "$(cg v1 $V1D memory_working_set_bytes)" 56000000
is "v1 WSET% of the effective limit" "$(cg v1 $V1D memory_working_set_percent)" 20.9
is "v1 inactive file" "$(cg v1 $V1D memory_inactive_file_bytes)" 4000000
is "v1 has no kernel line: null" "$(cg v1 $V1D memory_kernel_bytes)" null
is "v1: no PSI full, no memory.events: null" "$(cg v1 $V1D psi_cpu_full_avg10) $(cg v1 $V1D memory_events_max)" "null null"
is "v1 effective memory limit is its own" "$(cg v1 $V1D effective_memory_limit_from)" $V1D
is "v1 systemd escape kept raw in JSON" "$(cg v1 '/system.slice/systemd-fsck@dev-disk-by\x2duuid-1234\x2dabcd.service' nprocs)" 1

is "hybrid layout" "$("$NSTOP" --sysroot "$FIXTURES/hybrid" snapshot --json | jq -r .cgroup_layout)" hybrid
is "hybrid cpuacct wins over unified cpu.stat" "$(cg hybrid $V1D cpu_usage_usec)" 25400000
is "hybrid PSI from the unified tree" "$(cg hybrid $V1D psi_cpu_some_avg10)" 12.5
is "hybrid v1 freezer wins" "$(cg hybrid $V1F frozen)" true
is "hybrid unified flag" "$(cg hybrid $V1D unified)" true
is "hybrid version of a v1 path" "$(cg hybrid $V1D version)" 1
is "hybrid root nprocs counts each process once" "$(cg hybrid / nprocs)" 4

ns() { "$NSTOP" --sysroot "$FIXTURES/$1" ns -l -J -o ns,type,nprocs,pid,user,command | jq -r --arg t "$2" --argjson i "$3" '.namespaces[] | select(.ns == $i) | .[$t] | tostring'; }
is "v2 docker pid ns holds 2 processes" "$(ns v2 nprocs 4026532139)" 2
is "v2 docker pid ns lowest pid" "$(ns v2 pid 4026532139)" 343
is "v2 rootless podman userns owner from etc/passwd" "$(ns v2 user 4026532250)" alice
is "v2 namespace count" "$("$NSTOP" --sysroot "$FIXTURES/v2" ns -l -J | jq '.namespaces | length')" 51
is "v2 init net ns count" "$(ns v2 nprocs 4026531840)" 60
is "v2 time ns of /nstop/web" "$(ns v2 pid 4026532478)" 406

# Hostile names in a fixture: escaped in text and JSON alike.
out=$("$NSTOP" --sysroot "$FIXTURES/v1" ps -o PID,COMM,COMMAND)
check "v1 hostile comm is escaped in text" grep -qF '1020 \x1b]0;pwned\x07\x1b[2J evil\x1b[31mred\xff\xfe arg\x9bx' <<<"$out"
check "text output holds no raw ESC" bash -c '! grep -q $'"'"'\x1b'"'"' <<<"$1"' _ "$out"
v=$("$NSTOP" --sysroot "$FIXTURES/v1" ps -J | jq -r '.processes[] | select(.pid == 1020) | .command')
is "JSON value decodes to the escaped text" "$v" 'evil\x1b[31mred\xff\xfe arg\x9bx'

# containers recognised across runtimes
ct() { "$NSTOP" --sysroot "$FIXTURES/$1" containers -d 0 -J | jq -r --arg i "$2" --arg k "$3" '.containers[] | select(.id == $i) | .[$k] | tostring'; }
H=86d597eb6f0a47dbd9186dcfd319749b18415e90cde4810c6fc4126d077ac37b
is "v2 docker scope is a docker container" "$(ct v2 $H runtime)" docker
is "v2 docker init is the container's pid 1" "$(ct v2 $H pid)" 343
is "v2 docker short id" "$(ct v2 $H short_id)" 86d597eb6f0a
is "v2 docker cpu limit through its cgroup" "$(ct v2 $H cpu_limit_percent)" 50
is "v2 k8s pod from /var/log/pods" "$(ct v2 688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d pod)" default/web-7d4b9
is "v2 rootless podman has a user namespace" "$(ct v2 fccbef23dfa8bc956b6acb3fe49366d968e758607126f7fb0cb36c70c14ff954 own_namespaces)" ipc,mnt,net,pid,user,uts
is "v2 nspawn machine, init in payload" "$(ct v2 demo pid)" 385
is "v2 lxc payload" "$(ct v2 web runtime | sort -u | tr '\n' ' ')" "lxc nstop "
is "v2 frozen nstop container" "$(ct v2 db state)" frozen
is "v2 container count" "$("$NSTOP" --sysroot "$FIXTURES/v2" containers -d 0 -J | jq '.containers | length')" 9
is "v1 docker name from config.v2.json" "$(ct v1 3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081 name)" web-nginx
is "v1 cgroupfs kubepods container" "$(ct v1 0b1c2d3e4f5a69788796a5b4c3d2e1f00b1c2d3e4f5a69788796a5b4c3d2e1f0 pod)" shop/cart-6f7d8
is "v1 unshare --fork --pid sandbox is an unnamed container" "$(ct v1 pidns:4026532230 pid)" 1011
is "v1 its label is its init's command" "$(ct v1 pidns:4026532230 name)" sh
is "v1 frozen docker (freezer)" "$(ct v1 9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9 state)" frozen
# frozen through the unified tree (as nstop freeze does on hybrid hosts)
# while freezer.state says THAWED (hand-set in the hybrid tree): frozen
# wherever either says so
is "hybrid unified cgroup.events frozen 1, freezer.state THAWED" "$(cg hybrid /lxc.payload.web frozen)" true
is "hybrid: that container's state" "$(ct hybrid web state)" frozen
is "hybrid: a container thawed in both" "$(ct hybrid 3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081 state)" running

# ps filters
is "ps --ns lists the members of a namespace" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps --ns 4026532139 -H -o PID | tr -d ' \n')" 343368
is "ps --cgroup lists the members of a cgroup" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps --cgroup /nstop/db -H -o PID | tr -d ' \n')" 434438441
is "ps PID@START" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps -J -o pid_start | jq -r '.processes[] | select(.pid_start | startswith("343@")) | .pid_start')" 343@754
is "ps NSpid of a container process" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps -J -o pid,pid_in_ns | jq -r '.processes[] | select(.pid == 368) | .pid_in_ns')" 5
is "ps NSpid of a host process is its pid" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps -J -o pid,pid_in_ns | jq -r '.processes[] | select(.pid == 329) | .pid_in_ns')" 329
is "ps kernel thread flag" "$("$NSTOP" --sysroot "$FIXTURES/v2" ps -J -o pid,kthread | jq -r '.processes[] | select(.pid == 2) | .kthread')" true
is "snapshot host totals are live-only" "$("$NSTOP" --sysroot "$FIXTURES/v2" snapshot --json | jq -r .host)" null
is "snapshot host namespaces are pid 2's" "$("$NSTOP" --sysroot "$FIXTURES/v2" snapshot --json | jq -r .host_namespaces.pid)" 4026531836
is "snapshot per-process cgroup lines" "$("$NSTOP" --sysroot "$FIXTURES/hybrid" snapshot --json | jq -r '.processes[] | select(.pid == 631) | .cgroups.memory')" $V1D
echo "1..$n"
