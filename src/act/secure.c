// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A container's privileges, at least as strict as Docker's defaults: the
 * capability bounding set cut to Docker's 14, inheritable and ambient sets
 * cleared (a capability left inheritable survives exec), no_new_privs, and a
 * libseccomp filter denying what Docker's default profile denies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../nstop.h"

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

/* Denied outright, as in Docker's default profile (without the capability
 * exceptions: the capabilities they would need are gone anyway). */
static const char *const denied[] = {
	"setns", "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
	"fsconfig", "fsmount", "fspick", "mount_setattr", "init_module", "finit_module",
	"delete_module", "kexec_load", "kexec_file_load", "bpf", "perf_event_open", "keyctl",
	"add_key", "request_key", "userfaultfd", "reboot", "swapon", "swapoff", "acct",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime", "open_by_handle_at",
	"name_to_handle_at", "lookup_dcookie", "quotactl", "quotactl_fd", "iopl", "ioperm",
	"syslog", "vhangup", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "create_module",
	"get_kernel_syms", "query_module", "get_mempolicy", "set_mempolicy", "mbind",
	"move_pages", "kcmp", "process_vm_readv", "process_vm_writev", "ptrace", "unshare",
};

int secure_seccomp(struct nerr *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		nerr_set(e, -ENOMEM, "seccomp_init failed");
		return -1;
	}
	int r = 0;
	for (size_t i = 0; i < ARRAY_LEN(denied) && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	/* new namespaces through clone; clone3's flags are in memory a filter
	 * cannot read, so it is refused with ENOSYS and libc falls back to clone */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	if (r < 0)
		nerr_set(e, r, "seccomp: %s", strerror(-r));
	seccomp_release(ctx);
	return r < 0 ? -1 : 0;
}
