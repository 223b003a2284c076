/* SPDX-License-Identifier: Apache-2.0 */
/* Operator signatures on pin log entries (OpenSSL EVP): Ed25519 or ECDSA P-256 / SHA-256. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../common/digest.h"
#include "../common/hex.h"
#include "sign.h"

#define MAX_SIG 256

/* "ed25519", "ecdsa-p256-sha256", or NULL for a key of another kind. */
static const char *key_algorithm(EVP_PKEY *key)
{
	char curve[64];
	size_t n = 0;

	if (EVP_PKEY_is_a(key, "ED25519"))
		return "ed25519";
	if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof(curve), &n) == 1 &&
	    (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256")))
		return "ecdsa-p256-sha256";
	return NULL;
}

static const EVP_MD *key_md(const char *alg)
{
	return strcmp(alg, "ed25519") ? EVP_sha256() : NULL;
}

int ms_pin_sign(const char *text, size_t len, const void *key_pem, size_t key_len, cJSON **out, struct ms_err *err)
{
	BIO *bio = BIO_new_mem_buf(key_pem, (int)key_len);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *md = NULL;
	uint8_t sig[MAX_SIG], *der = NULL, fp[32];
	char *b64 = NULL, fp_hex[65];
	size_t sig_len = sizeof(sig);
	const char *alg;
	cJSON *o = NULL;
	int der_len, st;

	*out = NULL;
	if (!key) {
		st = ms_fail(err, MS_BAD_INPUT, "not a PEM private key");
		goto out;
	}
	if (!(alg = key_algorithm(key))) {
		st = ms_fail(err, MS_UNSUPPORTED, "an operator key is Ed25519 or ECDSA P-256, not %s", EVP_PKEY_get0_type_name(key));
		goto out;
	}
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestSignInit(md, NULL, key_md(alg), NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, (const uint8_t *)text, len) != 1) {
		st = ms_fail(err, MS_BAD_INPUT, "signing failed");
		goto out;
	}
	if ((der_len = i2d_PUBKEY(key, &der)) <= 0 || !(b64 = malloc(ms_base64_len((size_t)der_len) + 1)) ||
	    !(o = cJSON_CreateObject())) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	cJSON_AddStringToObject(o, "algorithm", alg);
	ms_base64_encode(der, (size_t)der_len, b64);
	cJSON_AddStringToObject(o, "public_key", b64);
	ms_sha256(der, (size_t)der_len, fp);
	ms_hex_encode(fp, 32, fp_hex);
	cJSON_AddStringToObject(o, "key_sha256", fp_hex);
	free(b64);
	if (!(b64 = malloc(ms_base64_len(sig_len) + 1))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	ms_base64_encode(sig, sig_len, b64);
	cJSON_AddStringToObject(o, "value", b64);
	*out = o;
	o = NULL;
	st = MS_OK;
out:
	cJSON_Delete(o);
	free(b64);
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return st;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ms_pin_signature_verify(const char *text, size_t len, const cJSON *sig, struct ms_err *err)
{
	const char *alg = str(sig, "algorithm"), *pub = str(sig, "public_key"), *value = str(sig, "value");
	uint8_t *der = NULL, *s = NULL;
	const uint8_t *p;
	size_t der_len = 0, s_len = 0;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	const char *kalg;
	int st;

	if (!alg || !pub || !value || ms_base64_decode(pub, strlen(pub), &der, &der_len, "signature.public_key", err) ||
	    ms_base64_decode(value, strlen(value), &s, &s_len, "signature.value", err)) {
		st = ms_fail(err, MS_BAD_INPUT, "a malformed signature object");
		goto out;
	}
	p = der;
	if (!(key = d2i_PUBKEY(NULL, &p, (long)der_len)) || p != der + der_len) {
		st = ms_fail(err, MS_BAD_INPUT, "signature.public_key is not a DER public key");
		goto out;
	}
	{
		uint8_t fp[32];
		char hex[65];
		const char *want = str(sig, "key_sha256");

		ms_sha256(der, der_len, fp);
		ms_hex_encode(fp, 32, hex);
		if (!want || strcmp(want, hex)) {
			st = ms_fail(err, MS_BAD_INPUT, "signature.key_sha256 is not the SHA-256 of signature.public_key");
			goto out;
		}
	}
	if (!(kalg = key_algorithm(key)) || strcmp(kalg, alg)) {
		st = ms_fail(err, MS_BAD_INPUT, "signature.algorithm '%.32s' does not fit its key", alg);
		goto out;
	}
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, NULL, key_md(alg), NULL, key) != 1 ||
	    EVP_DigestVerify(md, s, s_len, (const uint8_t *)text, len) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the operator signature does not verify");
		goto out;
	}
	st = MS_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	free(der);
	free(s);
	return st;
}
