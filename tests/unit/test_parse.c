// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the kernel-text parsers in src/collect/parse.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "collect/parse.h"
#include "tap.h"

struct pidv {
	pid_t *v;
	size_t n;
};

static void pid_add(void *arg, pid_t pid)
{
	struct pidv *pv = arg;
	if (pv->n < 8)
		pv->v[pv->n++] = pid;
}

static int parse_stat_str(const char *s, struct stat_fields *f)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s", s);
	return parse_proc_stat(buf, strlen(buf), f);
}

static void t_stat(void)
{
	struct stat_fields f;
	/* fields 3..27: state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime prio nice threads itreal start vsize rss */
	const char *tail = " R 339 0 0 0 -1 4194560 91 365 0 0 631 2 0 21 20 -5 3 0 754 2314240 398 1 2 3\n";
	char line[512];
	snprintf(line, sizeof(line), "343 (sh)%s", tail);
	OK(parse_stat_str(line, &f) == 0, "stat: plain line parses");
	IS_U64(f.pid, 343, "stat: pid");
	OK(f.comm_len == 2 && !memcmp(f.comm, "sh", 2), "stat: comm");
	IS_U64(f.utime, 631, "stat: utime (field 14)");
	IS_U64(f.stime, 2, "stat: stime (field 15)");
	IS_U64(f.starttime, 754, "stat: starttime (field 22)");
	IS_U64(f.rss_pages, 398, "stat: rss (field 24)");
	OK(f.nice == -5 && f.nthreads == 3, "stat: nice and threads");
	IS_U64(f.flags, 4194560, "stat: flags");

	snprintf(line, sizeof(line), "77 (a b) (c) )%s", tail);
	OK(parse_stat_str(line, &f) == 0, "stat: comm with spaces and parentheses parses");
	OK(f.comm_len == 9 && !memcmp(f.comm, "a b) (c) ", 9), "stat: comm ends at the last ')'");
	OK(f.state == 'R' && f.ppid == 339 && f.utime == 631, "stat: fields after such a comm");

	snprintf(line, sizeof(line), "5 ()%s", tail);
	OK(parse_stat_str(line, &f) == 0 && f.comm_len == 0, "stat: empty comm");
	OK(parse_stat_str("", &f) == -EINVAL, "stat: empty input fails");
	OK(parse_stat_str("12 (x", &f) == -EINVAL, "stat: no closing paren fails");
	OK(parse_stat_str("12 (x) S 1 2", &f) == -EINVAL, "stat: truncated line fails");
	OK(parse_stat_str("abc (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21", &f) ==
		   -EINVAL, "stat: non-numeric pid fails");
	OK(parse_stat_str("99999999999999999999 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22", &f) == -EINVAL,
	   "stat: overflowing pid fails");
	snprintf(line, sizeof(line), "7 (x) S 1 2 3 4 5 6 7 8 9 99999999999999999999999 11 12 13 14 15 16 17 18 19 20");
	OK(parse_stat_str(line, &f) == -EINVAL, "stat: overflowing utime fails");
}

struct cgl {
	int n;
	int hid[8];
	char ctrl[8][64], path[8][256];
};

static void on_line(void *arg, int hid, const char *ctrl, size_t cl, const char *path, size_t pl)
{
	struct cgl *c = arg;
	if (c->n >= 8)
		return;
	c->hid[c->n] = hid;
	snprintf(c->ctrl[c->n], 64, "%.*s", (int)cl, ctrl);
	snprintf(c->path[c->n], 256, "%.*s", (int)pl, path);
	c->n++;
}

static int cg_parse(const char *s, struct cgl *c)
{
	static char buf[4096];
	memset(c, 0, sizeof(*c));
	snprintf(buf, sizeof(buf), "%s", s);
	return parse_proc_cgroup(buf, strlen(buf), on_line, c);
}

