// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of nstop's own containers, read: /run/nstop/NAME/state.json
 * (root only, 0700 directories) holds the init pid and its start time, the
 * cgroup path in each hierarchy and the options used. The containers
 * collector names nstop's containers from it (their published ports too:
 * registry_ports); act/state.c writes it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

const char *state_dir(void)
{
	const char *d = getenv("NSTOP_STATE_DIR"); /* tests only; never set-uid (main refuses) */
	return d && *d ? d : "/run/nstop";
}

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, not all digits */
bool state_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64 || !isalnum((unsigned char)s[0]) || strspn(s, "0123456789") == n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* Reads NAME's record; -ENOENT when there is none. */
/* NAME's directory in the registry, never through a symbolic link. */
int state_open(const char *name)
{
	if (!state_name_ok(name))
		return -ENOENT;
	int dfd = state_dir_open();
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 ? (errno == ELOOP || errno == ENOTDIR ? -ENOENT : -errno) : fd;
	close(dfd);
	return r;
}

int state_load(const char *name, struct jv *out)
{
	int dfd = state_open(name);
	if (dfd < 0)
		return dfd;
	struct buf b = {0};
	int r = read_file_at(dfd, "state.json", &b);
	close(dfd);
	if (r >= 0)
		r = jv_parse(b.p, b.len, out) < 0 ? -EINVAL : 0;
	buf_free(&b);
	return r;
}

/* The registry's directory, never through a link; an fd, or -errno. */
int state_dir_open(void)
{
	int fd = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}


/* Every registered name, sorted; the count. */
size_t state_list(char ***out)
{
	*out = NULL;
	int dfd = state_dir_open();
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!state_name_ok(de->d_name) || de->d_type != DT_DIR)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp((*out)[j - 1], (*out)[j]) > 0; j--) {
			char *t = (*out)[j];
			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = t;
		}
	return n;
}

/* Calls fn with every registry entry that loads, in name order. */
void state_each(void (*fn)(const char *name, const struct jv *st, void *arg), void *arg)
{
	char **names;
	size_t n = state_list(&names);
	for (size_t i = 0; i < n; i++) {
		struct jv st;
		if (state_load(names[i], &st) == 0) {
			fn(names[i], &st, arg);
			jv_free(&st);
		}
		free(names[i]);
	}
	free(names);
}

/* The record's "ports", what of them parses (parse_ports_jv), as text and
 * as JSON, both interned; the text says so when the container runs but
 * its proxy (pid and start time in the record) does not: nothing serves
 * the ports then. */
void registry_ports(struct snap *s, struct sysroot *sr, const struct jv *st, struct container *c)
{
	struct port_map pm[PORT_MAX];
	size_t n = parse_ports_jv(jv_get(st, "ports"), pm, PORT_MAX);
	if (!n)
		return;
	struct buf t = {0}, jb = {0};
	struct json j;
	json_init(&j, &jb, false);
	json_arr_begin(&j, NULL);
	for (size_t i = 0; i < n; i++) {
		char ip[16];
		port_fmt_ip(pm[i].host_ip, ip);
		const char *proto = port_proto_name(pm[i].proto);
		buf_printf(&t, "%s%s:%u->%u/%s", i ? ", " : "", ip, pm[i].host_port, pm[i].ctr_port, proto);
		json_obj_begin(&j, NULL);
		json_str(&j, "host_ip", ip);
		json_u64(&j, "host_port", pm[i].host_port);
		json_u64(&j, "container_port", pm[i].ctr_port);
		json_str(&j, "proto", proto);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	const struct jv *px = jv_get(st, "proxy");
	double pid = 0, start = 0;
	uint64_t now;
	bool alive = px && jv_num(px, "pid", &pid) && jv_num(px, "start", &start) && pid > 1 &&
		     pid < 1 << 30 && sysroot_pid_start(sr, (pid_t)pid, &now) == 0 && now == (uint64_t)start;
	if (!c->stopped && !alive)
		buf_adds(&t, " (proxy gone)");
	c->ports = strtab_intern(s->strs, t.p, t.len);
	c->ports_json = strtab_intern(s->strs, jb.p, jb.len);
	buf_free(&t);
	buf_free(&jb);
}
