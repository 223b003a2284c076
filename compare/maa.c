/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Microsoft Azure Attestation (MAA) tokens: the JWS checked against the
 * user's JWKS at the check time, then the claims of an sevsnpvm or tdxvm
 * token mapped onto the manifest's names. The launch measurement an Azure
 * CVM reports is of Microsoft's paravisor firmware: it can be held against
 * observed values only, never recomputed here.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../common/pubkey.h"
#include "../common/x509.h"
#include "evidence.h"
#include "maa.h"

bool ms_jwt_detect(const uint8_t *buf, size_t len)
{
	size_t dots = 0, i;

	if (len < 10 || memcmp(buf, "eyJ", 3))
		return false;
	for (i = 0; i < len && (ms_base64_value((char)buf[i], MS_B64_URL) >= 0 || buf[i] == '.'); i++)
		dots += buf[i] == '.';
	while (i < len && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == ' ' || buf[i] == '\t'))
		i++;
	return i == len && dots == 2;
}

static enum ms_status json_part(const char *s, size_t len, const char *what, cJSON **out, struct ms_err *err)
{
	uint8_t *dec = NULL;
	size_t n;
	enum ms_status st = ms_base64url_decode(s, len, &dec, &n, what, err);

	*out = NULL;
	if (!st)
		st = ms_json_parse_strict((const char *)dec, n, what, out, err);
	if (!st && !cJSON_IsObject(*out))
		st = ms_fail(err, MS_BAD_INPUT, "%s is not a JSON object", what);
	free(dec);
	if (st) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return st;
}

enum ms_status ms_jwt_parse(const char *tok, size_t len, struct ms_jwt *out, struct ms_err *err)
{
	const char *d1, *d2;
	const cJSON *alg, *kid;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r' || tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		len--;
	if (len > MS_JWT_MAX_LEN)
		return ms_fail(err, MS_BAD_INPUT, "token: %zu bytes is more than %u", len, MS_JWT_MAX_LEN);
	if (!(d1 = memchr(tok, '.', len)) || !(d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)))
		return ms_fail(err, MS_BAD_INPUT, "token: not a compact JWS (three base64url parts separated by two dots)");
	if ((st = json_part(tok, (size_t)(d1 - tok), "token header", &out->header, err)) ||
	    (st = json_part(d1 + 1, (size_t)(d2 - d1 - 1), "token payload", &out->payload, err)) ||
	    (st = ms_base64url_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), &out->signature, &out->signature_len,
				      "token signature", err)))
		goto fail;
	out->signed_len = (size_t)(d2 - tok);
	alg = cJSON_GetObjectItemCaseSensitive(out->header, "alg");
	kid = cJSON_GetObjectItemCaseSensitive(out->header, "kid");
	if (!cJSON_IsString(alg)) {
		st = ms_fail(err, MS_BAD_INPUT, "token header: \"alg\" is missing or not a string");
		goto fail;
	}
	if (kid && !cJSON_IsString(kid)) {
		st = ms_fail(err, MS_BAD_INPUT, "token header: \"kid\" is not a string");
		goto fail;
	}
	if (cJSON_GetObjectItemCaseSensitive(out->header, "crit")) {
		st = ms_fail(err, MS_UNSUPPORTED, "token header: \"crit\" extensions are not supported");
		goto fail;
	}
	out->alg = alg->valuestring;
	out->kid = kid ? kid->valuestring : NULL;
	return MS_OK;
fail:
	ms_jwt_free(out);
	return st;
}

void ms_jwt_free(struct ms_jwt *j)
{
	cJSON_Delete(j->header);
	cJSON_Delete(j->payload);
	free(j->signature);
	memset(j, 0, sizeof(*j));
}

static enum ms_status b64url_member(const cJSON *obj, const char *key, const char *what, uint8_t **out, size_t *len,
				    struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return ms_fail(err, MS_BAD_INPUT, "%s: \"%s\" is missing or not a base64url string", what, key);
	return ms_base64url_decode(v->valuestring, strlen(v->valuestring), out, len, what, err);
}

static enum ms_status jwk_ne_key(const cJSON *jwk, enum ms_status weak, EVP_PKEY **out, struct ms_err *err)
{
	uint8_t *n = NULL, *e = NULL;
	size_t n_len = 0, e_len = 0;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	enum ms_status st;

