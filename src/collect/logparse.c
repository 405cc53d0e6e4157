// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Runtimes' log lines and state files, pure and fuzzable: Docker's json-file
 * lines ({"log","stream","time"}, a piece without its newline continues in
 * the next), the CRI line format Kubernetes, CRI-O and Podman's k8s-file
 * write ("TIME STREAM P|F text", P pieces joined up to the F), plain lines
 * (nstop's own containers' output as written), RFC 3339
 * times, and the few fields of Docker's config.v2.json and hostconfig.json
 * nstop shows. Everything here is untrusted: a container writes its log's
 * content, and a runtime's files may be planted or cut short.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * "2024-01-02T03:04:05[.123456789](Z|+01:00)" (RFC 3339, the form Docker
 * and the CRI write) into nanoseconds since the epoch; the whole text must
 * be the time.
 */
int parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	int y, mo, d, h, mi, se;
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se))
		return -EINVAL;
	/* nanoseconds in an int64_t reach 1677 to 2262 */
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1678 || y > 2261)
		return -EINVAL;
	size_t i = 19;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		int nd = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (nd < 9)
				frac = frac * 10 + (s[i] - '0');
		if (!nd)
			return -EINVAL;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return -EINVAL;
	}
	int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	*ns = secs * 1000000000 + frac;
	return 0;
}

void log_join_free(struct log_join *j)
{
	buf_free(&j->text);
	memset(j, 0, sizeof(*j));
}

/* Appends a piece of text, up to LOG_TEXT_MAX in all. */
static void join_add(struct log_join *j, const char *s, size_t n)
{
	size_t room = LOG_TEXT_MAX - j->text.len;
	if (n > room) {
		n = room;
		j->cut = true;
	}
	buf_add(&j->text, s, n);
}

static void join_start(struct log_join *j, int64_t t, const char *stream, size_t sl)
{
	if (j->open)
		return;
	buf_reset(&j->text);
	buf_add(&j->text, "", 0); /* text.p valid even when empty */
	j->cut = false;
	j->time_ns = t;
	if (sl >= sizeof(j->stream))
		sl = sizeof(j->stream) - 1;
	memcpy(j->stream, stream, sl);
	j->stream[sl] = '\0';
}

static int feed_docker(struct log_join *j, const char *line, size_t n)
{
	struct jv v;
	if (jv_parse(line, n, &v) < 0)
		return -EINVAL;
	int r = -EINVAL;
	const struct jv *lg = jv_get(&v, "log");
	const char *stream = jv_str(&v, "stream"), *ts = jv_str(&v, "time");
	int64_t t = INT64_MIN;
	if (v.type != JV_OBJ || !lg || lg->type != JV_STR)
		goto out;
	if (ts && parse_rfc3339(ts, strlen(ts), &t) < 0)
		t = INT64_MIN;
	join_start(j, t, stream ? stream : "", stream ? strlen(stream) : 0);
	/* json-file writes a line's pieces (16 KiB each) without the newline */
	bool whole = lg->len && lg->s[lg->len - 1] == '\n';
	join_add(j, lg->s, lg->len - whole);
	j->open = !whole;
	r = whole;
out:
	jv_free(&v);
	return r;
}

static int feed_cri(struct log_join *j, const char *line, size_t n)
{
	const char *sp1 = memchr(line, ' ', n);
	if (!sp1)
		return -EINVAL;
	int64_t t;
	if (parse_rfc3339(line, (size_t)(sp1 - line), &t) < 0)
		return -EINVAL;
	const char *st = sp1 + 1, *end = line + n;
	const char *sp2 = memchr(st, ' ', (size_t)(end - st));
	if (!sp2 || sp2 == st)
		return -EINVAL;
	const char *tag = sp2 + 1;
	const char *sp3 = memchr(tag, ' ', (size_t)(end - tag));
	const char *tend = sp3 ? sp3 : end;
	/* tags are ':'-separated; the first is P (partial) or F (full) */
	size_t tl = (size_t)(tend - tag);
	const char *colon = memchr(tag, ':', tl);
	if (colon)
		tl = (size_t)(colon - tag);
	if (tl != 1 || (tag[0] != 'P' && tag[0] != 'F'))
		return -EINVAL;
	join_start(j, t, st, (size_t)(sp2 - st));
	if (sp3)
		join_add(j, sp3 + 1, (size_t)(end - sp3 - 1));
	j->open = tag[0] == 'P';
	return !j->open;
}

/*
 * One line of a log file (without its newline) into j: 1 when a record is
 * whole (j->text, time_ns, stream hold it until the next call), 0 when the
 * piece was kept for the next line, -EINVAL for a line that is neither (a
 * line cut by a rotation or a size cap: skipped, what was kept stays).
 */
