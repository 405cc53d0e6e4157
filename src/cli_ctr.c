// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container subcommands: create, enter, rm and logs. create and rm are
 * recorded in the audit log; enter exits with its command's status (125 when
 * nstop itself fails, 126 when the command cannot run, 127 when it is not
 * found, as docker exec does).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

enum { O_NS = 400, O_ROOTFS, O_HOSTNAME, O_PARENT, O_CPU, O_MEM, O_PIDS, O_NET, O_PRIV,
       O_AUDIT, O_SYSROOT, O_GRACE, O_ENVFILE, O_BIND };

/* "pid,mnt,net" -> bits; -1 on an unknown name */
static int ns_list(const char *s, unsigned *out)
{
	*out = 0;
	char *dup = xstrdup(s), *save = NULL;
	int r = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = ns_type_parse(t);
		if (k < 0) {
			r = -1;
			break;
		}
		*out |= 1u << k;
	}
	free(dup);
	return r == 0 && *out ? 0 : -1;
}

static void open_live(const char *cmd, const char *dir, struct sysroot *sr, int code)
{
	struct nerr e = {0};
	struct buf b = {0};
	if (sysroot_open(sr, dir, &e) < 0 || !sr->live) {
		fprintf(stderr, "nstop: %s: %s\n", cmd,
			sr->live ? str_esc(&b, e.msg) : "containers are handled on the live system, not a --sysroot");
		exit(code);
	}
}

