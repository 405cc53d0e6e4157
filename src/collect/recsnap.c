// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A snapshot as a recording's sample and back (man nstop(8), RECORDING
 * FILES). Each table is a list of rows; a row either is new (every field)
 * or refers to a row of the previous sample and carries only the fields
 * that changed (integers as the difference). The encoder matches rows by
 * identity (pid@start time, cgroup path, namespace inode, runtime+id,
 * netns+ifindex); the decoder trusts nothing: references, lengths, enums
 * and the tables' order are checked before a snapshot is handed out.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

/* field kinds: how a struct member is stored */
enum fk { F_U64, F_U32, F_I32, F_LONG, F_CHAR, F_BOOL, F_DBL, F_STR,
	  F_CMDLINE,    /* proc: cmdline + cmdline_len */
	  F_PCG,        /* proc: cg2 + cg1 as /proc/PID/cgroup text */
	  F_PSTAT,      /* proc: when its stat was read, ms after the sample's start + 1; 0 not */
	  F_PCTR,       /* proc: s->proc_ctr[i] */
	  F_MSG };      /* struct nerr's msg[] */
struct field {
	uint8_t kind;
	uint16_t off;
};
struct schema {
	const struct field *f;
	size_t nf, size;
};

#define FD(k, st, m) {k, offsetof(struct st, m)}
#define U64(st, m) FD(F_U64, st, m)
#define PSI(st, m) FD(F_DBL, st, m.avg10), FD(F_DBL, st, m.avg60), FD(F_DBL, st, m.avg300), \
		FD(F_U64, st, m.total)

