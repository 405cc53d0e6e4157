// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the actions' pure parts: limit parsing and its round trip
 * through the audit log's form, signal names, the JSON reader, and how an
 * error's kind (not its errno) decides the exit code. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act/act.h"
#include "tap.h"

static int lp(enum limit_key k, const char *s, struct limit_val *v)
{
	struct nerr e = {0};
	return limit_parse(k, s, v, &e);
}

static void t_limits(void)
{
	struct limit_val v;
	OK(lp(LIM_CPU, "1", &v) == 0 && v.v == 100000 && v.period == 100000, "cpu 1 = 100000/100000");
	OK(lp(LIM_CPU, "50%", &v) == 0 && v.v == 50000, "cpu 50%% = 50000");
	OK(lp(LIM_CPU, "0.2", &v) == 0 && v.v == 20000, "cpu 0.2 = 20000");
	OK(lp(LIM_CPU, "max", &v) == 0 && v.max, "cpu max");
	OK(lp(LIM_CPU, "1%", &v) == 0 && v.v == 1000, "cpu 1%% is the 1 ms minimum");
	const char *bad_cpu[] = {"abc", "-5%", "0", "0%", "0.5%", "1e12", "", "1.5.5", "50%%", "nan", "inf"};
	for (size_t i = 0; i < ARRAY_LEN(bad_cpu); i++)
		OK(lp(LIM_CPU, bad_cpu[i], &v) == -EINVAL && !v.set, "cpu '%s' refused", bad_cpu[i]);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char more[32];
	snprintf(more, sizeof(more), "%ld", ncpu + 1);
	OK(lp(LIM_CPU, more, &v) == -EINVAL, "cpu above the host's CPUs refused");
	OK(lp(LIM_MEM, "512M", &v) == 0 && v.v == 512ull << 20, "memory 512M");
	OK(lp(LIM_MEM, "max", &v) == 0 && v.max, "memory max");
	const char *bad_mem[] = {"1Q", "-1", "99999999T", "", "12", "1.5"};
	for (size_t i = 0; i < ARRAY_LEN(bad_mem); i++)
		OK(lp(LIM_MEM, bad_mem[i], &v) == -EINVAL, "memory '%s' refused", bad_mem[i]);
	OK(lp(LIM_SWAP, "0", &v) == 0 && v.v == 0 && !v.max, "swap 0 is allowed");
	OK(lp(LIM_PIDS, "10", &v) == 0 && v.v == 10, "pids 10");
	OK(lp(LIM_PIDS, "max", &v) == 0 && v.max, "pids max");
	const char *bad_pids[] = {"-1", "0", "99999999999", "ten", "1.5"};
	for (size_t i = 0; i < ARRAY_LEN(bad_pids); i++)
		OK(lp(LIM_PIDS, bad_pids[i], &v) == -EINVAL, "pids '%s' refused", bad_pids[i]);
	/* the audit log's form reads back to the same value */
	const char *forms[][2] = {{"cpu", "20000 100000"}, {"cpu", "max 100000"}, {"memory", "67108864"},
				  {"memory", "max"}, {"pids", "10"}, {"swap", "0"}};
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		int k = limit_key_parse(forms[i][0]);
		char out[64];
		OK(k >= 0 && limit_unfmt(k, forms[i][1], &v) == 0, "unfmt %s '%s'", forms[i][0], forms[i][1]);
		limit_fmt(k, &v, out, sizeof(out));
		IS_STR(out, forms[i][1], "fmt round trip");
	}
	OK(limit_unfmt(LIM_CPU, "20000", &v) < 0, "cpu needs a period");
	OK(limit_unfmt(LIM_MEM, "1 2", &v) < 0, "memory has one field");
}

static void t_signals(void)
{
	OK(sig_parse("TERM") == SIGTERM && sig_parse("sigkill") == SIGKILL && sig_parse("9") == SIGKILL,
	   "signal names, SIG prefix, numbers");
	OK(sig_parse("FROB") < 0 && sig_parse("0") < 0 && sig_parse("999") < 0, "bad signals refused");
	IS_STR(sig_name(SIGUSR1), "USR1", "signal name");
}