	*out = NULL;
	if ((st = b64url_member(jwk, "n", "JWK", &n, &n_len, err)) || (st = b64url_member(jwk, "e", "JWK", &e, &e_len, err)))
		goto out;
	if (n_len < 256 || n_len > 1024 || !(n[0] & 0x80)) {
		st = ms_fail(err, n_len < 256 ? weak : MS_UNSUPPORTED,
			     "JWK: an RSA modulus of %zu bytes (2048 to 8192 bits, no leading zero)", n_len);
		goto out;
	}
	if (e_len == 0 || e_len > 4 || !e[0] || !(e[e_len - 1] & 1)) {
		st = ms_fail(err, MS_BAD_INPUT, "JWK: \"e\" is not an odd RSA exponent of 1 to 4 bytes without a leading zero");
		goto out;
	}
	bn = BN_bin2bn(n, (int)n_len, NULL);
	be = BN_bin2bn(e, (int)e_len, NULL);
	if (!bn || !be || !(bld = OSSL_PARAM_BLD_new()) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		st = ms_fail(err, MS_BAD_INPUT, "JWK: the RSA key is not usable");
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return st;
}

/* x5c[0]'s public key: the certificate only carries it (the JWKS itself is the trust anchor). */
static enum ms_status jwk_x5c_key(const cJSON *x5c, EVP_PKEY **out, struct ms_err *err)
{
	const cJSON *first = cJSON_IsArray(x5c) ? cJSON_GetArrayItem(x5c, 0) : NULL;
	const unsigned char *p;
	uint8_t *der = NULL;
	size_t der_len = 0;
	X509 *cert = NULL;
	EVP_PKEY *key;
	enum ms_status st;

	*out = NULL;
	if (!cJSON_IsString(first))
		return ms_fail(err, MS_BAD_INPUT, "JWK: \"x5c\" is not an array of base64 certificates");
	if ((st = ms_base64_decode(first->valuestring, strlen(first->valuestring), &der, &der_len, "JWK x5c[0]", err)))
		goto out;
	p = der;
	if (!(cert = d2i_X509(NULL, &p, (long)der_len)) || p != der + der_len) {
		st = ms_fail(err, MS_BAD_INPUT, "JWK: x5c[0] is not one DER certificate");
		goto out;
	}
	if (!(key = X509_get0_pubkey(cert)) || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		st = ms_fail(err, MS_UNSUPPORTED, "JWK: x5c[0]'s key is not an RSA key");
		goto out;
	}
	if (!EVP_PKEY_up_ref(key)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	*out = key;
	st = MS_OK;
out:
	X509_free(cert);
	free(der);
	return st;
}

/* RSA keys MAA and the HCL make are 2048 to 8192 bits with e = 65537; the rest is the common key test. */
static enum ms_status jwk_key_strength(EVP_PKEY *key, enum ms_status weak, struct ms_err *err)
{
	int bits = EVP_PKEY_get_bits(key);

	if (bits > 8192)
		return ms_fail(err, MS_UNSUPPORTED, "JWK: an RSA modulus of %d bits (2048 to 8192)", bits);
	return ms_sig_key_acceptable(key, "JWK", weak, err);
}

enum ms_status ms_jwk_rsa(const cJSON *jwk, enum ms_status weak, EVP_PKEY **out, struct ms_err *err)
{
	const cJSON *x5c = cJSON_GetObjectItemCaseSensitive(jwk, "x5c");
	bool has_ne = cJSON_GetObjectItemCaseSensitive(jwk, "n") || cJSON_GetObjectItemCaseSensitive(jwk, "e");
	EVP_PKEY *from_ne = NULL, *from_cert = NULL;
	enum ms_status st;

	*out = NULL;
	if ((has_ne || !x5c) && (st = jwk_ne_key(jwk, weak, &from_ne, err)))
		goto out;
	if (x5c && (st = jwk_x5c_key(x5c, &from_cert, err)))
		goto out;
	if (from_ne && from_cert && EVP_PKEY_eq(from_ne, from_cert) != 1) {
		st = ms_fail(err, MS_BAD_INPUT, "JWK: \"n\" and \"e\" are not the key of its certificate (x5c[0])");
		goto out;
	}
	if ((st = jwk_key_strength(from_ne ? from_ne : from_cert, weak, err)))
		goto out;
	*out = from_ne ? from_ne : from_cert;
	if (from_ne)
		from_ne = NULL;
	else
		from_cert = NULL;
out:
	EVP_PKEY_free(from_ne);
	EVP_PKEY_free(from_cert);
	return st;
}

enum ms_status ms_jwks_key(const char *jwks, size_t len, const char *kid, EVP_PKEY **out, struct ms_err *err)
{
	cJSON *root = NULL;
	const cJSON *keys, *k, *found = NULL;
	enum ms_status st;
	size_t i = 0;

	*out = NULL;
	if ((st = ms_json_parse_strict(jwks, len, "JWKS", &root, err)))
		return st;
	keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(keys)) {
		st = ms_fail(err, MS_BAD_INPUT, "JWKS: not an object with a \"keys\" array");
		goto out;
	}
	cJSON_ArrayForEach(k, keys) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(k, "kid");