static void t_cgroup(void)
{
	struct cgl c;
	OK(cg_parse("0::/system.slice/docker-abc.scope\n", &c) == 1, "cgroup: v2 line");
	OK(c.hid[0] == 0 && !strcmp(c.ctrl[0], "") && !strcmp(c.path[0], "/system.slice/docker-abc.scope"),
	   "cgroup: v2 fields");
	OK(cg_parse("12:cpu,cpuacct:/docker/x\n1:name=systemd:/a:b\n0::/\n", &c) == 3, "cgroup: hybrid lines");
	OK(c.hid[0] == 12 && !strcmp(c.ctrl[0], "cpu,cpuacct") && !strcmp(c.path[0], "/docker/x"),
	   "cgroup: v1 controllers and path");
	OK(!strcmp(c.path[1], "/a:b"), "cgroup: a path may contain ':'");
	OK(cg_parse("", &c) == 0, "cgroup: empty file is no lines");
	OK(cg_parse("x::/\n", &c) == -EINVAL, "cgroup: bad id fails");
	OK(cg_parse("0:/\n", &c) == -EINVAL, "cgroup: missing field fails");
	OK(cg_parse("0::relative\n", &c) == -EINVAL, "cgroup: relative path fails");
}

struct mis {
	int n;
	char mp[8][128], fs[8][32], opts[8][64], root[8][64];
};

static void on_mount(void *arg, const struct mountinfo_ent *m)
{
	struct mis *x = arg;
	if (x->n >= 8)
		return;
	snprintf(x->mp[x->n], 128, "%s", m->mnt_point);
	snprintf(x->fs[x->n], 32, "%s", m->fstype);
	snprintf(x->opts[x->n], 64, "%s", m->super_opts);
	snprintf(x->root[x->n], 64, "%s", m->root);
	x->n++;
}

static void t_mountinfo(void)
{
	char buf[1024];
	struct mis x = {0};
	snprintf(buf, sizeof(buf),
		 "30 23 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
		 "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n"
		 "40 21 0:50 /sub\\040dir /mnt/a\\040b\\011c rw - tmpfs none rw\n");
	OK(parse_mountinfo(buf, strlen(buf), on_mount, &x) == 3, "mountinfo: three lines");
	IS_STR(x.fs[0], "cgroup2", "mountinfo: fstype after the separator");
	IS_STR(x.opts[1], "rw,cpu,cpuacct", "mountinfo: super options with optional fields present");
	IS_STR(x.mp[2], "/mnt/a b\tc", "mountinfo: octal escapes decoded");
	IS_STR(x.root[2], "/sub dir", "mountinfo: root decoded");
	snprintf(buf, sizeof(buf), "1 2 3 4 5\n");
	OK(parse_mountinfo(buf, strlen(buf), on_mount, &x) == -EINVAL, "mountinfo: short line fails");
	snprintf(buf, sizeof(buf), "1 2 0:1 / /x rw shared:1 cgroup2 cgroup2 rw\n");
	OK(parse_mountinfo(buf, strlen(buf), on_mount, &x) == -EINVAL, "mountinfo: no separator fails");
}