int log_feed(struct log_join *j, enum log_fmt fmt, const char *line, size_t n)
{
	if (!j->open)
		j->time_ns = INT64_MIN;
	if (fmt == LOG_PLAIN) {
		/* nstop's own, LXC's console: the output as written, a line a
		 * record (a terminal's CR before the newline dropped) */
		j->open = false;
		if (n && line[n - 1] == '\r')
			n--;
		join_start(j, INT64_MIN, "stdout", 6);
		join_add(j, line, n);
		return 1;
	}
	return fmt == LOG_CRI ? feed_cri(j, line, n) : feed_docker(j, line, n);
}

/*
 * One journal entry of a container's (Podman's and Docker's journald
 * drivers): its MESSAGE, PRIORITY (3 stderr, 6 stdout) and whether it is a
 * piece of a longer line (CONTAINER_PARTIAL_MESSAGE=true), joined as CRI's
 * P pieces are. 1 when the record is whole, 0 when the piece was kept.
 */
int log_feed_journal(struct log_join *j, int64_t t_ns, const char *prio, size_t plen, const char *msg,
		     size_t mlen, bool partial)
{
	if (!j->open)
		j->time_ns = INT64_MIN;
	bool err = plen == 1 && prio && prio[0] == '3';
	join_start(j, t_ns, err ? "stderr" : "stdout", 6);
	join_add(j, msg ? msg : "", msg ? mlen : 0);
	j->open = partial;
	return !partial;
}

/* sd_journal_get_data's "NAME=value": the value when the name is name. */
int journal_field(const void *data, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *d = data;
	if (!d || len <= nl || memcmp(d, name, nl) || d[nl] != '=')
		return -EINVAL;
	*val = d + nl + 1;
	*vlen = len - nl - 1;
	return 0;
}

