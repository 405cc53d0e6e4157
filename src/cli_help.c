// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Each subcommand's help: one table that `nstop SUB --help`, `nstop help
 * SUB` and the shell completions (through `nstop _complete`) all print
 * from, so none of them can drift from another. The cli suite checks the
 * table against the parsers and the man page.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define LISTING_OPTS                                                                      \
	{"-J, --json", NULL, "JSON output"},                                              \
	{"-o, --output", "LIST", "columns to show (comma-separated; +LIST adds to the default)"}, \
	{"-H, --noheadings", NULL, "no header line"},                                     \
	{"--list-columns", NULL, "list the available columns and exit"}
#define REPLAY_OPTS                                                                       \
	{"--replay", "FILE|DIR", "read a recording (nstop record) instead of the live host"},  \
	{"--at", "TIME", "the recording's sample at TIME (RFC 3339, HH:MM[:SS], -5m, end; default its last)"}
#define AUDIT_OPT {"--audit-log", "FILE", "where the action is recorded (default /var/log/nstop/actions.log)"}
#define SYSROOT_OPT {"--sysroot", "DIR", "read DIR/proc and DIR/sys/fs/cgroup (as the global option)"}
#define END_OPTS {NULL, NULL, NULL}

static const struct cli_opt ns_opts[] = {
	{"-t, --type", "TYPE", "only this type (cgroup ipc mnt net pid time user uts); repeatable"},
	{"--tree", "owner|parent|process", "nest namespaces under their owner, parent or first process"},
	{"-l, --list", NULL, "a flat list, no tree"},
	LISTING_OPTS, REPLAY_OPTS, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt cgroups_opts[] = {
	{"-d, --interval", "SEC", "sampling interval for rates (default 1)"},
	{"-n, --count", "COUNT", "print COUNT samples (default 1)"},
	{"--depth", "N|all", "rows down to depth N (default 3, 0: the root; as systemd-cgtop's), the processes beneath in the deepest; all: the whole tree"},
	LISTING_OPTS, REPLAY_OPTS, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt ps_opts[] = {
	{"--ns", "INODE", "only processes in this namespace"},
	{"--cgroup", "PATH", "only processes directly in this cgroup"},
	{"-d, --interval", "SEC", "CPU % over SEC instead of the lifetime average"},
	LISTING_OPTS, REPLAY_OPTS, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt snapshot_opts[] = {
	{"-J, --json", NULL, "JSON output (required: the only form)"},
	{"-d, --interval", "SEC", "take two snapshots SEC apart, for rates"},
	REPLAY_OPTS, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt containers_opts[] = {
	{"-d, --interval", "SEC", "sampling interval for rates (default 1)"},
	{"--by-pod", NULL, "each pod's containers together after a row of its totals, its sandbox first"},
	{"-a, --all", NULL, "the exited ones too (the last dead_keep seconds, from a recording)"},
	{"--history", "DIR", "--all's recording (default /var/lib/nstop/history)"},
	LISTING_OPTS, REPLAY_OPTS, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt record_opts[] = {
	{"-d, --interval", "SEC", "seconds between samples (default 1, at least 0.1)"},
	{"-o, --output", "DIR", "the history directory (default /var/lib/nstop/history, root only)"},
	{"--max-size", "SIZE", "total size the directory is kept under (default 256M, at least 64K)"},
	{"--duration", "SEC", "stop after SEC seconds"},
	{"--audit-log", "FILE", "the actions recorded with the events (default /var/log/nstop/actions.log)"},
	SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt events_opts[] = {
	{"-f, --follow", NULL, "follow: exits, OOM kills, container starts and exits, actions as they happen"},
	{"--since", "TIME", "from TIME (RFC 3339, HH:MM[:SS] of today, -5m; default: all, or now with -f)"},
	{"--until", "TIME", "up to TIME (with -f: stop then)"},
	{"--json", NULL, "one JSON object a line"},
	{"-d, --interval", "SEC", "with -f: seconds between the snapshots compared (default 1)"},
	{"--replay", "FILE|DIR", "the events of a recording (nstop record); times relative to its end"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt limit_opts[] = {
	{"--cpu", "1.5|50%|max", "CPU time: a number of CPUs, a percent of one, or max"},
	{"--cpus", "N", "docker's spelling of --cpu (a number of CPUs)"},
	{"--memory", "SIZE|max", "memory ceiling (512M, 2G, bytes; docker's 256m, 1g too)"},
	{"-m", "SIZE|max", "docker's spelling of --memory"},
	{"--memory-high", "SIZE|max", "memory throttling threshold (cgroup v2)"},
	{"--swap", "SIZE|max", "swap allowed besides the memory"},
	{"--pids", "N|max", "most processes and threads"},
	{"--pids-limit", "N", "docker's spelling of --pids"},
	{"--force", NULL, "set a memory ceiling below the current usage"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt freeze_opts[] = {
	{"--timeout", "SEC", "how long to wait for the kernel to finish (default 5)"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt kill_opts[] = {
	{"-s, --signal", "SIG", "TERM (default), KILL, INT, HUP, STOP, CONT, USR1, USR2 or a number"},
	{"--grace", "SEC", "SIGTERM, then SIGKILL to what is left after SEC"},
	{"--pid", "PID[@START]", "one process instead of a TARGET (START: its start time)"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt undo_opts[] = {AUDIT_OPT, SYSROOT_OPT, END_OPTS};
static const struct cli_opt audit_opts[] = {
	{"-J, --json", NULL, "JSON output"},
	AUDIT_OPT, END_OPTS,
};
static const struct cli_opt create_opts_help[] = {
	{"--ns", "LIST", "new namespaces (default cgroup,ipc,mnt,net,pid,uts; user adds ids of its own)"},
	{"--image", "NAME|PATH", "an imported image (or a path starting / ./ ../, imported first): its layers as /, its config applied"},
	{"--rootfs", "DIR", "a read-only image as /, a writable layer above (default: the host's /)"},
	{"--hostname", "H", "its host name (default NAME)"},
	{"--cgroup-parent", "PATH", "where its cgroup goes (default /nstop)"},
	{"--cpu", "1.5|50%", "CPU time, as limit --cpu"},
	{"--cpus", "N", "docker's spelling of --cpu"},
	{"--memory", "SIZE", "memory ceiling, as limit --memory"},
	{"-m", "SIZE", "docker's spelling of --memory (256m, 1g)"},
	{"--memory-swap", "SIZE|-1", "docker's memory plus swap: the swap allowed is the difference; -1 unlimited"},
	{"--pids", "N", "most processes and threads"},
	{"--pids-limit", "N", "docker's spelling of --pids"},
	{"--net", "none|host|veth[:ADDR/PREFIX]", "its network (default none)"},
	{"-p, --publish", "[HOSTIP:]HOSTPORT:CTRPORT[/udp]", "publish a port on the host (HOSTIP default 127.0.0.1; needs --net veth); repeatable"},
	{"--privileged", NULL, "all capabilities, no seccomp filter (audited)"},
	{"-e, --env", "KEY[=VALUE]", "set a variable for the command (bare KEY: the caller's value); repeatable"},
	{"--env-file", "FILE", "docker's: KEY=VALUE lines, # comments, a bare KEY the caller's value"},
	{"--bind", "SRC[:DST][:ro|rw]", "mount a host path inside (read-only unless :rw)"},
	{"-w, --workdir", "DIR", "the command's directory inside (absolute, must exist)"},
	{"-u, --user", "UID[:GID]", "the command runs as these ids (numbers only); another uid than 0 has no capability, uid 0 keeps the container root's, as docker"},
	{"--rm", NULL, "removed when its command exits (by nstop-rm, a process outside it)"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt enter_opts_help[] = {
	{"--ns", "LIST", "only these of TARGET's namespaces (default all)"},
	{"--privileged", NULL, "the host's full root, no filter (audited)"},
	{"-T, --no-tty", NULL, "no pty even on a terminal"},
	{"-t, --tty", NULL, "accepted for docker's habit: a pty comes whenever a terminal is attached"},
	{"-i, --interactive", NULL, "accepted for docker's habit: stdin is always passed"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt image_opts[] = {
	{"--name", "NAME:TAG", "import: the image's name (default: the archive's own tag)"},
	{"--max-layer-size", "SIZE", "import: refuse a layer unpacking past SIZE (default 1G)"},
	{"--max-entries", "N", "import: refuse a layer of more than N entries (default 200000)"},
	{"--json", NULL, "ls: a JSON array"},
	END_OPTS,
};
static const struct cli_opt rm_opts[] = {
	{"-f, --force", NULL, "SIGKILL at once (no grace)"},
	{"--grace", "SEC", "SIGTERM, then SIGKILL after SEC (default 10)"},
	AUDIT_OPT, SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt logs_opts[] = {
	{"-f, --follow", NULL, "keep printing what it writes"},
	{"--tail", "N|all", "only the last N lines"},
	{"--since", "TIME", "from TIME on: 30s, 5m, 2h, 1d ago, epoch seconds or RFC 3339"},
	{"-t, --timestamps", NULL, "each line with its time"},
	SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt metrics_opts[] = {
	{"--textfile", "DIR", "write DIR/nstop.prom atomically (node_exporter's textfile collector)"},
	{"--cgroup-depth", "N", "per-cgroup series down to depth N (default 3, 0: the root only)"},
	SYSROOT_OPT, END_OPTS,
};
static const struct cli_opt serve_opts_help[] = {
	{"--listen", "ADDR:PORT", "where to listen (default 127.0.0.1:9847; [::1]:PORT for IPv6)"},
	{"--insecure", NULL, "allow a non-loopback address without TLS and authentication"},
	{"--cgroup-depth", "N", "as for metrics"},
	{"--tls-cert", "FILE", "serve HTTPS with this certificate (PEM; with --tls-key)"},
	{"--tls-key", "FILE", "the certificate's private key (PEM; no group or other access)"},
	{"--web-config", "FILE", "basic_auth_users: USER: BCRYPT-HASH lines, as Prometheus' exporter toolkit"},
	{"--allow-host", "NAME", "answer Host: NAME too (default: IP literals and localhost); repeatable"},
	SYSROOT_OPT, END_OPTS,
};

#define TGT "TARGET: a /cgroup/path, a PID, a container name, id or id prefix. " \
	"Several: all found first, then each acted on and recorded on its own; " \
	"exit 1 when any failed."
const struct cli_help cli_helps[] = {
	{"ns", "list namespaces, as lsns(8) does", "ns [OPTIONS]",
	 "One row per namespace with its type, processes and owner.", ns_opts, "nstop ns -t net -o NS,NPROCS,COMMAND", 0},
	{"cgroups", "list cgroups with CPU, memory, I/O, limits and throttling", "cgroups [OPTIONS]",
	 "Rates are measured over --interval.", cgroups_opts, "nstop cgroups -d 2 -n 3", 0},
	{"ps", "list processes with their namespaces and cgroup", "ps [OPTIONS]",
	 "One row per process.", ps_opts, "nstop ps --cgroup /system.slice/cron.service", 0},
	{"snapshot", "everything in one JSON document", "snapshot --json [OPTIONS]",
	 "Namespaces, cgroups, processes, containers and the host.", snapshot_opts, "nstop snapshot --json -d 1 | jq .host", 0},
	{"containers", "containers of every runtime, with their cgroup's figures", "containers [OPTIONS]",
	 "docker, podman, containerd, CRI-O, LXC, systemd-nspawn and nstop's own.", containers_opts,
	 "nstop containers -o NAME,RUNTIME,CPU%,MEM", 0},
	{"limit", "set CPU, memory and pids limits of each TARGET", "limit TARGET... [OPTIONS]",
	 "Without a setting it shows the current limits. " TGT, limit_opts,
	 "nstop limit web --cpus 0.5 -m 256m --pids-limit 64", 0},
	{"freeze", "freeze each TARGET (thaw: the reverse)", "freeze TARGET... [OPTIONS]", TGT, freeze_opts,
	 "nstop freeze web db", 0},
	{"thaw", "thaw each frozen TARGET", "thaw TARGET... [OPTIONS]", TGT, freeze_opts, "nstop thaw web db", 0},
	{"kill", "signal each whole TARGET, or one process by --pid PID[@START]",
	 "kill TARGET... [OPTIONS] | kill --pid PID[@START] [-s SIG]", TGT, kill_opts,
	 "nstop kill web -s KILL", 0},
	{"undo", "restore the limits before the last limit change", "undo [TARGET] [OPTIONS]",
	 "The last limit change recorded in the audit log (of TARGET, when given).", undo_opts, "nstop undo web", 0},
	{"audit", "print the audit log of actions", "audit [OPTIONS]", "Every action nstop took, oldest first.",
	 audit_opts, "nstop audit -J | jq '.actions[-1]'", 0},
	{"create", "make a container", "create NAME [OPTIONS] [--] [CMD [ARG...]]",
	 "Without CMD it runs an init alone. Options may come before and after NAME.", create_opts_help,
	 "nstop create web --cpus 0.5 -m 256m -e MODE=prod -- httpd -f", 1},
	{"enter", "run CMD (or a shell) in a TARGET's namespaces", "enter TARGET [OPTIONS] [--] [CMD [ARG...]]",
	 "A pty of its own on a terminal, no more privilege than TARGET has; exit 125, 126, 127 as docker exec.",
	 enter_opts_help, "nstop enter -it web -- ps", 1},
	{"rm", "remove nstop containers", "rm NAME... [OPTIONS]", "Stops each (SIGTERM, SIGKILL after --grace) and removes what create made.",
	 rm_opts, "nstop rm -f web db", 0},
	{"logs", "a container's output", "logs TARGET [OPTIONS]", "nstop's containers, docker's and podman's.", logs_opts,
	 "nstop logs web -f --tail 20", 0},
	{"metrics", "the state in the Prometheus text format, for a scraper or node_exporter", "metrics [OPTIONS]",
	 "Printed once on stdout, or written to --textfile.", metrics_opts, "nstop metrics --textfile /var/lib/node_exporter", 0},
	{"serve", "the metrics over HTTP for Prometheus (GET /metrics), until SIGTERM", "serve [OPTIONS]",
	 "Loopback by default; another address needs --tls-cert, --tls-key and --web-config, or --insecure.", serve_opts_help, "nstop serve --listen 127.0.0.1:9847", 0},
	{"record", "append samples of everything to a history directory, for --replay", "record [OPTIONS]",
	 "Until SIGTERM or --duration; files 0600, rotated at an eighth of --max-size, the oldest deleted.",
	 record_opts, "nstop record -d 5 -o /var/lib/nstop/history --max-size 1G", 0},
	{"events", "exits, OOM kills, container starts and exits, actions: one line each", "events [OPTIONS]",
	 "Without -f the actions of the audit log; -f adds what happens from now on (root: the proc connector, /dev/kmsg).",
	 events_opts, "nstop events -f --json", 0},
	{"image", "container images: import PATH, ls, rm NAME",
	 "image import PATH [--name NAME:TAG] | image ls [--json] | image rm NAME...",
	 "PATH: an OCI layout directory, an OCI archive or docker save's tar; every blob verified by its sha256; each layer unpacked once into the store (/var/lib/nstop).",
	 image_opts, "nstop image import busybox.tar --name bb:1", 0},
	{NULL, NULL, NULL, NULL, NULL, NULL, 0},
};

const struct cli_help *cli_help_find(const char *name)
{
	for (const struct cli_help *h = cli_helps; h->name; h++)
		if (!strcmp(h->name, name))
			return h;
	return NULL;
}

/* Does flag (one of "-m", "--memory") name opt, whose flags are "-m, --memory"? */
static bool opt_has(const struct cli_opt *o, const char *flag, size_t n)
{
	for (const char *p = o->flags; *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && !strncmp(p, flag, n))
			return true;
		p += l;
		p += strspn(p, ", ");
	}
	return false;
}

/* The option of h that word is ("--memory", "--memory=1g", "-m"), or NULL. */
static const struct cli_opt *opt_of(const struct cli_help *h, const char *word)
{
	size_t n = strcspn(word, "=");
	for (const struct cli_opt *o = h->opts; o->flags; o++)
		if (opt_has(o, word, n))
			return o;
	return NULL;
}

/*
 * Does argv (argv[0] the subcommand) ask for help: -h or --help among
 * the options, before "--", not as an option's value, and not in the
 * command that create and enter run (their second word on).
 */
bool cli_help_wanted(const struct cli_help *h, int argc, char **argv)
{
	int words = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return false;
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return true;
		if (a[0] != '-' || !a[1]) {
			if (++words > 1 && h->runs_cmd)
				return false;
			continue;
		}
		const struct cli_opt *o = opt_of(h, a);
		if (o && o->arg && !strchr(a, '='))
			i++;
	}
	return false;
}

/* text from column col on, wrapped before column 80, later lines indented to col */
static void wrap(FILE *f, const char *text, int col)
{
	int at = col;
	for (const char *p = text; *p;) {
		size_t w = strcspn(p, " ");
		if (at > col && at + 1 + (int)w > 79) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", (int)w, p);
		at += (int)w;
		p += w;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

void cli_help_print(FILE *f, const struct cli_help *h)
{
	fprintf(f, "Usage: nstop %s\n\n%c%s.\n", h->usage,
		h->summary[0] >= 'a' && h->summary[0] <= 'z' ? h->summary[0] - 'a' + 'A' : h->summary[0],
		h->summary + 1);
	wrap(f, h->about, 0);
	fprintf(f, "\nOptions:\n");
	for (const struct cli_opt *o = h->opts; o->flags; o++) {
		char left[64];
		snprintf(left, sizeof(left), "%s%s%s", o->flags, o->arg ? " " : "", o->arg ? o->arg : "");
		if (strlen(left) > 24)
			fprintf(f, "  %s\n%28s", left, "");
		else
			fprintf(f, "  %-24s  ", left);
		wrap(f, o->help, 28);
	}
	fprintf(f, "  %-24s  %s\n", "-h, --help", "this help");
	fprintf(f, "\nExample:\n  %s\n\nSee nstop(8).\n", h->example);
}

/* nstop help [COMMAND] */
int cmd_help(int argc, char **argv, const struct globalopts *g)
{
	(void)g;
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return -1; /* main prints the global help */
	struct buf b = {0};
	const struct cli_help *h = cli_help_find(argv[1]);
	if (!h)
		usage_error("help: no such command: %s (see nstop --help)", str_esc(&b, argv[1]));
	if (argc > 2)
		usage_error("help: one COMMAND: %s", str_esc(&b, argv[2]));
	cli_help_print(stdout, h);
	return 0;
}

/*
 * nstop _complete commands | options COMMAND: what the shell completions
 * offer, one a line: "command<TAB>summary", or "option<TAB>VALUE<TAB>help"
 * (VALUE empty for an option without one). Internal: in no help.
 */
int cmd_complete(int argc, char **argv, const struct globalopts *g)
{
	(void)g;
	if (argc == 2 && !strcmp(argv[1], "commands")) {
		for (const struct cli_help *h = cli_helps; h->name; h++)
			printf("%s\t%s\n", h->name, h->summary);
		printf("help\tthe help of a command\n");
		return 0;
	}
	const struct cli_help *h = argc == 3 && !strcmp(argv[1], "options") ? cli_help_find(argv[2]) : NULL;
	if (!h) {
		fprintf(stderr, "nstop: _complete: internal: commands, or options COMMAND\n");
		return 2;
	}
	for (const struct cli_opt *o = h->opts; o->flags; o++)
		for (const char *p = o->flags; *p;) {
			size_t l = strcspn(p, ",");
			printf("%.*s\t%s\t%s\n", (int)l, p, o->arg ? o->arg : "", o->help);
			p += l;
			p += strspn(p, ", ");
		}
	printf("-h\t\tthis help\n--help\t\tthis help\n");
	return 0;
}
