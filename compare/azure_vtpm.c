/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Azure vTPM evidence as trustee's az-snp-vtpm and az-tdx-vtpm attesters
 * write it. The HCL report is unsigned except for the hardware report inside
 * it; that report's REPORT_DATA binds the runtime data (SHA-256), which names
 * the AK, which signs the TPM quote, which vouches for the PCRs. Each link is
 * checked before the next is trusted.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "azure.h"
#include "maa.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum ms_status ms_hcl_parse(const uint8_t *buf, size_t len, struct ms_hcl_report *out, struct ms_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len < MS_HCL_VAR_OFF)
		return ms_fail(err, MS_BAD_INPUT, "HCL report: %zu bytes, shorter than its header, hardware report and "
						  "request data (0x%x)", len, MS_HCL_VAR_OFF);
	if (memcmp(buf, "HCLA", 4))
		return ms_fail(err, MS_BAD_INPUT, "HCL report: signature at offset 0x0 is not \"HCLA\"");
	out->version = le32(buf + 4);
	out->report_size = le32(buf + 8);
	out->request_type = le32(buf + 12);
	out->status = le32(buf + 16);
	out->data_size = le32(buf + MS_HCL_REQUEST_OFF);
	out->data_version = le32(buf + MS_HCL_REQUEST_OFF + 4);
	out->report_type = le32(buf + MS_HCL_REQUEST_OFF + 8);
	out->hash_type = le32(buf + MS_HCL_REQUEST_OFF + 12);
	out->var_size = le32(buf + MS_HCL_REQUEST_OFF + 16);
	if (out->version < 1 || out->version > 2)
		return ms_fail(err, MS_UNSUPPORTED, "HCL report: header version %u (offset 0x4) is not 1 or 2", out->version);
	if (out->report_type != MS_HCL_TYPE_SNP && out->report_type != MS_HCL_TYPE_TDX)
		return ms_fail(err, MS_UNSUPPORTED, "HCL report: report type %u (offset 0x%x) is neither SNP (2) nor TDX (4)",
			       out->report_type, MS_HCL_REQUEST_OFF + 8);
	if (out->var_size > len - MS_HCL_VAR_OFF)
		return ms_fail(err, MS_BAD_INPUT, "HCL report: runtime data of %u bytes (offset 0x%x) runs past the end (%zu bytes)",
			       out->var_size, MS_HCL_REQUEST_OFF + 16, len);
	if (out->data_size != MS_HCL_REQUEST_LEN + out->var_size)
		return ms_fail(err, MS_BAD_INPUT, "HCL report: request data size %u (offset 0x%x) is not 20 + the runtime data's %u",
			       out->data_size, MS_HCL_REQUEST_OFF, out->var_size);
	if (out->report_size != MS_HCL_VAR_OFF + out->var_size)
		return ms_fail(err, MS_BAD_INPUT, "HCL report: report size %u (offset 0x8) is not 0x%x + the runtime data's %u",
			       out->report_size, MS_HCL_VAR_OFF, out->var_size);
	for (size_t i = out->report_size; i < len; i++)
		if (buf[i])
			return ms_fail(err, MS_BAD_INPUT, "HCL report: byte 0x%zx past the report's %u bytes is not zero padding", i,
				       out->report_size);
	out->hw_report = buf + MS_HCL_HEADER_LEN;
	out->var_data = buf + MS_HCL_VAR_OFF;
	return MS_OK;
}

enum decoding { HEX, BASE64URL };

/* A bytes field: an array of 0-255 (trustee v0), hex, or base64url with or without padding. */
static enum ms_status bytes_of(const cJSON *v, enum decoding how, const char *what, uint8_t **out, size_t *len,
			       struct ms_err *err)
{
	size_t n = 0, i = 0;
	const cJSON *e;

