// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uid -> user name. Live: the system's passwd database (NSS), cached. With
 * --sysroot: DIR/etc/passwd when it exists, else the number, so golden
 * outputs never depend on the machine running the tests.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

struct users {
	bool live;
	struct hmap map;        /* uid + 1 -> index in names */
	char **names;
	size_t len, cap;
};

static void add(struct users *u, uid_t uid, const char *name)
{
	if (hmap_get(&u->map, (uint64_t)uid + 1, NULL))
		return;
	if (u->len == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 32;
		u->names = xreallocarray(u->names, u->cap, sizeof(*u->names));
	}
	u->names[u->len] = xstrdup(name);
	hmap_put(&u->map, (uint64_t)uid + 1, (uint32_t)u->len++);
}

struct users *users_new(const struct sysroot *sr)
{
	struct users *u = xcalloc(1, sizeof(*u));
	u->live = sr->live;
	if (u->live)
		return u;
	struct buf b = {0};
	if (read_file_at(sr->root_fd, "etc/passwd", &b) > 0) {
		char *save = NULL;
		for (char *line = strtok_r(b.p, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *c1 = strchr(line, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (!c1 || !c2)
				continue;
			*c1 = '\0';
			uint64_t uid;
			char *c3 = strchr(c2 + 1, ':');
			if (!c3)
				continue;
			*c3 = '\0';
			if (str_parse_u64(c2 + 1, &uid) == 0 && uid < UINT32_MAX)
				add(u, (uid_t)uid, line);
		}
	}
	buf_free(&b);
	return u;
}

const char *users_name(struct users *u, uid_t uid)
{
	uint32_t k;
	if (hmap_get(&u->map, (uint64_t)uid + 1, &k))
		return u->names[k];
	char num[16];
	struct passwd pw, *res = NULL;
	char tmp[1024];
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	if (u->live && getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		add(u, uid, res->pw_name);
	else
		add(u, uid, num);
	hmap_get(&u->map, (uint64_t)uid + 1, &k);
	return u->names[k];
}

void users_free(struct users *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->len; i++)
		free(u->names[i]);
	free(u->names);
	hmap_free(&u->map);
	free(u);
}