		if (!cJSON_IsObject(k) || (id && !cJSON_IsString(id))) {
			st = ms_fail(err, MS_BAD_INPUT, "JWKS: keys[%zu] is not an object with a string \"kid\"", i);
			goto out;
		}
		if (id && !strcmp(id->valuestring, kid)) {
			if (found) {
				st = ms_fail(err, MS_BAD_INPUT, "JWKS: two keys have kid \"%.80s\"", kid);
				goto out;
			}
			found = k;
		}
		i++;
	}
	if (!found) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "JWKS: no key has the token's kid \"%.80s\": signed by a key not trusted", kid);
		goto out;
	}
	{
		const cJSON *kty = cJSON_GetObjectItemCaseSensitive(found, "kty");
		const cJSON *alg = cJSON_GetObjectItemCaseSensitive(found, "alg");
		const cJSON *use = cJSON_GetObjectItemCaseSensitive(found, "use");

		if (!cJSON_IsString(kty) || strcmp(kty->valuestring, "RSA")) {
			st = ms_fail(err, MS_UNSUPPORTED, "JWKS: key \"%.80s\" is not an RSA key (kty)", kid);
			goto out;
		}
		if ((alg && (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256"))) ||
		    (use && (!cJSON_IsString(use) || strcmp(use->valuestring, "sig")))) {
			st = ms_fail(err, MS_UNSUPPORTED, "JWKS: key \"%.80s\" is not for RS256 signatures (alg, use)", kid);
			goto out;
		}
	}
	st = ms_jwk_rsa(found, MS_UNSUPPORTED, out, err);
out:
	cJSON_Delete(root);
	return st;
}

enum ms_status ms_jwt_verify_rs256(const char *tok, const struct ms_jwt *j, const char *jwks, size_t jwks_len,
				   struct ms_err *err)
{
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	enum ms_status st;

	if (!strcmp(j->alg, "none"))
		return ms_fail(err, MS_BAD_SIGNATURE, "token: alg \"none\": an unsigned token is never accepted");
	if (strcmp(j->alg, "RS256"))
		return ms_fail(err, MS_UNSUPPORTED, "token: alg \"%.20s\" is not supported (MAA signs RS256)", j->alg);
	if (!j->kid)
		return ms_fail(err, MS_BAD_SIGNATURE, "token header: no \"kid\": the signing key cannot be chosen");
	if ((st = ms_jwks_key(jwks, jwks_len, j->kid, &key, err)))
		return st;
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (EVP_DigestVerify(md, j->signature, j->signature_len, (const unsigned char *)tok, j->signed_len) != 1)
		st = ms_fail(err, MS_BAD_SIGNATURE, "token: the RS256 signature does not verify with JWKS key \"%.80s\"", j->kid);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return st;
}

/* A claim of hex of exactly n bytes into out; MS_BAD_INPUT when missing (and required) or malformed. */
static enum ms_status hex_claim(const cJSON *claims, const char *name, size_t n, bool required, uint8_t *out, bool *present,
				struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);

	*present = false;
	if (!v)
		return required ? ms_fail(err, MS_BAD_INPUT, "token payload: claim \"%s\" is missing", name) : MS_OK;
	if (!cJSON_IsString(v) || strlen(v->valuestring) != 2 * n || ms_hex_decode(v->valuestring, out, n, name, NULL))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"%s\" is not %zu bytes of hex", name, n);
	*present = true;
	return MS_OK;
}

static enum ms_status time_claim(const cJSON *payload, const char *name, int64_t *out, struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
	uint64_t t;

	if (!v)
		return ms_fail(err, MS_BAD_INPUT, "token payload: \"%s\" is missing: the token's validity is unknown", name);
	if (!ms_json_u64(v, false, 253402300799u, &t))
		return ms_fail(err, MS_BAD_INPUT, "token payload: \"%s\" is not a NumericDate (whole seconds)", name);
	*out = (int64_t)t;
	return MS_OK;
}

#define CLAIM_LISTED "(claim, not pinned by the manifest)"

/* Claims that are listed, not judged: nothing pins them unless an attestation policy reads them. */
static void list_claims(const cJSON *claims, const char *const *names, struct ms_checks *checks)
{
	for (size_t i = 0; names[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, names[i]);
		char *text;

		if (!v)
			continue;
		text = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, names[i], CLAIM_LISTED,
				   text ? text : "?");
		free(text);
	}
}

