// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create: a container made with nothing but the kernel. The parent
 * checks every input, makes the state directory and the cgroups (limits in
 * place), clones the child into new pid, mnt, uts, ipc and net namespaces,
 * moves it into the cgroups and gives it a veth, then lets it go. The child
 * sets up its hostname, network and filesystem, drops privileges and
 * becomes the container's init. Whatever fails undoes everything begun.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "create.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};

/* ---- the parent ---- */

static void undo(struct sysroot *sr, struct made *mk, const char *name)
{
	if (mk->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, mk->pidfd, SIGKILL, NULL, 0);
		close(mk->pidfd);
		mk->pidfd = -1;
	}
	if (mk->pid > 0)
		waitpid(mk->pid, NULL, 0);
	publish_kill_child(&mk->proxy);
	publish_close(mk->lfds, PUBLISH_MAX_FDS);
	if (mk->veth[0])
		net_veth_delete(mk->veth);
	/* a pid namespace empties as its init dies; give the cgroups a moment */
	for (int i = mk->ndirs; i-- > 0;) {
		const struct cg_mount *m = &sr->mounts[mk->dir_mi[i]];
		const char *rel = cgx_rel(m, mk->dirs[i]);
		for (int k = 0; rel && strcmp(rel, ".") && k < 150; k++) {
			if (unlinkat(m->fd, rel, AT_REMOVEDIR) == 0 || errno != EBUSY)
				break;
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		free(mk->dirs[i]);
	}
	mk->ndirs = 0;
	if (mk->state)
		state_remove(name);
}

/* Waits for the child's 'R'; answers its 'U'. */
static int child_wait(int c2p, int p2c, pid_t pid, uint32_t base, struct nerr *e)
{
	for (;;) {
		/* a setup that hangs (a stuck mount) is given up on ^C */
		struct pollfd pf = {c2p, POLLIN, 0};
		int pr = poll(&pf, 1, 100);
		if (pr == 0 || (pr < 0 && errno == EINTR)) {
			if (act_stop_pending()) {
				nerr_set(e, -EINTR, "interrupted while the container was being set up (undone)");
				return -EINTR;
			}
			continue;
		}
		char ch;
		ssize_t n = read(c2p, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			nerr_set(e, -EIO, "the container's setup died before it was ready");
			return -EIO;
		}
		if (ch == 'R')
			return 0;
		if (ch == 'U') {
			if (create_write_maps(pid, base, e) < 0)
				return -EIO;
			if (write(p2c, "G", 1) != 1)
				return -EIO;
			continue;
		}
		if (ch == 'E') {
			char msg[400];
			size_t len = 0;
			while (len + 1 < sizeof(msg) && read(c2p, &ch, 1) == 1 && ch != '\n')
				msg[len++] = ch;
			msg[len] = '\0';
			nerr_set(e, -EIO, "container setup: %s", msg);
			return -EIO;
		}
	}
}

struct addrs {
	char **v;               /* NULL-terminated */
	size_t n;
};

