/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI image layouts and docker-archive tarballs. A tar is read once, front to
 * back: every regular entry is hashed as it streams past (and, when it is
 * gzip, also hashed decompressed, since a layer's diff_id is the digest of the
 * uncompressed tar and the manifest naming the layers may come later in the
 * archive); entries small enough to be JSON are kept. The documents are then
 * resolved from that table. A directory is read lazily, one blob at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json_strict.h"
#include "image.h"
#include "libarchive.h"

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct blob {
	char *path;
	char *link; /* a symlink or hard link: the entry path it names */
	uint64_t size;
	uint8_t sha256[MS_SHA256_LEN];
	enum compression compression;
	bool gunzip_ok; /* a complete gzip stream */
	bool tar_trailing; /* inflating stopped: it went on TAR_MAX_TRAILING bytes past a tar end-of-archive */
	const char *tar_bad; /* inflating stopped at a header the scanner cannot follow (static text) */
	uint64_t tar_bad_at;
	char tar_bad_name[101];
	uint64_t tar_end_at; /* where that end-of-archive ends, decompressed */
	uint8_t gunzip_sha256[MS_SHA256_LEN];
	uint8_t *content; /* the bytes, when size <= MS_IMAGE_MAX_JSON */
};

struct store {
	struct blob *blobs;
	size_t n, cap;
	size_t kept;
	bool sorted;
	int dirfd; /* -1: a tar, every entry already in blobs */
	/* every byte any gzip stream gives (layers, other entries, a compressed outer tar) counts */
	uint64_t unpacked, max_unpacked;
	bool outer_over_budget; /* the compressed outer tar passed the budget (tar_read) */
};

typedef long (*read_fn)(void *ctx, void *buf, size_t len);

/* ---- hashing one entry ---- */

#define TAR_MAX_TRAILING (1u << 20) /* decompressed bytes allowed past a layer's end-of-archive (record padding) */
#define TAR_MAX_SPECIAL (1u << 20)   /* a pax header or GNU long name: Go's archive/tar refuses larger ones */

/*
 * Follows the tar headers in a decompressed stream as it is inflated, so a
 * header that claims more data than the budget has left is refused at that
 * header, not after inflating up to the budget, and a stream that goes on
 * past its end-of-archive is noticed. A header it cannot follow (no tar, a
 * checksum that does not add up, a type docker's Go archive/tar reader would
 * not extract, a zero block followed by a header) stops it for good: inflating
 * stops there, and the blob can never be a layer (bad, why, bad_at).
 */
struct tar_scan {
	bool off, ended, bad;
	const char *why;
	uint64_t bad_at, pax_at;
	char name[101]; /* of the last header, for the message */
	bool sparse_ext; /* old GNU sparse: extension blocks of the map follow the header */
	uint64_t sparse_data;
	uint64_t pos, next;   /* decompressed bytes seen; where the next header starts */
	uint64_t end_at;      /* just past the two zero blocks */
	unsigned zeros;
	uint8_t hdr[512];
	size_t have;
	char *pax; /* TAR_MAX_SPECIAL + 1 bytes, allocated for the first pax header */
	size_t pax_len, pax_want; /* pax_want: the data of a pax header is being gathered */
	bool pax_global, has_pax_size;
	uint64_t pax_size;
};

struct gunzip {
	z_stream z;
	bool started, ended, failed, over_budget, over_claim, trailing;
	uint64_t out_total;
	uint64_t *unpacked, max_unpacked; /* the image's budget, shared by all streams */
	uint64_t claim, claim_at;        /* over_claim: what a header claimed, and where it starts */
	struct tar_scan tar;
	struct ms_hash hash;
};

static uint64_t round512(uint64_t n)
{
	return n > (1ull << 62) ? 1ull << 62 : (n + 511) & ~(uint64_t)511;
}

/* An octal field (leading spaces, digits, then NUL or space) or GNU's base-256; false when it is neither. */
static bool tar_number(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		for (i = 0; i < len; i++) {
			if (v >> 55)
				return false;
			v = v << 8 | (i ? f[i] : f[0] & 0x7f);
		}
		*out = v;
		return true;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++)
		v = v << 3 | (uint64_t)(f[i] - '0');
	if (i < len && f[i] != '\0' && f[i] != ' ')
		return false;
	*out = v;
	return true;
}

static void tar_refuse(struct tar_scan *ts, const char *why)
{
	ts->off = ts->bad = true;
	ts->why = why;
	ts->bad_at = ts->pos - (ts->pos % 512 ? ts->pos % 512 : 512);
	for (size_t i = 0; i < 100; i++)
		ts->name[i] = ts->hdr[i] >= 0x20 && ts->hdr[i] < 0x7f ? (char)ts->hdr[i] : ts->hdr[i] ? '?' : '\0';
	ts->name[100] = '\0';
}

/* size= of the pax records gathered (each "LEN key=value\n"). */
static void pax_records(struct tar_scan *ts)
{
	const char *p = ts->pax, *end = ts->pax + ts->pax_len;

	while (p < end) {
		char *after;
		unsigned long long len = strtoull(p, &after, 10);
		const char *rec = p;

		if (after == p || *after != ' ' || len == 0 || len > (unsigned long long)(end - p)) {
			tar_refuse(ts, "a malformed pax record");
			ts->bad_at = ts->pax_at - 512;
			return;
		}
		p += len;
		if (!strncmp(after + 1, "size=", 5) && !ts->pax_global) {
			uint64_t v = 0;
			const char *d = after + 6;

			for (; d < rec + len - 1 && *d >= '0' && *d <= '9' && v < (1ull << 60); d++)
				v = v * 10 + (uint64_t)(*d - '0');
			ts->pax_size = v;
			ts->has_pax_size = true;
		}
	}
}

/* data bytes follow the header just read; over_claim when they are more than the budget has left. */
static void tar_claim(struct gunzip *g, uint64_t data, uint64_t at)
{
	struct tar_scan *ts = &g->tar;

	if (round512(data) > g->max_unpacked - (at < g->max_unpacked ? at : g->max_unpacked)) {
		g->over_claim = true;
		g->claim = data;
		g->claim_at = ts->pos - 512;
		return;
	}
	ts->next = ts->pos + round512(data);
}

/* One header block; sets g->over_claim when it claims more than is left (at: budget used up to its end). */
static void tar_header(struct gunzip *g, uint64_t at)
{
	struct tar_scan *ts = &g->tar;
	uint64_t sum = 0, want, size, data;
	bool zero = true;

	for (size_t i = 0; i < 512; i++) {
		zero &= !ts->hdr[i];
		sum += i >= 148 && i < 156 ? ' ' : ts->hdr[i];
	}
	if (zero) {
		if (++ts->zeros == 2) {
			ts->ended = true;
			ts->end_at = ts->pos;
		}
		ts->next = ts->pos;
		return;
	}
	if (ts->zeros) {
		tar_refuse(ts, "a header after a single zero block (the end-of-archive is two)");
		return;
	}
	if (!tar_number(ts->hdr + 148, 8, &want) || want != sum) {
		tar_refuse(ts, "a malformed tar header (its checksum does not add up)");
		return;
	}
	if (!tar_number(ts->hdr + 124, 12, &size)) {
		tar_refuse(ts, "a malformed tar header (its size field is not a number)");
		return;
	}
	switch (ts->hdr[156]) {
	case 'x': case 'g':
		if (size > TAR_MAX_SPECIAL) {
			tar_refuse(ts, "a pax header larger than 1 MiB");
			return;
		}
		if (!ts->pax && !(ts->pax = malloc(TAR_MAX_SPECIAL + 1))) {
			tar_refuse(ts, "a pax header (out of memory)");
			return;
		}
		ts->pax_global = ts->hdr[156] == 'g';
		ts->pax_len = 0;
		ts->pax_want = (size_t)size;
		ts->pax_at = ts->pos;
		data = size;
		break;
	case 'L': case 'K':
		if (size > TAR_MAX_SPECIAL) {
			tar_refuse(ts, "a GNU long name larger than 1 MiB");
			return;
		}
		data = size;
		break;
	case 'S': /* old GNU sparse: size is what is stored; the map may go on in extension blocks */
		ts->has_pax_size = false;
		if (ts->hdr[482]) {
			ts->sparse_ext = true;
			ts->sparse_data = size;
			ts->next = ts->pos;
			return;
		}
		data = size;
		break;
	case 'V': case 'M': case 'D':
		tar_refuse(ts, "a GNU volume, multi-volume or dumpdir header (docker does not extract them)");
		return;
	case '0': case '\0': case '7':
		data = ts->has_pax_size ? ts->pax_size : size;
		ts->has_pax_size = false;
		break;
	case '1': case '2': case '3': case '4': case '5': case '6':
		ts->has_pax_size = false;
		if (!size) {
			data = 0;
			break;
		}
		tar_refuse(ts, "a link, device, directory or FIFO header with data");
		return;
	default:
		tar_refuse(ts, "a tar header of an unknown type");
		return;
	}
	tar_claim(g, data, at);
}

