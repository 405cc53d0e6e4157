#!/bin/bash
# An /etc link of the default view's allowlist that leads through a
# directory someone else owns: nobody, owning a directory under /run that
# /etc/hosts points into, links /etc/hosts onwards to a secret of root's
# (the attacker's review read it inside). The host's /etc is never touched:
# the test runs create in a mount namespace of its own over a copy of /etc.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "escape etclink: making containers needs root"; echo "1..$n"; exit 0
fi
command -v unshare >/dev/null || { skip "escape etclink: no unshare"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-esclk.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
mark=NSTOP-ETCLINK-MARK-$$
cleanup() {
	"$NSTOP" rm -f lk1 --audit-log "$L" >/dev/null 2>&1
	"$NSTOP" rm -f lk2 --audit-log "$L" >/dev/null 2>&1
	"$NSTOP" rm -f lk3 --audit-log "$L" >/dev/null 2>&1
	for d in $(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo); do
		find "$d" -maxdepth 6 -type d -name "nstop-esclk-$$" 2>/dev/null
	done | sort -r | while read -r m; do find "$m" -depth -type d -exec rmdir {} + 2>/dev/null; done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
parent=nstop-esclk-$$
if [ -n "${NSTOP_TEST_CGROUP:-}" ]; then
	v2root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	parent=${NSTOP_TEST_CGROUP#"$v2root"}/nstop-esclk-$$
fi
# in the private namespace: /etc is a copy holding the secret (root's,
# 0600) and hosts -> /run/u/hosts, /run a fresh tmpfs where nobody owns u
cat >"$tmp/inner.sh" <<'INNER'
set -e
tmp=$1 mark=$2 how=$3
mount --make-rprivate /
mkdir -p "$tmp/etc"
cp -a /etc/. "$tmp/etc/"
(umask 077; echo "$mark" >"$tmp/etc/nstop-secret.key")
rm -f "$tmp/etc/hosts"
ln -s /run/u/hosts "$tmp/etc/hosts"
mount --bind "$tmp/etc" /etc
mount -t tmpfs -o mode=755 tmpfs /run
mkdir /run/u
chown nobody /run/u
if [ "$how" = trusted ]; then
	# as resolv.conf into systemd-resolved's directory: the system's own
	rm /run/u -r
	mkdir /run/u
	echo "TRUSTED-$mark" >/run/u/hosts
elif [ "$how" = link ]; then
	# nobody's link onwards to root's secret
	ln -s /etc/nstop-secret.key /run/u/hosts
	chown -h nobody /run/u/hosts
else
	# a regular file of nobody's, in nobody's directory
	echo "$mark" >/run/u/hosts
	chown nobody /run/u/hosts
fi
shift 3
"$@"
INNER
for how in link file trusted; do
	nm=lk1; [ $how = file ] && nm=lk2; [ $how = trusted ] && nm=lk3
	out=$(unshare -m bash "$tmp/inner.sh" "$tmp/$how" "$mark" "$how" \
		"$NSTOP" create $nm --cgroup-parent "$parent" --audit-log "$L" -- \
		/bin/sh -c 'cat /etc/hosts 2>&1; echo end' 2>&1)
	rc=$?
	check "create in a namespace where /etc/hosts leads through nobody's /run/u ($how; exit $rc)" test $rc = 0
	for _ in $(seq 50); do grep -q end "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null && break; sleep 0.1; done
	log=$(cat "$NSTOP_STATE_DIR/$nm/log" 2>/dev/null)
	check "the container ran its command ($how: $(head -c 80 <<<"$log" | tr '\n' ' '))" grep -q end <<<"$log"
	if [ $how = trusted ]; then
		check "a link into a directory of the system's own is followed (resolv.conf's case)" \
			grep -q "TRUSTED-$mark" <<<"$log"
	else
		check "nobody's $how does not bring root's secret or its own content into the view" \
			bash -c '! grep -q "$1" <<<"$2"' _ "$mark" "$log"
	fi
	"$NSTOP" rm -f $nm --audit-log "$L" >/dev/null 2>&1
done
echo "1..$n"