static const struct field proc_f[] = {
	FD(F_I32, proc, pid), FD(F_I32, proc, ppid), FD(F_U32, proc, uid), FD(F_CHAR, proc, state),
	FD(F_BOOL, proc, kthread), FD(F_I32, proc, nthreads), FD(F_LONG, proc, nice),
	FD(F_STR, proc, comm), FD(F_CMDLINE, proc, cmdline), U64(proc, start_ticks),
	U64(proc, cpu_ticks), U64(proc, rss_bytes), U64(proc, ns[0]), U64(proc, ns[1]),
	U64(proc, ns[2]), U64(proc, ns[3]), U64(proc, ns[4]), U64(proc, ns[5]), U64(proc, ns[6]),
	U64(proc, ns[7]), FD(F_PCG, proc, cg2), FD(F_PSTAT, proc, stat_usec),
	FD(F_I32, proc, nspid), FD(F_PCTR, proc, pid),
};
static const struct field ns_f[] = {
	U64(nsinfo, ino), FD(F_I32, nsinfo, type), FD(F_U32, nsinfo, nprocs), FD(F_I32, nsinfo, pid),
	U64(nsinfo, owner_ino), U64(nsinfo, parent_ino), FD(F_BOOL, nsinfo, ghost),
	FD(F_I32, nsinfo, netnsid), FD(F_STR, nsinfo, nsfs), FD(F_U32, nsinfo, owner_uid),
};
static const struct field cg_f[] = {
	FD(F_STR, cgroup, path), FD(F_I32, cgroup, version), FD(F_BOOL, cgroup, in_unified),
	FD(F_I32, cgroup, depth), FD(F_U32, cgroup, nprocs), FD(F_U32, cgroup, nprocs_rec),
	U64(cgroup, cpu_usage_usec), U64(cgroup, mem_current), U64(cgroup, mem_anon),
	U64(cgroup, mem_file), U64(cgroup, swap_current), U64(cgroup, mem_inactive_file),
	U64(cgroup, mem_shmem), U64(cgroup, mem_kernel), U64(cgroup, mem_sock), U64(cgroup, mem_wset),
	U64(cgroup, io_rbytes), U64(cgroup, io_wbytes), U64(cgroup, cpu_quota_usec),
	U64(cgroup, cpu_period_usec), U64(cgroup, mem_max), U64(cgroup, mem_high),
	U64(cgroup, pids_max), U64(cgroup, pids_current), U64(cgroup, nr_periods),
	U64(cgroup, nr_throttled), U64(cgroup, throttled_usec), U64(cgroup, oom_kills),
	FD(F_DBL, cgroup, psi_cpu), FD(F_DBL, cgroup, psi_mem), FD(F_DBL, cgroup, psi_io),
	FD(F_I32, cgroup, frozen), U64(cgroup, eff_mem_max), U64(cgroup, eff_pids_max),
	U64(cgroup, mem_headroom), U64(cgroup, pids_headroom), FD(F_DBL, cgroup, eff_cpu_percent),
	FD(F_STR, cgroup, eff_mem_from), FD(F_STR, cgroup, eff_pids_from),
	FD(F_STR, cgroup, eff_cpu_from), PSI(cgroup, psi_some[0]), PSI(cgroup, psi_some[1]),
	PSI(cgroup, psi_some[2]), PSI(cgroup, psi_full[0]), PSI(cgroup, psi_full[1]),
	PSI(cgroup, psi_full[2]), U64(cgroup, mev_low), U64(cgroup, mev_high), U64(cgroup, mev_max),
	U64(cgroup, mev_oom), U64(cgroup, mem_min), U64(cgroup, mem_low), U64(cgroup, cpu_weight),
	U64(cgroup, cpuset_ncpus), FD(F_STR, cgroup, cpuset_cpus),
};
static const struct field ctr_f[] = {
	FD(F_I32, container, rt), FD(F_STR, container, id), FD(F_STR, container, name),
	FD(F_STR, container, pod), FD(F_STR, container, image), FD(F_STR, container, cgroup),
	U64(container, pidns), FD(F_I32, container, init_pid), FD(F_U32, container, nprocs),
	FD(F_U32, container, own_ns), FD(F_BOOL, container, host_pidns),
	FD(F_BOOL, container, host_net), U64(container, netns), U64(container, net_rx),
	U64(container, net_tx), FD(F_BOOL, container, registered),
	FD(F_BOOL, container, privileged), FD(F_BOOL, container, stopped),
	FD(F_STR, container, veth), FD(F_STR, container, cgroups_json),
	FD(F_STR, container, cg_memory),
};
static const struct field if_f[] = {
	U64(netif, netns), FD(F_I32, netif, ifindex), FD(F_STR, netif, name),
	FD(F_STR, netif, addrs), FD(F_BOOL, netif, up), U64(netif, rx_bytes), U64(netif, tx_bytes),
};
/* the sample's own figures: the snapshot's header, the host's totals */
static const struct field hdr_f[] = {
	U64(snap, mono_usec), FD(F_U32, snap, what), FD(F_LONG, snap, hz),
	FD(F_DBL, snap, uptime_sec), FD(F_I32, snap, layout),
	U64(snap, host_ns[0]), U64(snap, host_ns[1]), U64(snap, host_ns[2]), U64(snap, host_ns[3]),
	U64(snap, host_ns[4]), U64(snap, host_ns[5]), U64(snap, host_ns[6]), U64(snap, host_ns[7]),
	FD(F_BOOL, snap, host.available), FD(F_I32, snap, host.ncpu),
	U64(snap, host.cpu_total_ticks), U64(snap, host.cpu_busy_ticks), U64(snap, host.mem_total),
	U64(snap, host.mem_available), U64(snap, host.swap_total), U64(snap, host.swap_free),
	FD(F_DBL, snap, host.load1), FD(F_DBL, snap, host.load5), FD(F_DBL, snap, host.load15),
	FD(F_I32, snap, cg_err.code), FD(F_I32, snap, cg_err.kind), FD(F_MSG, snap, cg_err.msg),
};
_Static_assert(sizeof(double) == 8 && sizeof(enum ns_type) == 4 && sizeof(enum runtime) == 4 &&
	       sizeof(enum cg_layout) == 4 && sizeof(enum nerr_kind) == 4 && sizeof(pid_t) == 4 &&
	       sizeof(uid_t) == 4, "F_I32 and F_U32 fields are 4 bytes");

