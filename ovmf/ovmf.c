/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "../common/bytes.h"
#include "ovmf.h"

#define FOOTER_GUID "96b582de-1fb2-45f7-baea-a366c55a082d"
#define RESET_BLOCK_GUID "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
#define SEV_METADATA_GUID "dc886566-984a-4798-a75e-5585a7bf67cc"
#define HASHES_TABLE_GUID "7255371f-3a3b-4b04-927b-1da6efa8d454"
#define TDX_METADATA_GUID "e47a6535-984a-4798-865e-4685a7bf8ec2"
#define SVSM_INFO_GUID "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"

/* The table ends this many bytes before the end of the image. */
#define TABLE_END_GAP 32
#define ENTRY_TRAILER 18 /* u16 size + GUID */
#define SEV_HEADER_LEN 16
#define SEV_DESCRIPTOR_LEN 12
#define SEV_MAX_ITEMS 256

static bool guid_is(const uint8_t *p, const char *text)
{
	struct ms_guid g = ms_guid_parse(text);

	return memcmp(p, g.b, 16) == 0;
}

const char *ms_sev_section_name(uint32_t type)
{
	switch (type) {
	case MS_SEV_SEC_MEM:
		return "SNP_SEC_MEM";
	case MS_SEV_SECRETS:
		return "SNP_SECRETS";
	case MS_SEV_CPUID:
		return "CPUID";
	case MS_SEV_SVSM_CAA:
		return "SVSM_CAA";
	case MS_SEV_KERNEL_HASHES:
		return "SNP_KERNEL_HASHES";
	}
	return "unknown";
}

/* Reads a u32 field of a table entry, which must hold at least need bytes. */
static enum ms_status entry_u32s(const uint8_t *data, size_t data_len, size_t at, const char *what,
				 size_t need, uint32_t *a, uint32_t *b, struct ms_err *err)
{
	if (data_len < need)
		return ms_fail(err, MS_BAD_INPUT,
			       "footer table entry %s at offset 0x%zx holds %zu bytes of data, needs %zu", what,
			       at, data_len, need);
	*a = ms_le32(data);
	if (b)
		*b = ms_le32(data + 4);
	return MS_OK;
}

static enum ms_status parse_sev_metadata(struct ms_ovmf *o, struct ms_err *err)
{
	size_t size = o->size, off = o->sev_metadata_offset, at, len, items;
	uint64_t total = 0;
	const uint8_t *h;

	if (off > size || off < SEV_HEADER_LEN)
		return ms_fail(err, MS_BAD_INPUT,
			       "SEV metadata offset 0x%zx (from the end) points outside the image (0x%zx bytes)",
			       off, size);
	at = size - off;
	h = o->data + at;
	if (memcmp(h, "ASEV", 4) != 0)
		return ms_fail(err, MS_BAD_INPUT, "SEV metadata at offset 0x%zx: signature is not \"ASEV\"", at);
	len = ms_le32(h + 4);
	if (ms_le32(h + 8) != 1)
		return ms_fail(err, MS_UNSUPPORTED, "SEV metadata at offset 0x%zx: version %u, only 1 is known",
			       at, ms_le32(h + 8));
	items = ms_le32(h + 12);
	if (items > SEV_MAX_ITEMS)
		return ms_fail(err, MS_BAD_INPUT, "SEV metadata at offset 0x%zx: %zu sections, more than %d",
			       at, items, SEV_MAX_ITEMS);
	if (items > MS_SEV_MAX_SECTIONS)
		return ms_fail(err, MS_UNSUPPORTED, "SEV metadata at offset 0x%zx: %zu sections, more than %d",
			       at, items, MS_SEV_MAX_SECTIONS);
	if (len < SEV_HEADER_LEN + items * SEV_DESCRIPTOR_LEN || len > off)
		return ms_fail(err, MS_BAD_INPUT,
			       "SEV metadata at offset 0x%zx: size 0x%zx does not fit %zu descriptors in the 0x%zx bytes to the end",
			       at, len, items, off);
	for (size_t i = 0; i < items; i++) {
		const uint8_t *d = h + SEV_HEADER_LEN + i * SEV_DESCRIPTOR_LEN;
		struct ms_sev_section *s = &o->sections[i];
		size_t desc_at = at + SEV_HEADER_LEN + i * SEV_DESCRIPTOR_LEN;

		s->gpa = ms_le32(d);
		s->size = ms_le32(d + 4);
		s->type = ms_le32(d + 8);
		if (!strcmp(ms_sev_section_name(s->type), "unknown"))
			return ms_fail(err, MS_BAD_INPUT,
				       "SEV metadata section %zu (offset 0x%zx): unknown section type 0x%x", i,
				       at + SEV_HEADER_LEN + i * SEV_DESCRIPTOR_LEN + 8, s->type);
		if ((uint64_t)s->gpa + s->size > 0x100000000ull)
			return ms_fail(err, MS_BAD_INPUT,
				       "SEV metadata section %zu (offset 0x%zx): GPA 0x%x + size 0x%x passes 4 GiB", i,
				       at + SEV_HEADER_LEN + i * SEV_DESCRIPTOR_LEN, s->gpa, s->size);
		/* each page of a section is one PAGE_INFO: overlaps and absurd sizes cost time, never sense */
		for (size_t k = 0; k < i; k++) {
			const struct ms_sev_section *p = &o->sections[k];

			if ((uint64_t)s->gpa < (uint64_t)p->gpa + p->size &&
			    (uint64_t)p->gpa < (uint64_t)s->gpa + s->size)
				return ms_fail(err, MS_BAD_INPUT,
					       "SEV metadata section %zu (offset 0x%zx): GPA 0x%x..0x%llx overlaps section %zu (GPA 0x%x..0x%llx)",
					       i, desc_at, s->gpa, (unsigned long long)s->gpa + s->size, k, p->gpa,
					       (unsigned long long)p->gpa + p->size);
		}
		total += s->size;
		if (total > MS_SEV_MAX_SECTION_BYTES)
			return ms_fail(err, MS_BAD_INPUT,
				       "SEV metadata section %zu (offset 0x%zx): size 0x%x (offset 0x%zx) brings the sections to 0x%llx bytes, more than the %llu MiB limit",
				       i, desc_at, s->size, desc_at + 4, (unsigned long long)total,
				       MS_SEV_MAX_SECTION_BYTES >> 20);
	}
	o->nsections = (unsigned)items;
	return MS_OK;
}

