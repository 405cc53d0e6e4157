// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsers of cgroup files (memory.stat and the other keyed files, limits,
 * cpu lists, freezer state, cpu.max, PSI, io.stat and blkio): pure
 * functions over a buffer like parse.c's, split from it by concern; every
 * input is hostile (a delegated cgroup's owner writes some of them).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* "key value" lines (cpu.stat, memory.stat, memory.events, v1 cpu.stat). */
int parse_keyed_u64(const char *s, size_t n, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == ' ') {
			const char *q = p + kl + 1;
			uint64_t v;
			if (parse_num_u64(&q, le, &v) < 0 || q != le)
				return -EINVAL;
			*out = v;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

/*
 * Several "key value" lines in one pass (memory.stat has some forty): out[i]
 * takes keys[i]'s value where that line is there and well formed, and is
 * left alone otherwise; the first line of a key counts. Returns how many
 * keys were found.
 */
int parse_keyed_set(const char *s, size_t n, const char *const *keys, size_t nkeys, uint64_t *out)
{
	int found = 0;
	uint64_t seen = 0;
	if (nkeys > 64)
		nkeys = 64;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(le - p));
		for (size_t i = 0; sp && i < nkeys; i++) {
			size_t kl = strlen(keys[i]);
			if ((seen >> i & 1) || (size_t)(sp - p) != kl || memcmp(p, keys[i], kl))
				continue;
			seen |= UINT64_C(1) << i;
			const char *q = sp + 1;
			uint64_t v;
			if (parse_num_u64(&q, le, &v) == 0 && q == le) {
				out[i] = v;
				found++;
			}
			break;
		}
		p = nl ? nl + 1 : end;
	}
	return found;
}

/*
 * The working set as kubelet computes it: usage minus the inactive file
 * pages (v2 memory.stat inactive_file, v1 total_inactive_file), floored at
 * 0; VAL_NA when either is unknown.
 */
uint64_t mem_working_set(uint64_t usage, uint64_t inactive_file)
{
	if (usage == VAL_NA || inactive_file == VAL_NA)
		return VAL_NA;
	return usage > inactive_file ? usage - inactive_file : 0;
}

/*
 * A CPU list ("0-3,8,10-11\n", cpuset.cpus.effective): *ncpus is how many
 * CPUs it names; *len the length without the trailing newline. Empty (no
 * CPUs) is 0; anything but digits, commas and ascending ranges -EINVAL.
 */
int parse_cpu_list(const char *s, size_t n, uint64_t *ncpus, size_t *len)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	uint64_t count = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		uint64_t a, b;
		if (parse_num_u64(&p, end, &a) < 0 || a > 1u << 20)
			return -EINVAL;
		b = a;
		if (p < end && *p == '-') {
			p++;
			if (parse_num_u64(&p, end, &b) < 0 || b < a || b > 1u << 20)
				return -EINVAL;
		}
		count += b - a + 1;
		if (p < end && (*p != ',' || p + 1 == end))
			return -EINVAL;
		if (p < end)
			p++;
	}
	*ncpus = count;
	*len = n;
	return 0;
}

/*
 * A limit file: "max" (v2), a number, v1's "-1" (cfs_quota_us), or v1's
 * "unlimited" sentinel, PAGE_COUNTER_MAX rounded to pages (9223372036854771712
 * with 4 KiB pages); anything that large means unlimited.
 */
int parse_limit(const char *s, size_t n, uint64_t *out)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n == 3 && !memcmp(s, "max", 3)) {
		*out = VAL_UNLIMITED;
		return 0;
	}
	if (n == 2 && !memcmp(s, "-1", 2)) {
		*out = VAL_UNLIMITED;
		return 0;
	}
	const char *p = s;
	uint64_t v;
	if (parse_num_u64(&p, s + n, &v) < 0 || p != s + n)
		return -EINVAL;
	*out = v >= UINT64_C(0x7FFFFFFFFFFF0000) ? VAL_UNLIMITED : v;
	return 0;
}

/*
 * v1 freezer.state: "FROZEN" 1; "THAWED" and "FREEZING" (on the way, some
 * tasks still run) 0; anything else -EINVAL.
 */
int parse_freezer_state(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n == 6 && !memcmp(s, "FROZEN", 6))
		return 1;
	if ((n == 6 && !memcmp(s, "THAWED", 6)) || (n == 8 && !memcmp(s, "FREEZING", 8)))
		return 0;
	return -EINVAL;
}

/*
 * cgroup.procs (or tasks): a decimal pid a line. A line that is not one
 * number in 1..INT_MAX (junk, a sign, an overflow, an empty line) is skipped,
 * the rest still read.
 */
size_t parse_pid_lines(const char *s, size_t n, void (*fn)(void *arg, pid_t pid), void *arg)
{
	const char *p = s, *end = s + n;
	size_t k = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		uint64_t v;
		const char *q = p;
		if (parse_num_u64(&q, le, &v) == 0 && q == le && v > 0 && v <= INT_MAX) {
			fn(arg, (pid_t)v);
			k++;
		}
		p = nl ? nl + 1 : end;
	}
	return k;
}

