// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop create's input: everything checked before anything is made (exit
 * 2 material), the -e, --env-file and --bind parsers, and the command's
 * clean environment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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

static bool hostname_ok(const char *h)
{
	size_t n = strlen(h);
	if (!n || n > 64)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.'))
			return false;
	return true;
}

/* Everything checked before anything is made: exit 2 material. */
int act_create_check(struct sysroot *sr, const struct create_opts *o, struct nerr *e)
{
	struct buf b = {0};
	int r = 0;
	if (!sr->live)
		r = nerr_input(e, -EINVAL, "containers are made on the live system, not a --sysroot");
	else if (!state_name_ok(o->name))
		r = nerr_input(e, -EINVAL, "%s: not a container name ([A-Za-z0-9][A-Za-z0-9_.-]{0,63}, not all digits)",
			(str_escape(&b, o->name, strlen(o->name), ESC_TEXT), buf_str(&b)));
	if (r)
		goto out;
	struct jv st;
	int k = state_load(o->name, &st);
	if (k == 0) {
		jv_free(&st);
		r = nerr_input(e, -EINVAL, "%s: a container of that name exists (nstop rm %s first)", o->name, o->name);
		goto out;
	}
	if (o->image && !(o->ns & (1u << NS_MNT))) {
		r = nerr_input(e, -EINVAL, "--image needs a mount namespace (mnt in --ns)");
	} else if (o->rootfs && !o->image) {
		struct stat sb;
		if (stat(o->rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			str_escape(&b, o->rootfs, strlen(o->rootfs), ESC_TEXT);
			r = nerr_input(e, -EINVAL, "--rootfs %s: %s", buf_str(&b), errno == 0 || !S_ISDIR(sb.st_mode) ? "not a directory" : strerror(errno));
		} else if (o->rootfs[0] != '/' || strpbrk(o->rootfs, ",:\\") || str_path_has_dots(o->rootfs)) {
			r = nerr_input(e, -EINVAL, "--rootfs: an absolute path without , : or \\ (overlayfs option separators)");
		} else if (!(o->ns & (1u << NS_MNT))) {
			r = nerr_input(e, -EINVAL, "--rootfs needs a mount namespace (mnt in --ns)");
		}
	}
	/* without a mount namespace of its own, root inside would see and
	 * write the host's whole filesystem, /proc and /dev included */
	if (!r && !(o->ns & (1u << NS_MNT)) && !o->privileged)
		r = nerr_input(e, -EINVAL, "--ns without mnt would leave the host's whole filesystem writable inside: add mnt, or --privileged");
	if (!r && (!o->cgroup_parent[0] || str_path_has_dots(o->cgroup_parent)))
		r = nerr_input(e, -EINVAL, "--cgroup-parent: a path without . or .. components");
	if (!r && (o->ns & (1u << NS_UTS)) && !hostname_ok(o->hostname))
		r = nerr_input(e, -EINVAL, "--hostname: letters, digits, - and . only, at most 64");
	if (!r && o->net != NET_HOST && !(o->ns & (1u << NS_NET)))
		r = nerr_input(e, -EINVAL, "--net none or veth needs a network namespace (net in --ns); --net host shares the host's");
	if (!r && o->net == NET_VETH && o->addr) {
		char a1[64], a2[64];
		r = net_addrs(o->addr, NULL, 0, a1, a2, sizeof(a1), e);
	}
	for (char **v = o->env; !r && v && *v; v++)
		if (!create_env_ok(*v))
			r = nerr_input(e, -EINVAL, "--env %s: not KEY=VALUE (KEY: letters, digits and _, not first a digit)",
				(str_escape(&b, *v, strlen(*v), ESC_TEXT), buf_str(&b)));
	if (!r && o->workdir && (o->workdir[0] != '/' || str_path_has_dots(o->workdir) || strlen(o->workdir) > 4096))
		r = nerr_input(e, -EINVAL, "--workdir: an absolute path without . or .. components");
	/* with a user namespace only its 65536 ids exist inside */
	if (!r && o->user_set && (o->ns & (1u << NS_USER)) &&
	    (o->uid >= NSTOP_USERNS_SIZE || o->gid >= NSTOP_USERNS_SIZE))
		r = nerr_input(e, -EINVAL, "--user: with a user namespace, ids below %u", NSTOP_USERNS_SIZE);
	/* without one they are host ids: those nstop hands out in blocks (the
	 * user namespaces' roots, the ports' proxies) would be another's */
	if (!r && o->user_set && !(o->ns & (1u << NS_USER)) &&
	    ((o->uid >= NSTOP_USERNS_LO && o->uid <= NSTOP_USERNS_HI) ||
	     (o->gid >= NSTOP_USERNS_LO && o->gid <= NSTOP_USERNS_HI)))
		r = nerr_input(e, -EINVAL, "--user: ids %u-%u are nstop's blocks for user namespaces and the "
			       "ports' proxies; without a user namespace, an id outside them",
			       NSTOP_USERNS_LO, NSTOP_USERNS_HI);
	if (!r)
		r = publish_check(o, e);
	if (!r && o->nbinds > CREATE_MAX_BINDS)
		r = nerr_input(e, -EINVAL, "--bind: at most %d", CREATE_MAX_BINDS);
	if (!r && o->nbinds && !(o->ns & (1u << NS_MNT)))
		r = nerr_input(e, -EINVAL, "--bind needs a mount namespace (mnt in --ns)");
	for (size_t i = 0; !r && i < o->nbinds; i++) {
		const struct create_bind *bd = &o->binds[i];
		struct stat sb;
		if (bd->src[0] != '/' || str_path_has_dots(bd->src) || bd->dst[0] != '/' ||
		    str_path_has_dots(bd->dst) || !bd->dst[1] || !strcmp(bd->dst, "/proc") ||
		    !strncmp(bd->dst, "/proc/", 6))
			r = nerr_input(e, -EINVAL, "--bind %s: SRC and DST absolute paths without . or .. components, DST not / or in /proc",
				(str_escape(&b, bd->src, strlen(bd->src), ESC_TEXT), buf_str(&b)));
		else if (stat(bd->src, &sb) < 0)
			r = nerr_input(e, -EINVAL, "--bind %s: %s", (str_escape(&b, bd->src, strlen(bd->src), ESC_TEXT), buf_str(&b)),
				strerror(errno));
	}
out:
	buf_free(&b);
	return r;
}

/* KEY=VALUE, KEY of letters, digits and _, not first a digit. */
bool create_env_ok(const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (*kv >= '0' && *kv <= '9'))
		return false;
	for (const char *p = kv; p < eq; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/*
 * --env-file: docker's format (parse_env_file: KEY=VALUE lines, # comments,
 * a bare KEY the caller's value), added to *env (n of them, NULL-terminated);
 * a bad line refused with FILE:LINE.
 */
int create_env_file(const char *path, char ***env, size_t *n, struct nerr *e)
{
	struct buf b = {0}, pb = {0};
	str_escape(&pb, path, strlen(path), ESC_TEXT);
	/* a regular file: a FIFO (or a device) would block create, or never
	 * end; O_NONBLOCK keeps the open itself from waiting for a writer */
	int r = 0, fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		r = -errno;
	else if (fstat(fd, &sb) < 0)
		r = -errno;
	else if (!S_ISREG(sb.st_mode))
		r = -EINVAL;
	for (; !r;) {
		buf_grow(&b, 4096);
		ssize_t k = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		b.len += (size_t)k;
		if (b.len > PARSE_ENV_MAX)
			break;
	}
	if (fd >= 0)
		close(fd);
	if (b.p)
		b.p[b.len] = '\0';
	size_t line = 0;
	if (r == -EINVAL)
		r = nerr_input(e, -EINVAL, "--env-file %s: not a regular file", buf_str(&pb));
	else if (r < 0)
		r = nerr_input(e, -EINVAL, "--env-file %s: %s", buf_str(&pb), strerror(-r));
	else if ((r = parse_env_file(b.p, b.len, environ, env, n, &line)) == -EFBIG)
		r = nerr_input(e, -EINVAL, "--env-file %s: larger than %u bytes", buf_str(&pb), PARSE_ENV_MAX);
	else if (r < 0)
		r = nerr_input(e, -EINVAL, "--env-file %s:%zu: not KEY=VALUE or KEY (KEY: letters, digits and _, not first a digit)",
			       buf_str(&pb), line);
	buf_free(&b);
	buf_free(&pb);
	return r;
}

/*
 * -u UID[:GID], numeric only: a name would be looked up in the image's
 * /etc/passwd, a file of the image's making. GID defaults to UID.
 */
int create_user_parse(const char *s, uid_t *uid, gid_t *gid, struct nerr *e)
{
	char num[16];
	const char *colon = strchr(s, ':');
	size_t ul = colon ? (size_t)(colon - s) : strlen(s);
	uint64_t u, g;
	snprintf(num, sizeof(num), "%.*s", ul < sizeof(num) ? (int)ul : 0, s);
	struct buf b = {0};
	int r = 0;
	if (ul >= sizeof(num) || str_parse_u64(num, &u) < 0 || u >= UINT32_MAX ||
	    (colon && (str_parse_u64(colon + 1, &g) < 0 || g >= UINT32_MAX)))
		r = nerr_input(e, -EINVAL, "--user: UID or UID:GID, numbers (names are not looked up in the image): %s",
			       (str_escape(&b, s, strlen(s), ESC_TEXT), buf_str(&b)));
	else
		*uid = (uid_t)u, *gid = (gid_t)(colon ? g : u);
	buf_free(&b);
	return r;
}

/* --bind SRC[:DST][:ro|rw], in place: DST is SRC when not given, ro by default. */
int create_bind_parse(char *s, struct create_bind *b, struct nerr *e)
{
	*b = (struct create_bind){.src = s, .dst = s};
	char *c1 = strchr(s, ':');
	if (c1) {
		*c1++ = '\0';
		char *c2 = strchr(c1, ':');
		if (c2)
			*c2++ = '\0';
		const char *mode = c2;
		if (!c2 && (!strcmp(c1, "ro") || !strcmp(c1, "rw")))
			mode = c1;
		else
			b->dst = c1;
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
			return nerr_input(e, -EINVAL, "--bind: SRC[:DST][:ro|rw]: the mode is ro or rw");
		}
		b->rw = mode && !strcmp(mode, "rw");
	}
	if (!*b->src || !*b->dst) {
		return nerr_input(e, -EINVAL, "--bind: SRC[:DST][:ro|rw]: an empty path");
	}
	return 0;
}

/*
 * The command's environment: PATH, HOME, TERM (the caller's when it is a
 * plain name), HOSTNAME and container=nstop, then the -e and --env-file
 * entries over them; nothing else of nstop's own.
 */
char **create_make_env(const struct create_opts *o)
{
	const char *term = getenv("TERM");
	if (!term || !*term || strlen(term) > 64 || strspn(term, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_") != strlen(term))
		term = "dumb";
	size_t n = 0, cap = 6;
	for (char **v = o->env; v && *v; v++)
		cap++;
	char **env = xcalloc(cap, sizeof(*env));
	struct buf b = {0};
	env[n++] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env[n++] = xstrdup("HOME=/root");
	buf_printf(&b, "TERM=%s", term);
	env[n++] = xstrdup(buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "HOSTNAME=%s", o->hostname);
	env[n++] = xstrdup(buf_str(&b));
	buf_free(&b);
	env[n++] = xstrdup("container=nstop");
	for (char **v = o->env; v && *v; v++) {
		size_t kl = (size_t)(strchr(*v, '=') - *v) + 1, i;
		for (i = 0; i < n && strncmp(env[i], *v, kl); i++)
			;
		if (i < n)
			free(env[i]);
		else
			n++;
		env[i] = xstrdup(*v);
	}
	env[n] = NULL;
	return env;
}

void create_env_free(char **env)
{
	for (char **v = env; v && *v; v++)
		free(*v);
	free(env);
}
