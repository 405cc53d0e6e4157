#!/bin/bash
# Real container engines (root): for Docker (tests/lib-docker.sh's engine)
# and Podman, nstop names a container as the engine does, shows its image,
# and `nstop logs` prints what the container wrote: all of it, --tail 3,
# --since, --timestamps as the engine's own logs -t, -f following a line
# written later, and hostile bytes (an escape sequence, control bytes,
# invalid UTF-8) escaped. An engine that cannot run here is skipped alone,
# saying why; everything made is removed in the trap.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-docker.sh"
. "$TOP/tests/lib-tmux.sh"
need_root || { skip "runtimes: needs root"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-rt.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
follow_pid=''
# shellcheck disable=SC2317
cleanup() {
	[ -z "$follow_pid" ] || kill "$follow_pid" 2>/dev/null
	[ -z "${sock:-}" ] || tmux_stop
	docker_down
	podman_down
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The container's program: five lines, a hostile one, then "followed-N"
# each time /tmp/go appears (made by exec, whose output is not logged)
# shellcheck disable=SC2016 # expanded by the container's shell
prog='for i in 1 2 3 4 5; do echo "line$i"; sleep 0.05; done
printf "\033[2Jhostile\001\002end\n"
printf "bad\377utf8\n" >&2
n=0; while :; do if [ -f /tmp/go ]; then n=$((n + 1)); echo "followed-$n"; rm -f /tmp/go; fi; sleep 0.1; done'

# a time as Docker prints it (9 digits, Z): Podman's Go RFC3339Nano drops
# trailing zeros and writes +00:00 (this host's zone is UTC)
norm_t() {
	awk '{ t = $1; sub(/\+00:00$/, "Z", t); if (match(t, /\.[0-9]+Z$/)) {
		f = substr(t, RSTART + 1, RLENGTH - 2); while (length(f) < 9) f = f "0"
		t = substr(t, 1, RSTART) f "Z" }
		$1 = t; print }'
}

raw_free() { # no ESC, no C0 control but tab and newline in the file
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"
}

# logs_checks ENGINE NAME ENGINE-LOGS-CMD...: the logs checks against the engine's own
logs_checks() {
	local eng=$1 name=$2 i
	shift 2
	# the engine's own view, once the program wrote its six lines
	for i in $(seq 100); do
		"$@" "$name" >"$tmp/eng.out" 2>"$tmp/eng.err"
		grep -q hostile "$tmp/eng.out" && grep -q utf8 "$tmp/eng.err" && break
		sleep 0.1
	done
	"$NSTOP" logs "$name" >"$tmp/all.out" 2>"$tmp/all.err"
	local rc=$?
	check "$eng: nstop logs NAME exits 0 (exit $rc)" test $rc = 0
	[ $rc = 0 ] || head -c 300 "$tmp/all.err" | sed 's/^/#   /'
	check "$eng: nstop logs NAME prints the five lines the container wrote, in order" \
		test "$(head -5 "$tmp/all.out" | tr '\n' ' ')" = "line1 line2 line3 line4 line5 "
	check "$eng: ... the hostile line escaped (\\x1b[2Jhostile\\x01\\x02end)" \
		grep -qxF '\x1b[2Jhostile\x01\x02end' "$tmp/all.out"
	check "$eng: ... no raw control byte on stdout" raw_free "$tmp/all.out"
	check "$eng: ... stderr's record on stderr, no raw byte of it" \
		bash -c "grep -q 'utf8' '$tmp/all.err' && ! LC_ALL=C grep -q \$'[\\x01-\\x08\\x7f\\xff]' '$tmp/all.err'"
	"$NSTOP" logs --tail 3 "$name" >"$tmp/tail.out" 2>/dev/null
	check "$eng: --tail 3 gives the last three records (stdout's two of them: $(tr '\n' ' ' <"$tmp/tail.out"))" \
		test "$(tr '\n' ' ' <"$tmp/tail.out")" = 'line5 \x1b[2Jhostile\x01\x02end '
	"$NSTOP" logs --tail 0 "$name" >"$tmp/tail0.out" 2>&1
	check "$eng: --tail 0 prints nothing" test ! -s "$tmp/tail0.out"
	# --timestamps: each line as the engine's own logs -t prints it
	"$@" -t "$name" 2>/dev/null | head -5 | norm_t >"$tmp/eng-t.out"
	"$NSTOP" logs --timestamps "$name" 2>/dev/null | head -5 | norm_t >"$tmp/t.out"
	check "$eng: --timestamps prints the times the engine prints ($(head -1 "$tmp/t.out"))" \
		cmp -s "$tmp/eng-t.out" "$tmp/t.out"
	# --since the third line's time: from it on
	local t3
	t3=$(sed -n 3p "$tmp/eng-t.out" | cut -d' ' -f1)
	"$NSTOP" logs --since "$t3" "$name" 2>/dev/null | head -3 >"$tmp/since.out"
	check "$eng: --since $t3 starts at line3" test "$(tr '\n' ' ' <"$tmp/since.out")" = "line3 line4 line5 "
	"$NSTOP" logs --since 1h "$name" 2>"$tmp/since.err" | head -1 >"$tmp/since.out"
	check "$eng: --since 1h: all of it (first: $(head -c 100 "$tmp/since.out"))" test "$(cat "$tmp/since.out")" = line1
	grep -v utf8 "$tmp/since.err" | head -3 | sed 's/^/#   /'
	expect_exit 2 "$eng: --since garbage: bad usage" logs --since yesterday-ish "$name"
	# -f: a line written later comes within a few seconds
	"$NSTOP" logs -f --tail 2 "$name" >"$tmp/f.out" 2>"$tmp/f.err" &
	follow_pid=$!
	# the next line only once -f printed its --tail 2 (then it is past
	# them; a fixed sleep lost the race under load: followed-1 was then
	# one of the two)
	for i in $(seq 200); do grep -q hostile "$tmp/f.out" && break; sleep 0.1; done
	"$@" >/dev/null 2>&1 # (the engine answers: it is up)
	exec_touch "$name"
	for i in $(seq 200); do grep -q followed-1 "$tmp/f.out" && break; sleep 0.1; done
	check "$eng: -f follows: followed-1 arrived (within 20 s)" grep -qx followed-1 "$tmp/f.out"
	if ! grep -qx followed-1 "$tmp/f.out"; then
		kill -0 "$follow_pid" 2>/dev/null || echo "#   nstop logs -f had exited"
		"$@" --tail 2 "$name" 2>&1 | sed 's/^/#   the engine: /'
		head -3 "$tmp/f.err" | sed 's/^/#   nstop: /'
	fi
	check "$eng: ... after the stdout line of the two --tail 2 gave" test "$(head -1 "$tmp/f.out")" = '\x1b[2Jhostile\x01\x02end'
	kill "$follow_pid" 2>/dev/null; wait "$follow_pid" 2>/dev/null; follow_pid=''
}