static void t_jsonr(void)
{
	struct jv v;
	const char *doc = "{\"a\":\"x\\u00e9\\n\",\"n\":-12.5e1,\"b\":[true,false,null],\"o\":{\"k\":\"v\"}}";
	OK(jv_parse(doc, strlen(doc), &v) == 0, "parses a document");
	IS_STR(jv_str(&v, "a"), "x\xc3\xa9\n", "\\u escapes decode to UTF-8");
	double d;
	OK(jv_num(&v, "n", &d) && d == -125, "numbers");
	const struct jv *b = jv_get(&v, "b");
	OK(b && b->type == JV_ARR && b->n == 3 && b->kids[0].b && !b->kids[1].b &&
	   b->kids[2].type == JV_NULL, "arrays, booleans, null");
	IS_STR(jv_str(jv_get(&v, "o"), "k"), "v", "nested objects");
	struct buf out = {0};
	struct json j;
	json_init(&j, &out, false);
	jv_write(&j, NULL, &v);
	IS_STR(buf_str(&out), "{\"a\":\"x\xc3\xa9\\\\x0a\",\"n\":-12.5e1,\"b\":[true,false,null],\"o\":{\"k\":\"v\"}}",
	       "written back (a control byte as escaped text, like every output)");
	buf_free(&out);
	jv_free(&v);
	const char *bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":\"\x01\"}", "tru", "{} x",
			     "\"\\q\"", "-", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		OK(jv_parse(bad[i], strlen(bad[i]), &v) < 0, "refuses '%s'", bad[i]);
}

/*
 * act_need_root as a normal user: run in a child that drops to nobody, with
 * its stderr on a pipe. The child reports through its exit status, so a
 * library exit() (the old behaviour: status 1 and a message) cannot pass.
 */
static void t_need_root(void)
{
	int pfd[2];
	if (pipe(pfd) < 0) {
		OK(0, "pipe for act_need_root's child");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 2);
		if (geteuid() == 0 && (setresgid(65534, 65534, 65534) < 0 ||
				       setresuid(65534, 65534, 65534) < 0))
			_exit(10);
		struct nerr e = {0};
		int r = act_need_root("kill", &e);
		if (r != -EPERM || e.code != -EPERM || e.kind != NERR_SYSTEM || act_exit_code(&e) != 1)
			_exit(11);
		if (strcmp(e.msg, "needs root (it writes cgroup files, signals other users' processes: CAP_KILL)"))
			_exit(12);
		r = act_need_root("enter", &e);
		if (r != -EPERM || !strstr(e.msg, "makes or joins namespaces: CAP_SYS_ADMIN"))
			_exit(13);
		_exit(42);
	}
	close(pfd[1]);
	char out[256];
	ssize_t n = pid > 0 ? read(pfd[0], out, sizeof(out)) : -1;
	close(pfd[0]);
	int st = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	OK(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	   "act_need_root as nobody returns -EPERM, kind system, in nerr (child status %d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	OK(n == 0, "act_need_root printed nothing (%zd bytes on stderr)", n);
	struct nerr e = {0};
	if (geteuid() == 0)
		OK(act_need_root("kill", &e) == 0 && !e.code && !e.msg[0], "act_need_root as root: 0, e untouched");
}

static void t_kinds(void)
{
	struct nerr e = {0};
	OK(nerr_set(&e, -EIO, "x %d", 1) == -EIO && e.code == -EIO && !strcmp(e.msg, "x 1"),
	   "nerr_set returns its code and fills e");
	OK(e.kind == NERR_SYSTEM && act_exit_code(&e) == 1, "a system failure exits 1");
	OK(nerr_input(&e, -ENOENT, "no %s", "such") == -ENOENT && e.code == -ENOENT &&
	   !strcmp(e.msg, "no such"), "nerr_input returns its code and fills e");
	OK(e.kind == NERR_INPUT && act_exit_code(&e) == 2, "an input fault exits 2, whatever its errno");
	OK(nerr_set(NULL, -EPERM, "ignored") == -EPERM && nerr_input(NULL, -E2BIG, "ignored") == -E2BIG,
	   "a NULL nerr still returns the code");
	struct nerr k = {.code = -EINVAL, .kind = NERR_SYSTEM};
	OK(act_exit_code(&k) == 1, "a kernel refusal with -EINVAL is not the input's fault: exit 1");
	OK(nerr_set(&e, -EINVAL, "cgroup.freeze: %s", "Invalid argument") == -EINVAL &&
	   e.kind == NERR_SYSTEM && act_exit_code(&e) == 1,
	   "nerr_set(-EINVAL), as for a kernel refusal, exits 1");
	OK(err_vanished(-ENOENT) && err_vanished(ESRCH) && !err_vanished(-EINVAL) && !err_vanished(0),
	   "err_vanished: ENOENT and ESRCH, either sign");
}

