/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/cose.h"
#include "../common/x509.h"
#include "eif.h"

/*
 * The section is serde_cbor's encoding of a list of PcrSignature maps,
 * {"signing_certificate": PEM bytes, "signature": COSE_Sign1 bytes}, byte
 * strings written as arrays of integers. nitro-cli writes exactly one, for PCR0.
 */
enum ms_status ms_eif_signature_decode(const uint8_t *buf, size_t len,
				       struct ms_eif_signature *sig, struct ms_err *err)
{
	cbor_item_t *root = NULL, *entry, *cert_item, *cose_item, *cose_root = NULL,
		    *payload = NULL, *index, *value;
	struct ms_cose_sign1 cose;
	uint8_t *pem = NULL, *der = NULL, *reg = NULL, digest[MS_SHA384_LEN];
	size_t pem_len, der_len, reg_len;
	enum ms_status st;

	memset(sig, 0, sizeof(*sig));
	st = ms_cbor_load(buf, len, 8, "signature section", &root, err);
	if (st)
		goto out;
	if (!cbor_isa_array(root) || cbor_array_size(root) == 0) {
		st = ms_fail(err, MS_BAD_INPUT, "signature section: not a non-empty CBOR array");
		goto out;
	}
	if (cbor_array_size(root) > 1) {
		st = ms_fail(err, MS_UNSUPPORTED,
			     "signature section: %zu signatures; only one (for PCR0) is defined",
			     cbor_array_size(root));
		goto out;
	}
	entry = cbor_array_handle(root)[0];
	cert_item = ms_cbor_map_get(entry, "signing_certificate");
	cose_item = ms_cbor_map_get(entry, "signature");
	if (!cert_item || !cose_item) {
		st = ms_fail(err, MS_BAD_INPUT, "signature section: entry 0 lacks %s",
			     cert_item ? "\"signature\"" : "\"signing_certificate\"");
		goto out;
	}
	st = ms_cbor_byte_array(cert_item, "signature section: signing_certificate", &pem, &pem_len, err);
	if (st)
		goto out;
	st = ms_x509_parse(pem, pem_len, "signature section: signing_certificate", &sig->cert, err);
	if (st)
		goto out;
	st = ms_x509_der(sig->cert, &der, &der_len, err);
	if (st)
		goto out;
	ms_sha384(der, der_len, digest);
	ms_eif_pcr_from_digest(digest, sig->pcr8);

	st = ms_cbor_byte_array(cose_item, "signature section: signature", &sig->cose, &sig->cose_len, err);
	if (st)
		goto out;
	st = ms_cbor_load(sig->cose, sig->cose_len, 4, "signature section: COSE_Sign1", &cose_root, err);
	if (st)
		goto out;
	st = ms_cose_sign1_parse(cose_root, &cose, err);
	if (st)
		goto out;
	sig->alg = cose.alg;
	st = ms_cbor_load(cose.payload, cose.payload_len, 2, "signature section: COSE payload", &payload, err);
	if (st)
		goto out;
	index = ms_cbor_map_get(payload, "register_index");
	value = ms_cbor_map_get(payload, "register_value");
	if (!index || !cbor_isa_uint(index) || !value || cbor_map_size(payload) != 2) {
		st = ms_fail(err, MS_BAD_INPUT,
			     "signature section: COSE payload is not {register_index, register_value}");
		goto out;
	}
	sig->register_index = cbor_get_int(index);
	st = ms_cbor_byte_array(value, "signature section: register_value", &reg, &reg_len, err);
	if (st)
		goto out;
	sig->register_value_len = reg_len;
	memcpy(sig->register_value, reg, reg_len < MS_SHA384_LEN ? reg_len : MS_SHA384_LEN);
out:
	if (root)
		cbor_decref(&root);
	if (cose_root)
		cbor_decref(&cose_root);
	if (payload)
		cbor_decref(&payload);
	free(pem);
	OPENSSL_free(der);
	free(reg);
	if (st)
		ms_eif_signature_free(sig);
	return st;
}

enum ms_status ms_eif_signature_verify(struct ms_eif_signature *sig,
				       const uint8_t pcr0[MS_SHA384_LEN], struct ms_err *err)
{
	cbor_item_t *root = NULL;
	struct ms_cose_sign1 cose;
	EVP_PKEY *key;
	enum ms_status st;

	sig->signature_valid = sig->payload_matches = false;
	st = ms_cbor_load(sig->cose, sig->cose_len, 4, "signature section: COSE_Sign1", &root, err);
	if (st)
		return st;
	st = ms_cose_sign1_parse(root, &cose, err);
	if (st)
		goto out;
	key = X509_get0_pubkey(sig->cert);
	if (!key) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "signature section: certificate public key unreadable");
		goto out;
	}
	st = ms_cose_sign1_verify(&cose, key, err);
	if (st)
		goto out;
	sig->signature_valid = true;
	sig->payload_matches = sig->register_index == 0 && sig->register_value_len == MS_SHA384_LEN &&
			       memcmp(sig->register_value, pcr0, MS_SHA384_LEN) == 0;
	if (!sig->payload_matches)
		st = ms_fail(err, MS_BAD_SIGNATURE,
			     sig->register_index != 0
				     ? "signature section: the signed payload names PCR%llu, not PCR0"
				     : "signature section: the signed PCR%llu value differs from the computed PCR0",
			     (unsigned long long)sig->register_index);
out:
	cbor_decref(&root);
	return st;
}

void ms_eif_signature_free(struct ms_eif_signature *sig)
{
	X509_free(sig->cert);
	free(sig->cose);
	sig->cert = NULL;
	sig->cose = NULL;
}

enum ms_status ms_eif_metadata_parse(const uint8_t *buf, size_t len, cJSON **out,
				     struct ms_err *err)
{
	const char *end = NULL;
	cJSON *json = cJSON_ParseWithLengthOpts((const char *)buf, len, &end, 0);

	if (!json)
		return ms_fail(err, MS_BAD_INPUT, "metadata section: not JSON (error near byte %zu)",
			       end ? (size_t)(end - (const char *)buf) : (size_t)0);
	if (!cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return ms_fail(err, MS_BAD_INPUT, "metadata section: not a JSON object");
	}
	*out = json;
	return MS_OK;
}
