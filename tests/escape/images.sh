#!/bin/bash
# Attack part (root): hostile images (review atk-i20). (1) An image whose
# /dev is a symbolic link to "/": create --image mounts the container's
# /dev tmpfs through the link before pivot_root, then makes dev/null,
# dev/pts, dev/shm, dev/fd ... by relative paths from the overlay's root:
# the link jumps to the process's root, a lookup that never steps into
# the tmpfs mounted over it, so the entries land in the HOST's / (files,
# directories, symlinks of root's on the host's root filesystem). So
# does a magic link to it (/proc/self/root) and a relative link climbing
# past the overlay (../..: .. of the root stays at the root). (2) image rm
# racing create --image: create resolves the image under the store's
# shared lock, lets it go, and records the image in its state only later;
# an image rm in between finds no container using it and collects its
# layers, so the overlay create is mounting has lost its lower
# directories (create fails at the mount; a later rm removes the layers
# of a container that has them mounted): "refused while used" has a hole.
# (3) --image NAME with a "/" (library/app:1, the usual spelling) is taken
# as a PATH when one exists relative to the cwd: run from a directory a
# user can write (/tmp), create imports and runs the user's layout there
# instead of the stored image of that name.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "escape images: the store and containers need root"; echo "1..$n"; exit 0
fi
if ! command -v python3 >/dev/null || ! command -v busybox >/dev/null; then
	skip "escape images: python3 and busybox-static (make deps)"; echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-escimg.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
parent=$(ctr_parent nstop-escimg-$$)
names=() made=()
devnames=(null zero full random urandom tty pts ptmx shm fd stdin stdout stderr)
cleanup() {
	local nm f
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	ctr_parent_rm "nstop-escimg-$$"
	# only what this test saw appear in / (it did not exist before)
	for f in "${made[@]}"; do
		if [ -L "/$f" ] || [ -f "/$f" ]; then rm -f "/$f"; elif [ -d "/$f" ]; then rmdir "/$f"; fi
	done
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# mk KIND OUT: a one-layer OCI layout of busybox plus the hostile entries
mk() {
	python3 - "$TOP/tests/helpers" "$(command -v busybox)" "$1" "$2" <<'EOF'
import sys, tarfile
sys.path.insert(0, sys.argv[1])
import mkimage as M
bb = open(sys.argv[2], "rb").read()
kind, out = sys.argv[3], sys.argv[4]
l = [M.ent("bin", tarfile.DIRTYPE, mode=0o755), M.ent("bin/busybox", data=bb, mode=0o755)]
for a in ["sh", "true"]:
    l.append(M.ent("bin/" + a, tarfile.SYMTYPE, link="busybox"))
cfg = {"Env": ["PATH=/bin"], "Cmd": ["true"]}
if kind == "devroot":
    l.append(M.ent("dev", tarfile.SYMTYPE, link="/"))
elif kind == "devmagic":
    l.append(M.ent("dev", tarfile.SYMTYPE, link="/proc/self/root"))
elif kind == "race":
    cfg = {"Env": ["PATH=/bin"], "Cmd": ["true"]}
    l.append(M.ent("racemark", data=b"a layer of this image alone"))
elif kind == "devdots":
    l.append(M.ent("dev", tarfile.SYMTYPE, link="../../../../../../../../../../../.."))
M.layout(out, [M.tar_of(l)], config=cfg)
EOF
}

# ---- (1) an image's /dev -> / (or a magic link to it): create writes the host's / ----
for kind in devroot devmagic devdots; do
	pre=()
	for f in "${devnames[@]}"; do { [ -e "/$f" ] || [ -L "/$f" ]; } && pre+=("$f"); done
	if ! mk "$kind" "$tmp/$kind"; then
		skip "$kind: the image could not be made"; continue
	fi
	expect_exit 0 "$kind: the image imports (its /dev link stays inside the layer)" \
		image import "$tmp/$kind" --name "escimg-$kind:1"
	names+=("ei$kind$$")
	"$NSTOP" create "ei$kind$$" --image "escimg-$kind:1" --cgroup-parent "$parent" --audit-log "$L" >/dev/null 2>&1
	sleep 1
	new=()
	for f in "${devnames[@]}"; do
		[[ " ${pre[*]} " == *" $f "* ]] && continue
		if [ -e "/$f" ] || [ -L "/$f" ]; then new+=("$f"); made+=("$f"); fi
	done
	check "$kind: create --image makes nothing in the host's / (made: ${new[*]:-none})" test "${#new[@]}" -eq 0
	"$NSTOP" rm -f "ei$kind$$" --audit-log "$L" >/dev/null 2>&1
	# the next kind starts from the host's / as it was
	for f in "${new[@]}"; do
		if [ -L "/$f" ] || [ -f "/$f" ]; then rm -f "/$f"; elif [ -d "/$f" ]; then rmdir "/$f"; fi
	done
done

# ---- (2) image rm between create's lookup and its record ----
if mk race "$tmp/race"; then
	lost=0 tries=0
	for i in 1 2 3 4 5 6 7 8; do
		"$NSTOP" image import "$tmp/race" --name escimg-race:1 >/dev/null 2>&1 || continue
		names+=("eir$i$$")
		"$NSTOP" create "eir$i$$" --image escimg-race:1 --cgroup-parent "$parent" --audit-log "$L" >/dev/null 2>"$tmp/cerr" &
		cp=$!
		for _ in $(seq 30); do "$NSTOP" image rm escimg-race:1 >/dev/null 2>&1 && break; done
		wait "$cp"
		tries=$((tries + 1))
		grep -q "mount overlay" "$tmp/cerr" && lost=$((lost + 1))
		"$NSTOP" rm -f "eir$i$$" --audit-log "$L" >/dev/null 2>&1
	done
	check "image rm never takes the layers of an image create has resolved ($lost of $tries creates lost them)" test "$lost" -eq 0
else
	skip "race: the image could not be made"
fi

# ---- (3) a stored name with a "/" shadowed by a path in the cwd ----
if mk race "$tmp/theirs" && mk plain "$tmp/ours"; then
	"$NSTOP" image import "$tmp/ours" --name escimg/app:1 >/dev/null 2>&1
	mkdir -p "$tmp/cwd/escimg" && cp -a "$tmp/theirs" "$tmp/cwd/escimg/app:1" && chown -R nobody "$tmp/cwd"
	names+=("eis$$")
	(cd "$tmp/cwd" && "$NSTOP" create "eis$$" --image escimg/app:1 --cgroup-parent "$parent" --audit-log "$L" >/dev/null 2>&1)
	got=$(jq -r .image "$NSTOP_STATE_DIR/eis$$/state.json" 2>/dev/null)
	check "create --image escimg/app:1 runs the stored image, not ./escimg/app:1 a user put in the cwd (ran: ${got:-none})" \
		test "$got" = escimg/app:1
	"$NSTOP" rm -f "eis$$" --audit-log "$L" >/dev/null 2>&1
else
	skip "shadow: the images could not be made"
fi
echo "1..$n"
