// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the runtimes' bundle annotations and /etc/passwd homes (src/collect/parse_rt.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/parse.h"
#include "tap.h"

static int names(const char *s, struct oci_names *o)
{
	return parse_oci_names(s, strlen(s), o);
}

static void t_containerd(void)
{
	struct oci_names o;
	/* as containerd's CRI plugin writes a container's (from a kind node) */
	const char *ctr = "{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/manager\"]},"
			  "\"annotations\":{\"io.kubernetes.cri.container-name\":\"bpfman-operator\","
			  "\"io.kubernetes.cri.container-type\":\"container\","
			  "\"io.kubernetes.cri.image-name\":\"quay.io/bpfman/bpfman-operator:latest\","
			  "\"io.kubernetes.cri.sandbox-id\":\"655b0ad6e26c0403c00ef9ab69c399e4e86f92d6bd3ad22a286849bf310b31f3\","
			  "\"io.kubernetes.cri.sandbox-name\":\"bpfman-operator-65747dc769-pjztg\","
			  "\"io.kubernetes.cri.sandbox-namespace\":\"bpfman\","
			  "\"io.kubernetes.cri.sandbox-uid\":\"4cad64d0-7a36-452a-8a08-bd3a694cdad5\"},"
			  "\"linux\":{\"cgroupsPath\":\"kubelet-kubepods.slice:cri-containerd:x\"}}";
	OK(names(ctr, &o) == 0, "containerd: a bundle's config.json parses");
	IS_STR(o.name, "bpfman-operator", "containerd: the container's name");
	IS_STR(o.image, "quay.io/bpfman/bpfman-operator:latest", "containerd: its image");
	IS_STR(o.pod, "bpfman-operator-65747dc769-pjztg", "containerd: its pod");
	IS_STR(o.pod_ns, "bpfman", "containerd: the pod's namespace");
	IS_STR(o.pod_uid, "4cad64d0-7a36-452a-8a08-bd3a694cdad5", "containerd: the pod's uid");
	IS_STR(o.sandbox_id, "655b0ad6e26c0403c00ef9ab69c399e4e86f92d6bd3ad22a286849bf310b31f3", "containerd: the sandbox's id");
	OK(!o.sandbox, "containerd: a container is no sandbox");
	OK(names("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		 "\"io.kubernetes.cri.sandbox-name\":\"web\"}}", &o) == 0 && o.sandbox && !o.name[0] &&
	   !strcmp(o.pod, "web"), "containerd: the pod's sandbox, named by its pod alone");
	OK(names("{\"annotations\":{\"nerdctl/name\":\"redis\",\"nerdctl/namespace\":\"default\"}}", &o) == 0 &&
	   !strcmp(o.name, "redis") && !o.pod[0] && !o.image[0], "nerdctl: its name, no pod, no image");
}

static void t_crio(void)
{
	struct oci_names o;
	OK(names("{\"annotations\":{\"io.container.manager\":\"cri-o\",\"io.kubernetes.container.name\":\"postgres\","
		 "\"io.kubernetes.cri-o.ContainerType\":\"container\",\"io.kubernetes.cri-o.ImageName\":\"docker.io/library/postgres:16\","
		 "\"io.kubernetes.pod.name\":\"db-0\",\"io.kubernetes.pod.namespace\":\"data\","
		 "\"io.kubernetes.pod.uid\":\"9e8d7c6b-5a49-4837-a261-504f3e2d1c0b\","
		 "\"io.kubernetes.cri-o.SandboxID\":\"d4d4\"}}", &o) == 0, "cri-o: parses");
	IS_STR(o.name, "postgres", "cri-o: the container's name");
	IS_STR(o.image, "docker.io/library/postgres:16", "cri-o: its image");
	IS_STR(o.pod, "db-0", "cri-o: its pod");
	IS_STR(o.pod_ns, "data", "cri-o: the namespace");
	IS_STR(o.pod_uid, "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b", "cri-o: the uid");
	IS_STR(o.sandbox_id, "d4d4", "cri-o: the sandbox");
	OK(names("{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\",\"io.kubernetes.container.name\":\"POD\"}}", &o) == 0 &&
	   o.sandbox, "cri-o: its sandbox");
}

