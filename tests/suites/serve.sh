#!/bin/bash
# nstop serve on 127.0.0.1 (a free port), with real clients only: curl's
# /metrics is promtool-clean text 0.0.4; with an OpenMetrics Accept header a
# valid OpenMetrics exposition; / links /metrics; 404 and 405; a non-loopback
# address refused without --insecure; clients that never end their request
# or never read do not stall a concurrent scrape; the connection limit and
# the idle timeout hold; SIGTERM during scrapes exits 0 (an ASan build: no
# leak report) and a restart serves again. Then, as root, a real Prometheus
# (Debian's, make deps-runtimes) scrapes it every second with no scrape error
# in OpenMetrics, reads a CPU hog's 30 % quota through rate() and its memory
# limit, and sees the target down while the server is stopped, then up.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
command -v curl >/dev/null || { skip "serve: curl is missing (make deps)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-serve.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
spid= ppid_prom= bg=() names=()
cleanup() {
	local p nm
	for p in "${bg[@]}" $spid $ppid_prom; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	ctr_parent_rm "nstop-serve-$$"
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
OMACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# start_server: nstop serve on $port in the background ($spid), ready when
# it answers (5 s at most); its stderr in $tmp/serve.err
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
# stop_server DESC: SIGTERM, exit 0, no sanitizer or leak report
stop_server() {
	kill -TERM "$spid"
	wait "$spid"
	local rc=$?
	spid=
	if [ $rc = 0 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/serve.err"; then
		ok "$1: exit 0, no sanitizer report"
	else
		notok "$1: exit $rc"; grep -v '^nstop: serve: metrics at' "$tmp/serve.err" | head -8 | sed 's/^/#   /'
	fi
}

# ---- usage ----
expect_exit 2 "--listen 0.0.0.0:PORT without --insecure is refused" serve --listen 0.0.0.0:9
check "... saying why and what allows it" grep -q 'not a loopback address.*--insecure' /tmp/nstop-err.$$
expect_exit 2 "--listen [::]:PORT (every IPv6 address) is refused too" serve --listen '[::]:9'
for a in nope 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9 ':9'; do
	expect_exit 2 "--listen $a: not ADDR:PORT" serve --listen "$a"
done
expect_exit 2 "an unknown option" serve --bogus

# ---- the systemd unit: installed by make install, not enabled ----
if make -s -C "$TOP" install DESTDIR="$tmp/inst" B="$B" >"$tmp/install.log" 2>&1; then
	unit=$tmp/inst/usr/local/lib/systemd/system/nstop-exporter.service
	check "make install: contrib/nstop-exporter.service installed, its ExecStart nstop serve on 127.0.0.1" \
		grep -qx 'ExecStart=/usr/local/bin/nstop serve --listen 127.0.0.1:9847' "$unit"
	check "... not enabled (no .wants link)" test -z "$(find "$tmp/inst" -name '*.wants')"
	if command -v systemd-analyze >/dev/null; then
		sed "s|^ExecStart=/usr/local/bin/nstop|ExecStart=$NSTOP|" "$unit" >"$tmp/nstop-exporter.service"
		out=$(systemd-analyze verify --man=no "$tmp/nstop-exporter.service" 2>&1)
		check "... systemd-analyze verify: nothing to say${out:+ ($out)}" test -z "$out"
	else
		skip "systemd-analyze is missing"
	fi
else
	notok "make install DESTDIR=..."; tail -3 "$tmp/install.log" | sed 's/^/#   /'
fi

port=$(free_port)
# a port taken: the system's fault, exit 1, named
python3 -c 'import socket, sys, time; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); open(sys.argv[2], "w").close(); time.sleep(5)' "$port" "$tmp/taken" &
taker=$!
bg+=("$taker")
for i in $(seq 50); do [ -e "$tmp/taken" ] && break; sleep 0.1; done
expect_exit 1 "a port in use: exit 1" serve --listen "127.0.0.1:$port"
check "... naming it" grep -q "cannot listen on 127.0.0.1:$port" /tmp/nstop-err.$$
kill "$taker" 2>/dev/null; wait "$taker" 2>/dev/null

# ---- the endpoints ----
port=$(free_port)
if ! start_server; then
	notok "nstop serve starts on 127.0.0.1:$port"; sed 's/^/#   /' "$tmp/serve.err" | head -5
	echo "1..$n"; exit 0
fi
ok "nstop serve starts on 127.0.0.1:$port"
U=http://127.0.0.1:$port
ct=$(curl -s -o "$tmp/m.prom" -w '%{http_code} %{content_type}' "$U/metrics")
check "GET /metrics: 200, text 0.0.4 ($ct)" test "$ct" = "200 text/plain; version=0.0.4; charset=utf-8"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$tmp/m.prom" 2>&1); rc=$?
	if [ $rc = 0 ] && [ -z "$out" ] && grep -q '^nstop_build_info{' "$tmp/m.prom"; then
		ok "promtool check metrics: exit 0, no lint line ($(grep -c '^# TYPE' "$tmp/m.prom") families)"
	else
		notok "promtool check metrics: exit $rc"; echo "$out" | head -5 | sed 's/^/#   /'
	fi
else
	skip "promtool is missing (make deps-runtimes)"
fi
check "... no # EOF in text 0.0.4" bash -c "! grep -q '^# EOF' '$tmp/m.prom'"
check "... its own scrape duration" grep -Eq '^nstop_scrape_duration_seconds [0-9.e+-]+$' "$tmp/m.prom"

ct=$(curl -s -H "Accept: $OMACCEPT" -o "$tmp/m.om" -w '%{http_code} %{content_type}' "$U/metrics")
check "Prometheus' Accept: 200, OpenMetrics 1.0.0 ($ct)" test "$ct" = "200 application/openmetrics-text; version=1.0.0; charset=utf-8"
check "... ends with # EOF" test "$(tail -n1 "$tmp/m.om")" = "# EOF"
# the OpenMetrics rules promtool cannot check: TYPE, UNIT, HELP per family in
# that order, once; counters' family names without _total and samples with
# it; info families' samples _info of value 1; a UNIT the name's suffix; no
# comment but those and # EOF, the last line
om_check() {
	awk '
	/^# EOF$/ { eof = NR; next }
	eof { print "line after # EOF: " $0 }
	/^# TYPE / { fam = $3; type = $4; if (fam in seen) print "family twice: " fam; seen[fam] = 1
		if (fam ~ /_total$/) print "family named _total: " fam; stage = 1; next }
	/^# UNIT / { if ($3 != fam || stage != 1) print "UNIT out of place: " $0
		if (fam !~ ("_" $4 "$")) print "unit not the name suffix: " $0; stage = 2; next }
	/^# HELP / { if ($3 != fam) print "HELP of another family: " $0; stage = 3; next }
	/^#/ { print "stray comment: " $0; next }
	{
		name = $0; sub(/[{ ].*/, "", name); v = $NF
		if (type == "counter" && name != fam "_total") print "counter sample " name " in " fam
		if (type == "info" && (name != fam "_info" || v != "1")) print "info sample " $0
		if (type == "gauge" && name != fam) print "gauge sample " name " in " fam
		nsamples++
	}
	END { if (!eof) print "no # EOF"; if (nsamples < 5) print "only " nsamples " samples" }' "$1"
}
st=$(om_check "$tmp/m.om")
if [ -z "$st" ]; then ok "... OpenMetrics structure: $(grep -c '^# TYPE' "$tmp/m.om") families, counters and info types as the spec has them"
else notok "... OpenMetrics structure"; echo "$st" | head -8 | sed 's/^/#   /'; fi
check "... a counter family: TYPE without _total, UNIT seconds" \
	grep -qx '# TYPE nstop_cgroup_cpu_seconds counter' "$tmp/m.om"
check "... the build info as an info family" grep -qx '# TYPE nstop_build info' "$tmp/m.om"
# the same series either way, only the metadata differs
cmp_series() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort; }
check "... the same series as text 0.0.4" diff <(cmp_series "$tmp/m.prom") <(cmp_series "$tmp/m.om")
ct=$(curl -s -H 'Accept: */*' -o /dev/null -w '%{content_type}' "$U/metrics")
check "Accept: */* gets text 0.0.4" test "$ct" = "text/plain; version=0.0.4; charset=utf-8"

curl -s -o "$tmp/root.html" -w '%{http_code}' "$U/" >"$tmp/code"
check "GET /: 200, a page linking /metrics" bash -c "[ \"\$(cat '$tmp/code')\" = 200 ] && grep -q 'href=\"/metrics\"' '$tmp/root.html'"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$U/metrics")
check "HEAD /metrics: 200 ($code)" test "$code" = 200
for path in /x /metrics/ /metricsx '/%2e%2e/etc/passwd' '/metrics?x=1/../'; do
	code=$(curl -s --path-as-is -o "$tmp/body" -w '%{http_code}' "$U$path")
	case $path in /metrics\?*) want=200 ;; *) want=404 ;; esac
	check "GET $path: $want ($code)" test "$code" = "$want"
