// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nstop image: container images imported into a content store, listed,
 * removed. The store (/var/lib/nstop, or $NSTOP_STATE_DIR/.images in tests)
 * is root's alone (0700):
 *   layers/HEX/     a layer unpacked (HEX: its blob's sha256), an overlay
 *                   lower directory; whiteouts already overlay's
 *   l/SHORT         a short link to ../layers/HEX, so a lowerdir option of
 *                   many layers fits in a page (as Docker's l/)
 *   configs/HEX     an image config, verified
 *   images/NAMEHEX  an image's record (JSON): name, config, layers in order
 *   tmp/            what an import is making; renamed into place when whole
 * Every archive, blob and JSON file read here is untrusted: the entries are
 * judged by parse_img.c before a byte is written, and everything is written
 * with *at() calls beneath a directory descriptor, never through a link.
 * libarchive reads only (never archive_write_disk).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../collect/parse.h"
#include "../collect/collect.h"
#include "act.h"

#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_BENEATH_ 0x08
struct img_how_ {
	uint64_t flags, mode, resolve;
};

#define OUTER_MAX_BYTES (64ull << 30)   /* an archive's blobs, together */
#define OUTER_MAX_ENTRIES 65536

const char *img_store_path(void)
{
	static char p[4096];
	const char *d = getenv("NSTOP_STATE_DIR"); /* tests only; never set-uid (main refuses) */
	if (d && *d)
		snprintf(p, sizeof(p), "%s/.images", d);
	else
		snprintf(p, sizeof(p), "/var/lib/nstop");
	return p;
}

/* NAME beneath dirfd, never through a link, never above it */
static int open_beneath(int dirfd, const char *name, int flags)
{
	struct img_how_ how = {.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
			       .resolve = RESOLVE_BENEATH_ | RESOLVE_NO_SYMLINKS_ | RESOLVE_NO_MAGICLINKS_};
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* before 5.6: one component at a time, none a link */
		if (strstr(name, "..") || name[0] == '/') {
			errno = EXDEV;
			return -1;
		}
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s", name);
		int cur = dup(dirfd);
		for (char *s = p; cur >= 0;) {
			char *sl = strchr(s, '/');
			if (!sl) {
				fd = openat(cur, s, flags | O_CLOEXEC | O_NOFOLLOW);
				break;
			}
			*sl = '\0';
			int nx = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(cur);
			cur = nx;
			s = sl + 1;
		}
		if (cur >= 0) {
			int k = errno;
			close(cur);
			errno = k;
		}
	}
	return fd;
}

/* a regular file beneath dirfd, for reading: a fifo in a layout would
 * block the open, a device never end */
static int open_file_beneath(int dirfd, const char *name)
{
	int fd = open_beneath(dirfd, name, O_RDONLY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) < 0) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* a whole small file beneath dirfd (at most max bytes), NUL-terminated */
static int read_beneath(int dirfd, const char *name, size_t max, char **out, size_t *n)
{
	int fd = open_file_beneath(dirfd, name);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		int r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		close(fd);
		return r;
	}
	char *b = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	b[got] = '\0';
	*out = b;
	*n = got;
	return 0;
}

static void hex_of(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char d[32];
	gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, d);
	hex_of(d, 32, out);
}

/* The store, made root-only when missing, refused when anyone else could
 * write it; locked for the caller's whole change (LOCK_EX) or read (LOCK_SH). */
static int store_open(bool make, int lock, int *lockfd, struct nerr *e)
{
	const char *p = img_store_path();
	const char *sd = getenv("NSTOP_STATE_DIR");
	if (make && sd && *sd) { /* tests: the store inside the registry's directory */
		int k = state_dir_make();
		if (k < 0)
			return nerr_set(e, k, "%s: %s", sd, strerror(-k));
		close(k);
	}
	if (make && mkdir(p, 0700) < 0 && errno != EEXIST)
		return nerr_set(e, -errno, "%s: %s", p, strerror(errno));
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : nerr_set(e, -errno, "%s: %s", p, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return nerr_set(e, -EPERM, "%s: the image store must be root's and mode 0700", p);
	}
	static const char *const subs[] = {"layers", "l", "configs", "images", "tmp"};
	for (size_t i = 0; make && i < ARRAY_LEN(subs); i++)
		if (mkdirat(fd, subs[i], 0700) < 0 && errno != EEXIST) {
			int r = nerr_set(e, -errno, "%s/%s: %s", p, subs[i], strerror(errno));
			close(fd);
			return r;
		}
	*lockfd = openat(fd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*lockfd < 0 || flock(*lockfd, lock) < 0) {
		int r = nerr_set(e, -errno, "%s/.lock: %s", p, strerror(errno));
		if (*lockfd >= 0)
			close(*lockfd);
		close(fd);
		return r;
	}
	return fd;
}

