/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nitro-cli's ramdisks without docker or linuxkit. The customer ramdisk is
 * built in three steps with bounded memory: every layer is read once for its
 * structure (a tree of paths and attributes, no contents), the cpio headers
 * are laid out in `docker export` order and written at their final offsets,
 * then every layer is read again and each file that survives in the tree has
 * its contents written into the hole left for it. Layer blobs are hashed on
 * both reads and must equal their (already verified) descriptors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/file.h"
#include "../common/json_strict.h"
#include "libarchive.h"
#include "ramdisk.h"

#define NONE UINT32_MAX
#define CPIO_FIRST_INO 0x2d1u

static const char hosts_text[] = "127.0.0.1       localhost\n"
				 "::1     localhost ip6-localhost ip6-loopback\n"
				 "fe00::0 ip6-localnet\n"
				 "ff00::0 ip6-mcastprefix\n"
				 "ff02::1 ip6-allnodes\n"
				 "ff02::2 ip6-allrouters\n";
static const char resolv_target[] = "/run/resolvconf/resolv.conf";

enum ntype { N_DIR, N_REG, N_LNK, N_CHR, N_BLK, N_FIFO };

struct node {
	char *path; /* "" for the root; no trailing "/" */
	char *link; /* a symlink's target */
	uint32_t parent, first_child, next_sibling, inode;
	uint32_t mode; /* permission bits incl. suid/sgid/sticky */
	uint32_t rdevmajor, rdevminor;
	int64_t uid, gid, mtime;
	uint8_t type;
	bool alive, implicit;
	/*
	 * Liveness is lazy, so an opaque marker or a whiteout costs O(1) however
	 * much lies below: a node is live when it and every ancestor have alive
	 * set and each was born after its parent's cut. born: the sequence number
	 * of its last (re)creation; cut: of the last opaque marker for it, or of
	 * its own (re)creation (what was below it before is gone).
	 */
	uint64_t born, cut;
};

struct inode {
	uint32_t layer;
	uint64_t ordinal; /* the entry's index in its layer */
	uint64_t size;
	uint64_t data_off;
	bool emitted;
};

struct tree {
	struct node *n;
	uint32_t count, cap;
	size_t name_bytes; /* of every node's path: bounded by MS_RAMDISK_MAX_NAME_BYTES */
	uint32_t *hash; /* open addressing: node indices, NONE empty */
	uint32_t hash_cap;
	uint64_t hash_key[2]; /* SipHash key, random */
	struct inode *ino;
	uint32_t ino_count, ino_cap;
	uint64_t seq; /* born and cut stamps */
	uint64_t unpacked, max_unpacked; /* the gzip layers' tar streams, as their headers tell (pass 1) */
	/* a tar image, plain: the input, or a compressed one inflated once into an unnamed temporary file */
	int outer_fd;
	bool outer_owned;
	int64_t *layer_at; /* where each layer's tar header starts in it */
};