	*out = NULL;
	*len = 0;
	if (cJSON_IsArray(v)) {
		n = (size_t)cJSON_GetArraySize(v);
		if (!(*out = malloc(n ? n : 1)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		cJSON_ArrayForEach(e, v) {
			uint64_t b;

			if (!ms_json_u64(e, false, 255, &b)) {
				free(*out);
				*out = NULL;
				return ms_fail(err, MS_BAD_INPUT, "Azure evidence: %s[%zu] is not a byte (0-255)", what, i);
			}
			(*out)[i++] = (uint8_t)b;
		}
		*len = n;
		return MS_OK;
	}
	if (!cJSON_IsString(v))
		return ms_fail(err, MS_BAD_INPUT, "Azure evidence: %s is neither a byte array nor a string", what);
	n = strlen(v->valuestring);
	if (how == HEX) {
		if (n % 2 || !(*out = malloc(n / 2 + 1)) || ms_hex_decode(v->valuestring, *out, n / 2, what, NULL)) {
			free(*out);
			*out = NULL;
			return ms_fail(err, MS_BAD_INPUT, "Azure evidence: %s is not hex", what);
		}
		*len = n / 2;
		return MS_OK;
	}
	/* padding, when present, makes the length a multiple of 4 */
	while (i < 2 && n > 0 && v->valuestring[n - 1] == '=')
		n--, i++;
	if (i && (n + i) % 4)
		return ms_fail(err, MS_BAD_INPUT, "Azure evidence: %s has base64 padding in the wrong place", what);
	return ms_base64url_decode(v->valuestring, n, out, len, what, err);
}

void ms_azure_vtpm_free(struct ms_azure_vtpm *az)
{
	free(az->hcl);
	free(az->td_quote);
	free(az->vcek);
	free(az->msg);
	free(az->sig);
	memset(az, 0, sizeof(*az));
}

static enum ms_status pcrs_of(const cJSON *list, struct ms_tpm_pcrs *out, struct ms_err *err)
{
	struct ms_tpm_bank *bank;
	const cJSON *e;
	unsigned i = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != MS_TPM_NUM_PCRS)
		return ms_fail(err, MS_BAD_INPUT, "Azure evidence: quote.pcrs is not a list of 24 SHA-256 PCR values");
	bank = ms_tpm_pcrs_bank(out, TPM2_ALG_SHA256, true);
	cJSON_ArrayForEach(e, list) {
		uint8_t *v = NULL;
		size_t n = 0;
		enum ms_status st = bytes_of(e, HEX, "quote.pcrs[]", &v, &n, err);

		if (!st && n != 32)
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: quote.pcrs[%u] is %zu bytes, not 32", i, n);
		if (st) {
			free(v);
			return st;
		}
		memcpy(bank->value[i], v, 32);
		bank->present |= 1u << i;
		free(v);
		i++;
	}
	return MS_OK;
}

enum ms_status ms_azure_vtpm_parse(const uint8_t *buf, size_t len, struct ms_azure_vtpm *az, struct ms_err *err)
{
	static const char *const known[] = { "version", "quote", "tpm_quote", "report", "hcl_report", "vcek", "td_quote" };
	cJSON *root = NULL;
	const cJSON *version, *quote, *report, *vcek, *td, *f;
	enum ms_status st;

