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

/* {"algorithm", "public_key": base64 DER SubjectPublicKeyInfo, "key_sha256"} of key. */
static int key_object(EVP_PKEY *key, const char *alg, cJSON **out, struct ms_err *err)
{
	uint8_t *der = NULL, fp[32];
	char *b64 = NULL, fp_hex[65];
	cJSON *o = NULL;
	int der_len, st;

	if ((der_len = i2d_PUBKEY(key, &der)) <= 0 || !(b64 = malloc(ms_base64_len((size_t)der_len) + 1)) ||
	    !(o = cJSON_CreateObject())) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	ms_base64_encode(der, (size_t)der_len, b64);
	ms_sha256(der, (size_t)der_len, fp);
	ms_hex_encode(fp, 32, fp_hex);
	if (!cJSON_AddStringToObject(o, "algorithm", alg) || !cJSON_AddStringToObject(o, "public_key", b64) ||
	    !cJSON_AddStringToObject(o, "key_sha256", fp_hex)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	*out = o;
	o = NULL;
	st = MS_OK;
out:
	cJSON_Delete(o);
	free(b64);
	OPENSSL_free(der);
	return st;
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
	uint8_t sig[MAX_SIG];
	char *b64 = NULL;
	size_t sig_len = sizeof(sig);
	const char *alg;
	cJSON *o = NULL;
	int st;

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
	if ((st = key_object(key, alg, &o, err)))
		goto out;
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
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return st;
}

int ms_pin_public_key(const void *pem, size_t len, cJSON **out, struct ms_err *err)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	const char *alg;
	int st;

	*out = NULL;
	if (!key && bio && BIO_reset(bio) == 1) /* a private key stands for its public half */
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!key)
		st = ms_fail(err, MS_BAD_INPUT, "not a PEM public (or private) key");
	else if (!(alg = key_algorithm(key)))
		st = ms_fail(err, MS_UNSUPPORTED, "an operator key is Ed25519 or ECDSA P-256, not %s",
			     EVP_PKEY_get0_type_name(key));
	else
		st = key_object(key, alg, out, err);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return st;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The key of a key or signature object, whose algorithm and key_sha256 must be its own. */
static int object_key(const cJSON *o, EVP_PKEY **out, struct ms_err *err)
{
	const char *alg = str(o, "algorithm"), *pub = str(o, "public_key"), *want = str(o, "key_sha256");
	uint8_t *der = NULL, fp[32];
	const uint8_t *p;
	size_t der_len = 0;
	EVP_PKEY *key = NULL;
	const char *kalg;
	char hex[65];
	int st;

	*out = NULL;
	if (!alg || !pub || !want || ms_base64_decode(pub, strlen(pub), &der, &der_len, "public_key", NULL)) {
		st = ms_fail(err, MS_BAD_INPUT, "a malformed key (algorithm, public_key, key_sha256)");
		goto out;
	}
	p = der;
	if (!(key = d2i_PUBKEY(NULL, &p, (long)der_len)) || p != der + der_len) {
		st = ms_fail(err, MS_BAD_INPUT, "public_key is not a DER public key");
		goto out;
	}
	ms_sha256(der, der_len, fp);
	ms_hex_encode(fp, 32, hex);
	if (strcmp(want, hex)) {
		st = ms_fail(err, MS_BAD_INPUT, "key_sha256 is not the SHA-256 of public_key");
		goto out;
	}
	if (!(kalg = key_algorithm(key)) || strcmp(kalg, alg)) {
		st = ms_fail(err, MS_BAD_INPUT, "algorithm '%.32s' does not fit its key", alg);
		goto out;
	}
	*out = key;
	key = NULL;
	st = MS_OK;
out:
	EVP_PKEY_free(key);
	free(der);
	return st;
}

int ms_pin_key_check(const cJSON *key, struct ms_err *err)
{
	EVP_PKEY *k = NULL;
	int st = object_key(key, &k, err);

	EVP_PKEY_free(k);
	return st;
}

int ms_pin_signature_verify(const char *text, size_t len, const cJSON *sig, struct ms_err *err)
{
	const char *value = str(sig, "value");
	uint8_t *s = NULL;
	size_t s_len = 0;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	int st;

	if (!value || ms_base64_decode(value, strlen(value), &s, &s_len, "signature.value", NULL)) {
		st = ms_fail(err, MS_BAD_INPUT, "a malformed signature object (value)");
		goto out;
	}
	{
		struct ms_err why = { 0 };

		if ((st = object_key(sig, &key, &why))) {
			ms_fail(err, st, "signature: %s", why.msg);
			goto out;
		}
	}
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, NULL, key_md(str(sig, "algorithm")), NULL, key) != 1 ||
	    EVP_DigestVerify(md, s, s_len, (const uint8_t *)text, len) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the operator signature does not verify");
		goto out;
	}
	st = MS_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	free(s);
	return st;
}
