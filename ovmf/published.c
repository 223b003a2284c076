/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/json_strict.h"
#include "../common/pubdoc.h"
#include "published.h"
#include "sev.h"

#define FOUR_GIB 0x100000000ull

static enum ms_status read_sections(const struct ms_pubdoc *doc, const cJSON *arr, const char *path,
				    struct ms_ovmf *o, struct ms_err *err)
{
	static const char *const keys[] = { "gpa", "size", "type", NULL };
	uint64_t total = 0;
	const cJSON *item;
	unsigned n = 0;
	enum ms_status st;

	if (!cJSON_IsArray(arr))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is not an array", doc->what, path);
	if (cJSON_GetArraySize(arr) > MS_SEV_MAX_SECTIONS)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s has %d sections, more than %d", doc->what, path,
			       cJSON_GetArraySize(arr), MS_SEV_MAX_SECTIONS);
	cJSON_ArrayForEach(item, arr) {
		struct ms_sev_section *s = &o->sections[n];
		uint64_t gpa, size, type;
		char at[64];

		snprintf(at, sizeof(at), "%s[%u]", path, n);
		if (!cJSON_IsObject(item))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s is not a map", doc->what, at);
		if ((st = ms_pubdoc_only(doc, item, at, keys, err)) ||
		    (st = ms_pubdoc_u64(doc, item, "gpa", at, UINT32_MAX, &gpa, NULL, err)) ||
		    (st = ms_pubdoc_u64(doc, item, "size", at, UINT32_MAX, &size, NULL, err)) ||
		    (st = ms_pubdoc_u64(doc, item, "type", at, UINT32_MAX, &type, NULL, err)))
			return st;
		if (!strcmp(ms_sev_section_name((uint32_t)type), "unknown"))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s.type: unknown section type 0x%" PRIx64, doc->what, at,
				       type);
		if (size == 0)
			return ms_fail(err, MS_BAD_INPUT, "%s: %s.size is 0", doc->what, at);
		if (gpa + size > FOUR_GIB)
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: GPA 0x%" PRIx64 " + size 0x%" PRIx64 " passes 4 GiB",
				       doc->what, at, gpa, size);
		for (unsigned k = 0; k < n; k++) {
			const struct ms_sev_section *p = &o->sections[k];

			if (gpa < (uint64_t)p->gpa + p->size && p->gpa < gpa + size)
				return ms_fail(err, MS_BAD_INPUT, "%s: %s overlaps %s[%u]", doc->what, at, path, k);
		}
		total += size;
		if (total > MS_SEV_MAX_SECTION_BYTES)
			return ms_fail(err, MS_BAD_INPUT, "%s: %s brings the sections to 0x%" PRIx64
				       " bytes, more than the %llu MiB limit", doc->what, at, total,
				       MS_SEV_MAX_SECTION_BYTES >> 20);
		s->gpa = (uint32_t)gpa;
		s->size = (uint32_t)size;
		s->type = (uint32_t)type;
		n++;
	}
	o->nsections = n;
	return MS_OK;
}

/* reset_eip and hashes_table_gpa: both below 4 GiB and not zero (dstack refuses zero as well). */
static enum ms_status read_footer(const struct ms_pubdoc *doc, const cJSON *obj, bool required, struct ms_ovmf *o,
				  struct ms_err *err)
{
	uint64_t eip, gpa;
	bool have_eip = true, have_gpa = true;
	enum ms_status st;

	if ((st = ms_pubdoc_u64(doc, obj, "reset_eip", "", UINT32_MAX, &eip, required ? NULL : &have_eip, err)) ||
	    (st = ms_pubdoc_u64(doc, obj, "hashes_table_gpa", "", UINT32_MAX, &gpa, required ? NULL : &have_gpa,
				err)))
		return st;
	if (have_eip && eip == 0)
		return ms_fail(err, MS_BAD_INPUT, "%s: reset_eip is 0", doc->what);
	if (have_gpa && gpa == 0)
		return ms_fail(err, MS_BAD_INPUT, "%s: hashes_table_gpa is 0", doc->what);
	o->has_table = true;
	if (have_eip) {
		o->has_reset_eip = true;
		o->reset_eip = (uint32_t)eip;
	}
	if (have_gpa) {
		o->has_hashes_table = true;
		o->hashes_table_gpa = (uint32_t)gpa;
		o->hashes_table_size = MS_SEV_HASHES_TABLE_LEN;
	}
	return MS_OK;
}