/* The listed claims a policy rule reads, by the MS_CLAIM_* bit it marks judged (0: a POLICY boolean). */
static const struct {
	const char *claim;
	uint32_t bit;
} listed_bits[] = {
	{ "x-ms-sevsnpvm-guestsvn", MS_CLAIM_GUEST_SVN },
	{ "x-ms-sevsnpvm-familyId", MS_CLAIM_FAMILY_ID },
	{ "x-ms-sevsnpvm-imageId", MS_CLAIM_IMAGE_ID },
	{ "x-ms-sevsnpvm-idkeydigest", MS_CLAIM_ID_KEY_DIGEST },
	{ "x-ms-sevsnpvm-authorkeydigest", MS_CLAIM_AUTHOR_KEY_DIGEST },
	{ "x-ms-sevsnpvm-chipid", MS_CLAIM_CHIP_ID },
	{ "x-ms-sevsnpvm-chip-family", MS_CLAIM_PRODUCT },
	{ "x-ms-sevsnpvm-bootloader-svn", MS_CLAIM_REPORTED_TCB },
	{ "x-ms-sevsnpvm-tee-svn", MS_CLAIM_REPORTED_TCB },
	{ "x-ms-sevsnpvm-snpfw-svn", MS_CLAIM_REPORTED_TCB },
	{ "x-ms-sevsnpvm-microcode-svn", MS_CLAIM_REPORTED_TCB },
	{ "x-ms-sevsnpvm-smt-allowed", 0 },
	{ "x-ms-sevsnpvm-migration-allowed", 0 },
	{ "x-ms-sevsnpvm-singlesocket", 0 },
	{ "x-ms-sevsnpvm-mem-aes256-xts-required", 0 },
	{ "x-ms-sevsnpvm-rapl-disabled", 0 },
	{ "x-ms-sevsnpvm-ciphertext-hiding-dram-enabled", 0 },
	{ "x-ms-sevsnpvm-page-swap-disabled", 0 },
	{ "x-ms-sevsnpvm-cxl-allowed", 0 },
	{ "attester_tcb_status", MS_CLAIM_TCB_STATUS },
	{ "tdx_td_attributes", MS_CLAIM_TD_ATTRIBUTES },
	{ "tdx_xfam", MS_CLAIM_XFAM },
	{ "tdx_tee_tcb_svn", MS_CLAIM_TEE_TCB_SVN },
};

static bool judged_claim(const struct ms_check *row, uint32_t judged, bool policy_bits)
{
	if (row->state != MS_CHECK_NOT_CHECKED || !row->expected || strcmp(row->expected, CLAIM_LISTED) || !row->what)
		return false;
	for (size_t i = 0; i < sizeof(listed_bits) / sizeof(listed_bits[0]); i++)
		if (!strcmp(row->what, listed_bits[i].claim))
			return listed_bits[i].bit ? (judged & listed_bits[i].bit) != 0 : policy_bits;
	return false;
}

void ms_maa_unlist_judged(struct ms_checks *checks, uint32_t judged, bool policy_bits)
{
	size_t kept = 0;

	for (size_t i = 0; i < checks->n; i++) {
		struct ms_check *row = &checks->v[i];

		if (!judged_claim(row, judged, policy_bits)) {
			checks->v[kept++] = *row;
			continue;
		}
		free(row->what);
		free(row->expected);
		free(row->found);
	}
	checks->n = kept;
}

/* A claim that is a whole JSON number 0..max (MAA writes SVNs and VMPL as numbers, never strings). */
static enum ms_status uint_claim(const cJSON *claims, const char *name, uint64_t max, uint64_t *out, bool *present,
				 struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);

	*present = false;
	if (!v)
		return MS_OK;
	if (!ms_json_u64(v, false, max, out))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"%s\" is not a whole number 0-%llu", name,
			       (unsigned long long)max);
	*present = true;
	return MS_OK;
}

static enum ms_status bool_claim(const cJSON *claims, const char *name, bool *out, bool *present, struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);

	*present = false;
	if (!v)
		return MS_OK;
	if (!cJSON_IsBool(v))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"%s\" is not true or false", name);
	*out = cJSON_IsTrue(v);
	*present = true;
	return MS_OK;
}

/* Where a hex claim lands in the report or quote a policy reads. */
struct hex_field {
	const char *claim, *name; /* name: the manifest's, or NULL when the manifest has none */
	size_t off, len;
	uint32_t bit;
	bool required;
};

