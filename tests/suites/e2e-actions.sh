#!/bin/bash
# The action keys in the dashboard, driven in tmux: throttle from the limits
# dialog (validated as you type), see the new limit, undo it; freeze and
# thaw; kill from the signal menu after the confirmation. On a CPU hog the
# test started, in cgroups made beneath its own.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
command -v tmux >/dev/null || { notok "tmux is missing (make deps)"; echo "1..$n"; exit 0; }
if ! need_root; then
	skip "dashboard actions: changing cgroups needs root"; echo "1..$n"; exit 0
fi
sock=nstop-e2ea-$$
SEE_LINES=50 NOTSEE_WAIT=0.6
. "$TOP/tests/lib-tmux.sh"
tmp=$(mktemp -d /tmp/nstop-e2ea.XXXXXX)
L=$tmp/audit.log
export NSTOP_STATE_DIR=$tmp/state
ctr=tui$$
cleanup() {
	"$NSTOP" rm -f "$ctr" --audit-log "$L" >/dev/null 2>&1
	local d
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$d" -maxdepth 6 -depth -type d -name "nstop-e2ea-c$$" -exec rmdir {} + 2>/dev/null
	done
	tmux_stop
	cg_cleanup
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
if ! cg_setup "nstop-e2ea-$$"; then
	skip "dashboard actions: $CG_WHY"; echo "1..$n"; exit 0
fi
cpu_file() { if [ $CG_MODE = v2 ]; then cat "$CG_DIR_cpu/cpu.max"; else cat "$CG_DIR_cpu/cpu.cfs_quota_us"; fi; }

cg_start hog "$B/tests/hog" cpu
T new-session -d -s e2e -x 200 -y 50 \
	"env LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$NSTOP_STATE_DIR $NSTOP --no-config -d 0.5 --audit-log $L; echo NSTOP-EXITED-\$?; sleep 30"
see "the dashboard starts" "namespaces "
keys 4 / "$hog" Enter
see "the hog is selected in the processes view" "1 row  "
keys f
see "f on a pid in no container is refused, naming the way out" "in no container: name its cgroup path"
keys Escape 3 / "$CG_PATH_cpu" Enter
see "its cgroup is selected in the cgroups view" "$CG_PATH_cpu"
keys t
see "t opens the limits dialog" "Limits of cgroup $CG_PATH_cpu"
see "pre-filled with the current values" "max"
keys BSpace BSpace BSpace a b c
see "validation as you type" "not a CPU amount"
keys BSpace BSpace BSpace 0 . 2 5
notsee "a valid value clears the error" "not a CPU amount"
keys Enter
see "the result is in the status line" "cpu max -> 0.25 CPU"
if [ $CG_MODE = v2 ]; then want="25000 100000"; else want=25000; fi
check "the kernel holds it ($(cpu_file))" test "$(cpu_file)" = "$want"
see "the new limit shows in the cgroups view" "25.0"
keys u
see "u undoes it" "undone on cgroup $CG_PATH_cpu: cpu 0.25 CPU -> max"
if [ $CG_MODE = v2 ]; then want="max 100000"; else want=-1; fi
check "the kernel holds the old value again ($(cpu_file))" test "$(cpu_file)" = "$want"
notsee "and the view shows no limit" "25.0"

keys f
see "f freezes" "froze cgroup $CG_PATH_cpu"
see "the cgroup shows as frozen (0 % CPU)" " 0.0 "
keys f
see "f again thaws" "thawed cgroup $CG_PATH_cpu"

keys t Escape
see "Esc leaves the dialog without a change" "t: cancelled, nothing changed"
keys Escape 4 / "$hog" Enter
keys k
see "k opens the signal menu" "Signal"
keys Down Enter
see "a confirmation names the process" "Send SIGKILL to pid $hog"
keys n
see "declining sends nothing" "k: not sent"
check "the hog still runs" kill -0 "$hog"
keys k Down Enter y
see "confirmed, SIGKILL is sent" "SIGKILL sent to pid $hog"
for _ in $(seq 50); do [ -e /proc/$hog ] && [ "$(awk '{print $3}' /proc/$hog/stat)" != Z ] || break; sleep 0.1; done
check "and the hog is gone" bash -c "[ ! -e /proc/$hog ] || [ \"\$(awk '{print \$3}' /proc/$hog/stat)\" = Z ]"

# ---- c: the create form; e: a shell inside; d: remove ----
if [ $CG_MODE = v2 ]; then
	v2root=$(cg_mnt ""); par=${NSTOP_TEST_CGROUP:-$v2root$(cg_own "")}
	cparent=${par#"$v2root"}/nstop-e2ea-c$$
else
	cparent=nstop-e2ea-c$$
fi
# the form's request goes to run_create, whose error comes back as data:
# a CLI's printed line ("nstop: create: ...") on the status line would be
# output scraped
mkdir "$tmp/img,x"
keys c
see "c opens the create form" "Create a container"
keys "$ctr" Tab Tab "$tmp/img,x" Enter
see "a refused create says why on the status line" "c: --rootfs: an absolute path without , : or"
notsee "in its own words, not a CLI's scraped output" "nstop: create:"
keys c
see "c opens the create form again" "Create a container"
keys '1bad'; keys BSpace BSpace BSpace BSpace
keys 'bad/name'
see "the name is validated as you type" "letters, digits"
for _ in 1 2 3 4 5 6 7 8; do keys BSpace; done
keys "$ctr" Tab "sleep 1000" Tab Tab 1.5x
see "so is the CPU" "not a CPU amount"
keys BSpace Tab Tab Tab Tab
for _ in 1 2 3 4 5 6; do keys BSpace; done
keys "$cparent" Enter
see "Enter creates it" "created $ctr"
check "it is in the registry" test -f "$NSTOP_STATE_DIR/$ctr/state.json"
keys 1 / "$ctr" Enter
see "the containers view lists it as nstop's" "nstop"
keys e
see "e hands the terminal to a shell in it" "entering container $ctr"
sleep 1
keys 'echo "inside-$(hostname)"' Enter
see "a command runs inside (its hostname)" "inside-$ctr"
keys 'exit' Enter
see "exit brings the dashboard back" "back from container $ctr (exit 0)"
keys d
see "d asks first" "Remove container $ctr?"
keys y
see "and removes it" "removed container $ctr"
check "the registry entry is gone" test ! -e "$NSTOP_STATE_DIR/$ctr"


# the same create and rm from the CLI: the same records, time, pids and
# ids aside (the dashboard's create had --cpu 1.5 and the default --net none)
L2=$tmp/audit-cli.log
"$NSTOP" create "$ctr" --cgroup-parent "$cparent" --cpu 1.5 --net none --audit-log "$L2" -- sh -c "sleep 1000" >/dev/null
"$NSTOP" rm "$ctr" --audit-log "$L2" >/dev/null
norm='select(.action == "create" or .action == "rm")
	| {action, target: (.target | del(.pid, .id, .cgroup_ids)), old, new: (.new | del(.id, .pid)), result}'
tui_recs=$(jq -c "$norm" "$L") cli_recs=$(jq -c "$norm" "$L2")
check "the dashboard's create and rm log what the CLI's do (action, target, old, new, result)" \
	test -n "$cli_recs" -a "$tui_recs" = "$cli_recs"
[ "$tui_recs" = "$cli_recs" ] || diff <(echo "$tui_recs") <(echo "$cli_recs") | sed 's/^/#   /'
# the dashboard writes rm's record itself (run_rm), as it writes limit's:
# no nstop rm was run for it (a record's id ends in its writer's pid)
check "the dashboard's rm is recorded by the dashboard itself, not a CLI it ran" \
	test "$(jq -r 'select(.action == "rm") | .id | sub(".*-"; "")' "$L")" = \
	"$(jq -r 'select(.action == "limit") | .id | sub(".*-"; "")' "$L")"

keys q
see "q quits" "NSTOP-EXITED-0"
check "every dashboard action is in the audit log (limit, undo, freeze, thaw, kill, create, enter, rm)" \
	test "$(jq -r .action "$L" | tr '\n' ' ')" = "limit undo freeze thaw kill create enter rm "
echo "1..$n"
