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
int cmd_rm(int argc, char **argv, const struct globalopts *g);
int cmd_logs(int argc, char **argv, const struct globalopts *g);
int cmd_enter(int argc, char **argv, const struct globalopts *g);
/* cli_metrics.c */
int cmd_metrics(int argc, char **argv, const struct globalopts *g);
/* cli_serve.c */
int cmd_serve(int argc, char **argv, const struct globalopts *g);

#endif