#define SNP_AT(f) offsetof(struct ms_snp_report, f)
#define TDX_AT(f) offsetof(struct ms_tdx_quote, f)
static const struct hex_field snp_fields[] = {
	{ "x-ms-sevsnpvm-launchmeasurement", "measurement", SNP_AT(measurement), 48, MS_CLAIM_MEASUREMENT, true },
	{ "x-ms-sevsnpvm-hostdata", "host_data", SNP_AT(host_data), 32, MS_CLAIM_HOST_DATA, false },
	{ "x-ms-sevsnpvm-reportdata", NULL, SNP_AT(report_data), 64, MS_CLAIM_REPORT_DATA, false },
	{ "x-ms-sevsnpvm-familyId", NULL, SNP_AT(family_id), 16, MS_CLAIM_FAMILY_ID, false },
	{ "x-ms-sevsnpvm-imageId", NULL, SNP_AT(image_id), 16, MS_CLAIM_IMAGE_ID, false },
	{ "x-ms-sevsnpvm-idkeydigest", NULL, SNP_AT(id_key_digest), 48, MS_CLAIM_ID_KEY_DIGEST, false },
	{ "x-ms-sevsnpvm-authorkeydigest", NULL, SNP_AT(author_key_digest), 48, MS_CLAIM_AUTHOR_KEY_DIGEST, false },
	{ "x-ms-sevsnpvm-reportid", NULL, SNP_AT(report_id), 32, MS_CLAIM_REPORT_ID, false },
	{ "x-ms-sevsnpvm-chipid", NULL, SNP_AT(chip_id), 64, MS_CLAIM_CHIP_ID, false },
	{ NULL },
}, tdx_fields[] = {
	{ "tdx_mrtd", "mrtd", TDX_AT(mr_td), 48, MS_CLAIM_MR_TD, true },
	{ "tdx_rtmr0", "rtmr0", TDX_AT(rtmr[0]), 48, 0, false },
	{ "tdx_rtmr1", "rtmr1", TDX_AT(rtmr[1]), 48, 0, false },
	{ "tdx_rtmr2", "rtmr2", TDX_AT(rtmr[2]), 48, 0, false },
	{ "tdx_rtmr3", "rtmr3", TDX_AT(rtmr[3]), 48, 0, false },
	{ "tdx_mrseam", "mrseam", TDX_AT(mr_seam), 48, MS_CLAIM_MR_SEAM, false },
	{ "tdx_mrconfigid", "mrconfigid", TDX_AT(mr_config_id), 48, MS_CLAIM_MR_CONFIG_ID, false },
	{ "tdx_mrowner", "mrowner", TDX_AT(mr_owner), 48, MS_CLAIM_MR_OWNER, false },
	{ "tdx_mrownerconfig", "mrownerconfig", TDX_AT(mr_owner_config), 48, MS_CLAIM_MR_OWNER_CONFIG, false },
	{ "tdx_report_data", NULL, TDX_AT(report_data), 64, MS_CLAIM_REPORT_DATA, false },
	{ "tdx_td_attributes", NULL, TDX_AT(td_attributes), 8, MS_CLAIM_TD_ATTRIBUTES, false },
	{ "tdx_xfam", NULL, TDX_AT(xfam), 8, MS_CLAIM_XFAM, false },
	{ "tdx_tee_tcb_svn", NULL, TDX_AT(tee_tcb_svn), 16, MS_CLAIM_TEE_TCB_SVN, false },
	{ NULL },
};

/* The guest POLICY bits (SEV-SNP ABI) that MAA spells as booleans. */
static const struct {
	const char *claim;
	unsigned bit;
} snp_policy_claims[] = {
	{ "x-ms-sevsnpvm-smt-allowed", 16 },
	{ "x-ms-sevsnpvm-migration-allowed", 18 },
	{ "x-ms-sevsnpvm-is-debuggable", 19 },
	{ "x-ms-sevsnpvm-singlesocket", 20 },
	{ "x-ms-sevsnpvm-cxl-allowed", 21 },
	{ "x-ms-sevsnpvm-mem-aes256-xts-required", 22 },
	{ "x-ms-sevsnpvm-rapl-disabled", 23 },
	{ "x-ms-sevsnpvm-ciphertext-hiding-dram-enabled", 24 },
	{ "x-ms-sevsnpvm-page-swap-disabled", 25 },
};

static const char *const snp_listed[] = {
	"x-ms-sevsnpvm-guestsvn", "x-ms-sevsnpvm-familyId",
	"x-ms-sevsnpvm-imageId", "x-ms-sevsnpvm-idkeydigest", "x-ms-sevsnpvm-authorkeydigest", "x-ms-sevsnpvm-chipid",
	"x-ms-sevsnpvm-chip-family", "x-ms-sevsnpvm-bootloader-svn", "x-ms-sevsnpvm-tee-svn", "x-ms-sevsnpvm-snpfw-svn",
	"x-ms-sevsnpvm-microcode-svn", "x-ms-sevsnpvm-smt-allowed", "x-ms-sevsnpvm-migration-allowed",
	"x-ms-sevsnpvm-singlesocket", "x-ms-sevsnpvm-mem-aes256-xts-required", "x-ms-sevsnpvm-rapl-disabled",
	"x-ms-sevsnpvm-ciphertext-hiding-dram-enabled", "x-ms-sevsnpvm-page-swap-disabled", "x-ms-sevsnpvm-cxl-allowed",
	NULL,
};
static const char *const tdx_listed[] = {
	"attester_tcb_status", "tdx_td_attributes", "tdx_xfam", "tdx_tee_tcb_svn",
	"tdx_seamsvn", "tdx_mrsignerseam", "tdx_seam_attributes", NULL,
};

/* The claims object: the payload, or an azurevm token's x-ms-isolation-tee. */
static enum ms_status claims_of(const cJSON *payload, const cJSON **claims, bool *snp, struct ms_err *err)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(payload, "x-ms-attestation-type");

	*claims = payload;
	if (cJSON_IsString(type) && !strcmp(type->valuestring, "azurevm")) {
		*claims = cJSON_GetObjectItemCaseSensitive(payload, "x-ms-isolation-tee");
		if (!cJSON_IsObject(*claims))
			return ms_fail(err, MS_UNSUPPORTED, "token: an azurevm token without x-ms-isolation-tee (Trusted Launch) "
							    "attests no confidential VM");
		type = cJSON_GetObjectItemCaseSensitive(*claims, "x-ms-attestation-type");
	}
	if (!cJSON_IsString(type))
		return ms_fail(err, MS_BAD_INPUT, "token payload: \"x-ms-attestation-type\" is missing or not a string");
	if (strcmp(type->valuestring, "sevsnpvm") && strcmp(type->valuestring, "tdxvm"))
		return ms_fail(err, MS_UNSUPPORTED, "token: attestation type \"%.40s\" is not supported (sevsnpvm, tdxvm)",
			       type->valuestring);
	*snp = !strcmp(type->valuestring, "sevsnpvm");
	return MS_OK;
}

