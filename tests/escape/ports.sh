#!/bin/bash
# Attack part (root): the published ports' proxy (review of create
# --publish). (1) It ran as the shared nobody (65534): any other process of
# that uid (a daemon, an NFS-squashed user, a container's process in the
# host's pid namespace) could stop or kill it, or prlimit its descriptors
# away, then bind the freed port and serve impostor content. Now it is a
# uid and gid of its own, a block reserved as a user namespace's is. (2)
# 256 idle TCP connections of any local user held every slot: the port
# served no one else; (2b) the fix for that, the idlest connection reset for
# a waiting one, let anyone reset others' keep-alive connections: now there
# is room for 4096 and none is reset for being idle. (3) 256 UDP source
# ports held every flow; (3b) evicting the least recently active flow lost
# others' late replies: now 4096, and only a flow silent 10 s gives way.
# (5) Bound on 127.0.0.1 alone, [::1] and [::] on the port were anyone's.
# (6) A cap per remote address (a container's stands in); (7) per local
# user (loopback). (8) rm killed whatever process a forged record named.
# (9) Two registries choosing blocks at once got the same.
# (4) A create killed after its proxy started but before its record was in
# place left a listener nstop rm could not reach. (1a) A block held only
# by a process (a proxy of another registry) was handed out again; (1b)
# create -u into the blocks without a user namespace made a host process of
# another's uid. Traffic: 127.0.0.1, ::1 and the test's veths.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape ports: containers need root"; echo "1..$n"; exit 0
fi
for t in busybox jq setpriv prlimit; do
	command -v $t >/dev/null || { skip "escape ports: $t is missing"; echo "1..$n"; exit 0; }
