/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "../common/bytes.h"
#include "eif.h"

#define CHUNK_LEN (1u << 20)
#define RING_SLOTS 8
#define CRC_OFFSET 544

static const uint8_t eif_magic[4] = { '.', 'e', 'i', 'f' };

const char *ms_eif_section_name(uint16_t type)
{
	switch (type) {
	case MS_EIF_KERNEL:
		return "kernel";
	case MS_EIF_CMDLINE:
		return "cmdline";
	case MS_EIF_RAMDISK:
		return "ramdisk";
	case MS_EIF_SIGNATURE:
		return "signature";
	case MS_EIF_METADATA:
		return "metadata";
	}
	return "invalid";
}




void ms_eif_pcr_from_digest(const uint8_t digest[MS_SHA384_LEN], uint8_t pcr[MS_SHA384_LEN])
{
	memset(pcr, 0, MS_SHA384_LEN);
	ms_extend(MS_SHA384, pcr, digest);
}

/* Where a header field lies, for messages that name it. */
static const struct {
	const char *name;
	size_t offset, len;
} header_fields[] = {
	{ "magic", 0, 4 },	   { "version", 4, 2 },	      { "flags", 6, 2 },
	{ "default_mem", 8, 8 },   { "default_cpus", 16, 8 }, { "reserved", 24, 2 },
	{ "num_sections", 26, 2 }, { "section_offsets", 28, 256 }, { "section_sizes", 284, 256 },
	{ "unused", 540, 4 },	   { "crc32", 544, 4 },
};

enum ms_status ms_eif_header_parse(const uint8_t *buf, size_t len, uint64_t file_size,
				   struct ms_eif_header *h, struct ms_err *err)
{
	uint64_t pos = MS_EIF_HEADER_LEN;

	memset(h, 0, sizeof(*h));
	if (len < MS_EIF_HEADER_LEN) {
		for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]); i++)
			if (len < header_fields[i].offset + header_fields[i].len)
				return ms_fail(err, MS_BAD_INPUT,
					       "header truncated in field %s (offset 0x%zx): file has %zu bytes, the header needs %d",
					       header_fields[i].name, header_fields[i].offset, len,
					       MS_EIF_HEADER_LEN);
	}
	if (memcmp(buf, eif_magic, 4) != 0)
		return ms_fail(err, MS_BAD_INPUT,
			       "magic at offset 0x0 is %02x %02x %02x %02x, not \".eif\" (2e 65 69 66)",
			       buf[0], buf[1], buf[2], buf[3]);
	h->version = ms_be16(buf + 4);
	h->flags = ms_be16(buf + 6);
	h->default_mem = ms_be64(buf + 8);
	h->default_cpus = ms_be64(buf + 16);
	h->reserved = ms_be16(buf + 24);
	h->num_sections = ms_be16(buf + 26);
	for (int i = 0; i < MS_EIF_MAX_SECTIONS; i++) {
		h->section_offsets[i] = ms_be64(buf + 28 + 8 * i);
		h->section_sizes[i] = ms_be64(buf + 284 + 8 * i);
	}
	h->unused = ms_be32(buf + 540);
	h->crc32 = ms_be32(buf + 544);

	if (h->version == 0)
		return ms_fail(err, MS_BAD_INPUT, "version (offset 0x4) is 0");
	if (h->version > MS_EIF_MAX_VERSION)
		return ms_fail(err, MS_UNSUPPORTED, "version (offset 0x4) is %u; versions 1 to %d are known",
			       h->version, MS_EIF_MAX_VERSION);
	if (h->flags & ~1u)
		return ms_fail(err, MS_BAD_INPUT, "flags (offset 0x6) 0x%04x has unknown bits set",
			       h->flags);
	if (h->num_sections == 0)
		return ms_fail(err, MS_BAD_INPUT, "num_sections (offset 0x1a) is 0");
	if (h->num_sections > MS_EIF_MAX_SECTIONS)
		return ms_fail(err, MS_BAD_INPUT, "num_sections (offset 0x1a) is %u, more than %d",
			       h->num_sections, MS_EIF_MAX_SECTIONS);

	for (unsigned i = 0; i < MS_EIF_MAX_SECTIONS; i++) {
		uint64_t off = h->section_offsets[i], size = h->section_sizes[i];

		if (i >= h->num_sections) {
			if (off || size)
				return ms_fail(err, MS_BAD_INPUT,
					       "section_offsets[%u]/section_sizes[%u] (offset 0x%x) not zero beyond num_sections %u",
					       i, i, 28 + 8 * i, h->num_sections);
			continue;
		}
		if (off != pos)
			return ms_fail(err, MS_BAD_INPUT,
				       "section_offsets[%u] (offset 0x%x) is 0x%llx, but section %u starts at 0x%llx after the previous one",
				       i, 28 + 8 * i, (unsigned long long)off, i,
				       (unsigned long long)pos);
		if (size > UINT64_MAX - MS_EIF_SECTION_HEADER_LEN - pos)
			return ms_fail(err, MS_BAD_INPUT,
				       "section_sizes[%u] (offset 0x%x) 0x%llx overflows the file offset",
				       i, 284 + 8 * i, (unsigned long long)size);
		pos += MS_EIF_SECTION_HEADER_LEN + size;
		if (file_size && pos > file_size)
			return ms_fail(err, MS_BAD_INPUT,
				       "section %u ends at 0x%llx, past end of file (0x%llx)", i,
				       (unsigned long long)pos, (unsigned long long)file_size);
	}
	if (file_size && pos != file_size)
		return ms_fail(err, MS_BAD_INPUT,
			       "%llu bytes after the last section (ends at 0x%llx, file is 0x%llx)",
			       (unsigned long long)(file_size - pos), (unsigned long long)pos,
			       (unsigned long long)file_size);
	return MS_OK;
}