/* sevsnpvm: the numbers, booleans and chip family a report would give, as its fields. */
static enum ms_status map_snp_numbers(const cJSON *claims, struct ms_evidence *ev, struct ms_err *err)
{
	static const char *const svn_claims[] = { "x-ms-sevsnpvm-bootloader-svn", "x-ms-sevsnpvm-tee-svn",
						  "x-ms-sevsnpvm-snpfw-svn", "x-ms-sevsnpvm-microcode-svn" };
	struct ms_snp_report *r = &ev->snp;
	const cJSON *family = cJSON_GetObjectItemCaseSensitive(claims, "x-ms-sevsnpvm-chip-family");
	uint64_t v, svn[4];
	unsigned nsvn = 0;
	bool present, on;
	enum ms_status st;

	if ((st = uint_claim(claims, "x-ms-sevsnpvm-vmpl", UINT32_MAX, &v, &present, err)))
		return st;
	if (present) {
		r->vmpl = (uint32_t)v;
		ev->claims |= MS_CLAIM_VMPL;
	}
	if ((st = uint_claim(claims, "x-ms-sevsnpvm-guestsvn", UINT32_MAX, &v, &present, err)))
		return st;
	if (present) {
		r->guest_svn = (uint32_t)v;
		ev->claims |= MS_CLAIM_GUEST_SVN;
	}
	for (size_t i = 0; i < sizeof(snp_policy_claims) / sizeof(snp_policy_claims[0]); i++) {
		if ((st = bool_claim(claims, snp_policy_claims[i].claim, &on, &present, err)))
			return st;
		if (!present)
			continue;
		ev->policy_bits_known |= 1ull << snp_policy_claims[i].bit;
		r->policy |= (uint64_t)on << snp_policy_claims[i].bit;
	}
	/* bit 17 is reserved and must be one in every guest policy */
	ev->policy_bits_known |= 1ull << 17;
	r->policy |= 1ull << 17;
	for (size_t i = 0; i < 4; i++) {
		if ((st = uint_claim(claims, svn_claims[i], 255, &svn[i], &present, err)))
			return st;
		nsvn += present;
	}
	if (family && !cJSON_IsString(family))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"x-ms-sevsnpvm-chip-family\" is not a string");
	if (family) {
		/* only a family named exactly as MAA names the known ones sets the product (and with it the
		 * REPORTED_TCB layout); any other keeps its name for messages and leaves the product unknown */
		for (int p = MS_SNP_PRODUCT_MILAN; p <= MS_SNP_PRODUCT_TURIN; p++)
			if (!strcmp(family->valuestring, ms_snp_product_name((enum ms_snp_product)p)))
				ev->product = (enum ms_snp_product)p;
		snprintf(ev->product_name, sizeof(ev->product_name), "%s", family->valuestring);
		if (ev->product != MS_SNP_PRODUCT_UNKNOWN)
			ev->claims |= MS_CLAIM_PRODUCT;
	}
	/* REPORTED_TCB in the product's layout; Turin's FMC SVN is not a claim (policy.c judges it absent) */
	if (nsvn == 4) {
		if (ev->product == MS_SNP_PRODUCT_TURIN)
			r->reported_tcb = svn[0] << 8 | svn[1] << 16 | svn[2] << 24 | svn[3] << 56;
		else
			r->reported_tcb = svn[0] | svn[1] << 8 | svn[2] << 48 | svn[3] << 56;
		ev->claims |= MS_CLAIM_REPORTED_TCB;
	}
	return MS_OK;
}

/* tdxvm: the TCB status, and the debug boolean against TDATTRIBUTES when both are given. */
static enum ms_status map_tdx_extras(const cJSON *claims, struct ms_evidence *ev, struct ms_err *err)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(claims, "attester_tcb_status");
	uint64_t seamsvn;
	bool present, debug;
	enum ms_status st;

	if ((st = uint_claim(claims, "tdx_seamsvn", UINT16_MAX, &seamsvn, &present, err)))
		return st;
	if (status && (!cJSON_IsString(status) || strlen(status->valuestring) >= sizeof(ev->tcb_status)))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"attester_tcb_status\" is not a TCB status name");
	if (status) {
		snprintf(ev->tcb_status, sizeof(ev->tcb_status), "%s", status->valuestring);
		ev->claims |= MS_CLAIM_TCB_STATUS;
	}
	if ((st = bool_claim(claims, "tdx_td_attributes_debug", &debug, &present, err)))
		return st;
	if (present && (ev->claims & MS_CLAIM_TD_ATTRIBUTES) && debug != (ev->tdx.td_attributes[0] & 1))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"tdx_td_attributes_debug\" (%s) disagrees with the DEBUG "
						  "bit of \"tdx_td_attributes\"", debug ? "true" : "false");
	return MS_OK;
}

