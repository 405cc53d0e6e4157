#!/bin/bash
# nstop's own containers on the live kernel: create (host filesystem and
# --rootfs, every --net mode, a user namespace), what the kernel then shows
# from outside, what a command sees from inside through nstop enter (and
# what it is denied), logs, the registry in nstop containers, rm leaving
# nothing behind, bad input refused with nothing made, and injected failures
# undone. Containers live in a private registry (NSTOP_STATE_DIR) and in
# cgroups beneath the test's own; a trap removes everything.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "live create: making containers needs root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-create.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
names=()
v2root=$(cg_mnt "")
if [ -n "$v2root" ] && grep -qw cpu "$v2root/cgroup.controllers" 2>/dev/null; then
	mode=v2
	# the test's own cgroup holds processes: beneath a prepared one
	own2=$(cg_own "")
	par=${NSTOP_TEST_CGROUP:-$v2root${own2%/}}
	parent=${par#"$v2root"}/nstop-create-$$
else
	mode=v1
	parent=nstop-create-$$
fi
cleanup() {
	local nm v
	for nm in "${names[@]}"; do
		v=$(jq -r '.veth // empty' "$NSTOP_STATE_DIR/$nm/state.json" 2>/dev/null)
		"$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1
		[ -n "$v" ] && ip link del "$v" 2>/dev/null
	done
	# the parents nstop made beneath the test's own cgroups
	ctr_parent_rm "nstop-create-$$"
	grep -q "$tmp" /proc/self/mountinfo && umount -R "$tmp" 2>/dev/null
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
C() { "$NSTOP" "$@" --audit-log "$L"; }
mk() { # mk EXIT DESC NAME ARGS...: create, remembered for the cleanup
	local want=$1 d=$2 nm=$3; shift 3
	names+=("$nm")
	expect_exit "$want" "$d" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@"
}
inside() { "$NSTOP" enter --audit-log "$L" "$@" 2>&1; }
left_behind() { # left_behind NAME: cgroups, veth, state or mounts still there
	local nm=$1 d v=$2
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$d" -maxdepth 8 -type d -path "*nstop-create-$$/$nm" 2>/dev/null
	done
	[ -e "$NSTOP_STATE_DIR/$nm" ] && echo "state $NSTOP_STATE_DIR/$nm"
	[ -n "$v" ] && ip link show "$v" >/dev/null 2>&1 && echo "veth $v"
	grep -F "$NSTOP_STATE_DIR/$nm" /proc/self/mountinfo
}

# a tiny image: busybox-static
rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in sh nc ip hostname ps cat echo mkdir touch mount unshare mknod ls sleep id; do
	ln -s busybox "$rootfs/bin/$a"
done
echo image >"$rootfs/etc/issue"
# a static probe of what a container must not do (harmless when allowed)
cp "$TOP/$B/tests/probe" "$rootfs/bin/probe"
ok "a busybox rootfs"

# ---- bad input: exit 2, nothing made ----
expect_exit 2 "a bad name is refused" create 'bad/name' --cgroup-parent "$parent"
expect_exit 2 "an all-digit name is refused" create 12345 --cgroup-parent "$parent"
expect_exit 2 "a missing rootfs is refused" create bad1 --rootfs "$tmp/nope" --cgroup-parent "$parent"
expect_exit 2 "a rootfs that is a file is refused" create bad2 --rootfs "$rootfs/etc/issue" --cgroup-parent "$parent"
expect_exit 2 "a bad --cpu is refused" create bad3 --cpu 0 --cgroup-parent "$parent"
expect_exit 2 "a bad --memory is refused" create bad4 --memory 1Q --cgroup-parent "$parent"
expect_exit 2 "a bad --net is refused" create bad5 --net wifi --cgroup-parent "$parent"
expect_exit 2 "a bad --ns is refused" create bad6 --ns pid,foo --cgroup-parent "$parent"
expect_exit 2 "a bad veth address is refused" create bad7 --net veth:10.1.2.3/40 --cgroup-parent "$parent"
check "nothing was made for them" test -z "$(ls -A "$NSTOP_STATE_DIR" 2>/dev/null)"

# ---- the host's filesystem, read-only; loopback only ----
mk 0 "create on the host's filesystem, with limits" h1 --cpu 50% --memory 256M --pids 64 -- sleep 1000
hp=$(jq -r .pid "$NSTOP_STATE_DIR/h1/state.json")
check "its state directory is 0700, its log 0600" \
	test "$(stat -c %a "$NSTOP_STATE_DIR/h1") $(stat -c %a "$NSTOP_STATE_DIR/h1/log") $(stat -c %a "$NSTOP_STATE_DIR")" = "700 600 700"
check "its init runs (pid $hp)" kill -0 "$hp"
for t in pid mnt uts ipc net cgroup; do
	hn=$(readlink /proc/1/ns/$t 2>/dev/null || readlink /proc/self/ns/$t)
	# lsns (2.38) now and then lists nothing, silently, when a process
	# exits during its walk of /proc (2 runs in 200 under churn): ask again
	for _ in 1 2 3; do
		cn=$(lsns -n -o NS -t $t -p "$hp" 2>/dev/null | head -1)
		[ -n "$cn" ] && break
	done
	check "lsns: its $t namespace is its own ($cn)" test -n "$cn" -a "$t:[$cn]" != "$(readlink /proc/$$/ns/$t)"
done
expect_exit 2 "a duplicate name is refused" create h1 --cgroup-parent "$parent" --audit-log "$L"
if [ $mode = v2 ]; then
	d=$v2root$parent/h1
	check "the cgroup exists with cpu.max (50%)" test "$(cat "$d/cpu.max")" = "50000 100000"
	check "... memory.max" test "$(cat "$d/memory.max")" = $((256 << 20))
	check "... pids.max" test "$(cat "$d/pids.max")" = 64
else
	d=$(cg_mnt cpu)$(cg_own cpu | sed 's:/$::')/$parent/h1
	md=$(cg_mnt memory)$(cg_own memory | sed 's:/$::')/$parent/h1
	pd=$(cg_mnt pids)$(cg_own pids | sed 's:/$::')/$parent/h1
	check "the cpu cgroup exists with the quota (50%)" test "$(cat "$d/cpu.cfs_quota_us")" = 50000
	check "the memory cgroup with its limit" test "$(cat "$md/memory.limit_in_bytes")" = $((256 << 20))
	check "the pids cgroup with its limit" test "$(cat "$pd/pids.max")" = 64
	check "the init is in them" grep -qx "$hp" "$d/cgroup.procs"
	dd=$(cg_mnt devices)$(cg_own devices | sed 's:/$::')/$parent/h1
	check "v1 devices: an allowlist, not everything" bash -c "! grep -qx 'a \*:\* rwm' '$dd/devices.list' && grep -q 'c 1:3 rwm' '$dd/devices.list'"
fi
check "pid 1 inside is nstop's init" test "$(inside h1 -- cat /proc/1/comm)" = nstop-init
check "the hostname is the name" test "$(inside h1 -- hostname)" = h1
ps_in=$(inside h1 -- ps -e -o pid=,comm=)
check "ps inside shows only its own processes ($(echo $ps_in))" \
	bash -c '[ "$(echo "$1" | wc -l)" -le 4 ] && echo "$1" | grep -q "1 nstop-init" && echo "$1" | grep -q "2 sleep"' _ "$ps_in"
check "only loopback in its network" test "$(inside h1 -- ls /sys/class/net)" = lo
out=$(inside h1 -- mount -t tmpfs x /mnt); rc=$?
check "mount is denied (exit $rc)" test $rc -ne 0
out=$(inside h1 -- unshare -U true); rc=$?
check "unshare -U is denied (exit $rc)" test $rc -ne 0
out=$(inside h1 -- sh -c 'mknod /tmp/node c 1 3 && echo x >/tmp/node'); rc=$?
check "mknod plus opening the node is denied (exit $rc)" test $rc -ne 0
out=$(inside h1 -- sh -c 'echo 1 >/proc/sys/kernel/sysrq'); rc=$?
check "writing /proc/sys is denied (exit $rc)" test $rc -ne 0
if [ -f /etc/shadow ]; then
	out=$(inside h1 -- cat /etc/shadow); rc=$?
	# the default view's /etc is an allowlist: shadow is not in it at all
	check "reading /etc/shadow is denied (exit $rc: ${out##*: })" test $rc -ne 0 -a -z "${out##*No such file*}"
fi
out=$(inside h1 -- touch /usr/nstop-probe); rc=$?
check "the host's filesystem is read-only (exit $rc)" test $rc -ne 0 -a ! -e /usr/nstop-probe
check "/tmp inside is its own" bash -c "! '$NSTOP' enter --audit-log '$L' h1 -- test -e '$tmp'"
check "/proc/kcore is masked" bash -c "! '$NSTOP' enter --audit-log '$L' h1 -- head -c1 /proc/kcore >/dev/null 2>&1"
caps=$(inside h1 -- grep CapBnd /proc/self/status | awk '{print $2}')
check "the bounding set is Docker's 14 capabilities ($caps)" test "$caps" = 00000000a80425fb
check "no_new_privs" test "$(inside h1 -- grep NoNewPrivs /proc/self/status | awk '{print $2}')" = 1
check "seccomp filters" test "$(inside h1 -- grep '^Seccomp:' /proc/self/status | awk '{print $2}')" = 2
# enter's exit statuses
inside h1 -- sh -c 'exit 7' >/dev/null; rc=$?
check "enter exits with its command's status (7)" test $rc = 7
out=$(inside h1 -- no-such-command-here); rc=$?
check "a command not found exits 127" test $rc = 127
check "... and enter says why on stderr" grep -qxF "nstop: enter: no-such-command-here: not found" <<<"$out"
inside h1 -- /etc >/dev/null; rc=$?
check "a command that cannot run exits 126" test $rc = 126
inside no-such-container -- true >/dev/null; rc=$?
check "an unknown target exits 125" test $rc = 125
inside >/dev/null; rc=$?
check "enter without a target exits 125" test $rc = 125
check "enter works without a tty" bash -c "echo piped | '$NSTOP' enter --audit-log '$L' h1 -- cat | grep -qx piped"

# ---- --rootfs with a veth: the image, its writable layer, TCP ----
mk 0 "create --rootfs DIR --net veth" r1 --rootfs "$rootfs" --net veth -- nc -l -p 7777
addr=$(jq -r .address "$NSTOP_STATE_DIR/r1/state.json")
veth=$(jq -r .veth "$NSTOP_STATE_DIR/r1/state.json")
check "its veth's host side ($veth) is up" bash -c "ip -br link show '$veth' | grep -q UP"
check "eth0 inside has the address ($addr)" bash -c "'$NSTOP' enter --audit-log '$L' r1 -- ip -o addr show eth0 | grep -q '${addr%/*}'"
check "a default route inside through the host side" bash -c "'$NSTOP' enter --audit-log '$L' r1 -- ip route | grep -q '^default via'"
check "inside, the image's files" test "$(inside r1 -- cat /etc/issue)" = image
inside r1 -- sh -c 'echo written >/etc/new-file' >/dev/null
check "a write lands in the writable layer" test "$(cat "$NSTOP_STATE_DIR/r1/upper/etc/new-file" 2>/dev/null)" = written
check "and not in the image" test ! -e "$rootfs/etc/new-file"
check "enter --ns net keeps the host's filesystem" \
	bash -c "'$NSTOP' enter --audit-log '$L' r1 --ns net -- cat '$rootfs/etc/issue' | grep -qx image && '$NSTOP' enter --audit-log '$L' r1 --ns net -- ip -o addr | grep -q '${addr%/*}'"
for _ in $(seq 50); do exec 9<>/dev/tcp/"${addr%/*}"/7777 2>/dev/null && break; sleep 0.1; done
echo hello-over-veth >&9; exec 9>&-
sleep 0.5
check "a TCP connection across the veth reached it (nstop logs)" bash -c "'$NSTOP' logs r1 | grep -qx hello-over-veth"
for _ in $(seq 50); do "$NSTOP" containers -J -d 0.1 >/tmp/nstop-out.$$ 2>/dev/null
	[ "$(jq -r '.containers[] | select(.name == "r1") | .state' /tmp/nstop-out.$$)" = stopped ] && break; sleep 0.1; done
check "when its command exits, it is stopped in nstop containers" \
	test "$(jq -r '.containers[] | select(.name == "r1") | .state' /tmp/nstop-out.$$)" = stopped
expect_exit 0 "rm r1" rm r1 --audit-log "$L"
check "rm leaves no cgroup, veth, mount or state ($(left_behind r1 "$veth" | head -3))" test -z "$(left_behind r1 "$veth")"

# ---- what a default container must not do, probed from inside ----
mk 0 "create a default container from the image" pb --rootfs "$rootfs" -- sleep 1000
check "reboot is denied (a harmless bad-magic reboot(2): $(inside pb -- /bin/probe reboot))" \
	test "$(inside pb -- /bin/probe reboot)" = "reboot EPERM"
check "loading a kernel module is denied ($(inside pb -- /bin/probe module))" \
	test "$(inside pb -- /bin/probe module)" = "init_module EPERM"
disk=$(inside pb -- /bin/probe disk /tmp | tr '\n' ' ')
check "a disk device node cannot be opened ($disk)" bash -c '[[ "$1" != *"open ok"* ]] && [[ "$1" == mknod* ]]' _ "$disk"
sleep 300 &
hostsleep=$!
check "a host process cannot be killed from inside ($(inside pb -- /bin/probe kill $hostsleep))" \
	bash -c '[ "$("$1" enter --audit-log "$3" pb -- /bin/probe kill "$2")" != "kill ok" ] && kill -0 "$2"' _ "$NSTOP" "$hostsleep" "$L"
kill -KILL "$hostsleep"; wait "$hostsleep" 2>/dev/null
expect_exit 0 "rm pb" rm -f pb --audit-log "$L"

# ---- --net host and no pid namespace: allowed, flagged ----
mk 0 "create --net host without a pid namespace" hn --ns mnt,uts,ipc --net host -- sleep 1000
"$NSTOP" containers -J >/tmp/nstop-out.$$
check "nstop containers flags it host-pid,host-net" \
	test "$(jq -r '.containers[] | select(.name == "hn") | .notes' /tmp/nstop-out.$$)" = host-pid,host-net
check "its JSON: name, id, runtime, pid, cgroup, state, cgroups" \
	jq -e '.containers[] | select(.name == "hn") | .runtime == "nstop" and (.id | length) == 32 and .pid > 1 and (.cgroup | length) > 0 and .state == "running" and (.cgroups | type) == "object"' /tmp/nstop-out.$$
mk 0 "create --privileged" pv --privileged -- sleep 1000
"$NSTOP" containers -J >/tmp/nstop-out.$$
check "nstop containers says privileged" \
	test "$(jq -r '.containers[] | select(.name == "pv") | .notes' /tmp/nstop-out.$$)" = privileged

# ---- a user namespace: root inside is an unprivileged uid outside ----
mk 0 "create with a user namespace" un --ns pid,mnt,uts,ipc,net,cgroup,user -- sleep 1000
up=$(jq -r .pid "$NSTOP_STATE_DIR/un/state.json")
upc=$(pgrep -P "$up" -x sleep | head -1)
ub=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/un/state.json")
check "its block of ids is in systemd's container range, 65536 of them ($ub)" \
	bash -c '[ -n "$1" ] && [ "$1" -ge 524288 ] && [ $(($1 + 65535)) -le 1879048191 ] && [ $(($1 % 65536)) = 0 ]' _ "$ub"
check "its uid map sends root to that block" bash -c "awk '{print \$1, \$2, \$3}' /proc/$upc/uid_map | grep -qx '0 $ub 65536'"
check "its command runs as uid $ub on the host" test "$(awk '/^Uid:/ {print $2}' /proc/$upc/status)" = "$ub"
check "and as root inside" test "$(inside un -- id -u)" = 0

# ---- the init forwards SIGTERM; rm ----
expect_exit 0 "rm h1 (SIGTERM, forwarded by its init)" rm h1 --audit-log "$L"
check "h1: nothing left ($(left_behind h1 | head -3))" test -z "$(left_behind h1)"
expect_exit 0 "rm -f of several" rm -f hn pv un --audit-log "$L"
for nm in hn pv un; do check "$nm: nothing left" test -z "$(left_behind $nm)"; done
expect_exit 2 "rm of an unknown name" rm nope --audit-log "$L"

# ---- failures halfway are undone ----
# the host's veth of a name (net_veth_name: "nsv" and FNV-1a of the name);
# other runs make and remove veths of their own meanwhile, so the names are
# this run's and only their veths are looked for
veth_of() {
	local s=$1 h=$((0xcbf29ce484222325)) i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 0x100000001b3))
	done
	[ $h = 0 ] && h=1
	printf 'nsv%08x\n' $((h & 0xffffffff))
}
check "the veth names looked for are nstop's (r1: $veth)" test "$(LC_ALL=C veth_of r1)" = "$veth"
left_veths=
for step in cgroup veth mount state; do
	nm=f$$-$step
	NSTOP_FAIL_AT=$step "$NSTOP" create "$nm" --rootfs "$rootfs" --net veth --cgroup-parent "$parent" \
		--audit-log "$L" -- sleep 1000 >/dev/null 2>/tmp/nstop-err.$$
	rc=$?
	names+=("$nm")
	check "an injected failure at $step: exit 1 ($(head -1 /tmp/nstop-err.$$))" test $rc = 1
	check "... no cgroup, veth, mount or state left ($(left_behind "$nm" | head -3))" test -z "$(left_behind "$nm")"
	v=$(LC_ALL=C veth_of "$nm")
	ip link show "$v" >/dev/null 2>&1 && left_veths+=" $v"