/* The decompressed bytes p[0..n), which brought the budget used to at_end. */
static void tar_scan(struct gunzip *g, const uint8_t *p, size_t n, uint64_t at_end)
{
	struct tar_scan *ts = &g->tar;
	uint64_t at = at_end - n;

	while (n && !ts->off && !g->over_claim) {
		size_t take;

		if (ts->ended) {
			ts->pos += n;
			if (ts->pos - ts->end_at > TAR_MAX_TRAILING)
				g->trailing = true;
			return;
		}
		if (ts->pos < ts->next) {
			take = ts->next - ts->pos < n ? (size_t)(ts->next - ts->pos) : n;
			if (ts->pax_want) {
				size_t copy = ts->pax_want - ts->pax_len < take ? ts->pax_want - ts->pax_len : take;

				memcpy(ts->pax + ts->pax_len, p, copy);
				if ((ts->pax_len += copy) == ts->pax_want) {
					ts->pax_want = 0;
					pax_records(ts);
				}
			}
		} else {
			take = 512 - ts->have < n ? 512 - ts->have : n;
			memcpy(ts->hdr + ts->have, p, take);
			ts->have += take;
		}
		ts->pos += take;
		at += take;
		p += take;
		n -= take;
		if (ts->have == 512) {
			ts->have = 0;
			if (ts->sparse_ext) { /* one block of the sparse map; its last byte says whether another follows */
				ts->sparse_ext = ts->hdr[504] != 0;
				if (!ts->sparse_ext)
					tar_claim(g, ts->sparse_data, at);
				else
					ts->next = ts->pos;
			} else {
				tar_header(g, at);
			}
		}
	}
}

static void gunzip_feed(struct gunzip *g, const uint8_t *data, size_t len)
{
	static uint8_t out[65536];

	g->z.next_in = (Bytef *)data;
	g->z.avail_in = (uInt)len;
	while (!g->failed && g->z.avail_in > 0) {
		int r;
		size_t produced;

		if (g->ended) { /* concatenated gzip members form one stream */
			if (inflateReset(&g->z) != Z_OK) {
				g->failed = true;
				break;
			}
			g->ended = false;
		}
		g->z.next_out = out;
		g->z.avail_out = sizeof(out);
		r = inflate(&g->z, Z_NO_FLUSH);
		produced = sizeof(out) - g->z.avail_out;
		ms_hash_update(&g->hash, out, produced);
		g->out_total += produced;
		*g->unpacked += produced;
		if (*g->unpacked > g->max_unpacked) {
			g->failed = g->over_budget = true;
			break;
		}
		tar_scan(g, out, produced, *g->unpacked);
		if (g->over_claim || g->trailing || g->tar.bad) {
			g->failed = true;
			break;
		}
		if (r == Z_STREAM_END)
			g->ended = true;
		else if (r == Z_BUF_ERROR && !produced)
			break;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			g->failed = true;
	}
}

static enum ms_status over_budget(const struct store *s, const char *what, uint64_t at, uint64_t inflated,
				  struct ms_err *err)
{
	if (inflated)
		return ms_fail(err, MS_BAD_INPUT, "%s: decompressed data passes the budget of %llu bytes for the whole image "
			       "at offset 0x%llx (0x%llx bytes inflated from this blob)", what,
			       (unsigned long long)s->max_unpacked, (unsigned long long)at, (unsigned long long)inflated);
	return ms_fail(err, MS_BAD_INPUT, "%s: decompressed data passes the budget of %llu bytes for the whole image "
		       "at offset 0x%llx of this entry of the compressed tar", what, (unsigned long long)s->max_unpacked,
		       (unsigned long long)at);
}

/*
 * Reads an entry to its end through read, filling b's size, digests and
 * (when small) content. what names it in errors.
 */
static enum ms_status hash_entry(struct store *s, struct blob *b, read_fn read, void *ctx, const char *what,
				 struct ms_err *err)
{
	static uint8_t buf[65536];
	struct ms_hash h = { 0 };
	struct gunzip g = { 0 };
	uint8_t head[4];
	size_t head_len = 0, content_cap = 0;
	bool decided = false;
	enum ms_status st = MS_OK;

	b->size = 0;
	if ((st = ms_hash_init(&h, MS_SHA256)) != MS_OK) {
		st = ms_fail(err, st, "%s: cannot hash", what);
		goto out;
	}
	for (;;) {
		long got = read(ctx, buf, sizeof(buf));
		size_t at = 0;

		if (got < 0 && s->outer_over_budget) {
			st = over_budget(s, what, b->size, 0, err);
			goto out;
		}
		if (got < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: truncated or unreadable at offset 0x%llx", what,
				     (unsigned long long)b->size);
			goto out;
		}
		if (got == 0)
			break;
		ms_hash_update(&h, buf, (size_t)got);
		if (b->size + (uint64_t)got <= MS_IMAGE_MAX_JSON) {
			if (b->size + (uint64_t)got > content_cap) {
				size_t cap = content_cap ? content_cap : 4096;
				uint8_t *p;

				while (cap < b->size + (uint64_t)got)
					cap *= 2;
				if (cap > MS_IMAGE_MAX_JSON)
					cap = MS_IMAGE_MAX_JSON;
				if (!(p = realloc(b->content, cap + 1))) {
					st = ms_fail(err, MS_NO_MEMORY, "%s: out of memory", what);
					goto out;
				}
				b->content = p;
				content_cap = cap;
			}
			memcpy(b->content + b->size, buf, (size_t)got);
		} else if (b->content) {
			free(b->content);
			b->content = NULL;
		}
		while (!decided && head_len < sizeof(head) && at < (size_t)got)
			head[head_len++] = buf[at++];
		if (!decided && head_len == sizeof(head)) {
			decided = true;
			if (head[0] == 0x1f && head[1] == 0x8b) {
				b->compression = COMP_GZIP;
				if (inflateInit2(&g.z, 16 + MAX_WBITS) != Z_OK ||
				    ms_hash_init(&g.hash, MS_SHA256) != MS_OK) {
					st = st ? st : ms_fail(err, MS_NO_MEMORY, "%s: out of memory", what);
					goto out;
				}
				g.started = true;
				g.unpacked = &s->unpacked;
				g.max_unpacked = s->max_unpacked;
				gunzip_feed(&g, head, head_len);
			} else if (head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) {
				b->compression = COMP_ZSTD;
			}
		}
		if (g.started && at < (size_t)got)
			gunzip_feed(&g, buf + at, (size_t)got - at);
		if (g.over_budget) { /* refused at once: no more of a bomb is inflated */
			st = over_budget(s, what, b->size + (uint64_t)got - g.z.avail_in, g.out_total, err);
			goto out;
		}
		if (g.over_claim) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: the tar header at offset 0x%llx (decompressed) claims %llu bytes, "
				     "more than is left of the budget of %llu bytes for decompressed data", what,
				     (unsigned long long)g.claim_at, (unsigned long long)g.claim,
				     (unsigned long long)s->max_unpacked);
			goto out;
		}
		b->size += (uint64_t)got;
	}
	ms_hash_final(&h, b->sha256);
	if (b->content) {
		b->content[b->size] = '\0';
		s->kept += b->size;
		if (s->kept > MS_IMAGE_MAX_KEPT) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: more than %u MiB of small entries", what,
				     MS_IMAGE_MAX_KEPT >> 20);
			goto out;
		}
	} else if (b->size == 0 && !(b->content = calloc(1, 1))) {
		st = ms_fail(err, MS_NO_MEMORY, "%s: out of memory", what);
		goto out;
	}
	if (g.started) {
		b->tar_trailing = g.trailing;
		b->tar_bad = g.tar.bad ? g.tar.why : NULL;
		b->tar_bad_at = g.tar.bad_at;
		memcpy(b->tar_bad_name, g.tar.name, sizeof(b->tar_bad_name));
		b->tar_end_at = g.tar.end_at;
		b->gunzip_ok = g.ended && !g.failed && g.z.avail_in == 0;
		ms_hash_final(&g.hash, b->gunzip_sha256);
	}
out:
	if (g.started)
		inflateEnd(&g.z);
	free(g.tar.pax);
	ms_hash_free(&g.hash);
	ms_hash_free(&h);
	return st;
}

/* ---- paths ---- */

/*
 * Normalizes an entry name in place: "./" prefixes and a trailing "/" go;
 * absolute names, "..", empty components are refused (false).
 */
static bool normalize_path(char *p)
{
	char *r = p, *w = p;

	while (r[0] == '.' && r[1] == '/')
		r += 2;
	if (*r == '/' || !*r)
		return false;
	while (*r) {
		char *end = strchr(r, '/');
		size_t n = end ? (size_t)(end - r) : strlen(r);

		if (n == 0 || (n == 2 && r[0] == '.' && r[1] == '.'))
			return false;
		if (!(n == 1 && r[0] == '.')) {
			if (w != p)
				*w++ = '/';
			memmove(w, r, n);
			w += n;
		}
		r += n;
		if (*r == '/')
			r++;
	}
	*w = '\0';
	return w != p;
}

