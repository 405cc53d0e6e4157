#!/bin/bash
# nstop serve under attack from a local, unprivileged client on 127.0.0.1
# (the attacks that worked in review atk18):
# (1) a host with more than ~1000 processes: the warm collector keeps one
#     /proc/PID/stat descriptor per process, so a connection's socket gets a
#     descriptor above FD_SETSIZE, and libmicrohttpd (select() unless
#     MHD_USE_POLL or epoll is asked for) refuses it: "New connection socket
#     descriptor (N) is not less than FD_SETSIZE (1024)" and concurrent
#     scrapes get a reset instead of the metrics;
# (2) slowloris: 64 connections (the attacker shares 127.0.0.1 with
#     Prometheus) that each send one header byte every 2 s are never idle
#     for SERVE_TIMEOUT, so they held every slot for as long as the attacker
#     liked and no scrape got through (fixed: a deadline for a whole request;
#     from a remote address, a per-peer cap);
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
# N clients that each send a request line, then one byte of a header that
# never ends every 2 s (never idle for the 10 s timeout); with "again" each
# one closed is opened again at once. At the end it writes how many of its
# connections the server closed, and how many of those within 1 s of the
# connect (refused).
cat >"$tmp/slow.py" <<'EOF'
import socket, sys, time
host, port, n, dur = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
again, out = sys.argv[5] == "again", sys.argv[6]
closed = refused = 0
def conn():
    s = socket.create_connection((host, port), timeout=2)
    s.setblocking(False)
    try:
        s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass
    return [s, time.time(), time.time()]
ss = []
for i in range(n):
    try:
        ss.append(conn())
    except OSError:
        refused += 1
t0 = time.time()
while time.time() - t0 < dur:
    time.sleep(0.5)
    for c in ss:
        if c[0] is None:
            continue
        try:
            gone = c[0].recv(4096) == b""
        except BlockingIOError:
            gone = False
        except OSError:
            gone = True
        if not gone and time.time() - c[2] >= 2:
            c[2] = time.time()
            try:
                c[0].send(b"X")  # one byte of a header that never ends
            except OSError:
                gone = True
        if gone:
            closed += 1
            if time.time() - c[1] < 1:
                refused += 1
            c[0].close()
            c[0] = None
            if again:
                try:
                    c[:] = conn()
                except OSError:
                    pass
open(out, "w").write("%d %d\n" % (closed, refused))
EOF
port=$(free_port)
if start_server; then
	curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" # the first collection
	# libmicrohttpd's timeout counts idle time only: before the request
	# deadline these held every slot for as long as they kept trickling
	python3 "$tmp/slow.py" 127.0.0.1 "$port" 64 9 once "$tmp/slow.out" &
	slowpid=$!
	bg+=($slowpid)
	sleep 7 # past the 5 s request deadline, before the 10 s idle timeout
	code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$port/metrics")
	check "64 slowloris clients on 127.0.0.1 trickling a byte every 2 s: 7 s later a scrape gets 200 (got $code)" \
		test "$code" = 200
	wait "$slowpid"
	read -r closed refused <"$tmp/slow.out"
	check "... the server closed all 64 at the request deadline (closed $closed)" test "$closed" = 64
	# the same, opened again as soon as closed: a scraper waiting in the
	# listen queue gets a slot before the attacker's next connection
	python3 "$tmp/slow.py" 127.0.0.1 "$port" 64 25 again "$tmp/slow2.out" &
	slowpid=$!
	bg+=($slowpid)
	sleep 3
	codes=
	for i in 1 2 3; do
		codes+=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$port/metrics")" "
	done
	check "64 slowloris clients that reconnect at once: 3 scrapes (10 s timeout) all 200 (got $codes)" \
		test "$codes" = "200 200 200 "
	kill -KILL "$slowpid" 2>/dev/null; wait "$slowpid" 2>/dev/null
else
	notok "nstop serve starts (slowloris)"
fi
stop_server

# from a remote address, SERVE_PER_PEER (8) connections at most: the host's
# own non-loopback address is one (a server on every address, --insecure)
raddr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
if [ -z "$raddr" ]; then
	skip "per-peer cap: this host has no non-loopback IPv4 address"
else
	port=$(free_port)
	"$NSTOP" serve --listen "0.0.0.0:$port" --insecure 2>"$tmp/serve.err" &
	spid=$!
	for i in $(seq 50); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.1; done
	curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" # the first collection
	python3 "$tmp/slow.py" "$raddr" "$port" 20 4 once "$tmp/slow3.out" &
	slowpid=$!
	bg+=($slowpid)
	sleep 1
	code=$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "http://127.0.0.1:$port/metrics")
	wait "$slowpid"
	read -r closed refused <"$tmp/slow3.out"
	check "20 connections from $raddr (not loopback): 12 refused at once, 8 held (refused $refused)" test "$refused" = 12
	check "... a scrape from 127.0.0.1 meanwhile gets 200 (got $code)" test "$code" = 200
	stop_server