done
check "no veth is left by the failures ($left_veths)" test -z "$left_veths"
# ---- a /30 already routed where nstop runs (another registry's
# container's host side, or the host's own subnet) is not handed out: in a
# network namespace of the test's own whose own veth has 10.213.0.1/26 ----
names+=("pool$$")
# shellcheck disable=SC2016
got=$(unshare -n bash -c 'ip link set lo up && ip link add d0 type veth peer name d1 2>/dev/null || exit 3
	ip addr add 10.213.0.1/26 dev d0 && ip link set d0 up || exit 3
	"$0" create "$1" --cgroup-parent "$2" --audit-log "$3" --net veth -- sleep 100 >/dev/null 2>&1 || exit 4
	jq -r .address "$NSTOP_STATE_DIR/$1/state.json"
	"$0" rm -f "$1" --audit-log "$3" >/dev/null 2>&1' "$NSTOP" "pool$$" "$parent" "$L")
rc=$?
if [ $rc = 3 ]; then
	skip "live create: no veth link could be made (the pool's check against routed subnets)"
else
	check "a veth container beside 10.213.0.1/26 gets an address outside it (exit $rc: $got)" \
		awk -v a="$got" 'BEGIN { split(a, o, "[./]"); exit !(o[1] == 10 && o[2] == 213 && (o[3] > 0 || o[4] >= 64)) }'
fi
lines=$(wc -l <"$L")
check "the audit log recorded every create and rm ($lines lines)" jq -e -s 'map(.action) | (map(select(. == "create")) | length) >= 8 and (map(select(. == "rm")) | length) >= 4' "$L"
echo "1..$n"