/* ---- the tree ---- */

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1], v[1] = ROTL64(v[1], 13), v[1] ^= v[0], v[0] = ROTL64(v[0], 32);
	v[2] += v[3], v[3] = ROTL64(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = ROTL64(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = ROTL64(v[1], 17), v[1] ^= v[2], v[2] = ROTL64(v[2], 32);
}

/* SipHash-2-4 of len bytes under a 128-bit key (Aumasson and Bernstein). */
static uint64_t siphash24(const uint64_t key[2], const uint8_t *p, size_t len)
{
	uint64_t v[4] = { key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
			  key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull };
	uint64_t m, last = (uint64_t)len << 56;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		m = 0;
		for (int b = 7; b >= 0; b--)
			m = m << 8 | p[i + (size_t)b];
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (size_t b = 0; i + b < len; b++)
		last |= (uint64_t)p[i + b] << (8 * b);
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Keyed with a random key per tree, so names cannot be chosen to collide in the linear-probing table. */
static uint64_t hash_path(const struct tree *t, const char *p)
{
	return siphash24(t->hash_key, (const uint8_t *)p, strlen(p));
}

static uint32_t tree_find(const struct tree *t, const char *path)
{
	if (!t->hash_cap)
		return NONE;
	for (uint64_t i = hash_path(t, path) & (t->hash_cap - 1);; i = (i + 1) & (t->hash_cap - 1)) {
		uint32_t k = t->hash[i];

		if (k == NONE || !strcmp(t->n[k].path, path))
			return k;
	}
}

static bool hash_insert(struct tree *t, uint32_t k)
{
	if (2 * (t->count + 1) > t->hash_cap) {
		uint32_t cap = t->hash_cap ? 2 * t->hash_cap : 1024, *h = malloc(cap * sizeof(*h));

		if (!h)
			return false;
		memset(h, 0xff, cap * sizeof(*h));
		for (uint32_t i = 0; i < t->hash_cap; i++) {
			uint32_t v = t->hash[i];
			uint64_t j;

			if (v == NONE)
				continue;
			for (j = hash_path(t, t->n[v].path) & (cap - 1); h[j] != NONE; j = (j + 1) & (cap - 1))
				;
			h[j] = v;
		}
		free(t->hash);
		t->hash = h;
		t->hash_cap = cap;
	}
	{
		uint64_t j;

		for (j = hash_path(t, t->n[k].path) & (t->hash_cap - 1); t->hash[j] != NONE; j = (j + 1) & (t->hash_cap - 1))
			;
		t->hash[j] = k;
	}
	return true;
}

static enum ms_status tree_new_node(struct tree *t, const char *path, uint32_t parent, uint32_t *out,
				    struct ms_err *err)
{
	struct node *x;

	if (t->count >= MS_RAMDISK_MAX_NODES)
		return ms_fail(err, MS_BAD_INPUT, "image: more than %u paths in the flattened file system",
			       MS_RAMDISK_MAX_NODES);
	t->name_bytes += strlen(path) + 1;
	if (t->name_bytes > MS_RAMDISK_MAX_NAME_BYTES)
		return ms_fail(err, MS_BAD_INPUT, "image: the paths and link targets of the flattened file system add up to more than %u MiB",
			       MS_RAMDISK_MAX_NAME_BYTES >> 20);
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 1024;
		struct node *p = realloc(t->n, cap * sizeof(*p));

		if (!p)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		t->n = p;
		t->cap = cap;
	}
	x = &t->n[t->count];
	memset(x, 0, sizeof(*x));
	x->parent = parent;
	x->first_child = x->next_sibling = x->inode = NONE;
	if (!(x->path = strdup(path)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!hash_insert(t, t->count)) {
		free(x->path);
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	}
	if (parent != NONE) {
		x->next_sibling = t->n[parent].first_child;
		t->n[parent].first_child = t->count;
	}
	*out = t->count++;
	return MS_OK;
}

/* Whatever is below k goes with it, lazily (tree_live). */
static void tree_kill(struct tree *t, uint32_t k)
{
	struct node *x = &t->n[k];

	x->alive = false;
	if (x->link) {
		t->name_bytes -= strlen(x->link) + 1;
		free(x->link);
		x->link = NULL;
	}
}

/* k (re)created now: what was below it before is not its child any more. */
static void tree_revive(struct tree *t, uint32_t k)
{
	t->n[k].alive = true;
	t->n[k].born = t->n[k].cut = ++t->seq;
}

/* child of a live parent */
static bool live_below(const struct tree *t, uint32_t parent, uint32_t child)
{
	return t->n[child].alive && t->n[child].born > t->n[parent].cut;
}

/* O(depth): k and its ancestors alive, each born after its parent's last cut. */
static bool tree_live(const struct tree *t, uint32_t k)
{
	for (uint32_t p; (p = t->n[k].parent) != NONE; k = p)
		if (!live_below(t, p, k))
			return false;
	return t->n[k].alive;
}

/* Makes alive exact for every node in one pass (a parent comes before its children in t->n). */
static void tree_prune(struct tree *t)
{
	for (uint32_t i = 0; i < t->count; i++) {
		uint32_t p = t->n[i].parent;

		if (p != NONE && t->n[i].alive && !(t->n[p].alive && live_below(t, p, i)))
			tree_kill(t, i);
	}
}

static void tree_free(struct tree *t)
{
	for (uint32_t i = 0; i < t->count; i++) {
		free(t->n[i].path);
		free(t->n[i].link);
	}
	free(t->n);
	free(t->hash);
	free(t->ino);
	if (t->outer_owned)
		close(t->outer_fd);
	free(t->layer_at);
	memset(t, 0, sizeof(*t));
}

static enum ms_status new_inode(struct tree *t, uint32_t layer, uint64_t ordinal, uint64_t size, uint32_t *out,
				struct ms_err *err)
{
	if (t->ino_count == t->ino_cap) {
		uint32_t cap = t->ino_cap ? 2 * t->ino_cap : 1024;
		struct inode *p = realloc(t->ino, cap * sizeof(*p));

		if (!p)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		t->ino = p;
		t->ino_cap = cap;
	}
	t->ino[t->ino_count] = (struct inode){ .layer = layer, .ordinal = ordinal, .size = size };
	*out = t->ino_count++;
	return MS_OK;
}

/* The live directory at path, creating missing ones (implicit); entries below a symlink or a file are refused. */
static enum ms_status tree_parent(struct tree *t, const char *path, const char *entry, const char *what, uint32_t *out,
				  struct ms_err *err)
{
	char buf[MS_IMAGE_MAX_PATH];
	uint32_t cur = 0;
	size_t len = strlen(path);
	enum ms_status st;

	for (size_t i = 0; i <= len; i++) {
		uint32_t k;

		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		k = tree_find(t, buf);
		if (k != NONE && (k == cur ? t->n[k].alive : live_below(t, cur, k))) {
			if (t->n[k].type == N_LNK)
				return ms_fail(err, MS_BAD_INPUT, "%s: \"%.200s\" is below the symlink \"%.200s\"", what, entry,
					       buf);
			if (t->n[k].type != N_DIR)
				return ms_fail(err, MS_BAD_INPUT, "%s: \"%.200s\" is below \"%.200s\", which is not a directory",
					       what, entry, buf);
		} else {
			if (k == NONE && (st = tree_new_node(t, buf, cur, &k, err)))
				return st;
			tree_kill(t, k);
			tree_revive(t, k);
			t->n[k].implicit = true;
			t->n[k].type = N_DIR;
			t->n[k].mode = 0755;
			t->n[k].uid = t->n[k].gid = t->n[k].mtime = 0;
		}
		cur = k;
	}
	*out = cur;
	return MS_OK;
}

/* ---- names ---- */

/* Strips "./" prefixes and trailing "/"; false for absolute names, "..", "." or empty components. */
static bool clean_name(char *p)
{
	size_t n;
	const char *c;

	while (p[0] == '.' && p[1] == '/') {
		size_t rest = strlen(p + 2);

		memmove(p, p + 2, rest + 1);
		while (p[0] == '/')
			memmove(p, p + 1, strlen(p));
	}
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	if (!strcmp(p, "."))
		p[n = 0] = '\0';
	if (p[0] == '/')
		return false;
	for (c = p; n && *c;) {
		const char *e = strchr(c, '/');
		size_t l = e ? (size_t)(e - c) : strlen(c);

		if (l == 0 || (l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += l + (e ? 1 : 0);
	}
	return true;
}

/* A relative symlink target that climbs above the root from its directory. */
static bool symlink_escapes(const char *path, const char *target)
{
	long depth = 0;
	const char *c;

	if (target[0] == '/')
		return false;
	for (c = path; (c = strchr(c, '/')); c++)
		depth++;
	for (c = target; *c;) {
		const char *e = strchr(c, '/');
		size_t l = e ? (size_t)(e - c) : strlen(c);

		if (l == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (l && !(l == 1 && c[0] == '.')) {
			depth++;
		}
		c += l + (e ? 1 : 0);
	}
	return false;
}

/* ---- reading a layer ---- */

struct layer_stream {
	const struct ms_image_layer *layer;
	struct archive *outer, *inner;
	int fd;
	bool from_outer;
	struct ms_hash hash;
	uint64_t total;
	uint8_t buf[65536], outer_buf[65536], data_buf[65536];
};

static la_ssize_t outer_read(struct archive *a, void *ctx, const void **out)
{
	struct layer_stream *ls = ctx;
	ssize_t got;

	do
		got = read(ls->fd, ls->outer_buf, sizeof(ls->outer_buf));
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		ms_la.set_error(a, errno, "read failed");
		return -1;
	}
	*out = ls->outer_buf;
	return got;
}

static la_ssize_t layer_read(struct archive *a, void *ctx, const void **out)
{
	struct layer_stream *ls = ctx;
	la_ssize_t got;

	if (ls->from_outer) {
		got = ms_la.read_data(ls->outer, ls->buf, sizeof(ls->buf));
	} else {
		do
			got = read(ls->fd, ls->buf, sizeof(ls->buf));
		while (got < 0 && errno == EINTR);
	}
	if (got < 0) {
		if (a)
			ms_la.set_error(a, EIO, "read failed");
		return -1;
	}
	ms_hash_update(&ls->hash, ls->buf, (size_t)got);
	ls->total += (uint64_t)got;
	*out = ls->buf;
	return got;
}

/* A tar reader applying gzip only when asked: what a layer's media type declares, never a guess. */
static struct archive *tar_reader(bool gzip)
{
	struct archive *a = ms_la.read_new();

	if (a && (ms_la.read_support_format_tar(a) != ARCHIVE_OK ||
		  (gzip && ms_la.read_support_filter_gzip(a) != ARCHIVE_OK))) {
		ms_la.read_free(a);
		return NULL;
	}
	return a;
}

static la_int64_t outer_skip(struct archive *a, void *ctx, la_int64_t request)
{
	struct layer_stream *ls = ctx;

	(void)a;
	if (request < 0 || lseek(ls->fd, request, SEEK_CUR) < 0)
		return 0; /* libarchive reads instead */
	return request;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void layer_close(struct layer_stream *ls)
{
	if (ls->inner)
		ms_la.read_free(ls->inner);
	if (ls->outer)
		ms_la.read_free(ls->outer);
	if (!ls->from_outer && ls->fd >= 0)
		close(ls->fd);
	ms_hash_free(&ls->hash);
	free(ls);
}

static bool entry_is(struct archive_entry *e, const char *path)
{
	char name[MS_IMAGE_MAX_PATH];
	const char *p = ms_la.entry_pathname(e);

	if (!p || strlen(p) >= sizeof(name))
		return false;
	snprintf(name, sizeof(name), "%s", p);
	return clean_name(name) && !strcmp(name, path) && ms_la.entry_filetype(e) == AE_IFREG;
}

static enum ms_status layer_open(const struct tree *t, const struct ms_image_source *src,
				 const struct ms_image_layer *layer, size_t index, struct layer_stream **out,
				 struct ms_err *err)
{
	struct layer_stream *ls = calloc(1, sizeof(*ls));
	bool gzip = !strcmp(layer->compression, "gzip");
	enum ms_status st = MS_OK;

	*out = NULL;
	if (!ls)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	ls->fd = -1;
	ls->layer = layer;
	if ((st = ms_hash_init(&ls->hash, MS_SHA256))) {
		st = ms_fail(err, st, "layer %zu: cannot hash", index);
		goto out;
	}
	if (!gzip && strcmp(layer->compression, "none")) {
		st = ms_fail(err, MS_UNSUPPORTED, "layer %zu: %s: compression %s is not supported", index, layer->path,
			     layer->compression);
		goto out;
	}
	if (src->dirfd >= 0) {
		if ((ls->fd = ms_image_open_beneath(src->dirfd, layer->path)) < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "layer %zu: %s: %s", index, layer->path, ms_open_error(errno));
			goto out;
		}
	} else {
		struct archive_entry *e;
		int r;

		ls->fd = t->outer_fd;
		ls->from_outer = true;
		if (t->layer_at[index] < 0 || lseek(ls->fd, t->layer_at[index], SEEK_SET) != t->layer_at[index]) {
			st = ms_fail(err, MS_BAD_INPUT, "layer %zu: %s is no longer in the image", index, layer->path);
			goto out;
		}
		if (!(ls->outer = tar_reader(false))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		if (ms_la.read_open(ls->outer, ls, NULL, outer_read, NULL) != ARCHIVE_OK) {
			st = ms_fail(err, MS_BAD_INPUT, "image: tar: %s", ms_la.error_string(ls->outer));
			goto out;
		}
		r = ms_la.read_next_header(ls->outer, &e);
		if ((r != ARCHIVE_OK && r != ARCHIVE_WARN) || !entry_is(e, layer->path)) {
			st = ms_fail(err, MS_BAD_INPUT, "layer %zu: %s is no longer in the image", index, layer->path);
			goto out;
		}
	}
	if (!(ls->inner = tar_reader(gzip))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (ms_la.read_open(ls->inner, ls, NULL, layer_read, NULL) != ARCHIVE_OK) {
		st = ms_fail(err, MS_BAD_INPUT, "layer %zu: tar: %s", index, ms_la.error_string(ls->inner));
		goto out;
	}
	if (ms_la.filter_count(ls->inner) != (gzip ? 2 : 1) ||
	    ms_la.filter_code(ls->inner, 0) != (gzip ? ARCHIVE_FILTER_GZIP : ARCHIVE_FILTER_NONE)) {
		st = ms_fail(err, MS_BAD_INPUT, "layer %zu: %s: its bytes are not the %s tar its media type declares", index,
			     layer->path, gzip ? "gzip-compressed" : "uncompressed");
		goto out;
	}
	*out = ls;
	ls = NULL;
out:
	if (ls)
		layer_close(ls);
	return st;
}

/* Inflates the gzip tar src->tarfd into t->outer_fd, every byte against the budget. */
static enum ms_status outer_inflate(struct tree *t, const struct ms_image_source *src, struct ms_err *err)
{
	static uint8_t in[65536], outb[65536];
	z_stream z = { 0 };
	bool member_ended = false;
	uint64_t total = 0;
	enum ms_status st = MS_OK;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (lseek(src->tarfd, 0, SEEK_SET) != 0) {
		st = ms_fail(err, MS_BAD_INPUT, "image: cannot seek back to its start (a pipe?)");
		goto out;
	}
	for (;;) {
		size_t produced;
		int zr;

		if (!z.avail_in) {
			ssize_t got;

			do
				got = read(src->tarfd, in, sizeof(in));
			while (got < 0 && errno == EINTR);
			if (got < 0) {
				st = ms_fail(err, MS_BAD_INPUT, "image: read failed (inflated 0x%llx bytes)",
					     (unsigned long long)total);
				goto out;
			}
			if (!got) {
				if (!member_ended)
					st = ms_fail(err, MS_BAD_INPUT, "image: the gzip stream is truncated");
				goto out;
			}
			z.next_in = in;
			z.avail_in = (uInt)got;
		}
		if (member_ended) {
			if (z.next_in[0] != 0x1f)
				goto out; /* what follows the gzip stream ends it, as when the image was read */
			if (inflateReset(&z) != Z_OK) {
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
			member_ended = false;
		}
		z.next_out = outb;
		z.avail_out = sizeof(outb);
		zr = inflate(&z, Z_NO_FLUSH);
		produced = sizeof(outb) - z.avail_out;
		if (zr == Z_STREAM_END) {
			member_ended = true;
		} else if (zr != Z_OK && !(zr == Z_BUF_ERROR && produced)) {
			st = ms_fail(err, MS_BAD_INPUT, "image: the gzip stream is corrupt (inflated 0x%llx bytes)",
				     (unsigned long long)total);
			goto out;
		}
		if (produced > t->max_unpacked - t->unpacked) {
			st = ms_fail(err, MS_BAD_INPUT, "image: the compressed tar inflates to more than %llu bytes, the budget "
				     "for decompressed data", (unsigned long long)t->max_unpacked);
			goto out;
		}
		t->unpacked += produced;
		total += produced;
		if (produced && write_all(t->outer_fd, outb, produced) != 0) {
			st = ms_fail(err, MS_BAD_INPUT, "image: cannot write the inflated tar to a temporary file: %s",
				     strerror(errno));
			goto out;
		}
	}
out:
	inflateEnd(&z);
	return st;
}

/*
 * A tar image made plain and indexed, once: a gzip-compressed one is inflated
 * into an unnamed temporary file, every byte counted against the budget, so
 * that opening a layer is a seek to its header, not inflating the archive
 * from its start again (N layers would cost N times the archive, per pass).
 */
static enum ms_status outer_prepare(struct tree *t, const struct ms_image_source *src, const struct ms_image *img,
				    struct ms_err *err)
{
	struct layer_stream *ls = NULL;
	struct archive *a = NULL;
	struct archive_entry *e;
	uint8_t magic[2];
	enum ms_status st = MS_OK;
	size_t left = img->layer_count;
	int r;

	t->outer_fd = src->tarfd;
	if (img->layer_count && !(t->layer_at = malloc(img->layer_count * sizeof(*t->layer_at))))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < img->layer_count; i++)
		t->layer_at[i] = -1;
	if (pread(src->tarfd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		FILE *f = tmpfile();

		if (!f || (t->outer_fd = dup(fileno(f))) < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "image: cannot create a temporary file to inflate the tar into: %s",
				     strerror(errno));
			if (f)
				fclose(f);
			goto out;
		}
		fclose(f);
		t->outer_owned = true;
		if ((st = outer_inflate(t, src, err)))
			goto out;
	}
	if (!(ls = calloc(1, sizeof(*ls))) || !(a = tar_reader(false))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	ls->fd = t->outer_fd;
	if (lseek(ls->fd, 0, SEEK_SET) != 0 || ms_la.read_open2(a, ls, NULL, outer_read, outer_skip, NULL) != ARCHIVE_OK) {
		st = ms_fail(err, MS_BAD_INPUT, "image: tar: %s", ms_la.error_string(a) ? ms_la.error_string(a) : "cannot seek");
		goto out;
	}
	while (left && ((r = ms_la.read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		la_int64_t at = ms_la.read_header_position(a);

		for (size_t i = 0; i < img->layer_count; i++)
			if (t->layer_at[i] < 0 && entry_is(e, img->layers[i].path)) {
				t->layer_at[i] = at;
				left--;
			}
	}
out:
	if (a)
		ms_la.read_free(a);
	free(ls);
	return st;
}

/* Reads what is left of the blob and checks it is the one the manifest names. */
static enum ms_status layer_finish(struct layer_stream *ls, size_t index, struct ms_err *err)
{
	uint8_t d[MS_SHA256_LEN];
	const void *p;
	la_ssize_t got;

	while ((got = layer_read(NULL, ls, &p)) > 0)
		;
	if (got < 0)
		return ms_fail(err, MS_BAD_INPUT, "layer %zu: read failed at offset 0x%llx", index,
			       (unsigned long long)ls->total);
	ms_hash_final(&ls->hash, d);
	if (ls->total != ls->layer->size || memcmp(d, ls->layer->digest, MS_SHA256_LEN))
		return ms_fail(err, MS_BAD_INPUT, "layer %zu: %s changed since it was verified", index, ls->layer->path);
	return MS_OK;
}

/* ---- pass 1: the tree ---- */

enum kind { K_REG, K_DIR, K_LNK, K_HARD, K_CHR, K_BLK, K_FIFO, K_WHITEOUT, K_OPAQUE, K_SKIP };

struct lentry {
	char *path, *link;
	uint64_t ordinal, size;
	int64_t uid, gid, mtime;
	uint32_t mode, rdevmajor, rdevminor;
	uint8_t kind;
};

static void lentries_free(struct lentry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].link);
	}
	free(v);
}

static enum ms_status read_header(struct archive_entry *e, uint64_t ordinal, const char *what, struct lentry *le,
				  struct ms_err *err)
{
	const char *name = ms_la.entry_pathname(e), *hard = ms_la.entry_hardlink(e), *base;
	mode_t type = ms_la.entry_filetype(e);
	char buf[MS_IMAGE_MAX_PATH];

	memset(le, 0, sizeof(*le));
	le->ordinal = ordinal;
	if (!name || strlen(name) >= MS_IMAGE_MAX_PATH)
		return ms_fail(err, MS_BAD_INPUT, "%s: entry %llu has no name or one longer than %u bytes", what,
			       (unsigned long long)ordinal, MS_IMAGE_MAX_PATH - 1);
	snprintf(buf, sizeof(buf), "%s", name);
	if (!clean_name(buf))
		return ms_fail(err, MS_BAD_INPUT, "%s: entry \"%.200s\" is absolute or contains \"..\"", what, name);
	le->mode = (uint32_t)ms_la.entry_mode(e) & 07777;
	le->uid = ms_la.entry_uid(e);
	le->gid = ms_la.entry_gid(e);
	le->mtime = (int64_t)ms_la.entry_mtime(e);
	le->size = (uint64_t)ms_la.entry_size(e);
	base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	if (!buf[0]) {
		le->kind = K_SKIP; /* the root itself */
	} else if (!strcmp(base, ".wh..wh..opq")) {
		le->kind = K_OPAQUE;
		*(base == buf ? buf : (char *)base - 1) = '\0';
	} else if (!strncmp(base, ".wh..wh.", 8)) {
		le->kind = K_SKIP; /* aufs bookkeeping */
	} else if (!strncmp(base, ".wh.", 4)) {
		if (!base[4])
			return ms_fail(err, MS_BAD_INPUT, "%s: entry \"%.200s\": a whiteout that names no file", what, name);
		le->kind = K_WHITEOUT;
		memmove((char *)base, base + 4, strlen(base + 4) + 1);
	} else if (hard) {
		char tb[MS_IMAGE_MAX_PATH];

		if (strlen(hard) >= sizeof(tb))
			return ms_fail(err, MS_BAD_INPUT, "%s: hard link \"%.200s\": target name too long", what, name);
		snprintf(tb, sizeof(tb), "%s", hard);
		if (!clean_name(tb) || !tb[0])
			return ms_fail(err, MS_BAD_INPUT, "%s: hard link \"%.200s\" names \"%.200s\", outside the image", what,
				       name, hard);
		le->kind = K_HARD;
		if (!(le->link = strdup(tb)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
	} else {
		switch (type) {
		case AE_IFREG: le->kind = K_REG; break;
		case AE_IFDIR: le->kind = K_DIR; break;
		case AE_IFCHR: le->kind = K_CHR; break;
		case AE_IFBLK: le->kind = K_BLK; break;
		case AE_IFIFO: le->kind = K_FIFO; break;
		case AE_IFLNK: {
			const char *target = ms_la.entry_symlink(e);

			if (!target || strlen(target) >= MS_IMAGE_MAX_PATH)
				return ms_fail(err, MS_BAD_INPUT, "%s: symlink \"%.200s\" has no target or one too long", what,
					       name);
			if (symlink_escapes(buf, target))
				return ms_fail(err, MS_BAD_INPUT, "%s: symlink \"%.200s\" -> \"%.200s\" climbs out of the root",
					       what, name, target);
			le->kind = K_LNK;
			if (!(le->link = strdup(target)))
				return ms_fail(err, MS_NO_MEMORY, "out of memory");
			break;
		}
		default:
			return ms_fail(err, MS_BAD_INPUT, "%s: entry \"%.200s\" is a socket or of an unknown type", what, name);
		}
		if (type == AE_IFCHR || type == AE_IFBLK) {
			le->rdevmajor = (uint32_t)ms_la.entry_rdevmajor(e);
			le->rdevminor = (uint32_t)ms_la.entry_rdevminor(e);
		}
	}
	if (!(le->path = strdup(buf)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	return MS_OK;
}

static void whiteout(struct tree *t, const char *path)
{
	uint32_t k = tree_find(t, path);

	if (k != NONE && k != 0)
		tree_kill(t, k);
}

/* O(1): the children the directory has now die lazily (tree_live), whatever their number and the layers'. */
static void opaque(struct tree *t, const char *dir)
{
	uint32_t k = tree_find(t, dir);

	if (k == NONE || !tree_live(t, k) || t->n[k].type != N_DIR)
		return;
	t->n[k].cut = ++t->seq;
}

static enum ms_status apply(struct tree *t, uint32_t layer, const struct lentry *le, const char *what,
			    struct ms_err *err)
{
	char parent_path[MS_IMAGE_MAX_PATH];
	const char *slash = strrchr(le->path, '/');
	uint32_t parent, k, ino = NONE;
	struct node *x;
	enum ms_status st;

	snprintf(parent_path, sizeof(parent_path), "%.*s", slash ? (int)(slash - le->path) : 0, le->path);
	if ((st = tree_parent(t, parent_path, le->path, what, &parent, err)))
		return st;
	if (le->kind == K_HARD) {
		uint32_t target = tree_find(t, le->link);

		if (target == NONE || !tree_live(t, target) || t->n[target].type != N_REG)
			return ms_fail(err, MS_BAD_INPUT, "%s: hard link \"%.200s\" names \"%.200s\", which is not a file "
				       "of the image at that point", what, le->path, le->link);
		ino = t->n[target].inode;
	} else if (le->kind == K_REG && (st = new_inode(t, layer, le->ordinal, le->size, &ino, err))) {
		return st;
	}
	k = tree_find(t, le->path);
	if (k == NONE && (st = tree_new_node(t, le->path, parent, &k, err)))
		return st;
	if (!(live_below(t, parent, k) && t->n[k].type == N_DIR && le->kind == K_DIR)) { /* a directory over one merges */
		tree_kill(t, k);
		tree_revive(t, k);
	}
	x = &t->n[k];
	x->implicit = false;
	x->inode = ino;
	if (le->kind == K_HARD) {
		const struct node *target = &t->n[tree_find(t, le->link)];

		x->type = N_REG;
		x->mode = target->mode;
		x->uid = target->uid;
		x->gid = target->gid;
		x->mtime = target->mtime;
		return MS_OK;
	}
	x->type = le->kind == K_REG ? N_REG : le->kind == K_DIR ? N_DIR : le->kind == K_LNK ? N_LNK
		: le->kind == K_CHR ? N_CHR : le->kind == K_BLK ? N_BLK : N_FIFO;
	x->mode = le->mode;
	x->uid = le->uid;
	x->gid = le->gid;
	x->mtime = le->mtime;
	x->rdevmajor = le->rdevmajor;
	x->rdevminor = le->rdevminor;
	if (le->kind == K_LNK) {
		if (!(x->link = strdup(le->link)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		t->name_bytes += strlen(x->link) + 1;
		if (t->name_bytes > MS_RAMDISK_MAX_NAME_BYTES)
			return ms_fail(err, MS_BAD_INPUT, "%s: the paths and link targets of the flattened file system add up to more than %u MiB",
				       what, MS_RAMDISK_MAX_NAME_BYTES >> 20);
	}
	return MS_OK;
}

static enum ms_status read_layer_tree(struct tree *t, const struct ms_image_source *src, const struct ms_image *img,
				      uint32_t index, struct ms_err *err)
{
	struct layer_stream *ls = NULL;
	struct lentry *v = NULL;
	size_t n = 0, cap = 0, name_bytes = 0;
	struct archive_entry *e;
	bool gzip = !strcmp(img->layers[index].compression, "gzip");
	uint64_t layer_at = 0;
	char what[64];
	enum ms_status st;
	int r;

	snprintf(what, sizeof(what), "layer %u", index);
	if ((st = layer_open(t, src, &img->layers[index], index, &ls, err)))
		goto out;
	while ((r = ms_la.read_next_header(ls->inner, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		uint64_t claimed = (uint64_t)ms_la.entry_size(e);

		/*
		 * The reader held every gzip layer to the budget already; the blob is
		 * checked again only when it has been read, so a swapped one is held
		 * to it here, by what each header says, before its data is inflated.
		 * A sparse file's size is its logical size, not what the stream holds:
		 * only its header counts here, and the bytes the stream really gave
		 * are charged when the layer ends (--max-size bounds its logical size).
		 */
		if (gzip) {
			uint64_t step = ms_la.entry_sparse_count(e) > 0 ? 512
					: claimed > (1ull << 62) ? 1ull << 62 : 512 + ((claimed + 511) & ~(uint64_t)511);

			if (step > t->max_unpacked - t->unpacked) {
				st = ms_fail(err, MS_BAD_INPUT, "%s (%s): entry %zu at offset 0x%llx claims %llu bytes: the layers "
					     "decompress to more than %llu bytes, the budget for decompressed data", what,
					     img->layers[index].path, n, (unsigned long long)layer_at, (unsigned long long)claimed,
					     (unsigned long long)t->max_unpacked);
				goto out;
			}
			t->unpacked += step;
			layer_at += step;
		}
		if (n >= MS_RAMDISK_MAX_LAYER_ENTRIES) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: more than %u entries", what, MS_RAMDISK_MAX_LAYER_ENTRIES);
			goto out;
		}
		if (n == cap) {
			size_t c2 = cap ? 2 * cap : 256;
			struct lentry *p = realloc(v, c2 * sizeof(*p));

			if (!p) {
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
			v = p;
			cap = c2;
		}
		st = read_header(e, n, what, &v[n], err);
		n++;
		if (st)
			goto out;
		name_bytes += (v[n - 1].path ? strlen(v[n - 1].path) + 1 : 0) + (v[n - 1].link ? strlen(v[n - 1].link) + 1 : 0);
		if (name_bytes > MS_RAMDISK_MAX_NAME_BYTES) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: its entries' names and link targets add up to more than %u MiB", what,
				     MS_RAMDISK_MAX_NAME_BYTES >> 20);
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: tar: %s after entry %zu", what,
			     ms_la.error_string(ls->inner) ? ms_la.error_string(ls->inner) : "unreadable", n);
		goto out;
	}
	if (gzip) { /* what the stream gave beyond what its headers claimed (sparse data) */
		la_int64_t inflated = ms_la.filter_bytes(ls->inner, 0);

		if (inflated > 0 && (uint64_t)inflated > layer_at) {
			if ((uint64_t)inflated - layer_at > t->max_unpacked - t->unpacked) {
				st = ms_fail(err, MS_BAD_INPUT, "%s (%s): decompresses to 0x%llx bytes: the layers decompress to "
					     "more than %llu bytes, the budget for decompressed data", what,
					     img->layers[index].path, (unsigned long long)inflated,
					     (unsigned long long)t->max_unpacked);
				goto out;
			}
			t->unpacked += (uint64_t)inflated - layer_at;
		}
	}
	if ((st = layer_finish(ls, index, err)))
		goto out;
	/* whiteouts and opaque markers hide what lower layers have, not this layer's own entries */
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == K_WHITEOUT)
			whiteout(t, v[i].path);
		else if (v[i].kind == K_OPAQUE)
			opaque(t, v[i].path);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].kind != K_WHITEOUT && v[i].kind != K_OPAQUE && v[i].kind != K_SKIP &&
		    (st = apply(t, index, &v[i], what, err)))
			goto out;
out:
	lentries_free(v, n);
	if (ls)
		layer_close(ls);
	return st;
}

/* docker's init layer: what a created (not started) container adds over its image. */
static enum ms_status init_layer(struct tree *t, struct ms_err *err)
{
	static const struct {
		const char *path;
		uint8_t type;
		const char *link;
	} init[] = {
		{ "dev/pts", N_DIR, NULL },	    { "dev/shm", N_DIR, NULL },	      { "proc", N_DIR, NULL },
		{ "sys", N_DIR, NULL },		    { ".dockerenv", N_REG, NULL },    { "etc/resolv.conf", N_REG, NULL },
		{ "etc/hosts", N_REG, NULL },	    { "etc/hostname", N_REG, NULL },  { "dev/console", N_REG, NULL },
		{ "etc/mtab", N_LNK, "/proc/mounts" },
	};
	enum ms_status st;

	for (size_t i = 0; i < sizeof(init) / sizeof(init[0]); i++) {
		const char *p = init[i].path, *slash = strchr(p, '/');
		char parent_path[32];
		uint32_t parent, k;
		struct node *x;

		/* docker unlinks every component first: files go, directories stay */
		for (const char *c = p;; c++) {
			if (*c == '/' || *c == '\0') {
				char buf[32];

				snprintf(buf, sizeof(buf), "%.*s", (int)(c - p), p);
				k = tree_find(t, buf);
				if (k != NONE && tree_live(t, k) && t->n[k].type != N_DIR)
					tree_kill(t, k);
			}
			if (!*c)
				break;
		}
		k = tree_find(t, p);
		if (k != NONE && tree_live(t, k))
			continue; /* a directory the image has */
		snprintf(parent_path, sizeof(parent_path), "%.*s", slash ? (int)(slash - p) : 0, p);
		if ((st = tree_parent(t, parent_path, p, "init layer", &parent, err)))
			return st;
		if (slash && t->n[parent].implicit) /* made by docker: 0755 root, its mtime normalized later */
			t->n[parent].implicit = false;
		if (k == NONE && (st = tree_new_node(t, p, parent, &k, err)))
			return st;
		tree_kill(t, k);
		tree_revive(t, k);
		x = &t->n[k];
		x->implicit = false;
		x->type = init[i].type;
		x->mode = 0755;
		x->uid = x->gid = x->mtime = 0;
		x->inode = NONE;
		if (init[i].link) {
			if (!(x->link = strdup(init[i].link)))
				return ms_fail(err, MS_NO_MEMORY, "out of memory");
			t->name_bytes += strlen(x->link) + 1;
		}
		if (x->type == N_REG && (st = new_inode(t, NONE, 0, 0, &x->inode, err)))
			return st;
	}
	return MS_OK;
}

/* ---- the cpio writer (linuxkit's gocpio) ---- */

struct cpio {
	int fd;
	uint64_t off;
	uint32_t ino;
	uint64_t entries;
	char *name; /* scratch for names */
};

static enum ms_status put(struct cpio *c, const void *data, size_t len, struct ms_err *err)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t w = pwrite(c->fd, p, len, (off_t)c->off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ms_fail(err, MS_BAD_INPUT, "output: write failed at offset 0x%llx: %s",
				       (unsigned long long)c->off, w < 0 ? strerror(errno) : "no space");
		p += w;
		len -= (size_t)w;
		c->off += (uint64_t)w;
	}
	return MS_OK;
}

static enum ms_status pad4(struct cpio *c, struct ms_err *err)
{
	static const uint8_t zero[4];
	size_t n = (size_t)((4 - (c->off & 3)) & 3);

	return n ? put(c, zero, n, err) : MS_OK;
}

/*
 * One entry: header, name, padding; data when given, else a hole of size
 * bytes whose offset goes to *data_off. type: S_IF* bits.
 */
static enum ms_status cpio_entry(struct cpio *c, const char *name, uint32_t type, uint32_t perm, int64_t uid,
				 int64_t gid, int64_t mtime, uint32_t rdevmajor, uint32_t rdevminor, const void *data,
				 uint64_t size, uint64_t *data_off, struct ms_err *err)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;
	enum ms_status st;

	if (uid < 0 || uid > 0xffffffffll || gid < 0 || gid > 0xffffffffll)
		return ms_fail(err, MS_BAD_INPUT, "\"%.200s\": uid or gid does not fit cpio's 32 bits", name);
	if (mtime < 0 || mtime > 0xffffffffll)
		return ms_fail(err, MS_BAD_INPUT, "\"%.200s\": modification time %lld does not fit cpio's 32 bits", name,
			       (long long)mtime);
	if (size > 0xffffffffull)
		return ms_fail(err, MS_BAD_INPUT, "\"%.200s\": %llu bytes, more than cpio newc holds", name,
			       (unsigned long long)size);
	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", c->ino,
		 (type | (perm & 07777)), (uint32_t)uid, (uint32_t)gid, type == S_IFDIR ? 2u : 1u, (uint32_t)mtime,
		 (uint32_t)size, 3u, 1u, rdevmajor, rdevminor, (uint32_t)namesize, 0u);
	c->ino++;
	c->entries++;
	if ((st = put(c, hdr, 110, err)) || (st = put(c, name, namesize, err)) || (st = pad4(c, err)))
		return st;
	if (data) {
		if ((st = put(c, data, (size_t)size, err)))
			return st;
	} else {
		if (data_off)
			*data_off = c->off;
		c->off += size;
	}
	return pad4(c, err);
}

static enum ms_status cpio_trailer(struct cpio *c, struct ms_err *err)
{
	static const uint8_t zero[512];
	char hdr[111];
	enum ms_status st;
	size_t fill;

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", c->ino, 0u, 0u, 0u, 1u,
		 0u, 0u, 3u, 1u, 0u, 0u, 11u, 0u);
	if ((st = put(c, hdr, 110, err)) || (st = put(c, "TRAILER!!!", 11, err)) || (st = pad4(c, err)))
		return st;
	fill = (size_t)((512 - (c->off & 511)) & 511);
	if (fill && (st = put(c, zero, fill, err)))
		return st;
	if (ftruncate(c->fd, (off_t)c->off) != 0)
		return ms_fail(err, MS_BAD_INPUT, "output: cannot set its size: %s", strerror(errno));
	return MS_OK;
}

static uint32_t type_bits(uint8_t type)
{
	switch (type) {
	case N_DIR: return S_IFDIR;
	case N_LNK: return S_IFLNK;
	case N_CHR: return S_IFCHR;
	case N_BLK: return S_IFBLK;
	case N_FIFO: return S_IFIFO;
	default: return S_IFREG;
	}
}

/* ---- pass 2: docker export order, linuxkit's edits ---- */

struct export {
	struct tree *t;
	struct cpio *c;
	uint32_t *first_path; /* per inode: the node that carries the data */
	bool touch_found[9];
	uint64_t implicit_dirs, hardlinks;
};

static const char *const touch_names[9] = { "dev/", "dev/pts/", "dev/shm/", "etc/", "etc/hosts",
					    "etc/mtab", "etc/resolv.conf", "proc/", "sys/" };

static int cmp_child(const void *a, const void *b, void *ctx)
{
	const struct tree *t = ctx;
	const char *pa = t->n[*(const uint32_t *)a].path, *pb = t->n[*(const uint32_t *)b].path;
	const char *na = strrchr(pa, '/'), *nb = strrchr(pb, '/');

	return strcmp(na ? na + 1 : pa, nb ? nb + 1 : pb);
}

/* Go's filepath.Rel(dir(from), to) for two clean relative paths. */
static void relative_path(const char *from, const char *to, char *out, size_t len)
{
	const char *slash = strrchr(from, '/');
	size_t dir_len = slash ? (size_t)(slash - from) : 0, i = 0, at = 0;

	/* skip the components dir(from) and to share */
	while (i < dir_len) {
		size_t j = i;

		while (j < dir_len && from[j] != '/')
			j++;
		if (strncmp(from + i, to + i, j - i) || to[j] != '/')
			break;
		i = j + 1;
	}
	to += i;
	out[0] = '\0';
	for (size_t k = i; k < dir_len; k++)
		if (k == i || from[k] == '/')
			at += (size_t)snprintf(out + at, at < len ? len - at : 0, "%s..", at ? "/" : "");
	snprintf(out + at, at < len ? len - at : 0, "%s%s", at && *to ? "/" : "", to);
}

static enum ms_status emit_node(struct export *x, uint32_t k, struct ms_err *err)
{
	static const char *const exclude[] = { ".dockerenv", "Dockerfile", "dev/console", "dev/pts", "dev/shm",
					       "etc/hostname" };
	struct node *n = &x->t->n[k];
	char name[MS_IMAGE_MAX_PATH + 2], full[MS_IMAGE_MAX_PATH + 16];
	int64_t mtime = n->mtime;
	enum ms_status st;

	snprintf(name, sizeof(name), "%s%s", n->path, n->type == N_DIR ? "/" : "");
	snprintf(full, sizeof(full), "rootfs/%s", name);
	for (size_t i = 0; i < sizeof(exclude) / sizeof(exclude[0]); i++)
		if (!strcmp(name, exclude[i]))
			return MS_OK;
	for (size_t i = 0; i < 9; i++)
		if (!strcmp(name, touch_names[i])) {
			x->touch_found[i] = true;
			mtime = MS_RAMDISK_MTIME;
		}
	if (n->implicit)
		x->implicit_dirs++;
	if (!strcmp(name, "etc/hosts"))
		return cpio_entry(x->c, full, type_bits(n->type), n->mode, n->uid, n->gid, MS_RAMDISK_MTIME, 0, 0,
				  hosts_text, sizeof(hosts_text) - 1, NULL, err);
	if (!strcmp(name, "etc/resolv.conf"))
		return cpio_entry(x->c, full, S_IFLNK, n->mode, n->uid, n->gid, MS_RAMDISK_MTIME, 0, 0, resolv_target,
				  sizeof(resolv_target) - 1, NULL, err);
	switch (n->type) {
	case N_LNK:
		return cpio_entry(x->c, full, S_IFLNK, n->mode, n->uid, n->gid, mtime, 0, 0, n->link, strlen(n->link), NULL,
				  err);
	case N_REG: {
		struct inode *ino = &x->t->ino[n->inode];

		if (x->first_path[n->inode] != NONE) { /* docker: a hard link; linuxkit: a relative symlink */
			char rel[3 * MS_IMAGE_MAX_PATH];

			relative_path(x->t->n[k].path, x->t->n[x->first_path[n->inode]].path, rel, sizeof(rel));
			x->hardlinks++;
			return cpio_entry(x->c, full, S_IFLNK, n->mode, n->uid, n->gid, mtime, 0, 0, rel, strlen(rel), NULL,
					  err);
		}
		x->first_path[n->inode] = k;
		if ((st = cpio_entry(x->c, full, S_IFREG, n->mode, n->uid, n->gid, mtime, 0, 0, NULL, ino->size,
				     &ino->data_off, err)))
			return st;
		ino->emitted = true;
		return MS_OK;
	}
	default:
		return cpio_entry(x->c, full, type_bits(n->type), n->mode, n->uid, n->gid, mtime, n->rdevmajor,
				  n->rdevminor, NULL, 0, NULL, err);
	}
}

static enum ms_status walk(struct export *x, uint32_t dir, struct ms_err *err)
{
	uint32_t *kids = NULL, n = 0, cap = 0;
	enum ms_status st = MS_OK;

	for (uint32_t c = x->t->n[dir].first_child; c != NONE; c = x->t->n[c].next_sibling) {
		if (!x->t->n[c].alive)
			continue;
		if (n == cap) {
			uint32_t c2 = cap ? 2 * cap : 16, *p = realloc(kids, c2 * sizeof(*p));

			if (!p) {
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
			kids = p;
			cap = c2;
		}
		kids[n++] = c;
	}
	if (n)
		qsort_r(kids, n, sizeof(*kids), cmp_child, x->t);
	for (uint32_t i = 0; i < n; i++)
		if ((st = emit_node(x, kids[i], err)) || (x->t->n[kids[i]].type == N_DIR && (st = walk(x, kids[i], err))))
			goto out;
out:
	free(kids);
	return st;
}

static enum ms_status missing_touches(struct export *x, struct ms_err *err)
{
	enum ms_status st;

	for (size_t i = 0; i < 9; i++) {
		char full[40];
		size_t len = strlen(touch_names[i]);

		if (x->touch_found[i])
			continue;
		snprintf(full, sizeof(full), "rootfs/%.*s", (int)(touch_names[i][len - 1] == '/' ? len - 1 : len),
			 touch_names[i]);
		if (!strcmp(touch_names[i], "etc/hosts"))
			st = cpio_entry(x->c, full, S_IFREG, 0644, 0, 0, MS_RAMDISK_MTIME, 0, 0, hosts_text,
					sizeof(hosts_text) - 1, NULL, err);
		else if (!strcmp(touch_names[i], "etc/mtab"))
			st = cpio_entry(x->c, full, S_IFLNK, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, "/proc/mounts", 12, NULL, err);
		else if (!strcmp(touch_names[i], "etc/resolv.conf"))
			st = cpio_entry(x->c, full, S_IFLNK, 0644, 0, 0, MS_RAMDISK_MTIME, 0, 0, resolv_target,
					sizeof(resolv_target) - 1, NULL, err);
		else
			st = cpio_entry(x->c, full, S_IFDIR, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, NULL, 0, NULL, err);
		if (st)
			return st;
	}
	return MS_OK;
}

/* The cmd and env files: Cmd (else Entrypoint) and Env of the config, one element per line. */
static enum ms_status config_lines(const struct ms_image *img, const char *which, char **out, size_t *len,
				   struct ms_err *err)
{
	cJSON *j = NULL;
	const cJSON *cfg, *arr = NULL;
	char *buf = NULL;
	size_t n = 0;
	enum ms_status st;

	*out = NULL;
	*len = 0;
	if (!img->config)
		return ms_fail(err, MS_BAD_INPUT, "image: no config document");
	if ((st = ms_json_parse_strict(img->config, img->config_len, "config", &j, err)))
		return st;
	cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
	if (cfg && !cJSON_IsNull(cfg) && !cJSON_IsObject(cfg)) {
		st = ms_fail(err, MS_BAD_INPUT, "config: config is not an object");
		goto out;
	}
	if (!strcmp(which, "cmd")) {
		arr = cJSON_GetObjectItemCaseSensitive(cfg, "Cmd");
		if (!arr || cJSON_IsNull(arr))
			arr = cJSON_GetObjectItemCaseSensitive(cfg, "Entrypoint");
		if (!arr || cJSON_IsNull(arr)) {
			st = ms_fail(err, MS_BAD_INPUT, "config: neither config.Cmd nor config.Entrypoint is set "
				     "(nitro-cli needs one of them)");
			goto out;
		}
	} else {
		arr = cJSON_GetObjectItemCaseSensitive(cfg, "Env");
	}
	if (arr && !cJSON_IsNull(arr) && !cJSON_IsArray(arr)) {
		st = ms_fail(err, MS_BAD_INPUT, "config: config.%s is not an array", which);
		goto out;
	}
	for (const cJSON *e = arr && cJSON_IsArray(arr) ? arr->child : NULL; e; e = e->next) {
		size_t l;
		char *p;

		if (!cJSON_IsString(e)) {
			st = ms_fail(err, MS_BAD_INPUT, "config: an element of config's %s is not a string", which);
			goto out;
		}
		l = strlen(e->valuestring);
		if (n + l + 1 > MS_RAMDISK_MAX_CMD) {
			st = ms_fail(err, MS_BAD_INPUT, "config: %s is longer than %u bytes", which, MS_RAMDISK_MAX_CMD);
			goto out;
		}
		if (!(p = realloc(buf, n + l + 2))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		buf = p;
		memcpy(buf + n, e->valuestring, l);
		buf[n + l] = '\n';
		n += l + 1;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	cJSON_Delete(j);
	return st;
}

/* ---- pass 3: contents ---- */

struct want {
	uint64_t ordinal, off, size;
};

static int cmp_want(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

static enum ms_status fill_layer(const struct tree *t, const struct ms_image_source *src, const struct ms_image *img,
				 uint32_t index, int out, struct ms_err *err)
{
	struct layer_stream *ls = NULL;
	struct want *w = NULL;
	size_t nw = 0, next = 0;
	uint64_t ordinal = 0;
	struct archive_entry *e;
	enum ms_status st = MS_OK;
	int r;

	for (uint32_t i = 0; i < t->ino_count; i++)
		if (t->ino[i].layer == index && t->ino[i].emitted && t->ino[i].size)
			nw++;
	if (!nw)
		return MS_OK;
	if (!(w = malloc(nw * sizeof(*w))))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	nw = 0;
	for (uint32_t i = 0; i < t->ino_count; i++)
		if (t->ino[i].layer == index && t->ino[i].emitted && t->ino[i].size)
			w[nw++] = (struct want){ t->ino[i].ordinal, t->ino[i].data_off, t->ino[i].size };
	qsort(w, nw, sizeof(*w), cmp_want);
	if ((st = layer_open(t, src, &img->layers[index], index, &ls, err)))
		goto out;
	while (next < nw && ((r = ms_la.read_next_header(ls->inner, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		uint64_t done = 0;

		if (ordinal++ != w[next].ordinal)
			continue;
		while (done < w[next].size) {
			la_ssize_t got = ms_la.read_data(ls->inner, ls->data_buf, sizeof(ls->data_buf));
			const uint8_t *p = ls->data_buf;

			if (got <= 0 || (uint64_t)got > w[next].size - done) {
				st = ms_fail(err, MS_BAD_INPUT, "layer %u: entry %llu is not the size its header says", index,
					     (unsigned long long)w[next].ordinal);
				goto out;
			}
			while (got > 0) {
				ssize_t wr = pwrite(out, p, (size_t)got, (off_t)(w[next].off + done));

				if (wr < 0 && errno == EINTR)
					continue;
				if (wr <= 0) {
					st = ms_fail(err, MS_BAD_INPUT, "output: write failed: %s",
						     wr < 0 ? strerror(errno) : "no space");
					goto out;
				}
				p += wr;
				got -= wr;
				done += (uint64_t)wr;
			}
		}
		next++;
	}
	if (next < nw) {
		st = ms_fail(err, MS_BAD_INPUT, "layer %u: changed between two reads", index);
		goto out;
	}
	while ((r = ms_la.read_next_header(ls->inner, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		;
	if (r != ARCHIVE_EOF) {
		st = ms_fail(err, MS_BAD_INPUT, "layer %u: tar: %s", index,
			     ms_la.error_string(ls->inner) ? ms_la.error_string(ls->inner) : "unreadable");
		goto out;
	}
	st = layer_finish(ls, index, err);
out:
	free(w);
	if (ls)
		layer_close(ls);
	return st;
}

/* The bytes of file data the ramdisk will hold: each inode of a live regular file once. */
static enum ms_status data_size(const struct tree *t, uint64_t max_size, struct ms_err *err)
{
	bool *counted = t->ino_count ? calloc(t->ino_count, sizeof(*counted)) : NULL;
	uint64_t total = 0;
	enum ms_status st = MS_OK;

	if (t->ino_count && !counted)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (uint32_t i = 0; i < t->count; i++) {
		const struct node *n = &t->n[i];

		if (!n->alive || n->type != N_REG || n->inode == NONE || n->inode >= t->ino_count ||
		    counted[n->inode])
			continue;
		counted[n->inode] = true;
		total += t->ino[n->inode].size;
		if (total > max_size) {
			st = ms_fail(err, MS_BAD_INPUT, "the files of the flattened image add up to more than %llu bytes "
				     "(at \"%.200s\"), the ramdisk size limit", (unsigned long long)max_size,
				     n->path);
			break;
		}
	}
	free(counted);
	return st;
}

enum ms_status ms_ramdisk_customer(const struct ms_image_source *src, const struct ms_image *img, int out,
				   uint64_t max_size, uint64_t max_unpacked, struct ms_ramdisk_info *info,
				   struct ms_err *err)
{
	static const char *const files_dirs[] = { "rootfs", "rootfs/dev", "rootfs/run", "rootfs/sys",
						  "rootfs/var", "rootfs/proc", "rootfs/tmp" };
	struct tree t = { 0 };
	struct cpio c = { .fd = out, .ino = CPIO_FIRST_INO };
	struct export x = { .t = &t, .c = &c };
	char *cmd = NULL, *env = NULL;
	size_t cmd_len, env_len;
	uint32_t root;
	enum ms_status st;

	memset(info, 0, sizeof(*info));
	if ((st = ms_libarchive_load(err)))
		return st;
	if ((st = config_lines(img, "cmd", &cmd, &cmd_len, err)) || (st = config_lines(img, "env", &env, &env_len, err)))
		goto out;
	if (getrandom(t.hash_key, sizeof(t.hash_key), 0) != (ssize_t)sizeof(t.hash_key)) {
		st = ms_fail(err, MS_BAD_INPUT, "cannot get a random hash key: %s", strerror(errno));
		goto out;
	}
	t.max_unpacked = max_unpacked ? max_unpacked : MS_IMAGE_DEFAULT_MAX_UNPACKED;
	t.outer_fd = -1;
	if (src->dirfd < 0 && (st = outer_prepare(&t, src, img, err)))
		goto out;
	if ((st = tree_new_node(&t, "", NONE, &root, err)))
		goto out;
	t.n[root].alive = true;
	t.n[root].type = N_DIR;
	for (uint32_t i = 0; i < img->layer_count; i++)
		if ((st = read_layer_tree(&t, src, img, i, err)))
			goto out;
	tree_prune(&t);
	if ((st = init_layer(&t, err)) || (st = data_size(&t, max_size ? max_size : MS_RAMDISK_DEFAULT_MAX_SIZE, err)))
		goto out;
	if (t.ino_count && !(x.first_path = malloc(t.ino_count * sizeof(*x.first_path)))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < t.ino_count; i++)
		x.first_path[i] = NONE;
	if (ftruncate(out, 0) != 0) {
		st = ms_fail(err, MS_BAD_INPUT, "output: not a regular file (it is written in place): %s", strerror(errno));
		goto out;
	}
	if ((st = cpio_entry(&c, "rootfs", S_IFDIR, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, NULL, 0, NULL, err)) ||
	    (st = walk(&x, root, err)) || (st = missing_touches(&x, err)))
		goto out;
	for (size_t i = 0; i < sizeof(files_dirs) / sizeof(files_dirs[0]); i++)
		if ((st = cpio_entry(&c, files_dirs[i], S_IFDIR, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, NULL, 0, NULL, err)))
			goto out;
	if ((st = cpio_entry(&c, "cmd", S_IFREG, 0644, 0, 0, MS_RAMDISK_MTIME, 0, 0, cmd ? cmd : "", cmd_len, NULL, err)) ||
	    (st = cpio_entry(&c, "env", S_IFREG, 0644, 0, 0, MS_RAMDISK_MTIME, 0, 0, env ? env : "", env_len, NULL, err)) ||
	    (st = cpio_trailer(&c, err)))
		goto out;
	for (uint32_t i = 0; i < img->layer_count; i++)
		if ((st = fill_layer(&t, src, img, i, out, err)))
			goto out;
	info->size = c.off;
	info->entries = c.entries;
	info->implicit_dirs = x.implicit_dirs;
	info->hardlinks = x.hardlinks;
out:
	free(x.first_path);
	free(cmd);
	free(env);
	tree_free(&t);
	return st;
}

/* ---- the bootstrap ramdisk ---- */

static enum ms_status copy_file(struct cpio *c, const char *name, int fd, struct ms_err *err)
{
	struct stat sb;
	uint64_t data_off, done = 0;
	uint8_t *buf = NULL;
	enum ms_status st;

	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return ms_fail(err, MS_BAD_INPUT, "%s: not a regular file", name);
	if ((st = cpio_entry(c, name, S_IFREG, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, NULL, (uint64_t)sb.st_size, &data_off,
			     err)))
		return st;
	if (!(buf = malloc(65536)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	while (done < (uint64_t)sb.st_size) {
		ssize_t got = pread(fd, buf, 65536, (off_t)done);
		uint64_t save = c->off;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || done + (uint64_t)got > (uint64_t)sb.st_size) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: changed size while read (at offset 0x%llx)", name,
				     (unsigned long long)done);
			goto out;
		}
		c->off = data_off + done;
		st = put(c, buf, (size_t)got, err);
		c->off = save;
		if (st)
			goto out;
		done += (uint64_t)got;
	}
out:
	free(buf);
	return st;
}

enum ms_status ms_ramdisk_bootstrap(int init_fd, int nsm_fd, int out, struct ms_ramdisk_info *info,
				    struct ms_err *err)
{
	struct cpio c = { .fd = out, .ino = CPIO_FIRST_INO };
	enum ms_status st;

	memset(info, 0, sizeof(*info));
	if (ftruncate(out, 0) != 0)
		return ms_fail(err, MS_BAD_INPUT, "output: not a regular file (it is written in place): %s", strerror(errno));
	if ((st = cpio_entry(&c, "dev", S_IFDIR, 0755, 0, 0, MS_RAMDISK_MTIME, 0, 0, NULL, 0, NULL, err)) ||
	    (st = copy_file(&c, "init", init_fd, err)) || (st = copy_file(&c, "nsm.ko", nsm_fd, err)) ||
	    (st = cpio_trailer(&c, err)))
		return st;
	info->size = c.off;
	info->entries = c.entries;
	return MS_OK;
}