	memset(az, 0, sizeof(*az));
	if (len > MS_AZURE_VTPM_MAX)
		return ms_fail(err, MS_BAD_INPUT, "Azure evidence: %zu bytes is more than %u", len, MS_AZURE_VTPM_MAX);
	if ((st = ms_json_parse_strict((const char *)buf, len, "Azure evidence", &root, err)))
		return st;
	if (!cJSON_IsObject(root)) {
		st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: not a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(f, root) {
		size_t i = 0;

		while (i < sizeof(known) / sizeof(known[0]) && strcmp(known[i], f->string))
			i++;
		if (i == sizeof(known) / sizeof(known[0])) {
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: unknown field \"%.40s\"", f->string);
			goto out;
		}
	}
	version = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (version) {
		uint64_t v;

		if (!ms_json_u64(version, false, UINT32_MAX, &v)) {
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: \"version\" is not an integer");
			goto out;
		}
		if (v == 0) {
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: \"version\": 0 is written by no attester (v0 evidence has "
							"no \"version\"; 1 and 2 carry theirs)");
			goto out;
		}
		if (v > 2) {
			st = ms_fail(err, MS_UNSUPPORTED, "Azure evidence: version %llu is not supported (v0 without \"version\", 1, 2)",
				     (unsigned long long)v);
			goto out;
		}
		az->version = (int)v;
	}
	quote = cJSON_GetObjectItemCaseSensitive(root, az->version ? "tpm_quote" : "quote");
	report = cJSON_GetObjectItemCaseSensitive(root, az->version ? "hcl_report" : "report");
	if (cJSON_GetObjectItemCaseSensitive(root, az->version ? "quote" : "tpm_quote") ||
	    cJSON_GetObjectItemCaseSensitive(root, az->version ? "report" : "hcl_report")) {
		/* az-tdx-vtpm's v0 names them as v1 does, without "version" */
		if (az->version || !cJSON_GetObjectItemCaseSensitive(root, "tpm_quote") ||
		    !cJSON_GetObjectItemCaseSensitive(root, "hcl_report") || cJSON_GetObjectItemCaseSensitive(root, "quote") ||
		    cJSON_GetObjectItemCaseSensitive(root, "report")) {
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: v0 names report and quote, v1 and v2 hcl_report and tpm_quote");
			goto out;
		}
		quote = cJSON_GetObjectItemCaseSensitive(root, "tpm_quote");
		report = cJSON_GetObjectItemCaseSensitive(root, "hcl_report");
	}
	vcek = cJSON_GetObjectItemCaseSensitive(root, "vcek");
	td = cJSON_GetObjectItemCaseSensitive(root, "td_quote");
	if (!cJSON_IsObject(quote) || !report) {
		st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: the TPM quote object or the HCL report is missing");
		goto out;
	}
	cJSON_ArrayForEach(f, quote)
		if (strcmp(f->string, "signature") && strcmp(f->string, "message") && strcmp(f->string, "pcrs")) {
			st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: unknown quote field \"%.40s\"", f->string);
			goto out;
		}
	if ((st = bytes_of(report, BASE64URL, "hcl_report", &az->hcl, &az->hcl_len, err)) ||
	    (st = bytes_of(cJSON_GetObjectItemCaseSensitive(quote, "signature"), HEX, "quote.signature", &az->sig, &az->sig_len, err)) ||
	    (st = bytes_of(cJSON_GetObjectItemCaseSensitive(quote, "message"), HEX, "quote.message", &az->msg, &az->msg_len, err)) ||
	    (st = pcrs_of(cJSON_GetObjectItemCaseSensitive(quote, "pcrs"), &az->pcrs, err)))
		goto out;
	if (td && (st = bytes_of(td, BASE64URL, "td_quote", &az->td_quote, &az->td_quote_len, err)))
		goto out;
	if (vcek) {
		if (cJSON_IsString(vcek) && !strncmp(vcek->valuestring, "-----BEGIN", 10)) {
			az->vcek_len = strlen(vcek->valuestring);
			if (!(az->vcek = (uint8_t *)strdup(vcek->valuestring))) {
				st = ms_fail(err, MS_NO_MEMORY, "out of memory");
				goto out;
			}
		} else if ((st = bytes_of(vcek, BASE64URL, "vcek", &az->vcek, &az->vcek_len, err))) {
			goto out;
		}
	}
	if (az->sig_len > sizeof(((TPM2B_PUBLIC_KEY_RSA *)0)->buffer) || az->sig_len < 256) {
		st = ms_fail(err, MS_BAD_INPUT, "Azure evidence: quote.signature is %zu bytes, not an RSA-2048 to -4096 signature",
			     az->sig_len);
		goto out;
	}
out:
	cJSON_Delete(root);
	if (st)
		ms_azure_vtpm_free(az);
	return st;
}

/* The runtime data's HCLAkPub, an RSA JWK; its user-data (the attester's own binding) is listed. */
static enum ms_status runtime_ak(const uint8_t *var, size_t len, EVP_PKEY **ak, struct ms_checks *checks, struct ms_err *err)
{
	cJSON *root = NULL;
	const cJSON *keys, *k, *found = NULL;
	enum ms_status st;

