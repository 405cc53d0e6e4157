// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: a layer's archive entries and an image's JSON. The input is
 * a list of entries "K path\0link\0" (K: the kind) through one check, then
 * the whole input as index, manifest, docker manifest, config and passwd.
 * Whatever is accepted is layer-relative: no "..", no leading "/", no "//",
 * and never beneath a symbolic link accepted before. */
#include <errno.h>

#include "fuzz.h"

static void relative_or_die(const char *p)
{
	if (p[0] == '/' || strstr(p, "//") || (p[0] && p[strlen(p) - 1] == '/'))
		abort();
	for (const char *s = p; s;) {
		if (!strncmp(s, "..", 2) && (s[2] == '/' || !s[2]))
			abort();
		if (s[0] == '.' && (s[1] == '/' || !s[1]))
			abort();
		s = strchr(s, '/');
		if (s)
			s++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	struct img_check c;
	img_check_init(&c, 1 << 20, 64);
	char links[64][PATH_MAX];
	size_t nl = 0;
	for (const char *p = s, *end = s + size; p + 1 < end;) {
		struct img_entry in = {.kind = (enum img_kind)((unsigned char)p[0] % (IMG_OTHER + 1)),
				       .size = (unsigned char)p[0] * 4099};
		in.path = p + 1;
		const char *z = memchr(in.path, '\0', (size_t)(end - in.path));
		if (!z)
			break;
		in.link = z + 1 < end ? z + 1 : "";
		const char *z2 = z + 1 < end ? memchr(in.link, '\0', (size_t)(end - in.link)) : NULL;
		struct img_ent out;
		char why[200];
		if (img_entry_check(&c, &in, &out, why, sizeof(why)) == 0) {
			relative_or_die(out.path);
			if (in.kind == IMG_HARDLINK && !out.wh)
				relative_or_die(out.link);
			if (in.kind >= IMG_CHR && !out.skip)
				abort(); /* a device, fifo or socket got through */
			for (size_t i = 0; i < nl && !out.skip; i++) {
				size_t n = strlen(links[i]);
				if (!strncmp(out.path, links[i], n) && out.path[n] == '/')
					abort(); /* written through a symlink of the layer */
			}
			if (in.kind == IMG_SYMLINK && !out.wh && !out.skip && nl < 64)
				snprintf(links[nl++], PATH_MAX, "%s", out.path);
		} else if (!why[0]) {
			abort(); /* a refusal names its reason */
		}
		if (!z2)
			break;
		p = z2 + 1;
	}
	if (c.bytes > c.max_bytes)
		abort();
	img_check_free(&c);
	struct img_manifest m;
	if (parse_img_index(s, size, &m) == 0) {
		img_index_pick(&m, "linux", "amd64", "");
		img_manifest_free(&m);
	}
	if (parse_img_manifest(s, size, &m) == 0) {
		for (size_t i = 0; i < m.nlayers; i++)
			if (!img_digest_ok(m.layers[i].digest))
				abort();
		img_manifest_free(&m);
	}
	if (parse_docker_manifest(s, size, &m) == 0) {
		relative_or_die(m.config.path);
		for (size_t i = 0; i < m.nlayers; i++)
			relative_or_die(m.layers[i].path);
		img_manifest_free(&m);
	}
	struct img_config cf;
	if (parse_img_config(s, size, &cf) == 0)
		img_config_free(&cf);
	struct img_user iu;
	/* the input as passwd and as group, split where a NUL falls */
	const char *nul = memchr(s, '\0', size);
	size_t half = nul ? (size_t)(nul - s) : size;
	const char *gr = nul ? nul + 1 : s;
	size_t ngr = nul ? size - half - 1 : size;
	static const char *users[] = {"app", "app:7", "root", "0", "1000:staff", "app:"};
	for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++)
		if (parse_img_user(users[i], s, half, gr, ngr, &iu) == 0 &&
		    (iu.ngids > IMG_MAX_GIDS || iu.home[0] != '/' || memchr(iu.home, '\n', strlen(iu.home))))
			abort();
	free(s);
	return 0;
}