#define SCHEMA(a, st) {a, ARRAY_LEN(a), sizeof(struct st)}
static const struct schema sc_proc = SCHEMA(proc_f, proc), sc_ns = SCHEMA(ns_f, nsinfo),
			   sc_cg = SCHEMA(cg_f, cgroup), sc_ctr = SCHEMA(ctr_f, container),
			   sc_if = SCHEMA(if_f, netif), sc_hdr = SCHEMA(hdr_f, snap);
_Static_assert(CMDLINE_MAX == 8192 && REC_STR_MAX == 1u << 20 && REC_DECODED_MAX == 256u << 20,
	       "the decoder's messages name these limits");
#define MASK_MAX 16 /* bytes of a changed-field mask: up to 128 fields */
_Static_assert(ARRAY_LEN(cg_f) <= MASK_MAX * 8, "the mask holds every field");

/* a row and where it lives, for the pseudo fields */
struct rowref {
	const void *row;
	const struct snap *s;
	size_t i;
};

static bool is_int(int k)
{
	return k <= F_BOOL || k == F_PSTAT || k == F_PCTR;
}

static uint64_t get_int(const struct rowref *r, const struct field *f)
{
	const char *p = (const char *)r->row + f->off;
	switch (f->kind) {
	case F_U64: return *(const uint64_t *)p;
	case F_U32: return *(const uint32_t *)p;
	case F_I32: return (uint64_t)(int64_t)*(const int32_t *)p;
	case F_LONG: return (uint64_t)(int64_t)*(const long *)p;
	case F_CHAR: return (uint64_t)(int64_t)*(const signed char *)p;
	case F_BOOL: return *(const bool *)p;
	case F_PSTAT: {
		uint64_t u = ((const struct proc *)r->row)->stat_usec, m = r->s->mono_usec;
		return !u ? 0 : u > m ? (u - m) / 1000 + 1 : 1;
	}
	case F_PCTR: return r->s->proc_ctr ? r->s->proc_ctr[r->i] : 0;
	}
	return 0;
}

/* a decoded row's pseudo fields, until the whole snapshot is there */
struct aux {
	uint32_t ctr;
	uint64_t stat_ms;
};

static void set_int(void *row, const struct field *f, uint64_t v, struct aux *a)
{
	char *p = (char *)row + f->off;
	switch (f->kind) {
	case F_U64: *(uint64_t *)p = v; break;
	case F_U32: *(uint32_t *)p = (uint32_t)v; break;
	case F_I32: *(int32_t *)p = (int32_t)v; break;
	case F_LONG: *(long *)p = (long)v; break;
	case F_CHAR: *(signed char *)p = (signed char)v; break;
	case F_BOOL: *(bool *)p = v != 0; break;
	case F_PSTAT: a->stat_ms = v; break;
	case F_PCTR: a->ctr = (uint32_t)v; break;
	}
}

