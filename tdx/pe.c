/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "pe.h"

#define SECTION_HEADER_LEN 40
#define MAX_SECTIONS 96 /* the PE format's own limit */
#define SECURITY_DIRECTORY 4
#define QEMU_ACPI_DATA_SIZE 0x28000u /* QEMU keeps this much below the top of low RAM for ACPI */





/* The file as the hash sees it: pe, with its first head_len bytes taken from head. */
struct view {
	const uint8_t *pe, *head;
	size_t len, head_len;
};

static uint8_t at(const struct view *v, size_t off)
{
	return off < v->head_len ? v->head[off] : v->pe[off];
}

static uint16_t v16(const struct view *v, size_t off)
{
	return (uint16_t)(at(v, off) | at(v, off + 1) << 8);
}

static uint32_t v32(const struct view *v, size_t off)
{
	return (uint32_t)v16(v, off) | (uint32_t)v16(v, off + 2) << 16;
}

static void hash_range(struct ms_hash *h, const struct view *v, size_t off, size_t n)
{
	if (off < v->head_len) {
		size_t k = v->head_len - off < n ? v->head_len - off : n;

		ms_hash_update(h, v->head + off, k);
		off += k;
		n -= k;
	}
	if (n)
		ms_hash_update(h, v->pe + off, n);
}

struct span {
	uint32_t offset, size;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static enum ms_status authenticode(const struct view *v, uint8_t out[MS_SHA384_LEN], struct ms_err *err)
{
	size_t len = v->len;
	size_t coff, opt, opt_len, checksum, dirs, cert_entry, headers, table, nsec, ndirs;
	uint64_t hashed;
	uint32_t cert_off = 0, cert_size = 0;
	struct span spans[MAX_SECTIONS];
	size_t nspans = 0;
	struct ms_hash h;
	static const uint8_t zeros[8];
	uint16_t magic;

	if (len < 0x40 || at(v, 0) != 'M' || at(v, 1) != 'Z')
		return ms_fail(err, MS_BAD_INPUT, "not a PE/COFF image: no MZ header at offset 0x0");
	coff = v32(v, 0x3c);
	if (coff > len - 24 || v32(v, coff) != 0x00004550 /* "PE\0\0" */)
		return ms_fail(err, MS_BAD_INPUT, "PE signature at e_lfanew 0x%zx (offset 0x3c) is missing or past the end",
			       coff);
	coff += 4;
	nsec = v16(v, coff + 2);
	opt_len = v16(v, coff + 16);
	opt = coff + 20;
	if (opt_len < 96 || opt_len > len - opt)
		return ms_fail(err, MS_BAD_INPUT, "PE optional header (offset 0x%zx, 0x%zx bytes) runs past the end",
			       opt, opt_len);
	magic = v16(v, opt);
	if (magic != 0x10b && magic != 0x20b)
		return ms_fail(err, MS_BAD_INPUT, "PE optional header magic 0x%x (offset 0x%zx) is neither PE32 nor PE32+",
			       magic, opt);
	if (magic == 0x20b && opt_len < 112)
		return ms_fail(err, MS_BAD_INPUT, "PE32+ optional header (offset 0x%zx) is 0x%zx bytes, too short for its fields",
			       opt, opt_len);
	checksum = opt + 64;
	headers = v32(v, opt + 60);
	ndirs = v32(v, opt + (magic == 0x20b ? 108 : 92));
	dirs = opt + (magic == 0x20b ? 112 : 96);
	cert_entry = dirs + SECURITY_DIRECTORY * 8;
	if (ndirs <= SECURITY_DIRECTORY || cert_entry + 8 > opt + opt_len)
		return ms_fail(err, MS_BAD_INPUT, "PE optional header (offset 0x%zx) has no certificate-table entry",
			       opt);
	if (nsec > MAX_SECTIONS)
		return ms_fail(err, MS_BAD_INPUT, "PE NumberOfSections (offset 0x%zx) is %zu, more than %d",
			       coff + 2, nsec, MAX_SECTIONS);
	table = opt + opt_len;
	if (table + nsec * SECTION_HEADER_LEN > len)
		return ms_fail(err, MS_BAD_INPUT,
			       "PE section table (offset 0x%zx, %zu sections) runs past the end of the file (0x%zx)",
			       table, nsec, len);
	if (headers > len || headers < cert_entry + 8)
		return ms_fail(err, MS_BAD_INPUT, "PE SizeOfHeaders 0x%zx (offset 0x%zx) is outside the headers or the file",
			       headers, opt + 60);
	cert_off = v32(v, cert_entry);
	cert_size = v32(v, cert_entry + 4);
	if (cert_size && ((uint64_t)cert_off + cert_size > len || cert_off < headers))
		return ms_fail(err, MS_BAD_INPUT, "PE certificate table 0x%x+0x%x (entry at offset 0x%zx) is outside the file",
			       cert_off, cert_size, cert_entry);
	for (size_t i = 0; i < nsec; i++) {
		size_t s = table + i * SECTION_HEADER_LEN;
		uint32_t size = v32(v, s + 16), off = v32(v, s + 20);

		if (!size)
			continue;
		if ((uint64_t)off + size > len)
			return ms_fail(err, MS_BAD_INPUT,
				       "PE section %zu (header at offset 0x%zx): data 0x%x+0x%x runs past the end of the file (0x%zx)",
				       i, table + i * SECTION_HEADER_LEN, off, size, len);
		spans[nspans++] = (struct span){ off, size };
	}
	qsort(spans, nspans, sizeof(spans[0]), span_cmp);

	if (ms_hash_init(&h, MS_SHA384))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	hash_range(&h, v, 0, checksum);
	hash_range(&h, v, checksum + 4, cert_entry - (checksum + 4));
	hash_range(&h, v, cert_entry + 8, headers - (cert_entry + 8));
	hashed = headers;
	for (size_t i = 0; i < nspans; i++) {
		hash_range(&h, v, spans[i].offset, spans[i].size);
		hashed += spans[i].size;
	}
	/* data after the sections, except the certificate table */
	if (len > hashed + cert_size)
		hash_range(&h, v, (size_t)hashed, (size_t)(len - hashed - cert_size));
	if (len % 8)
		ms_hash_update(&h, zeros, 8 - len % 8);
	ms_hash_final(&h, out);
	ms_hash_free(&h);
	return MS_OK;
}

enum ms_status ms_pe_authenticode_sha384(const uint8_t *pe, size_t len, uint8_t out[MS_SHA384_LEN],
					 struct ms_err *err)
{
	struct view v = { pe, NULL, len, 0 };

