// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container images' untrusted input, pure and fuzzable: each entry of a
 * layer's archive is judged before anything is written (a path that climbs
 * out, an entry beneath a symbolic link of the same layer, a hard link
 * leading out, a device node or fifo, the layer's byte and entry caps, OCI
 * whiteouts), and the JSON of an OCI layout or a docker-archive (index,
 * manifest, config; docker's manifest.json) is read into plain structs.
 * The image-spec's layer.md describes the whiteouts.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int refuse(char *why, size_t whyn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t whyn, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whyn, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * PATH as a layer-relative path: "./a//b/" -> "a/b". An absolute path or a
 * ".." component is refused (never resolved: a layer has no business
 * climbing), so is a component longer than NAME_MAX or a result that does
 * not fit. "" is the layer's root.
 */
int img_path_norm(const char *in, char *out, size_t outn, char *why, size_t whyn)
{
	if (in[0] == '/')
		return refuse(why, whyn, "an absolute path");
	size_t o = 0;
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return refuse(why, whyn, "a \"..\" component");
		if (!(n == 1 && p[0] == '.')) {
			if (n > NAME_MAX)
				return refuse(why, whyn, "a name longer than %d bytes", NAME_MAX);
			if (o + (o > 0) + n + 1 > outn)
				return refuse(why, whyn, "a path longer than %zu bytes", outn - 1);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return 0;
}

/* the layer's symbolic links so far: an open-addressing set of paths */
static bool links_has(const struct img_check *c, const char *p, size_t n)
{
	if (!c->nlinks)
		return false;
	for (size_t i = hash_bytes(p, n) & (c->linkcap - 1);; i = (i + 1) & (c->linkcap - 1)) {
		const char *s = c->links[i];
		if (!s)
			return false;
		if (strlen(s) == n && !memcmp(s, p, n))
			return true;
	}
}

static void links_add(struct img_check *c, const char *p)
{
	size_t n = strlen(p);
	if (links_has(c, p, n))
		return;
	if ((c->nlinks + 1) * 2 > c->linkcap) {
		size_t cap = c->linkcap ? c->linkcap * 2 : 64;
		char **nl = xcalloc(cap, sizeof(*nl));
		for (size_t i = 0; i < c->linkcap; i++) {
			if (!c->links[i])
				continue;
			size_t j = hash_bytes(c->links[i], strlen(c->links[i])) & (cap - 1);
			while (nl[j])
				j = (j + 1) & (cap - 1);
			nl[j] = c->links[i];
		}
		free(c->links);
		c->links = nl;
		c->linkcap = cap;
	}
	size_t i = hash_bytes(p, n) & (c->linkcap - 1);
	while (c->links[i])
		i = (i + 1) & (c->linkcap - 1);
	c->links[i] = xstrdup(p);
	c->nlinks++;
	c->linkbytes += n + 1;
}

/* the first proper prefix of P (a/b/c: a, a/b) that is a link of this layer */
static const char *below_link(const struct img_check *c, const char *p, size_t *plen)
{
	for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/'))
		if (links_has(c, p, (size_t)(s - p))) {
			*plen = (size_t)(s - p);
			return p;
		}
	return NULL;
}

void img_check_init(struct img_check *c, uint64_t max_bytes, uint64_t max_entries)
{
	memset(c, 0, sizeof(*c));
	c->max_bytes = max_bytes;
	c->max_entries = max_entries;
}

void img_check_free(struct img_check *c)
{
	for (size_t i = 0; i < c->linkcap; i++)
		free(c->links[i]);
	free(c->links);
	c->links = NULL;
	c->linkcap = c->nlinks = 0;
}

int img_entry_check(struct img_check *c, const struct img_entry *in, struct img_ent *out, char *why,
		    size_t whyn)
{
	memset(out, 0, sizeof(*out));
	if (++c->entries > c->max_entries)
		return refuse(why, whyn, "the layer has more than %llu entries", (unsigned long long)c->max_entries);
	if (in->size < 0)
		return refuse(why, whyn, "a negative size");
	/* the declared size counts before a byte is written: a bomb is
	 * refused at its header (the reader also stops at the cap); counted
	 * as tar stores it, in 512-byte blocks after a 512-byte header */
	uint64_t need = ((uint64_t)in->size + 511) / 512 * 512 + 512;
	if ((uint64_t)in->size > c->max_bytes || c->bytes + need > c->max_bytes)
		return refuse(why, whyn, "the layer unpacks to more than %llu bytes",
			      (unsigned long long)c->max_bytes);
	c->bytes += need;
	switch (in->kind) {
	case IMG_CHR:
	case IMG_BLK:
		return refuse(why, whyn, "a device node");
	case IMG_FIFO:
		return refuse(why, whyn, "a fifo");
	case IMG_SOCK:
		return refuse(why, whyn, "a socket");
	case IMG_OTHER:
		return refuse(why, whyn, "an entry of an unknown type");
	default:
		break;
	}
	if (img_path_norm(in->path, out->path, sizeof(out->path), why, whyn) < 0)
		return -EINVAL;
	if (!out->path[0]) {
		out->skip = true; /* the layer's root: it exists already */
		return 0;
	}
	/* removing and measuring a layer holds a descriptor per level */
	size_t depth = 1;
	for (const char *q = out->path; (q = strchr(q, '/')); q++)
		depth++;
	if (depth > IMG_MAX_DEPTH)
		return refuse(why, whyn, "deeper than %d directories", IMG_MAX_DEPTH);
	size_t pl;
	if (below_link(c, out->path, &pl))
		return refuse(why, whyn, "beneath the layer's symbolic link %.*s", (int)pl, out->path);
	const char *base = strrchr(out->path, '/');
	base = base ? base + 1 : out->path;
	if (!strncmp(base, ".wh.", 4)) {
		if (in->kind != IMG_REG)
			return refuse(why, whyn, "a whiteout that is no regular file");
		size_t dl = (size_t)(base - out->path);
		if (!strcmp(base, ".wh..wh..opq")) {
			out->wh = IMG_WH_OPAQUE; /* its directory */
			out->path[dl ? dl - 1 : 0] = '\0';
		} else if (!strncmp(base, ".wh..wh.", 8)) {
			out->skip = true; /* aufs' own (.wh..wh.plnk): docker ignores them too */
		} else {
			const char *name = base + 4;
			if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
				return refuse(why, whyn, "a whiteout of no name");
			out->wh = IMG_WH_FILE;
			memmove(out->path + dl, name, strlen(name) + 1);
		}
		return 0;
	}
	if (in->kind == IMG_SYMLINK) {
		if (!in->link || !*in->link)
			return refuse(why, whyn, "a symbolic link to nothing");
		if (strlen(in->link) >= PATH_MAX)
			return refuse(why, whyn, "a symbolic link longer than %d bytes", PATH_MAX - 1);
		if (c->linkbytes + strlen(out->path) + 1 > IMG_MAX_LINKBYTES)
			return refuse(why, whyn, "more than %u bytes of symbolic links' names", IMG_MAX_LINKBYTES);
		links_add(c, out->path);
	} else if (in->kind == IMG_HARDLINK) {
		if (!in->link)
			return refuse(why, whyn, "a hard link to nothing");
		char w2[128];
		if (img_path_norm(in->link, out->link, sizeof(out->link), w2, sizeof(w2)) < 0)
			return refuse(why, whyn, "a hard link outside the layer (%s)", w2);
		if (!out->link[0])
			return refuse(why, whyn, "a hard link to the layer's root");
		if (below_link(c, out->link, &pl) || links_has(c, out->link, strlen(out->link)))
			return refuse(why, whyn, "a hard link through the layer's symbolic link");
	}
	return 0;
}

/* "sha256:" and 64 lowercase hex digits: the only digest nstop verifies */
bool img_digest_ok(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) || strlen(s) != 71)
		return false;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* NAME[:TAG]: a docker reference's characters, no "..", at most 128 bytes */
bool img_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 128 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')) || strstr(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("._-/:@", s[i])))
			return false;
	return true;
}

