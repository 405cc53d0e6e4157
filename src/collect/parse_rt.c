// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names from an OCI runtime bundle's config.json, pure and fuzzable: the
 * annotations containerd's CRI plugin (io.kubernetes.cri.*), CRI-O
 * (io.kubernetes.container.name, io.kubernetes.pod.*,
 * io.kubernetes.cri-o.*) and nerdctl (nerdctl/name, copied from its labels)
 * write into the spec they hand the OCI runtime. Everything here is
 * untrusted: a pod's name and namespace are chosen by whoever may create
 * pods, an image name by whoever writes the manifest.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

/* the value of the first key present that fits its slot; a value too long
 * for its slot is left out rather than cut (a cut name could be another's) */
static void take(const struct jv *ann, const char *const *keys, char *out, size_t size)
{
	out[0] = '\0';
	for (; *keys; keys++) {
		const struct jv *k = jv_get(ann, *keys);
		if (!k || k->type != JV_STR || !k->len || memchr(k->s, '\0', k->len))
			continue;
		if (k->len < size)
			memcpy(out, k->s, k->len + 1);
		return;
	}
}

/*
 * config.json's "annotations": the container's own name, its image, and for
 * Kubernetes its pod's name, namespace and uid, and whether it is the pod's
 * sandbox (the pause container that holds the pod's namespaces). -EINVAL
 * when it is no JSON object; 0 otherwise, with empty fields where nothing
 * is known.
 */
int parse_oci_names(const char *s, size_t n, struct oci_names *o)
{
	memset(o, 0, sizeof(*o));
	struct jv v;
	if (jv_parse(s, n, &v) < 0)
		return -EINVAL;
	if (v.type != JV_OBJ) {
		jv_free(&v);
		return -EINVAL;
	}
	const struct jv *ann = jv_get(&v, "annotations");
	if (ann && ann->type == JV_OBJ) {
		static const char *const name[] = {"io.kubernetes.cri.container-name",
						   "io.kubernetes.container.name", "nerdctl/name", NULL};
		static const char *const image[] = {"io.kubernetes.cri.image-name",
						    "io.kubernetes.cri-o.ImageName", NULL};
		static const char *const pod[] = {"io.kubernetes.cri.sandbox-name",
						  "io.kubernetes.pod.name", NULL};
		static const char *const ns[] = {"io.kubernetes.cri.sandbox-namespace",
						 "io.kubernetes.pod.namespace", NULL};
		static const char *const uid[] = {"io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid",
						  NULL};
		static const char *const sid[] = {"io.kubernetes.cri.sandbox-id",
						  "io.kubernetes.cri-o.SandboxID", NULL};
		static const char *const type[] = {"io.kubernetes.cri.container-type",
						   "io.kubernetes.cri-o.ContainerType", NULL};
		take(ann, name, o->name, sizeof(o->name));
		take(ann, image, o->image, sizeof(o->image));
		take(ann, pod, o->pod, sizeof(o->pod));
		take(ann, ns, o->pod_ns, sizeof(o->pod_ns));
		take(ann, uid, o->pod_uid, sizeof(o->pod_uid));
		take(ann, sid, o->sandbox_id, sizeof(o->sandbox_id));
		char t[16];
		take(ann, type, t, sizeof(t));
		o->sandbox = !strcmp(t, "sandbox");
	}
	jv_free(&v);
	return 0;
}

/*
 * The home directory of uid in an /etc/passwd text ("name:x:uid:gid:gecos:
 * home:shell"): absolute, without "." or ".." components, fitting size. 0
 * when found, -ENOENT when not.
 */
int parse_passwd_home(const char *s, size_t n, uint32_t uid, char *home, size_t size)
{
	home[0] = '\0';
	for (const char *p = s, *end = s + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[7];
		size_t fl[7];
		size_t nf = parse_fields(p, (size_t)(le - p), f, fl, 7);
		p = le + 1;
		if (nf != 7 || !fl[2] || fl[2] > 10)
			continue;
		uint64_t u = 0;
		size_t i;
		for (i = 0; i < fl[2] && f[2][i] >= '0' && f[2][i] <= '9'; i++)
			u = u * 10 + (uint64_t)(f[2][i] - '0');
		if (i != fl[2] || u != uid)
			continue;
		const char *h = f[5];
		size_t hl = fl[5];
		if (!hl || h[0] != '/' || hl >= size || memchr(h, '\0', hl))
			return -ENOENT;
		memcpy(home, h, hl);
		home[hl] = '\0';
		if (str_path_has_dots(home)) {
			home[0] = '\0';
			return -ENOENT;
		}
		return 0;
	}
	return -ENOENT;
}

static bool lxc_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * An LXC config's (or lxc.conf's) value of KEY: "key = value" lines, '#'
 * comments, blanks around the key, the '=' and the value; the last line
 * wins, as LXC reads them (an empty value clears). The value is copied when
 * it fits OUT (SIZE bytes) and holds no NUL. 0 when found (OUT may be ""),
 * -ENOENT when not.
 */
int parse_lxc_conf(const char *s, size_t n, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);
	int r = -ENOENT;
	out[0] = '\0';
	for (const char *p = s, *end = s + n; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		p = nl ? nl + 1 : end;
		while (q < le && lxc_blank(*q))
			q++;
		if ((size_t)(le - q) <= kl || memcmp(q, key, kl))
			continue;
		q += kl;
		while (q < le && lxc_blank(*q))
			q++;
		if (q == le || *q != '=')
			continue;
		q++;
		while (q < le && lxc_blank(*q))
			q++;
		const char *ve = le;
		while (ve > q && lxc_blank(ve[-1]))
			ve--;
		size_t vl = (size_t)(ve - q);
		if (vl >= size || memchr(q, '\0', vl)) {
			out[0] = '\0';
			r = -ENOENT;
			continue;
		}
		memcpy(out, q, vl);
		out[vl] = '\0';
		r = 0;
	}
	return r;
}
