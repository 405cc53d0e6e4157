#!/bin/bash
# Attack part (root): docker's spellings and what came with them (review
# atk19c). (1) Shell completion: a cgroup anyone with a delegated subtree
# (a systemd user manager, rootless podman, a container with a writable
# cgroupfs) may name, shaped as an LXC container lxc.payload.$(CMD), is
# offered by nstop containers and nstop cgroups; bash's compgen -W expands
# each word of its list, so pressing TAB after "nstop limit " as root ran
# CMD. (2) --rm: the supervisor checks the container's id, then removes
# by name: a supervisor slowed between the two (strace delays it here, a
# loaded host does the same) removes the container made since under the
# same name. (3) --rm with a relative --audit-log or NSTOP_STATE_DIR: the
# supervisor (chdir /) records the removal in /FILE, or never removes.
# (4) --rm with stdout a closed pipe: SIGPIPE ends create after the
# report, before the supervisor: the container stays. (5) --rm's
# supervisor keeps create's command line, -e values included, readable by
# every local user while the container runs. (6) kill A B --grace: B is
# hit as resolved, after A's grace, whatever now has its name and cgroup
# path.
# shellcheck disable=SC2016 # the $(...) of the attack and bash -c scripts stay literal
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape aliases: containers and cgroups need root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escal.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
parent=$(ctr_parent nstop-escal-$$)
names=() pids=() strays=()
cleanup() {
	local nm p f
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	(cd "$tmp/rel" 2>/dev/null && NSTOP_STATE_DIR=relstate "$NSTOP" rm -f "ra$$" --audit-log "$L" >/dev/null 2>&1)
	cg_cleanup
	ctr_parent_rm "nstop-escal-$$"
	for f in "${strays[@]}"; do rm -f "$f"; done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- (1) bash completion runs a command named by a cgroup ----
evil='lxc.payload.$(touch${IFS}esc-al-pwned)'
if cg_setup "nstop-escal-cg-$$"; then
	sleep 300 &
	CG_PIDS+=("$!")
	for f in "${CG_PROCS[@]}"; do
		d=$(dirname "$f")
		mkdir "$d/$evil" && echo "${CG_PIDS[-1]}" >"$d/$evil/cgroup.procs"
	done
	seen=$("$NSTOP" containers -d 0 -H -o NAME,RUNTIME 2>/dev/null | grep -c -F '$(touch${IFS}esc-al-pwned)')
	check "the cgroup shows as an LXC container named \$(touch\${IFS}esc-al-pwned) ($seen)" test "$seen" -ge 1
	mkdir "$tmp/cwd"
	# bcomp WORD...: complete the last word as bash would, in $tmp/cwd
	bcomp() {
		(cd "$tmp/cwd" && bash --norc --noprofile -c 'source "$1/completions/nstop.bash"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nstop' _ "$TOP" "$@" >/dev/null 2>&1)
	}
	for words in "limit|" "kill|" "rm|" "logs|" "limit|/"; do
		IFS='|' read -r sub cur <<<"$words"
		rm -f "$tmp/cwd/esc-al-pwned"
		bcomp "$NSTOP" "$sub" "$cur"
		check "bash: completing \"nstop $sub $cur\" runs nothing a cgroup's name says" test ! -e "$tmp/cwd/esc-al-pwned"
	done
	rm -f "$tmp/cwd/esc-al-pwned"
	bcomp "$NSTOP" create x --cgroup-parent ""
	check "bash: completing --cgroup-parent runs nothing a cgroup's name says" test ! -e "$tmp/cwd/esc-al-pwned"
else
	skip "completion: no cgroup of the test's own ($CG_WHY)"
fi

# ---- (2) --rm's supervisor removes the container made since under its name ----
if command -v strace >/dev/null; then
	x=race$$
	names+=("$x")
	expect_exit 0 "create $x --rm (its command ends in 2 s)" create "$x" --rm --cgroup-parent "$parent" --audit-log "$L" -- sleep 2
	ia=$(jq -r .pid "$NSTOP_STATE_DIR/$x/state.json" 2>/dev/null)
	sup=""
	for _ in $(seq 50); do
		for p in $(pgrep -x nstop-rm); do grep -qaF "$x" "/proc/$p/cmdline" 2>/dev/null && sup=$p; done
		[ -n "$sup" ] && break
		sleep 0.1
	done
	if [ -n "$sup" ]; then
		# the supervisor's first open after it read the state (the
		# registry's directory, the name's, state.json): held 6 s
		strace -qq -p "$sup" -o /dev/null -e trace=openat -e inject=openat:delay_exit=6000000:when=4 &
		pids+=("$!")
		sleep 0.5
		for _ in $(seq 100); do kill -0 "$ia" 2>/dev/null || break; sleep 0.1; done
		sleep 0.5
		"$NSTOP" rm -f "$x" --audit-log "$L" >/dev/null 2>&1
		expect_exit 0 "create $x again, without --rm, once the first is gone" create "$x" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000
		idb=$(jq -r .id "$NSTOP_STATE_DIR/$x/state.json" 2>/dev/null)
		ib=$(jq -r .pid "$NSTOP_STATE_DIR/$x/state.json" 2>/dev/null)
		for _ in $(seq 150); do kill -0 "$sup" 2>/dev/null || break; sleep 0.1; done
		now=$(jq -r .id "$NSTOP_STATE_DIR/$x/state.json" 2>/dev/null)
		check "--rm: the supervisor of the first left the second alone (state ${now:-gone}, want $idb)" \
			test -n "$idb" -a "$now" = "$idb"
		check "--rm: the second's init still runs ($ib)" bash -c 'kill -0 "$1" 2>/dev/null' _ "${ib:-0}"
	else
		notok "--rm: no nstop-rm supervisor for $x"
	fi
else
	skip "--rm race: strace is missing (make deps)"
fi

# ---- (3) --rm with relative paths: the supervisor works from / ----
mkdir -p "$tmp/rel"
rl=esc-al-$$.log
strays+=("/$rl")
(cd "$tmp/rel" && "$NSTOP" create "rl$$" --rm --cgroup-parent "$parent" --audit-log "$rl" -- true >/dev/null 2>&1)
names+=("rl$$")
for _ in $(seq 100); do [ -e "$NSTOP_STATE_DIR/rl$$" ] || break; sleep 0.1; done
check "--rm with a relative --audit-log: removed" test ! -e "$NSTOP_STATE_DIR/rl$$"
check "--rm with a relative --audit-log: the removal recorded in it" \
	bash -c 'grep -q "\"action\":\"rm\"" "$1" && [ ! -e "$2" ]' _ "$tmp/rel/$rl" "/$rl"
(cd "$tmp/rel" && NSTOP_STATE_DIR=relstate "$NSTOP" create "ra$$" --rm --cgroup-parent "$parent" --audit-log "$L" -- true >/dev/null 2>&1)
for _ in $(seq 50); do [ -e "$tmp/rel/relstate/ra$$" ] || break; sleep 0.1; done
check "--rm with a relative NSTOP_STATE_DIR: removed" test ! -e "$tmp/rel/relstate/ra$$"

# ---- (4) --rm with its output into a closed pipe ----
# create reports before it forks the supervisor: SIGPIPE ends it between
names+=("rp$$")
"$NSTOP" create "rp$$" --rm --cgroup-parent "$parent" --audit-log "$L" -- true 2>/dev/null | true
for _ in $(seq 50); do [ -e "$NSTOP_STATE_DIR/rp$$" ] || break; sleep 0.1; done
check "--rm with stdout a pipe nobody reads (| true): removed all the same" test ! -e "$NSTOP_STATE_DIR/rp$$"

# ---- (5) --rm's supervisor keeps create's command line, -e values too ----
# (/proc/PID/cmdline is readable by every user, for the container's life;
# the init wipes its own for the same reason)
names+=("se$$")
printf 'esc-al-secret-%s-%s' $$ "$RANDOM" >"$tmp/secret"
expect_exit 0 "create se$$ --rm -e DB_PASSWORD=<secret>" create "se$$" --rm --cgroup-parent "$parent" --audit-log "$L" -e "DB_PASSWORD=$(cat "$tmp/secret")" -- sleep 60
sleep 0.3
leak=""
for p in /proc/[0-9]*; do
	grep -qaF -f "$tmp/secret" "$p/cmdline" 2>/dev/null && leak+=" ${p#/proc/}:$(cat "$p/comm" 2>/dev/null)"
done
check "-e values are in no process's command line while the container runs (${leak:-none})" test -z "$leak"
"$NSTOP" rm -f "se$$" --audit-log "$L" >/dev/null 2>&1

# ---- (6) several TARGETs: one replaced while an earlier one is acted on ----
# (the operator's own race, the window widened from milliseconds to the
# earlier targets' grace and timeouts)
# kill A B --grace: B is resolved first, signalled only after A's grace;
# a container made meanwhile under B's name (its cgroup path) is hit, and
# the record names B's id
names+=("ka$$" "kb$$")
expect_exit 0 "create ka$$ (ignores TERM)" create "ka$$" --cgroup-parent "$parent" --audit-log "$L" -- sh -c 'trap "" TERM; while :; do sleep 1; done'
expect_exit 0 "create kb$$" create "kb$$" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000
"$NSTOP" kill "ka$$" "kb$$" --grace 6 --audit-log "$L" >/dev/null 2>&1 &
kp=$!
pids+=("$kp")
sleep 1
"$NSTOP" rm -f "kb$$" --audit-log "$L" >/dev/null 2>&1
expect_exit 0 "kb$$ removed and made again during ka$$'s grace" create "kb$$" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000
ic=$(jq -r .pid "$NSTOP_STATE_DIR/kb$$/state.json" 2>/dev/null)
wait "$kp"
# TERM reaches it through its init: give it time to end
for _ in $(seq 40); do kill -0 "${ic:-0}" 2>/dev/null || break; sleep 0.1; done
check "kill of several TARGETs: the kb$$ made after they were resolved is left alone ($ic)" \
	bash -c 'kill -0 "$1" 2>/dev/null' _ "${ic:-0}"
echo "1..$n"
