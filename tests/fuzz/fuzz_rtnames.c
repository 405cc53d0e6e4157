// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: an OCI bundle's config.json (containerd's, CRI-O's, nerdctl's
 * annotations), a user's Podman containers.json and /etc/passwd, both written by others (a pod's name by
 * whoever may create pods; a home by whoever edits passwd). Every field
 * ends within its slot; a home is absolute and has no . or .. component.
 */
#include <errno.h>

#include "fuzz.h"

static bool ends(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

/* parse_podman_each: every id a string, name and image within their caps */
static bool pm_check(void *arg, const char *id, const char *name, const char *image)
{
	(void)id;
	if (strlen(name) >= PODMAN_NAME_MAX || strlen(image) >= PODMAN_IMAGE_MAX)
		abort();
	return ++*(size_t *)arg < 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct oci_names o;
	int r = parse_oci_names(in, size, &o);
	if ((r != 0 && r != -EINVAL) || !ends(o.name, sizeof(o.name)) || !ends(o.image, sizeof(o.image)) ||
	    !ends(o.pod, sizeof(o.pod)) || !ends(o.pod_ns, sizeof(o.pod_ns)) ||
	    !ends(o.pod_uid, sizeof(o.pod_uid)) || !ends(o.sandbox_id, sizeof(o.sandbox_id)))
		abort();
	size_t n = 0;
	r = parse_podman_each(in, size, pm_check, &n);
	if ((r != 0 && r != -EINVAL) || (r != 0 && n))
		abort();
	char home[64];
	for (uint32_t uid = 0; uid < 1002; uid += 1000) {
		r = parse_passwd_home(in, size, uid, home, sizeof(home));
		if (r == 0 && (home[0] != '/' || !ends(home, sizeof(home)) || str_path_has_dots(home)))
			abort();
		if (r != 0 && (r != -ENOENT || home[0]))
			abort();
	}
	/* an LXC config: a value within its slot, no blank at either end */
	char v[64];
	r = parse_lxc_conf(in, size, "lxc.console.logfile", v, sizeof(v));
	if ((r != 0 && (r != -ENOENT || v[0])) || !ends(v, sizeof(v)) ||
	    (v[0] && (v[0] == ' ' || v[strlen(v) - 1] == ' ' || strchr(v, '\n'))))
		abort();
	return 0;
}
