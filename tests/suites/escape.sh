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
	# the HTTP server's attacks (slowloris, pipelining, password guessing),
	# the parsers' (runtimes' files in --sysroot copies, crafted recordings,
	# hostile image archives, log files, the kernel's log), the tagged set's
	# in tmux, create's docker spellings, /etc links in a root and the ports
	# proxy's attacks (a host-side process under attack from host users) do not
	# depend on the cgroup version: the host runs them, the v2 guest's 600 s
	# go to what does
	case ${NSTOP_IN_VM:+vm}/$(basename "$part") in
	vm/serve.sh | vm/parsers.sh | vm/replay.sh | vm/images.sh | vm/tags.sh | vm/logs.sh | vm/aliases.sh | \
		vm/events.sh | vm/etclink.sh | vm/ports.sh)
		skip "escape/$(basename "$part" .sh): not in the v2 guest (nothing of the cgroup version; the host runs it)"
		continue ;;
	esac
	echo "# part $(basename "$part" .sh)"
	bash "$part" || rc=1
done
exit $rc