/*
 * The file as regions: the EIF header, then each section's header and payload.
 * Every consumer walks the chunk stream with its own cursor over them.
 */
enum region_kind { R_EIF_HEADER, R_SECTION_HEADER, R_PAYLOAD };

struct region {
	uint64_t start, end;
	enum region_kind kind;
	unsigned section;
};

enum role { ROLE_UNKNOWN, ROLE_BOOT, ROLE_FIRST_RAMDISK, ROLE_LATER_RAMDISK, ROLE_CAPTURE };

struct slot {
	uint8_t *buf;
	size_t len;
	uint64_t pos;
};

struct pass {
	/* layout, fixed before the first chunk is published */
	struct region regions[1 + 2 * MS_EIF_MAX_SECTIONS];
	unsigned nregions;
	/* written by the reader before it publishes the chunk holding a payload */
	enum role roles[MS_EIF_MAX_SECTIONS];

	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct slot ring[RING_SLOTS];
	uint64_t published, consumed; /* chunk counts */
	bool done, abort;

	/* worker state */
	bool want_sha256;
	struct ms_hash sha256, pcr2;
};

/* Calls fn for each piece of chunk [pos, pos+len) by region, cursor in *r. */
typedef void piece_fn(void *arg, const struct region *rg, uint64_t at, const uint8_t *p,
		      size_t n);

static void walk(const struct pass *ps, unsigned *r, uint64_t pos, const uint8_t *p, size_t len,
		 piece_fn *fn, void *arg)
{
	uint64_t start = pos, end = pos + len;

	while (*r < ps->nregions) {
		const struct region *rg = &ps->regions[*r];
		uint64_t stop;

		/* empty regions are reported too, so their ends are seen */
		if (rg->start != rg->end && pos >= end)
			break;
		stop = rg->end < end ? rg->end : end;
		fn(arg, rg, pos, p ? p + (pos - start) : NULL, (size_t)(stop - pos));
		pos = stop;
		if (pos != rg->end)
			break;
		(*r)++;
	}
}

static void worker_piece(void *arg, const struct region *rg, uint64_t at, const uint8_t *p,
			 size_t n)
{
	struct pass *ps = arg;

	(void)at;
	if (rg->kind == R_PAYLOAD && ps->roles[rg->section] == ROLE_LATER_RAMDISK)
		ms_hash_update(&ps->pcr2, p, n);
}

static void *worker_main(void *arg)
{
	struct pass *ps = arg;
	unsigned cursor = 0;

	for (;;) {
		struct slot *s;

		pthread_mutex_lock(&ps->lock);
		while (ps->consumed == ps->published && !ps->done && !ps->abort)
			pthread_cond_wait(&ps->changed, &ps->lock);
		if (ps->abort || ps->consumed == ps->published) {
			pthread_mutex_unlock(&ps->lock);
			return NULL;
		}
		s = &ps->ring[ps->consumed % RING_SLOTS];
		pthread_mutex_unlock(&ps->lock);

		if (ps->want_sha256)
			ms_hash_update(&ps->sha256, s->buf, s->len);
		walk(ps, &cursor, s->pos, s->buf, s->len, worker_piece, ps);

		pthread_mutex_lock(&ps->lock);
		ps->consumed++;
		pthread_cond_broadcast(&ps->changed);
		pthread_mutex_unlock(&ps->lock);
	}
}