done
check "... a 404 does not echo the path" bash -c "! grep -q passwd '$tmp/body'"
for m in POST PUT DELETE OPTIONS; do
	code=$(curl -s -X $m -o /dev/null -w '%{http_code}' "$U/metrics")
	check "$m /metrics: 405 ($code)" test "$code" = 405
done
check "... 405 says what is allowed" bash -c "curl -s -D - -o /dev/null -X POST '$U/metrics' | grep -qi '^Allow: GET, HEAD'"

# ---- slow clients ----
# 20 connections: half send a request and never end it, half send 300
# requests back to back and never read a byte of the answers
slow() { # slow N: N slow clients until killed
	python3 - "$port" "$1" <<'EOF' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    if i % 2:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    else:
        s.setblocking(False)
        try:
            for _ in range(300):
                s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        except BlockingIOError:
            pass
    socks.append(s)
time.sleep(60)
EOF
	bg+=($!)
}
slow 20
sleep 1
t0=$(date +%s%N)
code=$(curl -s --max-time 3 -o "$tmp/m2.prom" -w '%{http_code}' "$U/metrics")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "20 clients that never end their request or never read: a concurrent scrape answers in ${ms} ms (< 3 s)" \
	test "$code" = 200 -a "$ms" -lt 3000
kill "${bg[-1]}" 2>/dev/null; wait "${bg[-1]}" 2>/dev/null

