/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../ovmf/ovmf.h"
#include "tdvf.h"

#define DESCRIPTOR_LEN 16
#define SECTION_LEN 32
#define PAGE 4096u
#define EXTEND_CHUNK 256u
#define BELOW_4G_SPLIT 0xb0000000ull /* QEMU's q35: from 2.75 GiB up, RAM above 2 GiB moves over 4 GiB */
#define LOW_RAM_TOP 0x80000000ull
#define FOUR_GIB 0x100000000ull




const char *ms_tdvf_type_name(uint32_t type)
{
	static const char *const names[] = { "BFV", "CFV", "TD_HOB", "TempMem", "PermMem", "Payload",
					     "PayloadParam" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

enum ms_status ms_tdvf_parse(const uint8_t *image, size_t size, struct ms_tdvf *t, struct ms_err *err)
{
	struct ms_ovmf o;
	enum ms_status st = ms_ovmf_parse(image, size, &o, err);
	size_t at, n, len;
	uint64_t total = 0;

	memset(t, 0, sizeof(*t));
	t->image = image;
	t->size = size;
	if (st)
		return st;
	if (!o.has_tdx_metadata)
		return ms_fail(err, MS_BAD_INPUT,
			       o.has_table ? "the OVMF footer table has no TDX metadata entry: not a TDX-enabled build"
					   : "no OVMF footer table (GUID 96b582de-...) 32 bytes before the end: not an OVMF/TDVF image");
	if (o.tdx_metadata_offset > size || o.tdx_metadata_offset < DESCRIPTOR_LEN)
		return ms_fail(err, MS_BAD_INPUT,
			       "TDX metadata offset 0x%x (from the end) points outside the image (0x%zx bytes)",
			       o.tdx_metadata_offset, size);
	at = size - o.tdx_metadata_offset;
	t->descriptor_offset = (uint32_t)at;
	if (memcmp(image + at, "TDVF", 4))
		return ms_fail(err, MS_BAD_INPUT, "TDVF descriptor at offset 0x%zx: signature is not \"TDVF\"", at);
	len = ms_le32(image + at + 4);
	if (ms_le32(image + at + 8) != 1)
		return ms_fail(err, MS_UNSUPPORTED, "TDVF descriptor at offset 0x%zx: version %u, only 1 is known",
			       at, ms_le32(image + at + 8));
	n = ms_le32(image + at + 12);
	if (n > MS_TDVF_MAX_SECTIONS)
		return ms_fail(err, MS_BAD_INPUT, "TDVF descriptor at offset 0x%zx: %zu sections, more than %d",
			       at, n, MS_TDVF_MAX_SECTIONS);
	if (len != DESCRIPTOR_LEN + n * SECTION_LEN)
		return ms_fail(err, MS_BAD_INPUT,
			       "TDVF descriptor at offset 0x%zx: length %zu, but %zu sections need %zu", at, len, n,
			       DESCRIPTOR_LEN + n * SECTION_LEN);
	if (len > size - at)
		return ms_fail(err, MS_BAD_INPUT,
			       "TDVF descriptor at offset 0x%zx: %zu sections run past the end of the image", at, n);
	t->nsections = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = image + at + DESCRIPTOR_LEN + i * SECTION_LEN;
		struct ms_tdvf_section *s = &t->sections[i];
		size_t off = at + DESCRIPTOR_LEN + i * SECTION_LEN;
		const char *name;

		s->data_offset = ms_le32(d);
		s->raw_size = ms_le32(d + 4);
		s->address = ms_le64(d + 8);
		s->memory_size = ms_le64(d + 16);
		s->type = ms_le32(d + 24);
		s->attributes = ms_le32(d + 28);
		name = ms_tdvf_type_name(s->type);
		if (!strcmp(name, "unknown"))
			return ms_fail(err, MS_BAD_INPUT, "TDVF section %zu (offset 0x%zx): unknown type %u", i, off,
				       s->type);
		if (s->attributes & ~(MS_TDVF_MR_EXTEND | MS_TDVF_PAGE_AUG))
			return ms_fail(err, MS_BAD_INPUT, "TDVF section %zu (%s, offset 0x%zx): unknown attributes 0x%x",
				       i, name, off, s->attributes);
		if (s->address % PAGE || s->memory_size % PAGE)
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): address 0x%llx or size 0x%llx is not 4 KiB aligned",
				       i, name, off, (unsigned long long)s->address,
				       (unsigned long long)s->memory_size);
		if (s->memory_size < s->raw_size)
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): memory size 0x%llx is smaller than its data (0x%x)",
				       i, name, off, (unsigned long long)s->memory_size, s->raw_size);
		if (s->memory_size > MS_TDVF_MAX_MEMORY - total)
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): MemorySize 0x%llx (offset 0x%zx) brings the sections past the %llu MiB limit",
				       i, name, off, (unsigned long long)s->memory_size, off + 16,
				       MS_TDVF_MAX_MEMORY >> 20);
		total += s->memory_size;
		if (s->address + s->memory_size < s->address)
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): address 0x%llx (offset 0x%zx) + size 0x%llx passes 2^64",
				       i, name, off, (unsigned long long)s->address, off + 8,
				       (unsigned long long)s->memory_size);
		if ((uint64_t)s->data_offset + s->raw_size > size) {
			/* the BFV is the whole file, yet placed after something: a split CODE image */
			if (s->type == MS_TDVF_BFV && s->raw_size == size)
				return ms_fail(err, MS_BAD_INPUT,
					       "this is the CODE part alone: its TDVF offsets assume a 0x%x-byte VARS image in front; give that VARS image as well (e.g. OVMF_VARS.fd)",
					       s->data_offset);
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): data 0x%x+0x%x runs past the end of the image (0x%zx)",
				       i, name, off, s->data_offset, s->raw_size, size);
		}
		if ((s->attributes & MS_TDVF_MR_EXTEND) && s->raw_size == 0)
			return ms_fail(err, MS_BAD_INPUT,
				       "TDVF section %zu (%s, offset 0x%zx): MR.EXTEND without data", i, name, off);
		for (size_t k = 0; k < i; k++) {
			const struct ms_tdvf_section *o2 = &t->sections[k];

			if (s->memory_size && o2->memory_size && s->address < o2->address + o2->memory_size &&
			    o2->address < s->address + s->memory_size)
				return ms_fail(err, MS_BAD_INPUT,
					       "TDVF section %zu (%s, offset 0x%zx) overlaps section %zu in memory (0x%llx..0x%llx)",
					       i, name, off, k, (unsigned long long)o2->address,
					       (unsigned long long)(o2->address + o2->memory_size));
			if (s->type == MS_TDVF_TD_HOB && o2->type == MS_TDVF_TD_HOB)
				return ms_fail(err, MS_BAD_INPUT, "TDVF section %zu (offset 0x%zx): a second TD HOB", i, off);
		}
	}
	return MS_OK;
}

