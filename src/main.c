// SPDX-License-Identifier: GPL-2.0-or-later
/* nstop: option parsing and dispatch to a batch listing, an action or the dashboard. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "output.h"
#include "ui/dashboard.h"
#include "cli.h"

static const char usage_text[] =
	"Usage: nstop [--sysroot DIR] [-d SEC] [-r] [--no-color] [--no-mouse] [--audit-log FILE]\n"
	"       nstop [--sysroot DIR] COMMAND [OPTIONS]\n"
	"\n"
	"A live dashboard of Linux namespaces, cgroups and containers; without a\n"
	"command it opens the dashboard (keys: ? inside it).\n"
	"\n"
	"Dashboard options:\n"
	"  -d, --interval SEC   refresh interval (default 1)\n"
	"  -r, --read-only      disable the action keys\n"
	"  --no-color           no colors (also NO_COLOR)\n"
	"  --no-mouse           leave the mouse to the terminal (no clicks, no wheel)\n"
	"  --audit-log FILE     where the action keys log (default /var/log/nstop/actions.log)\n"
	"  --no-config          ignore the config file (~/.config/nstop/config, /etc/nstop.conf)\n"
	"  --help-keys          list the dashboard's keys and exit\n"
	"  --replay PATH [--at TIME]  the dashboard on a recording (nstop record): [ ] step\n"
	"  --bench-refresh K [--bench-view VIEW]  K refreshes without a terminal, CPU of each\n"
	"\n"
	"Commands:\n"
	"  ns        list namespaces, as lsns(8) does\n"
	"  cgroups   list cgroups with CPU, memory, I/O, limits and throttling\n"
	"  ps        list processes with their namespaces and cgroup\n"
	"  snapshot  everything in one JSON document\n"
	"  containers  containers of every runtime, with their cgroup's figures\n"
	"  limit     set CPU, memory and pids limits of each TARGET\n"
	"  freeze    freeze each TARGET (thaw: the reverse)\n"
	"  thaw      thaw each frozen TARGET\n"
	"  kill      signal each whole TARGET, or one process by --pid PID[@START]\n"
	"  undo      restore the limits before the last limit change\n"
	"  audit     print the audit log of actions\n"
	"  create    make a container: NAME [options] [-- CMD...]\n"
	"  enter     run CMD (or a shell) in a TARGET's namespaces\n"
	"  rm        remove nstop containers\n"
	"  logs      a container's output\n"
	"  metrics   the state in the Prometheus text format, for a scraper or node_exporter\n"
	"  serve     the metrics over HTTP for Prometheus (GET /metrics), until SIGTERM\n"
	"  help      a command's usage, options and an example: help COMMAND\n"
	"  record    append samples of everything to a history directory, for --replay\n"
	"  events    exits, OOM kills, container starts and exits, actions: one line each\n"
	"  image     container images: import PATH, ls, rm NAME\n"
	"\n"
	"Global options:\n"
	"  --sysroot DIR   read DIR/proc and DIR/sys/fs/cgroup instead of the live ones\n"
	"  -h, --help      show this help (COMMAND --help, or help COMMAND: its own)\n"
	"  -V, --version   show the version\n"
	"\n"
	"ns options:\n"
	"  -t, --type TYPE          only this type (cgroup ipc mnt net pid time user uts); repeatable\n"
	"  --tree owner|parent      nest namespaces under their owning user namespace or parent\n"
	"cgroups options:\n"
	"  -d, --interval SEC       sampling interval for rates (default 1)\n"
	"  -n, --count COUNT        print COUNT samples (default 1)\n"
	"  --depth N|all            rows down to depth N (default 3, as systemd-cgtop's); all: every cgroup\n"
	"ps options:\n"
	"  --ns INODE               only processes in this namespace\n"
	"  --cgroup PATH            only processes directly in this cgroup\n"
	"  -d, --interval SEC       CPU %% over SEC instead of the lifetime average\n"
	"containers options:\n"
	"  -d, --interval SEC       sampling interval for rates (default 1)\n"
	"  --by-pod                 each Kubernetes pod's containers together after a row of its totals\n"
	"snapshot options:\n"
	"  -d, --interval SEC       take two snapshots SEC apart, for rates\n"
	"metrics options:\n"
	"  --textfile DIR           write DIR/nstop.prom atomically (node_exporter's textfile collector)\n"
	"  --cgroup-depth N         per-cgroup series down to depth N (default 3, 0: the root only)\n"
	"serve options:\n"
	"  --listen ADDR:PORT       where to listen (default 127.0.0.1:9847; [::1]:PORT for IPv6)\n"
	"  --tls-cert FILE --tls-key FILE  serve HTTPS (the key file mode 600)\n"
	"  --web-config FILE        basic auth: exporter-toolkit's basic_auth_users (bcrypt)\n"
	"  --allow-host NAME        a Host name served without users (default: addresses, localhost)\n"
	"  --insecure               allow a non-loopback address without TLS and authentication\n"
	"  --cgroup-depth N         as for metrics\n"
	"record options:\n"
	"  -d, --interval SEC       between samples (default 1)\n"
	"  -o, --output DIR         the history directory (default /var/lib/nstop/history, root)\n"
	"  --max-size SIZE          the directory's recordings at most (default 256M; oldest deleted)\n"
	"  --duration SEC           stop after SEC (default: until SIGTERM or SIGINT)\n"
	"  --audit-log FILE         the actions recorded with the events\n"
	"events options:\n"
	"  -f, --follow             as they happen, until SIGTERM or --until\n"
	"  --since TIME, --until TIME  RFC 3339, HH:MM[:SS] of today, -5m\n"
	"  --json                   one JSON object a line\n"
	"  --replay FILE|DIR        a recording's events (not with -f)\n"
	"Actions (TARGET: /cgroup/path, a PID, a container name, id or id prefix):\n"
	"  limit TARGET [--cpu 1.5|50%%|max] [--memory SIZE|max] [--memory-high SIZE|max]\n"
	"               [--swap SIZE|max] [--pids N|max] [--force]\n"
	"               (docker's --cpus, -m, --pids-limit too; limit, freeze, thaw, kill: TARGET...)\n"
	"  freeze|thaw TARGET [--timeout SEC]\n"
	"  kill TARGET [-s|--signal SIG] [--grace SEC]\n"
	"  kill --pid PID[@START] [-s|--signal SIG]\n"
	"  undo [TARGET]\n"
	"  audit [-J|--json]\n"
	"  every action takes --audit-log FILE\n"
	"Containers:\n"
	"  create NAME [--ns LIST] [--image NAME] [--rootfs DIR] [--hostname H] [--cgroup-parent PATH]\n"
	"         [--cpu X] [--memory SIZE] [--pids N] [--net none|host|veth[:ADDR/PREFIX]]\n"
	"         [--privileged] [-e|--env KEY=VALUE] [--env-file FILE]\n"
	"         [--bind SRC[:DST][:ro|rw]] [-- CMD [ARG...]]\n"
	"         docker's spellings too: --cpus, -m, --pids-limit, --memory-swap, -w, -u, --rm\n"
	"  enter TARGET [--ns LIST] [--privileged] [-T|--no-tty] [-- CMD [ARG...]]\n"
	"         (a pty of its own on a terminal, no more privilege than TARGET;\n"
	"         -i, -t, --interactive, --tty accepted; exit 125/126/127 as docker exec)\n"
	"  rm NAME... [-f] [--grace SEC]\n"
	"  logs TARGET [-f|--follow] [--tail N] [--since TIME] [-t|--timestamps]\n"
	"Listing options (ns, cgroups, ps, containers; --json also for snapshot):\n"
	"  -J, --json               JSON output\n"
	"  -o, --output LIST        columns to show (comma-separated; +LIST adds to the default)\n"
	"  -H, --noheadings         no header line\n"
	"  --list-columns           list the available columns and exit\n"
	"  --replay PATH            from a recording (a file or a history directory), not live\n"
	"  --at TIME                its sample at TIME: RFC 3339, HH:MM[:SS] of its last day,\n"
	"                           -DURATION before its end (-5m); default its last sample\n"
	"\n"
	"Exit status: 0 ok, 1 a failed action or collection, 2 bad usage or input.\n"
	"See nstop(8).\n";

/* nstop [-d SEC] [-r] [--no-color]: the dashboard's own options. */
static int dashboard(int argc, char **argv, const struct globalopts *g)
{
	struct uiopts o = {.sysroot = g->sysroot, .interval = 1};
	int bench = 0;
	const char *bench_view = "containers";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct buf b = {0};
		if (!strcmp(a, "-d") || !strcmp(a, "--interval")) {
			if (i + 1 >= argc || str_parse_seconds(argv[i + 1], &o.interval) < 0 ||
			    o.interval < 0.1)
				usage_error("-d: not a number of seconds (0.1 to 86400)");
			o.interval_set = true;
			i++;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--read-only")) {
			o.readonly = true;
		} else if (!strcmp(a, "--no-color")) {
			o.nocolor = true;
		} else if (!strcmp(a, "--no-mouse")) {
			o.nomouse = true;
		} else if (!strcmp(a, "--audit-log") && i + 1 < argc) {
			o.audit_log = argv[++i];
		} else if (!strcmp(a, "--no-config")) {
			continue;
		} else if (!strcmp(a, "--bench-refresh") && i + 1 < argc) {
			uint64_t k;
			if (str_parse_u64(argv[i + 1], &k) < 0 || k < 1 || k > 100000)
				usage_error("--bench-refresh: a count of refreshes");
			bench = (int)k;
			i++;
		} else if (!strcmp(a, "--bench-view") && i + 1 < argc) {
			bench_view = argv[++i];
		} else if ((!strcmp(a, "--replay") || !strcmp(a, "--at")) && i + 1 < argc) {
			*(a[2] == 'r' ? &o.replay : &o.at) = argv[++i];
		} else if (!strncmp(a, "--replay=", 9)) {
			o.replay = a + 9;
		} else if (!strcmp(a, "--sysroot") && i + 1 < argc) {
			o.sysroot = argv[++i];
		} else if (!strncmp(a, "--sysroot=", 10)) {
			o.sysroot = a + 10;
		} else {
			str_escape(&b, a, strlen(a), ESC_TEXT);
			usage_error("unknown option: %s (see nstop --help)", buf_str(&b));
		}
	}
	if (o.at && !o.replay)
		usage_error("--at: only with --replay PATH");
	if (o.replay && (o.interval_set || o.sysroot || bench))
		usage_error("--replay: not with %s (a recording's samples are what they were)",
			    o.interval_set ? "-d" : o.sysroot ? "--sysroot" : "--bench-refresh");
	if (bench)
		return ui_bench(&o, bench, bench_view);
	return ui_run(&o);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* never run with privileges the caller does not have */
	if (getauxval(AT_SECURE)) {
		fputs("nstop: refusing to run set-uid or set-gid: run it as the user you are\n",
		      stderr);
		return 1;
	}
	struct globalopts g = {0};
	bool no_config = false;
	config_init();
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-d") || !strcmp(a, "--interval") || !strcmp(a, "-r") ||
		    !strcmp(a, "--read-only") || !strcmp(a, "--no-color") || !strcmp(a, "--audit-log") || !strcmp(a, "--no-mouse") ||
		    !strcmp(a, "--bench-refresh") || !strcmp(a, "--replay") || !strncmp(a, "--replay=", 9) ||
		    !strcmp(a, "--at"))
			break; /* the dashboard's options */
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf(usage_text);
			return 0;
		}
		if (!strcmp(a, "--help-keys")) {
			for (size_t k = 0; k < ui_nkeys; k++)
				printf("%-10s %s\n", ui_keys[k].name, ui_keys[k].help);
			return 0;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("nstop %s\n", NSTOP_VERSION);
			return 0;
		}
		if (!strcmp(a, "--no-config")) {
			no_config = true;
			continue;
		}
		if (!strcmp(a, "--sysroot")) {
			if (i + 1 >= argc)
				usage_error("--sysroot: a directory is required");
			g.sysroot = argv[++i];
			continue;
		}
		if (!strncmp(a, "--sysroot=", 10)) {
			g.sysroot = a + 10;
			continue;
		}
		struct buf b = {0};
		str_escape(&b, a, strlen(a), ESC_TEXT);
		usage_error("unknown option: %s (see nstop --help)", buf_str(&b));
	}
	/* --no-config may also come among the dashboard's options */
	for (int k = i; k < argc; k++)
		if (!strcmp(argv[k], "--no-config"))
			no_config = true;
		else if (!strcmp(argv[k], "--"))
			break;
	if (!no_config) {
		/* the config file's warnings, one a line: printed here, before
		 * any subcommand or the dashboard owns the terminal */
		struct buf warn = {0};
		config_load(&warn);
		for (const char *l = warn.p; l && *l;) {
			size_t n = strcspn(l, "\n");
			fprintf(stderr, "nstop: %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		buf_free(&warn);
	}
	if (i >= argc || argv[i][0] == '-')
		return dashboard(argc - i, argv + i, &g);
	const char *cmd = argv[i];
	int sub_argc = argc - i;
	char **sub_argv = argv + i;
	static const struct {
		const char *name;
		int (*fn)(int, char **, const struct globalopts *);
	} cmds[] = {
		{"ns", cmd_ns},
		{"cgroups", cmd_cgroups},
		{"ps", cmd_ps},
		{"snapshot", cmd_snapshot},
		{"containers", cmd_containers},
		{"limit", cmd_limit},
		{"freeze", cmd_freeze},
		{"thaw", cmd_thaw},
		{"kill", cmd_kill},
		{"undo", cmd_undo},
		{"audit", cmd_audit},
		{"create", cmd_create},
		{"rm", cmd_rm},
		{"logs", cmd_logs},
		{"enter", cmd_enter},
		{"metrics", cmd_metrics},
		{"serve", cmd_serve},
		{"record", cmd_record},
		{"events", cmd_events},
		{"image", cmd_image},
		{"_create", cmd_create_internal}, /* the dashboard's create: in no help */
		{"_proxy", cmd_proxy_internal}, /* create --publish's proxy: in no help */
		{"help", cmd_help},
		{"_complete", cmd_complete}, /* the shell completions' words: in no help */
	};
	/* SUB -h, SUB --help: cli_help.c's table, before SUB parses anything */
	const struct cli_help *h = cli_help_find(cmd);
	if (h && cli_help_wanted(h, sub_argc, sub_argv)) {
		cli_help_print(stdout, h);
		return 0;
	}
	/* actions and their kin refuse a recording, saying why */
	static const char *const live_only[] = {"limit", "freeze", "thaw", "kill", "undo", "create",
						"rm", "enter", "logs", "metrics", "serve", "record", "image"};
	for (size_t k = 0; k < ARRAY_LEN(live_only); k++)
		if (!strcmp(cmd, live_only[k]))
			cli_no_replay(cmd, sub_argc, sub_argv);
	for (size_t k = 0; k < ARRAY_LEN(cmds); k++)
		if (!strcmp(cmd, cmds[k].name)) {
			int rc = cmds[k].fn(sub_argc, sub_argv, &g);
			if (rc < 0) /* nstop help without a COMMAND */
				printf(usage_text);
			return rc < 0 ? 0 : rc;
		}
	struct buf b = {0};
	str_escape(&b, cmd, strlen(cmd), ESC_TEXT);
	usage_error("unknown command: %s (see nstop --help)", buf_str(&b));
}