/* A symlink's target resolved against the directory of the link; NULL when it leaves the archive. */
static char *resolve_symlink(const char *entry, const char *target)
{
	size_t cap = strlen(entry) + strlen(target) + 2;
	char *out = malloc(cap), *w;
	const char *slash = strrchr(entry, '/');
	const char *r = target;

	if (!out)
		return NULL;
	if (*target == '/') {
		free(out);
		return NULL;
	}
	w = out;
	if (slash) {
		memcpy(out, entry, (size_t)(slash - entry));
		w = out + (slash - entry);
	}
	*w = '\0';
	while (*r) {
		const char *end = strchr(r, '/');
		size_t n = end ? (size_t)(end - r) : strlen(r);

		if (n == 2 && r[0] == '.' && r[1] == '.') {
			char *up = strrchr(out, '/');

			if (w == out) {
				free(out);
				return NULL;
			}
			w = up ? up : out;
			*w = '\0';
		} else if (n && !(n == 1 && r[0] == '.')) {
			if (w != out)
				*w++ = '/';
			memcpy(w, r, n);
			w += n;
			*w = '\0';
		}
		r += n;
		if (*r == '/')
			r++;
	}
	if (w == out) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the store ---- */

static void store_free(struct store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->blobs[i].path);
		free(s->blobs[i].link);
		free(s->blobs[i].content);
	}
	free(s->blobs);
	memset(s, 0, sizeof(*s));
}

static struct blob *store_add(struct store *s, const char *path)
{
	struct blob *b;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct blob *p = realloc(s->blobs, cap * sizeof(*p));

		if (!p)
			return NULL;
		s->blobs = p;
		s->cap = cap;
	}
	b = &s->blobs[s->n];
	memset(b, 0, sizeof(*b));
	if (!(b->path = strdup(path)))
		return NULL;
	s->n++;
	s->sorted = false;
	return b;
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->path, ((const struct blob *)b)->path);
}

static long fd_read(void *ctx, void *buf, size_t len)
{
	ssize_t got;

	do
		got = read(*(int *)ctx, buf, len);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -1 : (long)got;
}

/* Opens path beneath dirfd without following any symlink; -1 with errno set otherwise. */
int ms_image_open_beneath(int dirfd, const char *path)
{
	char comp[MS_IMAGE_MAX_PATH];
	const char *r = path;
	int cur = dirfd;

	for (;;) {
		const char *end = strchr(r, '/');
		size_t n = end ? (size_t)(end - r) : strlen(r);
		int next;

		if (n >= sizeof(comp)) {
			errno = ENAMETOOLONG;
			next = -1;
		} else {
			memcpy(comp, r, n);
			comp[n] = '\0';
			next = end ? openat(cur, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY)
				   : ms_open_regular_at(cur, comp, O_NOFOLLOW);
		}
		if (cur != dirfd) {
			int saved = errno;

			close(cur);
			errno = saved;
		}
		if (next < 0 || !end)
			return next;
		cur = next;
		r = end + 1;
	}
}

/*
 * The entry at path, links followed; NULL (MS_OK) when there is none. A
 * directory store opens, hashes and caches the file on first use.
 */
static enum ms_status store_get(struct store *s, const char *path, struct blob **out, struct ms_err *err)
{
	char *want = strdup(path);
	enum ms_status st = MS_OK;
	int fd = -1;

	*out = NULL;
	if (!want)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!normalize_path(want)) {
		st = ms_fail(err, MS_BAD_INPUT, "\"%.200s\" is not a relative path inside the image", path);
		goto out;
	}
	for (int hops = 0;; hops++) {
		struct blob key = { .path = want }, *b;

		if (hops > 8) {
			st = ms_fail(err, MS_BAD_INPUT, "%.200s: more than 8 links in a row", path);
			goto out;
		}
		if (s->dirfd < 0) {
			if (!s->sorted) {
				qsort(s->blobs, s->n, sizeof(*s->blobs), cmp_blob);
				s->sorted = true;
			}
			b = bsearch(&key, s->blobs, s->n, sizeof(*s->blobs), cmp_blob);
		} else {
			b = NULL;
			for (size_t i = 0; i < s->n && !b; i++)
				if (!strcmp(s->blobs[i].path, want))
					b = &s->blobs[i];
		}
		if (!b && s->dirfd >= 0) {
			struct stat sb;

			if ((fd = ms_image_open_beneath(s->dirfd, want)) < 0) {
				if (errno == ENOENT)
					goto out;
				st = ms_fail(err, MS_BAD_INPUT, "%.200s: cannot open (%s)", want,
					     errno == ELOOP ? "a symbolic link" : ms_open_error(errno));
				goto out;
			}
			if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
				st = ms_fail(err, MS_BAD_INPUT, "%.200s: not a regular file", want);
				goto out;
			}
			if (!(b = store_add(s, want))) {
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
			if ((st = hash_entry(s, b, fd_read, &fd, want, err)) != MS_OK)
				goto out;
		}
		if (!b)
			goto out;
		if (!b->link) {
			*out = b;
			goto out;
		}
		free(want);
		if (!(want = strdup(b->link))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(want);
	return st;
}

/* ---- documents ---- */

struct desc {
	char media_type[128];
	uint8_t digest[MS_SHA256_LEN];
	uint64_t size;
	bool has_platform, attestation;
	char os[32], architecture[32], variant[32];
};

static const char *const index_types[] = { "application/vnd.oci.image.index.v1+json",
					   "application/vnd.docker.distribution.manifest.list.v2+json", NULL };
static const char *const manifest_types[] = { "application/vnd.oci.image.manifest.v1+json",
					      "application/vnd.docker.distribution.manifest.v2+json", NULL };
static const char *const config_types[] = { "application/vnd.oci.image.config.v1+json",
					    "application/vnd.docker.container.image.v1+json", NULL };

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* "sha256:<64 lowercase hex>"; another algorithm is MS_UNSUPPORTED. */
static enum ms_status parse_digest(const cJSON *item, const char *what, const char *field, uint8_t out[MS_SHA256_LEN],
				   struct ms_err *err)
{
	const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || colon == s)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is not a digest (algorithm:hex)", what, field);
	if ((size_t)(colon - s) != 6 || memcmp(s, "sha256", 6))
		return ms_fail(err, MS_UNSUPPORTED, "%s: %s uses digest algorithm \"%.*s\" (only sha256 is supported)", what,
			       field, (int)((colon - s) > 20 ? 20 : colon - s), s);
	if (strlen(colon + 1) != 64)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is not sha256:<64 hex digits>", what, field);
	for (const char *p = colon + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s is not sha256:<64 lowercase hex digits>", what, field);
	return ms_hex_decode(colon + 1, out, MS_SHA256_LEN, field, err);
}

static enum ms_status copy_string(const cJSON *item, const char *what, const char *field, char *out, size_t len,
				  bool required, struct ms_err *err)
{
	if (!item && !required) {
		out[0] = '\0';
		return MS_OK;
	}
	if (!cJSON_IsString(item))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is %s", what, field, item ? "not a string" : "missing");
	if (strlen(item->valuestring) >= len)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is longer than %zu bytes", what, field, len - 1);
	memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
	return MS_OK;
}

static enum ms_status parse_descriptor(const cJSON *d, const char *what, const char *field, struct desc *out,
				       struct ms_err *err)
{
	char f[96];
	const cJSON *platform = get(d, "platform"), *annotations = get(d, "annotations"), *ref;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(d))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is not an object", what, field);
	snprintf(f, sizeof(f), "%s.mediaType", field);
	if ((st = copy_string(get(d, "mediaType"), what, f, out->media_type, sizeof(out->media_type), true, err)))
		return st;
	snprintf(f, sizeof(f), "%s.digest", field);
	if ((st = parse_digest(get(d, "digest"), what, f, out->digest, err)))
		return st;
	if (!ms_json_u64(get(d, "size"), false, INT64_MAX, &out->size))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s.size is missing or not a non-negative integer", what, field);
	if (platform) {
		if (!cJSON_IsObject(platform))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s.platform is not an object", what, field);
		snprintf(f, sizeof(f), "%s.platform.os", field);
		if ((st = copy_string(get(platform, "os"), what, f, out->os, sizeof(out->os), true, err)))
			return st;
		snprintf(f, sizeof(f), "%s.platform.architecture", field);
		if ((st = copy_string(get(platform, "architecture"), what, f, out->architecture,
				      sizeof(out->architecture), true, err)))
			return st;
		snprintf(f, sizeof(f), "%s.platform.variant", field);
		if ((st = copy_string(get(platform, "variant"), what, f, out->variant, sizeof(out->variant), false, err)))
			return st;
		out->has_platform = true;
	}
	if (annotations && !cJSON_IsObject(annotations))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s.annotations is not an object", what, field);
	ref = get(annotations, "vnd.docker.reference.type");
	/* buildx attaches provenance as a manifest for platform unknown/unknown */
	out->attestation = (cJSON_IsString(ref) && !strcmp(ref->valuestring, "attestation-manifest")) ||
			   (out->has_platform && !strcmp(out->os, "unknown") && !strcmp(out->architecture, "unknown"));
	return MS_OK;
}