	*ak = NULL;
	if ((st = ms_json_parse_strict((const char *)var, len, "HCL runtime data", &root, err)))
		return st;
	keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!cJSON_IsArray(keys)) {
		st = ms_fail(err, MS_BAD_INPUT, "HCL runtime data: no \"keys\" array");
		goto out;
	}
	cJSON_ArrayForEach(k, keys) {
		const cJSON *kid = cJSON_GetObjectItemCaseSensitive(k, "kid");

		if (cJSON_IsString(kid) && !strcmp(kid->valuestring, "HCLAkPub")) {
			if (found) {
				st = ms_fail(err, MS_BAD_INPUT, "HCL runtime data: two keys named HCLAkPub");
				goto out;
			}
			found = k;
		}
	}
	if (!found) {
		st = ms_fail(err, MS_BAD_INPUT, "HCL runtime data: no key named HCLAkPub (the attestation key)");
		goto out;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(found, "kty")) ||
	    strcmp(cJSON_GetObjectItemCaseSensitive(found, "kty")->valuestring, "RSA")) {
		st = ms_fail(err, MS_UNSUPPORTED, "HCL runtime data: HCLAkPub is not an RSA key");
		goto out;
	}
	/* the AK signs the quote: a weak one makes it forgeable, a signature failure (exit 3) */
	if ((st = ms_jwk_rsa(found, MS_BAD_SIGNATURE, ak, err)))
		goto out;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "user-data")))
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "runtime user-data", "(not pinned)",
				   cJSON_GetObjectItemCaseSensitive(root, "user-data")->valuestring);
out:
	cJSON_Delete(root);
	return st;
}

/* The TDREPORT inside the HCL report against the verified TD quote: the same TD. */
static bool tdreport_matches(const uint8_t *r, const struct ms_tdx_quote *q, struct ms_checks *checks)
{
	static const struct {
		const char *what;
		size_t off, len, qoff;
	} fields[] = {
		{ "TDREPORT report_data", 0x80, 64, offsetof(struct ms_tdx_quote, report_data) },
		/* TEE_TCB_INFO at 0x100: valid (8), tee_tcb_svn, mrseam, mrsignerseam, attributes */
		{ "TDREPORT tee_tcb_svn", 0x100 + 8, 16, offsetof(struct ms_tdx_quote, tee_tcb_svn) },
		{ "TDREPORT mrseam", 0x100 + 24, 48, offsetof(struct ms_tdx_quote, mr_seam) },
		{ "TDREPORT mrsignerseam", 0x100 + 72, 48, offsetof(struct ms_tdx_quote, mr_signer_seam) },
		{ "TDREPORT seam_attributes", 0x100 + 120, 8, offsetof(struct ms_tdx_quote, seam_attributes) },
		{ "TDREPORT td_attributes", 0x200, 8, offsetof(struct ms_tdx_quote, td_attributes) },
		{ "TDREPORT xfam", 0x208, 8, offsetof(struct ms_tdx_quote, xfam) },
		{ "TDREPORT mrtd", 0x210, 48, offsetof(struct ms_tdx_quote, mr_td) },
		{ "TDREPORT mrconfigid", 0x240, 48, offsetof(struct ms_tdx_quote, mr_config_id) },
		{ "TDREPORT mrowner", 0x270, 48, offsetof(struct ms_tdx_quote, mr_owner) },
		{ "TDREPORT mrownerconfig", 0x2a0, 48, offsetof(struct ms_tdx_quote, mr_owner_config) },
		{ "TDREPORT rtmrs", 0x2d0, 192, offsetof(struct ms_tdx_quote, rtmr) },
	};
	bool all = true;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		bool eq = !memcmp(r + fields[i].off, (const uint8_t *)q + fields[i].qoff, fields[i].len);

		ms_check_add(checks, eq, fields[i].what, "equal to the TD quote's", eq ? "equal" : "differs");
		all &= eq;
	}
	return all;
}

enum ms_status ms_azure_vtpm_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
				    struct ms_azure_vtpm *az, struct ms_evidence *ev, struct ms_checks *checks,
				    struct ms_err *err)
{
	struct ms_verify_options vo = *o;
	struct ms_hcl_report hcl;
	struct ms_tpm_evidence in = { 0 };
	TPMT_SIGNATURE sig = { 0 };
	EVP_PKEY *ak = NULL;
	uint8_t digest[32], *report_data;
	char a[80], b[80];
	enum ms_status st;
	bool snp;

