/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "../common/bytes.h"
#include "../common/chain.h"
#include "../common/digest.h"
#include "../common/ecdsa.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "anchors.h"
#include "evidence.h"

#define TDX_QE_MRSIGNER "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5"
#define SGX_ATTR_DEBUG 0x02 /* ATTRIBUTES.FLAGS bit 1 */

/* Intel's QE vendor ID, 939a7233-f79c-4ca9-940a-0db3957f0607 */
static const uint8_t intel_qe_vendor[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					     0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };


/* The attestation key: a raw P-256 point x||y. */
static EVP_PKEY *p256_key(const uint8_t xy[64])
{
	uint8_t point[65] = { 4 };
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;

	memcpy(point + 1, xy, 64);
	if (b && ctx && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) &&
	    (params = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* Intel's collateral: both signatures and chains, freshness, then the TCB levels. */
static enum ms_status tcb_evaluate(const struct ms_verify_options *o, X509 *root, X509 *pck, struct ms_evidence *ev,
				   struct ms_checks *checks, struct ms_err *err)
{
	const struct ms_tcb_collateral *tc = o->tcb;
	uint32_t used = 0;
	enum ms_status st;
	char found[160];

	if ((st = ms_collateral_verify(&tc->info->c, tc->info_body, tc->info_chain, root, o->crls, o->at, tc->info_name, &used,
				       err))) {
		ms_check_add(checks, false, "TCB info", "signed by Intel SGX TCB Signing, current", err->msg);
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	}
	ev->crls_used_mask |= used;
	snprintf(found, sizeof(found), "verifies; issued %s, next update %s", tc->info->c.issue_text, tc->info->c.next_text);
	ms_check_add(checks, true, "TCB info", "signed by Intel SGX TCB Signing, current", found);
	if ((st = ms_collateral_verify(&tc->qe->c, tc->qe_body, tc->qe_chain, root, o->crls, o->at, tc->qe_name, &used, err))) {
		ms_check_add(checks, false, "QE identity collateral", "signed by Intel SGX TCB Signing, current", err->msg);
		return ms_err_input(err, MS_INPUT_COLLATERAL, st);
	}
	ev->crls_used_mask |= used;
	snprintf(found, sizeof(found), "verifies; issued %s, next update %s", tc->qe->c.issue_text, tc->qe->c.next_text);
	ms_check_add(checks, true, "QE identity collateral", "signed by Intel SGX TCB Signing, current", found);
	ev->tcb_collateral = tc;
	st = ms_tcb_evaluate_tdx(tc->info, tc->qe, &ev->tdx, pck, &ev->tcb, err);
	if (st == MS_MISMATCH) {
		/* the evidence verified; no level covering it is a verdict on the platform, judged with the policy */
		ev->tcb_state = MS_TCB_NO_LEVEL;
		memcpy(ev->tcb_why, err->msg, sizeof(ev->tcb_why));
		memset(err, 0, sizeof(*err));
		return MS_OK;
	}
	if (st) {
		ms_check_add(checks, false, "TCB evaluation", "the platform matches the collateral", err->msg);
		return ms_err_input(err, st == MS_BAD_INPUT ? MS_INPUT_EVIDENCE : MS_INPUT_COLLATERAL, st);
	}
	ev->tcb_state = MS_TCB_EVALUATED;
	return MS_OK;
}

enum ms_status ms_tdx_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err)
{
	struct ms_tdx_quote *q = &ev->tdx;
	STACK_OF(X509) *chain = NULL;
	X509 *root = NULL, *leaf;
	struct ms_chain_result path = { 0 };
	EVP_PKEY *att = NULL;
	enum ms_status st;
	uint8_t binding[MS_SHA256_LEN], *bound = NULL, mrsigner[32];
	char a[160], b[160];

	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_TDX;
	ev->platform = "tdx";
	ev->checked_at = o->at;
	ms_sha256(buf, len, ev->sha256);
	if ((st = ms_tdx_quote_decode(buf, len, q, err)))
		goto out;
	/* the PCK chain is carried unsigned: it proves nothing until it verifies to the pinned root */
	if ((st = ms_chain_cache_parse_bundle(o->chain_cache, q->pck_chain, q->pck_chain_len, "PCK certificate chain", &chain, err)))
		goto out;
	if (o->root_override) {
		root = o->root_override;
		X509_up_ref(root); /* shared, not copied: a copy would decode its key again */
	} else if ((st = ms_anchor_load(MS_ANCHOR_INTEL_SGX_ROOT, &root, err))) {
		goto out;
	}
	leaf = sk_X509_value(chain, 0);
	{
		struct ms_chain_params cp = {
			.root = root, .untrusted = chain, .leaf = leaf, .crls = o->crls, .at = o->at, .what = "PCK chain",
			.cache = o->chain_cache,
		};

		if ((st = ms_chain_verify(&cp, &path, err))) {
			ms_check_add(checks, false, "PCK chain", o->root_override ? "PCK -> CA -> the root given by the caller (override)"
										 : "PCK -> CA -> Intel SGX Root CA (pinned)", err->msg);
			goto out;
		}
	}
	ms_check_add(checks, true, "root", o->root_override ? "OVERRIDE: the root given by the caller" : "Intel SGX Root CA (pinned)",
		     "the chain ends in it");
	ms_format_time(o->at, b);
	ms_check_add(checks, true, "PCK chain", "PCK -> CA -> root", b);
	ms_evidence_revocation(o, &path, MS_REVOCATION_EVERY_CERTIFICATE, ev, checks);

	/* ECDSA P-256 / SHA-256, r||s big-endian, 32 bytes each (as the attestation key's signature below) */
	if (ms_ecdsa_verify_raw(X509_get0_pubkey(leaf), "SHA256", q->qe.raw, MS_TDX_QE_REPORT_LEN, q->qe_signature,
				q->qe_signature + 32, 32, MS_ECDSA_BIG_ENDIAN)) {
		ms_check_add(checks, false, "QE report signature", "ECDSA P-256 by the PCK", "does not verify");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the QE report's signature does not verify with the PCK key");
		goto out;
	}
	ms_check_add(checks, true, "QE report signature", "ECDSA P-256 by the PCK", "verifies");
	/* the QE binds the attestation key: REPORTDATA = SHA-256(key || auth data) || 32 zero bytes */
	bound = malloc(64 + q->qe_auth_len);
	if (!bound) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	memcpy(bound, q->attestation_key, 64);
	memcpy(bound + 64, q->qe_auth, q->qe_auth_len);
	ms_sha256(bound, 64 + q->qe_auth_len, binding);
	{
		static const uint8_t zeros[32];

		if (memcmp(q->qe.report_data, binding, 32) || memcmp(q->qe.report_data + 32, zeros, 32)) {
			ms_check_add(checks, false, "attestation key binding", "QE REPORTDATA = SHA-256(key || auth)", "differs");
			st = ms_fail(err, MS_BAD_SIGNATURE, "the QE report does not bind the attestation key");
			goto out;
		}
	}
	ms_check_add(checks, true, "attestation key binding", "QE REPORTDATA = SHA-256(key || auth)", "equal");
	/* the QE identity: Intel's TDX quoting enclave, not in debug mode */
	ms_hex_decode(TDX_QE_MRSIGNER, mrsigner, 32, "mrsigner", NULL);
	ms_hex_encode(q->qe.mr_signer, 32, a);
	if (memcmp(q->qe.mr_signer, mrsigner, 32) || q->qe.isv_prod_id != 2) {
		snprintf(b, sizeof(b), "MRSIGNER %.16s..., ISVPRODID %u", a, q->qe.isv_prod_id);
		ms_check_add(checks, false, "QE identity", "Intel TDX QE (MRSIGNER dc9e2a7c..., ISVPRODID 2)", b);
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quoting enclave is not Intel's TDX QE");
		goto out;
	}
	if (q->qe.attributes[0] & SGX_ATTR_DEBUG) {
		ms_check_add(checks, false, "QE identity", "a production QE", "ATTRIBUTES.DEBUG set");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quoting enclave runs in debug mode (QE report ATTRIBUTES.DEBUG): its key is not protected");
		goto out;
	}
	if (memcmp(q->qe_vendor_id, intel_qe_vendor, 16)) {
		ms_hex_encode(q->qe_vendor_id, 16, a);
		ms_check_add(checks, false, "QE vendor", "Intel (939a7233f79c4ca9940a0db3957f0607)", a);
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quote header's QE vendor ID (offset 0xc) is not Intel's");
		goto out;
	}
	snprintf(b, sizeof(b), "ISVSVN %u, not debug", q->qe.isv_svn);
	ms_check_add(checks, true, "QE identity", "Intel TDX QE", b);
	att = p256_key(q->attestation_key);
	if (!att || ms_ecdsa_verify_raw(att, "SHA256", q->signed_bytes, q->signed_len, q->signature, q->signature + 32, 32,
					MS_ECDSA_BIG_ENDIAN)) {
		ms_check_add(checks, false, "quote signature", "ECDSA P-256 by the attestation key", "does not verify");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quote's signature does not verify with its attestation key");
		goto out;
	}
	ms_check_add(checks, true, "quote signature", "ECDSA P-256 by the attestation key", "verifies");
	if (o->tcb) {
		if ((st = tcb_evaluate(o, root, leaf, ev, checks, err)))
			goto out;
	} else {
		/* what only Intel's collateral can say; shown, so that nobody reads its absence as a pass */
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "TCB status", "UpToDate per Intel's TCB info and QE identity",
				   "no PCS collateral (TCB info, QE identity) was given");
	}
	if (q->trailing) {
		snprintf(b, sizeof(b), "%zu bytes after the signature data, covered by no signature", q->trailing);
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "unsigned trailing bytes", "none", b);
	}
	{
		char *s = ms_x509_name(X509_get_subject_name(leaf));

		snprintf(ev->signed_by, sizeof(ev->signed_by), "%s", s ? s : "?");
		free(s);
	}
	ms_evidence_add(ev, "mrtd", q->mr_td, 48);
	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "rtmr%d", i);
		ms_evidence_add(ev, name, q->rtmr[i], 48);
	}
	ms_evidence_add(ev, "mrseam", q->mr_seam, 48);
	ms_evidence_add(ev, "mrconfigid", q->mr_config_id, 48);
	ms_evidence_add(ev, "mrowner", q->mr_owner, 48);
	ms_evidence_add(ev, "mrownerconfig", q->mr_owner_config, 48);
	memcpy(ev->freshness, q->report_data, 64);
	ev->freshness_len = 64;
	if (q->td_attributes[0] & 1) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "TDATTRIBUTES has DEBUG (bit 0) set");
	}