static enum ms_status parse_json(const struct blob *b, const char *what, cJSON **out, struct ms_err *err)
{
	if (!b->content)
		return ms_fail(err, MS_BAD_INPUT, "%s: %llu bytes, larger than the %u MiB allowed for a JSON document", what,
			       (unsigned long long)b->size, MS_IMAGE_MAX_JSON >> 20);
	return ms_json_parse_strict((const char *)b->content, (size_t)b->size, what, out, err);
}

static enum ms_status check_schema_version(const cJSON *j, const char *what, struct ms_err *err)
{
	uint64_t v;

	if (!cJSON_IsObject(j))
		return ms_fail(err, MS_BAD_INPUT, "%s: not a JSON object", what);
	if (!ms_json_u64(get(j, "schemaVersion"), false, UINT32_MAX, &v))
		return ms_fail(err, MS_BAD_INPUT, "%s: schemaVersion is missing or not an integer", what);
	if (v != 2)
		return ms_fail(err, MS_UNSUPPORTED, "%s: schemaVersion %llu (2 is supported)", what, (unsigned long long)v);
	return MS_OK;
}

static void blob_path(const uint8_t digest[MS_SHA256_LEN], char out[80])
{
	char hex[2 * MS_SHA256_LEN + 1];

	ms_hex_encode(digest, MS_SHA256_LEN, hex);
	snprintf(out, 80, "blobs/sha256/%s", hex);
}

/* The blob a descriptor names, present, of its size and digest. */
static enum ms_status verified_blob(struct store *s, const struct desc *d, const char *what, struct blob **out,
				    struct ms_err *err)
{
	char path[80], want[2 * MS_SHA256_LEN + 1], got[2 * MS_SHA256_LEN + 1];
	enum ms_status st;

	blob_path(d->digest, path);
	if ((st = store_get(s, path, out, err)))
		return st;
	if (!*out)
		return ms_fail(err, MS_BAD_INPUT, "%s: blob %s is missing", what, path);
	if ((*out)->size != d->size)
		return ms_fail(err, MS_BAD_INPUT, "%s: blob %s is %llu bytes, its descriptor says %llu", what, path,
			       (unsigned long long)(*out)->size, (unsigned long long)d->size);
	if (memcmp((*out)->sha256, d->digest, MS_SHA256_LEN)) {
		ms_hex_encode(d->digest, MS_SHA256_LEN, want);
		ms_hex_encode((*out)->sha256, MS_SHA256_LEN, got);
		return ms_fail(err, MS_BAD_INPUT, "%s: blob %s has sha256 %s, not the digest its descriptor names (%s)",
			       what, path, got, want);
	}
	return MS_OK;
}

static enum ms_status keep_config(const struct blob *b, struct ms_image *img, struct ms_err *err)
{
	free(img->config);
	if (!(img->config = malloc(b->size + 1)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	memcpy(img->config, b->content, b->size);
	img->config[b->size] = '\0';
	img->config_len = b->size;
	return MS_OK;
}

/* Checks a config document and fills the platform; *diff_ids points into j. */
static enum ms_status check_config(const cJSON *j, const char *what, struct ms_image *img, const cJSON **diff_ids,
				   struct ms_err *err)
{
	const cJSON *rootfs = get(j, "rootfs"), *type, *ids;
	enum ms_status st;
	int i = 0;

	if (!cJSON_IsObject(j))
		return ms_fail(err, MS_BAD_INPUT, "%s: not a JSON object", what);
	if ((st = copy_string(get(j, "os"), what, "os", img->os, sizeof(img->os), true, err)) ||
	    (st = copy_string(get(j, "architecture"), what, "architecture", img->architecture,
			      sizeof(img->architecture), true, err)) ||
	    (st = copy_string(get(j, "variant"), what, "variant", img->variant, sizeof(img->variant), false, err)))
		return st;
	if (!cJSON_IsObject(rootfs))
		return ms_fail(err, MS_BAD_INPUT, "%s: rootfs is missing or not an object", what);
	type = get(rootfs, "type");
	ids = get(rootfs, "diff_ids");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "layers"))
		return ms_fail(err, MS_BAD_INPUT, "%s: rootfs.type is not \"layers\"", what);
	if (!cJSON_IsArray(ids))
		return ms_fail(err, MS_BAD_INPUT, "%s: rootfs.diff_ids is missing or not an array", what);
	for (const cJSON *d = ids->child; d; d = d->next, i++) {
		char field[48];
		uint8_t v[MS_SHA256_LEN];

		if (i >= (int)MS_IMAGE_MAX_LAYERS)
			return ms_fail(err, MS_BAD_INPUT, "%s: rootfs.diff_ids has more than %u layers", what,
				       MS_IMAGE_MAX_LAYERS);
		snprintf(field, sizeof(field), "rootfs.diff_ids[%d]", i);
		if ((st = parse_digest(d, what, field, v, err)))
			return st;
	}
	*diff_ids = ids;
	return MS_OK;
}

/* The uncompressed digest of a layer blob, by its media type (NULL: sniffed, docker-archive). */
static enum ms_status layer_diff_id(const struct blob *b, const char *media_type, const char *what,
				    struct ms_image_layer *l, struct ms_err *err)
{
	enum compression c = b->compression;

	if (media_type) {
		size_t n = strlen(media_type);

		if (n >= 5 && !strcmp(media_type + n - 5, "+zstd"))
			c = COMP_ZSTD;
		else if ((n >= 5 && !strcmp(media_type + n - 5, "+gzip")) || (n >= 5 && !strcmp(media_type + n - 5, ".gzip")))
			c = COMP_GZIP;
		else if ((n >= 4 && !strcmp(media_type + n - 4, ".tar")))
			c = COMP_NONE;
		else
			return ms_fail(err, MS_UNSUPPORTED, "%s: layer media type \"%.100s\" is not supported", what,
				       media_type);
	}
	if (media_type && c == COMP_NONE && b->compression != COMP_NONE)
		return ms_fail(err, MS_BAD_INPUT, "%s: layer %s: its media type \"%.100s\" declares an uncompressed tar, "
			       "its bytes are %s-compressed", what, b->path, media_type,
			       b->compression == COMP_GZIP ? "gzip" : "zstd");
	switch (c) {
	case COMP_NONE:
		memcpy(l->diff_id, b->sha256, MS_SHA256_LEN);
		snprintf(l->compression, sizeof(l->compression), "none");
		return MS_OK;
	case COMP_GZIP:
		if (b->compression == COMP_GZIP && b->tar_trailing)
			return ms_fail(err, MS_BAD_INPUT, "%s: layer %s goes on for more than %u bytes past its tar "
				       "end-of-archive (at offset 0x%llx decompressed)", what, b->path, TAR_MAX_TRAILING,
				       (unsigned long long)b->tar_end_at);
		if (b->compression == COMP_GZIP && b->tar_bad)
			return ms_fail(err, MS_BAD_INPUT, "%s: layer %s: entry \"%s\": %s at offset 0x%llx (decompressed)", what,
				       b->path, b->tar_bad_name, b->tar_bad, (unsigned long long)b->tar_bad_at);
		if (b->compression != COMP_GZIP || !b->gunzip_ok)
			return ms_fail(err, MS_BAD_INPUT,
				       "%s: layer %s is not a complete gzip stream", what, b->path);
		memcpy(l->diff_id, b->gunzip_sha256, MS_SHA256_LEN);
		snprintf(l->compression, sizeof(l->compression), "gzip");
		return MS_OK;
	default:
		return ms_fail(err, MS_UNSUPPORTED, "%s: layer %s is zstd-compressed, which is not supported", what,
			       b->path);
	}
}

static enum ms_status check_layer(const struct blob *b, const char *media_type, const cJSON *diff_id, size_t i,
				  const char *what, struct ms_image_layer *l, struct ms_err *err)
{
	uint8_t want[MS_SHA256_LEN];
	char field[48], hex_want[2 * MS_SHA256_LEN + 1], hex_got[2 * MS_SHA256_LEN + 1];
	enum ms_status st;

	if ((st = layer_diff_id(b, media_type, what, l, err)))
		return st;
	snprintf(field, sizeof(field), "rootfs.diff_ids[%zu]", i);
	if ((st = parse_digest(diff_id, "config", field, want, err)))
		return st;
	if (memcmp(want, l->diff_id, MS_SHA256_LEN)) {
		ms_hex_encode(want, MS_SHA256_LEN, hex_want);
		ms_hex_encode(l->diff_id, MS_SHA256_LEN, hex_got);
		return ms_fail(err, MS_BAD_INPUT, "%s: layer %zu (%s) uncompressed is sha256 %s, the config's %s says %s",
			       what, i, b->path, hex_got, field, hex_want);
	}
	return MS_OK;
}