# the bound: 64 connections fill it, the 65th waits; the idle ones are
# closed after 10 s and scrapes are answered again
slow 64
sleep 1.5
code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$U/metrics")
check "64 idle connections: a 65th is not served (the limit holds: $code)" test "$code" != 200
sleep 10
code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "$U/metrics")
check "... 10 s later the idle ones are closed: served again ($code)" test "$code" = 200
kill "${bg[-1]}" 2>/dev/null; wait "${bg[-1]}" 2>/dev/null

# ---- SIGTERM during scrapes, then a restart ----
for i in 1 2 3 4; do
	( while :; do curl -s -o /dev/null --max-time 2 -H "Accept: $OMACCEPT" "$U/metrics" || true; done ) &
	bg+=($!)
done
sleep 1
stop_server "SIGTERM during 4 scrape loops"
if start_server; then ok "restarted on the same port: it serves again"; else notok "restarted on the same port"; fi
for p in "${bg[@]:(-4)}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
check "... and answers" bash -c "curl -s --max-time 3 '$U/metrics' | grep -q '^nstop_build_info{'"

# ---- a real Prometheus ----
if ! need_root; then
	stop_server "SIGTERM"
	skip "Prometheus: root only (a container with a CPU quota)"; echo "1..$n"; exit 0
fi
if ! command -v prometheus >/dev/null; then
	stop_server "SIGTERM"
	skip "Prometheus: prometheus is missing (make deps-runtimes installs Debian's)"; echo "1..$n"; exit 0
