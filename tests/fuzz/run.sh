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
srcs="src/collect/parse.c src/collect/parse_cg.c src/collect/logparse.c src/collect/parse_env.c src/collect/parse_rt.c src/collect/parse_web.c src/collect/parse_ev.c src/collect/parse_img.c src/collect/parse_port.c src/util/str.c src/util/buf.c src/util/xalloc.c src/util/err.c src/util/json.c src/util/jsonr.c src/util/hash.c src/util/prom.c"
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
printf '\x02%s\n%s' 'p_n_c-ab.log' '/var/log/pods/n_p_0a-1/c/2.log' >"$FB/corpus-logs/seed-crilink"
printf '\x02%s' '1.log.20261203-101112.gz' >"$FB/corpus-logs/seed-criname"
printf '%s' '[{"id":"bb","names":["web"],"image":"47dd","metadata":"{\"image-name\":\"localhost/busybox:1\"}"}]' >"$FB/corpus-logs/seed-podman"
printf '/usr/bin/conmon\0-c\0bb\0-b\0/s/vfs-containers/bb/userdata\0-l\0k8s-file:/s/x/ctr.log\0-n\0web\0' >"$FB/corpus-logs/seed-conmon"
# runtimes' bundles (containerd, CRI-O, nerdctl) and a passwd file
seed rtnames $(find "$fx/pods" -name config.json -o -name passwd -o -name containers.json)
printf "# LXC\nlxc.uts.name = c1\nlxc.console.logfile = /var/log/lxc/c1.console\n  lxc.console.logfile=\t/x \r\nlxc.console.logfile =\n" >"$FB/corpus-rtnames/seed-lxc"
# Accept headers: Prometheus', curl's, a browser's
mkdir -p "$FB/corpus-accept"
for w in 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' \
	'*/*' 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' 'application/openmetrics-text; q=0.999'; do
	printf '%s' "$w" >"$FB/corpus-accept/seed-$(printf '%s' "$w" | md5sum | cut -c1-8)"
done
# docker's env files: comments, bare keys, = in values, hostile bytes
mkdir -p "$FB/corpus-envfile"
printf '# c\n\nA=1\n  B=x=y \nHOME\nUNSET\n\t# x\nC=\r\n' >"$FB/corpus-envfile/seed-docker"
printf 'K=\x1b]0;x\a\nL=\xff\xfe\n1=x\n' >"$FB/corpus-envfile/seed-hostile"
# nstop record's files: the writer's own over the fixtures (a closed one and
# one torn mid-sample); fuzz_rec turns them into raw-sample seeds below
mkdir -p "$FB/corpus-rec"
if [ -x "$B/nstop" ]; then
	rm -rf "$FB/recseed"
	for v in v2 hybrid; do
		"$B/nstop" --sysroot "$fx/$v" record -d 0.1 --duration 0.35 -o "$FB/recseed/$v" >/dev/null 2>&1
	done
	i=0
	for f in "$FB"/recseed/*/*.nstoprec; do
		[ -f "$f" ] || continue
		cp "$f" "$FB/corpus-rec/seed-$i"
		head -c $(($(stat -c %s "$f") * 2 / 3)) "$f" >"$FB/corpus-rec/seed-$i-torn"
		i=$((i + 1))
	done
fi
# an events record (recev.c's layout), raw: an exit killed by SIGKILL and
# an OOM kill with its container and victim (a fixture's recording has none)
python3 - "$FB/corpus-rec/seed-events-raw" <<'EOF'
import sys
def v(n):
    b = bytearray()
    while n >= 0x80:
        b.append(n & 0x7f | 0x80); n >>= 7
    b.append(n); return bytes(b)
def s(x): return v(len(x)) + x
def ev(t, dt, pid, rt, fl, code, sig, cnt, victim, strs):
    return v(t) + v(dt * 2) + v(pid) + v(123456) + v(rt) + v(fl) + v(code) + v(sig) + v(cnt) + v(victim) + b''.join(s(x) for x in strs)
