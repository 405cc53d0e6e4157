// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A container's privileges, at least as strict as Docker's defaults: the
 * capability bounding set cut to Docker's 14, inheritable and ambient sets
 * cleared (a capability left inheritable survives exec), no_new_privs, and a
 * libseccomp filter that allows what Docker's default profile allows and
 * refuses the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "act.h"

static const int docker_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
	CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static bool kept(int cap)
{
	for (size_t i = 0; i < ARRAY_LEN(docker_caps); i++)
		if (docker_caps[i] == cap)
			return true;
	return false;
}

static int last_cap(void)
{
	char s[16];
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	int last = 40;
	if (fd >= 0) {
		ssize_t n = read(fd, s, sizeof(s) - 1);
		if (n > 0) {
			s[n] = '\0';
			last = atoi(s);
		}
		close(fd);
	}
	return last > 0 && last < 64 ? last : 40;
}

/* Called before the mounts are gone: reads cap_last_cap while /proc is there. */
int secure_caps(struct nerr *e)
{
	int last = last_cap();
	/* the bounding set first: dropping needs CAP_SETPCAP, kept until capset */
	for (int c = 0; c <= last; c++) {
		if (kept(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			nerr_set(e, -errno, "dropping capability %d from the bounding set: %s", c,
				 strerror(errno));
			return -1;
		}
	}
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0) {
		nerr_set(e, -errno, "capget: %s", strerror(errno));
		return -1;
	}
	uint32_t keep[2] = {0, 0};
	for (size_t i = 0; i < ARRAY_LEN(docker_caps); i++)
		keep[docker_caps[i] / 32] |= 1u << (docker_caps[i] % 32);
	for (int i = 0; i < 2; i++) {
		d[i].effective &= keep[i];
		d[i].permitted &= keep[i];
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0) {
		nerr_set(e, -errno, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		nerr_set(e, -errno, "clearing ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		nerr_set(e, -errno, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The seccomp filter: deny by default, with Docker's default profile
 * (moby/profiles seccomp/default.json) as the reference.
 *
 * Every syscall falls in one of four classes:
 * - allowed: Docker's default allow set for a container without
 *   CAP_SYS_ADMIN, less adjtimex, clock_adjtime and name_to_handle_at
 *   (Docker allows their harmless forms; nothing a container runs needs them)
 *   and less ptrace and process_vm_* (Docker allows them since 4.8; here a
 *   container cannot trace: strace and gdb need --privileged), plus chroot,
 *   whose CAP_SYS_CHROOT a container keeps;
 * - refused with EPERM: the known-dangerous ones, each named below;
 * - decided by their arguments: clone, ioctl, personality, socket (see
 *   the rules), and clone3, whose flags are in memory a filter cannot read:
 *   it gets ENOSYS, so libc falls back to clone, as runc does;
 * - everything else returns ENOSYS: a syscall newer than this list and
 *   than libseccomp (which maps the names to numbers) looks like one the
 *   kernel lacks, so programs take their fallbacks (glibc's for faccessat2,
 *   fchmodat2, clone3) instead of failing on an EPERM they do not expect.
 * A name libseccomp does not know is skipped, and the syscall lands in the
 * last class: still refused, only with ENOSYS. tests/unit/test_secure.c
 * checks that every syscall libseccomp knows here is in one of the lists.
 */
static const char *const allowed[] = {
	"accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "cachestat",
	"capget", "capset", "chdir", "chmod", "chown", "chown32", "chroot", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range",
	"creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
	"eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
	"faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir",
	"fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
	"fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
	"ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
	"futex_waitv", "futex_wake", "futimesat", "get_robust_list", "get_thread_area",
	"getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid",
	"geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
	"getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
	"getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
	"getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32",
	"getxattr", "getxattrat", "inotify_add_watch", "inotify_init", "inotify_init1",
	"inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
	"io_pgetevents_time64", "io_setup", "io_submit", "ioprio_get", "ioprio_set", "ipc",
	"kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
	"lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listmount",
	"listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr", "lseek",
	"lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier",
	"memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat",
	"mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl",
	"msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep",
	"newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
	"pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect",
	"poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
	"process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2",
	"read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
	"recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "removexattrat",
	"rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
	"sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
	"sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
	"semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
	"sendmsg", "sendto", "set_robust_list", "set_thread_area", "set_tid_address",
	"setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
	"setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
	"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
	"setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "setxattrat",
	"shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
	"signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
	"stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
	"truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	"uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
	"wait4", "waitid", "waitpid", "write", "writev",
};

static const char *const refused[] = {
	/* mounts and namespaces: a new view of the host's files, or another's */
	"mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "open_tree_attr",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "setns", "unshare",
	"sethostname", "setdomainname",
	/* the kernel itself: modules, kexec, reboot, swap, accounting, clocks */
	"init_module", "finit_module", "delete_module", "create_module", "get_kernel_syms",
	"query_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct",
	"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime",
	"clock_adjtime64", "syslog", "vhangup", "iopl", "ioperm", "quotactl", "quotactl_fd",
	/* wide attack surface, and what a container's processes have no use for */
	"bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "keyctl", "add_key", "request_key", "fanotify_init",
	"lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules",
	/* other processes' memory and descriptors */
	"ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
	"pidfd_getfd",
	/* files by handle, past every path check (the shocker exploit) */
	"open_by_handle_at", "name_to_handle_at",
	/* NUMA placement (CAP_SYS_NICE in Docker's profile) */
	"get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "move_pages",
	"migrate_pages",
	/* obsolete or unimplemented */
	"lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "vm86",
	"vm86old", "afs_syscall", "tuxcall", "security", "getpmsg", "putpmsg", "vserver",
};

/* decided by their arguments in secure_seccomp */
static const char *const by_args[] = {"clone", "clone3", "ioctl", "personality", "socket"};

const char *const *secure_syscalls(enum secure_class c, size_t *n)
{
	switch (c) {
	case SECURE_ALLOWED:
		*n = ARRAY_LEN(allowed);
		return allowed;
	case SECURE_REFUSED:
		*n = ARRAY_LEN(refused);
		return refused;
	case SECURE_BY_ARGS:
		*n = ARRAY_LEN(by_args);
		return by_args;
	}
	*n = 0;
	return NULL;
}

static int add_names(scmp_filter_ctx ctx, uint32_t act, const char *const *names, size_t n,
		     struct nerr *e)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		/* unknown to libseccomp (newer than it: left to the ENOSYS
		 * default), or another architecture's (a negative pseudo
		 * number, matched by no real syscall here) */
		if (nr < 0)
			continue;
		int r = seccomp_rule_add(ctx, act, nr, 0);
		if (r < 0) {
			nerr_set(e, r, "seccomp: the rule for %s: %s", names[i], strerror(-r));
			return r;
		}
	}
	return 0;
}

/*
 * IN for the values of argument ARG whose low 32 bits are in SET, OUT for
 * every other value. libseccomp cannot say "otherwise" (an
 * unconditional rule overrides the conditional ones of its syscall, and a
 * rule may compare an argument once), so the 2^32 values are cut into
 * aligned blocks, one masked compare each, no two overlapping: the order
 * libseccomp evaluates them in never matters. Only the low half counts
 * because the kernel reads these arguments as 32-bit ints: an ioctl
 * command with high bits set is that command (CVE-2019-10063), so an
 * unmasked compare would let it through.
 */
static int split32(scmp_filter_ctx ctx, int nr, unsigned arg, const uint32_t *set, size_t n,
		   uint32_t in, uint32_t out, uint64_t start, unsigned bits)
{
	uint64_t end = start + (1ull << bits);
	size_t hits = 0;
	for (size_t i = 0; i < n; i++)
		hits += set[i] >= start && set[i] < end;
	if (hits == 0 || (bits == 0 && hits == 1)) {
		scmp_datum_t mask = 0xffffffffull & ~((1ull << bits) - 1);
		return seccomp_rule_add(ctx, hits ? in : out, nr, 1,
					SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, start));
	}
	int r = split32(ctx, nr, arg, set, n, in, out, start, bits - 1);
	return r < 0 ? r : split32(ctx, nr, arg, set, n, in, out, start + (1ull << (bits - 1)),
				   bits - 1);
}

/* namespace flags of clone: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
 * NEWPID, NEWNET (CLONE_NEWTIME's bit is part of the exit signal there) */
static const uint64_t clone_ns[] = {CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
				    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};

static int add_by_args(scmp_filter_ctx ctx)
{
	/* clone without namespace flags; one refusal per flag (rules of one
	 * action may overlap) */
	uint64_t ns = 0;
	for (size_t i = 0; i < ARRAY_LEN(clone_ns); i++)
		ns |= clone_ns[i];
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				 SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0));
	for (size_t i = 0; i < ARRAY_LEN(clone_ns) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns[i], clone_ns[i]));
	/* clone3 has no rule: its flags are in memory, so it takes the
	 * default, ENOSYS, and libc falls back to clone (libseccomp refuses
	 * a rule with the default's action).
	 * ioctl: all but typing into a terminal's input queue and the
	 * console's paste buffer, keystrokes that would run in the shell of
	 * whoever owns the terminal (the operator's, if it leaked in) */
	static const uint32_t tty_in[] = {TIOCSTI, TIOCLINUX};
	if (r == 0)
		r = split32(ctx, SCMP_SYS(ioctl), 1, tty_in, ARRAY_LEN(tty_in), SCMP_ACT_ERRNO(EPERM),
			    SCMP_ACT_ALLOW, 0, 32);
	/* Docker's safe personalities: Linux, its 32-bit flavour, UNAME26,
	 * and the query; not ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ... */
	static const uint32_t persona[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
	if (r == 0)
		r = split32(ctx, SCMP_SYS(personality), 0, persona, ARRAY_LEN(persona),
			    SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(EPERM), 0, 32);
	/* sockets of the families a container's programs use and no other:
	 * unix, IPv4, IPv6, netlink and packet (ping, DHCP clients). Any
	 * other family reaches protocol code few hosts exercise and, on a
	 * stock kernel, loads its module on demand (vsock leads to the
	 * hypervisor, AF_ALG to the crypto API); it gets EAFNOSUPPORT, the
	 * answer of a kernel without it, so programs take their fallbacks */
	static const uint32_t families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET};
	if (r == 0)
		r = split32(ctx, SCMP_SYS(socket), 0, families, ARRAY_LEN(families),
			    SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(EAFNOSUPPORT), 0, 32);
	return r;
}

