#!/bin/bash
# Runs the real-kernel suites that are not specific to v1 inside a qemu guest
# booting Debian's kernel with cgroup v2 only (cgroup_no_v1=all). The kernel
# comes from Debian's package (apt-get download + dpkg-deb -x: installing it
# would pull initramfs-tools and udev), cached under $B/vm; the initramfs is
# busybox plus nstop, its test binaries, the suites and the tools they use,
# each with the shared libraries ldd names. Exits with the guest suite's
# status; prints its "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.."
top=$PWD
B=${B:-build}
cache=$top/$B/vm
# what depends on the cgroup version, within the 600 s a TCG guest has:
# the unit tests that touch the kernel (the actions' plans, seccomp), the
# live suites, the dashboard's actions and the escapes. The cli suite, the
# dashboard's views (e2e-tui) and test_collector ran there until they took
# 240 s together; the host runs them (VM_SUITES= brings them back). ports:
# a published port through the v2 kernel, 24 s under TCG
suites=${VM_SUITES:-unit/test_act unit/test_secure live-cgroups live-actions live-create live-oracle live-net live-hostile live-user e2e-actions escape ports}
mkdir -p "$cache"

say() { echo "vm: $*" >&2; }
need() { command -v "$1" >/dev/null || { say "$1 is missing (make deps installs it)"; exit 3; }; }
need qemu-system-x86_64
need busybox
need cpio