done
PROBE=$TOP/$B/tests/portprobe
[ -x "$PROBE" ] || { skip "escape ports: $PROBE is not built (make test builds it)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-escports.XXXXXX)
chmod 755 "$tmp"
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
parent=$(ctr_parent "nstop-escports-$$")
# a sanitizer's reports (an ASan build) into files: the proxy's stderr is
# /dev/null and it is its own uid by then, so the directory is everyone's
san=$(mktemp -d /tmp/nstop-escports-san.XXXXXX)
chmod 1777 "$san"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$san/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$san/ubsan"
names=() pids=() bnames=()
cleanup() {
	local nm p f
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for nm in "${bnames[@]}"; do NSTOP_STATE_DIR=$tmp/stateB "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	# (4)'s orphan: the container whose create was killed has no record;
	# its processes are in the test's cgroups, and only those are killed
	for f in $(find /sys/fs/cgroup -maxdepth 8 -path "*nstop-escports-$$/*" -name cgroup.procs 2>/dev/null); do
		for p in $(cat "$f"); do kill -KILL "$p" 2>/dev/null; done
	done
	sleep 0.3
	ctr_parent_rm "nstop-escports-$$"
	rm -rf "$tmp" "$san"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$TOP/tests/lib-ports.sh"
ports_image "$tmp"
expect_exit 0 "the test's busybox image imports as bb" image import "$tmp/lay" --name bb
mkdir -p "$tmp/www"
echo "hello from a published port" >"$tmp/www/index.html"
chmod -R a+rX "$tmp/www"
cr() { # cr NAME ARGS...: create NAME beneath the test's cgroup
	local nm=$1; shift
	names+=("$nm")
	expect_exit "${WANT:-0}" "${DESC:-create $nm $*}" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@"
}
served() { # served PORT: the file comes through within a few tries
	local _
	for _ in $(seq 30); do fetch "http://127.0.0.1:$1/index.html" 2>/dev/null | grep -q hello && return 0; sleep 0.1; done
	return 1
}
# as UID CMD...: a process of another user, no group but its own
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
# attack OUT ARGS...: portprobe ARGS as uid 12345 in the background, its
# pid (setpriv execs it: the same) noted for the trap
attack() {
	local out=$1; shift
	setpriv --reuid 12345 --regid 12345 --clear-groups "$PROBE" "$@" >"$out" 2>&1 &
	pids+=($!)
	disown
}
PA=$(free_port 18280) PB=$(free_port 18290) PC=$(free_port 18300) PD=$(free_port 15453) PE=$(free_port 18310) PF=$(free_port 15463) PG=$(free_port 18320)

# ---- (1) the proxy's uid: its own, nobody else's ----
cr a1 --net veth -p "$PA:8080" --image bb --bind "$tmp/www:/www" -- httpd -f -p 8080 -h /www
cr a2 --net veth -p "$PB:8080" --image bb --bind "$tmp/www:/www" -- httpd -f -p 8080 -h /www
px=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/a1/state.json")
px2=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/a2/state.json")
check "a1 serves through its proxy (pid $px)" served "$PA"
cant_kill() { ! as 65534 kill -0 "$1" 2>/dev/null; }
cant_prlimit() { ! as 65534 prlimit --pid "$1" --nofile=8:8 2>/dev/null; }
check "a uid-65534 process cannot signal the proxy (kill -0)" cant_kill "$px"
check "... nor prlimit its descriptors away (--nofile=8:8)" cant_prlimit "$px"
check "... a1 still serves" served "$PA"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$px/status") uid2=$(awk '/^Uid:/ { print $2 }' "/proc/$px2/status")
ids() { awk '/^Uid:|^Gid:/ { printf "%s %s %s %s ", $2, $3, $4, $5 }' "/proc/$1/status"; }
check "the proxy's real, effective, saved and fs uid and gid are one id ($(ids "$px"))" \
	test "$(ids "$px")" = "$(printf "$uid %.0s" 1 2 3 4 5 6 7 8)"
check "... in systemd's container range ($uid)" eval '[ "$uid" -ge 524288 ] && [ "$uid" -le 1879048191 ]'
check "... with no supplementary group" grep -q '^Groups:[[:space:]]*$' "/proc/$px/status"
check "... recorded in state.json" test "$(jq -r .proxy.uid "$NSTOP_STATE_DIR/a1/state.json")" = "$uid"
others=$(for s in /proc/[0-9]*/status; do
	p=${s#/proc/}; p=${p%/status}
	[ "$p" = "$px" ] && continue
	awk -v u="$uid" -v p="$p" '/^Uid:|^Gid:/ { for (i = 2; i <= 5; i++) if ($i == u) { print p; exit } }' "$s" 2>/dev/null
done)
check "... and no other process has it (got: ${others:-none})" test -z "$others"
check "two containers' proxies have different uids, blocks apart ($uid, $uid2)" \
	eval '[ "$uid" != "$uid2" ] && [ $((uid > uid2 ? uid - uid2 : uid2 - uid)) -ge 65536 ]'
check "the reservation is in a1's registry directory" test -s "$NSTOP_STATE_DIR/a1/proxyids"
# a user namespace's block allocated now overlaps neither proxy's
cr u1 --ns pid,mnt,uts,ipc,net,user --net veth --image bb -- sleep 100
ub=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/u1/state.json" 2>/dev/null)
apart() { # apart BASE BASE...: the first's block overlaps none of the others'
	local b=$1 u; shift
	[ -n "$b" ] || return 1
	for u; do [ $((b + 65536)) -le "$u" ] || [ "$b" -ge $((u + 65536)) ] || return 1; done
}
check "a user namespace's block allocated after overlaps no proxy's ($ub)" apart "$ub" "$uid" "$uid2"
# _proxy itself refuses a shared id: root, nobody, anything below the range
# (fd 5 a UDP socket, as a spec of udp wants; fd 4 no pidfd: a uid it
# takes fails later, at its epoll, exit 1)
pxrc() { "$NSTOP" --no-config _proxy x 10.0.0.2 "$1" 1:1/udp 3>/dev/null 4>/dev/null 5<>/dev/udp/127.0.0.1/9; echo $?; }
check "_proxy refuses uid 65534, 0 and 524287, takes 524288 (exit $(pxrc 65534) $(pxrc 0) $(pxrc 524287) $(pxrc 524288))" \
	test "$(pxrc 65534) $(pxrc 0) $(pxrc 524287) $(pxrc 524288)" = "2 2 2 1"
expect_exit 0 "rm a1 u1" rm a1 u1 --audit-log "$L"
check "... its reservation goes with it" test ! -e "$NSTOP_STATE_DIR/a1"
check "... its proxy too" gone "$px"

# ---- (1a) a block held by a process nstop's registry does not know ----
# (another NSTOP_STATE_DIR's proxy runs in the host's user namespace: no
# uid_map shows its block, only its process's ids): a sleep of that uid
# stands in for it, the block the next create would take (z1's, freed)
cr z1 --net veth -p "$PC:8080" --image bb -- sleep 100
zx=$(jq -r .proxy.uid "$NSTOP_STATE_DIR/z1/state.json")
expect_exit 0 "rm z1 (its proxy's block, from $zx, free again)" rm z1 --audit-log "$L"
setpriv --reuid "$zx" --regid "$zx" --clear-groups sleep 100 &
pids+=($!)
disown
for _ in $(seq 50); do grep -q "^Uid:.$zx" "/proc/${pids[-1]}/status" 2>/dev/null && break; sleep 0.1; done
cr z2 --net veth -p "$PC:8080" --image bb -- sleep 100
z2=$(jq -r .proxy.uid "$NSTOP_STATE_DIR/z2/state.json")
check "a process of uid $zx outside the registry (another's proxy): a new proxy's block avoids its ($z2)" apart "$z2" "$zx"
cr z3 --ns pid,mnt,uts,ipc,net,user --net veth --image bb -- sleep 100
zb=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/z3/state.json" 2>/dev/null)
check "... and so does a user namespace's ($zb)" apart "$zb" "$zx" "$z2"
expect_exit 0 "rm z2 z3" rm z2 z3 --audit-log "$L"
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"

# ---- (1b) create -u into the blocks, without a user namespace: refused ----
WANT=2 DESC="create -u 600000 without a user namespace (a host uid in nstop's blocks) is refused" \
	cr b1u -u 600000 -- true
check "... saying why: $(head -c 160 /tmp/nstop-err.$$)" \
	grep -q "^nstop: create: --user: ids 524288-1879048191 are nstop's blocks" /tmp/nstop-err.$$
check "... nothing left" test ! -e "$NSTOP_STATE_DIR/b1u"

# ---- (2) idle TCP connections of another user hold no one out ----
attack "$tmp/idle" tcp-idle 127.0.0.1 "$PB" 300
for _ in $(seq 100); do grep -q ready "$tmp/idle" && break; sleep 0.1; done
t0=${EPOCHREALTIME/./}
got=$(curl -s -m 15 "http://127.0.0.1:$PB/index.html" 2>/dev/null || timeout 15 busybox wget -q -O - "http://127.0.0.1:$PB/index.html")
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
check "300 idle connections of uid 12345 ($(cat "$tmp/idle")): a fetch still succeeds within 15 s ($ms ms; got: $got)" \
	test "$got" = "hello from a published port"
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"
# (2b) a connection idle for a while is never reset for a waiting one: a
# keep-alive client (its next request 6 s after it connected) gets its
# answer while uid 12345 holds 300 idle connections and churns 500 more
# (they once evicted whatever had been idle 5 s: anyone's)
"$PROBE" tcp-late 127.0.0.1 "$PB" 6 index.html >"$tmp/late" 2>&1 &
late=$!
pids+=("$late")
sleep 0.3
attack "$tmp/idle2" tcp-idle 127.0.0.1 "$PB" 300
for _ in $(seq 100); do grep -q ready "$tmp/idle2" && break; sleep 0.1; done
attack "$tmp/churn" tcp-churn 127.0.0.1 "$PB" 500
wait "$late"
check "an idle keep-alive connection is not reset for others: its late request answered ($(cat "$tmp/idle2"), churn $(cat "$tmp/churn"); got: $(grep -o 'hello.*' "$tmp/late" || tail -c 80 "$tmp/late"))" \
	grep -q "hello from a published port" "$tmp/late"
kill -KILL "${pids[-1]}" "${pids[-2]}" 2>/dev/null
gone "${pids[-1]}" && gone "${pids[-2]}"

# ---- (3) UDP source ports of another user hold no one out ----
cr d1 --net veth -p "$PD:5353/udp" --image bb --bind "$PROBE:/portprobe" -- /portprobe udp-echo 5353
got=
for _ in $(seq 30); do got=$("$PROBE" udp-ask 127.0.0.1 "$PD" ping 1 2>/dev/null) && break; sleep 0.1; done
check "the UDP port answers (got: $got)" test "$got" = echo:ping-0
attack "$tmp/hold" udp-hold 127.0.0.1 "$PD" 256 4
for _ in $(seq 100); do grep -q ready "$tmp/hold" && break; sleep 0.1; done
sleep 1
got=$("$PROBE" udp-ask 127.0.0.1 "$PD" new 1 2>/dev/null)
check "256 UDP flows of uid 12345 refreshed every 4 s: a new client gets its answer (got: $got)" \
	test "$got" = echo:new-0
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"
# (3b) a flow is not evicted while its answer is on the way: the echo
# answers 2 s late, and uid 12345 sends from 1000 fresh source ports at
# 300 a second meanwhile (the least recently active flow once gave way)
cr d2 --net veth -p "$PF:5353/udp" --image bb --bind "$PROBE:/portprobe" -- /portprobe udp-echo 5353 2000
got=
for _ in $(seq 5); do got=$("$PROBE" udp-ask 127.0.0.1 "$PF" ping 1 2>/dev/null) && break; done
check "the slow UDP echo answers (got: $got)" test "$got" = echo:ping-0
attack "$tmp/spray" udp-spray 127.0.0.1 "$PF" 1000 300
for _ in $(seq 100); do grep -q ready "$tmp/spray" && break; sleep 0.1; done
sleep 0.5
got=$("$PROBE" udp-ask 127.0.0.1 "$PF" slow 1 2>/dev/null)
check "a reply 2 s late still reaches its client while uid 12345 sends from 1000 new source ports (got: $got)" \
	test "$got" = echo:slow-0
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"

# ---- (6) one remote address holds at most 256 connections and 256 flows ----
# (a container's address is remote to the proxy: it comes in through the
# host side of the container's veth; loopback has no cap, as (2) showed)
cr g1 --net veth -p "0.0.0.0:$PG:8080" -p "0.0.0.0:$PG:5353/udp" --image bb --bind "$tmp/www:/www" \
	--bind "$PROBE:/portprobe" -- sh -c "/portprobe udp-echo 5353 & exec httpd -f -p 8080 -h /www"
gx=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/g1/state.json")
gh=$(jq -r .host_address "$NSTOP_STATE_DIR/g1/state.json")
gh=${gh%/*}
check "g1 serves on 0.0.0.0:$PG" served "$PG"
socks() { local f n=0; for f in /proc/"$1"/fd/*; do [[ $(readlink "$f") == socket:* ]] && n=$((n + 1)); done; echo $n; }
l=$(socks "$gx")
cr g2 --net veth --image bb --bind "$PROBE:/portprobe" -- \
	sh -c "/portprobe tcp-idle $gh $PG 300 & /portprobe udp-hold $gh $PG 300 60 & wait"
# its 256 connections (two sockets each) and 256 flows, and no more
want=$((l + 3 * 256))
for _ in $(seq 100); do [ "$(socks "$gx")" -ge "$want" ] && break; sleep 0.1; done
sleep 1
got=$(socks "$gx")
check "300 connections and 300 UDP sources of one container's address: the proxy holds 256 of each ($got sockets, $l listening, want $want)" \
	test "$got" = "$want"
attack "$tmp/idle3" tcp-idle 127.0.0.1 "$PG" 20
for _ in $(seq 100); do grep -q ready "$tmp/idle3" && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(socks "$gx")" -ge $((want + 40)) ] && break; sleep 0.1; done
check "... while loopback clients get theirs beside (20 more: $(socks "$gx") sockets), and a fetch" \
	eval '[ "$(socks "$gx")" = $((want + 40)) ] && served "$PG"'
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"
# (7) a local user is one client too (sock_diag names the user of a
# loopback client's socket): uid 12345's 300 idle connections, 256 held
for _ in $(seq 50); do [ "$(socks "$gx")" -le "$want" ] && break; sleep 0.1; done
attack "$tmp/idle4" tcp-idle 127.0.0.1 "$PG" 300
for _ in $(seq 100); do grep -q ready "$tmp/idle4" && break; sleep 0.1; done
for _ in $(seq 50); do [ "$(socks "$gx")" -ge $((want + 512)) ] && break; sleep 0.1; done
sleep 1
check "300 loopback connections of uid 12345: the proxy holds 256 ($(socks "$gx") sockets, want $((want + 512))), and a fetch" \
	eval '[ "$(socks "$gx")" = $((want + 512)) ] && served "$PG"'
kill -KILL "${pids[-1]}" 2>/dev/null && gone "${pids[-1]}"
expect_exit 0 "rm g1 g2" rm g1 g2 --audit-log "$L"

# ---- (8) rm stops the recorded proxy only if it is one ----
# (a record naming another process, pid and start time right: once killed)
cr f1 --net veth -p "$PC:8080" --image bb -- sleep 100
sleep 100 &
vic=$!
pids+=("$vic")
fx=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/f1/state.json")
jq --argjson p "$vic" --argjson s "$(awk '{ print $22 }' "/proc/$vic/stat")" '.proxy.pid = $p | .proxy.start = $s' \
	"$NSTOP_STATE_DIR/f1/state.json" >"$tmp/f1.json" && cat "$tmp/f1.json" >"$NSTOP_STATE_DIR/f1/state.json"
expect_exit 0 "rm f1 (its record's proxy forged: a root sleep's pid and start time)" rm f1 --audit-log "$L"
check "... the sleep it named lives (not nstop-proxy, not the recorded uid)" kill -0 "$vic"
check "... and the real proxy went with the container's init" gone "$fx"
kill -KILL "$vic" 2>/dev/null

# ---- (9) two registries creating at once never share a block ----
# (registry A's reservation file is invisible to B; the proxy showed its
# uid in /proc only when create ended: B's user namespace got its block)
SB=$tmp/stateB
NSTOP_STATE_DIR=$SB "$NSTOP" image import "$tmp/lay" --name bb >/dev/null 2>&1
same=
for i in 1 2 3; do
	names+=("r$i")
	bnames+=("s$i")
	"$NSTOP" create "r$i" --cgroup-parent "$parent" --audit-log "$L" --net veth -p "$PC:8080" --image bb -- sleep 100 >/dev/null 2>&1 &
	NSTOP_STATE_DIR=$SB "$NSTOP" create "s$i" --cgroup-parent "$parent" --audit-log "$L" --ns mnt,uts,ipc,user --net host \
		--image bb -- sleep 100 >/dev/null 2>&1
	wait $!
	a=$(jq -r .proxy.uid "$NSTOP_STATE_DIR/r$i/state.json" 2>/dev/null)
	b=$(awk '{ print $2 }' "$SB/s$i/userns" 2>/dev/null)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || same="$same $i:$a=$b"
	"$NSTOP" rm -f "r$i" --audit-log "$L" >/dev/null 2>&1
	NSTOP_STATE_DIR=$SB "$NSTOP" rm -f "s$i" --audit-log "$L" >/dev/null 2>&1
done
check "3 times a proxy of registry A and a user namespace of registry B made at once: different blocks (${same:-all apart})" \
	test -z "$same"
NSTOP_STATE_DIR=$SB "$NSTOP" image rm bb >/dev/null 2>&1

# ---- (5) IPv6: the port is the container's on ::1 too ----
# (bound on 127.0.0.1 alone, any user could bind [::1]:PORT or [::]:PORT
# with IPV6_V6ONLY and answer the clients that resolve localhost to ::1)
if has_ipv6; then
	got=$(fetch "http://[::1]:$PB/index.html" 2>/dev/null)
	check "-p $PB:8080 serves on [::1]:$PB as well (got: $got)" test "$got" = "hello from a published port"
	cant_bind() { ! as 12345 "$PROBE" bind "$@" 2>/dev/null; }
	check "... uid 12345 cannot bind [::1]:$PB (IPV6_V6ONLY)" cant_bind ::1 "$PB"
	check "... nor [::]:$PB" cant_bind :: "$PB"
	got=$("$PROBE" udp-ask ::1 "$PD" six 1 2>/dev/null)
	check "-p $PD:5353/udp answers on [::1]:$PD (got: $got)" test "$got" = echo:six-0
	check "... uid 12345 cannot bind [::1]:$PD/udp" cant_bind ::1 "$PD" udp
	check "... nor [::]:$PD/udp" cant_bind :: "$PD" udp
else
	skip "IPv6: the host has no ::1"
fi

# ---- (4) a create killed before its record is in place leaves no listener ----
if command -v strace >/dev/null; then
	# create's own rename of state.json into place killed (create alone is
	# traced: its proxy and the container's init run on untraced)
	# (a shell of its own reports the kill, to /dev/null)
	bash -c '"$@"; true' _ timeout 60 strace -o /dev/null -e trace=renameat,renameat2,rename \
		-e inject=renameat,renameat2,rename:signal=SIGKILL \
		"$NSTOP" create k1 --cgroup-parent "$parent" --audit-log "$L" --net veth -p "$PE:8080" --image bb -- sleep 1000 \
		>/dev/null 2>&1
	check "the create was killed before its record was in place" \
		eval '[ -d "$NSTOP_STATE_DIR/k1" ] && [ ! -e "$NSTOP_STATE_DIR/k1/state.json" ]'
	ok=1
	for _ in $(seq 30); do nolistener "$PE" && ok=0 && break; sleep 0.1; done
	check "... and no listener is left on $PE" test $ok = 0
	check "... no nstop-proxy process with that port either" \
		bash -c "! pgrep -x nstop-proxy -a | grep -q 'k1 '"
else
	skip "a create killed before its record: no strace"
fi

expect_exit 0 "rm a2 d1 d2" rm a2 d1 d2 --audit-log "$L"
check "no listener left" nolistener "$PA|$PB|$PC|$PD|$PE|$PF|$PG"
expect_exit 0 "image rm bb" image rm bb
check "no sanitizer report from nstop or its proxies: $(ls "$san" | head -3)" test -z "$(ls -A "$san")"
echo "1..$n"
