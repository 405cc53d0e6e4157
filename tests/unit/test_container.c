// SPDX-License-Identifier: GPL-2.0-or-later
/* Runtime recognition over real cgroup paths of every runtime. */
#include "collect/collect.h"
#include "tap.h"

#define H64 "86d597eb6f0a47dbd9186dcfd319749b18415e90cde4810c6fc4126d077ac37b"

static const struct {
	const char *path;
	enum runtime rt;
	const char *id;
	const char *prefix; /* the container's own cgroup */
	const char *pod;
} cases[] = {
	{"/system.slice/docker-" H64 ".scope", RT_DOCKER, H64, "/system.slice/docker-" H64 ".scope", ""},
	{"/docker/" H64, RT_DOCKER, H64, "/docker/" H64, ""},
	{"/docker/" H64 "/init.scope", RT_DOCKER, H64, "/docker/" H64, ""},
	{"/machine.slice/libpod-" H64 ".scope", RT_PODMAN, H64, "/machine.slice/libpod-" H64 ".scope", ""},
	{"/machine.slice/libpod-" H64 ".scope/container", RT_PODMAN, H64, "/machine.slice/libpod-" H64 ".scope", ""},
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H64 ".scope", RT_PODMAN, H64,
	 "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H64 ".scope", ""},
	{"/libpod_parent/libpod-" H64, RT_PODMAN, H64, "/libpod_parent/libpod-" H64, ""},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod72faa904_853e_45a0_a71b_21c398836711.slice/cri-containerd-" H64 ".scope",
	 RT_K8S, H64, NULL, "72faa904-853e-45a0-a71b-21c398836711"},
	{"/kubepods/burstable/pod72faa904-853e-45a0-a71b-21c398836711/" H64, RT_K8S, H64, NULL,
	 "72faa904-853e-45a0-a71b-21c398836711"},
	{"/kubepods/pod72faa904-853e-45a0-a71b-21c398836711/" H64, RT_K8S, H64, NULL,
	 "72faa904-853e-45a0-a71b-21c398836711"},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod72faa904_853e_45a0_a71b_21c398836711.slice/crio-" H64 ".scope",
	 RT_K8S, H64, NULL, "72faa904-853e-45a0-a71b-21c398836711"},
	{"/kubepods.slice/kubepods-pod72faa904_853e_45a0_a71b_21c398836711.slice/docker-" H64 ".scope", RT_K8S, H64,
	 NULL, "72faa904-853e-45a0-a71b-21c398836711"},
	{"/system.slice/crio-" H64 ".scope", RT_CRIO, H64, NULL, ""},
	{"/system.slice/cri-containerd-" H64 ".scope", RT_CONTAINERD, H64, NULL, ""},
	/* nerdctl with the systemd cgroup driver, root and rootless */
	{"/system.slice/nerdctl-" H64 ".scope", RT_CONTAINERD, H64, NULL, ""},
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/nerdctl-" H64 ".scope", RT_CONTAINERD, H64, NULL, ""},
	{"/lxc.payload.web", RT_LXC, "web", "/lxc.payload.web", ""},
	{"/lxc.payload.web/system.slice/cron.service", RT_LXC, "web", "/lxc.payload.web", ""},
	{"/lxc.payload/web", RT_LXC, "web", "/lxc.payload/web", ""},
	{"/lxc/web", RT_LXC, "web", "/lxc/web", ""},
	{"/machine.slice/machine-demo.scope", RT_NSPAWN, "demo", NULL, ""},
	{"/machine.slice/machine-demo.scope/payload/init.scope", RT_NSPAWN, "demo", "/machine.slice/machine-demo.scope", ""},
	{"/machine.slice/machine-qemu\\x2d1\\x2dvm.scope", RT_NSPAWN, "qemu-1-vm", NULL, ""},
	/* systemd-nspawn@NAME.service --keep-unit: the payload is the container */
	{"/machine.slice/systemd-nspawn@web\\x2d1.service/payload", RT_NSPAWN, "web-1", NULL, ""},
	{"/machine.slice/systemd-nspawn@web.service/payload/system.slice/cron.service", RT_NSPAWN, "web",
	 "/machine.slice/systemd-nspawn@web.service/payload", ""},
	{"/nstop/web", RT_NSTOP, "web", NULL, ""},
	{"/test.slice/run-x/nstop/web/sub", RT_NSTOP, "web", "/test.slice/run-x/nstop/web", ""},
	{"/tests/t1/system.slice/docker-" H64 ".scope", RT_DOCKER, H64, NULL, ""},
};

static const char *const nomatch[] = {
	"/",
	"/system.slice/docker.service",
	"/machine.slice/systemd-nspawn@web.service/supervisor", /* nspawn itself, not its container */
	"/machine.slice/systemd-nspawn@web.service",
	"/system.slice/containerd.service",
	"/machine.slice/libpod-conmon-" H64 ".scope",
	"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod72faa904_853e_45a0_a71b_21c398836711.slice/crio-conmon-" H64 ".scope",
	"/system.slice/nerdctl-" H64 ".service",
	"/system.slice/docker-" H64 "x.scope",
	"/system.slice/docker-86D597EB6F0A47DBD9186DCFD319749B18415E90CDE4810C6FC4126D077AC37B.scope",
	"/system.slice/docker-1234.scope",
	"/lxc.monitor.web",
	"/user.slice/user-1000.slice/session-2.scope",
	"/kubepods.slice/kubepods-burstable.slice",
	"/nstop",
	"/docker",
	"/init.scope",
};

int main(void)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cg_match m;
		bool hit = container_match(cases[i].path, &m);
		const char *want_prefix = cases[i].prefix ? cases[i].prefix : cases[i].path;
		OK(hit && m.rt == cases[i].rt && !strcmp(m.id, cases[i].id) &&
			   m.end == strlen(want_prefix) && !strcmp(m.pod_uid, cases[i].pod),
		   "%s is %s %.12s", cases[i].path, runtime_name(cases[i].rt), cases[i].id);
		if (hit && m.rt != cases[i].rt)
			printf("#   got runtime %s\n", runtime_name(m.rt));
	}
	for (size_t i = 0; i < ARRAY_LEN(nomatch); i++) {
		struct cg_match m;
		OK(!container_match(nomatch[i], &m), "%s is no container", nomatch[i]);
	}
	return tap_done();
}
