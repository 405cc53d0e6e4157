#!/bin/bash
# Network interfaces read inside a container's network namespace with
# libnl-route: a sandbox with loopback up and traffic on it shows the
# address, the state and growing byte counters, in JSON and in the dashboard.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "live net: joining network namespaces needs root"; echo "1..$n"; exit 0
fi
command -v ip >/dev/null || { notok "ip (iproute2) is missing (make deps)"; echo "1..$n"; exit 0; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; cleanup_tmp; }
trap cleanup EXIT
# traffic on lo inside the sandbox: datagrams of 1000 bytes to itself
unshare -n -p -f --kill-child bash -c 'ip link set lo up && exec bash -c "
x=\$(printf %1000s x)
while :; do echo \"\$x\" >/dev/udp/127.0.0.1/9; sleep 0.01; done"' &
pids+=($!)
sleep 1
inner=$(pgrep -P "${pids[0]}" | head -1)
netns=$(readlink "/proc/$inner/ns/net" | tr -dc 0-9)
check "the sandbox runs in its own network namespace ($netns)" test -n "$netns"
"$NSTOP" snapshot --json -d 1 >/tmp/nstop-out.$$
lo() { jq -r --argjson n "$netns" --arg k "$1" '.interfaces[] | select(.net_ns == $n and .name == "lo") | .[$k] | tostring' /tmp/nstop-out.$$; }
check "its loopback is listed" test "$(lo name)" = lo
check "up" test "$(lo up)" = true
check "with its address ($(lo addresses))" grep -q '127.0.0.1/8' <<<"$(lo addresses)"
check "and bytes received ($(lo rx_bytes))" test "$(lo rx_bytes)" -gt 10000
check "the host's own interfaces are not mixed in" test "$(jq --argjson n "$netns" '[.interfaces[] | select(.net_ns == $n)] | length' /tmp/nstop-out.$$)" = 1
echo "1..$n"
