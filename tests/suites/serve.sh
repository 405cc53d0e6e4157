#!/bin/bash
# nstop serve on 127.0.0.1 (a free port), with real clients only: curl's
# /metrics is promtool-clean text 0.0.4; with an OpenMetrics Accept header a
# valid OpenMetrics exposition; / links /metrics; 404 and 405; a non-loopback
# address refused without --insecure; clients that never end their request
# or never read do not stall a concurrent scrape; the connection limit and
# the idle timeout hold; a Host that is not an address, localhost or an
# --allow-host name gets 421 (DNS rebinding); a load of 50 scrapers for 20 s
# at 2000 more processes: no error, no slow scrape, a flat RSS; HTTPS with a
# certificate made by openssl and basic authentication (--web-config,
# bcrypt, the cache measured as a ratio); SIGTERM during scrapes exits 0 (an
# ASan build: no leak report) and a restart serves again. Then, as root, a
# real Prometheus (Debian's, make deps-runtimes) scrapes it every second with
# no scrape error in OpenMetrics, and the HTTPS one with tls_config and
# basic_auth, reads a CPU hog's 30 % quota through rate() and its memory
# limit, and sees the target down while the server is stopped, then up.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
command -v curl >/dev/null || { skip "serve: curl is missing (make deps)"; echo "1..$n"; exit 0; }
tmp=$(mktemp -d /tmp/nstop-serve.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
spid= tspid= ppid_prom= bg=() names=()
cleanup() {
	local p nm
	for p in "${bg[@]}" $spid $tspid $ppid_prom; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	ctr_parent_rm "nstop-serve-$$"
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
OMACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# start_server [ARGS]: nstop serve on $port in the background ($spid), ready
# when it answers (5 s at most); its stderr in $tmp/serve.err
start_server() {
	"$NSTOP" serve --listen "127.0.0.1:$port" "$@" 2>"$tmp/serve.err" &
	spid=$!
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# stop_server DESC [PID ERRFILE]: SIGTERM, exit 0, no sanitizer or leak report
stop_server() {
	local pid=${2:-$spid} err=${3:-$tmp/serve.err}
	kill -TERM "$pid"
	wait "$pid"
	local rc=$?
	[ "$pid" = "$spid" ] && spid=
	if [ $rc = 0 ] && ! grep -q 'Sanitizer\|runtime error' "$err"; then
		ok "$1: exit 0, no sanitizer report"
	else
		notok "$1: exit $rc"; grep -v '^nstop: serve: metrics at' "$err" | head -8 | sed 's/^/#   /'
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
ct=$(curl -s -D "$tmp/m.hdr" -o "$tmp/m.prom" -w '%{http_code} %{content_type}' "$U/metrics")
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
check "... Connection: close (one request a connection: no pipelining slow reader keeps one)" \
	grep -qi '^Connection: close.$' "$tmp/m.hdr"
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
# the same series either way, only the metadata differs. Each scrape is a
# collection of its own, and processes and cgroups of others come and go
# between two: a text scrape before and one after the OpenMetrics one; every
# series of both is in the OpenMetrics one, and it has none neither has
cmp_series() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort; }
curl -s -o "$tmp/m2.prom" "$U/metrics"
cmp_series "$tmp/m.prom" >"$tmp/s1" && cmp_series "$tmp/m2.prom" >"$tmp/s2" && cmp_series "$tmp/m.om" >"$tmp/so"
comm -12 "$tmp/s1" "$tmp/s2" | comm -23 - "$tmp/so" >"$tmp/s.lost"
sort -u "$tmp/s1" "$tmp/s2" | comm -13 - "$tmp/so" >"$tmp/s.new"
check "... the same series as text 0.0.4 ($(comm -12 "$tmp/s1" "$tmp/s2" | wc -l) in both text scrapes; $(wc -l <"$tmp/s.lost") of them missing, $(wc -l <"$tmp/s.new") in neither)" \
	test ! -s "$tmp/s.lost" -a ! -s "$tmp/s.new" -a "$(comm -12 "$tmp/s1" "$tmp/s2" | wc -l)" -gt 20
head -3 "$tmp/s.lost" "$tmp/s.new" 2>/dev/null | grep -v '^$' | grep -v '^==> .* <==$' | sed 's/^/#   /'
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
# DNS rebinding: a page on a name pointed at 127.0.0.1 would read the
# metrics as its own; without users only addresses and localhost are served
for h in "evil.example.com:$port" evil.example.com "127.0.0.1.nip.io:$port" "localhost.evil.com:$port"; do
	code=$(curl -s -H "Host: $h" -o "$tmp/body" -w '%{http_code}' "$U/metrics")
	check "Host: $h: 421, no metrics ($code)" bash -c "[ '$code' = 421 ] && ! grep -q nstop_ '$tmp/body'"
done
check "... saying what is served" grep -q 'an IP address, localhost or a name given with --allow-host' "$tmp/body"
for h in "localhost:$port" "127.0.0.1:$port" "[::1]:$port" LOCALHOST; do
	code=$(curl -s -H "Host: $h" -o /dev/null -w '%{http_code}' "$U/metrics")
	check "Host: $h: 200 ($code)" test "$code" = 200
done
expect_exit 2 "--allow-host with a port: refused" serve --allow-host evil.example.com:80
for m in POST PUT DELETE OPTIONS; do
	code=$(curl -s -X $m -o /dev/null -w '%{http_code}' "$U/metrics")
	check "$m /metrics: 405 ($code)" test "$code" = 405
done
check "... 405 says what is allowed" bash -c "curl -s -D - -o /dev/null -X POST '$U/metrics' | grep -qi '^Allow: GET, HEAD'"

# serve collects what nstop metrics does (METRICS_WHAT, --cgroup-depth): on
# a fixture sysroot (the live host's containers come and go between two
# scrapes), the same series
if [ -d "$FIXTURES/hybrid" ]; then
	fport=$(free_port)
	"$NSTOP" serve --sysroot "$FIXTURES/hybrid" --cgroup-depth 1 --listen "127.0.0.1:$fport" 2>"$tmp/fserve.err" &
	fpid=$!
	bg+=($fpid)
	for i in $(seq 50); do curl -s -o "$tmp/f.prom" --max-time 2 "http://127.0.0.1:$fport/metrics" && break; sleep 0.1; done
	"$NSTOP" --sysroot "$FIXTURES/hybrid" metrics --cgroup-depth 1 >"$tmp/fm.prom" 2>/dev/null
	kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
	series() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort; }
	sdiff=$(diff <(series "$tmp/f.prom") <(series "$tmp/fm.prom"))
	check "the hybrid fixture, --cgroup-depth 1: serve's series are nstop metrics' ($(series "$tmp/fm.prom" | wc -l) series)" \
		test -z "$sdiff" -a -s "$tmp/fm.prom"
	[ -z "$sdiff" ] || echo "$sdiff" | head -5 | sed 's/^/#   /'
else
	skip "serve's series against nstop metrics': no hybrid fixture (tests/fixtures/prepare.sh)"
fi

# ---- slow clients ----
# 20 connections: half send a request and never end it, half send 300
# requests back to back and never read a byte of the answers (the server
# closes those after one response: Connection: close; a reset may end the
# sending)
slow() { # slow N [trickle]: N slow clients until killed; trickle: all never end their request
	python3 - "$port" "$1" "${2:-}" <<'EOF' &
import socket, sys, time
port, n, trickle = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "trickle"
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    if i % 2 or trickle:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    else:
        s.setblocking(False)
        try:
            for _ in range(300):
                s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
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

# the bound: 64 connections fill it (64 that never end their request: a
# client that never reads is closed after its one response); a 65th evicts
# the oldest (serve_guard.c), so it is served and no more than 64 stay
# open; the idle ones are closed after 10 s, scrapes answered again
slow 64 trickle
sleep 1.5
code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$U/metrics")
check "64 slow connections: a 65th is served, evicting the oldest ($code)" test "$code" = 200
sleep 0.5
est=$(ss -Htn state established "( sport = :$port )" | wc -l)
check "... the server holds 64 connections at most ($est)" test "$est" -le 64 -a "$est" -ge 60
sleep 10
code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "$U/metrics")
check "... 10 s later the idle ones are closed: served again ($code)" test "$code" = 200
kill "${bg[-1]}" 2>/dev/null; wait "${bg[-1]}" 2>/dev/null

# ---- load: 50 scrapers for 20 s on a host with 2000 more processes ----
# each scraper asks every 250 ms, a new connection each time (the server
# closes it after its answer: Connection: close) (200 scrapes
# a second in all), 4 more connections send 50 requests each and never read
# an answer; swarm's 2000 sleepers are the test's own children (in its own
# cgroup) and die with the one pid killed. No error; no scrape slower than
# 1 s, or than 8 times a lone scrape's median just before (each 0.3 s
# apart: each collects a snapshot of its own, as the slowest scrape under
# load does) on a host too busy for that (a ratio, for a shared machine and
# ASan; a scrape that waited for others would take tens of them); the RSS after 6 s of
# warm-up not exceeded later by more than max(4 MiB, 20 %) (both skipped
# under ASan: its renders saturate 2 cores, its quarantine grows by design).
scrapers=$TOP/$B/tests/scrapers swarm=$TOP/$B/tests/swarm
if [ ! -x "$scrapers" ] || [ ! -x "$swarm" ]; then
	skip "load: $B/tests/scrapers or swarm is not built (make $B/tests/scrapers)"
else
	coproc SW { exec "$swarm" 2000; }
	swpid=$SW_PID
	bg+=("$swpid")
	read -r -t 30 ready <&"${SW[0]}"
	lone=()
	for i in 1 2 3 4 5; do
		sleep 0.3
		lone+=($(curl -s -o /dev/null -w '%{time_total}' "$U/metrics"))
	done
	med=$(printf '%s\n' "${lone[@]}" | sort -n | sed -n 3p)
	bound=$(awk -v m="$med" 'BEGIN { b = 8 * m * 1000; printf "%d", (b > 1000 ? b : 1000) }')
	"$scrapers" "$port" 50 20 4 250 >"$tmp/load.out" 2>&1 &
	lpid=$!
	bg+=("$lpid")
	rss=()
	for i in $(seq 20); do
		sleep 1
		rss+=($(awk '/^VmRSS:/ { print $2 }' "/proc/$spid/status"))
	done
	wait "$lpid"
	read -r _ scrapes _ errs _ retries _ maxms _ slowop <"$tmp/load.out"
	check "load ($ready: $(($(ps -e --no-headers | wc -l))) processes): 50 scrapers x 20 s: $scrapes scrapes, no error ($errs, $retries retried)" \
		test "${errs:-x}" = 0 -a "${scrapes:-0}" -ge 500
	asan=; nm "$NSTOP" 2>/dev/null | grep -q __asan_init || ldd "$NSTOP" 2>/dev/null | grep -q libasan && asan=1
	# under ASan each of the 200 renders a second costs several times more:
	# 2 cores saturate and the time says nothing of the server's design
	if [ -n "$asan" ]; then
		skip "... the slowest took ${maxms} ms: an ASan build (a lone scrape's median ${med} s)"
	else
		check "... the slowest took ${maxms} ms (at most ${bound} ms: a lone scrape's median ${med} s)" \
			test "${maxms:-99999}" -le "$bound"
	fi
	check "... while 4 connections never read their answers ($slowop opened)" test "${slowop:-0}" -ge 4
	warm=${rss[5]} later=$(printf '%s\n' "${rss[@]:6}" | sort -n | tail -1)
	if [ -n "$asan" ]; then
		skip "... RSS flat: an ASan build (RSS ${rss[*]} KiB)"
	else
		check "... RSS flat: ${warm} KiB after warm-up, at most ${later} KiB later (${rss[*]})" \
			awk -v w="$warm" -v l="$later" 'BEGIN { d = w * 0.2; if (d < 4096) d = 4096; exit !(w > 0 && l <= w + d) }'
	fi
	kill -KILL "$swpid" 2>/dev/null; wait "$swpid" 2>/dev/null
fi

# ---- basic authentication: exporter-toolkit's web config, bcrypt ----
# the hash made by perl's crypt (libxcrypt), cost 10
T=$tmp/tls
W=$T/web.yml
mkdir -p "$T"
hash=$(perl -e 'print crypt("s3cret", q($2b$10$) . "abcdefghijklmnopqrstuu")')
printf '# nstop and node_exporter\nbasic_auth_users:\n  prom: %s\n  other: %s\n' "$hash" "$hash" >"$W"
chmod 600 "$W"
printf 'basic_auth_users:\n  prom: s3cret\n' >"$T/plain.yml"
expect_exit 2 "--web-config with a plaintext password: refused" serve --web-config "$T/plain.yml"
check "... naming the line and what is wanted" grep -q 'plain.yml: line 2: not a bcrypt hash' /tmp/nstop-err.$$
cp "$W" "$T/gw.yml"; chmod 620 "$T/gw.yml"
expect_exit 2 "--web-config writable by its group: refused" serve --web-config "$T/gw.yml"
cp "$W" "$T/nobody.yml"; chown nobody "$T/nobody.yml"
expect_exit 2 "--web-config of mode 600 owned by another user (nobody): refused" serve --web-config "$T/nobody.yml"
expect_exit 2 "0.0.0.0 with users but no HTTPS: refused without --insecure" serve --listen 0.0.0.0:9 --web-config "$W"
check "... saying both are needed" grep -q 'needs HTTPS (--tls-cert, --tls-key) and users (--web-config), or --insecure' /tmp/nstop-err.$$

# ---- HTTPS: a certificate made here, curl and (below) Prometheus trust it ----
# tspid: a second server, HTTPS and users on every address (no --insecure
# needed with both), on $tport, kept for Prometheus below
tspid=
start_tls_server() {
	"$NSTOP" serve --listen "0.0.0.0:$tport" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" "$@" \
		2>"$tmp/tserve.err" &
	tspid=$!
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null --max-time 1 --cacert "$T/cert.pem" "https://127.0.0.1:$tport/" && return 0
		kill -0 "$tspid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
if ! command -v openssl >/dev/null; then
	skip "HTTPS: openssl is missing"
else
	(umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$T/key.pem" -out "$T/cert.pem" -subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$T/openssl.log" 2>&1)
	chmod 644 "$T/cert.pem"
	expect_exit 2 "--tls-cert without --tls-key" serve --listen 127.0.0.1:9 --tls-cert "$T/cert.pem"
	chmod 640 "$T/key.pem"
	expect_exit 2 "a key readable by its group is refused" serve --listen 127.0.0.1:9 \
		--tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	check "... saying so and what to do" grep -q 'mode 0640.*readable by group or others (chmod 600)' /tmp/nstop-err.$$
	chmod 600 "$T/key.pem"
	# mode 600 but another (non-root) user's: that user could rewrite it
	cp -p "$T/key.pem" "$T/nobodys.pem"; chown nobody "$T/nobodys.pem"
	expect_exit 2 "a key owned by another user (nobody), mode 600: refused" serve --listen 127.0.0.1:9 \
		--tls-cert "$T/cert.pem" --tls-key "$T/nobodys.pem"
	check "... saying whose it must be" grep -q "nobodys.pem: owned by uid $(id -u nobody): it must be root's or yours" /tmp/nstop-err.$$
	cp "$T/cert.pem" "$T/cert600.pem"; chmod 600 "$T/cert600.pem"
	expect_exit 2 "certificate and key swapped: refused" serve --listen "127.0.0.1:$(free_port)" \
		--tls-cert "$T/key.pem" --tls-key "$T/cert600.pem"
	check "... the certificate or key not usable" grep -q 'TLS certificate or key is not usable' /tmp/nstop-err.$$
	head -c 70000 /dev/zero | tr '\0' a >"$T/big.pem"; chmod 600 "$T/big.pem"
	expect_exit 2 "a key file over 64 KiB: refused" serve --listen 127.0.0.1:9 \
		--tls-cert "$T/cert.pem" --tls-key "$T/big.pem"
	mkfifo "$T/fifo"; chmod 600 "$T/fifo"
	expect_exit 2 "a FIFO as the key: refused, not waited on" serve --listen 127.0.0.1:9 \
		--tls-cert "$T/cert.pem" --tls-key "$T/fifo"
	expect_exit 2 "0.0.0.0 with HTTPS but no users: refused without --insecure" serve --listen 0.0.0.0:9 \
		--tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	tport=$(free_port)
	if start_tls_server --web-config "$W"; then
		ok "nstop serve with HTTPS and users starts on 0.0.0.0:$tport (no --insecure needed)"
		TU=https://127.0.0.1:$tport
		code=$(curl -s --cacert "$T/cert.pem" -u prom:s3cret -o "$tmp/t.prom" -w '%{http_code}' "$TU/metrics")
		check "GET $TU/metrics, the certificate verified, the password right: 200 and the metrics ($code)" \
			bash -c "[ '$code' = 200 ] && grep -q '^nstop_build_info{' '$tmp/t.prom'"
		curl -s -u prom:s3cret -o /dev/null --max-time 2 "$TU/metrics"
		check "... a client without the CA: verification fails (curl exit $?)" test $? = 60
		code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$tport/metrics")
		check "... plain HTTP to the HTTPS port: no answer ($code)" test "$code" = 000
		code=$(curl -s --cacert "$T/cert.pem" -u prom:s3cret --tls-max 1.1 -o /dev/null --max-time 2 \
			-w '%{http_code}' "$TU/metrics")
		check "... TLS 1.1 refused ($code)" test "$code" = 000
		# TLS 1.2: ECDHE with AEAD ciphers only (forward secrecy); GnuTLS'
		# NORMAL took ECDHE-ECDSA-AES128-SHA (CBC, SHA-1 MAC) as well
		for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-GCM-SHA256; do
			got=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$tport" -tls1_2 -cipher "$c" 2>&1 |
				sed -n 's/.*Cipher is \([A-Z0-9-]*\).*/\1/p' | head -1)
			want=; [[ $c == *GCM* ]] && want=$c
			check "... TLS 1.2 with $c: ${want:-refused} (got ${got:-refused})" test "$got" = "$want"
		done
		got=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$tport" -tls1_3 2>&1 |
			sed -n 's/.*New, \(TLSv1.3\), Cipher.*/\1/p' | head -1)
		check "... TLS 1.3 taken (got ${got:-refused})" test "$got" = TLSv1.3
		for cred in "" prom:wrong nobody:s3cret prom: 'prom:s3cretXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'; do
			hdr=$(curl -s --cacert "$T/cert.pem" ${cred:+-u "$cred"} -D - -o "$tmp/t.body" "$TU/metrics" | tr -d '\r')
			check "credentials '${cred:0:20}': 401 with WWW-Authenticate: Basic, no metrics" \
				bash -c "grep -q '^HTTP/[0-9.]* 401' <<<'$hdr' && grep -qi '^WWW-Authenticate: Basic realm=\"nstop\"' <<<'$hdr' && ! grep -q nstop_ '$tmp/t.body'"
		done
		code=$(curl -s --cacert "$T/cert.pem" -u prom:s3cret -H "Host: node1.example.org:$tport" -o /dev/null \
			-w '%{http_code}' "$TU/metrics")
		check "with users, any Host (a fleet's names): served to a valid user ($code)" test "$code" = 200
		for path in / /nope; do
			code=$(curl -s --cacert "$T/cert.pem" -o /dev/null -w '%{http_code}' "$TU$path")
			check "GET $path without credentials: 401, not the page nor a 404 ($code)" test "$code" = 401
		done
		# the cache: 10 requests with the verified password against 10 with a
		# wrong one (each a bcrypt run: never cached), each 10 on one kept
		# connection of one curl; a ratio, not a time
		ten=(); for i in $(seq 10); do ten+=(-o /dev/null "$TU/"); done
		t0=$(date +%s%N)
		good=$(curl -s --cacert "$T/cert.pem" -u prom:s3cret -w '%{http_code} ' "${ten[@]}")
		t1=$(date +%s%N)
		bad=$(curl -s --cacert "$T/cert.pem" -u prom:bad -w '%{http_code} ' "${ten[@]}")
		t2=$(date +%s%N)
		check "a verified password is cached: 10 requests with it took $(( (t1 - t0) / 1000000 )) ms, 10 with a wrong one $(( (t2 - t1) / 1000000 )) ms (ratio < 0.25)" \
			test "$good" = "$(printf '200 %.0s' $(seq 10))" -a "$bad" = "$(printf '401 %.0s' $(seq 10))" \
			-a $(( (t1 - t0) * 4 )) -lt $(( t2 - t1 ))
	else
		notok "nstop serve with HTTPS and users starts"; sed 's/^/#   /' "$tmp/tserve.err" | head -5
	fi
fi

# ---- SIGTERM during scrapes, then a restart ----
for i in 1 2 3 4; do
	( while :; do curl -s -o /dev/null --max-time 2 -H "Accept: $OMACCEPT" "$U/metrics" || true; done ) &
	bg+=($!)
done
sleep 1
stop_server "SIGTERM during 4 scrape loops"
if start_server --allow-host prom.example.org; then ok "restarted on the same port: it serves again"; else notok "restarted on the same port"; fi
code=$(curl -s -H "Host: prom.example.org:$port" -o /dev/null -w '%{http_code}' "$U/metrics")
check "... with --allow-host prom.example.org, Host: prom.example.org:$port is served ($code)" test "$code" = 200
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
[ -n "$tspid" ] && cat >>"$tmp/prometheus.yml" <<EOF
  - job_name: nstop-tls
    scheme: https
    tls_config:
      ca_file: $T/cert.pem
    basic_auth:
      username: prom
      password: s3cret
    static_configs:
      - targets: ['127.0.0.1:$tport']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
ppid_prom=$!
P=http://127.0.0.1:$pport
target() { # target FIELD [JOB] -> the nstop target's health or lastError
	curl -s --max-time 2 "$P/api/v1/targets" | jq -r ".data.activeTargets[] | select(.labels.job == \"${2:-nstop}\") | .$1"
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
if [ -n "$tspid" ]; then
	check "... and over HTTPS with basic_auth, its CA from tls_config (health $(target health nstop-tls), lastError \"$(target lastError nstop-tls)\")" \
		test -z "$(target lastError nstop-tls)" -a "$(target health nstop-tls)" = up
	stop_server "the HTTPS server: SIGTERM" "$tspid" "$tmp/tserve.err"
	tspid=
fi
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
# the kernel's own count of its CPU time (cpuacct.usage in ns, or cpu.stat's
# usage_usec), sampled with the time beside Prometheus' scrapes: rate() is
# checked against the kernel's rate over the same 10 s, not against the
# quota (on a loaded host the hog gets less than its 30 %)
hogcg=$(find "$(cg_mnt cpuacct)" -maxdepth 8 -type d -name "$nm" -path "*/nstop-serve-$$/*" 2>/dev/null | head -1)
if [ -n "$hogcg" ] && [ -r "$hogcg/cpuacct.usage" ]; then
	kusage() { awk '{ printf "%.6f\n", $1 / 1e9 }' "$hogcg/cpuacct.usage"; }
else
	hogcg=$(find "$(cg_mnt "")" -maxdepth 8 -type d -name "$nm" -path "*/nstop-serve-$$/*" 2>/dev/null | head -1)
	kusage() { awk '$1 == "usage_usec" { printf "%.6f\n", $2 / 1e6 }' "$hogcg/cpu.stat"; }
fi
while :; do echo "$(date +%s.%N) $(kusage)"; sleep 0.2; done >"$tmp/kusage" 2>/dev/null &
bg+=($!)
sleep 14
T=$(date +%s.%N)
T=$(awk -v t="$T" 'BEGIN { printf "%.3f", t - 1 }')
r=$(curl -s --max-time 3 "$P/api/v1/query" --data-urlencode "query=rate(nstop_container_cpu_seconds_total{name=\"$nm\"}[10s])" \
	--data-urlencode "time=$T" | jq -r '.data.result[0].value[1] // empty')
kill "${bg[-1]}" 2>/dev/null
# the kernel's usage at T-10 and at T, each between the samples around it
kr=$(awk -v a="$T" 'function at(t,   i) { for (i = 2; i <= n; i++) if (ts[i] >= t && ts[i - 1] <= t)
		return u[i - 1] + (u[i] - u[i - 1]) * (t - ts[i - 1]) / (ts[i] - ts[i - 1]); return "" }
	NF == 2 { n++; ts[n] = $1; u[n] = $2 }
	END { x = at(a - 10); y = at(a); if (x != "" && y != "") printf "%.4f", (y - x) / 10 }' "$tmp/kusage")
check "the hog's CPU as the kernel counts it: ${kr:-none} cores over the 10 s, 0.01 to 0.36 (the 30 % quota holds it)" \
	awk -v k="$kr" 'BEGIN { exit !(k != "" && k >= 0.01 && k <= 0.36) }'
check "rate(nstop_container_cpu_seconds_total{name=\"$nm\"}[10s]) = ${r:-none}, the kernel's ${kr:-none} +- 0.06" \
	awk -v r="$r" -v k="$kr" 'BEGIN { exit !(r != "" && k != "" && r >= k - 0.06 && r <= k + 0.06) }'
m=$(query "nstop_container_memory_limit_bytes{name=\"$nm\"}")
check "nstop_container_memory_limit_bytes{name=\"$nm\"} = ${m:-none}, the 64M set" test "$m" = 67108864
# every expression of contrib/grafana-nstop.json, its variables set as
# Grafana would for this node and container, returns series over the last
# 15 s, as a panel's range query does (a single instant can fall on a
# failed scrape, whose staleness markers hide every series); its memory
# limit panel shows the 64M set
G=$TOP/contrib/grafana-nstop.json
gexpr() { jq -r '.. | objects | select(has("expr")) | .expr' "$G" |
	sed "s/\\\$instance/.+/g; s/\\\$name/$nm/g; s/\\\$__rate_interval/10s/g; s/\\\$__range/1m/g"; }
gbad=() gn=0
while read -r e; do
	gn=$((gn + 1))
	case $e in *'$'*) gbad+=("a variable left: $e"); continue ;; esac
	now=$(date +%s)
	c=$(curl -s --max-time 3 "$P/api/v1/query_range" --data-urlencode "query=$e" -d "start=$((now - 15))" -d "end=$now" -d step=1 |
		jq -r 'if .status == "success" then (.data.result | length) else .error end')
	[ "$c" -ge 1 ] 2>/dev/null || gbad+=("$e: ${c:-no answer}")
done < <(gexpr)
check "grafana dashboard: its $gn expressions each return series for $nm${gbad:+ (${gbad[*]})}" test "$gn" -ge 8 -a ${#gbad[@]} = 0
gm=$(query "$(gexpr | grep -m1 '^nstop_container_memory_limit_bytes{')")
check "... its memory limit expression = ${gm:-none}, the 64M set" test "$gm" = 67108864
gv=$(jq -r '.templating.list[] | select(.name == "name") | .query.query' "$G" | sed 's/^label_values(\(.*\), name)$/\1/; s/\$instance/.+/')
check "... its container variable offers $nm" bash -c "curl -s --max-time 3 -G '$P/api/v1/label/name/values' --data-urlencode 'match[]=$gv' | jq -e --arg n '$nm' '.data | index(\$n)' >/dev/null"

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
