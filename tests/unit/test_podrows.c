// SPDX-License-Identifier: GPL-2.0-or-later
/* containers --by-pod's pod rows (snap_pod_rows): the pod's own cgroup (the
 * pod<uid> directory kubelet makes), the processes of the containers the
 * kernel placed beneath it, each network namespace's traffic once; a
 * runtime's annotations alone (untrusted) put nothing in a pod. */
#include <math.h>
#include <stdlib.h>

#include "snap.h"
#include "tap.h"

#define U1 "72faa904-853e-45a0-a71b-21c398836711"
#define U1_ "72faa904_853e_45a0_a71b_21c398836711"
#define P1 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U1_ ".slice"
#define U2 "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
#define P2 "/kubepods/burstable/pod" U2

static struct container ctr(const char *pod, const char *uid, const char *cg, uint32_t nprocs, pid_t init,
			    uint64_t netns)
{
	struct container c = {0};
	c.rt = RT_K8S;
	c.pod = pod;
	c.pod_uid = uid;
	c.cgroup = cg;
	c.nprocs = nprocs;
	c.init_pid = init;
	c.id = cg;
	c.netns = netns;
	c.net_rx = c.net_tx = VAL_NA;
	c.net_rxps = c.net_txps = NAN;
	return c;
}

static void freeall(struct container *rows, char **paths)
{
	for (size_t i = 0; paths[i]; i++)
		free(paths[i]);
	free(paths);
	free(rows);
}

int main(void)
{
	struct container v[8];
	/* a pod of three in the sandbox's network namespace */
	v[0] = ctr("shop/web", U1, P1 "/cri-containerd-a.scope", 1, 10, 900);
	v[0].sandbox = true;
	v[1] = ctr("shop/web", U1, P1 "/cri-containerd-b.scope", 2, 11, 900);
	v[2] = ctr("shop/web", U1, P1 "/cri-containerd-c.scope", 3, 12, 900);
	for (int i = 0; i < 3; i++) {
		v[i].net_rxps = 1000; /* every one sees the namespace's traffic */
		v[i].net_txps = 10;
	}
	/* annotations claiming that pod, without a uid, or with its uid but
	 * a cgroup elsewhere: not in it */
	v[3] = ctr("shop/web", NULL, "/kubepods.slice/nerdctl-x.scope", 7, 13, 901);
	v[4] = ctr("shop/web", U1, "/system.slice/docker-y.scope", 7, 14, 902);
	/* a host-network pod of two (cgroupfs names) */
	v[5] = ctr("data/db", U2, P2 "/d1", 4, 20, 1);
	v[6] = ctr("data/db", U2, P2 "/d2", 1, 21, 1);
	v[5].net_rxps = v[6].net_rxps = 5;
	v[7] = ctr(NULL, NULL, "/system.slice/docker-e.scope", 1, 30, 903);
	struct snap s = {0};
	s.ctrs = v;
	s.nctrs = 8;
	struct container *rows;
	char **paths;
	size_t n = snap_pod_rows(&s, &rows, &paths);
	IS_U64(n, 2, "a row per pod; none for annotations alone or for no pod");
	IS_STR(rows[0].cgroup, P1, "the pod's cgroup: kubelet's pod<uid> slice (systemd)");
	IS_U64(rows[0].nprocs, 6, "its processes: the containers' beneath it, not the claimants'");
	OK(rows[0].net_rxps == 1000 && rows[0].net_txps == 10, "its network namespace's traffic once (%g, %g)",
	   rows[0].net_rxps, rows[0].net_txps);
	IS_U64((uint64_t)rows[0].init_pid, 10, "its namespaces: the sandbox's");
	OK(rows[0].pod_row && !rows[0].sandbox && !rows[0].netns_holder, "marked a pod row, holding nothing");
	IS_STR(rows[0].id, U1, "identified by the pod's uid");
	IS_STR(rows[1].cgroup, P2, "kubelet's pod<uid> directory (cgroupfs)");
	OK(rows[1].net_rxps == 5 && isnan(rows[1].net_txps),
	   "a host-network pod: the host's traffic once, an unknown figure not (%g)", rows[1].net_rxps);
	IS_U64(rows[1].nprocs, 5, "its two containers' processes");
	freeall(rows, paths);
	/* a uid named by a container whose cgroup holds a look-alike name:
	 * the component must end in pod<uid>, after a '-' or as a whole */
	struct container w[2] = {ctr("a/b", U1, "/kubepods/xpod" U1 "/c", 1, 1, 0),
				 ctr("a/b", U1, "/kubepods/pod" U1 "x/c", 1, 2, 0)};
	s.ctrs = w;
	s.nctrs = 2;
	n = snap_pod_rows(&s, &rows, &paths);
	OK(n == 0, "no pod directory in look-alike names (%zu rows)", n);
	freeall(rows, paths);
	return tap_done();
}