/*
 * The MRTD stream is 128-byte operation blocks, each page's extends followed by
 * their 256-byte chunks; a page's worth is gathered so it costs one update.
 */
struct mrtd_buf {
	uint8_t b[PAGE / EXTEND_CHUNK * (128 + EXTEND_CHUNK) + 128];
	size_t n;
};

static void mrtd_op(struct mrtd_buf *m, const char *op, uint64_t gpa)
{
	uint8_t *block = m->b + m->n;

	memset(block, 0, 128);
	memcpy(block, op, strlen(op));
	ms_put_le64(block + 16, gpa);
	m->n += 128;
}

static void flush(struct ms_hash *h, struct mrtd_buf *m)
{
	ms_hash_update(h, m->b, m->n);
	m->n = 0;
}

static void page_add(struct ms_hash *h, struct mrtd_buf *m, const struct ms_tdvf_section *s, uint64_t page)
{
	if (s->attributes & MS_TDVF_PAGE_AUG)
		return;
	mrtd_op(m, "MEM.PAGE.ADD", s->address + page * PAGE);
	if (m->n + 128 > sizeof(m->b))
		flush(h, m);
}

/* TDH.MR.EXTEND of one page; memory past the section's data is zero, as QEMU fills it. */
static void mr_extend(struct ms_hash *h, struct mrtd_buf *m, const struct ms_tdvf *t,
		      const struct ms_tdvf_section *s, uint64_t page)
{
	if (!(s->attributes & MS_TDVF_MR_EXTEND))
		return;
	if (m->n + PAGE / EXTEND_CHUNK * (128 + EXTEND_CHUNK) > sizeof(m->b))
		flush(h, m);
	for (uint64_t c = 0; c < PAGE / EXTEND_CHUNK; c++) {
		uint64_t at = page * PAGE + c * EXTEND_CHUNK;
		uint8_t *chunk;

		mrtd_op(m, "MR.EXTEND", s->address + at);
		chunk = m->b + m->n;
		if (at + EXTEND_CHUNK <= s->raw_size) {
			memcpy(chunk, t->image + s->data_offset + at, EXTEND_CHUNK);
		} else {
			memset(chunk, 0, EXTEND_CHUNK);
			if (at < s->raw_size)
				memcpy(chunk, t->image + s->data_offset + at, (size_t)(s->raw_size - at));
		}
		m->n += EXTEND_CHUNK;
	}
	flush(h, m);
}

enum ms_status ms_tdx_mrtd(const struct ms_tdvf *t, enum ms_page_add_order order, uint8_t out[MS_SHA384_LEN],
			   struct ms_err *err)
{
	struct ms_hash h;
	struct mrtd_buf *m = malloc(sizeof(*m));