out:
	if (st && !err->input)
		ms_err_input(err, MS_INPUT_EVIDENCE, st);
	free(bound);
	EVP_PKEY_free(att);
	X509_free(root);
	ms_chain_result_free(&path);
	sk_X509_pop_free(chain, X509_free);
	return st;
}

enum ms_status ms_tdx_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err)
{
	struct ms_tdx_quote q;
	enum ms_status st = ms_tdx_quote_decode(buf, len, &q, err);
	cJSON *o, *h, *body, *qe, *certs;
	STACK_OF(X509) *chain = NULL;

	if (st)
		return st;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "tdx quote");
	h = cJSON_AddObjectToObject(o, "header");
	cJSON_AddNumberToObject(h, "version", q.version);
	cJSON_AddNumberToObject(h, "attestation_key_type", q.att_key_type);
	cJSON_AddStringToObject(h, "tee_type", "0x81 (tdx)");
	cJSON_AddNumberToObject(h, "qe_svn", q.qe_svn);
	cJSON_AddNumberToObject(h, "pce_svn", q.pce_svn);
	ms_json_add_hex(h, "qe_vendor_id", q.qe_vendor_id, 16);
	ms_json_add_hex(h, "user_data", q.user_data, 20);
	body = cJSON_AddObjectToObject(o, "body");
	cJSON_AddNumberToObject(body, "body_type", q.body_type);
	ms_json_add_hex(body, "tee_tcb_svn", q.tee_tcb_svn, 16);
	ms_json_add_hex(body, "mrseam", q.mr_seam, 48);
	ms_json_add_hex(body, "mrsignerseam", q.mr_signer_seam, 48);
	ms_json_add_hex(body, "seamattributes", q.seam_attributes, 8);
	ms_json_add_hex(body, "tdattributes", q.td_attributes, 8);
	ms_json_add_hex(body, "xfam", q.xfam, 8);
	ms_json_add_hex(body, "mrtd", q.mr_td, 48);
	ms_json_add_hex(body, "mrconfigid", q.mr_config_id, 48);
	ms_json_add_hex(body, "mrowner", q.mr_owner, 48);
	ms_json_add_hex(body, "mrownerconfig", q.mr_owner_config, 48);
	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "rtmr%d", i);
		ms_json_add_hex(body, name, q.rtmr[i], 48);
	}
	ms_json_add_hex(body, "reportdata", q.report_data, 64);
	if (q.has_tdx15) {
		ms_json_add_hex(body, "tee_tcb_svn2", q.tee_tcb_svn2, 16);
		ms_json_add_hex(body, "mrservicetd", q.mr_service_td, 48);
	}
	cJSON_AddBoolToObject(body, "debug", q.td_attributes[0] & 1);
	ms_json_add_hex(o, "signature", q.signature, 64);
	ms_json_add_hex(o, "attestation_key", q.attestation_key, 64);
	qe = cJSON_AddObjectToObject(o, "qe_report");
	ms_json_add_hex(qe, "cpusvn", q.qe.cpu_svn, 16);
	cJSON_AddNumberToObject(qe, "miscselect", q.qe.misc_select);
	ms_json_add_hex(qe, "attributes", q.qe.attributes, 16);
	cJSON_AddBoolToObject(qe, "debug", q.qe.attributes[0] & SGX_ATTR_DEBUG);
	ms_json_add_hex(qe, "mrenclave", q.qe.mr_enclave, 32);
	ms_json_add_hex(qe, "mrsigner", q.qe.mr_signer, 32);
	cJSON_AddNumberToObject(qe, "isvprodid", q.qe.isv_prod_id);
	cJSON_AddNumberToObject(qe, "isvsvn", q.qe.isv_svn);
	ms_json_add_hex(qe, "reportdata", q.qe.report_data, 64);
	ms_json_add_hex(qe, "signature", q.qe_signature, 64);
	ms_json_add_hex(o, "qe_auth_data", q.qe_auth, q.qe_auth_len);
	cJSON_AddNumberToObject(o, "trailing_bytes", (double)q.trailing);
	certs = cJSON_AddArrayToObject(o, "pck_chain");
	if (!ms_x509_parse_bundle(q.pck_chain, q.pck_chain_len, "PCK chain", &chain, NULL)) {
		for (int i = 0; i < sk_X509_num(chain); i++)
			cJSON_AddItemToArray(certs, ms_cert_json(sk_X509_value(chain, i), NULL, 0));
		sk_X509_pop_free(chain, X509_free);
	}
	*out = o;
	return MS_OK;
}