e1 = ev(3, 5, 4242, 8, 5, 0, 9, 0, 0, [b'nstop-init', b'/nstop/oom', b'oom1', b'oom1', b'', b'', b'', b''])
e2 = ev(1, 9, 0, 8, 0, 0, 0, 1, 4243, [b'', b'/nstop/oom', b'oom1', b'oom1', b'hog', b'', b'', b''])
p = v(2) + v(len(e1)) + e1 + v(len(e2)) + e2
open(sys.argv[1], 'wb').write(bytes([4]) + v(len(p)) + p)
EOF
# nstop serve's users file: exporter-toolkit's basic_auth_users
mkdir -p "$FB/corpus-webcfg"
printf '%s\n' '# web config' '---' 'basic_auth_users:  # scrapers' \
	"  prom-1: '\$2y\$10\$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'" \
	'  bob.b@x: "$2b$04$abcdefghijklmnopqrstuu5UJFqQxMdd5Pnfr4Vl6cIq7pVnDJXaO"' >"$FB/corpus-webcfg/seed-good"
printf 'tls_server_config:\n  cert_file: x\nbasic_auth_users:\n\talice: $2a$12$x\n' >"$FB/corpus-webcfg/seed-bad"
# /dev/kmsg's oom-kill lines: v2, v1, a name and a path with separators
mkdir -p "$FB/corpus-kmsg"
printf '%s\n' '6,1234,98765432,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/nstop/web,task_memcg=/nstop/web,task=hog,pid=4242,uid=0' >"$FB/corpus-kmsg/seed-v2"
printf '%s\n%s\n' '3,5,7,c;oom-kill:constraint=CONSTRAINT_NONE,global_oom,task_memcg=/a,b,task=x,pid=9,uid=1,task=a,b,pid=77,uid=1000' ' SUBSYSTEM=x' >"$FB/corpus-kmsg/seed-sep"
# image layers' entries (kind byte, path, NUL, link, NUL) and an image's JSON
mkdir -p "$FB/corpus-imgentry"
printf '\x02lnk\0/etc\0\x00lnk/shadow\0\0\x00a/../../x\0\0\x03h\0../out\0\x00d/.wh..wh..opq\0\0\x00d/.wh.f\0\0' >"$FB/corpus-imgentry/seed-entries"
printf '%s' '{"manifests":[{"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","size":11,"platform":{"architecture":"amd64","os":"linux"}}]}' >"$FB/corpus-imgentry/seed-index"
printf '%s' '{"config":{"Env":["A=1"],"Cmd":["sh"],"User":"app"},"rootfs":{"diff_ids":["sha256:5555555555555555555555555555555555555555555555555555555555555555"]}}' >"$FB/corpus-imgentry/seed-config"
printf '%s' '[{"Config":"abc.json","RepoTags":["bb:1"],"Layers":["x/layer.tar"]}]' >"$FB/corpus-imgentry/seed-docker"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n\0staff:x:50:app\nops:x:51:root,app\n' >"$FB/corpus-imgentry/seed-passwd-group"
# create --publish specs and a record's ports
mkdir -p "$FB/corpus-ports"
for w in 18080:8080 0.0.0.0:53:53/udp 10.0.0.1:1:65535/tcp '[::1]:80:80' 8000-8010:80 \
	'[{"host_ip":"127.0.0.1","host_port":18080,"container_port":8080,"proto":"tcp"},{"host_ip":"1.2.3","host_port":1.5}]'; do
	printf '%s' "$w" >"$FB/corpus-ports/seed-$(printf '%s' "$w" | md5sum | cut -c1-8)"
done
pass=0 fail=0
for t in ${FUZZ_TARGETS:-stat cgroup cgfiles input idmap ctrreq prom logs accept envfile rtnames rec webcfg kmsg imgentry ports}; do
	extra=; [ $t = ctrreq ] && extra=src/act/ctrreq.c
	[ $t = rec ] && extra="src/collect/recfmt.c src/collect/recev.c src/collect/recsnap.c src/collect/cgset.c src/snap.c -lzstd"
	if ! $CC $flags -o "$FB/fuzz_$t" "tests/fuzz/fuzz_$t.c" $srcs $extra >"$FB/build-$t.log" 2>&1; then
		echo "not ok - fuzz_$t does not build"; sed 's/^/#   /' "$FB/build-$t.log" | head -5
		fail=$((fail + 1)); continue
	fi
	if [ $t = rec ]; then
		for f in "$FB"/corpus-rec/seed-*; do
			case $f in *-raw) continue ;; esac
			REC_SEED_OUT=$f-raw "$FB/fuzz_$t" "$f" >/dev/null 2>&1
		done
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
