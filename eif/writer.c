/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "eif.h"

#define COPY_LEN (1u << 20)

struct writer {
	int fd;
	uint64_t pos;
	uint32_t crc;
	struct ms_err *err;
};

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static enum ms_status emit(struct writer *w, const void *buf, size_t len, bool crc)
{
	const uint8_t *p = buf;

	if (crc && len)
		w->crc = (uint32_t)crc32_z(w->crc, p, len);
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ms_fail(w->err, MS_BAD_INPUT, "write failed at offset 0x%llx: %s",
				       (unsigned long long)w->pos, n < 0 ? strerror(errno) : "no space");
		p += n;
		len -= (size_t)n;
		w->pos += (uint64_t)n;
	}
	return MS_OK;
}

static enum ms_status section(struct writer *w, uint16_t type, uint64_t size)
{
	uint8_t hdr[MS_EIF_SECTION_HEADER_LEN] = { 0 };

	put_be(hdr, type, 2);
	put_be(hdr + 4, size, 8);
	return emit(w, hdr, sizeof(hdr), true);
}

/* Copies exactly size bytes of fd into the EIF, hashing them into the given contexts. */
static enum ms_status copy(struct writer *w, int fd, uint64_t size, const char *what,
			   struct ms_hash *a, struct ms_hash *b, uint8_t *buf)
{
	for (uint64_t done = 0; done < size;) {
		size_t want = size - done < COPY_LEN ? (size_t)(size - done) : COPY_LEN;
		ssize_t n = read(fd, buf, want);
		enum ms_status st;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ms_fail(w->err, MS_BAD_INPUT, "%s: %s at offset 0x%llx", what,
				       n < 0 ? strerror(errno) : "shorter than its size", (unsigned long long)done);
		ms_hash_update(a, buf, (size_t)n);
		if (b)
			ms_hash_update(b, buf, (size_t)n);
		st = emit(w, buf, (size_t)n, true);
		if (st)
			return st;
		done += (uint64_t)n;
	}
	return MS_OK;
}

static enum ms_status input_size(int fd, const char *what, uint64_t *size, struct ms_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ms_fail(err, MS_BAD_INPUT, "%s: not a regular file", what);
	*size = (uint64_t)st.st_size;
	return MS_OK;
}

enum ms_status ms_eif_write(int out_fd, const struct ms_eif_build *b, struct ms_eif *eif,
			    struct ms_err *err)
{
	struct writer w = { .fd = out_fd, .err = err };
	uint8_t header[MS_EIF_HEADER_LEN] = { 0 }, crc_be[4], digest[MS_SHA384_LEN];
	uint64_t sizes[MS_EIF_MAX_SECTIONS], offset = MS_EIF_HEADER_LEN;
	uint16_t types[MS_EIF_MAX_SECTIONS];
	unsigned n = 0;
	struct ms_hash image = { 0 }, boot = { 0 }, app = { 0 };
	uint8_t *buf = NULL;
	size_t cmdline_len = strlen(b->cmdline);
	enum ms_status st;
	char what[32];

	memset(eif, 0, sizeof(*eif));
	if (b->ramdisks == 0)
		return ms_fail(err, MS_USAGE, "at least one ramdisk is needed");
	if (3 + (b->metadata ? 1 : 0) + (size_t)b->ramdisks - 1 >= MS_EIF_MAX_SECTIONS)
		return ms_fail(err, MS_USAGE, "%u ramdisks: an EIF holds at most %d sections", b->ramdisks,
			       MS_EIF_MAX_SECTIONS);
	types[n] = MS_EIF_KERNEL;
	if ((st = input_size(b->kernel_fd, "kernel", &sizes[n++], err)))
		return st;
	types[n] = MS_EIF_CMDLINE;
	sizes[n++] = cmdline_len;
	if (b->metadata) {
		types[n] = MS_EIF_METADATA;
		sizes[n++] = b->metadata_len;
	}
	for (unsigned i = 0; i < b->ramdisks; i++) {
		snprintf(what, sizeof(what), "ramdisk %u", i + 1);
		types[n] = MS_EIF_RAMDISK;
		if ((st = input_size(b->ramdisk_fds[i], what, &sizes[n++], err)))
			return st;
	}

	memcpy(header, ".eif", 4);
	put_be(header + 4, MS_EIF_MAX_VERSION, 2);
	put_be(header + 6, b->aarch64 ? 1 : 0, 2);
	put_be(header + 8, b->default_mem, 8);
	put_be(header + 16, b->default_cpus, 8);
	put_be(header + 26, n, 2);
	for (unsigned i = 0; i < n; i++) {
		put_be(header + 28 + 8 * i, offset, 8);
		put_be(header + 284 + 8 * i, sizes[i], 8);
		offset += MS_EIF_SECTION_HEADER_LEN + sizes[i];
	}

	buf = malloc(COPY_LEN);
	if (!buf || ms_hash_init(&image, MS_SHA384) || ms_hash_init(&boot, MS_SHA384) ||
	    ms_hash_init(&app, MS_SHA384)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((st = emit(&w, header, MS_EIF_HEADER_LEN - 4, true)) || (st = emit(&w, "\0\0\0\0", 4, false)))
		goto out;
	for (unsigned i = 0, rd = 0; i < n; i++) {
		if ((st = section(&w, types[i], sizes[i])))
			goto out;
		switch (types[i]) {
		case MS_EIF_KERNEL:
			st = copy(&w, b->kernel_fd, sizes[i], "kernel", &image, &boot, buf);
			break;
		case MS_EIF_CMDLINE:
			ms_hash_update(&image, b->cmdline, cmdline_len);
			ms_hash_update(&boot, b->cmdline, cmdline_len);
			st = emit(&w, b->cmdline, cmdline_len, true);
			break;
		case MS_EIF_METADATA:
			st = emit(&w, b->metadata, b->metadata_len, true);
			break;
		default:
			snprintf(what, sizeof(what), "ramdisk %u", rd + 1);
			st = copy(&w, b->ramdisk_fds[rd], sizes[i], what, &image, rd ? &app : &boot, buf);
			rd++;
		}
		if (st)
			goto out;
	}
	put_be(crc_be, w.crc, 4);
	if (pwrite(out_fd, crc_be, 4, MS_EIF_HEADER_LEN - 4) != 4) {
		st = ms_fail(err, MS_BAD_INPUT, "cannot write the CRC into the header: %s",
			     errno ? strerror(errno) : "short write");
		goto out;
	}
	if (ms_eif_header_parse(header, sizeof(header), 0, &eif->header, err) != MS_OK) {
		st = MS_BAD_INPUT;
		goto out;
	}
	eif->header.crc32 = eif->crc32 = w.crc;
	eif->crc_checked = true;
	eif->file_size = w.pos;
	eif->ramdisks = b->ramdisks;
	ms_hash_final(&image, digest);
	ms_eif_pcr_from_digest(digest, eif->pcr0);
	ms_hash_final(&boot, digest);
	ms_eif_pcr_from_digest(digest, eif->pcr1);
	ms_hash_final(&app, digest);
	ms_eif_pcr_from_digest(digest, eif->pcr2);
out:
	ms_hash_free(&image);
	ms_hash_free(&boot);
	ms_hash_free(&app);
	free(buf);
	return st;
}