static void t_keyed(void)
{
	const char *cpu = "usage_usec 377303\nuser_usec 55602\nsystem_usec 321700\nnr_periods 366\n"
			  "nr_throttled 362\nthrottled_usec 9000\nnr_bursts 0\nburst_usec 0\n";
	uint64_t v;
	OK(parse_keyed_u64(cpu, strlen(cpu), "usage_usec", &v) == 0 && v == 377303, "cpu.stat usage_usec");
	OK(parse_keyed_u64(cpu, strlen(cpu), "nr_throttled", &v) == 0 && v == 362, "cpu.stat nr_throttled");
	OK(parse_keyed_u64(cpu, strlen(cpu), "throttled_usec", &v) == 0 && v == 9000, "cpu.stat throttled_usec");
	OK(parse_keyed_u64(cpu, strlen(cpu), "usage", &v) == -ENOENT, "keyed: a prefix is not a key");
	const char *mem = "anon 204800\nfile 0\nkernel 319488\nanon_thp 0\n";
	OK(parse_keyed_u64(mem, strlen(mem), "anon", &v) == 0 && v == 204800, "memory.stat anon (not anon_thp)");
	OK(parse_keyed_u64(mem, strlen(mem), "file", &v) == 0 && v == 0, "memory.stat file");
	const char *ev = "low 0\nhigh 0\nmax 36\noom 1\noom_kill 1\noom_group_kill 0\n";
	OK(parse_keyed_u64(ev, strlen(ev), "oom_kill", &v) == 0 && v == 1, "memory.events oom_kill");
	const char *v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n";
	OK(parse_keyed_u64(v1, strlen(v1), "oom_kill", &v) == 0 && v == 7, "v1 memory.oom_control oom_kill");
	const char *bad = "oom_kill 12x\n";
	OK(parse_keyed_u64(bad, strlen(bad), "oom_kill", &v) == -EINVAL, "keyed: junk after the number fails");
	const char *neg = "oom_kill -1\n";
	OK(parse_keyed_u64(neg, strlen(neg), "oom_kill", &v) == -EINVAL, "keyed: negative fails");
	const char *last = "a 1\nb 2";
	OK(parse_keyed_u64(last, strlen(last), "b", &v) == 0 && v == 2, "keyed: last line without newline");
}

