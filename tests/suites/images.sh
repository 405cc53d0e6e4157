#!/bin/bash
# nstop image: an OCI layout the test builds itself from busybox-static (two
# layers: the second deletes a file of the first and replaces a directory
# opaquely) imported as a layout, an OCI archive and a docker-archive,
# listed, run (whiteouts, Cmd, Env, WorkingDir, User as docker applies
# them), refused while used, removed leaving nothing in the store; hostile
# archives each refused with the entry named, the store and / unchanged.
# Everything lives in a private state directory (NSTOP_STATE_DIR).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "images: the store and containers need root"; echo "1..$n"; exit 0
fi
if ! command -v python3 >/dev/null || ! command -v busybox >/dev/null; then
	skip "images: python3 and busybox-static (make deps)"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-images.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
store=$NSTOP_STATE_DIR/.images
L=$tmp/audit.log
names=()
v2root=$(cg_mnt "")
if [ -n "$v2root" ] && grep -qw cpu "$v2root/cgroup.controllers" 2>/dev/null; then
	own2=$(cg_own "")
	par=${NSTOP_TEST_CGROUP:-$v2root${own2%/}}
	parent=${par#"$v2root"}/nstop-images-$$
else
	parent=nstop-images-$$
fi
cleanup() {
	local nm
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	ctr_parent_rm "nstop-images-$$"
	grep -q "$tmp" /proc/self/mountinfo && umount -R "$tmp" 2>/dev/null
	rm -rf "$tmp" "/tmp/nstop-esc-$$"
	cleanup_tmp
}
trap cleanup EXIT
MK=("python3" "$TOP/tests/helpers/mkimage.py")
BB=$(command -v busybox)
# run NAME ARGS...: a container from an image; its output once its command
# exits (a subshell: NAME goes into names before)
run() {
	local nm=$1; shift
	"$NSTOP" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@" >/dev/null 2>"$tmp/err" ||
		{ sed 's/^/#   /' "$tmp/err"; return 1; }
	local p; p=$(jq -r .pid "$NSTOP_STATE_DIR/$nm/state.json")
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	"$NSTOP" logs "$nm" 2>&1
}

"${MK[@]}" layout "$tmp/lay" "$BB" && tar -C "$tmp/lay" -cf "$tmp/lay.tar" . &&
	"${MK[@]}" docker "$tmp/docker.tar" "$BB"
check "the test's images: an OCI layout, its archive, a docker-archive" test -s "$tmp/docker.tar"

# ---- import, list ----
expect_exit 0 "an OCI layout imports" image import "$tmp/lay" --name bb:1
check "... its name, id and two layers reported" grep -qE '^bb:1 [0-9a-f]{12} \(2 layers\)$' /tmp/nstop-out.$$
check "the store is root's, 0700" test "$(stat -c '%U %a' "$store")" = "root 700"
l2=$(jq -r '.manifests[0].digest' "$tmp/lay/index.json" | cut -c8- | xargs -I{} jq -r '.layers[1].digest' "$tmp/lay/blobs/sha256/{}" | cut -c8-)
check "the second layer's whiteout is overlay's (a 0/0 character device)" \
	test "$(stat -c '%F %t %T' "$store/layers/$l2/etc/gone")" = "character special file 0 0"
check "its opaque directory has trusted.overlay.opaque=y" \
	python3 -c "import os,sys; sys.exit(os.getxattr(sys.argv[1], 'trusted.overlay.opaque') != b'y')" "$store/layers/$l2/opq"
check "no .wh. file was written" test -z "$(find "$store/layers" -name '.wh.*')"
expect_exit 0 "its OCI archive imports" image import "$tmp/lay.tar" --name bb:2
check "... sharing the stored layers (2 in the store)" test "$(ls "$store/layers" | wc -l)" = 2
expect_exit 0 "a docker-archive imports under its RepoTags" image import "$tmp/docker.tar"
check "... as dockerish:1" grep -q '^dockerish:1 ' /tmp/nstop-out.$$
if command -v zstd >/dev/null && "${MK[@]}" layout-zstd "$tmp/layz" "$BB"; then
	expect_exit 0 "an OCI layout of zstd layers imports" image import "$tmp/layz" --name bbz:1
	names+=(z1)
	out=$(run z1 --image bbz:1 -- cat /opq/new)
	check "... and runs (got: $out)" test "$out" = upper
	"$NSTOP" rm -f z1 --audit-log "$L" >/dev/null 2>&1
	expect_exit 0 "... and goes" image rm bbz:1
else
	skip "zstd layers: no zstd(1) to make one"
fi
check "image ls lists the three" test "$("$NSTOP" image ls | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" = "bb:1 bb:2 dockerish:1 "
check "image ls --json: names and layer counts" \
	test "$("$NSTOP" image ls --json | jq -r '.[] | "\(.name)=\(.layers)"' | tr '\n' ' ')" = "bb:1=2 bb:2=2 dockerish:1=2 "
check "no import left anything in tmp/" test -z "$(ls -A "$store/tmp")"

# ---- run ----
names+=(i1 i2 i3 i4 i5)
out=$(run i1 --image bb:1)
check "Cmd, Env and WorkingDir of the config apply (got: $out)" test "$out" = "cmd:hello-from-env:/work:0"
out=$(run i2 --image bb:1 -e GREETING=over)
check "-e overrides the image's Env (got: $out)" test "$out" = "cmd:over:/work:0"
out=$(run i3 --image bb:2 -- sh -c 'ls /opq | tr "\n" " "; test -e /etc/gone && echo gone-present || echo gone-absent; cat /etc/kept')
check "the opaque directory holds only the upper layer's, the deleted file is absent (got: $(echo $out))" \
	test "$out" = "$(printf 'new gone-absent\nkept')"
out=$(run i4 --image dockerish:1)
check "a docker-archive's User resolves in the image's /etc/passwd (got: $out)" test "$out" = "cmd:hello-from-env:/work:4242"
names+=(i4g)
out=$(run i4g --image dockerish:1 -- sh -c 'echo $(id -u):$(id -g):$(id -G):$HOME')
check "and its groups (primary, then those /etc/group lists it in) and HOME from there, as docker's (got: $out)" \
	test "$out" = "4242:4343:4343 50 51:/home/app"
"${MK[@]}" docker-opaque-etc "$tmp/dopq.tar" "$BB" && "$NSTOP" image import "$tmp/dopq.tar" --name opq:1 >/dev/null 2>&1
names+=(i4o)
out=$(run i4o --image opq:1 -- sh -c 'echo $(id -G):$(ls /etc | tr "\n" " ")')
check "an /etc made opaque by a higher layer hides the lower /etc/group from User too (got: $out)" \
	test "$out" = "4343:passwd"
"$NSTOP" rm -f i4o --audit-log "$L" >/dev/null 2>&1
expect_exit 0 "... and goes" image rm opq:1
out=$(run i5 --image "$tmp/lay.tar" -- sh -c 'echo $GREETING')
check "--image PATH imports and runs (got: $out)" test "$out" = "hello-from-env"
names+=(i6)
expect_exit 0 "a container that stays" create i6 --image bb:1 --cgroup-parent "$parent" --audit-log "$L" -- sleep 100
p6=$(jq -r .pid "$NSTOP_STATE_DIR/i6/state.json")
check "its root is the image's overlay, mounted nosuid" \
	bash -c "awk '\$5 == \"/\" && / - overlay / && \$6 ~ /(^|,)nosuid(,|$)/' /proc/$p6/mountinfo | grep -q ."
expect_exit 2 "image rm is refused while a container uses the image" image rm bb:1
check "... naming the container" grep -qE 'the container i[0-9] uses it' /tmp/nstop-err.$$
for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
names=()
expect_exit 0 "image rm bb:1 after rm" image rm bb:1
check "... bb:2 keeps the layers they shared" test "$(ls "$store/layers" | wc -l)" = 4
expect_exit 0 "image rm the rest" image rm bb:2 dockerish:1 "$(jq -r '.[].name' <("$NSTOP" image ls --json) | grep '^local/')"
check "nothing left in the store (layers, links, configs, records, tmp)" \
	test -z "$(find "$store" -mindepth 2 ! -name .lock)"
expect_exit 2 "image rm of what is not there" image rm bb:1

# ---- hostile archives: refused, the entry named, nothing changed ----
listing() { find "$store" | sort; ls -a /; sha256sum /etc/passwd; ls -a /tmp | grep -c "^nstop-esc-$$"; }
hostile() { # hostile KIND ENTRY-IN-THE-MESSAGE [import options]
	local k=$1 want=$2; shift 2
	"${MK[@]}" hostile "$tmp/h-$k" "$k" "${HARG:-nstop-esc-$$}" || { notok "make the $k archive"; return; }
	listing >"$tmp/before"
	expect_exit 2 "a layer with $k is refused" image import "$tmp/h-$k" --name "h:$k" "$@"
	check "... the entry named: $(head -c 160 /tmp/nstop-err.$$)" grep -qF -- "$want" /tmp/nstop-err.$$
	listing >"$tmp/after"
	check "... the store and / unchanged" diff "$tmp/before" "$tmp/after"
}
hostile dotdot "entry ../../../tmp/nstop-esc-$$: refused: a \"..\" component"
hostile absolute "entry /tmp/nstop-esc-$$: refused: an absolute path"
hostile symlink "entry lnk/nstop-esc-$$: refused: beneath the layer's symbolic link lnk"
hostile hardlink "entry h: refused: a hard link outside the layer"
hostile device "entry dev/mem: refused: a device node"
hostile digest "digest mismatch"
hostile zeros "entry zeros: refused: the layer unpacks to more than 1073741824 bytes"
HARG=1001 hostile entries "entry f1000: refused: the layer has more than 1000 entries" --max-entries 1000
check "nothing escaped to /tmp" test ! -e "/tmp/nstop-esc-$$"

# ---- docker save's own archive, run under docker and under nstop ----
. "$TOP/tests/lib-docker.sh"
if docker_up; then
	probe='ls /bin | wc -l; busybox | head -1; id -u; pwd; echo $PATH'
	dout=$(dk run --rm --network none "$DOCKER_IMAGE" sh -c "$probe" 2>&1)
	if dk save "$DOCKER_IMAGE" -o "$tmp/saved.tar"; then
		expect_exit 0 "docker save's archive imports" image import "$tmp/saved.tar" --name saved:1
		names+=(s1)
		out=$(run s1 --image saved:1 -- sh -c "$probe")
		check "it runs under nstop with docker's output (docker: $(echo $dout))" test "$out" = "$dout"
		"$NSTOP" rm -f s1 --audit-log "$L" >/dev/null 2>&1
		expect_exit 0 "... and goes" image rm saved:1
	else
		notok "docker save failed"
	fi
	docker_down
else
	skip "docker save: $DOCKER_WHY"
fi

echo "1..$n"
