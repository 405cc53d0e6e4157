// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the seccomp filter of src/act/secure.c: its lists (no name
 * twice, no typo, every syscall libseccomp knows here classified) and the
 * loaded filter itself in a child: every refused syscall gives EPERM, the
 * argument rules decide by the low 32 bits, an unknown number gives ENOSYS. */
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act/act.h"
#include "tap.h"

/* newer than the libseccomp of Debian 12 (2.5.4, kernel 6.7's table):
 * they may be missing from its table, and are then left to ENOSYS */
static const char *const newer[] = {
    "statmount",        "listmount",     "lsm_get_self_attr", "lsm_set_self_attr",
    "lsm_list_modules", "mseal",         "setxattrat",        "getxattrat",
    "listxattrat",      "removexattrat", "open_tree_attr",    "uretprobe",
};

static bool in(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static const char *cls_name[] = {"allowed", "refused", "by_args"};

static const char *ename(int err)
{
	const char *s = err ? strerrorname_np(err) : "success";
	return s ? s : "?";
}

static void t_lists(void)
{
	size_t n[3];
	const char *const *v[3];
	for (int c = 0; c < 3; c++)
		v[c] = secure_syscalls(c, &n[c]);
	OK(n[SECURE_ALLOWED] > 300 && n[SECURE_REFUSED] > 50 && n[SECURE_BY_ARGS] == 5,
	   "the lists: %zu allowed, %zu refused, %zu by arguments", n[0], n[1], n[2]);
	int dups = 0, unknown = 0, here = 0;
	for (int c = 0; c < 3; c++)
		for (size_t i = 0; i < n[c]; i++) {
			for (int d = c; d < 3; d++)
				for (size_t j = d == c ? i + 1 : 0; j < n[d]; j++)
					if (!strcmp(v[c][i], v[d][j])) {
						printf("#   %s is %s and %s\n", v[c][i],
						       cls_name[c], cls_name[d]);
						dups++;
					}
			int nr = seccomp_syscall_resolve_name(v[c][i]);
			if (nr == __NR_SCMP_ERROR && !in(newer, ARRAY_LEN(newer), v[c][i])) {
				printf("#   %s (%s) is no syscall libseccomp knows\n", v[c][i],
				       cls_name[c]);
				unknown++;
			}
			here += nr >= 0;
		}
	OK(dups == 0, "no syscall is listed twice");
	OK(unknown == 0, "every name is a syscall (or newer than libseccomp 2.5.4)");
	OK(here > 300, "%d of them are syscalls of this architecture", here);
	/* every syscall libseccomp knows on this architecture has a class, so
	 * ENOSYS is only ever for one newer than the list */
	uint32_t arch = seccomp_arch_native();
	int unclassified = 0, known = 0;
	for (int nr = 0; nr < 1024; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(arch, nr);
		if (!s)
			continue;
		known++;
		if (!in(v[0], n[0], s) && !in(v[1], n[1], s) && !in(v[2], n[2], s)) {
			printf("#   %s (%d) is in no list of src/act/secure.c\n", s, nr);
			unclassified++;
		}
		free(s);
	}
	OK(unclassified == 0 && known > 300, "all %d syscalls libseccomp knows here are classified",
	   known);
}

/* a probe run under the filter: its number, arguments and the errno wanted */
struct call {
	const char *what;
	long nr;
	unsigned long a[3];
	int want; /* 0: allowed, whatever the kernel then says but EPERM/ENOSYS */
};

#define M1 (~0ul)
#define HI (1ul << 32)

static int run_filtered(const struct call *c, size_t n, int *got)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		/* no terminal (vhangup would hang it up), no privilege to get */
		setsid();
		struct nerr e = {0};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || secure_seccomp(&e) < 0)
			_exit(3);
		for (size_t i = 0; i < n; i++) {
			errno = 0;
			long r = syscall(c[i].nr, c[i].a[0], c[i].a[1], c[i].a[2], M1, M1, M1);
			int err = r < 0 ? errno : 0;
			if (write(p[1], &err, sizeof(err)) != sizeof(err))
				_exit(4);
		}
		_exit(0);
	}
	close(p[1]);
	size_t k = 0;
	while (k < n && read(p[0], &got[k], sizeof(int)) == sizeof(int))
		k++;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && k == n ? 0 : -1;
}

