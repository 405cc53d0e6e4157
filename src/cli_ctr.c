// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container subcommands: create, enter and rm (logs: cli_logs.c). create and rm are
 * recorded in the audit log; enter exits with its command's status (125 when
 * nstop itself fails, 126 when the command cannot run, 127 when it is not
 * found, as docker exec does).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

enum { O_NS = 400, O_ROOTFS, O_HOSTNAME, O_PARENT, O_CPU, O_MEM, O_PIDS, O_NET, O_PRIV,
       O_AUDIT, O_SYSROOT, O_GRACE, O_ENVFILE, O_BIND, O_MEMSWAP, O_RM, O_IMAGE };

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

static const struct option create_lopts[] = {
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
	/* docker run's spellings of the same (-m is the short option) */
	{"cpus", required_argument, NULL, O_CPU},
	{"pids-limit", required_argument, NULL, O_PIDS},
	{"memory-swap", required_argument, NULL, O_MEMSWAP},
	{"workdir", required_argument, NULL, 'w'},
	{"user", required_argument, NULL, 'u'},
	{"rm", no_argument, NULL, O_RM},
	{"image", required_argument, NULL, O_IMAGE},
	{"publish", required_argument, NULL, 'p'},
	{0},
};

/* create's command line as it is parsed: the options and what they own */
struct create_args {
	struct create_opts o;
	struct create_bind *binds;
	size_t nenv;
	const char *audit, *sysroot, *rootfs;
	const char *memswap;    /* docker's --memory-swap, once --memory is known */
	bool rm;                /* --rm: removed when its command exits */
	char *real;             /* --rootfs resolved */
	const char *image;      /* --image NAME|PATH */
	char *img_name, *lowerdir, **img_cmd, *img_workdir; /* what --image brought */
	gid_t img_gids[IMG_MAX_GIDS]; /* its User's supplementary groups */
	size_t img_ngids;
	int img_lock;           /* the store's shared lock, from resolve until the record names the image */
	struct port_map ports[PORT_MAX]; /* --publish */
	char *abs_audit, *abs_sysroot; /* --rm: relative ones made absolute */
	bool net_given, ns_given;
	bool split_ports;       /* the dashboard's request: several --publish in one */
	struct buf b;           /* escaped text for messages */
};

static void create_args_init(struct create_args *ca, size_t maxbinds, const char *sysroot)
{
	memset(ca, 0, sizeof(*ca));
	ca->o.cgroup_parent = config_get()->cgroup_parent ? config_get()->cgroup_parent : "/nstop";
	ca->o.net = NET_NONE;
	ca->o.ns = (1u << NS_PID) | (1u << NS_MNT) | (1u << NS_UTS) | (1u << NS_IPC) |
		   (1u << NS_NET) | (1u << NS_CGROUP);
	ca->binds = xcalloc(maxbinds ? maxbinds : 1, sizeof(*ca->binds));
	ca->audit = config_get()->audit_log;
	ca->sysroot = sysroot;
	ca->img_lock = -1;
}

/* the container's record names its image now: image rm may look again */
static void image_unlock(struct create_args *ca)
{
	if (ca->img_lock >= 0)
		close(ca->img_lock);
	ca->img_lock = -1;
}

static void create_args_free(struct create_args *ca)
{
	image_unlock(ca);
	free(ca->real);
	free(ca->img_name);
	free(ca->lowerdir);
	free(ca->img_workdir);
	for (char **a = ca->img_cmd; a && *a; a++)
		free(*a);
	free(ca->img_cmd);
	free(ca->abs_audit);
	free(ca->abs_sysroot);
	free(ca->binds);
	for (size_t i = 0; i < ca->nenv; i++)
		free(ca->o.env[i]);
	free(ca->o.env);
	buf_free(&ca->b);
}

static int create_net(struct create_args *ca, char *v, struct nerr *e)
{
	ca->net_given = true;
	if (!strcmp(v, "none"))
		ca->o.net = NET_NONE;
	else if (!strcmp(v, "host"))
		ca->o.net = NET_HOST;
	else if (!strcmp(v, "veth"))
		ca->o.net = NET_VETH;
	else if (!strncmp(v, "veth:", 5))
		ca->o.net = NET_VETH, ca->o.addr = v + 5;
	else
		return nerr_input(e, -EINVAL, "--net: none, host, veth or veth:ADDR/PREFIX: %s",
				  str_esc(&ca->b, v));
	return 0;
}

