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
	golden cgroups.txt $l cgroups --depth all -d 0
	golden cgroups.json $l cgroups --depth all -d 0 -J
	golden ps.txt $l ps -o PID,PPID,USER,S,NLWP,TIME,RSS,PIDNS,NETNS,CGROUP,CGROUP_MEM,COMM,COMMAND
	golden ps.json $l ps -J
	golden snapshot.json $l snapshot --json
	golden containers.txt $l containers -d 0 -o +POD,CGROUP
	golden containers.json $l containers -d 0 -J
done

# Every JSON document parses.
for l in v2 v1 hybrid; do
	for args in "ns -J" "ns -J --tree owner" "ns -J --tree parent" "ns -J -l" "cgroups --depth all -J -d 0" "ps -J" "snapshot --json"; do
		# shellcheck disable=SC2086
		check "$l $args is valid JSON" bash -c "\"$NSTOP\" --sysroot \"$FIXTURES/$l\" $args | jq -e . >/dev/null"
	done
done

cg() { # cg LAYOUT PATH KEY -> value
	"$NSTOP" --sysroot "$FIXTURES/$1" cgroups --depth all -d 0 -J |
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
is "v2 cgroup count (root + 32)" "$("$NSTOP" --sysroot "$FIXTURES/v2" cgroups --depth all -d 0 -J | jq '.cgroups | length')" 33
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
# pids wrap (at 32768 by default): a child the init started after the wrap
# has a lower pid, and it is not the init (the first started one is)
tw=$(mktemp -d); cp -a "$FIXTURES/v2" "$tw/"; cp -a "$tw/v2/proc/343" "$tw/v2/proc/100"
awk '{ $1 = 100; $4 = 343; $22 = 900; print }' "$FIXTURES/v2/proc/343/stat" >"$tw/v2/proc/100/stat"
sed 's/^Pid:.*/Pid:\t100/; s/^PPid:.*/PPid:\t343/; s/^NSpid:.*/NSpid:\t100\t2/' "$FIXTURES/v2/proc/343/status" >"$tw/v2/proc/100/status"
is "v2 docker init after a pid wrap: the first started (343), not a later child's lower pid (100)" \
	"$("$NSTOP" --sysroot "$tw/v2" containers -d 0 -J | jq -r --arg i $H '.containers[] | select(.id == $i) | .pid')" 343
rm -rf "$tw"
is "v2 docker cpu limit through its cgroup" "$(ct v2 $H cpu_limit_percent)" 50
is "v2 k8s pod from /var/log/pods" "$(ct v2 688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d pod)" web-7d4b9
is "v2 k8s pod namespace from /var/log/pods" "$(ct v2 688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d pod_namespace)" default
is "v2 k8s pod uid from the cgroup path" "$(ct v2 688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d pod_uid)" 72faa904-853e-45a0-a71b-21c398836711
is "v2 rootless podman has a user namespace" "$(ct v2 fccbef23dfa8bc956b6acb3fe49366d968e758607126f7fb0cb36c70c14ff954 own_namespaces)" ipc,mnt,net,pid,user,uts
is "v2 nspawn machine, init in payload" "$(ct v2 demo pid)" 385
is "v2 lxc payload" "$(ct v2 web runtime | sort -u | tr '\n' ' ')" "lxc nstop "
is "v2 frozen nstop container" "$(ct v2 db state)" frozen
is "v2 container count" "$("$NSTOP" --sysroot "$FIXTURES/v2" containers -d 0 -J | jq '.containers | length')" 9
is "v1 docker name from config.v2.json" "$(ct v1 3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081 name)" web-nginx
is "v1 cgroupfs kubepods container" "$(ct v1 0b1c2d3e4f5a69788796a5b4c3d2e1f00b1c2d3e4f5a69788796a5b4c3d2e1f0 pod)" cart-6f7d8
is "v1 cgroupfs kubepods container's namespace" "$(ct v1 0b1c2d3e4f5a69788796a5b4c3d2e1f00b1c2d3e4f5a69788796a5b4c3d2e1f0 pod_namespace)" shop
is "v1 unshare --fork --pid sandbox is an unnamed container" "$(ct v1 pidns:4026532230 pid)" 1011
is "v1 its label is its init's command" "$(ct v1 pidns:4026532230 name)" sh
is "v1 frozen docker (freezer)" "$(ct v1 9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9 state)" frozen
# frozen through the unified tree (as nstop freeze does on hybrid hosts)
# while freezer.state says THAWED (hand-set in the hybrid tree): frozen
# wherever either says so
is "hybrid unified cgroup.events frozen 1, freezer.state THAWED" "$(cg hybrid /lxc.payload.web frozen)" true
is "hybrid: that container's state" "$(ct hybrid web state)" frozen
is "hybrid: a container thawed in both" "$(ct hybrid 3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081 state)" running

# Kubernetes, nerdctl, rootless Podman, LXC and nspawn names from the
# runtimes' own files (tests/fixtures/make-pods.py lays them out)
golden containers.txt pods containers -d 0 -o NAME,RUNTIME,ID,NAMESPACE,POD,IMAGE,INIT,PROCS,MEM_LIMIT,EFF_MEM_LIMIT,NOTES
golden containers.json pods containers -d 0 -J
NG=b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2
EV=c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3
PG=e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5
RL=0718071807180718071807180718071807180718071807180718071807180718
is "containerd: name from io.kubernetes.cri.container-name" "$(ct pods $NG name)" nginx
is "containerd: image from io.kubernetes.cri.image-name" "$(ct pods $NG image)" docker.io/library/nginx:1.25.3
is "containerd: pod, namespace, uid from the sandbox annotations" "$(ct pods $NG pod) $(ct pods $NG pod_namespace) $(ct pods $NG pod_uid)" "web-5d9c7 shop 3b1f8a2c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
is "containerd: the pod's sandbox marked, named by its pod" "$(ct pods a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1 notes) $(ct pods a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1 name)" "sandbox,netns-shared shop/web-5d9c7"
is "cri-o: name from io.kubernetes.container.name" "$(ct pods $PG name)" postgres
is "cri-o: image from io.kubernetes.cri-o.ImageName" "$(ct pods $PG image)" docker.io/library/postgres:16
is "cri-o: pod and namespace from io.kubernetes.pod.*" "$(ct pods $PG pod) $(ct pods $PG pod_namespace)" "db-0 data"
is "nerdctl: name from nerdctl/name, a containerd container" "$(ct pods f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6 name) $(ct pods f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6 runtime)" "redis containerd"
is "rootless podman: name and image from bob's containers.json" "$(ct pods $RL name) $(ct pods $RL image)" "nightly-job docker.io/library/alpine:3.19"
is "lxc and nspawn names" "$(ct pods web name) $(ct pods demo name)" "web demo"
is "the sidecar's own memory limit is 512M" "$(ct pods $EV memory_limit_bytes)" 536870912
is "... but its pod's 256M binds first" "$(ct pods $EV effective_memory_limit_bytes)" 268435456
is "... set by the pod slice" "$(ct pods $EV effective_memory_limit_from)" /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f8a2c_5d6e_4f70_8a9b_0c1d2e3f4a5b.slice
is "a container of the pod without its own limit: the pod's" "$(ct pods $NG effective_memory_limit_bytes)" 268435456
# a pod's containers share its sandbox's network namespace: marked, and its
# traffic counted on the sandbox's row alone
is "the pod's three containers share one network namespace" "$(ct pods $NG netns_shared) $(ct pods $EV netns_shared)" "3 3"
is "... counted on the sandbox's row" "$(ct pods $NG net_counted_by)" a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
is "a container alone in its namespace is not marked" "$(ct pods f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6 netns_shared)" null
is "v2 capture: the pod's pause (lowest init pid) counts it" "$(ct v2 688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d net_counted_by)" e8e63bc00833502988ea232186eda5d2b5d67242c07127013688a3d24bfd92a8
golden containers-by-pod.txt pods containers -d 0 --by-pod
is "--by-pod: each pod's row, its sandbox, then its containers, then the rest" "$("$NSTOP" --sysroot "$FIXTURES/pods" containers -d 0 --by-pod -H -o NAME,NOTES | awk '{ print $1 ($2 ~ /^pod/ ? "(pod)" : "") }' | tr -s ' \n' ' ')" "data/db-0(pod) data/db-0 postgres shop/web-5d9c7(pod) shop/web-5d9c7 nginx envoy web demo redis nightly-job "
# the pod's row: its cgroup's figures (kubelet's pod slice), its
# containers' processes summed
"$NSTOP" --sysroot "$FIXTURES/pods" containers -d 0 --by-pod -J >/tmp/nstop-pod.$$
podrow() { jq -r --arg u "$1" --arg k "$2" '.containers[] | select(.notes | startswith("pod")) | select(.pod_uid == $u) | .[$k] | tostring' /tmp/nstop-pod.$$; }
PS=$FIXTURES/pods/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f8a2c_5d6e_4f70_8a9b_0c1d2e3f4a5b.slice
is "--by-pod: the pod's row has its containers' processes (1 + 2 + 1)" "$(podrow 3b1f8a2c-5d6e-4f70-8a9b-0c1d2e3f4a5b nprocs)" 4
is "... the pod slice's memory.current" "$(podrow 3b1f8a2c-5d6e-4f70-8a9b-0c1d2e3f4a5b memory_bytes)" "$(cat "$PS/memory.current")"
is "... its 256M limit" "$(podrow 3b1f8a2c-5d6e-4f70-8a9b-0c1d2e3f4a5b memory_limit_bytes)" 268435456
is "... one pod row per pod" "$(jq '[.containers[] | select(.notes | startswith("pod"))] | length' /tmp/nstop-pod.$$)" 2
is "without --by-pod no pod row" "$("$NSTOP" --sysroot "$FIXTURES/pods" containers -d 0 -J | jq '[.containers[] | select(.notes | startswith("pod"))] | length')" 0
rm -f /tmp/nstop-pod.$$
# a rootless user's storage that someone else could have written, or reached
# through a link, is not read: the name falls back to the command
tp=$(mktemp -d); cp -a "$FIXTURES/pods" "$tp/"
chmod g+w "$tp/pods/home/bob/.local/share/containers/storage/overlay-containers/containers.json"
is "rootless: a group-writable containers.json is not read" "$("$NSTOP" --sysroot "$tp/pods" containers -J | jq -r --arg i $RL '.containers[] | select(.id == $i) | .name')" sleep
chmod g-w "$tp/pods/home/bob/.local/share/containers/storage/overlay-containers/containers.json"
mv "$tp/pods/home/bob/.local" "$tp/pods/home/bob/elsewhere"; ln -s elsewhere "$tp/pods/home/bob/.local"
is "rootless: a symbolic link on the way is not followed" "$("$NSTOP" --sysroot "$tp/pods" containers -J | jq -r --arg i $RL '.containers[] | select(.id == $i) | .name')" sleep
rm -rf "$tp"

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

# Kubernetes CRI log files (tests/fixtures/crilogs): the container found by
# kubelet's /var/log/containers link, rotated files first, in order, a P
# line joined across the rotation with its F, the compressed one left out
lg() { "$NSTOP" --sysroot "$FIXTURES/v2" logs "$@"; }
is "cri logs: stdout's records, rotated files first, in order" \
	"$(lg 688ba79aed67 2>/dev/null | tr '\n' '|')" 'first-rotated-line|second-rotated-line|live-line-1|evil \x1b]2;pwned\x07|live-line-3|'
is "cri logs: a P line joined across the rotation, on stderr, a note for the .gz" \
	"$(lg 688ba79aed67 2>&1 >/dev/null | tr '\n' '|')" \
	'nstop: logs: note: 1 compressed rotated file left out (zcat /var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log.*.gz)|joined-across-rotation|'
is "cri logs: --tail 4 -t across the files, stream order kept" "$(lg --tail 4 -t 688ba 2>&1 | grep -v note | tr '\n' '|')" \
	'2026-12-03T10:00:01.000000000Z joined-across-rotation|2026-12-03T10:00:03.000000000Z live-line-1|2026-12-03T10:00:04.000000000Z evil \x1b]2;pwned\x07|2026-12-03T10:00:05.000000000Z live-line-3|'
is "cri logs: --since keeps a joined record by its first piece's time" \
	"$(lg --since 2026-12-03T10:00:00.5Z 688ba 2>&1 | grep -v note | tr '\n' '|')" \
	'joined-across-rotation|live-line-1|evil \x1b]2;pwned\x07|live-line-3|'
check "cri logs: the previous instance (0.log) and kubelet's .tmp are not read" \
	bash -c "! \"$NSTOP\" --sysroot \"$FIXTURES/v2\" logs 688ba 2>&1 | grep -e previous-instance -e 'not a log'"
out=$(lg e8e63bc00833 2>&1); rc=$?
is "cri logs: a container without kubelet's link: exit 1" "$rc" 1
is "cri logs: and says why" "$out" \
	"nstop: logs: kubernetes container e8e63bc00833: no kubelet link to its log in /var/log/containers (outside Kubernetes containerd keeps no log file)"
out=$(lg -f 688ba 2>&1); rc=$?
is "cri logs: -f on a --sysroot is bad usage (exit 2)" "$rc: $out" "2: nstop: logs: -f: a --sysroot does not grow"

# Column-driven reads (issue 16): a cgroups listing reads only the files its
# columns need, so each column listed alone must show exactly what the
# listing of every column shows (a column whose files were left out reads
# null, never a different figure).
cols=$("$NSTOP" cgroups --list-columns | awk '{ print $1 }')
for l in v2 v1 hybrid; do
	"$NSTOP" --sysroot "$FIXTURES/$l" cgroups --depth all -d 0 -J >/tmp/nstop-all.$$
	for c in $cols; do
		"$NSTOP" --sysroot "$FIXTURES/$l" cgroups --depth all -d 0 -J -o "PATH,$c"
	done >/tmp/nstop-one.$$
	bad=$(jq -rn --slurpfile a /tmp/nstop-all.$$ '$a[0].cgroups as $all | inputs |
		(.cgroups[0] | keys) as $k |
		select([$all[] | with_entries(select(.key as $x | $k | index($x)))] != .cgroups) |
		$k - ["path"] | join(",")' /tmp/nstop-one.$$ | tr '\n' ' ')
	n1=$(jq -n '[inputs] | length' /tmp/nstop-one.$$)
	check "$l: each of the $n1 cgroups columns alone reads the full listing's figures${bad:+ (differ: $bad)}" \
		test -z "$bad" -a "$n1" = "$(echo "$cols" | wc -l)"
	rm -f /tmp/nstop-all.$$ /tmp/nstop-one.$$
done

# The listing's default depth is systemd-cgtop's, 3: the rows of the
# whole tree's listing down to depth 3, every figure the same (PROCS_ALL
# counts what is beneath; the roots' processes are read directly).
for l in v2 v1 hybrid; do
	d=$(jq -rn --slurpfile a <("$NSTOP" --sysroot "$FIXTURES/$l" cgroups --depth all -d 0 -J) \
		--slurpfile b <("$NSTOP" --sysroot "$FIXTURES/$l" cgroups -d 0 -J) \
		'[$a[0].cgroups[] | select((.path | split("/") | map(select(. != "")) | length) <= 3)] as $w |
		 if $w == $b[0].cgroups then "same \($w | length)" else "differ" end')
	n3=$(jq '[.cgroups[] | select((.path | split("/") | map(select(. != "")) | length) <= 3)] | length' \
		<("$NSTOP" --sysroot "$FIXTURES/$l" cgroups --depth all -d 0 -J))
	is "$l: the default listing is the whole tree's down to depth 3" "$d" "same $n3"
done

# A hierarchy with no cgroup beneath its root holds every process in its
# root (a hybrid host's unused blkio): a --depth listing counts the root
# row's processes from that one read, the whole tree's by elimination.
sr=$(mktemp -d /tmp/nstop-fx.XXXXXX)
trap 'rm -rf "$sr"' EXIT
cp -a "$FIXTURES/hybrid/." "$sr/"
bk=$sr/sys/fs/cgroup/blkio
find "$bk" -mindepth 1 -type d -prune -exec rm -rf {} +
find "$sr/sys/fs/cgroup/cpu,cpuacct" -name cgroup.procs -exec cat {} + | sort -un >"$bk/cgroup.procs"
all=$(wc -l <"$bk/cgroup.procs")
rootp() { "$NSTOP" --sysroot "$sr" cgroups -d 0 -J "$@" | jq -r '.cgroups[] | select(.path == "/") | "\(.nprocs) \(.nprocs_recursive)"'; }
is "a childless blkio root: the root row at --depth 1 has every process" "$(rootp --depth 1 -o PATH,PROCS)" "$all null"
is "... at the default depth" "$(rootp -o PATH,PROCS)" "$all null"
is "... with PROCS_ALL (read beneath the rows)" "$(rootp -o PATH,PROCS,PROCS_ALL)" "$all $all"
is "... and in the whole tree" "$(rootp --depth all -o PATH,PROCS,PROCS_ALL)" "$all $all"
is "... and rows beneath count as in the whole tree" \
	"$("$NSTOP" --sysroot "$sr" cgroups -d 0 -J -o PATH,PROCS | jq -c '[.cgroups[] | select(.path != "/")]')" \
	"$("$NSTOP" --sysroot "$sr" cgroups --depth all -d 0 -J -o PATH,PROCS | jq -c '[.cgroups[] | select(.path != "/" and ((.path | split("/") | length) <= 4))]')"
# Only a hierarchy mounted from the root cgroup holds every process: one
# mounted from /system.slice (a cgroup namespace's view) holds only that
# one's, and the others place more there (attacker's review: such a root
# took the row over, 8 where 9 are). Pid 2 moves from the roots to
# /system.slice in every other hierarchy.
sr2=$(mktemp -d /tmp/nstop-fx.XXXXXX)
trap 'rm -rf "$sr" "$sr2"' EXIT
cp -a "$FIXTURES/hybrid/." "$sr2/"
sed -i 's#^\(31 24 0:31\) / /sys/fs/cgroup/blkio #\1 /system.slice /sys/fs/cgroup/blkio #' "$sr2/proc/self/mountinfo"
bk=$sr2/sys/fs/cgroup/blkio
find "$sr2/sys/fs/cgroup/cpu,cpuacct/system.slice" -name cgroup.procs -exec cat {} + | sort -un >"$sr2/ss"
find "$bk" -mindepth 1 -type d -prune -exec rm -rf {} +
cp "$sr2/ss" "$bk/cgroup.procs"
for h in "$sr2"/sys/fs/cgroup/*/; do
	[ "$h" = "$bk/" ] || ! grep -qx 2 "$h/cgroup.procs" || ! [ -d "$h/system.slice" ] && continue
	grep -vx 2 "$h/cgroup.procs" >"$sr2/t"; cat "$sr2/t" >"$h/cgroup.procs"
	echo 2 >>"$h/system.slice/cgroup.procs"
done
want=$( (cat "$sr2/ss"; echo 2) | sort -un | wc -l)
is "blkio mounted from /system.slice, with no cgroup beneath: the row /system.slice at --depth 1 has its processes and the others' there" \
	"$("$NSTOP" --sysroot "$sr2" cgroups -d 0 -J --depth 1 -o PATH,PROCS | jq -r '.cgroups[] | select(.path == "/system.slice") | .nprocs')" "$want"
# over the whole tree that root is read too: whoever is in none of blkio's
# cgroups is outside /system.slice, not in it (it had every process, 26)
is "... and over the whole tree" \
	"$("$NSTOP" --sysroot "$sr2" cgroups -d 0 -J --depth all -o PATH,PROCS | jq -r '.cgroups[] | select(.path == "/system.slice") | .nprocs')" "$want"

# A process listed in a cgroup beneath and in the root (it moved while the
# lists were read) counts where the walk saw it, whatever the depth and
# columns (attacker's review: over the whole tree, or with PROCS_ALL, the
# root read after the walk took it to the root).
sr3=$(mktemp -d /tmp/nstop-fx.XXXXXX)
trap 'rm -rf "$sr" "$sr2" "$sr3"' EXIT
cp -a "$FIXTURES/v2/." "$sr3/"
mv1=$(cat "$sr3"/sys/fs/cgroup/*/cgroup.procs | head -1)
echo "$mv1" >>"$sr3/sys/fs/cgroup/cgroup.procs"
d1() { "$NSTOP" --sysroot "$sr3" cgroups -d 0 -J "$@" | jq -c '[.cgroups[] | select((.path | split("/") | map(select(. != "")) | length) <= 1) | [.path, .nprocs]]'; }
a=$(d1 --depth 1 -o PATH,PROCS)
check "pid $mv1 in a cgroup and in the root: PROCS the same at --depth 1 and over the whole tree, with PROCS_ALL or not" \
	test -n "$mv1" -a "$a" = "$(d1 --depth all -o PATH,PROCS)" -a "$a" = "$(d1 --depth 1 -o PATH,PROCS,PROCS_ALL)" -a "$a" = "$(d1 --depth all -o PATH,PROCS,PROCS_ALL)"

# A FIFO where a cgroup file should be (a --sysroot is anyone's tree) is
# read as empty, never waited on.
mkfifo "$sr2/fifo" && mv "$sr2/fifo" "$bk/cgroup.procs" && rm -f "$sr2/sys/fs/cgroup/unified/cgroup.procs" && mkfifo "$sr2/sys/fs/cgroup/unified/cgroup.procs"
for d in 1 all; do
	check "FIFOs as root cgroup.procs: cgroups --depth $d ends" timeout 20 "$NSTOP" --sysroot "$sr2" cgroups -d 0 --depth $d -o PATH,PROCS
done
echo "1..$n"
