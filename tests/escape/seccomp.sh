#!/bin/bash
# Attacks on the kernel from inside a default container, stopped by its
# seccomp filter (src/act/secure.c): a static probe (tests/helpers/sysprobe)
# makes each dangerous syscall with harmless arguments, as the container's
# own command and again through nstop enter, and each must give EPERM (the
# kernel would mostly answer something else: EBADF, ESRCH, success); a
# syscall the filter does not know gives ENOSYS; a syscall through the x32
# or i386 ABI kills the process; TIOCSTI and TIOCLINUX are refused on a pty
# the probe owns, with the high half of the command set too; and what
# ordinary programs do (fork, exec, sockets, getdents, statx, a shell,
# coreutils, python, getaddrinfo, ping) still works. The probe sits under
# /usr/local, which the default container shows; a trap removes it, the
# containers and their cgroups.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! need_root; then
	skip "seccomp: containers need root"; echo "1..$n"; exit 0
fi
probe=$TOP/$B/tests/sysprobe
if [ ! -x "$probe" ]; then
	notok "seccomp: $probe is not built (make $B/tests/sysprobe)"; echo "1..$n"; exit 1
fi
tmp=$(mktemp -d /tmp/nstop-esc-seccomp.XXXXXX)
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
pdir=/usr/local/lib/nstop-escape-$$
made=() # the directories of $pdir's path that mkdir -p makes, outermost first
d=$pdir
while [ ! -e "$d" ]; do made=("$d" "${made[@]}"); d=${d%/*}; done
names=()
parent=$(ctr_parent nstop-esc-sc-$$)
cleanup() {
	local nm m d i
	for nm in "${names[@]}"; do
		"$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1
	done
	ctr_parent_rm "nstop-esc-sc-$$"
	rm -rf "$pdir" "$tmp"
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do rmdir "${made[i]}" 2>/dev/null; done
	cleanup_tmp
}
trap cleanup EXIT
mkdir -p "$pdir" && cp "$probe" "$pdir/sysprobe" || { notok "placing the probe in $pdir"; echo "1..$n"; exit 1; }

mk() { # mk NAME ARGS...: a default container, remembered for the cleanup
	local nm=$1; shift
	names+=("$nm")
	"$NSTOP" create "$nm" --cgroup-parent "$parent" --audit-log "$L" "$@" >/dev/null 2>"$tmp/err"
	local rc=$?
	[ $rc = 0 ] || sed 's/^/#   /' "$tmp/err"
	return $rc
}

# the probe under a container's own command (which stays: a command that
# is gone before create has read its start time makes create fail); its
# lines land in the log
c1=sc-run-$$
if mk "$c1" -- sh -c "$pdir/sysprobe; exec sleep 1000"; then ok "create a default container running the probe"; else
	notok "create a default container running the probe"; echo "1..$n"; exit 1; fi
for _ in $(seq 100); do
	"$NSTOP" logs "$c1" >"$tmp/run.out" 2>/dev/null
	grep -qx end "$tmp/run.out" && break
	sleep 0.1
done
check "the probe ran to its end inside" grep -qx end "$tmp/run.out"

# the same probe through nstop enter, which applies the same filter
c2=sc-sh-$$
check "create a default container to enter" mk "$c2" -- sleep 1000
"$NSTOP" enter "$c2" --audit-log "$L" -- "$pdir/sysprobe" >"$tmp/enter.out" 2>&1 </dev/null
check "the probe ran to its end through nstop enter" grep -qx end "$tmp/enter.out"

# the probe's answers by name, read without a process per check (the v2
# guest runs under emulation, where each fork counts)
declare -A run_a enter_a
load() { # load ARRAY FILE: "NAME ANSWER" lines; NAME may hold spaces
	local -n arr=$1
	local l k
	while IFS= read -r l; do
		for k in "${all[@]}"; do
			[[ $l == "$k "* ]] && { arr[$k]=${l#"$k "}; break; }
		done
	done <"$2"
}

refused=(io_uring_setup io_uring_enter io_uring_register keyctl add_key request_key bpf
	perf_event_open userfaultfd kexec_load kexec_file_load name_to_handle_at
	open_by_handle_at mount umount2 fsopen open_tree move_mount mount_setattr pivot_root
	setns "unshare CLONE_NEWUSER" "unshare CLONE_NEWNS" "clone CLONE_NEWUSER"
	"clone CLONE_NEWNS" "clone CLONE_NEWNET" ptrace process_vm_readv process_vm_writev kcmp
	"personality ADDR_NO_RANDOMIZE" "personality READ_IMPLIES_EXEC" syslog acct reboot
	init_module swapoff settimeofday clock_settime adjtimex get_mempolicy iopl
	"ioctl TIOCSTI" "ioctl TIOCSTI|1<<32"
	"ioctl TIOCSTI|0xffffffff<<32" "ioctl TIOCLINUX" "ioctl TIOCLINUX|1<<32")
# families outside the allowlist answer as a kernel without them would
# (vsock and XDP work on this host outside a container)
nofamily=("socket AF_VSOCK" "socket AF_VSOCK|1<<32" "socket AF_XDP")
enosys=("syscall 1000" clone3)
killed=("x32 getpid" "i386 getpid")
works=("open /dev/ptmx" "open the pty" "ioctl TCGETS" "ioctl TIOCGWINSZ" "ioctl FIONREAD" fork
	exec "socket AF_INET" "socket AF_INET6" "socket AF_UNIX" "socket AF_NETLINK"
	"socket ICMP raw" socketpair getdents64 statx faccessat2 openat2 memfd_create eventfd2
	epoll_create1 mmap mprotect getrandom "personality query" "personality PER_LINUX"
	"prctl PR_SET_NAME" chroot)

all=("${refused[@]}" "${nofamily[@]}" "${enosys[@]}" "${killed[@]}" "${works[@]}")
load run_a "$tmp/run.out"
load enter_a "$tmp/enter.out"

# one line per attack from the container's command
for k in "${refused[@]}"; do
	a=${run_a[$k]:-}
	check "$k is refused with EPERM (${a:-no answer})" test "$a" = EPERM
done
for k in "${nofamily[@]}"; do
	a=${run_a[$k]:-}
	check "$k is refused with EAFNOSUPPORT (${a:-no answer})" test "$a" = EAFNOSUPPORT
done
for k in "${enosys[@]}"; do
	a=${run_a[$k]:-}
	check "$k gives ENOSYS (${a:-no answer})" test "$a" = ENOSYS
done
for k in "${killed[@]}"; do
	a=${run_a[$k]:-}
	if [ "$k" = "i386 getpid" ] && [ "$a" = "killed SIGSEGV" ]; then
		skip "$k: this kernel has no i386 emulation (int 0x80 faults before seccomp)"; continue
	fi
	check "$k kills the process (${a:-no answer})" test "$a" = "killed SIGSYS"
done
for k in "${works[@]}"; do
	a=${run_a[$k]:-}
	check "$k works (${a:-no answer})" test "$a" = ok
done

# the same, grouped, through enter
bad=
for k in "${refused[@]}"; do [ "${enter_a[$k]:-}" = EPERM ] || bad+="$k=${enter_a[$k]:-}; "; done
check "enter: all ${#refused[@]} attacks refused with EPERM${bad:+ (not: $bad)}" test -z "$bad"
bad=
for k in "${nofamily[@]}"; do [ "${enter_a[$k]:-}" = EAFNOSUPPORT ] || bad+="$k; "; done
for k in "${enosys[@]}"; do [ "${enter_a[$k]:-}" = ENOSYS ] || bad+="$k; "; done
for k in "${killed[@]}"; do case ${enter_a[$k]:-} in "killed SIGSYS" | "killed SIGSEGV") ;; *) bad+="$k; " ;; esac; done
for k in "${works[@]}"; do [ "${enter_a[$k]:-}" = ok ] || bad+="$k=${enter_a[$k]:-}; "; done
check "enter: other socket families, ENOSYS, foreign ABIs killed, ordinary calls work${bad:+ (not: $bad)}" test -z "$bad"

# ordinary programs in the default container
inside() { "$NSTOP" enter "$c2" --audit-log "$L" -- "$@" 2>&1 </dev/null; }
check "/bin/sh (dash on Debian) runs a pipeline" test "$(inside sh -c 'echo a b c | wc -w')" = 3
check "bash runs, with a subshell and a coprocess" \
	test "$(inside bash -c 'coproc { echo x; }; read -r y <&"${COPROC[0]}"; echo $y$(echo z)')" = xz
check "coreutils: ls, sort, stat, cp, mv, rm, date" test "$(inside sh -c \
	'ls /usr/bin | sort | head -1 >/tmp/a && cp /tmp/a /tmp/b && mv /tmp/b /tmp/c && stat -c %s /tmp/c >/dev/null && rm /tmp/a /tmp/c && date +%Y >/dev/null && echo done')" = done
check "busybox sh and applets: ps, ls, find, sed" test "$(inside busybox sh -c \
	'busybox ps >/dev/null && busybox ls / >/dev/null && busybox find /usr/lib -maxdepth 1 >/dev/null && echo ok | busybox sed s/ok/fine/')" = fine
if inside test -x /usr/bin/python3 >/dev/null; then
	check "python3 starts threads, a subprocess and a socket" test "$(inside /usr/bin/python3 -c '
import socket, subprocess, threading
t = threading.Thread(target=lambda: None); t.start(); t.join()
s = socket.socket(); s.close()
print(subprocess.run(["echo", "py"], capture_output=True, text=True).stdout.strip())')" = py
else
	skip "python3 is not in the container"
fi
if inside sh -c 'command -v getent' >/dev/null; then
	check "getaddrinfo resolves localhost (getent)" bash -c "'$NSTOP' enter '$c2' --audit-log '$L' -- getent ahosts localhost </dev/null | grep -q 127.0.0.1"
else
	skip "getent is not in the container"
fi
check "busybox ping 127.0.0.1 (a raw ICMP socket, CAP_NET_RAW)" \
	bash -c "'$NSTOP' enter '$c2' --audit-log '$L' -- busybox ping -c 1 -W 2 127.0.0.1 </dev/null >/dev/null"
echo "1..$n"
