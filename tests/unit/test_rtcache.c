// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The containers' names cache (src/collect/rtnames.c) over a copy of the
 * pods fixture: a refresh reads a runtime's file only for a new container or
 * when the file changed (inode, size, mtime), and the names follow the file.
 */
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/collect.h"
#include "tap.h"

#define NGINX "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
#define BUNDLE "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" NGINX "/config.json"

static const char *name_of(const struct snap *s, const char *id)
{
	for (size_t i = 0; i < s->nctrs; i++)
		if (s->ctrs[i].id && !strcmp(s->ctrs[i].id, id))
			return s->ctrs[i].name;
	return NULL;
}

static struct snap *take(struct collector *c, struct snap *prev)
{
	struct snap *s = collector_take(c, SNAP_CONTAINERS, prev);
	snap_free(prev);
	return s;
}

int main(void)
{
	const char *fx = getenv("FIXTURES");
	if (!fx || geteuid() != 0) {
		printf("ok 1 # SKIP needs the prepared fixtures (tests/run.sh) and root (their owners)\n");
		return tap_done();
	}
	char dir[] = "/tmp/nstop-rtcache-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char cmd[20000];
	snprintf(cmd, sizeof(cmd), "cp -a '%s/pods' '%s/'", fx, dir);
	OK(system(cmd) == 0, "a copy of the pods fixture");
	char root[4200];
	snprintf(root, sizeof(root), "%s/pods", dir);
	struct sysroot sr;
	struct nerr e = {0};
	if (!OK(sysroot_open(&sr, root, &e) == 0, "its sysroot opens")) {
		printf("#   %s\n", e.msg);
		return tap_done();
	}
	struct users *u = users_new(&sr);
	struct collector *c = collector_new(&sr, u, true);
	struct namecache *nc = collector_namecache(c);
	struct snap *s = take(c, NULL);
	uint64_t first = namecache_reads(nc);
	IS_STR(name_of(s, NGINX), "nginx", "first refresh: the name from the bundle");
	OK(first >= 7, "first refresh: every runtime's file read (%llu)", (unsigned long long)first);
	s = take(c, s);
	s = take(c, s);
	IS_U64(namecache_reads(nc), first, "two more refreshes: no file read again");
	IS_STR(name_of(s, NGINX), "nginx", "... the names kept from the cache");
	/* the runtime rewrites one bundle: read again, that one alone */
	char path[4400], tmp[4500];
	snprintf(path, sizeof(path), "%s%s", root, BUNDLE);
	snprintf(cmd, sizeof(cmd), "sed 's/\"io.kubernetes.cri.container-name\": \"nginx\"/"
		 "\"io.kubernetes.cri.container-name\": \"nginx-2\"/' '%s' >'%s.new' && mv '%s.new' '%s'",
		 path, path, path, path);
	OK(system(cmd) == 0, "the bundle rewritten (a new inode)");
	s = take(c, s);
	IS_U64(namecache_reads(nc), first + 1, "the next refresh reads that file, and only it");
	IS_STR(name_of(s, NGINX), "nginx-2", "... and the new name shows");
	/* the same size and inode, a new mtime: read again too */
	snprintf(tmp, sizeof(tmp), "%s", path);
	struct stat st;
	stat(tmp, &st);
	struct timespec ts[2] = {st.st_atim, {st.st_mtim.tv_sec + 10, st.st_mtim.tv_nsec}};
	utimensat(AT_FDCWD, tmp, ts, 0);
	s = take(c, s);
	IS_U64(namecache_reads(nc), first + 2, "a new mtime alone: read again");
	snap_free(s);
	collector_free(c);
	users_free(u);
	sysroot_close(&sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	OK(system(cmd) == 0, "the copy removed");
	return tap_done();
}