/* a parser's message kept, the fault marked as the input's */
static int as_input(struct nerr *e)
{
	e->kind = NERR_INPUT;
	return e->code < 0 ? e->code : -EINVAL;
}

/* -p, --publish [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]; the dashboard's
 * Publish field may hold several, split by commas or spaces */
static int publish_one(struct create_args *ca, const char *v, size_t len, struct nerr *e)
{
	const char *why = NULL;
	if (ca->o.nports == PORT_MAX)
		return nerr_input(e, -EINVAL, "--publish: at most %d", PORT_MAX);
	if (parse_publish(v, len, &ca->ports[ca->o.nports], &why) < 0) {
		struct buf b = {0};
		str_escape(&b, v, len, ESC_TEXT);
		nerr_input(e, -EINVAL, "--publish %s: %s", buf_str(&b), why);
		buf_free(&b);
		return -EINVAL;
	}
	ca->o.nports++;
	ca->o.ports = ca->ports;
	return 0;
}

static int create_publish_opt(struct create_args *ca, const char *v, struct nerr *e)
{
	if (!ca->split_ports)
		return publish_one(ca, v, strlen(v), e);
	for (size_t i = 0, len; v[i]; i += len + !len) {
		len = strcspn(v + i, ", ");
		if (len && publish_one(ca, v + i, len, e) < 0)
			return -EINVAL;
	}
	return 0;
}

/* One option (getopt's code) and its value, which must outlive ca; the
 * command line's and the dashboard's requests alike. */
static int create_opt(struct create_args *ca, int c, char *v, struct nerr *e)
{
	struct create_opts *o = &ca->o;
	switch (c) {
	case O_NS:
		ca->ns_given = true;
		if (ns_list(v, &o->ns) < 0)
			return nerr_input(e, -EINVAL, "--ns: a comma-separated list of cgroup, ipc, mnt, net, pid, time, user, uts: %s",
					  str_esc(&ca->b, v));
		return 0;
	case O_ROOTFS: ca->rootfs = v; return 0;
	case O_IMAGE: ca->image = v; return 0;
	case O_HOSTNAME: o->hostname = v; return 0;
	case O_PARENT: o->cgroup_parent = v; return 0;
	case O_CPU: case O_MEM: case 'm': case O_PIDS: {
		int k = c == O_CPU ? LIM_CPU : c == O_PIDS ? LIM_PIDS : LIM_MEM;
		return limit_parse(k, v, &o->lim.l[k], e) < 0 ? as_input(e) : 0;
	}
	case O_NET: return create_net(ca, v, e);
	case O_PRIV: o->privileged = true; return 0;
	case 'e':
		/* a bare KEY takes the caller's value, as docker's -e does */
		if (parse_env_word(v, strlen(v), environ, &o->env, &ca->nenv) < 0)
			return nerr_input(e, -EINVAL, "--env: KEY=VALUE or KEY (KEY: letters, digits and _, not first a digit): %s",
					  str_esc(&ca->b, v));
		return 0;
	case O_ENVFILE:
		return create_env_file(v, &o->env, &ca->nenv, e) < 0 ? as_input(e) : 0;
	case O_BIND:
		if (create_bind_parse(v, &ca->binds[o->nbinds], e) < 0)
			return as_input(e);
		o->nbinds++;
		return 0;
	case O_MEMSWAP: ca->memswap = v; return 0;
	case 'w': o->workdir = v; return 0;
	case 'u':
		o->user_set = true;
		return create_user_parse(v, &o->uid, &o->gid, e) < 0 ? as_input(e) : 0;
	case O_RM: ca->rm = ca->o.rm = true; return 0;
	case O_AUDIT: ca->audit = v; return 0;
	case O_SYSROOT: ca->sysroot = v; return 0;
	case 'p': return create_publish_opt(ca, v, e);
	}
	return nerr_input(e, -EINVAL, "unknown option");
}

