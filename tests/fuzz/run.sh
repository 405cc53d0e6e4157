#!/bin/bash
# make fuzz [FUZZ_SECONDS=60]: builds each target with clang's libFuzzer,
# ASan and UBSan, seeds it from the fixtures, runs it FUZZ_SECONDS, and ends
# with "N passed, N failed" (a crash, leak or sanitizer report fails).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
FB=$B/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "not ok - $CC is missing (make deps)"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$FB"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc $(pkg-config --cflags libnl-3.0 2>/dev/null)"
srcs="src/collect/parse.c src/collect/parse_cg.c src/collect/logparse.c src/util/str.c src/util/buf.c src/util/xalloc.c src/util/err.c src/util/json.c src/util/jsonr.c src/util/hash.c src/util/prom.c"
tests/fixtures/prepare.sh "$B/fixtures" >/dev/null || exit 1
fx=$B/fixtures
seed() { # seed TARGET FILES...: the fixtures' files as the starting corpus
	local t=$1 d=$FB/corpus-$1 i=0 f; shift
	mkdir -p "$d"
	for f in "$@"; do [ -f "$f" ] && cp "$f" "$d/seed-$i" && i=$((i + 1)); done
}
seed stat "$fx"/*/proc/*/stat "$fx"/*/proc/*/status
seed cgroup "$fx"/*/proc/*/cgroup "$fx"/*/proc/*/mountinfo "$fx"/*/proc/self/mountinfo
seed cgfiles $(find "$fx" \( -name cpu.stat -o -name memory.stat -o -name memory.events -o -name cpu.max \
	-o -name memory.max -o -name cpu.pressure -o -name io.stat -o -name memory.limit_in_bytes \
	-o -name blkio.throttle.io_service_bytes -o -name freezer.state -o -name cgroup.events -o -name cpuset.cpus.effective \) 2>/dev/null | head -200)
mkdir -p "$FB/corpus-idmap"
printf '         0     524288      65536\n' >"$FB/corpus-idmap/seed-map"
printf 'alice:100000:65536\n1000:165536:65536\n' >"$FB/corpus-idmap/seed-subuid"
mkdir -p "$FB/corpus-input"
for w in 512M 1.5G 50% 1.5 max 0.1 99999999999999999999 '{"a":[1,"\u00e9",null]}' $'\e]0;x\a' $'\xff\xfe'; do
	printf '%s' "$w" >"$FB/corpus-input/seed-$(printf '%s' "$w" | md5sum | cut -c1-8)"
done
mkdir -p "$FB/corpus-ctrreq"
printf '%s' '{"name":"web","cgroup-parent":"/nstop","cpu":"0.5","net":"veth","cmd":["sh","-c","sleep 1"]}' >"$FB/corpus-ctrreq/seed-req"
printf '%s' '{"code":0,"kind":"system","message":"","id":"ab12","pid":42,"cgroup":"/nstop/web","veth":"","addr":""}' >"$FB/corpus-ctrreq/seed-reply"
# hostile label values: quotes, backslashes, newlines, controls, invalid UTF-8
mkdir -p "$FB/corpus-prom"
for w in $'\x01web' $'\x02a"b\\c\nd' $'\x03\xff\xfe\xc2\x9b\e[2J' $'\x00caf\xc3\xa9 \xe2\x9c\x93' $'\x01dev-disk-by\\x2duuid'; do
	printf '%s' "$w" >"$FB/corpus-prom/seed-$(printf '%s' "$w" | md5sum | cut -c1-8)"
done
# log lines of both formats, hostile bytes, Docker's state files
mkdir -p "$FB/corpus-logs"
printf '%s\n' '\x00{"log":"hello\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}' \
	'{"log":"\u001b[2Jpart","stream":"stderr","time":"2024-01-02T03:04:05Z"}' '{"log":"end\n"}' >"$FB/corpus-logs/seed-docker"
printf '\x01%s\n' '2016-10-06T00:17:09.669794202Z stdout P part1 ' '2016-10-06T00:17:10+01:00 stderr F end' >"$FB/corpus-logs/seed-cri"
printf '%s' '{"Name":"/web","Image":"sha256:abc","Config":{"Image":"busybox:1.36"},"LogPath":"/var/lib/docker/containers/x/x-json.log"}' >"$FB/corpus-logs/seed-config"
printf '%s' '{"LogConfig":{"Type":"json-file","Config":{"max-size":"2k"}}}' >"$FB/corpus-logs/seed-hostconfig"
printf '%s' '[{"id":"bb","names":["web"],"image":"47dd","metadata":"{\"image-name\":\"localhost/busybox:1\"}"}]' >"$FB/corpus-logs/seed-podman"
printf '/usr/bin/conmon\0-c\0bb\0-b\0/s/vfs-containers/bb/userdata\0-l\0k8s-file:/s/x/ctr.log\0-n\0web\0' >"$FB/corpus-logs/seed-conmon"
# Accept headers: Prometheus', curl's, a browser's
mkdir -p "$FB/corpus-accept"
for w in 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' \
	'*/*' 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' 'application/openmetrics-text; q=0.999'; do
	printf '%s' "$w" >"$FB/corpus-accept/seed-$(printf '%s' "$w" | md5sum | cut -c1-8)"
done
pass=0 fail=0
for t in ${FUZZ_TARGETS:-stat cgroup cgfiles input idmap ctrreq prom logs accept}; do
	extra=; [ $t = ctrreq ] && extra=src/act/ctrreq.c
	if ! $CC $flags -o "$FB/fuzz_$t" "tests/fuzz/fuzz_$t.c" $srcs $extra >"$FB/build-$t.log" 2>&1; then
		echo "not ok - fuzz_$t does not build"; sed 's/^/#   /' "$FB/build-$t.log" | head -5
		fail=$((fail + 1)); continue
	fi
	if "$FB/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$FB/crash-$t-" "$FB/corpus-$t" >"$FB/run-$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FB/run-$t.log")
		echo "ok - fuzz_$t: $runs inputs in ${SECONDS_EACH} s, no crash, leak or sanitizer report"
		pass=$((pass + 1))
	else
		echo "not ok - fuzz_$t: see $FB/run-$t.log"; grep -E 'ERROR|SUMMARY|abort' "$FB/run-$t.log" | head -5 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
