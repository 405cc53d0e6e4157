#!/bin/bash
# The real-kernel suites inside a qemu guest with cgroup v2 only (tests/vm):
# every guest TAP line is reported here, prefixed "v2 guest".
. "$TOP/tests/lib.sh"
if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "CGROUP V2 GUEST NOT RUN: qemu-system-x86_64 is missing (make deps installs qemu-system-x86)"
	echo "1..$n"; exit 0
fi
if [ -n "${NSTOP_NO_VM:-}" ]; then
	skip "cgroup v2 guest not run in this pass: $NSTOP_NO_VM"
	echo "1..$n"; exit 0
fi
out=$(B=$B "$TOP/tests/vm/run.sh" 2>&1)
rc=$?
lines=$(grep -E '^(not )?ok - \[' <<<"$out" | tr -d '\r')
while IFS= read -r l; do
	[ -z "$l" ] && continue
	case $l in
	"not ok - "*) notok "v2 guest: ${l#not ok - }" ;;
	*"# SKIP"*) skip "v2 guest: ${l#ok - }" ;;
	*) ok "v2 guest: ${l#ok - }" ;;
	esac
done <<<"$lines"
if [ $rc -ne 0 ] || [ -z "$lines" ]; then
	notok "the v2 guest run failed (exit $rc)"
	grep -v '^\s*$' <<<"$out" | tail -15 | sed 's/^/#   /'
fi
echo "1..$n"
