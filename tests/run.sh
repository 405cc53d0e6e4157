#!/bin/bash
# Runs every suite (C unit tests, fixture goldens, CLI, live checks as root)
# and ends with "N passed, N failed, N skipped". Suites speak TAP: lines
# "ok", "not ok" and "ok ... # SKIP reason"; anything else is shown as is
# when a suite fails.
set -u
cd "$(dirname "$0")/.."
export B=${B:-build}
export NSTOP=${NSTOP:-$PWD/nstop}
export TOP=$PWD
export FIXTURES=$PWD/$B/fixtures
export LC_ALL=C.UTF-8
# no user config file reaches the tests (the dashboard ones pass --no-config)
export XDG_CONFIG_HOME=$PWD/$B/test-xdg
mkdir -p "$XDG_CONFIG_HOME"
pass=0 fail=0 skip=0
only="$*"   # suite name fragments; empty runs all

tests/fixtures/prepare.sh "$FIXTURES" || { echo "not ok - preparing fixtures"; exit 1; }

run_suite() {
	local name=$1; shift
	if [ -n "$only" ]; then
		local hit=
		for o in $only; do [[ $name == *$o* ]] && hit=1; done
		[ -n "$hit" ] || return
	fi
	local out rc
	# a file, not $(...): a stray grandchild holding the pipe must not hang us
	# a hung suite fails alone, it does not hang the run
	local t0=$SECONDS
	timeout -k 10 "${SUITE_TIMEOUT:-900}" "$@" >"$B/suite.out" 2>&1 </dev/null
	rc=$?
	[ $rc = 124 ] && echo "not ok - $name timed out after ${SUITE_TIMEOUT:-900} s" >>"$B/suite.out"
	out=$(cat "$B/suite.out")
	local p f s
	p=$(grep -c '^ok ' <<<"$out" | head -1)
	s=$(grep -c '^ok .*# SKIP' <<<"$out")
	f=$(grep -c '^not ok' <<<"$out")
	p=$((p - s))
	# VERBOSE=1 (the v2 guest) passes every TAP line on, named by suite
	[ -n "${VERBOSE:-}" ] && grep -E '^(not )?ok ' <<<"$out" | sed "s|^\(\(not \)\?ok\) [0-9]* |\1 - [$name] |"
	if [ "$f" -gt 0 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "== $name: $p passed, $f failed, $s skipped (exit $rc)"
		# the failures first: a suite's comments must not push them out
		grep '^not ok' <<<"$out"
		grep -v '^ok \|^not ok' <<<"$out" | grep -v '^1\.\.' | head -60
		[ "$f" -eq 0 ] && f=1
	else
		echo "== $name: $p passed, $s skipped"
		grep '# SKIP' <<<"$out" | sed 's/^/   /'
	fi
	# the guest's budget is counted per suite (VERBOSE: the v2 guest)
	[ -n "${VERBOSE:-}" ] && echo "# time $name: $((SECONDS - t0)) s"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

# the host's own nstop state must not be touched by a test: they use
# --audit-log and NSTOP_STATE_DIR
state_before=$(ls -d /var/log/nstop /run/nstop 2>/dev/null)

for t in "$B"/tests/test_*; do
	case $t in *.d|*.o) continue ;; esac
	[ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
for t in tests/suites/*.sh; do
	run_suite "$(basename "$t" .sh)" bash "$t"
done

state_after=$(ls -d /var/log/nstop /run/nstop 2>/dev/null)
if [ -z "$only" ]; then
	if [ "$state_before" = "$state_after" ]; then
		pass=$((pass + 1))
	else
		echo "not ok - a test made the host's nstop state: $state_after"
		fail=$((fail + 1))
	fi
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