static void t_limits(void)
{
	uint64_t q, p, v;
	OK(parse_cpu_max("max 100000\n", 11, &q, &p) == 0 && q == VAL_UNLIMITED && p == 100000, "cpu.max max");
	OK(parse_cpu_max("50000 100000\n", 13, &q, &p) == 0 && q == 50000 && p == 100000, "cpu.max quota period");
	OK(parse_cpu_max("50000\n", 6, &q, &p) == -EINVAL, "cpu.max without period fails");
	OK(parse_cpu_max("50000 0\n", 8, &q, &p) == -EINVAL, "cpu.max zero period fails");
	OK(parse_cpu_max("abc 100000\n", 11, &q, &p) == -EINVAL, "cpu.max junk fails");
	OK(parse_limit("max\n", 4, &v) == 0 && v == VAL_UNLIMITED, "limit: max");
	OK(parse_limit("134217728\n", 10, &v) == 0 && v == 134217728, "limit: number");
	OK(parse_limit("9223372036854771712\n", 20, &v) == 0 && v == VAL_UNLIMITED, "limit: v1 sentinel is unlimited");
	OK(parse_limit("-1\n", 3, &v) == 0 && v == VAL_UNLIMITED, "limit: cfs_quota_us -1 is unlimited");
	OK(parse_limit("12ab", 4, &v) == -EINVAL, "limit: junk fails");
	OK(parse_limit("", 0, &v) == -EINVAL, "limit: empty fails");
	OK(parse_freezer_state("FROZEN\n", 7) == 1, "freezer.state: FROZEN");
	OK(parse_freezer_state("THAWED\n", 7) == 0, "freezer.state: THAWED");
	OK(parse_freezer_state("FREEZING\n", 9) == 0, "freezer.state: FREEZING is not frozen yet");
	OK(parse_freezer_state("FROZENX", 7) == -EINVAL, "freezer.state: a longer word fails");
	OK(parse_freezer_state("FROZ", 4) == -EINVAL, "freezer.state: a prefix fails");
	OK(parse_freezer_state("", 0) == -EINVAL, "freezer.state: empty fails");
	{
		pid_t got[8];
		struct pidv pv = {got, 0};
		const char *t = "1\n42\n\nx7\n-3\n0\n2147483648\n99999999999999999999999\n17 \n123";
		size_t k = parse_pid_lines(t, strlen(t), pid_add, &pv);
		OK(k == 3 && pv.n == 3 && got[0] == 1 && got[1] == 42 && got[2] == 123,
		   "cgroup.procs: pids read, junk, signs, 0, overflow and trailing blanks skipped, no final newline needed");
		OK(parse_pid_lines("", 0, pid_add, &pv) == 0, "cgroup.procs: empty is none");
	}
	{
		static const char *const k[] = {"anon", "file", "inactive_file", "sock", "kernel"};
		const char *ms = "anon 4096\nfile 8192\nkernel_stack 16384\nfile_mapped 12\n"
				 "inactive_file 2048\nsock 12x\nanon 1\n";
		uint64_t o[5] = {VAL_NA, VAL_NA, VAL_NA, VAL_NA, VAL_NA};
		OK(parse_keyed_set(ms, strlen(ms), k, 5, o) == 3, "keyed set: three keys found");
		OK(o[0] == 4096 && o[1] == 8192 && o[2] == 2048, "keyed set: values, first line of a key wins");
		OK(o[3] == VAL_NA, "keyed set: a junk value leaves it alone");
		OK(o[4] == VAL_NA, "keyed set: a longer key (kernel_stack) is not kernel");
		uint64_t t[1] = {VAL_NA};
		OK(parse_keyed_set("anon 7", 6, k, 1, t) == 1 && t[0] == 7, "keyed set: no final newline");
		OK(parse_keyed_set("", 0, k, 1, t) == 0, "keyed set: empty");
		OK(parse_keyed_set("anon", 4, k, 1, t) == 0 && t[0] == 7, "keyed set: no value");
	}
	{
		const char *ps = "some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\n"
				 "full avg10=0.10 avg60=0.00 avg300=0.00 total=789\n";
		double av[3] = {-1, -1, -1};
		uint64_t tot = 0;
		OK(parse_psi_line(ps, strlen(ps), "some", av, &tot) == 0 && av[0] == 1.5 &&
			   av[1] == 0.25 && av[2] == 0 && tot == 123456, "psi line: some in full");
		OK(parse_psi_line(ps, strlen(ps), "full", av, &tot) == 0 && av[0] == 0.1 && tot == 789,
		   "psi line: full");
		OK(parse_psi_line("some avg10=1.00 avg60=0.00\n", 27, "full", av, &tot) == -ENOENT,
		   "psi line: no full line");
		OK(parse_psi_line("some avg10=1.00 avg60=0.00\n", 27, "some", av, &tot) == -EINVAL,
		   "psi line: a short line fails");
		OK(parse_psi_line("some avg10=nan avg60=0 avg300=0 total=1", 39, "some", av, &tot) == -EINVAL,
		   "psi line: nan fails");
		OK(parse_psi_line("some avg10=101 avg60=0 avg300=0 total=1", 39, "some", av, &tot) == -EINVAL,
		   "psi line: over 100 percent fails");
		OK(parse_psi_line("some avg10=1 avg60=0 avg300=0 total=-1", 38, "some", av, &tot) == -EINVAL,
		   "psi line: a negative total fails");
		OK(parse_psi_line("some avg10=1 avg60=0 avg300=0 total=5", 37, "some", av, &tot) == 0 &&
			   tot == 5, "psi line: no final newline");
	}
	{
		uint64_t k = 0;
		size_t l = 0;
		OK(parse_cpu_list("0-3,8,10-11\n", 12, &k, &l) == 0 && k == 7 && l == 11, "cpu list: ranges and singles");
		OK(parse_cpu_list("\n", 1, &k, &l) == 0 && k == 0 && l == 0, "cpu list: empty is no CPUs");
		OK(parse_cpu_list("3-1", 3, &k, &l) == -EINVAL, "cpu list: a descending range fails");
		OK(parse_cpu_list("0,", 2, &k, &l) == -EINVAL, "cpu list: a trailing comma fails");
		OK(parse_cpu_list("0-", 2, &k, &l) == -EINVAL, "cpu list: an open range fails");
		OK(parse_cpu_list("0-1\x1b[2J", 8, &k, &l) == -EINVAL, "cpu list: control bytes fail");
		OK(parse_cpu_list("0-99999999", 10, &k, &l) == -EINVAL, "cpu list: absurd CPU numbers fail");
	}
	OK(mem_working_set(100, 30) == 70, "working set: usage - inactive_file");
	OK(mem_working_set(30, 100) == 0, "working set: floored at 0");
	OK(mem_working_set(VAL_NA, 1) == VAL_NA && mem_working_set(1, VAL_NA) == VAL_NA,
	   "working set: unknown when either is");
}