/* The reader's state: header validation, CRC, PCR0/PCR1, captured sections. */
struct reader {
	struct pass *ps;
	struct ms_eif *eif;
	struct ms_err *err;
	enum ms_status status;
	/* section headers, possibly split across chunks */
	uint8_t shdr[MS_EIF_SECTION_HEADER_LEN];
	bool seen_kernel, seen_cmdline;
	unsigned ramdisks;
	/* hashing */
	unsigned cursor;
	uint32_t crc;
	struct ms_hash image; /* PCR0; PCR1 is a snapshot of it after the first ramdisk */
	bool pcr1_taken;
};

static enum ms_status check_section_header(struct reader *rd, unsigned i)
{
	struct ms_eif_header *h = &rd->eif->header;
	struct ms_eif_section *sec = &rd->eif->sections[i];
	uint16_t type = ms_be16(rd->shdr), flags = ms_be16(rd->shdr + 2);
	uint64_t size = ms_be64(rd->shdr + 4), at = h->section_offsets[i];

	sec->type = type;
	sec->offset = at;
	sec->size = size;
	if (type == 0 || type > MS_EIF_METADATA)
		return ms_fail(rd->err, MS_BAD_INPUT, "section %u header (offset 0x%llx): unknown type %u",
			       i, (unsigned long long)at, type);
	if (flags)
		return ms_fail(rd->err, MS_BAD_INPUT,
			       "section %u (%s) header (offset 0x%llx): flags 0x%04x, expected 0", i,
			       ms_eif_section_name(type), (unsigned long long)(at + 2), flags);
	if (size != h->section_sizes[i])
		return ms_fail(rd->err, MS_BAD_INPUT,
			       "section %u (%s) header (offset 0x%llx) says size 0x%llx, section_sizes[%u] says 0x%llx",
			       i, ms_eif_section_name(type), (unsigned long long)(at + 4),
			       (unsigned long long)size, i, (unsigned long long)h->section_sizes[i]);
	switch (type) {
	case MS_EIF_KERNEL:
	case MS_EIF_CMDLINE:
		if ((type == MS_EIF_KERNEL && rd->seen_kernel) || (type == MS_EIF_CMDLINE && rd->seen_cmdline))
			return ms_fail(rd->err, MS_BAD_INPUT, "section %u (offset 0x%llx): a second %s section",
				       i, (unsigned long long)at, ms_eif_section_name(type));
		if (rd->ramdisks)
			return ms_fail(rd->err, MS_BAD_INPUT,
				       "section %u (%s, offset 0x%llx) follows a ramdisk; kernel and cmdline must come first",
				       i, ms_eif_section_name(type), (unsigned long long)at);
		if (type == MS_EIF_KERNEL)
			rd->seen_kernel = true;
		else
			rd->seen_cmdline = true;
		rd->ps->roles[i] = ROLE_BOOT;
		break;
	case MS_EIF_RAMDISK:
		if (!rd->seen_kernel || !rd->seen_cmdline)
			return ms_fail(rd->err, MS_BAD_INPUT,
				       "section %u (ramdisk, offset 0x%llx) comes before the %s section", i,
				       (unsigned long long)at, rd->seen_kernel ? "cmdline" : "kernel");
		rd->ps->roles[i] = rd->ramdisks++ ? ROLE_LATER_RAMDISK : ROLE_FIRST_RAMDISK;
		break;
	case MS_EIF_SIGNATURE:
	case MS_EIF_METADATA: {
		uint8_t **buf = type == MS_EIF_SIGNATURE ? &rd->eif->signature : &rd->eif->metadata;
		size_t *len = type == MS_EIF_SIGNATURE ? &rd->eif->signature_len : &rd->eif->metadata_len;
		uint64_t max = type == MS_EIF_SIGNATURE ? MS_EIF_MAX_SIGNATURE_LEN : MS_EIF_MAX_METADATA_LEN;

		if (*buf)
			return ms_fail(rd->err, MS_BAD_INPUT, "section %u (offset 0x%llx): a second %s section",
				       i, (unsigned long long)at, ms_eif_section_name(type));
		if (size > max)
			return ms_fail(rd->err, MS_BAD_INPUT,
				       "section %u (%s, offset 0x%llx) is 0x%llx bytes, more than the 0x%llx allowed",
				       i, ms_eif_section_name(type), (unsigned long long)at,
				       (unsigned long long)size, (unsigned long long)max);
		*buf = calloc(1, size ? (size_t)size : 1);
		if (!*buf)
			return ms_fail(rd->err, MS_NO_MEMORY, "out of memory");
		*len = (size_t)size;
		rd->ps->roles[i] = ROLE_CAPTURE;
		break;
	}
	}
	return MS_OK;
}

