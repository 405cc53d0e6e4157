#!/bin/bash
# Attack part (root): `nstop enter` of a Docker container must grant no more
# than `docker exec` into it: effective, permitted, bounding and ambient
# capabilities no wider (bitwise), no_new_privs when docker sets it, seccomp
# filter mode when docker exec runs under one; by id, id prefix, the init's
# pid and the container's cgroup path; of a container with Docker's defaults
# and of one with no-new-privileges and all but one capability dropped. The engine is tests/lib-docker.sh's
# (skips, saying how to get it, without Debian's docker.io).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-docker.sh"
tmp=$(mktemp -d /tmp/nstop-escdk.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
# shellcheck disable=SC2317
cleanup() { docker_down; rm -rf "$tmp"; cleanup_tmp; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! docker_up; then
	skip "docker: $DOCKER_WHY"; exit 0
fi
echo "# docker up in ${DOCKER_UP_MS:-?} ms"
name=nstop-esc-$$ id='' lid=''
if ! dk_run id --name "$name" --network none "$DOCKER_IMAGE" sleep 1000; then
	notok "docker run of $DOCKER_IMAGE failed"; exit 1
fi
pid=$(dk inspect -f '{{.State.Pid}}' "$id")

# Where its cgroups are: beneath the test's own (and the helper's cgroup) in
# every hierarchy, or the helper broke the machine's rule
if [ -n "$DOCKER_MINE" ]; then
	bad=$(awk -v n="nstop-docker-$$" 'FNR == NR { i = index($0, ":"); r = substr($0, i + 1)
			j = index(r, ":"); own[substr(r, 1, j - 1)] = substr(r, j + 1); next }
		{ i = index($0, ":"); r = substr($0, i + 1); j = index(r, ":")
		  k = substr(r, 1, j - 1); p = substr(r, j + 1); o = own[k]; sub(/\/$/, "", o)
		  if (!(k in own) || index(p, o "/" n "/") != 1) print k ":" p }' /proc/self/cgroup "/proc/$pid/cgroup")
	check "the container's cgroups are beneath the test's own in every hierarchy${bad:+ (not: $bad)}" test -z "$bad"
fi

# nstop recognises it: the cgroupfs driver's .../docker/ID on a hybrid host
# (the row that holds its processes; its memory cgroup, rooted elsewhere
# here, may show as a row of its own)
c=$("$NSTOP" containers --json -d 0.1 2>"$tmp/err" |
	jq -r --arg id "$id" '.containers[] | select(.id == $id and .pid != null) | "\(.runtime) \(.pid)"')
check "nstop containers --json lists it as docker with its init (${c//$'\n'/, })" test "$c" = "docker $pid"

# enter as the tty branch will audit it: to our own log, never the host's
E() {
	"$NSTOP" enter --audit-log "$tmp/audit.log" "$@" 2>"$tmp/enter.err"
	local rc=$?
	if [ $rc = 125 ] && grep -q 'unknown option.*--audit-log' "$tmp/enter.err"; then
		"$NSTOP" enter "$@" 2>"$tmp/enter.err"; rc=$?
	fi
	return $rc
}
field() { awk -v k="$1:" '$1 == k { print $2 }' <<<"$2"; }
# no_wider NSTOP DOCKER: no bit set in the first that is clear in the second
# shellcheck disable=SC2317
no_wider() { [ -n "$1" ] && [ -n "$2" ] && [ $((0x$1 & ~0x$2)) = 0 ]; }

# compare CTR-LABEL ID: enter by id, id prefix, init pid and cgroup path
# against docker exec into the same container
compare() {
	local label=$1 id=$2 pid dst cgpath t how word nst f a b
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	dst=$(dk exec "$id" cat /proc/self/status)
	echo "# $label, docker exec: CapEff $(field CapEff "$dst") CapBnd $(field CapBnd "$dst") NoNewPrivs $(field NoNewPrivs "$dst") Seccomp $(field Seccomp "$dst")"
	cgpath=$(awk -F: '$2 == "cpu" || $2 ~ /^cpu,/ || $2 ~ /,cpu(,|$)/ { print $3; exit }' "/proc/$pid/cgroup")
	[ -n "$cgpath" ] || cgpath=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
	for t in "id:$id" "id prefix:${id:0:12}" "init pid:$pid" "cgroup path:$cgpath"; do
		how="$label by ${t%%:*}" word=${t#*:}
		if ! nst=$(E "$word" -- cat /proc/self/status); then
			notok "enter $how ran nothing: $(head -c 300 "$tmp/enter.err")"; continue
		fi
		for f in CapEff CapPrm CapBnd CapAmb; do
			a=$(field $f "$nst") b=$(field $f "$dst")
			check "enter $how: $f $a no wider than docker exec's $b" no_wider "$a" "$b"
		done
		a=$(field NoNewPrivs "$nst") b=$(field NoNewPrivs "$dst")
		check "enter $how: NoNewPrivs $a, docker exec's $b" test "$b" != 1 -o "$a" = 1
		a=$(field Seccomp "$nst") b=$(field Seccomp "$dst")
		check "enter $how: Seccomp $a (2 is a filter), docker exec's $b" test "$b" != 2 -o "$a" = 2
	done
}
compare "docker's defaults" "$id"
# one locked down further: no_new_privs set and one capability left
if dk_run lid --name "$name-locked" --network none --security-opt no-new-privileges \
	--cap-drop ALL --cap-add NET_BIND_SERVICE "$DOCKER_IMAGE" sleep 1000; then
	compare "no-new-privileges, one cap" "$lid"
else
	notok "docker run --security-opt no-new-privileges --cap-drop ALL failed"
fi
exit 0