	return authenticode(&v, out, err);
}

enum ms_status ms_pe_authenticode_sha384_overlay(const uint8_t *pe, size_t len, const uint8_t *head,
						 size_t head_len, uint8_t out[MS_SHA384_LEN],
						 struct ms_err *err)
{
	struct view v = { pe, head, len, head_len < len ? head_len : len };

	return authenticode(&v, out, err);
}

enum ms_status ms_qemu_patch_bzimage(uint8_t *k, size_t len, uint64_t initrd_size, uint64_t memory_size,
				     struct ms_err *err)
{
	uint32_t real_addr, cmdline_addr, protocol = 0;

	if (len < 0x1000)
		return ms_fail(err, MS_BAD_INPUT, "kernel is 0x%zx bytes, too short for a bzImage", len);
	if (!memcmp(k + 0x202, "HdrS", 4))
		protocol = ms_le16(k + 0x206);
	if (protocol < 0x200 || !(k[0x211] & 0x01)) /* not loaded high */
		real_addr = 0x90000, cmdline_addr = 0x9a000;
	else
		real_addr = 0x10000, cmdline_addr = 0x20000;
	if (protocol >= 0x200)
		k[0x210] = 0xb0; /* type_of_loader: QEMU */
	if (protocol >= 0x201) {
		k[0x211] |= 0x80; /* CAN_USE_HEAP */
		ms_put_le32(k + 0x224, cmdline_addr - real_addr - 0x200);
	}
	if (protocol >= 0x202) {
		ms_put_le32(k + 0x228, cmdline_addr);
	} else {
		ms_put_le16(k + 0x20, 0xa33f);
		ms_put_le16(k + 0x22, (uint16_t)(cmdline_addr - real_addr));
	}
	if (initrd_size) {
		uint64_t low = memory_size < 0xb0000000ull ? 0xb0000000ull : 0x80000000ull;
		uint64_t below_4g = memory_size >= low ? low : memory_size, max, addr;

		if (protocol < 0x200)
			return ms_fail(err, MS_BAD_INPUT, "kernel boot protocol 0x%x is too old for an initrd", protocol);
		if (protocol >= 0x20c)
			max = (ms_le16(k + 0x236) & 0x40) ? 0xffffffffull : 0x37ffffff; /* XLF_CAN_BE_LOADED_ABOVE_4G */
		else if (protocol >= 0x203)
			max = ms_le32(k + 0x22c) ? ms_le32(k + 0x22c) : 0x37ffffff;
		else
			max = 0x37ffffff;
		if (max >= below_4g - QEMU_ACPI_DATA_SIZE)
			max = below_4g - QEMU_ACPI_DATA_SIZE - 1;
		if (initrd_size >= max)
			return ms_fail(err, MS_BAD_INPUT, "initrd of 0x%llx bytes does not fit below 0x%llx",
				       (unsigned long long)initrd_size, (unsigned long long)max);
		addr = (max - initrd_size) & ~4095ull;
		ms_put_le32(k + 0x218, (uint32_t)addr);
		ms_put_le32(k + 0x21c, (uint32_t)initrd_size);
	}
	return MS_OK;
}