/* What follows from the options together: --net host leaves the host's
 * network namespace, a hostname defaults to the name, --rootfs resolved. */
static void create_args_finish(struct create_args *ca)
{
	struct create_opts *o = &ca->o;
	o->binds = ca->binds;
	if (o->net == NET_HOST)
		o->ns &= ~(1u << NS_NET);
	else if (ca->ns_given && !(o->ns & (1u << NS_NET)) && !ca->net_given)
		o->net = NET_HOST;
	if (!o->hostname)
		o->hostname = o->name;
	if (ca->rootfs) {
		ca->real = realpath(ca->rootfs, NULL);
		o->rootfs = ca->real ? ca->real : ca->rootfs;
	}
}

/* create NAME [OPTIONS] [-- CMD...]: exits 2 on bad usage */
static void create_parse(int argc, char **argv, struct create_args *ca)
{
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:m:w:u:p:", create_lopts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* NAME may come before the options */
			if (!ca->o.name && strcmp(argv[optind - 1], "--") && argv[optind][0] != '-') {
				ca->o.name = argv[optind++];
				continue;
			}
			break;
		}
		struct nerr e = {0};
		if (c == '?' || c == ':')
			usage_error("create: unknown option or missing value: %s (see nstop create --help)",
				    str_esc(&ca->b, argv[optind - 1]));
		if (create_opt(ca, c, optarg, &e) < 0)
			usage_error("create: %s", e.msg);
	}
	if (!ca->o.name)
		usage_error("create: a NAME is required");
	struct nerr e = {0};
	if (ca->memswap && limit_memory_swap(&ca->o.lim.l[LIM_MEM], ca->memswap, &ca->o.lim.l[LIM_SWAP], &e) < 0)
		usage_error("create: %s", e.msg);
	if (optind < argc)
		ca->o.cmd = argv + optind;
	create_args_finish(ca);
}

static void create_report(const struct create_opts *o, const struct create_result *res,
			  const struct act_target *t)
{
	struct buf b = {0};
	printf("%s %s pid %d cgroup %s", o->name, res->id, (int)res->pid,
	       t->cgroup ? str_esc(&b, t->cgroup) : "-");
	if (res->veth[0])
		printf(" veth %s eth0 %s", res->veth, res->addr);
	for (size_t i = 0; i < o->nports; i++) {
		char ip[16];
		port_fmt_ip(o->ports[i].host_ip, ip);
		printf("%s%s:%u->%u/%s", i ? "," : " ports ", ip, o->ports[i].host_port, o->ports[i].ctr_port,
		       port_proto_name(o->ports[i].proto));
	}
	if (!(o->ns & (1u << NS_PID)))
		printf(" (host pid namespace)");
	if (o->net == NET_HOST)
		printf(" (host network)");
	if (o->privileged)
		printf(" (privileged)");
	printf("\n");
	buf_free(&b);
}

/* Checks, opens the audit log, creates: bad input is refused before the
 * audit log is even opened. 0, or the exit code with e filled. */
static int create_run(struct sysroot *sr, const struct create_args *ca, struct create_result *res,
		      struct act_target *t, struct nerr *e)
{
	if (act_create_check(sr, &ca->o, e) < 0)
		return 2;
	struct audit a;
	if (audit_open(&a, ca->audit, e) < 0)
		return 1;
	int r = run_create(sr, &a, &ca->o, res, t, e);
	audit_close(&a);
	return r < 0 ? act_exit_code(e) : 0;
}

/*
 * --rm: the supervisor. nstop create forks it before returning (a double
 * fork: reparented, a session of its own, named nstop-rm, stdio on
 * /dev/null, no other descriptor); it stays in the caller's cgroups, never
 * the container's, so nothing inside can see, signal or freeze it. It
 * waits on a pidfd of the container's init, taken while the init is still
 * create's unreaped child (no pid reuse), and when the init exits removes
 * the container as nstop rm -f does (recorded in the audit log), unless
 * the name now belongs to another container (its id differs). Killed
 * first, it removes nothing: the container stays whole, for nstop rm.
 * Its command line becomes "nstop-rm NAME" (create's, -e values included,
 * is readable by every user); it works from /, so create made its paths
 * absolute first (rm_abs_paths). Returns in create; the supervisor never
 * does.
 */
