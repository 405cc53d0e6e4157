#!/bin/bash
# A look-alike container: whoever may make cgroups (a delegated subtree)
# can make a docker-<id>.scope of a real container's id elsewhere and put
# a process of theirs in it. An action on that process (freeze PID, the
# dashboard's f on its row) must reach the look-alike only, never the real
# container: a container's paths are joined by its processes, not its id.
# Both live beneath the test's own cgroups.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape lookalike: the cgroups need root"; echo "1..$n"; exit 0
fi
name=nstop-la-$$
H=$(printf 'a%.0s' $(seq 63))b
H=${H:0:60}$(printf '%04x' $(($$ % 65536)))
tmp=$(mktemp -d /tmp/nstop-la.XXXXXX)
MNTS=() OWNS=()
while IFS=: read -r hid ctrls path; do
	c=${ctrls%%,*}
	[ "$c" = cpuset ] && continue # a process needs its cpus and mems there
	m=$(cg_mnt "$c")
	[ -n "$m" ] && [ -d "$m" ] || continue
	if [ "$hid" = 0 ] && [ -n "${NSTOP_TEST_CGROUP:-}" ]; then path=${NSTOP_TEST_CGROUP#"$m"}; fi
	MNTS+=("$m") OWNS+=("${path%/}")
done </proc/self/cgroup
v2=$(cg_mnt "")
pids=()
cleanup() {
	local i d p
	for i in "${!MNTS[@]}"; do
		d=${MNTS[$i]}${OWNS[$i]}/$name
		[ -d "$d" ] || continue
		find "$d" -name cgroup.freeze -exec sh -c 'echo 0 >"$1"' _ {} \; 2>/dev/null
		find "$d" -name freezer.state -exec sh -c 'echo THAWED >"$1"' _ {} \; 2>/dev/null
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for i in "${!MNTS[@]}"; do
		d=${MNTS[$i]}${OWNS[$i]}/$name
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
real=system.slice/docker-$H.scope
fake=user.slice/user@1000.service/docker-$H.scope
# the real one in every hierarchy; the look-alike in the cgroup2 tree only
for i in "${!MNTS[@]}"; do
	mkdir -p "${MNTS[$i]}${OWNS[$i]}/$name/$real" || { notok "mkdir $real"; echo "1..$n"; exit 0; }
done
[ -n "$v2" ] || { skip "lookalike: no cgroup2 tree for the look-alike"; echo "1..$n"; exit 0; }
v2own=$(for i in "${!MNTS[@]}"; do [ "${MNTS[$i]}" = "$v2" ] && echo "${OWNS[$i]}"; done | head -1)
mkdir -p "$v2$v2own/$name/$fake"
# A in the real container everywhere, B in the look-alike (cgroup2 only)
sleep 1000 &
pids+=($!)
A=$!
for i in "${!MNTS[@]}"; do echo "$A" >"${MNTS[$i]}${OWNS[$i]}/$name/$real/cgroup.procs"; done
sleep 1000 &
B=$!
pids+=($B)
echo "$B" >"$v2$v2own/$name/$fake/cgroup.procs"
"$NSTOP" containers -J >"$tmp/c.json" 2>&1
rows=$(jq --arg h "$H" '[.containers[] | select(.id == $h)] | length' "$tmp/c.json" 2>/dev/null)
check "the look-alike is a row of its own, not merged into the real container by its id ($rows rows)" test "$rows" = 2
frozen_real() { # 1 when any of the real container's cgroups is frozen
	local i d
	for i in "${!MNTS[@]}"; do
		d=${MNTS[$i]}${OWNS[$i]}/$name/$real
		grep -qx "frozen 1" "$d/cgroup.events" 2>/dev/null && return 0
		grep -q FROZEN "$d/freezer.state" 2>/dev/null && return 0
	done
	return 1
}
"$NSTOP" --no-config freeze "$B" --audit-log "$tmp/a.log" >"$tmp/f.out" 2>&1
rc=$?
sleep 0.5
if frozen_real; then st=frozen; else st=running; fi
check "freeze of the look-alike's pid leaves the real container $st, want running (exit $rc: $(head -c 200 "$tmp/f.out"))" test $st = running
echo "1..$n"