/* the /proc/PID/cgroup text that parses back to p's cg2 and cg1 */
static void cg_text(struct buf *b, const struct proc *p)
{
	buf_reset(b);
	if (p->cg2)
		buf_printf(b, "0::%s\n", p->cg2);
	for (int k = 0; k < p->ncg1; k++)
		buf_printf(b, "%d:%s:%s\n", p->cg1[k].hid, p->cg1[k].ctrl, p->cg1[k].path);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool field_same(const struct rowref *a, const struct rowref *b, const struct field *f)
{
	const char *pa = (const char *)a->row + f->off, *pb = (const char *)b->row + f->off;
	if (is_int(f->kind))
		return get_int(a, f) == get_int(b, f);
	if (f->kind == F_DBL)
		return !memcmp(pa, pb, sizeof(double));
	if (f->kind == F_STR)
		return str_same(*(const char *const *)pa, *(const char *const *)pb);
	if (f->kind == F_MSG)
		return !strcmp(pa, pb);
	const struct proc *x = a->row, *y = b->row;
	if (f->kind == F_CMDLINE)
		return x->cmdline_len == y->cmdline_len &&
		       (x->cmdline == y->cmdline ||
			(x->cmdline && y->cmdline && !memcmp(x->cmdline, y->cmdline, x->cmdline_len)));
	/* F_PCG */
	if (!str_same(x->cg2, y->cg2) || x->ncg1 != y->ncg1)
		return false;
	for (int k = 0; k < x->ncg1; k++)
		if (x->cg1[k].hid != y->cg1[k].hid || !str_same(x->cg1[k].ctrl, y->cg1[k].ctrl) ||
		    !str_same(x->cg1[k].path, y->cg1[k].path))
			return false;
	return true;
}

static void put_bytes(struct buf *b, const char *s, size_t n, bool null)
{
	rec_vput(b, null ? 0 : n + 1);
	if (!null)
		buf_add(b, s, n);
}

/* One field: integers in full as v + 1 (VAL_NA is 0), or as the zigzag
 * difference from base's; the rest in full. */
static void put_field(struct buf *b, struct buf *tmp, const struct rowref *r,
		      const struct rowref *base, const struct field *f)
{
	const char *p = (const char *)r->row + f->off;
	if (is_int(f->kind)) {
		uint64_t v = get_int(r, f);
		rec_vput(b, base ? rec_zz(v - get_int(base, f)) : v + 1);
	} else if (f->kind == F_DBL) {
		/* little-endian whatever the host's order */
		uint64_t u;
		uint8_t le[8];
		memcpy(&u, p, sizeof(u));
		for (int i = 0; i < 8; i++)
			le[i] = (uint8_t)(u >> (8 * i));
		buf_add(b, le, sizeof(le));
	} else if (f->kind == F_STR) {
		const char *s = *(const char *const *)p;
		put_bytes(b, s, s ? strlen(s) : 0, !s);
	} else if (f->kind == F_MSG) {
		put_bytes(b, p, strnlen(p, sizeof(((struct nerr *)0)->msg)), false);
	} else if (f->kind == F_CMDLINE) {
		const struct proc *q = r->row;
		put_bytes(b, q->cmdline, q->cmdline_len, !q->cmdline);
	} else {
		cg_text(tmp, r->row);
		put_bytes(b, tmp->p, tmp->len, !tmp->len);
	}
}

typedef uint64_t (*key_fn)(const void *row);

static uint64_t nz(uint64_t k)
{
	return k ? k : 1;
}

static uint64_t key_proc(const void *row)
{
	const struct proc *p = row;
	uint64_t k[2] = {(uint64_t)p->pid, p->start_ticks};
	return nz(hash_bytes(k, sizeof(k)));
}

static uint64_t key_ns(const void *row)
{
	return nz(((const struct nsinfo *)row)->ino);
}

static uint64_t key_cg(const void *row)
{
	const char *p = ((const struct cgroup *)row)->path;
	return nz(p ? hash_bytes(p, strlen(p)) : 0);
}

static uint64_t key_ctr(const void *row)
{
	const struct container *c = row;
	uint64_t h = c->id ? hash_bytes(c->id, strlen(c->id)) : 0;
	uint64_t k[3] = {(uint64_t)c->rt, c->pidns, h};
	return nz(hash_bytes(k, sizeof(k)));
}

static uint64_t key_if(const void *row)
{
	const struct netif *f = row;
	uint64_t k[2] = {f->netns, (uint64_t)f->ifindex};
	return nz(hash_bytes(k, sizeof(k)));
}

/*
 * A table: the row count, then per row a tag: 0 a new row and every field,
 * else 1 + zigzag(prev index - (the last referred index + 1)) and a mask of
 * the changed fields, then those. A hash collision only costs bytes: the
 * difference is always taken from the row referred to.
 */
static void enc_table(struct buf *b, struct buf *tmp, const struct schema *sc, key_fn key,
		      const struct snap *s, const void *rows, size_t n, const struct snap *ps,
		      const void *prows, size_t pn)
{
	struct hmap idx = {0};
	for (size_t i = 0; prows && i < pn; i++)
		hmap_put(&idx, key((const char *)prows + i * sc->size), (uint32_t)i);
	rec_vput(b, n);
	int64_t expect = 0;
	for (size_t i = 0; i < n; i++) {
		struct rowref r = {(const char *)rows + i * sc->size, s, i};
		uint32_t k;
		if (!prows || !hmap_get(&idx, key(r.row), &k)) {
			rec_vput(b, 0);
			for (size_t f = 0; f < sc->nf; f++)
				put_field(b, tmp, &r, NULL, &sc->f[f]);
			continue;
		}
		struct rowref pr = {(const char *)prows + (size_t)k * sc->size, ps, k};
		rec_vput(b, rec_zz((uint64_t)((int64_t)k - expect)) + 1);
		expect = (int64_t)k + 1;
		uint8_t mask[MASK_MAX] = {0};
		size_t mb = (sc->nf + 7) / 8;
		for (size_t f = 0; f < sc->nf; f++)
			if (!field_same(&r, &pr, &sc->f[f]))
				mask[f / 8] |= (uint8_t)(1u << (f % 8));
		buf_add(b, mask, mb);
		for (size_t f = 0; f < sc->nf; f++)
			if (mask[f / 8] & (1u << (f % 8)))
				put_field(b, tmp, &r, &pr, &sc->f[f]);
	}
	hmap_free(&idx);
}

/* A sample's payload: s against prev (NULL: a full sample). */
void rec_encode(struct buf *out, const struct snap *s, const struct snap *prev)
{
	struct buf tmp = {0};
	struct rowref h = {s, s, 0};
	for (size_t f = 0; f < sc_hdr.nf; f++)
		put_field(out, &tmp, &h, NULL, &sc_hdr.f[f]);
	const struct snap *p = prev;
	enc_table(out, &tmp, &sc_proc, key_proc, s, s->procs, s->nprocs, p, p ? p->procs : NULL,
		  p ? p->nprocs : 0);
	enc_table(out, &tmp, &sc_ns, key_ns, s, s->ns, s->nns, p, p ? p->ns : NULL, p ? p->nns : 0);
	enc_table(out, &tmp, &sc_cg, key_cg, s, s->cgs, s->ncgs, p, p ? p->cgs : NULL,
		  p ? p->ncgs : 0);
	enc_table(out, &tmp, &sc_ctr, key_ctr, s, s->ctrs, s->nctrs, p, p ? p->ctrs : NULL,
		  p ? p->nctrs : 0);
	enc_table(out, &tmp, &sc_if, key_if, s, s->ifs, s->nifs, p, p ? p->ifs : NULL,
		  p ? p->nifs : 0);
	buf_free(&tmp);
}

/* ---- decoding ---- */
struct dec {
	struct rec_rd r;
	struct strpool *pool;
	struct snap *s;
	const char *why;
	size_t left;            /* of REC_DECODED_MAX */
	struct buf tmp;
};

/* n more bytes of the sample decoded; false (and bad) past the budget */
static bool charge(struct dec *d, size_t n)
{
	if (n > d->left) {
		d->why = "it decodes to more than 256 MiB (REC_DECODED_MAX)";
		d->r.bad = true;
		return false;
	}
	d->left -= n;
	return true;
}

/* s in this sample's pool, a new string charged to its budget */
static const char *intern(struct dec *d, const char *s, size_t n)
{
	size_t had = d->pool->t.len;
	const char *r = strtab_intern(&d->pool->t, s, n);
	if (d->pool->t.len != had)
		charge(d, n + 1 + 3 * sizeof(void *));
	return r;
}

static const struct cgset *intern_cg(struct dec *d, const char *s, size_t n)
{
	size_t had = d->pool->nsets;
	const struct cgset *r = pool_cgset(d->pool, s, n);
	if (d->pool->nsets != had)
		charge(d, 2 * n + sizeof(*r));
	return r;
}

/* A row copied from the previous sample: its strings into this sample's
 * pool, so a sample keeps only its own (the previous one's pool is freed
 * with it). */
static void rehome(struct dec *d, void *row, const struct schema *sc)
{
	for (size_t f = 0; f < sc->nf && !d->r.bad; f++) {
		char *p = (char *)row + sc->f[f].off;
		if (sc->f[f].kind == F_STR) {
			const char **sp = (const char **)p;
			if (*sp)
				*sp = intern(d, *sp, strlen(*sp));
		} else if (sc->f[f].kind == F_CMDLINE) {
			struct proc *q = row;
			if (q->cmdline)
				q->cmdline = intern(d, q->cmdline, q->cmdline_len);
		} else if (sc->f[f].kind == F_PCG) {
			struct proc *q = row;
			cg_text(&d->tmp, q);
			const struct cgset *set = d->tmp.len ? intern_cg(d, d->tmp.p, d->tmp.len) : NULL;
			q->cg2 = set ? set->cg2 : NULL;
			q->cg1 = set ? set->cg1 : NULL;
			q->ncg1 = set ? set->ncg1 : 0;
		}
	}
}

static const uint8_t *get_bytes(struct dec *d, size_t *n, bool *null)
{
	uint64_t l = rec_vget(&d->r);
	*null = l == 0;
	*n = 0;
	if (!l)
		return NULL;
	if (l - 1 > d->r.n - d->r.off) {
		d->r.bad = true;
		return NULL;
	}
	*n = (size_t)(l - 1);
	return rec_take(&d->r, *n);
}

static void get_field(struct dec *d, void *row, const struct rowref *base,
		      const struct field *f, struct aux *a)
{
	char *p = (char *)row + f->off;
	if (is_int(f->kind)) {
		uint64_t v = rec_vget(&d->r);
		set_int(row, f, base ? get_int(base, f) + rec_unzz(v) : v - 1, a);
		return;
	}
	if (f->kind == F_DBL) {
		const uint8_t *x = rec_take(&d->r, sizeof(double));
		uint64_t u = 0;
		for (int i = 7; x && i >= 0; i--)
			u = u << 8 | x[i];
		if (x)
			memcpy(p, &u, sizeof(u));
		return;
	}
	size_t n;
	bool null;
	const uint8_t *x = get_bytes(d, &n, &null);
	if (d->r.bad)
		return;
	if (n > (f->kind == F_CMDLINE ? CMDLINE_MAX : REC_STR_MAX)) {
		d->why = f->kind == F_CMDLINE ? "a command line longer than the 8192 bytes read"
					      : "a string longer than 1 MiB";
		d->r.bad = true;
		return;
	}
	const char *s = null || f->kind == F_PCG ? NULL : intern(d, (const char *)x, n);
	if (d->r.bad)
		return;
	if (f->kind == F_STR) {
		*(const char **)p = s;
	} else if (f->kind == F_MSG) {
		/* said to be safe to print: escaped here, as any bytes read */
		struct buf e = {0};
		str_escape(&e, s ? s : "", n, ESC_TEXT);
		snprintf(p, sizeof(((struct nerr *)0)->msg), "%s", buf_str(&e));
		buf_free(&e);
	} else if (f->kind == F_CMDLINE) {
		struct proc *q = row;
		q->cmdline = s;
		q->cmdline_len = s ? n : 0;
	} else {
		struct proc *q = row;
		const struct cgset *set = null ? NULL : intern_cg(d, (const char *)x, n);
		q->cg2 = set ? set->cg2 : NULL;
		q->cg1 = set ? set->cg1 : NULL;
		q->ncg1 = set ? set->ncg1 : 0;
	}
}

/* A table into *rows (malloc'd), each row at least its tag and mask, so a
 * count the payload cannot hold, or the budget, is refused before anything
 * is allocated. */
static size_t dec_table(struct dec *d, const struct schema *sc, void **rows, const struct snap *ps,
			const void *prows, size_t pn, struct aux **aux)
{
	uint64_t n = rec_vget(&d->r);
	*rows = NULL;
	size_t mb = (sc->nf + 7) / 8;
	if (d->r.bad || n > (d->r.n - d->r.off) / (1 + mb)) {
		d->r.bad = true;
		return 0;
	}
	size_t rowsz = sc->size + sizeof(struct aux);
	if (!charge(d, n + 1 > d->left / rowsz ? SIZE_MAX : (size_t)(n + 1) * rowsz))
		return 0;
	char *out = xcalloc(n + 1, sc->size);
	struct aux *ax = xcalloc(n + 1, sizeof(*ax));
	if (aux)
		*aux = ax;
	uint64_t expect = 0;
	size_t i;
	for (i = 0; i < n && !d->r.bad; i++) {
		void *row = out + i * sc->size;
		struct aux *a = &ax[i];
		uint64_t tag = rec_vget(&d->r);
		if (tag == 0) {
			for (size_t f = 0; f < sc->nf && !d->r.bad; f++)
				get_field(d, row, NULL, &sc->f[f], a);
			continue;
		}
		/* unsigned: a hostile difference wraps, and is then out of range */
		uint64_t k = expect + rec_unzz(tag - 1);
		if (!prows || k >= pn) {
			d->why = "a row refers to none of the previous sample";
			d->r.bad = true;
			break;
		}
		expect = k + 1;
		struct rowref base = {(const char *)prows + (size_t)k * sc->size, ps, (size_t)k};
		memcpy(row, base.row, sc->size);
		rehome(d, row, sc);
		for (size_t f = 0; f < sc->nf; f++)
			if (sc->f[f].kind == F_PSTAT || sc->f[f].kind == F_PCTR)
				set_int(row, &sc->f[f], get_int(&base, &sc->f[f]), a);
		const uint8_t *mask = rec_take(&d->r, mb);
		for (size_t f = 0; mask && f < sc->nf && !d->r.bad; f++)
			if (mask[f / 8] & (1u << (f % 8)))
				get_field(d, row, &base, &sc->f[f], a);
	}
	*rows = out;
	if (!aux)
		free(ax);
	return d->r.bad ? 0 : (size_t)n;
}

/* What every reader of a snapshot relies on: sorted tables (binary
 * searches), enums in range, strings where they are never NULL. */
static const char *check(struct snap *s)
{
	if (s->hz < 1 || s->hz > 1000000)
		return "clock ticks out of range";
	if ((unsigned)s->layout > CG_HYBRID)
		return "unknown cgroup layout";
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (p->pid <= 0 || (i && p->pid <= s->procs[i - 1].pid) || !p->comm)
			return "processes out of order or without a name";
		if (s->proc_ctr[i] > s->nctrs)
			return "a process in a container that is not there";
	}
	for (size_t i = 0; i < s->nns; i++)
		if ((unsigned)s->ns[i].type >= NS_NTYPES || !s->ns[i].ino ||
		    (i && s->ns[i].ino <= s->ns[i - 1].ino))
			return "namespaces out of order or of an unknown type";
	for (size_t i = 0; i < s->ncgs; i++)
		if (!s->cgs[i].path || s->cgs[i].path[0] != '/' ||
		    (i && cg_path_cmp(s->cgs[i - 1].path, s->cgs[i].path) >= 0))
			return "cgroups out of order or without a path";
	for (size_t i = 0; i < s->nctrs; i++)
		if ((unsigned)s->ctrs[i].rt > RT_UNNAMED || !s->ctrs[i].id)
			return "a container of an unknown runtime or without an id";
	for (size_t i = 0; i < s->nifs; i++)
		if (!s->ifs[i].name || !s->ifs[i].addrs)
			return "an interface without a name";
	return NULL;
}