static void rm_supervisor(const struct create_args *ca, const struct create_result *res)
{
	int pidfd = (int)syscall(SYS_pidfd_open, res->pid, 0);
	pid_t p = pidfd < 0 ? -1 : fork();
	if (p != 0) {
		if (p < 0)
			fprintf(stderr, "nstop: create: --rm: no supervisor (%s): nstop rm %s removes it\n",
				strerror(errno), ca->o.name);
		if (pidfd >= 0)
			close(pidfd);
		if (p > 0)
			waitpid(p, NULL, 0);
		return;
	}
	if (fork() != 0)
		_exit(0);
	/* what it still uses of argv, before argv goes */
	char *name = xstrdup(ca->o.name), *id = xstrdup(res->id);
	char *audit = ca->audit ? xstrdup(ca->audit) : NULL;
	char *sysroot = ca->sysroot ? xstrdup(ca->sysroot) : NULL;
	char keep[96];
	snprintf(keep, sizeof(keep), "nstop-rm %s", name);
	act_wipe_args(false, keep);
	setsid();
	prctl(PR_SET_NAME, "nstop-rm", 0, 0, 0);
	/* holds no directory busy (the caller's may be a mount to unmount) */
	if (chdir("/") < 0)
		_exit(1);
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dn < 0 || dup2(dn, 0) < 0 || dup2(dn, 1) < 0 || dup2(dn, 2) < 0 || dup2(pidfd, 3) < 0)
		_exit(1);
	if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	struct pollfd pf = {.fd = 3, .events = POLLIN};
	while (poll(&pf, 1, -1) < 0 && errno == EINTR)
		;
	/* removed by name and id, checked under the registry's lock (act_rm):
	 * a container made since under the name is left alone, and the
	 * refusal recorded */
	struct sysroot sr;
	struct audit a;
	struct nerr e = {0};
	if (sysroot_open(&sr, sysroot, &e) == 0 && audit_open(&a, audit, &e) == 0) {
		struct act_target t;
		run_rm(&sr, &a, name, id, 0, &t, &e);
		audit_close(&a);
	}
	_exit(0);
}

/* p made absolute against the current directory (--rm's supervisor works
 * from /); NULL when it already is, or is NULL. Exits 2 without a current
 * directory to resolve it against. */
static char *rm_abs(const char *what, const char *p)
{
	if (!p || p[0] == '/')
		return NULL;
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		usage_error("create: --rm with a relative %s and no current directory (%s): give an absolute path",
			    what, strerror(errno));
	struct buf b = {0};
	buf_printf(&b, "%s/%s", cwd, p);
	free(cwd);
	return b.p;
}

/* --rm: the audit log, the registry (NSTOP_STATE_DIR) and the sysroot as
 * absolute paths, for create and the supervisor alike; owned by ca */
static void rm_abs_paths(struct create_args *ca)
{
	char *sd = rm_abs("NSTOP_STATE_DIR", getenv("NSTOP_STATE_DIR"));
	if (sd && setenv("NSTOP_STATE_DIR", sd, 1) < 0)
		usage_error("create: NSTOP_STATE_DIR: %s", strerror(errno));
	free(sd);
	if ((ca->abs_audit = rm_abs("--audit-log", ca->audit)))
		ca->audit = ca->abs_audit;
	if ((ca->abs_sysroot = rm_abs("--sysroot", ca->sysroot)))
		ca->sysroot = ca->abs_sysroot;
}

/*
 * --image NAME|PATH: a PATH (one that starts with /, ./ or ../) is imported
 * first; then the image's layers become the overlay's lower directories
 * and its config's Entrypoint, Cmd, Env, WorkingDir and User apply as
 * docker applies them: the command is Entrypoint + (create's command, or
 * Cmd), create's -e over the image's Env, -w and -u over WorkingDir and
 * User (a name looked up in the image's own /etc/passwd). Exits on error.
 */
