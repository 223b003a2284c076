/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <string.h>

#include "../common/hex.h"
#include "../common/pubdoc.h"
#include "published.h"

bool ms_tdx_published_kernel_memory_ok(uint64_t memory)
{
	/* QEMU puts the initrd at the same place below 4 GiB for these sizes, so the edited header is the same */
	return memory == (2ull << 30) || memory >= 0xB0000000ull;
}

/* td_hob: a byte string of at most sizeof(out->td_hob) bytes, any length. */
static enum ms_status td_hob(const struct ms_pubdoc *doc, const cJSON *tdvf, struct ms_tdx_published *out,
			     struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(tdvf, "td_hob");
	size_t n;

	if (!v)
		return ms_fail(err, MS_BAD_INPUT, "%s: tdvf.td_hob is missing", doc->what);
	if (doc->cbor ? !cJSON_IsRaw(v) : !cJSON_IsString(v))
		return ms_fail(err, MS_BAD_INPUT, "%s: tdvf.td_hob is not a %s", doc->what,
			       doc->cbor ? "byte string" : "hex string");
	n = strlen(v->valuestring);
	if (n % 2 || n / 2 > sizeof(out->td_hob))
		return ms_fail(err, MS_BAD_INPUT, "%s: tdvf.td_hob is not hex of at most %zu bytes", doc->what,
			       sizeof(out->td_hob));
	out->td_hob_len = n / 2;
	return out->td_hob_len ? ms_hex_decode(v->valuestring, out->td_hob, out->td_hob_len, "tdvf.td_hob", err)
			       : MS_OK;
}

enum ms_status ms_tdx_published_parse(const uint8_t *buf, size_t len, const char *what, struct ms_tdx_published *out,
				      struct ms_err *err)
{
	static const char *const top_keys[] = { "version", "image", "tdvf", NULL };
	static const char *const image_keys[] = { "cmdline_sha384", "kernel_authenticode", "initrd_sha384", NULL };
	static const char *const tdvf_keys[] = { "ovmf", "mrtd", "td_hob", NULL };
	static const char *const mrtd_keys[] = { "single_pass", "two_pass", NULL };
	struct ms_pubdoc doc;
	const cJSON *image, *tdvf, *mrtd;
	const char *variant;
	uint64_t version;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if ((st = ms_pubdoc_load(buf, len, what, &doc, err)))
		return st;
	if (doc.cbor && (st = ms_pubdoc_only(&doc, doc.root, "", top_keys, err)))
		goto out;
	if ((st = ms_pubdoc_u64(&doc, doc.root, "version", "", UINT32_MAX, &version, NULL, err)))
		goto out;
	if (version != 3) {
		st = ms_fail(err, MS_UNSUPPORTED,
			     "%s: version %" PRIu64 ", only 3 (dstack's TdxOsImageMeasurement) is known", what, version);
		goto out;
	}
	if ((st = ms_pubdoc_object(&doc, doc.root, "image", "", true, &image, err)) ||
	    (st = ms_pubdoc_only(&doc, image, "image", image_keys, err)) ||
	    (st = ms_pubdoc_bytes(&doc, image, "cmdline_sha384", "image", out->cmdline_sha384, MS_SHA384_LEN, NULL,
				  err)) ||
	    (st = ms_pubdoc_bytes(&doc, image, "kernel_authenticode", "image", out->kernel_authenticode,
				  MS_SHA384_LEN, NULL, err)) ||
	    (st = ms_pubdoc_bytes(&doc, image, "initrd_sha384", "image", out->initrd_sha384, MS_SHA384_LEN, NULL,
				  err)) ||
	    (st = ms_pubdoc_object(&doc, doc.root, "tdvf", "", true, &tdvf, err)) ||
	    (st = ms_pubdoc_only(&doc, tdvf, "tdvf", tdvf_keys, err)) ||
	    (st = ms_pubdoc_text(&doc, tdvf, "ovmf", "tdvf", sizeof(out->ovmf_variant) - 1, &variant, NULL, err)) ||
	    (st = ms_pubdoc_object(&doc, tdvf, "mrtd", "tdvf", true, &mrtd, err)) ||
	    (st = ms_pubdoc_only(&doc, mrtd, "tdvf.mrtd", mrtd_keys, err)) ||
	    (st = ms_pubdoc_bytes(&doc, mrtd, "single_pass", "tdvf.mrtd", out->mrtd_single_pass, MS_SHA384_LEN,
				  NULL, err)) ||
	    (st = ms_pubdoc_bytes(&doc, mrtd, "two_pass", "tdvf.mrtd", out->mrtd_two_pass, MS_SHA384_LEN, NULL,
				  err)) ||
	    (st = td_hob(&doc, tdvf, out, err)))
		goto out;
	strcpy(out->ovmf_variant, variant);
out:
	ms_pubdoc_free(&doc);
	return st;
}
