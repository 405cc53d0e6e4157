#!/bin/bash
# nstop serve under attack from a local, unprivileged client on 127.0.0.1
# (the attacks that worked in review atk18):
# (1) a host with more than ~1000 processes: the warm collector keeps one
#     /proc/PID/stat descriptor per process, so a connection's socket gets a
#     descriptor above FD_SETSIZE, and libmicrohttpd (select() unless
#     MHD_USE_POLL or epoll is asked for) refuses it: "New connection socket
#     descriptor (N) is not less than FD_SETSIZE (1024)" and concurrent
#     scrapes get a reset instead of the metrics;
# (2) slowloris: 64 connections (SERVE_PER_IP is SERVE_CONNECTIONS, and the
#     attacker shares 127.0.0.1 with Prometheus) that each send one header
#     byte every 5 s are never idle for SERVE_TIMEOUT, so they hold every
#     slot for as long as the attacker likes and no scrape gets through;
# (3) a request target with %-encoded terminal escapes whose response
#     cannot be sent (pipelined requests, then a reset): libmicrohttpd's error
#     log (MHD_USE_ERROR_LOG, to stderr: the journal, an operator's terminal)
#     prints the decoded URL raw, ESC and BEL included.
. "$TOP/tests/lib.sh"
command -v curl >/dev/null || { skip "escape serve: curl is missing"; echo "1..$n"; exit 0; }
command -v python3 >/dev/null || { skip "escape serve: python3 is missing"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-escserve.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
spid= bg=() many=
cleanup() {
	local p
	for p in "${bg[@]}" $spid; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_server() {
	"$NSTOP" serve --listen "127.0.0.1:$port" 2>"$tmp/serve.err" &
	spid=$!
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
stop_server() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=
}

# ---- (1) more processes than FD_SETSIZE: concurrent scrapes refused ----
# 1200 sleeping children of one python (killed with it: PR_SET_PDEATHSIG)
cat >"$tmp/many.py" <<'PY'
import ctypes, os, signal, sys
n, ready = int(sys.argv[1]), sys.argv[2]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
kids = []
for i in range(n):
    pid = os.fork()
    if pid == 0:
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        os.execvp("sleep", ["sleep", "600"])
    kids.append(pid)
open(ready, "w").close()
signal.sigwait({signal.SIGTERM})
for pid in kids:
    os.kill(pid, signal.SIGKILL)
for pid in kids:
    os.waitpid(pid, 0)
PY
python3 "$tmp/many.py" 1200 "$tmp/many.ready" &
many=$!
bg+=("$many")
for i in $(seq 100); do [ -e "$tmp/many.ready" ] && break; sleep 0.1; done
port=$(free_port)
if start_server; then
	curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" # warms the kept fds
	cpids=()
	for i in $(seq 10); do
		curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' "http://127.0.0.1:$port/metrics" >"$tmp/c$i" &
		cpids+=($!)
	done
	for p in "${cpids[@]}"; do wait "$p"; done
	good=$(cat "$tmp"/c* | grep -c '^200$')
	check "1200 processes on the host, 10 concurrent scrapes: all 200 (got $good)" test "$good" = 10
	check "... no FD_SETSIZE refusal in the log" bash -c "! grep -q FD_SETSIZE '$tmp/serve.err'"
	grep FD_SETSIZE "$tmp/serve.err" | head -2 | sed 's/^/#   /'
	# one idle connection takes the one low descriptor a closed scrape left
	python3 -c 'import socket, sys, time; s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(8)' "$port" &
	idle=$!
	bg+=("$idle")
	sleep 0.5
	codes=
	for i in 1 2 3; do
		codes+=$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "http://127.0.0.1:$port/metrics")" "
	done
	check "... one idle client open: 3 sequential scrapes all 200 (got $codes)" test "$codes" = "200 200 200 "
	kill -KILL "$idle" 2>/dev/null; wait "$idle" 2>/dev/null
else
	notok "nstop serve starts with 1200 processes on the host"
fi
stop_server
kill -TERM "$many" 2>/dev/null; wait "$many" 2>/dev/null

# ---- (2) slowloris from the scraper's own address ----
cat >"$tmp/slow.py" <<'EOF'
import socket, sys, time
port, n, dur = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ss = []
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        ss.append(s)
    except OSError:
        pass
t0 = time.time()
while time.time() - t0 < dur:
    time.sleep(5)
    for s in ss:
        try:
            s.send(b"X")  # one byte of a header that never ends
        except OSError:
            pass
EOF
port=$(free_port)
# KNOWN, NOT FIXED (issue 18 stays open): libmicrohttpd's timeout counts idle
# time only, and it offers no deadline for a whole request; a client that
# sends a byte every 5 s holds its slot as long as it likes. Kept as the
# attack, skipped until serve has a request deadline of its own.
if [ -z "${NSTOP_SERVE_SLOWLORIS:-}" ]; then
	skip "KNOWN, not fixed: 64 slowloris clients on 127.0.0.1 hold every slot past the idle timeout (NSTOP_SERVE_SLOWLORIS=1 runs the attack)"
elif start_server; then
	python3 "$tmp/slow.py" "$port" 64 20 &
	bg+=($!)
	sleep 13 # past SERVE_TIMEOUT (10 s) for every one of them
	code=$(curl -s -o /dev/null --max-time 4 -w '%{http_code}' "http://127.0.0.1:$port/metrics")
	check "64 slowloris clients on 127.0.0.1 past the 10 s idle timeout: a scrape still gets 200 (got $code)" \
		test "$code" = 200
	kill -KILL "${bg[-1]}" 2>/dev/null; wait "${bg[-1]}" 2>/dev/null
else
	notok "nstop serve starts (slowloris)"
fi
stop_server

# ---- (3) terminal escapes from the request target into the error log ----
cat >"$tmp/esc.py" <<'EOF'
import socket, struct, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
req = ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode()
for attempt in range(2):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    s.settimeout(1)
    try:
        for i in range(60000):  # never read: the server's sends fill up
            s.send(req)
    except OSError:
        pass
    time.sleep(0.5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # a reset: the next send of a response fails
    time.sleep(0.3)
EOF
port=$(free_port)
if start_server; then
	timeout 60 python3 "$tmp/esc.py" "$port" '/%1b]0;PWNED%07%1b[2J%1b[31mEVIL%0anstop: fake line'
	sleep 0.5
	check "a %-encoded ESC/BEL/newline request target never reaches stderr raw" \
		bash -c "! LC_ALL=C grep -q \$'[\\x01-\\x08\\x0b-\\x1f\\x7f]' '$tmp/serve.err'"
	check "... nor starts a forged log line" bash -c "! grep -q '^nstop: fake line' '$tmp/serve.err'"
	LC_ALL=C grep -a 'EVIL' "$tmp/serve.err" | head -1 | cat -v | sed 's/^/#   /'
else
	notok "nstop serve starts (escapes)"
fi
stop_server

echo "1..$n"