/* kill --pid of a pid that is not there: the input's fault (exit 2), with
 * the errno that says so, not an -EINVAL stand-in. */
static void t_kill_gone(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, NULL, &e) < 0) {
		OK(0, "sysroot_open: %s", e.msg);
		return;
	}
	int r = act_kill_pid(&sr, pid, 0, SIGTERM, &e);
	/* a pid reused meanwhile is signalled only if it is ours to kill: the
	 * pid was our own reaped child, reuse within microseconds is unlikely */
	OK(r == -ESRCH && e.code == -ESRCH && e.kind == NERR_INPUT && act_exit_code(&e) == 2,
	   "kill of a reaped pid: -ESRCH, input, exit 2 (%d: %s)", r, e.msg);
	OK(act_kill_pid(&sr, 1, 0, SIGTERM, &e) == -EINVAL && act_exit_code(&e) == 2,
	   "kill of pid 1 refused as input (%s)", e.msg);
	sysroot_close(&sr);
}

/* docker's --memory-swap (memory plus swap) as nstop's swap alone; -u */
static void t_docker(void)
{
	struct limit_val m, sw;
	struct nerr e = {0};
	OK(lp(LIM_MEM, "64m", &m) == 0 && m.v == 64ull << 20, "docker's 64m is 64 MiB");
	OK(lp(LIM_MEM, "1g", &m) == 0 && m.v == 1ull << 30, "docker's 1g is 1 GiB");
	OK(lp(LIM_MEM, "65536b", &m) == 0 && m.v == 65536, "docker's 65536b is bytes");
	lp(LIM_MEM, "64m", &m);
	OK(limit_memory_swap(&m, "96m", &sw, &e) == 0 && sw.set && !sw.max && sw.v == 32ull << 20,
	   "--memory-swap 96m with 64m: swap 32 MiB");
	OK(limit_memory_swap(&m, "64m", &sw, &e) == 0 && sw.set && sw.v == 0, "--memory-swap equal to the memory: no swap");
	OK(limit_memory_swap(&m, "-1", &sw, &e) == 0 && sw.set && sw.max, "--memory-swap -1: unlimited");
	OK(limit_memory_swap(&m, "32m", &sw, &e) == -EINVAL && !sw.set && e.kind == NERR_INPUT,
	   "--memory-swap below the memory refused as the input's fault");
	const char *bad[] = {"", "abc", "-2", "max", "1Q", "99999999T"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		OK(limit_memory_swap(&m, bad[i], &sw, &e) == -EINVAL && !sw.set, "--memory-swap '%s' refused", bad[i]);
	struct limit_val none = {0};
	OK(limit_memory_swap(&none, "1g", &sw, &e) == -EINVAL, "--memory-swap without a memory refused");
	uid_t u;
	gid_t g;
	OK(create_user_parse("1234", &u, &g, &e) == 0 && u == 1234 && g == 1234, "-u 1234: gid 1234 too");
	OK(create_user_parse("0:5", &u, &g, &e) == 0 && u == 0 && g == 5, "-u 0:5");
	const char *badu[] = {"root", "", ":", "1:", ":1", "1:x", "4294967295", "-1", "1:2:3", "99999999999999999999"};
	for (size_t i = 0; i < ARRAY_LEN(badu); i++)
		OK(create_user_parse(badu[i], &u, &g, &e) == -EINVAL, "-u '%s' refused", badu[i]);
}

int main(void)
{
	t_limits();
	t_signals();
	t_jsonr();
	t_kinds();
	t_need_root();
	t_kill_gone();
	t_docker();
	return tap_done();
}