# ---- the kernel and the modules the suites need, once ----
# modules are loaded by hand in the guest (it has no /lib/modules): their
# dependencies come from the modules.dep depmod writes for the package
mods="veth overlay"
if [ ! -f "$cache/vmlinuz" ] || [ ! -f "$cache/modules/load.list" ]; then
	depmod=$(command -v depmod || ls /usr/sbin/depmod /sbin/depmod 2>/dev/null | head -1)
	[ -n "$depmod" ] || { say "depmod is missing (make deps installs kmod)"; exit 3; }
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || { say "cannot resolve linux-image-amd64 (apt-get update?)"; exit 3; }
	say "downloading $pkg"
	rm -rf "$cache/deb" "$cache/kroot" "$cache/modules"
	mkdir -p "$cache/deb" "$cache/modules"
	(cd "$cache/deb" && apt-get download "$pkg" >/dev/null 2>&1) || { say "apt-get download $pkg failed"; exit 3; }
	dpkg-deb -x "$cache"/deb/*.deb "$cache/kroot"
	cp "$cache"/kroot/boot/vmlinuz-* "$cache/vmlinuz"
	kver=$(ls "$cache/kroot/lib/modules")
	mdir=$cache/kroot/lib/modules/$kver
	"$depmod" -b "$cache/kroot" "$kver" || { say "depmod failed"; exit 3; }
	# each wanted module after its dependencies, each file once
	order() {
		local m=$1 line f dep
		line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$mdir/modules.dep" | head -1)
		[ -n "$line" ] || { say "module $m not in modules.dep"; return 1; }
		f=${line%%:*}
		for dep in ${line#*:}; do order "$(basename "${dep%%.ko*}")" || return 1; done
		grep -qx "$(basename "$f")" "$cache/modules/load.list" 2>/dev/null && return 0
		cp "$mdir/$f" "$cache/modules/" && basename "$f" >>"$cache/modules/load.list"
	}
	for m in $mods; do order "$m" || exit 3; done
	# the rest (400 MB) is not needed
	rm -rf "$cache/deb" "$cache/kroot"
fi

# ---- the initramfs, every run (nstop changes) ----
stage=$cache/stage
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,proc,sys,dev,tmp,run,etc,root,nstop,usr/bin,usr/share}
cp "$(command -v busybox)" "$stage/bin/busybox"
copy_bin() { # copy_bin PATH: the binary and every library ldd names
	local f=$1
	mkdir -p "$stage$(dirname "$f")"
	cp -L "$f" "$stage$f"
	ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r l; do
		mkdir -p "$stage$(dirname "$l")"
		[ -f "$stage$l" ] || cp -L "$l" "$stage$l"
	done
}
for t in bash jq tmux lsns unshare nsenter setpriv iconv pgrep mandoc ip comm diff strace setsid script stty; do
	p=$(command -v $t) && copy_bin "$p"
done
ln -sf /usr/bin/bash "$stage/bin/bash" 2>/dev/null
[ -f "$stage/bin/bash" ] || cp -L "$(command -v bash)" "$stage/bin/bash"
mkdir -p "$stage/usr/share/terminfo/x"
cp /usr/share/terminfo/x/xterm-256color /usr/share/terminfo/x/xterm "$stage/usr/share/terminfo/x/" 2>/dev/null ||
	cp /lib/terminfo/x/xterm* "$stage/usr/share/terminfo/x/" 2>/dev/null
mkdir -p "$stage/usr/lib/locale"
cp -R /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/" 2>/dev/null
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
# nstop, its test binaries and the suites
mkdir -p "$stage/nstop/$B/tests"
copy_bin "$top/$B/nstop"
cp "$top/$B/nstop" "$stage/nstop/$B/nstop"
for f in "$top/$B"/tests/*; do
	case $f in *.d|*.o) continue ;; esac
	[ -x "$f" ] && [ -f "$f" ] && copy_bin "$f" && cp "$f" "$stage/nstop/$B/tests/"
done
cp -R "$top/tests" "$top/man" "$stage/nstop/"
mkdir -p "$stage/lib/nstop-modules"
cp "$cache"/modules/* "$stage/lib/nstop-modules/"
rm -rf "$stage/nstop/tests/vm"

cat >"$stage/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
# pivot_root (containers) does not work from the initial rootfs: the same
# files on a tmpfs first
if [ "\$1" != stage2 ]; then
	mkdir /newroot
	mount -t tmpfs -o size=80% root /newroot
	cp -a \$(ls -A / | grep -v -x -e proc -e sys -e dev -e newroot | sed 's:^:/:') /newroot/
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	exec switch_root /newroot /init stage2
fi
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mkdir -p /sys/fs/cgroup
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
for m in \$(cat /lib/nstop-modules/load.list); do insmod /lib/nstop-modules/\$m || echo "vm: insmod \$m failed"; done
ip link set lo up
hostname nstop-vm
echo "vm: cgroup controllers: \$(cat /sys/fs/cgroup/cgroup.controllers)"
# as on a delegated host: the runner in a leaf of its own, and a cgroup
# with the controllers handed down for the tests to create theirs in
cg=/sys/fs/cgroup
echo "+cpu +memory +pids +io" > \$cg/cgroup.subtree_control
mkdir -p \$cg/tests/runner \$cg/tests/work
echo \$\$ > \$cg/tests/runner/cgroup.procs
echo "+cpu +memory +pids +io" > \$cg/tests/cgroup.subtree_control
echo "+cpu +memory +pids +io" > \$cg/tests/work/cgroup.subtree_control
export NSTOP_TEST_CGROUP=\$cg/tests/work
# suites that repeat a race many times on the host repeat it fewer times
# under TCG, where each try costs ten times as much
export NSTOP_IN_VM=1
cd /nstop
VERBOSE=1 B=$B NSTOP=/nstop/$B/nstop HOME=/root TERM=xterm-256color bash tests/run.sh $suites 2>&1
rc=\$?
# a short recording for the host to replay (a recording's format does not
# depend on the host it is read on): 3 s at 0.2 s of this guest, a cgroup
# of its own with a sleep that exits in it; base64 on the console
mkdir -p /tmp/vmrec \$cg/tests/work/vmrec
: >/tmp/vmrec.audit
chmod 600 /tmp/vmrec.audit
/nstop/$B/nstop --no-config record -d 0.2 --duration 3 -o /tmp/vmrec --audit-log /tmp/vmrec.audit 2>&1 &
recpid=\$!
sleep 0.8
sh -c "echo \\\$\\\$ >\$cg/tests/work/vmrec/cgroup.procs; exec sleep 1"
wait \$recpid
rmdir \$cg/tests/work/vmrec
echo "vm: recording begin"
cat /tmp/vmrec/*.nstoprec | base64
echo "vm: recording end"
echo "vm: exit \$rc"
poweroff -f
INIT
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$cache/initrd.gz"

# ---- KVM where it really works: tried once, the answer cached ----
# (/dev/kvm may exist and still not run this kernel: here it hangs at boot)
accel=${VM_ACCEL:-}
if [ -z "$accel" ] && [ -f "$cache/accel" ]; then
	accel=$(cat "$cache/accel")
fi
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ]; then
		probe=$cache/probe
		rm -rf "$probe"
		mkdir -p "$probe/bin"
		cp "$(command -v busybox)" "$probe/bin/busybox"
		printf '#!/bin/busybox sh\n/bin/busybox echo nstop-kvm-ok\n/bin/busybox poweroff -f\n' >"$probe/init"
		chmod +x "$probe/init"
		(cd "$probe" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$cache/probe.gz"
		say "trying KVM once (${VM_KVM_PROBE:-15} s at most)"
		timeout "${VM_KVM_PROBE:-15}" qemu-system-x86_64 -machine q35 -accel kvm -cpu host -smp 1 -m 256 \
			-nographic -no-reboot -kernel "$cache/vmlinuz" -initrd "$cache/probe.gz" \
			-append "console=ttyS0 panic=-1 quiet" </dev/null >"$cache/probe.log" 2>&1
		grep -aq nstop-kvm-ok "$cache/probe.log" && accel=kvm
		rm -rf "$probe" "$cache/probe.gz"
	fi
	echo "$accel" >"$cache/accel"
fi
if [ "$accel" = kvm ]; then
	qaccel=(-accel kvm -cpu host)
else
	qaccel=(-accel tcg -cpu max)
fi

# ---- boot ----
say "booting ($accel), suites: $suites"
log=$cache/console.log
: >"$log"
# two clocks: the boot (the guest's first line must come within
# VM_BOOT_TIMEOUT) and the whole run (VM_TIMEOUT)
timeout "${VM_TIMEOUT:-600}" qemu-system-x86_64 -machine q35 "${qaccel[@]}" -smp 2 -m 1024 \
	-nographic -no-reboot -kernel "$cache/vmlinuz" -initrd "$cache/initrd.gz" \
	-append "console=ttyS0 cgroup_no_v1=all panic=-1 quiet cryptomgr.notests loglevel=3" \
	</dev/null >"$log" 2>&1 &
qpid=$!
(
	for _ in $(seq "${VM_BOOT_TIMEOUT:-90}"); do
		grep -aq 'vm: cgroup controllers' "$log" 2>/dev/null && exit 0
		kill -0 "$qpid" 2>/dev/null || exit 0
		sleep 1
	done
	echo "vm: no sign of life from the guest within ${VM_BOOT_TIMEOUT:-90} s: stopping it" >&2
	kill "$qpid" 2>/dev/null
) &
wdog=$!
tail -n +1 -f "$log" --pid="$qpid" | grep -v '^\s*$' | sed -u 's/\r$//'
wait "$qpid"
kill "$wdog" 2>/dev/null
wait "$wdog" 2>/dev/null
rc=$(sed -n 's/^vm: exit \([0-9]*\).*/\1/p' "$log" | tail -1)
if [ -z "$rc" ]; then
	say "the guest did not finish (timeout or crash); see $log"
	exit 1
fi
exit "$rc"