# ---- Docker ----
if ! docker_up; then
	skip "docker: $DOCKER_WHY"
else
	echo "# docker up in ${DOCKER_UP_MS:-?} ms"
	dname=nstop-rt-$$ did=''
	if ! dk_run did --name "$dname" --network none "$DOCKER_IMAGE" sh -c "$prog"; then
		notok "docker run of $DOCKER_IMAGE failed"
	else
		exec_touch() { dk exec "$1" touch /tmp/go; }
		"$NSTOP" containers --json -d 0.1 >"$tmp/ctrs.json" 2>"$tmp/ctrs.err"
		got=$(jq -r --arg id "$did" '.containers[] | select(.id == $id and .pid != null) | .name' "$tmp/ctrs.json")
		want=$(dk inspect -f '{{.Name}}' "$did")
		check "docker: nstop containers --json names it as docker inspect does ($got, ${want#/})" \
			test "$got" = "${want#/}"
		got=$(jq -r --arg id "$did" '.containers[] | select(.id == $id and .pid != null) | .image' "$tmp/ctrs.json")
		want=$(dk inspect -f '{{.Config.Image}}' "$did")
		check "docker: ... its image as docker inspect's .Config.Image ($got, $want)" test "$got" = "$want"
		"$NSTOP" containers -o NAME,IMAGE -d 0.1 >"$tmp/ctrs.txt" 2>&1
		check "docker: ... and in the table" grep -qE "^$dname +$want\$" "$tmp/ctrs.txt"
		# the dashboard's containers view: its row with the image
		if command -v tmux >/dev/null; then
			sock=nstop-rt-$$
			T new-session -d -s e2e -x 250 -y 40 \
				"env NO_COLOR=1 LC_ALL=C.UTF-8 TERM=xterm-256color NSTOP_STATE_DIR=$tmp/state $NSTOP --no-config -r; sleep 30"
			keys / && keys -l "$dname" && keys Enter
			for i in $(seq 50); do screen | grep -qE "^ *$dname +docker +[0-9a-f]{12} +$want " && break; sleep 0.2; done
			check "docker: the dashboard's containers view shows its name and image" \
				bash -c "tmux -L $sock capture-pane -p -t e2e | grep -qE '^ *$dname +docker +[0-9a-f]{12} +$want '"
			screen | grep -q "$dname" || screen | head -8 | sed 's/^/#   /'
			# l: its json-file log in the pane, escaped (read-only mode too:
			# reading is no action)
			keys l
			for i in $(seq 50); do screen | grep -qF 'hostile' && break; sleep 0.1; done
			check "docker: l shows its log in the dashboard, the hostile line escaped" \
				bash -c "tmux -L $sock capture-pane -p -t e2e | grep -qxF '\\x1b[2Jhostile\\x01\\x02end'"
			check "docker: ... and its stderr line" bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q 'utf8'"
			tmux_stop
		else
			skip "docker: the dashboard's containers view: no tmux (make deps)"
		fi
		logs_checks docker "$dname" dk logs
		# -f across rotations: json-file renames ID-json.log to .1 at 2 KiB
		# shellcheck disable=SC2016 # expanded by the container's shell
		rprog='while [ ! -f /tmp/go ]; do sleep 0.1; done