enum ms_status ms_snp_published_parse(const uint8_t *buf, size_t len, const char *what,
				      struct ms_snp_published *out, struct ms_err *err)
{
	static const char *const cbor_keys[] = { "version",    "cmdline",	  "ovmf_hash", "kernel_hash",
						 "initrd_hash", "hashes_table_gpa", "reset_eip", "ovmf_sections",
						 NULL };
	struct ms_pubdoc doc;
	const cJSON *root, *sections;
	const char *cmdline, *vcpu_type;
	uint64_t version, v;
	bool initrd_empty, present;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if ((st = ms_pubdoc_load(buf, len, what, &doc, err)))
		return st;
	root = doc.root;
	out->cbor = doc.cbor;
	if (doc.cbor && (st = ms_pubdoc_only(&doc, root, "", cbor_keys, err)))
		goto out;
	if ((st = ms_pubdoc_u64(&doc, root, "version", "", UINT32_MAX, &version, NULL, err)))
		goto out;
	if (version != 3) {
		st = ms_fail(err, MS_UNSUPPORTED, "%s: version %" PRIu64 ", only 3 (dstack's SevOsImageMeasurement) is known",
			     what, version);
		goto out;
	}
	if ((st = ms_pubdoc_text(&doc, root, "cmdline", "", MS_SNP_PUBLISHED_MAX_CMDLINE, &cmdline, NULL, err)) ||
	    (st = ms_pubdoc_bytes(&doc, root, "ovmf_hash", "", out->ovmf_hash, MS_SHA384_LEN, NULL, err)) ||
	    (st = ms_pubdoc_bytes(&doc, root, "kernel_hash", "", out->kernel_sha256, MS_SHA256_LEN, NULL, err)) ||
	    (st = ms_pubdoc_bytes(&doc, root, "initrd_hash", "", out->initrd_sha256, MS_SHA256_LEN, &initrd_empty,
				  err)) ||
	    (st = read_footer(&doc, root, true, &out->ovmf, err)))
		goto out;
	strcpy(out->cmdline, cmdline);
	/* dstack and QEMU: an empty initrd hash stands for the SHA-256 of no initrd (zero bytes) */
	if (initrd_empty)
		ms_sha256("", 0, out->initrd_sha256);
	sections = cJSON_GetObjectItemCaseSensitive(root, "ovmf_sections");
	if (!sections) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: ovmf_sections is missing", what);
		goto out;
	}
	if ((st = read_sections(&doc, sections, "ovmf_sections", &out->ovmf, err)))
		goto out;
	if (doc.cbor)
		goto out;
	/* the JSON form may carry the deployment's parameters */
	if ((st = ms_pubdoc_u64(&doc, root, "vcpus", "", MS_SNP_MAX_VCPUS, &v, &out->has_vcpus, err)))
		goto out;
	if (out->has_vcpus && v == 0) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: vcpus is 0", what);
		goto out;
	}
	out->vcpus = (unsigned)v;
	if ((st = ms_pubdoc_text(&doc, root, "vcpu_type", "", sizeof(out->vcpu_type) - 1, &vcpu_type, &present, err)))
		goto out;
	if (present) {
		out->has_vcpu_type = true;
		strcpy(out->vcpu_type, vcpu_type);
	}
	st = ms_pubdoc_u64(&doc, root, "guest_features", "", UINT64_MAX, &out->guest_features,
			   &out->has_guest_features, err);
out:
	ms_pubdoc_free(&doc);
	return st;
}

enum ms_status ms_snp_sections_parse(const uint8_t *buf, size_t len, const char *what, struct ms_ovmf *out,
				     struct ms_err *err)
{
	static const char *const keys[] = { "ovmf_sections", "reset_eip", "hashes_table_gpa", NULL };
	struct ms_pubdoc doc = { .what = what };
	const cJSON *sections;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if (len > MS_PUBDOC_MAX_LEN)
		return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes, more than %u", what, len, MS_PUBDOC_MAX_LEN);
	if ((st = ms_json_parse_strict((const char *)buf, len, what, &doc.root, err)))
		return st;
	if (cJSON_IsArray(doc.root)) {
		st = read_sections(&doc, doc.root, "sections", out, err);
	} else if (!cJSON_IsObject(doc.root)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: neither an array of sections nor an object", what);
	} else if (!(st = ms_pubdoc_only(&doc, doc.root, "", keys, err)) &&
		   !(st = read_footer(&doc, doc.root, false, out, err))) {
		sections = cJSON_GetObjectItemCaseSensitive(doc.root, "ovmf_sections");
		st = sections ? read_sections(&doc, sections, "ovmf_sections", out, err)
			      : ms_fail(err, MS_BAD_INPUT, "%s: ovmf_sections is missing", what);
	}
	ms_pubdoc_free(&doc);
	return st;
}