static void copy_str(char *out, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * Docker's config.v2.json: "Name" ("/web"), "Config"."Image" (what the user
 * ran, "busybox:1.36"), "Image" (the image's digest), "LogPath". Strings as
 * stored, raw (escaped where printed); a field too long for its slot is
 * left empty rather than cut. -EINVAL when it is no JSON object.
 */
int parse_docker_config(const char *s, size_t n, struct docker_cfg *c)
{
	memset(c, 0, sizeof(*c));
	struct jv v;
	if (jv_parse(s, n, &v) < 0)
		return -EINVAL;
	if (v.type != JV_OBJ) {
		jv_free(&v);
		return -EINVAL;
	}
	const char *name = jv_str(&v, "Name");
	if (name && *name == '/')
		name++;
	const struct jv *cfg = jv_get(&v, "Config");
	const char *img = cfg && cfg->type == JV_OBJ ? jv_str(cfg, "Image") : NULL;
	const char *dig = jv_str(&v, "Image");
	const char *lp = jv_str(&v, "LogPath");
	struct {
		char *out;
		size_t size;
		const char *val;
	} f[] = {
		{c->name, sizeof(c->name), name},
		{c->image, sizeof(c->image), img},
		{c->image_id, sizeof(c->image_id), dig},
		{c->log_path, sizeof(c->log_path), lp},
	};
	for (size_t i = 0; i < ARRAY_LEN(f); i++)
		if (f[i].val && strlen(f[i].val) < f[i].size)
			copy_str(f[i].out, f[i].size, f[i].val);
	jv_free(&v);
	return 0;
}

/* hostconfig.json's "LogConfig"."Type": the container's log driver. */
int parse_docker_hostconfig(const char *s, size_t n, char *driver, size_t size)
{
	driver[0] = '\0';
	struct jv v;
	if (jv_parse(s, n, &v) < 0)
		return -EINVAL;
	const struct jv *lc = v.type == JV_OBJ ? jv_get(&v, "LogConfig") : NULL;
	const char *t = lc && lc->type == JV_OBJ ? jv_str(lc, "Type") : NULL;
	if (t && strlen(t) < size)
		copy_str(driver, size, t);
	int r = v.type == JV_OBJ ? 0 : -EINVAL;
	jv_free(&v);
	return r;
}

/*
 * Where hostconfig.json's log driver sends the output: the first
 * "LogConfig"."Config" option named *-address (syslog-address,
 * fluentd-address, gelf-address, splunk-url's kin...), or splunk-url,
 * awslogs-group; "" when none is set (the driver's default).
 */
int parse_docker_logdest(const char *s, size_t n, char *out, size_t size)
{
	out[0] = '\0';
	struct jv v;
	if (jv_parse(s, n, &v) < 0)
		return -EINVAL;
	const struct jv *lc = v.type == JV_OBJ ? jv_get(&v, "LogConfig") : NULL;
	const struct jv *c = lc && lc->type == JV_OBJ ? jv_get(lc, "Config") : NULL;
	for (size_t i = 0; c && c->type == JV_OBJ && i < c->n && !out[0]; i++) {
		const char *k = c->keys[i];
		size_t kl = strlen(k);
		bool dest = (kl > 8 && !strcmp(k + kl - 8, "-address")) || !strcmp(k, "splunk-url") ||
			    !strcmp(k, "awslogs-group");
		if (dest && c->kids[i].type == JV_STR && strlen(k) + c->kids[i].len + 2 < size)
			snprintf(out, size, "%s=%s", k, c->kids[i].s);
	}
	int r = v.type == JV_OBJ ? 0 : -EINVAL;
	jv_free(&v);
	return r;
}

/*
 * Every entry of Podman's containers.json (an array of objects), in order:
 * fn(arg, id, name, image) for each with a string "id", name its first
 * "names" ("" when none or too long for PODMAN_NAME_MAX), image the
 * "image-name" of its "metadata" (a JSON text), else its "image" ("" when
 * none or too long for PODMAN_IMAGE_MAX). fn returns false to stop. -EINVAL when
 * the text is no JSON array, 0 otherwise.
 */
int parse_podman_each(const char *s, size_t n, podman_ent_fn fn, void *arg)
{
	struct jv v;
	if (jv_parse(s, n, &v) < 0)
		return -EINVAL;
	if (v.type != JV_ARR) {
		jv_free(&v);
		return -EINVAL;
	}
	char name[PODMAN_NAME_MAX], image[PODMAN_IMAGE_MAX];
	for (size_t i = 0; i < v.n; i++) {
		const struct jv *c = &v.kids[i];
		const char *cid = c->type == JV_OBJ ? jv_str(c, "id") : NULL;
		if (!cid)
			continue;
		name[0] = image[0] = '\0';
		const struct jv *names = jv_get(c, "names");
		if (names && names->type == JV_ARR && names->n && names->kids[0].type == JV_STR &&
		    strlen(names->kids[0].s) < sizeof(name))
			copy_str(name, sizeof(name), names->kids[0].s);
		const char *meta = jv_str(c, "metadata");
		struct jv m;
		if (meta && jv_parse(meta, strlen(meta), &m) == 0) {
			const char *in = m.type == JV_OBJ ? jv_str(&m, "image-name") : NULL;
			if (in && strlen(in) < sizeof(image))
				copy_str(image, sizeof(image), in);
			jv_free(&m);
		}
		const char *img = jv_str(c, "image");
		if (!image[0] && img && strlen(img) < sizeof(image))
			copy_str(image, sizeof(image), img);
		if (!fn(arg, cid, name, image))
			break;
	}
	jv_free(&v);
	return 0;
}

struct podman_one {
	const char *id;
	char *name, *image;
	size_t nsize, isize;
	bool found;
};

static bool podman_one(void *arg, const char *id, const char *name, const char *image)
{
	struct podman_one *o = arg;
	if (strcmp(id, o->id))
		return true;
	o->found = true;
	if (strlen(name) < o->nsize)
		copy_str(o->name, o->nsize, name);
	if (strlen(image) < o->isize)
		copy_str(o->image, o->isize, image);
	return false;
}

/* The first name and the image of container id in a containers.json: 0, or
 * -ENOENT when id is not there, -EINVAL when the text is no JSON array. */
int parse_podman_containers(const char *s, size_t n, const char *id, char *name, size_t nsize,
			    char *image, size_t isize)
{
	name[0] = image[0] = '\0';
	struct podman_one o = {.id = id, .name = name, .image = image, .nsize = nsize, .isize = isize};
	int r = parse_podman_each(s, n, podman_one, &o);
	return r < 0 ? r : o.found ? 0 : -ENOENT;
}

/*
 * conmon's argv (NUL-separated, as /proc/PID/cmdline): -c the container's
 * id, -b its bundle (ROOT/DRIVER-containers/ID/userdata), -l its log
 * ("k8s-file:PATH", "journald:", "passthrough"...). Pointers into argv;
 * NULL where absent.
 */
void parse_conmon_args(const char *argv, size_t len, struct conmon_args *a)
{
	memset(a, 0, sizeof(*a));
	const char *end = argv + len;
	const char **want = NULL;
	for (const char *p = argv; p < end;) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		if (!z)
			break; /* an argument without its end: not taken */
		if (want) {
			*want = p;
			want = NULL;
		} else if (!strcmp(p, "-c") || !strcmp(p, "--cid")) {
			want = &a->cid;
		} else if (!strcmp(p, "-b") || !strcmp(p, "--bundle")) {
			want = &a->bundle;
		} else if (!strcmp(p, "-l") || !strcmp(p, "--log-path")) {
			want = &a->log;
		} else if (!strcmp(p, "-n") || !strcmp(p, "--name")) {
			want = &a->name;
		}
		p = z + 1;
	}
}