/* Loads the image a manifest descriptor names: manifest, config, every layer, all verified. */
static enum ms_status load_oci_image(struct store *s, const struct desc *d, struct ms_image *img, struct ms_err *err)
{
	char what[96], hex[2 * MS_SHA256_LEN + 1];
	const cJSON *layers, *diff_ids = NULL, *mt, *l, *id;
	cJSON *manifest = NULL, *config = NULL;
	struct blob *b;
	struct desc cd;
	enum ms_status st;
	size_t n = 0, i;

	ms_hex_encode(d->digest, MS_SHA256_LEN, hex);
	snprintf(what, sizeof(what), "manifest sha256:%.12s", hex);
	if ((st = verified_blob(s, d, what, &b, err)) || (st = parse_json(b, what, &manifest, err)) ||
	    (st = check_schema_version(manifest, what, err)))
		goto out;
	mt = get(manifest, "mediaType");
	if (mt && (!cJSON_IsString(mt) || !one_of(mt->valuestring, manifest_types))) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: mediaType is not an image manifest's", what);
		goto out;
	}
	if ((st = parse_descriptor(get(manifest, "config"), what, "config", &cd, err)))
		goto out;
	if (!one_of(cd.media_type, config_types)) {
		st = ms_fail(err, MS_UNSUPPORTED, "%s: config media type \"%.100s\" is not an image config", what,
			     cd.media_type);
		goto out;
	}
	layers = get(manifest, "layers");
	if (!cJSON_IsArray(layers)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: layers is missing or not an array", what);
		goto out;
	}
	for (l = layers->child; l; l = l->next)
		if (++n > MS_IMAGE_MAX_LAYERS) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: more than %u layers", what, MS_IMAGE_MAX_LAYERS);
			goto out;
		}
	img->manifest_size = d->size;
	memcpy(img->manifest_digest, d->digest, MS_SHA256_LEN);
	img->has_manifest_digest = true;
	if ((st = verified_blob(s, &cd, "config", &b, err)) || (st = parse_json(b, "config", &config, err)) ||
	    (st = check_config(config, "config", img, &diff_ids, err)) || (st = keep_config(b, img, err)))
		goto out;
	memcpy(img->config_digest, cd.digest, MS_SHA256_LEN);
	img->config_size = cd.size;
	if ((size_t)cJSON_GetArraySize(diff_ids) != n) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: %zu layers, the config lists %d diff_ids", what, n,
			     cJSON_GetArraySize(diff_ids));
		goto out;
	}
	if (d->has_platform && (strcmp(d->os, img->os) || strcmp(d->architecture, img->architecture))) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: the index says platform %s/%s, the config %s/%s", what, d->os,
			     d->architecture, img->os, img->architecture);
		goto out;
	}
	if (n && !(img->layers = calloc(n, sizeof(*img->layers)))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	img->layer_count = n;
	for (i = 0, l = layers->child, id = diff_ids->child; l; l = l->next, id = id->next, i++) {
		char field[32];
		struct desc ld;

		snprintf(field, sizeof(field), "layers[%zu]", i);
		if ((st = parse_descriptor(l, what, field, &ld, err)) || (st = verified_blob(s, &ld, what, &b, err)) ||
		    (st = check_layer(b, ld.media_type, id, i, what, &img->layers[i], err)))
			goto out;
		memcpy(img->layers[i].digest, ld.digest, MS_SHA256_LEN);
		img->layers[i].size = ld.size;
		if (!(img->layers[i].path = strdup(b->path))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
out:
	cJSON_Delete(manifest);
	cJSON_Delete(config);
	return st;
}

struct candidates {
	struct desc *d;
	size_t n;
	/* indexes already read (a nested index named again is skipped) and descriptors seen in all of them */
	uint8_t (*seen)[MS_SHA256_LEN];
	size_t seen_n;
	size_t descriptors;
};

/* cosign's artifacts beside an image: tags sha256-<manifest hex>.sig, .att, .sbom */
static bool cosign_artifact(const cJSON *descriptor)
{
	const cJSON *name = get(get(descriptor, "annotations"), "org.opencontainers.image.ref.name");
	const char *v, *dot;

	if (!cJSON_IsString(name))
		return false;
	v = name->valuestring;
	dot = strrchr(v, '.');
	return !strncmp(v, "sha256-", 7) && dot == v + 7 + 2 * MS_SHA256_LEN &&
	       (!strcmp(dot, ".sig") || !strcmp(dot, ".att") || !strcmp(dot, ".sbom"));
}

static enum ms_status collect(struct store *s, const cJSON *index, const char *what, unsigned depth,
			      struct candidates *c, struct ms_err *err)
{
	const cJSON *manifests = get(index, "manifests"), *mt = get(index, "mediaType");
	enum ms_status st;
	size_t i = 0;

	if ((st = check_schema_version(index, what, err)))
		return st;
	if (mt && (!cJSON_IsString(mt) || !one_of(mt->valuestring, index_types)))
		return ms_fail(err, MS_BAD_INPUT, "%s: mediaType is not an image index's", what);
	if (!cJSON_IsArray(manifests))
		return ms_fail(err, MS_BAD_INPUT, "%s: manifests is missing or not an array", what);
	for (const cJSON *m = manifests->child; m; m = m->next, i++) {
		char field[32];
		struct desc d;

		snprintf(field, sizeof(field), "manifests[%zu]", i);
		if (++c->descriptors > MS_IMAGE_MAX_DESCRIPTORS)
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: more than %u descriptors in all indexes together", what,
				       field, MS_IMAGE_MAX_DESCRIPTORS);
		if ((st = parse_descriptor(m, what, field, &d, err)))
			return st;
		if (one_of(d.media_type, index_types)) {
			char inner[96], hex[2 * MS_SHA256_LEN + 1];
			struct blob *b;
			cJSON *j = NULL;
			bool again = false;

			for (size_t k = 0; k < c->seen_n && !again; k++)
				again = !memcmp(c->seen[k], d.digest, MS_SHA256_LEN);
			if (again)
				continue; /* its manifests are candidates already */
			if (c->seen_n >= MS_IMAGE_MAX_INDEXES)
				return ms_fail(err, MS_BAD_INPUT, "%s: %s: more than %u nested indexes", what, field,
					       MS_IMAGE_MAX_INDEXES);
			if (!(c->seen_n % 16)) {
				uint8_t(*p)[MS_SHA256_LEN] = realloc(c->seen, (c->seen_n + 16) * sizeof(*p));

				if (!p)
					return ms_fail(err, MS_NO_MEMORY, "out of memory");
				c->seen = p;
			}
			memcpy(c->seen[c->seen_n++], d.digest, MS_SHA256_LEN);
			if (depth >= MS_IMAGE_MAX_INDEX_DEPTH)
				return ms_fail(err, MS_BAD_INPUT, "%s: %s: indexes nest more than %u deep", what, field,
					       MS_IMAGE_MAX_INDEX_DEPTH);
			ms_hex_encode(d.digest, MS_SHA256_LEN, hex);
			snprintf(inner, sizeof(inner), "index sha256:%.12s", hex);
			if ((st = verified_blob(s, &d, inner, &b, err)) || (st = parse_json(b, inner, &j, err)) ||
			    (st = collect(s, j, inner, depth + 1, c, err))) {
				cJSON_Delete(j);
				return st;
			}
			cJSON_Delete(j);
			continue;
		}
		if (!one_of(d.media_type, manifest_types) || d.attestation || cosign_artifact(m))
			continue;
		for (size_t k = 0; k < c->n; k++)
			if (!memcmp(c->d[k].digest, d.digest, MS_SHA256_LEN))
				goto next; /* the same image under another name */
		if (c->n >= MS_IMAGE_MAX_MANIFESTS)
			return ms_fail(err, MS_BAD_INPUT, "%s: more than %u manifests", what, MS_IMAGE_MAX_MANIFESTS);
		if (!(c->n % 16)) {
			struct desc *p = realloc(c->d, (c->n + 16) * sizeof(*p));

			if (!p)
				return ms_fail(err, MS_NO_MEMORY, "out of memory");
			c->d = p;
		}
		c->d[c->n++] = d;
next:;
	}
	return MS_OK;
}

static void platform_text(const char *os, const char *arch, const char *variant, char *out, size_t len)
{
	snprintf(out, len, "%s/%s%s%s", os, arch, *variant ? "/" : "", variant);
}

void ms_image_platform_text(const struct ms_image *img, char *out, size_t len)
{
	platform_text(img->os, img->architecture, img->variant, out, len);
}

static bool platform_matches(const struct desc *d, const char *want)
{
	char os[32], arch[32], variant[32] = "";
	const char *a = strchr(want, '/'), *v = a ? strchr(a + 1, '/') : NULL;
	size_t nos = a ? (size_t)(a - want) : 0, narch = v ? (size_t)(v - a - 1) : (a ? strlen(a + 1) : 0);

	if (!a || nos >= sizeof(os) || narch >= sizeof(arch) || (v && strlen(v + 1) >= sizeof(variant)))
		return false;
	memcpy(os, want, nos);
	os[nos] = '\0';
	memcpy(arch, a + 1, narch);
	arch[narch] = '\0';
	if (v)
		snprintf(variant, sizeof(variant), "%s", v + 1);
	return !strcmp(os, d->os) && !strcmp(arch, d->architecture) && (!v || !strcmp(variant, d->variant));
}

static enum ms_status platform_list(const struct candidates *c, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < c->n && at < len; i++) {
		char p[100];

		platform_text(c->d[i].os, c->d[i].architecture, c->d[i].variant, p, sizeof(p));
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? ", " : "", p);
	}
	return MS_OK;
}