int cmd_create(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"ns", required_argument, NULL, O_NS},
		{"rootfs", required_argument, NULL, O_ROOTFS},
		{"hostname", required_argument, NULL, O_HOSTNAME},
		{"cgroup-parent", required_argument, NULL, O_PARENT},
		{"cpu", required_argument, NULL, O_CPU},
		{"memory", required_argument, NULL, O_MEM},
		{"pids", required_argument, NULL, O_PIDS},
		{"net", required_argument, NULL, O_NET},
		{"privileged", no_argument, NULL, O_PRIV},
		{"audit-log", required_argument, NULL, O_AUDIT},
		{"sysroot", required_argument, NULL, O_SYSROOT},
		{"env", required_argument, NULL, 'e'},
		{"env-file", required_argument, NULL, O_ENVFILE},
		{"bind", required_argument, NULL, O_BIND},
		{0},
	};
	struct create_opts o = {.cgroup_parent = "/nstop", .net = NET_NONE};
	size_t nenv = 0;
	struct create_bind *binds = xcalloc(argc, sizeof(*binds));
	if (config_get()->cgroup_parent)
		o.cgroup_parent = config_get()->cgroup_parent;
	o.ns = (1u << NS_PID) | (1u << NS_MNT) | (1u << NS_UTS) | (1u << NS_IPC) | (1u << NS_NET) |
	       (1u << NS_CGROUP);
	const char *audit = config_get()->audit_log, *sysroot = g->sysroot, *rootfs = NULL;
	bool net_given = false, ns_given = false;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:", lopts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* NAME may come before the options */
			if (!o.name && strcmp(argv[optind - 1], "--") && argv[optind][0] != '-') {
				o.name = argv[optind++];
				continue;
			}
			break;
		}
		struct nerr e = {0};
		switch (c) {
		case O_NS:
			if (ns_list(optarg, &o.ns) < 0)
				usage_error("create: --ns: a comma-separated list of cgroup, ipc, mnt, net, pid, time, user, uts: %s",
					    str_esc(&b, optarg));
			ns_given = true;
			break;
		case O_ROOTFS: rootfs = optarg; break;
		case O_HOSTNAME: o.hostname = optarg; break;
		case O_PARENT: o.cgroup_parent = optarg; break;
		case O_CPU: case O_MEM: case O_PIDS: {
			int k = c == O_CPU ? LIM_CPU : c == O_MEM ? LIM_MEM : LIM_PIDS;
			if (limit_parse(k, optarg, &o.lim.l[k], &e) < 0)
				usage_error("create: %s", e.msg);
			break;
		}
		case O_NET:
			net_given = true;
			if (!strcmp(optarg, "none"))
				o.net = NET_NONE;
			else if (!strcmp(optarg, "host"))
				o.net = NET_HOST;
			else if (!strcmp(optarg, "veth"))
				o.net = NET_VETH;
			else if (!strncmp(optarg, "veth:", 5))
				o.net = NET_VETH, o.addr = optarg + 5;
			else
				usage_error("create: --net: none, host, veth or veth:ADDR/PREFIX: %s", str_esc(&b, optarg));
			break;
		case O_PRIV: o.privileged = true; break;
		case 'e':
			if (!create_env_ok(optarg))
				usage_error("create: --env: KEY=VALUE (KEY: letters, digits and _, not first a digit): %s",
					    str_esc(&b, optarg));
			o.env = xreallocarray(o.env, nenv + 2, sizeof(*o.env));
			o.env[nenv++] = xstrdup(optarg);
			o.env[nenv] = NULL;
			break;
		case O_ENVFILE:
			if (create_env_file(optarg, &o.env, &nenv, &e) < 0)
				usage_error("create: %s", e.msg);
			break;
		case O_BIND:
			if (create_bind_parse(optarg, &binds[o.nbinds], &e) < 0)
				usage_error("create: %s", e.msg);
			o.nbinds++;
			break;
		case O_AUDIT: audit = optarg; break;
		case O_SYSROOT: sysroot = optarg; break;
		default:
			usage_error("create: unknown option or missing value: %s (see nstop --help)",
				    str_esc(&b, argv[optind - 1]));
		}
	}
	if (!o.name)
		usage_error("create: a NAME is required");
	if (optind < argc)
		o.cmd = argv + optind;
	o.binds = binds;
	if (o.net == NET_HOST)
		o.ns &= ~(1u << NS_NET);
	else if (ns_given && !(o.ns & (1u << NS_NET)) && !net_given)
		o.net = NET_HOST;
	if (!o.hostname)
		o.hostname = o.name;
	char *real = NULL;
	if (rootfs) {
		real = realpath(rootfs, NULL);
		o.rootfs = real ? real : rootfs;
	}
	cli_need_root("create", 1);
	struct sysroot sr;
	open_live("create", sysroot, &sr, 2);
	struct nerr e = {0};
	/* bad input is refused before the audit log is even opened */
	if (act_create_check(&sr, &o, &e) < 0) {
		fprintf(stderr, "nstop: create: %s\n", e.msg);
		free(real);
		free(binds);
		sysroot_close(&sr);
		return 2;
	}
	struct audit a;
	cli_audit_open("create", audit, &a);
	struct create_result res;
	struct act_target t;
	int r = act_create(&sr, &o, &res, &t, &e);
	int rc = 0;
	if (r == 0 || act_exit_code(&e) == 1) {
		struct buf nb = {0};
		struct json j;
		json_init(&j, &nb, false);
		json_obj_begin(&j, NULL);
		json_str(&j, "id", res.id);
		json_i64(&j, "pid", res.pid);
		if (o.rootfs)
			json_str(&j, "rootfs", o.rootfs);
		json_str(&j, "net", o.net == NET_HOST ? "host" : o.net == NET_VETH ? "veth" : "none");
		if (res.veth[0])
			json_str(&j, "veth", res.veth);
		json_bool(&j, "privileged", o.privileged);
		json_obj_end(&j);
		struct act_target at = {.word = (char *)o.name, .rt = RT_NSTOP, .name = (char *)o.name};
		struct audit_rec rec = {.action = "create", .target = r == 0 ? &t : &at,
					.new_obj = buf_str(&nb), .err = r ? &e : NULL};
		audit_record(&a, &sr, &rec);
		buf_free(&nb);
	}
	if (r < 0) {
		fprintf(stderr, "nstop: create: %s\n", e.msg);
		rc = act_exit_code(&e);
	} else {
		printf("%s %s pid %d cgroup %s", o.name, res.id, (int)res.pid, t.cgroup ? t.cgroup : "-");
		if (res.veth[0])
			printf(" veth %s eth0 %s", res.veth, res.addr);
		if (!(o.ns & (1u << NS_PID)))
			printf(" (host pid namespace)");
		if (o.net == NET_HOST)
			printf(" (host network)");
		if (o.privileged)
			printf(" (privileged)");
		printf("\n");
		act_target_free(&t);
	}
	free(real);
	free(binds);
	for (size_t i = 0; i < nenv; i++)
		free(o.env[i]);
	free(o.env);
	buf_free(&b);
	audit_close(&a);
	sysroot_close(&sr);
	return rc;
}

