#!/bin/bash
# The journald log drivers' logs, read through sd-journal: a copy of the v2
# fixture as a node whose Docker container logs to journald, with journal
# files written by systemd-journal-remote from export text (this host runs
# no journald); nstop logs --sysroot finds the container's entries by
# CONTAINER_ID_FULL, joins partial ones, splits stdout from stderr by
# PRIORITY, escapes them, and honours --tail, --since and -t. (Podman's
# journald driver live: in the runtimes suite, where a journald runs.)
# Then, live, LXC's console log and an nspawn container's own journal.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
tmp=$(mktemp -d /tmp/nstop-journal.XXXXXX)
lxcdir='' lxcmade='' follow_pid=''
cleanup() {
	[ -z "$follow_pid" ] || kill "$follow_pid" 2>/dev/null
	cg_cleanup
	[ -z "$lxcdir" ] || rm -rf "$lxcdir"
	[ -z "$lxcmade" ] || rmdir "$lxcmade" 2>/dev/null
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: got '$2', want '$3'"; fi; }
jr=/lib/systemd/systemd-journal-remote
if [ ! -x $jr ]; then
	skip "journald driver: no $jr to write journal files ('make deps-runtimes' installs systemd-journal-remote)"
elif ! need_root; then
	skip "journald driver: the fixture's /proc owners need root"
else
	id=86d597eb6f0a47dbd9186dcfd319749b18415e90cde4810c6fc4126d077ac37b
	other=0000000000000000000000000000000000000000000000000000000000000001
	root=$tmp/root
	cp -a "$FIXTURES/v2" "$root"
	d=$root/var/lib/docker/containers/$id
	mkdir -p "$d"
	printf '{"Name":"/jweb","Config":{"Image":"busybox"},"LogPath":""}' >"$d/config.v2.json"
	printf '{"LogConfig":{"Type":"journald","Config":{}}}' >"$d/hostconfig.json"
	boot=0123456789abcdef0123456789abcdef
	mkdir -p "$root/var/log/journal/$boot"
	t0=1764756000000000 # 2025-12-03T10:00:00Z, microseconds
	# as dockerd's entries are: sent by root, journald's trusted _UID=0
	ent() { # ent SECONDS ID PRIORITY MESSAGE [partial [UID]]
		printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n_UID=%s\nCONTAINER_ID_FULL=%s\nCONTAINER_NAME=jweb\nPRIORITY=%s\nMESSAGE=%s\n' \
			$((t0 + $1 * 1000000)) $(($1 * 1000000 + 1)) $boot "${6:-0}" "$2" "$3" "$4"
		[ -z "${5:-}" ] || printf 'CONTAINER_PARTIAL_MESSAGE=true\n'
		printf '\n'
	}
	{
		ent 1 $id 6 first-line
		ent 2 $id 3 on-stderr
		ent 3 $other 6 another-container
		ent 4 $id 6 joined- partial
		ent 5 $id 6 piece
		ent 6 $id 6 $'evil \e]2;pwned\a'
		ent 6 $id 6 forged-by-a-user '' 1000
		ent 7 $id 6 last-line
	} >"$tmp/export"
	$jr -o "$root/var/log/journal/$boot/remote.journal" - <"$tmp/export" 2>"$tmp/jr.err"
	check "systemd-journal-remote wrote the journal ($(head -c 200 "$tmp/jr.err"))" \
		test -s "$root/var/log/journal/$boot/remote.journal"
	lg() { "$NSTOP" --sysroot "$root" logs "$@"; }
	is "journald: the container's entries, partial ones joined, escaped, stdout's on stdout" \
		"$(lg 86d597eb6f0a 2>/dev/null | tr '\n' '|')" 'first-line|joined-piece|evil \x1b]2;pwned\x07|last-line|'
	is "journald: PRIORITY 3 on stderr" "$(lg 86d597eb6f0a 2>&1 >/dev/null)" on-stderr
	is "journald: --tail 3 counts whole records" "$(lg --tail 3 86d597eb6f0a 2>&1 | tr '\n' '|')" \
		'joined-piece|evil \x1b]2;pwned\x07|last-line|'
	is "journald: --tail 0 gives none" "$(lg --tail 0 86d597eb6f0a 2>&1)" ""
	is "journald: --since keeps what was written at or after it, -t the entry's time" \
		"$(lg --since 2025-12-03T10:00:05Z -t 86d597eb6f0a 2>&1 | tr '\n' '|')" \
		'2025-12-03T10:00:05.000000000Z piece|2025-12-03T10:00:06.000000000Z evil \x1b]2;pwned\x07|2025-12-03T10:00:07.000000000Z last-line|'
	is "journald: a record joined from pieces carries its first piece's time" \
		"$(lg -t --tail 3 86d597eb6f0a 2>&1 | head -1)" '2025-12-03T10:00:04.000000000Z joined-piece'
fi

# ---- LXC's console log and systemd-nspawn's journal, live ----
# Processes the test starts in cgroups shaped as LXC's (lxc.payload.NAME)
# and nspawn's (machine-NAME.scope), beneath its own; the LXC config and
# its console log in the lxcpath (removed at the end), the nspawn
# container's journal in its own root, written by systemd-journal-remote.
bb=$(command -v busybox)
if ! need_root; then
	skip "LXC and nspawn logs: cgroups and a chroot need root"
elif [ -z "$bb" ] || [ ! -x $jr ]; then
	skip "LXC and nspawn logs: busybox-static and systemd-journal-remote (make deps, make deps-runtimes)"
elif ! cg_setup "lxc.payload.lx$$"; then
	skip "LXC and nspawn logs: $CG_WHY"
else
	lp=$(sed -n 's/^[[:space:]]*lxc\.lxcpath[[:space:]]*=[[:space:]]*//p' /etc/lxc/lxc.conf 2>/dev/null | tail -1)
	lp=${lp:-/var/lib/lxc}
	[ -d "$lp" ] || { mkdir -p "$lp" && lxcmade=$lp; }
	lxcdir=$lp/lx$$
	mkdir -p "$lxcdir"
	printf 'lxc.uts.name = lx%s\n# a comment\n  lxc.console.logfile = %s/console.log  \n' $$ "$lxcdir" >"$lxcdir/config"
	printf 'booting\r\nstarted web\r\n\e]2;pwned\a\r\nready to serve\r\n' >"$lxcdir/console.log"
	cg_start lx bash -c 'echo ready; exec sleep 1000'
	is "LXC: the console log its config names, a line a record, CR dropped, escaped" \
		"$("$NSTOP" logs "lx$$" 2>&1 | tr '\n' '|')" 'booting|started web|\x1b]2;pwned\x07|ready to serve|'
	is "LXC: --tail 2" "$("$NSTOP" logs --tail 2 "lx$$" 2>&1 | tr '\n' '|')" '\x1b]2;pwned\x07|ready to serve|'
	"$NSTOP" logs -f --tail 1 "lx$$" >"$tmp/lf.out" 2>&1 &
	follow_pid=$!
	for _ in $(seq 100); do grep -q 'ready to serve' "$tmp/lf.out" && break; sleep 0.1; done
	printf 'a new line\r\n' >>"$lxcdir/console.log"
	for _ in $(seq 100); do grep -q 'a new line' "$tmp/lf.out" && break; sleep 0.1; done
	is "LXC: -f follows what the console writes next" "$(tr '\n' '|' <"$tmp/lf.out")" 'ready to serve|a new line|'
	kill "$follow_pid" 2>/dev/null; wait "$follow_pid" 2>/dev/null; follow_pid=''
	printf 'lxc.uts.name = lx%s\n' $$ >"$lxcdir/config"
	out=$("$NSTOP" logs "lx$$" 2>&1); rc=$?
	check "LXC: a config without lxc.console.logfile says so and where (exit $rc: $out)" \
		eval '[ $rc = 1 ] && [[ $out == *"keeps no console log"*"lxc.console.logfile"*"$lxcdir/config"* ]]'
	ln -s /etc/shadow "$lxcdir/evil.log"
	printf 'lxc.console.logfile = %s/evil.log\n' "$lxcdir" >"$lxcdir/config"
	out=$("$NSTOP" logs "lx$$" 2>&1); rc=$?
	check "LXC: a console log that is a symbolic link is not followed (exit $rc: $out)" \
		eval '[ $rc = 1 ] && ! grep -q "^root:" <<<"$out"'

	# nspawn: MACHINE-ID's journal in the container's /var/log/journal
	mid=0123456789abcdef0123456789abcdee
	nsroot() { # nsroot DIR: a root with busybox, a machine id and a journal
		mkdir -p "$1/bin" "$1/etc" "$1/var/log/journal/$mid"
		cp "$bb" "$1/bin/busybox"
		echo $mid >"$1/etc/machine-id"
		t=1764756000000000
		for i in 1 2 3; do
			printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\nSYSLOG_IDENTIFIER=%s\nPRIORITY=%s\nMESSAGE=%s\n\n' \
				$((t + i * 1000000)) $((i * 1000000)) $mid "$( [ $i = 2 ] && echo nginx || echo systemd)" \
				"$( [ $i = 2 ] && echo 3 || echo 6)" "$( [ $i = 3 ] && printf 'evil \e[2J' || echo "entry-$i")"
		done >"$tmp/ns.export"
		$jr -o "$1/var/log/journal/$mid/system.journal" - <"$tmp/ns.export" 2>>"$tmp/jr.err"
	}
	nsroot "$tmp/ns1"
	cg_setup "machine-nsp$$.scope" || notok "nspawn's cgroup: $CG_WHY"
	cg_start ns1 chroot "$tmp/ns1" /bin/busybox sh -c 'echo ready; exec /bin/busybox sleep 1000'
	is "nspawn: every entry of the container's own journal, IDENT: MESSAGE, escaped, stderr by PRIORITY" \
		"$("$NSTOP" logs "nsp$$" 2>/dev/null | tr '\n' '|')" 'systemd: entry-1|systemd: evil \x1b[2J|'
	is "nspawn: PRIORITY 3 on stderr" "$("$NSTOP" logs "nsp$$" 2>&1 >/dev/null)" 'nginx: entry-2'
	is "nspawn: --tail 1" "$("$NSTOP" logs --tail 1 "nsp$$" 2>&1)" 'systemd: evil \x1b[2J'
	# the container truncates its journal while -f maps it: sd-journal's
	# read past the end raises SIGBUS, which must end nstop with an error
	"$NSTOP" logs -f "nsp$$" >"$tmp/bus.out" 2>&1 &
	follow_pid=$!
	for _ in $(seq 100); do grep -q 'entry-1' "$tmp/bus.out" && break; sleep 0.1; done
	: >"$tmp/ns1/var/log/journal/$mid/system.journal"
	for _ in $(seq 100); do kill -0 $follow_pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $follow_pid 2>/dev/null; then rc=running; else wait $follow_pid; rc=$?; fi
	follow_pid=''
	check "nspawn: a journal truncated under logs -f ends it with an error, not a bus error (exit $rc: $(tail -1 "$tmp/bus.out"))" \
		eval '[ "$rc" = 1 ] && grep -q "shrank while read" "$tmp/bus.out"'
	nsroot "$tmp/ns1"
	# nspawn itself beside the payload (machine-NAME.scope/supervisor, with
	# the host's root): the journal is its child's, the container's init
	nsroot "$tmp/ns2"
	cg_setup "machine-nss$$.scope" || notok "nspawn's cgroup: $CG_WHY"
	cg_start ns2 bash -c "chroot '$tmp/ns2' /bin/busybox sh -c 'echo ready; exec /bin/busybox sleep 1000' & wait"
	is "nspawn: with nspawn itself (the host's root) the lowest pid, its child's root is read" \
		"$("$NSTOP" logs --tail 1 "nss$$" 2>&1)" 'systemd: evil \x1b[2J'
	# a container's links resolve inside it: its journal directory, a link
	# to a host directory that holds a journal, reads nothing of it
	mkdir -p "$tmp/ns3/bin" "$tmp/ns3/etc" "$tmp/ns3/var/log/journal" "$tmp/hostj"
	cp "$bb" "$tmp/ns3/bin/busybox"
	echo $mid >"$tmp/ns3/etc/machine-id"
	printf '__REALTIME_TIMESTAMP=1764756000000000\n__MONOTONIC_TIMESTAMP=1\n_BOOT_ID=%s\nMESSAGE=host-secret\n\n' $mid |
		$jr -o "$tmp/hostj/system.journal" - 2>>"$tmp/jr.err"
	ln -s "$tmp/hostj" "$tmp/ns3/var/log/journal/$mid"
	cg_setup "machine-nsx$$.scope" || notok "nspawn's cgroup: $CG_WHY"
	cg_start ns3 chroot "$tmp/ns3" /bin/busybox sh -c 'echo ready; exec /bin/busybox sleep 1000'
	out=$("$NSTOP" logs "nsx$$" 2>&1); rc=$?
	check "nspawn: its journal directory, a link to a host directory holding a journal, is not followed out (exit $rc: $out)" \
		eval '[ $rc = 1 ] && [[ $out == *"no journal files"* ]] && [ -s "$tmp/hostj/system.journal" ]'
fi

echo "1..$n"