/*
 * A name kubelet puts in a path: a namespace, pod or container name (DNS
 * labels and subdomains: lowercase letters, digits, '-', '.'), or with uid a
 * pod's uid (hex and '-'; a static pod's is 32 hex digits). Never '_' (the
 * separator of NS_POD_UID), '/', "." or "..".
 */
bool cri_name_ok(const char *s, bool uid)
{
	size_t n = strlen(s);
	if (!n || n > (uid ? 63u : 253u) || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' ||
			  (uid ? (c >= 'A' && c <= 'F') : ((c >= 'g' && c <= 'z') || c == '.'));
		if (!ok)
			return false;
	}
	return s[0] != '-' && s[0] != '.';
}

/*
 * One entry of a container's log directory: "N.log" (restart N's live
 * file), "N.log.YYYYMMDD-HHMMSS" (rotated by kubelet), with ".gz" when
 * compressed. -EINVAL for anything else (kubelet's ".tmp" while it
 * compresses, a stranger's file).
 */
int parse_cri_logname(const char *name, struct cri_logname *o)
{
	memset(o, 0, sizeof(*o));
	size_t i = 0;
	unsigned long v = 0;
	for (; name[i] >= '0' && name[i] <= '9' && i < 9; i++)
		v = v * 10 + (unsigned long)(name[i] - '0');
	if (!i || (name[0] == '0' && i > 1) || strncmp(name + i, ".log", 4))
		return -EINVAL;
	o->restart = (unsigned)v;
	const char *r = name + i + 4;
	if (!*r)
		return 0;
	/* .YYYYMMDD-HHMMSS[.gz] */
	if (r[0] != '.' || strlen(r) < 16 || r[9] != '-')
		return -EINVAL;
	for (int k = 1; k < 16; k++)
		if (k != 9 && (r[k] < '0' || r[k] > '9'))
			return -EINVAL;
	if (r[16] && strcmp(r + 16, ".gz"))
		return -EINVAL;
	memcpy(o->stamp, r + 1, 15);
	o->stamp[15] = '\0';
	o->gz = r[16] != '\0';
	return 0;
}

/* Copies s[0..n) into out (size) as a name cri_name_ok takes. */
static bool take_name(char *out, size_t size, const char *s, size_t n, bool uid)
{
	if (n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return cri_name_ok(out, uid);
}

/*
 * kubelet's link for a container in /var/log/containers: its name is
 * POD_NS_CTR-ID.log, its target /var/log/pods/NS_POD_UID/CTR/N.log. r gets
 * the four names and N when both agree with each other and with id; the
 * link itself is never followed (its target is only read as text).
 */
int parse_cri_link(const char *name, const char *target, const char *id, struct cri_ref *r)
{
	memset(r, 0, sizeof(*r));
	static const char pre[] = "/var/log/pods/";
	if (strncmp(target, pre, sizeof(pre) - 1))
		return -EINVAL;
	const char *d = target + sizeof(pre) - 1;
	const char *sl = strchr(d, '/');
	if (!sl)
		return -EINVAL;
	/* NS_POD_UID: names hold no '_' */
	const char *u1 = memchr(d, '_', (size_t)(sl - d));
	const char *u2 = u1 ? memchr(u1 + 1, '_', (size_t)(sl - u1 - 1)) : NULL;
	if (!u2 || !take_name(r->ns, sizeof(r->ns), d, (size_t)(u1 - d), false) ||
	    !take_name(r->pod, sizeof(r->pod), u1 + 1, (size_t)(u2 - u1 - 1), false) ||
	    !take_name(r->uid, sizeof(r->uid), u2 + 1, (size_t)(sl - u2 - 1), true))
		return -EINVAL;
	const char *c = sl + 1, *sl2 = strchr(c, '/');
	if (!sl2 || !take_name(r->ctr, sizeof(r->ctr), c, (size_t)(sl2 - c), false))
		return -EINVAL;
	struct cri_logname ln;
	if (strchr(sl2 + 1, '/') || parse_cri_logname(sl2 + 1, &ln) < 0 || ln.stamp[0])
		return -EINVAL;
	r->restart = ln.restart;
	char want[700];
	int wl = snprintf(want, sizeof(want), "%s_%s_%s-%s.log", r->pod, r->ns, r->ctr, id);
	if (wl < 0 || (size_t)wl >= sizeof(want) || strcmp(name, want))
		return -EINVAL;
	return 0;
}
