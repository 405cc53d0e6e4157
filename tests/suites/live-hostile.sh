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
for args in "ps -J" "ns -J" "ns -J --tree owner" "snapshot --json" "cgroups -J -d 0"; do
	# shellcheck disable=SC2086
	check "nstop $args is valid JSON" bash -c "\"$NSTOP\" $args | jq -e . >/dev/null"
done
v=$("$NSTOP" ps -J -o pid,comm,command | jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .comm + "|" + .command')
want='\x1b]0;pwn\x07\x1b[2J|\x1b[31mevil\xff\xfe\xc2\x9b31m \x1b]0;pwn\x07\x1b[2J x\x7fy\x01'
if [ "$v" = "$want" ]; then ok "JSON decodes to the same escaped text"; else notok "JSON: got '$v'"; fi
# column widths hold: every row of the text table is as wide as its header
w=$("$NSTOP" ps -o PID,COMM,USER | awk -v p="$pid" '$1 == p || NR == 1 { print length($0) }' | sort -u | wc -l)
check "the escaped name does not break the column layout" test "$w" -le 2
echo "1..$n"