fi
pport=$(free_port)
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: nstop
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
ppid_prom=$!
P=http://127.0.0.1:$pport
target() { # target FIELD -> the nstop target's health or lastError
	curl -s --max-time 2 "$P/api/v1/targets" | jq -r ".data.activeTargets[] | select(.labels.job == \"nstop\") | .$1"
}
query() { # query EXPR -> the first result's value
	curl -s --max-time 3 "$P/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
wait_health() { # wait_health up|down SECONDS
	local i
	for i in $(seq $(($2 * 5))); do
		[ "$(target health)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
if wait_health up 20; then
	ok "Prometheus scrapes nstop serve: target up"
else
	notok "Prometheus scrapes nstop serve: health $(target health), error $(target lastError)"
	sed 's/^/#   /' "$tmp/prometheus.log" | tail -5
fi
sleep 3
check "... no scrape error (lastError \"$(target lastError)\")" test -z "$(target lastError)" -a "$(target health)" = up
# the metadata Prometheus keeps comes from the OpenMetrics parser only: an
# info type, and a counter's family without _total with its unit
md=$(curl -s -G --max-time 3 "$P/api/v1/targets/metadata" --data-urlencode 'match_target={job="nstop"}')
check "... it negotiated OpenMetrics: nstop_build is an info family" \
	test "$(jq -r '.data[] | select(.metric == "nstop_build") | .type' <<<"$md")" = info
check "... nstop_cgroup_cpu_seconds a counter in seconds" \
	test "$(jq -r '.data[] | select(.metric == "nstop_cgroup_cpu_seconds") | "\(.type) \(.unit)"' <<<"$md")" = "counter seconds"

par=$(ctr_parent "nstop-serve-$$")
nm=srv$$
names+=("$nm")
expect_exit 0 "nstop create $nm --cpu 30% --memory 64M: a CPU hog" create "$nm" --cgroup-parent "$par" \
	--audit-log "$L" --cpu 30% --memory 64M -- sh -c 'while :; do :; done'
sleep 14
r=$(query "rate(nstop_container_cpu_seconds_total{name=\"$nm\"}[10s])")
check "rate(nstop_container_cpu_seconds_total{name=\"$nm\"}[10s]) = ${r:-none}, 0.3 +- 0.06" \
	awk -v r="$r" 'BEGIN { exit !(r != "" && r >= 0.24 && r <= 0.36) }'
m=$(query "nstop_container_memory_limit_bytes{name=\"$nm\"}")
check "nstop_container_memory_limit_bytes{name=\"$nm\"} = ${m:-none}, the 64M set" test "$m" = 67108864

# stopped during scrapes (one a second): down, then up after a restart
stop_server "SIGTERM while Prometheus scrapes every second"
# down because nothing listens, not for another reason
if wait_health down 10 && target lastError | grep -q 'connection refused'; then
	ok "... Prometheus sees the target down (connection refused)"
else notok "... Prometheus sees the target down: health $(target health), error $(target lastError)"; fi
if start_server; then ok "restarted"; else notok "restarted"; fi
if wait_health up 10 && sleep 2 && [ -z "$(target lastError)" ]; then ok "... Prometheus sees it up again, no scrape error"
else notok "... up again: health $(target health), error $(target lastError)"; fi
u=$(query "min_over_time(up{job=\"nstop\"}[1m])")
check "... the up series recorded the gap (min over 1m: ${u:-none})" test "$u" = 0
"$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1
stop_server "SIGTERM at the end"
kill -TERM "$ppid_prom"; wait "$ppid_prom" 2>/dev/null; ppid_prom=
echo "1..$n"
