#!/bin/bash
# Runs every suite but the v2 guest (vm-v2) N times through tests/run.sh, to
# catch the flaky ones: each failure is reported by suite and round as it
# happens, a failing round's whole output stays in $B/loop/round-R.out, and
# a table of rounds failed per suite ends the run (also on Ctrl-C).
# A developer's tool, not part of make test or CI. Build first, as for
# run.sh (make build/nstop unit and the helpers, see README.md).
#   tests/loop.sh [-n N] [SUITE...]   SUITE: a name fragment, as run.sh takes
set -u
cd "$(dirname "$0")/.."
export B=${B:-build}
export NSTOP=${NSTOP:-$PWD/$B/nstop}
export NSTOP_NO_VM="tests/loop.sh leaves the v2 guest out"
rounds=10
while getopts n:h o; do
	case $o in
	n) rounds=$OPTARG ;;
	*) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $rounds in '' | *[!0-9]* | 0) echo "tests/loop.sh: -n wants a number above 0" >&2; exit 2 ;; esac

# the suites run.sh would run, by the names it prints, the guest left out
all=()
for t in "$B"/tests/test_*; do
	case $t in *.d | *.o) continue ;; esac
	[ -x "$t" ] && all+=("unit/$(basename "$t")")
done
for t in tests/suites/*.sh; do
	all+=("$(basename "$t" .sh)")
done
suites=()
for s in "${all[@]}"; do
	[ "$s" = vm-v2 ] && continue
	hit=$(($# == 0))
	for o in "$@"; do [[ $s == *$o* ]] && hit=1; done
	[ "$hit" = 1 ] && suites+=("$s")
done
if [ ${#suites[@]} = 0 ]; then
	echo "tests/loop.sh: no suite matches: $* (build the unit tests first?)" >&2
	exit 2
fi
# run.sh selects by fragment: an exact name that is part of another suite's
# name would run that one too
for s in "${suites[@]}"; do
	for t in "${all[@]}"; do
		[ "$t" != "$s" ] && [[ $t == *$s* ]] && [ "$t" != vm-v2 ] &&
			{ echo "tests/loop.sh: suite name $s is part of $t: run.sh cannot run it alone" >&2; exit 2; }
	done
done

mkdir -p "$B/loop"
declare -A failed=()   # suite -> "round round ..."
done_rounds=0
summary() {
	echo
	echo "rounds failed per suite, after $done_rounds of $rounds rounds (failing rounds' outputs in $B/loop/):"
	printf '%-24s %s\n' SUITE FAILED
	for s in "${suites[@]}" "(run.sh)"; do
		local r=${failed[$s]:-}
		[ "$s" = "(run.sh)" ] && [ -z "$r" ] && continue
		local nf=0
		[ -n "$r" ] && nf=$(wc -w <<<"$r")
		printf '%-24s %d of %d%s\n' "$s" "$nf" "$done_rounds" "${r:+  (rounds$r)}"
	done
}
trap 'summary; exit 130' INT TERM

echo "tests/loop.sh: $rounds rounds of ${#suites[@]} suites: ${suites[*]}"
for ((r = 1; r <= rounds; r++)); do
	out=$B/loop/round-$r.out
	t0=$(date +%s)
	tests/run.sh "${suites[@]}" >"$out" 2>&1
	rc=$?
	bad=$(sed -n 's/^== \(.*\): [0-9]* passed, [0-9]* failed, .*/\1/p' "$out")
	if [ $rc -ne 0 ] && [ -z "$bad" ]; then
		bad="(run.sh)" # it stopped before a suite ran (fixtures, say)
	fi
	done_rounds=$r
	line="round $r of $rounds: $(tail -1 "$out") in $(($(date +%s) - t0)) s"
	if [ -z "$bad" ]; then
		echo "$line"
		rm -f "$out"
		continue
	fi
	echo "$line; output in $out"
	while IFS= read -r s; do
		failed[$s]="${failed[$s]:-} $r"
		echo "  $s failed:"
		# what run.sh showed of it: the lines after its == line
		awk -v h="== $s: " 'index($0, h) == 1 { on = 1; next }
			/^== / || /^[0-9]+ passed, [0-9]+ failed/ { on = 0 }
			on' "$out" | head -20 | sed 's/^/    /'
	done <<<"$bad"
done
trap - INT TERM
summary
[ ${#failed[@]} = 0 ]
