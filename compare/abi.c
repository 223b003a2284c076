/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "../common/bytes.h"
#include "abi.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

struct ms_snp_tcb ms_snp_tcb_parts(uint64_t v, bool turin)
{
	if (turin)
		return (struct ms_snp_tcb){ v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff, (v >> 56) & 0xff };
	return (struct ms_snp_tcb){ 0, v & 0xff, (v >> 8) & 0xff, (v >> 48) & 0xff, (v >> 56) & 0xff };
}

const char *ms_snp_product_name(enum ms_snp_product p)
{
	switch (p) {
	case MS_SNP_PRODUCT_MILAN:
		return "Milan";
	case MS_SNP_PRODUCT_GENOA:
		return "Genoa";
	case MS_SNP_PRODUCT_TURIN:
		return "Turin";
	default:
		return "unknown";
	}
}

enum ms_snp_product ms_snp_report_product(const struct ms_snp_report *r)
{
	unsigned fam = r->cpuid_fam_id, model = r->cpuid_mod_id;

	if (!r->has_cpuid)
		return MS_SNP_PRODUCT_UNKNOWN;
	if (fam == 0x19)
		return model < 0x10 ? MS_SNP_PRODUCT_MILAN
		       : model < 0x20 || (model >= 0xa0 && model < 0xb0) ? MS_SNP_PRODUCT_GENOA
									  : MS_SNP_PRODUCT_UNKNOWN;
	if (fam == 0x1a)
		return MS_SNP_PRODUCT_TURIN;
	return MS_SNP_PRODUCT_UNKNOWN;
}

enum ms_status ms_snp_report_decode(const uint8_t *b, size_t len, struct ms_snp_report *r, struct ms_err *err)
{
	static const struct {
		size_t at, n;
	} mbz_v3[] = { { 0x4c, 4 }, { 0x18b, 21 }, { 0x1eb, 1 }, { 0x1ef, 1 }, { 0x208, 0x98 }, { 0x330, 0x170 } };

	memset(r, 0, sizeof(*r));
	if (len != MS_SNP_REPORT_LEN)
		return ms_fail(err, MS_BAD_INPUT, "an SNP report is %d bytes, this is %zu", MS_SNP_REPORT_LEN, len);
	r->version = ms_le32(b);
	if (r->version != 2 && r->version != 3 && r->version != 5)
		return ms_fail(err, r->version < 2 || r->version > 5 ? MS_BAD_INPUT : MS_UNSUPPORTED,
			       "report VERSION (offset 0x0) is %u; versions 2, 3 and 5 are known", r->version);
	r->signature_algo = ms_le32(b + 0x34);
	if (r->signature_algo != 1)
		return ms_fail(err, MS_UNSUPPORTED, "report SIGNATURE_ALGO (offset 0x34) is %u, not 1 (ECDSA P-384)",
			       r->signature_algo);
	r->policy = ms_le64(b + 8);
	if (!(r->policy & (1ull << 17)))
		return ms_fail(err, MS_BAD_INPUT, "report POLICY (offset 0x8) 0x%llx: reserved bit 17 is not set",
			       (unsigned long long)r->policy);
	if (r->policy >> 26)
		return ms_fail(err, MS_BAD_INPUT, "report POLICY (offset 0x8) 0x%llx: bits 63:26 must be zero",
			       (unsigned long long)r->policy);
	r->signer_info = ms_le32(b + 0x48);
	r->author_key_en = r->signer_info & 1;
	r->mask_chip_key = (r->signer_info >> 1) & 1;
	r->signing_key = (r->signer_info >> 2) & 7;
	if (r->signer_info >> 5 || (r->signing_key > 1 && r->signing_key != MS_SNP_KEY_NONE))
		return ms_fail(err, MS_BAD_INPUT, "report SIGNER_INFO (offset 0x48) 0x%x has reserved values",
			       r->signer_info);
	for (size_t i = 0; i < sizeof(mbz_v3) / sizeof(mbz_v3[0]); i++) {
		size_t at = mbz_v3[i].at, n = mbz_v3[i].n;

		if (i == 1 && r->version == 2) /* no CPUID fields before version 3 */
			at = 0x188, n = 24;
		if (i == 4 && r->version < 5) /* the mitigation vectors came with version 5 */
			at = 0x1f8, n = 0xa8;
		if (!all_zero(b + at, n))
			return ms_fail(err, MS_BAD_INPUT, "report bytes 0x%zx..0x%zx are reserved and must be zero", at,
				       at + n - 1);
	}
	r->guest_svn = ms_le32(b + 4);
	memcpy(r->family_id, b + 0x10, 16);
	memcpy(r->image_id, b + 0x20, 16);
	r->vmpl = ms_le32(b + 0x30);
	r->current_tcb = ms_le64(b + 0x38);
	r->platform_info = ms_le64(b + 0x40);
	memcpy(r->report_data, b + 0x50, 64);
	memcpy(r->measurement, b + 0x90, 48);
	memcpy(r->host_data, b + 0xc0, 32);
	memcpy(r->id_key_digest, b + 0xe0, 48);
	memcpy(r->author_key_digest, b + 0x110, 48);
	memcpy(r->report_id, b + 0x140, 32);
	memcpy(r->report_id_ma, b + 0x160, 32);
	r->reported_tcb = ms_le64(b + 0x180);
	if (r->version >= 3) {
		r->has_cpuid = true;
		r->cpuid_fam_id = b[0x188];
		r->cpuid_mod_id = b[0x189];
		r->cpuid_step = b[0x18a];
	}
	memcpy(r->chip_id, b + 0x1a0, 64);
	r->committed_tcb = ms_le64(b + 0x1e0);
	r->current_build = b[0x1e8];
	r->current_minor = b[0x1e9];
	r->current_major = b[0x1ea];
	r->committed_build = b[0x1ec];
	r->committed_minor = b[0x1ed];
	r->committed_major = b[0x1ee];
	r->launch_tcb = ms_le64(b + 0x1f0);
	if (r->version >= 5) {
		r->has_mit_vectors = true;
		r->launch_mit_vector = ms_le64(b + 0x1f8);
		r->current_mit_vector = ms_le64(b + 0x200);
	}
	memcpy(r->signature_r, b + 0x2a0, 72);
	memcpy(r->signature_s, b + 0x2e8, 72);
	r->signed_bytes = b;
	return MS_OK;
}

