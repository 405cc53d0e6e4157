#!/bin/bash
# Attacks through a default container's view of the host, its environment,
# its descriptors, its session and its user-namespace ids (issue 14):
# secrets planted by the test under /var/lib (Docker's config.v2.json, a
# kubelet secret volume), in /etc/ssl/private and /etc must not be readable
# inside, a unix socket the test listens on under /var/lib must not be
# reachable, /sys must hold no debugfs, tracefs or bpffs (even with
# --net host) and /sys/firmware nothing; nstop's environment and open
# descriptors must not reach the container, its session must not be the
# caller's (/dev/tty: ENXIO), and two containers made at once get disjoint
# id blocks in systemd's container range, never one mapped elsewhere.
# Every attack runs as the container's own command (a static probe under
# /usr/local, which the default view shows) and is checked against the
# host first, so that it cannot pass by not running.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape fs: making containers needs root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escfs.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
plant=/var/lib/nstop-escape-$$
pdir=/usr/local/lib/nstop-escape-$$
F=$pdir/fsprobe
etcf=/etc/nstop-escape-$$.conf
ssl=/etc/ssl/private/nstop-escape-$$.key
mark=NSTOP-ESCAPE-MARK-$$
names=() pids=() made=()
parent=$(ctr_parent nstop-escfs-$$)
cleanup() {
	local nm p d m
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ctr_parent_rm "nstop-escfs-$$"
	rm -rf "$plant" "$pdir"
	rm -f "$etcf" "$ssl"
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do rmdir "${made[i]}" 2>/dev/null; done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
mkd() { [ -d "$1" ] || { mkdir "$1" && made+=("$1"); }; }

# the probe where the default view shows it
mkd /usr/local; mkd /usr/local/lib
mkdir "$pdir" && cp "$TOP/$B/tests/fsprobe" "$F"
# the secrets: Docker's and the kubelet's (a temporary tree under /var/lib),
# one key in /etc/ssl/private, one file in /etc no allowlist names
id=0123456789abcdef$$
mkdir -p "$plant/docker/containers/$id" "$plant/kubelet/pods/p$$/volumes/kubernetes.io~secret/tok"
echo "{\"Config\":{\"Env\":[\"DB_PASSWORD=$mark\"]}}" >"$plant/docker/containers/$id/config.v2.json"
echo "$mark" >"$plant/kubelet/pods/p$$/volumes/kubernetes.io~secret/tok/token"
mkd /var; mkd /var/lib
mkd /etc/ssl; mkd /etc/ssl/private
(umask 077; echo "$mark" >"$ssl")
echo "$mark" >"$etcf"
"$F" listen "$plant/docker.sock" >"$tmp/listen.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$plant/docker.sock" ] && break; sleep 0.1; done
cfg=$plant/docker/containers/$id/config.v2.json
kube=$plant/kubelet/pods/p$$/volumes/kubernetes.io~secret/tok/token
attack="echo \"cfg: \$($F read $cfg)\"; echo \"kube: \$($F read $kube)\"; echo \"ssl: \$($F read $ssl)\"
echo \"etc: \$($F read $etcf)\"; echo \"sock: \$($F connect $plant/docker.sock)\"
echo \"firmware: \$($F count /sys/firmware)\"; echo \"powercap: \$($F count /sys/class/powercap)\"
echo \"vpowercap: \$($F count /sys/devices/virtual/powercap)\"
echo \"debug: \$($F count /sys/kernel/debug)\"; echo \"tracing: \$($F count /sys/kernel/tracing)\"
echo \"bpf: \$($F count /sys/fs/bpf)\"; $F mounts | sed 's/^/mount: /'
for p in kcore keys timer_list sched_debug latency_stats kallsyms; do echo \"proc-\$p: \$($F read /proc/\$p)\"; done
for p in acpi scsi asound; do echo \"procdir-\$p: \$($F count /proc/\$p)\"; done"

