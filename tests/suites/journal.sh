#!/bin/bash
# The journald log drivers' logs, read through sd-journal: a copy of the v2
# fixture as a node whose Docker container logs to journald, with journal
# files written by systemd-journal-remote from export text (this host runs
# no journald); nstop logs --sysroot finds the container's entries by
# CONTAINER_ID_FULL, joins partial ones, splits stdout from stderr by
# PRIORITY, escapes them, and honours --tail, --since and -t. (Podman's
# journald driver live: in the runtimes suite, where a journald runs.)
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d /tmp/nstop-journal.XXXXXX)
cleanup() { rm -rf "$tmp"; cleanup_tmp; }
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

echo "1..$n"