enum ms_status ms_ovmf_parse(const uint8_t *data, size_t size, struct ms_ovmf *o, struct ms_err *err)
{
	size_t end, start, pos, footer_len;
	enum ms_status st;

	memset(o, 0, sizeof(*o));
	o->data = data;
	o->size = size;
	if (size < TABLE_END_GAP + ENTRY_TRAILER)
		return MS_OK;
	end = size - TABLE_END_GAP;
	if (!guid_is(data + end - 16, FOOTER_GUID))
		return MS_OK;
	footer_len = ms_le16(data + end - ENTRY_TRAILER);
	if (footer_len < ENTRY_TRAILER || footer_len > end)
		return ms_fail(err, MS_BAD_INPUT,
			       "footer table length 0x%zx (offset 0x%zx) is %s", footer_len,
			       end - ENTRY_TRAILER,
			       footer_len < ENTRY_TRAILER ? "shorter than its own entry (18 bytes)"
							   : "longer than the image");
	o->has_table = true;
	start = end - footer_len;
	for (pos = end - ENTRY_TRAILER; pos > start;) {
		size_t len, entry;
		const uint8_t *guid, *edata;

		if (pos - start < ENTRY_TRAILER)
			return ms_fail(err, MS_BAD_INPUT,
				       "footer table entry ending at offset 0x%zx: %zu bytes left, an entry needs 18",
				       pos, pos - start);
		len = ms_le16(data + pos - ENTRY_TRAILER);
		guid = data + pos - 16;
		entry = pos - ENTRY_TRAILER;
		if (len < ENTRY_TRAILER)
			return ms_fail(err, MS_BAD_INPUT,
				       "footer table entry at offset 0x%zx: length %zu is shorter than 18 bytes",
				       entry, len);
		if (len > pos - start)
			return ms_fail(err, MS_BAD_INPUT,
				       "footer table entry at offset 0x%zx: length %zu runs past the table start (0x%zx)",
				       entry, len, start);
		edata = data + pos - len;
		len -= ENTRY_TRAILER;
		if (guid_is(guid, RESET_BLOCK_GUID)) {
			st = entry_u32s(edata, len, entry, "SEV-ES reset block", 4, &o->reset_eip, NULL, err);
			o->has_reset_eip = true;
		} else if (guid_is(guid, SEV_METADATA_GUID)) {
			st = entry_u32s(edata, len, entry, "SEV metadata", 4, &o->sev_metadata_offset, NULL, err);
			o->has_sev_metadata = true;
		} else if (guid_is(guid, HASHES_TABLE_GUID)) {
			st = entry_u32s(edata, len, entry, "SEV hashes table", 8, &o->hashes_table_gpa,
					&o->hashes_table_size, err);
			o->has_hashes_table = true;
		} else if (guid_is(guid, TDX_METADATA_GUID)) {
			st = entry_u32s(edata, len, entry, "TDX metadata", 4, &o->tdx_metadata_offset, NULL, err);
			o->has_tdx_metadata = true;
		} else if (guid_is(guid, SVSM_INFO_GUID)) {
			st = entry_u32s(edata, len, entry, "SVSM info", 4, &o->svsm_info_offset, NULL, err);
			o->has_svsm_info = true;
		} else {
			st = MS_OK; /* other entries do not affect measurements */
		}
		if (st)
			return st;
		pos -= len + ENTRY_TRAILER;
	}
	if (o->has_sev_metadata)
		return parse_sev_metadata(o, err);
	return MS_OK;
}