	memset(ev, 0, sizeof(*ev));
	if ((st = ms_azure_vtpm_parse(buf, len, az, err)) || (st = ms_hcl_parse(az->hcl, az->hcl_len, &hcl, err)))
		return ms_err_input(err, MS_INPUT_EVIDENCE, st);
	snp = hcl.report_type == MS_HCL_TYPE_SNP;
	if (snp && az->td_quote)
		return ms_err_input(err, MS_INPUT_EVIDENCE,
				    ms_fail(err, MS_BAD_INPUT, "Azure evidence: an SNP HCL report with a td_quote"));
	if (!snp && !az->td_quote)
		return ms_err_input(err, MS_INPUT_EVIDENCE,
				    ms_fail(err, MS_BAD_INPUT, "Azure evidence: a TDX HCL report needs the td_quote that vouches for it"));
	snprintf(a, sizeof(a), "HCLA v%u, %u bytes of runtime data", hcl.version, hcl.var_size);
	ms_check_add(checks, true, "HCL report", snp ? "an SNP report inside" : "a TDREPORT inside", a);
	/* 1: the hardware report, by the vendor's chain */
	if (snp) {
		if (!vo.vcek && !vo.certs && az->vcek) {
			vo.vcek = az->vcek;
			vo.vcek_len = az->vcek_len;
			ms_check_add(checks, true, "VCEK", "from the evidence (checked against the pinned ARK)", "given in the JSON");
		}
		st = ms_snp_verify(hcl.hw_report, MS_HCL_HW_REPORT_LEN, &vo, ev, checks, err);
		report_data = ev->snp.report_data;
	} else {
		st = ms_tdx_verify(az->td_quote, az->td_quote_len, &vo, ev, checks, err);
		if (!st && !tdreport_matches(hcl.hw_report, &ev->tdx, checks))
			st = ms_fail(err, MS_BAD_SIGNATURE, "the HCL report's TDREPORT is not the TD the quote attests");
		report_data = ev->tdx.report_data;
	}
	if (st)
		return st;
	/* 2: REPORT_DATA binds the runtime data */
	if (hcl.hash_type != 1)
		return ms_err_input(err, MS_INPUT_EVIDENCE,
				    ms_fail(err, MS_UNSUPPORTED, "HCL report: runtime data hash type %u (offset 0x%x) is not SHA-256 (1)",
					    hcl.hash_type, MS_HCL_REQUEST_OFF + 12));
	if (!EVP_Digest(hcl.var_data, hcl.var_size, digest, NULL, EVP_sha256(), NULL))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	{
		static const uint8_t zero[32];
		bool bound = !memcmp(report_data, digest, 32) && !memcmp(report_data + 32, zero, 32);

		ms_hex_encode(digest, 16, a);
		ms_hex_encode(report_data, 16, b);
		strcat(a, "...");
		strcat(b, "...");
		ms_check_add(checks, bound, "REPORT_DATA = SHA-256(runtime data)", a, b);
		if (!bound)
			return ms_err_input(err, MS_INPUT_EVIDENCE,
					    ms_fail(err, MS_BAD_SIGNATURE, "the hardware report's REPORT_DATA is not SHA-256 of the HCL "
									  "runtime data (then zeros): the runtime data and its AK are not vouched for"));
	}
	/* 3: the AK the runtime data names */
	if ((st = runtime_ak(hcl.var_data, hcl.var_size, &ak, checks, err)))
		return ms_err_input(err, MS_INPUT_EVIDENCE, st);
	snprintf(a, sizeof(a), "RSA-%d", EVP_PKEY_get_bits(ak));
	ms_check_add(checks, true, "AK", "HCLAkPub from the bound runtime data", a);
	/* 4: the quote, signed by the AK (RSASSA-PKCS1-v1_5, SHA-256), over the PCRs */
	sig.sigAlg = TPM2_ALG_RSASSA;
	sig.signature.rsassa.hash = TPM2_ALG_SHA256;
	sig.signature.rsassa.sig.size = (uint16_t)az->sig_len;
	memcpy(sig.signature.rsassa.sig.buffer, az->sig, az->sig_len);
	in.msg = az->msg;
	in.msg_len = az->msg_len;
	in.sig = &sig;
	in.ak = ak;
	in.ak_source = "HCLAkPub";
	in.pcrs = &az->pcrs;
	in.nonce = o->tpm_nonce;
	in.nonce_len = o->tpm_nonce_len;
	st = ms_tpm_evidence_verify(&in, &az->quoted, checks, err);
	if (st && st != MS_MISMATCH)
		ms_err_input(err, MS_INPUT_EVIDENCE, st);
	if (!st || st == MS_MISMATCH) /* a mismatch leaves it not verified, saying why */
		ev->tpm = &az->quoted;
	snprintf(ev->signed_by + strlen(ev->signed_by), sizeof(ev->signed_by) - strlen(ev->signed_by), "%s",
		 "; vTPM quote by HCLAkPub");
	EVP_PKEY_free(ak);
	return st;
}