static int create_image(struct create_args *ca, struct nerr *ep)
{
	struct create_opts *o = &ca->o;
	struct nerr e = {0};
	if (ca->rootfs)
		return nerr_input(ep, -EINVAL, "--image and --rootfs exclude each other"), 2;
	const char *name = ca->image;
	/* a PATH only when spelled as one: library/app:1 is a stored name even
	 * when the cwd holds a file of that name (a user's, in /tmp) */
	if (name[0] == '/' || !strncmp(name, "./", 2) || !strncmp(name, "../", 3)) {
		struct img_import_opts io = {NULL, 1ull << 30, 200000};
		struct img_import_result res;
		char auto_name[80];
		char *real = realpath(name, NULL);
		/* an archive that names no tag gets one from its path's hash */
		uint64_t h = hash_bytes(real ? real : name, strlen(real ? real : name));
		snprintf(auto_name, sizeof(auto_name), "local/path-%016llx:latest", (unsigned long long)h);
		free(real);
		if (act_image_import(name, &io, &res, &e) < 0 && strstr(e.msg, "--name NAME:TAG is required")) {
			memset(&e, 0, sizeof(e));
			io.name = auto_name;
			act_image_import(name, &io, &res, &e);
		}
		if (e.msg[0]) {
			*ep = e;
			int rc = act_exit_code(&e);
			snprintf(ep->msg, sizeof(ep->msg), "--image %.80s: %.160s", str_esc(&ca->b, name), e.msg);
			return rc;
		}
		ca->img_name = xstrdup(res.name);
	} else {
		ca->img_name = xstrdup(name);
	}
	struct img_config cfg;
	char *passwd, *group;
	size_t npw, ngr;
	if (act_image_resolve(ca->img_name, &ca->lowerdir, &cfg, &passwd, &npw, &group, &ngr, &ca->img_lock, &e) < 0) {
		*ep = e;
		return act_exit_code(&e);
	}
	o->image = ca->img_name;
	o->rootfs = ca->lowerdir;
	size_t nuser = 0;
	for (char **a = o->cmd; a && *a; a++)
		nuser++;
	char **tail = o->cmd ? o->cmd : cfg.cmd;
	size_t ntail = o->cmd ? nuser : cfg.ncmd;
	if (cfg.nentrypoint + ntail) {
		ca->img_cmd = xcalloc(cfg.nentrypoint + ntail + 1, sizeof(char *));
		size_t k = 0;
		for (size_t i = 0; i < cfg.nentrypoint; i++)
			ca->img_cmd[k++] = xstrdup(cfg.entrypoint[i]);
		for (size_t i = 0; i < ntail; i++)
			ca->img_cmd[k++] = xstrdup(tail[i]);
		o->cmd = ca->img_cmd;
	}
	/* the image's Env first: create_make_env lets a later KEY win */
	char **env = xcalloc(cfg.nenv + ca->nenv + 1, sizeof(char *));
	size_t ne = 0;
	for (size_t i = 0; i < cfg.nenv; i++)
		if (create_env_ok(cfg.env[i]))
			env[ne++] = xstrdup(cfg.env[i]);
	for (size_t i = 0; i < ca->nenv; i++)
		env[ne++] = o->env[i];
	free(o->env);
	o->env = env;
	ca->nenv = ne;
	if (!o->workdir && cfg.workdir && cfg.workdir[0])
		o->workdir = ca->img_workdir = xstrdup(cfg.workdir);
	/* User as docker applies it: resolved in the image's own passwd and
	 * group files, its supplementary groups and HOME with it; -u wins */
	if (!o->user_set && cfg.user && cfg.user[0]) {
		struct img_user iu;
		int r = parse_img_user(cfg.user, passwd, npw, group, ngr, &iu);
		if (r < 0) {
			struct buf ub = {0};
			nerr_input(ep, -EINVAL, "--image %s: its User %s: %s", str_esc(&ca->b, ca->img_name),
				   str_esc(&ub, cfg.user),
				   r == -ENOENT ? "no such user in the image's /etc/passwd"
				   : r == -ENODATA ? "no such group in the image's /etc/group"
				   : r == -E2BIG ? "in more groups of the image's /etc/group than nstop takes (256)"
						 : "not USER[:GROUP]");
			buf_free(&ub);
			free(passwd);
			free(group);
			img_config_free(&cfg);
			return 2;
		}
		o->user_set = true;
		o->uid = iu.uid;
		o->gid = iu.gid;
		ca->img_ngids = iu.ngids;
		for (size_t i = 0; i < iu.ngids; i++)
			ca->img_gids[i] = iu.gids[i];
		o->groups = ca->img_gids;
		o->ngroups = ca->img_ngids;
		/* HOME: the image's Env or -e first, else the user's own */
		bool has_home = false;
		for (size_t i = 0; i < ne; i++)
			has_home |= !strncmp(env[i], "HOME=", 5);
		char *kv;
		xasprintf(&kv, "HOME=%s", iu.home);
		if (!has_home && create_env_ok(kv)) {
			o->env = env = xrealloc(env, (ne + 2) * sizeof(char *));
			env[ne++] = kv;
			env[ne] = NULL;
			ca->nenv = ne;
		} else {
			free(kv);
		}
	}
	free(passwd);
	free(group);
	img_config_free(&cfg);
	return 0;
}