static void t_psi_io(void)
{
	const char *psi = "some avg10=1.25 avg60=0.50 avg300=0.10 total=1234\nfull avg10=0.75 avg60=0.00 avg300=0.00 total=10\n";
	double d;
	OK(parse_psi_avg10(psi, strlen(psi), "some", &d) == 0 && fabs(d - 1.25) < 1e-9, "psi some avg10");
	OK(parse_psi_avg10(psi, strlen(psi), "full", &d) == 0 && fabs(d - 0.75) < 1e-9, "psi full avg10");
	OK(parse_psi_avg10("some avg10=x", 12, "some", &d) == -EINVAL, "psi junk fails");
	OK(parse_psi_avg10("", 0, "some", &d) == -ENOENT, "psi empty is absent");
	const char *io = "7:0 rbytes=9437184 wbytes=2097152 rios=14 wios=32 dbytes=0 dios=0\n7:1 \n8:0 rbytes=1 wbytes=2\n";
	uint64_t r, w;
	OK(parse_io_stat(io, strlen(io), &r, &w) == 0 && r == 9437185 && w == 2097154, "io.stat sums devices, skips bare lines");
	OK(parse_io_stat("", 0, &r, &w) == 0 && r == 0 && w == 0, "io.stat empty is zero");
	OK(parse_io_stat("8:0 rbytes=zz\n", 14, &r, &w) == -EINVAL, "io.stat junk fails");
	const char *blk = "254:0 Read 100\n254:0 Write 50\n254:0 Sync 150\n254:0 Total 150\n8:0 Read 1\nTotal 151\n";
	OK(parse_blkio_bytes(blk, strlen(blk), &r, &w) == 0 && r == 101 && w == 50, "blkio io_service_bytes");
	OK(parse_blkio_bytes("Total 0\n", 8, &r, &w) == 0 && r == 0, "blkio only Total");
}

static void t_nslink(void)
{
	uint64_t ino = 0;
	OK(parse_ns_link("net:[4026531840]", 16, "net", &ino) == 0 && ino == 4026531840u, "ns link");
	OK(parse_ns_link("net:[4026531840]", 16, "mnt", &ino) == -EINVAL, "ns link of another type fails");
	OK(parse_ns_link("net:[]", 6, "net", &ino) == -EINVAL, "ns link without inode fails");
	OK(parse_ns_link("net:[12x]", 9, "net", &ino) == -EINVAL, "ns link junk fails");
	pid_t in;
	const char *st = "Name:\tsleep\nNSpid:\t368\t5\n";
	OK(parse_nspid(st, strlen(st), &in) == 0 && in == 5, "status NSpid: innermost pid");
	OK(parse_nspid("NSpid:\t42\n", 10, &in) == 0 && in == 42, "status NSpid: one level");
	OK(parse_nspid("Name:\tx\n", 8, &in) == -ENOENT, "status without NSpid");
}

