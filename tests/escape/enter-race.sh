#!/bin/bash
# enter's set-up is out of the container's reach (issue 14, the attackers'
# review): a sandbox that kept root's CAP_SYS_PTRACE (its own pid and mount
# namespaces and root, no user namespace, no seccomp) stops every new
# process of its pid namespace the moment it shows and looks through
# /proc/PID/root, cwd and fd/N for a host file out of its root; entering it
# must show it nothing (the old enter's child, forked into the container's
# pid namespace while it held the host's root and descriptors, gave it the
# host's / every time). And the nstop of a running enter stays in the
# operator's cgroups: a second enter by the container's cgroup path lands
# in the container (its init, not that nstop: a host root shell), and a
# cgroup with host processes beside a sandbox's init is entered through
# that init. A device the sandbox planted at dev/pts/ptmx is never opened.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape enter-race: sandboxes need root"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escrace.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
names=()
sbpid=""
parent=$(ctr_parent nstop-escrace-$$)
cleanup() {
	local nm d m
	[ -n "$sbpid" ] && kill -KILL "$sbpid" 2>/dev/null
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	cg_cleanup
	ctr_parent_rm "nstop-escrace-$$"
	wait 2>/dev/null
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

# ---- a CAP_SYS_PTRACE sandbox that stops and searches every new pid ----
probe=$TOP/$B/tests/raceprobe
if [ ! -x "$probe" ]; then
	notok "the probe ($B/tests/raceprobe) is missing"
elif ! unshare --help 2>&1 | grep -q -- --root; then
	skip "a ptrace sandbox: unshare has no --root"
else
	root=$tmp/root
	mkdir -p "$root/proc" "$root/tmp" "$root/dev/pts"
	mknod -m 666 "$root/dev/pts/ptmx" c 1 3 # /dev/null's device, not a ptmx
	cp "$probe" "$root/raceprobe"
	marker=$tmp/host-marker-$$
	echo host >"$marker"
	rel=${marker#/}
	# a variable of the operator's, in nstop's environment only
	secret=NSTOP-RACE-SECRET-$$-$RANDOM
	# the probe keeps only CAP_SYS_PTRACE itself (nothing else in the root)
	unshare --pid --fork --mount --root="$root" --mount-proc \
		/raceprobe watch "$rel" 60 "$secret" >"$tmp/probe.out" 2>&1 </dev/null &
	sbpid=$!
	sp=""
	for _ in $(seq 50); do
		grep -q ready "$tmp/probe.out" 2>/dev/null && sp=$(pgrep -P "$sbpid" -x raceprobe) && break
		sleep 0.1
	done
	if [ -z "$sp" ]; then
		notok "the ptrace sandbox did not start ($(head -c 300 "$tmp/probe.out"))"
	else
		check "the sandbox keeps CAP_SYS_PTRACE only ($(awk '/^CapEff/ {print $2}' /proc/$sp/status))" \
			test "$(awk '/^CapEff/ {print $2}' /proc/$sp/status)" = 0000000000080000
		check "the host's marker is out of the sandbox's root" \
			test ! -e "/proc/$sp/root/$rel" -a -e "/proc/self/root/$rel"
		fails=0
		for i in 1 2 3 4 5; do
			NSTOP_RACE_TOKEN=$secret timeout 30 "$NSTOP" enter "$sp" --audit-log "$L" -- /raceprobe idle >/dev/null 2>&1 </dev/null ||
				fails=$((fails + 1))
		done
		check "five enters into the sandbox ran (failed: $fails)" test "$fails" = 0
		# (3) a device planted at dev/pts/ptmx (a container with CAP_MKNOD
		# and no devpts there) is looked at, never opened, by root: no
		# IN_OPEN on it while enter makes the command's pty
		if command -v script >/dev/null && command -v python3 >/dev/null; then
			cat >"$tmp/enter.sh" <<-EOF
			exec "$NSTOP" enter "$sp" --audit-log "$L" -- /raceprobe idle
			EOF
			opens=$(python3 - "$root/dev/pts" "$tmp/enter.sh" <<-'EOF'
			import ctypes, os, select, subprocess, sys
			libc = ctypes.CDLL(None, use_errno=True)
			fd = libc.inotify_init1(os.O_NONBLOCK)
			if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x20) < 0:  # IN_OPEN
			    print("no inotify"); sys.exit(0)
			rc = subprocess.call(["script", "-qec", "sh " + sys.argv[2], "/dev/null"],
			                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
			n = 0
			while select.select([fd], [], [], 0.3)[0]:
			    b = os.read(fd, 4096)
			    while b:
			        ln = int.from_bytes(b[12:16], "little")
			        if b[16:16 + ln].rstrip(b"\0") == b"ptmx":
			            n += 1
			        b = b[16 + ln:]
			print(n, "rc", rc)
			EOF
			)
			check "a device planted at the sandbox's dev/pts/ptmx is never opened by enter (opens, rc: $opens)" \
				test "$opens" = "0 rc 0"
		else
			skip "a planted dev/pts/ptmx: script or python3 is missing"
		fi
		sleep 0.5
		kill -KILL "$sbpid" 2>/dev/null
		wait "$sbpid" 2>/dev/null
		sbpid=""
		stops=$(grep -c '^stopped' "$tmp/probe.out")
		found=$(grep '^FOUND' "$tmp/probe.out" | sort -u | head -5 | tr '\n' ' ')
		# it must have stopped the enters' processes, or it proves nothing
		check "the probe stopped $stops new processes of its pid namespace (at least one per enter)" \
			test "$stops" -ge 5
		check "and found no host file nor the operator's environment through them (${found:-nothing})" test -z "$found"
	fi
fi

# ---- the nstop of a running enter stays out of the container's cgroups ----
c=er$$
names+=("$c")
expect_exit 0 "create $c" create "$c" --cgroup-parent "$parent" --audit-log "$L" -- sleep 1000
init=$(jq -r .pid "$NSTOP_STATE_DIR/$c/state.json")
cgp=$("$NSTOP" containers -J | jq -r --arg n "$c" '.containers[] | select(.name == $n) | .cgroup')
"$NSTOP" enter "$c" --audit-log "$L" -- sleep 5 >/dev/null 2>&1 </dev/null &
ep=$!
sleep 1
g=$("$NSTOP" enter "$cgp" --audit-log "$L" -- readlink /proc/self/ns/pid 2>&1 </dev/null)
check "while an enter runs, enter $cgp lands in the container ($g)" \
	test -n "$g" -a "$g" = "$(readlink /proc/$init/ns/pid)"
check "the first enter's nstop (pid $ep) is still in the operator's cgroups" \
	test -e /proc/$ep -a "$(cat /proc/$ep/cgroup 2>&1)" = "$(cat /proc/self/cgroup)"
wait $ep

# ---- a cgroup with host processes beside a sandbox's init ----
if cg_setup "nstop-escrace-sb-$$"; then
	cg_start sb bash -c 'echo ready; exec "$1" --fork --pid --mount-proc sleep 1000' _ "$(command -v unshare)"
	sp=""
	for _ in $(seq 50); do
		up=$(pgrep -P "$sb" -x unshare || echo "$sb")
		sp=$(pgrep -P "$up" -x sleep) && break
		sleep 0.1
	done
	if [ -n "$sp" ]; then
		g=$("$NSTOP" enter "$CG_PATH_pids" --audit-log "$L" -- readlink /proc/self/ns/pid 2>&1 </dev/null)
		check "enter by the cgroup path of a sandbox whose unshare sits beside its init: its pid namespace ($g)" \
			test -n "$g" -a "$g" = "$(readlink /proc/$sp/ns/pid)"
	else
		notok "the sandbox did not start"
	fi
else
	skip "a sandbox in cgroups of the test's: ${CG_WHY:-}"
fi
echo "1..$n"
