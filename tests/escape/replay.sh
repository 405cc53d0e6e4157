#!/bin/bash
# Attack part (root): hand-crafted recordings (format v2, events records)
# read by nstop events --replay, containers --replay --at and the dashboard.
# 1. The index: a trailer naming offset 16..23 (the index record right
#    after the file header) makes read_index's bound "at - REC_RHDR_SIZE"
#    wrap to ~2^64, so an index entry's offset may point anywhere: nstop
#    reads a record header far outside the file and dies of SIGSEGV (a
#    75-byte file).
# 2. Events records are decoded whole, every one of every file, before the
#    range or the type is looked at: an events record of one event of an
#    unknown type (skipped, counts toward no limit) padded with zeros to
#    250 MiB is an 8 KB zstd frame; 1000 of them (8 MB of file) cost
#    ~35 s of CPU (a 1 GiB file: over an hour), and the dashboard's events
#    view (5) hangs meanwhile, q unanswered.
# 3. 65000 events of the largest strings are a 23 KB file and ~310 MB of
#    memory in nstop events --replay (and the dashboard's events view).
# 4. containers --all (review atk9): each exit of the window was a seek
#    with four steps back, each decoding from the last full sample, and
#    the recorder's last file read again at each: 256 forged exits of
#    containers that never were made a few hundred samples take minutes.
# 5. ... and an unnamed row (any process with a pid namespace of its own,
#    anyone's to make) counted as an exited container: a user's 270 of
#    them pushed a real container's exit out of the listing.
# Everything is written to a private temp directory; nothing acts.
. "$TOP/tests/lib.sh"
if ! need_root; then
	skip "escape replay: the recorder needs root"; echo "1..$n"; exit 0
fi
PY=/usr/bin/python3
if [ ! -x "$PY" ] || ! command -v zstd >/dev/null; then
	skip "escape replay: needs $PY and zstd"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escreplay.XXXXXX)
