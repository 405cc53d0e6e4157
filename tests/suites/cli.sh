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
bad "limit with two targets" limit a b --cpu 1
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

# -o with + adds to the defaults; column names are case-insensitive, JSON keys too
check "-o +COL adds a column" bash -c "\"$NSTOP\" ns -o +PPID | head -1 | grep -q 'COMMAND *PPID$'"
check "-o accepts JSON keys" bash -c "\"$NSTOP\" ns -J -o ns,nprocs | jq -e '.namespaces[0] | keys == [\"nprocs\",\"ns\"]' >/dev/null"
check "-H drops the header" bash -c "! \"$NSTOP\" ns -H | grep -q '^ *NS TYPE'"
echo "1..$n"