/* First walk over a chunk: section headers only, so roles are set before publishing. */
static void header_piece(void *arg, const struct region *rg, uint64_t at, const uint8_t *p,
			 size_t n)
{
	struct reader *rd = arg;
	uint64_t off = at - rg->start;

	if (rg->kind != R_SECTION_HEADER || rd->status)
		return;
	memcpy(rd->shdr + off, p, n);
	if (off + n == MS_EIF_SECTION_HEADER_LEN)
		rd->status = check_section_header(rd, rg->section);
}

/* PCR1 = the image hash as it stands when the first ramdisk ends. */
static enum ms_status take_pcr1(struct reader *rd)
{
	struct ms_hash snap;
	uint8_t digest[MS_SHA384_LEN];

	if (ms_hash_copy(&snap, &rd->image))
		return ms_fail(rd->err, MS_NO_MEMORY, "out of memory");
	ms_hash_final(&snap, digest);
	ms_hash_free(&snap);
	ms_eif_pcr_from_digest(digest, rd->eif->pcr1);
	rd->pcr1_taken = true;
	return MS_OK;
}

/* Second walk: CRC, PCR0 (and the PCR1 snapshot), captured sections. */
static void hash_piece(void *arg, const struct region *rg, uint64_t at, const uint8_t *p,
		       size_t n)
{
	struct reader *rd = arg;
	uint64_t off = at - rg->start;

	if (rg->kind == R_EIF_HEADER) {
		/* the CRC covers the header up to, not including, its crc32 field */
		if (off < CRC_OFFSET)
			rd->crc = (uint32_t)crc32_z(rd->crc, p,
						    (size_t)(off + n <= CRC_OFFSET ? n : CRC_OFFSET - off));
		return;
	}
	if (n)
		rd->crc = (uint32_t)crc32_z(rd->crc, p, n);
	if (rg->kind != R_PAYLOAD)
		return;
	switch (rd->ps->roles[rg->section]) {
	case ROLE_BOOT:
	case ROLE_LATER_RAMDISK:
		ms_hash_update(&rd->image, p, n);
		break;
	case ROLE_FIRST_RAMDISK:
		ms_hash_update(&rd->image, p, n);
		if (at + n == rg->end && !rd->status)
			rd->status = take_pcr1(rd);
		break;
	case ROLE_CAPTURE:
		if (n)
			memcpy((rd->eif->sections[rg->section].type == MS_EIF_SIGNATURE ? rd->eif->signature
										 : rd->eif->metadata) +
			       off,
		       p, n);
		break;
	case ROLE_UNKNOWN:
		break;
	}
}

static void build_layout(struct pass *ps, const struct ms_eif_header *h)
{
	unsigned n = 0;

	ps->regions[n++] = (struct region){ 0, MS_EIF_HEADER_LEN, R_EIF_HEADER, 0 };
	for (unsigned i = 0; i < h->num_sections; i++) {
		uint64_t at = h->section_offsets[i];

		ps->regions[n++] = (struct region){ at, at + MS_EIF_SECTION_HEADER_LEN,
						    R_SECTION_HEADER, i };
		ps->regions[n++] = (struct region){ at + MS_EIF_SECTION_HEADER_LEN,
						    at + MS_EIF_SECTION_HEADER_LEN + h->section_sizes[i],
						    R_PAYLOAD, i };
	}
	ps->nregions = n;
}