# run NAME SCRIPT [CREATE-ARGS...]: SCRIPT as the container's command (sh
# -c); waits for it to end; its log in $tmp/log.NAME. ${pre[@]} runs create.
pre=()
run() {
	local nm=$1 s=$2; shift 2
	names+=("$nm")
	if ! "${pre[@]}" "$NSTOP" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@" \
		-- sh -c "$s; echo nstop-escape-end" >/dev/null 2>"$tmp/err.$nm"; then
		echo "# create $nm failed: $(head -1 "$tmp/err.$nm")"
		: >"$tmp/log.$nm"; return 1
	fi
	for _ in $(seq 100); do grep -q nstop-escape-end "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null && break; sleep 0.1; done
	cp "$NSTOP_STATE_DIR/$nm/log" "$tmp/log.$nm"
}
got() { sed -n "s/^$2: //p" "$tmp/log.$1" | head -1; }
got2() { sed -n "s/^$2 //p" "$tmp/log.$1" | head -1; } # the probe's own "WHAT VALUE" lines
denied() { # denied NAME KEY: the probe ran and did not succeed
	local v; v=$(got "$1" "$2")
	[ -n "$v" ] && [[ "$v" != *" ok"* ]]
}
empty() { # empty NAME KEY: nothing in it (0 entries) or not there at all
	local v; v=$(got "$1" "$2")
	[ "$v" = "count 0" ] || [ "$v" = "count ENOENT" ]
}

# ---- the attacks work on the host: the planted things are real ----
h=$(sh -c "$attack")
check "host: the planted config.v2.json reads ($(echo "$h" | grep ^cfg:))" bash -c '[[ "$1" == *"cfg: read ok"*"$2"* ]]' _ "$h" "$mark"
check "host: the planted kubelet secret reads" bash -c '[[ "$1" == *"kube: read ok $2"* ]]' _ "$h" "$mark"
check "host: the planted /etc/ssl/private key reads" bash -c '[[ "$1" == *"ssl: read ok $2"* ]]' _ "$h" "$mark"
check "host: the planted /etc file reads" bash -c '[[ "$1" == *"etc: read ok $2"* ]]' _ "$h" "$mark"
check "host: the socket under /var/lib accepts ($(echo "$h" | grep ^sock:))" bash -c '[[ "$1" == *"sock: connect ok"* ]]' _ "$h"

# ---- a default container ----
run d1 "$attack"
check "the default container ran the attacks" grep -q nstop-escape-end "$tmp/log.d1"
check "/var/lib/docker-like config.v2.json is not readable inside ($(got d1 cfg))" denied d1 cfg
check "a kubelet-like secret under /var/lib is not readable inside ($(got d1 kube))" denied d1 kube
check "the key planted in /etc/ssl/private is not readable inside ($(got d1 ssl))" denied d1 ssl
check "an /etc file outside the allowlist is not there inside ($(got d1 etc))" test "$(got d1 etc)" = "read ENOENT"
check "the unix socket under /var/lib cannot be connected to ($(got d1 sock))" denied d1 sock
check "no secret's content reached the log" bash -c "! grep -q '$mark' '$tmp/log.d1'"
check "/sys/firmware shows nothing ($(got d1 firmware); host: $(ls /sys/firmware 2>/dev/null | wc -l))" empty d1 firmware
check "/sys/class/powercap shows nothing ($(got d1 powercap))" empty d1 powercap
check "/sys/devices/virtual/powercap shows nothing ($(got d1 vpowercap))" empty d1 vpowercap
for p in kcore keys timer_list sched_debug latency_stats kallsyms; do
	v=$(got d1 "proc-$p")
	# masked: /dev/null bound nodev (EACCES), or absent on this kernel
	check "/proc/$p is masked ($v)" bash -c '[ "$1" = "read ok " ] || [ "$1" = "read ENOENT" ] || [ "$1" = "read EACCES" ]' _ "$v"
done
for p in acpi scsi asound; do
	check "/proc/$p is masked ($(got d1 "procdir-$p"))" empty d1 "procdir-$p"
done
check "the sysfs is read-only" bash -c "grep -q '^mount: sysfs /sys$' '$tmp/log.d1'"

names+=(m0)
expect_exit 2 "a container without a mount namespace (the host's whole filesystem, writable) is refused" \
	create m0 --ns pid,uts,ipc,net --cgroup-parent "$parent" --audit-log "$L" -- true
check "... nothing was made for it" test ! -e "$NSTOP_STATE_DIR/m0"

