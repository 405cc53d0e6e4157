#!/bin/bash
# The attack suite (root): every escape a process inside a container, or a
# careless action, could use against the host is tried for real and must
# fail. Each part in tests/escape/ is one family of attacks, runs on its
# own (its own cgroups, containers and trap) and speaks TAP; the runner
# counts the "ok" lines of all of them.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "escape: the attacks need containers, which need root"; exit 0
fi
rc=0
for part in "$TOP"/tests/escape/*.sh; do
	[ -e "$part" ] || continue
	echo "# part $(basename "$part" .sh)"
	bash "$part" || rc=1
done
exit $rc