int cmd_create(int argc, char **argv, const struct globalopts *g)
{
	struct create_args ca;
	create_args_init(&ca, (size_t)argc, g->sysroot);
	create_parse(argc, argv, &ca);
	cli_need_root("create", 1);
	if (ca.image) {
		struct nerr ie = {0};
		int irc = create_image(&ca, &ie);
		if (irc) {
			fprintf(stderr, "nstop: create: %s\n", ie.msg);
			create_args_free(&ca);
			return irc;
		}
	}
	if (ca.rm)
		rm_abs_paths(&ca);
	struct sysroot sr;
	open_live("create", ca.sysroot, &sr, 2);
	/* all or nothing: a reader gone (create X | true) fails the report's
	 * write, never ends create between the container and its supervisor;
	 * the supervisor is forked before anything is printed */
	signal(SIGPIPE, SIG_IGN);
	struct nerr e = {0};
	struct create_result res;
	struct act_target t = {0};
	int rc = create_run(&sr, &ca, &res, &t, &e);
	image_unlock(&ca); /* before the supervisor is forked */
	if (rc) {
		fprintf(stderr, "nstop: create: %s\n", e.msg);
	} else {
		fflush(stdout);
		if (ca.rm)
			rm_supervisor(&ca, &res);
		create_report(&ca.o, &res, &t);
		if (fflush(stdout) == EOF || ferror(stdout)) {
			fprintf(stderr, "nstop: create: %s made%s, but its report was not written: %s\n",
				ca.o.name, ca.rm ? " (removed when its command exits)" : "", strerror(errno));
			rc = 1;
		}
	}
	act_target_free(&t);
	create_args_free(&ca);
	sysroot_close(&sr);
	return rc;
}

/* A reply's field: escaped (so plain, as ctrreq.c wants it), cut to fit
 * at a character's boundary. */