for i in $(seq 40); do echo "r-$i $(printf %0300d 0)"; sleep 0.1; done; sleep 1000'
		if dk_run rid --name "$dname-rot" --network none --log-opt max-size=2k --log-opt max-file=3 \
			"$DOCKER_IMAGE" sh -c "$rprog"; then
			"$NSTOP" logs -f "$dname-rot" >"$tmp/rot.out" 2>"$tmp/rot.err" &
			follow_pid=$!
			# go once -f holds the log open (a fixed sleep: under load
			# it opened after the first rotations, past what the kept
			# files hold)
			for i in $(seq 200); do
				find "/proc/$follow_pid/fd" -lname '*-json.log' 2>/dev/null | grep -q . && break
				sleep 0.1
			done
			# shellcheck disable=SC2154 # set by dk_run
			dk exec "$rid" touch /tmp/go
			for i in $(seq 300); do grep -q '^r-40 ' "$tmp/rot.out" && break; sleep 0.1; done
			kill "$follow_pid" 2>/dev/null; wait "$follow_pid" 2>/dev/null; follow_pid=''
			got=$(cut -d' ' -f1 "$tmp/rot.out" | tr '\n' ' ')
			rotated=$(find "$DOCKER_TMP/data/containers/$rid" -name '*-json.log.*' 2>/dev/null | wc -l)
			check "docker: -f across $rotated rotations: r-1 to r-40 each once, in order" \
				test "$got" = "$(seq -f 'r-%g' 40 | tr '\n' ' ')"
			[ "$rotated" -gt 0 ] || [ -z "$DOCKER_MINE" ] || notok "docker: the log was not rotated (the check above proves nothing)"
		else
			notok "docker run --log-opt max-size=2k failed"
		fi
		# a driver that keeps nothing readable: said so
		if dk_run nid --name "$dname-none" --log-driver none --network none "$DOCKER_IMAGE" sleep 1000; then
			expect_exit 1 "docker --log-driver none: nstop logs fails" logs "$dname-none"
			check "... saying the driver keeps no log" grep -q 'log driver is none' /tmp/nstop-err.$$
		else
			notok "docker run --log-driver none failed"
		fi
		# local: Docker's own format; syslog over UDP (no listener needed):
		# where the output goes
		if dk_run lid --name "$dname-local" --log-driver local --network none "$DOCKER_IMAGE" sleep 1000; then
			expect_exit 1 "docker --log-driver local: nstop logs fails" logs "$dname-local"
			check "... naming Docker's own format and its directory ($(head -c 300 /tmp/nstop-err.$$))" \
				grep -q 'its log driver is local: .*local-logs (docker logs reads it)' /tmp/nstop-err.$$
		else
			notok "docker run --log-driver local failed"
		fi
		if dk_run sid --name "$dname-syslog" --log-driver syslog --log-opt syslog-address=udp://127.0.0.1:9 \
			--network none "$DOCKER_IMAGE" sleep 1000; then
			expect_exit 1 "docker --log-driver syslog: nstop logs fails" logs "$dname-syslog"
			check "... saying where the output goes ($(head -c 300 /tmp/nstop-err.$$))" \
				grep -q 'its log driver is syslog: Docker sends its output to syslog-address=udp://127.0.0.1:9 and keeps no file' /tmp/nstop-err.$$
		else
			skip "docker run --log-driver syslog failed here"
		fi
	fi
	docker_down
