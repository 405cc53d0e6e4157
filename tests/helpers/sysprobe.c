// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper (static, run inside a container): makes the syscalls a
 * container's seccomp filter must refuse, and ones ordinary programs need,
 * and prints one line per attempt: "NAME ok", "NAME ERRNO-NAME" or, when
 * the child making it was killed, "NAME killed SIGNAME". Every attempt is
 * harmless when it succeeds: an io_uring or a key of its own, its own
 * memory read back, a keystroke pushed into a pty it opened itself, a
 * child that exits at once. Arguments are chosen so that the kernel, were
 * the call let through, would mostly answer something else than EPERM
 * (EBADF, ESRCH, success): the EPERM is then the filter's.
 *   sysprobe          all of them, then "end"
 *   sysprobe true     exits 0 (what the exec check runs)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static void say(const char *what, long r)
{
	if (r >= 0)
		printf("%s ok\n", what);
	else {
		const char *n = strerrorname_np(errno);
		printf("%s %s\n", what, n ? n : "?");
	}
	fflush(stdout);
}

/* a raw syscall, errno cleared first */
static long sc(long nr, long a, long b, long c, long d, long e)
{
	errno = 0;
	return syscall(nr, a, b, c, d, e, 0);
}

/* say, and close the descriptor the call returned */
static void fd_say(const char *what, long r)
{
	int err = errno;
	if (r >= 0)
		close((int)r);
	errno = err;
	say(what, r);
}

/* how a child ended: "ok", its errno, or the signal that killed it */
static void child_say(const char *what, pid_t p)
{
	int st = 0;
	if (p < 0 || waitpid(p, &st, 0) < 0) {
		say(what, -1);
		return;
	}
	if (WIFSIGNALED(st)) {
		const char *s = sigabbrev_np(WTERMSIG(st));
		printf("%s killed SIG%s\n", what, s ? s : "?");
		fflush(stdout);
		return;
	}
	errno = WEXITSTATUS(st);
	say(what, errno ? -1 : 0);
}

/* each call in a child of its own, so one let through (an unshare, a
 * personality) changes nothing for the next; a clone let through makes a
 * grandchild that exits at once */
static void probe(const char *what, long nr, long a, long b, long c, long d, long e)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		long r = sc(nr, a, b, c, d, e);
		_exit(r < 0 ? errno : 0);
	}
	child_say(what, p);
}

/* a syscall through a foreign ABI, in a child: the filter may kill it */
static void abi(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		fn();
		_exit(0);
	}
	child_say(what, p);
}

static void x32_getpid(void)
{
	/* x32 numbers are x86_64's with bit 30 set; getpid is 39 in both */
	long r = syscall(0x40000000 | 39);
	_exit(r < 0 ? errno : 0);
}

static void i386_getpid(void)
{
#if defined(__x86_64__)
	long r = 20; /* getpid in i386's table */
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	_exit(r < 0 ? (int)-r : 0);
#else
	_exit(ENOSYS);
#endif
}

/* a pty of its own as the controlling terminal of a new session, so a
 * TIOCSTI the filter let through would succeed (and type into nothing) */
