# Shared helpers for the shell suites: TAP output and cleanup.
# shellcheck shell=bash
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
need_root() { [ "$(id -u)" = 0 ]; }
# Runs nstop and asserts exit status: expect_exit CODE DESC ARGS...
expect_exit() {
	local want=$1 d=$2; shift 2
	"$NSTOP" "$@" >/tmp/nstop-out.$$ 2>/tmp/nstop-err.$$
	local rc=$?
	if [ $rc -eq "$want" ]; then ok "$d (exit $rc)"; else
		notok "$d: exit $rc, want $want"; sed 's/^/#   /' /tmp/nstop-err.$$ | head -5; fi
}
cleanup_tmp() { rm -f /tmp/nstop-out.$$ /tmp/nstop-err.$$; }
trap cleanup_tmp EXIT