/* a fresh directory beneath dirfd: PREFIX-RANDOM */
static int mk_tmpdir(int dirfd, const char *prefix, char *name, size_t n)
{
	for (int i = 0; i < 8; i++) {
		uint64_t r;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint64_t)getpid() * 2654435761u + (uint64_t)i;
		snprintf(name, n, "%s-%d-%016llx", prefix, (int)getpid(), (unsigned long long)r);
		if (mkdirat(dirfd, name, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* ---- writing one judged entry beneath a layer's directory ---- */

/* the directory holding PATH's last component, made when missing (0755,
 * root's, as tar does for a parent it was not given); *base its name */
static int open_parent(int root, char *path, const char **base, bool make)
{
	/* a second line behind parse_img's check: no component may climb
	 * or be empty, whatever the caller passes (O_NOFOLLOW stops links,
	 * not "..") */
	for (const char *c = path;;) {
		size_t n = strcspn(c, "/");
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			errno = EXDEV;
			return -1;
		}
		if (!c[n])
			break;
		c += n + 1;
	}
	char *sl = strrchr(path, '/');
	if (!sl) {
		*base = path;
		return dup(root);
	}
	*sl = '\0';
	*base = sl + 1;
	int cur = dup(root);
	for (char *s = path; cur >= 0;) {
		char *n = strchr(s, '/');
		if (n)
			*n = '\0';
		int nx = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nx < 0 && errno == ENOENT && make && mkdirat(cur, s, 0755) == 0)
			nx = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int k = errno;
		close(cur);
		cur = nx;
		errno = k;
		if (n)
			*n = '/';
		if (!n)
			break;
		s = n + 1;
	}
	*sl = '/';
	return cur;
}

/* what is at base goes, unless it is a directory and a directory comes */
static int clear_at(int pfd, const char *base, bool want_dir)
{
	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return want_dir ? 1 : rm_tree_at(pfd, base, 0);
	return unlinkat(pfd, base, 0) < 0 ? -errno : 0;
}

struct blob_rd {
	int fd;
	gnutls_hash_hd_t h;
	uint64_t n;
	char buf[1 << 16];
};

static la_ssize_t blob_read(struct archive *a, void *arg, const void **out)
{
	struct blob_rd *b = arg;
	ssize_t k = read(b->fd, b->buf, sizeof(b->buf));
	if (k < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	gnutls_hash(b->h, b->buf, (size_t)k);
	b->n += (uint64_t)k;
	*out = b->buf;
	return k;
}

static int copy_data(struct archive *ar, int fd, struct img_check *c, int64_t declared, char *why, size_t whyn)
{
	char buf[1 << 16];
	int64_t total = 0;
	for (;;) {
		la_ssize_t k = archive_read_data(ar, buf, sizeof(buf));
		if (k < 0) {
			snprintf(why, whyn, "%s", archive_error_string(ar) ? archive_error_string(ar) : "a read error");
			return -EIO;
		}
		if (!k)
			break;
		total += k;
		if (total > declared) { /* never more than the header said (which counted against the cap) */
			snprintf(why, whyn, "more data than its header declares");
			return -EINVAL;
		}
		for (la_ssize_t o = 0; o < k;) {
			ssize_t w = write(fd, buf + o, (size_t)(k - o));
			if (w < 0) {
				snprintf(why, whyn, "%s", strerror(errno));
				return -errno;
			}
			o += w;
		}
	}
	(void)c;
	return 0;
}

/* the compressions an image uses (OCI: gzip, zstd), built in: never
 * filter_all, which would run lzop, lrzip or grzip on untrusted bytes */
static void read_filters(struct archive *ar)
{
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
}

static enum img_kind kind_of(struct archive_entry *en)
{
	if (archive_entry_hardlink(en))
		return IMG_HARDLINK;
	switch (archive_entry_filetype(en)) {
	case AE_IFREG: return IMG_REG;
	case AE_IFDIR: return IMG_DIR;
	case AE_IFLNK: return IMG_SYMLINK;
	case AE_IFCHR: return IMG_CHR;
	case AE_IFBLK: return IMG_BLK;
	case AE_IFIFO: return IMG_FIFO;
	case AE_IFSOCK: return IMG_SOCK;
	default: return IMG_OTHER;
	}
}

/* One entry, judged already (o), written beneath root. Ownership and mode
 * as the archive says (set-uid included: the store is root's and every
 * overlay over it nosuid). */
static int write_entry(int root, struct archive *ar, struct archive_entry *en, enum img_kind k,
		       struct img_ent *o, struct img_check *c, bool owners, char *why, size_t whyn)
{
	const char *base;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", o->path);
	int pfd = o->path[0] ? open_parent(root, path, &base, true) : -1;
	if (o->path[0] && pfd < 0) {
		int er = errno;
		snprintf(why, whyn, "its directory: %s", er == EXDEV ? "a path that climbs out of the layer" : strerror(er));
		return -er;
	}
	uid_t uid = (uid_t)archive_entry_uid(en);
	gid_t gid = (gid_t)archive_entry_gid(en);
	mode_t mode = archive_entry_perm(en) & 07777;
	int r = 0, fd = -1;
	if (o->wh == IMG_WH_OPAQUE) {
		fd = o->path[0] ? openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup(root);
		if (fd < 0 && errno == ENOENT && mkdirat(pfd, base, 0755) == 0)
			fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			r = -errno;
	} else if (o->wh == IMG_WH_FILE) {
		if ((r = clear_at(pfd, base, false)) == 0 && mknodat(pfd, base, S_IFCHR | 0, makedev(0, 0)) < 0)
			r = -errno;
	} else if (k == IMG_DIR) {
		if ((r = clear_at(pfd, base, true)) >= 0) {
			r = 0;
			if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
				r = -errno;
			else if ((fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
				 (owners && fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0)
				r = -errno;
		}
	} else if (k == IMG_REG) {
		if ((r = clear_at(pfd, base, false)) == 0) {
			fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0)
				r = -errno;
			else if ((r = copy_data(ar, fd, c, archive_entry_size(en), why, whyn)) < 0)
				return close(fd), close(pfd), r;
			else if ((owners && fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0)
				r = -errno;
		}
	} else if (k == IMG_SYMLINK) {
		if ((r = clear_at(pfd, base, false)) == 0 && (symlinkat(archive_entry_symlink(en), pfd, base) < 0 ||
							      (owners && fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)))
			r = -errno;
	} else if (k == IMG_HARDLINK) {
		const char *tbase;
		char tp[PATH_MAX];
		snprintf(tp, sizeof(tp), "%s", o->link);
		int tfd = open_parent(root, tp, &tbase, false);
		struct stat st;
		if (tfd < 0 || fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else if (!S_ISREG(st.st_mode)) {
			snprintf(why, whyn, "a hard link to what is no regular file of the layer");
			r = -EINVAL;
		} else if ((r = clear_at(pfd, base, false)) == 0 && linkat(tfd, tbase, pfd, base, 0) < 0)
			r = -errno;
		if (tfd >= 0)
			close(tfd);
		if (r == -ENOENT) {
			snprintf(why, whyn, "a hard link to what the layer does not hold");
			r = -EINVAL;
		}
	}
	if (r < 0 && !why[0])
		snprintf(why, whyn, "%s", r == 1 ? "" : strerror(-r));
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	return r < 0 ? r : 0;
}

/*
 * Unpacks the blob at fd (a layer, any compression libarchive reads) into
 * dirfd, judging each entry; the blob's bytes are hashed as they are read
 * (and the rest after the archive's end), so what was unpacked is what
 * was verified. hex: the sha256 it must have; size: its length, or -1.
 */
static int unpack_layer(int fd, int dirfd, const char *hex, int64_t size, const struct img_import_opts *io,
			bool owners, struct nerr *e)
{
	struct blob_rd *b = xcalloc(1, sizeof(*b));
	b->fd = fd;
	gnutls_hash_init(&b->h, GNUTLS_DIG_SHA256);
	struct archive *ar = archive_read_new();
	read_filters(ar);
	archive_read_support_format_tar(ar);
	struct img_check c;
	img_check_init(&c, io->max_layer_bytes, io->max_entries);
	int r = 0;
	char why[256] = "";
	struct buf eb = {0}, wb = {0};
	if (archive_read_open(ar, b, NULL, blob_read, NULL) != ARCHIVE_OK) {
		r = nerr_input(e, -EINVAL, "layer %.12s: not an archive libarchive reads: %s", hex,
			       str_esc(&eb, archive_error_string(ar) ? archive_error_string(ar) : "?"));
		goto out;
	}
	struct archive_entry *en;
	for (;;) {
		int k = archive_read_next_header(ar, &en);
		if (k == ARCHIVE_EOF)
			break;
		if (k < ARCHIVE_WARN) {
			r = nerr_input(e, -EINVAL, "layer %.12s: %s", hex,
				       str_esc(&eb, archive_error_string(ar) ? archive_error_string(ar) : "a damaged archive"));
			goto out;
		}
		const char *path = archive_entry_pathname(en);
		enum img_kind kind = kind_of(en);
		struct img_entry in = {path ? path : "", kind,
				       kind == IMG_SYMLINK ? archive_entry_symlink(en) : archive_entry_hardlink(en),
				       archive_entry_size_is_set(en) ? archive_entry_size(en) : 0};
		if (kind == IMG_HARDLINK)
			in.size = 0; /* libarchive reads no data for it */
		struct img_ent o;
		why[0] = '\0';
		if (!path) {
			r = nerr_input(e, -EINVAL, "layer %.12s: an entry without a readable name", hex);
			goto out;
		}
		/* the entry's name and the reason (which may quote a path) escaped */
		if (img_entry_check(&c, &in, &o, why, sizeof(why)) < 0) {
			r = nerr_input(e, -EINVAL, "layer %.12s: entry %s: refused: %s", hex, str_esc(&eb, path),
				       str_esc(&wb, why));
			goto out;
		}
		if (o.skip)
			continue;
		int w = write_entry(dirfd, ar, en, kind, &o, &c, owners, why, sizeof(why));
		if (w < 0) {
			/* the archive's fault (a file where its entries want a
			 * directory, a damaged stream) unless the system's */
			bool sys = w == -ENOSPC || w == -EDQUOT || w == -ENOMEM || w == -EROFS || w == -EACCES || w == -EPERM;
			r = !sys ? nerr_input(e, -EINVAL, "layer %.12s: entry %s: %s", hex, str_esc(&eb, path), str_esc(&wb, why))
				 : nerr_set(e, w, "layer %.12s: entry %s: %s", hex, str_esc(&eb, path), str_esc(&wb, why));
			goto out;
		}
	}
	/* the rest of the blob (padding past the archive's end) is hashed too */
	const void *p;
	while (!r && (size < 0 || b->n <= (uint64_t)size) && blob_read(ar, b, &p) > 0)
		;
	unsigned char d[32];
	char got[65];
	gnutls_hash_output(b->h, d);
	hex_of(d, 32, got);
	if (strcmp(got, hex))
		r = nerr_input(e, -EINVAL, "layer %.12s: digest mismatch: the blob's sha256 is %s", hex, got);
	else if (size >= 0 && (int64_t)b->n != size)
		r = nerr_input(e, -EINVAL, "layer %.12s: %llu bytes, the manifest says %lld", hex,
			       (unsigned long long)b->n, (long long)size);
out:
	archive_read_free(ar);
	gnutls_hash_deinit(b->h, NULL);
	free(b);
	img_check_free(&c);
	buf_free(&eb);
	buf_free(&wb);
	return r;
}

/* ---- an import ---- */

struct imp {
	int store, src, tmp;         /* fds: the store, the layout, store/tmp */
	char staging[128];           /* tmp/NAME of an archive's files, "" */
	char layer_tmp[128];         /* tmp/NAME of the layer being unpacked, "" */
	const struct img_import_opts *io;
	struct buf eb;
};

/* a small JSON file of the source, verified against DIGEST (sha256:HEX) when given */
static int read_json(struct imp *im, const char *name, const char *digest, uint64_t size, char **out, size_t *n,
		     struct nerr *e)
{
	int r = read_beneath(im->src, name, IMG_MAX_JSON, out, n);
	const char *en = str_esc(&im->eb, name);
	if (r == -ENOENT)
		return nerr_input(e, -EINVAL, "%s: missing from the image", en);
	if (r == -EFBIG)
		return nerr_input(e, -EINVAL, "%s: larger than %u bytes", en, IMG_MAX_JSON);
	if (r < 0)
		return nerr_input(e, r, "%s: %s", en, r == -ELOOP || r == -EXDEV ? "a symbolic link" : strerror(-r));
	if (digest) {
		char hex[65];
		sha256_hex(*out, *n, hex);
		if (strcmp(hex, digest + 7) || (size != UINT64_MAX && *n != size)) {
			free(*out);
			return nerr_input(e, -EINVAL, "%s: digest mismatch: its sha256 is %s", en, hex);
		}
	}
	return 0;
}

/* store/layers/HEX made from the blob NAME of the source, unless stored */
static int import_layer(struct imp *im, const char *name, const char *hex, int64_t size, struct nerr *e)
{
	struct stat st;
	int lfd = openat(im->store, "layers", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (lfd < 0)
		return nerr_set(e, -errno, "layers: %s", strerror(errno));
	if (fstatat(lfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		close(lfd);
		return 0; /* stored once, verified when it was */
	}
	int r = mk_tmpdir(im->tmp, "layer", im->layer_tmp, sizeof(im->layer_tmp));
	if (r < 0) {
		close(lfd);
		return nerr_set(e, r, "tmp: %s", strerror(-r));
	}
	int dfd = openat(im->tmp, im->layer_tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int bfd = open_file_beneath(im->src, name);
	if (dfd < 0 || bfd < 0) {
		r = bfd < 0 ? nerr_input(e, -EINVAL, "%s: %s", str_esc(&im->eb, name), strerror(errno))
			    : nerr_set(e, -errno, "tmp: %s", strerror(errno));
	} else if ((r = unpack_layer(bfd, dfd, hex, size, im->io, true, e)) == 0) {
		/* the layer's root as an image's: 0755 */
		if (fchmod(dfd, 0755) < 0 || renameat(im->tmp, im->layer_tmp, lfd, hex) < 0)
			r = nerr_set(e, -errno, "layers/%s: %s", hex, strerror(errno));
		else
			im->layer_tmp[0] = '\0';
	}
	if (dfd >= 0)
		close(dfd);
	if (bfd >= 0)
		close(bfd);
	close(lfd);
	if (r < 0)
		return r;
	char link[128], target[128];
	snprintf(link, sizeof(link), "l/%.20s", hex);
	snprintf(target, sizeof(target), "../layers/%s", hex);
	if (symlinkat(target, im->store, link) < 0 && errno != EEXIST)
		return nerr_set(e, -errno, "%s: %s", link, strerror(errno));
	char have[128];
	ssize_t k = readlinkat(im->store, link, have, sizeof(have) - 1);
	if (k < 0 || (have[k] = '\0', strcmp(have, target)))
		return nerr_set(e, -EEXIST, "%s: a short link of another layer (a 80-bit prefix collision)", link);
	return 0;
}

/* an archive's regular files copied to store/tmp/STAGING (judged as a
 * layer's entries are): the outer tar of an OCI archive or docker save */
static int stage_archive(struct imp *im, const char *path, struct nerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nerr_input(e, -errno, "%s: %s", str_esc(&im->eb, path), strerror(errno));
	int r = mk_tmpdir(im->tmp, "import", im->staging, sizeof(im->staging));
	if (r < 0) {
		close(fd);
		return nerr_set(e, r, "tmp: %s", strerror(-r));
	}
	int sfd = openat(im->tmp, im->staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct archive *ar = archive_read_new();
	read_filters(ar);
	archive_read_support_format_tar(ar);
	struct img_check c;
	img_check_init(&c, OUTER_MAX_BYTES, OUTER_MAX_ENTRIES);
	char why[256] = "";
	struct archive_entry *en;
	if (sfd < 0)
		r = nerr_set(e, -errno, "tmp: %s", strerror(errno));
	else if (archive_read_open_fd(ar, fd, 1 << 16) != ARCHIVE_OK)
		r = nerr_input(e, -EINVAL, "%s: not an archive libarchive reads", str_esc(&im->eb, path));
	while (!r) {
		int k = archive_read_next_header(ar, &en);
		if (k == ARCHIVE_EOF)
			break;
		if (k < ARCHIVE_WARN || !archive_entry_pathname(en)) {
			r = nerr_input(e, -EINVAL, "%s: a damaged archive", str_esc(&im->eb, path));
			break;
		}
		enum img_kind kind = kind_of(en);
		if (kind != IMG_REG && kind != IMG_DIR)
			continue; /* an image's files are regular ones */
		struct img_entry in = {archive_entry_pathname(en), kind, NULL, archive_entry_size(en)};
		struct img_ent o;
		struct buf pb = {0}, wb = {0};
		if (img_entry_check(&c, &in, &o, why, sizeof(why)) < 0) {
			r = nerr_input(e, -EINVAL, "%s: entry %s: refused: %s", str_esc(&im->eb, path),
				       str_esc(&pb, archive_entry_pathname(en)), str_esc(&wb, why));
		} else if (!o.skip && !o.wh) {
			int w = write_entry(sfd, ar, en, kind, &o, &c, false, why, sizeof(why));
			if (w < 0)
				r = nerr_input(e, w, "%s: entry %s: %s", str_esc(&im->eb, path), str_esc(&pb, o.path),
					       str_esc(&wb, why));
		}
		buf_free(&pb);
		buf_free(&wb);
	}
	archive_read_free(ar);
	img_check_free(&c);
	close(fd);
	if (!r)
		im->src = sfd;
	else if (sfd >= 0)
		close(sfd);
	return r;
}

static void host_platform(char arch[32])
{
	struct utsname u;
	uname(&u);
	const char *a = u.machine;
	if (!strcmp(a, "x86_64"))
		a = "amd64";
	else if (!strcmp(a, "aarch64"))
		a = "arm64";
	else if (!strncmp(a, "arm", 3))
		a = "arm";
	else if (!strcmp(a, "i686") || !strcmp(a, "i386"))
		a = "386";
	snprintf(arch, 32, "%.31s", a);
}

static bool is_index(const char *media)
{
	return media && (!strcmp(media, "application/vnd.oci.image.index.v1+json") ||
			 !strcmp(media, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

/* the record written last: an import is whole once it exists */
static int write_record(struct imp *im, const char *name, const char *config_hex, char **layers, size_t n,
			struct nerr *e)
{
	struct json j;
	struct buf jb = {0};
	json_init(&j, &jb, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", name);
	json_str(&j, "config", config_hex);
	json_i64(&j, "imported", (int64_t)time(NULL));
	json_arr_begin(&j, "layers");
	for (size_t i = 0; i < n; i++)
		json_str(&j, NULL, layers[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	const char *s = buf_str(&jb);
	char nh[65], tmpn[128], fin[128];
	sha256_hex(name, strlen(name), nh);
	snprintf(fin, sizeof(fin), "images/%s", nh);
	snprintf(tmpn, sizeof(tmpn), "tmp/record-%d", (int)getpid());
	int r = 0;
	int fd = openat(im->store, tmpn, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || fsync(fd) < 0 ||
	    renameat(im->store, tmpn, im->store, fin) < 0)
		r = nerr_set(e, -errno, "%s: %s", fin, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlinkat(im->store, tmpn, 0);
	buf_free(&jb);
	return r;
}

static int store_config(struct imp *im, const char *hex, const char *s, size_t n, struct nerr *e)
{
	char tmpn[128], fin[128];
	snprintf(fin, sizeof(fin), "configs/%s", hex);
	snprintf(tmpn, sizeof(tmpn), "tmp/config-%d", (int)getpid());
	int fd = openat(im->store, tmpn, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = 0;
	if (fd < 0 || write(fd, s, n) != (ssize_t)n || renameat(im->store, tmpn, im->store, fin) < 0)
		r = nerr_set(e, -errno, "%s: %s", fin, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlinkat(im->store, tmpn, 0);
	return r;
}

static void gc_locked(int store);

/* an OCI layout (or archive of one) or a docker-archive, at im->src */
static int import_src(struct imp *im, const char *want_name, struct img_import_result *res, struct nerr *e)
{
	char *s = NULL, *tagjs = NULL;
	size_t n, tn;
	struct img_manifest idx = {0}, man = {0}, dm = {0};
	struct img_config cfg = {0};
	char **hexes = NULL;
	int r;
	char name[160] = "";
	char arch[32];
	host_platform(arch);
	struct stat st;
	bool oci = fstatat(im->src, "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0;
	/* docker save's manifest.json: its RepoTags name the image */
	if (read_beneath(im->src, "manifest.json", IMG_MAX_JSON, &tagjs, &tn) == 0) {
		if (parse_docker_manifest(tagjs, tn, &dm) < 0 && !oci) {
			r = nerr_input(e, -EINVAL, "manifest.json: not docker's image manifest");
			goto out;
		}
		if (dm.tag)
			snprintf(name, sizeof(name), "%s", dm.tag);
	} else if (!oci) {
		r = nerr_input(e, -EINVAL, "neither an OCI layout (index.json) nor a docker-archive (manifest.json)");
		goto out;
	}
	if (want_name)
		snprintf(name, sizeof(name), "%s", want_name);
	if (!name[0]) {
		r = nerr_input(e, -EINVAL, "the image names no tag: --name NAME:TAG is required");
		goto out;
	}
	char cfg_hex[65];
	if (oci) {
		if ((r = read_json(im, "index.json", NULL, 0, &s, &n, e)) < 0)
			goto out;
		struct img_desc d;
		for (int depth = 0;; depth++) {
			if (parse_img_index(s, n, &idx) < 0) {
				r = nerr_input(e, -EINVAL, "%s: not an OCI image index", depth ? "a nested index" : "index.json");
				goto out;
			}
			int k = img_index_pick(&idx, "linux", arch, NULL);
			if (k < 0) {
				r = nerr_input(e, -EINVAL, "the image has no manifest for linux/%s", arch);
				goto out;
			}
			d = idx.layers[k];
			d.media = d.media ? xstrdup(d.media) : NULL;
			img_manifest_free(&idx);
			free(s);
			s = NULL;
			char bn[128];
			snprintf(bn, sizeof(bn), "blobs/sha256/%.64s", d.digest + 7);
			r = read_json(im, bn, d.digest, d.size, &s, &n, e);
			bool nested = is_index(d.media);
			free(d.media);
			if (r < 0)
				goto out;
			if (!nested)
				break;
			if (depth >= 1) {
				r = nerr_input(e, -EINVAL, "an index nested more than twice");
				goto out;
			}
		}
		if (parse_img_manifest(s, n, &man) < 0) {
			r = nerr_input(e, -EINVAL, "the manifest %.19s: not an OCI image manifest", d.digest);
			goto out;
		}
		free(s);
		s = NULL;
		char bn[128];
		snprintf(bn, sizeof(bn), "blobs/sha256/%.64s", man.config.digest + 7);
		if ((r = read_json(im, bn, man.config.digest, man.config.size, &s, &n, e)) < 0)
			goto out;
		snprintf(cfg_hex, sizeof(cfg_hex), "%.64s", man.config.digest + 7);
	} else {
		/* docker-archive: the config's file name is its digest (HEX.json or blobs/sha256/HEX) */
		const char *cp = dm.config.path, *b = strrchr(cp, '/');
		b = b ? b + 1 : cp;
		char dg[80];
		snprintf(dg, sizeof(dg), "sha256:%.64s", b);
		if (!img_digest_ok(dg)) {
			r = nerr_input(e, -EINVAL, "%s: the config's name carries no digest to verify it by", str_esc(&im->eb, cp));
			goto out;
		}
		if ((r = read_json(im, cp, dg, UINT64_MAX, &s, &n, e)) < 0)
			goto out;
		snprintf(cfg_hex, sizeof(cfg_hex), "%.64s", dg + 7);
	}
	if (parse_img_config(s, n, &cfg) < 0) {
		r = nerr_input(e, -EINVAL, "the config %.12s: not an image config", cfg_hex);
		goto out;
	}
	if ((cfg.os[0] && strcmp(cfg.os, "linux")) || (cfg.arch[0] && strcmp(cfg.arch, arch))) {
		r = nerr_input(e, -EINVAL, "the image is for %s/%s, this host is linux/%s", cfg.os, cfg.arch, arch);
		goto out;
	}
	size_t nl = oci ? man.nlayers : dm.nlayers;
	if (cfg.ndiff_ids != nl) {
		r = nerr_input(e, -EINVAL, "the config lists %zu layers (rootfs.diff_ids), the manifest %zu", cfg.ndiff_ids, nl);
		goto out;
	}
	hexes = xcalloc(nl + 1, sizeof(*hexes));
	for (size_t i = 0; i < nl; i++) {
		char bn[PATH_MAX];
		const char *hex;
		int64_t size = -1;
		if (oci) {
			hex = man.layers[i].digest + 7;
			size = (int64_t)man.layers[i].size;
			snprintf(bn, sizeof(bn), "blobs/sha256/%s", hex);
		} else {
			hex = cfg.diff_ids[i] + 7; /* docker save's layers are uncompressed tars */
			snprintf(bn, sizeof(bn), "%s", dm.layers[i].path);
		}
		hexes[i] = xstrdup(hex);
		if ((r = import_layer(im, bn, hex, size, e)) < 0)
			goto out;
	}
	if ((r = store_config(im, cfg_hex, s, n, e)) < 0 || (r = write_record(im, name, cfg_hex, hexes, nl, e)) < 0)
		goto out;
	gc_locked(im->store); /* an image replaced under its name leaves layers no one uses */
	snprintf(res->name, sizeof(res->name), "%s", name);
	snprintf(res->id, sizeof(res->id), "%.12s", cfg_hex);
	res->nlayers = nl;
out:
	for (size_t i = 0; hexes && hexes[i]; i++)
		free(hexes[i]);
	free(hexes);
	free(s);
	free(tagjs);
	img_manifest_free(&idx);
	img_manifest_free(&man);
	img_manifest_free(&dm);
	img_config_free(&cfg);
	return r;
}

int act_image_import(const char *path, const struct img_import_opts *io, struct img_import_result *res, struct nerr *e)
{
	memset(res, 0, sizeof(*res));
	if (io->name && !img_name_ok(io->name))
		return nerr_input(e, -EINVAL, "--name: NAME[:TAG] of [a-zA-Z0-9._-/:@], lowercase first, at most 128");
	struct stat st;
	if (stat(path, &st) < 0)
		return nerr_input(e, -errno, "%s: %s", path, strerror(errno));
	int lockfd;
	struct imp im = {.io = io, .src = -1, .tmp = -1};
	im.store = store_open(true, LOCK_EX, &lockfd, e);
	if (im.store < 0)
		return im.store;
	int r;
	im.tmp = openat(im.store, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* one import at a time (the lock): what tmp/ holds now is a killed
	 * import's, and goes */
	int cfd = im.tmp >= 0 ? dup(im.tmp) : -1;
	DIR *d = cfd >= 0 ? fdopendir(cfd) : NULL;
	for (struct dirent *de; d && (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_tree_at(im.tmp, de->d_name, 0);
	if (d)
		closedir(d);
	else if (cfd >= 0)
		close(cfd);
	if (im.tmp < 0)
		r = nerr_set(e, -errno, "tmp: %s", strerror(errno));
	else if (S_ISDIR(st.st_mode)) {
		im.src = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = im.src < 0 ? nerr_input(e, -errno, "%s: %s", str_esc(&im.eb, path), strerror(errno)) : 0;
	} else {
		r = stage_archive(&im, path, e);
	}
	if (!r)
		r = import_src(&im, io->name, res, e);
	/* nothing half made stays: the layer being unpacked, the staged files */
	if (im.layer_tmp[0])
		rm_tree_at(im.tmp, im.layer_tmp, 0);
	if (im.staging[0])
		rm_tree_at(im.tmp, im.staging, 0);
	if (im.src >= 0)
		close(im.src);
	if (im.tmp >= 0)
		close(im.tmp);
	buf_free(&im.eb);
	close(lockfd);
	close(im.store);
	return r;
}

/* ---- records: list, find, remove ---- */

static int record_load(int store, const char *file, struct jv *out)
{
	char p[128], *s;
	size_t n;
	snprintf(p, sizeof(p), "images/%s", file);
	int r = read_beneath(store, p, 1 << 20, &s, &n);
	if (r < 0)
		return r;
	r = jv_parse(s, n, out);
	free(s);
	if (r == 0 && (!jv_str(out, "name") || !jv_str(out, "config") || !jv_get(out, "layers") ||
		       jv_get(out, "layers")->type != JV_ARR)) {
		jv_free(out);
		r = -EINVAL;
	}
	return r;
}

static void images_each(int store, void (*fn)(int store, const char *file, const struct jv *rec, void *arg), void *arg)
{
	int fd = openat(store, "images", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		struct jv rec;
		if (de->d_name[0] != '.' && record_load(store, de->d_name, &rec) == 0) {
			fn(store, de->d_name, &rec, arg);
			jv_free(&rec);
		}
	}
	closedir(d);
}

struct gc {
	char **keep;
	size_t n;
};

static void gc_mark(int store, const char *file, const struct jv *rec, void *arg)
{
	(void)store, (void)file;
	struct gc *g = arg;
	const struct jv *ls = jv_get(rec, "layers");
	g->keep = xreallocarray(g->keep, g->n + ls->n + 1, sizeof(*g->keep));
	for (size_t i = 0; i < ls->n; i++)
		if (ls->kids[i].type == JV_STR)
			g->keep[g->n++] = xstrdup(ls->kids[i].s);
	g->keep[g->n++] = xstrdup(jv_str(rec, "config"));
}

/* what no record names goes: layers, their short links, configs, tmp's leftovers of dead imports */
/* a container's layers (its record's rootfs: STORE/l/SHORT:...) stay
 * while it exists, even when its image's name now means another image */
static void gc_mark_ctr(const char *cname, const struct jv *st, void *arg)
{
	(void)cname;
	struct gc *g = arg;
	const char *rf = jv_str(st, "rootfs");
	if (!jv_str(st, "image") || !rf)
		return;
	for (const char *p = rf; (p = strstr(p, "/l/"));) {
		p += 3;
		size_t n = strcspn(p, ":");
		g->keep = xreallocarray(g->keep, g->n + 1, sizeof(*g->keep));
		g->keep[g->n++] = xmemdup0(p, n);
	}
}

static void gc_locked(int store)
{
	struct gc g = {0};
	images_each(store, gc_mark, &g);
	state_each(gc_mark_ctr, &g);
	static const char *const dirs[] = {"layers", "configs", "l"};
	for (size_t k = 0; k < ARRAY_LEN(dirs); k++) {
		int fd = openat(store, dirs[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			/* l/SHORT: kept when a kept layer begins with SHORT */
			size_t len = strlen(de->d_name);
			bool keep = false;
			for (size_t i = 0; i < g.n && !keep; i++)
				keep = k == 2 ? !strncmp(g.keep[i], de->d_name, len)
					      : !strcmp(g.keep[i], de->d_name) ||
							(strlen(g.keep[i]) == 20 && !strncmp(de->d_name, g.keep[i], 20));
			if (!keep)
				rm_tree_at(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	for (size_t i = 0; i < g.n; i++)
		free(g.keep[i]);
	free(g.keep);
}

struct ls_ctx {
	struct img_info *v;
	size_t n;
};

static uint64_t tree_bytes(int dirfd, int depth)
{
	uint64_t t = 0;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 512) {
			int c = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (c >= 0) {
				t += tree_bytes(c, depth + 1);
				close(c);
			}
		} else if (S_ISREG(st.st_mode)) {
			t += (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return t;
}

static void ls_one(int store, const char *file, const struct jv *rec, void *arg)
{
	(void)file;
	struct ls_ctx *c = arg;
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	struct img_info *i = &c->v[c->n++];
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", jv_str(rec, "name"));
	snprintf(i->id, sizeof(i->id), "%s", jv_str(rec, "config"));
	double t = 0;
	jv_num(rec, "imported", &t);
	i->imported = (int64_t)t;
	const struct jv *ls = jv_get(rec, "layers");
	i->nlayers = ls->n;
	for (size_t k = 0; k < ls->n; k++) {
		char p[128];
		if (ls->kids[k].type != JV_STR)
			continue;
		snprintf(p, sizeof(p), "layers/%.64s", ls->kids[k].s);
		int fd = open_beneath(store, p, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			i->bytes += tree_bytes(fd, 0);
			close(fd);
		}
	}
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct img_info *)a)->name, ((const struct img_info *)b)->name);
}

int act_image_list(struct img_info **out, size_t *n, struct nerr *e)
{
	*out = NULL;
	*n = 0;
	int lockfd;
	int store = store_open(false, LOCK_SH, &lockfd, e);
	if (store == -ENOENT)
		return 0;
	if (store < 0)
		return store;
	struct ls_ctx c = {0};
	images_each(store, ls_one, &c);
	close(lockfd);
	close(store);
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_info);
	*out = c.v;
	*n = c.n;
	return 0;
}

struct used {
	const char *name;
	char who[80];
};

static void used_by(const char *cname, const struct jv *st, void *arg)
{
	struct used *u = arg;
	const char *im = jv_str(st, "image");
	if (im && !strcmp(im, u->name) && !u->who[0])
		snprintf(u->who, sizeof(u->who), "%s", cname);
}

int act_image_rm(const char *name, struct nerr *e)
{
	if (!img_name_ok(name))
		return nerr_input(e, -EINVAL, "not an image name");
	int lockfd;
	int store = store_open(false, LOCK_EX, &lockfd, e);
	if (store == -ENOENT)
		return nerr_input(e, -ENOENT, "no such image (see nstop image ls)");
	if (store < 0)
		return store;
	char nh[65], p[128];
	sha256_hex(name, strlen(name), nh);
	snprintf(p, sizeof(p), "images/%s", nh);
	int r = 0;
	struct used u = {name, ""};
	state_each(used_by, &u);
	if (u.who[0])
		r = nerr_input(e, -EBUSY, "the container %s uses it (nstop rm it first)", u.who);
	else if (unlinkat(store, p, 0) < 0)
		r = errno == ENOENT ? nerr_input(e, -ENOENT, "no such image (see nstop image ls)")
				    : nerr_set(e, -errno, "%s: %s", p, strerror(errno));
	else
		gc_locked(store);
	close(lockfd);
	close(store);
	return r;
}

/* Whether the layer's directory DIR ("" its root) hides what lies below
 * it: opaque (trusted.overlay.opaque=y, an OCI .wh..wh..opq), or not a
 * directory (a whiteout's 0/0 device, a file, a link). */
static bool layer_hides(int store, const char *layer, const char *dir)
{
	char p[200], v[4];
	snprintf(p, sizeof(p), "layers/%.64s%s%s", layer, dir[0] ? "/" : "", dir);
	int fd = open_beneath(store, p, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return errno != ENOENT;
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));
	close(fd);
	return n == 1 && v[0] == 'y';
}

/*
 * The image's own FILE (etc/passwd, etc/group), for its User: as the
 * container's root shows it, the topmost layer's that has one, read beneath
 * the layer without following a link; one that is a link, hidden by a
 * whiteout, or beneath a directory a higher layer made opaque or replaced
 * counts as none (*out stays NULL), as docker reads the assembled root.
 */
static void layer_file(int store, const struct jv *ls, const char *file, char **out, size_t *n)
{
	char dir[64];
	const char *sl = strrchr(file, '/');
	snprintf(dir, sizeof(dir), "%.*s", sl ? (int)(sl - file) : 0, file);
	for (size_t i = ls->n; i-- > 0;) {
		char pp[160];
		struct stat st;
		snprintf(pp, sizeof(pp), "layers/%.64s/%s", ls->kids[i].s, file);
		int fd = open_beneath(store, pp, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			/* not here: lower layers show through unless this one
			 * hides them at its root or at the file's directory */
			if (layer_hides(store, ls->kids[i].s, "") || (dir[0] && layer_hides(store, ls->kids[i].s, dir)))
				return;
			continue;
		}
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			read_beneath(store, pp, 1 << 20, out, n);
		if (fd >= 0)
			close(fd);
		return;
	}
}

/*
 * What create needs of the image NAME: the lowerdir option's list (the
 * short links, topmost first) and its config. -ENOENT when there is none.
 */
int act_image_resolve(const char *name, char **lowerdir, struct img_config *cfg, char **passwd, size_t *npasswd,
		      char **group, size_t *ngroup, int *hold, struct nerr *e)
{
	if (hold)
		*hold = -1;
	*lowerdir = NULL;
	*passwd = *group = NULL;
	*npasswd = *ngroup = 0;
	memset(cfg, 0, sizeof(*cfg));
	int lockfd;
	int store = store_open(false, LOCK_SH, &lockfd, e);
	if (store == -ENOENT || (store >= 0 && !img_name_ok(name))) {
		if (store >= 0)
			close(lockfd), close(store);
		return nerr_input(e, -ENOENT, "--image %s: no such image (see nstop image ls)", name);
	}
	if (store < 0)
		return store;
	char nh[65];
	sha256_hex(name, strlen(name), nh);
	struct jv rec;
	int r = record_load(store, nh, &rec);
	if (r < 0) {
		close(lockfd), close(store);
		return nerr_input(e, -ENOENT, "--image %s: no such image (see nstop image ls)", name);
	}
	char *s;
	size_t n;
	char cp[128];
	snprintf(cp, sizeof(cp), "configs/%.64s", jv_str(&rec, "config"));
	if (read_beneath(store, cp, IMG_MAX_JSON, &s, &n) < 0 || parse_img_config(s, n, cfg) < 0) {
		r = nerr_set(e, -EIO, "%s/%s: unreadable", img_store_path(), cp);
	} else {
		const struct jv *ls = jv_get(&rec, "layers");
		struct buf b = {0};
		if (!ls->n)
			r = nerr_input(e, -EINVAL, "--image %s: an image of no layers", name);
		/* overlay's lowerdir: the topmost first */
		for (size_t i = ls->n; i-- > 0 && !r;) {
			if (ls->kids[i].type != JV_STR || strlen(ls->kids[i].s) != 64 ||
			    strspn(ls->kids[i].s, "0123456789abcdef") != 64) {
				r = nerr_set(e, -EIO, "images/%s: damaged", nh);
				break;
			}
			buf_printf(&b, "%s%s/l/%.20s", b.len ? ":" : "", img_store_path(), ls->kids[i].s);
		}
		if (!r && (strpbrk(img_store_path(), ",:\\") || img_store_path()[0] != '/'))
			r = nerr_input(e, -EINVAL, "%s: the store's path must be absolute, without , : or \\ (overlayfs option separators)", img_store_path());
		if (!r && b.len >= 4000)
			r = nerr_input(e, -E2BIG, "--image %s: too many layers for overlay's lowerdir option", name);
		if (!r) {
			layer_file(store, ls, "etc/passwd", passwd, npasswd);
			layer_file(store, ls, "etc/group", group, ngroup);
		}
		if (!r)
			*lowerdir = xstrdup(buf_str(&b));
		buf_free(&b);
		free(s);
	}
	if (r < 0)
		img_config_free(cfg);
	jv_free(&rec);
	if (!r && hold)
		*hold = lockfd;
	else
		close(lockfd);
	close(store);
	return r;
}