/* v2 cpu.max: "$MAX $PERIOD", MAX being "max" or microseconds. */
int parse_cpu_max(const char *s, size_t n, uint64_t *quota, uint64_t *period)
{
	const char *sp = memchr(s, ' ', n);
	if (!sp)
		return -EINVAL;
	uint64_t q, pe;
	if (parse_limit(s, (size_t)(sp - s), &q) < 0)
		return -EINVAL;
	const char *p = sp + 1, *end = s + n;
	while (end > p && end[-1] == '\n')
		end--;
	if (parse_num_u64(&p, end, &pe) < 0 || p != end || pe == 0)
		return -EINVAL;
	*quota = q;
	*period = pe;
	return 0;
}

/*
 * One PSI line in full: "KIND avg10=A avg60=B avg300=C total=N" (the
 * averages in percent, total in microseconds). avg[0..2] and *total are set
 * only when the whole line is well formed.
 */
int parse_psi_line(const char *s, size_t n, const char *kind, double avg[3], uint64_t *total)
{
	static const char *const keys[] = {"avg10=", "avg60=", "avg300=", "total="};
	size_t kl = strlen(kind);
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > kl && !memcmp(p, kind, kl) && p[kl] == ' ') {
			const char *q = p + kl + 1;
			double a[3];
			uint64_t t = 0;
			for (size_t i = 0; i < 4; i++) {
				size_t l = strlen(keys[i]);
				if ((size_t)(le - q) < l || memcmp(q, keys[i], l))
					return -EINVAL;
				q += l;
				const char *ve = q;
				while (ve < le && *ve != ' ')
					ve++;
				if (i == 3) {
					if (parse_num_u64(&q, ve, &t) < 0 || q != ve)
						return -EINVAL;
				} else {
					char tmp[32];
					size_t vl = (size_t)(ve - q);
					if (!vl || vl >= sizeof(tmp))
						return -EINVAL;
					memcpy(tmp, q, vl);
					tmp[vl] = '\0';
					char *e;
					a[i] = strtod(tmp, &e);
					if (*e || !isfinite(a[i]) || a[i] < 0 || a[i] > 100)
						return -EINVAL;
					q = ve;
				}
				if (q < le) {
					if (*q != ' ')
						return -EINVAL;
					q++;
				}
			}
			memcpy(avg, a, sizeof(a));
			*total = t;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

/* PSI: "some avg10=0.12 avg60=... total=N", then maybe a "full" line. */
int parse_psi_avg10(const char *s, size_t n, const char *kind, double *out)
{
	size_t kl = strlen(kind);
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > kl + 7 && !memcmp(p, kind, kl) &&
		    !memcmp(p + kl, " avg10=", 7)) {
			char tmp[32];
			const char *v = p + kl + 7;
			size_t vl = 0;
			while (v + vl < le && v[vl] != ' ' && vl < sizeof(tmp) - 1)
				vl++;
			memcpy(tmp, v, vl);
			tmp[vl] = '\0';
			char *e;
			double d = strtod(tmp, &e);
			if (e == tmp || *e || !isfinite(d) || d < 0)
				return -EINVAL;
			*out = d;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..."; idle devices may be bare. */
int parse_io_stat(const char *s, size_t n, uint64_t *rbytes, uint64_t *wbytes)
{
	uint64_t r = 0, w = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		while (q < le) {
			while (q < le && *q == ' ')
				q++;
			const char *tok = q;
			while (q < le && *q != ' ')
				q++;
			size_t tl = (size_t)(q - tok);
			uint64_t *dst = NULL;
			const char *v = NULL;
			if (tl > 7 && !memcmp(tok, "rbytes=", 7))
				dst = &r, v = tok + 7;
			else if (tl > 7 && !memcmp(tok, "wbytes=", 7))
				dst = &w, v = tok + 7;
			if (dst) {
				uint64_t x;
				if (parse_num_u64(&v, q, &x) < 0 || v != q)
					return -EINVAL;
				if (*dst + x < *dst)
					return -ERANGE;
				*dst += x;
			}
		}
		p = nl ? nl + 1 : end;
	}
	*rbytes = r;
	*wbytes = w;
	return 0;
}

/* v1 blkio.throttle.io_service_bytes: "MAJ:MIN Read N" ..., then "Total N". */
int parse_blkio_bytes(const char *s, size_t n, uint64_t *rbytes, uint64_t *wbytes)
{
	uint64_t r = 0, w = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(le - p));
		if (sp && isdigit((unsigned char)*p)) {
			const char *op = sp + 1;
			const char *sp2 = memchr(op, ' ', (size_t)(le - op));
			if (!sp2)
				return -EINVAL;
			const char *v = sp2 + 1;
			uint64_t x;
			if (parse_num_u64(&v, le, &x) < 0 || v != le)
				return -EINVAL;
			size_t ol = (size_t)(sp2 - op);
			if (ol == 4 && !memcmp(op, "Read", 4))
				r += x;
			else if (ol == 5 && !memcmp(op, "Write", 5))
				w += x;
		}
		p = nl ? nl + 1 : end;
	}
	*rbytes = r;
	*wbytes = w;
	return 0;
}

