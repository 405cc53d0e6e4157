#!/bin/bash
# Attack part (root): `nstop logs` and the IMAGE/NAME of runtimes'
# containers trust a process "running as root" named conmon (the parent of a
# Podman container's init) or dockerd (whose --data-root says where Docker's
# config.v2.json lie). The uid nstop takes for a process is the owner of
# /proc/PID/stat, and the kernel shows every file in /proc/PID of a
# NON-DUMPABLE process as owned by uid 0: any local user, after
# prctl(PR_SET_DUMPABLE, 0) and prctl(PR_SET_NAME, "conmon"), passes as
# root's conmon or dockerd. With a cgroup shaped libpod-ID.scope or
# docker-ID.scope (a delegated subtree: systemd-run --user --scope; made here
# by the test beneath its own cgroup, as tests/escape/lookalike.sh does) the
# user then chooses the conmon's -b/-l or the dockerd's --data-root, and
# nstop prints that user's bytes raw in its messages (terminal escapes in
# root's terminal) and reads a config.v2.json from the tree the user named.
# Parts 1-3 need neither Docker nor Podman: the runtimes' processes are the
# attacker's own look-alikes. Part 4, with tests/lib-docker.sh's engine (a
# dockerd with --data-root), is a real container's root alone: no privilege,
# Docker's defaults, a volume. It writes a config.v2.json of its own id
# (mountinfo shows it) into the volume and runs a script named dockerd with
# --data-root the volume's host path; once pids have wrapped (pid_max is
# 32768 here; forks anywhere advance it, the container's own included) that
# script's pid is below the real dockerd's, its root is looked in first, and
# nstop shows the container's name, image and log as the container chose.
# Part 5: seven such dockerds of nobody's (non-dumpable), each naming another
# root, fill DOCKER_ROOTS_MAX and hide every container of the real daemon.
# Parts 4-5 fork (and reap) up to one pid_max of short-lived processes.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-docker.sh"
if ! need_root; then
	skip "escape logs: the cgroups and the other user need root"; echo "1..$n"; exit 0
fi
PY=/usr/bin/python3
if [ ! -x "$PY" ] || ! command -v setpriv >/dev/null; then
	skip "escape logs: needs $PY and setpriv"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-esclogs.XXXXXX)
