// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsers of kernel text. Pure functions over a buffer, so that unit tests and
 * fuzzers can feed them anything: every input is treated as hostile.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Reads a decimal u64 at *p (no sign), advancing *p; fails on overflow
 * (parse_cg.c's parsers use it too). */
int parse_num_u64(const char **p, const char *end, uint64_t *out)
{
	/* on every field of every stat line: no locale lookup, no division */
	const char *s = *p;
	uint64_t v = 0;
	if (s >= end || (unsigned)(*s - '0') > 9)
		return -EINVAL;
	for (; s < end && (unsigned)(*s - '0') <= 9; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -ERANGE;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

static int num_i64(const char **p, const char *end, int64_t *out)
{
	bool neg = false;
	if (*p < end && **p == '-') {
		neg = true;
		(*p)++;
	}
	uint64_t v;
	int r = parse_num_u64(p, end, &v);
	if (r < 0)
		return r;
	if (v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/*
 * /proc/PID/stat: "pid (comm) state ppid ...". comm may hold spaces and
 * parentheses, so it ends at the last ')' of the line; see proc(5).
 */
int parse_proc_stat(char *s, size_t n, struct stat_fields *f)
{
	const char *end = s + n;
	const char *p = s;
	memset(f, 0, sizeof(*f));
	uint64_t pid;
	if (parse_num_u64(&p, end, &pid) < 0 || pid == 0 || pid > INT32_MAX)
		return -EINVAL;
	if (end - p < 2 || p[0] != ' ' || p[1] != '(')
		return -EINVAL;
	const char *open = p + 2;
	const char *close = NULL;
	for (const char *q = end; q > open;) {
		q--;
		if (*q == ')') {
			close = q;
			break;
		}
	}
	if (!close)
		return -EINVAL;
	f->pid = (pid_t)pid;
	f->comm = open;
	f->comm_len = (size_t)(close - open);
	p = close + 1;
	if (end - p < 3 || p[0] != ' ')
		return -EINVAL;
	f->state = p[1];
	p += 2;
	/* fields 4.. as signed numbers; we need 4, 9, 14, 15, 19, 20, 22, 24 */
	int64_t v[25] = {0};
	for (int field = 4; field <= 24; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (num_i64(&p, end, &v[field]) < 0)
			return -EINVAL;
	}
	if (v[4] < 0 || v[4] > INT32_MAX || v[14] < 0 || v[15] < 0 || v[22] < 0)
		return -EINVAL;
	f->ppid = (pid_t)v[4];
	f->session = v[6] < 0 || v[6] > INT32_MAX ? 0 : (pid_t)v[6];
	f->flags = (unsigned long)v[9];
	f->utime = (uint64_t)v[14];
	f->stime = (uint64_t)v[15];
	f->nice = (long)v[19];
	f->nthreads = v[20] < 0 || v[20] > INT32_MAX ? 0 : (int)v[20];
	f->starttime = (uint64_t)v[22];
	f->rss_pages = v[24] < 0 ? 0 : (uint64_t)v[24];
	return 0;
}

/* /proc/PID/cgroup: "hierarchy-id:controller-list:path", one per line. */
int parse_proc_cgroup(char *s, size_t n,
		      void (*fn)(void *arg, int hid, const char *ctrl, size_t ctrl_len,
				 const char *path, size_t path_len),
		      void *arg)
{
	const char *p = s, *end = s + n;
	int count = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		uint64_t hid;
		if (parse_num_u64(&q, le, &hid) < 0 || hid > INT32_MAX || q >= le || *q != ':')
			return -EINVAL;
		q++;
		const char *c2 = memchr(q, ':', (size_t)(le - q));
		if (!c2)
			return -EINVAL;
		const char *path = c2 + 1;
		if (path >= le || *path != '/')
			return -EINVAL;
		fn(arg, (int)hid, q, (size_t)(c2 - q), path, (size_t)(le - path));
		count++;
		p = nl ? nl + 1 : end;
	}
	return count;
}

/* mountinfo escapes space, tab, newline and backslash as octal \NNN. */
static void unoctal(char *s)
{
	char *o = s;
	for (char *p = s; *p;) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

/* /proc/PID/mountinfo, see proc(5): optional fields end at a lone "-". */
int parse_mountinfo(char *s, size_t n, void (*fn)(void *arg, const struct mountinfo_ent *m),
		    void *arg)
{
	char *p = s, *end = s + n;
	int count = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		char *f[16];
		int nf = 0;
		char *q = p;
		while (q < le && nf < (int)ARRAY_LEN(f)) {
			while (q < le && *q == ' ')
				q++;
			if (q >= le)
				break;
			f[nf++] = q;
			while (q < le && *q != ' ')
				q++;
			if (q < le)
				*q++ = '\0';
		}
		*le = '\0';
		int dash = -1;
		for (int i = 6; i < nf; i++)
			if (!strcmp(f[i], "-")) {
				dash = i;
				break;
			}
		if (nf < 6 || dash < 0 || dash + 3 > nf)
			return -EINVAL;
		struct mountinfo_ent m = {
			.root = f[3],
			.mnt_point = f[4],
			.fstype = f[dash + 1],
			.super_opts = dash + 3 < nf ? f[dash + 3] : "",
		};
		unoctal(f[3]);
		unoctal(f[4]);
		fn(arg, &m);
		count++;
		p = nl ? nl + 1 : end;
	}
	return count;
}

/* A namespace link target: "net:[4026531840]". */
int parse_ns_link(const char *s, size_t n, const char *type, uint64_t *ino)
{
	size_t tl = strlen(type);
	if (n < tl + 4 || memcmp(s, type, tl) || s[tl] != ':' || s[tl + 1] != '[' ||
	    s[n - 1] != ']')
		return -EINVAL;
	const char *p = s + tl + 2;
	uint64_t v;
	if (parse_num_u64(&p, s + n - 1, &v) < 0 || p != s + n - 1 || v == 0)
		return -EINVAL;
	*ino = v;
	return 0;
}

/* status "NSpid:\t343\t1": the last figure is the pid in its own namespace. */
int parse_nspid(const char *s, size_t n, pid_t *inner)
{
	const char *end = s + n;
	for (const char *p = s; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le - p > 6 && !memcmp(p, "NSpid:", 6)) {
			const char *q = p + 6;
			uint64_t v = 0;
			bool any = false;
			while (q < le) {
				while (q < le && (*q == '\t' || *q == ' '))
					q++;
				if (q >= le)
					break;
				if (parse_num_u64(&q, le, &v) < 0 || v > INT32_MAX)
					return -EINVAL;
				any = true;
			}
			if (!any)
				return -EINVAL;
			*inner = (pid_t)v;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

/* Skips blanks (spaces, tabs) at *p. */
static void skip_blank(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* A decimal u32 at *p: user and group ids and counts never exceed it. */
static int num_u32(const char **p, const char *end, uint64_t *out)
{
	int r = parse_num_u64(p, end, out);
	return r < 0 ? r : *out > UINT32_MAX ? -ERANGE : 0;
}

/*
 * /proc/PID/uid_map or gid_map, "INSIDE OUTSIDE COUNT" per line (see
 * user_namespaces(7)): the OUTSIDE ranges, as the reader's namespace sees
 * them. Stores at most max; returns how many lines, or -EINVAL.
 */
int parse_id_map(const char *s, size_t n, struct id_range *out, size_t max)
{
	const char *end = s + n;
	int k = 0;
	for (const char *p = s; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		uint64_t in, outside, count;
		skip_blank(&q, le);
		if (q == le) { /* a blank line */
			p = le + (nl != NULL);
			continue;
		}
		if (num_u32(&q, le, &in) < 0)
			return -EINVAL;
		skip_blank(&q, le);
		if (num_u32(&q, le, &outside) < 0)
			return -EINVAL;
		skip_blank(&q, le);
		if (num_u32(&q, le, &count) < 0)
			return -EINVAL;
		skip_blank(&q, le);
		if (q != le || k == INT32_MAX)
			return -EINVAL;
		if ((size_t)k < max)
			out[k] = (struct id_range){outside, count};
		k++;
		p = le + (nl != NULL);
	}
	return k;
}

/*
 * /etc/subuid or /etc/subgid, "NAME:START:COUNT" per line (subuid(5)):
 * the ranges handed to local users. Lines that are not of that form are
 * skipped, as shadow-utils does. Stores at most max; returns how many.
 */
int parse_subid(const char *s, size_t n, struct id_range *out, size_t max)
{
	const char *end = s + n;
	int k = 0;
	for (const char *p = s; p < end && k < INT32_MAX;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *q = c1 ? c1 + 1 : le;
		uint64_t start, count;
		if (c1 && c1 > p && num_u32(&q, le, &start) == 0 && q < le && *q++ == ':' &&
		    num_u32(&q, le, &count) == 0 && q == le) {
			if ((size_t)k < max)
				out[k] = (struct id_range){start, count};
			k++;
		}
		p = le + (nl != NULL);
	}
	return k;
}

/* Up to 16 hex digits of a capability mask. */
static int hex_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int k = 0;
	for (; s < end && isxdigit((unsigned char)*s); s++, k++) {
		if (k == 16)
			return -ERANGE;
		int d = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		v = v << 4 | (uint64_t)d;
	}
	if (!k)
		return -EINVAL;
	*p = s;
	*out = v;
	return 0;
}

/* "\t1000\t1000\t1000\t1000": up to max ids below 2^32-1; the count,
 * -E2BIG past max, -EINVAL on anything but ids. */
static int id_list(const char *p, const char *end, uint32_t *ids, int max)
{
	int k = 0;
	for (;;) {
		while (p < end && (*p == '\t' || *p == ' '))
			p++;
		if (p >= end)
			return k;
		uint64_t v;
		if (parse_num_u64(&p, end, &v) < 0 || v >= UINT32_MAX ||
		    (p < end && *p != '\t' && *p != ' '))
			return -EINVAL;
		if (k == max)
			return -E2BIG;
		ids[k++] = (uint32_t)v;
	}
}

/*
 * /proc/PID/status, the lines enter needs: CapInh, CapPrm, CapEff, CapBnd,
 * Uid, Gid and Groups are required (each once); CapAmb, NoNewPrivs and
 * Seccomp are read when the kernel has them. -EINVAL on anything else
 * malformed, -E2BIG past PROC_NGROUPS groups.
 */
int parse_proc_status(const char *s, size_t n, struct proc_creds *c)
{
	static const char *const caps[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
	memset(c, 0, sizeof(*c));
	c->no_new_privs = c->seccomp = -1;
	uint64_t *capv[] = {&c->cap_inh, &c->cap_prm, &c->cap_eff, &c->cap_bnd, &c->cap_amb};
	unsigned seen = 0; /* bits 0-4 caps, 5 Uid, 6 Gid, 7 Groups, 8 NoNewPrivs, 9 Seccomp */
	const char *end = s + n;
	for (const char *p = s; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		size_t kl = colon ? (size_t)(colon - p) + 1 : 0;
		int bit = -1;
		for (int i = 0; i < 5 && bit < 0; i++)
			if (kl == 7 && !memcmp(p, caps[i], 7))
				bit = i;
		if (kl == 4 && !memcmp(p, "Uid:", 4))
			bit = 5;
		else if (kl == 4 && !memcmp(p, "Gid:", 4))
			bit = 6;
		else if (kl == 7 && !memcmp(p, "Groups:", 7))
			bit = 7;
		else if (kl == 11 && !memcmp(p, "NoNewPrivs:", 11))
			bit = 8;
		else if (kl == 8 && !memcmp(p, "Seccomp:", 8))
			bit = 9;
		if (bit >= 0) {
			if (seen & (1u << bit))
				return -EINVAL;
			seen |= 1u << bit;
			const char *q = colon + 1;
			while (q < le && (*q == '\t' || *q == ' '))
				q++;
			uint64_t v;
			if (bit < 5) {
				if (hex_u64(&q, le, capv[bit]) < 0 || q != le)
					return -EINVAL;
			} else if (bit == 5 || bit == 6) {
				if (id_list(q, le, bit == 5 ? c->uid : c->gid, 4) != 4)
					return -EINVAL;
			} else if (bit == 7) {
				int k = id_list(q, le, c->groups, PROC_NGROUPS);
				if (k < 0)
					return k;
				c->ngroups = k;
			} else {
				if (parse_num_u64(&q, le, &v) < 0 || q != le || v > 2)
					return -EINVAL;
				if (bit == 8) {
					if (v > 1)
						return -EINVAL;
					c->no_new_privs = (int)v;
				} else {
					c->seccomp = (int)v;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return (seen & 0xef) == 0xef ? 0 : -EINVAL; /* all but CapAmb, NoNewPrivs, Seccomp */
}

/* A token of an Accept header, spaces around it dropped. */
static void accept_trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static bool accept_eq(const char *b, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - b) == n && !strncasecmp(b, lit, n);
}

/* q: "0", "1", "0.5", "1.000"; thousandths, -1 when malformed (RFC 9110 12.4.2). */
static int accept_q(const char *b, const char *e)
{
	accept_trim(&b, &e);
	if (b >= e || (*b != '0' && *b != '1'))
		return -1;
	int q = (*b++ - '0') * 1000, scale = 100;
	if (b < e && *b == '.') {
		for (b++; b < e && scale && (unsigned)(*b - '0') <= 9; b++, scale /= 10)
			q += (*b - '0') * scale;
	}
	return b == e && q <= 1000 ? q : -1;
}

/*
 * Prometheus asks "application/openmetrics-text;version=1.0.0,...,
 * text/plain;version=0.0.4;q=0.5,ANY;q=0.1", curl "ANY" (ANY: the wildcard
 * star slash star). OpenMetrics is chosen when a range names it (version
 * 1.0.0 or none) with a q above 0 and no lower than the best range that text
 * 0.0.4 matches (text/plain of that or no version, text/star, ANY).
 * Malformed ranges are skipped, never guessed at.
 */
bool parse_accept_openmetrics(const char *s, size_t n)
{
	const char *end = s + n;
	int om = 0, text = 0;
	while (s < end) {
		const char *r = s, *re = memchr(s, ',', (size_t)(end - s));
		if (!re)
			re = end;
		s = re < end ? re + 1 : end;
		const char *te = memchr(r, ';', (size_t)(re - r));
		if (!te)
			te = re;
		const char *tb = r, *tt = te;
		accept_trim(&tb, &tt);
		int q = 1000;
		bool v_om = true, v_text = true, bad = false;
		for (const char *pp = te; pp < re && !bad;) {
			const char *pb = pp + 1, *pe = memchr(pb, ';', (size_t)(re - pb));
			if (!pe)
				pe = re;
			pp = pe;
			const char *eq = memchr(pb, '=', (size_t)(pe - pb));
			if (!eq)
				continue;
			const char *kb = pb, *ke = eq, *vb = eq + 1, *ve = pe;
			accept_trim(&kb, &ke);
			accept_trim(&vb, &ve);
			if (accept_eq(kb, ke, "q")) {
				q = accept_q(vb, ve);
				bad = q < 0;
			} else if (accept_eq(kb, ke, "version")) {
				v_om = accept_eq(vb, ve, "1.0.0");
				v_text = accept_eq(vb, ve, "0.0.4");
			}
		}
		if (bad)
			continue;
		if (accept_eq(tb, tt, "application/openmetrics-text") && v_om && q > om)
			om = q;
		if (((accept_eq(tb, tt, "text/plain") && v_text) || accept_eq(tb, tt, "text/*") ||
		     accept_eq(tb, tt, "*/*")) && q > text)
			text = q;
	}
	return om > 0 && om >= text;
}

/*
 * Line LINE (LEN bytes) of a passwd or group file split at ':' into at most
 * NF fields; how many it has.
 */
size_t parse_fields(const char *line, size_t len, const char **f, size_t *fl, size_t nf)
{
	size_t k = 0;
	const char *le = line + len;
	for (const char *q = line; k < nf;) {
		const char *c = memchr(q, ':', (size_t)(le - q));
		f[k] = q;
		fl[k++] = (size_t)((c ? c : le) - q);
		if (!c)
			break;
		q = c + 1;
	}
	return k;
}