int cmd_rm(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"force", no_argument, NULL, 'f'},
		{"grace", required_argument, NULL, O_GRACE},
		{"audit-log", required_argument, NULL, O_AUDIT},
		{"sysroot", required_argument, NULL, O_SYSROOT},
		{0},
	};
	const char *audit = config_get()->audit_log, *sysroot = g->sysroot;
	double grace = 10;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f", lopts, NULL)) != -1) {
		if (c == 'f')
			grace = 0;
		else if (c == O_GRACE) {
			if (str_parse_seconds(optarg, &grace) < 0)
				usage_error("rm: --grace: not a number of seconds: %s", str_esc(&b, optarg));
		} else if (c == O_AUDIT)
			audit = optarg;
		else if (c == O_SYSROOT)
			sysroot = optarg;
		else
			usage_error("rm: unknown option or missing value: %s (see nstop --help)",
				    str_esc(&b, argv[optind - 1]));
	}
	if (optind >= argc)
		usage_error("rm: a NAME is required");
	cli_need_root("rm", 1);
	struct sysroot sr;
	open_live("rm", sysroot, &sr, 2);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct jv st;
		if (state_load(argv[i], &st) < 0) {
			fprintf(stderr, "nstop: rm: %s: no such nstop container (see nstop containers)\n",
				str_esc(&b, argv[i]));
			rc = rc ? rc : 2;
			continue;
		}
		jv_free(&st);
		struct audit a;
		cli_audit_open("rm", audit, &a);
		struct act_target t;
		struct nerr e = {0};
		int r = act_rm(&sr, argv[i], grace, &t, &e);
		char nb[64];
		snprintf(nb, sizeof(nb), "{\"grace\":%g}", grace);
		struct audit_rec rec = {.action = "rm", .target = &t, .new_obj = nb, .err = r ? &e : NULL};
		audit_record(&a, &sr, &rec);
		audit_close(&a);
		if (r < 0) {
			fprintf(stderr, "nstop: rm: %s\n", e.msg);
			rc = act_exit_code(&e);
		} else {
			printf("%s\n", str_esc(&b, argv[i]));
		}
		act_target_free(&t);
	}
	buf_free(&b);
	sysroot_close(&sr);
	return rc;
}

int cmd_logs(int argc, char **argv, const struct globalopts *g)
{
	static const struct option lopts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"sysroot", required_argument, NULL, O_SYSROOT},
		{0},
	};
	bool follow = false;
	const char *sysroot = g->sysroot;
	struct buf b = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f", lopts, NULL)) != -1) {
		if (c == 'f')
			follow = true;
		else if (c == O_SYSROOT)
			sysroot = optarg;
		else
			usage_error("logs: unknown option or missing value: %s (see nstop --help)",
				    str_esc(&b, argv[optind - 1]));
	}
	if (optind + 1 != argc)
		usage_error("logs: one NAME is required");
	struct sysroot sr;
	open_live("logs", sysroot, &sr, 2);
	struct nerr e = {0};
	int r = act_logs(&sr, argv[optind], follow, STDOUT_FILENO, &e);
	if (r < 0)
		fprintf(stderr, "nstop: logs: %s\n", e.msg);
	sysroot_close(&sr);
	buf_free(&b);
	return r < 0 ? act_exit_code(&e) : 0;
}

