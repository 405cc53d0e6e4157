#!/bin/bash
# Settings that stick and shell completion: the config file (warnings with
# file and line that never stop the program, --no-config, command line over
# file, the dashboard's w key writing it), and bash completion driven through
# COMP_WORDS/COMP_CWORD.
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d /tmp/nstop-config.XXXXXX)
sock=nstop-cfg-$$
TSESS=c SEE_LINES=8
. "$TOP/tests/lib-tmux.sh"
cleanup() { tmux_stop; rm -rf "$tmp"; cleanup_tmp; }
trap cleanup EXIT
export XDG_CONFIG_HOME=$tmp/xdg
mkdir -p "$XDG_CONFIG_HOME/nstop"
cfg=$XDG_CONFIG_HOME/nstop/config

# ---- the file ----
cat >"$cfg" <<EOF
# a comment
view = cgroups
interval = 2
frobnicate = yes
columns.cgroups = PATH,CPU%,NOPE
columns.processes = PID,COMMAND
sort.processes = PID reverse
color = maybe
audit_log = $tmp/audit.log
no equals sign here
EOF
"$NSTOP" ns -H -o NS >/dev/null 2>/tmp/nstop-err.$$
rc=$?
check "a bad config file never stops the program (exit $rc)" test $rc = 0
check "an unknown key warns with file and line" grep -qF "$cfg:4: unknown key: frobnicate (ignored)" /tmp/nstop-err.$$
check "a bad column list warns" grep -qF "$cfg:5: columns.cgroups: PATH,CPU%,NOPE is not a column list" /tmp/nstop-err.$$
check "a bad value warns" grep -qF "$cfg:8: color: maybe is not yes or no (ignored)" /tmp/nstop-err.$$
check "a line without = warns" grep -qF "$cfg:10: not key = value" /tmp/nstop-err.$$
"$NSTOP" --no-config ns -H -o NS >/dev/null 2>/tmp/nstop-err.$$
check "--no-config reads nothing (no warning)" test ! -s /tmp/nstop-err.$$
echo '{"time":"t","id":"1","user":"u","uid":0,"action":"limit","target":{"cgroup":"/x"},"result":"ok"}' >"$tmp/audit.log"
check "audit_log from the file is the one nstop audit reads" \
	test "$("$NSTOP" audit -J 2>/dev/null | jq '.actions | length')" = 1
: >"$tmp/empty.log"
check "... and --audit-log wins over it" \
	test "$("$NSTOP" audit -J --audit-log "$tmp/empty.log" 2>/dev/null | jq '.actions | length')" = 0

# ---- the dashboard ----
if command -v tmux >/dev/null; then
	sed -i '/frobnicate\|NOPE\|maybe\|no equals/d' "$cfg"
	T new-session -d -s c -x 160 -y 40 "env LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME=$XDG_CONFIG_HOME $NSTOP --sysroot $FIXTURES/v2; sleep 30"
	see "the config's view opens first (cgroups)" "PATH"
	see "the config's interval" "every 2.0s"
	T send-keys -t c 4; sleep 0.3
	see "the config's columns for processes" "PID COMMAND"
	T send-keys -t c w; sleep 0.3
	see "w saves the settings" "settings saved to $cfg"
	check "the file now says view = processes" grep -qx "view = processes" "$cfg"
	check "and the processes view's columns and sort" bash -c "grep -qx 'columns.processes = PID,COMMAND' '$cfg' && grep -qx 'sort.processes = PID reverse' '$cfg'"
	T send-keys -t c q; T kill-server 2>/dev/null
	sock=nstop-cfg2-$$
	T new-session -d -s c -x 160 -y 40 "env LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME=$XDG_CONFIG_HOME $NSTOP --sysroot $FIXTURES/v2 -d 0.5; sleep 30"
	see "the saved view comes back" "PID COMMAND"
	see "the command line wins over the file (-d 0.5)" "every 0.5s"
	T send-keys -t c q; T kill-server 2>/dev/null
	sock=nstop-cfg3-$$
	T new-session -d -s c -x 160 -y 40 "env LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME=$XDG_CONFIG_HOME $NSTOP --no-config --sysroot $FIXTURES/v2; sleep 30"
	see "--no-config: the defaults (containers view, 1 s)" "every 1.0s"
	T send-keys -t c q
else
	skip "dashboard settings: tmux is missing (make deps)"
fi

# ---- bash completion ----
comp() { # comp WORD...: what completing the last word offers
	bash -c 'source "$1/completions/nstop.bash"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nstop; printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP" "$@"
}
check "complete -p: installed for nstop" bash -c "source '$TOP/completions/nstop.bash'; complete -p nstop | grep -q _nstop"
check "subcommands" test "$(comp "$NSTOP" li)" = limit
check "every subcommand of --help is offered" bash -c "
	for c in \$('$NSTOP' --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print \$1 } on && /^\$/ { exit }'); do
		grep -qx \"\$c\" <<<\"\$(cd /; bash -c 'source \"$TOP/completions/nstop.bash\"; COMP_WORDS=(nstop \"\"); COMP_CWORD=1; _nstop; printf \"%s\n\" \"\${COMPREPLY[@]}\"')\" || { echo missing \$c; exit 1; }
	done"
# the dashboard's and the global options of --help, each offered first
check "every dashboard and global option of --help is offered" bash -c "
	offered=\$(cd /; bash -c 'source \"$TOP/completions/nstop.bash\"; COMP_WORDS=(nstop -); COMP_CWORD=1; _nstop; printf \"%s\\n\" \"\${COMPREPLY[@]}\"')
	for o in \$('$NSTOP' --help | awk '/^(Dashboard|Global) options:/ { on = 1; next } on && /^\$/ { on = 0 } on && /^  -/ { sub(/   .*/, \"\"); print }' | grep -o -- '--*[a-zA-Z][a-zA-Z-]*'); do
		grep -qx -- \"\$o\" <<<\"\$offered\" || { echo missing \$o; exit 1; }
	done"
check "options of a subcommand" test "$(comp "$NSTOP" limit x --me | tr '\n' ' ')" = "--memory --memory-high "
check "signal names" test "$(comp "$NSTOP" kill x --signal US | tr '\n' ' ')" = "USR1 USR2 "
check "namespace lists, element by element" test "$(comp "$NSTOP" create x --ns pid,ne)" = pid,net
check "columns from --list-columns" test "$(comp "$NSTOP" ns -o NPR)" = NPROCS
fx=$FIXTURES/v2
check "cgroup paths from nstop itself" \
	grep -qx /kubepods.slice/kubepods-burstable.slice <<<"$(comp "$NSTOP" --sysroot "$fx" limit /kubepods.slice/kubepods-bu)"
check "container ids from nstop containers" \
	bash -c '[[ "$1" == 86d597eb6f0a* ]]' _ "$(comp "$NSTOP" --sysroot "$fx" freeze 86d5)"
check "container names too" test "$(comp "$NSTOP" --sysroot "$fx" freeze default/web | sort -u)" = default/web-7d4b9
check "rm offers nstop's own containers only" test "$(comp "$NSTOP" --sysroot "$fx" rm "" | sort | tr '\n' ' ')" = "batch db web "
echo "1..$n"
