#!/bin/bash
# A live process named with escape sequences, C1 controls and invalid UTF-8
# (comm through prctl(PR_SET_NAME), argv through exec -a) must come out
# escaped from every listing, and every JSON document must stay valid.
. "$TOP/tests/lib.sh"
helper=$TOP/$B/tests/hostile
[ -x "$helper" ] || { notok "helper $helper is not built (make test builds it)"; echo "1..$n"; exit 0; }
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; wait 2>/dev/null; cleanup_tmp; }
trap cleanup EXIT

comm=$'\e]0;pwn\a\e[2J'
arg0=$'\e[31mevil\xff\xfe\xc2\x9b31m'
arg1=$'x\x7fy\x01'
if need_root; then
	# its own uts namespace makes it the lowest pid of a namespace: in ns too
	unshare -u bash -c 'exec -a "$1" "$2" "$3" "$4"' _ "$arg0" "$helper" "$comm" "$arg1" &
else
	bash -c 'exec -a "$1" "$2" "$3" "$4"' _ "$arg0" "$helper" "$comm" "$arg1" &
fi
pid=$!
for _ in $(seq 50); do grep -q pwn "/proc/$pid/comm" 2>/dev/null && break; sleep 0.05; done
check "the helper renamed itself" grep -q pwn "/proc/$pid/comm"

raw_free() { # no ESC, no C1 (raw or UTF-8 encoded), no invalid UTF-8
	! grep -q $'\e' "$1" && ! grep -qP '\x{9b}|\x{9d}' "$1" 2>/dev/null && ! LC_ALL=C grep -q $'\x9b' "$1" &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}
for args in "ps" "ps -o PID,COMM,COMMAND" "ns" "ns -l" "ns --tree owner"; do
	# shellcheck disable=SC2086
	"$NSTOP" $args >/tmp/nstop-out.$$ 2>&1
	check "nstop $args: nothing raw reaches the terminal" raw_free /tmp/nstop-out.$$
done
"$NSTOP" ps -o PID,COMM,COMMAND >/tmp/nstop-out.$$
check "ps shows the escaped comm" grep -qF "$pid \\x1b]0;pwn\\x07\\x1b[2J" /tmp/nstop-out.$$
check "ps shows the escaped argv" grep -qF '\x1b[31mevil\xff\xfe\xc2\x9b31m \x1b]0;pwn\x07\x1b[2J x\x7fy\x01' /tmp/nstop-out.$$
if need_root; then
	"$NSTOP" ns -l >/tmp/nstop-out.$$
	check "ns shows it escaped as a namespace's command" grep -qF '\x1b[31mevil\xff\xfe' /tmp/nstop-out.$$
fi
for args in "ps -J" "ns -J" "ns -J --tree owner" "snapshot --json" "cgroups --depth all -J -d 0"; do
	# shellcheck disable=SC2086
	check "nstop $args is valid JSON" bash -c "\"$NSTOP\" $args | jq -e . >/dev/null"