enum ms_status ms_azure_vtpm_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err)
{
	struct ms_azure_vtpm az;
	struct ms_hcl_report hcl;
	TPMS_ATTEST attest;
	cJSON *root = NULL, *h, *q, *runtime = NULL, *hw = NULL;
	TPML_PCR_SELECTION all = { .count = 1 };
	enum ms_status st;

	*out = NULL;
	if ((st = ms_azure_vtpm_parse(buf, len, &az, err)))
		return st;
	if ((st = ms_hcl_parse(az.hcl, az.hcl_len, &hcl, err)) || (st = ms_tpm_attest_parse(az.msg, az.msg_len, &attest, err)) ||
	    (st = ms_json_parse_strict((const char *)hcl.var_data, hcl.var_size, "HCL runtime data", &runtime, err)))
		goto out;
	if (hcl.report_type == MS_HCL_TYPE_SNP && (st = ms_snp_inspect(hcl.hw_report, MS_HCL_HW_REPORT_LEN, &hw, err)))
		goto out;
	if (hcl.report_type == MS_HCL_TYPE_TDX && az.td_quote && (st = ms_tdx_inspect(az.td_quote, az.td_quote_len, &hw, err)))
		goto out;
	if (!(root = cJSON_CreateObject())) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	cJSON_AddStringToObject(root, "type", "azure-vtpm");
	cJSON_AddNumberToObject(root, "format_version", az.version);
	h = cJSON_AddObjectToObject(root, "hcl_report");
	cJSON_AddNumberToObject(h, "version", hcl.version);
	cJSON_AddNumberToObject(h, "report_size", hcl.report_size);
	cJSON_AddNumberToObject(h, "request_type", hcl.request_type);
	cJSON_AddStringToObject(h, "report_type", hcl.report_type == MS_HCL_TYPE_SNP ? "snp" : "tdx");
	cJSON_AddStringToObject(h, "runtime_data_hash", hcl.hash_type == 1 ? "sha256" : "unknown");
	cJSON_AddItemToObject(h, "runtime_data", runtime);
	runtime = NULL;
	if (hcl.report_type == MS_HCL_TYPE_TDX) {
		ms_json_add_hex(h, "tdreport", hcl.hw_report, MS_TDREPORT_LEN);
		cJSON_AddStringToObject(h, "tdreport_verified",
					"compare checks only its report_data, TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM attributes "
					"and TDINFO measurements against the TD quote; REPORTMACSTRUCT (cpusvn, hashes, MAC), the "
					"rest of TEE_TCB_INFO and servtd_hash are never verified");
	}
	cJSON_AddItemToObject(root, hcl.report_type == MS_HCL_TYPE_SNP ? "snp_report" : "td_quote", hw);
	hw = NULL;
	q = cJSON_AddObjectToObject(root, "tpm_quote");
	cJSON_AddItemToObject(q, "quote", ms_tpm_attest_json(&attest));
	ms_json_add_hex(q, "signature", az.sig, az.sig_len);
	all.pcrSelections[0].hash = TPM2_ALG_SHA256;
	all.pcrSelections[0].sizeofSelect = 3;
	memset(all.pcrSelections[0].pcrSelect, 0xff, 3);
	cJSON_AddItemToObject(q, "pcrs", ms_tpm_pcrs_json(&az.pcrs, &all));
	cJSON_AddStringToObject(root, "verified", "no: inspect decodes only ('measure compare' verifies)");
	*out = root;
	root = NULL;
out:
	cJSON_Delete(root);
	cJSON_Delete(runtime);
	cJSON_Delete(hw);
	ms_azure_vtpm_free(&az);
	return st;
}