/* a JSON array of strings, every one without NUL (NULL-terminated copy) */
static int str_array(const struct jv *a, char ***out, size_t *n, size_t max)
{
	*out = NULL;
	*n = 0;
	if (!a || a->type == JV_NULL)
		return 0;
	if (a->type != JV_ARR || a->n > max)
		return -EINVAL;
	char **v = xcalloc(a->n + 1, sizeof(*v));
	for (size_t i = 0; i < a->n; i++) {
		if (a->kids[i].type != JV_STR || strlen(a->kids[i].s) != a->kids[i].len) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -EINVAL;
		}
		v[i] = xstrdup(a->kids[i].s);
	}
	*out = v;
	*n = a->n;
	return 0;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static char *opt_str(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);
	return v && v->type == JV_STR && strlen(v->s) == v->len ? xstrdup(v->s) : NULL;
}

static int desc_read(const struct jv *d, struct img_desc *out)
{
	const char *dg = jv_str(d, "digest");
	double sz;
	if (!img_digest_ok(dg) || !jv_num(d, "size", &sz) || sz < 0 || sz > 9007199254740992.0)
		return -EINVAL;
	snprintf(out->digest, sizeof(out->digest), "%s", dg);
	out->size = (uint64_t)sz;
	out->media = opt_str(d, "mediaType");
	const struct jv *pl = jv_get(d, "platform");
	if (pl && pl->type == JV_OBJ) {
		const char *s;
		if ((s = jv_str(pl, "os")))
			snprintf(out->os, sizeof(out->os), "%s", s);
		if ((s = jv_str(pl, "architecture")))
			snprintf(out->arch, sizeof(out->arch), "%s", s);
		if ((s = jv_str(pl, "variant")))
			snprintf(out->variant, sizeof(out->variant), "%s", s);
	}
	return 0;
}