chmod 700 "$tmp"
export NSTOP_STATE_DIR=$tmp/state
cleanup() { rm -rf "$tmp"; cleanup_tmp; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

cat >"$tmp/rec.py" <<'EOF'
import os, struct, subprocess, sys, tempfile
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(b, crc=0):
    crc = ~crc & 0xffffffff
    for x in b:
        crc = T[(crc ^ x) & 0xff] ^ (crc >> 8)
    return ~crc & 0xffffffff
def zc(raw):
    # from a file: the frame then holds its content size
    fd, p = tempfile.mkstemp(dir=os.environ["TMPD"])
    os.write(fd, raw); os.close(fd)
    z = subprocess.run(["zstd", "-3", "-q", "-c", "--no-check", p], capture_output=True, check=True).stdout
    os.unlink(p)
    return z
def vput(v):
    o = bytearray()
    while v >= 0x80:
        o.append((v & 0x7f) | 0x80); v >>= 7
    o.append(v)
    return bytes(o)
def zz(v):
    return ((v << 1) ^ (v >> 63)) & 0xffffffffffffffff
def frame(typ, t, raw):
    z = zc(raw)
    h = bytearray(struct.pack("<B3xIIIq", typ, len(z), len(raw), 0, t))
    struct.pack_into("<I", h, 12, crc32c(z, crc32c(bytes(h))))
    return bytes(h) + z
def records(d):
    off, out = 16, []
    while off + 24 <= len(d):
        typ, ln, _, _, t = struct.unpack_from("<B3xIIIq", d, off)
        if off + 24 + ln > len(d):
            break
        out.append((typ, t, d[off:off + 24 + ln])); off += 24 + ln
    return out
def event(typ, strs):
    e = vput(typ) + vput(0) + vput(1) + b"\0" * 7
    for s in strs:
        e += vput(len(s)) + s
    return e
mode, dst = sys.argv[1], sys.argv[2]
hdr = b"NSTOPREC" + struct.pack("<II", 2, 0)
if mode == "index":
    # the index right after the header; its entry's offset 4 TiB on
    idx = frame(3, 0, vput(1) + vput(1) + vput(zz(0)) + vput(1 << 42))
    out = hdr + idx + struct.pack("<Q", 16) + b"NSTOPEND"
else:
    src = open(sys.argv[3], "rb").read()
    samples = [r for r in records(src) if r[0] in (1, 2)]
    last = max(r[1] for r in samples)
    out = bytearray(src[:16])
    for r in samples:
        out += r[2]
    if mode == "exits":
        # 256 container_exit events of Docker ids nothing ran, spread
        # over the recording's span (times relative to the record's)
        first = min(r[1] for r in samples)
        n = int(sys.argv[4])
        body = vput(n)
        for k in range(n):
            t = first + (last - first) * k // max(n - 1, 1)
            cid = ("%064x" % (0xab << 240 | k)).encode()
            e = vput(3) + vput(zz(t - last)) + vput(1) + vput(0) + vput(1) + b"\0" * 5
            for st in (b"sh", b"/docker/" + cid, cid, b"ghost%d" % k, b"", b"", b"", b""):
                e += vput(len(st)) + st
            body += vput(len(e)) + e
        out += frame(4, last, body)
    elif mode == "bomb":
        body = event(7, [b""] * 8) + b"\0" * (250 << 20)
        fr = frame(4, last, vput(1) + vput(len(body)) + body)
        out += fr * int(sys.argv[4])
    else:
        e = event(4, [b"A" * 16, b"/" + b"c" * 510, b"i" * 159, b"n" * 255, b"v" * 16,
                      b"a" * 31, b"r" * 15, b"d" * 511])
        e = vput(len(e)) + e
        out += frame(4, last, vput(65000) + e * 65000)
open(dst, "wb").write(out)
EOF

# a process with a pid namespace of its own exits while it records (an
# unnamed row), for part 5
unshare -pf sleep 1.5 &
NSTOP_STATE_DIR=$tmp/state timeout 20 "$NSTOP" record -d 0.1 --duration 6 -o "$tmp/hist" \
	--audit-log "$tmp/audit.log" >/dev/null 2>"$tmp/rec.err"
src=$(find "$tmp/hist" -name "*.nstoprec" 2>/dev/null | head -1)
mk() { TMPD=$tmp "$PY" "$tmp/rec.py" "$@" && chmod 600 "$2"; }

# ---- 1. an index right after the header: offsets unchecked ----
if mk index "$tmp/idx.nstoprec"; then
	timeout 30 "$NSTOP" events --replay "$tmp/idx.nstoprec" --json >/dev/null 2>"$tmp/e1.err"
	rc=$?
	check "events --replay of an index at offset 16 is refused, not a crash (exit $rc)" test $rc -lt 124
	timeout 30 "$NSTOP" containers --replay "$tmp/idx.nstoprec" --at end >/dev/null 2>"$tmp/e2.err"
	rc=$?
	check "containers --replay --at of an index at offset 16 is refused, not a crash (exit $rc)" test $rc -lt 124
else
	notok "the index recording could not be written"
fi

if [ -z "$src" ]; then
	skip "escape replay parts 2-3: no recording ($(head -c 200 "$tmp/rec.err"))"; echo "1..$n"; exit 0
fi

# ---- 2. 1000 events records of 250 MiB each, 8 MB of file ----
if mk bomb "$tmp/bomb.nstoprec" "$src" 1000; then
	sz=$(stat -c %s "$tmp/bomb.nstoprec")
	s0=$(date +%s)
	timeout 20 "$NSTOP" events --replay "$tmp/bomb.nstoprec" --json >/dev/null 2>"$tmp/e3.err"
	rc=$? s1=$(date +%s)
	check "events --replay of $sz bytes (1000 events records of 250 MiB) ends within 20 s (exit $rc, $((s1 - s0)) s)" test $rc != 124
else
	notok "the bomb recording could not be written"
fi

# ---- 3. 65000 events of the longest strings: 23 KB of file ----
if [ -x /usr/bin/time ] && mk big "$tmp/big.nstoprec" "$src"; then
	sz=$(stat -c %s "$tmp/big.nstoprec")
	/usr/bin/time -f %M -o "$tmp/rss" timeout 60 "$NSTOP" events --replay "$tmp/big.nstoprec" --json >/dev/null 2>"$tmp/e4.err"
	kb=$(tail -1 "$tmp/rss")
	check "events --replay of $sz bytes (65000 events) peaks under 256 MiB (${kb} KiB)" test "${kb:-0}" -lt 262144
else
	skip "part 3: no /usr/bin/time, or the recording could not be written"
fi

# ---- 4. containers --all of 256 forged exits: bounded work ----
if mk exits "$tmp/ex.nstoprec" "$src" 256; then
	s0=$(date +%s)
	timeout 20 "$NSTOP" containers --replay "$tmp/ex.nstoprec" --all -J >"$tmp/ex.json" 2>"$tmp/ex.err"
	rc=$?
	s1=$(date +%s)
	check "containers --replay --all of 256 forged exits over $(jq -r '.containers | length' "$tmp/ex.json" 2>/dev/null) rows ends within 20 s (exit $rc, $((s1 - s0)) s)" test $rc = 0
	check "... and lists none of the containers that never ran" \
		test -z "$(jq -r '.containers[] | select(.name // "" | startswith("ghost")) | .name' "$tmp/ex.json" 2>/dev/null)"
	sed 's/^/#   /' "$tmp/ex.err" | head -3
else
	notok "escape replay: the forged exits could not be written"
fi

# ---- 5. an unnamed row is no exited container ----
timeout 20 "$NSTOP" containers --replay "$tmp/hist" --all -J >"$tmp/un.json" 2>/dev/null
un=$(jq -r '[.containers[] | select(.runtime == "unnamed" and (.state | test("exit|kill")))] | length' "$tmp/un.json" 2>/dev/null)
if "$NSTOP" events --replay "$tmp/hist" --json 2>/dev/null | grep -q '"container_exit".*"unnamed"'; then
	check "containers --all lists no exited unnamed row (the recorded sleep in its own pid namespace; got ${un:-?})" test "${un:-x}" = 0
else
	skip "escape replay: the recording has no unnamed row's exit (the sleep was not seen)"
fi
echo "1..$n"
