#!/bin/bash
# The command line as a contract: help, version, usage errors (exit 2 with
# "nstop: <what>: <why>"), column lists, and the man page.
. "$TOP/tests/lib.sh"

expect_exit 0 "--help" --help
check "--help lists every command" bash -c 'for c in ns cgroups ps snapshot containers limit freeze thaw kill undo audit create enter rm logs metrics serve; do grep -q "^  $c " /tmp/nstop-out.'$$' || exit 1; done'
expect_exit 0 "--version" --version
check "--version prints the version" grep -qx 'nstop [0-9.]*' /tmp/nstop-out.$$

bad() { # bad DESC ARGS...: exit 2 and a one-line "nstop: " message
	local d=$1; shift
	"$NSTOP" "$@" >/tmp/nstop-out.$$ 2>/tmp/nstop-err.$$
	local rc=$?
	if [ $rc -eq 2 ] && grep -q '^nstop: .*: ' /tmp/nstop-err.$$ && [ "$(wc -l </tmp/nstop-err.$$)" -le 2 ] &&
		[ ! -s /tmp/nstop-out.$$ ]; then
		ok "$d: exit 2, $(head -1 /tmp/nstop-err.$$)"
	else
		notok "$d: exit $rc"; sed 's/^/#   /' /tmp/nstop-err.$$ | head -3
	fi
}
bad "unknown command" frobnicate
bad "unknown global option" --frob
bad "--sysroot without a value" --sysroot
bad "--sysroot that does not exist" --sysroot /nonexistent/dir ns
bad "ns unknown type" ns -t foo
bad "ns unknown option" ns --frob
bad "ns --tree junk" ns --tree sideways
bad "ns stray argument" ns extra
bad "ns unknown column" ns -o NS,NOPE
bad "cgroups bad interval" cgroups -d abc
bad "cgroups negative interval" cgroups -d -1
bad "cgroups zero count" cgroups -n 0
bad "cgroups huge count" cgroups -n 99999999999999999999999
bad "ps bad --ns" ps --ns xyz
bad "ps relative --cgroup" ps --cgroup system.slice
bad "snapshot without --json" snapshot
bad "limit without a target" limit
bad "limit with two unknown targets: refused before acting" limit a b --cpu 1
bad "limit --cpu junk" limit /x --cpu abc
bad "limit --memory junk" limit /x --memory 1Q
bad "limit unknown option" limit /x --frob
bad "limit on a --sysroot" --sysroot "$FIXTURES/v2" limit /system.slice --cpu 1
bad "freeze without a target" freeze
bad "thaw bad --timeout" thaw /x --timeout soon
bad "kill unknown signal" kill /x --signal FROB
bad "kill --pid junk" kill --pid 12x
bad "kill --pid with a bad start" kill --pid 12@x
bad "kill --pid with a target" kill --pid 12 /x
bad "kill --pid with --grace" kill --pid 12 --grace 1
bad "audit stray argument" audit extra
bad "hostile argument is escaped in the message" $'\e]0;pwned\a'
check "the hostile argument did not reach stderr raw" bash -c '! grep -q $'"'"'\x1b'"'"' /tmp/nstop-err.'$$

for t in ns cgroups ps containers; do
	expect_exit 0 "$t --list-columns" $t --list-columns
	# every column listed has a man page entry
	missing=$(awk '{print $1}' /tmp/nstop-out.$$ | while read -r c; do
		grep -qF -- "$c" "$TOP/man/nstop.8" || echo "$c"; done)
	check "$t: every column is in the man page${missing:+ (missing: $missing)}" test -z "$missing"
done
missing=$("$NSTOP" --help | grep -o -- '--[a-z-]*' | sort -u | while read -r o; do
	grep -qF -- "${o#--}" "$TOP/man/nstop.8" || echo "$o"; done)