void img_manifest_free(struct img_manifest *m)
{
	free(m->config.media);
	free(m->config.path);
	for (size_t i = 0; i < m->nlayers; i++) {
		free(m->layers[i].media);
		free(m->layers[i].path);
	}
	free(m->layers);
	free(m->tag);
	memset(m, 0, sizeof(*m));
}

/* an OCI index: its manifests (each a descriptor with a platform) in layers[] */
int parse_img_index(const char *s, size_t n, struct img_manifest *m)
{
	memset(m, 0, sizeof(*m));
	struct jv v;
	if (n > IMG_MAX_JSON || jv_parse(s, n, &v) < 0)
		return -EINVAL;
	const struct jv *ms = jv_get(&v, "manifests");
	int r = -EINVAL;
	if (v.type != JV_OBJ || !ms || ms->type != JV_ARR || !ms->n || ms->n > IMG_MAX_LAYERS)
		goto out;
	m->layers = xcalloc(ms->n, sizeof(*m->layers));
	for (size_t i = 0; i < ms->n; i++) {
		if (desc_read(&ms->kids[i], &m->layers[m->nlayers]) < 0)
			goto out;
		m->nlayers++;
	}
	r = 0;
out:
	if (r < 0)
		img_manifest_free(m);
	jv_free(&v);
	return r;
}

/* the index entry for OS/ARCH[/VARIANT]; one without a platform fits any
 * host only when it is alone; -1 when none does */