chmod 755 "$tmp"
export NSTOP_STATE_DIR=$tmp/state
H=$(printf '%08x' $$)$(head -c 28 /dev/urandom | od -An -tx1 | tr -d ' \n')
D=$(printf '%08x' $$)$(head -c 28 /dev/urandom | od -An -tx1 | tr -d ' \n')
pids=() cgs=()
v2=$(awk '/ - cgroup2 / { split($0, h, " - "); split(h[1], m, " "); print m[5]; exit }' /proc/self/mountinfo)
own=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
[ -z "${NSTOP_TEST_CGROUP:-}" ] || own=${NSTOP_TEST_CGROUP#"$v2"}
own=${own%/}
# shellcheck disable=SC2317
cleanup() {
	local p c
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for c in "${cgs[@]}"; do
		for p in $(cat "$c/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	sleep 0.2
	for c in "${cgs[@]}"; do rmdir "$c" 2>/dev/null || { sleep 0.5; rmdir "$c" 2>/dev/null; }; done
	[ -z "$DOCKER_TMP" ] || docker_down
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
[ -n "$v2" ] || { skip "escape logs: no cgroup2 tree for the look-alikes"; echo "1..$n"; exit 0; }

# The attacker's program, run as nobody: non-dumpable, named NAME, its
# argv what it likes, a child (the look-alike's init) whose pid it prints.
cat >"$tmp/fake.py" <<'EOF'
import ctypes, os, sys, time
libc = ctypes.CDLL(None)
libc.prctl(4, 0, 0, 0, 0)                                  # PR_SET_DUMPABLE 0
libc.prctl(15, os.environ["FAKE_COMM"].encode(), 0, 0, 0)  # PR_SET_NAME
c = os.fork()
if c == 0:
    time.sleep(120)
    os._exit(0)
print(c, flush=True)
time.sleep(120)
EOF
chmod 644 "$tmp/fake.py"
# fake COMM OUTFILE ARGS...: the fake's pid in FAKE, its child's in CHILD
fake() {
	local comm=$1 out=$2 i
	shift 2
	FAKE_COMM=$comm setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$tmp/fake.py" "$@" >"$out" &
	FAKE=$!
	pids+=("$FAKE")
	CHILD=
	for i in $(seq 100); do
		CHILD=$(head -1 "$out" 2>/dev/null)
		[ -n "$CHILD" ] && break
		sleep 0.05
	done
	[ -n "$CHILD" ] && pids+=("$CHILD")
}
# lookalike SHAPE PID: a cgroup SHAPE (libpod-H.scope, docker-H.scope)
# beneath the own cgroup2 one, PID moved into it
lookalike() {
	local top=$v2$own/nstop-esclogs-$$ d
	d=$top/$1
	if [ ! -d "$top" ]; then mkdir "$top" && cgs+=("$top") || return 1; fi
	mkdir "$d" && cgs=("$d" "${cgs[@]}") && echo "$2" >"$d/cgroup.procs"
}
has_ctl() { LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }
ESC=$'\e]0;nstop-pwned\a\e[2J\e[31mRED'

# 1. The premise: nstop takes nobody's non-dumpable process for root's
fake conmon "$tmp/c.out" -c "$H" -b "/tmp/x$ESC/overlay-containers/$H/userdata" -l k8s-file:/etc/shadow
if [ -z "$CHILD" ]; then
	notok "the fake conmon did not start"; echo "1..$n"; exit 0
fi
u=$("$NSTOP" ps -o pid,user -d 0.1 2>/dev/null | awk -v p="$FAKE" '$1 == p { print $2 }')
check "a non-dumpable process of nobody's shows as nobody's, not root's (nstop ps: ${u:-none})" test "$u" != root

# 2. Podman: nobody's "conmon" is the parent of the look-alike's init
if ! lookalike "libpod-$H.scope" "$CHILD"; then
	notok "cannot make the look-alike libpod-$H.scope"; echo "1..$n"; exit 0
fi
"$NSTOP" logs "$H" >"$tmp/l.out" 2>"$tmp/l.err"
echo "# nstop logs (podman look-alike): $(cat -v "$tmp/l.err" | head -c 400)"
check "nstop logs prints no raw control byte from a conmon's command line (the bundle)" \
	eval '! has_ctl "$tmp/l.err" && ! has_ctl "$tmp/l.out"'
check "nstop logs takes no conmon of nobody's as the container's (wants: no conmon of root's)" \
	grep -q "no conmon of root's" "$tmp/l.err"

# 3. Docker: nobody's "dockerd --data-root" names a tree whose config.v2.json
# nstop reads. The tree stands for one a container's root fills (a volume
# of root's, its files uid 0): made here by the test.
root="$tmp/vol$ESC"
mkdir -p "$root/containers/$D"
chmod -R go-w "$tmp"
printf '{"Name":"/prod-db","Config":{"Image":"postgres:16"},"LogPath":"/etc/shadow"}\n' \
	>"$root/containers/$D/config.v2.json"
fake dockerd "$tmp/d.out" --data-root="$root"
DCHILD=$CHILD
if [ -z "$DCHILD" ] || ! lookalike "docker-$D.scope" "$DCHILD"; then
	notok "the fake dockerd or its look-alike did not start"; echo "1..$n"; exit 0
fi
"$NSTOP" containers -J -d 0.1 >"$tmp/c.json" 2>/dev/null
got=$(jq -r --arg h "$D" '.containers[] | select(.id == $h and .runtime == "docker") | "\(.name) \(.image)"' "$tmp/c.json" 2>/dev/null)
check "nstop containers takes no name or image from a tree nobody's dockerd names (got: ${got:-none})" \
	eval '! grep -q "prod-db\|postgres" <<<"$got"'
"$NSTOP" logs "$D" >"$tmp/d.lout" 2>"$tmp/d.lerr"
echo "# nstop logs (docker look-alike): $(cat -v "$tmp/d.lerr" | head -c 400)"
check "nstop logs reads no config.v2.json from a tree nobody's dockerd names" \
	eval '! grep -q "LogPath" "$tmp/d.lerr"'
check "nstop logs prints no raw control byte from a dockerd's --data-root" \
	eval '! has_ctl "$tmp/d.lerr" && ! has_ctl "$tmp/d.lout"'

# 4. Docker, a real container's root: its name, image and log forged
if ! docker_up; then
	skip "escape logs part 4: docker: $DOCKER_WHY"; echo "1..$n"; exit 0
fi
if [ -z "$DOCKER_MINE" ]; then
	skip "escape logs part 4: the machine's own dockerd (its root /var/lib/docker is looked in first)"
	echo "1..$n"; exit 0
fi
if [ "$DOCKER_PID" -le 1500 ]; then
	skip "escape logs part 4: dockerd's pid $DOCKER_PID is too low to get below"; echo "1..$n"; exit 0
fi
vol=nstop-esclogs-$$ A=''
dk volume create "$vol" >/dev/null
if ! dk_run A --name "nstop-esclogs-$$" --network none -v "$vol:/v" "$DOCKER_IMAGE" sh -c 'echo real line; sleep 1000'; then
	notok "docker run failed"; echo "1..$n"; exit 0
fi
hv=$(dk volume inspect -f '{{.Mountpoint}}' "$vol")
# all inside the container, as its root: its id from mountinfo, the tree
# in its volume, a "dockerd" script
dk exec -e HV="$hv" "$A" sh -c '
	id=$(grep -o "containers/[0-9a-f]\{64\}/hostname" /proc/self/mountinfo | head -1 | cut -d/ -f2)
	mkdir -p /v/containers/$id
	printf "{\"Name\":\"/prod-db\",\"Config\":{\"Image\":\"postgres:16\"},\"LogPath\":\"%s/containers/%s/%s-json.log\"}" "$HV" $id $id >/v/containers/$id/config.v2.json
	printf "{\"log\":\"FORGED LINE\\\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n" >/v/containers/$id/$id-json.log
	printf "#!/bin/sh\nwhile :; do sleep 1000; done\n" >/tmp/dockerd; chmod 755 /tmp/dockerd' >"$tmp/exec.out" 2>&1
# pids wrapped to below dockerd's (what the container's forks would do too)
"$PY" - "$DOCKER_PID" <<'PY'
import os, sys
target = int(sys.argv[1]) - 800
for _ in range(70000):
    lp = int(open('/proc/sys/kernel/ns_last_pid').read())
    if 300 < lp < target:
        break
    p = os.fork()
    if p == 0:
        os._exit(0)
    os.waitpid(p, 0)
PY
dk exec -d "$A" /tmp/dockerd --data-root="$hv"
sleep 1
fp=$(ps -eo pid,comm,args | awk -v hv="--data-root=$hv" '$2 == "dockerd" && index($0, hv) { print $1 }' | head -1)
echo "# the container's dockerd: pid ${fp:-none}, the real one's $DOCKER_PID"
"$NSTOP" containers -J -d 0.1 >"$tmp/dc.json" 2>/dev/null
got=$(jq -r --arg h "$A" '.containers[] | select(.id == $h) | "\(.name) \(.image)"' "$tmp/dc.json" 2>/dev/null | head -1)
check "nstop containers shows the container's own name and image, not its root's forgery (got: ${got:-none})" \
	eval '! grep -q "prod-db\|postgres" <<<"$got"'
"$NSTOP" logs "$A" >"$tmp/dl.out" 2>&1
check "nstop logs shows the container's real log, not the one in its volume (got: $(head -c 100 "$tmp/dl.out" | tr '\n' ' '))" \
	eval 'grep -q "real line" "$tmp/dl.out" && ! grep -q FORGED "$tmp/dl.out"'
dk rm -f "$A" >/dev/null 2>&1
dk volume rm -f "$vol" >/dev/null 2>&1

# 5. Any local user alone: seven non-dumpable "dockerd"s of nobody's, each
# naming another (nonexistent) root, with pids still below the real
# dockerd's, fill DOCKER_ROOTS_MAX: the real root is never looked in, and
# every container of that daemon loses its name, image and log in nstop.
B=''
if ! dk_run B --name "nstop-esclogs-b-$$" --network none "$DOCKER_IMAGE" sh -c 'echo b line; sleep 1000'; then
	notok "docker run failed"; echo "1..$n"; exit 0
fi
low=1
for k in 1 2 3 4 5 6 7; do
	fake dockerd "$tmp/f$k.out" --data-root="/nonexistent-$$-$k"
	[ "$FAKE" -lt "$DOCKER_PID" ] || low=0
done
if [ $low = 0 ]; then
	skip "escape logs part 5: the fakes' pids are not below dockerd's $DOCKER_PID"
else
	bname=$(dk inspect -f '{{.Name}}' "$B")
	"$NSTOP" containers -J -d 0.1 >"$tmp/bc.json" 2>/dev/null
	got=$(jq -r --arg h "$B" '.containers[] | select(.id == $h) | "\(.name)"' "$tmp/bc.json" 2>/dev/null | head -1)
	check "nobody's look-alike dockerds do not hide a container's name (got: ${got:-none}, docker: ${bname#/})" test "$got" = "${bname#/}"
	"$NSTOP" logs "$B" >"$tmp/bl.out" 2>&1
	check "nobody's look-alike dockerds do not hide a container's log (got: $(head -c 150 "$tmp/bl.out" | tr '\n' ' '))" grep -q "b line" "$tmp/bl.out"
fi
echo "1..$n"
