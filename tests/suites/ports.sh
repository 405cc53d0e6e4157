#!/bin/bash
# create --publish: a busybox-static image imported into a private
# NSTOP_STATE_DIR (mkimage.py's layout, or one this script makes with tar,
# gzip and jq where python3 is missing, as in the v2 guest) serves a file
# over a published TCP port, fetched from 127.0.0.1 and [::1] (curl, else
# busybox wget; its IPv6 side is bound too, and one held refuses the
# create); a static UDP echo (tests/helpers/portprobe.c, bound into the
# container) answers through a published UDP port, each client its own; a
# FIN is passed on as a half-close; the proxy runs as its own uid in its own
# session, outside the container's cgroups, with no descriptor but its
# own; rm, the container's end and a failed create leave no proxy and no
# listener (ss, else /proc/net); a port in use, -p without --net veth and
# bad specs are refused with nothing left; the dashboard's create form
# publishes too. Traffic stays on 127.0.0.1, ::1 and the test's veths.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "ports: containers need root"; echo "1..$n"; exit 0
fi
for t in busybox jq; do
	command -v $t >/dev/null || { skip "ports: $t is missing (make deps)"; echo "1..$n"; exit 0; }
done
PROBE=$TOP/$B/tests/portprobe
[ -x "$PROBE" ] || { skip "ports: $PROBE is not built (make test builds it)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-ports.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
parent=$(ctr_parent "nstop-ports-$$")
# a sanitizer's reports (an ASan build) into files: the proxy's stderr is
# /dev/null and it is its own uid by then, so the directory is everyone's
san=$(mktemp -d /tmp/nstop-ports-san.XXXXXX)
chmod 1777 "$san"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$san/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$san/ubsan"
names=() pids=()
cleanup() {
	local nm p
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	declare -F tmux_stop >/dev/null && tmux_stop
	ctr_parent_rm "nstop-ports-$$"
	rm -rf "$tmp" "$san"
	cleanup_tmp
}
trap cleanup EXIT

# the v2 guest (NSTOP_IN_VM, TCG: ten times slower) runs the checks that
# depend on the kernel; the load, the end, the kill, the undo and the form
# are the host's
host_only() { [ -z "${NSTOP_IN_VM:-}" ]; }

. "$TOP/tests/lib-ports.sh"
P1=$(free_port 18080) P2=$(free_port 15353) P3=$(free_port 19080) P4=$(free_port 18090)
P5=$(free_port 18095) P6=$(free_port 18099) P7=$(free_port 18110)
left() { # left NAME: what a refused create of NAME left (its veth: as its audit record names it)
	local v
	test -e "$NSTOP_STATE_DIR/$1" && echo "state $1"
	v=$(jq -r --arg n "$1" 'select(.action == "create" and .target.name == $n) | .new.veth // empty' "$L" 2>/dev/null | tail -1)
	[ -n "$v" ] && ip link show "$v" >/dev/null 2>&1 && echo "veth $v"
	find /sys/fs/cgroup -maxdepth 8 -type d -path "*nstop-ports-$$/$1" 2>/dev/null | sed 's/^/cgroup /'
}
ports_image "$tmp"
expect_exit 0 "the test's busybox image imports as bb" image import "$tmp/lay" --name bb
mkdir -p "$tmp/www"
echo "hello from a published port" >"$tmp/www/index.html"
head -c 4194304 /dev/urandom >"$tmp/www/big"
cr() { # cr NAME ARGS...: create NAME beneath the test's cgroup
	local nm=$1; shift
	names+=("$nm")
	expect_exit "${WANT:-0}" "${DESC:-create $nm $*}" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@"
}

# ---- TCP: a file over the published port ----
DESC="create --net veth -p $P1:8080 --image bb -- httpd -f -p 8080 -h /www" \
	cr w1 --net veth -p "$P1:8080" --image bb --bind "$tmp/www:/www" -- httpd -f -p 8080 -h /www
check "... its report names the port" grep -q " ports 127.0.0.1:$P1->8080/tcp\$" /tmp/nstop-out.$$
# and its IPv6 side, [::1] (V6ONLY), where the host has IPv6
v6=0
has_ipv6 && v6=1
only_lo() {
	listens "tcp 127.0.0.1:$1" && ! listens "tcp 0.0.0.0:$1" && ! listens "tcp *:$1" && ! listens "tcp [::]:$1" &&
		{ [ $v6 = 0 ] || listens "tcp [::1]:$1"; }
}
check "the port listens on 127.0.0.1 and [::1] only (ss -ltn; IPv6 here: $v6)" only_lo "$P1"
got=
for _ in $(seq 30); do
	got=$(fetch "http://127.0.0.1:$P1/index.html" 2>/dev/null) && [ -n "$got" ] && break
	sleep 0.1
done
check "the container's file comes from 127.0.0.1:$P1 (got: $got)" test "$got" = "hello from a published port"
if [ $v6 = 1 ]; then
	got=$(fetch "http://[::1]:$P1/index.html" 2>/dev/null)
	check "... and from [::1]:$P1 (got: $got)" test "$got" = "hello from a published port"
fi
if host_only; then
	check "4 MiB come through whole (sha256)" \
		test "$(fetch "http://127.0.0.1:$P1/big" | sha256sum | cut -c1-64)" = "$(sha256sum <"$tmp/www/big" | cut -c1-64)"
	par=$(for i in $(seq 24); do fetch "http://127.0.0.1:$P1/index.html" & done; wait)
	check "24 fetches at once, each served" test "$(grep -c 'hello from a published port' <<<"$par")" = 24
fi
st=$NSTOP_STATE_DIR/w1/state.json
check "state.json records the port" \
	test "$(jq -c .ports "$st")" = "[{\"host_ip\":\"127.0.0.1\",\"host_port\":$P1,\"container_port\":8080,\"proto\":\"tcp\"}]"
px=$(jq -r .proxy.pid "$st") init=$(jq -r .pid "$st")
check "... and its proxy's pid and start time" \
	test "$(jq -r .proxy.start "$st")" = "$(awk '{ print $22 }' "/proc/$px/stat")"
pu=$(jq -r .proxy.uid "$st")
check "the proxy is its recorded uid and gid ($pu, not root), no capability (bounding set empty), no_new_privs" \
	bash -c "[ '$pu' -ge 524288 ] && grep -q '^Uid:.$pu.$pu.$pu.$pu' /proc/$px/status && grep -q '^Gid:.$pu.$pu.$pu.$pu' /proc/$px/status && grep -q '^CapEff:.0000000000000000' /proc/$px/status && grep -q '^CapBnd:.0000000000000000' /proc/$px/status && grep -q '^NoNewPrivs:.1' /proc/$px/status"
check "... in a session of its own, no terminal" \
	test "$(awk '{ print $6 " " $7 }' "/proc/$px/stat")" = "$px 0"
ccg=$(awk -F: '$3 ~ /nstop-ports/ { print $3 }' "/proc/$init/cgroup" | head -1)
check "... not in the container's cgroups ($ccg)" bash -c "[ -n '$ccg' ] && ! grep -qF 'nstop-ports-$$' /proc/$px/cgroup"
fds=$(for f in /proc/$px/fd/*; do readlink "$f"; done | sed 's/:\[[0-9]*\]$//' | LC_ALL=C sort | uniq -c | awk '{ print $1 "x" $2 }' | tr '\n' ' ')
check "... holding /dev/null, the init's pidfd, its sockets (IPv4, IPv6: $v6; sock_diag's, for local clients' users) and its epoll only (got: $fds)" \
	test "$fds" = "3x/dev/null 1xanon_inode:[eventpoll] 1xanon_inode:[pidfd] $((2 + v6))xsocket "
check "containers -o NAME,PORTS shows it" \
	bash -c "'$NSTOP' containers -o NAME,PORTS | grep -qE '^w1 +127.0.0.1:$P1->8080/tcp\$'"
check "containers --json gives ports as objects" \
	test "$("$NSTOP" containers --json | jq -c '.containers[] | select(.name == "w1") | .ports')" = \
	"[{\"host_ip\":\"127.0.0.1\",\"host_port\":$P1,\"container_port\":8080,\"proto\":\"tcp\"}]"
check "create's audit record holds the publish" \
	bash -c "jq -c 'select(.action == \"create\" and .target.name == \"w1\") | .new.publish' '$L' | grep -qx '\[\"127.0.0.1:$P1:8080/tcp\"\]'"

# ---- the same port again: refused, nothing left ----
WANT=1 DESC="a second container asking for $P1 is refused" cr w2 --net veth -p "$P1:9999" -- sleep 100
check "... with the reason: $(head -c 150 /tmp/nstop-err.$$)" \
	grep -q "nstop: create: --publish 127.0.0.1:$P1:9999/tcp: Address already in use" /tmp/nstop-err.$$
check "... nothing left (state, veth, cgroup): $(left w2)" test -z "$(left w2)"
serves() { fetch "$1" | grep -q hello; }
check "... w1 still serves" serves "http://127.0.0.1:$P1/index.html"

# ---- UDP, and a TCP half-close ----
P9=$(free_port 19090) P10=$(free_port 15363)
cr h1 --net veth -p "$P2:5353/udp" -p "$P3:9000" -p "$P9:9001" -p "0.0.0.0:$P10:5353/udp" --image bb --bind "$PROBE:/portprobe" -- \
	sh -c "/portprobe udp-echo 5353 & exec nc -ll -p 9000 -e sh -c 'wc -c'"
check "the UDP port is bound (ss -lun)" listens "udp 127.0.0.1:$P2"
got=
for _ in $(seq 30); do got=$("$PROBE" udp-ask 127.0.0.1 "$P2" ping 3 2>/dev/null) && break; sleep 0.1; done
check "a UDP client's datagrams come back through the port (got: $(echo $got))" \
	test "$got" = "$(printf 'echo:ping-0\necho:ping-0\necho:ping-0')"
got=$("$PROBE" udp-ask 127.0.0.2 "$P10" lo2 1 2)
check "on 0.0.0.0 the answers come from the address asked (127.0.0.2, to a connected client; got: $got)" \
	test "$got" = "echo:lo2-0 echo:lo2-1"
if [ $v6 = 1 ]; then
	got=$("$PROBE" udp-ask ::1 "$P2" six 2 2>/dev/null)
	check "a UDP client of [::1]:$P2 gets its answers (got: $(echo $got))" test "$got" = "$(printf 'echo:six-0\necho:six-0')"
	got=$("$PROBE" udp-ask ::1 "$P10" six 1 2 2>/dev/null)
	check "on [::] too, to connected clients (IPV6_PKTINFO; got: $got)" test "$got" = "echo:six-0 echo:six-1"
fi
got=$("$PROBE" udp-ask 127.0.0.1 "$P2" c 2 3)
check "three clients each get their own answers, twice (a flow per client; got: $(echo $got))" \
	test "$got" = "$(printf 'echo:c-0 echo:c-1 echo:c-2\necho:c-0 echo:c-1 echo:c-2')"
got=
for _ in $(seq 30); do got=$("$PROBE" half 127.0.0.1 "$P3" 300000 2>/dev/null | tr -d ' \n') && [ -n "$got" ] && break; sleep 0.1; done
check "TCP half-close: 300000 bytes, a FIN, the count back, then EOF (got: $got)" test "$got" = 300000
t0=${EPOCHREALTIME/./}
"$PROBE" half 127.0.0.1 "$P9" 10 >/dev/null 2>&1
rc=$? ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
check "a port nothing listens on inside: the client is reset at once (exit $rc, $ms ms)" \
	eval '[ "$rc" = 1 ] && [ "$ms" -lt 3000 ]'

# ---- rm: no proxy, no listener ----
px2=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/h1/state.json")
expect_exit 0 "rm w1 h1" rm w1 h1 --audit-log "$L"
check "no proxy process left" eval 'gone "$px" && gone "$px2"'
check "no listener left (ss -ltn, ss -lun)" nolistener "$P1|$P2|$P3|$P9|$P10"

if host_only; then
	# ---- a proxy killed: PORTS says so ----
	P8=$(free_port 18120)
	cr k1 --net veth -p "$P8:80" --image bb -- sleep 100
	px=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/k1/state.json")
	kill -KILL "$px"
	check "a proxy killed takes its listener along" eval 'gone "$px" && nolistener "$P8"'
	check "... and PORTS says the proxy is gone" \
		bash -c "'$NSTOP' containers -o NAME,PORTS | grep -qE '^k1 +127.0.0.1:$P8->80/tcp \(proxy gone\)\$'"
	expect_exit 0 "... rm still removes the container" rm k1 --audit-log "$L"

	# ---- the proxy ends with the container ----
	cr e1 --net veth -p "0.0.0.0:$P4:8080" --image bb -- sleep 1
	px=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/e1/state.json")
	check "0.0.0.0 binds every address when written (and [::], IPv6 here: $v6)" \
		eval 'listens "tcp 0.0.0.0:$P4" && { [ $v6 = 0 ] || listens "tcp [::]:$P4"; }' 
	check "when the container's command ends, its proxy does" gone "$px"
	check "... and its listener" nolistener "$P4"
	expect_exit 0 "rm of the ended container" rm e1 --audit-log "$L"
fi

# ---- refusals ----
"$PROBE" hold 127.0.0.1 "$P5" >"$tmp/busy" &
pids+=($!)
disown
for _ in $(seq 50); do grep -q ready "$tmp/busy" && break; sleep 0.1; done
WANT=1 DESC="a port another process holds is refused" cr b1 --net veth -p "$P5:80" -- sleep 100
check "... nothing left: $(left b1)" test -z "$(left b1)"
if [ $v6 = 1 ]; then
	P11=$(free_port 18130)
	"$PROBE" hold ::1 "$P11" >"$tmp/busy6" &
	pids+=($!)
	disown
	for _ in $(seq 50); do grep -q ready "$tmp/busy6" && break; sleep 0.1; done
	WANT=1 DESC="a port another process holds on [::1] alone is refused too" cr b3 --net veth -p "$P11:80" -- sleep 100
	check "... saying which side: $(head -c 160 /tmp/nstop-err.$$)" \
		grep -q "^nstop: create: --publish 127.0.0.1:$P11:80/tcp (its IPv6 side, \[::1\]): Address already in use" /tmp/nstop-err.$$
	check "... nothing left, its IPv4 side not listening: $(left b3)" \
		eval '[ -z "$(left b3)" ] && ! listens "tcp 127.0.0.1:$P11"'
fi
WANT=1 DESC="an address not the host's is refused" cr b2 --net veth -p "192.0.2.1:$P6:80" -- sleep 100
check "... saying so, nothing left: $(left b2)" \
	eval 'grep -q "Cannot assign requested address (not an address of the host.s)" /tmp/nstop-err.$$ && [ -z "$(left b2)" ]'
WANT=2 DESC="-p without --net veth is refused" cr n1 -p "$P6:80" -- sleep 100
check "... saying why" grep -q "^nstop: create: --publish needs --net veth" /tmp/nstop-err.$$
WANT=2 DESC="... with --net host too" cr n2 --net host -p "$P6:80" -- sleep 100
check "... nothing left, nothing listening: $(left n1)$(left n2)" eval '[ -z "$(left n1)$(left n2)" ] && nolistener "$P6"'
bad() { # bad SPEC WHY
	WANT=2 DESC="--publish '$1' is refused" cr bad1 --net veth -p "$1" -- true
	check "... nstop: create: --publish $1: $2" grep -qF "nstop: create: --publish $1: $2" /tmp/nstop-err.$$
}
bad 8080 "not [HOSTIP:]HOSTPORT:CTRPORT"
bad 0:80 "HOSTPORT: a port number, 1-65535"
bad 80:65536 "CTRPORT: a port number, 1-65535"
bad 80:80/sctp "the protocol is tcp or udp"
bad 1.2.3:80:80 "HOSTIP: an IPv4 address"
bad 010.0.0.1:80:80 "HOSTIP: an IPv4 address"
bad "[::1]:80:80" "HOSTIP: an IPv4 address (IPv6 is not supported)"
bad 8000-8010:80 "port ranges are not supported"
WANT=2 DESC="the same host port twice is refused" cr bad2 --net veth -p "$P6:80" -p "0.0.0.0:$P6:81" -- true
check "... nothing left: $(left bad1)$(left bad2)" test -z "$(left bad1)$(left bad2)"

if host_only; then
	# ---- a failure after the proxy started: all undone ----
	NSTOP_FAIL_AT=proxy WANT=1 DESC="a create failing after its proxy started (NSTOP_FAIL_AT=proxy)" \
		cr f1 --net veth -p "$P6:80" -p "$P6:53/udp" -- sleep 100
	check "... undone: no state, veth or cgroup: $(left f1)" test -z "$(left f1)"
	px=$(jq -r 'select(.action == "create" and .target.name == "f1") | .new.proxy_pid // empty' "$L" | tail -1)
	check "... its proxy (pid ${px:-none}, in the audit record) is gone" eval '[ -n "$px" ] && gone "$px"'
	check "... the port is free again at once" nolistener "$P6"
fi

# ---- a record's ports are untrusted: parsed strictly ----
mkdir -p "$NSTOP_STATE_DIR/junk"
sleep 100 &
victim=$!
pids+=("$victim")
good=$(for i in $(seq 40); do printf '{"host_ip":"127.0.0.1","host_port":%d,"container_port":80,"proto":"tcp"},' $((20000 + i)); done)
jq -n --argjson v "$victim" --argjson good "[${good%,}]" '{name: "junk", id: "junk", pid: 999999999, start: 1,
	cgroups: {}, ports: ([{host_ip: "1.2.3.4\u001b[2J", host_port: 1, container_port: 1, proto: "tcp"},
	{host_ip: "1.2.3.4", host_port: 70000, container_port: 1, proto: "tcp"},
	{host_ip: "1.2.3.4", host_port: 1.5, container_port: 1, proto: "udp"},
	{host_ip: "1.2.3.4", host_port: 1, container_port: 1, proto: "sctp\n"}, "1.2.3.4:1:1/tcp"] + $good),
	proxy: {pid: $v, start: 1}}' >"$NSTOP_STATE_DIR/junk/state.json"
names+=(junk)
out=$("$NSTOP" containers -o NAME,PORTS | sed -n 's/^junk *//p')
check "a hostile record's ports: the valid ones only, at most 32 (got $(tr , '\n' <<<"$out" | grep -c .))" \
	test "$out" = "$(for i in $(seq 32); do printf '127.0.0.1:%d->80/tcp, ' $((20000 + i)); done | sed 's/, $//')"
check "... the same in JSON" \
	test "$("$NSTOP" containers --json | jq '.containers[] | select(.name == "junk") | .ports | length')" = 32
expect_exit 0 "rm of that record" rm -f junk --audit-log "$L"
check "... never signals its proxy's pid when the start time differs (a sleep of the test's lives)" kill -0 "$victim"

# ---- the dashboard's create form: a Publish field ----
if have tmux && host_only; then
	sock=nstop-ports-$$ TSESS=ports SEE_LINES=50
	. "$TOP/tests/lib-tmux.sh"
	names+=(t1)
	T new-session -d -s ports -x 200 -y 50 \
		"env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS $NSTOP --no-config -d 0.5 --audit-log $L; sleep 30"
	see "the dashboard starts" "namespaces "
	keys c
	see "c opens the create form, with a Publish field" "Publish"
	keys t1 Tab "echo tui-port >/tmp/i.html && exec httpd -f -p 8080 -h /tmp" Tab Tab Tab Tab Tab
	keys BSpace BSpace BSpace BSpace veth Tab
	for _ in 1 2 3 4 5 6; do keys BSpace; done
	keys "$parent" Tab bb Tab "$P7:80:80"
	see "a bad spec is named as it is typed" "HOSTIP: an IPv4 address"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do keys BSpace; done
	keys "$P7:8080" Enter
	see "Enter creates the container" "created t1"
	got=
	for _ in $(seq 30); do got=$(fetch "http://127.0.0.1:$P7/i.html" 2>/dev/null) && [ -n "$got" ] && break; sleep 0.1; done
	check "its port serves on 127.0.0.1:$P7 (got: $got)" test "$got" = tui-port
	keys 1 / t1 Enter
	see "the detail pane shows its ports" "ports 127.0.0.1:$P7->8080/tcp"
	px=$(jq -r .proxy.pid "$NSTOP_STATE_DIR/t1/state.json")
	keys d
	see "d asks first" "Remove container t1?"
	keys y
	see "and removes it" "removed container t1"
	check "... its proxy gone" gone "$px"
	check "... and its listener" nolistener "$P7"
	keys q
	tmux_stop
else
	skip "the create form: no tmux, or the guest (its time goes to the kernel's checks)"
fi

expect_exit 0 "image rm bb" image rm bb
check "no sanitizer report from nstop or its proxies: $(ls "$san" | head -3)" test -z "$(ls -A "$san")"
echo "1..$n"