static void t_hostile(void)
{
	struct oci_names o;
	OK(names("[1]", &o) == -EINVAL, "no object: refused");
	OK(names("{\"annotations\":", &o) == -EINVAL, "cut short: refused");
	OK(names("{}", &o) == 0 && !o.name[0] && !o.pod[0], "no annotations: nothing known");
	OK(names("{\"annotations\":[\"nerdctl/name\"]}", &o) == 0 && !o.name[0], "annotations not an object: nothing");
	OK(names("{\"annotations\":{\"nerdctl/name\":7}}", &o) == 0 && !o.name[0], "a number: not taken");
	OK(names("{\"annotations\":{\"nerdctl/name\":\"a\\u0000b\"}}", &o) == 0 && !o.name[0],
	   "a name with a NUL: not taken (a C string would cut it)");
	char big[600];
	int n = snprintf(big, sizeof(big), "{\"annotations\":{\"nerdctl/name\":\"%0300d\"}}", 0);
	OK(n > 0 && parse_oci_names(big, (size_t)n, &o) == 0 && !o.name[0], "too long for its slot: left out, not cut");
	n = snprintf(big, sizeof(big), "{\"annotations\":{\"nerdctl/name\":\"%0255d\"}}", 0);
	OK(parse_oci_names(big, (size_t)n, &o) == 0 && strlen(o.name) == 255, "255 bytes: fits its 256-byte slot");
	n = snprintf(big, sizeof(big), "{\"annotations\":{\"nerdctl/name\":\"%0256d\"}}", 0);
	OK(parse_oci_names(big, (size_t)n, &o) == 0 && !o.name[0], "256 bytes: left out");
	OK(names("{\"annotations\":{\"io.kubernetes.cri.container-name\":\"\\u001b[2Jx\"}}", &o) == 0 &&
	   !strcmp(o.name, "\x1b[2Jx"), "control bytes kept raw (escaped where printed)");
	OK(names("{\"annotations\":{\"io.kubernetes.cri.container-name\":\"\",\"io.kubernetes.container.name\":\"b\"}}", &o) == 0 &&
	   !strcmp(o.name, "b"), "an empty value: the next key's");
}

static void t_passwd(void)
{
	const char *pw = "root:x:0:0:root:/root:/bin/bash\n"
			 "bad:x:12a:1::/home/bad:/bin/sh\n"
			 "dots:x:1001:1001::/home/../etc:/bin/sh\n"
			 "rel:x:1002:1002::home/rel:/bin/sh\n"
			 "short:x:1003\n"
			 "bob:x:1000:1000:Bob,,,:/home/bob:/bin/bash";
	char h[64];
	OK(parse_passwd_home(pw, strlen(pw), 1000, h, sizeof(h)) == 0 && !strcmp(h, "/home/bob"),
	   "passwd: bob's home (last line without newline)");
	OK(parse_passwd_home(pw, strlen(pw), 0, h, sizeof(h)) == 0 && !strcmp(h, "/root"), "passwd: root's");
	OK(parse_passwd_home(pw, strlen(pw), 1001, h, sizeof(h)) == -ENOENT && !h[0], "passwd: a home with .. refused");
	OK(parse_passwd_home(pw, strlen(pw), 1002, h, sizeof(h)) == -ENOENT, "passwd: a relative home refused");
	OK(parse_passwd_home(pw, strlen(pw), 1003, h, sizeof(h)) == -ENOENT, "passwd: a short line skipped");
	OK(parse_passwd_home(pw, strlen(pw), 12, h, sizeof(h)) == -ENOENT, "passwd: 12a is no uid 12");
	OK(parse_passwd_home(pw, strlen(pw), 1000, h, 5) == -ENOENT, "passwd: a home too long for the slot");
}

static void t_lxc(void)
{
	const char *c = "# LXC\nlxc.uts.name = web\nlxc.console.logfile = /var/log/lxc/a.log\n"
			"  lxc.console.logfile=\t/var/log/lxc/web.console \r\nlxc.console.logfile.x = /no\n"
			"xlxc.console.logfile = /no\n";
	char v[64];
	OK(parse_lxc_conf(c, strlen(c), "lxc.console.logfile", v, sizeof(v)) == 0 && !strcmp(v, "/var/log/lxc/web.console"),
	   "lxc config: the last line wins, blanks and a CR around it dropped, longer keys not it");
	const char *e = "lxc.console.logfile = /a\nlxc.console.logfile =\n";
	OK(parse_lxc_conf(e, strlen(e), "lxc.console.logfile", v, sizeof(v)) == 0 && !v[0], "lxc config: an empty value clears");
	OK(parse_lxc_conf(c, strlen(c), "lxc.lxcpath", v, sizeof(v)) == -ENOENT && !v[0], "lxc config: a key not there");
	char small[8];
	OK(parse_lxc_conf(c, strlen(c), "lxc.console.logfile", small, sizeof(small)) == -ENOENT && !small[0],
	   "lxc config: a value too long for its slot is none, not cut");
}

int main(void)
{
	t_lxc();
	t_containerd();
	t_crio();
	t_hostile();
	t_passwd();
	return tap_done();
}
