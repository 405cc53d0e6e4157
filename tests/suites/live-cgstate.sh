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
ctr=cgst$$
cleanup() {
	tmux_stop
	"$NSTOP" rm -f "$ctr" --audit-log "$L" >/dev/null 2>&1
	ctr_parent_rm "$pname"
	cg_cleanup
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
st() { "$NSTOP" containers -J | jq -r --arg n "$ctr" '.containers[] | select(.name == $n) | .state'; }
st_text() { "$NSTOP" containers -H -o NAME,STATE | awk -v n="$ctr" '$1 == n { print $2 }'; }
cgf() { # cgf PATH -> the cgroups listing's frozen
	"$NSTOP" cgroups -J | jq -r --arg p "$1" '.cgroups[] | select(.path == $p) | .frozen | tostring'
}
cgf_text() { "$NSTOP" cgroups -H -o PATH,FROZEN | awk -v p="$1" '$1 == p { print $2 }'; }

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
ok "the kernel says:$how"
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
notsee "and not memory -" "memory -"
if [ "$memp" != "$cgp" ]; then
	see "and names the memory hierarchy's path" "memory $memp"
else
	ok "# its memory path is its cgroup's here: nothing more to see"
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
echo "1..$n"