int img_index_pick(const struct img_manifest *idx, const char *os, const char *arch, const char *variant)
{
	if (idx->nlayers == 1 && !idx->layers[0].os[0])
		return 0;
	int any = -1;
	for (size_t i = 0; i < idx->nlayers; i++) {
		const struct img_desc *d = &idx->layers[i];
		if (strcmp(d->os, os) || strcmp(d->arch, arch))
			continue;
		if (!variant || !*variant || !d->variant[0] || !strcmp(d->variant, variant))
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

/* an OCI (or docker v2 schema 2) image manifest */
int parse_img_manifest(const char *s, size_t n, struct img_manifest *m)
{
	memset(m, 0, sizeof(*m));
	struct jv v;
	if (n > IMG_MAX_JSON || jv_parse(s, n, &v) < 0)
		return -EINVAL;
	const struct jv *cf = jv_get(&v, "config"), *ls = jv_get(&v, "layers");
	int r = -EINVAL;
	if (v.type != JV_OBJ || !cf || desc_read(cf, &m->config) < 0 || !ls || ls->type != JV_ARR ||
	    ls->n > IMG_MAX_LAYERS)
		goto out;
	m->layers = xcalloc(ls->n + 1, sizeof(*m->layers));
	for (size_t i = 0; i < ls->n; i++) {
		if (desc_read(&ls->kids[i], &m->layers[m->nlayers]) < 0)
			goto out;
		m->nlayers++;
	}
	r = 0;
out:
	if (r < 0)
		img_manifest_free(m);
	jv_free(&v);
	return r;
}

/* a blob's path inside the archive: relative, no "..", no NUL */
static char *archive_path(const struct jv *v)
{
	char why[64], p[PATH_MAX];
	if (!v || v->type != JV_STR || strlen(v->s) != v->len || img_path_norm(v->s, p, sizeof(p), why, sizeof(why)) < 0 ||
	    !p[0])
		return NULL;
	return xstrdup(p);
}

/* docker save's manifest.json: its first image (Config, RepoTags[0], Layers) */
int parse_docker_manifest(const char *s, size_t n, struct img_manifest *m)
{
	memset(m, 0, sizeof(*m));
	struct jv v;
	if (n > IMG_MAX_JSON || jv_parse(s, n, &v) < 0)
		return -EINVAL;
	int r = -EINVAL;
	if (v.type != JV_ARR || !v.n || v.kids[0].type != JV_OBJ)
		goto out;
	const struct jv *o = &v.kids[0], *ls = jv_get(o, "Layers"), *tags = jv_get(o, "RepoTags");
	if (!(m->config.path = archive_path(jv_get(o, "Config"))) || !ls || ls->type != JV_ARR ||
	    ls->n > IMG_MAX_LAYERS)
		goto out;
	if (tags && tags->type == JV_ARR && tags->n && tags->kids[0].type == JV_STR && img_name_ok(tags->kids[0].s))
		m->tag = xstrdup(tags->kids[0].s);
	m->layers = xcalloc(ls->n + 1, sizeof(*m->layers));
	for (size_t i = 0; i < ls->n; i++) {
		if (!(m->layers[i].path = archive_path(&ls->kids[i])))
			goto out;
		m->nlayers++;
	}
	r = 0;
out:
	if (r < 0)
		img_manifest_free(m);
	jv_free(&v);
	return r;
}

void img_config_free(struct img_config *c)
{
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	strv_free(c->diff_ids);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

/* an image config: its platform, the run-time defaults, rootfs.diff_ids */
int parse_img_config(const char *s, size_t n, struct img_config *c)
{
	memset(c, 0, sizeof(*c));
	struct jv v;
	if (n > IMG_MAX_JSON || jv_parse(s, n, &v) < 0)
		return -EINVAL;
	int r = -EINVAL;
	if (v.type != JV_OBJ)
		goto out;
	const char *os = jv_str(&v, "os"), *arch = jv_str(&v, "architecture");
	snprintf(c->os, sizeof(c->os), "%s", os ? os : "");
	snprintf(c->arch, sizeof(c->arch), "%s", arch ? arch : "");
	const struct jv *cf = jv_get(&v, "config"), *rf = jv_get(&v, "rootfs");
	if (cf && cf->type == JV_OBJ) {
		if (str_array(jv_get(cf, "Entrypoint"), &c->entrypoint, &c->nentrypoint, 4096) < 0 ||
		    str_array(jv_get(cf, "Cmd"), &c->cmd, &c->ncmd, 4096) < 0 ||
		    str_array(jv_get(cf, "Env"), &c->env, &c->nenv, 4096) < 0)
			goto out;
		c->workdir = opt_str(cf, "WorkingDir");
		c->user = opt_str(cf, "User");
	} else if (cf && cf->type != JV_NULL) {
		goto out;
	}
	if (!rf || rf->type != JV_OBJ || str_array(jv_get(rf, "diff_ids"), &c->diff_ids, &c->ndiff_ids, IMG_MAX_LAYERS) < 0)
		goto out;
	for (size_t i = 0; i < c->ndiff_ids; i++)
		if (!img_digest_ok(c->diff_ids[i]))
			goto out;
	for (size_t i = 0; i < c->nenv; i++)
		if (!strchr(c->env[i], '=') || c->env[i][0] == '=')
			goto out;
	r = 0;
out:
	if (r < 0)
		img_config_free(c);
	jv_free(&v);
	return r;
}

/* A field that is a decimal id below 2^32 - 1 (-1 is no id). */
static bool db_id(const char *f, size_t n, uint32_t *id)
{
	char a[16];
	uint64_t v;
	if (n >= sizeof(a))
		return false;
	memcpy(a, f, n);
	a[n] = '\0';
	if (str_parse_u64(a, &v) < 0 || v >= UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

/* The next line of DB (its end at END) from *P; false at the end. */
static bool db_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (!*p || *p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

static bool field_is(const char *f, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(f, s, n);
}

/* Whether group line's member list (M, N bytes: a,b,c) names NAME. */
static bool db_member(const char *m, size_t n, const char *name)
{
	for (const char *q = m, *end = m + n; q < end;) {
		const char *c = memchr(q, ',', (size_t)(end - q));
		size_t l = (size_t)((c ? c : end) - q);
		if (field_is(q, l, name))
			return true;
		q = c ? c + 1 : end;
	}
	return false;
}

/*
 * USER as docker (runc's GetExecUser) resolves it in the image's own
 * /etc/passwd (PW, npw bytes) and /etc/group (GR, ngr bytes; either NULL):
 * "user[:group]", each a name or a number. A name must be listed; a number
 * is looked up as an id and need not be listed (then its gid is 0). A user
 * found in passwd takes its gid and home (absolute, else "/") from there, and, without an
 * explicit group, its supplementary groups from the groups that list it
 * (more than IMG_MAX_GIDS: -E2BIG). An explicit group replaces the gid and gives no
 * supplementary ones. The first matching line wins. -ENOENT: the user's
 * name is not there; -ENODATA: the group's name is not there; -EINVAL:
 * USER is malformed; -E2BIG: too many groups.
 */
int parse_img_user(const char *user, const char *pw, size_t npw, const char *gr, size_t ngr, struct img_user *out)
{
	char u[256], g[256] = "";
	const char *colon = strchr(user, ':');
	size_t ul = colon ? (size_t)(colon - user) : strlen(user);
	memset(out, 0, sizeof(*out));
	if (!ul || ul >= sizeof(u) || (colon && strlen(colon + 1) >= sizeof(g)))
		return -EINVAL;
	memcpy(u, user, ul);
	u[ul] = '\0';
	if (colon)
		snprintf(g, sizeof(g), "%s", colon + 1);
	uint32_t uarg = 0, garg = 0;
	bool unum = db_id(u, ul, &uarg);
	bool gnum = g[0] && db_id(g, strlen(g), &garg);
	char matched[256] = "";
	const char *line, *f[7];
	size_t len, fl[7];
	snprintf(out->home, sizeof(out->home), "/");
	for (const char *p = pw, *end = pw ? pw + npw : NULL; db_line(&p, end, &line, &len);) {
		uint32_t lu, lg;
		/* name:x:uid:gid:gecos:home:shell */
		size_t k = parse_fields(line, len, f, fl, 7);
		if (k < 4 || !db_id(f[2], fl[2], &lu) || !db_id(f[3], fl[3], &lg))
			continue;
		if (unum ? lu != uarg : !field_is(f[0], fl[0], u))
			continue;
		if (fl[0] < sizeof(matched)) {
			memcpy(matched, f[0], fl[0]);
			matched[fl[0]] = '\0';
		}
		out->uid = lu;
		out->gid = lg;
		if (k >= 6 && fl[5] && fl[5] < sizeof(out->home) && f[5][0] == '/' && !memchr(f[5], '\0', fl[5])) {
			memcpy(out->home, f[5], fl[5]);
			out->home[fl[5]] = '\0';
		}
		break;
	}
	if (!matched[0]) {
		if (!unum)
			return -ENOENT;
		out->uid = uarg;
	}
	if (!g[0] && !matched[0])
		return 0;
	bool gfound = false;
	for (const char *p = gr, *end = gr ? gr + ngr : NULL; db_line(&p, end, &line, &len);) {
		uint32_t lg;
		/* name:x:gid:member,member */
		size_t k = parse_fields(line, len, f, fl, 4);
		if (k < 3 || !db_id(f[2], fl[2], &lg))
			continue;
		if (g[0]) {
			if (gnum ? lg == garg : field_is(f[0], fl[0], g)) {
				out->gid = lg;
				gfound = true;
				break;
			}
		} else if (k == 4 && db_member(f[3], fl[3], matched)) {
			/* refused, not cut: a group left out could be one that
			 * denies (a file's group bits below its other bits) */
			if (out->ngids == IMG_MAX_GIDS)
				return -E2BIG;
			out->gids[out->ngids++] = lg;
		}
	}
	if (g[0] && !gfound) {
		if (!gnum)
			return -ENODATA;
		out->gid = garg;
	}
	return 0;
}