# ---- --net host, from a mount namespace where /sys holds tracefs, bpffs
# and debugfs (private to the test): none may come along ----
wrap=(unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing; mount -t bpf bpf /sys/fs/bpf; mount -t debugfs nodev /sys/kernel/debug 2>/dev/null; exec "$0" "$@"')
hs=$("${wrap[@]}" "$F" mounts)
check "host: the test's tracefs and bpffs are mounted under /sys where nstop runs" \
	bash -c '[[ "$1" == *"tracefs /sys/kernel/tracing"* && "$1" == *"bpf /sys/fs/bpf"* ]]' _ "$hs"
pre=("${wrap[@]}")
run n1 "$attack" --ns pid,mnt,uts,ipc --net host
pre=()
check "with --net host, the attacks ran" grep -q nstop-escape-end "$tmp/log.n1"
tb=$(grep -E '^mount: (tracefs|debugfs|bpf|efivarfs|securityfs) ' "$tmp/log.n1" | head -3 | tr '\n' ' ')
check "with --net host, no tracefs, debugfs, bpffs, efivarfs under /sys ($tb)" test -z "$tb"
check "... /sys/kernel/tracing is empty ($(got n1 tracing))" empty n1 tracing
check "... /sys/fs/bpf is empty ($(got n1 bpf))" empty n1 bpf
check "... /sys/kernel/debug is empty ($(got n1 debug))" empty n1 debug
check "... /sys/firmware shows nothing ($(got n1 firmware))" empty n1 firmware
check "... a sysfs of its own, read-only" bash -c "grep -q '^mount: sysfs /sys$' '$tmp/log.n1'"
check "... the socket under /var/lib cannot be connected to ($(got n1 sock))" denied n1 sock
check "... nor config.v2.json read ($(got n1 cfg))" denied n1 cfg

# ---- the environment ----
envf=$tmp/envf
printf '# a comment\n\n  # another\nFILEVAR=from-file-%s\nSPACED=a b=c\n' $$ >"$envf"
SECRET_TOKEN=$mark SSH_AUTH_SOCK=/tmp/nstop-agent-$$ run e0 "$F env; echo \"init-env: \$($F has /proc/1/environ $mark)\""
check "e0 ran" grep -q nstop-escape-end "$tmp/log.e0"
check "an env var set when calling create is absent inside" bash -c "! grep -q '$mark' '$tmp/log.e0'"
check "SSH_AUTH_SOCK is absent inside" bash -c "! grep -q '^SSH_AUTH_SOCK=' '$tmp/log.e0'"
check "nor in the init's /proc/1/environ ($(got e0 init-env))" test "$(got e0 init-env)" = "has no"
check "the clean set: PATH, HOME, TERM, HOSTNAME, container=nstop" \
	bash -c "grep -qx 'container=nstop' '$tmp/log.e0' && grep -qx 'HOSTNAME=e0' '$tmp/log.e0' && grep -qx 'HOME=/root' '$tmp/log.e0' && grep -q '^PATH=/' '$tmp/log.e0' && grep -q '^TERM=' '$tmp/log.e0'"
SECRET_TOKEN=$mark run e1 "$F env" -e FOO=bar-$$ --env "HOSTNAME=over-$$" --env-file "$envf"
check "-e FOO=bar is there inside" grep -qx "FOO=bar-$$" "$tmp/log.e1"
check "--env-file's variables are there inside" bash -c "grep -qx 'FILEVAR=from-file-$$' '$tmp/log.e1' && grep -qx 'SPACED=a b=c' '$tmp/log.e1'"
check "-e overrides the clean set (HOSTNAME)" bash -c "grep -qx 'HOSTNAME=over-$$' '$tmp/log.e1' && [ \$(grep -c '^HOSTNAME=' '$tmp/log.e1') = 1 ]"
check "and still no caller's variable" bash -c "! grep -q '$mark' '$tmp/log.e1'"
printf 'A=1\nnot a pair\n' >"$tmp/envbad"
expect_exit 2 "a bad --env-file line is refused" create e2 --cgroup-parent "$parent" --audit-log "$L" --env-file "$tmp/envbad"
check "... naming FILE:LINE ($(head -1 /tmp/nstop-err.$$))" grep -q "envbad:2" /tmp/nstop-err.$$
# a bare -e KEY takes the caller's value, as docker's does; a KEY that is no
# name is refused
expect_exit 2 "-e with no KEY before = is refused" create e2 --cgroup-parent "$parent" --audit-log "$L" -e =NOKEY
check "nothing was made for them" test ! -e "$NSTOP_STATE_DIR/e2"

# ---- descriptors the caller holds open: fd 7, and one above the 1024 that
# a close loop would stop at (3000, or the highest the limit allows) ----
names+=(f1)
(
	ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
	hi=$(ulimit -n); [ "$hi" = unlimited ] && hi=4096
	hi=$((hi > 3001 ? 3000 : hi - 1))
	exec 7<"$cfg"
	if [ "$hi" -gt 1024 ]; then eval "exec $hi<\"\$cfg\""; echo "7 and $hi" >"$tmp/fds"; else echo "7 only: fd limit $hi" >"$tmp/fds"; fi
	run f1 "$F fds; echo \"cfg7: \$($F read /proc/self/fd/7)\""
)
check "f1 ran" grep -q nstop-escape-end "$tmp/log.f1"
check "the command has only fds 0, 1, 2 ($(got2 f1 self); the caller held $(cat "$tmp/fds"))" test "$(got2 f1 self)" = "0 1 2"
check "the container's init has only fds 0, 1, 2 ($(got2 f1 init))" test "$(got2 f1 init)" = "0 1 2"
check "the caller's fd 7 cannot be read through ($(got f1 cfg7))" denied f1 cfg7

# ---- its own session: the caller's terminal is never its own. create runs
# on a terminal (script(1), or a tmux pane where script is missing) ----
on_tty() { # on_tty FILE: runs sh FILE with a controlling terminal
	if command -v script >/dev/null; then
		script -qec "sh $1" /dev/null </dev/null >/dev/null
	elif command -v tmux >/dev/null; then
		local so=nstop-escfs-$$
		tmux -L "$so" -f /dev/null new-session -d -x 80 -y 24 "sh $1; tmux -L $so wait-for -S done-$$"
		timeout 30 tmux -L "$so" wait-for "done-$$"
		tmux -L "$so" kill-server 2>/dev/null
		return 0
	else
		return 1
	fi
}
echo "$F sid >$tmp/sid-host.out 2>&1" >"$tmp/sid-host.sh"
if on_tty "$tmp/sid-host.sh"; then
	check "host: on a terminal, /dev/tty opens ($(tr '\n' ' ' <"$tmp/sid-host.out"))" grep -qx "tty ok" "$tmp/sid-host.out"
	names+=(s1)
	printf '"%s" create s1 --cgroup-parent "%s" --audit-log "%s" -- %s sid >/dev/null 2>&1\n' "$NSTOP" "$parent" "$L" "$F" >"$tmp/mk-s1.sh"
	on_tty "$tmp/mk-s1.sh"
	for _ in $(seq 50); do grep -q '^tty' "$NSTOP_STATE_DIR/s1/log" 2>/dev/null && break; sleep 0.1; done
	cp "$NSTOP_STATE_DIR/s1/log" "$tmp/log.s1" 2>/dev/null
	check "inside, its session is the container init's (sid $(got2 s1 sid))" test "$(got2 s1 sid)" = 1
	check "inside, /dev/tty gives ENXIO ($(got2 s1 tty))" test "$(got2 s1 tty)" = "ENXIO"
else
	skip "setsid: neither script(1) nor tmux to give create a terminal"
fi

# ---- user namespaces: disjoint blocks, made at once ----
U=(--ns pid,mnt,uts,ipc,net,cgroup,user)
names+=(ua ub)
"$NSTOP" create ua --cgroup-parent "$parent" --audit-log "$L" "${U[@]}" -- sleep 1000 >/dev/null 2>"$tmp/err.ua" &
p1=$!
"$NSTOP" create ub --cgroup-parent "$parent" --audit-log "$L" "${U[@]}" -- sleep 1000 >/dev/null 2>"$tmp/err.ub" &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two user-namespace containers made at once ($r1 $r2)" test "$r1 $r2" = "0 0"
ba=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/ua/state.json" 2>/dev/null)
bb=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/ub/state.json" 2>/dev/null)
inrange() { [ -n "$1" ] && [ "$1" -ge 524288 ] && [ $(($1 + 65535)) -le 1879048191 ] && [ $(($1 % 65536)) = 0 ]; }
check "their blocks are in systemd's container range, 65536 each ($ba, $bb)" bash -c "$(declare -f inrange); inrange '$ba' && inrange '$bb'"
check "and disjoint" test -n "$ba" -a "$ba" != "$bb"
maps=""
for nm in ua ub; do
	p=$(jq -r .pid "$NSTOP_STATE_DIR/$nm/state.json" 2>/dev/null)
	maps+="$(awk '{print $1, $2, $3}' "/proc/$p/uid_map" 2>/dev/null)/$(awk '{print $1, $2, $3}' "/proc/$p/gid_map" 2>/dev/null) "
done
check "the kernel's uid and gid maps are those blocks ($maps)" test "$maps" = "0 $ba 65536/0 $ba 65536 0 $bb 65536/0 $bb 65536 "
sub=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: -v a="${ba:-0}" -v b="${bb:-0}" 'NF == 3 {
	for (i = 0; i < 2; i++) { x = i ? b : a; if ($2 < x + 65536 && x < $2 + $3) print $0 } }')