#define TDX_HEADER_LEN 48
#define TDX_BODY_V4 584
#define TDX_BODY_V5_15 648

static void sgx_report_body(const uint8_t *p, struct ms_sgx_report_body *o)
{
	memcpy(o->cpu_svn, p, 16);
	o->misc_select = ms_le32(p + 16);
	memcpy(o->attributes, p + 48, 16);
	memcpy(o->mr_enclave, p + 64, 32);
	memcpy(o->mr_signer, p + 128, 32);
	o->isv_prod_id = ms_le16(p + 256);
	o->isv_svn = ms_le16(p + 258);
	memcpy(o->report_data, p + 320, 64);
	o->raw = p;
}

enum ms_status ms_tdx_quote_decode(const uint8_t *q, size_t len, struct ms_tdx_quote *o, struct ms_err *err)
{
	size_t at, body, body_len, sig_len, cert_size, inner, end, cert_end;
	const uint8_t *b;

	memset(o, 0, sizeof(*o));
	if (len < TDX_HEADER_LEN + 6)
		return ms_fail(err, MS_BAD_INPUT, "TDX quote is %zu bytes, too short for its header", len);
	o->version = ms_le16(q);
	o->att_key_type = ms_le16(q + 2);
	o->tee_type = ms_le32(q + 4);
	if (o->version != 4 && o->version != 5)
		return ms_fail(err, o->version >= 1 && o->version <= 8 ? MS_UNSUPPORTED : MS_BAD_INPUT,
			       "quote version (offset 0x0) is %u; 4 and 5 are known", o->version);
	if (o->att_key_type != 2)
		return ms_fail(err, MS_UNSUPPORTED, "attestation key type (offset 0x2) is %u, not 2 (ECDSA P-256)",
			       o->att_key_type);
	if (o->tee_type != 0x81)
		return ms_fail(err, MS_BAD_INPUT, "TEE type (offset 0x4) is 0x%x, not 0x81 (TDX)", o->tee_type);
	o->pce_svn = ms_le16(q + 8);
	o->qe_svn = ms_le16(q + 10);
	memcpy(o->qe_vendor_id, q + 12, 16);
	memcpy(o->user_data, q + 28, 20);
	if (o->version == 4) {
		body = TDX_HEADER_LEN;
		body_len = TDX_BODY_V4;
		o->body_type = 2;
	} else {
		o->body_type = ms_le16(q + TDX_HEADER_LEN);
		body_len = ms_le32(q + TDX_HEADER_LEN + 2);
		body = TDX_HEADER_LEN + 6;
		if (!((o->body_type == 2 && body_len == TDX_BODY_V4) || (o->body_type == 3 && body_len == TDX_BODY_V5_15)))
			return ms_fail(err, MS_UNSUPPORTED,
				       "quote body type %u of %zu bytes (offset 0x30): TDX 1.0 (2, 584) and 1.5 (3, 648) are known",
				       o->body_type, body_len);
	}
	o->signed_len = body + body_len;
	if (o->signed_len + 4 > len)
		return ms_fail(err, MS_BAD_INPUT, "quote body runs past the end of the quote (%zu bytes)", len);
	b = q + body;
	memcpy(o->tee_tcb_svn, b, 16);
	memcpy(o->mr_seam, b + 16, 48);
	memcpy(o->mr_signer_seam, b + 64, 48);
	memcpy(o->seam_attributes, b + 112, 8);
	memcpy(o->td_attributes, b + 120, 8);
	memcpy(o->xfam, b + 128, 8);
	memcpy(o->mr_td, b + 136, 48);
	memcpy(o->mr_config_id, b + 184, 48);
	memcpy(o->mr_owner, b + 232, 48);
	memcpy(o->mr_owner_config, b + 280, 48);
	for (int i = 0; i < 4; i++)
		memcpy(o->rtmr[i], b + 328 + 48 * i, 48);
	memcpy(o->report_data, b + 520, 64);
	if (o->body_type == 3) {
		o->has_tdx15 = true;
		memcpy(o->tee_tcb_svn2, b + 584, 16);
		memcpy(o->mr_service_td, b + 600, 48);
	}
	o->signed_bytes = q;