static void reply_field(char *dst, size_t n, const char *s)
{
	struct buf b = {0};
	const char *esc = str_esc(&b, s ? s : "");
	size_t len = strlen(esc);
	if (len >= n) {
		len = n - 1;
		while (len && ((unsigned char)esc[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, esc, len);
	dst[len] = '\0';
	buf_free(&b);
}

/*
 * nstop _create: the dashboard's create, internal (in no help or manual).
 * Reads one JSON request (ctrreq.c) from fd 3, applies its keys as
 * create's own options (the same create_opt: it can ask for nothing the
 * command line could not), creates through run_create and writes a JSON
 * reply to fd 4. Prints nothing but a misuse.
 */
/* the request on fd 3, to its end; its length, or -1 */
static ssize_t read_request(char *req, size_t max)
{
	size_t n = 0;
	while (n <= max) {
		ssize_t k = read(3, req + n, max + 1 - n);
		if (k == 0)
			break;
		if (k < 0 && errno != EINTR)
			return -1;
		n += k > 0 ? (size_t)k : 0;
	}
	close(3);
	return (ssize_t)n;
}

int cmd_create_internal(int argc, char **argv, const struct globalopts *g)
{
	(void)argv;
	static char req[CREQ_MAX + 1];
	ssize_t n = argc == 1 ? read_request(req, CREQ_MAX) : -1;
	if (n < 0) {
		fprintf(stderr, "nstop: _create: internal: a request on fd 3 and a reply on fd 4\n");
		return 2;
	}
	struct create_reply rp = {0};
	struct nerr e = {0};
	struct create_req rq;
	struct create_args ca;
	create_args_init(&ca, 0, g->sysroot);
	ca.split_ports = true;
	int rc = create_req_parse(req, (size_t)n, &rq, &e) < 0 ? 2 : 0;
	for (int i = 0; !rc && i < CREQ_NOPTS; i++) {
		const struct option *lo = create_lopts;
		while (lo->name && strcmp(lo->name, create_req_keys[i]))
			lo++;
		if (rq.opt[i] && (!lo->name || create_opt(&ca, lo->val, rq.opt[i], &e) < 0))
			rc = 2;
	}
	struct act_target t = {0};
	struct create_result res = {0};
	struct sysroot sr;
	/* as nstop create: exit 1 without root, 2 without the live system */
	if (!rc && act_need_root("create", &e) < 0)
		rc = 1;
	if (!rc && sysroot_open(&sr, ca.sysroot, &e) < 0)
		rc = 2;
	else if (!rc) {
		ca.o.name = rq.name;
		ca.o.cmd = rq.cmd;
		create_args_finish(&ca);
		if (ca.image)
			rc = create_image(&ca, &e);
		if (!rc)
			rc = create_run(&sr, &ca, &res, &t, &e);
		image_unlock(&ca);
		sysroot_close(&sr);
	}
	rp.code = rc ? (e.code ? e.code : -EINVAL) : 0;
	rp.input = rc == 2;
	reply_field(rp.msg, sizeof(rp.msg), rc ? e.msg : "");
	reply_field(rp.id, sizeof(rp.id), res.id);
	rp.pid = res.pid;
	reply_field(rp.cgroup, sizeof(rp.cgroup), t.cgroup);
	reply_field(rp.veth, sizeof(rp.veth), res.veth);
	reply_field(rp.addr, sizeof(rp.addr), res.addr);
	struct buf out = {0};
	create_reply_json(&out, &rp);
	for (size_t w = 0; w < out.len;) {
		ssize_t k = write(4, out.p + w, out.len - w);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		w += (size_t)k;
	}
	buf_free(&out);
	act_target_free(&t);
	create_req_free(&rq);
	create_args_free(&ca);
	return rc;
}

/* nstop _proxy: create --publish's proxy (act/proxy.c), internal: in no
 * help or manual, useless without the descriptors create hands it */
int cmd_proxy_internal(int argc, char **argv, const struct globalopts *g)
{
	(void)g;
	return act_proxy_main(argc, argv);
}

/* rm NAME...: each recorded by run_rm; an unknown name is refused first
 * (-2: exit 2 unless something failed already) */
static int rm_one(struct sysroot *sr, const char *name, double grace, const char *audit, struct buf *b)
{
	struct jv st;
	if (state_load(name, &st) < 0) {
		fprintf(stderr, "nstop: rm: %s: no such nstop container (see nstop containers)\n",
			str_esc(b, name));
		return -2;
	}
	jv_free(&st);
	struct audit a;
	cli_audit_open("rm", audit, &a);
	struct act_target t;
	struct nerr e = {0};
	int r = run_rm(sr, &a, name, NULL, grace, &t, &e);
	audit_close(&a);
	act_target_free(&t);
	if (r < 0) {
		fprintf(stderr, "nstop: rm: %s\n", e.msg);
		return act_exit_code(&e);
	}
	printf("%s\n", str_esc(b, name));
	return 0;
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
			usage_error("rm: unknown option or missing value: %s (see nstop rm --help)",
				    str_esc(&b, argv[optind - 1]));
	}
	if (optind >= argc)
		usage_error("rm: a NAME is required");
	cli_need_root("rm", 1);
	struct sysroot sr;
	open_live("rm", sysroot, &sr, 2);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int k = rm_one(&sr, argv[i], grace, audit, &b);
		if (k == -2)
			rc = rc ? rc : 2;
		else if (k)
			rc = k;
	}
	buf_free(&b);
	sysroot_close(&sr);
	return rc;
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
			enter_usage("unknown option or missing value: %s (see nstop enter --help)", argv[i]);
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
