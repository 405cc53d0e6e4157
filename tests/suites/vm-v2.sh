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
# the guest's recording, replayed here (issue 17: the format does not
# depend on the host it is read on; this host is hybrid, the guest v2)
tmp=$(mktemp -d /tmp/nstop-vmrec.XXXXXX)
trap 'rm -rf "$tmp"; cleanup_tmp' EXIT
sed -n '/^vm: recording begin/,/^vm: recording end/p' <<<"$out" | sed '1d;$d' | tr -d '\r' |
	base64 -d >"$tmp/guest.nstoprec" 2>/dev/null
if [ ! -s "$tmp/guest.nstoprec" ]; then
	notok "the guest's recording came out on its console ($(grep -a -c . "$tmp/guest.nstoprec" 2>/dev/null) bytes)"
else
	"$NSTOP" snapshot --replay "$tmp" --json >"$tmp/snap.json" 2>"$tmp/err"
	r=$?
	check "the guest's recording replays here: snapshot --replay (exit $r, $(head -c 150 "$tmp/err"))" \
		test $r = 0 -a ! -s "$tmp/err"
	check "... a cgroup v2 host's sample on a $(jq -r .cgroup_layout <<<"$("$NSTOP" snapshot --json 2>/dev/null)") one: cgroup_layout $(jq -r .cgroup_layout "$tmp/snap.json" 2>/dev/null)" \
		test "$(jq -r .cgroup_layout "$tmp/snap.json" 2>/dev/null)" = v2
	"$NSTOP" cgroups --depth all --replay "$tmp" --json >"$tmp/cg.json" 2>"$tmp/err"
	check "... its cgroup /tests/work/vmrec with a memory figure" \
		test "$(jq -r '.cgroups[] | select(.path == "/tests/work/vmrec") | .memory_bytes | type' "$tmp/cg.json" 2>/dev/null)" = number
	"$NSTOP" events --replay "$tmp" --json >"$tmp/ev.json" 2>"$tmp/err"
	r=$?
	ev=$(jq -c 'select(.type == "exit" and .comm == "sleep" and .cgroup == "/tests/work/vmrec")' "$tmp/ev.json" 2>/dev/null | head -1)
	check "... and the exit of its sleep in that cgroup (exit $r): $ev" test $r = 0 -a -n "$ev"
fi
if [ $rc -ne 0 ] || [ -z "$lines" ]; then
	notok "the v2 guest run failed (exit $rc)"
	grep -v '^\s*$' <<<"$out" | tail -15 | sed 's/^/#   /'
fi
echo "1..$n"
