#!/bin/bash
# Valgrind memcheck of every batch subcommand, live and over a fixture:
# no errors, no definitely lost blocks.
. "$TOP/tests/lib.sh"
command -v valgrind >/dev/null || { skip "valgrind is not installed (make deps)"; echo "1..$n"; exit 0; }
if strings "$NSTOP" 2>/dev/null | grep -q __asan_init; then
	skip "valgrind: $NSTOP is a sanitizer build"; echo "1..$n"; exit 0
fi
while read -r args; do
	# shellcheck disable=SC2086
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$NSTOP" $args >/dev/null 2>/tmp/nstop-err.$$
	rc=$?
	if [ $rc -eq 0 ]; then ok "valgrind: nstop $args"; else
		notok "valgrind: nstop $args (exit $rc)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
done <<ARGS
ns
ns -J --tree owner
ns -t net
ps -J
cgroups -d 0.1 -J
containers -d 0.1
snapshot --json
--sysroot $FIXTURES/v2 snapshot --json
--sysroot $FIXTURES/v1 cgroups -d 0
--sysroot $FIXTURES/hybrid containers -d 0 -J
--sysroot $FIXTURES/v2 ns --tree parent
metrics
--sysroot $FIXTURES/v2 metrics --cgroup-depth 64
ARGS

# nstop record for 2 s, then the recording replayed by the listings that
# read it (events, containers --all, snapshot --at): the recorder's
# collector, its encoder and the reader's decoder and cursor freed
rtmp=$(mktemp -d /tmp/nstop-vgrec.XXXXXX)
: >"$rtmp/audit.log"
valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	"$NSTOP" record -d 0.5 --duration 2 -o "$rtmp/h" --audit-log "$rtmp/audit.log" >/dev/null 2>/tmp/nstop-err.$$
rc=$?
if [ $rc -eq 0 ] && ls "$rtmp/h"/*.nstoprec >/dev/null 2>&1; then ok "valgrind: nstop record -d 0.5 --duration 2"; else
	notok "valgrind: nstop record (exit $rc)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
for args in "events --replay $rtmp/h --json" "containers --replay $rtmp/h --all -J" \
	"containers --all --history $rtmp/h -d 0.1" "snapshot --replay $rtmp/h --at -1s --json"; do
	# shellcheck disable=SC2086
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$NSTOP" $args >/dev/null 2>/tmp/nstop-err.$$
	rc=$?
	if [ $rc -eq 0 ]; then ok "valgrind: nstop ${args//$rtmp/TMP}"; else
		notok "valgrind: nstop ${args//$rtmp/TMP} (exit $rc)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
done
rm -rf "$rtmp"

# nstop serve: a few scrapes in both formats, then SIGTERM; its threads,
# the warm collector and the snapshots freed (curl, 127.0.0.1 only)
if command -v curl >/dev/null; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$NSTOP" serve --listen "127.0.0.1:$port" >/dev/null 2>/tmp/nstop-err.$$ &
	vpid=$!
	got=0
	for i in $(seq 100); do
		curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/" && break
		sleep 0.2
	done
	for a in '*/*' 'application/openmetrics-text' '*/*'; do
		curl -s --max-time 10 -H "Accept: $a" "http://127.0.0.1:$port/metrics" | grep -q '^nstop_build_info' && got=$((got + 1))
	done
	kill -TERM "$vpid"; wait "$vpid"; rc=$?
	if [ $rc -eq 0 ] && [ $got = 3 ]; then ok "valgrind: nstop serve, 3 scrapes, SIGTERM"; else
		notok "valgrind: nstop serve (exit $rc, $got of 3 scrapes)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
else
	skip "valgrind: nstop serve: curl is missing"
fi

# the actions, as root, on cgroups and a container of the test's own
. "$TOP/tests/lib-cg.sh"
if need_root && cg_setup "nstop-vg-$$"; then
	tmp=$(mktemp -d /tmp/nstop-vg.XXXXXX)
	export NSTOP_STATE_DIR=$tmp/state
	L=$tmp/audit.log
	trap 'cg_cleanup; rm -rf "$tmp"; cleanup_tmp' EXIT
	cg_start sl sleep 300
	while read -r args; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
			--trace-children=no "$NSTOP" $args --audit-log "$L" >/dev/null 2>/tmp/nstop-err.$$
		rc=$?
		if [ $rc -eq 0 ]; then ok "valgrind: nstop $args"; else
			notok "valgrind: nstop $args (exit $rc)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
	done <<ARGS
limit $CG_PATH_cpu
limit $CG_PATH_cpu --pids 50 --cpu 50%
undo $CG_PATH_cpu
freeze $CG_PATH_freezer
thaw $CG_PATH_freezer
audit
audit -J
ARGS
	# kill, create and rm signal through pidfds, which valgrind 3.19 does
	# not know (syscall 434): they run under ASan instead (make check-asan)
fi
# a Docker container's name, image and log (tests/lib-docker.sh's engine)
if need_root; then
	. "$TOP/tests/lib-docker.sh"
	vtmp=$(mktemp -d /tmp/nstop-vgdk.XXXXXX)
	trap 'docker_down; cg_cleanup 2>/dev/null; rm -rf "$vtmp" ${tmp:+"$tmp"}; cleanup_tmp' EXIT
	if ! docker_up; then
		skip "valgrind of docker logs: $DOCKER_WHY"
	elif ! dk_run vid --name "nstop-vg-$$" --network none "$DOCKER_IMAGE" \
		sh -c 'for i in 1 2 3; do echo "vg-$i"; printf "\033x\n" >&2; sleep 0.2; done; sleep 120'; then
		notok "valgrind: docker run failed"
	else
		sleep 1
		while read -r args; do
			# shellcheck disable=SC2086
			valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
				"$NSTOP" $args >"$vtmp/out" 2>/tmp/nstop-err.$$
			rc=$?
			if [ $rc -eq 0 ] && grep -q vg- "$vtmp/out"; then ok "valgrind: nstop $args"; else
				notok "valgrind: nstop $args (exit $rc)"; grep -v 'unhandled ioctl\|spurious\|README_MISSING' /tmp/nstop-err.$$ | head -8 | sed 's/^/#   /'; fi
		done <<ARGS
containers -d 0.1 -J -o NAME,IMAGE,INIT
logs nstop-vg-$$
logs --tail 2 -t --since 1h nstop-vg-$$
ARGS
		# -f to the end: a container that exits while it is followed
		if dk_run fid --name "nstop-vgf-$$" --network none "$DOCKER_IMAGE" sh -c 'echo vg-f; sleep 6'; then
			sleep 0.5
			valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
				"$NSTOP" logs -f "nstop-vgf-$$" >"$vtmp/out" 2>/tmp/nstop-err.$$
			rc=$?
			if [ $rc -eq 0 ] && grep -q vg-f "$vtmp/out"; then ok "valgrind: nstop logs -f, to the container's exit"; else
				notok "valgrind: nstop logs -f (exit $rc)"; head -8 /tmp/nstop-err.$$ | sed 's/^/#   /'; fi
		fi
	fi
fi
echo "1..$n"
