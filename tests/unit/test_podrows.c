// SPDX-License-Identifier: GPL-2.0-or-later
/* containers --by-pod's pod rows (snap_pod_rows): the pod's cgroup, its
 * processes summed, each network namespace's traffic once. */
#include <math.h>
#include <stdlib.h>

#include "snap.h"
#include "tap.h"

#define P "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podu1.slice"

static struct container ctr(const char *pod, const char *uid, const char *cg, uint32_t nprocs, pid_t init)
{
	struct container c = {0};
	c.rt = RT_K8S;
	c.pod = pod;
	c.pod_uid = uid;
	c.cgroup = cg;
	c.nprocs = nprocs;
	c.init_pid = init;
	c.id = cg;
	c.net_rx = c.net_tx = VAL_NA;
	c.net_rxps = c.net_txps = NAN;
	return c;
}

int main(void)
{
	struct container v[6];
	/* a pod of three sharing the sandbox's namespace (its row holds it),
	 * a pod of one, a container of no pod */
	v[0] = ctr("shop/web", "u1", P "/cri-containerd-a.scope", 1, 10);
	v[0].sandbox = true;
	v[1] = ctr("shop/web", "u1", P "/cri-containerd-b.scope", 2, 11);
	v[2] = ctr("shop/web", "u1", P "/cri-containerd-c.scope", 3, 12);
	for (int i = 0; i < 3; i++) {
		v[i].netns_peers = 3;
		v[i].netns_holder = 1;
		v[i].net_rxps = 1000; /* every one sees the namespace's traffic */
		v[i].net_txps = 10;
	}
	v[3] = ctr("data/db", "u2", "/kubepods/burstable/podu2/d", 4, 20);
	v[3].net_rxps = 5;
	v[4] = ctr(NULL, NULL, "/system.slice/docker-e.scope", 1, 30);
	/* a pod named alike with another uid: another pod */
	v[5] = ctr("shop/web", "u3", "/kubepods/besteffort/podu3/f", 1, 40);
	struct snap s = {0};
	s.ctrs = v;
	s.nctrs = 6;
	struct container *rows;
	char **paths;
	size_t n = snap_pod_rows(&s, &rows, &paths);
	IS_U64(n, 3, "a row per pod (same name, other uid: another pod); none for no pod");
	IS_STR(rows[0].cgroup, P, "the pod's cgroup: the one its containers' share");
	IS_U64(rows[0].nprocs, 6, "its processes: the sum of its containers'");
	OK(rows[0].net_rxps == 1000 && rows[0].net_txps == 10, "its shared namespace's traffic once (%g, %g)",
	   rows[0].net_rxps, rows[0].net_txps);
	IS_U64((uint64_t)rows[0].init_pid, 10, "its processes' namespaces: the sandbox's");
	OK(rows[0].pod_row && !rows[0].sandbox && !rows[0].netns_holder, "marked a pod row, holding nothing");
	IS_STR(rows[0].id, "u1", "identified by the pod's uid");
	IS_STR(rows[1].cgroup, "/kubepods/burstable/podu2", "a pod of one container: its cgroup's parent");
	OK(rows[1].net_rxps == 5 && isnan(rows[1].net_txps), "a namespace of its own counted, an unknown figure not");
	IS_STR(rows[2].cgroup, "/kubepods/besteffort/podu3", "the other uid's pod apart");
	for (size_t i = 0; paths[i]; i++)
		free(paths[i]);
	free(paths);
	free(rows);
	/* containers at the root's first level: no pod cgroup but "/" */
	struct container w[2] = {ctr("a/b", "u", "/x", 1, 1), ctr("a/b", "u", "/y", 1, 2)};
	s.ctrs = w;
	s.nctrs = 2;
	n = snap_pod_rows(&s, &rows, &paths);
	OK(n == 1 && !rows[0].cgroup, "no cgroup shared below the root: none (not the root's figures)");
	free(paths);
	free(rows);
	return tap_done();
}