fi
# ---- Podman ----
# Its own containers.conf (runc: crun refuses this host's hybrid cgroups;
# no default ulimits: raising RLIMIT_NPROC needs CAP_SYS_RESOURCE here) and
# storage under the temp dir, the busybox image imported, no network, a
# cgroup parent of the test's own (absolute, as Podman's cgroupfs manager
# takes it: beneath the test's unified path; made and removed here)
PM_TMP='' PM_PARENT='' PM_WHY=''
pm() { podman --root "$PM_TMP/storage" --runroot "$PM_TMP/run" --tmpdir "$PM_TMP/tmp" "$@"; }
podman_down() {
	[ -n "$PM_TMP" ] || return 0
	pm rm -f -a -t 0 >/dev/null 2>&1
	pm rmi -a -f >/dev/null 2>&1
	local m d i left
	# every hierarchy's; a cgroup whose last process is still exiting
	# refuses rmdir (EBUSY) for a moment: tried again for up to 5 s
	# (the parent's test outside the arithmetic: "-n /x" there is an error
	# that ended the loop before its first turn, leaving every cgroup)
	for ((i = 0; i < 25; i++)); do
		[ -n "$PM_PARENT" ] || break
		left=0
		# shellcheck disable=SC2013 # mount points hold no blanks here (/sys/fs/cgroup/...)
		for m in $(awk '$3 ~ /^cgroup2?$/ { print $2 }' /proc/self/mounts); do
			d=$m$PM_PARENT
			[ -d "$d" ] || continue
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] && left=1
		done
		[ $left = 0 ] && break
		sleep 0.2
	done
	awk -v d="$PM_TMP/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -rf --one-file-system "$PM_TMP"
	PM_TMP=''
}
podman_up() {
	command -v podman >/dev/null || { PM_WHY="Debian's podman is not installed; 'make deps-runtimes' installs it"; return 1; }
	command -v runc >/dev/null || { PM_WHY="no runc ('make deps-runtimes')"; return 1; }
	[ -x /bin/busybox ] || { PM_WHY="no /bin/busybox (busybox-static, make deps)"; return 1; }
	PM_TMP=$(mktemp -d /tmp/nstop-podman.XXXXXX) || return 1
	printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
		>"$PM_TMP/containers.conf"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$PM_TMP/storage" "$PM_TMP/run" \
		>"$PM_TMP/storage.conf"
	export CONTAINERS_CONF=$PM_TMP/containers.conf CONTAINERS_STORAGE_CONF=$PM_TMP/storage.conf
	local own
	own=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
	PM_PARENT=${own%/}/nstop-podman-$$
	if ! docker_busybox_tar | pm import - "localhost/nstop-busybox:$$" >/dev/null 2>"$PM_TMP/import.err"; then
		PM_WHY="podman import failed: $(head -c 300 "$PM_TMP/import.err")"; return 1
	fi
}
if ! podman_up; then
	skip "podman: $PM_WHY"
else
	pname=nstop-rtp-$$
	if ! pm run -d --name "$pname" --network none --log-driver k8s-file --cgroup-parent "$PM_PARENT" \
		"localhost/nstop-busybox:$$" sh -c "$prog" >/dev/null 2>"$tmp/pm.err"; then
		skip "podman: podman run failed here: $(head -c 300 "$tmp/pm.err" | tr '\n' ' ')"
	else
		exec_touch() { pm exec "$1" touch /tmp/go; }
		"$NSTOP" containers --json -d 0.1 >"$tmp/ctrs.json" 2>"$tmp/ctrs.err"
		pid=$(pm inspect -f '{{.State.Pid}}' "$pname")
		got=$(jq -r --argjson p "$pid" '.containers[] | select(.pid == $p) | "\(.runtime) \(.name) \(.image)"' "$tmp/ctrs.json")
		want="podman $(pm inspect -f '{{.Name}} {{.ImageName}}' "$pname")"
		check "podman: nstop containers --json: runtime, name and image as podman inspect's ($got; $want)" \
			test "$got" = "$want"
		logs_checks podman "$pname" pm logs
		if pm run -d --name "$pname-none" --network none --log-driver none --cgroup-parent "$PM_PARENT" \
			"localhost/nstop-busybox:$$" sleep 1000 >/dev/null 2>&1; then
			sleep 0.5
			expect_exit 1 "podman --log-driver none: nstop logs fails" logs "$pname-none"
			check "... saying the driver keeps no file ($(head -c 200 /tmp/nstop-err.$$))" grep -q 'log driver is' /tmp/nstop-err.$$
		fi
		# the journald driver, read through sd-journal (tests/suites/journal.sh
		# reads journal files where no journald runs)
		if pm run -d --name "$pname-j" --network none --log-driver journald --cgroup-parent "$PM_PARENT" \
			"localhost/nstop-busybox:$$" sh -c 'echo journal-line-1; echo journal-line-2; sleep 1000' \
			>/dev/null 2>"$tmp/pmj.err"; then
			for _ in $(seq 50); do pm logs "$pname-j" 2>/dev/null | grep -q journal-line-2 && break; sleep 0.1; done
			got=$("$NSTOP" logs --tail 2 "$pname-j" 2>&1) want=$(pm logs --tail 2 "$pname-j" 2>&1)
			check "podman --log-driver journald: nstop logs as podman logs ($got; $want)" \
				test "$got" = "$want" -a -n "$want"
		else
			skip "podman --log-driver journald: podman run fails here: $(head -c 200 "$tmp/pmj.err" | tr '\n' ' ')"
		fi
	fi
fi
podman_down
echo "1..$n"
