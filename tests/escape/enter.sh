#!/bin/bash
# enter never grants more than its target has (issue 14): a command entered
# into a default nstop container by name, by pid, by its cgroup path and
# from the dashboard's e in the containers, cgroups and processes views, and
# into a plain unshare sandbox whose caps setpriv cut, must have CapEff,
# CapPrm and CapBnd within the target's (bitwise), seccomp when the target
# has it, no_new_privs when the target has it; entering the network
# namespace alone of a container with a user namespace gives no capability
# at all; only --privileged gives full root, and the audit log says so.
# Every enter is one audit line. The targets' own status is read on the
# host, so a test cannot pass by comparing nothing.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape enter: making containers needs root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escen.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
sock=nstop-escen-$$
TSESS=en
SEE_LINES=40
. "$TOP/tests/lib-tmux.sh"
names=()
parent=$(ctr_parent nstop-escen-$$)
cleanup() {
	local nm d m
	tmux_stop
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	cg_cleanup
	ctr_parent_rm "nstop-escen-$$"
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

field() { awk -v k="$1:" '$1 == k { print $2; exit }'; }
# no_wider DESC TARGET_STATUS ENTERED_STATUS: the entered command's sets
# within the target's, bitwise; its filter and no_new_privs where the
# target has them
no_wider() {
	local d=$1 t=$2 g=$3 k tv gv why=""
	for k in CapEff CapPrm CapBnd; do
		tv=$(field $k <<<"$t"); gv=$(field $k <<<"$g")
		if [ -z "$tv" ] || [ -z "$gv" ]; then why+=" $k unread"; continue; fi
		(((0x$gv & ~0x$tv) == 0)) || why+=" $k $gv is wider than the target's $tv"
	done
	tv=$(field Seccomp <<<"$t"); gv=$(field Seccomp <<<"$g")
	[ -n "$gv" ] || why+=" Seccomp unread"
	[ "$tv" = 2 ] && [ "$gv" != 2 ] && why+=" Seccomp $gv, the target has a filter"
	tv=$(field NoNewPrivs <<<"$t"); gv=$(field NoNewPrivs <<<"$g")
	[ "$tv" = 1 ] && [ "$gv" != 1 ] && why+=" NoNewPrivs $gv, the target has it"
	if [ -z "$why" ]; then
		ok "$d (CapEff $(field CapEff <<<"$g") CapBnd $(field CapBnd <<<"$g") Seccomp $(field Seccomp <<<"$g") NoNewPrivs $(field NoNewPrivs <<<"$g"))"
	else
		notok "$d:$why"
	fi
}
jqok() { jq -e "$@" >/dev/null; }
entered() { "$NSTOP" enter "$@" --audit-log "$L" -- cat /proc/self/status 2>&1; }
mk() { # mk NAME ARGS...: a container, remembered for the cleanup
	local nm=$1; shift
	names+=("$nm")
	expect_exit 0 "create $nm $*" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@"
}

# ---- a default nstop container: by name, pid, cgroup path ----
c=en$$
mk "$c" -- sleep 1000
init=$(jq -r .pid "$NSTOP_STATE_DIR/$c/state.json")
cgp=$("$NSTOP" containers -J | jq -r --arg n "$c" '.containers[] | select(.name == $n) | .cgroup')
ts=$(cat "/proc/$init/status")
check "its init runs with a filter and a cut bounding set (the target is not root's)" \
	test "$(field Seccomp <<<"$ts")" = 2 -a "$(field CapBnd <<<"$ts")" != "$(field CapBnd </proc/self/status)"
no_wider "enter NAME: within the container's init" "$ts" "$(entered "$c")"
no_wider "enter PID ($init): within it" "$ts" "$(entered "$init")"
no_wider "enter /cgroup/path ($cgp): within it" "$ts" "$(entered "$cgp")"
no_wider "enter PID@START: within it" "$ts" "$(entered "$init@$(awk '{print $22}' "/proc/$init/stat")")"
out=$("$NSTOP" enter "$init@1" --audit-log "$L" -- true 2>&1); rc=$?
check "enter PID@START of another start time is refused (exit $rc: $out)" test $rc = 125
g=$("$NSTOP" enter "$c" --audit-log "$L" -- id -u 2>&1)
check "the command's uid is the init's ($g)" test "$g" = "$(awk '/^Uid:/ {print $2}' "/proc/$init/status")"
g=$("$NSTOP" enter "$c" --audit-log "$L" -- sh -c 'env | sort | tr "\n" " "' 2>&1)
check "a clean environment: PATH HOME HOSTNAME container=nstop, nothing of nstop's ($g)" \
	bash -c '[[ "$1" == *"container=nstop"* && "$1" == *"HOSTNAME='"$c"'"* && "$1" == *PATH=* && "$1" != *NSTOP_STATE_DIR* ]]' _ "$g"
exec 7</dev/null
g=$("$NSTOP" enter "$c" --audit-log "$L" -- ls /proc/self/fd 2>&1 | tr '\n' ' ')
exec 7<&-
check "no descriptor above 2 reaches the command ($g)" test "$g" = "0 1 2 3 "

# nstop itself waits on the host: what it does meanwhile (the audit line
# looks the user up through NSS) must not read the container's files
"$NSTOP" enter "$c" --audit-log "$L" -- sleep 3 >/dev/null 2>&1 &
ep=$!
sleep 1
nsout=""
for t in mnt net uts ipc pid; do
	[ "$(readlink /proc/$ep/ns/$t)" = "$(readlink /proc/self/ns/$t)" ] || nsout+=" $t"
done
check "while the command runs, nstop is back in the host's namespaces (${nsout:-all})" test -z "$nsout" -a -e /proc/$ep
wait $ep

# ---- --privileged: full root, and the audit log says so ----
g=$(entered "$c" --privileged)
check "--privileged: the host's full bounding set ($(field CapBnd <<<"$g"))" \
	test "$(field CapBnd <<<"$g")" = "$(field CapBnd </proc/self/status)" -a "$(field Seccomp <<<"$g")" = 0
check "the audit log records it as privileged" \
	jqok -s --arg c "$c" 'map(select(.action == "enter" and .target.word == $c and .new.privileged == true and .result == "ok")) | length == 1' "$L"

# ---- a user namespace: caps count in it, none outside ----
u=eu$$
mk "$u" --ns pid,mnt,uts,ipc,net,cgroup,user -- sleep 1000
uinit=$(jq -r .pid "$NSTOP_STATE_DIR/$u/state.json")
no_wider "enter of a userns container: within its init" "$(cat "/proc/$uinit/status")" "$(entered "$u")"
g=$(entered "$u" --ns net)
check "enter --ns net of it (its user namespace not joined): no capability at all ($(field CapEff <<<"$g") $(field CapBnd <<<"$g"))" \
	test "$(field CapEff <<<"$g")" = 0000000000000000 -a "$(field CapPrm <<<"$g")" = 0000000000000000 -a "$(field CapBnd <<<"$g")" = 0000000000000000

# ---- a plain sandbox with caps cut by setpriv, in cgroups the test made ----
# util-linux's setpriv (busybox's has no --bounding-set)
if setpriv --help 2>&1 | grep -q -- --bounding-set && cg_setup "nstop-escen-sb-$$"; then
	# full paths: a busybox sh runs its own applets first (the v2 guest)
	cg_start sb bash -c 'echo ready; exec "$1" --fork --pid --mount-proc --net --uts "$2" --bounding-set -all,+kill,+net_bind_service --inh-caps -all sleep 1000' _ \
		"$(command -v unshare)" "$(command -v setpriv)"
	sp=""
	for _ in $(seq 50); do
		up=$(pgrep -P "$sb" -x unshare || echo "$sb")
		sp=$(pgrep -P "$up" -x sleep) && break
		sleep 0.1
	done
	if [ -n "$sp" ]; then
		ss=$(cat "/proc/$sp/status")
		check "the sandbox's sleep has the cut set ($(field CapBnd <<<"$ss"))" test "$(field CapBnd <<<"$ss")" = 0000000000000420
		no_wider "enter PID of the sandbox: within its caps" "$ss" "$(entered "$sp")"
	else
		notok "the sandbox did not start"
	fi
else
	skip "a setpriv sandbox: ${CG_WHY:-no setpriv with --bounding-set (util-linux)}"
fi

# ---- the dashboard's e, in each view where the row can be selected ----
if command -v tmux >/dev/null; then
	T new-session -d -s "$TSESS" -x 200 -y 50 \
		"env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config -d 0.5 --audit-log $L; echo NSTOP-EXITED-\$?; sleep 30"
	see "the dashboard starts" "namespaces "
	tui_e() { # tui_e VIEW FILTER DESC
		keys Escape "$1" / "$2" Enter
		sleep 0.5
		keys e
		if ! wait_for "entering"; then notok "$3: e did not enter"; screen | sed 's/^/#   /' | head -20; return; fi
		sleep 0.5
		keys "echo \"CAPS \$(grep -E '^(Cap(Eff|Prm|Bnd)|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\\t' | tr '\\n' ' ')END\"" Enter
		wait_for "END" >/dev/null
		sleep 0.3
		local line
		line=$(screen | grep '^CAPS Cap' | tail -1)
		no_wider "$3" "$ts" "$(sed 's/^CAPS //; s/END$//' <<<"$line" | tr ' ' '\n' | sed 's/:/: /')"
		keys 'exit' Enter
		wait_for "back from" >/dev/null
		T clear-history -t "$TSESS"
	}
	tui_e 1 "$c" "e in the containers view: within the init"
	tui_e 3 "$c" "e in the cgroups view: within the init"
	tui_e 4 "$init" "e in the processes view (pid $init): within it"
	keys q
else
	skip "the dashboard's e: tmux is missing"
fi

# ---- the audit log: one line per enter ----
check "every enter is in the audit log with pid, ns, command and result" \
	jqok -s 'map(select(.action == "enter")) | length >= 12 and all(.new.pid > 0 and (.new.ns | type) == "string" and (.new.command | type) == "array" and (.result == "ok" or .result == "failed"))' "$L"
echo "1..$n"