	if (!m || ms_hash_init(&h, MS_SHA384)) {
		free(m);
		return ms_fail(err, MS_NO_MEMORY, "out of memory computing the MRTD");
	}
	m->n = 0;
	for (unsigned i = 0; i < t->nsections; i++) {
		const struct ms_tdvf_section *s = &t->sections[i];
		uint64_t pages = s->memory_size / PAGE;

		if ((s->attributes & MS_TDVF_PAGE_AUG) && !(s->attributes & MS_TDVF_MR_EXTEND))
			continue; /* added after the TD starts: nothing of it is in the MRTD */
		if (order == MS_TWO_PASS) {
			for (uint64_t p = 0; p < pages; p++)
				page_add(&h, m, s, p);
			for (uint64_t p = 0; p < pages; p++)
				mr_extend(&h, m, t, s, p);
		} else {
			for (uint64_t p = 0; p < pages; p++) {
				page_add(&h, m, s, p);
				mr_extend(&h, m, t, s, p);
			}
		}
	}
	flush(&h, m);
	ms_hash_final(&h, out);
	ms_hash_free(&h);
	free(m);
	return MS_OK;
}

/* Guest RAM as ranges, accepted (TD HOB and temporary memory) or not. */
struct range {
	uint64_t start, end;
	bool accepted;
};

static void put_resource(uint8_t *p, uint8_t type, uint64_t start, uint64_t len)
{
	memset(p, 0, 48);
	p[0] = 3;  /* EFI_HOB_TYPE_RESOURCE_DESCRIPTOR */
	p[2] = 48; /* HobLength */
	p[24] = type; /* 0 system memory (accepted), 7 unaccepted */
	p[28] = 7; /* ResourceAttribute: present, initialized, tested */
	ms_put_le64(p + 32, start);
	ms_put_le64(p + 40, len);
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

enum ms_status ms_tdx_td_hob(const struct ms_tdvf *t, uint64_t memory_size, uint8_t **hob, size_t *len,
			     struct ms_err *err)
{
	struct range r[2 * MS_TDVF_MAX_SECTIONS + 2];
	unsigned n = 1;
	uint64_t hob_base = 0;
	uint8_t *p;
	size_t at = 56;

	if (memory_size < 64ull << 20 || memory_size % PAGE)
		return ms_fail(err, MS_USAGE, "memory size 0x%llx: need a multiple of 4 KiB, at least 64 MiB",
			       (unsigned long long)memory_size);
	r[0] = (struct range){ 0, memory_size, false };
	for (unsigned i = 0; i < t->nsections; i++) {
		const struct ms_tdvf_section *s = &t->sections[i];
		uint64_t a = s->address, b = s->address + s->memory_size;
		unsigned m = n;

		if (s->type == MS_TDVF_TD_HOB)
			hob_base = s->address;
		if ((s->type != MS_TDVF_TD_HOB && s->type != MS_TDVF_TEMP_MEM) || a >= b)
			continue;
		if (b > memory_size)
			return ms_fail(err, MS_USAGE, "TDVF section %u (%s) ends at 0x%llx, beyond guest memory", i,
				       ms_tdvf_type_name(s->type), (unsigned long long)b);
		/* split the unaccepted range holding [a, b) */
		for (unsigned k = 0; k < m; k++) {
			struct range old = r[k];

			if (old.accepted || old.end <= a || old.start >= b)
				continue;
			r[k] = (struct range){ old.start, a, false };
			r[n++] = (struct range){ b, old.end, false };
		}
		r[n++] = (struct range){ a, b, true };
		/* drop ranges left empty by the split */
		for (unsigned k = 0; k < n;)
			if (r[k].start >= r[k].end)
				r[k] = r[--n];
			else
				k++;
	}
	if (!hob_base)
		return ms_fail(err, MS_BAD_INPUT, "the TDVF metadata has no TD_HOB section");
	qsort(r, n, sizeof(r[0]), range_cmp);
	if (r[n - 1].accepted)
		return ms_fail(err, MS_USAGE, "guest memory ends inside the firmware's temporary memory");
	p = calloc(1, 56 + 48 * (n + 1));
	if (!p)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	p[0] = 1;  /* EFI_HOB_TYPE_HANDOFF (PHIT) */
	p[2] = 56;
	p[8] = 9;  /* version */
	for (unsigned k = 0; k + 1 < n; k++, at += 48)
		put_resource(p + at, r[k].accepted ? 0 : 7, r[k].start, r[k].end - r[k].start);
	if (memory_size >= BELOW_4G_SPLIT) {
		put_resource(p + at, 7, r[n - 1].start, LOW_RAM_TOP - r[n - 1].start);
		at += 48;
		put_resource(p + at, 7, FOUR_GIB, r[n - 1].end - LOW_RAM_TOP);
	} else {
		put_resource(p + at, 7, r[n - 1].start, r[n - 1].end - r[n - 1].start);
	}
	at += 48;
	ms_put_le64(p + 48, hob_base + at + 8); /* EfiEndOfHobList: past the 8-byte end HOB, which is not hashed */
	*hob = p;
	*len = at;
	return MS_OK;
}