check "every --help option is in the man page${missing:+ (missing: $missing)}" test -z "$missing"
# every key of the ? screen (nstop --help-keys) is an ".It Ic" of the man page
mankeys=$(sed -n 's/^\.It Ic //p' "$TOP/man/nstop.8" | sed 's/\\&//g' | tr ' ' '\n' | sort -u)
missing=$("$NSTOP" --help-keys | awk '{print $1}' | while read -r k; do grep -qxF -- "$k" <<<"$mankeys" || echo "$k"; done)
check "every dashboard key is in the man page${missing:+ (missing: $missing)}" test -z "$missing"
check "--help-keys lists the keys (q among them)" bash -c "'$NSTOP' --help-keys | grep -q '^q '"
missing=$(for t in ns cgroups ps containers; do "$NSTOP" $t --list-columns | awk '{print $2}'; done | sort -u |
	while read -r k; do grep -qF -- "$k" "$TOP/man/nstop.8" || echo "$k"; done)
check "every JSON key is documented in the man page${missing:+ (missing: $missing)}" test -z "$missing"
if command -v mandoc >/dev/null; then
	check "man page is mandoc -Tlint clean" bash -c "mandoc -Tlint -W warning '$TOP/man/nstop.8'"
else
	skip "mandoc is not installed (make deps)"
fi

# the help and option checks parse only (no kernel in them): hundreds of
# runs that cost the v2 guest minutes, so the host alone runs them
if [ -n "${NSTOP_IN_VM:-}" ]; then
	skip "cli: each subcommand's help and options: not in the v2 guest (parsing only; the host runs it)"
else
	# ---- each subcommand's own help (cli_help.c's table) ----
	# the commands of the global help, between "Commands:" and the blank line
	subs=$("$NSTOP" --help | sed -n '/^Commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }' | grep -vx help)
	check "--help lists the same commands as the completions' table" \
		test "$(sort <<<"$subs")" = "$("$NSTOP" _complete commands | cut -f1 | grep -vx help | sort)"
	bad_help=""; bad_same=""; bad_unknown=""; bad_man=""; all_opts=""
	for c in $subs; do
		out=$("$NSTOP" "$c" --help 2>&1); rc=$?
		{ [ $rc -eq 0 ] && grep -q "^Usage: nstop $c" <<<"$out" && grep -q '^Example:' <<<"$out" &&
			[ -z "$("$NSTOP" "$c" --help 2>&1 >/dev/null)" ]; } || bad_help="$bad_help $c"
		[ "$out" = "$("$NSTOP" help "$c" 2>&1)" ] && [ "$out" = "$("$NSTOP" "$c" -h 2>&1)" ] || bad_same="$bad_same $c"
		# the options of its help: "  -m, --memory SIZE  ..." lines
		opts=$(grep -E '^  -' <<<"$out" | sed -E 's/^  //; s/  .*//' | grep -oE '(^|, )-[-a-zA-Z]+( [^ ,]+)?' |
			sed 's/^, //' | grep -vE '^-h$|^--help$')
		while read -r o v; do
			[ -n "$o" ] || continue
			all_opts="$all_opts $o"
			# the parser knows it: a later unknown option is what it refuses
			args=("$o"); [ -n "$v" ] && args+=(1)
			err=$(NSTOP_STATE_DIR=/nonexistent-$$ "$NSTOP" "$c" "${args[@]}" --zz-unknown-$$ --audit-log /dev/null 2>&1 >/dev/null)
			rc=$?
			if { [ $rc -ne 2 ] && [ $rc -ne 125 ]; } || grep -qE "unknown option[^:]*: $o( |$)" <<<"$err"; then
				bad_unknown="$bad_unknown $c:$o(exit $rc)"
			fi
			# and the man page has it: "Fl -memory" or "Fl m"
			grep -qE "Fl ${o#-}( |$)" "$TOP/man/nstop.8" || bad_man="$bad_man $c:$o"
		done <<<"$opts"
	done
	check "every subcommand's --help, -h and help SUB: exit 0, usage, options, example${bad_help:+ (not:$bad_help)}" test -z "$bad_help"
	check "SUB --help, SUB -h and help SUB print the same${bad_same:+ (not:$bad_same)}" test -z "$bad_same"
	check "every option of a subcommand's help is one its parser knows${bad_unknown:+ (not:$bad_unknown)}" test -z "$bad_unknown"
	check "every option of a subcommand's help is in the man page${bad_man:+ (missing:$bad_man)}" test -z "$bad_man"
	# the reverse: every long option a parser of src/cli*.c knows is in some help
	missing=$(grep -ohE '\{"[a-z][a-z-]*", (no|required|optional)_argument' "$TOP"/src/cli*.c | cut -d'"' -f2 | sort -u |
		while read -r o; do grep -qw -- "--$o" <<<"${all_opts// /$'\n'}" || echo "--$o"; done)
	check "every long option of the parsers is in a subcommand's help${missing:+ (missing: $missing)}" test -z "$missing"
	expect_exit 0 "help without a command: the global help" help
	check "help lists the commands" grep -q '^Commands:' /tmp/nstop-out.$$
	bad "help of an unknown command" help frobnicate
	check "--help after create's NAME and command is the command's (nothing parsed as nstop's)" \
		bash -c '"$1" create --zz-unknown x sh --help 2>&1 | grep -q "unknown option"' _ "$NSTOP"
