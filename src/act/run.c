// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The actions as the CLI and the TUI call them: the act_* call plus its
 * audit record, so both front ends log the same thing. A refusal before
 * anything was written (bad input, exit 2) is not an action and is not
 * logged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collect/parse.h"
#include "act.h"

static void record(struct audit *a, struct sysroot *sr, const char *action,
		   const struct act_target *t, const char *old_obj, const char *new_obj, int r,
		   const struct nerr *e)
{
	if (r < 0 && act_exit_code(e) == 2)
		return;
	struct audit_rec rec = {.action = action, .target = t, .old_obj = old_obj,
				.new_obj = new_obj, .err = r < 0 ? e : NULL};
	audit_record(a, sr, &rec);
}

int run_limit(struct sysroot *sr, struct audit *a, const struct act_target *t,
	      const struct limits *want, bool force, struct limits *old, struct nerr *e)
{
	int r = act_limit(sr, t, want, force, old, e);
	struct buf ob = {0}, nb = {0};
	limits_json(&ob, old, want);
	limits_json(&nb, want, want);
	record(a, sr, "limit", t, buf_str(&ob), buf_str(&nb), r, e);
	buf_free(&ob);
	buf_free(&nb);
	return r;
}

int run_freeze(struct sysroot *sr, struct audit *a, const struct act_target *t, bool freeze,
	       double timeout, int *before, struct nerr *e)
{
	*before = act_frozen(sr, t);
	int r = act_freeze(sr, t, freeze, timeout, e);
	char ob[64], nb[64];
	snprintf(ob, sizeof(ob), "{\"frozen\":%s}",
		 *before == 1 ? "true" : *before == 0 ? "false" : "null");
	snprintf(nb, sizeof(nb), "{\"frozen\":%s}", freeze ? "true" : "false");
	record(a, sr, freeze ? "freeze" : "thaw", t, ob, nb, r, e);
	return r;
}

int run_kill(struct sysroot *sr, struct audit *a, const struct act_target *t, int sig,
	     double grace, struct kill_result *kr, struct nerr *e)
{
	int r = act_kill(sr, t, sig, grace, kr, e);
	char nb[200];
	snprintf(nb, sizeof(nb),
		 "{\"signal\":\"%s\",\"grace\":%g,\"processes\":%zu,\"signalled\":%u,\"escalated\":%s,\"remaining\":%zu}",
		 sig_name(sig), grace, kr->before, kr->signalled, kr->escalated ? "true" : "false",
		 kr->remain);
	record(a, sr, "kill", t, NULL, nb, r, e);
	return r;
}

int run_kill_pid(struct sysroot *sr, struct audit *a, pid_t pid, uint64_t start, int sig,
		 struct nerr *e)
{
	char word[64];
	snprintf(word, sizeof(word), "%d@%llu", (int)pid, (unsigned long long)start);
	struct act_target t = {.pid = pid, .word = word};
	int r = act_kill_pid(sr, pid, start, sig, e);
	char nb[64];
	snprintf(nb, sizeof(nb), "{\"signal\":\"%s\",\"processes\":%d}", sig_name(sig), r ? 0 : 1);
	record(a, sr, "kill", &t, NULL, nb, r, e);
	return r;
}

/* create's record: what was made (or tried: the target is the name alone
 * when nothing was made); a refusal of the input is not recorded */
static int create_recorded(struct sysroot *sr, struct audit *a, const struct create_opts *o,
			   struct create_result *res, struct act_target *t, struct nerr *e)
{
	int r = act_create(sr, o, res, t, e);
	struct buf nb = {0};
	struct json j;
	json_init(&j, &nb, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "id", res->id);
	json_i64(&j, "pid", res->pid);
	if (o->rootfs)
		json_str(&j, "rootfs", o->rootfs);
	json_str(&j, "net", o->net == NET_HOST ? "host" : o->net == NET_VETH ? "veth" : "none");
	if (res->veth[0])
		json_str(&j, "veth", res->veth);
	if (o->nports) {
		json_arr_begin(&j, "publish");
		for (size_t i = 0; i < o->nports; i++) {
			char sp[64];
			port_fmt_spec(&o->ports[i], sp, sizeof(sp));
			json_str(&j, NULL, sp);
		}
		json_arr_end(&j);
		if (res->proxy > 0) {
			json_i64(&j, "proxy_pid", res->proxy);
			json_u64(&j, "proxy_uid", res->proxy_uid);
		}
	}
	json_bool(&j, "privileged", o->privileged);
	if (o->user_set) {
		char u[32];
		snprintf(u, sizeof(u), "%u:%u", (unsigned)o->uid, (unsigned)o->gid);
		json_str(&j, "user", u);
	}
	if (o->workdir)
		json_str(&j, "workdir", o->workdir);
	if (o->rm)
		json_bool(&j, "rm", true);
	json_obj_end(&j);
	struct act_target at = {.word = (char *)o->name, .rt = RT_NSTOP, .name = (char *)o->name};
	record(a, sr, "create", r == 0 ? t : &at, NULL, buf_str(&nb), r, e);
	buf_free(&nb);
	return r;
}

/*
 * A create is made whole or undone, then recorded: the signals that end a
 * process by default (^C, ^\, a hangup, a TERM) wait until then, as kill's
 * do between freeze and thaw; the faults are left alone. A signal that came
 * meanwhile ends nstop right after, with the container complete or gone.
 */
int run_create(struct sysroot *sr, struct audit *a, const struct create_opts *o,
	       struct create_result *res, struct act_target *t, struct nerr *e)
{
	sigset_t block, old;
	sigfillset(&block);
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
	for (size_t i = 0; i < ARRAY_LEN(faults); i++)
		sigdelset(&block, faults[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	int r = create_recorded(sr, a, o, res, t, e);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int run_rm(struct sysroot *sr, struct audit *a, const char *name, const char *expect_id,
	   double grace, struct act_target *t, struct nerr *e)
{
	int r = act_rm(sr, name, expect_id, grace, t, e);
	char nb[64];
	snprintf(nb, sizeof(nb), "{\"grace\":%g}", grace);
	record(a, sr, "rm", t, NULL, nb, r, e);
	return r;
}