static enum ms_status map_claims(const cJSON *claims, bool snp, struct ms_evidence *ev, struct ms_checks *checks,
				 struct ms_err *err)
{
	const struct hex_field *fields = snp ? snp_fields : tdx_fields;
	uint8_t *base = snp ? (uint8_t *)&ev->snp : (uint8_t *)&ev->tdx;
	unsigned rtmrs = 0;
	bool present;
	enum ms_status st;
	const cJSON *dbg;

	ev->type = MS_EVIDENCE_MAA;
	ev->platform = snp ? "sev-snp" : "tdx";
	for (size_t i = 0; fields[i].claim; i++) {
		if ((st = hex_claim(claims, fields[i].claim, fields[i].len, fields[i].required, base + fields[i].off, &present,
				    err)))
			return st;
		if (!present)
			continue;
		ev->claims |= fields[i].bit;
		rtmrs += !strncmp(fields[i].claim, "tdx_rtmr", 8);
		if (fields[i].name)
			ms_evidence_add(ev, fields[i].name, base + fields[i].off, fields[i].len);
	}
	if (rtmrs == 4)
		ev->claims |= MS_CLAIM_RTMRS;
	if (ev->claims & MS_CLAIM_REPORT_DATA) {
		memcpy(ev->freshness, snp ? ev->snp.report_data : ev->tdx.report_data, 64);
		ev->freshness_len = 64;
	}
	if ((st = snp ? map_snp_numbers(claims, ev, err) : map_tdx_extras(claims, ev, err)))
		return st;
	dbg = cJSON_GetObjectItemCaseSensitive(claims, snp ? "x-ms-sevsnpvm-is-debuggable" : "tdx_td_attributes_debug");
	if (dbg && !cJSON_IsBool(dbg))
		return ms_fail(err, MS_BAD_INPUT, "token payload: the debug claim is not true or false");
	if (!dbg) {
		/* fail closed: a token that does not say the guest is not debuggable is taken for a debug guest */
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "the token does not say whether the guest is debuggable");
	} else if (cJSON_IsTrue(dbg)) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "%s is true",
			 snp ? "x-ms-sevsnpvm-is-debuggable" : "tdx_td_attributes_debug");
	}
	list_claims(claims, snp ? snp_listed : tdx_listed, checks);
	return MS_OK;
}

/*
 * MAA's own verdict: every sevsnpvm and tdxvm token it issues (azurevm ones in
 * x-ms-isolation-tee) says x-ms-compliance-status, and a sevsnpvm one the VMPL
 * that requested the report. A guest MAA does not call compliant, or a report
 * from a VMPL other than 0 (not the guest's most privileged level, where the
 * HCL runs), is a policy failure; a token that does not say is one too.
 */
static enum ms_status judge_claims(const cJSON *claims, bool snp, struct ms_checks *checks, struct ms_err *err)
{
	const cJSON *compliance = cJSON_GetObjectItemCaseSensitive(claims, "x-ms-compliance-status");
	const cJSON *vmpl = cJSON_GetObjectItemCaseSensitive(claims, "x-ms-sevsnpvm-vmpl");
	const char *status = cJSON_IsString(compliance) ? compliance->valuestring : compliance ? "(not a string)" : "(absent)";
	uint64_t level = 0;
	char found[32];

	if (strcmp(status, "azure-compliant-cvm")) {
		ms_check_add(checks, false, "x-ms-compliance-status", "azure-compliant-cvm", status);
		return ms_fail(err, MS_MISMATCH, "token: x-ms-compliance-status is %.60s, not azure-compliant-cvm", status);
	}
	ms_check_add(checks, true, "x-ms-compliance-status", "azure-compliant-cvm", status);
	if (!snp)
		return MS_OK;
	if (vmpl && !ms_json_u64(vmpl, false, UINT32_MAX, &level))
		return ms_fail(err, MS_BAD_INPUT, "token payload: claim \"x-ms-sevsnpvm-vmpl\" is not a whole number 0-%u",
			       UINT32_MAX);
	if (!vmpl) {
		snprintf(found, sizeof(found), "(absent)");
		ms_check_add(checks, false, "x-ms-sevsnpvm-vmpl", "0", found);
		return ms_fail(err, MS_MISMATCH, "token: x-ms-sevsnpvm-vmpl is %s, not 0", found);
	}
	snprintf(found, sizeof(found), "%llu", (unsigned long long)level);
	ms_check_add(checks, level == 0, "x-ms-sevsnpvm-vmpl", "0", found);
	return level == 0 ? MS_OK : ms_fail(err, MS_MISMATCH, "token: x-ms-sevsnpvm-vmpl is %s, not 0: the report is "
									 "not from the guest's VMPL 0", found);
}

