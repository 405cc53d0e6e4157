// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop record's file format, the framing (man nstop(8), RECORDING FILES):
 * a header, records of (type, length, crc32c, zstd payload), an index at
 * the end of a closed file. A recording is untrusted input: every length
 * is checked against what is there, a torn tail is skipped, anything else
 * wrong is refused. Pure: bytes in, entries out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "parse.h"

/* ---- crc32c (Castagnoli), bytewise from a table made once ---- */
static uint32_t crc_tab[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_tab[i] = c;
	}
}

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	if (!crc_tab[1])
		crc_init();
	const uint8_t *b = p;
	crc = ~crc;
	while (n--)
		crc = crc_tab[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- little-endian fields and varints ---- */
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void rec_vput(struct buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;
	while (v >= 0x80) {
		t[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (uint8_t)v;
	buf_add(b, t, n);
}

/* A varint; on a short or overlong one the reader goes bad and yields 0. */
uint64_t rec_vget(struct rec_rd *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->off >= r->n) {
			r->bad = true;
			return 0;
		}
		uint8_t c = r->p[r->off++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* n bytes from the reader, NULL (and bad) when fewer are left */
const uint8_t *rec_take(struct rec_rd *r, size_t n)
{
	if (r->bad || n > r->n - r->off) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

/* ---- writing ---- */
void rec_file_header(struct buf *out)
{
	uint8_t h[REC_HDR_SIZE] = {0};
	memcpy(h, REC_MAGIC, 8);
	put32(h + 8, REC_VERSION);
	buf_add(out, h, sizeof(h));
}

/* One record: raw compressed with zstd, framed. 0, or -ENOMEM/-EINVAL. */
int rec_frame(struct buf *out, int type, int64_t time_usec, const void *raw, size_t rawlen)
{
	if (rawlen > REC_RAW_MAX)
		return -EINVAL;
	size_t bound = ZSTD_compressBound(rawlen);
	buf_grow(out, REC_RHDR_SIZE + bound);
	uint8_t *h = (uint8_t *)out->p + out->len;
	size_t z = ZSTD_compress(h + REC_RHDR_SIZE, bound, raw, rawlen, 3);
	if (ZSTD_isError(z))
		return -ENOMEM;
	memset(h, 0, REC_RHDR_SIZE);
	h[0] = (uint8_t)type;
	put32(h + 4, (uint32_t)z);
	put32(h + 8, (uint32_t)rawlen);
	put64(h + 16, (uint64_t)time_usec);
	uint32_t c = crc32c(0, h, REC_RHDR_SIZE);
	put32(h + 12, crc32c(c, h + REC_RHDR_SIZE, z));
	out->len += REC_RHDR_SIZE + z;
	return 0;
}

/* The most bytes rec_index writes for n entries: three varints of at most
 * 10 bytes each per entry, the count, zstd's worst case, the trailer. A
 * writer keeping a size limit reserves it before each append. */
size_t rec_index_bound(size_t n)
{
	return REC_RHDR_SIZE + ZSTD_compressBound(10 + n * 30) + REC_TRAILER_SIZE;
}

/* The index of a closed file (the sample records, in order) and the trailer
 * pointing at it; at: the offset the index record will have. */
int rec_index(struct buf *out, const struct rec_ent *e, size_t n, uint64_t at)
{
	struct buf raw = {0};
	rec_vput(&raw, n);
	int64_t t = 0;
	uint64_t off = 0;
	for (size_t i = 0; i < n; i++) {
		rec_vput(&raw, e[i].type);
		rec_vput(&raw, rec_zz((uint64_t)e[i].time_usec - (uint64_t)t));
		rec_vput(&raw, e[i].off - off);
		t = e[i].time_usec;
		off = e[i].off;
	}
	int r = rec_frame(out, REC_INDEX, 0, raw.p, raw.len);
	buf_free(&raw);
	if (r < 0)
		return r;
	uint8_t tr[REC_TRAILER_SIZE];
	put64(tr, at);
	memcpy(tr + 8, REC_END_MAGIC, 8);
	buf_add(out, tr, sizeof(tr));
	return 0;
}

/* ---- reading ---- */
struct rhdr {
	int type;
	uint32_t len, rawlen, crc;
	int64_t time;
};

static void rhdr_read(const uint8_t *p, struct rhdr *h)
{
	h->type = p[0];
	h->len = get32(p + 4);
	h->rawlen = get32(p + 8);
	h->crc = get32(p + 12);
	h->time = (int64_t)get64(p + 16);
}

static bool rhdr_sane(const uint8_t *p, const struct rhdr *h)
{
	return h->type != 0 && !p[1] && !p[2] && !p[3] && h->rawlen <= REC_RAW_MAX;
}

static bool crc_ok(const uint8_t *p, const struct rhdr *h)
{
	uint8_t tmp[REC_RHDR_SIZE];
	memcpy(tmp, p, REC_RHDR_SIZE);
	memset(tmp + 12, 0, 4);
	return crc32c(crc32c(0, tmp, REC_RHDR_SIZE), p + REC_RHDR_SIZE, h->len) == h->crc;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void ent_push(struct rec_ent **v, size_t *n, size_t *cap, int type, int64_t t, uint64_t off)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = (struct rec_ent){.type = (uint8_t)type, .time_usec = t, .off = off};
}

/* A record the reader lists: a sample into ents, an events record (version
 * 2 on) into evs; false for any other type. */
static bool ent_add(struct rec_file *f, size_t cap[2], int type, int64_t t, uint64_t off)
{
	if (type == REC_FULL || type == REC_DELTA)
		ent_push(&f->ents, &f->nents, &cap[0], type, t, off);
	else if (type == REC_EVENTS && f->version >= 2)
		ent_push(&f->evs, &f->nevs, &cap[1], type, t, off);
	else
		return false;
	return true;
}

static void ents_drop(struct rec_file *f)
{
	free(f->ents);
	free(f->evs);
	f->ents = f->evs = NULL;
	f->nents = f->nevs = 0;
}

/* The index record the trailer points at, when it is whole and agrees with
 * the records it names; false: scan instead. */
static bool read_index(struct rec_file *f)
{
	const uint8_t *p = f->p;
	size_t n = f->n;
	if (n < REC_HDR_SIZE + REC_RHDR_SIZE + REC_TRAILER_SIZE ||
	    memcmp(p + n - 8, REC_END_MAGIC, 8))
		return false;
	uint64_t at = get64(p + n - REC_TRAILER_SIZE);
	size_t end = n - REC_TRAILER_SIZE;
	/* end >= REC_HDR_SIZE + REC_RHDR_SIZE (checked above): no wrap */
	if (at < REC_HDR_SIZE || at > end - REC_RHDR_SIZE)
		return false;
	struct rhdr h;
	rhdr_read(p + at, &h);
	if (h.type != REC_INDEX || !rhdr_sane(p + at, &h) || h.len != end - at - REC_RHDR_SIZE ||
	    !crc_ok(p + at, &h))
		return false;
	struct buf raw = {0};
	if (rec_unzip(p + at + REC_RHDR_SIZE, h.len, h.rawlen, &raw) < 0)
		return false;
	struct rec_rd r = {.p = (const uint8_t *)raw.p, .n = raw.len};
	uint64_t cnt = rec_vget(&r);
	size_t cap[2] = {0, 0};
	int64_t t = 0;
	uint64_t off = 0, next = REC_HDR_SIZE;
	bool ok = !r.bad && cnt <= raw.len;
	for (uint64_t i = 0; ok && i < cnt; i++) {
		uint64_t type = rec_vget(&r);
		t = (int64_t)((uint64_t)t + rec_unzz(rec_vget(&r)));
		off += rec_vget(&r);
		struct rhdr e;
		/* in order, within the records, each as its header says */
		/* no subtraction that can wrap: off <= at first, then the room
		 * between them (an index at offset 16 leaves none) */
		ok = !r.bad && off >= next && off <= at && at - off >= REC_RHDR_SIZE;
		if (!ok)
			break;
		rhdr_read(p + off, &e);
		ok = (uint64_t)e.type == type && e.time == t && rhdr_sane(p + off, &e) &&
		     e.len <= at - off - REC_RHDR_SIZE && ent_add(f, cap, e.type, t, off);
		next = off + REC_RHDR_SIZE + e.len;
	}
	buf_free(&raw);
	if (!ok || r.off != r.n) {
		ents_drop(f);
		return false;
	}
	f->indexed = true;
	return true;
}

/*
 * A recording's records: the header checked, the index read or, for a file
 * that was never closed, every record's checksum by a scan. A record cut
 * short at the end (or zeros a crash left there) ends the scan: torn, not
 * an error. A wrong header, a bad record with more behind it: -EINVAL,
 * why says what and where.
 */
int rec_open_mem(struct rec_file *f, const uint8_t *p, size_t n, char *why, size_t whyn)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->n = n;
	if (n < REC_HDR_SIZE || memcmp(p, REC_MAGIC, 8)) {
		snprintf(why, whyn, "not an nstop recording (no %s header)", REC_MAGIC);
		return -EINVAL;
	}
	uint32_t v = get32(p + 8);
	if (v < 1 || v > REC_VERSION || get32(p + 12)) {
		snprintf(why, whyn, "format version %u, this nstop reads 1 to %d", v, REC_VERSION);
		return -EINVAL;
	}
	f->version = v;
	if (read_index(f))
		return 0;
	size_t off = REC_HDR_SIZE, cap[2] = {0, 0};
	while (off < n) {
		size_t left = n - off;
		if (left == REC_TRAILER_SIZE && !memcmp(p + n - 8, REC_END_MAGIC, 8))
			break;
		if (left < REC_RHDR_SIZE) {
			f->torn = true;
			break;
		}
		struct rhdr h;
		rhdr_read(p + off, &h);
		if (h.len > left - REC_RHDR_SIZE || all_zero(p + off, left)) {
			f->torn = true;
			break;
		}
		if (!rhdr_sane(p + off, &h) || !crc_ok(p + off, &h)) {
			ents_drop(f);
			snprintf(why, whyn, "corrupt record at offset %zu (%s)", off,
				 rhdr_sane(p + off, &h) ? "checksum mismatch" : "bad header");
			return -EINVAL;
		}
		/* samples and events are listed; the index and types this
		 * version does not know are skipped */
		ent_add(f, cap, h.type, h.time, off);
		off += REC_RHDR_SIZE + h.len;
	}
	f->torn_at = off;
	return 0;
}

void rec_file_free(struct rec_file *f)
{
	ents_drop(f);
}

/* zstd's frame of exactly rawlen bytes, into out (reset first). */
int rec_unzip(const uint8_t *z, size_t zlen, size_t rawlen, struct buf *out)
{
	buf_reset(out);
	if (rawlen > REC_RAW_MAX)
		return -EINVAL;
	unsigned long long fs = ZSTD_getFrameContentSize(z, zlen);
	if (fs != rawlen)
		return -EINVAL;
	buf_grow(out, rawlen + 1);
	size_t got = ZSTD_decompress(out->p, rawlen + 1, z, zlen);
	if (ZSTD_isError(got) || got != rawlen)
		return -EINVAL;
	out->len = got;
	return 0;
}

/* A listed record's payload's size, decompressed, as its header says (what
 * decoding it would cost, known before). */
size_t rec_rawlen(const struct rec_file *f, const struct rec_ent *e)
{
	struct rhdr h;
	rhdr_read(f->p + e->off, &h);
	return h.rawlen;
}

/* A listed record's payload (a sample's or an events record's), its
 * checksum verified, decompressed into out. */
int rec_payload_of(const struct rec_file *f, const struct rec_ent *e, struct buf *out, char *why,
		   size_t whyn)
{
	const uint8_t *p = f->p + e->off;
	struct rhdr h;
	rhdr_read(p, &h);
	if (!crc_ok(p, &h)) {
		snprintf(why, whyn, "checksum mismatch");
		return -EINVAL;
	}
	if (rec_unzip(p + REC_RHDR_SIZE, h.len, h.rawlen, out) < 0) {
		snprintf(why, whyn, "not a zstd frame of %u bytes", h.rawlen);
		return -EINVAL;
	}
	return 0;
}

/* Sample i's payload, its checksum verified, decompressed into out. */
int rec_payload(const struct rec_file *f, size_t i, struct buf *out, char *why, size_t whyn)
{
	return rec_payload_of(f, &f->ents[i], out, why, whyn);
}

/*
 * --at TIME against a recording from first to last (microseconds since the
 * epoch): RFC 3339; HH:MM[:SS] on the local calendar day of the last
 * sample; -DURATION (-90s, -5m, -1h) before the last sample; "end".
 */
int rec_parse_at(const char *s, int64_t last_usec, int64_t *out)
{
	size_t n = strlen(s);
	int64_t ns;
	if (!strcmp(s, "end")) {
		*out = last_usec;
		return 0;
	}
	if (s[0] == '-' && n >= 2) {
		/* digits, an optional fraction, a unit s, m, h or d (s without) */
		char *end;
		if (s[1] < '0' || s[1] > '9')
			return -EINVAL;
		errno = 0;
		double v = strtod(s + 1, &end);
		double unit = !*end ? 1 : !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60
			    : !strcmp(end, "h") ? 3600 : !strcmp(end, "d") ? 86400 : 0;
		if (errno || !unit || !(v >= 0) || v * unit > 366.0 * 86400)
			return -EINVAL;
		*out = last_usec - (int64_t)(v * unit * 1e6);
		return 0;
	}
	if (parse_rfc3339(s, n, &ns) == 0) {
		*out = ns / 1000;
		return 0;
	}
	/* HH:MM or HH:MM:SS, digits only */
	static const char *const shapes[] = {"dd:dd", "dd:dd:dd"};
	bool shaped = false;
	for (int k = 0; k < 2 && !shaped; k++) {
		shaped = strlen(shapes[k]) == n;
		for (size_t i = 0; shaped && i < n; i++)
			shaped = shapes[k][i] == ':' ? s[i] == ':' : s[i] >= '0' && s[i] <= '9';
	}
	if (shaped) {
		unsigned h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
		unsigned m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
		unsigned sec = n == 8 ? (unsigned)(s[6] - '0') * 10 + (unsigned)(s[7] - '0') : 0;
		if (h > 23 || m > 59 || sec > 60)
			return -EINVAL;
		time_t t = (time_t)(last_usec / 1000000);
		struct tm tm;
		if (!localtime_r(&t, &tm))
			return -EINVAL;
		tm.tm_hour = (int)h;
		tm.tm_min = (int)m;
		tm.tm_sec = (int)sec;
		tm.tm_isdst = -1;
		time_t at = mktime(&tm);
		if (at == (time_t)-1)
			return -EINVAL;
		*out = (int64_t)at * 1000000;
		return 0;
	}
	return -EINVAL;
}