static enum ms_status read_oci(struct store *s, const char *platform, struct ms_image *img, struct ms_err *err)
{
	struct candidates c = { 0 };
	cJSON *layout = NULL, *index = NULL;
	const cJSON *version;
	struct blob *b;
	enum ms_status st;
	size_t pick = 0, matches = 0;
	char list[300];

	if ((st = store_get(s, "oci-layout", &b, err)))
		goto out;
	if (!b) {
		st = ms_fail(err, MS_BAD_INPUT, "oci-layout is missing (not an OCI image layout)");
		goto out;
	}
	if ((st = parse_json(b, "oci-layout", &layout, err)))
		goto out;
	version = get(layout, "imageLayoutVersion");
	if (!cJSON_IsString(version)) {
		st = ms_fail(err, MS_BAD_INPUT, "oci-layout: imageLayoutVersion is missing or not a string");
		goto out;
	}
	if (strcmp(version->valuestring, "1.0.0")) {
		st = ms_fail(err, MS_UNSUPPORTED, "oci-layout: imageLayoutVersion \"%.20s\" (1.0.0 is supported)",
			     version->valuestring);
		goto out;
	}
	if ((st = store_get(s, "index.json", &b, err)) || (st = parse_json(b, "index.json", &index, err)) ||
	    (st = collect(s, index, "index.json", 1, &c, err)))
		goto out;
	if (!c.n) {
		st = ms_fail(err, MS_BAD_INPUT, "index.json: no image manifest");
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		if (!c.d[i].has_platform) { /* the config says */
			struct ms_image tmp = { 0 };

			st = load_oci_image(s, &c.d[i], &tmp, err);
			snprintf(c.d[i].os, sizeof(c.d[i].os), "%s", tmp.os);
			snprintf(c.d[i].architecture, sizeof(c.d[i].architecture), "%s", tmp.architecture);
			snprintf(c.d[i].variant, sizeof(c.d[i].variant), "%s", tmp.variant);
			ms_image_free(&tmp);
			if (st)
				goto out;
			c.d[i].has_platform = true;
		}
		if (platform && platform_matches(&c.d[i], platform)) {
			pick = i;
			matches++;
		}
	}
	platform_list(&c, list, sizeof(list));
	if (platform && matches != 1) {
		st = ms_fail(err, MS_USAGE, "%s image for platform %s (the image has: %s)", matches ? "more than one" : "no",
			     platform, list);
		goto out;
	}
	if (!platform && c.n > 1) {
		st = ms_fail(err, MS_USAGE, "the index offers %zu images, one platform must be chosen: %s", c.n, list);
		goto out;
	}
	img->format = MS_IMAGE_OCI;
	st = load_oci_image(s, &c.d[pick], img, err);
out:
	free(c.d);
	free(c.seen);
	cJSON_Delete(layout);
	cJSON_Delete(index);
	return st;
}

/* "<64 hex>.json" or "blobs/sha256/<64 hex>": the digest a docker-archive config's name claims. */
static bool name_digest(const char *path, uint8_t out[MS_SHA256_LEN])
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char hex[65];

	if (strlen(base) < 64)
		return false;
	memcpy(hex, base, 64);
	hex[64] = '\0';
	if (strcmp(base + 64, "") && strcmp(base + 64, ".json"))
		return false;
	for (int i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return ms_hex_decode(hex, out, MS_SHA256_LEN, "name", NULL) == MS_OK;
}

static enum ms_status load_docker_image(struct store *s, const cJSON *entry, size_t index, struct ms_image *img,
					struct ms_err *err)
{
	const cJSON *cfg = get(entry, "Config"), *layers = get(entry, "Layers"), *tags = get(entry, "RepoTags");
	const cJSON *diff_ids = NULL, *l, *id;
	char what[48];
	cJSON *config = NULL;
	struct blob *b;
	uint8_t named[MS_SHA256_LEN];
	enum ms_status st;
	size_t n = 0, i;