static void tty_probes(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		setsid();
		int m = posix_openpt(O_RDWR | O_NOCTTY);
		say("open /dev/ptmx", m);
		if (m < 0)
			_exit(0);
		char *name = ptsname(m);
		if (grantpt(m) < 0 || unlockpt(m) < 0 || !name)
			_exit(0);
		int s = open(name, O_RDWR);
		say("open the pty", s);
		if (s < 0)
			_exit(0);
		ioctl(s, TIOCSCTTY, 0);
		char ch = '#';
		struct winsize ws;
		say("ioctl TCGETS", sc(SYS_ioctl, s, TCGETS, (long)&(char[64]){0}, 0, 0));
		say("ioctl TIOCGWINSZ", sc(SYS_ioctl, s, TIOCGWINSZ, (long)&ws, 0, 0));
		say("ioctl FIONREAD", sc(SYS_ioctl, s, FIONREAD, (long)&(int){0}, 0, 0));
		say("ioctl TIOCSTI", sc(SYS_ioctl, s, TIOCSTI, (long)&ch, 0, 0));
		/* the kernel reads the command as 32 bits: bit 32 set is the same
		 * command, and an unmasked compare would let it through */
		say("ioctl TIOCSTI|1<<32",
		    sc(SYS_ioctl, s, (long)(0x100000000ull | TIOCSTI), (long)&ch, 0, 0));
		say("ioctl TIOCSTI|0xffffffff<<32",
		    sc(SYS_ioctl, s, (long)(0xffffffff00000000ull | TIOCSTI), (long)&ch, 0, 0));
		char sub = 2; /* TIOCL_SETSEL; a pty is no console: ENOTTY if let through */
		say("ioctl TIOCLINUX", sc(SYS_ioctl, s, TIOCLINUX, (long)&sub, 0, 0));
		say("ioctl TIOCLINUX|1<<32",
		    sc(SYS_ioctl, s, (long)(0x100000000ull | TIOCLINUX), (long)&sub, 0, 0));
		_exit(0);
	}
	close(p[1]);
	char buf[4096];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(p[0]);
	waitpid(pid, NULL, 0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "true"))
		return 0;
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* ---- refused with EPERM ---- */
	struct io_uring_params up;
	memset(&up, 0, sizeof(up));
	probe("io_uring_setup", SYS_io_uring_setup, 1, (long)&up, 0, 0, 0);
	probe("io_uring_enter", SYS_io_uring_enter, -1, 0, 0, 0, 0);
	probe("io_uring_register", SYS_io_uring_register, -1, 0, 0, 0, 0);
	probe("keyctl", SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0, 0);
	probe("add_key", SYS_add_key, (long)"user", (long)"nstop-probe", (long)"x", 1,
	      KEY_SPEC_PROCESS_KEYRING);
	probe("request_key", SYS_request_key, (long)"user", (long)"nstop-probe-none", 0, 0, 0);
	union bpf_attr ba;
	memset(&ba, 0, sizeof(ba));
	probe("bpf", SYS_bpf, BPF_MAP_CREATE, (long)&ba, sizeof(ba), 0, 0);
	struct perf_event_attr pa;
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.config = PERF_COUNT_SW_TASK_CLOCK;
	pa.exclude_kernel = 1;
	pa.exclude_hv = 1;
	probe("perf_event_open", SYS_perf_event_open, (long)&pa, 0, -1, -1, 0);
	probe("userfaultfd", SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY, 0, 0, 0, 0);
	probe("kexec_load", SYS_kexec_load, 0, 0, 0, 0, 0);
	probe("kexec_file_load", SYS_kexec_file_load, -1, -1, 0, 0, 0);
	char fh[sizeof(unsigned) * 2 + 128] = {0};
	((unsigned *)fh)[0] = 128;
	int mnt_id;
	probe("name_to_handle_at", SYS_name_to_handle_at, AT_FDCWD, (long)"/", (long)fh,
	      (long)&mnt_id, 0);
	probe("open_by_handle_at", SYS_open_by_handle_at, -1, (long)fh, O_RDONLY, 0, 0);
	probe("mount", SYS_mount, (long)"none", (long)"/nonexistent-nstop", (long)"tmpfs", 0, 0);
	probe("umount2", SYS_umount2, (long)"/nonexistent-nstop", 0, 0, 0, 0);
	probe("fsopen", SYS_fsopen, (long)"tmpfs", 0, 0, 0, 0);
	probe("open_tree", SYS_open_tree, AT_FDCWD, (long)"/nonexistent-nstop", OPEN_TREE_CLONE, 0,
	      0);
	probe("move_mount", SYS_move_mount, -1, (long)"", -1, (long)"", 0);
	probe("mount_setattr", SYS_mount_setattr, -1, (long)"", 0, 0, 0);
	probe("pivot_root", SYS_pivot_root, (long)"/nonexistent-nstop", (long)"/nonexistent-nstop",
	      0, 0, 0);
	probe("setns", SYS_setns, -1, 0, 0, 0, 0);
	probe("unshare CLONE_NEWUSER", SYS_unshare, CLONE_NEWUSER, 0, 0, 0, 0);
	probe("unshare CLONE_NEWNS", SYS_unshare, CLONE_NEWNS, 0, 0, 0, 0);
	probe("clone CLONE_NEWUSER", SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	probe("clone CLONE_NEWNS", SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	probe("clone CLONE_NEWNET", SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	/* not traced by anyone: ESRCH if let through */
	probe("ptrace", SYS_ptrace, PTRACE_PEEKUSER, getpid(), 0, 0, 0);
	char src[8] = "secret", dst[8] = {0};
	struct iovec li = {dst, sizeof(dst)}, ri = {src, sizeof(src)};
	probe("process_vm_readv", SYS_process_vm_readv, getpid(), (long)&li, 1, (long)&ri, 1);
	probe("process_vm_writev", SYS_process_vm_writev, getpid(), (long)&ri, 1, (long)&li, 1);
	probe("kcmp", SYS_kcmp, getpid(), getpid(), 0, 0, 0);
	probe("personality ADDR_NO_RANDOMIZE", SYS_personality, ADDR_NO_RANDOMIZE, 0, 0, 0, 0);
	probe("personality READ_IMPLIES_EXEC", SYS_personality, READ_IMPLIES_EXEC, 0, 0, 0, 0);
	probe("syslog", SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, 0, 0, 0, 0);
	probe("acct", SYS_acct, (long)"/nonexistent-nstop", 0, 0, 0, 0);
	probe("reboot", SYS_reboot, 0, 0, 0, 0, 0);
	probe("init_module", SYS_init_module, 0, 0, (long)"", 0, 0);
	probe("swapoff", SYS_swapoff, (long)"/nonexistent-nstop", 0, 0, 0, 0);
	probe("settimeofday", SYS_settimeofday, 0, 0, 0, 0, 0);
	probe("clock_settime", SYS_clock_settime, -1, 0, 0, 0, 0);
	probe("adjtimex", SYS_adjtimex, -1, 0, 0, 0, 0);
	probe("get_mempolicy", SYS_get_mempolicy, 0, 0, 0, 0, 0);
	probe("iopl", SYS_iopl, 0, 0, 0, 0, 0);
	probe("socket AF_VSOCK", SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0, 0);
	probe("socket AF_VSOCK|1<<32", SYS_socket, (long)(0x100000000ull | AF_VSOCK), SOCK_STREAM,
	      0, 0, 0);
	probe("socket AF_XDP", SYS_socket, 44 /* AF_XDP */, SOCK_RAW, 0, 0, 0);
	tty_probes();

	/* ---- ENOSYS: unknown numbers, clone3 (libc then uses clone) ---- */
	probe("syscall 1000", 1000, 0, 0, 0, 0, 0);
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	probe("clone3", SYS_clone3, (long)&ca, sizeof(ca), 0, 0, 0);

	/* ---- foreign ABIs: the process is killed ---- */
	abi("x32 getpid", x32_getpid);
	abi("i386 getpid", i386_getpid);

	/* ---- what ordinary programs do ---- */
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	int st = -1;
	say("fork", p < 0 ? -1 : waitpid(p, &st, 0) == p && st == 0 ? 0 : -1);
	p = fork();
	if (p == 0) {
		execl("/proc/self/exe", "sysprobe", "true", (char *)NULL);
		_exit(127);
	}
	say("exec", p < 0 ? -1 : waitpid(p, &st, 0) == p && st == 0 ? 0 : (errno = ENOEXEC, -1));
	fd_say("socket AF_INET", socket(AF_INET, SOCK_STREAM, 0));
	fd_say("socket AF_INET6", socket(AF_INET6, SOCK_DGRAM, 0));
	fd_say("socket AF_UNIX", socket(AF_UNIX, SOCK_STREAM, 0));
	fd_say("socket AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0));
	fd_say("socket ICMP raw", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	int sv[2];
	say("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int d = open("/", O_RDONLY | O_DIRECTORY);
	char dents[4096];
	say("getdents64", sc(SYS_getdents64, d, (long)dents, sizeof(dents), 0, 0));
	close(d);
	struct statx sx;
	say("statx", sc(SYS_statx, AT_FDCWD, (long)"/", 0, STATX_BASIC_STATS, (long)&sx));
	say("faccessat2", sc(SYS_faccessat2, AT_FDCWD, (long)"/", R_OK, AT_EACCESS, 0));
	struct open_how how = {.flags = O_RDONLY};
	fd_say("openat2", sc(SYS_openat2, AT_FDCWD, (long)"/", (long)&how, sizeof(how), 0));
	fd_say("memfd_create", sc(SYS_memfd_create, (long)"nstop", 0, 0, 0, 0));
	fd_say("eventfd2", eventfd(0, 0));
	fd_say("epoll_create1", epoll_create1(0));
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap", m == MAP_FAILED ? -1 : 0);
	say("mprotect", m == MAP_FAILED ? -1 : mprotect(m, 4096, PROT_READ));
	char rnd[8];
	say("getrandom", sc(SYS_getrandom, (long)rnd, sizeof(rnd), 0, 0, 0));
	say("personality query", sc(SYS_personality, 0xffffffff, 0, 0, 0, 0));
	say("personality PER_LINUX", sc(SYS_personality, PER_LINUX, 0, 0, 0, 0));
	say("prctl PR_SET_NAME", sc(SYS_prctl, PR_SET_NAME, (long)"sysprobe", 0, 0, 0));
	say("chroot", sc(SYS_chroot, (long)"/", 0, 0, 0, 0));
	printf("end\n");
	return 0;
}