done
v=$("$NSTOP" ps -J -o pid,comm,command | jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .comm + "|" + .command')
want='\x1b]0;pwn\x07\x1b[2J|\x1b[31mevil\xff\xfe\xc2\x9b31m \x1b]0;pwn\x07\x1b[2J x\x7fy\x01'
if [ "$v" = "$want" ]; then ok "JSON decodes to the same escaped text"; else notok "JSON: got '$v'"; fi
# column widths hold: every row of the text table is as wide as its header
w=$("$NSTOP" ps -o PID,COMM,USER | awk -v p="$pid" '$1 == p || NR == 1 { print length($0) }' | sort -u | wc -l)
check "the escaped name does not break the column layout" test "$w" -le 2

# a 4 KiB command line: escaped, columns hold, JSON valid
long=$(printf 'A%.0s' $(seq 4096))
# (a helper, not sleep: busybox picks its applet from argv[0])
bash -c 'exec -a "$1" "$2" ignore-term' _ "$long"$'\e[2J' "$TOP/$B/tests/hog" >/dev/null &
lp=$!
for _ in $(seq 100); do grep -q '^AAAA' "/proc/$lp/cmdline" 2>/dev/null && break; sleep 0.05; done
"$NSTOP" ps -o PID,COMMAND >/tmp/nstop-out.$$
check "a 4 KiB command line comes out escaped" bash -c "grep -q '^ *$lp AAAA' /tmp/nstop-out.$$ && raw_free() { ! grep -q \$'\\e' \"\$1\"; }; raw_free /tmp/nstop-out.$$"
check "... and JSON stays valid" bash -c "'$NSTOP' ps -J | jq -e '.processes[] | select(.pid == $lp) | .command | length >= 4096' >/dev/null"
kill -KILL "$lp"; wait "$lp" 2>/dev/null

if need_root; then
	tmp=$(mktemp -d /tmp/nstop-hostile.XXXXXX)
	trap 'cleanup; [ -n "${evil_cg:-}" ] && rmdir "$evil_cg" 2>/dev/null; [ -n "${netp:-}" ] && kill -KILL "$netp" 2>/dev/null; rm -rf "$tmp"' EXIT
	# a cgroup named with escapes, C1 and invalid UTF-8, beneath the test's own
	cpu=$(awk '$0 ~ / - cgroup / && $0 ~ /[ ,]cpu([ ,]|$)/ { print $5; exit }' /proc/self/mountinfo)
	[ -n "$cpu" ] || cpu=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	base=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ || ($1 == 0 && !found) { print $3; found = 1 }' /proc/self/cgroup | head -1)
	evil_cg=$cpu${base%/}/$'nstop-evil-\e[2J\xc2\x9b\xff'$$
	if mkdir "$evil_cg" 2>/dev/null; then
		"$NSTOP" cgroups --depth all -d 0 >/tmp/nstop-out.$$ 2>&1
		check "a hostile cgroup name: nothing raw reaches the terminal" raw_free /tmp/nstop-out.$$
		check "... it is listed escaped" grep -qF 'nstop-evil-\x1b[2J\xc2\x9b\xff' /tmp/nstop-out.$$
		check "... and cgroups -J stays valid" bash -c "'$NSTOP' cgroups --depth all -d 0 -J | jq -e . >/dev/null"
		rmdir "$evil_cg"
	else
		skip "a hostile cgroup name: cannot make one here"
	fi
	# an interface named with an escape sequence, in a sandbox's network namespace
	unshare -n -p -f --kill-child bash -c 'ip link add "$1" type veth peer name p0 && ip link set lo up && exec sleep 300' _ $'e\e[1m\x7f' &
	netp=$!
	sleep 0.7
	"$NSTOP" snapshot --json >/tmp/nstop-out.$$ 2>&1
	if jq -e '.interfaces[] | select(.name | startswith("e\\x1b"))' /tmp/nstop-out.$$ >/dev/null 2>&1; then
		ok "a hostile interface name is listed escaped in JSON"
	else
		notok "a hostile interface name: not found escaped"; jq -c '.interfaces' /tmp/nstop-out.$$ | head -c 300 | sed 's/^/#   /'
	fi
	check "... and no raw byte of it is in the output" raw_free /tmp/nstop-out.$$
	kill -KILL "$netp"; wait "$netp" 2>/dev/null; netp=
	# a registry entry replaced by a symbolic link is never followed
	export NSTOP_STATE_DIR=$tmp/state
	mkdir -p "$tmp/state" "$tmp/elsewhere"
	echo '{"name":"evil","pid":1,"start":1,"cgroups":{}}' >"$tmp/elsewhere/state.json"
	echo secret >"$tmp/elsewhere/log"
	ln -s "$tmp/elsewhere" "$tmp/state/evil"
	expect_exit 2 "rm of a registry entry that is a symlink: not followed" rm -f evil --audit-log "$tmp/a.log"
	check "... the target is untouched" test -f "$tmp/elsewhere/state.json"
	expect_exit 2 "logs through a symlinked entry: refused" logs evil
	check "... nothing of it printed" bash -c "! grep -q secret /tmp/nstop-out.$$"
	unset NSTOP_STATE_DIR
	# set-uid: refused (AT_SECURE)
	cp "$NSTOP" "$tmp/nstop-suid" && chmod 4755 "$tmp/nstop-suid"
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/nstop-suid" ns >/tmp/nstop-out.$$ 2>&1; then rc=0; else rc=$?; fi
	if grep -q nosuid <<<"$(findmnt -no OPTIONS -T "$tmp")"; then
		skip "set-uid refusal: $tmp is on a nosuid mount"
	else
		check "set-uid: refused with a clear message (exit $rc)" grep -q "refusing to run set-uid" /tmp/nstop-out.$$
	fi
fi
echo "1..$n"