static void t_idmap(void)
{
	struct id_range r[4];
	const char *m = "         0     524288      65536\n";
	OK(parse_id_map(m, strlen(m), r, 4) == 1, "uid_map: the kernel's format, one line");
	OK(r[0].start == 524288 && r[0].count == 65536, "uid_map: the outside range (fields 2 and 3)");
	m = "0 1000 1\n1 100000 65536\n";
	OK(parse_id_map(m, strlen(m), r, 4) == 2 && r[1].start == 100000 && r[1].count == 65536,
	   "uid_map: two lines");
	m = "0 0 4294967295\n";
	OK(parse_id_map(m, strlen(m), r, 4) == 1 && r[0].count == 4294967295u, "uid_map: the identity map");
	OK(parse_id_map("", 0, r, 4) == 0, "uid_map: empty (a namespace without a map yet)");
	m = "0 1 1\n0 2 1\n0 3 1\n0 4 1\n0 5 1\n0 6 1\n";
	OK(parse_id_map(m, strlen(m), r, 4) == 6 && r[3].start == 4, "uid_map: counts past max, stores max");
	OK(parse_id_map("0 1\n", 4, r, 4) == -EINVAL, "uid_map: a short line fails");
	OK(parse_id_map("0 1 2 3\n", 8, r, 4) == -EINVAL, "uid_map: a long line fails");
	OK(parse_id_map("0 4294967296 1\n", 15, r, 4) == -EINVAL, "uid_map: an id past 32 bits fails");
	OK(parse_id_map("0 -1 1\n", 7, r, 4) == -EINVAL, "uid_map: a sign fails");
	OK(parse_id_map("0 1 99999999999999999999999\n", 28, r, 4) == -EINVAL, "uid_map: overflow fails");

	const char *s = "alice:100000:65536\nbob:165536:65536\n";
	OK(parse_subid(s, strlen(s), r, 4) == 2 && r[0].start == 100000 && r[1].start == 165536 &&
		   r[1].count == 65536, "subuid: NAME:START:COUNT lines");
	s = "# comment\n\n1000:200000:10\nbroken\n:1:2\nx:1\nx:1:2:3\nx:a:1\ncarol:300000:5";
	OK(parse_subid(s, strlen(s), r, 4) == 2 && r[0].start == 200000 && r[1].start == 300000 &&
		   r[1].count == 5, "subuid: a uid as NAME, malformed lines skipped, no final newline");
	s = "x:4294967296:1\n";
	OK(parse_subid(s, strlen(s), r, 4) == 0, "subuid: an id past 32 bits is skipped");
}