static void t_filter(void)
{
	size_t nref;
	const char *const *ref = secure_syscalls(SECURE_REFUSED, &nref);
	struct call c[200];
	size_t n = 0;
	/* every refused syscall of this architecture, with arguments of all
	 * ones: each would fail harmlessly (EFAULT, EINVAL, EBADF) if let through */
	for (size_t i = 0; i < nref && n < ARRAY_LEN(c) - 40; i++) {
		int nr = seccomp_syscall_resolve_name(ref[i]);
		if (nr >= 0)
			c[n++] = (struct call){ref[i], nr, {M1, M1, M1}, EPERM};
	}
	size_t nrefused = n;
	struct call more[] = {
	    {"ioctl TIOCSTI", SYS_ioctl, {M1, TIOCSTI, 0}, EPERM},
	    {"ioctl TIOCSTI with high bits set", SYS_ioctl, {M1, HI | TIOCSTI, 0}, EPERM},
	    {"ioctl TIOCSTI with all high bits set",
	     SYS_ioctl,
	     {M1, ~0ul << 32 | TIOCSTI, 0},
	     EPERM},
	    {"ioctl TIOCLINUX", SYS_ioctl, {M1, TIOCLINUX, 0}, EPERM},
	    {"ioctl TIOCLINUX with high bits set", SYS_ioctl, {M1, HI | TIOCLINUX, 0}, EPERM},
	    {"ioctl TCGETS", SYS_ioctl, {M1, TCGETS, 0}, EBADF},
	    {"ioctl TIOCGWINSZ", SYS_ioctl, {M1, TIOCGWINSZ, 0}, EBADF},
	    {"ioctl FIONREAD", SYS_ioctl, {M1, FIONREAD, 0}, EBADF},
	    {"ioctl TIOCSTI + 1", SYS_ioctl, {M1, TIOCSTI + 1, 0}, EBADF},
	    {"ioctl 0xffffffff", SYS_ioctl, {M1, 0xffffffff, 0}, EBADF},
	    {"ioctl 0", SYS_ioctl, {M1, 0, 0}, EBADF},
	    {"personality query", SYS_personality, {0xffffffff, 0, 0}, 0},
	    {"personality PER_LINUX", SYS_personality, {0, 0, 0}, 0},
	    {"personality ADDR_NO_RANDOMIZE", SYS_personality, {0x0040000, 0, 0}, EPERM},
	    {"personality READ_IMPLIES_EXEC", SYS_personality, {0x0400000, 0, 0}, EPERM},
	    {"personality ADDR_NO_RANDOMIZE, high bits set",
	     SYS_personality,
	     {HI | 0x0040000, 0, 0},
	     EPERM},
	    {"personality 7", SYS_personality, {7, 0, 0}, EPERM},
	    {"personality 0xfffffffe", SYS_personality, {0xfffffffe, 0, 0}, EPERM},
	    {"socket AF_VSOCK", SYS_socket, {AF_VSOCK, SOCK_STREAM, 0}, EAFNOSUPPORT},
	    {"socket AF_VSOCK with high bits set",
	     SYS_socket,
	     {HI | AF_VSOCK, SOCK_STREAM, 0},
	     EAFNOSUPPORT},
	    {"socket AF_ALG", SYS_socket, {AF_ALG, SOCK_SEQPACKET, 0}, EAFNOSUPPORT},
	    /* a family this host's kernel has (socket(2) works outside) */
	    {"socket AF_XDP", SYS_socket, {44 /* AF_XDP */, SOCK_RAW, 0}, EAFNOSUPPORT},
	    {"socket -1", SYS_socket, {M1, SOCK_STREAM, 0}, EAFNOSUPPORT},
	    {"clone3", SYS_clone3, {M1, M1, 0}, ENOSYS},
	    {"syscall 1000", 1000, {M1, M1, M1}, ENOSYS},
	};
	for (size_t i = 0; i < ARRAY_LEN(more); i++)
		c[n++] = more[i];
	/* the numbers past the last one libseccomp knows here (on this kernel
	 * some are real: statmount, listmount, mseal, ...) */
	int last = 0;
	for (int nr = 0; nr < 1024; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
		if (s && nr < 512)
			last = nr;
		free(s);
	}
	size_t first_new = n;
	for (int nr = last + 1; nr <= last + 32 && n < ARRAY_LEN(c); nr++)
		c[n++] = (struct call){"newer", nr, {M1, M1, M1}, ENOSYS};
	int got[ARRAY_LEN(c)];
	if (!OK(run_filtered(c, n, got) == 0, "a child under the filter ran %zu calls", n))
		return;
	int bad = 0;
	for (size_t i = 0; i < nrefused; i++)
		if (got[i] != EPERM) {
			printf("#   %s: %s\n", c[i].what, ename(got[i]));
			bad++;
		}
	OK(bad == 0, "all %zu refused syscalls of this architecture give EPERM", nrefused);
	for (size_t i = nrefused; i < first_new; i++) {
		bool ok = c[i].want ? got[i] == c[i].want : got[i] != EPERM && got[i] != ENOSYS;
		if (!OK(ok, "%s: %s", c[i].what, c[i].want ? ename(c[i].want) : "allowed"))
			printf("#   got %s\n", ename(got[i]));
	}
	bad = 0;
	for (size_t i = first_new; i < n; i++)
		if (got[i] != ENOSYS) {
			printf("#   syscall %ld: %s\n", c[i].nr, ename(got[i]));
			bad++;
		}
	OK(bad == 0, "syscalls %d to %d, newer than the list, give ENOSYS", last + 1, last + 32);
}

int main(void)
{
	t_lists();
	t_filter();
	return tap_done();
}