/*
 * A sample's payload back into a snapshot, against the previous one (NULL
 * for a full sample); its strings go to pool, those of rows copied from
 * prev too, so pool need hold this sample alone (give each its own). Rates are left NAN (collect/take.c's snap_rates).
 * NULL when the payload is malformed: why says how.
 */
struct snap *rec_decode(const uint8_t *p, size_t n, const struct snap *prev, struct strpool *pool,
			char *why, size_t whyn)
{
	struct snap *s = xcalloc(1, sizeof(*s));
	struct dec d = {.r = {.p = p, .n = n}, .pool = pool, .s = s, .left = REC_DECODED_MAX};
	s->pool = pool_ref(pool);
	s->strs = &pool->t;
	for (size_t f = 0; f < sc_hdr.nf && !d.r.bad; f++)
		get_field(&d, s, NULL, &sc_hdr.f[f], NULL);
	const struct snap *q = prev;
	void *rows;
	struct aux *pa = NULL;
	s->nprocs = dec_table(&d, &sc_proc, &rows, q, q ? q->procs : NULL, q ? q->nprocs : 0, &pa);
	s->procs = rows;
	s->proc_ctr = xcalloc(s->nprocs + 1, sizeof(*s->proc_ctr));
	for (size_t i = 0; i < s->nprocs; i++) {
		s->proc_ctr[i] = pa[i].ctr;
		/* the stat read's time, to the millisecond after the sample's */
		s->procs[i].stat_usec = pa[i].stat_ms ? s->mono_usec + (pa[i].stat_ms - 1) * 1000 : 0;
	}
	free(pa);
	s->nns = dec_table(&d, &sc_ns, &rows, q, q ? q->ns : NULL, q ? q->nns : 0, NULL);
	s->ns = rows;
	s->ncgs = dec_table(&d, &sc_cg, &rows, q, q ? q->cgs : NULL, q ? q->ncgs : 0, NULL);
	s->cgs = rows;
	s->nctrs = dec_table(&d, &sc_ctr, &rows, q, q ? q->ctrs : NULL, q ? q->nctrs : 0, NULL);
	s->ctrs = rows;
	s->nifs = dec_table(&d, &sc_if, &rows, q, q ? q->ifs : NULL, q ? q->nifs : 0, NULL);
	s->ifs = rows;
	const char *bad = d.r.bad ? (d.why ? d.why : "a field runs past the sample's end")
		   : d.r.off != n ? "bytes after the sample's end" : check(s);
	buf_free(&d.tmp);
	if (bad) {
		snprintf(why, whyn, "%s", bad);
		snap_free(s);
		return NULL;
	}
	s->host.cpu_percent = NAN;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct proc *pr = &s->procs[i];
		pr->cpu_percent = NAN;
	}
	for (size_t i = 0; i < s->ncgs; i++) {
		struct cgroup *c = &s->cgs[i];
		c->cpu_percent = c->io_rbps = c->io_wbps = c->throttled_percent = NAN;
		c->cpu_headroom = NAN;
	}
	for (size_t i = 0; i < s->nctrs; i++)
		s->ctrs[i].net_rxps = s->ctrs[i].net_txps = NAN;
	for (size_t i = 0; i < s->nns; i++)
		hmap_put(&s->ns_idx, s->ns[i].ino, (uint32_t)i);
	return s;
}
