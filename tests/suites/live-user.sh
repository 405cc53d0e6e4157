#!/bin/bash
# As a normal user (nobody): the listings and the dashboard run with what can
# be read, mark what cannot (- / null), and action keys say they need root.
. "$TOP/tests/lib.sh"
if ! need_root; then
	# already a normal user: the other suites run as one
	skip "live user: switching to nobody needs root (this run is a normal user's already)"
	echo "1..$n"; exit 0
fi
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
# the build must be reachable by nobody
if ! as_nobody test -x "$NSTOP"; then
	skip "live user: $NSTOP is not executable by nobody here"; echo "1..$n"; exit 0
fi
for args in "ns" "ns -J" "cgroups --depth all -d 0.2 -J" "ps -J" "containers -d 0.2" "snapshot --json"; do
	# shellcheck disable=SC2086
	as_nobody "$NSTOP" $args >/tmp/nstop-out.$$ 2>/tmp/nstop-err.$$
	rc=$?
	check "as nobody: nstop $args runs (exit $rc)" test $rc -eq 0
done
as_nobody "$NSTOP" ps -J -o pid,net_ns >/tmp/nstop-out.$$
check "as nobody: other users' namespaces are null, not made up" \
	test "$(jq '[.processes[] | select(.pid == 1) | .net_ns] | .[0]' /tmp/nstop-out.$$)" = null
root_ns=$("$NSTOP" ns -J -l | jq '.namespaces | length')
user_ns=$(as_nobody "$NSTOP" ns -J -l | jq '.namespaces | length')
check "as nobody: fewer namespaces are visible ($user_ns of $root_ns)" test "$user_ns" -le "$root_ns"
as_nobody "$NSTOP" snapshot --json >/tmp/nstop-out.$$
check "as nobody: no interfaces (joining namespaces needs root)" test "$(jq '.interfaces | length' /tmp/nstop-out.$$)" = 0

# every action is refused with the privilege it needs, before anything is tried
while read -r want args; do
	# shellcheck disable=SC2086
	as_nobody "$NSTOP" $args >/tmp/nstop-out.$$ 2>/tmp/nstop-err.$$
	rc=$?
	check "as nobody: nstop $args is refused (exit $rc): $(head -1 /tmp/nstop-err.$$)" \
		bash -c '[ "$1" = "$2" ] && grep -q "needs root" /tmp/nstop-err.$3' _ "$rc" "$want" "$$"
done <<ACTIONS
1 limit / --cpu 50% --audit-log /tmp/nstop-user-audit.$$
1 freeze / --audit-log /tmp/nstop-user-audit.$$
1 thaw / --audit-log /tmp/nstop-user-audit.$$
1 kill / --audit-log /tmp/nstop-user-audit.$$
1 kill --pid 1 --audit-log /tmp/nstop-user-audit.$$
1 undo --audit-log /tmp/nstop-user-audit.$$
1 create x --audit-log /tmp/nstop-user-audit.$$
1 rm x --audit-log /tmp/nstop-user-audit.$$
125 enter 1 -- true
ACTIONS
check "as nobody: no audit log was even made" test ! -e /tmp/nstop-user-audit.$$

command -v tmux >/dev/null || { notok "tmux is missing"; echo "1..$n"; exit 0; }
sock=nstop-user-$$
TSESS=u
. "$TOP/tests/lib-tmux.sh"
trap 'tmux_stop; cleanup_tmp' EXIT
T new-session -d -s u -x 150 -y 40 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups env LC_ALL=C.UTF-8 TERM=xterm $NSTOP; sleep 20"
check "as nobody: the dashboard runs and says actions need root" wait_for "actions: need root"
T send-keys -t u k
check "as nobody: k explains the privilege it needs" wait_for "actions need root"
T send-keys -t u q
echo "1..$n"