static enum ms_status read_chunk(int fd, uint8_t *buf, size_t want, size_t *got,
				 uint64_t pos, struct ms_err *err)
{
	size_t done = 0;

	while (done < want) {
		ssize_t n = read(fd, buf + done, want - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ms_fail(err, MS_BAD_INPUT, "read failed at offset 0x%llx: %s",
				       (unsigned long long)(pos + done), strerror(errno));
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return MS_OK;
}

/* The first section whose end lies beyond end_of_data, for truncation messages. */
static enum ms_status truncated(const struct pass *ps, const struct ms_eif *eif, uint64_t size,
				struct ms_err *err)
{
	for (unsigned r = 1; r < ps->nregions; r++) {
		const struct region *rg = &ps->regions[r];

		if (rg->end > size) {
			unsigned i = rg->section;

			if (rg->kind == R_SECTION_HEADER)
				return ms_fail(err, MS_BAD_INPUT,
					       "section %u header (offset 0x%llx) truncated: file ends at 0x%llx",
					       i, (unsigned long long)rg->start, (unsigned long long)size);
			return ms_fail(err, MS_BAD_INPUT,
				       "section %u (%s) ends at 0x%llx, past end of file (0x%llx)", i,
				       ms_eif_section_name(eif->sections[i].type),
				       (unsigned long long)rg->end, (unsigned long long)size);
		}
	}
	return ms_fail(err, MS_BAD_INPUT, "file truncated at 0x%llx", (unsigned long long)size);
}

/*
 * A file too short for its offset table, found before hashing anything: name
 * the first section that does not fit, with its type when its header is there.
 */
static enum ms_status past_end(int fd, const struct pass *ps, uint64_t size, struct ms_err *err)
{
	for (unsigned r = 1; r < ps->nregions; r += 2) {
		const struct region *hdr = &ps->regions[r], *payload = &ps->regions[r + 1];
		uint8_t type[2];

		if (payload->end <= size)
			continue;
		if (hdr->end > size)
			return ms_fail(err, MS_BAD_INPUT,
				       "section %u header (offset 0x%llx) truncated: file ends at 0x%llx",
				       hdr->section, (unsigned long long)hdr->start, (unsigned long long)size);
		if (pread(fd, type, 2, (off_t)hdr->start) != 2)
			break;
		return ms_fail(err, MS_BAD_INPUT, "section %u (%s) ends at 0x%llx, past end of file (0x%llx)",
			       hdr->section, ms_eif_section_name(ms_be16(type)),
			       (unsigned long long)payload->end, (unsigned long long)size);
	}
	return ms_fail(err, MS_BAD_INPUT, "file truncated at 0x%llx", (unsigned long long)size);
}

enum ms_status ms_eif_measure(int fd, uint64_t file_size, ms_progress_fn *progress,
			      void *progress_arg, struct ms_eif *eif, struct ms_err *err)
{
	struct ms_eif_measure_options o = { .progress = progress, .progress_arg = progress_arg, .file_sha256 = true };

	return ms_eif_measure_with(fd, file_size, &o, eif, err);
}

enum ms_status ms_eif_measure_with(int fd, uint64_t file_size, const struct ms_eif_measure_options *o,
				   struct ms_eif *eif, struct ms_err *err)
{
	struct pass *ps = calloc(1, sizeof(*ps));
	struct reader rd = { 0 };
	pthread_t worker;
	bool worker_started = false, locks = false;
	uint64_t pos = 0, end;
	uint8_t digest[MS_SHA384_LEN];
	enum ms_status st = MS_OK;

	memset(eif, 0, sizeof(*eif));
	rd.ps = ps;
	rd.eif = eif;
	rd.err = err;
	if (!ps)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (int i = 0; i < RING_SLOTS; i++) {
		ps->ring[i].buf = malloc(CHUNK_LEN);
		if (!ps->ring[i].buf) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
	ps->want_sha256 = o->file_sha256;
	if ((ps->want_sha256 && ms_hash_init(&ps->sha256, MS_SHA256)) || ms_hash_init(&ps->pcr2, MS_SHA384) ||
	    ms_hash_init(&rd.image, MS_SHA384)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}

	/* The first chunk holds the header, which fixes the layout. */
	{
		struct slot *s = &ps->ring[0];

		st = read_chunk(fd, s->buf, CHUNK_LEN, &s->len, 0, err);
		if (st)
			goto out;
		if (s->len == 0) {
			st = ms_fail(err, MS_BAD_INPUT, "empty file");
			goto out;
		}
		st = ms_eif_header_parse(s->buf, s->len, 0, &eif->header, err);
		if (st)
			goto out;
	}
	build_layout(ps, &eif->header);
	end = ps->regions[ps->nregions - 1].end;
	if (file_size && end != file_size) {
		st = end > file_size ? past_end(fd, ps, file_size, err)
				     : ms_fail(err, MS_BAD_INPUT,
					       "%llu bytes after the last section (ends at 0x%llx, file is 0x%llx)",
					       (unsigned long long)(file_size - end), (unsigned long long)end,
					       (unsigned long long)file_size);
		goto out;
	}
	eif->crc_checked = eif->header.version >= 2;

	if (pthread_mutex_init(&ps->lock, NULL) || pthread_cond_init(&ps->changed, NULL)) {
		st = ms_fail(err, MS_NO_MEMORY, "cannot create a lock");
		goto out;
	}
	locks = true;
	if (pthread_create(&worker, NULL, worker_main, ps) != 0) {
		st = ms_fail(err, MS_NO_MEMORY, "cannot start the hashing thread");
		goto out;
	}
	worker_started = true;

	for (uint64_t chunk = 0;; chunk++) {
		struct slot *s = &ps->ring[chunk % RING_SLOTS];
		unsigned hcursor = rd.cursor;

		if (chunk > 0) {
			pthread_mutex_lock(&ps->lock);
			while (ps->published - ps->consumed >= RING_SLOTS)
				pthread_cond_wait(&ps->changed, &ps->lock);
			pthread_mutex_unlock(&ps->lock);
			st = read_chunk(fd, s->buf, CHUNK_LEN, &s->len, pos, err);
			if (st)
				goto out;
		}
		s->pos = pos;
		if (s->len == 0)
			break;
		if (pos + s->len > end) {
			st = ms_fail(err, MS_BAD_INPUT, "data after the last section (ends at 0x%llx)",
				     (unsigned long long)end);
			goto out;
		}
		walk(ps, &hcursor, pos, s->buf, s->len, header_piece, &rd);
		if (rd.status) {
			st = rd.status;
			goto out;
		}
		pthread_mutex_lock(&ps->lock);
		ps->published++;
		pthread_cond_broadcast(&ps->changed);
		pthread_mutex_unlock(&ps->lock);

		walk(ps, &rd.cursor, pos, s->buf, s->len, hash_piece, &rd);
		if (rd.status) {
			st = rd.status;
			goto out;
		}
		pos += s->len;
		if (o->progress)
			o->progress(pos, file_size, o->progress_arg);
	}
	if (pos < end) {
		st = truncated(ps, eif, pos, err);
		goto out;
	}
	/* empty regions at the very end (an empty last ramdisk) */
	walk(ps, &rd.cursor, pos, NULL, 0, hash_piece, &rd);
	if (rd.status) {
		st = rd.status;
		goto out;
	}

	pthread_mutex_lock(&ps->lock);
	ps->done = true;
	pthread_cond_broadcast(&ps->changed);
	pthread_mutex_unlock(&ps->lock);
	pthread_join(worker, NULL);
	worker_started = false;

	if (!rd.seen_kernel || !rd.seen_cmdline || !rd.ramdisks) {
		st = ms_fail(err, MS_BAD_INPUT, "no %s section",
			     !rd.seen_kernel ? "kernel" : !rd.seen_cmdline ? "cmdline" : "ramdisk");
		goto out;
	}
	eif->ramdisks = rd.ramdisks;
	eif->file_size = pos;
	eif->crc32 = rd.crc;
	if (eif->crc_checked && eif->crc32 != eif->header.crc32) {
		st = ms_fail(err, MS_BAD_INPUT,
			     "crc32 (offset 0x220) is 0x%08x, the file's CRC-32 is 0x%08x",
			     eif->header.crc32, eif->crc32);
		goto out;
	}
	ms_hash_final(&rd.image, digest);
	ms_eif_pcr_from_digest(digest, eif->pcr0);
	ms_hash_final(&ps->pcr2, digest);
	ms_eif_pcr_from_digest(digest, eif->pcr2);
	if (ps->want_sha256) {
		ms_hash_final(&ps->sha256, eif->file_sha256);
		eif->file_sha256_computed = true;
	}
out:
	if (worker_started) {
		pthread_mutex_lock(&ps->lock);
		ps->abort = true;
		pthread_cond_broadcast(&ps->changed);
		pthread_mutex_unlock(&ps->lock);
		pthread_join(worker, NULL);
	}
	if (locks) {
		pthread_mutex_destroy(&ps->lock);
		pthread_cond_destroy(&ps->changed);
	}
	ms_hash_free(&rd.image);
	ms_hash_free(&ps->sha256);
	ms_hash_free(&ps->pcr2);
	for (int i = 0; i < RING_SLOTS; i++)
		free(ps->ring[i].buf);
	free(ps);
	if (st)
		ms_eif_free(eif);
	return st;
}

void ms_eif_free(struct ms_eif *eif)
{
	free(eif->signature);
	free(eif->metadata);
	eif->signature = eif->metadata = NULL;
	eif->signature_len = eif->metadata_len = 0;
}