static void t_status(void)
{
	/* a Docker container's shell as the host reads it (Debian 12, Linux 6.1) */
	const char *st = "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t343\n"
			 "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n"
			 "Groups:\t0 1 2 3 4 6 10 11 20 26 27 \nNStgid:\t343\t1\n"
			 "CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n"
			 "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n"
			 "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\n"
			 "Seccomp_filters:\t1\nSpeculation_Store_Bypass:\tthread force mitigated\n";
	struct proc_creds c;
	OK(parse_proc_status(st, strlen(st), &c) == 0, "status: a docker shell parses");
	IS_U64(c.cap_eff, 0xa80425fbu, "status: CapEff");
	IS_U64(c.cap_bnd, 0xa80425fbu, "status: CapBnd");
	IS_U64(c.cap_inh, 0, "status: CapInh");
	OK(c.seccomp == 2 && c.no_new_privs == 0, "status: Seccomp 2, NoNewPrivs 0");
	OK(c.ngroups == 11 && c.groups[10] == 27, "status: 11 groups, trailing space");
	const char *u = "Uid:\t1000\t1001\t1002\t1003\nGid:\t5\t6\t7\t8\nGroups:\t\n"
			"CapInh:\t0\nCapPrm:\t000001ffffffffff\nCapEff:\t0\nCapBnd:\t000001ffffffffff\n";
	OK(parse_proc_status(u, strlen(u), &c) == 0, "status: an old kernel's (no CapAmb, NoNewPrivs, Seccomp)");
	OK(c.uid[0] == 1000 && c.uid[3] == 1003 && c.gid[1] == 6, "status: real to fs uid and gid");
	OK(c.ngroups == 0 && c.no_new_privs == -1 && c.seccomp == -1, "status: no groups, the unsaid -1");
	IS_U64(c.cap_prm, 0x1ffffffffffull, "status: full CapPrm");
	OK(parse_proc_status(u, (size_t)(strstr(u, "CapBnd") - u), &c) == -EINVAL,
	   "status without CapBnd fails");
	OK(parse_proc_status(u, strlen(u) - 1, &c) == 0, "status: the last line without its newline");
	const char *twice = "Uid:\t0\t0\t0\t0\nUid:\t5\t5\t5\t5\nGid:\t0\t0\t0\t0\nGroups:\n"
			    "CapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n";
	OK(parse_proc_status(twice, strlen(twice), &c) == -EINVAL, "status: a line twice fails");
	const char *cases[] = {
		"Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t4294967295\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t10000000000000000\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\tffx\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1x\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nNoNewPrivs:\t2\n",
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nSeccomp:\t3\n",
	};
	const char *what[] = {"three uids", "uid -1", "17 hex digits", "junk in a mask",
			      "junk in Groups", "NoNewPrivs 2", "Seccomp 3"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		OK(parse_proc_status(cases[i], strlen(cases[i]), &c) == -EINVAL, "status: %s fails", what[i]);
	struct buf b = {0};
	buf_adds(&b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nGroups:");
	for (int i = 0; i <= PROC_NGROUPS; i++)
		buf_printf(&b, " %d", i);
	buf_addc(&b, '\n');
	OK(parse_proc_status(b.p, b.len, &c) == -E2BIG, "status: more groups than room: E2BIG");
	buf_free(&b);
}

/* docker's -e and --env-file syntax (parse_env.c) */
static void t_env(void)
{
	char *caller[] = {"HOME=/home/u", "LANG=C.UTF-8", "HOMEX=no", NULL};
	char **env = NULL;
	size_t n = 0, line = 99;
	const char file[] = "# a comment\n\nA=1\n  B = x\nC=with=equals and spaces \n  # indented comment\n"
			    "HOME\nUNSET_HERE\nLANG\nD=\r\nE=last";
	int r = parse_env_file(file, sizeof(file) - 1, caller, &env, &n, &line);
	OK(r == -EINVAL && line == 4, "env-file: a space in a KEY is refused with its line (4): r=%d line=%zu", r, line);
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env), env = NULL, n = 0;
	const char good[] = "# a comment\n\nA=1\n  C=with=equals and spaces \n\t# indented comment\n"
			    "HOME\nUNSET_HERE\nLANG\nD=\nE=last";
	r = parse_env_file(good, sizeof(good) - 1, caller, &env, &n, &line);
	OK(r == 0, "env-file: docker's format parses");
	IS_U64(n, 6, "env-file: 6 entries (comments, blanks and an unset bare KEY skipped)");
	const char *want[] = {"A=1", "C=with=equals and spaces ", "HOME=/home/u", "LANG=C.UTF-8", "D=", "E=last"};
	for (size_t i = 0; i < 6 && i < n; i++)
		IS_STR(env[i], want[i], want[i]);
	OK(n < 7 || !env[n], "env-file: NULL-terminated");
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env), env = NULL, n = 0;
	const char *badw[] = {"1A=x", "=x", "A-B=x", "A B", "", "A.B"};
	for (size_t i = 0; i < ARRAY_LEN(badw); i++)
		OK(parse_env_word(badw[i], strlen(badw[i]), caller, &env, &n) == -EINVAL && n == 0,
		   "env word '%s' refused", badw[i]);
	OK(parse_env_word("A\0B=1", 5, caller, &env, &n) == -EINVAL && n == 0, "env word with a NUL refused");
	OK(parse_env_file("A=1\n\0B=2", 9, caller, &env, &n, &line) == -EINVAL && line == 2,
	   "env-file: a NUL byte refused with its line");
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env), env = NULL, n = 0;
	OK(parse_env_word("HOME", 4, NULL, &env, &n) == 0 && n == 0, "bare KEY without a caller's environment: left out");
	static char big[PARSE_ENV_MAX + 2];
	memset(big, '#', sizeof(big));
	OK(parse_env_file(big, sizeof(big), caller, &env, &n, &line) == -EFBIG && n == 0,
	   "env-file over %u bytes: EFBIG before parsing", PARSE_ENV_MAX);
	free(env);
}