/*
 * Only the native ABI (x86_64 here) is in the filter. A syscall through
 * another one (i386's int 0x80, x32's numbers with bit 30 set) kills the
 * whole process: a 64-bit container has no 32-bit program the allowlist
 * was written for, and those entry points number syscalls differently, the
 * classic way around a filter; ENOSYS would leave a 32-bit program running
 * half broken, and killing only the thread would leave the rest of the
 * process behind.
 */
int secure_seccomp(struct nerr *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (!ctx) {
		nerr_set(e, -ENOMEM, "seccomp_init failed");
		return -1;
	}
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		nerr_set(e, r, "seccomp: the action for other ABIs: %s", strerror(-r));
	/* a binary tree of syscall numbers instead of ~400 compares in a row;
	 * a libseccomp older than 2.5 lacks it, and the filter is only slower */
	if (r == 0)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = add_names(ctx, SCMP_ACT_ALLOW, allowed, ARRAY_LEN(allowed), e);
	if (r == 0)
		r = add_names(ctx, SCMP_ACT_ERRNO(EPERM), refused, ARRAY_LEN(refused), e);
	if (r == 0 && (r = add_by_args(ctx)) < 0)
		nerr_set(e, r, "seccomp: the argument rules: %s", strerror(-r));
	if (r == 0 && (r = seccomp_load(ctx)) < 0)
		nerr_set(e, r, "seccomp: loading the filter: %s", strerror(-r));
	seccomp_release(ctx);
	return r < 0 ? -1 : 0;
}

/* A container's command starts as a fresh process would: every signal at its
 * default and none blocked, whatever nstop's caller ignored or blocked (a
 * SIGPIPE or SIGQUIT ignored by the launcher is not the container's). */
void secure_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &dfl, NULL) < 0 && errno == EINVAL) {
			/* glibc keeps 32 and 33 for itself and refuses them, but an
			 * ignored one would stay ignored across the exec (seen
			 * under ASan): the kernel's own call, its 8-byte mask */
			struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; }
				k = {SIG_DFL, 0, NULL, 0};
			syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
		}
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