fi

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

# ---- (4) slow readers that pipeline: every slot held, no deadline reached ----
# (review atk18s) Each connection pipelines thousands of requests at once
# and then reads its responses slowly (a small receive buffer, ~40 KB/s):
# the response deadline starts again with every response, each one is sent
# well within 30 s, the socket is never idle for 10 s, and a connection
# being answered is never the one evicted. 64 of them from 127.0.0.1 (or 8
# each from 8 remote addresses) and every new connection is turned away.
# With users, no credential is needed: the pipelined 401s hold a slot as well.
cat >"$tmp/pipe.py" <<'EOF'
import socket, sys, time
port, n, dur, rate, pipe = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
req = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * pipe
def conn():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return [s, req, 0.0]
cs = [conn() for _ in range(n)]
end, last = time.time() + dur, time.time()
while time.time() < end:
    now = time.time()
    for c in cs:
        try:
            if c[1]:
                c[1] = c[1][c[0].send(c[1]):]
        except BlockingIOError:
            pass
        except OSError:
            c[0].close(); c[:] = conn(); continue
        c[2] = min(c[2] + rate * (now - last), rate)
        if c[2] >= 1:
            try:
                d = c[0].recv(int(c[2]))
                if not d:
                    raise OSError
                c[2] -= len(d)
            except BlockingIOError:
                pass
            except OSError:
                c[0].close(); c[:] = conn()
    last = now
    time.sleep(0.05)
EOF
pipe_attack() { # pipe_attack CURL_ARGS...: 3 scrapes while 64 slow pipelining readers run
	python3 "$tmp/pipe.py" "$port" 64 30 40000 3000 &
	local apid=$! i
	bg+=($apid)
	sleep 6
	codes=
	for i in 1 2 3; do
		codes+=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@" "http://127.0.0.1:$port/metrics")" "
		sleep 2
	done
	kill -KILL "$apid" 2>/dev/null; wait "$apid" 2>/dev/null
}
port=$(free_port)
if start_server; then
	pipe_attack
	check "64 pipelining slow readers on 127.0.0.1: 3 scrapes meanwhile all 200 (got $codes)" \
		test "$codes" = "200 200 200 "
else
	notok "nstop serve starts (pipelining slow readers)"
fi
stop_server

# ---- (5) password guessers keep a real user's check out ----
# (review atk18s) At most SERVE_AUTH_QUEUE (8) bcrypt checks run or wait,
# the rest are answered 503; 8 connections (one remote address's whole cap)
# that send a wrong password in a loop keep the queue full, so a scraper
# whose credential is not in the cache gets 503 for as long as they go on.
# A cached credential is no shelter: its entry is dated from its bcrypt run
# and never renewed by a hit, so every scraper needs a run again 300 s
# after its first and is locked out from then on.
cat >"$tmp/guess.py" <<'EOF'
import base64, socket, sys, threading, time
port, n, dur = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + \
      base64.b64encode(b"nobody:guess") + b"\r\n\r\n"
def worker():
    end, s = time.time() + dur, None
    while time.time() < end:
        try:
            if s is None:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(req)
            d = b""
            while b"\r\n\r\n" not in d or not d.endswith(b"\n"):
                x = s.recv(4096)
                if not x:
                    raise OSError
                d += x
        except OSError:
            if s:
                s.close()
            s = None
ts = [threading.Thread(target=worker) for _ in range(n)]
[t.start() for t in ts]
[t.join() for t in ts]
EOF
hash=$(perl -e 'print crypt("s3cret", q($2b$10$) . "abcdefghijklmnopqrstuu")')
printf 'basic_auth_users:\n  alice: %s\n' "$hash" >"$tmp/web.yml"
chmod 600 "$tmp/web.yml"
port=$(free_port)
"$NSTOP" serve --listen "127.0.0.1:$port" --web-config "$tmp/web.yml" 2>"$tmp/serve.err" &
spid=$!
for i in $(seq 50); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.1; done
python3 "$tmp/guess.py" "$port" 8 20 &
gpid=$!
bg+=($gpid)
sleep 3
codes=
for i in 1 2 3; do
	codes+=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -u alice:s3cret "http://127.0.0.1:$port/metrics")" "
	sleep 1
done
check "8 connections guessing passwords: alice's first 3 scrapes (right password) not all 503 (got $codes)" \
	bash -c "[[ '$codes' == *200* ]]"
kill -KILL "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null
stop_server

echo "1..$n"