fi

# -o with + adds to the defaults; column names are case-insensitive, JSON keys too
check "-o +COL adds a column" bash -c "\"$NSTOP\" ns -o +PPID | head -1 | grep -q 'COMMAND *PPID$'"
check "-o accepts JSON keys" bash -c "\"$NSTOP\" ns -J -o ns,nprocs | jq -e '.namespaces[0] | keys == [\"nprocs\",\"ns\"]' >/dev/null"
check "-H drops the header" bash -c "! \"$NSTOP\" ns -H | grep -q '^ *NS TYPE'"

# ---- docker's spellings and several TARGETs, on real containers (root) ----
# Containers in a private registry, beneath the test's own cgroups, as the
# live-create suite makes them; every action into a private audit log.
if ! need_root; then
	skip "docker aliases on live containers: making containers needs root"
else
	. "$TOP/tests/lib-cg.sh"
	ctmp=$(mktemp -d /tmp/nstop-cli.XXXXXX)
	export NSTOP_STATE_DIR=$ctmp/state
	L=$ctmp/audit.log
	v2root=$(cg_mnt "")
	if [ -n "$v2root" ] && grep -qw cpu "$v2root/cgroup.controllers" 2>/dev/null; then
		own2=$(cg_own "")
		par=${NSTOP_TEST_CGROUP:-$v2root${own2%/}}
		cparent=${par#"$v2root"}/nstop-cli-$$
	else
		cparent=nstop-cli-$$
	fi
	cnames=(nat-$$ dock-$$ swp-$$ swq-$$ big-$$ wu-$$ env-$$ rm1-$$ rm2-$$)
	cli_cleanup() {
		local nm
		for nm in "${cnames[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
		ctr_parent_rm "nstop-cli-$$"
		rm -rf "$ctmp"
		cleanup_tmp
	}
	trap cli_cleanup EXIT
	mkc() { # mkc DESC NAME ARGS...
		local d=$1 nm=$2; shift 2
		expect_exit 0 "$d" create "$nm" --cgroup-parent "$cparent" --audit-log "$L" "$@"
	}
	lim() { "$NSTOP" limit "$1" --audit-log "$L" | tail -n +2; } # the limits read back, without the name line
	mkc "create with the native options" nat-$$ --cpu 0.5 --memory 64M --pids 32 -- sleep 1000
	mkc "create with docker's --cpus, -m, --pids-limit" dock-$$ --cpus 0.5 -m 64m --pids-limit 32 -- sleep 1000
	check "docker's create aliases set the same cgroup limits as the native options" \
		bash -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$(lim nat-$$)" "$(lim dock-$$)"
	check "... which are the ones asked for (cpu 50000 100000, memory 67108864, pids 32)" \
		bash -c 'grep -q "(50000 100000)" <<<"$1" && grep -q "(67108864)" <<<"$1" && grep -q "(32)" <<<"$1"' _ "$(lim dock-$$)"
	mkc "create with --memory-swap (memory plus swap)" swp-$$ -m 64m --memory-swap 96m -- sleep 1000
	check "--memory-swap 96m with -m 64m: swap 32M read back" bash -c 'grep -q "^swap .*(33554432)" <<<"$1"' _ "$(lim swp-$$)"
	mkc "create with --memory-swap -1" swq-$$ -m 64m --memory-swap -1 -- sleep 1000
	check "--memory-swap -1: swap max read back" bash -c 'grep -q "^swap .*(max)" <<<"$1"' _ "$(lim swq-$$)"
	expect_exit 2 "--memory-swap below the memory is refused" create bad-$$ --cgroup-parent "$cparent" --audit-log "$L" -m 64m --memory-swap 32m
	expect_exit 2 "--memory-swap without -m is refused" create bad-$$ --cgroup-parent "$cparent" --audit-log "$L" --memory-swap 1g
	check "nothing was made for them" test ! -e "$NSTOP_STATE_DIR/bad-$$"
	# limit's aliases: the same audit record's new values as the native spelling
	expect_exit 0 "limit with the native options" limit nat-$$ --cpu 0.25 --memory 48M --pids 16 --audit-log "$L"
	expect_exit 0 "limit with docker's --cpus, -m, --pids-limit" limit dock-$$ --cpus 0.25 -m 48m --pids-limit 16 --audit-log "$L"
	newof() { jq -c -s --arg n "$1" '[.[] | select(.action == "limit" and .target.name == $n)] | last | .new' "$L"; }
	check "limit's aliases: the same new values in the audit log ($(newof dock-$$))" \
		bash -c '[ "$1" != null ] && [ -n "$1" ] && [ "$1" = "$2" ]' _ "$(newof nat-$$)" "$(newof dock-$$)"
	check "limit's aliases: the same cgroup limits read back" bash -c '[ "$1" = "$2" ]' _ "$(lim nat-$$)" "$(lim dock-$$)"
	# several TARGETs: each acted on and recorded on its own
	before=$(wc -l <"$L")
	expect_exit 0 "freeze of two containers" freeze nat-$$ dock-$$ --audit-log "$L"
	check "two frozen: lines, one a container" test "$(grep -c '^frozen: ' /tmp/nstop-out.$$)" = 2
	check "two freeze records in the audit log, one per container" \
		test "$(tail -n +$((before + 1)) "$L" | jq -r 'select(.action == "freeze" and .result == "ok") | .target.name' | sort | tr '\n' ' ')" = "dock-$$ nat-$$ "
	frozen() { "$NSTOP" containers -d 0 -H -o NAME,STATE 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
	check "both are frozen ($(frozen nat-$$), $(frozen dock-$$))" bash -c '[ "$1" = frozen ] && [ "$2" = frozen ]' _ "$(frozen nat-$$)" "$(frozen dock-$$)"
	before=$(wc -l <"$L")
	expect_exit 2 "thaw of a container and an unknown name: refused before acting" thaw nat-$$ nope-$$ --audit-log "$L"
	check "... nothing recorded, nothing thawed" bash -c '[ "$(wc -l <"$1")" = "$2" ] && [ "$3" = frozen ]' _ "$L" "$before" "$(frozen nat-$$)"
	expect_exit 0 "thaw of both" thaw nat-$$ dock-$$ --audit-log "$L"
	check "both thawed ($(frozen nat-$$), $(frozen dock-$$))" bash -c '[ "$1" != frozen ] && [ "$2" != frozen ]' _ "$(frozen nat-$$)" "$(frozen dock-$$)"
	before=$(wc -l <"$L")
	expect_exit 0 "kill -s CONT of two containers" kill nat-$$ dock-$$ -s CONT --audit-log "$L"
	check "two kill records, one per container, two SIGCONT lines" bash -c '[ "$(tail -n +$(($2 + 1)) "$1" | jq -r "select(.action == \"kill\" and .result == \"ok\") | .target.name" | sort | tr "\n" " ")" = "dock-$3 nat-$3 " ] && [ "$(grep -c "^SIGCONT to " /tmp/nstop-out.$3)" = 2 ]' _ "$L" "$before" $$
	# one of several fails: the others are still done, the exit is 1
	# 48 MiB in its /tmp (a tmpfs: charged to its memory cgroup)
	mkc "a container using 48 MiB" big-$$ -- sh -c 'head -c 48M /dev/zero >/tmp/fill; echo ready; sleep 1000'
	# until it has written them (bounded in time: a guest is slow)
	t_end=$((SECONDS + 20))
	while [ $SECONDS -lt $t_end ] && ! grep -q ready "$NSTOP_STATE_DIR/big-$$/log" 2>/dev/null; do sleep 0.2; done
	bigmem=$("$NSTOP" containers -d 0 --json 2>/dev/null | jq -r --arg n "big-$$" '.containers[] | select(.name == $n) | .memory_bytes // 0' | head -1)
	if [ "${bigmem:-0}" -gt $((40 << 20)) ] 2>/dev/null; then
		before=$(wc -l <"$L")
		expect_exit 1 "limit --memory 32M of three, one using more: exit 1" limit nat-$$ big-$$ dock-$$ --memory 32M --audit-log "$L"
		check "the two others were limited (2 ok records, after the failure too)" \
			test "$(tail -n +$((before + 1)) "$L" | jq -r 'select(.action == "limit" and .result == "ok") | .target.name' | tr '\n' ' ')" = "nat-$$ dock-$$ "
		check "the failure named its target" grep -q 'below the' /tmp/nstop-err.$$
	else
		skip "limit of three, one using more: the big container holds ${bigmem:-no} bytes, not 48 MiB (its /tmp is not charged to it here)"
	fi
	# -w and -u: what the command sees (its cwd and ids, from its /proc)
	mkc "create with -w /tmp -u 1234:2345" wu-$$ -w /tmp -u 1234:2345 -- sleep 1000
	wp=$(pgrep -P "$(jq -r .pid "$NSTOP_STATE_DIR/wu-$$/state.json")" sleep | head -1)
	check "-w: the command's directory is /tmp inside" test "$(readlink "/proc/$wp/cwd" 2>/dev/null)" = /tmp
	check "-u: the command runs as uid 1234, gid 2345, no capability, no_new_privs" \
		bash -c 'awk "/^Uid:/ { u = \$2 \$3 \$4 \$5 } /^Gid:/ { g = \$2 \$3 \$4 \$5 } /^CapEff:/ { c = \$2 } /^CapPrm:/ { p = \$2 } /^NoNewPrivs:/ { n = \$2 } END { exit !(u == \"1234123412341234\" && g == \"2345234523452345\" && c == \"0000000000000000\" && p == c && n == 1) }" "/proc/$1/status"' _ "$wp"
	expect_exit 2 "-u with a name is refused (names are not looked up)" create bad-$$ --cgroup-parent "$cparent" -u root -- true
	expect_exit 2 "-w relative is refused" create bad-$$ --cgroup-parent "$cparent" -w tmp -- true
	expect_exit 2 "-u above the user namespace's ids is refused" create bad-$$ --cgroup-parent "$cparent" --ns pid,mnt,uts,ipc,net,cgroup,user -u 70000 -- true
	check "nothing was made for them" test ! -e "$NSTOP_STATE_DIR/bad-$$"
	cnames+=(wd-$$)
	expect_exit 1 "-w that is not there inside fails create" create wd-$$ --cgroup-parent "$cparent" --audit-log "$L" -w /nonexistent-$$ -- true
	check "... naming --workdir, leaving no state or cgroup" \
		bash -c 'grep -q -- --workdir /tmp/nstop-err.$1 && [ ! -e "$2" ] && [ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -name "wd-$1" 2>/dev/null)" ]' _ $$ "$NSTOP_STATE_DIR/wd-$$"
	# -e KEY and --env-file in docker's format: the command's environment
	printf '# docker env file\n\nFROM_FILE=a=b c\nCALLER_ONLY\n  INDENTED=1\n' >"$ctmp/env"
	CALLER_ONLY=yes CALLER_E=also mkc "create with --env-file and a bare -e KEY" env-$$ --env-file "$ctmp/env" -e CALLER_E -e NOT_SET_$$ -- sleep 1000
	ep=$(pgrep -P "$(jq -r .pid "$NSTOP_STATE_DIR/env-$$/state.json")" sleep | head -1)
	envof() { tr '\0' '\n' <"/proc/$ep/environ" | grep -E '^(FROM_FILE|CALLER_ONLY|INDENTED|CALLER_E|NOT_SET_[0-9]+)=' | sort | tr '\n' ' '; }
	check "env: the file's values verbatim, bare keys the caller's, an unset one left out ($(envof))" \
		test "$(envof)" = "CALLER_E=also CALLER_ONLY=yes FROM_FILE=a=b c INDENTED=1 "
	printf 'GOOD=1\nBAD KEY=2\n' >"$ctmp/bad.env"
	expect_exit 2 "--env-file with a bad line is refused" create bad-$$ --cgroup-parent "$cparent" --env-file "$ctmp/bad.env" -- true
	check "... naming the file and line 2" grep -q 'bad.env:2' /tmp/nstop-err.$$
	# --rm: removed when its command exits, by nstop-rm outside its cgroup
	mkc "create --rm with a command that exits" rm1-$$ --rm -- sh -c 'sleep 0.5'
	for _ in $(seq 100); do [ -e "$NSTOP_STATE_DIR/rm1-$$" ] || break; sleep 0.1; done
	check "--rm: gone after its command exited (state)" test ! -e "$NSTOP_STATE_DIR/rm1-$$"
	check "--rm: its removal is recorded as rm in the audit log" \
		bash -c 'jq -e -s --arg n "$2" "map(select(.action == \"rm\" and .target.name == \$n and .result == \"ok\")) | length == 1" "$1" >/dev/null' _ "$L" "rm1-$$"
	check "--rm: no cgroup left" test -z "$(for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do find "$d" -maxdepth 8 -type d -name "rm1-$$" 2>/dev/null; done)"
	mkc "create --rm, a command that stays" rm2-$$ --rm -- sleep 1000
	# the supervisor: comm nstop-rm, the command line of the create that forked it
	sup=$(for p in $(pgrep -x nstop-rm); do tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -q " rm2-$$ " && echo "$p"; done | head -1)
	r2=$(jq -r .pid "$NSTOP_STATE_DIR/rm2-$$/state.json")
	check "--rm: a supervisor nstop-rm (pid ${sup:-none}) outside the container's cgroup" \
		bash -c '[ -n "$1" ] && [ "$(cat /proc/$1/cgroup)" != "$(cat /proc/$2/cgroup)" ] && [ "$(cat /proc/$1/cgroup)" = "$(cat /proc/$$/cgroup)" ]' _ "$sup" "$r2"
	[ -n "$sup" ] && kill -KILL "$sup"
	sleep 0.2
	check "--rm: its supervisor killed, the container stays whole" \
		bash -c '[ -e "$1/state.json" ] && kill -0 "$2"' _ "$NSTOP_STATE_DIR/rm2-$$" "$r2"
fi
echo "1..$n"