	sig_len = ms_le32(q + o->signed_len);
	at = o->signed_len + 4;
	if (sig_len > len - at || sig_len < 64 + 64 + 6)
		return ms_fail(err, MS_BAD_INPUT, "signature data length %zu (offset 0x%zx) runs past the end", sig_len,
			       o->signed_len);
	end = at + sig_len;
	/*
	 * Bytes after the signature data are covered by nothing. They are
	 * tolerated, as Intel's and Google's verifiers do (go-tdx-guest's own
	 * sample quote carries some), counted, and reported by the verifier;
	 * inside the signature data every byte must belong to a field.
	 */
	o->trailing = len - end;
	memcpy(o->signature, q + at, 64);
	memcpy(o->attestation_key, q + at + 64, 64);
	at += 128;
	if (ms_le16(q + at) != 6)
		return ms_fail(err, MS_UNSUPPORTED, "certification data type (offset 0x%zx) is %u, not 6 (QE report)", at,
			       ms_le16(q + at));
	cert_size = ms_le32(q + at + 2);
	at += 6;
	if (cert_size > end - at || cert_size < MS_TDX_QE_REPORT_LEN + 64 + 2 + 6)
		return ms_fail(err, MS_BAD_INPUT, "certification data size %zu (offset 0x%zx) does not fit the signature data",
			       cert_size, at - 4);
	if (at + cert_size != end)
		return ms_fail(err, MS_BAD_INPUT, "certification data (offset 0x%zx) ends at 0x%zx, before the signature data does (0x%zx)",
			       at - 6, at + cert_size, end);
	cert_end = at + cert_size;
	sgx_report_body(q + at, &o->qe);
	memcpy(o->qe_signature, q + at + MS_TDX_QE_REPORT_LEN, 64);
	at += MS_TDX_QE_REPORT_LEN + 64;
	o->qe_auth_len = ms_le16(q + at);
	at += 2;
	if (o->qe_auth_len > cert_end - at || cert_end - at - o->qe_auth_len < 6)
		return ms_fail(err, MS_BAD_INPUT, "QE authentication data size %zu (offset 0x%zx) runs past the certification data",
			       o->qe_auth_len, at - 2);
	o->qe_auth = q + at;
	at += o->qe_auth_len;
	if (ms_le16(q + at) != 5)
		return ms_fail(err, MS_UNSUPPORTED, "inner certification data type (offset 0x%zx) is %u, not 5 (PCK chain)",
			       at, ms_le16(q + at));
	inner = ms_le32(q + at + 2);
	at += 6;
	if (inner > cert_end - at)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate chain size %zu (offset 0x%zx) runs past the certification data",
			       inner, at - 4);
	if (inner == 0)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate chain (offset 0x%zx) is empty", at);
	if (at + inner != cert_end)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate chain (offset 0x%zx) ends at 0x%zx, before its certification data does (0x%zx)",
			       at, at + inner, cert_end);
	o->pck_chain = q + at;
	o->pck_chain_len = inner;
	return MS_OK;
}