/* enter: 125 for every failure of nstop's own, usage included */
static void enter_usage(const char *fmt, const char *arg)
{
	struct buf b = {0};
	fprintf(stderr, "nstop: enter: ");
	fprintf(stderr, fmt, arg ? str_esc(&b, arg) : "");
	fputc('\n', stderr);
	buf_free(&b);
	exit(125);
}

/* --ns LIST, --ns=LIST, --sysroot, --audit-log, --privileged, -T, and -i/-t
 * (docker exec's habit: a pty comes whenever a terminal is there); the
 * count of arguments used, 0 when arg is none of them */
static int enter_opt(char **argv, int i, int argc, struct enter_opts *o, const char **sysroot,
		     const char **audit)
{
	static const char nsmsg[] = "--ns: a comma-separated list of cgroup, ipc, mnt, net, pid, time, user, uts: %s";
	static const char *const withval[] = {"--ns", "--sysroot", "--audit-log"};
	const char *a = argv[i], *val = NULL;
	int used = 0;
	for (size_t k = 0; k < ARRAY_LEN(withval) && !used; k++) {
		size_t l = strlen(withval[k]);
		if (!strncmp(a, withval[k], l) && a[l] == '=')
			val = a + l + 1, used = 1;
		else if (!strcmp(a, withval[k]) && i + 1 < argc)
			val = argv[i + 1], used = 2;
		else if (!strcmp(a, withval[k]))
			enter_usage("%s needs a value", a);
		if (used && k == 0 && ns_list(val, &o->ns) < 0)
			enter_usage(nsmsg, val);
		if (used && k == 1)
			*sysroot = val;
		if (used && k == 2)
			*audit = val;
	}
	if (used)
		return used;
	if (!strcmp(a, "--privileged"))
		o->privileged = true;
	else if (!strcmp(a, "--no-tty"))
		o->no_pty = true;
	else if (!strcmp(a, "--tty"))
		o->no_pty = false;
	else if (!strcmp(a, "--interactive"))
		;
	else if (a[0] == '-' && a[1] && a[1] != '-' && strspn(a + 1, "itT") == strlen(a + 1))
		for (const char *c = a + 1; *c; c++)
			o->no_pty = *c == 'T' ? true : *c == 't' ? false : o->no_pty;
	else
		return 0;
	return 1;
}

int cmd_enter(int argc, char **argv, const struct globalopts *g)
{
	struct enter_opts o = {0};
	const char *sysroot = g->sysroot, *audit = config_get()->audit_log, *word = NULL;
	int i = 1;
	/* options before and after TARGET, up to "--" or the command */
	while (i < argc) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		int k = enter_opt(argv, i, argc, &o, &sysroot, &audit);
		if (k) {
			i += k;
			continue;
		}
		if (argv[i][0] == '-' && !word)
			enter_usage("unknown option or missing value: %s (see nstop --help)", argv[i]);
		if (word)
			break;
		word = argv[i++];
	}
	if (!word)
		enter_usage("a TARGET is required%s", NULL);
	o.cmd = i < argc ? argv + i : NULL;
	cli_need_root("enter", 125);
	struct sysroot sr;
	struct nerr e = {0};
	if (sysroot_open(&sr, sysroot, &e) < 0 || !sr.live)
		enter_usage("%s", sr.live ? e.msg : "enter works on the live system, not a --sysroot");
	struct audit a = {.fd = -1};
	if (audit_open(&a, audit, &e) < 0) {
		fprintf(stderr, "nstop: enter: %s\n", e.msg);
		_exit(125);
	}
	int r = act_enter(&sr, &a, word, &o, &e);
	audit_close(&a);
	sysroot_close(&sr);
	/* 125-127 with -ECHILD: the child could not run the command, and said why */
	if (r < 0 || e.code == -ECHILD)
		fprintf(stderr, "nstop: enter: %s\n", e.msg);
	/* this process now sits in the target's namespaces: no exit handlers
	 * (a sanitizer's leak check would look for itself in the target's
	 * /proc and spin) */
	fflush(NULL);
	_exit(r < 0 ? 125 : r);
}
