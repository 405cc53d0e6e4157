/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cli layer: the batch subcommands main dispatches to (cli.c, cli_act.c,
 * cli_ctr.c, cli_metrics.c), beside the dashboard. */
#ifndef NSTOP_CLI_H
#define NSTOP_CLI_H

#include "act/act.h"

/* ---- cli.c: batch subcommands ---- */
struct globalopts {
	const char *sysroot;
};
int cmd_ns(int argc, char **argv, const struct globalopts *g);
int cmd_cgroups(int argc, char **argv, const struct globalopts *g);
int cmd_ps(int argc, char **argv, const struct globalopts *g);
int cmd_snapshot(int argc, char **argv, const struct globalopts *g);
int cmd_containers(int argc, char **argv, const struct globalopts *g);
/* cli_act.c */
int cmd_limit(int argc, char **argv, const struct globalopts *g);
int cmd_freeze(int argc, char **argv, const struct globalopts *g);
int cmd_thaw(int argc, char **argv, const struct globalopts *g);
int cmd_kill(int argc, char **argv, const struct globalopts *g);
int cmd_undo(int argc, char **argv, const struct globalopts *g);
int cmd_audit(int argc, char **argv, const struct globalopts *g);
void cli_audit_open(const char *cmd, const char *path, struct audit *a);
void cli_need_root(const char *cmd, int code);
void cli_bad_option(const char *cmd, char **argv, int optopt_) __attribute__((noreturn));
int cli_cgroup_depth(const char *cmd, const char *arg);
/* cli_ctr.c */
int cmd_create(int argc, char **argv, const struct globalopts *g);
int cmd_create_internal(int argc, char **argv, const struct globalopts *g);
int cmd_proxy_internal(int argc, char **argv, const struct globalopts *g);
int cmd_rm(int argc, char **argv, const struct globalopts *g);
int cmd_logs(int argc, char **argv, const struct globalopts *g);
int cmd_enter(int argc, char **argv, const struct globalopts *g);
/* cli_metrics.c */
int cmd_metrics(int argc, char **argv, const struct globalopts *g);
/* cli_serve.c */
int cmd_serve(int argc, char **argv, const struct globalopts *g);
/* cli_help.c: each subcommand's help, the one table help and completions print */
#include <stdio.h>
struct cli_opt {
	const char *flags;      /* "-m, --memory" */
	const char *arg;        /* its value ("SIZE"), NULL: none */
	const char *help;       /* one line */
};
struct cli_help {
	const char *name, *summary, *usage, *about;
	const struct cli_opt *opts; /* ends with a NULL flags */
	const char *example;
	bool runs_cmd;          /* create, enter: the second word on is a command's */
};
extern const struct cli_help cli_helps[];
const struct cli_help *cli_help_find(const char *name);
bool cli_help_wanted(const struct cli_help *h, int argc, char **argv);
void cli_help_print(FILE *f, const struct cli_help *h);
int cmd_help(int argc, char **argv, const struct globalopts *g);
int cmd_complete(int argc, char **argv, const struct globalopts *g);
/* cli_record.c: nstop record; the listings' --replay, the actions' refusal of it */
int cmd_record(int argc, char **argv, const struct globalopts *g);
#define REC_DEFAULT_DIR "/var/lib/nstop/history"
/* cli_image.c: nstop image import|ls|rm */
int cmd_image(int argc, char **argv, const struct globalopts *g);
/* cli_events.c: nstop events */
int cmd_events(int argc, char **argv, const struct globalopts *g);
struct snap *cli_replay(const char *cmd, const char *path, const char *at, struct users *u,
			struct snap **prev, int64_t *time_usec);
void cli_json_time(struct json *j, const char *key, int64_t usec);
void cli_no_replay(const char *cmd, int argc, char **argv);
void cli_replay_opts(const char *cmd, const char *replay, const char *at, bool interval_set,
		     uint64_t count);

#endif