check "neither overlaps an /etc/subuid or /etc/subgid range ($sub)" test -z "$sub"
# a block some other user namespace maps is skipped: free the lower one,
# hold it with a namespace of the test's own, create again
lo=$ba lonm=ua
[ -n "$bb" ] && [ -n "$ba" ] && [ "$bb" -lt "$ba" ] && lo=$bb lonm=ub
"$NSTOP" rm -f "$lonm" --audit-log "$L" >/dev/null 2>&1
# the removed container's init is reaped by PID 1, which takes its time:
# until then its namespace still maps the block; the holder's must be the
# only one that does
for _ in $(seq 100); do grep -q "^ *0 *$lo " /proc/[0-9]*/uid_map 2>/dev/null || break; sleep 0.1; done
unshare --user sleep 1000 &
holder=$!
pids+=($holder)
for _ in $(seq 50); do [ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break; sleep 0.1; done
# as its 65th extent, after 64 single ids (a reader that stops at 64 misses it)
{ for i in $(seq 0 63); do echo "$i $((2000000000 + i)) 1"; done; echo "100000 $lo 65536"; } >"$tmp/map65"
cat "$tmp/map65" >/proc/$holder/uid_map 2>/dev/null
check "a foreign user namespace holds block $lo as the 65th extent of its map ($(wc -l </proc/$holder/uid_map) lines)" \
	bash -c "awk 'NR == 65 {print \$2}' /proc/$holder/uid_map | grep -qx '$lo'"
names+=(uc ud)
"$NSTOP" create uc --cgroup-parent "$parent" --audit-log "$L" "${U[@]}" -- sleep 1000 >/dev/null 2>&1
bc=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/uc/state.json" 2>/dev/null)
check "a new container skips the block another namespace maps ($bc, not $lo)" bash -c "$(declare -f inrange); inrange '$bc' && [ '$bc' != '$lo' ] && [ '$bc' != '$ba' -o '$lonm' = ua ] && [ '$bc' != '$bb' -o '$lonm' = ub ]"
kill -KILL $holder; wait $holder 2>/dev/null
"$NSTOP" create ud --cgroup-parent "$parent" --audit-log "$L" "${U[@]}" -- sleep 1000 >/dev/null 2>&1
bd=$(jq -r '.userns.base // empty' "$NSTOP_STATE_DIR/ud/state.json" 2>/dev/null)
# first fit: another run on this machine (its own registry) may free a lower
# block meanwhile, which is then the right one, or take the freed block first
# (a namespace nstop must skip)
taken=$(grep -l "^ *[0-9]* *$lo " /proc/[0-9]*/uid_map 2>/dev/null | head -1)
if [ -n "$bd" ] && [ "$bd" -gt "$lo" ] 2>/dev/null && [ -n "$taken" ]; then
	skip "the freed block $lo was taken meanwhile by another namespace ($taken), so $bd is right"
else
	check "once that namespace is gone, the block is used again ($bd, the first free: $lo or below)" \
		bash -c "$(declare -f inrange); inrange '$bd' && [ '$bd' -le '$lo' ]"
fi
echo "1..$n"