/* create --publish and the record's ports (parse_port.c) */
static void t_ports(void)
{
	struct port_map pm;
	const char *why;
	char out[64];
	static const struct {
		const char *in, *canon;
	} good[] = {
		{"18080:8080", "127.0.0.1:18080:8080/tcp"},
		{"0.0.0.0:53:53/udp", "0.0.0.0:53:53/udp"},
		{"10.1.2.3:1:65535/tcp", "10.1.2.3:1:65535/tcp"},
		{"255.255.255.255:65535:1", "255.255.255.255:65535:1/tcp"},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		int r = parse_publish(good[i].in, strlen(good[i].in), &pm, &why);
		if (r == 0)
			port_fmt_spec(&pm, out, sizeof(out));
		OK(r == 0, "--publish %s parses", good[i].in);
		IS_STR(r == 0 ? out : "", good[i].canon, "... to its canonical form");
		OK(r == 0 && parse_publish(out, strlen(out), &pm, &why) == 0, "... which reads back");
	}
	static const char *const bad[] = {
		"", "8080", ":80", "80:", "0:80", "80:0", "65536:80", "80:65536", "080:80", "80:080",
		"+80:80", "-1:80", "80:80/", "80:80/TCP", "80:80/sctp", "80:80/tcp/udp", "1.2.3:80:80",
		"1.2.3.4.5:80:80", "1.2.3.256:80:80", "01.2.3.4:80:80", "1..3.4:80:80", "0x7f.0.0.1:80:80",
		"localhost:80:80", "::1:80:80", "[::1]:80:80", "80-81:80", "80:80-81", " 80:80", "80:80 ",
		"1.2.3.4:80:80:80", "99999999999:80",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		OK(parse_publish(bad[i], strlen(bad[i]), &pm, &why) == -EINVAL && why, "--publish '%s' refused: %s",
		   bad[i], why ? why : "?");
	OK(parse_publish("80:80\0", 6, &pm, &why) == -EINVAL, "--publish with a NUL refused");
	struct jv v;
	const char *js = "[{\"host_ip\":\"127.0.0.1\",\"host_port\":18080,\"container_port\":8080,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"0.0.0.0\",\"host_port\":53,\"container_port\":53,\"proto\":\"udp\"},"
			 "{\"host_ip\":\"1.2.3\",\"host_port\":1,\"container_port\":1,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"1.2.3.4\",\"host_port\":1.5,\"container_port\":1,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"1.2.3.4\",\"host_port\":0,\"container_port\":1,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"1.2.3.4\",\"host_port\":1,\"container_port\":70000,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"1.2.3.4\",\"host_port\":1,\"container_port\":1,\"proto\":\"sctp\"},"
			 "{\"host_ip\":\"1.2.3.4\\u0000x\",\"host_port\":1,\"container_port\":1,\"proto\":\"tcp\"},"
			 "{\"host_ip\":\"1.2.3.4\",\"host_port\":\"1\",\"container_port\":1,\"proto\":\"tcp\"},"
			 "\"1.2.3.4:1:1\",{}]";
	struct port_map ps[PORT_MAX];
	size_t n = 0;
	if (OK(jv_parse(js, strlen(js), &v) == 0, "a record's ports parse as JSON")) {
		n = parse_ports_jv(&v, ps, PORT_MAX);
		jv_free(&v);
	}
	IS_U64(n, 2, "only the two whole and valid entries are kept");
	if (n == 2) {
		port_fmt_spec(&ps[0], out, sizeof(out));
		IS_STR(out, "127.0.0.1:18080:8080/tcp", "... the first");
		port_fmt_spec(&ps[1], out, sizeof(out));
		IS_STR(out, "0.0.0.0:53:53/udp", "... the second");
	}
	OK(parse_ports_jv(NULL, ps, PORT_MAX) == 0, "no ports: none");
}

int main(void)
{
	t_stat();
	t_cgroup();
	t_mountinfo();
	t_keyed();
	t_limits();
	t_psi_io();
	t_nslink();
	t_idmap();
	t_status();
	t_env();
	t_ports();
	return tap_done();
}