	snprintf(what, sizeof(what), "manifest.json[%zu]", index);
	if (!cJSON_IsObject(entry)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: not an object", what);
		goto out;
	}
	if (!cJSON_IsString(cfg) || !cJSON_IsArray(layers) || (tags && !cJSON_IsNull(tags) && !cJSON_IsArray(tags))) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: Config (a string) and Layers (an array) are required", what);
		goto out;
	}
	for (l = layers->child; l; l = l->next)
		if (++n > MS_IMAGE_MAX_LAYERS || !cJSON_IsString(l)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: Layers has %s", what,
				     cJSON_IsString(l) ? "too many entries" : "an entry that is not a string");
			goto out;
		}
	if ((st = store_get(s, cfg->valuestring, &b, err)))
		goto out;
	if (!b) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: Config %.200s is missing", what, cfg->valuestring);
		goto out;
	}
	if (name_digest(cfg->valuestring, named) && memcmp(named, b->sha256, MS_SHA256_LEN)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: config %.200s does not hash to the digest its name carries", what,
			     cfg->valuestring);
		goto out;
	}
	if ((st = parse_json(b, "config", &config, err)) || (st = check_config(config, "config", img, &diff_ids, err)) ||
	    (st = keep_config(b, img, err)))
		goto out;
	memcpy(img->config_digest, b->sha256, MS_SHA256_LEN);
	img->config_size = b->size;
	if ((size_t)cJSON_GetArraySize(diff_ids) != n) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: %zu layers, the config lists %d diff_ids", what, n,
			     cJSON_GetArraySize(diff_ids));
		goto out;
	}
	if (n && !(img->layers = calloc(n, sizeof(*img->layers)))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	img->layer_count = n;
	for (i = 0, l = layers->child, id = diff_ids->child; l; l = l->next, id = id->next, i++) {
		if ((st = store_get(s, l->valuestring, &b, err)))
			goto out;
		if (!b) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: layer %.200s is missing", what, l->valuestring);
			goto out;
		}
		if ((st = check_layer(b, NULL, id, i, what, &img->layers[i], err)))
			goto out;
		memcpy(img->layers[i].digest, b->sha256, MS_SHA256_LEN);
		img->layers[i].size = b->size;
		if (!(img->layers[i].path = strdup(b->path))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
	img->format = MS_IMAGE_DOCKER_ARCHIVE;
out:
	cJSON_Delete(config);
	return st;
}

static enum ms_status read_docker(struct store *s, const struct blob *mb, const char *platform, struct ms_image *img,
				  struct ms_err *err)
{
	struct candidates c = { 0 };
	cJSON *j = NULL;
	const cJSON *e;
	enum ms_status st;
	size_t i = 0, pick = 0, matches = 0, *which = NULL;
	char list[300];

	if ((st = parse_json(mb, "manifest.json", &j, err)))
		goto out;
	if (!cJSON_IsArray(j) || !j->child) {
		st = ms_fail(err, MS_BAD_INPUT, "manifest.json: not a non-empty array");
		goto out;
	}
	for (e = j->child; e; e = e->next, i++) {
		struct ms_image tmp = { 0 };
		bool seen = false;

		if ((st = load_docker_image(s, e, i, &tmp, err))) {
			ms_image_free(&tmp);
			goto out;
		}
		for (size_t k = 0; k < c.n; k++)
			seen |= !memcmp(c.d[k].digest, tmp.config_digest, MS_SHA256_LEN);
		if (!seen) {
			struct desc *p = realloc(c.d, (c.n + 1) * sizeof(*p));
			size_t *w = realloc(which, (c.n + 1) * sizeof(*w));

			if (p)
				c.d = p;
			if (w)
				which = w;
			if (!p || !w) {
				ms_image_free(&tmp);
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
			memset(&c.d[c.n], 0, sizeof(c.d[c.n]));
			memcpy(c.d[c.n].digest, tmp.config_digest, MS_SHA256_LEN);
			memcpy(c.d[c.n].os, tmp.os, sizeof(tmp.os));
			memcpy(c.d[c.n].architecture, tmp.architecture, sizeof(tmp.architecture));
			memcpy(c.d[c.n].variant, tmp.variant, sizeof(tmp.variant));
			which[c.n++] = i;
			if (platform && platform_matches(&c.d[c.n - 1], platform)) {
				pick = c.n - 1;
				matches++;
			}
		}
		ms_image_free(&tmp);
	}
	platform_list(&c, list, sizeof(list));
	if (platform && matches != 1) {
		st = ms_fail(err, MS_USAGE, "%s image for platform %s (the archive has: %s)", matches ? "more than one" : "no",
			     platform, list);
		goto out;
	}
	if (!platform && c.n > 1) {
		st = ms_fail(err, MS_USAGE, "the archive holds %zu images, one platform must be chosen: %s", c.n, list);
		goto out;
	}
	st = load_docker_image(s, cJSON_GetArrayItem(j, (int)which[pick]), which[pick], img, err);
out:
	free(which);
	free(c.d);
	free(c.seen);
	cJSON_Delete(j);
	return st;
}

static enum ms_status read_store(struct store *s, const char *platform, struct ms_image *img, struct ms_err *err)
{
	struct blob *index, *manifest;
	enum ms_status st;

	if ((st = store_get(s, "index.json", &index, err)) || (st = store_get(s, "manifest.json", &manifest, err)))
		return st;
	if (index)
		return read_oci(s, platform, img, err);
	if (manifest)
		return read_docker(s, manifest, platform, img, err);
	return ms_fail(err, MS_BAD_INPUT,
		       "neither index.json (an OCI image layout) nor manifest.json (a docker-archive) is present");
}

/* ---- tar ---- */

/*
 * The outer stream: read raw (and hashed) by this callback, inflated here when
 * it starts with gzip's magic, so every byte libarchive sees of a compressed
 * tar, entry data, headers and the data of entries it skips alike, passes the
 * budget first. libarchive itself is given no decompression filter.
 */
struct tar_source {
	int fd;                /* -1: mem */
	const uint8_t *mem;
	size_t mem_len, mem_at;
	struct ms_hash hash;
	uint64_t total;
	bool decided, gzip, z_ready, z_member_ended, raw_eof, draining;
	z_stream z;
	struct store *s;
	uint8_t raw[65536], out[65536];
	size_t raw_len; /* bytes of raw read but not yet handed on (before the decision) */
};

static long source_raw(struct tar_source *src, uint8_t *buf, size_t len)
{
	long got;

	if (src->fd < 0) {
		size_t n = src->mem_len - src->mem_at < len ? src->mem_len - src->mem_at : len;

		memcpy(buf, src->mem + src->mem_at, n);
		src->mem_at += n;
		got = (long)n;
	} else if ((got = fd_read(&src->fd, buf, len)) < 0) {
		return -1;
	}
	if (src->hash.ctx)
		ms_hash_update(&src->hash, buf, (size_t)got);
	src->total += (uint64_t)got;
	return got;
}

/* Inflated bytes into src->out; 0 at the end, -1 with the error set on a. */
static la_ssize_t source_inflate(struct archive *a, struct tar_source *src)
{
	for (;;) {
		int r;
		size_t produced;

		if (!src->z.avail_in && !src->raw_eof) {
			long got = source_raw(src, src->raw, sizeof(src->raw));

			if (got < 0) {
				ms_la.set_error(a, errno, "read failed");
				return -1;
			}
			src->raw_eof = got == 0;
			src->z.next_in = src->raw;
			src->z.avail_in = (uInt)got;
		}
		if (src->z_member_ended) {
			if (!src->z.avail_in)
				return 0;
			if (src->z.next_in[0] != 0x1f) { /* not another member: what follows the gzip stream ends it */
				src->z.avail_in = 0;
				return 0;
			}
			if (inflateReset(&src->z) != Z_OK) {
				ms_la.set_error(a, EINVAL, "gzip: cannot reset");
				return -1;
			}
			src->z_member_ended = false;
		}
		src->z.next_out = src->out;
		src->z.avail_out = sizeof(src->out);
		r = inflate(&src->z, Z_NO_FLUSH);
		produced = sizeof(src->out) - src->z.avail_out;
		if (r == Z_STREAM_END)
			src->z_member_ended = true;
		else if (r == Z_BUF_ERROR && src->raw_eof && !produced) {
			ms_la.set_error(a, EINVAL, "gzip: truncated compressed stream");
			return -1;
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			ms_la.set_error(a, EINVAL, "gzip: corrupt compressed stream at offset 0x%llx",
					(unsigned long long)(src->total - src->z.avail_in));
			return -1;
		}
		if (produced) {
			if ((src->s->unpacked += produced) > src->s->max_unpacked) {
				src->s->outer_over_budget = true;
				ms_la.set_error(a, EFBIG, "decompressed data passes the budget of %llu bytes for the whole image",
						(unsigned long long)src->s->max_unpacked);
				return -1;
			}
			return (la_ssize_t)produced;
		}
	}
}

static la_ssize_t tar_read(struct archive *a, void *ctx, const void **out)
{
	struct tar_source *src = ctx;
	long got;

	if (!src->decided) { /* gather two bytes, however the input is split into reads */
		while (src->raw_len < 2) {
			if ((got = source_raw(src, src->raw + src->raw_len, sizeof(src->raw) - src->raw_len)) < 0) {
				ms_la.set_error(a, errno, "read failed");
				return -1;
			}
			if (!got)
				break;
			src->raw_len += (size_t)got;
		}
		src->decided = true;
		src->gzip = src->raw_len >= 2 && src->raw[0] == 0x1f && src->raw[1] == 0x8b;
		if (src->gzip) {
			if (inflateInit2(&src->z, 16 + MAX_WBITS) != Z_OK) {
				ms_la.set_error(a, ENOMEM, "out of memory");
				return -1;
			}
			src->z_ready = true;
			src->z.next_in = src->raw;
			src->z.avail_in = (uInt)src->raw_len;
			src->raw_len = 0;
		}
	}
	if (src->gzip && !src->draining) {
		*out = src->out;
		return source_inflate(a, src);
	}
	*out = src->raw;
	if (src->raw_len) {
		got = (long)src->raw_len;
		src->raw_len = 0;
		return got;
	}
	if ((got = source_raw(src, src->raw, sizeof(src->raw))) < 0) {
		ms_la.set_error(a, errno, "read failed");
		return -1;
	}
	return got;
}

static long entry_read(void *ctx, void *buf, size_t len)
{
	la_ssize_t got = ms_la.read_data(ctx, buf, len);

	return got < 0 ? -1 : (long)got;
}

static enum ms_status read_entries(struct archive *a, struct store *s, struct ms_err *err)
{
	struct archive_entry *e;
	enum ms_status st = MS_OK;
	size_t count = 0;
	char *path = NULL;
	int r;

	while ((r = ms_la.read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = ms_la.entry_pathname(e);
		const char *hardlink = ms_la.entry_hardlink(e);
		mode_t type = ms_la.entry_filetype(e);
		struct blob *b;

		free(path);
		path = NULL;
		if (++count > MS_IMAGE_MAX_ENTRIES) {
			st = ms_fail(err, MS_BAD_INPUT, "tar: more than %u entries", MS_IMAGE_MAX_ENTRIES);
			goto out;
		}
		if (!name || strlen(name) >= MS_IMAGE_MAX_PATH) {
			st = ms_fail(err, MS_BAD_INPUT, "tar: entry %zu has no name or one longer than %u bytes", count,
				     MS_IMAGE_MAX_PATH - 1);
			goto out;
		}
		if (!(path = strdup(name))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		if (!normalize_path(path)) {
			if (!strcmp(name, ".") || !strcmp(name, "./"))
				continue;
			st = ms_fail(err, MS_BAD_INPUT, "tar: entry \"%.200s\" is absolute or contains \"..\"", name);
			goto out;
		}
		if (type == AE_IFDIR)
			continue;
		if (!hardlink && type != AE_IFREG && type != AE_IFLNK) {
			st = ms_fail(err, MS_BAD_INPUT, "tar: entry \"%.200s\" is neither a file, a directory nor a link",
				     name);
			goto out;
		}
		if (!(b = store_add(s, path))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		if (hardlink) {
			if (!(b->link = strdup(hardlink)) || (strlen(hardlink) < MS_IMAGE_MAX_PATH && !normalize_path(b->link))) {
				st = b->link ? ms_fail(err, MS_BAD_INPUT, "tar: hard link \"%.200s\" names \"%.200s\", outside the archive", name, hardlink)
					     : ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
		} else if (type == AE_IFLNK) {
			const char *target = ms_la.entry_symlink(e);

			if (!target || !(b->link = resolve_symlink(path, target))) {
				st = ms_fail(err, MS_BAD_INPUT, "tar: symlink \"%.200s\" points outside the archive", name);
				goto out;
			}
		} else if ((st = hash_entry(s, b, entry_read, a, path, err))) {
			goto out;
		}
	}
	if (r != ARCHIVE_EOF && s->outer_over_budget) {
		st = ms_fail(err, MS_BAD_INPUT, "tar: decompressed data passes the budget of %llu bytes for the whole "
			     "image after entry %zu", (unsigned long long)s->max_unpacked, count);
		goto out;
	}
	if (r != ARCHIVE_EOF) {
		st = ms_fail(err, MS_BAD_INPUT, "tar: %s after entry %zu", ms_la.error_string(a) ? ms_la.error_string(a) : "unreadable",
			     count);
		goto out;
	}
	qsort(s->blobs, s->n, sizeof(*s->blobs), cmp_blob);
	s->sorted = true;
	for (size_t i = 0; i < s->n; i++) {
		struct blob *b;

		if (i + 1 < s->n && !strcmp(s->blobs[i].path, s->blobs[i + 1].path)) {
			st = ms_fail(err, MS_BAD_INPUT, "tar: \"%.200s\" appears twice", s->blobs[i].path);
			goto out;
		}
		if (s->blobs[i].link) {
			if ((st = store_get(s, s->blobs[i].path, &b, err)))
				goto out;
			if (!b) {
				st = ms_fail(err, MS_BAD_INPUT, "tar: link \"%.200s\" names \"%.200s\", which is not in the archive",
					     s->blobs[i].path, s->blobs[i].link);
				goto out;
			}
		}
	}
out:
	free(path);
	return st;
}

static struct archive *tar_new(void)
{
	struct archive *a = ms_la.read_new();

	if (a && ms_la.read_support_format_tar(a) != ARCHIVE_OK) {
		ms_la.read_free(a);
		return NULL;
	}
	return a;
}

/* No filter but none: tar_read does any decompression, inside the budget. */
static enum ms_status outer_filter(struct archive *a, struct ms_err *err)
{
	int n = ms_la.filter_count(a);

	for (int i = 0; i < n; i++)
		if (ms_la.filter_code(a, i) != ARCHIVE_FILTER_NONE)
			return ms_fail(err, MS_UNSUPPORTED, "tar: libarchive applies filter %d to the archive "
				       "(only an uncompressed or gzip-compressed tar is supported)", ms_la.filter_code(a, i));
	return MS_OK;
}

static void source_free(struct tar_source *src)
{
	if (!src)
		return;
	if (src->z_ready)
		inflateEnd(&src->z);
	ms_hash_free(&src->hash);
	free(src);
}

static enum ms_status finish(struct store *s, const char *platform, struct ms_image *img, enum ms_status st,
			     struct ms_err *err)
{
	if (st == MS_OK)
		st = read_store(s, platform, img, err);
	if (st != MS_OK)
		ms_image_free(img);
	store_free(s);
	return st;
}

static uint64_t budget(uint64_t max_unpacked)
{
	return max_unpacked ? max_unpacked : MS_IMAGE_DEFAULT_MAX_UNPACKED;
}

enum ms_status ms_image_read_tar(int fd, const char *platform, uint64_t max_unpacked, struct ms_image *img,
				 struct ms_err *err)
{
	struct store s = { .dirfd = -1, .max_unpacked = budget(max_unpacked) };
	struct tar_source *src = NULL;
	struct archive *a = NULL;
	enum ms_status st;

	memset(img, 0, sizeof(*img));
	if ((st = ms_libarchive_load(err)))
		return st;
	src = calloc(1, sizeof(*src));
	a = tar_new();
	if (!src || !a) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	src->fd = fd;
	src->s = &s;
	if ((st = ms_hash_init(&src->hash, MS_SHA256))) {
		st = ms_fail(err, st, "cannot hash");
		goto out;
	}
	if (ms_la.read_open(a, src, NULL, tar_read, NULL) != ARCHIVE_OK) {
		st = ms_fail(err, MS_BAD_INPUT, "tar: %s", ms_la.error_string(a) ? ms_la.error_string(a) : "unreadable");
		goto out;
	}
	if ((st = outer_filter(a, err)) || (st = read_entries(a, &s, err)))
		goto out;
	src->draining = true;
	for (;;) { /* the input's digest covers what follows the end-of-archive blocks too */
		const void *p;
		la_ssize_t got = tar_read(a, src, &p);

		if (got < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "tar: read failed after the last entry");
			goto out;
		}
		if (!got)
			break;
	}
	ms_hash_final(&src->hash, img->input_sha256);
	img->input_size = src->total;
	img->has_input_digest = true;
out:
	st = finish(&s, platform, img, st, err);
	source_free(src);
	if (a)
		ms_la.read_free(a);
	return st;
}

enum ms_status ms_image_read_tar_memory(const void *data, size_t len, const char *platform, struct ms_image *img,
					struct ms_err *err)
{
	struct store s = { .dirfd = -1, .max_unpacked = MS_IMAGE_DEFAULT_MAX_UNPACKED };
	struct tar_source *src = NULL;
	struct archive *a = NULL;
	enum ms_status st;

	memset(img, 0, sizeof(*img));
	if ((st = ms_libarchive_load(err)))
		return st;
	src = calloc(1, sizeof(*src));
	a = tar_new();
	if (!src || !a) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	src->fd = -1;
	src->mem = data;
	src->mem_len = len;
	src->s = &s;
	if (ms_la.read_open(a, src, NULL, tar_read, NULL) != ARCHIVE_OK) {
		st = ms_fail(err, MS_BAD_INPUT, "tar: %s", ms_la.error_string(a) ? ms_la.error_string(a) : "unreadable");
		goto out;
	}
	if (!(st = outer_filter(a, err)))
		st = read_entries(a, &s, err);
out:
	st = finish(&s, platform, img, st, err);
	source_free(src);
	if (a)
		ms_la.read_free(a);
	return st;
}

enum ms_status ms_image_read_dir(int dirfd, const char *platform, uint64_t max_unpacked, struct ms_image *img,
				 struct ms_err *err)
{
	struct store s = { .dirfd = dirfd, .max_unpacked = budget(max_unpacked) };

	memset(img, 0, sizeof(*img));
	return finish(&s, platform, img, MS_OK, err);
}

void ms_image_free(struct ms_image *img)
{
	for (size_t i = 0; img->layers && i < img->layer_count; i++)
		free(img->layers[i].path);
	free(img->layers);
	free(img->config);
	memset(img, 0, sizeof(*img));
}

enum ms_status ms_image_check_json(const char *kind, const uint8_t *data, size_t len, struct ms_err *err)
{
	struct ms_image img = { 0 };
	struct candidates c = { 0 };
	struct store s = { .dirfd = -1 };
	const cJSON *diff_ids;
	cJSON *j = NULL;
	enum ms_status st;

	if (len > MS_IMAGE_MAX_JSON)
		return ms_fail(err, MS_BAD_INPUT, "%s: larger than %u MiB", kind, MS_IMAGE_MAX_JSON >> 20);
	if ((st = ms_json_parse_strict((const char *)data, len, kind, &j, err)))
		goto out;
	if (!strcmp(kind, "index")) {
		st = collect(&s, j, kind, MS_IMAGE_MAX_INDEX_DEPTH, &c, err);
	} else if (!strcmp(kind, "config")) {
		st = check_config(j, kind, &img, &diff_ids, err);
	} else if (!strcmp(kind, "manifest")) {
		struct desc d;
		const cJSON *layers = get(j, "layers");
		size_t i = 0;

		if ((st = check_schema_version(j, kind, err)) || (st = parse_descriptor(get(j, "config"), kind, "config", &d, err)))
			goto out;
		if (!cJSON_IsArray(layers)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: layers is not an array", kind);
			goto out;
		}
		for (const cJSON *l = layers->child; l && !st; l = l->next, i++)
			st = parse_descriptor(l, kind, "layers[]", &d, err);
	} else if (!strcmp(kind, "docker-manifest")) {
		size_t i = 0;

		if (!cJSON_IsArray(j)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: not an array", kind);
			goto out;
		}
		for (const cJSON *e = j->child; e && !st; e = e->next, i++) {
			const cJSON *cfg = get(e, "Config"), *layers = get(e, "Layers");

			if (!cJSON_IsString(cfg) || !cJSON_IsArray(layers))
				st = ms_fail(err, MS_BAD_INPUT, "%s[%zu]: Config (a string) and Layers (an array) are required",
					     kind, i);
			for (const cJSON *l = cJSON_IsArray(layers) ? layers->child : NULL; l && !st; l = l->next)
				if (!cJSON_IsString(l))
					st = ms_fail(err, MS_BAD_INPUT, "%s[%zu]: Layers has an entry that is not a string", kind, i);
		}
	} else {
		st = ms_fail(err, MS_USAGE, "unknown document kind \"%s\"", kind);
	}
out:
	free(c.d);
	free(c.seen);
	cJSON_Delete(j);
	ms_image_free(&img);
	return st;
}