static void add_addr(const char *name, const struct jv *st, void *arg)
{
	(void)name;
	struct addrs *a = arg;
	const char *s = jv_str(st, "address");
	if (!s)
		return;
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void used_addrs(char ***addrs, size_t *n)
{
	struct addrs a = {xcalloc(1, sizeof(char *)), 0};
	state_each(add_addr, &a);
	/* and those another registry's containers (or the host) hold */
	net_pool_in_use(&a.v, &a.n);
	*addrs = a.v;
	*n = a.n;
}

/* --publish: the ports, and the proxy's pid, start time and uid */
static void state_json_ports(struct json *j, const struct create_opts *o, const struct create_result *res,
			     uint64_t proxy_start)
{
	json_arr_begin(j, "ports");
	for (size_t i = 0; i < o->nports; i++) {
		char ip[16];
		port_fmt_ip(o->ports[i].host_ip, ip);
		json_obj_begin(j, NULL);
		json_str(j, "host_ip", ip);
		json_u64(j, "host_port", o->ports[i].host_port);
		json_u64(j, "container_port", o->ports[i].ctr_port);
		json_str(j, "proto", port_proto_name(o->ports[i].proto));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_begin(j, "proxy");
	json_i64(j, "pid", res->proxy);
	json_u64(j, "start", proxy_start);
	json_u64(j, "uid", res->proxy_uid);
	json_obj_end(j);
}

static void state_json(struct buf *b, const struct sysroot *sr, const struct create_opts *o,
		       const struct act_target *t, const struct create_result *res, uint64_t start,
		       uint64_t proxy_start, const struct child *c)
{
	struct json j;
	json_init(&j, b, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", o->name);
	json_str(&j, "id", res->id);
	json_i64(&j, "pid", res->pid);
	json_u64(&j, "start", start);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[64];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_str(&j, "created", ts);
	json_str(&j, "cgroup", t->cgroup ? t->cgroup : "");
	json_obj_begin(&j, "cgroups");
	for (int i = 0; i < sr->nmounts; i++)
		if (t->paths[i])
			json_str(&j, cgx_mount_key(sr, i), t->paths[i]);
	json_obj_end(&j);
	json_arr_begin(&j, "namespaces");
	for (int k = 0; k < NS_NTYPES; k++)
		if (o->ns & (1u << k))
			json_str(&j, NULL, ns_type_name(k));
	json_arr_end(&j);
	json_str(&j, "hostname", o->hostname);
	if (o->rootfs)
		json_str(&j, "rootfs", o->rootfs);
	else
		json_null(&j, "rootfs");
	if (o->image)
		json_str(&j, "image", o->image); /* image rm refuses while it is here */
	json_str(&j, "net", o->net == NET_HOST ? "host" : o->net == NET_VETH ? "veth" : "none");
	if (o->net == NET_VETH) {
		json_str(&j, "veth", res->veth);
		json_str(&j, "address", c->ctr_addr);
		json_str(&j, "host_address", c->host_addr);
	}
	if (o->nports)
		state_json_ports(&j, o, res, proxy_start);
	json_bool(&j, "privileged", o->privileged);
	json_arr_begin(&j, "binds");
	for (size_t i = 0; i < o->nbinds; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "src", o->binds[i].src);
		json_str(&j, "dst", o->binds[i].dst);
		json_bool(&j, "rw", o->binds[i].rw);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	/* the names only: values given with -e are often secrets */
	json_arr_begin(&j, "env_keys");
	for (char **v = o->env; v && *v; v++) {
		char k[256];
		snprintf(k, sizeof(k), "%.*s", (int)(strchr(*v, '=') - *v), *v);
		json_str(&j, NULL, k);
	}
	json_arr_end(&j);
	if (o->ns & (1u << NS_USER)) {
		json_obj_begin(&j, "userns");
		json_u64(&j, "base", c->userns_base);
		json_u64(&j, "size", NSTOP_USERNS_SIZE);
		json_obj_end(&j);
	}
	json_bool(&j, "host_pidns", !(o->ns & (1u << NS_PID)));
	json_bool(&j, "host_net", o->net == NET_HOST);
	json_arr_begin(&j, "cmd");
	for (char **a = o->cmd; a && *a; a++)
		json_str(&j, NULL, *a);
	json_arr_end(&j);
	struct buf lb = {0};
	limits_json(&lb, &o->lim, &o->lim);
	json_raw(&j, "limits", buf_str(&lb));
	buf_free(&lb);
	json_obj_end(&j);
	buf_addc(b, '\n');
}

/* One create in flight: what is made so far, the child's instructions,
 * the pipes between the two. */
struct inflight {
	struct made mk;
	struct child c;
	int p2c[2], c2p[2];
};

/* Validate: the input (act_create_check), root, and the veth's address,
 * chosen among those no container holds. Nothing is made yet. */
static int create_validate(struct sysroot *sr, const struct create_opts *o, struct inflight *f,
			   struct create_result *res, struct nerr *e)
{
	int r = act_create_check(sr, o, e);
	if (r < 0)
		return r;
	if (geteuid() != 0)
		return nerr_set(e, -EPERM, "making a container needs root");
	if (o->net != NET_VETH)
		return 0;
	char **used;
	size_t nused;
	used_addrs(&used, &nused);
	r = net_addrs(o->addr, (const char *const *)used, nused, f->c.ctr_addr, f->c.host_addr,
		      sizeof(f->c.ctr_addr), e);
	for (size_t i = 0; i < nused; i++)
		free(used[i]);
	free(used);
	if (r == 0)
		net_veth_name(o->name, res->veth);
	return r;
}

/* Prepare, 1: the registry directory NAME (root, upper, work) and its log. */
static int make_state(const struct create_opts *o, struct inflight *f, struct nerr *e)
{
	int dfd = state_dir_make();
	if (dfd < 0)
		return nerr_set(e, dfd, "%s: %s", state_dir(), strerror(-dfd));
	/* the name claimed under the registry's lock: not while an rm of the
	 * container that had it runs (act_rm holds it throughout) */
	int lk = state_lock();
	if (lk < 0) {
		close(dfd);
		return nerr_set(e, lk, "%s/.lock: %s", state_dir(),
				lk == -EINTR ? "interrupted while another nstop held it" : strerror(-lk));
	}
	int mk = mkdirat(dfd, o->name, 0700) < 0 ? errno : 0;
	close(lk);
	if (mk) {
		errno = mk;
		int r = errno == EEXIST
				? nerr_input(e, -EEXIST, "%s: a container of that name exists (nstop rm %s first)",
					     o->name, o->name)
				: nerr_set(e, -errno, "%s: %s", f->c.statepath, strerror(errno));
		close(dfd);
		return r;
	}
	f->mk.state = true;
	char sub[300];
	int r = 0;
	static const char *const dirs[] = {"root", "upper", "work"};
	for (size_t i = 0; i < (o->rootfs ? 3 : 1) && !r; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", o->name, dirs[i]);
		if (mkdirat(dfd, sub, 0755) < 0)
			r = nerr_set(e, -errno, "%s/%s: %s", f->c.statepath, dirs[i], strerror(errno));
	}
	if (!r) {
		snprintf(sub, sizeof(sub), "%s/log", o->name);
		f->c.logfd = openat(dfd, sub, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f->c.logfd < 0)
			r = nerr_set(e, -errno, "%s/log: %s", f->c.statepath, strerror(errno));
	}
	close(dfd);
	return r;
}

/* Prepare: the state, the user ids, the cgroups with their limits in
 * place, the pipes; each noted in f->mk for the undo. */
static int create_prepare(struct sysroot *sr, const struct create_opts *o, struct inflight *f,
			  struct act_target *t, struct nerr *e)
{
	/* the ports first: one in use is refused before anything is made */
	int r = publish_bind(o, f->mk.lfds, e);
	if (!r)
		r = make_state(o, f, e);
	if (!r && (o->ns & (1u << NS_USER)))
		r = create_userns_alloc(o->name, &f->c.userns_base, e);
	/* the proxy's uid and gid: a block of its own, as a user namespace's,
	 * so no other process on the host can signal or prlimit it */
	if (!r && o->nports)
		r = create_ids_alloc(o->name, "proxyids", &f->mk.proxy.uid, e);
	if (!r)
		r = create_make_cgroups(sr, o, t, &f->mk, e);
	bool anylim = false;
	for (int k = 0; k < LIM_N; k++)
		anylim |= o->lim.l[k].set;
	if (!r && anylim) {
		struct limits old;
		r = act_limit(sr, t, &o->lim, true, &old, e);
	}
	if (!r && (pipe2(f->p2c, O_CLOEXEC) < 0 || pipe2(f->c2p, O_CLOEXEC) < 0))
		r = nerr_set(e, -errno, "pipe: %s", strerror(errno));
	return r;
}

/* Clone the child into its new namespaces; it waits for the go. */
static int create_clone(const struct create_opts *o, struct inflight *f, struct create_result *res,
			struct nerr *e)
{
	struct clone_args_ ca = {.exit_signal = SIGCHLD, .flags = CLONE_PIDFD};
	int pidfd = -1;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	static const struct {
		int ns;
		uint64_t flag;
	} m[] = {{NS_PID, CLONE_NEWPID}, {NS_MNT, CLONE_NEWNS}, {NS_UTS, CLONE_NEWUTS},
		 {NS_IPC, CLONE_NEWIPC}, {NS_NET, CLONE_NEWNET}};
	for (size_t i = 0; i < ARRAY_LEN(m); i++)
		if (o->ns & (1u << m[i].ns))
			ca.flags |= m[i].flag;
	f->c.envp = create_make_env(o);
	fflush(NULL);
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && errno == ENOSYS) {
		/* before 5.3, or under valgrind: clone as fork, then a pidfd */
		pid = (pid_t)syscall(SYS_clone, (ca.flags & ~(uint64_t)CLONE_PIDFD) | SIGCHLD,
				     NULL, NULL, NULL, NULL);
		if (pid > 0)
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	if (pid == 0) {
		f->c.p2c = f->p2c[0];
		f->c.c2p = f->c2p[1];
		/* the container gets no descriptor of the host's: only its
		 * pipes and the log (the host's /proc above all), and
		 * those are closed before its init runs */
		create_keep_fds(f->c.p2c, f->c.c2p, f->c.logfd);
		create_child_main(&f->c);
	}
	if (pid < 0)
		return nerr_set(e, -errno, "clone3: %s", strerror(errno));
	f->mk.pid = pid;
	f->mk.pidfd = pidfd;
	res->pid = pid;
	return 0;
}

/* Commit, 1: the child into the cgroups before it runs anything, the
 * devices allowlist, the veth; then the go, and its setup's answer. */
static int create_start(struct sysroot *sr, const struct create_opts *o, struct inflight *f,
			struct create_result *res, const struct act_target *t, struct nerr *e)
{
	int r = 0;
	for (int mi = 0; mi < sr->nmounts && !r; mi++) {
		if (!t->paths[mi])
			continue;
		int cfd = cgx_open(sr, mi, t->paths[mi]);
		char pid[24];
		snprintf(pid, sizeof(pid), "%d", (int)res->pid);
		r = cfd < 0 ? cfd : cgx_write(cfd, "cgroup.procs", pid);
		if (cfd >= 0)
			close(cfd);
		if (r < 0)
			nerr_set(e, r, "joining cgroup %s (%s): %s", t->paths[mi], cgx_mount_key(sr, mi),
				 strerror(-r));
	}
	if (!r && !o->privileged)
		r = create_devices_allow(sr, t, e);
	if (!r && o->net == NET_VETH) {
		snprintf(f->mk.veth, sizeof(f->mk.veth), "%s", res->veth);
		r = net_veth_create(res->veth, res->pid, f->c.host_addr, e);
		if (r == -EEXIST)
			f->mk.veth[0] = '\0'; /* not ours */
		if (!r && create_fail_at("veth"))
			r = nerr_set(e, -EIO, "injected failure after the veth (NSTOP_FAIL_AT=veth)");
	}
	if (!r && write(f->p2c[1], "G", 1) != 1)
		r = nerr_set(e, -EIO, "the container's setup died");
	if (!r)
		r = child_wait(f->c2p[0], f->p2c[1], res->pid, f->c.userns_base, e);
	return r;
}

/* Commit, 2: the ports' proxy, given the sockets and a pidfd of the
 * init; create keeps no copy of a socket, so none outlives the proxy. */
static int create_publish(const struct create_opts *o, struct inflight *f, struct create_result *res,
			  struct nerr *e)
{
	if (!o->nports)
		return 0;
	int r = publish_start(o, f->c.ctr_addr, f->mk.lfds, f->mk.pidfd, &f->mk.proxy, e);
	publish_close(f->mk.lfds, PUBLISH_MAX_FDS);
	res->proxy = f->mk.proxy.pid;
	res->proxy_uid = f->mk.proxy.uid;
	if (!r && create_fail_at("proxy"))
		r = nerr_set(e, -EIO, "injected failure after the proxy (NSTOP_FAIL_AT=proxy)");
	return r;
}

/* Commit, 3: the container runs; its id and the registry entry. */
static int create_commit(struct sysroot *sr, const struct create_opts *o, struct inflight *f,
			 struct create_result *res, const struct act_target *t, struct nerr *e)
{
	uint64_t start = 0;
	if (sysroot_pid_start(sr, res->pid, &start) < 0)
		return nerr_set(e, -ESRCH, "the container's init exited at once (see nstop logs %s)", o->name);
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(res->id + 2 * i, 3, "%02x", rnd[i]);
	uint64_t pstart = 0;
	if (res->proxy > 0 && sysroot_pid_start(sr, res->proxy, &pstart) < 0)
		return nerr_set(e, -ESRCH, "--publish: the port proxy exited at once");
	struct buf js = {0};
	state_json(&js, sr, o, t, res, start, pstart, &f->c);
	int r = create_fail_at("state") ? -EIO : state_save(o->name, buf_str(&js));
	if (r < 0)
		nerr_set(e, r, "saving the registry entry: %s%s", strerror(-r),
			 create_fail_at("state") ? " (NSTOP_FAIL_AT=state)" : "");
	buf_free(&js);
	snprintf(res->addr, sizeof(res->addr), "%s", f->c.ctr_addr);
	return r;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int act_create(struct sysroot *sr, const struct create_opts *o, struct create_result *res,
	       struct act_target *t, struct nerr *e)
{
	memset(res, 0, sizeof(*res));
	memset(t, 0, sizeof(*t));
	struct inflight f = {.mk = {.pidfd = -1, .proxy = {.pidfd = -1, .ctl = -1}}, .c = {.o = o, .logfd = -1},
			     .p2c = {-1, -1}, .c2p = {-1, -1}};
	for (size_t i = 0; i < PUBLISH_MAX_FDS; i++)
		f.mk.lfds[i] = -1;
	snprintf(f.c.statepath, sizeof(f.c.statepath), "%s/%s", state_dir(), o->name);
	/* bad input is refused before anything is made */
	int r = create_validate(sr, o, &f, res, e);
	if (r < 0)
		return r;
	r = create_prepare(sr, o, &f, t, e);
	if (!r)
		r = create_clone(o, &f, res, e);
	close_fd(&f.p2c[0]);
	close_fd(&f.c2p[1]);
	if (!r)
		r = create_start(sr, o, &f, res, t, e);
	if (!r)
		r = create_publish(o, &f, res, e);
	if (!r)
		r = create_commit(sr, o, &f, res, t, e);
	close_fd(&f.p2c[1]);
	close_fd(&f.c2p[0]);
	close_fd(&f.c.logfd);
	create_env_free(f.c.envp);
	/* its user namespace's maps are written, its proxy is its uid: both
	 * show in /proc to the next create of any registry */
	create_ids_unlock();
	if (r < 0) {
		undo(sr, &f.mk, o->name);
		act_target_free(t);
		return r;
	}
	/* the record is in place: the proxy stays (until then create's end,
	 * closed by its death too, ends it) */
	publish_commit(&f.mk.proxy);
	/* report: the target as the resolver would give it */
	close(f.mk.pidfd);
	if (f.mk.proxy.pidfd >= 0)
		close(f.mk.proxy.pidfd);
	for (int i = 0; i < f.mk.ndirs; i++)
		free(f.mk.dirs[i]);
	t->rt = RT_NSTOP;
	t->name = xstrdup(o->name);
	t->id = xstrdup(res->id);
	t->pid = res->pid;
	return 0;
}