enum ms_status ms_maa_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o, struct ms_evidence *ev,
			     struct ms_checks *checks, struct ms_err *err)
{
	struct ms_jwt j;
	const cJSON *claims, *iss;
	int64_t iat = 0, nbf = 0, exp = 0, at;
	char want[192], t1[32], t2[32], t3[64];
	enum ms_status st;
	bool snp = false;

	memset(ev, 0, sizeof(*ev));
	if ((st = ms_jwt_parse((const char *)buf, len, &j, err)))
		return ms_err_input(err, MS_INPUT_EVIDENCE, st);
	if (!o->jwks) {
		st = ms_err_input(err, MS_INPUT_COLLATERAL,
				  ms_fail(err, MS_NO_COLLATERAL, "the token's signing key (kid \"%.80s\") is not given: it is in the "
								 "attestation instance's JWKS (its /certs)", j.kid ? j.kid : ""));
		goto out;
	}
	if ((st = ms_jwt_verify_rs256((const char *)buf, &j, (const char *)o->jwks, o->jwks_len, err))) {
		if (st == MS_BAD_SIGNATURE)
			ms_check_add(checks, false, "token signature", "RS256 by a JWKS key", err->msg);
		ms_err_input(err, st == MS_BAD_INPUT && strncmp(err->msg, "JWK", 3) == 0 ? MS_INPUT_COLLATERAL : MS_INPUT_EVIDENCE, st);
		goto out;
	}
	snprintf(want, sizeof(want), "RS256 by JWKS key %.120s", j.kid);
	ms_check_add(checks, true, "token signature", want, "verifies");
	if ((st = time_claim(j.payload, "iat", &iat, err)) || (st = time_claim(j.payload, "nbf", &nbf, err)) ||
	    (st = time_claim(j.payload, "exp", &exp, err)))
		goto bad;
	at = o->at_evidence ? iat : o->at;
	ev->has_timestamp = true;
	ev->timestamp = iat;
	ev->checked_at = at;
	ms_format_time(nbf, t1);
	ms_format_time(exp, t2);
	ms_format_time(at, t3);
	if (o->at_evidence) /* judged at the token's own iat: an expired token would pass now */
		strcat(t3, " (at the token's iat, not now)");
	snprintf(want, sizeof(want), "%s <= t < %s", t1, t2);
	if (at < nbf || at >= exp || iat > at || nbf > exp) {
		ms_check_add(checks, false, "token validity", want, t3);
		st = ms_fail(err, MS_BAD_SIGNATURE, "token: %s at %s (valid from %s until %s)",
			     at >= exp ? "expired" : at < nbf ? "not yet valid" : iat > at ? "issued after the check time"
								   : "valid from after it expires", t3, t1, t2);
		goto out;
	}
	ms_check_add(checks, true, "token validity", want, t3);
	iss = cJSON_GetObjectItemCaseSensitive(j.payload, "iss");
	if (!cJSON_IsString(iss)) {
		st = ms_fail(err, MS_BAD_INPUT, "token payload: \"iss\" is missing or not a string");
		goto bad;
	}
	if (o->issuer && strcmp(o->issuer, iss->valuestring)) {
		ms_check_add(checks, false, "issuer", o->issuer, iss->valuestring);
		st = ms_fail(err, MS_BAD_SIGNATURE, "token: issued by %.100s, not %.100s", iss->valuestring, o->issuer);
		goto out;
	}
	if (o->issuer)
		ms_check_add(checks, true, "issuer", o->issuer, iss->valuestring);
	else
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "issuer", "(not pinned)", iss->valuestring);
	if ((st = claims_of(j.payload, &claims, &snp, err)) || (st = judge_claims(claims, snp, checks, err)) ||
	    (st = map_claims(claims, snp, ev, checks, err)))
		goto bad;
	ev->has_timestamp = true;
	ev->timestamp = iat;
	ev->checked_at = at;
	snprintf(ev->signed_by, sizeof(ev->signed_by), "MAA %.160s (key %.60s)", iss->valuestring, j.kid);
	goto out;
bad:
	ms_err_input(err, MS_INPUT_EVIDENCE, st);
out:
	ms_jwt_free(&j);
	return st;
}

enum ms_status ms_maa_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err)
{
	struct ms_jwt j;
	enum ms_status st = ms_jwt_parse((const char *)buf, len, &j, err);
	cJSON *root;

	*out = NULL;
	if (st)
		return st;
	if (!(root = cJSON_CreateObject())) {
		ms_jwt_free(&j);
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	}
	cJSON_AddStringToObject(root, "type", "maa-token");
	cJSON_AddStringToObject(root, "verified", "no: decoded only; verifying needs the instance's signing keys (JWKS)");
	cJSON_AddItemToObject(root, "header", j.header);
	cJSON_AddItemToObject(root, "payload", j.payload);
	j.header = j.payload = NULL;
	ms_json_add_hex(root, "signature", j.signature, j.signature_len);
	ms_jwt_free(&j);
	*out = root;
	return MS_OK;
}
